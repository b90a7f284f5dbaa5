/*
 * magi/trace.h — the run directory: runs/<time>-<slug>/ with trace.jsonl (one event per
 * line, flushed and fsync'd per event so a killed run loses nothing already done), step
 * images, summary.json and report.html.
 *
 * Secrets registered with magi_trace_add_secret (API keys, user secrets) are replaced by
 * "[redacted]" in every line written, whatever field they hide in.
 */
#ifndef MAGI_TRACE_H
#define MAGI_TRACE_H
#include "magi/core.h"
#include "magi/vision.h"
#include "magi/model.h"

#ifdef __cplusplus
extern "C" {
#endif

struct magi_trace;
/* Creates <runs_dir>/<YYYYmmdd-HHMMSS>-<slug>/ (slug made filename-safe, cut to 40 chars). */
MAGI_API magi_status magi_trace_open(const char *runs_dir, const char *slug,
				     struct magi_trace **out, struct magi_error *err);
/* Opens an existing run directory to append (resume). */
MAGI_API magi_status magi_trace_reopen(const char *dir, struct magi_trace **out,
				       struct magi_error *err);
MAGI_API void magi_trace_close(struct magi_trace *t);
MAGI_API const char *magi_trace_dir(const struct magi_trace *t);
MAGI_API magi_status magi_trace_add_secret(struct magi_trace *t, const char *secret);
/* Appends {"seq":N,"t":"…","ts":…,"type":type, …fields} where fields_json is a JSON object
 * text (or NULL). The line is synced before this returns. */
MAGI_API magi_status magi_trace_event(struct magi_trace *t, const char *type, const char *fields_json,
				      struct magi_error *err);
/* Appends a "call" event for one model call: role, model name, status, error, content,
 * usage, estimates, latency, attempts and wall-clock start/end. */
MAGI_API magi_status magi_trace_call(struct magi_trace *t, const char *role, const char *model,
				     const struct magi_chat_result *r, struct magi_error *err);
/* Saves img as <dir>/<name> (.png or .jpg by extension); *rel (may be NULL) gets a
 * malloc'd path relative to the run directory. */
MAGI_API magi_status magi_trace_save_image(struct magi_trace *t, const char *name,
					   const struct magi_image *img, char **rel,
					   struct magi_error *err);
/* Writes <dir>/summary.json atomically from a JSON object text. */
MAGI_API magi_status magi_trace_write_summary(struct magi_trace *t, const char *summary_json,
					      struct magi_error *err);
/* Renders a readable summary of a run directory (or its trace.jsonl) into out. */
MAGI_API magi_status magi_trace_show(const char *dir, bool verbose, struct magi_buf *out,
				     struct magi_error *err);
/* Writes <dir>/report.html: one self-contained page (images inlined) of the run. */
MAGI_API magi_status magi_trace_write_report(const char *dir, struct magi_error *err);

/* ---- demonstrations ------------------------------------------------------------------
 * A recorded successful run shown to a model as a worked example (AdaptAgent's in-context
 * demonstrations): the task, then per step the screen it was taken on (downscaled) and the
 * action done there. Actions are the canonical JSON in pixels of the recorded screen
 * (screen_w x screen_h); images are that screen shrunk (their own size says how much). */
struct magi_demo_step {
	char *action_json;	 /* owned */
	char *operation;	 /* owned; "" when the run gave none */
	char *image_name;	 /* owned; file name in the source directory, or NULL */
	struct magi_image *image; /* owned; NULL when the step has no screenshot */
};
struct magi_demo {
	char *task;   /* owned */
	char *source; /* owned: the directory it was read from */
	uint32_t screen_w, screen_h; /* the recorded screen (0 when unknown) */
	struct magi_demo_step *steps;
	size_t n_steps;
};
/* Reads a demonstration from path: a run directory (trace.jsonl; the run must have ended
 * with success) or a directory `magi trace export-demo` wrote (demo.json). Images are
 * shrunk to at most max_side pixels on their longer side (0: as stored). *out is yours
 * (magi_demo_free). MAGI_ERR_INVALID naming the path and the problem for anything else
 * (no such directory, an unsuccessful or unfinished run, a bad demo.json, no steps). */
MAGI_API magi_status magi_demo_load(const char *path, uint32_t max_side, struct magi_demo **out,
				    struct magi_error *err);
MAGI_API void magi_demo_free(struct magi_demo *d); /* NULL is a no-op */
/* Writes the demonstration of run_dir into out_dir (made if missing): demo.json
 * {"format":"magi-demo","version":1,"task","source","screen_w","screen_h","steps":[{"step",
 * "action","operation","image"}]} and step-NNN.jpg, each shrunk to max_side. */
MAGI_API magi_status magi_demo_export(const char *run_dir, const char *out_dir, uint32_t max_side,
				      struct magi_error *err);

#ifdef __cplusplus
}
#endif
#endif
