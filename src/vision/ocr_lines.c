/* ocr_lines.c — text lines found from the pixels, for a reading without Tesseract's page
 * layout analysis (magi_ocr_run_lines).
 *
 * Screens are flat: text lines sit on plain backgrounds, apart from each other by blank
 * rows and, within a row, columns and fields by blank columns. So the gray image (text dark
 * on light, ocr_prep.c) is reduced to an ink mask — a pixel more than INK_CONTRAST darker
 * than the lightest pixel around it, which finds light-gray text on white as well as black
 * text on a gray panel — and cut recursively (an XY cut): a region is split at its blank
 * rows, else at blank column runs as wide as a space between fields, else it is a leaf.
 * A leaf one text line high is read as one line (Tesseract's PSM 7); a taller one (a
 * picture, lines touching each other, a large title) is left to Tesseract's own layout
 * analysis (sparse text), so nothing Tesseract would have read is skipped.
 *
 * Why: on a 1280x720 terminal 85 % of a reading's CPU is the LSTM recognising lines and
 * ~15 % the page analysis; cost follows each line's width over its height. Leaves whose
 * pixels are identical (a terminal's "root", "4096", a menu's repeated labels; glyphs are
 * drawn at whole pixels) are read once: the same pixels give the same reading. */
#include <stdlib.h>
#include <string.h>
#include "vision/ocr_internal.h"
#include "core/common.h"

#define INK_RADIUS 3	  /* the window's half width for "the lightest pixel around" */
#define INK_CONTRAST 40	  /* ink is this much darker than that */
#define LINE_MAX_H 40	  /* px: a leaf this tall or less may be one line... */
#define LINE_TALL 1.7	  /* ...unless this many times the median leaf's height (two lines) */
#define TALL_MIN_H 20	  /* a leaf under this height is one line however small the rest */
#define GAP_MIN 6	  /* px: the narrowest blank column run that splits a line */
#define GAP_OF_HEIGHT 1.2 /* ...or this share of the line's height, when more */
#define GAP_BLOCK 8	  /* px: blank columns that split a region several lines high */
#define LEAF_MIN_H 5	  /* shorter leaves (rules, dots on their own) are not read */
#define LEAF_MIN_W 2
#define DEPTH_MAX 64
#define RULE_OF_WIDTH 0.6 /* a row this much ink across a leaf is a frame's top or bottom */
#define FRAME_INSIDE 0.12 /* the row inside a frame's rule is inked this little (its sides) */
#define SIDE_OF_HEIGHT 0.9 /* a column this much ink down a frame's inside is its side */
#define BAR_MAX_W 24	  /* px: a strip this narrow down a whole region is a scroll bar... */
#define BAR_OF_HEIGHT 0.9 /* ...when its ink spans this much of the height */

struct finder {
	uint8_t *ink; /* 1 where ink (frames and bars are cleared from it as they are found) */
	uint32_t w, h;
	uint32_t *rows, *cols; /* projection scratch */
	struct magi__ocr_piece *out;
	size_t n, cap;
	bool oom;
};

static void leaf(struct finder *f, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1)
{
	if (y1 - y0 < LEAF_MIN_H || x1 - x0 < LEAF_MIN_W)
		return;
	if (!magi__grow(&f->out, &f->cap, f->n, sizeof *f->out, 64)) {
		f->oom = true;
		return;
	}
	f->out[f->n++] = (struct magi__ocr_piece){.x0 = x0, .y0 = y0, .x1 = x1, .y1 = y1, .same_as = -1};
}

static void clear(struct finder *f, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1)
{
	for (uint32_t y = y0; y < y1; y++)
		memset(f->ink + (size_t)y * f->w + x0, 0, x1 - x0);
}

/* A leaf inside a frame (a button's or a table cell's outline: rules along its top and its
 * bottom): the rules and the frame's sides are cleared from the ink, so that the text
 * inside is cut on its own. rows and cols hold the leaf's projections. */
static bool unframe(struct finder *f, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1)
{
	uint32_t w = x1 - x0, h = y1 - y0, top = y0, bottom = y1;
	if (h < 10 || w < 10)
		return false;
	while (top < y0 + 3 && f->rows[top] < RULE_OF_WIDTH * w)
		top++;
	while (bottom > y1 - 3 && f->rows[bottom - 1] < RULE_OF_WIDTH * w)
		bottom--;
	if (top == y0 + 3 || bottom == y1 - 3)
		return false;
	while (top < bottom && f->rows[top] >= RULE_OF_WIDTH * w)
		top++;
	while (bottom > top && f->rows[bottom - 1] >= RULE_OF_WIDTH * w)
		bottom--;
	/* inside the rules, a margin: a row inked only at the sides (a word's top and bottom
	 * rows can be dense in a bitmap font, the rows next to them are not) */
	if (bottom <= top + 2 || f->rows[top] > FRAME_INSIDE * w || f->rows[bottom - 1] > FRAME_INSIDE * w)
		return false;
	clear(f, x0, y0, x1, top);
	clear(f, x0, bottom, x1, y1);
	/* the sides: columns inked down (nearly) the whole inside */
	for (uint32_t x = x0; x < x1; x++) {
		uint32_t c = 0;
		for (uint32_t y = top; y < bottom; y++)
			c += f->ink[(size_t)y * f->w + x];
		if (c >= SIDE_OF_HEIGHT * (bottom - top))
			clear(f, x, top, x + 1, bottom);
	}
	return true;
}

/* A region several lines high with a narrow strip inked down nearly its whole height at
 * its left or right (a scroll bar, a stippled margin): the strip is cleared. */
static bool unbar(struct finder *f, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1)
{
	uint32_t h = y1 - y0;
	if (h <= LINE_MAX_H || x1 - x0 <= 2 * BAR_MAX_W)
		return false;
	bool any = false;
	for (int side = 0; side < 2; side++) {
		/* the strip runs to the first blank column within BAR_MAX_W of the edge */
		uint32_t a = side ? x1 : x0, e = a;
		if (!side)
			while (e < x0 + BAR_MAX_W && f->cols[e])
				e++;
		else
			while (e > x1 - BAR_MAX_W && f->cols[e - 1])
				e--;
		if ((side ? a - e : e - a) >= BAR_MAX_W || e == a)
			continue;
		uint32_t lo = side ? e : a, hi = side ? a : e, inked = 0;
		for (uint32_t y = y0; y < y1; y++) {
			const uint8_t *r = f->ink + (size_t)y * f->w;
			bool any_ink = false;
			for (uint32_t x = lo; x < hi && !any_ink; x++)
				any_ink = r[x];
			inked += any_ink;
		}
		if (inked >= BAR_OF_HEIGHT * h) {
			clear(f, lo, y0, hi, y1);
			any = true;
		}
	}
	return any;
}

/* Cuts [x0,x1) x [y0,y1) at blank rows, else at wide blank columns, else makes it a leaf
 * (after clearing a frame or a scroll bar, when it has one, and cutting again). The part
 * before a cut is cut one level deeper; the rest at this level (a screen of a hundred lines
 * stays within DEPTH_MAX). */
static void cut(struct finder *f, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1, int depth)
{
	uint32_t *rows = f->rows, *cols = f->cols;
	for (;;) {
		if (f->oom)
			return;
		for (uint32_t y = y0; y < y1; y++) {
			const uint8_t *r = f->ink + (size_t)y * f->w;
			uint32_t c = 0;
			for (uint32_t x = x0; x < x1; x++)
				c += r[x];
			rows[y] = c;
		}
		while (y0 < y1 && !rows[y0])
			y0++;
		while (y1 > y0 && !rows[y1 - 1])
			y1--;
		if (y0 >= y1)
			return;
		uint32_t cut_at = 0, resume = 0;
		for (uint32_t y = y0 + 1; y < y1 && !cut_at && depth < DEPTH_MAX; y++)
			if (!rows[y]) {
				cut_at = resume = y;
				while (!rows[resume]) /* rows[y1 - 1] is ink */
					resume++;
			}
		if (cut_at) {
			cut(f, x0, y0, x1, cut_at, depth + 1);
			y0 = resume;
			continue;
		}
		memset(cols + x0, 0, (x1 - x0) * sizeof *cols);
		for (uint32_t y = y0; y < y1; y++) {
			const uint8_t *r = f->ink + (size_t)y * f->w;
			for (uint32_t x = x0; x < x1; x++)
				cols[x] += r[x];
		}
		while (x0 < x1 && !cols[x0])
			x0++;
		while (x1 > x0 && !cols[x1 - 1])
			x1--;
		uint32_t h = y1 - y0;
		uint32_t gap = h <= LINE_MAX_H ? MAGI_MAX(GAP_MIN, (uint32_t)(h * GAP_OF_HEIGHT + 0.5)) : GAP_BLOCK;
		for (uint32_t x = x0 + 1; x < x1 && !cut_at && depth < DEPTH_MAX; x++) {
			if (cols[x])
				continue;
			uint32_t e = x;
			while (!cols[e]) /* cols[x1 - 1] is ink */
				e++;
			if (e - x >= gap) {
				cut_at = x;
				resume = e;
			}
			x = e;
		}
		if (cut_at) {
			cut(f, x0, y0, cut_at, y1, depth + 1);
			x0 = resume;
			continue;
		}
		if (depth < DEPTH_MAX && (unframe(f, x0, y0, x1, y1) || unbar(f, x0, y0, x1, y1))) {
			depth++;
			continue;
		}
		leaf(f, x0, y0, x1, y1);
		return;
	}
}

/* 1 where a pixel is more than INK_CONTRAST darker than the lightest one within
 * INK_RADIUS (a square window, as a row maximum then a column maximum). NULL on OOM. */
static uint8_t *ink_mask(const uint8_t *g, uint32_t w, uint32_t h)
{
	size_t n = (size_t)w * h;
	uint8_t *t = malloc(n), *ink = malloc(n);
	if (!t || !ink) {
		free(t);
		free(ink);
		return NULL;
	}
	/* the row maximum over [x - R, x + R] by doubling windows (2, 4, then two 4s
	 * overlapping: 7 = 2R + 1 for R = 3), each pass a loop the compiler vectorizes; the
	 * window is cut at the row's ends. */
	_Static_assert(INK_RADIUS == 3, "the row passes below make a window of 7");
	uint8_t *m2 = malloc((size_t)w + 2 * INK_RADIUS), *m4 = malloc((size_t)w + 2 * INK_RADIUS),
		*row = malloc((size_t)w + 2 * INK_RADIUS + 1);
	for (uint32_t y = 0; m2 && m4 && row && y < h; y++) {
		/* the row padded with 0 (no pixel is darker) on both sides */
		memset(row, 0, INK_RADIUS);
		memcpy(row + INK_RADIUS, g + (size_t)y * w, w);
		memset(row + INK_RADIUS + w, 0, INK_RADIUS + 1);
		size_t n2 = (size_t)w + 2 * INK_RADIUS, n4 = n2 - 2;
		for (size_t x = 0; x < n2; x++) /* m2[x] = max(row[x..x+1]) */
			m2[x] = MAGI_MAX(row[x], row[x + 1]);
		for (size_t x = 0; x < n4; x++) /* m4[x] = max(row[x..x+3]) */
			m4[x] = MAGI_MAX(m2[x], m2[x + 2]);
		uint8_t *o = t + (size_t)y * w;
		for (uint32_t x = 0; x < w; x++) /* max(row[x..x+6]) = the padded window around x */
			o[x] = MAGI_MAX(m4[x], m4[x + 3]);
	}
	bool rows_ok = m2 && m4 && row;
	free(m2);
	free(m4);
	free(row);
	if (!rows_ok) {
		free(t);
		free(ink);
		return NULL;
	}
	uint8_t *m = malloc(w);
	for (uint32_t y = 0; m && y < h; y++) {
		uint32_t a = y > INK_RADIUS ? y - INK_RADIUS : 0, b = MAGI_MIN(y + INK_RADIUS, h - 1);
		memcpy(m, t + (size_t)a * w, w);
		for (uint32_t k = a + 1; k <= b; k++) {
			const uint8_t *r = t + (size_t)k * w;
			for (uint32_t x = 0; x < w; x++)
				m[x] = MAGI_MAX(m[x], r[x]);
		}
		const uint8_t *r = g + (size_t)y * w;
		uint8_t *o = ink + (size_t)y * w;
		for (uint32_t x = 0; x < w; x++)
			o[x] = m[x] - r[x] > INK_CONTRAST;
	}
	free(t);
	if (!m) {
		free(ink);
		return NULL;
	}
	free(m);
	return ink;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Whether pieces a and b hold the same pixels of g (w wide). */
static bool same_pixels(const uint8_t *g, uint32_t w, const struct magi__ocr_piece *a,
			const struct magi__ocr_piece *b)
{
	if (a->x1 - a->x0 != b->x1 - b->x0 || a->y1 - a->y0 != b->y1 - b->y0)
		return false;
	for (uint32_t y = 0; y < a->y1 - a->y0; y++)
		if (memcmp(g + (size_t)(a->y0 + y) * w + a->x0, g + (size_t)(b->y0 + y) * w + b->x0, a->x1 - a->x0))
			return false;
	return true;
}

static uint64_t piece_key(const uint8_t *g, uint32_t w, const struct magi__ocr_piece *p)
{
	uint64_t k = 0x9e3779b97f4a7c15ull ^ ((uint64_t)(p->x1 - p->x0) << 32 | (p->y1 - p->y0));
	for (uint32_t y = p->y0; y < p->y1; y++) {
		const uint8_t *r = g + (size_t)y * w;
		for (uint32_t x = p->x0; x < p->x1; x++)
			k = (k ^ r[x]) * 0x100000001b3ull;
	}
	return k;
}

magi_status magi__ocr_find_pieces(const uint8_t *g, uint32_t w, uint32_t h, struct magi__ocr_piece **out,
				  size_t *n)
{
	*out = NULL;
	*n = 0;
	uint8_t *ink = ink_mask(g, w, h);
	struct finder f = {ink, w, h, calloc(h, sizeof(uint32_t)), calloc(w, sizeof(uint32_t)), NULL, 0, 0, false};
	if (!ink || !f.rows || !f.cols) {
		free(ink);
		free(f.rows);
		free(f.cols);
		return MAGI_ERR_NOMEM;
	}
	cut(&f, 0, 0, w, h, 0);
	free(ink);
	free(f.rows);
	free(f.cols);
	uint32_t *hs = f.n ? malloc(f.n * sizeof *hs) : NULL;
	uint64_t *keys = f.n ? malloc(f.n * sizeof *keys) : NULL;
	if (f.oom || (f.n && (!hs || !keys))) {
		free(f.out);
		free(hs);
		free(keys);
		return MAGI_ERR_NOMEM;
	}
	/* a leaf much taller than the usual line holds more than one line (or none): Tesseract's
	 * layout analysis reads it */
	for (size_t i = 0; i < f.n; i++)
		hs[i] = f.out[i].y1 - f.out[i].y0;
	if (f.n)
		qsort(hs, f.n, sizeof *hs, cmp_u32);
	uint32_t med = f.n ? hs[f.n / 2] : 0;
	for (size_t i = 0; i < f.n; i++) {
		struct magi__ocr_piece *p = &f.out[i];
		uint32_t ph = p->y1 - p->y0;
		p->block = ph > LINE_MAX_H || (ph >= TALL_MIN_H && ph > LINE_TALL * med);
		keys[i] = piece_key(g, w, p);
		/* the same pixels as an earlier leaf: its reading is that leaf's */
		for (size_t k = 0; k < i && p->same_as < 0; k++)
			if (keys[k] == keys[i] && f.out[k].same_as < 0 && f.out[k].block == p->block &&
			    same_pixels(g, w, &f.out[k], p))
				p->same_as = (int)k;
	}
	free(hs);
	free(keys);
	*out = f.out;
	*n = f.n;
	return MAGI_OK;
}
