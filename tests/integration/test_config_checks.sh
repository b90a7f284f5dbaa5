#!/bin/bash
# test_config_checks.sh — magi.yaml mistakes found when the file is read, before any run:
#   - api_key_env naming a variable that is not set: exit 3 naming the model and the
#     variable, no request reaches the (live) server, no run directory is made; the same
#     for an empty variable; a loopback server (no trust: remote) needs no key and answers;
#     a set variable is sent as the key; a keyless model that the command does not use
#     stops nothing.
#   - guards: and mcp: sections are checked by every command that reads the file (also magi
#     models and magi chat, which use neither), the message naming file:line and the key;
#     a secret's {env: VAR} is checked for its form only there.
. "$(dirname "$0")/lib.sh"
for tool in python3 convert timeout; do command -v $tool >/dev/null || exit 77; done
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL OPENAI_API_KEY MAGI_API_KEY MAGI_MODEL MAGI_BASE_URL MAGI_TEST_KEY
printf '{"content": "hello"}\n{"content": "hello"}\n{"content": "hello"}\n' > script.jsonl
start_oracle A --script script.jsonl
convert -size 64x48 xc:white shot.png
chat_calls() { [ -s "$A_LOG" ] && grep -c 'chat/completions' "$A_LOG" || echo 0; }

# ---- api_key_env ----------------------------------------------------------------------------
printf 'models:\n  cloud:\n    base_url: "%s"\n    api_key_env: MAGI_TEST_KEY\n    trust: remote\n' "$A_URL" > remote.yaml
out=$(timeout 30 "$MAGI" run --config remote.yaml --env image:shot.png --runs runs --no-ask "x" 2>&1); rc=$?
check "an unset api_key_env: magi run exits 3 (got $rc): $out" test $rc = 3
check "... naming the file, the model and the variable" \
	bash -c 'grep -q "remote.yaml: model .cloud.: api_key_env names the environment variable MAGI_TEST_KEY, which is not set" <<<"$1"' _ "$out"
check "... before any run: no run directory" test ! -e runs
check "... and no request reached the server" test "$(chat_calls)" = 0
out=$(MAGI_TEST_KEY= timeout 30 "$MAGI" chat --config remote.yaml "hi" 2>&1); rc=$?
check "an empty one: magi chat exits 3 saying it is empty (got $rc): $out" \
	bash -c '[ $2 = 3 ] && grep -q "MAGI_TEST_KEY, which is empty" <<<"$1"' _ "$out" $rc
out=$("$MAGI" models --config remote.yaml 2>&1); rc=$?
check "magi models lists the model's error and exits 3 (got $rc)" \
	bash -c '[ $2 = 3 ] && grep -q "cloud .*error: .*MAGI_TEST_KEY" <<<"$1"' _ "$out" $rc
check "still no request reached the server" test "$(chat_calls)" = 0

sed '/trust: remote/d' remote.yaml > local.yaml
out=$(timeout 30 "$MAGI" chat --config local.yaml "hi" 2>&1); rc=$?
check "a loopback server needs no key: magi chat answers (got $rc): $out" test $rc = 0 -a "$out" = hello
out=$(MAGI_TEST_KEY=k-123 timeout 30 "$MAGI" chat --config remote.yaml "hi" 2>&1); rc=$?
check "with the variable set the remote model answers (got $rc): $out" test $rc = 0 -a "$out" = hello
check "... and the key was sent as the bearer token" \
	python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; r=[x for x in r if "chat/completions" in x.get("path","")]; sys.exit(not (len(r)==2 and "k-123" in json.dumps(r[1]) and "k-123" not in json.dumps(r[0])))' "$A_LOG"
printf 'default: here\nmodels:\n  here: {base_url: "%s"}\n  cloud: {base_url: "https://api.example.invalid/v1", api_key_env: MAGI_TEST_KEY}\n' "$A_URL" > two.yaml
out=$(timeout 30 "$MAGI" chat --config two.yaml "hi" 2>&1); rc=$?
check "a keyless model no command uses stops nothing: magi chat with the other answers (got $rc): $out" test $rc = 0 -a "$out" = hello

# ---- guards: and mcp: at load, for every command ----------------------------------------------
printf 'models:\n  m: {base_url: "%s"}\nguards:\n  allow_domains: [example.com]\n  reread: lots\n' "$A_URL" > g1.yaml
printf 'models:\n  m: {base_url: "%s"}\nguards:\n  risk:\n    send: deny\n    payment: sometimes\n' "$A_URL" > g2.yaml
printf 'models:\n  m: {base_url: "%s"}\nguards: [a, b]\n' "$A_URL" > g3.yaml
printf 'models:\n  m: {base_url: "%s"}\nmcp:\n  runs: out\n  trust: maybe\n' "$A_URL" > m1.yaml
while IFS='|' read -r file want; do
	for cmd in models chat; do
		case $cmd in
		models) "$MAGI" models --config "$file" ;;
		chat) timeout 30 "$MAGI" chat --config "$file" "hi" ;;
		esac >out.txt 2>err.txt
		rc=$?
		check "$file: magi $cmd exits 3 with '$want' (got $rc: $(cat err.txt))" \
			bash -c 'test $1 = 3 && grep -qF "$2" err.txt && test $(wc -l <err.txt) = 1' _ $rc "$want"
	done
done <<'EOF'
g1.yaml|g1.yaml:5: guards.reread must be a whole number
g2.yaml|g2.yaml:6: guards.risk
g3.yaml|g3.yaml:3: guards must be a mapping
m1.yaml|m1.yaml:5: mcp.trust: must be local or remote
EOF
check "the section errors sent no request" test "$(chat_calls)" = 3
printf 'models:\n  m: {base_url: "%s"}\nguards:\n  secrets:\n    S: {env: MAGI_TEST_UNSET}\n' "$A_URL" > g4.yaml
out=$("$MAGI" models --config g4.yaml 2>&1); rc=$?
check "a secret's unset variable is the guards' users' concern, not magi models' (got $rc): $out" test $rc = 0
finish
