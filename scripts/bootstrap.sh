#!/usr/bin/env bash
# Install what TransferDesk needs on this machine: Debian packages (when root and missing),
# a virtualenv in .venv, and the project with its dev extras. Safe to run again: it skips
# work that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  postgresql            # the embedded database and the test cluster (initdb, pg_ctl)
  chromium              # the browser Playwright drives (playwright cannot download one here)
  dovecot-imapd         # the sandbox mailbox and the IMAP tests
  gnome-keyring dbus-x11 # the Secret Service keyring (credentials)
  xvfb xauth            # a virtual screen for real-window screenshots
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0  # Qt xcb
  libxcb-xkb1 libxcb-shape0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
  x11-apps              # xwd, for screenshots of the real window under Xvfb
  x11-utils             # xwininfo: the headed-takeover test finds the browser window
  make
)

missing_apt() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

if command -v dpkg-query >/dev/null 2>&1; then
  mapfile -t missing < <(missing_apt)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
      echo "bootstrap: installing Debian packages: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q
      apt-get install -y -q --no-install-recommends "${missing[@]}"
    else
      echo "bootstrap: please install (as root): apt-get install ${missing[*]}" >&2
    fi
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.transferdesk-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch "$stamp"
fi
