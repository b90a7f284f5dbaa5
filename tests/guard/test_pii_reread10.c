/* test_pii_reread10.c — issue 16, session 10: the second OCR model and the readings it
 * serves. magi's own model (MAGI__OCR_BEST) is looked for in $MAGI_OCR_DATA; this test
 * points that at a directory of its own, first empty (no model: every reading stays on
 * Tesseract's "eng"), then holding Debian's eng under the model's name, so it runs the same
 * whether scripts/install-deps fetched the real model or not (the model is used only with
 * MAGI_PII_REREAD_MODEL=best). Then, on rendered lines whose
 * page reading is replaced by what small type made of them: a MAC label's twelve hex glyphs
 * ("ether DOO3FO22COFL") are read again with hex glyphs and found, and not without the label;
 * an IBAN whose capitals the page reading lost ("$A96 ...") is read again with capitals and
 * digits and found; an e-mail line under a misread label ("Enail:") gets its e-mail reading;
 * an IPv4-mapped address whose "::ffff" was garbled ("rtPPPF:") gets the hex reading. Each scan runs with the model and with MAGI_PII_REREAD_MODEL=fast. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pii_check.h"
#include "magi/magi.h"
#include "vision/ocr_region.h"

static char dir[] = "/tmp/magi-reread10-XXXXXX";

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

/* The findings of type t on img read as garbled, with every candidate read. */
static size_t found(const char *text, const char *garbled, int w, enum magi_pii_type t, bool *repaired)
{
	struct magi_image *img = render(text, w);
	REQUIRE(img);
	struct magi_ocr *o = garble(img, garbled);
	if (!o) {
		magi_image_free(img);
		SKIP("the page reading split \"%s\" otherwise", text);
	}
	struct magi_pii_params q = magi_pii_params_default();
	q.reread_budget = -1;
	struct magi_pii_finding *f = NULL;
	size_t n = 0, k = 0;
	REQUIRE(magi_pii_scan_image(img, o, &q, &f, &n) == MAGI_OK);
	for (size_t i = 0; i < n; i++)
		if (f[i].type == t) {
			k++;
			if (repaired)
				*repaired = f[i].repaired;
		}
	magi_pii_findings_free(f, n);
	magi_ocr_free(o);
	magi_image_free(img);
	return k;
}

static void test_readings(const char *model)
{
	bool rep = false;
	/* the page reading left no '0' and no colon: only the hex reading after the label */
	CHECK_MSG(found("ether D003F022C0F1", "ether DOO3FO22COFL", 220, MAGI_PII_MAC, &rep) == 1,
		  "MAC after ether (%s)", model);
	CHECK(rep);
	/* the label on a line of its own left of it (a form) */
	CHECK_MSG(found("Hardware address:  4421CB605B01", "Harduare address: 44210B605601,", 320, MAGI_PII_MAC,
			NULL) == 1,
		  "MAC after a row's label (%s)", model);
	/* no MAC label: twelve glyphs of a build or a container are no address */
	CHECK_MSG(found("build D003F022C0F1", "build DOO3FO22COFL", 220, MAGI_PII_MAC, NULL) == 0, "%s", model);
	/* an e-mail label with a letter misread and the '@' read as a letter: the e-mail
	 * reading still takes the line ("Enail:"), and not a word one letter from nothing */
	CHECK_MSG(found("Email: layla4@orange.fr", "Enail: layladorange. fr", 240, MAGI_PII_EMAIL, NULL) == 1,
		  "e-mail (%s)", model);
	/* an IPv4-mapped address whose "::ffff" the page reading garbled: the IPv4 inside is
	 * found as read, the IPv6 address by the hex reading */
	CHECK_MSG(found("inet6 ::ffff:152.116.188.92", "inet6 rtPPPF:152.116.188.92", 260, MAGI_PII_IPV6, NULL) == 1,
		  "mapped (%s)", model);
	/* (the IPv4 inside is no finding of its own since guard10's mapped-form rule takes
	 * "rtPPPF:152..." whole as IPv6 at the page reading: the IPv6 finding covers it) */
	/* an IBAN whose first capital the page reading made '$' */
	rep = false;
	CHECK_MSG(found("SA96 83Z0 N7CB P691 5VPI G49B", "$A96 83Z0 N7CB P691 SYPI G49B", 300, MAGI_PII_IBAN, &rep) ==
			  1,
		  "IBAN (%s)", model);
	CHECK(rep);
}

int main(void)
{
	if (system("command -v convert >/dev/null 2>&1") != 0)
		SKIP("ImageMagick is missing");
	REQUIRE(mkdtemp(dir));
	setenv("MAGI_OCR_DATA", dir, 1);
	/* no model in the directory: not found, and a reading asked of it fails cleanly */
	CHECK(!magi__ocr_model_found(MAGI__OCR_BEST));
	struct magi_image *img = render("fe80::93df:740d:d4e5:7cbb", 260);
	REQUIRE(img);
	struct magi_error err;
	char *text = NULL;
	magi_status s = magi__ocr_read_line_charset(img, MAGI__OCR_BEST, "0123456789abcdef:", &text, NULL, &err);
	if (s == MAGI_ERR_UNSUPPORTED)
		SKIP("%s", magi_error_text(&err));
	CHECK(s == MAGI_ERR_NOT_FOUND);
	free(text);
	text = NULL;
	/* Debian's eng under the model's name: found, loaded from the directory, reads */
	static const char *const tess[] = {"/usr/share/tesseract-ocr/5/tessdata/eng.traineddata",
					   "/usr/share/tesseract-ocr/4.00/tessdata/eng.traineddata", NULL};
	const char *eng = NULL;
	for (int i = 0; tess[i] && !eng; i++)
		eng = access(tess[i], R_OK) == 0 ? tess[i] : NULL;
	if (!eng)
		SKIP("Debian's eng traineddata not found");
	char link[128];
	snprintf(link, sizeof link, "%s/%s.traineddata", dir, MAGI__OCR_BEST);
	REQUIRE(symlink(eng, link) == 0);
	CHECK(magi__ocr_model_found(MAGI__OCR_BEST));
	struct magi_image *big = NULL;
	REQUIRE(magi_image_resize(img, img->w * 3, img->h * 3, &big) == MAGI_OK);
	s = magi__ocr_read_line_charset(big, MAGI__OCR_BEST, "0123456789abcdef:", &text, NULL, &err);
	CHECK_MSG(s == MAGI_OK && text && strstr(text, "93df"), "read \"%s\"", text ? text : "");
	free(text);
	magi_image_free(big);
	magi_image_free(img);
	/* the readings, with the model (asked for: it is off by default) and with eng alone */
	setenv("MAGI_PII_REREAD_MODEL", "best", 1);
	test_readings(MAGI__OCR_BEST);
	setenv("MAGI_PII_REREAD_MODEL", "fast", 1);
	test_readings("fast");
	unlink(link);
	rmdir(dir);
	return check_done();
}
