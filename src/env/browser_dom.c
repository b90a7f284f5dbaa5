/*
 * browser_dom.c — the browser's element list from one DOMSnapshot.captureSnapshot.
 *
 * One snapshot holds every document of the tab that lives in its renderer — the top
 * document and same-process iframes, each a table of nodes and one of layout objects —
 * with shadow trees flattened into their hosts (user-agent ones, the insides of <input>,
 * are left out). Boxes of a document are in its own CSS pixels, so each document gets an
 * origin in the viewport: the top one at minus its scroll offset, an iframe's at its
 * owner element's content box, minus its own scroll. Which nodes came from a shadow tree
 * the snapshot does not say: when the page has custom elements (the usual shadow hosts),
 * DOM.getDocument with pierce tells, and those nodes get MAGI_ELEM_IN_SHADOW and a path.
 *
 * What counts as interactive, and the names, follow the browser's own rules loosely
 * (an ARIA-lite): links with href, buttons, fields, selects, summary, elements with an
 * interactive role, an onclick attribute, contenteditable, tabindex >= 0, a click listener
 * (DOMSnapshot's isClickable) or a pointer cursor their parent does not have. A name is
 * aria-label, else aria-labelledby's text, else (fields) the <label>, placeholder or
 * title, else the text inside (with <img alt>), else title.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "env/browser_internal.h"
#include "env/env_internal.h"
#include "core/json.h"
#include "core/common.h"

enum { ST_DISPLAY, ST_VISIBILITY, ST_OPACITY, ST_CURSOR, ST__COUNT };
static const char *const snapshot_styles[ST__COUNT] = {"display", "visibility", "opacity", "cursor"};

enum { NODE_ELEMENT = 1, NODE_TEXT = 3 };

/* The string table shared by every document of a snapshot. */
struct strtab {
	const json_t *arr;
	size_t n;
};
static const char *str_at(const struct strtab *t, const json_t *idx)
{
	json_int_t i = json_is_integer(idx) ? json_integer_value(idx) : -1;
	if (i < 0 || (size_t)i >= t->n)
		return NULL;
	return json_string_value(json_array_get(t->arr, (size_t)i));
}

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

/* One document's columns, looked up once. Rare columns become per-node positions. */
struct docview {
	const json_t *parent, *type, *name, *value, *backend, *attrs; /* node columns */
	const json_t *l_node, *l_styles, *l_bounds, *l_text, *l_client; /* layout columns */
	size_t n, nl;
	int *clickable, *input_value, *text_value, *checked; /* -1: none */
	const json_t *input_values, *text_values;
	const json_t *selected; /* optionSelected.index */
	const json_t *labels_for; /* [[for-id, node], ...] of <label for> */
};

struct docinfo {
	double ox, oy;             /* viewport position of the document's origin (CSS px) */
	double cx0, cy0, cx1, cy1; /* the part of the viewport it can show */
	int path;                  /* path of the document (frames), -1 for the top one */
	bool placed;
};

/* One element list is built from the tab's snapshot and one per out-of-process iframe;
 * the output and the path strings carry over from one snapshot to the next. */
struct dom_ctx {
	struct browser_env *e;
	/* this snapshot */
	const char *session; /* NULL: the tab's */
	int sess;            /* belem.sess of what it yields */
	json_t *snap;
	struct strtab st;
	const json_t *docs;
	struct docinfo *di;
	struct docview *views;
	size_t n_docs, n_views;
	/* the whole list */
	char **paths; /* owned path strings */
	size_t n_paths, cap_paths;
	struct magi_element *el; /* interactive elements, then text runs */
	struct belem *be;
	size_t n_el, cap_el;
	double scale, vw, vh;
	json_t *shadow_of;    /* backend node id -> index into shadow_paths + 1, or NULL */
	json_t *shadow_paths; /* "shadow(x-card#id)" steps joined by " > " */
};

/* ---- small helpers ------------------------------------------------------------------ */

static long ival(const json_t *arr, size_t i)
{
	const json_t *v = json_array_get(arr, i);
	return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

/* Value of attribute `name` on node i (attributes are [name, value, ...] string indices). */
static const char *attr(const struct dom_ctx *c, const struct docview *v, size_t i, const char *name)
{
	const json_t *a = json_array_get(v->attrs, i);
	for (size_t k = 0; k + 1 < json_array_size(a); k += 2) {
		const char *n = str_at(&c->st, json_array_get(a, k));
		if (n && !strcasecmp(n, name)) {
			const char *val = str_at(&c->st, json_array_get(a, k + 1));
			return val ? val : "";
		}
	}
	return NULL;
}

/* A "rare" column {index: [...], value: [...]} as a per-node position (-1: absent). */
static int *rare_positions(const json_t *nodes, const char *name, size_t n, const json_t **values)
{
	const json_t *r = json_object_get(nodes, name);
	const json_t *idx = json_object_get(r, "index");
	if (values)
		*values = json_object_get(r, "value");
	int *pos = malloc((n ? n : 1) * sizeof *pos);
	if (!pos)
		return NULL;
	for (size_t i = 0; i < n; i++)
		pos[i] = -1;
	for (size_t k = 0; k < json_array_size(idx); k++) {
		long i = ival(idx, k);
		if (i >= 0 && (size_t)i < n)
			pos[i] = (int)k;
	}
	return pos;
}

static void docview_release(struct docview *v)
{
	free(v->clickable);
	free(v->input_value);
	free(v->text_value);
	free(v->checked);
	json_decref((json_t *)v->labels_for);
}

static bool docview_init(struct docview *v, const struct dom_ctx *c, const json_t *doc)
{
	memset(v, 0, sizeof *v);
	const json_t *nodes = json_object_get(doc, "nodes"), *layout = json_object_get(doc, "layout");
	v->parent = json_object_get(nodes, "parentIndex");
	v->type = json_object_get(nodes, "nodeType");
	v->name = json_object_get(nodes, "nodeName");
	v->value = json_object_get(nodes, "nodeValue");
	v->backend = json_object_get(nodes, "backendNodeId");
	v->attrs = json_object_get(nodes, "attributes");
	v->l_node = json_object_get(layout, "nodeIndex");
	v->l_styles = json_object_get(layout, "styles");
	v->l_bounds = json_object_get(layout, "bounds");
	v->l_text = json_object_get(layout, "text");
	v->l_client = json_object_get(layout, "clientRects");
	v->n = json_array_size(v->parent);
	v->nl = json_array_size(v->l_node);
	v->selected = json_object_get(json_object_get(nodes, "optionSelected"), "index");
	v->clickable = rare_positions(nodes, "isClickable", v->n, NULL);
	v->input_value = rare_positions(nodes, "inputValue", v->n, &v->input_values);
	v->text_value = rare_positions(nodes, "textValue", v->n, &v->text_values);
	v->checked = rare_positions(nodes, "inputChecked", v->n, NULL);
	json_t *lf = json_array();
	for (size_t i = 0; lf && i < v->n; i++) {
		const char *tag = str_at(&c->st, json_array_get(v->name, i));
		const char *f = tag && !strcasecmp(tag, "label") ? attr(c, v, i, "for") : NULL;
		if (f && *f)
			json_array_append_new(lf, json_pack("[si]", f, (int)i));
	}
	v->labels_for = lf;
	return v->clickable && v->input_value && v->text_value && v->checked && lf;
}

static const json_t *rare_value(const int *pos, const json_t *values, size_t i)
{
	return pos[i] >= 0 ? json_array_get(values, (size_t)pos[i]) : NULL;
}

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

static int add_path(struct dom_ctx *c, int parent, const char *step)
{
	if (!magi__grow(&c->paths, &c->cap_paths, c->n_paths, sizeof *c->paths, 8))
		return parent;
	struct magi_buf b;
	magi_buf_init(&b, 4096);
	if (parent >= 0)
		magi_buf_printf(&b, "%s > ", c->paths[parent]);
	magi_buf_puts(&b, step);
	char *s = magi_buf_detach(&b, NULL);
	if (!s)
		return parent;
	c->paths[c->n_paths] = s;
	return (int)c->n_paths++;
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
	return li < 0 ? NULL : str_at(&c->st, json_array_get(json_array_get(v->l_styles, (size_t)li), (size_t)k));
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Pass 1 over one document: context flags, layout, ownership of text (nodes come in
 * document order, each after its parent). */
static void classify(struct dom_ctx *c, size_t d, const struct docview *v, struct nodeinfo *ni)
{
	size_t n = v->n;
	for (size_t i = 0; i < n; i++)
		ni[i].layout = -1;
	for (size_t li = v->nl; li-- > 0;) {
		long k = ival(v->l_node, li);
		if (k >= 0 && (size_t)k < n)
			ni[k].layout = (int)li;
	}
	for (size_t i = 0; i < n; i++) {
		struct nodeinfo *x = &ni[i];
		long p = ival(v->parent, i);
		const struct nodeinfo *par = p >= 0 && (size_t)p < i ? &ni[p] : NULL;
		long type = ival(v->type, i);
		x->tag = str_at(&c->st, json_array_get(v->name, i));
		x->path = par ? par->path : c->di[d].path;
		x->owner = par ? par->owner : -1;
		x->label = par ? par->label : -1;
		x->text = -1;
		x->shadow = 0;
		if (c->shadow_of) {
			char key[24];
			snprintf(key, sizeof key, "%ld", ival(v->backend, i));
			x->shadow = (int)json_integer_value(json_object_get(c->shadow_of, key));
			if (x->shadow && !(par && par->shadow == x->shadow))
				x->path = add_path(c, c->di[d].path,
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
		const char *role = attr(c, v, i, "role");
		const char *type_attr = attr(c, v, i, "type");
		const char *tabindex = attr(c, v, i, "tabindex");
		const char *ce = attr(c, v, i, "contenteditable");
		long tab = -1;
		if (tabindex && !magi__parse_long(tabindex, -1000000, 1000000, &tab))
			tab = -1;
		x->interactive =
			(is_tag(x, "a") && attr(c, v, i, "href")) || is_tag(x, "button") || is_tag(x, "select") ||
			is_tag(x, "textarea") || is_tag(x, "summary") ||
			(is_tag(x, "input") && !(type_attr && !strcasecmp(type_attr, "hidden"))) ||
			(role && interactive_role(role)) || attr(c, v, i, "onclick") ||
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
		long type = ival(v->type, i);
		const char *t = NULL;
		if (type == NODE_TEXT && ni[i].layout >= 0)
			t = str_at(&c->st, json_array_get(v->l_text, (size_t)ni[i].layout));
		else if (type == NODE_ELEMENT && is_tag(&ni[i], "img"))
			t = attr(c, v, i, "alt");
		if (!t || !*t)
			continue;
		/* to the nearest collector above (labelledby targets collect too) */
		for (long k = (long)i; k >= 0 && (size_t)k < v->n; k = ival(v->parent, (size_t)k)) {
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
	const char *id = attr(c, v, i, "id");
	for (size_t k = 0; id && *id && k < json_array_size(v->labels_for); k++) {
		const json_t *pair = json_array_get(v->labels_for, k);
		long li = ival(pair, 1);
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
				const char *kid = ni[k].collect ? attr(c, v, k, "id") : NULL;
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
		long o = ival(v->selected, k);
		long p = o >= 0 && (size_t)o < v->n ? ival(v->parent, (size_t)o) : -1;
		/* the option's parent is the select, or an optgroup in it */
		if (p >= 0 && (size_t)p != sel)
			p = ival(v->parent, (size_t)p);
		if (p < 0 || (size_t)p != sel)
			continue;
		struct magi_buf b;
		magi_buf_init(&b, BROWSER_NAME_MAX + 8);
		for (size_t t = (size_t)o + 1; t < v->n && ival(v->parent, t) == o; t++) {
			const char *val = str_at(&c->st, json_array_get(v->value, t));
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

static void read_box(const json_t *a, double bx[4])
{
	for (size_t k = 0; k < 4; k++)
		bx[k] = json_number_value(json_array_get(a, k));
}

/* The accessible name of interactive node i (see the top of the file). */
static char *element_name(const struct dom_ctx *c, const struct docview *v, const struct nodeinfo *ni, size_t i,
			  const struct magi_buf *bufs, bool field, const char *button_type)
{
	struct magi_buf tmp;
	magi_buf_init(&tmp, 4096);
	const char *name = attr(c, v, i, "aria-label");
	const char *lb = attr(c, v, i, "aria-labelledby");
	if ((!name || !*name) && lb)
		name = labelledby_text(c, v, ni, lb, bufs, &tmp);
	if ((!name || !*name) && button_type) {
		name = attr(c, v, i, "value");
		if (!name || !*name)
			name = !strcasecmp(button_type, "reset") ? "Reset" : !strcasecmp(button_type, "submit") ? "Submit" : "";
	}
	if ((!name || !*name) && field)
		name = label_text(c, v, ni, i, bufs);
	if ((!name || !*name) && field)
		name = attr(c, v, i, "placeholder");
	if ((!name || !*name) && ni[i].collect && bufs[ni[i].text].len)
		name = bufs[ni[i].text].data;
	if (!name || !*name)
		name = attr(c, v, i, "title");
	if (!name || !*name)
		name = attr(c, v, i, "alt");
	char *r = trimmed(name);
	magi_buf_release(&tmp);
	return r;
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
		const char *type = attr(c, v, i, "type");
		const char *role = attr(c, v, i, "role");
		bool is_input = !strcasecmp(tag, "input");
		bool field = is_input || !strcasecmp(tag, "select") || !strcasecmp(tag, "textarea");
		bool button_input = is_input && type &&
				    (!strcasecmp(type, "submit") || !strcasecmp(type, "button") || !strcasecmp(type, "reset"));
		el->name = element_name(c, v, ni, i, bufs, field && !button_input, button_input ? type : NULL);
		char rl[32];
		snprintf(rl, sizeof rl, "%s",
			 role && interactive_role(role) ? role : tag_role(tag, type, attr(c, v, i, "multiple") != NULL));
		lower(rl);
		if (!strcmp(rl, "generic"))
			snprintf(rl, sizeof rl, "clickable");
		el->role = magi__strdup(rl);
		char lt[32];
		snprintf(lt, sizeof lt, "%s", tag);
		lower(lt);
		el->tag = magi__strdup(lt);
		el->flags = MAGI_ELEM_INTERACTIVE;
		bool password = is_input && type && !strcasecmp(type, "password");
		if (password)
			el->flags |= MAGI_ELEM_PASSWORD | MAGI_ELEM_EDITABLE;
		else if (!strcmp(rl, "textbox") || !strcmp(rl, "searchbox") || !strcmp(rl, "spinbutton") ||
			 attr(c, v, i, "contenteditable"))
			el->flags |= MAGI_ELEM_EDITABLE;
		if (attr(c, v, i, "disabled"))
			el->flags |= MAGI_ELEM_DISABLED;
		if (v->checked[i] >= 0)
			el->flags |= MAGI_ELEM_CHECKED;
		if (ni[i].shadow)
			el->flags |= MAGI_ELEM_IN_SHADOW;
		if (c->di[d].path >= 0)
			el->flags |= MAGI_ELEM_IN_FRAME;
		if (!password && !strcasecmp(tag, "select")) {
			el->value = selected_option(c, v, i);
		} else if (!password && field && !button_input) {
			const json_t *iv = rare_value(v->input_value, v->input_values, i);
			if (!iv)
				iv = rare_value(v->text_value, v->text_values, i);
			const char *val = iv ? str_at(&c->st, iv) : NULL;
			if (val && (*val || (el->flags & MAGI_ELEM_EDITABLE)))
				el->value = magi__strdup(val);
		}
		el->path = ni[i].path >= 0 ? magi__strdup(c->paths[ni[i].path]) : NULL;
		double bx[4];
		read_box(json_array_get(v->l_bounds, (size_t)ni[i].layout), bx);
		place(c, d, bx, style(c, v, ni[i].layout, ST_VISIBILITY), style(c, v, ni[i].layout, ST_OPACITY), el, be);
		be->backend_id = ival(v->backend, i);
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

/* Pass 4: every line box of text in view, with its exact box. */
static magi_status emit_text(struct dom_ctx *c, size_t d, const struct docview *v, const json_t *boxes,
			     const struct nodeinfo *ni)
{
	const json_t *b_layout = json_object_get(boxes, "layoutIndex"), *b_bounds = json_object_get(boxes, "bounds");
	const json_t *b_start = json_object_get(boxes, "start"), *b_len = json_object_get(boxes, "length");
	size_t nb = json_array_size(b_layout);
	for (size_t b = 0; b < nb && c->n_el < c->e->p.max_elements; b++) {
		long li = ival(b_layout, b);
		long ndx = li >= 0 ? ival(v->l_node, (size_t)li) : -1;
		if (ndx < 0 || (size_t)ndx >= v->n)
			continue;
		const char *t = str_at(&c->st, json_array_get(v->l_text, (size_t)li));
		long st0 = ival(b_start, b), ln = ival(b_len, b);
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
		struct magi_element el = {0};
		struct belem be = {0};
		double bx[4];
		read_box(json_array_get(b_bounds, b), bx);
		place(c, d, bx, style(c, v, li, ST_VISIBILITY), style(c, v, li, ST_OPACITY), &el, &be);
		if (!(el.flags & MAGI_ELEM_VISIBLE))
			continue;
		if (!grow_el(c))
			return MAGI_ERR_NOMEM;
		el.flags |= MAGI_ELEM_TEXT | (ni[ndx].shadow ? MAGI_ELEM_IN_SHADOW : 0) |
			    (c->di[d].path >= 0 ? MAGI_ELEM_IN_FRAME : 0);
		el.name = magi__strndup(t + s0, s1 - s0);
		el.role = magi__strdup("text");
		el.tag = magi__strdup("#text");
		el.path = ni[ndx].path >= 0 ? magi__strdup(c->paths[ni[ndx].path]) : NULL;
		be.backend_id = ival(v->backend, (size_t)ndx);
		be.sess = c->sess;
		c->el[c->n_el] = el;
		c->be[c->n_el++] = be;
		if (!el.name || !el.role || !el.tag || (ni[ndx].path >= 0 && !el.path))
			return MAGI_ERR_NOMEM;
	}
	return MAGI_OK;
}

/* ---- shadow trees -------------------------------------------------------------------- */

static void shadow_walk(struct dom_ctx *c, const json_t *node, int path, int depth);

static void shadow_mark(struct dom_ctx *c, const json_t *kids, int path, int depth)
{
	for (size_t k = 0; k < json_array_size(kids); k++) {
		const json_t *kid = json_array_get(kids, k);
		if (path) {
			char key[24];
			snprintf(key, sizeof key, "%ld", (long)magi__json_int(kid, "backendNodeId", 0));
			json_object_set_new(c->shadow_of, key, json_integer(path));
		}
		shadow_walk(c, kid, path, depth + 1);
	}
}

/* Marks every node of every author shadow tree under node with its path (1-based index
 * into shadow_paths; 0 outside any). Frames start afresh: their path comes from the
 * snapshot's documents. */
static void shadow_walk(struct dom_ctx *c, const json_t *node, int path, int depth)
{
	if (depth > 512)
		return;
	const json_t *roots = json_object_get(node, "shadowRoots");
	for (size_t k = 0; k < json_array_size(roots); k++) {
		const json_t *sr = json_array_get(roots, k);
		if (!strcmp(magi__json_str(sr, "shadowRootType", ""), "user-agent"))
			continue;
		const char *id = NULL;
		const json_t *at = json_object_get(node, "attributes");
		for (size_t a = 0; a + 1 < json_array_size(at); a += 2)
			if (!strcmp(json_string_value(json_array_get(at, a)) ? json_string_value(json_array_get(at, a)) : "", "id"))
				id = json_string_value(json_array_get(at, a + 1));
		char step[200];
		snprintf(step, sizeof step, "shadow(%s%s%.60s)", magi__json_str(node, "nodeName", "?"), id && *id ? "#" : "",
			 id ? id : "");
		lower(step);
		struct magi_buf b;
		magi_buf_init(&b, 4096);
		if (path)
			magi_buf_printf(&b, "%s > ", json_string_value(json_array_get(c->shadow_paths, (size_t)path - 1)));
		magi_buf_puts(&b, step);
		json_array_append_new(c->shadow_paths, json_string(b.data));
		magi_buf_release(&b);
		shadow_mark(c, json_object_get(sr, "children"), (int)json_array_size(c->shadow_paths), depth);
	}
	shadow_mark(c, json_object_get(node, "children"), path, depth);
	const json_t *cd = json_object_get(node, "contentDocument");
	if (cd)
		shadow_walk(c, cd, 0, depth + 1);
}

/* Which nodes live in shadow trees, when the page may have any (custom elements). */
static void find_shadow_trees(struct dom_ctx *c)
{
	bool custom = false;
	for (size_t d = 0; d < c->n_docs && !custom; d++) {
		const json_t *names = json_object_get(json_object_get(json_array_get(c->docs, d), "nodes"), "nodeName");
		for (size_t i = 0; i < json_array_size(names) && !custom; i++) {
			const char *t = str_at(&c->st, json_array_get(names, i));
			custom = t && t[0] != '#' && strchr(t, '-');
		}
	}
	if (!custom)
		return;
	json_t *r = NULL;
	struct magi_error ignore;
	if (magi__browser_call_on(c->e, c->session, "DOM.getDocument", json_pack("{sisb}", "depth", -1, "pierce", 1), &r,
				  &ignore))
		return; /* the elements are listed all the same, only not flagged */
	c->shadow_of = json_object();
	c->shadow_paths = json_array();
	shadow_walk(c, json_object_get(r, "root"), 0, 0);
	json_decref(r);
	if (!json_object_size(c->shadow_of)) {
		json_decref(c->shadow_of);
		c->shadow_of = NULL;
	}
}

/* The box and client rect (inside the border) of node `owner`'s first layout object. */
static void owner_box(const struct docview *v, size_t owner, double bx[4], double cr[4])
{
	for (size_t li = 0; li < v->nl; li++)
		if (ival(v->l_node, li) == (long)owner) {
			read_box(json_array_get(v->l_bounds, li), bx);
			read_box(json_array_get(v->l_client, li), cr);
			return;
		}
}

/* Origins of the documents: the top one first, then each iframe's from its owner. */
/* Where the document of the iframe `owner` (of document d) goes: its content box (the
 * layout box inside the border) and the part of it in view, and its path. */
static void frame_slot(struct dom_ctx *c, size_t d, size_t owner, const char *url, struct docinfo *x)
{
	double bx[4] = {0}, cr[4] = {0};
	owner_box(&c->views[d], owner, bx, cr);
	const struct docinfo *p = &c->di[d];
	x->ox = p->ox + bx[0] + cr[0];
	x->oy = p->oy + bx[1] + cr[1];
	double w = cr[2] > 0 ? cr[2] : bx[2], h = cr[3] > 0 ? cr[3] : bx[3];
	x->cx0 = MAGI_MAX(x->ox, p->cx0);
	x->cy0 = MAGI_MAX(x->oy, p->cy0);
	x->cx1 = MAGI_MIN(x->ox + w, p->cx1);
	x->cy1 = MAGI_MIN(x->oy + h, p->cy1);
	char step[160];
	const char *id = attr(c, &c->views[d], owner, "id");
	if (id && *id)
		snprintf(step, sizeof step, "iframe#%.100s", id);
	else
		snprintf(step, sizeof step, "iframe(%.100s)", url ? url : "?");
	x->path = add_path(c, p->path, step);
	x->placed = true;
}

/* Where the snapshot's top document sits: the viewport for the tab's, the owner iframe's
 * content box for another site's frame. */
static void place_documents(struct dom_ctx *c, const struct docinfo *top)
{
	bool *owned = calloc(c->n_docs ? c->n_docs : 1, sizeof *owned);
	for (size_t d = 0; d < c->n_docs; d++) {
		c->di[d].path = -1;
		const json_t *cdi = json_object_get(json_object_get(json_object_get(json_array_get(c->docs, d), "nodes"),
								    "contentDocumentIndex"), "value");
		for (size_t k = 0; owned && k < json_array_size(cdi); k++) {
			long x = ival(cdi, k);
			if (x >= 0 && (size_t)x < c->n_docs)
				owned[x] = true;
		}
	}
	/* the document nobody owns is the top one */
	for (size_t d = 0; owned && d < c->n_docs; d++) {
		if (owned[d])
			continue;
		const json_t *doc = json_array_get(c->docs, d);
		c->di[d] = *top;
		c->di[d].ox -= magi__json_num(doc, "scrollOffsetX", 0);
		c->di[d].oy -= magi__json_num(doc, "scrollOffsetY", 0);
		c->di[d].placed = true;
		break;
	}
	free(owned);
	/* children after their parents, until nothing new is placed */
	for (bool more = true; more;) {
		more = false;
		for (size_t d = 0; d < c->n_docs; d++) {
			if (!c->di[d].placed)
				continue;
			const json_t *cd = json_object_get(json_object_get(json_array_get(c->docs, d), "nodes"),
							   "contentDocumentIndex");
			const json_t *ci = json_object_get(cd, "index"), *cv = json_object_get(cd, "value");
			for (size_t k = 0; k < json_array_size(ci); k++) {
				long owner = ival(ci, k), child = ival(cv, k);
				if (owner < 0 || child < 0 || (size_t)child >= c->n_docs || c->di[child].placed)
					continue;
				const json_t *cdoc = json_array_get(c->docs, (size_t)child);
				frame_slot(c, d, (size_t)owner, str_at(&c->st, json_object_get(cdoc, "documentURL")),
					   &c->di[child]);
				c->di[child].ox -= magi__json_num(cdoc, "scrollOffsetX", 0);
				c->di[child].oy -= magi__json_num(cdoc, "scrollOffsetY", 0);
				more = true;
			}
		}
	}
}

static magi_status one_document(struct dom_ctx *c, size_t d, const struct docview *v)
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
		const char *lb = ni[i].interactive ? attr(c, v, i, "aria-labelledby") : NULL;
		for (const char *q = lb; q && *q;) {
			size_t l = strcspn(q, " ");
			for (size_t k = 0; k < n; k++) {
				const char *id = attr(c, v, k, "id");
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
	free(ni);
	return s;
}

/* A frame from another site waiting for its snapshot: where its document goes. */
struct frame_job {
	const char *session; /* borrowed from e->frames */
	struct docinfo top;
};

static void snapshot_release(struct dom_ctx *c)
{
	for (size_t d = 0; c->views && d < c->n_views; d++)
		docview_release(&c->views[d]);
	free(c->views);
	free(c->di);
	json_decref(c->snap);
	json_decref(c->shadow_of);
	json_decref(c->shadow_paths);
	c->views = NULL;
	c->di = NULL;
	c->snap = c->shadow_of = c->shadow_paths = NULL;
	c->n_docs = c->n_views = 0;
}

/* Takes and reads the snapshot of c->session into c. */
static magi_status snapshot_take(struct dom_ctx *c, struct magi_error *err)
{
	json_t *styles = json_array();
	for (size_t k = 0; k < ST__COUNT; k++)
		json_array_append_new(styles, json_string(snapshot_styles[k]));
	magi_status s = magi__browser_call_on(c->e, c->session, "DOMSnapshot.captureSnapshot",
					      json_pack("{sosbsb}", "computedStyles", styles, "includeDOMRects", 1,
							"includePaintOrder", 0),
					      &c->snap, err);
	if (s)
		return s;
	c->st.arr = json_object_get(c->snap, "strings");
	c->st.n = json_array_size(c->st.arr);
	c->docs = json_object_get(c->snap, "documents");
	c->n_docs = json_array_size(c->docs);
	c->di = calloc(c->n_docs ? c->n_docs : 1, sizeof *c->di);
	c->views = calloc(c->n_docs ? c->n_docs : 1, sizeof *c->views);
	if (!c->di || !c->views)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	for (; c->n_views < c->n_docs; c->n_views++)
		if (!docview_init(&c->views[c->n_views], c, json_array_get(c->docs, c->n_views))) {
			c->n_views++;
			return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
		}
	return MAGI_OK;
}

/* Queues the frames from other sites attached under this snapshot's session: each goes
 * where its owner <iframe> is (DOM.getFrameOwner names it). */
static void queue_frames(struct dom_ctx *c, struct frame_job *jobs, size_t *n_jobs)
{
	const char *mine = c->session ? c->session : magi__browser_current(c->e)->session;
	for (size_t f = 0; f < c->e->n_frames && *n_jobs < BROWSER_MAX_FRAMES; f++) {
		if (strcmp(c->e->frames[f].parent, mine))
			continue;
		json_t *r = NULL;
		struct magi_error ignore;
		if (magi__browser_call_on(c->e, c->session, "DOM.getFrameOwner",
					  json_pack("{ss}", "frameId", c->e->frames[f].target_id), &r, &ignore))
			continue;
		long owner_id = magi__json_int(r, "backendNodeId", 0);
		json_decref(r);
		for (size_t d = 0; d < c->n_docs; d++) {
			const struct docview *v = &c->views[d];
			for (size_t i = 0; c->di[d].placed && i < v->n; i++) {
				if (ival(v->backend, i) != owner_id)
					continue;
				struct frame_job *j = &jobs[(*n_jobs)++];
				j->session = c->e->frames[f].session;
				frame_slot(c, d, i, attr(c, v, i, "src"), &j->top);
				d = c->n_docs; /* found */
				break;
			}
		}
	}
}

/* Reads one snapshot into the list: the tab's (top at the viewport) or a frame's. */
static magi_status read_snapshot(struct dom_ctx *c, const struct docinfo *top, struct frame_job *jobs,
				 size_t *n_jobs, double *scroll_y, double *content_h, struct magi_error *err)
{
	magi_status s = snapshot_take(c, err);
	if (s)
		return s;
	place_documents(c, top);
	find_shadow_trees(c);
	for (size_t d = 0; !s && d < c->n_docs; d++) {
		if (!c->session && c->di[d].placed && c->di[d].path < 0) {
			const json_t *doc = json_array_get(c->docs, d);
			*scroll_y = magi__json_num(doc, "scrollOffsetY", 0);
			*content_h = magi__json_num(doc, "contentHeight", 0);
			/* the title as of now (the target's title changes a little later) */
			const char *title = str_at(&c->st, json_object_get(doc, "title"));
			struct bpage *pg = magi__browser_current(c->e);
			char *t = title && *title && pg ? magi__strdup(title) : NULL;
			if (t) {
				free(pg->title);
				pg->title = t;
			}
		}
		s = one_document(c, d, &c->views[d]);
	}
	if (!s)
		queue_frames(c, jobs, n_jobs);
	if (s)
		return magi_error_set(err, s, "reading the page's elements: %s", magi_strerror(s));
	return MAGI_OK;
}

/* The session table the list's elements refer to (belem.sess). */
static void set_sessions(struct browser_env *e, const struct frame_job *jobs, size_t n_jobs)
{
	for (size_t i = 0; i < e->n_esess; i++)
		free(e->esess[i]);
	free(e->esess);
	e->esess = NULL;
	e->n_esess = 0;
	if (!n_jobs || !(e->esess = calloc(n_jobs, sizeof *e->esess)))
		return;
	for (size_t i = 0; i < n_jobs; i++)
		e->esess[i] = magi__strdup(jobs[i].session);
	e->n_esess = n_jobs;
}

magi_status magi__browser_elements(struct browser_env *e, struct magi_obs *obs, double *scroll_y,
				   double *content_h, struct magi_error *err)
{
	struct dom_ctx c = {0};
	c.e = e;
	c.scale = e->p.scale;
	c.vw = e->p.width;
	c.vh = e->p.height;
	struct frame_job jobs[BROWSER_MAX_FRAMES];
	size_t n_jobs = 0;
	const struct docinfo view = {0, 0, 0, 0, c.vw, c.vh, -1, true};
	magi_status s = read_snapshot(&c, &view, jobs, &n_jobs, scroll_y, content_h, err);
	snapshot_release(&c);
	/* then the frames from other sites, parents before their children */
	for (size_t k = 0; !s && k < n_jobs; k++) {
		c.session = jobs[k].session;
		c.sess = (int)k + 1;
		MAGI_DEBUG("browser: reading the elements of a frame from another site (session %s)", c.session);
		struct magi_error ferr;
		if (read_snapshot(&c, &jobs[k].top, jobs, &n_jobs, scroll_y, content_h, &ferr))
			MAGI_DEBUG("browser: a frame's elements are missing: %s", ferr.msg); /* it may be gone */
		snapshot_release(&c);
	}
	/* interactive elements first (numbered from 1), then text runs, each in document order */
	if (!s && c.n_el) {
		size_t k = 0;
		struct magi_element *el = malloc(c.n_el * sizeof *el);
		struct belem *be = malloc(c.n_el * sizeof *be);
		if (!el || !be) {
			free(el);
			free(be);
			s = magi_error_set(err, MAGI_ERR_NOMEM, NULL);
		} else {
			for (int pass = 0; pass < 2; pass++)
				for (size_t i = 0; i < c.n_el; i++)
					if (!!(c.el[i].flags & MAGI_ELEM_TEXT) == pass) {
						el[k] = c.el[i];
						be[k] = c.be[i];
						el[k].id = (int)k + 1;
						k++;
					}
			free(c.el);
			free(c.be);
			c.el = el;
			c.be = be;
		}
	}
	for (size_t i = 0; i < c.n_paths; i++)
		free(c.paths[i]);
	free(c.paths);
	if (s) {
		magi__elements_free(c.el, c.n_el);
		free(c.be);
		return s;
	}
	obs->elements = c.el;
	obs->n_elements = c.n_el;
	magi__browser_clear_elems(e);
	e->elems = c.be;
	e->n_elems = c.n_el;
	set_sessions(e, jobs, n_jobs);
	struct bpage *pg = magi__browser_current(e);
	e->elems_target = pg ? magi__strdup(pg->target_id) : NULL;
	return MAGI_OK;
}
