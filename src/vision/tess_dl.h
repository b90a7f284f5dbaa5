/* tess_dl.h — Tesseract's C API, loaded on first OCR (see src/core/dl.h). Include after
 * <tesseract/capi.h>; the names below then call through the loaded table. */
#ifndef MAGI_TESS_DL_H
#define MAGI_TESS_DL_H
#include <tesseract/capi.h>
#include <stdbool.h>
#include <stdint.h>
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

/* Tesseract 5's integer matrix kernel (IntSimdMatrix::matrixDotVectorFunction, FAST_FLOAT
 * builds): v = W·u scaled, for the LSTM's int8 networks (src/vision/tess_vnni.c). */
typedef void (*magi__tess_dot_fn)(int dim1, int dim2, const int8_t *wi, const float *scales, const int8_t *u,
				  float *v);
/* magi's AVX512-VNNI kernel, with the AVX2 kernel's weight layout and results; call only
 * where magi__tess_vnni_cpu() is true. */
void magi__tess_vnni_dot(int dim1, int dim2, const int8_t *wi, const float *scales, const int8_t *u, float *v);
/* Whether the CPU runs AVX512F, BW, VL and VNNI. */
bool magi__tess_vnni_cpu(void);
/* The loaded libtesseract's AVX2 kernel, or NULL when it exports none of the expected shape. */
magi__tess_dot_fn magi__tess_avx2_dot(void);
/* Puts magi's kernel in the library's place where it can (once, after the load and before any
 * engine); returns which kernel the engines use, for the log. */
const char *magi__tess_kernel_install(void);

/* Puts magi's forward pass for Tesseract's 1-D int8 LSTM layers in the place of
 * LSTM::Forward where it can (src/vision/tess_lstm.c; once, after the load and before any
 * engine); returns whose the engines use, for the log. */
const char *magi__tess_lstm_install(void);
/* What the install returned (for tests) */
const char *magi__tess_lstm_status(void);
/* For tests: puts fn (a Forward: magi's, the library's or a test's) in LSTM's vtable, after
 * an install (false otherwise); the two functions; how many Forward calls magi's handled and
 * handed to the library's so far. */
bool magi__tess_lstm_put(void *fn);
void *magi__tess_lstm_own_forward(void);
/* magi's AVX2 variant (the one used on CPUs without AVX-512F), where this CPU runs it and its
 * self-check passes, after an install; NULL otherwise */
void *magi__tess_lstm_avx2_forward(void);
void *magi__tess_lstm_lib_forward(void);
void magi__tess_lstm_counts(long *own, long *library);

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
