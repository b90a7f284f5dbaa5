/* cmd_trace.c — `magi trace show RUN` and `magi trace report RUN`. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char help[] =
	"usage: magi trace show [-v] RUN\n"
	"       magi trace report RUN\n\n"
	"show    prints a readable summary of a run directory (or a trace.jsonl file):\n"
	"        one line per step, model call and guard decision, then the totals.\n"
	"        -v adds the model's answers and full thoughts.\n"
	"report  (re)writes RUN/report.html, a self-contained page of the run.\n";

int cmd_trace(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	bool verbose = false;
	const char *run = NULL;
	for (int i = 2; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!run)
			run = argv[i];
		else {
			cli_error("trace: unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!run) {
		cli_error("trace %s: which run? (a directory under runs/)", argv[1]);
		return EXIT_USAGE;
	}
	struct magi_error err;
	magi_error_clear(&err);
	if (!strcmp(argv[1], "show")) {
		struct magi_buf out;
		magi_buf_init(&out, 0);
		if (magi_trace_show(run, verbose, &out, &err)) {
			cli_error("%s", magi_error_text(&err));
			magi_buf_release(&out);
			return EXIT_CONFIG;
		}
		fputs(out.data, stdout);
		magi_buf_release(&out);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "report")) {
		char *written = NULL;
		if (magi_trace_write_report_at(run, &written, &err)) {
			cli_error("%s", magi_error_text(&err));
			return EXIT_CONFIG;
		}
		/* the path the trace layer wrote, never one made up here */
		printf("%s\n", written);
		free(written);
		return EXIT_OK;
	}
	cli_error("trace: unknown action '%s' (show or report)", argv[1]);
	return EXIT_USAGE;
}
