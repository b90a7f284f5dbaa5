#!/bin/bash
# test_ponder_press_drag.sh — a ponder-press drag end to end on a real Xvfb: the interpreter
# (text-only, reading the perception list) names both ends, the locator (a grounding model
# answering norm1000 of a downscaled image, its own server) places each with
# magi_run_ground, and magi drags. The screen is a real xterm whose program turned on the
# terminal's mouse reporting (button-event tracking, SGR cells): what xterm reported is the
# proof — a press on the cells of APPLE, motion with the button held, a release on BASKET.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xterm tesseract python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
cd "$TMP"
PY=/usr/bin/python3; [ -x $PY ] || PY=python3
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_MODEL MAGI_BASE_URL
start_xvfb
# the board: APPLE at row 4, columns 6-10; BASKET at row 12, columns 40-45 (1-based cells)
cat > board.py <<'PY'
import os, re, sys, tty
log = open(sys.argv[1], "a", buffering=1)
fd = sys.stdin.fileno()
tty.setraw(fd)
os.write(1, b"\x1b[?25l\x1b[2J\x1b[4;6HAPPLE\x1b[12;40HBASKET\x1b[?1002h\x1b[?1006h")
log.write("ready\n")
buf = b""
while True:
    b = os.read(fd, 256)
    if not b:
        break
    buf += b
    end = 0
    for m in re.finditer(rb"\x1b\[<(\d+);(\d+);(\d+)([Mm])", buf):
        log.write("%s %s %s %s\n" % (m.group(1).decode(), m.group(2).decode(), m.group(3).decode(),
                                      "press" if m.group(4) == b"M" else "release"))
        end = m.end()
    buf = buf[end:]
PY
xterm -fn 10x20 -geometry 60x16+0+0 -e $PY "$TMP/board.py" "$TMP/mouse.log" &
XT=$!
ORACLE_PIDS+=("$XT")
for _ in $(seq 1 100); do grep -q ready mouse.log 2>/dev/null && break; sleep 0.1; done
check "the board program is up" grep -q ready mouse.log
printf '{"steps":[{"drag":["APPLE","BASKET"]},{"done":true}]}' > interp.json
printf '{"coords":"norm1000"}' > loc.json
start_oracle I --policy ponder --task interp.json
start_oracle L --policy ponder --task loc.json
cat > magi.yaml <<EOF
default: general
models:
  general: {base_url: "$I_URL", vision: false}
  grounder: {base_url: "$L_URL", coords: norm1000, image: {max_pixels: 400000}}
roles: {interpreter: general, locator: grounder}
EOF
out=$(MAGI_CONFIG=magi.yaml timeout 180 "$MAGI" run --env "x11$DISPLAY" --recipe ponder-press --no-ask \
	--runs "$TMP/runs" --max-steps 4 "Drag APPLE onto BASKET" 2>&1); rc=$?
check "magi run exits 0: $out" test $rc = 0
run=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname 2>/dev/null)
$PY - "$run/trace.jsonl" mouse.log > facts.txt <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
loc = [e for e in ev if e["type"] == "locate"]
print("locates", len(loc), " ".join(e["coords"] for e in loc))
st = [e for e in ev if e["type"] == "step" and e.get("action")]
print("first_action", st[0]["action"]["action"] if st else "-")
m = [l.split() for l in open(sys.argv[2]) if l[0].isdigit()]
press = [x for x in m if x[0] == "0" and x[3] == "press"]
motion = [x for x in m if x[0] == "32"]
release = [x for x in m if x[3] == "release"]
# cells: 1-based column, row
print("press", *(press[0][1:3] if press else ["-", "-"]))
print("motion", len(motion))
print("release", *(release[-1][1:3] if release else ["-", "-"]))
print("order", int(bool(press and release) and m.index(press[0]) < m.index(release[-1])))
PY
fact() { sed -n "s/^$1 //p" facts.txt; }
check "two locate events, both norm1000 (facts: $(tr '\n' ';' < facts.txt))" test "$(fact locates)" = "2 norm1000 norm1000"
check "the first step was a drag" test "$(fact first_action)" = drag
set -- $(fact press)
check "xterm reported the press on APPLE (cell $1,$2: columns 6-10, row 4)" test "${1:-0}" -ge 6 -a "${1:-0}" -le 10 -a "${2:-0}" = 4
check "xterm reported motion with the button held ($(fact motion) events)" test "$(fact motion)" -ge 1
set -- $(fact release)
check "xterm reported the release on BASKET (cell $1,$2: columns 40-45, row 12)" test "${1:-0}" -ge 40 -a "${1:-0}" -le 45 -a "${2:-0}" = 12
check "the press came before the release" test "$(fact order)" = 1
finish
