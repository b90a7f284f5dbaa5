#!/bin/bash
# bench_soak.sh [BUILD] — a long `magi run` on a real 1280x720 Xvfb desktop: STEPS steps (default
# 1,000) of the single recipe typing into an xterm, OCR and guards on (the model configured
# trust: remote, so every screenshot is scanned and redacted before it leaves), the stand-in
# model scripted so it keeps acting (one type action per step, each line different, so no
# stop rule fires before the step budget). While it runs, magi's resident set (VmRSS), peak
# (VmHWM) and open file descriptors (/proc/PID/fd) are sampled with the number of step
# events in its trace at that moment. Prints:
#   - RSS after warm-up (the first WARMUP steps, default 100) as a least-squares slope in KB
#     per 100 steps, with the first and last values and the peak; RSS every 100 steps and
#     the slope over the second half (growth in steps vs growth per step); the size of the
#     board's history (every action, kept for the run);
#   - descriptors: min and max after warm-up (growth = a leak);
#   - whether the trace is complete: STEPS step events, a run_end with reason max_steps,
#     summary.json; and how large it grew (trace.jsonl, the share of blackboard snapshots,
#     the step images).
# No budget is asserted (figures for people); the script fails only when something it runs
# fails (Xvfb, the stand-in, magi's exit status, an incomplete trace).
#
# usage: bench/bench_soak.sh [BUILD]     environment: STEPS=1000 WARMUP=100 SETTLE=50 KEEP=1
set -euo pipefail
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MAGI=$SRC/$BUILD/magi
STEPS=${STEPS:-1000}
WARMUP=${WARMUP:-100}
SETTLE=${SETTLE:-50}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
for t in Xvfb xterm; do command -v $t >/dev/null || { echo "bench_soak: $t is needed" >&2; exit 1; }; done
[ -x "$MAGI" ] || { echo "bench_soak: build magi first ($MAGI)" >&2; exit 1; }
export OMP_THREAD_LIMIT=1
unset MAGI_CONFIG OPENAI_BASE_URL OPENAI_API_KEY MAGI_API_KEY MAGI_MODEL MAGI_FAULT_WRITE MAGI_FAULT_SYNC
TMP=$(mktemp -d /tmp/magi-soak-XXXXXX)
pids=()
stop() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ "${KEEP:-0}" = 1 ] && echo "kept: $TMP" >&2 || rm -rf "$TMP"
}
trap stop EXIT

Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp -noreset 3>"$TMP/display" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$TMP/display" ] && break; sleep 0.05; done
[ -s "$TMP/display" ] || { echo "bench_soak: Xvfb did not start" >&2; exit 1; }
D=:$(tr -dc 0-9 <"$TMP/display")
export DISPLAY=$D
# 30 rows fit the 720-pixel screen, so once it scrolls every step changes what is seen
xterm -geometry 150x30+0+0 -fa DejaVuSansMono -fs 11 -e sh -c 'cat > /dev/null' &
pids+=($!)
sleep 1.5
kill -0 "${pids[1]}" || { echo "bench_soak: xterm did not start" >&2; exit 1; }

"$PY" - "$STEPS" >"$TMP/script.jsonl" <<'EOF'
import json, sys
for i in range(int(sys.argv[1])):
    a = {"action": "type", "text": "line %04d: ok\n" % i}  # short: OCR of a full terminal is the cost
    print(json.dumps({"content": "### Thought ###\nkeep typing\n### Action ###\n" + json.dumps(a)
                      + "\n### Operation ###\ntype line %d" % i}))
EOF
"$PY" "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$TMP/port" --script "$TMP/script.jsonl" 2>"$TMP/oracle.err" &
pids+=($!)
for _ in $(seq 1 300); do [ -s "$TMP/port" ] && break; sleep 0.02; done
[ -s "$TMP/port" ] || { echo "bench_soak: the stand-in did not start: $(cat "$TMP/oracle.err")" >&2; exit 1; }
printf 'models:\n  m:\n    base_url: http://127.0.0.1:%s/v1\n    trust: remote\n' "$(cat "$TMP/port")" >"$TMP/m.yaml"

t0=$(date +%s)
"$MAGI" run --config "$TMP/m.yaml" --env "x11$D" --recipe single --max-steps "$STEPS" --settle "$SETTLE" \
	--runs "$TMP/runs" --no-report "Type the lines" >"$TMP/run.out" 2>"$TMP/run.err" &
MP=$!
pids+=($MP)
# samples: steps-in-trace rss_kb hwm_kb fds, every half second while magi lives
: >"$TMP/samples"
trace=
while kill -0 "$MP" 2>/dev/null; do
	[ -n "$trace" ] || trace=$(ls "$TMP"/runs/*/trace.jsonl 2>/dev/null | head -1 || true)
	st=$(cat "/proc/$MP/status" 2>/dev/null || true)
	fds=$(ls "/proc/$MP/fd" 2>/dev/null | wc -l || true)
	rss=$(awk '/^VmRSS:/ {print $2}' <<<"$st")
	hwm=$(awk '/^VmHWM:/ {print $2}' <<<"$st")
	n=0
	[ -n "$trace" ] && n=$(grep -c '"type":"step"' "$trace" || true)
	[ -n "$rss" ] && echo "$n $rss $hwm $fds" >>"$TMP/samples"
	sleep 0.5
done
set +e
wait "$MP"
rc=$?
set -e
secs=$(($(date +%s) - t0))
run=$(dirname "$trace")
"$PY" - "$TMP/samples" "$run" "$STEPS" "$WARMUP" "$rc" "$secs" <<'EOF'
import json, os, sys
samples = [tuple(int(x) for x in l.split()) for l in open(sys.argv[1]) if len(l.split()) == 4]
run, steps, warm, rc, secs = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
ev = [json.loads(l) for l in open(os.path.join(run, "trace.jsonl"))]
n_steps = sum(e["type"] == "step" for e in ev)
end = [e for e in ev if e["type"] == "run_end"]
after = [s for s in samples if s[0] >= warm]
print("soak: %d-step run of magi (single recipe, OCR and guards on, trust: remote), %d s, exit %d, %d samples"
      % (steps, secs, rc, len(samples)))
if len(after) >= 2:
    xs, ys = [s[0] for s in after], [s[1] for s in after]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    print("RSS after warm-up (step >= %d): %d KB at step %d -> %d KB at step %d; slope %+.1f KB per 100 steps"
          % (warm, after[0][1], after[0][0], after[-1][1], after[-1][0], 100 * slope))
    # growth in steps (the allocator's heaps taking another block) and growth in proportion
    # to the steps (a leak, or the board's history, which keeps every action) fit the same
    # slope; RSS every 100 steps and the slope over the second half tell them apart
    marks = {}
    for st, r, _, _ in after:
        marks.setdefault(st // 100 * 100, r)
    print("RSS every 100 steps (KB): " + ", ".join("%d: %d" % kv for kv in sorted(marks.items())))
    half = [s for s in after if s[0] >= (warm + steps) // 2]
    if len(half) >= 2:
        hx, hy = [s[0] for s in half], [s[1] for s in half]
        hmx, hmy = sum(hx) / len(hx), sum(hy) / len(hy)
        hxx = sum((x - hmx) ** 2 for x in hx)
        hs = sum((x - hmx) * (y - hmy) for x, y in zip(hx, hy)) / hxx if hxx else 0.0
        print("RSS slope over the second half (step >= %d): %+.1f KB per 100 steps" % ((warm + steps) // 2, 100 * hs))
    fds = [s[3] for s in after]
    print("file descriptors after warm-up: min %d, max %d (first %d, last %d)" % (min(fds), max(fds), fds[0], fds[-1]))
else:
    print("too few samples after warm-up to fit a slope")
print("peak RSS (VmHWM): %d KB" % max(s[2] for s in samples))
boards = [e for e in ev if e["type"] == "board"]
if boards:
    h = (boards[-1].get("board") or {}).get("history") or []
    print("board history at the end: %d entries, %.0f KB as JSON (kept for the whole run)"
          % (len(h), len(json.dumps(h)) / 1e3))
if end:
    e = end[0]
    print("run_end: reason %s, %d steps, magi's own overhead per step (median) %.1f ms"
          % (e["reason"], e["steps"], e.get("overhead_ms_median", 0)))
tsize = os.path.getsize(os.path.join(run, "trace.jsonl"))
bsize = sum(len(json.dumps(e, separators=(",", ":"))) + 1 for e in ev if e["type"] == "board")
print("trace.jsonl: %.1f MB, of which board snapshots %.1f MB (%.0f%%); step images %.1f MB"
      % (tsize / 1e6, bsize / 1e6, 100 * bsize / max(tsize, 1),
         sum(os.path.getsize(os.path.join(run, f)) for f in os.listdir(run) if f.startswith("step-")) / 1e6))
complete = n_steps == steps and end and end[0]["reason"] == "max_steps" and os.path.exists(os.path.join(run, "summary.json"))
print("trace: %d step events of %d, run_end %s, summary.json %s -> %s" % (
    n_steps, steps, "present" if end else "MISSING", "present" if os.path.exists(os.path.join(run, "summary.json")) else "MISSING",
    "complete" if complete else "INCOMPLETE"))
sys.exit(0 if complete and rc in (0, 1) else 1)
EOF
