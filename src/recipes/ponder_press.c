/* ponder_press.c — Ponder & Press (Wang et al., ACL Findings 2025, arXiv 2412.01268): a
 * divide-and-conquer loop that uses the screen alone. An interpreter (a general-purpose
 * model; here it may also be text-only, then it reads the perception list) turns the task
 * and the screen into one action with a precise description of the element to act on; a
 * locator (a GUI grounding model bound to the role "locator": UI-TARS, Qwen-VL ...) returns
 * where that element is. The two are usually different servers that speak coordinates
 * differently, so the locator is asked with magi_run_ground: in its own grounding form,
 * its point read (magi_format_read_point) in its own coordinate space (its model's
 * `coords`, image policy and resize) and mapped to the screen once. A drag's two ends are
 * asked one after the other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "recipes/recipes.h"

static const char *const action_sections[] = {"action", NULL};

static magi_status check_intent(struct magi_call *c, const struct magi_json *reply, struct magi_error *err);

static const struct magi_role roles[] = {
	{.name = "interpreter", .prompt = "ponder-press/interpreter", .parser = MAGI_PARSER_SECTIONS,
	 .sections = action_sections, .check = check_intent},
	{.name = "locator", .prompt = "ponder-press/locator", .parser = MAGI_PARSER_TEXT},
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

/* Asks the locator for each description (a drag has two) with magi_run_ground: the
 * locator's own grounding form, its point read and mapped from its coordinate space. */
static magi_status locate(struct magi_run *r, const char *const *targets, size_t n, struct magi_ground *out,
			  struct magi_error *err)
{
	for (size_t i = 0; i < n; i++) {
		magi_status s = magi_run_ground(r, "locator", targets[i], &out[i], err);
		if (s)
			return s;
		struct magi_json *ev = magi_json_object();
		magi_json_set_int(ev, "step", magi_run_step(r));
		magi_json_set_str(ev, "target", targets[i]);
		magi_json_set_str(ev, "coords", magi_coord_space_name(out[i].map.space));
		magi_json_set_num(ev, "x", out[i].x);
		magi_json_set_num(ev, "y", out[i].y);
		magi_json_set_int(ev, "screen_x", out[i].sx);
		magi_json_set_int(ev, "screen_y", out[i].sy);
		magi_json_set_bool(ev, "clamped", out[i].clamped);
		magi_run_trace(r, "locate", ev);
		magi_json_free(ev);
	}
	return MAGI_OK;
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
	struct magi_ground loc[2];
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
		magi_json_set_num(o, "x", loc[0].x);
		magi_json_set_num(o, "y", loc[0].y);
	}
	if (nt == 2) {
		magi_json_set_num(o, "x2", loc[1].x);
		magi_json_set_num(o, "y2", loc[1].y);
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
	.first_words = true,
	/* neither role is shown the screen before an action */
	.no_before_screen = true};
