#!/bin/bash
# test_run_stop.sh — how `magi run` stops when it must, on a real Xvfb: SIGTERM, SIGHUP and
# SIGINT mid-run (the step finished or the model call dropped, input released, run_end
# "interrupted", summary.json and report written, exit 143/129/130), a second SIGINT in the
# middle of a long press (exits at once, yet button 1 is not left down: checked with
# XQueryPointer on the server), a trace that cannot be written (a full tmpfs mid-run, a
# read-only runs directory: exit 3, and never an action without its intent recorded), and
# the token budget (no call starts that would pass it). The stand-in model is scripted.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xterm python3 mount umount; do command -v $t >/dev/null || exit 77; done
[ "$(id -u)" = 0 ] || { echo "SKIP: mounting a tmpfs needs root"; exit 77; }
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_MODEL
start_xvfb
buttons() { python3 "$SRC/tests/x11/pointer_state.py" "$@"; }
check "the pointer query sees a held button" test "$(buttons press)" = 1
check "... and its release" test "$(buttons release)" = 0
reply() { python3 -c 'import json,sys
for a in sys.argv[1:]: print(json.dumps({"content": "### Thought ###\nscripted\n### Action ###\n" + a}))' "$@"; }
MOUNTS=()
trap 'for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done; cleanup' EXIT

# 1. one signal while a long press holds button 1: the step finishes, the run ends cleanly
hold='{"action":"long_press","x":640,"y":360,"seconds":6}'
for sig in TERM HUP; do
	reply "$hold" '{"action":"wait","seconds":0.1}' > s.jsonl
	start_oracle P --script s.jsonl
	runs=$TMP/runs-$sig
	"$MAGI" run --base-url "$P_URL" --env "x11$DISPLAY" --runs "$runs" --recipe single --no-ocr --settle 0 \
		"Hold the button" > out.txt 2>&1 &
	pid=$!
	check "[$sig] button 1 is down during the long press" test "$(buttons --after-intent "$runs/*/trace.jsonl")" = 1
	kill -$sig $pid
	wait $pid; rc=$?
	want=$((128 + $(kill -l $sig)))
	out=$(cat out.txt)
	check "[$sig] exit $want (got $rc): $out" test $rc = $want
	check "[$sig] the usual last lines" bash -c "grep -q '^ended: interrupted (not done) after 1 step' out.txt && grep -q '^trace: ' out.txt && grep -q '^report: ' out.txt"
	dir=$(ls -d "$runs"/*/)
	check "[$sig] the long press finished as a step" grep -q '"type":"step".*"long_press"' "$dir/trace.jsonl"
	check "[$sig] run_end says interrupted" grep -q '"type":"run_end".*"reason":"interrupted"' "$dir/trace.jsonl"
	check "[$sig] summary.json and report.html" bash -c "grep -q '\"reason\": \"interrupted\"' '$dir/summary.json' && test -s '$dir/report.html'"
	check "[$sig] no button held after magi exits" test "$(buttons)" = 0
	kill "$P_PID" 2>/dev/null; wait "$P_PID" 2>/dev/null
done

# 2. SIGINT while the model is thinking: the call is dropped, not waited for
reply '{"action":"wait","seconds":0.1}' > s.jsonl
start_oracle M --script s.jsonl --delay-ms 60000 --save-images "$TMP/inflight"
"$MAGI" run --base-url "$M_URL" --env "x11$DISPLAY" --runs "$TMP/runs-INT" --recipe single --no-ocr "Think long" > out.txt 2>&1 &
pid=$!
# the oracle saves a request's images as it arrives, before its (modelled) delay
for _ in $(seq 1 200); do [ -n "$(ls "$TMP/inflight" 2>/dev/null)" ] && break; sleep 0.1; done
kill -INT $pid
wait $pid; rc=$?
check "[INT] exit 130 (got $rc): $(cat out.txt)" test $rc = 130
dir=$(ls -d "$TMP"/runs-INT/*/)
check "[INT] the dropped call is traced as cancelled" grep -q '"type":"call".*"status":"ERR_CANCELLED"' "$dir/trace.jsonl"
check "[INT] run_end interrupted, summary written" bash -c "grep -q '\"reason\":\"interrupted\"' '$dir/trace.jsonl' && test -s '$dir/summary.json'"
kill "$M_PID" 2>/dev/null; wait "$M_PID" 2>/dev/null

# 3. a second SIGINT in the middle of a long press exits at once and still lets go of button 1
reply '{"action":"long_press","x":640,"y":360,"seconds":20}' > s.jsonl
start_oracle Q --script s.jsonl
"$MAGI" run --base-url "$Q_URL" --env "x11$DISPLAY" --runs "$TMP/runs-INT2" --recipe single --no-ocr "Hold long" > out.txt 2>&1 &
pid=$!
check "[INT INT] button 1 is down during the 20 s press" test "$(buttons --after-intent "$TMP/runs-INT2/*/trace.jsonl")" = 1
kill -INT $pid; sleep 0.3; kill -INT $pid
wait $pid; rc=$?
check "[INT INT] exit 130 (got $rc)" test $rc = 130
check "[INT INT] button 1 released on the server" test "$(buttons)" = 0
check "[INT INT] says it stopped at once" grep -q 'interrupted again' out.txt
kill "$Q_PID" 2>/dev/null; wait "$Q_PID" 2>/dev/null

# 4. the disk fills up mid-run: the run stops before its next action, exit 3, and every
#    line typed into the terminal has its intent in the trace
mkdir -p full; mount -t tmpfs -o size=192k tmpfs full && MOUNTS+=("$TMP/full")
xterm -geometry 100x30+0+0 -e sh -c "cat >> '$TMP/typed.txt'" &
XT=$!
sleep 1
lines=()
# each types at a point inside the terminal, which focuses it (no window manager here)
for k in $(seq -w 1 30); do lines+=("{\"action\":\"type\",\"x\":60,\"y\":60,\"text\":\"line $k of a long run\\n\"}"); done
reply "${lines[@]}" > s.jsonl
start_oracle F --script s.jsonl
"$MAGI" run --base-url "$F_URL" --env "x11$DISPLAY" --runs "$TMP/full" --recipe single --no-ocr --settle 50 \
	--max-steps 30 "Type thirty lines" > out.txt 2>&1; rc=$?
sleep 0.5
check "[full] exit 3 (got $rc): $(tail -3 out.txt)" test $rc = 3
check "[full] a clear message about the disk" grep -q 'No space left on device' out.txt
check "[full] the run says trace_error" grep -q '^ended: trace_error' out.txt
intents=$(cat full/*/trace.jsonl | grep -c '"type":"intent"')
typed=$(grep -c 'of a long run' "$TMP/typed.txt" 2>/dev/null)
echo "full disk: $intents intents recorded, $typed lines typed; $(grep '^magi: ' out.txt | head -1)"
check "[full] the disk filled mid-run (after $intents of 30 actions)" test "${intents:-0}" -ge 1 -a "${intents:-0}" -lt 30
check "[full] typed lines ($typed) == intents recorded ($intents): nothing done unrecorded" test "${typed:-0}" = "$intents"
kill $XT 2>/dev/null; wait $XT 2>/dev/null
kill "$F_PID" 2>/dev/null; wait "$F_PID" 2>/dev/null

# 5. a read-only runs directory: nothing is done at all
mkdir -p ro; mount -t tmpfs -o ro,size=64k tmpfs ro && MOUNTS+=("$TMP/ro")
reply '{"action":"click","x":5,"y":5}' > s.jsonl
start_oracle R --script s.jsonl
"$MAGI" run --base-url "$R_URL" --env "x11$DISPLAY" --runs "$TMP/ro" --recipe single --no-ocr "Click" > out.txt 2>&1; rc=$?
check "[ro] exit 3 naming the directory: $(cat out.txt)" bash -c "test $rc = 3 && grep -q 'Read-only file system' out.txt"
check "[ro] the model was never asked" test "$(cat "$R_LOG" 2>/dev/null | grep -c chat/completions)" = 0
kill "$R_PID" 2>/dev/null; wait "$R_PID" 2>/dev/null

# 6. --max-tokens is the run's budget: no call starts that would pass it
reply '{"action":"wait","seconds":0.1}' '{"action":"wait","seconds":0.2}' '{"action":"wait","seconds":0.3}' > s.jsonl
start_oracle B --script s.jsonl
out=$("$MAGI" run --base-url "$B_URL" --env "x11$DISPLAY" --runs "$TMP/runs-B" --recipe single --no-ocr --max-tokens 150 "Wait" 2>&1); rc=$?
check "[budget 150] ends token_budget with no call made (a screenshot alone costs more): $out" \
	bash -c "grep -q '^ended: token_budget (not done) after 1 step, 0 model calls, 0+0 tokens' <<<'$out'"
check "[budget 150] exit 1 (got $rc; stderr and stdout: $out)" test $rc = 1
out=$("$MAGI" run --base-url "$B_URL" --env "x11$DISPLAY" --runs "$TMP/runs-B2" --recipe single --no-ocr --max-tokens 3400 "Wait" 2>&1)
dir=$(ls -d "$TMP"/runs-B2/*/)
check "[budget 3400] two calls fit, the third would not: $out" bash -c "grep -q '^ended: token_budget (not done) after 3 steps, 2 model calls' <<<'$out'"
check "[budget 3400] prompt tokens used stay within it" python3 -c 'import json,sys
e=[json.loads(l) for l in open(sys.argv[1]) if "\"run_end\"" in l][0]
sys.exit(0 if e["prompt_tokens"] <= 3400 else 1)' "$dir/trace.jsonl"
check "magi run --help lists --max-tokens once, and --max-reply-tokens" \
	bash -c "test \$('$MAGI' run --help | grep -c -- '--max-tokens') = 1 && '$MAGI' run --help | grep -q -- '--max-reply-tokens'"
finish
