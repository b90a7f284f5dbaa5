/* pii_detect.c — the PII detectors: hand-written scanners, one per type, each appending
 * candidate spans over a text. Precision comes from checksums (Luhn, mod-97), issuer
 * prefixes, national numbering shapes and a little context (the words just before a
 * number); OCR noise is tolerated by reading O/l/I/S/B as digits inside digit groups. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/guard_internal.h"
#include "core/common.h"

typedef unsigned char uc;

/* The digit an OCR engine most often meant by a letter, or 0. */
static char fuzzy_digit(uc c)
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

static bool left_boundary(const char *t, size_t i)
{
	return i == 0 || !magi__is_alnum((uc)t[i - 1]);
}

/* true when one of words occurs (as a word) within `back` bytes before i, on the same line. */
static bool context_has(const char *t, size_t i, size_t back, const char *const *words)
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
		} else if (fuzzy && fuzzy_digit(c)) {
			dig[k++] = fuzzy_digit(c);
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
		if (!magi__is_digit(c) && !(fuzzy && fuzzy_digit(c) && q + 1 < len &&
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

static magi_status detect_cards(const char *t, size_t len, const struct magi_pii_params *p,
				struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		if (!left_boundary(t, i) || !(magi__is_digit((uc)t[i]) ||
					      (p->ocr_fuzzy && fuzzy_digit((uc)t[i]))))
			continue;
		struct run r;
		if (!parse_run(t, len, i, p->ocr_fuzzy ? " -." : " -", 2, p->ocr_fuzzy, false, &r))
			continue;
		/* pass 0 reads the groups as printed; pass 1, only when that found nothing in the
		 * run, allows one repair ("554786827 1733676", "3778-840344.96077") */
		bool found = false;
		for (int pass = 0; pass < (p->ocr_fuzzy ? 2 : 1) && !found; pass++) {
			if (pass && context_has(t, i, 32, not_card_words))
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
							context_has(t, r.gs[g0], 32, card_words);
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

/* ---- IBAN ------------------------------------------------------------------------------ */
static const struct {
	char cc[3];
	int len;
} iban_lengths[] = {
	{"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
	{"BG", 22}, {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28},
	{"CZ", 24}, {"DE", 22}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24},
	{"FI", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18},
	{"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23},
	{"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32},
	{"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24}, {"ME", 22},
	{"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24},
	{"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24},
	{"SC", 31}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"TL", 23}, {"TN", 24},
	{"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

static int iban_country_len(const char *cc)
{
	for (size_t i = 0; i < MAGI_ARRAY_LEN(iban_lengths); i++)
		if (iban_lengths[i].cc[0] == cc[0] && iban_lengths[i].cc[1] == cc[1])
			return iban_lengths[i].len;
	return 0;
}

bool magi_pii_iban_valid(const char *iban, size_t n)
{
	if (n < 15 || n > 34)
		return false;
	unsigned rem = 0;
	for (size_t k = 0; k < n; k++) {
		uc c = (uc)iban[(k + 4) % n]; /* the first four characters move to the end */
		if (magi__is_digit(c))
			rem = (rem * 10 + (unsigned)(c - '0')) % 97;
		else if (magi__is_alpha(c))
			rem = (rem * 100 + (unsigned)(magi__lower(c) - 'a' + 10)) % 97;
		else
			return false;
	}
	return rem == 1;
}

static const char *const iban_words[] = {"iban", "account", "konto", "bank", NULL};

/* Letters a non-ASCII glyph (or '$') may stand for: Tesseract reads a capital as a currency
 * sign or a Latin-1 letter now and then ("£S23" for ES23, "IT13¥56" for IT13Y56). */
static const struct {
	const char *utf8;
	const char *letters;
} foreign_glyphs[] = {
	{"\xC2\xA3", "EL"}, /* £ */
	{"\xC2\xA5", "Y"},  /* ¥ */
	{"\xE2\x82\xAC", "EC"}, /* € */
	{"\xC2\xA7", "S"},  /* § */
	{"\xC2\xA9", "C"},  /* © */
	{"\xC2\xAE", "R"},  /* ® */
	{"\xC3\x9F", "B"},  /* ß */
	{"\xC3\x98", "O"},  /* Ø */
	{"$", "S"},
};

/* The letters the glyph at t[i] may stand for and its byte length in *n, or NULL. */
static const char *foreign_glyph(const char *t, size_t len, size_t i, size_t *n)
{
	for (size_t k = 0; k < MAGI_ARRAY_LEN(foreign_glyphs); k++) {
		size_t gl = strlen(foreign_glyphs[k].utf8);
		if (i + gl <= len && !memcmp(t + i, foreign_glyphs[k].utf8, gl)) {
			*n = gl;
			return foreign_glyphs[k].letters;
		}
	}
	return NULL;
}

/* Letters an OCR engine may have read as a digit, a bar or a foreign glyph, for the
 * country code; *n is the bytes the character takes. */
static const char *country_options(const char *t, size_t len, size_t i, size_t *n)
{
	static const char upper[] = "A\0B\0C\0D\0E\0F\0G\0H\0I\0J\0K\0L\0M\0N\0O\0P\0Q\0R\0S\0"
				    "T\0U\0V\0W\0X\0Y\0Z";
	*n = 1;
	if (i >= len)
		return "";
	uc c = (uc)t[i];
	if (magi__is_upper(c))
		return upper + 2 * (c - 'A');
	/* lower-case letters shaped like their capitals ("cH87") */
	if (c && strchr("cosuvwxz", c))
		return upper + 2 * (c - 'a');
	switch (c) {
	case '1':
	case 'l':
	case '|':
		return "ITL";
	case '7':
		return "T";
	case '0':
		return "OD";
	case '5':
		return "S";
	case '8':
		return "B";
	default: {
		const char *f = foreign_glyph(t, len, i, n);
		if (f)
			return f;
		*n = 1;
		return "";
	}
	}
}

/* Digits a look-alike letter may stand for ("S" is a 5 or an 8). */
static const char *digit_options(uc c)
{
	switch (c) {
	case 'O':
	case 'o':
	case 'D':
	case '@':
		return "0";
	case 'l':
	case 'I':
	case '|':
	case 'T':
		return "1";
	case 'S':
	case 's':
		return "58";
	case 'B':
		return "8";
	case 'Z':
		return "2";
	case 'G':
		return "6";
	default:
		return "";
	}
}

/* Letters a digit may stand for where the account format wants a letter ("0ENL" is OENL). */
static const char *letter_options(uc c)
{
	switch (c) {
	case '0':
		return "OD";
	case '1':
		return "IL";
	case '2':
		return "Z";
	case '4':
		return "A";
	case '5':
		return "S";
	case '6':
		return "G";
	case '7':
		return "T";
	case '8':
		return "B";
	default:
		return "";
	}
}

/* How many letters open the country's BBAN (the bank code of GB, NL, IE, ...; the CIN of
 * IT and SM), from the IBAN registry; 0 when it opens with digits. */
static int iban_bank_letters(const char *cc)
{
	static const char four[] = "GB IE NL BG RO MT GI BH JO KW QA PK VG LC MU SC PS IQ";
	static const char one[] = "IT SM";
	for (const char *p = four; *p; p += p[2] ? 3 : 2)
		if (p[0] == cc[0] && p[1] == cc[1])
			return 4;
	for (const char *p = one; *p; p += p[2] ? 3 : 2)
		if (p[0] == cc[0] && p[1] == cc[1])
			return 1;
	return 0;
}

#define IBAN_MAX_CHARS 34
#define IBAN_MAX_VARIANTS 256 /* readings tried per candidate: mod-97 stays meaningful */

/* An IBAN candidate as printed: the characters (a foreign glyph kept as '?'), where it ends
 * in the text and how many group breaks it had. */
struct iban_cand {
	char s[IBAN_MAX_CHARS + 1];
	char opts[IBAN_MAX_CHARS][8]; /* readings of each position, the printed one first */
	const char *glyph;            /* letters of the one foreign glyph, or NULL */
	int glyph_at, n, spaces, breaks; /* breaks at group ends; all breaks */
	size_t end;
};

/* Collects want characters from t[q] (the country code is already in c->s[0..1]): single
 * spaces between characters, '@' for 0, and with fuzzy one foreign glyph. */
static bool iban_collect(const char *t, size_t len, size_t q, int want, bool fuzzy,
			 struct iban_cand *c)
{
	c->n = 2, c->spaces = 0, c->breaks = 0, c->glyph = NULL, c->glyph_at = -1, c->end = q;
	while (c->n < want && q < len) {
		uc ch = (uc)t[q];
		if (ch == ' ' && c->n >= 4 && q + 1 < len && t[q - 1] != ' ' &&
		    (magi__is_alnum((uc)t[q + 1]) || (uc)t[q + 1] >= 0x80 || t[q + 1] == '$' ||
		     t[q + 1] == '@' ||
		     (fuzzy && t[q + 1] == '(' && q + 2 < len && magi__is_alnum((uc)t[q + 2])))) {
			c->spaces += c->n % 4 == 0;
			c->breaks++;
			q += 1 + (t[q + 1] == '('); /* "ES95 (0093": a stray parenthesis */
			continue;
		}
		/* a group break read as '.' or ',' ("ES84.0717 3583") */
		if (fuzzy && (ch == '.' || ch == ',') && c->n % 4 == 0 && c->n >= 4 && q + 1 < len &&
		    magi__is_alnum((uc)t[q + 1])) {
			c->spaces++;
			c->breaks++;
			q++;
			continue;
		}
		size_t gl = 0;
		const char *g = fuzzy && !c->glyph && c->n >= 4 ? foreign_glyph(t, len, q, &gl) : NULL;
		if (g) {
			c->glyph = g;
			c->glyph_at = c->n;
			c->s[c->n++] = '?';
			q += gl;
			c->end = q;
			continue;
		}
		if (!magi__is_alnum(ch) && ch != '@')
			return false;
		c->s[c->n++] = (char)ch;
		c->end = ++q;
	}
	c->s[c->n] = '\0';
	return c->n == want && !(c->end < len && magi__is_alnum((uc)t[c->end]));
}

/* Fills c->opts: what each position may stand for. False when a position cannot be part of
 * an IBAN (a letter among the check digits, a lower-case letter that is no look-alike). */
static bool iban_options(struct iban_cand *c, int bank, bool fuzzy)
{
	for (int k = 2; k < c->n; k++) {
		uc ch = (uc)c->s[k];
		char *o = c->opts[k];
		o[0] = (char)ch, o[1] = '\0';
		if (k == c->glyph_at) {
			if (k < 4 || strlen(c->glyph) >= sizeof c->opts[k])
				return false;
			memcpy(o, c->glyph, strlen(c->glyph) + 1);
			continue;
		}
		if (magi__is_digit(ch)) {
			/* the format wants a letter here: OCR read a letter as a digit */
			if (fuzzy && k >= 4 && k < 4 + bank)
				memcpy(o + 1, letter_options(ch), strlen(letter_options(ch)) + 1);
			continue;
		}
		if (k >= 4 && k < 4 + bank && magi__is_alpha(ch)) {
			o[0] = (char)(magi__is_lower(ch) ? ch - 'a' + 'A' : ch);
			continue;
		}
		const char *d = digit_options(ch);
		if (k >= 4 && magi__is_upper(ch)) {
			/* a letter stands; it may also be a digit OCR read as one */
			if (fuzzy && *d)
				memcpy(o + 1, d, strlen(d) + 1);
			continue;
		}
		if (!*d || !fuzzy)
			return false;
		memcpy(o, d, strlen(d) + 1);
	}
	return true;
}

/* Tries the readings of the ambiguous positions (pos[at..np)) until mod-97 holds. */
static bool iban_variants(struct iban_cand *c, char *s, const int *pos, int np, int at)
{
	if (at == np)
		return magi_pii_iban_valid(s, (size_t)c->n);
	int k = pos[at];
	for (const char *o = c->opts[k]; *o; o++) {
		s[k] = *o;
		if (iban_variants(c, s, pos, np, at + 1))
			return true;
	}
	s[k] = c->opts[k][0];
	return false;
}

/* true when a reading of c passes mod-97; *repaired when it is not the printed one. */
static bool iban_readings_valid(struct iban_cand *c, bool *repaired)
{
	char s[IBAN_MAX_CHARS + 1];
	memcpy(s, c->s, (size_t)c->n + 1);
	int pos[IBAN_MAX_CHARS], np = 0;
	size_t variants = 1;
	bool printed = c->glyph_at < 0;
	for (int k = 2; k < c->n; k++) {
		size_t no = strlen(c->opts[k]);
		s[k] = c->opts[k][0];
		printed &= s[k] == c->s[k];
		/* beyond the cap a position keeps its first reading */
		if (no > 1 && variants * no <= IBAN_MAX_VARIANTS) {
			pos[np++] = k;
			variants *= no;
		}
	}
	if (printed && magi_pii_iban_valid(s, (size_t)c->n)) {
		*repaired = false;
		return true;
	}
	*repaired = true;
	return np > 0 || !printed ? iban_variants(c, s, pos, np, 0) : false;
}

/* true when OCR confuses glyphs a and b (a doubled glyph is often read as the pair). */
static bool iban_lookalike(uc a, uc b)
{
	static const char *const classes[] = {"0OoDQ@", "1lI|iT7", "5Ss$", "8B3S", "2Zz", "6Gb", "EF",
					      "UV", "MN"};
	if (a == b)
		return true;
	for (size_t k = 0; k < MAGI_ARRAY_LEN(classes); k++)
		if (strchr(classes[k], a) && strchr(classes[k], b))
			return true;
	return false;
}

/* c holds one character more than its country's IBAN: OCR read one glyph twice ("GB0O7",
 * "92387", "HAEFN"). Tries dropping each character that looks like a neighbour (only those,
 * so that few readings are tried and mod-97 keeps its meaning); true when one passes. */
static bool iban_drop_double(const struct iban_cand *c, int bank)
{
	for (int k = 2; k < c->n; k++) {
		uc ch = (uc)c->s[k];
		if (k == c->glyph_at ||
		    !(iban_lookalike(ch, (uc)c->s[k - 1]) || (k + 1 < c->n && iban_lookalike(ch, (uc)c->s[k + 1]))))
			continue;
		struct iban_cand d = *c;
		memmove(d.s + k, d.s + k + 1, (size_t)(d.n - k));
		d.n--;
		if (d.glyph_at > k)
			d.glyph_at--;
		bool repaired;
		if (iban_options(&d, bank, true) && iban_readings_valid(&d, &repaired))
			return true;
	}
	return false;
}

static magi_status detect_ibans(const char *t, size_t len, const struct magi_pii_params *p,
				struct magi__fvec *fv)
{
	struct iban_cand c;
	for (size_t i = 0; i + 15 <= len; i++) {
		if (!left_boundary(t, i))
			continue;
		size_t n0, n1;
		const char *o0 = country_options(t, len, i, &n0);
		if (!*o0)
			continue;
		const char *o1 = country_options(t, len, i + n0, &n1);
		bool exact_cc = magi__is_upper((uc)t[i]) && magi__is_upper((uc)t[i + 1]);
		if (!*o1 || (!p->ocr_fuzzy && !exact_cc))
			continue;
		bool done = false;
		for (const char *a = o0; *a && !done; a++)
			for (const char *b = o1; *b && !done; b++) {
				char cc[3] = {*a, *b, 0};
				int want = iban_country_len(cc);
				if (!want)
					continue;
				int bank = iban_bank_letters(cc);
				size_t body = i + n0 + n1;
				float score = 0;
				size_t end = 0;
				/* the printed reading; then, reading OCR noise, the same with one stray
				 * glyph after the country code dropped ("DES57 7372" for DE57 7372) */
				for (int skip = 0; skip <= (p->ocr_fuzzy ? 1 : 0) && !score; skip++) {
					size_t q = body + (size_t)skip;
					if (skip && !(q + 1 < len && magi__is_alnum((uc)t[body]) &&
						      magi__is_digit((uc)t[q]) &&
						      (magi__is_digit((uc)t[q + 1]) || *digit_options((uc)t[q + 1]))))
						break;
					c.s[0] = cc[0], c.s[1] = cc[1];
					if (!iban_collect(t, len, q, want, p->ocr_fuzzy, &c)) {
						/* one glyph too many (OCR doubled or invented one: "GB0O7
						 * YJND", "BE64 7351 0646 92387", "GB37 HAEFN 5933 ..."): a
						 * doubled look-alike dropped so that mod-97 holds, or the
						 * exact shape with its breaks or label */
						bool more = !skip && p->ocr_fuzzy &&
							    iban_collect(t, len, q, want + 1, true, &c) &&
							    !(c.end + 1 < len && t[c.end] == ' ' &&
							      magi__is_digit((uc)t[c.end + 1]));
						if (more && iban_drop_double(&c, bank))
							score = 0.8f;
						else if (more && exact_cc && magi__is_digit((uc)t[i + 2]) &&
							 magi__is_digit((uc)t[i + 3]) &&
							 (c.breaks >= 3 || context_has(t, i, 32, iban_words)))
							score = 0.5f;
						if (score)
							end = c.end;
						continue;
					}
					bool repaired = false;
					/* a repaired reading must not stop inside a longer number: "1781
					 * X224 2730 7011 6496 2166 753" is no 20-character LT IBAN */
					bool cut = c.end + 1 < len && t[c.end] == ' ' &&
						   magi__is_digit((uc)t[c.end + 1]);
					if (iban_options(&c, bank, p->ocr_fuzzy) &&
					    iban_readings_valid(&c, &repaired) &&
					    !((repaired || skip || !exact_cc) && cut))
						score = exact_cc && !repaired && !skip ? 1.0f : 0.9f;
					/* the shape alone (a country code, its exact length, groups of
					 * four) when OCR garbled a digit: print layouts this specific are
					 * IBANs. Not for the dropped-glyph reading: that one must check. */
					else if (!skip && exact_cc &&
						 (magi__is_digit((uc)t[i + 2]) || magi__is_digit((uc)t[i + 3])) &&
						 (c.spaces >= 3 || context_has(t, i, 32, iban_words)))
						score = 0.5f;
					end = c.end;
				}
				if (score == 0)
					continue;
				magi_status st = magi__fvec_push(fv, MAGI_PII_IBAN, i, end, score, NULL);
				if (st)
					return st;
				i = end - 1;
				done = true;
			}
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

static magi_status detect_ssns(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i + 10 <= len; i++) {
		if (!left_boundary(t, i) || (i > 0 && t[i - 1] == '-') || !magi__is_digit((uc)t[i]))
			continue;
		/* 3-2-4 digits split by '-' (OCR may add a space after one) or spaces; with an
		 * SSN label before it, one group a digit short, or the middle one a digit long
		 * (OCR drops or doubles a glyph) */
		bool label = context_has(t, i, 32, ssn_words);
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

/* ---- e-mail ---------------------------------------------------------------------------- */
static bool email_local_char(uc c)
{
	return magi__is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' ||
	       c == '\'';
}

static const char *const common_tlds[] = {
	"com", "org", "net", "edu", "gov", "io", "co", "uk", "de", "fr", "es", "it", "nl", "ch",
	"at", "be", "info", "biz", "me", "us", "ca", "au", "jp", "ru", "cn", "pl", "se", "no", "dk",
	"fi", "eu", "app", "dev", "ai", "in", "br", NULL};

/* Length of a UTF-8 dash (en or em) at t[i] OCR engines put for '-', else 0. */
static size_t utf8_dash(const char *t, size_t len, size_t i)
{
	if (i + 2 < len && (uc)t[i] == 0xE2 && (uc)t[i + 1] == 0x80 &&
	    ((uc)t[i + 2] == 0x93 || (uc)t[i + 2] == 0x94))
		return 3;
	return 0;
}

/* Length of a common TLD standing as a whole word at t[i] (end, space, punctuation or a
 * further '.' after it), else 0. */
static size_t known_tld_at(const char *t, size_t len, size_t i)
{
	for (size_t k = 0; common_tlds[k]; k++) {
		size_t tl = strlen(common_tlds[k]);
		if (i + tl <= len && !memcmp(t + i, common_tlds[k], tl) &&
		    (i + tl == len || !magi__is_alnum((uc)t[i + tl])))
			return tl;
	}
	return 0;
}

/* A domain at t[d]: labels of letters, digits and dashes joined by dots, the last one (the
 * TLD) 2+ letters. OCR noise tolerated, measured on small screenshot text: "—" for '-', a
 * space after a dot when a common TLD follows ("outlook. com"), a dot read as a space
 * before a common TLD ("free fr"), and one space inside a label that a dotted common TLD
 * follows ("out look. com"). Returns the end, or 0. */
static size_t parse_domain(const char *t, size_t len, size_t d)
{
	size_t q = d, labels = 0, lab_start = d, end = 0;
	bool glued = false;
	for (;;) {
		lab_start = q;
		while (q < len && (magi__is_alnum((uc)t[q]) || t[q] == '-' || utf8_dash(t, len, q))) {
			size_t u = utf8_dash(t, len, q);
			q += u ? u : 1;
		}
		if (q == lab_start || t[lab_start] == '-' || t[q - 1] == '-')
			break;
		labels++;
		bool tld = q - lab_start >= 2;
		for (size_t r = lab_start; r < q && tld; r++)
			tld = magi__is_alpha((uc)t[r]);
		if (labels >= 2 && tld)
			end = q;
		if (q + 1 < len && t[q] == '.' && magi__is_alnum((uc)t[q + 1])) {
			q++;
			continue;
		}
		/* "outlook. com", "company .co.uk", "company . co.uk", "free,fr": the dot
		 * spaced or read as a comma, before a common TLD */
		size_t gap = 0;
		if (q + 2 < len && ((t[q] == '.' && t[q + 1] == ' ') || (t[q] == ' ' && t[q + 1] == '.')))
			gap = q + 3 < len && t[q] == ' ' && t[q + 2] == ' ' ? 3 : 2;
		else if (q + 1 < len && t[q] == ',' && magi__is_alpha((uc)t[q + 1]))
			gap = 1;
		if (gap) {
			bool known = false;
			for (size_t k = 0; common_tlds[k] && !known; k++) {
				size_t tl = strlen(common_tlds[k]);
				known = q + gap + tl <= len && !memcmp(t + q + gap, common_tlds[k], tl) &&
					(q + gap + tl == len || !magi__is_alnum((uc)t[q + gap + tl]) ||
					 t[q + gap + tl] == '.');
			}
			if (known) {
				q += gap;
				continue;
			}
		}
		if (q + 1 < len && t[q] == ' ' && labels >= 1 && !glued) {
			/* "tree fr": the dot before a common TLD read as a space */
			size_t tl = known_tld_at(t, len, q + 1);
			if (tl && (q + 1 + tl == len || t[q + 1 + tl] != '.'))
				return q + 1 + tl;
			/* "out look. com": a label split by a space, a dotted common TLD after it */
			size_t r = q + 1;
			while (r < len && magi__is_alnum((uc)t[r]))
				r++;
			if (r > q + 1 && r < len && t[r] == '.') {
				size_t u = r + 1 + (r + 1 < len && t[r + 1] == ' ');
				if (known_tld_at(t, len, u)) {
					glued = true;
					q++;
					labels--; /* the two halves are one label */
					continue;
				}
			}
		}
		break;
	}
	return end;
}

/* A one-label domain whose dot before a com/net/org TLD OCR lost ("corp-mailnet"): the
 * label must keep 3+ characters before the TLD and end the word. Returns the end or 0. */
static size_t glued_tld_domain(const char *t, size_t len, size_t d)
{
	static const char *const tlds[] = {"com", "net", "org", NULL};
	size_t q = d;
	while (q < len && (magi__is_alnum((uc)t[q]) || t[q] == '-'))
		q++;
	if (q - d < 6 || t[d] == '-' || (q < len && t[q] == '@'))
		return 0;
	for (size_t k = 0; tlds[k]; k++)
		if (!memcmp(t + q - 3, tlds[k], 3) && t[q - 4] != '-')
			return q;
	return 0;
}

static magi_status detect_emails(const char *t, size_t len, struct magi__fvec *fv)
{
	size_t next = 0; /* do not start inside the previous address */
	for (size_t a = 0; a < len; a++) {
		if (t[a] != '@' || a == 0 || a < next)
			continue;
		/* OCR often puts a space on one side of the '@' */
		size_t le = a;
		if (le >= 2 && t[le - 1] == ' ' && email_local_char((uc)t[le - 2]))
			le--;
		/* "pedro7@@host": the first '@' is a misread 0 */
		if (le >= 2 && t[le - 1] == '@' && email_local_char((uc)t[le - 2]))
			le--;
		/* "nrossi®@company.co.uk": OCR doubles the '@' as a UTF-8 ® or © */
		if (le >= 3 && (uc)t[le - 2] == 0xC2 && ((uc)t[le - 1] == 0xAE || (uc)t[le - 1] == 0xA9) &&
		    email_local_char((uc)t[le - 3]))
			le -= 2;
		size_t j = le;
		/* '|' inside a local part is OCR's l, i or j ("sophie|@gmail.com") */
		while (j > next && le - j < 64 &&
		       (email_local_char((uc)t[j - 1]) ||
			(t[j - 1] == '|' && j >= 2 && magi__is_alnum((uc)t[j - 2]))))
			j--;
		while (j < le && (t[j] == '.' || t[j] == '\'' || t[j] == '-'))
			j++;
		if (j == le)
			continue;
		size_t d = a + 1;
		if (d + 1 < len && t[d] == ' ' && magi__is_alnum((uc)t[d + 1]))
			d++;
		size_t k = parse_domain(t, len, d);
		if (!k)
			k = glued_tld_domain(t, len, d);
		if (!k)
			continue;
		magi_status st = magi__fvec_push(fv, MAGI_PII_EMAIL, j, k, 1.0f, NULL);
		if (st)
			return st;
		next = k;
		a = k;
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

static magi_status detect_phones(const char *t, size_t len, const struct magi_pii_params *p,
				 struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		uc c = (uc)t[i];
		/* a leading 0 read as '@' or 'O' ("@8 85 58 76 38") starts a number too */
		bool starter = magi__is_digit(c) ||
			       ((c == '+' || c == '(' || (p->ocr_fuzzy && fuzzy_digit(c) == '0')) &&
				i + 1 < len && magi__is_digit((uc)t[i + 1]));
		if (!starter || !left_boundary(t, i))
			continue;
		/* a number glued to '.', ',' or '#' on its left is a decimal, a list or an id */
		if (i > 0 && (t[i - 1] == '.' || t[i - 1] == ',' || t[i - 1] == '#' ||
			      t[i - 1] == '$' || t[i - 1] == ':'))
			continue;
		struct run r;
		if (!parse_run(t, len, i, " -./()", 3, p->ocr_fuzzy, true, &r))
			continue;
		/* the number must not go on as a decimal or a version ("1.2.3") */
		bool labelled = context_has(t, i, 24, phone_words);
		bool negative = !r.plus && !labelled && context_has(t, i, 24, not_phone_words);
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

/* ---- IPv4, IPv6, MAC ------------------------------------------------------------------- */
static const char *const version_words[] = {"version", "ver", "build", "release", "v", "rev",
					    "firmware", NULL};

static magi_status detect_ipv4(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		if (!magi__is_digit((uc)t[i]) || !left_boundary(t, i) ||
		    (i > 0 && (t[i - 1] == '.' || t[i - 1] == '-')))
			continue;
		size_t q = i;
		int oct[4], nds[4], k = 0, commas = 0;
		bool ok = true, spaced = false;
		for (; k < 4; k++) {
			int v = 0, nd = 0;
			size_t s = q;
			while (q < len && magi__is_digit((uc)t[q]) && nd < 4) {
				v = v * 10 + (t[q] - '0');
				q++;
				nd++;
			}
			if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && t[s] == '0')) {
				ok = false;
				break;
			}
			oct[k] = v;
			nds[k] = nd;
			if (k < 3) {
				if (q >= len || t[q] != '.') {
					/* OCR reads a dot as ",." or ',' now and then ("10,.183.183.44",
					 * "178.183.140,53") */
					if (q + 1 < len && t[q] == ',' && t[q + 1] == '.' && !spaced) {
						spaced = true;
						q++;
					} else if (q + 1 < len && t[q] == ',' && magi__is_digit((uc)t[q + 1])) {
						commas++;
					} else {
						ok = false;
						break;
					}
				}
				q++;
				/* OCR puts a space after a dot now and then: "192. 168.1.20" */
				if (q + 1 < len && t[q] == ' ' && magi__is_digit((uc)t[q + 1]) && !spaced) {
					spaced = true;
					q++;
				}
			}
		}
		/* commas only where no thousands grouping reads them ("1,200,250,100" is a
		 * number): some group after the first is not three digits long */
		if (ok && commas && nds[1] == 3 && nds[2] == 3 && nds[3] == 3)
			ok = false;
		if (!ok) {
			while (i + 1 < len && magi__is_digit((uc)t[i + 1]))
				i++;
			continue;
		}
		if ((q < len && (magi__is_alnum((uc)t[q]) ||
				 ((t[q] == '.' || t[q] == '-') && q + 1 < len &&
				  magi__is_digit((uc)t[q + 1])))) ||
		    oct[0] == 0 || context_has(t, i, 12, version_words)) {
			i = q;
			continue;
		}
		magi_status st = magi__fvec_push(fv, MAGI_PII_IPV4, i, q, 1.0f, NULL);
		if (st)
			return st;
		i = q;
	}
	return MAGI_OK;
}

/* One "::" at most; groups of 1-4 hex digits; 8 groups without "::", fewer with it; a
 * dotted IPv4 tail counts as two groups. */
static bool ipv6_valid(const char *s, size_t n)
{
	int groups = 0, dbl = 0, colons = 0;
	size_t p = 0;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		dbl = 1;
		colons = 2;
		p = 2;
	} else if (n && s[0] == ':') {
		return false;
	}
	while (p < n) {
		size_t g = p;
		bool dot = false;
		while (p < n && s[p] != ':') {
			dot |= s[p] == '.';
			p++;
		}
		size_t gl = p - g;
		if (gl == 0)
			return false;
		if (dot) {
			if (p != n)
				return false;
			int oct = 0, v = -1;
			for (size_t k = g; k <= p; k++) {
				if (k == p || s[k] == '.') {
					if (v < 0 || v > 255)
						return false;
					oct++;
					v = -1;
				} else if (magi__is_digit((uc)s[k])) {
					v = (v < 0 ? 0 : v * 10) + (s[k] - '0');
					if (v > 999)
						return false;
				} else {
					return false;
				}
			}
			if (oct != 4)
				return false;
			groups += 2;
		} else {
			if (gl > 4)
				return false;
			groups++;
		}
		if (p < n) { /* at ':' */
			colons++;
			p++;
			if (p < n && s[p] == ':') {
				if (++dbl > 1)
					return false;
				colons++;
				p++;
			} else if (p == n) {
				return false;
			}
		}
	}
	if (colons < 2 || groups < 1)
		return false;
	return dbl ? groups <= 7 : groups == 8;
}

/* Hex digit, or a letter OCR wrote for one (l/I for 1, O/o for 0). */
static char hexish(uc c)
{
	if (magi__is_hex(c))
		return (char)c;
	if (c == 'l' || c == 'I')
		return '1';
	if (c == 'O' || c == 'o')
		return '0';
	return 0;
}

/* A hex digit as OCR may have read it at t[q]: the digit (any case), or a glyph small
 * screen text turns one into — S for 5, O/o for 0, l/I/| for 1, t and { for f, and the
 * UTF-8 £ for f, ¢ for c, é for 6, € for e. Sets *h and returns the bytes read; 0 when
 * t[q] is none of these. */
static size_t noisy_hex(const char *t, size_t len, size_t q, char *h)
{
	uc c = (uc)t[q];
	if (magi__is_hex(c)) {
		*h = (char)magi__lower(c);
		return 1;
	}
	char d = hexish(c);
	if (d || c == 'S' || c == '|') {
		*h = d ? d : c == 'S' ? '5' : '1';
		return 1;
	}
	if (q + 1 < len && c == 0xC2 && ((uc)t[q + 1] == 0xA3 || (uc)t[q + 1] == 0xA2)) {
		*h = (uc)t[q + 1] == 0xA3 ? 'f' : 'c';
		return 2;
	}
	if (q + 1 < len && c == 0xC3 && (uc)t[q + 1] == 0xA9) {
		*h = '6';
		return 2;
	}
	if (c == '{' || c == 't') {
		*h = 'f';
		return 1;
	}
	if (q + 2 < len && c == 0xE2 && (uc)t[q + 1] == 0x82 && (uc)t[q + 2] == 0xAC) {
		*h = 'e';
		return 3;
	}
	return 0;
}

/* Hex glyphs (as noisy_hex reads them) starting at t[q], up to max. */
static size_t hex_chunk(const char *t, size_t len, size_t q, size_t max)
{
	size_t n = 0;
	char h;
	size_t b;
	while (n <= max && q < len && (b = noisy_hex(t, len, q, &h)) != 0) {
		q += b;
		n++;
	}
	return n;
}

/* IPv6 addresses as small text comes out of OCR, where the strict reading failed: look-
 * alike glyphs ("4c£6", "bSdc", "1¢32"), spaces inside a group or next to a colon
 * ("b6 1b", "7cae: £425"), ';' or 'i' for a colon ("8afaie825"), and up to two groups
 * with one glyph too many ("dce4f"). Taken are the full eight-group form, whose shape
 * alone (seven colons between hex groups) is rare outside addresses (MAC addresses have
 * six groups), and the compressed form with "::" when it has five or more groups, three
 * of them four glyphs long. Tested on the generated screenshots (scripts/gen-pii-shots). */
static magi_status detect_ipv6_noisy(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		char h;
		if (!noisy_hex(t, len, i, &h) || (i > 0 && (magi__is_alnum((uc)t[i - 1]) ||
							    t[i - 1] == ':' || t[i - 1] == '.')))
			continue;
		int gl[8] = {0}, ng = 1, repairs = 0, dbl = 0;
		size_t q = i, end = i;
		while (q < len) {
			uc c = (uc)t[q];
			size_t b = noisy_hex(t, len, q, &h);
			if (b) {
				if (gl[ng - 1] >= 6)
					break;
				repairs += !magi__is_hex(c);
				gl[ng - 1]++;
				q += b;
				end = q;
			} else if (c == ':' || c == ';' ||
				   (c == 'i' && gl[ng - 1] >= 1 && hex_chunk(t, len, q + 1, 4) >= 1 &&
				    gl[ng - 1] + hex_chunk(t, len, q + 1, 4) > 4)) {
				/* one "::" (an empty group) at most */
				if ((gl[ng - 1] == 0 && (dbl || ng == 1 || t[q - 1] != ':')) || ng == 8)
					break;
				dbl += gl[ng - 1] == 0;
				repairs += c != ':';
				ng++;
				q++;
			} else if (c == ' ' && q + 1 < len) {
				/* a space next to a colon, or inside a group that stays <= 4 */
				uc n1 = (uc)t[q + 1];
				bool colon_next = n1 == ':' || n1 == ';';
				if (!(gl[ng - 1] == 0 || colon_next ||
				      (gl[ng - 1] + hex_chunk(t, len, q + 1, 4) <= 4 &&
				       hex_chunk(t, len, q + 1, 4) >= 1)))
					break;
				q++;
			} else {
				break;
			}
		}
		int g5 = 0, full = 0;
		bool ok = gl[ng - 1] >= 1 && (dbl ? ng >= 5 : ng == 8);
		for (int k = 0; k < ng && ok; k++) {
			ok = gl[k] <= 5 && (gl[k] >= 1 || dbl);
			g5 += gl[k] == 5;
			full += gl[k] == 4;
		}
		/* the compressed form ("2001:db8:f174:d5a3::5tb1") is shorter: it must carry
		 * at least three full groups */
		ok = ok && (!dbl || full >= 3);
		ok = ok && g5 <= 2 && repairs + g5 <= 4;
		if (ok && end < len && magi__is_alnum((uc)t[end]))
			ok = false;
		if (ok) {
			magi_status st = magi__fvec_push(fv, MAGI_PII_IPV6, i, end, 0.85f, NULL);
			if (st)
				return st;
			i = end;
		}
	}
	return MAGI_OK;
}

static magi_status detect_ipv6(const char *t, size_t len, struct magi__fvec *fv)
{
	char norm[80];
	for (size_t i = 0; i < len; i++) {
		uc c = (uc)t[i];
		/* a colon starts an address only as "::" (a label's colon does not) */
		if (!(magi__is_hex(c) || (c == ':' && i + 1 < len && t[i + 1] == ':')) ||
		    (i > 0 && (magi__is_alnum((uc)t[i - 1]) || t[i - 1] == ':' || t[i - 1] == '.')))
			continue;
		/* read hex, ':' and '.', mapping look-alikes and skipping spaces next to a ':'
		 * ("2001:db8: 76bf :926c") */
		size_t q = i, n = 0, end_at[80];
		while (q < len && n < sizeof norm - 1) {
			uc d = (uc)t[q];
			char h = hexish(d);
			if (d == ':' || d == '.' || h) {
				norm[n] = d == ':' || d == '.' ? (char)d : h;
				end_at[n++] = q + 1;
				q++;
			} else if (d == ' ' && n && q + 1 < len &&
				   (norm[n - 1] == ':' || t[q + 1] == ':')) {
				q++;
			} else {
				break;
			}
		}
		norm[n] = '\0';
		size_t m = n;
		while (m > 0 && norm[m - 1] == '.')
			m--;
		/* a sentence may end right after the address: "at fe80::1:" */
		if (m > 1 && norm[m - 1] == ':' && norm[m - 2] != ':')
			m--;
		bool glued = q < len && magi__is_alnum((uc)t[q]);
		if (!glued && m >= 3 && ipv6_valid(norm, m)) {
			magi_status st = magi__fvec_push(fv, MAGI_PII_IPV6, i, end_at[m - 1], 1.0f, NULL);
			if (st)
				return st;
			i = end_at[m - 1];
		} else {
			i = q > i ? q - 1 : i;
		}
	}
	return MAGI_OK;
}

static magi_status detect_macs(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i + 14 <= len; i++) {
		if (!magi__is_hex((uc)t[i]) || !left_boundary(t, i))
			continue;
		size_t e = 0;
		char s = t[i + 2];
		if ((s == ':' || s == '-') && i + 17 <= len) {
			bool ok = true;
			for (int g = 0; g < 6 && ok; g++) {
				size_t p = i + (size_t)g * 3;
				ok = hexish((uc)t[p]) && hexish((uc)t[p + 1]) &&
				     (g == 5 || t[p + 2] == s);
			}
			if (ok)
				e = i + 17;
		} else if (t[i + 4] == '.') {
			bool ok = true;
			for (int g = 0; g < 3 && ok; g++) {
				size_t p = i + (size_t)g * 5;
				for (int k = 0; k < 4; k++)
					ok = ok && hexish((uc)t[p + (size_t)k]);
				ok = ok && (g == 2 || t[p + 4] == '.');
			}
			if (ok)
				e = i + 14, s = '.';
		}
		if (!e || (e < len && (magi__is_alnum((uc)t[e]) ||
				       (t[e] == s && e + 1 < len && magi__is_hex((uc)t[e + 1])))))
			continue;
		magi_status st = magi__fvec_push(fv, MAGI_PII_MAC, i, e, 1.0f, NULL);
		if (st)
			return st;
		i = e;
	}
	return MAGI_OK;
}

/* Separator bytes between two MAC groups as OCR leaves them: ':', '-', '.', ';' or an
 * en/em dash, one or two of them, with spaces around ("BA: 28", "E4—-E9", "95- 10").
 * Returns the bytes and sets *kind to the first separator char (or '-' for a dash); 0 when
 * there is no separator char at all. */
static size_t mac_sep(const char *t, size_t len, size_t q, char *kind)
{
	size_t p = q, marks = 0;
	*kind = 0;
	while (p < len && p - q < 8) {
		size_t d = utf8_dash(t, len, p);
		char c = t[p];
		if (d || c == ':' || c == '-' || c == '.' || c == ';') {
			if (++marks > 2)
				return 0;
			if (!*kind)
				*kind = d ? '-' : c == ';' ? ':' : c;
			p += d ? d : 1;
		} else if (c == ' ') {
			p++;
		} else {
			break;
		}
	}
	return marks ? p - q : 0;
}

/* MAC addresses OCR garbled past the strict reading: look-alike glyphs, spaces and doubled
 * or mixed separators ("04:01:2F.8F.41:6B"). Six groups of exactly two hex glyphs, most
 * separators the same character, at most two look-alikes. */
static magi_status detect_macs_noisy(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		char h;
		if (!noisy_hex(t, len, i, &h) || !left_boundary(t, i))
			continue;
		size_t q = i, end = i;
		int groups = 0, repairs = 0, colon = 0, dash = 0;
		bool ok = true;
		while (ok && groups < 6) {
			for (int k = 0; k < 2 && ok; k++) {
				size_t b = q < len ? noisy_hex(t, len, q, &h) : 0;
				ok = b != 0;
				repairs += ok && !magi__is_hex((uc)t[q]);
				q += b;
			}
			if (!ok)
				break;
			groups++;
			end = q;
			if (groups == 6)
				break;
			char kind;
			size_t sl = mac_sep(t, len, q, &kind);
			ok = sl != 0;
			colon += kind == ':';
			dash += kind == '-';
			q += sl;
		}
		ok = ok && groups == 6 && repairs <= 2 && (colon >= 3 || dash >= 3) &&
		     !(end < len && magi__is_alnum((uc)t[end]));
		if (!ok)
			continue;
		magi_status st = magi__fvec_push(fv, MAGI_PII_MAC, i, end, 0.85f, NULL);
		if (st)
			return st;
		i = end;
	}
	return MAGI_OK;
}

/* ---- API keys and tokens ---------------------------------------------------------------- */
static bool key_char(uc c) { return magi__is_alnum(c) || c == '_' || c == '-'; }

static const struct {
	const char *prefix;
	int min_body; /* characters after the prefix */
} key_prefixes[] = {
	{"sk-proj-", 20}, {"sk-ant-", 20}, {"sk-", 20},       {"sk_live_", 16}, {"sk_test_", 16},
	{"rk_live_", 16}, {"ghp_", 30},    {"gho_", 30},      {"ghu_", 30},     {"ghs_", 30},
	{"ghr_", 30},     {"github_pat_", 30}, {"xoxb-", 10}, {"xoxp-", 10},    {"xoxa-", 10},
	{"xoxr-", 10},    {"xoxs-", 10},   {"glpat-", 20},    {"AIza", 30},     {"npm_", 30},
	{"hf_", 30},
	/* as OCR reads them: I as l or 1, the separator dropped */
	{"Alza", 30},     {"A1za", 30},    {"glpat", 18},     {"xoxb", 14},     {"xoxp", 14},
	{"github_pat", 30}, {"sk-proj", 20},
};

/* The glyphs OCR reads for a key prefix's letter c (besides c itself). */
static bool prefix_glyph(char c, uc g)
{
	switch (c) {
	case 'o':
		return g == '0' || g == 'O';
	case 'x':
		return g == 'X';
	case 'j':
		return g == '}' || g == ']' || g == ';';
	case 'l':
	case 'I':
		return g == '1' || g == '|' || g == 'I' || g == 'l';
	default:
		return false;
	}
}

/* Bytes of t at i that spell prefix as OCR reads it: a '-' may be an en or em dash with a
 * space on either side ("glpat - x"), a letter a look-alike ("x0xb", "sk-pro}-"), and one
 * space may split the letters ("gl pat"); 0 when it does not match. */
static size_t prefix_at(const char *t, size_t len, size_t i, const char *pre)
{
	size_t q = i;
	bool split = false;
	for (const char *p = pre; *p; p++) {
		if (*p == '-') {
			if (q + 1 < len && t[q] == ' ' && (t[q + 1] == '-' || utf8_dash(t, len, q + 1)))
				q++;
			size_t u = q < len && t[q] == '-' ? 1 : utf8_dash(t, len, q);
			if (!u)
				return 0;
			q += u;
			/* a doubled dash ("xoxb-—8083") */
			u = q < len && t[q] == '-' ? 1 : utf8_dash(t, len, q);
			q += u;
			if (q + 1 < len && t[q] == ' ' && key_char((uc)t[q + 1]))
				q++;
			continue;
		}
		if (q < len && (t[q] == *p || prefix_glyph(*p, (uc)t[q]))) {
			q++;
			continue;
		}
		if (!split && p != pre && q + 1 < len && t[q] == ' ' && t[q + 1] == *p) {
			split = true;
			q += 2;
			continue;
		}
		return 0;
	}
	return q - i;
}

/* Extends a key's end over fragments OCR split off with a space ("sk-OauBsI 6Aesm1...").
 * A fragment joins when it looks like key material: a digit or a capital in it, or one
 * or two characters. Three fragments at most. */
static size_t bridge_fragments(const char *t, size_t len, size_t e)
{
	for (int k = 0; k < 3; k++) {
		if (e + 1 >= len || t[e] != ' ' || !key_char((uc)t[e + 1]))
			break;
		size_t f = e + 1, g = f;
		bool dg = false, up = false;
		while (g < len && key_char((uc)t[g])) {
			dg |= magi__is_digit((uc)t[g]);
			up |= magi__is_upper((uc)t[g]);
			g++;
		}
		if (!(dg || up || g - f <= 2) || g - f > 64)
			break;
		e = g;
	}
	return e;
}

/* Bytes of a glyph OCR puts inside a key for one of its letters or digits: one of ; | & $
 * @ or a two-byte UTF-8 letter or sign (£, é, ®); 0 otherwise. */
static size_t key_junk(const char *t, size_t len, size_t i)
{
	uc c = (uc)t[i];
	if (c == ';' || c == '|' || c == '&' || c == '$' || c == '@')
		return 1;
	if ((c == 0xC2 || c == 0xC3) && i + 1 < len && ((uc)t[i + 1] & 0xC0) == 0x80)
		return 2;
	return 0;
}

static bool starts_with(const char *t, size_t len, size_t i, const char *pre)
{
	size_t n = strlen(pre);
	return len - i >= n && memcmp(t + i, pre, n) == 0;
}

static double shannon_bits(const char *s, size_t n)
{
	int cnt[256] = {0};
	for (size_t i = 0; i < n; i++)
		cnt[(uc)s[i]]++;
	double h = 0;
	for (int c = 0; c < 256; c++)
		if (cnt[c]) {
			double p = (double)cnt[c] / (double)n;
			h -= p * log2(p);
		}
	return h;
}

/* A long token mixing upper case, lower case and digits with little structure: random
 * keys switch character class about every other character, words and identifiers rarely. */
static bool high_entropy(const char *s, size_t n)
{
	int up = 0, lo = 0, dg = 0, trans = 0, prev = -1;
	for (size_t i = 0; i < n; i++) {
		uc c = (uc)s[i];
		int cls = magi__is_upper(c) ? 0 : magi__is_lower(c) ? 1 : magi__is_digit(c) ? 2 : 3;
		up += cls == 0, lo += cls == 1, dg += cls == 2;
		if (prev >= 0 && cls != prev)
			trans++;
		prev = cls;
	}
	if (!up || !lo || dg < 2)
		return false;
	if ((double)trans < 0.3 * (double)n)
		return false;
	/* identifiers are made of words: count characters in word-like runs (a capital or
	 * lower-case letter followed by lower-case letters, 4 or more long) */
	size_t wordy = 0, run = 0;
	for (size_t i = 0; i <= n; i++) {
		uc c = i < n ? (uc)s[i] : ' ';
		if (magi__is_lower(c)) {
			run++;
			continue;
		}
		if (run >= 4)
			wordy += run;
		run = magi__is_upper(c) ? 1 : 0;
	}
	if (wordy * 2 > n)
		return false;
	return shannon_bits(s, n) >= 3.5 + (n >= 40 ? 0.3 : 0.0);
}

static magi_status detect_keys(const char *t, size_t len, const struct magi_pii_params *p,
			       struct magi__fvec *fv)
{
	for (size_t i = 0; i < len; i++) {
		if (!key_char((uc)t[i]) || (i > 0 && (key_char((uc)t[i - 1]) || t[i - 1] == '.')))
			continue;
		size_t e = i;
		while (e < len && key_char((uc)t[e]))
			e++;
		size_t hit = 0;
		float score = 1.0f;
		/* JWT: eyJ<header>.<payload>.<signature> */
		if (starts_with(t, len, i, "eyJ") && e < len && t[e] == '.') {
			size_t s2 = e + 1, e2 = s2;
			while (e2 < len && key_char((uc)t[e2]))
				e2++;
			if (e - i >= 10 && e2 - s2 >= 4 && e2 < len && t[e2] == '.') {
				size_t e3 = e2 + 1;
				while (e3 < len && key_char((uc)t[e3]))
					e3++;
				hit = e3;
			}
		}
		/* AWS access key ids: AKIA/ASIA + 16 upper-case letters or digits */
		/* (OCR reads the I of AKIA as T or l now and then) */
		if (!hit &&
		    (starts_with(t, len, i, "AKIA") || starts_with(t, len, i, "ASIA") ||
		     (starts_with(t, len, i, "AK") && e - i > 3 && strchr("Tl1|", t[i + 2]) &&
		      t[i + 3] == 'A')) &&
		    e - i >= 4) {
			/* 16 upper-case letters or digits; '@' is OCR's 0 */
			size_t k = i + 4;
			while (k < len && k - i < 21 &&
			       (magi__is_upper((uc)t[k]) || magi__is_digit((uc)t[k]) || t[k] == '@'))
				k++;
			if (k - i == 20 && !(k < len && key_char((uc)t[k])))
				hit = k;
		}
		for (size_t k = 0; !hit && k < MAGI_ARRAY_LEN(key_prefixes); k++) {
			size_t pl = prefix_at(t, len, i, key_prefixes[k].prefix);
			if (!pl)
				continue;
			size_t be = i + pl;
			/* up to three misread glyphs inside the body ("glpat-;DLg", "s|GOR",
			 * "Gis&Aro", "kkf£BDe"), each between key characters */
			int junk = 0;
			size_t jl;
			while (be < len) {
				if (key_char((uc)t[be])) {
					be++;
				} else if (junk < 3 && (jl = key_junk(t, len, be)) != 0 && be + jl < len &&
					   key_char((uc)t[be + jl])) {
					junk++;
					be += jl;
				} else {
					break;
				}
			}
			if (be - (i + pl) < 4)
				continue;
			be = bridge_fragments(t, len, be);
			size_t body = 0;
			for (size_t q = i + pl; q < be; q++)
				body += t[q] != ' ';
			if (body >= (size_t)key_prefixes[k].min_body)
				hit = be;
		}
		if (!hit && p->entropy) {
			/* base64 keys also carry + / =; take the longer token */
			size_t e4 = e;
			while (e4 < len && (key_char((uc)t[e4]) || t[e4] == '+' || t[e4] == '/' ||
					    t[e4] == '='))
				e4++;
			size_t n = e4 - i;
			if (n >= p->entropy_min_len && n <= 512 && high_entropy(t + i, n)) {
				hit = e4;
				score = 0.7f;
			}
		}
		if (hit) {
			magi_status st = magi__fvec_push(fv, MAGI_PII_API_KEY, i, hit, score, NULL);
			if (st)
				return st;
			i = hit;
		} else {
			i = e;
		}
	}
	return MAGI_OK;
}

/* ---- values after labels ("Password: hunter2", "CVV 123") -------------------------------- */
static const struct {
	const char *label;
	const char *name;
	bool digits; /* value must be 3..8 digits */
	bool colon;  /* only with a ':' after it (OCR's readings of a label) */
} cred_labels[] = {
	{"one-time code", "otp", true, false},  {"verification code", "otp", true, false},
	{"security code", "cvv", true, false},  {"client secret", "secret", false, false},
	{"access token", "token", false, false}, {"private key", "key", false, false},
	{"api key", "api key", false, false},   {"api_key", "api key", false, false},
	{"apikey", "api key", false, false},    {"pin code", "pin", true, false},
	{"password", "password", false, false}, {"passwort", "password", false, false},
	{"passwd", "password", false, false},   {"passphrase", "password", false, false},
	{"passcode", "password", false, false}, {"pwd", "password", false, false},
	{"pin", "pin", true, false},            {"cvv2", "cvv", true, false},
	{"cvv", "cvv", true, false},            {"cvc2", "cvv", true, false},
	{"cvc", "cvv", true, false},            {"csc", "cvv", true, false},
	{"otp", "otp", true, false},            {"secret", "secret", false, false},
	{"token", "token", false, false},
	/* CVV as small text comes out of OCR: V read as W */
	{"cw", "cvv", true, true},       {"cwv", "cvv", true, true},
	{"cvw", "cvv", true, true},      {"cww", "cvv", true, true},
};

/* Words that follow a label in UI prose, not values. */
static const char *const cred_stop[] = {
	"required", "optional", "forgot", "forgotten", "reset", "change", "changed", "enter",
	"confirm", "new", "old", "current", "show", "hide", "strength", "must", "should", "is",
	"was", "will", "the", "your", "my", "field", "here", "click", "manager", "expired",
	"expires", "invalid", "incorrect", "wrong", "again", "please", "and", "or", "to", "for",
	"of", "a", "an", "settings", "policy", "hint", "length", "rules", "protected", "type",
	"mismatch", "match", "updated", "sent", "code", "number", "none", "n/a", NULL};

static bool in_list(const char *s, size_t n, const char *const *list)
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

static bool masked(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '*' && s[i] != '.' && s[i] != 'x' && s[i] != 'X' && s[i] != '#' &&
		    (uc)s[i] < 0x80)
			return false;
	/* non-ASCII-only values are bullets ("••••") in practice */
	return true;
}

static magi_status detect_credentials(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t li = 0; li < MAGI_ARRAY_LEN(cred_labels); li++) {
		const char *label = cred_labels[li].label;
		size_t from = 0, at;
		while ((at = magi__find_word(t, len, from, label)) != SIZE_MAX) {
			size_t q = at + strlen(label);
			from = q;
			while (q < len && (t[q] == ' ' || t[q] == '\t'))
				q++;
			/* fillers: "PIN code:", "password (again):" is not a value */
			static const char *const fill[] = {"code", "number", "no.", "key", NULL};
			for (size_t f = 0; fill[f]; f++)
				if (magi__word_at(t, len, q, fill[f])) {
					q += strlen(fill[f]);
					break;
				}
			bool sep = false;
			/* ';' is OCR's reading of ':' ("CVV; 993") */
			if (q < len && (t[q] == ':' || t[q] == '=' || t[q] == ';')) {
				sep = true;
				q++;
			} else if (magi__word_at(t, len, q, "is")) {
				sep = true;
				q += 2;
			}
			while (q < len && (t[q] == ' ' || t[q] == '\t'))
				q++;
			/* the value may be the first word of the next line when the label ends its
			 * line ("Password:" above a field) */
			if (q < len && t[q] == '\n') {
				q++;
				while (q < len && (t[q] == ' ' || t[q] == '\t'))
					q++;
			}
			if (cred_labels[li].colon && !sep)
				continue;
			size_t v = q;
			while (q < len && !magi__is_space((uc)t[q]))
				q++;
			size_t e = q;
			while (e > v && (t[e - 1] == ',' || t[e - 1] == ';' || t[e - 1] == ')'))
				e--;
			size_t n = e - v;
			if (n == 0 || t[e - 1] == ':' || t[e - 1] == '?' || masked(t + v, n) ||
			    in_list(t + v, n, cred_stop) || n > 256)
				continue;
			bool digits_only = true;
			int dg = 0, sym = 0;
			for (size_t k = v; k < e; k++) {
				uc c = (uc)t[k];
				digits_only &= magi__is_digit(c);
				dg += magi__is_digit(c);
				sym += !magi__is_alnum(c) && c < 0x80;
			}
			if (cred_labels[li].digits) {
				if (!digits_only || n < 3 || n > 8)
					continue;
			} else if (!sep) {
				/* no colon: accept only values that look made up (digit, symbol or
				 * inner capital), so "Password must..." stays prose */
				bool inner_cap = false;
				for (size_t k = v + 1; k < e; k++)
					inner_cap |= magi__is_upper((uc)t[k]);
				if (n < 4 || !(dg || sym || inner_cap))
					continue;
			}
			magi_status st = magi__fvec_push(fv, MAGI_PII_CREDENTIAL, v, e, 0.9f,
							 cred_labels[li].name);
			if (st)
				return st;
		}
	}
	return MAGI_OK;
}

/* ---- the user's secrets ------------------------------------------------------------------ */
/* Matches value at t[i], letting the text carry stray single spaces between characters
 * (OCR splits long strings); returns the end or 0. */
/* Same character, or (for long values) one an OCR engine confuses it with: any case,
 * 0/O/o/Q/D/@, 1/l/I/i/|, 5/S, 8/B, 2/Z, 6/G, j/}/], and one punctuation mark for
 * another. */
static bool same_glyph(uc a, uc b, bool fuzzy)
{
	if (a == b)
		return true;
	if (!fuzzy || !a || !b)
		return false;
	if (magi__lower(a) == magi__lower(b))
		return true;
	static const char *const classes[] = {"0OoQD@", "1lIi|", "5Ss", "8B", "2Zz", "6G", "-:;._",
					      "j}]"};
	for (size_t k = 0; k < MAGI_ARRAY_LEN(classes); k++)
		if (strchr(classes[k], a) && strchr(classes[k], b))
			return true;
	return false;
}

/* Matches value v at t[i]: exactly for short values; for values of 6+ characters with
 * look-alike glyphs, spaces OCR inserted, and for 8+ characters up to one edit per eight
 * characters (a glyph dropped, added or misread). Returns the end of the match or 0. */
static size_t match_loose(const char *t, size_t len, size_t i, const char *v, size_t vn)
{
	bool fuzzy = vn >= 6;
	size_t maxed = vn >= 8 ? vn / 8 : 0;
	if (!maxed) {
		size_t q = i;
		for (size_t k = 0; k < vn; k++) {
			if (q < len && same_glyph((uc)t[q], (uc)v[k], fuzzy)) {
				q++;
				continue;
			}
			if (fuzzy && k > 0 && v[k] != ' ' && q + 1 < len && t[q] == ' ' &&
			    same_glyph((uc)t[q + 1], (uc)v[k], fuzzy)) {
				q += 2;
				continue;
			}
			return 0;
		}
		return q;
	}
	/* edit distance of v against t[i..i+m) over m, text spaces free */
	size_t w = vn + maxed + 8;
	if (i + w > len)
		w = len - i;
	if (w > 512)
		w = 512;
	unsigned short prev[513], cur[513];
	prev[0] = 0;
	for (size_t j = 1; j <= w; j++)
		prev[j] = (unsigned short)(prev[j - 1] + (t[i + j - 1] != ' '));
	for (size_t k = 1; k <= vn; k++) {
		cur[0] = (unsigned short)k;
		unsigned short best = cur[0];
		for (size_t j = 1; j <= w; j++) {
			uc c = (uc)t[i + j - 1];
			unsigned short sub = (unsigned short)(prev[j - 1] + !same_glyph(c, (uc)v[k - 1], true));
			unsigned short del = (unsigned short)(prev[j] + 1);              /* glyph lost */
			unsigned short ins = (unsigned short)(cur[j - 1] + (c != ' ')); /* glyph added */
			unsigned short m = sub < del ? sub : del;
			cur[j] = m < ins ? m : ins;
			if (cur[j] < best)
				best = cur[j];
		}
		if (best > maxed)
			return 0;
		memcpy(prev, cur, (w + 1) * sizeof *prev);
	}
	size_t end = 0;
	unsigned short bestd = (unsigned short)(maxed + 1);
	for (size_t j = 1; j <= w; j++)
		if (prev[j] <= bestd && prev[j] <= maxed && t[i + j - 1] != ' ') {
			bestd = prev[j];
			end = i + j;
		}
	return end;
}

static magi_status detect_secrets(const char *t, size_t len, const struct magi_secret_list *l,
				  struct magi__fvec *fv)
{
	if (!l)
		return MAGI_OK;
	for (size_t s = 0; s < l->n; s++) {
		const char *v = l->items[s].value;
		size_t vn = v ? strlen(v) : 0;
		if (!vn)
			continue;
		bool fuzzy = vn >= 6;
		for (size_t i = 0; i < len; i++) {
			/* long values may start with a misread glyph (an edit like any other) */
			if (!same_glyph((uc)t[i], (uc)v[0], fuzzy) &&
			    !(vn >= 8 && magi__is_alnum((uc)t[i]) && !(i > 0 && magi__is_alnum((uc)t[i - 1])) &&
			      i + 1 < len && same_glyph((uc)t[i + 1], (uc)v[1], true)))
				continue;
			size_t e = match_loose(t, len, i, v, vn);
			if (!e)
				continue;
			magi_status st = magi__fvec_push(fv, MAGI_PII_SECRET, i, e, 1.0f,
							 l->items[s].name);
			if (st)
				return st;
			i = e - 1;
		}
	}
	return MAGI_OK;
}

magi_status magi__pii_detect_all(const char *text, size_t len, const struct magi_pii_params *p,
				 struct magi__fvec *fv)
{
	uint32_t m = p->types;
	magi_status st = MAGI_OK;
#define RUN(type, call)                                                                    \
	if (!st && (m & MAGI_PII_BIT(type)))                                               \
	st = call
	RUN(MAGI_PII_SECRET, detect_secrets(text, len, p->secrets, fv));
	RUN(MAGI_PII_API_KEY, detect_keys(text, len, p, fv));
	RUN(MAGI_PII_IBAN, detect_ibans(text, len, p, fv));
	RUN(MAGI_PII_CARD, detect_cards(text, len, p, fv));
	RUN(MAGI_PII_SSN, detect_ssns(text, len, fv));
	RUN(MAGI_PII_EMAIL, detect_emails(text, len, fv));
	RUN(MAGI_PII_CREDENTIAL, detect_credentials(text, len, fv));
	RUN(MAGI_PII_MAC, detect_macs(text, len, fv));
	RUN(MAGI_PII_PHONE, detect_phones(text, len, p, fv));
	RUN(MAGI_PII_IPV6, detect_ipv6(text, len, fv));
	RUN(MAGI_PII_IPV4, detect_ipv4(text, len, fv));
	RUN(MAGI_PII_IPV6, detect_ipv6_noisy(text, len, fv));
	RUN(MAGI_PII_MAC, detect_macs_noisy(text, len, fv));
#undef RUN
	return st;
}
