/* pii_numbers.c — PII that is a run of digit groups: the group reader (shared with the phone
 * numbers of pii_phone.c), payment cards (issuer range, length, Luhn) and US SSNs. The
 * digit-group reader tolerates OCR's look-alike letters inside groups. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* ---- digit-group runs ("4111 1111-1111", "+44 (0)20 7946 0958") ----------------------- */

/* One group of digits at t[i]: true digits plus (when fuzzy) look-alike letters, no more
 * look-alikes than true digits, and not glued to other letters. */
static bool parse_group(const char *t, size_t len, size_t i, bool fuzzy, size_t *end, char *dig,
			int *nd_out, int *nf_out)
{
	int nd = 0, nf = 0, k = 0;
	size_t p = i;
	while (p < len && k < MAGI_PII_RUN_MAX_DIGITS) {
		uc c = (uc)t[p];
		if (magi__is_digit(c)) {
			dig[k++] = (char)c;
			nd++;
		} else if (fuzzy && magi__pii_fuzzy_digit(c)) {
			dig[k++] = magi__pii_fuzzy_digit(c);
			nf++;
		} else {
			break;
		}
		p++;
	}
	dig[k] = '\0';
	if (nd == 0 || nf > nd || (p < len && magi__is_alnum((uc)t[p])))
		return false;
	*end = p;
	*nd_out = nd;
	*nf_out = nf;
	return true;
}

bool magi__pii_parse_run(const char *t, size_t len, size_t i, const char *seps, size_t maxsep,
			 bool fuzzy, bool phone, struct magi__pii_run *r)
{
	memset(r, 0, sizeof *r);
	r->start = i;
	size_t p = i;
	if (phone && p < len && t[p] == '+') {
		r->plus = true;
		p++;
	} else if (phone && p < len && t[p] == '(') {
		r->lead_paren = true;
		p++;
	}
	for (;;) {
		size_t ge;
		int nd, nf;
		if (r->ng == MAGI_PII_RUN_MAX_GROUPS ||
		    !parse_group(t, len, p, fuzzy, &ge, r->dig[r->ng], &nd, &nf))
			break;
		r->gs[r->ng] = p;
		r->ge[r->ng] = ge;
		r->gd[r->ng] = nd + nf;
		r->fuzzy += nf;
		r->ng++;
		r->end = ge;
		/* separator to the next group */
		size_t q = ge, k = 0;
		char sep[4] = {0};
		while (q < len && k < maxsep && t[q] && strchr(seps, t[q])) {
			sep[k++] = t[q];
			q++;
		}
		if (k == 0 || q >= len)
			break;
		uc c = (uc)t[q];
		if (!magi__is_digit(c) && !(fuzzy && magi__pii_fuzzy_digit(c) && q + 1 < len &&
					   magi__is_digit((uc)t[q + 1])))
			break;
		if (r->ng < MAGI_PII_RUN_MAX_GROUPS)
			memcpy(r->sep[r->ng], sep, sizeof sep);
		p = q;
	}
	return r->ng > 0;
}

int magi__pii_run_digits(const struct magi__pii_run *r, int g0, int g1, char *out, size_t cap)
{
	size_t k = 0;
	for (int g = g0; g <= g1; g++)
		for (const char *d = r->dig[g]; *d && k + 1 < cap; d++)
			out[k++] = *d;
	out[k] = '\0';
	return (int)k;
}

int magi__pii_run_fuzzy_in(const struct magi__pii_run *r, const char *t, int g0, int g1)
{
	int f = 0;
	for (int g = g0; g <= g1; g++)
		for (size_t p = r->gs[g]; p < r->ge[g]; p++)
			f += !magi__is_digit((uc)t[p]);
	return f;
}

/* ---- cards ----------------------------------------------------------------------------- */
bool magi_pii_luhn_valid(const char *digits, size_t n)
{
	if (n < 2)
		return false;
	int sum = 0;
	bool dbl = false;
	for (size_t i = n; i-- > 0;) {
		if (!magi__is_digit((uc)digits[i]))
			return false;
		int d = digits[i] - '0';
		if (dbl) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

/* Issuer identification numbers (ISO/IEC 7812-1) of the active card networks, with the
 * PAN lengths each network publishes (as collected in Wikipedia's "Payment card number"
 * table, 2024). A range [lo, hi] compares the first `digits` digits of the PAN; `len` is a
 * bit mask of allowed lengths (bit n for n digits). */
#define L(n) (1u << (n))
#define L1619 (L(16) | L(17) | L(18) | L(19))
static const struct {
	uint32_t lo, hi;
	uint8_t digits;
	uint32_t len;
} card_iins[] = {
	{4, 4, 1, L(13) | L(16) | L(19)},                /* Visa (Visa Electron inside) */
	{51, 55, 2, L(16)},                              /* Mastercard */
	{2221, 2720, 4, L(16)},                          /* Mastercard 2-series */
	{34, 34, 2, L(15)}, {37, 37, 2, L(15)},          /* American Express */
	{36, 36, 2, L(14) | L1619},                      /* Diners Club International */
	{300, 305, 3, L(14)},                            /* Diners Club Carte Blanche */
	{38, 39, 2, L(14) | L1619},                      /* Diners Club (Discover network) */
	{6011, 6011, 4, L1619}, {644, 649, 3, L1619},    /* Discover */
	{65, 65, 2, L1619},                              /* Discover, RuPay, Troy */
	{622126, 622925, 6, L1619},                      /* Discover / UnionPay co-brand */
	{3528, 3589, 4, L1619},                          /* JCB */
	{62, 62, 2, L1619}, {81, 81, 2, L1619},          /* UnionPay, RuPay */
	{82, 82, 2, L(16)},                              /* RuPay */
	{31, 31, 2, L(19)},                              /* China T-Union */
	{5018, 5018, 4, L(12) | L(13) | L(14) | L(15) | L1619}, /* Maestro */
	{5020, 5020, 4, L(12) | L(13) | L(14) | L(15) | L1619},
	{5038, 5038, 4, L(12) | L(13) | L(14) | L(15) | L1619},
	{5893, 5893, 4, L(12) | L(13) | L(14) | L(15) | L1619},
	{6304, 6304, 4, L(12) | L(13) | L(14) | L(15) | L1619},
	{6759, 6759, 4, L(12) | L(13) | L(14) | L(15) | L1619}, /* Maestro, Maestro UK */
	{6761, 6763, 4, L(12) | L(13) | L(14) | L(15) | L1619},
	{676770, 676770, 6, L(12) | L(13) | L(14) | L(15) | L1619},
	{676774, 676774, 6, L(12) | L(13) | L(14) | L(15) | L1619},
	{5019, 5019, 4, L(16)},                          /* Dankort */
	{2200, 2204, 4, L1619},                          /* Mir */
	{2205, 2205, 4, L(16)},                          /* BORICA */
	{60, 60, 2, L1619},                              /* RuPay, GPN, UkrCard, Hipercard */
	{508, 508, 3, L(16)}, {353, 353, 3, L(16)}, {356, 356, 3, L(16)}, /* RuPay */
	{9792, 9792, 4, L(16)},                          /* Troy */
	{1, 1, 1, L(15)},                                /* UATP */
	{506099, 506198, 6, L(16) | L(18) | L(19)},      /* Verve */
	{507865, 507964, 6, L(16) | L(18) | L(19)},
	{650002, 650027, 6, L(16) | L(18) | L(19)},
	{636, 636, 3, L1619},                            /* InterPayment */
	{637, 639, 3, L(16)},                            /* InstaPayment */
	{357111, 357111, 6, L(16)},                      /* LankaPay */
	{8600, 8600, 4, L(16)}, {5614, 5614, 4, L(16)},  /* Uzcard */
	{9860, 9860, 4, L(16)},                          /* Humo */
	{1946, 1946, 4, L(16) | L(18) | L(19)},          /* GPN (Indonesia) */
	{50, 50, 2, L(16) | L(18) | L(19)}, {56, 56, 2, L(16) | L(18) | L(19)},
	{58, 58, 2, L(16) | L(18) | L(19)}, {61, 63, 2, L(16) | L(18) | L(19)},
	{9704, 9704, 4, L(16) | L(19)},                  /* Napas */
	{506699, 506778, 6, L(16)}, {509000, 509999, 6, L(16)}, /* Elo */
	{627780, 627780, 6, L(16)}, {636297, 636297, 6, L(16)}, {636368, 636368, 6, L(16)},
	{3841, 3841, 4, L(16) | L(19)},                  /* Hipercard */
};
#undef L1619
#undef L

/* Some network's IIN range holds the PAN's prefix and allows its length n. */
static bool card_iin_ok(const char *d, int n)
{
	for (size_t k = 0; k < MAGI_ARRAY_LEN(card_iins); k++) {
		if (n < card_iins[k].digits || !(card_iins[k].len & (1u << n)))
			continue;
		uint32_t v = 0;
		for (int i = 0; i < card_iins[k].digits; i++)
			v = v * 10 + (uint32_t)(d[i] - '0');
		if (v >= card_iins[k].lo && v <= card_iins[k].hi)
			return true;
	}
	return false;
}

/* Groups of a card number: one block, or blocks with one separator, the first of 3-6
 * digits (issuers print 4 or 6: "4111 1111 ...", "3782 822463 10005", "622126 ..."; OCR
 * splits one now and then), the others of 3-13 and the last of 2-13 ("6759 6498 2643 8453
 * 71", "622126 1234567890123"). OCR
 * sometimes splits a block with a space ("601 1-3365-..."): with '-' as the separator,
 * spaces inside blocks are forgiven. join > g0 names a group whose space before it OCR
 * invented ("554786827 1733676"): it joins the group before. With dot, one '.' may stand
 * for the separator the others use. */
static bool card_groups_ok(const struct magi__pii_run *r, int g0, int g1, int join, bool dot)
{
	if (g0 == g1)
		return true;
	/* a separator is ' ', '-', or a '-' with a stray space beside it ("5280-8085 -9801") */
	char sep[MAGI_PII_RUN_MAX_GROUPS];
	int dash = 0, space = 0;
	for (int g = g0 + 1; g <= g1; g++) {
		const char *x = r->sep[g];
		if (g == join) {
			if (strcmp(x, " "))
				return false;
			sep[g] = 0;
			continue;
		}
		/* a '.' is OCR's reading of the other separators ("3778-840344.96077"), once */
		if (!strcmp(x, ".")) {
			if (!dot)
				return false;
			dot = false;
			sep[g] = '.';
			continue;
		}
		if (!strcmp(x, " ") )
			sep[g] = ' ';
		else if (!strcmp(x, "-") || !strcmp(x, " -") || !strcmp(x, "- "))
			sep[g] = '-';
		else
			return false;
		dash += sep[g] == '-';
		space += sep[g] == ' ';
	}
	if (!dash && !space)
		return true; /* one block after the join */
	char dom = dash >= space ? '-' : ' ';
	for (int g = g0 + 1; g <= g1; g++)
		if (sep[g] == '.')
			sep[g] = dom;
	int merged = r->gd[g0];
	bool merged_first = true;
	for (int g = g0 + 1; g <= g1 + 1; g++) {
		if (g <= g1 && (!sep[g] || (dom == '-' && sep[g] == ' '))) {
			merged += r->gd[g];
			continue;
		}
		/* a group of two digits only ends a number ("4-4-4-4-2" for 18 digits) */
		if (merged < (merged_first || g <= g1 ? 3 : 2) || merged > (merged_first ? 6 : 13))
			return false;
		merged_first = false;
		if (g <= g1) {
			if (sep[g] != dom)
				return false;
			merged = r->gd[g];
		}
	}
	return true;
}

/* Labels of numbers that are not cards, for readings that needed a repair. */
static const char *const not_card_words[] = {"order", "invoice", "isbn", "ref", "reference",
					     "tracking", "sku", "serial", "ticket", NULL};

/* Does groups [g0, g1] make a card layout after one OCR repair: a '.' read for the
 * separator, or one space inside a block dropped? A run of n groups costs n layouts. */
static bool card_repaired_layout(const struct magi__pii_run *r, int g0, int g1)
{
	if (card_groups_ok(r, g0, g1, -1, true))
		return true;
	for (int g = g0 + 1; g <= g1; g++)
		if (card_groups_ok(r, g0, g1, g, false))
			return true;
	return false;
}

static magi_status cards_in(const char *t, size_t len, const struct magi_pii_params *p, struct magi__fvec *fv);

/* The digit small type's other look-alikes stand for in a card's group (session 11): Z 2,
 * G 6, T 7, g 9 — none a hex digit, so a hash or key in groups stays as read. */
static char card_lookalike(uc c)
{
	switch (c) {
	case 'Z':
		return '2';
	case 'G':
		return '6';
	case 'T':
		return '7';
	case 'g':
		return '9';
	default:
		return 0;
	}
}

/* Cards with one of those look-alikes in a group ("27Z0 3419 2541 2242", "3528 G291 ..."):
 * the text is read again with them as digits where a group of four to six glyphs holds
 * one of them and three or more true digits; a card found there (its issuer's range and
 * length and Luhn, as every card) that spans one or two changed glyphs and overlaps no card
 * already found is added, `repaired`. */
static magi_status cards_lookalike(const char *t, size_t len, const struct magi_pii_params *p,
				   struct magi__fvec *fv)
{
	char *b = NULL;
	for (size_t i = 0; i < len;) {
		if (!magi__is_digit((uc)t[i]) && !card_lookalike((uc)t[i])) {
			i++;
			continue;
		}
		size_t e = i;
		int nd = 0, nl = 0;
		while (e < len && (magi__is_digit((uc)t[e]) || card_lookalike((uc)t[e])))
			nd += magi__is_digit((uc)t[e]), nl += !magi__is_digit((uc)t[e]), e++;
		bool edge = (i == 0 || !magi__is_alnum((uc)t[i - 1])) && (e == len || !magi__is_alnum((uc)t[e]));
		if (nl == 1 && nd >= 3 && e - i >= 4 && e - i <= 6 && edge) {
			if (!b) {
				b = malloc(len + 1);
				if (!b)
					return MAGI_ERR_NOMEM;
				memcpy(b, t, len);
				b[len] = '\0';
			}
			for (size_t k = i; k < e; k++)
				if (!magi__is_digit((uc)t[k]))
					b[k] = card_lookalike((uc)t[k]);
		}
		i = e;
	}
	if (!b)
		return MAGI_OK;
	struct magi__fvec more = {0};
	magi_status st = cards_in(b, len, p, &more);
	for (size_t f = 0; !st && f < more.n; f++) {
		const struct magi_pii_finding *m = &more.v[f];
		int changed = 0;
		bool dup = false;
		for (size_t k = m->start; k < m->end; k++)
			changed += b[k] != t[k];
		for (size_t g = 0; g < fv->n && !dup; g++)
			dup = fv->v[g].start < m->end && m->start < fv->v[g].end &&
			      (fv->v[g].type == MAGI_PII_CARD || fv->v[g].score >= 1.0f);
		/* one or two glyphs misread; more is a code of letters and digits */
		if (!changed || changed > 2 || dup)
			continue;
		st = magi__fvec_push_repaired(fv, MAGI_PII_CARD, m->start, m->end, MAGI_PII_SCORE_REPAIRED);
	}
	magi__fvec_release(&more);
	free(b);
	return st;
}

magi_status magi__pii_cards(const char *t, size_t len, const struct magi_pii_params *p,
			    struct magi__fvec *fv)
{
	magi_status st = cards_in(t, len, p, fv);
	return st || !p->ocr_fuzzy ? st : cards_lookalike(t, len, p, fv);
}

static magi_status cards_in(const char *t, size_t len, const struct magi_pii_params *p, struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		if (!magi__pii_left_boundary(t, i) || !(magi__is_digit((uc)t[i]) ||
					      (p->ocr_fuzzy && magi__pii_fuzzy_digit((uc)t[i]))))
			continue;
		/* after a '+' a number is E.164's (session 10: "+49 221 80697683" is a phone
		 * number that happens to pass Luhn in Visa's range; no card is written so) */
		if (i > 0 && t[i - 1] == '+')
			continue;
		struct magi__pii_run r;
		if (!magi__pii_parse_run(t, len, i, p->ocr_fuzzy ? " -." : " -", 2, p->ocr_fuzzy, false, &r))
			continue;
		/* pass 0 reads the groups as printed; pass 1, only when that found nothing in the
		 * run, allows one repair ("554786827 1733676", "3778-840344.96077") */
		bool found = false;
		for (int pass = 0; pass < (p->ocr_fuzzy ? 2 : 1) && !found; pass++) {
			if (pass && magi__pii_context_has(t, i, 32, not_card_words))
				break;
			for (int g0 = 0; g0 < r.ng; g0++) {
				for (int g1 = r.ng - 1; g1 >= g0; g1--) {
					char d[MAGI_PII_RUN_MAX_DIGITS * 2];
					int n = magi__pii_run_digits(&r, g0, g1, d, sizeof d);
					if (n < 12 || n > 19)
						continue;
					/* an issuer's range and length, and Luhn: a number failing them is
					 * no card, whatever label stands before it */
					if (n < 12 || !card_iin_ok(d, n) || !magi_pii_luhn_valid(d, (size_t)n))
						continue;
					/* a joined reading counts only when issuer and Luhn check */
					if (pass ? card_groups_ok(&r, g0, g1, -1, false) ||
							   !card_repaired_layout(&r, g0, g1)
						 : !card_groups_ok(&r, g0, g1, -1, false))
						continue;
					/* look-alike letters read as digits: Luhn holds only on the
					 * repaired reading (a layout repair keeps the digits as read) */
					bool looks = magi__pii_run_fuzzy_in(&r, t, g0, g1) > 0;
					float score = looks ? MAGI_PII_SCORE_REPAIRED : pass ? 0.9f : 1.0f;
					magi_status st = magi__fvec_push(fv, MAGI_PII_CARD, r.gs[g0],
									 r.ge[g1], score, NULL);
					if (st)
						return st;
					fv->v[fv->n - 1].repaired = looks;
					found = true;
					g0 = g1;
					break;
				}
			}
		}
		i = r.end;
	}
	return MAGI_OK;
}

/* ---- US SSN ---------------------------------------------------------------------------- */
/* The SSA's rules since the 2011 randomization: area 001-899 except 666, group 01-99, serial
 * 0001-9999. Written "123-45-6789", "123 45 6789" or "123.45.6789" (one separator), or
 * "123456789" after an SSN label. */
static const char *const ssn_words[] = {"ssn", "social security", "ss#", "ss no", "ssn#",
					"soc. sec", "soc sec", "ss number",
					/* small type's commas for the abbreviation's dots ("Soc, Sec, No,"),
					 * its S read as 5 or § ("§5 No,") */
					"soc, sec", "soc,sec", "s5 no", "5s no", "\xC2\xA7" "s no", "\xC2\xA7" "5 no",
					/* session 8: either S of "SS No." read as 5, 8 or § ("88 No.") */
					"55 no", "88 no", "58 no", "85 no", "s8 no", "8s no", "\xC2\xA7" "8 no",
					/* "Soclal Security Number" as small type comes out */
					"security number", "security no",
					/* session 10: "Social Security #" with a glyph glued before
					 * it ("lsocial security #: 356109714") */
					"security #", "security#",
					/* "SSN#" with its # read F or H ("SSNF 279457201") */
					"ssnf", "ssnh", NULL};

/* The length of the digit run at t[i] when it is lo..hi digits long, else 0. */
static int digit_count(const char *t, size_t len, size_t i, int lo, int hi)
{
	int n = 0;
	while (i + (size_t)n < len && magi__is_digit((uc)t[i + (size_t)n]) && n <= hi)
		n++;
	return n >= lo && n <= hi ? n : 0;
}

static int digits_value(const char *t, size_t i, int n)
{
	int v = 0;
	for (int k = 0; k < n; k++)
		v = v * 10 + (t[i + (size_t)k] - '0');
	return v;
}

static magi_status ssns_in(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i + 9 <= len; i++) {
		if (!magi__pii_left_boundary(t, i) || (i > 0 && (t[i - 1] == '-' || t[i - 1] == '.')) ||
		    !magi__is_digit((uc)t[i]))
			continue;
		/* at least two digits, or a 9-digit run: then the label decides the rest */
		if (i + 1 >= len || !magi__is_digit((uc)t[i + 1]))
			continue;
		bool label = magi__pii_context_has(t, i, 32, ssn_words);
		int d[3], want[3] = {3, 2, 4};
		size_t q = i, gs[3];
		char s1 = 0;
		bool ok = true, spaced = false, mixed = false;
		int shortg = 0;
		if (label && digit_count(t, len, i, 9, 9)) {
			/* bare after its label: "SSN: 123456789" */
			gs[0] = i, gs[1] = i + 3, gs[2] = i + 5;
			d[0] = 3, d[1] = 2, d[2] = 4;
			q = i + 9;
		} else {
			/* 3-2-4 digits split by '-', ' ' or '.' (OCR may add a space after a dash);
			 * with an SSN label, one group a digit short, or the middle one a digit long
			 * (OCR drops or doubles a glyph) */
			for (int g = 0; g < 3 && ok; g++) {
				gs[g] = q;
				d[g] = digit_count(t, len, q, want[g] - (label ? 1 : 0), want[g] + (label && g == 1));
				ok = d[g] != 0;
				shortg += ok && d[g] != want[g];
				q += (size_t)d[g];
				if (!ok || g == 2)
					break;
				/* small type's dotted form with a space before a comma ("302,81 ,0204") */
				bool gap = q + 2 < len && t[q] == ' ' && t[q + 1] == ',' && (!g || s1 == ',');
				if (gap) {
					spaced = true;
					q++;
				}
				char s = q < len ? t[q] : 0;
				if (g == 0)
					s1 = s;
				/* after a label, OCR's ',' for the dotted form's '.' ("548,14,4718");
				 * one dot of the two read as a comma ("041.77,7561": session 8) */
				bool dotlike = s1 && s && strchr(".,", s1) && strchr(".,", s);
				ok = (s == s1 || dotlike) && (s == '-' || s == ' ' || s == '.' || s == ',');
				mixed |= s != s1;
				/* without a label, only as ", " or ',' between exact groups ("275, 48,
				 * 1573", "012,81,2217": small type's dotted form; no number's
				 * thousands are grouped 3-2-4) */
				if (ok && (s == ',' || mixed) && !label)
					ok = d[g] == want[g] && q + 2 < len &&
					     (magi__is_digit((uc)t[q + 1]) ||
					      (t[q + 1] == ' ' && magi__is_digit((uc)t[q + 2])));
				q++;
				/* a space after a dash, a comma or (small type, "748. 46.6707") a dot */
				if (ok && (s == '-' || s == ',' || s == '.') && q + 1 < len && t[q] == ' ' &&
				    magi__is_digit((uc)t[q + 1])) {
					spaced = true;
					q++;
				}
			}
		}
		if (!ok || shortg > 1)
			continue;
		size_t e = q;
		/* not inside a longer number, a date or a dotted quad */
		if (e < len && (magi__is_alnum((uc)t[e]) ||
				((t[e] == s1 || t[e] == '-' || t[e] == '.' || t[e] == '/') && e + 1 < len &&
				 magi__is_digit((uc)t[e + 1]))))
			continue;
		int area = digits_value(t, gs[0], d[0]), group = digits_value(t, gs[1], d[1]);
		bool serial0 = d[2] == 4 && !memcmp(t + gs[2], "0000", 4);
		if ((!shortg && (area == 0 || area == 666 || area >= 900)) || group == 0 || serial0)
			continue;
		/* spaced and dotted forms without a label are likelier other numbers, and after
		 * a phone label a phone number */
		if (s1 != '-' && !label && magi__pii_phone_labelled(t, i))
			continue;
		/* the comma form must not sit in a list of numbers ("1, 275, 48, 1573, 9") */
		bool commas = (s1 == ',' && !label) || mixed;
		if (commas && ((e + 2 < len && t[e] == ',' && magi__is_digit((uc)t[e + (t[e + 1] == ' ') + 1])) ||
			       (i >= 2 && t[i - 1] == ' ' && t[i - 2] == ',') || (i >= 1 && t[i - 1] == ',')))
			continue;
		float score = commas ? MAGI_PII_SCORE_REPAIRED
			      : shortg || spaced ? 0.85f : s1 == '-' || label ? 1.0f : 0.8f;
		magi_status st = magi__fvec_push(fv, MAGI_PII_SSN, i, e, score, NULL);
		if (st)
			return st;
		fv->v[fv->n - 1].repaired = commas;
		i = e;
	}
	return MAGI_OK;
}

/* SSNs, and those whose first glyph small type read as the letter O ("O31 91 2171"): read
 * with a 0 there, they are `repaired` (score MAGI_PII_SCORE_REPAIRED). */
magi_status magi__pii_ssns(const char *t, size_t len, struct magi__fvec *fv)
{
	magi_status st = ssns_in(t, len, fv);
	char *copy = NULL;
	for (size_t i = 0; !st && i + 3 <= len; i++) {
		if (t[i] != 'O' || !magi__pii_left_boundary(t, i) || !magi__is_digit((uc)t[i + 1]) ||
		    !magi__is_digit((uc)t[i + 2]))
			continue;
		if (!copy && !(copy = magi__strndup(t, len)))
			return MAGI_ERR_NOMEM;
		copy[i] = '0';
	}
	if (!copy || st) {
		free(copy);
		return st;
	}
	struct magi__fvec more = {0};
	st = ssns_in(copy, len, &more);
	for (size_t k = 0; !st && k < more.n; k++) {
		const struct magi_pii_finding *f = &more.v[k];
		if (t[f->start] != 'O')
			continue;
		st = magi__fvec_push_repaired(fv, MAGI_PII_SSN, f->start, f->end, MAGI_PII_SCORE_REPAIRED);
	}
	magi__fvec_release(&more);
	free(copy);
	return st;
}
