"""A narrow, typed gateway over the official ``stripe`` library's :class:`stripe.StripeClient`.

Only what escrow needs: retrieve, capture, cancel and list PaymentIntents, plus creating
confirmed manual-capture intents for the sandbox. Every reply becomes a frozen
:class:`IntentSnapshot`; every library error becomes one of three kinds:

* :class:`StripeUnavailableError` - network trouble, timeouts, 5xx, rate limits: retry later;
* :class:`StripeRejectedError` - Stripe understood and said no (wrong state, bad amount);
* :class:`StripeAuthError` - the key is wrong or lacks permission (a :class:`KnownError`).

The API base is configurable so tests and the sandbox can point at localstripe; the key's mode
is checked against it (:mod:`app.escrow.mode`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from app.errors import KnownError
from app.escrow.mode import StripeMode, check_key_and_base, check_livemode

if TYPE_CHECKING:  # imported where it is used: the library takes ~250 ms to load, and a desk
    import stripe  # loads this module (its errors, snapshots) long before it talks to Stripe

AUTHORIZATION_WINDOW = timedelta(days=7)
"""How long a card authorization lasts when Stripe does not say (``capture_before`` missing)."""

OPEN_STATUSES = frozenset(
    {"requires_payment_method", "requires_confirmation", "requires_action", "processing",
     "requires_capture"}
)

_P = ParamSpec("_P")
_T = TypeVar("_T")


class StripeGatewayError(Exception):
    """Base of every error the gateway raises for a failed Stripe call."""


class StripeUnavailableError(StripeGatewayError):
    """Stripe could not be reached or answered 5xx / 429; the call may or may not have run."""


class StripeRejectedError(StripeGatewayError):
    """Stripe refused the request (4xx other than auth): retrying the same call will not help."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class StripeAuthError(StripeGatewayError, KnownError):
    """The secret key is invalid, revoked or lacks permission."""


@dataclass(frozen=True)
class IntentSnapshot:
    """What TransferDesk needs to know about one PaymentIntent at one moment."""

    id: str
    status: str
    amount: int
    currency: str
    amount_captured: int
    created: datetime
    capture_before: datetime | None
    cancellation_reason: str | None
    livemode: bool

    @property
    def hold_expires_at(self) -> datetime:
        """When the authorization lapses: ``capture_before`` if known, else created + 7 days."""
        return self.capture_before or self.created + AUTHORIZATION_WINDOW

    @property
    def is_open(self) -> bool:
        """True while the intent can still be captured or cancelled."""
        return self.status in OPEN_STATUSES


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def snapshot_from_dict(data: dict[str, Any]) -> IntentSnapshot:
    """Build an :class:`IntentSnapshot` from a PaymentIntent as a plain dict.

    ``latest_charge`` may be an id or an expanded charge; ``capture_before`` comes from the
    expanded charge's ``payment_method_details.card`` when Stripe provides it.
    """
    charge = data.get("latest_charge")
    charge = charge if isinstance(charge, dict) else {}
    card = (charge.get("payment_method_details") or {}).get("card") or {}
    created = _timestamp(data.get("created")) or datetime.now(UTC)
    return IntentSnapshot(
        id=str(data["id"]),
        status=str(data["status"]),
        amount=int(data["amount"]),
        currency=str(data.get("currency") or ""),
        amount_captured=_amount_captured(data, charge),
        created=created,
        capture_before=_timestamp(card.get("capture_before")),
        cancellation_reason=data.get("cancellation_reason"),
        livemode=bool(data.get("livemode", False)),
    )


def _amount_captured(intent: dict[str, Any], charge: dict[str, Any]) -> int:
    if intent.get("amount_received") is not None:
        return int(intent["amount_received"])
    if not charge.get("captured"):
        return 0
    if charge.get("amount_captured") is not None:
        return int(charge["amount_captured"])
    # localstripe: a partial capture refunds the remainder of the authorized charge.
    return int(charge.get("amount", 0)) - int(charge.get("amount_refunded") or 0)


def translate_error(exc: stripe.StripeError) -> StripeGatewayError:
    """Map a ``stripe`` library error onto the gateway's three kinds."""
    import stripe

    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return StripeAuthError(f"Stripe refused the secret key: {_one_line(exc)}")
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError):
        return StripeUnavailableError(_one_line(exc))
    status = exc.http_status or 0
    if status >= 500 or status in (0, 409):
        return StripeUnavailableError(_one_line(exc))
    return StripeRejectedError(_one_line(exc), code=exc.code)


def _translate(call: Callable[_P, _T]) -> Callable[_P, _T]:
    """Decorator: a ``stripe`` library error leaves as a :class:`StripeGatewayError`."""

    @functools.wraps(call)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        import stripe

        try:
            return call(*args, **kwargs)
        except stripe.StripeError as exc:
            raise translate_error(exc) from exc

    return wrapper


def _one_line(exc: stripe.StripeError) -> str:
    text = " ".join(str(exc.user_message or exc).split())
    status = f"HTTP {exc.http_status}: " if exc.http_status else ""
    return f"{type(exc).__name__}: {status}{text}"[:500]


class StripeGateway:
    """Synchronous PaymentIntent operations for one Stripe account in one mode.

    Args:
        api_key: the secret key (from the keyring; never logged).
        api_base: ``None`` for Stripe itself, or e.g. localstripe's ``http://127.0.0.1:PORT``.
        timeout: seconds per HTTP request.
        max_network_retries: the library's own retries (same idempotency key each time).

    Raises:
        EscrowConfigError: the key's mode does not fit the API base.
    """

    def __init__(
        self,
        api_key: str,
        api_base: str | None = None,
        *,
        timeout: float = 30.0,
        max_network_retries: int = 1,
    ) -> None:
        import stripe

        self.mode: StripeMode = check_key_and_base(api_key, api_base)
        self.api_base = api_base
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    def __repr__(self) -> str:  # never show the key
        return f"StripeGateway(mode={self.mode.value}, api_base={self.api_base!r})"

    def _snapshot(self, obj: Any) -> IntentSnapshot:
        snap = snapshot_from_dict(obj.to_dict())
        check_livemode(self.mode, snap.livemode, f"PaymentIntent {snap.id}")
        return snap

    @_translate
    def retrieve(self, intent_id: str) -> IntentSnapshot:
        """Fetch a PaymentIntent with its latest charge expanded (for ``capture_before``)."""
        intent = self._client.v1.payment_intents.retrieve(
            intent_id, {"expand": ["latest_charge"]}
        )
        return self._snapshot(intent)

    @_translate
    def capture(
        self, intent_id: str, idempotency_key: str, amount: int | None = None
    ) -> IntentSnapshot:
        """Capture an authorized intent, fully (``amount=None``) or partially."""
        params: stripe.params.PaymentIntentCaptureParams = {"expand": ["latest_charge"]}
        if amount is not None:
            params["amount_to_capture"] = amount
        intent = self._client.v1.payment_intents.capture(
            intent_id, params, {"idempotency_key": idempotency_key}
        )
        return self._snapshot(intent)

    @_translate
    def cancel(self, intent_id: str, idempotency_key: str) -> IntentSnapshot:
        """Cancel an intent, releasing the buyer's hold."""
        intent = self._client.v1.payment_intents.cancel(
            intent_id, {"expand": ["latest_charge"]}, {"idempotency_key": idempotency_key}
        )
        return self._snapshot(intent)

    @_translate
    def create_held_intent(
        self, amount: int, currency: str, idempotency_key: str, metadata: dict[str, str]
    ) -> IntentSnapshot:
        """Create and confirm a manual-capture PaymentIntent (sandbox and demo only)."""
        intents = self._client.v1.payment_intents
        created = intents.create(
            {"amount": amount, "currency": currency, "payment_method": "pm_card_visa",
             "capture_method": "manual", "metadata": metadata},
            {"idempotency_key": idempotency_key},
        )
        confirmed = intents.confirm(created.id)
        return self._snapshot(confirmed)

    def iter_intents(self, page_size: int = 100) -> Iterator[IntentSnapshot]:
        """Every PaymentIntent of the account, newest first (auto-paginated)."""
        import stripe

        try:
            page = self._client.v1.payment_intents.list({"limit": page_size})
            for intent in page.auto_paging_iter():
                yield self._snapshot(intent)
        except stripe.StripeError as exc:
            raise translate_error(exc) from exc
