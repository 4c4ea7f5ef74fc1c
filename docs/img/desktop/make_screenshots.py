"""Regenerate the desktop screenshots in this directory (docs/desktop.md walks through them).

Run it with ``make screenshots`` (``scripts/screenshots.sh``: a private Xvfb, D-Bus session and
unlocked keyring, Qt on xcb). ``python make_screenshots.py [PASS …]`` runs the passes named
(default: all), each in its own process (theme and scale are fixed per Qt application), each on
its own throwaway PostgreSQL cluster, deleted afterwards:

- ``light``: 100k demo transfers and the sandbox portal: the queue and detail, the actions, a
  live run, a batch of three, the manual decision, settings, side tabs, dashboard, accounts.
- ``dark``: the same look in the dark palette (fewer demo rows; a batch for the accounts' states).
- ``scaled``: the desk at ``QT_SCALE_FACTOR=1.5``.
- ``lane``: the assisted lane with three transfers of an assisted account.
- ``first-run``: a window on an EMPTY database (the first-steps panel).

Qt's settings go to a temporary INI directory under an organisation of their own, so a user's
saved layout is neither read nor changed, and every pass starts with the first-run layout.
The data comes from shots_data.py; the screens of issue 21 are shot by shots_actions.py,
shots_queuerun.py, shots_views.py, shots_addacct.py and shots_editacct.py. A main-window
shot whose alarms banner takes over a quarter of the window prints a WARNING.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(OUT)]

import qasync  # noqa: E402
import shots_actions  # noqa: E402
import shots_addacct  # noqa: E402
import shots_editacct  # noqa: E402
import shots_queuerun  # noqa: E402
import shots_views  # noqa: E402
import shots_wait  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from shots_data import (  # noqa: E402
    OPEN_SITE,
    LiveWorld,
    desk_config,
    fail_some_captures,
    page_image,
    seed_assisted_lane,
    unmatched_notices,
)

from app.config import load_settings  # noqa: E402
from app.db import migrate  # noqa: E402
from app.db.engine import make_engine  # noqa: E402
from app.db.local_cluster import LocalCluster  # noqa: E402
from app.desk.action_rules import Command  # noqa: E402
from app.domain.states import Status  # noqa: E402
from app.services.ops import AlarmService  # noqa: E402
from automation.demo.transfers import insert_demo  # noqa: E402
from automation.sandbox.portal import SandboxPortal  # noqa: E402
from ui.first_run import DISMISSED_KEY  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.settings_dialog import SettingsDialog  # noqa: E402
from ui.theme import apply_theme  # noqa: E402

WINDOW_SIZE = (1600, 1000)  # the first-run size's cap; the whole Xvfb screen
DISPLAY_NAME = "Dana (desk 3)"
CHROMIUM = "/usr/bin/chromium"
Shot = Callable[[QWidget, str], None]


def shot(widget: QWidget, name: str) -> None:
    """Grab a widget (with its children) into OUT/name.png."""
    if (isinstance(widget, MainWindow) and widget.alarms.isVisible()
            and widget.alarms.height() > widget.height() // 4):
        print(f"WARNING: {name}: the alarms banner is {widget.alarms.height()} px of the "
              f"window's {widget.height()} px", file=sys.stderr, flush=True)
    widget.grab().save(str(OUT / f"{name}.png"))
    print("wrote", OUT / f"{name}.png", flush=True)


async def until(predicate: Callable[[], object], what: str, timeout: float = 120.0) -> None:
    """Wait (without blocking the loop) until ``predicate()`` holds (2 min by default)."""
    await shots_wait.until(predicate, what, timeout)


# --- the window -------------------------------------------------------------------------
async def open_window(url: str, data: Path, config: Path | None = None) -> MainWindow:
    """The desk as staff open it (``config``: its config.toml, None: the defaults), connected,
    with its first queue page and counts."""
    config = config or data / "none.toml"
    environ = {"TRANSFERDESK_DATA_DIR": str(data), "TRANSFERDESK_DATABASE_URL": url,
               "TRANSFERDESK_DISPLAY_NAME": DISPLAY_NAME}
    if Path(CHROMIUM).exists():
        environ["TRANSFERDESK_BROWSER_PATH"] = CHROMIUM
    settings = load_settings(config, environ=environ)
    window = MainWindow(settings)
    screen = window.screen().availableGeometry()  # 1067 x 667 logical pixels at 150 %
    window.resize(min(WINDOW_SIZE[0], screen.width()), min(WINDOW_SIZE[1], screen.height()))
    window.show()
    await window.connect_database()
    await until(lambda: window.built and window.queue.counts_loaded, "the first queue page")
    await asyncio.sleep(1.0)  # the first alarms poll and deadline sweep
    return window



async def show_detail_of(window: MainWindow, transfer_id: int) -> None:
    """Select a transfer as a batch summary's link does; wait for its detail and thumbnails."""
    window.queue.show_transfer(transfer_id)
    await until(lambda: (row := window.queue.current_row()) is not None
                and row.id == transfer_id, f"transfer {transfer_id} in the queue")
    window.tabs.setCurrentWidget(window.detail)
    await detail_settled(window, transfer_id)


async def detail_settled(window: MainWindow, transfer_id: int) -> None:
    await until(lambda: (shown := window.detail.detail) is not None
                and shown.transfer.row.id == transfer_id, f"the detail of {transfer_id}")
    await asyncio.sleep(0.2)
    await until(lambda: not window.tasks.running("detail-thumbnails"), "the thumbnails")
    await asyncio.sleep(0.3)


async def close_window(window: MainWindow) -> None:
    """Close the way staff do and wait for the background shutdown."""
    window.close()
    await until(lambda: window.shutdown is not None and window.shutdown.finished.is_set(),
                "the window to shut down", timeout=60)


async def clear_search(window: MainWindow) -> None:
    """Back to the open queue: the "All open" view, the search box emptied."""
    window.queue.apply_view("All open")
    window.queue.search_edit.clear()
    QTest.keyClick(window.queue.search_edit, Qt.Key.Key_Return)
    await until(lambda: window.queue.counts_loaded and window.queue.model.rowCount() > 1,
                "the open queue")


async def accept_and_watch(window: MainWindow, transfer_id: int, shoot: Shot) -> None:
    """Accept one sandbox transfer from the toolbar; shoot the run live, zoomed and done."""
    await show_detail_of(window, transfer_id)
    row = window.queue.current_row()
    assert row is not None
    window.commands.refresh()
    window.commands.actions[Command.ACCEPT].trigger()
    panel = window.run_panel
    await until(lambda: panel.running, "the run to start")
    await until(lambda: panel.frames_shown >= 3 or not panel.running, "live frames")
    await asyncio.sleep(0.3)
    shoot(window, "run-panel-live")
    await shots_queuerun.shoot_run_panel_wide(window, shoot)
    await shots_queuerun.shoot_frame_zoom(window, shoot)
    await until(lambda: not panel.running, "the run to end")
    await asyncio.sleep(0.8)
    shoot(window, "run-panel-done")
    # verified now, so out of the open queue: find it as a summary link does
    window.queue.show_transfer(row.id)
    await until(lambda: (current := window.queue.current_row()) is not None
                and current.id == row.id, f"{row.order_ref} in the queue")


async def manual_decision(window: MainWindow, data: Path, shoot: Shot) -> None:
    """The manual decision dialog with two evidence files (one refused: empty) and a note."""
    await shots_actions.select_first(
        window, lambda status, holder: status is Status.NOTICE_RECEIVED and holder is None)
    dialog = window.open_override()
    assert dialog is not None, "no current transfer"
    png = data / "my-account.png"
    page_image("My Account - Football vs Rivals",
               "Section 101  Row F  Seats 5, 6").save(str(png))
    await dialog.add_path(png)
    empty = data / "empty.pdf"
    empty.write_bytes(b"")
    await dialog.add_path(empty)
    dialog.verify_radio.setChecked(True)
    dialog.note_edit.setPlainText("Seats visible under My Account; the portal showed a bot "
                                  "challenge to automation.")
    await asyncio.sleep(0.5)
    shoot(dialog, "override-dialog")
    dialog.reject()


async def settings_tabs(window: MainWindow, shoot: Shot) -> None:
    """File > Settings at its Mailbox, Portal accounts and Stripe tabs."""
    window.open_settings()
    await until(lambda: window.findChild(SettingsDialog) is not None, "the settings dialog")
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    for tab, name in (("mailbox", "settings-mailbox"), ("portal", "settings"),
                      ("stripe", "settings-stripe")):
        dialog.show_tab(tab)
        await asyncio.sleep(0.8)
        shoot(dialog, name)
    dialog.reject()


async def side_tabs(window: MainWindow, shoot: Shot) -> None:
    """The Unmatched notices and Escrow problems tabs."""
    window.tabs.setCurrentWidget(window.notices)
    await window.notices.reload()
    await asyncio.sleep(0.3)
    shoot(window, "unmatched-notices")
    window.tabs.setCurrentWidget(window.escrow)
    await window.escrow.reload()
    await asyncio.sleep(0.3)
    shoot(window, "escrow-problems")


# --- passes -----------------------------------------------------------------------------

def suffixed(suffix: str) -> Shot:
    """``shot`` writing name + suffix (the dark pass's pictures beside the light ones)."""
    return lambda widget, name: shot(widget, name + suffix)


async def seeded_desk(url: str, data: Path, rows: int, portal: SandboxPortal
                      ) -> tuple[MainWindow, dict[str, int]]:
    """Demo rows, a drift alarm, two failed captures, the live transfers (due in 3-7 h: the
    top of the queue); the window on it, and the live transfers' ids by order ref."""
    started = time.monotonic()
    insert_demo(url, rows)
    print(f"inserted {rows} demo transfers in {time.monotonic() - started:.1f} s", flush=True)
    engine = make_engine(url)
    try:
        AlarmService(engine, "demo").raise_alarm(
            "selector_drift", "state-u", "No selector matched 'accept button' on State U")
        fail_some_captures(engine)
        unmatched_notices(engine)
        world = LiveWorld(engine, portal)
        world.transfer("ORD-LIVE-0001", world.open_account, OPEN_SITE, ("5", "6"), 3)
        world.batch_of_three()
    finally:
        engine.dispose()
    return await open_window(url, data, desk_config(data)), world.ids


async def queue_with_history(window: MainWindow, transfer_id: int, shoot: Shot) -> None:
    """"queue-detail": the open queue, a transfer with a history selected (after the runs)."""
    await clear_search(window)
    await show_detail_of(window, transfer_id)
    shoot(window, "queue-detail")


async def light_pass(url: str, data: Path) -> None:
    with SandboxPortal() as portal:
        window, ids = await seeded_desk(url, data, 100_000, portal)
        await show_detail_of(window, ids["ORD-LIVE-0001"])
        window.help.toggle()
        await asyncio.sleep(0.3)
        shot(window, "help-overlay")
        window.help.toggle()
        header = window.queue.table.horizontalHeader()
        widths = header.saveState()
        await shots_queuerun.shoot_queue_chips(window, shot)
        header.restoreState(widths)
        await shots_actions.shoot_transfer_menu(window, shot)
        await shots_actions.shoot_disabled_reason(window, shot)
        await accept_and_watch(window, ids["ORD-LIVE-0001"], shot)
        await detail_settled(window, ids["ORD-LIVE-0001"])
        await shots_views.shoot_detail_timeline(window, shot)
        await shots_queuerun.shoot_batch_summary(window, shot)
        await queue_with_history(window, ids["ORD-LIVE-0003"], shot)
        await manual_decision(window, data, shot)
        await settings_tabs(window, shot)
        await shots_addacct.shoot_add_account(window, shot)
        await shots_editacct.shoot_edit_account(window, shot)
        await side_tabs(window, shot)
        await shots_views.shoot_dashboard(window, shot)
        await shots_views.shoot_accounts(window, shot)
        await close_window(window)


async def dark_pass(url: str, data: Path) -> None:
    dark = suffixed("-dark")
    with SandboxPortal() as portal:
        window, ids = await seeded_desk(url, data, 5_000, portal)
        await shots_queuerun.shoot_batch_summary(window, dark)  # runs: the accounts' states
        await queue_with_history(window, ids["ORD-LIVE-0003"], dark)
        await shots_views.shoot_accounts(window, dark)
        await close_window(window)


async def scaled_pass(url: str, data: Path) -> None:
    """The desk at 150 %: the screen is 1067 x 667 logical pixels, the window takes it all."""
    with SandboxPortal() as portal:
        window, ids = await seeded_desk(url, data, 5_000, portal)
        window.move(0, 0)
        await show_detail_of(window, ids["ORD-LIVE-0002"])
        shot(window, "desk-150")
        await close_window(window)


async def first_run_pass(url: str, data: Path) -> None:
    QSettings().remove(DISMISSED_KEY)
    window = await open_window(url, data)
    await shots_views.shoot_first_run(window, shot)
    await close_window(window)


async def lane_pass(url: str, _data: Path) -> None:
    """The assisted lane with three transfers of an assisted account and a pasted screenshot."""
    from app.desk.service_backend import ServiceBackend
    from ui.assisted_lane import AssistedLaneView
    from ui.db_executor import ServiceExecutor, TaskGroup

    engine = make_engine(url)
    seed_assisted_lane(engine)
    executor = ServiceExecutor(2)
    view = AssistedLaneView(ServiceBackend(engine, DISPLAY_NAME), executor, TaskGroup(),
                            "desk-3", opener=lambda _url: True)
    view.resize(1200, 420)
    view.show()
    await view.reload()
    image = page_image("My Account - BYU vs Utah - Football",
                       "Section 112  Row K  Seats 14, 15")
    view.set_image(image)
    await asyncio.sleep(0.5)
    shot(view, "assisted-lane")
    view.close()
    executor.shutdown(wait=True)
    engine.dispose()


#: name -> (the pass, dark palette, extra environment for its process)
PASSES: dict[str, tuple[Callable[[str, Path], Awaitable[None]], bool, dict[str, str]]] = {
    "light": (light_pass, False, {}),
    "dark": (dark_pass, True, {}),
    "scaled": (scaled_pass, False, {"QT_SCALE_FACTOR": "1.5"}),
    "lane": (lane_pass, False, {}),
    "first-run": (first_run_pass, False, {}),
}


def run_pass(name: str) -> None:
    """Run one pass in this process: a fresh cluster, Qt settings in a temp dir, the loop."""
    job, dark, _env = PASSES[name]
    base = Path(tempfile.mkdtemp(prefix="td-shots-"))
    base.chmod(0o755)
    cluster = LocalCluster(base / "cluster")
    cluster.start()
    try:
        url = cluster.url()
        migrate.upgrade(url)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                          str(base / "qsettings"))
        QCoreApplication.setOrganizationName("TransferDesk-screenshots")
        QCoreApplication.setApplicationName("TransferDesk")
        app = QApplication(sys.argv[:1])
        apply_theme(app, force_dark=dark)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        stopped: list[int] = []

        def stop(sig: int, _frame: object) -> None:  # stop the loop, then clean up below
            stopped.append(sig)
            loop.stop()

        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, stop)
        with loop:
            try:
                loop.run_until_complete(job(url, base))
            except RuntimeError:
                if not stopped:
                    raise
                print(f"pass {name}: interrupted", file=sys.stderr)
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


def main(names: list[str]) -> int:
    """Each pass in its own process; returns the number of passes that failed (130 when
    interrupted: the running pass is told to stop and clean up first)."""
    unknown = [name for name in names if name not in PASSES]
    if unknown:
        print(f"make_screenshots: unknown pass {', '.join(unknown)} "
              f"(passes: {', '.join(PASSES)})", file=sys.stderr)
        return 2
    failed = 0
    running: list[subprocess.Popen[bytes]] = []
    stopping: list[int] = []

    def interrupted(sig: int, _frame: object) -> None:
        stopping.append(sig)
        for child in running:  # it stops its loop and deletes its cluster; wait() below
            child.terminate()

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, interrupted)
    for name in names or list(PASSES):
        if stopping:
            return 130
        started = time.monotonic()
        env = {**os.environ, **PASSES[name][2]}
        child = subprocess.Popen([sys.executable, __file__, "--pass", name], env=env)
        running[:] = [child]
        code = child.wait()
        if stopping:
            return 130
        print(f"pass {name}: {'ok' if code == 0 else f'FAILED ({code})'} "
              f"in {time.monotonic() - started:.0f} s", flush=True)
        failed += code != 0
    return failed


if __name__ == "__main__":
    os.environ.setdefault("TRANSFERDESK_KEYRING_SERVICE", "TransferDesk-screenshots")
    if sys.argv[1:2] == ["--pass"]:
        run_pass(sys.argv[2])
    else:
        sys.exit(main(sys.argv[1:]))
