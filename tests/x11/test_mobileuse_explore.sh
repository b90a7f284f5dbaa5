#!/bin/bash
# test_mobileuse_explore.sh — `magi explore` (MobileUse's proactive exploration) on a real Xvfb
# with a real xmessage dialog that comes back after every button press; the stand-in
# explores it (it clicks words it has not tried, read from the screenshot), records what
# each click did from the screens before and after, and criticises at step 3. The knowledge
# file it writes then reaches the mobileuse operator's prompt through --knowledge.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xmessage tesseract python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
cd "$TMP"
PY=/usr/bin/python3; [ -x $PY ] || PY=python3 # the pyenv shim on PATH costs ~2 s a start
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_MODEL
start_xvfb
D=$DISPLAY
BIGFONT='-*-helvetica-bold-r-normal--34-*-*-*-*-*-iso8859-1'
( while :; do xmessage -fn "$BIGFONT" -xrm '*Command.internalWidth: 16' -xrm '*Command.internalHeight: 8' -center \
	-buttons Save:11,Cancel:12,Retry:13 "Hi" & echo $! > xm.pid; wait $!; done ) &
LOOP=$!
wait_window xmessage
printf '{"coords":"pixels","steps":[]}' > task.json
start_oracle O --policy mobileuse --task task.json
out=$(timeout 240 "$MAGI" explore --base-url "$O_URL" --env x11$D --runs "$TMP/runs" --max-steps 3 --out k.json "the dialog" 2>&1); rc=$?
kill $LOOP 2>/dev/null; wait $LOOP 2>/dev/null; kill "$(cat xm.pid)" 2>/dev/null # the loop first, then its dialog
check "explore exits 0 after its 3 steps: $out" test $rc = 0
check "it says it ended having explored: $out" bash -c "grep -q 'ended: explored (success) after 3 steps' <<<'$out'"
k=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["knowledge"])' k.json 2>&1)
check "the knowledge file holds one line per action ($k)" test "$(grep -c '^After ' <<<"$k")" = 3
# (the explorer waits when the dialog has not come back yet when it looks)
clicks=$(grep -o '^After click "[A-Za-z]*"' <<<"$k" | tr '\n' ' ')
check "the buttons were explored in turn, Save first, none twice ($clicks)" \
	bash -c "case '$clicks' in 'After click \"Save\" '|'After click \"Save\" After click \"Cancel\" '|'After click \"Save\" After click \"Cancel\" After click \"Retry\" ') exit 0;; *) exit 1;; esac"
# (what each record says depends on whether the dialog was back by the second screenshot)
check "each record says what the screens showed ($k)" test "$(grep -cE '^After .*: (the screen no longer shows|nothing disappeared)' <<<"$k")" = 3
T=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname)/trace.jsonl
check "three knowledge events and the critic at step 3" \
	test "$(grep -c '"type":"knowledge"' "$T") $(grep -o '"type":"critic","step":[0-9]*' "$T")" = '3 "type":"critic","step":3'
check "the summarizer saw two screenshots each time" \
	test "$($PY -c 'import json,sys; print(sorted({len(r.get("image_info") or []) for r in map(json.loads, open(sys.argv[1])) if (r.get("policy") or {}).get("role") == "summarizer"}))' "$O_LOG")" = "[2]"
kill "$O_PID" 2>/dev/null; wait "$O_PID" 2>/dev/null

# the knowledge reaches the mobileuse operator
$PY - <<'PY'
import json
op = {"content": "<thinking>done</thinking>\n<tool_call>\n" + json.dumps({"name": "mobile_use", "arguments": {"action": "terminate", "status": "success"}}) + "\n</tool_call>\nAction: finish"}
json.dump({"script": {"operator": [op], "global_reflector": ["### Result ###\nSuccess\n### Reason ###\nok"]}}, open("s.json", "w"))
PY
start_oracle S --policy mobileuse --task s.json
out=$(timeout 60 "$MAGI" run --base-url "$S_URL" --env x11$D --runs "$TMP/runs" --recipe mobileuse --no-ocr --knowledge k.json "Close it" 2>&1); rc=$?
check "mobileuse with --knowledge exits 0: $out" test $rc = 0
check "the operator's prompt carries the explored knowledge" grep -q 'Knowledge from exploring this environment before.*After click \\"Save\\"' "$S_LOG"
finish
