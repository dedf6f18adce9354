#!/usr/bin/env bash
# What a real session does, run by a frozen rnnlab: the proof that trimming left everything it loads.
#
#   packaging/session_check.sh dist/rnnlab/rnnlab      (build_linux.sh runs it; trace_bundle.py runs it under strace)
#
# The window (the self-test: opens the real window, trains through it, draws every panel, saves and reopens a run),
# every task trained headless for a few steps and saved, a race of two cells in worker processes, and the export of a
# saved run as a standalone script. Exit 0 when all of it worked. RNNLAB_SKIP_SELFTEST=1 leaves out the window.
set -euo pipefail

APP="${1:?usage: session_check.sh PATH/TO/rnnlab}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-session-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"  # the run library and settings: scratch

if [[ "${RNNLAB_SKIP_SELFTEST:-0}" != 1 ]]; then
    # with a picture of the trained window: Qt writes a PNG (built into QtGui; the other image plugins are left out)
    RNNLAB_SELFTEST_SCREENSHOT="$WORK/window.png" "$APP" --selftest
    [[ "$(head -c 8 "$WORK/window.png" | od -An -c | tr -d ' ')" == '211PNG\r\n032\n' ]]
    echo "ok       the window saved as PNG"
fi
for task in $("$APP" tasks | grep -E '^[a-z0-9_]+:' | cut -d: -f1); do
    "$APP" train --task "$task" --steps 3 --quiet --out "$WORK/runs/$task" >/dev/null
    echo "ok       train $task"
done
"$APP" race --task adding --cells lstm,gru --steps 3 --quiet --workers 2 --out "$WORK/race" >/dev/null
echo "ok       race (2 worker processes)"
"$APP" export-script "$WORK/runs/forecast" -o "$WORK/export/train_forecast.py" >/dev/null
[[ -s "$WORK/export/train_forecast.py" ]]
echo "ok       export-script"
