#!/bin/bash
# bench_formats.sh BUILD — the model format presets (issue 17):
# 1. click accuracy: for every preset, `magi run --recipe native --format F` on a real Xvfb
#    with an xmessage dialog, the stand-in speaking F (tests/oracle/formats.py: its own
#    syntax and coordinates, from the OCR of the image it was sent). At resize ratios 1.0,
#    0.5, 0.37 of a 1280x720 screen and at ~0.5 of a 720x1280 portrait screen. Per case:
#    whether Cancel was clicked (xmessage's exit status) and the distance from the X
#    pointer's pixel centre to the point the stand-in meant (its fraction of the image,
#    scaled to the screen); "<=1px" counts cases within 1 px on both axes. The format's own
#    resolution is a floor: 0-1000 steps are 1.28 px on a 1280 px screen, SeeClick's two
#    decimals 12.8 px, pixel formats at ratio r are 1/r screen px.
# 2. parse success on tests/data/formats/corpus.jsonl (malformed replies written for the
#    test): read as meant, refused (the repair retry asks again), wrong.
# Nothing here asserts; it prints figures.
set -u
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MAGI=$SRC/$BUILD/magi
export OMP_THREAD_LIMIT=1
TMP=$(mktemp -d /tmp/magi-bench-formats-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
BIGFONT='-*-helvetica-bold-r-normal--34-*-*-*-*-*-iso8859-1'
XRM=(-xrm '*Command.internalWidth: 16' -xrm '*Command.internalHeight: 8')
FORMATS="uitars uitars-1.0 qwen2.5-vl qwen3-vl gui-owl os-atlas seeclick"

xvfb() { # xvfb WxH: starts a server, sets DISPLAY and XPID
	Xvfb -displayfd 3 -screen 0 "$1x24" -nolisten tcp -noreset 3>"$TMP/display" >/dev/null 2>&1 &
	XPID=$!
	pids+=($XPID)
	for _ in $(seq 1 200); do [ -s "$TMP/display" ] && break; sleep 0.05; done
	export DISPLAY=:$(tr -dc 0-9 < "$TMP/display")
	: > "$TMP/display"
	for _ in $(seq 1 100); do xdpyinfo >/dev/null 2>&1 && return; sleep 0.05; done
}

one() { # one FORMAT MAX_PIXELS SW SH LABEL: prints a result line
	local fmt=$1 maxpix=$2 sw=$3 sh=$4 label=$5
	printf '{"format":"%s","steps":[{"click_text":"Cancel"},{"done":true}]}' "$fmt" > "$TMP/task.json"
	rm -f "$TMP/port" "$TMP/o.log"
	/usr/bin/python3 "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$TMP/port" --policy gui \
		--task "$TMP/task.json" --log "$TMP/o.log" 2>/dev/null &
	local op=$!
	for _ in $(seq 1 300); do [ -s "$TMP/port" ] && break; sleep 0.02; done
	printf 'models:\n  m:\n    base_url: http://127.0.0.1:%s/v1\n    format: %s\n    image: {max_pixels: %s}\n' \
		"$(cat "$TMP/port")" "$fmt" "$maxpix" > "$TMP/m.yaml"
	xmessage -fn "$BIGFONT" "${XRM[@]}" -center -buttons Save:11,Cancel:12,Retry:13 "Save the document before closing?" &
	local xm=$!
	for _ in $(seq 1 100); do xwininfo -root -tree 2>/dev/null | grep -q '("xmessage"' && break; sleep 0.05; done
	sleep 0.3
	timeout 120 "$MAGI" run --config "$TMP/m.yaml" --env "x11$DISPLAY" --runs "$TMP/runs" --recipe native --no-ocr \
		--no-report --max-steps 6 "Close the dialog with Cancel" >/dev/null 2>&1
	for _ in $(seq 1 50); do kill -0 $xm 2>/dev/null || break; sleep 0.1; done
	kill $xm 2>/dev/null
	wait $xm
	local st=$?
	eval "$(xdotool getmouselocation --shell)"
	local e
	e=$(python3 "$SRC/tests/x11/click_error.py" "$TMP/o.log" "$X" "$Y" "$sw" "$sh" --print 2>/dev/null | head -1)
	kill $op 2>/dev/null; wait $op 2>/dev/null
	echo "$fmt $label $([ "$st" = 12 ] && echo hit || echo miss) ${e:-{\}}"
}

echo "== click accuracy per preset and ratio (stand-in model; Xvfb + xmessage) =="
: > "$TMP/results"
xvfb 1280x720
for fmt in $FORMATS; do
	for r in "1003520 1.0" "230400 0.5" "126000 0.37"; do
		set -- $r
		one "$fmt" "$1" 1280 720 "$2" | tee -a "$TMP/results" >/dev/null
	done
done
kill $XPID; wait $XPID 2>/dev/null
xvfb 720x1280
for fmt in $FORMATS; do one "$fmt" 230400 720 1280 portrait-0.5 >> "$TMP/results"; done
python3 - "$TMP/results" <<'PY'
import json, sys
rows = [l.split(" ", 3) for l in open(sys.argv[1]) if l.strip()]
labels = ["1.0", "0.5", "0.37", "portrait-0.5"]
print("%-11s %s" % ("format", "  ".join("%-26s" % l for l in labels)))
tot = within = hits = 0
for fmt in dict.fromkeys(r[0] for r in rows):
    cells = []
    for lab in labels:
        r = [r for r in rows if r[0] == fmt and r[1] == lab]
        if not r:
            cells.append("%-26s" % "-"); continue
        _, _, hit, e = r[0]
        e = json.loads(e)
        tot += 1
        hits += hit == "hit"
        if "dx" not in e:
            cells.append("%-26s" % (hit + " (no point)")); continue
        ok = abs(e["dx"]) <= 1 and abs(e["dy"]) <= 1
        within += ok
        cells.append("%-26s" % ("%s d=(%+.2f,%+.2f)%s" % (hit, e["dx"], e["dy"], " <=1px" if ok else "")))
    print("%-11s %s" % (fmt, "  ".join(cells)))
print("\nCancel clicked: %d/%d cases; within 1 px of the meant point on both axes: %d/%d" % (hits, tot, within, tot))
PY

echo
echo "== parse success on the malformed-reply corpus (tests/data/formats/corpus.jsonl) =="
MAGI_FORMATS_REPORT=1 "$SRC/$BUILD/tests/test_formats" | grep -v passed
