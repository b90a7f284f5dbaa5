/* test_tess_plumb.c — magi's Convolve::Forward, Maxpool::Forward,
 * NetworkIO::WriteTimeStepPart and FullyConnected::ForwardTimeStep (src/vision/tess_plumb.c)
 * compute the same bytes as libtesseract's.
 *
 * 1. Both functions of each layer on the same synthetic inputs: int8 and float, one input
 *    or several per position, neighbourhoods and windows of several sizes, batches of
 *    images of different heights and widths (single rows and columns, images smaller than
 *    the neighbourhood, 1×1), several randomizer seeds; the outputs, their shapes, the
 *    randomizers' states after (Convolve fills out-of-image neighbours with random numbers)
 *    and Maxpool's kept maxima and input shape are compared byte for byte; WriteTimeStepPart
 *    on rows of many lengths and offsets, from values where the conversion to int8 is
 *    delicate (ties, ±0, past ±1, infinities, NaN) and random ones; ForwardTimeStep on tanh
 *    layers from the same values scaled past the table's end, and on other layer types
 *    (handed to the library's).
 * 2. magi's functions are the ones installed after libtesseract's load (unless
 *    MAGI_OCR_LAYERS=library or MAGI_OCR_KERNEL=library), they handle every call of real
 *    readings themselves (none handed back to the library's), and screens read with them and
 *    with the library's (the vtable slots switched back in the same process) give the same
 *    words, boxes and confidences, both with the whole-screen reading and the line reading.
 * Exits 77 (skipped) where Tesseract, its English data or the symbols magi needs are
 * missing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "ocr_same.h"
#include "magi/vision.h"
#include "vision/tess_dl.h"
#include "vision/tess_plumb.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* A batch of n images, each at least min_h × min_w and at most max_h × max_w */
static void batch(struct magi__tess_hw *imgs, int n, int min_h, int min_w, int max_h, int max_w)
{
	for (int i = 0; i < n; i++) {
		imgs[i].h = min_h + (int)(next() % (unsigned)(max_h - min_h + 1));
		imgs[i].w = min_w + (int)(next() % (unsigned)(max_w - min_w + 1));
	}
}

static int convolve_cases(int *n)
{
	int agree = 0;
	static const struct magi__tess_hw fixed[][3] = {
		{{36, 41}, {0, 0}, {0, 0}}, {{1, 1}, {0, 0}, {0, 0}}, {{1, 9}, {0, 0}, {0, 0}},
		{{9, 1}, {0, 0}, {0, 0}},   {{2, 2}, {0, 0}, {0, 0}}, {{5, 7}, {1, 3}, {4, 1}},
		{{3, 3}, {3, 3}, {3, 3}},   {{1, 1}, {6, 2}, {2, 6}}};
	static const int fixed_n[] = {1, 1, 1, 1, 1, 3, 3, 3};
	for (int im = 0; im < 2; im++)
		for (int ni = 1; ni <= 4; ni += ni < 2 ? 1 : 2)
			for (int hx = 0; hx <= 2; hx++)
				for (int hy = 0; hy <= 2; hy++) {
					for (size_t f = 0; f < sizeof fixed_n / sizeof *fixed_n; f++) {
						(*n)++;
						int r = magi__tess_convolve_check(im, ni, hx, hy, fixed[f], fixed_n[f], next());
						if (r != 1)
							fprintf(stderr, "Convolve %s ni %d half %d,%d, shape %zu: not the same\n",
								im ? "int8" : "float", ni, hx, hy, f);
						agree += r == 1;
					}
					struct magi__tess_hw imgs[5];
					int nb = 1 + (int)(next() % 5);
					batch(imgs, nb, 1, 1, 12, 40);
					(*n)++;
					int r = magi__tess_convolve_check(im, ni, hx, hy, imgs, nb, next());
					if (r != 1)
						fprintf(stderr, "Convolve %s ni %d half %d,%d, random batch of %d: not the same\n",
							im ? "int8" : "float", ni, hx, hy, nb);
					agree += r == 1;
				}
	return agree;
}

/* The library's Maxpool walks past the end of an image whose scaled height or width is 0
 * (its do-while visits position 0 first), so every image is at least one window. */
static int maxpool_cases(int *n)
{
	int agree = 0;
	static const int nis[] = {1, 3, 16, 17};
	for (int im = 0; im < 2; im++)
		for (size_t k = 0; k < sizeof nis / sizeof *nis; k++)
			for (int xs = 1; xs <= 3; xs++)
				for (int ys = 1; ys <= 3; ys++)
					for (int rep = 0; rep < 3; rep++) {
						struct magi__tess_hw imgs[5];
						int nb = rep == 0 ? 1 : 1 + (int)(next() % 5);
						if (rep == 0)
							imgs[0] = (struct magi__tess_hw){36, 37};
						else
							batch(imgs, nb, ys, xs, 4 * ys + 2, 9 * xs + 2);
						(*n)++;
						int r = magi__tess_maxpool_check(im, nis[k], xs, ys, imgs, nb, next());
						if (r != 1)
							fprintf(stderr, "Maxpool %s ni %d window %dx%d, batch of %d: not the same\n",
								im ? "int8" : "float", nis[k], xs, ys, nb);
						agree += r == 1;
					}
	return agree;
}

static int write_part_cases(int *n)
{
	enum { MAX = 3 * 200 };
	static float in[MAX];
	int agree = 0;
	for (int im = 0; im < 2; im++)
		for (int nf = 0; nf <= 200; nf += nf < 40 ? 1 : 13)
			for (int off = 0; off <= 5; off += 5) {
				magi__tess_write_part_input(in, MAX, next());
				(*n)++;
				int r = magi__tess_write_part_check(im, 3, nf, off, in);
				if (r != 1)
					fprintf(stderr, "WriteTimeStepPart %s %d values from %d: not the same\n",
						im ? "int8" : "float", nf, off);
				agree += r == 1;
			}
	return agree;
}

static int fc_step_cases(int *n)
{
	enum { MAX = 1000 };
	static float in[MAX];
	static const int types[] = {19, 16, 22, 21};
	int agree = 0;
	for (size_t ty = 0; ty < sizeof types / sizeof *types; ty++)
		for (int len = 1; len <= MAX; len = len * 3 + 1)
			for (float scale = 1.0f; scale < 100.0f; scale *= 6.0f) {
				magi__tess_write_part_input(in, MAX, next());
				for (int k = 0; k < len; k++)
					in[k] *= scale;
				(*n)++;
				int r = magi__tess_fc_step_check(types[ty], in, len);
				if (r != 1)
					fprintf(stderr, "ForwardTimeStep type %d, %d values × %g: not the same\n", types[ty], len,
						(double)scale);
				agree += r == 1;
			}
	return agree;
}

static struct magi_image *load(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/%s", MAGI_SRC_DIR, name);
	struct magi_image *img = NULL;
	struct magi_error e;
	REQUIRE(magi_image_load(path, &img, &e) == MAGI_OK);
	return img;
}

static struct magi_ocr *read_img(const struct magi_image *img, bool lines)
{
	struct magi_ocr *o = NULL;
	struct magi_error e;
	REQUIRE((lines ? magi_ocr_run_lines(img, "eng", 0, 1, NULL, &o, &e) : magi_ocr_run(img, "eng", 0, &o, &e)) ==
		MAGI_OK);
	return o;
}

int main(void)
{
	struct magi_error e;
	if (magi__tess_load(&e) != MAGI_OK)
		SKIP("libtesseract is not installed: %s", e.msg);
	static const struct magi__tess_hw one[] = {{3, 3}};
	if (magi__tess_convolve_check(true, 1, 1, 1, one, 1, 1) < 0)
		SKIP("this libtesseract lacks the symbols magi's layers need: they are never used here");

	/* 1. the functions side by side */
	int n = 0, agree = convolve_cases(&n);
	CHECK_MSG(agree == n, "Convolve: %d of %d cases gave different bytes", n - agree, n);
	printf("Convolve: %d cases, byte for byte the same in %d\n", n, agree);
	n = 0, agree = maxpool_cases(&n);
	CHECK_MSG(agree == n, "Maxpool: %d of %d cases gave different bytes", n - agree, n);
	printf("Maxpool: %d cases, byte for byte the same in %d\n", n, agree);
	n = 0, agree = write_part_cases(&n);
	CHECK_MSG(agree == n, "WriteTimeStepPart: %d of %d cases gave different bytes", n - agree, n);
	printf("WriteTimeStepPart: %d cases, byte for byte the same in %d\n", n, agree);
	n = 0, agree = fc_step_cases(&n);
	CHECK_MSG(agree == n, "ForwardTimeStep: %d of %d cases gave different bytes", n - agree, n);
	printf("FullyConnected::ForwardTimeStep: %d cases, byte for byte the same in %d\n", n, agree);

	/* 2. installed after the load, used by the readings, and the same readings */
	const char *env = getenv("MAGI_OCR_LAYERS"), *kernel = getenv("MAGI_OCR_KERNEL");
	if ((env && !strcmp(env, "library")) || (kernel && !strcmp(kernel, "library"))) {
		CHECK(magi__tess_layers_installed() == 0);
		return check_done();
	}
	CHECK_MSG(magi__tess_layers_installed() == 15, "magi's functions are not all installed after the load (%u)",
		  magi__tess_layers_installed());
	static const char *const pngs[] = {"img_screen.png", "ocr_cut_top.png", "ocr_xterm_ls.png"};
	enum { N = sizeof pngs / sizeof *pngs };
	struct magi_image *imgs[N];
	struct magi_ocr *own[N][2];
	unsigned long before[4], after[4];
	magi__tess_layers_counts(before);
	for (int i = 0; i < N; i++) {
		imgs[i] = load(pngs[i]);
		for (int lines = 0; lines < 2; lines++)
			own[i][lines] = read_img(imgs[i], lines);
	}
	magi__tess_layers_counts(after);
	if (own[0][0]->n_words == 0)
		SKIP("Tesseract English data reads nothing here");
	CHECK_MSG(after[0] > before[0] && after[2] > before[2], "the readings did not run magi's layers");
	CHECK_MSG(after[1] == before[1] && after[3] == before[3],
		  "the readings handed %lu Convolve and %lu Maxpool calls to the library's functions",
		  after[1] - before[1], after[3] - before[3]);
	printf("readings: %lu Convolve and %lu Maxpool calls, all by magi's functions\n", after[0] - before[0],
	       after[2] - before[2]);
	REQUIRE(magi__tess_layers_select(false)); /* the library's functions, on the same engines */
	CHECK(magi__tess_layers_installed() == 0);
	for (int i = 0; i < N; i++)
		for (int lines = 0; lines < 2; lines++)
			ocr_same_reading(own[i][lines], read_img(imgs[i], lines), pngs[i], lines ? "lines" : "whole");
	magi__tess_layers_counts(before);
	CHECK_MSG(before[0] == after[0] && before[2] == after[2], "magi's layers ran while the library's were selected");
	REQUIRE(magi__tess_layers_select(true));
	CHECK(magi__tess_layers_installed() == 15);
	for (int i = 0; i < N; i++)
		magi_image_free(imgs[i]);
	return check_done();
}
