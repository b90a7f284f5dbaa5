/*
 * x11_keys.h — keyboard input for the x11 driver (internal to src/env).
 *
 * Turns UTF-8 text and key combos ("ctrl+shift+t", "alt+F4", "Return") into XTest key
 * events on the X server's *current* keymap. A character the keymap lacks (é, €, 日 on a
 * US layout) is typed by remapping a spare keycode (one with no keysyms) to it with
 * XChangeKeyboardMapping.
 *
 * Remapped keycodes are kept until magi__x11_kbd_restore (called by the driver's reset
 * and close): a client looks a keysym up when it reads the key event, under the mapping
 * of that moment, so changing a slot right after pressing it loses the character in any
 * client that lags. When the spares run out, the slot pressed longest ago is reused once
 * that press is MAGI_X11_REMAP_REUSE_MS old (the driver waits if needed).
 */
#ifndef MAGI_X11_KEYS_H
#define MAGI_X11_KEYS_H
#include <X11/Xlib.h>
#include "magi/core.h"

#define MAGI_X11_MAX_TYPE_BYTES (64 * 1024) /* longest text one type action may carry */
#define MAGI_X11_MAX_COMBO_KEYS 8           /* "ctrl+alt+shift+super+x" has 5 */
#define MAGI_X11_REMAP_REUSE_MS 250.0       /* age of a remapped key press before reuse */

/* ---- pure helpers (no display needed) ------------------------------------------- */

/* Decodes one UTF-8 codepoint from s[0..n). Returns the bytes used, or 0 on a malformed,
 * overlong, surrogate or out-of-range sequence. */
size_t magi__utf8_decode(const char *s, size_t n, uint32_t *cp);

/* The keysym that types codepoint cp: Latin-1 keysyms are the codepoint, others are
 * Unicode keysyms (0x01000000 + cp); '\n' and '\r' -> Return, '\t' -> Tab. Other control
 * characters have none: NoSymbol (0). */
KeySym magi__x11_keysym_from_ucs(uint32_t cp);

/* One key name to a keysym: friendly aliases (enter, esc, backspace, del, pgup, pgdn,
 * up, down, left, right, space, tab, ...), F1..F35 in any case, a single character
 * (ASCII letters fold to lower case), or an X keysym name (XStringToKeysym, also tried
 * capitalised). NoSymbol when unknown. */
KeySym magi__x11_keysym_from_name(const char *name);

/* A parsed combo: modifier keysyms in the order they are pressed, then the key. */
struct magi__x11_combo {
	KeySym mods[MAGI_X11_MAX_COMBO_KEYS];
	int n_mods;
	KeySym key;
};
/* Parses "ctrl+s", "ctrl+shift+t", "Return", "alt+F4", "super", "ctrl++" (plus key).
 * Modifier names are case-insensitive: ctrl/control/ctl, shift, alt/option,
 * super/meta/win/cmd. A combo made only of modifiers presses the last one as the key.
 * Bad input is MAGI_ERR_INVALID with a message naming the offending part. */
magi_status magi__x11_combo_parse(const char *combo, struct magi__x11_combo *out,
				  struct magi_error *err);

struct magi__x11_keysyms {
	KeySym *v;
	size_t n;
};
/* Checks text for typing: at most MAGI_X11_MAX_TYPE_BYTES of valid UTF-8 without control
 * characters other than \n \r \t, else MAGI_ERR_INVALID naming the byte. When syms is
 * not NULL it receives the keysyms to press ("\r\n" is one Return) and their count;
 * free(syms->v) after. */
magi_status magi__x11_text_check(const char *text, struct magi__x11_keysyms *syms,
				 struct magi_error *err);

/* ---- typing on a display ---------------------------------------------------------- */

/* Keyboard state of one driver instance: which keycodes it has remapped. */
struct magi__x11_kbd {
	Display *dpy;
	bool owned[256];      /* keycode remapped by us, to be restored */
	double last_use[256]; /* magi_now_ms() of the last press of an owned keycode */
};

void magi__x11_kbd_init(struct magi__x11_kbd *k, Display *dpy);

/* Types UTF-8 text. The whole text is checked first (magi__x11_text_check); bad text is
 * an error and nothing is typed. Ends with XSync; X errors are left for the driver's
 * handler. */
magi_status magi__x11_kbd_type(struct magi__x11_kbd *k, const char *text, struct magi_error *err);
/* Presses a combo (see magi__x11_combo_parse) and releases it in reverse order. */
magi_status magi__x11_kbd_combo(struct magi__x11_kbd *k, const char *combo,
				struct magi_error *err);
/* Releases every key the X server reports as held (after an interrupted action). */
void magi__x11_kbd_release_held(struct magi__x11_kbd *k);
/* Restores every keycode this instance remapped back to NoSymbol. */
void magi__x11_kbd_restore(struct magi__x11_kbd *k);
#endif
