/* pii_internal.h — the PII detectors (one hand-written scanner per type, spread over
 * pii_numbers.c, pii_iban.c, pii_net.c and pii_text.c) and the helpers they share. Each
 * detector appends candidate findings over text[0..len); magi__pii_detect_all runs them in
 * strength order and the scan API settles overlaps. */
#ifndef MAGI_PII_INTERNAL_H
#define MAGI_PII_INTERNAL_H
#include "guard/guard_internal.h"

typedef unsigned char uc;

/* The digit an OCR engine most often meant by a letter, or 0. */
char magi__pii_fuzzy_digit(uc c);
/* true at the start of text or after a character that is no letter or digit. */
bool magi__pii_left_boundary(const char *t, size_t i);
/* true when one of words occurs (as a word) within `back` bytes before i, on the same line. */
bool magi__pii_context_has(const char *t, size_t i, size_t back, const char *const *words);
/* Bytes of a UTF-8 letter at t[i] (Latin with diacritics, Greek, Cyrillic, Hebrew, Arabic,
 * Indic, Thai, kana, CJK, Hangul), else 0; *upper (may be NULL) says whether it is a
 * capital (Latin, Greek, Cyrillic). */
size_t magi__pii_utf8_letter(const char *t, size_t len, size_t i, bool *upper);
/* s[0..n) equals (ASCII case ignored) one of the NULL-terminated lower-case words. */
bool magi__pii_in_list(const char *s, size_t n, const char *const *list);
/* t[at] opens a field: the line's first word, or the first after a field's edge (a tab,
 * '|', ',', ';', ':'). Labels of names and addresses count only there, not in prose. */
bool magi__pii_field_start(const char *t, size_t at);
/* Length of a UTF-8 en or em dash at t[i] (OCR's reading of '-'), else 0. */
size_t magi__pii_utf8_dash(const char *t, size_t len, size_t i);

/* A run of digit groups ("4111 1111-1111", "+44 (0)20 7946 0958") as read from the text. */
#define MAGI_PII_RUN_MAX_GROUPS 12
#define MAGI_PII_RUN_MAX_DIGITS 40
struct magi__pii_run {
	size_t start, end; /* from the first char ('+', '(' or digit) to the last digit */
	int ng;
	size_t gs[MAGI_PII_RUN_MAX_GROUPS], ge[MAGI_PII_RUN_MAX_GROUPS];
	int gd[MAGI_PII_RUN_MAX_GROUPS];     /* digits in group */
	char sep[MAGI_PII_RUN_MAX_GROUPS][4]; /* separator before group g (g >= 1) */
	char dig[MAGI_PII_RUN_MAX_GROUPS][MAGI_PII_RUN_MAX_DIGITS + 1]; /* fuzzy ones mapped */
	int fuzzy;                           /* letters read as digits */
	bool plus, lead_paren;
};
/* Parses a run of groups starting at i. seps: allowed separator chars; maxsep: longest
 * separator. With `phone`, a leading '+' or '(' is taken and parentheses may separate. */
bool magi__pii_parse_run(const char *t, size_t len, size_t i, const char *seps, size_t maxsep,
			 bool fuzzy, bool phone, struct magi__pii_run *r);
/* Concatenates groups [g0, g1] into out (NUL-terminated, cap bytes); returns the count. */
int magi__pii_run_digits(const struct magi__pii_run *r, int g0, int g1, char *out, size_t cap);
/* Look-alike letters read as digits in groups [g0, g1]. */
int magi__pii_run_fuzzy_in(const struct magi__pii_run *r, const char *t, int g0, int g1);

magi_status magi__pii_cards(const char *t, size_t len, const struct magi_pii_params *p, struct magi__fvec *fv);
magi_status magi__pii_ssns(const char *t, size_t len, struct magi__fvec *fv);
/* true when a phone label (tel, phone, mobile, Telefon, ...) stands before t[i]. */
bool magi__pii_phone_labelled(const char *t, size_t i);
magi_status magi__pii_phones(const char *t, size_t len, const struct magi_pii_params *p, struct magi__fvec *fv);
magi_status magi__pii_ibans(const char *t, size_t len, const struct magi_pii_params *p, struct magi__fvec *fv);
magi_status magi__pii_ipv4(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_ipv6(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_ipv6_mapped_noisy(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_ipv6_noisy(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_macs(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_macs_noisy(const char *t, size_t len, struct magi__fvec *fv);
/* A hex digit as OCR may have read it at t[q] (look-alikes included): sets *h, returns the
 * bytes read or 0 (pii_net.c). */
size_t magi__pii_noisy_hex(const char *t, size_t len, size_t q, char *h);
/* A hex digit, or l/I for 1 and O/o for 0; 0 for anything else (pii_net.c). */
char magi__pii_hexish(uc c);
/* Pushes a noisy reader's finding: `repaired` at MAGI_PII_SCORE_REPAIRED, else 0.85. */
magi_status magi__pii_push_noisy(struct magi__fvec *fv, enum magi_pii_type type, size_t i, size_t e,
				 bool repaired);
/* pii_respace.c: the number and network detectors over the text with OCR's stray spaces
 * before separators and doubled dots taken out; findings that span such a place, at a
 * score of at most 0.8. */
#define MAGI__PII_NUMBER_TYPES                                                                  \
	(MAGI_PII_BIT(MAGI_PII_IBAN) | MAGI_PII_BIT(MAGI_PII_CARD) | MAGI_PII_BIT(MAGI_PII_SSN) | \
	 MAGI_PII_BIT(MAGI_PII_MAC) | MAGI_PII_BIT(MAGI_PII_PHONE) | MAGI_PII_BIT(MAGI_PII_IPV6) | \
	 MAGI_PII_BIT(MAGI_PII_IPV4))
magi_status magi__pii_respaced(const char *t, size_t len, const struct magi_pii_params *p,
			       struct magi__fvec *fv);
/* pii_label.c (session 12): a hex-and-digit garble of about a MAC's or an IPv6 address's
 * length right after a label naming that type (types: a MAGI_PII_BIT mask), as that type,
 * `repaired`, score 0.45, the value alone; values overlapping a finding in fv are skipped. */
magi_status magi__pii_labelled_values(const char *t, size_t len, uint32_t types, struct magi__fvec *fv);
magi_status magi__pii_emails(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_keys(const char *t, size_t len, const struct magi_pii_params *p, struct magi__fvec *fv);
magi_status magi__pii_credentials(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_addresses(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_persons(const char *t, size_t len, struct magi__fvec *fv);
/* pii_person.c's name run at t[i] (prose: no word in capitals) and its stop list;
 * pii_person_prose.c's names in running prose (titles, cues, given names). */
int magi__pii_name_run(const char *t, size_t len, size_t i, size_t *end, bool prose);
bool magi__pii_not_name(const char *w, size_t n);
/* The kind of name word at t[i] (0 none, 1 a name, 2 in capitals, 3 an initial), its end;
 * the end of lower-case particles opening a family name at t[i] ("van der "), or i. */
int magi__pii_name_word_kind(const char *t, size_t len, size_t i, size_t *end);
size_t magi__pii_skip_particles(const char *t, size_t len, size_t i);
/* magi__pii_field_start, or one stray glyph before t[at] at the line's start ("t Address:"). */
bool magi__pii_label_start(const char *t, size_t at);
/* A label or phrase of 8+ bytes at t[at] with one character misread, its first right
 * ("Direccién" for "Dirección"): the end of it in t, or 0 (pii_address.c). */
size_t magi__pii_label_one_off(const char *t, size_t len, size_t at, const char *label);
/* pii_person_table.c: names in a table's name column. */
magi_status magi__pii_persons_table(const char *t, size_t len, struct magi__fvec *fv);
magi_status magi__pii_persons_prose(const char *t, size_t len, struct magi__fvec *fv);
/* pii_person_ocr.c (session 8): scan run again over a copy of t whose name words' OCR
 * look-alikes are read as letters ("E1-Amin", "WeiB", "ELiF"); its findings that touch
 * a changed glyph are appended `repaired`, score at most 0.5 (one that holds a finding of
 * fv->v[from..] of its type takes that one's place). And a name label of 7+
 * ASCII letters at t[at] with one letter misread or lost ("Burname", "Family nam"): its
 * end in t, or 0 (words one edit from a label that are none, "Employer", excepted). */
magi_status magi__pii_persons_misread(const char *t, size_t len, struct magi__fvec *fv, size_t from,
				      magi_status (*scan)(const char *, size_t, struct magi__fvec *));
size_t magi__pii_label_fuzzy(const char *t, size_t len, size_t at, const char *label);
/* pii_person.c: what one line of text says about a name (session 8): 1 a name label
 * opening a field with something after it, or a salutation; 2 a name label alone or a
 * letter's closing alone (the name is on the next line); 0 neither. */
int magi__pii_person_cue(const char *t, size_t len);
/* pii_person_reread.c: line li of ocr is where a name stands by magi__pii_person_cue (its
 * row up to it, or the line above says the name is on the next); box (x0, y0, x1, y1) gets
 * what to read: the row from its first line left of li to li's end. */
bool magi__pii_name_row(const struct magi_ocr *ocr, size_t li, int box[4]);
/* pii_person_names.c: w[0..n) is a listed family name or has a family name's ending
 * (false when magi__pii_given_names is off). */
bool magi__pii_family_name(const char *w, size_t n);
extern bool magi__pii_given_names; /* the given-name rule (default on; benches turn it off) */
magi_status magi__pii_secrets(const char *t, size_t len, const struct magi_secret_list *l,
			      struct magi__fvec *fv);
/* Second readings of magi_pii_scan_image made on its helper thread (a second idle OCR
 * engine), over the process: for tests, which check both threads read. */
size_t magi__pii_reread_helper_reads(void);
#endif
