/* main.c — the magi command: dispatches subcommands. Uses the public API only. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"run", cmd_run, "run an agent team on a screen until the task is done"},
	{"explore", cmd_explore, "explore an application and write a knowledge file (MobileUse)"},
	{"chat", cmd_chat, "send a prompt (and images) to a model and print the answer"},
	{"guard", cmd_guard, "find PII and injected instructions in a screenshot; redact it"},
	{"models", cmd_models, "list configured models; --ping checks each endpoint"},
	{"trace", cmd_trace, "show a run's trace (magi trace show RUN)"},
	{"video", cmd_video, "answer questions about a video file (magi video ask FILE \"...\")"},
	{"eval", cmd_eval, "run a suite of tasks (grounding, GUI, video, privacy, risk) and report"},
	{"mcp", cmd_mcp, "serve screens, guards and video agents to MCP clients (on stdio)"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: magi [--version] [--help] COMMAND [ARGS]\n\n"
		   "magi runs teams of multimodal-LLM agents that look at screens and videos.\n"
		   "It talks to any OpenAI-compatible server (llama-server, vLLM, Ollama, a hosted API).\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n`magi COMMAND --help` describes each command.\n"
		   "environment: MAGI_BASE_URL, MAGI_API_KEY, MAGI_MODEL (or OPENAI_BASE_URL, OPENAI_API_KEY),\n"
		   "             MAGI_CONFIG (models file), MAGI_LOG=debug|info|warn|error\n"
		   "exit status: 0 success, 1 failure, 2 usage error, 3 configuration or input error\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("magi %s\n", MAGI_VERSION);
		return EXIT_OK;
	}
	if (cli_is_help(argv[1]) || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name)) {
			int rc = commands[i].fn(argc - 1, argv + 1);
			magi_ocr_preload_wait(); /* no exit while libtesseract loads on a preload thread */
			return rc;
		}
	cli_error("unknown command '%s' (see magi --help)", argv[1]);
	return EXIT_USAGE;
}
