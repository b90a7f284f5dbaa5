/* bench_plumb.c — the thread CPU of the first screen's reading (magi_ocr_run_lines, one
 * thread) with magi's stand-ins for libtesseract's Convolve, Maxpool, WriteTimeStepPart and
 * FullyConnected::ForwardTimeStep (src/vision/tess_plumb.c) and with the library's own
 * functions, alternated reading by reading in one process on the same engine (the vtable and
 * GOT slots switched between readings), so that both see the same machine.
 *
 * Usage: bench_plumb IMAGE [PAIRS]   (PAIRS defaults to 21; run with OMP_THREAD_LIMIT=1)
 * Prints the medians and minima of both and the median of the pairs' ratios. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "magi/vision.h"
#include "vision/tess_plumb.h"

enum { MAX_PAIRS = 200 };

static double thread_cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One reading's thread CPU in ms, or -1 */
static double reading(const struct magi_image *img, struct magi_error *e)
{
	struct magi_ocr *o = NULL;
	double t0 = thread_cpu_ms();
	if (magi_ocr_run_lines(img, NULL, 0, 1, NULL, &o, e) != MAGI_OK)
		return -1;
	double ms = thread_cpu_ms() - t0;
	magi_ocr_free(o);
	return ms;
}

int main(int argc, char **argv)
{
	struct magi_error e;
	struct magi_image *img = NULL;
	int n = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 21;
	if (argc < 2 || n < 1 || n > MAX_PAIRS) {
		fprintf(stderr, "usage: bench_plumb IMAGE [PAIRS (1-%d)]\n", MAX_PAIRS);
		return 2;
	}
	if (magi_image_load(argv[1], &img, &e) != MAGI_OK) {
		fprintf(stderr, "bench_plumb: %s\n", e.msg);
		return 1;
	}
	if (reading(img, &e) < 0) { /* loads the engine, installs magi's functions */
		fprintf(stderr, "bench_plumb: %s\n", e.msg);
		return 1;
	}
	if (magi__tess_layers_installed() != 15) {
		fprintf(stderr, "bench_plumb: magi's functions are not installed (MAGI_OCR_LAYERS=library?)\n");
		return 1;
	}
	static double own[MAX_PAIRS], lib[MAX_PAIRS], ratio[MAX_PAIRS];
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 2; k++) { /* which goes first alternates */
			bool mine = (i + k) % 2 == 0;
			magi__tess_layers_select(mine);
			double ms = reading(img, &e);
			if (ms < 0) {
				fprintf(stderr, "bench_plumb: %s\n", e.msg);
				return 1;
			}
			*(mine ? &own[i] : &lib[i]) = ms;
		}
	magi__tess_layers_select(true);
	for (int i = 0; i < n; i++)
		ratio[i] = own[i] / lib[i];
	qsort(own, (size_t)n, sizeof *own, by_value);
	qsort(lib, (size_t)n, sizeof *lib, by_value);
	qsort(ratio, (size_t)n, sizeof *ratio, by_value);
	printf("%s: %d readings each, thread CPU: magi's functions median %.1f ms (min %.1f), the library's "
	       "median %.1f ms (min %.1f); ratio of pairs median %.3f (%.3f-%.3f)\n",
	       argv[1], n, own[n / 2], own[0], lib[n / 2], lib[0], ratio[n / 2], ratio[0], ratio[n - 1]);
	magi_image_free(img);
	return 0;
}
