/*
 * magi/eval.h — the evaluation harness: suites of grounding, GUI-task, video-QA, privacy
 * and risk items, run in parallel worker processes, sharded across machines, resumable,
 * with SPA-Bench-style task metrics and a report.
 *
 * A suite is a file magi recognises by its fields (docs/eval.md has the details):
 *   - magi's own format: a YAML header between two "---" lines, then one JSON item per
 *     line (kinds gui, ground, video, privacy, risk);
 *   - ScreenSpot v1/v2 (bbox x,y,w,h) and ScreenSpot-Pro (bbox x1,y1,x2,y2 with img_size,
 *     application, platform, group, ui_type) grounding files, JSON arrays or JSONL;
 *   - Video-MME rows (videoID, question, options, answer) and LongVideoBench items
 *     (candidates or option0.., correct_choice);
 *   - scripts/gen-pii-shots' truth.jsonl (privacy) and tests/data/risk_suite.jsonl (risk).
 *
 * An eval writes into one output directory:
 *   eval.json      what was run (suite, its hash, recipe, model, shard), checked on --resume
 *   results.jsonl  one JSON line per finished item, appended and fsync'd as each finishes
 *   runs/<id>/     each item's run directory (trace.jsonl, report.html, images)
 *   summary.json, report.html, results.csv   written by magi_eval_report
 * A killed eval keeps every finished line; run it again with resume to finish the rest.
 *
 * Workers are processes (fork): each has its own model clients, its own Tesseract engine
 * and, for GUI items, its own Xvfb; a crash in one item costs that item only.
 */
#ifndef MAGI_EVAL_H
#define MAGI_EVAL_H
#include "magi/core.h"
#include "magi/model.h"
#include "magi/agent.h"
#include "magi/videoagent.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MAGI_EVAL_MAX_JOBS 64
#define MAGI_EVAL_MAX_ITEMS 1000000
#define MAGI_EVAL_MAX_LINE (4u << 20) /* longest suite line or results line */

/* Item kinds, X(NAME, "name"). */
#define MAGI_EVAL_KINDS(X)                                                     \
	X(GUI, "gui")                                                          \
	X(GROUND, "ground")                                                    \
	X(VIDEO, "video")                                                      \
	X(PRIVACY, "privacy")                                                  \
	X(RISK, "risk")

enum magi_eval_kind {
#define MAGI__X(n, s) MAGI_EVAL_##n,
	MAGI_EVAL_KINDS(MAGI__X)
#undef MAGI__X
	MAGI_EVAL__KIND_COUNT
};
/* "gui", "ground", ...; "unknown" for stray values. Never NULL. */
MAGI_API const char *magi_eval_kind_name(enum magi_eval_kind k);

/* ---- suites ----------------------------------------------------------------------- */
struct magi_eval_suite;
/* Reads and checks a suite file. The format is recognised from the fields; every item is
 * checked before anything runs. A bad file is MAGI_ERR_PARSE (or MAGI_ERR_IO /
 * MAGI_ERR_NOT_FOUND) with "FILE:LINE: problem" in err. data_dir (may be NULL) is where
 * images and videos named by the items are looked for first; then the suite's directory
 * and its ../images (the ScreenSpot layout). */
MAGI_API magi_status magi_eval_suite_load(const char *path, const char *data_dir,
					  struct magi_eval_suite **out, struct magi_error *err);
MAGI_API void magi_eval_suite_free(struct magi_eval_suite *s);
MAGI_API size_t magi_eval_suite_count(const struct magi_eval_suite *s);
/* The kind of the suite's items (a suite holds one kind). */
MAGI_API enum magi_eval_kind magi_eval_suite_kind(const struct magi_eval_suite *s);
/* "magi", "screenspot", "screenspot-pro", "video-mme", "longvideobench", "pii-shots",
 * "risk-suite". */
MAGI_API const char *magi_eval_suite_format(const struct magi_eval_suite *s);
/* The suite's name (header name:, else the file name without extension). */
MAGI_API const char *magi_eval_suite_name(const struct magi_eval_suite *s);
/* Item i's id (unique in the suite; borrowed). NULL past the end. */
MAGI_API const char *magi_eval_suite_item_id(const struct magi_eval_suite *s, size_t i);
/* Item i as normalised compact JSON (malloc'd; the caller frees it). */
MAGI_API char *magi_eval_suite_item_json(const struct magi_eval_suite *s, size_t i);

/* ---- shards ------------------------------------------------------------------------- */
/* Which part of a suite this process runs: items i with i % count == index. */
struct magi_eval_shard {
	int index; /* 0-based */
	int count; /* >= 1 */
};
/* Parses "I/N" (0 <= I < N): MAGI_ERR_INVALID naming the problem otherwise. */
MAGI_API magi_status magi_eval_shard_parse(const char *s, struct magi_eval_shard *out,
					   struct magi_error *err);
/* The shard from the environment, when a scheduler set one: SLURM_ARRAY_TASK_ID with
 * SLURM_ARRAY_TASK_COUNT (minus SLURM_ARRAY_TASK_MIN when the array does not start at 0),
 * or Kubernetes' JOB_COMPLETION_INDEX with MAGI_SHARD_COUNT (an Indexed Job sets no count;
 * set it to the Job's completions). *found is false when none is set. A set but bad value
 * is MAGI_ERR_INVALID naming the variable. */
MAGI_API magi_status magi_eval_shard_from_env(struct magi_eval_shard *out, bool *found,
					      struct magi_error *err);

/* ---- models --------------------------------------------------------------------------- */
/* The models a worker uses, made inside each worker process after it starts (clients are
 * never shared across processes). */
struct magi_eval_models {
	struct magi_team *team;                /* every kind that calls a model */
	struct magi_client *const *members;    /* video lvagent's team (may be NULL) */
	const char *const *member_names;
	size_t n_members;
};
/* Fills *m for runs of recipe (its roles may be bound to models of their own); the callee
 * owns what it made and frees it in the matching free callback. */
typedef magi_status (*magi_eval_models_fn)(void *ud, const char *recipe, struct magi_eval_models *m,
					   struct magi_error *err);
typedef void (*magi_eval_models_free_fn)(void *ud, struct magi_eval_models *m);

/* Prices of one model in US dollars per million tokens (0 = unknown: no cost reported). */
struct magi_eval_price {
	double input_per_mtok;
	double output_per_mtok;
};
/* Reads models.<model>.price: {input: USD, output: USD} (per million tokens) from a
 * configuration (model NULL: the default model). No price is {0, 0} and MAGI_OK; a price
 * that is not two non-negative numbers is MAGI_ERR_CONFIG naming the file and model. */
MAGI_API magi_status magi_eval_price_from_config(const struct magi_config *cfg, const char *model,
						 struct magi_eval_price *out, struct magi_error *err);

/* ---- running ------------------------------------------------------------------------- */
struct magi_eval_progress {
	size_t total;    /* items this run will do (after shard, limit and resume) */
	size_t done;     /* finished so far in this run */
	size_t passed;   /* of those, scored correct / successful */
	size_t errors;   /* of those, ended by an error (model, environment, worker crash) */
	size_t skipped;  /* already in results.jsonl (resume) */
	size_t running;  /* items in flight */
	double elapsed_s;
	double eta_s;    /* < 0 while unknown */
	const char *last_id;   /* the item that just finished (NULL at the start) */
	bool last_passed;
};
typedef void (*magi_eval_progress_fn)(void *ud, const struct magi_eval_progress *p);

struct magi_eval_params {
	const char *suite;        /* path to the suite file; required */
	const char *data_dir;     /* where items' images and videos are (NULL: beside the suite) */
	const char *out_dir;      /* required: where results go (created) */
	const char *recipe;       /* NULL: the suite header's, else the kind's default (gui:
				     mobile-agent-v2, video: avp, ground: ground); a grounding
				     suite takes any screen recipe (its first click is scored) */
	const char *model_name;   /* recorded with the results (and used for the price) */
	struct magi_eval_price price;
	int jobs;                 /* worker processes, 1..MAGI_EVAL_MAX_JOBS; default 1 */
	struct magi_eval_shard shard; /* default 0/1 */
	bool resume;              /* skip items already in out_dir/results.jsonl */
	bool retry_errors;        /* with resume: run again the items that ended in an error */
	size_t limit;             /* at most this many items of the shard; 0 = all */
	int max_steps;            /* gui: step budget when the item sets none; default 15 */
	double settle_ms;         /* gui: wait after each action; default 300 */
	int video_frames;         /* video: frames per look (magi_video_ask_params.frames); 0:
				     the recipe's default */
	double item_timeout_s;    /* an item running longer is stopped and recorded as an
				     error; default 900 */
	bool report;              /* write summary.json, report.html and results.csv at the
				     end; default true */
	magi_eval_models_fn models;       /* required for kinds that call a model */
	magi_eval_models_free_fn models_free;
	void *models_ud;
	magi_eval_progress_fn progress;   /* may be NULL; called in the parent process */
	void *progress_ud;
	/* the guards for gui items (as magi_run_params): on by default */
	bool guards;
	struct magi_risk_policy risk;
};
/* jobs 1, shard 0/1, max_steps 15, settle 300 ms, item timeout 900 s, report true,
 * guards true with the default risk policy, everything else 0/NULL. */
MAGI_API struct magi_eval_params magi_eval_params_default(void);

struct magi_eval_outcome {
	size_t total;      /* items in the shard (after limit) */
	size_t ran;        /* run by this call */
	size_t skipped;    /* found finished in results.jsonl */
	size_t passed;     /* over every finished item of the shard, this call's and earlier */
	size_t errors;
	bool interrupted;  /* SIGINT/SIGTERM ended it early; finished items are kept */
	int signal;        /* with interrupted: which signal */
};

/* Runs the suite into p->out_dir. SIGINT and SIGTERM are caught while it runs: workers are
 * stopped, items in flight are dropped (a resume runs them again), and the function
 * returns MAGI_ERR_CANCELLED with out->interrupted set. Other errors: MAGI_ERR_PARSE (bad
 * suite, naming file and line), MAGI_ERR_CONFIG (out_dir holds another eval's results,
 * a recipe the kind does not have, no models callback), MAGI_ERR_IO. Item failures are
 * results, not errors. */
MAGI_API magi_status magi_eval_run(const struct magi_eval_params *p, struct magi_eval_outcome *out,
				   struct magi_error *err);

/* Joins the results of shard directories into out_dir (created): results.jsonl with every
 * item once (a later line for an id wins), eval.json from the first directory, runs/ linked
 * by relative paths, then the report. Directories of different suites, recipes or models
 * are MAGI_ERR_CONFIG. */
MAGI_API magi_status magi_eval_merge(const char *out_dir, const char *const *dirs, size_t n,
				     struct magi_error *err);

/* The headline of an eval directory's summary. */
struct magi_eval_totals {
	size_t expected;     /* items of the shard(s) */
	size_t items;        /* finished items */
	size_t passed;
	size_t errors;
	double success_rate; /* passed / items (0 when none) */
};
/* Reads dir/eval.json and dir/results.jsonl (a torn last line is skipped) and writes
 * dir/summary.json, dir/report.html and dir/results.csv. totals (may be NULL) gets the
 * headline. MAGI_ERR_NOT_FOUND when dir is not an eval directory. */
MAGI_API magi_status magi_eval_report(const char *dir, struct magi_eval_totals *totals,
				      struct magi_error *err);

#ifdef __cplusplus
}
#endif
#endif
