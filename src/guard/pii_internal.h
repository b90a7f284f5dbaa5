/* pii_internal.h — the PII detectors (one hand-written scanner per type, spread over
 * pii_numbers.c, pii_iban.c, pii_net.c and pii_text.c) and the helpers they share. Each
 * detector appends candidate findings over text[0..len); magi__pii_detect_all runs them in
 * strength order and the scan API settles overlaps. */
#ifndef MAGI_PII_INTERNAL_H
#define MAGI_PII_INTERNAL_H
#include "guard/guard_internal.h"

typedef unsigned char uc;

/* The digit an OCR engine most often meant by a letter, or 0. */
char magi__pii_fuzzy_digit(uc c);
/* true at the start of text or after a character that is no letter or digit. */
bool magi__pii_left_boundary(const char *t, size_t i);
/* true when one of words occurs (as a word) within `back` bytes before i, on the same line. */
bool magi__pii_context_has(const char *t, size_t i, size_t back, const char *const *words);
/* Length of a UTF-8 en or em dash at t[i] (OCR's reading of '-'), else 0. */
size_t magi__pii_utf8_dash(const char *t, size_t len, size_t i);

magi_status magi__pii_cards(const char *t, size_t len, const struct magi_pii_params *p, struct magi__fvec *fv);
magi_status magi__pii_ssns(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_phones(const char *t, size_t len, const struct magi_pii_params *p, struct magi__fvec *fv);
magi_status magi__pii_ibans(const char *t, size_t len, const struct magi_pii_params *p, struct magi__fvec *fv);
magi_status magi__pii_ipv4(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_ipv6(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_ipv6_noisy(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_macs(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_macs_noisy(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_emails(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_keys(const char *t, size_t len, const struct magi_pii_params *p, struct magi__fvec *fv);
magi_status magi__pii_credentials(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_secrets(const char *t, size_t len, const struct magi_secret_list *l,
			      struct magi__fvec *fv);
#endif
