/* x11_keys.c — UTF-8 text and key combos as XTest key events (see x11_keys.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <X11/XKBlib.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>
#include "env/x11_keys.h"
#include "core/common.h"

/* ---- UTF-8 and keysyms ------------------------------------------------------------ */

size_t magi__utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	size_t len;
	uint32_t c, min;
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2, c = u[0] & 0x1f, min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3, c = u[0] & 0x0f, min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4, c = u[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

KeySym magi__x11_keysym_from_ucs(uint32_t cp)
{
	if (cp == '\n' || cp == '\r')
		return XK_Return;
	if (cp == '\t')
		return XK_Tab;
	if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff))
		return (KeySym)cp;
	if (cp >= 0x100 && cp <= 0x10ffff)
		return (KeySym)(0x01000000u | cp);
	return NoSymbol;
}

static const struct {
	const char *alias;
	KeySym ks;
} key_aliases[] = {
	{"enter", XK_Return},      {"return", XK_Return},     {"ret", XK_Return},
	{"esc", XK_Escape},        {"escape", XK_Escape},     {"backspace", XK_BackSpace},
	{"bksp", XK_BackSpace},    {"del", XK_Delete},        {"delete", XK_Delete},
	{"ins", XK_Insert},        {"insert", XK_Insert},     {"pgup", XK_Prior},
	{"pageup", XK_Prior},      {"page_up", XK_Prior},     {"pgdn", XK_Next},
	{"pgdown", XK_Next},       {"pagedown", XK_Next},     {"page_down", XK_Next},
	{"up", XK_Up},             {"down", XK_Down},         {"left", XK_Left},
	{"right", XK_Right},       {"arrowup", XK_Up},        {"arrowdown", XK_Down},
	{"arrowleft", XK_Left},    {"arrowright", XK_Right},  {"space", XK_space},
	{"spacebar", XK_space},    {"tab", XK_Tab},           {"home", XK_Home},
	{"end", XK_End},           {"capslock", XK_Caps_Lock}, {"caps_lock", XK_Caps_Lock},
	{"numlock", XK_Num_Lock},  {"scrolllock", XK_Scroll_Lock}, {"print", XK_Print},
	{"printscreen", XK_Print}, {"prtsc", XK_Print},       {"pause", XK_Pause},
	{"menu", XK_Menu},         {"plus", XK_plus},         {"minus", XK_minus},
	{"ctrl", XK_Control_L},    {"control", XK_Control_L}, {"ctl", XK_Control_L},
	{"shift", XK_Shift_L},     {"alt", XK_Alt_L},         {"option", XK_Alt_L},
	{"super", XK_Super_L},     {"meta", XK_Super_L},      {"win", XK_Super_L},
	{"windows", XK_Super_L},   {"cmd", XK_Super_L},       {"command", XK_Super_L},
};

/* Modifier names accepted before the key; everything else must be the last part. */
static bool is_modifier(KeySym ks)
{
	return ks == XK_Control_L || ks == XK_Shift_L || ks == XK_Alt_L || ks == XK_Super_L;
}

KeySym magi__x11_keysym_from_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 63)
		return NoSymbol;
	for (size_t i = 0; i < MAGI_ARRAY_LEN(key_aliases); i++)
		if (strcasecmp(name, key_aliases[i].alias) == 0)
			return key_aliases[i].ks;
	uint32_t cp;
	if (magi__utf8_decode(name, n, &cp) == n) {
		if (cp < 0x80 && isupper((int)cp))
			cp = (uint32_t)tolower((int)cp);
		return magi__x11_keysym_from_ucs(cp);
	}
	long f;
	if ((name[0] == 'f' || name[0] == 'F') && magi__parse_long(name + 1, 1, 35, &f))
		return (KeySym)(XK_F1 + (f - 1));
	KeySym ks = XStringToKeysym(name);
	if (ks != NoSymbol)
		return ks;
	/* Case variants: "kp_enter" -> "KP_Enter", "backspace" -> "Backspace" -> no,
	 * "home" -> "Home", "XF86AUDIOMUTE" stays unknown. */
	char v[64];
	memcpy(v, name, n + 1);
	bool kp = n > 3 && strncasecmp(v, "kp_", 3) == 0;
	bool start = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		v[i] = (char)(start ? toupper(c) : tolower(c));
		start = (c == '_');
	}
	if (kp)
		v[1] = 'P';
	ks = XStringToKeysym(v);
	if (ks != NoSymbol)
		return ks;
	for (size_t i = 0; i < n; i++)
		v[i] = (char)tolower((unsigned char)v[i]);
	return XStringToKeysym(v);
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

magi_status magi__x11_combo_parse(const char *combo, struct magi__x11_combo *out,
				  struct magi_error *err)
{
	memset(out, 0, sizeof *out);
	if (!combo)
		return magi_error_set(err, MAGI_ERR_INVALID, "key action without keys (e.g. \"ctrl+s\")");
	const char *s = combo;
	size_t n = strlen(combo);
	trim(&s, &n);
	if (n == 0)
		return magi_error_set(err, MAGI_ERR_INVALID, "empty key combo (e.g. \"ctrl+s\")");
	if (n > 128)
		return magi_error_set(err, MAGI_ERR_INVALID, "key combo of %zu bytes is too long", n);
	/* "ctrl-s" is read as "ctrl+s" when there is no '+' and the part before '-' is a
	 * modifier; a lone "-" or "ctrl+-" keeps its minus. */
	char sep = '+';
	if (!memchr(s, '+', n)) {
		const char *d = memchr(s, '-', n);
		if (d && d > s) {
			char head[16];
			size_t hl = (size_t)(d - s);
			if (hl < sizeof head) {
				memcpy(head, s, hl);
				head[hl] = '\0';
				if (is_modifier(magi__x11_keysym_from_name(head)))
					sep = '-';
			}
		}
	}
	const char *parts[MAGI_X11_MAX_COMBO_KEYS + 1];
	size_t lens[MAGI_X11_MAX_COMBO_KEYS + 1];
	int np = 0;
	for (size_t i = 0;;) {
		/* A part that starts with the separator is the separator key ("ctrl++"). */
		size_t j = i;
		if (s[j] == sep)
			j++;
		else
			while (j < n && s[j] != sep)
				j++;
		if (np == (int)MAGI_ARRAY_LEN(parts))
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "key combo '%s' has more than %d keys", combo,
					      MAGI_X11_MAX_COMBO_KEYS + 1);
		parts[np] = s + i;
		lens[np] = j - i;
		np++;
		if (j == n)
			break;
		if (s[j] != sep)
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "cannot read key combo '%s'; write keys like \"ctrl+s\"",
					      combo);
		i = j + 1;
		if (i == n)
			return magi_error_set(err, MAGI_ERR_INVALID, "key combo '%s' ends with '%c'", combo,
					      sep);
	}
	for (int p = 0; p < np; p++) {
		const char *ps = parts[p];
		size_t pl = lens[p];
		trim(&ps, &pl);
		if (pl == 0)
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "key combo '%s' has an empty part; write keys like \"ctrl+s\"",
					      combo);
		char name[64];
		if (pl >= sizeof name)
			return magi_error_set(err, MAGI_ERR_INVALID, "key name too long in '%s'", combo);
		memcpy(name, ps, pl);
		name[pl] = '\0';
		KeySym ks = magi__x11_keysym_from_name(name);
		if (ks == NoSymbol)
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "unknown key '%s' in '%s'; use names like Return, Escape, "
					      "Tab, BackSpace, Delete, Up, F5, a, or modifiers ctrl, "
					      "shift, alt, super",
					      name, combo);
		if (p < np - 1) {
			if (!is_modifier(ks))
				return magi_error_set(err, MAGI_ERR_INVALID,
						      "'%s' in '%s' is not a modifier; only the last "
						      "key may be a non-modifier (ctrl, shift, alt, super)",
						      name, combo);
			for (int m = 0; m < out->n_mods; m++)
				if (out->mods[m] == ks)
					return magi_error_set(err, MAGI_ERR_INVALID,
							      "modifier '%s' repeated in '%s'", name,
							      combo);
			out->mods[out->n_mods++] = ks;
		} else {
			out->key = ks;
		}
	}
	return MAGI_OK;
}

/* ---- the keymap ------------------------------------------------------------------ */

struct keymap {
	int min, max, per;
	KeySym *syms; /* (max-min+1) rows of per keysyms, from XGetKeyboardMapping */
};

static magi_status keymap_load(Display *dpy, struct keymap *m, struct magi_error *err)
{
	XDisplayKeycodes(dpy, &m->min, &m->max);
	if (m->min < 8)
		m->min = 8;
	if (m->max > 255)
		m->max = 255;
	m->syms = XGetKeyboardMapping(dpy, (KeyCode)m->min, m->max - m->min + 1, &m->per);
	if (!m->syms || m->per < 1)
		return magi_error_set(err, MAGI_ERR_ENV, "cannot read the X keyboard mapping");
	return MAGI_OK;
}

static void keymap_free(struct keymap *m)
{
	if (m->syms)
		XFree(m->syms);
	m->syms = NULL;
}

static KeySym *keymap_row(const struct keymap *m, int kc)
{
	return m->syms + (size_t)(kc - m->min) * (size_t)m->per;
}

/* The keysyms at shift level 0 and 1 of kc, with the core protocol's rule that a lone
 * lower-case letter implies its upper case at level 1. */
static void keymap_levels(const struct keymap *m, int kc, KeySym *l0, KeySym *l1)
{
	KeySym *r = keymap_row(m, kc);
	*l0 = r[0];
	*l1 = m->per > 1 ? r[1] : NoSymbol;
	if (*l1 == NoSymbol && *l0 != NoSymbol) {
		KeySym lo, up;
		XConvertCase(*l0, &lo, &up);
		if (lo != up) {
			*l0 = lo;
			*l1 = up;
		}
	}
}

/* Finds a keycode typing ks, preferring one without Shift. */
static bool keymap_find(const struct keymap *m, KeySym ks, KeyCode *kc, bool *shift)
{
	for (int level = 0; level < 2; level++)
		for (int k = m->min; k <= m->max; k++) {
			KeySym l0, l1;
			keymap_levels(m, k, &l0, &l1);
			if ((level == 0 ? l0 : l1) == ks) {
				*kc = (KeyCode)k;
				*shift = level == 1;
				return true;
			}
		}
	return false;
}

static bool keymap_row_empty(const struct keymap *m, int kc)
{
	KeySym *r = keymap_row(m, kc);
	for (int j = 0; j < m->per; j++)
		if (r[j] != NoSymbol)
			return false;
	return true;
}

static void keymap_set(Display *dpy, struct keymap *m, int kc, KeySym ks)
{
	KeySym *r = keymap_row(m, kc);
	for (int j = 0; j < m->per; j++)
		r[j] = (j < 2) ? ks : NoSymbol;
	XChangeKeyboardMapping(dpy, kc, m->per, r, 1);
}

void magi__x11_kbd_init(struct magi__x11_kbd *k, Display *dpy)
{
	memset(k, 0, sizeof *k);
	k->dpy = dpy;
}

/* A keycode for ks that the keymap lacks: a never-used spare first, else the owned slot
 * pressed longest ago — waiting, if needed, until that press is MAGI_X11_REMAP_REUSE_MS
 * old, so that a client still reading it looks it up under the old mapping. 0 when the
 * keymap has no spare keycodes at all. */
static KeyCode remap_slot(struct magi__x11_kbd *k, struct keymap *m)
{
	for (int kc = m->max; kc >= m->min; kc--)
		if (!k->owned[kc] && keymap_row_empty(m, kc))
			return (KeyCode)kc;
	int best = 0;
	for (int kc = m->min; kc <= m->max; kc++)
		if (k->owned[kc] && (!best || k->last_use[kc] < k->last_use[best]))
			best = kc;
	if (!best)
		return 0;
	double age = magi_now_ms() - k->last_use[best];
	if (age < MAGI_X11_REMAP_REUSE_MS) {
		XSync(k->dpy, False);
		magi_sleep_ms(MAGI_X11_REMAP_REUSE_MS - age);
	}
	return (KeyCode)best;
}

struct press_ctx {
	struct magi__x11_kbd *k;
	struct keymap map;
	KeyCode shift_kc;
	bool caps_lock;
};

static magi_status ctx_open(struct press_ctx *c, struct magi__x11_kbd *k, struct magi_error *err)
{
	memset(c, 0, sizeof *c);
	c->k = k;
	magi_status s = keymap_load(k->dpy, &c->map, err);
	if (s)
		return s;
	/* Forget slots someone else remapped meanwhile (setxkbmap, xmodmap). */
	for (int kc = c->map.min; kc <= c->map.max; kc++)
		if (k->owned[kc] && keymap_row(&c->map, kc)[0] == NoSymbol)
			k->owned[kc] = false;
	bool sh;
	if (!keymap_find(&c->map, XK_Shift_L, &c->shift_kc, &sh) &&
	    !keymap_find(&c->map, XK_Shift_R, &c->shift_kc, &sh))
		c->shift_kc = 0;
	XkbStateRec st;
	if (XkbGetState(k->dpy, XkbUseCoreKbd, &st) == Success)
		c->caps_lock = (st.locked_mods & LockMask) != 0;
	return MAGI_OK;
}

/* Resolves ks to a keycode and whether Shift is needed, remapping a slot if needed. */
static magi_status ctx_resolve(struct press_ctx *c, KeySym ks, KeyCode *kc, bool *shift,
			       struct magi_error *err)
{
	if (keymap_find(&c->map, ks, kc, shift)) {
		if (c->k->owned[*kc])
			c->k->last_use[*kc] = magi_now_ms();
		return MAGI_OK;
	}
	KeyCode slot = remap_slot(c->k, &c->map);
	if (!slot) {
		const char *name = XKeysymToString(ks);
		return magi_error_set(err, MAGI_ERR_ENV,
				      "the X keymap has no key for keysym %s (0x%lx) and no spare "
				      "keycode to map it to",
				      name ? name : "?", (unsigned long)ks);
	}
	keymap_set(c->k->dpy, &c->map, slot, ks);
	c->k->owned[slot] = true;
	c->k->last_use[slot] = magi_now_ms();
	*kc = slot;
	*shift = false; /* both levels carry ks */
	return MAGI_OK;
}

static void tap(Display *dpy, KeyCode kc, KeyCode shift_kc, bool shift)
{
	if (shift && shift_kc)
		XTestFakeKeyEvent(dpy, shift_kc, True, CurrentTime);
	XTestFakeKeyEvent(dpy, kc, True, CurrentTime);
	XTestFakeKeyEvent(dpy, kc, False, CurrentTime);
	if (shift && shift_kc)
		XTestFakeKeyEvent(dpy, shift_kc, False, CurrentTime);
}

magi_status magi__x11_text_check(const char *text, struct magi__x11_keysyms *out,
				 struct magi_error *err)
{
	if (out)
		out->v = NULL, out->n = 0;
	if (!text)
		return magi_error_set(err, MAGI_ERR_INVALID, "type action without text");
	size_t n = strlen(text);
	if (n > MAGI_X11_MAX_TYPE_BYTES)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "type text of %zu bytes is longer than the %d-byte limit", n,
				      MAGI_X11_MAX_TYPE_BYTES);
	KeySym *syms = NULL;
	if (out && !(syms = malloc((n + 1) * sizeof *syms)))
		return magi_error_set(err, MAGI_ERR_NOMEM, "out of memory typing %zu bytes", n);
	size_t ns = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = magi__utf8_decode(text + i, n - i, &cp);
		KeySym ks = l ? magi__x11_keysym_from_ucs(cp) : NoSymbol;
		if (!l || ks == NoSymbol) {
			free(syms);
			if (!l)
				return magi_error_set(err, MAGI_ERR_INVALID,
						      "type text is not valid UTF-8 at byte %zu", i);
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "type text has control character U+%04X at byte %zu; "
					      "use a key action for special keys",
					      (unsigned)cp, i);
		}
		/* "\r\n" is one Return */
		if (syms && !(cp == '\n' && i > 0 && text[i - 1] == '\r'))
			syms[ns++] = ks;
		i += l;
	}
	if (out)
		out->v = syms, out->n = ns;
	return MAGI_OK;
}

magi_status magi__x11_kbd_type(struct magi__x11_kbd *k, const char *text, struct magi_error *err)
{
	struct magi__x11_keysyms syms;
	magi_status s = magi__x11_text_check(text, &syms, err);
	if (s)
		return s;
	struct press_ctx c;
	s = ctx_open(&c, k, err);
	for (size_t i = 0; s == MAGI_OK && i < syms.n; i++) {
		KeyCode kc;
		bool shift;
		s = ctx_resolve(&c, syms.v[i], &kc, &shift, err);
		if (s == MAGI_OK) {
			KeySym lo, up;
			XConvertCase(syms.v[i], &lo, &up);
			if (c.caps_lock && lo != up && !k->owned[kc])
				shift = !shift; /* Caps Lock inverts letters */
			tap(k->dpy, kc, c.shift_kc, shift);
		}
	}
	keymap_free(&c.map);
	free(syms.v);
	XSync(k->dpy, False);
	return s;
}

magi_status magi__x11_kbd_combo(struct magi__x11_kbd *k, const char *combo, struct magi_error *err)
{
	struct magi__x11_combo cb;
	magi_status s = magi__x11_combo_parse(combo, &cb, err);
	if (s)
		return s;
	struct press_ctx c;
	s = ctx_open(&c, k, err);
	if (s) {
		keymap_free(&c.map);
		return s;
	}
	KeyCode mods[MAGI_X11_MAX_COMBO_KEYS];
	bool has_shift = false;
	for (int i = 0; i < cb.n_mods; i++) {
		bool sh;
		KeySym alt = cb.mods[i] == XK_Control_L ? XK_Control_R
			     : cb.mods[i] == XK_Shift_L ? XK_Shift_R
			     : cb.mods[i] == XK_Alt_L	? XK_Alt_R
							: XK_Super_R;
		if (!keymap_find(&c.map, cb.mods[i], &mods[i], &sh) &&
		    !keymap_find(&c.map, alt, &mods[i], &sh)) {
			keymap_free(&c.map);
			return magi_error_set(err, MAGI_ERR_ENV, "the X keymap has no %s key for '%s'",
					      XKeysymToString(cb.mods[i]), combo);
		}
		has_shift |= cb.mods[i] == XK_Shift_L;
	}
	KeyCode kc;
	bool shift;
	s = ctx_resolve(&c, cb.key, &kc, &shift, err);
	if (s == MAGI_OK) {
		/* A combo names keys, not characters: a key that lives on level 1 ("ctrl+?")
		 * gets Shift; Caps Lock is left alone. */
		for (int i = 0; i < cb.n_mods; i++)
			XTestFakeKeyEvent(k->dpy, mods[i], True, CurrentTime);
		tap(k->dpy, kc, c.shift_kc, shift && !has_shift);
		for (int i = cb.n_mods - 1; i >= 0; i--)
			XTestFakeKeyEvent(k->dpy, mods[i], False, CurrentTime);
	}
	keymap_free(&c.map);
	XSync(k->dpy, False);
	return s;
}

void magi__x11_kbd_release_held(struct magi__x11_kbd *k)
{
	char keys[32];
	XQueryKeymap(k->dpy, keys);
	for (int kc = 8; kc < 256; kc++)
		if (keys[kc / 8] & (1 << (kc % 8)))
			XTestFakeKeyEvent(k->dpy, (unsigned)kc, False, CurrentTime);
	XSync(k->dpy, False);
}

void magi__x11_kbd_restore(struct magi__x11_kbd *k)
{
	double last = 0;
	bool any = false;
	for (int kc = 8; kc < 256; kc++)
		if (k->owned[kc]) {
			any = true;
			last = MAGI_MAX(last, k->last_use[kc]);
		}
	if (!any)
		return;
	/* The last remapped key may still be waiting in a client's queue. */
	double age = magi_now_ms() - last;
	if (age < MAGI_X11_REMAP_REUSE_MS) {
		XSync(k->dpy, False);
		magi_sleep_ms(MAGI_X11_REMAP_REUSE_MS - age);
	}
	int min, max, per = 0;
	XDisplayKeycodes(k->dpy, &min, &max);
	KeySym *syms = XGetKeyboardMapping(k->dpy, (KeyCode)min, 1, &per);
	if (syms)
		XFree(syms);
	if (per < 1)
		per = 1;
	KeySym none[16] = {0};
	if (per > 16)
		per = 16;
	for (int kc = 8; kc < 256; kc++)
		if (k->owned[kc]) {
			XChangeKeyboardMapping(k->dpy, kc, per, none, 1);
			k->owned[kc] = false;
		}
	XSync(k->dpy, False);
}
