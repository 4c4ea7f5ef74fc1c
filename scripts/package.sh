#!/usr/bin/env bash
# Build the one-folder PyInstaller bundle into dist/transferdesk/ (see docs/packaging.md).
#
# The build is skipped when dist/ already holds a bundle made from the same inputs (the
# sources, resources, migrations, build.spec, pyproject.toml and the installed packages);
# --force rebuilds from scratch (PyInstaller --clean). Concurrent calls (two test sessions)
# wait for each other; a process running the bundle can hold a shared flock on
# dist/.package.lock to keep it in place.
#
# Environment: PYTHON (default .venv/bin/python), TRANSFERDESK_DIST_DIR (default dist),
# TRANSFERDESK_BUILD_DIR (default build), TRANSFERDESK_BUNDLE_CHROMIUM (optional, see docs).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
DIST_DIR="${TRANSFERDESK_DIST_DIR:-dist}"
BUILD_DIR="${TRANSFERDESK_BUILD_DIR:-build}"
BUNDLE="$DIST_DIR/transferdesk"
STAMP="$DIST_DIR/transferdesk.fingerprint"
FORCE=0
CLEAN=()
if [[ "${1:-}" == "--force" ]]; then FORCE=1; CLEAN=(--clean); fi

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "package.sh: PyInstaller is missing; run: $PYTHON -m pip install -e '.[dev]'" >&2
    exit 1
fi

fingerprint() {
    {
        find app automation ui resources -type f \
            ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum
        sha256sum build.spec pyproject.toml
        "$PYTHON" -m pip freeze --exclude-editable 2>/dev/null
        echo "chromium=${TRANSFERDESK_BUNDLE_CHROMIUM:-}"
    } | sha256sum | cut -d' ' -f1
}

mkdir -p "$DIST_DIR"
exec 9>"$DIST_DIR/.package.lock"
flock 9

WANTED="$(fingerprint)"
if [[ $FORCE -eq 0 && -x "$BUNDLE/transferdesk" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANTED" ]]; then
    echo "package.sh: $BUNDLE is up to date"
    exit 0
fi

rm -f "$STAMP"
START=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm "${CLEAN[@]}" --log-level WARN \
    --distpath "$DIST_DIR" --workpath "$BUILD_DIR" build.spec
SECONDS_TAKEN=$(( $(date +%s) - START ))
echo "$SECONDS_TAKEN" > "$DIST_DIR/transferdesk.build-seconds"
echo "$WANTED" > "$STAMP"
echo "package.sh: built $BUNDLE in $SECONDS_TAKEN s, $(du -sh "$BUNDLE" | cut -f1)"
