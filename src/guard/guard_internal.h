/* guard_internal.h — helpers shared by the guard files: ASCII text matching, a growable
 * list of findings, and the "page" view of an OCR result (one text with the byte span and
 * box of every word and line) that PII scanning, injection marking and the risk gate read. */
#ifndef MAGI_GUARD_INTERNAL_H
#define MAGI_GUARD_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include "magi/guard.h"

/* ---- ASCII helpers (UTF-8 bytes >= 0x80 are never letters, digits or spaces) ---------- */
static inline bool magi__is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline bool magi__is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static inline bool magi__is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static inline bool magi__is_alpha(unsigned char c) { return magi__is_upper(c) || magi__is_lower(c); }
static inline bool magi__is_alnum(unsigned char c) { return magi__is_alpha(c) || magi__is_digit(c); }
static inline bool magi__is_hex(unsigned char c)
{
	return magi__is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline bool magi__is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static inline unsigned char magi__lower(unsigned char c)
{
	return magi__is_upper(c) ? (unsigned char)(c - 'A' + 'a') : c;
}

/* true when word (ASCII, any case; may contain spaces and punctuation) occurs at s[i] with
 * no letter or digit right before i or right after it. */
bool magi__word_at(const char *s, size_t len, size_t i, const char *word);
/* First position >= from where magi__word_at holds, or SIZE_MAX. */
size_t magi__find_word(const char *s, size_t len, size_t from, const char *word);
/* Case-insensitive substring search without boundaries; SIZE_MAX when absent. */
size_t magi__find_ci(const char *s, size_t len, size_t from, const char *needle);
/* Lowercased ASCII copy of s[0..n) into buf (cap bytes, NUL-terminated, truncated). */
void magi__lower_copy(char *buf, size_t cap, const char *s, size_t n);
/* Copies at most cap-1 bytes of s (n bytes) into buf, cutting on a UTF-8 boundary and
 * replacing control characters by spaces. */
void magi__text_copy(char *buf, size_t cap, const char *s, size_t n);

/* ---- finding list ------------------------------------------------------------------- */
struct magi__fvec {
	struct magi_pii_finding *v;
	size_t n, cap;
};
/* Appends a finding with only type, span, score and a copy of name (may be NULL) set. */
magi_status magi__fvec_push(struct magi__fvec *fv, enum magi_pii_type type, size_t start,
			    size_t end, float score, const char *name);
/* The same for a finding read only through a repair (look-alikes, a lost separator, a
 * value known by its label): `repaired` set, the score capped at MAGI_PII_SCORE_REPAIRED. */
magi_status magi__fvec_push_repaired(struct magi__fvec *fv, enum magi_pii_type type, size_t start,
				     size_t end, float score);
void magi__fvec_release(struct magi__fvec *fv);

/* Detectors (pii_detect.c): each appends candidate findings over text[0..len); overlaps
 * between them are settled by the caller. */
magi_status magi__pii_detect_all(const char *text, size_t len, const struct magi_pii_params *p,
				 struct magi__fvec *fv);

/* ---- OCR page ------------------------------------------------------------------------- */
struct magi__page_unit { /* a word (or a whole line when the OCR has no words) */
	size_t start, end;
	int x, y, w, h;
	size_t line;
	size_t idx; /* index into ocr->words (or ocr->lines) */
};
struct magi__page_line {
	size_t start, end; /* bytes of text, without the '\n' */
	int x, y, w, h;    /* union of its units' boxes */
	size_t u0, u1;     /* units [u0, u1) */
};
struct magi__page {
	char *text;
	size_t len;
	struct magi__page_unit *u;
	size_t nu;
	struct magi__page_line *l;
	size_t nl;
};
/* Builds the page for ocr (NULL or empty OCR gives an empty page). */
magi_status magi__page_build(const struct magi_ocr *ocr, struct magi__page *pg);
/* The same with the OCR lines of one visual row joined (what the PII scan reads). */
magi_status magi__page_build_rows(const struct magi_ocr *ocr, struct magi__page *pg);
void magi__page_release(struct magi__page *pg);
/* Union of two boxes given as x, y, w, h (an empty box — w or h <= 0 — is ignored). */
void magi__box_union(int *x, int *y, int *w, int *h, int bx, int by, int bw, int bh);
/* Distance in pixels from point (px, py) to a box (0 inside). */
double magi__box_dist(int x, int y, int w, int h, double px, double py);
/* ---- the risk gate on a page with an element list (dom_text.c) ---------------------------- */
/* Fills *local (a copy of ctx) and *judged (a copy of a) from ctx->elements as the
 * magi_risk_context contract says; names go to element and field (cap bytes each);
 * *flags gets the flags of the element the action lands on (0 when none). */
void magi__risk_dom(const struct magi_action *a, const struct magi_risk_context *ctx,
		    struct magi_risk_context *local, struct magi_action *judged, char *element, char *field,
		    size_t cap, uint32_t *flags);
#endif
