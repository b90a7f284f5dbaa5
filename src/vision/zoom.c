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

/* ---- the search ------------------------------------------------------------------------ */
#define ZOOM_MARK_RGB 0xff0000u

struct search {
	const struct magi_zoom_params *p;
	const struct magi_zoom_ops *ops;
	const char *instruction;
	struct magi_zoom_result *out;
	struct magi_error *err;
};

static void found_at(struct search *s, const struct magi_zoom_view *v, struct magi_zoom_box b)
{
	s->out->found = true;
	s->out->view = *v;
	magi_zoom_to_screen(v, (b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2, &s->out->x, &s->out->y);
}

/* A leaf: ground, mark the grounding with a red box, ask whether it is the target. */
static magi_status leaf(struct search *s, const struct magi_image *img, const struct magi_zoom_view *v)
{
	bool found = false;
	struct magi_zoom_box b = {0, 0, 0, 0};
	s->out->grounds++;
	magi_status st = s->ops->ground(s->ops->ud, img, v, s->instruction, &found, &b, s->err);
	if (st || !found)
		return st;
	struct magi_image *marked = NULL;
	if (magi_image_clone(img, &marked))
		return magi_error_set(s->err, MAGI_ERR_NOMEM, NULL);
	/* a point gets a box of its own; a box is drawn just outside the element */
	double r = fmax(16, 0.03 * fmin(v->w, v->h)), pad = 4;
	double cx = (b.x1 + b.x2) / 2, cy = (b.y1 + b.y2) / 2;
	struct magi_zoom_box m = b.x2 - b.x1 < 2 || b.y2 - b.y1 < 2
					 ? (struct magi_zoom_box){cx - r, cy - r * 0.6, cx + r, cy + r * 0.6}
					 : (struct magi_zoom_box){b.x1 - pad, b.y1 - pad, b.x2 + pad, b.y2 + pad};
	int thick = (int)fmax(4, fmin(v->w, v->h) / 200.0); /* visible after JPEG and resizing */
	magi_image_draw_rect(marked, (int)floor(m.x1) - thick, (int)floor(m.y1) - thick,
			     (int)ceil(m.x2 - m.x1) + 2 * thick, (int)ceil(m.y2 - m.y1) + 2 * thick, thick, ZOOM_MARK_RGB);
	enum magi_zoom_verdict verdict = MAGI_ZOOM_NOT_FOUND;
	char *better = NULL;
	s->out->verifies++;
	st = s->ops->verify(s->ops->ud, marked, v, s->instruction, &verdict, &better, s->err);
	magi_image_free(marked);
	if (!st && verdict == MAGI_ZOOM_IS_TARGET) {
		found_at(s, v, b);
	} else if (!st && verdict == MAGI_ZOOM_ELSEWHERE) {
		found = false;
		s->out->grounds++;
		st = s->ops->ground(s->ops->ud, img, v, better && *better ? better : s->instruction, &found, &b, s->err);
		if (!st && found)
			found_at(s, v, b);
	}
	free(better);
	return st;
}

static magi_status visit(struct search *s, const struct magi_image *img, const struct magi_zoom_view *v)
{
	s->out->views++;
	if (v->depth > s->out->max_depth)
		s->out->max_depth = v->depth;
	if (magi_zoom_is_leaf(s->p, v))
		return leaf(s, img, v);
	char **refs = NULL;
	size_t nr = 0;
	bool none = false;
	s->out->plans++;
	magi_status st = s->ops->plan(s->ops->ud, img, v, s->instruction, &refs, &nr, &none, s->err);
	struct magi_zoom_box *boxes = st || none ? NULL : calloc(nr + 1, sizeof *boxes);
	size_t nb = 0;
	/* the instruction itself, then every reference the planner named */
	for (size_t i = 0; boxes && i <= nr && !st; i++) {
		bool found = false;
		s->out->grounds++;
		st = s->ops->ground(s->ops->ud, img, v, i == 0 ? s->instruction : refs[i - 1], &found, &boxes[nb],
				    s->err);
		nb += found;
	}
	for (size_t i = 0; i < nr; i++)
		free(refs[i]);
	free(refs);
	struct magi_zoom_box patches[64];
	size_t np = st || !nb ? 0 : magi_zoom_plan(s->p, boxes, nb, v->w, v->h, patches, NULL, MAGI_ARRAY_LEN(patches));
	free(boxes);
	for (size_t i = 0; i < np && !st && !s->out->found; i++) {
		struct magi_zoom_view child = magi_zoom_child(v, patches[i]);
		struct magi_image *crop = NULL;
		if (magi_image_crop(img, child.x - v->x, child.y - v->y, child.w, child.h, &crop))
			return magi_error_set(s->err, MAGI_ERR_NOMEM, NULL);
		st = visit(s, crop, &child);
		magi_image_free(crop);
	}
	return st;
}

magi_status magi_zoom_search(const struct magi_zoom_params *p, const struct magi_image *screen,
			     const char *instruction, const struct magi_zoom_ops *ops,
			     struct magi_zoom_result *out, struct magi_error *err)
{
	memset(out, 0, sizeof *out);
	if (!p || !screen || !instruction || !ops || !ops->ground || !ops->plan || !ops->verify)
		return magi_error_set(err, MAGI_ERR_INVALID, "magi_zoom_search: a screen, an instruction and three ops are needed");
	struct search s = {p, ops, instruction, out, err};
	struct magi_zoom_view root = {0, 0, screen->w, screen->h, 0};
	return visit(&s, screen, &root);
}
