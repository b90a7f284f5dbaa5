/*
 * browser_tabs.c — the browser's tabs: their bookkeeping from DevTools events (targets
 * attached and gone, loading, dialogs, downloads, blocked requests), the calls every part
 * of the driver makes, and the actions on tabs: navigate, back and forward, new, switch
 * and close, and answering a dialog. See env_browser.c for the whole.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "env/browser_internal.h"
#include "env/env_internal.h"
#include "core/json.h"
#include "core/common.h"

/* ---- tabs ---------------------------------------------------------------------------- */

struct bpage *magi__browser_current(struct browser_env *e)
{
	return e->current >= 0 && (size_t)e->current < e->n_pages ? &e->pages[e->current] : NULL;
}

void magi__browser_note(struct browser_env *e, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (e->notes.len < BROWSER_TEXT_MAX / 2)
		magi_buf_printf(&e->notes, "%s\n", line);
}

static void dialog_clear(struct bdialog *d)
{
	free(d->type);
	free(d->message);
	free(d->prompt);
	memset(d, 0, sizeof *d);
}

int magi__browser_page_by(struct browser_env *e, const char *session, const char *target)
{
	for (size_t i = 0; i < e->n_pages; i++)
		if ((session && !strcmp(e->pages[i].session, session)) ||
		    (target && !strcmp(e->pages[i].target_id, target)))
			return (int)i;
	return -1;
}

void magi__browser_set_str(char **dst, const char *v)
{
	if (!v)
		return;
	char *c = magi__strdup(v);
	if (c) {
		free(*dst);
		*dst = c;
	}
}

void magi__browser_remove_page(struct browser_env *e, int i)
{
	struct bpage *pg = &e->pages[i];
	char *cur = magi__browser_current(e) ? e->pages[e->current].target_id : NULL;
	bool was_current = i == e->current;
	free(pg->session);
	free(pg->url);
	free(pg->title);
	dialog_clear(&pg->dlg);
	char *tid = pg->target_id;
	memmove(&e->pages[i], &e->pages[i + 1], (e->n_pages - (size_t)i - 1) * sizeof *pg);
	e->n_pages--;
	if (was_current) {
		e->current = e->n_pages ? (int)e->n_pages - 1 : -1;
		magi__browser_forget_shot(e);
		if (e->current >= 0 && !e->quiet_tabs)
			magi__browser_note(e, "The current tab closed; now on tab [%d] %s", e->current + 1,
					   e->pages[e->current].url ? e->pages[e->current].url : "");
	} else {
		e->current = cur ? magi__browser_page_by(e, NULL, cur) : -1;
	}
	free(tid);
}

/* A page target was attached (auto-attach; its setup was sent by magi__browser_io_event): follow it. */
static void page_attached(struct browser_env *e, const char *sid, const json_t *info)
{
	const char *tid = magi__json_str(info, "targetId", NULL);
	if (!tid || magi__browser_page_by(e, sid, tid) >= 0)
		return;
	struct magi_error err;
	if (e->n_pages == BROWSER_MAX_TABS) {
		magi__browser_note(e, "A page opened a tab beyond the limit of %d tabs; it was closed",
				   BROWSER_MAX_TABS);
		magi__cdp_send(e->cdp, NULL, "Target.closeTarget", json_pack("{ss}", "targetId", tid), &err);
		return;
	}
	struct bpage *pg = &e->pages[e->n_pages];
	memset(pg, 0, sizeof *pg);
	pg->target_id = magi__strdup(tid);
	pg->session = magi__strdup(sid);
	pg->url = magi__strdup(magi__json_str(info, "url", ""));
	pg->title = magi__strdup(magi__json_str(info, "title", ""));
	if (!pg->target_id || !pg->session || !pg->url || !pg->title) {
		free(pg->target_id);
		free(pg->session);
		free(pg->url);
		free(pg->title);
		return;
	}
	e->n_pages++;
	if (e->current >= 0 && !e->quiet_tabs) {
		const char *opener = magi__json_str(info, "openerId", NULL);
		magi__browser_note(e, "A new tab opened%s: [%zu] %s (it is now the current tab)",
				   opener ? " from the page" : "", e->n_pages, pg->url);
	}
	e->current = (int)e->n_pages - 1;
	magi__browser_forget_shot(e);
}

void magi__browser_forget_shot(struct browser_env *e)
{
	magi_buf_release(&e->last_shot);
}

magi_status magi__browser_last_shot(struct browser_env *e, struct magi_image **out, struct magi_error *err)
{
	*out = NULL;
	if (!e->last_shot.len)
		return MAGI_OK;
	return magi_image_decode(e->last_shot.data, e->last_shot.len, "the page's last screenshot", out, err);
}

/* ---- events ------------------------------------------------------------------------- */

/* On the reader thread, as events arrive: what must not wait for magi to look. Paused
 * requests are let through or failed by the domain rule (the page keeps loading while
 * magi waits for a model); a new target is set up — a tab's viewport, device-pixel ratio
 * and Page events; for tabs and frames from other sites (out-of-process iframes), the
 * auto-attaching of their own frames — and let run. Only e->p and e->cdp are used here
 * (both fixed after open). */
bool magi__browser_io_event(void *ud, const char *method, const char *session, json_t *params)
{
	struct browser_env *e = ud;
	struct magi_error err;
	if (!strcmp(method, "Fetch.requestPaused")) {
		const char *rid = magi__json_str(params, "requestId", NULL);
		const char *url = magi__json_str(json_object_get(params, "request"), "url", "");
		if (!rid)
			return true;
		if (!e->p.allow_url || e->p.allow_url(e->p.allow_ud, url)) {
			magi__cdp_send(e->cdp, NULL, "Fetch.continueRequest", json_pack("{ss}", "requestId", rid), &err);
			return true;
		}
		magi__cdp_send(e->cdp, NULL, "Fetch.failRequest",
			       json_pack("{ssss}", "requestId", rid, "errorReason", "BlockedByClient"), &err);
		return false; /* observe reports it */
	}
	if (!strcmp(method, "Target.attachedToTarget")) {
		const char *sid = magi__json_str(params, "sessionId", NULL);
		const json_t *info = json_object_get(params, "targetInfo");
		bool page = !session && !strcmp(magi__json_str(info, "type", ""), "page");
		bool frame = session && !strcmp(magi__json_str(info, "type", ""), "iframe");
		if (sid && (page || frame))
			magi__cdp_send(e->cdp, sid, "Target.setAutoAttach",
				       json_pack("{sbsbsbs[{ss}]}", "autoAttach", 1, "waitForDebuggerOnStart", 1, "flatten", 1,
						 "filter", "type", "iframe"),
				       &err);
		if (sid && page) {
			magi__cdp_send(e->cdp, sid, "Page.enable", NULL, &err);
			magi__cdp_send(e->cdp, sid, "Emulation.setDeviceMetricsOverride",
				       json_pack("{sisisfsb}", "width", (int)e->p.width, "height", (int)e->p.height,
						 "deviceScaleFactor", e->p.scale, "mobile", 0),
				       &err);
			/* (Emulation.setFocusEmulationEnabled would let background tabs keep focus,
			 * but it crashes Chromium 156's renderer now and then: tabs are brought to
			 * front instead) */
		}
		if (sid && magi__json_bool(params, "waitingForDebugger", false))
			magi__cdp_send(e->cdp, sid, "Runtime.runIfWaitingForDebugger", NULL, &err);
		return !page && !frame;
	}
	return false;
}

/* An out-of-process iframe attached under session `parent`: remembered for the element
 * list (its DOM lives in a renderer of its own). */
static void frame_attached(struct browser_env *e, const char *sid, const char *parent, const json_t *info)
{
	const char *tid = magi__json_str(info, "targetId", NULL);
	if (!tid || e->n_frames == BROWSER_MAX_FRAMES)
		return;
	struct bframe *f = &e->frames[e->n_frames];
	f->session = magi__strdup(sid);
	f->target_id = magi__strdup(tid);
	f->parent = magi__strdup(parent);
	if (f->session && f->target_id && f->parent) {
		e->n_frames++;
		return;
	}
	free(f->session);
	free(f->target_id);
	free(f->parent);
}

void magi__browser_clear_elems(struct browser_env *e)
{
	free(e->elems);
	e->elems = NULL;
	e->n_elems = 0;
	for (size_t i = 0; i < e->n_esess; i++)
		free(e->esess[i]);
	free(e->esess);
	e->esess = NULL;
	e->n_esess = 0;
	free(e->elems_target);
	e->elems_target = NULL;
}

void magi__browser_remove_frame(struct browser_env *e, size_t i)
{
	free(e->frames[i].session);
	free(e->frames[i].target_id);
	free(e->frames[i].parent);
	memmove(&e->frames[i], &e->frames[i + 1], (e->n_frames - i - 1) * sizeof *e->frames);
	e->n_frames--;
}

/* A request the domain rule failed (on the reader thread): said in the next observation. */
static void request_blocked(struct browser_env *e, const json_t *params)
{
	const char *url = magi__json_str(json_object_get(params, "request"), "url", "");
	e->n_blocked_total++;
	char line[300];
	snprintf(line, sizeof line, "%.240s (%s)", url, magi__json_str(params, "resourceType", "request"));
	for (size_t i = 0; i < e->n_blocked; i++)
		if (!strcmp(e->blocked[i], line))
			return;
	if (e->n_blocked < BROWSER_MAX_BLOCKED)
		e->blocked[e->n_blocked++] = magi__strdup(line);
}

static void download_event(struct browser_env *e, const char *method, const json_t *params)
{
	const char *guid = magi__json_str(params, "guid", "");
	if (!strcmp(method, "Browser.downloadWillBegin")) {
		json_object_set_new(e->downloads, guid, json_string(magi__json_str(params, "suggestedFilename", "download")));
		if (!e->p.download_dir)
			magi__browser_note(e, "A download of %s was refused (no download directory was given)",
					   magi__json_str(params, "suggestedFilename", "a file"));
		return;
	}
	const char *state = magi__json_str(params, "state", "");
	const char *name = magi__json_str(e->downloads, guid, NULL);
	if (!name || !strcmp(state, "inProgress"))
		return;
	if (!strcmp(state, "completed") && e->p.download_dir)
		magi__browser_note(e, "Download finished: %s/%s (%.0f bytes)", e->p.download_dir, name,
				   magi__json_num(params, "receivedBytes", 0));
	else if (e->p.download_dir)
		magi__browser_note(e, "Download of %s was %s", name, state);
	json_object_del(e->downloads, guid);
}

static void page_event(struct browser_env *e, int i, const char *method, const json_t *params)
{
	struct bpage *pg = &e->pages[i];
	const char *frame = magi__json_str(params, "frameId", "");
	if (!strcmp(method, "Page.frameStartedLoading")) {
		if (!strcmp(frame, pg->target_id)) {
			pg->loading = true;
			/* a capture now would be of a document on its way out (and may never
			 * answer): observe starts over once the new one has loaded */
			if (i == e->current && e->capturing)
				magi__cdp_interrupt(e->cdp);
		}
	} else if (!strcmp(method, "Page.frameStoppedLoading")) {
		if (!strcmp(frame, pg->target_id))
			pg->loading = false;
	} else if (!strcmp(method, "Page.frameNavigated")) {
		const json_t *f = json_object_get(params, "frame");
		if (!json_object_get(f, "parentId")) {
			magi__browser_set_str(&pg->url, magi__json_str(f, "url", NULL));
			pg->crashed = false; /* a new document, in a new renderer if the old one died */
		}
	} else if (!strcmp(method, "Page.javascriptDialogOpening")) {
		dialog_clear(&pg->dlg);
		pg->dlg.open = true;
		pg->dlg.type = magi__strdup(magi__json_str(params, "type", "alert"));
		pg->dlg.message = magi__strdup(magi__json_str(params, "message", ""));
		pg->dlg.prompt = magi__strdup(magi__json_str(params, "defaultPrompt", ""));
		if (i == e->current)
			magi__cdp_interrupt(e->cdp); /* a screenshot or snapshot now would hang */
	} else if (!strcmp(method, "Page.javascriptDialogClosed")) {
		dialog_clear(&pg->dlg);
	} else if (!strcmp(method, "Inspector.targetCrashed")) {
		pg->crashed = true;
		pg->loading = false;
	}
}

void magi__browser_on_event(void *ud, const char *method, const char *session, json_t *params)
{
	struct browser_env *e = ud;
	if (!strcmp(method, "Fetch.requestPaused")) {
		request_blocked(e, params);
	} else if (!strcmp(method, "Target.attachedToTarget")) {
		const char *sid = magi__json_str(params, "sessionId", NULL);
		if (sid && session)
			frame_attached(e, sid, session, json_object_get(params, "targetInfo"));
		else if (sid)
			page_attached(e, sid, json_object_get(params, "targetInfo"));
	} else if (!strcmp(method, "Target.detachedFromTarget") || !strcmp(method, "Target.targetDestroyed")) {
		const char *sid = magi__json_str(params, "sessionId", NULL);
		int i = magi__browser_page_by(e, sid, magi__json_str(params, "targetId", NULL));
		if (i >= 0)
			magi__browser_remove_page(e, i);
		for (size_t k = e->n_frames; k-- > 0;)
			if ((sid && !strcmp(e->frames[k].session, sid)) ||
			    !strcmp(e->frames[k].target_id, magi__json_str(params, "targetId", "")))
				magi__browser_remove_frame(e, k);
	} else if (!strcmp(method, "Target.targetInfoChanged")) {
		const json_t *info = json_object_get(params, "targetInfo");
		int i = magi__browser_page_by(e, NULL, magi__json_str(info, "targetId", ""));
		if (i >= 0) {
			magi__browser_set_str(&e->pages[i].url, magi__json_str(info, "url", NULL));
			magi__browser_set_str(&e->pages[i].title, magi__json_str(info, "title", NULL));
		}
	} else if (!strcmp(method, "Target.targetCrashed")) {
		int i = magi__browser_page_by(e, NULL, magi__json_str(params, "targetId", ""));
		if (i >= 0)
			e->pages[i].crashed = true;
	} else if (!strncmp(method, "Browser.download", 16)) {
		download_event(e, method, params);
	} else if (session) {
		int i = magi__browser_page_by(e, session, NULL);
		if (i >= 0)
			page_event(e, i, method, params);
	}
}

/* ---- calls ---------------------------------------------------------------------------- */

magi_status magi__browser_dead_check(struct browser_env *e, struct magi_error *err)
{
	const char *why;
	if (!magi__cdp_alive(e->cdp, &why))
		return magi_error_set(err, MAGI_ERR_ENV, "%s", why);
	return MAGI_OK;
}

magi_status magi__browser_call_on(struct browser_env *e, const char *session, const char *method, json_t *params,
				  json_t **result, struct magi_error *err)
{
	if (!session)
		return magi__browser_call(e, method, params, result, err);
	return magi__cdp_call(e->cdp, session, method, params, e->p.call_timeout_ms, result, err);
}

magi_status magi__browser_call(struct browser_env *e, const char *method, json_t *params,
			       json_t **result, struct magi_error *err)
{
	struct bpage *pg = magi__browser_current(e);
	if (!pg) {
		json_decref(params);
		return magi_error_set(err, MAGI_ERR_ENV, "%s: the browser has no open tab", method);
	}
	return magi__cdp_call(e->cdp, pg->session, method, params, e->p.call_timeout_ms, result, err);
}

static bool page_settled(void *ud)
{
	struct load_wait *w = ud;
	int i = magi__browser_page_by(w->e, NULL, w->target);
	return i < 0 || !w->e->pages[i].loading || w->e->pages[i].dlg.open || w->e->pages[i].crashed;
}

/* Waits for the current tab to finish loading (or open a dialog, or go away). */
magi_status magi__browser_wait_loaded(struct browser_env *e, struct magi_error *err)
{
	struct bpage *pg = magi__browser_current(e);
	if (!pg)
		return MAGI_OK;
	char tid[128];
	snprintf(tid, sizeof tid, "%s", pg->target_id);
	struct load_wait w = {e, tid};
	magi_status s = magi__cdp_wait(e->cdp, page_settled, &w, e->p.load_timeout_ms, err);
	if (s)
		return s;
	if (!page_settled(&w))
		magi__browser_note(e, "The page was still loading after %.0f s", e->p.load_timeout_ms / 1000);
	return MAGI_OK;
}

/* The domain rule for a URL the agent asked for; MAGI_ERR_DENIED names the URL. */
magi_status magi__browser_check_url(struct browser_env *e, const char *what, const char *url,
			     struct magi_error *err)
{
	if (e->p.allow_url && !e->p.allow_url(e->p.allow_ud, url))
		return magi_error_set(err, MAGI_ERR_DENIED, "%s: %s is outside the allowed domains", what, url);
	return MAGI_OK;
}

magi_status magi__browser_navigate(struct browser_env *e, const char *url, struct magi_error *err)
{
	magi_status s = magi__browser_check_url(e, "navigate", url, err);
	if (s)
		return s;
	json_t *r = NULL;
	if ((s = magi__browser_call(e, "Page.navigate", json_pack("{ss}", "url", url), &r, err)))
		return s;
	const char *et = magi__json_str(r, "errorText", NULL);
	struct bpage *pg = magi__browser_current(e);
	if (et)
		magi__browser_note(e, "Opening %s failed: %s", url, et);
	else if (pg && json_object_get(r, "loaderId"))
		pg->loading = true; /* the load events follow; observe waits for them */
	json_decref(r);
	return MAGI_OK;
}

/* back (-1) or forward (+1) in the current tab's history */
magi_status magi__browser_history(struct browser_env *e, int delta, struct magi_error *err)
{
	json_t *r = NULL;
	magi_status s = magi__browser_call(e, "Page.getNavigationHistory", NULL, &r, err);
	if (s)
		return s;
	long cur = magi__json_int(r, "currentIndex", 0) + delta;
	const json_t *entry = json_array_get(json_object_get(r, "entries"), cur < 0 ? (size_t)-1 : (size_t)cur);
	if (!entry) {
		json_decref(r);
		return magi_error_set(err, MAGI_ERR_INVALID, "there is no page to go %s to in this tab",
				      delta < 0 ? "back" : "forward");
	}
	long id = magi__json_int(entry, "id", 0);
	json_decref(r);
	s = magi__browser_call(e, "Page.navigateToHistoryEntry", json_pack("{si}", "entryId", (int)id), NULL, err);
	struct bpage *pg = magi__browser_current(e);
	if (!s && pg)
		pg->loading = true;
	return s;
}

magi_status magi__browser_tab_index(struct browser_env *e, int n, int *out, struct magi_error *err)
{
	if (n < 1 || (size_t)n > e->n_pages)
		return magi_error_set(err, MAGI_ERR_INVALID, "there is no tab %d (tabs are numbered 1 to %zu)", n,
				      e->n_pages);
	*out = n - 1;
	return MAGI_OK;
}

magi_status magi__browser_switch_tab(struct browser_env *e, int i, struct magi_error *err)
{
	e->current = i;
	magi__browser_forget_shot(e);
	struct bpage *pg = &e->pages[i];
	magi_status s = magi__cdp_call(e->cdp, NULL, "Target.activateTarget",
				       json_pack("{ss}", "targetId", pg->target_id), e->p.call_timeout_ms, NULL, err);
	if (!s && !pg->dlg.open)
		s = magi__browser_call(e, "Page.bringToFront", NULL, NULL, err);
	return s;
}

static bool has_new_page(void *ud)
{
	struct browser_env *e = ((struct load_wait *)ud)->e;
	return magi__browser_page_by(e, NULL, ((struct load_wait *)ud)->target) >= 0;
}

magi_status magi__browser_new_tab(struct browser_env *e, const char *url, struct magi_error *err)
{
	magi_status s = url ? magi__browser_check_url(e, "new_tab", url, err) : MAGI_OK;
	json_t *r = NULL;
	e->quiet_tabs = true; /* asked for, so not news */
	if (!s)
		s = magi__cdp_call(e->cdp, NULL, "Target.createTarget", json_pack("{ss}", "url", "about:blank"),
				   e->p.call_timeout_ms, &r, err);
	char tid[128];
	snprintf(tid, sizeof tid, "%s", magi__json_str(r, "targetId", ""));
	json_decref(r);
	struct load_wait w = {e, tid};
	if (!s)
		s = magi__cdp_wait(e->cdp, has_new_page, &w, e->p.call_timeout_ms, err);
	e->quiet_tabs = false;
	if (s)
		return s;
	int i = magi__browser_page_by(e, NULL, tid);
	if (i < 0)
		return magi_error_set(err, MAGI_ERR_ENV, "new_tab: Chromium made tab %s but never attached it", tid);
	if ((s = magi__browser_switch_tab(e, i, err)))
		return s;
	return url ? magi__browser_navigate(e, url, err) : MAGI_OK;
}

magi_status magi__browser_close_tab(struct browser_env *e, int n, struct magi_error *err)
{
	int i = e->current;
	magi_status s = n ? magi__browser_tab_index(e, n, &i, err) : MAGI_OK;
	if (s)
		return s;
	if (e->n_pages <= 1)
		return magi_error_set(err, MAGI_ERR_INVALID, "close_tab: this is the only tab; navigate instead");
	char tid[128];
	snprintf(tid, sizeof tid, "%s", e->pages[i].target_id);
	if ((s = magi__cdp_call(e->cdp, NULL, "Target.closeTarget", json_pack("{ss}", "targetId", tid),
				e->p.call_timeout_ms, NULL, err)))
		return s;
	/* the page is dropped now, not when its events come; asked for, so not news */
	e->quiet_tabs = true;
	if ((i = magi__browser_page_by(e, NULL, tid)) >= 0)
		magi__browser_remove_page(e, i);
	e->quiet_tabs = false;
	return e->current >= 0 ? magi__browser_switch_tab(e, e->current, err) : MAGI_OK;
}

magi_status magi__browser_answer_dialog(struct browser_env *e, bool accept, const char *text, struct magi_error *err)
{
	struct bpage *pg = magi__browser_current(e);
	if (!pg || !pg->dlg.open)
		return magi_error_set(err, MAGI_ERR_INVALID, "dialog: no JavaScript dialog is open in this tab");
	const char *prompt = text ? text : pg->dlg.prompt;
	json_t *p = json_pack("{sb}", "accept", accept);
	if (accept && prompt && pg->dlg.type && !strcmp(pg->dlg.type, "prompt"))
		json_object_set_new(p, "promptText", json_string(prompt));
	magi_status s = magi__browser_call(e, "Page.handleJavaScriptDialog", p, NULL, err);
	if (!s)
		dialog_clear(&pg->dlg);
	return s;
}
