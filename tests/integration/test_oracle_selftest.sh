#!/usr/bin/env bash
# Self-test of the stand-in model (tests/oracle/oracle.py): scripted answers and faults
# over real HTTP with curl, keep-alive, concurrency, the request log and saved images,
# start-up time, and the gui oracle policy reading a rendered screenshot with tesseract.
# Exit 77 when python3 or curl is missing; prints "N passed, N failed".
set -u

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 2>/dev/null) || { echo "SKIP: python3 missing"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl missing"; exit 77; }
SRC=${MAGI_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
ORACLE=$SRC/tests/oracle/oracle.py
T=$(mktemp -d "${TMPDIR:-/tmp}/oracle-selftest.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# py EXPR FILE...: evaluate a Python expression with j = first JSON file, a = argv.
py() { "$PY" -c 'import json,sys,math
a=sys.argv[2:]
j=json.load(open(a[0])) if a and a[0].endswith((".json",".body")) else None
print(eval(sys.argv[1]))' "$@"; }
# pyok EXPR FILE...: succeed when the expression is true.
pyok() { [ "$(py "$@" 2>"$T/py.err")" = True ] || { cat "$T/py.err" >&2; return 1; }; }
# logline NAME N: the Nth (0-based) line of an oracle's log, as a .json file path.
logline() { sed -n "$(($2 + 1))p" "$T/$1.log" >"$T/line.json"; echo "$T/line.json"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start_oracle NAME ARGS...: start a server; sets PORT, URL and STARTUP_MS.
start_oracle() {
  local name=$1; shift
  local t0; t0=$(now_ms)
  "$PY" "$ORACLE" --port 0 --port-file "$T/$name.port" --log "$T/$name.log" "$@" \
    2>"$T/$name.err" &
  local pid=$!
  PIDS+=("$pid")
  while [ ! -s "$T/$name.port" ]; do
    if ! kill -0 "$pid" 2>/dev/null || [ $(($(now_ms) - t0)) -gt 5000 ]; then
      echo "oracle $name did not start:"; cat "$T/$name.err"
      return 1
    fi
    sleep 0.01
  done
  STARTUP_MS=$(($(now_ms) - t0))
  PORT=$(cat "$T/$name.port")
  URL=http://127.0.0.1:$PORT/v1/chat/completions
}

# post DATA [CURL ARGS...]: POST to $URL; sets CODE and RC, body in $T/r.body.
post() {
  local data=$1; shift
  CODE=$(curl -sS -o "$T/r.body" -D "$T/r.hdr" -w '%{http_code}' \
    -H 'Content-Type: application/json' -H 'Authorization: Bearer sk-oracle-selftest' \
    --data-binary "$data" "$@" "$URL" 2>"$T/r.err")
  RC=$?
}
header() { tr -d '\r' <"$T/r.hdr" | awk -v h="$1" 'tolower($1) == tolower(h) ":" { print $2 }'; }
content() { py 'j["choices"][0]["message"]["content"]' "$T/r.body"; }

REQ='{"model":"selftest-model","messages":[{"role":"user","content":"Say hello to the oracle."}]}'

# --- command line --------------------------------------------------------------------
check "--help documents --port-file and --script" \
  bash -c "'$PY' '$ORACLE' --help | grep -q -- --port-file && '$PY' '$ORACLE' --help | grep -q -- --script"
printf '{"content": "fine"}\n{"fault": "418x"}\n' >"$T/bad.jsonl"
"$PY" "$ORACLE" --script "$T/bad.jsonl" >"$T/bad.out" 2>&1
check "exit status of a bad script is non-zero" [ $? -ne 0 ]
check "the bad-script message names line 2 and the fault" grep -q "line 2: unknown fault" "$T/bad.out"

# --- scripted answers and faults -----------------------------------------------------
cat >"$T/s.jsonl" <<'EOF'
# comments and blank lines are skipped
{"content": "hello from the oracle"}
{"content": "short", "usage": {"prompt_tokens": 7, "completion_tokens": 3}, "finish_reason": "length"}
{"fault": "429", "retry_after": 1}
{"fault": "429", "retry_after_ms": 250}
{"fault": "500"}
{"fault": "400", "message": "context length exceeded"}
{"fault": "401"}
{"fault": "503"}
{"fault": "malformed"}
{"fault": "no_choices"}
{"fault": "truncated"}
{"fault": "close"}
{"fault": "stall", "seconds": 30}
{"fault": "oversized", "bytes": 3000000}
{"content": "saw the image"}
{"content": "first on this connection"}
{"content": "second on this connection"}
EOF
start_oracle s --script "$T/s.jsonl" --save-images "$T/img" || { echo "0 passed, 1 failed"; exit 1; }
echo "     (start-up took ${STARTUP_MS} ms; reported, not asserted)"

post "$REQ"
check "content entry: 200" [ "$CODE" = 200 ]
check "content entry: the scripted text" [ "$(content)" = "hello from the oracle" ]
check "content entry: model echoed, object chat.completion, finish stop" pyok \
  'j["model"] == "selftest-model" and j["object"] == "chat.completion" and j["choices"][0]["finish_reason"] == "stop" and j["choices"][0]["message"]["role"] == "assistant"' "$T/r.body"
# "Say hello to the oracle." is 24 characters -> 6 prompt tokens; 21 characters -> 6.
check "content entry: usage is chars/4 and adds up" pyok \
  'j["usage"] == {"prompt_tokens": 6, "completion_tokens": 6, "total_tokens": 12}' "$T/r.body"
check "content entry: Content-Length matches the body" \
  [ "$(header content-length)" = "$(stat -c %s "$T/r.body")" ]

post "$REQ"
check "usage override and finish_reason" pyok \
  'j["usage"] == {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10} and j["choices"][0]["finish_reason"] == "length"' "$T/r.body"

post "$REQ"
check "429 status" [ "$CODE" = 429 ]
check "429 retry-after: 1" [ "$(header retry-after)" = 1 ]
check "429 OpenAI error body" pyok 'j["error"]["code"] == "rate_limit_exceeded" and bool(j["error"]["message"])' "$T/r.body"
post "$REQ"
check "429 retry-after-ms: 250" [ "$CODE:$(header retry-after-ms)" = 429:250 ]
post "$REQ"
check "500 with an error message" pyok 'j["error"]["type"] == "server_error" and len(j["error"]["message"]) > 0' "$T/r.body"
post "$REQ"
check "400 carries the scripted message" [ "$CODE:$(py 'j["error"]["message"]' "$T/r.body")" = "400:context length exceeded" ]
post "$REQ"
check "401 invalid_api_key" [ "$CODE:$(py 'j["error"]["code"]' "$T/r.body")" = 401:invalid_api_key ]
post "$REQ"
check "503" [ "$CODE" = 503 ]
post "$REQ"
check "malformed: 200 with a body that is not JSON" \
  bash -c "[ $CODE = 200 ] && ! '$PY' -c 'import json,sys; json.load(open(sys.argv[1]))' '$T/r.body' 2>/dev/null"
post "$REQ"
check "no_choices: 200, JSON, no choices" pyok '"choices" not in j and j["object"] == "chat.completion"' "$T/r.body"
post "$REQ"
check "truncated: curl reports a partial body (exit 18)" [ "$RC" = 18 ]
post "$REQ"
check "close: curl reports an empty reply (exit 52)" [ "$RC" = 52 ]
post "$REQ" --max-time 1
check "stall: curl times out (exit 28)" [ "$RC" = 28 ]
post "$REQ"
check "oversized: 200 and exactly 3000000 bytes" [ "$CODE:$(stat -c %s "$T/r.body")" = 200:3000000 ]
check "oversized: the body is a valid completion" pyok 'len(j["choices"][0]["message"]["content"]) > 2900000' "$T/r.body"

# An image request: 100x60 PNG -> 4x3 = 12 patch tokens, plus text tokens.
"$PY" - "$T" <<'EOF'
import base64, json, struct, sys, zlib
t = sys.argv[1]
def chunk(k, d):
    return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d))
raw = b"".join(b"\0" + b"\xff\x00\x00" * 100 for _ in range(60))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100, 60, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
open(t + "/red.png", "wb").write(png)
url = "data:image/png;base64," + base64.b64encode(png).decode()
req = {"model": "m", "messages": [{"role": "user", "content": [
    {"type": "text", "text": "What is this? (40 characters of text..)"},
    {"type": "image_url", "image_url": {"url": url}}]}]}
json.dump(req, open(t + "/img-req.json", "w"))
EOF
post "@$T/img-req.json"
check "image request: prompt tokens = 10 text + 12 patches" pyok 'j["usage"]["prompt_tokens"] == 22' "$T/r.body"

# Keep-alive: two requests in one curl run share one connection.
conns=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects},' -H 'Content-Type: application/json' \
  --data-binary "$REQ" "$URL" "$URL")
check "keep-alive: second request reuses the connection (connects: $conns)" [ "$conns" = "1,0," ]

post '{"messages": [oops'
check "a body that is not JSON gets 400 with a message" \
  [ "$CODE:$(py '"not valid JSON" in j["error"]["message"]' "$T/r.body")" = 400:True ]
post "$REQ"
check "script exhausted: 500 naming it" \
  [ "$CODE:$(py '"oracle script exhausted" in j["error"]["message"]' "$T/r.body")" = 500:True ]
CODE=$(curl -s -o "$T/r.body" -w '%{http_code}' "http://127.0.0.1:$PORT/v1/models")
check "GET /v1/models lists a model" [ "$CODE:$(py 'j["data"][0]["object"]' "$T/r.body")" = 200:model ]
CODE=$(curl -s -o /dev/null -w '%{http_code}' --data-binary "$REQ" "http://127.0.0.1:$PORT/v1/nothing")
check "an unknown path gets 404" [ "$CODE" = 404 ]

# The log: one line per request received, in order of completion.
check "log: 21 lines (17 script entries + bad JSON + exhausted + models + 404)" \
  [ "$(wc -l <"$T/s.log")" = 21 ]
L=$(logline s 0)
check "log: first line has entry 0, the parsed body and t <= t_end" pyok \
  'j["entry"] == 0 and j["source"] == "script" and j["body"]["model"] == "selftest-model" and j["t"] <= j["t_end"] and j["path"] == "/v1/chat/completions"' "$L"
check "log: authorization kept and marked secret" pyok \
  'j["headers"]["authorization"] == "Bearer sk-oracle-selftest" and j["secret_headers"] == ["authorization"]' "$L"
L=$(logline s 2)
check "log: the 429 line names the fault and status" pyok 'j["entry"] == 2 and j["fault"] == "429" and j["status"] == 429' "$L"
L=$(logline s 12)
check "log: the stall ended when the client hung up" pyok \
  'j["fault"] == "stall" and j["client_closed_early"]' "$L"
L=$(logline s 14)
check "log: image size and saved file" pyok \
  'j["image_info"][0]["w"] == 100 and j["image_info"][0]["h"] == 60 and j["images"][0].endswith(".png") and j["body"]["messages"][0]["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")' "$L"
check "saved image is byte-identical to the one sent" cmp -s "$T/red.png" "$T/img/$(py 'j["images"][0]' "$L")"
check "log: the bad JSON line has no entry and says why" pyok 'any(l.get("body_error") and l["entry"] is None and l["status"] == 400 for l in map(json.loads, open(a[1])))' x "$T/s.log"

# --- concurrency: four requests with 400 ms latency each overlap ---------------------
for i in 1 2 3 4; do echo "{\"content\": \"answer $i\"}"; done >"$T/d.jsonl"
start_oracle d --script "$T/d.jsonl" --delay-ms 400 || bad "delay oracle start"
t0=$(now_ms)
CURLS=()
for i in 1 2 3 4; do
  curl -s -o "$T/d.$i" -H 'Content-Type: application/json' --data-binary "$REQ" "$URL" &
  CURLS+=($!)
done
wait "${CURLS[@]}"
elapsed=$(($(now_ms) - t0))
# overlap is checked from the oracle's own log below; the wall time only has a floor
check "4 concurrent 400 ms answers took ${elapsed} ms (>= 400)" [ "$elapsed" -ge 400 ]
check "concurrent answers each got a distinct script entry" \
  [ "$(cat "$T"/d.[1-4] | grep -o 'answer [1-4]' | sort -u | wc -l)" = 4 ]
check "log: the four requests overlapped in time" pyok '(lambda L: max(l["t"] for l in L) < min(l["t_end"] for l in L))([json.loads(s) for s in open(a[1])])' x "$T/d.log"

# --- image sizes from header bytes (formats ImageMagick can write here) -------------
if command -v convert >/dev/null; then
  sizes_ok=true
  for spec in png:a.png jpeg:a.jpg "jpeg:b.jpg:-interlace Plane" gif:a.gif webp:a.webp \
              "webp:c.webp:-define webp:lossless=true"; do
    IFS=: read -r fmt file opts <<<"$spec"
    # shellcheck disable=SC2086
    convert -size 123x45 xc:white $opts "$T/$file" 2>/dev/null || continue
    got=$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import oraclelib
print(*oraclelib.image_size(open(sys.argv[2], "rb").read()))' "$SRC/tests/oracle" "$T/$file")
    [ "$got" = "$fmt 123 45" ] || { echo "  $file: got '$got'"; sizes_ok=false; }
  done
  check "image sizes read from PNG, JPEG (baseline, progressive), GIF, WebP headers" $sizes_ok
fi

# --- the gui policy --------------------------------------------------------------------
if ! command -v convert >/dev/null || ! command -v tesseract >/dev/null; then
  echo "SKIP: gui policy checks need ImageMagick convert and tesseract"
else
  convert -size 640x360 xc:white -font DejaVu-Sans -pointsize 28 -draw "text 400,200 'Cancel'" "$T/cancel.png"
  convert -size 640x360 xc:white -font DejaVu-Sans -pointsize 28 -draw "text 100,100 'Saved'" "$T/saved.png"
  # The word's box, found without OCR: the bounding box of the non-white pixels.
  read -r BW BH BX BY < <(convert "$T/cancel.png" -trim -format '%w %h %X %Y' info: | tr -d '+')
  cat >"$T/mkreq.py" <<'EOF'
import base64, json, sys
# mkreq.py OUT TEXT [IMG...] [--after-reply TEXT FOLLOWUP]
out, text, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
extra = []
if "--after-reply" in rest:
    k = rest.index("--after-reply")
    extra = [{"role": "assistant", "content": rest[k + 1]}, {"role": "user", "content": rest[k + 2]}]
    rest = rest[:k]
parts = [{"type": "text", "text": text}]
for p in rest:
    b64 = base64.b64encode(open(p, "rb").read()).decode()
    mime = "image/jpeg" if p.endswith(".jpg") else "image/png"
    parts.append({"type": "image_url", "image_url": {"url": "data:%s;base64,%s" % (mime, b64)}})
msgs = [{"role": "system", "content": "You operate a Linux desktop."},
        {"role": "user", "content": parts}] + extra
json.dump({"model": "gui-model", "messages": msgs}, open(out, "w"))
EOF
  # decide HISTORY...: a decision prompt whose history holds these "Step N: ..." lines
  # (the policy knows what was done only from the request, as a model does)
  decide() {
    local h="" n=0 l
    for l in "$@"; do n=$((n + 1)); h+="Step $n: $l"$'\n'; done
    printf 'Task: press Cancel. What you have done so far:\n%s\nAnswer in this format:\n### Thought ###\n...\n### Action ###\n{"action": ...}\n### Operation ###\n...' "${h:-(none yet)}"
  }
  CLICKED='Click "Cancel" -> {"action":"click","x":640,"y":500} (done)'
  WAITED='Wait for the screen -> {"action":"wait","seconds":1} (done)'
  DECIDE=$(decide)
  "$PY" "$T/mkreq.py" "$T/decide.json" "$DECIDE" "$T/cancel.png"
  echo '{"coords":"norm1000","steps":[{"click_text":"Cancel"},{"click_text":"Nonexistent"},{"type":"echo ok > /tmp/x"}]}' >"$T/task.json"
  start_oracle g --policy gui --task "$T/task.json" --fault-first 1:429 || bad "gui oracle start"

  post "@$T/decide.json"
  check "gui: --fault-first 1:429 answers the first request with 429" [ "$CODE" = 429 ]
  post "@$T/decide.json"
  content >"$T/reply.txt"
  check "gui: decision reply has Thought, Action, Operation sections" \
    grep -qzP '^### Thought ###\n.+\n### Action ###\n\{.*\}\n### Operation ###\n.+' "$T/reply.txt"
  sed -n '/^### Action ###$/{n;p}' "$T/reply.txt" >"$T/action.json"
  check "gui: click on Cancel inside its box in 0-1000 space (box ${BW}x${BH}+${BX}+${BY})" \
    pyok '(lambda x,y,w,h: j["action"] == "click" and x*1000/640 <= j["x"] <= (x+w)*1000/640 and y*1000/360 <= j["y"] <= (y+h)*1000/360)(*map(int, a[1:]))' \
      "$T/action.json" "$BX" "$BY" "$BW" "$BH"

  "$PY" "$T/mkreq.py" "$T/repair.json" "$DECIDE" "$T/cancel.png" --after-reply "$(cat "$T/reply.txt")" \
    'Your previous reply could not be used: no action found. Answer again in the same format.'
  post "@$T/repair.json"
  check "gui: a repair request gets the same click again" [ "$(content)" = "$(cat "$T/reply.txt")" ]
  post "@$T/decide.json"
  check "gui: the same request again gets the same answer (no memory between requests)" [ "$(content)" = "$(cat "$T/reply.txt")" ]

  "$PY" "$T/mkreq.py" "$T/plan.json" $'Summarise the progress.\nOperation history:\n(none yet)\n### Completed contents ###\n...' "$T/cancel.png"
  post "@$T/plan.json"
  check "gui: planning with an empty history: nothing done" [ "$(content)" = $'### Completed contents ###\nNothing has been done yet.' ]
  "$PY" "$T/mkreq.py" "$T/plan.json" "Summarise the progress."$'\n'"Operation history:"$'\n'"Step 1: $CLICKED"$'\n'"Step 2: $WAITED"$'\n### Completed contents ###\n...' "$T/cancel.png"
  post "@$T/plan.json"
  check "gui: planning reports the click its history shows" [ "$(content)" = $'### Completed contents ###\nClicked "Cancel"' ]
  "$PY" "$T/mkreq.py" "$T/mem.json" $'Note what matters.\n### Important content ###\n...' "$T/cancel.png"
  post "@$T/mem.json"
  check "gui: memory answers None" [ "$(content)" = $'### Important content ###\nNone' ]

  REFLECT=$'Did the operation work?\nA: as expected\nB: wrong page\nC: nothing changed\n### Thought ###\n...\n### Answer ###\n...'
  "$PY" "$T/mkreq.py" "$T/same.json" "$REFLECT" "$T/cancel.png" "$T/cancel.png"
  post "@$T/same.json"
  check "gui: reflection on identical screenshots answers C" [ "$(content | tail -1)" = C ]
  "$PY" "$T/mkreq.py" "$T/diff.json" "$REFLECT" "$T/cancel.png" "$T/saved.png"
  post "@$T/diff.json"
  check "gui: reflection on different screenshots answers A" [ "$(content | tail -1)" = A ]
  "$PY" "$T/mkreq.py" "$T/one.json" "$REFLECT" "$T/cancel.png"
  post "@$T/one.json"
  check "gui: reflection with one image is refused with 400" [ "$CODE" = 400 ]

  action_of() { "$PY" "$T/mkreq.py" "$T/d.json" "$(decide "$@")" "$T/cancel.png"; post "@$T/d.json"; content | sed -n '/^### Action ###$/{n;p}'; }
  check "gui: history shows Cancel clicked, Nonexistent not on screen -> it waits" \
    [ "$(action_of "$CLICKED")" = '{"action":"wait","seconds":1}' ]
  check "gui: ... with one wait in the history, waits once more" \
    [ "$(action_of "$CLICKED" "$WAITED")" = '{"action":"wait","seconds":1}' ]
  check "gui: ... with two, gives up: done success=false" \
    [ "$(action_of "$CLICKED" "$WAITED" "$WAITED")" = '{"action":"done","success":false}' ]
  check "gui: ... with a thought saying it was not found" \
    pyok '"could not find \"Nonexistent\"" in j["choices"][0]["message"]["content"]' "$T/r.body"
  NEXT='Click "Nonexistent" -> {"action":"click","x":10,"y":10} (done)'
  check "gui: history shows both clicks -> the type step" \
    [ "$(action_of "$CLICKED" "$WAITED" "$NEXT")" = '{"action":"type","text":"echo ok > /tmp/x"}' ]
  check "gui: history shows every step -> done success=true" \
    [ "$(action_of "$CLICKED" "$NEXT" 'Type "echo ok > /tmp/x" -> {"action":"type","text":"echo ok > /tmp/x"} (done)')" = '{"action":"done","success":true}' ]
  post '{"messages":[{"role":"user","content":"hello"}]}'
  check "gui: a request asking for no known section gets 400" [ "$CODE" = 400 ]
  L=$(logline g 2)
  check "gui log: the repair line records role, step 0 and repair" pyok \
    'j["source"] == "policy" and j["policy"]["role"] == "decision" and j["policy"]["step"] == 0 and j["policy"]["repair"]' "$L"

  # Other coordinate spaces: pixels (integers) and norm1 (3 decimals, sent as JPEG).
  convert "$T/cancel.png" -quality 80 "$T/cancel.jpg"
  "$PY" "$T/mkreq.py" "$T/decide-jpeg.json" "$DECIDE" "$T/cancel.jpg"
  for coords in pixels norm1; do
    echo "{\"coords\":\"$coords\",\"steps\":[{\"click_text\":\"cancel\"}]}" >"$T/task-$coords.json"
    start_oracle "g$coords" --policy gui --task "$T/task-$coords.json" || { bad "gui $coords start"; continue; }
    if [ "$coords" = norm1 ]; then post "@$T/decide-jpeg.json"; else post "@$T/decide.json"; fi
    content | sed -n '/^### Action ###$/{n;p}' >"$T/action.json"
    if [ "$coords" = pixels ]; then
      check "gui: pixel click is integral and inside the box" pyok \
        '(lambda x,y,w,h: type(j["x"]) is int and x <= j["x"] <= x+w and y <= j["y"] <= y+h)(*map(int, a[1:]))' \
        "$T/action.json" "$BX" "$BY" "$BW" "$BH"
    else
      check "gui: norm1 click on a JPEG is inside the box, 3 decimals at most" pyok \
        '(lambda x,y,w,h: x/640 <= j["x"] <= (x+w)/640 and y/360 <= j["y"] <= (y+h)/360 and round(j["x"], 3) == j["x"])(*map(int, a[1:]))' \
        "$T/action.json" "$BX" "$BY" "$BW" "$BH"
    fi
  done
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
