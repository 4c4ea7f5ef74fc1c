"""The desk's run stack reads emailed verification codes first, then asks the operator.

:class:`automation.runs.desk_control.DeskRunControl` (Qt-free) over the real sandbox portal,
Chromium, PostgreSQL, keyring and Dovecot: with a mailbox configured (its password in the keyring)
the code comes from the mailbox and the operator is never asked; with no mailbox, the operator is.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from app.config import MailboxSettings, Settings, load_settings
from app.credentials import mailbox_key
from automation.runs.desk_control import DeskRunControl
from automation.runs.events import OperatorCodeRequested
from automation.runs.outcomes import Outcome
from automation.runs.runner import AbortSignal, RunResult
from tests.fixtures.dovecot import TestMailbox
from tests.integration.automation.conftest import World


def _desk_settings(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "none.toml",
                         environ={"TRANSFERDESK_DATA_DIR": str(tmp_path / "desk-data")})


def _accept_at_the_desk(world: World, settings: Settings, database_url: str,
                        transfer_id: int) -> RunResult:
    control = DeskRunControl(settings, database_url, world.bus, "desk:test", world.credentials,
                             adapter_for=world.adapter_for)
    try:
        result: RunResult = control.accept(transfer_id, AbortSignal()).result(timeout=240)
    finally:
        control.close()
    return result


def test_desk_reads_the_emailed_code_without_asking(
    world: World, mailbox: TestMailbox, database_url: str, tmp_path: Path
) -> None:
    account = world.account(mfa="always")
    world.mail_router.routes[account.username] = mailbox.append
    transfer_id, _ = world.transfer(account)
    box = MailboxSettings(name="desk-codes", host=mailbox.host, port=mailbox.port, tls=False,
                          username=mailbox.username)
    world.credentials.set(mailbox_key(box.name), mailbox.password)
    settings = replace(_desk_settings(tmp_path), mailboxes=(box,))
    world.bus.subscribe(lambda event: event.answer.set(None), OperatorCodeRequested)

    result = _accept_at_the_desk(world, settings, database_url, transfer_id)

    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert result.signed_in
    assert not world.of_type(OperatorCodeRequested), "the mailbox had the code"


def test_desk_asks_the_operator_without_a_mailbox(
    world: World, database_url: str, tmp_path: Path
) -> None:
    account = world.account(mfa="always")
    transfer_id, _ = world.transfer(account)

    def operator(event: OperatorCodeRequested) -> None:
        message = next(m for to, m in reversed(world.mail_router.sent) if to == account.username)
        code = re.search(rb"verification code is:\s*(\d{6})", message)
        event.answer.set(code.group(1).decode() if code else None)

    world.bus.subscribe(operator, OperatorCodeRequested)

    result = _accept_at_the_desk(world, _desk_settings(tmp_path), database_url, transfer_id)

    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert len(world.of_type(OperatorCodeRequested)) == 1
