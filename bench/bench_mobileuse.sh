#!/bin/bash
# bench_mobileuse.sh BUILD [SEEDS] — what the mobileuse recipe's reflection does with a stand-in
# that is wrong on purpose: one GUI task (close an xmessage dialog with Cancel, on a real Xvfb)
# at stand-in mistake rates 0, 0.1 and 0.3 (ORACLE_MISTAKES; misclicks, wrong targets,
# premature done), SEEDS runs each (default 3), with reflection on demand (threshold -0.01)
# and with the action reflector always on (--logprob-threshold off).
# Per run: success (the dialog's exit status says Cancel was clicked, and the run said done),
# steps, model calls, action reflections run and skipped, global vetoes.
# The suite-wide comparison of the recipes through magi eval is bench_recipes.sh; this one
# looks inside the reflections. The stand-in's logprobs are modelled (tests/oracle/mistakes.py).
set -u
BUILD=${1:-build}
SEEDS=${2:-3}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MAGI=$SRC/$BUILD/magi
PY=/usr/bin/python3; [ -x $PY ] || PY=python3
export OMP_THREAD_LIMIT=1
TMP=$(mktemp -d /tmp/magi-bench-mu-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp -noreset 3>"$TMP/display" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$TMP/display" ] && break; sleep 0.05; done
export DISPLAY=:$(tr -dc 0-9 < "$TMP/display")
BIGFONT='-*-helvetica-bold-r-normal--34-*-*-*-*-*-iso8859-1'
printf '{"coords":"pixels","steps":[{"click_text":"Cancel"},{"done":true}],"done_when_absent":"Save the document"}' > "$TMP/task.json"
printf '%-6s %-9s %-5s %8s %6s %6s %9s %8s %6s\n' rate reflect seed success steps calls reflected skipped vetoes
for rate in 0 0.1 0.3; do
	for mode in on-demand always; do
		for seed in $(seq 1 "$SEEDS"); do
			rm -f "$TMP/port"
			ORACLE_MISTAKES=$rate ORACLE_SEED=$seed $PY "$SRC/tests/oracle/oracle.py" --port 0 --port-file "$TMP/port" \
				--policy mobileuse --task "$TMP/task.json" 2>/dev/null &
			O=$!
			for _ in $(seq 1 300); do [ -s "$TMP/port" ] && break; sleep 0.02; done
			xmessage -fn "$BIGFONT" -xrm '*Command.internalWidth: 16' -xrm '*Command.internalHeight: 8' -center \
				-buttons Save:11,Cancel:12,Retry:13 "Save the document before closing?" &
			XM=$!
			for _ in $(seq 1 100); do xwininfo -root -tree 2>/dev/null | grep -q '("xmessage"' && break; sleep 0.05; done
			sleep 0.3
			extra=(); [ $mode = always ] && extra=(--logprob-threshold off)
			out=$(timeout 300 "$MAGI" run --base-url "http://127.0.0.1:$(cat "$TMP/port")/v1" --env "x11$DISPLAY" \
				--runs "$TMP/runs" --recipe mobileuse --max-steps 10 "${extra[@]}" "Close the dialog with Cancel" 2>&1)
			for _ in $(seq 1 30); do kill -0 $XM 2>/dev/null || break; sleep 0.1; done
			kill $XM 2>/dev/null; wait $XM; xm=$?
			kill $O 2>/dev/null; wait $O 2>/dev/null
			T=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname 2>/dev/null)/trace.jsonl
			$PY - "$T" "$rate" "$mode" "$seed" "$xm" <<'PYX'
import json, sys
t, rate, mode, seed, xm = sys.argv[1:]
try:
    ev = [json.loads(l) for l in open(t)]
except OSError:
    ev = []
of = lambda k: [e for e in ev if e["type"] == k]
end = (of("run_end") or [{}])[0]
ok = xm == "12" and end.get("reason") == "done" and end.get("success")
vetoes = sum(1 for e in of("global_reflection") if e["result"] == "Failed")
skipped = sum(1 for e in of("reflection_skipped") if e.get("reason") == "confident")
print("%-6s %-9s %-5s %8s %6s %6s %9s %8s %6s" % (rate, mode, seed, "yes" if ok else "no", end.get("steps", "?"),
      end.get("calls", "?"), len(of("reflection")), skipped, vetoes))
PYX
		done
	done
done
