#!/usr/bin/env bash
# test_recall.sh — end to end: generate screenshots with known PII (scripts/gen-pii-shots),
# OCR them with magi_ocr_run, scan, redact, and re-read the redacted images with the
# tesseract command (bench_guard recall). A small set keeps it quick; the full measurement
# is `bench_guard recall DIR` over 100+ images (docs/guards.md).
# A regression guard, not the measurement: on 24 images one OCR miss moves a type's recall
# by 3%, so the bounds sit below the 100-image targets. Fails when overall recall drops
# below 0.93, email/phone/card/IBAN below 0.90, a PII-free image gets more than 0.2
# findings on average, or more than 3% of the PII strings survive redaction.
set -u
src=${MAGI_SRC_DIR:?}
bin=${MAGI_BIN_DIR:?}
command -v convert >/dev/null || { echo "skipped: ImageMagick convert missing"; exit 77; }
command -v tesseract >/dev/null || { echo "skipped: tesseract missing"; exit 77; }
bench="$bin/bench/bench_guard"
[ -x "$bench" ] || { echo "skipped: $bench not built"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/magi-pii.XXXXXX")
trap 'rm -rf "$dir"' EXIT
python3 "$src/scripts/gen-pii-shots" --out "$dir" --count 24 --clean 8 --seed 11 --jobs 2 || exit 1
"$bench" recall "$dir" > "$dir/report.txt"
cat "$dir/report.txt"
python3 - "$dir/report.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
fail = []
rows = dict((m.group(1), (int(m.group(2)), float(m.group(4))))
            for m in re.finditer(r"^(\w+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+[\d.]+\s+\d+", text, re.M))
if rows.get("overall", (0, 0))[1] < 0.93:
    fail.append("overall recall %.3f < 0.93" % rows.get("overall", (0, 0))[1])
for t in ("email", "phone", "card", "iban"):
    if t in rows and rows[t][1] < 0.90:
        fail.append("%s recall %.3f < 0.90" % (t, rows[t][1]))
m = re.search(r"false positives: (\d+) on (\d+) PII-free images", text)
if m and int(m.group(2)) and int(m.group(1)) / int(m.group(2)) > 0.2:
    fail.append("false positives %s on %s clean images" % (m.group(1), m.group(2)))
m = re.search(r"finds (\d+) of (\d+) PII strings", text)
if m and int(m.group(1)) > 0.03 * int(m.group(2)):
    fail.append("%s of %s PII strings survive redaction" % (m.group(1), m.group(2)))
print("\n".join(fail) if fail else "recall test: targets met")
sys.exit(1 if fail else 0)
PY
