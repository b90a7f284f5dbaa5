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
#include "pii_render.h"
#include "magi/magi.h"
#include "vision/ocr_region.h"

static char dir[] = "/tmp/magi-reread10-XXXXXX";

/* The findings of type t on img read as garbled, with every candidate read. */
static size_t found(const char *text, const char *garbled, int w, enum magi_pii_type t, bool *repaired)
{
	return pii_reread_found(dir, text, garbled, w, t, repaired, NULL, NULL);
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
	struct magi_image *img = pii_render(dir, "fe80::93df:740d:d4e5:7cbb", 260);
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
