/* test_ocr_update.c — incremental OCR: after a change in one band of the screen, the result
 * must hold the same words as a full OCR of the new screen, at less cost. */
#include <unistd.h>
#include "check.h"
#include "magi/vision.h"

static bool has_word(const struct magi_ocr *o, const char *w)
{
	for (size_t i = 0; i < o->n_words; i++)
		if (!strcmp(o->words[i].text, w))
			return true;
	return false;
}

int main(void)
{
	if (access("/usr/share/tesseract-ocr/5/tessdata/eng.traineddata", R_OK) != 0)
		SKIP("tesseract English data is missing");
	struct magi_image *a, *b;
	REQUIRE(magi_image_new(1280, 720, &a) == MAGI_OK);
	magi_image_fill_rect(a, 0, 0, 1280, 720, 0xffffff);
	const char *lines[] = {"ALPHA BRAVO", "CHARLIE DELTA", "ECHO FOXTROT", "GOLF HOTEL"};
	for (int i = 0; i < 4; i++)
		magi_image_draw_text(a, 40, 40 + i * 80, lines[i], 4, 0x000000, 0, false);
	REQUIRE(magi_image_clone(a, &b) == MAGI_OK);
	magi_image_draw_text(b, 40, 520, "INDIA JULIET", 4, 0x000000, 0, false);
	struct magi_error err;
	struct magi_ocr *oa = NULL, *full = NULL, *inc = NULL, *same = NULL;
	REQUIRE(magi_ocr_run(a, NULL, 30, &oa, &err) == MAGI_OK);
	REQUIRE(magi_ocr_run(b, NULL, 30, &full, &err) == MAGI_OK);
	REQUIRE(magi_ocr_update(a, oa, b, NULL, 30, &inc, &err) == MAGI_OK);
	const char *words[] = {"ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT", "GOLF", "HOTEL", "INDIA", "JULIET"};
	/* OCR of the built-in font is not perfect; what matters is that the incremental result
	 * reads what a full OCR of the same screen reads, old lines and new */
	int found = 0;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (!has_word(full, words[i]))
			continue;
		found++;
		CHECK_MSG(has_word(inc, words[i]), "incremental OCR missed %s", words[i]);
	}
	CHECK_MSG(found >= 7, "full OCR read only %d of 10 words", found);
	CHECK(has_word(inc, "JULIET") && has_word(inc, "ALPHA"));
	CHECK(inc->n_words == full->n_words);
	CHECK(inc->n_lines == full->n_lines);
	/* the new line's box is in screen coordinates, not the band's */
	for (size_t i = 0; i < inc->n_words; i++)
		if (!strcmp(inc->words[i].text, "INDIA"))
			CHECK_MSG(inc->words[i].y >= 510 && inc->words[i].y <= 530, "INDIA at y=%d", inc->words[i].y);
	/* lines stay in reading order, words point at their lines */
	for (size_t i = 1; i < inc->n_lines; i++)
		CHECK(inc->lines[i].y >= inc->lines[i - 1].y);
	for (size_t i = 0; i < inc->n_words; i++)
		CHECK(inc->words[i].line >= 0 && (size_t)inc->words[i].line < inc->n_lines);
	/* (speed is measured in bench/bench_gui.sh, not asserted here) */
	/* an unchanged screen is a copy */
	REQUIRE(magi_ocr_update(b, inc, b, NULL, 30, &same, &err) == MAGI_OK);
	CHECK(same->n_words == inc->n_words && same->n_lines == inc->n_lines);
	for (size_t i = 0; i < same->n_words && i < inc->n_words; i++)
		CHECK(!strcmp(same->words[i].text, inc->words[i].text) && same->words[i].x == inc->words[i].x);
	magi_ocr_free(oa);
	magi_ocr_free(full);
	magi_ocr_free(inc);
	magi_ocr_free(same);
	magi_image_free(a);
	magi_image_free(b);
	return check_done();
}
