/*
 * magi/recipe.h — agent loops ("recipes") as plain C. A recipe is one C file: it declares
 * its roles (name, prompt template, output parser, default model binding) and its hooks,
 * registers itself with magi_recipe_register, and is then chosen by name (--recipe NAME
 * for `magi run` and `magi video ask`, magi_run_gui, magi_video_ask) exactly like the
 * built-in loops (single, mobile-agent-v2, ponder-press, uniform, avp, lvagent), which are written
 * with nothing but this header. docs/recipes.md walks through one; examples/recipe.c is a
 * complete one built outside magi.
 *
 * How a run flows. The core checks the parameters, calls setup, opens the run directory
 * (trace.jsonl, images, summary.json, report.html; see magi/trace.h), writes run_start,
 * calls begin, then repeats steps until a stop rule ends the run:
 *   screen recipes  observe -> guards -> decide (the recipe) -> risk gate -> intent traced
 *                   -> act -> settle -> observe -> after (the recipe) -> step event
 *                   -> board snapshot
 *   video recipes   step (the recipe samples frames and calls its roles) -> board snapshot
 * and at the end calls end and writes run_end, summary.json and report.html.
 * Stop rules, checked by the core before every step, before every model call and before
 * every action: the step budget, the token budget (prompt + completion tokens over the
 * run), the time budget, the cancel flag (a signal), a trace that cannot be written
 * (nothing is ever done unrecorded). On screens also: done / answer / ask_user, the same
 * action repeated, a screen that stops changing, refused actions. A recipe adds its own
 * with the stop hook, or ends the run itself with magi_run_finish or magi_run_answer.
 *
 * Every model call of every recipe goes through one path, magi_run_call / magi_run_calls:
 * the role's template rendered with the run's standard variables and the call's own,
 * images with a text label each (screenshots and frames covered where PII was found when
 * the model is remote), the request (several at once: curl multi), the role's parser and
 * check, a bounded repair retry that shows the model its error, accounting (calls, tokens,
 * frames, latency) and a "call" event in the trace.
 *
 * Ownership and lifetime, for every pointer in this header:
 *   - struct magi_recipe, its roles and every string they point to are yours and are
 *     borrowed by magi: they must outlive every run that uses them (static const data).
 *   - struct magi_run is the core's: valid from setup to end; never freed by you.
 *   - struct magi_call is yours: magi_call_new ... magi_call_free. Images given to a call
 *     are borrowed and must stay valid until the call has been sent (magi_run_call
 *     returns); labels and variables are copied.
 *   - const struct magi_json * results are borrowed from their owner (a call's reply, the
 *     board, another value) and valid until that owner changes or is freed; the board
 *     (magi_run_board) is the run's: edit it, never free it.
 *   - struct magi_json * from magi_json_parse / _object / _array / _copy is yours
 *     (magi_json_free) until you hand it to a function documented as taking it.
 *   - char * results documented as malloc'd are yours to free().
 * A run and its calls belong to the thread that runs it; the registry is thread-safe.
 */
#ifndef MAGI_RECIPE_H
#define MAGI_RECIPE_H
#include "magi/core.h"
#include "magi/vision.h"
#include "magi/video.h"
#include "magi/env.h"
#include "magi/model.h"
#include "magi/agent.h"
#include "magi/videoagent.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== JSON values ==========================================================================
 * Replies, the blackboard and trace events are JSON. A struct magi_json is one value
 * (object, array, string, number, true/false, null). Readers take a path: keys and array
 * indexes joined by dots ("evidence.0.start"); NULL or "" is the value itself. A missing
 * path, a NULL value or a value of another type gives the default. */
struct magi_json;
enum magi_json_type {
	MAGI_JSON_NULL, /* also: missing */
	MAGI_JSON_BOOL,
	MAGI_JSON_NUMBER,
	MAGI_JSON_STRING,
	MAGI_JSON_ARRAY,
	MAGI_JSON_OBJECT,
};
/* The value at path (borrowed from j), or NULL. */
MAGI_API const struct magi_json *magi_json_get(const struct magi_json *j, const char *path);
MAGI_API enum magi_json_type magi_json_type_at(const struct magi_json *j, const char *path);
/* A string (borrowed), else def. */
MAGI_API const char *magi_json_str(const struct magi_json *j, const char *path, const char *def);
/* A number, or a string holding one ("7", " 0.8", "85%" reads as 85): models quote
 * numbers. Else def (NAN is a fine default for "absent"). */
MAGI_API double magi_json_num(const struct magi_json *j, const char *path, double def);
/* true/false, else def. */
MAGI_API bool magi_json_bool(const struct magi_json *j, const char *path, bool def);
/* Seconds from a number or a string "HH:MM:SS(.s)", "MM:SS", "12.5 s"; else def. */
MAGI_API double magi_json_seconds(const struct magi_json *j, const char *path, double def);
/* Elements of an array or keys of an object; 0 for anything else. */
MAGI_API size_t magi_json_len(const struct magi_json *j, const char *path);
/* The i-th key of an object (borrowed), in insertion order; NULL past the end. */
MAGI_API const char *magi_json_key(const struct magi_json *j, size_t i);
/* Compact JSON text of the value at path (malloc'd; free it), NULL when absent. */
MAGI_API char *magi_json_text(const struct magi_json *j, const char *path);

/* Values you own. parse: MAGI_ERR_PARSE naming the position. */
MAGI_API magi_status magi_json_parse(const char *text, struct magi_json **out,
				     struct magi_error *err);
MAGI_API struct magi_json *magi_json_object(void); /* NULL only when out of memory */
MAGI_API struct magi_json *magi_json_array(void);
MAGI_API struct magi_json *magi_json_copy(const struct magi_json *j); /* deep; NULL for NULL */
MAGI_API void magi_json_free(struct magi_json *j);			/* NULL is a no-op */
/* Set a key of an object you own (an existing key is replaced). magi_json_set takes v,
 * also on failure. MAGI_ERR_INVALID when o is not an object. */
MAGI_API magi_status magi_json_set_str(struct magi_json *o, const char *key, const char *s);
MAGI_API magi_status magi_json_set_num(struct magi_json *o, const char *key, double v);
MAGI_API magi_status magi_json_set_int(struct magi_json *o, const char *key, long long v);
MAGI_API magi_status magi_json_set_bool(struct magi_json *o, const char *key, bool v);
MAGI_API magi_status magi_json_set(struct magi_json *o, const char *key, struct magi_json *v);
/* Appends v (taken, also on failure) to an array you own; or a number, a string. */
MAGI_API magi_status magi_json_push(struct magi_json *a, struct magi_json *v);
MAGI_API magi_status magi_json_push_num(struct magi_json *a, double v);
MAGI_API magi_status magi_json_push_str(struct magi_json *a, const char *s);

/* ==== roles ================================================================================ */
enum magi_parser {
	MAGI_PARSER_SECTIONS,  /* "### Name ###" sections -> {"name": "text", ...} (lower-case
				  names); `sections` lists the required ones */
	MAGI_PARSER_JSON,      /* one JSON object (the first {...} in the reply) */
	MAGI_PARSER_LETTER,    /* one letter of `letters`: "B", "Answer: B", "(B)" ->
				  {"letter": "B"} plus any sections the reply has */
	MAGI_PARSER_TOOL_CALL, /* the JSON object inside <tool_call>...</tool_call> */
	MAGI_PARSER_TEXT,      /* anything -> {"text": "..."} */
	MAGI_PARSER_ANSWER,    /* a JSON object with an "answer" (video questions); when the
				  reply is no JSON object but names exactly one of the run's
				  choices ("Answer: C", "(C)", "C. a test card", "The answer is
				  C") it is taken as {"answer": "C"} and the call is marked as a
				  fallback parse (magi_call_fallback; "fallback_parse" in the
				  trace) instead of being repaired */
};

struct magi_call;
/* Reads a reply instead of the role's parser (magi_call_set_parser): *out must be a JSON
 * object (yours until returned; the call takes it). An error's message goes back to the
 * model in the repair retry, like a parser's. */
typedef magi_status (*magi_reply_parser)(struct magi_call *c, const char *text, struct magi_json **out,
					 struct magi_error *err);
/* Checks a parsed reply beyond its syntax. The message of an error goes back to the model
 * in the repair retry, so write it for the model ("\"fps\" must be a number from 0.1 to
 * 5"). reply is borrowed for the call only. */
typedef magi_status (*magi_reply_check)(struct magi_call *c, const struct magi_json *reply,
					struct magi_error *err);

/* One role of a recipe. */
struct magi_role {
	const char *name;   /* "planner": the name in the trace and for --role NAME=MODEL */
	const char *prompt; /* template name "recipe/role": DIR/recipe/role.txt under
			       --prompts DIR, else the compiled-in prompts/recipe/role.txt;
			       NULL: "<recipe name>/<role name>" */
	const char *prompt_text; /* the template itself, used when neither of those exists
				    (recipes outside magi ship their prompts this way) */
	enum magi_parser parser;
	const char *const *sections; /* SECTIONS: required names, NULL-terminated (may be NULL) */
	const char *letters;	     /* LETTER: the allowed letters, e.g. "ABC" */
	magi_reply_check check;	     /* may be NULL */
	const char *bind_like; /* when no model is bound to this role: use the model bound to
				  this other role (NULL: the team's default model) */
};
/* Templates are plain text with {{name}} and {{board.key}} variables. The core provides
 * the standard variables of the run (a call's own variables override them):
 *   every run   task, step, round (= step), rounds (= the step budget), board
 *   screens     perception (OCR lines with their centres in the model's coordinate space,
 *               PII masked for remote models, on-screen instructions marked untrusted),
 *               coords (how the model speaks coordinates), actions (the actions this
 *               environment supports, in the model's format: magi's JSON, UI-TARS's action
 *               space, the Qwen family's function actions), reply_format (how to write
 *               the reply in that format), history (the last operations), windows (the
 *               window list)
 *   videos      question, choices, answer_format, duration, duration_s, video_fps,
 *               width, height, evidence (the board's evidence, one timed line each) */

/* ==== recipes ============================================================================== */
enum magi_recipe_kind {
	MAGI_RECIPE_SCREEN = 1, /* works on an environment: decide (+ after) hooks; magi run */
	MAGI_RECIPE_VIDEO = 2,	/* answers a question about a video: step hook; magi video ask */
};

struct magi_run;
struct magi_decision;

/* A recipe. Hooks return MAGI_OK or an error status with err filled in (a model error, a
 * budget, a cancel ...); an error ends the run, with the stop rule's reason when one fired
 * ("token_budget", "interrupted", "trace_error") and else "model_error". */
struct magi_recipe {
	const char *name;	 /* [a-z0-9_-]{1,40}, unique among registered recipes */
	const char *description; /* one line, for --help and listings */
	enum magi_recipe_kind kind;
	const struct magi_role *roles; /* at least one; names unique */
	size_t n_roles;
	const char *const *aliases; /* other names it answers to (NULL-terminated; may be NULL) */
	/* Optional: before the run directory exists. Check parameters the recipe needs (an
	 * error here is bad input: MAGI_ERR_CONFIG / MAGI_ERR_INVALID, and no trace is made);
	 * may lower the step budget with magi_run_limit_steps. */
	magi_status (*setup)(struct magi_run *r, struct magi_error *err);
	/* Optional: once, after run_start, before the first step. */
	magi_status (*begin)(struct magi_run *r, struct magi_error *err);
	/* SCREEN: chooses the next action on the current observation; fill d, usually with
	 * magi_run_decide. d is zeroed by the core and released by it after the step. */
	magi_status (*decide)(struct magi_run *r, struct magi_decision *d, struct magi_error *err);
	/* SCREEN, optional: after the action ran and the screen was observed again
	 * (magi_call_screen(c, true, ...) is the screen before it). Not called for actions
	 * that did not run (refused, done, answer, ask_user). */
	magi_status (*after)(struct magi_run *r, const struct magi_decision *d,
			     struct magi_error *err);
	/* VIDEO: one step (a round): sample frames, call roles, add evidence; end the run
	 * with magi_run_answer once there is an answer. */
	magi_status (*step)(struct magi_run *r, struct magi_error *err);
	/* Optional: a recipe's own stop rule, asked before every step: a reason ("stalled")
	 * ends the run, NULL goes on. The string must be static. */
	const char *(*stop)(struct magi_run *r);
	/* Optional: once at the end, whatever ended the run (free your state here, or give
	 * magi_run_set_state a free function). */
	void (*end)(struct magi_run *r);
	int default_steps; /* VIDEO: rounds when the caller gives none (0: 3) */
	/* SCREEN: the first decision needs the screen's words (its perception list names the
	 * elements to act on): the first request waits for the first screen's OCR even for a
	 * local model. Otherwise a local model's first request goes with the screenshot while
	 * the screen is read, and the words come with the next step. */
	bool first_words;
	/* SCREEN: the decision role is shown the run's demonstrations (magi_run_params.demos,
	 * --demo): magi_run_decide adds them; a recipe building its own decision call adds
	 * them with magi_call_add_demos. A run given demonstrations with a recipe that does
	 * not set this is refused before it starts (MAGI_ERR_CONFIG), not run without them. */
	bool demos;
	/* SCREEN: the recipe never asks for the screen before an action (magi_call_screen(c,
	 * true, ...), magi_run_screen / magi_run_screenshot(r, true), magi_call_screen_ago with
	 * ago >= 1) and has no after hook: the runtime then keeps of that screen only its row
	 * signatures for change detection, not its pixels (2.8 MB at 1280x720), and those
	 * calls find no screen (NULL, MAGI_ERR_NOT_FOUND / MAGI_ERR_ENV). Ignored for a recipe
	 * with an after hook or one that keeps screens (magi_run_keep_screens). */
	bool no_before_screen;
};

/* Fills .roles and .n_roles from a static array: {.name = "x", MAGI_RECIPE_ROLES(roles), ...} */
#define MAGI_RECIPE_ROLES(array) .roles = (array), .n_roles = sizeof(array) / sizeof((array)[0])

/* Adds a recipe to the registry (the built-in ones are there already). rc is borrowed and
 * must outlive every run. MAGI_ERR_INVALID when the name is malformed or taken (also by an
 * alias), a hook is missing for its kind, or roles are missing or named twice. */
MAGI_API magi_status magi_recipe_register(const struct magi_recipe *rc, struct magi_error *err);
/* The registered recipe of that name or alias, or NULL. */
MAGI_API const struct magi_recipe *magi_recipe_find(const char *name);
/* Registered recipes in registration order (built-ins first); NULL past the end. */
MAGI_API const struct magi_recipe *magi_recipe_at(size_t i);
/* The recipe's role of that name, or NULL. */
MAGI_API const struct magi_role *magi_recipe_role(const struct magi_recipe *rc, const char *name);

/* Runs a screen recipe, registered or not (magi_run_gui looks p->recipe up and calls
 * this). Same contract as magi_run_gui. */
MAGI_API magi_status magi_run_gui_recipe(struct magi_env *env, struct magi_team *team,
					 const struct magi_recipe *rc,
					 const struct magi_run_params *p, struct magi_run_result *res,
					 struct magi_error *err);
/* Runs a video recipe, registered or not. Same contract as magi_video_ask. */
MAGI_API magi_status magi_video_ask_recipe(const char *path, struct magi_team *team,
					   const struct magi_recipe *rc,
					   const struct magi_video_ask_params *p,
					   struct magi_video_answer *out, struct magi_error *err);

/* ==== the run ============================================================================== */
MAGI_API const struct magi_recipe *magi_run_recipe(const struct magi_run *r);
/* The task (screens) or the question (videos); never NULL. */
MAGI_API const char *magi_run_task(const struct magi_run *r);
/* The current step (round), from 1; 0 before the first. */
MAGI_API int magi_run_step(const struct magi_run *r);
/* The step budget (screens: max_steps; videos: rounds). */
MAGI_API int magi_run_max_steps(const struct magi_run *r);
/* Lowers the step budget (setup or begin); a larger n is ignored. */
MAGI_API void magi_run_limit_steps(struct magi_run *r, int n);
/* Screens: the run's stop rules for the same action repeated and a screen that stopped
 * changing (magi_run_params repeat_limit, unchanged_limit); a recipe whose own detectors
 * deal with loops first (setup or begin) may move them. 0 keeps one as it is. */
MAGI_API void magi_run_set_loop_limits(struct magi_run *r, int repeat_limit, int unchanged_limit);
/* Screens: the current screenshot, or (before) the one the last action was chosen on;
 * borrowed until the next observation; NULL when there is none. */
MAGI_API const struct magi_image *magi_run_screenshot(const struct magi_run *r, bool before);
MAGI_API struct magi_team *magi_run_team(const struct magi_run *r); /* may be NULL */
MAGI_API struct magi_env *magi_run_env(const struct magi_run *r);   /* NULL for videos */
/* The parameters the run was started with, defaults filled in: exactly one of these is
 * non-NULL (screens: gui; videos: video). Borrowed for the run. */
MAGI_API const struct magi_run_params *magi_run_gui_params(const struct magi_run *r);
MAGI_API const struct magi_video_ask_params *magi_run_video_params(const struct magi_run *r);
/* Recipe state kept for the run. free_fn (may be NULL) is called on it at the end. */
MAGI_API void magi_run_set_state(struct magi_run *r, void *state, void (*free_fn)(void *state));
MAGI_API void *magi_run_state(const struct magi_run *r);

/* The blackboard: one JSON object per run, snapshotted into the trace after every step
 * and read by templates as {{board.key}}; the handle is the run's (edit it with the
 * magi_json_set_* functions, never free it). Screens start with task, plan, progress,
 * memory, notes, history, error_flag, last_error; videos with question, choices,
 * evidence, plans, notes. */
MAGI_API struct magi_json *magi_run_board(struct magi_run *r); /* borrowed; edit it freely */
MAGI_API magi_status magi_run_board_set(struct magi_run *r, const char *key, struct magi_json *v);
MAGI_API magi_status magi_run_board_set_str(struct magi_run *r, const char *key, const char *s);
/* Appends v to the board's array at key (made when absent). Takes v. */
MAGI_API magi_status magi_run_board_push(struct magi_run *r, const char *key, struct magi_json *v);

/* Appends an event {type, ...fields} to trace.jsonl (fields borrowed; may be NULL). A
 * failure also stops the run with "trace_error" before anything more is done. */
MAGI_API magi_status magi_run_trace(struct magi_run *r, const char *type,
				    const struct magi_json *fields);
/* A progress line for the person (videos: the on_event callback; screens: the log). */
MAGI_API void magi_run_say(struct magi_run *r, const char *fmt, ...) MAGI_PRINTF(2, 3);
/* Ends the run after the current step with reason (copied) and success. */
MAGI_API void magi_run_finish(struct magi_run *r, const char *reason, bool success);
/* The reason a stop rule gives now (cancelled, a budget spent, the trace broken), or NULL:
 * a long step can ask between its calls. */
MAGI_API const char *magi_run_stopping(struct magi_run *r);

/* ==== calls ================================================================================= */
/* A turn of one role. MAGI_ERR_INVALID when the recipe has no such role. */
MAGI_API magi_status magi_call_new(struct magi_run *r, const char *role, struct magi_call **out,
				   struct magi_error *err);
MAGI_API void magi_call_free(struct magi_call *c); /* NULL is a no-op */
/* Template variables (copied; a name set twice keeps the last value). */
MAGI_API magi_status magi_call_set(struct magi_call *c, const char *name, const char *text);
MAGI_API magi_status magi_call_set_int(struct magi_call *c, const char *name, long long v);
MAGI_API magi_status magi_call_set_num(struct magi_call *c, const char *name, double v);
MAGI_API magi_status magi_call_set_json(struct magi_call *c, const char *name,
					const struct magi_json *v);
/* Images, in order, each after its label (copied; may be NULL). img is borrowed until the
 * call is sent. For remote models the core covers PII found on it (OCR + the PII rules;
 * screens reuse the observation's scan; where OCR is unavailable an image goes unscanned,
 * with a warning, as screenshots do). */
MAGI_API magi_status magi_call_image(struct magi_call *c, const struct magi_image *img,
				     const char *label);
/* Screens: the current screenshot (before: the one the last action was chosen on). */
MAGI_API magi_status magi_call_screen(struct magi_call *c, bool before, const char *label);
/* Screens: the run's demonstrations (magi_run_params.demos, --demo), within their token
 * budget, as magi_run_decide gives them: each task, its steps' downscaled screenshots and
 * actions in c's model's coordinate space; a "demos" event on the first call. For a
 * recipe that builds its own decision call: add them before the current screenshot.
 * MAGI_OK and nothing added when there are none. */
MAGI_API magi_status magi_call_add_demos(struct magi_call *c, struct magi_error *err);
/* Screens: the current screenshot with a (screen-space) action drawn on it: a red ring and
 * cross at its point, an arrow for drags, the text for type/key. a is copied. */
MAGI_API magi_status magi_call_screen_action(struct magi_call *c, const struct magi_action *a,
					     const char *label);
/* Videos: every frame of f, each after "Frame i at HH:MM:SS (t s):". f is borrowed until
 * the call is sent; frames count toward the frame budget and frames_sent. */
MAGI_API magi_status magi_call_frames(struct magi_call *c, const struct magi_video_frames *f);
/* Videos: a storyboard image (counted as a storyboard, not as frames). */
MAGI_API magi_status magi_call_storyboard(struct magi_call *c, const struct magi_image *img,
					  const char *label);
/* The client that answers instead of the role's binding (a team member); member (copied;
 * may be NULL) names it in the trace. client is borrowed: it must outlive the run. */
MAGI_API void magi_call_set_client(struct magi_call *c, struct magi_client *client,
				   const char *member);
/* The client this call goes to (its own, or the role's binding); NULL when none. */
MAGI_API struct magi_client *magi_call_client(const struct magi_call *c);
/* A check used instead of the role's (NULL: the role's). */
MAGI_API void magi_call_set_check(struct magi_call *c, magi_reply_check check);
/* The phase named in the trace ("plan", "observe"; default: the role's name). Copied. */
MAGI_API void magi_call_set_phase(struct magi_call *c, const char *phase);
/* Data for the role's check (borrowed). */
MAGI_API void magi_call_set_ud(struct magi_call *c, void *ud);
MAGI_API void *magi_call_ud(const struct magi_call *c);
MAGI_API struct magi_run *magi_call_run(const struct magi_call *c);

/* Asks the server for the log-probability of every reply token (OpenAI "logprobs": true),
 * e.g. to judge how sure a model was of its action. */
MAGI_API void magi_call_set_logprobs(struct magi_call *c, bool on);
/* The usable reply's tokens as an array of {"token": "...", "logprob": -0.01} (borrowed,
 * valid like magi_call_reply), or NULL when the server sent none: not every server
 * supports them, and a replayed answer has none. */
MAGI_API const struct magi_json *magi_call_logprobs(const struct magi_call *c);

/* Sends the call: renders, sends, parses, checks, repairs (up to the run's
 * repair_attempts), accounts and traces every request. MAGI_OK when the reply was usable;
 * else the call's status (MAGI_ERR_MODEL: no usable reply; a transport status; a stop
 * rule: MAGI_ERR_BUDGET, MAGI_ERR_CANCELLED, MAGI_ERR_IO for the trace) with err set. */
MAGI_API magi_status magi_run_call(struct magi_run *r, struct magi_call *c,
				   struct magi_error *err);
/* Sends n calls at once (concurrent requests), then repairs the unusable ones together.
 * Each call keeps its own result (magi_call_status); returns MAGI_OK when all succeeded,
 * else the first failure. */
MAGI_API magi_status magi_run_calls(struct magi_run *r, struct magi_call *const *calls, size_t n,
				    struct magi_error *err);
/* The conversation's shape. By default a call is one user message: its images, each after
 * its label, then the rendered template. These build any other shape, in the order they are
 * called: magi_call_message starts a new message ("system", "user" or "assistant") that
 * what follows goes to; magi_call_add_text adds a text part (copied); magi_call_template_here
 * puts the rendered template at that place instead of at the end (once per call).
 * MAGI_ERR_INVALID for another role, a NULL text or a second template place. */
MAGI_API magi_status magi_call_message(struct magi_call *c, const char *role);
MAGI_API magi_status magi_call_add_text(struct magi_call *c, const char *text);
MAGI_API magi_status magi_call_template_here(struct magi_call *c);
/* Uses template name (looked up as a role's prompt is: --prompts DIR, then compiled in),
 * else text when no such template exists, instead of the role's (both copied; either may
 * be NULL). */
MAGI_API magi_status magi_call_set_template(struct magi_call *c, const char *name, const char *text);
/* A parser used instead of the role's (NULL: the role's). */
MAGI_API void magi_call_set_parser(struct magi_call *c, magi_reply_parser parser);
/* Screens: the decision screenshot `ago` observations back (0: the current one, 1: the one
 * the last action was chosen on, 2 and more: kept with magi_run_keep_screens), covered for
 * remote models like the current one. MAGI_ERR_NOT_FOUND when that one is not kept. */
MAGI_API magi_status magi_call_screen_ago(struct magi_call *c, int ago, const char *label);

/* Results, valid until the call is sent again or freed. */
MAGI_API magi_status magi_call_status(const struct magi_call *c);
MAGI_API const char *magi_call_errmsg(const struct magi_call *c); /* "" when OK; never NULL */
MAGI_API const struct magi_json *magi_call_reply(const struct magi_call *c); /* NULL on failure */
MAGI_API const char *magi_call_text(const struct magi_call *c); /* the last reply's text */
MAGI_API bool magi_call_fallback(const struct magi_call *c);	 /* a fallback parse was used */
/* Cost of the call, repairs included (any pointer may be NULL). */
MAGI_API void magi_call_cost(const struct magi_call *c, long *prompt_tokens,
			     long *completion_tokens, double *latency_ms);

/* ==== screens ================================================================================ */
/* One decision: the action as the model wrote it and as the screen gets it. */
struct magi_decision {
	struct magi_action action; /* model space (owned) */
	struct magi_action screen; /* screen pixels (owned): what is acted */
	char *thought;		   /* owned; may be NULL */
	char *operation;	   /* owned; a one-line description; may be NULL */
	struct magi_coord_map map; /* how action became screen */
	long prompt_tokens, completion_tokens;
	double latency_ms;
};
/* Frees the decision's members and zeroes it; NULL is a no-op. */
MAGI_API void magi_decision_release(struct magi_decision *d);
/* The shared decision role: the screenshot, the standard screen variables and the board
 * go to role (a SECTIONS role requiring "action"); the "### Action ###" JSON is checked
 * against the environment (an unsupported action or a point off the image goes back to
 * the model) and mapped to screen pixels. d is overwritten (release it). */
MAGI_API magi_status magi_run_decide(struct magi_run *r, const char *role, struct magi_decision *d,
				     struct magi_error *err);
/* The same with a call the recipe built (its own template, messages, earlier screens): the
 * model's format decides the rest. The format's system message (the Qwen family's tool
 * definition) goes first, the reply is read in the format (magi's "### Action ###" JSON,
 * UI-TARS's Thought/Action, <tool_call>s; magi_format_read_decision), the action is checked
 * against the environment and mapped to screen pixels. Points a little outside the model's
 * range (2% of it) are clamped; others go back to the model. Further actions in the same
 * reply are not taken: a "reply_note" event lists them. c stays the caller's; its reply
 * (magi_call_reply, magi_call_text) is there afterwards. */
MAGI_API magi_status magi_run_decide_call(struct magi_run *r, struct magi_call *c, struct magi_decision *d,
					  struct magi_error *err);
/* Screens: keep the decision screenshots of the last n observations (at most
 * MAGI_RUN_SCREENS_MAX) for magi_call_screen_ago; a smaller n than before is ignored. */
#define MAGI_RUN_SCREENS_MAX 16
MAGI_API void magi_run_keep_screens(struct magi_run *r, int n);

/* Grounding: where `target` (a description: "the Cancel button") is on the current
 * screenshot, asked of role's model in its own grounding form (OS-Atlas's "(with bbox)",
 * SeeClick's "(with point)", UI-TARS's click, the Qwen family's point_2d; magi's own:
 * "(x, y)"); the role's template is used for magi's format, with {{target}} set. The reply
 * is read with magi_format_read_point, clamped or repaired as decisions are, and mapped. */
struct magi_ground {
	double x, y;		   /* as the model wrote it (its coordinate space) */
	int sx, sy;		   /* the screen pixel */
	bool clamped;		   /* the point was a little outside the range and was moved in */
	struct magi_coord_map map; /* how x, y became sx, sy */
	bool unread;		   /* MAGI_ERR_MODEL because the model answered every try but
				      no point could be read (not a failed request) */
};
MAGI_API magi_status magi_run_ground(struct magi_run *r, const char *role, const char *target,
				     struct magi_ground *out, struct magi_error *err);
/* The same on img (a crop or zoomed view the recipe made; NULL: the current screenshot),
 * sent as it is with magi_call_image: out's screen pixel (sx, sy) and map are img's. */
MAGI_API magi_status magi_run_ground_image(struct magi_run *r, const char *role, const char *target,
					   const struct magi_image *img, struct magi_ground *out,
					   struct magi_error *err);
/* How a model with params mp speaks of an image of img_w x img_h it is sent: its
 * coordinate space and the size it names points in (the image policy's resize, then the
 * model's own, e.g. Qwen2.5-VL's or UI-TARS-1.5's smart resize). The map magi_run_ground
 * uses; for a recipe that reads a model's point itself. */
MAGI_API struct magi_coord_map magi_coord_map_for(const struct magi_model_params *mp, uint32_t img_w,
						  uint32_t img_h);

/* The trained format of the model that answers role (magi_model_params.format; MAGI when
 * no model is bound). */
MAGI_API enum magi_format magi_run_format(const struct magi_run *r, const char *role);
/* Reads a decision reply written in format f (the readers magi_run_decide uses) into
 * {"thought", "action" (the canonical action JSON as text, in the model's coordinate
 * space), "operation", "ignored" (further actions, as written), "read_as"}: tolerant of
 * prose, code fences, a missing closing tag or parenthesis, coordinates as strings, a box
 * for a point. *out is yours (magi_json_free). MAGI_ERR_PARSE with a message for the model;
 * MAGI_ERR_CONFIG for a grounding-only format. */
MAGI_API magi_status magi_format_read_decision(enum magi_format f, const char *text, struct magi_json **out,
					       struct magi_error *err);
/* The point of a grounding reply (a box gives its centre) in the model's coordinate space:
 * <|box_start|>(x1,y1),(x2,y2)<|box_end|>, <point>x y</point>, <point>[[x,y]]</point>,
 * <box>[[x1,y1,x2,y2]]</box>, {"point_2d": [x, y]}, {"bbox_2d": [...]}, a tool call's
 * coordinate, {"x": x, "y": y}, (x,y), [x1,y1,x2,y2]. MAGI_ERR_PARSE when there is none. */
MAGI_API magi_status magi_format_read_point(enum magi_format f, const char *text, double *x, double *y,
					    struct magi_error *err);

/* For a decide hook that reads its model's reply itself (another action format): takes one
 * action in the canonical JSON form (magi_action_parse_json) as the model bound to client
 * wrote it, checks it against the environment (an unsupported kind or a point off the image
 * is an error written for the model) and maps it to screen pixels: d->action, d->screen
 * and d->map are replaced; the rest of d is left alone. */
MAGI_API magi_status magi_run_action_check(struct magi_run *r, struct magi_client *client,
					   const char *action_json, struct magi_decision *d,
					   struct magi_error *err);
/* An extra action outside the step's decision (e.g. going back after a wrong page): the
 * risk gate, an "intent" event, the action, the settle wait and a new observation. a is
 * in screen pixels; why (may be NULL) goes to the trace. MAGI_ERR_DENIED when the gate
 * refuses. */
MAGI_API magi_status magi_run_act(struct magi_run *r, const struct magi_action *a, const char *why,
				  struct magi_error *err);
/* Screens: the current screenshot (before: the one the last action was chosen on), as
 * captured (screen pixels, not redacted: for measuring, never for sending; send it with
 * magi_call_screen, which covers PII for remote models). Borrowed until the next
 * observation; NULL for videos or when there is none. */
MAGI_API const struct magi_image *magi_run_screen(const struct magi_run *r, bool before);
/* Appends {step, operation, action, outcome} to the board's history (what {{history}}
 * shows). Strings are copied; any may be NULL. */
MAGI_API magi_status magi_run_history_add(struct magi_run *r, const char *operation,
					  const char *action_json, const char *outcome);

/* ==== videos ================================================================================= */
MAGI_API const struct magi_video_info *magi_run_video(const struct magi_run *r); /* NULL: screen */
/* The choices' letters ("ABCD"); "" for an open question. */
MAGI_API const char *magi_run_letters(const struct magi_run *r);
/* Frames the run may still send under max_frames (INT32_MAX without a limit). */
MAGI_API int magi_run_frames_left(const struct magi_run *r);
/* Samples frames (n uniform segment centres, or the given times clamped into the video)
 * at longest side max_side and traces a "frames" event {what, n, times, side, ms,
 * strategy}. Frames showing the same picture twice (a short video asked for more frames
 * than it has) are kept once, so n is an upper bound. *out is yours
 * (magi_video_frames_free). */
MAGI_API magi_status magi_run_frames_uniform(struct magi_run *r, size_t n, uint32_t max_side,
					     const char *what, struct magi_video_frames **out,
					     struct magi_error *err);
MAGI_API magi_status magi_run_frames_at(struct magi_run *r, const double *times, size_t n,
					uint32_t max_side, const char *what,
					struct magi_video_frames **out, struct magi_error *err);
/* Reads the "answer" of a reply: with choices a letter ("B", "(B)", "B) 8059", "Answer:
 * B") or the text of one choice; without, any non-empty text. *letter gets the letter (0
 * for an open answer). MAGI_ERR_PARSE with a message for the model otherwise. */
MAGI_API magi_status magi_run_read_answer(const struct magi_run *r, const struct magi_json *reply,
					  char *letter, struct magi_error *err);
/* "confidence" of a reply as 0..1 (percentages scaled), else def. */
MAGI_API double magi_reply_confidence(const struct magi_json *reply, double def);
/* Role checks: an answer readable by magi_run_read_answer, an optional confidence and an
 * optional evidence array; evidence: a required "evidence" array of {start, end,
 * description} inside the video. */
MAGI_API magi_status magi_check_answer(struct magi_call *c, const struct magi_json *reply,
				       struct magi_error *err);
MAGI_API magi_status magi_check_evidence(struct magi_call *c, const struct magi_json *reply,
					 struct magi_error *err);
/* Adds the reply's "evidence" items to board.evidence (time order, duplicates dropped),
 * saves the frame of frames (may be NULL) nearest each item's middle into the run
 * directory and traces an "evidence" event per item. source names who saw it. Returns
 * how many were added. */
MAGI_API int magi_run_add_evidence(struct magi_run *r, const struct magi_json *reply,
				   const struct magi_video_frames *frames, const char *source);
/* The answer of the run; ends it. letter: a choice letter (text ignored), or 0 with text
 * for an open answer. reason (copied) e.g. "sufficient", "majority", "forced". */
MAGI_API void magi_run_answer(struct magi_run *r, char letter, const char *text,
			      const char *justification, double confidence, bool forced,
			      const char *reason);
/* "00:02:21", or "00:02:21.5" when the time has tenths; returns out. */
MAGI_API char *magi_time_text(double t, char out[24]);

/* ==== teams ================================================================================== */
/* Majority vote. answers[i] is member i's answer (NULL: none), members in priority order
 * (the first is the most trusted). Returns the first member holding the answer most
 * members share (so a tie goes to the more trusted), with *votes (may be NULL) its count;
 * -1 and 0 votes when nobody answered. Answers compare without case. */
MAGI_API int magi_team_vote(const char *const *answers, size_t n, int *votes);
/* Peer scores. scores[i * n + j] is the score member i gave member j (NAN: none; the
 * diagonal is ignored); alive (may be NULL: all) leaves members out as scorers and as
 * scored. totals (may be NULL) gets, per member, the sum it received. Returns the living
 * member with the lowest total, a tie going to the one nearest the end (the least
 * trusted), or -1 when none is alive. */
MAGI_API int magi_team_eliminate(const double *scores, size_t n, const bool *alive,
				 double *totals);

#ifdef __cplusplus
}
#endif
#endif
