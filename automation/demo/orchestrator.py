"""Start the whole demo world in order, and stop everything it started in reverse order.

Order: the embedded PostgreSQL (fresh, in ``<data dir>/demo``) and its migrations, the sandbox
portal, Dovecot, localstripe, the marketplace's portal accounts and mailbox user (passwords in
the keyring under a demo-only service name), the seeded queue, mail sync (IMAP IDLE), escrow
processing on a timer, optionally the built-in "auto" worker, and the background sender.

The demo never touches the operator's real database or keyring entries: its cluster lives in
``<data dir>/demo`` and its secrets under the keyring service ``<service>-demo``.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine

from app.config import MailboxSettings, Settings
from app.credentials import STORAGE_KEY, CredentialStore, default_service, mailbox_key
from app.db import migrate
from app.db.engine import local_cluster, make_engine, resolve_database_url
from app.escrow.gateway import StripeGateway
from app.escrow.mode import StripeMode
from app.escrow.service import EscrowService
from app.events import EventBus
from app.mail.sync import MailboxSync
from app.mail.sync_service import build_syncs
from app.paths import server_dir
from app.services.deadline_runner import start_sweeper
from app.services.transfers import TransferService
from automation.demo.seeding import DemoAccount, LiveSender, seed_queue
from automation.sandbox import demo_world
from automation.sandbox.mailbox import DovecotServer
from automation.sandbox.payments import LocalStripeServer
from automation.sandbox.portal import SandboxPortal
from automation.sandbox.sender import ImapDelivery
from automation.worker import Worker, WorkerOptions

log = logging.getLogger(__name__)
MAILBOX_NAME = "sandbox"
LOG_FILE = "demo.log"


@dataclass(frozen=True)
class DemoOptions:
    """What the demo runs.

    Attributes:
        seed_count: transfers seeded in every state before the live flow starts.
        interval: seconds between live transfers sent by the background sender (0: none).
        send_limit: stop sending after this many live transfers (None: until stopped).
        auto: run the built-in headless worker (otherwise staff click Accept).
        escrow_interval: seconds between escrow passes (capture/cancel).
        rng_seed: makes the seeded queue reproducible.
    """

    seed_count: int = 200
    interval: float = 10.0
    send_limit: int | None = None
    auto: bool = False
    escrow_interval: float = 1.0
    rng_seed: int = 1


class DemoOrchestrator:
    """The demo's composition: :meth:`start` brings everything up, :meth:`stop` tears it down.

    Args:
        settings: the operator's settings (only data dir and browser are used).
        options: what to run.
    """

    def __init__(self, settings: Settings, options: DemoOptions) -> None:
        self.options = options
        self.demo_dir = settings.data_dir / "demo"
        self.settings = replace(settings, data_dir=self.demo_dir, database_url=None,
                                mailboxes=(), stripe_api_base=None)
        self.keyring_service = f"{default_service()}-demo"
        self.credentials = CredentialStore(service=self.keyring_service)
        self.bus = EventBus()
        self.database_url = ""
        self.engine: Engine | None = None
        self.portal: SandboxPortal | None = None
        self.dovecot: DovecotServer | None = None
        self.stripe: LocalStripeServer | None = None
        self.gateway: StripeGateway | None = None
        self.accounts: list[DemoAccount] = []
        self.sender: LiveSender | None = None
        self.worker: Worker | None = None
        self._secrets: list[str] = []
        self._keys: list[str] = []
        self._stack = contextlib.ExitStack()
        self._lock = threading.Lock()
        self._deliver: ImapDelivery | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> DemoOrchestrator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start everything; on any failure, stop what already started and re-raise."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop everything started, in reverse order. Safe to call twice, from any thread."""
        with self._lock:
            stack, self._stack = self._stack, contextlib.ExitStack()
        stack.close()

    def _push(self, what: str, stop: Callable[[], object]) -> None:
        def quietly() -> None:
            try:
                stop()
            except Exception:
                log.exception("demo: stopping %s failed", what)
            else:
                log.info("demo: stopped %s", what)
        self._stack.callback(quietly)

    def _start(self) -> None:
        self.credentials.backend  # noqa: B018 - refuse an unusable keyring before anything
        self._fresh_dirs()
        self._start_logging()
        self._start_database()
        self._start_portal()
        self._start_mailbox()
        self._start_stripe()
        self._create_accounts()
        assert self.engine is not None and self.portal is not None
        assert self.gateway is not None and self._deliver is not None
        report = seed_queue(self.engine, self.database_url, self.portal, self._deliver,
                            self.gateway, self.accounts, self.options.seed_count,
                            self.options.rng_seed)
        log.info("demo: seeded %d transfers (%d notices sent)", report.rows, report.notices)
        self._start_mail_sync()
        self._start_escrow_timer()
        if self.options.auto:
            self._start_worker()
        self._start_sender()
        log.info("demo: running (portal %s, IMAP %s:%d, stripe %s)", self.portal.base_url,
                 self._deliver.host, self._deliver.port, self.settings.stripe_api_base)

    # -- parts -----------------------------------------------------------------------------

    def _fresh_dirs(self) -> None:
        cluster = local_cluster(self.settings)
        if cluster.status().running:
            cluster.stop()
        for path in self.server_dirs():
            shutil.rmtree(path, ignore_errors=True)
        self.demo_dir.mkdir(parents=True, exist_ok=True)

    def server_dirs(self) -> list[Path]:
        """Every directory the demo writes to (the security scan reads them all)."""
        dirs = [self.demo_dir, server_dir(self.demo_dir, "postgres"),
                server_dir(self.demo_dir, "mailbox")]
        return list(dict.fromkeys(dirs))

    def _start_logging(self) -> None:
        handler = logging.FileHandler(self.demo_dir / LOG_FILE, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        logging.getLogger("stripe").setLevel(logging.WARNING)  # one line per API call
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)

        def close() -> None:
            root.removeHandler(handler)
            handler.close()
        self._stack.callback(close)

    def _start_database(self) -> None:
        self.database_url = resolve_database_url(self.settings)
        self._push("database", local_cluster(self.settings).stop)
        migrate.upgrade(self.database_url)
        self.engine = make_engine(self.database_url, pool_size=4)
        self._push("database pool", self.engine.dispose)

    def _start_portal(self) -> None:
        self.portal = SandboxPortal(mailer=self._mail)
        self.portal.start()
        self._push("sandbox portal", self.portal.stop)

    def _mail(self, recipient: str, message: bytes) -> None:
        """The portal's mailer (verification codes): into the sandbox mailbox once it runs."""
        if self._deliver is not None:
            self._deliver(recipient, message)

    def _start_mailbox(self) -> None:
        mail_dir = server_dir(self.demo_dir, "mailbox")
        mail_dir.mkdir(parents=True, exist_ok=True)
        self.dovecot = DovecotServer(mail_dir)
        self.dovecot.start()
        self._push("Dovecot", self.dovecot.stop)
        password = self._secret()
        self.dovecot.add_user(demo_world.MARKETPLACE_EMAIL, password)
        self._store(mailbox_key(MAILBOX_NAME), password)
        self._deliver = ImapDelivery(self.dovecot.host, self.dovecot.port,
                                     demo_world.MARKETPLACE_EMAIL, password)
        mailbox = MailboxSettings(MAILBOX_NAME, self.dovecot.host, demo_world.MARKETPLACE_EMAIL,
                                  port=self.dovecot.port, tls=False)
        self.settings = replace(self.settings, mailboxes=(mailbox,))

    def _start_stripe(self) -> None:
        self.stripe = LocalStripeServer()
        self.stripe.start()
        self._push("localstripe", self.stripe.stop)
        key = f"sk_test_{secrets.token_hex(12)}"
        self._secrets.append(key)
        self._store(StripeMode.TEST.keyring_key, key)
        self.settings = replace(self.settings, stripe_api_base=self.stripe.base_url)
        self.gateway = StripeGateway(key, self.stripe.base_url)

    def _create_accounts(self) -> None:
        assert self.engine is not None and self.portal is not None
        transfers = TransferService(self.engine, "demo")
        for slug, (name, _venue) in demo_world.SITES.items():
            password = self._secret()
            self.portal.add_site(slug, name)
            self.portal.add_account(slug, demo_world.MARKETPLACE_EMAIL, password,
                                    demo_world.MARKETPLACE_NAME, "off")
            info = transfers.add_account("paciolan", self.portal.site_url(slug),
                                         demo_world.MARKETPLACE_EMAIL, name,
                                         profile="sandbox_paciolan")  # the sandbox's layout
            self._store(f"portal:{info.id}", password)
            self.accounts.append(DemoAccount(info.id, slug, demo_world.MARKETPLACE_EMAIL,
                                             demo_world.MARKETPLACE_NAME))
        self._secrets.append(self.credentials.storage_key())
        self._push("keyring storage key", lambda: self.credentials.delete(STORAGE_KEY))

    def _start_mail_sync(self) -> None:
        assert self.engine is not None
        syncs: list[MailboxSync] = build_syncs(self.settings, self.engine, self.bus,
                                               self.credentials)
        for sync in syncs:
            sync.start()
            self._push(f"mail sync {sync.name}", sync.stop)

    def _start_escrow_timer(self) -> None:
        assert self.engine is not None and self.gateway is not None
        escrow = EscrowService(self.engine, self.gateway, actor_name="demo escrow",
                               events=self.bus)
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(self.options.escrow_interval):
                try:
                    escrow.process_all()
                except Exception as exc:  # keep the timer alive; the next pass retries
                    log.warning("demo: escrow pass failed: %s", exc)

        thread = threading.Thread(target=loop, name="demo-escrow", daemon=True)
        thread.start()
        self._push("deadline sweeper",  # as `escrow process --every` does
                   start_sweeper(self.engine, self.settings, "demo escrow").stop)
        def stop_timer() -> None:
            stop.set()
            thread.join(timeout=60)
        self._push("escrow timer", stop_timer)

    def _start_worker(self) -> None:
        options = WorkerOptions(concurrency=1, poll_interval=1.0, lease_seconds=120.0,
                                heartbeat_interval=30.0, reap_interval=30.0,
                                label="auto (demo)", shutdown_grace=20.0)
        self.worker = Worker(self.settings, self.database_url, options, self.credentials,
                             bus=self.bus)
        worker = self.worker
        thread = threading.Thread(target=worker.run, name="demo-worker", daemon=True)
        thread.start()
        def stop_worker() -> None:
            worker.request_stop()
            thread.join(timeout=90)
        self._push("auto worker", stop_worker)

    def _start_sender(self) -> None:
        assert self.engine is not None and self.portal is not None
        assert self.gateway is not None and self._deliver is not None
        self.sender = LiveSender(self.engine, self.portal, self._deliver, self.gateway,
                                 self.accounts, self.options.interval, self.options.send_limit)
        if self.options.interval > 0:
            self.sender.start()
            self._push("background sender", self.sender.stop)

    # -- secrets ---------------------------------------------------------------------------

    def _secret(self) -> str:
        value = secrets.token_urlsafe(15)
        self._secrets.append(value)
        return value

    def _store(self, key: str, value: str) -> None:
        self.credentials.set(key, value)
        self._keys.append(key)
        self._push(f"keyring entry {key}", lambda: self.credentials.delete(key))

    def secrets_for_scan(self) -> tuple[str, ...]:
        """Every secret the demo generated (for the security scan; never logged)."""
        return tuple(self._secrets)
