/* test_tess_vnni.c — magi's AVX512-VNNI kernel for Tesseract's integer matrix products
 * (src/vision/tess_vnni.c) computes the same bytes as the library's AVX2 kernel.
 *
 * 1. Both kernels on the same shaped weights, scales and inputs: random data at many sizes
 *    (outputs and inputs not multiples of the register widths, one input, every block
 *    width), and the extremes (every weight and input ±127, weights of -128, zero weights,
 *    tiny, huge and negative scales); the outputs are compared with memcmp.
 * 2. The kernel is the one installed after libtesseract's load (unless
 *    MAGI_OCR_KERNEL=library), and screens read with it and with the library's kernel (the
 *    pointer swapped back in the same process: the weights' layout is the same) give the
 *    same words, boxes and confidences.
 * Exits 77 (skipped) where the CPU lacks AVX512-VNNI, or Tesseract or its English data is
 * missing. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "ocr_same.h"
#include "magi/vision.h"
#include "vision/tess_dl.h"

static uint64_t rng = 88172645463325252ull;
static uint32_t next(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

enum fill { RANDOM, MAX_POS, MAX_NEG, ALTERNATE, ZERO_W, MINUS_128_W };

static int8_t value(enum fill f, size_t i, bool weight)
{
	switch (f) {
	case MAX_POS: return 127;
	case MAX_NEG: return -127;
	case ALTERNATE: return (i / (weight ? 1 : 3)) % 2 ? 127 : -127;
	case ZERO_W: return weight ? 0 : (int8_t)((int)(next() % 255) - 127);
	case MINUS_128_W: return weight ? -128 : (int8_t)(i % 2 ? 127 : -127);
	default: return (int8_t)((int)(next() % 255) - 127);
	}
}

/* Both kernels on one dim1×dim2 problem (dim2 counts the bias column); 1 when they agree. */
static int compare(magi__tess_dot_fn lib, int dim1, int dim2, enum fill f)
{
	int in = (dim2 - 1 + 3) / 4 * 4, out = (dim1 + 7) / 8 * 8;
	size_t nw = (size_t)(in + 1) * (size_t)out + 64, nu = (size_t)(in + 31) / 32 * 32 + 64;
	int8_t *w = malloc(nw), *u = calloc(nu, 1);
	float *scales = malloc((size_t)out * sizeof *scales);
	float *a = calloc((size_t)out + 8, sizeof *a), *b = calloc((size_t)out + 8, sizeof *b);
	REQUIRE(w && u && scales && a && b);
	for (size_t i = 0; i < nw; i++)
		w[i] = value(f, i, true);
	/* Tesseract zero-pads its inputs to the rounded size */
	for (int i = 0; i < dim2 - 1; i++)
		u[i] = value(f, (size_t)i, false);
	for (int i = 0; i < out; i++) {
		static const float mags[] = {1e-6f, 3.1e-4f, 0.0123f, 1.0f, 77.7f, 1e5f};
		scales[i] = mags[next() % 6] * ((float)(next() % 1000) + 1) / 1000.0f * (next() % 2 ? -1.0f : 1.0f);
	}
	lib(dim1, dim2, w, scales, u, a);
	magi__tess_vnni_dot(dim1, dim2, w, scales, u, b);
	int same = memcmp(a, b, ((size_t)out + 8) * sizeof *a) == 0;
	if (!same)
		for (int i = 0; i < out; i++)
			if (memcmp(&a[i], &b[i], sizeof a[i])) {
				fprintf(stderr, "%dx%d fill %d: output %d: library %.9g, magi %.9g\n", dim1, dim2, (int)f,
					i, (double)a[i], (double)b[i]);
				break;
			}
	free(w), free(u), free(scales), free(a), free(b);
	return same;
}

static struct magi_ocr *read_png(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/%s", MAGI_SRC_DIR, name);
	struct magi_image *img = NULL;
	struct magi_ocr *o = NULL;
	struct magi_error e;
	REQUIRE(magi_image_load(path, &img, &e) == MAGI_OK);
	REQUIRE(magi_ocr_run(img, "eng", 0, &o, &e) == MAGI_OK);
	magi_image_free(img);
	return o;
}

int main(void)
{
	struct magi_error e;
	if (magi__tess_load(&e) != MAGI_OK)
		SKIP("libtesseract is not installed: %s", e.msg);
	if (!magi__tess_vnni_cpu())
		SKIP("this CPU lacks AVX512-VNNI (or AVX512F/BW/VL): magi's kernel is never used here");
	magi__tess_dot_fn lib = magi__tess_avx2_dot();
	if (!lib)
		SKIP("this libtesseract exports no AVX2 kernel of Tesseract 5's shape: magi's kernel is never used");

	/* 1. the kernels side by side */
	static const int outs[] = {1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40, 48, 56, 63, 64, 65,
				   96, 104, 111, 112, 120, 127, 128, 129, 136, 192, 200, 256, 384, 511};
	static const int ins[] = {1, 2, 3, 4, 5, 8, 9, 12, 13, 17, 31, 32, 33, 36, 37, 48, 64, 65, 96,
				  97, 100, 129, 150, 192, 257, 385, 513};
	int n = 0, agree = 0;
	for (size_t i = 0; i < sizeof outs / sizeof *outs; i++)
		for (size_t j = 0; j < sizeof ins / sizeof *ins; j++)
			for (int f = RANDOM; f <= MINUS_128_W; f++) {
				n++;
				agree += compare(lib, outs[i], ins[j] + 1, (enum fill)f);
			}
	for (int k = 0; k < 300; k++) { /* random shapes */
		n++;
		agree += compare(lib, 1 + (int)(next() % 600), 2 + (int)(next() % 700), RANDOM);
	}
	CHECK_MSG(agree == n, "%d of %d problems gave different bytes", n - agree, n);
	printf("%d problems, the kernels' outputs byte for byte the same in %d\n", n, agree);

	/* 2. installed after the load, and the same readings */
	struct magi__tess_simd_head {
		magi__tess_dot_fn dot;
	};
	struct magi__tess_simd_head **cur = dlsym(RTLD_DEFAULT, "_ZN9tesseract13IntSimdMatrix13intSimdMatrixE");
	void *avx2 = dlsym(RTLD_DEFAULT, "_ZN9tesseract13IntSimdMatrix17intSimdMatrixAVX2E");
	REQUIRE(cur && avx2 && *cur);
	const char *env = getenv("MAGI_OCR_KERNEL");
	if (env && !strcmp(env, "library")) {
		CHECK((void *)*cur == avx2);
		return check_done();
	}
	CHECK_MSG((*cur)->dot == magi__tess_vnni_dot, "the kernel in use is not magi's after the load");
	static const char *const pngs[] = {"img_screen.png", "ocr_cut_top.png"};
	struct magi_ocr *own[2];
	for (int i = 0; i < 2; i++)
		own[i] = read_png(pngs[i]);
	if (own[0]->n_words == 0)
		SKIP("Tesseract English data reads nothing here");
	struct magi__tess_simd_head *mine = *cur;
	*cur = avx2; /* the library's kernel, on the same engines */
	for (int i = 0; i < 2; i++)
		ocr_same_reading(own[i], read_png(pngs[i]), pngs[i], "AVX512-VNNI and AVX2 kernels");
	*cur = mine;
	return check_done();
}
