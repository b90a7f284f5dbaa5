/* test_pii_forms10.c — forms added in issue 16's session 10 (the detection rules), each a
 * general rule written from a miss of the development screens (seeds 621, 622, 641) or
 * from session 7's notes: a URL's IPv4 host whatever OCR made of its scheme, a dash for a
 * dot and a lost port colon; IPv6 addresses found by their zone id, their brackets and
 * port or their fe80/2001 first group; IBANs after stray glyphs, with look-alike check
 * digits or a space after a dash; MACs after a misread label; e-mail addresses whose '@'
 * OCR made a letter after an e-mail label; a title with a comma opening a sentence. Each
 * is found, says `repaired` where a glyph was read as another and scores at most
 * MAGI_PII_SCORE_REPAIRED; the ordinary text each resembles is left alone. Text only. */
#include "pii_check.h"
#include "magi/magi.h"

#define REP MAGI_PII_SCORE_REPAIRED

static void test_ipv4(void)
{
	/* a URL's host: "//" before it is the label, whatever the scheme reads */
	pii_found_at_most("Betp://172, 25, 225, 228:80/", MAGI_PII_IPV4, "172, 25, 225, 228", REP, true);
	HASNT("counts 172, 25, 225, 228 and 9", MAGI_PII_IPV4);
	/* a labelled address read with commas is repaired now too */
	pii_found_at_most("IP: 10,20,30,40", MAGI_PII_IPV4, "10,20,30,40", REP, true);
	pii_found_at_most("IP: 10.20.30.40", MAGI_PII_IPV4, "10.20.30.40", 1.0f, false);
	/* a dash for one inner dot, with a port or a label */
	pii_found_at_most("server 172.18-141.159:80", MAGI_PII_IPV4, "172.18-141.159", REP, true);
	pii_found_at_most("server 172.18 -141.159:80", MAGI_PII_IPV4, "172.18 -141.159", REP, true);
	HASNT("times 10.12-11.30:00 today", MAGI_PII_IPV4);
	HASNT("pages 172.18-141.159 of the book", MAGI_PII_IPV4);
	/* the port's colon lost, after a label */
	pii_found_at_most("host 172,26,76 ,225222", MAGI_PII_IPV4, "172,26,76 ,225222", REP, true);
	HASNT("see 172.26.76.225222", MAGI_PII_IPV4);
	HASNT("host 172.26.76.2252222222", MAGI_PII_IPV4);
	/* the first octet's first digit misread, with a port or in a URL */
	pii_found_at_most("Host: 472.28.8.140:443", MAGI_PII_IPV4, "472.28.8.140", REP, true);
	pii_found_at_most("http://572.16.0.9/", MAGI_PII_IPV4, "572.16.0.9", REP, true);
	HASNT("version 512.1.2.3", MAGI_PII_IPV4);
	HASNT("see 300.1.2.3 and 999.10.10.10", MAGI_PII_IPV4);
}

static void test_ipv6(void)
{
	/* a zone id */
	pii_found_at_most("FeG07:dd9c:d2al : Feab: Fa16%ethO", MAGI_PII_IPV6, "FeG07:dd9c:d2al : Feab: Fa16%ethO",
		      REP, true);
	HASNT("ratio 10:20:30:4050%2 done", MAGI_PII_IPV6);
	pii_found_at_most("fes0 67e:a83c :dbe0%enp3s0", MAGI_PII_IPV6, "fes0 67e:a83c :dbe0%enp3s0", REP, true);
	HASNT("at 10:30:45%done", MAGI_PII_IPV6);
	pii_found_at_most("fe80 cf8:d860:32fe:526aswlanOd", MAGI_PII_IPV6, "fe80 cf8:d860:32fe:526aswlanOd", REP, true);
	HASNT("deadbeef:cafe:face:feedsmith", MAGI_PII_IPV6);
	/* brackets and a port, the closing bracket read ')' */
	pii_found_at_most("IPv6: [feso: c94a:3981:dd55:82f9) :53", MAGI_PII_IPV6, "feso: c94a:3981:dd55:82f9", REP,
		      true);
	HASNT("at [10:20:30:40]:80 ok", MAGI_PII_IPV6);
	HASNT("log [12:30:45:678]:1234", MAGI_PII_IPV6);
	/* the link-local and global unicast first groups */
	pii_found_at_most("Listening on fe80:19590:2590:5718:b9cc", MAGI_PII_IPV6, "fe80:19590:2590:5718:b9cc", REP,
		      true);
	pii_found_at_most("Address: 2001:db8:e922zefe9:4a87", MAGI_PII_IPV6, "2001:db8:e922zefe9:4a87", REP, true);
	pii_found_at_most("Fe80r:17FerbF7:F4c5: 7007", MAGI_PII_IPV6, "Fe80r:17FerbF7:F4c5: 7007", REP, true);
	HASNT("in 2001: 10:20:30 the year", MAGI_PII_IPV6);
	HASNT("scores 2001:12:30:45", MAGI_PII_IPV6);
	/* the mapped form: "ff:" left of its "::ffff:", '=' for its last colon, and a label's
	 * letters before its f run */
	pii_found_at_most("addr ff:172.17.34.102", MAGI_PII_IPV6, "ff:172.17.34.102", REP, true);
	pii_found_at_most("ri fFFF=10.220.64.250", MAGI_PII_IPV6, "ri fFFF=10.220.64.250", REP, true);
	pii_found_at_most("Server: ::ffFfF:10.147.42.21", MAGI_PII_IPV6, "ffFfF:10.147.42.21", REP, true);
	HASNT("buff:10.1.2.3", MAGI_PII_IPV6);
	HASNT("f:10.1.2.3", MAGI_PII_IPV6);
	pii_found_at_most("IPv6: sfff:172.18.161.15", MAGI_PII_IPV6, "sfff:172.18.161.15", REP, true);
	HASNT("stuff:10.1.2.3", MAGI_PII_IPV6);
	HASNT("staff:10.1.2.3", MAGI_PII_IPV6);
	pii_found_at_most("PTPPPF:192,0,2,254", MAGI_PII_IPV6, "PTPPPF:192,0,2,254", REP, true);
	HASNT("FTP: 10.1.2.3", MAGI_PII_IPV6);
	HAS("FTP: 10.1.2.3", MAGI_PII_IPV4, "10.1.2.3");
	/* a URL's IP literal: the scheme's colon misread, a stray quote inside */
	pii_found_at_most("see http?//[fc30:d98ataf8a:83ac:1234:5678:9abc:def0:1111]/", MAGI_PII_IPV6,
		      "fc30:d98ataf8a:83ac:1234:5678:9abc:def0:1111", REP, true);
	pii_found_at_most("http://(2001:db8:9c:14F'1:78ec:93de:8cF3:c8221/", MAGI_PII_IPV6,
		      "2001:db8:9c:14F'1:78ec:93de:8cF3:c8221", REP, true);
	HASNT("see a//[b] and c", MAGI_PII_IPV6);
}

static void test_iban(void)
{
	char iban[40], text[96];
	/* stray glyphs before the country code: mod-97 must pass */
	pii_found_at_most("ISM70-B845-9385-319F-O8HY-4PZ3-NLB", MAGI_PII_IBAN, "SM70-B845-9385-319F-O8HY-4PZ3-NLB", REP,
		      true);
	pii_make_iban("EE", "9842531555289834", iban);
	snprintf(text, sizeof text, "BP%.4s %.4s %.4s %.4s %.4s", iban, iban + 4, iban + 8, iban + 12, iban + 16);
	pii_found_at_most(text, MAGI_PII_IBAN, text + 2, REP, true);
	HASNT("SHA256 or SHA512 if your libc supports it", MAGI_PII_IBAN);
	/* the same without a valid checksum: no shape rule after stray glyphs */
	HASNT("BPEE12 9842 5315 5528 9835", MAGI_PII_IBAN);
	/* check digits read as look-alikes: the printed shape in groups of four */
	pii_found_at_most("SCOZ IHVA 9794 2673 8739 1482 2827 KRL", MAGI_PII_IBAN, "SCOZ IHVA 9794 2673 8739 1482 2827 KRL",
		      0.4f, true);
	pii_found_at_most("IBAN: ILS? 0806 1955 1110 9460 254", MAGI_PII_IBAN, "ILS? 0806 1955 1110 9460 254", 0.4f,
		      true);
	HASNT("SCOZ IHVA", MAGI_PII_IBAN);
	HASNT("SCOZ ABCD EFGH IJKL MNOP QRST UVWX YZA", MAGI_PII_IBAN);
	/* a country code's I read 1 or T, the checksum failing: the shape after a label */
	pii_found_at_most("IBAN: 1L790806195511109460255,", MAGI_PII_IBAN, "1L790806195511109460255", 0.4f, true);
	HASNT("1L790806195511109460255", MAGI_PII_IBAN);
	/* a space after a dash */
	pii_make_iban("PS", "RMNX5DT9Z22V7F5Y135BIDLKW", iban);
	snprintf(text, sizeof text, "IBAN: %.4s-%.4s-%.4s-%.4s-%.4s- %.4s-%.4s-%s", iban, iban + 4, iban + 8,
		 iban + 12, iban + 16, iban + 20, iban + 24, iban + 28);
	HAS(text, MAGI_PII_IBAN, text + 6);
}

static void test_mac(void)
{
	pii_found_at_most("ether DOO3FO22COFL", MAGI_PII_MAC, "DOO3FO22COFL", REP, true);
	pii_found_at_most("Hiaddr 08FOF3E55215", MAGI_PII_MAC, "08FOF3E55215", REP, true);
	pii_found_at_most("Harduare address: 304071853B01", MAGI_PII_MAC, "304071853B01", 0.85f, false);
	pii_found_at_most("MAC: 82-25-46-(3-68-60", MAGI_PII_MAC, "82-25-46-(3-68-60", REP, true);
	HASNT("ether DOCUMENTATION", MAGI_PII_MAC);
	HASNT("Address 08FOF3E55215", MAGI_PII_MAC);
	HASNT("see f(3) and g(4) and h(5)", MAGI_PII_MAC);
	HASNT("ether OOOOOOOOOOOO", MAGI_PII_MAC);
	pii_found_at_most("HAC address: 3AROEBAB307B", MAGI_PII_MAC, "3AROEBAB307B", REP, true);
	HASNT("HAC address: ROADWORKS123", MAGI_PII_MAC);
	pii_found_at_most("26aa.863e..ac63", MAGI_PII_MAC, "26aa.863e..ac63", REP, true);
	HASNT("see 26aa..863e and ab..cd..ef", MAGI_PII_MAC);
}

static void test_email(void)
{
	pii_found_at_most("Enail: layladorange.fr", MAGI_PII_EMAIL, "layladorange.fr", REP, true);
	pii_found_at_most("Email: mlewandouskaueb, de", MAGI_PII_EMAIL, "mlewandouskaueb, de", REP, true);
	pii_found_at_most("Contact: rtakahashiGorange.fr", MAGI_PII_EMAIL, "rtakahashiGorange.fr", REP, true);
	pii_found_at_most("jale jandro-lpez@orange..fr", MAGI_PII_EMAIL, "jandro-lpez@orange..fr", REP, true);
	pii_found_at_most("Email: info@example.com", MAGI_PII_EMAIL, "info@example.com", 1.0f, false);
	HASNT("Mail: smtp.example.com", MAGI_PII_EMAIL);
	HASNT("From: booking.com", MAGI_PII_EMAIL);
	HASNT("Website: layladorange.fr", MAGI_PII_EMAIL);
	HASNT("Email: see the docs", MAGI_PII_EMAIL);
	HASNT("Email: Example.com", MAGI_PII_EMAIL);
	HASNT("go to example.de for it", MAGI_PII_EMAIL);
	pii_found_at_most("Deepika Patel <deepika patel@orangefr>", MAGI_PII_EMAIL, "patel@orangefr", REP, true);
	HASNT("x <a@localhost>", MAGI_PII_EMAIL);
	HASNT("see <foo@bar>", MAGI_PII_EMAIL);
	pii_found_at_most("Hail: nagorzatatneusBstartup.io", MAGI_PII_EMAIL, "nagorzatatneusBstartup.io", REP, true);
	HASNT("Hail: the storm", MAGI_PII_EMAIL);
}

static void test_ssn_person(void)
{
	HAS("lsocial security #: 356109714", MAGI_PII_SSN, "356109714");
	HASNT("security #: 35610971", MAGI_PII_SSN);
	HAS("SSNF 279457201", MAGI_PII_SSN, "279457201");
	HASNT("SSNF 2794572011", MAGI_PII_SSN);
	HAS("Mr, Takahashi has approved the request,", MAGI_PII_PERSON, "Takahashi");
	HASNT("Dr, Mr, Mrs and Ms are titles.", MAGI_PII_PERSON);
	HAS("Oak Dr, Springfield, IL 62704", MAGI_PII_ADDRESS, "Oak Dr, Springfield, IL 62704");
	HAS("\xE2\x80\x98Omar Rahman <omar.rahman@yahoo.co.jp>", MAGI_PII_PERSON, "Omar Rahman");
	HAS("Passenge!\tcarmen Rodriguez", MAGI_PII_PERSON, "carmen Rodriguez");
	HASNT("Welcome!\tcarmen Rodriguez", MAGI_PII_PERSON);
	HAS("\xE2\x80\x98Mr. Ivanov has approved the request.", MAGI_PII_PERSON, "Ivanov");
	pii_found_at_most("Fanily nane: 0'Brien", MAGI_PII_PERSON, "0'Brien", 0.5f, true);
	HASNT("Fanily nane: 0'", MAGI_PII_PERSON);
	HAS("cer Pawel Kamiriski", MAGI_PII_PERSON, "Pawel Kamiriski");
	HASNT("the cer Pawel Kamiriski", MAGI_PII_PERSON);
	/* a number after '+' is E.164's, never a card (this one passes Luhn in Visa's range) */
	HAS("Telefono: +49 221 80697683", MAGI_PII_PHONE, "+49 221 80697683");
	HASNT("Telefono: +49 221 80697683", MAGI_PII_CARD);
	HAS("Addres:\t418 Hill street\nPortland, Oregon", MAGI_PII_ADDRESS, "\t418 Hill street");
	HASNT("Addres:\tsee the manual", MAGI_PII_ADDRESS);
}

int main(void)
{
	test_ipv4();
	test_ipv6();
	test_iban();
	test_mac();
	test_email();
	test_ssn_person();
	return check_done();
}
