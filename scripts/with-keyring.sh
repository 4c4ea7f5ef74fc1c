#!/usr/bin/env bash
# Run a command inside a private D-Bus session with a throwaway, unlocked gnome-keyring
# (the real Secret Service). The keyring's files live in a temp dir removed afterwards, so the
# user's own login keyring is never touched. Used by the tests, and by `make run` on machines
# without a desktop session bus.
set -euo pipefail
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "with-keyring: needs dbus-run-session and gnome-keyring-daemon (apt-get install dbus-x11 gnome-keyring)" >&2
  exit 1
fi
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export TRANSFERDESK_KEYRING_HOME="$keyring_home"
dbus-run-session -- bash -c '
  # A new keyring unlocked with a random password fed on stdin; XDG_DATA_HOME only for the
  # daemon, so its files go to the temp dir.
  export $(head -c 24 /dev/urandom | base64 | XDG_DATA_HOME="$TRANSFERDESK_KEYRING_HOME" \
    gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)
  unset TRANSFERDESK_KEYRING_HOME
  export PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring
  "$@"
' with-keyring "$@" 2> >(grep -v "Failed to set fd limit" >&2)
