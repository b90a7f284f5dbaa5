#!/bin/bash
# test_icons.sh — icon perception (--icons) on a real X screen. ImageMagick draws three
# non-text widgets (a red circle, a blue square, a green triangle), a text label and a large
# frame, and ImageMagick's `display` shows the 1000x600 picture in a window at the top left. magi proposes icon boxes
# from the screenshot's pixels (edges, components, small boxes, merged), crops them and has
# a captioner model on its own server caption every crop in one batch; the stand-in
# captioner (tests/oracle/policies/icons.py) only measures the crop it was sent. The
# decision model reads "icon: a red circle at (x, y)" from the perception list and clicks
# there: the pointer must end inside the drawn circle. Step 1 only waits, so the screen of
# step 2 is the same and its crops are all cache hits: no captioner call in step 2. (The
# click opens display's command window, which step 3 sees and captions.)
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb display convert xdotool tesseract python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_MODEL MAGI_BASE_URL
start_xvfb
convert -size 1000x600 xc:white \
	-fill '#dd2222' -draw 'circle 300,200 340,200' \
	-fill '#2244dd' -draw 'rectangle 600,170 670,240' \
	-fill '#22aa22' -draw 'polygon 950,160 910,240 990,240' \
	-fill none -stroke black -strokewidth 3 -draw 'rectangle 100,380 900,590' -stroke none \
	-fill black -font DejaVu-Sans -pointsize 40 -draw 'text 200,520 "Settings and more"' \
	shapes.png || exit 1
display -geometry +0+0 shapes.png &
DP=$!
ORACLE_PIDS+=("$DP")
# ImageMagick's class name carries its build ("Display-im6.q16"): wait for any of them
for _ in $(seq 1 100); do xwininfo -root -tree 2>/dev/null | grep -qi '("display' && break; sleep 0.05; done
sleep 0.5
printf '{"coords":"norm1000","steps":[{"wait":1},{"click_icon":"red"},{"done":true}]}' > task.json
printf '{}' > cap.json
start_oracle D --policy icons --task task.json
# a modelled 1 s per caption, so that requests in flight together visibly overlap
start_oracle C --policy icons --task cap.json --delay-ms 1000
cat > magi.yaml <<EOF
default: agent
models:
  agent: {base_url: "$D_URL", coords: norm1000}
  captions: {base_url: "$C_URL"}
roles:
  captioner: captions
EOF
out=$(MAGI_CONFIG=magi.yaml timeout 180 "$MAGI" run --env "x11$DISPLAY" --recipe single --icons --no-ask \
	--runs "$TMP/runs" --max-steps 5 --settle 100 "Click the red circle" 2>&1); rc=$?
check "magi run exits 0: $out" test $rc = 0
eval "$(xdotool getmouselocation --shell 2>/dev/null | grep -E '^[XY]=')"
check "the pointer is inside the red circle (at ${X:-?},${Y:-?})" \
	test "$(( (${X:-0} - 300) ** 2 + (${Y:-0} - 200) ** 2 ))" -le 1600
run=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname 2>/dev/null)
python3 - "$run/trace.jsonl" "$D_LOG" "$C_LOG" > facts.txt <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ic = [e for e in ev if e["type"] == "icons"]
print("icon_events", len(ic))
def near(e, x, y, r):
    return [i["caption"] for i in e["icons"] if abs(i["box"][0] + i["box"][2] / 2 - x) <= r and abs(i["box"][1] + i["box"][3] / 2 - y) <= r]
if ic:
    e = ic[0]
    print("step1", e["proposed"], e["cached"], e["captioned"], e["shown"])
    print("red", "|".join(near(e, 300, 200, 12)))
    print("blue", "|".join(near(e, 635, 205, 12)))
    print("green", "|".join(near(e, 950, 213, 20)))
    print("text_icon", int(any(i["box"][1] < 520 < i["box"][1] + i["box"][3] and i["box"][0] < 400 for i in e["icons"])))
    print("small", int(all(i["box"][2] * i["box"][3] < 0.05 * 1280 * 720 for i in e["icons"])))
if len(ic) > 1:
    print("step2", ic[1]["proposed"], ic[1]["cached"], ic[1]["captioned"])
calls = [e for e in ev if e["type"] == "call" and e.get("role") == "captioner"]
print("cap_calls_step1", sum(1 for c in calls if c.get("step") == 1))
print("cap_calls_step2", sum(1 for c in calls if c.get("step") == 2))
reqs = [json.loads(l) for l in open(sys.argv[2])]
reqs = [r for r in reqs if r.get("path", "").endswith("/chat/completions")]
txt = json.dumps(reqs[0]["body"]) if reqs else ""
print("decision_sees_icon", int("- icon: a red circle at (" in txt))
# the first step's captions were one batch: every request had arrived before any answer left
creq = [json.loads(l) for l in open(sys.argv[3])]
creq = [r for r in creq if r.get("path", "").endswith("/chat/completions")]
n1 = ic[0]["captioned"] if ic else 0
first = creq[:n1]
print("batch", int(len(first) >= 3 and max(r["t"] for r in first) < min(r["t_end"] for r in first)))
PY
fact() { sed -n "s/^$1 //p" facts.txt; }
set -- $(fact step1)
check "step 1 proposed icons and captioned every one ($(tr '\n' ';' < facts.txt))" test "${1:-0}" -ge 3 -a "${2:-x}" = 0 -a "${3:-0}" = "${1:-x}"
check "the red circle is captioned as one" test "$(fact red)" = "a red circle"
check "the blue square is captioned as one" test "$(fact blue)" = "a blue square"
check "the green triangle is captioned as one" test "$(fact green)" = "a green triangle"
check "the text label is no icon (the OCR list has it)" test "$(fact text_icon)" = 0
check "every box is under 5% of the screen (the large frame is dropped)" test "$(fact small)" = 1
check "one captioner call per new crop, all in step 1" test "$(fact cap_calls_step1)" = "${3:-x}"
set -- $(fact step2)
check "step 2: every crop a cache hit" test "${1:-0}" -ge 3 -a "${2:-x}" = "${1:-y}" -a "${3:-x}" = 0
check "the first step's captions were in flight together (one batch)" test "$(fact batch)" = 1
check "no captioner call in step 2" test "$(fact cap_calls_step2)" = 0
check "the decision model was shown the icon in its perception list" test "$(fact decision_sees_icon)" = 1
check "magi trace show lists the icons of each step" test "$("$MAGI" trace show "$run" | grep -c '  icons   ')" = 3
finish
