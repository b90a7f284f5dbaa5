/* dom_text.c — a browser page's element list as the guards' input: the DOM text with its
 * boxes in the shape OCR gives, so magi_pii_scan_ocr and magi_injection_scan work on
 * exact text and boxes instead of a reading of the screenshot; and the element an action
 * lands on, for the risk gate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "guard/guard_internal.h"
#include "core/common.h"

/* One line: the text's words (split at spaces) with boxes shared out along the line box
 * by character count (the line box is exact; the words' split is an estimate, as for a
 * word OCR reads). */
static magi_status add_line(struct magi_ocr *o, size_t *cap_w, size_t *cap_l, const char *text, int x, int y,
			    int w, int h)
{
	size_t len = strlen(text), chars = 0;
	for (size_t i = 0; i < len; i++)
		chars += ((unsigned char)text[i] & 0xc0) != 0x80;
	if (!chars || w <= 0 || h <= 0)
		return MAGI_OK;
	if (!magi__grow(&o->lines, cap_l, o->n_lines, sizeof *o->lines, 16))
		return MAGI_ERR_NOMEM;
	struct magi_ocr_line *ln = &o->lines[o->n_lines];
	memset(ln, 0, sizeof *ln);
	size_t first_word = o->n_words, at = 0; /* characters before the word */
	for (size_t i = 0; i < len;) {
		size_t sp = strspn(text + i, " \t\n\r");
		at += sp;
		i += sp;
		size_t wl = strcspn(text + i, " \t\n\r");
		if (!wl)
			continue;
		size_t wc = 0;
		for (size_t k = i; k < i + wl; k++)
			wc += ((unsigned char)text[k] & 0xc0) != 0x80;
		if (!magi__grow(&o->words, cap_w, o->n_words, sizeof *o->words, 64))
			return MAGI_ERR_NOMEM;
		struct magi_ocr_word *wd = &o->words[o->n_words];
		memset(wd, 0, sizeof *wd);
		if (!(wd->text = magi__strndup(text + i, wl)))
			return MAGI_ERR_NOMEM;
		wd->x = x + (int)((double)w * (double)at / (double)chars);
		wd->w = x + (int)((double)w * (double)(at + wc) / (double)chars) - wd->x;
		if (wd->w < 1)
			wd->w = 1;
		wd->y = y;
		wd->h = h;
		wd->conf = 100;
		wd->line = (int)o->n_lines;
		o->n_words++;
		at += wc;
		i += wl;
	}
	if (o->n_words == first_word)
		return MAGI_OK;
	struct magi_buf b;
	magi_buf_init(&b, len + 16);
	for (size_t k = first_word; k < o->n_words; k++)
		magi_buf_printf(&b, "%s%s", k > first_word ? " " : "", o->words[k].text);
	if (!(ln->text = magi_buf_detach(&b, NULL)))
		return MAGI_ERR_NOMEM;
	ln->x = x, ln->y = y, ln->w = w, ln->h = h;
	ln->conf = 100;
	o->n_lines++;
	return MAGI_OK;
}

magi_status magi_guard_dom_ocr(const struct magi_element *el, size_t n, bool visible_only, struct magi_ocr **out)
{
	*out = NULL;
	struct magi_ocr *o = calloc(1, sizeof *o);
	if (!o)
		return MAGI_ERR_NOMEM;
	size_t cap_w = 0, cap_l = 0;
	magi_status s = MAGI_OK;
	for (size_t i = 0; i < n && !s; i++) {
		const struct magi_element *e = &el[i];
		if (visible_only && !(e->flags & MAGI_ELEM_VISIBLE))
			continue;
		/* text on the page, and what fields hold (never a password: it is not read) */
		const char *t = e->flags & MAGI_ELEM_TEXT ? e->name : e->value;
		if (t && *t && !(e->flags & MAGI_ELEM_PASSWORD))
			s = add_line(o, &cap_w, &cap_l, t, e->x, e->y, e->w, e->h);
	}
	if (s) {
		magi_ocr_free(o);
		return s;
	}
	*out = o;
	return MAGI_OK;
}

void magi__risk_dom(const struct magi_action *a, const struct magi_risk_context *ctx,
		    struct magi_risk_context *local, struct magi_action *judged, char *element, char *field,
		    size_t cap)
{
	*local = *ctx;
	*judged = *a;
	element[0] = field[0] = '\0';
	const struct magi_element *el = ctx->elements, *e = NULL;
	size_t n = ctx->n_elements;
	if (!el || !n)
		return;
	if (a->kind == MAGI_ACT_CLICK_ELEMENT) {
		if ((e = magi_element_find(el, n, a->index))) {
			judged->kind = MAGI_ACT_CLICK;
			judged->has_point = true;
			judged->x = e->x + e->w / 2.0;
			judged->y = e->y + e->h / 2.0;
		}
	} else if (a->has_point) {
		e = magi_element_at(el, n, a->x, a->y);
	} else if (a->kind == MAGI_ACT_SELECT_OPTION || a->kind == MAGI_ACT_UPLOAD_FILE) {
		e = magi_element_find(el, n, a->index);
	}
	if (e && e->name && *e->name && !ctx->element_text) {
		snprintf(element, cap, "%s", e->name);
		local->element_text = element;
	}
	const struct magi_element *f = ctx->has_focus ? magi_element_at(el, n, ctx->focus_x, ctx->focus_y) : NULL;
	if (f && f->name && *f->name && !ctx->field_label) {
		snprintf(field, cap, "%s", f->name);
		local->field_label = field;
	}
}
