/* bench_ocr.c — the OCR engine's time and memory on one screenshot: the first call (engine
 * load included), the median of the next ones, and the process's peak RSS and heap before
 * and after, on one thread and on two (a second engine loaded ahead).
 *
 * Issue 15 item 4: the OCR's share of a run's peak RSS (the run's target: <= 35 MB with
 * OCR). Compare builds by running each one's bench_ocr on the same image.
 *
 * Then the same with the text lines found from the pixels (magi_ocr_run_lines: no page layout
 * analysis, pieces with identical pixels read once), on one thread and on two.
 *
 * Usage: bench_ocr [IMAGE] [--runs 5] [--threads 2] [--dump PREFIX]
 *   --dump writes the words of both readings (PREFIX.full, PREFIX.lines: x y w h conf text).
 *   IMAGE defaults to a synthetic 1280x720 desktop drawn with the built-in font.
 * Run with OMP_THREAD_LIMIT=1 (bench/run sets it). */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "magi/vision.h"

/* CPU time of the whole process (every thread): unlike wall time, it hardly moves with the
 * load of a shared machine. */
static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, key, n) == 0)
			v = strtol(line + n, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static void memory(const char *what)
{
	struct mallinfo2 m = mallinfo2();
	printf("%-34s RSS %6.1f MB  peak RSS %6.1f MB  heap in use %6.1f MB\n", what,
	       status_kb("VmRSS:") / 1024.0, status_kb("VmHWM:") / 1024.0,
	       (double)m.uordblks / 1048576.0);
}

static const char *loadavg(void)
{
	static char buf[64];
	FILE *f = fopen("/proc/loadavg", "r");
	if (!f || !fgets(buf, sizeof buf, f))
		snprintf(buf, sizeof buf, "?");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void dump(const char *prefix, const char *what, const struct magi_ocr *o)
{
	char path[4096];
	snprintf(path, sizeof path, "%s.%s", prefix, what);
	FILE *f = fopen(path, "w");
	for (size_t i = 0; f && i < o->n_words; i++) {
		const struct magi_ocr_word *w = &o->words[i];
		fprintf(f, "%d %d %d %d %.0f %s\n", w->x, w->y, w->w, w->h, w->conf, w->text);
	}
	if (f)
		fclose(f);
}

static struct magi_image *desktop(void)
{
	struct magi_image *img = NULL;
	if (magi_image_new(1280, 720, &img))
		return NULL;
	magi_image_fill_rect(img, 0, 0, 1280, 720, 0xF2F2F2);
	magi_image_fill_rect(img, 0, 0, 1280, 40, 0x202020);
	magi_image_draw_text(img, 12, 10, "Files  Edit  View  Go  Help", 2, 0xFFFFFF, 0, false);
	for (int l = 0; l < 14; l++) {
		char line[96];
		snprintf(line, sizeof line, "Row %d: invoice-%04d.pdf  2024-03-%02d  anna.berg@example.org",
			 l, 1000 + 37 * l, 1 + l);
		magi_image_draw_text(img, 40, 70 + 44 * l, line, 3, 0x222222, 0, false);
	}
	return img;
}

/* Reads img runs times on threads threads (the page reading, or lines found from the
 * pixels) and prints the median wall time; t holds runs values. */
static int time_threads(const struct magi_image *img, int threads, bool lines, double *t, int runs,
			struct magi_error *err)
{
	int used = 0;
	struct magi_ocr *o = NULL;
	for (int i = 0; i < runs; i++) {
		if (lines ? magi_ocr_run_lines(img, NULL, 0, threads, &used, &o, err)
			  : magi_ocr_run_threads(img, NULL, 0, threads, &used, &o, err))
			return 1;
		t[i] = o->ms;
		magi_ocr_free(o);
	}
	qsort(t, (size_t)runs, sizeof *t, cmp_double);
	printf("%s%d threads (last call used %d): median %.1f ms (min %.1f)\n", lines ? "lines, " : "", threads, used,
	       t[runs / 2], t[0]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *dump_to = NULL;
	int runs = 5, threads = 2;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
			dump_to = argv[++i];
		else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: bench_ocr [IMAGE] [--runs 5] [--threads 2] [--dump PREFIX]\n");
			return 2;
		} else
			path = argv[i];
	}
	if (runs < 1 || runs > 1000 || threads < 1 || threads > MAGI_OCR_MAX_THREADS)
		return 2;
	struct magi_error err;
	struct magi_image *img = NULL;
	if (path ? magi_image_load(path, &img, &err) != MAGI_OK : !(img = desktop())) {
		fprintf(stderr, "bench_ocr: %s\n", path ? magi_error_text(&err) : "no image");
		return 1;
	}
	printf("OCR of %s (%ux%u), %d runs\n", path ? path : "a synthetic desktop", img->w, img->h,
	       runs);
	memory("before OCR");
	double *t = calloc((size_t)runs, sizeof *t), *c = calloc((size_t)runs, sizeof *c);
	struct magi_ocr *o = NULL;
	double t0 = magi_now_ms(), c0 = cpu_ms();
	if (!t || !c || magi_ocr_run(img, NULL, 0, &o, &err)) {
		fprintf(stderr, "bench_ocr: %s\n", magi_error_text(&err));
		return 1;
	}
	printf("first call (engine load included)  %.1f ms (CPU %.1f ms), %zu words; load %s\n",
	       magi_now_ms() - t0, cpu_ms() - c0, o->n_words, loadavg());
	if (dump_to)
		dump(dump_to, "full", o);
	magi_ocr_free(o);
	memory("after the first call");
	for (int i = 0; i < runs; i++) {
		double ci = cpu_ms();
		if (magi_ocr_run(img, NULL, 0, &o, &err))
			return 1;
		c[i] = cpu_ms() - ci;
		t[i] = o->ms;
		magi_ocr_free(o);
	}
	qsort(t, (size_t)runs, sizeof *t, cmp_double);
	qsort(c, (size_t)runs, sizeof *c, cmp_double);
	printf("one thread: median %.1f ms (min %.1f), CPU median %.1f ms\n", t[runs / 2], t[0], c[runs / 2]);
	memory("after them");
	size_t n_words = 0;
	for (int i = 0; i < runs; i++) {
		double ci = cpu_ms();
		if (magi_ocr_run_lines(img, NULL, 0, 1, NULL, &o, &err))
			return 1;
		c[i] = cpu_ms() - ci;
		t[i] = o->ms;
		n_words = o->n_words;
		if (dump_to && i == 0)
			dump(dump_to, "lines", o);
		magi_ocr_free(o);
	}
	qsort(t, (size_t)runs, sizeof *t, cmp_double);
	qsort(c, (size_t)runs, sizeof *c, cmp_double);
	printf("lines found from the pixels, one thread: median %.1f ms (min %.1f), CPU median %.1f ms, %zu words\n",
	       t[runs / 2], t[0], c[runs / 2], n_words);
	if (threads > 1) {
		if (magi_ocr_preload(NULL, threads, &err))
			return 1;
		if (time_threads(img, threads, false, t, runs, &err) || time_threads(img, threads, true, t, runs, &err))
			return 1;
		memory("with the second engine");
	}
	magi_ocr_thread_release();
	memory("engines released");
	free(t);
	free(c);
	magi_image_free(img);
	return 0;
}
