/* bench_png.c — PNG decode of real files by both of magi's paths: png_read.c (libdeflate,
 * the common 8-bit RGB/RGBA case) and the libpng path it falls back to. For each file it
 * checks that the two give the same pixels (exit 1 if not, or if the fast path declines a
 * file it should take: pass --any to allow that) and prints the median thread CPU time of
 * each over RUNS decodes (file already in memory), and the ratio.
 * Usage: bench_png [--runs N] [--any] FILE.png...   (N default 5) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "magi/vision.h"
#include "vision/vision_internal.h"
#include "core/common.h"
#include "bench_util.h"

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool same(const struct magi_image *a, const struct magi_image *b)
{
	if (a->w != b->w || a->h != b->h)
		return false;
	for (uint32_t y = 0; y < a->h; y++)
		if (memcmp(a->px + (size_t)y * a->stride, b->px + (size_t)y * b->stride,
			   (size_t)a->w * 3))
			return false;
	return true;
}

int main(int argc, char **argv)
{
	int runs = 5, i = 1, bad = 0;
	bool any = false;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--any"))
			any = true;
		else {
			fprintf(stderr, "usage: bench_png [--runs N] [--any] FILE.png...\n");
			return strcmp(argv[i], "--help") ? 2 : 0;
		}
	}
	if (i >= argc || runs < 1) {
		fprintf(stderr, "usage: bench_png [--runs N] [--any] FILE.png...\n");
		return 2;
	}
	double *t = malloc(sizeof *t * (size_t)runs * 2), sum_lib = 0, sum_fast = 0;
	if (!t)
		return 1;
	for (; i < argc; i++) {
		struct magi_buf f;
		struct magi_error err;
		magi_buf_init(&f, (size_t)512 << 20);
		if (magi_file_read(argv[i], &f, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		struct magi_image *a = NULL, *b = NULL;
		for (int r = 0; r < runs; r++) {
			magi_image_free(a);
			magi_image_free(b);
			a = b = NULL;
			double t0 = cpu_ms();
			if (magi__png_decode_libpng((uint8_t *)f.data, f.len, argv[i], &a, &err)) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			double t1 = cpu_ms();
			magi_status s = magi__png_read_fast((uint8_t *)f.data, f.len, &b);
			t[r] = t1 - t0;
			t[runs + r] = cpu_ms() - t1;
			if (s) {
				printf("%s: the fast path declined it\n", argv[i]);
				bad += !any;
				break;
			}
		}
		if (b) {
			double ml = bench_median(t, runs), mf = bench_median(t + runs, runs);
			sum_lib += ml;
			sum_fast += mf;
			bool ok = same(a, b);
			bad += !ok;
			printf(
			    "%s %ux%u: libpng %.1f ms, png_read %.1f ms CPU (%.2fx); pixels %s\n",
			    argv[i], a->w, a->h, ml, mf, ml / mf, ok ? "identical" : "DIFFER");
		}
		magi_image_free(a);
		magi_image_free(b);
		magi_buf_release(&f);
	}
	printf("total: libpng %.1f ms, png_read %.1f ms CPU (median of %d decodes each)\n", sum_lib,
	       sum_fast, runs);
	free(t);
	return bad ? 1 : 0;
}
