/* test_pii_reread11.c — issue 16, session 11: the second readings added for e-mail, card and
 * IBAN lines (src/guard/pii_reread.c). Each case renders a line with ImageMagick, reads it
 * with Tesseract, replaces the page reading's words by what small type made of them on the
 * development screens, and scans it with every candidate read (real Tesseract readings):
 *   - an e-mail address whose '@' was read '2' or '¢', no label: read again with '@' among
 *     the glyphs, found, `repaired`; a word of the same shape that really has a '2' there
 *     is covered as a repaired e-mail by the page rule (guard12, merged after this test was
 *     written: it takes the shape without a second reading);
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
#include "pii_render.h"
#include "magi/magi.h"

static char dir[] = "/tmp/magi-reread11-XXXXXX";

static size_t found(const char *text, const char *garbled, int w, enum magi_pii_type t, bool *repaired,
		    float *score, size_t *reads)
{
	return pii_reread_found(dir, text, garbled, w, t, repaired, score, reads);
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
	/* the same shape with a real '2': since guard12's rule (pii_email.c: a misread '@' in a
	 * lower-case word ending in a known TLD, no label) the page scan takes the shape itself,
	 * before any second reading, as a repaired e-mail: never at full confidence */
	rep = false;
	score = 1;
	CHECK_MSG(found("mei.chen2company.co.uk", "mei.chen2company.co.uk", 260, MAGI_PII_EMAIL, &rep, &score, &reads) ==
			  1,
		  "the shape with a real '2' is covered as a possible e-mail");
	CHECK_MSG(rep && score <= MAGI_PII_SCORE_REPAIRED, "and says it was repaired (score %.2f)", score);
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
