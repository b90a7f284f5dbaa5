/*
 * browser_dom.c — the element list of one document of a DOM snapshot (browser_snap.c
 * takes the snapshots and places their documents in the viewport).
 *
 * What counts as interactive, and the names, follow the browser's own rules loosely
 * (an ARIA-lite): links with href, buttons, fields, selects, summary, elements with an
 * interactive role, an onclick attribute, contenteditable, tabindex >= 0, a click listener
 * (DOMSnapshot's isClickable) or a pointer cursor their parent does not have. A name is
 * aria-label, else aria-labelledby's text, else (fields) the <label>, placeholder or
 * title, else the text inside (with <img alt>), else title. Every line box of text in
 * view becomes a text run with its exact box.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "env/browser_snap.h"
#include "env/env_internal.h"
#include "core/json.h"
#include "core/common.h"

/* Per node of one document, what the passes below work out. */
struct nodeinfo {
	const char *tag;   /* nodeName as given (upper case for HTML elements) */
	int layout;        /* first layout object, -1 when not rendered */
	int owner;         /* nearest interactive element or label (self included), -1 */
	int label;         /* nearest <label> ancestor (self included), -1 */
	int path;          /* index into the path table, -1: the document's own */
	int shadow;        /* index of its shadow path + 1 (0: not in a shadow tree) */
	bool interactive;
	bool collect;      /* gathers the text below it (for names) */
	bool pointer;      /* computed cursor is pointer */
	int text;          /* index into the text buffers when collect, -1 */
};

/* Appends s with runs of white space as one space, at most BROWSER_NAME_MAX bytes. */
static void put_collapsed(struct magi_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n && b->len < BROWSER_NAME_MAX; i++) {
		char ch = s[i];
		bool sp = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '\f';
		if (sp) {
			if (b->len && b->data[b->len - 1] != ' ')
				magi_buf_putc(b, ' ');
		} else {
			magi_buf_putc(b, ch);
		}
	}
}

static char *trimmed(const char *s)
{
	struct magi_buf b;
	magi_buf_init(&b, BROWSER_NAME_MAX + 8);
	if (s)
		put_collapsed(&b, s, strlen(s));
	while (b.len && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	/* never cut inside a UTF-8 sequence */
	while (b.len && ((unsigned char)b.data[b.len - 1] & 0xc0) == 0x80 && b.len >= BROWSER_NAME_MAX)
		b.data[--b.len] = '\0';
	if (b.len && (unsigned char)b.data[b.len - 1] >= 0xc0 && b.len >= BROWSER_NAME_MAX)
		b.data[--b.len] = '\0';
	return magi_buf_detach(&b, NULL);
}

static bool grow_el(struct dom_ctx *c)
{
	size_t cap = c->cap_el;
	if (!magi__grow(&c->el, &cap, c->n_el, sizeof *c->el, 64))
		return false;
	size_t cap2 = c->cap_el;
	if (!magi__grow(&c->be, &cap2, c->n_el, sizeof *c->be, 64))
		return false;
	c->cap_el = cap < cap2 ? cap : cap2;
	return true;
}

static bool interactive_role(const char *r)
{
	static const char *const roles[] = {"button", "link", "checkbox", "radio", "tab", "menuitem",
					    "menuitemcheckbox", "menuitemradio", "option", "switch",
					    "textbox", "combobox", "searchbox", "slider", "spinbutton",
					    "listbox", "treeitem"};
	for (size_t i = 0; i < MAGI_ARRAY_LEN(roles); i++)
		if (!strcasecmp(r, roles[i]))
			return true;
	return false;
}

/* The role by tag and type when no role attribute says otherwise. */
static const char *tag_role(const char *tag, const char *type, bool multiple)
{
	if (!strcasecmp(tag, "a"))
		return "link";
	if (!strcasecmp(tag, "button") || !strcasecmp(tag, "summary"))
		return "button";
	if (!strcasecmp(tag, "select"))
		return multiple ? "listbox" : "combobox";
	if (!strcasecmp(tag, "textarea"))
		return "textbox";
	if (!strcasecmp(tag, "img"))
		return "image";
	if (!strcasecmp(tag, "input")) {
		if (!type || !*type)
			return "textbox";
		static const struct { const char *t, *r; } m[] = {
			{"checkbox", "checkbox"}, {"radio", "radio"}, {"submit", "button"}, {"button", "button"},
			{"reset", "button"}, {"image", "button"}, {"file", "file"}, {"range", "slider"},
			{"number", "spinbutton"}, {"search", "searchbox"}, {"color", "button"},
		};
		for (size_t i = 0; i < MAGI_ARRAY_LEN(m); i++)
			if (!strcasecmp(type, m[i].t))
				return m[i].r;
		return "textbox";
	}
	return "generic";
}

/* ---- the passes -------------------------------------------------------------------- */

static bool is_tag(const struct nodeinfo *ni, const char *t)
{
	return ni->tag && !strcasecmp(ni->tag, t);
}

static const char *style(const struct dom_ctx *c, const struct docview *v, long li, int k)
{
	return li < 0 ? NULL : magi__dom_str(&c->st, json_array_get(json_array_get(v->l_styles, (size_t)li), (size_t)k));
}

/* Pass 1 over one document: context flags, layout, ownership of text (nodes come in
 * document order, each after its parent). */
static void classify(struct dom_ctx *c, size_t d, const struct docview *v, struct nodeinfo *ni)
{
	size_t n = v->n;
	for (size_t i = 0; i < n; i++)
		ni[i].layout = -1;
	for (size_t li = v->nl; li-- > 0;) {
		long k = magi__dom_ival(v->l_node, li);
		if (k >= 0 && (size_t)k < n)
			ni[k].layout = (int)li;
	}
	for (size_t i = 0; i < n; i++) {
		struct nodeinfo *x = &ni[i];
		long p = magi__dom_ival(v->parent, i);
		const struct nodeinfo *par = p >= 0 && (size_t)p < i ? &ni[p] : NULL;
		long type = magi__dom_ival(v->type, i);
		x->tag = magi__dom_str(&c->st, json_array_get(v->name, i));
		x->path = par ? par->path : c->di[d].path;
		x->owner = par ? par->owner : -1;
		x->label = par ? par->label : -1;
		x->text = -1;
		x->shadow = 0;
		if (c->shadow_of) {
			char key[24];
			snprintf(key, sizeof key, "%ld", magi__dom_ival(v->backend, i));
			x->shadow = (int)json_integer_value(json_object_get(c->shadow_of, key));
			if (x->shadow && !(par && par->shadow == x->shadow))
				x->path = magi__dom_add_path(c, c->di[d].path,
						   json_string_value(json_array_get(c->shadow_paths, (size_t)x->shadow - 1)));
			else if (x->shadow)
				x->path = par->path;
			else
				x->path = c->di[d].path; /* light DOM slotted into a shadow tree */
		}
		if (type != NODE_ELEMENT)
			continue;
		const char *cursor = style(c, v, x->layout, ST_CURSOR);
		x->pointer = cursor && !strcmp(cursor, "pointer");
		if (x->layout < 0 || is_tag(x, "html") || is_tag(x, "body"))
			continue;
		const char *role = magi__dom_attr(c, v, i, "role");
		const char *type_attr = magi__dom_attr(c, v, i, "type");
		const char *tabindex = magi__dom_attr(c, v, i, "tabindex");
		const char *ce = magi__dom_attr(c, v, i, "contenteditable");
		long tab = -1;
		if (tabindex && !magi__parse_long(tabindex, -1000000, 1000000, &tab))
			tab = -1;
		x->interactive =
			(is_tag(x, "a") && magi__dom_attr(c, v, i, "href")) || is_tag(x, "button") || is_tag(x, "select") ||
			is_tag(x, "textarea") || is_tag(x, "summary") ||
			(is_tag(x, "input") && !(type_attr && !strcasecmp(type_attr, "hidden"))) ||
			(role && interactive_role(role)) || magi__dom_attr(c, v, i, "onclick") ||
			(ce && strcasecmp(ce, "false")) || tab >= 0 ||
			/* a click listener or a pointer cursor; not on a <label>, which only
			 * forwards its clicks to its field (listed already) */
			(!is_tag(x, "label") && (v->clickable[i] >= 0 || (x->pointer && !(par && par->pointer))));
		if (x->interactive || is_tag(x, "label"))
			x->owner = (int)i;
		if (is_tag(x, "label"))
			x->label = (int)i;
	}
}

/* Pass 2: text (and <img alt>) below each collecting node, into bufs. */
static void gather_text(struct dom_ctx *c, const struct docview *v, const struct nodeinfo *ni,
			struct magi_buf *bufs)
{
	for (size_t i = 0; i < v->n; i++) {
		long type = magi__dom_ival(v->type, i);
		const char *t = NULL;
		if (type == NODE_TEXT && ni[i].layout >= 0)
			t = magi__dom_str(&c->st, json_array_get(v->l_text, (size_t)ni[i].layout));
		else if (type == NODE_ELEMENT && is_tag(&ni[i], "img"))
			t = magi__dom_attr(c, v, i, "alt");
		if (!t || !*t)
			continue;
		/* to the nearest collector above (labelledby targets collect too) */
		for (long k = (long)i; k >= 0 && (size_t)k < v->n; k = magi__dom_ival(v->parent, (size_t)k)) {
			if (ni[k].collect) {
				struct magi_buf *b = &bufs[ni[k].text];
				if (b->len && b->data[b->len - 1] != ' ')
					magi_buf_putc(b, ' ');
				put_collapsed(b, t, strlen(t));
				break;
			}
		}
	}
}

/* The label text for field i: a <label for=its id>, or the label around it. */
static const char *label_text(const struct dom_ctx *c, const struct docview *v, const struct nodeinfo *ni,
			      size_t i, const struct magi_buf *bufs)
{
	const char *id = magi__dom_attr(c, v, i, "id");
	for (size_t k = 0; id && *id && k < json_array_size(v->labels_for); k++) {
		const json_t *pair = json_array_get(v->labels_for, k);
		long li = magi__dom_ival(pair, 1);
		if (!strcmp(json_string_value(json_array_get(pair, 0)), id) && ni[li].collect && bufs[ni[li].text].len)
			return bufs[ni[li].text].data;
	}
	if (ni[i].label >= 0 && ni[ni[i].label].collect && bufs[ni[ni[i].label].text].len)
		return bufs[ni[ni[i].label].text].data;
	return NULL;
}

static const char *labelledby_text(const struct dom_ctx *c, const struct docview *v, const struct nodeinfo *ni,
				   const char *ids, const struct magi_buf *bufs, struct magi_buf *out)
{
	char one[128];
	while (ids && *ids) {
		size_t l = strcspn(ids, " ");
		if (l && l < sizeof one) {
			memcpy(one, ids, l);
			one[l] = '\0';
			for (size_t k = 0; k < v->n; k++) {
				const char *kid = ni[k].collect ? magi__dom_attr(c, v, k, "id") : NULL;
				if (kid && !strcmp(kid, one)) {
					if (out->len)
						magi_buf_putc(out, ' ');
					magi_buf_puts(out, bufs[ni[k].text].data);
				}
			}
		}
		ids += l;
		ids += strspn(ids, " ");
	}
	return out->len ? out->data : NULL;
}

/* The text of the selected <option> under select sel (options have no layout: raw text). */
static char *selected_option(const struct dom_ctx *c, const struct docview *v, size_t sel)
{
	for (size_t k = 0; k < json_array_size(v->selected); k++) {
		long o = magi__dom_ival(v->selected, k);
		long p = o >= 0 && (size_t)o < v->n ? magi__dom_ival(v->parent, (size_t)o) : -1;
		/* the option's parent is the select, or an optgroup in it */
		if (p >= 0 && (size_t)p != sel)
			p = magi__dom_ival(v->parent, (size_t)p);
		if (p < 0 || (size_t)p != sel)
			continue;
		struct magi_buf b;
		magi_buf_init(&b, BROWSER_NAME_MAX + 8);
		for (size_t t = (size_t)o + 1; t < v->n && magi__dom_ival(v->parent, t) == o; t++) {
			const char *val = magi__dom_str(&c->st, json_array_get(v->value, t));
			if (val)
				magi_buf_puts(&b, val);
		}
		char *r = trimmed(b.data);
		magi_buf_release(&b);
		return r;
	}
	return NULL;
}

/* A box (CSS px of document d) as device pixels on el, and whether it can be seen. */
static void place(const struct dom_ctx *c, size_t d, const double bx[4], const char *vis, const char *opacity,
		  struct magi_element *el, struct belem *be)
{
	const struct docinfo *di = &c->di[d];
	double x0 = di->ox + bx[0], y0 = di->oy + bx[1], x1 = x0 + bx[2], y1 = y0 + bx[3];
	el->x = (int)floor(x0 * c->scale);
	el->y = (int)floor(y0 * c->scale);
	el->w = (int)ceil(x1 * c->scale) - el->x;
	el->h = (int)ceil(y1 * c->scale) - el->y;
	double cx0 = MAGI_MAX(x0, di->cx0), cy0 = MAGI_MAX(y0, di->cy0);
	double cx1 = MAGI_MIN(x1, di->cx1), cy1 = MAGI_MIN(y1, di->cy1);
	bool shown = bx[2] > 0 && bx[3] > 0 && cx1 > cx0 && cy1 > cy0 && !(vis && strcmp(vis, "visible")) &&
		     !(opacity && !strcmp(opacity, "0"));
	if (shown)
		el->flags |= MAGI_ELEM_VISIBLE;
	/* act on the centre of the part in view */
	be->cx = (shown ? (cx0 + cx1) / 2 : (x0 + x1) / 2) * c->scale;
	be->cy = (shown ? (cy0 + cy1) / 2 : (y0 + y1) / 2) * c->scale;
	be->visible = shown;
}

/* The accessible name of interactive node i (see the top of the file). */
static char *element_name(const struct dom_ctx *c, const struct docview *v, const struct nodeinfo *ni, size_t i,
			  const struct magi_buf *bufs, bool field, const char *button_type)
{
	struct magi_buf tmp;
	magi_buf_init(&tmp, 4096);
	const char *name = magi__dom_attr(c, v, i, "aria-label");
	const char *lb = magi__dom_attr(c, v, i, "aria-labelledby");
	if ((!name || !*name) && lb)
		name = labelledby_text(c, v, ni, lb, bufs, &tmp);
	if ((!name || !*name) && button_type) {
		name = magi__dom_attr(c, v, i, "value");
		if (!name || !*name)
			name = !strcasecmp(button_type, "reset") ? "Reset" : !strcasecmp(button_type, "submit") ? "Submit" : "";
	}
	if ((!name || !*name) && field)
		name = label_text(c, v, ni, i, bufs);
	if ((!name || !*name) && field)
		name = magi__dom_attr(c, v, i, "placeholder");
	if ((!name || !*name) && ni[i].collect && bufs[ni[i].text].len)
		name = bufs[ni[i].text].data;
	if (!name || !*name)
		name = magi__dom_attr(c, v, i, "title");
	if (!name || !*name)
		name = magi__dom_attr(c, v, i, "alt");
	char *r = trimmed(name);
	magi_buf_release(&tmp);
	return r;
}

/* Whether following href opens a page: not a script, not the page's own "#". (Listeners
 * a script adds to the link: browser_snap.c's link_listeners.) */
static bool href_navigates(const char *href)
{
	while (href && (*href == ' ' || *href == '\t' || *href == '\n'))
		href++;
	if (!href || !*href || !strcmp(href, "#"))
		return false;
	const char *colon = strchr(href, ':'), *slash = strchr(href, '/');
	if (!colon || (slash && slash < colon))
		return true; /* relative */
	return !strncasecmp(href, "http:", 5) || !strncasecmp(href, "https:", 6);
}

/* Pass 3: one element per interactive node. */
static magi_status emit_elements(struct dom_ctx *c, size_t d, const struct docview *v, const struct nodeinfo *ni,
				 const struct magi_buf *bufs)
{
	for (size_t i = 0; i < v->n && c->n_el < c->e->p.max_elements; i++) {
		if (!ni[i].interactive)
			continue;
		if (!grow_el(c))
			return MAGI_ERR_NOMEM;
		struct magi_element *el = &c->el[c->n_el];
		struct belem *be = &c->be[c->n_el];
		memset(el, 0, sizeof *el);
		memset(be, 0, sizeof *be);
		c->n_el++; /* counted now so that a failure below frees what it holds */
		const char *tag = ni[i].tag ? ni[i].tag : "";
		const char *type = magi__dom_attr(c, v, i, "type");
		const char *role = magi__dom_attr(c, v, i, "role");
		bool is_input = !strcasecmp(tag, "input");
		bool field = is_input || !strcasecmp(tag, "select") || !strcasecmp(tag, "textarea");
		bool button_input = is_input && type &&
				    (!strcasecmp(type, "submit") || !strcasecmp(type, "button") || !strcasecmp(type, "reset"));
		el->name = element_name(c, v, ni, i, bufs, field && !button_input, button_input ? type : NULL);
		char rl[32];
		snprintf(rl, sizeof rl, "%s",
			 role && interactive_role(role) ? role : tag_role(tag, type, magi__dom_attr(c, v, i, "multiple") != NULL));
		magi__dom_lower(rl);
		if (!strcmp(rl, "generic"))
			snprintf(rl, sizeof rl, "clickable");
		el->role = magi__strdup(rl);
		char lt[32];
		snprintf(lt, sizeof lt, "%s", tag);
		magi__dom_lower(lt);
		el->tag = magi__strdup(lt);
		el->flags = MAGI_ELEM_INTERACTIVE;
		bool password = is_input && type && !strcasecmp(type, "password");
		if (password)
			el->flags |= MAGI_ELEM_PASSWORD | MAGI_ELEM_EDITABLE;
		else if (!strcmp(rl, "textbox") || !strcmp(rl, "searchbox") || !strcmp(rl, "spinbutton") ||
			 magi__dom_attr(c, v, i, "contenteditable"))
			el->flags |= MAGI_ELEM_EDITABLE;
		if (magi__dom_attr(c, v, i, "disabled"))
			el->flags |= MAGI_ELEM_DISABLED;
		if (v->checked[i] >= 0)
			el->flags |= MAGI_ELEM_CHECKED;
		if (ni[i].shadow)
			el->flags |= MAGI_ELEM_IN_SHADOW;
		if (c->di[d].path >= 0)
			el->flags |= MAGI_ELEM_IN_FRAME;
		if (!strcmp(rl, "link") && !strcasecmp(tag, "a") && href_navigates(magi__dom_attr(c, v, i, "href")) &&
		    !magi__dom_attr(c, v, i, "onclick") && !magi__dom_attr(c, v, i, "download"))
			el->flags |= MAGI_ELEM_NAVIGATES;
		if (!password && !strcasecmp(tag, "select")) {
			el->value = selected_option(c, v, i);
		} else if (!password && field && !button_input) {
			const json_t *iv = magi__dom_rare_value(v->input_value, v->input_values, i);
			if (!iv)
				iv = magi__dom_rare_value(v->text_value, v->text_values, i);
			const char *val = iv ? magi__dom_str(&c->st, iv) : NULL;
			if (val && (*val || (el->flags & MAGI_ELEM_EDITABLE)))
				el->value = magi__strdup(val);
		}
		el->path = ni[i].path >= 0 ? magi__strdup(c->paths[ni[i].path]) : NULL;
		double bx[4];
		magi__dom_read_box(json_array_get(v->l_bounds, (size_t)ni[i].layout), bx);
		place(c, d, bx, style(c, v, ni[i].layout, ST_VISIBILITY), style(c, v, ni[i].layout, ST_OPACITY), el, be);
		be->backend_id = magi__dom_ival(v->backend, i);
		be->sess = c->sess;
		if (!el->name || !el->role || !el->tag || (ni[i].path >= 0 && !el->path))
			return MAGI_ERR_NOMEM;
	}
	return MAGI_OK;
}

/* Number of UTF-8 bytes of s that hold `units` UTF-16 code units. */
static size_t utf16_to_bytes(const char *s, size_t len, size_t units)
{
	size_t i = 0;
	while (i < len && units) {
		unsigned char ch = (unsigned char)s[i];
		size_t l = ch < 0x80 ? 1 : ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc0 ? 2 : 1;
		size_t u = l == 4 ? 2 : 1;
		if (u > units)
			break;
		units -= u;
		i += l;
	}
	return i < len ? i : len;
}

/* Appends the element of a node that is not interactive (a line of text, a picture), placed
 * at bx with the styles of layout object li, when it is in view. name (allocated) is taken
 * over either way. */
static magi_status add_passive(struct dom_ctx *c, size_t d, const struct docview *v, const struct nodeinfo *ni,
			       size_t node, long li, const double bx[4], uint32_t flag, char *name, const char *role,
			       const char *tag)
{
	struct magi_element el = {0};
	struct belem be = {0};
	place(c, d, bx, style(c, v, li, ST_VISIBILITY), style(c, v, li, ST_OPACITY), &el, &be);
	if (!(el.flags & MAGI_ELEM_VISIBLE) || !grow_el(c)) {
		free(name);
		return el.flags & MAGI_ELEM_VISIBLE ? MAGI_ERR_NOMEM : MAGI_OK;
	}
	el.flags |= flag | (ni[node].shadow ? MAGI_ELEM_IN_SHADOW : 0) | (c->di[d].path >= 0 ? MAGI_ELEM_IN_FRAME : 0);
	el.name = name;
	el.role = magi__strdup(role);
	el.tag = magi__strdup(tag);
	el.path = ni[node].path >= 0 ? magi__strdup(c->paths[ni[node].path]) : NULL;
	be.backend_id = magi__dom_ival(v->backend, node);
	be.sess = c->sess;
	c->el[c->n_el] = el;
	c->be[c->n_el++] = be;
	if (!el.name || !el.role || !el.tag || (ni[node].path >= 0 && !el.path))
		return MAGI_ERR_NOMEM;
	return MAGI_OK;
}

/* Pass 4: every line box of text in view, with its exact box. */
static magi_status emit_text(struct dom_ctx *c, size_t d, const struct docview *v, const json_t *boxes,
			     const struct nodeinfo *ni)
{
	const json_t *b_layout = json_object_get(boxes, "layoutIndex"), *b_bounds = json_object_get(boxes, "bounds");
	const json_t *b_start = json_object_get(boxes, "start"), *b_len = json_object_get(boxes, "length");
	size_t nb = json_array_size(b_layout);
	for (size_t b = 0; b < nb && c->n_el < c->e->p.max_elements; b++) {
		long li = magi__dom_ival(b_layout, b);
		long ndx = li >= 0 ? magi__dom_ival(v->l_node, (size_t)li) : -1;
		if (ndx < 0 || (size_t)ndx >= v->n)
			continue;
		const char *t = magi__dom_str(&c->st, json_array_get(v->l_text, (size_t)li));
		long st0 = magi__dom_ival(b_start, b), ln = magi__dom_ival(b_len, b);
		if (!t || st0 < 0 || ln <= 0)
			continue;
		size_t len = strlen(t);
		size_t s0 = utf16_to_bytes(t, len, (size_t)st0);
		size_t s1 = s0 + utf16_to_bytes(t + s0, len - s0, (size_t)ln);
		while (s0 < s1 && (t[s0] == ' ' || t[s0] == '\n' || t[s0] == '\t'))
			s0++;
		while (s1 > s0 && (t[s1 - 1] == ' ' || t[s1 - 1] == '\n' || t[s1 - 1] == '\t'))
			s1--;
		if (s0 == s1)
			continue;
		double bx[4];
		magi__dom_read_box(json_array_get(b_bounds, b), bx);
		magi_status s = add_passive(c, d, v, ni, (size_t)ndx, li, bx, MAGI_ELEM_TEXT,
					    magi__strndup(t + s0, s1 - s0), "text", "#text");
		if (s)
			return s;
	}
	return MAGI_OK;
}

/* Pass 5: canvases and images in view that are not interactive: their text, if any, is
 * in pixels only (the agent OCRs their boxes). Tiny ones (icons, spacers) are left out. */
static magi_status emit_pictures(struct dom_ctx *c, size_t d, const struct docview *v, const struct nodeinfo *ni)
{
	for (size_t i = 0; i < v->n && c->n_el < c->e->p.max_elements; i++) {
		if (ni[i].interactive || ni[i].layout < 0 || (!is_tag(&ni[i], "canvas") && !is_tag(&ni[i], "img")))
			continue;
		double bx[4];
		magi__dom_read_box(json_array_get(v->l_bounds, (size_t)ni[i].layout), bx);
		if (bx[2] < BROWSER_PICTURE_MIN || bx[3] < BROWSER_PICTURE_MIN / 2)
			continue;
		bool img = is_tag(&ni[i], "img");
		const char *alt = img ? magi__dom_attr(c, v, i, "alt") : NULL;
		magi_status s = add_passive(c, d, v, ni, i, ni[i].layout, bx, MAGI_ELEM_PICTURE, magi__strdup(alt ? alt : ""),
					    img ? "image" : "canvas", img ? "img" : "canvas");
		if (s)
			return s;
	}
	return MAGI_OK;
}

magi_status magi__dom_document(struct dom_ctx *c, size_t d, const struct docview *v)
{
	const json_t *doc = json_array_get(c->docs, d);
	size_t n = v->n;
	if (!n || !c->di[d].placed)
		return MAGI_OK;
	struct nodeinfo *ni = calloc(n, sizeof *ni);
	if (!ni)
		return MAGI_ERR_NOMEM;
	classify(c, d, v, ni);
	/* collectors: interactive elements, labels and aria-labelledby targets */
	for (size_t i = 0; i < n; i++) {
		const char *lb = ni[i].interactive ? magi__dom_attr(c, v, i, "aria-labelledby") : NULL;
		for (const char *q = lb; q && *q;) {
			size_t l = strcspn(q, " ");
			for (size_t k = 0; k < n; k++) {
				const char *id = magi__dom_attr(c, v, k, "id");
				if (id && strlen(id) == l && !strncmp(id, q, l))
					ni[k].collect = true;
			}
			q += l;
			q += strspn(q, " ");
		}
		if (ni[i].owner == (int)i)
			ni[i].collect = true;
	}
	size_t n_bufs = 0;
	for (size_t i = 0; i < n; i++)
		if (ni[i].collect)
			ni[i].text = (int)n_bufs++;
	struct magi_buf *bufs = calloc(n_bufs ? n_bufs : 1, sizeof *bufs);
	magi_status s = bufs ? MAGI_OK : MAGI_ERR_NOMEM;
	for (size_t k = 0; bufs && k < n_bufs; k++)
		magi_buf_init(&bufs[k], BROWSER_NAME_MAX + 8);
	if (!s) {
		gather_text(c, v, ni, bufs);
		s = emit_elements(c, d, v, ni, bufs);
	}
	for (size_t k = 0; bufs && k < n_bufs; k++)
		magi_buf_release(&bufs[k]);
	free(bufs);
	if (!s)
		s = emit_text(c, d, v, json_object_get(doc, "textBoxes"), ni);
	if (!s)
		s = emit_pictures(c, d, v, ni);
	free(ni);
	return s;
}
