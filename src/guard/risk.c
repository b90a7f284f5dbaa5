/* risk.c — the risk gate: every action, in screen space, against rules for destructive
 * shell text (risk_shell.c), irreversible clicks (send, pay, delete, accept), secrets typed into the wrong
 * field, sensitive data entry, leaving the allowed domains and acting inside injected text.
 * The policy turns each fired rule's category into allow / ask / deny. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "guard/risk_internal.h"
#include "core/common.h"

/* Margin around an injection region within which an action still counts as aimed at it:
 * a pop-up's button usually sits just below its text. */
#define INJECTION_MARGIN_PX 24

void magi__risk_fire(struct magi__gate *g, enum magi_risk_category cat, const char *fmt, ...)
{
	for (size_t i = 0; i < g->nh; i++)
		if (g->hits[i].cat == cat)
			return; /* first reason per category is enough */
	if (g->nh == MAGI_ARRAY_LEN(g->hits))
		return;
	struct magi__risk_hit *h = &g->hits[g->nh++];
	h->cat = cat;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->reason, sizeof h->reason, fmt, ap);
	va_end(ap);
}

/* ---- element text under a point ---------------------------------------------------------- */
static void phrase_at(const struct magi__page *pg, double x, double y, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (pg->nu == 0)
		return;
	size_t best = SIZE_MAX;
	double bd = 1e18;
	for (size_t i = 0; i < pg->nu; i++) {
		const struct magi__page_unit *u = &pg->u[i];
		if (u->w <= 0 || u->h <= 0 || u->end == u->start)
			continue;
		double d = magi__box_dist(u->x, u->y, u->w, u->h, x, y);
		if (d < bd) {
			bd = d;
			best = i;
		}
	}
	if (best == SIZE_MAX || bd > MAGI_RISK_NEAR_PX)
		return;
	/* grow over neighbours on the same line separated by less than about a line height:
	 * words of one button or label, not the next button */
	size_t lo = best, hi = best;
	const struct magi__page_line *ln = &pg->l[pg->u[best].line];
	while (lo > ln->u0) {
		const struct magi__page_unit *a = &pg->u[lo - 1], *b = &pg->u[lo];
		int h = MAGI_MAX(a->h, b->h);
		if (b->x - (a->x + a->w) > h * 4 / 5)
			break;
		lo--;
	}
	while (hi + 1 < ln->u1) {
		const struct magi__page_unit *a = &pg->u[hi], *b = &pg->u[hi + 1];
		int h = MAGI_MAX(a->h, b->h);
		if (b->x - (a->x + a->w) > h * 4 / 5)
			break;
		hi++;
	}
	magi__text_copy(buf, cap, pg->text + pg->u[lo].start, pg->u[hi].end - pg->u[lo].start);
}

void magi_risk_element_text(const struct magi_ocr *ocr, double x, double y, char *buf, size_t cap)
{
	if (!buf || !cap)
		return;
	buf[0] = '\0';
	struct magi__page pg;
	if (magi__page_build(ocr, &pg))
		return;
	phrase_at(&pg, x, y, buf, cap);
	magi__page_release(&pg);
}

/* Text a person reads as the label of the field at (x, y): the phrase there, phrases on
 * the same row to its left, and the line just above. */
static void field_text(const struct magi__page *pg, double x, double y, char *buf, size_t cap)
{
	size_t at = 0;
	buf[0] = '\0';
	phrase_at(pg, x, y, buf, cap);
	at = strlen(buf);
	for (size_t i = 0; i < pg->nu && at + 2 < cap; i++) {
		const struct magi__page_unit *u = &pg->u[i];
		if (u->w <= 0 || u->h <= 0)
			continue;
		bool same_row = y >= u->y - u->h / 2 && y <= u->y + u->h + u->h / 2 &&
				u->x + u->w <= x && x - (u->x + u->w) < 400;
		bool above = u->y + u->h <= y && y - (u->y + u->h) < 60 && x >= u->x - 200 &&
			     x <= u->x + u->w + 400;
		if (!same_row && !above)
			continue;
		buf[at++] = ' ';
		magi__text_copy(buf + at, cap - at, pg->text + u->start, u->end - u->start);
		at = strlen(buf);
	}
}

/* ---- words of a phrase ------------------------------------------------------------------- */
#define MAX_EL_WORDS 24
struct words {
	char w[MAX_EL_WORDS][32];
	int n;
};

static void split_words(const char *s, struct words *ws)
{
	ws->n = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && ws->n < MAX_EL_WORDS) {
		while (*p && !magi__is_alnum(*p) && *p != '\'')
			p++;
		if (!*p)
			break;
		int k = 0;
		while (*p && (magi__is_alnum(*p) || *p == '\'')) {
			if (k < 31)
				ws->w[ws->n][k++] = (char)magi__lower(*p);
			p++;
		}
		ws->w[ws->n][k] = '\0';
		ws->n++;
	}
}

static int word_index(const struct words *ws, const char *w)
{
	for (int i = 0; i < ws->n; i++)
		if (!strcmp(ws->w[i], w))
			return i;
	return -1;
}

/* phrase "place order" occurs as consecutive words */
static bool has_phrase(const struct words *ws, const char *phrase)
{
	struct words p;
	split_words(phrase, &p);
	for (int i = 0; i + p.n <= ws->n; i++) {
		int k = 0;
		while (k < p.n && !strcmp(ws->w[i + k], p.w[k]))
			k++;
		if (k == p.n)
			return true;
	}
	return false;
}

/* A button's verb: the first word, or any word of a short label ("Yes, delete"). */
static bool verb_in(const struct words *ws, const char *verb)
{
	int i = word_index(ws, verb);
	return i == 0 || (i > 0 && ws->n <= 3);
}

static const struct {
	enum magi_risk_category cat;
	const char *what; /* for the reason */
	const char *verbs[14];
	const char *phrases[14];
} click_rules[] = {
	{MAGI_RISK_CAT_CAPTCHA, "a CAPTCHA check", {"recaptcha", "captcha", NULL},
	 {"not a robot", "verify you are human", "i am human", "select all images", "are you a robot",
	  NULL}},
	{MAGI_RISK_CAT_PAYMENT, "a payment or purchase",
	 {"pay", "buy", "purchase", "checkout", "transfer", "donate", "tip", NULL},
	 {"place order", "order now", "confirm order", "complete order", "submit order", "check out",
	  "pay now", "add payment", "confirm payment", "send money", "buy now", NULL}},
	{MAGI_RISK_CAT_DELETE, "a deletion",
	 {"delete", "remove", "erase", "discard", "uninstall", "wipe", "deactivate", "format", NULL},
	 {"empty trash", "empty bin", "clear all", "clear history", "clear data", "close account",
	  "factory reset", "delete account", "move to trash", NULL}},
	{MAGI_RISK_CAT_SEND, "sending or publishing",
	 {"send", "post", "publish", "submit", "share", "tweet", "retweet", "upload", "repost", NULL},
	 {"send now", "post now", "send message", NULL}},
	{MAGI_RISK_CAT_ACCOUNT, "an account change",
	 {NULL},
	 {"change password", "reset password", "update password", "change email", "change e-mail",
	  "update email", "change username", "change phone number", "sign out everywhere",
	  "log out everywhere", "remove two-factor", "disable two-factor", NULL}},
	{MAGI_RISK_CAT_CONSENT, "a consent or permission",
	 {"accept", "agree", "allow", "confirm", "install", "subscribe", "authorize", "authorise",
	  "grant", "enable", NULL},
	 {"i agree", "i accept", "accept all", "allow all", "yes i agree", "sign up", "start trial",
	  "free trial", NULL}},
};

/* The click rules on an element's text: what a click (or Enter on its form) would do. A
 * link that only opens a page (MAGI_ELEM_NAVIGATES: "Go to checkout") does none of it by
 * itself — the page it opens asks at its own button — so on one only the phrases that
 * name the deed outright ("Pay now", "Buy now", "Delete account") count. */
static void click_words(struct magi__gate *g, const char *element, bool enter)
{
	struct words ws;
	split_words(element, &ws);
	bool link = !enter && (g->element_flags & MAGI_ELEM_NAVIGATES);
	for (size_t r = 0; r < MAGI_ARRAY_LEN(click_rules); r++) {
		const char *why = NULL;
		for (size_t k = 0; !why && !link && click_rules[r].verbs[k]; k++)
			if (verb_in(&ws, click_rules[r].verbs[k]))
				why = click_rules[r].verbs[k];
		for (size_t k = 0; !why && click_rules[r].phrases[k]; k++)
			if (has_phrase(&ws, click_rules[r].phrases[k]))
				why = click_rules[r].phrases[k];
		/* "order" is a noun in "Order history": only the bare button counts */
		if (!why && !link && click_rules[r].cat == MAGI_RISK_CAT_PAYMENT && ws.n == 1 &&
		    word_index(&ws, "order") == 0)
			why = "order";
		if (why && enter)
			magi__risk_fire(g, click_rules[r].cat,
			     "pressing Enter may submit the form of '%.80s', which looks like %s ('%s')", element,
			     click_rules[r].what, why);
		else if (why)
			magi__risk_fire(g, click_rules[r].cat, "clicking '%.80s' looks like %s ('%s')", element,
			     click_rules[r].what, why);
	}
}

/* Enter in a page's field submits its form as its button would: on a page whose buttons
 * include a risky one ("Pay now"), Enter is judged as clicking it. */
static void rule_enter(struct magi__gate *g)
{
	const struct magi_action *a = g->a;
	const char *t = a->text;
	bool enter = false;
	if (a->kind == MAGI_ACT_KEY && t) {
		char k[32];
		magi__lower_copy(k, sizeof k, t, strlen(t));
		enter = !strcmp(k, "enter") || !strcmp(k, "return") || !strcmp(k, "kp_enter");
	} else if (a->kind == MAGI_ACT_TYPE && t) {
		enter = strchr(t, '\n') || strchr(t, '\r');
	}
	for (size_t i = 0; enter && i < g->c->n_elements && g->c->elements; i++) {
		const struct magi_element *e = &g->c->elements[i];
		if ((e->flags & MAGI_ELEM_INTERACTIVE) && (e->flags & MAGI_ELEM_VISIBLE) && e->role &&
		    !strcmp(e->role, "button") && e->name && *e->name)
			click_words(g, e->name, true);
	}
}

static void rule_click(struct magi__gate *g)
{
	const struct magi_action *a = g->a;
	if (!(a->kind == MAGI_ACT_CLICK || a->kind == MAGI_ACT_DOUBLE_CLICK ||
	      a->kind == MAGI_ACT_LONG_PRESS || a->kind == MAGI_ACT_RIGHT_CLICK) ||
	    !g->element[0])
		return;
	if (a->kind == MAGI_ACT_RIGHT_CLICK)
		return; /* opens a menu; the item chosen next is what acts */
	click_words(g, g->element, false);
	/* executables and scripts: opening or downloading one runs code from outside */
	static const char *const exts[] = {".exe", ".msi", ".bat", ".cmd", ".scr", ".vbs", ".js",
					   ".jar", ".apk", ".dmg", ".pkg", ".sh", ".ps1", ".deb",
					   ".rpm", ".appimage", ".run", ".bin", NULL};
	char low[128];
	magi__lower_copy(low, sizeof low, g->element, strlen(g->element));
	for (size_t k = 0; exts[k]; k++) {
		const char *at = strstr(low, exts[k]);
		size_t el = strlen(exts[k]);
		if (at && at > low && magi__is_alnum((unsigned char)at[-1]) &&
		    !magi__is_alnum((unsigned char)at[el])) {
			magi__risk_fire(g, MAGI_RISK_CAT_DOWNLOAD, "clicking '%.80s' opens or downloads a program (%s)",
			     g->element, exts[k]);
			break;
		}
	}
}

/* ---- secrets and sensitive input --------------------------------------------------------- */
static const char *const syn_groups[][10] = {
	{"password", "passwd", "pass", "pwd", "passcode", "passwort", "kennwort", "passphrase", NULL},
	{"user", "username", "login", "email", "e-mail", "account", "userid", NULL},
	{"email", "e-mail", "mail", NULL},
	{"token", "key", "api", "secret", NULL},
	{"pin", NULL},
	{"card", "credit", NULL},
	{"cvv", "cvc", "security code", "csc", NULL},
	{"otp", "code", "2fa", "verification", NULL},
};

/* Does the field text name this secret? A word of the name (split at _ - .), or a synonym
 * of one, appears in the field's label. */
static bool label_matches(const char *name, const char *field)
{
	char lf[512];
	magi__lower_copy(lf, sizeof lf, field, strlen(field));
	char nm[80];
	magi__lower_copy(nm, sizeof nm, name, strlen(name));
	for (char *tok = nm; *tok;) {
		char *e = tok;
		while (*e && *e != '_' && *e != '-' && *e != '.')
			e++;
		char save = *e;
		*e = '\0';
		if (strlen(tok) >= 3) {
			if (strstr(lf, tok))
				return true;
			for (size_t gi = 0; gi < MAGI_ARRAY_LEN(syn_groups); gi++) {
				bool in = false;
				for (size_t k = 0; syn_groups[gi][k]; k++)
					in |= !strcmp(tok, syn_groups[gi][k]);
				if (!in)
					continue;
				for (size_t k = 0; syn_groups[gi][k]; k++)
					if (magi__find_word(lf, strlen(lf), 0, syn_groups[gi][k]) != SIZE_MAX)
						return true;
			}
		}
		if (!save)
			break;
		tok = e + 1;
	}
	return false;
}

static void rule_secrets(struct magi__gate *g, const char *host, bool host_allowed)
{
	const struct magi_risk_context *c = g->c;
	const char *t = g->a->text;
	if (!t)
		return;
	for (size_t i = 0; c->secrets && i < c->secrets->n; i++) {
		const struct magi_secret *s = &c->secrets->items[i];
		char ph[96];
		snprintf(ph, sizeof ph, "<secret:%s>", s->name);
		if (!strstr(t, ph) && !(s->value && *s->value && strstr(t, s->value)))
			continue;
		if (host && c->n_allowlist && !host_allowed) {
			magi__risk_fire(g, MAGI_RISK_CAT_SECRET_LEAK,
			     "typing secret %s on %s, which is outside the allowed domains", s->name, host);
			continue;
		}
		char field[512] = "";
		if (c->field_label)
			magi__text_copy(field, sizeof field, c->field_label, strlen(c->field_label));
		else if (c->has_focus && c->ocr) {
			struct magi__page pg;
			if (!magi__page_build(c->ocr, &pg)) {
				field_text(&pg, c->focus_x, c->focus_y, field, sizeof field);
				magi__page_release(&pg);
			}
		}
		if (!field[0])
			magi__risk_fire(g, MAGI_RISK_CAT_SENSITIVE_INPUT,
			     "typing secret %s into a field whose label cannot be read", s->name);
		else if (!label_matches(s->name, field))
			magi__risk_fire(g, MAGI_RISK_CAT_SECRET_LEAK,
			     "typing secret %s into a field labelled '%.60s', which does not match its name",
			     s->name, field);
	}
	/* card numbers, SSNs, IBANs and keys typed anywhere deserve a look */
	struct magi_pii_params p = magi_pii_params_default();
	p.types = MAGI_PII_BIT(MAGI_PII_CARD) | MAGI_PII_BIT(MAGI_PII_SSN) |
		  MAGI_PII_BIT(MAGI_PII_IBAN) | MAGI_PII_BIT(MAGI_PII_API_KEY);
	p.entropy = false;
	struct magi_pii_finding *f = NULL;
	size_t n = 0;
	if (magi_pii_scan_text(t, &p, &f, &n) == MAGI_OK && n)
		magi__risk_fire(g, MAGI_RISK_CAT_SENSITIVE_INPUT, "typing a %s number or key into the page",
		     magi_pii_type_name(f[0].type));
	magi_pii_findings_free(f, n);
}

/* ---- domains ------------------------------------------------------------------------------ */
static const char *const tlds[] = {
	"com", "org", "net", "io", "co", "uk", "de", "fr", "ru", "cn", "info", "biz", "xyz", "top",
	"app", "dev", "ai", "gov", "edu", "me", "tk", "ml", "ga", "cf", "gq", "ly", "cc", "us", "ca",
	"au", "jp", "in", "eu", "nl", "site", "online", "shop", "club", "link", "click", "live", "es",
	"it", "ch", "se", "no", "pl", "br", "tv", "ws", "su", "cz", "be", "at", NULL};

/* Text that names a web address: a scheme, "www.", or one token ending in a known TLD. */
static bool url_like(const char *t, char *host, size_t cap)
{
	while (*t == ' ')
		t++;
	size_t n = strcspn(t, " \t\r\n");
	if (n == 0 || n > 2000)
		return false;
	/* one token only ("visit evil.com" is prose, not navigation) */
	const char *rest = t + n;
	while (*rest == ' ' || *rest == '\n' || *rest == '\r' || *rest == '\t')
		rest++;
	if (*rest)
		return false;
	char tok[2048];
	magi__lower_copy(tok, sizeof tok, t, n);
	if (strchr(tok, '@') && !strstr(tok, "://"))
		return false;
	if (!magi_guard_url_host(tok, host, cap) || !strchr(host, '.'))
		return false;
	if (strstr(tok, "://") || !strncmp(tok, "www.", 4))
		return true;
	const char *dot = strrchr(host, '.');
	for (size_t k = 0; tlds[k]; k++)
		if (!strcmp(dot + 1, tlds[k]))
			return true;
	return false;
}

static void rule_domain(struct magi__gate *g, const char *host, bool host_allowed)
{
	const struct magi_risk_context *c = g->c;
	const struct magi_action *a = g->a;
	if (!c->n_allowlist || !c->allowlist)
		return;
	char target[256];
	if ((a->kind == MAGI_ACT_NAVIGATE || a->kind == MAGI_ACT_NEW_TAB) && a->text &&
	    magi_guard_url_host(a->text, target, sizeof target) &&
	    !magi_guard_domain_allowed(target, c->allowlist, c->n_allowlist)) {
		magi__risk_fire(g, MAGI_RISK_CAT_DOMAIN, "going to %s, which is outside the allowed domains", target);
		return;
	}
	if ((a->kind == MAGI_ACT_OPEN_APP || a->kind == MAGI_ACT_TYPE) && a->text &&
	    url_like(a->text, target, sizeof target) &&
	    !magi_guard_domain_allowed(target, c->allowlist, c->n_allowlist)) {
		magi__risk_fire(g, MAGI_RISK_CAT_DOMAIN, "opening %s, which is outside the allowed domains", target);
		return;
	}
	/* a link whose text is an address outside the list */
	if ((a->kind == MAGI_ACT_CLICK || a->kind == MAGI_ACT_DOUBLE_CLICK) && g->element[0] &&
	    url_like(g->element, target, sizeof target) &&
	    !magi_guard_domain_allowed(target, c->allowlist, c->n_allowlist)) {
		magi__risk_fire(g, MAGI_RISK_CAT_DOMAIN, "clicking a link to %s, which is outside the allowed domains",
		     target);
		return;
	}
	bool acting = a->kind == MAGI_ACT_CLICK || a->kind == MAGI_ACT_DOUBLE_CLICK ||
		      a->kind == MAGI_ACT_LONG_PRESS || a->kind == MAGI_ACT_TYPE ||
		      a->kind == MAGI_ACT_KEY || a->kind == MAGI_ACT_DRAG;
	if (acting && host && !host_allowed)
		magi__risk_fire(g, MAGI_RISK_CAT_DOMAIN, "acting on %s, which is outside the allowed domains", host);
}

/* ---- keys ---------------------------------------------------------------------------------- */
static bool mail_context(const struct magi_risk_context *c, const char *host)
{
	static const char *const apps[] = {"mail", "thunderbird", "outlook", "evolution", "gmail",
					   "geary", "kmail", "inbox", NULL};
	for (size_t k = 0; apps[k]; k++) {
		if (c->app && magi__find_ci(c->app, strlen(c->app), 0, apps[k]) != SIZE_MAX)
			return true;
		if (host && strstr(host, apps[k]))
			return true;
	}
	return false;
}

static void rule_key(struct magi__gate *g, const char *host)
{
	const struct magi_action *a = g->a;
	if (a->kind != MAGI_ACT_KEY || !a->text)
		return;
	char k[64];
	size_t j = 0;
	for (const char *p = a->text; *p && j + 1 < sizeof k; p++)
		if (*p != ' ')
			k[j++] = (char)magi__lower((unsigned char)*p);
	k[j] = '\0';
	bool send_combo = (strstr(k, "ctrl") || strstr(k, "cmd") || strstr(k, "meta") ||
			   strstr(k, "super")) &&
			  (strstr(k, "enter") || strstr(k, "return"));
	if (!strcmp(k, "alt+s"))
		send_combo = true;
	if (send_combo && mail_context(g->c, host))
		magi__risk_fire(g, MAGI_RISK_CAT_SEND, "pressing %s in a mail window sends the message", a->text);
	if (strstr(k, "shift") && (strstr(k, "delete") || strstr(k, "+del")))
		magi__risk_fire(g, MAGI_RISK_CAT_DELETE, "pressing %s deletes permanently", a->text);
}

/* ---- injection ----------------------------------------------------------------------------- */
static void rule_injection(struct magi__gate *g)
{
	const struct magi_risk_context *c = g->c;
	const struct magi_action *a = g->a;
	for (size_t i = 0; c->injections && i < c->n_injections; i++) {
		const struct magi_injection_region *r = &c->injections[i];
		if (a->has_point && r->has_box && r->w > 0 && r->h > 0 &&
		    a->x >= r->x - INJECTION_MARGIN_PX && a->x <= r->x + r->w + INJECTION_MARGIN_PX &&
		    a->y >= r->y - INJECTION_MARGIN_PX && a->y <= r->y + r->h + INJECTION_MARGIN_PX) {
			magi__risk_fire(g, MAGI_RISK_CAT_INJECTION,
			     "the action is aimed at on-screen text that reads as instructions to the "
			     "agent (%s)",
			     r->reason);
			return;
		}
		/* typing what the injected text asked for */
		if (a->kind == MAGI_ACT_TYPE && a->text && r->text && strlen(a->text) >= 6 &&
		    strstr(r->text, a->text)) {
			magi__risk_fire(g, MAGI_RISK_CAT_INJECTION,
			     "typing text taken from on-screen instructions to the agent (%s)", r->reason);
			return;
		}
	}
}

/* Excerpt of typed text for reasons: secret values replaced by placeholders, cut short. */
static void shown_text(const char *t, const struct magi_secret_list *sl, char *buf, size_t cap)
{
	struct magi_buf b;
	magi_buf_init(&b, 1 << 16);
	magi_buf_puts(&b, t);
	for (size_t i = 0; sl && i < sl->n && b.len; i++) {
		const char *v = sl->items[i].value;
		if (!v || !*v)
			continue;
		char *hit;
		while ((hit = strstr(b.data, v))) {
			struct magi_buf nb;
			magi_buf_init(&nb, 1 << 16);
			magi_buf_append(&nb, b.data, (size_t)(hit - b.data));
			magi_buf_printf(&nb, "<secret:%s>", sl->items[i].name);
			magi_buf_puts(&nb, hit + strlen(v));
			magi_buf_release(&b);
			b = nb;
		}
	}
	size_t n = b.len;
	if (n > 60 && cap > 64) {
		magi__text_copy(buf, 58, b.data, n);
		size_t l = strlen(buf);
		memcpy(buf + l, "...", 4);
	} else {
		magi__text_copy(buf, cap, b.data, n);
	}
	magi_buf_release(&b);
}

magi_status magi_risk_check(const struct magi_action *a, const struct magi_risk_context *ctx,
			    struct magi_risk_decision *d)
{
	if (!d)
		return MAGI_ERR_INVALID;
	memset(d, 0, sizeof *d);
	d->tier = d->policy_tier = MAGI_RISK_ALLOW;
	d->category = MAGI_RISK_CAT_NONE;
	if (!a) {
		snprintf(d->reason, sizeof d->reason, "no action");
		return MAGI_ERR_INVALID;
	}
	struct magi_risk_context empty, local;
	memset(&empty, 0, sizeof empty);
	struct magi_risk_policy defp = magi_risk_policy_default();
	struct magi__gate *g = calloc(1, sizeof *g);
	if (!g)
		return MAGI_ERR_NOMEM;
	/* on a page, the element list says what an action lands on */
	struct magi_action judged;
	char element[256], field[256];
	magi__risk_dom(a, ctx ? ctx : &empty, &local, &judged, element, field, sizeof element, &g->element_flags);
	a = &judged;
	g->a = a;
	g->c = &local;
	g->pol = g->c->policy ? g->c->policy : &defp;

	if (a->has_point) {
		if (g->c->element_text)
			magi__text_copy(g->element, sizeof g->element, g->c->element_text,
					strlen(g->c->element_text));
		else if (g->c->ocr)
			magi_risk_element_text(g->c->ocr, a->x, a->y, g->element, sizeof g->element);
	}
	char host[256];
	bool has_host = g->c->url && magi_guard_url_host(g->c->url, host, sizeof host);
	bool host_allowed = has_host && magi_guard_domain_allowed(host, g->c->allowlist,
								  g->c->n_allowlist);

	if (a->kind == MAGI_ACT_TYPE && a->text) {
		char shown[80];
		shown_text(a->text, g->c->secrets, shown, sizeof shown);
		magi__risk_rule_shell(g, a->text, shown);
		rule_secrets(g, has_host ? host : NULL, host_allowed);
	}
	rule_click(g);
	rule_enter(g);
	rule_key(g, has_host ? host : NULL);
	rule_domain(g, has_host ? host : NULL, host_allowed);
	rule_injection(g);

	/* strictest tier wins; among equals the category listed first */
	const struct magi__risk_hit *best = NULL;
	enum magi_risk_tier bt = MAGI_RISK_ALLOW;
	for (size_t i = 0; i < g->nh; i++) {
		const struct magi__risk_hit *h = &g->hits[i];
		d->categories |= 1u << h->cat;
		enum magi_risk_tier t = g->pol->tier[h->cat];
		if ((unsigned)t > MAGI_RISK_DENY)
			t = MAGI_RISK_DENY; /* a garbled policy must not open the gate */
		if (!best || t > bt || (t == bt && h->cat < best->cat)) {
			best = h;
			bt = t;
		}
	}
	magi__text_copy(d->element, sizeof d->element, g->element, strlen(g->element));
	if (!best) {
		snprintf(d->reason, sizeof d->reason, "no risk found");
	} else {
		d->category = best->cat;
		d->policy_tier = bt;
		if (bt == MAGI_RISK_ALLOW)
			snprintf(d->reason, sizeof d->reason, "%.200s (allowed by policy)", best->reason);
		else
			snprintf(d->reason, sizeof d->reason, "%s", best->reason);
	}
	d->tier = d->policy_tier;
	if (d->tier == MAGI_RISK_ASK && g->pol->yes) {
		d->tier = MAGI_RISK_ALLOW;
		d->by_yes = true;
	}
	free(g);
	return MAGI_OK;
}
