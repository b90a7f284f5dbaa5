# lib.sh — shared helpers for shell tests: counters, assertions, the stand-in server.
# Source it; call `finish` at the end (prints "N passed, N failed", exits non-zero on failure).
set -u
PASS=0
FAIL=0
SRC=${MAGI_SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MAGI=${MAGI:-$SRC/build/magi}
TMP=$(mktemp -d /tmp/magi-test-XXXXXX)
ORACLE_PIDS=()
cleanup() {
	for p in "${ORACLE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }
check() { # check DESCRIPTION COMMAND...
	local d=$1; shift
	if "$@"; then ok; else bad "$d"; fi
}
contains() { case "$1" in *"$2"*) return 0;; *) return 1;; esac; }
# start_oracle NAME [oracle args...]: starts the server; sets ${NAME}_URL, ${NAME}_PID, ${NAME}_LOG
start_oracle() {
	local name=$1; shift
	local pf="$TMP/$name.port"
	rm -f "$pf"
	python3 "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$pf" --log "$TMP/$name.log" "$@" 2>>"$TMP/$name.err" &
	local pid=$!
	ORACLE_PIDS+=("$pid")
	for _ in $(seq 1 500); do [ -s "$pf" ] && break; sleep 0.01; done
	[ -s "$pf" ] || { echo "oracle did not start: $(cat "$TMP/$name.err")" >&2; exit 1; }
	printf -v "${name}_URL" 'http://127.0.0.1:%s/v1' "$(cat "$pf")"
	printf -v "${name}_PID" '%s' "$pid"
	printf -v "${name}_LOG" '%s' "$TMP/$name.log"
}
# start_xvfb FIRST: starts Xvfb 1280x720 on the first free display from FIRST on, exports
# DISPLAY and XVFB_PID; the server is stopped at exit.
start_xvfb() {
	local n
	for n in $(seq "$1" $(($1 + 40))); do
		[ -e /tmp/.X11-unix/X$n ] && continue
		Xvfb :$n -screen 0 1280x720x24 -nolisten tcp >/dev/null 2>&1 &
		XVFB_PID=$!
		for _ in $(seq 1 100); do xdpyinfo -display :$n >/dev/null 2>&1 && break; sleep 0.05; done
		if xdpyinfo -display :$n >/dev/null 2>&1; then
			export DISPLAY=:$n
			ORACLE_PIDS+=("$XVFB_PID")
			return 0
		fi
		kill "$XVFB_PID" 2>/dev/null
	done
	echo "no free display for Xvfb" >&2
	exit 1
}
# wait_window CLASS: until a window of that class is mapped (5 s at most)
wait_window() {
	for _ in $(seq 1 100); do
		xwininfo -root -tree 2>/dev/null | grep -q "(\"$1\"" && { sleep 0.3; return 0; }
		sleep 0.05
	done
	echo "window $1 did not appear" >&2
	return 1
}
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
	exit $?
}
