/* video_internal.h — the video handle and the frame sampler shared by the files of
 * src/video (internal; FFmpeg types stay out of include/magi). */
#ifndef MAGI_VIDEO_INTERNAL_H
#define MAGI_VIDEO_INTERNAL_H
#include "video/av_dl.h"
#include "magi/video.h"

struct magi_video {
	char *path;
	char *codec_name;
	struct magi_video_info info;
	struct magi_video_params params;
	AVFormatContext *fmt;
	AVStream *st;
	int stream;
	const AVCodec *codec;
	double tb;		   /* seconds per stream time-base tick */
	int64_t start_pts;	   /* stream time of the video's t = 0 */
	double period;		   /* seconds per frame; 0 when the frame rate is unknown */
	bool cfr;		   /* the container claims a constant frame rate */
	int rotation;		   /* clockwise degrees (0, 90, 180, 270) to show frames upright */
	bool duration_from_stream; /* the video stream states its own duration */
	double *key_times; /* whole-file key-frame times from the index (ascending), or NULL */
	size_t n_key;
};

/* Called by the sampler for each target with the converted frame. img is borrowed (valid
 * until the callback returns); clone it to keep it. A non-OK status stops the sampler and
 * is returned by magi__video_sample. */
typedef magi_status (*magi__video_emit_fn)(void *user, size_t target, const struct magi_image *img,
					   double t_s, bool key);

struct magi__video_stats {
	enum magi_video_strategy strategy;
	uint64_t decoded, converted, seeks;
	size_t snapped; /* targets given a key frame within the tolerance */
	int workers;	/* decoders run */
};

/* One sampling request. */
struct magi__video_req {
	const double *targets; /* ascending, within [0, duration] */
	size_t n;
	uint32_t out_w, out_h;
	double tolerance_s; /* 0: exact frames */
	/* true: emit may come in any target order and, when the work is split, from several
	 * worker threads at once (each target once, except that KEYFRAMES may skip some);
	 * false: in ascending target order on the calling thread (no tolerance, no split) */
	bool any_order;
};

/* Decodes the frames at rq's targets, scaled to out_w×out_h, and hands each to emit.
 * KEYFRAMES may skip targets (a key frame nearest to several targets is emitted once, for
 * the first of them). Uses v->params (strategy, threads, workers, progress). */
magi_status magi__video_sample(struct magi_video *v, const struct magi__video_req *rq,
			       magi__video_emit_fn emit, void *user, struct magi__video_stats *stats,
			       struct magi_error *err);

/* ---- one decoder's share of a call (sample.c; planned by sample_plan.c) ---------------- */
/* Reports the fraction done of a chunk; a non-OK status (with err set) stops it. */
typedef magi_status (*magi__video_report_fn)(void *ctx, double frac, struct magi_error *err);

struct magi__video_chunk {
	struct magi_video *v;
	AVFormatContext *fmt; /* v->fmt on the calling thread, else a worker's own demuxer */
	int threads;	      /* FFmpeg threads of this decoder */
	/* the targets taken by strategy (SEQUENTIAL, SEEK or KEYFRAMES), ascending, and their
	 * indexes in the call */
	enum magi_video_strategy strategy;
	const double *T;
	const size_t *ids;
	size_t n;
	/* snapped targets: the key frame time (from the index) each one gets, ascending */
	const double *K;
	const size_t *kids;
	size_t nk;
	uint32_t ow, oh;
	magi__video_emit_fn emit;
	void *user;
	magi__video_report_fn report; /* NULL: the handle's progress callback */
	void *report_ctx;
};
/* Runs the chunk on the calling thread: the snapped targets first (seek, decode the key
 * frame), then the others by its strategy. Adds to *stats (decoded, converted, seeks). */
magi_status magi__video_chunk_run(const struct magi__video_chunk *c,
				  struct magi__video_stats *stats, struct magi_error *err);
/* The nearest key frame time of the index to t (v->n_key > 0). */
double magi__video_key_nearest(const struct magi_video *v, double t);

/* The output size for max_side (0 = native), keeping the display aspect ratio. */
void magi__video_out_size(const struct magi_video *v, uint32_t max_side, uint32_t *w, uint32_t *h);

/* "what failed: FFmpeg's message" helper: writes av_strerror(code) into buf[128]. */
const char *magi__av_err(int code, char buf[128]);
#endif
