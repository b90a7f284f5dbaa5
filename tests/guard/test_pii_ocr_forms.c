/* test_pii_ocr_forms.c — the forms small type takes when Tesseract reads it (issue 16,
 * session 4): each is found, those read through look-alikes say `repaired` and score at
 * most MAGI_PII_SCORE_REPAIRED, and the ordinary text they resemble is left alone. Then
 * the constrained second reading (hex glyphs only) on a rendered line of small type. */
#include <stdlib.h>
#include <unistd.h>
#include "pii_check.h"
#include "magi/magi.h"
#include "vision/ocr_region.h"

/* The first finding of type t in text must be repaired and score at most the cap. */
static void repaired(const char *text, enum magi_pii_type t, const char *expect)
{
	pii_found(text, t, expect, true);
}

static void test_mac(void)
{
	/* after a MAC label: a group lost, a tab where OCR cut the line, a block of 12 */
	repaired("link/ether a0:\tac:60:0f :5b", MAGI_PII_MAC, "a0:\tac:60:0f :5b");
	repaired("Hardware address: 18:7;\t6:D4:01:57", MAGI_PII_MAC, "18:7;\t6:D4:01:57");
	repaired("HWaddr 2200 ,047d effa", MAGI_PII_MAC, "2200 ,047d effa");
	repaired("ether SAQASA3FF14F", MAGI_PII_MAC, "SAQASA3FF14F");
	/* look-alikes without a label: G for 6, # and ° for f */
	repaired("AG:06 :A7:34:CB:29", MAGI_PII_MAC, "AG:06 :A7:34:CB:29");
	repaired("#8:a2:f6:5\xC2\xA2:86:7a", MAGI_PII_MAC, "#8:a2:f6:5\xC2\xA2:86:7a");
	/* spaces alone are no repair */
	char got[64];
	float score = 0;
	bool rep = true;
	CHECK(pii_find("BA: 28:11:9c:0d:3e", MAGI_PII_MAC, got, sizeof got, NULL, &score, &rep) && !rep &&
	      score > MAGI_PII_SCORE_REPAIRED);
	/* without a label, five groups or a block are nothing; times and versions neither */
	/* session 6: the unreadable glyph of a block right after its first, HWaddr read HHaddr */
	repaired("HHaddr 4R0F277576F7", MAGI_PII_MAC, "4R0F277576F7");
	HASNT_BUT_LABEL("HWaddr 4RXF277576F7", MAGI_PII_MAC);
	HASNT("a0: ac:60:0f :5b", MAGI_PII_MAC);
	HASNT("build 2200 ,047d effa", MAGI_PII_MAC);
	HASNT("started 12:30:45, ended 13:01:02", MAGI_PII_MAC);
	HASNT("MAC 2019, 2020, 2021 and 2022", MAGI_PII_MAC);
}

static void test_ipv6(void)
{
	/* the IPv4-mapped form's "::ffff:" garbled, after a label's colon too */
	repaired("IPv6: rif FFF210.198.220.127", MAGI_PII_IPV6, "rif FFF210.198.220.127");
	repaired("Host: FPPF 1192.168.216.102", MAGI_PII_IPV6, "FPPF 1192.168.216.102");
	repaired("ineté riPfPf :101.27.218.3", MAGI_PII_IPV6, "riPfPf :101.27.218.3");
	repaired("rrPPPF:10,144,176,165", MAGI_PII_IPV6, "rrPPPF:10,144,176,165");
	/* "::" read ": :", and a prefix ending in it */
	HAS("Link-local: 311c:2b40:8a34:a071: :/56", MAGI_PII_IPV6, "311c:2b40:8a34:a071: :/56");
	repaired("Link-local: 311\xC2\xA2:2b40:8a34:a071: :/56", MAGI_PII_IPV6,
		 "311\xC2\xA2:2b40:8a34:a071: :/56");
	HAS("[Fe80: :ca33:d8de:0:f289]:22", MAGI_PII_IPV6, "Fe80: :ca33:d8de:0:f289");
	/* a colon read as a fifth glyph of a full group ('2', 'z', '1') */
	repaired("fdcc:7ea32624b:4e0c:2c0f :3c93zed24zcc7", MAGI_PII_IPV6,
		 "fdcc:7ea32624b:4e0c:2c0f :3c93zed24zcc7");
	/* session 6: '3' for the colon; a comma among the mapped form's dots */
	repaired("Feae:9575385ad:855b:436:9ce1:0:75c6", MAGI_PII_IPV6, "Feae:9575385ad:855b:436:9ce1:0:75c6");
	repaired("::fffF:10.70,36.223,", MAGI_PII_IPV6, "fffF:10.70,36.223");
	HASNT("2019:2020 12345:6789", MAGI_PII_IPV6);
	/* an address after f-words of prose is an IPv4 address, not a mapped one */
	HASNT("staff 10.1.2.3", MAGI_PII_IPV6);
	HAS("staff 10.1.2.3", MAGI_PII_IPV4, "10.1.2.3");
	HASNT("tiff 192.168.1.20", MAGI_PII_IPV6);
}

static void test_ipv4(void)
{
	HAS("inet 10,171,122,132", MAGI_PII_IPV4, "10,171,122,132");
	HAS("From 198,181,253,24:8443", MAGI_PII_IPV4, "198,181,253,24");
	HAS("10,54,143,93/9", MAGI_PII_IPV4, "10,54,143,93/9");
	/* session 6: a space before a comma, ". " with a port glued */
	HAS("from 192,168,177 ,119:80", MAGI_PII_IPV4, "192,168,177 ,119");
	HAS("see 192. 168.44. 172:8443", MAGI_PII_IPV4, "192. 168.44. 172");
	HASNT("see 192. 168.44. 172 and more", MAGI_PII_IPV4);
	/* a number with thousands groups, and a list, without a label or a port */
	HASNT("total 1,200,250,100 bytes", MAGI_PII_IPV4);
	HASNT("sizes 10, 20, 30, 40", MAGI_PII_IPV4);
}

static void test_ssn_iban(void)
{
	repaired("275, 48, 1573", MAGI_PII_SSN, "275, 48, 1573");
	repaired("Social Security Number: O31 91 2171", MAGI_PII_SSN, "O31 91 2171");
	HAS("Soclal Security Number: 786208924", MAGI_PII_SSN, "786208924");
	/* a list of numbers is no SSN */
	repaired("012,81,2217", MAGI_PII_SSN, "012,81,2217");
	HASNT("pages 1, 275, 48, 1573, 9", MAGI_PII_SSN);
	HASNT("pages 1,275,48,1573,9", MAGI_PII_SSN);
	HASNT("total 120,810,221 bytes", MAGI_PII_SSN);
	HASNT("Open 03 22 1999", MAGI_PII_SSN);
	/* country codes read as look-alikes pass mod-97 only so: repaired */
	char iban[40], text[80];
	pii_make_iban("CZ", "08000000192000145399", iban);
	snprintf(text, sizeof text, "Account: C2%s", iban + 2);
	repaired(text, MAGI_PII_IBAN, text + 9);
	pii_make_iban("VA", "001123000012345678", iban);
	snprintf(text, sizeof text, "IBAN Y%s", iban + 1);
	repaired(text, MAGI_PII_IBAN, text + 5);
}

static void test_email(void)
{
	/* session 6: a Punycode TLD whose dashes small type read as em dashes */
	HAS("anne_noreau@xn\xE2\x80\x94\xE2\x80\x94" "elafinkfd.xn\xE2\x80\x94-plai,", MAGI_PII_EMAIL,
	    "anne_noreau@xn\xE2\x80\x94\xE2\x80\x94" "elafinkfd.xn\xE2\x80\x94-plai");
	HASNT("see notes@xn\xE2\x80\x94", MAGI_PII_EMAIL);
}

static void test_names(void)
{
	HAS("Full namez Chinedu Eze", MAGI_PII_PERSON, "Chinedu Eze");
	HAS("Nane: Lorenzo Ferrari", MAGI_PII_PERSON, "Lorenzo Ferrari");
	HAS("Nowbre: Mehnet Demir\xE2\x80\x99", MAGI_PII_PERSON, "Mehnet Demir");
	HAS("Hi Dr. Carmen Rodriguez.\nthank you", MAGI_PII_PERSON, "Carmen Rodriguez");
	HAS("Hi Hr, Sofia Hartinez,", MAGI_PII_PERSON, "Sofia Hartinez");
	/* a sentence after a salutation word is no name */
	HASNT("Hi There. The build is done.", MAGI_PII_PERSON);
	HASNT("Nane Lorenzo went home", MAGI_PII_PERSON);
}

/* The constrained reading returns only the glyphs it was given, and reads small hex. */
static void test_constrained_reading(void)
{
	char dir[] = "/tmp/magi-pii-forms-XXXXXX";
	REQUIRE(mkdtemp(dir));
	char png[128], cmd[512];
	snprintf(png, sizeof png, "%s/line.png", dir);
	snprintf(cmd, sizeof cmd,
		 "convert -size 230x18 xc:'#101010' -font DejaVu-Sans-Mono -pointsize 12 -fill '#d0d0d0' "
		 "-draw \"text 4,13 'fe80::93df:740d:d4e5:7cbb'\" %s",
		 png);
	REQUIRE(system(cmd) == 0);
	struct magi_image *small = NULL, *img = NULL;
	struct magi_error err;
	REQUIRE(magi_image_load(png, &small, &err) == MAGI_OK);
	/* enlarged 3x, as the guard does with small type */
	REQUIRE(magi_image_resize(small, small->w * 3, small->h * 3, &img) == MAGI_OK);
	magi_image_free(small);
	static const char hex[] = "0123456789abcdefABCDEF:.-[]%/";
	char *text = NULL;
	magi_status s = magi__ocr_read_line_charset(img, NULL, hex, &text, NULL, &err);
	if (s == MAGI_ERR_UNSUPPORTED || s == MAGI_ERR_NOT_FOUND)
		SKIP("%s", magi_error_text(&err));
	{
		CHECK(s == MAGI_OK && text);
		for (const char *p = text; p && *p; p++)
			CHECK_MSG(*p == ' ' || strchr(hex, *p), "'%c' outside the charset in \"%s\"", *p, text);
		CHECK_MSG(text && strstr(text, "93df"), "read \"%s\"", text ? text : "");
		/* the pool's engine reads unconstrained text afterwards */
		struct magi_ocr *o = NULL;
		CHECK(magi_ocr_run_line(img, NULL, 0, &o, &err) == MAGI_OK);
		magi_ocr_free(o);
	}
	free(text);
	CHECK(magi__ocr_read_line_charset(img, NULL, "", &text, NULL, NULL) == MAGI_ERR_INVALID);
	magi_image_free(img);
	unlink(png);
	rmdir(dir);
}

int main(void)
{
	if (system("command -v convert >/dev/null 2>&1") != 0)
		SKIP("ImageMagick is missing");
	test_mac();
	test_ipv6();
	test_ipv4();
	test_ssn_iban();
	test_email();
	test_names();
	test_constrained_reading();
	return check_done();
}
