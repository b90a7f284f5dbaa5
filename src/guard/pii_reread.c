/* pii_reread.c — a second look at lines the first OCR may have garbled. Small text is where
 * Tesseract drops or invents glyphs, and a checksum-bearing number (an IBAN, a card) with one
 * wrong glyph is no finding at all; and a line read with low confidence on the page is now
 * and then read right on its own. Number-heavy small lines and unsure lines that held no
 * finding are cut out (a number-heavy line from the word before its first number to its
 * last number, an unsure line whole) and read again on their own as one text line; what
 * that reading finds covers the crop. (Session 1 read whole lines enlarged 2x in sparse-
 * text mode; on the generated sets the single-line reading at 1x finds the same items
 * for 20 % less time.)
 *
 * What it costs: Tesseract's recognizer scales a line to a fixed height, so the cost
 * follows the text's width over its height, not its pixels: measured here (2 cores)
 * 0.6-0.75 ms per unit of width/height — 8-10 ms for a 12-13-unit (card-sized) number.
 * A screen of order numbers would cost tens of
 * milliseconds, so the second look is rationed:
 *   - lines whose first reading already names them as something else (order, invoice,
 *     SKU, build, ...) or holds nothing but dates are not read again;
 *   - the rest are taken by likelihood (a PII label on the line first, then a garbled
 *     first reading, then more digits) within a budget of width/height units per image
 *     (magi_pii_params.reread_budget) — a line longer than the whole budget (a long IBAN
 *     in small type, ~25 units) is left to magi guard scan/redact, which have none;
 *   - with a cache (magi_pii_params.reread_cache, one per run), a crop read once is never
 *     read again: the next observation of the same screen spends its budget on the lines
 *     not read yet;
 *   - a line read with confidence under 30 that shows digits and that the budget leaves
 *     unread is covered as "unreadable" (sent as it is, it would be PII the guard never
 *     looked at). */
#include <stdlib.h>
#include <string.h>
#include "guard/guard_internal.h"
#include "core/common.h"

#define REREAD_MIN_DIGITS 8  /* a line with fewer digits holds no card, IBAN or phone */
#define REREAD_MAX_HEIGHT 28 /* px; taller text is read well the first time... */
#define GARBLED_CONF 60      /* ...unless the reading has a mean confidence below this */
#define GARBLED_MAX_HEIGHT 48
#define UNREADABLE_CONF 30   /* a line this unsure that the budget left unread is covered */
#define REREAD_MARGIN 4
#define CACHE_MAX 512 /* crops remembered per cache */

/* Words on a line that say what its number is, when it is PII... */
static const char *const pii_labels[] = {
	"card", "visa", "mastercard", "amex", "iban", "account", "bank", "phone", "tel",
	"mobile", "call", "fax", "ssn", "social", "ip", "ipv4", "ipv6", "inet", "inet6",
	"address", "mac", "link-local", "cvv", "pin", NULL};
/* ... and words that say it is not (the first reading read them well enough). */
static const char *const not_pii_labels[] = {
	"order", "invoice", "inv", "sku", "isbn", "ref", "reference", "tracking", "build",
	"version", "commit", "qty", "due", "location", "ticket", "case", NULL};

struct cache_entry {
	uint64_t key;
	struct magi_pii_finding *f; /* boxes relative to the crop's origin */
	size_t n;
};

struct magi_pii_cache {
	struct cache_entry e[CACHE_MAX];
	size_t n, next; /* filled entries; the slot replaced next once full */
	size_t hits, reads;
};

magi_status magi_pii_cache_new(struct magi_pii_cache **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? MAGI_OK : MAGI_ERR_NOMEM;
}

void magi_pii_cache_free(struct magi_pii_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		magi_pii_findings_free(c->e[i].f, c->e[i].n);
	free(c);
}

void magi_pii_cache_stats(const struct magi_pii_cache *c, size_t *hits, size_t *reads)
{
	*hits = c ? c->hits : 0;
	*reads = c ? c->reads : 0;
}

/* FNV-1a over the crop's size and pixels. */
static uint64_t crop_key(const struct magi_image *img)
{
	uint64_t h = 1469598103934665603ull;
	uint32_t dims[2] = {img->w, img->h};
	const unsigned char *d = (const unsigned char *)dims;
	for (size_t i = 0; i < sizeof dims; i++)
		h = (h ^ d[i]) * 1099511628211ull;
	for (uint32_t y = 0; y < img->h; y++) {
		const uint8_t *p = img->px + (size_t)y * img->stride;
		for (size_t i = 0; i < (size_t)img->w * 3; i++)
			h = (h ^ p[i]) * 1099511628211ull;
	}
	return h;
}

static bool overlaps(int ax, int ay, int aw, int ah, int bx, int by, int bw, int bh)
{
	return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

static magi_status push_copy(struct magi_pii_finding **v, size_t *n, size_t *cap,
			     const struct magi_pii_finding *f)
{
	if (!magi__grow(v, cap, *n, sizeof **v, 8))
		return MAGI_ERR_NOMEM;
	struct magi_pii_finding *d = &(*v)[(*n)++];
	*d = *f;
	d->text = magi__strdup(f->text);
	d->name = f->name ? magi__strdup(f->name) : NULL;
	if (!d->text || (f->name && !d->name)) {
		free(d->text);
		free(d->name);
		(*n)--;
		return MAGI_ERR_NOMEM;
	}
	return MAGI_OK;
}

static bool has_word(const char *s, const char *const *words)
{
	size_t len = strlen(s);
	for (size_t k = 0; words[k]; k++)
		if (magi__find_word(s, len, 0, words[k]) != SIZE_MAX)
			return true;
	return false;
}

static int count_digits(const char *s)
{
	int d = 0;
	for (; *s; s++)
		d += magi__is_digit((unsigned char)*s);
	return d;
}

/* true when every digit of s sits in a date ("2024-06-03", "09.02.2024", "12/05/24"). */
static bool dates_only(const char *s)
{
	for (const char *p = s; *p;) {
		if (!magi__is_digit((unsigned char)*p)) {
			p++;
			continue;
		}
		int g[3], ng = 0;
		char sep = 0;
		const char *q = p;
		while (ng < 3) {
			int n = 0;
			while (magi__is_digit((unsigned char)q[n]))
				n++;
			g[ng++] = n;
			q += n;
			if (ng < 3 && (*q == '-' || *q == '.' || *q == '/') && (!sep || *q == sep) &&
			    magi__is_digit((unsigned char)q[1])) {
				sep = *q++;
				continue;
			}
			break;
		}
		bool date = ng == 3 && ((g[0] == 4 && g[1] <= 2 && g[2] <= 2) ||
					(g[0] <= 2 && g[1] <= 2 && (g[2] == 4 || g[2] == 2)));
		if (!date || magi__is_alnum((unsigned char)*q))
			return false;
		p = q;
	}
	return true;
}

/* A garbled line that may be a number: a fifth of its letters and digits are digits, 7 or
 * more digit glyphs, and it shows no link or path ("https://github.com/nodejs/node/commit/31823e37c7" in a
 * changelog, a window title's file name) — those are the garbled lines of PII-free
 * documents. */
static bool numberish(const char *s)
{
	if (strstr(s, "://") || strstr(s, "http") || strstr(s, "www.") || strstr(s, ".txt") ||
	    strstr(s, ".html") || strstr(s, "/tmp") || strstr(s, "/usr") || strstr(s, "/home"))
		return false;
	/* and a number's worth of digit glyphs: 7, the shortest phone number, counting the
	 * letters OCR writes for digits ("Carey S53 SHS) SI6ZS" was a card) */
	int alnum = 0, digits = 0, looks = 0;
	for (; *s; s++) {
		alnum += magi__is_alnum((unsigned char)*s);
		digits += magi__is_digit((unsigned char)*s);
		looks += *s && strchr("OoSBIlZ|", *s) != NULL;
	}
	return alnum && digits * 5 >= alnum && digits + looks >= 7;
}

struct cand {
	size_t line;
	int w0, w1;      /* words of the crop (first may be a label) */
	int x, y, w, h;  /* crop box (words' union), before the margin */
	int cost, prio;  /* width/height of the crop's text, rounded up; likelihood class */
	bool cover;      /* covered as unreadable if it is not read again */
	int digits;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->prio != y->prio)
		return y->prio - x->prio;
	if (x->digits != y->digits)
		return y->digits - x->digits;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The crop of line li: from the word before its first word with a digit (a label) to its
 * last word with a digit, or (whole) the whole line. False when the line has no words. */
static bool line_crop(const struct magi_ocr *ocr, size_t li, bool whole, struct cand *c)
{
	int first = -1, last = -1, prev = -1, before = -1;
	for (size_t w = 0; w < ocr->n_words; w++) {
		if (ocr->words[w].line != (int)li)
			continue;
		if (whole || count_digits(ocr->words[w].text)) {
			if (first < 0) {
				first = (int)w;
				before = prev;
			}
			last = (int)w;
		}
		prev = (int)w;
	}
	if (first < 0)
		return false;
	c->w0 = before >= 0 ? before : first;
	c->w1 = last;
	int x0 = ocr->words[c->w0].x, y0 = ocr->words[c->w0].y;
	int x1 = x0 + ocr->words[c->w0].w, y1 = y0 + ocr->words[c->w0].h;
	for (int w = c->w0; w <= c->w1; w++) {
		const struct magi_ocr_word *ow = &ocr->words[w];
		x0 = MAGI_MIN(x0, ow->x);
		y0 = MAGI_MIN(y0, ow->y);
		x1 = MAGI_MAX(x1, ow->x + ow->w);
		y1 = MAGI_MAX(y1, ow->y + ow->h);
	}
	/* the line's own box is taller when it holds taller glyphs than these words */
	const struct magi_ocr_line *l = &ocr->lines[li];
	y0 = MAGI_MIN(y0, l->y);
	y1 = MAGI_MAX(y1, l->y + l->h);
	c->x = x0, c->y = y0, c->w = x1 - x0, c->h = y1 - y0;
	if (c->w <= 0 || c->h <= 0)
		return false;
	c->cost = (c->w + c->h - 1) / c->h;
	return true;
}

static struct cache_entry *cache_find(struct magi_pii_cache *c, uint64_t key)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (c->e[i].key == key)
			return &c->e[i];
	return NULL;
}

/* Takes ownership of f; the oldest entry makes room once the cache is full. */
static struct cache_entry *cache_put(struct magi_pii_cache *c, uint64_t key,
				     struct magi_pii_finding *f, size_t n)
{
	struct cache_entry *e;
	if (c->n < CACHE_MAX) {
		e = &c->e[c->n++];
	} else {
		e = &c->e[c->next++ % CACHE_MAX];
		magi_pii_findings_free(e->f, e->n);
	}
	e->key = key;
	e->f = f;
	e->n = n;
	return e;
}

/* Reads crop again as one line. *out gets the findings with boxes in the crop's pixels;
 * none when OCR failed (the first reading stands). */
static magi_status read_crop(const struct magi_image *crop, const struct magi_pii_params *p,
			     struct magi_pii_finding **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct magi_ocr *o2 = NULL;
	if (magi_ocr_run_line(crop, NULL, 0, &o2, NULL))
		return MAGI_OK;
	magi_status s = magi_pii_scan_ocr(o2, p, out, n);
	magi_ocr_free(o2);
	for (size_t k = 0; !s && k < *n; k++)
		(*out)[k].score *= 0.9f;
	return s;
}

magi_status magi_pii_scan_image(const struct magi_image *img, const struct magi_ocr *ocr,
				const struct magi_pii_params *p, struct magi_pii_finding **out,
				size_t *n)
{
	*out = NULL;
	*n = 0;
	struct magi_pii_params defaults = magi_pii_params_default();
	if (!p)
		p = &defaults;
	struct magi_pii_finding *f = NULL;
	size_t nf = 0;
	magi_status s = magi_pii_scan_ocr(ocr, p, &f, &nf);
	if (s || !img || !ocr || !ocr->n_lines || !ocr->n_words || p->reread_budget == 0)
		return s ? s : (*out = f, *n = nf, MAGI_OK);
	/* the candidates */
	struct cand *cands = calloc(ocr->n_lines, sizeof *cands);
	if (!cands) {
		magi_pii_findings_free(f, nf);
		return MAGI_ERR_NOMEM;
	}
	size_t nc = 0;
	for (size_t i = 0; i < ocr->n_lines; i++) {
		const struct magi_ocr_line *l = &ocr->lines[i];
		if (!l->text || l->h <= 0 || l->h > GARBLED_MAX_HEIGHT)
			continue;
		int digits = count_digits(l->text);
		/* a garbled line: the first reading was unsure and the line shows a number or two
		 * (Tesseract sometimes reads a whole line of a thin font as "BANS DIZ FI2B VOID"
		 * on the page and correctly on its own) */
		bool garbled = l->conf < GARBLED_CONF && digits >= 2 && strlen(l->text) >= 6;
		if (!garbled && (l->h > REREAD_MAX_HEIGHT || digits < REREAD_MIN_DIGITS))
			continue;
		if (has_word(l->text, not_pii_labels) || dates_only(l->text))
			continue;
		struct cand c = {.line = i, .digits = digits};
		if (!line_crop(ocr, i, garbled, &c))
			continue;
		bool covered = false;
		for (size_t k = 0; k < nf && !covered; k++)
			covered = f[k].has_box && overlaps(f[k].x, f[k].y, f[k].w, f[k].h, c.x, c.y, c.w, c.h);
		if (covered)
			continue;
		c.prio = (has_word(l->text, pii_labels) ? 2 : 0) + garbled;
		c.cover = garbled && l->conf < UNREADABLE_CONF && numberish(l->text) &&
			  (p->types & MAGI_PII_BIT(MAGI_PII_UNREADABLE));
		cands[nc++] = c;
	}
	qsort(cands, nc, sizeof *cands, cand_cmp);
	size_t cap = nf;
	int budget = p->reread_budget < 0 ? INT32_MAX : p->reread_budget;
	for (size_t i = 0; i < nc && !s; i++) {
		const struct cand *c = &cands[i];
		int x0 = MAGI_MAX(c->x - REREAD_MARGIN, 0), y0 = MAGI_MAX(c->y - REREAD_MARGIN, 0);
		int x1 = MAGI_MIN(c->x + c->w + REREAD_MARGIN, (int)img->w);
		int y1 = MAGI_MIN(c->y + c->h + REREAD_MARGIN, (int)img->h);
		struct magi_image *crop = NULL;
		if (x1 <= x0 || y1 <= y0 ||
		    magi_image_crop(img, x0, y0, (uint32_t)(x1 - x0), (uint32_t)(y1 - y0), &crop))
			continue;
		/* a crop read before is free; a new one must fit the budget */
		struct magi_pii_cache *cache = p->reread_cache;
		uint64_t key = cache ? crop_key(crop) : 0;
		struct cache_entry *e = cache_find(cache, key);
		struct magi_pii_finding *g = NULL;
		size_t ng = 0;
		bool looked = e != NULL;
		if (e) {
			cache->hits++;
		} else if (c->cost <= budget) {
			looked = true;
			budget -= c->cost;
			double t0 = magi_now_ms();
			s = read_crop(crop, p, &g, &ng);
			MAGI_DEBUG("pii: second reading of %ux%u (%d units): %zu finding%s in %.1f ms", crop->w,
				   crop->h, c->cost, ng, ng == 1 ? "" : "s", magi_now_ms() - t0);
			if (!s && cache) {
				cache->reads++;
				e = cache_put(cache, key, g, ng);
				g = NULL;
				ng = 0;
			}
		}
		magi_image_free(crop);
		const struct magi_pii_finding *src = e ? e->f : g;
		size_t nsrc = e ? e->n : ng;
		for (size_t k = 0; k < nsrc && !s; k++) {
			struct magi_pii_finding d = src[k];
			d.x += x0;
			d.y += y0;
			d.has_box = true;
			d.word0 = c->w0;
			d.word1 = c->w1;
			s = push_copy(&f, &nf, &cap, &d);
		}
		magi_pii_findings_free(g, ng);
		if (!looked && c->cover && !s) {
			/* the page reading is nearly noise ("D364 323 4 S695 O4ns)" at confidence
			 * 6) and there was no budget to read it again: on the generated sets such
			 * lines were PII every time and never on a PII-free screen, so they are
			 * covered rather than sent as they are */
			struct magi_pii_finding d = {.type = MAGI_PII_UNREADABLE,
						     .text = ocr->lines[c->line].text,
						     .end = strlen(ocr->lines[c->line].text),
						     .has_box = true,
						     .x = x0,
						     .y = y0,
						     .w = x1 - x0,
						     .h = y1 - y0,
						     .word0 = c->w0,
						     .word1 = c->w1,
						     .score = 0.3f};
			s = push_copy(&f, &nf, &cap, &d);
		}
	}
	free(cands);
	if (s) {
		magi_pii_findings_free(f, nf);
		return s;
	}
	*out = f;
	*n = nf;
	return MAGI_OK;
}
