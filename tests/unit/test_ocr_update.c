/* test_ocr_update.c — incremental OCR: after a change in one band of the screen, the result
 * must hold the same words as a full OCR of the new screen, at less cost; the same from the
 * previous screen's row signatures (magi_image_rows_*) as from its pixels. */
#include <unistd.h>
#include "check.h"
#include "magi/vision.h"

/* a and b hold the same words, boxes and confidences, in the same order */
static void same_reading(const struct magi_ocr *a, const struct magi_ocr *b, const char *what)
{
	CHECK_MSG(a->n_words == b->n_words && a->n_lines == b->n_lines,
		  "%s: %zu/%zu words, %zu/%zu lines", what, a->n_words, b->n_words, a->n_lines,
		  b->n_lines);
	for (size_t i = 0; i < a->n_words && i < b->n_words; i++) {
		const struct magi_ocr_word *p = &a->words[i], *q = &b->words[i];
		CHECK_MSG(!strcmp(p->text, q->text) && p->x == q->x && p->y == q->y &&
			      p->w == q->w && p->h == q->h && p->conf == q->conf &&
			      p->line == q->line,
			  "%s: word %zu '%s' / '%s'", what, i, p->text, q->text);
	}
}

/* The row signatures find exactly the rows that changed, however little. */
static void rows(void)
{
	struct magi_image *a, *b, *c;
	REQUIRE(magi_image_new(101, 60, &a) ==
		MAGI_OK); /* a row of 303 bytes: a tail past 8-byte words */
	magi_image_fill_rect(a, 0, 0, 101, 60, 0x336699);
	REQUIRE(magi_image_clone(a, &b) == MAGI_OK);
	struct magi_image_rows *ra, *rb;
	int y0 = -1, y1 = -1;
	REQUIRE(magi_image_rows_new(a, &ra) == MAGI_OK && magi_image_rows_new(b, &rb) == MAGI_OK);
	CHECK(magi_image_rows_diff(ra, rb, &y0, &y1) == 0 && y0 == 0 && y1 == 0);
	magi_image_rows_free(rb);
	/* one channel of one pixel, by one: in the last byte of row 17, and the first of row 40 */
	b->px[17 * b->stride + 302] ^= 1;
	b->px[40 * b->stride] ^= 1;
	REQUIRE(magi_image_rows_new(b, &rb) == MAGI_OK);
	CHECK_MSG(magi_image_rows_diff(ra, rb, &y0, &y1) == 1 && y0 == 17 && y1 == 41,
		  "rows %d..%d", y0, y1);
	magi_image_rows_free(rb);
	/* two pixels swapped within a row change it too */
	REQUIRE(magi_image_clone(a, &c) == MAGI_OK);
	magi_image_fill_rect(c, 5, 59, 1, 1, 0x000000);
	struct magi_image_rows *rc;
	REQUIRE(magi_image_rows_new(c, &rc) == MAGI_OK);
	CHECK(magi_image_rows_diff(ra, rc, &y0, &y1) == 1 && y0 == 59 && y1 == 60);
	magi_image_rows_free(rc);
	magi_image_fill_rect(c, 5, 59, 1, 1, 0x336699);
	magi_image_fill_rect(c, 6, 59, 1, 1, 0x000000);
	struct magi_image_rows *rc2;
	REQUIRE(magi_image_rows_new(c, &rc2) == MAGI_OK);
	REQUIRE(magi_image_rows_new(c, &rc) == MAGI_OK);
	magi_image_fill_rect(c, 6, 59, 1, 1, 0x336699);
	magi_image_fill_rect(c, 5, 59, 1, 1, 0x000000);
	magi_image_rows_free(rc);
	REQUIRE(magi_image_rows_new(c, &rc) == MAGI_OK);
	CHECK(magi_image_rows_diff(rc, rc2, &y0, &y1) == 1 && y0 == 59 && y1 == 60);
	magi_image_rows_free(rc);
	magi_image_rows_free(rc2);
	/* another size: no answer */
	struct magi_image *d;
	REQUIRE(magi_image_new(101, 61, &d) == MAGI_OK);
	REQUIRE(magi_image_rows_new(d, &rc) == MAGI_OK);
	CHECK(magi_image_rows_diff(ra, rc, &y0, &y1) == -1);
	CHECK(magi_image_rows_diff(ra, NULL, &y0, &y1) == -1);
	magi_image_rows_free(rc);
	magi_image_rows_free(ra);
	magi_image_free(a);
	magi_image_free(b);
	magi_image_free(c);
	magi_image_free(d);
}

static bool has_word(const struct magi_ocr *o, const char *w)
{
	for (size_t i = 0; i < o->n_words; i++)
		if (!strcmp(o->words[i].text, w))
			return true;
	return false;
}

int main(void)
{
	rows();
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
	const char *words[] = {"ALPHA",	  "BRAVO", "CHARLIE", "DELTA", "ECHO",
			       "FOXTROT", "GOLF",  "HOTEL",   "INDIA", "JULIET"};
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
			CHECK_MSG(inc->words[i].y >= 510 && inc->words[i].y <= 530, "INDIA at y=%d",
				  inc->words[i].y);
	/* lines stay in reading order, words point at their lines */
	for (size_t i = 1; i < inc->n_lines; i++)
		CHECK(inc->lines[i].y >= inc->lines[i - 1].y);
	for (size_t i = 0; i < inc->n_words; i++)
		CHECK(inc->words[i].line >= 0 && (size_t)inc->words[i].line < inc->n_lines);
	/* from the previous screen's row signatures: the same reading as from its pixels */
	struct magi_image_rows *ra, *rb;
	struct magi_ocr *by_rows = NULL;
	int y0, y1;
	REQUIRE(magi_image_rows_new(a, &ra) == MAGI_OK && magi_image_rows_new(b, &rb) == MAGI_OK);
	CHECK(magi_image_rows_diff(ra, rb, &y0, &y1) == 1 && y0 >= 510 && y1 <= 560);
	REQUIRE(magi_ocr_update_rows(oa, b, y0, y1, NULL, 30, &by_rows, &err) == MAGI_OK);
	same_reading(by_rows, inc, "update from row signatures");
	magi_ocr_free(by_rows);
	REQUIRE(magi_ocr_update_rows(inc, b, 0, 0, NULL, 30, &by_rows, &err) ==
		MAGI_OK); /* nothing changed */
	same_reading(by_rows, inc, "unchanged, from row signatures");
	magi_ocr_free(by_rows);
	magi_image_rows_free(ra);
	magi_image_rows_free(rb);
	/* (speed is measured in bench/bench_gui.sh, not asserted here) */
	/* an unchanged screen is a copy */
	REQUIRE(magi_ocr_update(b, inc, b, NULL, 30, &same, &err) == MAGI_OK);
	CHECK(same->n_words == inc->n_words && same->n_lines == inc->n_lines);
	for (size_t i = 0; i < same->n_words && i < inc->n_words; i++)
		CHECK(!strcmp(same->words[i].text, inc->words[i].text) &&
		      same->words[i].x == inc->words[i].x);
	magi_ocr_free(oa);
	magi_ocr_free(full);
	magi_ocr_free(inc);
	magi_ocr_free(same);
	magi_image_free(a);
	magi_image_free(b);
	return check_done();
}
