/* cmd_chat.c — `magi chat`: one prompt, optional images, the answer on stdout. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char help[] =
	"usage: magi chat [OPTIONS] \"PROMPT\"   (PROMPT '-' reads standard input)\n\n"
	"Sends the prompt and any images to a model and prints its answer.\n\n"
	"options:\n"
	"  --image FILE       attach a PNG or JPEG (repeatable); resized to the model's image policy\n"
	"  --system TEXT      a system message\n"
	"  --trace            write a run directory (trace.jsonl, summary.json) under --runs\n"
	"  --runs DIR         where run directories go (default: runs)\n"
	"  -v, --verbose      print usage, estimates and latency to stderr\n" CLI_MODEL_OPTS_HELP
	"\nexamples:\n"
	"  MAGI_BASE_URL=http://127.0.0.1:8080/v1 magi chat --image shot.png \"What app is this?\"\n"
	"  magi chat --model fast --trace \"Say hi\"\n";

#define MAX_IMAGES 16

int cmd_chat(int argc, char **argv)
{
	struct cli_model_opts mo = {0};
	const char *images[MAX_IMAGES];
	int n_images = 0;
	const char *system = NULL, *prompt = NULL, *runs = "runs";
	bool trace = false, verbose = false;
	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			return EXIT_OK;
		}
		if ((r = cli_model_opt(&mo, argc, argv, &i))) {
			if (r < 0)
				return EXIT_USAGE;
		} else if ((r = cli_flag_value(argc, argv, &i, "--image", &v))) {
			if (r < 0)
				return EXIT_USAGE;
			if (n_images == MAX_IMAGES) {
				cli_error("at most %d images", MAX_IMAGES);
				return EXIT_USAGE;
			}
			images[n_images++] = v;
		} else if ((r = cli_flag_value(argc, argv, &i, "--system", &system))) {
			if (r < 0)
				return EXIT_USAGE;
		} else if ((r = cli_flag_value(argc, argv, &i, "--runs", &runs))) {
			if (r < 0)
				return EXIT_USAGE;
		} else if (!strcmp(argv[i], "--trace")) {
			trace = true;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			verbose = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("chat: unknown option '%s' (see magi chat --help)", argv[i]);
			return EXIT_USAGE;
		} else if (prompt) {
			cli_error("chat: one prompt only; quote it: magi chat \"...\"");
			return EXIT_USAGE;
		} else {
			prompt = argv[i];
		}
	}
	if (!prompt) {
		cli_error("chat: no prompt given (see magi chat --help)");
		return EXIT_USAGE;
	}
	struct magi_buf in;
	magi_buf_init(&in, 16u << 20);
	struct magi_error err;
	magi_error_clear(&err);
	if (!strcmp(prompt, "-")) {
		if (magi_file_read_fd(0, "standard input", &in, &err)) {
			cli_error("%s", magi_error_text(&err));
			return EXIT_CONFIG;
		}
		prompt = in.data;
	}
	if (!*prompt) {
		cli_error("chat: the prompt is empty");
		magi_buf_release(&in);
		return EXIT_USAGE;
	}
	int rc = EXIT_OK;
	struct magi_image *imgs[MAX_IMAGES] = {0};
	for (int i = 0; i < n_images; i++) {
		if (magi_image_load(images[i], &imgs[i], &err)) {
			cli_error("%s", magi_error_text(&err));
			rc = EXIT_CONFIG;
			goto out_images;
		}
	}
	struct magi_config *cfg = NULL;
	struct magi_client *client = NULL;
	if ((rc = cli_make_client(&mo, &cfg, NULL, &client))) {
		magi_config_free(cfg);
		goto out_images;
	}
	struct magi_chat *chat = NULL;
	magi_chat_new(&chat);
	if (system)
		magi_chat_add_text(chat, "system", system);
	for (int i = 0; i < n_images; i++)
		magi_chat_add_image(chat, "user", imgs[i]);
	magi_chat_add_text(chat, "user", prompt);

	struct magi_trace *tr = NULL;
	const struct magi_model_params *mp = magi_client_params(client);
	if (trace) {
		if (magi_trace_open(runs, prompt, &tr, &err)) {
			cli_error("%s", magi_error_text(&err));
			rc = EXIT_CONFIG;
			goto out;
		}
		if (mp->api_key)
			magi_trace_add_secret(tr, mp->api_key);
		struct magi_buf ev;
		magi_buf_init(&ev, 0);
		magi_buf_puts(&ev, "{\"command\":\"chat\",\"task\":");
		magi_json_quote(prompt, &ev);
		magi_buf_printf(&ev, ",\"images\":%d,\"model\":", n_images);
		magi_json_quote(mp->name, &ev);
		magi_buf_puts(&ev, ",\"base_url\":");
		magi_json_quote(mp->base_url, &ev);
		magi_buf_puts(&ev, "}");
		magi_status ts = magi_trace_event(tr, "run_start", ev.data, &err);
		magi_buf_release(&ev);
		/* nothing is asked of the model unrecorded */
		if (ts) {
			cli_error("%s", magi_error_text(&err));
			rc = EXIT_CONFIG;
			magi_trace_close(tr);
			goto out;
		}
	}
	struct magi_chat_result res;
	magi_status s = magi_client_chat(client, chat, &res);
	if (tr)
		magi_trace_call(tr, "chat", mp->name, &res, NULL);
	if (s) {
		cli_error("%s", res.error ? res.error : magi_client_errmsg(client));
		rc = cli_exit_status(s);
	} else {
		fputs(res.content, stdout);
		if (!*res.content || res.content[strlen(res.content) - 1] != '\n')
			fputc('\n', stdout);
		fflush(stdout);
	}
	if (verbose) {
		fprintf(stderr, "model %s: %d prompt + %d completion tokens (estimated: %d text + %d image, %d image%s), "
				"%.0f ms, %d attempt%s%s, prepare %.1f ms\n",
			mp->name, res.prompt_tokens, res.completion_tokens, res.est_text_tokens,
			res.est_image_tokens, res.n_images, res.n_images == 1 ? "" : "s", res.latency_ms,
			res.attempts, res.attempts == 1 ? "" : "s", res.replayed ? " (replayed)" : "",
			res.prepare_ms);
	}
	if (tr) {
		struct magi_buf ev;
		magi_buf_init(&ev, 0);
		magi_buf_printf(&ev, "{\"reason\":\"%s\",\"success\":%s", s ? "error" : "answered", s ? "false" : "true");
		if (res.content) {
			magi_buf_puts(&ev, ",\"answer\":");
			magi_json_quote(res.content, &ev);
		}
		magi_buf_puts(&ev, "}");
		magi_trace_event(tr, "run_end", ev.data, NULL);
		magi_buf_reset(&ev);
		magi_buf_printf(&ev, "{\"command\":\"chat\",\"success\":%s,\"calls\":1,\"prompt_tokens\":%d,"
				     "\"completion_tokens\":%d,\"latency_ms\":%.1f}",
				s ? "false" : "true", res.prompt_tokens, res.completion_tokens, res.latency_ms);
		magi_trace_write_summary(tr, ev.data, NULL);
		magi_buf_release(&ev);
		/* the first failed write sticks to the trace: one check covers them all */
		if (magi_trace_status(tr)) {
			cli_error("the trace in %s is incomplete: %s", magi_trace_dir(tr), magi_trace_errmsg(tr));
			rc = EXIT_CONFIG;
		} else {
			fprintf(stderr, "trace: %s\n", magi_trace_dir(tr));
		}
		magi_trace_close(tr);
	}
	magi_chat_result_release(&res);
out:
	magi_chat_free(chat);
	magi_client_free(client);
	magi_config_free(cfg);
out_images:
	for (int i = 0; i < n_images; i++)
		magi_image_free(imgs[i]);
	magi_buf_release(&in);
	return rc;
}
