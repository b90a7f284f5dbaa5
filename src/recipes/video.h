/* video.h — the video question recipes (uniform, avp, lvagent) and what they share: a run
 * context over the agent core's struct magi__run (no environment, no screen), frame sampling
 * with budgets and labels, concurrent role calls with many images and a repair retry each,
 * evidence kept in time order, and the run's start, end, summary and report. */
#ifndef MAGI_RECIPES_VIDEO_H
#define MAGI_RECIPES_VIDEO_H
#include <jansson.h>
#include "agent/agent_internal.h"
#include "magi/videoagent.h"

/* One video question run. run.env is NULL; run.board holds {question, choices, evidence,
 * plans, notes}; run.trace, run.calls and the token counters work as in GUI runs. */
struct magi__vrun {
	struct magi__run run;
	struct magi_video_ask_params p; /* defaults filled in */
	const char *path;
	struct magi_video *video;
	const struct magi_video_info *info;
	char letters[MAGI_VIDEO_MAX_CHOICES + 1]; /* "ABCD"; "" for an open question */
	char *choices_text;                        /* one choice per line; "" when none */
	long server_prompt_tokens, est_prompt_tokens;
	int frames_sent, storyboards_sent, frames_decoded;
	double decode_ms;
	int round;
	int n_saved; /* evidence frames saved */
	struct magi_video_answer *out;
	char progress_what[96]; /* what the current decode is for, for the event line */
};

/* ---- run lifetime -------------------------------------------------------------------- */
/* Validates p, opens the video, opens the trace and writes run_start. On failure nothing is
 * left open (v is released) and out->run_dir is set if the directory was made. */
magi_status magi__vrun_begin(struct magi__vrun *v, const char *path, struct magi_team *team,
			     const struct magi_video_ask_params *p, struct magi_video_answer *out,
			     struct magi_error *err);
/* Writes run_end, summary.json and report.html, fills the cost and evidence fields of
 * v->out, and frees v. status/rerr: how the run ended (MAGI_OK: answered). */
void magi__vrun_end(struct magi__vrun *v, const char *reason, magi_status status,
		    const struct magi_error *rerr);
/* Calls p.on_event with a formatted line (no-op without a callback). */
void magi__vrun_say(struct magi__vrun *v, const char *fmt, ...) MAGI_PRINTF(2, 3);

/* ---- frames ------------------------------------------------------------------------------ */
/* Samples the given times (seconds, clamped into the video) at longest side max_side; traces
 * a "frames" event {round, what, n, times, side, ms, strategy}. */
magi_status magi__vrun_sample_times(struct magi__vrun *v, const double *times, size_t n,
				    uint32_t max_side, const char *what,
				    struct magi_video_frames **out, struct magi_error *err);
/* n frames at the centres of n equal segments of the video. */
magi_status magi__vrun_sample_uniform(struct magi__vrun *v, size_t n, uint32_t max_side,
				      const char *what, struct magi_video_frames **out,
				      struct magi_error *err);
/* Frames the run may still send (INT32_MAX without a limit). */
int magi__vrun_frames_left(const struct magi__vrun *v);
/* Keeps n evenly spread elements of times[0..count) (first and last segment centres) in
 * place; returns the new count (count itself when it is <= n). */
size_t magi__thin_times(double *times, size_t count, size_t n);

/* Labels for frames: "Frame 3 at 00:02:21 (141.0 s):", one malloc'd string per frame. */
char **magi__frame_labels(const struct magi_video_frames *f);
void magi__labels_free(char **labels, size_t n);
/* "00:02:21" style time text, with tenths when the time is not whole: "00:02:21.5". */
char *magi__vtime(double t, char out[24]);

/* ---- role calls ---------------------------------------------------------------------------- */
/* One role turn with any number of images, run alone or beside others (magi__vcall_many).
 * The reply must be one JSON object; check (may be NULL) validates it further and its error
 * message goes back to the model in the repair retry. */
struct magi__vcall {
	const char *name;            /* template "recipe/role" */
	const char *role;            /* role for the team lookup and the trace */
	struct magi_client *client;  /* NULL: magi_team_client(team, role) */
	const char *member;          /* lvagent member label for the trace, or NULL */
	json_t *vars;                /* borrowed; board is added as "board" */
	const struct magi_image *const *images; /* borrowed */
	char *const *labels;         /* text before each image (entries may be NULL) */
	size_t n_images;
	bool storyboards;            /* the images are storyboards, not frames */
	magi__role_check check;
	void *check_ud;
	/* results */
	json_t *parsed;              /* the reply's object (owned) */
	char *raw;                   /* the last reply's text (owned) */
	magi_status status;          /* of this call */
	struct magi_error err;
	long prompt_tokens, completion_tokens;
	double latency_ms;
	struct magi_chat *chat;      /* owned */
};
/* Sends every call at once (concurrent requests when n > 1), parses, checks, and re-asks the
 * unusable ones (again together) up to p.repair_attempts times. Every request is traced as a
 * "call" event with {round, phase, member, attempt}. Returns MAGI_OK when all succeeded,
 * else the first failure (each call's own result is in its status/err). */
magi_status magi__vcall_many(struct magi__vrun *v, struct magi__vcall *calls, size_t n,
			     const char *phase, struct magi_error *err);
magi_status magi__vcall_one(struct magi__vrun *v, struct magi__vcall *c, const char *phase,
			    struct magi_error *err);
void magi__vcall_release(struct magi__vcall *c);

/* ---- answers and evidence ---------------------------------------------------------------- */
/* Reads a model's answer field: with choices, a letter ("B", "(B)", "B) 8059", "Answer: B")
 * or the text of one choice ("8059"); *letter gets it. Without choices any non-empty text.
 * MAGI_ERR_PARSE with a message for the model otherwise. */
magi_status magi__vrun_answer(const struct magi__vrun *v, const json_t *ans, char *letter,
			      struct magi_error *err);
/* Checks an "evidence" array (may be absent when optional): items {start, end, description}
 * with times in seconds or "HH:MM:SS". */
magi_status magi__vrun_check_evidence(const struct magi__vrun *v, const json_t *obj, bool required,
				      struct magi_error *err);
/* Adds the reply's evidence items to board.evidence (kept in time order), saves for each the
 * sent frame nearest its middle (frames may be NULL) and traces an "evidence" event.
 * Returns how many were added. */
int magi__vrun_add_evidence(struct magi__vrun *v, const json_t *obj,
			    const struct magi_video_frames *frames, const char *source);
/* Appends the board's evidence as lines "- [00:02:21-00:02:26] (141.0-146.0 s) text". */
void magi__vrun_evidence_text(const struct magi__vrun *v, struct magi_buf *out);
/* A role check (ud = the struct magi__vrun): "answer" readable by magi__vrun_answer, an
 * optional "evidence" array, an optional "confidence" (0..1, or a percentage). */
magi_status magi__vrun_check_answer(void *ud, const json_t *obj, struct magi_error *err);
/* "confidence" of a reply as 0..1 (percentages scaled); def when absent or unreadable. */
double magi__vrun_confidence(const json_t *obj, double def);
/* Sets v->out's answer, answer_text, justification, confidence, forced. */
void magi__vrun_set_answer(struct magi__vrun *v, char letter, const char *text,
			   const char *justification, double confidence, bool forced);
/* A number from a JSON value that may be a number or a string; NAN when neither. */
double magi__json_number_any(const json_t *j);
/* Seconds from a number or "HH:MM:SS(.s)" / "MM:SS" / "123.4 s"; NAN when unreadable. */
double magi__vrun_seconds(const json_t *j);
/* Template variables every video prompt has: question, choices, duration, video facts. */
json_t *magi__vrun_vars(const struct magi__vrun *v);

/* ---- the recipes ---------------------------------------------------------------------------- */
magi_status magi__video_uniform(struct magi__vrun *v, struct magi_error *err);
magi_status magi__video_avp(struct magi__vrun *v, struct magi_error *err);
magi_status magi__video_lvagent(struct magi__vrun *v, struct magi_error *err);
#endif
