#!/bin/bash
# test_guard_cli.sh — `magi guard scan` and `magi guard redact` as a person uses them, on
# screenshots rendered by ImageMagick and read with real OCR: what they print and exit
# with, that a redacted image no longer shows the PII (tesseract reads it back) but keeps
# the rest, that a user secret is named and never printed, and clear errors for bad input.
. "$(dirname "$0")/../integration/lib.sh"
for t in convert tesseract; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
cd "$TMP"
draw() { # draw OUT LINE... — black text on white, one line every 60 px
	local out=$1; shift
	local args=() y=60
	for l in "$@"; do args+=(-draw "text 40,$y '$l'"); y=$((y + 60)); done
	convert -size 1000x$((y + 20)) xc:white -font DejaVu-Sans -pointsize 26 -fill black "${args[@]}" "$out"
}
draw pii.png 'Invoice for Jane Doe' 'E-mail: jane.doe@example.com' 'Card 4111 1111 1111 1111' \
	'IBAN DE89 3704 0044 0532 0130 00' 'Recovery code Tr0ub4dor-77x'
draw clean.png 'Quarterly report' 'Revenue grew in every region' 'See the appendix for details'

# scan: findings, exit 1; nothing found, exit 0
out=$("$MAGI" guard scan pii.png 2>err.txt); rc=$?
check "scan exits 1 when it finds PII (rc=$rc)" test $rc -eq 1
for t in email card iban; do check "scan reports the $t: $out" contains "$out" "$t"; done
check "scan names the e-mail it found" contains "$out" "jane.doe@example.com"
check "scan summary on stderr: $(cat err.txt)" grep -q "PII finding" err.txt
out=$("$MAGI" guard scan clean.png 2>/dev/null); rc=$?
check "scan of a PII-free screenshot exits 0 and prints nothing (rc=$rc): $out" test $rc -eq 0 -a -z "$out"

# --json: one object per line, each with a type and a box inside the image
"$MAGI" guard scan --json pii.png > scan.jsonl 2>/dev/null
check "--json lines are JSON with type, text and a box" python3 - scan.jsonl <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) >= 3, rows
for r in rows:
    x, y, w, h = r["box"]
    assert r["type"] and "text" in r and 0 <= x and 0 <= y and w > 0 and h > 0 and x + w <= 1010, r
PY

# a user secret: found, named, its value never printed
out=$("$MAGI" guard scan --secret RECOVERY=Tr0ub4dor-77x pii.png 2>/dev/null)
check "the secret is reported by its name: $out" contains "$out" "RECOVERY"
check "the secret's value is never printed" bash -c "! grep -q 'Tr0ub4dor' <<<'$out'"

# ... or from a config file's guards: section, the value from the environment
printf 'guards:\n  secrets:\n    RECOVERY: {env: MAGI_TEST_RECOVERY}\n' > g.yaml
out=$(MAGI_TEST_RECOVERY=Tr0ub4dor-77x "$MAGI" guard scan --config g.yaml pii.png 2>/dev/null)
check "a secret from --config is reported by its name: $out" contains "$out" "RECOVERY"
check "... and its value never printed" bash -c "! grep -q 'Tr0ub4dor' <<<'$out'"
out=$(cd "$TMP" && cp g.yaml magi.yaml && MAGI_TEST_RECOVERY=Tr0ub4dor-77x "$MAGI" guard scan pii.png 2>/dev/null)
check "./magi.yaml is read when present: $out" contains "$out" "RECOVERY"
rm -f magi.yaml
err=$("$MAGI" guard scan --config g.yaml pii.png 2>&1 >/dev/null); rc=$?
check "an unset variable in the config is exit 3 naming file and key (got $rc): $err" \
	bash -c "[ $rc -eq 3 ] && grep -q 'g.yaml: guards.secrets.RECOVERY' <<<\"\$1\"" _ "$err"

# redact: the PII is gone for an OCR reading the output, the rest is still there
"$MAGI" guard redact --secret RECOVERY=Tr0ub4dor-77x pii.png red.png 2>err.txt; rc=$?
check "redact exits 0 (rc=$rc): $(cat err.txt)" test $rc -eq 0
check "redact says how many regions it covered: $(cat err.txt)" grep -q "regions\? covered" err.txt
text=$(tesseract red.png - 2>/dev/null | tr -d ' ')
for s in jane.doe@example.com 4111111111111111 DE89370400440532013000 Tr0ub4dor-77x; do
	check "'$s' cannot be read back after redaction" bash -c "! grep -qF '$s' <<<'$text'"
done
check "text that is not PII stays readable: $text" contains "$text" "Invoice"
check "the redacted image is a PNG of the same size" bash -c \
	"[ \"\$(identify -format '%wx%h %m' red.png)\" = \"\$(identify -format '%wx%h' pii.png) PNG\" ]"
"$MAGI" guard redact pii.png red.jpg 2>/dev/null
check "redact writes JPEG when OUT ends in .jpg" bash -c "[ \"\$(identify -format '%m' red.jpg)\" = JPEG ]"
out=$("$MAGI" guard scan red.png 2>/dev/null); rc=$?
check "a redacted screenshot scans clean (rc=$rc): $out" test $rc -eq 0

# bad input: one clear line, the usual exit codes
expect() { # expect RC DESCRIPTION ARGS...
	local want=$1 d=$2; shift 2
	local err; err=$("$MAGI" guard "$@" 2>&1 >/dev/null); local rc=$?
	check "$d: exit $want (got $rc): $err" test $rc -eq "$want"
	check "$d: one line on stderr: $err" test "$(printf '%s\n' "$err" | wc -l)" -eq 1
}
err=$("$MAGI" guard 2>&1 >/dev/null); rc=$?
check "no action: exit 2 with the usage (got $rc)" bash -c "[ $rc -eq 2 ] && grep -q '^usage: magi guard' <<<\"\$1\"" _ "$err"
expect 2 "unknown action" frobnicate pii.png
expect 2 "scan without an image" scan
expect 2 "redact without OUT" redact pii.png
expect 2 "unknown option" scan --frob pii.png
expect 2 "--reread not a number" scan --reread many pii.png
expect 2 "--pad out of range" redact --pad 1000 pii.png out.png
expect 2 "--secret without '='" scan --secret NOVALUE pii.png
expect 3 "missing image" scan nothing-here.png
head -c 300 /dev/urandom > garbage.png
expect 3 "garbage image" scan garbage.png
: > empty.png
expect 3 "empty image" scan empty.png
# the run's budget for second readings: a number -1..100000
for bad in many -2 1e3 ''; do
	err=$("$MAGI" run --reread "$bad" "task" 2>&1 >/dev/null); rc=$?
	check "magi run --reread '$bad': exit 2 with a message (got $rc): $err" \
		bash -c "[ $rc -eq 2 ] && grep -q -- '--reread' <<<\"\$1\"" _ "$err"
done
"$MAGI" run --help | grep -q -- '--reread N'
check "magi run --help explains --reread" test $? -eq 0
"$MAGI" guard --help > help.txt; rc=$?
check "--help exits 0 (rc=$rc)" test $rc -eq 0
check "--help explains --reread" grep -q -- '--reread N' help.txt
finish
