/* item_ground.c — grounding items: a screen recipe runs on the screenshot (environment
 * image:FILE, one step) and its click is the prediction, scored as ScreenSpot-Pro's
 * eval_screenspot_pro.py scores it: a positive sample is correct when the point lies
 * inside the target box (edges included), "wrong_format" when the recipe gave no point;
 * a negative sample (the target is not on the screen) is correct when it gave none.
 *
 * Any screen recipe can be measured this way (its first click is its grounding); the
 * grounding recipes (ground, screenseeker) end their one step with that click. The run is
 * made for grounding: no OCR of the screenshot for a perception list (the model sees the
 * image only, as in ScreenSpot), no settle wait, and the risk gate's ask tier let through
 * (clicking a still image changes nothing). magi's own time per item is the run's wall
 * time less the model's latency, as the trace records both.
 *
 * The screenshot of the item the parent will most likely hand over next (w->hint) is
 * decoded on a second thread while this item runs (most of it waiting for the model), so
 * a 4K PNG's decode leaves the item's critical path when the guess is right: load_ms is
 * what the item waited for its image, decode_ms the decode's own time wherever it ran. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "core/thread.h"
#include "env/env_internal.h"
#include "eval/eval_internal.h"
#include "trace/trace_internal.h"
#include "core/common.h"

/* The step image a grounding run keeps in its trace: about the megapixel a model is sent,
 * not the 4-8 Mpx screen (the screen is the item's own file, named in results.jsonl). */
#define GROUND_TRACE_PIXELS 1048576u

static json_t *fail(const char *msg)
{
	return json_pack("{s:b, s:f, s:s, s:s}", "success", 0, "score", 0.0, "status", "error", "error", msg);
}

static bool has_point(const char *kind)
{
	return !strcmp(kind, "click") || !strcmp(kind, "double_click") || !strcmp(kind, "right_click") ||
	       !strcmp(kind, "long_press");
}

/* The first click of the run (screen pixels) and the model time spent. */
static void read_trace(const char *dir, bool *found, double *x, double *y, double *model_ms, int *calls)
{
	json_t *ev = NULL;
	struct magi_error err;
	*found = false;
	*model_ms = 0;
	*calls = 0;
	if (magi__trace_load(dir, &ev, &err)) {
		MAGI_WARN("%s", magi_error_text(&err));
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(ev, i, e)
	{
		const char *type = magi__json_str(e, "type", "");
		if (!strcmp(type, "call")) {
			*model_ms += magi__json_num(e, "latency_ms", 0);
			(*calls)++;
		} else if (!strcmp(type, "step") && !*found) {
			const json_t *a = json_object_get(e, "action");
			if (has_point(magi__json_str(a, "action", "")) && json_is_number(json_object_get(a, "x"))) {
				*found = true;
				*x = magi__json_num(a, "x", 0);
				*y = magi__json_num(a, "y", 0);
			}
		}
	}
	json_decref(ev);
}

static void copy_field(json_t *dst, const json_t *item, const char *k)
{
	const char *v = magi__json_str(item, k, NULL);
	if (v)
		json_object_set_new(dst, k, json_string(v));
}

/* ---- the next item's screenshot, decoded ahead ------------------------------------------- *
 * One thread per worker, started with the first prefetch and kept until the worker ends:
 * a thread per item cost a thread start and, at its exit, glibc handing its stack's pages
 * back (an madvise that flushes the other core's TLB), every item. */
struct magi__ground_prefetch {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *path;		/* the screenshot asked for; NULL: nothing asked */
	bool busy, quit;	/* decoding path; told to end */
	struct magi_image *img; /* path's pixels once !busy (NULL when it failed) */
	double decode_ms;
};

static void *prefetch_main(void *arg)
{
	struct magi__ground_prefetch *pf = arg;
	pthread_mutex_lock(&pf->mu);
	for (;;) {
		while (!pf->busy && !pf->quit)
			pthread_cond_wait(&pf->cv, &pf->mu);
		if (!pf->busy)
			break;
		pthread_mutex_unlock(&pf->mu);
		struct magi_error e;
		struct magi_image *img = NULL;
		double t0 = magi_now_ms();
		if (magi_image_load(pf->path, &img, &e))
			img = NULL; /* the item decodes it again and reports the error */
		double ms = magi_now_ms() - t0;
		pthread_mutex_lock(&pf->mu);
		pf->img = img;
		pf->decode_ms = ms;
		pf->busy = false;
		pthread_cond_broadcast(&pf->cv);
	}
	pthread_mutex_unlock(&pf->mu);
	return NULL;
}

/* Waits for the prefetch asked for last; its image when it was of path (else freed),
 * *decode_ms. */
static struct magi_image *prefetch_take(struct magi__eval_worker *w, const char *path, double *decode_ms)
{
	struct magi__ground_prefetch *pf = w->prefetch;
	if (!pf)
		return NULL;
	pthread_mutex_lock(&pf->mu);
	while (pf->busy)
		pthread_cond_wait(&pf->cv, &pf->mu);
	struct magi_image *img = pf->img;
	bool same = pf->path && !strcmp(pf->path, path);
	pf->img = NULL;
	free(pf->path);
	pf->path = NULL;
	pthread_mutex_unlock(&pf->mu);
	if (img && same) {
		*decode_ms = pf->decode_ms;
		return img;
	}
	magi_image_free(img);
	return NULL;
}

static void prefetch_start(struct magi__eval_worker *w)
{
	const json_t *next = w->hint >= 0 ? json_array_get(w->suite->items, (size_t)w->hint) : NULL;
	const char *path = magi__json_str(next, "image", NULL);
	char *copy = path ? magi__strdup(path) : NULL;
	if (!copy)
		return; /* the next item decodes its own */
	struct magi__ground_prefetch *pf = w->prefetch;
	if (pf && pf->path) { /* one asked for and never taken: dropped (path is only set here) */
		double unused;
		magi_image_free(prefetch_take(w, "", &unused));
	}
	if (!pf) {
		if (!(pf = calloc(1, sizeof *pf))) {
			free(copy);
			return;
		}
		pthread_mutex_init(&pf->mu, NULL);
		pthread_cond_init(&pf->cv, NULL);
		if (pthread_create(&pf->th, NULL, prefetch_main, pf)) {
			pthread_cond_destroy(&pf->cv);
			pthread_mutex_destroy(&pf->mu);
			free(pf);
			free(copy);
			return;
		}
		w->prefetch = pf;
	}
	pthread_mutex_lock(&pf->mu); /* idle: every start follows a take */
	pf->path = copy;
	pf->busy = true;
	pthread_cond_broadcast(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
}

void magi__eval_ground_prefetch_end(struct magi__eval_worker *w)
{
	double unused;
	struct magi__ground_prefetch *pf = w->prefetch;
	if (!pf)
		return;
	magi_image_free(prefetch_take(w, "", &unused));
	magi__thread_stop(pf->th, &pf->mu, &pf->cv, &pf->quit, NULL);
	free(pf);
	w->prefetch = NULL;
}

json_t *magi__eval_run_ground(struct magi__eval_worker *w, const json_t *item, const char *run_dir)
{
	struct magi_error err;
	magi_error_clear(&err);
	const char *path = magi__json_str(item, "image", "");
	double t0 = magi_now_ms(), decode_ms = 0;
	struct magi_image *img = prefetch_take(w, path, &decode_ms);
	bool prefetched = img != NULL;
	magi_status es = MAGI_OK;
	if (!img) {
		es = magi_image_load(path, &img, &err);
		decode_ms = magi_now_ms() - t0;
	}
	double load_ms = magi_now_ms() - t0;
	prefetch_start(w); /* while this item runs */
	struct magi_env *env = NULL;
	if (es || magi__env_image_wrap(path, img, &env, &err))
		return fail(magi_error_text(&err));
	struct magi_run_params rp = magi_run_params_default();
	rp.task = magi__json_str(item, "instruction", "");
	rp.recipe = w->recipe;
	rp.runs_dir = run_dir;
	rp.max_steps = 1;
	rp.ocr = false;
	rp.settle_ms = 0;
	rp.observe_after = false; /* an image: a click changes nothing (no second decode of it) */
	/* nor does its click need a synced trace first; the item's durable record is its
	 * results.jsonl line (fsync'd): trace.jsonl is synced once as the run ends, its step
	 * image, summary and report not (a power cut may lose them; an item without a results
	 * line is run again) */
	rp.trace_sync = false;
	rp.trace_max_pixels = GROUND_TRACE_PIXELS;
	rp.max_wall_s = w->p->item_timeout_s * 0.9;
	rp.guards = w->p->guards;
	rp.risk = w->p->risk;
	rp.risk.yes = true;
	struct magi_run_result rr;
	magi_status s = magi_run_gui(env, w->models.team, &rp, &rr, &err);
	magi_env_close(env);
	if (s)
		return fail(magi_error_text(&err));
	bool found;
	double x = 0, y = 0, model_ms;
	int calls;
	read_trace(rr.run_dir, &found, &x, &y, &model_ms, &calls);
	bool neg = magi__json_bool(item, "negative", false);
	const json_t *bb = json_object_get(item, "bbox");
	const char *outcome;
	if (neg) {
		outcome = found ? "wrong" : "correct";
	} else if (!found) {
		outcome = "wrong_format";
	} else {
		double b[4];
		for (size_t k = 0; k < 4; k++)
			b[k] = json_number_value(json_array_get(bb, k));
		outcome = x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3] ? "correct" : "wrong";
	}
	bool ok = !strcmp(outcome, "correct");
	json_t *r = json_pack("{s:b, s:f, s:s, s:b, s:O, s:s, s:i, s:I, s:I, s:f, s:f, s:f, s:f, s:s}", "success", ok,
			      "score", ok ? 1.0 : 0.0, "outcome", outcome, "negative", neg, "bbox", bb ? bb : json_null(),
			      "reason", rr.reason, "calls", rr.calls, "prompt_tokens", (json_int_t)rr.prompt_tokens,
			      "completion_tokens", (json_int_t)rr.completion_tokens, "wall_ms", rr.wall_ms + load_ms,
			      "model_ms", model_ms, "own_ms", rr.wall_ms - model_ms + load_ms, "load_ms", load_ms,
			      "run_dir", rr.run_dir);
	json_object_set_new(r, "decode_ms", json_real(decode_ms));
	json_object_set_new(r, "prefetched", json_boolean(prefetched));
	json_object_set_new(r, "point", found ? json_pack("[f,f]", x, y) : json_null());
	static const char *const keys[] = {"group", "application", "platform", "ui_type", "instruction_style"};
	for (size_t k = 0; k < MAGI_ARRAY_LEN(keys); k++)
		copy_field(r, item, keys[k]);
	if (!strcmp(rr.reason, "model_error") || !strcmp(rr.reason, "env_error") || !strcmp(rr.reason, "error")) {
		json_object_set_new(r, "status", json_string("error"));
		json_object_set_new(r, "error", json_string(err.status ? magi_error_text(&err) : rr.reason));
	}
	(void)calls;
	magi_run_result_release(&rr);
	return r;
}
