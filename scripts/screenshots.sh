#!/usr/bin/env bash
# Regenerate every desktop screenshot (docs/img/desktop/*.png) on this machine: a private Xvfb
# (1600x1000x24, a free display it picks itself, no TCP listener), a private D-Bus session with
# a throwaway unlocked gnome-keyring (scripts/with-keyring.sh), Qt on xcb, then
# docs/img/desktop/make_screenshots.py (every pass, or the passes named as arguments).
# Everything it started is stopped on exit, also on Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in Xvfb dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || {
    echo "screenshots: needs $tool (apt-get install xvfb dbus-x11 gnome-keyring)" >&2; exit 1; }
done
work=$(mktemp -d)
xvfb_pid= shots_pid=
stop() {
  if [ -n "$shots_pid" ]; then  # the script deletes its clusters, then the keyring goes
    kill -TERM "$shots_pid" 2>/dev/null || true
    while kill -0 "$shots_pid" 2>/dev/null; do wait "$shots_pid" 2>/dev/null || true; done
  fi
  if [ -n "$xvfb_pid" ]; then
    kill -TERM "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

# -displayfd: Xvfb writes the display number it chose once it accepts connections.
mkfifo "$work/display"
Xvfb -displayfd 3 -nolisten tcp -noreset -screen 0 1600x1000x24 3>"$work/display" \
  2>"$work/xvfb.log" &
xvfb_pid=$!
if ! read -r -t 20 number <"$work/display"; then
  echo "screenshots: Xvfb did not start: $(tail -c 500 "$work/xvfb.log")" >&2; exit 1
fi
export DISPLAY=":$number" QT_QPA_PLATFORM=xcb
echo "screenshots: Xvfb on $DISPLAY"
# In the background, so a Ctrl+C or TERM reaches the trap at once (it stops the script first).
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" \
  ./scripts/with-keyring.sh .venv/bin/python docs/img/desktop/make_screenshots.py "$@" &
shots_pid=$!
status=0
wait "$shots_pid" || status=$?
shots_pid=
exit "$status"
