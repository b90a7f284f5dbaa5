/* test_x11_input.c — the x11 driver's actions under a real Xvfb, checked by what X
 * clients receive: a probe window of this test records every pointer and key event
 * (buttons, positions, held modifiers, keysyms, timing); xmessage must exit with the
 * status of the button the driver clicked; bad actions are errors with messages. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <X11/XKBlib.h>
#include <X11/keysym.h>
#include "check.h"
#include "xvfb.h"
#include "magi/env.h"
#include "env/env_internal.h"
#include "core/proc.h"

#define WX 100 /* probe window position and size */
#define WY 100
#define WW 800
#define WH 500

struct rec {
	int type; /* ButtonPress, ButtonRelease, MotionNotify, KeyPress, KeyRelease */
	unsigned button, state;
	int x, y; /* root coordinates */
	KeySym ks;
	char text[8];
	Time t;
};
static struct rec recs[4096];
static int nrec;
static Display *dpy;
static Window probe;
static struct magi_env *env;

static void record(XEvent *ep);

static void drain(void)
{
	nrec = 0;
	XSync(dpy, False);
	while (XPending(dpy)) {
		XEvent e;
		XNextEvent(dpy, &e);
		record(&e);
	}
}

/* Records one event, looking its keysym up as it arrives (as a live client does). */
static void record(XEvent *ep)
{
	XEvent e = *ep;
	if (e.type == MappingNotify) {
		XRefreshKeyboardMapping(&e.xmapping);
		return;
	}
	if (nrec == (int)(sizeof recs / sizeof recs[0]))
		return;
	struct rec *r = &recs[nrec];
	memset(r, 0, sizeof *r);
	r->type = e.type;
	switch (e.type) {
	case ButtonPress:
	case ButtonRelease:
		r->button = e.xbutton.button;
		r->state = e.xbutton.state;
		r->x = e.xbutton.x_root, r->y = e.xbutton.y_root, r->t = e.xbutton.time;
		break;
	case MotionNotify:
		r->state = e.xmotion.state;
		r->x = e.xmotion.x_root, r->y = e.xmotion.y_root, r->t = e.xmotion.time;
		break;
	case KeyPress:
	case KeyRelease:
		r->state = e.xkey.state;
		r->ks = XLookupKeysym(&e.xkey, 0);
		r->t = e.xkey.time;
		XLookupString(&e.xkey, r->text, sizeof r->text - 1, NULL, NULL);
		break;
	default:
		return;
	}
	nrec++;
}

/* A client that reads its events while the action runs, not afterwards. */
static volatile int live_stop;
static void *live_loop(void *arg)
{
	(void)arg;
	for (;;) {
		int stop = live_stop;
		while (XPending(dpy)) {
			XEvent e;
			XNextEvent(dpy, &e);
			record(&e);
		}
		if (stop)
			break;
		xvfb_sleep_ms_(1);
	}
	return NULL;
}

static magi_status act_live(struct magi_action a, struct magi_error *err)
{
	nrec = 0;
	live_stop = 0;
	pthread_t th;
	pthread_create(&th, NULL, live_loop, NULL);
	magi_status s = magi_env_act(env, &a, err);
	xvfb_sleep_ms_(20);
	live_stop = 1;
	pthread_join(th, NULL);
	return s;
}

static magi_status act(struct magi_action a, struct magi_error *err)
{
	magi_status s = magi_env_act(env, &a, err);
	drain();
	return s;
}

static int count(int type, unsigned button)
{
	int n = 0;
	for (int i = 0; i < nrec; i++)
		n += recs[i].type == type && (!button || recs[i].button == button);
	return n;
}

static const struct rec *nth(int type, int k)
{
	for (int i = 0; i < nrec; i++)
		if (recs[i].type == type && k-- == 0)
			return &recs[i];
	return NULL;
}

static void pointer(int *x, int *y)
{
	Window r, c;
	int wx, wy;
	unsigned m;
	XQueryPointer(dpy, DefaultRootWindow(dpy), &r, &c, x, y, &wx, &wy, &m);
}

static void test_pointer(void)
{
	struct magi_error err;
	CHECK(act((struct magi_action){.kind = MAGI_ACT_CLICK, .has_point = true, .x = 150, .y = 160},
		  &err) == MAGI_OK);
	CHECK(count(ButtonPress, 0) == 1 && count(ButtonRelease, 0) == 1);
	const struct rec *p = nth(ButtonPress, 0);
	REQUIRE(p);
	CHECK(p->button == 1 && p->x == 150 && p->y == 160);
	int x, y;
	pointer(&x, &y);
	CHECK(x == 150 && y == 160);

	/* fractional screen points round to the nearest pixel */
	CHECK(act((struct magi_action){.kind = MAGI_ACT_CLICK, .has_point = true, .x = 200.6, .y = 300.4},
		  &err) == MAGI_OK);
	p = nth(ButtonPress, 0);
	CHECK(p && p->x == 201 && p->y == 300);

	CHECK(act((struct magi_action){.kind = MAGI_ACT_DOUBLE_CLICK, .has_point = true, .x = 400, .y = 300},
		  &err) == MAGI_OK);
	CHECK(count(ButtonPress, 1) == 2 && count(ButtonRelease, 1) == 2);
	const struct rec *p0 = nth(ButtonPress, 0), *p1 = nth(ButtonPress, 1);
	REQUIRE(p0 && p1);
	CHECK(p0->x == 400 && p1->x == 400 && p1->y == 300);
	CHECK_MSG(p1->t - p0->t < 200, "clicks %lu ms apart", (unsigned long)(p1->t - p0->t));

	CHECK(act((struct magi_action){.kind = MAGI_ACT_RIGHT_CLICK, .has_point = true, .x = 500, .y = 350},
		  &err) == MAGI_OK);
	CHECK(count(ButtonPress, 3) == 1 && count(ButtonRelease, 3) == 1 && count(ButtonPress, 0) == 1);

	double t0 = xvfb_now_ms_();
	CHECK(act((struct magi_action){.kind = MAGI_ACT_LONG_PRESS, .has_point = true, .x = 300, .y = 200,
				       .duration_ms = 300},
		  &err) == MAGI_OK);
	p0 = nth(ButtonPress, 0);
	p1 = nth(ButtonRelease, 0);
	REQUIRE(p0 && p1);
	CHECK_MSG(p1->t - p0->t >= 295 && p1->t - p0->t < 600, "held %lu ms",
		  (unsigned long)(p1->t - p0->t));
	t0 = xvfb_now_ms_();
	CHECK(act((struct magi_action){.kind = MAGI_ACT_LONG_PRESS, .has_point = true, .x = 300, .y = 200},
		  &err) == MAGI_OK);
	p0 = nth(ButtonPress, 0);
	p1 = nth(ButtonRelease, 0);
	REQUIRE(p0 && p1);
	CHECK_MSG(p1->t - p0->t >= 795 && p1->t - p0->t < 1200, "default hold %lu ms",
		  (unsigned long)(p1->t - p0->t));
	CHECK(xvfb_now_ms_() - t0 < 1500);

	/* drag and swipe: press at the start, ~10 moves with the button held, release at the end */
	for (int k = 0; k < 2; k++) {
		enum magi_action_kind kind = k ? MAGI_ACT_SWIPE : MAGI_ACT_DRAG;
		CHECK(act((struct magi_action){.kind = kind, .has_point = true, .has_point2 = true,
					       .x = 120, .y = 130, .x2 = 700, .y2 = 450},
			  &err) == MAGI_OK);
		p0 = nth(ButtonPress, 0);
		p1 = nth(ButtonRelease, 0);
		REQUIRE(p0 && p1);
		CHECK(p0->button == 1 && p0->x == 120 && p0->y == 130);
		CHECK(p1->button == 1 && p1->x == 700 && p1->y == 450);
		int moves = 0, lastx = 120;
		bool held = true, monotone = true;
		for (int i = (int)(p0 - recs); i < (int)(p1 - recs); i++)
			if (recs[i].type == MotionNotify) {
				moves++;
				held &= (recs[i].state & Button1Mask) != 0;
				monotone &= recs[i].x >= lastx;
				lastx = recs[i].x;
			}
		CHECK_MSG(moves >= 8 && moves <= 12, "%d moves", moves);
		CHECK(held && monotone && lastx == 700);
		pointer(&x, &y);
		CHECK(x == 700 && y == 450);
	}
	/* a slow drag spreads its steps over duration_ms */
	CHECK(act((struct magi_action){.kind = MAGI_ACT_DRAG, .has_point = true, .has_point2 = true,
				       .x = 600, .y = 400, .x2 = 200, .y2 = 200, .duration_ms = 400},
		  &err) == MAGI_OK);
	p0 = nth(ButtonPress, 0);
	p1 = nth(ButtonRelease, 0);
	REQUIRE(p0 && p1);
	CHECK_MSG(p1->t - p0->t >= 380, "slow drag took %lu ms", (unsigned long)(p1->t - p0->t));

	/* scroll: wheel buttons 4-7, amount clicks (default 5), at the point if given */
	struct {
		enum magi_scroll_dir dir;
		int amount;
		unsigned button;
		int want;
	} sc[] = {{MAGI_SCROLL_DOWN, 3, 5, 3},
		  {MAGI_SCROLL_UP, 0, 4, 5},
		  {MAGI_SCROLL_LEFT, 2, 6, 2},
		  {MAGI_SCROLL_RIGHT, 1, 7, 1}};
	for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++) {
		CHECK(act((struct magi_action){.kind = MAGI_ACT_SCROLL, .has_point = true, .x = 333,
					       .y = 222, .dir = sc[i].dir, .amount = sc[i].amount},
			  &err) == MAGI_OK);
		CHECK_MSG(count(ButtonPress, sc[i].button) == sc[i].want &&
				  count(ButtonPress, 0) == sc[i].want,
			  "scroll %zu: %d presses of button %u", i, count(ButtonPress, sc[i].button),
			  sc[i].button);
		p = nth(ButtonPress, 0);
		CHECK(p && p->x == 333 && p->y == 222);
	}
	/* without a point the wheel turns where the pointer is */
	CHECK(act((struct magi_action){.kind = MAGI_ACT_SCROLL, .dir = MAGI_SCROLL_DOWN, .amount = 2},
		  &err) == MAGI_OK);
	p = nth(ButtonPress, 0);
	CHECK(p && p->x == 333 && p->y == 222 && count(ButtonPress, 5) == 2);
}

static bool pressed(int k, KeySym ks, unsigned state_mask)
{
	const struct rec *r = nth(KeyPress, k);
	if (!r)
		return false;
	if (r->ks != ks || (r->state & (ShiftMask | ControlMask | Mod1Mask | Mod4Mask)) != state_mask) {
		fprintf(stderr, "key %d: got %s state 0x%x, want %s state 0x%x\n", k,
			XKeysymToString(r->ks) ? XKeysymToString(r->ks) : "?", r->state,
			XKeysymToString(ks) ? XKeysymToString(ks) : "?", state_mask);
		return false;
	}
	return true;
}

/* The last KeyPress (the key itself, after its modifiers). */
static bool combo_is(const char *combo, KeySym ks, unsigned mask)
{
	struct magi_error err;
	struct magi_action a = {.kind = MAGI_ACT_KEY, .text = (char *)combo};
	if (act(a, &err) != MAGI_OK) {
		fprintf(stderr, "%s: %s\n", combo, magi_error_text(&err));
		return false;
	}
	int presses = count(KeyPress, 0);
	bool ok = presses > 0 && pressed(presses - 1, ks, mask) &&
		  count(KeyRelease, 0) == presses;
	/* nothing stays held */
	char keys[32];
	XQueryKeymap(dpy, keys);
	for (int i = 0; i < 32; i++)
		ok &= keys[i] == 0;
	if (!ok)
		fprintf(stderr, "combo %s failed (%d presses)\n", combo, presses);
	return ok;
}

static void test_keys(void)
{
	XSetInputFocus(dpy, probe, RevertToPointerRoot, CurrentTime);
	drain();
	CHECK(combo_is("ctrl+s", XK_s, ControlMask));
	CHECK(combo_is("Ctrl+S", XK_s, ControlMask));
	CHECK(combo_is("control+shift+t", XK_t, ControlMask | ShiftMask));
	CHECK(combo_is("ctrl+shift+T", XK_t, ControlMask | ShiftMask));
	CHECK(combo_is("alt+F4", XK_F4, Mod1Mask));
	CHECK(combo_is("super", XK_Super_L, 0));
	CHECK(combo_is("win+e", XK_e, Mod4Mask));
	CHECK(combo_is("meta+e", XK_e, Mod4Mask));
	CHECK(combo_is("Return", XK_Return, 0));
	CHECK(combo_is("enter", XK_Return, 0));
	CHECK(combo_is("Escape", XK_Escape, 0));
	CHECK(combo_is("esc", XK_Escape, 0));
	CHECK(combo_is("backspace", XK_BackSpace, 0));
	CHECK(combo_is("del", XK_Delete, 0));
	CHECK(combo_is("pgup", XK_Prior, 0));
	CHECK(combo_is("pgdn", XK_Next, 0));
	CHECK(combo_is("up", XK_Up, 0));
	CHECK(combo_is("LEFT", XK_Left, 0));
	CHECK(combo_is("space", XK_space, 0));
	CHECK(combo_is("tab", XK_Tab, 0));
	CHECK(combo_is("shift+tab", XK_Tab, ShiftMask));
	CHECK(combo_is("ctrl+alt+Delete", XK_Delete, ControlMask | Mod1Mask));
	CHECK(combo_is("f11", XK_F11, 0));
	CHECK(combo_is("ctrl++", XK_equal, ControlMask | ShiftMask)); /* '+' is shift+= on us */
	CHECK(combo_is("ctrl+-", XK_minus, ControlMask));
	CHECK(combo_is("ctrl-c", XK_c, ControlMask));
	CHECK(combo_is("Home", XK_Home, 0));
	CHECK(combo_is("KP_Enter", XK_KP_Enter, 0));
	/* a key the keymap lacks is remapped onto a spare keycode for the combo */
	CHECK(combo_is("ctrl+\xc3\xa9", XK_eacute, ControlMask));

	struct magi_error err;
	const char *bad[] = {"", "   ", "ctrl+", "ctrl+nosuchkey", "s+ctrl", "ctrl+ctrl+s", "+ctrl+s",
			     "a+b"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		magi_status s = act((struct magi_action){.kind = MAGI_ACT_KEY, .text = (char *)bad[i]}, &err);
		CHECK_MSG(s == MAGI_ERR_INVALID, "key '%s' gave %s", bad[i], magi_status_name(s));
		CHECK(nrec == 0);
	}
	act((struct magi_action){.kind = MAGI_ACT_KEY, .text = "ctrl+nosuchkey"}, &err);
	CHECK_CONTAINS(err.msg, "unknown key 'nosuchkey' in 'ctrl+nosuchkey'");
	CHECK(act((struct magi_action){.kind = MAGI_ACT_KEY}, &err) == MAGI_ERR_INVALID);
}

static void test_type(void)
{
	struct magi_error err;
	XSetInputFocus(dpy, probe, RevertToPointerRoot, CurrentTime);
	drain();
	/* ASCII: Shift exactly where the keymap puts the character on level 1 */
	CHECK(act((struct magi_action){.kind = MAGI_ACT_TYPE, .text = "Hi! a~Z"}, &err) == MAGI_OK);
	char got[64] = "";
	for (int i = 0; i < nrec; i++)
		if (recs[i].type == KeyPress && recs[i].text[0] && strlen(got) < 60)
			strncat(got, recs[i].text, 1);
	CHECK_STR(got, "Hi! a~Z");
	CHECK(pressed(1, XK_h, ShiftMask)); /* after Shift_L itself */
	CHECK(count(KeyPress, 0) == count(KeyRelease, 0));

	/* Characters the US keymap lacks: remapped spare keycodes, typed, then restored */
	CHECK(act((struct magi_action){.kind = MAGI_ACT_TYPE, .text = "\xc3\xa9\xe2\x82\xac\xe6\x97\xa5\xc3\xa9"},
		  &err) == MAGI_OK);
	CHECK(count(KeyPress, 0) == 4);
	CHECK(pressed(0, XK_eacute, 0));
	CHECK(pressed(1, 0x10020ac, 0));
	CHECK(pressed(2, 0x10065e5, 0));
	CHECK(pressed(3, XK_eacute, 0));
	CHECK(nth(KeyPress, 0)->t <= nth(KeyPress, 3)->t);

	/* newline -> Return, tab -> Tab, "\r\n" is one Return */
	CHECK(act((struct magi_action){.kind = MAGI_ACT_TYPE, .text = "a\tb\r\nc\n"}, &err) == MAGI_OK);
	KeySym want[] = {XK_a, XK_Tab, XK_b, XK_Return, XK_c, XK_Return};
	CHECK(count(KeyPress, 0) == 6);
	for (int i = 0; i < 6; i++)
		CHECK(pressed(i, want[i], 0));

	/* More distinct missing characters than spare keycodes: slots are reused, after a
	 * pause that lets clients read the earlier keys under the earlier mapping. */
	struct magi_buf many;
	magi_buf_init(&many, 0);
	for (uint32_t cp = 0x3041; cp < 0x3041 + 40; cp++) { /* hiragana */
		char u[4] = {(char)(0xe0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3f)),
			     (char)(0x80 | (cp & 0x3f)), 0};
		magi_buf_puts(&many, u);
	}
	CHECK(act_live((struct magi_action){.kind = MAGI_ACT_TYPE, .text = many.data}, &err) == MAGI_OK);
	CHECK(count(KeyPress, 0) == 40);
	bool all = true;
	for (int i = 0; i < 40; i++)
		all &= nth(KeyPress, i) && nth(KeyPress, i)->ks == (KeySym)(0x1000000 + 0x3041 + i);
	CHECK(all);
	if (!all)
		for (int i = 0; i < nrec; i++)
			if (recs[i].type == KeyPress)
				fprintf(stderr, " %lx", (unsigned long)recs[i].ks);
	magi_buf_release(&many);

	/* Bad text is refused before any key goes out */
	const char *bad[] = {"ok\xff", "ok\x01", "\xed\xa0\x80", "\xc0\xaf", "x\x7f"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(act((struct magi_action){.kind = MAGI_ACT_TYPE, .text = (char *)bad[i]}, &err) ==
		      MAGI_ERR_INVALID);
		CHECK(nrec == 0);
	}
	CHECK(act((struct magi_action){.kind = MAGI_ACT_TYPE}, &err) == MAGI_ERR_INVALID);

	/* reset hands the spare keycodes back: no keysym of ours remains on the keymap */
	CHECK(magi_env_reset(env, &err) == MAGI_OK);
	int min, max, per;
	XDisplayKeycodes(dpy, &min, &max);
	KeySym *syms = XGetKeyboardMapping(dpy, (KeyCode)min, max - min + 1, &per);
	int left = 0;
	for (int i = 0; i < (max - min + 1) * per; i++)
		left += syms[i] == XK_eacute || (syms[i] >= 0x1000100 && syms[i] <= 0x110ffff);
	XFree(syms);
	CHECK_MSG(left == 0, "%d remapped keysyms left after reset", left);
	drain();
}

static void test_errors(void)
{
	struct magi_error err;
	struct {
		struct magi_action a;
		magi_status want;
		const char *msg;
	} cases[] = {
		{{.kind = MAGI_ACT_CLICK, .has_point = true, .x = 1280, .y = 10}, MAGI_ERR_INVALID,
		 "click point (1280.0, 10.0) is off the 1280x720 screen"},
		{{.kind = MAGI_ACT_CLICK, .has_point = true, .x = -1, .y = 10}, MAGI_ERR_INVALID, "off the"},
		{{.kind = MAGI_ACT_CLICK, .has_point = true, .x = 5, .y = 720}, MAGI_ERR_INVALID, "off the"},
		{{.kind = MAGI_ACT_CLICK, .has_point = true, .x = NAN, .y = 10}, MAGI_ERR_INVALID, "off the"},
		{{.kind = MAGI_ACT_CLICK}, MAGI_ERR_INVALID, "needs a point"},
		{{.kind = MAGI_ACT_DOUBLE_CLICK, .has_point = true, .x = 5, .y = 9999}, MAGI_ERR_INVALID, "off the"},
		{{.kind = MAGI_ACT_RIGHT_CLICK, .has_point = true, .x = 5e9, .y = 5}, MAGI_ERR_INVALID, "off the"},
		{{.kind = MAGI_ACT_LONG_PRESS, .has_point = true, .x = 5, .y = 5, .duration_ms = -1},
		 MAGI_ERR_INVALID, "duration"},
		{{.kind = MAGI_ACT_DRAG, .has_point = true, .has_point2 = true, .x = 5, .y = 5, .x2 = 1300, .y2 = 5},
		 MAGI_ERR_INVALID, "end point (1300.0, 5.0) is off"},
		{{.kind = MAGI_ACT_SWIPE, .has_point = true, .x = 5, .y = 5}, MAGI_ERR_INVALID,
		 "needs a start point and an end point"},
		{{.kind = MAGI_ACT_SCROLL, .dir = MAGI_SCROLL_DOWN, .amount = 1000}, MAGI_ERR_INVALID, "amount"},
		{{.kind = MAGI_ACT_SCROLL, .has_point = true, .x = 2000, .y = 1, .dir = MAGI_SCROLL_UP},
		 MAGI_ERR_INVALID, "off the"},
		{{.kind = MAGI_ACT_TYPE, .has_point = true, .x = 1, .y = 800, .text = "x"}, MAGI_ERR_INVALID, "off the"},
		{{.kind = MAGI_ACT_TYPE, .has_point = true, .x = 150, .y = 150, .text = "bad\xff"},
		 MAGI_ERR_INVALID, "not valid UTF-8 at byte 3"}, /* refused before the click */
		{{.kind = MAGI_ACT_WAIT, .duration_ms = -5}, MAGI_ERR_INVALID, "duration"},
		{{.kind = MAGI_ACT_BACK}, MAGI_ERR_UNSUPPORTED, "cannot perform 'back'"},
		{{.kind = MAGI_ACT_HOME}, MAGI_ERR_UNSUPPORTED, "cannot perform 'home'"},
		{{.kind = MAGI_ACT_OPEN_APP, .text = "xterm"}, MAGI_ERR_UNSUPPORTED, "cannot perform 'open_app'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		magi_status s = act(cases[i].a, &err);
		CHECK_MSG(s == cases[i].want, "case %zu: %s (%s)", i, magi_status_name(s), err.msg);
		CHECK_CONTAINS(err.msg, cases[i].msg);
		CHECK_MSG(nrec == 0, "case %zu sent %d events", i, nrec);
	}
	double t0 = xvfb_now_ms_();
	CHECK(act((struct magi_action){.kind = MAGI_ACT_WAIT, .duration_ms = 120}, &err) == MAGI_OK);
	double dt = xvfb_now_ms_() - t0;
	CHECK_MSG(dt >= 120 && dt < 400, "wait took %.0f ms", dt);
}

/* xmessage's buttons: find Beta with xwininfo, click it through the driver, and the
 * program must exit with Beta's status. */
static void test_xmessage(const char *name)
{
	XUnmapWindow(dpy, probe);
	XSync(dpy, False);
	char *argv[] = {"xmessage", "-center", "-buttons", "Alpha:11,Beta:12,Gamma:13", "Pick one", NULL};
	pid_t pid = xvfb_spawn(name, argv);
	REQUIRE(xvfb_find_window(dpy, "xmessage", 5000) != None);
	char *xwi[] = {"xwininfo", "-display", (char *)name, "-tree", "-name", "xmessage", NULL};
	struct magi_proc_result r;
	struct magi_error err;
	REQUIRE(magi__proc_run(xwi, NULL, true, 65536, 10000, &r, &err) == MAGI_OK);
	/* child lines: "0x200037 (has no name): ()  36x17+53+29  +621+363" */
	struct {
		int w, h, ax, ay;
	} wins[32];
	int n = 0;
	for (char *line = r.out.data; line && *line && n < 32;) {
		char *nl = strchr(line, '\n');
		char *geo = strstr(line, "()  ");
		int w, h, x, y, ax, ay;
		if (geo && (!nl || geo < nl) &&
		    sscanf(geo, "()  %dx%d+%d+%d  +%d+%d", &w, &h, &x, &y, &ax, &ay) == 6)
			wins[n].w = w, wins[n].h = h, wins[n].ax = ax, wins[n].ay = ay, n++;
		line = nl ? nl + 1 : NULL;
	}
	magi_buf_release(&r.out);
	/* the buttons: three windows on one row */
	int row[3], nr = 0;
	for (int i = 0; i < n && nr < 3; i++) {
		nr = 0;
		for (int j = 0; j < n && nr < 3; j++)
			if (wins[j].ay == wins[i].ay && wins[j].h == wins[i].h && wins[j].h < 60)
				row[nr++] = j;
	}
	REQUIRE(nr == 3);
	for (int i = 0; i < 3; i++) /* sort by x */
		for (int j = i + 1; j < 3; j++)
			if (wins[row[j]].ax < wins[row[i]].ax) {
				int t = row[i];
				row[i] = row[j];
				row[j] = t;
			}
	int beta = row[1];
	double bx = wins[beta].ax + wins[beta].w / 2.0, by = wins[beta].ay + wins[beta].h / 2.0;
	CHECK(act((struct magi_action){.kind = MAGI_ACT_CLICK, .has_point = true, .x = bx, .y = by},
		  &err) == MAGI_OK);
	int status = xvfb_wait(pid, 5000);
	CHECK_MSG(status == 12, "xmessage exited with %d", status);
}

int main(void)
{
	char name[16];
	int rc = xvfb_start("1280x720x24", name);
	if (rc == 77)
		SKIP("Xvfb is not installed");
	REQUIRE(rc == 0);
	if (!xvfb_have("xmessage") || !xvfb_have("xwininfo"))
		SKIP("xmessage or xwininfo is not installed");
	dpy = XOpenDisplay(name);
	REQUIRE(dpy);
	XSetWindowAttributes sa = {.event_mask = ButtonPressMask | ButtonReleaseMask | PointerMotionMask |
						 KeyPressMask | KeyReleaseMask,
				   .background_pixel = 0x224466};
	probe = XCreateWindow(dpy, DefaultRootWindow(dpy), WX, WY, WW, WH, 0, CopyFromParent, InputOutput,
			      CopyFromParent, CWEventMask | CWBackPixel, &sa);
	XStoreName(dpy, probe, "probe");
	XMapRaised(dpy, probe);
	XSync(dpy, False);
	struct magi_error err;
	REQUIRE(magi__env_x11_open(name, &env, &err) == MAGI_OK);
	drain();
	test_pointer();
	test_keys();
	test_type();
	test_errors();
	test_xmessage(name);
	magi_env_close(env);
	XCloseDisplay(dpy);
	return check_done();
}
