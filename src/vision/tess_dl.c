/* tess_dl.c — the loaded Tesseract table, and what magi keeps Tesseract from building. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "vision/tess_dl.h"
#include "vision/tess_plumb.h"
#include "core/common.h"

struct magi__tess_api magi__tess;

static const char *const names[] = {"libtesseract.so.5", "libtesseract.so.4", "libtesseract.so", NULL};
static const char *const syms[] = {
#define MAGI__TX(n) #n,
	MAGI_TESS_FUNCS(MAGI__TX)
#undef MAGI__TX
	NULL};

static struct magi__dl_lib lib = {
	"Tesseract OCR", names, syms, (void **)&magi__tess,
	"install it (Debian: apt-get install libtesseract5 tesseract-ocr-eng) or run without OCR (--no-ocr)",
	0, {0}};

/* Leptonica (Tesseract's image library) prints its own error lines to stderr ("Error in
 * pixSauvolaBinarizeTiled: whsize must be >= 2") where magi's one-line errors should be the
 * only output. Its messages go to magi's log at info level instead: shown with
 * MAGI_LOG=info (or a command's -v), hidden otherwise. */
static void lept_to_log(const char *msg)
{
	size_t n = msg ? strlen(msg) : 0;
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		n--;
	if (n)
		MAGI_INFO("leptonica: %.*s", (int)n, msg);
}

static void quiet_leptonica(void)
{
	/* leptSetStderrHandler is in Leptonica >= 1.76, loaded with Tesseract (RTLD_GLOBAL) */
	void (*set_handler)(void (*)(const char *));
	*(void **)&set_handler = dlsym(RTLD_DEFAULT, "leptSetStderrHandler");
	if (set_handler)
		set_handler(lept_to_log);
	else
		MAGI_DEBUG("Leptonica has no leptSetStderrHandler; its messages reach stderr");
}

/* Once, before any engine is initialised (every engine's thread passes here first; the
 * others wait in pthread_once): the engines reshape their weights for the kernel in place. */
static void after_load(void)
{
	quiet_leptonica();
	MAGI_DEBUG("OCR: Tesseract's integer kernel: %s", magi__tess_kernel_install());
	MAGI_DEBUG("OCR: Tesseract's network plumbing: %s", magi__tess_layers_install());
	MAGI_DEBUG("OCR: Tesseract's LSTM forward pass: %s", magi__tess_lstm_install());
}

magi_status magi__tess_load(struct magi_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	magi_status s = magi__dl_load(&lib, err);
	if (!s)
		pthread_once(&once, after_load);
	return s;
}

/* Tesseract 5 builds, in every engine's Init, the "universal ambiguities" table of its
 * legacy engine (UnicharAmbigs::LoadUniversal: ~19,000 confusable n-grams such as "rn"/"m",
 * compiled into the library) even when the engine is initialised for the LSTM recogniser
 * alone (OEM_LSTM_ONLY, as magi does): only the legacy classifier, its stopper and its
 * adaption read them. Loading them also adds ~370 strings to the engine's character set,
 * and the adaptive classifier's templates (built in Init too) grow with that set. With
 * Debian's libtesseract 5.3 and eng: 10.3 MB of heap per engine with them, 2.5 MB without
 * (bench/bench_ocr, "heap in use"); the words, boxes and confidences read are the same
 * (tests/unit/test_ocr_trim.sh compares both on rendered screens).
 *
 * libtesseract calls the function through its PLT, so the definition below, exported from
 * magi's executable or library (CMakeLists.txt: --export-dynamic-symbol), is the one its
 * Init reaches; a Tesseract whose function has another signature (another mangled name)
 * simply never calls it. MAGI_OCR_LEGACY_AMBIGS=1 loads them as Tesseract would (the real
 * function, found with RTLD_NEXT). */
static atomic_int universal_calls[2]; /* skipped, loaded */

void magi__tess_universal_counts(int *skipped, int *loaded)
{
	*skipped = atomic_load(&universal_calls[0]);
	*loaded = atomic_load(&universal_calls[1]);
}

#define MAGI__LOAD_UNIVERSAL "_ZN9tesseract13UnicharAmbigs13LoadUniversalERKNS_10UNICHARSETEPS1_"
__attribute__((visibility("default"))) void magi__tess_load_universal(void *self, const void *encoder_set, void *unicharset)
	__asm__(MAGI__LOAD_UNIVERSAL);
__attribute__((visibility("default"))) void magi__tess_load_universal(void *self, const void *encoder_set, void *unicharset)
{
	const char *v = getenv("MAGI_OCR_LEGACY_AMBIGS");
	void (*real)(void *, const void *, void *);
	void *sym = v && strcmp(v, "1") == 0 ? dlsym(RTLD_NEXT, MAGI__LOAD_UNIVERSAL) : NULL;
	atomic_fetch_add(&universal_calls[sym != NULL], 1);
	if (!sym)
		return;
	memcpy(&real, &sym, sizeof real);
	real(self, encoder_set, unicharset);
}
