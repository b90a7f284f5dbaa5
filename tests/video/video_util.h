/* video_util.h — helpers shared by the video tests: running commands, comparing frames,
 * recording progress reports. Include after check.h. */
#ifndef MAGI_TEST_VIDEO_UTIL_H
#define MAGI_TEST_VIDEO_UTIL_H
#include <math.h>
#include <stdio.h>
#include "magi/video.h"
#include "core/proc.h"

/* Runs argv, returns its exit status (-1 when it could not run); its output is shown when
 * it fails. */
static int run(char *const argv[])
{
	struct magi_proc_result r;
	struct magi_error e;
	if (magi__proc_run(argv, NULL, true, 1 << 20, 120000, &r, &e) != MAGI_OK)
		return -1;
	if (r.exit_code != 0)
		fprintf(stderr, "%s failed (%d): %s\n", argv[0], r.exit_code, r.out.data);
	int rc = r.exit_code;
	magi_buf_release(&r.out);
	return rc;
}

static int sh(const char *cmd)
{
	char *argv[] = {"sh", "-c", (char *)cmd, NULL};
	return run(argv);
}

/* Mean absolute difference per sample; 1e9 for images of different sizes (or NULL). */
static double mean_abs_diff(const struct magi_image *a, const struct magi_image *b)
{
	if (!a || !b || a->w != b->w || a->h != b->h)
		return 1e9;
	double sum = 0;
	for (uint32_t y = 0; y < a->h; y++)
		for (uint32_t x = 0; x < a->w * 3; x++)
			sum += fabs((double)a->px[y * a->stride + x] - b->px[y * b->stride + x]);
	return sum / ((double)a->w * a->h * 3);
}

/* What a progress callback saw; it cancels on call number cancel_after (-1: never). */
struct prog {
	int calls;
	double last;
	bool monotonic;
	int cancel_after;
};

static bool on_progress(double frac, void *user)
{
	struct prog *p = user;
	if (frac < p->last)
		p->monotonic = false;
	p->last = frac;
	return ++p->calls != p->cancel_after;
}
#endif
