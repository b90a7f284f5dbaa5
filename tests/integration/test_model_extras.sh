#!/bin/bash
# test_model_extras.sh — per-model request settings against the real stand-in server:
# extra_body fields are sent, drop_params fields are not, a 400 naming a field magi sent
# gets the request again at once without it (and says so), and bad format / extra_body /
# drop_params settings are refused with a message naming them.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || exit 77
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL OPENAI_API_KEY MAGI_MODEL MAGI_BASE_URL

cat > script.jsonl <<'S'
{"fault": "400", "message": "Unsupported parameter: 'repetition_penalty' is not supported with this model."}
{"content": "fine"}
S
start_oracle A --script script.jsonl
cat > m.yaml <<Y
models:
  m:
    base_url: $A_URL
    format: qwen2.5-vl
    extra_body: {top_k: 1, repetition_penalty: 1.05}
    drop_params: [temperature]
Y
out=$("$MAGI" chat --config m.yaml "hello" 2>err.txt); rc=$?
check "chat exits 0 after the 400: $(cat err.txt)" test $rc = 0
check "the answer came" test "$out" = "fine"
check "the person is told which field was dropped" grep -q "refused the request field 'repetition_penalty'" err.txt
python3 - "$A_LOG" > fields.txt <<'PY'
import json, sys
for l in open(sys.argv[1]):
    b = json.loads(l).get("body") or {}
    print(" ".join(sorted(k for k in b if k not in ("messages",))))
PY
first=$(sed -n 1p fields.txt) second=$(sed -n 2p fields.txt)
check "two requests" test "$(wc -l < fields.txt)" = 2
check "extra_body fields sent: $first" bash -c "grep -qw top_k <<<'$first' && grep -qw repetition_penalty <<<'$first'"
check "drop_params field not sent: $first" bash -c "! grep -qw temperature <<<'$first'"
check "sent again without the refused field: $second" bash -c "grep -qw top_k <<<'$second' && ! grep -qw repetition_penalty <<<'$second'"

# a 400 that names no field magi sent is an error, not a loop
printf '{"fault": "400", "message": "messages: too many images"}\n' > s2.jsonl
start_oracle B --script s2.jsonl
"$MAGI" chat --base-url "$B_URL" "hello" >/dev/null 2>err2.txt; rc=$?
check "a 400 naming nothing magi sent fails (rc $rc)" test $rc != 0
check "... with the server's message" grep -q "too many images" err2.txt
check "... after one request" test "$(wc -l < "$B_LOG")" = 1

# bad settings
bad() { # bad DESCRIPTION YAML-LINE EXPECTED-TEXT
	printf 'models:\n  m:\n    base_url: http://127.0.0.1:9/v1\n    %s\n' "$2" > bad.yaml
	"$MAGI" chat --config bad.yaml "x" >/dev/null 2>err3.txt; local rc=$?
	check "$1 exits 3 (rc $rc)" test $rc = 3
	check "$1 message: $(cat err3.txt)" grep -q "$3" err3.txt
}
bad "unknown format" "format: gpt-9" "format must be one of magi, uitars"
bad "extra_body as text" "extra_body: top_k=1" "extra_body must be a mapping"
bad "extra_body setting messages" "extra_body: {messages: []}" "extra_body may not set 'messages'"
bad "drop_params not a list" "drop_params: temperature" "drop_params must be a list"
"$MAGI" chat --base-url http://127.0.0.1:9/v1 --format qwen4 "x" >/dev/null 2>err4.txt; rc=$?
check "--format unknown exits 2 (rc $rc)" test $rc = 2
check "--format message names the known ones" grep -q "not a known format (known: magi, uitars" err4.txt
finish
