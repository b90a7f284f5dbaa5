/* grounding.c — one grounder call on an image, shared by the ground and screenseeker
 * recipes: the image with its label, the instruction, the coordinate space stated for
 * the image as it is sent, and the point read back into the image's own pixels. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "recipes/grounding.h"

/* How the model is to give coordinates on an image sent at sw x sh (decide.c's wording). */
static void coords_text(enum magi_coord_space sp, uint32_t sw, uint32_t sh, char *out, size_t cap)
{
	if (sp == MAGI_COORDS_NORM1000)
		snprintf(out, cap, "Coordinates are relative: x and y go from 0 to 1000 across the screenshot's width and "
				   "height (0,0 top left; 1000,1000 bottom right).");
	else if (sp == MAGI_COORDS_NORM1)
		snprintf(out, cap, "Coordinates are relative: x and y go from 0.0 to 1.0 across the screenshot's width and "
				   "height (0,0 top left).");
	else
		snprintf(out, cap, "Coordinates are pixels of the screenshot you see, which is %ux%u: x from 0 (left) to %u, "
				   "y from 0 (top) to %u.", sw, sh, sw - 1, sh - 1);
}

static double range_of(enum magi_coord_space sp, uint32_t sent)
{
	return sp == MAGI_COORDS_NORM1000 ? 1000 : sp == MAGI_COORDS_NORM1 ? 1 : sent;
}

magi_status magi__ground_check(struct magi_call *c, const struct magi_json *reply, struct magi_error *err)
{
	(void)c;
	enum magi_json_type t = magi_json_type_at(reply, "point");
	if (t == MAGI_JSON_NULL && magi_json_get(reply, "point"))
		return MAGI_OK;
	if (t != MAGI_JSON_ARRAY || magi_json_len(reply, "point") != 2 || isnan(magi_json_num(reply, "point.0", NAN)) ||
	    isnan(magi_json_num(reply, "point.1", NAN)))
		return magi_error_set(err, MAGI_ERR_PARSE,
				      "\"point\" must be [x, y] (two numbers) or null when the element is not visible");
	if (magi_json_get(reply, "box") && magi_json_type_at(reply, "box") != MAGI_JSON_NULL &&
	    (magi_json_len(reply, "box") != 4 || isnan(magi_json_num(reply, "box.3", NAN))))
		return magi_error_set(err, MAGI_ERR_PARSE, "\"box\" must be [x1, y1, x2, y2] or left out");
	return MAGI_OK;
}

static magi_status ground_json(struct magi_run *r, const char *role, const struct magi_image *img, uint32_t w,
			       uint32_t h, const char *what, bool *found, double pt[2], double box[4],
			       struct magi_coord_map *map, bool *unread, struct magi_error *err);

/* A model trained on its own grounding form (os-atlas, seeclick, qwen2.5-vl, uitars, ...):
 * its preset's prompt, resize and reply reader (magi_run_ground_image). */
static magi_status ground_format(struct magi_run *r, const char *role, const struct magi_image *img,
				 const char *what, bool *found, double pt[2], double box[4],
				 struct magi_coord_map *map, bool *unread, struct magi_error *err)
{
	struct magi_ground g;
	magi_status s = magi_run_ground_image(r, role, what, img, &g, err);
	*unread = g.unread;
	if (map)
		*map = g.map;
	if (s)
		return s;
	pt[0] = box[0] = box[2] = g.sx + 0.5;
	pt[1] = box[1] = box[3] = g.sy + 0.5;
	*found = true;
	return MAGI_OK;
}

magi_status magi__ground_call(struct magi_run *r, const char *role, const struct magi_image *img, uint32_t w,
			      uint32_t h, const char *what, bool *found, double pt[2], double box[4],
			      struct magi_coord_map *map, struct magi_error *err)
{
	*found = false;
	bool unread = false;
	magi_status s = magi_run_format(r, role) != MAGI_FORMAT_MAGI
				? ground_format(r, role, img, what, found, pt, box, map, &unread, err)
				: ground_json(r, role, img, w, h, what, found, pt, box, map, &unread, err);
	if (s == MAGI_ERR_MODEL && unread) {
		/* no usable point in any try: ScreenSpot's "wrong format", a result, not a failure */
		MAGI_WARN("%s", magi_error_text(err));
		magi_error_clear(err);
		s = MAGI_OK;
	}
	return s;
}

/* magi's own grounder prompt (prompts/ground/grounder.txt): {"point", "box"} as JSON. */
static magi_status ground_json(struct magi_run *r, const char *role, const struct magi_image *img, uint32_t w,
			       uint32_t h, const char *what, bool *found, double pt[2], double box[4],
			       struct magi_coord_map *map, bool *unread, struct magi_error *err)
{
	struct magi_call *c = NULL;
	magi_status s = magi_call_new(r, role, &c, err);
	if (s)
		return s;
	const struct magi_model_params *mp = magi_client_params(magi_call_client(c));
	struct magi_coord_map m = magi_coord_map_for(mp, w, h);
	char coords[400];
	coords_text(m.space, m.sent_w, m.sent_h, coords, sizeof coords);
	if (!(s = magi_call_set(c, "instruction", what)) && !(s = magi_call_set(c, "coords", coords)))
		s = magi_call_image(c, img, "Screenshot:");
	if (!s)
		s = magi_run_call(r, c, err);
	*unread = s == MAGI_ERR_MODEL && magi_call_text(c) != NULL;
	const struct magi_json *rep = s ? NULL : magi_call_reply(c);
	if (rep && magi_json_type_at(rep, "point") == MAGI_JSON_ARRAY) {
		double v[6] = {magi_json_num(rep, "point.0", 0), magi_json_num(rep, "point.1", 0),
			       magi_json_num(rep, "box.0", NAN), magi_json_num(rep, "box.1", NAN),
			       magi_json_num(rep, "box.2", NAN), magi_json_num(rep, "box.3", NAN)};
		double rx = range_of(m.space, m.sent_w), ry = range_of(m.space, m.sent_h);
		if (m.space == MAGI_COORDS_PIXELS && !m.positions)
			rx -= 1, ry -= 1;
		/* a point off the image is the model's mistake, not a crash: clamp it in */
		v[0] = fmin(fmax(v[0], 0), rx), v[1] = fmin(fmax(v[1], 0), ry);
		int sx, sy;
		struct magi_error me;
		magi_coords_to_screen(&m, v[0], v[1], &sx, &sy, &me);
		pt[0] = sx + 0.5, pt[1] = sy + 0.5;
		box[0] = box[2] = pt[0], box[1] = box[3] = pt[1];
		if (!isnan(v[5])) {
			int bx1, by1, bx2, by2;
			if (!magi_coords_to_screen(&m, fmin(fmax(v[2], 0), rx), fmin(fmax(v[3], 0), ry), &bx1, &by1, &me) &&
			    !magi_coords_to_screen(&m, fmin(fmax(v[4], 0), rx), fmin(fmax(v[5], 0), ry), &bx2, &by2, &me) &&
			    bx2 >= bx1 && by2 >= by1 && pt[0] >= bx1 && pt[0] <= bx2 + 1 && pt[1] >= by1 && pt[1] <= by2 + 1) {
				box[0] = bx1, box[1] = by1, box[2] = bx2 + 1, box[3] = by2 + 1;
			}
		}
		*found = true;
	}
	if (map)
		*map = m;
	magi_call_free(c);
	return s;
}

const struct magi_image *magi__ground_screen(struct magi_run *r, const char *recipe, struct magi_error *err)
{
	/* the run observed the screen before the step: no second capture (for an image
	 * environment each capture is a copy of a 4K screen) */
	const struct magi_image *img = magi_run_screen(r, false);
	if (!img)
		magi_error_set(err, MAGI_ERR_UNSUPPORTED, "%s needs an environment with a screen", recipe);
	return img;
}

void magi__ground_decision(struct magi_decision *d, bool found, int x, int y, const struct magi_coord_map *map,
			   const char *how, const char *why)
{
	if (!found) {
		d->action.kind = d->screen.kind = MAGI_ACT_DONE;
		d->action.success = d->screen.success = false;
		d->thought = strdup(why);
		d->operation = strdup("Give up: not found");
		return;
	}
	d->screen.kind = MAGI_ACT_CLICK;
	d->screen.has_point = true;
	d->screen.x = x;
	d->screen.y = y;
	d->action = d->screen;
	magi_coords_from_screen(map, x, y, &d->action.x, &d->action.y);
	d->map = *map;
	d->operation = strdup(how);
}

magi_status magi__ground_after(struct magi_run *r, const struct magi_decision *d, struct magi_error *err)
{
	(void)d;
	(void)err;
	magi_run_finish(r, "grounded", true);
	return MAGI_OK;
}
