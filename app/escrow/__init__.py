"""Escrow: capture or cancel the buyer's Stripe hold only after a recorded decision.

* :mod:`app.escrow.mode` - test vs live mode from the key; never mixed.
* :mod:`app.escrow.gateway` - typed wrapper over ``stripe.StripeClient`` (any API base).
* :mod:`app.escrow.service` - the processor (claim, Stripe, record; retries; problems list).
* :mod:`app.escrow.reconcile` - fix local state from Stripe; hold-expiry warnings and lapses.

Placing holds for generated transfers (the marketplace's part, for the demo and the tests) lives
in :mod:`automation.demo.holds`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.config import Settings
from app.credentials import CredentialStore
from app.escrow.mode import EscrowConfigError, StripeMode, check_key_and_base

if TYPE_CHECKING:  # the stripe library costs ~250 ms to import: only when a gateway is opened
    from app.escrow.gateway import StripeGateway

__all__ = ["StripeMode", "open_gateway"]


def open_gateway(
    settings: Settings, mode: StripeMode = StripeMode.TEST, store: CredentialStore | None = None
) -> StripeGateway:
    """Build the gateway for ``mode`` with its key from the OS keyring.

    The API base is ``settings.stripe_api_base`` (localstripe in the sandbox) or Stripe's own.

    Raises:
        MissingCredentialError: no key stored for ``mode``.
        EscrowConfigError: the stored key is of the other mode, or live against a non-Stripe base.
        KeyringUnavailableError: the keyring is locked or insecure.
    """
    key = (store or CredentialStore()).require(mode.keyring_key)
    actual = check_key_and_base(key, settings.stripe_api_base)
    if actual is not mode:
        raise EscrowConfigError(
            f"the key stored as {mode.keyring_key} is a {actual.value}-mode key; store the "
            f"{mode.value} key there (`transferdesk credentials set stripe {mode.value}`)"
        )
    from app.escrow.gateway import StripeGateway

    return StripeGateway(key, settings.stripe_api_base)
