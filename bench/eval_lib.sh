# eval_lib.sh — the setup the magi eval benches share (sourced, not run): SRC, MAGI, a
# scratch directory T removed on exit with every process started through `oracle` (by PID),
# the environment cleared of model settings, and two helpers:
#   eval_run OUT ARGS...   magi eval run ARGS --out OUT; exit 1 (items failed) is a result,
#                          anything worse (or no results) is printed and counted in $failed
#   oracle NAME ARGS...    starts the stand-in model (tests/oracle) with ARGS; sets URL and
#                          ORACLE_LOG (its request log); extra environment (ORACLE_MISTAKES,
#                          ORACLE_SEED) is passed by the caller as usual
# BUILD must be set before sourcing.
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MAGI=$SRC/$BUILD/magi
export OMP_THREAD_LIMIT=1
T=$(mktemp -d /tmp/magi-bench-eval-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
unset MAGI_CONFIG MAGI_BASE_URL OPENAI_BASE_URL SLURM_ARRAY_TASK_ID JOB_COMPLETION_INDEX
failed=0
eval_run() {
	local out=$1; shift
	"$MAGI" eval run "$@" --out "$out" --quiet >/dev/null 2>"$out.err"
	local rc=$?
	if [ $rc -gt 1 ] || [ ! -s "$out/results.jsonl" ]; then
		echo "FAILED: magi eval run $* exited $rc: $(tail -3 "$out.err")"
		failed=$((failed + 1))
		return 1
	fi
}
oracle() {
	local pf=$T/$1.port; ORACLE_LOG=$T/$1.log; shift
	rm -f "$pf"
	/usr/bin/python3 "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$pf" --log "$ORACLE_LOG" "$@" >/dev/null 2>>"$T/oracle.err" &
	PIDS+=($!)
	for _ in $(seq 1 600); do [ -s "$pf" ] && break; sleep 0.05; done
	URL="http://127.0.0.1:$(cat "$pf")/v1"
}
