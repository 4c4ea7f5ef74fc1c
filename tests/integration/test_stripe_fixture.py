"""The localstripe fixture speaks the Stripe API: a manual-capture hold is captured or cancelled."""

from __future__ import annotations

import os

import pytest
import stripe

from automation.sandbox.payments import LocalStripeServer


def _hold(client: stripe.StripeClient, amount: int) -> stripe.PaymentIntent:
    intent = client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "capture_method": "manual",
        }
    )
    assert intent.status == "requires_confirmation"
    confirmed = client.v1.payment_intents.confirm(intent.id)
    assert confirmed.status == "requires_capture"
    return confirmed


def test_hold_then_capture(stripe_client: stripe.StripeClient) -> None:
    intent = _hold(stripe_client, 12_500)
    captured = stripe_client.v1.payment_intents.capture(intent.id)
    assert captured.status == "succeeded"
    again = stripe_client.v1.payment_intents.retrieve(intent.id)
    assert again.status == "succeeded" and again.amount == 12_500


def test_hold_then_cancel(stripe_client: stripe.StripeClient) -> None:
    intent = _hold(stripe_client, 4_000)
    cancelled = stripe_client.v1.payment_intents.cancel(intent.id)
    assert cancelled.status == "canceled"
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "canceled"


def _listening_addresses(port: int) -> list[str]:
    """Local addresses (hex, as in /proc/net/tcp*) of sockets listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as rows:
            for row in list(rows)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, _, hex_port = local.partition(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                    found.append(address)
    return found


def test_listens_on_loopback_only(localstripe: LocalStripeServer) -> None:
    assert localstripe.base_url == f"http://127.0.0.1:{localstripe.port}"
    if not os.path.exists("/proc/net/tcp"):
        pytest.skip("needs Linux /proc/net/tcp")
    assert _listening_addresses(localstripe.port) == ["0100007F"]  # 127.0.0.1, no IPv6 "::"
