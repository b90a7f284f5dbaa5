/* item_gui.c — GUI-task items on the worker's own Xvfb: start the task's programs, run the
 * agent with magi_run_gui, evaluate the checkers after every step and at the end, and
 * compute SPA-Bench's task metrics. An item (or suite) whose env is browser[:URL] runs
 * on a Chromium of its own instead, started for the item and closed after it.
 *
 * Metrics (docs/eval.md):
 *   success      feasible task: every checker passes on the final state; infeasible task:
 *                the agent declared it could not be done (done with success false)
 *   actions      steps that acted on the screen (the final done/answer is not an action)
 *   step_ratio   actions / ref_steps (the reference's number of actions)
 *   early        the agent claimed success (done true, or an answer) but the checkers fail
 *   overdue      the checkers passed after step g (evaluated live after every action) and
 *                the agent still performed an action after g: it kept going past the goal
 *   termination  self_reported | gave_up | max_steps | error | the stop rule's name */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/json.h"
#include "env/env_internal.h"
#include "eval/eval_gui.h"
#include "core/common.h"

#define SETUP_WAIT_S 10  /* how long a setup step waits for its window by default */
#define SETUP_EXEC_S 30  /* how long an exec setup step may run by default */
#define MAX_SETUP 32
#define FINAL_SETTLE_MS 3000 /* how long a failing final state is re-checked */

/* ---- the worker's X server ------------------------------------------------------------- */
static magi_status xvfb_start(struct magi__eval_worker *w, const char *screen, struct magi_error *err)
{
	pid_t pid;
	int num;
	magi_status s = magi__xvfb_start(screen, true, 15000, &pid, &num, err);
	if (s)
		return s;
	magi__eval_child_add(pid);
	w->xvfb_pid = pid;
	snprintf(w->display, sizeof w->display, ":%d", num);
	/* it writes its number once it listens; make sure a client gets in */
	char spec[32];
	snprintf(spec, sizeof spec, "x11:%d", num);
	for (double end = magi_now_ms() + 10000; magi_now_ms() < end; magi_sleep_ms(50)) {
		struct magi_env *env;
		struct magi_error e;
		if (magi_env_open(spec, &env, &e) == MAGI_OK) {
			magi_env_close(env);
			return MAGI_OK;
		}
	}
	magi__eval_xvfb_stop(w);
	return magi_error_set(err, MAGI_ERR_ENV, "Xvfb %s started but accepts no connections", w->display);
}

void magi__eval_xvfb_stop(struct magi__eval_worker *w)
{
	if (w->xvfb_pid <= 0)
		return;
	kill(w->xvfb_pid, SIGTERM);
	if (magi__eval_wait(w->xvfb_pid, 3000) == -2)
		kill(w->xvfb_pid, SIGKILL);
	magi__eval_child_remove(w->xvfb_pid);
	w->xvfb_pid = 0;
	w->display[0] = '\0';
}

/* ---- setup ------------------------------------------------------------------------------- */
static void stop_group(pid_t pid)
{
	kill(-pid, SIGTERM);
	if (magi__eval_wait(pid, 2000) == -2)
		kill(-pid, SIGKILL);
	magi__eval_child_remove(pid);
}

static bool wait_window(struct magi__eval_gui_ctx *c, const char *title, double seconds)
{
	json_t *k = json_pack("[{s:s}]", "window", title);
	bool ok = false;
	for (double end = magi_now_ms() + seconds * 1000; !ok && magi_now_ms() < end;) {
		ok = magi__eval_checks(k, c, NULL);
		if (!ok)
			magi_sleep_ms(100);
	}
	json_decref(k);
	return ok;
}

/* Runs the setup list; background programs' pids go to pids[]. */
static magi_status setup(const json_t *list, struct magi__eval_gui_ctx *c, pid_t *pids, int *np, char *why,
			 size_t cap)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
	{
		const char *run = json_is_string(e) ? json_string_value(e) : magi__json_str(e, "run", NULL);
		const char *exec = magi__json_str(e, "exec", NULL);
		pid_t pid = magi__eval_shell(run ? run : exec, c);
		if (pid < 0) {
			snprintf(why, cap, "setup[%zu]: cannot start a shell: %s", i, strerror(errno));
			return MAGI_ERR_ENV;
		}
		magi__eval_child_add(pid);
		if (exec) {
			int code = magi__eval_wait(pid, magi__json_num(e, "timeout", SETUP_EXEC_S) * 1000);
			magi__eval_child_remove(pid);
			if (code != 0) {
				snprintf(why, cap, code == -2 ? "setup[%zu]: '%s' did not finish in time"
							      : "setup[%zu]: '%s' failed (exit status %d)",
					 i, exec, code);
				return MAGI_ERR_ENV;
			}
		} else if (*np < MAX_SETUP) {
			pids[(*np)++] = pid;
		}
		const char *win = magi__json_str(e, "wait_window", NULL);
		if (win && !wait_window(c, win, magi__json_num(e, "timeout", SETUP_WAIT_S))) {
			snprintf(why, cap, "setup[%zu]: no window \"%s\" appeared within %.0f s (see commands.log)", i, win,
				 magi__json_num(e, "timeout", SETUP_WAIT_S));
			return MAGI_ERR_ENV;
		}
		double sl = magi__json_num(e, "sleep", 0);
		if (sl > 0)
			magi_sleep_ms(sl * 1000);
	}
	return MAGI_OK;
}

/* ---- the run ---------------------------------------------------------------------------- */
struct watch {
	struct magi__eval_gui_ctx *ctx;
	json_t *live_checks; /* the checkers that can be read mid-run (not "answer") */
	int goal_step;       /* first step after which they all passed; -1 none */
	int last_action_step;
	int actions;
	json_t *steps;       /* per step: {step, action, goal} */
};

static bool terminal(const char *kind)
{
	return !strcmp(kind, "done") || !strcmp(kind, "answer") || !strcmp(kind, "ask_user");
}

static void on_step(void *ud, int step, const char *line)
{
	struct watch *wt = ud;
	json_error_t je;
	json_t *a = json_loads(line, JSON_DISABLE_EOF_CHECK, &je);
	const char *kind = magi__json_str(a, "action", "?");
	bool acted = !terminal(kind);
	bool goal = false;
	if (acted) {
		wt->actions++;
		wt->last_action_step = step;
		if (json_array_size(wt->live_checks)) {
			goal = magi__eval_checks(wt->live_checks, wt->ctx, NULL);
			if (goal && wt->goal_step < 0)
				wt->goal_step = step;
		}
	}
	json_array_append_new(wt->steps, json_pack("{s:i, s:s, s:b}", "step", step, "action", kind, "goal", goal));
	json_decref(a);
}

static const char *termination(const struct magi_run_result *r)
{
	if (!strcmp(r->reason, "done"))
		return r->success ? "self_reported" : "gave_up";
	if (!strcmp(r->reason, "answered"))
		return "self_reported";
	if (!strcmp(r->reason, "model_error") || !strcmp(r->reason, "env_error") || !strcmp(r->reason, "error"))
		return "error";
	return r->reason;
}

static json_t *fail(const char *msg)
{
	return json_pack("{s:b, s:f, s:s, s:s}", "success", 0, "score", 0.0, "status", "error", "error", msg);
}

json_t *magi__eval_run_gui(struct magi__eval_worker *w, const json_t *item, const char *run_dir)
{
	struct magi_error err;
	magi_error_clear(&err);
	const json_t *hdr = w->suite->header;
	/* env x11:DISPLAY: a display someone else runs (one task at a time); x11: our own;
	 * browser[:URL] (the item's own env, or the suite's): a fresh Chromium per item */
	const char *given = magi__json_str(item, "env", magi__json_str(hdr, "env", "x11"));
	bool browser = !strncmp(given, "browser", 7) && (given[7] == '\0' || given[7] == ':');
	bool own = !strcmp(given, "x11");
	if (browser)
		; /* no X server */
	else if (!own)
		snprintf(w->display, sizeof w->display, "%s%s", given[4] == ':' ? "" : ":", given + 4);
	else if (w->xvfb_pid <= 0 && xvfb_start(w, magi__json_str(hdr, "screen", "1280x720x24"), &err))
		return fail(magi_error_text(&err));
	char work[4096], logp[4096], spec[32];
	snprintf(work, sizeof work, "%s/work", run_dir);
	snprintf(logp, sizeof logp, "%s/commands.log", run_dir);
	snprintf(spec, sizeof spec, "x11%s", w->display);
	if (magi_mkdirs(work, &err))
		return fail(magi_error_text(&err));
	struct magi_env *env = NULL;
	if (magi_env_open(browser ? given : spec, &env, &err))
		return fail(magi_error_text(&err));
	struct magi__eval_gui_ctx ctx = {work, browser ? NULL : w->display, logp, env, NULL};
	pid_t pids[MAX_SETUP];
	int np = 0;
	char why[600] = "";
	json_t *res = NULL;
	const json_t *checks = json_object_get(item, "check");
	bool feasible = !magi__json_bool(item, "infeasible", false);
	struct watch wt = {&ctx, json_array(), -1, 0, 0, json_array()};
	if (setup(json_object_get(item, "setup"), &ctx, pids, &np, why, sizeof why)) {
		res = fail(why);
		goto out;
	}
	magi_sleep_ms(300); /* let the last window draw */
	for (size_t i = 0; i < json_array_size(checks); i++)
		if (!json_object_get(json_array_get(checks, i), "answer"))
			json_array_append(wt.live_checks, json_array_get(checks, i));
	/* a task whose goal holds before the agent acts tests nothing: say so in the result */
	bool pre = feasible && json_array_size(wt.live_checks) && magi__eval_checks(wt.live_checks, &ctx, NULL);
	struct magi_run_params rp = magi_run_params_default();
	rp.task = magi__json_str(item, "task", "");
	rp.recipe = w->recipe;
	rp.runs_dir = run_dir;
	rp.max_steps = (int)magi__json_int(item, "max_steps", magi__json_int(hdr, "max_steps", w->p->max_steps));
	rp.settle_ms = w->p->settle_ms;
	rp.max_wall_s = w->p->item_timeout_s * 0.9; /* end normally before the parent stops it */
	rp.guards = w->p->guards;
	rp.risk = w->p->risk;
	rp.on_step = on_step;
	rp.step_ud = &wt;
	struct magi_run_result rr;
	magi_status s = magi_run_gui(env, w->models.team, &rp, &rr, &err);
	if (s) {
		res = fail(magi_error_text(&err));
		goto out;
	}
	ctx.answer = rr.answer;
	json_t *details = NULL;
	bool pass = feasible && magi__eval_checks(checks, &ctx, &details);
	/* the last input may still be on its way (a program exiting, a file being written): a
	 * failing final state is looked at again for up to FINAL_SETTLE_MS before it counts */
	for (double until = magi_now_ms() + FINAL_SETTLE_MS; feasible && !pass && magi_now_ms() < until;) {
		magi_sleep_ms(250);
		json_decref(details);
		details = NULL;
		pass = magi__eval_checks(checks, &ctx, &details);
	}
	bool claimed = (!strcmp(rr.reason, "done") && rr.success) || !strcmp(rr.reason, "answered");
	bool success = feasible ? pass : !strcmp(rr.reason, "done") && !rr.success;
	bool overdue = feasible && wt.goal_step >= 0 && wt.last_action_step > wt.goal_step;
	long ref = magi__json_int(item, "ref_steps", 0);
	res = json_pack("{s:b, s:f, s:b, s:s, s:s, s:i, s:i, s:b, s:b, s:b, s:b, s:I, s:I, s:i, s:f, s:f, s:s, s:o, s:o}",
			"success", success, "score", success ? 1.0 : 0.0, "feasible", feasible, "termination",
			termination(&rr), "reason", rr.reason, "steps", rr.steps, "actions", wt.actions, "claimed",
			claimed, "early", feasible && claimed && !pass, "overdue", overdue, "goal_before_start", pre,
			"prompt_tokens", (json_int_t)rr.prompt_tokens, "completion_tokens",
			(json_int_t)rr.completion_tokens, "calls", rr.calls, "wall_ms", rr.wall_ms,
			"overhead_ms_median", rr.overhead_ms_median, "run_dir", rr.run_dir, "checks",
			details ? details : json_array(), "step_log", wt.steps);
	wt.steps = NULL;
	if (wt.goal_step >= 0)
		json_object_set_new(res, "goal_step", json_integer(wt.goal_step));
	if (ref > 0) {
		json_object_set_new(res, "ref_steps", json_integer(ref));
		json_object_set_new(res, "step_ratio", json_real((double)wt.actions / (double)ref));
	}
	if (rr.answer)
		json_object_set_new(res, "answer", json_string(rr.answer));
	if (!strcmp(termination(&rr), "error")) {
		json_object_set_new(res, "status", json_string("error"));
		json_object_set_new(res, "error", json_string(err.status ? magi_error_text(&err) : rr.reason));
	}
	magi_run_result_release(&rr);
out:
	for (int i = 0; i < np; i++)
		stop_group(pids[i]);
	/* windows a task left behind (programs the agent started) would show in the next
	 * task: then the next item gets a fresh X server (a browser closes with its item) */
	struct magi_obs o;
	memset(&o, 0, sizeof o);
	bool left = !browser && (magi_env_observe(env, &o, &err) != MAGI_OK || (o.text && strstr(o.text, "\n- ")));
	magi_obs_release(&o);
	magi_env_close(env);
	if (left && own)
		magi__eval_xvfb_stop(w);
	else if (left)
		MAGI_WARN("%s: windows are left on %s after task %s", w->suite->path, w->display,
			  magi__json_str(item, "id", "?"));
	json_decref(wt.live_checks);
	json_decref(wt.steps);
	return res;
}
