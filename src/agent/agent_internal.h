/* agent_internal.h — the run context shared by the agent core and the recipes. */
#ifndef MAGI_AGENT_INTERNAL_H
#define MAGI_AGENT_INTERNAL_H
#include <jansson.h>
#include "magi/agent.h"

struct magi__run;

/* One decision: the action as the model wrote it and as the screen gets it. */
struct magi__decision {
	struct magi_action model_action;  /* model space */
	struct magi_action screen_action; /* screen pixels */
	char *thought, *operation;
	struct magi_coord_map map;
	long prompt_tokens, completion_tokens;
	double latency_ms;
};
void magi__decision_release(struct magi__decision *d);

/* A recipe: how one published loop decides and what it does after each action. */
struct magi__recipe {
	const char *name;
	const char *description;
	/* Chooses the next action from r->obs. */
	magi_status (*decide)(struct magi__run *r, struct magi__decision *d, struct magi_error *err);
	/* After acting: r->obs_before holds the screen the action was chosen on, r->obs the
	 * screen after it. May be NULL. */
	magi_status (*after)(struct magi__run *r, const struct magi__decision *d, struct magi_error *err);
};

struct magi__run {
	struct magi_env *env;
	struct magi_team *team;
	struct magi_run_params p;
	const struct magi__recipe *recipe;
	struct magi_trace *trace;
	json_t *board; /* {task, plan, progress, memory, notes, history[], error_flag, ...} */
	int step;
	struct magi_obs obs, obs_before;
	struct magi_ocr *ocr, *ocr_before;
	/* guards, computed once per observation and shared by prompts, gate and trace */
	struct magi_guard_view *view, *view_before;
	struct magi_pii_cache *reread; /* second readings of small text, kept across steps */
	long prompt_tokens, completion_tokens;
	int calls;
	double t0;
	double step_model_ms; /* model time spent in the current step */
	bool has_focus;       /* where the last click landed: the focused field, for the gate */
	double focus_x, focus_y;
};

/* What the guards found on one observation. */
struct magi_guard_view {
	struct magi_pii_finding *pii;
	size_t n_pii;
	struct magi_injection_region *inj;
	size_t n_inj;
	struct magi_image *redacted; /* the screenshot with PII covered; NULL when none found */
	double ms;
};
void magi__guard_view_free(struct magi_guard_view *v);
/* Scans r->obs / r->ocr into r->view (when guards are on). */
void magi__guard_scan(struct magi__run *r);
/* The screenshot a client may see: redacted for remote models, as captured for local ones.
 * before selects the previous observation. */
const struct magi_image *magi__run_image(const struct magi__run *r, struct magi_client *c, bool before);
/* The screenshot written to the trace: always redacted when PII was found. */
const struct magi_image *magi__trace_image(const struct magi__run *r);

/* Which output parser a role uses. */
enum magi__parser { MAGI_PARSE_SECTIONS, MAGI_PARSE_JSON, MAGI_PARSE_LETTER, MAGI_PARSE_TOOL_CALL, MAGI_PARSE_TEXT };

/* Checks a parsed reply beyond its syntax (e.g. the action is valid and on screen); an
 * error message here goes back to the model through the repair retry. */
typedef magi_status (*magi__role_check)(void *ud, const json_t *parsed, struct magi_error *err);

struct magi__role_call {
	const char *name;       /* template "recipe/role"; the role is the part after '/' */
	json_t *vars;           /* template variables (board is added as "board") */
	const struct magi_image *images[4];
	const char *image_labels[4]; /* text placed before each image, may be NULL */
	int n_images;
	enum magi__parser parser;
	const char *const *sections; /* required sections for MAGI_PARSE_SECTIONS */
	const char *letters;         /* for MAGI_PARSE_LETTER */
	magi__role_check check;
	void *check_ud;
	/* results */
	json_t *parsed;       /* sections/JSON object; {"letter": "A"} for letters; {"text": ...} */
	char *raw;            /* the last reply's text */
	struct magi_chat *chat; /* kept so callers can read sent image sizes; freed by release */
	long prompt_tokens, completion_tokens;
	double latency_ms;
};
/* Renders, sends, parses and checks, re-asking up to p.repair_attempts times with the
 * error shown to the model. Every call is traced. */
magi_status magi__role_run(struct magi__run *r, struct magi__role_call *rc, struct magi_error *err);
void magi__role_call_release(struct magi__role_call *rc);

/* The shared GUI decision role: screenshot + perception + board -> ### Action ### JSON,
 * validated and mapped to screen space. template e.g. "single/decision". */
magi_status magi__agent_decide(struct magi__run *r, const char *template_name, struct magi__decision *d,
			       struct magi_error *err);
/* Text of the OCR perception list in the model's coordinate space for client c. */
magi_status magi__perception_text(struct magi__run *r, struct magi_client *c, struct magi_buf *out);
/* Appends an entry to board.history. */
void magi__board_history(struct magi__run *r, const char *operation, const char *action_json,
			 const char *outcome);

/* Every client of the team (the default first; may repeat). */
size_t magi__team_clients(const struct magi_team *t, struct magi_client **out, size_t max);

/* The loop itself (recipes/recipes.c picks the recipe and calls it). */
magi_status magi__run_loop(struct magi_env *env, struct magi_team *team, const struct magi_run_params *p,
			   const struct magi__recipe *recipe, struct magi_run_result *res,
			   struct magi_error *err);
#endif
