/* test_zoom.c — ScreenSeekeR's geometry: dilation to 1280x768 (split past 2.5:1), Gaussian
 * votes, NMS, the plan's order, and points mapped back to the full screen exactly through
 * nested crops at depths 1-3, also through a model's resized image in each coordinate
 * space. */
#include <math.h>
#include <string.h>
#include "check.h"
#include "magi/magi.h"

static bool inside(struct magi_zoom_box b, double x, double y)
{
	return x >= b.x1 && x <= b.x2 && y >= b.y1 && y <= b.y2;
}

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void dilation(void)
{
	struct magi_zoom_params p = magi_zoom_params_default();
	struct magi_zoom_box out[2];
	/* a point near the top-left corner: a 1280x768 patch shifted into the screen */
	size_t n = magi_zoom_dilate(&p, (struct magi_zoom_box){100, 100, 100, 100}, 3840, 2160, out);
	CHECK(n == 1 && near(out[0].x1, 0) && near(out[0].y1, 0) && near(out[0].x2, 1280) && near(out[0].y2, 768));
	/* in the middle: centred on the box */
	n = magi_zoom_dilate(&p, (struct magi_zoom_box){1900, 1000, 1940, 1020}, 3840, 2160, out);
	CHECK(n == 1 && near((out[0].x1 + out[0].x2) / 2, 1920) && near((out[0].y1 + out[0].y2) / 2, 1010));
	CHECK(near(out[0].x2 - out[0].x1, 1280) && near(out[0].y2 - out[0].y1, 768));
	/* at the right and bottom edges: shifted in, never outside */
	n = magi_zoom_dilate(&p, (struct magi_zoom_box){3830, 2150, 3839, 2159}, 3840, 2160, out);
	CHECK(n == 1 && near(out[0].x2, 3840) && near(out[0].y2, 2160) && near(out[0].x1, 2560));
	/* already large and not too thin: kept */
	n = magi_zoom_dilate(&p, (struct magi_zoom_box){10, 20, 1510, 920}, 3840, 2160, out);
	CHECK(n == 1 && near(out[0].x1, 10) && near(out[0].x2, 1510) && near(out[0].y2, 920));
	/* long on one side and past 2.5:1: split in two halves, each dilated */
	n = magi_zoom_dilate(&p, (struct magi_zoom_box){400, 1000, 3400, 1040}, 3840, 2160, out);
	CHECK(n == 2);
	if (n == 2) {
		CHECK(inside(out[0], 1150, 1020) && inside(out[1], 2650, 1020));
		CHECK(near(out[0].x2 - out[0].x1, 1500) && near(out[0].y2 - out[0].y1, 768));
		CHECK(out[0].x1 <= 400 && out[1].x2 >= 3400);
	}
	/* tall */
	n = magi_zoom_dilate(&p, (struct magi_zoom_box){100, 100, 140, 3100}, 3840, 3600, out);
	CHECK(n == 2 && out[0].y2 <= out[1].y2 && near(out[0].x2 - out[0].x1, 1280));
	/* 2.4:1 is not split */
	n = magi_zoom_dilate(&p, (struct magi_zoom_box){0, 0, 2400, 1000}, 3840, 2160, out);
	CHECK(n == 1);
	/* a view smaller than the minimum: the patch is the whole view */
	n = magi_zoom_dilate(&p, (struct magi_zoom_box){10, 10, 20, 20}, 1000, 600, out);
	CHECK(n == 1 && near(out[0].x1, 0) && near(out[0].x2, 1000) && near(out[0].y2, 600));
	/* a box hanging off the view is clipped first */
	n = magi_zoom_dilate(&p, (struct magi_zoom_box){-50, -50, 10, 10}, 3840, 2160, out);
	CHECK(n == 1 && out[0].x1 >= 0 && out[0].y1 >= 0);
}

static void votes(void)
{
	struct magi_zoom_params p = magi_zoom_params_default();
	struct magi_zoom_box b = {0, 0, 1000, 1000};
	double cx[] = {500}, cy[] = {500};
	CHECK(near(magi_zoom_score(&p, b, cx, cy, 1), 1.0));
	double kx[] = {0}, ky[] = {0};
	CHECK(near(magi_zoom_score(&p, b, kx, ky, 1), exp(-0.5 / 0.18)));
	double ox[] = {1001}, oy[] = {500};
	CHECK(magi_zoom_score(&p, b, ox, oy, 1) == 0);
	double tx[] = {500, 750, 2000}, ty[] = {500, 500, 2000};
	CHECK(near(magi_zoom_score(&p, b, tx, ty, 3), 1.0 + exp(-0.0625 / 0.18)));
	CHECK(near(magi_zoom_iou(b, b), 1.0));
	CHECK(magi_zoom_iou(b, (struct magi_zoom_box){2000, 0, 3000, 1000}) == 0);
	CHECK(near(magi_zoom_iou(b, (struct magi_zoom_box){500, 0, 1500, 1000}), 1.0 / 3));
	CHECK(magi_zoom_iou(b, (struct magi_zoom_box){5, 5, 5, 5}) == 0);
}

static void plan(void)
{
	struct magi_zoom_params p = magi_zoom_params_default();
	/* three groundings agree near (3000, 1800), one stray one at (300, 200) */
	struct magi_zoom_box boxes[] = {
		{300, 200, 300, 200}, {2990, 1790, 3010, 1810}, {3000, 1800, 3000, 1800}, {3020, 1805, 3030, 1815}};
	struct magi_zoom_box out[8];
	double sc[8];
	size_t n = magi_zoom_plan(&p, boxes, 4, 3840, 2160, out, sc, 8);
	CHECK(n == 2);
	CHECK(inside(out[0], 3000, 1800) && inside(out[1], 300, 200));
	CHECK(sc[0] > 2.5 && sc[0] > sc[1]);
	/* the three agreeing patches overlap past IoU 0.5: one is kept */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			CHECK(magi_zoom_iou(out[i], out[j]) < 0.5);
	CHECK(magi_zoom_plan(&p, boxes, 4, 3840, 2160, out, NULL, 1) == 1);
	CHECK(magi_zoom_plan(&p, boxes, 0, 3840, 2160, out, NULL, 8) == 0);
	/* leaves */
	struct magi_zoom_view v = {0, 0, 3840, 2160, 0};
	CHECK(!magi_zoom_is_leaf(&p, &v));
	v.w = 1280, v.h = 768, v.depth = 1;
	CHECK(magi_zoom_is_leaf(&p, &v));
	v.w = 1281;
	CHECK(!magi_zoom_is_leaf(&p, &v));
	v.depth = 3;
	CHECK(magi_zoom_is_leaf(&p, &v));
}

/* The marker's position in img: the one pure red pixel. */
static bool find_marker(const struct magi_image *img, int *x, int *y)
{
	for (uint32_t j = 0; j < img->h; j++)
		for (uint32_t i = 0; i < img->w; i++) {
			const uint8_t *px = img->px + (size_t)j * img->stride + 3 * i;
			if (px[0] == 255 && px[1] == 0 && px[2] == 0) {
				*x = (int)i;
				*y = (int)j;
				return true;
			}
		}
	return false;
}

static void nesting(void)
{
	struct magi_zoom_params p = magi_zoom_params_default();
	/* a small leaf size makes the search go three levels down */
	p.min_w = 900, p.min_h = 500;
	struct magi_image *full = NULL;
	REQUIRE(magi_image_new(3840, 2160, &full) == MAGI_OK);
	memset(full->px, 200, (size_t)full->stride * full->h);
	for (int k = 0; k < 40; k++) /* texture, so that crops can be compared */
		magi_image_fill_rect(full, k * 97, (k * 53) % 2000, 30, 20, 0x102030u * (uint32_t)(k + 1));
	const int MX = 3001, MY = 1777;
	magi_image_fill_rect(full, MX, MY, 1, 1, 0xff0000);
	struct magi_zoom_view view = {0, 0, 3840, 2160, 0};
	struct magi_image *cur = NULL;
	REQUIRE(magi_image_clone(full, &cur) == MAGI_OK);
	/* the grounder's box at each depth: around the marker, in the current view's pixels */
	for (int depth = 1; depth <= 3; depth++) {
		double gx = MX - view.x, gy = MY - view.y;
		struct magi_zoom_box g = {gx - 40, gy - 10, gx + 40, gy + 10}, patches[4];
		size_t n = magi_zoom_plan(&p, &g, 1, view.w, view.h, patches, NULL, 4);
		REQUIRE(n == 1);
		/* shrink the patch each level so that the views really nest */
		struct magi_zoom_box pb = patches[0];
		double sh = depth * 37.25;
		pb.x1 = fmin(pb.x1 + sh, gx - 1), pb.y1 = fmin(pb.y1 + sh / 2, gy - 1);
		pb.x2 = fmax(pb.x2 - sh, gx + 1), pb.y2 = fmax(pb.y2 - sh / 2, gy + 1);
		struct magi_zoom_view child = magi_zoom_child(&view, pb);
		CHECK(child.depth == depth);
		CHECK(child.x >= view.x && child.y >= view.y && child.x + (int)child.w <= view.x + (int)view.w &&
		      child.y + (int)child.h <= view.y + (int)view.h);
		/* the crop of the crop is the crop of the full screen at the child's rectangle */
		struct magi_image *next = NULL, *direct = NULL;
		REQUIRE(magi_image_crop(cur, child.x - view.x, child.y - view.y, child.w, child.h, &next) == MAGI_OK);
		REQUIRE(magi_image_crop(full, child.x, child.y, child.w, child.h, &direct) == MAGI_OK);
		bool same = next->w == direct->w && next->h == direct->h;
		for (uint32_t j = 0; same && j < next->h; j++)
			same = !memcmp(next->px + (size_t)j * next->stride, direct->px + (size_t)j * direct->stride,
				       3 * (size_t)next->w);
		CHECK_MSG(same, "depth %d: nested crop differs from the direct crop", depth);
		magi_image_free(direct);
		int fx, fy, sx, sy;
		REQUIRE(find_marker(next, &fx, &fy));
		magi_zoom_to_screen(&child, fx + 0.5, fy + 0.5, &sx, &sy);
		CHECK_MSG(sx == MX && sy == MY, "depth %d: marker at (%d,%d) of the view maps to (%d,%d)", depth, fx, fy,
			  sx, sy);
		/* through a model that was sent the view resized, in every coordinate space */
		static const enum magi_coord_space spaces[] = {MAGI_COORDS_PIXELS, MAGI_COORDS_NORM1000, MAGI_COORDS_NORM1};
		struct magi_image_policy pol = magi_image_policy_default();
		pol.max_pixels = 150000 + 100000 * (uint32_t)depth;
		uint32_t ow, oh;
		magi_image_policy_fit(&pol, child.w, child.h, &ow, &oh);
		for (int k = 0; k < 3; k++) {
			struct magi_coord_map m = {spaces[k], ow, oh, child.w, child.h, child.x, child.y};
			double mx, my;
			magi_coords_from_screen(&m, MX, MY, &mx, &my);
			struct magi_error err;
			int rx, ry;
			CHECK(magi_coords_to_screen(&m, mx, my, &rx, &ry, &err) == MAGI_OK);
			CHECK_MSG(rx == MX && ry == MY, "depth %d, %s, sent %ux%u: (%d,%d)", depth,
				  magi_coord_space_name(spaces[k]), ow, oh, rx, ry);
		}
		magi_image_free(cur);
		cur = next;
		view = child;
	}
	CHECK(view.w < 1280 && view.depth == 3);
	magi_image_free(cur);
	magi_image_free(full);
}

/* ---- the search, with ops that see like a model: small things only when zoomed in ---- */
struct fake {
	int see_below; /* the target is visible only in views of at most this width */
	bool lie;      /* the verifier sends the search elsewhere once */
	int lies;
};

/* Bounding box of the pixels of one colour in img; false when none. */
static bool colour_box(const struct magi_image *img, uint8_t r, uint8_t g, uint8_t b, struct magi_zoom_box *out)
{
	long x1 = -1, y1 = -1, x2 = -1, y2 = -1;
	for (uint32_t j = 0; j < img->h; j++)
		for (uint32_t i = 0; i < img->w; i++) {
			const uint8_t *px = img->px + (size_t)j * img->stride + 3 * i;
			if (px[0] != r || px[1] != g || px[2] != b)
				continue;
			if (x1 < 0 || (long)i < x1)
				x1 = i;
			if (y1 < 0)
				y1 = j;
			if ((long)i > x2)
				x2 = i;
			y2 = j;
		}
	if (x1 < 0)
		return false;
	*out = (struct magi_zoom_box){(double)x1, (double)y1, (double)x2 + 1, (double)y2 + 1};
	return true;
}

static magi_status f_ground(void *ud, const struct magi_image *img, const struct magi_zoom_view *v, const char *what,
			    bool *found, struct magi_zoom_box *box, struct magi_error *err)
{
	struct fake *f = ud;
	(void)err;
	*found = false;
	if (strstr(what, "target") && (int)v->w <= f->see_below)
		*found = colour_box(img, 0, 200, 0, box);
	else if (strstr(what, "sub panel") && v->w <= 2100)
		*found = colour_box(img, 0, 0, 150, box);
	else if (strstr(what, "blue panel"))
		*found = colour_box(img, 0, 0, 200, box);
	return MAGI_OK;
}

static magi_status f_plan(void *ud, const struct magi_image *img, const struct magi_zoom_view *v, const char *ins,
			  char ***refs, size_t *n, bool *none, struct magi_error *err)
{
	(void)ud, (void)img, (void)v, (void)ins, (void)err;
	*none = false;
	*refs = malloc(2 * sizeof **refs);
	(*refs)[0] = strdup("the blue panel");
	(*refs)[1] = strdup("the sub panel");
	*n = 2;
	return MAGI_OK;
}

static magi_status f_verify(void *ud, const struct magi_image *marked, const struct magi_zoom_view *v, const char *ins,
			    enum magi_zoom_verdict *verdict, char **better, struct magi_error *err)
{
	struct fake *f = ud;
	(void)v, (void)ins, (void)err;
	struct magi_zoom_box red, tgt;
	bool r = colour_box(marked, 255, 0, 0, &red), t = colour_box(marked, 0, 200, 0, &tgt);
	*better = NULL;
	if (f->lie && f->lies++ == 0) {
		*verdict = MAGI_ZOOM_ELSEWHERE;
		*better = strdup("the target, clearly");
		return MAGI_OK;
	}
	*verdict = r && t && red.x1 < tgt.x1 && red.x2 > tgt.x2 && red.y1 < tgt.y1 && red.y2 > tgt.y2
			   ? MAGI_ZOOM_IS_TARGET
			   : MAGI_ZOOM_NOT_FOUND;
	return MAGI_OK;
}

static void search(void)
{
	struct magi_zoom_params p = magi_zoom_params_default();
	struct magi_image *img = NULL;
	REQUIRE(magi_image_new(3840, 2160, &img) == MAGI_OK);
	memset(img->px, 230, (size_t)img->stride * img->h);
	magi_image_fill_rect(img, 2600, 1500, 700, 400, 0x0000c8);   /* the panel, visible from afar */
	magi_image_fill_rect(img, 2990, 1770, 23, 15, 0x00c800);    /* the target: centre (3001.5, 1777.5) */
	struct fake f = {1400, false, 0};
	struct magi_zoom_ops ops = {f_ground, f_plan, f_verify, &f};
	struct magi_zoom_result res;
	struct magi_error err;
	REQUIRE(magi_zoom_search(&p, img, "the target", &ops, &res, &err) == MAGI_OK);
	CHECK(res.found && res.x == 3001 && res.y == 1777);
	CHECK(res.max_depth == 1 && res.view.depth == 1 && res.view.w <= 1400);
	CHECK(res.plans == 1 && res.verifies == 1 && res.grounds == 4);
	/* seen only in views narrower than 1000 px: the 1280-wide patches are leaves already,
	 * so the search gives up there, as ScreenSeekeR does */
	f.see_below = 1000;
	REQUIRE(magi_zoom_search(&p, img, "the target", &ops, &res, &err) == MAGI_OK);
	CHECK(!res.found);
	/* a large area is kept whole (past 1280x768), so its view is searched again one level
	 * down (as ScreenSeekeR's own code does) before the sub-panel, visible only inside
	 * it, leads to a leaf at depth 3; the point still maps back exactly */
	struct magi_image *deep = NULL;
	REQUIRE(magi_image_new(3840, 2160, &deep) == MAGI_OK);
	memset(deep->px, 230, (size_t)deep->stride * deep->h);
	magi_image_fill_rect(deep, 1700, 1000, 2000, 1100, 0x0000c8); /* the panel */
	magi_image_fill_rect(deep, 2900, 1600, 500, 300, 0x000096);    /* the sub panel */
	magi_image_fill_rect(deep, 2990, 1770, 23, 15, 0x00c800);
	f.see_below = 1400;
	REQUIRE(magi_zoom_search(&p, deep, "the target", &ops, &res, &err) == MAGI_OK);
	CHECK_MSG(res.found && res.x == 3001 && res.y == 1777 && res.max_depth == 3 && res.view.depth == 3 &&
			  res.view.w <= 1280 && res.plans == 3,
		  "found %d at (%d,%d), depth %d", res.found, res.x, res.y, res.max_depth);
	magi_image_free(deep);
	/* the verifier says it is elsewhere: one more grounding, taken without a second check */
	p = magi_zoom_params_default();
	f.see_below = 1400, f.lie = true, f.lies = 0;
	REQUIRE(magi_zoom_search(&p, img, "the target", &ops, &res, &err) == MAGI_OK);
	CHECK(res.found && res.x == 3001 && res.y == 1777 && res.grounds == 5 && res.verifies == 1);
	/* the target absent: the panel is searched, nothing is found */
	f.lie = false;
	magi_image_fill_rect(img, 2990, 1770, 23, 15, 0x0000c8);
	REQUIRE(magi_zoom_search(&p, img, "the target", &ops, &res, &err) == MAGI_OK);
	CHECK(!res.found && res.views >= 2);
	/* a screen that is a leaf already is grounded directly */
	struct magi_image *small = NULL;
	REQUIRE(magi_image_new(1200, 700, &small) == MAGI_OK);
	memset(small->px, 230, (size_t)small->stride * small->h);
	magi_image_fill_rect(small, 100, 200, 30, 10, 0x00c800);
	REQUIRE(magi_zoom_search(&p, small, "the target", &ops, &res, &err) == MAGI_OK);
	CHECK(res.found && res.x == 115 && res.y == 205 && res.plans == 0 && res.views == 1);
	CHECK(magi_zoom_search(&p, small, NULL, &ops, &res, &err) == MAGI_ERR_INVALID);
	magi_image_free(small);
	magi_image_free(img);
}

int main(void)
{
	search();
	dilation();
	votes();
	plan();
	nesting();
	return check_done();
}
