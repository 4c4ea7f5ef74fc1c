"""localstripe (a fake Stripe API) on 127.0.0.1, and a Stripe client pointed at it.

localstripe's own CLI binds ``::`` (every interface) and pickles its whole store to the shared
``/tmp/localstripe.pickle`` after every write. :func:`serve` is run in a child process instead
(``python -m automation.sandbox.payments --port N``): it binds 127.0.0.1 only, keeps the store in
memory (one private, fast store per server) and exits when its parent goes away (stdin closes).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import IO

import stripe

from app.errors import DependencyMissingError, KnownError
from automation.sandbox.lifecycle import LocalServer

HOST = "127.0.0.1"
START_TIMEOUT = 30.0
TEST_API_KEY = "sk_test_transferdesk_sandbox"


class LocalStripeError(KnownError):
    """localstripe could not be started."""


def make_client(base_url: str, api_key: str = TEST_API_KEY) -> stripe.StripeClient:
    """A Stripe client whose API calls go to ``base_url`` (localstripe, or a proxy)."""
    return stripe.StripeClient(api_key, base_addresses={"api": base_url}, max_network_retries=0)


class LocalStripeServer(LocalServer):
    """localstripe in a child process on 127.0.0.1; use as a context manager or start/stop."""

    def __init__(self, port: int = 0) -> None:
        self.host = HOST
        self.port = port
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: pass it to :func:`make_client`."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Start the server and wait until it answers HTTP.

        Raises:
            DependencyMissingError: the localstripe package is not installed.
            LocalStripeError: it exited or did not answer in time.
        """
        if self._process is not None:
            return
        # unnamed: nothing is left in /tmp even when this process is killed
        self._stderr = tempfile.TemporaryFile("w+", prefix="td-localstripe-", suffix=".log")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "automation.sandbox.payments", "--port", str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server. Safe to call twice."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _wait_until_ready(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        first_line = self._process.stdout.readline()  # "port N" once bound, "" if it died
        if not first_line.startswith("port "):
            self._raise_start_failure()
        self.port = int(first_line.split()[1])
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._raise_start_failure()
            try:
                with urllib.request.urlopen(f"{self.base_url}/_config/health", timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # any HTTP answer means the app is serving
            except OSError:
                time.sleep(0.05)
        raise LocalStripeError(f"localstripe did not answer on {self.base_url}")

    def _raise_start_failure(self) -> None:
        assert self._process is not None and self._stderr is not None
        self._process.kill()
        self._process.wait(timeout=10)
        self._stderr.seek(0)
        stderr = self._stderr.read().strip()
        if "No module named 'localstripe'" in stderr:
            raise DependencyMissingError(
                "localstripe is not installed: pip install localstripe (a dev dependency)"
            )
        tail = " | ".join(stderr.splitlines()[-3:])
        raise LocalStripeError(f"localstripe failed to start: {tail}")


def _exit_when_parent_goes() -> None:
    sys.stdin.read()  # returns at EOF: the parent closed the pipe or died
    os._exit(0)


def serve(port: int) -> None:
    """Run localstripe on 127.0.0.1:``port`` (0 = any), in memory, until stdin closes."""
    from aiohttp import web
    from localstripe import resources, server

    resources.Store.dump_to_disk = lambda self: None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    print(f"port {sock.getsockname()[1]}", flush=True)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # nobody reads the pipe any more: never block on it
    threading.Thread(target=_exit_when_parent_goes, daemon=True).start()
    web.run_app(server.app, sock=sock, print=None, access_log=None, handle_signals=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the child process."""
    parser = argparse.ArgumentParser(description="localstripe bound to 127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    serve(parser.parse_args(argv).port)


if __name__ == "__main__":
    main()
