#!/bin/bash
# bench_eval.sh BUILD — magi eval's throughput on the 24-task GUI suite (items per minute
# with --jobs 1 and --jobs 2; the stand-in model answers from the screenshots it is sent,
# so its OCR is part of every step), and on the guard suites. Prints figures; asserts
# nothing, but an eval that does not finish (exit 2 or more, or no results) fails the
# bench (exit 1). The machine is shared: compare the two --jobs figures of one run, not runs.
set -u
BUILD=${1:-build}
. "$(dirname "$0")/eval_lib.sh"
rate() { # rate DIR: items, seconds, items per minute, success
	python3 - "$1" <<'EOF'
import json, sys, datetime
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
print("%d items, %.0f%% passed, %.1f s of item time, %.2f s per step, %.0f tokens per step"
      % (s["items"], 100 * s["success_rate"], s["wall_s"], s.get("wall_s_per_step", 0), s["tokens"]["per_step"]))
EOF
}

echo "== GUI suite: examples/suites/x11-tasks.jsonl (24 tasks), recipe single =="
oracle G --policy gui_tasks --task "$SRC/tests/eval/x11-tasks.key.json"
for jobs in 1 2; do
	t0=$(date +%s.%N)
	eval_run "$T/gui-$jobs" "$SRC/examples/suites/x11-tasks.jsonl" --base-url "$URL" --recipe single --jobs $jobs || continue
	t1=$(date +%s.%N)
	n=$(wc -l < "$T/gui-$jobs/results.jsonl")
	python3 -c "import sys; n,a,b=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print('--jobs %s: %d tasks in %.1f s wall = %.1f tasks per minute' % (sys.argv[4], n, b-a, 60*n/(b-a)))" "$n" "$t0" "$t1" "$jobs"
	echo "          $(rate "$T/gui-$jobs")"
done
python3 - "$T/gui-1" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))["gui"]
print("SPA-Bench metrics (--jobs 1): success %.0f%%, mean step ratio on success %.2f, early %.0f%%, overdue %.0f%%, terminations %s"
      % (100 * s["success_rate"], s["mean_step_ratio_on_success"], 100 * s["early_termination_rate"],
         100 * s["overdue_termination_rate"], s["terminations"]))
EOF
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) cores (shared with other work)"

echo
echo "== guard suites =="
for jobs in 1 2; do
	t0=$(date +%s.%N)
	eval_run "$T/risk-$jobs" "$SRC/tests/data/risk_suite.jsonl" --jobs $jobs || continue
	t1=$(date +%s.%N)
	python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('risk suite, 166 actions, --jobs %s: %.2f s wall (%.0f items per minute, each with its run directory)' % (sys.argv[3], b-a, 60*166/(b-a)))" "$t0" "$t1" "$jobs"
done
python3 "$SRC/scripts/gen-pii-shots" --out "$T/pii" --count 20 --clean 5 --seed 31 --jobs 2 >/dev/null
for jobs in 1 2; do
	t0=$(date +%s.%N)
	eval_run "$T/pii-$jobs" "$T/pii/truth.jsonl" --jobs $jobs || continue
	t1=$(date +%s.%N)
	python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('privacy, 25 images (OCR, scan, redact, OCR again), --jobs %s: %.1f s wall (%.1f images per minute)' % (sys.argv[3], b-a, 60*25/(b-a)))" "$t0" "$t1" "$jobs"
done
python3 - "$T/pii-1" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1] + "/summary.json"))["privacy"]
print("privacy: recall %.3f over %d PII items, %d readable before, %d readable after redaction (%d of them found), %d false positives"
      % (p["recall"], p["pii_items"], p["readable_before"], p["survivors"], p["survivors_found"], p["false_positives"]))
EOF
[ $failed = 0 ] || { echo "$failed eval run(s) FAILED"; exit 1; }
