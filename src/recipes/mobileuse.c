/* mobileuse.c — MobileUse (Li et al., NeurIPS'25; MadeAgents/mobile-use,
 * mobile_use/agents/multi_agent.py and sub_agent.py): hierarchical reflection around an
 * operator that answers with Qwen-style <tool_call> actions.
 *   - operator: one action per step as <tool_call>{"name":"mobile_use","arguments":
 *     {"action":...}}</tool_call>; take_note writes the notes (the note taker); the first
 *     terminate(success) goes to the global reflector, which may veto it.
 *   - action reflector: outcome A/B/C/D and an error description from the screens before
 *     and after, told when the two are identical. Skipped after take_note, after a second
 *     type in a row without a coordinate (that type is not run: outcome C, "click the field
 *     first", as the paper's pre-reflection), and, reflection on demand, when the mean
 *     log-probability of the action-type tokens is above the threshold (-0.01).
 *   - progressor: the completed contents after every executed action.
 *   - trajectory reflector: every 5 steps after 3 cold steps, or when a rule detector fires
 *     (the same action 3+ times, AB-AB and ABC-ABC loops, an unchanged screen 3+ times,
 *     3+ B/C outcomes in a row); what the detectors found is put before its prompt.
 *   - global reflector: on the first finish only; "Failed" keeps the run going.
 * take_note, the pre-reflected type and a vetoed finish act on nothing, so the operator is
 * asked again on the same screen within the step (at most MAX_TURNS turns a step).
 * The tool call is read by the core's Qwen-family reader (magi_format_read_decision);
 * only take_note, which acts on nothing, is read here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "recipes/mobileuse.h"

#define MAX_TURNS 4	/* operator replies per step that act on nothing before giving up */
#define EVOKE_EVERY 5	/* trajectory reflector cadence (TrajectoryReflectorConfig) */
#define COLD_STEPS 3
#define MAX_REPEAT 3	/* same action, unchanged screen, failed outcomes */
#define MAX_RECORDS 256

static const char *const reflect_sections[] = {"outcome", "error description", NULL};
static const char *const progress_sections[] = {"completed contents", NULL};
static const char *const global_sections[] = {"result", NULL};

static magi_status check_outcome(struct magi_call *c, const struct magi_json *reply, struct magi_error *err);

static const struct magi_role roles[] = {
	{.name = "operator", .prompt = "mobileuse/operator", .parser = MAGI_PARSER_TOOL_CALL, .check = magi__mu_check_operator},
	{.name = "reflector", .prompt = "mobileuse/reflector", .parser = MAGI_PARSER_SECTIONS,
	 .sections = reflect_sections, .check = check_outcome, .bind_like = "operator"},
	{.name = "progressor", .prompt = "mobileuse/progressor", .parser = MAGI_PARSER_SECTIONS,
	 .sections = progress_sections, .bind_like = "operator"},
	{.name = "trajectory_reflector", .prompt = "mobileuse/trajectory_reflector", .parser = MAGI_PARSER_SECTIONS,
	 .sections = reflect_sections, .check = check_outcome, .bind_like = "reflector"},
	{.name = "global_reflector", .prompt = "mobileuse/global_reflector", .parser = MAGI_PARSER_SECTIONS,
	 .sections = global_sections, .bind_like = "reflector"},
};

/* One step of the trajectory, as the detectors see it. */
struct record {
	char *action;  /* canonical JSON of the model's action */
	char outcome;  /* 'A'..'D', 0: not reflected */
	bool executed; /* acted on the screen (screen comparison applies) */
	bool same;     /* the screen did not change */
	bool is_type_no_point;
};

struct state {
	double threshold; /* NAN: always reflect */
	char *knowledge;
	struct record rec[MAX_RECORDS];
	size_t n;
	int sleep;    /* steps since the trajectory reflector last ran */
	int finishes; /* terminate(success) seen */
	struct magi__mu_turn turn; /* the step's decision, for the after hook */
};

static void state_free(void *p)
{
	struct state *st = p;
	for (size_t i = 0; i < st->n; i++)
		free(st->rec[i].action);
	free(st->knowledge);
	magi__mu_turn_release(&st->turn);
	free(st);
}

char *magi__mu_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static void push_record(struct state *st, const char *action, char outcome, bool executed, bool same, bool type_np)
{
	if (st->n == MAX_RECORDS) { /* keep the recent ones: the detectors look back a few steps */
		free(st->rec[0].action);
		memmove(st->rec, st->rec + 1, (MAX_RECORDS - 1) * sizeof *st->rec);
		st->n--;
	}
	st->rec[st->n++] = (struct record){magi__mu_dup(action ? action : ""), outcome, executed, same, type_np};
}

/* ---- the operator's tool call ----------------------------------------------------------- */

/* The call (the role's parser gives {"name", "arguments"}) is read by the core's reader of
 * the Qwen family's tool calls (magi_format_read_decision); only take_note, which acts on
 * nothing, is this recipe's own. */
magi_status magi__mu_check_operator(struct magi_call *c, const struct magi_json *reply, struct magi_error *err)
{
	struct magi__mu_turn *x = magi_call_ud(c);
	free(x->note);
	x->note = NULL;
	/* the arguments as an object, or as a string holding one (as OpenAI's function calls
	 * carry them), inside an OpenAI-style "function" or not */
	const char *fn = magi_json_type_at(reply, "function") == MAGI_JSON_OBJECT ? "function.arguments" : "arguments";
	struct magi_json *args = NULL;
	if (magi_json_type_at(reply, fn) == MAGI_JSON_STRING)
		(void)magi_json_parse(magi_json_str(reply, fn, ""), &args, NULL);
	const struct magi_json *av = args ? args : magi_json_get(reply, fn);
	if (!strcmp(magi_json_str(av, "action", ""), "take_note")) {
		const char *t = magi_json_str(av, "text", "");
		bool empty = !*t; /* t lives in args, freed next */
		x->note = empty ? NULL : magi__mu_dup(t);
		magi_json_free(args);
		if (empty)
			return magi_error_set(err, MAGI_ERR_PARSE, "take_note needs the \"text\" to keep");
		return x->note ? MAGI_OK : magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	magi_json_free(args);
	char *call = magi_json_text(reply, NULL);
	struct magi_json *o = NULL, *a = NULL;
	magi_status s = call ? magi_format_read_decision(MAGI_FORMAT_QWEN25VL, call, &o, err)
			     : magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	free(call);
	if (!s && (s = magi_json_parse(magi_json_str(o, "action", ""), &a, err)))
		s = magi_error_set(err, MAGI_ERR_PARSE, "the tool call gives no action");
	/* MobileUse swipes; where the environment has no swipe (a desktop) it drags */
	if (!s && !strcmp(magi_json_str(a, "action", ""), "swipe") &&
	    !(magi_env_caps(magi_run_env(x->r)) & MAGI_ACT_BIT(MAGI_ACT_SWIPE)))
		magi_json_set_str(a, "action", "drag");
	char *js = s ? NULL : magi_json_text(a, NULL);
	magi_json_free(a);
	magi_json_free(o);
	if (!s && !js)
		s = magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	if (s)
		return s;
	s = magi_run_action_check(x->r, magi_call_client(c), js, x->d, err);
	free(js);
	x->type_no_point = !s && x->d->action.kind == MAGI_ACT_TYPE && !x->d->action.has_point;
	return s;
}

static magi_status check_outcome(struct magi_call *c, const struct magi_json *reply, struct magi_error *err)
{
	const char *o = magi_json_str(reply, "outcome", "");
	while (*o == ' ' || *o == '*' || *o == '(')
		o++;
	bool traj = magi_call_ud(c) != NULL; /* the trajectory reflector answers A or B */
	if (!*o || !strchr(traj ? "AB" : "ABCD", *o) || (o[1] && ((o[1] >= 'a' && o[1] <= 'z') || (o[1] >= 'A' && o[1] <= 'Z'))))
		return magi_error_set(err, MAGI_ERR_PARSE, "the ### Outcome ### section must be one letter: %s",
				      traj ? "A or B" : "A, B, C or D");
	return MAGI_OK;
}

/* Mean log-probability of the action-type tokens (as multi_agent.py reads them: the tokens
 * with letters between the last token naming "action" and the next comma). */
static bool action_type_logprob(const struct magi_json *lp, double *mean, char **tokens)
{
	size_t n = magi_json_len(lp, NULL);
	char p[48];
	long start = -1;
	for (size_t i = 0; i < n; i++) {
		snprintf(p, sizeof p, "%zu.token", i);
		if (strstr(magi_json_str(lp, p, ""), "action"))
			start = (long)i;
	}
	if (start < 0)
		return false;
	double sum = 0;
	int k = 0;
	struct magi_buf t;
	magi_buf_init(&t, 4096);
	for (size_t i = (size_t)start + 1; i < n; i++) {
		snprintf(p, sizeof p, "%zu.token", i);
		const char *tok = magi_json_str(lp, p, "");
		if (strchr(tok, ',') || strchr(tok, '}'))
			break;
		bool alpha = false;
		for (const char *q = tok; *q; q++)
			alpha |= (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z');
		if (!alpha)
			continue;
		snprintf(p, sizeof p, "%zu.logprob", i);
		sum += magi_json_num(lp, p, 0);
		magi_buf_puts(&t, tok);
		k++;
	}
	if (!k) {
		magi_buf_release(&t);
		return false;
	}
	*mean = sum / k;
	*tokens = magi_buf_detach(&t, NULL);
	return true;
}

/* ---- helpers ----------------------------------------------------------------------------- */

static void trace_kv(struct magi_run *r, const char *type, const char *k1, const char *v1, const char *k2, const char *v2)
{
	struct magi_json *ev = magi_json_object();
	magi_json_set_int(ev, "step", magi_run_step(r));
	if (k1)
		magi_json_set_str(ev, k1, v1 ? v1 : "");
	if (k2)
		magi_json_set_str(ev, k2, v2 ? v2 : "");
	magi_run_trace(r, type, ev);
	magi_json_free(ev);
}

static void set_error(struct magi_run *r, const char *fmt_op, const char *op, const char *why)
{
	struct magi_buf b;
	magi_buf_init(&b, 0);
	if (why && *why)
		magi_buf_printf(&b, fmt_op, op, why);
	magi_json_set_str(magi_run_board(r), "last_error", b.len ? b.data : "");
	magi_buf_release(&b);
}

/* Sends c, frees it; *out (malloc'd) gets section key of the reply when asked. */
static magi_status send_call(struct magi_run *r, struct magi_call *c, const char *key, char **out, char **out2,
			struct magi_error *err)
{
	magi_status s = magi_run_call(r, c, err);
	if (!s && out)
		*out = magi__mu_dup(magi_json_str(magi_call_reply(c), key, ""));
	if (!s && out2)
		*out2 = magi__mu_dup(magi_json_str(magi_call_reply(c), "error description", ""));
	magi_call_free(c);
	return s;
}

/* ---- hooks ------------------------------------------------------------------------------- */

static magi_status mu_setup(struct magi_run *r, struct magi_error *err)
{
	const struct magi_run_params *p = magi_run_gui_params(r);
	struct state *st = calloc(1, sizeof *st);
	if (!st)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	st->threshold = p->logprob_threshold;
	if (p->knowledge) {
		FILE *f = fopen(p->knowledge, "rb");
		struct magi_buf b;
		magi_buf_init(&b, 1u << 20);
		char chunk[4096];
		size_t n;
		while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
			if (magi_buf_append(&b, chunk, n))
				break;
		bool bad = !f || ferror(f) || !b.len || (b.max && b.len >= b.max);
		if (f)
			fclose(f);
		if (bad) {
			magi_buf_release(&b);
			free(st);
			return magi_error_set(err, MAGI_ERR_CONFIG, "--knowledge %s: %s", p->knowledge,
					      !f ? "cannot open the file" : b.len ? "the file is larger than 1 MiB" : "the file is empty");
		}
		/* a file written by magi explore is JSON with the record in "knowledge"; any
		 * other file is taken as it is */
		struct magi_json *j = NULL;
		const char *k = NULL;
		if (!magi_json_parse(b.data, &j, NULL) && (k = magi_json_str(j, "knowledge", NULL)) && *k)
			st->knowledge = magi__mu_dup(k);
		else
			st->knowledge = magi_buf_detach(&b, NULL);
		magi_json_free(j);
		magi_buf_release(&b);
	}
	magi_run_set_state(r, st, state_free);
	/* the trajectory reflector deals with loops first; the core's rules stay as a backstop */
	magi_run_set_loop_limits(r, 2 * MAX_REPEAT, 2 * MAX_REPEAT);
	return MAGI_OK;
}

static magi_status mu_begin(struct magi_run *r, struct magi_error *err)
{
	(void)err;
	magi_run_board_set_str(r, "trajectory_advice", "");
	struct state *st = magi_run_state(r);
	struct magi_json *ev = magi_json_object();
	if (isnan(st->threshold))
		magi_json_set_str(ev, "reflection_on_demand", "off");
	else
		magi_json_set_num(ev, "logprob_threshold", st->threshold);
	magi_json_set_bool(ev, "knowledge", st->knowledge != NULL);
	magi_run_trace(r, "mobileuse", ev);
	magi_json_free(ev);
	return MAGI_OK;
}

static void tools_doc(struct magi_run *r, struct magi_buf *o)
{
	uint32_t caps = magi_env_caps(magi_run_env(r));
	static const struct { enum magi_action_kind k; const char *doc; } t[] = {
		{MAGI_ACT_CLICK, "click: click at coordinate [x, y]"},
		{MAGI_ACT_DOUBLE_CLICK, "double_click: double-click at coordinate"},
		{MAGI_ACT_RIGHT_CLICK, "right_click: right-click at coordinate"},
		{MAGI_ACT_LONG_PRESS, "long_press: press at coordinate for time seconds"},
		{MAGI_ACT_SWIPE, "swipe: from coordinate to coordinate2"},
		{MAGI_ACT_DRAG, "swipe: drag from coordinate to coordinate2"},
		{MAGI_ACT_TYPE, "type: type text into the focused field, or click coordinate first when given"},
		{MAGI_ACT_KEY, "key: press the key or combination in text (\"Return\", \"ctrl+s\")"},
		{MAGI_ACT_SCROLL, "scroll: scroll text (up/down/left/right) at coordinate"},
		{MAGI_ACT_BACK, "system_button: press button Back, Home or Enter"},
		{MAGI_ACT_OPEN_APP, "open: open the app named text"},
		{MAGI_ACT_WAIT, "wait: wait time seconds"},
	};
	bool swipe = false;
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		if (!(caps & MAGI_ACT_BIT(t[i].k)) || (t[i].k == MAGI_ACT_DRAG && swipe))
			continue;
		swipe |= t[i].k == MAGI_ACT_SWIPE;
		magi_buf_printf(o, "* %s\\n", t[i].doc);
	}
	magi_buf_puts(o, "* answer: give the answer text when the task asks a question\\n"
			 "* take_note: keep text that later steps need (acts on nothing)\\n"
			 "* terminate: end the task with status success or failure");
}

void magi__mu_turn_release(struct magi__mu_turn *t)
{
	free(t->note);
	free(t->lp_tokens);
	t->note = t->lp_tokens = NULL;
	t->have_lp = false;
}

magi_status magi__mu_operator_turn(struct magi_run *r, const char *role, const char *knowledge, bool logprobs,
				   struct magi__mu_turn *x, struct magi_error *err)
{
	struct magi_call *c;
	magi_status s = magi_call_new(r, role, &c, err);
	if (s)
		return s;
	struct magi_buf b;
	magi_buf_init(&b, 0);
	tools_doc(r, &b);
	magi_call_set(c, "tools", b.data);
	magi_buf_reset(&b);
	if (knowledge)
		magi_buf_printf(&b, "Knowledge from exploring this environment before (use it where it helps):\n%s\n\n", knowledge);
	magi_call_set(c, "knowledge", b.data);
	magi_buf_release(&b);
	/* demonstrations (--demo) go before the current screenshot, as in magi_run_decide */
	if ((s = magi_call_add_demos(c, err))) {
		magi_call_free(c);
		return s;
	}
	magi_call_screen(c, false, "Current screenshot:");
	magi_call_set_logprobs(c, logprobs);
	magi_call_set_ud(c, x);
	if (!magi_call_client(c)) {
		magi_call_free(c);
		return magi_error_set(err, MAGI_ERR_CONFIG, "no model for role %s", role);
	}
	if ((s = magi_run_call(r, c, err))) {
		magi_call_free(c);
		return s;
	}
	const char *text = magi_call_text(c);
	const char *desc = text ? strstr(text, "Action:") : NULL;
	const char *th = text ? strstr(text, "<thinking>") : NULL;
	free(x->d->operation);
	free(x->d->thought);
	x->d->operation = NULL;
	x->d->thought = NULL;
	if (desc) {
		desc += 7;
		while (*desc == ' ')
			desc++;
		size_t n = strcspn(desc, "\n");
		x->d->operation = strndup(desc, n);
	}
	if (th) {
		th += 10;
		const char *e = strstr(th, "</thinking>");
		x->d->thought = strndup(th, e ? (size_t)(e - th) : strcspn(th, "<"));
	}
	magi_call_cost(c, &x->d->prompt_tokens, &x->d->completion_tokens, &x->d->latency_ms);
	free(x->lp_tokens);
	x->lp_tokens = NULL;
	x->have_lp = !x->note && action_type_logprob(magi_call_logprobs(c), &x->mean_lp, &x->lp_tokens);
	magi_call_free(c);
	return MAGI_OK;
}

/* The global reflector on the first finish: true when it agrees the task is done. */
static magi_status global_check(struct magi_run *r, bool *ok, char **reason, struct magi_error *err)
{
	struct magi_call *c;
	magi_status s = magi_call_new(r, "global_reflector", &c, err);
	if (s)
		return s;
	magi_call_screen(c, false, "The screen now:");
	char *res = NULL;
	if ((s = magi_run_call(r, c, err))) {
		magi_call_free(c);
		return s;
	}
	res = magi__mu_dup(magi_json_str(magi_call_reply(c), "result", ""));
	*reason = magi__mu_dup(magi_json_str(magi_call_reply(c), "reason", ""));
	magi_call_free(c);
	*ok = !(res && strcasestr(res, "fail"));
	free(res);
	return MAGI_OK;
}

static magi_status mu_decide(struct magi_run *r, struct magi_decision *d, struct magi_error *err)
{
	struct state *st = magi_run_state(r);
	struct magi__mu_turn *x = &st->turn;
	magi__mu_turn_release(x);
	x->r = r;
	x->d = d;
	magi_status s = MAGI_OK;
	for (int turn = 0; turn < MAX_TURNS; turn++) {
		magi_decision_release(d);
		if ((s = magi__mu_operator_turn(r, "operator", st->knowledge, !isnan(st->threshold), x, err)))
			break;
		if (x->note) { /* the note taker: kept, nothing acted, nothing to reflect on */
			const char *old = magi_json_str(magi_run_board(r), "notes", "");
			struct magi_buf b;
			magi_buf_init(&b, 0);
			magi_buf_printf(&b, "%s%s%s", old, *old ? "\n" : "", x->note);
			magi_json_set_str(magi_run_board(r), "notes", b.data);
			magi_buf_release(&b);
			trace_kv(r, "note", "text", x->note, NULL, NULL);
			trace_kv(r, "reflection_skipped", "reason", "take_note", NULL, NULL);
			magi_run_history_add(r, "take note", "{\"action\":\"take_note\"}", "noted");
			push_record(st, "{\"action\":\"take_note\"}", 0, false, false, false);
			continue;
		}
		struct magi_buf mj;
		magi_buf_init(&mj, 0);
		magi_action_to_json(&d->action, &mj);
		bool prev_type = st->n && st->rec[st->n - 1].is_type_no_point;
		if (x->type_no_point && prev_type) {
			/* pre-reflection: a second type in a row without a coordinate would type into
			 * whatever has focus; it is not run and counts as no change */
			const char *why = "Action executed failed. You should first click the corresponding text field before typing in text.";
			trace_kv(r, "reflection_skipped", "reason", "repeated_type", "outcome", "C");
			magi_run_history_add(r, d->operation, mj.data, "C: not run, a type again without a coordinate");
			set_error(r, "The last action (%s) failed: %s", mj.data, why);
			push_record(st, mj.data, 'C', false, false, false);
			magi_buf_release(&mj);
			continue;
		}
		if (d->action.kind == MAGI_ACT_DONE && d->action.success && st->finishes++ == 0) {
			bool ok = true;
			char *reason = NULL;
			if ((s = global_check(r, &ok, &reason, err))) {
				magi_buf_release(&mj);
				break;
			}
			trace_kv(r, "global_reflection", "result", ok ? "Success" : "Failed", "reason", reason);
			if (!ok) {
				magi_run_say(r, "global reflector: not finished yet: %s", reason ? reason : "");
				magi_run_history_add(r, d->operation, mj.data, "finish refused by the global reflector");
				set_error(r, "You said the task was finished (%s), but a check found it is not: %s Continue the task.",
					  mj.data, reason && *reason ? reason : "no reason given.");
				push_record(st, mj.data, 'B', false, false, false);
				free(reason);
				magi_buf_release(&mj);
				continue;
			}
			free(reason);
		}
		magi_buf_release(&mj);
		return MAGI_OK;
	}
	if (!s) {
		magi_decision_release(d);
		s = magi_error_set(err, MAGI_ERR_MODEL, "the operator gave no action to run in %d turns of step %d", MAX_TURNS,
				   magi_run_step(r));
	}
	return s;
}

/* The rule detectors over the trajectory (TrajectoryReflector.detect): messages in b. */
static int detect(const struct state *st, struct magi_buf *b)
{
	size_t n = st->n;
	int found = 0;
	if (!n)
		return 0;
	const struct record *R = st->rec;
	int rep = 1;
	for (size_t i = n - 1; i-- > 0 && !strcmp(R[i].action, R[n - 1].action);)
		rep++;
	if (rep >= MAX_REPEAT && !strstr(R[n - 1].action, "\"wait\"")) {
		magi_buf_printf(b, "- The action %s has been repeated %d times in a row. If you are stuck on a page, change your action.\n",
				R[n - 1].action, rep);
		found++;
	}
#define SAME(i, j) (!strcmp(R[n - (i)].action, R[n - (j)].action))
	if (n >= 4 && !SAME(1, 2) && SAME(1, 3) && SAME(2, 4)) {
		magi_buf_puts(b, "- The last two actions are being repeated in a loop (A, B, A, B). Do not repeat them; try something else.\n");
		found++;
	}
	if (n >= 6 && !SAME(1, 2) && SAME(1, 4) && SAME(2, 5) && SAME(3, 6)) {
		magi_buf_puts(b, "- The last three actions are being repeated in a loop (A, B, C, A, B, C). Do not repeat them; try something else.\n");
		found++;
	}
#undef SAME
	int same = 0; /* steps that acted on nothing (a note, a vetoed finish) are passed over */
	for (size_t i = n; i-- > 0 && (!R[i].executed || R[i].same);)
		same += R[i].executed;
	if (same >= MAX_REPEAT) {
		magi_buf_printf(b, "- The screen has not changed after the last %d actions. You may be stuck; change your action.\n", same);
		found++;
	}
	int fails = 0;
	for (size_t i = n; i-- > 0 && (R[i].outcome == 'B' || R[i].outcome == 'C');)
		fails++;
	if (fails >= MAX_REPEAT) {
		magi_buf_printf(b, "- The last %d actions failed (outcome B or C). Change your approach.\n", fails);
		found++;
	}
	return found;
}

static magi_status trajectory(struct magi_run *r, struct state *st, struct magi_error *err)
{
	struct magi_buf det;
	magi_buf_init(&det, 0);
	int found = detect(st, &det);
	int step = magi_run_step(r);
	if ((step % EVOKE_EVERY && !found) || st->sleep < COLD_STEPS) {
		st->sleep++;
		if (found) {
			struct magi_json *ev = magi_json_object();
			magi_json_set_int(ev, "step", step);
			magi_json_set_str(ev, "detected", det.data);
			magi_json_set_str(ev, "skipped", "cold steps");
			magi_run_trace(r, "trajectory_reflection", ev);
			magi_json_free(ev);
		}
		magi_buf_release(&det);
		return MAGI_OK;
	}
	st->sleep = 0;
	struct magi_call *c;
	magi_status s = magi_call_new(r, "trajectory_reflector", &c, err);
	if (s) {
		magi_buf_release(&det);
		return s;
	}
	struct magi_buf txt;
	magi_buf_init(&txt, 0);
	if (found)
		magi_buf_printf(&txt, "Problems found by rule checks of the trajectory:\n%s", det.data);
	magi_call_set(c, "detected", txt.data);
	magi_buf_release(&txt);
	magi_call_set_ud(c, st); /* marks the A/B outcome check */
	char *outcome = NULL, *why = NULL;
	if ((s = send_call(r, c, "outcome", &outcome, &why, err))) {
		magi_buf_release(&det);
		return s;
	}
	struct magi_json *ev = magi_json_object();
	magi_json_set_int(ev, "step", step);
	magi_json_set_str(ev, "detected", det.data);
	magi_json_set_str(ev, "outcome", outcome ? outcome : "");
	magi_json_set_str(ev, "error", why ? why : "");
	magi_run_trace(r, "trajectory_reflection", ev);
	magi_json_free(ev);
	struct magi_buf adv;
	magi_buf_init(&adv, 0);
	if (outcome && *outcome == 'B')
		magi_buf_printf(&adv, "Trajectory check: %s%s", found ? det.data : "", why ? why : "");
	magi_run_board_set_str(r, "trajectory_advice", adv.len ? adv.data : "");
	magi_buf_release(&adv);
	magi_buf_release(&det);
	free(outcome);
	free(why);
	return MAGI_OK;
}

static magi_status mu_after(struct magi_run *r, const struct magi_decision *d, struct magi_error *err)
{
	struct state *st = magi_run_state(r);
	struct magi_buf mj;
	magi_buf_init(&mj, 0);
	magi_action_to_json(&d->action, &mj);
	const struct magi_image *b = magi_run_screenshot(r, true), *a = magi_run_screenshot(r, false);
	int box[4] = {0, 0, 0, 0};
	if (a && b)
		magi_image_diff(b, a, 8, box);
	bool same = a && b && box[2] == 0;
	bool type_np = d->action.kind == MAGI_ACT_TYPE && !d->action.has_point;
	char outcome = 0;
	char *why = NULL;
	magi_status s = MAGI_OK;
	if (!isnan(st->threshold) && st->turn.have_lp && st->turn.mean_lp > st->threshold) {
		struct magi_json *ev = magi_json_object();
		magi_json_set_int(ev, "step", magi_run_step(r));
		magi_json_set_str(ev, "reason", "confident");
		magi_json_set_num(ev, "mean_logprob", st->turn.mean_lp);
		magi_json_set_num(ev, "threshold", st->threshold);
		magi_json_set_str(ev, "tokens", st->turn.lp_tokens ? st->turn.lp_tokens : "");
		magi_run_trace(r, "reflection_skipped", ev);
		magi_json_free(ev);
	} else {
		struct magi_call *c;
		if ((s = magi_call_new(r, "reflector", &c, err))) {
			magi_buf_release(&mj);
			return s;
		}
		magi_call_set(c, "action", mj.data);
		magi_call_set(c, "operation", d->operation && *d->operation ? d->operation : "(not described)");
		magi_call_set(c, "same_screen", same ? "Note: the screenshots before and after the action are identical." : "");
		magi_call_screen(c, true, "Screenshot before the action:");
		magi_call_screen(c, false, "Screenshot after the action:");
		char *o = NULL;
		if ((s = send_call(r, c, "outcome", &o, &why, err))) {
			magi_buf_release(&mj);
			return s;
		}
		while (o && (*o == ' ' || *o == '*' || *o == '('))
			memmove(o, o + 1, strlen(o));
		outcome = o ? *o : 'D';
		free(o);
		struct magi_json *ev = magi_json_object();
		magi_json_set_int(ev, "step", magi_run_step(r));
		char v[2] = {outcome, 0};
		static const char *const mean[] = {"as expected", "wrong page", "no change", "uncertain"};
		char next[32];
		snprintf(next, sizeof next, "step-%03d.jpg", magi_run_step(r) + 1);
		/* the fields trace show and the report read (verdict, meaning, thought, image_after) */
		magi_json_set_str(ev, "verdict", v);
		magi_json_set_str(ev, "meaning", outcome >= 'A' && outcome <= 'D' ? mean[outcome - 'A'] : "");
		magi_json_set_str(ev, "thought", why ? why : "");
		magi_json_set_str(ev, "image_after", next);
		magi_json_set_bool(ev, "same_screen", same);
		if (!isnan(st->threshold)) {
			if (st->turn.have_lp)
				magi_json_set_num(ev, "mean_logprob", st->turn.mean_lp);
			else
				magi_json_set_str(ev, "logprobs", "none: the server returned no logprobs, so reflection always runs");
		}
		magi_run_trace(r, "reflection", ev);
		magi_json_free(ev);
	}
	push_record(st, mj.data, outcome, true, same, type_np);
	static const char *const meaning[] = {"A: as expected", "B: wrong page", "C: no change", "D: uncertain"};
	magi_run_history_add(r, d->operation, mj.data, outcome ? meaning[outcome - 'A'] : "not reflected");
	if (outcome == 'B' || outcome == 'C')
		set_error(r, "The last action (%s) failed: %s", mj.data, why && *why ? why : meaning[outcome - 'A']);
	else
		magi_json_set_str(magi_run_board(r), "last_error", "");
	/* progressor */
	struct magi_call *c;
	if (!(s = magi_call_new(r, "progressor", &c, err))) {
		magi_call_set(c, "action", mj.data);
		magi_call_set(c, "operation", d->operation ? d->operation : "");
		struct magi_buf e;
		magi_buf_init(&e, 0);
		if (outcome == 'B' || outcome == 'C')
			magi_buf_printf(&e, "The latest action failed: %s\n", why && *why ? why : meaning[outcome - 'A']);
		magi_call_set(c, "reflection_error", e.data);
		magi_buf_release(&e);
		char *prog = NULL;
		if (!(s = send_call(r, c, "completed contents", &prog, NULL, err)))
			magi_run_board_set_str(r, "progress", prog ? prog : "");
		free(prog);
	}
	free(why);
	magi_buf_release(&mj);
	return s ? s : trajectory(r, st, err);
}

static const char *const aliases[] = {"mobile-use", "mobile_use", NULL};

const struct magi_recipe magi__recipe_mobileuse = {
	.name = "mobileuse",
	.description = "MobileUse: tool-call operator, action/trajectory/global reflectors, progressor, notes, reflection on demand",
	.kind = MAGI_RECIPE_SCREEN,
	MAGI_RECIPE_ROLES(roles),
	.aliases = aliases,
	.setup = mu_setup,
	.begin = mu_begin,
	.decide = mu_decide,
	.after = mu_after,
	.demos = true,
};
