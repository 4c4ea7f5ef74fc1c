"""Test mode versus live mode, derived from the Stripe secret key and never mixed.

A ``sk_test_`` / ``rk_test_`` key is test mode, ``sk_live_`` / ``rk_live_`` is live mode. A live
key is only ever sent to Stripe itself (``https://api.stripe.com``); a test key may also talk to
a local stand-in such as localstripe. Every object Stripe returns carries ``livemode``; a reply
whose mode differs from the key's is refused (see :func:`check_livemode`).
"""

from __future__ import annotations

import enum
from urllib.parse import urlsplit

from app.errors import KnownError

STRIPE_API_BASE = "https://api.stripe.com"
_STRIPE_HOSTS = frozenset({"api.stripe.com"})


class EscrowConfigError(KnownError):
    """The Stripe key or API base is missing, malformed or mixes test and live mode."""


class StripeMode(enum.Enum):
    """Which Stripe world money moves in; shown prominently in the UI."""

    TEST = "test"
    LIVE = "live"

    @property
    def label(self) -> str:
        """Human label for badges and window titles."""
        return "TEST MODE" if self is StripeMode.TEST else "LIVE"

    @property
    def keyring_key(self) -> str:
        """The keyring entry holding this mode's secret key (``stripe:test`` / ``stripe:live``)."""
        return f"stripe:{self.value}"


def mode_for_key(api_key: str) -> StripeMode:
    """Return the mode of a Stripe secret key from its prefix.

    Raises:
        EscrowConfigError: the key is empty, a publishable key, or of an unknown kind.
    """
    key = api_key.strip()
    if key.startswith(("sk_test_", "rk_test_")):
        return StripeMode.TEST
    if key.startswith(("sk_live_", "rk_live_")):
        return StripeMode.LIVE
    if key.startswith("pk_"):
        raise EscrowConfigError("that is a publishable Stripe key; TransferDesk needs a secret key")
    raise EscrowConfigError(
        "not a Stripe secret key (expected it to start with sk_test_, sk_live_, rk_test_ "
        "or rk_live_)"
    )


def is_stripe_api_base(api_base: str | None) -> bool:
    """True when ``api_base`` is Stripe's own API (or unset, which means Stripe's own API)."""
    if api_base is None:
        return True
    parts = urlsplit(api_base)
    return parts.scheme == "https" and (parts.hostname or "") in _STRIPE_HOSTS


def check_key_and_base(api_key: str, api_base: str | None) -> StripeMode:
    """Validate a key against the API base it will be sent to and return its mode.

    A live key is refused for anything but Stripe's own API, so real money never moves through
    a stand-in; a non-Stripe API base only ever sees test keys.

    Raises:
        EscrowConfigError: the combination would mix test and live mode.
    """
    mode = mode_for_key(api_key)
    if mode is StripeMode.LIVE and not is_stripe_api_base(api_base):
        raise EscrowConfigError(
            f"refusing to send a live Stripe key to {api_base}: live mode only talks to "
            f"{STRIPE_API_BASE}; use a test key (sk_test_...) with a local Stripe"
        )
    return mode


def check_livemode(mode: StripeMode, livemode: object, what: str) -> None:
    """Refuse a Stripe object whose ``livemode`` flag contradicts the key's mode.

    Raises:
        EscrowConfigError: a test key returned a live object or vice versa.
    """
    if livemode is None:
        return
    if bool(livemode) != (mode is StripeMode.LIVE):
        raise EscrowConfigError(
            f"{what} is a {'live' if livemode else 'test'}-mode object but TransferDesk runs "
            f"in {mode.value} mode; refusing to mix test and live money"
        )
