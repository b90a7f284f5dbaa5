/* sample_plan.c — plans a sampling call: which targets snap to a key frame within the
 * tolerance, which strategy reaches the others, and how the timeline is split over worker
 * threads, each running one decoder over its own demuxer (sample.c runs a chunk). Progress
 * from the workers is combined and reported on the calling thread; the first failure stops
 * the others.
 *
 * Costs are counted in decoded frames: reaching a target by seeking costs the frames from
 * the key frame before it (half a key interval on average) plus a seek; decoding
 * sequentially costs every frame of the span; a snapped target costs one key frame (a few
 * P frames' worth) plus a seek. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "magi/video.h"
#include "video/video_internal.h"
#include "core/common.h"

#define EPS 1e-4
#define SEEK_COST_FRAMES 4.0
#define KEY_COST_FRAMES 3.0 /* an intra frame decodes slower than a predicted one */
/* Auto splitting needs this much exact decoding (frames × pixels: about 300 frames of
 * 720p), so the second demuxer and thread are paid back. Key frames alone (an overview
 * with the default tolerance: one decode each, ~3 ms at 720p) stay on one decoder: on a
 * busy machine a second thread's wait for a core costs more than it saves. */
#define SPLIT_MIN_PIXELS (300.0 * 1280 * 720)
/* A sequential stretch spans at least this many key intervals: each stretch decodes from
 * the key frame before its start, which is waste a dense window should not pay. */
#define SPLIT_SEQ_KEYS 3.0

static double fps_of(const struct magi_video *v)
{
	return v->info.fps > 0 ? v->info.fps : 25;
}

/* Frames decoded to reach a target by seeking: the GOP prefix on average, plus the seek.
 * Without an index a demuxer may land anywhere (MPEG-TS lands on the timestamp and the
 * decoder drops frames up to the next key frame): count a whole GOP and a retry. */
static double jump_cost(const struct magi_video *v)
{
	double fps = fps_of(v);
	double k = MAGI_MAX(v->info.keyframe_interval_s, 1.0 / fps);
	return v->n_key ? k * fps / 2 + SEEK_COST_FRAMES : k * fps + 2 * SEEK_COST_FRAMES;
}

/* AUTO: seeking only when clearly cheaper, so dense samples are decoded front to back. */
static enum magi_video_strategy choose(const struct magi_video *v, const double *T, size_t n)
{
	double fps = fps_of(v);
	double k = MAGI_MAX(v->info.keyframe_interval_s, 1.0 / fps);
	double seq = (T[n - 1] - T[0]) * fps + k * fps / 2;
	double jump = jump_cost(v), seek = 0, prev = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		double gap = (T[i] - prev) * fps;
		seek += gap < jump ? gap : jump;
		prev = T[i];
	}
	return seek < 0.9 * seq ? MAGI_VIDEO_SEEK : MAGI_VIDEO_SEQUENTIAL;
}

/* ---- progress and stopping, shared by the workers ------------------------------------- */

struct plan;
struct worker {
	struct plan *pl;
	int id;
	struct magi__video_chunk c;
	struct magi__video_stats st;
	struct magi_error err;
	magi_status status;
	bool stopped; /* failed only because another worker did */
	double weight;
	_Atomic double frac;
	pthread_t th;
	bool started;
};

struct plan {
	struct magi_video *v;
	struct worker *w;
	int n_w;
	atomic_bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done; /* workers (other than the calling thread's) finished */
	double last;
};

/* The user's callback, with the combined fraction; on the calling thread only. */
static magi_status report_user(struct plan *pl, bool final, struct magi_error *err)
{
	const struct magi_video_params *p = &pl->v->params;
	if (!p->progress)
		return MAGI_OK;
	double sum = 0, wsum = 0;
	for (int i = 0; i < pl->n_w; i++) {
		sum += pl->w[i].weight * atomic_load(&pl->w[i].frac);
		wsum += pl->w[i].weight;
	}
	double f = final ? 1 : wsum > 0 ? MAGI_MIN(sum / wsum, 1.0) : 0;
	if (!final && (f - pl->last < 0.005 || f >= 1))
		return MAGI_OK;
	pl->last = f;
	if (!p->progress(f, p->progress_user)) {
		atomic_store(&pl->stop, true);
		return magi_error_set(err, MAGI_ERR_CANCELLED, "%s: cancelled by the progress callback",
				      pl->v->path);
	}
	return MAGI_OK;
}

static magi_status report(void *ctx, double frac, struct magi_error *err)
{
	struct worker *w = ctx;
	if (atomic_load(&w->pl->stop)) {
		w->stopped = true;
		return magi_error_set(err, MAGI_ERR_CANCELLED, "%s: stopped", w->pl->v->path);
	}
	atomic_store(&w->frac, frac);
	return w->id == 0 ? report_user(w->pl, false, err) : MAGI_OK;
}

/* ---- workers ------------------------------------------------------------------------------ */

/* A demuxer of its own for a worker: the same file, format and stream. */
static magi_status open_demuxer(const struct magi_video *v, AVFormatContext **out,
				struct magi_error *err)
{
	char eb[128];
	AVFormatContext *f = NULL;
	int rc = avformat_open_input(&f, v->path, v->fmt->iformat, NULL);
	if (rc >= 0 && (f->nb_streams <= (unsigned)v->stream ||
			f->streams[v->stream]->codecpar->codec_id != v->st->codecpar->codec_id))
		rc = avformat_find_stream_info(f, NULL);
	if (rc >= 0 && (f->nb_streams <= (unsigned)v->stream ||
			f->streams[v->stream]->codecpar->codec_id != v->st->codecpar->codec_id ||
			av_cmp_q(f->streams[v->stream]->time_base, v->st->time_base) != 0))
		rc = AVERROR_STREAM_NOT_FOUND;
	if (rc < 0) {
		if (f)
			avformat_close_input(&f);
		return magi_error_set(err, MAGI_ERR_VIDEO, "%s: cannot open it again for a worker (%s)",
				      v->path, magi__av_err(rc, eb));
	}
	*out = f;
	return MAGI_OK;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	AVFormatContext *fmt = NULL;
	w->status = open_demuxer(w->pl->v, &fmt, &w->err);
	if (!w->status) {
		w->c.fmt = fmt;
		w->status = magi__video_chunk_run(&w->c, &w->st, &w->err);
		avformat_close_input(&fmt);
	}
	if (w->status)
		atomic_store(&w->pl->stop, true);
	pthread_mutex_lock(&w->pl->mu);
	w->pl->done++;
	pthread_cond_signal(&w->pl->cv);
	pthread_mutex_unlock(&w->pl->mu);
	return NULL;
}

/* Runs chunk 0 here and the others on threads; waits for all, reporting progress. */
static void run_workers(struct plan *pl)
{
	int started = 0;
	for (int i = 1; i < pl->n_w; i++) {
		struct worker *w = &pl->w[i];
		if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
			/* no thread: this chunk runs here after the first */
			continue;
		}
		w->started = true;
		started++;
	}
	struct worker *w0 = &pl->w[0];
	w0->status = magi__video_chunk_run(&w0->c, &w0->st, &w0->err);
	if (w0->status)
		atomic_store(&pl->stop, true);
	for (int i = 1; i < pl->n_w; i++) {
		struct worker *w = &pl->w[i];
		if (w->started || atomic_load(&pl->stop))
			continue;
		w->c.fmt = pl->v->fmt;
		w->status = magi__video_chunk_run(&w->c, &w->st, &w->err);
		if (w->status)
			atomic_store(&pl->stop, true);
	}
	pthread_mutex_lock(&pl->mu);
	while (pl->done < started) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&pl->cv, &pl->mu, &ts);
		if (!atomic_load(&pl->stop) && report_user(pl, false, &w0->err))
			w0->status = w0->err.status;
	}
	pthread_mutex_unlock(&pl->mu);
	for (int i = 1; i < pl->n_w; i++)
		if (pl->w[i].started)
			pthread_join(pl->w[i].th, NULL);
}

/* ---- the plan ------------------------------------------------------------------------------ */

/* How many workers to split the call over; exact: the frames the exact targets cost. */
static int worker_count(const struct magi_video *v, const struct magi__video_req *rq,
			enum magi_video_strategy strat, const double *ex_T, size_t n_ex,
			double exact)
{
	int want = v->params.workers;
	if (!rq->any_order || want == 1 || rq->n < 2)
		return 1;
	if (want == 0) {
		if (exact * v->info.width * v->info.height < SPLIT_MIN_PIXELS)
			return 1;
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		want = cpus > 1 ? (int)MAGI_MIN(cpus, (long)MAGI_VIDEO_MAX_WORKERS) : 1;
	}
	if (strat == MAGI_VIDEO_SEQUENTIAL && n_ex > 1) {
		double k = MAGI_MAX(v->info.keyframe_interval_s, 1.0 / fps_of(v));
		double most = floor((ex_T[n_ex - 1] - ex_T[0]) / (SPLIT_SEQ_KEYS * k));
		if (most < want)
			want = (int)MAGI_MAX(most, 1.0);
	}
	return (int)MAGI_MIN((size_t)want, rq->n);
}

struct split {
	double *T, *K, *cost;
	size_t *ids, *kids;
	size_t n_ex, n_key;
	size_t *ex_before, *key_before; /* per target: exact / snapped targets before it */
};

static void split_free(struct split *sp)
{
	free(sp->T);
	free(sp->K);
	free(sp->cost);
	free(sp->ids);
	free(sp->kids);
	free(sp->ex_before);
	free(sp->key_before);
}

magi_status magi__video_sample(struct magi_video *v, const struct magi__video_req *rq,
			       magi__video_emit_fn emit, void *user, struct magi__video_stats *stats,
			       struct magi_error *err)
{
	memset(stats, 0, sizeof *stats);
	size_t n = rq->n;
	if (n == 0)
		return MAGI_OK;
	struct magi_error local;
	if (!err)
		err = &local;
	const double *T = rq->targets;
	enum magi_video_strategy strat = v->params.strategy;
	bool snap = rq->any_order && rq->tolerance_s > 0 && v->n_key && strat != MAGI_VIDEO_KEYFRAMES;
	struct split sp = {0};
	sp.T = malloc(n * sizeof *sp.T);
	sp.K = malloc(n * sizeof *sp.K);
	sp.cost = malloc(n * sizeof *sp.cost);
	sp.ids = malloc(n * sizeof *sp.ids);
	sp.kids = malloc(n * sizeof *sp.kids);
	sp.ex_before = malloc((n + 1) * sizeof *sp.ex_before);
	sp.key_before = malloc((n + 1) * sizeof *sp.key_before);
	if (!sp.T || !sp.K || !sp.cost || !sp.ids || !sp.kids || !sp.ex_before || !sp.key_before) {
		split_free(&sp);
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", v->path);
	}
	for (size_t i = 0; i < n; i++) {
		sp.ex_before[i] = sp.n_ex;
		sp.key_before[i] = sp.n_key;
		double k = snap ? magi__video_key_nearest(v, T[i]) : 0;
		if (snap && fabs(k - T[i]) <= rq->tolerance_s + EPS) {
			sp.K[sp.n_key] = k;
			sp.kids[sp.n_key++] = i;
		} else {
			sp.T[sp.n_ex] = T[i];
			sp.ids[sp.n_ex++] = i;
		}
	}
	sp.ex_before[n] = sp.n_ex;
	sp.key_before[n] = sp.n_key;
	if (strat == MAGI_VIDEO_AUTO)
		strat = sp.n_ex ? choose(v, sp.T, sp.n_ex) : MAGI_VIDEO_SEEK;
	/* each target's cost, in time order, to cut the timeline into equal shares */
	double fps = fps_of(v), jump = jump_cost(v), prev = -INFINITY, total = 0, exact = 0;
	for (size_t i = 0; i < n; i++) {
		bool is_key = sp.key_before[i + 1] > sp.key_before[i];
		double c = KEY_COST_FRAMES + SEEK_COST_FRAMES;
		if (!is_key) {
			double gap = (T[i] - prev) * fps;
			c = strat == MAGI_VIDEO_SEQUENTIAL ? MAGI_MIN(gap, jump * 2)
			    : strat == MAGI_VIDEO_KEYFRAMES ? c
							    : MAGI_MIN(gap, jump);
			prev = T[i];
		}
		sp.cost[i] = c;
		total += c;
		if (!is_key)
			exact += c;
	}
	int n_w = strat == MAGI_VIDEO_KEYFRAMES ? 1 : worker_count(v, rq, strat, sp.T, sp.n_ex, exact);
	struct plan pl = {0};
	pl.v = v;
	pl.w = calloc((size_t)n_w, sizeof *pl.w);
	if (!pl.w) {
		split_free(&sp);
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", v->path);
	}
	pl.n_w = n_w;
	pl.last = -1;
	atomic_init(&pl.stop, false);
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.cv, NULL);
	/* cut at equal shares of the total cost; every worker gets one target or more */
	size_t a = 0;
	double cum = 0;
	for (int j = 0; j < n_w; j++) {
		size_t left = (size_t)(n_w - 1 - j), b = a;
		double share = total * (j + 1) / n_w;
		do
			cum += sp.cost[b++];
		while (b < n - left && (left == 0 || cum + sp.cost[b] / 2 <= share));
		struct worker *w = &pl.w[j];
		w->pl = &pl;
		w->id = j;
		w->weight = 0;
		for (size_t i = a; i < b; i++)
			w->weight += sp.cost[i];
		atomic_init(&w->frac, 0.0);
		struct magi__video_chunk *c = &w->c;
		c->v = v;
		c->fmt = v->fmt;
		c->threads = n_w == 1 ? v->params.threads : 1;
		c->strategy = strat;
		c->T = sp.T + sp.ex_before[a];
		c->ids = sp.ids + sp.ex_before[a];
		c->n = sp.ex_before[b] - sp.ex_before[a];
		c->K = sp.K + sp.key_before[a];
		c->kids = sp.kids + sp.key_before[a];
		c->nk = sp.key_before[b] - sp.key_before[a];
		c->ow = rq->out_w;
		c->oh = rq->out_h;
		c->emit = emit;
		c->user = user;
		c->report = report;
		c->report_ctx = w;
		a = b;
	}
	run_workers(&pl);
	/* the first failure in time order, not one that only stopped because of it */
	magi_status st = MAGI_OK;
	for (int pass = 0; pass < 2 && !st; pass++)
		for (int j = 0; j < n_w && !st; j++)
			if (pl.w[j].status && (pass || !pl.w[j].stopped)) {
				st = pl.w[j].status;
				if (err != &pl.w[j].err)
					*err = pl.w[j].err;
			}
	for (int j = 0; j < n_w; j++) {
		stats->decoded += pl.w[j].st.decoded;
		stats->converted += pl.w[j].st.converted;
		stats->seeks += pl.w[j].st.seeks;
	}
	stats->strategy = strat;
	stats->snapped = sp.n_key;
	stats->workers = n_w;
	if (!st)
		st = report_user(&pl, true, err);
	pthread_mutex_destroy(&pl.mu);
	pthread_cond_destroy(&pl.cv);
	free(pl.w);
	split_free(&sp);
	return st;
}
