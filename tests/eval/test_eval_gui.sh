#!/bin/bash
# test_eval_gui.sh — `magi eval` on GUI tasks: two workers, each with its own Xvfb, real X
# programs (xmessage, xterm), the stand-in model answering from the screenshots it is
# sent (oracle policy gui_tasks; its key gives some tasks deliberately flawed answers).
# Checks SPA-Bench's metrics item by item (success, step ratio, early and overdue
# termination, an infeasible task declared so), then kills a running eval with SIGKILL:
# its workers, X servers and task programs must go, and --resume must reach the same
# totals as the run that was never killed.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xmessage xterm tesseract python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_BASE_URL MAGI_API_KEY OPENAI_API_KEY SLURM_ARRAY_TASK_ID JOB_COMPLETION_INDEX
cd "$TMP"
SUITE=$SRC/tests/eval/gui_small.jsonl
start_oracle G --policy gui_tasks --task "$SRC/tests/eval/gui_small.key.json"
r() { python3 -c "import json,sys
for l in open(sys.argv[1]):
    j=json.loads(l)
    if j['id']==sys.argv[2]: print(j.get(sys.argv[3]))" "$1/results.jsonl" "$2" "$3"; }

out=$("$MAGI" eval run "$SUITE" --base-url "$G_URL" --recipe single --jobs 2 --out clean 2>err.txt); rc=$?
check "gui eval exits 0 ($rc): $(tail -3 err.txt)" test $rc = 0
check "5 results" test "$(wc -l < clean/results.jsonl)" = 5
check "both workers ran items" test "$(python3 -c 'import json; print(len({json.loads(l)["worker"] for l in open("clean/results.jsonl")}))')" = 2
check "cancel: success" test "$(r clean xm-cancel success)" = True
check "cancel: one action, step ratio 1" test "$(r clean xm-cancel actions)/$(r clean xm-cancel step_ratio)" = "1/1.0"
check "cancel: goal reached after step 1" test "$(r clean xm-cancel goal_step)" = 1
check "overdue: still a success" test "$(r clean xm-overdue success)" = True
check "overdue: flagged (the goal held after step 1, two keys were pressed after it)" test "$(r clean xm-overdue overdue)" = True
check "overdue: step ratio 3" test "$(r clean xm-overdue step_ratio)" = 3.0
check "early: said done without acting, checker fails" test "$(r clean xm-early early)/$(r clean xm-early success)" = "True/False"
check "infeasible: declared so, scored a success" test "$(r clean inf-print termination)/$(r clean inf-print success)" = "gave_up/True"
check "xterm: file written" test "$(r clean xt-hello success)" = True
check "xterm: not overdue, not early" test "$(r clean xt-hello overdue)/$(r clean xt-hello early)" = "False/False"
check "summary: early rate 1/4 of feasible tasks" python3 -c 'import json; g=json.load(open("clean/summary.json"))["gui"]; assert g["early_termination_rate"] == 0.25 and g["overdue_termination_rate"] == 0.25, g'
check "each item's run has its trace and report" test "$(ls clean/runs/*/*/report.html | wc -l)" = 5
check "the report links every run" test "$(grep -c 'href="runs/[^"]*/report.html"' clean/report.html)" = 5

# SIGKILL in the middle: nothing of the eval keeps running, and a resume finishes it
"$MAGI" eval run "$SUITE" --base-url "$G_URL" --recipe single --jobs 2 --out killed >/dev/null 2>&1 &
P=$!
for _ in $(seq 1 600); do [ -s killed/results.jsonl ] && break; sleep 0.05; done
kids=""
for w in $(ps -o pid= --ppid $P); do kids="$kids $w $(ps -o pid= --ppid $w | tr '\n' ' ')"; done
kill -9 $P
wait $P 2>/dev/null
n1=$(wc -l < killed/results.jsonl)
check "killed with some items finished ($n1 of 5)" test "$n1" -ge 1 -a "$n1" -lt 5
check "workers and their X servers were found before the kill ($kids)" test "$(echo $kids | wc -w)" -ge 3
gone=0
for _ in $(seq 1 100); do
	alive=0
	for k in $kids; do kill -0 "$k" 2>/dev/null && alive=1; done
	[ $alive = 0 ] && { gone=1; break; }
	sleep 0.1
done
check "no worker, Xvfb or task program outlives the killed eval" test $gone = 1
out=$("$MAGI" eval run "$SUITE" --base-url "$G_URL" --recipe single --jobs 2 --out killed --resume 2>&1); rc=$?
check "resume exits 0 ($rc)" test $rc = 0
check "resume ran only the rest: $(grep 'run now' <<<"$out")" grep -q "$((5 - n1)) run now, $n1 done before" <<<"$out"
cmp_sum='import json,sys
a,b=(json.load(open(d+"/summary.json")) for d in sys.argv[1:3])
keys=("items","passed","errors")
ga,gb=a["gui"],b["gui"]
gk=("success_rate","early_termination_rate","overdue_termination_rate","mean_step_ratio_on_success","infeasible_declared")
ok=all(a[k]==b[k] for k in keys) and all(ga[k]==gb[k] for k in gk)
print("same" if ok else "differ: %s vs %s" % ([a[k] for k in keys]+[ga[k] for k in gk], [b[k] for k in keys]+[gb[k] for k in gk]))'
res=$(python3 -c "$cmp_sum" clean killed)
check "killed + resumed = never killed: $res" test "$res" = same
finish
