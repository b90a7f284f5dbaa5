/* scene.c — scene cuts: sample the whole video as tiny frames and report where neighbouring
 * frames differ both in pixels and in colour distribution. The pixel term catches cuts
 * between similar palettes, the histogram term ignores motion inside a scene. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "magi/video.h"
#include "video/video_internal.h"
#include "core/common.h"

#define SCENE_SIDE 64 /* longest side of the compared frames */
#define HIST_BINS 512 /* 8 levels per channel */

struct scan {
	struct magi_image *last;
	uint32_t hist[2][HIST_BINS];
	int cur;
	double threshold;
	double *times;
	size_t n, cap;
	bool have_last;
};

static void histogram(const struct magi_image *img, uint32_t *h)
{
	memset(h, 0, HIST_BINS * sizeof *h);
	for (uint32_t y = 0; y < img->h; y++) {
		const uint8_t *p = img->px + (size_t)y * img->stride;
		for (uint32_t x = 0; x < img->w; x++, p += 3)
			h[(p[0] >> 5) << 6 | (p[1] >> 5) << 3 | p[2] >> 5]++;
	}
}

static double pixel_diff(const struct magi_image *a, const struct magi_image *b)
{
	uint64_t sum = 0;
	for (uint32_t y = 0; y < a->h; y++) {
		const uint8_t *p = a->px + (size_t)y * a->stride,
			      *q = b->px + (size_t)y * b->stride;
		for (uint32_t x = 0; x < a->w * 3; x++)
			sum += (uint64_t)abs((int)p[x] - (int)q[x]);
	}
	return (double)sum / ((double)a->w * a->h * 3 * 255);
}

static magi_status scan_emit(void *user, size_t target, const struct magi_image *img, double t_s,
			     bool key)
{
	struct scan *sc = user;
	int nxt = sc->cur ^ 1;
	histogram(img, sc->hist[nxt]);
	if (sc->have_last) {
		uint64_t l1 = 0;
		for (int i = 0; i < HIST_BINS; i++)
			l1 += sc->hist[nxt][i] > sc->hist[sc->cur][i]
				  ? sc->hist[nxt][i] - sc->hist[sc->cur][i]
				  : sc->hist[sc->cur][i] - sc->hist[nxt][i];
		double hd = (double)l1 / (2.0 * img->w * img->h);
		double score = (hd + pixel_diff(sc->last, img)) / 2;
		if (score >= sc->threshold) {
			if (sc->n == sc->cap) {
				size_t cap = sc->cap ? sc->cap * 2 : 64;
				double *t = realloc(sc->times, cap * sizeof *t);
				if (!t)
					return MAGI_ERR_NOMEM;
				sc->times = t;
				sc->cap = cap;
			}
			sc->times[sc->n++] = t_s;
		}
	}
	memcpy(sc->last->px, img->px, (size_t)img->stride * img->h);
	sc->cur = nxt;
	sc->have_last = true;
	return MAGI_OK;
}

magi_status magi_video_scene_cuts(struct magi_video *v, double threshold, double sample_fps,
				  double **times, size_t *n, struct magi_error *err)
{
	if (!times || !n || !v)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "magi_video_scene_cuts: NULL argument");
	*times = NULL;
	*n = 0;
	if (threshold == 0)
		threshold = MAGI_VIDEO_SCENE_THRESHOLD;
	if (sample_fps == 0)
		sample_fps = MAGI_VIDEO_SCENE_FPS;
	if (!(threshold > 0 && threshold <= 1))
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "%s: scene threshold must be in (0, 1] (got %g)", v->path,
				      threshold);
	if (!(sample_fps > 0) || !isfinite(sample_fps))
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "%s: sample fps must be above 0 (got %g)", v->path,
				      sample_fps);
	double count = ceil(v->info.duration_s * sample_fps - 1e-9);
	if (count > MAGI_VIDEO_MAX_SCENE_SAMPLES)
		return magi_error_set(
		    err, MAGI_ERR_LIMIT,
		    "%s: %.0f s at %g fps is %.0f frames to compare, more than the "
		    "%u-frame limit; lower the sample rate",
		    v->path, v->info.duration_s, sample_fps, count, MAGI_VIDEO_MAX_SCENE_SAMPLES);
	size_t nt = count < 2 ? 2 : (size_t)count;
	double *t = malloc(nt * sizeof *t);
	struct scan sc = {0};
	sc.threshold = threshold;
	uint32_t w, h;
	magi__video_out_size(v, SCENE_SIDE, &w, &h);
	magi_status s = t ? magi_image_new(w, h, &sc.last) : MAGI_ERR_NOMEM;
	if (s) {
		free(t);
		return magi_error_set(err, s, "%s: out of memory", v->path);
	}
	for (size_t i = 0; i < nt; i++)
		t[i] = MAGI_MIN((double)i / sample_fps, v->info.duration_s);
	struct magi__video_stats st;
	struct magi_error local;
	/* neighbours are compared as they come: in order, exact, one decoder */
	struct magi__video_req rq = {t, nt, w, h, 0, false};
	s = magi__video_sample(v, &rq, scan_emit, &sc, &st, err ? err : &local);
	if (s == MAGI_ERR_NOMEM) /* from scan_emit, which has no error record */
		magi_error_set(err, s, "%s: out of memory", v->path);
	free(t);
	magi_image_free(sc.last);
	if (s) {
		free(sc.times);
		return s;
	}
	*times = sc.times;
	*n = sc.n;
	return MAGI_OK;
}
