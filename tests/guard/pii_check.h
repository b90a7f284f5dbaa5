/* pii_check.h — the PII tests' shared lookups: the first finding of a type in a text (its
 * span checked against its text) and HAS/HASNT, on top of check.h. */
#ifndef MAGI_PII_CHECK_H
#define MAGI_PII_CHECK_H
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "magi/guard.h"

/* The first finding of type t in text, its text copied to buf, its score and repaired
 * flag (each may be NULL); false when none. p NULL: defaults. */
static inline bool pii_find(const char *text, enum magi_pii_type t, char *buf, size_t cap,
			    const struct magi_pii_params *p, float *score, bool *repaired)
{
	struct magi_pii_finding *f = NULL;
	size_t n = 0;
	if (magi_pii_scan_text(text, p, &f, &n) != MAGI_OK)
		return false;
	bool got = false;
	for (size_t i = 0; i < n && !got; i++)
		if (f[i].type == t) {
			got = true;
			if (buf)
				snprintf(buf, cap, "%s", f[i].text);
			if (score)
				*score = f[i].score;
			if (repaired)
				*repaired = f[i].repaired;
			/* the span and the text agree */
			CHECK(f[i].end - f[i].start == strlen(f[i].text));
			CHECK(memcmp(text + f[i].start, f[i].text, f[i].end - f[i].start) == 0);
		}
	magi_pii_findings_free(f, n);
	return got;
}

/* The first finding of type t in text is expect; want_repaired: it says `repaired` and
 * scores at most MAGI_PII_SCORE_REPAIRED, else neither. */
static inline void pii_found(const char *text, enum magi_pii_type t, const char *expect, bool want_repaired)
{
	char got[256] = "";
	float score = 1;
	bool rep = false;
	bool ok = pii_find(text, t, got, sizeof got, NULL, &score, &rep);
	CHECK_MSG(ok, "no %s in \"%s\"", magi_pii_type_name(t), text);
	if (!ok)
		return;
	CHECK_STR(got, expect);
	bool low = rep && score <= MAGI_PII_SCORE_REPAIRED;
	CHECK_MSG(want_repaired ? low : !rep && score > MAGI_PII_SCORE_REPAIRED,
		  "\"%s\": repaired %d score %.2f", got, rep, (double)score);
}

/* The first finding of type t in text is expect, scores at most max and is repaired or not
 * as rep says. */
static inline void pii_found_at_most(const char *text, enum magi_pii_type t, const char *expect, float max,
				     bool rep)
{
	char got[256] = "";
	float score = 1;
	bool r = !rep;
	bool ok = pii_find(text, t, got, sizeof got, NULL, &score, &r);
	CHECK_MSG(ok, "no %s in \"%s\"", magi_pii_type_name(t), text);
	if (!ok)
		return;
	CHECK_STR(got, expect);
	CHECK_MSG(score <= max + 1e-6f && r == rep, "\"%s\": score %.2f repaired %d", got, (double)score, r);
}

/* A valid IBAN of country cc and BBAN b (ISO 7064 MOD 97-10 check digits) into out[40]. */
static inline void pii_make_iban(const char *cc, const char *b, char *out)
{
	char s[40];
	snprintf(s, sizeof s, "%s%s00", b, cc);
	unsigned rem = 0;
	for (const char *p = s; *p; p++)
		rem = *p >= 'A' ? (rem * 100 + (unsigned)(*p - 'A' + 10)) % 97 : (rem * 10 + (unsigned)(*p - '0')) % 97;
	snprintf(out, 40, "%s%02u%s", cc, 98 - rem, b);
}

#define HAS(text, type, expect)                                                            \
	do {                                                                               \
		char got_[256] = "";                                                       \
		bool ok_ = pii_find(text, type, got_, sizeof got_, NULL, NULL, NULL);      \
		CHECK_MSG(ok_, "no %s in \"%s\"", magi_pii_type_name(type), text);         \
		if (ok_)                                                                   \
			CHECK_STR(got_, expect);                                           \
	} while (0)
#define HASNT(text, type)                                                                  \
	do {                                                                               \
		char got_[256] = "";                                                       \
		bool ok_ = pii_find(text, type, got_, sizeof got_, NULL, NULL, NULL);      \
		CHECK_MSG(!ok_, "unexpected %s \"%s\" in \"%s\"", magi_pii_type_name(type), got_, \
			  text);                                                           \
	} while (0)

/* No finding of type in text but a value covered by its label alone (session 12:
 * `repaired`, score at most 0.45): the checksum and range rules claim nothing there. */
#define HASNT_BUT_LABEL(text, type)                                                        \
	do {                                                                               \
		float sc_ = 0;                                                             \
		bool rep_ = false;                                                         \
		if (pii_find(text, type, NULL, 0, NULL, &sc_, &rep_))                     \
			CHECK_MSG(rep_ && sc_ <= 0.45f, "\"%s\": %s at %.2f", text,          \
				  magi_pii_type_name(type), (double)sc_);                   \
	} while (0)
#endif
