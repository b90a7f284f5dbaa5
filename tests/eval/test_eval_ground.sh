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
finish
