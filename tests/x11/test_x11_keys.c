/* test_x11_keys.c — the x11 driver's key-name, combo and UTF-8 rules (no X server
 * needed): what "ctrl+shift+t", "esc", "ctrl++" and friends mean, and what is refused. */
#include <stdlib.h>
#include <string.h>
#include <X11/keysym.h>
#include "check.h"
#include "env/x11_keys.h"

static void test_utf8(void)
{
	uint32_t cp = 0;
	CHECK(magi__utf8_decode("A", 1, &cp) == 1 && cp == 'A');
	CHECK(magi__utf8_decode("\xc3\xa9", 2, &cp) == 2 && cp == 0xe9);
	CHECK(magi__utf8_decode("\xe2\x82\xac", 3, &cp) == 3 && cp == 0x20ac);
	CHECK(magi__utf8_decode("\xf0\x9f\x98\x80", 4, &cp) == 4 && cp == 0x1f600);
	CHECK(magi__utf8_decode("\xc3", 1, &cp) == 0);             /* truncated */
	CHECK(magi__utf8_decode("\xe2\x82", 2, &cp) == 0);         /* truncated */
	CHECK(magi__utf8_decode("\xc0\xaf", 2, &cp) == 0);         /* overlong '/' */
	CHECK(magi__utf8_decode("\xe0\x80\xaf", 3, &cp) == 0);     /* overlong */
	CHECK(magi__utf8_decode("\xed\xa0\x80", 3, &cp) == 0);     /* surrogate */
	CHECK(magi__utf8_decode("\xf4\x90\x80\x80", 4, &cp) == 0); /* > U+10FFFF */
	CHECK(magi__utf8_decode("\x80", 1, &cp) == 0);             /* stray continuation */
	CHECK(magi__utf8_decode("\xff", 1, &cp) == 0);
	CHECK(magi__utf8_decode("\xc3\x28", 2, &cp) == 0);
	CHECK(magi__utf8_decode("", 0, &cp) == 0);
}

static void test_ucs(void)
{
	CHECK(magi__x11_keysym_from_ucs('a') == XK_a);
	CHECK(magi__x11_keysym_from_ucs('~') == XK_asciitilde);
	CHECK(magi__x11_keysym_from_ucs(' ') == XK_space);
	CHECK(magi__x11_keysym_from_ucs('\n') == XK_Return);
	CHECK(magi__x11_keysym_from_ucs('\r') == XK_Return);
	CHECK(magi__x11_keysym_from_ucs('\t') == XK_Tab);
	CHECK(magi__x11_keysym_from_ucs(0xe9) == XK_eacute);
	CHECK(magi__x11_keysym_from_ucs(0xa0) == XK_nobreakspace);
	CHECK(magi__x11_keysym_from_ucs(0x20ac) == 0x10020ac);
	CHECK(magi__x11_keysym_from_ucs(0x1f600) == 0x101f600);
	CHECK(magi__x11_keysym_from_ucs(0x01) == NoSymbol);
	CHECK(magi__x11_keysym_from_ucs(0x1b) == NoSymbol);
	CHECK(magi__x11_keysym_from_ucs(0x7f) == NoSymbol);
	CHECK(magi__x11_keysym_from_ucs(0x85) == NoSymbol);
	CHECK(magi__x11_keysym_from_ucs(0x110000) == NoSymbol);
}

static void test_names(void)
{
	struct {
		const char *name;
		KeySym ks;
	} t[] = {
		{"Return", XK_Return},	  {"return", XK_Return},      {"ENTER", XK_Return},
		{"enter", XK_Return},	  {"esc", XK_Escape},	      {"Escape", XK_Escape},
		{"backspace", XK_BackSpace}, {"BackSpace", XK_BackSpace}, {"del", XK_Delete},
		{"Delete", XK_Delete},	  {"pgup", XK_Prior},	      {"PgDn", XK_Next},
		{"Page_Down", XK_Next},	  {"up", XK_Up},	      {"Down", XK_Down},
		{"left", XK_Left},	  {"RIGHT", XK_Right},	      {"space", XK_space},
		{"tab", XK_Tab},	  {"Tab", XK_Tab},	      {"home", XK_Home},
		{"End", XK_End},	  {"f1", XK_F1},	      {"F12", XK_F12},
		{"f35", XK_F35},	  {"kp_enter", XK_KP_Enter},  {"KP_Add", XK_KP_Add},
		{"a", XK_a},		  {"A", XK_a},		      {"7", XK_7},
		{"/", XK_slash},	  {"+", XK_plus},	      {"-", XK_minus},
		{"\xc3\xa9", XK_eacute},  {"insert", XK_Insert},      {"menu", XK_Menu},
		{"XF86AudioMute", 0x1008ff12}, {"ctrl", XK_Control_L}, {"Control", XK_Control_L},
		{"shift", XK_Shift_L},	  {"ALT", XK_Alt_L},	      {"super", XK_Super_L},
		{"meta", XK_Super_L},	  {"win", XK_Super_L},	      {"cmd", XK_Super_L},
		{"nosuchkey", NoSymbol},  {"", NoSymbol},	      {"f0", NoSymbol},
		{"f36", NoSymbol},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		KeySym got = magi__x11_keysym_from_name(t[i].name);
		CHECK_MSG(got == t[i].ks, "'%s' -> 0x%lx, want 0x%lx", t[i].name, (unsigned long)got,
			  (unsigned long)t[i].ks);
	}
}

static void combo(const char *s, int n_mods, KeySym m0, KeySym m1, KeySym key)
{
	struct magi__x11_combo c;
	struct magi_error err;
	magi_status st = magi__x11_combo_parse(s, &c, &err);
	CHECK_MSG(st == MAGI_OK, "'%s': %s", s, err.msg);
	if (st)
		return;
	CHECK_MSG(c.n_mods == n_mods && c.key == key && (n_mods < 1 || c.mods[0] == m0) &&
			  (n_mods < 2 || c.mods[1] == m1),
		  "'%s' -> %d mods, key 0x%lx", s, c.n_mods, (unsigned long)c.key);
}

static void bad(const char *s, const char *msg)
{
	struct magi__x11_combo c;
	struct magi_error err;
	magi_error_clear(&err);
	CHECK_MSG(magi__x11_combo_parse(s, &c, &err) == MAGI_ERR_INVALID, "'%s' accepted", s ? s : "(null)");
	CHECK_CONTAINS(err.msg, msg);
}

static void test_combos(void)
{
	combo("ctrl+s", 1, XK_Control_L, 0, XK_s);
	combo("Ctrl+S", 1, XK_Control_L, 0, XK_s);
	combo("control+shift+t", 2, XK_Control_L, XK_Shift_L, XK_t);
	combo("CTRL+SHIFT+T", 2, XK_Control_L, XK_Shift_L, XK_t);
	combo("alt+F4", 1, XK_Alt_L, 0, XK_F4);
	combo("super", 0, 0, 0, XK_Super_L);
	combo("Return", 0, 0, 0, XK_Return);
	combo("ctrl+shift", 1, XK_Control_L, 0, XK_Shift_L); /* only modifiers: last is the key */
	combo("ctrl++", 1, XK_Control_L, 0, XK_plus);
	combo("+", 0, 0, 0, XK_plus);
	combo("ctrl+-", 1, XK_Control_L, 0, XK_minus);
	combo("-", 0, 0, 0, XK_minus);
	combo("ctrl-s", 1, XK_Control_L, 0, XK_s);
	combo("ctrl--", 1, XK_Control_L, 0, XK_minus);
	combo("shift-tab", 1, XK_Shift_L, 0, XK_Tab);
	combo(" ctrl + s ", 1, XK_Control_L, 0, XK_s);
	combo("win+e", 1, XK_Super_L, 0, XK_e);
	combo("meta+e", 1, XK_Super_L, 0, XK_e);
	combo("ctrl+alt+shift+super+x", 4, XK_Control_L, XK_Alt_L, XK_x);

	bad(NULL, "without keys");
	bad("", "empty key combo");
	bad("   ", "empty key combo");
	bad("ctrl+", "ends with '+'");
	bad("ctrl+nosuchkey", "unknown key 'nosuchkey' in 'ctrl+nosuchkey'");
	bad("s+ctrl", "'s' in 's+ctrl' is not a modifier");
	bad("a+b", "is not a modifier");
	bad("a-b", "unknown key 'a-b'"); /* '-' splits only after a modifier */
	bad("ctrl+ctrl+s", "repeated");
	bad("ctrl++s", "cannot read key combo");
	bad("ctrl+ +s", "empty part");
	bad("ctrl+shift+alt+super+ctrl+shift+alt+super+a+b", "more than");
	char longer[300];
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	bad(longer, "too long");
}

static void test_text_check(void)
{
	struct magi__x11_keysyms s;
	struct magi_error err;
	CHECK(magi__x11_text_check("a\r\nb\t\xc3\xa9", &s, &err) == MAGI_OK);
	CHECK(s.n == 5 && s.v[0] == XK_a && s.v[1] == XK_Return && s.v[2] == XK_b && s.v[3] == XK_Tab &&
	      s.v[4] == XK_eacute);
	free(s.v);
	CHECK(magi__x11_text_check("\r\r\n", &s, &err) == MAGI_OK && s.n == 2);
	free(s.v);
	CHECK(magi__x11_text_check("", &s, &err) == MAGI_OK && s.n == 0);
	free(s.v);
	CHECK(magi__x11_text_check("ok\x1b[2J", NULL, &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "control character U+001B at byte 2");
	CHECK(magi__x11_text_check("\xe2\x82", &s, &err) == MAGI_ERR_INVALID && s.v == NULL);
	CHECK(magi__x11_text_check(NULL, NULL, &err) == MAGI_ERR_INVALID);
	char *big = malloc(MAGI_X11_MAX_TYPE_BYTES + 2);
	memset(big, 'a', MAGI_X11_MAX_TYPE_BYTES + 1);
	big[MAGI_X11_MAX_TYPE_BYTES + 1] = '\0';
	CHECK(magi__x11_text_check(big, NULL, &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "longer than");
	free(big);
}

int main(void)
{
	test_utf8();
	test_ucs();
	test_names();
	test_combos();
	test_text_check();
	return check_done();
}
