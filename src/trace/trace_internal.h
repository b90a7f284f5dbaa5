/* trace_internal.h — jansson-level access to traces for the layers above (agent, eval). */
#ifndef MAGI_TRACE_INTERNAL_H
#define MAGI_TRACE_INTERNAL_H
#include <jansson.h>
#include "magi/trace.h"

/* Appends an event; steals nothing (ev keeps its reference). "type" must be set by the
 * caller or passed as type. */
magi_status magi__trace_event_json(struct magi_trace *t, const char *type, json_t *ev,
				   struct magi_error *err);
/* Moves the trace's slow work to a background thread (trace_writer.c): step images given
 * to magi__trace_save_image_bg are encoded and written there, and the run's events, still
 * written (write(2)) before magi__trace_event_json returns — a killed process keeps every
 * line —, are synced to disk there soon after instead of one fdatasync per event. An image
 * or a sync that fails there breaks the record as a failed write here does: every later
 * write returns its error (magi_trace_status). Without a thread (none could be
 * started) everything stays on the caller's thread, as before. The public magi_trace_event
 * still syncs each line before it returns. After magi__trace_sync_at_end no thread is
 * started: with no syncs to move, what is left (writing a step image) stays on the caller's
 * thread, and a thread's start and end cost more than the writes. */
void magi__trace_background(struct magi_trace *t);
/* Writes img as <dir>/<name> on the writer thread (at once without one). img is borrowed:
 * it must stay valid and unchanged until magi__trace_flush returns. */
/* Step images (.jpg) saved from now on are scaled down to at most max_pixels (0: as they are). */
void magi__trace_image_max(struct magi_trace *t, uint32_t max_pixels);
/* Called before magi__trace_background. From now on nothing the trace writes is synced to
 * disk as it goes — not each event, not the barrier before an action (magi__trace_flush
 * with sync), not step images nor summary.json —, only trace.jsonl, once, when the trace
 * closes (in magi_trace_close). Every write is still made and checked, so a killed
 * process keeps every line and a failed write still breaks the record; a power cut may
 * lose what was not synced. For a run whose actions change nothing (an eval item on a
 * still image) and whose durable record is kept by its caller. */
void magi__trace_sync_at_end(struct magi_trace *t);
/* false after magi__trace_sync_at_end (for files written beside the trace, e.g. the report) */
bool magi__trace_syncs_as_it_goes(const struct magi_trace *t);
/* magi_trace_write_report_at, report.html synced to disk before it takes its name only when
 * sync. */
magi_status magi__trace_write_report_sync(const char *run, char **written, bool sync, struct magi_error *err);
magi_status magi__trace_save_image_bg(struct magi_trace *t, const char *name, const struct magi_image *img,
				      struct magi_error *err);
/* The same for an image the trace takes over (freed once written, or at once on error):
 * the caller need not keep it — a video frame freed with its round. */
magi_status magi__trace_save_image_give(struct magi_trace *t, const char *name, struct magi_image *img,
					struct magi_error *err);
/* An image already encoded as JPEG (the one a model was sent) written as <dir>/<name> (a
 * plain .jpg name) on the writer thread (at once without one); the trace takes jpeg over
 * (malloc'd; freed once written, or at once on error). Nothing is decoded or encoded. */
magi_status magi__trace_save_jpeg_give(struct magi_trace *t, const char *name, char *jpeg, size_t len,
				       struct magi_error *err);
/* The barrier before an action: waits until every queued image is written and, with sync,
 * syncs trace.jsonl (every line written so far) on this thread; returns the trace's sticky
 * error (the first write of any kind that failed, here or on the writer), MAGI_OK when the
 * record is whole. */
magi_status magi__trace_flush(struct magi_trace *t, bool sync, struct magi_error *err);

/* Breaks the record with e (the first error wins; every later write returns it). */
magi_status magi__trace_broke(struct magi_trace *t, const struct magi_error *e);

/* ---- the writer thread itself (trace_writer.c; used by trace.c only) ---------------------- */
struct magi__trace_writer;
magi_status magi__trace_writer_new(struct magi_trace *t, int fd, const char *log_path,
				   struct magi__trace_writer **out);
/* Writes what is queued, syncs the log, ends the thread. NULL: no-op. */
void magi__trace_writer_free(struct magi__trace_writer *w);
/* Queues img for writing as name; with own, the writer frees it once written. */
magi_status magi__trace_writer_image(struct magi__trace_writer *w, const char *name,
				     const struct magi_image *img, bool own, struct magi_error *err);
/* Queues the JPEG bytes for writing as name; the writer frees jpeg once written. */
magi_status magi__trace_writer_jpeg(struct magi__trace_writer *w, const char *name, char *jpeg, size_t len,
				    struct magi_error *err);
/* Writes the bytes as <dir>/<name> on this thread (whole, synced; a failure breaks the record). */
magi_status magi__trace_write_jpeg(struct magi_trace *t, const char *name, const char *jpeg, size_t len,
				   struct magi_error *err);
void magi__trace_writer_sync_soon(struct magi__trace_writer *w);
/* Waits until the queue is empty (and, with sync, syncs the log on this thread). Failures
 * break the trace's record (magi__trace_broke). */
void magi__trace_writer_flush(struct magi__trace_writer *w, bool sync);

/* magi_trace_call with extra fields (step, attempt) merged in. */
magi_status magi__trace_call_json(struct magi_trace *t, const char *role, const char *model,
				  const struct magi_chat_result *r, json_t *extra, struct magi_error *err);
/* Loads every event of <dir>/trace.jsonl into a JSON array. A torn last line (the run was
 * killed mid-write) is skipped with a warning; any other bad line is an error naming it. */
magi_status magi__trace_load(const char *dir, json_t **events, struct magi_error *err);
#endif
