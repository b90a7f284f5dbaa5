/*
 * magi/trace.h — the run directory: runs/<time>-<slug>/ with trace.jsonl (one event per
 * line, flushed and fsync'd per event so a killed run loses nothing already done), step
 * images, summary.json and report.html.
 *
 * Secrets registered with magi_trace_add_secret (API keys, user secrets) are replaced by
 * "[redacted]" in every line written, whatever field they hide in.
 *
 * The trace is the record of what an agent did, so it never claims more than reached the
 * disk: every write checks short writes and sync/close errors (ENOSPC, EIO, EROFS, ...),
 * and the first failure sticks to the handle. From then on every function that writes the
 * record (events, images, summary) returns that error without writing, so the record ends
 * with the last event written whole — never with a hole or a torn line. Callers ask
 * magi_trace_status() before acting on the world: an agent must not act unrecorded.
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
/* Closes the handle (NULL: no-op). Events were synced as they were written. */
MAGI_API void magi_trace_close(struct magi_trace *t);
MAGI_API const char *magi_trace_dir(const struct magi_trace *t);
/* MAGI_OK while everything asked of the trace reached the disk whole; otherwise the status
 * of the first write that failed (MAGI_ERR_IO for no space, I/O errors, a read-only file
 * system), which every later write returns too. NULL gives MAGI_ERR_INVALID. */
MAGI_API magi_status magi_trace_status(const struct magi_trace *t);
/* The first failure's message, naming the file and the OS error ("cannot write
 * runs/x/trace.jsonl: No space left on device ..."); "" while the record is intact. Owned by
 * the handle. */
MAGI_API const char *magi_trace_errmsg(const struct magi_trace *t);
MAGI_API magi_status magi_trace_add_secret(struct magi_trace *t, const char *secret);
/* Appends {"seq":N,"t":"…","ts":…,"type":type, …fields} where fields_json is a JSON object
 * text (or NULL). The line is written in one piece and synced (fdatasync) before this returns
 * MAGI_OK; on a failure any part of it that reached the file is cut off again and the error
 * sticks (see magi_trace_status). */
MAGI_API magi_status magi_trace_event(struct magi_trace *t, const char *type, const char *fields_json,
				      struct magi_error *err);
/* Appends a "call" event for one model call: role, model name, status, error, content,
 * usage, estimates, latency, attempts and wall-clock start/end. */
MAGI_API magi_status magi_trace_call(struct magi_trace *t, const char *role, const char *model,
				     const struct magi_chat_result *r, struct magi_error *err);
/* Saves img as <dir>/<name> (.png or .jpg by extension): written whole under a temp name,
 * its length checked, synced and renamed, so an image on disk is never cut short. *rel (may
 * be NULL) gets a malloc'd path relative to the run directory, NULL on failure. A write
 * failure sticks; a bad name (MAGI_ERR_INVALID) or an encoding error does not. */
MAGI_API magi_status magi_trace_save_image(struct magi_trace *t, const char *name,
					   const struct magi_image *img, char **rel,
					   struct magi_error *err);
/* Writes <dir>/summary.json atomically (magi_file_write) from a JSON object text. A write
 * failure sticks. */
MAGI_API magi_status magi_trace_write_summary(struct magi_trace *t, const char *summary_json,
					      struct magi_error *err);
/* Renders a readable summary of a run directory (or its trace.jsonl) into out. */
MAGI_API magi_status magi_trace_show(const char *dir, bool verbose, struct magi_buf *out,
				     struct magi_error *err);
/* Writes <dir>/report.html: one self-contained page (images inlined) of the run, atomically
 * (magi_file_write): on failure no report.html, old or partial, is claimed. */
MAGI_API magi_status magi_trace_write_report(const char *dir, struct magi_error *err);
/* magi_trace_write_report for a run directory or its trace.jsonl (the report goes beside
 * it); *written (may be NULL) gets the malloc'd path of the report written, NULL on
 * failure — print that, not a path built by hand. */
MAGI_API magi_status magi_trace_write_report_at(const char *run, char **written,
						struct magi_error *err);
/* Writes report.html of the open trace t from what it recorded so far and remembers its
 * path for magi_trace_report_path. Does not touch the sticky status of the record. */
MAGI_API magi_status magi_trace_report(struct magi_trace *t, struct magi_error *err);
/* The path of the report magi_trace_report wrote, or NULL when none was written (never
 * asked for, or it failed). Owned by the handle. */
MAGI_API const char *magi_trace_report_path(const struct magi_trace *t);

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
