/* log.c — leveled logging to stderr, level from MAGI_LOG. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
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

/* Milliseconds since the process started (from /proc, to 10 ms), or -1: debug lines carry
 * it, so a start-up can be read off them. */
static double since_exec_ms(void)
{
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f)
		return -1;
	char buf[1024];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	unsigned long long start = 0;
	/* after ")": state is field 3, starttime field 22 */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &start) != 1)
		return -1;
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6 - (double)start * 1e3 / (double)sysconf(_SC_CLK_TCK);
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
	if (lvl == MAGI_LOG_DEBUG)
		fprintf(stderr, "magi debug [+%.0f ms]: %s\n", since_exec_ms(), line);
	else
		fprintf(stderr, "magi %s: %s\n", tags[lvl < MAGI_LOG_OFF ? lvl : MAGI_LOG_ERROR], line);
}
