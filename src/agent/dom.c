/* dom.c — a run on a screen that comes with an element list (the browser): the page's own
 * text and boxes stand in for OCR (exact, and no reading of the screenshot), so the PII scan,
 * redaction and injection marking work on the DOM; the risk gate learns from the list which
 * element an action lands on, and judges click_element as a click on its element. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/agent_internal.h"
#include "core/common.h"

const struct magi_element *magi__dom_element(const struct magi_obs *o, int id)
{
	for (size_t i = 0; i < o->n_elements && id > 0; i++)
		if (o->elements[i].id == id && !(o->elements[i].flags & MAGI_ELEM_TEXT))
			return &o->elements[i];
	return NULL;
}

const struct magi_element *magi__dom_element_at(const struct magi_obs *o, double x, double y)
{
	const struct magi_element *best = NULL;
	for (size_t i = 0; i < o->n_elements; i++) {
		const struct magi_element *e = &o->elements[i];
		if (!(e->flags & MAGI_ELEM_INTERACTIVE) || !(e->flags & MAGI_ELEM_VISIBLE) || x < e->x ||
		    y < e->y || x >= e->x + e->w || y >= e->y + e->h)
			continue;
		/* the innermost: a button inside a clickable card is what the click hits */
		if (!best || (long)e->w * e->h < (long)best->w * best->h)
			best = e;
	}
	return best;
}

magi_status magi__dom_ocr(struct magi_run *r, double *ms)
{
	double t = magi_now_ms();
	magi_ocr_free(r->ocr);
	r->ocr = NULL;
	magi_status s = magi_guard_dom_ocr(r->obs.elements, r->obs.n_elements, true, &r->ocr);
	*ms = magi_now_ms() - t;
	return s;
}

void magi__dom_gate(const struct magi_run *r, const struct magi_action *a, struct magi_risk_context *ctx,
		    struct magi_action *judged, char *element, char *field, size_t cap)
{
	*judged = *a;
	element[0] = field[0] = '\0';
	const struct magi_obs *o = &r->obs;
	if (!o->n_elements)
		return;
	const struct magi_element *e = NULL;
	if (a->kind == MAGI_ACT_CLICK_ELEMENT) {
		/* judged as the click it is: on the element's centre */
		e = magi__dom_element(o, a->index);
		if (e) {
			judged->kind = MAGI_ACT_CLICK;
			judged->has_point = true;
			judged->x = e->x + e->w / 2.0;
			judged->y = e->y + e->h / 2.0;
		}
	} else if (a->has_point) {
		e = magi__dom_element_at(o, a->x, a->y);
	} else if ((a->kind == MAGI_ACT_SELECT_OPTION || a->kind == MAGI_ACT_UPLOAD_FILE) && a->index > 0) {
		e = magi__dom_element(o, a->index);
	}
	if (e && e->name && *e->name) {
		snprintf(element, cap, "%s", e->name);
		ctx->element_text = element;
	}
	/* typing goes to the field clicked last: its label decides where a secret may go */
	const struct magi_element *f = a->kind == MAGI_ACT_TYPE && r->has_focus
					       ? magi__dom_element_at(o, r->focus_x, r->focus_y)
					       : NULL;
	if (f && f->name && *f->name) {
		snprintf(field, cap, "%s", f->name);
		ctx->field_label = field;
	}
}
