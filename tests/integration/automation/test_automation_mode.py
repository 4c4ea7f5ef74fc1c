"""Per-account automation mode: ``assisted`` accounts are never automated (claims skip them),
set by a supervisor in the CLI or service, audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli.main import main
from app.db.models import AuditLog
from app.domain.errors import DomainError, PermissionDeniedError, UnknownValueError
from app.domain.states import Role
from app.services.breakers import BreakerService
from tests.integration.automation.conftest import World


def test_an_assisted_account_is_never_claimed_for_automation(
        world: World, database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    account = world.account()
    transfer_id, _ = world.transfer(account)
    monkeypatch.setenv("TRANSFERDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("TRANSFERDESK_CONFIG", str(tmp_path / "none.toml"))
    assert main(["accounts", "mode", str(account.id), "assisted"]) == 0
    assert "automatic -> assisted" in capsys.readouterr().out

    assert world.claims.claim("desk") is None, "no automation for an assisted account"
    with pytest.raises(DomainError, match="assisted"):
        world.claims.claim("desk", transfer_id)
    with world.engine.connect() as conn:
        audit = conn.execute(select(AuditLog).where(AuditLog.action == "automation_mode")).one()
    assert audit.detail == {"account_id": account.id, "site_url": account.site_url,
                            "from": "automatic", "to": "assisted"}

    service = BreakerService(world.engine, "Sue")
    assert service.automation_mode(account.id) == "assisted"
    with pytest.raises(PermissionDeniedError, match="supervisor"):
        BreakerService(world.engine, "Stan", Role.STAFF).set_automation_mode(
            account.id, "automatic")
    with pytest.raises(UnknownValueError, match="automation mode"):
        service.set_automation_mode(account.id, "sometimes")
    with pytest.raises(SystemExit) as usage:
        main(["accounts", "mode", str(account.id), "sometimes"])
    assert usage.value.code == 2 and "invalid choice" in capsys.readouterr().err
    assert service.set_automation_mode(account.id, "automatic") == "assisted"
    claim = world.claims.claim("desk")
    assert claim is not None and claim.transfer.row.id == transfer_id
