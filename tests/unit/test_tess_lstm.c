/* test_tess_lstm.c — magi's forward pass for Tesseract's LSTM layers (src/vision/tess_lstm.c)
 * reads exactly what the library's LSTM::Forward reads.
 *
 * 1. It is installed after libtesseract's load (unless MAGI_OCR_LSTM=library, or the CPU
 *    or the library is not the one it was written for: then the test is skipped; a failed
 *    self-check fails it).
 * 2. Layer by layer: a comparing Forward is put in LSTM's vtable; on every LSTM layer of
 *    every line of the screens below it runs the library's Forward, keeps the layer's output,
 *    runs magi's on the same input into the same output and compares the bytes; first on
 *    twelve inputs of the same shape filled with random values, then on the real one (which
 *    the next layers read).
 * 3. Whole readings: the screens read with magi's Forward and with the library's (the vtable
 *    entry swapped in the same process) give the same words, boxes and confidences, and
 *    magi's handled every LSTM call of the reading (none handed to the library).
 *    Both with the installed variant (AVX-512F here) and with the AVX2 one.
 * Screens: tests/data's screen captures, and any PNGs named in MAGI_TEST_SCREENS
 * (colon-separated paths). Exits 77 (skipped) without Tesseract or its English data. */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "magi/vision.h"
#include "vision/tess_dl.h"
#include "vision/tess_layout.h"

static magi__tess_forward_fn own_fn, lib_fn;
static atomic_long layers, differing;

/* The library's Forward, then magi's on the same input and output: 1 when the bytes out are
 * the same */
static int compare_once(void *self, bool debug, const struct magi__tess_networkio *input, const void *input_transpose,
			void *scratch, struct magi__tess_networkio *output)
{
	lib_fn(self, debug, input, input_transpose, scratch, output);
	const struct magi__tess_2d *a = output->int_mode ? &output->i : &output->f;
	size_t elem = output->int_mode ? 1 : sizeof(float);
	int d1 = a->dim1, d2 = a->dim2;
	size_t n = (size_t)d1 * (size_t)d2 * elem;
	void *lib_out = malloc(n ? n : 1);
	REQUIRE(lib_out);
	memcpy(lib_out, a->array, n);
	own_fn(self, debug, input, input_transpose, scratch, output);
	bool same = a->dim1 == d1 && a->dim2 == d2 && memcmp(lib_out, a->array, n) == 0;
	if (!same && atomic_fetch_add(&differing, 1) < 3) {
		size_t k = 0;
		while (a->dim1 == d1 && a->dim2 == d2 && k < n && ((char *)lib_out)[k] == ((char *)a->array)[k])
			k++;
		fprintf(stderr, "LSTM layer %dx%d: first difference at byte %zu (time step %zu)\n", d1, d2, k,
			k / elem / (size_t)(d2 ? d2 : 1));
	}
	atomic_fetch_add(&layers, 1);
	free(lib_out);
	return same;
}

/* The layer's real input, and before it VARIANTS inputs of the same shape with random values
 * (-127..127: more time steps, every sign and saturation; the last one a single random row
 * at every time step, so that steady gates drive cells' states to the ±100 clip), each
 * through both Forwards */
enum { VARIANTS = 12 };
static void compare_forward(void *self, bool debug, const struct magi__tess_networkio *input,
			    const void *input_transpose, void *scratch, struct magi__tess_networkio *output)
{
	static _Thread_local uint64_t rng = 88172645463325252ull;
	if (input->int_mode && input->i.dim1 > 0 && input->i.dim2 > 0) {
		size_t n = (size_t)input->i.dim1 * (size_t)input->i.dim2;
		int8_t *real = malloc(n), *data = input->i.array;
		REQUIRE(real);
		memcpy(real, data, n);
		for (int v = 0; v < VARIANTS; v++) {
			size_t fill = v == VARIANTS - 1 ? (size_t)input->i.dim2 : n;
			for (size_t k = 0; k < fill; k++) {
				rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
				/* mostly small values, as real activations are, some at the ends */
				int r = (int)(rng >> 40);
				data[k] = (int8_t)(r % 8 == 0 ? (r >> 3) % 255 - 127 : (r >> 3) % 61 - 30);
			}
			for (size_t k = fill; k < n; k++)
				data[k] = data[k % fill];
			compare_once(self, debug, input, input_transpose, scratch, output);
		}
		memcpy(data, real, n);
		free(real);
	}
	compare_once(self, debug, input, input_transpose, scratch, output);
}

static struct magi_ocr *read_png(const char *path)
{
	struct magi_image *img = NULL;
	struct magi_ocr *o = NULL;
	struct magi_error e;
	if (magi_image_load(path, &img, &e) != MAGI_OK) {
		fprintf(stderr, "%s: %s\n", path, e.msg);
		REQUIRE(0);
	}
	REQUIRE(magi_ocr_run(img, "eng", 0, &o, &e) == MAGI_OK);
	magi_image_free(img);
	return o;
}

static void same_reading(struct magi_ocr *x, struct magi_ocr *y, const char *name)
{
	CHECK_MSG(x->n_words == y->n_words, "%s: %zu words with magi's LSTM, %zu with the library's", name,
		  x->n_words, y->n_words);
	size_t same = 0;
	for (size_t i = 0; i < x->n_words && i < y->n_words; i++) {
		const struct magi_ocr_word *a = &x->words[i], *b = &y->words[i];
		bool ok = !strcmp(a->text, b->text) && a->x == b->x && a->y == b->y && a->w == b->w && a->h == b->h &&
			  memcmp(&a->conf, &b->conf, sizeof a->conf) == 0;
		CHECK_MSG(ok, "%s word %zu: '%s' %d,%d %dx%d (%.9g) vs '%s' %d,%d %dx%d (%.9g)", name, i, a->text,
			  a->x, a->y, a->w, a->h, (double)a->conf, b->text, b->x, b->y, b->w, b->h, (double)b->conf);
		same += ok;
	}
	printf("%s: %zu words, %zu the same with both\n", name, x->n_words, same);
}

int main(void)
{
	struct magi_error e;
	if (magi__tess_load(&e) != MAGI_OK)
		SKIP("libtesseract is not installed: %s", e.msg);
	const char *status = magi__tess_lstm_status();
	printf("LSTM forward pass: %s\n", status);
	CHECK_MSG(!strstr(status, "did not give"), "magi's self-check failed at install: %s", status);
	void **vt = dlsym(RTLD_DEFAULT, "_ZTVN9tesseract4LSTME");
	REQUIRE(vt);
	void *own = magi__tess_lstm_own_forward(), *lib = magi__tess_lstm_lib_forward();
	const char *env = getenv("MAGI_OCR_LSTM");
	if (env && !strcmp(env, "library")) {
		CHECK(own == NULL);
		CHECK(vt[22] == dlsym(RTLD_DEFAULT, "_ZN9tesseract4LSTM7ForwardEbRKNS_9NetworkIOEPKNS_15TransposedArrayEPNS_"
							"14NetworkScratchEPS1_"));
		return check_done();
	}
	if (!strstr(status, "magi's"))
		SKIP("magi's LSTM forward pass is not used here: %s", status);
	CHECK_MSG(vt[22] == own, "LSTM's vtable does not hold magi's Forward after the load");
	memcpy(&own_fn, &own, sizeof own);
	memcpy(&lib_fn, &lib, sizeof lib);

	/* the screens */
	enum { MAX_SCREENS = 96 };
	char *paths[MAX_SCREENS];
	int n = 0;
	static const char *const data[] = {"img_screen.png", "ocr_cut_top.png", "img_screen_rgba.png"};
	for (size_t i = 0; i < sizeof data / sizeof *data; i++) {
		char p[1024];
		snprintf(p, sizeof p, "%s/tests/data/%s", MAGI_SRC_DIR, data[i]);
		paths[n++] = strdup(p);
	}
	const char *more = getenv("MAGI_TEST_SCREENS");
	char *list = more ? strdup(more) : NULL;
	for (char *save = NULL, *tok = list ? strtok_r(list, ":", &save) : NULL; tok && n < MAX_SCREENS;
	     tok = strtok_r(NULL, ":", &save))
		paths[n++] = strdup(tok);
	free(list);

	/* 2. layer by layer, with the installed variant and (where it is another and this CPU runs
	 *    it) the AVX2 one, which CPUs without AVX-512F get */
	void *cmp;
	magi__tess_forward_fn f = compare_forward;
	memcpy(&cmp, &f, sizeof cmp);
	void *variants[2] = {own, magi__tess_lstm_avx2_forward()};
	for (int v = 0; v < 2; v++) {
		if (!variants[v] || (v == 1 && variants[1] == own))
			continue;
		memcpy(&own_fn, &variants[v], sizeof own_fn);
		atomic_store(&layers, 0);
		atomic_store(&differing, 0);
		REQUIRE(magi__tess_lstm_put(cmp));
		for (int i = 0; i < n; i++)
			magi_ocr_free(read_png(paths[i]));
		printf("%s: %ld LSTM layer runs compared, %ld differed\n", v ? "AVX2 variant" : "installed variant",
		       atomic_load(&layers), atomic_load(&differing));
		CHECK(atomic_load(&layers) > 0);
		CHECK_MSG(atomic_load(&differing) == 0, "%ld of %ld LSTM layer outputs differed", atomic_load(&differing),
			  atomic_load(&layers));
	}

	/* 3. whole readings */
	REQUIRE(magi__tess_lstm_put(own));
	long own0, lib0, own1, lib1;
	magi__tess_lstm_counts(&own0, &lib0);
	struct magi_ocr *mine[MAX_SCREENS];
	for (int i = 0; i < n; i++)
		mine[i] = read_png(paths[i]);
	magi__tess_lstm_counts(&own1, &lib1);
	printf("magi's Forward: %ld calls handled, %ld handed to the library\n", own1 - own0, lib1 - lib0);
	CHECK(own1 > own0);
	CHECK_MSG(lib1 == lib0, "%ld LSTM calls of eng's network went to the library's Forward", lib1 - lib0);
	if (mine[0]->n_words == 0)
		SKIP("Tesseract English data reads nothing here");
	REQUIRE(magi__tess_lstm_put(lib));
	for (int i = 0; i < n; i++) {
		struct magi_ocr *theirs = read_png(paths[i]);
		const char *name = strrchr(paths[i], '/');
		same_reading(mine[i], theirs, name ? name + 1 : paths[i]);
		magi_ocr_free(mine[i]);
		magi_ocr_free(theirs);
		free(paths[i]);
	}
	REQUIRE(magi__tess_lstm_put(own));
	return check_done();
}
