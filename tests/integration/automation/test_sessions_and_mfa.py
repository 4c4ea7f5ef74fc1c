"""Sign-in: verification codes by email (real Dovecot) and by operator, storage-state reuse."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cryptography.fernet import Fernet

from app.config import MailboxSettings
from app.mail.codes import CodeReader
from app.mail.imap import connector
from automation.browser.storage import StorageStateStore
from automation.runs.events import OperatorCodeRequested
from automation.runs.mfa import ChainedCodeProvider, MailboxCodeProvider, OperatorCodeProvider
from automation.runs.outcomes import Outcome
from tests.fixtures.dovecot import TestMailbox
from tests.integration.automation.conftest import World


def _mailbox_codes(mailbox: TestMailbox, timeout: float = 20.0) -> MailboxCodeProvider:
    box = MailboxSettings(name="codes", host=mailbox.host, port=mailbox.port, tls=False,
                          username=mailbox.username)
    reader = CodeReader(connector(box, mailbox.password), check_interval=1.0)
    return MailboxCodeProvider(reader.wait_for_code, timeout)


def test_verification_code_read_from_the_mailbox(world: World, mailbox: TestMailbox) -> None:
    account = world.account(mfa="always")
    world.mail_router.routes[account.username] = mailbox.append
    world.codes = ChainedCodeProvider(_mailbox_codes(mailbox))
    transfer_id, sent = world.transfer(account)

    result = world.run(transfer_id)

    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert result.signed_in
    assert any(to == account.username for to, _ in world.mail_router.sent)
    assert not world.of_type(OperatorCodeRequested), "the mailbox was enough"


def test_operator_types_the_code_when_no_email_arrives(world: World) -> None:
    account = world.account(mfa="always")
    transfer_id, _ = world.transfer(account)

    def operator(event: OperatorCodeRequested) -> None:
        message = next(m for to, m in reversed(world.mail_router.sent) if to == account.username)
        code = re.search(rb"verification code is:\s*(\d{6})", message)
        assert code is not None
        event.answer.set(code.group(1).decode())

    world.bus.subscribe(operator, OperatorCodeRequested)

    def nothing(email: str, since: object, timeout: float) -> None:
        return None

    world.codes = ChainedCodeProvider(
        MailboxCodeProvider(nothing, 0.1),  # type: ignore[arg-type]
        OperatorCodeProvider(world.bus, "run", transfer_id, timeout=30),
    )
    result = world.run(transfer_id)
    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert len(world.of_type(OperatorCodeRequested)) == 1


def test_no_code_anywhere_is_mfa_timeout(world: World) -> None:
    account = world.account(mfa="always")
    transfer_id, _ = world.transfer(account)
    world.bus.subscribe(lambda e: e.answer.set(None), OperatorCodeRequested)
    world.codes = ChainedCodeProvider(OperatorCodeProvider(world.bus, "run", transfer_id, 5))
    result = world.run(transfer_id)
    assert result.outcome is Outcome.MFA_TIMEOUT, result.detail
    assert result.status == "needs_review"


def test_storage_state_is_reused_encrypted_and_renewed_when_expired(world: World) -> None:
    account = world.account()
    first_id, _ = world.transfer(account)
    assert world.run(first_id).signed_in

    key = f"{account.site_url}|{account.username}"
    world.service.call(world.service.close_session(key), timeout=30)  # like an app restart
    store = world.service.store
    assert store is not None
    on_disk = store.path_for(key).read_bytes()
    assert b"td_session" not in on_disk and account.username.encode() not in on_disk
    assert "cookies" in json.dumps(store.load(key))

    second_id, second = world.transfer(account)
    reused = world.run(second_id)
    assert reused.outcome is Outcome.ACCEPTED and not reused.signed_in, "no second sign-in"

    with world.portal.state._lock:  # the portal forgets every session (server-side expiry)
        world.portal.state.sessions.clear()
    third_id, third = world.transfer(account)
    renewed = world.run(third_id)
    assert renewed.outcome is Outcome.ACCEPTED and renewed.signed_in, "expired session renewed"
    assert world.portal.accept_counts()[third.token] == 1


def test_storage_key_comes_from_the_keyring_and_a_wrong_key_means_sign_in_again(
    world: World, tmp_path: Path
) -> None:
    key = world.credentials.storage_key().encode("ascii")
    assert world.credentials.storage_key().encode("ascii") == key, "generated once, then kept"
    folder = tmp_path / "states"
    StorageStateStore(folder, key).save("acct", {"cookies": [{"name": "a", "value": "b"}]})
    assert StorageStateStore(folder, key).load("acct") == {
        "cookies": [{"name": "a", "value": "b"}]}
    assert StorageStateStore(folder, Fernet.generate_key()).load("acct") is None
