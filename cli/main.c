/* main.c — the magi command: dispatches subcommands. Uses the public API only. */
#include <stdio.h>
#include <string.h>
#include "magi/magi.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("magi %s\n", MAGI_VERSION);
		return 0;
	}
	fprintf(stderr, "usage: magi --version\n");
	return 2;
}
