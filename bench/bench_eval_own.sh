#!/bin/bash
# bench_eval_own.sh BUILD [SCREENS [TARGETS]] — magi's own time per grounding item, besides
# the model, against the issue's budget of 20 ms: a ScreenSpot-Pro-format set from
# scripts/gen-screenspot-pro (2560x1440 to 3840x2160 8-bit PNG screens; default 6 screens
# x 4 targets), recipe `ground`, its model answers recorded once from the stand-in
# (tests/oracle, policy ground) and then replayed from the cassette, so no model runs at
# all. Prints, for --jobs 1 and --jobs 2:
#   CPU per item       user+system CPU of the whole eval (parent and workers) / items, from
#                      /usr/bin/time: all of magi's work, whichever thread did it
#   critical path      median of the items' own_ms: the item's wall time less its model
#                      time, including the wait for its screenshot (load_ms), which the
#                      worker decodes ahead on a second thread while the previous item runs
#                      (prefetched: how many items found theirs ready)
#   items per minute   items / wall time of the replay (no model: an upper bound)
# First, the screens' PNG decode by itself (bench/bench_png.c: png_read.c against libpng,
# median thread CPU of 3 decodes, pixels compared).
# Each figure is the median of RUNS replays (default 3); the load average is printed next
# to it, as the machine is shared. MAGI_BASE=path/to/another/magi measures that binary on
# the same set and cassette first (a back-to-back comparison); with PAIRS=N as well, N more
# replays of each binary, alternating, each with --limit 2 and with every item, give the
# CPU per item, the CPU of one more item ((all - 2) / (items - 2)) and the eval's fixed
# cost — alternating, so a load that moves during the bench moves both alike.
set -u
BUILD=${1:-build}
SCREENS=${2:-6}
TARGETS=${3:-4}
RUNS=${RUNS:-3}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MAGI=$SRC/$BUILD/magi
export OMP_THREAD_LIMIT=1
export ORACLE_TESSERACT_TIMEOUT=${ORACLE_TESSERACT_TIMEOUT:-600} # a loaded machine
T=$(mktemp -d /tmp/magi-bench-own-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
unset MAGI_CONFIG MAGI_BASE_URL OPENAI_BASE_URL SLURM_ARRAY_TASK_ID JOB_COMPLETION_INDEX
load() { echo "load $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) cores"; }

python3 "$SRC/scripts/gen-screenspot-pro" --out "$T/pro" --screens "$SCREENS" --targets "$TARGETS" --seed 17 --jobs 2 >/dev/null
SUITE=$T/pro/annotations/screenspot_pro.json
/usr/bin/python3 "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$T/port" --policy ground >/dev/null 2>"$T/oracle.err" &
PIDS+=($!)
for _ in $(seq 1 600); do [ -s "$T/port" ] && break; sleep 0.05; done
printf 'models:\n  grounder:\n    base_url: http://127.0.0.1:%s/v1\n    coords: pixels\n    image: {policy: qwen, max_pixels: 1003520}\n    timeout: 600\n' \
	"$(cat "$T/port")" > "$T/m.yaml"
"$MAGI" eval run "$SUITE" --config "$T/m.yaml" --recipe ground --jobs 1 --out "$T/rec" --quiet \
	--record "$T/ground.cassette" >/dev/null 2>"$T/rec.err"
n=$(wc -l < "$T/rec/results.jsonl" 2>/dev/null || echo 0)
[ "$n" -gt 0 ] || { echo "recording failed: $(tail -3 "$T/rec.err")"; exit 1; }
e=$(grep -c '"status":"error"' "$T/rec/results.jsonl")
[ "$e" = 0 ] || echo "note: $e recorded item(s) ended in an error (the stand-in under load); their replays fail alike and are counted as errors"
python3 - "$SUITE" <<'PY'
import json, sys, collections
r = json.load(open(sys.argv[1]))
print("set: %d items on %d screens %s" % (len(r), len({x["img_filename"] for x in r}),
      dict(collections.Counter("%dx%d" % tuple(x["img_size"]) for x in r))))
PY

# the screens' PNG decode alone, by both of magi's paths (same pixels, or it fails)
echo "PNG decode of the set's screens (bench_png: png_read.c against libpng; $(load)):"
"$SRC/$BUILD/bench/bench_png" --runs 3 "$T"/pro/images/*.png | sed 's/^/  /'

measure() { # measure MAGI LABEL JOBS
	local m=$1 label=$2 jobs=$3 i
	for i in $(seq 1 "$RUNS"); do
		rm -rf "$T/rep"
		/usr/bin/time -f "%e %U %S" -o "$T/time" "$m" eval run "$SUITE" --config "$T/m.yaml" --recipe ground \
			--replay "$T/ground.cassette" --jobs "$jobs" --out "$T/rep" --quiet >/dev/null 2>"$T/rep.err"
		python3 - "$T/rep" "$T/time" >>"$T/runs-$label-$jobs" <<'PY'
import json, sys, statistics
res = [json.loads(l) for l in open(sys.argv[1] + "/results.jsonl")]
# the last line: /usr/bin/time says "Command exited with non-zero status 1" first when
# items ended in an error (counted below)
wall, user, sys_ = (float(v) for v in open(sys.argv[2]).read().split("\n")[-2].split())
own = statistics.median(r["own_ms"] for r in res)
print(json.dumps({"n": len(res), "cpu": 1000 * (user + sys_) / len(res), "own": own,
                  "load": statistics.median(r["load_ms"] for r in res),
                  "pre": sum(bool(r.get("prefetched")) for r in res), "rate": 60 * len(res) / wall,
                  "errors": sum(r.get("status") == "error" for r in res)}))
PY
	done
	python3 - "$T/runs-$label-$jobs" "$label" "$jobs" "$(load)" <<'PY'
import json, sys, statistics
runs = [json.loads(l) for l in open(sys.argv[1])]
med = lambda k: statistics.median(r[k] for r in runs)
print("  %-8s --jobs %s: CPU per item %.0f ms; critical path per item %.0f ms (of it waiting for the "
      "screenshot %.1f ms; %d/%d items found it decoded ahead); %.0f items/min with no model; %d errors "
      "[median of %d replays; %s]" % (sys.argv[2], sys.argv[3], med("cpu"), med("own"), med("load"), runs[-1]["pre"],
                                      runs[-1]["n"], med("rate"), runs[-1]["errors"], len(runs), sys.argv[4]))
PY
}
echo "magi's own time per grounding item (recipe ground, replayed; budget 20 ms):"
for jobs in 1 2; do
	[ -n "${MAGI_BASE:-}" ] && measure "$MAGI_BASE" base "$jobs"
	measure "$MAGI" this "$jobs"
done

pairs() { # PAIRS alternating replays of MAGI_BASE and this build, --jobs 1
	local i m lim n
	n=$(wc -l < "$T/rec/results.jsonl")
	for i in $(seq 1 "$PAIRS"); do
		for m in "$MAGI_BASE" "$MAGI"; do
			for lim in 2 "$n"; do
				rm -rf "$T/rep"
				/usr/bin/time -f "%U %S" -o "$T/time" "$m" eval run "$SUITE" --config "$T/m.yaml" --recipe ground \
					--replay "$T/ground.cassette" --jobs 1 --limit "$lim" --out "$T/rep" --quiet >/dev/null 2>&1
				echo "$([ "$m" = "$MAGI" ] && echo this || echo base) $lim $(tail -1 "$T/time") $(cut -d' ' -f1 /proc/loadavg)"
			done
		done
	done >"$T/pairs"
	python3 - "$T/pairs" "$n" <<'PY'
import collections, statistics, sys
n = int(sys.argv[2])
cpu, loads = collections.defaultdict(list), []
for l in open(sys.argv[1]):
    who, lim, u, s, ld = l.split()
    cpu[who, int(lim)].append(1000 * (float(u) + float(s)))
    loads.append(float(ld))
for who in ("base", "this"):
    a, b = statistics.median(cpu[who, 2]), statistics.median(cpu[who, n])
    one = (b - a) / (n - 2)
    print("  %-8s --jobs 1: CPU per item %.1f ms over %d items; one more item %.1f ms; fixed %.0f ms per eval "
          "[median of %d alternating pairs]" % (who, b / n, n, one, a - 2 * one, len(cpu[who, n])))
print("  (load average %.1f-%.1f during the pairs)" % (min(loads), max(loads)))
PY
}
if [ -n "${MAGI_BASE:-}" ] && [ "${PAIRS:-0}" -gt 0 ]; then
	echo "alternating replays, main's build and this one (--limit 2 and every item):"
	pairs
fi
