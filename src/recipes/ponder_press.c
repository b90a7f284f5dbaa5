/* ponder_press.c — Ponder & Press (Wang et al., ACL Findings 2025, arXiv 2412.01268): a
 * divide-and-conquer loop that uses the screen alone. An interpreter (a general-purpose
 * model; here it may also be text-only, then it reads the perception list) turns the task
 * and the screen into one action with a precise description of the element to act on; a
 * locator (a GUI grounding model bound to the role "locator": UI-TARS, Qwen-VL ...) returns
 * where that element is. The two are usually different servers that speak coordinates
 * differently, so the locator's point is read in the locator's own coordinate space (its
 * model's `coords` and image policy) and mapped to the screen here, once. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "recipes/recipes.h"

static const char *const action_sections[] = {"action", NULL};

static magi_status check_intent(struct magi_call *c, const struct magi_json *reply, struct magi_error *err);
static magi_status check_point(struct magi_call *c, const struct magi_json *reply, struct magi_error *err);

static const struct magi_role roles[] = {
	{.name = "interpreter", .prompt = "ponder-press/interpreter", .parser = MAGI_PARSER_SECTIONS,
	 .sections = action_sections, .check = check_intent},
	{.name = "locator", .prompt = "ponder-press/locator", .parser = MAGI_PARSER_TEXT, .check = check_point},
};

/* The action JSON of an "### Action ###" section: the text from its first '{' to its last
 * '}', parsed. *out is the caller's. */
static magi_status action_object(const struct magi_json *reply, struct magi_json **out, struct magi_error *err)
{
	*out = NULL;
	const char *t = magi_json_str(reply, "action", "");
	const char *a = strchr(t, '{'), *b = strrchr(t, '}');
	if (!a || !b || b < a)
		return magi_error_set(err, MAGI_ERR_PARSE,
				      "the ### Action ### section must hold one JSON object such as {\"action\":\"click\",\"target\":\"the OK button of the dialog\"}");
	size_t n = (size_t)(b - a) + 1;
	char *js = malloc(n + 1);
	if (!js)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	memcpy(js, a, n);
	js[n] = '\0';
	magi_status s = magi_json_parse(js, out, err);
	free(js);
	if (s)
		return magi_error_set(err, MAGI_ERR_PARSE, "the ### Action ### JSON does not parse: %s", err ? err->msg : "");
	return MAGI_OK;
}

static bool needs_target(enum magi_action_kind k)
{
	return k == MAGI_ACT_CLICK || k == MAGI_ACT_DOUBLE_CLICK || k == MAGI_ACT_RIGHT_CLICK || k == MAGI_ACT_LONG_PRESS ||
	       k == MAGI_ACT_DRAG || k == MAGI_ACT_SWIPE;
}

/* The interpreter's action must be one the environment can do, and an action on an element
 * must describe it (and give no coordinates: placing it is the locator's job). */
static magi_status check_intent(struct magi_call *c, const struct magi_json *reply, struct magi_error *err)
{
	struct magi_json *o;
	magi_status s = action_object(reply, &o, err);
	if (s)
		return s;
	enum magi_action_kind k;
	const char *name = magi_json_str(o, "action", "");
	if (magi_action_kind_parse(name, &k)) {
		s = magi_error_set(err, MAGI_ERR_PARSE, "\"action\" \"%s\" is not one of the actions listed", name);
	} else if (k != MAGI_ACT_ANSWER && k != MAGI_ACT_DONE && k != MAGI_ACT_ASK_USER &&
		   !(magi_env_caps(magi_run_env(magi_call_run(c))) & MAGI_ACT_BIT(k))) {
		s = magi_error_set(err, MAGI_ERR_UNSUPPORTED, "this screen cannot do \"%s\"; choose another action", name);
	} else if (needs_target(k) && !*magi_json_str(o, "target", "")) {
		s = magi_error_set(err, MAGI_ERR_PARSE,
				   "a %s needs \"target\": a precise description of the element (no coordinates)", name);
	} else if ((k == MAGI_ACT_DRAG || k == MAGI_ACT_SWIPE) && !*magi_json_str(o, "target2", "")) {
		s = magi_error_set(err, MAGI_ERR_PARSE, "a %s needs \"target2\": where it ends", name);
	}
	magi_json_free(o);
	return s;
}

/* How the locator's client speaks coordinates about the current screen. */
struct locate {
	struct magi_coord_map map;
	int sx, sy; /* the point found, in screen pixels */
	double mx, my; /* ... and as the locator gave it */
};

/* Reads a point from a grounding model's reply: {"x":..,"y":..}, "(x, y)", "[x, y]", a box
 * "[x1, y1, x2, y2]" (its centre), or UI-TARS's "<|box_start|>(x,y)<|box_end|>". The first
 * two (or four) numbers after the first bracket, else of the whole reply. */
static bool read_point(const char *t, double *x, double *y)
{
	struct magi_json *j = NULL;
	const char *brace = strchr(t, '{');
	if (brace && !magi_json_parse(brace, &j, NULL)) {
		double jx = magi_json_num(j, "x", -1), jy = magi_json_num(j, "y", -1);
		magi_json_free(j);
		if (jx >= 0 && jy >= 0) {
			*x = jx;
			*y = jy;
			return true;
		}
	}
	const char *p = strpbrk(t, "([");
	double v[4];
	int n = 0;
	for (p = p ? p : t; *p && n < 4; p++) {
		if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
			char *end;
			v[n++] = strtod(p, &end);
			p = end - 1;
		} else if (n >= 2 && (*p == ')' || *p == ']')) {
			break;
		}
	}
	if (n == 2 || n == 3) {
		*x = v[0];
		*y = v[1];
		return true;
	}
	if (n == 4) {
		*x = (v[0] + v[2]) / 2;
		*y = (v[1] + v[3]) / 2;
		return true;
	}
	return false;
}

static magi_status check_point(struct magi_call *c, const struct magi_json *reply, struct magi_error *err)
{
	struct locate *l = magi_call_ud(c);
	double x, y;
	if (!read_point(magi_json_str(reply, "text", ""), &x, &y))
		return magi_error_set(err, MAGI_ERR_PARSE, "reply with the element's centre as (x, y), nothing else");
	/* a point off the image goes back to the locator with the valid range */
	magi_status s = magi_coords_to_screen(&l->map, x, y, &l->sx, &l->sy, err);
	if (!s) {
		l->mx = x;
		l->my = y;
	}
	return s;
}

/* Asks the locator for each description at once (a drag has two). */
static magi_status locate(struct magi_run *r, const char *const *targets, size_t n, struct locate *out,
			  struct magi_error *err)
{
	const struct magi_image *screen = magi_run_screen(r, false);
	struct magi_call *calls[2] = {NULL, NULL};
	magi_status s = MAGI_OK;
	for (size_t i = 0; i < n && !s; i++) {
		if ((s = magi_call_new(r, "locator", &calls[i], err)))
			break;
		struct magi_client *cl = magi_call_client(calls[i]);
		if (!cl) {
			s = magi_error_set(err, MAGI_ERR_CONFIG, "no model for role locator");
			break;
		}
		const struct magi_model_params *mp = magi_client_params(cl);
		memset(&out[i], 0, sizeof out[i]);
		out[i].map.space = mp->coords;
		out[i].map.screen_w = screen->w;
		out[i].map.screen_h = screen->h;
		magi_image_policy_fit(&mp->image, screen->w, screen->h, &out[i].map.sent_w, &out[i].map.sent_h);
		magi_call_set_ud(calls[i], &out[i]);
		magi_call_set(calls[i], "target", targets[i]);
		magi_call_set_phase(calls[i], i ? "locate_end" : "locate");
		magi_call_screen(calls[i], false, "Screenshot:");
	}
	if (!s)
		s = magi_run_calls(r, calls, n, err);
	for (size_t i = 0; i < n; i++) {
		if (calls[i] && !s) {
			struct magi_json *ev = magi_json_object();
			magi_json_set_int(ev, "step", magi_run_step(r));
			magi_json_set_str(ev, "target", targets[i]);
			magi_json_set_str(ev, "coords", magi_coord_space_name(out[i].map.space));
			magi_json_set_num(ev, "x", out[i].mx);
			magi_json_set_num(ev, "y", out[i].my);
			magi_json_set_int(ev, "screen_x", out[i].sx);
			magi_json_set_int(ev, "screen_y", out[i].sy);
			magi_json_set_str(ev, "reply", magi_call_text(calls[i]) ? magi_call_text(calls[i]) : "");
			magi_run_trace(r, "locate", ev);
			magi_json_free(ev);
		}
		magi_call_free(calls[i]);
	}
	return s;
}

static magi_status set_decision(struct magi_decision *d, const char *json, const struct magi_coord_map *map,
				struct magi_error *err)
{
	magi_status s = magi_action_parse_json(json, strlen(json), &d->action, err);
	if (!s && !(s = magi_action_copy(&d->action, &d->screen)))
		s = magi_action_to_screen(map, &d->screen, err);
	d->map = *map;
	return s;
}

static magi_status pp_decide(struct magi_run *r, struct magi_decision *d, struct magi_error *err)
{
	if (!magi_run_screen(r, false))
		return magi_error_set(err, MAGI_ERR_ENV, "ponder-press needs a screenshot");
	struct magi_call *c;
	magi_status s = magi_call_new(r, "interpreter", &c, err);
	if (s)
		return s;
	magi_call_screen(c, false, "Current screenshot:");
	if ((s = magi_run_call(r, c, err))) {
		magi_call_free(c);
		return s;
	}
	const struct magi_json *rep = magi_call_reply(c);
	struct magi_json *o = NULL;
	action_object(rep, &o, NULL); /* the check parsed it already */
	const char *op = magi_json_str(rep, "operation", "");
	d->thought = strdup(magi_json_str(rep, "thought", ""));
	d->operation = strdup(*op ? op : magi_json_str(o, "target", ""));
	magi_call_cost(c, &d->prompt_tokens, &d->completion_tokens, &d->latency_ms);
	magi_call_free(c);
	enum magi_action_kind k = MAGI_ACT_DONE;
	magi_action_kind_parse(magi_json_str(o, "action", ""), &k);
	const char *targets[2] = {magi_json_str(o, "target", ""), magi_json_str(o, "target2", "")};
	size_t nt = needs_target(k) ? (k == MAGI_ACT_DRAG || k == MAGI_ACT_SWIPE ? 2 : 1)
				    : k == MAGI_ACT_SCROLL && *targets[0] ? 1 : 0;
	struct locate loc[2];
	memset(loc, 0, sizeof loc);
	const struct magi_image *screen = magi_run_screen(r, false);
	loc[0].map.space = MAGI_COORDS_PIXELS; /* no point: the screen's own pixels */
	loc[0].map.screen_w = loc[0].map.sent_w = screen->w;
	loc[0].map.screen_h = loc[0].map.sent_h = screen->h;
	if (nt && (s = locate(r, targets, nt, loc, err))) {
		magi_json_free(o);
		return s;
	}
	/* the interpreter's action with the locator's point(s), in the locator's space */
	if (nt) {
		magi_json_set_num(o, "x", loc[0].mx);
		magi_json_set_num(o, "y", loc[0].my);
	}
	if (nt == 2) {
		magi_json_set_num(o, "x2", loc[1].mx);
		magi_json_set_num(o, "y2", loc[1].my);
	}
	char *js = magi_json_text(o, NULL);
	magi_json_free(o);
	s = js ? set_decision(d, js, &loc[0].map, err) : magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	free(js);
	return s;
}

static const char *const aliases[] = {"ponder_press", "ponder-and-press", NULL};

const struct magi_recipe magi__recipe_ponder_press = {
	.name = "ponder-press",
	.description = "Ponder & Press: an interpreter describes the element and the action, a grounding locator places it",
	.kind = MAGI_RECIPE_SCREEN, MAGI_RECIPE_ROLES(roles), .aliases = aliases, .decide = pp_decide,
	/* the interpreter names the element from the perception list */
	.first_words = true};
