/*
 * browser_snap.c — the browser's element list: DOM snapshots and where their documents sit.
 *
 * One DOMSnapshot.captureSnapshot holds every document of the tab that lives in its
 * renderer — the top document and same-process iframes, each a table of nodes and one of
 * layout objects — with shadow trees flattened into their hosts (user-agent ones, the
 * insides of <input>, are left out). Boxes of a document are in its own CSS pixels, so
 * each document gets an origin in the viewport: the top one at minus its scroll offset,
 * an iframe's at its owner element's content box, minus its own scroll. Iframes from
 * other sites live in renderers of their own: each is a target magi attached to, with a
 * snapshot of its own, placed at its owner <iframe> (DOM.getFrameOwner). Which nodes came
 * from a shadow tree the snapshot does not say: when the page has custom elements (the
 * usual shadow hosts), DOM.getDocument with pierce tells, and those nodes get
 * MAGI_ELEM_IN_SHADOW and a path. browser_dom.c reads each document's elements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "env/browser_snap.h"
#include "env/env_internal.h"
#include "core/json.h"
#include "core/common.h"

static const char *const snapshot_styles[ST__COUNT] = {"display", "visibility", "opacity", "cursor"};

/* ---- small helpers ------------------------------------------------------------------ */

long magi__dom_ival(const json_t *arr, size_t i)
{
	const json_t *v = json_array_get(arr, i);
	return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

/* Value of attribute `name` on node i (attributes are [name, value, ...] string indices). */
const char *magi__dom_attr(const struct dom_ctx *c, const struct docview *v, size_t i, const char *name)
{
	const json_t *a = json_array_get(v->attrs, i);
	for (size_t k = 0; k + 1 < json_array_size(a); k += 2) {
		const char *n = magi__dom_str(&c->st, json_array_get(a, k));
		if (n && !strcasecmp(n, name)) {
			const char *val = magi__dom_str(&c->st, json_array_get(a, k + 1));
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
		long i = magi__dom_ival(idx, k);
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
		const char *tag = magi__dom_str(&c->st, json_array_get(v->name, i));
		const char *f = tag && !strcasecmp(tag, "label") ? magi__dom_attr(c, v, i, "for") : NULL;
		if (f && *f)
			json_array_append_new(lf, json_pack("[si]", f, (int)i));
	}
	v->labels_for = lf;
	return v->clickable && v->input_value && v->text_value && v->checked && lf;
}

void magi__dom_read_box(const json_t *a, double bx[4])
{
	for (size_t k = 0; k < 4; k++)
		bx[k] = json_number_value(json_array_get(a, k));
}

const json_t *magi__dom_rare_value(const int *pos, const json_t *values, size_t i)
{
	return pos[i] >= 0 ? json_array_get(values, (size_t)pos[i]) : NULL;
}

int magi__dom_add_path(struct dom_ctx *c, int parent, const char *step)
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

void magi__dom_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
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
		magi__dom_lower(step);
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
			const char *t = magi__dom_str(&c->st, json_array_get(names, i));
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
		if (magi__dom_ival(v->l_node, li) == (long)owner) {
			magi__dom_read_box(json_array_get(v->l_bounds, li), bx);
			magi__dom_read_box(json_array_get(v->l_client, li), cr);
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
	const char *id = magi__dom_attr(c, &c->views[d], owner, "id");
	if (id && *id)
		snprintf(step, sizeof step, "iframe#%.100s", id);
	else
		snprintf(step, sizeof step, "iframe(%.100s)", url ? url : "?");
	x->path = magi__dom_add_path(c, p->path, step);
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
			long x = magi__dom_ival(cdi, k);
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
				long owner = magi__dom_ival(ci, k), child = magi__dom_ival(cv, k);
				if (owner < 0 || child < 0 || (size_t)child >= c->n_docs || c->di[child].placed)
					continue;
				const json_t *cdoc = json_array_get(c->docs, (size_t)child);
				frame_slot(c, d, (size_t)owner, magi__dom_str(&c->st, json_object_get(cdoc, "documentURL")),
					   &c->di[child]);
				c->di[child].ox -= magi__json_num(cdoc, "scrollOffsetX", 0);
				c->di[child].oy -= magi__json_num(cdoc, "scrollOffsetY", 0);
				more = true;
			}
		}
	}
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
				if (magi__dom_ival(v->backend, i) != owner_id)
					continue;
				struct frame_job *j = &jobs[(*n_jobs)++];
				j->session = c->e->frames[f].session;
				frame_slot(c, d, i, magi__dom_attr(c, v, i, "src"), &j->top);
				d = c->n_docs; /* found */
				break;
			}
		}
	}
}

/* Listener types after which a click on a link may do more than open its page. */
static bool pointer_listener(const char *type)
{
	static const char *const types[] = {"click", "auxclick", "mousedown", "mouseup",
					    "pointerdown", "pointerup", "touchstart", "touchend"};
	for (size_t i = 0; type && i < MAGI_ARRAY_LEN(types); i++)
		if (!strcmp(type, types[i]))
			return true;
	return false;
}

/* Links a script listens on: MAGI_ELEM_NAVIGATES is for links whose click only opens a
 * page, and a click or pointer listener on the link, or on a node inside it, may do more
 * (send a form, pay). The snapshot's isClickable cannot tell (it is true for every link),
 * so when this snapshot yielded such links, one DOMDebugger.getEventListeners over its
 * whole document (frames and shadow roots pierced) names every node a listener is on; the
 * page cannot hide them from it. Listeners on the links' ancestors (a document that
 * delegates its clicks) do not count. When the call fails the links lose the flag: the
 * gate asks rather than trusts. */
static magi_status link_listeners(struct dom_ctx *c, size_t first_el)
{
	size_t n_nav = 0;
	for (size_t k = first_el; k < c->n_el; k++)
		n_nav += (c->el[k].flags & MAGI_ELEM_NAVIGATES) != 0;
	if (!n_nav || !c->n_docs)
		return MAGI_OK;
	struct bpage *pg = magi__browser_current(c->e);
	const char *session = c->session ? c->session : pg ? pg->session : NULL;
	long doc = magi__dom_ival(c->views[0].backend, 0);
	json_t *r = NULL, *found = NULL;
	struct magi_error ignore;
	magi_status s = magi__browser_call_on(c->e, c->session, "DOM.resolveNode",
					      json_pack("{siss}", "backendNodeId", (int)doc, "objectGroup", "magi-links"),
					      &r, &ignore);
	const char *oid = magi__json_str(json_object_get(r, "object"), "objectId", NULL);
	if (!s && oid)
		s = magi__browser_call_on(c->e, c->session, "DOMDebugger.getEventListeners",
					  json_pack("{sssisb}", "objectId", oid, "depth", -1, "pierce", 1), &found, &ignore);
	else if (!s)
		s = MAGI_ERR_ENV;
	json_decref(r);
	if (session)
		magi__cdp_send(c->e->cdp, session, "Runtime.releaseObjectGroup", json_pack("{ss}", "objectGroup", "magi-links"),
			       &ignore);
	if (s == MAGI_ERR_CANCELLED) {
		json_decref(found);
		return s; /* a navigation or a dialog: observe looks again */
	}
	/* the nodes listened on, then every ancestor of theirs in their document */
	json_t *on = json_object(), *inside = json_object();
	const json_t *ls = json_object_get(found, "listeners");
	char key[24];
	for (size_t i = 0; on && i < json_array_size(ls); i++) {
		const json_t *l = json_array_get(ls, i);
		if (!pointer_listener(magi__json_str(l, "type", NULL)))
			continue;
		snprintf(key, sizeof key, "%ld", magi__json_int(l, "backendNodeId", 0));
		json_object_set_new(on, key, json_true());
	}
	for (size_t d = 0; inside && json_object_size(on) && d < c->n_views; d++) {
		const struct docview *v = &c->views[d];
		for (size_t i = 0; i < v->n; i++) {
			snprintf(key, sizeof key, "%ld", magi__dom_ival(v->backend, i));
			if (!json_object_get(on, key))
				continue;
			long p = (long)i;
			for (int depth = 0; p >= 0 && (size_t)p < v->n && depth < 256; depth++) {
				snprintf(key, sizeof key, "%ld", magi__dom_ival(v->backend, (size_t)p));
				json_object_set_new(inside, key, json_true());
				p = magi__dom_ival(v->parent, (size_t)p);
			}
		}
	}
	size_t cleared = 0;
	for (size_t k = first_el; k < c->n_el; k++) {
		if (!(c->el[k].flags & MAGI_ELEM_NAVIGATES))
			continue;
		snprintf(key, sizeof key, "%ld", c->be[k].backend_id);
		if (s || !on || !inside || json_object_get(inside, key)) {
			c->el[k].flags &= ~(uint32_t)MAGI_ELEM_NAVIGATES;
			cleared++;
		}
	}
	MAGI_DEBUG("browser: %zu of %zu links have a click listener%s", cleared, n_nav, s ? " (not known: all count)" : "");
	json_decref(on);
	json_decref(inside);
	json_decref(found);
	return MAGI_OK;
}

/* Reads one snapshot into the list: the tab's (top at the viewport) or a frame's. */
static magi_status read_snapshot(struct dom_ctx *c, const struct docinfo *top, struct frame_job *jobs,
				 size_t *n_jobs, double *scroll_y, double *content_h, struct magi_error *err)
{
	size_t first_el = c->n_el;
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
			const char *title = magi__dom_str(&c->st, json_object_get(doc, "title"));
			struct bpage *pg = magi__browser_current(c->e);
			char *t = title && *title && pg ? magi__strdup(title) : NULL;
			if (t) {
				free(pg->title);
				pg->title = t;
			}
		}
		s = magi__dom_document(c, d, &c->views[d]);
	}
	if (!s && (s = link_listeners(c, first_el)) == MAGI_ERR_CANCELLED)
		return magi_error_set(err, s, "reading the page's elements: interrupted by a page event");
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
	/* interactive elements first (numbered from 1), then text runs and pictures, each in
	 * document order */
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
					if ((c.el[i].flags & MAGI_ELEM_INTERACTIVE ? 0 : 1) == pass) {
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
