#!/bin/bash
# test_eval_ground.sh — grounding end to end: a ScreenSpot-Pro-format set made by
# scripts/gen-screenspot-pro (one 3840x2160 screen, targets far under 1% of the screen), the ground and screenseeker recipes against the stand-in grounder (tesseract on
# the image it is sent, resized to ~1 Mpx; it never sees the boxes), scored as
# ScreenSpot-Pro scores it. Checks the scoring against the boxes, a negative sample, the
# same set in ScreenSpot v2's x,y,w,h form, and that the zoom finds targets the single
# call cannot read.
. "$(dirname "$0")/../integration/lib.sh"
for t in tesseract convert python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_BASE_URL MAGI_API_KEY OPENAI_API_KEY SLURM_ARRAY_TASK_ID JOB_COMPLETION_INDEX
cd "$TMP"
py() { python3 -c "import json,sys; $1" "${@:2}"; }
python3 "$SRC/scripts/gen-screenspot-pro" --out pro --screens 1 --targets 3 --seed 5 --sizes 3840x2160 >/dev/null
A=pro/annotations/screenspot_pro.json
# one negative sample: an instruction whose label is on no screen
py 'r=json.load(open(sys.argv[1])); n=dict(r[0]); n.update(id="neg-0", instruction="Click \"Quantum flux\" in the Layers panel", gt_type="negative"); n.pop("bbox"); r.append(n); json.dump(r, open(sys.argv[1], "w"))' $A
check "4 items" test "$(py 'print(len(json.load(open(sys.argv[1]))))' $A)" = 4
check "every positive target is under 1% of its screen" py 'r=json.load(open(sys.argv[1])); assert all((x["bbox"][2]-x["bbox"][0])*(x["bbox"][3]-x["bbox"][1]) < 0.01*x["img_size"][0]*x["img_size"][1] for x in r if "bbox" in x)' $A
start_oracle G --policy ground
printf 'models:\n  g:\n    base_url: %s\n    coords: pixels\n    image: {policy: qwen, max_pixels: 1003520}\n' "$G_URL" > m.yaml
# screenseeker on the three positives only (--limit: the negative is last); a search for a
# target that is nowhere visits every view, which costs the stand-in many OCR passes
for rc in ground screenseeker; do
	lim=(); [ $rc = screenseeker ] && lim=(--limit 3)
	out=$("$MAGI" eval run $A --config m.yaml --recipe $rc --out $rc "${lim[@]}" 2>err-$rc.txt); s=$?
	check "$rc: eval exits 0 ($s): $(tail -2 err-$rc.txt)" test $s = 0
done
# scoring: an item is correct exactly when its point lies inside its box
check "scores agree with the boxes" py '
for d in sys.argv[1:]:
    for l in open(d + "/results.jsonl"):
        r = json.loads(l)
        if r["negative"]: continue
        p, b = r["point"], r["bbox"]
        inside = p is not None and b[0] <= p[0] <= b[2] and b[1] <= p[1] <= b[3]
        assert inside == r["success"], r
        assert (r["outcome"] == "wrong_format") == (p is None), r' ground screenseeker
check "ground: one call per item" test "$(py 'print(json.load(open("ground/summary.json"))["calls_per_item"])')" = 1.0
check "screenseeker: plans, grounds, verifies (more calls)" py 'assert json.load(open("screenseeker/summary.json"))["calls_per_item"] > 3'
acc() { py 'print(json.load(open(sys.argv[1] + "/summary.json"))["ground"]["correct"])' $1; }
check "the zoom finds what one call cannot read: screenseeker $(acc screenseeker) > ground $(acc ground)" test "$(acc screenseeker)" -gt "$(acc ground)"
check "the negative sample is reported apart and right for ground" py 'g=json.load(open("ground/summary.json"))["ground"]; assert g["negatives"]["n"] == 1 and g["negatives"]["correct"] == 1 and g["positives"] == 3'
check "breakdown by group and ui_type" py 's=json.load(open("screenseeker/summary.json")); assert s["by"]["group"] and s["by"]["ui_type"]'
check "the search is in the trace: views, depth" bash -c "grep -h '\"type\":\"zoom_result\"' screenseeker/runs/*/*/trace.jsonl | grep -q '\"max_depth\":1'"
# the step image of a grounding run is the JPEG the model was sent (kept, not made again)
check "ground: every item's step image is byte for byte a JPEG the stand-in received, and its report shows it" py '
import glob, hashlib
sent = {i["sha256"] for l in open(sys.argv[1]) for i in json.loads(l).get("image_info") or []}
steps = glob.glob("ground/runs/*/*/step-001.jpg")
assert len(steps) == 4, steps
for f in steps:
    data = open(f, "rb").read()
    assert data[:2] == b"\xff\xd8" and hashlib.sha256(data).hexdigest() in sent, f
    assert "step-001.jpg" in open(f.rsplit("/", 1)[0] + "/report.html").read(), f' "$G_LOG"
check "own time is recorded per item" py 'assert all(json.loads(l)["own_ms"] > 0 for l in open("ground/results.jsonl"))'
# the same set in ScreenSpot v2's form (bbox x, y, w, h; data_type / data_source) scores the same
py 'r=json.load(open(sys.argv[1]))
out=[]
for x in r:
    if "bbox" not in x: continue
    b=x["bbox"]; out.append({"img_filename": x["img_filename"], "bbox": [b[0], b[1], b[2]-b[0], b[3]-b[1]], "instruction": x["instruction"], "data_type": x["ui_type"], "data_source": x["platform"]})
json.dump(out, open("pro/annotations/screenspot_v2.json", "w"))' $A
"$MAGI" eval run pro/annotations/screenspot_v2.json --config m.yaml --recipe ground --out v2 --quiet >/dev/null 2>&1
check "ScreenSpot v2 form: recognised and scored the same" test "$(py 'print(json.load(open("v2/summary.json"))["ground"]["correct"])')/$(py 'print(json.load(open("v2/eval.json"))["format"])')" = "$(acc ground)/screenspot"
# --- the model-format presets (issue 17's format:): a stand-in trained on OS-Atlas's or
# Qwen2.5-VL's own grounding form answers in it (0-1000 boxes; pixels of its own resize),
# and the recipes read it with the preset's reader and map it with the preset's resize.
# Two screens at two resize ratios (3840x2160 and 1600x900, both sent at ~1 Mpx).
mkdir -p fmt
convert -size 3840x2160 xc:'#f4f4f4' -fill black -font DejaVu-Sans -pointsize 44 -annotate +2960+1562 'Export' \
	-annotate +2960+1400 'Layers' -annotate +2500+1700 'Brush size' -pointsize 40 -annotate +200+200 'Project settings' \
	PNG24:fmt/big.png
convert -size 1600x900 xc:'#fafafa' -fill black -font DejaVu-Sans -pointsize 30 -annotate +300+658 'Import' \
	-annotate +300+560 'Open' -pointsize 22 -annotate +900+120 'Recent files' PNG24:fmt/small.png
cat > fmt/set.json <<'EOF2'
[{"img_filename": "big.png", "bbox": [2950, 1520, 170, 60], "instruction": "Click \"Export\" to save the drawing", "data_type": "text", "data_source": "linux"},
 {"img_filename": "small.png", "bbox": [295, 630, 110, 40], "instruction": "Click \"Import\"", "data_type": "text", "data_source": "linux"},
 {"img_filename": "small.png", "instruction": "Click \"Quantum flux\"", "gt_type": "negative", "data_type": "text", "data_source": "linux"}]
EOF2
# the exact point: the centre of the box the stand-in read on the image it was sent (its
# log), scaled to the screen, within the format's rounding (tol screen pixels)
exact() { # exact OUT LOG TOLDIV: TOLDIV 1000 = a 0-1000 space; 0 = pixels of the image sent
	py '
out, log, div = sys.argv[1], sys.argv[2], float(sys.argv[3])
seen = {}
for l in open(log):
    p = json.loads(l).get("policy") or {}
    if p.get("role") == "ground" and p.get("found"):
        seen.setdefault(p["target"], p)
ratios = set()
for l in open(out + "/results.jsonl"):
    r = json.loads(l)
    if r["negative"]:
        continue
    target, size = [("Export", (3840, 2160)), ("Import", (1600, 900))][r["index"]]
    p = seen[target]
    (l_, t, r_, b), (iw, ih) = p["box_px"], p["image"]
    ex, ey = (l_ + r_) / 2 / iw * size[0], (t + b) / 2 / ih * size[1]
    tol = (size[0] / div if div else size[0] / iw) + 1.5
    assert r["success"] and abs(r["point"][0] - ex) <= tol and abs(r["point"][1] - ey) <= tol, (r["point"], ex, ey, tol)
    ratios.add(round(size[0] / iw, 2))
assert len(ratios) == 2, ratios' "$@"
}
echo '{"format": "os-atlas"}' > fmt/os.json
echo '{"format": "qwen2.5-vl"}' > fmt/qwen.json
start_oracle OS --policy ground --task fmt/os.json
start_oracle QW --policy ground --task fmt/qwen.json
printf 'models:\n  grounder:\n    base_url: %s\n    image: {policy: qwen, max_pixels: 1003520}\n' "$OS_URL" > fmt/os.yaml
printf 'models:\n  grounder:\n    base_url: %s\n    format: qwen2.5-vl\n    image: {max_pixels: 1003520}\n  planner:\n    base_url: %s\n    image: {policy: qwen, max_pixels: 1003520}\n' "$QW_URL" "$QW_URL" > fmt/qwen.yaml
"$MAGI" eval run fmt/set.json --config fmt/os.yaml --recipe ground --format os-atlas --out fmt/os --quiet >/dev/null 2>fmt/os.err
check "--format os-atlas: ground lands on both targets, at the point the model named, at two resize ratios: $(tail -2 fmt/os.err)" exact fmt/os "$OS_LOG" 1000
check "os-atlas: the requests were in OS-Atlas's grounding prompt" grep -q 'corresponding to the command' "$OS_LOG"
# an image does not change when clicked: the run does not look (decode it) again after its click,
# and the step still names the screen the click was chosen on
check "ground (os-atlas): each click is traced on its screen's size, with no second look at the image" py '
import glob
steps = [json.loads(l) for f in glob.glob("fmt/os/runs/*/*/trace.jsonl") for l in open(f) if "\"type\":\"step\"" in l]
clicks = [e for e in steps if e["action"].get("action") == "click"]
assert len(steps) == 3 and len(clicks) == 2, steps
assert sorted((e["screen_w"], e["screen_h"]) for e in clicks) == [(1600, 900), (3840, 2160)], clicks
assert not any("same_screen" in e for e in clicks), clicks'
check "os-atlas: a reply with no point is no point (the negative sample is right), not an error" py '
r = [json.loads(l) for l in open("fmt/os/results.jsonl")][2]
assert r["negative"] and r["point"] is None and r["success"] and r["status"] == "ok" and r["calls"] > 1, r'
# screenseeker on the 4K screen (--limit 1): its point comes from a zoomed crop sent 1:1
for rc in ground screenseeker; do
	lim=(--limit 2); [ $rc = screenseeker ] && lim=(--limit 1)
	"$MAGI" eval run fmt/set.json --config fmt/qwen.yaml --recipe $rc --out fmt/qw-$rc "${lim[@]}" --quiet >/dev/null 2>fmt/qw-$rc.err
done
check "format: qwen2.5-vl (pixels of its own resize): ground exact at two ratios: $(tail -2 fmt/qw-ground.err)" exact fmt/qw-ground "$QW_LOG" 0
check "qwen2.5-vl: screenseeker finds the 4K target through a zoomed crop: $(tail -2 fmt/qw-screenseeker.err)" py '
rs = [json.loads(l) for l in open("fmt/qw-screenseeker/results.jsonl")]
assert len(rs) == 1 and rs[0]["success"], rs
import glob
z = [json.loads(l) for f in glob.glob("fmt/qw-screenseeker/runs/*/*/trace.jsonl") for l in open(f) if "\"zoom_result\"" in l]
assert len(z) == 1 and z[0]["found"] and z[0]["max_depth"] >= 1, z'
finish
