"""What one delivery POSTs: the signed JSON event, or a Slack-compatible ``{"text": …}``."""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.db.models_marketplace import OUTCOME_TYPES
from app.webhooks.repository import DeliveryJob

FORMATS = ("json", "slack")
#: Alarm kinds staff alerts may carry (the alarms table's kind is free text).
ALERT_KINDS = ("selector_drift", "template_drift", "bot_challenge", "blocked", "site_blocked",
               "deadline_warning")
#: What an endpoint gets when its ``events`` list is empty.
DEFAULT_EVENTS = {"json": OUTCOME_TYPES, "slack": ("needs_review", *ALERT_KINDS)}


@dataclass(frozen=True)
class Message:
    """A body ready to send, with the id receivers dedupe on."""

    event_id: str
    body: bytes


def render(job: DeliveryJob, fmt: str) -> Message:
    """The body of ``job`` in ``fmt`` (``json`` or ``slack``)."""
    if job.event is not None:
        event = job.event
        if fmt == "slack":
            return Message(event.event_id, _text(_outcome_line(event.type, event.order_ref,
                                                                event.detail)))
        return Message(event.event_id, json.dumps(event.payload(), separators=(",", ":"),
                                                  sort_keys=True).encode())
    assert job.alarm is not None
    alarm_id, kind, message = job.alarm
    event_id = f"alm_{alarm_id}"
    if fmt == "slack":
        return Message(event_id, _text(f"TransferDesk {kind.replace('_', ' ')}: {message}"))
    payload = {"id": event_id, "type": f"alert.{kind}", "data": {"kind": kind,
                                                               "message": message}}
    return Message(event_id, json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())


def _outcome_line(kind: str, order_ref: str, detail: dict[str, object]) -> str:
    why = detail.get("last_outcome") or detail.get("reason") or detail.get("escrow_error")
    suffix = f" ({why})" if why else ""
    return f"TransferDesk: order {order_ref} is {kind.replace('_', ' ')}{suffix}"


def _text(line: str) -> bytes:
    return json.dumps({"text": line}).encode()
