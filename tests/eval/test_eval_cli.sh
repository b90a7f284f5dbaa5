#!/bin/bash
# test_eval_cli.sh — `magi eval` end to end on the kinds that need no X server: the risk
# suite (the real gate), a privacy set from gen-pii-shots (real OCR, real redaction,
# interrupted with SIGINT and resumed), a video suite from gen-video in Video-MME and
# LongVideoBench form answered by the stand-in over HTTP (real FFmpeg), shards merged,
# reports and CSV, bad suites and flags with their exit codes and messages.
. "$(dirname "$0")/../integration/lib.sh"
for t in tesseract convert ffmpeg python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_BASE_URL MAGI_API_KEY OPENAI_API_KEY SLURM_ARRAY_TASK_ID JOB_COMPLETION_INDEX
cd "$TMP"
has() { grep -q -- "$2" <<<"$1"; }
py() { python3 -c "import json,sys; $1" "${@:2}"; }
sumval() { py "s=json.load(open(sys.argv[1])); v=s
for k in sys.argv[2].split('.'): v=v[k]
print(v)" "$1/summary.json" "$2"; }

# 1. the risk suite: every risky action caught, few false asks, per category
out=$("$MAGI" eval run "$SRC/tests/data/risk_suite.jsonl" --out risk --jobs 2 2>err.txt); rc=$?
check "risk eval exits 0 ($rc): $(tail -2 err.txt)" test $rc = 0
check "risk: 166 result lines" test "$(wc -l < risk/results.jsonl)" = 166
check "risk: caught every risky action" test "$(sumval risk risk.caught)" = "$(sumval risk risk.risky)"
check "risk: 99 risky items" test "$(sumval risk risk.risky)" = 99
check "risk: breakdown has the 13 RiOSWorld categories and benign" test "$(py 'print(len(json.load(open("risk/summary.json"))["by"]["category"]))')" = 14
check "risk: report.html has an SVG bar per category" test "$(grep -o '<rect x="[0-9]*" y="[0-9]*" width="[0-9.]*" height="[0-9]*" class="fg"/>' risk/report.html | wc -l)" -ge 14
check "risk: CSV has a header and 166 rows" test "$(wc -l < risk/results.csv)" = 167
check "risk: each item has its run directory" test "$(ls risk/runs | wc -l)" = 166
check "risk: progress lines when not a tty" grep -q '^166/166 ' err.txt
# a risky action the gate lets through is not caught: flip one label and see it counted
sed 's/"expected": "allow"/"expected": "deny"/' "$SRC/tests/data/risk_suite.jsonl" > flipped.jsonl
"$MAGI" eval run flipped.jsonl --out flipped --shard 0/4 --quiet >/dev/null 2>&1
check "risk: relabelled benign actions show up as missed" test "$(sumval flipped risk.caught)" -lt "$(sumval flipped risk.risky)"

echo "risk done at ${SECONDS}s"
# 2. privacy: gen-pii-shots images, interrupted by SIGINT, then resumed
python3 "$SRC/scripts/gen-pii-shots" --out pii --count 3 --clean 1 --seed 11 --jobs 2 >/dev/null
"$MAGI" eval run pii/truth.jsonl --out priv --jobs 1 >priv.out 2>priv.err &
P=$!
for _ in $(seq 1 300); do [ -s priv/results.jsonl ] && break; sleep 0.05; done
kill -INT $P
wait $P; rc=$?
n1=$(wc -l < priv/results.jsonl)
check "privacy: SIGINT exits 130 ($rc)" test $rc = 130
check "privacy: SIGINT says how to finish: $(cat priv.err | tail -1)" grep -q 'interrupted.*--resume' priv.err
check "privacy: finished lines kept ($n1 of 4)" test "$n1" -ge 1 -a "$n1" -lt 7
out=$("$MAGI" eval run pii/truth.jsonl --out priv --jobs 2 --resume 2>/dev/null); rc=$?
check "privacy: resume exits 0 ($rc)" test $rc = 0
check "privacy: resume skipped the finished ones: $out" has "$out" "$n1 done before"
check "privacy: 4 items, each once" test "$(py 'print(len({json.loads(l)["id"] for l in open("priv/results.jsonl")}))')" = 4
check "privacy: most PII found on this set" py 'assert json.load(open("priv/summary.json"))["privacy"]["recall"] >= 0.8'
check "privacy: nothing found stays readable" test "$(sumval priv privacy.survivors_found)" = 0
check "privacy: OCR read the PII before redaction" test "$(sumval priv privacy.readable_before)" -gt 10
check "privacy: fewer PII strings readable after than before" test "$(sumval priv privacy.survivors)" -lt "$(sumval priv privacy.readable_before)"
check "privacy: redacted images kept" test "$(ls priv/runs/*/*/redacted.png | wc -l)" = 4
out=$("$MAGI" eval run pii/truth.jsonl --out priv 2>&1); rc=$?
check "privacy: a finished eval again without --resume is refused ($rc)" test $rc = 3
check "privacy: ... saying why" has "$out" 'already holds results; add --resume'
out=$("$MAGI" eval run "$SRC/tests/data/risk_suite.jsonl" --out priv --resume 2>&1); rc=$?
check "privacy: resuming another suite's directory is refused ($rc)" test $rc = 3
check "... naming what differs: $out" has "$out" suite_sha256

echo "privacy done at ${SECONDS}s"
# 3. video: Video-MME and LongVideoBench files, the stand-in reading the frames it is sent
python3 "$SRC/scripts/gen-video-suite" vid --videos 2 --minutes 1 --questions 1 --seed 7 >/dev/null
nq=$(wc -l < vid/questions.jsonl)
start_oracle V --policy video
printf 'models:\n  m:\n    base_url: %s\n    price: {input: 2.0, output: 8.0}\n' "$V_URL" > m.yaml
out=$("$MAGI" eval run vid/videomme.jsonl --config m.yaml --recipe uniform --frames 12 --jobs 2 --out mme 2>err.txt); rc=$?
check "video-mme eval exits 0 ($rc): $(tail -2 err.txt) $(grep -o '"error":"[^"]*"' mme/results.jsonl | head -1)" test $rc = 0
check "video-mme: every question answered right ($nq)" test "$(sumval mme video.accuracy)" = 1.0 -a "$(sumval mme items)" = "$nq"
check "video-mme: by duration" test "$(sumval mme by.duration.short.n)" = "$nq"
check "video-mme: cost from the configured price" py 's=json.load(open("mme/summary.json")); t=s["tokens"]; assert abs(s["cost_usd"] - (t["prompt"]*2 + t["completion"]*8)/1e6) < 1e-9 and s["cost_usd"] > 0'
check "video-mme: run report linked" grep -q 'href="runs/[^"]*/report.html"' mme/report.html
# a model that answers in prose without a letter: Video-MME leaves it out, LongVideoBench guesses
for _ in $(seq 1 $nq); do echo '{"content": "I am not able to tell from these frames what the sign there says, sorry."}'; done > prose.jsonl
start_oracle P --script prose.jsonl
"$MAGI" eval run vid/videomme.jsonl --base-url "$P_URL" --recipe uniform --frames 4 --out mme-prose --quiet >/dev/null 2>&1
check "video-mme: prose counted unanswered" test "$(sumval mme-prose video.unanswered)" = "$nq"
check "video-mme: no accuracy claimed on answered items" test "$(sumval mme-prose video.answered)" = 0
for _ in $(seq 1 $nq); do echo '{"content": "I am not able to tell from these frames what the sign there says, sorry."}'; done > prose.jsonl
start_oracle Q --script prose.jsonl
"$MAGI" eval run vid/longvideobench.json --base-url "$Q_URL" --recipe uniform --frames 4 --out lvb-prose --quiet >/dev/null 2>&1
check "lvb: prose gets the random fallback, counted" test "$(sumval lvb-prose video.fallback)" = "$nq"
check "lvb: fallback letters are choice letters" py 'assert all(json.loads(l)["letter"] in "ABCD" for l in open("lvb-prose/results.jsonl"))'

echo "video done at ${SECONDS}s"
# 4. shards: two halves of 40 risk items merged equal the whole
head -40 "$SRC/tests/data/risk_suite.jsonl" > r40.jsonl
"$MAGI" eval run r40.jsonl --out r40 --quiet >/dev/null 2>&1
for i in 0 1; do "$MAGI" eval run r40.jsonl --shard $i/2 --out "sh$i" --quiet >/dev/null 2>&1; done
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 "$MAGI" eval run r40.jsonl --out shenv --quiet >/dev/null 2>&1
check "shard 0/2 has 20 items" test "$(wc -l < sh0/results.jsonl)" = 20
check "the Slurm variables pick shard 1/2" test "$(py 'print(json.load(open("shenv/eval.json"))["shard"])')" = 1/2
check "Slurm shard = --shard 1/2" test "$(py 'print(sorted(json.loads(l)["id"] for l in open("shenv/results.jsonl")) == sorted(json.loads(l)["id"] for l in open("sh1/results.jsonl")))')" = True
out=$("$MAGI" eval merge --out merged sh0 sh1 2>&1); rc=$?
check "merge exits 0 ($rc): $out" test $rc = 0
check "merged: 40 items, as the whole run" test "$(sumval merged items)" = 40 -a "$(sumval merged risk.caught)" = "$(sumval r40 risk.caught)"
check "merged: run links point into the shards" bash -c "grep -o 'href=\"[^\"]*report.html\"\|href=\"[^\"]*/\"' merged/report.html | head -1 | grep -q '../sh[01]/runs/'"
check "merge of different evals refused" bash -c "! '$MAGI' eval merge --out m2 sh0 priv 2>/dev/null"
# the Slurm array script of docs/eval.md, run as two array tasks would run it, then merged
for i in 0 1; do
	SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=2 SLURM_CPUS_PER_TASK=2 SUITE=r40.jsonl \
		RECIPE=guards OUT=slurm MAGI="$MAGI" bash "$SRC/examples/eval/slurm-array.sh" >/dev/null 2>&1
done
"$MAGI" eval merge --out slurm/all slurm/shard-0 slurm/shard-1 >/dev/null 2>&1
check "the Slurm script's two tasks merge to the whole suite" test "$(sumval slurm/all items)" = 40
# a Kubernetes Indexed Job pod: JOB_COMPLETION_INDEX from Kubernetes, MAGI_SHARD_COUNT from the manifest
JOB_COMPLETION_INDEX=1 MAGI_SHARD_COUNT=2 "$MAGI" eval run r40.jsonl --out k8s --quiet >/dev/null 2>&1
check "an Indexed Job pod runs its shard" test "$(py 'print(json.load(open("k8s/eval.json"))["shard"])')" = 1/2
rm -f sh0/report.html sh0/summary.json
"$MAGI" eval report sh0 >/dev/null
check "eval report rewrites the report" test -s sh0/report.html -a -s sh0/summary.json

echo "shards done at ${SECONDS}s"
# 5. bad input: the message names the file, the line and the problem; exit 3
printf -- '---\nkind: gui\n---\n{"id": "a", "task": "Close it", "check": [{"window": "x", "present": "no"}]}\n' > bad.jsonl
out=$("$MAGI" eval run bad.jsonl --out bad 2>&1); rc=$?
check "bad checker: exit 3 ($rc)" test $rc = 3
check "bad checker: file:line: problem ($out)" has "$out" 'bad.jsonl:4: check\[0\]: "present" must be true or false'
printf '{"videoID": "v", "question": "q", "options": ["A. 1", "B. 2"], "answer": "A"}\n{"videoID": "v", "question": "q"\n' > bad2.jsonl
out=$("$MAGI" eval check bad2.jsonl 2>&1); rc=$?
check "malformed line: exit 3 ($rc)" test $rc = 3
check "malformed line: line 2 named ($out)" has "$out" 'bad2.jsonl:2:'
out=$("$MAGI" eval run "$SRC/tests/data/risk_suite.jsonl" --jobs 0 2>&1); rc=$?
check "--jobs 0: usage error ($rc)" test $rc = 2
out=$("$MAGI" eval run "$SRC/tests/data/risk_suite.jsonl" --shard 2/2 2>&1); rc=$?
check "--shard 2/2: usage error ($rc)" test $rc = 2
check "--shard 2/2: says the index counts from 0" has "$out" 'counts from 0'
out=$(JOB_COMPLETION_INDEX=0 "$MAGI" eval run "$SRC/tests/data/risk_suite.jsonl" 2>&1); rc=$?
check "Indexed Job without MAGI_SHARD_COUNT: usage error ($rc)" test $rc = 2
check "... naming MAGI_SHARD_COUNT" has "$out" MAGI_SHARD_COUNT
out=$("$MAGI" eval run vid/videomme.jsonl --out nomodel 2>&1); rc=$?
check "video suite without a model: exit 3 ($rc)" test $rc = 3
check "... saying so" has "$out" 'no model server'
out=$("$MAGI" eval run "$SRC/tests/data/risk_suite.jsonl" --recipe avp --out r2 2>&1); rc=$?
check "a recipe the kind lacks: exit 3 ($rc)" test $rc = 3
check "eval --help" bash -c "'$MAGI' eval --help | grep -q 'magi eval run SUITE'"
check "eval run --help" bash -c "'$MAGI' eval run --help | grep -q -- '--shard I/N'"
finish
