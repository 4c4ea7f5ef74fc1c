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
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(OUT)]

import qasync  # noqa: E402
import shots_actions  # noqa: E402
import shots_queuerun  # noqa: E402
import shots_views  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.credentials import CredentialStore, mailbox_key, portal_key  # noqa: E402
from app.db import migrate  # noqa: E402
from app.db.engine import make_engine  # noqa: E402
from app.db.local_cluster import LocalCluster  # noqa: E402
from app.desk.action_rules import Command  # noqa: E402
from app.domain.records import NewTransfer, PortalAccountInfo  # noqa: E402
from app.domain.states import Status  # noqa: E402
from app.mail.ingest import MailIngest  # noqa: E402
from app.services.ops import AlarmService  # noqa: E402
from app.services.transfers import TransferService  # noqa: E402
from automation.demo.transfers import insert_demo  # noqa: E402
from automation.sandbox.notices import TransferNotice, build_transfer_notice  # noqa: E402
from automation.sandbox.portal import SandboxPortal  # noqa: E402
from ui.first_run import DISMISSED_KEY  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.settings_dialog import SettingsDialog  # noqa: E402
from ui.theme import apply_theme  # noqa: E402

WINDOW_SIZE = (1600, 1000)  # the first-run size's cap; the whole Xvfb screen
DISPLAY_NAME = "Dana (desk 3)"
OPEN_SITE, GUARDED_SITE = "state-u", "guarded-u"
CHROMIUM = "/usr/bin/chromium"
Shot = Callable[[QWidget, str], None]
MAILBOX_CONFIG = """\
[[mailboxes]]
name = "transfers"
host = "imap.market.test"
username = "transfers@market.test"

[deadlines]
warn_before = ["4h", "1h"]
"""


def shot(widget: QWidget, name: str) -> None:
    """Grab a widget (with its children) into OUT/name.png."""
    widget.grab().save(str(OUT / f"{name}.png"))
    print("wrote", OUT / f"{name}.png", flush=True)


async def until(predicate: Callable[[], object], what: str, timeout: float = 120.0) -> None:
    """Wait (without blocking the loop) until ``predicate()`` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"screenshots: timed out waiting for {what}")
        await asyncio.sleep(0.05)


# --- data -------------------------------------------------------------------------------
class LiveWorld:
    """Sandbox portal accounts and transfers a real run can accept (order refs ORD-LIVE-…)."""

    def __init__(self, engine: Engine, portal: SandboxPortal) -> None:
        self.transfers = TransferService(engine, "demo")
        self.portal = portal
        portal.add_site(OPEN_SITE, "State University Athletics", max_attempts=3)
        portal.add_site(GUARDED_SITE, "Guarded University Athletics", max_attempts=3)
        portal.set_faults(GUARDED_SITE, automation_guard=True)  # refuses automated browsers
        self.open_account = self._account(OPEN_SITE, "State U desk")
        self.guarded_account = self._account(GUARDED_SITE, "Guarded U desk")
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, int] = {}  # order ref -> transfer id

    def _account(self, site: str, label: str) -> PortalAccountInfo:
        email, password = f"desk-{site}@market.test", secrets.token_urlsafe(12)
        self.portal.add_account(site, email, password, "Market Desk")
        account = self.transfers.add_account("paciolan", self.portal.site_url(site), email,
                                             label)
        CredentialStore().set(portal_key(str(account.id)), password)
        return account

    def transfer(self, ref: str, account: PortalAccountInfo, site: str, seats: tuple[str, ...],
                 hours_left: float) -> int:
        """A transfer the sandbox sent to ``account``, its notice received; returns its id."""
        starts = datetime.now(UTC) + timedelta(days=4)
        sent = self.portal.create_transfer(
            site, account.username, sender_name="Sam Seller", sender_email="sam@seller.test",
            event_name="Football vs Rivals", event_starts_at=starts, venue="Memorial Stadium",
            section="101", row="F", seats=list(seats))
        made = self.transfers.create(NewTransfer(
            order_ref=ref, event_name="Football vs Rivals", account_id=account.id,
            seller_name="Sam Seller", seller_email="sam@seller.test", venue="Memorial Stadium",
            event_starts_at=starts, section="101", row="F", seats=seats,
            accept_by=datetime.now(UTC) + timedelta(hours=hours_left), amount=24000))
        self.transfers.mark_notice_received(made.row.id, accept_url=self.portal.accept_url(sent),
                                            transfer_ref=sent.token, accept_by=None)
        self.tokens[ref] = sent.token
        self.ids[ref] = made.row.id
        return made.row.id

    def batch_of_three(self) -> None:
        """ORD-LIVE-0002..4: one to accept, one its sender cancels, one on the guarded site."""
        self.transfer("ORD-LIVE-0002", self.open_account, OPEN_SITE, ("7", "8"), 5)
        self.transfer("ORD-LIVE-0003", self.open_account, OPEN_SITE, ("9",), 6)
        self.portal.cancel_transfer(self.tokens["ORD-LIVE-0003"])
        self.transfer("ORD-LIVE-0004", self.guarded_account, GUARDED_SITE, ("1", "2"), 7)


def unmatched_notices(engine: Engine) -> None:
    """Two portal notices no order explains (the matcher leaves them for staff to link)."""
    ingest = MailIngest(engine)
    now = datetime.now(UTC)
    for number, (sender, event, seats) in enumerate((
            ("Jordan Pike", "Volleyball vs Utah", ("11", "12")),
            ("Casey Moreno", "Women's Basketball vs Duke", ("4",))), start=1):
        notice = TransferNotice(
            sender_name=sender, sender_email=f"{sender.split()[0].lower()}@seller.test",
            event_name=event, event_starts_at=now + timedelta(days=9), venue="Memorial Gym",
            section="B", row="3", seats=seats, transfer_ref=f"SBX-UNMATCHED-{number}",
            accept_url=f"https://sandbox-paciolan.test/transfer/SBX-UNMATCHED-{number}",
            site_name="State University Athletics", recipient_email="desk@market.test",
            recipient_name="Market Desk", expires_at=now + timedelta(days=3),
            sent_at=now - timedelta(minutes=20 * number))
        ingest.ingest(build_transfer_notice(notice), "transfers", uid=number,
                      received_at=notice.sent_at)


def fail_some_captures(engine: Engine) -> None:
    """Two verified transfers whose capture failed: something for the Escrow problems tab."""
    with engine.begin() as conn:
        conn.execute(text(
            "UPDATE transfers SET escrow_status = 'failed', escrow_attempts = 5,"
            " escrow_error = CASE WHEN id % 2 = 0 THEN 'Stripe unreachable (timeout after 30 s)'"
            " ELSE 'payment_intent_unexpected_state: the PaymentIntent is canceled' END,"
            " escrow_updated_at = now()"
            " WHERE id IN (SELECT id FROM transfers WHERE status = 'verified'"
            " AND payment_intent_id IS NOT NULL ORDER BY id LIMIT 2)"))


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
    fit_columns(window)
    if window.alarms.height() > window.height() // 4:
        print(f"WARNING: the alarms banner is {window.alarms.height()} px of the window's "
              f"{window.height()} px", file=sys.stderr, flush=True)
    return window


def fit_columns(window: MainWindow) -> None:
    """What staff do on a first day: drag the splitter until the detail pane's facts and
    deadlines fit (half the width, at most 55 %) and double-click the Status column's edge so
    the chips show their words (the defaults are narrower; see the lead's notes)."""
    total = sum(window.splitter.sizes())
    needed = window.tabs.minimumSizeHint().width() + 20  # + the scroll area's frame and bar
    side = min(max(needed, total // 2), total * 55 // 100)
    window.splitter.setSizes([total - side, side])
    window.queue.table.resizeColumnToContents(0)


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


def desk_config(data: Path) -> Path:
    """A desk's config.toml: a mailbox (its password in the keyring) and warnings 4 h and 1 h
    before a deadline (the default's 24 h warns about most of the demo's open transfers)."""
    config = data / "config.toml"
    config.write_text(MAILBOX_CONFIG)
    CredentialStore().set(mailbox_key("transfers"), secrets.token_urlsafe(12))
    return config


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
    await shots_actions._select_first(
        window, lambda status, holder: status is Status.NOTICE_RECEIVED and holder is None)
    dialog = window.open_override()
    assert dialog is not None, "no current transfer"
    png = data / "my-account.png"
    my_account_page().save(str(png))
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


def my_account_page() -> QImage:
    """A stand-in for a pasted screenshot of the portal's My Account page."""
    image = QImage(640, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawText(24, 40, "My Account - Football vs Rivals")
    painter.drawText(24, 80, "Section 101  Row F  Seats 5, 6")
    painter.end()
    return image


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
    from app.services.breakers import BreakerService
    from ui.assisted_lane import AssistedLaneView
    from ui.db_executor import ServiceExecutor, TaskGroup

    engine = make_engine(url)
    owner = TransferService(engine, "demo")
    account = owner.add_account("paciolan", "https://byutickets.evenue.net", "box@market.test",
                                "BYU (blocked)")
    BreakerService(engine, "Sue Supervisor").set_automation_mode(account.id, "assisted")
    now = datetime.now(UTC)
    for hours, (ref, event, seats) in zip((5, 20, 44), (
            ("ORD-7731", "BYU vs Utah - Football", ("14", "15")),
            ("ORD-7742", "BYU vs Baylor - Football", ("3",)),
            ("ORD-7760", "BYU vs Gonzaga - Basketball", ("8", "9", "10"))), strict=True):
        made = owner.create(NewTransfer(
            order_ref=ref, event_name=event, account_id=account.id, seller_name="Sam Seller",
            seller_email="sam@seller.test", section="112", row="K", seats=seats,
            accept_by=now + timedelta(hours=hours)))
        owner.mark_notice_received(made.row.id, accept_url=f"https://byutickets.evenue.net/"
                                   f"transfer/{ref}", transfer_ref=ref, accept_by=None)
    executor = ServiceExecutor(2)
    view = AssistedLaneView(ServiceBackend(engine, DISPLAY_NAME), executor, TaskGroup(),
                            "desk-3", opener=lambda _url: True)
    view.resize(980, 420)
    view.show()
    await view.reload()
    image = QImage(480, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawText(20, 40, "My Account - BYU vs Utah - Football")
    painter.drawText(20, 80, "Section 112  Row K  Seats 14, 15")
    painter.end()
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
        with loop:
            loop.run_until_complete(job(url, base))
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


def main(names: list[str]) -> int:
    """Each pass in its own process; returns the number of passes that failed."""
    unknown = [name for name in names if name not in PASSES]
    if unknown:
        print(f"make_screenshots: unknown pass {', '.join(unknown)} "
              f"(passes: {', '.join(PASSES)})", file=sys.stderr)
        return 2
    failed = 0
    for name in names or list(PASSES):
        started = time.monotonic()
        env = {**os.environ, **PASSES[name][2]}
        code = subprocess.call([sys.executable, __file__, "--pass", name], env=env)
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
