#!/usr/bin/env bash
# test_video_agents.sh — `magi video ask` end to end: each recipe (uniform, avp, lvagent) on a
# synthetic video made by scripts/gen-video at test time, decoded by FFmpeg, answered by the
# stand-in model over HTTP with the `video` oracle policy (which reads the question from the
# request, OCRs the frames it receives, knows no answer key and, without a frame showing the
# evidence, guesses by a seeded uniform choice). Checks answers,
# evidence times against the known evidence windows, that the team's calls overlap in time,
# the lvagent discussion (scores, the weakest leaves), the repair retry, the oracle's honesty
# (too few frames give an uninformed guess), bad inputs with their exit codes, --json, the report
# and progress lines. Exit 77 when a tool it needs is missing.
set -u
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 2>/dev/null) || { echo "SKIP: python3 missing"; exit 77; }
for tool in ffmpeg tesseract convert curl; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
SRC=${MAGI_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MAGI=${MAGI:-$SRC/build/magi}
[ -x "$MAGI" ] || { echo "SKIP: $MAGI is not built"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/magi-vagents-XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export OMP_THREAD_LIMIT=1
unset MAGI_CONFIG OPENAI_BASE_URL OPENAI_API_KEY MAGI_API_KEY MAGI_MODEL

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# pyok DESCRIPTION EXPR FILE: the expression holds with j = the JSON file (o for --json output,
# ev for the events of a run's trace when FILE is a run directory).
pyok() {
	local d=$1 e=$2 f=$3
	if "$PY" - "$e" "$f" <<'EOF' 2>"$T/py.err"; then ok "$d"; else bad "$d"; sed 's/^/       /' "$T/py.err" >&2; fi
import json, os, sys
e, f = sys.argv[1], sys.argv[2]
if os.path.isdir(f):
    ev = [json.loads(l) for l in open(os.path.join(f, "trace.jsonl"))]
    j = json.load(open(os.path.join(f, "summary.json")))
else:
    j = o = json.load(open(f))
    ev = [json.loads(l) for l in open(os.path.join(o["run_dir"], "trace.jsonl"))] if o.get("run_dir") else []
calls = [x for x in ev if x["type"] == "call"]
def typ(t): return [x for x in ev if x["type"] == t]
def overlap(cs): return len(cs) > 1 and max(c["t_start"] for c in cs) < min(c["t_end"] for c in cs)
r = eval(e)
if not r:
    sys.stderr.write("false: %s\n" % e)
    if not os.path.isdir(f):
        sys.stderr.write(json.dumps({k: v for k, v in j.items() if k != "evidence"})[:1500] + "\n")
sys.exit(0 if r else 1)
EOF
}
# start_oracle NAME ARGS...: sets ${NAME}_URL; the request log is $T/NAME.log
start_oracle() {
	local name=$1; shift
	"$PY" "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$T/$name.port" --log "$T/$name.log" "$@" \
		2>>"$T/$name.err" &
	PIDS+=($!)
	for _ in $(seq 1 300); do [ -s "$T/$name.port" ] && break; sleep 0.02; done
	[ -s "$T/$name.port" ] || { echo "oracle $name did not start: $(cat "$T/$name.err")" >&2; exit 1; }
	printf -v "${name}_URL" 'http://127.0.0.1:%s/v1' "$(cat "$T/$name.port")"
}

# ---- the video: 3 minutes, 8 scenes, 4 questions whose evidence shows for 4 s each ----------
t0=$(date +%s)
"$PY" "$SRC/scripts/gen-video" video "$T/v.mp4" --seconds 180 --scene-min 20 --scene-max 30 \
	--distractors 1 --fps 2 --evidence-len 4 --seed 3 --quiet || { echo "gen-video failed"; exit 1; }
# q N FIELD: a field of question N (1-based) of the generated file
q() { "$PY" -c 'import json,sys; q=[json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2])-1]
f=sys.argv[3]; print("|".join(q["choices"]) if f=="choices" else q["evidence"][f[3:]] if f.startswith("ev_") else q[f])' \
	"$T/v.questions.jsonl" "$1" "$2"; }
[ "$(wc -l <"$T/v.questions.jsonl")" -ge 3 ] || { echo "gen-video made too few questions"; exit 1; }
# the stand-in gets options only: no questions, answers or evidence times
echo '{"seed": 1, "profiles": {"lazy-3": "lazy"}}' >"$T/task.json"

start_oracle main --policy video --task "$T/task.json"
start_oracle slow --policy video --task "$T/task.json" --delay-ms 400
printf '%s\n' '{"content": "I think the answer is probably the second one."}' '{"policy": true}' >"$T/script.jsonl"
start_oracle fix --policy video --task "$T/task.json" --script "$T/script.jsonl"
cat >"$T/magi.yaml" <<EOF
default: m1
models:
  m1: {base_url: "$slow_URL", model: sharp-1}
  m2: {base_url: "$slow_URL", model: sharp-2}
  m3: {base_url: "$slow_URL", model: lazy-3}
EOF

# ask NAME N ARGS...: asks question N with --json into $T/NAME.json (exit status in $T/NAME.rc)
ask() {
	local name=$1 n=$2; shift 2
	"$MAGI" video ask "$T/v.mp4" "$(q "$n" question)" --choices "$(q "$n" choices)" --runs "$T/runs" --json "$@" \
		>"$T/$name.json" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
}
rc() { [ "$(cat "$T/$1.rc")" = "$2" ] || { echo "       $1: exit $(cat "$T/$1.rc"), want $2: $(head -c 400 "$T/$1.err")" >&2; return 1; }; }
# the evidence item quoting the question's evidence text lies inside its window (half a second of slack)
inside() { echo "any(('\"%s\"' % '$(q "$1" ev_text)') in x['description'] for x in o['evidence']) and all($(q "$1" ev_start_s) - 0.5 <= x['start'] and x['end'] <= $(q "$1" ev_end_s) + 0.5 for x in o['evidence'] if '$(q "$1" ev_text)' in x['description'])"; }

# ---- uniform: one call with 32 frames ----------------------------------------------------------
MAGI_BASE_URL=$main_URL ask u32 1 --recipe uniform
check "uniform-32 answers (exit 0)" rc u32 0
pyok "uniform-32 answers question 1 right ($(q 1 answer))" "o['answer'] == '$(q 1 answer)' and o['reason'] == 'answered'" "$T/u32.json"
pyok "uniform-32 evidence lies in the evidence window $(q 1 ev_start_s)-$(q 1 ev_end_s) s" "$(inside 1)" "$T/u32.json"
pyok "uniform-32: 1 call, 32 frames, server and estimated tokens agree within 5%" \
	"o['calls'] == 1 and o['frames_sent'] == 32 and abs(o['server_prompt_tokens'] - o['est_prompt_tokens']) < 0.05 * o['server_prompt_tokens']" "$T/u32.json"
pyok "uniform run dir: summary, report, the evidence frames saved as images" \
	"all(os.path.exists(os.path.join(o['run_dir'], f)) for f in ('summary.json', 'report.html')) and o['evidence'] and all(x['image'] and os.path.exists(os.path.join(o['run_dir'], x['image'])) for x in o['evidence'])" "$T/u32.json"

# ---- honesty: 2 frames miss the 4-second evidence, so the oracle cannot know ----------------------
MAGI_BASE_URL=$main_URL ask u2 1 --recipe uniform --frames 2
check "uniform-2 still answers (exit 0)" rc u2 0
"$PY" - "$T/main.log" "$(q 1 question)" >"$T/honest.txt" <<'EOF'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
rs = [r for r in rs if (r.get("policy") or {}).get("question") == sys.argv[2] and (r.get("policy") or {}).get("role") == "answer"]
print(" ".join("%d:%s:%s:%s" % (len(r["image_info"]), r["policy"]["informed"], r["policy"]["guess"], r["policy"]["answer"]) for r in rs))
EOF
check "oracle log: informed with 32 frames, an uninformed guess with 2 ($(cat "$T/honest.txt"))" \
	grep -qx "32:True:False:$(q 1 answer) 2:False:True:[A-D]" "$T/honest.txt"
pyok "uniform-2's answer is the oracle's logged guess (right only by chance)" \
	"o['answer'] == '$(sed 's/.*://' "$T/honest.txt")' and o['reason'] == 'answered'" "$T/u2.json"

# ---- avp: overview, then zoom ------------------------------------------------------------------------
for n in 1 3; do
	MAGI_BASE_URL=$main_URL ask avp$n $n --recipe avp --frames 8
	check "avp answers question $n (exit 0)" rc avp$n 0
	pyok "avp answers question $n right ($(q $n answer)) with sufficient evidence" \
		"o['answer'] == '$(q $n answer)' and o['reason'] == 'sufficient' and not o['forced']" "$T/avp$n.json"
	pyok "avp question $n evidence lies in $(q $n ev_start_s)-$(q $n ev_end_s) s" "$(inside $n)" "$T/avp$n.json"
	pyok "avp question $n: overview first, then a region zoom; evidence in time order" \
		"[p['load_mode'] for p in typ('plan')][:2] == ['uniform', 'region'] and o['rounds'] == 2 and [x['start'] for x in o['evidence']] == sorted(x['start'] for x in o['evidence'])" "$T/avp$n.json"
	# evidence frames are written on the trace's writer thread: an event names a frame only
	# once it is written, and the run's last board names them all
	pyok "avp question $n: every frame the trace names exists; the last board names them all" \
		"all(os.path.exists(os.path.join(o['run_dir'], x['image'])) for e in typ('evidence') + [b['board'] for b in typ('board')] for x in e.get('evidence', [e]) if x.get('image')) and typ('board')[-1]['board']['evidence'] and all(x.get('image') for x in typ('board')[-1]['board']['evidence'])" "$T/avp$n.json"
	pyok "avp question $n: every observer call got exactly its plan's frames, within the budget of 8" \
		"all(c['n_images'] == p['n_frames'] <= 8 for c, p in zip([c for c in calls if c['phase'] == 'observe'], typ('plan')))" "$T/avp$n.json"
done
pyok "avp on question 1 sends fewer input tokens than uniform-32" \
	"o['prompt_tokens'] < json.load(open('$T/u32.json'))['prompt_tokens']" "$T/avp1.json"
pyok "avp: planner and reflector are text-only; roles traced in order" \
	"all(c['n_images'] == 0 for c in calls if c['role'] in ('planner', 'reflector')) and [c['role'] for c in calls][:3] == ['planner', 'observer', 'reflector']" "$T/avp1.json"

# ---- lvagent: three members, one of them lazy; calls go out together --------------------------------
ask lv3 1 --recipe lvagent --config "$T/magi.yaml" --team m1,m2,m3
check "lvagent (3 members) answers (exit 0)" rc lv3 0
pyok "lvagent answers question 1 right ($(q 1 answer)) by majority" \
	"o['answer'] == '$(q 1 answer)' and o['reason'] == 'majority'" "$T/lv3.json"
pyok "lvagent question 1 evidence lies in $(q 1 ev_start_s)-$(q 1 ev_end_s) s" "$(inside 1)" "$T/lv3.json"
pyok "lvagent: the 3 perception calls overlap in time (t_start/t_end, 400 ms server delay)" \
	"overlap([c for c in calls if c['phase'] == 'perceive' and c['round'] == 1]) and len([c for c in calls if c['phase'] == 'perceive']) == 3" "$T/lv3.json"
pyok "lvagent: the answer calls of the members that looked again overlap in time" \
	"overlap([c for c in calls if c['phase'] == 'answer' and c['round'] == 1])" "$T/lv3.json"
pyok "lvagent: members needing more scored block storyboards and looked at the best block" \
	"len(typ('blocks')) == 2 and all(b['chosen'][0] == max(range(len(b['scores'])), key=lambda i: b['scores'][i]) + 1 for b in typ('blocks')) and o['storyboards_sent'] > 0" "$T/lv3.json"
pyok "lvagent: a round's answer calls run together: their span is shorter than their latencies added up" \
	"(lambda cs: len(cs) > 1 and max(c['t_end'] for c in cs) - min(c['t_start'] for c in cs) < sum(c['t_end'] - c['t_start'] for c in cs))([c for c in calls if c['phase'] == 'answer'])" "$T/lv3.json"

# ---- lvagent: two members disagree, discuss, score each other, the weaker leaves -------------------
# The lazy member answers at once with its seeded guess; the test (which knows the answers,
# unlike the stand-in) picks a question where that guess is wrong, so the two disagree.
DQ=$("$PY" - "$SRC/tests/oracle" "$T/v.questions.jsonl" <<'EOF'
import importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
spec = importlib.util.spec_from_file_location("video_policy", sys.argv[1] + "/policies/video.py")
pol = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pol)
qs = [json.loads(l) for l in open(sys.argv[2])]
print(next(i + 1 for i in reversed(range(len(qs)))
           if pol.guess(1, "lazy-3", qs[i]["question"], [c[0] for c in qs[i]["choices"]]) != qs[i]["answer"]))
EOF
) || { bad "no question whose lazy guess is wrong"; DQ=4; }
ask lv2 "$DQ" --recipe lvagent --config "$T/magi.yaml" --team m1,m3
check "lvagent (2 members) answers (exit 0)" rc lv2 0
pyok "lvagent discussion: no majority in round 1, reasons, scores, agent2 (lazy) leaves, agent1's answer wins" \
	"typ('vote')[0]['votes'] == 1 and len(typ('reasons')) == 1 and typ('scores')[0]['leaves'] == 'agent2' and typ('leave')[0]['member'] == 'agent2' and o['answer'] == '$(q "$DQ" answer)' and o['rounds'] == 2" "$T/lv2.json"
pyok "lvagent discussion: peer scores are 1-10 and the lazy member scored lower" \
	"typ('scores')[0]['totals']['agent1'] > typ('scores')[0]['totals']['agent2'] and all(1 <= v <= 10 for s in typ('scores')[0]['scores'].values() for v in s.values())" "$T/lv2.json"

# ---- repair: an unusable reply is shown back to the model and asked again ---------------------------
MAGI_BASE_URL=$fix_URL ask rep 1 --recipe uniform
check "repair: answers after one unusable reply (exit 0)" rc rep 0
pyok "repair: the first call's parse error is traced, the second attempt answers right" \
	"len(calls) == 2 and 'parse_error' in calls[0] and calls[1]['attempt'] == 2 and o['answer'] == '$(q 1 answer)'" "$T/rep.json"

# ---- human output, report, progress --------------------------------------------------------------------
MAGI_BASE_URL=$main_URL "$MAGI" video ask "$T/v.mp4" "$(q 1 question)" --choices "$(q 1 choices)" --recipe uniform \
	--runs "$T/runs" --progress >"$T/human.out" 2>"$T/human.err"
check "human output: answer, evidence with times, cost line, trace and report paths" \
	"$PY" -c 'import re,sys; s=open(sys.argv[1]).read(); sys.exit(0 if re.search(r"^answer: [A-D]\) ", s, re.M) and re.search(r"^  \d\d:\d\d:\d\d-\d\d:\d\d:\d\d  \(", s, re.M) and re.search(r"^cost: +1 call, \d+ input tokens \(server \d+, estimated \d+\), 32 frames sent", s, re.M) and "report: " in s else 1)' "$T/human.out"
check "--progress prints decoding progress to stderr" grep -q "decoding 100%" "$T/human.err"
run_dir=$(sed -n 's/^report: \(.*\)\/report.html$/\1/p' "$T/human.out")
check "report.html holds the evidence section with its frame inlined" \
	"$PY" -c 'import sys; s=open(sys.argv[1]).read(); sys.exit(0 if "Evidence" in s and "evidence frame" in s and "data:image/jpeg;base64" in s else 1)' "$run_dir/report.html"

# ---- bad input: a clear one-line error naming the input, exit 3 (usage errors exit 2) ----------------
: >"$T/empty.mp4"
head -c 4096 /dev/urandom >"$T/junk.mp4"
echo "just some text" >"$T/notes.txt"
head -c $(($(stat -c %s "$T/v.mp4") / 3)) "$T/v.mp4" >"$T/cut.mp4"
mkdir -p "$T/adir"
badin() { # badin DESCRIPTION WANT_EXIT WANT_TEXT ARGS...
	local d=$1 want=$2 text=$3; shift 3
	MAGI_BASE_URL=http://127.0.0.1:9/v1 "$MAGI" video ask "$@" --runs "$T/runs-bad" >"$T/bad.out" 2>"$T/bad.err"
	local got=$?
	if [ "$got" = "$want" ] && grep -qF -- "$text" "$T/bad.err" && [ "$(grep -c '^magi: ' "$T/bad.err")" = 1 ]; then
		ok "$d: exit $want, '$(head -1 "$T/bad.err" | cut -c1-110)'"
	else
		bad "$d: exit $got (want $want), stderr: $(cat "$T/bad.err")"
	fi
}
badin "zero-length file" 3 "$T/empty.mp4" "$T/empty.mp4" "What is shown?"
badin "random bytes" 3 "$T/junk.mp4" "$T/junk.mp4" "What is shown?"
badin "a text file" 3 "$T/notes.txt" "$T/notes.txt" "What is shown?"
badin "a truncated video (first third)" 3 "$T/cut.mp4: truncated" "$T/cut.mp4" "What is shown?"
badin "a missing file" 3 "$T/nope.mp4" "$T/nope.mp4" "What is shown?"
badin "a directory" 3 "$T/adir" "$T/adir" "What is shown?"
badin "an empty question" 3 "question is empty" "$T/v.mp4" "   "
badin "choices out of order" 3 "does not start with 'B)'" "$T/v.mp4" "What?" --choices "A) one|C) two"
badin "a single choice" 3 "at least two" "$T/v.mp4" "What?" --choices "A) one"
badin "an unknown recipe" 2 "unknown recipe 'fast'" "$T/v.mp4" "What?" --recipe fast
badin "no question" 2 "give a video file and a question" "$T/v.mp4"
badin "--frames 0" 2 "--frames" "$T/v.mp4" "What?" --frames 0
badin "lvagent with one configured model" 3 "lvagent needs a team" "$T/v.mp4" "What?" --recipe lvagent
check "no run directory was made for bad input before the models" test ! -e "$T/runs-bad"

echo "$pass passed, $fail failed ($(($(date +%s) - t0)) s)"
[ "$fail" = 0 ]
