#!/bin/bash
# test_mobileuse_rules.sh — the mobileuse recipe's skip rules, rule detectors, logprob
# threshold and global-reflector veto, against scripted replies (the stand-in's mobileuse
# policy in script mode: one queue of answers per role) on a real Xvfb. The screens are
# the real desktop, so "identical screens" and "unchanged screen" are what X shows.
#   run 1: take_note with its arguments as a JSON string (skipped), a click whose action type is unsure (logprob -0.5 < -0.01:
#          reflected, C on an identical screen), a confident type (-0.0001: skipped), a
#          second type without a coordinate (not run, C), two more unsure clicks (3 B/C in
#          a row: the trajectory reflector is called after 3 cold steps), a first finish
#          vetoed by the global reflector, a confident click (computer_use's left_click with
#          string coordinates: the core's tool-call reader), the second finish (done).
#   run 2: a server that returns no logprobs (every action reflected, the trace says why);
#          the same click 3 times, AB-AB and ABC-ABC loops on a changing screen.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xterm python3; do command -v $t >/dev/null || exit 77; done
cd "$TMP"
PY=/usr/bin/python3; [ -x $PY ] || PY=python3 # the pyenv shim on PATH costs ~2 s a start
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_MODEL
start_xvfb
D=$DISPLAY

$PY - <<'PY'
import json
def op(args, lp=None, desc="act", as_string=False):
    # as_string: the arguments as a JSON string, as OpenAI-style function calls carry them
    e = {"content": "<thinking>scripted</thinking>\n<tool_call>\n%s\n</tool_call>\nAction: %s"
         % (json.dumps({"name": "mobile_use", "arguments": json.dumps(args) if as_string else args}), desc)}
    if lp is not None:
        e["logprobs"] = {"match": {args["action"]: lp}}
    return e
out = lambda o, why="None": "### Outcome ###\n%s\n### Error Description ###\n%s" % (o, why)
prog = "### Completed contents ###\nscripted progress"
click = lambda x, lp=None: op({"action": "click", "coordinate": [x, x]}, lp, "click %d" % x)
run1 = {"script": {
    "operator": [op({"action": "take_note", "text": "the code is 42"}, -0.0001, "note", as_string=True),
                 click(5, -0.5),
                 op({"action": "type", "text": "abc"}, -0.0001, "type abc"),
                 op({"action": "type", "text": "def"}, -0.0001, "type def"),
                 click(5, -0.5), click(5, -0.5),
                 op({"action": "terminate", "status": "success"}, -0.0001, "finish"),
                 # computer_use's name and coordinates as strings: read by the core's
                 # Qwen tool-call reader, as any Qwen-family reply is
                 op({"action": "left_click", "coordinate": ["9", "9"]}, -0.0001, "click 9"),
                 op({"action": "terminate", "status": "success"}, -0.0001, "finish")],
    "reflector": [out("C", "nothing changed")] * 3,
    "progressor": [prog] * 5,
    "trajectory_reflector": [out("B", "Stop clicking the empty corner.")],
    "global_reflector": ["### Result ###\nFailed\n### Reason ###\nThe window the task names is still open."]}}
json.dump(run1, open("run1.json", "w"))
seq = "a a a b a b c a b c".split()
pos = {"a": 5, "b": 6, "c": 7}
run2 = {"script": {"operator": [click(pos[k]) for k in seq],
                   "reflector": [out("A")] * 10, "progressor": [prog] * 10,
                   "trajectory_reflector": [out("A")] * 2}}
json.dump(run2, open("run2.json", "w"))
PY

# ---- run 1 -----------------------------------------------------------------------------
start_oracle O --policy mobileuse --task run1.json
out=$(timeout 120 "$MAGI" run --base-url "$O_URL" --env x11$D --runs "$TMP/runs" --recipe mobileuse --no-ocr --settle 100 --max-steps 10 "Open the report" 2>&1); rc=$?
check "run 1 exits 0 after the second finish: $out" test $rc = 0
check "run 1 ends done (success) after 6 steps: $out" bash -c "grep -q 'ended: done (success) after 6 steps' <<<'$out'"
run=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname)
T=$run/trace.jsonl
ev() { $PY - "$T" "$@" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
print(eval(sys.argv[2], {"evs": evs, "of": lambda t: [e for e in evs if e["type"] == t]}))
PY
}
check "skips in order: take_note, confident, repeated_type, confident ($(ev '[(e["step"], e["reason"]) for e in of("reflection_skipped")]'))" \
	test "$(ev '[(e["step"], e["reason"]) for e in of("reflection_skipped")]')" = "[(1, 'take_note'), (2, 'confident'), (3, 'repeated_type'), (5, 'confident')]"
check "the confident skip names the mean logprob and the threshold" \
	test "$(ev '[(e["mean_logprob"], e["threshold"], e["tokens"]) for e in of("reflection_skipped") if e["reason"] == "confident"][0]')" = "(-0.0001, -0.01, 'type')"
check "reflections at steps 1, 3, 4, each C with the unsure logprob ($(ev '[(e["step"], e["verdict"], e.get("mean_logprob")) for e in of("reflection")]'))" \
	test "$(ev '[(e["step"], e["verdict"], e.get("mean_logprob")) for e in of("reflection")]')" = "[(1, 'C', -0.5), (3, 'C', -0.5), (4, 'C', -0.5)]"
check "trace show reads the three verdicts" test "$("$MAGI" trace show "$run" | grep -c 'reflect C')" = 3
check "the reflector was told the screens are identical" test "$(ev 'of("reflection")[0]["same_screen"]')" = True
$PY - "$O_LOG" > reqs.txt <<'PY'
import json, sys
for r in map(json.loads, open(sys.argv[1])):
    if (r.get("policy") or {}).get("role"):
        print(r["policy"]["role"], json.dumps(r["body"]))
PY
check "the first reflection request carries the identical-screens note" bash -c "grep '^reflector ' reqs.txt | head -1 | grep -q 'are identical'"
check "the operator asks for logprobs" bash -c "grep '^operator ' reqs.txt | head -1 | grep -q '\"logprobs\": true'"
check "the reflector does not ask for logprobs" bash -c "! grep '^reflector ' reqs.txt | grep -q '\"logprobs\": true'"
check "the note reached the next operator turn" bash -c "grep '^operator ' reqs.txt | sed -n 2p | grep -q 'the code is 42'"
check "4 clicks ran, the left_click with string coordinates among them" test "$(grep -c '"type":"intent".*"action":"click"' "$T")" = 4
check "the type after a type was not run: one type intent only" test "$(grep -c '"type":"intent".*"action":"type"' "$T")" = 1
check "the operator was told to click the field first" bash -c "grep '^operator ' reqs.txt | sed -n 5p | grep -q 'first click the corresponding text field'"
check "trajectory reflector called at step 4 on 3 failed outcomes ($(ev '[(e["step"], e.get("skipped"), e["detected"][:40]) for e in of("trajectory_reflection")]'))" \
	test "$(ev '[(e["step"], e["outcome"]) for e in of("trajectory_reflection") if "outcome" in e]')" = "[(4, 'B')]"
check "its detectors found the 3 failures" bash -c "grep '^trajectory_reflector ' reqs.txt | grep -q 'The last 3 actions failed'"
check "the trajectory advice reached the operator" bash -c "grep '^operator ' reqs.txt | sed -n 7p | grep -q 'Stop clicking the empty corner'"
check "unchanged screen 3 times detected at step 3 (cold: not called)" \
	bash -c "$PY -c 'import json,sys; e=[json.loads(l) for l in open(sys.argv[1])]; t=[x for x in e if x[\"type\"]==\"trajectory_reflection\" and x[\"step\"]==3]; sys.exit(not (t and \"not changed after the last 3\" in t[0][\"detected\"] and t[0].get(\"skipped\")))' '$T'"
check "the global reflector vetoed the first finish" test "$(ev '[(e["step"], e["result"]) for e in of("global_reflection")]')" = "[(5, 'Failed')]"
check "the operator was told its finish was rejected" bash -c "grep '^operator ' reqs.txt | sed -n 8p | grep -q 'a check found it is not'"
check "every role's script was used up exactly" test "$(grep -c 'exhausted' "$O_LOG")" = 0
kill "$O_PID" 2>/dev/null; wait "$O_PID" 2>/dev/null

# ---- run 2 -----------------------------------------------------------------------------
xterm -geometry 30x3-0-0 -e sh -c 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done' &
TICKER=$!
wait_window xterm
start_oracle P --policy mobileuse --task run2.json
out=$(timeout 120 "$MAGI" run --base-url "$P_URL" --env x11$D --runs "$TMP/runs" --recipe mobileuse --no-ocr --settle 100 --max-steps 10 "Loop" 2>&1); rc=$?
kill $TICKER 2>/dev/null; wait $TICKER 2>/dev/null
check "run 2 ends at the step budget: $out" bash -c "grep -q 'ended: max_steps' <<<'$out'"
run=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname)
T=$run/trace.jsonl
check "no logprobs from the server: all 10 actions reflected, none skipped" \
	test "$(ev 'len(of("reflection")), len(of("reflection_skipped"))')" = "(10, 0)"
check "the trace says reflection always runs without logprobs" \
	test "$(ev 'all(e.get("logprobs", "").startswith("none") for e in of("reflection"))')" = True
det() { ev "[e['step'] for e in of('trajectory_reflection') if '$1' in e['detected']]"; }
check "same action 3 times detected at step 3 ($(det 'repeated 3'))" test "$(det 'repeated 3')" = "[3]"
check "AB-AB loop detected at step 6 ($(det 'A, B, A, B'))" test "$(det 'A, B, A, B')" = "[6]"
check "ABC-ABC loop detected at step 10 ($(det 'A, B, C, A'))" test "$(det 'A, B, C, A')" = "[10]"
check "called at steps 5 and 10 (every 5 steps; the detection at 3 was in the cold steps) ($(ev '[e["step"] for e in of("trajectory_reflection") if "outcome" in e]'))" \
	test "$(ev '[e["step"] for e in of("trajectory_reflection") if "outcome" in e]')" = "[5, 10]"
kill "$P_PID" 2>/dev/null; wait "$P_PID" 2>/dev/null

# ---- bad input --------------------------------------------------------------------------
out=$("$MAGI" run --base-url http://127.0.0.1:9/v1 --env x11$D --runs "$TMP/runs" --recipe mobileuse --knowledge "$TMP/nope.json" "x" 2>&1); rc=$?
check "a missing knowledge file is a configuration error naming it (rc $rc): $out" bash -c "test $rc = 3 && grep -q 'nope.json' <<<'$out'"
out=$("$MAGI" run --logprob-threshold 0.5 "x" 2>&1); rc=$?
check "a positive logprob threshold is a usage error (rc $rc)" test $rc = 2
finish
