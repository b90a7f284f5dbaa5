/* mobileuse_explore.c — MobileUse's proactive exploration (MadeAgents/mobile-use,
 * mobile_use/utils/proactive_exploration/): before any task, an explorer acts on the
 * application (the operator's <tool_call> actions), a summarizer records after every
 * action what it showed (the screens before and after -> the updated record, the paper's
 * action -> summary loop), and a critic looks at the trajectory every 3 steps and steers
 * the next ones. At the end the record is written to the knowledge file
 * (magi_run_params.knowledge), which `magi run --recipe mobileuse --knowledge FILE` adds
 * to the operator's prompt. `magi explore` runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "recipes/mobileuse.h"

#define CRITIC_EVERY 3
#define MAX_TURNS 4

static const char *const summary_sections[] = {"summary", NULL};
static const char *const advice_sections[] = {"advice", NULL};

static const struct magi_role roles[] = {
	{.name = "explorer", .prompt = "mobileuse-explore/explorer", .parser = MAGI_PARSER_TOOL_CALL,
	 .check = magi__mu_check_operator},
	{.name = "summarizer", .prompt = "mobileuse-explore/summarizer", .parser = MAGI_PARSER_SECTIONS,
	 .sections = summary_sections, .bind_like = "explorer"},
	{.name = "critic", .prompt = "mobileuse-explore/critic", .parser = MAGI_PARSER_SECTIONS,
	 .sections = advice_sections, .bind_like = "explorer"},
};

static void turn_free(void *p)
{
	magi__mu_turn_release(p);
	free(p);
}

static magi_status ex_setup(struct magi_run *r, struct magi_error *err)
{
	const char *out = magi_run_gui_params(r)->knowledge;
	if (!out || !*out)
		return magi_error_set(err, MAGI_ERR_INVALID, "exploring needs the knowledge file to write (--out FILE)");
	FILE *f = fopen(out, "ab"); /* can it be written? (nothing is added yet) */
	if (!f)
		return magi_error_set(err, MAGI_ERR_CONFIG, "--out %s: cannot write the file", out);
	fclose(f);
	struct magi__mu_turn *t = calloc(1, sizeof *t);
	if (!t)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	magi_run_set_state(r, t, turn_free);
	return MAGI_OK;
}

static magi_status ex_begin(struct magi_run *r, struct magi_error *err)
{
	(void)err;
	magi_run_board_set_str(r, "knowledge", "(nothing yet)");
	magi_run_board_set_str(r, "advice", "");
	return MAGI_OK;
}

static magi_status ex_decide(struct magi_run *r, struct magi_decision *d, struct magi_error *err)
{
	struct magi__mu_turn *t = magi_run_state(r);
	magi__mu_turn_release(t);
	t->r = r;
	t->d = d;
	for (int turn = 0; turn < MAX_TURNS; turn++) {
		magi_decision_release(d);
		magi_status s = magi__mu_operator_turn(r, "explorer", NULL, false, t, err);
		if (s)
			return s;
		if (!t->note)
			return MAGI_OK;
		/* a note while exploring is knowledge too */
		const char *old = magi_json_str(magi_run_board(r), "knowledge", "");
		struct magi_buf b;
		magi_buf_init(&b, 0);
		magi_buf_printf(&b, "%s\n%s", old, t->note);
		magi_run_board_set_str(r, "knowledge", b.data);
		magi_buf_release(&b);
	}
	magi_decision_release(d);
	return magi_error_set(err, MAGI_ERR_MODEL, "the explorer gave no action to run in %d turns", MAX_TURNS);
}

static magi_status ex_after(struct magi_run *r, const struct magi_decision *d, struct magi_error *err)
{
	struct magi_buf mj;
	magi_buf_init(&mj, 0);
	magi_action_to_json(&d->action, &mj);
	magi_run_history_add(r, d->operation, mj.data, "explored");
	struct magi_call *c;
	magi_status s = magi_call_new(r, "summarizer", &c, err);
	if (!s) {
		magi_call_set(c, "action", mj.data);
		magi_call_set(c, "operation", d->operation && *d->operation ? d->operation : "(not described)");
		magi_call_screen(c, true, "Screenshot before the action:");
		magi_call_screen(c, false, "Screenshot after the action:");
		if (!(s = magi_run_call(r, c, err))) {
			const char *k = magi_json_str(magi_call_reply(c), "summary", "");
			magi_run_board_set_str(r, "knowledge", k);
			struct magi_json *ev = magi_json_object();
			magi_json_set_int(ev, "step", magi_run_step(r));
			magi_json_set_str(ev, "knowledge", k);
			magi_run_trace(r, "knowledge", ev);
			magi_json_free(ev);
		}
		magi_call_free(c);
	}
	magi_buf_release(&mj);
	/* the step budget is an exploration's normal end, not a failure */
	if (!s && magi_run_step(r) >= magi_run_max_steps(r))
		magi_run_finish(r, "explored", true);
	if (s || magi_run_step(r) % CRITIC_EVERY)
		return s;
	if ((s = magi_call_new(r, "critic", &c, err)))
		return s;
	if (!(s = magi_run_call(r, c, err))) {
		const char *a = magi_json_str(magi_call_reply(c), "advice", "");
		bool none = !*a || !strncmp(a, "None", 4);
		struct magi_buf b;
		magi_buf_init(&b, 0);
		if (!none)
			magi_buf_printf(&b, "Advice from the critic: %s", a);
		magi_run_board_set_str(r, "advice", b.data);
		magi_buf_release(&b);
		struct magi_json *ev = magi_json_object();
		magi_json_set_int(ev, "step", magi_run_step(r));
		magi_json_set_str(ev, "advice", a);
		magi_run_trace(r, "critic", ev);
		magi_json_free(ev);
	}
	magi_call_free(c);
	return s;
}

/* Writes {"explored": task, "knowledge": record, "steps": n, "written_by": "magi explore"}
 * to the knowledge file (through a temporary file and a rename: never half a file). */
static void ex_end(struct magi_run *r)
{
	const char *out = magi_run_gui_params(r)->knowledge;
	struct magi_json *j = magi_json_object();
	magi_json_set_str(j, "explored", magi_run_task(r));
	magi_json_set_str(j, "knowledge", magi_json_str(magi_run_board(r), "knowledge", ""));
	magi_json_set_int(j, "steps", magi_run_step(r));
	magi_json_set_str(j, "written_by", "magi explore");
	char *text = magi_json_text(j, NULL);
	magi_json_free(j);
	struct magi_buf tmp;
	magi_buf_init(&tmp, 0);
	magi_buf_printf(&tmp, "%s.tmp", out);
	FILE *f = text ? fopen(tmp.data, "wb") : NULL;
	bool ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
	ok = f && !fclose(f) && ok && !rename(tmp.data, out);
	if (!ok) {
		remove(tmp.data);
		magi_run_say(r, "could not write the knowledge file %s", out);
	}
	struct magi_json *ev = magi_json_object();
	magi_json_set_str(ev, "path", out);
	magi_json_set_bool(ev, "written", ok);
	magi_run_trace(r, "knowledge_file", ev);
	magi_json_free(ev);
	magi_buf_release(&tmp);
	free(text);
}

const struct magi_recipe magi__recipe_mobileuse_explore = {
	.name = "mobileuse-explore",
	.description = "MobileUse proactive exploration: explorer, summarizer and critic write a knowledge file (magi explore)",
	.kind = MAGI_RECIPE_SCREEN,
	MAGI_RECIPE_ROLES(roles),
	.setup = ex_setup,
	.begin = ex_begin,
	.decide = ex_decide,
	.after = ex_after,
	.end = ex_end,
};
