#!/usr/bin/env bash
# Start TransferDesk. With no arguments: the demo on embedded defaults (local PostgreSQL,
# sandbox portal and mailbox, localstripe, demo data). Arguments go to `transferdesk`.
# On a machine without a desktop session (no D-Bus session bus) the keyring is a throwaway
# gnome-keyring for this run; without a display the window opens on a virtual screen (Xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=(.venv/bin/transferdesk "${@:-demo}")
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" = Linux ]; then
  echo "run: no display; the window opens on a virtual screen (xvfb-run). Use a desktop session to see it." >&2
  cmd=(xvfb-run -a -s "-screen 0 1400x900x24" "${cmd[@]}")
fi
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ "$(uname)" = Linux ]; then
  echo "run: no D-Bus session; using a throwaway keyring for this run (sandbox secrets only)." >&2
  exec ./scripts/with-keyring.sh "${cmd[@]}"
fi
exec "${cmd[@]}"
