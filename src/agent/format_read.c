/* format_read.c — reading replies in the models' own formats, tolerant of the ways they
 * are known to go wrong: prose and code fences around the answer, a missing closing tag
 * or parenthesis (a reply cut short), coordinates written as strings, several actions in
 * one reply (the first is taken, the others are reported), a box where a point was asked
 * for (its centre is taken). What cannot be read is an error worded for the model: the
 * repair retry shows it to the model. Out-of-range points are the decision's business
 * (decide.c clamps small overshoots and sends the rest back). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "agent/agent_internal.h"
#include "agent/format.h"
#include "agent/parse.h"
#include "core/json.h"
#include "core/common.h"

/* ---- text helpers ------------------------------------------------------------------- */

/* A copy without code-fence lines (```, ```python), end markers and carriage returns. */
static char *clean_copy(const char *text)
{
	struct magi_buf b;
	magi_buf_init(&b, 0);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *q = p;
		while (q < p + n && (*q == ' ' || *q == '\t'))
			q++;
		if (!(p + n - q >= 3 && !strncmp(q, "```", 3))) {
			magi_buf_append(&b, p, n);
			magi_buf_putc(&b, '\n');
		}
		p = nl ? nl + 1 : p + n;
	}
	static const char *const junk[] = {"[EOS]", "<|im_end|>", "<|endoftext|>", "\r"};
	for (size_t k = 0; k < MAGI_ARRAY_LEN(junk); k++) {
		size_t jl = strlen(junk[k]);
		for (char *s = strstr(b.data, junk[k]); s; s = strstr(s, junk[k]))
			memmove(s, s + jl, strlen(s + jl) + 1);
	}
	b.len = strlen(b.data);
	return magi_buf_detach(&b, NULL);
}

/* The text between open and close tags (case-insensitive), or to the end when the close
 * tag is missing (a reply cut short); NULL when there is no open tag. *after (may be NULL)
 * is where the text after it starts. */
static char *tagged(const char *text, const char *open, const char *close, const char **after)
{
	const char *a = strcasestr(text, open);
	if (!a)
		return NULL;
	a += strlen(open);
	const char *b = strcasestr(a, close);
	if (after)
		*after = b ? b + strlen(close) : a + strlen(a);
	return magi__trim_dup(a, b ? (size_t)(b - a) : strlen(a));
}

/* Up to max numbers in s (n bytes), skipping anything between them: "(120,340)",
 * "<point>120 340</point>", "[120, 340, 130, 350]", "\"120\"". */
static int numbers(const char *s, size_t n, double *v, int max)
{
	int k = 0;
	const char *end = s + n;
	for (const char *p = s; p < end && k < max;) {
		bool neg = *p == '-' && p + 1 < end && (isdigit((unsigned char)p[1]) || p[1] == '.');
		if (isdigit((unsigned char)*p) || neg || (*p == '.' && p + 1 < end && isdigit((unsigned char)p[1]))) {
			char *e;
			double d = strtod(p, &e);
			if (e == p || e > end || !isfinite(d))
				return k;
			v[k++] = d;
			p = e;
		} else {
			p++;
		}
	}
	return k;
}

/* A point from text: two numbers, or four (a box: its centre). */
bool magi__fmt_point_from(const char *s, size_t n, double *x, double *y)
{
	double v[5];
	int k = numbers(s, n, v, 5);
	if (k == 2 || k == 3) {
		*x = v[0];
		*y = v[1];
		return true;
	}
	if (k >= 4) {
		*x = (v[0] + v[2]) / 2;
		*y = (v[1] + v[3]) / 2;
		return true;
	}
	return false;
}

/* A point from a JSON value: [x, y], ["x", "y"], [x1, y1, x2, y2], "[x, y]", {"x":, "y":}. */
static bool json_point(const json_t *v, double *x, double *y)
{
	if (json_is_array(v)) {
		double n[4];
		size_t k = 0, i;
		const json_t *e;
		json_array_foreach(v, i, e)
		{
			if (k == 4)
				break;
			double d = magi__json_number_any(e);
			if (json_is_array(e) && json_array_size(e) >= 2) /* [[x, y]] */
				return json_point(e, x, y);
			if (isnan(d))
				return false;
			n[k++] = d;
		}
		if (k == 2 || k == 3) {
			*x = n[0];
			*y = n[1];
			return true;
		}
		if (k == 4) {
			*x = (n[0] + n[2]) / 2;
			*y = (n[1] + n[3]) / 2;
			return true;
		}
		return false;
	}
	if (json_is_string(v))
		return magi__fmt_point_from(json_string_value(v), json_string_length(v), x, y);
	if (json_is_object(v)) {
		*x = magi__json_number_any(json_object_get(v, "x"));
		*y = magi__json_number_any(json_object_get(v, "y"));
		return !isnan(*x) && !isnan(*y);
	}
	return false;
}

json_t *magi__fmt_act(const char *kind)
{
	return json_pack("{s:s}", "action", kind);
}

void magi__fmt_set_point(json_t *a, const char *kx, const char *ky, double x, double y)
{
	json_object_set_new(a, kx, json_real(x));
	json_object_set_new(a, ky, json_real(y));
}

/* "ctrl c", "Ctrl+C", ["ctrl", "c"] -> "ctrl+c" */
char *magi__fmt_key_combo(const char *s)
{
	struct magi_buf b;
	magi_buf_init(&b, 256);
	bool sep = false;
	for (const char *p = s; *p; p++) {
		if (*p == ' ' || *p == '+' || *p == ',') {
			sep = b.len > 0;
			continue;
		}
		if (sep)
			magi_buf_putc(&b, '+');
		sep = false;
		magi_buf_putc(&b, (char)tolower((unsigned char)*p));
	}
	return magi_buf_detach(&b, NULL);
}

/* Python-style escapes the formats ask for in text: \n, \t, \', \", \\. */
char *magi__fmt_unescape(const char *s)
{
	struct magi_buf b;
	magi_buf_init(&b, 0);
	for (const char *p = s; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			magi_buf_putc(&b, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
		} else {
			magi_buf_putc(&b, *p);
		}
	}
	return magi_buf_detach(&b, NULL);
}

/* o's "action": a's compact text (a is consumed). */
magi_status magi__fmt_set_action(json_t *o, json_t *a)
{
	char *js = magi__json_dump(a, false);
	json_decref(a);
	if (!js)
		return MAGI_ERR_NOMEM;
	json_object_set_new(o, "action", json_string(js));
	free(js);
	return MAGI_OK;
}

/* ---- the Qwen family: <tool_call>{"name": ..., "arguments": {...}}</tool_call> ----- */

/* A JSON object in s, also one cut short (closing quotes, brackets and braces added). */
static json_t *object_in(const char *s)
{
	json_t *j = NULL;
	if (!magi__json_extract_object(s, &j, NULL))
		return j;
	const char *b = strchr(s, '{');
	if (!b)
		return NULL;
	struct magi_buf t;
	magi_buf_init(&t, 1u << 20);
	magi_buf_puts(&t, b);
	char stack[64];
	int depth = 0;
	bool str = false;
	for (const char *p = b; *p; p++) {
		if (str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				str = false;
		} else if (*p == '"') {
			str = true;
		} else if ((*p == '{' || *p == '[') && depth < (int)sizeof stack) {
			stack[depth++] = *p == '{' ? '}' : ']';
		} else if ((*p == '}' || *p == ']') && depth) {
			depth--;
		}
	}
	while (t.len && isspace((unsigned char)t.data[t.len - 1]))
		t.data[--t.len] = '\0';
	if (str)
		magi_buf_putc(&t, '"');
	while (depth)
		magi_buf_putc(&t, stack[--depth]);
	j = NULL;
	magi__json_parse(t.data, t.len, "tool call", &j, NULL);
	magi_buf_release(&t);
	return json_is_object(j) ? j : (json_decref(j), NULL);
}

/* The arguments of a tool call object: {"name", "arguments": {...} | "<json>"}, an
 * OpenAI-style {"function": {...}}, or the arguments alone ({"action": ...}). */
static json_t *tool_arguments(json_t *call)
{
	json_t *fn = json_object_get(call, "function");
	if (json_is_object(fn))
		call = fn;
	json_t *args = json_object_get(call, "arguments");
	if (!args)
		args = json_object_get(call, "parameters");
	if (json_is_string(args))
		return object_in(json_string_value(args));
	if (json_is_object(args))
		return json_incref(args);
	if (json_object_get(call, "action"))
		return json_incref(call);
	return NULL;
}

static magi_status need(const char *action, const char *what, struct magi_error *err)
{
	return magi_error_set(err, MAGI_ERR_PARSE, "action \"%s\" needs %s", action, what);
}

/* One computer_use / mobile_use call's arguments as a canonical magi action. */
static magi_status tool_action(const json_t *args, json_t **out, struct magi_error *err)
{
	*out = NULL;
	const char *n = magi__json_str(args, "action", NULL);
	if (!n || !*n)
		return magi_error_set(err, MAGI_ERR_PARSE, "the function call's arguments have no \"action\"");
	double x, y, x2, y2;
	bool pt = json_point(json_object_get(args, "coordinate"), &x, &y);
	json_t *a = NULL;
	if (!strcmp(n, "left_click") || !strcmp(n, "click") || !strcmp(n, "tap") || !strcmp(n, "right_click") ||
	    !strcmp(n, "double_click") || !strcmp(n, "long_press")) {
		if (!pt)
			return need(n, "\"coordinate\": [x, y]", err);
		a = magi__fmt_act(!strcmp(n, "right_click") ? "right_click" : !strcmp(n, "double_click") ? "double_click"
								  : !strcmp(n, "long_press")	 ? "long_press"
												 : "click");
		magi__fmt_set_point(a, "x", "y", x, y);
		double t = magi__json_number_any(json_object_get(args, "time"));
		if (!isnan(t) && t > 0)
			json_object_set_new(a, "seconds", json_real(t));
	} else if (!strcmp(n, "left_click_drag") || !strcmp(n, "swipe") || !strcmp(n, "drag")) {
		/* computer_use drags from start_coordinate to coordinate; mobile_use swipes from
		 * coordinate to coordinate2 */
		bool drag = strcmp(n, "swipe") != 0;
		double sx, sy;
		bool ok = drag ? json_point(json_object_get(args, "start_coordinate"), &sx, &sy) && pt
			       : pt && json_point(json_object_get(args, "coordinate2"), &x2, &y2);
		if (!ok)
			return need(n, drag ? "\"start_coordinate\": [x1, y1] and \"coordinate\": [x2, y2]"
					    : "\"coordinate\": [x1, y1] and \"coordinate2\": [x2, y2]",
				    err);
		a = magi__fmt_act(drag ? "drag" : "swipe");
		if (drag) {
			magi__fmt_set_point(a, "x", "y", sx, sy);
			magi__fmt_set_point(a, "x2", "y2", x, y);
		} else {
			magi__fmt_set_point(a, "x", "y", x, y);
			magi__fmt_set_point(a, "x2", "y2", x2, y2);
		}
	} else if (!strcmp(n, "key")) {
		const json_t *k = json_object_get(args, "keys");
		if (!k)
			k = json_object_get(args, "text");
		struct magi_buf b;
		magi_buf_init(&b, 4096);
		if (json_is_array(k)) {
			size_t i;
			const json_t *e;
			json_array_foreach(k, i, e) if (json_is_string(e)) magi_buf_printf(&b, "%s%s", b.len ? "+" : "",
											   json_string_value(e));
		} else if (json_is_string(k)) {
			magi_buf_puts(&b, json_string_value(k));
		}
		char *combo = b.len ? magi__fmt_key_combo(b.data) : NULL;
		magi_buf_release(&b);
		if (!combo || !*combo) {
			free(combo);
			return need(n, "\"keys\": [\"ctrl\", \"s\"]", err);
		}
		a = json_pack("{s:s, s:s}", "action", "key", "keys", combo);
		free(combo);
	} else if (!strcmp(n, "type") || !strcmp(n, "answer") || !strcmp(n, "open")) {
		const char *t = magi__json_str(args, "text", NULL);
		if (!t)
			return need(n, "\"text\"", err);
		a = !strcmp(n, "open") ? json_pack("{s:s, s:s}", "action", "open_app", "app", t)
				       : json_pack("{s:s, s:s}", "action", n, "text", t);
		if (pt && !strcmp(n, "type")) /* a field to click first (MobileUse's type) */
			magi__fmt_set_point(a, "x", "y", x, y);
	} else if (!strcmp(n, "scroll") || !strcmp(n, "hscroll")) {
		double px = magi__json_number_any(json_object_get(args, "pixels"));
		/* computer_use scrolls by pixels; a direction word ("direction", or "text" as
		 * MobileUse's tools list it) scrolls the environment's default amount */
		const char *dir = magi__json_str(args, "direction", magi__json_str(args, "text", NULL));
		static const char *const dirs[] = {"up", "down", "left", "right"};
		const char *word = NULL;
		for (size_t i = 0; dir && (isnan(px) || px == 0) && i < MAGI_ARRAY_LEN(dirs); i++)
			if (!strcasecmp(dir, dirs[i]))
				word = dirs[i];
		if (!word && (isnan(px) || px == 0))
			return need(n, "\"pixels\": a non-zero number (positive up, negative down), or \"direction\": up, down, left or right", err);
		bool h = n[0] == 'h';
		int amount = (int)fmin(fabs(px), 50);
		a = word ? json_pack("{s:s, s:s}", "action", "scroll", "direction", word)
			 : json_pack("{s:s, s:s, s:i}", "action", "scroll", "direction",
				     h ? (px > 0 ? "right" : "left") : (px > 0 ? "up" : "down"), "amount", amount < 1 ? 1 : amount);
		if (pt)
			magi__fmt_set_point(a, "x", "y", x, y);
	} else if (!strcmp(n, "system_button")) {
		const char *b = magi__json_str(args, "button", "");
		if (!strcasecmp(b, "back"))
			a = magi__fmt_act("back");
		else if (!strcasecmp(b, "home"))
			a = magi__fmt_act("home");
		else if (!strcasecmp(b, "enter"))
			a = json_pack("{s:s, s:s}", "action", "key", "keys", "Return");
		else if (!strcasecmp(b, "menu"))
			a = json_pack("{s:s, s:s}", "action", "key", "keys", "Menu");
		else
			return need(n, "\"button\": Back, Home, Menu or Enter", err);
	} else if (!strcmp(n, "wait")) {
		double t = magi__json_number_any(json_object_get(args, "time"));
		a = json_pack("{s:s, s:f}", "action", "wait", "seconds", isnan(t) || t <= 0 ? 1.0 : fmin(t, 60));
	} else if (!strcmp(n, "terminate")) {
		const char *st = magi__json_str(args, "status", "success");
		a = json_pack("{s:s, s:b}", "action", "done", "success", strcasecmp(st, "failure") && strcasecmp(st, "fail"));
	} else {
		return magi_error_set(err, MAGI_ERR_PARSE,
				      "action \"%s\" cannot be done here; use one of the actions the function definition lists", n);
	}
	*out = a;
	return MAGI_OK;
}

static magi_status read_tool(const char *text, json_t *o, struct magi_error *err)
{
	/* the reasoning: GUI-Owl's <thinking> (or <think>), else the prose before the call */
	char *th = tagged(text, "<thinking>", "</thinking>", NULL);
	if (!th)
		th = tagged(text, "<think>", "</think>", NULL);
	const char *first = strcasestr(text, "<tool_call>");
	if (!th && first && first > text)
		th = magi__trim_dup(text, (size_t)(first - text));
	if (th && *th)
		json_object_set_new(o, "thought", json_string(th));
	free(th);
	char *concl = tagged(text, "<conclusion>", "</conclusion>", NULL);
	if (concl && *concl)
		json_object_set_new(o, "operation", json_string(concl));
	free(concl);
	json_t *calls = json_array();
	for (const char *p = first; p;) {
		p += strlen("<tool_call>");
		const char *end = strcasestr(p, "</tool_call>");
		const char *next = strcasestr(p, "<tool_call>");
		const char *stop = strcasestr(p, "<conclusion>");
		const char *e = end;
		if (next && (!e || next < e))
			e = next;
		if (stop && (!e || stop < e))
			e = stop;
		char *body = magi__strndup(p, e ? (size_t)(e - p) : strlen(p));
		json_t *j = body ? object_in(body) : NULL;
		free(body);
		if (j)
			json_array_append_new(calls, j);
		p = next;
	}
	if (!json_array_size(calls)) {
		/* no tags: a bare call object in prose or a fence */
		json_t *j = object_in(text);
		if (j && (json_object_get(j, "arguments") || json_object_get(j, "action") || json_object_get(j, "function")))
			json_array_append_new(calls, j);
		else
			json_decref(j);
	}
	magi_status s = MAGI_OK;
	json_t *args = json_array_size(calls) ? tool_arguments(json_array_get(calls, 0)) : NULL;
	if (!json_array_size(calls))
		s = magi_error_set(err, MAGI_ERR_PARSE,
				   "the reply has no function call; write one as <tool_call>\n{\"name\": \"computer_use\", "
				   "\"arguments\": {\"action\": \"left_click\", \"coordinate\": [x, y]}}\n</tool_call>");
	else if (!args)
		s = magi_error_set(err, MAGI_ERR_PARSE, "the <tool_call> holds no \"arguments\" object with an \"action\"");
	json_t *a = NULL;
	if (!s)
		s = tool_action(args, &a, err);
	json_decref(args);
	if (!s) {
		/* the call as the model wrote it: its own history line in the native loop */
		char *cj = magi__json_dump(json_array_get(calls, 0), false);
		json_object_set_new(o, "call", json_string(cj ? cj : ""));
		free(cj);
	}
	if (json_array_size(calls) > 1) {
		json_t *ignored = json_array();
		for (size_t i = 1; i < json_array_size(calls); i++) {
			char *t = magi__json_dump(json_array_get(calls, i), false);
			json_array_append_new(ignored, json_string(t ? t : ""));
			free(t);
		}
		json_object_set_new(o, "ignored", ignored);
	}
	json_decref(calls);
	if (s)
		return s;
	return magi__fmt_set_action(o, a);
}

/* ---- entry points ------------------------------------------------------------------- */

static const char *const action_section[] = {"action", NULL};

magi_status magi__format_read_decision(enum magi_format f, const char *text, json_t **out, struct magi_error *err)
{
	*out = NULL;
	char *t = clean_copy(text ? text : "");
	if (!t)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	json_t *o = json_object();
	magi_status s;
	enum magi__family fam = magi__format_family(f);
	if (fam == MAGI__FAM_GROUND) {
		s = magi_error_set(err, MAGI_ERR_CONFIG, "format %s only locates elements; it cannot choose actions",
				   magi_format_name(f));
	} else if (fam == MAGI__FAM_MAGI || (strstr(t, "### Action") && !strstr(t, "<tool_call>") && !strstr(t, "Action:"))) {
		/* magi's own sections; also what a recipe's own prompt may have asked a preset
		 * model for */
		json_decref(o);
		o = NULL;
		s = magi__parse_sections(text ? text : "", action_section, &o, err);
		if (o)
			json_object_set_new(o, "read_as", json_string("magi"));
	} else {
		s = fam == MAGI__FAM_UITARS ? magi__format_read_uitars(t, o, err) : read_tool(t, o, err);
		json_object_set_new(o, "read_as", json_string(magi_format_name(f)));
	}
	free(t);
	if (s) {
		json_decref(o);
		return s;
	}
	*out = o;
	return MAGI_OK;
}

/* The numbers between open and close in text, as a point (a box gives its centre). */
static bool tagged_point(const char *text, const char *open, const char *close, double *x, double *y)
{
	char *in = tagged(text, open, close, NULL);
	bool ok = in && magi__fmt_point_from(in, strlen(in), x, y);
	free(in);
	return ok;
}

magi_status magi__format_read_point(enum magi_format f, const char *text, double *x, double *y, struct magi_error *err)
{
	(void)f;
	char *t = clean_copy(text ? text : "");
	if (!t)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	bool ok = tagged_point(t, "<|box_start|>", "<|box_end|>", x, y) || tagged_point(t, "<point>", "</point>", x, y) ||
		  tagged_point(t, "<box>", "</box>", x, y) || tagged_point(t, "<bbox>", "</bbox>", x, y);
	if (!ok) {
		json_t *j = object_in(t), *args = NULL;
		if (json_is_object(j) && !json_object_get(j, "point_2d") && !json_object_get(j, "bbox_2d"))
			args = tool_arguments(j);
		static const char *const keys[] = {"point_2d", "bbox_2d", "coordinate", "point", "bbox", "position"};
		for (size_t k = 0; !ok && k < MAGI_ARRAY_LEN(keys); k++)
			ok = json_point(json_object_get(args ? args : j, keys[k]), x, y);
		if (!ok && json_is_object(j)) { /* {"x": .., "y": ..} */
			double jx = magi__json_number_any(json_object_get(j, "x"));
			double jy = magi__json_number_any(json_object_get(j, "y"));
			if ((ok = !isnan(jx) && !isnan(jy))) {
				*x = jx;
				*y = jy;
			}
		}
		if (!ok && json_is_array(j))
			ok = json_point(json_object_get(json_array_get(j, 0), "point_2d"), x, y);
		json_decref(args);
		json_decref(j);
	}
	if (!ok) {
		/* "[{"point_2d": ...}]" is an array, not an object: look for the key's list */
		const char *k = strstr(t, "point_2d");
		if (!k)
			k = strstr(t, "bbox_2d");
		const char *b = k ? strchr(k, '[') : NULL;
		const char *e = b ? strchr(b, ']') : NULL;
		ok = e && magi__fmt_point_from(b, (size_t)(e - b), x, y);
	}
	for (const char *p = t; !ok && *p; p++) {
		/* "(x,y)" or "(x1,y1),(x2,y2)" or "[x1, y1, x2, y2]" */
		if (*p != '(' && *p != '[')
			continue;
		char close = *p == '(' ? ')' : ']';
		const char *e = strchr(p, close);
		if (!e)
			break;
		double v[5];
		int k = numbers(p, (size_t)(e - p), v, 5);
		if (k == 2 && close == ')' && e[1] == ',' && e[2] == '(') {
			const char *e2 = strchr(e + 2, ')');
			double w[3];
			if (e2 && numbers(e + 2, (size_t)(e2 - e - 2), w, 3) == 2) {
				v[2] = w[0];
				v[3] = w[1];
				k = 4;
			}
		}
		if (k == 2 || k == 4) {
			*x = k == 2 ? v[0] : (v[0] + v[2]) / 2;
			*y = k == 2 ? v[1] : (v[1] + v[3]) / 2;
			ok = true;
		}
	}
	free(t);
	if (!ok)
		return magi_error_set(err, MAGI_ERR_PARSE,
				      "the reply gives no point; answer with the element's position, e.g. (x, y) or a box "
				      "(x1, y1), (x2, y2)");
	return MAGI_OK;
}
