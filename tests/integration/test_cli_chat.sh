#!/bin/bash
# test_cli_chat.sh — `magi chat`, `magi models`, `magi trace show` as a person uses them,
# against the real stand-in server: answers, images, traces, replay, errors, exit codes.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || exit 77
command -v convert >/dev/null || exit 77
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL OPENAI_API_KEY MAGI_MODEL
export MAGI_API_KEY=sk-cli-secret-0123456789

# --version, --help everywhere
check "--version" bash -c "'$MAGI' --version | grep -q '^magi [0-9]'"
for c in chat models trace; do
	check "$c --help" bash -c "'$MAGI' $c --help | grep -q usage"
done
"$MAGI" frobnicate 2>err.txt; rc=$?
check "unknown command exits 2" test $rc = 2
check "unknown command message" grep -q "unknown command 'frobnicate'" err.txt

# a plain answer
cat > script.jsonl <<'S'
{"content": "The screen shows a red square."}
{"content": "second"}
{"content": "third"}
S
start_oracle A --script script.jsonl
export MAGI_BASE_URL=$A_URL
convert -size 640x400 xc:white -fill red -draw "rectangle 100,100 300,300" shot.png
out=$("$MAGI" chat --image shot.png -v --trace --runs runs "What is on the screen?" 2>err.txt); rc=$?
check "chat exits 0" test $rc = 0
check "chat prints the answer" test "$out" = "The screen shows a red square."
check "-v prints usage and latency" grep -q "prompt + .* completion tokens" err.txt
check "trace path printed" grep -q "^trace: runs/" err.txt
run=$(sed -n 's/^trace: //p' err.txt)
check "trace.jsonl exists" test -s "$run/trace.jsonl"
check "summary.json exists" test -s "$run/summary.json"
check "API key never in the trace" bash -c "! grep -rq sk-cli-secret '$run'"
check "request carried the key" grep -q "sk-cli-secret" "$A_LOG"
check "request carried an image" grep -q "data:image/jpeg;base64" "$A_LOG"
show=$("$MAGI" trace show "$run"); rc=$?
check "trace show exits 0" test $rc = 0
check "trace show lists the call" contains "$show" "call"
check "trace show totals" contains "$show" "1 model calls"

# record, then replay with the server stopped
out=$("$MAGI" chat --record cas.jsonl "Say second" 2>/dev/null)
check "recorded answer" test "$out" = "second"
kill "$A_PID"; wait "$A_PID" 2>/dev/null
out=$("$MAGI" chat --replay cas.jsonl "Say second" 2>err.txt); rc=$?
check "replay with the server stopped" test "$out" = "second" -a $rc = 0
"$MAGI" chat --replay cas.jsonl "Never recorded" 2>err.txt; rc=$?
check "replay miss exits 3" test $rc = 3
check "replay miss message" grep -q "not in cassette" err.txt

# server down: one clear line, exit 1
"$MAGI" chat --attempts 1 "hello" 2>err.txt; rc=$?
check "server down exits 1" test $rc = 1
check "server down message names the URL" grep -q "$MAGI_BASE_URL" err.txt
check "one line of error" test "$(wc -l < err.txt)" = 1

# bad inputs
printf 'not an image' > bad.png
"$MAGI" chat --image bad.png "x" 2>err.txt; rc=$?
check "garbage image exits 3" test $rc = 3
check "garbage image message names the file" grep -q "bad.png" err.txt
"$MAGI" chat --image missing.png "x" 2>err.txt; rc=$?
check "missing image exits 3" test $rc = 3
"$MAGI" chat 2>err.txt; rc=$?
check "no prompt exits 2" test $rc = 2
"$MAGI" chat --timeout abc "x" 2>err.txt; rc=$?
check "bad --timeout exits 2" test $rc = 2

# config file: models listing, unknown model, YAML error with file:line
cat > magi.yaml <<Y
default: local
models:
  local:
    base_url: $MAGI_BASE_URL
    coords: norm1000
  cloud:
    base_url: https://api.example.com/v1
Y
out=$("$MAGI" models)
check "models lists both" bash -c "grep -q local <<<'$out' && grep -q cloud <<<'$out'"
check "models shows trust" contains "$out" "coords=norm1000"
"$MAGI" chat --model nosuch "x" 2>err.txt; rc=$?
check "unknown model exits 3" test $rc = 3
check "unknown model lists known" grep -q "local, cloud" err.txt
printf 'models:\n  a: [\n' > broken.yaml
"$MAGI" models --config broken.yaml 2>err.txt; rc=$?
check "YAML error exits 3" test $rc = 3
check "YAML error names file and line" grep -q "broken.yaml:[0-9]*:[0-9]*" err.txt
start_oracle B --script script.jsonl
sed -i "s#base_url: $MAGI_BASE_URL#base_url: $B_URL#" magi.yaml
"$MAGI" models --ping > ping.txt 2>&1; rc=$?
check "ping: the local one answers" grep -q "ping: ok" ping.txt
check "ping: the unreachable one fails, exit 1" test $rc = 1
finish
