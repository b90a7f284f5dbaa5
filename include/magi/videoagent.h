/*
 * magi/videoagent.h — agent teams that answer questions about long videos.
 *
 * Three recipes, built on the shared agent core (prompt templates, parsers with a repair
 * retry, a blackboard and the trace):
 *   uniform  the baseline: one call carrying K frames sampled uniformly over the video;
 *   avp      Active Video Perception: a planner chooses what to look at (a coarse overview
 *            or regions, a frame rate and a resolution), an observer reads exactly those
 *            frames and writes time-stamped evidence, a reflector decides whether the
 *            evidence suffices; the loop re-plans until it does (or R rounds pass);
 *   lvagent  LVAgent: a team of models look (each asks for more where the default sample is
 *            not enough, choosing video blocks by their storyboards), answer in parallel, and
 *            when no majority agrees they give reasons, score each other and the weakest
 *            leaves; at most 3 rounds.
 * Frames go to the model as images, each preceded by a text label with its timestamp
 * ("Frame 3 at 00:02:21 (141.0 s):"); storyboards carry their times burned in.
 *
 * Every run writes a run directory (see magi/trace.h): trace.jsonl with every model call,
 * plan and evidence item, the evidence frames as images, summary.json and report.html.
 *
 *     struct magi_video_ask_params p = magi_video_ask_params_default();
 *     p.question = "What vault code is shown at the NORTH HARBOR?";
 *     p.choices = choices; p.n_choices = 4;       // {"A) 4821", "B) 4812", ...}
 *     p.recipe = "avp";
 *     struct magi_video_answer a;
 *     if (magi_video_ask("talk.mp4", team, &p, &a, &err) == MAGI_OK) puts(a.answer);
 *     magi_video_answer_release(&a);
 */
#ifndef MAGI_VIDEOAGENT_H
#define MAGI_VIDEOAGENT_H
#include "magi/core.h"
#include "magi/model.h"
#include "magi/agent.h"
#include "magi/video.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MAGI_VIDEO_MAX_CHOICES 26      /* letters A..Z */
#define MAGI_VIDEO_MAX_MEMBERS 8       /* lvagent team size */
#define MAGI_VIDEO_MAX_QUESTION 8192   /* bytes of a question or of one choice */
#define MAGI_VIDEO_MAX_ROUNDS 10       /* avp rounds */
#define MAGI_VIDEO_LVAGENT_ROUNDS 3    /* lvagent discusses at most this many rounds */

/* Names of the registered video recipes, NULL-terminated ("avp", "lvagent", "uniform" and
 * any registered with magi_recipe_register); valid until the next registration. */
MAGI_API const char *const *magi_video_recipe_names(void);
/* One line describing a video recipe; NULL for an unknown name. */
MAGI_API const char *magi_video_recipe_describe(const char *name);

/* Called with one line per phase of a run (planning, observing, votes ...), for terminal
 * progress. The line is valid during the call only. */
typedef void (*magi_video_event_fn)(void *ud, const char *line);

struct magi_video_ask_params {
	const char *question;         /* required; must hold a non-space character */
	const char *const *choices;   /* multiple choice: "A) text", "B) text", ... with letters
					 A, B, C ... in order (")" "." or ":" after the letter);
					 NULL for an open question */
	size_t n_choices;             /* 0, or 2..MAGI_VIDEO_MAX_CHOICES */
	const char *recipe;           /* "avp" (default), "lvagent", "uniform" */
	int frames;                   /* frames per look: uniform's K (default 32), avp's
					 observer budget per round (default 32), lvagent's sample
					 per member (default 16); 0 = the recipe's default */
	int max_frames;               /* frames sent over the whole run; 0 = no limit */
	int rounds;                   /* avp: R (default 3, at most MAGI_VIDEO_MAX_ROUNDS);
					 lvagent: at most MAGI_VIDEO_LVAGENT_ROUNDS (default 3) */
	double confidence;            /* avp stops when the reflector is sure to this degree;
					 default 0.7 */
	/* lvagent: the team, in priority order (the first is the most trusted; on a tie for
	 * the lowest score the member nearest the end of the list leaves). Borrowed. At least
	 * 2, at most MAGI_VIDEO_MAX_MEMBERS. The names (may be NULL) label members in the
	 * trace; by default each member is named after its model. */
	struct magi_client *const *members;
	const char *const *member_names;
	size_t n_members;
	const char *prompts_dir;      /* overrides compiled-in prompts (NULL: built-in) */
	const char *runs_dir;         /* default "runs" */
	int repair_attempts;          /* re-asks after an unusable reply; default 2 */
	int threads;                  /* decoder threads; default 2 */
	bool report;                  /* write report.html; default true */
	magi_video_progress_fn progress; /* decoding progress of each sampling call (may be NULL) */
	void *progress_user;
	magi_video_event_fn on_event; /* may be NULL */
	void *event_ud;
	long max_tokens;              /* prompt+completion tokens over the run; 0 = no limit */
	double max_wall_s;            /* 0 = no limit */
	bool guards;                  /* cover PII on frames sent to remote models; default true */
	const volatile int *cancel;   /* as magi_run_params.cancel: the run stops, reason
					 "interrupted", status MAGI_ERR_CANCELLED. NULL: never */
};
/* recipe "avp", frames 0 (the recipe's default), rounds 3, confidence 0.7, runs "runs",
 * repair_attempts 2, threads 2, report true, guards true, everything else 0/NULL. */
MAGI_API struct magi_video_ask_params magi_video_ask_params_default(void);

/* One piece of evidence: what was seen between two times of the video. */
struct magi_video_evidence {
	double start_s, end_s;
	char *description; /* owned */
	char *image;       /* owned; the frame saved in the run directory (relative path), or NULL */
};

struct magi_video_answer {
	char *answer;        /* owned: the choice letter ("B"), or the text of an open answer;
				NULL when the run ended without one */
	char *answer_text;   /* owned: the chosen choice as given ("B) 8059"), or the answer */
	char *justification; /* owned; may be NULL */
	double confidence;   /* as the model said, 0..1 (0 when it did not say) */
	bool forced;         /* avp: answered after the last round without sufficient evidence;
				lvagent: no majority after the last round */
	char *reason;        /* owned: "sufficient", "forced", "majority", "no_majority",
				"answered" (uniform), "frame_budget", "model_error", "video_error",
				"token_budget", "time_budget", "interrupted", "trace_error" */
	struct magi_video_evidence *evidence; /* owned, in time order */
	size_t n_evidence;
	int rounds;
	int calls;                /* model requests sent (repairs included) */
	long prompt_tokens;       /* input tokens: the server's count where it reported one,
				     else magi's estimate */
	long completion_tokens;
	long server_prompt_tokens; /* the server's own count (0 when it reported none) */
	long est_prompt_tokens;    /* magi's estimate (text chars / 4 + visual tokens) */
	int frames_sent;          /* video frames sent to models (a frame sent to 3 members
				     counts 3 times; repairs re-send and count again) */
	int storyboards_sent;     /* storyboard images sent (lvagent) */
	int frames_decoded;       /* distinct frames sampled from the file */
	double decode_ms;         /* time spent sampling frames */
	double wall_ms;
	char *run_dir;            /* owned; set once the run directory exists (also on failure) */
	char *report;             /* owned: the path of report.html when it was written */
};
/* Frees the answer's members and zeroes it; NULL is a no-op. */
MAGI_API void magi_video_answer_release(struct magi_video_answer *a);

/* Splits "A) 4821|B) 4812|C) 7301" at '|' into *out (a malloc'd array of malloc'd strings;
 * free with magi_video_choices_free) and checks it the way magi_video_ask does. A bad list
 * is MAGI_ERR_INVALID saying what is wrong ("choice 2 'x' does not start with 'B)'"). */
MAGI_API magi_status magi_video_choices_parse(const char *spec, char ***out, size_t *n,
					      struct magi_error *err);
MAGI_API void magi_video_choices_free(char **choices, size_t n);

/* Answers a question about the video at path with the team and the registered video recipe
 * p->recipe (roles: "planner", "observer", "reflector", "answer"; unbound roles use the
 * team's default client; lvagent uses p->members instead). Writes out (always
 * initialised; release it). Returns MAGI_OK when the run gave an answer (out->forced says
 * when it had to guess). Errors, with a message naming the input: MAGI_ERR_INVALID (empty
 * question, bad choices, bad parameters, unknown recipe), MAGI_ERR_CONFIG (no team),
 * MAGI_ERR_BUDGET (a budget ran out before an answer), MAGI_ERR_CANCELLED (p->cancel),
 * MAGI_ERR_IO (the trace could not be written),
 * MAGI_ERR_NOT_FOUND / MAGI_ERR_IO / MAGI_ERR_VIDEO / MAGI_ERR_LIMIT (the file: missing,
 * unreadable, empty, not a video, truncated or corrupt), MAGI_ERR_CONFIG (no team for
 * lvagent), a model status (MAGI_ERR_MODEL, MAGI_ERR_HTTP, MAGI_ERR_NETWORK ...) when the
 * models gave no usable answer. Once the run directory exists, out->run_dir names it and
 * the trace records the failure. */
MAGI_API magi_status magi_video_ask(const char *path, struct magi_team *team,
				    const struct magi_video_ask_params *p,
				    struct magi_video_answer *out, struct magi_error *err);

#ifdef __cplusplus
}
#endif
#endif
