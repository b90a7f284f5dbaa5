/*
 * env_x11.c — an X11 desktop as an environment.
 *
 * observe: a screenshot of the root window (XShmGetImage into a shared segment when the
 * MIT-SHM extension works, else XGetImage), converted to RGB8 from the visual's channel
 * masks. The segment holds a band of rows (~512 KB), not the screen (3.7 MB at 1280x720
 * in 32 bits, resident beside the RGB copy for the whole run): the screen is fetched band
 * by band, one round trip each; the text is the list of mapped top-level windows (title, class, geometry),
 * the app the focused window's title.
 * act: XTest pointer and key events (keyboard handling in x11_keys.c), XSync after each
 * action, then a short settle delay.
 *
 * Settings from the environment (read when the display is opened):
 *   MAGI_X11_SETTLE_MS  pause after each action, 0..1000 ms (default 20)
 *   MAGI_X11_NO_SHM=1   capture with XGetImage even when MIT-SHM is available
 *
 * X protocol errors never end the process: a per-display record is filled by a shared
 * error handler and turned into MAGI_ERR_ENV by the action that caused it. A lost
 * connection marks the environment dead (XSetIOErrorExitHandler) instead of exiting.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/XTest.h>
#include "env/env_internal.h"
#include "env/x11_keys.h"
#include "core/common.h"

#define X11_SETTLE_DEFAULT_MS 0.0 /* the run loop waits (--settle) before it looks again */
#define X11_MAX_WINDOWS 64         /* windows listed in obs->text */
#define X11_MAX_TITLE 200          /* bytes of a title kept */
#define X11_TEXT_MAX (64 * 1024)   /* cap of obs->text */
#define X11_DRAG_STEPS 10
#define X11_DRAG_STEP_MS 15.0
#define X11_CLICK_GAP_MS 20.0      /* between the clicks of a double click */
#define X11_LONG_PRESS_DEFAULT_MS 800.0
#define X11_WAIT_DEFAULT_MS 1000.0
#define X11_MAX_HOLD_MS 60000.0    /* long_press, drag duration */
#define X11_MAX_WAIT_MS 600000.0
#define X11_SCROLL_DEFAULT 5
#define X11_MAX_SCROLL 100

struct chan {
	unsigned long mask;
	int shift, bits;
	uint8_t lut[256]; /* value -> 0..255 when bits <= 8 */
};

struct x11_env {
	Display *dpy;
	char name[128]; /* display as given, for messages */
	int screen;
	Window root;
	Visual *visual;
	int depth;
	uint32_t w, h;
	bool has_xtest, dead, std_masks;
	bool want_shm;   /* extension present and not disabled */
	XImage *shm_img; /* attached segment of shm_w x shm_h (a band of rows), or NULL */
	XShmSegmentInfo shm;
	uint32_t shm_w, shm_h;
	double settle_ms;
	struct chan r, g, b;
	struct magi__x11_kbd kbd;
	Atom a_net_wm_name, a_utf8, a_wm_state, a_net_active, a_net_stacking;
	/* first X error since the last check (written by on_x_error under reg_lock) */
	int xerr_count;
	XErrorEvent xerr;
	struct x11_env *next; /* error-handler registry */
};

/* ---- X error handling -------------------------------------------------------------- */

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct x11_env *reg_head;
static XErrorHandler reg_prev;
static XIOErrorHandler reg_prev_io;
static bool reg_installed;

static int on_x_error(Display *dpy, XErrorEvent *ev)
{
	pthread_mutex_lock(&reg_lock);
	for (struct x11_env *e = reg_head; e; e = e->next)
		if (e->dpy == dpy) {
			if (e->xerr_count++ == 0)
				e->xerr = *ev;
			pthread_mutex_unlock(&reg_lock);
			return 0;
		}
	XErrorHandler prev = reg_prev;
	pthread_mutex_unlock(&reg_lock);
	/* Not one of ours: whoever handled errors before us decides. */
	return prev ? prev(dpy, ev) : 0;
}

/* A lost connection: Xlib calls the (process-wide) I/O error handler, which by default
 * exits, then the display's exit handler. For our displays the first returns and the
 * second marks the environment dead; Xlib then fails every call on it at once. */
static int on_io_error(Display *dpy)
{
	pthread_mutex_lock(&reg_lock);
	struct x11_env *e = reg_head;
	while (e && e->dpy != dpy)
		e = e->next;
	XIOErrorHandler prev = reg_prev_io;
	pthread_mutex_unlock(&reg_lock);
	if (e)
		return 0;
	return prev ? prev(dpy) : 0;
}

static void on_io_exit(Display *dpy, void *data)
{
	(void)dpy;
	struct x11_env *e = data;
	if (!e->dead)
		MAGI_WARN("x11 %s: lost the connection to the X server", e->name);
	e->dead = true;
}

static void reg_add(struct x11_env *e)
{
	pthread_mutex_lock(&reg_lock);
	if (!reg_installed) {
		reg_prev = XSetErrorHandler(on_x_error);
		reg_prev_io = XSetIOErrorHandler(on_io_error);
		reg_installed = true;
	}
	e->next = reg_head;
	reg_head = e;
	pthread_mutex_unlock(&reg_lock);
}

static void reg_remove(struct x11_env *e)
{
	pthread_mutex_lock(&reg_lock);
	for (struct x11_env **p = &reg_head; *p; p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			break;
		}
	pthread_mutex_unlock(&reg_lock);
}

static int xerr_take(struct x11_env *e, XErrorEvent *ev)
{
	pthread_mutex_lock(&reg_lock);
	int n = e->xerr_count;
	if (n && ev)
		*ev = e->xerr;
	e->xerr_count = 0;
	pthread_mutex_unlock(&reg_lock);
	return n;
}

static magi_status dead_error(struct x11_env *e, struct magi_error *err)
{
	return magi_error_set(err, MAGI_ERR_ENV,
			      "lost the connection to X display '%s' (did the X server exit?)", e->name);
}

/* XSync, then reports the first X error raised since the last check, if any. */
static magi_status x_check(struct x11_env *e, const char *what, struct magi_error *err)
{
	if (!e->dead)
		XSync(e->dpy, False);
	if (e->dead)
		return dead_error(e, err);
	XErrorEvent ev;
	int n = xerr_take(e, &ev);
	if (!n)
		return MAGI_OK;
	char text[256];
	XGetErrorText(e->dpy, ev.error_code, text, sizeof text);
	return magi_error_set(err, MAGI_ERR_ENV,
			      "%s on X display '%s': %s (request %u.%u, resource 0x%lx)%s", what,
			      e->name, text, ev.request_code, ev.minor_code, ev.resourceid,
			      n > 1 ? " and more errors" : "");
}

/* Drops errors nobody is waiting for any more (requests of an earlier observation). */
static void x_discard(struct x11_env *e)
{
	if (!e->dead)
		XSync(e->dpy, False);
	XErrorEvent ev;
	if (xerr_take(e, &ev))
		MAGI_DEBUG("x11 %s: ignoring a stale X error %d (request %u)", e->name, ev.error_code,
			   ev.request_code);
}

/* ---- pixels ------------------------------------------------------------------------ */

static void chan_init(struct chan *c, unsigned long mask)
{
	memset(c, 0, sizeof *c);
	c->mask = mask;
	if (!mask)
		return;
	while (!((mask >> c->shift) & 1))
		c->shift++;
	while (c->shift + c->bits < (int)(8 * sizeof mask) && ((mask >> (c->shift + c->bits)) & 1))
		c->bits++;
	if (c->bits <= 8) {
		unsigned max = (1u << c->bits) - 1;
		for (unsigned v = 0; v <= max; v++)
			c->lut[v] = (uint8_t)((v * 255 + max / 2) / max);
	}
}

static inline uint8_t chan_get(const struct chan *c, unsigned long pix)
{
	unsigned long v = (pix & c->mask) >> c->shift;
	return c->bits <= 8 ? c->lut[v] : (uint8_t)(v >> (c->bits - 8));
}

/* Reads one pixel of bpp 8/16/24/32 in the image's byte order. */
static inline unsigned long read_pixel(const uint8_t *p, int bytes, bool lsb)
{
	unsigned long v = 0;
	if (lsb)
		for (int i = bytes - 1; i >= 0; i--)
			v = (v << 8) | p[i];
	else
		for (int i = 0; i < bytes; i++)
			v = (v << 8) | p[i];
	return v;
}

/* Converts xi's first rows rows into img's rows from y0 on. */
static void convert(const struct x11_env *e, const XImage *xi, struct magi_image *img, uint32_t y0,
		    uint32_t rows)
{
	const int bytes = xi->bits_per_pixel / 8;
	const bool lsb = xi->byte_order == LSBFirst;
	/* byte offsets of r, g, b inside a 32- or 24-bit pixel with 0xff0000/0xff00/0xff */
	int ro = -1, go = 0, bo = 0;
	if (e->std_masks && bytes == 4)
		ro = lsb ? 2 : 1, go = lsb ? 1 : 2, bo = lsb ? 0 : 3;
	else if (e->std_masks && bytes == 3)
		ro = lsb ? 2 : 0, go = 1, bo = lsb ? 0 : 2;
	for (uint32_t y = 0; y < rows; y++) {
		const uint8_t *s = (const uint8_t *)xi->data + (size_t)y * (size_t)xi->bytes_per_line;
		uint8_t *d = img->px + (size_t)(y0 + y) * img->stride;
		if (ro >= 0) {
			for (uint32_t x = 0; x < img->w; x++, s += bytes, d += 3) {
				d[0] = s[ro];
				d[1] = s[go];
				d[2] = s[bo];
			}
			continue;
		}
		for (uint32_t x = 0; x < img->w; x++, s += bytes, d += 3) {
			unsigned long p = read_pixel(s, bytes, lsb);
			d[0] = chan_get(&e->r, p);
			d[1] = chan_get(&e->g, p);
			d[2] = chan_get(&e->b, p);
		}
	}
}

static void shm_teardown(struct x11_env *e)
{
	if (!e->shm_img)
		return;
	if (!e->dead) {
		XShmDetach(e->dpy, &e->shm);
		XSync(e->dpy, False);
	}
	e->shm_img->data = NULL; /* shared memory, not malloc'd: XDestroyImage must not free it */
	XDestroyImage(e->shm_img);
	shmdt(e->shm.shmaddr);
	e->shm_img = NULL;
}

/* Bytes of shared memory a capture goes through: the screen is fetched in bands of rows */
#define SHM_BAND_BYTES (512u * 1024u)

/* Attaches a segment for bands of w-pixel rows; false (and MIT-SHM is not tried again)
 * when the server cannot use it, e.g. over a remote connection. */
static bool shm_setup(struct x11_env *e)
{
	memset(&e->shm, 0, sizeof e->shm);
	e->shm.shmid = -1;
	/* bytes_per_line before the height is chosen: a one-row image tells it */
	XImage *xi = XShmCreateImage(e->dpy, e->visual, (unsigned)e->depth, ZPixmap, NULL, &e->shm, e->w, 1);
	uint32_t band = xi && xi->bytes_per_line > 0 ? SHM_BAND_BYTES / (uint32_t)xi->bytes_per_line : 0;
	band = MAGI_MIN(MAGI_MAX(band, 1), e->h);
	if (xi)
		XDestroyImage(xi);
	xi = XShmCreateImage(e->dpy, e->visual, (unsigned)e->depth, ZPixmap, NULL, &e->shm, e->w, band);
	if (!xi)
		goto fail;
	e->shm.shmid = shmget(IPC_PRIVATE, (size_t)xi->bytes_per_line * (size_t)xi->height,
			      IPC_CREAT | 0600);
	if (e->shm.shmid < 0) {
		XDestroyImage(xi);
		goto fail;
	}
	e->shm.shmaddr = xi->data = shmat(e->shm.shmid, NULL, 0);
	if (e->shm.shmaddr == (char *)-1) {
		xi->data = NULL;
		XDestroyImage(xi);
		shmctl(e->shm.shmid, IPC_RMID, NULL);
		goto fail;
	}
	e->shm.readOnly = False;
	xerr_take(e, NULL);
	Status ok = XShmAttach(e->dpy, &e->shm);
	XSync(e->dpy, False);
	/* Marked for removal now: it lives while attached and vanishes when we or the
	 * server go away, even if this process is killed. */
	shmctl(e->shm.shmid, IPC_RMID, NULL);
	if (!ok || xerr_take(e, NULL) || e->dead) {
		xi->data = NULL;
		XDestroyImage(xi);
		shmdt(e->shm.shmaddr);
		goto fail;
	}
	e->shm_img = xi;
	e->shm_w = e->w;
	e->shm_h = band;
	return true;
fail:
	MAGI_INFO("x11 %s: MIT-SHM unusable, capturing with XGetImage", e->name);
	e->want_shm = false;
	return false;
}

static magi_status bpp_check(const struct x11_env *e, const XImage *xi, struct magi_error *err)
{
	int bpp = xi->bits_per_pixel;
	if (bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32)
		return magi_error_set(err, MAGI_ERR_UNSUPPORTED,
				      "X display '%s' uses %d bits per pixel, which magi cannot read", e->name, bpp);
	return MAGI_OK;
}

/* Fetches the screen band by band through the shared segment into a new *out. false when
 * XShmGetImage failed (MIT-SHM is then given up; *out is NULL). The server is grabbed
 * meanwhile so that no client draws between two bands: the bands are one moment's screen,
 * as a single request's image is. */
static bool shm_capture(struct x11_env *e, struct magi_image *out)
{
	XImage *xi = e->shm_img;
	bool ok = true;
	xerr_take(e, NULL);
	XGrabServer(e->dpy);
	for (uint32_t y = 0; y < e->h && ok; y += e->shm_h) {
		/* the last band may be shorter: the request asks for the image's height */
		xi->height = (int)MAGI_MIN(e->shm_h, e->h - y);
		ok = XShmGetImage(e->dpy, e->root, xi, 0, (int)y, AllPlanes) && !xerr_take(e, NULL);
		if (ok)
			convert(e, xi, out, y, (uint32_t)xi->height);
		xi->height = (int)e->shm_h;
	}
	XUngrabServer(e->dpy);
	XFlush(e->dpy);
	return ok;
}

/* Re-reads the root size (it changes with RandR) and captures the screen. */
static magi_status capture(struct x11_env *e, struct magi_image **out, struct magi_error *err)
{
	*out = NULL;
	Window rr;
	int gx, gy;
	unsigned gw, gh, gb, gd;
	if (!XGetGeometry(e->dpy, e->root, &rr, &gx, &gy, &gw, &gh, &gb, &gd) || e->dead) {
		if (e->dead)
			return dead_error(e, err);
		magi_status s = x_check(e, "reading the screen size", err);
		return s ? s
			 : magi_error_set(err, MAGI_ERR_ENV, "cannot read the screen size of X display '%s'",
					  e->name);
	}
	e->w = gw;
	e->h = gh;
	if (e->shm_img && (e->shm_w != e->w || e->shm_h > e->h))
		shm_teardown(e);
	magi_status s = MAGI_OK;
	if (e->want_shm && (e->shm_img || shm_setup(e))) {
		if ((s = bpp_check(e, e->shm_img, err)))
			return s;
		if ((s = magi_image_new(e->w, e->h, out)))
			return magi_error_set(err, s, "cannot allocate a %ux%u screenshot", e->w, e->h);
		if (shm_capture(e, *out))
			return MAGI_OK;
		magi_image_free(*out);
		*out = NULL;
		if (e->dead)
			return dead_error(e, err);
		MAGI_WARN("x11 %s: XShmGetImage failed, falling back to XGetImage", e->name);
		shm_teardown(e);
		e->want_shm = false;
	}
	XImage *xi = XGetImage(e->dpy, e->root, 0, 0, e->w, e->h, AllPlanes, ZPixmap);
	if (!xi) {
		s = x_check(e, "capturing the screen", err);
		return s ? s
			 : magi_error_set(err, MAGI_ERR_ENV, "cannot capture X display '%s' (XGetImage failed)",
					  e->name);
	}
	if (!(s = bpp_check(e, xi, err))) {
		if ((s = magi_image_new(e->w, e->h, out)))
			magi_error_set(err, s, "cannot allocate a %ux%u screenshot", e->w, e->h);
		else
			convert(e, xi, *out, 0, e->h);
	}
	XDestroyImage(xi);
	return s;
}

/* ---- the window list --------------------------------------------------------------- */

/* Appends a title as sanitized UTF-8: control characters become spaces, bad bytes '?',
 * quotes and backslashes escaped, cut at X11_MAX_TITLE bytes on a character boundary. */
static void put_title(struct magi_buf *b, const char *s, size_t n)
{
	size_t used = 0;
	for (size_t i = 0; i < n && s[i];) {
		uint32_t cp;
		size_t l = magi__utf8_decode(s + i, n - i, &cp);
		if (used + (l ? l : 1) > X11_MAX_TITLE) {
			magi_buf_puts(b, "...");
			return;
		}
		if (!l) {
			magi_buf_putc(b, '?');
			i++, used++;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			magi_buf_putc(b, ' ');
		else if (cp == '"' || cp == '\\') {
			magi_buf_putc(b, '\\');
			magi_buf_putc(b, (char)cp);
		} else
			magi_buf_append(b, s + i, l);
		i += l, used += l;
	}
}

/* The window's title as UTF-8 (malloc'd) or NULL: _NET_WM_NAME, else WM_NAME. */
static char *window_title(struct x11_env *e, Window w)
{
	Atom type;
	int fmt;
	unsigned long n, after;
	unsigned char *data = NULL;
	if (XGetWindowProperty(e->dpy, w, e->a_net_wm_name, 0, 1024, False, e->a_utf8, &type, &fmt,
			       &n, &after, &data) == Success &&
	    data && type == e->a_utf8 && fmt == 8 && n > 0) {
		char *t = magi__strndup((const char *)data, n);
		XFree(data);
		return t;
	}
	if (data)
		XFree(data);
	XTextProperty tp;
	if (!XGetWMName(e->dpy, w, &tp) || !tp.value)
		return NULL;
	char *t = NULL;
	if (tp.format == 8 && (tp.encoding == XA_STRING || tp.encoding == e->a_utf8)) {
		struct magi_buf b;
		magi_buf_init(&b, 8 * 1024);
		for (unsigned long i = 0; i < tp.nitems; i++) {
			unsigned char c = tp.value[i];
			if (tp.encoding == e->a_utf8 || c < 0x80)
				magi_buf_putc(&b, (char)c);
			else { /* STRING is Latin-1 */
				magi_buf_putc(&b, (char)(0xc0 | (c >> 6)));
				magi_buf_putc(&b, (char)(0x80 | (c & 0x3f)));
			}
		}
		t = magi_buf_detach(&b, NULL);
	} else {
		char **list = NULL;
		int count = 0;
		if (Xutf8TextPropertyToTextList(e->dpy, &tp, &list, &count) >= Success && list &&
		    count > 0)
			t = magi__strdup(list[0]);
		if (list)
			XFreeStringList(list);
	}
	XFree(tp.value);
	return t;
}

static bool has_wm_state(struct x11_env *e, Window w)
{
	Atom type = None;
	int fmt;
	unsigned long n, after;
	unsigned char *data = NULL;
	XGetWindowProperty(e->dpy, w, e->a_wm_state, 0, 0, False, AnyPropertyType, &type, &fmt, &n,
			   &after, &data);
	if (data)
		XFree(data);
	return type != None;
}

/* The client window inside a window manager's frame (the child with WM_STATE). */
static Window frame_client(struct x11_env *e, Window frame)
{
	Window r, p, *kids = NULL, found = None;
	unsigned nk = 0;
	if (XQueryTree(e->dpy, frame, &r, &p, &kids, &nk)) {
		for (unsigned i = nk; i-- > 0 && !found;)
			if (has_wm_state(e, kids[i]))
				found = kids[i];
	}
	if (kids)
		XFree(kids);
	return found;
}

struct win {
	Window top, client; /* child of the root; the application's window (may be equal) */
	int x, y, w, h;
	char *title, *klass;
};

static void win_describe(struct x11_env *e, struct win *v)
{
	v->title = window_title(e, v->client);
	if (!v->title && v->client != v->top)
		v->title = window_title(e, v->top);
	XClassHint ch = {NULL, NULL};
	if (XGetClassHint(e->dpy, v->client, &ch)) {
		v->klass = magi__strdup(ch.res_class ? ch.res_class : ch.res_name);
		if (ch.res_name)
			XFree(ch.res_name);
		if (ch.res_class)
			XFree(ch.res_class);
	}
}

/* Mapped top-level windows, topmost first, into *wins (caller frees titles and array). */
static size_t list_windows(struct x11_env *e, struct win **wins)
{
	*wins = NULL;
	Window *stack = NULL;
	unsigned long ns = 0;
	bool from_wm = false;
	Atom type;
	int fmt;
	unsigned long after;
	unsigned char *data = NULL;
	/* A window manager publishes its clients in stacking order; without one, the
	 * root's children are the clients. Both lists go bottom to top. */
	if (XGetWindowProperty(e->dpy, e->root, e->a_net_stacking, 0, 4096, False, XA_WINDOW, &type,
			       &fmt, &ns, &after, &data) == Success &&
	    data && type == XA_WINDOW && fmt == 32 && ns > 0) {
		stack = (Window *)data;
		from_wm = true;
	} else {
		if (data)
			XFree(data);
		data = NULL;
		Window r, p;
		unsigned nk = 0;
		if (!XQueryTree(e->dpy, e->root, &r, &p, &stack, &nk))
			stack = NULL;
		ns = nk;
	}
	struct win *out = calloc(X11_MAX_WINDOWS, sizeof *out);
	size_t n = 0;
	for (unsigned long i = ns; out && i-- > 0 && n < X11_MAX_WINDOWS;) {
		XWindowAttributes wa;
		if (!XGetWindowAttributes(e->dpy, stack[i], &wa) || wa.map_state != IsViewable ||
		    wa.class == InputOnly)
			continue;
		/* X geometry convention (-geometry, xwininfo): inside size, outer corner. */
		struct win v = {stack[i], stack[i], wa.x, wa.y, wa.width, wa.height, NULL, NULL};
		if (from_wm) {
			Window child;
			XTranslateCoordinates(e->dpy, v.client, e->root, 0, 0, &v.x, &v.y, &child);
		}
		if (v.x >= (int)e->w || v.y >= (int)e->h || v.x + v.w <= 0 || v.y + v.h <= 0)
			continue; /* parked off-screen */
		if (!from_wm && !has_wm_state(e, v.top)) {
			Window c = frame_client(e, v.top);
			if (c)
				v.client = c;
		}
		win_describe(e, &v);
		if (!v.title && (wa.override_redirect || v.w <= 1 || v.h <= 1)) {
			free(v.klass); /* menus, tooltips, input-only helpers */
			continue;
		}
		out[n++] = v;
	}
	if (from_wm)
		XFree(data);
	else if (stack)
		XFree(stack);
	*wins = out;
	return n;
}

/* Index of the focused window in wins, or -1. With focus PointerRoot (no window
 * manager) the keyboard goes to the window under the pointer. */
static int focused_index(struct x11_env *e, const struct win *wins, size_t n)
{
	Window f = None;
	int rev;
	XGetInputFocus(e->dpy, &f, &rev);
	if (f == PointerRoot) {
		Window r, child = None;
		int rx, ry, wx, wy;
		unsigned mask;
		XQueryPointer(e->dpy, e->root, &r, &child, &rx, &ry, &wx, &wy, &mask);
		f = child;
	} else if (f == None || f == e->root) {
		Atom type;
		int fmt;
		unsigned long nn, after;
		unsigned char *data = NULL;
		f = None;
		if (XGetWindowProperty(e->dpy, e->root, e->a_net_active, 0, 1, False, XA_WINDOW,
				       &type, &fmt, &nn, &after, &data) == Success &&
		    data && type == XA_WINDOW && fmt == 32 && nn == 1)
			f = ((Window *)data)[0];
		if (data)
			XFree(data);
	}
	for (int depth = 0; f != None && f != e->root && depth < 32; depth++) {
		for (size_t i = 0; i < n; i++)
			if (wins[i].top == f || wins[i].client == f)
				return (int)i;
		Window r, p = None, *kids = NULL;
		unsigned nk;
		if (!XQueryTree(e->dpy, f, &r, &p, &kids, &nk))
			break;
		if (kids)
			XFree(kids);
		f = p;
	}
	return -1;
}

static void window_obs(struct x11_env *e, struct magi_obs *obs)
{
	struct win *wins;
	size_t n = list_windows(e, &wins);
	int fi = n ? focused_index(e, wins, n) : -1;
	struct magi_buf b;
	magi_buf_init(&b, X11_TEXT_MAX);
	magi_buf_printf(&b, "screen %ux%u; windows, topmost first:\n", e->w, e->h);
	if (!n)
		magi_buf_puts(&b, "(none)\n");
	for (size_t i = 0; i < n; i++) {
		magi_buf_puts(&b, "- \"");
		if (wins[i].title)
			put_title(&b, wins[i].title, strlen(wins[i].title));
		magi_buf_putc(&b, '"');
		if (wins[i].klass) {
			magi_buf_puts(&b, " [");
			put_title(&b, wins[i].klass, strlen(wins[i].klass));
			magi_buf_putc(&b, ']');
		}
		magi_buf_printf(&b, " %dx%d+%d+%d%s\n", wins[i].w, wins[i].h, wins[i].x, wins[i].y,
				(int)i == fi ? " (focused)" : "");
	}
	obs->text = magi_buf_detach(&b, NULL);
	const struct win *app = fi >= 0 ? &wins[fi] : n ? &wins[0] : NULL;
	if (app && app->title) {
		magi_buf_init(&b, X11_TEXT_MAX);
		put_title(&b, app->title, strlen(app->title));
		obs->app = magi_buf_detach(&b, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		free(wins[i].title);
		free(wins[i].klass);
	}
	free(wins);
}

static magi_status x11_observe(void *data, struct magi_obs *obs, struct magi_error *err)
{
	struct x11_env *e = data;
	double t0 = magi_now_ms();
	if (e->dead)
		return dead_error(e, err);
	x_discard(e);
	magi_status s = capture(e, &obs->screenshot, err);
	if (s)
		return s;
	window_obs(e, obs);
	/* Windows vanish between listing and asking about them (BadWindow): that is
	 * normal churn, not a failure of the observation. */
	XSync(e->dpy, False);
	xerr_take(e, NULL);
	if (e->dead)
		return dead_error(e, err);
	obs->capture_ms = magi_now_ms() - t0;
	return MAGI_OK;
}

/* ---- actions ----------------------------------------------------------------------- */

/* Everything the driver does through XTest. back/home/open_app have no X11 meaning. */
#define X11_INPUT_CAPS                                                                      \
	(MAGI_ACT_BIT(MAGI_ACT_CLICK) | MAGI_ACT_BIT(MAGI_ACT_DOUBLE_CLICK) |               \
	 MAGI_ACT_BIT(MAGI_ACT_RIGHT_CLICK) | MAGI_ACT_BIT(MAGI_ACT_LONG_PRESS) |           \
	 MAGI_ACT_BIT(MAGI_ACT_DRAG) | MAGI_ACT_BIT(MAGI_ACT_SWIPE) |                       \
	 MAGI_ACT_BIT(MAGI_ACT_TYPE) | MAGI_ACT_BIT(MAGI_ACT_KEY) |                         \
	 MAGI_ACT_BIT(MAGI_ACT_SCROLL))

static magi_status screen_point(struct x11_env *e, double x, double y, const char *what,
				int *ix, int *iy, struct magi_error *err)
{
	if (!isfinite(x) || !isfinite(y) || x < 0 || y < 0 || x >= e->w || y >= e->h)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "%s point (%.1f, %.1f) is off the %ux%u screen of X display "
				      "'%s' (valid: 0 <= x < %u, 0 <= y < %u)",
				      what, x, y, e->w, e->h, e->name, e->w, e->h);
	*ix = (int)MAGI_MIN(lround(x), (long)e->w - 1);
	*iy = (int)MAGI_MIN(lround(y), (long)e->h - 1);
	return MAGI_OK;
}

static magi_status duration(double given, double def, double max, const char *what, double *out,
			    struct magi_error *err)
{
	if (!isfinite(given) || given < 0 || given > max)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "%s duration %.0f ms is outside 0..%.0f ms", what, given, max);
	*out = given > 0 ? given : def;
	return MAGI_OK;
}

static void move_to(struct x11_env *e, int x, int y)
{
	XTestFakeMotionEvent(e->dpy, e->screen, x, y, CurrentTime);
}

static void button(struct x11_env *e, unsigned b, bool down)
{
	XTestFakeButtonEvent(e->dpy, b, down, CurrentTime);
}

static magi_status act_drag(struct x11_env *e, const struct magi_action *a,
			    struct magi_error *err)
{
	const char *what = magi_action_kind_name(a->kind);
	if (!a->has_point || !a->has_point2)
		return magi_error_set(err, MAGI_ERR_INVALID, "%s needs a start point and an end point",
				      what);
	int x0, y0, x1, y1;
	double total = 0;
	magi_status s;
	if ((s = screen_point(e, a->x, a->y, "start", &x0, &y0, err)) ||
	    (s = screen_point(e, a->x2, a->y2, "end", &x1, &y1, err)) ||
	    (s = duration(a->duration_ms, X11_DRAG_STEPS * X11_DRAG_STEP_MS, X11_MAX_HOLD_MS, what,
			  &total, err)))
		return s;
	double step_ms = total / X11_DRAG_STEPS;
	move_to(e, x0, y0);
	button(e, 1, true);
	XSync(e->dpy, False);
	magi_sleep_ms(step_ms);
	for (int i = 1; i <= X11_DRAG_STEPS; i++) {
		move_to(e, x0 + (int)lround((double)(x1 - x0) * i / X11_DRAG_STEPS),
			y0 + (int)lround((double)(y1 - y0) * i / X11_DRAG_STEPS));
		XSync(e->dpy, False);
		magi_sleep_ms(step_ms);
	}
	button(e, 1, false);
	return MAGI_OK;
}

static magi_status act_scroll(struct x11_env *e, const struct magi_action *a,
			      struct magi_error *err)
{
	if (a->amount < 0 || a->amount > X11_MAX_SCROLL)
		return magi_error_set(err, MAGI_ERR_INVALID, "scroll amount %d is outside 1..%d",
				      a->amount, X11_MAX_SCROLL);
	unsigned b;
	switch (a->dir) {
	case MAGI_SCROLL_UP: b = 4; break;
	case MAGI_SCROLL_DOWN: b = 5; break;
	case MAGI_SCROLL_LEFT: b = 6; break;
	case MAGI_SCROLL_RIGHT: b = 7; break;
	default:
		return magi_error_set(err, MAGI_ERR_INVALID, "unknown scroll direction %d", (int)a->dir);
	}
	if (a->has_point) {
		int x, y;
		magi_status s = screen_point(e, a->x, a->y, "scroll", &x, &y, err);
		if (s)
			return s;
		move_to(e, x, y);
	}
	int n = a->amount ? a->amount : X11_SCROLL_DEFAULT;
	for (int i = 0; i < n; i++) {
		button(e, b, true);
		button(e, b, false);
	}
	return MAGI_OK;
}

static magi_status x11_act(void *data, const struct magi_action *a, struct magi_error *err)
{
	struct x11_env *e = data;
	const char *what = magi_action_kind_name(a->kind);
	if (e->dead)
		return dead_error(e, err);
	if (a->kind == MAGI_ACT_WAIT) {
		double ms = 0;
		magi_status s = duration(a->duration_ms, X11_WAIT_DEFAULT_MS, X11_MAX_WAIT_MS, what, &ms,
					 err);
		if (s == MAGI_OK)
			magi_sleep_ms(ms);
		return s;
	}
	if ((unsigned)a->kind >= MAGI_ACT__COUNT || !(X11_INPUT_CAPS & MAGI_ACT_BIT(a->kind)))
		return magi_error_set(err, MAGI_ERR_UNSUPPORTED,
				      "the x11 environment cannot perform '%s'", what ? what : "?");
	if (!e->has_xtest)
		return magi_error_set(err, MAGI_ERR_UNSUPPORTED,
				      "X display '%s' lacks the XTEST extension, so magi cannot "
				      "send input to it",
				      e->name);
	x_discard(e);
	magi_status s = MAGI_OK;
	int x = 0, y = 0;
	bool pointed = a->kind == MAGI_ACT_CLICK || a->kind == MAGI_ACT_DOUBLE_CLICK ||
		       a->kind == MAGI_ACT_RIGHT_CLICK || a->kind == MAGI_ACT_LONG_PRESS;
	if (pointed && !a->has_point)
		return magi_error_set(err, MAGI_ERR_INVALID, "%s needs a point (x, y)", what);
	if ((pointed || (a->kind == MAGI_ACT_TYPE && a->has_point)) &&
	    (s = screen_point(e, a->x, a->y, what, &x, &y, err)))
		return s;
	switch (a->kind) {
	case MAGI_ACT_CLICK:
	case MAGI_ACT_RIGHT_CLICK:
	case MAGI_ACT_DOUBLE_CLICK: {
		unsigned b = a->kind == MAGI_ACT_RIGHT_CLICK ? 3 : 1;
		move_to(e, x, y);
		for (int i = 0; i < (a->kind == MAGI_ACT_DOUBLE_CLICK ? 2 : 1); i++) {
			if (i) {
				XSync(e->dpy, False);
				magi_sleep_ms(X11_CLICK_GAP_MS);
			}
			button(e, b, true);
			button(e, b, false);
		}
		break;
	}
	case MAGI_ACT_LONG_PRESS: {
		double ms = 0;
		if ((s = duration(a->duration_ms, X11_LONG_PRESS_DEFAULT_MS, X11_MAX_HOLD_MS, what, &ms,
				  err)))
			return s;
		move_to(e, x, y);
		button(e, 1, true);
		XSync(e->dpy, False);
		magi_sleep_ms(ms);
		button(e, 1, false);
		break;
	}
	case MAGI_ACT_DRAG:
	case MAGI_ACT_SWIPE:
		s = act_drag(e, a, err);
		break;
	case MAGI_ACT_SCROLL:
		s = act_scroll(e, a, err);
		break;
	case MAGI_ACT_TYPE:
		if ((s = magi__x11_text_check(a->text, NULL, err)))
			return s;
		if (a->has_point) { /* "type here": focus the field first */
			move_to(e, x, y);
			button(e, 1, true);
			button(e, 1, false);
			XSync(e->dpy, False);
			magi_sleep_ms(e->settle_ms);
		}
		s = magi__x11_kbd_type(&e->kbd, a->text, err);
		break;
	case MAGI_ACT_KEY:
		s = magi__x11_kbd_combo(&e->kbd, a->text, err);
		break;
	default:
		return magi_error_set(err, MAGI_ERR_UNSUPPORTED,
				      "the x11 environment cannot perform '%s'", what);
	}
	if (s == MAGI_OK)
		s = x_check(e, what, err);
	else
		x_discard(e); /* keep the first error's message */
	if (s == MAGI_OK && e->settle_ms > 0)
		magi_sleep_ms(e->settle_ms);
	return s;
}

static uint32_t x11_caps(void *data)
{
	struct x11_env *e = data;
	return MAGI_ACT_BIT(MAGI_ACT_WAIT) | (e->has_xtest ? X11_INPUT_CAPS : 0);
}

/* Lets go of anything an interrupted action left held and restores remapped keys. */
static magi_status x11_reset(void *data, struct magi_error *err)
{
	struct x11_env *e = data;
	if (e->dead)
		return dead_error(e, err);
	if (e->has_xtest) {
		Window r, c;
		int rx, ry, wx, wy;
		unsigned mask = 0;
		XQueryPointer(e->dpy, e->root, &r, &c, &rx, &ry, &wx, &wy, &mask);
		for (unsigned b = 1; b <= 5; b++)
			if (mask & (Button1Mask << (b - 1)))
				button(e, b, false);
		magi__x11_kbd_release_held(&e->kbd);
		magi__x11_kbd_restore(&e->kbd);
	}
	return x_check(e, "resetting input", err);
}

/* Lets go of every button and key down on the server, over a connection of its own: the
 * caller may be another thread while this environment's connection is busy (a second
 * Ctrl-C in the middle of a drag), or that connection may be broken. */
static magi_status x11_release(void *data, struct magi_error *err)
{
	struct x11_env *e = data;
	if (!e->has_xtest)
		return MAGI_OK;
	Display *d = XOpenDisplay(e->name);
	if (!d)
		return magi_error_set(err, MAGI_ERR_ENV, "cannot open X display '%s' to release input", e->name);
	Window r, c;
	int rx, ry, wx, wy;
	unsigned mask = 0;
	XQueryPointer(d, DefaultRootWindow(d), &r, &c, &rx, &ry, &wx, &wy, &mask);
	for (unsigned b = 1; b <= 5; b++)
		if (mask & (Button1Mask << (b - 1)))
			XTestFakeButtonEvent(d, b, False, CurrentTime);
	char keys[32];
	XQueryKeymap(d, keys);
	for (int k = 8; k < 256; k++)
		if (keys[k / 8] & (1 << (k % 8)))
			XTestFakeKeyEvent(d, (unsigned)k, False, CurrentTime);
	XSync(d, False);
	XCloseDisplay(d);
	return MAGI_OK;
}

static void x11_close(void *data)
{
	struct x11_env *e = data;
	if (!e)
		return;
	if (e->dpy) {
		if (!e->dead && e->has_xtest)
			magi__x11_kbd_restore(&e->kbd);
		shm_teardown(e);
		XCloseDisplay(e->dpy);
		reg_remove(e);
	}
	free(e);
}

static const struct magi_env_ops x11_ops = {"x11",    x11_observe, x11_act,    x11_reset,
					    x11_close, x11_caps,    x11_release};

static pthread_once_t threads_once = PTHREAD_ONCE_INIT;
static void init_threads(void)
{
	XInitThreads(); /* several environments may run on several threads */
}

static double settle_from_env(void)
{
	const char *v = getenv("MAGI_X11_SETTLE_MS");
	double ms;
	if (!v || !*v)
		return X11_SETTLE_DEFAULT_MS;
	if (!magi__parse_double(v, &ms) || ms < 0 || ms > 1000) {
		MAGI_WARN("MAGI_X11_SETTLE_MS='%s' is not a number of ms in 0..1000; using %.0f", v,
			  X11_SETTLE_DEFAULT_MS);
		return X11_SETTLE_DEFAULT_MS;
	}
	return ms;
}

magi_status magi__env_x11_open(const char *display, struct magi_env **out, struct magi_error *err)
{
	*out = NULL;
	/* "99" and "99.0" mean ":99"; anything else goes to Xlib as written. */
	char name[128];
	const char *given = display && *display ? display : NULL;
	if (given && strlen(given) >= sizeof name - 1)
		return magi_error_set(err, MAGI_ERR_INVALID, "X display name '%.40s...' is too long",
				      given);
	if (given) {
		bool digits = strspn(given, "0123456789.") == strlen(given) && given[0] != '.';
		snprintf(name, sizeof name, "%s%s", digits ? ":" : "", given);
	} else {
		const char *env = getenv("DISPLAY");
		snprintf(name, sizeof name, "%s", env && *env ? env : "");
	}
	pthread_once(&threads_once, init_threads);
	Display *dpy = name[0] ? XOpenDisplay(name) : NULL;
	if (!dpy) {
		if (!name[0])
			return magi_error_set(err, MAGI_ERR_ENV,
					      "cannot open X display: DISPLAY is not set; start Xvfb "
					      "(Xvfb :99 &) and use --env x11:99");
		const char *hint = name[0] == ':' ? name + 1 : "99";
		return magi_error_set(err, MAGI_ERR_ENV,
				      "cannot open X display '%s': is Xvfb running? set DISPLAY or "
				      "use --env x11:%s",
				      name, hint);
	}
	struct x11_env *e = calloc(1, sizeof *e);
	if (!e) {
		XCloseDisplay(dpy);
		return magi_error_set(err, MAGI_ERR_NOMEM, "out of memory opening X display '%s'", name);
	}
	e->dpy = dpy;
	snprintf(e->name, sizeof e->name, "%s", name);
	reg_add(e);
	XSetIOErrorExitHandler(dpy, on_io_exit, e);
	e->screen = DefaultScreen(dpy);
	e->root = RootWindow(dpy, e->screen);
	e->visual = DefaultVisual(dpy, e->screen);
	e->depth = DefaultDepth(dpy, e->screen);
	e->w = (uint32_t)DisplayWidth(dpy, e->screen);
	e->h = (uint32_t)DisplayHeight(dpy, e->screen);
	e->settle_ms = settle_from_env();
	magi__x11_kbd_init(&e->kbd, dpy);
	int vclass = e->visual->class;
	if ((vclass != TrueColor && vclass != DirectColor) || e->depth < 15) {
		x11_close(e);
		return magi_error_set(err, MAGI_ERR_UNSUPPORTED,
				      "X display '%s' has a %d-bit %s visual; magi reads TrueColor "
				      "screens of 15 bits or more (start Xvfb with -screen 0 "
				      "1280x720x24)",
				      name, e->depth, vclass == PseudoColor ? "PseudoColor" : "non-TrueColor");
	}
	chan_init(&e->r, e->visual->red_mask);
	chan_init(&e->g, e->visual->green_mask);
	chan_init(&e->b, e->visual->blue_mask);
	e->std_masks = e->visual->red_mask == 0xff0000 && e->visual->green_mask == 0xff00 &&
		       e->visual->blue_mask == 0xff;
	int ev, er, maj, min;
	e->has_xtest = XTestQueryExtension(dpy, &ev, &er, &maj, &min);
	if (!e->has_xtest)
		MAGI_WARN("x11 %s: no XTEST extension; only observing is possible", name);
	const char *noshm = getenv("MAGI_X11_NO_SHM");
	e->want_shm = XShmQueryExtension(dpy) && !(noshm && *noshm && strcmp(noshm, "0") != 0);
	e->a_net_wm_name = XInternAtom(dpy, "_NET_WM_NAME", False);
	e->a_utf8 = XInternAtom(dpy, "UTF8_STRING", False);
	e->a_wm_state = XInternAtom(dpy, "WM_STATE", False);
	e->a_net_active = XInternAtom(dpy, "_NET_ACTIVE_WINDOW", False);
	e->a_net_stacking = XInternAtom(dpy, "_NET_CLIENT_LIST_STACKING", False);
	magi_status s = x_check(e, "opening", err);
	if (s) {
		x11_close(e);
		return s;
	}
	s = magi_env_wrap(&x11_ops, e, out);
	if (s) {
		x11_close(e);
		return magi_error_set(err, s, "cannot create the x11 environment for '%s'", name);
	}
	return MAGI_OK;
}
