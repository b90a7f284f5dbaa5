/*
 * magi/guard.h — the guards that are on by default: PII detection and redaction before
 * pixels or text leave for a model, the action risk gate, and prompt-injection marking.
 *
 * Three parts, each usable on its own:
 *   - Privacy: magi_pii_scan_text / magi_pii_scan_ocr find e-mails, phones, cards (Luhn),
 *     IBANs (mod-97), US SSNs, IPv4/IPv6, MACs, API keys and tokens, values next to labels
 *     such as "password:", person names where a label or a letter's form names them,
 *     postal addresses, and the user's own secrets. magi_guard_redact_image covers the
 *     findings with solid black boxes (never blur: blur can be undone);
 *     magi_guard_redact_text replaces them with "[email]"-style labels and "<secret:NAME>".
 *     magi_guard_endpoint_is_local tells whether a model endpoint is on loopback (trusted
 *     with raw pixels by default).
 *   - Safety: magi_risk_check answers allow / ask / deny for one action in screen space,
 *     with a category and a reason for the person, under a policy (tier per category and
 *     the --yes flag, which turns ask into allow and never touches deny).
 *   - Injection: magi_injection_scan marks on-screen text that reads as instructions to the
 *     agent; magi_injection_wrap_text wraps such text as untrusted data for prompts; the
 *     risk gate asks before an action aimed inside a marked region.
 *
 * Ownership: every array a scan returns is the caller's and is freed with the matching
 * *_free function (which accepts NULL). Inputs are borrowed for the call only.
 * All functions are thread-safe: they keep no global state.
 * docs/guards.md describes the rules, their limits, and the measured recall.
 */
#ifndef MAGI_GUARD_H
#define MAGI_GUARD_H
#include "magi/core.h"
#include "magi/vision.h"
#include "magi/env.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== user secrets ======================================================================= */

/* A secret the user lists (`--secret NAME=VALUE` or the config file). The model only ever
 * sees "<secret:NAME>"; the runtime types the value. */
struct magi_secret {
	char *name;  /* owned; [A-Za-z0-9_.-]+ */
	char *value; /* owned; non-empty */
};
struct magi_secret_list {
	struct magi_secret *items; /* owned */
	size_t n;
};
#define MAGI_SECRET_MAX_VALUE 4096
#define MAGI_SECRETS_MAX 256

/* Embedded-struct lifecycle. release frees names and values (and wipes the values). */
MAGI_API void magi_secret_list_init(struct magi_secret_list *l);
MAGI_API void magi_secret_list_release(struct magi_secret_list *l);
/* Adds "NAME=VALUE" (the first '=' splits). MAGI_ERR_INVALID with a message on a missing
 * '=', an empty or malformed name, an empty value, or a duplicate name; MAGI_ERR_LIMIT past
 * MAGI_SECRETS_MAX or MAGI_SECRET_MAX_VALUE. The list is unchanged on failure. */
MAGI_API magi_status magi_secret_list_add(struct magi_secret_list *l, const char *spec,
					  struct magi_error *err);
/* Same with name and value given apart. */
MAGI_API magi_status magi_secret_list_add_pair(struct magi_secret_list *l, const char *name,
					       const char *value, struct magi_error *err);
/* The secret called name, or NULL. */
MAGI_API const struct magi_secret *magi_secret_list_find(const struct magi_secret_list *l,
							 const char *name);
/* For the runtime that types: replaces every "<secret:NAME>" in text with NAME's value and
 * appends the result to out. An unknown NAME is MAGI_ERR_NOT_FOUND (naming it) and out is
 * left empty, so a typo never types the placeholder itself. The result holds secret values:
 * never log or trace it. */
MAGI_API magi_status magi_secret_expand(const struct magi_secret_list *l, const char *text,
					struct magi_buf *out, struct magi_error *err);

/* ==== PII detection ====================================================================== */

/* X(NAME, "name", "[label]") — the type list, its stable name (JSON, CLI, ground truth)
 * and the label magi_guard_redact_text writes. */
#define MAGI_PII_TYPES(X)                                                      \
	X(EMAIL, "email", "[email]")                                           \
	X(PHONE, "phone", "[phone]")                                           \
	X(CARD, "card", "[card]")                                              \
	X(IBAN, "iban", "[iban]")                                              \
	X(SSN, "ssn", "[ssn]")                                                 \
	X(IPV4, "ipv4", "[ip]")                                                \
	X(IPV6, "ipv6", "[ip]")                                                \
	X(MAC, "mac", "[mac]")                                                 \
	X(API_KEY, "api_key", "[api_key]")                                     \
	X(CREDENTIAL, "credential", "[credential]")                            \
	X(SECRET, "secret", "<secret>")                                        \
	X(UNREADABLE, "unreadable", "[unreadable]")                            \
	X(PERSON, "person", "[person]")                                        \
	X(ADDRESS, "address", "[address]")

enum magi_pii_type {
#define MAGI__X(n, s, l) MAGI_PII_##n,
	MAGI_PII_TYPES(MAGI__X)
#undef MAGI__X
	MAGI_PII__COUNT
};
#define MAGI_PII_BIT(t) (1u << (t))
#define MAGI_PII_ALL ((1u << MAGI_PII__COUNT) - 1u)

/* "email", "phone", ...; "unknown" for stray values. Never NULL. */
MAGI_API const char *magi_pii_type_name(enum magi_pii_type t);
/* Parses a type name (case-insensitive). */
MAGI_API magi_status magi_pii_type_parse(const char *s, enum magi_pii_type *out);

/* One finding. Offsets are bytes into the scanned text (for magi_pii_scan_ocr: into the
 * text magi_guard_ocr_text builds). */
struct magi_pii_finding {
	enum magi_pii_type type;
	size_t start, end; /* [start, end) */
	char *text;        /* owned: the matched bytes as they appear (OCR errors included) */
	char *name;        /* owned: SECRET: the secret's name; CREDENTIAL: the label seen
			      ("password", "cvv", ...); NULL for other types */
	bool has_box;      /* true for OCR scans */
	int x, y, w, h;    /* box in image pixels (before any padding) */
	int word0, word1;  /* OCR scans: first and last word covered (indices into
			      ocr->words, or ocr->lines when it has no words); -1 otherwise */
	float score;       /* 0..1: 1 for a checksum that holds on the text as read or an
			      exact match; lower for heuristic rules (entropy, names,
			      addresses); at most MAGI_PII_SCORE_REPAIRED when `repaired` */
	bool repaired;     /* the text passes its checksum (Luhn, mod-97) only when OCR
			      look-alikes are read as other glyphs (O as 0, S as 5, ...) or a
			      doubled glyph is dropped; or it is an IBAN-shaped string whose
			      checksum fails however it is read. Still a finding: redaction
			      covers it like any other */
};
/* Highest score of a finding that needed a repair (magi_pii_finding.repaired): a finding
 * scored at or above 0.9 always passed its checksum as read. */
#define MAGI_PII_SCORE_REPAIRED 0.6f
MAGI_API void magi_pii_findings_free(struct magi_pii_finding *f, size_t n);

/* Scan parameters, by value: struct magi_pii_params p = magi_pii_params_default(); */
struct magi_pii_params {
	uint32_t types;                         /* MAGI_PII_BIT mask; default MAGI_PII_ALL */
	const struct magi_secret_list *secrets; /* borrowed, may be NULL */
	bool ocr_fuzzy;      /* read O/o as 0, l/I/| as 1, S as 5, B as 8 inside digit
				groups of cards, IBANs and phones, when the result still
				validates (default true) */
	bool entropy;        /* the high-entropy token rule (default true) */
	size_t entropy_min_len; /* shortest token the entropy rule considers (default 24) */
	int reread_budget;   /* magi_pii_scan_image: how much small or unsure text is read
				a second time per image, in units of a crop's width over its
				height (a 16-digit card number is about 12; each unit costs
				~0.7 ms of OCR here, more for enlarged small type). Default
				MAGI_PII_REREAD_BUDGET; 0 none, -1 all */
	struct magi_pii_cache *reread_cache; /* borrowed, may be NULL: crops read before */
};
/* Four card-sized second readings per new screen: the guard's extra OCR (in a run with
 * guards on, every new screen) — measured 27 ms per screenshot on average and 117 ms at
 * most on a development set of real programs (load 11-13 on 2 cores, page OCR 544 ms),
 * where 12 units found 20 of its 26 IPv6 addresses and 48 found 23 (docs/guards.md). */
#define MAGI_PII_REREAD_BUDGET 48
MAGI_API struct magi_pii_params magi_pii_params_default(void);

/* Longest text scanned; longer input is MAGI_ERR_LIMIT. */
#define MAGI_PII_MAX_TEXT ((size_t)8 << 20)

/* Scans NUL-terminated UTF-8 text. On success *out is a malloc'd array of *n findings
 * sorted by start (NULL when none); findings never overlap (a span claimed by a stronger
 * type — secret, api_key, iban, card, ssn, email, credential, mac, phone, ipv6, ipv4,
 * address, person, in that order — is not reported again as a weaker one). p NULL means
 * defaults.
 * On failure *out = NULL, *n = 0. */
MAGI_API magi_status magi_pii_scan_text(const char *text, const struct magi_pii_params *p,
					struct magi_pii_finding **out, size_t *n);

/* The text an OCR scan works on: each line's words joined by single spaces, lines joined
 * by '\n' (words taken in order, grouped by their line index); OCR lines of one visual
 * row are one line, joined by a space when they stand within 2.5 character heights of
 * each other and by a tab when further apart (a form's label and its field's value).
 * When the OCR has no words, its lines' text is used. Caller frees *out. */
MAGI_API magi_status magi_guard_ocr_text(const struct magi_ocr *ocr, char **out);

/* Scans OCR words (or DOM text given in the same shape) and maps each finding back to
 * image boxes: a finding spanning several words gets the union of their boxes; a finding
 * inside one word gets a box proportional to its character span, widened by one
 * character on each side (proportional fonts make the estimate rough). has_box is true,
 * word0/word1 name the words. Offsets refer to magi_guard_ocr_text(ocr). */
MAGI_API magi_status magi_pii_scan_ocr(const struct magi_ocr *ocr, const struct magi_pii_params *p,
				       struct magi_pii_finding **out, size_t *n);

/* magi_pii_scan_ocr, then a second look at small text: each line of the screenshot that
 * holds at least 8 digits and is at most 28 px tall, or was read with a mean confidence
 * under 60 and shows 2+ digits (up to 48 px), got no finding, and is neither labelled
 * as something else (order, invoice, SKU, build, ...) nor only dates, is cut out (from the
 * word before its first number to its last number) and read again on its own as one line
 * — small text is where Tesseract garbles a digit and a checksum fails. Lines under 16 px
 * with 4+ digits, an '@' or two colons are read whole. Two readings are constrained to a
 * shape's glyphs (Tesseract's character whitelist): the hex words of a line showing an
 * IPv6 or MAC address's colons and no such finding (grown over hex-like words of the same
 * row), read with hex digits and address punctuation only, and the part of a line after
 * an e-mail label, '@' or '<' without an e-mail finding, read with an address's glyphs
 * only; their findings cover the crop and are `repaired`. Crops of text under 16 px are
 * enlarged 2-3x (bilinear) first. Constrained readings and lines with a PII label go
 * first, then unsure readings, then those with more digits, while
 * p->reread_budget lasts (a line read with confidence under 30 that looks like a number —
 * digits are a fifth of its letters and digits, 7+ digit glyphs, no link or path — and
 * that the budget leaves unread is reported as MAGI_PII_UNREADABLE over its box); crops
 * found in p->reread_cache are not read again (and cost nothing). Findings of the second
 * reading are added with boxes in img's pixels and word0/word1 naming the first reading's
 * words of that crop; their offsets (start/end) refer to the second reading, not to
 * magi_guard_ocr_text(ocr). img NULL: the same as magi_pii_scan_ocr. */
MAGI_API magi_status magi_pii_scan_image(const struct magi_image *img, const struct magi_ocr *ocr,
					 const struct magi_pii_params *p,
					 struct magi_pii_finding **out, size_t *n);

/* Remembers what second readings found, by the crop's pixels, so that a run reads each
 * crop once (set magi_pii_params.reread_cache). Not thread-safe: one per run. */
struct magi_pii_cache;
MAGI_API magi_status magi_pii_cache_new(struct magi_pii_cache **out);
MAGI_API void magi_pii_cache_free(struct magi_pii_cache *c);
/* Crops served from the cache and crops read, since it was made. */
MAGI_API void magi_pii_cache_stats(const struct magi_pii_cache *c, size_t *hits, size_t *reads);
/* Milliseconds the second readings spent in OCR (crop, enlargement and Tesseract) through
 * this cache since it was made: the guard's extra OCR, apart from its own scanning. 0 for
 * NULL. */
MAGI_API double magi_pii_cache_ocr_ms(const struct magi_pii_cache *c);

/* Check-digit helpers, exposed for tests and for the generator's validation.
 * digits: ASCII digits only. iban: letters and digits only (no spaces), any case. */
MAGI_API bool magi_pii_luhn_valid(const char *digits, size_t n);
MAGI_API bool magi_pii_iban_valid(const char *iban, size_t n);

/* ==== redaction ========================================================================== */

/* Fills each finding's box, grown by pad pixels on every side and clipped to the image,
 * with solid black. Findings without a box are skipped. NULL img or n = 0 is a no-op.
 * Returns the number of boxes drawn. */
MAGI_API size_t magi_guard_redact_image(struct magi_image *img, const struct magi_pii_finding *f,
					size_t n, int pad);
/* Copies text with every finding's span replaced by its type label ("[email]", "[phone]",
 * "[card]", "[ip]", ...; "<secret:NAME>" for user secrets). Findings must come from a scan
 * of this same text (any order; overlapping spans are merged, out-of-range ones are
 * MAGI_ERR_INVALID). Caller frees *out. */
MAGI_API magi_status magi_guard_redact_text(const char *text, const struct magi_pii_finding *f,
					    size_t n, char **out);

/* Trust: true when the URL's host is loopback — localhost (and *.localhost),
 * 127.0.0.0/8, ::1 (also written [::1] or as ::ffff:127.x.x.x), 0:0:0:0:0:0:0:1.
 * Anything else, an unparsable URL or NULL is false (remote: images are redacted).
 * Accepts "http://host:port/path", "host:port" and bare hosts. */
MAGI_API bool magi_guard_endpoint_is_local(const char *url);

/* ==== injection detection ================================================================ */

/* A stretch of on-screen text that reads as instructions to the agent. */
struct magi_injection_region {
	int x, y, w, h;     /* union box of its lines (OCR scans; 0s for text scans) */
	bool has_box;
	size_t line0, line1; /* first and last line index covered */
	size_t start, end;   /* byte span in the scanned text (magi_guard_ocr_text for OCR) */
	float score;         /* 0..1; regions are reported at score >= threshold */
	char *text;          /* owned: the region's text, lines joined by '\n' */
	char reason[160];    /* e.g. "addressed to an AI agent; asks to ignore previous
				instructions" */
};
struct magi_injection_params {
	float threshold; /* default 0.5 */
	int merge_gap;   /* OCR: lines whose vertical gap is at most this many pixels (or
			    one line height, whichever is larger) merge into one region;
			    default 12 */
};
MAGI_API struct magi_injection_params magi_injection_params_default(void);
MAGI_API void magi_injection_regions_free(struct magi_injection_region *r, size_t n);

/* Scans OCR lines (words when present, as for PII). p NULL means defaults.
 * *out malloc'd (NULL when none), sorted top to bottom. */
MAGI_API magi_status magi_injection_scan(const struct magi_ocr *ocr,
					 const struct magi_injection_params *p,
					 struct magi_injection_region **out, size_t *n);
/* Same over plain text (lines split at '\n'); boxes are absent. */
MAGI_API magi_status magi_injection_scan_text(const char *text,
					      const struct magi_injection_params *p,
					      struct magi_injection_region **out, size_t *n);
/* Appends text to out for use in a prompt, with untrusted stretches wrapped as
 *   <untrusted reason="...">...</untrusted>
 * and, when anything was wrapped, a note first saying such text is data from the screen
 * and never instructions. r NULL (and n 0) wraps the whole text as one untrusted block;
 * otherwise r must hold spans from magi_injection_scan_text/scan of this same text.
 * Any "<untrusted" or "</untrusted" already inside the text is defused (its '<' is written
 * as "&lt;") so screen text cannot close or fake the wrapper. */
MAGI_API magi_status magi_injection_wrap_text(const char *text,
					      const struct magi_injection_region *r, size_t n,
					      struct magi_buf *out);

/* ==== risk gate ========================================================================== */

enum magi_risk_tier { MAGI_RISK_ALLOW, MAGI_RISK_ASK, MAGI_RISK_DENY };
MAGI_API const char *magi_risk_tier_name(enum magi_risk_tier t); /* "allow" "ask" "deny" */
MAGI_API magi_status magi_risk_tier_parse(const char *s, enum magi_risk_tier *out);

/* X(NAME, "name", default tier) */
#define MAGI_RISK_CATEGORIES(X)                                                \
	X(NONE, "none", MAGI_RISK_ALLOW)                                       \
	X(DESTRUCTIVE, "destructive", MAGI_RISK_DENY)     /* rm -rf, mkfs, dd of=, fork bomb */ \
	X(PRIVILEGE, "privilege", MAGI_RISK_ASK)          /* sudo, su, doas */ \
	X(SHELL, "shell", MAGI_RISK_ASK)                  /* rm, git push --force, kill -9 ... */ \
	X(SEND, "send", MAGI_RISK_ASK)                    /* send, post, publish, submit, ctrl+enter in mail */ \
	X(PAYMENT, "payment", MAGI_RISK_ASK)              /* pay, buy, purchase, order, transfer */ \
	X(DELETE, "delete", MAGI_RISK_ASK)                /* delete, remove, shift+delete */ \
	X(CONSENT, "consent", MAGI_RISK_ASK)              /* accept, agree, allow, confirm, install, subscribe */ \
	X(DOWNLOAD, "download", MAGI_RISK_ASK)            /* opening or fetching .exe, .apk, .sh ... */ \
	X(CAPTCHA, "captcha", MAGI_RISK_ASK)              /* "I'm not a robot" */ \
	X(SECRET_LEAK, "secret_leak", MAGI_RISK_DENY)     /* secret into a field that is not its own */ \
	X(SENSITIVE_INPUT, "sensitive_input", MAGI_RISK_ASK) /* typing card/SSN/IBAN/keys */ \
	X(DOMAIN, "domain", MAGI_RISK_ASK)                /* leaving the allowlist */ \
	X(INJECTION, "injection", MAGI_RISK_ASK)          /* acting inside injected text */ \
	X(ACCOUNT, "account", MAGI_RISK_ASK)              /* change password or e-mail, close account, sign out everywhere */

enum magi_risk_category {
#define MAGI__X(n, s, t) MAGI_RISK_CAT_##n,
	MAGI_RISK_CATEGORIES(MAGI__X)
#undef MAGI__X
	MAGI_RISK_CAT__COUNT
};
MAGI_API const char *magi_risk_category_name(enum magi_risk_category c);
MAGI_API magi_status magi_risk_category_parse(const char *s, enum magi_risk_category *out);

/* What each category costs. `yes` is --yes: ask becomes allow; deny always stays deny. */
struct magi_risk_policy {
	enum magi_risk_tier tier[MAGI_RISK_CAT__COUNT];
	bool yes;
};
/* The defaults listed in MAGI_RISK_CATEGORIES, yes = false. */
MAGI_API struct magi_risk_policy magi_risk_policy_default(void);
/* Sets one category's tier by names: ("domain", "deny"). MAGI_ERR_INVALID names the bad
 * word and lists the valid ones. */
MAGI_API magi_status magi_risk_policy_set(struct magi_risk_policy *p, const char *category,
					  const char *tier, struct magi_error *err);
/* Overlays a JSON object on *p (start from magi_risk_policy_default()):
 *   {"yes": false, "tiers": {"domain": "deny", "send": "allow"}}
 * A flat {"domain": "deny"} is accepted too. Unknown categories, tiers or keys are
 * MAGI_ERR_CONFIG with a message; *p is unchanged on failure. */
MAGI_API magi_status magi_risk_policy_parse_json(const char *json, size_t n,
						 struct magi_risk_policy *p, struct magi_error *err);

/* The guards' settings from a configuration file's `guards:` section (the JSON text of
 * magi_config_section_json(cfg, "guards")):
 *   secrets: {NAME: "value" | {env: VARIABLE}}   user secrets (the env form keeps values
 *                                                  out of the file)
 *   allow_domains: [example.com, ...]             the domain allowlist
 *   risk: {category: tier, ...}                   as magi_risk_policy_parse_json
 *   reread: N                                     magi_pii_params.reread_budget for runs
 * Command-line flags are applied over these by the caller. */
struct magi_guard_config {
	struct magi_secret_list secrets;
	char **allow; /* owned */
	size_t n_allow;
	struct magi_risk_policy risk; /* defaults with the file's tiers over them */
	int reread;                   /* MAGI_PII_REREAD_BUDGET unless the file says */
};
MAGI_API void magi_guard_config_init(struct magi_guard_config *c);
MAGI_API void magi_guard_config_release(struct magi_guard_config *c);
/* Parses json (NULL: no section, nothing changes) into c; src names the file in messages.
 * MAGI_ERR_CONFIG with "FILE: guards.KEY: ..." on an unknown key, a wrong type, a bad
 * secret name, a tier or category that does not exist, or an unset environment variable. */
MAGI_API magi_status magi_guard_config_parse(const char *json, const char *src,
					     struct magi_guard_config *c, struct magi_error *err);

/* What the gate knows about the moment of the action. Every pointer is borrowed and may be
 * NULL; coordinates are screen pixels, the same space as the action. */
struct magi_risk_context {
	const struct magi_risk_policy *policy; /* NULL: magi_risk_policy_default() */
	const struct magi_ocr *ocr;            /* the current screen's OCR */
	const char *element_text; /* text of the element under the point when the
				     environment knows it (DOM); overrides the OCR lookup */
	const char *field_label;  /* label of the focused input, when known; for type
				     actions. Otherwise the OCR near focus_x/y is used */
	bool has_focus;           /* focus_x/y: where the focused field was clicked */
	double focus_x, focus_y;
	const char *url;          /* current page URL (browser) */
	const char *app;          /* focused app or window title ("Thunderbird", ...) */
	const char *const *allowlist; /* domains; "example.com" also allows its subdomains;
					 empty list = no domain rule */
	size_t n_allowlist;
	const struct magi_secret_list *secrets;
	const struct magi_injection_region *injections; /* from magi_injection_scan */
	size_t n_injections;
	/* The page's element list (struct magi_obs.elements; NULL when the screen has none).
	 * With it the element under a point is the innermost interactive element there (its
	 * accessible name, unless element_text is given), the focused field's label is the
	 * name of the element at focus_x/y (unless field_label is given), and click_element
	 * is judged as a click on its element's centre. */
	const struct magi_element *elements;
	size_t n_elements;
};

struct magi_risk_decision {
	enum magi_risk_tier tier;          /* final: after the policy and --yes */
	enum magi_risk_tier policy_tier;   /* before --yes */
	enum magi_risk_category category;  /* the rule that decided (NONE when allowed) */
	uint32_t categories;               /* bit (1u << category) of every rule that fired */
	bool by_yes;                       /* ask turned into allow by --yes */
	char reason[256];                  /* for the person and the trace:
					      "typing 'rm -rf /' is destructive shell text" */
	char element[128];                 /* the element text the gate looked at, or "" */
};

/* Radius (pixels) within which the nearest OCR text counts as the element under a point. */
#define MAGI_RISK_NEAR_PX 40

/* Decides one action (screen space). Every rule runs; the strictest tier after policy
 * wins, ties go to the first rule in the category list. Never fails on odd input: a NULL
 * action or decision is MAGI_ERR_INVALID, everything else yields a decision. */
MAGI_API magi_status magi_risk_check(const struct magi_action *a,
				     const struct magi_risk_context *ctx,
				     struct magi_risk_decision *d);
/* The text of the element at (x, y): the phrase (words of one OCR line separated by gaps
 * under about one line height) whose word box contains the point, or the nearest within
 * MAGI_RISK_NEAR_PX; "" when none. Writes at most cap bytes (NUL included). */
MAGI_API void magi_risk_element_text(const struct magi_ocr *ocr, double x, double y, char *buf,
				     size_t cap);
/* The host of a URL ("https://a.b.com:8443/x" -> "a.b.com"), lowercased, into buf; false
 * when there is none. Bare domains ("evil.com/login") are accepted. */
MAGI_API bool magi_guard_url_host(const char *url, char *buf, size_t cap);
/* true when host equals an allowlist entry or is a subdomain of one; "*" allows all. */
MAGI_API bool magi_guard_domain_allowed(const char *host, const char *const *allow, size_t n);

/* ==== DOM text (the browser) ============================================================= */

/* The text of a page's element list (struct magi_obs.elements) in the shape OCR gives, so
 * magi_pii_scan_ocr, magi_guard_redact_image and magi_injection_scan work on the DOM's
 * exact text and boxes: one line per text run (MAGI_ELEM_TEXT; its box is the line box)
 * and per field value (never a password's), its words split at spaces with boxes shared
 * out along the line by character count; confidence 100. visible_only skips elements
 * without MAGI_ELEM_VISIBLE (what a screenshot shows). *out is freed with magi_ocr_free;
 * NULL on failure (MAGI_ERR_NOMEM). */
MAGI_API magi_status magi_guard_dom_ocr(const struct magi_element *el, size_t n, bool visible_only,
					struct magi_ocr **out);
/* Adds to ocr (a magi_guard_dom_ocr result) what Tesseract reads inside the visible
 * pictures of el[0..n) (MAGI_ELEM_PICTURE: canvases and images, whose text the DOM does not
 * have), cropped from shot (the observation's screenshot), at most max_pictures of them;
 * their words keep their confidence and get screenshot coordinates. An OCR failure is
 * returned with err set and leaves ocr as it was. */
MAGI_API magi_status magi_guard_dom_ocr_pictures(const struct magi_image *shot, const struct magi_element *el,
						 size_t n, size_t max_pictures, struct magi_ocr *ocr,
						 struct magi_error *err);
/* The interactive elements of el[0..n) as numbered lines for a model or an MCP client,
 * the ones in view first, at most max (then "(N more not listed)"):
 *     [12] button "Pay now" at (640, 355)
 *     [3] textbox "E-mail" value "[email]" (out of view)
 * Names and values pass through the PII scan with pp (NULL: every type, no secrets) and
 * come out with its findings replaced by labels; elements whose box meets an injection
 * region (inj[0..n_inj), boxes from a scan of magi_guard_dom_ocr's result) are wrapped in
 * <untrusted reason="...">...</untrusted>, and look-alike tags in page text are defused.
 * Points go through map (magi_coords_from_screen; NULL: screenshot pixels). Appends to
 * out; MAGI_ERR_LIMIT when out's cap was reached. "(none)" when there is no element. */
MAGI_API magi_status magi_guard_element_lines(const struct magi_element *el, size_t n,
					      const struct magi_pii_params *pp,
					      const struct magi_injection_region *inj, size_t n_inj,
					      const struct magi_coord_map *map, size_t max,
					      struct magi_buf *out);

#ifdef __cplusplus
}
#endif
#endif
