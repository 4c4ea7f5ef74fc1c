"""The first-run panel in the main window on the real database (offscreen): the backend's
state, the strip above a queue that has orders, dismissal remembered across a restart (the
real-window walk through every step is in test_views_window.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.config import load_settings
from app.credentials import CredentialStore, mailbox_key
from app.desk.api import FirstRunState
from app.desk.service_backend import ServiceBackend
from app.events import EventBus
from tests.ui.conftest import seed_transfers
from ui.first_run import DISMISSED_KEY
from ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def _not_dismissed() -> Iterator[None]:
    QSettings().remove(DISMISSED_KEY)
    yield
    QSettings().remove(DISMISSED_KEY)


@pytest.fixture
def open_window(qtbot: QtBot, run: Callable[..., Any], until: Callable[..., None],
                tmp_path: Path, backend: ServiceBackend) -> Iterator[Callable[[], MainWindow]]:
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        settings = load_settings(tmp_path / "config.toml",
                                 environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
        window = MainWindow(settings, backend=backend, bus=EventBus())
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        close_window(window, until)


def close_window(window: MainWindow, until: Callable[..., None]) -> None:
    """Close as the user does and wait for the background shutdown (once)."""
    if window.shutdown is None:
        window.close()
    until(lambda: window.shutdown is not None and window.shutdown.finished.is_set(), timeout=60)
    window.executor.shutdown(wait=True)


def test_the_backend_counts_and_checks_the_mailbox_slot(
    engine: Engine, backend: ServiceBackend, account_id: int, keyring_service: str,
) -> None:
    assert backend.first_run(["box"]) == FirstRunState(1, False, None)
    seed_transfers(engine, 3, account_id)
    CredentialStore().set(mailbox_key("box"), "imap-secret")
    state = backend.first_run(["other", "box"])
    assert state == FirstRunState(1, True, "box") and state.done
    assert not backend.first_run([]).done, "a password without a configured mailbox is not it"


def test_with_orders_the_steps_are_a_strip_above_the_queue(
    run: Callable[..., Any], until: Callable[..., None], engine: Engine, account_id: int,
    open_window: Callable[[], MainWindow], keyring_service: str,
) -> None:
    seed_transfers(engine, 2, account_id)
    window = open_window()
    state = run(window.first_run.refresh())
    assert state == FirstRunState(1, True, None)
    panel = window.first_run.panel
    assert panel.isVisible() and window.splitter.isVisible()
    assert all(hint.isHidden() for hint in panel.hints.values()), "compact: no explanations"
    assert panel.ticks["account"].accessibleDescription() == "done"
    assert panel.ticks["mailbox"].accessibleDescription() == "to do"
    assert panel.buttons["mailbox"].isDefault(), "the first step left is the default"
    assert panel.intro.text() == "1 of 3 steps left before the desk can accept transfers:"


def test_dismissed_stays_dismissed_after_a_restart(
    run: Callable[..., Any], until: Callable[..., None],
    open_window: Callable[[], MainWindow],
) -> None:
    window = open_window()
    state = run(window.first_run.refresh())
    assert state == FirstRunState(0, False, None)
    assert window.first_run.panel.isVisible() and not window.splitter.isVisible()
    window.first_run.panel.dismiss_button.click()
    assert not window.first_run.panel.isVisible() and window.splitter.isVisible()
    close_window(window, until)
    again = open_window()
    assert again.first_run.dismissed
    assert run(again.first_run.refresh()) == FirstRunState(0, False, None)
    assert not again.first_run.panel.isVisible() and again.splitter.isVisible()
