/*
 * browser_draw.c — pictures the browser driver makes: the set-of-marks overlay (each
 * visible interactive element's box and number) and, while a JavaScript dialog blocks the
 * page, the last screenshot dimmed with the dialog drawn on it and its buttons listed as
 * elements 1 (OK) and 2 (Cancel).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "env/browser_internal.h"
#include "env/env_internal.h"
#include "core/common.h"

/* ---- set of marks ----------------------------------------------------------------- */

void magi__browser_draw_marks(struct magi_image *img, const struct magi_element *el, size_t n)
{
	static const uint32_t palette[] = {0xe6194b, 0x3cb44b, 0x4363d8, 0xf58231, 0x911eb4,
					   0x008080, 0xf032e6, 0x9a6324, 0x800000, 0x000075};
	if (!img)
		return;
	int ts = img->w >= 2000 ? 3 : 2;
	for (size_t i = 0; i < n; i++) {
		const struct magi_element *x = &el[i];
		if (!(x->flags & MAGI_ELEM_INTERACTIVE) || !(x->flags & MAGI_ELEM_VISIBLE))
			continue;
		uint32_t col_ = palette[(size_t)x->id % MAGI_ARRAY_LEN(palette)];
		magi_image_draw_rect(img, x->x, x->y, x->w, x->h, 2, col_);
		char num[16];
		snprintf(num, sizeof num, "%d", x->id);
		int tw, th;
		magi_image_text_size(num, ts, &tw, &th);
		int ly = x->y - th >= 0 ? x->y - th : x->y;
		magi_image_draw_text(img, x->x, ly, num, ts, 0xffffff, col_, true);
	}
}

/* ---- an open dialog ------------------------------------------------------------------- */

/* Breaks text into lines of at most width characters, at spaces where it can. */
static void wrap(const char *s, size_t width, struct magi_buf *out)
{
	size_t col_ = 0;
	while (s && *s) {
		size_t w = strcspn(s, " \n");
		if (col_ && col_ + 1 + w > width) {
			magi_buf_putc(out, '\n');
			col_ = 0;
		} else if (col_) {
			magi_buf_putc(out, ' ');
			col_++;
		}
		for (size_t k = 0; k < w; k++, col_++) {
			if (col_ == width) {
				magi_buf_putc(out, '\n');
				col_ = 0;
			}
			magi_buf_putc(out, s[k]);
		}
		s += w;
		if (*s == '\n') {
			magi_buf_putc(out, '\n');
			col_ = 0;
		}
		if (*s)
			s++;
	}
}

static magi_status add_simple(struct browser_env *e, struct magi_obs *obs, const char *role, const char *name,
			      int x, int y, int w, int h, uint32_t flags, int button)
{
	size_t n = obs->n_elements, cap = n;
	if (!magi__grow(&obs->elements, &cap, n, sizeof *obs->elements, 4))
		return MAGI_ERR_NOMEM;
	cap = n;
	if (!magi__grow(&e->elems, &cap, n, sizeof *e->elems, 4))
		return MAGI_ERR_NOMEM;
	struct magi_element *el = &obs->elements[n];
	memset(el, 0, sizeof *el);
	el->id = (int)n + 1;
	el->role = magi__strdup(role);
	el->name = magi__strdup(name);
	el->tag = magi__strdup(flags & MAGI_ELEM_TEXT ? "#text" : "button");
	el->path = magi__strdup("dialog");
	el->x = x, el->y = y, el->w = w, el->h = h;
	el->flags = flags | MAGI_ELEM_VISIBLE;
	obs->n_elements++;
	e->elems[n] = (struct belem){x + w / 2.0, y + h / 2.0, 0, button, true, 0};
	e->n_elems = obs->n_elements;
	return el->role && el->name && el->tag && el->path ? MAGI_OK : MAGI_ERR_NOMEM;
}

magi_status magi__browser_dialog_obs(struct browser_env *e, struct bpage *pg, struct magi_obs *obs,
				     struct magi_error *err)
{
	uint32_t w = (uint32_t)lround(e->p.width * e->p.scale), h = (uint32_t)lround(e->p.height * e->p.scale);
	magi_status s = magi__browser_last_shot(e, &obs->screenshot, err);
	if (s)
		return s;
	bool blank = !obs->screenshot;
	if (blank && (s = magi_image_new(w, h, &obs->screenshot)))
		return magi_error_set(err, s, "drawing the dialog: %s", magi_strerror(s));
	struct magi_image *img = obs->screenshot;
	if (blank)
		magi_image_fill_rect(img, 0, 0, (int)img->w, (int)img->h, 0xffffff);
	/* dim the page behind: it cannot be used until the dialog is answered */
	for (uint32_t y = 0; y < img->h; y++)
		for (uint32_t x = 0; x < img->w * 3; x++)
			img->px[(size_t)y * img->stride + x] = (uint8_t)(img->px[(size_t)y * img->stride + x] / 2 + 40);
	int ts = e->p.scale >= 1.5 ? 5 : 3; /* large enough to read back with OCR */
	int cw = 6 * ts, pad = 4 * ts;
	int pw = (int)MAGI_MIN(img->w - 20, (uint32_t)(70 * cw + 2 * pad));
	size_t cols = (size_t)((pw - 2 * pad) / cw);
	bool is_prompt = pg->dlg.type && !strcmp(pg->dlg.type, "prompt");
	bool is_alert = pg->dlg.type && !strcmp(pg->dlg.type, "alert");
	struct magi_buf body;
	magi_buf_init(&body, 8192);
	wrap(pg->dlg.message, cols, &body);
	int lines = 1;
	for (const char *q = body.data; *q; q++)
		lines += *q == '\n';
	if (lines > 12)
		lines = 12;
	int lh = 10 * ts, bh = lh + 2 * ts, bw = 8 * cw;
	int ph = pad + lh + pad / 2 + lines * lh + (is_prompt ? lh + pad : 0) + pad + bh + pad;
	int px = ((int)img->w - pw) / 2, py = ((int)img->h - ph) / 3;
	magi_image_fill_rect(img, px, py, pw, ph, 0xffffff);
	magi_image_draw_rect(img, px, py, pw, ph, 2, 0x404040);
	char head[96];
	snprintf(head, sizeof head, "This page says (%s):", pg->dlg.type ? pg->dlg.type : "dialog");
	magi_image_draw_text(img, px + pad, py + pad, head, ts, 0x303030, 0, false);
	int y = py + pad + lh + pad / 2;
	magi_image_draw_text(img, px + pad, y, body.data, ts, 0x000000, 0, false);
	y += lines * lh;
	if (is_prompt) {
		magi_image_draw_rect(img, px + pad, y + ts, pw - 2 * pad, lh, 1, 0x404040);
		magi_image_draw_text(img, px + pad + ts, y + 2 * ts, pg->dlg.prompt ? pg->dlg.prompt : "", ts / 2 + 1,
				     0x000000, 0, false);
		y += lh + pad;
	}
	y += pad;
	int okx = px + pw - pad - bw - (is_alert ? 0 : bw + pad), cx = px + pw - pad - bw;
	magi__browser_clear_elems(e);
	s = MAGI_OK;
	struct { const char *label; int x, button; } btn[2] = {{"OK", okx, 1}, {"Cancel", cx, 2}};
	for (int k = 0; k < (is_alert ? 1 : 2) && !s; k++) {
		magi_image_fill_rect(img, btn[k].x, y, bw, bh, k ? 0xe8e8e8 : 0x1a73e8);
		int tw, th;
		magi_image_text_size(btn[k].label, ts, &tw, &th);
		magi_image_draw_text(img, btn[k].x + (bw - tw) / 2, y + (bh - th) / 2, btn[k].label, ts,
				     k ? 0x000000 : 0xffffff, 0, false);
		s = add_simple(e, obs, "button", btn[k].label, btn[k].x, y, bw, bh, MAGI_ELEM_INTERACTIVE, btn[k].button);
	}
	if (!s)
		s = add_simple(e, obs, "text", pg->dlg.message ? pg->dlg.message : "", px + pad, py + pad + lh + pad / 2,
			       pw - 2 * pad, lines * lh, MAGI_ELEM_TEXT, 0);
	magi_buf_release(&body);
	e->elems_target = magi__strdup(pg->target_id);
	return s ? magi_error_set(err, s, NULL) : MAGI_OK;
}
