/* screenseeker.c — ScreenSeekeR (the ScreenSpot-Pro paper's cascaded search): a planner
 * names where the target probably is (<element>, <area>, <neighbor>), a grounder finds
 * each of those and the instruction in the current view, the boxes become patches of at
 * least 1280x768 scored by Gaussian votes and de-duplicated (NMS at IoU 0.5), and the
 * search goes into the patches depth-first, at native resolution, until depth 3 or a view
 * of at most 1280x768; there the grounding is marked with a red box and the planner
 * checks it (is the target / elsewhere, with a clearer instruction / not found). The
 * geometry and the search are magi_zoom_* (magi/vision.h); this file makes the calls.
 * The point found is mapped back to the full screen exactly and clicked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "recipes/grounding.h"

static magi_status trace_view(struct magi_run *r, const char *what, const struct magi_zoom_view *v)
{
	struct magi_json *f = magi_json_object();
	magi_json_set_str(f, "phase", what);
	magi_json_set_int(f, "x", v->x);
	magi_json_set_int(f, "y", v->y);
	magi_json_set_int(f, "w", v->w);
	magi_json_set_int(f, "h", v->h);
	magi_json_set_int(f, "depth", v->depth);
	magi_status s = magi_run_trace(r, "zoom", f);
	magi_json_free(f);
	return s;
}

static magi_status op_ground(void *ud, const struct magi_image *img, const struct magi_zoom_view *v, const char *what,
			     bool *found, struct magi_zoom_box *box, struct magi_error *err)
{
	(void)v;
	double pt[2], b[4];
	magi_status s = magi__ground_call(ud, "grounder", img, img->w, img->h, what, found, pt, b, NULL, err);
	if (!s && *found)
		*box = (struct magi_zoom_box){b[0], b[1], b[2], b[3]};
	return s;
}

/* The text between <tag> and </tag>, each occurrence, appended to refs. */
static void tags(const char *text, const char *tag, char ***refs, size_t *n, size_t *cap)
{
	char open[32], close[32];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	for (const char *p = strstr(text, open); p; p = strstr(p, open)) {
		p += strlen(open);
		const char *e = strstr(p, close);
		if (!e)
			break;
		if (e > p && *n < 32) {
			if (*n == *cap) {
				*cap = *cap ? 2 * *cap : 8;
				*refs = realloc(*refs, *cap * sizeof **refs);
			}
			(*refs)[(*n)++] = strndup(p, (size_t)(e - p));
		}
		p = e + strlen(close);
	}
}

static magi_status op_plan(void *ud, const struct magi_image *img, const struct magi_zoom_view *v, const char *ins,
			   char ***refs, size_t *n, bool *none, struct magi_error *err)
{
	struct magi_run *r = ud;
	*refs = NULL;
	*n = 0;
	*none = false;
	trace_view(r, "plan", v);
	struct magi_call *c = NULL;
	magi_status s = magi_call_new(r, "planner", &c, err);
	if (!s && !(s = magi_call_set(c, "instruction", ins)) && !(s = magi_call_image(c, img, "Screenshot:")))
		s = magi_run_call(r, c, err);
	if (!s) {
		const char *text = magi_json_str(magi_call_reply(c), "text", "");
		size_t cap = 0;
		/* the reference's order: elements, then areas, then neighbours */
		tags(text, "element", refs, n, &cap);
		tags(text, "area", refs, n, &cap);
		tags(text, "neighbor", refs, n, &cap);
		*none = !*n && strstr(text, "No target");
	}
	magi_call_free(c);
	return s;
}

static magi_status check_verdict(struct magi_call *c, const struct magi_json *reply, struct magi_error *err)
{
	(void)c;
	const char *v = magi_json_str(reply, "result", "");
	if (strcmp(v, "is_target") && strcmp(v, "target_elsewhere") && strcmp(v, "target_not_found"))
		return magi_error_set(err, MAGI_ERR_PARSE,
				      "\"result\" must be \"is_target\", \"target_elsewhere\" or \"target_not_found\"");
	return MAGI_OK;
}

static magi_status op_verify(void *ud, const struct magi_image *marked, const struct magi_zoom_view *v, const char *ins,
			     enum magi_zoom_verdict *verdict, char **better, struct magi_error *err)
{
	struct magi_run *r = ud;
	*better = NULL;
	*verdict = MAGI_ZOOM_NOT_FOUND;
	trace_view(r, "verify", v);
	struct magi_call *c = NULL;
	magi_status s = magi_call_new(r, "verifier", &c, err);
	if (!s && !(s = magi_call_set(c, "instruction", ins)) &&
	    !(s = magi_call_image(c, marked, "The screenshot with the element marked in red:")))
		s = magi_run_call(r, c, err);
	if (!s) {
		const struct magi_json *rep = magi_call_reply(c);
		const char *res = magi_json_str(rep, "result", "");
		*verdict = !strcmp(res, "is_target")	     ? MAGI_ZOOM_IS_TARGET
			   : !strcmp(res, "target_elsewhere") ? MAGI_ZOOM_ELSEWHERE
							      : MAGI_ZOOM_NOT_FOUND;
		const char *ni = magi_json_str(rep, "new_instruction", NULL);
		if (ni && *ni)
			*better = strdup(ni);
	}
	magi_call_free(c);
	return s;
}

static magi_status seek_decide(struct magi_run *r, struct magi_decision *d, struct magi_error *err)
{
	const struct magi_image *shot = magi__ground_screen(r, "screenseeker", err);
	if (!shot)
		return err->status;
	struct magi_zoom_params zp = magi_zoom_params_default();
	struct magi_zoom_ops ops = {op_ground, op_plan, op_verify, r};
	struct magi_zoom_result res;
	magi_status s = magi_zoom_search(&zp, shot, magi_run_task(r), &ops, &res, err);
	if (!s) {
		struct magi_json *f = magi_json_object();
		magi_json_set_bool(f, "found", res.found);
		magi_json_set_int(f, "views", res.views);
		magi_json_set_int(f, "max_depth", res.max_depth);
		magi_json_set_int(f, "grounds", res.grounds);
		magi_json_set_int(f, "plans", res.plans);
		magi_json_set_int(f, "verifies", res.verifies);
		if (res.found) {
			magi_json_set_int(f, "x", res.x);
			magi_json_set_int(f, "y", res.y);
		}
		s = magi_run_trace(r, "zoom_result", f);
		magi_json_free(f);
	}
	if (!s) {
		/* the search's point is a screen pixel: the action is in screen pixels too */
		struct magi_coord_map map = {MAGI_COORDS_PIXELS, shot->w, shot->h, shot->w, shot->h, 0, 0, false};
		magi__ground_decision(d, res.found, res.x, res.y, &map, "Click the element the search found",
				      "The search did not find the element.");
	}
	return s;
}

static const struct magi_role roles[] = {
	{.name = "planner", .prompt = "screenseeker/planner", .parser = MAGI_PARSER_TEXT},
	{.name = "grounder", .prompt = "ground/grounder", .parser = MAGI_PARSER_JSON, .check = magi__ground_check},
	{.name = "verifier", .prompt = "screenseeker/verifier", .parser = MAGI_PARSER_JSON, .check = check_verdict,
	 .bind_like = "planner"},
};

const struct magi_recipe magi__recipe_screenseeker = {
	.name = "screenseeker",
	.description = "ScreenSeekeR: a planner names regions, a grounder finds them, zoom in depth-first (1280x768, depth 3) -> one point",
	.kind = MAGI_RECIPE_SCREEN, MAGI_RECIPE_ROLES(roles), .decide = seek_decide, .after = magi__ground_after};
