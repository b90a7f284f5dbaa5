/* tess_dl.c — the loaded Tesseract table. */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include "vision/tess_dl.h"
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

magi_status magi__tess_load(struct magi_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	magi_status s = magi__dl_load(&lib, err);
	if (!s)
		pthread_once(&once, quiet_leptonica);
	return s;
}
