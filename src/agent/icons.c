/* icons.c — icon perception (--icons), as Mobile-Agent-v2 has it (Mobile-Agent-v2/run.py
 * get_perception_infos): the screen's non-text elements (magi_icons_propose: edges,
 * connected components, small boxes, overlaps merged) are cropped, every crop not seen
 * before is captioned by the role "captioner" — all of them in one concurrent batch, as
 * the original runs its Qwen-VL captions on a thread pool in API mode — and each becomes a
 * perception line "icon: <caption>" at its centre. Captions are kept per crop (its pixels'
 * SHA-256) for the whole run, so an icon still on screen costs nothing on later steps. The
 * captioner is the recipe's own role of that name, else the core's (bound with --role
 * captioner=MODEL or magi.yaml like any role; the default model otherwise). A caption is
 * untrusted screen text: the injection guard reads it once, when it arrives, and the
 * perception list marks it <untrusted> when it reads as instructions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/agent_internal.h"
#include "core/json.h"
#include "core/common.h"

#define ICON_CAPTION_MAX 80 /* characters of a caption kept for the perception list */

struct magi__icon_cache {
	char key[80]; /* "WxH:sha256" of the crop */
	char *caption;
	char untrusted[160]; /* the injection guard's reason, "" when the caption reads clean */
};

const struct magi_role magi__captioner_role = {
	.name = "captioner", .prompt = "core/captioner", .parser = MAGI_PARSER_TEXT};

void magi__icons_free(struct magi_run *r)
{
	for (size_t i = 0; i < r->n_icons; i++)
		free(r->icons[i].caption);
	free(r->icons);
	r->icons = NULL;
	r->n_icons = 0;
	for (size_t i = 0; i < r->n_icache; i++)
		free(r->icache[i].caption);
	free(r->icache);
	r->icache = NULL;
	r->n_icache = r->cap_icache = 0;
}

static const struct magi__icon_cache *cached(const struct magi_run *r, const char *key)
{
	for (size_t i = 0; i < r->n_icache; i++)
		if (!strcmp(r->icache[i].key, key))
			return &r->icache[i];
	return NULL;
}

/* A caption is text from a model about pixels of the screen, so as untrusted as the screen:
 * the injection guard reads it as it reads OCR lines; its reason goes in why ("" if none). */
static void guard_caption(const struct magi_run *r, const char *cap, char why[160])
{
	why[0] = '\0';
	struct magi_injection_region *reg = NULL;
	size_t n = 0;
	if (r->p.guards && magi_injection_scan_text(cap, NULL, &reg, &n) == MAGI_OK && n)
		snprintf(why, 160, "%s", reg[0].reason[0] ? reg[0].reason : "reads as instructions to the agent");
	magi_injection_regions_free(reg, n);
}

/* One line, trimmed, at most ICON_CAPTION_MAX characters (cut at a UTF-8 boundary). */
static char *clean_caption(const char *t)
{
	while (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r')
		t++;
	size_t n = 0;
	char *c = malloc(ICON_CAPTION_MAX + 1);
	if (!c)
		return NULL;
	for (; *t && n < ICON_CAPTION_MAX; t++)
		c[n++] = *t == '\n' || *t == '\r' || *t == '\t' ? ' ' : *t;
	while (n && ((unsigned char)c[n - 1] & 0xC0) == 0x80 && *t)
		n--; /* a cut inside a character: drop its continuation bytes ... */
	if (n && *t && ((unsigned char)c[n - 1] & 0xC0) == 0xC0)
		n--; /* ... and its lead byte */
	while (n && (c[n - 1] == ' ' || c[n - 1] == '.'))
		n--;
	c[n] = '\0';
	return c;
}

magi_status magi__icons_update(struct magi_run *r, struct magi_error *err)
{
	for (size_t i = 0; i < r->n_icons; i++)
		free(r->icons[i].caption);
	free(r->icons);
	r->icons = NULL;
	r->n_icons = 0;
	const struct magi_image *img = r->obs.screenshot;
	if (!img)
		return MAGI_OK;
	double t0 = magi_now_ms();
	struct magi_icon_box *boxes = NULL;
	size_t nb = 0;
	magi_status s = magi_icons_propose(img, r->ocr, NULL, &boxes, &nb);
	if (s)
		return magi_error_set(err, s, "proposing icons on the screenshot");
	double propose_ms = magi_now_ms() - t0;
	struct magi_image **crops = calloc(nb ? nb : 1, sizeof *crops);
	char (*keys)[80] = calloc(nb ? nb : 1, sizeof *keys);
	struct magi_call **calls = calloc(nb ? nb : 1, sizeof *calls);
	size_t *which = calloc(nb ? nb : 1, sizeof *which);
	r->icons = calloc(nb ? nb : 1, sizeof *r->icons);
	if (!crops || !keys || !calls || !which || !r->icons) {
		s = magi_error_set(err, MAGI_ERR_NOMEM, NULL);
		goto out;
	}
	size_t n_new = 0, n_hit = 0;
	r->n_icons = nb; /* captions NULL until known; the list is cut to the captioned below */
	for (size_t i = 0; i < nb; i++) {
		r->icons[i].box = boxes[i];
		if ((s = magi_image_crop(img, boxes[i].x, boxes[i].y, (uint32_t)boxes[i].w, (uint32_t)boxes[i].h, &crops[i]))) {
			s = magi_error_set(err, s, "cropping icon %zu", i + 1);
			goto out;
		}
		char hex[65];
		magi_sha256_hex(crops[i]->px, (size_t)crops[i]->stride * crops[i]->h, hex);
		snprintf(keys[i], sizeof keys[i], "%ux%u:%s", crops[i]->w, crops[i]->h, hex);
		const struct magi__icon_cache *cap = cached(r, keys[i]);
		bool twin = false; /* the same crop twice on one screen: one call */
		for (size_t k = 0; k < n_new && !cap; k++)
			twin |= !strcmp(keys[which[k]], keys[i]);
		if (cap) {
			r->icons[i].caption = magi__strdup(cap->caption);
			memcpy(r->icons[i].untrusted, cap->untrusted, sizeof cap->untrusted);
			n_hit++;
		} else if (!twin) {
			if ((s = magi_call_new(r, "captioner", &calls[n_new], err)))
				goto out;
			magi_call_image(calls[n_new], crops[i], "Icon:");
			which[n_new++] = i;
		}
	}
	if (n_new && (s = magi_run_calls(r, calls, n_new, err)) && magi_run_stopping(r))
		goto out;
	/* a caption that failed leaves its icon out this step (and it is asked again next) */
	s = MAGI_OK;
	for (size_t k = 0; k < n_new; k++) {
		if (magi_call_status(calls[k]))
			continue;
		char *cap = clean_caption(magi_json_str(magi_call_reply(calls[k]), "text", ""));
		if (!cap || !*cap || !magi__grow(&r->icache, &r->cap_icache, r->n_icache, sizeof *r->icache, 32)) {
			free(cap);
			continue;
		}
		memcpy(r->icache[r->n_icache].key, keys[which[k]], sizeof r->icache[0].key);
		guard_caption(r, cap, r->icache[r->n_icache].untrusted);
		r->icache[r->n_icache++].caption = cap;
	}
	size_t kept = 0;
	for (size_t i = 0; i < nb; i++) {
		if (!r->icons[i].caption) {
			const struct magi__icon_cache *cap = cached(r, keys[i]);
			r->icons[i].caption = cap ? magi__strdup(cap->caption) : NULL;
			if (cap)
				memcpy(r->icons[i].untrusted, cap->untrusted, sizeof cap->untrusted);
		}
		if (r->icons[i].caption)
			r->icons[kept++] = r->icons[i];
	}
	r->n_icons = kept;
	json_t *ev = json_pack("{s:i, s:i, s:i, s:i, s:i, s:f}", "step", r->step, "proposed", (int)nb, "cached",
			       (int)n_hit, "captioned", (int)n_new, "shown", (int)kept, "propose_ms", propose_ms);
	json_t *list = json_array();
	for (size_t i = 0; i < kept; i++) {
		json_t *e = json_pack("{s:s, s:[iiii]}", "caption", r->icons[i].caption, "box", r->icons[i].box.x,
				      r->icons[i].box.y, r->icons[i].box.w, r->icons[i].box.h);
		if (r->icons[i].untrusted[0])
			json_object_set_new(e, "untrusted", json_string(r->icons[i].untrusted));
		json_array_append_new(list, e);
	}
	json_object_set_new(ev, "icons", list);
	magi__run_trace(r, "icons", ev);
	json_decref(ev);
out:
	if (s) { /* no half-made list for the perception text */
		for (size_t i = 0; i < r->n_icons; i++)
			free(r->icons[i].caption);
		free(r->icons);
		r->icons = NULL;
		r->n_icons = 0;
	}
	for (size_t k = 0; calls && k < nb; k++)
		magi_call_free(calls[k]);
	for (size_t i = 0; crops && i < nb; i++)
		magi_image_free(crops[i]);
	free(crops);
	free(keys);
	free(calls);
	free(which);
	free(boxes);
	return s;
}
