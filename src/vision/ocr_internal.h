/* ocr_internal.h — the pieces of OCR shared by ocr.c, ocr_engine.c and ocr_prep.c
 * (internal; Tesseract's types stay in src/vision). */
#ifndef MAGI_OCR_INTERNAL_H
#define MAGI_OCR_INTERNAL_H
#include <tesseract/capi.h>
#include "magi/vision.h"

#define MAGI__OCR_LANG_MAX 64

/* An initialised Tesseract engine for one language; used by one thread at a time. */
struct magi__ocr_engine {
	TessBaseAPI *api;
	char lang[MAGI__OCR_LANG_MAX];
	struct magi__ocr_engine *next; /* in the pool's idle list */
};

/* The checks every OCR entry point makes: *lang NULL becomes "eng"; a language name is
 * letters, digits, '_', '+', '-' ("eng", "chi_sim", "eng+deu"), nothing that could walk a
 * path; n (threads or engines, named by what in the message) is 1..MAGI_OCR_MAX_THREADS;
 * libtesseract is loaded. */
magi_status magi__ocr_begin(const char **lang, int n, const char *what, struct magi_error *err);
/* Keeps Tesseract's OpenMP loops on the calling thread (unless OMP_THREAD_LIMIT is set):
 * called on every thread that loads or runs an engine, once per thread. libtesseract must
 * be loaded. */
void magi__ocr_thread_setup(void);
/* Whether the calling thread runs OpenMP regions inline (tess_omp.c): set by
 * magi__ocr_thread_setup when magi keeps OpenMP to one thread per region. */
void magi__ocr_omp_serial(bool on);
/* Regions run inline so far, on every thread (for tests: the stand-ins are reached). */
long magi__ocr_omp_inline_regions(void);
/* Lends an engine for lang: an idle one, else (create) the one a preload is finishing,
 * else a new one (~100 ms). Without create, *out is NULL when none is idle. Give it back
 * with magi__ocr_engine_give. MAGI_ERR_NOT_FOUND when the language is not installed. The
 * caller has loaded libtesseract (magi__tess_load). */
magi_status magi__ocr_engine_take(const char *lang, bool create, struct magi__ocr_engine **out,
				  struct magi_error *err);
/* An idle engine for lang, else the one a preload is finishing (waited for); *out NULL
 * when none is idle or loading. Never starts a load. */
magi_status magi__ocr_engine_take_loading(const char *lang, struct magi__ocr_engine **out);
/* Engines for lang being loaded ahead right now. */
int magi__ocr_engines_loading(const char *lang);
/* Marks the calling thread as reading ahead of need: it waits out a hold on engine loads
 * (magi_ocr_hold_loads) instead of lifting it, as other threads needing an engine do. */
void magi__ocr_patient(void);
/* Clears the engine's page and returns it to the pool; NULL is a no-op. */
void magi__ocr_engine_give(struct magi__ocr_engine *e);

/* The gray image Tesseract reads: luminance with text made dark on light (ocr_prep.c).
 * NULL on OOM; free() it. */
uint8_t *magi__ocr_gray(const struct magi_image *img);
/* A part of the gray image read on its own: rows [y0, y1) and columns [x0, x1); a block is
 * read with Tesseract's layout analysis (sparse text), a line leaf as one text line. */
struct magi__ocr_piece {
	uint32_t x0, y0, x1, y1;
	bool block;
	int same_as; /* >= 0: an earlier piece with the same pixels; its reading is this one's */
};
/* The text lines of the gray image g (w x h, text dark on light) found from its pixels, in
 * reading order (ocr_lines.c); *out malloc'd (NULL when none). MAGI_ERR_NOMEM. */
magi_status magi__ocr_find_pieces(const uint8_t *g, uint32_t w, uint32_t h, struct magi__ocr_piece **out,
				  size_t *n);
/* Shrinks a word box to the ink inside it (g is w x h). */
void magi__ocr_tighten_box(const uint8_t *g, uint32_t w, uint32_t h, int *bx, int *by, int *bw,
			   int *bh);
#endif
