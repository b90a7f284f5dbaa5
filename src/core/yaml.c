/* yaml.c — libyaml event stream to jansson. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "core/json.h"
#include "core/yaml.h"
#include "core/common.h"

struct yctx {
	yaml_parser_t p;
	const char *what;
	struct magi_error *err;
	int depth;
	json_t *lines;	/* NULL, or {"a.b.0.c": line} of every mapping key */
	char path[512]; /* the dotted path of the value being read */
	size_t plen;
};

/* Appends ".seg" (or "seg" at the top) to c's path; returns the old length to restore. */
static size_t path_push(struct yctx *c, const char *seg)
{
	size_t old = c->plen;
	int n = snprintf(c->path + old, sizeof c->path - old, "%s%s", old ? "." : "", seg);
	c->plen = n < 0 || (size_t)n >= sizeof c->path - old ? sizeof c->path - 1 : old + (size_t)n;
	return old;
}

static magi_status yerr(struct yctx *c, const yaml_mark_t *m, const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof msg, fmt, arg);
	return magi_error_set(c->err, MAGI_ERR_CONFIG, "%s:%zu:%zu: %s", c->what, m->line + 1,
			      m->column + 1, msg);
}

static magi_status next(struct yctx *c, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&c->p, ev)) {
		const yaml_mark_t *m = &c->p.problem_mark;
		return magi_error_set(c->err, MAGI_ERR_CONFIG, "%s:%zu:%zu: YAML error: %s%s%s", c->what,
				      m->line + 1, m->column + 1, c->p.problem ? c->p.problem : "unknown",
				      c->p.context ? " " : "", c->p.context ? c->p.context : "");
	}
	return MAGI_OK;
}

static json_t *scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "yes"))
			return json_true();
		if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "no"))
			return json_false();
		if (!strcmp(v, "null") || !strcmp(v, "~") || n == 0)
			return json_null();
		long l;
		double d;
		if (magi__parse_long(v, -(1L << 53), 1L << 53, &l))
			return json_integer(l);
		if (strpbrk(v, "0123456789") && magi__parse_double(v, &d))
			return json_real(d);
	}
	return json_stringn(v, n);
}

static magi_status node(struct yctx *c, yaml_event_t *ev, json_t **out);

static magi_status seq_or_map(struct yctx *c, bool is_map, json_t **out)
{
	if (++c->depth > MAGI_JSON_MAX_DEPTH) {
		yaml_mark_t m = c->p.mark;
		return yerr(c, &m, "nested deeper than %s levels", "64");
	}
	json_t *coll = is_map ? json_object() : json_array();
	for (;;) {
		yaml_event_t ev;
		magi_status s = next(c, &ev);
		if (s)
			goto fail;
		if (ev.type == (is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT)) {
			yaml_event_delete(&ev);
			break;
		}
		if (is_map) {
			if (ev.type != YAML_SCALAR_EVENT) {
				s = yerr(c, &ev.start_mark, "mapping keys must be plain text%s", "");
				yaml_event_delete(&ev);
				goto fail;
			}
			char *key = magi__strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
			yaml_mark_t km = ev.start_mark;
			yaml_event_delete(&ev);
			if ((s = next(c, &ev))) {
				free(key);
				goto fail;
			}
			json_t *val = NULL;
			size_t old = path_push(c, key);
			if (c->lines)
				json_object_set_new(c->lines, c->path, json_integer((json_int_t)km.line + 1));
			s = node(c, &ev, &val);
			c->path[c->plen = old] = '\0';
			if (s) {
				free(key);
				goto fail;
			}
			if (json_object_get(coll, key)) {
				s = yerr(c, &km, "duplicate key '%s'", key);
				free(key);
				json_decref(val);
				goto fail;
			}
			json_object_set_new(coll, key, val);
			free(key);
		} else {
			json_t *val = NULL;
			char idx[24];
			snprintf(idx, sizeof idx, "%zu", json_array_size(coll));
			size_t old = path_push(c, idx);
			s = node(c, &ev, &val);
			c->path[c->plen = old] = '\0';
			if (s)
				goto fail;
			json_array_append_new(coll, val);
		}
		continue;
	fail:
		json_decref(coll);
		return s;
	}
	c->depth--;
	*out = coll;
	return MAGI_OK;
}

/* Consumes ev (already read) and the events of its subtree. */
static magi_status node(struct yctx *c, yaml_event_t *ev, json_t **out)
{
	magi_status s = MAGI_OK;
	*out = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor || (ev->data.scalar.tag && ev->data.scalar.tag[0] == '!' &&
					       ev->data.scalar.tag[1] != '!' && ev->data.scalar.tag[1]))
			s = yerr(c, &ev->start_mark, "anchors and tags are not supported%s", "");
		else
			*out = scalar(ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		s = seq_or_map(c, ev->type == YAML_MAPPING_START_EVENT, out);
		break;
	case YAML_ALIAS_EVENT:
		s = yerr(c, &ev->start_mark, "aliases (*name) are not supported%s", "");
		break;
	default:
		s = yerr(c, &ev->start_mark, "unexpected YAML event%s", "");
	}
	yaml_event_delete(ev);
	return s;
}

magi_status magi__yaml_parse(const char *text, size_t n, const char *what, json_t **out,
			     struct magi_error *err)
{
	return magi__yaml_parse_lines(text, n, what, out, NULL, err);
}

magi_status magi__yaml_parse_lines(const char *text, size_t n, const char *what, json_t **out, json_t *lines,
				   struct magi_error *err)
{
	*out = NULL;
	struct yctx c = {.what = what, .err = err, .lines = lines};
	if (!yaml_parser_initialize(&c.p))
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	yaml_parser_set_input_string(&c.p, (const unsigned char *)text, n);
	json_t *root = NULL;
	yaml_event_t ev;
	magi_status s;
	bool in_doc = false;
	while ((s = next(&c, &ev)) == MAGI_OK) {
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT) {
			if (root) {
				s = yerr(&c, &ev.start_mark, "only one YAML document is allowed%s", "");
				yaml_event_delete(&ev);
				break;
			}
			in_doc = true;
			yaml_event_delete(&ev);
			continue;
		}
		if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (!in_doc || root) {
			yaml_event_delete(&ev);
			continue;
		}
		if ((s = node(&c, &ev, &root)))
			break;
	}
	yaml_parser_delete(&c.p);
	if (s) {
		json_decref(root);
		return s;
	}
	*out = root ? root : json_object();
	return MAGI_OK;
}

magi_status magi__yaml_load_file(const char *path, json_t **out, struct magi_error *err)
{
	return magi__yaml_load_file_lines(path, out, NULL, err);
}

magi_status magi__yaml_load_file_lines(const char *path, json_t **out, json_t *lines, struct magi_error *err)
{
	*out = NULL;
	struct magi_buf b;
	magi_buf_init(&b, 16u << 20);
	magi_status s = magi_file_read(path, &b, err);
	if (!s)
		s = magi__yaml_parse_lines(b.data, b.len, path, out, lines, err);
	magi_buf_release(&b);
	return s;
}
