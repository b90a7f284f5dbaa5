/* pii_numbers.c — PII that is a run of digit groups: payment cards (issuer prefix, length,
 * Luhn), US SSNs and phone numbers (international, NANP and national trunk-0 shapes). The
 * digit-group reader tolerates OCR's look-alike letters inside groups. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* ---- digit-group runs ("4111 1111-1111", "+44 (0)20 7946 0958") ----------------------- */
#define RUN_MAX_GROUPS 12
#define RUN_MAX_DIGITS 40
struct run {
	size_t start, end; /* from the first char ('+', '(' or digit) to the last digit */
	int ng;
	size_t gs[RUN_MAX_GROUPS], ge[RUN_MAX_GROUPS];
	int gd[RUN_MAX_GROUPS];              /* digits in group */
	char sep[RUN_MAX_GROUPS][4];          /* separator before group g (g >= 1) */
	char dig[RUN_MAX_GROUPS][RUN_MAX_DIGITS + 1]; /* group digits, fuzzy ones mapped */
	int fuzzy;                            /* letters read as digits */
	bool plus, lead_paren;
};

/* One group of digits at t[i]: true digits plus (when fuzzy) look-alike letters, no more
 * look-alikes than true digits, and not glued to other letters. */
static bool parse_group(const char *t, size_t len, size_t i, bool fuzzy, size_t *end, char *dig,
			int *nd_out, int *nf_out)
{
	int nd = 0, nf = 0, k = 0;
	size_t p = i;
	while (p < len && k < RUN_MAX_DIGITS) {
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

/* Parses a run of groups starting at i. seps: allowed separator chars; maxsep: longest
 * separator. With `phone`, a leading '+' or '(' is taken and parentheses may separate. */
static bool parse_run(const char *t, size_t len, size_t i, const char *seps, size_t maxsep,
		      bool fuzzy, bool phone, struct run *r)
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
		if (r->ng == RUN_MAX_GROUPS ||
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
		if (r->ng < RUN_MAX_GROUPS)
			memcpy(r->sep[r->ng], sep, sizeof sep);
		p = q;
	}
	return r->ng > 0;
}

/* Concatenates groups [g0, g1] into out (cap RUN_MAX_DIGITS*2), returns the digit count. */
static int run_digits(const struct run *r, int g0, int g1, char *out, size_t cap)
{
	size_t k = 0;
	for (int g = g0; g <= g1; g++)
		for (const char *d = r->dig[g]; *d && k + 1 < cap; d++)
			out[k++] = *d;
	out[k] = '\0';
	return (int)k;
}

static int run_fuzzy_in(const struct run *r, const char *t, int g0, int g1)
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

/* Issuer prefix and length agree (Visa, Mastercard, Amex, Diners, Discover, JCB,
 * UnionPay, Mir). */
static bool card_iin_ok(const char *d, int n)
{
	int p2 = (d[0] - '0') * 10 + (d[1] - '0');
	int p4 = p2 * 100 + (d[2] - '0') * 10 + (d[3] - '0');
	switch (d[0]) {
	case '4':
		return n == 13 || n == 16 || n == 19;
	case '5':
		return p2 >= 51 && p2 <= 55 && n == 16;
	case '2':
		if (p4 >= 2221 && p4 <= 2720)
			return n == 16;
		return p4 >= 2200 && p4 <= 2204 && n >= 16 && n <= 19;
	case '3':
		if (p2 == 34 || p2 == 37)
			return n == 15;
		if (p2 == 36 || p2 == 38 || p2 == 39 || (p2 == 30 && d[2] <= '5'))
			return n >= 14 && n <= 19;
		if (p4 >= 3528 && p4 <= 3589)
			return n >= 16 && n <= 19;
		return false;
	case '6':
		if (p4 == 6011 || p2 == 65 || (p4 / 10 >= 644 && p4 / 10 <= 649) || p2 == 62)
			return n >= 16 && n <= 19;
		return false;
	default:
		return false;
	}
}

static const char *const card_words[] = {"card", "credit", "debit", "visa", "mastercard",
					 "amex", "cc", "card no", "card number", NULL};

/* Groups of a card number: one block, or blocks of 3-6 digits with one separator. OCR
 * sometimes splits a block with a space ("601 1-3365-..."): with '-' as the separator,
 * spaces inside blocks are forgiven. join > g0 names a group whose space before it OCR
 * invented ("554786827 1733676"): it joins the group before. With dot, one '.' may stand
 * for the separator the others use. */
static bool card_groups_ok(const struct run *r, int g0, int g1, int join, bool dot)
{
	if (g0 == g1)
		return true;
	/* a separator is ' ', '-', or a '-' with a stray space beside it ("5280-8085 -9801") */
	char sep[RUN_MAX_GROUPS];
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
	for (int g = g0 + 1; g <= g1 + 1; g++) {
		if (g <= g1 && (!sep[g] || (dom == '-' && sep[g] == ' '))) {
			merged += r->gd[g];
			continue;
		}
		if (merged < 3 || merged > 6)
			return false;
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
static bool card_repaired_layout(const struct run *r, int g0, int g1)
{
	if (card_groups_ok(r, g0, g1, -1, true))
		return true;
	for (int g = g0 + 1; g <= g1; g++)
		if (card_groups_ok(r, g0, g1, g, false))
			return true;
	return false;
}

magi_status magi__pii_cards(const char *t, size_t len, const struct magi_pii_params *p,
				struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		if (!magi__pii_left_boundary(t, i) || !(magi__is_digit((uc)t[i]) ||
					      (p->ocr_fuzzy && magi__pii_fuzzy_digit((uc)t[i]))))
			continue;
		struct run r;
		if (!parse_run(t, len, i, p->ocr_fuzzy ? " -." : " -", 2, p->ocr_fuzzy, false, &r))
			continue;
		/* pass 0 reads the groups as printed; pass 1, only when that found nothing in the
		 * run, allows one repair ("554786827 1733676", "3778-840344.96077") */
		bool found = false;
		for (int pass = 0; pass < (p->ocr_fuzzy ? 2 : 1) && !found; pass++) {
			if (pass && magi__pii_context_has(t, i, 32, not_card_words))
				break;
			for (int g0 = 0; g0 < r.ng; g0++) {
				for (int g1 = r.ng - 1; g1 >= g0; g1--) {
					char d[RUN_MAX_DIGITS * 2];
					int n = run_digits(&r, g0, g1, d, sizeof d);
					if (n < 13 || n > 19)
						continue;
					bool valid = card_iin_ok(d, n) && magi_pii_luhn_valid(d, (size_t)n);
					/* a joined reading counts only when issuer and Luhn check */
					if (pass ? !valid || card_groups_ok(&r, g0, g1, -1, false) ||
							   !card_repaired_layout(&r, g0, g1)
						 : !card_groups_ok(&r, g0, g1, -1, false))
						continue;
					/* Luhn failed but a card label stands right before a card-shaped
					 * number: an OCR misread of a real card is likelier than not */
					bool labelled = !valid && g1 > g0 && (n == 15 || n == 16) &&
							magi__pii_context_has(t, r.gs[g0], 32, card_words);
					if (!valid && !labelled)
						continue;
					float score = !valid ? 0.6f
						      : run_fuzzy_in(&r, t, g0, g1) || pass ? 0.9f : 1.0f;
					magi_status st = magi__fvec_push(fv, MAGI_PII_CARD, r.gs[g0],
									 r.ge[g1], score, NULL);
					if (st)
						return st;
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
static const char *const ssn_words[] = {"ssn", "social security", "ss#", "ss no", NULL};

/* The length of the digit run at t[i] when it is lo..hi digits long, else 0. */
static int digit_count(const char *t, size_t len, size_t i, int lo, int hi)
{
	int n = 0;
	while (i + (size_t)n < len && magi__is_digit((uc)t[i + (size_t)n]) && n <= hi)
		n++;
	return n >= lo && n <= hi ? n : 0;
}

magi_status magi__pii_ssns(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i + 10 <= len; i++) {
		if (!magi__pii_left_boundary(t, i) || (i > 0 && t[i - 1] == '-') || !magi__is_digit((uc)t[i]))
			continue;
		/* 3-2-4 digits split by '-' (OCR may add a space after one) or spaces; with an
		 * SSN label before it, one group a digit short, or the middle one a digit long
		 * (OCR drops or doubles a glyph) */
		bool label = magi__pii_context_has(t, i, 32, ssn_words);
		int d[3], want[3] = {3, 2, 4};
		size_t q = i, gs[3];
		char s1 = 0;
		bool ok = true, spaced = false;
		int shortg = 0;
		for (int g = 0; g < 3 && ok; g++) {
			gs[g] = q;
			d[g] = digit_count(t, len, q, want[g] - (label ? 1 : 0), want[g] + (label && g == 1));
			ok = d[g] != 0;
			shortg += ok && d[g] != want[g];
			q += (size_t)d[g];
			if (!ok || g == 2)
				break;
			char s = q < len ? t[q] : 0;
			if (g == 0)
				s1 = s;
			ok = s == s1 && (s == '-' || s == ' ');
			q++;
			if (ok && s == '-' && q + 1 < len && t[q] == ' ' && magi__is_digit((uc)t[q + 1])) {
				spaced = true;
				q++;
			}
		}
		if (!ok || shortg > 1)
			continue;
		size_t e = q;
		if (e < len && (magi__is_alnum((uc)t[e]) ||
				(t[e] == s1 && e + 1 < len && magi__is_digit((uc)t[e + 1]))))
			continue;
		int area = 0, group = 0;
		for (int k = 0; k < d[0]; k++)
			area = area * 10 + (t[gs[0] + (size_t)k] - '0');
		for (int k = 0; k < d[1]; k++)
			group = group * 10 + (t[gs[1] + (size_t)k] - '0');
		bool serial0 = d[2] == 4 && !memcmp(t + gs[2], "0000", 4);
		if ((!shortg && (area == 0 || area == 666 || area >= 900)) || group == 0 || serial0)
			continue;
		/* "123 45 6789" is too common a shape to call an SSN without its label */
		if (s1 == ' ' && !label)
			continue;
		magi_status st = magi__fvec_push(fv, MAGI_PII_SSN, i, e, shortg || spaced ? 0.85f : 1.0f,
						 NULL);
		if (st)
			return st;
		i = e;
	}
	return MAGI_OK;
}

/* ---- phone numbers ---------------------------------------------------------------------- */
static const char *const phone_words[] = {"tel", "phone", "telephone", "mobile", "mob", "cell",
					  "call", "fax", "whatsapp", "contact", "telefon", "tél",
					  "handy", NULL};
static const char *const not_phone_words[] = {"order", "invoice", "isbn", "ref", "sku",
					      "tracking", "serial", "id", "no", "nr", "version",
					      "build", "account", "acct", "ticket", "case", NULL};

static bool sep_is(const char *s, const char *one_of)
{
	return s[0] && !s[1] && strchr(one_of, s[0]);
}

/* Does groups [g0, g1] of r read as a phone number? */
static bool phone_shape(const struct run *r, int g0, int g1, bool plus, bool lead_paren,
			bool labelled)
{
	char d[RUN_MAX_DIGITS * 2];
	int n = run_digits(r, g0, g1, d, sizeof d);
	int ng = g1 - g0 + 1;
	/* dates: 2-2-4 or 4-2-2 with one separator are never phone numbers */
	if (ng >= 3 && !plus && !strcmp(r->sep[g0 + 1], r->sep[g0 + 2]) &&
	    sep_is(r->sep[g0 + 1], "./-") &&
	    ((r->gd[g0] <= 2 && r->gd[g0 + 1] <= 2 && r->gd[g0 + 2] == 4) ||
	     (r->gd[g0] == 4 && r->gd[g0 + 1] <= 2 && r->gd[g0 + 2] <= 2)))
		return false;
	for (int g = g0 + 1; g <= g1; g++) {
		const char *s = r->sep[g];
		/* separators: " ", "-", ".", "/", ") ", ")", " (", "(", " - " */
		if (!(sep_is(s, " -./()") || !strcmp(s, ") ") || !strcmp(s, " (") ||
		      !strcmp(s, " - ") || !strcmp(s, ")-")))
			return false;
	}
	if (plus) /* international: +CC then 7..14 more digits */
		return n >= 8 && n <= 15 && r->gd[g0] <= 4 + 10 * (ng == 1);
	if (n >= 11 && n <= 15 && d[0] == '0' && d[1] == '0' && d[2] != '0' && ng >= 2 && /* 00 CC */
	    sep_is(r->sep[g0 + 1], " -"))
		return true;
	/* US/NANP: (NNN) NNN-NNNN, NNN-NNN-NNNN, NNN.NNN.NNNN, NNN NNN NNNN, 1-NNN-NNN-NNNN */
	int o = g0;
	if (ng == 4 && r->gd[g0] == 1 && d[0] == '1')
		o++;
	if (g1 - o == 2 && r->gd[o] == 3 && r->gd[o + 1] == 3 && r->gd[o + 2] == 4 &&
	    r->dig[o][0] >= '2') {
		const char *s1 = r->sep[o + 1], *s2 = r->sep[o + 2];
		bool paren = (lead_paren && o == g0) && (!strcmp(s1, ") ") || !strcmp(s1, ")"));
		if (paren && (sep_is(s2, "-. ")))
			return true;
		if (!lead_paren && sep_is(s1, "-. ") && !strcmp(s1, s2))
			return true;
	}
	/* national trunk prefix 0 (UK, DE, FR, ...): "020 7946 0958", "030 12345678",
	 * "01 23 45 67 89", "(030) 1234567", "089/1234567". After the first separator all
	 * separators agree, which keeps date ranges ("01.02.2024 / 03.04.2024") out. */
	if (d[0] == '0' && d[1] != '0' && n >= 9 && (n <= 11 || (n == 12 && ng == 2)) && ng >= 2 &&
	    r->gd[g0] >= 2 && r->gd[g1] >= 2) {
		/* five pairs (the French layout) may mix ' ' and '.': OCR reads a space as a
		 * dot now and then ("05 52.00 63.49") */
		bool pairs = ng == 5;
		for (int g = g0; g <= g1 && pairs; g++)
			pairs = r->gd[g] == 2 && (g == g0 || sep_is(r->sep[g], " ."));
		if (pairs)
			return true;
		for (int g = g0; g <= g1; g++)
			if (r->gd[g] > 8 || (g > g0 + 2 && strcmp(r->sep[g], r->sep[g0 + 2])))
				return false;
		return true;
	}
	if (labelled && n >= 7 && n <= 15)
		return true;
	return false;
}

magi_status magi__pii_phones(const char *t, size_t len, const struct magi_pii_params *p,
				 struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		uc c = (uc)t[i];
		/* a leading 0 read as '@' or 'O' ("@8 85 58 76 38") starts a number too */
		bool starter = magi__is_digit(c) ||
			       ((c == '+' || c == '(' || (p->ocr_fuzzy && magi__pii_fuzzy_digit(c) == '0')) &&
				i + 1 < len && magi__is_digit((uc)t[i + 1]));
		if (!starter || !magi__pii_left_boundary(t, i))
			continue;
		/* a number glued to '.', ',' or '#' on its left is a decimal, a list or an id */
		if (i > 0 && (t[i - 1] == '.' || t[i - 1] == ',' || t[i - 1] == '#' ||
			      t[i - 1] == '$' || t[i - 1] == ':'))
			continue;
		struct run r;
		if (!parse_run(t, len, i, " -./()", 3, p->ocr_fuzzy, true, &r))
			continue;
		/* the number must not go on as a decimal or a version ("1.2.3") */
		bool labelled = magi__pii_context_has(t, i, 24, phone_words);
		bool negative = !r.plus && !labelled && magi__pii_context_has(t, i, 24, not_phone_words);
		size_t after = r.end;
		bool glued = after < len && (t[after] == '.' || t[after] == ',' || t[after] == ':') &&
			     after + 1 < len && magi__is_digit((uc)t[after + 1]);
		bool found = false;
		if (!negative && !glued) {
			for (int g1 = r.ng - 1; g1 >= 0 && !found; g1--) {
				if (!phone_shape(&r, 0, g1, r.plus, r.lead_paren, labelled))
					continue;
				size_t s = r.start;
				float score = run_fuzzy_in(&r, t, 0, g1) ? 0.8f : 1.0f;
				magi_status st = magi__fvec_push(fv, MAGI_PII_PHONE, s, r.ge[g1], score,
								 NULL);
				if (st)
					return st;
				found = true;
				i = r.ge[g1];
			}
		}
		if (!found)
			i = r.end > i ? r.end - 1 : i;
	}
	return MAGI_OK;
}
