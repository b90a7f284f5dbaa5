/* guard_util.c — text matching, the finding list and the OCR page view shared by the
 * guard files (see guard_internal.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/guard_internal.h"
#include "core/common.h"

bool magi__word_at(const char *s, size_t len, size_t i, const char *word)
{
	size_t wl = strlen(word);
	if (wl == 0 || i > len || len - i < wl)
		return false;
	for (size_t k = 0; k < wl; k++)
		if (magi__lower((unsigned char)s[i + k]) != magi__lower((unsigned char)word[k]))
			return false;
	if (i > 0 && magi__is_alnum((unsigned char)s[i - 1]) &&
	    magi__is_alnum((unsigned char)word[0]))
		return false;
	if (i + wl < len && magi__is_alnum((unsigned char)s[i + wl]) &&
	    magi__is_alnum((unsigned char)word[wl - 1]))
		return false;
	return true;
}

size_t magi__find_word(const char *s, size_t len, size_t from, const char *word)
{
	unsigned char first = magi__lower((unsigned char)word[0]);
	for (size_t i = from; i < len; i++)
		if (magi__lower((unsigned char)s[i]) == first && magi__word_at(s, len, i, word))
			return i;
	return SIZE_MAX;
}

size_t magi__find_ci(const char *s, size_t len, size_t from, const char *needle)
{
	size_t nl = strlen(needle);
	if (nl == 0)
		return from <= len ? from : SIZE_MAX;
	for (size_t i = from; i + nl <= len; i++) {
		size_t k = 0;
		while (k < nl && magi__lower((unsigned char)s[i + k]) ==
					 magi__lower((unsigned char)needle[k]))
			k++;
		if (k == nl)
			return i;
	}
	return SIZE_MAX;
}

void magi__lower_copy(char *buf, size_t cap, const char *s, size_t n)
{
	if (!cap)
		return;
	size_t k = 0;
	for (; k + 1 < cap && k < n; k++)
		buf[k] = (char)magi__lower((unsigned char)s[k]);
	buf[k] = '\0';
}

void magi__text_copy(char *buf, size_t cap, const char *s, size_t n)
{
	if (!cap)
		return;
	size_t k = n < cap - 1 ? n : cap - 1;
	/* never cut a UTF-8 sequence in half: back up over continuation bytes */
	if (k < n)
		while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
	for (size_t i = 0; i < k; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	buf[k] = '\0';
}

/* ---- finding list ---------------------------------------------------------------------- */
magi_status magi__fvec_push(struct magi__fvec *fv, enum magi_pii_type type, size_t start,
			    size_t end, float score, const char *name)
{
	if (!magi__grow(&fv->v, &fv->cap, fv->n, sizeof *fv->v, 16))
		return MAGI_ERR_NOMEM;
	struct magi_pii_finding *f = &fv->v[fv->n];
	memset(f, 0, sizeof *f);
	f->type = type;
	f->start = start;
	f->end = end;
	f->score = score;
	f->word0 = f->word1 = -1;
	if (name && !(f->name = magi__strdup(name)))
		return MAGI_ERR_NOMEM;
	fv->n++;
	return MAGI_OK;
}

magi_status magi__fvec_push_repaired(struct magi__fvec *fv, enum magi_pii_type type, size_t start,
				     size_t end, float score)
{
	magi_status st = magi__fvec_push(fv, type, start, end,
					 score < MAGI_PII_SCORE_REPAIRED ? score : MAGI_PII_SCORE_REPAIRED, NULL);
	if (!st)
		fv->v[fv->n - 1].repaired = true;
	return st;
}

void magi__fvec_release(struct magi__fvec *fv)
{
	magi_pii_findings_free(fv->v, fv->n);
	fv->v = NULL;
	fv->n = fv->cap = 0;
}

/* ---- boxes ---------------------------------------------------------------------------- */
void magi__box_union(int *x, int *y, int *w, int *h, int bx, int by, int bw, int bh)
{
	if (bw <= 0 || bh <= 0)
		return;
	if (*w <= 0 || *h <= 0) {
		*x = bx, *y = by, *w = bw, *h = bh;
		return;
	}
	long x0 = MAGI_MIN((long)*x, (long)bx), y0 = MAGI_MIN((long)*y, (long)by);
	long x1 = MAGI_MAX((long)*x + *w, (long)bx + bw), y1 = MAGI_MAX((long)*y + *h, (long)by + bh);
	*x = (int)x0, *y = (int)y0;
	*w = (int)MAGI_MIN(x1 - x0, (long)INT32_MAX);
	*h = (int)MAGI_MIN(y1 - y0, (long)INT32_MAX);
}

double magi__box_dist(int x, int y, int w, int h, double px, double py)
{
	double dx = 0, dy = 0;
	if (px < x)
		dx = x - px;
	else if (px > (double)x + w)
		dx = px - ((double)x + w);
	if (py < y)
		dy = y - py;
	else if (py > (double)y + h)
		dy = py - ((double)y + h);
	if (dx == 0)
		return dy;
	if (dy == 0)
		return dx;
	/* Euclidean distance without libm: Newton steps from the max norm */
	double m = dx > dy ? dx : dy, r = m;
	double s2 = dx * dx + dy * dy;
	for (int i = 0; i < 6; i++)
		r = 0.5 * (r + s2 / r);
	return r;
}

/* ---- OCR page -------------------------------------------------------------------------- */
struct word_key {
	long line;
	int x;
	size_t idx;
};

static int word_key_cmp(const void *a, const void *b)
{
	const struct word_key *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->x != y->x)
		return x->x < y->x ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void magi__page_release(struct magi__page *pg)
{
	free(pg->text);
	free(pg->u);
	free(pg->l);
	memset(pg, 0, sizeof *pg);
}

/* Appends s to the page text with newlines flattened to spaces (a word never breaks a line). */
static magi_status page_put(struct magi_buf *b, const char *s)
{
	size_t n = strlen(s);
	size_t at = b->len;
	magi_status st = magi_buf_append(b, s, n);
	if (st)
		return st;
	for (size_t i = at; i < b->len; i++)
		if (b->data[i] == '\n' || b->data[i] == '\r')
			b->data[i] = ' ';
	return MAGI_OK;
}

/* Tesseract's sparse mode cuts one visual row at wide gaps ("(863)" | "841-6538"), and a
 * form's label and its field's value are two OCR lines ("Card number" | "4111 ..."). For
 * PII the row must read as one line: rows[i] is the first OCR line of line i's row, where
 * two lines share a row when they overlap vertically by most of their height, have
 * similar heights and stand within ROW_FAR_GAP character heights of each other (the page
 * text joins pieces further apart than ROW_NEAR_GAP with a tab: a field's edge, which
 * no digit run crosses). */
#define ROW_NEAR_GAP 5 / 2
#define ROW_FAR_GAP 30
static long *row_map(const struct magi_ocr *ocr)
{
	size_t n = ocr->n_lines;
	long *rows = malloc((n ? n : 1) * sizeof *rows);
	if (!rows)
		return NULL;
	for (size_t i = 0; i < n; i++)
		rows[i] = (long)i;
	for (size_t i = 0; i < n; i++) {
		const struct magi_ocr_line *a = &ocr->lines[i];
		for (size_t j = 0; j < n; j++) {
			const struct magi_ocr_line *b = &ocr->lines[j];
			if (j == i || rows[j] != (long)j || b->x <= a->x || a->h <= 0 || b->h <= 0)
				continue;
			int hmin = a->h < b->h ? a->h : b->h, hmax = a->h < b->h ? b->h : a->h;
			int top = a->y > b->y ? a->y : b->y;
			int bot = a->y + a->h < b->y + b->h ? a->y + a->h : b->y + b->h;
			int gap = b->x - (a->x + a->w);
			if (bot - top >= hmin * 6 / 10 && hmax <= hmin * 3 / 2 && gap >= -2 && gap <= hmin * ROW_FAR_GAP)
				rows[j] = rows[i];
		}
	}
	return rows;
}

static magi_status page_build(const struct magi_ocr *ocr, struct magi__page *pg, bool join_rows);

magi_status magi__page_build(const struct magi_ocr *ocr, struct magi__page *pg)
{
	return page_build(ocr, pg, false);
}

magi_status magi__page_build_rows(const struct magi_ocr *ocr, struct magi__page *pg)
{
	return page_build(ocr, pg, true);
}

static magi_status page_build(const struct magi_ocr *ocr, struct magi__page *pg, bool join_rows)
{
	memset(pg, 0, sizeof *pg);
	struct magi_buf b;
	magi_buf_init(&b, MAGI_PII_MAX_TEXT + 1);
	if (!ocr || (ocr->n_words == 0 && ocr->n_lines == 0) ||
	    (ocr->n_words && !ocr->words) || (!ocr->n_words && !ocr->lines)) {
		pg->text = magi_buf_detach(&b, NULL);
		return pg->text ? MAGI_OK : MAGI_ERR_NOMEM;
	}
	bool by_words = ocr->n_words > 0;
	size_t n = by_words ? ocr->n_words : ocr->n_lines;
	struct word_key *keys = malloc(n * sizeof *keys);
	pg->u = calloc(n, sizeof *pg->u);
	pg->l = calloc(n, sizeof *pg->l);
	magi_status st = MAGI_ERR_NOMEM;
	if (!keys || !pg->u || !pg->l)
		goto fail;
	long *rows = by_words && join_rows && ocr->n_lines && ocr->lines ? row_map(ocr) : NULL;
	for (size_t i = 0; i < n; i++) {
		long line = by_words ? ocr->words[i].line : (long)i;
		if (rows && line >= 0 && (size_t)line < ocr->n_lines)
			line = rows[line];
		keys[i].line = line;
		/* within a joined row words go left to right; otherwise reading order stands */
		keys[i].x = rows ? ocr->words[i].x : 0;
		keys[i].idx = i;
	}
	bool joined = rows != NULL;
	free(rows);
	qsort(keys, n, sizeof *keys, word_key_cmp);
	for (size_t k = 0; k < n; k++) {
		size_t i = keys[k].idx;
		const char *t = by_words ? ocr->words[i].text : ocr->lines[i].text;
		if (!t)
			t = "";
		bool new_line = pg->nl == 0 || keys[k].line != keys[k - 1].line;
		if (new_line) {
			if (pg->nl) {
				pg->l[pg->nl - 1].end = b.len;
				if ((st = magi_buf_putc(&b, '\n')))
					goto fail;
			}
			struct magi__page_line *ln = &pg->l[pg->nl++];
			ln->start = b.len;
			ln->u0 = pg->nu;
		} else {
			/* two OCR lines of one row far apart: a tab, like a form's field edge */
			char sep = ' ';
			if (joined && k > 0) {
				const struct magi_ocr_word *pw = &ocr->words[keys[k - 1].idx], *w = &ocr->words[i];
				int hmin = pw->h < w->h ? pw->h : w->h;
				if (pw->line != w->line && w->x - (pw->x + pw->w) > hmin * ROW_NEAR_GAP)
					sep = '\t';
			}
			if ((st = magi_buf_putc(&b, sep)))
				goto fail;
		}
		struct magi__page_unit *u = &pg->u[pg->nu++];
		u->start = b.len;
		if ((st = page_put(&b, t)))
			goto fail;
		u->end = b.len;
		u->line = pg->nl - 1;
		u->idx = i;
		if (by_words) {
			u->x = ocr->words[i].x, u->y = ocr->words[i].y;
			u->w = ocr->words[i].w, u->h = ocr->words[i].h;
		} else {
			u->x = ocr->lines[i].x, u->y = ocr->lines[i].y;
			u->w = ocr->lines[i].w, u->h = ocr->lines[i].h;
		}
		struct magi__page_line *ln = &pg->l[pg->nl - 1];
		ln->u1 = pg->nu;
		magi__box_union(&ln->x, &ln->y, &ln->w, &ln->h, u->x, u->y, u->w, u->h);
	}
	if (pg->nl)
		pg->l[pg->nl - 1].end = b.len;
	free(keys);
	pg->len = b.len;
	pg->text = magi_buf_detach(&b, NULL);
	if (!pg->text) {
		magi__page_release(pg);
		return MAGI_ERR_NOMEM;
	}
	return MAGI_OK;
fail:
	free(keys);
	magi_buf_release(&b);
	magi__page_release(pg);
	return st;
}
