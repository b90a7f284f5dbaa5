#!/bin/bash
# test_ponder_press.sh — the ponder-press recipe end to end on a real Xvfb against a real
# xmessage dialog, with its two roles on two different servers (two oracle instances) that
# speak coordinates differently: the interpreter is a text-only model (vision: false; it
# reads the perception list and names the element), the locator a grounding model that
# answers "(x,y)" normalised to 0-1000 of a downscaled image (its own image policy). The
# dialog's exit status says which button was pressed: only Cancel (12) passes, so a wrong
# mapping from the locator's space to the screen fails.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xmessage tesseract python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_MODEL MAGI_BASE_URL
start_xvfb
BIGFONT='-*-helvetica-bold-r-normal--34-*-*-*-*-*-iso8859-1'
printf '{"steps":[{"click":"Cancel"},{"done":true}]}' > interp.json
printf '{"coords":"norm1000"}' > loc.json
start_oracle I --policy ponder --task interp.json
start_oracle L --policy ponder --task loc.json
cat > magi.yaml <<EOF
default: general
models:
  general: {base_url: "$I_URL", vision: false}
  grounder: {base_url: "$L_URL", coords: norm1000, image: {max_pixels: 400000}}
roles:
  interpreter: general
  locator: grounder
EOF
( xmessage -fn "$BIGFONT" -xrm '*Command.internalWidth: 16' -xrm '*Command.internalHeight: 8' -geometry +40+300 \
	-buttons Save:11,Cancel:12,Retry:13 "Keep your edits to notes.txt?"; echo $? > xm.status ) &
XM=$!
wait_window xmessage
out=$(MAGI_CONFIG=magi.yaml timeout 180 "$MAGI" run --env "x11$DISPLAY" --recipe ponder-press --no-ask \
	--runs "$TMP/runs" --max-steps 6 "Close the dialog with Cancel" 2>&1); rc=$?
for _ in $(seq 1 50); do [ -s xm.status ] && break; sleep 0.1; done
kill $XM 2>/dev/null; wait $XM 2>/dev/null
check "magi run exits 0: $out" test $rc = 0
check "the dialog saw Cancel (xmessage status $(cat xm.status 2>/dev/null))" test "$(cat xm.status 2>/dev/null)" = 12
run=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname 2>/dev/null)
check "a run directory with a trace: '$run'" test -s "$run/trace.jsonl"
python3 - "$run/trace.jsonl" "$I_LOG" "$L_LOG" > facts.txt <<'PY'
import json, sys
trace = [json.loads(l) for l in open(sys.argv[1])]
loc = [e for e in trace if e["type"] == "locate"]
print("locates", len(loc))
if loc:
    e = loc[0]
    print("loc_coords", e["coords"])
    print("loc_norm", int(0 <= e["x"] <= 1000 and 0 <= e["y"] <= 1000))
    print("loc_target_quoted", int('"Cancel"' in e["target"]))
    print("loc_screen", e["screen_x"], e["screen_y"])
steps = [e for e in trace if e["type"] == "step" and e.get("action")]
print("first_action", steps[0]["action"]["action"] if steps else "-", steps[0].get("coords") if steps else "-")
ireq = [json.loads(l) for l in open(sys.argv[2])]
ireq = [r for r in ireq if r.get("path", "").endswith("/chat/completions")]
print("interp_calls", len(ireq))
print("interp_images", sum(len(r.get("image_info") or []) for r in ireq))
import re
print("interp_saw_perception", int(bool(ireq) and bool(re.search(r'^- "[^"]*Cancel[^"]*" at \(\d+, \d+\)', "".join(
    p.get("text", "") if isinstance(p, dict) else str(p)
    for m in ireq[0]["body"]["messages"] for p in (m["content"] if isinstance(m["content"], list) else [{"text": m["content"]}])), re.M))))
lreq = [json.loads(l) for l in open(sys.argv[3])]
lreq = [r for r in lreq if r.get("path", "").endswith("/chat/completions")]
print("loc_calls", len(lreq))
if lreq:
    info = lreq[0]["image_info"][0]
    print("loc_image", info["w"], info["h"])
    print("loc_told_norm", int("0 to 1000" in json.dumps(lreq[0]["body"])))
PY
fact() { sed -n "s/^$1 //p" facts.txt; }
check "one locate event (facts: $(tr '\n' ';' < facts.txt))" test "$(fact locates)" = 1
check "the locator answered in norm1000" test "$(fact loc_coords)" = norm1000
check "its point is inside 0..1000" test "$(fact loc_norm)" = 1
check "the interpreter named the element by its label" test "$(fact loc_target_quoted)" = 1
check "the step traced the locator's coordinate space" test "$(fact first_action)" = "click norm1000"
check "the text-only interpreter was sent no image" test "$(fact interp_images)" = 0
check "the interpreter read the perception list" test "$(fact interp_saw_perception)" = 1
check "the interpreter decided twice (click, done)" test "$(fact interp_calls)" = 2
check "the locator was asked once" test "$(fact loc_calls)" = 1
set -- $(fact loc_image)
check "the locator saw a downscaled screen (${1:-?}x${2:-?}, under its 400000-pixel budget)" \
	test "${1:-0}" -gt 0 -a "$(( ${1:-0} * ${2:-0} ))" -le 400000 -a "${1:-0}" != 1280
check "the locator was told its 0-1000 space" test "$(fact loc_told_norm)" = 1
check "magi trace show lists the placement" bash -c '"$1" trace show "$2" | grep -q "locate  .*Cancel.* norm1000 = screen"' _ "$MAGI" "$run"

# Scripted replies on a fixed 800x600 image: the interpreter's first answer gives
# coordinates instead of a target and is sent back; the locator (norm1) first answers a
# point off the image (sent back with the valid range), then a box, whose centre is used.
convert -size 800x600 xc:white shot.png
cat > i2.jsonl <<'EOF'
{"content": "### Thought ###\nThe Save button.\n### Action ###\n{\"action\":\"click\",\"x\":5,\"y\":5}"}
{"content": "### Thought ###\nThe Save button.\n### Action ###\n{\"action\":\"click\",\"target\":\"the Save button\"}\n### Operation ###\nClick Save"}
{"content": "### Thought ###\nDone.\n### Action ###\n{\"action\":\"done\",\"success\":true}"}
EOF
cat > l2.jsonl <<'EOF'
{"content": "(1.4, 0.5)"}
{"content": "The element is at [0.2, 0.4, 0.4, 0.6]."}
EOF
start_oracle I2 --script i2.jsonl
start_oracle L2 --script l2.jsonl
cat > magi2.yaml <<EOF
default: general
models:
  general: {base_url: "$I2_URL"}
  grounder: {base_url: "$L2_URL", coords: norm1}
roles: {interpreter: general, locator: grounder}
EOF
out2=$(MAGI_CONFIG=magi2.yaml timeout 60 "$MAGI" run --env image:shot.png --recipe ponder-press --no-ask --no-ocr \
	--runs "$TMP/runs" --max-steps 3 "Press Save" 2>&1); rc=$?
check "the scripted run exits 0: $out2" test $rc = 0
run2=$(sed -n 's/^trace: *//p' <<<"$out2" | xargs dirname 2>/dev/null)
python3 - "$run2/trace.jsonl" > facts2.txt <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
st = [e for e in ev if e["type"] == "step" and e["action"]["action"] == "click"]
if st:
    print("click", st[0]["action"]["x"], st[0]["action"]["y"])
lo = [e for e in ev if e["type"] == "locate"]
if lo:
    print("locate", round(lo[0]["x"], 6), round(lo[0]["y"], 6), lo[0]["coords"])
calls = [e for e in ev if e["type"] == "call"]
print("interp_repair", int(any(c["role"] == "interpreter" and "target" in c.get("parse_error", "") for c in calls)))
print("loc_repair", int(any(c["role"] == "locator" and "1.4" in c.get("parse_error", "") for c in calls)))
PY
check "the box's centre (0.3, 0.5 of 800x600) is clicked ($(tr '\n' ';' < facts2.txt))" grep -q "^click 240 300$" facts2.txt
check "the locate event has the point as given, in norm1" grep -q "^locate 0.3 0.5 norm1$" facts2.txt
check "an interpreter answer with coordinates and no target went back to it" grep -q "^interp_repair 1$" facts2.txt
check "a point off the image went back to the locator" grep -q "^loc_repair 1$" facts2.txt
finish
