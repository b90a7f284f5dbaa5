#!/bin/bash
# test_mobileuse_gui.sh — the mobileuse recipe end to end on a real Xvfb with a real xmessage
# dialog; the stand-in (policy mobileuse) reads the screenshots it is sent with tesseract and
# is wrong on purpose once (ORACLE_MISTAKES, seeded), judging every reflection from the
# images it was sent.
#   1. a misclick: the stand-in reports low confidence for it (a guess), so the action
#      reflector runs and says C (identical screens) or B (the click was not on Cancel,
#      when the pointer moving off a button changed its highlight); the operator then clicks
#      Cancel for real (confident: reflection skipped) and finishes; the global reflector
#      sees the dialog gone and agrees. xmessage's exit status says Cancel was clicked.
#   2. a premature finish: the global reflector sees the dialog still on screen and vetoes
#      it; the run goes on, Cancel is clicked, and the second finish ends the run.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xmessage tesseract python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
cd "$TMP"
PY=/usr/bin/python3; [ -x $PY ] || PY=python3 # the pyenv shim on PATH costs ~2 s a start
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_MODEL
start_xvfb
D=$DISPLAY
BIGFONT='-*-helvetica-bold-r-normal--34-*-*-*-*-*-iso8859-1'
printf '{"coords":"pixels","steps":[{"click_text":"Cancel"},{"done":true}],"done_when_absent":"Save the document"}' > task.json
events() { $PY - "$1" "$2" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
of = lambda t: [e for e in evs if e["type"] == t]
print(eval(sys.argv[2]))
PY
}
for kind in ${MU_KINDS:-misclick premature_done}; do
	rm -f "$TMP/O.log"
	ORACLE_MISTAKES=1 ORACLE_MISTAKE_LIMIT=1 ORACLE_SEED=1 ORACLE_MISTAKE_KINDS=$kind \
		start_oracle O --policy mobileuse --task task.json
	xmessage -fn "$BIGFONT" -xrm '*Command.internalWidth: 16' -xrm '*Command.internalHeight: 8' -center \
		-buttons Save:11,Cancel:12,Retry:13 "Save the document before closing?" &
	XM=$!
	wait_window xmessage
	out=$(timeout 240 "$MAGI" run --base-url "$O_URL" --env x11$D --runs "$TMP/runs" --recipe mobileuse --max-steps 8 \
		"Close the dialog with Cancel" 2>&1); rc=$?
	for _ in $(seq 1 50); do kill -0 $XM 2>/dev/null || break; sleep 0.1; done
	kill $XM 2>/dev/null
	wait $XM; xm=$?
	check "[$kind] run exits 0: $out" test $rc = 0
	check "[$kind] xmessage says Cancel was clicked (status $xm)" test $xm = 12
	check "[$kind] the stand-in made exactly one mistake, a $kind" \
		test "$(grep -o '"mistake": *"[a-z_]*"' "$O_LOG" | tr -d ' ' | sort | uniq -c | tr -s ' ')" = " 1 \"mistake\":\"$kind\""
	T=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname)/trace.jsonl
	if [ $kind = misclick ]; then
		# the pointer leaving a button can unhighlight it, so the screens may differ: then the
		# truthful verdict is B (the click was not on Cancel), else C (nothing changed)
		r=$(events "$T" '[(e["step"], e["verdict"] in "BC", e.get("mean_logprob", 0) < -0.01, "not on what the task needs" in e["thought"] or e["same_screen"]) for e in of("reflection")]')
		check "[misclick] reflected at step 1 (a guess: low logprob) as B or C, saying why ($r)" test "$r" = "[(1, True, True, True)]"
		check "[misclick] the grounded click on Cancel was confident: reflection skipped" \
			test "$(events "$T" '[(e["step"], e["reason"]) for e in of("reflection_skipped")]')" = "[(2, 'confident')]"
		check "[misclick] the global reflector agreed the dialog is gone" \
			test "$(events "$T" '[e["result"] for e in of("global_reflection")]')" = "['Success']"
	else
		check "[premature_done] the global reflector vetoed the finish at step 1, then agreed" \
			test "$(events "$T" '[(e["step"], e["result"]) for e in of("global_reflection")]')" = "[(1, 'Failed')]"
		check "[premature_done] its reason names what is still on screen" grep -q 'still shows \\"Save the document' "$T"
	fi
	[ -n "${MU_DEBUG:-}" ] && cp "$O_LOG" "$T" "$MU_DEBUG/"
	check "[$kind] report written" test -s "$(dirname "$T")/report.html"
	kill "$O_PID" 2>/dev/null; wait "$O_PID" 2>/dev/null
done
finish
