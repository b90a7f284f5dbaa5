/* recipe.c — a complete agent loop written outside magi, with the public recipe API only
 * (magi/recipe.h): act-then-verify. A decision role proposes an action; a verifier role
 * sees the screenshot and the same screenshot with the action drawn on it in red, and
 * approves or vetoes it. A veto goes back to the decision role as a note, and its next
 * proposal is verified again but can no longer be vetoed (one veto per step), so a
 * stubborn verifier cannot stall the run.
 *
 * Build against an installed magi:
 *   cc -o recipe examples/recipe.c $(pkg-config --cflags --libs magi)
 * Run (models from MAGI_BASE_URL / magi.yaml, as `magi run` takes them):
 *   MAGI_BASE_URL=http://127.0.0.1:8080/v1 ./recipe --env x11:99 "Close the dialog with Cancel"
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <magi/magi.h>

/* ---- the roles: each a template, a parser and the sections it must have -------------------- */

static const char decision_prompt[] =
	"You operate a computer screen for a person.\n\n"
	"Task: {{task}}\n\n"
	"The screenshot above shows the screen now. Text recognised on it, with the centre of each line:\n"
	"{{perception}}\n\n"
	"What you have done so far:\n{{history}}\n{{board.last_error}}\n\n"
	"{{coords}}\n\n"
	"Choose ONE next action from this list (JSON):\n{{actions}}\n"
	"Reply in exactly this format:\n"
	"### Thought ###\nWhat you see and why this action.\n"
	"### Action ###\nOne JSON object from the list above.\n"
	"### Operation ###\nA short description, e.g. \"Click the Cancel button\".\n";

static const char verifier_prompt[] =
	"You check an agent's next action before it is carried out.\n\n"
	"Task: {{task}}\n"
	"Proposed action: {{operation}} {{action}}\n\n"
	"Above are the screenshot and the same screenshot with the proposed action drawn on it in red\n"
	"(a ring and a cross where it clicks). Does the red mark sit on the element the task means?\n"
	"Reply in exactly this format:\n"
	"### Verdict ###\napprove or veto\n"
	"### Reason ###\nOne sentence: what the red mark is on.\n";

static const char *const action_sections[] = {"action", NULL};
static const char *const verdict_sections[] = {"verdict", NULL};

/* Whether text starts with word, whatever the case ("Veto." is a veto). */
static bool starts(const char *text, const char *word)
{
	for (; *word; text++, word++)
		if (tolower((unsigned char)*text) != *word)
			return false;
	return true;
}

/* The verdict must be one of two words: anything else goes back to the model. */
static magi_status check_verdict(struct magi_call *c, const struct magi_json *reply, struct magi_error *err)
{
	(void)c;
	const char *v = magi_json_str(reply, "verdict", "");
	if (!starts(v, "approve") && !starts(v, "veto"))
		return magi_error_set(err, MAGI_ERR_PARSE, "the ### Verdict ### section must say approve or veto");
	return MAGI_OK;
}

static const struct magi_role roles[] = {
	{.name = "decision", .prompt = "act-then-verify/decision", .prompt_text = decision_prompt,
	 .parser = MAGI_PARSER_SECTIONS, .sections = action_sections},
	/* by default the verifier is the decision's model looking again; --role binds another */
	{.name = "verifier", .prompt = "act-then-verify/verifier", .prompt_text = verifier_prompt,
	 .parser = MAGI_PARSER_SECTIONS, .sections = verdict_sections, .check = check_verdict, .bind_like = "decision"},
};

/* ---- the hook ---------------------------------------------------------------------------- */

/* Asks the verifier about d; *veto says what it decided. Traces a "verify" event. */
static magi_status verify(struct magi_run *r, const struct magi_decision *d, bool may_veto, bool *veto,
			  char *reason, size_t reason_n, struct magi_error *err)
{
	struct magi_call *c = NULL;
	magi_status s = magi_call_new(r, "verifier", &c, err);
	if (s)
		return s;
	struct magi_buf aj;
	magi_buf_init(&aj, 0);
	magi_action_to_json(&d->action, &aj);
	magi_call_set(c, "operation", d->operation ? d->operation : "");
	magi_call_set(c, "action", aj.data);
	magi_call_screen(c, false, "Screenshot:");
	magi_call_screen_action(c, &d->screen, "The same screenshot with the proposed action drawn in red:");
	if (!(s = magi_run_call(r, c, err))) {
		const struct magi_json *rep = magi_call_reply(c);
		bool said_veto = starts(magi_json_str(rep, "verdict", ""), "veto");
		*veto = said_veto && may_veto;
		snprintf(reason, reason_n, "%s", magi_json_str(rep, "reason", ""));
		struct magi_json *ev = magi_json_object();
		magi_json_set_int(ev, "step", magi_run_step(r));
		magi_json_set_str(ev, "verdict", said_veto ? "veto" : "approve");
		magi_json_set_bool(ev, "overruled", said_veto && !may_veto);
		magi_json_set_str(ev, "reason", reason);
		struct magi_json *a = NULL;
		if (magi_json_parse(aj.data, &a, NULL) == MAGI_OK)
			magi_json_set(ev, "action", a);
		s = magi_run_trace(r, "verify", ev);
		magi_json_free(ev);
	}
	magi_buf_release(&aj);
	magi_call_free(c);
	return s;
}

static magi_status decide(struct magi_run *r, struct magi_decision *d, struct magi_error *err)
{
	magi_status s = magi_run_decide(r, "decision", d, err);
	for (int round = 0; !s; round++) {
		enum magi_action_kind k = d->action.kind;
		if (k == MAGI_ACT_DONE || k == MAGI_ACT_ANSWER || k == MAGI_ACT_ASK_USER || k == MAGI_ACT_WAIT)
			return MAGI_OK; /* nothing on the screen to check */
		bool veto = false;
		char why[512];
		if ((s = verify(r, d, round == 0, &veto, why, sizeof why, err)))
			break;
		if (!veto) {
			if (round) /* the veto was heard: the next step starts without it */
				magi_run_board_set_str(r, "last_error", "");
			break;
		}
		char note[768];
		snprintf(note, sizeof note, "The verifier vetoed your last proposal (%s): %s Propose a different action.",
			 d->operation ? d->operation : "", why);
		magi_run_board_set_str(r, "last_error", note);
		magi_decision_release(d);
		s = magi_run_decide(r, "decision", d, err);
	}
	return s;
}

static const struct magi_recipe act_then_verify = {
	.name = "act-then-verify",
	.description = "a decision role proposes, a verifier sees the action drawn on the screen and may veto it once",
	.kind = MAGI_RECIPE_SCREEN, MAGI_RECIPE_ROLES(roles), .decide = decide};

/* ---- a small program around it ------------------------------------------------------------ */

static void on_step(void *ud, int step, const char *line)
{
	(void)ud;
	printf("step %2d  %s\n", step, line);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct magi_run_params p = magi_run_params_default();
	const char *env_spec = "x11";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			printf("usage: %s [--env SPEC] [--runs DIR] [--max-steps N] \"TASK\"\n"
			       "The act-then-verify recipe on a screen (models: MAGI_BASE_URL, MAGI_API_KEY, magi.yaml).\n",
			       argv[0]);
			return 0;
		} else if (!strcmp(argv[i], "--env") && i + 1 < argc) {
			env_spec = argv[++i];
		} else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			p.runs_dir = argv[++i];
		} else if (!strcmp(argv[i], "--max-steps") && i + 1 < argc) {
			p.max_steps = (int)strtol(argv[++i], NULL, 10);
		} else if (argv[i][0] == '-' || p.task) {
			fprintf(stderr, "recipe: unexpected argument '%s' (see --help)\n", argv[i]);
			return 2;
		} else {
			p.task = argv[i];
		}
	}
	if (!p.task) {
		fprintf(stderr, "recipe: no task given (see --help)\n");
		return 2;
	}
	struct magi_error err;
	if (magi_recipe_register(&act_then_verify, &err)) {
		fprintf(stderr, "recipe: %s\n", magi_error_text(&err));
		return 3;
	}
	struct magi_config *cfg = NULL;
	struct magi_model_params mp;
	struct magi_client *client = NULL;
	struct magi_team *team = NULL;
	struct magi_env *env = NULL;
	int rc = 3;
	if (magi_config_load(NULL, &cfg, &err) || magi_config_model(cfg, NULL, &mp, &err) ||
	    magi_client_new(&mp, &client, &err) || magi_team_new(client, &team) ||
	    magi_env_open(env_spec, &env, &err)) {
		fprintf(stderr, "recipe: %s\n", magi_error_text(&err));
		goto out;
	}
	p.recipe = act_then_verify.name; /* registered: chosen by name like any built-in */
	p.on_step = on_step;
	struct magi_run_result res;
	if (magi_run_gui(env, team, &p, &res, &err)) {
		fprintf(stderr, "recipe: %s\n", magi_error_text(&err));
		goto out;
	}
	printf("ended: %s (%s) after %d step%s, %d model calls, %ld+%ld tokens\n", res.reason,
	       res.success ? "success" : "not done", res.steps, res.steps == 1 ? "" : "s", res.calls,
	       res.prompt_tokens, res.completion_tokens);
	printf("trace:  %s/trace.jsonl\n", res.run_dir);
	if (res.report)
		printf("report: %s\n", res.report);
	rc = res.success ? 0 : !strcmp(res.reason, "trace_error") ? 3 : 1;
	magi_run_result_release(&res);
out:
	magi_env_close(env);
	magi_team_free(team);
	magi_client_free(client);
	magi_config_free(cfg);
	return rc;
}
