"""The demo world: sites, the marketplace's accounts, believable transfers with their notices.

``transferdesk sandbox`` builds it with :func:`build_world` and :func:`seed_transfers`, and
records where everything is in ``<sandbox dir>/sandbox.json`` (:class:`SandboxInfo`: URLs,
names and keyring keys, never a password) so the sender CLI can add transfers later.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.credentials import CredentialStore, mailbox_key, portal_key
from app.errors import KnownError
from automation.sandbox.portal.server import SandboxPortal
from automation.sandbox.sender import (
    Deliver,
    ImapDelivery,
    SentTransfer,
    TransferDetails,
    send_transfer,
)

INFO_FILE = "sandbox.json"
MARKETPLACE_EMAIL = "tickets@escrow-market.test"
MARKETPLACE_NAME = "Escrow Market Desk"
MAILBOX_CREDENTIAL = mailbox_key("sandbox")

SITES: dict[str, tuple[str, str]] = {
    "state-u": ("State University Athletics", "Memorial Stadium"),
    "tech": ("Tech Institute Athletics", "Bobby Dodd Arena"),
}
OPPONENTS = ("Rival State", "Coastal Tech", "Northern A&M", "Lakeside", "Mountain West", "Bay City")
SPORTS = ("Football", "Men's Basketball", "Women's Basketball", "Baseball", "Volleyball")
SELLERS = (
    ("Jane Doe", "jane.doe@example.com"),
    ("José Álvarez", "jose.alvarez@example.com"),
    ("Zoë Müller", "zoe.mueller@example.net"),
    ("Marcus O'Neil", "marcus.oneil@example.org"),
    ("Priya Raman", "priya.r@example.com"),
    ("Li Wei", "li.wei@example.net"),
)


class SandboxNotRunningError(KnownError):
    """No sandbox info file: ``transferdesk sandbox`` is not running (or ran elsewhere)."""


@dataclass(frozen=True)
class SandboxAccount:
    """The marketplace's account on one sandbox site; its password is in the keyring."""

    site: str
    email: str
    display_name: str
    credential: str
    mfa: str = "off"


@dataclass(frozen=True)
class SandboxInfo:
    """Where a running sandbox is: portal URL, IMAP server, accounts, keyring keys."""

    portal_url: str
    imap_host: str
    imap_port: int
    mailbox_user: str
    mailbox_credential: str
    accounts: tuple[SandboxAccount, ...]

    def save(self, directory: Path) -> Path:
        """Write ``sandbox.json`` into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / INFO_FILE
        data = asdict(self)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: Path | str | None = None) -> SandboxInfo:
        """Read ``sandbox.json`` (default dir: ``<data dir>/sandbox``).

        Raises:
            SandboxNotRunningError: the file is missing or unreadable.
        """
        if directory is None:
            from app.config import load_settings

            directory = load_settings().data_dir / "sandbox"
        path = Path(directory) / INFO_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            accounts = tuple(SandboxAccount(**a) for a in data.pop("accounts"))
            return cls(accounts=accounts, **data)
        except FileNotFoundError:
            raise SandboxNotRunningError(
                f"{path} not found: start the sandbox first with `transferdesk sandbox`"
            ) from None
        except (ValueError, TypeError, KeyError) as exc:
            raise SandboxNotRunningError(f"{path} is not a valid sandbox info file: {exc}") from exc

    def account_for(self, site: str) -> SandboxAccount:
        """The marketplace account on ``site``."""
        for account in self.accounts:
            if account.site == site:
                return account
        sites = ", ".join(a.site for a in self.accounts)
        raise SandboxNotRunningError(f"no sandbox site {site!r} (sites: {sites})")

    def delivery(self, store: CredentialStore | None = None) -> ImapDelivery:
        """IMAP delivery into the sandbox mailbox (password from the keyring)."""
        password = (store or CredentialStore()).require(self.mailbox_credential)
        return ImapDelivery(self.imap_host, self.imap_port, self.mailbox_user, password)


def random_details(rng: random.Random, index: int = 0, site: str = "state-u") -> TransferDetails:
    """Plausible transfer details (event in 3 to 40 days, 1 to 4 consecutive seats)."""
    seller_name, seller_email = rng.choice(SELLERS)
    venue = SITES.get(site, ("", "Memorial Stadium"))[1]
    starts = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
        days=rng.randint(3, 40), hours=rng.randint(0, 10)
    )
    first = rng.randint(1, 24)
    count = rng.randint(1, 4)
    return TransferDetails(
        sender_name=seller_name,
        sender_email=seller_email,
        event_name=f"{rng.choice(SPORTS)} vs. {rng.choice(OPPONENTS)}",
        event_starts_at=starts,
        venue=venue,
        section=str(rng.choice((101, 104, 112, 203, 215, 310)) + index % 3),
        row=rng.choice("ABCDEFGHJKLMN"),
        seats=tuple(str(first + i) for i in range(count)),
    )


def build_world(
    portal: SandboxPortal, passwords: dict[str, str], mfa: str = "off"
) -> tuple[SandboxAccount, ...]:
    """Create every demo site and the marketplace account on each (``passwords`` by site)."""
    accounts = []
    for slug, (name, _) in SITES.items():
        portal.add_site(slug, name)
        portal.add_account(slug, MARKETPLACE_EMAIL, passwords[slug], MARKETPLACE_NAME, mfa)
        accounts.append(
            SandboxAccount(
                site=slug,
                email=MARKETPLACE_EMAIL,
                display_name=MARKETPLACE_NAME,
                credential=portal_key(f"sandbox:{slug}"),
                mfa=mfa,
            )
        )
    return tuple(accounts)


def seed_transfers(
    portal: SandboxPortal,
    deliver: Deliver,
    accounts: tuple[SandboxAccount, ...],
    count: int,
    seed: int | None = None,
) -> list[SentTransfer]:
    """Send ``count`` transfers with notices, round-robin over the accounts' sites."""
    rng = random.Random(seed)
    sent = []
    for index in range(count):
        account = accounts[index % len(accounts)]
        sent.append(
            send_transfer(
                portal,
                deliver,
                site=account.site,
                recipient_email=account.email,
                recipient_name=account.display_name,
                details=random_details(rng, index, account.site),
            )
        )
    return sent
