"""launch_kwargs: channel, then executable_path, then auto-detection; clear errors otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.config import BrowserSettings
from app.errors import ConfigError, DependencyMissingError
from automation.browser_launch import launch_kwargs


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
    assert kwargs == {"executable_path": str(exe), "headless": False, "args": ["--a", "--b"]}


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
