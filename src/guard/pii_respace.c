/* pii_respace.c — OCR's spacing around a number's separators, for every number and
 * network type at once. Tesseract sets a glyph's left edge by its ink, so a narrow mark
 * (a dot, a comma, a hyphen, a colon) after a gap now and then gets a space before it that
 * the screen does not show: "352.54 .4250", "EE68 -1065-...", "192,168,177 ,119", and
 * doubles a small dot ("722.852..4237"). Rather than teach each detector these forms one by
 * one, the text is read a second time with such spaces and doubled dots taken out, and the
 * number and network detectors run over that reading: a finding there that spans a place
 * the reading changed is reported over the original bytes.
 *
 * What counts (the one-sided gap of a mark between two groups): a single space with a
 * letter or digit before it and a mark right before a letter or digit after it ("54 .42");
 * a space on both sides is prose or a range ("10 - 20") and stays. A doubled dot between
 * two digits ("852..4237") is one dot. The finding's score is capped at RESPACED_SCORE: the
 * text as read was not the form its rule names, though no glyph was read as another (the
 * detector's own `repaired` flag stands for look-alikes). */
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

#define RESPACED_SCORE 0.8f

/* true when t[i] is a space OCR put before a separator: "54 .42", "68 -10", "177 ,119". */
static bool stray_space(const char *t, size_t len, size_t i)
{
	return t[i] == ' ' && i > 0 && magi__is_alnum((uc)t[i - 1]) && i + 2 < len &&
	       t[i + 1] && strchr(".-,:", t[i + 1]) && magi__is_alnum((uc)t[i + 2]);
}

/* true when t[i] is the second dot of a doubled one between digits ("852..4237"). */
static bool doubled_dot(const char *t, size_t len, size_t i)
{
	return t[i] == '.' && i >= 2 && t[i - 1] == '.' && magi__is_digit((uc)t[i - 2]) && i + 1 < len &&
	       magi__is_digit((uc)t[i + 1]);
}

magi_status magi__pii_respaced(const char *t, size_t len, const struct magi_pii_params *p,
			       struct magi__fvec *fv)
{
	size_t drops = 0;
	for (size_t i = 0; i < len; i++)
		drops += stray_space(t, len, i) || doubled_dot(t, len, i);
	if (!drops)
		return MAGI_OK;
	char *n = malloc(len + 1);
	size_t *map = malloc((len + 1) * sizeof *map); /* n's byte k is t's byte map[k] */
	if (!n || !map) {
		free(n);
		free(map);
		return MAGI_ERR_NOMEM;
	}
	size_t nl = 0;
	for (size_t i = 0; i < len; i++) {
		if (stray_space(t, len, i) || doubled_dot(t, len, i))
			continue;
		map[nl] = i;
		n[nl++] = t[i];
	}
	map[nl] = len;
	n[nl] = '\0';
	/* the number and network detectors, in their strength order */
	struct magi__fvec g = {0};
	uint32_t m = p->types;
	magi_status st = MAGI_OK;
#define RUN(type, call)                                                                    \
	if (!st && (m & MAGI_PII_BIT(type)))                                               \
	st = call
	RUN(MAGI_PII_IBAN, magi__pii_ibans(n, nl, p, &g));
	RUN(MAGI_PII_CARD, magi__pii_cards(n, nl, p, &g));
	RUN(MAGI_PII_SSN, magi__pii_ssns(n, nl, &g));
	RUN(MAGI_PII_MAC, magi__pii_macs(n, nl, &g));
	RUN(MAGI_PII_PHONE, magi__pii_phones(n, nl, p, &g));
	RUN(MAGI_PII_IPV6, magi__pii_ipv6(n, nl, &g));
	RUN(MAGI_PII_IPV6, magi__pii_ipv6_mapped_noisy(n, nl, &g));
	RUN(MAGI_PII_IPV4, magi__pii_ipv4(n, nl, &g));
	RUN(MAGI_PII_IPV6, magi__pii_ipv6_noisy(n, nl, &g));
	RUN(MAGI_PII_MAC, magi__pii_macs_noisy(n, nl, &g));
#undef RUN
	for (size_t k = 0; !st && k < g.n; k++) {
		const struct magi_pii_finding *f = &g.v[k];
		if (f->end <= f->start || f->end > nl)
			continue;
		size_t s = map[f->start], e = map[f->end - 1] + 1;
		/* only what the changed reading made: a span the original holds as it is was
		 * the detectors' to judge there */
		if (e - s == f->end - f->start)
			continue;
		st = magi__fvec_push(fv, f->type, s, e, MAGI_MIN(f->score, RESPACED_SCORE), NULL);
		if (!st)
			fv->v[fv->n - 1].repaired = f->repaired;
	}
	magi__fvec_release(&g);
	free(n);
	free(map);
	return st;
}
