"""Regenerate docs/img/mail/teach-template.png (docs/mail.md shows it).

Starts its own Xvfb and a throwaway PostgreSQL cluster, stores one notice in a layout the
extractor cannot read, then drives the real teach window (tests/ui/teach_window_driver.py) and
saves the panel's picture after the preview; everything is deleted again::

    .venv/bin/python docs/img/mail/make_teach_screenshot.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
OUT = Path(__file__).resolve().parent / "teach-template.png"

from app.db import migrate  # noqa: E402
from app.db.engine import make_engine  # noqa: E402
from app.db.local_cluster import LocalCluster  # noqa: E402
from app.domain.records import NewTransfer  # noqa: E402
from app.mail.ingest import MailIngest  # noqa: E402
from app.services.transfers import TransferService  # noqa: E402
from tests.unit import mail_samples as samples  # noqa: E402
from tests.unit.mail_teach_samples import odd_notice  # noqa: E402


def _seed(url: str) -> None:
    engine = make_engine(url)
    try:
        service = TransferService(engine, "docs")
        account = service.add_account("paciolan", "https://gobulldogs.evenue.net",
                                      samples.ACCOUNT)
        service.create(NewTransfer(
            order_ref="ORD-B1", event_name="Bulldogs vs. Gators", account_id=account.id,
            seller_name="Jo Park", seller_email="jo@example.com", venue="Bulldog Stadium",
            event_starts_at=None, section="12", row="5", seats=("3", "4"), quantity=2))
        MailIngest(engine).ingest(odd_notice("shot@gobulldogs.evenue.net"), "box")
    finally:
        engine.dispose()


def main() -> int:
    """Take the picture; returns the driver's exit code."""
    base = Path(tempfile.mkdtemp(prefix="td-teach-shot-"))
    base.chmod(0o755)
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp",
                             "-screen", "0", "1000x900x24"], pass_fds=(write_fd,))
    os.close(write_fd)
    display = ":" + os.read(read_fd, 16).decode().strip()
    cluster = LocalCluster(base / "cluster")
    cluster.start()
    try:
        url = cluster.url()
        migrate.upgrade(url)
        _seed(url)
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
               "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, "-m", "tests.ui.teach_window_driver", url,
                               str(OUT)], cwd=ROOT, env=env, timeout=300, check=False)
        print(f"wrote {OUT}" if proc.returncode == 0 else "screenshot failed")
        return proc.returncode
    finally:
        cluster.destroy()
        xvfb.terminate()
        xvfb.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
