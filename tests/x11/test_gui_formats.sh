#!/bin/bash
# test_gui_formats.sh — every model format preset end to end on a real Xvfb with a real X
# program: `magi run --recipe native --format F` against the stand-in speaking F (its own
# prompt is read, its own reply syntax and coordinate convention written, from the OCR of
# the image it was sent). xmessage's exit status says whether Cancel was clicked; the X
# pointer says where the click landed, compared with the point the stand-in meant (as a
# fraction of the image it saw) within the format's own resolution. Resize ratios 1.0, 0.5
# and 0.37 on 1280x720, an image the model resizes itself (openai policy: not whole
# patches), and a portrait screen. Then a scripted UI-TARS model: a point far outside is
# sent back through the repair retry, a small overshoot is clamped, a second action in
# one reply is reported and not taken; and the `single` recipe with a preset's parser.
# bench/bench_formats.sh runs the full preset x ratio matrix.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xmessage xdotool tesseract python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY
runs=$TMP/runs
BIGFONT='-*-helvetica-bold-r-normal--34-*-*-*-*-*-iso8859-1'
XRM=(-xrm '*Command.internalWidth: 16' -xrm '*Command.internalHeight: 8')

# click_case FORMAT MAX_PIXELS [RECIPE [POLICY]]: one run; checks Cancel was clicked and the
# pointer is where the stand-in meant, within the format's resolution
click_case() {
	local fmt=$1 maxpix=$2 recipe=${3:-native} policy=${4:-}
	# the native prompts show no OCR list: spare the machine the OCR
	local noocr=; [ "$recipe" = native ] && noocr=--no-ocr
	local tag="[$fmt $maxpix $recipe${policy:+ $policy}]" t0=$SECONDS
	printf '{"format":"%s","steps":[{"click_text":"Cancel"},{"done":true}]}' "$fmt" > task.json
	start_oracle O --policy gui --task task.json
	{
		printf 'models:\n  m:\n    base_url: %s\n    format: %s\n' "$O_URL" "$fmt"
		printf '    image: {%smax_pixels: %s}\n' "${policy:+policy: $policy, }" "$maxpix"
	} > m.yaml
	xmessage -fn "$BIGFONT" "${XRM[@]}" -center -buttons Save:11,Cancel:12,Retry:13 "Save the document before closing?" &
	local xm=$!
	wait_window xmessage
	local ta=$SECONDS
	out=$(timeout 120 "$MAGI" run --config m.yaml --env "x11$DISPLAY" --runs "$runs" --recipe "$recipe" $noocr --max-steps 6 "Close the dialog with Cancel" 2>&1)
	local rc=$?
	local t1=$SECONDS
	for _ in $(seq 1 50); do kill -0 $xm 2>/dev/null || break; sleep 0.1; done
	kill $xm 2>/dev/null
	wait $xm
	local st=$?
	check "$tag run exits 0: $out" test $rc = 0
	check "$tag Cancel clicked (xmessage status $st)" test $st = 12
	if [ "$recipe" = native ] && [ "$fmt" != os-atlas ] && [ "$fmt" != seeclick ]; then
		# the native loop's second request carries the first action in the model's own
		# history form (UI-TARS: its reply as an assistant turn; Qwen family: Task progress)
		check "$tag second request carries the click in the native history" python3 - "$O_LOG" <<'PY'
import json, sys
reqs = [json.loads(l)["body"] for l in open(sys.argv[1]) if json.loads(l).get("body")]
last = json.dumps(reqs[-1]["messages"]) if len(reqs) > 1 else ""
sys.exit(0 if "Step 1: {" in last or "Step 1: Click" in last or '"assistant"' in last else 1)
PY
	fi
	eval "$(xdotool getmouselocation --shell)"
	check "$tag click within the format's resolution of the meant point" \
		python3 "$SRC/tests/x11/click_error.py" "$O_LOG" "$X" "$Y" "$SW" "$SH"
	kill "$O_PID" 2>/dev/null
	wait "$O_PID" 2>/dev/null
	echo "$tag $((SECONDS - t0)) s (the run: $((t1 - ta)) s)"
}

start_xvfb 1280x720
SW=1280 SH=720
# ratios: 1003520 keeps 1280x720 (1.0); 230400 ~0.5; 126000 ~0.37
click_case uitars 1003520
click_case uitars-1.0 230400
click_case qwen2.5-vl 126000
click_case qwen3-vl 1003520 single
click_case gui-owl 230400 mobile-agent-v2
click_case os-atlas 126000
click_case seeclick 1003520
# an image that is not in whole patches: the model's own smart_resize decides its pixels
click_case qwen2.5-vl 1003520 native openai

# A scripted UI-TARS-1.5 model: far outside (repair), a small overshoot (clamped), two
# actions in one reply (the second reported, not taken), then finished.
python3 - > s.jsonl <<'PY'
import json
for c in ["Thought: the corner\nAction: click(point='<point>5000 40</point>')",
          "Thought: the right edge\nAction: click(point='<point>1295 40</point>')",
          "Thought: two at once\nAction: click(point='<point>100 100</point>')\n\nclick(point='<point>200 200</point>')",
          "Thought: done\nAction: finished(content='ok')"]:
    print(json.dumps({"content": c}))
PY
start_oracle S --script s.jsonl
out=$(timeout 60 "$MAGI" run --base-url "$S_URL" --format uitars --env "x11$DISPLAY" --runs "$runs" --recipe native --no-ocr "Click the corners" 2>&1); rc=$?
check "scripted uitars run exits 0: $out" test $rc = 0
check "far point sent back to the model" grep -q 'Your previous reply could not be used: point (5000, 40) is outside' "$S_LOG"
run=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname)
check "small overshoot clamped and noted" grep -q '"type":"reply_note".*"clamped"' "$run/trace.jsonl"
check "second action reported, not taken" grep -q '"ignored":\["click(point=' "$run/trace.jsonl"
# the native loop's own history: the second request carries the first reply as an
# assistant turn (UI-TARS' thought/action turns)
check "native history carries the model's turns" python3 - "$S_LOG" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1]) if '"chat/completions"' in l or 'completions' in l]
reqs = [r for r in reqs if r.get("body")]
last = reqs[-1]["body"]["messages"]
sys.exit(0 if any(m["role"] == "assistant" and "two at once" in json.dumps(m) for m in last) else 1)
PY
kill "$S_PID" 2>/dev/null; wait "$S_PID" 2>/dev/null

kill "$XVFB_PID"; wait "$XVFB_PID" 2>/dev/null

# a portrait (non-square, taller than wide) screen
start_xvfb 720x1280
SW=720 SH=1280
click_case uitars 126000

finish
