/* ocr_region.c — one line read with a character whitelist. Tesseract's LSTM recognizer
 * honours tessedit_char_whitelist (since 4.1): it picks the likeliest glyph among the
 * allowed ones, so small hex text stops coming out as "£e80" or "7chb" when only hex
 * digits and colons may be read. The engine is lent by the pool (ocr_engine.c) and its
 * whitelist and page mode are put back before it returns there. */
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include "vision/ocr_region.h"
#include "vision/ocr_internal.h"
#include "vision/tess_dl.h"
#include "core/common.h"

magi_status magi__ocr_read_line_charset(const struct magi_image *img, const char *lang,
					const char *charset, char **text, float *conf,
					struct magi_error *err)
{
	if (text)
		*text = NULL;
	if (conf)
		*conf = 0;
	if (!text || !img || !img->px || !img->w || !img->h || img->stride < img->w * 3 ||
	    !charset || !*charset)
		return magi_error_set(err, MAGI_ERR_INVALID, "OCR: no image, output or charset given");
	if (img->w > INT32_MAX / 4 || img->h > INT32_MAX / 4)
		return magi_error_set(err, MAGI_ERR_LIMIT, "OCR: image too large");
	magi_status s = magi__ocr_begin(&lang, 1, "threads", err);
	if (s)
		return s;
	if (img->w < 4 || img->h < 4) {
		*text = magi__strdup("");
		return *text ? MAGI_OK : magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
	}
	uint8_t *gray = magi__ocr_gray(img);
	if (!gray)
		return magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
	struct magi__ocr_engine *e = NULL;
	if ((s = magi__ocr_engine_take(lang, true, &e, err))) {
		free(gray);
		return s;
	}
	magi__ocr_thread_setup();
	TessBaseAPI *api = e->api;
	TessBaseAPISetVariable(api, "tessedit_char_whitelist", charset);
	TessBaseAPISetImage(api, gray, (int)img->w, (int)img->h, 1, (int)img->w);
	TessBaseAPISetSourceResolution(api, 96);
	TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
	int rc = TessBaseAPIRecognize(api, NULL);
	struct magi_buf b;
	magi_buf_init(&b, 0);
	double sum = 0;
	int n = 0;
	bool oom = false;
	TessResultIterator *ri = rc == 0 ? TessBaseAPIGetIterator(api) : NULL;
	if (ri) {
		do {
			char *w = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
			if (!w)
				continue;
			if (*w) {
				oom |= (n && magi_buf_putc(&b, ' ')) || magi_buf_puts(&b, w);
				sum += TessResultIteratorConfidence(ri, RIL_WORD);
				n++;
			}
			TessDeleteText(w);
		} while (!oom && TessResultIteratorNext(ri, RIL_WORD));
		TessResultIteratorDelete(ri);
	}
	/* the pool's engines read unconstrained pages */
	TessBaseAPISetVariable(api, "tessedit_char_whitelist", "");
	TessBaseAPISetPageSegMode(api, PSM_SPARSE_TEXT);
	magi__ocr_engine_give(e);
	free(gray);
	if (rc != 0) {
		magi_buf_release(&b);
		return magi_error_set(err, MAGI_ERR_IMAGE, "OCR: Tesseract could not read the %ux%u image",
				      img->w, img->h);
	}
	*text = oom ? NULL : magi_buf_detach(&b, NULL);
	if (!*text && !oom)
		*text = magi__strdup("");
	magi_buf_release(&b);
	if (!*text)
		return magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
	if (conf)
		*conf = n ? (float)(sum / n) : 0;
	return MAGI_OK;
}
