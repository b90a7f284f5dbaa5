/* ocr_update.c — OCR of a screen that changed only in part: re-run Tesseract on the band of
 * rows that changed and keep the previous step's words elsewhere. On a GUI step the change
 * is usually a line of typed text or a dialog, and OCR is the most expensive part of a step,
 * so this is where magi's per-step time goes down ("no work twice"). */
#include <stdlib.h>
#include <string.h>
#include "magi/vision.h"
#include "core/common.h"

/* A band smaller than this share of the screen is OCR'd alone; larger changes redo it all. */
#define BAND_MAX_SHARE 0.5
/* Rows kept above and below the change: half of Tesseract's Sauvola window (0.33 inch at 96
 * ppi, 32 px), so the band's text is binarized against the same surroundings as in a full
 * read (with less, a marginal word read differently from the full screen's). */
#define BAND_MARGIN 16

static magi_status copy_ocr(const struct magi_ocr *src, struct magi_ocr **out)
{
	struct magi_ocr *o = calloc(1, sizeof *o);
	if (!o)
		return MAGI_ERR_NOMEM;
	o->words = calloc(src->n_words ? src->n_words : 1, sizeof *o->words);
	o->lines = calloc(src->n_lines ? src->n_lines : 1, sizeof *o->lines);
	if (!o->words || !o->lines) {
		magi_ocr_free(o);
		return MAGI_ERR_NOMEM;
	}
	for (size_t i = 0; i < src->n_words; i++) {
		o->words[i] = src->words[i];
		o->words[i].text = magi__strdup(src->words[i].text);
	}
	o->n_words = src->n_words;
	for (size_t i = 0; i < src->n_lines; i++) {
		o->lines[i] = src->lines[i];
		o->lines[i].text = magi__strdup(src->lines[i].text);
	}
	o->n_lines = src->n_lines;
	*out = o;
	return MAGI_OK;
}

struct line_ref {
	const struct magi_ocr *from;
	size_t idx;
	int dy; /* offset added to y (crop band origin) */
	int y;	/* final top, for ordering */
	int x;
};

static int cmp_line(const void *a, const void *b)
{
	const struct line_ref *p = a, *q = b;
	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	return p->x < q->x ? -1 : p->x > q->x;
}

/* The update once the changed rows [c0, c1) are known (c0 == c1: none); t0 is when the
 * caller began. */
static magi_status update(const struct magi_ocr *prev, const struct magi_image *img, int c0, int c1,
			  double t0, const char *lang, float min_conf, struct magi_ocr **out,
			  struct magi_error *err)
{
	if (c1 <= c0) {
		magi_status s = copy_ocr(prev, out);
		if (s)
			return magi_error_set(err, s, NULL);
		(*out)->ms = magi_now_ms() - t0;
		return MAGI_OK;
	}
	int y0 = c0 - BAND_MARGIN, y1 = c1 + BAND_MARGIN;
	/* Grow the band until no previous line is cut by it: lines are re-read whole. */
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; i < prev->n_lines; i++) {
			const struct magi_ocr_line *l = &prev->lines[i];
			if (l->y < y1 && l->y + l->h > y0 &&
			    (l->y - 2 < y0 || l->y + l->h + 2 > y1)) {
				if (l->y - 2 < y0)
					y0 = l->y - 2;
				if (l->y + l->h + 2 > y1)
					y1 = l->y + l->h + 2;
				grew = true;
			}
		}
	}
	if (y0 < 0)
		y0 = 0;
	if (y1 > (int)img->h)
		y1 = (int)img->h;
	if ((double)(y1 - y0) > BAND_MAX_SHARE * img->h)
		return magi_ocr_run(img, lang, min_conf, out, err);
	/* the band is read in place (a view of img's rows, not a copy: OCR honours stride) */
	const struct magi_image band = {img->w, (uint32_t)(y1 - y0), img->stride,
					img->px + (size_t)y0 * img->stride};
	struct magi_ocr *fresh = NULL;
	magi_status s = magi_ocr_run(&band, lang, min_conf, &fresh, err);
	if (s)
		return s;
	/* Merge: previous lines wholly outside the band, then the band's lines moved down. */
	size_t nl = 0, cap = prev->n_lines + fresh->n_lines;
	struct line_ref *refs = calloc(cap ? cap : 1, sizeof *refs);
	struct magi_ocr *o = calloc(1, sizeof *o);
	if (!refs || !o) {
		free(refs);
		free(o);
		magi_ocr_free(fresh);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	for (size_t i = 0; i < prev->n_lines; i++) {
		const struct magi_ocr_line *l = &prev->lines[i];
		if (l->y + l->h <= y0 || l->y >= y1)
			refs[nl++] = (struct line_ref){prev, i, 0, l->y, l->x};
	}
	for (size_t i = 0; i < fresh->n_lines; i++)
		refs[nl++] =
		    (struct line_ref){fresh, i, y0, fresh->lines[i].y + y0, fresh->lines[i].x};
	qsort(refs, nl, sizeof *refs, cmp_line);
	size_t nw = 0;
	for (size_t i = 0; i < prev->n_words; i++)
		nw++;
	nw += fresh->n_words;
	o->lines = calloc(nl ? nl : 1, sizeof *o->lines);
	o->words = calloc(nw ? nw : 1, sizeof *o->words);
	if (!o->lines || !o->words) {
		free(refs);
		magi_ocr_free(o);
		magi_ocr_free(fresh);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	for (size_t k = 0; k < nl; k++) {
		const struct line_ref *r = &refs[k];
		struct magi_ocr_line *dst = &o->lines[o->n_lines];
		*dst = r->from->lines[r->idx];
		dst->y += r->dy;
		dst->text = magi__strdup(dst->text);
		for (size_t i = 0; i < r->from->n_words; i++) {
			if (r->from->words[i].line != (int)r->idx)
				continue;
			struct magi_ocr_word *w = &o->words[o->n_words++];
			*w = r->from->words[i];
			w->y += r->dy;
			w->line = (int)o->n_lines;
			w->text = magi__strdup(w->text);
		}
		o->n_lines++;
	}
	free(refs);
	magi_ocr_free(fresh);
	o->ms = magi_now_ms() - t0;
	*out = o;
	return MAGI_OK;
}

magi_status magi_ocr_update(const struct magi_image *prev_img, const struct magi_ocr *prev,
			    const struct magi_image *img, const char *lang, float min_conf,
			    struct magi_ocr **out, struct magi_error *err)
{
	*out = NULL;
	if (!prev || !prev_img || prev_img->w != img->w || prev_img->h != img->h)
		return magi_ocr_run(img, lang, min_conf, out, err);
	double t0 = magi_now_ms();
	int box[4];
	magi_image_diff(prev_img, img, 8, box);
	return update(prev, img, box[1], box[2] ? box[1] + box[3] : box[1], t0, lang, min_conf, out,
		      err);
}

magi_status magi_ocr_update_rows(const struct magi_ocr *prev, const struct magi_image *img, int y0,
				 int y1, const char *lang, float min_conf, struct magi_ocr **out,
				 struct magi_error *err)
{
	*out = NULL;
	if (!prev || !img || y0 < 0 || y1 > (int)img->h || y1 < y0)
		return magi_ocr_run(img, lang, min_conf, out, err);
	return update(prev, img, y0, y1, magi_now_ms(), lang, min_conf, out, err);
}
