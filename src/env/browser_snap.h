/*
 * browser_snap.h — the browser's DOM snapshots as browser_snap.c reads them and
 * browser_dom.c walks them (internal to src/env). A snapshot is tables of strings,
 * documents, nodes and layout objects (DOMSnapshot.pdl); a struct dom_ctx holds one
 * snapshot at a time and the element list being built across the tab's and its frames'
 * snapshots.
 */
#ifndef MAGI_BROWSER_SNAP_H
#define MAGI_BROWSER_SNAP_H
#include <jansson.h>
#include "env/browser_internal.h"

enum { ST_DISPLAY, ST_VISIBILITY, ST_OPACITY, ST_CURSOR, ST__COUNT };

enum { NODE_ELEMENT = 1, NODE_TEXT = 3 };

/* The string table shared by every document of a snapshot. */
struct strtab {
	const json_t *arr;
	size_t n;
};
static inline const char *magi__dom_str(const struct strtab *t, const json_t *idx)
{
	json_int_t i = json_is_integer(idx) ? json_integer_value(idx) : -1;
	if (i < 0 || (size_t)i >= t->n)
		return NULL;
	return json_string_value(json_array_get(t->arr, (size_t)i));
}

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

/* browser_snap.c */
long magi__dom_ival(const json_t *arr, size_t i);
/* Value of attribute name on node i ("" when it has no value), NULL when absent. */
const char *magi__dom_attr(const struct dom_ctx *c, const struct docview *v, size_t i, const char *name);
const json_t *magi__dom_rare_value(const int *pos, const json_t *values, size_t i);
/* A box [x, y, w, h] from a snapshot's array of four numbers. */
void magi__dom_read_box(const json_t *a, double bx[4]);
/* Adds "parent's path > step" to the path table; its index (parent on OOM). */
int magi__dom_add_path(struct dom_ctx *c, int parent, const char *step);
void magi__dom_lower(char *s);
/* browser_dom.c: the elements of document d of the snapshot in c, added to c's list. */
magi_status magi__dom_document(struct dom_ctx *c, size_t d, const struct docview *v);
#endif
