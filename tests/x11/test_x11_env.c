/* test_x11_env.c — the x11 driver's observations under a real Xvfb with real X programs:
 * open errors, screenshot size and colours (24-bit with XShm and with XGetImage, 16-bit
 * through the generic mask conversion), the window list and focus, sanitized titles,
 * and a lost server connection that must not end the process. */
#include <stdlib.h>
#include <string.h>
#include <X11/Xatom.h>
#include "check.h"
#include "xvfb.h"
#include "magi/env.h"
#include "env/env_internal.h"
#include "core/proc.h"

static const uint8_t *px(const struct magi_image *img, int x, int y)
{
	return img->px + (size_t)y * img->stride + (size_t)x * 3;
}

static bool px_near(const struct magi_image *img, int x, int y, uint32_t rgb, int tol)
{
	const uint8_t *p = px(img, x, y);
	int d0 = abs(p[0] - (int)(rgb >> 16)), d1 = abs(p[1] - (int)((rgb >> 8) & 255)),
	    d2 = abs(p[2] - (int)(rgb & 255));
	return d0 <= tol && d1 <= tol && d2 <= tol;
}

/* Observes until pixel (x, y) is rgb (drawing is asynchronous), up to 5 s. */
static magi_status observe_until(struct magi_env *env, struct magi_obs *obs, int x, int y,
				 uint32_t rgb, int tol)
{
	struct magi_error err;
	double end = xvfb_now_ms_() + 5000;
	for (;;) {
		magi_status s = magi_env_observe(env, obs, &err);
		if (s) {
			fprintf(stderr, "observe: %s\n", magi_error_text(&err));
			return s;
		}
		if (px_near(obs->screenshot, x, y, rgb, tol) || xvfb_now_ms_() > end)
			return MAGI_OK;
		magi_obs_release(obs);
		xvfb_sleep_ms_(50);
	}
}

static void test_open_errors(void)
{
	struct magi_env *env = (struct magi_env *)1;
	struct magi_error err;
	CHECK(magi__env_x11_open(":4321", &env, &err) == MAGI_ERR_ENV);
	CHECK(env == NULL);
	CHECK_STR(err.msg, "cannot open X display ':4321': is Xvfb running? set DISPLAY or use "
			   "--env x11:4321");
	CHECK(magi_env_open("x11:4321", &env, &err) == MAGI_ERR_ENV);
	CHECK_CONTAINS(err.msg, "cannot open X display ':4321'");
	char *saved = getenv("DISPLAY") ? strdup(getenv("DISPLAY")) : NULL;
	unsetenv("DISPLAY");
	CHECK(magi_env_open("x11", &env, &err) == MAGI_ERR_ENV);
	CHECK_CONTAINS(err.msg, "DISPLAY is not set");
	if (saved) {
		setenv("DISPLAY", saved, 1);
		free(saved);
	}
}

static void test_capture_and_windows(const char *name)
{
	struct magi_error err;
	struct magi_env *env = NULL;
	char spec[32];
	snprintf(spec, sizeof spec, "x11:%s", name + 1); /* "x11:N" without the colon */
	REQUIRE(magi_env_open(spec, &env, &err) == MAGI_OK);
	CHECK_STR(magi_env_name(env), "x11");
	uint32_t caps = magi_env_caps(env);
	const enum magi_action_kind yes[] = {MAGI_ACT_CLICK,	 MAGI_ACT_DOUBLE_CLICK, MAGI_ACT_RIGHT_CLICK,
					     MAGI_ACT_LONG_PRESS, MAGI_ACT_DRAG,	 MAGI_ACT_SWIPE,
					     MAGI_ACT_TYPE,	 MAGI_ACT_KEY,		 MAGI_ACT_SCROLL,
					     MAGI_ACT_WAIT};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		CHECK_MSG(caps & MAGI_ACT_BIT(yes[i]), "missing cap %s", magi_action_kind_name(yes[i]));
	CHECK(!(caps & MAGI_ACT_BIT(MAGI_ACT_BACK)));
	CHECK(!(caps & MAGI_ACT_BIT(MAGI_ACT_HOME)));
	CHECK(!(caps & MAGI_ACT_BIT(MAGI_ACT_OPEN_APP)));
	CHECK(!(caps & MAGI_ACT_BIT(MAGI_ACT_DONE)));

	/* The empty root: 1280x720, black, no windows. */
	struct magi_obs empty;
	REQUIRE(magi_env_observe(env, &empty, &err) == MAGI_OK);
	REQUIRE(empty.screenshot);
	CHECK(empty.screenshot->w == 1280 && empty.screenshot->h == 720);
	CHECK(empty.screenshot->stride == 1280 * 3);
	CHECK(px_near(empty.screenshot, 0, 0, 0x000000, 0) && px_near(empty.screenshot, 1279, 719, 0, 0));
	CHECK_CONTAINS(empty.text, "screen 1280x720");
	CHECK_CONTAINS(empty.text, "(none)");
	CHECK(empty.app == NULL);
	CHECK(empty.capture_ms > 0);

	/* A real program with a known background colour at a known place. */
	char *xm[] = {"xmessage", "-geometry", "400x200+100+50", "-bg", "#3366cc", "-fg", "white",
		      "Colour check", NULL};
	pid_t pid = xvfb_spawn(name, xm);
	Display *d = XOpenDisplay(name);
	REQUIRE(d);
	Window w = xvfb_find_window(d, "xmessage", 5000);
	REQUIRE(w != None);
	struct magi_obs obs;
	REQUIRE(observe_until(env, &obs, 110, 60, 0x3366cc, 0) == MAGI_OK);
	CHECK_MSG(px_near(obs.screenshot, 110, 60, 0x3366cc, 0), "pixel is %02x%02x%02x",
		  px(obs.screenshot, 110, 60)[0], px(obs.screenshot, 110, 60)[1],
		  px(obs.screenshot, 110, 60)[2]);
	CHECK(px_near(obs.screenshot, 480, 240, 0x3366cc, 0));
	CHECK(px_near(obs.screenshot, 50, 40, 0x000000, 0)); /* outside: still root */
	int box[4];
	CHECK(magi_image_diff(empty.screenshot, obs.screenshot, 10, box) > 0);
	CHECK(box[0] >= 98 && box[1] >= 48 && box[0] + box[2] <= 503 && box[1] + box[3] <= 253);
	/* Geometry and class agree with what xwininfo says about the same window. */
	char *xwi[] = {"xwininfo", "-display", (char *)name, "-name", "xmessage", NULL};
	struct magi_proc_result r;
	REQUIRE(magi__proc_run(xwi, NULL, true, 65536, 10000, &r, &err) == MAGI_OK);
	CHECK_CONTAINS(r.out.data, "Absolute upper-left X:  100");
	CHECK_CONTAINS(r.out.data, "Absolute upper-left Y:  50");
	CHECK_CONTAINS(r.out.data, "Width: 400");
	magi_buf_release(&r.out);
	CHECK_CONTAINS(obs.text, "- \"xmessage\" [Xmessage] 400x200+100+50");
	CHECK_STR(obs.app, "xmessage");
	magi_obs_release(&obs);

	/* XGetImage (no MIT-SHM) sees exactly the same pixels. */
	setenv("MAGI_X11_NO_SHM", "1", 1);
	struct magi_env *env2 = NULL;
	REQUIRE(magi__env_x11_open(name, &env2, &err) == MAGI_OK);
	unsetenv("MAGI_X11_NO_SHM");
	struct magi_obs a, b;
	REQUIRE(magi_env_observe(env, &a, &err) == MAGI_OK);
	REQUIRE(magi_env_observe(env2, &b, &err) == MAGI_OK);
	CHECK(a.screenshot->w == b.screenshot->w && a.screenshot->h == b.screenshot->h);
	CHECK(memcmp(a.screenshot->px, b.screenshot->px, (size_t)a.screenshot->stride * a.screenshot->h) == 0);
	CHECK_STR(a.text, b.text);
	magi_obs_release(&a);
	magi_obs_release(&b);
	magi_env_close(env2);

	/* A second window with a hostile title, on top and focused. */
	Window t = XCreateSimpleWindow(d, DefaultRootWindow(d), 700, 400, 300, 150, 0, 0, 0xff8800);
	const char *evil = "Evil\n\"title\"\\ \xe2\x82\xac\x01";
	XChangeProperty(d, t, XInternAtom(d, "_NET_WM_NAME", False), XInternAtom(d, "UTF8_STRING", False),
			8, PropModeReplace, (const unsigned char *)evil, (int)strlen(evil));
	XClassHint ch = {"probe", "MagiProbe"};
	XSetClassHint(d, t, &ch);
	XMapRaised(d, t);
	XSync(d, False);
	XSetInputFocus(d, t, RevertToPointerRoot, CurrentTime);
	XSync(d, False);
	REQUIRE(observe_until(env, &obs, 800, 450, 0xff8800, 0) == MAGI_OK);
	CHECK(px_near(obs.screenshot, 800, 450, 0xff8800, 0));
	CHECK_CONTAINS(obs.text, "- \"Evil \\\"title\\\"\\\\ \xe2\x82\xac \" [MagiProbe] 300x150+700+400 (focused)\n"
				 "- \"xmessage\" [Xmessage] 400x200+100+50\n");
	CHECK_STR(obs.app, "Evil \\\"title\\\"\\\\ \xe2\x82\xac ");
	magi_obs_release(&obs);

	/* Focus back to PointerRoot: the window under the pointer is the focused one. */
	XSetInputFocus(d, PointerRoot, RevertToPointerRoot, CurrentTime);
	XWarpPointer(d, None, DefaultRootWindow(d), 0, 0, 0, 0, 200, 100);
	XSync(d, False);
	REQUIRE(magi_env_observe(env, &obs, &err) == MAGI_OK);
	CHECK_CONTAINS(obs.text, "- \"xmessage\" [Xmessage] 400x200+100+50 (focused)");
	CHECK_STR(obs.app, "xmessage");
	magi_obs_release(&obs);

	/* An unmapped window leaves the list. */
	XDestroyWindow(d, t);
	XSync(d, False);
	REQUIRE(magi_env_observe(env, &obs, &err) == MAGI_OK);
	CHECK(strstr(obs.text, "MagiProbe") == NULL);
	magi_obs_release(&obs);

	magi_obs_release(&empty);
	XCloseDisplay(d);
	magi_env_close(env);
	kill(pid, SIGTERM);
	xvfb_wait(pid, 2000);
}

/* What a window manager does, done by hand: a frame around the client, WM_STATE on
 * the client, then _NET_CLIENT_LIST_STACKING and _NET_ACTIVE_WINDOW on the root. */
static void test_fake_wm(const char *name)
{
	struct magi_error err;
	struct magi_env *env = NULL;
	REQUIRE(magi__env_x11_open(name, &env, &err) == MAGI_OK);
	Display *d = XOpenDisplay(name);
	REQUIRE(d);
	Window root = DefaultRootWindow(d);
	Window frame = XCreateSimpleWindow(d, root, 50, 500, 300, 100, 0, 0, 0x444444);
	Window client = XCreateSimpleWindow(d, frame, 0, 20, 300, 80, 0, 0, 0x00aa00);
	XStoreName(d, client, "framed app");
	XClassHint ch = {"framed", "FramedApp"};
	XSetClassHint(d, client, &ch);
	Atom wm_state = XInternAtom(d, "WM_STATE", False);
	long state[2] = {1 /* NormalState */, None};
	XChangeProperty(d, client, wm_state, wm_state, 32, PropModeReplace, (unsigned char *)state, 2);
	XMapWindow(d, client);
	XMapRaised(d, frame);
	XSetInputFocus(d, client, RevertToPointerRoot, CurrentTime);
	XSync(d, False);
	struct magi_obs obs;
	REQUIRE(magi_env_observe(env, &obs, &err) == MAGI_OK);
	/* the frame's extent on screen, the client's title and class */
	CHECK_CONTAINS(obs.text, "- \"framed app\" [FramedApp] 300x100+50+500 (focused)\n");
	CHECK_STR(obs.app, "framed app");
	magi_obs_release(&obs);

	Window outsider = XCreateSimpleWindow(d, root, 900, 10, 100, 100, 0, 0, 0x0000ff);
	XStoreName(d, outsider, "outsider");
	XMapWindow(d, outsider);
	XSync(d, False);
	REQUIRE(magi_env_observe(env, &obs, &err) == MAGI_OK);
	CHECK_CONTAINS(obs.text, "- \"outsider\" 100x100+900+10\n");
	magi_obs_release(&obs);

	/* With the stacking list the clients are listed directly, at their own place. */
	Atom stacking = XInternAtom(d, "_NET_CLIENT_LIST_STACKING", False);
	XChangeProperty(d, root, stacking, XA_WINDOW, 32, PropModeReplace, (unsigned char *)&client, 1);
	Atom active = XInternAtom(d, "_NET_ACTIVE_WINDOW", False);
	XChangeProperty(d, root, active, XA_WINDOW, 32, PropModeReplace, (unsigned char *)&client, 1);
	XSetInputFocus(d, None, RevertToNone, CurrentTime);
	XSync(d, False);
	REQUIRE(magi_env_observe(env, &obs, &err) == MAGI_OK);
	CHECK_CONTAINS(obs.text, "windows, topmost first:\n- \"framed app\" [FramedApp] 300x80+50+520 (focused)\n");
	CHECK(strstr(obs.text, "outsider") == NULL); /* not in the manager's list */
	CHECK_STR(obs.app, "framed app");
	magi_obs_release(&obs);

	XDeleteProperty(d, root, stacking);
	XDeleteProperty(d, root, active);
	XSetInputFocus(d, PointerRoot, RevertToPointerRoot, CurrentTime);
	XDestroyWindow(d, frame);
	XCloseDisplay(d);
	magi_env_close(env);
}

/* 16-bit 565 TrueColor: the generic mask conversion. */
static void test_depth16(void)
{
	char name[16];
	if (xvfb_start("640x480x16", name) != 0) {
		CHECK_MSG(0, "cannot start a 16-bit Xvfb");
		return;
	}
	struct magi_error err;
	struct magi_env *env = NULL;
	REQUIRE(magi__env_x11_open(name, &env, &err) == MAGI_OK);
	char *xm[] = {"xmessage", "-geometry", "300x100+20+30", "-bg", "#3366cc", "x", NULL};
	pid_t pid = xvfb_spawn(name, xm);
	struct magi_obs obs;
	REQUIRE(observe_until(env, &obs, 30, 40, 0x3366cc, 6) == MAGI_OK);
	CHECK(obs.screenshot->w == 640 && obs.screenshot->h == 480);
	/* 0x33,0x66,0xcc in 5/6/5 bits read back as 0x31,0x65,0xce */
	CHECK_MSG(px_near(obs.screenshot, 30, 40, 0x3166ce, 2), "pixel is %02x%02x%02x",
		  px(obs.screenshot, 30, 40)[0], px(obs.screenshot, 30, 40)[1], px(obs.screenshot, 30, 40)[2]);
	CHECK(px_near(obs.screenshot, 5, 5, 0, 0));
	magi_obs_release(&obs);
	kill(pid, SIGTERM);
	xvfb_wait(pid, 2000);

	/* The server goes away: errors, not an exit. */
	xvfb_stop(name);
	magi_status s = magi_env_observe(env, &obs, &err);
	CHECK(s == MAGI_ERR_ENV);
	CHECK_CONTAINS(err.msg, "lost the connection to X display");
	struct magi_action click = {.kind = MAGI_ACT_CLICK, .has_point = true, .x = 5, .y = 5};
	CHECK(magi_env_act(env, &click, &err) == MAGI_ERR_ENV);
	magi_env_close(env);
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
	setenv("DISPLAY", name, 1);
	test_open_errors();
	test_capture_and_windows(name);
	test_fake_wm(name);
	test_depth16();
	return check_done();
}
