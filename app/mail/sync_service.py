"""Wire mail sync from settings: one :class:`MailboxSync` per configured mailbox.

The desktop, the headless worker and ``transferdesk mail sync`` all go through
:func:`build_syncs`; passwords come from the OS keyring (key ``mailbox:<name>``).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from sqlalchemy import Engine

from app.config import MailboxSettings, Settings, load_settings
from app.credentials import CredentialStore, mailbox_key
from app.errors import ConfigError
from app.events import EventBus
from app.mail.imap import connector
from app.mail.ingest import MailIngest
from app.mail.sync import MailboxSync, SyncOptions

log = logging.getLogger(__name__)


def build_syncs(
    settings: Settings,
    engine: Engine,
    bus: EventBus,
    credentials: CredentialStore | None = None,
    only: str | None = None,
) -> list[MailboxSync]:
    """A sync per configured mailbox (or just ``only``).

    Raises:
        ConfigError: no mailbox configured, or ``only`` names none of them.
        MissingCredentialError / KeyringUnavailableError: a password is not in the keyring.
    """
    mailboxes: Sequence[MailboxSettings] = settings.mailboxes
    if only is not None:
        mailboxes = [m for m in mailboxes if m.name == only]
    if not mailboxes:
        where = f" named {only!r}" if only else ""
        raise ConfigError(
            f"no mailbox{where} configured: add a [[mailboxes]] table to {settings.config_path} "
            "(see docs/mail.md)"
        )
    store = credentials or CredentialStore()
    ingest = MailIngest(engine, bus, evidence_max_bytes=settings.evidence_max_bytes)
    syncs = []
    for mailbox in mailboxes:
        password = store.require(mailbox_key(mailbox.name))
        options = SyncOptions(processed_folder=mailbox.processed_folder)
        syncs.append(MailboxSync(mailbox.name, connector(mailbox, password), ingest,
                                 folder=mailbox.folder, bus=bus, options=options))
    return syncs


def run_sync_command(once: bool, only: str | None = None) -> int:
    """``transferdesk mail sync``: one pass (``--once``) or sync with IDLE until interrupted."""
    from app.cli.database import command_database_url
    from app.db.engine import make_engine

    settings = load_settings()
    engine = make_engine(command_database_url(settings))
    bus = EventBus()
    bus.subscribe(lambda event: log.info("%s", event))
    try:
        syncs = build_syncs(settings, engine, bus, only=only)
        if once:
            for sync in syncs:
                try:
                    report = sync.sync_once()
                finally:
                    sync.stop()
                print(f"{sync.name}/{sync.folder}: {report.fetched} fetched, {report.new} new, "
                      f"{report.duplicates} already known (UIDVALIDITY {report.uidvalidity}, "
                      f"last UID {report.last_uid}{', resynced' if report.resynced else ''})")
            return 0
        _run_until_signalled(syncs)
        return 0
    finally:
        engine.dispose()


def _run_until_signalled(syncs: list[MailboxSync]) -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    for sync in syncs:
        sync.start()
    print(f"syncing {len(syncs)} mailbox(es) with IDLE; Ctrl+C to stop", flush=True)
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for sync in syncs:
            sync.stop()
        signal.signal(signal.SIGTERM, previous)
