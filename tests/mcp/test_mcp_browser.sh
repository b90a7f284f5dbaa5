#!/bin/bash
# test_mcp_browser.sh — `magi mcp --env browser:URL` driven by the official MCP TypeScript
# SDK against real Chromium on the browser tests' local site: the browser's tools are listed,
# the element list reaches the client with personal data and secrets as labels, a secret is
# typed by magi into the field clicked by number, screenshots are covered, paying and
# leaving the allowlist ask the person (declined here: nothing is sent), and the server
# logs show what reached the site. The checks are in browser_client.mjs.
. "$(dirname "$0")/../integration/lib.sh"
for t in node python3 tesseract; do command -v $t >/dev/null || exit 77; done
[ -x "${MAGI_CHROMIUM:-/usr/lib/chromium/chromium}" ] || exit 77
export OMP_THREAD_LIMIT=1
SDK_DIR=${MAGI_BIN_DIR:-$SRC/build}/mcp-sdk
bash "$SRC/tests/mcp/install_sdk.sh" "$SDK_DIR" || exit $?
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_BASE_URL DISPLAY
export TMPDIR=$TMP # the browser's temporary profile goes here, where the test can see it

python3 "$SRC/tests/browser/site_server.py" --port 0 --port-file site.port --log site.log 2>site.err &
ORACLE_PIDS+=("$!")
for _ in $(seq 1 250); do [ -s site.port ] && break; sleep 0.02; done
[ -s site.port ] || { echo "the test site did not start: $(cat site.err)" >&2; exit 1; }
PORT=$(cat site.port)
printf 'guards:\n  allow_domains: [127.0.0.1]\n  secrets:\n    card: "4111111111111111"\n' > cfg.yaml

MAGI="$MAGI" SDK_DIR="$SDK_DIR" TMP="$TMP" SITE="http://127.0.0.1:$PORT" PORT="$PORT" \
	timeout 240 node "$SRC/tests/mcp/browser_client.mjs"
rc=$?
[ $rc = 0 ] && ok || bad "browser_client.mjs exited $rc"
# what reached the site: the pages, never the payment nor the page outside the allowlist
count() { python3 -c "
import json, sys
print(sum(1 for l in open('site.log') if (e := json.loads(l))['method'] == sys.argv[1] and e['path'] == sys.argv[2]))" "$@"; }
check "the checkout page was served" test "$(count GET /checkout.html)" -ge 1
check "the search page was served (navigate)" test "$(count GET /search.html)" -ge 1
check "the payment never reached the server" test "$(count POST /pay)" = 0
check "nor the page outside the allowlist" test "$(count GET /outside-target)" = 0
n=0
for f in /proc/[0-9]*/cmdline; do grep -qa -- "--user-data-dir=$TMP/magi-chromium-" "$f" 2>/dev/null && n=$((n + 1)); done
shopt -s nullglob
dirs=("$TMP"/magi-chromium-*)
check "no browser process or profile outlives the server ($n, ${#dirs[@]})" test $((n + ${#dirs[@]})) = 0
finish
