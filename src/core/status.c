/* status.c — status texts and the error record. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include "core/common.h"

static const char *const status_text[] = {
#define MAGI__X(name, msg) msg,
	MAGI_STATUS_LIST(MAGI__X)
#undef MAGI__X
};
static const char *const status_names[] = {
#define MAGI__X(name, msg) #name,
	MAGI_STATUS_LIST(MAGI__X)
#undef MAGI__X
};

const char *magi_strerror(magi_status s)
{
	if ((int)s < 0 || s >= MAGI__STATUS_COUNT)
		return "unknown status";
	return status_text[s];
}

const char *magi_status_name(magi_status s)
{
	if ((int)s < 0 || s >= MAGI__STATUS_COUNT)
		return "UNKNOWN";
	return status_names[s];
}

magi_status magi_error_set(struct magi_error *e, magi_status s, const char *fmt, ...)
{
	if (!e)
		return s;
	e->status = s;
	if (!fmt) {
		snprintf(e->msg, sizeof e->msg, "%s", magi_strerror(s));
		return s;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return s;
}

void magi_error_clear(struct magi_error *e)
{
	if (!e)
		return;
	e->status = MAGI_OK;
	e->msg[0] = '\0';
}

void magi_error_prefix(struct magi_error *e, const char *fmt, ...)
{
	if (!e)
		return;
	char pre[MAGI_ERRMSG_MAX], old[MAGI_ERRMSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	snprintf(old, sizeof old, "%s", e->msg);
	/* Build in a roomier buffer, then cut to the record's size. */
	char both[2 * MAGI_ERRMSG_MAX + 4];
	snprintf(both, sizeof both, "%s: %s", pre, old[0] ? old : magi_strerror(e->status));
	memcpy(e->msg, both, MAGI_ERRMSG_MAX - 1);
	e->msg[MAGI_ERRMSG_MAX - 1] = '\0';
}

const char *magi_error_text(const struct magi_error *e)
{
	if (!e)
		return "no error record";
	return e->msg[0] ? e->msg : magi_strerror(e->status);
}

char *magi__strdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *p = malloc(n + 1);
	if (p)
		memcpy(p, s, n + 1);
	return p;
}

char *magi__strndup(const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

bool magi__parse_long(const char *s, long lo, long hi, long *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

bool magi__parse_double(const char *s, double *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

bool magi__grow(void *arrp, size_t *cap, size_t n, size_t elem, size_t first)
{
	if (n < *cap)
		return true;
	size_t nc = *cap ? *cap : (first ? first : 8);
	while (nc <= n) {
		if (nc > SIZE_MAX / 2)
			return false;
		nc *= 2;
	}
	if (elem && nc > SIZE_MAX / elem)
		return false;
	void *arr;
	memcpy(&arr, arrp, sizeof arr); /* arrp points at a T*; copy, not cast, to stay portable */
	void *p = realloc(arr, nc * elem);
	if (!p)
		return false;
	memcpy(arrp, &p, sizeof p);
	*cap = nc;
	return true;
}

bool magi__ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}
