/* test_pii_forms_net8.c — forms of the number, network and e-mail types added in issue 16's
 * session 8, each a general rule rather than one screen's reading: OCR's stray space before
 * a separator (every number and network type at once), ... Each is found, says `repaired`
 * when a glyph was read as another, and scores below full; the ordinary text each
 * resembles is left alone. Text only (no OCR): fast. */
#include "pii_check.h"
#include "magi/magi.h"

/* A space OCR put before a separator, or a dot it doubled: every number and network type
 * reads through it, at a score under full (0.8), the digits as read. */
static void test_respaced(void)
{
	pii_found_at_most("SSN 352.54 .4250", MAGI_PII_SSN, "352.54 .4250", 0.8f, false);
	pii_found_at_most("call 722 .852..4237", MAGI_PII_PHONE, "722 .852..4237", 0.8f, false);
	HAS("card 4111 -1111-1111-1111", MAGI_PII_CARD, "4111 -1111-1111-1111");
	char iban[40], text[80];
	pii_make_iban("EE", "1065456789012345", iban);
	snprintf(text, sizeof text, "%.4s -%.4s-%.4s-%.4s-%.4s", iban, iban + 4, iban + 8, iban + 12, iban + 16);
	pii_found_at_most(text, MAGI_PII_IBAN, text, 0.8f, false);
	pii_found_at_most("mac 3c:22 :fb:1a:9e:04", MAGI_PII_MAC, "3c:22 :fb:1a:9e:04", 0.85f, false);
	HAS("host 10.171 .22.9 up", MAGI_PII_IPV4, "10.171 .22.9");
	/* the same as printed keeps its full score */
	pii_found_at_most("SSN 352.54.4250", MAGI_PII_SSN, "352.54.4250", 1.0f, false);
	/* spaces on both sides are prose or a range; one-sided ones elsewhere change nothing */
	HASNT("pages 352 - 54 - 4250", MAGI_PII_SSN);
	HASNT("see foo .bar and 12 -3", MAGI_PII_PHONE);
	HASNT("version 1.2 .3 and 4.5 .6", MAGI_PII_IPV4);
	HASNT("range 1..10 and 2..20", MAGI_PII_PHONE);
}

/* An IBAN whose country code OCR misread past its look-alikes: the registry's countries
 * sharing a letter with it, the rest exactly as read, mod-97 for exactly one of them. */
static void test_iban_country(void)
{
	pii_found_at_most("IBAN AI61 1904 3002 3457 3201", MAGI_PII_IBAN, "AI61 1904 3002 3457 3201",
		      MAGI_PII_SCORE_REPAIRED, true);
	pii_found_at_most("OE89 3704 0044 0532 0130 00", MAGI_PII_IBAN, "OE89 3704 0044 0532 0130 00",
		      MAGI_PII_SCORE_REPAIRED, true);
	/* as printed it keeps its full score (ME shares DE's length and digits-only format) */
	pii_found_at_most("DE89 3704 0044 0532 0130 00", MAGI_PII_IBAN, "DE89 3704 0044 0532 0130 00", 1.0f, false);
	/* a digit changed as well: no country passes, and no shape rule takes a country that
	 * is none */
	HASNT("AI61 1904 3002 3457 3202", MAGI_PII_IBAN);
	HASNT("ZZ61 1904 3002 3457 3201", MAGI_PII_IBAN);
}

/* The IPv4-mapped IPv6 form whose dots read ", " after small type's "::ffff:". */
static void test_ipv6_mapped_spaced(void)
{
	pii_found_at_most("IPv6 ffPF:203, 0, 113, 214", MAGI_PII_IPV6, "ffPF:203, 0, 113, 214",
		      MAGI_PII_SCORE_REPAIRED, true);
	HASNT("counts 203, 0, 113, 214", MAGI_PII_IPV6);
	HASNT("ff 203, 0, 113, 214", MAGI_PII_IPV6);
}

/* EUI-48's layout with up to two separators read as a glyph. */
static void test_mac_layout(void)
{
	pii_found_at_most("3azfe:d0:61:882e9", MAGI_PII_MAC, "3azfe:d0:61:882e9", MAGI_PII_SCORE_REPAIRED, true);
	pii_found_at_most("00-1a-2b_3c-4d.5e", MAGI_PII_MAC, "00-1a-2b_3c-4d.5e", MAGI_PII_SCORE_REPAIRED, true);
	HASNT("3a2fe2d0:61:882e9", MAGI_PII_MAC);  /* two colons only */
	HASNT("3azfe:d0-61:882e9", MAGI_PII_MAC);  /* mixed marks */
	HASNT("ids 18-87-1a2c6-32-2b", MAGI_PII_MAC); /* a colon's glyph among dashes */
	HASNT("ab:3azfe:d0:61:882e9", MAGI_PII_MAC); /* inside a longer chain */
	HASNT("ffzff:ff:ff:ff2ff", MAGI_PII_MAC);  /* broadcast */
	HASNT("12:30:45 2024 10:11", MAGI_PII_MAC);
}

/* An e-mail address whose '@' read as a registered or copyright sign alone (anywhere), or
 * as '2' after an e-mail label. */
static void test_email_at(void)
{
	pii_found_at_most("jisoo.lee\xC2\xAEshop.com.au", MAGI_PII_EMAIL, "jisoo.lee\xC2\xAEshop.com.au",
		      MAGI_PII_SCORE_REPAIRED, true);
	pii_found_at_most("Email: jisoo.lee.19912shop.com.au", MAGI_PII_EMAIL, "jisoo.lee.19912shop.com.au",
		      MAGI_PII_SCORE_REPAIRED, true);
	HASNT("see ns2.example.com for it", MAGI_PII_EMAIL);
	HASNT("Acme\xC2\xAE Widgets", MAGI_PII_EMAIL);
	HASNT("Acme\xC2\xAE web.local", MAGI_PII_EMAIL);
	/* a TLD read with a digit for a letter (TLDs are letters only) */
	pii_found_at_most("chloe+shop@xn--bcher-kva. p1", MAGI_PII_EMAIL, "chloe+shop@xn--bcher-kva. p1",
		      MAGI_PII_SCORE_REPAIRED, true);
	pii_found_at_most("a.b@example.n1", MAGI_PII_EMAIL, "a.b@example.n1", MAGI_PII_SCORE_REPAIRED, true);
	HASNT("name@host.c0m", MAGI_PII_EMAIL);
	pii_found_at_most("jo@foo.com", MAGI_PII_EMAIL, "jo@foo.com", 1.0f, false);
	HASNT("x@host.1.2", MAGI_PII_EMAIL);
	HASNT("mail jo@foo.10", MAGI_PII_EMAIL);
	/* a domain's dot read as a comma with a stray space before it */
	pii_found_at_most("edemir@studio ,technology", MAGI_PII_EMAIL, "edemir@studio ,technology",
		      MAGI_PII_SCORE_REPAIRED, true);
	HASNT("see a@b ,c", MAGI_PII_EMAIL);
}

/* An SSN's dotted form with one dot read as a comma; "SS No." with its S read as 8. */
static void test_ssn_mixed(void)
{
	pii_found_at_most("88 No.: 041.77,7561.", MAGI_PII_SSN, "041.77,7561", MAGI_PII_SCORE_REPAIRED, true);
	pii_found_at_most("041,77.7561", MAGI_PII_SSN, "041,77.7561", MAGI_PII_SCORE_REPAIRED, true);
	HASNT("values 041.77,7561, 9", MAGI_PII_SSN);
	HASNT("price 1.234,5678", MAGI_PII_SSN);
	HASNT("041.77,7561.2", MAGI_PII_SSN);
}

/* An IBAN whose country code read as two digits in one block: only where the BBAN's
 * letters stand as letters. */
static void test_iban_digit_country(void)
{
	pii_found_at_most("IBAN: 10731XBX060704162851898,", MAGI_PII_IBAN, "10731XBX060704162851898",
		      MAGI_PII_SCORE_REPAIRED, true);
	HASNT("10731XBX060704162851899", MAGI_PII_IBAN);
	HASNT("10731001060704162851898", MAGI_PII_IBAN);
	HASNT("5016197180745621833", MAGI_PII_IBAN);
}

/* An IP literal in a URL whose '[' OCR read as a letter; an IPv6 prefix after an address
 * label is an IP address, not a street. */
static void test_ipv6_url_and_label(void)
{
	pii_found_at_most("http://LFe80: :1b89;b309;834e:8d471/", MAGI_PII_IPV6, "LFe80: :1b89;b309;834e:8d471",
		      MAGI_PII_SCORE_REPAIRED, true);
	pii_found_at_most("http: //Lfd5b :38dc : 7174 : Sf 9F : 6ba2 : 2ed4 : f3b3 :356d1/", MAGI_PII_IPV6,
		      "Lfd5b :38dc : 7174 : Sf 9F : 6ba2 : 2ed4 : f3b3 :356d1", MAGI_PII_SCORE_REPAIRED, true);
	HASNT("see http://example.com:8080/path", MAGI_PII_IPV6);
	HASNT("see http: //example.com:8080/path", MAGI_PII_IPV6);
	HASNT("http://deadbeef:cafe@host/", MAGI_PII_IPV6);
	pii_found_at_most("Address: fcbf:a51c:a8a6:bc8a:/32", MAGI_PII_IPV6, "fcbf:a51c:a8a6:bc8a:/32",
		      MAGI_PII_SCORE_REPAIRED, true);
	HAS("Address: 12 Main Street, Springfield, IL 62704", MAGI_PII_ADDRESS,
	    "12 Main Street, Springfield, IL 62704");
}

/* A dotted quad mixing dots and commas, no label: lists of numbers never mix them. */
static void test_ipv4_mixed(void)
{
	pii_found_at_most("192, 168, 97. 84", MAGI_PII_IPV4, "192, 168, 97. 84", MAGI_PII_SCORE_REPAIRED, true);
	pii_found_at_most("from 203,0.113,214", MAGI_PII_IPV4, "203,0.113,214", MAGI_PII_SCORE_REPAIRED, true);
	HASNT("from 10.171, 122, 132", MAGI_PII_IPV4); /* thousands, or a list */
	HASNT("sizes 12.5, 100, 200", MAGI_PII_IPV4);
	HASNT("values 1.5, 2.5, 100.25", MAGI_PII_IPV4);
	HASNT("1,234.56 and 2, 3. 4, 5", MAGI_PII_IPV4);
	HASNT("rows 5, 192, 168, 97. 84", MAGI_PII_IPV4);
	HASNT("10,171.122,132", MAGI_PII_IPV4);
}

int main(void)
{
	test_ipv4_mixed();
	test_ssn_mixed();
	test_iban_digit_country();
	test_ipv6_url_and_label();
	test_email_at();
	test_respaced();
	test_iban_country();
	test_ipv6_mapped_spaced();
	test_mac_layout();
	return check_done();
}
