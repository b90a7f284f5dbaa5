/* icons.c — non-text elements proposed by classical vision, for perception lists as
 * Mobile-Agent-v2 builds them (X-PLUG/MobileAgent, Mobile-Agent-v2/run.py
 * get_perception_infos: it prompts GroundingDINO with "icon", drops boxes over 5% of the
 * image, dedups overlapping ones and has each crop captioned). Without a detector model,
 * magi finds the same kind of candidates from the pixels: an edge map (the luminance
 * gradient over a threshold, closed by one dilation so an outline holds together), its
 * 8-connected components, their bounding boxes kept when small (under max_area of the
 * screen, at least min_side a side, not a thin line), boxes mostly covered by OCR words
 * dropped (text is the OCR list's job), overlapping boxes merged, merged boxes that grew
 * too large dropped, and the largest max_boxes kept, in reading order. */
#include <stdlib.h>
#include <string.h>
#include "magi/vision.h"
#include "core/common.h"

struct magi_icon_params magi_icon_params_default(void)
{
	struct magi_icon_params p = {0};
	p.max_area = 0.05;
	p.min_side = 8;
	p.edge_thresh = 40;
	p.max_boxes = 40;
	p.text_cover = 0.5;
	return p;
}

/* union-find over pixel indexes */
static uint32_t find(uint32_t *parent, uint32_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

static void unite(uint32_t *parent, uint32_t a, uint32_t b)
{
	a = find(parent, a);
	b = find(parent, b);
	if (a != b)
		parent[a > b ? a : b] = a < b ? a : b;
}

static long overlap(const struct magi_icon_box *a, const struct magi_icon_box *b)
{
	int x0 = a->x > b->x ? a->x : b->x, y0 = a->y > b->y ? a->y : b->y;
	int x1 = a->x + a->w < b->x + b->w ? a->x + a->w : b->x + b->w;
	int y1 = a->y + a->h < b->y + b->h ? a->y + a->h : b->y + b->h;
	return x1 > x0 && y1 > y0 ? (long)(x1 - x0) * (y1 - y0) : 0;
}

static int by_reading_order(const void *pa, const void *pb)
{
	const struct magi_icon_box *a = pa, *b = pb;
	int ay = a->y + a->h / 2, by = b->y + b->h / 2;
	/* rows within 16 px read left to right */
	if (ay / 16 != by / 16)
		return ay < by ? -1 : 1;
	return a->x < b->x ? -1 : a->x > b->x;
}

static int by_area_desc(const void *pa, const void *pb)
{
	const struct magi_icon_box *a = pa, *b = pb;
	long x = (long)a->w * a->h, y = (long)b->w * b->h;
	return x > y ? -1 : x < y;
}

/* The edge mask: |dL/dx| + |dL/dy| over thresh, then one 3x3 dilation. */
static uint8_t *edge_mask(const struct magi_image *img, int thresh)
{
	uint32_t w = img->w, h = img->h;
	uint8_t *lum = malloc((size_t)w * h), *e = calloc((size_t)w * h, 1), *d = calloc((size_t)w * h, 1);
	if (!lum || !e || !d) {
		free(lum);
		free(e);
		free(d);
		return NULL;
	}
	for (uint32_t y = 0; y < h; y++) {
		const uint8_t *p = img->px + (size_t)y * img->stride;
		for (uint32_t x = 0; x < w; x++, p += 3)
			lum[(size_t)y * w + x] = (uint8_t)((p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8);
	}
	for (uint32_t y = 0; y + 1 < h; y++)
		for (uint32_t x = 0; x + 1 < w; x++) {
			size_t i = (size_t)y * w + x;
			int gx = abs(lum[i + 1] - lum[i]), gy = abs(lum[i + w] - lum[i]);
			e[i] = gx + gy > thresh;
		}
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			if (!e[(size_t)y * w + x])
				continue;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					long yy = (long)y + dy, xx = (long)x + dx;
					if (yy >= 0 && xx >= 0 && yy < h && xx < w)
						d[(size_t)yy * w + (size_t)xx] = 1;
				}
		}
	free(lum);
	free(e);
	return d;
}

/* Words read with less confidence (0..100) do not make a box text: Tesseract reads a lone
 * shape as a letter ("Q" for a filled circle) with low confidence. */
#define TEXT_MIN_CONF 50

/* How much of box b OCR words cover (0..1; overlapping words may count twice, capped). */
static double text_cover(const struct magi_icon_box *b, const struct magi_ocr *ocr)
{
	long area = (long)b->w * b->h, covered = 0;
	for (size_t i = 0; ocr && i < ocr->n_words && area; i++) {
		const struct magi_ocr_word *wd = &ocr->words[i];
		if (wd->conf < TEXT_MIN_CONF)
			continue;
		struct magi_icon_box wb = {wd->x, wd->y, wd->w, wd->h};
		covered += overlap(b, &wb);
	}
	return area ? (covered > area ? 1.0 : (double)covered / area) : 0;
}

magi_status magi_icons_propose(const struct magi_image *img, const struct magi_ocr *ocr,
			       const struct magi_icon_params *params, struct magi_icon_box **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (!img || !img->w || !img->h)
		return MAGI_ERR_INVALID;
	struct magi_icon_params p = params ? *params : magi_icon_params_default();
	uint32_t w = img->w, h = img->h;
	size_t npx = (size_t)w * h;
	uint8_t *m = edge_mask(img, p.edge_thresh > 0 ? p.edge_thresh : 40);
	uint32_t *parent = malloc(npx * sizeof *parent);
	if (!m || !parent) {
		free(m);
		free(parent);
		return MAGI_ERR_NOMEM;
	}
	for (size_t i = 0; i < npx; i++)
		parent[i] = (uint32_t)i;
	/* 8-connectivity: join each edge pixel to its edge neighbours left, up-left, up, up-right */
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			size_t i = (size_t)y * w + x;
			if (!m[i])
				continue;
			if (x && m[i - 1])
				unite(parent, (uint32_t)i, (uint32_t)(i - 1));
			if (y) {
				if (m[i - w])
					unite(parent, (uint32_t)i, (uint32_t)(i - w));
				if (x && m[i - w - 1])
					unite(parent, (uint32_t)i, (uint32_t)(i - w - 1));
				if (x + 1 < w && m[i - w + 1])
					unite(parent, (uint32_t)i, (uint32_t)(i - w + 1));
			}
		}
	/* bounding boxes per root, kept in the root's slot of two coordinate arrays */
	int *x0 = malloc(npx * sizeof *x0), *y0 = malloc(npx * sizeof *y0), *x1 = malloc(npx * sizeof *x1),
	    *y1 = malloc(npx * sizeof *y1);
	struct magi_icon_box *bx = NULL;
	size_t nb = 0, cap = 0;
	magi_status s = MAGI_OK;
	if (!x0 || !y0 || !x1 || !y1) {
		s = MAGI_ERR_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < npx; i++)
		if (m[i] && parent[i] == i) {
			x0[i] = y0[i] = INT32_MAX;
			x1[i] = y1[i] = -1;
		}
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			size_t i = (size_t)y * w + x;
			if (!m[i])
				continue;
			uint32_t r = find(parent, (uint32_t)i);
			if ((int)x < x0[r])
				x0[r] = (int)x;
			if ((int)y < y0[r])
				y0[r] = (int)y;
			if ((int)x > x1[r])
				x1[r] = (int)x;
			if ((int)y > y1[r])
				y1[r] = (int)y;
		}
	double max_area = (p.max_area > 0 ? p.max_area : 0.05) * (double)npx;
	int min_side = p.min_side > 0 ? p.min_side : 8;
	for (size_t i = 0; i < npx; i++) {
		if (!m[i] || parent[i] != i)
			continue;
		struct magi_icon_box b = {x0[i], y0[i], x1[i] - x0[i] + 1, y1[i] - y0[i] + 1};
		int lo = b.w < b.h ? b.w : b.h, hi = b.w < b.h ? b.h : b.w;
		/* the whole screen's frame, window borders and rules are not icons */
		if ((double)b.w * b.h >= max_area || lo < min_side || hi > 8 * lo)
			continue;
		if (!magi__grow(&bx, &cap, nb, sizeof *bx, 64)) {
			s = MAGI_ERR_NOMEM;
			goto done;
		}
		bx[nb++] = b;
	}
	/* merge overlapping boxes until none overlap */
	for (bool merged = true; merged;) {
		merged = false;
		for (size_t a = 0; a < nb; a++)
			for (size_t b = a + 1; b < nb; b++) {
				if (!overlap(&bx[a], &bx[b]))
					continue;
				int ax1 = bx[a].x + bx[a].w, ay1 = bx[a].y + bx[a].h, bx1 = bx[b].x + bx[b].w, by1 = bx[b].y + bx[b].h;
				bx[a].x = bx[a].x < bx[b].x ? bx[a].x : bx[b].x;
				bx[a].y = bx[a].y < bx[b].y ? bx[a].y : bx[b].y;
				bx[a].w = (ax1 > bx1 ? ax1 : bx1) - bx[a].x;
				bx[a].h = (ay1 > by1 ? ay1 : by1) - bx[a].y;
				bx[b--] = bx[--nb];
				merged = true;
			}
	}
	size_t k = 0;
	double cover = p.text_cover > 0 ? p.text_cover : 0.5;
	for (size_t i = 0; i < nb; i++)
		if ((double)bx[i].w * bx[i].h < max_area && text_cover(&bx[i], ocr) < cover)
			bx[k++] = bx[i];
	nb = k;
	if (nb > 1)
		qsort(bx, nb, sizeof *bx, by_area_desc);
	if (p.max_boxes > 0 && nb > (size_t)p.max_boxes)
		nb = (size_t)p.max_boxes;
	if (nb > 1)
		qsort(bx, nb, sizeof *bx, by_reading_order);
done:
	free(m);
	free(parent);
	free(x0);
	free(y0);
	free(x1);
	free(y1);
	if (s || !nb) {
		free(bx);
		return s;
	}
	*out = bx;
	*n_out = nb;
	return MAGI_OK;
}
