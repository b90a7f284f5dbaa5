/* log.c — leveled logging to stderr, level from MAGI_LOG. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/common.h"

static int level = -1;

static void load_level(void)
{
	const char *e = getenv("MAGI_LOG");
	level = MAGI_LOG_WARN;
	if (!e)
		return;
	static const char *const names[] = {"debug", "info", "warn", "error", "off"};
	for (int i = 0; i < 5; i++)
		if (strcmp(e, names[i]) == 0)
			level = i;
}

void magi_log_set_level(enum magi_log_level lvl) { level = (int)lvl; }

enum magi_log_level magi_log_get_level(void)
{
	if (level < 0)
		load_level();
	return (enum magi_log_level)level;
}

void magi_log(enum magi_log_level lvl, const char *fmt, ...)
{
	if ((int)lvl < (int)magi_log_get_level())
		return;
	static const char *const tags[] = {"debug", "info", "warn", "error"};
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "magi %s: %s\n", tags[lvl < MAGI_LOG_OFF ? lvl : MAGI_LOG_ERROR], line);
}
