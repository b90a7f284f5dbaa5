/* pii_reread.c — a second look at lines the first OCR may have garbled. Small text is where
 * Tesseract drops or invents glyphs, and a checksum-bearing number (an IBAN, a card) with one
 * wrong glyph is no finding at all; and a line read with low confidence on the page is now
 * and then read right on its own. Number-heavy small lines and unsure lines that held no
 * finding are cut out (a number-heavy line from the word before its first number to its
 * last number, an unsure line whole) and read again on their own as one text line; what
 * that reading finds covers the crop. (Session 1 read whole lines enlarged 2x in sparse-
 * text mode; on the generated sets the single-line reading at 1x finds the same items
 * for 20 % less time.)
 *
 * What it costs: Tesseract's recognizer scales a line to a fixed height, so the cost
 * follows the text's width over its height, not its pixels: measured here (2 cores)
 * 0.6-0.75 ms per unit of width/height — 8-10 ms for a 12-13-unit (card-sized) number.
 * A screen of order numbers would cost tens of
 * milliseconds, so the second look is rationed:
 *   - lines whose first reading already names them as something else (order, invoice,
 *     SKU, build, ...) or holds nothing but dates are not read again;
 *   - the rest are taken by likelihood (a PII label on the line first, then a garbled
 *     first reading, then more digits) within a budget of width/height units per image
 *     (magi_pii_params.reread_budget) — a line longer than the whole budget (a long IBAN
 *     in small type, ~25 units) is left to magi guard scan/redact, which have none;
 *   - with a cache (magi_pii_params.reread_cache, one per run), a crop read once is never
 *     read again: the next observation of the same screen spends its budget on the lines
 *     not read yet;
 *   - a line read with confidence under 30 that shows digits and that the budget leaves
 *     unread is covered as "unreadable" (sent as it is, it would be PII the guard never
 *     looked at). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "vision/ocr_region.h"
#include "core/common.h"

#define REREAD_MIN_DIGITS 8  /* a line with fewer digits holds no card, IBAN or phone */
#define REREAD_MAX_HEIGHT 28 /* px; taller text is read well the first time... */
#define GARBLED_CONF 60      /* ...unless the reading has a mean confidence below this */
#define GARBLED_MAX_HEIGHT 48
#define UNREADABLE_CONF 30   /* a line this unsure that the budget left unread is covered */
#define REREAD_MARGIN 4
#define CACHE_MAX 512 /* crops remembered per cache */
#define SMALL_LINE_H 16      /* px: a line box this low holds glyphs of ~11 px or less... */
#define SMALL_TARGET_H 36    /* ...and is enlarged toward this height before its reading */
#define SMALL_MAX_SCALE 3

/* Words on a line that say what its number is, when it is PII... */
static const char *const pii_labels[] = {
	"card", "visa", "mastercard", "amex", "iban", "account", "bank", "phone", "tel",
	"mobile", "call", "fax", "ssn", "social", "ip", "ipv4", "ipv6", "inet", "inet6",
	"address", "mac", "link-local", "cvv", "pin", NULL};
/* ... and words that say it is not (the first reading read them well enough). */
static const char *const not_pii_labels[] = {
	"order", "invoice", "inv", "sku", "isbn", "ref", "reference", "tracking", "build",
	"version", "commit", "qty", "due", "location", "ticket", "case", NULL};

struct cache_entry {
	uint64_t key;
	struct magi_pii_finding *f; /* boxes relative to the crop's origin */
	size_t n;
};

struct magi_pii_cache {
	struct cache_entry e[CACHE_MAX];
	size_t n, next; /* filled entries; the slot replaced next once full */
	size_t hits, reads;
	double ocr_ms; /* spent reading crops */
};

magi_status magi_pii_cache_new(struct magi_pii_cache **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? MAGI_OK : MAGI_ERR_NOMEM;
}

void magi_pii_cache_free(struct magi_pii_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		magi_pii_findings_free(c->e[i].f, c->e[i].n);
	free(c);
}

double magi_pii_cache_ocr_ms(const struct magi_pii_cache *c)
{
	return c ? c->ocr_ms : 0;
}

void magi_pii_cache_stats(const struct magi_pii_cache *c, size_t *hits, size_t *reads)
{
	*hits = c ? c->hits : 0;
	*reads = c ? c->reads : 0;
}

/* FNV-1a over the crop's size and pixels. */
static uint64_t crop_key(const struct magi_image *img)
{
	uint64_t h = 1469598103934665603ull;
	uint32_t dims[2] = {img->w, img->h};
	const unsigned char *d = (const unsigned char *)dims;
	for (size_t i = 0; i < sizeof dims; i++)
		h = (h ^ d[i]) * 1099511628211ull;
	for (uint32_t y = 0; y < img->h; y++) {
		const uint8_t *p = img->px + (size_t)y * img->stride;
		for (size_t i = 0; i < (size_t)img->w * 3; i++)
			h = (h ^ p[i]) * 1099511628211ull;
	}
	return h;
}

static bool overlaps(int ax, int ay, int aw, int ah, int bx, int by, int bw, int bh)
{
	return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

static magi_status push_copy(struct magi_pii_finding **v, size_t *n, size_t *cap,
			     const struct magi_pii_finding *f)
{
	if (!magi__grow(v, cap, *n, sizeof **v, 8))
		return MAGI_ERR_NOMEM;
	struct magi_pii_finding *d = &(*v)[(*n)++];
	*d = *f;
	d->text = magi__strdup(f->text);
	d->name = f->name ? magi__strdup(f->name) : NULL;
	if (!d->text || (f->name && !d->name)) {
		free(d->text);
		free(d->name);
		(*n)--;
		return MAGI_ERR_NOMEM;
	}
	return MAGI_OK;
}

static bool has_word(const char *s, const char *const *words)
{
	size_t len = strlen(s);
	for (size_t k = 0; words[k]; k++)
		if (magi__find_word(s, len, 0, words[k]) != SIZE_MAX)
			return true;
	return false;
}

static int count_digits(const char *s)
{
	int d = 0;
	for (; *s; s++)
		d += magi__is_digit((unsigned char)*s);
	return d;
}

/* true when every digit of s sits in a date ("2024-06-03", "09.02.2024", "12/05/24"). */
static bool dates_only(const char *s)
{
	for (const char *p = s; *p;) {
		if (!magi__is_digit((unsigned char)*p)) {
			p++;
			continue;
		}
		int g[3], ng = 0;
		char sep = 0;
		const char *q = p;
		while (ng < 3) {
			int n = 0;
			while (magi__is_digit((unsigned char)q[n]))
				n++;
			g[ng++] = n;
			q += n;
			if (ng < 3 && (*q == '-' || *q == '.' || *q == '/') && (!sep || *q == sep) &&
			    magi__is_digit((unsigned char)q[1])) {
				sep = *q++;
				continue;
			}
			break;
		}
		bool date = ng == 3 && ((g[0] == 4 && g[1] <= 2 && g[2] <= 2) ||
					(g[0] <= 2 && g[1] <= 2 && (g[2] == 4 || g[2] == 2)));
		if (!date || magi__is_alnum((unsigned char)*q))
			return false;
		p = q;
	}
	return true;
}

/* Calendar digits: a line's digits that are a clock time or a date's, which no PII type
 * is made of. A terminal's `ls -l` listing ("4096 Sep 22 04:38 apparmor.d"), which the
 * first reading splits at its wide gaps into pieces such as "4096 Dec", "4 05:23 X11" or
 * "2023 adduser.conf", made every line a candidate for a second reading (bench_first's
 * screen: 20 candidates, 4-5 crops read, ~28 ms before the first request). Counted, token
 * by token (tokens split at spaces):
 * - a clock time "04:38" or "04:38:15" (not in a longer chain of colons: a MAC, an IPv6);
 * - a day: 1-2 digits after a month's name ("Sep 22") or before a clock time ("4 05:23");
 * - a number right before a month's name that ends the piece or precedes a day, after no
 *   other number (a listing's size column, "4096 Dec", "root 3040 May 25"; not the last
 *   group of "555 0134 Sep 22");
 * - a year 1970-2099 after a month's day ("May 25 2023") or standing alone: neither
 *   neighbour token is a number ("2025 apt", but not "2025 555-0134" or a card's last
 *   group "4111 1111 1111 2025").
 * What is left counts as before: a file name's digits, any number among numbers. */
static bool month_token(const char *t, size_t n)
{
	static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
					     "jul", "aug", "sep", "oct", "nov", "dec"};
	if (n != 3)
		return false;
	for (size_t k = 0; k < sizeof months / sizeof *months; k++)
		if (magi__lower((unsigned char)t[0]) == months[k][0] && magi__lower((unsigned char)t[1]) == months[k][1] &&
		    magi__lower((unsigned char)t[2]) == months[k][2])
			return true;
	return false;
}

static int token_digits(const char *t, size_t n, bool *number)
{
	int d = 0;
	bool only = n > 0;
	for (size_t i = 0; i < n; i++) {
		d += magi__is_digit((unsigned char)t[i]);
		only = only && (magi__is_digit((unsigned char)t[i]) || strchr("-./", t[i]));
	}
	*number = only && d > 0;
	return d;
}

static bool clock_token(const char *t, size_t n)
{
	size_t h = 0;
	while (h < n && magi__is_digit((unsigned char)t[h]))
		h++;
	if (h < 1 || h > 2)
		return false;
	for (size_t i = h; i < n; i += 3)
		if (i + 3 > n || t[i] != ':' || !magi__is_digit((unsigned char)t[i + 1]) ||
		    !magi__is_digit((unsigned char)t[i + 2]) || (i - h) / 3 >= 2)
			return false;
	return n > h;
}

#define CAL_MAX_TOKENS 64
static int calendar_digits(const char *s)
{
	const char *tok[CAL_MAX_TOKENS];
	size_t len[CAL_MAX_TOKENS];
	int nt = 0;
	for (const char *p = s; *p && nt < CAL_MAX_TOKENS;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		tok[nt] = p;
		while (*p && *p != ' ')
			p++;
		len[nt] = (size_t)(p - tok[nt]);
		nt++;
	}
	int n = 0;
	for (int i = 0; i < nt; i++) {
		bool num, prev_num = false, next_num = false;
		int d = token_digits(tok[i], len[i], &num);
		if (!d)
			continue;
		if (i > 0)
			token_digits(tok[i - 1], len[i - 1], &prev_num);
		if (i + 1 < nt)
			token_digits(tok[i + 1], len[i + 1], &next_num);
		bool all_digits = num && (size_t)d == len[i];
		bool month_before = i > 0 && month_token(tok[i - 1], len[i - 1]);
		bool month_after = i + 1 < nt && month_token(tok[i + 1], len[i + 1]);
		bool clock_after = i + 1 < nt && clock_token(tok[i + 1], len[i + 1]);
		bool day_after_month = false;
		if (month_after) {
			bool dn;
			int dd = i + 2 < nt ? token_digits(tok[i + 2], len[i + 2], &dn) : 0;
			day_after_month = i + 2 >= nt || (dn && dd <= 2 && (size_t)dd == len[i + 2]);
		}
		bool date_before = i > 1 && month_token(tok[i - 2], len[i - 2]) && prev_num && len[i - 1] <= 2;
		int year = all_digits && d == 4 ? (int)strtol(tok[i], NULL, 10) : 0;
		if (clock_token(tok[i], len[i]) ||
		    (all_digits && d <= 2 && (month_before || clock_after)) ||
		    (all_digits && month_after && day_after_month && !prev_num) ||
		    (year >= 1970 && year <= 2099 && !next_num && (i == 0 || !prev_num || month_before || date_before)))
			n += d;
	}
	return n;
}

/* A garbled line that may be a number: a fifth of its letters and digits are digits, 7 or
 * more digit glyphs, and it shows no link or path ("https://github.com/nodejs/node/commit/31823e37c7" in a
 * changelog, a window title's file name) — those are the garbled lines of PII-free
 * documents. */
static bool numberish(const char *s)
{
	if (strstr(s, "://") || strstr(s, "http") || strstr(s, "www.") || strstr(s, ".txt") ||
	    strstr(s, ".html") || strstr(s, "/tmp") || strstr(s, "/usr") || strstr(s, "/home"))
		return false;
	/* and a number's worth of digit glyphs: 7, the shortest phone number, counting the
	 * letters OCR writes for digits ("Carey S53 SHS) SI6ZS" was a card) */
	int alnum = 0, digits = 0, looks = 0;
	for (; *s; s++) {
		alnum += magi__is_alnum((unsigned char)*s);
		digits += magi__is_digit((unsigned char)*s);
		looks += *s && strchr("OoSBIlZ|", *s) != NULL;
	}
	return alnum && digits * 5 >= alnum && digits + looks >= 7;
}

/* A small line worth a second, enlarged reading: a number's digits, an e-mail's '@', a
 * MAC's or IPv6 address's colons. */
static bool small_signal(const char *s, int digits)
{
	int colons = 0, at = 0;
	for (; *s; s++) {
		colons += *s == ':';
		at += *s == '@';
	}
	return digits >= 4 || at || (colons >= 2 && digits >= 2);
}

enum { READ_PLAIN, READ_HEX, READ_EMAIL, READ_DIGITS, READ_IBAN };

struct cand {
	size_t line;
	int w0, w1;      /* words of the crop (first may be a label) */
	int x, y, w, h;  /* crop box (words' union), before the margin */
	int cost, prio;  /* width/height of the crop's text, rounded up; likelihood class */
	bool cover;      /* covered as unreadable if it is not read again */
	int digits;
	int scale;       /* the crop is enlarged this much before its reading */
	int kind;        /* READ_PLAIN, or a reading constrained to one shape's glyphs */
	bool mac12;      /* a MAC label's twelve hex glyphs: the reading is labelled "MAC" */
	bool again;      /* read once more at another size when its reading found nothing,
			  * whatever its priority (session 11: IBAN, card and e-mail shapes) */
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->prio != y->prio)
		return y->prio - x->prio;
	if (x->digits != y->digits)
		return y->digits - x->digits;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The union [b0, b2) x [b1, b3) of the boxes of words w0..w1 on line li. */
static void words_box(const struct magi_ocr *ocr, size_t li, int w0, int w1, int b[4])
{
	b[0] = b[1] = INT32_MAX;
	b[2] = b[3] = INT32_MIN;
	for (int w = w0; w <= w1; w++) {
		const struct magi_ocr_word *ow = &ocr->words[w];
		if (ow->line != (int)li)
			continue;
		b[0] = MAGI_MIN(b[0], ow->x);
		b[1] = MAGI_MIN(b[1], ow->y);
		b[2] = MAGI_MAX(b[2], ow->x + ow->w);
		b[3] = MAGI_MAX(b[3], ow->y + ow->h);
	}
}

/* Sets c's crop to the box b (as words_box gives it) and its cost; false when empty. */
static bool cand_box(struct cand *c, const int b[4])
{
	c->x = b[0], c->y = b[1], c->w = b[2] - b[0], c->h = b[3] - b[1];
	if (b[2] <= b[0] || b[3] <= b[1])
		return false;
	c->cost = (c->w + c->h - 1) / c->h;
	return true;
}

/* The crop of line li: from the word before its first word with a digit (a label) to its
 * last word with a digit, or (whole) the whole line. False when the line has no words. */
static bool line_crop(const struct magi_ocr *ocr, size_t li, bool whole, struct cand *c)
{
	int first = -1, last = -1, prev = -1, before = -1;
	for (size_t w = 0; w < ocr->n_words; w++) {
		if (ocr->words[w].line != (int)li)
			continue;
		if (whole || count_digits(ocr->words[w].text)) {
			if (first < 0) {
				first = (int)w;
				before = prev;
			}
			last = (int)w;
		}
		prev = (int)w;
	}
	if (first < 0)
		return false;
	c->w0 = before >= 0 ? before : first;
	c->w1 = last;
	int b[4];
	words_box(ocr, li, c->w0, c->w1, b);
	/* the line's own box is taller when it holds taller glyphs than these words */
	const struct magi_ocr_line *l = &ocr->lines[li];
	b[1] = MAGI_MIN(b[1], l->y);
	b[3] = MAGI_MAX(b[3], l->y + l->h);
	return cand_box(c, b);
}

/* A word of an IPv6 or MAC address as a first reading leaves it: a colon (or ';') and a
 * digit ("fe80:", ":93df", "[£e80", "5b"), or hex groups split by dots ("2e00.047d"). */
static bool hex_word(const char *w)
{
	int colons = 0, digits = 0, dots = 0;
	for (; *w; w++) {
		colons += *w == ':' || *w == ';';
		digits += magi__is_digit((unsigned char)*w);
		dots += *w == '.';
	}
	return digits && (colons || dots >= 2);
}

/* A word that may be part of an address however garbled: hex digits, their look-alikes
 * and an address's punctuation only, 2+ characters ("feao", "£e8", "}000", ":"). */
static bool hex_like(const char *w)
{
	size_t n = 0;
	for (; *w; w++, n++)
		if (!magi__is_hex((unsigned char)*w) && !((unsigned char)*w & 0x80) &&
		    !strchr(":;.,[](){}%/|OoIlSsGt", *w))
			return false;
	return n >= 1;
}

/* Grows the box b (as words_box gives it) of c's words over the words beside it on the
 * same row (half their height within its rows, at most `reach` heights away) that pass
 * like, word by word, and c->w0/w1 with them. */
static void grow_row(const struct magi_ocr *ocr, struct cand *c, int b[4], bool (*like)(const char *),
		     int reach)
{
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t w = 0; w < ocr->n_words; w++) {
			const struct magi_ocr_word *ow = &ocr->words[w];
			int h = b[3] - b[1], ov = MAGI_MIN(b[3], ow->y + ow->h) - MAGI_MAX(b[1], ow->y);
			bool inside = ow->x >= b[0] && ow->x + ow->w <= b[2];
			int gap = ow->x >= b[2] ? ow->x - b[2] : b[0] - (ow->x + ow->w);
			if (inside || ov * 2 < MAGI_MIN(h, ow->h) || gap > reach * h || !like(ow->text))
				continue;
			b[0] = MAGI_MIN(b[0], ow->x);
			b[2] = MAGI_MAX(b[2], ow->x + ow->w);
			c->w0 = MAGI_MIN(c->w0, (int)w);
			c->w1 = MAGI_MAX(c->w1, (int)w);
			grew = true;
		}
	}
}

/* c's words: first..last of line li, grown over the words of the same row that pass like
 * (grow_row, up to reach heights away); b gets their box. */
static void grow_span(const struct magi_ocr *ocr, size_t li, struct cand *c, int first, int last,
		      bool (*like)(const char *), int reach, int b[4])
{
	c->w0 = first;
	c->w1 = last;
	words_box(ocr, li, first, last, b);
	grow_row(ocr, c, b, like, reach);
}

/* A word that may be part of a number however small type garbled it: a digit, and only
 * digits, their look-alikes ("s0s2e27527449423", "a976") and a number's punctuation. */
static bool digit_like(const char *w)
{
	int digits = 0, letters = 0;
	for (; *w; w++) {
		digits += magi__is_digit((unsigned char)*w);
		letters += magi__is_alpha((unsigned char)*w) || ((unsigned char)*w & 0x80);
		if (!magi__is_alnum((unsigned char)*w) && !((unsigned char)*w & 0x80) &&
		    !strchr("-./()+,|", *w))
			return false;
	}
	return digits && letters * 2 <= digits;
}

/* The first and last word of line li for which pick holds; false when there is none. */
static bool line_span(const struct magi_ocr *ocr, size_t li, bool (*pick)(const char *w), int *first, int *last)
{
	*first = *last = -1;
	for (size_t w = 0; w < ocr->n_words; w++) {
		if (ocr->words[w].line != (int)li || !pick(ocr->words[w].text))
			continue;
		if (*first < 0)
			*first = (int)w;
		*last = (int)w;
	}
	return *first >= 0;
}

static bool has_digit(const char *w)
{
	return count_digits(w) > 0;
}

/* A number line's crop for a reading constrained to digits: from its first word with a
 * digit to its last, grown over the digit-like words of the same row (OCR cuts a small
 * card number into two lines: "5019 4177" | "a976 6312"), when those words are digit-like
 * (a number, not an IBAN's letters or a MAC's hex); the words before it on the line are
 * its label, kept from the first reading. False when the line holds no such number. */
static bool digits_crop(const struct magi_ocr *ocr, size_t li, struct cand *c)
{
	int first, last, groups = 0;
	if (!line_span(ocr, li, has_digit, &first, &last))
		return false;
	for (int w = first; w <= last; w++) {
		if (ocr->words[w].line != (int)li)
			continue;
		const char *t = ocr->words[w].text;
		if (!digit_like(t) || strchr(t, ':'))
			return false;
		/* an IBAN's country code ("¥N830909743732945701") needs its letters */
		if (w == first && !magi__is_digit((unsigned char)t[0]) && t[0] != '+' && t[0] != '(' &&
		    t[1] && !magi__is_digit((unsigned char)t[1]))
			return false;
		groups++;
	}
	/* a number's last group read as letters ("+48 32 694 90 id" for ... 90 14): one short
	 * word of letters ending the line right after it joins the crop (session 8) */
	if (last + 2 <= (int)ocr->n_words && ocr->words[last + 1].line == (int)li &&
	    (last + 2 == (int)ocr->n_words || ocr->words[last + 2].line != (int)li)) {
		const char *t = ocr->words[last + 1].text;
		size_t tl = strlen(t), k = 0;
		while (k < tl && magi__is_alnum((uc)t[k]))
			k++;
		if (tl && tl <= 3 && k == tl)
			last++;
	}
	int b[4];
	grow_span(ocr, li, c, first, last, digit_like, 5, b);
	return groups && cand_box(c, b);
}

/* A glyph small type writes for a digit ("B3s3", "s416", "j614"). */
static bool digit_look(char ch)
{
	return magi__is_digit((uc)ch) || (ch && strchr("OoDQIlLiSsBZzGgbqjT", ch));
}

/* A card number's groups however small type read their glyphs (session 11): a run of
 * 2-5 words of line li, each 3-7 digits or their look-alikes (a trailing ',' or '.'
 * allowed), 13-19 glyphs in all, at least half of them digits and a digit in every
 * group ("B3s3 7096 5061 s416"). The digit reading reads them as digits, and the card
 * rule (IIN ranges and Luhn) decides. c gets the run's words; false when there is none. */
static bool card_crop(const struct magi_ocr *ocr, size_t li, struct cand *c)
{
	int r0 = -1, glyphs = 0, digits = 0, groups = 0;
	for (size_t w = 0; w <= ocr->n_words; w++) {
		bool in = w < ocr->n_words && ocr->words[w].line == (int)li;
		int g = 0, d = 0;
		bool ok = in;
		if (in) {
			const char *t = ocr->words[w].text;
			size_t n = strlen(t);
			while (n && strchr(",.", t[n - 1]))
				n--;
			for (size_t k = 0; k < n && ok; k++) {
				ok = digit_look(t[k]);
				g++;
				d += magi__is_digit((uc)t[k]);
			}
			ok = ok && g >= 3 && g <= 7 && d > 0;
		}
		if (ok) {
			if (r0 < 0)
				r0 = (int)w, glyphs = digits = groups = 0;
			glyphs += g;
			digits += d;
			groups++;
			if (groups >= 2 && groups <= 5 && glyphs >= 13 && glyphs <= 19 && digits * 2 >= glyphs &&
			    digits < glyphs) {
				/* the longest such run from r0 */
				int e = (int)w, eg = glyphs;
				for (size_t v = w + 1; v < ocr->n_words && ocr->words[v].line == (int)li; v++) {
					const char *t = ocr->words[v].text;
					int vg = 0;
					bool vok = true;
					for (; *t && vok; t++)
						vok = digit_look(*t), vg++;
					if (!vok || vg < 3 || eg + vg > 19)
						break;
					eg += vg;
					e = (int)v;
				}
				c->w0 = r0;
				c->w1 = e;
				int b[4];
				words_box(ocr, li, r0, e, b);
				return cand_box(c, b);
			}
			continue;
		}
		if (in || w == ocr->n_words || r0 >= 0)
			r0 = -1;
	}
	return false;
}

/* 13-19 digits in 2-5 groups in c's words: a card number's shape. */
static bool card_digits(const struct magi_ocr *ocr, const struct cand *c)
{
	int digits = 0, groups = 0;
	for (int w = c->w0; w <= c->w1; w++) {
		int d = count_digits(ocr->words[w].text);
		digits += d;
		groups += d > 0;
	}
	return digits >= 13 && digits <= 19 && groups >= 2 && groups <= 5;
}

/* The span of line li's address-like words: from its first hex word to its last, with at
 * least two colons in all and a hex letter or four colons (so that a time "12:30:45" is
 * not read again). False when there is none. */
/* A line of hex groups split by marks and nothing else ("3eb0 ,edfa .c6d": Cisco's dotted
 * MAC with a glyph lost; session 8): 2-8 words, each of hex glyphs and an address's marks
 * only, 8-40 hex glyphs in all with a digit and a letter among them, and a mark (. , : ;)
 * after the first glyph. */
static bool hex_line(const struct magi_ocr *ocr, size_t li, int *first, int *last)
{
	int words = 0, hex = 0, digits = 0, letters = 0, marks = 0, f = -1, l = -1;
	for (size_t w = 0; w < ocr->n_words; w++) {
		if (ocr->words[w].line != (int)li)
			continue;
		for (const char *q = ocr->words[w].text; *q; q++) {
			if (magi__is_hex((unsigned char)*q)) {
				hex++;
				digits += magi__is_digit((unsigned char)*q);
				letters += magi__is_alpha((unsigned char)*q);
			} else if (strchr(".,:;", *q)) {
				marks += hex > 0;
			} else {
				return false;
			}
		}
		f = f < 0 ? (int)w : f;
		l = (int)w;
		words++;
	}
	if (words < 2 || words > 8 || hex < 8 || hex > 40 || !digits || !letters || !marks)
		return false;
	*first = f;
	*last = l;
	return true;
}

/* A word that names a MAC address: mac, ether, bssid, hardware, physical, and a word ending
 * in "addr" (HWaddr, lladdr, and small type's "Hiaddr"); *weak for "address" ("Hardware
 * address" read "Harduare address:"). */
static bool mac_label(const char *w, bool *weak)
{
	static const char *const labels[] = {"mac", "ether", "link/ether", "bssid", "hardware", "physical", NULL};
	char lw[24];
	size_t k = 0;
	for (; w[k] && k + 1 < sizeof lw && !strchr(":;", w[k]); k++)
		lw[k] = (char)magi__lower((unsigned char)w[k]);
	lw[k] = '\0';
	*weak = strcmp(lw, "address") == 0 || strcmp(lw, "adresse") == 0;
	if (*weak || magi__pii_in_list(lw, k, labels) || (k >= 4 && k <= 7 && strcmp(lw + k - 4, "addr") == 0))
		return true;
	/* small type's misreadings of a label (session 12): a glyph before "ether" or "ssid"
	 * ("jether", "8ssid"), BSSID's tail ("SID:") and "MAC:" with its M misread ("HAC:"),
	 * those two with their colon */
	bool colon = w[k] == ':' || w[k] == ';';
	return (k == 6 && (!strcmp(lw + 1, "ether") || (!strcmp(lw + 2, "ssid")))) ||
	       (colon && k == 3 && (!strcmp(lw, "sid") || (lw[1] == 'a' && lw[2] == 'c' && strchr("hnw", lw[0]))));
}

/* A MAC address written as twelve hex digits with no separator, however small type read
 * its glyphs ("DOO3FO22COFL", "08FOF3E55215", "44210B605601,"): 11-13 hex digits and their
 * look-alikes, 4+ digits (or O for 0) among them, after a MAC label on its line (session
 * 10); after "address" only with a hex letter among them. The first such word after the
 * label; -1 when there is none. */
static void cand_label(const struct magi_ocr *ocr, const struct cand *c, char *buf, size_t size);

/* true when a word of s (split at spaces and tabs) is a MAC label; *weak as mac_label. */
static bool has_mac_label(const char *s, bool *weak)
{
	char wbuf[32];
	while (*s) {
		size_t n = strcspn(s, " \t");
		if (n && n < sizeof wbuf) {
			memcpy(wbuf, s, n);
			wbuf[n] = '\0';
			if (mac_label(wbuf, weak))
				return true;
		}
		s += n;
		s += strspn(s, " \t");
	}
	return false;
}

static int mac12_word(const struct magi_ocr *ocr, size_t li)
{
	bool label = false, weak = false;
	for (size_t w = 0; w < ocr->n_words; w++) {
		if (ocr->words[w].line != (int)li)
			continue;
		const char *t = ocr->words[w].text;
		int n = 0, digits = 0, letters = 0;
		size_t len = strlen(t);
		while (len && strchr(",.;", t[len - 1]))
			len--;
		for (size_t k = 0; k < len; k++) {
			if (!magi__is_hex((unsigned char)t[k]) && !strchr("OoIlLSsGZB", t[k])) {
				n = -1;
				break;
			}
			n++;
			digits += magi__is_digit((unsigned char)t[k]) || t[k] == 'O';
			letters += magi__is_alpha((unsigned char)t[k]);
		}
		if (n < 11 || n > 13 || digits < 4) {
			label = label || mac_label(t, &weak);
			continue;
		}
		/* the label on the line before it, or on the row left of it (a form's label that
		 * OCR read as a line of its own: "Harduare address:" | "44210B605601,") */
		if (!label) {
			char row[96];
			struct cand rc = {.line = li, .w0 = (int)w, .w1 = (int)w, .kind = READ_HEX};
			int b[4];
			words_box(ocr, li, (int)w, (int)w, b);
			if (!cand_box(&rc, b))
				continue;
			cand_label(ocr, &rc, row, sizeof row);
			label = has_mac_label(row, &weak);
		}
		if (label && (!weak || letters))
			return (int)w;
	}
	return -1;
}

/* One word of Cisco's dotted MAC as small type leaves it: two dots between hex groups,
 * 8-12 hex glyphs, a digit and a hex letter among them ("742b.d09E.7e"). */
static bool cisco_word(const char *t)
{
	int hex = 0, digits = 0, dots = 0, n = 0;
	for (; *t; t++, n++) {
		hex += magi__is_hex((unsigned char)*t);
		digits += magi__is_digit((unsigned char)*t);
		dots += *t == '.';
	}
	return dots == 2 && hex >= 8 && hex <= 12 && digits && hex > digits && hex + dots + 1 >= n;
}

/* Windows' dashed MAC as small type leaves it ("1E-44-2C-AR-C7-BD": a letter misread): 17
 * glyphs, '-' in the five places between a MAC's groups, letters and digits in the twelve
 * others, ten of them hex digits at least. The first such word of line li in *w. */
static bool dash_mac_line(const struct magi_ocr *ocr, size_t li, int *w)
{
	for (size_t k = 0; k < ocr->n_words; k++) {
		const char *t = ocr->words[k].text;
		if (ocr->words[k].line != (int)li || strlen(t) != 17)
			continue;
		int hex = 0;
		bool ok = true;
		for (int i = 0; i < 17 && ok; i++) {
			ok = i % 3 == 2 ? t[i] == '-' : magi__is_alnum((unsigned char)t[i]);
			hex += magi__is_hex((unsigned char)t[i]);
		}
		if (ok && hex >= 10) {
			*w = (int)k;
			return true;
		}
	}
	return false;
}

static bool hex_crop(const struct magi_ocr *ocr, size_t li, struct cand *c)
{
	int first, last, colons = 0, letters = 0;
	bool span = line_span(ocr, li, hex_word, &first, &last);
	int m12 = span ? -1 : mac12_word(ocr, li);
	if (m12 >= 0) {
		first = last = m12;
		c->mac12 = true;
		colons = 4; /* the label and the twelve glyphs stand for an address's colons */
	} else if ((!span || first == last) && hex_line(ocr, li, &first, &last)) {
		colons = 4; /* the line's shape stands for an address's colons */
	} else if (!span && dash_mac_line(ocr, li, &first)) {
		last = first;
		colons = 4; /* "1E-44-2C-AR-C7-BD" (session 12) */
	} else if (!span) {
		return false;
	} else if (first == last && cisco_word(ocr->words[first].text)) {
		colons = 4; /* "742b.d09E.7e": a dotted MAC with a glyph lost (session 12) */
	}
	for (int w = first; w <= last; w++)
		for (const char *t = ocr->words[w].text; *t; t++) {
			colons += *t == ':' || *t == ';';
			letters += magi__is_alpha((unsigned char)*t);
		}
	if (colons < 2 || (!letters && colons < 4))
		return false;
	/* OCR cuts a garbled address into several lines of one row ("£e8" | "acda:5£25"),
	 * and now and then loses the groups between ("B2:" | "8:09:D4", 72 px apart at 12 px
	 * glyphs): hex-like words beside the span on the same row belong to it */
	int b[4];
	grow_span(ocr, li, c, first, last, hex_like, 8, b);
	return cand_box(c, b);
}

/* A word that may be a group of an IBAN as small type leaves it: capitals, digits, their
 * look-alikes and the dashes or dots between groups, at most one lower-case or non-ASCII
 * letter ("YQKs", "Y8I6é", "‘¥G80-CHSN-1.453"), a capital or a digit among them; a quote,
 * '$' or a currency sign before it is a misread capital ("$A96"). */
static bool iban_word(const char *w)
{
	int n = 0, lower = 0, strong = 0;
	const unsigned char *t = (const unsigned char *)w;
	while (*t && (strchr("'`$(", *t) || *t >= 0x80)) /* '‘', '¥', '£' lead bytes too */
		t++;
	for (; *t; t++) {
		if (magi__is_upper(*t) || magi__is_digit(*t)) {
			strong++;
			n++;
		} else if (magi__is_lower(*t) || *t >= 0xc0) {
			lower++;
			n++;
		} else if (*t < 0x80 && !strchr("-.", *t)) {
			return false;
		}
	}
	return n >= 1 && lower <= 1 && strong >= 1;
}

/* An IBAN however small type garbled it, on a line the other readings would read as a
 * number or as it is (session 10): the longest run of IBAN-group words on line li
 * ("SCOZ IHVA 9794 2673 8739 1482 2827 KRL", "$A96 83Z0 N7CB P691 SYPI G49B",
 * "18139399661787433786042721" for IS13...), grown over such words of the same row (OCR
 * cuts one into two lines: "PS25-RMNX-SDT9-Z22V-7F5Y-" | "135B-IDLK-W"), when it holds
 * 15-36 letters and digits with 4+ digits and reads as no card or phone number: 20 or more
 * glyphs, or a word mixing capitals and digits, or two words of capitals. The digit and the
 * plain reading lose or keep an IBAN's misread capitals ("SO48" read "8048", "$A96"); a
 * reading constrained to capitals, digits and the space reads them as letters. */
static bool iban_crop(const struct magi_ocr *ocr, size_t li, struct cand *c)
{
	int best0 = -1, best1 = -1, bestn = 0, r0 = -1, rn = 0;
	for (size_t w = 0; w <= ocr->n_words; w++) {
		bool in = w < ocr->n_words && ocr->words[w].line == (int)li;
		/* a run opens on a group of 2+ glyphs (an IBAN's last group may be one: "H") */
		if (in && iban_word(ocr->words[w].text) && (r0 >= 0 || strlen(ocr->words[w].text) >= 2)) {
			if (r0 < 0)
				r0 = (int)w, rn = 0;
			for (const char *t = ocr->words[w].text; *t; t++)
				rn += magi__is_alnum((unsigned char)*t);
			if (rn > bestn)
				bestn = rn, best0 = r0, best1 = (int)w;
			continue;
		}
		r0 = -1;
	}
	if (best0 < 0)
		return false;
	int b[4];
	grow_span(ocr, li, c, best0, best1, iban_word, 5, b);
	int glyphs = 0, digits = 0, mixed = 0, caps_words = 0;
	for (int w = c->w0; w <= c->w1; w++) {
		const struct magi_ocr_word *ow = &ocr->words[w];
		if (!overlaps(ow->x, ow->y, ow->w, ow->h, b[0], b[1], b[2] - b[0], b[3] - b[1]) ||
		    !iban_word(ow->text))
			continue;
		int u = 0, d = 0, l = 0;
		for (const char *t = ow->text; *t; t++) {
			u += magi__is_upper((unsigned char)*t);
			d += magi__is_digit((unsigned char)*t);
			l += magi__is_alnum((unsigned char)*t);
		}
		glyphs += l;
		digits += d;
		mixed += u && d;
		caps_words += u >= 2 && !d;
	}
	if (glyphs < 15 || glyphs > 36 || digits < 4 || (glyphs < 20 && !mixed && caps_words < 2))
		return false;
	return cand_box(c, b);
}

/* The "::ffff" of an IPv4-mapped IPv6 address as small type leaves it ("rtPPPF:", "riPFP",
 * "££E£:", "ri fFFF="): 3-8 glyphs of f's look-alikes and the colons' (f F P r i t E £ 1
 * : ; =), two f-like among them; n glyphs of w are looked at (the rest is the address). */
static bool ffff_like(const char *w, size_t n)
{
	int glyphs = 0, f = 0;
	for (size_t k = 0; k < n; k++) {
		unsigned char ch = (unsigned char)w[k];
		if (ch == 0xc2 && k + 1 < n && (unsigned char)w[k + 1] == 0xa3) { /* '£' */
			k++;
			glyphs++;
			f++;
			continue;
		}
		if (!ch || !strchr("fFPrRiItE1:;=", ch))
			return false;
		glyphs++;
		f += strchr("fFPE", ch) != NULL;
	}
	return glyphs >= 3 && glyphs <= 8 && f >= 2;
}

/* Where a word's dotted quad starts ("192,0,2,105" in "rtPPPF:192,0,2,105"): the offset
 * of four groups of 1-3 digits split by '.' or ',' ending the word (a ',' after it
 * allowed), or -1. */
static int quad_at(const char *w)
{
	size_t n = strlen(w);
	while (n && w[n - 1] == ',')
		n--;
	for (size_t st = 0; st < n; st++) {
		if (!magi__is_digit((unsigned char)w[st]) || (st && magi__is_digit((unsigned char)w[st - 1])))
			continue;
		size_t k = st;
		int groups = 0;
		while (k < n) {
			size_t d = 0;
			while (k + d < n && magi__is_digit((unsigned char)w[k + d]))
				d++;
			if (d < 1 || d > 3)
				break;
			k += d;
			groups++;
			if (k < n && (w[k] == '.' || w[k] == ',') && groups < 4)
				k++;
			else
				break;
		}
		if (groups == 4 && k == n)
			return (int)st;
	}
	return -1;
}

/* An IPv4-mapped IPv6 address whose "::ffff" small type garbled, so that only the IPv4
 * address inside was found (session 10): a word ending in a dotted quad after f-like glyphs
 * glued to it or in the word (or two) before it. Its words are the hex reading's crop. */
static bool mapped_crop(const struct magi_ocr *ocr, size_t li, struct cand *c)
{
	for (size_t w = 0; w < ocr->n_words; w++) {
		if (ocr->words[w].line != (int)li)
			continue;
		const char *t = ocr->words[w].text;
		int q = quad_at(t);
		if (q < 0)
			continue;
		int first = -1;
		if (q > 0 && ffff_like(t, (size_t)q)) {
			first = (int)w;
		} else {
			/* the glyphs in the word or two before it, joined */
			char joined[32] = "";
			for (int k = 1; k <= 2 && first < 0 && (int)w - k >= 0; k++) {
				const struct magi_ocr_word *pw = &ocr->words[w - (size_t)k];
				size_t pl = strlen(pw->text), jl = strlen(joined);
				if (pw->line != (int)li || pl + jl + 1 > sizeof joined)
					break;
				memmove(joined + pl, joined, jl + 1);
				memcpy(joined, pw->text, pl);
				if (ffff_like(joined, strlen(joined)) && (q == 0 || ffff_like(t, (size_t)q)))
					first = (int)w - k;
			}
		}
		if (first < 0)
			continue;
		int b[4];
		c->w0 = first;
		c->w1 = (int)w;
		words_box(ocr, li, first, (int)w, b);
		return cand_box(c, b);
	}
	return false;
}

/* How far (in line heights) right of a label a field's value is looked for. */
#define FIELD_REACH 40

/* true when the pixel at (x, y) differs from the colour bg (a glyph's or a border's ink). */
static bool ink_at(const struct magi_image *img, int x, int y, const uint8_t *bg)
{
	const uint8_t *p = img->px + (size_t)y * img->stride + (size_t)x * 3;
	return abs(p[0] - bg[0]) + abs(p[1] - bg[1]) + abs(p[2] - bg[2]) > 90;
}

/* A form's value the page reading did not see at all: Tesseract's sparse page mode drops
 * text inside a bordered input box ("MAC address [1213.72dc.498b]" read as "MAC
 * address"). For a short line (a label: 1-4 words, no more than 32 bytes) with no word
 * right of it on its row, the row's band right of it is searched for ink: from the first
 * ink after the label (within 20 heights of it) to the last before a gap of 4 line
 * heights, the box's borders (columns inked top to bottom) left out. A span of 3+ heights with glyph-like ink is the crop,
 * read as it is. False when there is none. */
static bool field_crop(const struct magi_image *img, const struct magi_ocr *ocr, size_t li,
		       struct cand *c)
{
	const struct magi_ocr_line *l = &ocr->lines[li];
	int words = 1, h = l->h;
	for (const char *t = l->text; *t; t++)
		words += *t == ' ';
	if (words > 4 || strlen(l->text) > 32 || h < 6 || count_digits(l->text) > 2)
		return false;
	int x0 = l->x + l->w + h / 2, x1 = MAGI_MIN((int)img->w, l->x + l->w + FIELD_REACH * h);
	int y0 = MAGI_MAX(0, l->y - h / 4), y1 = MAGI_MIN((int)img->h, l->y + l->h + h / 4);
	if (x1 - x0 < 3 * h || y1 <= y0)
		return false;
	/* a word read right of it on the row: the value was seen */
	for (size_t w = 0; w < ocr->n_words; w++) {
		const struct magi_ocr_word *ow = &ocr->words[w];
		if (ow->line != (int)li && ow->x + ow->w > x0 && ow->x < x1 &&
		    MAGI_MIN(y1, ow->y + ow->h) - MAGI_MAX(y0, ow->y) > 0)
			return false;
	}
	uint8_t bg[3];
	memcpy(bg, img->px + (size_t)((y0 + y1) / 2) * img->stride + (size_t)(l->x + l->w + 1) * 3, 3);
	int first = -1, last = -1, gap = 0, cols = 0;
	for (int x = x0; x < x1; x++) {
		int n = 0;
		for (int y = y0; y < y1; y++)
			n += ink_at(img, x, y, bg);
		/* blank, or a box's border (ink top to bottom): no glyph */
		if (!n || n >= (y1 - y0) * 9 / 10) {
			if (first >= 0 && ++gap > 4 * h)
				break;
			/* a field starts near its label: nothing within 20 heights, no field */
			if (first < 0 && x - x0 > 20 * h)
				break;
			continue;
		}
		if (first < 0)
			first = x;
		last = x;
		cols++;
		gap = 0;
	}
	if (first < 0 || last - first < 3 * h || cols < h)
		return false;
	c->x = first;
	c->y = y0;
	c->w = last + 1 - first;
	c->h = y1 - y0;
	c->cost = (c->w + h - 1) / h;
	c->w0 = c->w1 = -1;
	for (size_t w = 0; w < ocr->n_words; w++)
		if (ocr->words[w].line == (int)li)
			c->w0 = c->w0 < 0 ? (int)w : c->w0, c->w1 = (int)w;
	return c->w0 >= 0;
}

/* A label that names no PII may still open a form's field ("Value", "Reply-To", "Número de
 * tarjeta"): 1-3 words of letters (a '-' or '#' inside, a colon or a bracket around), a
 * word of 3+ letters among them. Button rows and status lines ("Quit Save Load notes.txt",
 * "Read - Write", "@® Cancel") are none: read as fields they took up to 40 units of the
 * budget and ~30-140 ms of OCR on xedit and xmessage screens, and found nothing (session
 * 11). */
static bool field_label(const char *s)
{
	int words = 0, long_word = 0;
	while (*s) {
		s += strspn(s, " ");
		if (!*s)
			break;
		size_t n = strcspn(s, " "), letters = 0;
		for (size_t k = 0; k < n; k++) {
			unsigned char ch = (unsigned char)s[k];
			if (magi__is_alpha(ch) || ch >= 0x80)
				letters++;
			else if (!strchr("-#:()'", ch))
				return false;
		}
		if (!letters)
			return false;
		long_word += letters >= 3;
		words++;
		s += n;
	}
	return words >= 1 && words <= 3 && long_word;
}

/* Small text's address as the page reading leaves it: the reading is cut short ("Hos
 * 357A:4D45:E501:BACA:A5:" for an address 36 glyphs long, its last groups read "5 276"
 * and dropped), split into lines with glyphs lost between them ("AQ:" | "59" for
 * "A0:7B:49:7A:60:59"), or its words' boxes are two or three times as tall as its
 * glyphs (xmessage: 27 px boxes over 10 px glyphs, so the crop was read unenlarged). The
 * pixels say where the address is better (session 12): an address has no space inside,
 * so its ink runs on along the row with gaps narrower than a space. */

static int text_height(const struct magi_ocr *ocr, const struct cand *c);
static int crop_scale(int h);

/* The background of the box [x0, x1) x [y0, y1): the colour most of its four corners
 * share (the first corner when they all differ). */
static void box_bg(const struct magi_image *img, int x0, int y0, int x1, int y1, uint8_t bg[3])
{
	const int xs[4] = {x0, x1 - 1, x0, x1 - 1}, ys[4] = {y0, y0, y1 - 1, y1 - 1};
	int best = 0, votes = -1;
	for (int i = 0; i < 4; i++) {
		const uint8_t *a = img->px + (size_t)ys[i] * img->stride + (size_t)xs[i] * 3;
		int v = 0;
		for (int k = 0; k < 4; k++) {
			const uint8_t *b = img->px + (size_t)ys[k] * img->stride + (size_t)xs[k] * 3;
			v += abs(a[0] - b[0]) + abs(a[1] - b[1]) + abs(a[2] - b[2]) <= 30;
		}
		if (v > votes)
			votes = v, best = i;
	}
	memcpy(bg, img->px + (size_t)ys[best] * img->stride + (size_t)xs[best] * 3, 3);
}

/* The glyphs' rows in c's box: the longest run of rows with ink (a line's glyphs ink
 * every row from their tops to their feet); *top gets its first row. 0 when none. */
static int ink_rows(const struct magi_image *img, const struct cand *c, const uint8_t *bg, int *top)
{
	int best = 0, run = 0, y1 = MAGI_MIN(c->y + c->h, (int)img->h), x1 = MAGI_MIN(c->x + c->w, (int)img->w);
	*top = c->y;
	for (int y = MAGI_MAX(c->y, 0); y < y1; y++) {
		int n = 0;
		for (int x = MAGI_MAX(c->x, 0); x < x1 && n < 2; x++)
			n += ink_at(img, x, y, bg);
		run = n >= 2 ? run + 1 : 0;
		if (run > best)
			best = run, *top = y - run + 1;
	}
	return best;
}

/* true when the column x has ink in the rows [y0, y1). */
static bool ink_col(const struct magi_image *img, int x, int y0, int y1, const uint8_t *bg)
{
	for (int y = y0; y < y1; y++)
		if (ink_at(img, x, y, bg))
			return true;
	return false;
}

static bool addr_label(const char *t);

/* The glyphs' height in c's crop: th (its words' boxes' median height, text_height), or
 * the height of its rows of ink when that is at most two thirds of it (xmessage's word
 * boxes are 27 px tall over 10 px glyphs: read unenlarged, they read as "dida2,8088 .cOed"
 * for "d4a2.9058.c0ed"); *top gets the ink's first row then, else -1. */
static int glyph_height(const struct magi_image *img, const struct cand *c, int th, int *top)
{
	*top = -1;
	if (c->w <= 2 || c->h <= 2 || c->x < 0 || c->y < 0 || c->x + c->w > (int)img->w || c->y + c->h > (int)img->h)
		return th;
	uint8_t bg[3];
	box_bg(img, MAGI_MAX(c->x - 2, 0), MAGI_MAX(c->y - 1, 0), MAGI_MIN(c->x + c->w + 2, (int)img->w),
	       MAGI_MIN(c->y + c->h + 1, (int)img->h), bg);
	int t, ih = ink_rows(img, c, bg, &t);
	if (ih >= 5 && ih * 3 <= th * 2) {
		*top = t;
		return ih;
	}
	return th;
}

/* crop_scale of c's glyphs (glyph_height). */
static int glyph_scale(const struct magi_image *img, const struct magi_ocr *ocr, const struct cand *c)
{
	int top;
	return crop_scale(glyph_height(img, c, text_height(ocr, c), &top));
}

/* A word after which an address's ink is not looked for: a label ("Address:", "BSSID:")
 * or a word of prose (4+ letters, not hex_like). */
static bool ink_stop(const char *t)
{
	size_t n = strlen(t);
	int letters = 0;
	for (const char *q = t; *q; q++)
		letters += magi__is_alpha((unsigned char)*q);
	return addr_label(t) || (n > 1 && strchr(":;", t[n - 1]) && letters >= 3 && !count_digits(t)) ||
	       (letters >= 4 && !hex_like(t));
}

/* A word that cannot be part of an address: a label ("Address:", "BSSID:") or prose. */
static bool not_hex_word(const char *t)
{
	size_t n = strlen(t);
	int letters = 0;
	for (const char *q = t; *q; q++)
		letters += magi__is_alpha((unsigned char)*q);
	return !hex_like(t) || addr_label(t) ||
	       (n > 1 && strchr(":;", t[n - 1]) && letters >= 3 && !count_digits(t));
}

/* Fits a hex reading's crop to its pixels: its height to the glyphs' rows when its words'
 * boxes are much taller, its ends out along the row over ink with no gap wider than 0.6
 * glyph heights (a space is wider), left only up to the word before it that is no
 * address's (its label); the scale from the glyphs' height (crop_scale). */
static void ink_fit(const struct magi_image *img, const struct magi_ocr *ocr, struct cand *c)
{
	int top, th = glyph_height(img, c, text_height(ocr, c), &top);
	if (top >= 0) {
		/* boxes two or three times the glyphs' height: the glyphs' rows are the line */
		c->y = MAGI_MAX(top - 2, 0);
		c->h = MAGI_MIN(th + 4, (int)img->h - c->y);
	}
	c->scale = crop_scale(th);
	/* only small type's reading is cut short or split (and a proportional font's space
	 * is narrower than 0.6 heights: larger text is left as its words say) */
	if (th < 5 || th >= SMALL_LINE_H) {
		c->cost = (c->w + c->h - 1) / c->h;
		return;
	}
	uint8_t bg[3];
	box_bg(img, MAGI_MAX(c->x - 2, 0), MAGI_MAX(c->y - 1, 0), MAGI_MIN(c->x + c->w + 2, (int)img->w),
	       MAGI_MIN(c->y + c->h + 1, (int)img->h), bg);
	int y0 = MAGI_MAX(c->y, 0), y1 = MAGI_MIN(c->y + c->h, (int)img->h), gap_max = MAGI_MAX(2, th * 6 / 10);
	/* left: not past the nearest word of the row left of the crop that is no address's */
	int left_limit = 0;
	for (size_t w = 0; w < ocr->n_words; w++) {
		const struct magi_ocr_word *ow = &ocr->words[w];
		int ov = MAGI_MIN(y1, ow->y + ow->h) - MAGI_MAX(y0, ow->y);
		if (ov * 2 >= MAGI_MIN(c->h, ow->h) && ow->x + ow->w <= c->x && ink_stop(ow->text))
			left_limit = MAGI_MAX(left_limit, ow->x + ow->w + gap_max); /* its box may leave out its colon */
	}
	int x0 = c->x, x1 = c->x + c->w;
	for (int x = x0 - 1, gap = 0; x >= left_limit && gap <= gap_max; x--) {
		if (ink_col(img, x, y0, y1, bg))
			x0 = x, gap = 0;
		else
			gap++;
	}
	for (int x = x1, gap = 0; x < (int)img->w && x - c->x < 48 * th && gap <= gap_max; x++) {
		if (ink_col(img, x, y0, y1, bg))
			x1 = x + 1, gap = 0;
		else
			gap++;
	}
	MAGI_DEBUG("pii: ink fit of %d,%d %dx%d (glyphs %d px, gaps up to %d, left limit %d): x %d..%d", c->x, c->y, c->w,
		   c->h, th, gap_max, left_limit, x0, x1);
	c->x = x0;
	c->w = x1 - x0;
	c->cost = (c->w + c->h - 1) / c->h; /* as cand_box counts it: the crop's width over its height */
}

/* A word that may be an address's piece and is no label (hex_like, not_hex_word). */
static bool hex_piece(const char *t)
{
	return !not_hex_word(t);
}

/* Words that say an IPv6 or MAC address follows (with mac_label's). */
static const char *const addr_labels[] = {"inet6", "ipv6", "ip6", "ip", "link-local", "host", "server", "gateway",
					  "router", "peer", "address", "addr", "listening", NULL};

/* true when t is a label of an address (a MAC label or addr_labels, its colon left out). */
static bool addr_label(const char *t)
{
	bool weak;
	if (mac_label(t, &weak))
		return true;
	size_t n = strcspn(t, ":;");
	if (n != strlen(t) && n + 1 != strlen(t))
		return false;
	char lw[24];
	if (n >= sizeof lw)
		return false;
	for (size_t k = 0; k < n; k++)
		lw[k] = (char)magi__lower((unsigned char)t[k]);
	lw[n] = '\0';
	return magi__pii_in_list(lw, n, addr_labels);
}

/* A word that goes on a label: "Listening on", "Bound to", "Connected at". */
static bool label_link(const char *t)
{
	return !strcmp(t, "on") || !strcmp(t, "to") || !strcmp(t, "at");
}

/* A word that may be an address's piece however small type garbled it: 2+ glyphs (or a
 * digit alone), at least half of them hex digits, their look-alikes or an address's marks,
 * a hex digit among them ("AQ:", "88:", "achb,", "ai", "3"). */
static bool hexish_word(const char *t)
{
	int n = 0, good = 0, hex = 0;
	for (; *t; t++, n++) {
		unsigned char ch = (unsigned char)*t;
		hex += magi__is_hex(ch);
		good += magi__is_hex(ch) || (ch < 0x80 && strchr(":;.,[](){}%/|!OoQDIlLiSsGgZzTtjJ&#?-", ch));
	}
	return (n >= 2 || (n == 1 && magi__is_digit((unsigned char)t[-1]))) && hex && good * 2 >= n;
}

/* An address after its label that the page reading garbled past the hex reading's other
 * shapes ("BSSID:" | "88:" | "ee" for "88:71:82:3d:1c:ee", "HWaddr f6b9. f1d8. fb&d",
 * "BSSID:" | "achb, 2Fb5, 3dae"; session 12): the words of line li after an address label
 * (on the line, or the row's words left of it), 2+ hex digits or marks among them, each word
 * hexish_word and no link, the first of them with a digit or a mark, and a colon among
 * them or a MAC label (not "address") before them with 4+ hex glyphs. Its crop is fitted to the ink
 * (ink_fit), which finds the glyphs the reading lost. */
static bool label_hex_crop(const struct magi_ocr *ocr, size_t li, struct cand *c)
{
	int first = -1, last = -1, hex = 0, colons = 0;
	bool label = false, mac = false, weak;
	for (size_t w = 0; w < ocr->n_words; w++) {
		if (ocr->words[w].line != (int)li)
			continue;
		const char *t = ocr->words[w].text;
		if (first < 0 && (addr_label(t) || (label && label_link(t)))) {
			label = true;
			mac |= mac_label(t, &weak) && !weak;
			continue;
		}
		if (first < 0 && !label) {
			/* the label on the row left of the line (a form's, or OCR's split) */
			char row[96];
			struct cand rc = {.line = li, .w0 = (int)w, .w1 = (int)w, .kind = READ_HEX};
			int b[4];
			words_box(ocr, li, (int)w, (int)w, b);
			if (!cand_box(&rc, b))
				return false;
			cand_label(ocr, &rc, row, sizeof row);
			/* a label, then nothing but the address's pieces up to this line */
			for (char *q = row, *e; *q; q = e) {
				q += strspn(q, " \t");
				e = q + strcspn(q, " \t");
				char ch = *e;
				*e = '\0';
				if (*q) {
					label = addr_label(q) || (label && (label_link(q) || hexish_word(q)) && !strstr(q, "//"));
					mac = label && (mac || (mac_label(q, &weak) && !weak));
				}
				*e = ch;
			}
			if (!label)
				return false;
		}
		if (!hexish_word(t) || strstr(t, "//"))
			return false; /* prose, or a link (an IPv4 address's, read as it is) */
		if (first < 0) {
			if (!count_digits(t) && !strpbrk(t, ":;.,"))
				return false;
			first = (int)w;
		}
		last = (int)w;
		for (; *t; t++) {
			hex += magi__is_hex((unsigned char)*t) || strchr(":;.", *t);
			colons += *t == ':' || *t == ';';
		}
	}
	/* an address's colons, or a MAC label (Cisco's dots, twelve glyphs): a postal
	 * address after "Address:" ("123, allée des Lilas,") has neither */
	if (first < 0 || hex < 2 || (!colons && !(mac && hex >= 4)))
		return false;
	/* twelve glyphs with no mark after a MAC label (as small type read it: "HAC:
	 * SECEBCBD3555"): the reading is labelled "MAC" for the rules, as mac12_word's */
	c->mac12 = mac && !colons && hex >= 11 && hex <= 13 && first == last;
	int b[4];
	grow_span(ocr, li, c, first, last, hex_piece, 8, b);
	return cand_box(c, b);
}

/* true when a finding's box overlaps the candidate's crop. A name or a postal address
 * over a number's or an address's glyphs does not count (session 8): those rules take what
 * small type left of an IBAN ("F146-3614" as a postcode) or an IP after an address label,
 * and the second reading is what can read it as what it is. */
static bool covered_by(const struct magi_pii_finding *f, size_t nf, const struct cand *c)
{
	for (size_t k = 0; k < nf; k++)
		if (f[k].has_box && f[k].type != MAGI_PII_PERSON && f[k].type != MAGI_PII_ADDRESS &&
		    overlaps(f[k].x, f[k].y, f[k].w, f[k].h, c->x, c->y, c->w, c->h))
			return true;
	return false;
}

/* true when a finding of type t overlaps the candidate's crop. */
static bool covered_by_type(const struct magi_pii_finding *f, size_t nf, const struct cand *c, enum magi_pii_type t)
{
	for (size_t k = 0; k < nf; k++)
		if (f[k].has_box && f[k].type == t && overlaps(f[k].x, f[k].y, f[k].w, f[k].h, c->x, c->y, c->w, c->h))
			return true;
	return false;
}

/* How much a crop of text h px tall is enlarged before its second reading: small text
 * toward SMALL_TARGET_H (Tesseract reads 9-11 px glyphs far better at 2-3x), at most
 * SMALL_MAX_SCALE; text of SMALL_LINE_H px or more as it is. */
static int int_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The text height of c's crop: the median height of its words (a crop's box is now and
 * then twice as tall as its glyphs, when one word's box takes in a neighbour line). */
static int text_height(const struct magi_ocr *ocr, const struct cand *c)
{
	int hs[64], n = 0;
	for (int w = c->w0; w <= c->w1 && n < 64; w++) {
		const struct magi_ocr_word *ow = &ocr->words[w];
		if (overlaps(ow->x, ow->y, ow->w, ow->h, c->x, c->y, c->w, c->h) && ow->h > 0)
			hs[n++] = ow->h;
	}
	if (!n)
		return c->h;
	qsort(hs, (size_t)n, sizeof *hs, int_cmp);
	return hs[n / 2];
}

static int crop_scale(int h)
{
	if (h >= SMALL_LINE_H)
		return 1;
	return MAGI_MIN(SMALL_MAX_SCALE, MAGI_MAX(1, (SMALL_TARGET_H + h / 2) / h));
}

/* A word that is no field's label (no colon at its end). */
static bool not_label(const char *t)
{
	size_t n = strlen(t);
	return n && !strchr(":;?", t[n - 1]);
}

/* Words that say an e-mail address follows on the line. */
static const char *const email_labels[] = {"email", "e-mail", "mail", "from", "to", "cc", "bcc",
					   "reply-to", "sender", "contact", "courriel", "correo",
					   "e-mail-adresse", NULL};

/* The words of line li that may hold an e-mail address the first reading garbled: after
 * the line's first word when that is an e-mail label ("To? katarzuna , lewandowska
 * ,1882¢company ,co ,uk"), else from the first word with an '@' or a '<' to the line's end;
 * a dot or comma among them (a domain's) and 6+ characters. False when there are none. */
/* true when t (an OCR word) is an e-mail label, with or without its colon. */
static bool email_label(const char *t)
{
	char lw[16];
	size_t k = 0;
	for (; t[k] && k + 1 < sizeof lw && !strchr(":;?=", t[k]); k++)
		lw[k] = (char)magi__lower((unsigned char)t[k]);
	lw[k] = '\0';
	if (!t[k] || strchr(":;?=", t[k])) {
		if (magi__pii_in_list(lw, k, email_labels))
			return true;
		/* small type's "Enail:", "E-nail:", "Emai1:" (session 10): one letter of "email" or
		 * "e-mail" misread, the first kept, only with the colon */
		static const char *const fuzzy[] = {"email", "e-mail", NULL};
		for (int f = 0; t[k] && fuzzy[f]; f++) {
			size_t n = strlen(fuzzy[f]), diff = 0;
			for (size_t i = 0; n == k && i < n; i++)
				diff += lw[i] != fuzzy[f][i];
			if (n == k && diff == 1 && lw[0] == 'e')
				return true;
		}
	}
	return false;
}

/* true when t ends in a colon-like mark (a field's label: "To:", small type's "To?"). */
static bool colon_end(const char *t)
{
	size_t n = strlen(t);
	return n && strchr(":;?=", t[n - 1]);
}

/* true when the words of line li left of word w, or the OCR lines of its row left of it
 * (within 20 heights: a form's label Tesseract read as a line of its own, "E-mail" |
 * "wei.zhang2mail.cn"), end in an e-mail label (session 11). */
static bool email_label_left(const struct magi_ocr *ocr, size_t li, size_t w)
{
	const struct magi_ocr_word *me = &ocr->words[w];
	int best = -1, bx = INT32_MIN;
	for (size_t k = 0; k < ocr->n_words; k++) {
		const struct magi_ocr_word *ow = &ocr->words[k];
		int ov = MAGI_MIN(me->y + me->h, ow->y + ow->h) - MAGI_MAX(me->y, ow->y);
		if (ow->line == (int)li || ow->x + ow->w > me->x || ov * 2 < MAGI_MIN(me->h, ow->h) ||
		    me->x - (ow->x + ow->w) > 20 * me->h)
			continue;
		if (ow->x > bx)
			bx = ow->x, best = (int)k;
	}
	if (best < 0 || !email_label(ocr->words[best].text))
		return false;
	/* a field's label: with its colon, or alone on its OCR line ("According to" | "Nguyen
	 * Van Hoang," is prose) */
	int line = ocr->words[best].line, words = 0;
	for (size_t k = 0; k < ocr->n_words; k++)
		words += ocr->words[k].line == line;
	return colon_end(ocr->words[best].text) || words == 1;
}

/* Generic top-level domains an address may end in; any two lower-case letters stand for
 * a country's (ISO 3166-1 codes are the ccTLDs). */
static const char *const email_gtlds[] = {"com", "org", "net", "edu", "gov", "mil", "int", "info",
					  "biz", "name", "pro", "mobi", "app", "dev", "xyz", "online",
					  "site", "tech", "email", "shop", "store", "cloud", "blog", NULL};

/* An e-mail address whose '@' small type misread, with no label to say what it is
 * ("jisoo.lee.19912shop.com.au", "mei2company.co.uk", "zhuang¢firm.de"; session 11): one
 * word of 8-64 bytes, no '@', ':' or '/', not a link ("www.", "http"), ending in a dot (or
 * a comma for one) and a top-level domain (two lower-case letters or a generic one),
 * with a glyph that is no lower-case letter nor '.', '_', '-' (the misread '@': a digit, a
 * capital, a currency or copyright sign) between lower-case letters or digits before the
 * domain's first dot. Only the reading with '@' among its glyphs says whether it is one. */
static bool email_shape_word(const char *t)
{
	size_t n = strlen(t);
	while (n && strchr(",.;)>", t[n - 1]))
		n--;
	if (n < 8 || n > 64 || memchr(t, '@', n) || memchr(t, ':', n) || memchr(t, '/', n) ||
	    !strncmp(t, "www.", 4) || !strncmp(t, "http", 4))
		return false;
	size_t dot = n;
	while (dot && t[dot - 1] != '.' && t[dot - 1] != ',')
		dot--;
	if (!dot)
		return false;
	size_t tl = n - dot;
	bool tld = tl == 2;
	for (size_t k = dot; k < n && tld; k++)
		tld = magi__is_lower((uc)t[k]);
	for (size_t g = 0; email_gtlds[g] && !tld; g++)
		tld = strlen(email_gtlds[g]) == tl && !memcmp(t + dot, email_gtlds[g], tl);
	if (!tld)
		return false;
	/* the misread '@': between a letter or digit and a domain label of 2+ lower-case
	 * letters, digits or dashes that a dot (or a comma) ends */
	for (size_t k = 1; k < dot; k++) {
		uc ch = (uc)t[k];
		if (magi__is_lower(ch) || strchr(".,_-+'", ch) || !magi__is_alnum((uc)t[k - 1]))
			continue;
		size_t q = k + 1;
		while (q < dot && ((uc)t[q] & 0xc0) == 0x80)
			q++; /* the rest of a multi-byte glyph ("¢", "©") */
		size_t l0 = q;
		while (q < dot && (magi__is_lower((uc)t[q]) || magi__is_digit((uc)t[q]) || t[q] == '-'))
			q++;
		if (q - l0 >= 2 && magi__is_lower((uc)t[l0]) && (t[q] == '.' || t[q] == ','))
			return true;
	}
	return false;
}

/* The first word of line li shaped as email_shape_word says; -1 when there is none. */
static int email_shape(const struct magi_ocr *ocr, size_t li)
{
	for (size_t w = 0; w < ocr->n_words; w++)
		if (ocr->words[w].line == (int)li && email_shape_word(ocr->words[w].text))
			return (int)w;
	return -1;
}

static bool email_crop(const struct magi_ocr *ocr, size_t li, struct cand *c)
{
	int first = -1, last = -1, start = -1, prev = -1, after = 0;
	bool bare_label = false, at = false;
	/* a label alone on the line before ("From:" over the address) */
	bool label_above = li > 0 && ocr->lines[li - 1].text && !strchr(ocr->lines[li - 1].text, ' ') &&
			   email_label(ocr->lines[li - 1].text);
	for (size_t w = 0; w < ocr->n_words; w++) {
		if (ocr->words[w].line != (int)li)
			continue;
		const char *t = ocr->words[w].text;
		if (start >= 0 || start == -2)
			after++;
		at |= strchr(t, '@') || strchr(t, '<');
		if (first < 0) {
			first = (int)w;
			if (email_label(t)) {
				start = -2; /* from the next word */
				last = (int)w;
				/* "to", "from", "contact" without a colon also open prose ("to build a
				 * tags file."): then the rest must be an address's few words (session 11) */
				bare_label = !colon_end(t);
				continue;
			}
			if (label_above || email_label_left(ocr, li, w))
				start = (int)w;
		}
		if (start == -2) {
			start = (int)w;
		} else if (start < 0 && (strchr(t, '@') || strchr(t, '<'))) {
			/* a local part OCR split in two ("oluwaseun. adeyemi.1992@...") */
			size_t pl = prev >= 0 ? strlen(ocr->words[prev].text) : 0;
			start = pl && !strchr(":;?", ocr->words[prev].text[pl - 1]) &&
					magi__is_lower((unsigned char)ocr->words[prev].text[0])
				? prev
				: (int)w;
		}
		last = (int)w;
		prev = (int)w;
	}
	if (bare_label && after > 3 && !at)
		return false;
	if (start < 0) {
		/* no label and no '@': a word of an address's shape whose '@' was misread */
		int w = email_shape(ocr, li);
		if (w < 0)
			return false;
		start = last = w;
		c->again = true;
		c->prio = 1;
	}
	size_t chars = 0;
	bool domain = false;
	for (int w = start; w <= last; w++) {
		const struct magi_ocr_word *ow = &ocr->words[w];
		if (ow->line != (int)li)
			continue;
		chars += strlen(ow->text);
		domain |= strchr(ow->text, '.') || strchr(ow->text, ',');
	}
	if (!domain || chars < 6)
		return false;
	c->w0 = start;
	c->w1 = last;
	int b[4];
	words_box(ocr, li, start, last, b);
	grow_row(ocr, c, b, not_label, 5);
	return cand_box(c, b);
}

/* The words before c's crop on its row (a number's or a MAC address's label), joined by
 * spaces, cut to the last size - 1 bytes: its own OCR line's words before it, and words of
 * other OCR lines of the same row left of it (a form's label that Tesseract read as a line
 * of its own: "Social Security Number" | "676571693"), those joined by a tab as the page
 * text joins them. */
static void cand_label(const struct magi_ocr *ocr, const struct cand *c, char *buf, size_t size)
{
	struct magi_buf b;
	magi_buf_init(&b, 0);
	int li = c->w0 >= 0 && c->w0 < (int)ocr->n_words ? ocr->words[c->w0].line : (int)c->line;
	int prev_line = -1;
	for (int w = 0; (c->kind == READ_DIGITS || c->kind == READ_HEX || c->kind == READ_IBAN) && w < (int)ocr->n_words;
	     w++) {
		const struct magi_ocr_word *ow = &ocr->words[w];
		bool mine = ow->line == li && w < c->w0;
		int ov = MAGI_MIN(c->y + c->h, ow->y + ow->h) - MAGI_MAX(c->y, ow->y);
		bool row = ow->line != li && ow->x + ow->w <= c->x && ov * 2 >= MAGI_MIN(c->h, ow->h) &&
			   c->x - (ow->x + ow->w) <= 20 * c->h;
		if (!mine && !row)
			continue;
		if ((b.len && magi_buf_putc(&b, prev_line >= 0 && prev_line != ow->line ? '\t' : ' ')) ||
		    magi_buf_puts(&b, ow->text))
			break;
		prev_line = ow->line;
	}
	size_t from = b.len >= size ? b.len - (size - 1) : 0;
	snprintf(buf, size, "%s", b.len ? b.data + from : "");
	magi_buf_release(&b);
}

static struct cache_entry *cache_find(struct magi_pii_cache *c, uint64_t key)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (c->e[i].key == key)
			return &c->e[i];
	return NULL;
}

/* Takes ownership of f; the oldest entry makes room once the cache is full. */
static struct cache_entry *cache_put(struct magi_pii_cache *c, uint64_t key,
				     struct magi_pii_finding *f, size_t n)
{
	struct cache_entry *e;
	if (c->n < CACHE_MAX) {
		e = &c->e[c->n++];
	} else {
		e = &c->e[c->next++ % CACHE_MAX];
		magi_pii_findings_free(e->f, e->n);
	}
	e->key = key;
	e->f = f;
	e->n = n;
	return e;
}

/* Reads crop again as one line. *out gets the findings with boxes in the crop's pixels;
 * none when OCR failed (the first reading stands). */
/* The glyphs a constrained reading may use, and the types it looks for: an IPv6 or MAC
 * address in any of their text forms; an e-mail address (RFC 5322's common local-part
 * characters, '<' and '>' around it). */
static const struct {
	const char *charset;
	uint32_t types;
} kinds[] = {
	[READ_HEX] = {"0123456789abcdefABCDEF:.-[]%/",
		      MAGI_PII_BIT(MAGI_PII_IPV6) | MAGI_PII_BIT(MAGI_PII_MAC)},
	[READ_EMAIL] = {"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@-_+<>",
			MAGI_PII_BIT(MAGI_PII_EMAIL)},
	/* the space keeps the groups apart (without it the whitelist joins them) */
	[READ_IBAN] = {"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -", MAGI_PII_BIT(MAGI_PII_IBAN)},
	[READ_DIGITS] = {"0123456789-./()+ ",
			 MAGI_PII_BIT(MAGI_PII_CARD) | MAGI_PII_BIT(MAGI_PII_SSN) |
				 MAGI_PII_BIT(MAGI_PII_PHONE) | MAGI_PII_BIT(MAGI_PII_IPV4)},
};

/* A MAC address whose colons the constrained reading partly lost ("Fa68:93d9:fdca",
 * "98:9bdee6:d2:47"): a word of exactly twelve hex digits in 3-5 groups of even length
 * split by ':' or '-'. Only in a reading of a line that showed an address's colons; the
 * finding is the whole text (the caller gives it the crop's box). */
static magi_status mac_lost_colons(const char *text, struct magi_pii_finding **out, size_t *n)
{
	for (const char *p = text; *p;) {
		while (*p == ' ')
			p++;
		const char *e = p;
		int hex = 0, groups = 1, gl = 0;
		bool ok = true;
		for (; *e && *e != ' '; e++) {
			if (magi__is_hex((unsigned char)*e)) {
				hex++;
				gl++;
			} else if ((*e == ':' || *e == '-') && gl) {
				ok &= gl % 2 == 0;
				groups++;
				gl = 0;
			} else {
				ok = false;
			}
		}
		ok &= gl % 2 == 0 && gl > 0;
		if (ok && hex == 12 && groups >= 3 && groups <= 5) {
			struct magi_pii_finding *f = calloc(1, sizeof *f);
			if (!f || !(f->text = magi__strndup(p, (size_t)(e - p)))) {
				free(f);
				return MAGI_ERR_NOMEM;
			}
			f->type = MAGI_PII_MAC;
			f->start = (size_t)(p - text);
			f->end = (size_t)(e - text);
			f->score = MAGI_PII_SCORE_REPAIRED;
			f->repaired = true;
			*out = f;
			*n = 1;
			return MAGI_OK;
		}
		p = e;
	}
	return MAGI_OK;
}

/* A MAC address whose colons small type read as digits ("b27a575f:6a:692d9" for
 * "b2:a5:5f:6a:69:d9"; session 12): a word of 17 glyphs, hex digits in the twelve places of
 * a MAC's groups, and in the five places between them ':' (two at least) or a glyph the
 * reading writes for one (2, 3, 7, 1, '.', ';'). Those places are set to ':' in s, in
 * place, for the MAC rule to decide; true when a word was so set. */
static bool mac_seps(char *s)
{
	bool set = false;
	for (char *p = s; *p;) {
		p += strspn(p, " \t");
		size_t n = strcspn(p, " \t");
		if (n == 17) {
			int colons = 0;
			bool ok = true;
			for (size_t k = 0; k < 17 && ok; k++) {
				if (k % 3 == 2) {
					colons += p[k] == ':';
					ok = strchr(":;.2371", p[k]) != NULL;
				} else {
					ok = magi__is_hex((unsigned char)p[k]);
				}
			}
			if (ok && colons >= 2) {
				for (size_t k = 2; k < 17; k += 3)
					p[k] = ':';
				set = true;
			}
		}
		p += n;
	}
	return set;
}

/* Takes the spaces beside a '.' or '-' between two digits out of s ("203. 0. 113. 83" ->
 * "203.0.113.83"), in place; true when it took any. */
static bool close_marks(char *s)
{
	size_t o = 0, n = strlen(s);
	bool took = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' && o > 0 && (s[o - 1] == '.' || s[o - 1] == '-') && o >= 2 &&
		    magi__is_digit((unsigned char)s[o - 2]) && i + 1 < n && magi__is_digit((unsigned char)s[i + 1])) {
			took = true;
			continue;
		}
		if (s[i] == ' ' && o > 0 && magi__is_digit((unsigned char)s[o - 1]) && i + 2 < n &&
		    (s[i + 1] == '.' || s[i + 1] == '-') && magi__is_digit((unsigned char)s[i + 2])) {
			took = true;
			continue;
		}
		s[o++] = s[i];
	}
	s[o] = '\0';
	return took;
}

/* The reading's own text in text (the label before it left out). */
static const char *read_part(const char *text, const char *label)
{
	return label && *label ? text + strlen(label) + 1 : text;
}

/* The constrained reading of crop: only the kind's types are looked for, and a finding
 * covers the whole crop (the shape's words); it is `repaired` — the reading was forced
 * into the shape's glyphs, so it is no reading as printed. */
static magi_status read_charset(const struct magi_image *crop, int kind, const char *label,
				const char *lang, const struct magi_pii_params *p,
				struct magi_pii_finding **out, size_t *n)
{
	char *read = NULL;
	if (magi__ocr_read_line_charset(crop, lang, kinds[kind].charset, &read, NULL, NULL))
		return MAGI_OK;
	/* the label the first reading gave the number ("SSN:", "Tel.") goes before it: the
	 * rules that need one see it */
	char *text = read;
	if (label && *label) {
		size_t ll = strlen(label), rl = strlen(read);
		text = malloc(ll + rl + 2);
		if (!text) {
			free(read);
			return MAGI_ERR_NOMEM;
		}
		memcpy(text, label, ll);
		text[ll] = ' ';
		memcpy(text + ll + 1, read, rl + 1);
		free(read);
	}
	struct magi_pii_params q = *p;
	q.types &= kinds[kind].types;
	magi_status s = q.types ? magi_pii_scan_text(text, &q, out, n) : MAGI_OK;
	/* the whitelist keeps the space, and the reading now and then puts one beside each dot
	 * or dash of a number ("203. 0. 113. 83"): read again without them (session 8) */
	if (!s && !*n && q.types && kind == READ_DIGITS && close_marks(text))
		s = magi_pii_scan_text(text, &q, out, n);
	if (!s && !*n && kind == READ_HEX && (p->types & MAGI_PII_BIT(MAGI_PII_MAC)))
		s = mac_lost_colons(text, out, n);
	if (!s && !*n && kind == READ_HEX && (p->types & MAGI_PII_BIT(MAGI_PII_MAC)) && mac_seps(text)) {
		q.types = MAGI_PII_BIT(MAGI_PII_MAC);
		s = magi_pii_scan_text(text, &q, out, n);
	}
	/* an IBAN's shape that the reading made digits only ("B3s3 7096 5061 s416" read "6383
	 * 7096 5061 8416"): a card's digits, which the card rule (IIN ranges, Luhn) decides
	 * (session 11) */
	if (!s && !*n && kind == READ_IBAN && (p->types & MAGI_PII_BIT(MAGI_PII_CARD)) &&
	    !strpbrk(read_part(text, label), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
		q.types = p->types & MAGI_PII_BIT(MAGI_PII_CARD);
		s = magi_pii_scan_text(text, &q, out, n);
	}
	MAGI_DEBUG("pii: constrained reading \"%s\": %zu finding%s", text, *n, *n == 1 ? "" : "s");
	free(text);
	for (size_t k = 0; !s && k < *n; k++) {
		struct magi_pii_finding *f = &(*out)[k];
		f->has_box = true;
		f->x = f->y = 0;
		f->w = (int)crop->w;
		f->h = (int)crop->h;
		f->repaired = true;
		f->score = MAGI_MIN(f->score, MAGI_PII_SCORE_REPAIRED) * 0.9f;
	}
	return s;
}

static magi_status read_crop(const struct magi_image *crop, int scale, int kind, const char *label,
			     const char *lang, const struct magi_pii_params *p, struct magi_pii_finding **out,
			     size_t *n)
{
	*out = NULL;
	*n = 0;
	struct magi_ocr *o2 = NULL;
	struct magi_image *big = NULL;
	if (scale > 1 && magi_image_resize(crop, crop->w * (uint32_t)scale,
					   crop->h * (uint32_t)scale, &big))
		return MAGI_OK;
	if (kind != READ_PLAIN) {
		magi_status hs = read_charset(big ? big : crop, kind, label, lang, p, out, n);
		for (size_t k = 0; !hs && k < *n; k++) {
			(*out)[k].w = (int)crop->w;
			(*out)[k].h = (int)crop->h;
		}
		magi_image_free(big);
		return hs;
	}
	magi_status r = magi_ocr_run_line(big ? big : crop, lang, 0, &o2, NULL);
	magi_image_free(big);
	if (r)
		return MAGI_OK;
	magi_status s = magi_pii_scan_ocr(o2, p, out, n);
	magi_ocr_free(o2);
	for (size_t k = 0; !s && k < *n; k++) {
		struct magi_pii_finding *f = &(*out)[k];
		f->score *= 0.9f;
		/* boxes back in the crop's own pixels */
		int x1 = (f->x + f->w + scale - 1) / scale, y1 = (f->y + f->h + scale - 1) / scale;
		f->x /= scale;
		f->y /= scale;
		f->w = x1 - f->x;
		f->h = y1 - f->y;
	}
	return s;
}

/* One candidate's crop and, when it is read, its reading (made on either thread). */
struct reread {
	struct magi_image *crop;
	int x0, y0, x1, y1; /* the crop's box in the screen */
	uint64_t key;       /* in the cache */
	bool read;          /* read in this look (not known, within the budget) */
	bool pending;       /* to be read by the next pass of reread_loop */
	int scale;          /* the size it is read at in that pass */
	const char *lang;   /* and the OCR model (reread_lang; NULL: Tesseract's "eng") */
	const struct cand *cand;
	char label[96];
	magi_status s;
	struct magi_pii_finding *g; /* boxes in the crop's pixels */
	size_t ng;
	double ms;
};

struct reread_work {
	struct reread *rs;
	size_t n; /* candidates; their pending flags are taken under mu */
	const struct magi_pii_params *p;
	pthread_mutex_t mu;
};

/* Readings made on the helper thread, over the process (for tests: two threads ran). */
static atomic_size_t helper_reads;

size_t magi__pii_reread_helper_reads(void)
{
	return atomic_load(&helper_reads);
}

/* MAGI_PII_REREAD_THREADS=1 keeps the second readings on the calling thread (to compare). */
static int reread_threads(void)
{
	const char *v = getenv("MAGI_PII_REREAD_THREADS");
	return v && strcmp(v, "1") == 0 ? 1 : 2;
}

/* The OCR model of a reading of kind (session 10): the hex and IBAN readings — capitals or
 * hex letters mixed with digits, constrained to their glyphs — with magi's own model
 * (MAGI__OCR_BEST, tessdata_best's English LSTM) when it is installed, the rest with
 * Tesseract's "eng" (Debian's tessdata_fast). On the development screens (seeds 621, 622,
 * 631, 632) the larger model read more hex groups and IBAN capitals right, and fewer digit
 * and e-mail lines: every second reading with it found 4 items fewer on 621 (phone, SSN,
 * e-mail) and made a false api_key on a PII-free screen; these two kinds alone, only more.
 * Off unless MAGI_PII_REREAD_MODEL=best: on the sealed measurement sets (9141-9144, 1104
 * items) every reading on "eng" found 1055 items, these two kinds with the model 1053 (two
 * IBANs fewer), and the model's engine costs ~90 ms to load on its first use and ~5 MB.
 * NULL: "eng". */
static const char *reread_lang(int kind)
{
	static atomic_int found = -1; /* the model's file is looked for once per process */
	if (kind != READ_HEX && kind != READ_IBAN)
		return NULL;
	const char *v = getenv("MAGI_PII_REREAD_MODEL");
	if (!v || strcmp(v, "best") != 0)
		return NULL;
	if (atomic_load(&found) < 0)
		atomic_store(&found, magi__ocr_model_found(MAGI__OCR_BEST) ? 1 : 0);
	return atomic_load(&found) ? MAGI__OCR_BEST : NULL;
}

/* Takes the pending candidates one by one until none is left, the costliest first (in
 * their units; the first of equals): the two threads then end nearer together than in
 * the candidates' order, which a short crop may lead (the findings are merged in that
 * order all the same). */
static void reread_loop(struct reread_work *w, bool helper)
{
	for (;;) {
		pthread_mutex_lock(&w->mu);
		struct reread *r = NULL;
		for (size_t i = 0; i < w->n; i++)
			if (w->rs[i].pending && (!r || w->rs[i].cand->cost > r->cand->cost))
				r = &w->rs[i];
		if (r)
			r->pending = false;
		pthread_mutex_unlock(&w->mu);
		if (!r)
			return;
		const struct cand *c = r->cand;
		double t0 = magi_now_ms();
		r->s = read_crop(r->crop, r->scale, c->kind, r->label, r->lang, w->p, &r->g, &r->ng);
		r->ms += magi_now_ms() - t0;
		if (helper)
			atomic_fetch_add(&helper_reads, 1);
		MAGI_DEBUG("pii: second reading of %ux%u at %d,%d (%d units, x%d%s, prio %d): %zu finding%s in %.1f ms%s",
			   r->crop->w, r->crop->h, r->x0, r->y0, c->cost, r->scale, c->kind ? ", constrained" : "",
			   c->prio, r->ng, r->ng == 1 ? "" : "s", r->ms, helper ? " (second thread)" : "");
	}
}

static void *reread_helper(void *arg)
{
	reread_loop(arg, true);
	return NULL;
}

/* Reads the pending candidates, on two threads when there are two or more and a second
 * engine is idle or loading; true when two threads read. */
static bool reread_pass(struct reread *rs, size_t nc, size_t npending, const struct magi_pii_params *p)
{
	struct reread_work w = {.rs = rs, .n = nc, .p = p};
	pthread_mutex_init(&w.mu, NULL);
	pthread_t helper;
	bool two = npending >= 2 && reread_threads() > 1 && magi__ocr_engines_unused(NULL) >= 2 &&
		   pthread_create(&helper, NULL, reread_helper, &w) == 0;
	reread_loop(&w, false);
	if (two)
		pthread_join(helper, NULL);
	pthread_mutex_destroy(&w.mu);
	return two;
}

magi_status magi_pii_scan_image(const struct magi_image *img, const struct magi_ocr *ocr,
				const struct magi_pii_params *p, struct magi_pii_finding **out,
				size_t *n)
{
	*out = NULL;
	*n = 0;
	struct magi_pii_params defaults = magi_pii_params_default();
	if (!p)
		p = &defaults;
	struct magi_pii_finding *f = NULL;
	size_t nf = 0;
	magi_status s = magi_pii_scan_ocr(ocr, p, &f, &nf);
	if (s || !img || !ocr || !ocr->n_lines || !ocr->n_words || p->reread_budget == 0)
		return s ? s : (*out = f, *n = nf, MAGI_OK);
	/* the candidates */
	struct cand *cands = calloc(6 * ocr->n_lines, sizeof *cands);
	if (!cands) {
		magi_pii_findings_free(f, nf);
		return MAGI_ERR_NOMEM;
	}
	size_t nc = 0;
	for (size_t i = 0; i < ocr->n_lines; i++) {
		const struct magi_ocr_line *l = &ocr->lines[i];
		MAGI_DEBUG("pii: line %zu at %d,%d %dx%d conf %.0f: \"%s\"", i, l->x, l->y, l->w, l->h, l->conf,
			   l->text ? l->text : "");
		if (!l->text || l->h <= 0 || l->h > GARBLED_MAX_HEIGHT)
			continue;
		/* an address's hex groups the first reading found no address in: read again
		 * with hex glyphs only */
		struct cand hc = {.line = i, .kind = READ_HEX, .prio = 2, .scale = 1};
		if ((p->types & (MAGI_PII_BIT(MAGI_PII_IPV6) | MAGI_PII_BIT(MAGI_PII_MAC))) &&
		    l->h <= REREAD_MAX_HEIGHT && hex_crop(ocr, i, &hc) && !covered_by(f, nf, &hc)) {
			ink_fit(img, ocr, &hc);
			hc.digits = count_digits(l->text);
			cands[nc++] = hc;
		} else if (hc = (struct cand){.line = i, .kind = READ_HEX, .prio = 2, .scale = 1, .again = true},
			   (p->types & (MAGI_PII_BIT(MAGI_PII_IPV6) | MAGI_PII_BIT(MAGI_PII_MAC))) &&
				   l->h <= REREAD_MAX_HEIGHT && label_hex_crop(ocr, i, &hc) &&
				   !covered_by(f, nf, &hc)) {
			/* an address after its label that the page reading garbled past the
			 * shapes above (session 12); its pieces on other lines of the row make
			 * one crop */
			ink_fit(img, ocr, &hc);
			hc.digits = count_digits(l->text);
			struct cand *same = NULL;
			for (size_t k = 0; k < nc && !same; k++)
				if (cands[k].kind == READ_HEX && cands[k].again &&
				    overlaps(cands[k].x, cands[k].y, cands[k].w, cands[k].h, hc.x, hc.y, hc.w, hc.h))
					same = &cands[k];
			if (same) {
				int b[4] = {MAGI_MIN(same->x, hc.x), MAGI_MIN(same->y, hc.y),
					    MAGI_MAX(same->x + same->w, hc.x + hc.w), MAGI_MAX(same->y + same->h, hc.y + hc.h)};
				same->w0 = MAGI_MIN(same->w0, hc.w0);
				same->w1 = MAGI_MAX(same->w1, hc.w1);
				cand_box(same, b);
			} else {
				cands[nc++] = hc;
			}
		}
		bool mac12_line = nc && cands[nc - 1].line == i && cands[nc - 1].mac12;
		/* an IPv4-mapped address of which the first reading found the IPv4 part only:
		 * the hex reading, though an IPv4 finding covers it */
		struct cand mc = {.line = i, .kind = READ_HEX, .prio = 2, .scale = 1};
		if ((p->types & MAGI_PII_BIT(MAGI_PII_IPV6)) && l->h <= REREAD_MAX_HEIGHT &&
		    (!nc || cands[nc - 1].line != i || cands[nc - 1].kind != READ_HEX) && mapped_crop(ocr, i, &mc) &&
		    !covered_by_type(f, nf, &mc, MAGI_PII_IPV6)) {
			mc.scale = glyph_scale(img, ocr, &mc);
			mc.digits = count_digits(l->text);
			cands[nc++] = mc;
		}
		/* an e-mail address's line (an '@', '<' or an e-mail label) without one: read
		 * again with an address's glyphs only ("khalid-nasserGueb ,cle") */
		struct cand ec = {.line = i, .kind = READ_EMAIL, .prio = 2, .scale = 1};
		if ((p->types & MAGI_PII_BIT(MAGI_PII_EMAIL)) && l->h <= REREAD_MAX_HEIGHT &&
		    email_crop(ocr, i, &ec) && !covered_by(f, nf, &ec)) {
			ec.scale = glyph_scale(img, ocr, &ec);
			cands[nc++] = ec;
		}
		/* a label whose field's value the page reading did not see (a bordered input
		 * box): the value's ink, read as it is; first when the label names PII */
		struct cand fc = {.line = i, .kind = READ_PLAIN, .scale = 1};
		if (field_crop(img, ocr, i, &fc)) {
			fc.scale = crop_scale(l->h);
			fc.prio = has_word(l->text, pii_labels) || email_label(l->text) ? 2 : 0;
			if (fc.prio || field_label(l->text))
				cands[nc++] = fc;
		}
		/* a line where a name stands that the first reading found none on: read again
		 * as it is (guard8, session 8: pii_person_reread.c) */
		struct cand pc = {.line = i, .kind = READ_PLAIN, .prio = 1, .scale = 1};
		int nb[4];
		if ((p->types & MAGI_PII_BIT(MAGI_PII_PERSON)) && l->h <= GARBLED_MAX_HEIGHT &&
		    magi__pii_name_row(ocr, i, nb) && line_crop(ocr, i, true, &pc) && cand_box(&pc, nb) &&
		    !covered_by(f, nf, &pc)) {
			pc.scale = glyph_scale(img, ocr, &pc);
			cands[nc++] = pc;
		}
		int digits = count_digits(l->text), signal = digits - calendar_digits(l->text);
		/* a garbled line: the first reading was unsure and the line shows a number or two
		 * (Tesseract sometimes reads a whole line of a thin font as "BANS DIZ FI2B VOID"
		 * on the page and correctly on its own) */
		bool garbled = l->conf < GARBLED_CONF && signal >= 2 && strlen(l->text) >= 6;
		bool small = l->h < SMALL_LINE_H && small_signal(l->text, signal);
		if (mac12_line || (!garbled && !small && (l->h > REREAD_MAX_HEIGHT || signal < REREAD_MIN_DIGITS)))
			continue;
		if (has_word(l->text, not_pii_labels) || dates_only(l->text))
			continue;
		struct cand c = {.line = i, .digits = digits, .scale = 1};
		/* a number's words alone (a card, a phone number, an SSN): read with digits
		 * only; a garbled line, or one with letters among its numbers, as it is; an
		 * IBAN's shape with capitals, digits and the space only (session 10) */
		static const char *const iban_words[] = {"iban", NULL};
		if ((p->types & MAGI_PII_BIT(MAGI_PII_IBAN)) && iban_crop(ocr, i, &c)) {
			c.kind = READ_IBAN;
			c.again = true; /* capitals and digits fall otherwise at another size */
		} else if (c = (struct cand){.line = i, .digits = digits, .scale = 1},
			   digits < 4 || has_word(l->text, iban_words) || !digits_crop(ocr, i, &c)) {
			c = (struct cand){.line = i, .digits = digits, .scale = 1};
			if ((p->types & MAGI_PII_BIT(MAGI_PII_CARD)) && !has_word(l->text, iban_words) &&
			    card_crop(ocr, i, &c)) {
				c.kind = READ_DIGITS;
				c.again = true;
			} else if (c = (struct cand){.line = i, .digits = digits, .scale = 1},
				   !line_crop(ocr, i, garbled || small, &c)) {
				continue;
			}
		} else {
			c.kind = READ_DIGITS;
			/* a card's shape: its digits read once more at another size (a glyph
			 * changed or lost at 9-11 px fails Luhn) */
			c.again = (p->types & MAGI_PII_BIT(MAGI_PII_CARD)) && card_digits(ocr, &c);
		}
		c.scale = glyph_scale(img, ocr, &c);
		if (covered_by(f, nf, &c))
			continue;
		c.prio = (has_word(l->text, pii_labels) ? 2 : 0) + garbled;
		c.cover = garbled && l->conf < UNREADABLE_CONF && numberish(l->text) &&
			  (p->types & MAGI_PII_BIT(MAGI_PII_UNREADABLE));
		cands[nc++] = c;
	}
	qsort(cands, nc, sizeof *cands, cand_cmp);
	for (size_t i = 0; i < nc; i++)
		MAGI_DEBUG("pii: candidate kind %d prio %d cost %d x%d at %d,%d: \"%s\"", cands[i].kind, cands[i].prio,
			   cands[i].cost, cands[i].scale, cands[i].x, cands[i].y, ocr->lines[cands[i].line].text);
	MAGI_DEBUG("pii: second look at a %ux%u screen: %zu candidate%s", img->w, img->h, nc,
		   nc == 1 ? "" : "s");
	size_t cap = nf;
	/* First which crops are read, as one reading after another would decide it (the
	 * budget spent in the candidates' order, a crop read before or earlier in this look
	 * is free); then the readings, on two threads when a second engine is idle or loading
	 * (the one loaded for the first screen's reading: ~half the time); then their findings, in the
	 * candidates' order, the same as one thread gives. */
	struct reread *rs = calloc(nc ? nc : 1, sizeof *rs);
	if (!rs) {
		free(cands);
		magi_pii_findings_free(f, nf);
		return MAGI_ERR_NOMEM;
	}
	struct magi_pii_cache *cache = p->reread_cache;
	int budget = p->reread_budget < 0 ? INT32_MAX : p->reread_budget;
	size_t nread = 0;
	for (size_t i = 0; i < nc; i++) {
		const struct cand *c = &cands[i];
		struct reread *r = &rs[i];
		/* two lines of one row grown over each other's words make one crop */
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++)
			dup = cands[k].kind == c->kind && cands[k].x == c->x && cands[k].y == c->y &&
			      cands[k].w == c->w && cands[k].h == c->h;
		if (dup)
			continue;
		r->x0 = MAGI_MAX(c->x - REREAD_MARGIN, 0);
		r->y0 = MAGI_MAX(c->y - REREAD_MARGIN, 0);
		r->x1 = MAGI_MIN(c->x + c->w + REREAD_MARGIN, (int)img->w);
		r->y1 = MAGI_MIN(c->y + c->h + REREAD_MARGIN, (int)img->h);
		if (r->x1 <= r->x0 || r->y1 <= r->y0 ||
		    magi_image_crop(img, r->x0, r->y0, (uint32_t)(r->x1 - r->x0), (uint32_t)(r->y1 - r->y0), &r->crop))
			continue;
		r->key = cache ? crop_key(r->crop) ^ (0x9e3779b97f4a7c15ull * (uint64_t)c->kind) : 0;
		bool known = cache_find(cache, r->key) != NULL;
		for (size_t k = 0; cache && k < i && !known; k++)
			known = rs[k].read && rs[k].key == r->key;
		if (!known && c->cost <= budget) {
			budget -= c->cost;
			r->read = true;
			r->pending = true;
			r->scale = c->scale;
			r->lang = reread_lang(c->kind);
			r->cand = c;
			cand_label(ocr, c, r->label, sizeof r->label);
			if (c->mac12) /* the label as small type read it ("Hiaddr") may be none to the rules */
				snprintf(r->label, sizeof r->label, "MAC");
			nread++;
		}
	}
	bool two = reread_pass(rs, nc, nread, p);
	/* a line whose label names PII, or that shows an address's or an e-mail address's
	 * shape, and whose reading found nothing: once more at another size (session 8), from
	 * the budget the first readings left, in the candidates' order. Tesseract's misreadings
	 * of small glyphs depend on how their pixels fall after scaling, so a second size reads
	 * them anew rather than repairing the first reading's text; it costs the crop's units
	 * again. After every first reading (not right after its own), so that it never takes
	 * the budget from another line's first reading, and so that the readings can be planned
	 * before they are made (two threads, the same findings as one). */
	size_t nagain = 0;
	for (size_t i = 0; i < nc; i++) {
		struct reread *r = &rs[i];
		if (r->read && !r->s && !r->ng && (r->cand->prio >= 2 || r->cand->again) &&
		    r->cand->cost <= budget) {
			budget -= r->cand->cost;
			magi_pii_findings_free(r->g, r->ng);
			r->g = NULL;
			r->scale = r->cand->scale == 1 ? 3 : r->cand->scale + 1;
			r->pending = true;
			nagain++;
		}
	}
	if (nagain)
		two = reread_pass(rs, nc, nagain, p) || two;
	if (nread)
		MAGI_DEBUG("pii: %zu second reading%s on %d thread%s", nread, nread == 1 ? "" : "s", two ? 2 : 1,
			   two ? "s" : "");
	for (size_t i = 0; i < nc && !s; i++) {
		const struct cand *c = &cands[i];
		struct reread *r = &rs[i];
		if (!r->crop)
			continue;
		struct cache_entry *e = cache_find(cache, r->key);
		struct magi_pii_finding *g = NULL;
		size_t ng = 0;
		bool looked = e != NULL;
		if (e) {
			cache->hits++;
		} else if (r->read) {
			looked = true;
			s = r->s;
			g = r->g;
			ng = r->ng;
			r->g = NULL;
			r->ng = 0;
			if (cache)
				cache->ocr_ms += r->ms;
			if (!s && cache) {
				cache->reads++;
				e = cache_put(cache, r->key, g, ng);
				g = NULL;
				ng = 0;
			}
		}
		int x0 = r->x0, y0 = r->y0, x1 = r->x1, y1 = r->y1;
		const struct magi_pii_finding *src = e ? e->f : g;
		size_t nsrc = e ? e->n : ng;
		for (size_t k = 0; k < nsrc && !s; k++) {
			struct magi_pii_finding d = src[k];
			d.x += x0;
			d.y += y0;
			d.has_box = true;
			d.word0 = c->w0;
			d.word1 = c->w1;
			s = push_copy(&f, &nf, &cap, &d);
		}
		magi_pii_findings_free(g, ng);
		if (!looked && c->cover && !s) {
			/* the page reading is nearly noise ("D364 323 4 S695 O4ns)" at confidence
			 * 6) and there was no budget to read it again: on the generated sets such
			 * lines were PII every time and never on a PII-free screen, so they are
			 * covered rather than sent as they are */
			struct magi_pii_finding d = {.type = MAGI_PII_UNREADABLE,
						     .text = ocr->lines[c->line].text,
						     .end = strlen(ocr->lines[c->line].text),
						     .has_box = true,
						     .x = x0,
						     .y = y0,
						     .w = x1 - x0,
						     .h = y1 - y0,
						     .word0 = c->w0,
						     .word1 = c->w1,
						     .score = 0.3f};
			s = push_copy(&f, &nf, &cap, &d);
		}
	}
	for (size_t i = 0; i < nc; i++) {
		magi_image_free(rs[i].crop);
		magi_pii_findings_free(rs[i].g, rs[i].ng);
	}
	free(rs);
	free(cands);
	if (s) {
		magi_pii_findings_free(f, nf);
		return s;
	}
	*out = f;
	*n = nf;
	return MAGI_OK;
}
