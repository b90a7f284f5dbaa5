/*
 * magi/agent.h — agents that look at a screen and act: a team of models bound to roles,
 * a run loop with budgets and stop rules, and recipes (published agent loops) built on it.
 *
 * A role is a prompt template (prompts/<recipe>/<role>.txt, compiled in, overridable with
 * a directory), a model (the team's client for that role) and an output parser, with a
 * bounded repair retry that shows the model its parse error.
 */
#ifndef MAGI_AGENT_H
#define MAGI_AGENT_H
#include "magi/core.h"
#include "magi/env.h"
#include "magi/model.h"
#include "magi/trace.h"
#include "magi/guard.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- teams ------------------------------------------------------------------------ */
/* Which client answers which role. Clients are borrowed: they must outlive the team. */
struct magi_team;
MAGI_API magi_status magi_team_new(struct magi_client *default_client, struct magi_team **out);
MAGI_API void magi_team_free(struct magi_team *t);
MAGI_API magi_status magi_team_bind(struct magi_team *t, const char *role, struct magi_client *c);
/* The client for role (the default one when the role is not bound). */
MAGI_API struct magi_client *magi_team_client(const struct magi_team *t, const char *role);

/* ---- recipes ---------------------------------------------------------------------- */
/* Names of the registered screen recipes, a NULL-terminated list (the built-ins:
 * "single", "mobile-agent-v2", "ponder-press"); valid until the next magi_recipe_register (magi/recipe.h
 * writes and registers new ones). */
MAGI_API const char *const *magi_recipe_names(void);
/* One line describing the registered recipe of that name or alias (screen or video);
 * NULL for an unknown name. */
MAGI_API const char *magi_recipe_describe(const char *name);

/* ---- runs ------------------------------------------------------------------------- */
/* Called when the model asks the person something; returns a malloc'd answer, or NULL
 * to end the run. */
typedef char *(*magi_ask_fn)(void *ud, const char *question);
/* Called when the risk gate says an action needs the person's confirmation; returns true
 * to let it through. NULL: an ask-tier action is refused (unless the policy says yes). */
typedef bool (*magi_confirm_fn)(void *ud, const char *action_json, const char *reason);
/* Called once per finished step with a one-line description (for terminal progress). */
typedef void (*magi_step_fn)(void *ud, int step, const char *line);

struct magi_run_params {
	const char *task;
	const char *recipe;      /* a registered screen recipe: "single", "mobile-agent-v2" (default),
				    "ponder-press" */
	const char *prompts_dir; /* overrides compiled-in prompts (NULL: built-in) */
	const char *runs_dir;    /* default "runs" */
	int max_steps;           /* default 20 */
	long max_tokens;         /* prompt+completion over the run; 0 = no limit */
	double max_wall_s;       /* 0 = no limit */
	int repair_attempts;     /* re-asks after an unusable reply; default 3 */
	int repeat_limit;        /* same action this many times in a row ends the run; default 3 */
	int unchanged_limit;     /* screen unchanged after this many actions in a row ends it; default 3 */
	bool ocr;                /* OCR each screenshot for the perception list; default true */
	bool icons;              /* icon perception (Mobile-Agent-v2): non-text elements found
				    on each screenshot, captioned by the role "captioner" (cached
				    per crop for the run), listed as "icon: CAPTION" at their
				    centres in the perception list; default false */
	double settle_ms;        /* wait after acting before observing; default 300 */
	bool observe_after;      /* observe the screen after each action (for the next step and
				    the recipe's after hook); default true. false: the screen the
				    action was chosen on stays the current one — for a screen
				    that actions do not change (an image environment) */
	magi_ask_fn ask;         /* NULL: ask_user ends the run (reason "ask_user") */
	void *ask_ud;
	magi_step_fn on_step;
	void *step_ud;
	bool report;             /* write report.html at the end; default true */
	uint32_t trace_max_pixels; /* step images in the trace (JPEG) scaled down to at most
				      this many pixels, as a model image is; 0 (default): as
				      captured. When set, a step image is saved after the
				      decision: the JPEG a model was sent of the step's screen
				      (whole, within this many pixels) is written as it is */
	bool trace_sync;         /* sync the trace to disk as it is written: each event soon
				    after it, every line before an action, each image and file;
				    default true. false: all of it is still written and checked,
				    but only trace.jsonl is synced, once, when the run ends — for
				    a run whose actions change nothing (an image environment) and
				    whose caller keeps its own durable record (an eval's
				    results.jsonl); a power cut may lose the rest */
	/* guards (on by default) */
	bool guards;             /* PII redaction, injection marking, risk gate; default true */
	struct magi_risk_policy risk; /* tiers per category; risk.yes is --yes */
	const struct magi_secret_list *secrets; /* user secrets: the model sees <secret:NAME> */
	const char *const *allowlist; /* allowed domains (empty: no domain rule) */
	size_t n_allowlist;
	magi_confirm_fn confirm;
	void *confirm_ud;
	int deny_limit;          /* this many refused actions in a row end the run; default 3 */
	/* mobileuse: reflection on demand skips the action reflector when the mean
	 * log-probability of the action-type tokens is above this (default -0.01; NAN: always
	 * reflect); knowledge: a file whose text is added to the operator's prompt (written by
	 * magi explore), NULL: none */
	double logprob_threshold;
	const char *knowledge;
	int pii_reread;          /* second readings of small text per observation, in the units of
				    magi_pii_params.reread_budget; default MAGI_PII_REREAD_BUDGET */
	/* Stops the run cleanly when *cancel becomes non-zero (a signal handler may set it; the
	 * run only reads it): no new model call or action starts, a call in flight is dropped,
	 * held input is released, and the run ends with reason "interrupted". NULL: never. */
	const volatile int *cancel;
	/* Demonstrations (AdaptAgent): recorded successful runs, or directories `magi trace
	 * export-demo` wrote, shown to the decision role of every step as worked examples
	 * (task, downscaled screenshots, actions) before the current screen. A path that is
	 * none of these fails the run before it starts (MAGI_ERR_CONFIG naming it). */
	const char *const *demos;
	size_t n_demos;
	long demo_tokens; /* their budget in estimated prompt tokens per decision request:
			     whole demonstrations that do not fit are left out, then screenshots
			     (the last ones first) until the rest fits; default MAGI_DEMO_TOKENS */
};
#define MAGI_DEMO_TOKENS 2000
#define MAGI_DEMO_MAX_SIDE 480 /* demonstration screenshots are shrunk to this longer side */
MAGI_API struct magi_run_params magi_run_params_default(void);

struct magi_run_result {
	bool success;
	char *reason;   /* owned: "done", "answered", "max_steps", "repeated_action", "unchanged_screen",
			   "token_budget", "time_budget", "ask_user", "denied", "model_error", "env_error",
			   "interrupted" (cancel), "trace_error" (the trace could not be written: the run
			   stopped before its next action; err says why) */
	char *answer;   /* owned; final answer text if any */
	char *run_dir;  /* owned */
	int steps;
	long prompt_tokens, completion_tokens;
	int calls;
	double wall_ms;
	double overhead_ms_median; /* magi's own time per step, model time excluded */
	char *report;   /* owned: the path of report.html when it was written, else NULL */
	long server_prompt_tokens, est_prompt_tokens; /* the server's count and magi's estimate */
};
MAGI_API void magi_run_result_release(struct magi_run_result *r);

/* Runs a GUI task on env with the team until a stop rule or budget ends it, with the
 * registered screen recipe p->recipe (see magi/recipe.h). Returns MAGI_OK when the run
 * ended (whatever its success: res->reason says how; for "model_error", "env_error" and
 * "trace_error" err holds the message); errors only for broken setup (MAGI_ERR_INVALID:
 * empty task; MAGI_ERR_NOT_FOUND: unknown recipe; the trace directory cannot be made). */
MAGI_API magi_status magi_run_gui(struct magi_env *env, struct magi_team *team,
				  const struct magi_run_params *p, struct magi_run_result *res,
				  struct magi_error *err);

#ifdef __cplusplus
}
#endif
#endif
