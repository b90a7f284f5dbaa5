# lib.sh — shared helpers for shell tests: counters, assertions, the stand-in server.
# Source it; call `finish` at the end (prints "N passed, N failed", exits non-zero on failure).
set -u
PASS=0
FAIL=0
SRC=${MAGI_SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MAGI=${MAGI:-$SRC/build/magi}
TMP=$(mktemp -d /tmp/magi-test-XXXXXX)
# the system interpreter: a pyenv shim on PATH adds seconds to every start
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
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
	"$PY" "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$pf" --log "$TMP/$name.log" "$@" 2>>"$TMP/$name.err" &
	local pid=$!
	ORACLE_PIDS+=("$pid")
	for _ in $(seq 1 500); do [ -s "$pf" ] && break; sleep 0.01; done
	[ -s "$pf" ] || { echo "oracle did not start: $(cat "$TMP/$name.err")" >&2; exit 1; }
	printf -v "${name}_URL" 'http://127.0.0.1:%s/v1' "$(cat "$pf")"
	printf -v "${name}_PID" '%s' "$pid"
	printf -v "${name}_LOG" '%s' "$TMP/$name.log"
}
# start_xvfb: starts Xvfb 1280x720 on a display it picks itself (-displayfd: no race with
# other test runs), exports DISPLAY and XVFB_PID; the server is stopped at exit. -noreset:
# otherwise the server resets whenever its last client leaves and refuses the next one
# for a moment ("Can't open display" from a program started just then).
start_xvfb() {
	local f="$TMP/xvfb.display"
	: > "$f"
	Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp -noreset 3>"$f" >/dev/null 2>&1 &
	XVFB_PID=$!
	ORACLE_PIDS+=("$XVFB_PID")
	for _ in $(seq 1 200); do [ -s "$f" ] && break; sleep 0.05; done
	[ -s "$f" ] || { echo "Xvfb did not start" >&2; exit 1; }
	export DISPLAY=:$(tr -dc 0-9 < "$f")
	for _ in $(seq 1 100); do xdpyinfo >/dev/null 2>&1 && return 0; sleep 0.05; done
	echo "Xvfb on $DISPLAY does not answer" >&2
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
# xmsg NAME XMESSAGE-ARGS...: starts xmessage in the background; its own PID goes to NAME.pid
# (stop it with stop_pid NAME.pid, never by a name pattern) and its exit status (the
# button pressed) to NAME.status when it ends.
xmsg() {
	local n=$1; shift
	rm -f "$n.pid" "$n.status"
	( xmessage "$@" & echo $! > "$n.pid"; wait $!; echo $? > "$n.status" ) &
	for _ in $(seq 1 200); do [ -s "$n.pid" ] && break; sleep 0.01; done
	ORACLE_PIDS+=("$(cat "$n.pid")")
}
# xmsg_status NAME [SECONDS]: the button NAME's xmessage exited with, waiting up to SECONDS
# (default 10) for it: xmessage exits a little while after a click has already unmapped it
# ("" when it is still up by then)
xmsg_status() {
	local n=$1 i
	for i in $(seq 1 $((${2:-10} * 20))); do [ -s "$n.status" ] && break; sleep 0.05; done
	cat "$n.status" 2>/dev/null
}
# stop_pid FILE: stops the process whose PID FILE holds (one this test started) and waits
# until it is gone (5 s at most), so its windows are gone before the next case looks
stop_pid() {
	[ -s "$1" ] || return 0
	local p; p=$(cat "$1")
	kill "$p" 2>/dev/null
	for _ in $(seq 1 250); do kill -0 "$p" 2>/dev/null || break; sleep 0.02; done
	return 0
}
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
	exit $?
}
