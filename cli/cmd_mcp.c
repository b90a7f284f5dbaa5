/* cmd_mcp.c — `magi mcp`: an MCP server on stdio that lets any Model Context Protocol
 * client use magi's environment, OCR grounding, guards and video agents as tools.
 * This file reads the flags and the configuration and runs the read loop; the protocol
 * and the tools live in mcp_*.c (see mcp.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "mcp.h"

static const char help[] =
	"usage: magi mcp [--env SPEC] [--config FILE] [OPTIONS]\n\n"
	"Serves magi to a Model Context Protocol client (Claude Desktop, VS Code, Cursor, an agent\n"
	"framework ...) over standard input and output: one JSON-RPC message per line; logs go to\n"
	"standard error. The client starts it; see docs/mcp.md for its configuration snippet.\n\n"
	"tools: screenshot, click, double_click, type, key, scroll, drag, find_text (with an\n"
	"environment); navigate, list_elements, click_element (in a browser); guard_scan,\n"
	"guard_redact, video_info, video_frames (always); video_ask and run_task (with a configured\n"
	"model). Every action passes magi's risk gate; risky ones are confirmed through the\n"
	"client's elicitation or refused.\n\n"
	"options:\n"
	"  --env SPEC         x11 | x11:DISPLAY | browser[:URL] | image:FILE | none  (default: x11,\n"
	"                     using $DISPLAY; when that display cannot be opened the screen tools\n"
	"                     are left out)\n"
	"  --trust local|remote  local: the client may see unredacted screenshots and frames\n"
	"                     (default remote: personal data is covered; magi.yaml: mcp: {trust: ...})\n"
	"  --runs DIR         where run_task and video_ask write run directories (default: runs;\n"
	"                     magi.yaml: mcp: {runs: DIR})\n" CLI_MODEL_OPTS_HELP
	"The config file's guards: section (secrets, allow_domains, risk tiers) applies to every tool;\n"
	"in a browser allow_domains also holds for every request the page makes.\n\n" CLI_BROWSER_OPTS_HELP
	"\nexit status: 0 the client closed the connection, 2 usage, 3 configuration\n"
	"\nexample (what a client runs):\n"
	"  magi mcp --env x11:0 --config ~/.config/magi/magi.yaml\n";

int cmd_mcp(int argc, char **argv)
{
	struct cli_model_opts mo = {0};
	const char *env_spec = NULL, *trust = NULL, *runs = NULL;
	struct cli_browser_opts bo = {0};
	for (int i = 1; i < argc; i++) {
		int r;
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			return EXIT_OK;
		}
		if ((r = cli_model_opt(&mo, argc, argv, &i)) || (r = cli_browser_opt(&bo, argc, argv, &i)) ||
		    (r = cli_flag_value(argc, argv, &i, "--env", &env_spec)) ||
		    (r = cli_flag_value(argc, argv, &i, "--trust", &trust)) ||
		    (r = cli_flag_value(argc, argv, &i, "--runs", &runs))) {
			if (r < 0)
				return EXIT_USAGE;
			continue;
		}
		cli_error("mcp: unknown argument '%s' (see magi mcp --help)", argv[i]);
		return EXIT_USAGE;
	}
	if (trust && strcmp(trust, "local") && strcmp(trust, "remote")) {
		cli_error("--trust: '%s' is not local or remote", trust);
		return EXIT_USAGE;
	}
	struct magi_error err;
	magi_error_clear(&err);
	struct magi_config *cfg = NULL;
	if (cli_config_load(mo.config, &cfg))
		return EXIT_CONFIG;
	struct magi_secret_list secrets;
	magi_secret_list_init(&secrets);
	struct magi_guard_config gc;
	magi_guard_config_init(&gc);
	struct magi_client *client = NULL;
	struct magi_env *env = NULL;
	struct mcp_server *srv = NULL;
	json_t *sec = NULL;
	bool trusted = false;
	const char *runs_cfg = NULL;
	int rc = cli_guard_config(cfg, &secrets, &gc);
	if (!rc)
		rc = cli_mcp_section(cfg, &trusted, &runs_cfg, &sec);
	if (rc)
		goto out;
	if (trust)
		trusted = !strcmp(trust, "local");
	/* Model tools are offered only when a model is configured; the rest work without. */
	struct magi_error merr;
	magi_error_clear(&merr);
	rc = cli_client_from_config(&mo, cfg, NULL, &client, &merr);
	if (rc) {
		/* no base URL anywhere is "no model"; a model named, or configured wrongly, is an error */
		struct magi_model_params mp;
		struct magi_error perr;
		if (!mo.base_url && !mo.replay && !magi_config_model(cfg, mo.model, &mp, &perr) && !mp.base_url) {
			magi_log(MAGI_LOG_INFO, "mcp: run_task and video_ask are off: %s", magi_error_text(&merr));
			rc = EXIT_OK;
		} else {
			cli_error("%s", magi_error_text(&merr));
			goto out;
		}
	}
	if (env_spec && strcmp(env_spec, "none")) {
		/* the browser with its flags and the guards' allowlist as its rule for requests */
		if ((rc = cli_env_open(env_spec, &bo, (const char *const *)gc.allow, gc.n_allow, &env)))
			goto out;
	} else if (bo.set) {
		cli_error("--headful, --viewport, --scale, --profile, --marks, --webgl, --upload-dir and --downloads are for --env browser[:URL]");
		rc = EXIT_USAGE;
		goto out;
	} else if (!env_spec && magi_env_open("x11", &env, &err)) {
		magi_log(MAGI_LOG_WARN, "mcp: no screen tools: %s", magi_error_text(&err));
	}
	/* stdout carries protocol messages only: anything a library prints goes to stderr. */
	fflush(stdout);
	int out_fd = dup(STDOUT_FILENO);
	if (out_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		cli_error("mcp: cannot set up standard output: %s", strerror(errno));
		rc = EXIT_CONFIG;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN); /* a client that hangs up is a write error, not a signal */
	struct mcp_opts o = {0};
	o.env = env;
	o.env_spec = env ? (env_spec ? env_spec : "x11") : "none";
	o.client = client;
	o.trusted = trusted;
	o.runs_dir = runs ? runs : runs_cfg ? runs_cfg : "runs";
	o.risk = gc.risk;
	o.secrets = &secrets;
	o.allowlist = (const char *const *)gc.allow;
	o.n_allowlist = gc.n_allow;
	o.pii_reread = gc.reread;
	o.out_fd = out_fd;
	o.threaded = true;
	if (mcp_server_new(&o, &srv)) {
		cli_error("mcp: cannot start the server (out of memory or threads)");
		rc = EXIT_CONFIG;
		close(out_fd);
		goto out;
	}
	magi_log(MAGI_LOG_INFO, "mcp: serving %s%s on stdio", o.env_spec,
		 client ? " with a model" : "");
	static char buf[1 << 16];
	while (mcp_server_alive(srv)) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		mcp_server_feed(srv, buf, (size_t)n);
	}
	mcp_server_eof(srv);
	mcp_server_free(srv);
	close(out_fd);
	rc = EXIT_OK;
out:
	magi_env_close(env);
	magi_client_free(client);
	json_decref(sec);
	magi_guard_config_release(&gc);
	magi_secret_list_release(&secrets);
	magi_config_free(cfg);
	return rc;
}
