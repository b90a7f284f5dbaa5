/* native.c — a GUI model's own trained loop, in its own format (docs/models.md):
 *   UI-TARS      the trained prompt with the task, then the earlier turns as the model saw
 *                them (its screenshot, its "Thought/Action" reply) with images for the last
 *                four only, older turns text-only, and the current screenshot last (the
 *                "all texts, the most recent 5 images" history of bytedance/UI-TARS and
 *                OSWorld's uitars_agent);
 *   Qwen2.5/3-VL the computer_use / mobile_use tool in the system message, then "The user
 *                query: ..." with "Task progress ...: Step 1: <call>; ..." and the
 *                screenshot (the Qwen-VL mobile-agent cookbook);
 *   GUI-Owl      the same with <thinking>/<conclusion> and the conclusions as its history
 *                (Mobile-Agent-v3's GUI-Owl agent for AndroidWorld);
 *   OS-Atlas, SeeClick (grounders) ask where the element the task names is, click it once
 *                and finish: a grounder says where, not when a task is done;
 *   magi         the single recipe's prompt.
 * Written with magi/recipe.h alone, like every recipe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "recipes/recipes.h"

#define UITARS_IMAGES 5 /* screenshots per request, the current one included */

struct native {
	char **replies; /* the model's replies so far, as written */
	char **steps;	/* their history lines (Qwen: the call; GUI-Owl: the conclusion) */
	int n, cap;
	bool clicked; /* a grounder's one click was made */
};

static void native_free(void *p)
{
	struct native *st = p;
	for (int i = 0; st && i < st->n; i++) {
		free(st->replies[i]);
		free(st->steps[i]);
	}
	if (st) {
		free(st->replies);
		free(st->steps);
	}
	free(st);
}

static char *dup(const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s ? s : "", n);
	return d;
}

static magi_status remember(struct native *st, const char *reply, const char *step)
{
	if (st->n == st->cap) {
		int cap = st->cap ? 2 * st->cap : 16;
		char **a = realloc(st->replies, (size_t)cap * sizeof *a);
		if (!a)
			return MAGI_ERR_NOMEM;
		st->replies = a;
		char **b = realloc(st->steps, (size_t)cap * sizeof *b);
		if (!b)
			return MAGI_ERR_NOMEM;
		st->steps = b;
		st->cap = cap;
	}
	st->replies[st->n] = dup(reply);
	st->steps[st->n] = dup(step);
	st->n++;
	return MAGI_OK;
}

/* A grounder only says where: it has no actions a demonstration could show it. */
static magi_status native_setup(struct magi_run *r, struct magi_error *err)
{
	enum magi_format f = magi_run_format(r, "decision");
	if (magi_run_gui_params(r)->n_demos && magi_format_grounding_only(f))
		return magi_error_set(err, MAGI_ERR_CONFIG,
				      "--demo: the decision model's format %s only locates elements; demonstrations "
				      "show actions, for models that choose them",
				      magi_format_name(f));
	return MAGI_OK;
}

static magi_status native_begin(struct magi_run *r, struct magi_error *err)
{
	struct native *st = calloc(1, sizeof *st);
	if (!st)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	magi_run_set_state(r, st, native_free);
	magi_run_keep_screens(r, UITARS_IMAGES);
	return MAGI_OK;
}

/* The UI-TARS conversation: the prompt, earlier turns, the screen now. */
static magi_status uitars_turns(struct magi_call *c, const struct native *st)
{
	magi_status s = magi_call_template_here(c);
	for (int i = 0; !s && i < st->n; i++) {
		int ago = st->n - i; /* the screen reply i was given on */
		if (ago < UITARS_IMAGES && !(s = magi_call_message(c, "user")))
			s = magi_call_screen_ago(c, ago, NULL);
		if (s == MAGI_ERR_NOT_FOUND)
			s = MAGI_OK; /* not kept (a step that did not act): its reply alone */
		if (!s && !(s = magi_call_message(c, "assistant")))
			s = magi_call_add_text(c, st->replies[i]);
	}
	if (!s && !(s = magi_call_message(c, "user")) && !(s = magi_call_add_demos(c, NULL)))
		s = magi_call_screen_ago(c, 0, NULL);
	return s;
}

/* The Qwen family's request: the query with the task progress, then the screen. */
static magi_status tool_turns(struct magi_call *c, const struct native *st, bool owl)
{
	struct magi_buf h;
	magi_buf_init(&h, 1u << 20);
	for (int i = 0; i < st->n; i++)
		magi_buf_printf(&h, "Step %d: %s; ", i + 1, st->steps[i]);
	magi_status s = magi_call_set_template(c, owl ? "native/gui-owl" : "native/qwen", NULL);
	if (!s)
		s = magi_call_set(c, "history", h.data);
	magi_buf_release(&h);
	if (!s)
		s = magi_call_template_here(c);
	if (!s)
		s = magi_call_add_demos(c, NULL);
	if (!s)
		s = magi_call_screen(c, false, NULL);
	return s;
}

/* A grounder's loop: where is what the task names; click it; then finish. */
static magi_status ground_decide(struct magi_run *r, struct native *st, struct magi_decision *d, struct magi_error *err)
{
	if (st->clicked) {
		d->action.kind = d->screen.kind = MAGI_ACT_DONE;
		d->action.success = d->screen.success = true;
		return MAGI_OK;
	}
	struct magi_ground g;
	magi_status s = magi_run_ground(r, "decision", magi_run_task(r), &g, err);
	if (s)
		return s;
	d->action.kind = d->screen.kind = MAGI_ACT_CLICK;
	d->action.has_point = d->screen.has_point = true;
	d->action.x = g.x;
	d->action.y = g.y;
	d->screen.x = g.sx;
	d->screen.y = g.sy;
	d->map = g.map;
	st->clicked = true;
	return MAGI_OK;
}

static magi_status native_decide(struct magi_run *r, struct magi_decision *d, struct magi_error *err)
{
	struct native *st = magi_run_state(r);
	enum magi_format f = magi_run_format(r, "decision");
	if (magi_format_grounding_only(f))
		return ground_decide(r, st, d, err);
	if (f == MAGI_FORMAT_MAGI)
		return magi_run_decide(r, "decision", d, err);
	struct magi_call *c;
	magi_status s = magi_call_new(r, "decision", &c, err);
	if (s)
		return s;
	bool uitars = f == MAGI_FORMAT_UITARS || f == MAGI_FORMAT_UITARS1;
	if (uitars)
		s = magi_call_set_template(c, "native/uitars", NULL);
	if (!s)
		s = uitars ? uitars_turns(c, st) : tool_turns(c, st, f == MAGI_FORMAT_GUIOWL);
	if (s) {
		magi_call_free(c);
		return magi_error_set(err, s, "building the native %s request", magi_format_name(f));
	}
	s = magi_run_decide_call(r, c, d, err);
	if (!s) {
		/* the history in the model's own words: its reply, and the call or conclusion */
		const struct magi_json *rep = magi_call_reply(c);
		const char *concl = magi_json_str(rep, "operation", "");
		const char *step = f == MAGI_FORMAT_GUIOWL && *concl ? concl : magi_json_str(rep, "call", "");
		s = remember(st, magi_call_text(c), step);
		if (s)
			magi_error_set(err, s, NULL);
	}
	magi_call_free(c);
	return s;
}

static const char *const action_sections[] = {"action", NULL};

static const struct magi_role roles[] = {
	{.name = "decision", .prompt = "native/decision", .parser = MAGI_PARSER_SECTIONS, .sections = action_sections},
};

const struct magi_recipe magi__recipe_native = {
	.name = "native",
	.description = "the decision model's own trained loop and format (UI-TARS, Qwen2.5/3-VL, GUI-Owl, grounders; --format)",
	.kind = MAGI_RECIPE_SCREEN,
	MAGI_RECIPE_ROLES(roles),
	.setup = native_setup,
	.begin = native_begin,
	.decide = native_decide,
	.demos = true,
};
