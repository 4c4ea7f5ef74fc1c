"""Playwright's trace viewer, served on 127.0.0.1 with the traces the desk opens.

``playwright show-trace`` needs a Python interpreter with Playwright (not there in the frozen
bundle) and Playwright's own downloaded browsers (not there when Chromium comes from the OS). The
viewer itself is a static web app that Playwright's driver package ships
(``driver/package/lib/vite/traceViewer``, bundled by build.spec with the rest of the driver): this
module serves it from a small HTTP server bound to the loopback interface only, together with
each trace under an unguessable path, and returns the URL to open in any browser.
"""

from __future__ import annotations

import http.server
import logging
import mimetypes
import secrets
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from app.errors import DependencyMissingError

log = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"


def viewer_dir() -> Path:
    """Where the installed (or bundled) Playwright keeps the trace viewer's static files.

    Raises:
        DependencyMissingError: this Playwright ships no trace viewer.
    """
    import playwright

    package = Path(playwright.__file__).resolve().parent / "driver" / "package"
    for candidate in (package / "lib" / "vite" / "traceViewer",
                      package / "lib" / "webpack" / "traceViewer"):
        if (candidate / "index.html").is_file():
            return candidate
    raise DependencyMissingError(
        f"Playwright's trace viewer is missing from {package} (reinstall playwright)")


class TraceViewerServer:
    """The viewer's files plus registered traces, on ``127.0.0.1:<port>`` (a daemon thread).

    Args:
        root: the viewer's static files (default :func:`viewer_dir`).
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or viewer_dir()).resolve()
        self._traces: dict[str, Path] = {}
        self._lock = threading.Lock()
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The listening port (starts the server)."""
        return int(self._started().server_address[1])

    def url_for(self, trace: Path) -> str:
        """Serve ``trace`` and return the viewer URL that opens it (starts the server)."""
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._traces[token] = trace
        base = f"http://{LOOPBACK}:{self.port}"
        trace_url = f"{base}/traces/{token}/{quote(trace.name)}"
        return f"{base}/index.html?trace={quote(trace_url, safe='')}"

    def stop(self) -> None:
        """Stop serving (blocking up to the server's poll interval: not on the GUI thread)."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    # -- internals ---------------------------------------------------------------------------

    def _started(self) -> http.server.ThreadingHTTPServer:
        with self._lock:
            if self._server is None:
                server = http.server.ThreadingHTTPServer((LOOPBACK, 0), _handler_for(self))
                server.daemon_threads = True
                self._thread = threading.Thread(target=server.serve_forever,
                                                name="trace-viewer", daemon=True)
                self._thread.start()
                self._server = server
                log.info("trace viewer on http://%s:%d", LOOPBACK, server.server_address[1])
            return self._server

    def resolve(self, path: str) -> Path | None:
        """The file a request path maps to (None: not served)."""
        parts = [unquote(p) for p in urlsplit(path).path.split("/") if p]
        if len(parts) == 3 and parts[0] == "traces":
            with self._lock:
                trace = self._traces.get(parts[1])
            return trace if trace is not None and trace.name == parts[2] else None
        if not parts:
            parts = ["index.html"]
        candidate = self.root.joinpath(*parts).resolve()
        if candidate.is_relative_to(self.root) and candidate.is_file():
            return candidate
        return None


def _handler_for(viewer: TraceViewerServer) -> Any:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._serve(body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve(body=False)

        def _serve(self, body: bool) -> None:
            path = viewer.resolve(self.path)
            if path is None:
                self.send_error(404)
                return
            try:
                data = path.read_bytes()
            except OSError:
                self.send_error(404)
                return
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix == ".js":
                kind = "text/javascript"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            if path.name == "sw.bundle.js":
                self.send_header("Service-Worker-Allowed", "/")
            self.end_headers()
            if body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            log.debug("trace viewer: " + format, *args)  # never the trace token at INFO

    return Handler
