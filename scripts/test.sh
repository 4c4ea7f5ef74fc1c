#!/usr/bin/env bash
# Run the whole test suite the way CI does: Qt offscreen, inside a private D-Bus session with a
# throwaway unlocked gnome-keyring (the real Secret Service backend). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
exec ./scripts/with-keyring.sh .venv/bin/python -m pytest "$@"
