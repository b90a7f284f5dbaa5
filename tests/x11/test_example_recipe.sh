#!/bin/bash
# test_example_recipe.sh — examples/recipe.c (act-then-verify), a recipe written outside magi
# with the public recipe API and built against the installed library (make example), run
# end to end on a real Xvfb against a real xmessage dialog. The stand-in model's decision
# role first proposes the wrong button (Save), as a mistaken model would; the verifier role
# (tests/x11/verify_policy.py) sees the action drawn on the screenshot, finds the mark on
# "Save" and vetoes; the decision role is told why and proposes Cancel, which the verifier
# approves. Checks the dialog's exit status (xmessage exits with the first button clicked),
# the trace's verify events, what each request carried, and the report.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xmessage tesseract python3 convert; do command -v $t >/dev/null || exit 77; done
EX=${MAGI_BIN_DIR:-$SRC/build}/example-recipe
[ -x "$EX" ] || { echo "SKIP: $EX is not built (make example builds it; make check does)"; exit 77; }
export OMP_THREAD_LIMIT=1
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_MODEL
start_xvfb
BIGFONT='-*-helvetica-bold-r-normal--34-*-*-*-*-*-iso8859-1'
printf '{"coords":"pixels","steps":[{"click_text":"Save"},{"click_text":"Cancel"},{"done":true}],"verify_target":"Cancel"}' > task.json
start_oracle V --policy "$SRC/tests/x11/verify_policy.py" --task task.json
( xmessage -fn "$BIGFONT" -xrm '*Command.internalWidth: 16' -xrm '*Command.internalHeight: 8' -center \
	-buttons Save:11,Cancel:12,Retry:13 "Keep your edits to notes.txt?"; echo $? > xm.status ) &
XM=$!
wait_window xmessage
out=$(MAGI_BASE_URL=$V_URL timeout 180 "$EX" --env "x11$DISPLAY" --runs "$TMP/runs" "Close the dialog with Cancel" 2>&1); rc=$?
for _ in $(seq 1 50); do [ -s xm.status ] && break; sleep 0.1; done
kill $XM 2>/dev/null; wait $XM 2>/dev/null
check "the example exits 0: $out" test $rc = 0
check "the dialog saw Cancel, never Save (xmessage status $(cat xm.status 2>/dev/null))" test "$(cat xm.status 2>/dev/null)" = 12
run=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname 2>/dev/null)
check "a run directory with a trace: '$run'" test -s "$run/trace.jsonl"
verdicts=$(python3 -c 'import json,sys; print(" ".join(e["verdict"] + ("!" if e["overruled"] else "") for e in map(json.loads, open(sys.argv[1])) if e["type"] == "verify"))' "$run/trace.jsonl")
check "the verifier vetoed Save, then approved Cancel (verdicts: $verdicts)" test "$verdicts" = "veto approve"
check "the recipe's name is in run_start" grep -q '"recipe":"act-then-verify"' "$run/trace.jsonl"
check "one action was acted on, with its intent traced before it" test "$(grep -c '"type":"intent"' "$run/trace.jsonl")" = 1
python3 - "$V_LOG" > reqs.txt <<'PY'
import json, sys
for r in map(json.loads, open(sys.argv[1])):
    p = r.get("policy") or {}
    text = json.dumps(r.get("body") or {})
    print(p.get("role", "-"), len(r.get("image_info") or []), "vetoed" if "verifier vetoed" in text else "-")
PY
check "requests: decision, verifier (2 images) veto, decision told of the veto, verifier approve, decision: $(tr '\n' ';' < reqs.txt)" \
	test "$(tr '\n' ';' < reqs.txt)" = "decision 1 -;verifier 2 -;decision 1 vetoed;verifier 2 -;decision 1 -;"
check "report.html written" test -s "$run/report.html"
check "the example's output names the recipe's end: $out" bash -c "grep -q '^ended: done (success)' <<<'$out'"
finish
