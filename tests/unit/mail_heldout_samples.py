"""A held-out corpus of transfer-notice emails, written blind.

These messages were written from the public record of Paciolan transfer emails and the
user-facing description of what a notice yields, before reading the parser or our own samples.
They imitate how other schools' ticket offices write: their own layouts, wordings, MIME shapes
and charsets. Each sample carries the fields a person reading it would take from it.

Expected values: ``None`` = the notice does not state it (the parser must not invent it);
dates are ISO strings, with an offset when the notice names a zone (compared as instants),
without one when it does not (compared as wall-clock time); ``accept_url`` may be a set of
equally right links (a click-tracking wrapper and the address it decodes to).

The samples live in parts (offers, layouts, follow-ups; ``mail_heldout_late`` holds those written
after the fixes, reported apart); the builders are in ``mail_heldout_build``.
"""

from __future__ import annotations

from tests.unit import (
    mail_heldout_followups,
    mail_heldout_late,
    mail_heldout_layouts,
    mail_heldout_offers,
)
from tests.unit.mail_heldout_build import HeldoutSample

LATE_PREFIX = "late_"  # samples written after the fixes (tests/unit/mail_heldout_late.py)

SAMPLES: list[HeldoutSample] = [
    *mail_heldout_offers.SAMPLES,
    *mail_heldout_layouts.SAMPLES,
    *mail_heldout_followups.SAMPLES,
    *mail_heldout_late.SAMPLES,
]
assert all(s.name.startswith(LATE_PREFIX) for s in mail_heldout_late.SAMPLES)

__all__ = ["LATE_PREFIX", "SAMPLES", "HeldoutSample"]
