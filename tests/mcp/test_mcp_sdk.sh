#!/bin/bash
# test_mcp_sdk.sh — `magi mcp` driven by a client we did not write: the official MCP
# TypeScript SDK (Client + StdioClientTransport, from npm) against a real Xvfb with real
# xmessage dialogs, real Tesseract (in magi and to check redaction), real FFmpeg, and the
# stand-in model for run_task and video_ask. The checks are in sdk_client.mjs.
. "$(dirname "$0")/../integration/lib.sh"
for t in Xvfb xmessage xterm tesseract convert ffmpeg node python3; do command -v $t >/dev/null || exit 77; done
export OMP_THREAD_LIMIT=1
SDK_DIR=${MAGI_BIN_DIR:-$SRC/build}/mcp-sdk
bash "$SRC/tests/mcp/install_sdk.sh" "$SDK_DIR" || exit $?
cd "$TMP"
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_BASE_URL

start_xvfb
# run_task: the gui policy reads the screenshot it is sent to find Cancel
printf '{"coords":"pixels","steps":[{"click_text":"Cancel"},{"done":true}]}' > task.json
start_oracle G --policy gui --task task.json
# cancellation: ten different waits, each answer a second and a half late
for k in 0 1 2 3 4 5 6 7 8 9; do
	printf '{"content":"### Thought ###\\nwaiting\\n### Action ###\\n{\\"action\\":\\"wait\\",\\"seconds\\":0.1%s}\\n### Operation ###\\nwait"}\n' $k
done > slow.jsonl
start_oracle S --script slow.jsonl --delay-ms 1500
# video_ask: one scripted answer for the uniform recipe's single call
echo '{"content":"{\"answer\": \"a test pattern\", \"justification\": \"coloured bars in every frame\", \"confidence\": 0.8}"}' > video.jsonl
start_oracle V --script video.jsonl
ffmpeg -loglevel error -f lavfi -i testsrc=duration=2:size=320x240:rate=10 -pix_fmt yuv420p clip.mp4
convert -size 900x300 xc:white -font DejaVu-Sans -pointsize 30 -fill black \
	-annotate +30+70 'Contact: alice.smith@example.com' -annotate +30+150 'Card: 4111 1111 1111 1111' \
	-annotate +30+230 'Meeting notes for Tuesday' pii.png

MAGI="$MAGI" SDK_DIR="$SDK_DIR" TMP="$TMP" GUI_URL="$G_URL" SLOW_URL="$S_URL" SLOW_LOG="$S_LOG" \
	VIDEO_URL="$V_URL" VIDEO_LOG="$V_LOG" timeout 300 node "$SRC/tests/mcp/sdk_client.mjs"
rc=$?
[ $rc = 0 ] && ok || bad "sdk_client.mjs exited $rc"
finish
