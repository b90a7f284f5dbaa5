/* pii_text.c — PII that is text rather than digits: API keys and tokens (known prefixes,
 * JWTs, an entropy rule), values after labels (password, PIN, CVV, ...) and the user's
 * own secrets (fuzzy matching for long values). E-mail addresses are in pii_email.c. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

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
			if (q + 1 < len && t[q] == ' ' && (t[q + 1] == '-' || magi__pii_utf8_dash(t, len, q + 1)))
				q++;
			size_t u = q < len && t[q] == '-' ? 1 : magi__pii_utf8_dash(t, len, q);
			if (!u)
				return 0;
			q += u;
			/* a doubled dash ("xoxb-—8083") */
			u = q < len && t[q] == '-' ? 1 : magi__pii_utf8_dash(t, len, q);
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

/* An identifier in snake case or a constant's name ("X509_VERIFY_PARAM_set_flags"): two
 * or more underscores, each piece in one case (digits allowed). Random key material mixes
 * cases inside its pieces. */
static bool identifier_like(const char *s, size_t n)
{
	int unders = 0, up = 0, lo = 0;
	for (size_t i = 0; i <= n; i++) {
		uc c = i < n ? (uc)s[i] : '_';
		if (c == '_') {
			if (up && lo)
				return false;
			unders += i < n;
			up = lo = 0;
		} else {
			up += magi__is_upper(c);
			lo += magi__is_lower(c);
		}
	}
	return unders >= 2;
}

/* A path or a URL's path ("js/node/commit/82363beZac", "/tmp/work/screen"): a '/'-
 * separated piece is a lower-case word of 4+ letters, which base64 key material between
 * slashes almost never is. */
static bool path_like(const char *s, size_t n)
{
	if (!memchr(s, '/', n))
		return false;
	size_t run = 0;
	bool bounded = true; /* the run started at a '/' or the token's start */
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? s[i] : '/';
		if (magi__is_lower((uc)c)) {
			run++;
			continue;
		}
		if (c == '/' && bounded && run >= 4)
			return true;
		bounded = c == '/';
		run = 0;
	}
	return false;
}

magi_status magi__pii_keys(const char *t, size_t len, const struct magi_pii_params *p,
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
			if (n >= p->entropy_min_len && n <= 512 && !path_like(t + i, n) &&
			    !identifier_like(t + i, n) && high_entropy(t + i, n)) {
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

static bool masked(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '*' && s[i] != '.' && s[i] != 'x' && s[i] != 'X' && s[i] != '#' &&
		    (uc)s[i] < 0x80)
			return false;
	/* non-ASCII-only values are bullets ("••••") in practice */
	return true;
}

magi_status magi__pii_credentials(const char *t, size_t len, struct magi__fvec *fv)
{
	for (size_t li = 0; li < MAGI_ARRAY_LEN(cred_labels); li++) {
		const char *label = cred_labels[li].label;
		size_t from = 0, at;
		while ((at = magi__find_word(t, len, from, label)) != SIZE_MAX) {
			size_t q = at + strlen(label);
			from = q;
			/* a label stands apart from its value: "token.name" in code is no label */
			if (q < len && !strchr(" \t:=;\n", t[q]))
				continue;
			bool tab = false;
			while (q < len && (t[q] == ' ' || t[q] == '\t'))
				tab |= t[q++] == '\t';
			/* fillers: "PIN code:", "password (again):" is not a value */
			static const char *const fill[] = {"code", "number", "no.", "key", NULL};
			for (size_t f = 0; fill[f]; f++)
				if (magi__word_at(t, len, q, fill[f])) {
					q += strlen(fill[f]);
					break;
				}
			/* a tab is a form's field edge (pii.c joins a row's far pieces with one) */
			bool sep = tab;
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
			 * line with a colon ("Password:" above a field); prose wraps after a bare
			 * "password" */
			if (sep && q < len && t[q] == '\n') {
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
			/* placeholders of documentation ("--password <string>", "[token]") */
			if (n == 0 || t[e - 1] == ':' || t[e - 1] == '?' || masked(t + v, n) ||
			    magi__pii_in_list(t + v, n, cred_stop) || n > 256 ||
			    (n >= 2 && ((t[v] == '<' && t[e - 1] == '>') || (t[v] == '[' && t[e - 1] == ']') ||
					(t[v] == '{' && t[e - 1] == '}'))))
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
			} else if (!sep || magi__word_at(t, len, v > 3 ? v - 3 : 0, "is")) {
				/* no colon (or just "is"): accept only values that look made up (digit,
				 * symbol or inner capital), so "Password must..." and "password is not
				 * available" stay prose */
				bool inner_cap = false;
				for (size_t k = v + 1; k < e; k++)
					inner_cap |= magi__is_upper((uc)t[k]);
				/* prose's punctuation around a word is not a symbol inside a value:
				 * "authentication.", "-options(1).", "'Password" */
				size_t a = v, b = e;
				while (a < b && strchr("'\"`(-", t[a]))
					a++;
				while (b > a && strchr(".!'\"`)", t[b - 1]))
					b--;
				int inner_sym = 0;
				for (size_t k = a; k < b; k++)
					inner_sym += !magi__is_alnum((uc)t[k]) && (uc)t[k] < 0x80;
				if (b - a < 4 || !(dg || inner_sym || inner_cap))
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

magi_status magi__pii_secrets(const char *t, size_t len, const struct magi_secret_list *l,
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
