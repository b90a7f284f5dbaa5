/* dom_text.c — a browser page's element list as the guards' input: the DOM text with its
 * boxes in the shape OCR gives, so magi_pii_scan_ocr and magi_injection_scan work on
 * exact text and boxes instead of a reading of the screenshot; and the element an action
 * lands on, for the risk gate. */
#include <math.h>
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
		    size_t cap, uint32_t *flags)
{
	*local = *ctx;
	*judged = *a;
	element[0] = field[0] = '\0';
	*flags = 0;
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
	if (e)
		*flags = e->flags;
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

/* Moves the words and lines of add (read from a crop at ox, oy) to the end of o. */
static magi_status append_ocr(struct magi_ocr *o, struct magi_ocr *add, int ox, int oy)
{
	if (!add->n_words || !add->n_lines)
		return MAGI_OK;
	struct magi_ocr_word *w = realloc(o->words, (o->n_words + add->n_words) * sizeof *w);
	if (!w)
		return MAGI_ERR_NOMEM;
	o->words = w;
	struct magi_ocr_line *l = realloc(o->lines, (o->n_lines + add->n_lines) * sizeof *l);
	if (!l)
		return MAGI_ERR_NOMEM;
	o->lines = l;
	for (size_t i = 0; i < add->n_words; i++) {
		struct magi_ocr_word *d = &o->words[o->n_words + i];
		*d = add->words[i];
		d->x += ox, d->y += oy;
		d->line += (int)o->n_lines;
	}
	for (size_t i = 0; i < add->n_lines; i++) {
		struct magi_ocr_line *d = &o->lines[o->n_lines + i];
		*d = add->lines[i];
		d->x += ox, d->y += oy;
	}
	o->n_words += add->n_words;
	o->n_lines += add->n_lines;
	add->n_words = add->n_lines = 0; /* the strings belong to o now */
	return MAGI_OK;
}

magi_status magi_guard_dom_ocr_pictures(const struct magi_image *shot, const struct magi_element *el, size_t n,
					size_t max_pictures, struct magi_ocr *ocr, struct magi_error *err)
{
	size_t done = 0;
	for (size_t i = 0; i < n && done < max_pictures && shot && el; i++) {
		const struct magi_element *e = &el[i];
		if (!(e->flags & MAGI_ELEM_PICTURE) || !(e->flags & MAGI_ELEM_VISIBLE) || e->w <= 0 || e->h <= 0)
			continue;
		/* the part inside the screenshot */
		int x0 = e->x < 0 ? 0 : e->x, y0 = e->y < 0 ? 0 : e->y;
		int x1 = e->x + e->w > (int)shot->w ? (int)shot->w : e->x + e->w;
		int y1 = e->y + e->h > (int)shot->h ? (int)shot->h : e->y + e->h;
		if (x1 - x0 < 8 || y1 - y0 < 8)
			continue;
		struct magi_image *crop = NULL;
		struct magi_ocr *part = NULL;
		magi_status s = magi_image_crop(shot, x0, y0, (uint32_t)(x1 - x0), (uint32_t)(y1 - y0), &crop);
		if (s)
			return magi_error_set(err, s, "cannot crop the picture at %d,%d", x0, y0);
		s = magi_ocr_run(crop, NULL, 0, &part, err);
		magi_image_free(crop);
		if (!s && (s = append_ocr(ocr, part, x0, y0)))
			magi_error_set(err, s, NULL);
		magi_ocr_free(part);
		if (s)
			return s;
		done++;
	}
	return MAGI_OK;
}

/* Page text quoted on one line: look-alike <untrusted> wrapper tags defused. */
static void quote(struct magi_buf *out, const char *t, const struct magi_pii_params *pp)
{
	struct magi_pii_finding *f = NULL;
	size_t nf = 0;
	char *clean = NULL;
	if (magi_pii_scan_text(t, pp, &f, &nf) == MAGI_OK && nf)
		(void)magi_guard_redact_text(t, f, nf, &clean);
	magi_pii_findings_free(f, nf);
	magi_buf_putc(out, '"');
	for (const char *q = clean ? clean : t; *q; q++) {
		if (*q == '<' && (!strncmp(q + 1, "untrusted", 9) || !strncmp(q + 1, "/untrusted", 10)))
			magi_buf_puts(out, "&lt;");
		else if (*q == '"')
			magi_buf_puts(out, "\\\"");
		else
			magi_buf_putc(out, *q == '\n' || *q == '\r' || *q == '\t' ? ' ' : *q);
	}
	magi_buf_putc(out, '"');
	free(clean);
}

static void element_line(const struct magi_element *e, const struct magi_pii_params *pp,
			 const struct magi_injection_region *inj, size_t n_inj, const struct magi_coord_map *map,
			 struct magi_buf *out)
{
	const char *why = NULL;
	for (size_t k = 0; k < n_inj; k++)
		if (inj[k].has_box && e->x < inj[k].x + inj[k].w && inj[k].x < e->x + e->w && e->y < inj[k].y + inj[k].h &&
		    inj[k].y < e->y + e->h)
			why = inj[k].reason;
	magi_buf_printf(out, "[%d] %s ", e->id, e->role && *e->role ? e->role : "element");
	if (why) {
		magi_buf_puts(out, "<untrusted reason=");
		magi_json_quote(why, out);
		magi_buf_puts(out, ">");
	}
	quote(out, e->name ? e->name : "", pp);
	if (e->value) {
		magi_buf_puts(out, " value ");
		quote(out, e->value, pp);
	}
	if (why)
		magi_buf_puts(out, "</untrusted>");
	if (e->flags & MAGI_ELEM_PASSWORD)
		magi_buf_puts(out, " (password)");
	if (e->flags & MAGI_ELEM_CHECKED)
		magi_buf_puts(out, " (checked)");
	if (e->flags & MAGI_ELEM_DISABLED)
		magi_buf_puts(out, " (disabled)");
	if (!(e->flags & MAGI_ELEM_VISIBLE)) {
		magi_buf_puts(out, " (out of view)\n");
		return;
	}
	int cx = e->x + e->w / 2, cy = e->y + e->h / 2;
	if (!map) {
		magi_buf_printf(out, " at (%d, %d)\n", cx, cy);
		return;
	}
	double x, y;
	magi_coords_from_screen(map, cx, cy, &x, &y);
	if (map->space == MAGI_COORDS_NORM1)
		magi_buf_printf(out, " at (%.3f, %.3f)\n", x, y);
	else
		magi_buf_printf(out, " at (%.0f, %.0f)\n", x < 0 ? 0 : floor(x + 0.5), y < 0 ? 0 : floor(y + 0.5));
}

magi_status magi_guard_element_lines(const struct magi_element *el, size_t n, const struct magi_pii_params *pp,
				     const struct magi_injection_region *inj, size_t n_inj,
				     const struct magi_coord_map *map, size_t max, struct magi_buf *out)
{
	size_t shown = 0, total = 0;
	/* the ones in view first, then those a scroll or click_element would bring in */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			const struct magi_element *e = &el[i];
			if (!(e->flags & MAGI_ELEM_INTERACTIVE) || (e->flags & MAGI_ELEM_TEXT) ||
			    (e->flags & MAGI_ELEM_VISIBLE ? 0 : 1) != pass)
				continue;
			total++;
			if (shown < max) {
				element_line(e, pp, inj, n_inj, map, out);
				shown++;
			}
		}
	if (!total)
		magi_buf_puts(out, "(none)\n");
	else if (shown < total)
		magi_buf_printf(out, "(%zu more not listed)\n", total - shown);
	return out->max && out->len >= out->max ? MAGI_ERR_LIMIT : MAGI_OK;
}
