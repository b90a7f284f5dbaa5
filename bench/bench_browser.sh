#!/bin/bash
# bench_browser.sh BUILD — `magi run --env browser:URL` as a whole, against the test site and
# a scripted stand-in model (its answers are canned, so the figures are magi's and
# Chromium's): the time from starting the magi process to the model's first request (it
# includes Chromium's start and first screenshot; target <= 500 ms), the run's overhead per
# step as its trace reports it (observe + DOM text + guards + encode + save + act, the model's
# time and the settle pause excluded), and the magi process's peak RSS (Chromium's own
# processes apart; target <= 30 MB). With $MAGI_CHROMIUM unset it measures Debian's
# chromium; when chromium-headless-shell is installed it measures that too, with the domain
# rule and without it.
#
# MAGI_BASE=/path/to/magi runs that binary too, each figure back to back with this build's
# (e.g. main's, to compare under the same load); ROUNDS=N repeats everything N times. The
# start-up figure is the most sensitive to other work on the machine: run it at real-time
# priority (chrt -f 10 bash bench/bench_browser.sh build) and say so. FULL=0 leaves out
# Debian's full chromium when the headless shell is there (its runs take seconds each).
set -u
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MAGI=$SRC/$BUILD/magi
ROUNDS=${ROUNDS:-1}
export OMP_THREAD_LIMIT=1
[ -x "${MAGI_CHROMIUM:-/usr/lib/chromium/chromium}" ] || { echo "no Chromium: skipped"; exit 0; }
TMP=$(mktemp -d /tmp/magi-bench-browser-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
/usr/bin/python3 "$SRC/tests/browser/site_server.py" --port 0 --port-file "$TMP/site.port" --log "$TMP/site.log" &
pids+=($!)
for _ in $(seq 1 250); do [ -s "$TMP/site.port" ] && break; sleep 0.02; done
SITE=http://127.0.0.1:$(cat "$TMP/site.port")
# 20 steps: click the page's text field, then type into it
python3 - > "$TMP/script.jsonl" <<'PY'
import json
for i in range(20):
    a = {"action": "click", "x": 320, "y": 46} if i == 0 else {"action": "type", "text": "step %02d " % i}
    print(json.dumps({"content": "### Thought ###\nnext\n### Action ###\n" + json.dumps(a) + "\n### Operation ###\nstep"}))
PY
run() { # run LABEL MAGI CHROMIUM FLAGS...
	local label=$1 magi=$2 bin=$3; shift 3
	rm -f "$TMP/port" "$TMP/oracle.log"
	/usr/bin/python3 "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$TMP/port" --script "$TMP/script.jsonl" \
		--log "$TMP/oracle.log" 2>/dev/null &
	local op=$!
	for _ in $(seq 1 200); do [ -s "$TMP/port" ] && break; sleep 0.02; done
	local t0; t0=$(date +%s.%N)
	rm -rf "$TMP/runs-$label"
	MAGI_CHROMIUM=$bin "$magi" run --env "browser:$SITE/input.html" \
		--base-url "http://127.0.0.1:$(cat "$TMP/port")/v1" --recipe single --max-steps 20 \
		--runs "$TMP/runs-$label" --no-report --settle 100 "$@" "Type into the text field" >/dev/null 2>&1 &
	local mp=$! hwm=0 v
	# the magi process's own peak (VmHWM): /usr/bin/time would report its largest
	# child's, which is Chromium's
	while kill -0 $mp 2>/dev/null; do
		v=$(awk '/^VmHWM/ {print $2}' /proc/$mp/status 2>/dev/null)
		[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
		sleep 0.05
	done
	wait $mp
	echo $hwm > "$TMP/rss"
	kill $op 2>/dev/null; wait $op 2>/dev/null
	local dir; dir=$(ls -d "$TMP/runs-$label"/*/ | head -1)
	python3 - "$dir" "$label" "$(tail -1 "$TMP/rss")" "$t0" "$TMP/oracle.log" <<'PY'
import json, sys, statistics as st
d, label, rss, t0, olog = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
ev = [json.loads(l) for l in open(d + "/trace.jsonl")]
steps = [e for e in ev if e["type"] == "step"]
end = [e for e in ev if e["type"] == "run_end"][0]
first = min(json.loads(l)["t"] for l in open(olog))
med = lambda k: st.median(e.get(k, 0) for e in steps)
print("%-30s start->first model request %5.0f ms | steps %2d, overhead/step median %6.1f ms (observe %5.1f, ocr %5.1f, guard %4.1f, act %4.1f) | peak RSS %5.1f MB"
      % (label, (first - t0) * 1000, len(steps), end["overhead_ms_median"], med("observe_ms"), med("ocr_ms"),
         med("guard_ms"), med("act_ms"), rss / 1024))
PY
}
echo "magi run --env browser:URL, 20 steps, 1280x720, single recipe, scripted stand-in (targets: first request <= 500 ms, <= 30 MB)"
echo "machine load now: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15-min averages) on $(getconf _NPROCESSORS_ONLN) cores"
CH=${MAGI_CHROMIUM:-/usr/lib/chromium/chromium}
both() { # both LABEL CHROMIUM FLAGS...: this build's run, then the base's
	local label=$1; shift
	run "$label" "$MAGI" "$@"
	[ -n "${MAGI_BASE:-}" ] && run "$label [base]" "$MAGI_BASE" "$@"
	true
}
for round in $(seq 1 "$ROUNDS"); do
	[ "$ROUNDS" -gt 1 ] && echo "round $round (load $(cut -d' ' -f1-3 /proc/loadavg))"
	# (no --no-ocr variant: a page's text comes from its DOM, Tesseract is not used)
	[ "${FULL:-1}" = 0 ] && [ -z "${MAGI_CHROMIUM:-}" ] && [ -x /usr/lib/chromium/chromium-headless-shell ] ||
		both "chromium" "$CH" --allow-domain 127.0.0.1
	if [ -z "${MAGI_CHROMIUM:-}" ] && [ -x /usr/lib/chromium/chromium-headless-shell ]; then
		both "headless-shell" /usr/lib/chromium/chromium-headless-shell --allow-domain 127.0.0.1
		both "headless-shell, no rule" /usr/lib/chromium/chromium-headless-shell
	fi
done
