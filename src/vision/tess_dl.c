/* tess_dl.c — the loaded Tesseract table. */
#include <stddef.h>
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

magi_status magi__tess_load(struct magi_error *err)
{
	return magi__dl_load(&lib, err);
}
