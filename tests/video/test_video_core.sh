#!/bin/bash
# test_video_core.sh — `magi video ask` on the one agent core, against the stand-in model
# scripted over HTTP and real FFmpeg-made videos: a reply that names one option instead of
# the JSON asked for is taken as the answer (marked as a fallback parse); frames sent never
# exceed the frames a video has; --max-tokens stops a run before a call would pass it;
# SIGINT/SIGTERM/SIGHUP end a run cleanly with 130/143/129; frames going to a remote model
# have the PII on them covered (read back with tesseract from what the model received).
. "$(dirname "$0")/../integration/lib.sh"
for t in ffmpeg python3 tesseract; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_MODEL
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
ff -f lavfi -i testsrc=s=320x240:r=10:d=6 -pix_fmt yuv420p v60.mp4           # 60 frames
ff -f lavfi -i color=c=navy:s=320x240:r=10:d=0.1 -frames:v 1 -pix_fmt yuv420p one.mp4
ff -f lavfi -i color=c=white:s=640x360:r=2:d=3 -vf "drawtext=fontfile=$FONT:text='write to alice.smith@example.com':fontsize=30:fontcolor=black:x=20:y=160" \
	-pix_fmt yuv420p pii.mp4
ask() { "$MAGI" video ask "$@" --runs "$TMP/runs" --choices "A) red|B) green|C) a test card|D) blue" --json; }
images() { python3 -c 'import json,sys; print(" ".join(str(len(r.get("image_info") or [])) for r in map(json.loads, open(sys.argv[1])) if r["path"].endswith("chat/completions")))' "$1"; }
j() { python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
answer='{"content":"{\"answer\":\"C\",\"confidence\":0.9,\"evidence\":[],\"justification\":\"seen\"}"}'

# 1. "Answer: C" where JSON was asked for: taken as the answer, once, marked in the trace
for form in "Answer: C" "The answer is C"; do
	python3 -c 'import json,sys; print(json.dumps({"content": sys.argv[1]}))' "$form" > s.jsonl
	start_oracle L --script s.jsonl
	MAGI_BASE_URL=$L_URL ask v60.mp4 "What does the video show?" --recipe uniform --frames 4 > l.json 2> l.err; rc=$?
	check "[$form] exit 0: $(head -c 300 l.err)" test $rc = 0
	check "[$form] the answer is C, with no repair round" test "$(j l.json 'o["answer"], o["calls"]')" = "('C', 1)"
	dir=$(j l.json 'o["run_dir"]')
	check "[$form] the call event says fallback_parse" grep -q '"type":"call".*"fallback_parse":"letter"' "$dir/trace.jsonl"
	kill "$L_PID" 2>/dev/null; wait "$L_PID" 2>/dev/null
done
printf '%s\n' '{"content":"C or D, hard to say"}' "$answer" > s.jsonl
start_oracle A --script s.jsonl
MAGI_BASE_URL=$A_URL ask v60.mp4 "What does the video show?" --recipe uniform --frames 4 > a.json 2>/dev/null
check "a reply naming two options is repaired, not guessed: $(j a.json 'o["answer"], o["calls"]')" \
	test "$(j a.json 'o["answer"], o["calls"]')" = "('C', 2)"
kill "$A_PID" 2>/dev/null; wait "$A_PID" 2>/dev/null

# 2. frames sent never exceed the distinct frames available
echo "$answer" > s.jsonl
start_oracle F1 --script s.jsonl
MAGI_BASE_URL=$F1_URL ask one.mp4 "What colour is it?" --recipe uniform > f1.json 2>f1.err
check "a 1-frame video sends 1 frame, not 32: server saw '$(images "$F1_LOG")', frames_sent $(j f1.json 'o["frames_sent"]')" \
	bash -c "test '$(images "$F1_LOG")' = 1 && test '$(j f1.json 'o["frames_sent"]')' = 1"
kill "$F1_PID" 2>/dev/null; wait "$F1_PID" 2>/dev/null
start_oracle F2 --script s.jsonl
MAGI_BASE_URL=$F2_URL ask v60.mp4 "What does it show?" --recipe uniform --frames 100 > f2.json 2>f2.err
n=$(images "$F2_LOG")
check "--frames 100 on a 60-frame video sends at most 60 frames (sent $n)" test "$n" -le 60 -a "$n" -ge 45
dir=$(j f2.json 'o["run_dir"]')
check "... each of them a different frame" python3 -c 'import json,sys
t=[e for e in map(json.loads, open(sys.argv[1])) if e["type"]=="frames"][0]["times"]
sys.exit(0 if len(t) == len(set(t)) == int(sys.argv[2]) else 1)' "$dir/trace.jsonl" "$n"
kill "$F2_PID" 2>/dev/null; wait "$F2_PID" 2>/dev/null

# 3. --max-tokens: the run's budget; no call starts that would pass it
start_oracle B --script s.jsonl
MAGI_BASE_URL=$B_URL ask v60.mp4 "What does it show?" --recipe uniform --max-tokens 500 > b.json 2>b.err; rc=$?
got="exit $rc, $(j b.json 'o["reason"], o["calls"]'), $(cat "$B_LOG" 2>/dev/null | grep -c chat/completions) requests"
check "budget 500 < one request of 32 frames: exit 1, token_budget, no request sent ($got)" \
	test "$got" = "exit 1, ('token_budget', 0), 0 requests"
check "... and says why: $(cat b.err)" grep -q 'token budget of 500' b.err
kill "$B_PID" 2>/dev/null; wait "$B_PID" 2>/dev/null

# 3b. a trace that cannot be written: exit 3 before the model is asked; the error names the
# file and the OS error, and no "trace:" line offers the broken record
start_oracle W --script s.jsonl
MAGI_FAULT_WRITE=1:EIO MAGI_BASE_URL=$W_URL "$MAGI" video ask v60.mp4 "What does it show?" --recipe uniform --frames 4 \
	--runs "$TMP/runs-w" > w.out 2> w.err; rc=$?
check "trace write fails: exit 3 (got $rc), no request, trace.jsonl and EIO named, no trace line" \
	bash -c "test $rc = 3 && test \$(cat '$W_LOG' 2>/dev/null | grep -c chat/completions) = 0 && grep -q 'trace.jsonl: Input/output error' w.err && ! grep -q '^trace:' w.err w.out"
kill "$W_PID" 2>/dev/null; wait "$W_PID" 2>/dev/null

# 4. signals: the run in flight ends cleanly, with the usual last lines
for sig in INT TERM HUP; do
	start_oracle S --script s.jsonl --delay-ms 60000 --save-images "$TMP/inflight-$sig"
	MAGI_BASE_URL=$S_URL "$MAGI" video ask v60.mp4 "What does it show?" --recipe uniform --frames 4 \
		--runs "$TMP/runs-$sig" > sig.out 2> sig.err &
	pid=$!
	# the oracle saves a request's images as it arrives, before its (modelled) delay
	for _ in $(seq 1 200); do [ -n "$(ls "$TMP/inflight-$sig" 2>/dev/null)" ] && break; sleep 0.1; done
	kill -$sig $pid
	wait $pid; rc=$?
	want=$((128 + $(kill -l $sig)))
	dir=$(ls -d "$TMP/runs-$sig"/*/)
	check "[$sig] exit $want (got $rc): $(cat sig.err)" test $rc = $want
	check "[$sig] the cost, trace and report lines" bash -c "grep -q '^cost: ' sig.out && grep -q '^trace: ' sig.out && grep -q '^report: ' sig.out"
	check "[$sig] run_end and summary.json say interrupted" bash -c "grep -q '\"type\":\"run_end\".*\"reason\":\"interrupted\"' '$dir/trace.jsonl' && grep -q '\"reason\": \"interrupted\"' '$dir/summary.json'"
	check "[$sig] the call in flight is traced as cancelled" grep -q '"status":"ERR_CANCELLED"' "$dir/trace.jsonl"
	kill "$S_PID" 2>/dev/null; wait "$S_PID" 2>/dev/null
done

# 5. a remote model gets frames with the PII covered; a local one the frames as they are
echo "${answer/\\\"C\\\"/\\\"A\\\"}" > s.jsonl
for trust in remote local; do
	start_oracle P_$trust --script s.jsonl --save-images "$TMP/img-$trust"
	url=P_${trust}_URL log=P_${trust}_LOG pid=P_${trust}_PID
	printf 'models:\n  m: {base_url: "%s", trust: %s}\n' "${!url}" "$trust" > p.yaml
	"$MAGI" video ask pii.mp4 "Who is written to?" --recipe uniform --frames 2 --config p.yaml --runs "$TMP/runs" \
		--choices "A) alice|B) bob" > p.out 2>&1
	shopt -s nullglob
	imgs=("$TMP/img-$trust"/*)
	shopt -u nullglob
	read_back=""
	for f in "${imgs[@]}"; do read_back+=$(tesseract "$f" - 2>/dev/null); done
	sent=$(images "${!log}")
	if [ $trust = remote ]; then
		check "[remote] 2 frames sent ($sent), the address unreadable on them: '$(tr '\n' ' ' <<<"$read_back")'" \
			bash -c "test '$sent' = 2 && test ${#imgs[@]} -ge 1 && ! grep -q 'example' <<<'$read_back' && grep -qi 'write' <<<'$read_back'"
	else
		check "[local] 2 frames sent ($sent), the address readable (the scan is not a no-op): '$(tr '\n' ' ' <<<"$read_back")'" \
			bash -c "test '$sent' = 2 && test ${#imgs[@]} -ge 1 && grep -q 'example.com' <<<'$read_back'"
	fi
	kill "${!pid}" 2>/dev/null; wait "${!pid}" 2>/dev/null
done
finish
