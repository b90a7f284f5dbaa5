/* pii.c — the PII scan API: runs the detectors (pii_detect.c), settles overlaps by type
 * strength, and for OCR input maps every finding back to word boxes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "guard/guard_internal.h"
#include "core/common.h"

static const char *const type_names[] = {
#define MAGI__X(n, s, l) s,
	MAGI_PII_TYPES(MAGI__X)
#undef MAGI__X
};

const char *magi_pii_type_name(enum magi_pii_type t)
{
	return (unsigned)t < MAGI_PII__COUNT ? type_names[t] : "unknown";
}

magi_status magi_pii_type_parse(const char *s, enum magi_pii_type *out)
{
	if (!s || !out)
		return MAGI_ERR_INVALID;
	for (unsigned i = 0; i < MAGI_PII__COUNT; i++)
		if (strcasecmp(s, type_names[i]) == 0) {
			*out = (enum magi_pii_type)i;
			return MAGI_OK;
		}
	return MAGI_ERR_INVALID;
}

struct magi_pii_params magi_pii_params_default(void)
{
	struct magi_pii_params p;
	memset(&p, 0, sizeof p);
	p.types = MAGI_PII_ALL;
	p.secrets = NULL;
	p.ocr_fuzzy = true;
	p.entropy = true;
	p.entropy_min_len = 24;
	p.reread_budget = MAGI_PII_REREAD_BUDGET;
	return p;
}

void magi_pii_findings_free(struct magi_pii_finding *f, size_t n)
{
	if (!f)
		return;
	for (size_t i = 0; i < n; i++) {
		free(f[i].text);
		free(f[i].name);
	}
	free(f);
}

static int finding_cmp(const void *a, const void *b)
{
	const struct magi_pii_finding *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* Keeps each finding whose bytes no earlier (stronger) finding claimed. The detectors push
 * in strength order, so the first claim wins. */
static magi_status settle(struct magi__fvec *fv, size_t len, const char *text)
{
	if (fv->n == 0)
		return MAGI_OK;
	unsigned char *claimed = calloc(len ? len : 1, 1);
	if (!claimed)
		return MAGI_ERR_NOMEM;
	size_t w = 0;
	for (size_t i = 0; i < fv->n; i++) {
		struct magi_pii_finding *f = &fv->v[i];
		bool free_span = f->end > f->start && f->end <= len;
		for (size_t k = f->start; free_span && k < f->end; k++)
			free_span = !claimed[k];
		if (!free_span) {
			free(f->name);
			free(f->text);
			continue;
		}
		memset(claimed + f->start, 1, f->end - f->start);
		fv->v[w++] = *f;
	}
	fv->n = w;
	free(claimed);
	qsort(fv->v, fv->n, sizeof *fv->v, finding_cmp);
	for (size_t i = 0; i < fv->n; i++) {
		struct magi_pii_finding *f = &fv->v[i];
		if (!(f->text = magi__strndup(text + f->start, f->end - f->start)))
			return MAGI_ERR_NOMEM;
	}
	return MAGI_OK;
}

static magi_status scan_len(const char *text, size_t len, const struct magi_pii_params *p,
			    struct magi_pii_finding **out, size_t *n)
{
	struct magi__fvec fv = {0};
	magi_status st = magi__pii_detect_all(text, len, p, &fv);
	if (!st)
		st = settle(&fv, len, text);
	if (st) {
		magi__fvec_release(&fv);
		return st;
	}
	if (fv.n == 0) {
		free(fv.v);
		fv.v = NULL;
	}
	*out = fv.v;
	*n = fv.n;
	return MAGI_OK;
}

magi_status magi_pii_scan_text(const char *text, const struct magi_pii_params *p,
			       struct magi_pii_finding **out, size_t *n)
{
	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	if (!text || !out || !n)
		return MAGI_ERR_INVALID;
	struct magi_pii_params def = magi_pii_params_default();
	size_t len = strnlen(text, MAGI_PII_MAX_TEXT + 1);
	if (len > MAGI_PII_MAX_TEXT)
		return MAGI_ERR_LIMIT;
	return scan_len(text, len, p ? p : &def, out, n);
}

magi_status magi_guard_ocr_text(const struct magi_ocr *ocr, char **out)
{
	if (!out)
		return MAGI_ERR_INVALID;
	*out = NULL;
	struct magi__page pg;
	magi_status st = magi__page_build_rows(ocr, &pg);
	if (st)
		return st;
	*out = pg.text;
	pg.text = NULL;
	magi__page_release(&pg);
	return MAGI_OK;
}

/* Number of UTF-8 characters in s[0..n). */
static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Sets f's box from the page units it covers. */
static void map_box(const struct magi__page *pg, struct magi_pii_finding *f)
{
	/* units are in text order: find the first whose end passes f->start */
	size_t lo = 0, hi = pg->nu;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pg->u[mid].end <= f->start)
			lo = mid + 1;
		else
			hi = mid;
	}
	int x = 0, y = 0, w = 0, h = 0;
	long first = -1, last = -1;
	for (size_t k = lo; k < pg->nu && pg->u[k].start < f->end; k++) {
		if (pg->u[k].end <= f->start)
			continue;
		if (first < 0)
			first = (long)k;
		last = (long)k;
	}
	if (first < 0)
		return;
	if (first == last) {
		const struct magi__page_unit *u = &pg->u[first];
		size_t s = f->start > u->start ? f->start : u->start;
		size_t e = f->end < u->end ? f->end : u->end;
		size_t total = utf8_chars(pg->text + u->start, u->end - u->start);
		size_t c0 = utf8_chars(pg->text + u->start, s - u->start);
		size_t c1 = c0 + utf8_chars(pg->text + s, e - s);
		if (total == 0)
			total = 1;
		/* one character of slack each side: glyph widths vary in proportional fonts */
		double cw = (double)u->w / (double)total;
		double x0 = u->x + cw * (double)c0 - cw, x1 = u->x + cw * (double)c1 + cw;
		if (x0 < u->x)
			x0 = u->x;
		if (x1 > (double)u->x + u->w)
			x1 = (double)u->x + u->w;
		x = (int)x0;
		w = (int)(x1 + 0.999) - x;
		y = u->y;
		h = u->h;
	} else {
		for (long k = first; k <= last; k++)
			magi__box_union(&x, &y, &w, &h, pg->u[k].x, pg->u[k].y, pg->u[k].w, pg->u[k].h);
	}
	f->has_box = true;
	f->x = x, f->y = y, f->w = w, f->h = h;
	f->word0 = (int)pg->u[first].idx;
	f->word1 = (int)pg->u[last].idx;
}

magi_status magi_pii_scan_ocr(const struct magi_ocr *ocr, const struct magi_pii_params *p,
			      struct magi_pii_finding **out, size_t *n)
{
	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	if (!out || !n)
		return MAGI_ERR_INVALID;
	struct magi_pii_params def = magi_pii_params_default();
	struct magi__page pg;
	magi_status st = magi__page_build_rows(ocr, &pg);
	if (st)
		return st;
	st = scan_len(pg.text, pg.len, p ? p : &def, out, n);
	if (!st)
		for (size_t i = 0; i < *n; i++)
			map_box(&pg, &(*out)[i]);
	magi__page_release(&pg);
	return st;
}
