#!/bin/bash
# test_browser_eval.sh — `magi eval` on a browser suite (tests/browser/browser_tasks.jsonl):
# every task on a Chromium of its own, opened at the task's browser:URL on the test site;
# the stand-in model plays the `single` recipe from its key (the cart task is answered
# wrongly). The browser checkers are read at the end (and after every step): the URL, an
# element of the page's list, what a CSS selector shows, and the site's request log over
# HTTP (did the form value reach the server). The wrong end state fails its checker.
. "$(dirname "$0")/../integration/lib.sh"
for t in python3 tesseract; do command -v $t >/dev/null || exit 77; done
[ -x "${MAGI_CHROMIUM:-/usr/lib/chromium/chromium}" ] || exit 77
export OMP_THREAD_LIMIT=1
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_BASE_URL MAGI_API_KEY OPENAI_API_KEY DISPLAY
export TMPDIR=$TMP # the browsers' temporary profiles go here, where the test can see them

python3 "$SRC/tests/browser/site_server.py" --port 0 --port-file site.port --log site.log 2>site.err &
ORACLE_PIDS+=("$!")
for _ in $(seq 1 250); do [ -s site.port ] && break; sleep 0.02; done
[ -s site.port ] || { echo "the test site did not start: $(cat site.err)" >&2; exit 1; }
SITE=http://127.0.0.1:$(cat site.port)
sed "s|{{SITE}}|$SITE|g" "$SRC/tests/browser/browser_tasks.jsonl" > suite.jsonl
start_oracle G --policy gui_tasks --task "$SRC/tests/browser/browser_tasks.key.json"

out=$(timeout 300 "$MAGI" eval run suite.jsonl --base-url "$G_URL" --recipe single --jobs 1 --out res 2>err.txt); rc=$?
check "browser eval exits 0 ($rc): $(tail -3 err.txt)" test $rc = 0
check "3 results" test "$(wc -l < res/results.jsonl 2>/dev/null)" = 3
# r ID FIELD: a field of an item's result; ck ID N: its N-th checker's {pass, detail}
r() { python3 -c "import json,sys
for l in open(sys.argv[1]):
    j=json.loads(l)
    if j['id']==sys.argv[2]: print(j.get(sys.argv[3]))" res/results.jsonl "$1" "$2"; }
ck() { python3 -c "import json,sys
for l in open(sys.argv[1]):
    j=json.loads(l)
    if j['id']==sys.argv[2]: c=j['checks'][int(sys.argv[3])]; print(c['pass'], c['detail'])" res/results.jsonl "$1" "$2"; }
check "search: success" test "$(r search success)" = True
check "search: the URL checker passed: $(ck search 0)" grep -q "^True URL $SITE/search?q=teapot" <<<"$(ck search 0)"
check "search: the result listed on the page: $(ck search 1)" grep -q "^True text \"Green Teapot\"" <<<"$(ck search 1)"
check "search: the query reached the server: $(ck search 2)" grep -q "^True GET $SITE/requests" <<<"$(ck search 2)"
check "search: it did (the site's own log)" grep -q '"path": "/search", "query": {"q": "teapot"}' site.log
check "login: success" test "$(r login success)" = True
check "login: the heading read by CSS selector: $(ck login 0)" test "$(ck login 0)" = 'True h1 shows "Signed in as alice"'
check "login: the form value reached the server: $(ck login 1)" grep -q "^True" <<<"$(ck login 1)"
check "login: goal reached mid-run, after the click on Sign in" test "$(r login goal_step)" = 3
check "cart (wrong answer): not a success" test "$(r cart success)" = False
check "cart: claimed done, so an early termination" test "$(r cart early)" = True
check "cart: the selector checker failed on what the cart shows: $(ck cart 0)" test "$(ck cart 0)" = 'False #cart shows "Blue Mug"'
check "cart: the element checker still passed: $(ck cart 1)" grep -q "^True link \"Go to checkout\"" <<<"$(ck cart 1)"
check "every task had its own Chromium at its URL" test "$(grep -c '"path": "/\(search\|login\|shop\).html"' site.log)" -ge 3
check "no browser process or profile is left" test "$(ls -d magi-chromium-* 2>/dev/null | wc -l)" = 0

# a bad checker or env is refused when the suite loads, naming the line
printf -- '---\nname: bad\nkind: gui\n---\n{"id": "x", "env": "firefox:%s", "task": "t", "check": [{"url": "a"}]}\n' "$SITE" > bad1.jsonl
out=$("$MAGI" eval run bad1.jsonl --base-url "$G_URL" --out bad 2>&1); rc=$?
check "an item env that is not a browser: exit 3 ($rc): $out" test $rc = 3
check "...saying so" contains "$out" 'must be browser or browser:URL'
printf -- '---\nname: bad\nkind: gui\nenv: browser\n---\n{"id": "x", "task": "t", "check": [{"http": "%s/requests"}]}\n' "$SITE" > bad2.jsonl
out=$("$MAGI" eval run bad2.jsonl --base-url "$G_URL" --out bad 2>&1); rc=$?
check "an http checker without what to look for: exit 3 ($rc)" test $rc = 3
check "...saying so: $out" contains "$out" 'needs "contains" or "regex"'
finish
