/* pii_phone.c — phone numbers by ITU-T E.164 and the national numbering plans.
 *
 * International numbers ("+CC ...", "00CC ...") are checked against the E.164 list of
 * assigned country codes and, for the countries listed below, the length of the national
 * significant number their plan allows. National numbers are recognised by the shapes the
 * plans give them: a trunk prefix 0 (most of Europe, Asia, Oceania, Africa), the trunk 8 of
 * Russia, the NANP's NPA-NXX-XXXX, and the closed plans without a trunk prefix, each in
 * the grouping its country writes (Spain 3-3-3 and 2-3-2-2, Poland 2-3-2-2, Norway and
 * Denmark 2-2-2-2, Italy's mobiles 3-3-4, Mexico 2-4-4, India's mobiles 5-5, China's
 * mobiles 3-4-4 from 13-19, Brazil (NN) NNNNN-NNNN). A phone label (in several
 * languages) admits any 7-15 digits. libphonenumber was measured as the alternative and
 * not taken (docs/guards.md: 2.6-4 ms per number-bearing line over 30 regions, and it
 * accepts bare runs such as 1073741824 as national numbers). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* E.164 assigned country codes (ITU-T, list of E.164 assigned country codes), with the
 * national significant number's length in the country's plan where known here; 0, 0 means
 * 4-14 digits (E.164 caps a whole number at 15). */
static const struct {
	uint16_t cc;
	uint8_t min, max;
} e164[] = {
	{1, 10, 10},  {7, 10, 10},  {20, 8, 10},  {27, 9, 9},   {30, 10, 10}, {31, 9, 9},
	{32, 8, 9},   {33, 9, 9},   {34, 9, 9},   {36, 8, 9},   {39, 6, 11},  {40, 9, 9},
	{41, 9, 9},   {43, 4, 13},  {44, 7, 10},  {45, 8, 8},   {46, 7, 10},  {47, 5, 8},
	{48, 9, 9},   {49, 6, 13},  {51, 8, 9},   {52, 10, 10}, {53, 6, 8},   {54, 10, 11},
	{55, 10, 11}, {56, 9, 9},   {57, 10, 10}, {58, 10, 10}, {60, 8, 10},  {61, 9, 10},
	{62, 8, 12},  {63, 8, 10},  {64, 8, 10},  {65, 8, 8},   {66, 8, 9},   {81, 9, 10},
	{82, 8, 11},  {84, 9, 10},  {86, 10, 12}, {90, 10, 10}, {91, 10, 10}, {92, 9, 10},
	{93, 9, 9},   {94, 9, 9},   {95, 7, 10},  {98, 10, 10}, {211, 0, 0},  {212, 9, 9},
	{213, 8, 9},  {216, 8, 8},  {218, 9, 9},  {220, 0, 0},  {221, 0, 0},  {222, 0, 0},
	{223, 0, 0},  {224, 0, 0},  {225, 0, 0},  {226, 0, 0},  {227, 0, 0},  {228, 0, 0},
	{229, 0, 0},  {230, 0, 0},  {231, 0, 0},  {232, 0, 0},  {233, 9, 9},  {234, 8, 10},
	{235, 0, 0},  {236, 0, 0},  {237, 0, 0},  {238, 0, 0},  {239, 0, 0},  {240, 0, 0},
	{241, 0, 0},  {242, 0, 0},  {243, 0, 0},  {244, 0, 0},  {245, 0, 0},  {246, 0, 0},
	{247, 0, 0},  {248, 0, 0},  {249, 0, 0},  {250, 0, 0},  {251, 9, 9},  {252, 0, 0},
	{253, 0, 0},  {254, 9, 9},  {255, 9, 9},  {256, 9, 9},  {257, 0, 0},  {258, 0, 0},
	{260, 0, 0},  {261, 0, 0},  {262, 0, 0},  {263, 0, 0},  {264, 0, 0},  {265, 0, 0},
	{266, 0, 0},  {267, 0, 0},  {268, 0, 0},  {269, 0, 0},  {290, 0, 0},  {291, 0, 0},
	{297, 0, 0},  {298, 0, 0},  {299, 0, 0},  {350, 8, 8},  {351, 9, 9},  {352, 6, 11},
	{353, 7, 9},  {354, 7, 9},  {355, 0, 0},  {356, 8, 8},  {357, 8, 8},  {358, 5, 12},
	{359, 8, 9},  {370, 8, 8},  {371, 8, 8},  {372, 7, 8},  {373, 8, 8},  {374, 8, 8},
	{375, 9, 10}, {376, 6, 9},  {377, 8, 9},  {378, 0, 0},  {379, 0, 0},  {380, 9, 9},
	{381, 0, 0},  {382, 0, 0},  {383, 0, 0},  {385, 8, 9},  {386, 8, 8},  {387, 8, 9},
	{389, 8, 8},  {420, 9, 9},  {421, 9, 9},  {423, 7, 9},  {500, 0, 0},  {501, 0, 0},
	{502, 8, 8},  {503, 8, 8},  {504, 8, 8},  {505, 8, 8},  {506, 8, 8},  {507, 0, 0},
	{508, 0, 0},  {509, 8, 8},  {590, 9, 9},  {591, 8, 8},  {592, 0, 0},  {593, 8, 9},
	{594, 9, 9},  {595, 0, 0},  {596, 9, 9},  {597, 0, 0},  {598, 0, 0},  {599, 0, 0},
	{670, 0, 0},  {672, 0, 0},  {673, 0, 0},  {674, 0, 0},  {675, 0, 0},  {676, 0, 0},
	{677, 0, 0},  {678, 0, 0},  {679, 0, 0},  {680, 0, 0},  {681, 0, 0},  {682, 0, 0},
	{683, 0, 0},  {685, 0, 0},  {686, 0, 0},  {687, 0, 0},  {688, 0, 0},  {689, 0, 0},
	{690, 0, 0},  {691, 0, 0},  {692, 0, 0},  {800, 8, 8},  {808, 8, 8},  {850, 0, 0},
	{852, 8, 8},  {853, 8, 8},  {855, 8, 9},  {856, 8, 10}, {870, 9, 9},  {878, 0, 0},
	{880, 10, 10}, {881, 0, 0}, {882, 0, 0},  {883, 0, 0},  {886, 8, 9},  {888, 0, 0},
	{960, 7, 7},  {961, 7, 8},  {962, 8, 9},  {963, 8, 9},  {964, 8, 10}, {965, 8, 8},
	{966, 8, 9},  {967, 0, 0},  {968, 8, 8},  {970, 8, 9},  {971, 8, 9},  {972, 8, 9},
	{973, 8, 8},  {974, 8, 8},  {975, 0, 0},  {976, 8, 8},  {977, 0, 0},  {979, 0, 0},
	{992, 9, 9},  {993, 8, 8},  {994, 9, 9},  {995, 9, 9},  {996, 9, 9},  {998, 9, 9},
};

/* The country code opening d (n digits) and the national number's length range; 0 when
 * no assigned code opens it (codes are prefix-free, so at most one does). */
static int e164_cc(const char *d, int n, int *ccl, int *min, int *max)
{
	int v = 0;
	for (int l = 1; l <= 3 && l <= n; l++) {
		v = v * 10 + (d[l - 1] - '0');
		for (size_t k = 0; k < MAGI_ARRAY_LEN(e164); k++)
			if (e164[k].cc == v && (l == 1 ? v < 10 : l == 2 ? v >= 10 && v < 100 : v >= 100)) {
				*ccl = l;
				*min = e164[k].min ? e164[k].min : 4;
				*max = e164[k].max ? e164[k].max : 15 - l;
				return v;
			}
	}
	return 0;
}

/* Phone labels, as the words stand before a number in several languages. */
static const char *const phone_words[] = {
	"tel", "phone", "telephone", "mobile", "mob", "cell", "call", "fax", "whatsapp",
	"contact", "hotline", "telefon", "telefoon", "telefono", "telefone", "tél",
	"téléphone", "teléfono", "telefonnummer", "móvil", "movil", "celular", "cellulare",
	"handy", "mobil", "portable", "gsm", "tlf", "tfn", "puh", "puhelin", "numer", NULL};
static const char *const not_phone_words[] = {"order", "invoice", "isbn", "ref", "sku",
					      "tracking", "serial", "id", "no", "nr", "version",
					      "build", "account", "acct", "ticket", "case", NULL};

static bool sep_is(const char *s, const char *one_of)
{
	return s[0] && !s[1] && strchr(one_of, s[0]);
}

/* The groups [g0, g1] have exactly the sizes in want (0-terminated). */
static bool sizes_are(const struct magi__pii_run *r, int g0, int g1, const int *want)
{
	int k = 0;
	for (int g = g0; g <= g1; g++, k++)
		if (!want[k] || r->gd[g] != want[k])
			return false;
	return !want[k];
}

/* Separators from group `from` to g1 are all ' ' or all '-'. The closed plans' countries
 * write their numbers with spaces (or dashes), never dots: "41.151.26.53" is an IPv4
 * address, not Poland's "41 151 26 53". */
static bool same_seps(const struct magi__pii_run *r, int from, int g1)
{
	for (int g = from; g <= g1; g++)
		if (!sep_is(r->sep[g], " -") || strcmp(r->sep[g], r->sep[from]))
			return false;
	return true;
}

/* An international number after '+' (or 00): an assigned country code and a national
 * number of the plan's length; a trunk "(0)" written after the code ("+44 (0)20 ...") is
 * not counted. The code need not stand alone: OCR drops the space after it ("+1316 ..."). */
static bool intl_ok(const struct magi__pii_run *r, int g0, int g1, int skip)
{
	char d[MAGI_PII_RUN_MAX_DIGITS * 2];
	int n = 0;
	for (int g = g0; g <= g1; g++) {
		bool trunk = g > g0 && r->gd[g] == 1 && r->dig[g][0] == '0' && strchr(r->sep[g], '(') &&
			     g < g1 && r->sep[g + 1][0] == ')';
		for (const char *c = r->dig[g]; *c && !trunk && n + 1 < (int)sizeof d; c++)
			d[n++] = *c;
	}
	d[n] = '\0';
	int ccl, min, max;
	if (n - skip < 2 || !e164_cc(d + skip, n - skip, &ccl, &min, &max))
		return false;
	int nsn = n - skip - ccl;
	return nsn >= min && nsn <= max;
}

/* National numbers without a trunk prefix, in the groupings their countries write. */
static bool closed_plan_shape(const struct magi__pii_run *r, int g0, int g1, const char *d, int n,
			      bool lead_paren)
{
	static const int s333[] = {3, 3, 3, 0}, s3222[] = {3, 2, 2, 2, 0}, s2322[] = {2, 3, 2, 2, 0},
			 s234[] = {2, 3, 4, 0}, s2222[] = {2, 2, 2, 2, 0}, s323[] = {3, 2, 3, 0},
			 s244[] = {2, 4, 4, 0}, s55[] = {5, 5, 0}, s37[] = {3, 7, 0}, s344[] = {3, 4, 4, 0},
			 s254[] = {2, 5, 4, 0}, s334[] = {3, 3, 4, 0};
	if (d[0] < '1')
		return false;
	bool same = same_seps(r, g0 + 1, g1);
	/* Brazil "(11) 91234-5678", "11 91234-5678", "(21) 2345-6789"; Mexico "(55) 1234-5678" */
	if ((sizes_are(r, g0, g1, s254) || sizes_are(r, g0, g1, s244)) && d[0] >= '1' &&
	    (lead_paren ? !strcmp(r->sep[g0 + 1], ") ") : sep_is(r->sep[g0 + 1], " ")) &&
	    sep_is(r->sep[g0 + 2], "- "))
		return true;
	if (!same || d[0] < '2')
		return n == 11 && same && d[0] == '1' && d[1] >= '3' && sizes_are(r, g0, g1, s344);
	switch (n) {
	case 8: /* Norway, Denmark */
		return sizes_are(r, g0, g1, s2222) || (sizes_are(r, g0, g1, s323) && (d[0] == '4' || d[0] == '9'));
	case 9: /* Spain, Poland, Portugal */
		return sizes_are(r, g0, g1, s333) || sizes_are(r, g0, g1, s3222) ||
		       sizes_are(r, g0, g1, s2322) || sizes_are(r, g0, g1, s234);
	case 10: /* Mexico 2-4-4, India's mobiles 5-5, Italy's mobiles 3-7 and 3-3-4 (whatever
		  * digit follows: the NANP's exchange rule is not Italy's) */
		return sizes_are(r, g0, g1, s244) || (sizes_are(r, g0, g1, s55) && d[0] >= '6') ||
		       ((sizes_are(r, g0, g1, s37) || sizes_are(r, g0, g1, s334)) && d[0] == '3');
	default:
		return false;
	}
}

/* Does groups [g0, g1] of r read as a phone number? */
static bool phone_shape(const struct magi__pii_run *r, int g0, int g1, bool plus, bool lead_paren,
			bool labelled)
{
	char d[MAGI_PII_RUN_MAX_DIGITS * 2];
	int n = magi__pii_run_digits(r, g0, g1, d, sizeof d);
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
	if (plus)
		return intl_ok(r, g0, g1, 0);
	if (n >= 11 && n <= 17 && d[0] == '0' && d[1] == '0' && d[2] != '0' && ng >= 2 && /* 00 CC */
	    sep_is(r->sep[g0 + 1], " -") && intl_ok(r, g0, g1, 2))
		return true;
	/* US/NANP: (NNN) NNN-NNNN, NNN-NNN-NNNN, NNN.NNN.NNNN, NNN NNN NNNN, 1-NNN-NNN-NNNN */
	int o = g0;
	if (ng == 4 && r->gd[g0] == 1 && d[0] == '1')
		o++;
	if (g1 - o == 2 && r->gd[o] == 3 && r->gd[o + 1] == 3 && r->gd[o + 2] == 4 &&
	    r->dig[o][0] >= '2' && r->dig[o + 1][0] >= '2') {
		const char *s1 = r->sep[o + 1], *s2 = r->sep[o + 2];
		bool paren = (lead_paren && o == g0) && (!strcmp(s1, ") ") || !strcmp(s1, ")"));
		if (paren && (sep_is(s2, "-. ")))
			return true;
		if (!lead_paren && sep_is(s1, "-. ") && !strcmp(s1, s2))
			return true;
	}
	/* a "1 (NNN) NNN-NNNN" written with the NANP trunk 1 */
	if (ng == 4 && d[0] == '1' && r->gd[g0] == 1 && r->gd[g0 + 1] == 3 && r->gd[g0 + 2] == 3 &&
	    r->gd[g0 + 3] == 4 && !strcmp(r->sep[g0 + 1], " (") && r->sep[g0 + 2][0] == ')')
		return true;
	/* Brazil's mobiles after the trunk 0: "081 98045-9937" */
	if (d[0] == '0' && n == 12 && ng == 3 && r->gd[g0] == 3 && r->gd[g0 + 1] == 5 && r->gd[g1] == 4 &&
	    sep_is(r->sep[g1], "-"))
		return true;
	/* Russia's trunk 8: "8 (495) 123-45-67", "8 912 345 67 89" */
	if (d[0] == '8' && r->gd[g0] == 1 && n == 11 && ng >= 3 && r->gd[g0 + 1] == 3)
		return true;
	/* national trunk prefix 0 (UK, DE, FR, NL, JP, KR, CN, AU, ...): "020 7946 0958",
	 * "030 12345678", "01 23 45 67 89", "(030) 1234567", "089/1234567", "03-1234-5678",
	 * "0151 23456789". After the first separator all separators agree, which keeps date
	 * ranges ("01.02.2024 / 03.04.2024") out. */
	/* twelve digits only in two groups ("0151 23456789") or with the area code set apart
	 * ("0571-8765 4321", "(0571) 8765 4321"): "0837 7357 1717" reads as a reference or
	 * the start of a card number as much as a phone */
	bool area_apart = ng == 3 && strcmp(r->sep[g0 + 1], r->sep[g0 + 2]) && sep_is(r->sep[g0 + 2], " -");
	if (d[0] == '0' && d[1] != '0' && n >= 9 && (n <= 11 || (n == 12 && (ng == 2 || area_apart))) &&
	    ng >= 2 && ng <= 5 &&
	    r->gd[g0] >= 2 && r->gd[g0] <= 5 && r->gd[g1] >= 2 &&
	    /* a US ZIP+4 ("02111-1307") is no phone number without a label */
	    !(ng == 2 && r->gd[g0] == 5 && r->gd[g1] == 4 && sep_is(r->sep[g1], "-") && !labelled)) {
		/* five pairs (the French layout) may mix ' ' and '.': OCR reads a space as a
		 * dot now and then ("05 52.00 63.49"); pairs in other counts are byte dumps */
		bool pairs = true;
		for (int g = g0; g <= g1 && pairs; g++)
			pairs = r->gd[g] == 2 && (g == g0 || sep_is(r->sep[g], " .-"));
		if (pairs)
			return ng == 5;
		for (int g = g0; g <= g1; g++)
			if (r->gd[g] > 9 || (g > g0 + 2 && strcmp(r->sep[g], r->sep[g0 + 2])))
				return false;
		return true;
	}
	if (ng >= 2 && closed_plan_shape(r, g0, g1, d, n, lead_paren))
		return true;
	if (labelled && n >= 7 && n <= 15)
		return true;
	return false;
}

/* Pairs of digits inside a byte dump ("<Buffer 30 31 32 33>", "6f  72 69 65 73 3a"): a
 * bracket right after, or a hex byte right before or after. */
static bool in_byte_dump(const char *t, size_t len, const struct magi__pii_run *r, int g1)
{
	for (int g = 0; g <= g1; g++)
		if (r->gd[g] != 2)
			return false;
	size_t e = r->ge[g1], s = r->start;
	while (e < len && t[e] == ' ')
		e++;
	if (e < len && (t[e] == '>' || t[e] == ']'))
		return true;
	if (e + 1 < len && magi__is_hex((uc)t[e]) && magi__is_hex((uc)t[e + 1]) &&
	    (e + 2 == len || !magi__is_alnum((uc)t[e + 2])))
		return true;
	while (s > 0 && t[s - 1] == ' ')
		s--;
	return s >= 2 && magi__is_hex((uc)t[s - 1]) && magi__is_hex((uc)t[s - 2]) &&
	       (s == 2 || !magi__is_alnum((uc)t[s - 3])) && s < r->start;
}

bool magi__pii_phone_labelled(const char *t, size_t i)
{
	return magi__pii_context_has(t, i, 24, phone_words);
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
		struct magi__pii_run r;
		if (!magi__pii_parse_run(t, len, i, " -./()", 3, p->ocr_fuzzy, true, &r))
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
				/* a run that goes on in the same rhythm ("06 08 00 00 09 00 ...") is a
				 * table of numbers, one that goes on with a dot a dotted number
				 * ("255.255.255.0") */
				if (g1 + 1 < r.ng && g1 > 0 &&
				    ((r.gd[g1 + 1] == r.gd[g1] && !strcmp(r.sep[g1 + 1], r.sep[g1])) ||
				     !strcmp(r.sep[g1 + 1], ".")))
					break;
				if (!labelled && in_byte_dump(t, len, &r, g1))
					break;
				size_t s = r.start;
				/* phone numbers carry no checksum: a look-alike read as a digit
				 * lowers the score, nothing more */
				float score = magi__pii_run_fuzzy_in(&r, t, 0, g1) ? 0.8f : 1.0f;
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
