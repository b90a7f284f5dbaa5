#!/bin/bash
# bench_gui.sh BUILD [memory] — magi's own time per GUI step, model time excluded, over a 20-step run
# on a real 1280x720 Xvfb desktop (an xterm the agent types into, so every step changes the
# screen), with and without OCR, and the run's peak RSS; then a run where every other step
# is a short wait that leaves the screen as it was.
# Targets (issue 15): median <= 50 ms per step with OCR, <= 10 ms without; peak RSS <= 35 MB
# with OCR (issue 3 set 250 ms, 40 ms and 60 MB). The machine's load is printed with the
# figures: wall times on a loaded machine are not comparable with an idle one's.
# The stand-in model answers from a script (no policy), so its own time is tiny and is
# subtracted anyway: overhead = step wall time - model latency - the settle wait.
# With "memory" only the resident-memory breakdown run is made (a quick look at the peak).
set -u
BUILD=${1:-build}
ONLY=${2:-}
. "$(dirname "$0")/desktop.sh"
# each run types into a terminal of its own (a third run into the same one saw its typing
# change nothing)
XT=
terminal() {
	[ -n "$XT" ] && { kill "$XT" 2>/dev/null; wait "$XT" 2>/dev/null; }
	xterm -geometry 160x45+0+0 -fa DejaVuSansMono -fs 11 -e sh -c 'cat > /dev/null' &
	XT=$!
	pids+=($XT)
	sleep 1.5
}
python3 - "$TMP" <<'PY'
import json, sys
def line(a):
    return json.dumps({"content": "### Thought ###\nkeep going\n### Action ###\n" + json.dumps(a) + "\n### Operation ###\nnext"})
typing = [{"action": "type", "text": "step %02d: the quick brown fox jumps over the lazy dog\n" % i} for i in range(20)]
# every other step a short wait: the screen after it is the one before (what is made from
# a screen — its OCR, the guards' findings, the perception list — is reused)
mixed = [typing[i] if i % 2 == 0 else {"action": "wait", "seconds": 0.05} for i in range(20)]
open(sys.argv[1] + "/script.jsonl", "w").write("\n".join(map(line, typing)) + "\n")
open(sys.argv[1] + "/mixed.jsonl", "w").write("\n".join(map(line, mixed)) + "\n")
PY
run() { # run LABEL SCRIPT FLAGS...
	local label=$1 script=$2; shift 2
	local wrap=(/usr/bin/time -f "%M" -o "$TMP/rss")
	# the resident-memory breakdown run: polled (which costs CPU), so only its memory is shown
	[ "$label" = memory ] && wrap=(python3 "$SRC/bench/rss_peak.py")
	terminal
	rm -f "$TMP/port"
	/usr/bin/python3 "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$TMP/port" --script "$TMP/$script" 2>/dev/null &
	local op=$!
	for _ in $(seq 1 200); do [ -s "$TMP/port" ] && break; sleep 0.02; done
	[ -s "$TMP/port" ] || { echo "bench_gui: the stand-in did not start" >&2; exit 1; }
	"${wrap[@]}" "$MAGI" run --env "x11$D" --base-url "http://127.0.0.1:$(cat "$TMP/port")/v1" \
		--recipe single --max-steps 20 --runs "$TMP/runs-$label" --no-report --settle 100 "$@" "Type twenty lines" \
		>"$TMP/run.out" 2>&1
	local rc=$?
	if [ "$label" = memory ]; then
		kill $op 2>/dev/null; wait $op 2>/dev/null
		[ $rc -le 1 ] || { echo "bench_gui: magi run ($label) exited $rc" >&2; exit 1; }
		sed 's/^/memory    /' "$TMP/run.out"
		return 0
	fi
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
print("%-9s steps %2d  overhead/step median %6.1f ms  | observe %5.1f  ocr %6.1f  guard %4.1f (max %4.1f)  encode %5.1f  save %5.1f  intent %4.1f  act %5.1f ms | model %5.1f ms | peak RSS %5.1f MB"
      % (label, len(steps), end["overhead_ms_median"], med("observe_ms"), med("ocr_ms"),
         med("guard_ms"), max(e.get("guard_ms", 0) for e in steps),
         st.median(c.get("prepare_ms", 0) for c in calls), med("save_ms"), med("intent_ms"), med("act_ms"),
         st.median(c["latency_ms"] for c in calls), rss / 1024))
same = [e for e in steps if e.get("same_screen")]
if label == "mixed" and same:
    diff = [e for e in steps if e.get("same_screen") is False]
    seen = lambda es: st.median(e.get("ocr_ms", 0) + e.get("after_guard_ms", 0) for e in es)
    print("%-9s the screen after a wait (unchanged, %d steps): OCR + guards %5.1f ms median; after typing (%d steps): %5.1f ms; run ended: %s"
          % ("", len(same), seen(same), len(diff), seen(diff) if diff else 0, end["reason"]))
PY
}
if [ "$ONLY" = memory ]; then
	echo "20-step run with OCR, 1280x720: resident memory at the peak (target <= 35 MB); load: $(cut -d' ' -f1-3 /proc/loadavg)"
	run memory script.jsonl
	exit
fi
echo "20-step run, 1280x720, single recipe, scripted stand-in model (targets: <=50 ms with OCR, <=10 ms without, <=35 MB with OCR); load: $(cut -d' ' -f1-3 /proc/loadavg)"
run with-ocr script.jsonl || exit 1
run no-ocr script.jsonl --no-ocr || exit 1
# (a longer settle: on a loaded machine xterm may not have redrawn a typed line after 100 ms)
run mixed mixed.jsonl --settle 400 || exit 1
# what is resident at the with-OCR run's peak, by kind (issue 15: <= 35 MB)
run memory script.jsonl || exit 1
