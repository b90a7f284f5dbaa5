#!/bin/bash
# test_browser_run.sh — `magi run --env browser:URL` end to end: real Chromium on the test
# site, the stand-in model (its gui policy reads the screenshots it is sent with tesseract)
# playing the `single` recipe. Checks what the site's server received (the login form
# posted; nothing sent outside the allowlist), what the model was shown, the trace, and
# that no Chromium process or profile outlives the run.
. "$(dirname "$0")/../integration/lib.sh"
for t in python3 tesseract; do command -v $t >/dev/null || exit 77; done
[ -x "${MAGI_CHROMIUM:-/usr/lib/chromium/chromium}" ] || exit 77
export OMP_THREAD_LIMIT=1
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY DISPLAY
export TMPDIR=$TMP # the browser's temporary profile goes here, where the test can see it

python3 "$SRC/tests/browser/site_server.py" --port 0 --port-file site.port --log site.log 2>site.err &
ORACLE_PIDS+=("$!")
for _ in $(seq 1 250); do [ -s site.port ] && break; sleep 0.02; done
[ -s site.port ] || { echo "the test site did not start: $(cat site.err)" >&2; exit 1; }
SITE=http://127.0.0.1:$(cat site.port)

# site_count METHOD PATH [FIELD VALUE]: requests the site logged
site_count() {
	python3 - "$@" <<'EOF'
import json, sys
m, p = sys.argv[1], sys.argv[2]
kv = sys.argv[3:5]
n = 0
for line in open("site.log"):
    e = json.loads(line)
    if e["method"] == m and e["path"] == p:
        if kv:
            fields = dict(e["query"], **e["form"])
            if fields.get(kv[0]) != kv[1]:
                continue
        n += 1
print(n)
EOF
}
# leftovers: a process or a profile of the browser under $TMP
leftovers() {
	local n=0 f
	for f in /proc/[0-9]*/cmdline; do
		grep -qa -- "--user-data-dir=$TMP/magi-chromium-" "$f" 2>/dev/null && n=$((n + 1))
	done
	shopt -s nullglob
	local dirs=("$TMP"/magi-chromium-*)
	shopt -u nullglob
	echo $((n + ${#dirs[@]}))
}
run_dir() { sed -n 's/^trace: *//p' <<<"$1" | xargs dirname; }

# 1. Sign in: the model picks the fields by their numbers in the element list, and the
# button by its label on the screenshot (a point in the pixels it was sent).
cat > login.json <<'EOF'
{"coords": "pixels",
 "steps": [{"click_element": "Username"}, {"type": "alice"}, {"click_element": "Password"}, {"type": "s3cret"},
           {"click_text": "Sign in", "nth": 1}, {"done": true}]}
EOF
start_oracle O --policy gui --task login.json
out=$(timeout 240 "$MAGI" run --base-url "$O_URL" --recipe single --env "browser:$SITE/login.html" \
	--allow-domain 127.0.0.1 --runs runs --settle 100 --no-ask --yes "Sign in as alice with the password s3cret" 2>&1)
rc=$?
check "login run exits 0 ($rc): $out" test $rc = 0
check "the login form reached the server as alice" test "$(site_count POST /login username alice)" = 1
check "with the password typed" test "$(site_count POST /login password s3cret)" = 1
run=$(run_dir "$out")
check "trace has 6 steps" test "$(grep -c '"type":"step"' "$run/trace.jsonl" 2>/dev/null)" = 6
check "the model saw the page's URL and tabs" grep -q "URL: $SITE/login.html" "$O_LOG"
check "the model was sent 1280x720 screenshots" python3 -c "
import json, sys
sizes = {(i['w'], i['h']) for l in open('$O_LOG') for i in json.loads(l).get('image_info', [])}
sys.exit(0 if sizes and all(w >= 1280 and h >= 720 for w, h in sizes) else 1)"
check "the last screenshot sent shows the signed-in page" python3 -c "
import json, sys
bodies = [json.loads(l)['body'] for l in open('$O_LOG')]
sys.exit(0 if 'Welcome' in json.dumps(bodies[-1]) else 1)"
check "no browser process or profile is left" test "$(leftovers)" = 0
kill "$O_PID" 2>/dev/null; wait "$O_PID" 2>/dev/null

# 2. A link outside the allowlist: blocked in the browser; the model is told.
cat > out.json <<'EOF'
{"coords": "norm1000", "steps": [{"click_text": "Visit our partner"}, {"done": true}]}
EOF
start_oracle P --policy gui --task out.json
out=$(timeout 240 "$MAGI" run --base-url "$P_URL" --coords norm1000 --recipe single --env "browser:$SITE/outside.html" \
	--allow-domain 127.0.0.1 --runs runs --settle 100 --no-ask --yes "Visit our partner" 2>&1)
rc=$?
check "outside run exits 0 ($rc): $out" test $rc = 0
check "the page itself was served" test "$(site_count GET /outside.html)" -ge 1
check "its image from another host never was" test "$(site_count GET /pixel.png)" = 0
check "nor its fetch()" test "$(site_count GET /beacon)" = 0
check "nor the link's page" test "$(site_count GET /outside-target)" = 0
check "the model was told what was blocked" grep -q "outside the allowed domains" "$P_LOG"
check "no browser process or profile is left" test "$(leftovers)" = 0
kill "$P_PID" 2>/dev/null; wait "$P_PID" 2>/dev/null

# 3. The checkout, by element numbers, on mobile-agent-v2 with a model configured as remote:
# the elements reach the prompt; the page's e-mail addresses (one in its text, one drawn in a
# canvas, which only OCR reads) and the card number magi types for the model (a secret) do
# not leave, neither as text nor on the screenshots; paying is
# refused by the gate, every time the model tries (the stand-in tries again, as the history
# shows it not done, until the run stops on the refusals). It starts at the shop: "Go to
# checkout" is a link that only opens a page, and the gate lets it through.
cat > shop.json <<'EOF2'
{"coords": "pixels",
 "steps": [{"click_element": "Go to checkout"}, {"click_element": "Card number"}, {"type": "<secret:card>"},
           {"click_element": "Pay now"}, {"done": false}]}
EOF2
mkdir -p seen
checkouts=$(site_count GET /checkout.html)
start_oracle S --policy gui --task shop.json --save-images seen
printf 'models:\n  m:\n    base_url: %s\n    coords: pixels\n    trust: remote\n' "$S_URL" > remote.yaml
out=$(timeout 240 "$MAGI" run --config remote.yaml --recipe mobile-agent-v2 --env "browser:$SITE/shop.html" \
	--allow-domain 127.0.0.1 --secret card=4111111111111111 --runs runs --settle 100 --no-ask "Pay for the cart" 2>&1 </dev/null)
rc=$?
check "checkout run ends unsuccessful, the payment refused ($rc): $out" test $rc = 1
run=$(run_dir "$out")
check "the payment never reached the server" test "$(site_count POST /pay)" = 0
check "the checkout link was followed, unasked" test "$(site_count GET /checkout.html)" -gt "$checkouts"
check "the gate asked about the payment and was refused; the secret went in unasked" python3 - "$run/trace.jsonl" <<'PY'
import json, sys
ev = list(map(json.loads, open(sys.argv[1])))
g = [e for e in ev if e["type"] == "guard"]
assert g and all(e["category"] == "payment" and "Pay now" in e["element"] and e["decision"] == "ask"
                and e["action"]["action"] == "click_element" for e in g), g
typed = [e for e in ev if e["type"] == "step" and e["action"]["action"] == "type"]
assert len(typed) == 1 and typed[0]["action"]["text"] == "<secret:card>" and "error" not in typed[0], typed
PY
check "the model clicked by element numbers" test "$(grep '"type":"step"' "$run/trace.jsonl" | grep -c '"action":{"action":"click_element"')" -ge 2
check "mobile-agent-v2's reflection ran on the browser" grep -q '"type":"reflection"' "$run/trace.jsonl"
check "the element list reached the model" grep -Fq 'button \"Pay now\"' "$S_LOG"
check "the typed card reached the model as its placeholder" grep -Fq 'textbox \"Card number\" value \"<secret:card>\"' "$S_LOG"
check "the card number never did" bash -c "! grep -Eq '4111 ?1111' '$S_LOG'"
check "the e-mail address reached it as a label" grep -Fq 'receipt goes to [email]' "$S_LOG"
check "never as itself" bash -c "! grep -q 'jane.doe' '$S_LOG'"
check "the canvas's text (not in the DOM) was read with OCR, its e-mail as a label" grep -Eq 'Questions: \[email\]' "$S_LOG"
check "...never as itself" bash -c "! grep -q 'support@' '$S_LOG'"
shopt -s nullglob
imgs=(seen/*)
shopt -u nullglob
check "the model received images" test ${#imgs[@]} -ge 2
tesseract "${imgs[-1]}" - 2>/dev/null > ocr.txt
check "the last image sent shows the checkout" grep -qi "checkout" ocr.txt
check "...without the card number or the e-mail addresses" bash -c "! grep -Eiq '4111|1111 1111|jane|support|example\.com' ocr.txt"
check "no browser process or profile is left" test "$(leftovers)" = 0
kill "$S_PID" 2>/dev/null; wait "$S_PID" 2>/dev/null

# 4. Flags: clear errors, exit 2.
out=$("$MAGI" run --env "browser:$SITE/" --headful --base-url http://127.0.0.1:9/v1 "x" 2>&1); rc=$?
check "headful without a display: exit 2 ($rc)" test $rc = 2
check "...saying why: $out" contains "$out" '$DISPLAY'
out=$("$MAGI" run --env browser --viewport 10x10 "x" 2>&1); rc=$?
check "bad viewport: exit 2 ($rc)" test $rc = 2
check "...naming it: $out" contains "$out" "'10x10'"
out=$("$MAGI" run --env x11:99 --marks --base-url http://127.0.0.1:9/v1 "x" 2>&1); rc=$?
check "browser flags elsewhere: exit 2 ($rc)" test $rc = 2
check "...saying so: $out" contains "$out" "are for --env browser"
out=$("$MAGI" run --env x11:99 --webgl --base-url http://127.0.0.1:9/v1 "x" 2>&1); rc=$?
check "--webgl elsewhere: exit 2 ($rc)" test $rc = 2
check "...saying so: $out" contains "$out" "--webgl"
out=$(MAGI_CHROMIUM=/nonexistent/chrome "$MAGI" run --env browser --base-url http://127.0.0.1:9/v1 "x" 2>&1); rc=$?
check "no Chromium: exit 3 ($rc)" test $rc = 3
check "...naming the binary: $out" contains "$out" "/nonexistent/chrome"
finish
