/* trace_writer.c — the run's trace work that need not hold up a step: step images and video
 * evidence frames encoded and written, and trace.jsonl synced to disk, on one background
 * thread per trace.
 *
 * What stays on the caller's thread, and why: every event line is written (write(2)) before
 * the call that wrote it returns, so a killed process keeps it (the kernel holds it); only
 * the fdatasync that makes it survive a power cut is left to the writer. Before an action
 * the caller asks for a barrier (magi__trace_flush): queued images written, the log synced,
 * and the trace's sticky error if any of it failed — so an agent never acts on a trace that
 * could not be written. A failure here breaks the record like one on the caller's thread
 * (magi__trace_broke): every later write returns it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/thread.h"
#include "trace/trace_internal.h"
#include "core/common.h"

#define QUEUE_MAX 8

struct job {
	char *name;
	const struct magi_image *img; /* borrowed until the job is done, unless own */
	bool own;		      /* the writer frees img once written */
	char *jpeg;		      /* or: an encoded image to write as it is (owned) */
	size_t jpeg_len;
};

struct magi__trace_writer {
	struct magi_trace *t;
	int fd;
	const char *log_path; /* the trace's, for messages */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* work queued, or work done: one condition, broadcast */
	struct job q[QUEUE_MAX];
	size_t head, n;
	bool busy, sync_wanted, quit;
};

/* Syncs trace.jsonl; called with mu held, dropped around the sync. */
static void sync_log(struct magi__trace_writer *w)
{
	w->sync_wanted = false;
	w->busy = true;
	pthread_mutex_unlock(&w->mu);
	struct magi_error e;
	if (magi__fd_sync(w->fd, true, w->log_path, &e))
		magi__trace_broke(w->t, &e);
	pthread_mutex_lock(&w->mu);
	w->busy = false;
	pthread_cond_broadcast(&w->cv);
}

static void *writer_main(void *arg)
{
	struct magi__trace_writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->n && !w->sync_wanted && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->n) {
			struct job j = w->q[w->head];
			w->head = (w->head + 1) % QUEUE_MAX;
			w->n--;
			w->busy = true;
			pthread_mutex_unlock(&w->mu);
			struct magi_error e;
			/* (a write that failed has broken the record already; an image that could
			 * not be encoded breaks it here: the step it belongs to is not whole) */
			if (j.jpeg ? magi__trace_write_jpeg(w->t, j.name, j.jpeg, j.jpeg_len, &e)
				   : magi_trace_save_image(w->t, j.name, j.img, NULL, &e))
				magi__trace_broke(w->t, &e);
			free(j.name);
			free(j.jpeg);
			if (j.own)
				magi_image_free((struct magi_image *)j.img);
			pthread_mutex_lock(&w->mu);
			w->busy = false;
			pthread_cond_broadcast(&w->cv);
		} else if (w->sync_wanted) {
			sync_log(w);
		} else {
			break; /* quit, with nothing left to do */
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

magi_status magi__trace_writer_new(struct magi_trace *t, int fd, const char *log_path,
				   struct magi__trace_writer **out)
{
	*out = NULL;
	struct magi__trace_writer *w = calloc(1, sizeof *w);
	if (!w)
		return MAGI_ERR_NOMEM;
	w->t = t;
	w->fd = fd;
	w->log_path = log_path;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, writer_main, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return MAGI_ERR_IO;
	}
	*out = w;
	return MAGI_OK;
}

void magi__trace_writer_free(struct magi__trace_writer *w)
{
	if (!w)
		return;
	/* what was queued is still written, and the log synced, before the thread ends */
	magi__thread_stop(w->th, &w->mu, &w->cv, &w->quit, &w->sync_wanted);
	free(w);
}

static magi_status queue(struct magi__trace_writer *w, const char *name, struct job j, struct magi_error *err)
{
	if (!(j.name = magi__strdup(name))) {
		if (j.own)
			magi_image_free((struct magi_image *)j.img);
		free(j.jpeg);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	pthread_mutex_lock(&w->mu);
	while (w->n == QUEUE_MAX)
		pthread_cond_wait(&w->cv, &w->mu);
	w->q[(w->head + w->n) % QUEUE_MAX] = j;
	w->n++;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return MAGI_OK;
}

magi_status magi__trace_writer_image(struct magi__trace_writer *w, const char *name,
				     const struct magi_image *img, bool own, struct magi_error *err)
{
	return queue(w, name, (struct job){.img = img, .own = own}, err);
}

magi_status magi__trace_writer_jpeg(struct magi__trace_writer *w, const char *name, char *jpeg, size_t len,
				    struct magi_error *err)
{
	return queue(w, name, (struct job){.jpeg = jpeg, .jpeg_len = len}, err);
}

void magi__trace_writer_sync_soon(struct magi__trace_writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->sync_wanted = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void magi__trace_writer_flush(struct magi__trace_writer *w, bool sync)
{
	pthread_mutex_lock(&w->mu);
	while (w->n || w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	if (sync) /* on this thread: the caller waits for it anyway */
		sync_log(w);
	pthread_mutex_unlock(&w->mu);
}
