/* pii_reread.c — a second look at lines the first OCR may have garbled. Small text is where
 * Tesseract drops or invents glyphs, and a checksum-bearing number (an IBAN, a card) with one
 * wrong glyph is no finding at all. Lines that look number-heavy but held no finding are cut
 * out, enlarged 2x and read again; what that reading finds covers the whole line. Only a few
 * lines per screen qualify, so the cost stays far below a second full OCR. */
#include <stdlib.h>
#include <string.h>
#include "guard/guard_internal.h"
#include "core/common.h"

#define REREAD_MIN_DIGITS 8   /* a line with fewer digits holds no card, IBAN or phone */
#define REREAD_MAX_LINES 6    /* lines re-read per screen at most */
#define REREAD_MAX_HEIGHT 28  /* px; taller text is read well the first time */
#define REREAD_MARGIN 4

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
	return MAGI_OK;
}

magi_status magi_pii_scan_image(const struct magi_image *img, const struct magi_ocr *ocr,
				const struct magi_pii_params *p, struct magi_pii_finding **out,
				size_t *n)
{
	*out = NULL;
	*n = 0;
	struct magi_pii_finding *f = NULL;
	size_t nf = 0;
	magi_status s = magi_pii_scan_ocr(ocr, p, &f, &nf);
	if (s || !img || !ocr || !ocr->n_lines)
		return s ? s : (*out = f, *n = nf, MAGI_OK);
	size_t cap = nf;
	int reread = 0;
	for (size_t i = 0; i < ocr->n_lines && reread < REREAD_MAX_LINES && !s; i++) {
		const struct magi_ocr_line *l = &ocr->lines[i];
		if (!l->text || l->h <= 0 || l->h > REREAD_MAX_HEIGHT)
			continue;
		int digits = 0;
		for (const char *c = l->text; *c; c++)
			digits += *c >= '0' && *c <= '9';
		if (digits < REREAD_MIN_DIGITS)
			continue;
		bool covered = false;
		for (size_t k = 0; k < nf && !covered; k++)
			covered = f[k].has_box && overlaps(f[k].x, f[k].y, f[k].w, f[k].h, l->x, l->y, l->w, l->h);
		if (covered)
			continue;
		reread++;
		int x0 = l->x - REREAD_MARGIN, y0 = l->y - REREAD_MARGIN;
		struct magi_image *crop = NULL, *big = NULL;
		struct magi_ocr *o2 = NULL;
		if (magi_image_crop(img, x0, y0, (uint32_t)(l->w + 2 * REREAD_MARGIN),
				    (uint32_t)(l->h + 2 * REREAD_MARGIN), &crop) ||
		    magi_image_resize(crop, crop->w * 2, crop->h * 2, &big) ||
		    magi_ocr_run(big, NULL, 0, &o2, NULL)) {
			magi_image_free(crop);
			magi_image_free(big);
			continue; /* the first reading stands */
		}
		struct magi_pii_finding *g = NULL;
		size_t ng = 0;
		if (magi_pii_scan_ocr(o2, p, &g, &ng) == MAGI_OK) {
			/* the words of this line in the first reading, for prompts to mask */
			int w0 = -1, w1 = -1;
			for (size_t w = 0; w < ocr->n_words; w++)
				if (ocr->words[w].line == (int)i) {
					if (w0 < 0)
						w0 = (int)w;
					w1 = (int)w;
				}
			for (size_t k = 0; k < ng && !s; k++) {
				struct magi_pii_finding c = g[k];
				/* the enlarged reading's box, back in screen pixels */
				c.x = MAGI_MAX(x0, 0) + c.x / 2; /* the crop was clipped at the edges */
				c.y = MAGI_MAX(y0, 0) + c.y / 2;
				c.w = (c.w + 1) / 2;
				c.h = (c.h + 1) / 2;
				c.has_box = true;
				c.word0 = w0;
				c.word1 = w1;
				c.score *= 0.9f;
				s = push_copy(&f, &nf, &cap, &c);
			}
		}
		magi_pii_findings_free(g, ng);
		magi_ocr_free(o2);
		magi_image_free(crop);
		magi_image_free(big);
	}
	if (s) {
		magi_pii_findings_free(f, nf);
		return s;
	}
	*out = f;
	*n = nf;
	return MAGI_OK;
}
