/* run.c — the one run context of every recipe, screen or video: its start (run directory,
 * run_start, the blackboard), the step loop with the stop rules every recipe shares
 * (budgets, cancel, a trace that cannot be written, the recipe's own), its end (run_end,
 * summary.json, report.html), and the accessors recipes use (magi/recipe.h). */
#include <math.h>
#include <stdarg.h>
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
	p.observe_after = true;
	p.trace_sync = true;
	p.report = true;
	p.guards = true;
	p.pii_reread = MAGI_PII_REREAD_BUDGET;
	p.risk = magi_risk_policy_default();
	p.deny_limit = 3;
	p.logprob_threshold = -0.01;
	p.demo_tokens = MAGI_DEMO_TOKENS;
	return p;
}

void magi_run_result_release(struct magi_run_result *r)
{
	if (!r)
		return;
	free(r->reason);
	free(r->answer);
	free(r->run_dir);
	free(r->report);
	memset(r, 0, sizeof *r);
}

/* ---- stop rules ----------------------------------------------------------------------------- */

void magi__run_stop(struct magi_run *r, const char *reason, magi_status s, const char *fmt, ...)
{
	/* the first rule wins, except that a broken trace always says so: it is why the run
	 * cannot be trusted and what the person must fix */
	if (r->stop_reason && strcmp(reason, "trace_error"))
		return;
	if (r->stop_reason && !strcmp(r->stop_reason, "trace_error"))
		return;
	r->stop_reason = reason;
	r->stop_err.status = s;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->stop_err.msg, sizeof r->stop_err.msg, fmt, ap);
	va_end(ap);
	if (!strcmp(reason, "trace_error"))
		r->trace_failed = true;
}

const char *magi__run_stop_rule(struct magi_run *r, magi_status *st)
{
	if (!r->stop_reason) {
		long used = r->prompt_tokens + r->completion_tokens;
		double el = (magi_now_ms() - r->t0) / 1000;
		if (r->p.cancel && *r->p.cancel)
			magi__run_stop(r, "interrupted", MAGI_ERR_CANCELLED, "interrupted");
		else if (r->p.max_wall_s > 0 && el >= r->p.max_wall_s)
			magi__run_stop(r, "time_budget", MAGI_ERR_BUDGET, "the time budget of %g s ran out", r->p.max_wall_s);
		else if (r->p.max_tokens > 0 && used >= r->p.max_tokens)
			magi__run_stop(r, "token_budget", MAGI_ERR_BUDGET, "the token budget of %ld is spent (%ld used)",
				       r->p.max_tokens, used);
	}
	if (st)
		*st = r->stop_reason ? r->stop_err.status : MAGI_OK;
	return r->stop_reason;
}

const char *magi_run_stopping(struct magi_run *r)
{
	return magi__run_stop_rule(r, NULL);
}

void magi__run_sleep(struct magi_run *r, double ms)
{
	double until = magi_now_ms() + ms;
	for (;;) {
		double left = until - magi_now_ms();
		if (left <= 0 || (r->p.cancel && *r->p.cancel))
			return;
		magi_sleep_ms(left < 50 ? left : 50);
	}
}

magi_status magi__run_trace(struct magi_run *r, const char *type, json_t *ev)
{
	struct magi_error e;
	magi_status s = magi__trace_event_json(r->trace, type, ev, &e);
	if (s)
		magi__run_stop(r, "trace_error", s, "%s", e.msg);
	return s;
}

magi_status magi__run_flush(struct magi_run *r)
{
	struct magi_error e;
	magi_status s = magi__trace_flush(r->trace, true, &e);
	if (s)
		magi__run_stop(r, "trace_error", s, "%s", e.msg);
	return s;
}

void magi__run_trace_board(struct magi_run *r, const char *key, bool full)
{
	if (!r->board)
		return;
	if (full)
		magi__evidence_commit(r); /* the last board names every frame */
	json_t *b = json_copy(r->board), *h = json_object_get(r->board, "history");
	if (b)
		magi__evidence_unwritten(r, b);
	size_t n = json_is_array(h) ? json_array_size(h) : 0;
	if (b && n && !full) {
		size_t from = r->board_hist_sent <= n ? r->board_hist_sent : 0;
		json_t *tail = json_array();
		for (size_t i = from; i < n; i++)
			json_array_append(tail, json_array_get(h, i));
		json_object_set_new(b, "history", tail);
		json_object_set_new(b, "history_from", json_integer((json_int_t)from));
		if (from)
			r->board_partial = true;
	}
	if (full)
		r->board_partial = false;
	r->board_hist_sent = n;
	json_t *ev = b ? json_pack("{s:i, s:o}", key, r->step, "board", b) : NULL;
	if (!ev) {
		magi__run_stop(r, "trace_error", MAGI_ERR_NOMEM, "out of memory recording the blackboard");
		return;
	}
	magi__run_trace(r, "board", ev);
	json_decref(ev);
}

/* ---- accessors for recipes ---------------------------------------------------------------- */

const struct magi_recipe *magi_run_recipe(const struct magi_run *r)
{
	return r->recipe;
}

const char *magi_run_task(const struct magi_run *r)
{
	return r->p.task ? r->p.task : "";
}

int magi_run_step(const struct magi_run *r)
{
	return r->step;
}

int magi_run_max_steps(const struct magi_run *r)
{
	return r->max_steps;
}

void magi_run_limit_steps(struct magi_run *r, int n)
{
	if (n > 0 && n < r->max_steps)
		r->max_steps = n;
}

void magi_run_set_loop_limits(struct magi_run *r, int repeat_limit, int unchanged_limit)
{
	if (repeat_limit > 0)
		r->p.repeat_limit = repeat_limit;
	if (unchanged_limit > 0)
		r->p.unchanged_limit = unchanged_limit;
}

const struct magi_image *magi_run_screenshot(const struct magi_run *r, bool before)
{
	return before ? r->obs_before.screenshot : r->obs.screenshot;
}

struct magi_team *magi_run_team(const struct magi_run *r)
{
	return r->team;
}

struct magi_env *magi_run_env(const struct magi_run *r)
{
	return r->env;
}

const struct magi_run_params *magi_run_gui_params(const struct magi_run *r)
{
	return r->env ? &r->p : NULL;
}

const struct magi_video_ask_params *magi_run_video_params(const struct magi_run *r)
{
	return r->video ? &r->vp : NULL;
}

void magi_run_set_state(struct magi_run *r, void *state, void (*free_fn)(void *state))
{
	if (r->state_free && r->state != state)
		r->state_free(r->state);
	r->state = state;
	r->state_free = free_fn;
}

void *magi_run_state(const struct magi_run *r)
{
	return r->state;
}

struct magi_json *magi_run_board(struct magi_run *r)
{
	return (struct magi_json *)r->board;
}

magi_status magi_run_board_set(struct magi_run *r, const char *key, struct magi_json *v)
{
	return magi_json_set((struct magi_json *)r->board, key, v);
}

magi_status magi_run_board_set_str(struct magi_run *r, const char *key, const char *s)
{
	return magi_json_set_str((struct magi_json *)r->board, key, s);
}

magi_status magi_run_board_push(struct magi_run *r, const char *key, struct magi_json *v)
{
	json_t *a = json_object_get(r->board, key);
	if (!a) {
		a = json_array();
		if (json_object_set_new(r->board, key, a)) {
			magi_json_free(v);
			return MAGI_ERR_NOMEM;
		}
	}
	return magi_json_push((struct magi_json *)a, v);
}

magi_status magi_run_trace(struct magi_run *r, const char *type, const struct magi_json *fields)
{
	if (!type)
		return MAGI_ERR_INVALID;
	return magi__run_trace(r, type, (json_t *)fields);
}

void magi_run_say(struct magi_run *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (r->vq && r->vp.on_event)
		r->vp.on_event(r->vp.event_ud, line);
	else
		MAGI_INFO("%s", line);
}

void magi_run_finish(struct magi_run *r, const char *reason, bool success)
{
	if (r->finished)
		return;
	r->finished = true;
	r->success = success;
	free(r->reason);
	r->reason = magi__strdup(reason ? reason : "done");
}

struct magi_client *magi__run_role_client(const struct magi_run *r, const struct magi_role *role)
{
	if (!r->team)
		return NULL;
	struct magi_client *c = magi__team_bound(r->team, role->name);
	if (!c && role->bind_like)
		c = magi__team_bound(r->team, role->bind_like);
	return c ? c : magi_team_client(r->team, role->name);
}

/* ---- start, loop, end ------------------------------------------------------------------- */

static void add_model(json_t *models, struct magi_client *c, const char *member, bool coords, struct magi_trace *t)
{
	const struct magi_model_params *mp = magi_client_params(c);
	if (mp->api_key)
		magi_trace_add_secret(t, mp->api_key);
	json_t *m = json_pack("{s:s, s:s?, s:s?, s:b}", "name", mp->name, "base_url", mp->base_url, "model", mp->model,
			      "remote", magi_client_is_remote(c));
	if (coords)
		json_object_set_new(m, "coords", json_string(magi_coord_space_name(mp->coords)));
	if (member)
		json_object_set_new(m, "member", json_string(member));
	json_array_append_new(models, m);
}

magi_status magi__run_start(struct magi_run *r, json_t *start, struct magi_error *err)
{
	r->t0 = magi_now_ms();
	magi_status s = magi_trace_open(r->p.runs_dir, r->p.task, &r->trace, err);
	if (s)
		return s;
	if (!r->p.trace_sync)
		magi__trace_sync_at_end(r->trace);
	magi__trace_background(r->trace);
	magi__trace_image_max(r->trace, r->p.trace_max_pixels);
	json_t *models = json_array();
	if (r->team && !r->vp.n_members) {
		struct magi_client *cl[33];
		size_t nc = magi__team_clients(r->team, cl, 33);
		for (size_t i = 0; i < nc; i++)
			if (i == 0 || cl[i] != cl[0])
				add_model(models, cl[i], NULL, r->env != NULL, r->trace);
	}
	for (size_t i = 0; r->vq && i < r->vp.n_members; i++)
		add_model(models, r->vp.members[i], r->vp.member_names ? r->vp.member_names[i] : NULL, false, r->trace);
	for (size_t i = 0; r->p.secrets && i < r->p.secrets->n; i++)
		magi_trace_add_secret(r->trace, r->p.secrets->items[i].value);
	json_object_set_new(start, "models", models);
	magi__run_trace(r, "run_start", start);
	return MAGI_OK;
}

/* Why a step that failed ends the run: a stop rule's reason when one fired, else def. */
static const char *fail_reason(struct magi_run *r, const char *def)
{
	return magi__run_stop_rule(r, NULL) ? r->stop_reason : def;
}

/* The step loop; returns how the run ended, with *status and rerr for errors. */
const char *magi__run_loop(struct magi_run *r, magi_status *status, struct magi_error *rerr)
{
	const struct magi_recipe *rc = r->recipe;
	magi_status s = MAGI_OK;
	const char *reason = NULL;
	if (r->env && (s = magi__gui_begin(r, rerr)))
		reason = fail_reason(r, "env_error");
	else if (rc->begin && (s = rc->begin(r, rerr)))
		reason = fail_reason(r, "model_error");
	while (!s && !r->finished) {
		const char *why = magi__run_stop_rule(r, NULL);
		if (!why && rc->stop)
			why = rc->stop(r);
		if (why) {
			reason = why;
			break;
		}
		if (r->step >= r->max_steps) {
			reason = "max_steps";
			break;
		}
		r->step++;
		r->step_model_ms = 0;
		if (r->env) {
			s = magi__gui_step(r, rerr);
			continue;
		}
		s = rc->step(r, rerr);
		if (!s) {
			magi__run_trace_board(r, "round", false);
		} else {
			reason = fail_reason(r, s == MAGI_ERR_VIDEO || s == MAGI_ERR_IO ? "video_error" : "model_error");
		}
	}
	if (r->finished)
		reason = r->reason;
	if (!reason)
		reason = "error";
	/* a stop rule's message is the run's error when nothing else said more */
	if (r->stop_reason && !strcmp(reason, r->stop_reason) && (!rerr->status || r->trace_failed))
		*rerr = r->stop_err;
	*status = s ? s : r->trace_failed ? r->stop_err.status : MAGI_OK;
	return reason;
}

void magi__run_end(struct magi_run *r, const char *reason, json_t *end, json_t *summary, const struct magi_error *rerr)
{
	double wall = magi_now_ms() - r->t0;
	json_object_set_new(end, "reason", json_string(reason));
	json_object_set_new(end, "calls", json_integer(r->calls));
	json_object_set_new(end, "prompt_tokens", json_integer(r->prompt_tokens));
	json_object_set_new(end, "completion_tokens", json_integer(r->completion_tokens));
	json_object_set_new(end, "server_prompt_tokens", json_integer(r->server_prompt_tokens));
	json_object_set_new(end, "est_prompt_tokens", json_integer(r->est_prompt_tokens));
	json_object_set_new(end, "wall_ms", json_real(wall));
	if (r->iscan_scanned || r->iscan_cached) /* images other than screens sent to remote models */
		json_object_set_new(end, "pii_image_scans",
				    json_pack("{s:I, s:I}", "scanned", (json_int_t)r->iscan_scanned, "cached",
					      (json_int_t)r->iscan_cached));
	if (rerr && rerr->status)
		json_object_set_new(end, "error", json_string(rerr->msg));
	/* images still being written land before the line that ends the run */
	struct magi_error fe;
	if (magi__trace_flush(r->trace, false, &fe))
		magi__run_stop(r, "trace_error", fe.status, "%s", fe.msg);
	if (r->board_partial && !r->trace_failed)
		magi__run_trace_board(r, "step", true);
	magi__run_trace(r, "run_end", end);
	magi__run_flush(r);
	json_object_update(end, summary);
	json_object_set_new(end, "task", json_string(r->p.task ? r->p.task : ""));
	json_object_set_new(end, "recipe", json_string(r->recipe->name));
	char *sum = magi__json_dump(end, true);
	struct magi_error e;
	if (!sum || magi_trace_write_summary(r->trace, sum, &e))
		magi__run_stop(r, "trace_error", sum ? e.status : MAGI_ERR_NOMEM, "%s",
			       sum ? e.msg : "cannot write summary.json: out of memory");
	free(sum);
}

/* Writes report.html; returns its path (malloc'd) or NULL when it was not written. */
char *magi__run_report(struct magi_run *r)
{
	if (!r->p.report || r->trace_failed)
		return NULL;
	struct magi_error rep;
	if (magi__trace_write_report_sync(magi_trace_dir(r->trace), NULL, magi__trace_syncs_as_it_goes(r->trace),
					  &rep)) {
		MAGI_WARN("report: %s", magi_error_text(&rep));
		return NULL;
	}
	struct magi_buf b;
	magi_buf_init(&b, 0);
	magi_buf_printf(&b, "%s/report.html", magi_trace_dir(r->trace));
	return magi_buf_detach(&b, NULL);
}

void magi__run_release(struct magi_run *r)
{
	if (r->recipe && r->recipe->end)
		r->recipe->end(r);
	if (r->state_free)
		r->state_free(r->state);
	r->state = NULL;
	r->state_free = NULL;
	if (r->env)
		magi__gui_release(r);
	magi__guard_image_cache_free(r); /* video runs scan frames too */
	json_decref(r->board);
	r->board = NULL;
	magi_trace_close(r->trace);
	r->trace = NULL;
	free(r->reason);
	r->reason = NULL;
	free(r->answer);
	r->answer = NULL;
}

/* ---- screen runs ---------------------------------------------------------------------------- */

magi_status magi_run_gui_recipe(struct magi_env *env, struct magi_team *team, const struct magi_recipe *rc,
				const struct magi_run_params *p, struct magi_run_result *res, struct magi_error *err)
{
	memset(res, 0, sizeof *res);
	if (!rc || rc->kind != MAGI_RECIPE_SCREEN || !rc->decide)
		return magi_error_set(err, MAGI_ERR_INVALID, "recipe %s is not a screen recipe (it answers video questions: use magi video ask)",
				      rc && rc->name ? rc->name : "(none)");
	if (!p || !p->task || !*p->task)
		return magi_error_set(err, MAGI_ERR_INVALID, "the task is empty: say what the agent should do");
	if (!env)
		return magi_error_set(err, MAGI_ERR_INVALID, "no environment given");
	if (!team)
		return magi_error_set(err, MAGI_ERR_CONFIG, "no model team given");
	struct magi_run r = {0};
	r.recipe = rc;
	r.env = env;
	r.team = team;
	r.p = *p;
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
	r.max_steps = r.p.max_steps;
	/* the OCR engine loads while the run directory is made (a no-op when one is idle or
	 * loading already; a language that cannot load is reported by the first reading); not
	 * for an environment whose elements carry their text (a browser: OCR only for pictures).
	 * Two when the first screen is read before the first request: on two threads. */
	if (magi__gui_first_engines(&r) > 0)
		(void)magi_ocr_preload(NULL, r.first_engines, NULL);
	magi_status s = r.p.n_demos && !rc->demos
				? magi_error_set(err, MAGI_ERR_CONFIG,
						 "--demo: recipe %s does not show demonstrations to its models (single, "
						 "mobile-agent-v2, mobileuse and native do)",
						 rc->name)
				: MAGI_OK;
	if (!s && rc->setup)
		s = rc->setup(&r, err);
	if (!s)
		s = magi__demos_load(&r, err);
	if (s) {
		magi__demos_free(&r);
		return s;
	}
	json_t *start = json_pack("{s:s, s:s, s:s, s:s, s:i}", "command", "run", "task", r.p.task, "recipe", rc->name,
				  "env", magi_env_name(env), "max_steps", r.max_steps);
	if (r.n_demos) {
		json_t *dl = json_array();
		for (size_t i = 0; i < r.n_demos; i++)
			json_array_append_new(dl, json_string(r.demos[i]->source));
		json_object_set_new(start, "demos", dl);
	}
	s = magi__run_start(&r, start, err);
	json_decref(start);
	if (s) {
		magi__demos_free(&r);
		return s;
	}
	r.board = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[], s:b, s:s}", "task", r.p.task, "plan", "", "progress", "",
			    "memory", "", "notes", "", "history", "error_flag", 0, "last_error", "");
	struct magi_error rerr;
	magi_error_clear(&rerr);
	magi_status status;
	const char *reason = magi__run_loop(&r, &status, &rerr);
	/* nothing may stay pressed once the run is over (a cancel, a failing display) */
	if (!strcmp(reason, "interrupted") || !strcmp(reason, "env_error"))
		magi_env_release_input(env, NULL);
	double med = magi__gui_overhead_median(&r);
	bool success = r.finished && r.success;
	json_t *end = json_pack("{s:b, s:i, s:f}", "success", success, "steps", r.step, "overhead_ms_median", med);
	if (r.answer)
		json_object_set_new(end, "answer", json_string(r.answer));
	json_t *none = json_object();
	magi__run_end(&r, reason, end, none, &rerr);
	json_decref(none);
	json_decref(end);
	res->success = success;
	res->reason = magi__strdup(reason);
	res->answer = r.answer ? magi__strdup(r.answer) : NULL;
	res->run_dir = magi__strdup(magi_trace_dir(r.trace));
	res->steps = r.step;
	res->prompt_tokens = r.prompt_tokens;
	res->completion_tokens = r.completion_tokens;
	res->server_prompt_tokens = r.server_prompt_tokens;
	res->est_prompt_tokens = r.est_prompt_tokens;
	res->calls = r.calls;
	res->wall_ms = magi_now_ms() - r.t0;
	res->overhead_ms_median = med;
	res->report = magi__run_report(&r);
	if (r.trace_failed) {
		/* the run's record is incomplete: that, not how the task went, is the result */
		free(res->reason);
		res->reason = magi__strdup("trace_error");
		rerr = r.stop_err;
	}
	if (rerr.status && err)
		*err = rerr;
	(void)status;
	magi__demos_free(&r);
	magi__run_release(&r);
	return MAGI_OK;
}
