/*
 * browser_internal.h — the browser driver's state, shared by its files:
 *   env_browser.c   the process, open/close, observe, act dispatch
 *   browser_tabs.c  tabs and their events, protocol calls, navigation, tab actions, dialogs
 *   browser_snap.c  the element list: DOM snapshots of the tab and its frames, placed
 *   browser_dom.c   ...and the elements of each document (browser_snap.h between them)
 *   browser_draw.c  set-of-marks and the picture of an open dialog
 *   browser_input.c mouse, keyboard, select_option, upload_file (Input.* and DOM.*)
 * Coordinates: screenshots and element boxes are device pixels (CSS pixels x scale);
 * Input.dispatch* events take CSS pixels. Internal to src/env.
 */
#ifndef MAGI_BROWSER_INTERNAL_H
#define MAGI_BROWSER_INTERNAL_H
#include <pthread.h>
#include "env/cdp.h"
#include "magi/env.h"

#define BROWSER_MAX_TABS 64
#define BROWSER_MAX_BLOCKED 8       /* blocked URLs quoted per observation */
#define BROWSER_TEXT_MAX (64 * 1024) /* cap of obs->text */
#define BROWSER_NAME_MAX 160         /* bytes of an element's name kept */
#define BROWSER_PICTURE_MIN 32       /* CSS px: narrower canvases and images (icons) are not listed */
#define BROWSER_MAX_FRAMES 64        /* out-of-process iframes followed */

struct bdialog {
	bool open;
	char *type;    /* alert, confirm, prompt, beforeunload */
	char *message;
	char *prompt;  /* a prompt()'s text so far (its default, then what was typed) */
};

/* One tab: a page target attached in flat mode. */
struct bpage {
	char *target_id; /* also the main frame's id */
	char *session;
	char *url, *title;
	bool loading;     /* the main frame started loading and has not stopped */
	bool crashed;
	struct bdialog dlg;
};

/* An out-of-process iframe (a frame from another site): a target of its own. */
struct bframe {
	char *session;
	char *target_id; /* also its frame id */
	char *parent;    /* the session it was attached under (a tab's or another frame's) */
};

/* What the last observation numbered, to act on an element by its number. */
struct belem {
	double cx, cy;      /* centre, device pixels (viewport) */
	long backend_id;    /* DOM backend node id, 0 for dialog buttons */
	int dialog_button;  /* 1 OK, 2 Cancel, 0 not a dialog button */
	bool visible;
	int sess;           /* 0: the tab's document; k: inside e->esess[k - 1] (another site's frame) */
};

struct browser_env {
	struct magi__cdp *cdp;
	struct magi_browser_params p; /* strings below are owned copies */
	char *profile;                /* user-data-dir */
	bool temp_profile;            /* remove at close */
	bool url_on_command_line;     /* the first page was opened by Chromium's command line */
	char *stderr_log;
	struct bpage pages[BROWSER_MAX_TABS];
	size_t n_pages;
	int current;                  /* index into pages, -1 when none */
	struct magi_buf notes;        /* said once in the next observation */
	char *blocked[BROWSER_MAX_BLOCKED];
	size_t n_blocked, n_blocked_total;
	struct bframe frames[BROWSER_MAX_FRAMES];
	size_t n_frames;
	struct belem *elems;          /* the last observation's element list */
	size_t n_elems;
	char **esess;                 /* the frame sessions its elements came from */
	size_t n_esess;
	char *elems_target;           /* ...taken on this tab */
	/* the current tab's last screenshot as Chromium sent it (JPEG or PNG; len 0: none),
	 * decoded only when a dialog or a crash needs the picture */
	struct magi_buf last_shot;
	json_t *downloads;            /* guid -> suggested file name */
	bool capturing;               /* a screenshot or snapshot call is under way */
	bool quiet_tabs;              /* tabs magi opens or closes itself are not news */
	/* what input is held down (for release, which may come from another thread) */
	pthread_mutex_t held_lock;
	char held_session[128];
	double held_x, held_y;        /* CSS pixels */
	int held_buttons;             /* 1 left, 2 right */
	int held_mods;                /* modifier keys down (Input.pdl bits) */
};

/* ---- browser_tabs.c --------------------------------------------------------------- */
/* The last screenshot decoded into a new image (*out NULL when there is none). */
magi_status magi__browser_last_shot(struct browser_env *e, struct magi_image **out, struct magi_error *err);
void magi__browser_forget_shot(struct browser_env *e);
/* What magi__browser_wait_loaded and friends wait on: the tab with this target id. */
struct load_wait {
	struct browser_env *e;
	const char *target;
};
struct bpage *magi__browser_current(struct browser_env *e);
/* Index of the tab with that session or target id (either may be NULL), or -1. */
int magi__browser_page_by(struct browser_env *e, const char *session, const char *target);
void magi__browser_remove_page(struct browser_env *e, int i);
/* Replaces *dst with a copy of v (kept as it was when v is NULL or on OOM). */
void magi__browser_set_str(char **dst, const char *v);
/* Adds a line to the notes the next observation carries. */
void magi__browser_note(struct browser_env *e, const char *fmt, ...) MAGI_PRINTF(2, 3);
/* The event handlers (cdp.h): on the reader thread, and on the driving thread. */
bool magi__browser_io_event(void *ud, const char *method, const char *session, json_t *params);
void magi__browser_on_event(void *ud, const char *method, const char *session, json_t *params);
/* MAGI_ERR_ENV saying how Chromium died, or MAGI_OK while it lives. */
magi_status magi__browser_dead_check(struct browser_env *e, struct magi_error *err);
void magi__browser_remove_frame(struct browser_env *e, size_t i);
/* Forgets the last observation's element list (elems, esess, elems_target). */
void magi__browser_clear_elems(struct browser_env *e);
/* A call on that session (NULL: the current tab's) with the env's timeout. */
magi_status magi__browser_call_on(struct browser_env *e, const char *session, const char *method, json_t *params,
				  json_t **result, struct magi_error *err);
/* A call on the current tab's session with the env's timeout. */
magi_status magi__browser_call(struct browser_env *e, const char *method, json_t *params,
			       json_t **result, struct magi_error *err);
/* Waits for the current tab to finish loading (or open a dialog, or go away). */
magi_status magi__browser_wait_loaded(struct browser_env *e, struct magi_error *err);
/* The domain rule for a URL the agent asked for; MAGI_ERR_DENIED names the URL. */
magi_status magi__browser_check_url(struct browser_env *e, const char *what, const char *url,
				    struct magi_error *err);
/* The actions on tabs (tab numbers are 1-based; i is an index). */
magi_status magi__browser_navigate(struct browser_env *e, const char *url, struct magi_error *err);
magi_status magi__browser_history(struct browser_env *e, int delta, struct magi_error *err);
magi_status magi__browser_tab_index(struct browser_env *e, int n, int *out, struct magi_error *err);
magi_status magi__browser_switch_tab(struct browser_env *e, int i, struct magi_error *err);
magi_status magi__browser_new_tab(struct browser_env *e, const char *url, struct magi_error *err);
magi_status magi__browser_close_tab(struct browser_env *e, int n, struct magi_error *err);
magi_status magi__browser_answer_dialog(struct browser_env *e, bool accept, const char *text,
					struct magi_error *err);

/* ---- browser_snap.c --------------------------------------------------------------- */
/* Builds the element list of the current tab from one DOMSnapshot: interactive elements
 * first (numbered 1..), then visible text runs, each with its box in device pixels.
 * Fills obs->elements and e->elems; writes the page's scroll state into *scroll_y,
 * *content_h (CSS pixels). */
magi_status magi__browser_elements(struct browser_env *e, struct magi_obs *obs, double *scroll_y,
				   double *content_h, struct magi_error *err);

/* ---- browser_draw.c --------------------------------------------------------------- */
/* Draws each visible interactive element's box and number on img. */
void magi__browser_draw_marks(struct magi_image *img, const struct magi_element *el, size_t n);
/* The screenshot shown while a dialog is open (the page cannot be captured then): the last
 * screenshot dimmed, with the dialog drawn on it; its buttons become elements 1 and 2. */
magi_status magi__browser_dialog_obs(struct browser_env *e, struct bpage *pg, struct magi_obs *obs,
				     struct magi_error *err);

/* ---- browser_input.c -------------------------------------------------------------- */
/* Lets go of whatever an interrupted action left held (any thread). */
magi_status magi__browser_release(struct browser_env *e, struct magi_error *err);
/* Performs a pointer, keyboard or form action (points in device pixels). */
magi_status magi__browser_input(struct browser_env *e, const struct magi_action *a,
				struct magi_error *err);
#endif
