/* srt.c — SubRip (.srt) subtitles: a forgiving reader for the variants found in the wild
 * (BOM, CRLF, missing cue numbers, '.' before milliseconds, position settings, <i> tags)
 * that still refuses what it cannot read, with the line number. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "magi/video.h"
#include "core/common.h"

#define TIMING_HINT "want HH:MM:SS,mmm --> HH:MM:SS,mmm"

struct reader {
	const char *p, *end;
	uint32_t line; /* number of the line last returned */
	const char *what;
	struct magi_error *err;
};

/* Next line without its terminator (LF, CRLF or CR); false at end of input. */
static bool next_line(struct reader *r, const char **s, size_t *n)
{
	if (r->p >= r->end)
		return false;
	const char *a = r->p, *b = a;
	while (b < r->end && *b != '\n' && *b != '\r')
		b++;
	*s = a;
	*n = (size_t)(b - a);
	if (b < r->end && *b == '\r') {
		b++;
		if (b < r->end && *b == '\n')
			b++;
	} else if (b < r->end && *b == '\n') {
		b++;
	}
	r->p = b;
	r->line++;
	return true;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	while (n && isspace((unsigned char)*s))
		s++, n--;
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Reads up to max digits into *v; returns how many were read. */
static size_t digits(const char **p, const char *end, size_t max, long *v)
{
	size_t k = 0;
	*v = 0;
	while (*p < end && k < max && isdigit((unsigned char)**p)) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		k++;
	}
	return k;
}

/* H+:MM:SS[,.]mmm (1-3 digits of fraction; hours up to 6 digits). */
static bool parse_time(const char **p, const char *end, double *t)
{
	long h, m, s, f = 0;
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	if (!digits(p, end, 6, &h) || *p >= end || **p != ':')
		return false;
	(*p)++;
	if (!digits(p, end, 2, &m) || m > 59 || *p >= end || **p != ':')
		return false;
	(*p)++;
	if (!digits(p, end, 2, &s) || s > 59)
		return false;
	if (*p < end && (**p == ',' || **p == '.')) {
		(*p)++;
		size_t k = digits(p, end, 3, &f);
		if (!k)
			return false;
		for (; k < 3; k++)
			f *= 10;
		while (*p < end && isdigit((unsigned char)**p)) /* finer than ms: ignored */
			(*p)++;
	}
	*t = (double)h * 3600 + (double)m * 60 + (double)s + (double)f / 1000;
	return true;
}

static bool parse_timing(const char *s, size_t n, double *a, double *b)
{
	const char *p = s, *end = s + n;
	if (!parse_time(&p, end, a))
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 3 || memcmp(p, "-->", 3) != 0)
		return false;
	p += 3;
	if (!parse_time(&p, end, b))
		return false;
	/* whatever follows (X1:.. Y1:.. position settings) must be separated by a space */
	return p == end || *p == ' ' || *p == '\t';
}

static magi_status bad_line(struct reader *r, const char *msg, const char *s, size_t n)
{
	int shown = (int)MAGI_MIN(n, (size_t)60);
	return magi_error_set(r->err, MAGI_ERR_PARSE, "%s:%u: %s '%.*s%s' (" TIMING_HINT ")",
			      r->what, r->line, msg, shown, s, n > 60 ? "..." : "");
}

/* Appends a text line to the cue text, dropping <tags> and {\overrides}. */
static magi_status append_text(struct magi_buf *b, const char *s, size_t n)
{
	if (b->len && magi_buf_putc(b, '\n'))
		return MAGI_ERR_LIMIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '<' || (s[i] == '{' && i + 1 < n && s[i + 1] == '\\')) {
			char close = s[i] == '<' ? '>' : '}';
			const char *e = memchr(s + i, close, n - i);
			bool tag = e && (s[i] == '{' || isalpha((unsigned char)s[i + 1]) ||
					 s[i + 1] == '/');
			if (tag) {
				i = (size_t)(e - s);
				continue;
			}
		}
		if (magi_buf_putc(b, s[i]))
			return MAGI_ERR_LIMIT;
	}
	return MAGI_OK;
}

static int cmp_cue(const void *a, const void *b)
{
	const struct magi_subtitle_cue *x = a, *y = b;
	if (x->start_s != y->start_s)
		return x->start_s < y->start_s ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

void magi_subtitles_free(struct magi_subtitles *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->cues[i].text);
	free(s->cues);
	free(s);
}

static magi_status add_cue(struct magi_subtitles *subs, size_t *cap, double a, double b,
			   uint32_t line, struct magi_buf *text)
{
	if (subs->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct magi_subtitle_cue *c = realloc(subs->cues, nc * sizeof *c);
		if (!c)
			return MAGI_ERR_NOMEM;
		subs->cues = c;
		*cap = nc;
	}
	char *t = magi__strndup(text->data, text->len);
	if (!t)
		return MAGI_ERR_NOMEM;
	subs->cues[subs->n++] = (struct magi_subtitle_cue){a, b, t, line};
	return MAGI_OK;
}

magi_status magi_subtitles_parse(const char *text, size_t len, const char *what,
				 struct magi_subtitles **out, struct magi_error *err)
{
	if (!out)
		return magi_error_set(err, MAGI_ERR_INVALID, "magi_subtitles_parse: out is NULL");
	*out = NULL;
	if (!what)
		what = "subtitles";
	if (!text && len)
		return magi_error_set(err, MAGI_ERR_INVALID, "%s: no text", what);
	if (len > MAGI_SRT_MAX_BYTES)
		return magi_error_set(err, MAGI_ERR_LIMIT,
				      "%s: %zu bytes, more than the %u-byte limit", what, len,
				      MAGI_SRT_MAX_BYTES);
	const char *nul = len ? memchr(text, '\0', len) : NULL;
	if (nul)
		return magi_error_set(err, MAGI_ERR_PARSE,
				      "%s: not a text file (a NUL byte at offset %zu)", what,
				      (size_t)(nul - text));
	struct reader r = {text, text + len, 0, what, err};
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		r.p += 3;
	struct magi_subtitles *subs = calloc(1, sizeof *subs);
	if (!subs)
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", what);
	size_t cap = 0;
	struct magi_buf cue;
	magi_buf_init(&cue, MAGI_SRT_MAX_CUE_BYTES);
	magi_status s = MAGI_OK;
	const char *l;
	size_t n;
	while (!s && next_line(&r, &l, &n)) {
		if (blank(l, n))
			continue;
		double a, b;
		if (all_digits(l, n)) { /* cue number, then the timing line */
			if (!next_line(&r, &l, &n)) {
				s = magi_error_set(err, MAGI_ERR_PARSE,
						   "%s:%u: the file ends after a cue number", what,
						   r.line);
				break;
			}
			if (!parse_timing(l, n, &a, &b)) {
				s = bad_line(&r, "bad timing line", l, n);
				break;
			}
		} else if (!parse_timing(l, n, &a, &b)) {
			s = bad_line(&r, "expected a cue number or a timing line, got", l, n);
			break;
		}
		uint32_t tline = r.line;
		if (b < a) {
			s = magi_error_set(err, MAGI_ERR_PARSE,
					   "%s:%u: the cue ends (%.3f s) before it starts (%.3f s)",
					   what, tline, b, a);
			break;
		}
		if (subs->n >= MAGI_SRT_MAX_CUES) {
			s = magi_error_set(err, MAGI_ERR_LIMIT, "%s:%u: more than %u cues", what,
					   tline, MAGI_SRT_MAX_CUES);
			break;
		}
		magi_buf_reset(&cue);
		while (next_line(&r, &l, &n) && !blank(l, n)) {
			if (append_text(&cue, l, n)) {
				s = magi_error_set(err, MAGI_ERR_LIMIT,
						   "%s:%u: the cue's text is longer than %u bytes",
						   what, tline, MAGI_SRT_MAX_CUE_BYTES);
				break;
			}
		}
		if (!s && add_cue(subs, &cap, a, b, tline, &cue))
			s = magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", what);
	}
	magi_buf_release(&cue);
	if (s) {
		magi_subtitles_free(subs);
		return s;
	}
	if (subs->n > 1)
		qsort(subs->cues, subs->n, sizeof *subs->cues, cmp_cue);
	*out = subs;
	return MAGI_OK;
}

magi_status magi_subtitles_load(const char *srt_path, struct magi_subtitles **out,
				struct magi_error *err)
{
	if (!out)
		return magi_error_set(err, MAGI_ERR_INVALID, "magi_subtitles_load: out is NULL");
	*out = NULL;
	if (!srt_path || !*srt_path)
		return magi_error_set(err, MAGI_ERR_INVALID, "subtitle path is empty");
	struct magi_buf b;
	magi_buf_init(&b, MAGI_SRT_MAX_BYTES);
	magi_status s = magi_file_read(srt_path, &b, err);
	if (!s)
		s = magi_subtitles_parse(b.data, b.len, srt_path, out, err);
	magi_buf_release(&b);
	return s;
}

magi_status magi_subtitles_find(const char *video_path, struct magi_subtitles **out,
				struct magi_error *err)
{
	if (!out)
		return magi_error_set(err, MAGI_ERR_INVALID, "magi_subtitles_find: out is NULL");
	*out = NULL;
	if (!video_path || !*video_path)
		return magi_error_set(err, MAGI_ERR_INVALID, "video path is empty");
	struct magi_buf a, b;
	magi_buf_init(&a, 0);
	magi_buf_init(&b, 0);
	const char *slash = strrchr(video_path, '/');
	const char *dot = strrchr(slash ? slash + 1 : video_path, '.');
	magi_status s = MAGI_OK;
	if (dot && dot != (slash ? slash + 1 : video_path))
		s = magi_buf_append(&a, video_path, (size_t)(dot - video_path));
	else
		s = magi_buf_puts(&a, video_path);
	if (!s)
		s = magi_buf_puts(&a, ".srt");
	if (!s)
		s = magi_buf_printf(&b, "%s.srt", video_path);
	if (s) {
		magi_buf_release(&a);
		magi_buf_release(&b);
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", video_path);
	}
	const char *tries[2] = {a.data, b.data};
	s = MAGI_ERR_NOT_FOUND;
	for (int i = 0; i < 2 && s == MAGI_ERR_NOT_FOUND; i++) {
		if (i == 1 && strcmp(tries[0], tries[1]) == 0)
			break;
		s = magi_subtitles_load(tries[i], out, err);
	}
	if (s == MAGI_ERR_NOT_FOUND)
		magi_error_set(err, s, "%s: no subtitles beside it (tried %s and %s)", video_path,
			       tries[0], tries[1]);
	magi_buf_release(&a);
	magi_buf_release(&b);
	return s;
}

size_t magi_subtitles_query(const struct magi_subtitles *s, double start_s, double end_s,
			    size_t *idx, size_t max)
{
	if (!s)
		return 0;
	size_t k = 0;
	/* cues are sorted by start: those starting after end_s are a suffix */
	for (size_t i = 0; i < s->n && s->cues[i].start_s <= end_s; i++)
		if (s->cues[i].end_s >= start_s) {
			if (idx && k < max)
				idx[k] = i;
			k++;
		}
	return k;
}

magi_status magi_subtitles_format(const struct magi_subtitles *s, double start_s, double end_s,
				  struct magi_buf *out)
{
	if (!s || !out)
		return MAGI_ERR_INVALID;
	for (size_t i = 0; i < s->n && s->cues[i].start_s <= end_s; i++) {
		const struct magi_subtitle_cue *c = &s->cues[i];
		if (c->end_s < start_s)
			continue;
		char a[16], b[16];
		magi_status st =
		    magi_buf_printf(out, "[%s-%s] ", magi_video_format_time(c->start_s, a),
				    magi_video_format_time(c->end_s, b));
		for (const char *p = c->text; !st && *p; p++)
			st = magi_buf_putc(out, *p == '\n' ? ' ' : *p);
		if (!st)
			st = magi_buf_putc(out, '\n');
		if (st)
			return st;
	}
	return MAGI_OK;
}
