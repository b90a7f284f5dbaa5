#!/bin/bash
# bench_gui.sh BUILD — magi's own time per GUI step, model time excluded, over a 20-step run
# on a real 1280x720 Xvfb desktop (an xterm the agent types into, so every step changes the
# screen), with and without OCR, and the run's peak RSS.
# Targets (issue 3): median <= 250 ms per step with OCR, <= 40 ms without; peak RSS <= 60 MB.
# The stand-in model answers from a script (no policy), so its own time is tiny and is
# subtracted anyway: overhead = step wall time - model latency - the settle wait.
set -u
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MAGI=$SRC/$BUILD/magi
export OMP_THREAD_LIMIT=1
TMP=$(mktemp -d /tmp/magi-bench-gui-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
# Xvfb picks a free display itself and writes its number to fd 3 once it is ready
Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp -noreset 3>"$TMP/display" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$TMP/display" ] && break; sleep 0.05; done
D=:$(tr -dc 0-9 < "$TMP/display")
[ "$D" != ":" ] || { echo "could not start Xvfb" >&2; exit 1; }
export DISPLAY=$D
xterm -geometry 160x45+0+0 -fa DejaVuSansMono -fs 11 -e sh -c 'cat > /dev/null' &
pids+=($!)
sleep 1.5
python3 - > "$TMP/script.jsonl" <<'PY'
import json
for i in range(20):
    a = {"action": "type", "text": "step %02d: the quick brown fox jumps over the lazy dog\n" % i}
    print(json.dumps({"content": "### Thought ###\nkeep typing\n### Action ###\n" + json.dumps(a) + "\n### Operation ###\ntype a line"}))
PY
run() { # run LABEL FLAGS...
	local label=$1; shift
	rm -f "$TMP/port"
	/usr/bin/python3 "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$TMP/port" --script "$TMP/script.jsonl" 2>/dev/null &
	local op=$!
	for _ in $(seq 1 200); do [ -s "$TMP/port" ] && break; sleep 0.02; done
	[ -s "$TMP/port" ] || { echo "bench_gui: the stand-in did not start" >&2; exit 1; }
	/usr/bin/time -f "%M" -o "$TMP/rss" "$MAGI" run --env "x11$D" --base-url "http://127.0.0.1:$(cat "$TMP/port")/v1" \
		--recipe single --max-steps 20 --runs "$TMP/runs-$label" --no-report --settle 100 "$@" "Type twenty lines" \
		>"$TMP/run.out" 2>&1
	local rc=$?
	kill $op 2>/dev/null; wait $op 2>/dev/null
	# the run ends on its step budget: "not done", exit 1; anything else is a failure
	[ $rc -le 1 ] || { echo "bench_gui: magi run ($label) exited $rc: $(tail -3 "$TMP/run.out")" >&2; exit 1; }
	local dir; dir=$(ls -d "$TMP/runs-$label"/*/ | head -1)
	python3 - "$dir" "$label" "$(tail -1 "$TMP/rss")" <<'PY'
import json, sys, statistics as st
d, label, rss = sys.argv[1], sys.argv[2], int(sys.argv[3])
ev = [json.loads(l) for l in open(d + "/trace.jsonl")]
steps = [e for e in ev if e["type"] == "step"]
calls = [e for e in ev if e["type"] == "call"]
end = [e for e in ev if e["type"] == "run_end"][0]
if len(steps) != 20 or end["reason"] != "max_steps":
    sys.exit("bench_gui: the %s run ended early (%s after %d steps): no figure" % (label, end["reason"], len(steps)))
med = lambda k: st.median(e.get(k, 0) for e in steps)
print("%-9s steps %2d  overhead/step median %6.1f ms  | observe %5.1f  ocr %6.1f  guard %4.1f (max %4.1f)  encode %5.1f  save %5.1f  act %5.1f ms | model %5.1f ms | peak RSS %5.1f MB"
      % (label, len(steps), end["overhead_ms_median"], med("observe_ms"), med("ocr_ms"),
         med("guard_ms"), max(e.get("guard_ms", 0) for e in steps),
         st.median(c.get("prepare_ms", 0) for c in calls), med("save_ms"), med("act_ms"),
         st.median(c["latency_ms"] for c in calls), rss / 1024))
PY
}
echo "20-step run, 1280x720, single recipe, scripted stand-in model (targets: <=250 ms with OCR, <=40 ms without, <=60 MB)"
run with-ocr || exit 1
run no-ocr --no-ocr || exit 1
