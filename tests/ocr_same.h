/* ocr_same.h — for tests that read the same screens two ways in one process (magi's code and
 * the library's): compares two readings word by word. Include after check.h. */
#ifndef MAGI_TEST_OCR_SAME_H
#define MAGI_TEST_OCR_SAME_H
#include <string.h>
#include "magi/vision.h"

/* Checks that x (read with magi's code) and y (with the library's) have the same words,
 * boxes and confidences, prints one line about `name` ("how" it was read), and frees both. */
static void ocr_same_reading(struct magi_ocr *x, struct magi_ocr *y, const char *name, const char *how)
{
	size_t differ = x->n_words != y->n_words;
	CHECK_MSG(!differ, "%s (%s): %zu words with magi's code, %zu with the library's", name, how, x->n_words,
		  y->n_words);
	for (size_t i = 0; i < x->n_words && i < y->n_words; i++) {
		const struct magi_ocr_word *a = &x->words[i], *b = &y->words[i];
		bool same = !strcmp(a->text, b->text) && a->x == b->x && a->y == b->y && a->w == b->w && a->h == b->h &&
			    a->conf == b->conf;
		differ += !same;
		CHECK_MSG(same, "%s (%s) word %zu: '%s' (%.4f) vs '%s' (%.4f)", name, how, i, a->text, a->conf, b->text,
			  b->conf);
	}
	printf("%s (%s): %zu words, %s\n", name, how, x->n_words,
	       differ ? "NOT the same both ways" : "the same both ways");
	magi_ocr_free(x);
	magi_ocr_free(y);
}
#endif
