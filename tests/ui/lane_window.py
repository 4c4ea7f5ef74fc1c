"""Drive the assisted lane in a real X window (run as a subprocess on an Xvfb display).

``python -m tests.ui.lane_window DATABASE_URL``: opens the lane, presses O, puts an image on
the X clipboard, presses Ctrl+V and V with real key events, and prints one JSON line: the URLs
the opener got, the PNG's sha256, the window's X id and the lane's status line.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.db.engine import make_engine
from app.desk.service_backend import ServiceBackend
from tests.ui.driver_main import until
from ui.assisted_lane import AssistedLaneView
from ui.db_executor import ServiceExecutor, TaskGroup


async def drive(url: str) -> dict[str, object]:
    engine = make_engine(url)
    opened: list[str] = []
    executor = ServiceExecutor(2)
    view = AssistedLaneView(ServiceBackend(engine, "Xena (desk 9)"), executor, TaskGroup(),
                            "desk-9", opener=opened.append)
    view.show()
    view.activateWindow()
    await view.reload()
    await until(lambda: view.isActiveWindow() and view.current is not None,
                 "the lane active with its first transfer")
    QTest.keyClick(view, Qt.Key.Key_O)
    image = QImage(120, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("steelblue"))
    QGuiApplication.clipboard().setImage(image)
    # the X clipboard answers through the server: paste once it reads the image back
    await until(lambda: not QGuiApplication.clipboard().image().isNull(), "the clipboard")
    QTest.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    pasted = view.screenshot or b""
    QTest.keyClick(view, Qt.Key.Key_V)
    await until(lambda: "verified with your screenshot" in view.status.text(), "the decision",
                 timeout=30)
    result = {"opened": opened, "sha256": hashlib.sha256(pasted).hexdigest(),
              "window": int(view.winId()), "platform": QGuiApplication.platformName(),
              "status": view.status.text()}
    view.close()
    executor.shutdown(wait=True)
    engine.dispose()
    return result


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        print(json.dumps(loop.run_until_complete(drive(sys.argv[1]))))


if __name__ == "__main__":
    main()
