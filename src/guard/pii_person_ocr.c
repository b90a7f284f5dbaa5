/* pii_person_ocr.c — person names as Tesseract's English model misreads them (issue 16,
 * session 8): glyphs of another class inside a name word ("Omar E1-Amin" for El-Amin,
 * "Jürgen Weiß" read "WeiB", "J6rg" for Jörg, a Turkish capital İ read "ELiF") and a name
 * label with one letter misread or lost ("Burname:", "Family nam<tab>"). A name found only
 * through a look-alike is `repaired` and scores at most 0.5: it is a guess about the
 * printed text, covered all the same. */
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

#define LOOKALIKE_SCORE 0.5f

static bool is_sep(uc c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ',' || c == ';' || c == ':' || c == '<' ||
	       c == '(' || c == '"' || c == '|';
}

/* Lower-case ASCII letters from t[q] on (at most to e). */
static size_t lowers_from(const char *t, size_t q, size_t e)
{
	size_t n = 0;
	while (q + n < e && magi__is_lower((uc)t[q + n]))
		n++;
	return n;
}

/* The letter a look-alike glyph at t[j] of the token [s, e) stands for, or 0. Only where
 * the token is otherwise a name word: a capital first, lower case after it. */
static char lookalike_at(const char *t, size_t s, size_t e, size_t j)
{
	uc c = (uc)t[j];
	uc prev = j > s ? (uc)t[j - 1] : 0, next = j + 1 < e ? (uc)t[j + 1] : 0;
	bool mid = prev && magi__is_alpha(prev) && (magi__is_lower(next) ||
						    /* "E1-Amin": the particle's l before a hyphen */
						    (c == '1' && next == '-' && j + 2 < e &&
						     magi__is_upper((uc)t[j + 2]) && j == s + 1));
	switch (c) {
	case '1':
		/* "E1-Amin", "Wi1son"; "1vanov" (a capital I, 4+ lower-case letters after) */
		if (mid && magi__is_upper((uc)t[s]))
			return 'l';
		if (j == s && lowers_from(t, j + 1, e) >= 4 && lowers_from(t, j + 1, e) == e - j - 1)
			return 'I';
		return 0;
	case '0':
		/* "J0hn" for o, "0mar" for O */
		if (mid && magi__is_upper((uc)t[s]))
			return 'o';
		if (j == s && lowers_from(t, j + 1, e) >= 3 && lowers_from(t, j + 1, e) == e - j - 1)
			return 'O';
		/* session 10: Irish O' before a capital ("0'Brien") */
		if (j == s && j + 3 < e && t[j + 1] == '\'' && magi__is_upper((uc)t[j + 2]) &&
		    lowers_from(t, j + 3, e) >= 2 && lowers_from(t, j + 3, e) == e - j - 3)
			return 'O';
		return 0;
	case '6':
		/* ö read as 6 ("J6rg") */
		return mid && magi__is_upper((uc)t[s]) ? 'o' : 0;
	case 'B':
		/* ß read as B after a vowel: at the word's end ("WeiB", "StrauB", "GroB") or
		 * before lower case after i, u or o ("MeiBner", "GroBmann") */
		if (j < s + 2 || !prev || !magi__is_upper((uc)t[s]) || !strchr("aeiou", prev))
			return 0;
		if (j + 1 == e || (next && magi__is_lower(next) && strchr("iuo", prev)))
			return 's';
		return 0;
	default:
		return 0;
	}
}

/* A word of capitals with one lower-case i (a Turkish İ read "i": "ELiF"), 4+ letters:
 * the i's offset in the token, or 0. */
static size_t caps_with_i(const char *t, size_t s, size_t e)
{
	size_t at = 0;
	if (e - s < 4)
		return 0;
	for (size_t j = s; j < e; j++) {
		if (magi__is_upper((uc)t[j]))
			continue;
		if (t[j] != 'i' || j == s || at)
			return 0;
		at = j;
	}
	return at;
}

/* Copies t into r with the look-alikes of name words read as letters (same byte length,
 * so spans stay put); marks changed bytes in ch. Returns how many were changed. */
static size_t repair_copy(const char *t, size_t len, char *r, bool *ch)
{
	size_t n = 0;
	memcpy(r, t, len);
	memset(ch, 0, len);
	for (size_t s = 0; s < len;) {
		if (is_sep((uc)t[s])) {
			s++;
			continue;
		}
		size_t e = s;
		while (e < len && !is_sep((uc)t[e]))
			e++;
		/* a trailing full stop or apostrophe is no part of the word */
		size_t we = e;
		while (we > s && (t[we - 1] == '.' || t[we - 1] == '\'' || t[we - 1] == '!'))
			we--;
		size_t i = caps_with_i(t, s, we);
		if (i) {
			r[i] = 'I';
			ch[i] = true;
			n++;
		} else {
			int k = 0;
			for (size_t j = s; j < we && k <= 2; j++)
				k += lookalike_at(t, s, we, j) != 0;
			/* two look-alikes at most in one word: more is no name misread */
			for (size_t j = s; j < we && k <= 2; j++) {
				char l = lookalike_at(t, s, we, j);
				if (l) {
					r[j] = l;
					ch[j] = true;
					n++;
				}
			}
		}
		s = e;
	}
	return n;
}

magi_status magi__pii_persons_misread(const char *t, size_t len, struct magi__fvec *fv, size_t from,
				      magi_status (*scan)(const char *, size_t, struct magi__fvec *))
{
	if (!len)
		return MAGI_OK;
	char *r = malloc(len + 1);
	bool *ch = malloc(len);
	if (!r || !ch) {
		free(r);
		free(ch);
		return MAGI_ERR_NOMEM;
	}
	magi_status st = MAGI_OK;
	if (repair_copy(t, len, r, ch)) {
		r[len] = 0;
		struct magi__fvec tmp = {0};
		st = scan(r, len, &tmp);
		for (size_t k = 0; !st && k < tmp.n; k++) {
			const struct magi_pii_finding *f = &tmp.v[k];
			bool touched = false;
			for (size_t j = f->start; j < f->end && !touched; j++)
				touched = ch[j];
			if (!touched)
				continue;
			/* a name found as read but cut short at the misread word ("Jitrgen" of
			 * "Jitrgen WeiB") grows over it */
			struct magi_pii_finding *g = NULL;
			for (size_t i = from; i < fv->n && !g; i++)
				if (fv->v[i].type == f->type && fv->v[i].start < f->end && f->start < fv->v[i].end)
					g = &fv->v[i];
			if (g && g->start >= f->start && g->end <= f->end) {
				g->start = f->start;
				g->end = f->end;
			} else if (!g) {
				st = magi__fvec_push(fv, f->type, f->start, f->end, 1.0f, NULL);
				g = st ? NULL : &fv->v[fv->n - 1];
			}
			if (g) {
				g->score = MAGI_MIN(MAGI_MIN(g->score, f->score), LOOKALIKE_SCORE);
				g->repaired = true;
			}
		}
		magi__fvec_release(&tmp);
	}
	free(r);
	free(ch);
	return st;
}

/* Glyph c (lower case) of the text stands for label[k]: the same, or small type's 'n' or
 * 'w' for an 'm' after the first ("Nom de fanile", as pii_person.c's label_at takes it). */
static bool label_glyph(uc c, const char *label, size_t k)
{
	return c == (uc)label[k] || (label[k] == 'm' && k > 0 && (c == 'n' || c == 'w'));
}

/* Words one edit from a label that are no label ("Employer:" is a firm, "Insurer:" one). */
static const char *const near_labels[] = {"employer", "employed", "employers", "insurer",
					  "insurers", "ensured", "insures", "assigner",
					  "assigned", "set by", "reset by", "patients", NULL};

size_t magi__pii_label_fuzzy(const char *t, size_t len, size_t at, const char *label)
{
	/* one edit leaves the first glyph or the second right (a quick test: this runs for
	 * every label at every field start) */
	if (at + 1 >= len || (magi__lower((uc)t[at]) != (uc)label[0] && magi__lower((uc)t[at + 1]) != (uc)label[1]))
		return 0;
	size_t ll = strlen(label);
	if (ll < 7 || (at > 0 && magi__is_alnum((uc)t[at - 1])))
		return 0;
	for (size_t k = 0; k < ll; k++)
		if ((uc)label[k] & 0x80)
			return 0;
	/* one letter misread (a letter, '!' or '|' for a letter; the first too: "Burname") */
	size_t end = 0;
	int off = 0;
	size_t k = 0;
	for (; k < ll && at + k < len; k++) {
		uc c = magi__lower((uc)t[at + k]);
		if (label_glyph(c, label, k))
			continue;
		/* a thin letter read as '!' or '|' too (session 10: "Passenge!<tab>") */
		if (label[k] == ' ' || !(magi__is_alpha(c) || c == '!' || c == '|') || ++off > 1)
			break;
	}
	if (k == ll && off == 1)
		end = at + ll;
	/* one letter lost (not the first, not a space: "Family nam", "Kontoinhabes") */
	if (!end) {
		size_t i = 0;
		off = 0;
		for (k = 0; k < ll; k++) {
			if (at + i < len && label_glyph(magi__lower((uc)t[at + i]), label, k)) {
				i++;
				continue;
			}
			if (k == 0 || label[k] == ' ' || ++off > 1)
				break;
		}
		if (k == ll && off == 1 && i >= 6)
			end = at + i;
	}
	if (!end || (end < len && (magi__is_alnum((uc)t[end]) || ((uc)t[end] & 0x80))))
		return 0;
	return magi__pii_in_list(t + at, end - at, near_labels) ? 0 : end;
}
