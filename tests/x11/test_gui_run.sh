#!/bin/bash
# test_gui_run.sh — `magi run` end to end on a real Xvfb with real X programs (xmessage,
# xterm), the stand-in model playing each role over HTTP, its oracle policy reading the
# screenshots it is sent with tesseract. Checks what happened on screen, the trace and the
# report, for both recipes, several coordinate spaces and resize ratios, and stop rules.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xmessage xterm tesseract python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY

start_xvfb
D=$DISPLAY

# Dialog text large enough that the stand-in's tesseract still reads it at a 0.37 resize
# (a real VLM reads far smaller text; tesseract is the stand-in's eyes). Scalable core
# fonts come from fonts-urw-base35.
BIGFONT='-*-helvetica-bold-r-normal--34-*-*-*-*-*-iso8859-1'
XRM=(-xrm '*Command.internalWidth: 16' -xrm '*Command.internalHeight: 8')
# models.yaml with image policies that force several resize ratios
yaml() { # yaml URL COORDS MAX_PIXELS
	printf 'models:\n  m:\n    base_url: %s\n    coords: %s\n    image: {policy: qwen, max_pixels: %s}\n' "$1" "$2" "$3" > "$TMP/m.yaml"
}
runs=$TMP/runs

# 1. xmessage, mobile-agent-v2, at several coordinate spaces and resize ratios.
#    max_pixels 1003520 keeps 1280x720 (ratio ~1.0); 230400 is ~0.5; 126000 is ~0.37.
for case in "norm1000 1003520" "pixels 230400" "norm1 126000" "pixels 1003520"; do
	set -- $case
	printf '{"coords":"%s","steps":[{"click_text":"Cancel"},{"done":true}]}' "$1" > task.json
	start_oracle O --policy gui --task task.json
	yaml "$O_URL" "$1" "$2"
	xmsg xm -fn "$BIGFONT" "${XRM[@]}" -center -buttons Save:11,Cancel:12,Retry:13 "Save the document before closing?"
	wait_window xmessage
	out=$(timeout 120 "$MAGI" run --config m.yaml --env x11$D --runs "$runs" --recipe mobile-agent-v2 "Close the dialog with Cancel" 2>&1); rc=$?
	st=$(xmsg_status xm); stop_pid xm.pid
	check "[$case] run exits 0: $out" test $rc = 0
	check "[$case] xmessage says Cancel was clicked (status: $st)" test "$st" = 12
	run=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname)
	check "[$case] trace has 2 steps" test "$(grep -c '"type":"step"' "$run/trace.jsonl")" = 2
	check "[$case] reflection said A" grep -q '"verdict":"A"' "$run/trace.jsonl"
	check "[$case] roles called" bash -c "grep -q '\"role\":\"planning\"' '$run/trace.jsonl' && grep -q '\"role\":\"memory\"' '$run/trace.jsonl'"
	check "[$case] report exists" test -s "$run/report.html"
	check "[$case] report shows 2 steps" test "$(grep -o 'class="step[ "]' "$run/report.html" | wc -l)" -ge 2
	kill "$O_PID" 2>/dev/null; wait "$O_PID" 2>/dev/null
done

# 2. xterm: typing a command with shifted characters writes a file; the bytes check every key.
OUT=$TMP/typed.txt
CMD="printf '%s\\n' 'Hi! @#\$%^&*()_+{}|:<>?~ \"q\" A-Z' > $OUT"
python3 - "$CMD" > task.json <<'PY'
import json, sys
print(json.dumps({"coords": "pixels", "steps": [{"click_text": "READY"}, {"type": sys.argv[1]}, {"key": "Return"}, {"done": True}]}))
PY
start_oracle T --policy gui --task task.json
yaml "$T_URL" pixels 1003520
xterm -geometry 100x20+40+40 -fa DejaVuSansMono -fs 14 -e sh -c 'echo READY; exec sh' &
XT=$!
wait_window xterm; sleep 0.5
out=$(timeout 120 "$MAGI" run --config m.yaml --env x11$D --runs "$runs" --recipe single "Write the line into the file" 2>&1); rc=$?
sleep 0.5
check "xterm run exits 0: $out" test $rc = 0
expected='Hi! @#$%^&*()_+{}|:<>?~ "q" A-Z'
check "file written with every key right: '$(cat $OUT 2>/dev/null)'" test "$(cat $OUT 2>/dev/null)" = "$expected"
kill $XT 2>/dev/null; kill "$T_PID" 2>/dev/null; wait "$T_PID" 2>/dev/null

# 3. A task across two windows: Cancel in a dialog, then a command in a terminal.
OUT2=$TMP/second.txt
python3 - "$OUT2" > task.json <<'PY'
import json, sys
print(json.dumps({"coords": "norm1000", "steps": [{"click_text": "Cancel"}, {"click_text": "READY"}, {"type": "echo two windows > " + sys.argv[1]}, {"key": "Return"}, {"done": True}]}))
PY
start_oracle W --policy gui --task task.json
yaml "$W_URL" norm1000 1003520
xterm -geometry 80x10+0+400 -fa DejaVuSansMono -fs 14 -e sh -c 'echo READY; exec sh' &
XT=$!
wait_window xterm
xmsg xm2 -fn "$BIGFONT" "${XRM[@]}" -geometry +700+100 -buttons OK:11,Cancel:12 "Close me first"
wait_window xmessage; sleep 0.5
out=$(timeout 120 "$MAGI" run --config m.yaml --env x11$D --runs "$runs" "Dismiss the dialog, then write to the file" 2>&1); rc=$?
sleep 0.5
check "two-window run exits 0: $out" test $rc = 0
check "dialog cancelled" test "$(xmsg_status xm2)" = 12
stop_pid xm2.pid
check "terminal command ran" test "$(cat $OUT2 2>/dev/null)" = "two windows"
kill $XT 2>/dev/null; kill "$W_PID" 2>/dev/null; wait "$W_PID" 2>/dev/null

# 4. A task that cannot be done ends with done(success=false), exit 1, not a loop.
printf '{"coords":"pixels","steps":[{"click_text":"Frobnicate"}]}' > task.json
start_oracle N --policy gui --task task.json
yaml "$N_URL" pixels 1003520
out=$(timeout 120 "$MAGI" run --config m.yaml --env x11$D --runs "$runs" --max-steps 10 "Press the Frobnicate button" 2>&1); rc=$?
check "impossible task exits 1" test $rc = 1
check "impossible task ends done/not done after looking 3 times: $out" bash -c "grep -q 'ended: done (not done) after 3 steps' <<<'$out'"
kill "$N_PID" 2>/dev/null; wait "$N_PID" 2>/dev/null

# 5. Stop rules with a scripted model: the same click 3 times; a screen that never changes;
#    a malformed reply repaired; ask_user with --no-ask; the step budget.
# reply ACTION_JSON...: a script of decision replies, one per argument
reply() { python3 -c 'import json,sys
for a in sys.argv[1:]: print(json.dumps({"content": "### Thought ###\nscripted\n### Action ###\n" + a}))' "$@"; }
c='{"action":"click","x":5,"y":5}'
reply "$c" "$c" "$c" > s.jsonl
start_oracle S --script s.jsonl
out=$(timeout 60 "$MAGI" run --base-url "$S_URL" --env x11$D --runs "$runs" --recipe single --no-ocr "Click forever" 2>&1); rc=$?
check "repeated action ends the run: $out" bash -c "grep -q 'ended: repeated_action' <<<'$out'"
check "repeated action exit 1" test $rc = 1
kill "$S_PID" 2>/dev/null; wait "$S_PID" 2>/dev/null
reply '{"action":"click","x":10,"y":700}' '{"action":"click","x":20,"y":700}' \
	'{"action":"click","x":30,"y":700}' '{"action":"click","x":40,"y":700}' > s.jsonl
start_oracle U --script s.jsonl
out=$(timeout 60 "$MAGI" run --base-url "$U_URL" --env x11$D --runs "$runs" --recipe single --no-ocr "Click the empty desktop" 2>&1)
check "unchanged screen ends the run: $out" bash -c "grep -q 'ended: unchanged_screen (not done) after 3 steps' <<<'$out'"
kill "$U_PID" 2>/dev/null; wait "$U_PID" 2>/dev/null
{ echo '{"content":"I think I should click somewhere."}'; reply '{"action":"teleport"}' '{"action":"done","success":true}'; } > s.jsonl
start_oracle R --script s.jsonl
out=$(timeout 60 "$MAGI" run --base-url "$R_URL" --env x11$D --runs "$runs" --recipe single --no-ocr "Finish" 2>&1); rc=$?
check "malformed replies repaired: $out" test $rc = 0
check "the model was shown its parse error" grep -q 'Your previous reply could not be used: the reply has no' "$R_LOG"
check "the model was told the unknown action" grep -q 'unknown action' "$R_LOG"
kill "$R_PID" 2>/dev/null; wait "$R_PID" 2>/dev/null
reply '{"action":"ask_user","question":"Which file?"}' '{"action":"done","success":true}' > s.jsonl
start_oracle Q --script s.jsonl
out=$(timeout 60 "$MAGI" run --base-url "$Q_URL" --env x11$D --runs "$runs" --recipe single --no-ocr --no-ask "Ask me" 2>&1); rc=$?
check "--no-ask ends on ask_user: $out" bash -c "grep -q 'ended: ask_user' <<<'$out'"
kill "$Q_PID" 2>/dev/null; wait "$Q_PID" 2>/dev/null
start_oracle Q2 --script s.jsonl
out=$(echo "the big one" | timeout 60 "$MAGI" run --base-url "$Q2_URL" --env x11$D --runs "$runs" --recipe single --no-ocr "Ask me" 2>&1); rc=$?
check "ask_user answered on the terminal, then done: $out" test $rc = 0
check "the answer reached the model" grep -q "the big one" "$Q2_LOG"
kill "$Q2_PID" 2>/dev/null; wait "$Q2_PID" 2>/dev/null
w='{"action":"wait","seconds":0.1}'
reply "$w" "$w" "$w" > s.jsonl
start_oracle B --script s.jsonl
out=$(timeout 60 "$MAGI" run --base-url "$B_URL" --env x11$D --runs "$runs" --recipe single --no-ocr --max-steps 2 "Wait" 2>&1)
check "step budget: $out" bash -c "grep -q 'ended: max_steps' <<<'$out'"
# 6. A run killed mid-way keeps every step it finished: the trace reads, shows and reports.
# Ten different waits (three equal ones would end the run as a repeated action), a screen
# that keeps changing (three unchanged ones would end it too) and slow replies, so the run
# is still going when the kill comes, however loaded the machine.
xterm -geometry 40x5+0+0 -e sh -c 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done' &
TICKER=$!
wait_window xterm
waits=()
for k in 0 1 2 3 4 5 6 7 8 9; do waits+=("{\"action\":\"wait\",\"seconds\":0.1$k}"); done
reply "${waits[@]}" > s.jsonl
start_oracle K --script s.jsonl --delay-ms 1000
timeout 60 "$MAGI" run --base-url "$K_URL" --env x11$D --runs "$TMP/killed" --recipe single --no-ocr --max-steps 10 "Wait a lot" >/dev/null 2>&1 &
RUNPID=$!
for _ in $(seq 1 100); do
	n=$(cat "$TMP"/killed/*/trace.jsonl 2>/dev/null | grep -c '"type":"step"')
	[ "${n:-0}" -ge 2 ] && break
	sleep 0.1
done
kill -9 $RUNPID 2>/dev/null; wait $RUNPID 2>/dev/null
kill $TICKER 2>/dev/null; wait $TICKER 2>/dev/null
kdir=$(ls -d "$TMP"/killed/*/ | head -1)
check "killed run kept its finished steps" test "$(grep -c '"type":"step"' "$kdir/trace.jsonl")" -ge 2
check "every line of the killed trace is whole JSON" python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$kdir/trace.jsonl"
out=$("$MAGI" trace show "$kdir" 2>&1)
check "trace show says the run did not finish: $out" contains "$out" "did not finish"
check "trace report works on the killed run" bash -c "'$MAGI' trace report '$kdir' >/dev/null && test -s '$kdir/report.html'"
kill "$K_PID" 2>/dev/null; wait "$K_PID" 2>/dev/null
finish
