#!/usr/bin/env bash
# test_recall_real.sh — a smoke case of the real-program measurement (scripts/gen-pii-real):
# two screens of PII made by the standards' rules (scripts/pii-cases), shown by a real
# xterm and a real xmessage under a private Xvfb, and one man page in xterm with no PII;
# then bench_guard recall OCRs them, scans, redacts and re-reads the redacted images with
# the tesseract command. The measurement itself (60+ screens, four programs) runs in bench
# (docs/guards.md); this only checks that the pipeline works end to end.
# Fails when the generator or the bench fails, when its report lacks a line judged here,
# when fewer than 10 items are on the screens, when overall recall falls under 0.6 (the
# small screens' OCR misses some), when any item the guard found is still readable after
# redaction, or when the PII-free screen gets more than 2 findings.
set -u
src=${MAGI_SRC_DIR:?}
bin=${MAGI_BIN_DIR:?}
for tool in Xvfb xterm xmessage import convert tesseract; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool missing"; exit 77; }
done
command -v man >/dev/null || { echo "skipped: man missing"; exit 77; }
bench="$bin/bench/bench_guard"
[ -x "$bench" ] || { echo "skipped: $bench not built"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/magi-pii-real.XXXXXX")
trap 'rm -rf "$dir"' EXIT
python3 "$src/scripts/gen-pii-real" --out "$dir" --seed 4242 --screens 2 --clean 1 \
  --programs xterm,xmessage --per-screen 6 || { echo "gen-pii-real failed"; exit 1; }
"$bench" recall "$dir" > "$dir/report.txt"
rc=$?
cat "$dir/report.txt"
# 0: targets met, 1: a target missed (judged below with this test's bounds); else failed
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
  echo "bench_guard recall exited with status $rc"
  exit 1
fi
python3 - "$dir/report.txt" "$dir/truth.jsonl" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
truth = [json.loads(l) for l in open(sys.argv[2])]
fail = []
items = [t for t in truth if t["type"] != "none"]
clean = [t for t in truth if t["type"] == "none"]
if len(items) < 10:
    fail.append("only %d PII items on the screens" % len(items))
if len(clean) != 1:
    fail.append("%d PII-free screens, expected 1" % len(clean))
m = re.search(r"^overall\s+(\d+)\s+(\d+)\s+([\d.]+)", text, re.M)
if not m:
    fail.append("no 'overall' row in the recall table")
elif int(m.group(1)) != len(items):
    fail.append("the bench counted %s items, the truth has %d" % (m.group(1), len(items)))
elif float(m.group(3)) < 0.6:
    fail.append("overall recall %s < 0.6" % m.group(3))
m = re.search(r"false positives: (\d+) on (\d+) PII-free images", text)
if not m or int(m.group(2)) != 1:
    fail.append("no 'false positives: N on 1 PII-free images' line")
elif int(m.group(1)) > 2:
    fail.append("%s findings on the man page" % m.group(1))
m = re.search(r"strings \(>= 4 chars\): (\d+) of the found items", text)
if not m:
    fail.append("no 'N of the found items' count after redaction")
elif int(m.group(1)):
    fail.append("%s found items still readable after redaction" % m.group(1))
print("\n".join(fail) if fail else "real-program recall smoke test: passed")
sys.exit(1 if fail else 0)
PY
