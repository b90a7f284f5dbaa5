/* test_pii_reread12.c — issue 16, session 12: the hex reading of small type fitted to its
 * pixels (src/guard/pii_reread.c). Each case renders a line in a terminal's small type
 * with ImageMagick, reads it with Tesseract for the glyphs' places, and builds the page
 * reading that small type made of it on the development screens: some glyphs' words lost,
 * the rest split into OCR lines of their own. Then it is scanned with every candidate read
 * (real Tesseract readings):
 *   - a MAC address after "BSSID:" of which the page reading kept "88:" and "ee" (641's
 *     screen 20): the address's ink between them is found, read with hex glyphs, found,
 *     `repaired`, score <= MAGI_PII_SCORE_REPAIRED;
 *   - an IPv6 address after "inet6" whose page reading stopped after 23 of its 36 glyphs
 *     (634's screen 8): its crop runs on over the ink, found;
 *   - a Cisco dotted MAC read as one word with its last glyphs lost ("742b.d09E.7e", no
 *     label kept: 641's screen 36): read with hex glyphs, found;
 *   - twelve hex glyphs after "MAC:" read "HAC:" (672's screen 13): found as a MAC;
 *   - an IPv6 address after "Listening on" read in pieces, and Windows' dashed MAC alone
 *     with a letter misread ("1E-44-2C-AR-C7-BD"; 731's screens 0 and 14): found;
 *   - prose and a postal address after the same labels ("Address: 123, allée des Lilas,",
 *     "Host: see the notes below", "Server: http://172.26.44.81:8080/") get no hex reading
 *     and no MAC or IPv6 finding.
 * Main (4c2d0ad) finds none of the six addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pii_check.h"
#include "pii_render.h"
#include "magi/magi.h"

static char dir[] = "/tmp/magi-reread12-XXXXXX";

/* A piece of the rendered text as the page reading left it: the glyphs [from, to) of the
 * text (by byte: the cases are ASCII) read as text, an OCR line of its own. */
struct piece {
	int from, to;
	const char *text;
};

/* The page reading of img (text rendered in a monospace font) made of pieces: each piece's
 * box is its glyphs' columns, from where the real reading put the line's first and last
 * glyph; NULL when the real reading found no words. */
static struct magi_ocr *page_of(const struct magi_image *img, const char *text, const struct piece *pc, size_t np)
{
	struct magi_ocr *page = NULL;
	struct magi_error err;
	if (magi_ocr_run(img, NULL, 0, &page, &err))
		return NULL;
	if (!page->n_words) {
		magi_ocr_free(page);
		return NULL;
	}
	/* the glyphs' extent as the real reading found it */
	int x0 = page->words[0].x, x1 = x0, y0 = page->words[0].y, y1 = y0 + page->words[0].h;
	for (size_t i = 0; i < page->n_words; i++) {
		const struct magi_ocr_word *w = &page->words[i];
		x0 = w->x < x0 ? w->x : x0;
		x1 = w->x + w->w > x1 ? w->x + w->w : x1;
		y0 = w->y < y0 ? w->y : y0;
		y1 = w->y + w->h > y1 ? w->y + w->h : y1;
	}
	magi_ocr_free(page);
	struct magi_ocr *o = calloc(1, sizeof *o);
	REQUIRE(o);
	o->words = calloc(np, sizeof *o->words);
	o->lines = calloc(np, sizeof *o->lines);
	REQUIRE(o->words && o->lines);
	double cw = (double)(x1 - x0) / (double)strlen(text);
	for (size_t i = 0; i < np; i++) {
		struct magi_ocr_word *w = &o->words[i];
		w->text = strdup(pc[i].text);
		w->x = x0 + (int)(pc[i].from * cw + 0.5);
		w->w = x0 + (int)(pc[i].to * cw + 0.5) - w->x;
		w->y = y0;
		w->h = y1 - y0;
		w->conf = 40;
		w->line = (int)i;
		struct magi_ocr_line *l = &o->lines[i];
		l->text = strdup(pc[i].text);
		l->x = w->x, l->y = w->y, l->w = w->w, l->h = w->h;
		l->conf = 40;
	}
	o->n_words = o->n_lines = np;
	return o;
}

/* Renders text, reads it as pieces and scans it with every candidate read: the findings of
 * type t (the last one's repaired flag and score) and, in *reads, the crops read. */
static size_t found(const char *text, const struct piece *pc, size_t np, enum magi_pii_type t, bool *repaired,
		    float *score, size_t *reads)
{
	struct magi_image *img = pii_render(dir, text, 480);
	REQUIRE(img);
	struct magi_ocr *o = page_of(img, text, pc, np);
	if (!o) {
		magi_image_free(img);
		SKIP("no words read in \"%s\"", text);
	}
	return pii_reread_count(img, o, t, repaired, score, reads);
}

#define PIECES(...) (const struct piece[]){__VA_ARGS__}, sizeof((const struct piece[]){__VA_ARGS__}) / sizeof(struct piece)

int main(void)
{
	if (system("command -v convert >/dev/null 2>&1") != 0)
		SKIP("ImageMagick is missing");
	REQUIRE(mkdtemp(dir));
	bool rep = false;
	float score = 1;
	size_t reads = 0;

	/* a MAC address of which the page reading kept the first and the last group */
	const char *mac = "BSSID: 88:71:82:3d:1c:ee";
	CHECK_MSG(found(mac, PIECES({0, 6, "BSSID:"}, {7, 10, "88:"}, {22, 24, "ee"}), MAGI_PII_MAC, &rep, &score,
			NULL) >= 1,
		  "MAC address read as \"88:\" | \"ee\"");
	CHECK_MSG(rep && score <= MAGI_PII_SCORE_REPAIRED, "repaired %d, score %.2f", rep, score);

	/* an IPv6 address whose page reading stopped part way */
	const char *ip6 = "inet6 357A:4D45:E501:BACA:A521:33AC:0:F276";
	rep = false;
	score = 1;
	CHECK_MSG(found(ip6, PIECES({0, 5, "inet6"}, {6, 29, "357A:4D45:E501:BACA:A5:"}), MAGI_PII_IPV6, &rep, &score,
			NULL) >= 1,
		  "IPv6 address read short");
	CHECK_MSG(rep && score <= MAGI_PII_SCORE_REPAIRED, "repaired %d, score %.2f", rep, score);

	/* Cisco's dotted MAC as one word with glyphs lost, its label unread */
	const char *cisco = "Ma 742b.d09f.7e77";
	CHECK_MSG(found(cisco, PIECES({3, 15, "742b.d09E.7e"}), MAGI_PII_MAC, NULL, NULL, NULL) >= 1,
		  "dotted MAC read \"742b.d09E.7e\"");

	/* twelve hex glyphs after "MAC:" read "HAC:" (672's screen 13): read with hex glyphs
	 * and labelled as a MAC for the rules */
	const char *mac12 = "HAC: 9ECE8CBD3555";
	rep = false;
	CHECK_MSG(found(mac12, PIECES({0, 4, "HAC:"}, {5, 17, "SECEBCBD3555"}), MAGI_PII_MAC, &rep, NULL, NULL) >= 1,
		  "twelve hex glyphs after \"HAC:\"");
	CHECK(rep);

	/* "Listening on" before an address split in pieces (731's screen 0), and Windows'
	 * dashed MAC alone with a letter misread (731's screen 14) */
	const char *listen = "Listening on fe80::0:0:5e42:8a4e%wlan0";
	CHECK_MSG(found(listen, PIECES({0, 9, "Listening"}, {10, 12, "on"}, {13, 17, "fes0"}, {22, 27, "15e42"},
				   {27, 38, ":8ade%wland"}),
			MAGI_PII_IPV6, NULL, NULL, NULL) >= 1,
		  "IPv6 address after \"Listening on\"");
	const char *dashed = "1E-44-2C-AA-C7-BD";
	CHECK_MSG(found(dashed, PIECES({0, 17, "1E-44-2C-AR-C7-BD"}), MAGI_PII_MAC, NULL, NULL, NULL) >= 1,
		  "dashed MAC read \"1E-44-2C-AR-C7-BD\"");

	/* prose and other values after the same labels: no hex reading, nothing found */
	const char *postal = "Address: 123, allee des Lilas,";
	CHECK(found(postal, PIECES({0, 8, "Address:"}, {9, 13, "123,"}, {14, 19, "allée"}, {20, 23, "des"},
				   {24, 30, "Lilas,"}),
		    MAGI_PII_IPV6, NULL, NULL, &reads) == 0);
	CHECK_MSG(reads == 0, "postal address read again (%zu crops)", reads);
	const char *prose = "Host: see the notes below";
	CHECK(found(prose, PIECES({0, 5, "Host:"}, {6, 9, "see"}, {10, 13, "the"}, {14, 19, "notes"}, {20, 25, "below"}),
		    MAGI_PII_MAC, NULL, NULL, &reads) == 0);
	CHECK_MSG(reads == 0, "prose read again (%zu crops)", reads);
	const char *link = "Server: http://172.26.44.81:8080/";
	CHECK(found(link, PIECES({0, 7, "Server:"}, {8, 33, "http://172.26.44.81:8080/"}), MAGI_PII_IPV6, NULL, NULL,
		    NULL) == 0);
	CHECK(found(link, PIECES({0, 7, "Server:"}, {8, 33, "http://172.26.44.81:8080/"}), MAGI_PII_MAC, NULL, NULL,
		    NULL) == 0);
	rmdir(dir);
	return check_done();
}
