#!/bin/bash
# test_mcp_protocol.sh — `magi mcp` fed raw lines, the way no SDK would send them: malformed
# JSON, invalid requests, unknown methods and tools, bad arguments, an oversized message, a
# message split across writes, CRLF endings, version negotiation. Each must get the error
# the protocol names, and the server must keep answering. The checks are in protocol.mjs.
. "$(dirname "$0")/../integration/lib.sh"
command -v node >/dev/null || exit 77
unset MAGI_CONFIG OPENAI_BASE_URL MAGI_API_KEY OPENAI_API_KEY MAGI_BASE_URL
cd "$TMP"
MAGI="$MAGI" timeout 120 node "$SRC/tests/mcp/protocol.mjs"
rc=$?
[ $rc = 0 ] && ok || bad "protocol.mjs exited $rc"
finish
