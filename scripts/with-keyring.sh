#!/usr/bin/env bash
# Run a command inside a private D-Bus session with a throwaway, unlocked gnome-keyring
# (the real Secret Service). The keyring's files live in a temp dir removed afterwards, so the
# user's own login keyring is never touched. Used by the tests, and by `make run` on machines
# without a desktop session bus. SIGTERM/SIGINT reach the command (dbus-run-session does not
# pass signals on, so the command's pid is handed back through a file).
set -euo pipefail
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "with-keyring: needs dbus-run-session and gnome-keyring-daemon (apt-get install dbus-x11 gnome-keyring)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/keyring"
export TD_WITH_KEYRING_DIR="$work"

set -m  # as above, for dbus-run-session and everything below it
dbus-run-session -- bash -c '
  work=$TD_WITH_KEYRING_DIR; unset TD_WITH_KEYRING_DIR
  # A new keyring unlocked with a random password fed on stdin; XDG_DATA_HOME only for the
  # daemon, so its files go to the temp dir.
  export $(head -c 24 /dev/urandom | base64 | XDG_DATA_HOME="$work/keyring" \
    gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)
  export PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring
  set -m  # job control while forking: the command keeps its SIGINT (else bash ignores it)
  "$@" &
  child=$!
  set +m
  echo "$child" > "$work/child.pid"
  trap "kill -TERM $child 2>/dev/null" TERM INT
  status=0
  while kill -0 "$child" 2>/dev/null; do
    if wait "$child"; then status=0; else status=$?; fi
  done
  exit "$status"
' with-keyring "$@" 2> >(grep -v "Failed to set fd limit" >&2) &
session=$!
set +m

forward() {
  local child
  child=$(cat "$work/child.pid" 2>/dev/null || true)
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; else kill -TERM "$session"; fi
}
trap forward TERM INT
# Wait until the session has really ended (a trapped signal interrupts `wait`): the keyring's
# files are removed on exit, and the command may still need them while it stops.
status=0
while kill -0 "$session" 2>/dev/null; do
  if wait "$session"; then status=0; else status=$?; fi
done
exit "$status"
