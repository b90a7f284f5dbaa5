/* cmd_explore.c — `magi explore`: MobileUse's proactive exploration. It is `magi run` with
 * the mobileuse-explore recipe and the knowledge file to write, so every option of magi
 * run (environment, models, roles, budgets, guards) works the same here. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char help[] =
	"usage: magi explore [OPTIONS] \"WHAT TO EXPLORE\"\n\n"
	"Explores an application before any task (MobileUse's proactive exploration): an explorer\n"
	"acts, a summarizer records what each action showed (screens before and after), and a\n"
	"critic steers the exploration every 3 steps. The record is written to a knowledge file\n"
	"that `magi run --recipe mobileuse --knowledge FILE` adds to the operator's prompt.\n\n"
	"options:\n"
	"  --out FILE         the knowledge file to write (default: explored_knowledge.json)\n"
	"  --max-steps N      how many actions to explore (default 10)\n"
	"  --role ROLE=MODEL  explorer, summarizer, critic (the last two default to the explorer's)\n"
	"  every other option of magi run (see magi run --help): --env, --runs, --yes, models ...\n"
	"\nexit status: 0 the exploration used its steps (or the explorer ended it) and the file was\n"
	"             written; otherwise as magi run\n"
	"\nexample:\n"
	"  magi explore --env x11 --max-steps 20 --out notes.json \"the text editor's menus\"\n";

int cmd_explore(int argc, char **argv)
{
	const char *out = "explored_knowledge.json";
	bool steps = false;
	char **args = calloc((size_t)argc + 8, sizeof *args);
	if (!args)
		return EXIT_FAIL;
	int n = 0;
	args[n++] = "run";
	args[n++] = "--recipe";
	args[n++] = "mobileuse-explore";
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			free(args);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "--out") || !strcmp(argv[i], "--recipe") || !strcmp(argv[i], "--knowledge")) {
			if (strcmp(argv[i], "--out")) {
				cli_error("explore: %s is not an explore option (the recipe is mobileuse-explore; --out names the file)", argv[i]);
				free(args);
				return EXIT_USAGE;
			}
			if (i + 1 >= argc || !*argv[i + 1]) {
				cli_error("explore: --out needs a file name");
				free(args);
				return EXIT_USAGE;
			}
			out = argv[++i];
			continue;
		}
		steps |= !strcmp(argv[i], "--max-steps") || !strncmp(argv[i], "--max-steps=", 12);
		args[n++] = argv[i];
	}
	args[n++] = "--knowledge";
	args[n++] = (char *)out;
	if (!steps) {
		args[n++] = "--max-steps";
		args[n++] = "10";
	}
	args[n] = NULL;
	/* the task (the one positional argument) stays where the person put it */
	int rc = cmd_run(n, args);
	free(args);
	return rc;
}
