/* pii_iban.c — IBANs: the country's exact length, mod-97 over the readings OCR's look-
 * alike glyphs allow (each reading is a guess, so the number of readings tried is capped to
 * keep the checksum meaningful), and the printed shape when the checksum still fails. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* ---- IBAN ------------------------------------------------------------------------------ */
/* The SWIFT IBAN registry (ISO 13616-1:2020): each country's BBAN format in the registry's
 * notation, n digits, a upper-case letters, c letters or digits ("4!a6!n8!n" for GB). */
static const struct {
	char cc[3];
	const char *bban;
} iban_registry[] = {
	{"AD", "4!n4!n12!c"}, {"AE", "3!n16!n"}, {"AL", "8!n16!c"}, {"AT", "5!n11!n"},
	{"AZ", "4!a20!c"}, {"BA", "3!n3!n8!n2!n"}, {"BE", "3!n7!n2!n"}, {"BG", "4!a4!n2!n8!c"},
	{"BH", "4!a14!c"}, {"BI", "5!n5!n11!n2!n"}, {"BR", "8!n5!n10!n1!a1!c"}, {"BY", "4!c4!n16!c"},
	{"CH", "5!n12!c"}, {"CR", "4!n14!n"}, {"CY", "3!n5!n16!c"}, {"CZ", "4!n6!n10!n"},
	{"DE", "8!n10!n"}, {"DJ", "5!n5!n11!n2!n"}, {"DK", "4!n9!n1!n"}, {"DO", "4!c20!n"},
	{"EE", "2!n2!n11!n1!n"}, {"EG", "4!n4!n17!n"}, {"ES", "4!n4!n1!n1!n10!n"}, {"FI", "3!n11!n"},
	{"FK", "2!a12!n"}, {"FO", "4!n9!n1!n"}, {"FR", "5!n5!n11!c2!n"}, {"GB", "4!a6!n8!n"},
	{"GE", "2!a16!n"}, {"GI", "4!a15!c"}, {"GL", "4!n9!n1!n"}, {"GR", "3!n4!n16!c"},
	{"GT", "4!c20!c"}, {"HN", "4!a20!n"}, {"HR", "7!n10!n"}, {"HU", "3!n4!n1!n15!n1!n"},
	{"IE", "4!a6!n8!n"}, {"IL", "3!n3!n13!n"}, {"IQ", "4!a3!n12!n"}, {"IS", "4!n2!n6!n10!n"},
	{"IT", "1!a5!n5!n12!c"}, {"JO", "4!a4!n18!c"}, {"KW", "4!a22!c"}, {"KZ", "3!n13!c"},
	{"LB", "4!n20!c"}, {"LC", "4!a24!c"}, {"LI", "5!n12!c"}, {"LT", "5!n11!n"},
	{"LU", "3!n13!c"}, {"LV", "4!a13!c"}, {"LY", "3!n3!n15!n"}, {"MC", "5!n5!n11!c2!n"},
	{"MD", "2!c18!c"}, {"ME", "3!n13!n2!n"}, {"MK", "3!n10!c2!n"}, {"MN", "4!n12!n"},
	{"MR", "5!n5!n11!n2!n"}, {"MT", "4!a5!n18!c"}, {"MU", "4!a2!n2!n12!n3!n3!a"},
	{"NI", "4!a20!n"}, {"NL", "4!a10!n"}, {"NO", "4!n6!n1!n"}, {"OM", "3!n16!c"},
	{"PK", "4!a16!c"}, {"PL", "8!n16!n"}, {"PS", "4!a21!c"}, {"PT", "4!n4!n11!n2!n"},
	{"QA", "4!a21!c"}, {"RO", "4!a16!c"}, {"RS", "3!n13!n2!n"}, {"RU", "9!n5!n15!c"},
	{"SA", "2!n18!c"}, {"SC", "4!a2!n2!n16!n3!a"}, {"SD", "2!n12!n"}, {"SE", "3!n16!n1!n"},
	{"SI", "5!n8!n2!n"}, {"SK", "4!n6!n10!n"}, {"SM", "1!a5!n5!n12!c"}, {"SO", "4!n3!n12!n"},
	{"ST", "4!n4!n11!n2!n"}, {"SV", "4!a20!n"}, {"TL", "3!n14!n2!n"}, {"TN", "2!n3!n13!n2!n"},
	{"TR", "5!n1!n16!c"}, {"UA", "6!n19!c"}, {"VA", "3!n15!n"}, {"VG", "4!a16!n"},
	{"XK", "4!n10!n2!n"}, {"YE", "4!a4!n18!c"},
};

#define IBAN_MAX_CHARS 34

/* The country's IBAN as a class per position ("CCkk" then n/a/c), its length, or 0 when
 * the registry has no such country. */
static int iban_classes(const char *cc, char *cls)
{
	for (size_t i = 0; i < MAGI_ARRAY_LEN(iban_registry); i++) {
		if (iban_registry[i].cc[0] != cc[0] || iban_registry[i].cc[1] != cc[1])
			continue;
		int n = 0;
		memcpy(cls, "aann", 4);
		n = 4;
		for (const char *f = iban_registry[i].bban; *f;) {
			int k = 0;
			while (magi__is_digit((uc)*f))
				k = k * 10 + (*f++ - '0');
			f++; /* '!' */
			for (int j = 0; j < k && n < IBAN_MAX_CHARS; j++)
				cls[n++] = *f;
			f++;
		}
		cls[n] = '\0';
		return n;
	}
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

/* "account" in the languages of the IBAN countries' banking forms (session 11: fr compte,
 * es cuenta, it conto, pt conta, nl rekening) */
static const char *const iban_words[] = {"iban", "account", "konto", "bank", "compte", "cuenta", "conto",
					 "conta", "rekening", NULL};

/* Letters a non-ASCII glyph (or '$') may stand for: Tesseract reads a capital as a currency
 * sign or a Latin-1 letter now and then ("£S23" for ES23, "IT13¥56" for IT13Y56). */
static const struct {
	const char *utf8;
	const char *letters;
} foreign_glyphs[] = {
	{"\xC2\xA3", "EL"}, /* £ */
	{"\xC2\xA5", "YV"}, /* ¥: small type's Y and V alike ("43¥D" for 43VD) */
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
	if (c == 'Y') /* small fonts' V ("YA98 6765 ...") */
		return "YV";
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
		return "ODQ";
	case '2': /* a Z in small type ("C27748...") */
		return "Z";
	case '(': /* a C ("(Y90-8582-...") */
		return "C";
	case '5':
		return "S";
	case '8':
		return "BS";
	case '@': /* a Q or an O in some fonts */
		return "QO";
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
	case 'L':
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
	case '?': /* small type's 7 in the check digits ("ILS? 3234 ..." for IL37): session 10 */
		return "7";
	case 'd': /* small type's 4 ("BESd 9418 ...", "NOOd" for N004): session 8 */
	case 'A':
		return "4";
	default:
		return "";
	}
}

/* Letters a digit may stand for where the account format wants a letter ("0ENL" is OENL). */
static const char *letter_options(uc c)
{
	switch (c) {
	case '0':
		return "ODQ";
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

#define IBAN_MAX_VARIANTS 256 /* readings tried per candidate: mod-97 stays meaningful */
/* An IBAN's printed shape whose checksum fails however it is read: likelier an OCR misread
 * of an IBAN than anything else, so it is covered, at this low score */
#define IBAN_SHAPE_SCORE 0.4f

#define IBAN_MAX_GLYPHS 2 /* foreign glyphs read per candidate */

/* An IBAN candidate as printed: the characters (a foreign glyph kept as '?'), where it ends
 * in the text and how many group breaks it had. */
struct iban_cand {
	char s[IBAN_MAX_CHARS + 1];
	char opts[IBAN_MAX_CHARS][8]; /* readings of each position, the printed one first */
	const char *glyph[IBAN_MAX_GLYPHS]; /* letters of each foreign glyph */
	int glyph_at[IBAN_MAX_GLYPHS], ng;  /* their positions, how many */
	int n, spaces, breaks;              /* breaks at group ends; all breaks */
	bool odd_break;                     /* a break read as no separator ('~') */
	size_t end;
};

/* Collects want characters from t[q] (the country code is already in c->s[0..1]): single
 * spaces between characters, '@' for 0, and with fuzzy up to IBAN_MAX_GLYPHS foreign
 * glyphs. */
static bool iban_collect(const char *t, size_t len, size_t q, int want, bool fuzzy,
			 struct iban_cand *c)
{
	c->n = 2, c->spaces = 0, c->breaks = 0, c->ng = 0, c->end = q, c->odd_break = false;
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
		/* the paper format's groups joined by dashes ("DE89-3704-0044-..."; small type's
		 * '~' for one: "BA63~7154-...") */
		if ((ch == '-' || (fuzzy && ch == '~')) && c->n >= 4 && q + 1 < len && t[q - 1] != '-' && magi__is_alnum((uc)t[q + 1])) {
			c->spaces += c->n % 4 == 0;
			c->breaks++;
			c->odd_break |= ch == '~';
			q++;
			continue;
		}
		/* session 10: OCR's space after a dash ("7F5Y- 135B-IDLK-W") */
		if (fuzzy && ch == '-' && c->n >= 4 && c->n % 4 == 0 && q + 2 < len && t[q - 1] != '-' &&
		    t[q + 1] == ' ' && magi__is_alnum((uc)t[q + 2])) {
			c->spaces++;
			c->breaks++;
			q += 2;
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
		const char *g = fuzzy && c->ng < IBAN_MAX_GLYPHS && c->n >= 4 ? foreign_glyph(t, len, q, &gl)
										 : NULL;
		if (g) {
			c->glyph[c->ng] = g;
			c->glyph_at[c->ng++] = c->n;
			c->s[c->n++] = '?';
			q += gl;
			c->end = q;
			continue;
		}
		if (!magi__is_alnum(ch) && ch != '@' && !(fuzzy && ch == '?' && c->n < 4))
			return false;
		c->s[c->n++] = (char)ch;
		c->end = ++q;
	}
	c->s[c->n] = '\0';
	return c->n == want && !(c->end < len && magi__is_alnum((uc)t[c->end]));
}

/* Which of c's foreign glyphs stands at position k, or -1. */
static int glyph_index(const struct iban_cand *c, int k)
{
	for (int g = 0; g < c->ng; g++)
		if (c->glyph_at[g] == k)
			return g;
	return -1;
}

/* Fills c->opts: what each position may stand for, by the registry's class of the position
 * (cls: "aann" then the BBAN's n/a/c). False when a position cannot be part of this
 * country's IBAN even with OCR's look-alikes read otherwise. */
static bool iban_options(struct iban_cand *c, const char *cls, bool fuzzy)
{
	for (int k = 2; k < c->n; k++) {
		uc ch = (uc)c->s[k];
		char *o = c->opts[k], want = cls[k];
		o[0] = (char)ch, o[1] = '\0';
		int gi = glyph_index(c, k);
		if (gi >= 0) {
			const char *g = want == 'n' ? digit_options((uc)c->glyph[gi][0]) : c->glyph[gi];
			if (k < 4 || !*g || strlen(g) >= sizeof c->opts[k])
				return false;
			memcpy(o, g, strlen(g) + 1);
			continue;
		}
		if (magi__is_digit(ch)) {
			const char *lo = letter_options(ch);
			if (want == 'a') {
				/* the format wants a letter here: OCR read a letter as a digit */
				if (!fuzzy || !*lo)
					return false;
				memcpy(o, lo, strlen(lo) + 1);
			} else if (want == 'c' && fuzzy && *lo && strlen(lo) < sizeof c->opts[k] - 1) {
				/* a letter-or-digit position: the digit may be a letter OCR misread */
				memcpy(o + 1, lo, strlen(lo) + 1);
			}
			continue;
		}
		const char *d = digit_options(ch);
		if (want != 'n' && magi__is_alpha(ch)) {
			/* a letter stands; in a letter-or-digit position it may also be a digit OCR
			 * read as a letter */
			if (want == 'c' && fuzzy && *d && strlen(d) < sizeof c->opts[k] - 1)
				memcpy(o + 1, d, strlen(d) + 1);
			/* small type's O for a Q (its tail lost: "DZNO" for DZNQ) */
			size_t no = strlen(o);
			if (fuzzy && ch == 'O' && no + 1 < sizeof c->opts[k])
				o[no] = 'Q', o[no + 1] = '\0';
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
	bool printed = c->ng == 0;
	for (int k = 2; k < c->n; k++) {
		size_t no = strlen(c->opts[k]);
		s[k] = c->opts[k][0];
		printed &= magi__lower((uc)s[k]) == magi__lower((uc)c->s[k]);
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

/* A lower-case letter other than OCR's o, l and s for 0, 1 and 5 among c's characters
 * (an IBAN is upper case: "ES2015 class (Antoine" is prose). */
static bool has_lower(const struct iban_cand *c)
{
	for (int k = 4; k < c->n; k++)
		if (magi__is_lower((uc)c->s[k]) && !strchr("ols", c->s[k]))
			return true;
	return false;
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
static bool iban_drop_double(const struct iban_cand *c, const char *cls)
{
	for (int k = 2; k < c->n; k++) {
		uc ch = (uc)c->s[k];
		if (glyph_index(c, k) >= 0 ||
		    !(iban_lookalike(ch, (uc)c->s[k - 1]) || (k + 1 < c->n && iban_lookalike(ch, (uc)c->s[k + 1]))))
			continue;
		struct iban_cand d = *c;
		memmove(d.s + k, d.s + k + 1, (size_t)(d.n - k));
		d.n--;
		for (int g = 0; g < d.ng; g++)
			d.glyph_at[g] -= d.glyph_at[g] > k;
		bool repaired;
		if (iban_options(&d, cls, true) && iban_readings_valid(&d, &repaired))
			return true;
	}
	return false;
}

/* true when the BBAN format of c's country wants two letters or more and all of them but
 * one stand as letters in c as read ("10731XBX0607..." for IQ73 IXBX ...): a number
 * that merely starts with digits shaped like a country code has none there. */
static bool letters_as_read(const struct iban_cand *c, const char *cls)
{
	int want = 0, got = 0;
	for (int k = 4; k < c->n; k++)
		if (cls[k] == 'a') {
			want++;
			got += magi__is_upper((uc)c->s[k]);
		}
	return want >= 2 && got >= want - 1;
}

/* A country code OCR misread past its look-alikes ("AI65 ..." for AT65, "EF12" for EE12):
 * the registry itself repairs it. At t[i] two ASCII glyphs then the two check digits; each
 * registry country that shares one of the two letters at its place is tried with the rest
 * exactly as read (its length, its BBAN format, no other glyph read otherwise), and mod-97
 * must hold for exactly one of them — a wrong country passes by chance once in 97, and few
 * share a letter and a length. The end of the finding, or 0. */
static size_t iban_country_repaired(const char *t, size_t len, size_t i)
{
	if (i + 4 > len || !magi__is_alnum((uc)t[i]) || !magi__is_alnum((uc)t[i + 1]) ||
	    !magi__is_digit((uc)t[i + 2]) || !magi__is_digit((uc)t[i + 3]))
		return 0;
	char a = (char)(magi__is_lower((uc)t[i]) ? t[i] - 32 : t[i]);
	char b = (char)(magi__is_lower((uc)t[i + 1]) ? t[i + 1] - 32 : t[i + 1]);
	size_t end = 0;
	int passed = 0;
	for (size_t r = 0; r < MAGI_ARRAY_LEN(iban_registry) && passed < 2; r++) {
		const char *cc = iban_registry[r].cc;
		if ((cc[0] == a) == (cc[1] == b)) /* both letters the same, or neither */
			continue;
		char cls[IBAN_MAX_CHARS + 1];
		int want = iban_classes(cc, cls);
		struct iban_cand c;
		c.s[0] = cc[0], c.s[1] = cc[1];
		bool repaired;
		if (!want || !iban_collect(t, len, i + 2, want, false, &c) || c.ng ||
		    !iban_options(&c, cls, false) || !iban_readings_valid(&c, &repaired) ||
		    (c.end + 1 < len && t[c.end] == ' ' && magi__is_digit((uc)t[c.end + 1])))
			continue;
		passed++;
		end = c.end;
	}
	return passed == 1 ? end : 0;
}

magi_status magi__pii_ibans(const char *t, size_t len, const struct magi_pii_params *p,
				struct magi__fvec *fv)
{
	struct iban_cand c;
	for (size_t i = 0; i + 15 <= len; i++) {
		/* session 10: one or two stray glyphs OCR put before the country code in the same
		 * word ("ISM70-B845-...", "BPEE12 9842 ..."): a reading must then pass mod-97 */
		int stray = 0;
		if (!magi__pii_left_boundary(t, i)) {
			if (!p->ocr_fuzzy || !magi__is_upper((uc)t[i]))
				continue;
			for (stray = 1; stray <= 2; stray++) {
				uc b = (uc)t[i - (size_t)stray];
				if (!(magi__is_alpha(b) || b == '(' || b == '|') ||
				    magi__pii_left_boundary(t, i - (size_t)stray))
					break;
			}
			if (stray > 2 || !magi__pii_left_boundary(t, i - (size_t)stray))
				continue;
		}
		size_t n0, n1;
		const char *o0 = country_options(t, len, i, &n0);
		if (!*o0)
			continue;
		const char *o1 = country_options(t, len, i + n0, &n1);
		bool exact_cc = magi__is_upper((uc)t[i]) && magi__is_upper((uc)t[i + 1]);
		if (!*o1 || (!p->ocr_fuzzy && !exact_cc))
			continue;
		/* session 10: the check digits as digits or their look-alikes ("SCOZ" for SC02,
		 * "ILS?" for IL37), for the printed shape's rule below; and a country code with
		 * one glyph a look-alike ("1L10 ..." for IL10) there after an IBAN label */
		size_t body0 = i + n0 + n1;
		bool check_shape = body0 + 1 < len &&
				   (magi__is_digit((uc)t[body0]) || *digit_options((uc)t[body0])) &&
				   (magi__is_digit((uc)t[body0 + 1]) || *digit_options((uc)t[body0 + 1]));
		bool check_digit = body0 + 1 < len &&
				   (magi__is_digit((uc)t[body0]) || magi__is_digit((uc)t[body0 + 1]));
		bool near_cc = !exact_cc && n0 == 1 && n1 == 1 &&
			       (magi__is_upper((uc)t[i]) || magi__is_upper((uc)t[i + 1])) &&
			       magi__pii_context_has(t, i, 32, iban_words);

		/* a country code read as two digits ("1781 X224 ..." for LT81) only in the paper
		 * format's groups of four, or (session 8) where the format's letters stand as
		 * letters: "5016197180745621833" is a number, not an IBAN */
		bool digit_cc = magi__is_digit((uc)t[i]) && magi__is_digit((uc)t[i + n0]);
		bool done = false;
		for (const char *a = o0; *a && !done; a++)
			for (const char *b = o1; *b && !done; b++) {
				char cc[3] = {*a, *b, 0};
				char cls[IBAN_MAX_CHARS + 1];
				int want = iban_classes(cc, cls);
				if (!want)
					continue;
				size_t body = i + n0 + n1;
				float score = 0;
				bool repaired = true;
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
						bool more = !skip && p->ocr_fuzzy && !digit_cc &&
							    iban_collect(t, len, q, want + 1, true, &c) &&
							    !(c.end + 1 < len && t[c.end] == ' ' &&
							      magi__is_digit((uc)t[c.end + 1]));
						if (more && iban_drop_double(&c, cls))
							score = MAGI_PII_SCORE_REPAIRED;
						else if (more && exact_cc && magi__is_digit((uc)t[i + 2]) &&
							 magi__is_digit((uc)t[i + 3]) && !has_lower(&c) &&
							 (c.breaks >= 3 || magi__pii_context_has(t, i, 32, iban_words)))
							score = IBAN_SHAPE_SCORE;
						if (score)
							end = c.end;
						continue;
					}
					bool fixed = false;
					/* a repaired reading must not stop inside a longer number: "1781
					 * X224 2730 7011 6496 2166 753" is no 20-character LT IBAN */
					bool cut = c.end + 1 < len && t[c.end] == ' ' &&
						   magi__is_digit((uc)t[c.end + 1]);
					/* session 11: or after an IBAN or account label ("IBAN:
					 * 18139399661787433786042721" for IS13..., both letters read as
					 * digits), where mod-97 must still pass on the repaired reading */
					if (digit_cc && c.spaces < 3 && !letters_as_read(&c, cls) &&
					    !magi__pii_context_has(t, i, 32, iban_words))
						continue;
					if (iban_options(&c, cls, p->ocr_fuzzy) &&
					    iban_readings_valid(&c, &fixed) &&
					    !((fixed || skip || !exact_cc || cc[0] != t[i] || cc[1] != t[i + n0]) &&
					      cut)) {
						/* full confidence only for the text as read: the registry's
						 * country, length and format, and mod-97 */
						repaired = fixed || skip || !exact_cc || cc[0] != t[i] ||
							   cc[1] != t[i + n0] || c.odd_break;
						score = repaired ? MAGI_PII_SCORE_REPAIRED : 1.0f;
					}
					/* the shape alone (a country code, its exact length, groups of
					 * four) when OCR garbled a digit: print layouts this specific are
					 * IBANs. Not for the dropped-glyph reading: that one must check. */
					else if (!skip && !stray && (exact_cc || near_cc) && check_shape &&
						 (check_digit || c.spaces >= 3) &&
						 (c.spaces >= 3 || magi__pii_context_has(t, i, 32, iban_words)) &&
						 iban_options(&c, cls, true))
						score = IBAN_SHAPE_SCORE;
					end = c.end;
				}
				/* after stray glyphs: the country code and check digits as read, upper
				 * case as an IBAN is (the readings' variants must not make mod-97 pass
				 * by chance in a word: "SHA256 or SHA512 if ...") */
				if (score == 0 ||
				    (stray && (score < MAGI_PII_SCORE_REPAIRED || !exact_cc ||
					       !magi__is_digit((uc)t[i + 2]) || !magi__is_digit((uc)t[i + 3]) ||
					       has_lower(&c))))
					continue;
				if (stray) {
					repaired = true;
					score = MAGI_PII_SCORE_REPAIRED;
				}
				magi_status st = magi__fvec_push(fv, MAGI_PII_IBAN, i, end, score, NULL);
				if (st)
					return st;
				fv->v[fv->n - 1].repaired = repaired;
				i = end - 1;
				done = true;
			}
		/* no reading of its country code passed: the registry's countries that share a
		 * letter with it */
		size_t fixed_cc = done || !p->ocr_fuzzy || stray ? 0 : iban_country_repaired(t, len, i);
		if (fixed_cc) {
			magi_status st = magi__fvec_push_repaired(fv, MAGI_PII_IBAN, i, fixed_cc, MAGI_PII_SCORE_REPAIRED);
			if (st)
				return st;
			i = fixed_cc - 1;
		}
	}
	return MAGI_OK;
}
