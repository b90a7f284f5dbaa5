#!/bin/bash
# test_run_full_disk.sh — `magi run` on a disk that cannot take its trace (issue 14): the run
# stops before its next action with a clear message and exit 3; an agent never goes on acting
# unrecorded; no report path is claimed that was not written; trace.jsonl holds whole lines.
#   A. no space at all (a full tmpfs): nothing is done on the desktop, the model is not asked
#   B. a little space (run_start fits, the first step image does not): the dialog is not clicked
#   C. the write-fault hook fails a write mid-run: no action after the failed one
# Needs root (mount); 77 otherwise.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xmessage xterm tesseract python3; do command -v $t >/dev/null || exit 77; done
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to mount a tmpfs"; exit 77; }
export OMP_THREAD_LIMIT=1
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_FAULT_WRITE MAGI_FAULT_SYNC
MOUNTS=()
trap 'for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done; cleanup' EXIT
start_xvfb
D=$DISPLAY
BIGFONT='-*-helvetica-bold-r-normal--34-*-*-*-*-*-iso8859-1'
XRM=(-xrm '*Command.internalWidth: 16' -xrm '*Command.internalHeight: 8')
chat_calls() { [ -s "$1" ] && grep -c '"path": *"[^"]*chat/completions"' "$1" || echo 0; }
fresh_tmpfs() { # fresh_tmpfs DIR SIZE
	[ -d "$1" ] && umount "$1" 2>/dev/null
	mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1" && MOUNTS+=("$TMP/$1")
}
whole_lines() { python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$1"; }

printf '{"coords":"pixels","steps":[{"click_text":"Cancel"},{"done":true}]}' >task.json
# control: on a sound disk the same run clicks Cancel, so "not clicked" below means something
for case in control nospace littlespace; do
	rm -f "$TMP/O.log" # the stand-in appends to its log: each case counts its own calls
	start_oracle O --policy gui --task task.json
	if [ $case != control ]; then
		fresh_tmpfs "$case" 96k || { bad "mount"; continue; }
	fi
	# nospace: the disk is full; littlespace: 8 KiB are left, room for run_start but not for
	# the first step's screenshot
	if [ $case = nospace ]; then dd if=/dev/zero of=$case/filler bs=4k 2>/dev/null; fi
	if [ $case = littlespace ]; then dd if=/dev/zero of=$case/filler bs=4k count=22 2>/dev/null; fi
	xmsg xm -fn "$BIGFONT" "${XRM[@]}" -center -buttons Save:11,Cancel:12 "Save the document before closing?"
	wait_window xmessage
	timeout 120 "$MAGI" run --base-url "$O_URL" --coords pixels --env x11$D --runs $case/runs \
		--recipe single "Close the dialog with Cancel" >out.txt 2>err.txt </dev/null
	rc=$?
	sleep 0.5
	if [ $case = control ]; then
		check "[control] on a sound disk the run clicks Cancel and exits 0 (rc=$rc)" \
			test $rc = 0 -a "$(xmsg_status xm)" = 12
		stop_pid xm.pid
		kill "$O_PID" 2>/dev/null; wait "$O_PID" 2>/dev/null
		continue
	fi
	check "[$case] magi run exits 3 (rc=$rc): $(tail -2 err.txt)" test $rc = 3
	check "[$case] the error says the disk is full and names the file" \
		bash -c "grep -q 'No space left on device' err.txt && grep -Eq 'trace.jsonl|step-[0-9]+\.jpg' err.txt"
	check "[$case] the dialog was not clicked" test -z "$(xmsg_status xm 2)"
	check "[$case] no report path claimed that does not exist" \
		bash -c "! grep -q '^report:' out.txt || test -s \"\$(sed -n 's/^report: *//p' out.txt)\""
	trace=$(ls $case/runs/*/trace.jsonl 2>/dev/null | head -1)
	[ -n "$trace" ] && check "[$case] trace.jsonl holds whole lines only" whole_lines "$trace"
	[ $case = nospace ] && check "[$case] the model was asked nothing" test "$(chat_calls "$O_LOG")" = 0
	stop_pid xm.pid
	kill "$O_PID" 2>/dev/null; wait "$O_PID" 2>/dev/null
done

# C. the hook fails a write mid-run; every line typed into the terminal has its step event
#    (at most the step being recorded when the write failed is missing), and nothing after it
python3 -c 'import json
print(json.dumps({"coords": "pixels", "steps": [{"click_text": "READY"}] + [{"type": "line %d\n" % i} for i in range(8)] + [{"done": True}]}))' >task.json
start_oracle H --policy gui --task task.json
xterm -geometry 80x20+0+0 -fa DejaVuSansMono -fs 14 -e sh -c "echo READY; cat > $TMP/typed.txt" &
XT=$!
ORACLE_PIDS+=($XT)
wait_window xterm; sleep 0.5
MAGI_FAULT_WRITE=12 timeout 180 "$MAGI" run --base-url "$H_URL" --coords pixels --env x11$D --runs hook \
	--recipe single --max-steps 12 "Type the lines" >out.txt 2>err.txt </dev/null
rc=$?
sleep 0.5
kill $XT 2>/dev/null
steps=$(grep -c '"type":"step"' hook/*/trace.jsonl)
typed=$(grep -c '^line' typed.txt 2>/dev/null || echo 0)
check "hook: magi run exits 3 (rc=$rc): $(tail -1 err.txt)" test $rc = 3
check "hook: the run stopped early ($typed of 8 lines typed)" test "$typed" -lt 8
# the first step is the click on READY; each later one types a line
check "hook: no action after the failed write: $typed lines typed, $((steps - 1)) typing steps recorded" \
	test $((typed - (steps - 1))) -le 1
finish
