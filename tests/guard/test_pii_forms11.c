/* test_pii_forms11.c — forms added in issue 16's session 11 (the detection rules, helper
 * guard12), each written from the standard it rests on and OCR's small-type behaviour: an
 * e-mail address whose '@' was read as a glyph with no label before it (RFC 5322's
 * local@domain shape with a known TLD), its cent sign, a long gTLD of the root zone whose
 * dot was read ", " or a space, an unlabelled IPv4 quad with commas that stands alone in
 * its field, and one with ", " separators and a CIDR prefix length; a card number with one
 * of Z, G, T, g for a digit in a group (the issuer's range, length and Luhn after); an
 * IPv6 address with one colon read as a dot or lost to a space (eight groups after); an
 * IBAN whose country code was read as two digits, after an IBAN label. Each is found, says
 * `repaired` and scores at most MAGI_PII_SCORE_REPAIRED; the ordinary text each resembles
 * (words, version strings, dates, sizes, hashes, URLs, host and file names, lists of
 * numbers) is left alone. Text only. */
#include "pii_check.h"
#include "magi/magi.h"

#define REP MAGI_PII_SCORE_REPAIRED

static void test_email_glyph(void)
{
	/* the '@' read as 2, 8, B, G or Q, no label before it */
	pii_found_at_most("jrme698firm.photography", MAGI_PII_EMAIL, "jrme698firm.photography", REP, true);
	pii_found_at_most("Reply to mlopezGweb.de today", MAGI_PII_EMAIL, "mlopezGweb.de", REP, true);
	pii_found_at_most("  sergei.petrov2yandex.ru", MAGI_PII_EMAIL, "sergei.petrov2yandex.ru", REP, true);
	pii_found_at_most("x hana_kimBnaver.com y", MAGI_PII_EMAIL, "hana_kimBnaver.com", REP, true);
	pii_found_at_most("lucia.garciaQgmail.com", MAGI_PII_EMAIL, "lucia.garciaQgmail.com", REP, true);
	/* the long TLD's dot read as ", " too */
	pii_found_at_most("feze2firm, photography", MAGI_PII_EMAIL, "feze2firm, photography", REP, true);
	/* host, file and package names, versions, URLs, hashes: no address */
	HASNT("see www.shop2go.com for it", MAGI_PII_EMAIL);
	HASNT("http://abc2def.com/path", MAGI_PII_EMAIL);
	HASNT("get node2example.com/index.html", MAGI_PII_EMAIL);
	HASNT("mirror ftp2.debian.org", MAGI_PII_EMAIL);
	HASNT("libfoo2bar.so.1 and python3.11", MAGI_PII_EMAIL);
	HASNT("version 1.2.8beta.de", MAGI_PII_EMAIL);
	HASNT("sha256 3a7bd3e2360a3d29eea436fcfb7e44c735d117c4", MAGI_PII_EMAIL);
	HASNT("the file is 2.5GB, dated 2024-03-12", MAGI_PII_EMAIL);
	HASNT("Person2Person.com", MAGI_PII_EMAIL);
	HASNT("x2y.com", MAGI_PII_EMAIL);
	/* the cent sign for the '@' */
	pii_found_at_most("anna.berg\xC2\xA2" "firma.de", MAGI_PII_EMAIL, "anna.berg\xC2\xA2" "firma.de", REP, true);
	HASNT("costs 50\xC2\xA2 a page", MAGI_PII_EMAIL);
	/* the cent or copyright sign with the TLD's dot read ", ", and a long gTLD */
	pii_found_at_most("kimj\xC2\xA9startup, io\tactive", MAGI_PII_EMAIL, "kimj\xC2\xA9startup, io", REP, true);
	pii_found_at_most("sota\xC2\xA2studio.technology", MAGI_PII_EMAIL, "sota\xC2\xA2studio.technology", REP, true);
	HASNT("\xC2\xA9 2024 Acme, Inc.", MAGI_PII_EMAIL);
	/* a glyph for '@' and ", " for the dot: only where the address ends its field */
	pii_found_at_most("elif42Gweb, de\n", MAGI_PII_EMAIL, "elif42Gweb, de", REP, true);
	HASNT("the patternBase, de facto", MAGI_PII_EMAIL);
	HASNT("see patternBase be", MAGI_PII_EMAIL);
}

static void test_email_tld(void)
{
	/* a real '@', the long TLD after ", " or a space, ending its field */
	pii_found_at_most("Email: feze@firm, photography", MAGI_PII_EMAIL, "feze@firm, photography", REP, true);
	pii_found_at_most("ana@studio technology\n", MAGI_PII_EMAIL, "ana@studio technology", REP, true);
	pii_found_at_most("a.b@firm.photography", MAGI_PII_EMAIL, "a.b@firm.photography", 1.0f, false);
	/* no long TLD, or the sentence goes on: not taken */
	HASNT("ping @firm, photography and more", MAGI_PII_EMAIL);
	HASNT("bob@firm, and then", MAGI_PII_EMAIL);
	HASNT("bob@studio technology is good", MAGI_PII_EMAIL);
}

static void test_ipv4(void)
{
	/* every dot a comma, one octet of three digits, alone in its field */
	pii_found_at_most("78,1,51,198", MAGI_PII_IPV4, "78,1,51,198", REP, true);
	pii_found_at_most("Origin:\t78,1,51,198\n", MAGI_PII_IPV4, "78,1,51,198", REP, true);
	HASNT("values 78,1,51,198 and more", MAGI_PII_IPV4);
	HASNT("1,2,3,4", MAGI_PII_IPV4);
	HASNT("delays 12,5,30,100 ms", MAGI_PII_IPV4);
	HASNT("1,200,250,100", MAGI_PII_IPV4);
	HASNT("signals 1,2,15,255 here", MAGI_PII_IPV4);
	/* ", " separators with a CIDR prefix length */
	pii_found_at_most("10, 54, 227, 139/27", MAGI_PII_IPV4, "10, 54, 227, 139/27", REP, true);
	HASNT("pages 10, 54, 227, 139 of it", MAGI_PII_IPV4);
	HASNT("10, 20, 30, 40/50", MAGI_PII_IPV4);
}

static void test_card(void)
{
	/* one of Z G T g for 2 6 7 9 in a group: the issuer's range, length and Luhn after */
	pii_found_at_most("27Z0 3419 2541 2242", MAGI_PII_CARD, "27Z0 3419 2541 2242", REP, true);
	pii_found_at_most("Card: 3528 G291 3702 8588", MAGI_PII_CARD, "3528 G291 3702 8588", REP, true);
	pii_found_at_most("6011 7835 33T4 0689", MAGI_PII_CARD, "6011 7835 33T4 0689", REP, true);
	pii_found_at_most("5591 417T 7631 7067", MAGI_PII_CARD, "5591 417T 7631 7067", REP, true);
	/* as read it stays a full-confidence card */
	pii_found_at_most("4111 1111 1111 1111", MAGI_PII_CARD, "4111 1111 1111 1111", 1.0f, false);
	/* Luhn failing after the repair, two look-alikes in a group, words and hex */
	HASNT("27Z0 3419 2541 2243", MAGI_PII_CARD);
	HASNT("27ZZ 3419 2541 2242", MAGI_PII_CARD);
	HASNT("TOTAL 3419 2541 2242", MAGI_PII_CARD);
	HASNT("G291 G291 G291 G291", MAGI_PII_CARD);
	HASNT("3a7b d3e2 360a 3d29 eea4", MAGI_PII_CARD);
	HASNT("on 2024-03-12 at 12:30 GMT", MAGI_PII_CARD);
}

static void test_ipv6(void)
{
	/* one colon read as a dot or lost to a space, eight groups after */
	pii_found_at_most("inet6 d81f:ede:7181:e032:fddb:7756:b0ff.7634", MAGI_PII_IPV6,
			  "d81f:ede:7181:e032:fddb:7756:b0ff.7634", REP, true);
	pii_found_at_most("IPv6: c958:bdb5 fab9:f24:f04a:1643:9df7:c985", MAGI_PII_IPV6,
			  "c958:bdb5 fab9:f24:f04a:1643:9df7:c985", REP, true);
	pii_found_at_most("2001 db8:16a1:5a82:4b9d:9230:f035:160b", MAGI_PII_IPV6,
			  "2001 db8:16a1:5a82:4b9d:9230:f035:160b", REP, true);
	pii_found_at_most("2a46:2780:4e60:1d73:f7e cf8e:c3e7:d5a2", MAGI_PII_IPV6,
			  "2a46:2780:4e60:1d73:f7e cf8e:c3e7:d5a2", REP, true);
	/* "::" read ".:" */
	pii_found_at_most("Address\tFE80.:E623:F1CA:C25C:6B7F", MAGI_PII_IPV6, "FE80.:E623:F1CA:C25C:6B7F", REP, true);
	HASNT("x fe80.:1:2:3 and file.:abc", MAGI_PII_IPV6);
	/* times, MACs and versions beside hex words: no address */
	HASNT("at 12:30:45.678 and 10:20:30.5", MAGI_PII_IPV6);
	HASNT("ether aa:bb:cc:dd:ee:ff 1122:3344", MAGI_PII_IPV6);
	HASNT("x aa:bb:cc:dd:ee:ff 1122:3344", MAGI_PII_IPV6);
	HASNT("ab:cd:ef:12 3456:78 face", MAGI_PII_IPV6);
	HASNT("version 1.2.3 build 4:5:6:7 beef", MAGI_PII_IPV6);
	HASNT("d81f:ede:7181:e032:fddb:7756.b0ff.7634", MAGI_PII_IPV6);
	HASNT("the dead:beef cafe:babe", MAGI_PII_IPV6);
}

static void test_iban(void)
{
	/* both country-code letters read as digits (I as 1, S as 8): after an IBAN label, the
	 * registry's length and format, and mod-97 on the repaired reading */
	pii_found_at_most("IBAN: 18139399661787433786042721", MAGI_PII_IBAN, "18139399661787433786042721", REP,
			  true);
	HASNT_BUT_LABEL("IBAN: 18139399661787433786042722", MAGI_PII_IBAN);
	HASNT("order 18139399661787433786042721", MAGI_PII_IBAN);
	pii_found_at_most("Compte : 18139399661787433786042721", MAGI_PII_IBAN, "18139399661787433786042721", REP, true);
}

int main(void)
{
	test_iban();
	test_ipv6();
	test_card();
	test_email_glyph();
	test_email_tld();
	test_ipv4();
	return check_done();
}
