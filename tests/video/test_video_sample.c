/* test_video_sample.c — sampling with a tolerance (targets snap to key frames near them,
 * frames keep their true times) and exact sampling split over worker threads, on real
 * H.264 files made here with FFmpeg: MP4 with and without B-frames, Matroska (cues) and
 * MPEG-TS (no index). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "magi/video.h"
#include "magi/vision.h"
#include "video_util.h"

static char dir[64];
static char mp4[256], bfr[256], mkv[256], ts[256];

/* 40 s of testsrc2 at 10 fps, 320x180, a key frame every 5 s exactly (0, 5, ..., 35). */
#define DUR 40.0

static struct magi_video *open_with(const char *path, double tolerance, int workers,
				    enum magi_video_strategy strategy)
{
	struct magi_video_params p = magi_video_params_default();
	p.tolerance_s = tolerance;
	p.workers = workers;
	p.strategy = strategy;
	struct magi_video *v = NULL;
	struct magi_error e;
	magi_status s = magi_video_open_params(path, &p, &v, &e);
	if (s)
		fprintf(stderr, "open %s: %s\n", path, magi_error_text(&e));
	REQUIRE(s == MAGI_OK && v);
	return v;
}

/* Same times and pixels, frame by frame (and the same targets, with targets). */
static void same_frames(const struct magi_video_frames *a, const struct magi_video_frames *b,
			const char *what, bool targets)
{
	CHECK_MSG(a->n == b->n, "%s: %zu vs %zu frames", what, a->n, b->n);
	for (size_t i = 0; i < a->n && i < b->n; i++) {
		CHECK_MSG(a->items[i].t_s == b->items[i].t_s &&
			      (!targets || a->items[i].target_s == b->items[i].target_s),
			  "%s: frame %zu at %f vs %f", what, i, a->items[i].t_s, b->items[i].t_s);
		double d = mean_abs_diff(a->items[i].img, b->items[i].img);
		CHECK_MSG(d < 0.01, "%s: frame %zu differs by %f", what, i, d);
	}
}

/* Five uniform frames: targets 4, 12, 20, 28, 36 s, default tolerance a quarter of 8 s. The
 * key frames nearest are 5, 10, 20, 30 and 35 s, each within 2 s. */
static void test_snap(const char *path, const char *what)
{
	static const double keys[] = {5, 10, 20, 30, 35};
	struct magi_video *v = open_with(path, MAGI_VIDEO_TOLERANCE_AUTO, 1, MAGI_VIDEO_AUTO);
	struct magi_video_frames *f = NULL, *x = NULL;
	struct magi_error e;
	REQUIRE(magi_video_sample_uniform(v, 5, 0, &f, &e) == MAGI_OK);
	CHECK_MSG(f->n == 5 && f->snapped == 5, "%s: %zu frames, %zu snapped", what, f->n,
		  f->snapped);
	CHECK_MSG(fabs(f->tolerance_s - 2.0) < 1e-9, "%s: tolerance %f", what, f->tolerance_s);
	CHECK_MSG(f->decoded == 5, "%s: %llu frames decoded for 5 key frames", what,
		  (unsigned long long)f->decoded);
	for (size_t i = 0; i < f->n; i++) {
		/* the key frame's own presentation time, not the target's */
		CHECK_MSG(fabs(f->items[i].t_s - keys[i]) < 1e-3, "%s: frame %zu at %f, want %f",
			  what, i, f->items[i].t_s, keys[i]);
		CHECK(f->items[i].key);
		CHECK(fabs(f->items[i].target_s - (i + 0.5) * DUR / 5) < 1e-9);
	}
	/* the same pixels as the exact frames at those times */
	struct magi_video_params p = magi_video_get_params(v);
	p.tolerance_s = 0;
	magi_video_set_params(v, &p);
	REQUIRE(magi_video_sample_times(v, keys, 5, 0, &x, &e) == MAGI_OK);
	CHECK(x->snapped == 0);
	same_frames(f, x, what, false);
	magi_video_frames_free(x);
	magi_video_frames_free(f);
	/* exact: the frame on screen at each target, never after it */
	REQUIRE(magi_video_sample_uniform(v, 5, 0, &x, &e) == MAGI_OK);
	CHECK(x->snapped == 0 && x->tolerance_s == 0);
	for (size_t i = 0; i < x->n; i++) {
		double t = x->items[i].t_s, want = (i + 0.5) * DUR / 5;
		CHECK_MSG(t <= want + 1e-6 && want - t < 0.1 + 1e-6, "%s: exact frame %zu at %f",
			  what, i, t);
	}
	CHECK(x->decoded > 5);
	magi_video_frames_free(x);
	/* a narrower tolerance: only the target on a key frame (20 s) snaps */
	p.tolerance_s = 0.5;
	magi_video_set_params(v, &p);
	REQUIRE(magi_video_sample_uniform(v, 5, 0, &x, &e) == MAGI_OK);
	CHECK_MSG(x->snapped == 1 && fabs(x->items[2].t_s - 20) < 1e-3, "%s: %zu snapped",
		  what, x->snapped);
	CHECK(fabs(x->items[0].t_s - 4.0) < 1e-3 && !x->items[0].key);
	magi_video_frames_free(x);
	magi_video_close(v);
}

static void test_times(void)
{
	struct magi_video *v = open_with(mp4, MAGI_VIDEO_TOLERANCE_AUTO, 0, MAGI_VIDEO_AUTO);
	struct magi_video_frames *f = NULL;
	struct magi_error e;
	/* explicit times are exact by default */
	double t1 = 4.9;
	REQUIRE(magi_video_sample_times(v, &t1, 1, 64, &f, &e) == MAGI_OK);
	CHECK(f->snapped == 0 && fabs(f->items[0].t_s - 4.9) < 1e-3);
	magi_video_frames_free(f);
	REQUIRE(magi_video_sample_range(v, 9.5, 10.5, 4, 64, &f, &e) == MAGI_OK);
	CHECK(f->snapped == 0 && f->n == 4 && fabs(f->items[0].t_s - 9.5) < 1e-3);
	magi_video_frames_free(f);
	/* ... and snap when asked to; two targets near one key frame both get it */
	struct magi_video_params p = magi_video_get_params(v);
	p.tolerance_s = 0.5;
	magi_video_set_params(v, &p);
	double t2[] = {10.2, 4.9, 9.8};
	REQUIRE(magi_video_sample_times(v, t2, 3, 64, &f, &e) == MAGI_OK);
	REQUIRE(f->n == 3);
	CHECK(f->snapped == 3 && f->decoded == 2);
	CHECK(fabs(f->items[0].t_s - 5) < 1e-3 && fabs(f->items[0].target_s - 4.9) < 1e-9);
	CHECK(fabs(f->items[1].t_s - 10) < 1e-3 && fabs(f->items[2].t_s - 10) < 1e-3);
	CHECK(f->items[1].target_s < f->items[2].target_s);
	CHECK(mean_abs_diff(f->items[1].img, f->items[2].img) == 0);
	magi_video_frames_free(f);
	/* KEYFRAMES keeps its own rule: nearest key frame at any distance, each once */
	p.strategy = MAGI_VIDEO_KEYFRAMES;
	magi_video_set_params(v, &p);
	REQUIRE(magi_video_sample_times(v, t2, 3, 64, &f, &e) == MAGI_OK);
	CHECK(f->n == 2 && f->strategy == MAGI_VIDEO_KEYFRAMES && f->tolerance_s == 0);
	magi_video_frames_free(f);
	magi_video_close(v);
}

/* No index: sampled exactly whatever the tolerance. */
static void test_no_index(void)
{
	struct magi_video *v = open_with(ts, MAGI_VIDEO_TOLERANCE_AUTO, 1, MAGI_VIDEO_AUTO);
	CHECK(!magi_video_get_info(v)->keyframes_indexed);
	struct magi_video_frames *f = NULL;
	struct magi_error e;
	REQUIRE(magi_video_sample_uniform(v, 5, 64, &f, &e) == MAGI_OK);
	CHECK(f->snapped == 0 && f->n == 5);
	for (size_t i = 0; i < f->n; i++) {
		double want = (i + 0.5) * DUR / 5, t = f->items[i].t_s;
		CHECK_MSG(t <= want + 1e-6 && want - t < 0.1 + 1e-6, "ts frame %zu at %f", i, t);
	}
	magi_video_frames_free(f);
	magi_video_close(v);
}

static void compare_workers(const char *what, enum magi_video_strategy st, double tol, double a,
			    double b, double fps, size_t n, int want_split, size_t want_snapped)
{
	struct magi_video_frames *f[3] = {0};
	struct magi_error e;
	for (int w = 1; w <= 3; w++) {
		struct magi_video *v = open_with(mp4, tol, w, st);
		magi_status s = fps > 0 ? magi_video_sample_range(v, a, b, fps, 64, &f[w - 1], &e)
					: magi_video_sample_uniform(v, n, 64, &f[w - 1], &e);
		if (s)
			fprintf(stderr, "%s: %s\n", what, magi_error_text(&e));
		REQUIRE(s == MAGI_OK);
		magi_video_close(v);
	}
	CHECK_MSG(f[0]->workers == 1 && f[1]->workers == (want_split < 2 ? want_split : 2) &&
		      f[2]->workers == (want_split < 3 ? want_split : 3),
		  "%s: %d, %d, %d workers", what, f[0]->workers, f[1]->workers, f[2]->workers);
	for (int i = 0; i < 3; i++)
		CHECK_MSG(f[i]->snapped == want_snapped, "%s: %zu snapped", what, f[i]->snapped);
	same_frames(f[0], f[1], what, true);
	same_frames(f[0], f[2], what, true);
	for (int i = 0; i < 3; i++)
		magi_video_frames_free(f[i]);
}

static void test_workers(void)
{
	compare_workers("seek", MAGI_VIDEO_SEEK, 0, 0, 0, 0, 12, 3, 0);
	compare_workers("sequential", MAGI_VIDEO_SEQUENTIAL, 0, 0, 40, 2, 0, 2, 0);
	/* ten targets 4 s apart, a tolerance of 1 s: six snap, four (2, 18, 22, 38 s) are
	 * sought exactly */
	compare_workers("snapped", MAGI_VIDEO_AUTO, MAGI_VIDEO_TOLERANCE_AUTO, 0, 0, 0, 10, 3, 6);
	/* a dense window (2 fps over 10 s, key frames every 5 s) is decoded once, not split */
	compare_workers("dense window", MAGI_VIDEO_AUTO, 0, 10, 20, 2, 0, 1, 0);

	/* too little decoding to pay for a second demuxer: the default does not split */
	struct magi_video *v = open_with(mp4, 0, 0, MAGI_VIDEO_SEEK);
	struct magi_video_frames *f = NULL;
	struct magi_error e;
	REQUIRE(magi_video_sample_uniform(v, 12, 64, &f, &e) == MAGI_OK);
	CHECK(f->workers == 1);
	magi_video_frames_free(f);
	magi_video_close(v);

	/* progress comes from the calling thread, combined, and can cancel split work */
	v = open_with(mp4, 0, 2, MAGI_VIDEO_SEQUENTIAL);
	struct prog pr = {0, 0, true, -1};
	struct magi_video_params p = magi_video_get_params(v);
	p.progress = on_progress;
	p.progress_user = &pr;
	magi_video_set_params(v, &p);
	REQUIRE(magi_video_sample_range(v, 0, 40, 2, 32, &f, &e) == MAGI_OK);
	CHECK(f->workers == 2);
	CHECK_MSG(pr.calls > 5 && pr.monotonic && pr.last == 1.0, "%d calls, last %f", pr.calls,
		  pr.last);
	magi_video_frames_free(f);
	pr = (struct prog){0, 0, true, 2};
	f = (struct magi_video_frames *)1;
	CHECK(magi_video_sample_range(v, 0, 40, 2, 32, &f, &e) == MAGI_ERR_CANCELLED);
	CHECK(f == NULL);
	CHECK_CONTAINS(e.msg, "sample.mp4: cancelled by the progress callback");
	magi_video_close(v);

	/* a file cut in half fails the same way split or not */
	char cut[300], cmd[1200];
	snprintf(cut, sizeof cut, "%s/cut.mp4", dir);
	snprintf(cmd, sizeof cmd, "head -c $(( $(stat -c %%s %s) / 2 )) %s > %s", mp4, mp4, cut);
	REQUIRE(sh(cmd) == 0);
	for (int w = 1; w <= 2; w++) {
		v = open_with(cut, 0, w, MAGI_VIDEO_SEEK);
		f = (struct magi_video_frames *)1;
		CHECK(magi_video_sample_uniform(v, 8, 64, &f, &e) == MAGI_ERR_VIDEO && f == NULL);
		CHECK_CONTAINS(e.msg, "cut.mp4: truncated or corrupt");
		magi_video_close(v);
	}
}

int main(void)
{
	if (sh("command -v ffmpeg >/dev/null") != 0)
		SKIP("ffmpeg not installed");
	snprintf(dir, sizeof dir, "/tmp/magi-vsample-XXXXXX");
	REQUIRE(mkdtemp(dir));
	snprintf(mp4, sizeof mp4, "%s/sample.mp4", dir);
	snprintf(bfr, sizeof bfr, "%s/bframes.mp4", dir);
	snprintf(mkv, sizeof mkv, "%s/sample.mkv", dir);
	snprintf(ts, sizeof ts, "%s/sample.ts", dir);
	char cmd[2048];
	const char *src = "-nostdin -v error -y -f lavfi -i testsrc2=s=320x180:r=10:d=40 "
			  "-pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 -movflags +faststart";
	snprintf(cmd, sizeof cmd,
		 "ffmpeg %s -c:v libx264 -preset ultrafast %s && "
		 "ffmpeg %s -c:v libx264 -preset veryfast -bf 3 %s && "
		 "ffmpeg -nostdin -v error -y -i %s -c copy %s && "
		 "ffmpeg -nostdin -v error -y -i %s -c copy %s",
		 src, mp4, src, bfr, mp4, mkv, mp4, ts);
	REQUIRE(sh(cmd) == 0);

	test_snap(mp4, "mp4");
	test_snap(bfr, "b-frames");
	test_snap(mkv, "matroska");
	test_times();
	test_no_index();
	test_workers();

	if (!getenv("MAGI_KEEP_TMP")) {
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		sh(cmd);
	}
	return check_done();
}
