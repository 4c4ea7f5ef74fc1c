"""The settings window's "Test connection" checks that need no browser: database, IMAP, Stripe.

Each check is blocking (run it in the executor) and returns a short line for staff, or raises a
:class:`~app.errors.KnownError` whose message says what is wrong. No check ever puts a secret in
its result or its error: the Stripe check names the key's slot, never the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe

from app.config import MailboxSettings
from app.credentials import CredentialStore
from app.errors import KnownError
from app.escrow.gateway import translate_error
from app.escrow.mode import StripeMode, check_key_and_base, check_livemode


def check_database(url: str, timeout: int = 5) -> str:
    """Connect and return the server version.

    Raises:
        KnownError: the server cannot be reached or refused the login (the reason, one line).
    """
    import psycopg

    from app.db.engine import libpq_url

    try:
        with psycopg.connect(libpq_url(url), connect_timeout=timeout) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error as exc:
        raise KnownError(f"cannot connect: {str(exc).strip().splitlines()[0]}") from exc
    return str(row[0]) if row else "unknown"


def check_mailbox(mailbox: MailboxSettings, password: str, timeout: float = 10.0) -> str:
    """Sign in to the mailbox, open its folder and return how many messages it holds.

    Raises:
        KnownError: unreachable, login refused, or the folder does not exist.
    """
    from imapclient.exceptions import IMAPClientError

    from app.mail.imap import close_quietly, connector

    client = connector(mailbox, password, timeout)()
    try:
        selected = client.select_folder(mailbox.folder, readonly=True)
    except IMAPClientError as exc:
        raise KnownError(f"signed in, but folder {mailbox.folder!r} cannot be opened: "
                         f"{exc}") from exc
    finally:
        close_quietly(client)
    count = int(selected.get(b"EXISTS", 0))
    return f"signed in; {mailbox.folder} holds {count} message{'s' if count != 1 else ''}"


@dataclass(frozen=True)
class StripeAccountCheck:
    """What the Stripe test found: the mode, who the account is, and its balance."""

    mode: StripeMode
    account: str
    available: tuple[tuple[str, int], ...]
    pending: tuple[tuple[str, int], ...]

    def summary(self) -> str:
        """One line for the settings window (never the key)."""
        money = ", ".join(f"{amount / 100:,.2f} {currency.upper()}"
                          for currency, amount in self.available) or "nothing"
        return f"{self.mode.label}: account {self.account}; available {money}"


def check_stripe(
    mode: StripeMode, api_base: str | None, store: CredentialStore | None = None,
    timeout: float = 15.0,
) -> StripeAccountCheck:
    """Read the account and balance with the key stored for ``mode`` (``stripe:test|live``).

    Raises:
        MissingCredentialError: no key in that slot.
        EscrowConfigError: the slot holds a key of the other mode, or a live key would go to a
            non-Stripe API base, or Stripe answered with an object of the other mode.
        KnownError: Stripe refused the key or could not be reached.
    """
    from app.escrow.mode import EscrowConfigError

    key = (store or CredentialStore()).require(mode.keyring_key)
    actual = check_key_and_base(key, api_base)
    if actual is not mode:
        raise EscrowConfigError(
            f"the key stored as {mode.keyring_key} is a {actual.value}-mode key; store the "
            f"{mode.value} key there")
    client = stripe.StripeClient(
        key, base_addresses={"api": api_base} if api_base else None, max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=timeout))
    try:
        balance = client.v1.balance.retrieve().to_dict()
        check_livemode(mode, balance.get("livemode"), "the balance")
        account = _account_name(client)
    except stripe.StripeError as exc:
        raise KnownError(str(translate_error(exc))) from exc
    return StripeAccountCheck(mode, account, _amounts(balance.get("available")),
                              _amounts(balance.get("pending")))


def _account_name(client: stripe.StripeClient) -> str:
    """The account's id and name; a stand-in without ``/v1/account`` (localstripe) says so."""
    try:
        account = client.v1.accounts.retrieve_current().to_dict()
    except (stripe.InvalidRequestError, stripe.APIError) as exc:
        if exc.http_status == 404:
            return "(not reported by this API)"
        raise
    settings = account.get("settings") or {}
    name = ((settings.get("dashboard") or {}).get("display_name")
            or (account.get("business_profile") or {}).get("name") or "")
    return f"{account.get('id', '?')}{f' ({name})' if name else ''}"


def _amounts(entries: Any) -> tuple[tuple[str, int], ...]:
    """Stripe sends a list of ``{amount, currency}``; localstripe sends one such dict."""
    if isinstance(entries, dict):
        entries = [entries]
    return tuple((str(e.get("currency", "?")), int(e.get("amount", 0)))
                 for e in entries or () if isinstance(e, dict))
