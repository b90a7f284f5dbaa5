/*
 * magi/trace.h — the run directory: runs/<time>-<slug>/ with trace.jsonl (one event per
 * line, written whole before the call returns, so a killed run loses nothing already done),
 * step images, summary.json and report.html. magi_trace_event syncs each line to disk
 * before it returns. A run (magi_run_*) writes its step images and syncs its lines on a
 * background thread of its trace instead, and waits for both — everything before it on
 * disk — before each action it takes: an agent never acts on a trace it could not write.
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

#ifdef __cplusplus
}
#endif
#endif
