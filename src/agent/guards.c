/* guards.c — the guard layer's work inside a run: find PII and injected instructions on
 * each observation once, cover PII in what leaves for remote models (screenshots, drawings
 * on them, video frames) and in the trace. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/agent_internal.h"
#include "core/common.h"

/* Padding (pixels) around each redaction box: OCR boxes hug the ink. */
#define REDACT_PAD 4

void magi__guard_view_free(struct magi_guard_view *v)
{
	if (!v || --v->refs > 0)
		return;
	magi_pii_findings_free(v->pii, v->n_pii);
	magi_injection_regions_free(v->inj, v->n_inj);
	magi_image_free(v->redacted);
	free(v);
}

void magi__guard_scan(struct magi_run *r)
{
	magi__guard_view_free(r->view);
	r->view = NULL;
	r->guard_ms = 0;
	r->guard_nomem = false;
	/* no words: nothing to scan without OCR (--no-ocr), or the first screen's reading is
	 * still running for a local model; a reading that failed leaves the screen unscanned */
	if (!r->p.guards || (!r->ocr && (!r->p.ocr || r->ocr_job || !r->obs.screenshot)))
		return;
	double t0 = magi_now_ms();
	if (r->same && r->gen == r->gen_before && r->view_before) {
		/* the same pixels and (copied) the same words: the same findings */
		r->view = r->view_before;
		r->view->refs++;
		r->guard_ms = magi_now_ms() - t0;
		return;
	}
	struct magi_guard_view *v = calloc(1, sizeof *v);
	if (!v) {
		r->guard_nomem = true;
		return;
	}
	v->refs = 1;
	if (!r->ocr) {
		MAGI_WARN("the screen could not be read, so it was not scanned for PII: it is not sent to remote models");
		v->unscanned = true;
		v->ms = r->guard_ms = magi_now_ms() - t0;
		r->view = v;
		return;
	}
	struct magi_pii_params pp = magi_pii_params_default();
	pp.secrets = r->p.secrets;
	/* a screen that stays for several steps has its small text read again only once
	 * (without a cache, out of memory, each step spends the budget again) */
	if (!r->reread)
		(void)magi_pii_cache_new(&r->reread);
	pp.reread_cache = r->reread;
	pp.reread_budget = r->p.pii_reread;
	if (magi_pii_scan_image(r->obs.screenshot, r->ocr, &pp, &v->pii, &v->n_pii) != MAGI_OK) {
		MAGI_WARN("PII scan failed: this screen is not sent to remote models");
		v->unscanned = true;
	}
	if (magi_injection_scan(r->ocr, NULL, &v->inj, &v->n_inj) != MAGI_OK)
		MAGI_WARN("injection scan failed");
	if (v->n_pii && r->obs.screenshot) {
		if (magi_image_clone(r->obs.screenshot, &v->redacted) == MAGI_OK)
			magi_guard_redact_image(v->redacted, v->pii, v->n_pii, REDACT_PAD);
		else
			v->unscanned = true; /* no covered copy: the screen stays here */
	}
	v->ms = r->guard_ms = magi_now_ms() - t0;
	r->view = v;
}

bool magi__guard_withheld(const struct magi_run *r, bool before)
{
	const struct magi_guard_view *v = before ? r->view_before : r->view;
	if (v)
		return v->unscanned;
	/* guards on and no view: its allocation failed */
	return r->p.guards && (before ? r->guard_nomem_before : r->guard_nomem);
}

const struct magi_image *magi__run_image(const struct magi_run *r, struct magi_client *c, bool before)
{
	const struct magi_obs *o = before ? &r->obs_before : &r->obs;
	const struct magi_guard_view *v = before ? r->view_before : r->view;
	if (magi_client_is_remote(c) && magi__guard_withheld(r, before))
		return NULL;
	if (v && v->redacted && magi_client_is_remote(c))
		return v->redacted;
	return o->screenshot;
}

const struct magi_image *magi__trace_image(const struct magi_run *r)
{
	return r->view && r->view->redacted ? r->view->redacted : r->obs.screenshot;
}

struct magi__image_scan {
	char key[80];		 /* "WxH:sha256" of the pixels */
	struct magi_image *red; /* the image with its PII covered; NULL: none found */
};

void magi__guard_image_cache_free(struct magi_run *r)
{
	for (size_t i = 0; i < r->n_iscan; i++)
		magi_image_free(r->iscan[i].red);
	free(r->iscan);
	r->iscan = NULL;
	r->n_iscan = r->cap_iscan = 0;
}

/* Keeps the outcome for key (red is copied); the oldest goes when the cache is full. */
static void keep_scan(struct magi_run *r, const char *key, const struct magi_image *red)
{
	if (r->n_iscan == MAGI__IMAGE_SCANS) {
		magi_image_free(r->iscan[0].red);
		memmove(r->iscan, r->iscan + 1, (r->n_iscan - 1) * sizeof *r->iscan);
		r->n_iscan--;
	}
	struct magi_image *copy = NULL;
	if ((red && magi_image_clone(red, &copy)) ||
	    !magi__grow(&r->iscan, &r->cap_iscan, r->n_iscan, sizeof *r->iscan, 16)) {
		magi_image_free(copy);
		return; /* not kept: scanned again next time */
	}
	snprintf(r->iscan[r->n_iscan].key, sizeof r->iscan[0].key, "%s", key);
	r->iscan[r->n_iscan++].red = copy;
}

magi_status magi__guard_image(struct magi_run *r, const struct magi_image *img, struct magi_image **owned)
{
	*owned = NULL;
	char hex[65], key[80];
	magi_sha256_hex(img->px, (size_t)img->stride * img->h, hex);
	snprintf(key, sizeof key, "%ux%u:%s", img->w, img->h, hex);
	for (size_t i = 0; i < r->n_iscan; i++)
		if (!strcmp(r->iscan[i].key, key)) {
			r->iscan_cached++;
			return r->iscan[i].red ? magi_image_clone(r->iscan[i].red, owned) : MAGI_OK;
		}
	struct magi_ocr *ocr = NULL;
	struct magi_error e;
	/* An image nobody has read yet (a video frame): read it now. When it cannot be read
	 * it is not sent (MAGI_ERR_DENIED), as screenshots are not (and is not kept: the next
	 * request tries again). */
	if (magi_ocr_run(img, NULL, 0, &ocr, &e) != MAGI_OK) {
		MAGI_WARN("OCR for the PII scan failed (%s); the image is not sent to the remote model",
			  magi_error_text(&e));
		return MAGI_ERR_DENIED;
	}
	struct magi_pii_params pp = magi_pii_params_default();
	pp.secrets = r->p.secrets;
	struct magi_pii_finding *f = NULL;
	size_t n = 0;
	magi_status s = magi_pii_scan_image(img, ocr, &pp, &f, &n);
	if (!s && n && !(s = magi_image_clone(img, owned)))
		magi_guard_redact_image(*owned, f, n, REDACT_PAD);
	magi_pii_findings_free(f, n);
	magi_ocr_free(ocr);
	if (!s) {
		r->iscan_scanned++;
		keep_scan(r, key, *owned);
	}
	return s;
}

/* ---- the action drawn on a screenshot (for roles that judge a proposed action) ------------ */
#define MARK_RGB 0xff0000u

void magi__draw_action(struct magi_image *img, const struct magi_action *a)
{
	int ring = (int)(img->w < img->h ? img->w : img->h) / 40;
	ring = ring < 10 ? 10 : ring;
	if (a->has_point) {
		int x = (int)lround(a->x), y = (int)lround(a->y);
		magi_image_draw_circle(img, x, y, ring, 3, MARK_RGB);
		magi_image_draw_line(img, x - ring - 6, y, x - ring / 2, y, 3, MARK_RGB);
		magi_image_draw_line(img, x + ring / 2, y, x + ring + 6, y, 3, MARK_RGB);
		magi_image_draw_line(img, x, y - ring - 6, x, y - ring / 2, 3, MARK_RGB);
		magi_image_draw_line(img, x, y + ring / 2, x, y + ring + 6, 3, MARK_RGB);
		if (a->has_point2) {
			int x2 = (int)lround(a->x2), y2 = (int)lround(a->y2);
			magi_image_draw_line(img, x, y, x2, y2, 3, MARK_RGB);
			magi_image_draw_circle(img, x2, y2, ring / 2, 3, MARK_RGB);
		}
	}
	if ((a->kind == MAGI_ACT_TYPE || a->kind == MAGI_ACT_KEY) && a->text) {
		char label[80];
		snprintf(label, sizeof label, "%s: %.60s", a->kind == MAGI_ACT_TYPE ? "type" : "key", a->text);
		magi_image_draw_text(img, 8, 8, label, 2, MARK_RGB, 0xffffffu, true);
	}
}
