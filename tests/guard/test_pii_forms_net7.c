/* test_pii_forms_net7.c — small type's forms of the number, network and e-mail types added
 * in issue 16's session 7 (development sets gen-pii-real 531-533): each is found and, read
 * through a look-alike, says `repaired` and scores at most MAGI_PII_SCORE_REPAIRED; the
 * ordinary text each resembles is left alone. Text only (no OCR): fast. */
#include "pii_check.h"
#include "magi/magi.h"

/* IPv4 with every dot read as a comma, no label: only where no thousands grouping and
 * no list of small numbers reads it. */
static void test_ipv4_commas(void)
{
	pii_found("172,26,198,237", MAGI_PII_IPV4, "172,26,198,237", true);
	pii_found("seen 10,171,199,5 now", MAGI_PII_IPV4, "10,171,199,5", true);
	HASNT("values 12,34,56,78", MAGI_PII_IPV4);
	HASNT("flags 1,0,0,1", MAGI_PII_IPV4);
	HASNT("rows 5,172,26,198,237", MAGI_PII_IPV4);
	HASNT("rows 172,26,198,237,5", MAGI_PII_IPV4);
	HASNT("total 1,200,250,100 bytes", MAGI_PII_IPV4);
	HASNT("multicast 239,255,255,250", MAGI_PII_IPV4);
}

/* Cisco's dotted MAC with every dot read as a comma, no label. */
static void test_mac_commas(void)
{
	pii_found("c622,53bc,34Fb", MAGI_PII_MAC, "c622,53bc,34Fb", true);
	pii_found("8c71, Fc62, bd2F", MAGI_PII_MAC, "8c71, Fc62, bd2F", true);
	HASNT("years 2019,2020,2021", MAGI_PII_MAC);
	HASNT("dead,beef,cafe", MAGI_PII_MAC);
	HASNT("ids 1234,5678,9abc,def0", MAGI_PII_MAC);
	HASNT("ffff,ffff,ffff", MAGI_PII_MAC);
	/* ". " for a dot; one colon read as '2' among colons */
	pii_found("Beac. 4602,799e", MAGI_PII_MAC, "Beac. 4602,799e", true);
	pii_found("\xC2\xA3" "8:87:1a2c6:32:2b", MAGI_PII_MAC, "\xC2\xA3" "8:87:1a2c6:32:2b", true);
	HASNT("at 12:30:1a2c6:32", MAGI_PII_MAC);
	HASNT("ids 18-87-1a2c6-32-2b", MAGI_PII_MAC);
}

/* An IPv6 prefix (CIDR) whose "::" lost a colon or whose group gained a glyph. */
static void test_ipv6_prefix(void)
{
	pii_found("Prefix {082:736:13fd:a773:/64", MAGI_PII_IPV6, "{082:736:13fd:a773:/64", true);
	pii_found("route fce8a:ce82:38ac:9ee::/32", MAGI_PII_IPV6, "fce8a:ce82:38ac:9ee::/32", true);
	pii_found("route fc82:736:13fd:a773::/64", MAGI_PII_IPV6, "fc82:736:13fd:a773::/64", false);
	/* a colon read 't' after a full group, anchored by "::/N" */
	pii_found("fd70:12d4:94F7 teb1d::/32", MAGI_PII_IPV6, "fd70:12d4:94F7 teb1d::/32", true);
	pii_found("fd68:38cf tbeactecc0::/64", MAGI_PII_IPV6, "fd68:38cf tbeactecc0::/64", true);
	HASNT("fd70:12d4:94F7 teb1d and more", MAGI_PII_IPV6);
	HASNT("at 12:30:45:/64", MAGI_PII_IPV6);
	HASNT("see dead:beef:/64", MAGI_PII_IPV6);
	HASNT("ratio ab:cd:ef:/32", MAGI_PII_IPV6); /* no full group */
	HASNT("fce8a:ce82:38ac:9eeff::/32", MAGI_PII_IPV6); /* two groups too long */
	/* a colon doubled with a dot, in the full form with a group a glyph too long */
	pii_found("[2001 : db8 :50b3 :4965 : cb40 :3b1b:.cc4a:23dal :443", MAGI_PII_IPV6,
	      "2001 : db8 :50b3 :4965 : cb40 :3b1b:.cc4a:23dal", true);
	HASNT("a:.b c:.d", MAGI_PII_IPV6);
	/* an IP-literal in a URL (RFC 3986), however garbled, up to its bracket or '/' */
	pii_found("http://(2001:db8:fbb:eb4::a2c81/", MAGI_PII_IPV6, "2001:db8:fbb:eb4::a2c81", true);
	pii_found("http://[fda\xC3\xA9 :1997 :b044 :7\xC2\xB0" "15:4808 :chb :d3c4:d0c4]/", MAGI_PII_IPV6,
	      "fda\xC3\xA9 :1997 :b044 :7\xC2\xB0" "15:4808 :chb :d3c4:d0c4", true);
	pii_found("http://[2001:db8::a2c8]/", MAGI_PII_IPV6, "2001:db8::a2c8", false); /* strict */
	HASNT("http://[::1]:631/", MAGI_PII_IPV6);
	HASNT("ssh://[user@]host.xz[:port]/path", MAGI_PII_IPV6);
	/* no URL (session 10: a first group 2001 or fe80 anchors an address anyway) */
	HASNT("see (3c01:db8:fbb:eb4::a2c81/", MAGI_PII_IPV6);
}

/* SSNs: the label's dots read as commas; a space before a comma of the dotted form. */
static void test_ssn(void)
{
	pii_found("Soc, Sec, No, 761927895", MAGI_PII_SSN, "761927895", false);
	HASNT("Sec, No, 761927895", MAGI_PII_SSN);
	pii_found("302,81 ,0204", MAGI_PII_SSN, "302,81 ,0204", true);
	HASNT("pages 1, 302,81 ,0204", MAGI_PII_SSN);
	/* "SS No." read "§5 No,"; a space after the dotted form's first dot */
	pii_found("\xC2\xA7" "5 No, 491720196", MAGI_PII_SSN, "491720196", false);
	HASNT("page 5 No, 491720196", MAGI_PII_SSN);
	HAS("748. 46.6707", MAGI_PII_SSN, "748. 46.6707");
	HASNT("in 1748. 46.6707", MAGI_PII_SSN);
}

/* An e-mail address in angle brackets whose dots small type read as commas. */
static void test_email(void)
{
	pii_found("<yeketerina, volkov@nail,example,museun>", MAGI_PII_EMAIL,
	      "yeketerina, volkov@nail,example,museun", true);
	pii_found("From: Ana <ana.silva@mail,example,com>", MAGI_PII_EMAIL, "ana.silva@mail,example,com", true);
	HASNT("x <a@b,c>", MAGI_PII_EMAIL);   /* a one-letter TLD */
	HASNT("x <a@b,c2d>", MAGI_PII_EMAIL); /* a TLD with a digit */
	HASNT("see a@b,c,de and", MAGI_PII_EMAIL); /* no brackets */
	/* prose around an '@' */
	HASNT("the price of @ unit in stock", MAGI_PII_EMAIL);
	HAS("mail anna @ example.com", MAGI_PII_EMAIL, "anna @ example.com");
}

/* IBANs: '~' for a dash, two foreign glyphs (¥ for V), a Q read as 0 or O. */
static void test_iban(void)
{
	char iban[40], text[96];
	/* BA: 3!n3!n8!n2!n */
	pii_make_iban("BA", "7154116332605751", iban);
	snprintf(text, sizeof text, "%.4s~%.4s-%.4s-%.4s-%.4s", iban, iban + 4, iban + 8, iban + 12, iban + 16);
	pii_found(text, MAGI_PII_IBAN, text, true); /* a glyph read as a dash: not as printed */
	/* JO: 4!a4!n18!c, both V read as the yen sign */
	pii_make_iban("JO", "BGAX9809V769K38EG4LA43VDL2", iban);
	size_t o = 0;
	for (size_t k = 0; iban[k]; k++) {
		if (k && k % 4 == 0)
			text[o++] = ' ';
		if (iban[k] == 'V')
			text[o++] = '\xC2', text[o++] = '\xA5';
		else
			text[o++] = iban[k];
	}
	text[o] = '\0';
	CHECK(strstr(text, " \xC2\xA5" "769 ") != NULL);
	pii_found(text, MAGI_PII_IBAN, text, true);
	/* IQ: 4!a3!n12!n, the country's Q read as 0 and the bank code's Q as O */
	pii_make_iban("IQ", "DZNQ770034792373406", iban);
	snprintf(text, sizeof text, "I0%.2s DZNO %.4s %.4s %.4s %.3s", iban + 2, iban + 8, iban + 12, iban + 16,
		 iban + 20);
	pii_found(text, MAGI_PII_IBAN, text, true);
	/* the same digits with one changed fail mod-97 however the Q is read: no full-score
	 * finding */
	text[6] = text[6] == '9' ? '8' : '9';
	float score = 0;
	bool rep = false;
	if (pii_find(text, MAGI_PII_IBAN, NULL, 0, NULL, &score, &rep))
		CHECK_MSG(rep && score < MAGI_PII_SCORE_REPAIRED, "\"%s\" score %.2f", text, (double)score);
}

int main(void)
{
	test_ipv4_commas();
	test_mac_commas();
	test_ipv6_prefix();
	test_ssn();
	test_iban();
	test_email();
	return check_done();
}
