/* test_pii_forms12.c — forms added in issue 16's session 12 (rules and labels, helper
 * guard14): a MAC or IPv6 value after a label naming it (HWaddr, ether, link/ether, BSSID,
 * MAC address, inet6, IPv6, a host or server label before colon groups) that small type
 * garbled past every rule, reported as that type over the value alone; the labels as small
 * type misreads them (one letter, a glued glyph); a dotted quad with an octet out of range
 * after a network label; the link-local prefix fe80 as its own label; street lines with one
 * of small type's faults (a stray glyph before the line, the abbreviation's period read as
 * a comma, the street type in lower case, a one-word street split by a space) and a
 * postcode after a floor and door. Each says `repaired` and scores at most
 * MAGI_PII_SCORE_REPAIRED (the labelled values 0.45); the ordinary labelled values each
 * resembles ("MAC: enabled", "Address: see below", hostnames, times, dates, versions, an
 * HMAC, the all-zero MAC) are left alone. Text only. */
#include "pii_check.h"
#include "magi/magi.h"

#define REP MAGI_PII_SCORE_REPAIRED
#define LOW 0.45f

static void test_mac_label(void)
{
	pii_found_at_most("MAC address: ae:22:ed:25: idf", MAGI_PII_MAC, "ae:22:ed:25: idf", LOW, true);
	pii_found_at_most("ether ea67 ,08d4 ,caZ6", MAGI_PII_MAC, "ea67 ,08d4 ,caZ6", LOW, true);
	pii_found_at_most("link/ether f666.1808.1b5 brd ff:ff", MAGI_PII_MAC, "f666.1808.1b5", LOW, true);
	pii_found_at_most("HWaddr f6b9. f1d8. fb&d", MAGI_PII_MAC, "f6b9. f1d8. fb&d", LOW, true);
	pii_found_at_most("Hardware address: b2:a6:5f76a:69:09", MAGI_PII_MAC, "b2:a6:5f76a:69:09", LOW, true);
	pii_found_at_most("BSSID: achb, 2Fb5, 3dae", MAGI_PII_MAC, "achb, 2Fb5, 3dae", LOW, true);
	/* the label misread: "...addr", a capital for M, a glyph glued before */
	pii_found_at_most("Hiladdr ad 211:30:8F 1ce:0d", MAGI_PII_MAC, "ad 211:30:8F 1ce:0d", LOW, true);
	pii_found_at_most("HAC: SECEBCBD3555", MAGI_PII_MAC, "SECEBCBD3555", LOW, true);
	pii_found_at_most("Macs S4F158924F87", MAGI_PII_MAC, "S4F158924F87", LOW, true);
	pii_found_at_most("jether 3CA742A0F 2E9", MAGI_PII_MAC, "3CA742A0F 2E9", LOW, true);
	/* labelled values that are no MAC */
	HASNT("MAC: enabled", MAGI_PII_MAC);
	HASNT("MAC filtering: disabled for 12 devices", MAGI_PII_MAC);
	HASNT("MAC: 5d41402abc4b2a76b9719d911017c592", MAGI_PII_MAC);
	HASNT("mac: '00:00:00:00:00:00',", MAGI_PII_MAC);
	HASNT("ether FF-FF-FF-FF-FF-FF", MAGI_PII_MAC);
	HASNT("ether 802.3 frames", MAGI_PII_MAC);
	HASNT("Max: 65535, 32767", MAGI_PII_MAC);
	HASNT("Macs 2024 and 2025 models", MAGI_PII_MAC);
	HASNT("addr: 192.168.100.200", MAGI_PII_MAC);
	HASNT("the MAC layer uses 48-bit addresses", MAGI_PII_MAC);
	/* no label: no cover */
	HASNT("ea67 ,08d4 ,caZ6", MAGI_PII_MAC);
}

static void test_ipv6_label(void)
{
	pii_found_at_most("inet6 2073 CAG: FDOF\t0:c30F\t8D", MAGI_PII_IPV6, "2073 CAG: FDOF\t0:c30F\t8D", LOW, true);
	pii_found_at_most("Host: 34e 146126 1e2e1 10000:0000 :0000:0000 0ade", MAGI_PII_IPV6,
			  "34e 146126 1e2e1 10000:0000 :0000:0000 0ade", LOW, true);
	pii_found_at_most("Listening on 3feb:b665 34b :482d :bOSt", MAGI_PII_IPV6, "3feb:b665 34b :482d :bOSt", LOW,
			  true);
	pii_found_at_most("Servel\tfdOd : #8d8 :498\tf17\t48", MAGI_PII_IPV6, "fdOd : #8d8 :498\tf17\t48", LOW, true);
	/* the link-local prefix as its own label */
	pii_found_at_most("FE80.\tF7D : DBD2\tD99E", MAGI_PII_IPV6, "FE80.\tF7D : DBD2\tD99E", LOW, true);
	pii_found_at_most("Host: \xC2\xA3" "e80\tc3b:\tda8ten0", MAGI_PII_IPV6, "\xC2\xA3" "e80\tc3b:\tda8ten0", LOW, true);
	HASNT("the fe80 prefix and more words", MAGI_PII_IPV6);
	HASNT("fe80 12 34 56", MAGI_PII_IPV6);
	pii_found_at_most("x FERO: : 150F 1E79F F402", MAGI_PII_IPV6, "FERO: : 150F 1E79F F402", LOW, true);
	/* hosts, times, dates, versions, a MAC after a host label: no IPv6 */
	HASNT("Host: db-01.example.com", MAGI_PII_IPV6);
	HASNT("Server: 12:30:45 up 3 days", MAGI_PII_IPV6);
	HASNT("Host: 2024-12-04 12:30:45", MAGI_PII_IPV6);
	HASNT("Server: nginx/1.18.0", MAGI_PII_IPV6);
	HASNT("Address: see below", MAGI_PII_IPV6);
	HASNT("Host: cafe:12 beef", MAGI_PII_IPV6);
	HASNT("fe80::/10 is the link-local prefix", MAGI_PII_IPV6);
	HASNT("Fees: 1200.00 a year", MAGI_PII_IPV6);
	HASNT("FERO: the ferry service", MAGI_PII_IPV6);
}

static void test_ipv4_label(void)
{
	pii_found_at_most("Host: 472.29.232.155", MAGI_PII_IPV4, "472.29.232.155", LOW, true);
	HASNT("Version: 1.18.0.4", MAGI_PII_IPV4);
	HASNT("Host: 1.2.3.4.5", MAGI_PII_IPV4);
	HASNT("Host: 12.3.4 ready", MAGI_PII_IPV4);
}

static void test_iban_label(void)
{
	/* after "IBAN" (wherever it stands) or an account label with a capital first */
	pii_found_at_most("IBAN: KH22 TUOC OOMO AXBY 92U8 3678 3BYO 4I", MAGI_PII_IBAN,
			  "KH22 TUOC OOMO AXBY 92U8 3678 3BYO 4I", LOW, true);
	pii_found_at_most("Kontonummer (IBAN) : KW8 0YBOS6R4EJKQW73154GBO5LA8ND", MAGI_PII_IBAN,
			  "KW8 0YBOS6R4EJKQW73154GBO5LA8ND", LOW, true);
	pii_found_at_most("Bank account: LV34 VLOE 370U NVF6 7=eM0 B", MAGI_PII_IBAN, "LV34 VLOE 370U NVF6 7=eM0 B",
			  LOW, true);
	pii_found_at_most("Kontonunner CIBAN): K277401Y17\xC2\xA5SA139S519", MAGI_PII_IBAN,
			  "K277401Y17\xC2\xA5SA139S519", LOW, true);
	/* a word in parentheses after the label; a phone number read inside gives way */
	pii_found_at_most("IBAN (SEPA): CY\xC2\xA5" "28 9859 5326 XSHO Y15\xC2\xA5 VIF3 OGP9", MAGI_PII_IBAN,
			  "CY\xC2\xA5" "28 9859 5326 XSHO Y15\xC2\xA5 VIF3 OGP9", LOW, true);
	HASNT("IBAN (SEPA): CY\xC2\xA5" "28 9859 5326 XSHO Y15\xC2\xA5 VIF3 OGP9", MAGI_PII_PHONE);
	HASNT("IBAN: see below", MAGI_PII_IBAN);
	HASNT("Account: see the settings page for details", MAGI_PII_IBAN);
	HASNT("Account: 1234 5678 9012 3456", MAGI_PII_IBAN);
	HASNT("the IBAN field below holds 22 characters in Germany", MAGI_PII_IBAN);
	HASNT("IBAN: 12345", MAGI_PII_IBAN);
}

static void test_address(void)
{
	pii_found_at_most("fAm Markt 199, 58825 Hamburg", MAGI_PII_ADDRESS, "Am Markt 199, 58825 Hamburg", REP, true);
	pii_found_at_most("lul. Floriatiska 83\n34-840 Krakdu", MAGI_PII_ADDRESS, "ul. Floriatiska 83\n34-840 Krakdu",
			  REP, true);
	pii_found_at_most("ul, Piotrkowska 133, 67-997 Krak\xC3\xA9w", MAGI_PII_ADDRESS,
			  "ul, Piotrkowska 133, 67-997 Krak\xC3\xA9w", REP, true);
	pii_found_at_most("3519 Yonge street", MAGI_PII_ADDRESS, "3519 Yonge street", REP, true);
	pii_found_at_most("Goether ing 60/17 4407 Linz", MAGI_PII_ADDRESS, "Goether ing 60/17 4407 Linz", REP, true);
	/* a floor and door before the postcode: one finding to the town (not repaired) */
	pii_found("Calle del Prado, 207, 2.\xC2\xBA izq. 30474 Madrid", MAGI_PII_ADDRESS,
		  "Calle del Prado, 207, 2.\xC2\xBA izq. 30474 Madrid", false);
	/* near misses */
	HASNT("the Monitor ing 2 of things", MAGI_PII_ADDRESS);
	HASNT("fThe Cat 12 sat", MAGI_PII_ADDRESS);
	HASNT("Monitor ing 2 more", MAGI_PII_ADDRESS);
	HASNT("in 2019 apple street was", MAGI_PII_ADDRESS);
	HASNT("ul, a list item", MAGI_PII_ADDRESS);
}

int main(void)
{
	test_mac_label();
	test_ipv6_label();
	test_ipv4_label();
	test_iban_label();
	test_address();
	return check_done();
}
