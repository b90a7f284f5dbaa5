/* eval_internal.h — the eval layer's shared pieces: suites as normalised JSON items, the
 * item runners each kind has, and the summary and report of a results file. */
#ifndef MAGI_EVAL_INTERNAL_H
#define MAGI_EVAL_INTERNAL_H
#include <jansson.h>
#include "magi/eval.h"
#include "magi/recipe.h"

struct magi_eval_suite {
	char *path, *dir, *name, *data_dir;
	const char *format;     /* static string */
	enum magi_eval_kind kind;
	json_t *header;         /* the YAML header (an object; empty for external formats) */
	json_t *items;          /* normalised items, each with "id" and "line" */
	char sha256[65];        /* of the file's bytes */
};

/* One raw record of a suite file and the line it starts on. */
struct magi__eval_rec {
	json_t *j;
	long line;
};

/* formats.c: recognises the format of a file's records and normalises each into the
 * item shape its kind's runner reads. Messages say "FILE:LINE: problem". */
magi_status magi__eval_normalise(struct magi_eval_suite *s, struct magi__eval_rec *recs, size_t n,
				 struct magi_error *err);
/* Finds a file an item names: data_dir, the suite's directory, then its ../images. Returns
 * a malloc'd path, or NULL with the places it looked in err. */
char *magi__eval_find_file(const struct magi_eval_suite *s, const char *name, long line,
			   struct magi_error *err);

/* What a worker knows while it runs items. */
struct magi__eval_worker {
	const struct magi_eval_params *p;
	const struct magi_eval_suite *suite;
	const char *recipe;           /* resolved */
	struct magi_eval_models models;
	bool have_models;
	int id;                       /* 0.. */
	/* gui: this worker's X server, started on the first gui item */
	int xvfb_pid;
	char display[16];
	/* ground: the item the parent expects to hand this worker next (-1: none), whose
	 * screenshot is decoded on a second thread while the current item waits for its model */
	long hint;
	struct magi__ground_prefetch *prefetch;
};
/* Waits for and frees a prefetch still running (the worker's end). */
void magi__eval_ground_prefetch_end(struct magi__eval_worker *w);

/* Runs item (a normalised item) and returns its result object (new reference) holding at
 * least "success" and "score"; "error" when it ended by an error. run_dir is the item's
 * directory under out_dir/runs. Never NULL except out of memory. */
json_t *magi__eval_run_gui(struct magi__eval_worker *w, const json_t *item, const char *run_dir);
json_t *magi__eval_run_video(struct magi__eval_worker *w, const json_t *item, const char *run_dir);
json_t *magi__eval_run_privacy(struct magi__eval_worker *w, const json_t *item, const char *run_dir);
json_t *magi__eval_run_risk(struct magi__eval_worker *w, const json_t *item, const char *run_dir);
/* The risk gate's context for one labelled action of a risk suite (tests/data/
 * risk_suite.jsonl's "context": element_text, url, app, field_label, allowlist (at most
 * 32), secrets {NAME: VALUE}, "injection": true for an injected region under the action
 * point, injection_text alone for one elsewhere on the screen). rc->ctx points into rc and
 * context (both must outlive its use); release with magi__eval_risk_case_release. */
struct magi__risk_case {
	struct magi_risk_context ctx;
	const char *allow[32];
	struct magi_secret_list secrets;
	struct magi_injection_region reg;
};
void magi__eval_risk_case(const json_t *context, const struct magi_action *a, struct magi__risk_case *rc);
void magi__eval_risk_case_release(struct magi__risk_case *rc);
json_t *magi__eval_run_ground(struct magi__eval_worker *w, const json_t *item, const char *run_dir);
/* Stops what a worker started (its X server and the programs of an item). Safe to call
 * from a signal handler. */
void magi__eval_worker_kill_children(void);
/* Registers / forgets a child process (a process group leader) the worker must stop when
 * it is told to stop. */
void magi__eval_child_add(int pid);
void magi__eval_child_remove(int pid);
void magi__eval_xvfb_stop(struct magi__eval_worker *w);

/* The letter a Video-MME / LongVideoBench script extracts from a reply: the answer
 * prefixes stripped, then "" when over 10 words without a letter, else the first of
 * letters (e.g. "ABCD") found as a capital. */
void magi__eval_extract_letter(const char *reply, const char *letters, char out[2]);

/* A results file read back: one object per item id (the last line for an id wins, in
 * order of first appearance). A torn last line is skipped; any other bad line is an
 * error naming it. */
magi_status magi__eval_results_load(const char *path, json_t **items, struct magi_error *err);
/* Appends one line and fsyncs. */
magi_status magi__eval_results_append(int fd, const json_t *line, struct magi_error *err);
/* The summary of result lines: counts, rates, breakdowns per kind. New reference. */
json_t *magi__eval_summarise(const json_t *meta, const json_t *results);
/* Writes report.html and results.csv for a summary and its results into dir. */
magi_status magi__eval_write_report(const char *dir, const json_t *meta, const json_t *summary,
				    const json_t *results, struct magi_error *err);
/* Writes text atomically into dir/name. */
magi_status magi__eval_write_file(const char *dir, const char *name, const char *text,
				  struct magi_error *err);
/* rm -rf path (no error when it does not exist). */
void magi__eval_rmtree(const char *path);
/* A worker process's main loop (worker.c); never returns. */
void magi__eval_worker_main(const struct magi_eval_params *p, const struct magi_eval_suite *suite,
			    const char *recipe, int id, int in_fd, int out_fd, int parent);
/* An id made safe as a directory name: [A-Za-z0-9._-], others as '_', at most 80 bytes. */
void magi__eval_safe_name(const char *id, char out[96]);
#endif
