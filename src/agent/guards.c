/* guards.c — the guard layer's work inside a run: find PII and injected instructions on
 * each observation once, cover PII in what leaves for remote models and in the trace. */
#include <stdlib.h>
#include <string.h>
#include "agent/agent_internal.h"
#include "core/common.h"

/* Padding (pixels) around each redaction box: OCR boxes hug the ink. */
#define REDACT_PAD 4

void magi__guard_view_free(struct magi_guard_view *v)
{
	if (!v)
		return;
	magi_pii_findings_free(v->pii, v->n_pii);
	magi_injection_regions_free(v->inj, v->n_inj);
	magi_image_free(v->redacted);
	free(v);
}

void magi__guard_scan(struct magi__run *r)
{
	magi__guard_view_free(r->view);
	r->view = NULL;
	if (!r->p.guards || !r->ocr)
		return;
	double t0 = magi_now_ms();
	struct magi_guard_view *v = calloc(1, sizeof *v);
	if (!v)
		return;
	struct magi_pii_params pp = magi_pii_params_default();
	pp.secrets = r->p.secrets;
	/* a screen that stays for several steps has its small text read again only once
	 * (without a cache, out of memory, each step spends the budget again) */
	if (!r->reread)
		(void)magi_pii_cache_new(&r->reread);
	pp.reread_cache = r->reread;
	pp.reread_budget = r->p.pii_reread;
	if (magi_pii_scan_image(r->obs.screenshot, r->ocr, &pp, &v->pii, &v->n_pii) != MAGI_OK)
		MAGI_WARN("PII scan failed; the screenshot is not redacted this step");
	if (magi_injection_scan(r->ocr, NULL, &v->inj, &v->n_inj) != MAGI_OK)
		MAGI_WARN("injection scan failed");
	if (v->n_pii && r->obs.screenshot && magi_image_clone(r->obs.screenshot, &v->redacted) == MAGI_OK)
		magi_guard_redact_image(v->redacted, v->pii, v->n_pii, REDACT_PAD);
	v->ms = magi_now_ms() - t0;
	r->view = v;
}

const struct magi_image *magi__run_image(const struct magi__run *r, struct magi_client *c, bool before)
{
	const struct magi_obs *o = before ? &r->obs_before : &r->obs;
	const struct magi_guard_view *v = before ? r->view_before : r->view;
	if (v && v->redacted && magi_client_is_remote(c))
		return v->redacted;
	return o->screenshot;
}

const struct magi_image *magi__trace_image(const struct magi__run *r)
{
	return r->view && r->view->redacted ? r->view->redacted : r->obs.screenshot;
}
