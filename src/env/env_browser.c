/*
 * env_browser.c — Chromium as an environment, over the DevTools protocol on a pipe.
 *
 * Start-up: Chromium runs headless (or headful on $DISPLAY) with --remote-debugging-pipe
 * and a profile of its own; magi then turns on, at the browser level,
 *   - target discovery and auto-attach in flat mode with waitForDebuggerOnStart, so every
 *     tab — the first, new_tab's and the pop-ups a page opens — is set up (viewport,
 *     device-pixel ratio, Page events) before it runs a line of script;
 *   - Fetch interception of every request when a domain rule is given, so the rule holds
 *     for frames, images, scripts, forms and pop-ups, not only for the address bar;
 *   - the download directory.
 * Observation waits for the current tab to stop loading, then takes a screenshot
 * (JPEG or PNG in device pixels) and the DOM snapshots (browser_snap.c). A JavaScript dialog
 * freezes screenshots and DOM calls, so while one is open the observation is the last
 * screenshot with the dialog drawn on it, and the dialog is answered by an action.
 * New tabs are followed: the newest becomes the current tab, and the observation says so.
 * The protocol client (cdp.c) reads on a thread of its own, which lets paused requests
 * through (or fails them) and starts new targets while magi waits for a model.
 */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "env/browser_internal.h"
#include "env/env_internal.h"
#include "core/json.h"
#include "core/common.h"

#define BROWSER_DEFAULT_BIN "/usr/lib/chromium/chromium"
/* Chromium's headless-only build: a smaller binary that starts about twice as fast */
#define BROWSER_HEADLESS_BIN "/usr/lib/chromium/chromium-headless-shell"
#define BROWSER_CLOSE_GRACE_MS 3000.0
#define BROWSER_SHOT_RETRIES 1
#define BROWSER_SHM_DIR "/dev/shm"
#define BROWSER_SHM_MIN (1024.0 * 1024 * 1024) /* bytes free there for a profile to go */
/* the proxy for hosts outside the domain rule: .invalid never resolves (RFC 2606) */
#define BROWSER_NOWHERE "magi-blocked.invalid"

static const char *const browser_flags[] = {
	"--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run",
	"--no-default-browser-check", "--disable-background-networking",
	"--disable-component-update", "--disable-sync", "--disable-extensions",
	"--disable-default-apps", "--disable-dev-shm-usage", "--mute-audio",
	"--password-store=basic", "--disable-features=Translate,MediaRouter,OptimizationHints",
	"--disable-background-timer-throttling", "--disable-renderer-backgrounding",
	"--disable-backgrounding-occluded-windows",
};

struct magi_browser_params magi_browser_params_default(void)
{
	struct magi_browser_params p;
	memset(&p, 0, sizeof p);
	p.width = 1280;
	p.height = 720;
	p.scale = 1;
	p.call_timeout_ms = 10000;
	p.load_timeout_ms = 15000;
	p.jpeg_quality = 90;
	p.max_elements = MAGI_BROWSER_MAX_ELEMENTS;
	return p;
}

/* ---- observe ------------------------------------------------------------------------- */

/* The current tab's screenshot, decoded into *out; its bytes as Chromium sent them go into
 * *bytes (the caller's). */
static magi_status screenshot(struct browser_env *e, struct magi_image **out, struct magi_buf *bytes,
			      struct magi_error *err)
{
	*out = NULL;
	json_t *params = e->p.jpeg_quality > 0
		? json_pack("{sssi}", "format", "jpeg", "quality", e->p.jpeg_quality)
		: json_pack("{ss}", "format", "png");
	json_t *r = NULL;
	magi_status s;
	for (int attempt = 0;; attempt++) {
		s = magi__browser_call(e, "Page.captureScreenshot", json_incref(params), &r, err);
		if (s != MAGI_ERR_TIMEOUT || attempt == BROWSER_SHOT_RETRIES)
			break;
		/* an idle compositor can stall a capture: a short screencast wakes it */
		struct magi_error ignore;
		magi__browser_call(e, "Page.startScreencast", json_pack("{sssisi}", "format", "jpeg", "maxWidth", 16,
									"maxHeight", 16), NULL, &ignore);
		magi__browser_call(e, "Page.stopScreencast", NULL, NULL, &ignore);
	}
	json_decref(params);
	if (s)
		return s;
	const char *b64 = magi__json_str(r, "data", "");
	s = magi_base64_decode(b64, strlen(b64), bytes);
	json_decref(r);
	if (s)
		return magi_error_set(err, MAGI_ERR_ENV, "Page.captureScreenshot: the image is not valid base64");
	return magi_image_decode(bytes->data, bytes->len, "the page's screenshot", out, err);
}

static void put_line(struct magi_buf *b, const char *s, size_t max)
{
	size_t n = 0;
	for (; s && s[n] && n < max; n++)
		magi_buf_putc(b, s[n] == '\n' || s[n] == '\r' || s[n] == '\t' ? ' ' : s[n]);
	if (s && s[n])
		magi_buf_puts(b, "...");
}

static char *obs_text(struct browser_env *e, double scroll_y, double content_h)
{
	struct magi_buf b;
	magi_buf_init(&b, BROWSER_TEXT_MAX);
	struct bpage *pg = magi__browser_current(e);
	magi_buf_puts(&b, "Page: ");
	put_line(&b, pg ? pg->title : "", 200);
	magi_buf_puts(&b, "\nURL: ");
	put_line(&b, pg ? pg->url : "", 500);
	magi_buf_printf(&b, "\nTabs (%zu):\n", e->n_pages);
	for (size_t i = 0; i < e->n_pages; i++) {
		magi_buf_printf(&b, "  [%zu] ", i + 1);
		put_line(&b, e->pages[i].title, 80);
		magi_buf_puts(&b, " - ");
		put_line(&b, e->pages[i].url, 200);
		magi_buf_puts(&b, (int)i == e->current ? "  (current)\n" : "\n");
	}
	double vh = e->p.height;
	if (content_h > vh + 1)
		magi_buf_printf(&b, "Scrolled %.0f px down a %.0f px page (the viewport shows %.0f px)\n", scroll_y,
				content_h, vh);
	if (pg && pg->crashed)
		magi_buf_puts(&b, "The page in this tab crashed (the picture is the last one before it); navigate to load it again.\n");
	if (e->n_blocked_total) {
		magi_buf_printf(&b, "Blocked %zu request%s outside the allowed domains:", e->n_blocked_total,
				e->n_blocked_total == 1 ? "" : "s");
		for (size_t i = 0; i < e->n_blocked; i++)
			magi_buf_printf(&b, "%s %s", i ? "," : "", e->blocked[i]);
		magi_buf_puts(&b, "\n");
	}
	magi_buf_puts(&b, e->notes.data);
	if (pg && pg->dlg.open) {
		magi_buf_printf(&b, "A JavaScript %s dialog is open and blocks the page: \"", pg->dlg.type);
		put_line(&b, pg->dlg.message, 500);
		magi_buf_puts(&b, "\". Answer it: {\"action\":\"dialog\",\"accept\":true} for OK, "
				  "{\"action\":\"dialog\",\"accept\":false} for Cancel");
		if (pg->dlg.type && !strcmp(pg->dlg.type, "prompt"))
			magi_buf_puts(&b, " (for a prompt, add \"text\":\"the answer\")");
		magi_buf_puts(&b, ".\n");
	}
	return magi_buf_detach(&b, NULL);
}

static void clear_notes(struct browser_env *e)
{
	magi_buf_reset(&e->notes);
	for (size_t i = 0; i < e->n_blocked; i++)
		free(e->blocked[i]);
	e->n_blocked = e->n_blocked_total = 0;
}

static void obs_drop_capture(struct magi_obs *obs)
{
	magi_image_free(obs->screenshot);
	obs->screenshot = NULL;
	magi__elements_free(obs->elements, obs->n_elements);
	obs->elements = NULL;
	obs->n_elements = 0;
}

static bool page_gone(void *ud)
{
	struct load_wait *w = ud;
	return magi__browser_page_by(w->e, NULL, w->target) < 0;
}

/* The current tab's picture and elements (or the stand-ins for a crashed page and an open
 * dialog). MAGI_ERR_NOT_FOUND when the tab closed meanwhile: the caller looks again. */
static magi_status capture(struct browser_env *e, struct magi_obs *obs, double *scroll_y, double *content_h,
			   struct magi_error *err)
{
	magi_status s = magi__browser_wait_loaded(e, err);
	struct bpage *pg = magi__browser_current(e);
	if (s || !pg)
		return s ? s : MAGI_ERR_NOT_FOUND;
	MAGI_DEBUG("browser: the page has loaded");
	char tid[128];
	snprintf(tid, sizeof tid, "%s", pg->target_id);
	if (pg->crashed) {
		/* nothing to capture: the last picture (or a blank one) and the note say so */
		uint32_t w = (uint32_t)lround(e->p.width * e->p.scale), h = (uint32_t)lround(e->p.height * e->p.scale);
		if ((s = magi__browser_last_shot(e, &obs->screenshot, err)) || obs->screenshot)
			return s;
		s = magi_image_new(w, h, &obs->screenshot);
		return s ? magi_error_set(err, s, NULL) : MAGI_OK;
	}
	struct magi_buf shot;
	magi_buf_init(&shot, 0);
	if (!pg->dlg.open) {
		e->capturing = true;
		s = screenshot(e, &obs->screenshot, &shot, err);
		MAGI_DEBUG("browser: screenshot taken");
		if (!s)
			s = magi__browser_elements(e, obs, scroll_y, content_h, err);
		MAGI_DEBUG("browser: elements read");
		e->capturing = false;
		pg = magi__browser_current(e);
		if (!pg || strcmp(pg->target_id, tid)) {
			obs_drop_capture(obs);
			magi_buf_release(&shot);
			return MAGI_ERR_NOT_FOUND;
		}
		if (s == MAGI_ERR_CANCELLED && !pg->dlg.open) {
			obs_drop_capture(obs); /* a navigation started meanwhile: look again */
			magi_buf_release(&shot);
			return MAGI_ERR_NOT_FOUND;
		}
		if (s == MAGI_ERR_CANCELLED || pg->dlg.open) {
			obs_drop_capture(obs); /* a dialog opened meanwhile: show it instead */
			s = MAGI_OK;
		}
		if (s == MAGI_ERR_ENV && magi__cdp_alive(e->cdp, NULL)) {
			/* "Session with given id not found": the tab closed itself; let its events in */
			struct load_wait w = {e, tid};
			struct magi_error ignore;
			magi__cdp_wait(e->cdp, page_gone, &w, 500, &ignore);
			if (page_gone(&w)) {
				obs_drop_capture(obs);
				magi_buf_release(&shot);
				return MAGI_ERR_NOT_FOUND;
			}
		}
		if (s) {
			magi_buf_release(&shot);
			return s;
		}
	}
	if (pg->dlg.open) {
		magi_buf_release(&shot);
		return magi__browser_dialog_obs(e, pg, obs, err);
	}
	/* kept as Chromium sent it: a copy of the pixels would cost a 2.7 MB first touch at
	 * every first observation, for a picture only a dialog or a crash needs */
	magi_buf_release(&e->last_shot);
	e->last_shot = shot;
	if (e->p.marks)
		magi__browser_draw_marks(obs->screenshot, obs->elements, obs->n_elements);
	return MAGI_OK;
}

static magi_status br_observe(void *data, struct magi_obs *obs, struct magi_error *err)
{
	struct browser_env *e = data;
	magi_status s;
	if ((s = magi__cdp_wait(e->cdp, NULL, NULL, 0, err)) || (s = magi__browser_dead_check(e, err)))
		return s;
	double scroll_y = 0, content_h = 0;
	for (int attempt = 0;; attempt++) {
		if (!e->n_pages && (s = magi__browser_new_tab(e, NULL, err)))
			return s;
		s = capture(e, obs, &scroll_y, &content_h, err);
		if (s != MAGI_ERR_NOT_FOUND)
			break;
		if (attempt == 5)
			return magi_error_set(err, MAGI_ERR_ENV,
					      "the page kept navigating or closing while magi looked at it");
	}
	if (s)
		return s == MAGI_ERR_ENV ? (magi__browser_dead_check(e, err), s) : s;
	struct bpage *pg = magi__browser_current(e);
	obs->text = obs_text(e, scroll_y, content_h);
	obs->url = magi__strdup(pg->url);
	obs->app = magi__strdup(pg->title);
	clear_notes(e);
	if (!obs->text || !obs->url || !obs->app)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	return MAGI_OK;
}

/* ---- act ----------------------------------------------------------------------------- */

static magi_status br_act(void *data, const struct magi_action *a, struct magi_error *err)
{
	struct browser_env *e = data;
	magi_status s;
	if ((s = magi__cdp_wait(e->cdp, NULL, NULL, 0, err)) || (s = magi__browser_dead_check(e, err)))
		return s;
	if (!magi__browser_current(e) && a->kind != MAGI_ACT_NEW_TAB && (s = magi__browser_new_tab(e, NULL, err)))
		return s;
	switch (a->kind) {
	case MAGI_ACT_NAVIGATE:
		s = magi__browser_navigate(e, a->text ? a->text : "", err);
		break;
	case MAGI_ACT_BACK:
		s = magi__browser_history(e, -1, err);
		break;
	case MAGI_ACT_FORWARD:
		s = magi__browser_history(e, +1, err);
		break;
	case MAGI_ACT_NEW_TAB:
		s = magi__browser_new_tab(e, a->text, err);
		break;
	case MAGI_ACT_SWITCH_TAB: {
		int i = 0;
		if (!(s = magi__browser_tab_index(e, a->index, &i, err)))
			s = magi__browser_switch_tab(e, i, err);
		break;
	}
	case MAGI_ACT_CLOSE_TAB:
		s = magi__browser_close_tab(e, a->index, err);
		break;
	case MAGI_ACT_DIALOG:
		s = magi__browser_answer_dialog(e, a->accept, a->text, err);
		break;
	case MAGI_ACT_WAIT:
		s = magi__cdp_wait(e->cdp, NULL, NULL, a->duration_ms > 0 ? a->duration_ms : 1000, err);
		break;
	default: {
		struct bpage *pg = magi__browser_current(e);
		if (pg->dlg.open) {
			/* the drawn dialog's buttons answer it; typing fills a prompt */
			const struct belem *hit = NULL;
			for (size_t i = 0; i < e->n_elems && !hit; i++)
				if (e->elems[i].dialog_button &&
				    ((a->kind == MAGI_ACT_CLICK_ELEMENT && a->index == (int)i + 1) ||
				     (a->kind == MAGI_ACT_CLICK && a->has_point && fabs(a->x - e->elems[i].cx) < 60 &&
				      fabs(a->y - e->elems[i].cy) < 30)))
					hit = &e->elems[i];
			if (hit)
				return magi__browser_answer_dialog(e, hit->dialog_button == 1, NULL, err);
			if (a->kind == MAGI_ACT_TYPE && pg->dlg.type && !strcmp(pg->dlg.type, "prompt")) {
				magi__browser_set_str(&pg->dlg.prompt, a->text ? a->text : "");
				return MAGI_OK;
			}
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "a JavaScript %s dialog is open (\"%.200s\"): answer it first with {\"action\":\"dialog\",\"accept\":true} or false",
					      pg->dlg.type, pg->dlg.message ? pg->dlg.message : "");
		}
		s = magi__browser_input(e, a, err);
		break;
	}
	}
	struct bpage *pg = magi__browser_current(e);
	if (s == MAGI_ERR_CANCELLED && pg && pg->dlg.open) {
		/* the action opened a dialog (Chromium holds its input events until it is
		 * answered): done, and the next observation shows the dialog */
		magi_error_clear(err);
		s = MAGI_OK;
	}
	if (s == MAGI_ERR_ENV || s == MAGI_ERR_TIMEOUT) {
		struct magi_error dead;
		if (magi__browser_dead_check(e, &dead))
			*err = dead;
	}
	return s;
}

static uint32_t br_caps(void *data)
{
	(void)data;
	uint32_t all = 0;
	for (int k = 0; k < MAGI_ACT__COUNT; k++)
		all |= MAGI_ACT_BIT(k);
	return all & ~(MAGI_ACT_BIT(MAGI_ACT_LONG_PRESS) | MAGI_ACT_BIT(MAGI_ACT_SWIPE) |
		       MAGI_ACT_BIT(MAGI_ACT_OPEN_APP) | MAGI_ACT_BIT(MAGI_ACT_HOME) |
		       MAGI_ACT_BIT(MAGI_ACT_ANSWER) | MAGI_ACT_BIT(MAGI_ACT_ASK_USER) |
		       MAGI_ACT_BIT(MAGI_ACT_DONE));
}

/* Back to one tab on the first page. */
static magi_status br_reset(void *data, struct magi_error *err)
{
	struct browser_env *e = data;
	magi_status s = magi__browser_dead_check(e, err);
	while (!s && e->n_pages > 1)
		s = magi__browser_close_tab(e, (int)e->n_pages, err);
	clear_notes(e);
	if (!s && e->n_pages && e->pages[0].dlg.open)
		s = magi__browser_answer_dialog(e, false, NULL, err);
	if (!s)
		s = magi__browser_navigate(e, e->p.url ? e->p.url : "about:blank", err);
	return s;
}

/* ---- open and close -------------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void br_close(void *data)
{
	struct browser_env *e = data;
	if (!e)
		return;
	magi__cdp_close(e->cdp, BROWSER_CLOSE_GRACE_MS);
	while (e->n_pages)
		magi__browser_remove_page(e, (int)e->n_pages - 1);
	clear_notes(e);
	magi_buf_release(&e->notes);
	magi__browser_clear_elems(e);
	while (e->n_frames)
		magi__browser_remove_frame(e, e->n_frames - 1);
	magi_buf_release(&e->last_shot);
	json_decref(e->downloads);
	if (e->temp_profile && e->profile)
		nftw(e->profile, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (e->stderr_log) {
		unlink(e->stderr_log);
		char *slash = strrchr(e->stderr_log, '/');
		if (slash && e->temp_profile) {
			*slash = '\0';
			rmdir(e->stderr_log);
		}
	}
	free(e->profile);
	free(e->stderr_log);
	free((char *)e->p.url);
	free((char *)e->p.chromium);
	free((char *)e->p.profile_dir);
	free((char *)e->p.upload_dir);
	free((char *)e->p.download_dir);
	pthread_mutex_destroy(&e->held_lock);
	free(e);
}

static magi_status br_release(void *data, struct magi_error *err)
{
	return magi__browser_release(data, err);
}

static const struct magi_env_ops browser_ops = {"browser", br_observe, br_act, br_reset, br_close, br_caps, br_release};

magi_status magi_env_browser_text(struct magi_env *env, const char *selector, char **text, struct magi_error *err)
{
	*text = NULL;
	struct browser_env *e = magi__env_data(env, &browser_ops);
	if (!e || !selector)
		return magi_error_set(err, MAGI_ERR_INVALID, "reading an element by CSS selector needs a browser environment");
	magi_status s;
	if ((s = magi__cdp_wait(e->cdp, NULL, NULL, 0, err)) || (s = magi__browser_dead_check(e, err)) ||
	    (s = magi__browser_wait_loaded(e, err)))
		return s;
	/* the selector goes in as a JSON string: no quoting of it into the script */
	json_t *sel = json_string(selector);
	char *lit = sel ? json_dumps(sel, JSON_ENCODE_ANY) : NULL;
	json_decref(sel);
	if (!lit)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	struct magi_buf js;
	magi_buf_init(&js, 1u << 20);
	magi_buf_printf(&js,
			"(() => { let n; try { n = document.querySelector(%s); } catch (x) { return {bad: String(x.message)}; }"
			" if (!n) return {none: true};"
			" return {text: 'value' in n && typeof n.value === 'string' && !(n instanceof HTMLButtonElement) ? n.value"
			" : (n.innerText !== undefined ? n.innerText : n.textContent)}; })()",
			lit);
	free(lit);
	json_t *r = NULL;
	s = magi__browser_call(e, "Runtime.evaluate", json_pack("{sssb}", "expression", js.data ? js.data : "", "returnByValue", 1),
			       &r, err);
	magi_buf_release(&js);
	if (s)
		return s;
	const json_t *v = json_object_get(json_object_get(r, "result"), "value");
	if (json_object_get(v, "bad"))
		s = magi_error_set(err, MAGI_ERR_INVALID, "CSS selector '%s': %s", selector, magi__json_str(v, "bad", ""));
	else if (json_object_get(v, "none"))
		s = magi_error_set(err, MAGI_ERR_NOT_FOUND, "no element on the page matches '%s'", selector);
	else if (!json_is_string(json_object_get(v, "text")))
		s = magi_error_set(err, MAGI_ERR_ENV, "the page did not say what '%s' holds", selector);
	else if (!(*text = magi__strdup(magi__json_str(v, "text", ""))))
		s = magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	json_decref(r);
	return s;
}

static magi_status check_params(const struct magi_browser_params *p, struct magi_error *err)
{
	if (p->width < 100 || p->width > 8192 || p->height < 100 || p->height > 8192)
		return magi_error_set(err, MAGI_ERR_INVALID, "browser viewport %ux%u is not within 100..8192 a side",
				      p->width, p->height);
	if (!(p->scale >= 0.25 && p->scale <= 4))
		return magi_error_set(err, MAGI_ERR_INVALID, "browser scale %g is not within 0.25..4", p->scale);
	if ((double)p->width * p->scale * (double)p->height * p->scale > MAGI_IMAGE_MAX_PIXELS)
		return magi_error_set(err, MAGI_ERR_INVALID, "browser screenshots of %ux%u at scale %g are too large",
				      p->width, p->height, p->scale);
	if (p->jpeg_quality < 0 || p->jpeg_quality > 100)
		return magi_error_set(err, MAGI_ERR_INVALID, "browser jpeg_quality %d is not within 0..100",
				      p->jpeg_quality);
	if (!(p->call_timeout_ms > 0) || !(p->load_timeout_ms >= 0))
		return magi_error_set(err, MAGI_ERR_INVALID, "browser timeouts must be positive");
	if (p->headful && !getenv("DISPLAY"))
		return magi_error_set(err, MAGI_ERR_INVALID, "a headful browser needs a display, and $DISPLAY is not set");
	return MAGI_OK;
}

static char *dup_opt(const char *s, bool *oom)
{
	char *c = s ? magi__strdup(s) : NULL;
	if (s && !c)
		*oom = true;
	return c;
}

/* Where a fresh profile goes: $TMPDIR when set, else /dev/shm when it is a writable
 * directory with room (a fresh profile is some 60 files and databases, 1 MB, that Chromium
 * creates while it starts and loads the first page; in memory the first page loaded
 * 30-50 ms sooner here; its cache grows as pages load, and a container's /dev/shm is
 * often 64 MB), else /tmp. */
static const char *profile_parent(void)
{
	const char *tmp = getenv("TMPDIR");
	if (tmp && *tmp)
		return tmp;
	struct stat st;
	struct statvfs vfs;
	if (stat(BROWSER_SHM_DIR, &st) == 0 && S_ISDIR(st.st_mode) && access(BROWSER_SHM_DIR, W_OK | X_OK) == 0 &&
	    statvfs(BROWSER_SHM_DIR, &vfs) == 0 && (double)vfs.f_bavail * (double)vfs.f_frsize >= BROWSER_SHM_MIN)
		return BROWSER_SHM_DIR;
	return "/tmp";
}

/* The domain rule as Chromium's own proxy settings, so that it holds from Chromium's
 * first moment: the allowed hosts (and their subdomains) go direct, loopback included
 * only when allowed ("<-loopback>" first: Chromium lets loopback through otherwise, and a
 * later match wins), every other host to a proxy whose name Chromium's resolver is told
 * does not exist (no DNS query; the request fails at once). *bypass is NULL when the
 * hosts allow everything. false when a host is not a plain host name or IPv4 address:
 * then the rule is Fetch's alone. */
static bool host_rule(const struct magi_browser_params *p, char **bypass)
{
	*bypass = NULL;
	if (!p->allow_hosts || !p->n_allow_hosts)
		return false;
	struct magi_buf b;
	magi_buf_init(&b, 64 * 1024);
	magi_buf_puts(&b, "--proxy-bypass-list=<-loopback>");
	for (size_t i = 0; i < p->n_allow_hosts; i++) {
		const char *h = p->allow_hosts[i];
		if (h && !strcmp(h, "*")) {
			magi_buf_release(&b);
			return true;
		}
		bool ok = h && *h && *h != '.' && *h != '-' && strlen(h) < 254;
		for (const char *c = h; ok && *c; c++)
			ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' || *c == '_';
		if (!ok) {
			magi_buf_release(&b);
			return false;
		}
		magi_buf_printf(&b, ";%s;*.%s", h, h);
	}
	*bypass = magi_buf_detach(&b, NULL);
	return *bypass != NULL;
}

/* Makes the profile (and the directory of Chromium's log) and the argument list; the
 * strings it allocates go into owned (freed by the caller). */
static magi_status prepare(struct browser_env *e, const char *bin, char **argv, char **owned,
			   struct magi_error *err)
{
	const char *parent = profile_parent();
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/magi-chromium-XXXXXX", parent);
	if (!mkdtemp(dir))
		return magi_error_set(err, MAGI_ERR_ENV, "cannot make a directory for the browser under %s: %s",
				      parent, strerror(errno));
	e->temp_profile = !e->p.profile_dir;
	struct magi_buf b;
	magi_buf_init(&b, 8192);
	magi_buf_printf(&b, "%s/chromium.log", dir);
	e->stderr_log = magi_buf_detach(&b, NULL);
	e->profile = magi__strdup(e->p.profile_dir ? e->p.profile_dir : dir);
	if (!e->stderr_log || !e->profile)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	magi_status s;
	if (e->p.profile_dir && (s = magi_mkdirs(e->p.profile_dir, err)))
		return s;
	if (e->p.download_dir && (s = magi_mkdirs(e->p.download_dir, err)))
		return s;
	size_t n = 0, k = 0;
	argv[n++] = (char *)bin;
	if (!e->p.headful)
		argv[n++] = "--headless";
	/* one process instead of six (browser, two zygotes, GPU, network, renderer): on a
	 * busy machine the renderer's own start was most of the time to the first picture.
	 * The zygotes are started all the same unless told not to, and serve nothing then. */
	if (!e->p.headful && !e->p.multi_process) {
		argv[n++] = "--single-process";
		argv[n++] = "--no-zygote";
	}
	/* SwiftShader, Chromium's CPU stand-in for a GPU, serves WebGL only (pages and
	 * screenshots are drawn by the software compositor either way); in one process its
	 * start is on the first page's path */
	if (!e->p.headful && !e->p.webgl)
		argv[n++] = "--disable-software-rasterizer";
	for (size_t i = 0; i < MAGI_ARRAY_LEN(browser_flags); i++)
		argv[n++] = (char *)browser_flags[i];
	magi_buf_init(&b, 8192);
	magi_buf_printf(&b, "--user-data-dir=%s", e->profile);
	argv[n++] = owned[k++] = magi_buf_detach(&b, NULL);
	magi_buf_init(&b, 64);
	magi_buf_printf(&b, "--window-size=%u,%u", e->p.width, e->p.height + (e->p.headful ? 120 : 0));
	argv[n++] = owned[k++] = magi_buf_detach(&b, NULL);
	/* The first page loads while Chromium starts when nothing it asks for can slip past
	 * the domain rule before Fetch enforces it: without a rule, or with the rule in
	 * Chromium's proxy settings too. Otherwise it is opened once Fetch is on. */
	char *bypass = NULL;
	bool early = e->p.allow_url ? host_rule(&e->p, &bypass) : true;
	if (bypass) {
		argv[n++] = "--proxy-server=http://" BROWSER_NOWHERE ":9";
		argv[n++] = "--host-resolver-rules=MAP " BROWSER_NOWHERE " ~NOTFOUND";
		argv[n++] = owned[k++] = bypass;
	}
	e->url_on_command_line = e->p.url && early;
	argv[n++] = e->url_on_command_line ? (char *)e->p.url : "about:blank";
	argv[n] = NULL;
	for (size_t i = 0; i < k; i++)
		if (!owned[i])
			return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	return MAGI_OK;
}

static bool has_page(void *ud)
{
	return ((struct browser_env *)ud)->n_pages > 0;
}

/* The first page, named on the command line, may be loading, loaded, or not yet started
 * when its tab attaches (Page events flow only from then on): loading until it says it
 * has loaded its URL. */
static magi_status first_page_state(struct browser_env *e, struct magi_error *err)
{
	struct bpage *pg = magi__browser_current(e);
	if (!pg)
		return MAGI_OK;
	pg->loading = true; /* a Page.frameStoppedLoading from now on clears it */
	json_t *r = NULL;
	magi_status s = magi__browser_call(e, "Runtime.evaluate",
					  json_pack("{ss}", "expression",
						    "document.readyState === 'complete' && location.href !== 'about:blank'"),
					  &r, err);
	pg = magi__browser_current(e);
	if (!s && pg && json_is_true(json_object_get(json_object_get(r, "result"), "value")))
		pg->loading = false;
	json_decref(r);
	return s;
}

/* Browser-wide settings, then the first tab. */
static magi_status start(struct browser_env *e, struct magi_error *err)
{
	double t = e->p.call_timeout_ms, t0 = magi_now_ms();
	/* the rule first: the first page may be loading already (see prepare) */
	magi_status s = MAGI_OK;
	if (e->p.allow_url)
		s = magi__cdp_call(e->cdp, NULL, "Fetch.enable",
				   json_pack("{s[{ssss}]}", "patterns", "urlPattern", "*", "requestStage", "Request"), t,
				   NULL, err);
	if (!s)
		s = magi__cdp_call(e->cdp, NULL, "Target.setDiscoverTargets", json_pack("{sb}", "discover", 1), t, NULL,
				   err);
	MAGI_DEBUG("browser: Chromium answered %.0f ms after it was started", magi_now_ms() - t0);
	if (!s)
		s = magi__cdp_call(e->cdp, NULL, "Browser.setDownloadBehavior",
				   e->p.download_dir
					   ? json_pack("{sssssb}", "behavior", "allow", "downloadPath", e->p.download_dir,
						       "eventsEnabled", 1)
					   : json_pack("{sssb}", "behavior", "deny", "eventsEnabled", 1),
				   t, NULL, err);
	if (!s)
		s = magi__cdp_call(e->cdp, NULL, "Target.setAutoAttach",
				   json_pack("{sbsbsbs[{ss}]}", "autoAttach", 1, "waitForDebuggerOnStart", 1, "flatten", 1,
					     "filter", "type", "page"),
				   t, NULL, err);
	if (!s)
		s = magi__cdp_wait(e->cdp, has_page, e, t, err);
	if (!s && !e->n_pages)
		s = magi_error_set(err, MAGI_ERR_ENV, "Chromium opened no tab within %.0f ms", t);
	MAGI_DEBUG("browser: first tab attached at %.0f ms", magi_now_ms() - t0);
	if (!s && e->url_on_command_line)
		s = first_page_state(e, err);
	else if (!s && e->p.url)
		s = magi__browser_navigate(e, e->p.url, err);
	MAGI_DEBUG("browser: navigation to the first page asked for");
	magi_buf_reset(&e->notes); /* the first tab is not news */
	return s;
}

magi_status magi_env_open_browser(const struct magi_browser_params *p, struct magi_env **out,
				  struct magi_error *err)
{
	*out = NULL;
	struct magi_browser_params d = magi_browser_params_default();
	if (!p)
		p = &d;
	magi_status s = check_params(p, err);
	if (s)
		return s;
	const char *bin = p->chromium ? p->chromium : getenv("MAGI_CHROMIUM");
	if ((!bin || !*bin) && !p->headful && access(BROWSER_HEADLESS_BIN, X_OK) == 0)
		bin = BROWSER_HEADLESS_BIN;
	if (!bin || !*bin)
		bin = BROWSER_DEFAULT_BIN;
	if (access(bin, X_OK) != 0)
		return magi_error_set(err, MAGI_ERR_ENV,
				      "cannot run Chromium at %s: %s (install Debian's chromium package, or set MAGI_CHROMIUM)",
				      bin, strerror(errno));
	struct browser_env *e = calloc(1, sizeof *e);
	if (!e)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	e->p = *p;
	e->current = -1;
	pthread_mutex_init(&e->held_lock, NULL);
	magi_buf_init(&e->notes, BROWSER_TEXT_MAX);
	magi_buf_init(&e->last_shot, 0);
	bool oom = false;
	e->p.url = dup_opt(p->url, &oom);
	e->p.chromium = dup_opt(bin, &oom);
	e->p.profile_dir = dup_opt(p->profile_dir, &oom);
	e->p.upload_dir = dup_opt(p->upload_dir, &oom);
	e->p.download_dir = dup_opt(p->download_dir, &oom);
	if (!e->p.max_elements)
		e->p.max_elements = MAGI_BROWSER_MAX_ELEMENTS;
	e->downloads = json_object();
	char *argv[64] = {0}, *owned[4] = {0};
	if (oom || !e->downloads)
		s = magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	if (!s && e->p.url)
		s = magi__browser_check_url(e, "browser", e->p.url, err);
	if (!s)
		s = prepare(e, e->p.chromium, argv, owned, err);
	if (!s)
		s = magi__cdp_start(argv, e->stderr_log, &e->cdp, err);
	MAGI_DEBUG("browser: %s started", e->p.chromium);
	for (size_t i = 0; i < MAGI_ARRAY_LEN(owned); i++)
		free(owned[i]);
	if (!s) {
		magi__cdp_set_handler(e->cdp, magi__browser_on_event, e);
		magi__cdp_set_io_handler(e->cdp, magi__browser_io_event, e);
		s = start(e, err);
		if (s == MAGI_ERR_ENV || s == MAGI_ERR_TIMEOUT)
			magi__browser_dead_check(e, err);
	}
	if (!s)
		s = magi_env_wrap(&browser_ops, e, out);
	if (s) {
		magi_error_prefix(err, "starting the browser");
		br_close(e);
	}
	return s;
}
