/* test_dom_text.c — a browser element list as the guards' input: DOM text runs and field
 * values become OCR-shaped lines with exact line boxes, passwords never do, and the PII
 * scan finds what they hold with boxes inside the elements'. */
#include "check.h"
#include "magi/magi.h"

static struct magi_element el(const char *role, const char *name, const char *value, int x, int y, int w, int h,
			      uint32_t flags)
{
	struct magi_element e = {0};
	e.role = (char *)role;
	e.name = (char *)name;
	e.value = (char *)value;
	e.x = x, e.y = y, e.w = w, e.h = h;
	e.flags = flags | MAGI_ELEM_VISIBLE;
	return e;
}

int main(void)
{
	struct magi_element page[] = {
		el("textbox", "Card number", "4111 1111 1111 1111", 300, 200, 400, 40, MAGI_ELEM_INTERACTIVE),
		el("textbox", "Password", "hunter2", 300, 260, 400, 40, MAGI_ELEM_INTERACTIVE | MAGI_ELEM_PASSWORD),
		el("text", "Write to editor@example.com today", NULL, 20, 400, 340, 20, MAGI_ELEM_TEXT),
		el("button", "Send", NULL, 20, 500, 80, 30, MAGI_ELEM_INTERACTIVE),
		el("text", "hidden 555-867-5309", NULL, 20, 900, 200, 20, MAGI_ELEM_TEXT),
	};
	page[4].flags &= ~(uint32_t)MAGI_ELEM_VISIBLE; /* scrolled out of view */
	struct magi_ocr *o = NULL;
	REQUIRE(magi_guard_dom_ocr(page, 5, true, &o) == MAGI_OK && o);
	REQUIRE(o->n_lines == 2);
	CHECK_STR(o->lines[0].text, "4111 1111 1111 1111");
	CHECK(o->lines[0].x == 300 && o->lines[0].y == 200 && o->lines[0].w == 400 && o->lines[0].h == 40);
	CHECK_STR(o->lines[1].text, "Write to editor@example.com today");
	CHECK(o->n_words == 4 + 4);
	/* words share out the line box along its characters, left to right, inside it */
	for (size_t i = 0; i < o->n_words; i++) {
		const struct magi_ocr_line *ln = &o->lines[o->words[i].line];
		CHECK(o->words[i].x >= ln->x && o->words[i].x + o->words[i].w <= ln->x + ln->w);
		CHECK(o->words[i].y == ln->y && o->words[i].h == ln->h && o->words[i].conf == 100);
		if (i + 1 < o->n_words && o->words[i + 1].line == o->words[i].line)
			CHECK(o->words[i + 1].x >= o->words[i].x + o->words[i].w);
	}
	CHECK_STR(o->words[6].text, "editor@example.com");
	for (size_t i = 0; i < o->n_words; i++)
		CHECK(!strstr(o->words[i].text, "hunter2"));
	/* the PII scan on it: the card and the e-mail, boxed within their elements */
	struct magi_pii_finding *f = NULL;
	size_t n = 0;
	REQUIRE(magi_pii_scan_ocr(o, NULL, &f, &n) == MAGI_OK);
	int card = -1, email = -1;
	for (size_t i = 0; i < n; i++) {
		if (f[i].type == MAGI_PII_CARD)
			card = (int)i;
		if (f[i].type == MAGI_PII_EMAIL)
			email = (int)i;
	}
	REQUIRE(card >= 0 && email >= 0);
	CHECK(f[card].has_box && f[card].x >= 300 && f[card].x + f[card].w <= 700 && f[card].y == 200);
	CHECK(f[email].has_box && f[email].x > 20 + 60 && f[email].x + f[email].w < 20 + 340);
	magi_pii_findings_free(f, n);
	magi_ocr_free(o);
	/* everything, hidden text included */
	REQUIRE(magi_guard_dom_ocr(page, 5, false, &o) == MAGI_OK);
	CHECK(o->n_lines == 3);
	CHECK_STR(o->lines[2].text, "hidden 555-867-5309");
	magi_ocr_free(o);
	/* an empty list is an empty result */
	REQUIRE(magi_guard_dom_ocr(NULL, 0, true, &o) == MAGI_OK && o && o->n_lines == 0 && o->n_words == 0);
	magi_ocr_free(o);
	return check_done();
}
