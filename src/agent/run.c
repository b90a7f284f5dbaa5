/* run.c — the GUI run loop: observe, decide, check, act, observe again, reflect; with
 * budgets and stop rules that each end the run with a named reason, and a trace line
 * synced per event so a killed run keeps every finished step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/agent_internal.h"
#include "core/json.h"
#include "trace/trace_internal.h"
#include "core/common.h"

struct magi_run_params magi_run_params_default(void)
{
	struct magi_run_params p = {0};
	p.recipe = "mobile-agent-v2";
	p.runs_dir = "runs";
	p.max_steps = 20;
	p.repair_attempts = 3;
	p.repeat_limit = 3;
	p.unchanged_limit = 3;
	p.ocr = true;
	p.settle_ms = 300;
	p.report = true;
	p.guards = true;
	p.pii_reread = MAGI_PII_REREAD_BUDGET;
	p.risk = magi_risk_policy_default();
	p.deny_limit = 3;
	return p;
}

void magi_run_result_release(struct magi_run_result *r)
{
	if (!r)
		return;
	free(r->reason);
	free(r->answer);
	free(r->run_dir);
	memset(r, 0, sizeof *r);
}

static magi_status observe(struct magi__run *r, double *ocr_ms, struct magi_error *err)
{
	magi_status s = magi_env_observe(r->env, &r->obs, err);
	if (s)
		return s;
	*ocr_ms = 0;
	if (r->p.ocr && r->obs.screenshot) {
		double t = magi_now_ms();
		struct magi_error oerr;
		/* OCR failing is not fatal: the model still has the screenshot. */
		/* after an action only the part of the screen that changed is read again */
		if (magi_ocr_update(r->obs_before.screenshot, r->ocr_before, r->obs.screenshot, NULL, 0,
				    &r->ocr, &oerr) != MAGI_OK)
			MAGI_WARN("OCR failed: %s", magi_error_text(&oerr));
		*ocr_ms = magi_now_ms() - t;
	}
	magi__guard_scan(r);
	return MAGI_OK;
}

/* The risk gate: every environment action is decided, and the decision traced with its
 * reason. Returns true when the action may run. */
static bool gate(struct magi__run *r, const struct magi_action *a, const char *action_json,
		 struct magi_risk_decision *d)
{
	struct magi_risk_context ctx = {0};
	ctx.policy = &r->p.risk;
	ctx.ocr = r->ocr;
	ctx.url = r->obs.url;
	ctx.app = r->obs.app;
	ctx.allowlist = r->p.allowlist;
	ctx.n_allowlist = r->p.n_allowlist;
	ctx.secrets = r->p.secrets;
	ctx.has_focus = r->has_focus;
	ctx.focus_x = r->focus_x;
	ctx.focus_y = r->focus_y;
	if (r->view) {
		ctx.injections = r->view->inj;
		ctx.n_injections = r->view->n_inj;
	}
	if (magi_risk_check(a, &ctx, d) != MAGI_OK) {
		/* the gate cannot judge: refuse rather than act blind */
		d->tier = MAGI_RISK_DENY;
		snprintf(d->reason, sizeof d->reason, "the risk gate could not judge this action");
	}
	bool allowed = d->tier == MAGI_RISK_ALLOW;
	const char *how = allowed ? (d->by_yes ? "allowed by --yes" : "allowed") : "denied";
	if (d->tier == MAGI_RISK_ASK) {
		allowed = r->p.confirm && r->p.confirm(r->p.confirm_ud, action_json, d->reason);
		how = allowed ? "confirmed by the person" : r->p.confirm ? "refused by the person"
									 : "refused: needs confirmation (run interactively or with --yes)";
	}
	if (d->tier != MAGI_RISK_ALLOW || d->by_yes) {
		json_t *ev = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:o}", "step", r->step, "decision",
				       magi_risk_tier_name(d->tier), "outcome", how, "category",
				       magi_risk_category_name(d->category), "reason", d->reason, "element",
				       d->element, "action", json_loads(action_json, 0, NULL));
		magi__trace_event_json(r->trace, "guard", ev, NULL);
		json_decref(ev);
	}
	if (!allowed && d->tier == MAGI_RISK_ASK)
		d->tier = MAGI_RISK_DENY;
	return allowed;
}

/* What the model is told when its action was refused, so it can choose another way. */
static const char *denial_note(const struct magi_risk_decision *d, const char *op, const char *action_json)
{
	static __thread char note[640];
	snprintf(note, sizeof note,
		 "The last action (%s) was NOT performed: the safety gate refused it because %s. Choose a different, safe action, or finish with done if the task cannot be done safely.",
		 op && *op ? op : action_json, d->reason[0] ? d->reason : "it is risky");
	return note;
}

/* Types <secret:NAME> placeholders as their values: the model never sees a secret and the
 * trace only ever holds the placeholder. */
static magi_status act_with_secrets(struct magi__run *r, const struct magi_action *a, struct magi_error *err)
{
	if (a->kind != MAGI_ACT_TYPE || !a->text || !strstr(a->text, "<secret:") || !r->p.secrets)
		return magi_env_act(r->env, a, err);
	struct magi_buf real;
	magi_buf_init(&real, 1u << 20);
	magi_status s = magi_secret_expand(r->p.secrets, a->text, &real, err);
	if (!s) {
		struct magi_action b = *a;
		b.text = real.data;
		s = magi_env_act(r->env, &b, err);
	}
	memset(real.data, 0, real.len);
	magi_buf_release(&real);
	return s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void step_line(struct magi__run *r, const struct magi__decision *d, const char *action_json)
{
	if (!r->p.on_step)
		return;
	struct magi_buf l;
	magi_buf_init(&l, 4096);
	magi_buf_puts(&l, action_json);
	const char *why = d->operation && *d->operation ? d->operation : d->thought;
	if (why && *why) {
		magi_buf_puts(&l, "  -- ");
		for (const char *p = why; *p && l.len < 300; p++)
			magi_buf_putc(&l, *p == '\n' ? ' ' : *p);
	}
	r->p.on_step(r->p.step_ud, r->step, l.data);
	magi_buf_release(&l);
}

magi_status magi__run_loop(struct magi_env *env, struct magi_team *team, const struct magi_run_params *p,
			   const struct magi__recipe *recipe, struct magi_run_result *res,
			   struct magi_error *err)
{
	memset(res, 0, sizeof *res);
	if (!p->task || !*p->task)
		return magi_error_set(err, MAGI_ERR_INVALID, "the task is empty: say what the agent should do");
	struct magi__run r = {0};
	r.env = env;
	r.team = team;
	r.p = *p;
	r.recipe = recipe;
	if (!r.p.runs_dir)
		r.p.runs_dir = "runs";
	if (r.p.max_steps <= 0)
		r.p.max_steps = 20;
	if (r.p.repeat_limit <= 0)
		r.p.repeat_limit = 3;
	if (r.p.unchanged_limit <= 0)
		r.p.unchanged_limit = 3;
	if (r.p.deny_limit <= 0)
		r.p.deny_limit = 3;
	if (r.p.repair_attempts < 0)
		r.p.repair_attempts = 0;
	r.t0 = magi_now_ms();
	magi_status s = magi_trace_open(r.p.runs_dir, r.p.task, &r.trace, err);
	if (s)
		return s;
	struct magi_client *clients[33];
	size_t nc = magi__team_clients(team, clients, 33);
	json_t *models = json_array();
	for (size_t i = 0; i < nc; i++) {
		const struct magi_model_params *mp = magi_client_params(clients[i]);
		if (mp->api_key)
			magi_trace_add_secret(r.trace, mp->api_key);
		if (i == 0 || clients[i] != clients[0])
			json_array_append_new(models, json_pack("{s:s, s:s?, s:s?, s:s, s:b}", "name", mp->name, "base_url",
								mp->base_url, "model", mp->model, "coords",
								magi_coord_space_name(mp->coords), "remote",
								magi_client_is_remote(clients[i])));
	}
	json_t *start = json_pack("{s:s, s:s, s:s, s:s, s:o, s:i}", "command", "run", "task", r.p.task, "recipe",
				  recipe->name, "env", magi_env_name(env), "models", models, "max_steps", r.p.max_steps);
	magi__trace_event_json(r.trace, "run_start", start, NULL);
	json_decref(start);
	r.board = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[], s:b}", "task", r.p.task, "plan", "", "progress", "",
			    "memory", "", "notes", "", "history", "error_flag", 0);
	json_object_set_new(r.board, "last_error", json_string(""));

	const char *reason = NULL;
	bool success = false;
	char *answer = NULL;
	char *last_action = NULL;
	int repeats = 0, unchanged = 0, denials = 0;
	double *overheads = calloc((size_t)r.p.max_steps + 1, sizeof *overheads);
	int n_over = 0;
	double ocr_ms = 0, obs_ms = 0;
	struct magi_error rerr;
	magi_error_clear(&rerr);
	if ((s = observe(&r, &ocr_ms, &rerr))) {
		reason = "env_error";
		goto end;
	}
	obs_ms = r.obs.capture_ms;
	for (;;) {
		if (r.step >= r.p.max_steps) {
			reason = "max_steps";
			break;
		}
		r.step++;
		r.step_model_ms = 0;
		double t_step = magi_now_ms(), settle = 0;
		char img_name[32];
		snprintf(img_name, sizeof img_name, "step-%03d.jpg", r.step);
		double t_save = magi_now_ms();
		/* the trace only ever holds the redacted screen */
		bool saved = r.obs.screenshot &&
			     magi_trace_save_image(r.trace, img_name, magi__trace_image(&r), NULL, NULL) == MAGI_OK;
		double save_ms = magi_now_ms() - t_save;
		struct magi__decision d;
		if ((s = recipe->decide(&r, &d, &rerr))) {
			reason = "model_error";
			magi__decision_release(&d);
			break;
		}
		struct magi_buf aj, mj;
		magi_buf_init(&aj, 0);
		magi_buf_init(&mj, 0);
		magi_action_to_json(&d.screen_action, &aj);
		magi_action_to_json(&d.model_action, &mj);
		const struct magi_action *a = &d.screen_action;
		bool stop = false;
		char *user_reply = NULL;
		if (a->kind == MAGI_ACT_DONE) {
			reason = "done";
			success = a->success;
			stop = true;
		} else if (a->kind == MAGI_ACT_ANSWER) {
			reason = "answered";
			success = true;
			answer = magi__strdup(a->text);
			stop = true;
		} else if (a->kind == MAGI_ACT_ASK_USER) {
			user_reply = r.p.ask ? r.p.ask(r.p.ask_ud, a->text ? a->text : "") : NULL;
			if (!user_reply) {
				reason = "ask_user";
				stop = true;
			}
		} else {
			repeats = last_action && !strcmp(last_action, aj.data) ? repeats + 1 : 1;
			free(last_action);
			last_action = magi__strdup(aj.data);
			if (repeats >= r.p.repeat_limit) {
				reason = "repeated_action";
				stop = true;
			}
		}
		double act_ms = 0;
		bool acted = false, denied = false;
		struct magi_risk_decision rd = {0};
		if (!stop && !user_reply && r.p.guards) {
			denied = !gate(&r, a, aj.data, &rd);
			if (denied) {
				json_object_set_new(r.board, "last_error",
						    json_string(denial_note(&rd, d.operation, aj.data)));
				magi__board_history(&r, d.operation, mj.data, "refused by the guard");
				if (++denials >= r.p.deny_limit) {
					reason = "denied";
					stop = true;
				}
			} else {
				denials = 0;
			}
		}
		if (!stop && !user_reply && !denied) {
			double t_act = magi_now_ms();
			s = act_with_secrets(&r, a, &rerr);
			act_ms = magi_now_ms() - t_act;
			if (s) {
				reason = "env_error";
				stop = true;
			} else {
				acted = true;
				if (a->has_point && (a->kind == MAGI_ACT_CLICK || a->kind == MAGI_ACT_DOUBLE_CLICK ||
						     a->kind == MAGI_ACT_LONG_PRESS)) {
					r.has_focus = true;
					r.focus_x = a->x;
					r.focus_y = a->y;
				}
			}
		}
		if (acted) {
			magi_sleep_ms(r.p.settle_ms);
			settle = r.p.settle_ms;
			magi_obs_release(&r.obs_before);
			magi_ocr_free(r.ocr_before);
			magi__guard_view_free(r.view_before);
			r.obs_before = r.obs;
			r.ocr_before = r.ocr;
			r.view_before = r.view;
			memset(&r.obs, 0, sizeof r.obs);
			r.ocr = NULL;
			r.view = NULL;
			if ((s = observe(&r, &ocr_ms, &rerr))) {
				reason = "env_error";
				stop = true;
				acted = false;
			} else {
				obs_ms = r.obs.capture_ms;
				int box[4];
				magi_image_diff(r.obs_before.screenshot, r.obs.screenshot, 8, box);
				unchanged = box[2] == 0 ? unchanged + 1 : 0;
			}
		}
		json_t *ev = json_object();
		json_object_set_new(ev, "step", json_integer(r.step));
		if (saved)
			json_object_set_new(ev, "image", json_string(img_name));
		if (r.obs_before.screenshot || r.obs.screenshot) {
			const struct magi_image *si = acted ? r.obs_before.screenshot : r.obs.screenshot;
			json_object_set_new(ev, "screen_w", json_integer(si->w));
			json_object_set_new(ev, "screen_h", json_integer(si->h));
		}
		json_t *aobj = json_loads(aj.data, 0, NULL), *mobj = json_loads(mj.data, 0, NULL);
		json_object_set_new(ev, "action", aobj ? aobj : json_null());
		json_object_set_new(ev, "model_action", mobj ? mobj : json_null());
		json_object_set_new(ev, "coords", json_string(magi_coord_space_name(d.map.space)));
		json_object_set_new(ev, "sent_w", json_integer(d.map.sent_w));
		json_object_set_new(ev, "sent_h", json_integer(d.map.sent_h));
		json_object_set_new(ev, "thought", json_string(d.thought ? d.thought : ""));
		json_object_set_new(ev, "operation", json_string(d.operation ? d.operation : ""));
		if (user_reply)
			json_object_set_new(ev, "user_reply", json_string(user_reply));
		if (s && reason && !strcmp(reason, "env_error"))
			json_object_set_new(ev, "error", json_string(rerr.msg));
		if (r.p.guards) {
			const struct magi_guard_view *gv = acted ? r.view_before : r.view;
			json_object_set_new(ev, "pii_redacted", json_integer(gv ? (json_int_t)gv->n_pii : 0));
			if (gv && gv->n_pii) { /* what was covered, by type: {"card": 2, "email": 1} */
				json_t *types = json_object();
				for (size_t k = 0; k < gv->n_pii; k++) {
					const char *tn = magi_pii_type_name(gv->pii[k].type);
					json_object_set_new(types, tn,
							    json_integer(magi__json_int(types, tn, 0) + 1));
				}
				json_object_set_new(ev, "pii", types);
			}
			json_object_set_new(ev, "injections", json_integer(gv ? (json_int_t)gv->n_inj : 0));
			json_object_set_new(ev, "guard_ms", json_real(gv ? gv->ms : 0));
			if (rd.reason[0] || denied)
				json_object_set_new(ev, "guard", json_pack("{s:s, s:s, s:s}", "decision",
									   magi_risk_tier_name(rd.tier), "category",
									   magi_risk_category_name(rd.category),
									   "reason", rd.reason));
		}
		json_object_set_new(ev, "observe_ms", json_real(obs_ms));
		json_object_set_new(ev, "ocr_ms", json_real(ocr_ms));
		json_object_set_new(ev, "save_ms", json_real(save_ms));
		json_object_set_new(ev, "act_ms", json_real(act_ms));
		json_object_set_new(ev, "latency_ms", json_real(d.latency_ms));
		json_object_set_new(ev, "prompt_tokens", json_integer(d.prompt_tokens));
		json_object_set_new(ev, "completion_tokens", json_integer(d.completion_tokens));
		step_line(&r, &d, aj.data);
		if (user_reply) {
			struct magi_buf note;
			magi_buf_init(&note, 0);
			magi_buf_printf(&note, "%s%sThe person was asked \"%s\" and answered: %s",
					magi__json_str(r.board, "notes", ""), *magi__json_str(r.board, "notes", "") ? "\n" : "",
					a->text ? a->text : "", user_reply);
			json_object_set_new(r.board, "notes", json_string(note.data));
			magi_buf_release(&note);
			magi__board_history(&r, "asked the person", aj.data, user_reply);
			free(user_reply);
		} else if (acted && recipe->after) {
			/* the step event goes first so a reflection reads as following it */
			double t_tr = magi_now_ms();
			magi__trace_event_json(r.trace, "step", ev, NULL);
			json_decref(ev);
			ev = NULL;
			double trace_ms = magi_now_ms() - t_tr;
			(void)trace_ms;
			if ((s = recipe->after(&r, &d, &rerr))) {
				reason = "model_error";
				stop = true;
			}
		} else if (acted) {
			magi__board_history(&r, d.operation, mj.data, "done");
		}
		if (ev) {
			magi__trace_event_json(r.trace, "step", ev, NULL);
			json_decref(ev);
		}
		json_t *bev = json_pack("{s:i, s:O}", "step", r.step, "board", r.board);
		magi__trace_event_json(r.trace, "board", bev, NULL);
		json_decref(bev);
		double total = magi_now_ms() - t_step;
		/* the first observation of the step happened at the end of the last one */
		overheads[n_over++] = total - r.step_model_ms - settle + (acted ? 0 : obs_ms + ocr_ms);
		magi_buf_release(&aj);
		magi_buf_release(&mj);
		magi__decision_release(&d);
		if (stop)
			break;
		if (unchanged >= r.p.unchanged_limit) {
			reason = "unchanged_screen";
			break;
		}
		if (r.p.max_tokens > 0 && r.prompt_tokens + r.completion_tokens >= r.p.max_tokens) {
			reason = "token_budget";
			break;
		}
		if (r.p.max_wall_s > 0 && (magi_now_ms() - r.t0) / 1000 >= r.p.max_wall_s) {
			reason = "time_budget";
			break;
		}
	}
end:;
	if (!reason)
		reason = "error";
	double wall = magi_now_ms() - r.t0;
	qsort(overheads, (size_t)n_over, sizeof *overheads, cmp_double);
	double med = n_over ? (n_over % 2 ? overheads[n_over / 2]
					  : (overheads[n_over / 2 - 1] + overheads[n_over / 2]) / 2)
			    : 0;
	json_t *endev = json_pack("{s:s, s:b, s:i, s:f, s:I, s:I, s:i, s:f}", "reason", reason, "success", success,
				  "steps", r.step, "wall_ms", wall, "prompt_tokens", (json_int_t)r.prompt_tokens,
				  "completion_tokens", (json_int_t)r.completion_tokens, "calls", r.calls,
				  "overhead_ms_median", med);
	if (answer)
		json_object_set_new(endev, "answer", json_string(answer));
	if (rerr.status)
		json_object_set_new(endev, "error", json_string(rerr.msg));
	magi__trace_event_json(r.trace, "run_end", endev, NULL);
	json_object_set_new(endev, "task", json_string(r.p.task));
	json_object_set_new(endev, "recipe", json_string(recipe->name));
	char *sum = magi__json_dump(endev, true);
	if (sum)
		magi_trace_write_summary(r.trace, sum, NULL);
	free(sum);
	json_decref(endev);
	res->success = success;
	res->reason = magi__strdup(reason);
	res->answer = answer;
	res->run_dir = magi__strdup(magi_trace_dir(r.trace));
	res->steps = r.step;
	res->prompt_tokens = r.prompt_tokens;
	res->completion_tokens = r.completion_tokens;
	res->calls = r.calls;
	res->wall_ms = wall;
	res->overhead_ms_median = med;
	if (r.p.report) {
		struct magi_error rep;
		if (magi_trace_write_report(magi_trace_dir(r.trace), &rep))
			MAGI_WARN("report: %s", magi_error_text(&rep));
	}
	if (rerr.status && err)
		*err = rerr;
	free(overheads);
	free(last_action);
	magi_obs_release(&r.obs);
	magi_obs_release(&r.obs_before);
	magi_ocr_free(r.ocr);
	magi_ocr_free(r.ocr_before);
	magi__guard_view_free(r.view);
	magi_pii_cache_free(r.reread);
	magi__guard_view_free(r.view_before);
	json_decref(r.board);
	magi_trace_close(r.trace);
	return MAGI_OK;
}
