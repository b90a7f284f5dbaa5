#!/usr/bin/env bash
# compare.sh — magi's hand-written phone rules (src/guard/pii_phone.c) against libphonenumber
# (bench/phone/libphonenumber_find.cc), on the same inputs:
#   recall: phone cases from scripts/pii-cases (30 countries' plans, a third unlabelled),
#           each case's text on one line;
#   false positives: the lines of 40 common man pages (PII-free), any phone finding;
#   time: per line (libphonenumber tries each of the 30 regions the cases come from).
#   bench/phone/compare.sh BUILD_DIR [SEED] [CASES]     (defaults: seed 7, 300 cases)
# Needs g++ and libphonenumber-dev (exits 77 without them). Prints a table.
set -eu
build=${1:?usage: compare.sh BUILD_DIR [SEED] [CASES]}
seed=${2:-7}
count=${3:-300}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
command -v g++ >/dev/null || { echo "compare.sh: g++ missing"; exit 77; }
[ -f /usr/include/phonenumbers/phonenumbermatcher.h ] || { echo "compare.sh: libphonenumber-dev missing"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/magi-phone.XXXXXX")
trap 'rm -rf "$work"' EXIT
g++ -O2 -o "$work/lpn" "$here/libphonenumber_find.cc" -lphonenumber
python3 "$src/scripts/pii-cases" --seed "$seed" --types phone --per-type "$count" --out "$work/cases.jsonl"
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
with open(w + "/lines.txt", "w") as f, open(w + "/values.txt", "w") as g:
    for l in open(w + "/cases.jsonl"):
        c = json.loads(l)
        f.write(" ".join("".join(s["t"] for s in line) for line in c["lines"]) + "\n")
        g.write("".join(s["t"] for line in c["lines"] for s in line if "item" in s) + "\n")
PY
for p in ls tar ip ping find grep ssh rsync curl date mount ps top gcc make git ssh_config \
         sshd_config crontab passwd systemctl journalctl apt dpkg bash chmod cp dd df du \
         ifconfig netstat ss iptables tcpdump wget sort awk sed tail head; do
  MANWIDTH=100 man "$p" 2>/dev/null | col -bx
done | grep -v '^\s*$' > "$work/man.txt"
regions="US GB DE FR IT ES NL BE CH AT PL SE NO DK FI IE PT BR MX IN CN JP KR AU RU ZA TR NZ SG IL"
# magi: the cases file through the scanner, and the man text
magi_recall=$("$build/bench/bench_guard" cases "$work/cases.jsonl" --quiet | awk '$1 == "phone" {print $4}')
magi_ms=$("$build/bench/bench_guard" cases "$work/cases.jsonl" --quiet | awk '/^time:/ {print $3}')
magi_fp=$("$build/bench/bench_guard" text "$work/man.txt" | grep -c ': phone ' || true)
echo "phone numbers: $(wc -l < "$work/lines.txt") cases (pii-cases seed $seed), $(wc -l < "$work/man.txt") PII-free man page lines"
printf '%-34s %8s %12s %12s\n' "detector" "recall" "man-page FP" "ms/line"
printf '%-34s %8s %12s %12s\n' "magi (pii_phone.c)" "$magi_recall" "$magi_fp" "$magi_ms"
for len in valid exact; do
  "$work/lpn" "$len" $regions < "$work/lines.txt" > "$work/out.txt" 2> "$work/t1.txt"
  rec=$(paste -d '\t' "$work/out.txt" "$work/values.txt" | python3 -c "
import sys
n = f = 0
for l in sys.stdin:
    p = l.rstrip('\n').split('\t')
    n += 1
    f += p[0] != '-' and (p[0] in p[-1] or p[-1] in p[0])
print('%.3f' % (f / n))")
  "$work/lpn" "$len" $regions < "$work/man.txt" > "$work/man_out.txt" 2> "$work/t2.txt"
  fp=$(grep -vc '^-' "$work/man_out.txt" || true)
  ms=$(awk '{print $(NF-3)}' "$work/t1.txt")
  printf '%-34s %8s %12s %12s\n' "libphonenumber ($len, 30 regions)" "$rec" "$fp" "$ms"
done
