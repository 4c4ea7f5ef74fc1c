"""Test vs live mode (never mixed), the keyring-backed gateway, and ``transferdesk escrow``."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import Engine

from app.cli.main import main
from app.config import load_settings
from app.credentials import CredentialStore, MissingCredentialError
from app.escrow import open_gateway
from app.escrow.gateway import StripeGateway, snapshot_from_dict
from app.escrow.mode import (
    EscrowConfigError,
    StripeMode,
    check_key_and_base,
    check_livemode,
    mode_for_key,
)
from automation.sandbox.payments import TEST_API_KEY, LocalStripeServer
from tests.integration.escrow.conftest import decide, held_transfer, transfer_row

LIVE_KEY = "sk_live_" + "x" * 24


@pytest.mark.parametrize(
    ("key", "mode"),
    [("sk_test_abc", StripeMode.TEST), ("rk_test_abc", StripeMode.TEST),
     ("sk_live_abc", StripeMode.LIVE), ("rk_live_abc", StripeMode.LIVE)],
)
def test_mode_comes_from_the_key_prefix(key: str, mode: StripeMode) -> None:
    assert mode_for_key(key) is mode
    assert mode.keyring_key == f"stripe:{mode.value}"


@pytest.mark.parametrize("key", ["pk_test_abc", "", "whsec_abc", "sk_abc"])
def test_anything_but_a_secret_key_is_refused(key: str) -> None:
    with pytest.raises(EscrowConfigError):
        mode_for_key(key)


def test_live_key_only_talks_to_stripe(localstripe: LocalStripeServer) -> None:
    assert check_key_and_base(LIVE_KEY, None) is StripeMode.LIVE
    assert check_key_and_base(LIVE_KEY, "https://api.stripe.com") is StripeMode.LIVE
    for base in (localstripe.base_url, "http://api.stripe.com", "https://api.stripe.com.evil"):
        with pytest.raises(EscrowConfigError, match="refusing to send a live Stripe key"):
            StripeGateway(LIVE_KEY, base)
    assert StripeGateway(TEST_API_KEY, localstripe.base_url).mode is StripeMode.TEST
    assert LIVE_KEY not in repr(StripeGateway(LIVE_KEY))


def test_objects_of_the_other_mode_are_refused() -> None:
    check_livemode(StripeMode.TEST, False, "pi_1")
    with pytest.raises(EscrowConfigError, match="refusing to mix"):
        check_livemode(StripeMode.TEST, True, "pi_1")
    with pytest.raises(EscrowConfigError, match="refusing to mix"):
        check_livemode(StripeMode.LIVE, False, "pi_1")


def test_capture_before_from_the_latest_charge_wins() -> None:
    intent = {"id": "pi_1", "status": "requires_capture", "amount": 100, "currency": "usd",
              "created": 1_700_000_000, "livemode": False,
              "latest_charge": {"payment_method_details": {"card": {
                  "capture_before": 1_700_300_000}}}}
    assert snapshot_from_dict(intent).hold_expires_at.timestamp() == 1_700_300_000
    del intent["latest_charge"]
    assert snapshot_from_dict(intent).hold_expires_at.timestamp() == 1_700_000_000 + 7 * 86400


def test_open_gateway_reads_the_key_from_the_keyring(
    credential_store: CredentialStore, localstripe: LocalStripeServer,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.setenv("TRANSFERDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TRANSFERDESK_STRIPE_API_BASE", localstripe.base_url)
    settings = load_settings()
    with pytest.raises(MissingCredentialError, match="stripe:test"):
        open_gateway(settings, store=credential_store)
    credential_store.set("stripe:test", LIVE_KEY)  # the wrong kind of key in the test slot
    with pytest.raises(EscrowConfigError):
        open_gateway(settings, store=credential_store)
    credential_store.set("stripe:test", TEST_API_KEY)
    assert open_gateway(settings, store=credential_store).mode is StripeMode.TEST
    credential_store.set("stripe:live", LIVE_KEY)
    with pytest.raises(EscrowConfigError, match="live"):
        open_gateway(settings, StripeMode.LIVE, store=credential_store)


def test_cli_retry_reconcile_and_problems(
    engine: Engine, gateway: StripeGateway, escrow_cli: None, credential_store: CredentialStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    transfer_id, _ = held_transfer(engine, gateway)
    decide(engine, transfer_id, "verified")

    assert main(["escrow", "retry"]) == 0
    out = capsys.readouterr().out
    assert "Stripe TEST MODE" in out and f"transfer {transfer_id}: capture -> captured" in out
    assert transfer_row(engine, transfer_id).escrow_status == "captured"

    assert main(["escrow", "process"]) == 0
    assert "0 processed; holds checked 0" in capsys.readouterr().out
    assert main(["escrow", "reconcile"]) == 0
    assert "0 checked, 0 fixed, 0 errors" in capsys.readouterr().out
    assert main(["escrow", "problems"]) == 0
    assert "0 escrow problem(s)" in capsys.readouterr().out

    credential_store.set("stripe:live", LIVE_KEY)
    assert main(["escrow", "reconcile", "--live"]) == 1
    err = capsys.readouterr().err
    assert "refusing to send a live Stripe key" in err and LIVE_KEY not in err


def _lines_of(stream: IO[str]) -> tuple[queue.Queue[str | None], threading.Thread]:
    """The lines ``stream`` prints, as they come (a thread reads and closes it at the end,
    then puts None); join the thread once the process is gone."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        with stream:
            for line in stream:
                lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return lines, reader


def _wait_for_line(lines: queue.Queue[str | None], needle: str, timeout: float = 60.0) -> None:
    """Until a line containing ``needle`` arrives (fails at the end of output or the timeout)."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        if needle in line:
            return
        seen.append(line)
    pytest.fail(f"no line with {needle!r}; saw: {''.join(seen)[-2000:]}")


def test_cli_process_every_keeps_running_until_sigterm(
    engine: Engine, database_url: str, gateway: StripeGateway, localstripe: LocalStripeServer,
    credential_store: CredentialStore, keyring_service: str, tmp_path: Path,
) -> None:
    import os
    import signal
    import subprocess
    import sys

    credential_store.set("stripe:test", TEST_API_KEY)
    transfer_id, _ = held_transfer(engine, gateway)
    env = {**os.environ, "TRANSFERDESK_CONFIG": str(tmp_path / "none.toml"),
           "TRANSFERDESK_DATABASE_URL": database_url,
           "TRANSFERDESK_STRIPE_API_BASE": localstripe.base_url,
           "TRANSFERDESK_KEYRING_SERVICE": keyring_service}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "escrow", "process", "--every", "0.2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert proc.stdout is not None
    lines, reader = _lines_of(proc.stdout)
    try:
        _wait_for_line(lines, "processed")  # a first round ran
        decide(engine, transfer_id, "verified")  # a later round picks the decision up
        _wait_for_line(lines, "capture -> captured")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        reader.join(timeout=30)  # it read stdout to its end and closed it
    assert transfer_row(engine, transfer_id).escrow_status == "captured"
