/* fuzz_mcp.c — the `magi mcp` server fed arbitrary bytes as if a client sent them: line
 * framing, the JSON-RPC envelope, the lifecycle, tool lookup, argument checks against the
 * schemas and the tools themselves (on a 3x2 image environment, with tool calls run inline)
 * must answer everything without crashing or leaking. Replies go to /dev/null. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "mcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int devnull = -1;
	static struct magi_env *env;
	if (devnull < 0) {
		devnull = open("/dev/null", O_WRONLY);
		struct magi_error err;
		if (magi_env_open("image:" MAGI_SRC_DIR "/tests/data/img_rgba.png", &env, &err))
			env = NULL; /* the protocol side is fuzzed all the same */
	}
	struct mcp_opts o = {0};
	o.env = env;
	o.env_spec = "image";
	o.runs_dir = "/nonexistent/runs";
	o.risk = magi_risk_policy_default();
	o.out_fd = devnull;
	o.threaded = false;
	struct mcp_server *s;
	if (mcp_server_new(&o, &s))
		return 0;
	mcp_server_feed(s, (const char *)data, size);
	mcp_server_eof(s);
	mcp_server_free(s);
	return 0;
}
