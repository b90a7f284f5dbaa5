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
	RUN(MAGI_PII_IPV4, magi__pii_ipv4(text, len, fv));
	RUN(MAGI_PII_IPV6, magi__pii_ipv6_noisy(text, len, fv));
	RUN(MAGI_PII_MAC, magi__pii_macs_noisy(text, len, fv));
#undef RUN
	return st;
}
