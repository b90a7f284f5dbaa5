/* test_video.c — the video layer on real files made at test time by scripts/gen-video
 * (FFmpeg lavfi + libx264): metadata, uniform and range sampling, sequential vs. seek
 * agreement on sparse and dense GOPs, the key-frame path, scene cuts, storyboards,
 * subtitles beside the file, progress and cancellation, and every kind of bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "check.h"
#include "magi/video.h"
#include "magi/vision.h"
#include "video_util.h"

static char dir[64];
static char path_sparse[256], path_dense[256], path_hd[256];

/* 40 s, 320x180, 10 fps; scenes change at 8, 20 and 30 s. */
#define DUR 40.0
static const double scene_bounds[] = {8, 20, 30};

static void gen(const char *out, const char *gop)
{
	const char *src = getenv("MAGI_SRC_DIR") ? getenv("MAGI_SRC_DIR") : MAGI_SRC_DIR;
	char script[512];
	snprintf(script, sizeof script, "%s/scripts/gen-video", src);
	char *argv[] = {"python3",
			script,
			"video",
			(char *)out,
			"--seconds",
			"40",
			"--size",
			"320x180",
			"--fps",
			"10",
			"--gop",
			(char *)gop,
			"--no-scenecut",
			"--scene-lengths",
			"8,12,10,10",
			"--evidence-len",
			"3",
			"--questions",
			"1",
			"--distractors",
			"1",
			"--srt",
			"--seed",
			"5",
			"--quiet",
			NULL};
	REQUIRE(run(argv) == 0);
}

static struct magi_video *open_ok(const char *path)
{
	struct magi_video *v = NULL;
	struct magi_error e;
	magi_status s = magi_video_open(path, &v, &e);
	if (s)
		fprintf(stderr, "open %s: %s\n", path, magi_error_text(&e));
	REQUIRE(s == MAGI_OK && v);
	return v;
}

static void set_strategy(struct magi_video *v, enum magi_video_strategy st)
{
	struct magi_video_params p = magi_video_get_params(v);
	p.strategy = st;
	magi_video_set_params(v, &p);
}

static void test_metadata(void)
{
	struct magi_video *v = open_ok(path_sparse);
	const struct magi_video_info *in = magi_video_get_info(v);
	CHECK_STR(in->codec, "h264");
	CHECK(in->width == 320 && in->height == 180);
	CHECK(fabs(in->fps - 10) < 1e-6);
	CHECK_MSG(fabs(in->duration_s - DUR) < 0.15, "duration %f", in->duration_s);
	CHECK_MSG(in->n_frames == 400, "n_frames %lld", (long long)in->n_frames);
	CHECK_MSG(fabs(in->keyframe_interval_s - 5.0) < 0.01, "key interval %f",
		  in->keyframe_interval_s);
	CHECK(in->n_keyframes == 8);
	CHECK(in->keyframes_indexed);
	CHECK_STR(in->path, path_sparse);
	magi_video_close(v);
	v = open_ok(path_dense);
	in = magi_video_get_info(v);
	CHECK_MSG(fabs(in->keyframe_interval_s - 0.1) < 0.001, "dense key interval %f",
		  in->keyframe_interval_s);
	CHECK(in->n_keyframes == 400);
	magi_video_close(v);
	magi_video_close(NULL);

	/* Matroska states only the file's duration, here the audio's 13 s; the frames stop at
	 * 10 s and the video must say so */
	char mkv[300], cmd[1024];
	snprintf(mkv, sizeof mkv, "%s/longaudio.mkv", dir);
	snprintf(cmd, sizeof cmd,
		 "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=s=160x90:r=25:d=10 -f lavfi -i "
		 "sine=d=13 -c:v libx264 -preset ultrafast -c:a flac %s",
		 mkv);
	REQUIRE(sh(cmd) == 0);
	v = open_ok(mkv);
	in = magi_video_get_info(v);
	CHECK_MSG(fabs(in->duration_s - 10) < 0.05, "mkv duration %f", in->duration_s);
	CHECK(in->n_frames == 250);
	struct magi_video_frames *f = NULL;
	struct magi_error e;
	REQUIRE(magi_video_sample_uniform(v, 5, 0, &f, &e) == MAGI_OK);
	CHECK(f->n == 5 && fabs(f->items[4].t_s - 9.0) < 1e-3);
	magi_video_frames_free(f);
	magi_video_close(v);
}

static void test_uniform(void)
{
	struct magi_video *v = open_ok(path_sparse);
	struct magi_video_frames *f = NULL;
	struct magi_error e;
	REQUIRE(magi_video_sample_uniform(v, 8, 0, &f, &e) == MAGI_OK);
	REQUIRE(f->n == 8);
	for (size_t i = 0; i < 8; i++) {
		double want = (i + 0.5) * DUR / 8;
		CHECK_MSG(fabs(f->items[i].target_s - want) < 1e-9, "target %f",
			  f->items[i].target_s);
		CHECK_MSG(f->items[i].t_s <= want + 1e-6 && want - f->items[i].t_s < 0.1 + 1e-6,
			  "frame %zu at %f for %f", i, f->items[i].t_s, want);
		CHECK(f->items[i].img->w == 320 && f->items[i].img->h == 180);
	}
	CHECK(f->strategy != MAGI_VIDEO_AUTO);
	CHECK(f->converted == 8);
	magi_video_frames_free(f);
	/* resolution tiers keep the aspect ratio */
	REQUIRE(magi_video_sample_uniform(v, 3, 160, &f, &e) == MAGI_OK);
	CHECK(f->n == 3 && f->items[0].img->w == 160 && f->items[0].img->h == 90);
	struct magi_image *taken = magi_video_frames_take(f, 1);
	CHECK(taken && f->items[1].img == NULL && magi_video_frames_take(f, 1) == NULL);
	magi_image_free(taken);
	magi_video_frames_free(f);
	CHECK(magi_video_res_side(MAGI_VIDEO_RES_LOW) == 448);
	CHECK(magi_video_res_side(MAGI_VIDEO_RES_MEDIUM) == 896);
	enum magi_video_res r;
	CHECK(magi_video_res_parse("Medium", &r) == MAGI_OK && r == MAGI_VIDEO_RES_MEDIUM);
	CHECK(magi_video_res_parse("huge", &r) == MAGI_ERR_INVALID);
	enum magi_video_strategy st;
	CHECK(magi_video_strategy_parse("keyframes", &st) == MAGI_OK && st == MAGI_VIDEO_KEYFRAMES);
	CHECK_STR(magi_video_strategy_name(MAGI_VIDEO_SEEK), "seek");
	magi_video_close(v);
}

static void test_range(void)
{
	struct magi_video *v = open_ok(path_sparse);
	struct magi_video_frames *f = NULL;
	struct magi_error e;
	REQUIRE(magi_video_sample_range(v, 10, 12, 2, 0, &f, &e) == MAGI_OK);
	REQUIRE(f->n == 4);
	for (size_t i = 0; i < 4; i++) {
		double want = 10 + 0.5 * i;
		CHECK_MSG(fabs(f->items[i].t_s - want) < 1e-3, "range frame %zu at %f", i,
			  f->items[i].t_s);
	}
	magi_video_frames_free(f);
	/* at the file's own rate every frame comes once */
	REQUIRE(magi_video_sample_range(v, 5, 6, 10, 64, &f, &e) == MAGI_OK);
	REQUIRE(f->n == 10);
	for (size_t i = 0; i < 10; i++)
		CHECK_MSG(fabs(f->items[i].t_s - (5 + 0.1 * i)) < 1e-3, "frame %zu at %f", i,
			  f->items[i].t_s);
	magi_video_frames_free(f);
	/* a range past the end is cut at the end */
	REQUIRE(magi_video_sample_range(v, 38, 45, 2, 64, &f, &e) == MAGI_OK);
	CHECK_MSG(f->n == 4, "n = %zu", f->n);
	magi_video_frames_free(f);
	/* explicit times come back sorted */
	double times[] = {30.05, 1.0, 12.34};
	REQUIRE(magi_video_sample_times(v, times, 3, 64, &f, &e) == MAGI_OK);
	CHECK(f->n == 3 && fabs(f->items[0].t_s - 1.0) < 1e-3 &&
	      fabs(f->items[1].t_s - 12.3) < 1e-3 && fabs(f->items[2].t_s - 30.0) < 1e-3);
	magi_video_frames_free(f);
	magi_video_close(v);
}

static void compare_strategies(const char *path)
{
	struct magi_video *v = open_ok(path);
	/* exact frames: each strategy's own way to them (tolerance: test_video_sample.c) */
	struct magi_video_params p = magi_video_get_params(v);
	p.tolerance_s = 0;
	magi_video_set_params(v, &p);
	struct magi_error e;
	struct magi_video_frames *a = NULL, *b = NULL, *c = NULL;
	for (int round = 0; round < 2; round++) {
		set_strategy(v, MAGI_VIDEO_SEQUENTIAL);
		magi_status s1 = round ? magi_video_sample_range(v, 3.05, 9, 1.5, 0, &a, &e)
				       : magi_video_sample_uniform(v, 7, 0, &a, &e);
		set_strategy(v, MAGI_VIDEO_SEEK);
		magi_status s2 = round ? magi_video_sample_range(v, 3.05, 9, 1.5, 0, &b, &e)
				       : magi_video_sample_uniform(v, 7, 0, &b, &e);
		set_strategy(v, MAGI_VIDEO_AUTO);
		magi_status s3 = round ? magi_video_sample_range(v, 3.05, 9, 1.5, 0, &c, &e)
				       : magi_video_sample_uniform(v, 7, 0, &c, &e);
		REQUIRE(s1 == MAGI_OK && s2 == MAGI_OK && s3 == MAGI_OK);
		CHECK(a->strategy == MAGI_VIDEO_SEQUENTIAL && b->strategy == MAGI_VIDEO_SEEK);
		REQUIRE(a->n == b->n && a->n == c->n);
		for (size_t i = 0; i < a->n; i++) {
			CHECK_MSG(a->items[i].t_s == b->items[i].t_s, "%s: frame %zu at %f vs %f",
				  path, i, a->items[i].t_s, b->items[i].t_s);
			double d = mean_abs_diff(a->items[i].img, b->items[i].img);
			CHECK_MSG(d < 0.01, "%s: frame %zu differs by %f", path, i, d);
			CHECK(mean_abs_diff(a->items[i].img, c->items[i].img) < 0.01);
		}
		if (!round && !strstr(path, ".ts"))
			CHECK_MSG(b->decoded < a->decoded, "seek decoded %llu, sequential %llu",
				  (unsigned long long)b->decoded, (unsigned long long)a->decoded);
		magi_video_frames_free(a);
		magi_video_frames_free(b);
		magi_video_frames_free(c);
	}
	magi_video_close(v);
}

static void test_strategies_agree(void)
{
	compare_strategies(path_sparse);
	compare_strategies(path_dense);
	/* B-frames (non-reference frames the sampler may drop), and containers whose seeking
	 * works differently: Matroska (cues read on first seek), MPEG-TS (no index at all,
	 * seeks land between key frames, time stamps start at 1.4 s) */
	static const char *const variants[][2] = {
	    {"bframes.mp4", "-c:v libx264 -preset veryfast -bf 3 -g 48"},
	    {"remux.mkv", "-c copy"},
	    {"remux.ts", "-c copy"},
	};
	for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
		char out[300], cmd[1024];
		snprintf(out, sizeof out, "%s/%s", dir, variants[i][0]);
		snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -i %s %s %s", path_sparse,
			 variants[i][1], out);
		REQUIRE(sh(cmd) == 0);
		compare_strategies(out);
	}
	/* AUTO picks seeking when every frame is a key frame and samples are sparse */
	struct magi_video *v = open_ok(path_dense);
	struct magi_video_params p = magi_video_get_params(v);
	p.tolerance_s = 0;
	magi_video_set_params(v, &p);
	struct magi_video_frames *f = NULL;
	struct magi_error e;
	REQUIRE(magi_video_sample_uniform(v, 4, 64, &f, &e) == MAGI_OK);
	CHECK(f->strategy == MAGI_VIDEO_SEEK && f->snapped == 0);
	magi_video_frames_free(f);
	/* ... and sequential decoding for dense samples of a sparse-GOP file */
	magi_video_close(v);
	v = open_ok(path_sparse);
	REQUIRE(magi_video_sample_range(v, 0, 20, 5, 64, &f, &e) == MAGI_OK);
	CHECK(f->strategy == MAGI_VIDEO_SEQUENTIAL);
	magi_video_frames_free(f);
	magi_video_close(v);
}

static void test_keyframes(void)
{
	struct magi_video *v = open_ok(path_sparse);
	set_strategy(v, MAGI_VIDEO_KEYFRAMES);
	struct magi_video_frames *f = NULL;
	struct magi_error e;
	REQUIRE(magi_video_sample_uniform(v, 8, 0, &f, &e) == MAGI_OK);
	CHECK(f->strategy == MAGI_VIDEO_KEYFRAMES);
	CHECK(f->n >= 6 && f->n <= 8);
	for (size_t i = 0; i < f->n; i++) {
		double t = f->items[i].t_s;
		CHECK_MSG(fabs(t - 5 * floor(t / 5 + 0.5)) < 1e-3, "key frame at %f", t);
		CHECK(f->items[i].key);
		CHECK(fabs(t - f->items[i].target_s) <= 2.5 + 1e-6);
		if (i)
			CHECK(t > f->items[i - 1].t_s);
	}
	CHECK_MSG(f->decoded == f->n, "decoded %llu for %zu key frames",
		  (unsigned long long)f->decoded, f->n);
	magi_video_frames_free(f);
	magi_video_close(v);
}

static void test_scene_cuts(void)
{
	struct magi_video *v = open_ok(path_sparse);
	double *cuts = NULL;
	size_t n = 0;
	struct magi_error e;
	REQUIRE(magi_video_scene_cuts(v, 0, 0, &cuts, &n, &e) == MAGI_OK);
	CHECK_MSG(n == (sizeof(scene_bounds) / sizeof(scene_bounds)[0]), "%zu cuts", n);
	for (size_t i = 0; i < n && i < (sizeof(scene_bounds) / sizeof(scene_bounds)[0]); i++)
		CHECK_MSG(cuts[i] >= scene_bounds[i] - 1e-3 &&
			      cuts[i] <= scene_bounds[i] + 0.5 + 0.1,
			  "cut %zu at %f, want %f", i, cuts[i], scene_bounds[i]);
	free(cuts);
	CHECK(magi_video_scene_cuts(v, 2.0, 0, &cuts, &n, &e) == MAGI_ERR_INVALID);
	CHECK(cuts == NULL && n == 0);
	magi_video_close(v);
}

static bool tesseract_present(void)
{
	return sh("command -v tesseract >/dev/null 2>&1") == 0;
}

static void test_storyboard(void)
{
	struct magi_video *v = open_ok(path_sparse);
	struct magi_video_frames *f = NULL;
	struct magi_error e;
	REQUIRE(magi_video_sample_uniform(v, 6, 0, &f, &e) == MAGI_OK);
	struct magi_image *sb = NULL;
	REQUIRE(magi_video_storyboard(f->items, f->n, 3, 160, &sb, &e) == MAGI_OK);
	CHECK_MSG(sb->w == 3 * 160 + 4 * 4 && sb->h == 2 * 90 + 3 * 4, "storyboard %ux%u", sb->w,
		  sb->h);
	/* the label box of each cell (lower left) is white with black glyphs */
	int tw, th;
	magi_image_text_size("00:00:00", 1, &tw, &th);
	for (size_t i = 0; i < f->n; i++) {
		int cx = 4 + (int)(i % 3) * 164, cy = 4 + (int)(i / 3) * 94;
		int y0 = cy + 90 - th - 2, white = 0, black = 0;
		for (int y = y0; y < y0 + th; y++)
			for (int x = cx + 2; x < cx + 2 + tw; x++) {
				const uint8_t *p = sb->px + (size_t)y * sb->stride + (size_t)x * 3;
				white += p[0] == 255 && p[1] == 255 && p[2] == 255;
				black += p[0] == 0 && p[1] == 0 && p[2] == 0;
			}
		CHECK_MSG(white > tw * th / 2 && black > tw * th / 20,
			  "cell %zu: %d white, %d black", i, white, black);
	}
	magi_image_free(sb);
	CHECK(magi_video_storyboard(f->items, 0, 3, 160, &sb, &e) == MAGI_ERR_INVALID && !sb);
	char t[16];
	CHECK_STR(magi_video_format_time(3723.9, t), "01:02:03");
	CHECK_STR(magi_video_format_time(-5, t), "00:00:00");
	if (tesseract_present()) {
		/* big cells, big labels: Tesseract must read a timestamp off the storyboard */
		REQUIRE(magi_video_storyboard(f->items, 4, 2, 512, &sb, &e) == MAGI_OK);
		char png[128], cmd[512];
		snprintf(png, sizeof png, "%s/sb.png", dir);
		REQUIRE(magi_image_save(sb, png, &e) == MAGI_OK);
		magi_image_free(sb);
		snprintf(cmd, sizeof cmd,
			 "tesseract %s stdout --psm 11 2>/dev/null | grep -q '00:00:'", png);
		CHECK_MSG(sh(cmd) == 0, "no timestamp read from %s", png);
	}
	magi_video_frames_free(f);
	magi_video_close(v);
}

static void test_subtitles(void)
{
	struct magi_subtitles *s = NULL;
	struct magi_error e;
	REQUIRE(magi_subtitles_find(path_sparse, &s, &e) == MAGI_OK);
	CHECK(s->n == 4);
	size_t idx[4];
	CHECK(magi_subtitles_query(s, 9, 9, idx, 4) == 1 && idx[0] == 1);
	CHECK(magi_subtitles_query(s, 7, 21, idx, 4) == 3);
	CHECK(magi_subtitles_query(s, 100, 200, idx, 4) == 0);
	struct magi_buf b;
	magi_buf_init(&b, 0);
	CHECK(magi_subtitles_format(s, 9, 9, &b) == MAGI_OK);
	CHECK_CONTAINS(b.data, "[00:00:08-00:00:20] We are at the ");
	magi_buf_release(&b);
	magi_subtitles_free(s);

	const char *good =
	    "\xEF\xBB\xBF"
	    "1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hello</i> there\r\nsecond line\r\n\r\n"
	    "00:00:03.2 --> 00:00:04.000 X1:10 Y1:20\nno number {\\an8}here\n\n\n"
	    "3\n00:00:00,100 --> 00:00:00,200\n2 < 3 and 4 > 1\n";
	REQUIRE(magi_subtitles_parse(good, strlen(good), "good.srt", &s, &e) == MAGI_OK);
	REQUIRE(s->n == 3);
	CHECK_STR(s->cues[0].text, "2 < 3 and 4 > 1"); /* sorted by start */
	CHECK_STR(s->cues[1].text, "Hello there\nsecond line");
	CHECK(s->cues[1].start_s == 1.0 && s->cues[1].end_s == 2.5 && s->cues[1].line == 2);
	CHECK_STR(s->cues[2].text, "no number here");
	CHECK(fabs(s->cues[2].start_s - 3.2) < 1e-9);
	magi_subtitles_free(s);
	REQUIRE(magi_subtitles_parse("", 0, "empty.srt", &s, &e) == MAGI_OK);
	CHECK(s->n == 0);
	magi_subtitles_free(s);

	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:0x,000 --> 00:00:02,000\nbad\n",
	     "bad.srt:6: bad timing line '00:00:0x,000 --> 00:00:02,000'"},
	    {"1\n00:00:05,000 --> 00:00:02,000\nbackwards\n",
	     "bad.srt:2: the cue ends (2.000 s) before it starts"},
	    {"hello world\n",
	     "bad.srt:1: expected a cue number or a timing line, got 'hello world'"},
	    {"1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n",
	     "bad.srt:5: the file ends after a cue number"},
	    {"1\n00:61:01,000 --> 00:62:02,000\nx\n", "bad.srt:2: bad timing line"},
	    {"1\n00:00:01,000 -> 00:00:02,000\nx\n", "bad.srt:2: bad timing line"},
	};
	for (size_t i = 0; i < (sizeof(bad) / sizeof(bad)[0]); i++) {
		s = (struct magi_subtitles *)1;
		CHECK(magi_subtitles_parse(bad[i].text, strlen(bad[i].text), "bad.srt", &s, &e) ==
		      MAGI_ERR_PARSE);
		CHECK(s == NULL);
		CHECK_CONTAINS(e.msg, bad[i].msg);
	}
	CHECK(magi_subtitles_parse("1\0x", 3, "bin.srt", &s, &e) == MAGI_ERR_PARSE);
	CHECK_CONTAINS(e.msg, "bin.srt: not a text file");
	char nosub[300];
	snprintf(nosub, sizeof nosub, "%s/nosub.mp4", dir);
	CHECK(magi_subtitles_find(nosub, &s, &e) == MAGI_ERR_NOT_FOUND);
	CHECK_CONTAINS(e.msg, "nosub.mp4: no subtitles beside it (tried ");
	CHECK_CONTAINS(e.msg, "nosub.srt and ");
}

/* A phone-style file: landscape frames plus a display matrix saying "turn 90 degrees". The
 * frames must come out upright, as FFmpeg's own tool shows them. */
static void test_rotation(void)
{
	char r0[300], r90[300], png[300], cmd[2048];
	snprintf(r0, sizeof r0, "%s/r0.mp4", dir);
	snprintf(r90, sizeof r90, "%s/r90.mp4", dir);
	snprintf(png, sizeof png, "%s/r90.png", dir);
	snprintf(cmd, sizeof cmd,
		 "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=s=320x180:r=10:d=3 -c:v libx264 "
		 "-preset ultrafast %s && ffmpeg -nostdin -v error -y -i %s -c copy "
		 "-metadata:s:v:0 rotate=90 %s && ffmpeg -nostdin -v error -y -ss 1.2 -i %s "
		 "-frames:v 1 %s",
		 r0, r0, r90, r90, png);
	REQUIRE(sh(cmd) == 0);
	struct magi_video *v = open_ok(r90);
	const struct magi_video_info *in = magi_video_get_info(v);
	CHECK_MSG(in->width == 180 && in->height == 320, "rotated size %ux%u", in->width,
		  in->height);
	struct magi_video_frames *f = NULL;
	struct magi_error e;
	double t = 1.2;
	REQUIRE(magi_video_sample_times(v, &t, 1, 0, &f, &e) == MAGI_OK);
	struct magi_image *ref = NULL;
	REQUIRE(magi_image_load(png, &ref, &e) == MAGI_OK);
	REQUIRE(f->items[0].img->w == 180 && f->items[0].img->h == 320);
	double d = mean_abs_diff(f->items[0].img, ref);
	CHECK_MSG(d < 3, "rotated frame differs from ffmpeg's by %f", d);
	magi_image_free(ref);
	magi_video_frames_free(f);
	REQUIRE(magi_video_sample_uniform(v, 2, 64, &f, &e) == MAGI_OK);
	CHECK(f->items[0].img->w == 36 && f->items[0].img->h == 64);
	magi_video_frames_free(f);
	magi_video_close(v);
}

static void test_progress(void)
{
	struct magi_video *v = open_ok(path_sparse);
	struct prog pr = {0, 0, true, -1};
	struct magi_video_params p = magi_video_params_default();
	p.progress = on_progress;
	p.progress_user = &pr;
	p.strategy = MAGI_VIDEO_SEQUENTIAL;
	magi_video_set_params(v, &p);
	struct magi_video_frames *f = NULL;
	struct magi_error e;
	REQUIRE(magi_video_sample_range(v, 0, 40, 2, 32, &f, &e) == MAGI_OK);
	CHECK_MSG(pr.calls > 10 && pr.monotonic && pr.last == 1.0, "%d calls, last %f", pr.calls,
		  pr.last);
	magi_video_frames_free(f);
	pr = (struct prog){0, 0, true, 3};
	CHECK(magi_video_sample_range(v, 0, 40, 2, 32, &f, &e) == MAGI_ERR_CANCELLED);
	CHECK(f == NULL);
	CHECK_CONTAINS(e.msg, "sparse.mp4: cancelled");
	magi_video_close(v);
}

static void expect_open_fail(const char *path, magi_status want, const char *msg)
{
	struct magi_video *v = (struct magi_video *)1;
	struct magi_error e;
	magi_status s = magi_video_open(path, &v, &e);
	CHECK_MSG(s == want, "%s: got %s (%s)", path, magi_status_name(s), e.msg);
	CHECK(v == NULL);
	CHECK_CONTAINS(e.msg, msg);
}

static void test_bad_input(void)
{
	char p[300], cmd[1024];
	snprintf(p, sizeof p, "%s/nope.mp4", dir);
	expect_open_fail(p, MAGI_ERR_NOT_FOUND, "nope.mp4: no such file");
	expect_open_fail(dir, MAGI_ERR_IO, ": is a directory");
	expect_open_fail("", MAGI_ERR_INVALID, "video path is empty");

	snprintf(p, sizeof p, "%s/empty.mp4", dir);
	fclose(fopen(p, "w"));
	expect_open_fail(p, MAGI_ERR_VIDEO, "empty.mp4: empty file (0 bytes)");

	snprintf(p, sizeof p, "%s/notes.txt", dir);
	FILE *fp = fopen(p, "w");
	fputs("These are meeting notes, not a video.\nSecond line.\n", fp);
	fclose(fp);
	expect_open_fail(p, MAGI_ERR_VIDEO, "notes.txt: not a video file FFmpeg can read");

	/* the header (with the moov box, at the front after faststart) overwritten */
	snprintf(cmd, sizeof cmd,
		 "cp %s %s/corrupt.mp4 && head -c 3000 /dev/urandom | dd of=%s/corrupt.mp4 bs=1 "
		 "seek=16 conv=notrunc 2>/dev/null",
		 path_sparse, dir, dir);
	REQUIRE(sh(cmd) == 0);
	snprintf(p, sizeof p, "%s/corrupt.mp4", dir);
	expect_open_fail(p, MAGI_ERR_VIDEO, "corrupt.mp4: ");

	/* truncated with the index at the end: FFmpeg cannot even find the index */
	snprintf(cmd, sizeof cmd,
		 "ffmpeg -nostdin -v error -y -i %s -c copy %s/plain.mp4 && head -c 20000 "
		 "%s/plain.mp4 > %s/cut-index.mp4",
		 path_sparse, dir, dir, dir);
	REQUIRE(sh(cmd) == 0);
	snprintf(p, sizeof p, "%s/cut-index.mp4", dir);
	expect_open_fail(p, MAGI_ERR_VIDEO,
			 "cut-index.mp4: a truncated or corrupt QuickTime / MOV file");

	/* garbage in the middle of the frame data: decodes around it or fails cleanly */
	struct stat sb;
	REQUIRE(stat(path_sparse, &sb) == 0);
	snprintf(cmd, sizeof cmd,
		 "cp %s %s/noisy.mp4 && head -c 4000 /dev/urandom | dd of=%s/noisy.mp4 bs=1 "
		 "seek=%lld conv=notrunc 2>/dev/null",
		 path_sparse, dir, dir, (long long)sb.st_size * 6 / 10);
	REQUIRE(sh(cmd) == 0);
	snprintf(p, sizeof p, "%s/noisy.mp4", dir);
	for (int st = MAGI_VIDEO_SEQUENTIAL; st <= MAGI_VIDEO_KEYFRAMES; st++) {
		struct magi_video *nv = open_ok(p);
		set_strategy(nv, (enum magi_video_strategy)st);
		struct magi_video_frames *nf = NULL;
		struct magi_error ne;
		magi_status ns = magi_video_sample_range(nv, 0, 40, 2, 64, &nf, &ne);
		CHECK_MSG(ns == MAGI_OK || (ns == MAGI_ERR_VIDEO && strstr(ne.msg, "noisy.mp4: ")),
			  "noisy: %s", ne.msg);
		CHECK(ns != MAGI_OK || nf->n >= 1);
		magi_video_frames_free(nf);
		magi_video_close(nv);
	}

	/* truncated with the index in front: opens, then sampling past the data fails */
	snprintf(cmd, sizeof cmd, "head -c %lld %s > %s/cut-data.mp4", (long long)sb.st_size / 2,
		 path_sparse, dir);
	REQUIRE(sh(cmd) == 0);
	snprintf(p, sizeof p, "%s/cut-data.mp4", dir);
	struct magi_video *v = NULL;
	struct magi_error e;
	magi_status s = magi_video_open(p, &v, &e);
	if (s == MAGI_OK) {
		for (int st = MAGI_VIDEO_SEQUENTIAL; st <= MAGI_VIDEO_SEEK; st++) {
			set_strategy(v, (enum magi_video_strategy)st);
			struct magi_video_frames *f = (struct magi_video_frames *)1;
			CHECK(magi_video_sample_uniform(v, 8, 64, &f, &e) == MAGI_ERR_VIDEO);
			CHECK(f == NULL);
			CHECK_CONTAINS(e.msg, "cut-data.mp4: ");
			CHECK_CONTAINS(e.msg, "truncated or corrupt");
		}
		magi_video_close(v);
	} else {
		CHECK(s == MAGI_ERR_VIDEO);
		CHECK_CONTAINS(e.msg, "cut-data.mp4: ");
	}

	/* audio only */
	snprintf(cmd, sizeof cmd,
		 "ffmpeg -nostdin -v error -y -f lavfi -i sine=d=1 -c:a aac %s/tone.m4a", dir);
	REQUIRE(sh(cmd) == 0);
	snprintf(p, sizeof p, "%s/tone.m4a", dir);
	expect_open_fail(p, MAGI_ERR_VIDEO,
			 "tone.m4a: no video stream (it has 1 audio and 0 subtitle streams)");

	/* a still image */
	snprintf(
	    cmd, sizeof cmd,
	    "ffmpeg -nostdin -v error -y -f lavfi -i color=c=red:s=64x64 -frames:v 1 %s/still.png",
	    dir);
	REQUIRE(sh(cmd) == 0);
	snprintf(p, sizeof p, "%s/still.png", dir);
	expect_open_fail(p, MAGI_ERR_VIDEO, "still.png: a still image, not a video");

	/* bad requests on a good file */
	v = open_ok(path_sparse);
	struct magi_video_frames *f = (struct magi_video_frames *)1;
	CHECK(magi_video_sample_range(v, 700, 710, 1, 0, &f, &e) == MAGI_ERR_INVALID && !f);
	CHECK_CONTAINS(e.msg, "sparse.mp4: time range 700-710 s is outside the video (0-40");
	CHECK(magi_video_sample_range(v, 5, 5, 1, 0, &f, &e) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(e.msg, "time range 5-5 s is empty");
	CHECK(magi_video_sample_range(v, -10, -1, 1, 0, &f, &e) == MAGI_ERR_INVALID);
	CHECK(magi_video_sample_range(v, 0, 10, 0, 0, &f, &e) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(e.msg, "fps must be above 0");
	CHECK(magi_video_sample_range(v, 0, 40, 1000, 0, &f, &e) == MAGI_ERR_LIMIT);
	CHECK_CONTAINS(e.msg, "40000 frames, more than the 4096-frame limit");
	CHECK(magi_video_sample_uniform(v, 0, 0, &f, &e) == MAGI_ERR_INVALID && !f);
	CHECK_CONTAINS(e.msg, "sparse.mp4: asked for 0 frames");
	CHECK(magi_video_sample_uniform(v, MAGI_VIDEO_MAX_SAMPLES + 1, 64, &f, &e) ==
	      MAGI_ERR_LIMIT);
	double bad_t[] = {1, 41};
	CHECK(magi_video_sample_times(v, bad_t, 2, 0, &f, &e) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(e.msg, "time 41 s is outside the video");
	magi_video_close(v);

	/* the pixel cap of one call */
	v = open_ok(path_hd);
	CHECK(magi_video_sample_uniform(v, 4096, 0, &f, &e) == MAGI_ERR_LIMIT);
	CHECK_CONTAINS(e.msg, "4096 frames of 1280x720");
	CHECK(magi_video_sample_uniform(v, 4, 0, &f, &e) == MAGI_OK);
	CHECK(f->n == 4 && f->items[3].img->w == 1280);
	magi_video_frames_free(f);
	magi_video_close(v);
}

int main(void)
{
	if (sh("command -v ffmpeg >/dev/null && command -v python3 >/dev/null") != 0)
		SKIP("ffmpeg or python3 not installed");
	snprintf(dir, sizeof dir, "/tmp/magi-video-XXXXXX");
	REQUIRE(mkdtemp(dir));
	snprintf(path_sparse, sizeof path_sparse, "%s/sparse.mp4", dir);
	snprintf(path_dense, sizeof path_dense, "%s/dense.mp4", dir);
	snprintf(path_hd, sizeof path_hd, "%s/hd.mp4", dir);
	gen(path_sparse, "50");
	gen(path_dense, "1");
	char cmd[512];
	snprintf(
	    cmd, sizeof cmd,
	    "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=s=1280x720:r=10:d=2 -c:v libx264 "
	    "-preset ultrafast %s",
	    path_hd);
	REQUIRE(sh(cmd) == 0);

	test_metadata();
	test_uniform();
	test_range();
	test_strategies_agree();
	test_keyframes();
	test_scene_cuts();
	test_storyboard();
	test_subtitles();
	test_progress();
	test_rotation();
	test_bad_input();

	if (!getenv("MAGI_KEEP_TMP")) {
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		sh(cmd);
	}
	return check_done();
}
