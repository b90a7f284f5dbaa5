/* pii_detect.c — the PII detectors' dispatcher and the helpers they share. The detectors
 * are hand-written scanners, one per type (pii_numbers.c, pii_iban.c, pii_net.c,
 * pii_text.c), each appending candidate spans over a text. Precision comes from checksums
 * (Luhn, mod-97), issuer prefixes, national numbering shapes and a little context (the
 * words just before a number); OCR noise is tolerated by the readings of small text each
 * detector documents. */
#include <stdint.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* The digit an OCR engine most often meant by a letter, or 0. */
char magi__pii_fuzzy_digit(uc c)
{
	switch (c) {
	case 'O':
	case 'o':
	case '@': /* some fonts' 0 reads as @ */
		return '0';
	case 'l':
	case 'I':
	case '|':
		return '1';
	case 'S':
		return '5';
	case 'B':
		return '8';
	default:
		return 0;
	}
}

bool magi__pii_left_boundary(const char *t, size_t i)
{
	return i == 0 || !magi__is_alnum((uc)t[i - 1]);
}

/* true when one of words occurs (as a word) within `back` bytes before i, on the same line. */
bool magi__pii_context_has(const char *t, size_t i, size_t back, const char *const *words)
{
	size_t from = i > back ? i - back : 0;
	for (size_t k = i; k > from; k--)
		if (t[k - 1] == '\n') {
			from = k;
			break;
		}
	for (size_t w = 0; words[w]; w++) {
		size_t at = magi__find_word(t, i, from, words[w]);
		if (at != SIZE_MAX)
			return true;
	}
	return false;
}

/* Decodes the UTF-8 character at t[i] (2-4 bytes); 0 when it is ASCII or malformed. */
static uint32_t utf8_decode(const char *t, size_t len, size_t i, size_t *n)
{
	uc c = (uc)t[i];
	size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
	if (!k || c >= 0xF5 || i + k > len)
		return 0;
	uint32_t v = c & (0x7F >> k);
	for (size_t j = 1; j < k; j++) {
		uc b = (uc)t[i + j];
		if ((b & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (b & 0x3F);
	}
	*n = k;
	return v;
}

size_t magi__pii_utf8_letter(const char *t, size_t len, size_t i, bool *upper)
{
	size_t n = 0;
	uint32_t v = utf8_decode(t, len, i, &n);
	bool up = false, letter;
	if (v >= 0xC0 && v <= 0x24F) { /* Latin-1 and Latin Extended-A/B letters */
		letter = v != 0xD7 && v != 0xF7;
		/* capitals: Latin-1 C0-DE; in Extended-A/B the even code points of most pairs */
		up = (v >= 0xC0 && v <= 0xDE) || (v >= 0x100 && v <= 0x17F && !(v & 1) && v != 0x138) ||
		     v == 0x141 || v == 0x143 || v == 0x145 || v == 0x147 || v == 0x179 || v == 0x17B ||
		     v == 0x17D;
		if (v == 0x142 || v == 0x144 || v == 0x146 || v == 0x148 || v == 0x17A || v == 0x17C ||
		    v == 0x17E)
			up = false;
	} else {
		letter = (v >= 0x370 && v <= 0x3FF) || (v >= 0x400 && v <= 0x52F) || /* Greek, Cyrillic */
			 (v >= 0x531 && v <= 0x6FF) ||   /* Armenian, Hebrew, Arabic */
			 (v >= 0x900 && v <= 0xE7F) ||   /* Indic scripts, Thai */
			 (v >= 0x1E00 && v <= 0x1EFF) || /* Latin Extended Additional (Vietnamese) */
			 (v >= 0x3040 && v <= 0x30FF) || (v >= 0x4E00 && v <= 0x9FFF) || /* kana, CJK */
			 (v >= 0xAC00 && v <= 0xD7AF);   /* Hangul */
		up = (v >= 0x391 && v <= 0x3A9) || (v >= 0x400 && v <= 0x42F);
	}
	if (upper)
		*upper = letter && up;
	return letter ? n : 0;
}

bool magi__pii_in_list(const char *s, size_t n, const char *const *list)
{
	for (size_t k = 0; list[k]; k++)
		if (strlen(list[k]) == n) {
			size_t j = 0;
			while (j < n && magi__lower((uc)s[j]) == (uc)list[k][j])
				j++;
			if (j == n)
				return true;
		}
	return false;
}

bool magi__pii_field_start(const char *t, size_t at)
{
	/* back over spaces and marks (bullets, quotes OCR reads at a line's start: "‘An:") to
	 * the line's start or a field's edge; a letter or digit first means prose */
	for (size_t b = at; b > 0; b--) {
		uc c = (uc)t[b - 1];
		if (c == '\n' || c == '\t' || c == '|' || c == ',' || c == ';' || c == ':')
			return true;
		if (magi__is_alnum(c) || (b == at && c >= 0x80 && magi__pii_utf8_letter(t, at, b - 1, NULL)))
			return false;
	}
	return true;
}

/* Length of a UTF-8 dash (en or em) at t[i] OCR engines put for '-', else 0. */
size_t magi__pii_utf8_dash(const char *t, size_t len, size_t i)
{
	if (i + 2 < len && (uc)t[i] == 0xE2 && (uc)t[i + 1] == 0x80 &&
	    ((uc)t[i + 2] == 0x93 || (uc)t[i + 2] == 0x94))
		return 3;
	return 0;
}

magi_status magi__pii_detect_all(const char *text, size_t len, const struct magi_pii_params *p,
				 struct magi__fvec *fv)
{
	uint32_t m = p->types;
	magi_status st = MAGI_OK;
#define RUN(type, call)                                                                    \
	if (!st && (m & MAGI_PII_BIT(type)))                                               \
	st = call
	RUN(MAGI_PII_SECRET, magi__pii_secrets(text, len, p->secrets, fv));
	RUN(MAGI_PII_API_KEY, magi__pii_keys(text, len, p, fv));
	RUN(MAGI_PII_IBAN, magi__pii_ibans(text, len, p, fv));
	RUN(MAGI_PII_CARD, magi__pii_cards(text, len, p, fv));
	RUN(MAGI_PII_SSN, magi__pii_ssns(text, len, fv));
	RUN(MAGI_PII_EMAIL, magi__pii_emails(text, len, fv));
	RUN(MAGI_PII_CREDENTIAL, magi__pii_credentials(text, len, fv));
	RUN(MAGI_PII_MAC, magi__pii_macs(text, len, fv));
	RUN(MAGI_PII_PHONE, magi__pii_phones(text, len, p, fv));
	RUN(MAGI_PII_IPV6, magi__pii_ipv6(text, len, fv));
	RUN(MAGI_PII_IPV6, magi__pii_ipv6_mapped_noisy(text, len, fv));
	RUN(MAGI_PII_IPV4, magi__pii_ipv4(text, len, fv));
	/* the noisy hex readers before the address and name rules (session 8): an address
	 * label's line holds an IP address as often as a street ("Address: fcbf:a51c:...") */
	RUN(MAGI_PII_IPV6, magi__pii_ipv6_noisy(text, len, fv));
	RUN(MAGI_PII_MAC, magi__pii_macs_noisy(text, len, fv));
	RUN(MAGI_PII_ADDRESS, magi__pii_addresses(text, len, fv));
	RUN(MAGI_PII_PERSON, magi__pii_persons(text, len, fv));
	/* the number and network types again, with OCR's stray spaces before separators out */
	if (!st && (m & MAGI__PII_NUMBER_TYPES))
		st = magi__pii_respaced(text, len, p, fv);
	/* last, values no rule could read, known by their label (session 12) */
	if (!st && (m & (MAGI_PII_BIT(MAGI_PII_MAC) | MAGI_PII_BIT(MAGI_PII_IPV6))))
		st = magi__pii_labelled_values(text, len, m, fv);
#undef RUN
	return st;
}
