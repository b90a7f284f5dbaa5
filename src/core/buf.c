/* buf.c — the capped, always-terminated growable buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/common.h"

/* Shared empty string so an initialised buffer never holds NULL and costs no malloc. */
static char empty_slot[1];

void magi_buf_init(struct magi_buf *b, size_t max)
{
	b->data = empty_slot;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : MAGI_BUF_DEFAULT_MAX;
}

void magi_buf_release(struct magi_buf *b)
{
	if (b->cap)
		free(b->data);
	b->data = empty_slot;
	b->len = b->cap = 0;
}

void magi_buf_reset(struct magi_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = '\0';
}

/* On failure the buffer frees itself: a half-built value must not be used by accident. */
static magi_status buf_fail(struct magi_buf *b, magi_status s)
{
	magi_buf_release(b);
	return s;
}

magi_status magi_buf_reserve(struct magi_buf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return buf_fail(b, MAGI_ERR_LIMIT);
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return MAGI_OK;
	size_t ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	char *p = realloc(b->cap ? b->data : NULL, ncap);
	if (!p)
		return buf_fail(b, MAGI_ERR_NOMEM);
	if (!b->cap)
		p[0] = '\0';
	b->data = p;
	b->cap = ncap;
	return MAGI_OK;
}

magi_status magi_buf_append(struct magi_buf *b, const void *p, size_t n)
{
	magi_status s = magi_buf_reserve(b, n);
	if (s)
		return s;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return MAGI_OK;
}

magi_status magi_buf_puts(struct magi_buf *b, const char *s)
{
	return magi_buf_append(b, s, strlen(s));
}

magi_status magi_buf_putc(struct magi_buf *b, char c)
{
	return magi_buf_append(b, &c, 1);
}

magi_status magi_buf_printf(struct magi_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return MAGI_ERR_INVALID;
	if ((size_t)n < sizeof small)
		return magi_buf_append(b, small, (size_t)n);
	magi_status s = magi_buf_reserve(b, (size_t)n);
	if (s)
		return s;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return MAGI_OK;
}

char *magi_buf_detach(struct magi_buf *b, size_t *len)
{
	char *p;
	if (len)
		*len = b->len;
	if (b->cap) {
		p = b->data;
	} else {
		p = malloc(1);
		if (p)
			p[0] = '\0';
	}
	b->data = empty_slot;
	b->len = b->cap = 0;
	return p;
}
