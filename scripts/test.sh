#!/usr/bin/env bash
# Run the whole test suite the way CI does: inside a private D-Bus session with an unlocked
# gnome-keyring (the real Secret Service backend), Qt offscreen. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
export PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring
exec dbus-run-session -- bash -c '
  # A throwaway login keyring, unlocked with a throwaway password fed on stdin.
  export $(printf "transferdesk-test-keyring" | gnome-keyring-daemon --unlock --components=secrets)
  exec .venv/bin/python -m pytest "$@"
' test.sh "$@"
