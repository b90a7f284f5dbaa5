/* zoom.c — the geometry of ScreenSeekeR's cascaded zoom search: dilating grounded boxes
 * into patches, Gaussian votes, non-maximum suppression, nested views that keep their
 * origin in full-screen pixels. Pure arithmetic; the search itself (model calls) is a
 * recipe. See magi/vision.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "magi/vision.h"
#include "core/common.h"

struct magi_zoom_params magi_zoom_params_default(void)
{
	struct magi_zoom_params p;
	memset(&p, 0, sizeof p);
	p.min_w = 1280;
	p.min_h = 768;
	p.max_ratio = 2.5;
	p.mu = 0.5;
	p.sigma = 0.3;
	p.nms_iou = 0.5;
	p.max_depth = 3;
	p.leaf_w = 1280;
	p.leaf_h = 768;
	return p;
}

static struct magi_zoom_box clip(struct magi_zoom_box b, double w, double h)
{
	b.x1 = fmin(fmax(b.x1, 0), w);
	b.x2 = fmin(fmax(b.x2, b.x1), w);
	b.y1 = fmin(fmax(b.y1, 0), h);
	b.y2 = fmin(fmax(b.y2, b.y1), h);
	return b;
}

/* One axis: [a, b) grown around its centre to at least len, shifted into [0, lim). */
static void grow(double *a, double *b, double len, double lim)
{
	double n = fmax(*b - *a, fmin(len, lim));
	double s = (*a + *b) / 2 - n / 2;
	if (s < 0)
		s = 0;
	if (s + n > lim)
		s = lim - n;
	*a = s;
	*b = s + n;
}

static struct magi_zoom_box pad(const struct magi_zoom_params *p, struct magi_zoom_box b, double vw, double vh)
{
	grow(&b.x1, &b.x2, p->min_w, vw);
	grow(&b.y1, &b.y2, p->min_h, vh);
	return b;
}

size_t magi_zoom_dilate(const struct magi_zoom_params *p, struct magi_zoom_box box, uint32_t view_w,
			uint32_t view_h, struct magi_zoom_box out[2])
{
	double vw = view_w, vh = view_h;
	box = clip(box, vw, vh);
	double w = box.x2 - box.x1, h = box.y2 - box.y1;
	double minw = fmin(p->min_w, vw), minh = fmin(p->min_h, vh);
	if (w < minw && h < minh) {
		out[0] = pad(p, box, vw, vh);
		return 1;
	}
	bool wide = h <= 0 || w / h > p->max_ratio, tall = w <= 0 || h / w > p->max_ratio;
	if (!wide && !tall) {
		out[0] = box;
		return 1;
	}
	/* one side is long enough and the shape too thin: two halves along the long side */
	struct magi_zoom_box a = box, b = box;
	if (wide) {
		a.x2 = b.x1 = (box.x1 + box.x2) / 2;
	} else {
		a.y2 = b.y1 = (box.y1 + box.y2) / 2;
	}
	out[0] = pad(p, a, vw, vh);
	out[1] = pad(p, b, vw, vh);
	return 2;
}

double magi_zoom_score(const struct magi_zoom_params *p, struct magi_zoom_box patch, const double *xs,
		       const double *ys, size_t n)
{
	double w = patch.x2 - patch.x1, h = patch.y2 - patch.y1;
	if (w <= 0 || h <= 0 || p->sigma <= 0)
		return 0;
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		double rx = (xs[i] - patch.x1) / w, ry = (ys[i] - patch.y1) / h;
		if (rx < 0 || rx > 1 || ry < 0 || ry > 1)
			continue;
		double d2 = (rx - p->mu) * (rx - p->mu) + (ry - p->mu) * (ry - p->mu);
		sum += exp(-d2 / (2 * p->sigma * p->sigma));
	}
	return sum;
}

double magi_zoom_iou(struct magi_zoom_box a, struct magi_zoom_box b)
{
	double aa = (a.x2 - a.x1) * (a.y2 - a.y1), ab = (b.x2 - b.x1) * (b.y2 - b.y1);
	if (aa <= 0 || ab <= 0)
		return 0;
	double iw = fmin(a.x2, b.x2) - fmax(a.x1, b.x1), ih = fmin(a.y2, b.y2) - fmax(a.y1, b.y1);
	if (iw <= 0 || ih <= 0)
		return 0;
	double inter = iw * ih;
	return inter / (aa + ab - inter);
}

struct ranked {
	struct magi_zoom_box b;
	double score;
	size_t order;
};

static int by_score(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

size_t magi_zoom_plan(const struct magi_zoom_params *p, const struct magi_zoom_box *boxes, size_t n,
		      uint32_t view_w, uint32_t view_h, struct magi_zoom_box *out, double *scores, size_t cap)
{
	if (!n || !cap)
		return 0;
	struct ranked *r = calloc(2 * n, sizeof *r);
	double *xs = calloc(n, sizeof *xs), *ys = calloc(n, sizeof *ys);
	size_t nr = 0, kept = 0;
	if (r && xs && ys) {
		for (size_t i = 0; i < n; i++) {
			struct magi_zoom_box c = clip(boxes[i], view_w, view_h);
			xs[i] = (c.x1 + c.x2) / 2;
			ys[i] = (c.y1 + c.y2) / 2;
		}
		for (size_t i = 0; i < n; i++) {
			struct magi_zoom_box d[2];
			size_t k = magi_zoom_dilate(p, boxes[i], view_w, view_h, d);
			for (size_t j = 0; j < k; j++, nr++) {
				r[nr].b = d[j];
				r[nr].order = nr;
				r[nr].score = magi_zoom_score(p, d[j], xs, ys, n);
			}
		}
		qsort(r, nr, sizeof *r, by_score);
		for (size_t i = 0; i < nr && kept < cap; i++) {
			bool dup = false;
			for (size_t j = 0; j < kept && !dup; j++)
				dup = magi_zoom_iou(r[i].b, out[j]) >= p->nms_iou;
			if (dup)
				continue;
			out[kept] = r[i].b;
			if (scores)
				scores[kept] = r[i].score;
			kept++;
		}
	}
	free(r);
	free(xs);
	free(ys);
	return kept;
}

bool magi_zoom_is_leaf(const struct magi_zoom_params *p, const struct magi_zoom_view *v)
{
	return v->depth >= p->max_depth || (v->w <= p->leaf_w && v->h <= p->leaf_h);
}

struct magi_zoom_view magi_zoom_child(const struct magi_zoom_view *parent, struct magi_zoom_box patch)
{
	patch = clip(patch, parent->w, parent->h);
	long x1 = (long)floor(patch.x1), y1 = (long)floor(patch.y1);
	long x2 = (long)ceil(patch.x2), y2 = (long)ceil(patch.y2);
	if (x2 <= x1)
		x2 = MAGI_MIN(x1 + 1, (long)parent->w);
	if (y2 <= y1)
		y2 = MAGI_MIN(y1 + 1, (long)parent->h);
	if (x2 <= x1)
		x1 = x2 - 1;
	if (y2 <= y1)
		y1 = y2 - 1;
	struct magi_zoom_view v = {parent->x + (int)x1, parent->y + (int)y1, (uint32_t)(x2 - x1),
				   (uint32_t)(y2 - y1), parent->depth + 1};
	return v;
}

void magi_zoom_to_screen(const struct magi_zoom_view *v, double x, double y, int *sx, int *sy)
{
	long px = (long)floor(x), py = (long)floor(y);
	if (px < 0)
		px = 0;
	if (py < 0)
		py = 0;
	if (px >= (long)v->w)
		px = (long)v->w - 1;
	if (py >= (long)v->h)
		py = (long)v->h - 1;
	*sx = v->x + (int)px;
	*sy = v->y + (int)py;
}
