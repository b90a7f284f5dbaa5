#!/bin/bash
# bench_recipes.sh BUILD [TASKS] [RECIPES] — what each GUI loop buys over a single agent
# (issue 11 item 5): the GUI task suite (examples/suites/x11-tasks.jsonl, written by
# scripts/gen-gui-suite; TASKS = its first N tasks, default all 24) through `magi eval run`
# with each recipe (default "single mobile-agent-v2 mobileuse ponder-press") against the
# stand-in model wrong on purpose at rates 0, 0.1 and 0.3 (ORACLE_MISTAKES, seed
# ORACLE_SEED or 1: misclicks, wrong targets, premature done; tests/oracle/mistakes.py).
# One table from each eval's summary.json: success rate, mean step ratio on success,
# early and overdue termination rates, model calls and tokens per task.
# The stand-in per recipe (bound as the recipes' own tests bind it):
#   single, mobile-agent-v2  policy gui_tasks (the gui policy over the suite's key)
#   mobileuse                policy mobileuse_tasks (tests/x11/test_mobileuse_gui.sh's
#                            policy over the suite's key; its global reflector cannot veto
#                            here: the suite's key has no "done_when_absent")
#   ponder-press             interpreter: policy ponder_tasks on a text-only model; locator:
#                            policy ponder on a second server answering in norm1000 of a
#                            downscaled screen (tests/x11/test_ponder_press.sh's bindings).
#                            The ponder interpreter makes no mistakes on purpose and has no
#                            answer action, so its rows do not vary with the rate and its
#                            question task is given up.
# BENCH_KEEP=DIR keeps each eval's directory and the stand-in's request logs there.
# Prints figures; asserts none. An eval that does not finish fails the bench (exit 1).
set -u
BUILD=${1:-build}
N=${2:-24}
RECIPES=${3:-single mobile-agent-v2 mobileuse ponder-press}
. "$(dirname "$0")/eval_lib.sh"
SUITE=$SRC/examples/suites/x11-tasks.jsonl
KEY=$SRC/tests/eval/x11-tasks.key.json
SEED=${ORACLE_SEED:-1}
stop_oracles() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; PIDS=(); }
row() { # row RECIPE RATE DIR: one line of the table from DIR/summary.json
	python3 - "$@" <<'PY'
import json, sys
r, rate, d, m = sys.argv[1:]
s = json.load(open(d + "/summary.json"))
g = s["gui"]
print("%-16s %5s %6d %8.0f%% %7.2f %7.0f%% %8.0f%% %7.1f %9.0f %8s   %s" % (
    r, rate, s["items"], 100 * g["success_rate"], g["mean_step_ratio_on_success"],
    100 * g["early_termination_rate"], 100 * g["overdue_termination_rate"], s["calls_per_item"],
    s["tokens"]["per_item"], m, " ".join("%s=%d" % kv for kv in sorted(g["terminations"].items()))))
PY
}
echo "GUI suite $SUITE, first $N tasks, --jobs 1, stand-in seed $SEED"
printf '%-16s %5s %6s %9s %7s %8s %9s %7s %9s %8s   %s\n' recipe rate tasks success "step r" early overdue calls tokens mistakes terminations
for r in $RECIPES; do
	for rate in 0 0.1 0.3; do
		out=$T/$r-$rate
		case $r in
		single | mobile-agent-v2)
			ORACLE_MISTAKES=$rate ORACLE_SEED=$SEED oracle "$r-$rate-O" --policy gui_tasks --task "$KEY"
			eval_run "$out" "$SUITE" --base-url "$URL" --recipe "$r" --limit "$N" --jobs 1 ;;
		mobileuse)
			ORACLE_MISTAKES=$rate ORACLE_SEED=$SEED oracle "$r-$rate-O" --policy mobileuse_tasks --task "$KEY"
			eval_run "$out" "$SUITE" --base-url "$URL" --recipe mobileuse --limit "$N" --jobs 1 ;;
		ponder-press)
			ORACLE_MISTAKES=$rate ORACLE_SEED=$SEED oracle "$r-$rate-I" --policy ponder_tasks --task "$KEY"
			IURL=$URL
			printf '{"coords":"norm1000"}' > "$T/loc.json"
			oracle "$r-$rate-L" --policy ponder --task "$T/loc.json"
			cat > "$T/pp.yaml" <<YAML
default: general
models:
  general: {base_url: "$IURL", vision: false}
  grounder: {base_url: "$URL", coords: norm1000, image: {max_pixels: 400000}}
roles:
  interpreter: general
  locator: grounder
YAML
			eval_run "$out" "$SUITE" --config "$T/pp.yaml" --recipe ponder-press --limit "$N" --jobs 1 ;;
		*) echo "unknown recipe $r"; failed=$((failed + 1)); continue ;;
		esac
		rc=$?
		stop_oracles
		[ -n "${BENCH_KEEP:-}" ] && mkdir -p "$BENCH_KEEP" && cp -r "$out" "$T/$r-$rate"-*.log "$BENCH_KEEP/" 2>/dev/null
		[ $rc = 0 ] && row "$r" "$rate" "$out" "$(cat "$T/$r-$rate"-*.log 2>/dev/null | grep -c '"mistake"')"
	done
done
echo "step r = mean step ratio on success (actions / reference steps); early, overdue: rates over feasible tasks;"
echo "calls, tokens: per task (prompt + completion); mistakes: the stand-in's seeded mistakes in that eval (its request log)."
case " $RECIPES " in *" ponder-press "*)
	echo "ponder-press: its interpreter stand-in (policies/ponder_tasks.py) makes no seeded mistakes and has no answer action,"
	echo "  so its rows do not vary with the rate and a question task is given up (not a property of the recipe)." ;;
esac
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) cores (shared with other work)"
[ $failed = 0 ] || { echo "$failed eval run(s) FAILED"; exit 1; }
