/* test_pii_standards.c — the PII rules taken from the standards: card numbers of every
 * network's IIN ranges (Luhn made here), SSNs by the SSA's rules in every written form,
 * phone numbers by E.164 and national plans, IBANs of the registry's countries (check
 * digits made here by ISO 7064 MOD 97-10), IP addresses in their RFC text forms, MACs that
 * name an interface, IDN e-mail, person names and postal addresses — and the honesty of
 * the OCR repair: a finding at full confidence passes its checksum as read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pii_check.h"

/* A PAN of n digits opening with prefix, its Luhn digit computed (ISO/IEC 7812-1). */
static void make_pan(const char *prefix, int n, char *out)
{
	int k = (int)strlen(prefix);
	memcpy(out, prefix, (size_t)k);
	for (int i = k; i < n - 1; i++)
		out[i] = (char)('0' + (i * 7 + 3) % 10);
	out[n - 1] = '0';
	out[n] = '\0';
	for (int d = 0; d < 10; d++) {
		out[n - 1] = (char)('0' + d);
		if (magi_pii_luhn_valid(out, (size_t)n))
			return;
	}
}

/* pan written in groups of the given sizes (0-terminated) joined by sep. */
static void grouped(const char *pan, const int *sizes, char sep, char *out)
{
	size_t o = 0, at = 0;
	for (int g = 0; sizes[g]; g++) {
		if (g)
			out[o++] = sep;
		memcpy(out + o, pan + at, (size_t)sizes[g]);
		o += (size_t)sizes[g];
		at += (size_t)sizes[g];
	}
	out[o] = '\0';
}

static void test_cards(void)
{
	static const struct {
		const char *prefix;
		int n;
		int sizes[6];
	} ok[] = {
		{"2200", 16, {4, 4, 4, 4}},        /* Mir */
		{"62", 19, {6, 13}},               /* UnionPay */
		{"508", 16, {4, 4, 4, 4}},         /* RuPay */
		{"9792", 16, {4, 4, 4, 4}},        /* Troy */
		{"1", 15, {4, 5, 6}},              /* UATP */
		{"506099", 18, {4, 4, 4, 4, 2}},   /* Verve */
		{"9860", 16, {4, 4, 4, 4}},        /* Humo */
		{"6759", 12, {4, 4, 4}},           /* Maestro */
		{"3530", 19, {4, 4, 4, 4, 3}},     /* JCB */
		{"622126", 19, {6, 13}},           /* Discover / UnionPay */
		{"509000", 16, {4, 4, 4, 4}},      /* Elo */
		{"36", 14, {4, 6, 4}},             /* Diners Club International */
		{"37", 15, {4, 6, 5}},             /* American Express */
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char pan[24], text[40], bad[24];
		make_pan(ok[i].prefix, ok[i].n, pan);
		grouped(pan, ok[i].sizes, ' ', text);
		HAS(text, MAGI_PII_CARD, text);
		HAS(pan, MAGI_PII_CARD, pan);
		grouped(pan, ok[i].sizes, '-', text);
		HAS(text, MAGI_PII_CARD, text);
		/* one digit changed: Luhn fails, whatever label stands before it */
		memcpy(bad, pan, sizeof pan);
		bad[ok[i].n - 1] = (char)('0' + (bad[ok[i].n - 1] - '0' + 1) % 10);
		char labelled[64];
		snprintf(labelled, sizeof labelled, "Credit card: %s", bad);
		HASNT(labelled, MAGI_PII_CARD);
	}
	char pan[24];
	make_pan("7011", 16, pan); /* MII 7 (petroleum): no network's range */
	HASNT(pan, MAGI_PII_CARD);
	make_pan("37", 16, pan); /* American Express issues 15 digits, never 16 */
	HASNT(pan, MAGI_PII_CARD);
}

static void test_ssn(void)
{
	HAS("SSN 123-45-6789", MAGI_PII_SSN, "123-45-6789");
	HAS("123 45 6789", MAGI_PII_SSN, "123 45 6789");
	HAS("123.45.6789", MAGI_PII_SSN, "123.45.6789");
	HAS("SSN: 123456789", MAGI_PII_SSN, "123456789");
	HAS("Social Security Number: 772 01 0042", MAGI_PII_SSN, "772 01 0042");
	HASNT("123456789", MAGI_PII_SSN);       /* bare only after its label */
	HASNT("000-12-3456", MAGI_PII_SSN);     /* area 000 */
	HASNT("666-12-3456", MAGI_PII_SSN);     /* area 666 */
	HASNT("912-12-3456", MAGI_PII_SSN);     /* area 900-999 */
	HASNT("123-00-4567", MAGI_PII_SSN);     /* group 00 */
	HASNT("123-45-0000", MAGI_PII_SSN);     /* serial 0000 */
	HASNT("call 123 45 6789", MAGI_PII_SSN); /* a phone label: a phone number */
	HASNT("10.123.45.6789", MAGI_PII_SSN);
}

static void test_phones(void)
{
	HAS("+48 512 345 678", MAGI_PII_PHONE, "+48 512 345 678");
	HAS("+81 90-1234-5678", MAGI_PII_PHONE, "+81 90-1234-5678");
	HAS("+55 (11) 91234-5678", MAGI_PII_PHONE, "+55 (11) 91234-5678");
	HAS("+7 (912) 345-67-89", MAGI_PII_PHONE, "+7 (912) 345-67-89");
	HAS("+358 40 123 4567", MAGI_PII_PHONE, "+358 40 123 4567");
	HAS("0044 20 7946 0958", MAGI_PII_PHONE, "0044 20 7946 0958");
	HASNT("+999 1234 5678", MAGI_PII_PHONE); /* 999 is no assigned country code */
	HASNT("+33 1 23 45", MAGI_PII_PHONE);    /* France's national numbers have 9 digits */
	/* national numbers in their countries' groupings */
	HAS("612 34 56 78", MAGI_PII_PHONE, "612 34 56 78");     /* Spain */
	HAS("22 123 45 67", MAGI_PII_PHONE, "22 123 45 67");     /* Poland */
	HAS("22 12 34 56", MAGI_PII_PHONE, "22 12 34 56");       /* Norway */
	HAS("98765 43210", MAGI_PII_PHONE, "98765 43210");       /* India */
	HAS("138 0013 8000", MAGI_PII_PHONE, "138 0013 8000");   /* China */
	HAS("(11) 91234-5678", MAGI_PII_PHONE, "(11) 91234-5678"); /* Brazil */
	HAS("8 (495) 123-45-67", MAGI_PII_PHONE, "8 (495) 123-45-67"); /* Russia */
	HAS("03-1234-5678", MAGI_PII_PHONE, "03-1234-5678");     /* Japan */
	HAS("0571-8765 4321", MAGI_PII_PHONE, "0571-8765 4321"); /* China, area apart */
	HAS("Telefoon: 06-12345678", MAGI_PII_PHONE, "06-12345678");
	HAS("357 124 7943", MAGI_PII_PHONE, "357 124 7943");     /* Italy's mobiles */
	HAS("Host: 41.151.26.53", MAGI_PII_IPV4, "41.151.26.53"); /* no phone: dotted */
	HASNT("Host: 41.151.26.53", MAGI_PII_PHONE);
	/* numbers that only look like them */
	HASNT("<Buffer 30 31 32 33>", MAGI_PII_PHONE);
	HASNT("00000040  62 64 69 72 65 63 74 6f  72 69 65 73 3a", MAGI_PII_PHONE);
	HASNT("netmask: '255.255.255.0'", MAGI_PII_PHONE);
	HASNT("Boston, MA 02111-1307", MAGI_PII_PHONE);
	HASNT("Order no. 612 345 678", MAGI_PII_PHONE);
	HASNT("06 08 00 00 09 00 00 01", MAGI_PII_PHONE);
}

/* An IBAN for country cc and BBAN b, check digits computed (ISO 7064 MOD 97-10). */
static void test_iban(void)
{
	static const struct {
		const char *cc, *bban;
	} reg[] = {
		{"RU", "04452522504070281040000000000"}, {"YE", "CBYE0001018861234567891234"},
		{"SV", "CENR00000000000000700025"},       {"NI", "BAPR00000013000003558124"},
		{"LY", "002048000020100120361"},          {"OM", "0181888000000000000"},
		{"SO", "1000001001000100141"},            {"DJ", "00020100104099430200080"},
		{"FK", "SC123456789012"},                 {"MN", "1234123456789123"},
		{"SD", "29010501234001"},                 {"BI", "10000100010000332045181"},
		{"HN", "CABF00000000000250005469"},       {"GB", "NWBK60161331926819"},
	};
	for (size_t i = 0; i < sizeof reg / sizeof reg[0]; i++) {
		char iban[40], paper[60], dashed[60];
		pii_make_iban(reg[i].cc, reg[i].bban, iban);
		size_t n = strlen(iban), o = 0, d = 0;
		for (size_t k = 0; k < n; k++) {
			if (k && k % 4 == 0)
				paper[o++] = ' ', dashed[d++] = '-';
			paper[o++] = iban[k];
			dashed[d++] = iban[k];
		}
		paper[o] = dashed[d] = '\0';
		float score = 0;
		bool repaired = true;
		char got[64] = "";
		CHECK_MSG(pii_find(iban, MAGI_PII_IBAN, got, sizeof got, NULL, &score, &repaired) && score == 1.0f &&
				  !repaired,
			  "%s: \"%s\" %.2f", iban, got, score);
		HAS(paper, MAGI_PII_IBAN, paper);
		HAS(dashed, MAGI_PII_IBAN, dashed);
	}
	/* one character more than the registry's length: never at full confidence (a doubled
	 * glyph dropped to pass mod-97, or the printed shape alone), marked repaired */
	float score = 1;
	bool repaired = false;
	char got[64] = "";
	if (pii_find("RU02 0445 2522 5040 7028 1040 0000 0000 00", MAGI_PII_IBAN, got, sizeof got, NULL,
		     &score, &repaired))
		CHECK(score <= MAGI_PII_SCORE_REPAIRED && repaired);
	HASNT("XY12 3456 7890 1234 5678 90", MAGI_PII_IBAN); /* no such country */
}

/* Every finding scored at full confidence (>= 0.9) passes its checksum on its text as
 * read; repaired findings say so and score at most MAGI_PII_SCORE_REPAIRED. */
static void test_honest_repair(void)
{
	static const char *const texts[] = {
		"IBAN GB29 NWBK 6016 1331 9268 19",  "IBAN GB29 NWBK 6O16 1331 9268 19",
		"IBAN GB29 NWBK 6016 1331 9268 18",  "GB29NWBK6016133I926819",
		"Card 4111 1111 1111 1111",          "Card 4111 1111 1111 111l",
		"Card 4111 1111 1111 1112",          "IBAN 1781 X224 2730 7011 6496 2166 752",
		"DE89 3704 0044 O532 0130 00",       "credit card 5500 0000 0000 0004",
	};
	int repaired_seen = 0;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct magi_pii_finding *f = NULL;
		size_t n = 0;
		REQUIRE(magi_pii_scan_text(texts[i], NULL, &f, &n) == MAGI_OK);
		for (size_t k = 0; k < n; k++) {
			if (f[k].type != MAGI_PII_CARD && f[k].type != MAGI_PII_IBAN)
				continue;
			char d[64];
			size_t m = 0;
			bool plain = true;
			for (const char *c = f[k].text; *c && m + 1 < sizeof d; c++)
				if ((*c >= '0' && *c <= '9') || (f[k].type == MAGI_PII_IBAN && *c >= 'A' && *c <= 'Z'))
					d[m++] = *c;
				else if (!strchr(" -.,", *c))
					plain = false;
			d[m] = '\0';
			bool valid = plain && (f[k].type == MAGI_PII_CARD ? magi_pii_luhn_valid(d, m)
									     : magi_pii_iban_valid(d, m));
			CHECK_MSG(valid || f[k].score < 0.9f, "\"%s\" at %.2f fails its checksum as read",
				  f[k].text, f[k].score);
			CHECK_MSG(valid || f[k].repaired, "\"%s\" not marked repaired", f[k].text);
			CHECK(!f[k].repaired || f[k].score <= MAGI_PII_SCORE_REPAIRED);
			repaired_seen += f[k].repaired;
		}
		magi_pii_findings_free(f, n);
	}
	CHECK(repaired_seen >= 3); /* the look-alike readings above are still found */
}

static void test_ip_mac(void)
{
	HAS("route 10.0.0.0/8 via", MAGI_PII_IPV4, "10.0.0.0/8");
	HAS("http://192.0.2.10:8080/", MAGI_PII_IPV4, "192.0.2.10");
	HAS("ping fe80::1c2:3d4%eth0 now", MAGI_PII_IPV6, "fe80::1c2:3d4%eth0");
	HAS("[2001:db8::1]:8443", MAGI_PII_IPV6, "2001:db8::1");
	HAS("http://[2001:db8:85a3::8a2e:370:7334]/", MAGI_PII_IPV6, "2001:db8:85a3::8a2e:370:7334");
	HAS("::ffff:192.0.2.128", MAGI_PII_IPV6, "::ffff:192.0.2.128");
	HAS("prefix 2001:db8:abcd::/48", MAGI_PII_IPV6, "2001:db8:abcd::/48");
	HAS("IP 192,168, 86,74", MAGI_PII_IPV4, "192,168, 86,74");
	HASNT("127.0.0.1", MAGI_PII_IPV4);   /* loopback names no host */
	HASNT("0.0.0.0", MAGI_PII_IPV4);
	HASNT("224.0.0.251", MAGI_PII_IPV4); /* multicast */
	HASNT("netmask 255.255.255.0", MAGI_PII_IPV4);
	HASNT("see section 4.2.1.12", MAGI_PII_IPV4);
	HASNT("ff02::1", MAGI_PII_IPV6);
	HASNT("-b::", MAGI_PII_IPV6);
	HASNT("scores 10, 20, 30, 40", MAGI_PII_IPV4);
	HAS("00-1A-2B-3C-4D-5E", MAGI_PII_MAC, "00-1A-2B-3C-4D-5E");
	HAS("001a.2b3c.4d5e", MAGI_PII_MAC, "001a.2b3c.4d5e");
	HAS("HWaddr 001A2B3C4D5E", MAGI_PII_MAC, "001A2B3C4D5E");
	HASNT("001A2B3C4D5E", MAGI_PII_MAC); /* twelve bare hex digits need a MAC label */
	HASNT("00:00:00:00:00:00", MAGI_PII_MAC);
	HASNT("brd ff:ff:ff:ff:ff:ff", MAGI_PII_MAC);
	HASNT("SHA1 98:BC:D9:04:C3:B2:EC:16:7A:7B:0F:DA", MAGI_PII_MAC);
}

static void test_email_idn(void)
{
	HAS("jörg@müller.de", MAGI_PII_EMAIL, "jörg@müller.de");
	HAS("mail user@xn--mller-kva.de now", MAGI_PII_EMAIL, "user@xn--mller-kva.de");
	HAS("info@пример.рф", MAGI_PII_EMAIL, "info@пример.рф");
	HAS("a.b@xn--e1afmkfd.xn--p1ai", MAGI_PII_EMAIL, "a.b@xn--e1afmkfd.xn--p1ai");
	HAS("To: ana@studio.photography", MAGI_PII_EMAIL, "ana@studio.photography");
}

static void test_names(void)
{
	HAS("Name: Anna Kowalska", MAGI_PII_PERSON, "Anna Kowalska");
	HAS("Account holder: Jean-Pierre Dubois", MAGI_PII_PERSON, "Jean-Pierre Dubois");
	HAS("Dear Dr. Müller,", MAGI_PII_PERSON, "Müller");
	HAS("Thanks again.\nBest regards,\nMaria de la Cruz\nSales", MAGI_PII_PERSON, "Maria de la Cruz");
	HAS("From: Li Wang <li.wang@example.com>", MAGI_PII_PERSON, "Li Wang");
	HAS("First name: Łukasz", MAGI_PII_PERSON, "Łukasz");
	HAS("Cardholder\nSean O'Brien", MAGI_PII_PERSON, "Sean O'Brien");
	HAS("Name\tGiulia Rossi", MAGI_PII_PERSON, "Giulia Rossi");
	HASNT("Name Related Errors", MAGI_PII_PERSON); /* a heading: no colon */
	HASNT("To: Sales Team", MAGI_PII_PERSON);
	HASNT("Dear Customer,", MAGI_PII_PERSON);
	HASNT("Hello World!", MAGI_PII_PERSON);
	HASNT("New Folder", MAGI_PII_PERSON);
	HASNT("created by the build system", MAGI_PII_PERSON);
	HASNT("Dear all, the Release Notes follow", MAGI_PII_PERSON);
	/* small type's forms (session 6): "ce:" for "Cc:", a stray dot after a signature */
	HAS("ce: Aleksandr Ivanov", MAGI_PII_PERSON, "Aleksandr Ivanov");
	HAS("Best regards,\nHojciech Kowalski.\nSales", MAGI_PII_PERSON, "Hojciech Kowalski");
	HAS("Surname: van Dijk", MAGI_PII_PERSON, "van Dijk");
	HAS("Nachname: de la Fontaine", MAGI_PII_PERSON, "de la Fontaine");
	HAS("Biven name: Wei", MAGI_PII_PERSON, "Wei");
	HAS("Name: Sergel lvanov", MAGI_PII_PERSON, "Sergel lvanov");
	HASNT("Name: lsblk", MAGI_PII_PERSON);
	HASNT("File name: Report", MAGI_PII_PERSON);
}

/* Names in running prose (session 6): a title, a cue phrase, a verb of saying, a given name. */
static void test_names_in_prose(void)
{
	HAS("I spoke with Maria Gonzalez yesterday.", MAGI_PII_PERSON, "Maria Gonzalez");
	HAS("Please review the draft, cc Tom Baker.", MAGI_PII_PERSON, "Tom Baker");
	HAS("The ticket was assigned to Priya Raman on Monday.", MAGI_PII_PERSON, "Priya Raman");
	HAS("Meeting with Dr. Okafor at 3 pm.", MAGI_PII_PERSON, "Okafor");
	HAS("Please ask Mrs de la Cruz to call back.", MAGI_PII_PERSON, "de la Cruz");
	HAS("On Tue, 3 Dec 2026, Xu Feng wrote:", MAGI_PII_PERSON, "Xu Feng");
	HAS("Could you ask PARK Dohyun to sign?", MAGI_PII_PERSON, "PARK Dohyun");
	HAS("The report from Łukasz Nowak is attached.", MAGI_PII_PERSON, "Łukasz Nowak");
	HAS("see Michael Kay's notes", MAGI_PII_PERSON, "Michael Kay's"); /* a possessive ends it */
	HASNT("in the section called Argument List Processing", MAGI_PII_PERSON);
	HASNT("according to POSIX Threads semantics", MAGI_PII_PERSON);
	HASNT("Getting Started With Julia Packages", MAGI_PII_PERSON);
	HASNT("Using Daniel Veillard Tools", MAGI_PII_PERSON); /* a Title Case heading */
	HASNT("12 Oak Dr Springfield", MAGI_PII_PERSON);
	HASNT("contact Red Hat Support for help", MAGI_PII_PERSON);
	HASNT("Mark Down the Price", MAGI_PII_PERSON); /* Mark is no listed given name */
}

extern bool magi__pii_given_names;

/* Session 7: family names (list and endings), a family name first in capitals, and the
 * structural cues that need no list: an e-mail address that spells the name, the
 * signature's dashes, a table's name column, small type's lower-case capitals, a title's
 * dot read as a comma. */
static void test_names_session7(void)
{
	HAS("Notes from Haruto Fujii are attached.", MAGI_PII_PERSON, "Haruto Fujii");
	HAS("The draft by Oleg Karpenko needs review.", MAGI_PII_PERSON, "Oleg Karpenko");
	HAS("We wait for Kwon Jiwon to reply.", MAGI_PII_PERSON, "Kwon Jiwon");
	HAS("ZHAO Lei will join us later.", MAGI_PII_PERSON, "ZHAO Lei");
	HAS("As NGO Bao said in the call, it is fixed.", MAGI_PII_PERSON, "NGO Bao");
	HAS("Tran Bao Lam\nProject Manager\nlam.tran@example.org", MAGI_PII_PERSON, "Tran Bao Lam");
	HAS("Name\tEmail\nKwesi Addo\tkwesi.addo@example.com", MAGI_PII_PERSON, "Kwesi Addo");
	HAS("--\nKaede Fujimura\n+81 3 1234 5678", MAGI_PII_PERSON, "Kaede Fujimura");
	HAS("Best regards,\nsergei Petrenko\ncustomer Support", MAGI_PII_PERSON, "sergei Petrenko");
	HAS("De\tMai blatanabe", MAGI_PII_PERSON, "Mai blatanabe");
	HAS("Name\tDepartment\tExt\nBao Ngoc Lam\tFinance\t4410", MAGI_PII_PERSON, "Bao Ngoc Lam");
	HAS("| Customer | Total |\n| Ines Vasquez | 120.00 |", MAGI_PII_PERSON, "Ines Vasquez");
	HAS("Meeting with Dr, Liu at 3 pm.", MAGI_PII_PERSON, "Liu");
	HAS("Nombre: Rahul lyer", MAGI_PII_PERSON, "Rahul lyer"); /* I read as l, listed */
	HASNT("Nombre: Rahul lyric", MAGI_PII_PERSON);
	HAS("Contact. person: Ama Mensah", MAGI_PII_PERSON, "Ama Mensah"); /* a stray dot */
	HAS("Best regardz,\nAma Mensah", MAGI_PII_PERSON, "Ama Mensah");   /* one letter off */
	HASNT("Hotels near Lake Geneva Resort", MAGI_PII_PERSON);
	HASNT("a trip to Anchorage Alaska in May", MAGI_PII_PERSON);   /* -ska after a vowel */
	HASNT("then apply LU Decomposition to it", MAGI_PII_PERSON); /* 2 letters need a cue */
	HASNT("Git Mailing List\ngit@vger.kernel.org", MAGI_PII_PERSON);
	HASNT("Debian Installer\ndebian-boot@lists.debian.org", MAGI_PII_PERSON);
	HASNT("Best regards,\nsee Below", MAGI_PII_PERSON);
	HASNT("Name\tSize\tModified\nBudget Draft\t12 KB\tToday", MAGI_PII_PERSON);
	HASNT("12 Oak Dr, Springfield", MAGI_PII_PERSON);
	/* without the lists only the structural rules stand */
	magi__pii_given_names = false;
	HASNT("Notes from Haruto Fujii are attached.", MAGI_PII_PERSON);
	HASNT("ZHAO Lei will join us later.", MAGI_PII_PERSON);
	HAS("As NGO Bao said in the call, it is fixed.", MAGI_PII_PERSON, "NGO Bao");
	HAS("Tran Bao Lam\nProject Manager\nlam.tran@example.org", MAGI_PII_PERSON, "Tran Bao Lam");
	magi__pii_given_names = true;
	/* addresses: after a form field's tab, a label with one letter misread; a time is no
	 * house number */
	HAS("Value\tLindenstrasse 7, 8850 Zurich", MAGI_PII_ADDRESS, "Lindenstrasse 7, 8850 Zurich");
	HAS("Direccién: Im Winkel 4\n4020 Linz", MAGI_PII_ADDRESS, "Im Winkel 4\n4020 Linz");
	HASNT("On Tue, 3 Dec 2026 at 09:14, Dohyun Park wrote:", MAGI_PII_ADDRESS);
	HAS("He lives on Maple Street near the school.", MAGI_PII_ADDRESS, "Maple Street");
	HAS("The store on Via Roma closed.", MAGI_PII_ADDRESS, "Via Roma");
	HASNT("The button is located on the Main Page", MAGI_PII_ADDRESS);
	HAS("On Tue, 3 Dec 2026 at 09:14, Dohyun Park wrote:", MAGI_PII_PERSON, "Dohyun Park");
}

static void test_addresses(void)
{
	HAS("1600 Amphitheatre Parkway, Mountain View, CA 94043", MAGI_PII_ADDRESS,
	    "1600 Amphitheatre Parkway, Mountain View, CA 94043");
	HAS("10 Downing Street\nLondon SW1A 2AA", MAGI_PII_ADDRESS, "10 Downing Street\nLondon SW1A 2AA");
	HAS("Hauptstraße 5, 10115 Berlin", MAGI_PII_ADDRESS, "Hauptstraße 5, 10115 Berlin");
	HAS("12 rue de Rivoli, 75001 Paris", MAGI_PII_ADDRESS, "12 rue de Rivoli, 75001 Paris");
	HAS("Keizersgracht 123\n1015 CJ Amsterdam", MAGI_PII_ADDRESS, "Keizersgracht 123\n1015 CJ Amsterdam");
	HAS("ul. Długa 7/3, 00-238 Warszawa", MAGI_PII_ADDRESS, "ul. Długa 7/3, 00-238 Warszawa");
	HAS("Address: Calle Mayor 5, 28013 Madrid", MAGI_PII_ADDRESS, "Calle Mayor 5, 28013 Madrid");
	HAS("Toronto ON M5V 2T6", MAGI_PII_ADDRESS, "Toronto ON M5V 2T6");
	HASNT("IP address: 10.1.2.3", MAGI_PII_ADDRESS);
	HASNT("Monitoring 2 items", MAGI_PII_ADDRESS);
	HASNT("See SVN rev 214161", MAGI_PII_ADDRESS);
	HASNT("2 Sections follow", MAGI_PII_ADDRESS);
	HASNT("Copied 12345 Files", MAGI_PII_ADDRESS); /* five digits and a word: no street, no label */
	/* without a house number or a postcode (session 6) */
	HAS("P.O. Box 4821\nAnchorage, AK 99501", MAGI_PII_ADDRESS, "P.O. Box 4821\nAnchorage, AK 99501");
	HAS("Postfach 10 12 34, 53113 Bonn", MAGI_PII_ADDRESS, "Postfach 10 12 34, 53113 Bonn");
	HAS("Casella Postale 58", MAGI_PII_ADDRESS, "Casella Postale 58");
	HAS("Baker Street, London", MAGI_PII_ADDRESS, "Baker Street, London");
	HAS("Deliver to: Hauptstraße, Berlin", MAGI_PII_ADDRESS, "Hauptstraße, Berlin");
	HAS("Address: rue de Rivoli, Paris", MAGI_PII_ADDRESS, "rue de Rivoli, Paris");
	HAS("Suite 400\n1600 Amphitheatre Pkwy\nMountain View, CA 94043", MAGI_PII_ADDRESS,
	    "Suite 400\n1600 Amphitheatre Pkwy\nMountain View, CA 94043");
	HAS("Flat 3 12 High Street\nLondon N1 9AB", MAGI_PII_ADDRESS, "Flat 3 12 High Street\nLondon N1 9AB");
	HAS("Flat 3/12 High St", MAGI_PII_ADDRESS, "Flat 3/12 High St");
	HAS("209 Sejong-daero, Jongno-gu, Seoul 03172", MAGI_PII_ADDRESS, "209 Sejong-daero, Jongno-gu, Seoul 03172");
	HAS("Teheran-ro 152, Gangnam-gu, Seoul 06236", MAGI_PII_ADDRESS, "Teheran-ro 152, Gangnam-gu, Seoul 06236");
	HAS("Tokyo-to Shibuya-ku, Jingumae 1-2-3", MAGI_PII_ADDRESS, "Tokyo-to Shibuya-ku, Jingumae 1-2-3");
	HAS("t Address: Goetheneg 246\n9113 Basel", MAGI_PII_ADDRESS, "Goetheneg 246\n9113 Basel");
	HAS("Kirchring 138 47476 Berlin", MAGI_PII_ADDRESS, "Kirchring 138 47476 Berlin");
	HAS("Goethering 25\n10115 Berlin", MAGI_PII_ADDRESS, "Goethering 25\n10115 Berlin");
	HASNT("Monitoring 2 hosts", MAGI_PII_ADDRESS);
	HAS("Kungsvagen 212, 344 69 Stockholm", MAGI_PII_ADDRESS, "Kungsvagen 212, 344 69 Stockholm");
	HASNT("See the Main Street example below", MAGI_PII_ADDRESS); /* in prose, no town */
	HASNT("BP oil prices rose", MAGI_PII_ADDRESS);
	HASNT("Floor 3 is closed", MAGI_PII_ADDRESS);
	HASNT("Wall Street Journal, New York Times and others", MAGI_PII_ADDRESS);
}

int main(void)
{
	test_cards();
	test_ssn();
	test_phones();
	test_iban();
	test_honest_repair();
	test_ip_mac();
	test_email_idn();
	test_names();
	test_names_in_prose();
	test_names_session7();
	test_addresses();
	return check_done();
}
