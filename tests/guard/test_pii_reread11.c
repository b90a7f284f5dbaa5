/* test_pii_reread11.c — issue 16, session 11: the second readings added for e-mail, card and
 * IBAN lines (src/guard/pii_reread.c). Each case renders a line with ImageMagick, reads it
 * with Tesseract, replaces the page reading's words by what small type made of them on the
 * development screens, and scans it with every candidate read (real Tesseract readings):
 *   - an e-mail address whose '@' was read '2' or '¢', no label: read again with '@' among
 *     the glyphs, found, `repaired`; a word of the same shape that really has a '2' there
 *     is no address (the reading decides, not the shape);
 *   - a line opening with "to" in prose gets no e-mail reading (it took 39 units of the
 *     budget on a PII-free screen), and "To:" with an address does;
 *   - a card whose groups small type read with look-alikes ("B3s3 7096 5061 s416") is read
 *     digits only and found when IIN and Luhn pass on the reading, `repaired` (score <=
 *     MAGI_PII_SCORE_REPAIRED); a Luhn-invalid number of the same shape is not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pii_check.h"
#include "magi/magi.h"

static char dir[] = "/tmp/magi-reread11-XXXXXX";

/* Renders text on a dark band (12 pt DejaVu Sans Mono, as a terminal's small type). */
static struct magi_image *render(const char *text, int w)
{
	char png[128], cmd[512];
	snprintf(png, sizeof png, "%s/line.png", dir);
	snprintf(cmd, sizeof cmd,
		 "convert -size %dx40 xc:'#101010' -font DejaVu-Sans-Mono -pointsize 12 -fill '#d0d0d0' "
		 "-draw \"text 10,24 '%s'\" %s",
		 w, text, png);
	if (system(cmd) != 0)
		return NULL;
	struct magi_image *img = NULL;
	struct magi_error err;
	magi_status s = magi_image_load(png, &img, &err);
	unlink(png);
	return s ? NULL : img;
}

/* The page reading of img with its words' texts replaced by garbled (split at spaces, as
 * many words as the reading has), all on one line; NULL when the counts differ. */
static struct magi_ocr *garble(const struct magi_image *img, const char *garbled)
{
	struct magi_ocr *o = NULL;
	struct magi_error err;
	if (magi_ocr_run(img, NULL, 0, &o, &err))
		return NULL;
	char *copy = strdup(garbled), *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save), n++) {
		if (n >= o->n_words)
			break;
		free(o->words[n].text);
		o->words[n].text = strdup(t);
		o->words[n].line = 0;
		o->words[n].conf = 80;
	}
	free(copy);
	if (n != o->n_words || !o->n_lines) {
		fprintf(stderr, "page reading has %zu words for \"%s\"\n", o->n_words, garbled);
		magi_ocr_free(o);
		return NULL;
	}
	/* one line: the words' union, the garbled text */
	struct magi_ocr_line *l = &o->lines[0];
	int x1 = l->x + l->w, y1 = l->y + l->h;
	for (size_t i = 0; i < o->n_words; i++) {
		const struct magi_ocr_word *w = &o->words[i];
		l->x = l->x < w->x ? l->x : w->x;
		l->y = l->y < w->y ? l->y : w->y;
		x1 = x1 > w->x + w->w ? x1 : w->x + w->w;
		y1 = y1 > w->y + w->h ? y1 : w->y + w->h;
	}
	l->w = x1 - l->x;
	l->h = y1 - l->y;
	l->conf = 80;
	free(l->text);
	l->text = strdup(garbled);
	for (size_t i = 1; i < o->n_lines; i++) {
		free(o->lines[i].text);
		o->lines[i].text = NULL;
	}
	o->n_lines = 1;
	return o;
}

/* Scans text rendered and read as garbled with every candidate read; the count of
 * findings of type t (the last one's repaired flag and score), and the crops read. */
static size_t found(const char *text, const char *garbled, int w, enum magi_pii_type t, bool *repaired,
		    float *score, size_t *reads)
{
	struct magi_image *img = render(text, w);
	REQUIRE(img);
	struct magi_ocr *o = garble(img, garbled);
	if (!o) {
		magi_image_free(img);
		SKIP("the page reading split \"%s\" otherwise", text);
	}
	struct magi_pii_cache *cache = NULL;
	REQUIRE(magi_pii_cache_new(&cache) == MAGI_OK);
	struct magi_pii_params q = magi_pii_params_default();
	q.reread_budget = -1;
	q.reread_cache = cache;
	struct magi_pii_finding *f = NULL;
	size_t n = 0, k = 0;
	REQUIRE(magi_pii_scan_image(img, o, &q, &f, &n) == MAGI_OK);
	for (size_t i = 0; i < n; i++)
		if (f[i].type == t) {
			k++;
			if (repaired)
				*repaired = f[i].repaired;
			if (score)
				*score = f[i].score;
		}
	size_t hits = 0, rd = 0;
	magi_pii_cache_stats(cache, &hits, &rd);
	if (reads)
		*reads = rd;
	magi_pii_findings_free(f, n);
	magi_pii_cache_free(cache);
	magi_ocr_free(o);
	magi_image_free(img);
	return k;
}

int main(void)
{
	if (system("command -v convert >/dev/null 2>&1") != 0)
		SKIP("ImageMagick is missing");
	REQUIRE(mkdtemp(dir));
	bool rep = false;
	float score = 1;
	size_t reads = 0;

	/* e-mail: the '@' read as a digit or a cent sign, no label; found by the reading */
	CHECK_MSG(found("mei.chen@company.co.uk", "mei.chen2company.co.uk", 260, MAGI_PII_EMAIL, &rep, &score,
			NULL) == 1,
		  "e-mail with '@' read '2'");
	CHECK(rep && score <= MAGI_PII_SCORE_REPAIRED);
	CHECK_MSG(found("zhuang@firm.de", "zhuang\u00a2firm.de", 200, MAGI_PII_EMAIL, NULL, NULL, NULL) == 1,
		  "e-mail with '@' read as a cent sign");
	/* the same shape with a real '2': read again, no address */
	CHECK_MSG(found("mei.chen2company.co.uk", "mei.chen2company.co.uk", 260, MAGI_PII_EMAIL, NULL, NULL, &reads) ==
			  0,
		  "a '2' is no '@'");
	CHECK_MSG(reads >= 1, "the shape was read again (%zu)", reads);
	/* prose opening with "to": no e-mail reading; a "To:" label before an address: one */
	CHECK(found("to build a tags file.", "to build a tags file.", 260, MAGI_PII_EMAIL, NULL, NULL, &reads) == 0);
	CHECK_MSG(reads == 0, "prose read again (%zu)", reads);
	CHECK_MSG(found("To: layla@orange.fr", "To: layladorange, fr", 240, MAGI_PII_EMAIL, NULL, NULL, NULL) >= 1,
		  "e-mail after To:");

	/* a card's groups read with look-alikes: the digit reading finds it, repaired */
	rep = false;
	score = 1;
	CHECK_MSG(found("6383 7096 5061 8416", "B3s3 7096 5061 s416", 240, MAGI_PII_CARD, &rep, &score, NULL) == 1,
		  "card read with look-alikes");
	CHECK(rep && score <= MAGI_PII_SCORE_REPAIRED);
	/* the same shape failing Luhn: no card, whatever the reading */
	CHECK(found("6383 7096 5061 8417", "B3s3 7096 5061 s417", 240, MAGI_PII_CARD, NULL, NULL, NULL) == 0);
	rmdir(dir);
	return check_done();
}
