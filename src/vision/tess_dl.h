/* tess_dl.h — Tesseract's C API, loaded on first OCR (see src/core/dl.h). Include after
 * <tesseract/capi.h>; the names below then call through the loaded table. */
#ifndef MAGI_TESS_DL_H
#define MAGI_TESS_DL_H
#include <tesseract/capi.h>
#include "core/dl.h"

#define MAGI_TESS_FUNCS(X)                                                     \
	X(TessBaseAPIClear) X(TessBaseAPICreate) X(TessBaseAPIDelete)          \
	X(TessBaseAPIEnd) X(TessBaseAPIGetIterator) X(TessBaseAPIInit4)        \
	X(TessBaseAPIRecognize) X(TessBaseAPISetImage)                         \
	X(TessBaseAPISetPageSegMode) X(TessBaseAPISetSourceResolution)         \
	X(TessBaseAPISetVariable) X(TessDeleteText)                            \
	X(TessPageIteratorBoundingBox) X(TessPageIteratorIsAtBeginningOf)      \
	X(TessResultIteratorConfidence) X(TessResultIteratorDelete)            \
	X(TessResultIteratorGetPageIterator) X(TessResultIteratorGetUTF8Text)  \
	X(TessResultIteratorNext)

struct magi__tess_api {
#define MAGI__TX(n) __typeof__(&n) n;
	MAGI_TESS_FUNCS(MAGI__TX)
#undef MAGI__TX
};
extern struct magi__tess_api magi__tess;
/* Loads libtesseract once; MAGI_ERR_UNSUPPORTED with what to install when missing. */
magi_status magi__tess_load(struct magi_error *err);
/* How many engine Inits reached magi's stand-in for Tesseract's universal-ambiguities
 * loader (tess_dl.c) and skipped them, and how many loaded them (MAGI_OCR_LEGACY_AMBIGS=1):
 * for tests, which check the stand-in is the one libtesseract calls. */
void magi__tess_universal_counts(int *skipped, int *loaded);

#define TessBaseAPIClear (magi__tess.TessBaseAPIClear)
#define TessBaseAPICreate (magi__tess.TessBaseAPICreate)
#define TessBaseAPIDelete (magi__tess.TessBaseAPIDelete)
#define TessBaseAPIEnd (magi__tess.TessBaseAPIEnd)
#define TessBaseAPIGetIterator (magi__tess.TessBaseAPIGetIterator)
#define TessBaseAPIInit4 (magi__tess.TessBaseAPIInit4)
#define TessBaseAPIRecognize (magi__tess.TessBaseAPIRecognize)
#define TessBaseAPISetImage (magi__tess.TessBaseAPISetImage)
#define TessBaseAPISetPageSegMode (magi__tess.TessBaseAPISetPageSegMode)
#define TessBaseAPISetSourceResolution (magi__tess.TessBaseAPISetSourceResolution)
#define TessBaseAPISetVariable (magi__tess.TessBaseAPISetVariable)
#define TessDeleteText (magi__tess.TessDeleteText)
#define TessPageIteratorBoundingBox (magi__tess.TessPageIteratorBoundingBox)
#define TessPageIteratorIsAtBeginningOf (magi__tess.TessPageIteratorIsAtBeginningOf)
#define TessResultIteratorConfidence (magi__tess.TessResultIteratorConfidence)
#define TessResultIteratorDelete (magi__tess.TessResultIteratorDelete)
#define TessResultIteratorGetPageIterator (magi__tess.TessResultIteratorGetPageIterator)
#define TessResultIteratorGetUTF8Text (magi__tess.TessResultIteratorGetUTF8Text)
#define TessResultIteratorNext (magi__tess.TessResultIteratorNext)
#endif
