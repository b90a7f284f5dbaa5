#!/usr/bin/env bash
# test_gen_video.sh — scripts/gen-video: deterministic questions for a seed, evidence windows
# inside their scenes, balanced answer letters, the suite layout, and (with tesseract) that
# the evidence text is on screen inside its window and gone outside it.
set -euo pipefail
command -v ffmpeg >/dev/null && command -v python3 >/dev/null || { echo "skipped: ffmpeg or python3 missing"; exit 77; }
SRC=${MAGI_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
GEN="$SRC/scripts/gen-video"
T=$(mktemp -d /tmp/magi-genvideo-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 "$GEN" video "$T/a.mp4" --minutes 3 --scene-min 20 --scene-max 30 --seed 11 --srt --quiet
python3 "$GEN" video "$T/b.mp4" --minutes 3 --scene-min 20 --scene-max 30 --seed 11 --quiet
cmp -s "$T/a.questions.jsonl" <(sed 's/"b\.mp4"/"a.mp4"/; s/"b-q/"a-q/' "$T/b.questions.jsonl") ||
	fail "same seed, different questions"
[ -s "$T/a.srt" ] || fail "no subtitles written"
[ ! -e "$T/a.part.mp4" ] || fail "partial file left behind"
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/a.mp4")
python3 - "$dur" <<'EOF' || fail "a.mp4 duration $dur"
import sys; d = float(sys.argv[1]); sys.exit(0 if abs(d - 180) < 1 else 1)
EOF

python3 - "$T/a.json" <<'EOF' || fail "metadata checks"
import json, sys
m = json.load(open(sys.argv[1]))
scenes, qs = m["scenes"], m["questions"]
assert scenes[0]["start_s"] == 0 and abs(scenes[-1]["end_s"] - 180) < 1e-6
for a, b in zip(scenes, scenes[1:]):
    assert a["end_s"] == b["start_s"] and a["background"] != b["background"]
assert len(qs) >= 2, qs
for q in qs:
    ev, s = q["evidence"], scenes[q["evidence"]["scene"]]
    assert s["start_s"] <= ev["start_s"] < ev["end_s"] <= s["end_s"], (ev, s)
    assert s["place"] in q["question"]
    letters = [c[0] for c in q["choices"]]
    assert letters == list("ABCD")[:len(letters)] and q["answer"] in letters
    right = [c for c in q["choices"] if c[0] == q["answer"]][0][3:]
    assert ev["text"].endswith(right), (ev, right)
    for d in q["distractor_scenes"]:   # distractors show the same kind with another value
        de = scenes[d]["evidence"]
        assert de and de["kind"] == s["evidence"]["kind"] and de["text"] != ev["text"]
print("metadata ok:", len(scenes), "scenes,", len(qs), "questions")
EOF

if command -v tesseract >/dev/null; then
	read -r mid before text < <(python3 -c "
import json; q = json.load(open('$T/a.json'))['questions'][0]; e = q['evidence']
print((e['start_s'] + e['end_s']) / 2, max(0, e['start_s'] - 1.5), e['text'])")
	ffmpeg -nostdin -v error -y -ss "$mid" -i "$T/a.mp4" -frames:v 1 "$T/in.png"
	ffmpeg -nostdin -v error -y -ss "$before" -i "$T/a.mp4" -frames:v 1 "$T/out.png"
	OMP_THREAD_LIMIT=1 tesseract "$T/in.png" stdout 2>/dev/null | grep -qF "$text" ||
		fail "'$text' not read at $mid s"
	if OMP_THREAD_LIMIT=1 tesseract "$T/out.png" stdout 2>/dev/null | grep -qF "$text"; then
		fail "'$text' already on screen at $before s"
	fi
	echo "ocr ok: '$text' at $mid s only"
fi

python3 "$GEN" suite "$T/suite" --videos 2 --minutes 10 --fps 1 --size 320x180 --quiet
n=$(wc -l < "$T/suite/questions.jsonl")
[ "$n" -ge 10 ] || fail "suite has $n questions"
python3 - "$T/suite" <<'EOF' || fail "suite checks"
import collections, json, os, sys
d = sys.argv[1]
qs = [json.loads(l) for l in open(os.path.join(d, "questions.jsonl"))]
assert all(os.path.exists(os.path.join(d, q["video"])) for q in qs)
assert len({q["id"] for q in qs}) == len(qs)
c = collections.Counter(q["answer"] for q in qs)
assert max(c.values()) - min(c.values()) <= 1, c
print("suite ok:", len(qs), "questions", dict(c))
EOF
echo "gen-video ok"
