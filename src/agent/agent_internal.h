/* agent_internal.h — the one run context of every recipe (screens and videos alike) and
 * the core's internal pieces around it. Recipes never include this: they use
 * magi/recipe.h, which names struct magi_run opaquely. */
#ifndef MAGI_AGENT_INTERNAL_H
#define MAGI_AGENT_INTERNAL_H
#include <jansson.h>
#include "magi/agent.h"
#include "magi/recipe.h"

/* What the guards found on one observation. */
struct magi_guard_view {
	struct magi_pii_finding *pii;
	size_t n_pii;
	struct magi_injection_region *inj;
	size_t n_inj;
	struct magi_image *redacted; /* the screenshot with PII covered; NULL when none found */
	/* the screen could not be scanned (its reading or the scan failed, or no memory for
	 * the covered copy): it never leaves for a remote model */
	bool unscanned;
	double ms;
	int refs; /* an unchanged screen shares the view of the one before */
};

/* The perception list last made for a client, kept while the screen does not change. */
#define MAGI__PERCEPTION_CACHE 4
struct magi__perception {
	const struct magi_client *client;
	long gen; /* the screen generation it was made from */
	char *text;
};

/* An icon on the current screen (--icons): its box in screen pixels and its caption. */
struct magi__icon {
	struct magi_icon_box box;
	char *caption;
	char untrusted[160]; /* why the injection guard marked the caption; "" when it did not */
};
struct magi__icon_cache;
struct magi__image_scan;

/* The video question a video run answers. */
struct magi__vq {
	const char *path;
	struct magi_video *video;
	const struct magi_video_info *info;
	char letters[MAGI_VIDEO_MAX_CHOICES + 1]; /* "ABCD"; "" for an open question */
	char *choices_text;			   /* one choice per line; "" when none */
	int frames_decoded;
	double decode_ms;
	int n_saved; /* evidence frames saved */
	json_t *pending; /* evidence events whose frames the trace's writer is still writing */
	struct magi_video_answer *out;
};

struct magi_run {
	const struct magi_recipe *recipe;
	struct magi_team *team;
	struct magi_run_params p; /* screens: as given with defaults; videos: made from vp */
	struct magi_video_ask_params vp;
	struct magi__vq *vq; /* videos only, once the file is open */
	bool video;	     /* a video run (also before vq exists: setup) */
	struct magi_trace *trace;
	json_t *board;
	size_t board_hist_sent; /* history entries already in a "board" event */
	bool board_partial;	/* a "board" event left earlier history out */
	int step, max_steps;
	void *state;
	void (*state_free)(void *);
	/* how the run ends */
	bool finished, success;
	char *reason;		 /* set by magi_run_finish / magi_run_answer */
	const char *stop_reason; /* a stop rule that fired ("interrupted", "token_budget" ...) */
	struct magi_error stop_err;
	bool trace_failed;
	/* accounting */
	long prompt_tokens, completion_tokens, server_prompt_tokens, est_prompt_tokens;
	int calls, frames_sent, storyboards_sent;
	double t0, step_model_ms;
	/* screens */
	struct magi_env *env;
	struct magi_obs obs, obs_before;
	/* with trace_max_pixels: the JPEG a model was sent of this step's trace image (the
	 * same pointer, sent_of), kept as the step image instead of encoding it again; dropped
	 * at every observation (magi__gui_keep_sent) */
	char *sent_jpeg;
	size_t sent_len;
	const struct magi_image *sent_of;
	/* a recipe that never asks for the screen before an action (magi_recipe.no_before_screen)
	 * keeps of obs_before only its size and row signatures (change detection), not its
	 * pixels; rows are obs's signatures, rows_before obs_before's */
	bool lean_before;
	struct magi_image_rows *rows, *rows_before;
	uint32_t before_w, before_h;
	struct magi_ocr *ocr, *ocr_before;
	/* the first screen's reading, running while a local model decides on the screenshot
	 * (magi__observe_first); joined by magi__reading_join before anything uses the words */
	struct magi_ocr_job *ocr_job;
	bool reading_deferred; /* this step's decision was asked before its screen was read */
	bool loads_held;       /* engine loads wait until the first request has left */
	int first_engines;     /* engines loaded for the first screen (2: read on two threads) */
	int first_threads;     /* threads that read the first screen (traced once, then 0) */
	bool first_lines;      /* the first screen is read before the first request: its text
				  lines found from the pixels (magi_ocr_run_lines); traced once */
	bool first_read_lines; /* it was (traced once, then false) */
	double ocr_deferred_ms, ocr_wait_ms;
	struct magi_guard_view *view, *view_before; /* computed once per observation */
	/* screen generations: a new one for every observation that differs from the one
	 * before; the perception lists made for it are reused until it changes */
	long gen, gen_before, gens;
	bool same; /* the last observation showed the same screen as the one before */
	double guard_ms, guard_ms_before;
	/* guards on and the guards' view could not be made (no memory): the screen is withheld
	 * from remote models like an unscanned one */
	bool guard_nomem, guard_nomem_before;
	struct magi__perception perception[MAGI__PERCEPTION_CACHE];
	struct magi_pii_cache *reread;		     /* second readings, kept across steps */
	bool has_focus; /* where the last click landed: the focused field, for the gate */
	double focus_x, focus_y;
	char *answer; /* an answer action's text */
	/* the screen loop's own stop rules and figures */
	char *last_action;
	int repeats, unchanged, denials;
	double *overheads;
	int n_over;
	double obs_ms, ocr_ms;
	/* demonstrations (--demo), loaded before the run starts */
	struct magi_demo **demos;
	size_t n_demos;
	bool demos_traced;
	/* icons of the current screen (--icons) and captions kept per crop across steps */
	struct magi__icon *icons;
	size_t n_icons;
	struct magi__icon_cache *icache;
	size_t n_icache, cap_icache;
	/* PII scans of images sent to remote models (demonstration screenshots, icon crops,
	 * frames), kept per image (its pixels' SHA-256) for the run: magi__guard_image */
	struct magi__image_scan *iscan;
	size_t n_iscan, cap_iscan;
	long iscan_scanned, iscan_cached;
	/* decision screens of earlier steps (magi_run_keep_screens): raw and, when PII was
	 * found, covered; [0] is the one before obs_before */
	struct magi_image **past_raw, **past_red;
	int keep, n_past;
};

/* ---- run lifetime (run.c) ------------------------------------------------------------------ */
/* Writes an event; a failure marks the trace broken (the run stops with "trace_error"). */
magi_status magi__run_trace(struct magi_run *r, const char *type, json_t *ev);
/* The barrier before an action: queued trace images written, trace.jsonl synced; a failure
 * stops the run with "trace_error" (and is returned). */
magi_status magi__run_flush(struct magi_run *r);
/* A "board" event ({key: step, "board": ...}). Unless full, its history holds only the entries
 * added since the previous one ("history_from" says where they start), so a long run's record
 * grows with its steps, not with their square; magi__run_end writes a full one when any was
 * partial. A no-op without a board. */
void magi__run_trace_board(struct magi_run *r, const char *key, bool full);
/* The reason a stop rule gives now, or NULL; *status (may be NULL) the matching status. */
const char *magi__run_stop_rule(struct magi_run *r, magi_status *status);
/* Sets the stop reason (first one wins) with its message. */
void magi__run_stop(struct magi_run *r, const char *reason, magi_status s, const char *fmt, ...)
	MAGI_PRINTF(4, 5);
/* Sleeps ms, waking early when the run is cancelled. */
void magi__run_sleep(struct magi_run *r, double ms);
/* The client for a role of the run's recipe (binding, then bind_like, then the default). */
struct magi_client *magi__run_role_client(const struct magi_run *r, const struct magi_role *role);
/* Opens the run directory and writes start (models added) as run_start. */
magi_status magi__run_start(struct magi_run *r, json_t *start, struct magi_error *err);
/* Runs begin and the steps until a stop rule or the recipe ends the run; returns the
 * reason, with *status the step's error (MAGI_OK when none) and rerr its message. */
const char *magi__run_loop(struct magi_run *r, magi_status *status, struct magi_error *rerr);
/* Adds the common fields to end, writes it as run_end, then end + summary as summary.json. */
void magi__run_end(struct magi_run *r, const char *reason, json_t *end, json_t *summary,
		   const struct magi_error *rerr);
/* Writes report.html (when asked and the trace is whole); its path (malloc'd) or NULL. */
char *magi__run_report(struct magi_run *r);
/* Calls the recipe's end, frees its state and everything the run holds. */
void magi__run_release(struct magi_run *r);

/* ---- screens (gui.c, decide.c, guards.c) ------------------------------------------------- */
/* The first observation; one screen step (errors end the run: env_error or model_error
 * unless a stop rule fired); the median overhead; the screen state freed. */
magi_status magi__gui_begin(struct magi_run *r, struct magi_error *err);
/* OCR engines to load ahead for the run's first screen: 2 when it is read before the first
 * request (not behind it) on a machine with two cores or more — its bands are then read on
 * two threads — else 1 (0 without OCR of the screen). Sets r->first_engines. */
int magi__gui_first_engines(struct magi_run *r);
magi_status magi__gui_step(struct magi_run *r, struct magi_error *err);
double magi__gui_overhead_median(struct magi_run *r);
void magi__gui_release(struct magi_run *r);
/* After a request went out: with trace_max_pixels, keeps a copy of the JPEG chat sent of
 * the step's trace image (magi__trace_image) when it is within that many pixels, for the
 * step image (the first one sent in the step wins). */
void magi__gui_keep_sent(struct magi_run *r, const struct magi_chat *chat);
/* Observes into r->obs (OCR and guard scan included). */
magi_status magi__observe(struct magi_run *r, double *ocr_ms, struct magi_error *err);
/* Waits for the first screen's reading when it runs behind the decision (a no-op
 * otherwise), then finds the guards' view of it: before the gate, the trace or any later
 * step use the screen's words. */
void magi__reading_join(struct magi_run *r);
/* Waits for the evidence frames queued on the trace's writer and traces their "evidence"
 * events (an event never names a frame not yet written); a no-op when none wait. Called
 * before each model request (the next round's decoding has overlapped the encoding), at the
 * run's end and before its last board event. */
void magi__evidence_commit(struct magi_run *r);
/* In b, a copy of the board about to be traced: the evidence items whose frames are still
 * being written lose their "image" (their "evidence" events name it once it is written). */
void magi__evidence_unwritten(const struct magi_run *r, json_t *b);
/* Lifts the hold on OCR engine loads put while the first request is made (no-op without). */
void magi__reading_go(struct magi_run *r);
/* Drops a reference to v (frees it with the last one). NULL: no-op. */
void magi__guard_view_free(struct magi_guard_view *v);
/* The guards' view of r->obs; when r->same, the view of the screen before is shared. */
void magi__guard_scan(struct magi_run *r);
/* True when the screen (before: the one before) could not be scanned for PII: it is not
 * sent to remote models (magi__run_image gives them NULL). */
bool magi__guard_withheld(const struct magi_run *r, bool before);
/* The screenshot a client may see: redacted for remote models; NULL for a remote model
 * when the screen is withheld. */
const struct magi_image *magi__run_image(const struct magi_run *r, struct magi_client *c, bool before);
/* The same `ago` observations back (0: now, 1: before the last action, 2...: kept ones). */
const struct magi_image *magi__run_image_ago(const struct magi_run *r, struct magi_client *c, int ago);
/* How far back screens are available now (0: only the current one). */
int magi__run_screens_kept(const struct magi_run *r);
/* The screenshot written to the trace: always redacted when PII was found. */
const struct magi_image *magi__trace_image(const struct magi_run *r);
/* img with PII covered for a remote model (*owned set when a copy was made, else NULL and
 * img itself is fine); for images that are not the run's screenshots (frames, demonstration
 * screenshots, icon crops). Each image is scanned once a run: the outcome is kept by its
 * pixels' SHA-256 (the last MAGI__IMAGE_SCANS images). */
#define MAGI__IMAGE_SCANS 512
magi_status magi__guard_image(struct magi_run *r, const struct magi_image *img, struct magi_image **owned);
void magi__guard_image_cache_free(struct magi_run *r);
/* Draws a screen-space action on img (in place). */
void magi__draw_action(struct magi_image *img, const struct magi_action *a);
/* Proposes the current screen's icons and captions the crops not seen before in one batch
 * (the captioner role); a stop rule's error ends the run, failed captions only drop
 * their icons. magi__icons_free frees the icons and the caption cache. */
magi_status magi__icons_update(struct magi_run *r, struct magi_error *err);
void magi__icons_free(struct magi_run *r);
/* The core's captioner role, used when the recipe declares none. */
extern const struct magi_role magi__captioner_role;
/* Loads p.demos into r->demos (MAGI_ERR_CONFIG naming the bad one); frees them. */
magi_status magi__demos_load(struct magi_run *r, struct magi_error *err);
void magi__demos_free(struct magi_run *r);
/* Adds the demonstrations to a decision call to client cl, within the run's budget. */
magi_status magi__demos_add(struct magi_run *r, struct magi_call *c, struct magi_client *cl);
/* Standard screen variables for a call to client c, where the template mentions them. */
magi_status magi__screen_vars(struct magi_run *r, struct magi_client *c, const char *tpl, json_t *vars);

/* ---- videos (video.c, answer.c) ---------------------------------------------------------- */
magi_status magi__video_setup(struct magi_run *r, const char *path, struct magi_error *err);
json_t *magi__video_start_event(struct magi_run *r);
void magi__video_end(struct magi_run *r, json_t *end, magi_status status);
void magi__video_release(struct magi_run *r);
/* Standard video variables (question, choices, ...). */
void magi__video_vars(const struct magi_run *r, json_t *vars);
void magi__evidence_text(const struct magi_run *r, struct magi_buf *out);
/* A number from a JSON value that may be a number or a numeric string; NAN otherwise. */
double magi__json_number_any(const json_t *j);
/* Seconds from a number or "HH:MM:SS(.s)" / "MM:SS" / "123.4 s"; NAN when unreadable. */
double magi__json_seconds(const json_t *j);

/* ---- calls (call.c) ---------------------------------------------------------------------- */
/* A text part among the call's images, in order (demonstrations between screenshots). */
magi_status magi__call_text(struct magi_call *c, const char *text);
/* A system message before everything else in the call (copied; NULL or "" for none). */
magi_status magi__call_set_system(struct magi_call *c, const char *text);
const struct magi_role *magi__call_role(const struct magi_call *c);
/* The role of the run's recipe of that name, or NULL. */
const struct magi_role *magi__run_role(const struct magi_run *r, const char *name);

/* Every client of the team (the default first; may repeat). */
size_t magi__team_clients(const struct magi_team *t, struct magi_client **out, size_t max);
/* The client bound to role, or NULL when none is (no default). */
struct magi_client *magi__team_bound(const struct magi_team *t, const char *role);
#endif
