/* mobile_agent_v2.c — Mobile-Agent-v2 (Wang et al., 2024): a planning agent tracks task
 * progress from the operation history (text only), a decision agent chooses each
 * operation from the screen, the progress and memory, a memory unit keeps content needed
 * later, and a reflection agent compares the screens before and after each operation:
 * A as expected, B wrong page (go back where the environment can), C no change. B and C
 * set the error flag the decision agent sees next. */
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "trace/trace_internal.h"
#include "recipes/recipes.h"
#include "core/common.h"

static magi_status mav2_decide(struct magi__run *r, struct magi__decision *d, struct magi_error *err)
{
	magi_status s = magi__agent_decide(r, "mobile-agent-v2/decision", d, err);
	if (s)
		return s;
	enum magi_action_kind k = d->model_action.kind;
	if (k == MAGI_ACT_DONE || k == MAGI_ACT_ANSWER || k == MAGI_ACT_ASK_USER)
		return MAGI_OK;
	/* Memory unit: an extra turn on the same screen for content the task needs later. */
	struct magi_client *c = magi_team_client(r->team, "memory");
	struct magi_buf per;
	magi_buf_init(&per, 0);
	magi__perception_text(r, c, &per);
	json_t *vars = json_pack("{s:s, s:s}", "task", r->p.task, "perception", per.data);
	magi_buf_release(&per);
	static const char *const req[] = {"important content", NULL};
	struct magi__role_call rc = {0};
	rc.name = "mobile-agent-v2/memory";
	rc.vars = vars;
	rc.images[0] = magi__run_image(r, c, false);
	rc.image_labels[0] = "Current screenshot:";
	rc.n_images = 1;
	rc.parser = MAGI_PARSE_SECTIONS;
	rc.sections = req;
	s = magi__role_run(r, &rc, err);
	if (!s) {
		const char *mem = magi__json_str(rc.parsed, "important content", "None");
		if (strcasecmp(mem, "none") && strcasecmp(mem, "none.") && *mem) {
			const char *old = magi__json_str(r->board, "memory", "");
			struct magi_buf m;
			magi_buf_init(&m, 0);
			magi_buf_printf(&m, "%s%s%s", old, *old ? "\n" : "", mem);
			json_object_set_new(r->board, "memory", json_string(m.data));
			magi_buf_release(&m);
		}
	}
	json_decref(vars);
	magi__role_call_release(&rc);
	return s;
}

static magi_status mav2_after(struct magi__run *r, const struct magi__decision *d, struct magi_error *err)
{
	struct magi_buf mj;
	magi_buf_init(&mj, 0);
	magi_action_to_json(&d->model_action, &mj);
	json_t *vars = json_pack("{s:s, s:s, s:s}", "task", r->p.task, "operation",
				 d->operation && *d->operation ? d->operation : "(not described)", "action", mj.data);
	static const char *const req[] = {NULL};
	struct magi__role_call rc = {0};
	rc.name = "mobile-agent-v2/reflection";
	rc.vars = vars;
	struct magi_client *rcl = magi_team_client(r->team, "reflection");
	rc.images[0] = magi__run_image(r, rcl, true);
	rc.image_labels[0] = "Screenshot before the operation:";
	rc.images[1] = magi__run_image(r, rcl, false);
	rc.image_labels[1] = "Screenshot after the operation:";
	rc.n_images = 2;
	rc.parser = MAGI_PARSE_LETTER;
	rc.letters = "ABC";
	rc.sections = req;
	magi_status s = magi__role_run(r, &rc, err);
	json_decref(vars);
	if (s) {
		magi_buf_release(&mj);
		magi__role_call_release(&rc);
		return s;
	}
	const char *v = magi__json_str(rc.parsed, "letter", "A");
	static const char *const meaning[] = {"as expected", "wrong page", "no change"};
	int idx = v[0] - 'A';
	json_t *ev = json_pack("{s:i, s:s, s:s, s:s}", "step", r->step, "verdict", v, "meaning", meaning[idx],
			       "thought", magi__json_str(rc.parsed, "thought", ""));
	char next[32];
	snprintf(next, sizeof next, "step-%03d.jpg", r->step + 1);
	json_object_set_new(ev, "image_after", json_string(next));
	magi__trace_event_json(r->trace, "reflection", ev, NULL);
	json_decref(ev);
	magi__role_call_release(&rc);
	if (idx == 0) {
		json_object_set_new(r->board, "error_flag", json_false());
		json_object_set_new(r->board, "last_error", json_string(""));
		magi__board_history(r, d->operation, mj.data, "as expected");
		magi_buf_release(&mj);
		/* Planning agent: text only, rewrites the completed contents from the history. */
		static const char *const preq[] = {"completed contents", NULL};
		struct magi__role_call pc = {0};
		pc.name = "mobile-agent-v2/planning";
		pc.vars = json_pack("{s:s}", "task", r->p.task);
		/* the planning template reads the history through the shared formatter */
		struct magi_buf h;
		magi_buf_init(&h, 0);
		const json_t *hist = json_object_get(r->board, "history");
		size_t i;
		const json_t *e;
		json_array_foreach(hist, i, e)
			magi_buf_printf(&h, "Step %ld: %s -> %s (%s)\n", magi__json_int(e, "step", 0),
					magi__json_str(e, "operation", ""), magi__json_str(e, "action", ""),
					magi__json_str(e, "outcome", ""));
		json_object_set_new(pc.vars, "history", json_string(h.data));
		magi_buf_release(&h);
		pc.parser = MAGI_PARSE_SECTIONS;
		pc.sections = preq;
		s = magi__role_run(r, &pc, err);
		if (!s)
			json_object_set_new(r->board, "progress",
					    json_string(magi__json_str(pc.parsed, "completed contents", "")));
		json_decref(pc.vars);
		magi__role_call_release(&pc);
		return s;
	}
	json_object_set_new(r->board, "error_flag", json_true());
	magi__board_history(r, d->operation, mj.data, meaning[idx]);
	struct magi_buf note;
	magi_buf_init(&note, 0);
	magi_buf_printf(&note, "Error flag: the last operation (%s) %s. Try a different operation.",
			d->operation ? d->operation : mj.data,
			idx == 1 ? "led to a wrong page" : "did not change the screen");
	json_object_set_new(r->board, "last_error", json_string(note.data));
	magi_buf_release(&note);
	magi_buf_release(&mj);
	if (idx == 1 && (magi_env_caps(r->env) & MAGI_ACT_BIT(MAGI_ACT_BACK))) {
		struct magi_action back = {.kind = MAGI_ACT_BACK};
		struct magi_error berr;
		if (magi_env_act(r->env, &back, &berr))
			MAGI_WARN("going back after a wrong page failed: %s", magi_error_text(&berr));
		/* the next decision must see the screen after going back */
		magi_sleep_ms(r->p.settle_ms);
		magi_obs_release(&r->obs);
		magi_ocr_free(r->ocr);
		r->ocr = NULL;
		if ((s = magi_env_observe(r->env, &r->obs, err)))
			return s;
		if (r->p.ocr && r->obs.screenshot)
			magi_ocr_run(r->obs.screenshot, NULL, 0, &r->ocr, NULL);
		magi__guard_scan(r);
	}
	return MAGI_OK;
}

const struct magi__recipe magi__recipe_mobile_agent_v2 = {
	"mobile-agent-v2",
	"Mobile-Agent-v2: planning, decision and reflection agents with a memory unit",
	mav2_decide,
	mav2_after,
};
