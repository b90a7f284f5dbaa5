/* action.c — the action schema: names, canonical JSON in and out, and the one mapping
 * from a model's coordinate space to screen pixels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/json.h"
#include "magi/env.h"
#include "core/common.h"

static const char *const kind_names[] = {
#define MAGI__X(n, s) s,
	MAGI_ACTION_KINDS(MAGI__X)
#undef MAGI__X
};

const char *magi_action_kind_name(enum magi_action_kind k)
{
	return (int)k >= 0 && k < MAGI_ACT__COUNT ? kind_names[k] : "unknown";
}

magi_status magi_action_kind_parse(const char *s, enum magi_action_kind *out)
{
	for (int k = 0; k < MAGI_ACT__COUNT; k++)
		if (!strcasecmp(s, kind_names[k])) {
			*out = (enum magi_action_kind)k;
			return MAGI_OK;
		}
	/* Common synonyms models use. */
	static const struct { const char *name; enum magi_action_kind k; } syn[] = {
		{"tap", MAGI_ACT_CLICK},        {"left_click", MAGI_ACT_CLICK},
		{"doubleclick", MAGI_ACT_DOUBLE_CLICK}, {"rightclick", MAGI_ACT_RIGHT_CLICK},
		{"hotkey", MAGI_ACT_KEY},       {"press", MAGI_ACT_KEY},
		{"keypress", MAGI_ACT_KEY},     {"input", MAGI_ACT_TYPE},
		{"finished", MAGI_ACT_DONE},    {"stop", MAGI_ACT_DONE},
		{"terminate", MAGI_ACT_DONE},   {"long_click", MAGI_ACT_LONG_PRESS},
		{"goto", MAGI_ACT_NAVIGATE},    {"open_url", MAGI_ACT_NAVIGATE},
		{"go_back", MAGI_ACT_BACK},     {"go_forward", MAGI_ACT_FORWARD},
		{"select", MAGI_ACT_SELECT_OPTION}, {"upload", MAGI_ACT_UPLOAD_FILE},
		{"accept_dialog", MAGI_ACT_DIALOG}, {"dismiss_dialog", MAGI_ACT_DIALOG},
	};
	for (size_t i = 0; i < MAGI_ARRAY_LEN(syn); i++)
		if (!strcasecmp(s, syn[i].name)) {
			*out = syn[i].k;
			return MAGI_OK;
		}
	return MAGI_ERR_PARSE;
}

void magi_action_release(struct magi_action *a)
{
	if (!a)
		return;
	free(a->text);
	a->text = NULL;
}

magi_status magi_action_copy(const struct magi_action *src, struct magi_action *dst)
{
	*dst = *src;
	if (src->text && !(dst->text = magi__strdup(src->text)))
		return MAGI_ERR_NOMEM;
	return MAGI_OK;
}

/* Reads a point from "x"/"y" keys, or an [x, y] array under one of `arr_keys`. */
static bool get_point(const json_t *o, const char *kx, const char *ky, const char *const *arr_keys,
		      double *x, double *y)
{
	const json_t *jx = json_object_get(o, kx), *jy = json_object_get(o, ky);
	if (json_is_number(jx) && json_is_number(jy)) {
		*x = json_number_value(jx);
		*y = json_number_value(jy);
		return true;
	}
	for (; *arr_keys; arr_keys++) {
		const json_t *a = json_object_get(o, *arr_keys);
		if (json_is_array(a) && json_array_size(a) >= 2 &&
		    json_is_number(json_array_get(a, 0)) && json_is_number(json_array_get(a, 1))) {
			*x = json_number_value(json_array_get(a, 0));
			*y = json_number_value(json_array_get(a, 1));
			return true;
		}
	}
	return false;
}

static const char *first_str(const json_t *o, const char *const *keys)
{
	for (; *keys; keys++) {
		const json_t *v = json_object_get(o, *keys);
		if (json_is_string(v))
			return json_string_value(v);
	}
	return NULL;
}

/* A positive number under one of keys: a JSON integer or a string of digits ("12", "[12]"
 * as some models write mark numbers). 0 when absent; -1 when present but not one. */
static int get_index(const json_t *o, const char *const *keys)
{
	for (; *keys; keys++) {
		const json_t *v = json_object_get(o, *keys);
		if (!v)
			continue;
		if (json_is_integer(v))
			return json_integer_value(v) >= 1 && json_integer_value(v) <= 1000000
				       ? (int)json_integer_value(v) : -1;
		if (json_is_real(v)) {
			double d = json_real_value(v);
			return d >= 1 && d <= 1000000 && d == floor(d) ? (int)d : -1;
		}
		long n;
		char digits[16];
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;
		if (s && *s == '[' && strlen(s) < sizeof digits && s[strlen(s) - 1] == ']') {
			memcpy(digits, s + 1, strlen(s) - 2);
			digits[strlen(s) - 2] = '\0';
			s = digits;
		}
		return s && magi__parse_long(s, 1, 1000000, &n) ? (int)n : -1;
	}
	return 0;
}

/* The browser kinds: their fields, checked; text is set to the string field they carry. */
static magi_status parse_browser(const json_t *o, const char *kind, struct magi_action *a,
				 const char **text, struct magi_error *err)
{
	static const char *const elem_keys[] = {"element", "index", "mark", "id", NULL};
	static const char *const tab_keys[] = {"tab", "index", NULL};
	static const char *const url_keys[] = {"url", "href", "text", NULL};
	const char *name = kind_names[a->kind];
	if (a->kind != MAGI_ACT_SELECT_OPTION && a->kind != MAGI_ACT_UPLOAD_FILE)
		a->has_point = a->has_point2 = false; /* no point means anything to these kinds */
	switch (a->kind) {
	case MAGI_ACT_NAVIGATE:
		if (!(*text = first_str(o, url_keys)) || !**text)
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"navigate\" needs the URL: {\"action\":\"navigate\",\"url\":\"https://...\"}");
		return MAGI_OK;
	case MAGI_ACT_NEW_TAB:
		*text = first_str(o, url_keys);
		if (*text && !**text)
			*text = NULL;
		return MAGI_OK;
	case MAGI_ACT_SWITCH_TAB:
	case MAGI_ACT_CLOSE_TAB:
		a->index = get_index(o, tab_keys);
		if (a->index < 0 || (a->kind == MAGI_ACT_SWITCH_TAB && a->index == 0))
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"%s\" needs a tab number from 1: {\"action\":\"%s\",\"tab\":2}",
					      name, name);
		return MAGI_OK;
	case MAGI_ACT_CLICK_ELEMENT:
	case MAGI_ACT_SELECT_OPTION:
	case MAGI_ACT_UPLOAD_FILE: {
		a->index = get_index(o, elem_keys);
		if (a->index < 0)
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"%s\": the element must be a number from 1 (as marked on the screenshot)",
					      name);
		if (a->kind == MAGI_ACT_CLICK_ELEMENT) {
			if (!a->index)
				return magi_error_set(err, MAGI_ERR_PARSE,
						      "\"click_element\" needs the element's number: {\"action\":\"click_element\",\"element\":12}");
			return MAGI_OK;
		}
		if (!a->index && !a->has_point)
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"%s\" needs an element number or a point: {\"action\":\"%s\",\"element\":4,...}",
					      name, name);
		static const char *const opt_keys[] = {"option", "value", "label", "text", NULL};
		static const char *const path_keys[] = {"path", "file", "text", NULL};
		bool sel = a->kind == MAGI_ACT_SELECT_OPTION;
		if (!(*text = first_str(o, sel ? opt_keys : path_keys)) || !**text)
			return magi_error_set(err, MAGI_ERR_PARSE, sel
					      ? "\"select_option\" needs the option: {\"action\":\"select_option\",\"element\":4,\"option\":\"Blue\"}"
					      : "\"upload_file\" needs the file: {\"action\":\"upload_file\",\"element\":7,\"path\":\"/dir/file.pdf\"}");
		return MAGI_OK;
	}
	case MAGI_ACT_DIALOG: {
		const json_t *acc = json_object_get(o, "accept");
		bool preset = !strcasecmp(kind, "accept_dialog") || !strcasecmp(kind, "dismiss_dialog");
		if (preset && !acc)
			acc = !strcasecmp(kind, "accept_dialog") ? json_true() : json_false();
		if (!json_is_boolean(acc))
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"dialog\" needs \"accept\": true (OK) or false (Cancel): {\"action\":\"dialog\",\"accept\":true}");
		a->accept = json_is_true(acc);
		static const char *const k[] = {"text", "prompt", "value", NULL};
		*text = first_str(o, k);
		return MAGI_OK;
	}
	default:
		return MAGI_OK;
	}
}

static magi_status parse_obj(const json_t *o, struct magi_action *a, struct magi_error *err)
{
	memset(a, 0, sizeof *a);
	const char *kind = magi__json_str(o, "action", NULL);
	if (!kind)
		return magi_error_set(err, MAGI_ERR_PARSE,
				      "the action has no \"action\" field; write e.g. {\"action\":\"click\",\"x\":10,\"y\":20}");
	if (magi_action_kind_parse(kind, &a->kind)) {
		struct magi_buf names;
		magi_buf_init(&names, 1024);
		for (int k = 0; k < MAGI_ACT__COUNT; k++)
			magi_buf_printf(&names, "%s%s", k ? ", " : "", kind_names[k]);
		magi_status s = magi_error_set(err, MAGI_ERR_PARSE, "unknown action \"%s\"; use one of: %s",
					       kind, names.data);
		magi_buf_release(&names);
		return s;
	}
	static const char *const pt_keys[] = {"point", "coordinate", "start", "start_point", NULL};
	static const char *const pt2_keys[] = {"end", "end_point", "to", NULL};
	a->has_point = get_point(o, "x", "y", pt_keys, &a->x, &a->y);
	a->has_point2 = get_point(o, "x2", "y2", pt2_keys, &a->x2, &a->y2);
	a->amount = (int)magi__json_int(o, "amount", 5);
	a->success = magi__json_bool(o, "success", true);
	double secs = magi__json_num(o, "seconds", -1);
	a->duration_ms = secs >= 0 ? secs * 1000 : magi__json_num(o, "ms", 0);
	const char *name = kind_names[a->kind];
	const char *text = NULL;
	switch (a->kind) {
	case MAGI_ACT_CLICK:
	case MAGI_ACT_DOUBLE_CLICK:
	case MAGI_ACT_RIGHT_CLICK:
	case MAGI_ACT_LONG_PRESS:
		if (!a->has_point)
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"%s\" needs a point: {\"action\":\"%s\",\"x\":X,\"y\":Y}", name, name);
		break;
	case MAGI_ACT_DRAG:
	case MAGI_ACT_SWIPE:
		if (!a->has_point || !a->has_point2)
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"%s\" needs a start and an end: {\"action\":\"%s\",\"x\":X1,\"y\":Y1,\"x2\":X2,\"y2\":Y2}",
					      name, name);
		break;
	case MAGI_ACT_TYPE: {
		static const char *const k[] = {"text", "content", "value", NULL};
		if (!(text = first_str(o, k)))
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"type\" needs the text: {\"action\":\"type\",\"text\":\"...\"}");
		break;
	}
	case MAGI_ACT_KEY: {
		static const char *const k[] = {"keys", "key", "text", "combo", NULL};
		if (!(text = first_str(o, k)) || !*text)
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"key\" needs the keys: {\"action\":\"key\",\"keys\":\"ctrl+s\"}");
		break;
	}
	case MAGI_ACT_SCROLL: {
		const char *d = magi__json_str(o, "direction", "down");
		if (!strcasecmp(d, "down"))
			a->dir = MAGI_SCROLL_DOWN;
		else if (!strcasecmp(d, "up"))
			a->dir = MAGI_SCROLL_UP;
		else if (!strcasecmp(d, "left"))
			a->dir = MAGI_SCROLL_LEFT;
		else if (!strcasecmp(d, "right"))
			a->dir = MAGI_SCROLL_RIGHT;
		else
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "scroll direction \"%s\" is not one of up, down, left, right", d);
		if (a->amount < 1 || a->amount > 50)
			return magi_error_set(err, MAGI_ERR_PARSE, "scroll amount %d is not within 1..50",
					      a->amount);
		break;
	}
	case MAGI_ACT_OPEN_APP: {
		static const char *const k[] = {"app", "name", "text", NULL};
		if (!(text = first_str(o, k)))
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"open_app\" needs the app: {\"action\":\"open_app\",\"app\":\"NAME\"}");
		break;
	}
	case MAGI_ACT_ANSWER: {
		static const char *const k[] = {"text", "answer", "content", NULL};
		if (!(text = first_str(o, k)))
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"answer\" needs the text: {\"action\":\"answer\",\"text\":\"...\"}");
		break;
	}
	case MAGI_ACT_ASK_USER: {
		static const char *const k[] = {"question", "text", NULL};
		if (!(text = first_str(o, k)))
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "\"ask_user\" needs a question: {\"action\":\"ask_user\",\"question\":\"...\"}");
		break;
	}
	case MAGI_ACT_WAIT:
		if (a->duration_ms <= 0)
			a->duration_ms = 1000;
		if (a->duration_ms > 60000)
			return magi_error_set(err, MAGI_ERR_PARSE, "wait of %.0f ms is longer than 60 s",
					      a->duration_ms);
		break;
	case MAGI_ACT_NAVIGATE:
	case MAGI_ACT_NEW_TAB:
	case MAGI_ACT_SWITCH_TAB:
	case MAGI_ACT_CLOSE_TAB:
	case MAGI_ACT_SELECT_OPTION:
	case MAGI_ACT_UPLOAD_FILE:
	case MAGI_ACT_CLICK_ELEMENT:
	case MAGI_ACT_DIALOG: {
		magi_status s = parse_browser(o, kind, a, &text, err);
		if (s)
			return s;
		break;
	}
	case MAGI_ACT_DONE: {
		const json_t *s = json_object_get(o, "success");
		if (s && !json_is_boolean(s))
			return magi_error_set(err, MAGI_ERR_PARSE, "\"success\" must be true or false");
		static const char *const k[] = {"text", "reason", "answer", NULL};
		text = first_str(o, k);
		break;
	}
	default:
		break;
	}
	if (text && !(a->text = magi__strdup(text)))
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	for (double *v = &a->x; v <= &a->y2; v++)
		if (!isfinite(*v))
			return magi_error_set(err, MAGI_ERR_PARSE, "coordinates must be finite numbers");
	return MAGI_OK;
}

magi_status magi_action_parse_json(const char *json, size_t n, struct magi_action *out,
				   struct magi_error *err)
{
	memset(out, 0, sizeof *out);
	json_t *j = NULL;
	magi_status s = magi__json_parse(json, n, "action", &j, err);
	if (s)
		return s;
	if (!json_is_object(j)) {
		json_decref(j);
		return magi_error_set(err, MAGI_ERR_PARSE, "the action must be a JSON object");
	}
	s = parse_obj(j, out, err);
	json_decref(j);
	if (s)
		magi_action_release(out);
	return s;
}

static json_t *num(double v)
{
	return v == floor(v) && fabs(v) < 1e15 ? json_integer((json_int_t)v) : json_real(v);
}

magi_status magi_action_to_json(const struct magi_action *a, struct magi_buf *out)
{
	json_t *o = json_object();
	json_object_set_new(o, "action", json_string(magi_action_kind_name(a->kind)));
	if (a->has_point) {
		json_object_set_new(o, "x", num(a->x));
		json_object_set_new(o, "y", num(a->y));
	}
	if (a->has_point2) {
		json_object_set_new(o, "x2", num(a->x2));
		json_object_set_new(o, "y2", num(a->y2));
	}
	static const char *const dirs[] = {"down", "up", "left", "right"};
	switch (a->kind) {
	case MAGI_ACT_TYPE:
	case MAGI_ACT_ANSWER:
		json_object_set_new(o, "text", json_string(a->text ? a->text : ""));
		break;
	case MAGI_ACT_KEY:
		json_object_set_new(o, "keys", json_string(a->text ? a->text : ""));
		break;
	case MAGI_ACT_OPEN_APP:
		json_object_set_new(o, "app", json_string(a->text ? a->text : ""));
		break;
	case MAGI_ACT_ASK_USER:
		json_object_set_new(o, "question", json_string(a->text ? a->text : ""));
		break;
	case MAGI_ACT_SCROLL:
		json_object_set_new(o, "direction", json_string(dirs[a->dir & 3]));
		json_object_set_new(o, "amount", json_integer(a->amount));
		break;
	case MAGI_ACT_WAIT:
	case MAGI_ACT_LONG_PRESS:
		if (a->duration_ms > 0)
			json_object_set_new(o, "seconds", num(a->duration_ms / 1000));
		break;
	case MAGI_ACT_DONE:
		json_object_set_new(o, "success", json_boolean(a->success));
		if (a->text)
			json_object_set_new(o, "text", json_string(a->text));
		break;
	case MAGI_ACT_NAVIGATE:
	case MAGI_ACT_NEW_TAB:
		if (a->text || a->kind == MAGI_ACT_NAVIGATE)
			json_object_set_new(o, "url", json_string(a->text ? a->text : ""));
		break;
	case MAGI_ACT_SWITCH_TAB:
	case MAGI_ACT_CLOSE_TAB:
		if (a->index > 0)
			json_object_set_new(o, "tab", json_integer(a->index));
		break;
	case MAGI_ACT_CLICK_ELEMENT:
	case MAGI_ACT_SELECT_OPTION:
	case MAGI_ACT_UPLOAD_FILE:
		if (a->index > 0)
			json_object_set_new(o, "element", json_integer(a->index));
		if (a->kind != MAGI_ACT_CLICK_ELEMENT)
			json_object_set_new(o, a->kind == MAGI_ACT_SELECT_OPTION ? "option" : "path",
					    json_string(a->text ? a->text : ""));
		break;
	case MAGI_ACT_DIALOG:
		json_object_set_new(o, "accept", json_boolean(a->accept));
		if (a->text)
			json_object_set_new(o, "text", json_string(a->text));
		break;
	default:
		break;
	}
	magi_status s = magi__json_append(out, o);
	json_decref(o);
	return s;
}

/* ---- coordinate spaces ---------------------------------------------------------- */

static const char *const space_names[] = {"pixels", "norm1000", "norm1"};

magi_status magi_coord_space_parse(const char *s, enum magi_coord_space *out)
{
	for (int i = 0; i < 3; i++)
		if (!strcasecmp(s, space_names[i])) {
			*out = (enum magi_coord_space)i;
			return MAGI_OK;
		}
	if (!strcmp(s, "0-1000") || !strcmp(s, "1000")) {
		*out = MAGI_COORDS_NORM1000;
		return MAGI_OK;
	}
	if (!strcmp(s, "0-1")) {
		*out = MAGI_COORDS_NORM1;
		return MAGI_OK;
	}
	return MAGI_ERR_PARSE;
}

const char *magi_coord_space_name(enum magi_coord_space s)
{
	return (int)s >= 0 && s <= MAGI_COORDS_NORM1 ? space_names[s] : "unknown";
}

/* One axis. The model's value v names a position in its space; the screen pixel is the
 * one containing the corresponding continuous position. In pixel space the model names
 * pixel *indices* of the sent image, so index i stands for the centre i + 0.5. */
static int map_axis(enum magi_coord_space sp, double v, uint32_t sent, uint32_t screen)
{
	double pos;
	switch (sp) {
	case MAGI_COORDS_PIXELS:
		pos = (v + 0.5) * (double)screen / (double)sent;
		break;
	case MAGI_COORDS_NORM1000:
		pos = v / 1000.0 * (double)screen;
		break;
	default:
		pos = v * (double)screen;
		break;
	}
	long p = (long)floor(pos);
	if (p < 0)
		p = 0;
	if (p >= (long)screen)
		p = (long)screen - 1;
	return (int)p;
}

magi_status magi_coords_to_screen(const struct magi_coord_map *m, double x, double y, int *sx,
				  int *sy, struct magi_error *err)
{
	*sx = *sy = 0;
	if (!m->sent_w || !m->sent_h || !m->screen_w || !m->screen_h)
		return magi_error_set(err, MAGI_ERR_INVALID, "coordinate map has an empty size");
	double maxx, maxy;
	switch (m->space) {
	case MAGI_COORDS_PIXELS:
		maxx = m->sent_w;
		maxy = m->sent_h;
		break;
	case MAGI_COORDS_NORM1000:
		maxx = maxy = 1000;
		break;
	default:
		maxx = maxy = 1;
		break;
	}
	/* pixel indices are continuous: -0.5 is the left edge of pixel 0 */
	double minv = m->space == MAGI_COORDS_PIXELS ? -0.5 : 0;
	if (!(x >= minv && y >= minv && x <= maxx && y <= maxy)) {
		if (m->space == MAGI_COORDS_PIXELS)
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "point (%g, %g) is outside the %ux%u image you were shown; x must be 0..%u and y 0..%u",
					      x, y, m->sent_w, m->sent_h, m->sent_w - 1, m->sent_h - 1);
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "point (%g, %g) is outside the %s coordinate range 0..%g",
				      x, y, magi_coord_space_name(m->space), maxx);
	}
	*sx = m->origin_x + map_axis(m->space, x, m->sent_w, m->screen_w);
	*sy = m->origin_y + map_axis(m->space, y, m->sent_h, m->screen_h);
	return MAGI_OK;
}

void magi_coords_from_screen(const struct magi_coord_map *m, int sx, int sy, double *x, double *y)
{
	double cx = sx - m->origin_x + 0.5, cy = sy - m->origin_y + 0.5;
	switch (m->space) {
	case MAGI_COORDS_PIXELS:
		/* a continuous pixel index: index i covers [i, i+1) and has its centre at i + 0.5 */
		*x = cx * m->sent_w / m->screen_w - 0.5;
		*y = cy * m->sent_h / m->screen_h - 0.5;
		break;
	case MAGI_COORDS_NORM1000:
		*x = cx * 1000.0 / m->screen_w;
		*y = cy * 1000.0 / m->screen_h;
		break;
	default:
		*x = cx / m->screen_w;
		*y = cy / m->screen_h;
		break;
	}
}

magi_status magi_action_to_screen(const struct magi_coord_map *m, struct magi_action *a,
				  struct magi_error *err)
{
	int sx, sy;
	magi_status s;
	if (a->has_point) {
		if ((s = magi_coords_to_screen(m, a->x, a->y, &sx, &sy, err)))
			return s;
		a->x = sx;
		a->y = sy;
	}
	if (a->has_point2) {
		if ((s = magi_coords_to_screen(m, a->x2, a->y2, &sx, &sy, err)))
			return s;
		a->x2 = sx;
		a->y2 = sy;
	}
	return MAGI_OK;
}
