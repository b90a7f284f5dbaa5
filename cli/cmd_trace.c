/* cmd_trace.c — `magi trace show RUN`, `magi trace report RUN` and `magi trace export-demo
 * RUN`. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char help[] =
	"usage: magi trace show [-v] RUN\n"
	"       magi trace report RUN\n"
	"       magi trace export-demo [-o DIR] [--max-side N] RUN\n\n"
	"show    prints a readable summary of a run directory (or a trace.jsonl file):\n"
	"        one line per step, model call and guard decision, then the totals.\n"
	"        -v adds the model's answers and full thoughts.\n"
	"report  (re)writes RUN/report.html, a self-contained page of the run.\n"
	"export-demo  writes a successful run as a demonstration for magi run --demo: DIR\n"
	"        (default RUN/demo) gets demo.json (task, each step's action in pixels of the\n"
	"        recorded screen, its description) and step-NNN.jpg, the screenshots shrunk to\n"
	"        N pixels on the longer side (default 480).\n"
	"\nexit status: 0 done, 2 usage, 3 the run cannot be read (or, for export-demo, did\n"
	"             not succeed)\n";

int cmd_trace(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	bool verbose = false;
	const char *run = NULL, *out_dir = NULL, *side = NULL;
	for (int i = 2; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			return EXIT_OK;
		}
		int r;
		if ((r = cli_flag_value(argc, argv, &i, "-o", &out_dir)) ||
		    (r = cli_flag_value(argc, argv, &i, "--max-side", &side))) {
			if (r < 0)
				return EXIT_USAGE;
			continue;
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
	if ((out_dir || side) && strcmp(argv[1], "export-demo")) {
		cli_error("trace %s: -o and --max-side are options of export-demo", argv[1]);
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
	if (!strcmp(argv[1], "export-demo")) {
		char *end = NULL;
		long n = side ? strtol(side, &end, 10) : 480;
		if (side && (*end || end == side || n < 32 || n > 4096)) {
			cli_error("trace export-demo: --max-side wants 32..4096 pixels, not '%s'", side);
			return EXIT_USAGE;
		}
		char def[4096];
		if (!out_dir) {
			snprintf(def, sizeof def, "%s/demo", run);
			out_dir = def;
		}
		if (magi_demo_export(run, out_dir, (uint32_t)n, &err)) {
			cli_error("%s", magi_error_text(&err));
			return EXIT_CONFIG;
		}
		printf("%s/demo.json\n", out_dir);
		return EXIT_OK;
	}
	cli_error("trace: unknown action '%s' (show, report or export-demo)", argv[1]);
	return EXIT_USAGE;
}
