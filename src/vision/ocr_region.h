/* ocr_region.h — a constrained second reading of one text line, for the privacy guard's
 * second look at a shape its first reading found (internal; see ocr_region.c). */
#ifndef MAGI_OCR_REGION_H
#define MAGI_OCR_REGION_H
#include "magi/vision.h"

/* Reads img as one line of text whose glyphs are all in charset (Tesseract's
 * tessedit_char_whitelist, e.g. the hex digits and ':' of an address), with language lang
 * (NULL: "eng"). *text gets the words joined by single spaces (malloc'd; "" when nothing
 * was read, or the image is under 4 px a side) and *conf (may be NULL) their mean
 * confidence. The engine comes from the OCR pool and goes back to it unconstrained.
 * MAGI_ERR_INVALID for no image or an empty charset; the OCR errors of magi_ocr_run. */
magi_status magi__ocr_read_line_charset(const struct magi_image *img, const char *lang,
					const char *charset, char **text, float *conf,
					struct magi_error *err);
/* Engines for lang (NULL: "eng") idle in the pool or being loaded ahead right now: a
 * caller reading on as many threads takes them without starting a load (waiting for one
 * that is loading). */
int magi__ocr_engines_unused(const char *lang);
/* The language name of the second OCR model magi installs itself (scripts/install-deps:
 * tessdata_best's English LSTM converted to integers, from npm's @tesseract.js-data/eng):
 * a larger network than Debian's tessdata_fast "eng", whose misreadings differ. Its file is
 * eng_best.traineddata in $MAGI_OCR_DATA, else $XDG_DATA_HOME/magi/tessdata
 * (~/.local/share/magi/tessdata), else /usr/local/share/magi/tessdata. */
#define MAGI__OCR_BEST "eng_best"
/* true when magi's own model lang (MAGI__OCR_BEST) is installed where it is looked for. */
bool magi__ocr_model_found(const char *lang);
#endif
