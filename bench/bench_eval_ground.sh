#!/bin/bash
# bench_eval_ground.sh BUILD [SCREENS [TARGETS]] — grounding on a generated ScreenSpot-Pro-format set:
# `ground` (one call on the whole screen) against `screenseeker` (the cascaded zoom search)
# at the same model settings (Qwen image policy, max_pixels 1003520 ~ 1 Mpx, pixel
# coordinates), with accuracy by group and ui_type, calls and tokens per item, and magi's
# own time per item besides the model; then items per minute with --jobs 1 and 2.
#
# The model is the stand-in (tests/oracle, policy `ground`): it reads the image it was sent
# with tesseract, after magi resized it to ~1 Mpx, and never sees the boxes. So text that
# is small on a 4K screen is unreadable to it at the top level, as to a real model, and
# the zoom has to earn its gain. Its answers are serialised (one OCR at a time) and its OCR
# is cached per image, so the two recipes run side by side against one stand-in (each
# with --jobs 1): a screen is read once for both, and whatever the time allows, both have
# covered the same items. The --jobs figures are taken on a warm cache twice: as is (magi
# and the HTTP round trip, a model that answers at once) and with a modelled model latency
# of 1.5 s per call (labelled "modelled"), which is what --jobs overlaps.
# The machine is shared and loaded: read ratios within one run.
set -u
BUILD=${1:-build}
SCREENS=${2:-20}
TARGETS=${3:-10}
export ORACLE_TESSERACT_TIMEOUT=${ORACLE_TESSERACT_TIMEOUT:-600}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MAGI=$SRC/$BUILD/magi
export OMP_THREAD_LIMIT=1
T=${BENCH_DIR:-$(mktemp -d /tmp/magi-bench-ground-XXXXXX)}
mkdir -p "$T"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; [ -n "${BENCH_DIR:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
unset MAGI_CONFIG MAGI_BASE_URL OPENAI_BASE_URL SLURM_ARRAY_TASK_ID JOB_COMPLETION_INDEX
RECIPES=${RECIPES:-ground screenseeker}

oracle() { # oracle NAME ARGS...: starts the stand-in; sets URL
	local pf=$T/$1.port; shift
	rm -f "$pf"
	/usr/bin/python3 "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$pf" "$@" >/dev/null 2>>"$T/oracle.err" &
	PIDS+=($!)
	for _ in $(seq 1 600); do [ -s "$pf" ] && break; sleep 0.05; done
	URL="http://127.0.0.1:$(cat "$pf")/v1"
}
config() { # config URL FILE
	printf 'models:\n  grounder:\n    base_url: %s\n    coords: pixels\n    image: {policy: qwen, max_pixels: 1003520}\n    timeout: 600\n' "$1" > "$2"
}

if [ ! -s "$T/pro/annotations/screenspot_pro.json" ]; then
	python3 "$SRC/scripts/gen-screenspot-pro" --out "$T/pro" --screens "$SCREENS" --targets "$TARGETS" --seed 17 --jobs 2
fi
SUITE=$T/pro/annotations/screenspot_pro.json
python3 - "$SUITE" <<'EOF'
import json, sys, collections
r = json.load(open(sys.argv[1]))
sizes = collections.Counter(tuple(x["img_size"]) for x in r)
small = sum((x["bbox"][2] - x["bbox"][0]) * (x["bbox"][3] - x["bbox"][1]) < 0.01 * x["img_size"][0] * x["img_size"][1] for x in r)
frac = sorted((x["bbox"][2] - x["bbox"][0]) * (x["bbox"][3] - x["bbox"][1]) / (x["img_size"][0] * x["img_size"][1]) for x in r)
print("set: %d items on %d screens %s; %d targets under 1%% of the screen; median target %.3f%% of the screen"
      % (len(r), len({x["img_filename"] for x in r}), dict(sizes), small, 100 * frac[len(frac) // 2]))
EOF

oracle G --policy ground
config "$URL" "$T/m.yaml"
run_recipe() { # run_recipe RECIPE: the whole set, --jobs 1, recorded; items that ended in an
	# error (the stand-in's OCR timing out on a loaded machine) are run again
	local recipe=$1
	"$MAGI" eval run "$SUITE" --config "$T/m.yaml" --recipe "$recipe" --jobs 1 --out "$T/$recipe" --quiet \
		--record "$T/$recipe.cassette" >/dev/null 2>"$T/$recipe.err"
	if [ -s "$T/$recipe/results.jsonl" ] && grep -q '"status":"error"' "$T/$recipe/results.jsonl"; then
		echo "$recipe: $(grep -c '"status":"error"' "$T/$recipe/results.jsonl") item(s) ended in an error; running them again"
		"$MAGI" eval run "$SUITE" --config "$T/m.yaml" --recipe "$recipe" --jobs 1 --out "$T/$recipe" --quiet \
			--resume --retry-errors --record "$T/$recipe.cassette" >/dev/null 2>>"$T/$recipe.err"
	fi
}
t0=$(date +%s.%N)
RUNS=()
for recipe in $RECIPES; do
	rm -rf "$T/$recipe" "$T/$recipe.cassette"
	run_recipe "$recipe" &
	RUNS+=($!)
done
wait "${RUNS[@]}"
t1=$(date +%s.%N)
echo "accuracy runs (side by side, one stand-in): $(python3 -c "import sys; print('%.0f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$t1") s wall"
for recipe in $RECIPES; do
	[ -s "$T/$recipe/summary.json" ] || { echo "$recipe: eval failed: $(tail -3 "$T/$recipe.err")"; continue; }
	python3 - "$T/$recipe" "$recipe" <<'EOF'
import json, sys, statistics
d, recipe = sys.argv[1], sys.argv[2]
s = json.load(open(d + "/summary.json"))
g = s["ground"]
res = [json.loads(l) for l in open(d + "/results.jsonl")]
own = [r["own_ms"] for r in res if "own_ms" in r]
load = [r["load_ms"] for r in res if "load_ms" in r]
print("%-13s accuracy %.1f%% (%d/%d), wrong_format %d, errors %d; %.2f calls and %.0f tokens per item; "
      "magi's own time per item besides the model: median %.0f ms (of it loading the PNG: median %.0f ms)"
      % (recipe, 100 * g["accuracy"], g["correct"], g["positives"], g["wrong_format"], s["errors"], s["calls_per_item"],
         s["tokens"]["per_item"], statistics.median(own), statistics.median(load)))
for dim in ("group", "ui_type"):
    print("    by %-8s %s" % (dim, ", ".join("%s %.0f%% (%d)" % (k, 100 * v["rate"], v["n"])
                                         for k, v in sorted(s["by"][dim].items()))))
EOF
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) cores (shared with other work)"

echo
echo "magi's own time per item, without the model: the same runs replayed from the cassettes they recorded"
for recipe in $RECIPES; do
	[ -s "$T/$recipe.cassette" ] || continue
	rm -rf "$T/replay-$recipe"
	/usr/bin/time -f "%e %U %S" -o "$T/replay-$recipe.time" "$MAGI" eval run "$SUITE" --config "$T/m.yaml" \
		--recipe "$recipe" --replay "$T/$recipe.cassette" --jobs 1 --out "$T/replay-$recipe" --quiet >/dev/null 2>&1
	python3 - "$T/replay-$recipe" "$T/replay-$recipe.time" "$recipe" "$T/$recipe" <<'EOF'
import json, sys, statistics
d, tf, recipe, orig = sys.argv[1:5]
res = [json.loads(l) for l in open(d + "/results.jsonl")]
wall, user, sys_ = (float(v) for v in open(tf).read().split())
own = [r["own_ms"] for r in res]
load = [r["load_ms"] for r in res]
same = json.load(open(d + "/summary.json"))["passed"] == json.load(open(orig + "/summary.json"))["passed"]
print("  %-13s %d items replayed: %.0f ms wall and %.0f ms CPU (%.0f user + %.0f system) per item for the whole "
      "eval process; per item in the run: own %.0f ms median (loading the PNG %.0f ms, the rest %.0f ms); "
      "same score as the recorded run: %s"
      % (recipe, len(res), 1000 * wall / len(res), 1000 * (user + sys_) / len(res), 1000 * user / len(res),
         1000 * sys_ / len(res), statistics.median(own), statistics.median(load),
         statistics.median([o - l for o, l in zip(own, load)]), same))
EOF
done

echo
echo "items per minute on the first 30 items (recipe ${RECIPES%% *}; the stand-in's OCR cache warm):"
recipe=${RECIPES%% *}
for mode in raw modelled; do
	if [ $mode = modelled ]; then
		oracle M --policy ground --delay-ms 1500
		config "$URL" "$T/m2.yaml"
		cfg=$T/m2.yaml
		# warm its OCR cache, so that both --jobs figures pay only the modelled latency
		"$MAGI" eval run "$SUITE" --config "$cfg" --recipe "$recipe" --jobs 2 --limit 30 --out "$T/warm" \
			--quiet >/dev/null 2>&1
	else
		cfg=$T/m.yaml
	fi
	for jobs in 1 2; do
		rm -rf "$T/rate-$mode-$jobs"
		t0=$(date +%s.%N)
		"$MAGI" eval run "$SUITE" --config "$cfg" --recipe "$recipe" --jobs $jobs --limit 30 --out "$T/rate-$mode-$jobs" \
			--quiet >/dev/null 2>&1
		t1=$(date +%s.%N)
		n=$(wc -l < "$T/rate-$mode-$jobs/results.jsonl")
		python3 -c "import sys; a,b,n=float(sys.argv[1]),float(sys.argv[2]),int(sys.argv[5]); print('  %-34s --jobs %s: %d items, %.1f items per minute' % (sys.argv[3], sys.argv[4], n, 60*n/(b-a)))" \
			"$t0" "$t1" "$([ $mode = raw ] && echo 'stand-in as is (answers from cache)' || echo 'modelled 1.5 s latency per call')" "$jobs" "$n"
	done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) cores (shared with other work)"
