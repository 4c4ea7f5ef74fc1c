"""Manual override with evidence: inline validation, then a real upload into PostgreSQL."""

from __future__ import annotations

import struct
import zlib

from PySide6.QtGui import QGuiApplication, QImage

from app.desk.api import DEFAULT_VIEW, EvidenceFile
from app.services.queue import QueueService
from tests.ui.conftest import seed_transfers
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.override_dialog import OverrideDialog


def _png(width: int = 4, height: int = 3) -> bytes:
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def _dialog(qtbot, backend, engine, account_id):
    seed_transfers(engine, 1, account_id)
    row = backend.queue_page(DEFAULT_VIEW, None, 10).rows[0]
    executor, tasks = ServiceExecutor(2), TaskGroup()
    dialog = OverrideDialog(row, backend, executor, tasks)
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog, row, executor


def test_inline_errors_block_submit_and_keep_input(qtbot, run, tmp_path, engine, backend,
                                                   account_id):
    dialog, _row, executor = _dialog(qtbot, backend, engine, account_id)
    assert dialog.isVisible() and not dialog.submit_button.isEnabled()
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    binary = tmp_path / "tool.exe"
    binary.write_bytes(b"MZ\x90\x00\x03" + bytes(range(256)))
    run(dialog.add_path(empty))
    run(dialog.add_path(binary))
    run(dialog.add_path(tmp_path / "missing.pdf"))
    errors = [dialog.files.item(i).text() for i in range(dialog.files.count())]
    assert "empty" in errors[0]
    assert "not allowed" in errors[1]
    assert "cannot read" in errors[2]
    dialog.verify_radio.setChecked(True)
    dialog.note_edit.setPlainText("seats visible in the account")
    assert not dialog.submit_button.isEnabled()
    assert "attach at least one valid evidence file" in dialog.problems()
    executor.shutdown(wait=True)


def test_verify_with_evidence_lands_in_the_database(qtbot, run, tmp_path, engine, backend,
                                                    account_id):
    dialog, row, executor = _dialog(qtbot, backend, engine, account_id)
    screenshot = tmp_path / "account.png"
    screenshot.write_bytes(_png())
    run(dialog.add_path(screenshot))
    QGuiApplication.clipboard().setImage(_image())
    dialog.paste_clipboard()  # encoded off the GUI thread, listed when done
    qtbot.waitUntil(lambda: dialog.files.count() == 2, timeout=10000)
    assert len(dialog.valid_files()) == 2
    dialog.verify_radio.setChecked(True)
    dialog.note_edit.setPlainText("Seats 1-2 visible in My Account; portal was down for bots")
    assert dialog.submit_button.isEnabled()
    with qtbot.waitSignal(dialog.decided, timeout=10000) as decided:
        run(dialog.record())
    assert decided.args[0].row.status == "verified"
    assert not dialog.isVisible()
    detail = QueueService(engine).detail(row.id)
    assert detail.transfer.row.status == "verified"
    assert detail.transfer.method == "manual"
    assert {e.filename for e in detail.evidence} == {"account.png", "pasted-2.png"}
    assert all(e.content_type == "image/png" for e in detail.evidence)
    assert any(a.action == "manual_verify" for a in detail.audit)
    executor.shutdown(wait=True)


def test_stale_version_is_reported_inline(qtbot, run, engine, backend, account_id):
    dialog, row, executor = _dialog(qtbot, backend, engine, account_id)
    from app.services.transfers import TransferService

    TransferService(engine, "other desk").mark_notice_received(
        row.id, accept_url=None, transfer_ref=None, accept_by=None)
    dialog.add_file(EvidenceFile("note.txt", "text/plain", b"checked by phone"), None)
    dialog.reject_radio.setChecked(True)
    dialog.note_edit.setPlainText("seller cancelled")
    assert run(dialog.record()) is None
    assert "changed by someone else" in dialog.error_label.text()
    assert dialog.note_edit.toPlainText() == "seller cancelled"  # nothing lost
    executor.shutdown(wait=True)


def _image() -> QImage:
    image = QImage(8, 6, QImage.Format.Format_RGB32)
    image.fill(0x3366CC)
    return image
