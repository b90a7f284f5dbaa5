/* ocr_prep.c — the gray image Tesseract reads, and word boxes fitted to their ink.
 *
 * Screens are not pages: light text sits on dark buttons, bars and whole dark themes, and
 * Tesseract's layout analysis takes a solid dark box for a picture and drops the text in it
 * (and often the text beside it). So the image is first made gray with all text dark on
 * light: every large, solid region darker than mid-gray is found as a connected component
 * and made white, and the glyph-sized light shapes inside it black, while larger light
 * shapes inside it (a dialog on a dark desktop, a field in a dark theme) keep their own
 * text as it is. This costs a few ms at 1280x720. */
#include <stdlib.h>
#include <string.h>
#include "vision/ocr_internal.h"
#include "core/common.h"

/* ---- making all text dark on light ---------------------------------------------------- */

#define DARK_BELOW 128    /* luminance under this is "dark" */
#define REGION_MIN_AREA 1000 /* px; smaller dark components are glyphs, icons, lines */
#define REGION_MIN_W 16
#define REGION_MIN_H 12

struct stack {
	uint32_t *v;
	size_t n, cap;
};

static bool push(struct stack *s, uint32_t p)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 4096;
		uint32_t *v = realloc(s->v, nc * sizeof *v);
		if (!v)
			return false;
		s->v = v;
		s->cap = nc;
	}
	s->v[s->n++] = p;
	return true;
}

/* Flood fill from pixel i over pixels with the same darkness, inside the box [bx0,bx1] x
 * [by0,by1], marking them `mark` in seen and listing them in out. */
static bool fill(const uint8_t *g, uint32_t w, uint32_t i, bool dark, uint8_t *seen, uint8_t mark,
		 uint32_t bx0, uint32_t by0, uint32_t bx1, uint32_t by1, struct stack *st, struct stack *out,
		 uint32_t box[4])
{
	st->n = 0;
	out->n = 0;
	seen[i] = mark;
	if (!push(st, i))
		return false;
	box[0] = box[2] = i % w;
	box[1] = box[3] = i / w;
	while (st->n) {
		uint32_t p = st->v[--st->n], x = p % w, y = p / w;
		if (!push(out, p))
			return false;
		box[0] = MAGI_MIN(box[0], x);
		box[2] = MAGI_MAX(box[2], x);
		box[1] = MAGI_MIN(box[1], y);
		box[3] = MAGI_MAX(box[3], y);
		uint32_t nb[8];
		int k = 0;
		if (x > bx0)
			nb[k++] = p - 1;
		if (x < bx1)
			nb[k++] = p + 1;
		if (y > by0)
			nb[k++] = p - w;
		if (y < by1)
			nb[k++] = p + w;
		/* dark shapes connect diagonally too, so a 1-px curve stays one outline */
		if (dark && x > bx0 && y > by0)
			nb[k++] = p - w - 1;
		if (dark && x < bx1 && y > by0)
			nb[k++] = p - w + 1;
		if (dark && x > bx0 && y < by1)
			nb[k++] = p + w - 1;
		if (dark && x < bx1 && y < by1)
			nb[k++] = p + w + 1;
		for (int j = 0; j < k; j++)
			if (!seen[nb[j]] && (g[nb[j]] < DARK_BELOW) == dark) {
				seen[nb[j]] = mark;
				if (!push(st, nb[j]))
					return false;
			}
	}
	return true;
}

/* Light components up to this size inside a dark region are glyphs; larger ones are
 * panels, dialogs or fields, which keep their own (usually dark) text. */
#define GLYPH_MAX_AREA 2500
#define GLYPH_MAX_H 64
/* Sparse dark shapes at least this wide and high are outlines, not letters. */
#define OUTLINE_MIN_W 80
#define OUTLINE_MIN_H 24

/* Makes text dark on light around every large, solid dark region (a button, a bar, a dark
 * theme, the desktop behind a dialog): the region's bounding box is inverted — its light
 * glyphs become dark strokes, anti-aliased edges and all — except inside the boxes of the
 * large light shapes lying on it (a dialog on a dark desktop, a field in a dark theme),
 * which keep their own, already dark, text. Thin outlines (a button's oval, frames, rules)
 * are erased: Tesseract's sparse-text mode drops text enclosed by one. */
#define MAX_PANELS 64
static bool clean_dark_regions(uint8_t *g, uint32_t w, uint32_t h, uint8_t *seen, struct stack *st)
{
	size_t n = (size_t)w * h;
	memset(seen, 0, n);
	struct stack comp = {0}, inner = {0};
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		if (seen[i] || g[i] >= DARK_BELOW)
			continue;
		uint32_t box[4];
		if (!(ok = fill(g, w, (uint32_t)i, true, seen, 3, 0, 0, w - 1, h - 1, st, &comp, box)))
			break;
		uint64_t area = comp.n, bw = box[2] - box[0] + 1, bh = box[3] - box[1] + 1;
		bool region = !(area < REGION_MIN_AREA || bw < REGION_MIN_W || bh < REGION_MIN_H || 2 * area < bw * bh);
		bool outline = !region && ((bw >= OUTLINE_MIN_W && bh >= OUTLINE_MIN_H && area >= 100 &&
					    area * 8 < bw * bh) ||
					   (bh <= 3 && bw >= 40) || (bw <= 3 && bh >= 40));
		if (!region) {
			for (size_t k = 0; k < comp.n; k++) {
				if (outline)
					g[comp.v[k]] = 255;
				seen[comp.v[k]] = 1;
			}
			continue;
		}
		/* the large light shapes lying on the region */
		uint32_t panels[MAX_PANELS][4];
		int np = 0;
		for (size_t k = 0; ok && k < comp.n; k++) {
			uint32_t p = comp.v[k], x = p % w, y = p / w;
			uint32_t nb[4];
			int m = 0;
			if (x > 0)
				nb[m++] = p - 1;
			if (x + 1 < w)
				nb[m++] = p + 1;
			if (y > 0)
				nb[m++] = p - w;
			if (y + 1 < h)
				nb[m++] = p + w;
			for (int j = 0; j < m && ok; j++) {
				if (seen[nb[j]] || g[nb[j]] < DARK_BELOW)
					continue;
				uint32_t ib[4];
				if (!(ok = fill(g, w, nb[j], false, seen, 2, box[0], box[1], box[2], box[3], st, &inner, ib)))
					break;
				if ((inner.n > GLYPH_MAX_AREA || ib[3] - ib[1] + 1 > GLYPH_MAX_H) && np < MAX_PANELS)
					memcpy(panels[np++], ib, sizeof ib);
			}
		}
		for (uint32_t y = box[1]; y <= box[3]; y++) {
			for (uint32_t x = box[0]; x <= box[2]; x++) {
				bool in_panel = false;
				for (int k = 0; k < np && !in_panel; k++)
					in_panel = x >= panels[k][0] && x <= panels[k][2] && y >= panels[k][1] && y <= panels[k][3];
				size_t q = (size_t)y * w + x;
				if (in_panel)
					continue;
				g[q] = (uint8_t)(255 - g[q]);
				seen[q] = 1;
			}
		}
		for (size_t k = 0; k < comp.n; k++)
			seen[comp.v[k]] = 1;
	}
	free(comp.v);
	free(inner.v);
	return ok;
}

/* The gray image Tesseract reads: luminance with text made dark on light. NULL on OOM. */
uint8_t *magi__ocr_gray(const struct magi_image *img)
{
	uint32_t w = img->w, h = img->h;
	size_t n = (size_t)w * h;
	uint8_t *g = malloc(n), *seen = malloc(n);
	struct stack st = {0};
	if (!g || !seen) {
		free(g);
		free(seen);
		return NULL;
	}
	for (uint32_t y = 0; y < h; y++) {
		const uint8_t *p = img->px + (size_t)y * img->stride;
		uint8_t *o = g + (size_t)y * w;
		for (uint32_t x = 0; x < w; x++, p += 3)
			o[x] = (uint8_t)((p[0] * 77u + p[1] * 150u + p[2] * 29u + 128) >> 8);
	}
	bool ok = clean_dark_regions(g, w, h, seen, &st);
	free(st.v);
	free(seen);
	if (!ok) {
		free(g);
		return NULL;
	}
	return g;
}

/* Shrinks a word box to the ink inside it. Sauvola thresholds sometimes leave Tesseract a
 * word box taller than its glyphs (seen: 46x32 for a 48x15 word), and boxes are click
 * targets. Ink is what is darker than midway between the box's darkest and lightest gray;
 * a box without clear contrast is left as it is. */
void magi__ocr_tighten_box(const uint8_t *g, uint32_t w, uint32_t h, int *bx, int *by, int *bw, int *bh)
{
	int64_t x0 = MAGI_MAX(*bx, 0), y0 = MAGI_MAX(*by, 0);
	int64_t x1 = MAGI_MIN((int64_t)*bx + *bw, (int64_t)w), y1 = MAGI_MIN((int64_t)*by + *bh, (int64_t)h);
	if (x1 <= x0 || y1 <= y0)
		return;
	int lo = 255, hi = 0;
	for (int64_t y = y0; y < y1; y++)
		for (int64_t x = x0; x < x1; x++) {
			int v = g[(size_t)y * w + x];
			lo = MAGI_MIN(lo, v);
			hi = MAGI_MAX(hi, v);
		}
	if (hi - lo < 48)
		return;
	int t = (lo + hi) / 2;
	int64_t ix0 = x1, iy0 = y1, ix1 = -1, iy1 = -1;
	for (int64_t y = y0; y < y1; y++)
		for (int64_t x = x0; x < x1; x++)
			if (g[(size_t)y * w + x] < t) {
				ix0 = MAGI_MIN(ix0, x);
				ix1 = MAGI_MAX(ix1, x);
				iy0 = MAGI_MIN(iy0, y);
				iy1 = MAGI_MAX(iy1, y);
			}
	if (ix1 < 0)
		return;
	*bx = (int)ix0;
	*by = (int)iy0;
	*bw = (int)(ix1 - ix0 + 1);
	*bh = (int)(iy1 - iy0 + 1);
}

