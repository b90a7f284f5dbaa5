# desktop.sh — sourced by the bench scripts that drive magi on a real desktop: sets SRC,
# MAGI (from BUILD), TMP (removed at exit, with every process listed in pids stopped by
# PID) and starts a 1280x720 Xvfb, exporting DISPLAY (also in D).
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MAGI=$SRC/${BUILD:-build}/magi
export OMP_THREAD_LIMIT=1
TMP=$(mktemp -d /tmp/magi-bench-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
# Xvfb picks a free display itself and writes its number to fd 3 once it is ready
Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp -noreset 3>"$TMP/display" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$TMP/display" ] && break; sleep 0.05; done
D=:$(tr -dc 0-9 < "$TMP/display")
[ "$D" != ":" ] || { echo "could not start Xvfb" >&2; exit 1; }
export DISPLAY=$D
