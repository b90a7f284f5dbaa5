#!/bin/bash
# test_first_reading.sh — the first screen's OCR and the first model request (issue 15): with
# a local model the request leaves before the screen is read (the reading runs on a thread of
# its own), the step says so, the guards and the trace still get the full reading, and the
# next request lists the words; with a remote model the first request waits for the reading
# and carries the words with the PII covered (the screen read on two threads). Real Xvfb, xterm and Tesseract; the stand-in
# model answers from a script. Then a typed line (a change seen through the previous screen's row
# signatures) is read again and its e-mail covered.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xterm python3 tesseract; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY
start_xvfb
D=$DISPLAY
xterm -geometry 90x12+20+20 -fa DejaVuSansMono -fs 16 \
	-e sh -c 'echo "Invoice MAGPIE-4711 is ready"; echo "Contact alice.jones@example.com"; cat > /dev/null' &
XT=$!
wait_window xterm; sleep 0.5
# two steps: a short wait (the screen stays), then done
python3 -c 'import json
for a in ({"action": "wait", "seconds": 0.1}, {"action": "done", "success": True}):
    print(json.dumps({"content": "### Thought ###\nscripted\n### Action ###\n" + json.dumps(a)}))' > s.jsonl

# requests LOG: the user text of each request the stand-in logged, one JSON string a line
requests() {
	python3 - "$1" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if not r.get("body") or "chat/completions" not in r["path"]:
        continue
    body = r["body"] if isinstance(r["body"], dict) else json.loads(r["body"])
    text = []
    for m in body["messages"]:
        c = m["content"]
        for p in (c if isinstance(c, list) else [{"type": "text", "text": c}]):
            if p.get("type") == "text":
                text.append(p["text"])
    print(json.dumps("\n".join(text)))
PY
}
# steps RUN_DIR FIELD: that field of each step event, one a line
steps() {
	python3 -c 'import json, sys
for l in open(sys.argv[1] + "/trace.jsonl"):
    e = json.loads(l)
    if e["type"] == "step": print(e.get(sys.argv[2]))' "$1" "$2"
}

# 1. a local model (the stand-in on loopback): the first request goes unread
start_oracle L --script s.jsonl
out=$(timeout 120 "$MAGI" run --base-url "$L_URL" --env x11$D --runs runs-l --recipe single "Look" 2>&1); rc=$?
check "local run exits 0: $out" test $rc = 0
run=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname)
requests "$L_LOG" > l.req
check "two requests" test "$(wc -l < l.req)" = 2
check "the first request says the text is being read" bash -c "head -1 l.req | grep -q 'is being read while you decide'"
check "the first request lists none of the screen's words" bash -c "! head -1 l.req | grep -q MAGPIE"
check "the second request lists the screen's words (the full reading, merged)" bash -c "sed -n 2p l.req | grep -q 'MAGPIE-4711'"
check "the steps say which reading their decision had" test "$(steps "$run" reading | tr '\n' ' ')" = "deferred full "
check "the guards scanned the full reading on the first step (the email found)" \
	test "$(steps "$run" pii_redacted | head -1)" -ge 1
check "the deferred reading's time is recorded" python3 -c 'import sys; sys.exit(not float(sys.argv[1]) > 0)' \
	"$(steps "$run" ocr_deferred_ms | head -1)"
check "the first step's trace image exists" test -s "$run/step-001.jpg"
kill "$L_PID" 2>/dev/null; wait "$L_PID" 2>/dev/null

# 2. the same stand-in declared remote: the first request waits for the reading and its PII scan
start_oracle R --script s.jsonl
printf 'models:\n  m:\n    base_url: %s\n    trust: remote\n' "$R_URL" > remote.yaml
out=$(timeout 120 "$MAGI" run --config remote.yaml --env x11$D --runs runs-r --recipe single "Look" 2>&1); rc=$?
check "remote run exits 0: $out" test $rc = 0
run=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname)
requests "$R_LOG" > r.req
check "the first remote request lists the screen's words" bash -c "head -1 r.req | grep -q 'MAGPIE-4711'"
check "the first remote request has the email covered" bash -c "! head -1 r.req | grep -q 'alice.jones@example.com'"
check "the remote steps all had the full reading" test "$(steps "$run" reading | tr '\n' ' ')" = "full full "
# with two cores a second engine is loaded for the first screen and its bands are read on
# two threads (how many did read depends on when the second engine is ready: 1 or 2)
if [ "$(nproc)" -ge 2 ]; then
	ft=$(steps "$run" ocr_threads | head -1)
	check "the first remote screen took the two-thread reading (read on $ft)" bash -c "case '$ft' in 1|2) exit 0;; *) exit 1;; esac"
fi
check "only the first step says how many threads read it" test "$(steps "$run" ocr_threads | tail -1)" = None
# read without Tesseract's page analysis (lines found from the pixels: test_ocr_lines), once
check "the first remote screen was read from the lines found in its pixels" \
	test "$(steps "$run" ocr_lines | tr '\n' ' ')" = "True None "
kill "$R_PID" 2>/dev/null; wait "$R_PID" 2>/dev/null

# 3. the screens after actions, known to the single recipe by their row signatures only (the
# pixels of the screen before are not kept): a typed line with an e-mail is seen as a change,
# its rows are read again and the address covered in the next request's words and image; a
# wait after it is seen as the same screen. (A terminal over the whole screen: the pointer,
# and so the keyboard focus, is on it.)
kill "$XT" 2>/dev/null; wait "$XT" 2>/dev/null
xterm -geometry 160x45+0+0 -fa DejaVuSansMono -fs 14 -e sh -c 'echo "Inbox"; cat > /dev/null' &
XT=$!
wait_window xterm; sleep 0.5
python3 -c 'import json
for a in ({"action": "type", "text": "reply to bob.smith@example.org today"}, {"action": "wait", "seconds": 0.1},
          {"action": "done", "success": True}):
    print(json.dumps({"content": "### Thought ###\nscripted\n### Action ###\n" + json.dumps(a)}))' > t.jsonl
mkdir -p seen
start_oracle T --script t.jsonl --save-images seen
printf 'models:\n  m:\n    base_url: %s\n    trust: remote\n' "$T_URL" > remote-t.yaml
out=$(timeout 120 "$MAGI" run --config remote-t.yaml --env x11$D --runs runs-t --recipe single --settle 300 "Type" 2>&1); rc=$?
check "typing run exits 0: $out" test $rc = 0
run=$(sed -n 's/^trace: *//p' <<<"$out" | xargs dirname)
requests "$T_LOG" > t.req
check "three requests" test "$(wc -l < t.req)" = 3
check "the screen's words after typing: the typed line, its e-mail covered" bash -c "sed -n 2p t.req | grep -q 'reply to \[email\] today'"
check "the first screen's words have no typed line" bash -c "! head -1 t.req | grep -q 'reply to'"
shopt -s nullglob
imgs=(seen/*)
shopt -u nullglob
# (each image once: the screen after the wait is the one after typing)
check "two screens sent (${#imgs[@]})" test ${#imgs[@]} = 2
for img in "${imgs[@]}"; do
	tesseract "$img" - 2>/dev/null > ocr.txt
	check "no e-mail in the image $img" bash -c "! grep -Eiq 'bob|smith|example\.org' ocr.txt"
done
check "typing changed the screen, the wait did not: $(steps "$run" same_screen | tr '\n' ' ')" \
	test "$(steps "$run" same_screen | head -2 | tr '\n' ' ')" = "False True "
check "the steps give the screen's size" test "$(steps "$run" screen_w | sort -u | tr '\n' ' ')" = "1280 "
kill "$T_PID" 2>/dev/null; wait "$T_PID" 2>/dev/null
kill "$XT" 2>/dev/null; wait "$XT" 2>/dev/null
finish
