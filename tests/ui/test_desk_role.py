"""The desk acts as its staff role and registers in the workers table, with a heartbeat."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, make_url, text

from app.config import load_settings
from app.db.engine import make_engine
from app.desk.service_backend import ServiceBackend
from app.domain.records import NewTransfer
from app.events import EventBus
from app.services.ops import desk_role
from app.services.queue import QueueService
from ui.main_window import MainWindow


@pytest.fixture
def login_as(engine: Engine, database_url: str) -> Iterator[Callable[[str | None], Engine]]:
    """``login_as(member_of)``: an engine for a fresh login role (optionally in a role)."""
    made: list[tuple[str, Engine]] = []

    def make(member_of: str | None) -> Engine:
        name = f"desk_login_{secrets.token_hex(3)}"
        with engine.begin() as conn:
            conn.execute(text(f"CREATE ROLE {name} LOGIN"))
            if member_of is not None:
                conn.execute(text(f"GRANT {member_of} TO {name}"))
        login = make_engine(make_url(database_url).set(username=name, password=None)
                            .render_as_string(hide_password=False))
        made.append((name, login))
        return login

    yield make
    for name, login in made:
        login.dispose()
        with engine.begin() as conn:
            conn.execute(text(f"DROP ROLE {name}"))


def _worker(engine: Engine, worker_id: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT kind, label, last_beat_at, stopped_at FROM workers WHERE id = :i"),
            {"i": worker_id}).one()


def test_staff_login_acts_as_staff_and_registers_with_heartbeat(
    engine: Engine, login_as: Callable[[str | None], Engine],
) -> None:
    backend = ServiceBackend.connect(login_as("transferdesk_staff"), "Dana (desk 3)")
    assert backend.role == "transferdesk_staff"
    created = backend.transfers.create(NewTransfer(order_ref=f"ORD-{secrets.token_hex(3)}",
                                                   event_name="Game"))
    [entry] = QueueService(engine).detail(created.row.id).audit
    assert entry.actor_role == "transferdesk_staff" and entry.actor.startswith("desk_login_")
    assert entry.actor_name == "Dana (desk 3)"

    kind, label, first_beat, stopped = _worker(engine, backend.worker_id)
    assert (kind, label, stopped) == ("desktop", "Dana (desk 3)", None)
    backend.beat()
    assert _worker(engine, backend.worker_id)[2] > first_beat
    backend.stop()
    assert _worker(engine, backend.worker_id)[3] is not None


def test_supervisor_login_keeps_supervisor_rights(login_as: Callable[[str | None], Engine]
                                                  ) -> None:
    assert desk_role(login_as("transferdesk_supervisor")) == "transferdesk_supervisor"


def test_other_logins_keep_their_own_role(engine: Engine,
                                          login_as: Callable[[str | None], Engine]) -> None:
    assert desk_role(engine) is None  # the cluster's superuser (the embedded default)
    assert desk_role(login_as(None)) is None  # in no desk role: its own grants apply


def test_window_registers_the_desk_and_beats_on_the_executor(
    qtbot: QtBot, run: Callable[..., Any], tmp_path: Any, engine: Engine, database_url: str,
    until: Callable[..., None],
) -> None:
    settings = load_settings(tmp_path / "none.toml", environ={
        "TRANSFERDESK_DATA_DIR": str(tmp_path), "TRANSFERDESK_DATABASE_URL": database_url,
        "TRANSFERDESK_DISPLAY_NAME": "Robin"})
    window = MainWindow(settings, bus=EventBus())
    qtbot.addWidget(window)
    run(window.connect_database(), timeout=60)
    backend = window.backend
    assert isinstance(backend, ServiceBackend)
    first_beat = _worker(engine, backend.worker_id)[2]
    window.desk_heartbeat()
    until(lambda: _worker(engine, backend.worker_id)[2] > first_beat)
    window.close()
    until(lambda: window.shutdown is not None and window.shutdown.finished.is_set(), 60)
    window.executor.shutdown(wait=True)
    assert _worker(engine, backend.worker_id)[3] is not None  # stopped on close
