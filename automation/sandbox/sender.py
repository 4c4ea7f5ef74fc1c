"""The sandbox's seller: create a transfer on the portal, then deliver its notice by IMAP APPEND.

Library::

    sent = send_transfer(portal, ImapDelivery(host, port, user, password),
                         site="state-u", recipient_email="tickets@market.test",
                         recipient_name="Market Desk", details=TransferDetails(...))

CLI (against a running ``transferdesk sandbox``; passwords come from the keyring)::

    python -m automation.sandbox.sender [--count N] [--site SLUG] [--wrong-seats]

The email builders live in :mod:`automation.sandbox.notices` (pure functions) and are re-exported
here.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import imapclient

from app.errors import KnownError
from automation.sandbox.notices import (
    TransferDetails,
    TransferNotice,
    build_transfer_notice,
    build_verification_email,
)
from automation.sandbox.portal.client import PortalAdminClient
from automation.sandbox.portal.server import SandboxPortal

__all__ = [
    "ImapDelivery",
    "SentTransfer",
    "TransferDetails",
    "TransferNotice",
    "build_transfer_notice",
    "build_verification_email",
    "main",
    "send_transfer",
]

Deliver = Callable[[str, bytes], None]
"""Delivers a message (bytes) to the mailbox of a recipient address."""


class DeliveryError(KnownError):
    """The notice could not be delivered to the mailbox."""


@dataclass(frozen=True)
class SentTransfer:
    """A transfer created on the portal and the notice delivered for it."""

    token: str
    site: str
    accept_url: str
    notice: TransferNotice
    message: bytes
    message_id: str


class ImapDelivery:
    """Deliver messages with IMAP APPEND into one mailbox (plain IMAP on localhost)."""

    def __init__(
        self, host: str, port: int, username: str, password: str, folder: str = "INBOX"
    ) -> None:
        self.host, self.port, self.folder = host, port, folder
        self.username, self._password = username, password

    def __call__(self, recipient: str, message: bytes) -> None:
        """APPEND ``message`` (the recipient is implied by the mailbox)."""
        try:
            client = imapclient.IMAPClient(self.host, port=self.port, ssl=False, timeout=15)
            try:
                client.login(self.username, self._password)
                client.append(self.folder, message)
            finally:
                client.logout()
        except (imapclient.exceptions.IMAPClientError, OSError) as exc:
            raise DeliveryError(
                f"could not deliver to {self.username}@{self.host}:{self.port}: {exc}"
            ) from exc

    def __repr__(self) -> str:  # never show the password
        return f"ImapDelivery({self.host}:{self.port}, {self.username!r}, {self.folder!r})"


def send_transfer(
    portal: SandboxPortal | PortalAdminClient,
    deliver: Deliver,
    *,
    site: str,
    recipient_email: str,
    recipient_name: str,
    details: TransferDetails,
    expires_in_hours: float = 72.0,
    wrong_seats: bool | None = None,
) -> SentTransfer:
    """Create the transfer on the portal, then deliver its notice email.

    Raises:
        PortalAdminError / PortalStateError: the portal refused the transfer.
        DeliveryError: the mailbox refused the notice (the transfer exists on the portal).
    """
    fields: dict[str, Any] = {
        **details.detail_fields(),
        "seats": list(details.seats),
        "expires_in_hours": expires_in_hours,
        "wrong_seats": wrong_seats,
    }
    if isinstance(portal, SandboxPortal):
        transfer = portal.create_transfer(site, recipient_email, **fields)
        token, accept_url = transfer.token, portal.accept_url(transfer)
        created_at, expires_at = transfer.created_at, transfer.expires_at
        site_name = portal.state.site(site).name
    else:
        fields["event_starts_at"] = details.event_starts_at.isoformat()
        record = portal.create_transfer(site, recipient_email, **fields)
        token, accept_url, site_name = record["token"], record["accept_url"], record["site_name"]
        created_at = datetime.fromisoformat(record["created_at"])
        expires_at = datetime.fromisoformat(record["expires_at"])
    notice = TransferNotice(
        **details.detail_fields(),
        transfer_ref=token,
        accept_url=accept_url,
        site_name=site_name,
        recipient_email=recipient_email,
        recipient_name=recipient_name,
        expires_at=expires_at,
        sent_at=created_at,
    )
    message = build_transfer_notice(notice)
    deliver(recipient_email, message)
    message_id = f"<transfer-{token}@sandbox-paciolan.test>"
    return SentTransfer(token, site, accept_url, notice, message, message_id)


def main(argv: Sequence[str] | None = None) -> int:
    """Send transfers (with notices) into a running ``transferdesk sandbox``."""
    from automation.sandbox.demo_world import SandboxInfo, random_details

    parser = argparse.ArgumentParser(
        prog="python -m automation.sandbox.sender",
        description="Create transfers on the running sandbox portal and mail their notices.",
    )
    parser.add_argument("--sandbox-dir", default=None, help="default: <data dir>/sandbox")
    parser.add_argument("--count", type=int, default=1, help="how many transfers (default 1)")
    parser.add_argument("--site", default=None, help="site slug (default: the first site)")
    parser.add_argument("--expires-hours", type=float, default=72.0)
    parser.add_argument("--wrong-seats", action="store_true", help="portal delivers other seats")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    try:
        info = SandboxInfo.load(args.sandbox_dir)
        deliver = info.delivery()
        client = PortalAdminClient(info.portal_url)
        site = args.site or info.accounts[0].site
        account = info.account_for(site)
        rng = random.Random()
        for index in range(args.count):
            sent = send_transfer(
                client,
                deliver,
                site=site,
                recipient_email=account.email,
                recipient_name=account.display_name,
                details=random_details(rng, index, site),
                expires_in_hours=args.expires_hours,
                wrong_seats=args.wrong_seats or None,
            )
            print(f"sent {sent.token}: {sent.notice.event_name} -> {sent.accept_url}")
    except KnownError as exc:
        print(f"sender: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
