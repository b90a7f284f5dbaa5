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

/* Called by the sampler for each target in ascending target order with the converted
 * frame. img is borrowed (valid until the callback returns); clone it to keep it. A non-OK
 * status stops the sampler and is returned by magi__video_sample. */
typedef magi_status (*magi__video_emit_fn)(void *user, size_t target, const struct magi_image *img,
					   double t_s, bool key);

struct magi__video_stats {
	enum magi_video_strategy strategy;
	uint64_t decoded, converted, seeks;
};

/* Decodes the frames at targets[0..n) (ascending, within [0, duration]) scaled to
 * out_w×out_h and hands each to emit. KEYFRAMES may skip targets (a key frame nearest to
 * several targets is emitted once, for the first of them). Uses v->params (strategy,
 * threads, progress). */
magi_status magi__video_sample(struct magi_video *v, const double *targets, size_t n,
			       uint32_t out_w, uint32_t out_h, magi__video_emit_fn emit, void *user,
			       struct magi__video_stats *stats, struct magi_error *err);

/* The output size for max_side (0 = native), keeping the display aspect ratio. */
void magi__video_out_size(const struct magi_video *v, uint32_t max_side, uint32_t *w, uint32_t *h);

/* "what failed: FFmpeg's message" helper: writes av_strerror(code) into buf[128]. */
const char *magi__av_err(int code, char buf[128]);
#endif
