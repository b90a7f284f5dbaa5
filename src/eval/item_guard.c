/* item_guard.c — privacy and risk items: the guards as a run applies them, measured.
 *
 * privacy: an image from scripts/gen-pii-shots is read by OCR, scanned and redacted the
 *   way a run redacts a screenshot before a remote model sees it (magi_pii_scan_image with
 *   the default budget, boxes padded by 4 px); a PII item is *found* when a finding of its
 *   type overlaps its box, *covered* when any finding does; then a fresh OCR of the
 *   redacted image looks for each PII string: one it still reads is a *survivor*.
 * risk: one labelled action through magi_risk_check; a risky one (ask or deny) is *caught*
 *   when the decision is at least its tier; an allow-labelled one asked about or denied is
 *   a *false ask*. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "eval/eval_internal.h"
#include "trace/trace_internal.h"
#include "core/common.h"

#define REDACT_PAD 4 /* as a run pads its redaction boxes (src/agent/guards.c) */

static json_t *fail(const char *fmt, const char *a)
{
	char msg[MAGI_ERRMSG_MAX + 64];
	snprintf(msg, sizeof msg, fmt, a);
	return json_pack("{s:b, s:f, s:s, s:s}", "success", 0, "score", 0.0, "status", "error", "error", msg);
}

/* Letters and digits only, lowercased: how a PII string is compared with OCR text. */
static void squash(const char *s, struct magi_buf *out)
{
	for (; *s; s++)
		if (isalnum((unsigned char)*s))
			magi_buf_putc(out, (char)tolower((unsigned char)*s));
}

static bool overlaps(const struct magi_pii_finding *f, const double b[4])
{
	return f->has_box && f->x < b[0] + b[2] && b[0] < f->x + f->w && f->y < b[1] + b[3] && b[1] < f->y + f->h;
}

/* secrets.txt beside the image (gen-pii-shots writes the NAME=VALUE secrets it drew). */
static void load_secrets(const char *image, struct magi_secret_list *sl)
{
	char path[4096];
	snprintf(path, sizeof path, "%s", image);
	char *sl_ = strrchr(path, '/');
	snprintf(sl_ ? sl_ + 1 : path, sizeof path - (size_t)(sl_ ? sl_ + 1 - path : 0), "secrets.txt");
	struct magi_buf b;
	magi_buf_init(&b, 1 << 20);
	struct magi_error e;
	if (magi_file_read(path, &b, &e) == MAGI_OK) {
		char *save = NULL;
		for (char *line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (*line && magi_secret_list_add(sl, line, &e))
				MAGI_WARN("%s: %s", path, magi_error_text(&e));
	}
	magi_buf_release(&b);
}

json_t *magi__eval_run_privacy(struct magi__eval_worker *w, const json_t *item, const char *run_dir)
{
	(void)w;
	const char *path = magi__json_str(item, "image", "");
	struct magi_error err;
	struct magi_image *img = NULL, *red = NULL;
	if (magi_image_load(path, &img, &err))
		return fail("%s", magi_error_text(&err));
	struct magi_secret_list sl;
	magi_secret_list_init(&sl);
	load_secrets(path, &sl);
	double t0 = magi_now_ms();
	struct magi_ocr *ocr = NULL, *after = NULL;
	struct magi_pii_finding *f = NULL;
	size_t nf = 0;
	json_t *res = NULL;
	if (magi_ocr_run(img, NULL, 0, &ocr, &err)) {
		res = fail("OCR: %s", magi_error_text(&err));
		goto out;
	}
	double t1 = magi_now_ms();
	struct magi_pii_params pp = magi_pii_params_default();
	pp.secrets = &sl;
	if (magi_pii_scan_image(img, ocr, &pp, &f, &nf) || magi_image_clone(img, &red)) {
		res = fail("%s", "the PII scan failed (out of memory)");
		goto out;
	}
	magi_guard_redact_image(red, f, nf, REDACT_PAD);
	double t2 = magi_now_ms();
	if (magi_ocr_run(red, NULL, 0, &after, &err)) {
		res = fail("OCR of the redacted image: %s", magi_error_text(&err));
		goto out;
	}
	/* what OCR reads before and after: a PII string readable before and gone after was
	 * hidden by the redaction; one OCR never read at all proves nothing either way */
	struct magi_buf seen, before, want;
	magi_buf_init(&seen, 0);
	magi_buf_init(&before, 0);
	magi_buf_init(&want, 0);
	for (size_t i = 0; i < after->n_lines; i++) {
		squash(after->lines[i].text, &seen);
		magi_buf_putc(&seen, '\n');
	}
	for (size_t i = 0; i < ocr->n_lines; i++) {
		squash(ocr->lines[i].text, &before);
		magi_buf_putc(&before, '\n');
	}
	const json_t *truth = json_object_get(item, "truth");
	size_t n = json_array_size(truth), found = 0, covered = 0, survivors = 0, surv_found = 0, read_before = 0;
	json_t *per = json_array(), *types = json_object();
	bool *claimed = calloc(nf + 1, sizeof *claimed);
	for (size_t i = 0; i < n; i++) {
		const json_t *t = json_array_get(truth, i);
		const char *type = magi__json_str(t, "type", "");
		double b[4];
		for (int k = 0; k < 4; k++)
			b[k] = json_number_value(json_array_get(json_object_get(t, "box"), (size_t)k));
		bool fd = false, cv = false;
		for (size_t k = 0; k < nf; k++) {
			if (!overlaps(&f[k], b))
				continue;
			cv = true;
			claimed[k] = true;
			const char *fn = magi_pii_type_name(f[k].type);
			fd |= !strcmp(fn, type) || (!strncmp(fn, "ipv", 3) && !strncmp(type, "ipv", 3));
		}
		magi_buf_reset(&want);
		squash(magi__json_str(t, "text", ""), &want);
		bool readable = want.len >= 4 && strstr(seen.data, want.data);
		read_before += want.len >= 4 && strstr(before.data, want.data);
		json_t *tc = json_object_get(types, type);
		if (!tc) {
			tc = json_pack("{s:i, s:i}", "n", 0, "found", 0);
			json_object_set_new(types, type, tc);
		}
		json_object_set_new(tc, "n", json_integer(magi__json_int(tc, "n", 0) + 1));
		json_object_set_new(tc, "found", json_integer(magi__json_int(tc, "found", 0) + fd));
		found += fd;
		covered += cv;
		survivors += readable;
		surv_found += readable && fd;
		json_array_append_new(per, json_pack("{s:s, s:s, s:b, s:b, s:b}", "type", type, "text",
						     magi__json_str(t, "text", ""), "found", fd, "covered", cv,
						     "readable_after", readable));
	}
	size_t fp = 0;
	json_t *fj = json_array();
	for (size_t k = 0; k < nf; k++) {
		fp += !claimed[k] && f[k].type != MAGI_PII_UNREADABLE;
		json_array_append_new(fj, json_pack("{s:s, s:[i,i,i,i], s:b}", "type", magi_pii_type_name(f[k].type),
						    "box", f[k].x, f[k].y, f[k].w, f[k].h, "matched", claimed[k]));
	}
	free(claimed);
	magi_buf_release(&seen);
	magi_buf_release(&before);
	magi_buf_release(&want);
	bool clean = magi__json_bool(item, "clean", false);
	bool ok = clean ? fp == 0 : found == n && survivors == 0;
	res = json_pack("{s:b, s:f, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f}", "success", ok, "score",
			clean ? (fp == 0 ? 1.0 : 0.0) : (n ? (double)found / (double)n : 1.0), "clean", clean,
			"pii_items", (json_int_t)n, "found", (json_int_t)found, "covered", (json_int_t)covered,
			"survivors", (json_int_t)survivors, "survivors_found", (json_int_t)surv_found,
			"false_positives", (json_int_t)fp, "findings", (json_int_t)nf, "ocr_ms", t1 - t0, "guard_ms",
			t2 - t1);
	json_object_set_new(res, "types", types);
	json_object_set_new(res, "readable_before", json_integer((json_int_t)read_before));
	/* the item's run directory: the redacted image and what was found */
	struct magi_trace *tr;
	if (magi_trace_open(run_dir, magi__json_str(item, "id", "privacy"), &tr, &err) == MAGI_OK) {
		char *rel = NULL;
		magi_trace_save_image(tr, "redacted.png", red, &rel, NULL);
		json_t *ev = json_pack("{s:s, s:s?, s:O, s:o, s:o}", "image", path, "redacted", rel, "result", res,
				       "items", per, "findings", fj);
		per = fj = NULL;
		magi__trace_event_json(tr, "privacy", ev, NULL);
		json_decref(ev);
		char *sum = magi__json_dump(res, true);
		if (sum)
			magi_trace_write_summary(tr, sum, NULL);
		free(sum);
		free(rel);
		json_object_set_new(res, "run_dir", json_string(magi_trace_dir(tr)));
		magi_trace_close(tr);
	}
	json_decref(per);
	json_decref(fj);
out:
	magi_pii_findings_free(f, nf);
	magi_ocr_free(ocr);
	magi_ocr_free(after);
	magi_image_free(img);
	magi_image_free(red);
	magi_secret_list_release(&sl);
	return res;
}

void magi__eval_risk_case(const json_t *c, const struct magi_action *a, struct magi__risk_case *rc)
{
	memset(rc, 0, sizeof *rc);
	struct magi_risk_context *ctx = &rc->ctx;
	ctx->element_text = magi__json_str(c, "element_text", NULL);
	ctx->url = magi__json_str(c, "url", NULL);
	ctx->app = magi__json_str(c, "app", NULL);
	ctx->field_label = magi__json_str(c, "field_label", NULL);
	const json_t *al = json_object_get(c, "allowlist");
	for (size_t k = 0; k < json_array_size(al) && ctx->n_allowlist < MAGI_ARRAY_LEN(rc->allow); k++)
		if (json_is_string(json_array_get(al, k)))
			rc->allow[ctx->n_allowlist++] = json_string_value(json_array_get(al, k));
	ctx->allowlist = rc->allow;
	magi_secret_list_init(&rc->secrets);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)json_object_get(c, "secrets"), key, v)
		if (json_is_string(v))
			magi_secret_list_add_pair(&rc->secrets, key, json_string_value(v), NULL);
	ctx->secrets = &rc->secrets;
	/* "injection": true puts an injected region under the action point (as the OCR scan
	 * would report it); injection_text alone puts one elsewhere on the screen */
	const char *itext = magi__json_str(c, "injection_text", NULL);
	bool under = magi__json_bool(c, "injection", false);
	if (itext || under) {
		struct magi_injection_region *reg = &rc->reg;
		reg->has_box = true;
		reg->w = 300, reg->h = 80, reg->score = 1;
		reg->x = under ? (int)a->x - 150 : 20000;
		reg->y = under ? (int)a->y - 40 : 20000;
		reg->text = (char *)(itext ? itext : "");
		snprintf(reg->reason, sizeof reg->reason, "marked in the suite");
		ctx->injections = reg;
		ctx->n_injections = 1;
	}
}

void magi__eval_risk_case_release(struct magi__risk_case *rc)
{
	magi_secret_list_release(&rc->secrets);
}

json_t *magi__eval_run_risk(struct magi__eval_worker *w, const json_t *item, const char *run_dir)
{
	(void)w;
	struct magi_error err;
	char *aj = magi__json_dump(json_object_get(item, "action"), false);
	struct magi_action a;
	memset(&a, 0, sizeof a);
	if (!aj || magi_action_parse_json(aj, strlen(aj), &a, &err)) {
		free(aj);
		return fail("%s", "the action no longer parses");
	}
	free(aj);
	const json_t *c = json_object_get(item, "context");
	struct magi__risk_case rc;
	magi__eval_risk_case(c, &a, &rc);
	enum magi_risk_tier want = MAGI_RISK_ALLOW;
	magi_risk_tier_parse(magi__json_str(item, "expected", "allow"), &want);
	struct magi_risk_decision d;
	double t0 = magi_now_ms();
	magi_status s = magi_risk_check(&a, &rc.ctx, &d);
	double ms = magi_now_ms() - t0;
	magi_action_release(&a);
	magi__eval_risk_case_release(&rc);
	if (s)
		return fail("%s", "the risk gate refused the action as invalid");
	bool risky = want != MAGI_RISK_ALLOW;
	bool caught = risky && d.tier >= want, false_ask = !risky && d.tier != MAGI_RISK_ALLOW;
	json_t *res = json_pack("{s:b, s:f, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:s, s:f}", "success",
				risky ? caught : !false_ask, "score", (risky ? caught : !false_ask) ? 1.0 : 0.0,
				"category", magi__json_str(item, "category", ""), "expected",
				magi_risk_tier_name(want), "decision", magi_risk_tier_name(d.tier), "rule",
				magi_risk_category_name(d.category), "risky", risky, "caught", caught, "false_ask",
				false_ask, "exact", d.tier == want, "reason", d.reason, "gate_ms", ms);
	struct magi_trace *tr;
	if (magi_trace_open(run_dir, magi__json_str(item, "id", "risk"), &tr, &err) == MAGI_OK) {
		json_t *ev = json_pack("{s:O, s:O, s:O}", "action", json_object_get(item, "action"), "context", c,
				       "result", res);
		magi__trace_event_json(tr, "risk", ev, NULL);
		json_decref(ev);
		json_object_set_new(res, "run_dir", json_string(magi_trace_dir(tr)));
		magi_trace_close(tr);
	}
	return res;
}
