"""launch_kwargs: channel, then executable_path, then auto-detection; clear errors otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.config import CHROMIUM_FLAGS, BrowserSettings
from app.errors import ConfigError, DependencyMissingError
from automation.browser_launch import in_container, launch_kwargs, sandbox_blocker


def test_channel_wins_over_executable_path() -> None:
    kwargs = launch_kwargs(BrowserSettings(channel="msedge", executable_path="/nowhere"))
    assert kwargs["channel"] == "msedge"
    assert "executable_path" not in kwargs


def test_executable_path_is_used_with_args_and_headless(tmp_path: Path) -> None:
    exe = tmp_path / "chrome"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    kwargs = launch_kwargs(
        BrowserSettings(executable_path=str(exe), headless=False, args=("--a", "--b"))
    )
    assert {k: v for k, v in kwargs.items() if k != "chromium_sandbox"} == {
        "executable_path": str(exe), "headless": False, "args": ["--a", "--b"]}


@pytest.mark.parametrize("mode", [None, 0o644])
def test_bad_executable_path_is_a_config_error(tmp_path: Path, mode: int | None) -> None:
    exe = tmp_path / "chrome"
    if mode is not None:
        exe.write_text("not executable")
        exe.chmod(mode)
    with pytest.raises(ConfigError, match="not an executable file"):
        launch_kwargs(BrowserSettings(executable_path=str(exe)))


def test_unknown_channel_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="msedge"):
        launch_kwargs(BrowserSettings(channel="netscape"))


def test_auto_detects_a_browser_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "chromium-browser"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setattr("automation.browser_launch.AUTO_DETECT", ("chromium-browser",))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert launch_kwargs(BrowserSettings())["executable_path"] == str(exe)


def test_no_browser_names_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("automation.browser_launch.AUTO_DETECT", ("no-such-browser-xyz",))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DependencyMissingError, match="apt-get install chromium.*channel"):
        launch_kwargs(BrowserSettings())


@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="Debian's chromium only")
def test_finds_debian_chromium() -> None:
    assert launch_kwargs(BrowserSettings())["executable_path"] == "/usr/bin/chromium"


def test_sandbox_stays_on_for_a_normal_user(monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr("automation.browser_launch.sandbox_blocker", lambda: None)
    kwargs = launch_kwargs(BrowserSettings(channel="chrome"))
    assert kwargs["chromium_sandbox"] is True
    assert "--no-sandbox" not in kwargs["args"] and "--no-sandbox" not in CHROMIUM_FLAGS
    assert "sandbox is off" not in caplog.text


def test_sandbox_dropped_only_where_chromium_needs_it_with_a_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("automation.browser_launch.sandbox_blocker",
                        lambda: "running as root on Linux")
    assert launch_kwargs(BrowserSettings(channel="chrome"))["chromium_sandbox"] is False
    assert "sandbox is off: running as root on Linux" in caplog.text


def test_no_sandbox_in_configured_args_is_respected_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("automation.browser_launch.sandbox_blocker", lambda: None)
    kwargs = launch_kwargs(BrowserSettings(channel="chrome", args=("--no-sandbox",)))
    assert kwargs["chromium_sandbox"] is False and "args contains --no-sandbox" in caplog.text


@pytest.mark.parametrize(("platform", "euid", "container", "expected"), [
    ("linux", 1000, False, None),
    ("linux", 0, False, "running as root on Linux"),
    ("linux", 1000, True, "running inside a container"),
    ("darwin", 0, True, None),
    ("win32", 0, True, None),
])
def test_sandbox_blocker(platform: str, euid: int, container: bool,
                         expected: str | None) -> None:
    assert sandbox_blocker(platform, euid, container) == expected


def test_container_detection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("container", raising=False)
    cgroup = tmp_path / "cgroup"
    cgroup.write_text("0::/user.slice/user-1000.slice\n")
    assert not in_container((tmp_path / "no-marker",), cgroup)
    cgroup.write_text("0::/kubepods/besteffort/pod1/abc\n")
    assert in_container((tmp_path / "no-marker",), cgroup)
    marker = tmp_path / ".dockerenv"
    marker.touch()
    assert in_container((marker,), tmp_path / "missing")
    monkeypatch.setenv("container", "podman")
    assert in_container((tmp_path / "no-marker",), tmp_path / "missing")
