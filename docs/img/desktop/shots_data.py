"""The data the screenshots show, for make_screenshots.py: sandbox transfers a real run
accepts, notices no order explains, failed captures, an assisted lane, a desk's config.

Everything goes through the app's own services (or, for the failed captures, the columns the
escrow processor writes), into the pass's throwaway database.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtGui import QColor, QImage, QPainter
from sqlalchemy import Engine, text

from app.credentials import CredentialStore, mailbox_key, portal_key
from app.domain.records import NewTransfer, PortalAccountInfo
from app.mail.ingest import MailIngest
from app.services.breakers import BreakerService
from app.services.transfers import TransferService
from automation.sandbox.notices import TransferNotice, build_transfer_notice
from automation.sandbox.portal import SandboxPortal

OPEN_SITE, GUARDED_SITE = "state-u", "guarded-u"
MAILBOX_CONFIG = """\
[[mailboxes]]
name = "transfers"
host = "imap.market.test"
username = "transfers@market.test"
"""


class LiveWorld:
    """Sandbox portal accounts and transfers a real run can accept (order refs ORD-LIVE-…)."""

    def __init__(self, engine: Engine, portal: SandboxPortal) -> None:
        self.transfers = TransferService(engine, "demo")
        self.portal = portal
        portal.add_site(OPEN_SITE, "State University Athletics", max_attempts=3)
        portal.add_site(GUARDED_SITE, "Guarded University Athletics", max_attempts=3)
        portal.set_faults(GUARDED_SITE, automation_guard=True)  # refuses automated browsers
        self.open_account = self._account(OPEN_SITE, "State U desk")
        self.guarded_account = self._account(GUARDED_SITE, "Guarded U desk")
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, int] = {}  # order ref -> transfer id

    def _account(self, site: str, label: str) -> PortalAccountInfo:
        email, password = f"desk-{site}@market.test", secrets.token_urlsafe(12)
        self.portal.add_account(site, email, password, "Market Desk")
        account = self.transfers.add_account("paciolan", self.portal.site_url(site), email,
                                             label)
        CredentialStore().set(portal_key(str(account.id)), password)
        return account

    def transfer(self, ref: str, account: PortalAccountInfo, site: str, seats: tuple[str, ...],
                 hours_left: float) -> int:
        """A transfer the sandbox sent to ``account``, its notice received; returns its id."""
        starts = datetime.now(UTC) + timedelta(days=4)
        sent = self.portal.create_transfer(
            site, account.username, sender_name="Sam Seller", sender_email="sam@seller.test",
            event_name="Football vs Rivals", event_starts_at=starts, venue="Memorial Stadium",
            section="101", row="F", seats=list(seats))
        made = self.transfers.create(NewTransfer(
            order_ref=ref, event_name="Football vs Rivals", account_id=account.id,
            seller_name="Sam Seller", seller_email="sam@seller.test", venue="Memorial Stadium",
            event_starts_at=starts, section="101", row="F", seats=seats,
            accept_by=datetime.now(UTC) + timedelta(hours=hours_left), amount=24000))
        self.transfers.mark_notice_received(made.row.id, accept_url=self.portal.accept_url(sent),
                                            transfer_ref=sent.token, accept_by=None)
        self.tokens[ref] = sent.token
        self.ids[ref] = made.row.id
        return made.row.id

    def batch_of_three(self) -> None:
        """ORD-LIVE-0002..4: one to accept, one its sender cancels, one on the guarded site."""
        self.transfer("ORD-LIVE-0002", self.open_account, OPEN_SITE, ("7", "8"), 5)
        self.transfer("ORD-LIVE-0003", self.open_account, OPEN_SITE, ("9",), 6)
        self.portal.cancel_transfer(self.tokens["ORD-LIVE-0003"])
        self.transfer("ORD-LIVE-0004", self.guarded_account, GUARDED_SITE, ("1", "2"), 7)


def unmatched_notices(engine: Engine) -> None:
    """Two portal notices no order explains (the matcher leaves them for staff to link)."""
    ingest = MailIngest(engine)
    now = datetime.now(UTC)
    for number, (sender, event, seats) in enumerate((
            ("Jordan Pike", "Volleyball vs Utah", ("11", "12")),
            ("Casey Moreno", "Women's Basketball vs Duke", ("4",))), start=1):
        notice = TransferNotice(
            sender_name=sender, sender_email=f"{sender.split()[0].lower()}@seller.test",
            event_name=event, event_starts_at=now + timedelta(days=9), venue="Memorial Gym",
            section="B", row="3", seats=seats, transfer_ref=f"SBX-UNMATCHED-{number}",
            accept_url=f"https://sandbox-paciolan.test/transfer/SBX-UNMATCHED-{number}",
            site_name="State University Athletics", recipient_email="desk@market.test",
            recipient_name="Market Desk", expires_at=now + timedelta(days=3),
            sent_at=now - timedelta(minutes=20 * number))
        ingest.ingest(build_transfer_notice(notice), "transfers", uid=number,
                      received_at=notice.sent_at)


def fail_some_captures(engine: Engine) -> None:
    """Two verified transfers whose capture failed: something for the Escrow problems tab."""
    with engine.begin() as conn:
        conn.execute(text(
            "UPDATE transfers SET escrow_status = 'failed', escrow_attempts = 5,"
            " escrow_error = CASE WHEN id % 2 = 0 THEN 'Stripe unreachable (timeout after 30 s)'"
            " ELSE 'payment_intent_unexpected_state: the PaymentIntent is canceled' END,"
            " escrow_updated_at = now()"
            " WHERE id IN (SELECT id FROM transfers WHERE status = 'verified'"
            " AND payment_intent_id IS NOT NULL ORDER BY id LIMIT 2)"))


def desk_config(data: Path) -> Path:
    """A desk's config.toml: a mailbox (its password in the keyring) and warnings 4 h and 1 h
    before a deadline (the default's 24 h warns about most of the demo's open transfers)."""
    config = data / "config.toml"
    config.write_text(MAILBOX_CONFIG)
    CredentialStore().set(mailbox_key("transfers"), secrets.token_urlsafe(12))
    return config


def seed_assisted_lane(engine: Engine) -> None:
    """Three waiting transfers of an account set to assisted (a person accepts them)."""
    owner = TransferService(engine, "demo")
    account = owner.add_account("paciolan", "https://byutickets.evenue.net", "box@market.test",
                                "BYU (blocked)")
    BreakerService(engine, "Sue Supervisor").set_automation_mode(account.id, "assisted")
    now = datetime.now(UTC)
    for hours, (ref, event, seats) in zip((5, 20, 44), (
            ("ORD-7731", "BYU vs Utah - Football", ("14", "15")),
            ("ORD-7742", "BYU vs Baylor - Football", ("3",)),
            ("ORD-7760", "BYU vs Gonzaga - Basketball", ("8", "9", "10"))), strict=True):
        made = owner.create(NewTransfer(
            order_ref=ref, event_name=event, account_id=account.id, seller_name="Sam Seller",
            seller_email="sam@seller.test", section="112", row="K", seats=seats,
            accept_by=now + timedelta(hours=hours)))
        owner.mark_notice_received(made.row.id, accept_url=f"https://byutickets.evenue.net/"
                                   f"transfer/{ref}", transfer_ref=ref, accept_by=None)


def page_image(*lines: str) -> QImage:
    """A stand-in for a pasted screenshot of a portal page: ``lines`` of text on white."""
    image = QImage(640, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = painter.font()
    font.setPixelSize(24)  # still readable where the image is shown at half size
    painter.setFont(font)
    for number, line in enumerate(lines):
        painter.drawText(24, 48 * (number + 1), line)
    painter.end()
    return image


