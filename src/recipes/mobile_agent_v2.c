/* mobile_agent_v2.c — Mobile-Agent-v2 (Wang et al., 2024): a planning agent tracks task
 * progress from the operation history (text only), a decision agent chooses each
 * operation from the screen, the progress and memory, a memory unit keeps content needed
 * later, and a reflection agent compares the screens before and after each operation:
 * A as expected, B wrong page (go back where the environment can), C no change. B and C
 * set the error flag the decision agent sees next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "recipes/recipes.h"

static const char *const action_sections[] = {"action", NULL};
static const char *const memory_sections[] = {"important content", NULL};
static const char *const planning_sections[] = {"completed contents", NULL};

static const struct magi_role roles[] = {
	{.name = "decision", .prompt = "mobile-agent-v2/decision", .parser = MAGI_PARSER_SECTIONS,
	 .sections = action_sections},
	{.name = "memory", .prompt = "mobile-agent-v2/memory", .parser = MAGI_PARSER_SECTIONS,
	 .sections = memory_sections},
	{.name = "reflection", .prompt = "mobile-agent-v2/reflection", .parser = MAGI_PARSER_LETTER, .letters = "ABC"},
	{.name = "planning", .prompt = "mobile-agent-v2/planning", .parser = MAGI_PARSER_SECTIONS,
	 .sections = planning_sections},
};

/* Sends a call and frees it; the reply's section `key` goes to *out (malloc'd) if asked. */
static magi_status run_call(struct magi_run *r, struct magi_call *c, const char *key, char **out,
			    struct magi_error *err)
{
	magi_status s = magi_run_call(r, c, err);
	if (!s && out) {
		const char *v = magi_json_str(magi_call_reply(c), key, "");
		*out = malloc(strlen(v) + 1);
		if (*out)
			memcpy(*out, v, strlen(v) + 1);
	}
	magi_call_free(c);
	return s;
}

static magi_status mav2_decide(struct magi_run *r, struct magi_decision *d, struct magi_error *err)
{
	magi_status s = magi_run_decide(r, "decision", d, err);
	if (s)
		return s;
	enum magi_action_kind k = d->action.kind;
	if (k == MAGI_ACT_DONE || k == MAGI_ACT_ANSWER || k == MAGI_ACT_ASK_USER)
		return MAGI_OK;
	/* Memory unit: an extra turn on the same screen for content the task needs later. */
	struct magi_call *c;
	if ((s = magi_call_new(r, "memory", &c, err)))
		return s;
	magi_call_screen(c, false, "Current screenshot:");
	char *mem = NULL;
	if ((s = run_call(r, c, "important content", &mem, err)))
		return s;
	if (mem && *mem && strcasecmp(mem, "none") && strcasecmp(mem, "none.")) {
		struct magi_json *board = magi_run_board(r);
		const char *old = magi_json_str(board, "memory", "");
		size_t n = strlen(old) + strlen(mem) + 2;
		char *m = malloc(n);
		if (m) {
			snprintf(m, n, "%s%s%s", old, *old ? "\n" : "", mem);
			magi_json_set_str(board, "memory", m);
			free(m);
		}
	}
	free(mem);
	return MAGI_OK;
}

/* Planning agent: text only, rewrites the completed contents from the whole history. */
static magi_status plan(struct magi_run *r, struct magi_error *err)
{
	struct magi_json *board = magi_run_board(r);
	struct magi_buf h;
	magi_buf_init(&h, 0);
	size_t n = magi_json_len(board, "history");
	for (size_t i = 0; i < n; i++) {
		char p[32];
		snprintf(p, sizeof p, "history.%zu", i);
		const struct magi_json *e = magi_json_get(board, p);
		magi_buf_printf(&h, "Step %.0f: %s -> %s (%s)\n", magi_json_num(e, "step", 0), magi_json_str(e, "operation", ""),
				magi_json_str(e, "action", ""), magi_json_str(e, "outcome", ""));
	}
	struct magi_call *c;
	magi_status s = magi_call_new(r, "planning", &c, err);
	if (!s)
		s = magi_call_set(c, "history", h.data);
	magi_buf_release(&h);
	char *progress = NULL;
	if (!s && !(s = run_call(r, c, "completed contents", &progress, err)))
		magi_json_set_str(board, "progress", progress);
	else if (s)
		magi_call_free(c);
	free(progress);
	return s;
}

static magi_status mav2_after(struct magi_run *r, const struct magi_decision *d, struct magi_error *err)
{
	struct magi_buf mj;
	magi_buf_init(&mj, 0);
	magi_action_to_json(&d->action, &mj);
	struct magi_call *c;
	magi_status s = magi_call_new(r, "reflection", &c, err);
	if (s) {
		magi_buf_release(&mj);
		return s;
	}
	magi_call_set(c, "operation", d->operation && *d->operation ? d->operation : "(not described)");
	magi_call_set(c, "action", mj.data);
	magi_call_screen(c, true, "Screenshot before the operation:");
	magi_call_screen(c, false, "Screenshot after the operation:");
	if ((s = magi_run_call(r, c, err))) {
		magi_call_free(c);
		magi_buf_release(&mj);
		return s;
	}
	const struct magi_json *rep = magi_call_reply(c);
	const char *v = magi_json_str(rep, "letter", "A");
	static const char *const meaning[] = {"as expected", "wrong page", "no change"};
	int idx = v[0] - 'A';
	struct magi_json *ev = magi_json_object();
	char next[32];
	snprintf(next, sizeof next, "step-%03d.jpg", magi_run_step(r) + 1);
	magi_json_set_int(ev, "step", magi_run_step(r));
	magi_json_set_str(ev, "verdict", v);
	magi_json_set_str(ev, "meaning", meaning[idx]);
	magi_json_set_str(ev, "thought", magi_json_str(rep, "thought", ""));
	magi_json_set_str(ev, "image_after", next);
	magi_run_trace(r, "reflection", ev);
	magi_json_free(ev);
	magi_call_free(c);
	struct magi_json *board = magi_run_board(r);
	if (idx == 0) {
		magi_json_set_bool(board, "error_flag", false);
		magi_json_set_str(board, "last_error", "");
		magi_run_history_add(r, d->operation, mj.data, "as expected");
		magi_buf_release(&mj);
		return plan(r, err);
	}
	magi_json_set_bool(board, "error_flag", true);
	magi_run_history_add(r, d->operation, mj.data, meaning[idx]);
	struct magi_buf note;
	magi_buf_init(&note, 0);
	magi_buf_printf(&note, "Error flag: the last operation (%s) %s. Try a different operation.",
			d->operation ? d->operation : mj.data, idx == 1 ? "led to a wrong page" : "did not change the screen");
	magi_json_set_str(board, "last_error", note.data);
	magi_buf_release(&note);
	magi_buf_release(&mj);
	if (idx == 1 && (magi_env_caps(magi_run_env(r)) & MAGI_ACT_BIT(MAGI_ACT_BACK))) {
		/* the next decision must see the screen after going back */
		struct magi_action back = {.kind = MAGI_ACT_BACK};
		struct magi_error berr;
		if ((s = magi_run_act(r, &back, "the reflection found a wrong page", &berr))) {
			if (magi_run_stopping(r)) {
				if (err)
					*err = berr;
				return s;
			}
			magi_run_say(r, "going back after a wrong page failed: %s", magi_error_text(&berr));
		}
	}
	return MAGI_OK;
}

static const char *const aliases[] = {"mobile-agent", "mav2", "mobile_agent_v2", NULL};

const struct magi_recipe magi__recipe_mobile_agent_v2 = {
	.name = "mobile-agent-v2", .description = "Mobile-Agent-v2: planning, decision and reflection agents with a memory unit",
	.kind = MAGI_RECIPE_SCREEN, MAGI_RECIPE_ROLES(roles), .aliases = aliases, .decide = mav2_decide, .after = mav2_after,
	.demos = true};
