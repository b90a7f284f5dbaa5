#!/bin/bash
# test_demo.sh — demonstrations (--demo, magi trace export-demo). A real run on Xvfb closes
# an xmessage dialog with Cancel; that recorded run is then given with --demo to a second
# run on a new dialog, whose decision requests (the stand-in's request log) must carry the
# demonstration — its task, its downscaled screenshots and its actions — before the current
# screen, within the token budget. The run is exported with `magi trace export-demo`; the
# export under a tiny budget keeps the text and leaves the screenshots out. A run that did
# not succeed, or a path that is no run, is refused before anything starts (exit 3). The
# mobileuse recipe, which builds its own operator request, carries it too.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xmessage tesseract python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_MODEL MAGI_BASE_URL
start_xvfb
BIGFONT='-*-helvetica-bold-r-normal--34-*-*-*-*-*-iso8859-1'
TASK="Close the dialog with Cancel"
printf '{"coords":"pixels","steps":[{"click_text":"Cancel"},{"done":true}]}' > task.json
dialog() { # dialog STATUSFILE: an xmessage whose exit status lands in STATUSFILE
	( xmessage -fn "$BIGFONT" -xrm '*Command.internalWidth: 16' -xrm '*Command.internalHeight: 8' -center \
		-buttons Save:11,Cancel:12,Retry:13 "Keep your edits to notes.txt?"; echo $? > "$1" ) &
	XM=$!
	wait_window xmessage
}
run_dir() { sed -n 's/^trace: *//p' <<<"$1" | xargs dirname 2>/dev/null; }

# 1. the run to learn from
start_oracle A --policy gui --task task.json
dialog xm1.status
out1=$(MAGI_BASE_URL=$A_URL timeout 120 "$MAGI" run --env "x11$DISPLAY" --recipe single --no-ask --runs "$TMP/runs" "$TASK" 2>&1)
rc=$?
for _ in $(seq 1 50); do [ -s xm1.status ] && break; sleep 0.1; done
kill $XM 2>/dev/null; wait $XM 2>/dev/null
RUN1=$(run_dir "$out1")
check "the recorded run succeeds ($rc): $out1" test $rc = 0 -a "$(cat xm1.status 2>/dev/null)" = 12

# 2. the same kind of task with the run as a demonstration
start_oracle B --policy gui --task task.json
dialog xm2.status
out2=$(MAGI_BASE_URL=$B_URL timeout 120 "$MAGI" run --env "x11$DISPLAY" --recipe single --no-ask --runs "$TMP/runs" \
	--demo "$RUN1" --demo-tokens 1500 "$TASK" 2>&1)
rc=$?
for _ in $(seq 1 50); do [ -s xm2.status ] && break; sleep 0.1; done
kill $XM 2>/dev/null; wait $XM 2>/dev/null
RUN2=$(run_dir "$out2")
check "the run with a demonstration succeeds ($rc): $out2" test $rc = 0 -a "$(cat xm2.status 2>/dev/null)" = 12
# what the first decision request carried, read from the stand-in's log
cat > facts.py <<'PY'
import json, math, sys
log, trace, budget = sys.argv[1], sys.argv[2], int(sys.argv[3])
reqs = [json.loads(l) for l in open(log)]
reqs = [r for r in reqs if r.get("path", "").endswith("/chat/completions")]
parts = [p for m in reqs[0]["body"]["messages"] for p in (m["content"] if isinstance(m["content"], list) else [{"type": "text", "text": m["content"]}])]
info = reqs[0]["image_info"]
texts = [p.get("text", "") for p in parts if p.get("type") == "text"]
start = next((i for i, p in enumerate(parts) if "Demonstrations:" in p.get("text", "")), None)
end = next((i for i, p in enumerate(parts) if "End of the demonstrations" in p.get("text", "")), None)
print("has_demo", int(start is not None and end is not None and start < end))
if start is not None and end is not None:
    demo = parts[start:end + 1]
    n_img = sum(1 for p in demo if p.get("type") == "image_url")
    # the images are the request's first ones, before the current screenshot
    toks = sum(math.ceil(len(p.get("text", "")) / 4) for p in demo if p.get("type") == "text")
    toks += sum(i["tokens"] for i in info[:n_img])
    print("demo_images", n_img)
    print("demo_tokens_ok", int(toks <= budget), toks)
    print("demo_small", int(all(max(i["w"], i["h"]) <= 480 for i in info[:n_img])))
    dtext = "\n".join(p.get("text", "") for p in demo)
    print("demo_task", int("Task: Close the dialog with Cancel" in dtext))
    print("demo_click", int('Step 1 action: {"action":"click"' in dtext))
    print("demo_done", int('"action":"done"' in dtext))
print("images_total", len(info))
print("current_last", int(info[-1]["w"] >= 1000))
ev = [json.loads(l) for l in open(trace)]
d = [e for e in ev if e["type"] == "demos"]
print("demos_events", len(d))
if d:
    print("demos_event", d[0]["images"], int(d[0]["est_tokens"] <= d[0]["budget"]), int(d[0]["demos"][0]["shown"]))
print("start_lists", int(any(e["type"] == "run_start" and e.get("demos") for e in ev)))
PY
python3 facts.py "$B_LOG" "$RUN2/trace.jsonl" 1500 > f2.txt
fact() { sed -n "s/^$2 //p" "$1"; }
check "the decision request carries the demonstration ($(tr '\n' ';' < f2.txt))" test "$(fact f2.txt has_demo)" = 1
check "both of its steps' screenshots are shown" test "$(fact f2.txt demo_images)" = 2
check "the demonstration stays within its budget" test "$(fact f2.txt demo_tokens_ok | cut -d' ' -f1)" = 1
check "its screenshots are downscaled" test "$(fact f2.txt demo_small)" = 1
check "it names the demonstration's task" test "$(fact f2.txt demo_task)" = 1
check "it shows the recorded click and the done" test "$(fact f2.txt demo_click)$(fact f2.txt demo_done)" = 11
check "the current screenshot comes last, at full size" test "$(fact f2.txt current_last)" = 1
check "one demos event (2 images, within budget, shown)" test "$(fact f2.txt demos_event)" = "2 1 1"
check "run_start lists the demonstration" test "$(fact f2.txt start_lists)" = 1
check "magi trace show lists what was shown" bash -c '"$1" trace show "$2" | grep -q "demos   1 demonstration(s), 2 screenshots"' _ "$MAGI" "$RUN2"

# 3. export-demo, then a budget too small for any screenshot (a fixed image: no dialog needed)
exp=$("$MAGI" trace export-demo -o "$TMP/demo" "$RUN1" 2>&1)
check "export-demo writes demo.json: $exp" test -s "$TMP/demo/demo.json"
check "export-demo writes two shrunk screenshots" test "$(ls "$TMP/demo"/step-*.jpg 2>/dev/null | wc -l)" = 2
check "demo.json is the magi-demo format with the task" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); assert d["format"]=="magi-demo" and d["task"]==sys.argv[2] and len(d["steps"])==2' "$TMP/demo/demo.json" "$TASK"
printf '{"coords":"pixels","steps":[{"done":false}]}' > fail.json
start_oracle C --policy gui --task fail.json
out3=$(MAGI_BASE_URL=$C_URL timeout 60 "$MAGI" run --env "image:$RUN1/step-001.jpg" --recipe single --no-ask --runs "$TMP/runs" \
	--demo "$TMP/demo" --demo-tokens 150 "$TASK" 2>&1)
RUN3=$(run_dir "$out3")
python3 facts.py "$C_LOG" "$RUN3/trace.jsonl" 150 > f3.txt
check "a tiny budget keeps the demonstration's text ($(tr '\n' ';' < f3.txt))" test "$(fact f3.txt has_demo)" = 1
check "... and leaves its screenshots out" test "$(fact f3.txt demo_images)" = 0 -a "$(fact f3.txt images_total)" = 1
check "... within the budget" test "$(fact f3.txt demo_tokens_ok | cut -d' ' -f1)" = 1

# 4. the mobileuse recipe builds its own operator request: the demonstration goes there too
# (the stand-in's mobileuse policy in script mode: a finish, then the global reflector's yes)
python3 - <<'PY'
import json
op = "<thinking>done</thinking>\n<tool_call>\n%s\n</tool_call>\nAction: finish" % json.dumps(
    {"name": "mobile_use", "arguments": {"action": "terminate", "status": "success"}})
json.dump({"script": {"operator": [{"content": op}],
                      "global_reflector": ["### Result ###\nSuccess\n### Reason ###\nscripted"]}}, open("mu.json", "w"))
PY
start_oracle M --policy mobileuse --task mu.json
out4=$(timeout 60 "$MAGI" run --base-url "$M_URL" --env "image:$RUN1/step-001.jpg" --recipe mobileuse --no-ask --no-ocr \
	--runs "$TMP/runs" --demo "$TMP/demo" --demo-tokens 1500 "$TASK" 2>&1)
RUN4=$(run_dir "$out4")
python3 facts.py "$M_LOG" "$RUN4/trace.jsonl" 1500 > f4.txt
check "mobileuse: the operator's request carries the demonstration ($(tr '\n' ';' < f4.txt)): $out4" \
	test "$(fact f4.txt has_demo)$(fact f4.txt demo_task)$(fact f4.txt demo_click)" = 111
check "mobileuse: both demonstration screenshots, within the budget" \
	test "$(fact f4.txt demo_images) $(fact f4.txt demo_tokens_ok | cut -d' ' -f1)" = "2 1"
check "mobileuse: one demos event (2 images, within budget, shown)" test "$(fact f4.txt demos_event)" = "2 1 1"

# 5. the native loop shows the demonstration in the model's own syntax (UI-TARS calls, Qwen
# tool calls), never in magi's JSON
printf '%s\n' '{"content": "Thought: done\nAction: finished(content='"'ok'"')"}' > ut.jsonl
printf '%s\n' '{"content": "<tool_call>\n{\"name\": \"computer_use\", \"arguments\": {\"action\": \"terminate\", \"status\": \"success\"}}\n</tool_call>"}' > qw.jsonl
cat > syntax.py <<'PY'
import json, sys
# every text part of every request the stand-in received
texts = []
for l in open(sys.argv[1]):
    for m in (json.loads(l).get("body") or {}).get("messages", []):
        c = m["content"]
        texts += [c] if isinstance(c, str) else [p.get("text", "") for p in c]
t = "\n".join(texts)
sys.exit(0 if sys.argv[2] in t and '{"action":"click"' not in t else 1)
PY
for f in uitars:ut qwen2.5-vl:qw; do
	fmt=${f%%:*} sc=${f#*:}
	start_oracle $sc --script $sc.jsonl
	u=${sc}_URL l=${sc}_LOG p=${sc}_PID
	outn=$(timeout 60 "$MAGI" run --base-url "${!u}" --format $fmt --env "image:$RUN1/step-001.jpg" --recipe native --no-ask \
		--no-ocr --runs "$TMP/runs" --demo "$TMP/demo" --demo-tokens 1500 "$TASK" 2>&1)
	check "native $fmt with a demonstration runs: $outn" test $? = 0
	python3 facts.py "${!l}" "$(run_dir "$outn")/trace.jsonl" 1500 > fn.txt
	check "native $fmt: the request carries the demonstration ($(tr '\n' ';' < fn.txt))" \
		test "$(fact fn.txt has_demo)$(fact fn.txt demo_task)$(fact fn.txt demo_click)" = 110
	case $fmt in
	uitars) want="Step 1 action: click(point='<point>" ;;
	*) want='"action": "left_click", "coordinate": [' ;;
	esac
	check "native $fmt: the demonstration's click is written in the model's syntax" python3 syntax.py "${!l}" "$want"
	kill "${!p}" 2>/dev/null; wait "${!p}" 2>/dev/null
done

# 6. bad demonstrations are refused before anything starts
n_before=$(ls "$TMP/runs" | wc -l)
bad1=$(MAGI_BASE_URL=$C_URL "$MAGI" run --env "image:$RUN1/step-001.jpg" --recipe single --no-ask --runs "$TMP/runs" --demo "$RUN3" "$TASK" 2>&1); rc1=$?
bad2=$(MAGI_BASE_URL=$C_URL "$MAGI" run --env "image:$RUN1/step-001.jpg" --recipe single --no-ask --runs "$TMP/runs" --demo "$TMP/nope" "$TASK" 2>&1); rc2=$?
check "an unsuccessful run is refused with exit 3: $bad1" test $rc1 = 3
check "... naming it and why" bash -c 'grep -q "not a successful run" <<<"$1" && grep -qF "$2" <<<"$1"' _ "$bad1" "$RUN3"
check "a missing directory is refused with exit 3: $bad2" test $rc2 = 3 -a -n "$(grep -F "$TMP/nope" <<<"$bad2")"
check "no run directory was made for the refused runs" test "$(ls "$TMP/runs" | wc -l)" = "$n_before"
bad4=$("$MAGI" run --base-url "$C_URL" --env "image:$RUN1/step-001.jpg" --recipe ponder-press --no-ask --runs "$TMP/runs" --demo "$RUN1" "$TASK" 2>&1); rc4=$?
check "a recipe that shows no demonstrations refuses --demo with exit 3: $bad4" \
	bash -c '[ $1 = 3 ] && grep -q "ponder-press does not show demonstrations" <<<"$2"' _ $rc4 "$bad4"
bad5=$("$MAGI" run --base-url "$C_URL" --format os-atlas --env "image:$RUN1/step-001.jpg" --recipe native --no-ask --runs "$TMP/runs" --demo "$RUN1" "$TASK" 2>&1); rc5=$?
check "a grounder's native loop refuses --demo with exit 3: $bad5" \
	bash -c '[ $1 = 3 ] && grep -q "os-atlas only locates elements" <<<"$2"' _ $rc5 "$bad5"
check "no run directory was made for those either" test "$(ls "$TMP/runs" | wc -l)" = "$n_before"
bad3=$("$MAGI" trace export-demo "$RUN3" 2>&1); rc3=$?
check "export-demo of an unsuccessful run: exit 3: $bad3" test $rc3 = 3
finish
