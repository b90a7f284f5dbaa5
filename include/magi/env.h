/*
 * magi/env.h — environments an agent observes and acts on, and the one action schema
 * shared by all of them.
 *
 * An environment is a table of function pointers plus its private data, the way
 * SQLite's VFS works: drivers live in src/env/env_<name>.c (x11, image, video, ...)
 * and are chosen by a spec string ("x11:99", "image:shot.png", "browser:https://...").
 *
 * Coordinates: a model speaks in its own coordinate space (pixels of the image it was
 * sent, normalized 0–1000, or 0–1). magi_coords_to_screen is the one place they become
 * screen pixels; an environment's act() only ever receives screen pixels.
 */
#ifndef MAGI_ENV_H
#define MAGI_ENV_H
#include "magi/core.h"
#include "magi/vision.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MAGI_ACTION_KINDS(X)                                                   \
	X(CLICK, "click")                                                      \
	X(DOUBLE_CLICK, "double_click")                                        \
	X(RIGHT_CLICK, "right_click")                                          \
	X(LONG_PRESS, "long_press")                                            \
	X(DRAG, "drag")                                                        \
	X(SWIPE, "swipe")                                                      \
	X(TYPE, "type")                                                        \
	X(KEY, "key")                                                          \
	X(SCROLL, "scroll")                                                    \
	X(OPEN_APP, "open_app")                                                \
	X(BACK, "back")                                                        \
	X(HOME, "home")                                                        \
	X(WAIT, "wait")                                                        \
	X(ANSWER, "answer")                                                    \
	X(ASK_USER, "ask_user")                                                \
	X(DONE, "done")                                                        \
	X(NAVIGATE, "navigate")                                                \
	X(FORWARD, "forward")                                                  \
	X(NEW_TAB, "new_tab")                                                  \
	X(SWITCH_TAB, "switch_tab")                                            \
	X(CLOSE_TAB, "close_tab")                                              \
	X(SELECT_OPTION, "select_option")                                      \
	X(UPLOAD_FILE, "upload_file")                                          \
	X(CLICK_ELEMENT, "click_element")                                      \
	X(DIALOG, "dialog")

enum magi_action_kind {
#define MAGI__X(n, s) MAGI_ACT_##n,
	MAGI_ACTION_KINDS(MAGI__X)
#undef MAGI__X
	MAGI_ACT__COUNT
};
/* Caps are a 32-bit mask: the list above must stay within 32 kinds. */
#define MAGI_ACT_BIT(k) (1u << (k))

enum magi_scroll_dir { MAGI_SCROLL_DOWN, MAGI_SCROLL_UP, MAGI_SCROLL_LEFT, MAGI_SCROLL_RIGHT };

/* One action. Points are in whatever space the producer says (model space when parsed
 * from a reply, screen pixels after magi_action_to_screen). Strings are owned by the
 * action; release with magi_action_release.
 *
 * The browser's kinds and their canonical JSON:
 *   {"action":"navigate","url":"https://..."}        text = the URL
 *   {"action":"forward"}                             (back already exists)
 *   {"action":"new_tab"} / {"action":"new_tab","url":"https://..."}  text = URL or NULL
 *   {"action":"switch_tab","tab":2}                  index = tab number (1-based)
 *   {"action":"close_tab"} / {"action":"close_tab","tab":2}  index = 0: the current tab
 *   {"action":"select_option","element":4,"option":"Blue"}   index = element, text = the
 *                                                    option's label or value; or x,y
 *   {"action":"upload_file","element":7,"path":"/allowed/dir/cv.pdf"}  or x,y
 *   {"action":"click_element","element":12}          index = an element number
 *                                                    (struct magi_element.id, the marks)
 *   {"action":"dialog","accept":true} / {"action":"dialog","accept":true,"text":"..."}
 *                                                    answers an open JavaScript dialog;
 *                                                    text = a prompt()'s answer */
struct magi_action {
	enum magi_action_kind kind;
	bool has_point, has_point2;
	double x, y;   /* click/press target; drag/swipe start; scroll anchor (optional) */
	double x2, y2; /* drag/swipe end */
	char *text;    /* type: text; key: combo "ctrl+s"; open_app: app; answer; ask_user: question;
			  navigate/new_tab: URL; select_option: option; upload_file: path;
			  dialog: prompt text */
	enum magi_scroll_dir dir;
	int amount;         /* scroll: wheel clicks (default 5) */
	double duration_ms; /* wait, long_press */
	bool success;       /* done */
	int index;          /* click_element/select_option/upload_file: element number (0 =
			       none: use the point); switch_tab/close_tab: tab number (1-based,
			       0 = the current tab for close_tab) */
	bool accept;        /* dialog: accept (OK) or dismiss (Cancel) */
};

MAGI_API const char *magi_action_kind_name(enum magi_action_kind k);
MAGI_API magi_status magi_action_kind_parse(const char *s, enum magi_action_kind *out);
MAGI_API void magi_action_release(struct magi_action *a);
MAGI_API magi_status magi_action_copy(const struct magi_action *src, struct magi_action *dst);
/* Parses the canonical JSON form, e.g. {"action":"click","x":120,"y":48},
 * {"action":"drag","x":1,"y":2,"x2":3,"y2":4}, {"action":"type","text":"hi"},
 * {"action":"key","keys":"ctrl+s"}, {"action":"scroll","direction":"down","amount":3},
 * {"action":"done","success":true}. "point":[x,y] and "start"/"end" pairs are accepted too.
 * A missing field or unknown kind is MAGI_ERR_PARSE with a message meant for the model. */
MAGI_API magi_status magi_action_parse_json(const char *json, size_t n, struct magi_action *out,
					    struct magi_error *err);
/* Appends the canonical JSON form. Coordinates print as integers when integral. */
MAGI_API magi_status magi_action_to_json(const struct magi_action *a, struct magi_buf *out);

/* ---- coordinate spaces ------------------------------------------------------------ */
enum magi_coord_space {
	MAGI_COORDS_PIXELS,   /* pixels of the image the model was sent */
	MAGI_COORDS_NORM1000, /* 0..1000 across the image (UI-TARS, Qwen-VL, GUI-Owl) */
	MAGI_COORDS_NORM1,    /* 0..1 */
};
MAGI_API magi_status magi_coord_space_parse(const char *s, enum magi_coord_space *out);
MAGI_API const char *magi_coord_space_name(enum magi_coord_space s);

struct magi_coord_map {
	enum magi_coord_space space;
	uint32_t sent_w, sent_h;     /* size of the image the model saw */
	uint32_t screen_w, screen_h; /* size of the captured screen region */
	int origin_x, origin_y;      /* screen position of the region's top-left (zoom crops) */
	bool positions; /* pixel space only: values are positions on the image (x / sent_w
			   of its width, as UI-TARS-1.5 and the Qwen family read their own
			   pixels), not pixel indices (centre at x + 0.5); false by default */
};
/* Maps one model-space point to a screen pixel. A point outside the image the model was
 * sent is MAGI_ERR_INVALID with a message naming the point and the valid range. */
MAGI_API magi_status magi_coords_to_screen(const struct magi_coord_map *m, double x, double y,
					   int *sx, int *sy, struct magi_error *err);
/* Maps a screen pixel back to model space (for drawing and for the oracle's tests). */
MAGI_API void magi_coords_from_screen(const struct magi_coord_map *m, int sx, int sy, double *x,
				      double *y);
/* Maps every point of a (copied) action to screen space in place. */
MAGI_API magi_status magi_action_to_screen(const struct magi_coord_map *m, struct magi_action *a,
					   struct magi_error *err);

/* ---- observations and environments ----------------------------------------------- */

/* One element of a page (or any structured UI) with its box in screenshot pixels.
 * Flags say what it is; strings are owned by the observation that holds it. */
enum {
	MAGI_ELEM_VISIBLE = 1u << 0,     /* inside the viewport, not hidden by CSS */
	MAGI_ELEM_INTERACTIVE = 1u << 1, /* a link, button, field or something with a click handler */
	MAGI_ELEM_EDITABLE = 1u << 2,    /* takes typed text */
	MAGI_ELEM_PASSWORD = 1u << 3,    /* a password field: its value is never read */
	MAGI_ELEM_DISABLED = 1u << 4,
	MAGI_ELEM_CHECKED = 1u << 5,     /* checkbox or radio that is on */
	MAGI_ELEM_FOCUSED = 1u << 6,
	MAGI_ELEM_IN_FRAME = 1u << 7,    /* inside an iframe */
	MAGI_ELEM_IN_SHADOW = 1u << 8,   /* inside an open shadow root */
	MAGI_ELEM_TEXT = 1u << 9,        /* a run of text (one line box), not an element */
	MAGI_ELEM_PICTURE = 1u << 10,    /* a <canvas> or <img> in view: pixels whose text the
					    DOM does not have (OCR them); not interactive */
	MAGI_ELEM_NAVIGATES = 1u << 11,  /* a link that only opens a page: <a> with an http(s) or
					    relative href (not javascript:, not "#" alone), no
					    onclick attribute, no download, no click or pointer
					    listener a script added to it or to a node inside it;
					    a click submits no form */
};
struct magi_element {
	int id;       /* 1-based number: what click_element takes and --marks draws */
	char *role;   /* "button", "link", "textbox", "checkbox", "radio", "combobox",
			 "listbox", "file", "image", "text", ... (ARIA role when given) */
	char *name;   /* accessible name, or the text itself for MAGI_ELEM_TEXT; never NULL */
	char *value;  /* current value of a field or the selected option; NULL when none and
			 always NULL for passwords */
	char *tag;    /* lower-case tag name ("input"), "#text" for text runs */
	char *path;   /* where it lives: NULL in the top document; else the frames and shadow
			 hosts on the way, e.g. "iframe#pay > shadow(x-card)" */
	int x, y, w, h; /* box in screenshot pixels, relative to the viewport (may lie outside) */
	uint32_t flags; /* MAGI_ELEM_* */
};

struct magi_obs {
	struct magi_image *screenshot; /* owned; NULL for text-only environments */
	char *text;                    /* owned; window list / page title / app, may be NULL */
	char *app;                     /* owned; focused app or window title, may be NULL */
	char *url;                     /* owned; browser URL, may be NULL */
	double capture_ms;             /* time observe took */
	struct magi_element *elements; /* owned; NULL when the environment has no element list */
	size_t n_elements;             /* interactive elements first (ids 1..), then text runs
					  and pictures */
};
/* Frees everything the observation owns (elements included) and zeroes it. NULL is a
 * no-op. */
MAGI_API void magi_obs_release(struct magi_obs *o);
/* The interactive element numbered id in el[0..n) (what click_element takes), or NULL. */
MAGI_API const struct magi_element *magi_element_find(const struct magi_element *el, size_t n, int id);
/* The innermost visible interactive element whose box holds the screenshot point (x, y)
 * (a button inside a clickable card, not the card), or NULL. */
MAGI_API const struct magi_element *magi_element_at(const struct magi_element *el, size_t n, double x,
						     double y);

struct magi_env_ops {
	const char *name;
	/* Fills obs (zeroed by the caller). */
	magi_status (*observe)(void *data, struct magi_obs *obs, struct magi_error *err);
	/* Performs one action given in screen pixels. An action kind the environment lacks
	 * must be MAGI_ERR_UNSUPPORTED (the runtime checks caps first, too). */
	magi_status (*act)(void *data, const struct magi_action *a, struct magi_error *err);
	magi_status (*reset)(void *data, struct magi_error *err); /* may be NULL */
	void (*close)(void *data);
	/* Bitmask of MAGI_ACT_BIT(kind) the environment can perform. */
	uint32_t (*caps)(void *data);
	/* Lets go of every mouse button and key held down on the device (a drag or long
	 * press cut short). May be NULL (nothing is ever held). Must work from any thread,
	 * also while another thread is inside observe or act. */
	magi_status (*release)(void *data, struct magi_error *err);
};

struct magi_env;
/* Opens an environment from a spec: "x11" / "x11:DISPLAY" (":99" or "99"),
 * "image:FILE", "browser" / "browser:URL" (magi_browser_params_default() otherwise).
 * Unknown kinds list the known ones in the message. */
MAGI_API magi_status magi_env_open(const char *spec, struct magi_env **out, struct magi_error *err);
/* Wraps a caller-provided ops table (data is passed back to each op). */
MAGI_API magi_status magi_env_wrap(const struct magi_env_ops *ops, void *data,
				   struct magi_env **out);
MAGI_API void magi_env_close(struct magi_env *env);
MAGI_API const char *magi_env_name(const struct magi_env *env);
MAGI_API uint32_t magi_env_caps(struct magi_env *env);
MAGI_API magi_status magi_env_observe(struct magi_env *env, struct magi_obs *obs,
				      struct magi_error *err);
/* Checks caps, then acts. Points must already be in screen space. */
MAGI_API magi_status magi_env_act(struct magi_env *env, const struct magi_action *a,
				  struct magi_error *err);
MAGI_API magi_status magi_env_reset(struct magi_env *env, struct magi_error *err);
/* Releases every button and key held down (the ops' release; MAGI_OK when it has none).
 * Safe from another thread while the environment is in use, e.g. from a thread that
 * handles a second Ctrl-C; not while it is being closed. NULL env: MAGI_OK. */
MAGI_API magi_status magi_env_release_input(struct magi_env *env, struct magi_error *err);

/* ---- the browser ---------------------------------------------------------------------
 * Chromium driven over the DevTools protocol through --remote-debugging-pipe (no network
 * port). docs/browser.md has the details; in short:
 *   - observe: a screenshot in device pixels (viewport x scale), the URL, the title, the
 *     tabs, an open JavaScript dialog, blocked requests and downloads in obs->text, and
 *     the element list (DOM snapshot across iframes and open shadow roots);
 *   - act: every action kind but long_press, swipe, open_app and home; points are
 *     screenshot pixels (divided by scale into CSS pixels for input events);
 *   - every protocol call has a timeout; Chromium exiting is MAGI_ERR_ENV with its exit
 *     status, and the process (which dies with magi, PR_SET_PDEATHSIG) is reaped at close.
 * Configuration by value: struct magi_browser_params p = magi_browser_params_default(); */
struct magi_browser_params {
	const char *url;          /* first page (NULL: about:blank) */
	const char *chromium;     /* binary; NULL: $MAGI_CHROMIUM, else (headless) Chromium's
				     headless shell when installed, else /usr/lib/chromium/chromium */
	bool headful;             /* a window on $DISPLAY instead of headless */
	bool multi_process;       /* headless: a renderer process per site (site isolation)
				     instead of one process (--single-process, default: it
				     starts much faster; a crashed page then ends the browser) */
	bool webgl;               /* headless: WebGL (and WebGPU) through SwiftShader, Chromium's
				     CPU renderer; default off: starting it cost ~100 ms of CPU
				     and ~50 ms before the first page (docs/browser.md), and
				     without it a page's getContext("webgl") returns null */
	uint32_t width, height;   /* viewport in CSS pixels (default 1280 x 720) */
	double scale;             /* device-pixel ratio (default 1; screenshots are scale x larger) */
	const char *profile_dir;  /* use (and keep) this profile; NULL: a fresh temporary one,
				     removed at close */
	bool marks;               /* draw element numbers on the screenshot (set of marks) */
	const char *upload_dir;   /* upload_file takes files only from under this directory;
				     NULL: upload_file is refused */
	const char *download_dir; /* downloads are saved here; NULL: refused (and reported) */
	/* Domain rule for every navigation and every request the page makes (frames, images,
	 * scripts, pop-ups): allow_url(allow_ud, url) false blocks it. NULL allows all.
	 * magi's CLI passes the guards' allowlist (magi_guard_domain_allowed). */
	bool (*allow_url)(void *allow_ud, const char *url);
	void *allow_ud;
	/* The same rule as a list of hosts, each allowing itself and its subdomains
	 * ("example.com" allows www.example.com; "*" allows every host), or NULL. With it,
	 * Chromium refuses every other host from its first moment (its proxy settings send
	 * them to an address that does not exist), so the first page goes on its command line
	 * and loads while Chromium starts; allow_url then checks every request as without it.
	 * It must allow the same http(s) hosts as allow_url (entries other than host names and
	 * IPv4 addresses: the first page waits for allow_url instead). Read only while the
	 * browser is being opened. magi's CLI passes the guards' allowlist. */
	const char *const *allow_hosts;
	size_t n_allow_hosts;
	double call_timeout_ms;   /* per protocol call (default 10000) */
	double load_timeout_ms;   /* wait for a page to load before looking (default 15000) */
	int jpeg_quality;         /* screenshots come as JPEG of this quality (default 90);
				     0 asks for PNG (lossless, slower) */
	size_t max_elements;      /* cap on obs->n_elements (default MAGI_BROWSER_MAX_ELEMENTS) */
};
#define MAGI_BROWSER_MAX_ELEMENTS 2000
MAGI_API struct magi_browser_params magi_browser_params_default(void);
/* Starts Chromium and opens p->url. MAGI_ERR_ENV when Chromium cannot be started or does
 * not answer (the message says which binary and why), MAGI_ERR_INVALID for bad params,
 * MAGI_ERR_DENIED when p->url is outside the allowed domains. The strings in p are copied;
 * allow_ud must outlive the environment. */
MAGI_API magi_status magi_env_open_browser(const struct magi_browser_params *p,
					   struct magi_env **out, struct magi_error *err);
/* What the page in the browser's current tab shows in the first element matching the CSS
 * selector (its top document): a field's value, else its rendered text (innerText). For
 * checkers reading a task's end state. *text is malloc'd. MAGI_ERR_NOT_FOUND when nothing
 * matches; MAGI_ERR_INVALID when env is not a browser or the selector is not valid CSS;
 * MAGI_ERR_ENV when the page does not answer. */
MAGI_API magi_status magi_env_browser_text(struct magi_env *env, const char *selector, char **text,
					   struct magi_error *err);

#ifdef __cplusplus
}
#endif
#endif
