/* format_uitars.c — reading UI-TARS replies (1.5's <point>, 1.0's start_box): "Thought:"
 * (or "Reflection:" / "Action_Summary:") then "Action:" and calls written like Python,
 * name(key='value', ...). Tolerant of a call cut short, apostrophes left unescaped in
 * text, positional or x=/y= points and several calls (the first is taken). Sources:
 * bytedance/UI-TARS codes/ui_tars/action_parser.py and prompt.py (docs/models.md). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "agent/agent_internal.h"
#include "agent/format.h"
#include "agent/parse.h"
#include "core/json.h"
#include "core/common.h"

#define MAX_CALLS 8
#define MAX_ARGS 8

/* ---- UI-TARS: Thought: ... Action: name(key='value', ...) ---------------------------- */

struct call {
	char name[32];
	int n;
	char key[MAX_ARGS][32]; /* "" for a positional argument */
	char *val[MAX_ARGS];
	const char *start, *end; /* in the text read */
};

static void call_release(struct call *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->val[i]);
	c->n = 0;
}

static const char *arg(const struct call *c, const char *const *keys)
{
	for (; *keys; keys++)
		for (int i = 0; i < c->n; i++)
			if (!strcmp(c->key[i], *keys))
				return c->val[i];
	return NULL;
}

/* The action names of the UI-TARS family, and the synonyms models drift to. */
static const char *const uitars_names[] = {"click",      "left_single", "left_double", "right_single", "double_click",
					   "right_click", "drag",	 "select",	"hotkey",	"press",
					   "keydown",	  "type",	 "scroll",	"wait",		"finished",
					   "call_user",	  "long_press",	 "open_app",	"press_home",	"press_back",
					   "swipe",	  "tap",	 "finish",	NULL};

static bool known_call(const char *name, size_t n)
{
	for (const char *const *k = uitars_names; *k; k++)
		if (strlen(*k) == n && !strncasecmp(*k, name, n))
			return true;
	return false;
}

/* One quoted value from p (at the quote); the end of a `content` value is its last
 * closing quote before ")" (models leave apostrophes unescaped in text). A value cut short
 * runs to the end. */
static char *quoted(const char *p, const char *limit, bool content, const char **next)
{
	char q = *p++;
	const char *e = NULL;
	if (content) {
		for (const char *s = limit - 1; s >= p; s--)
			if (*s == q && (s + 1 == limit || s[1] == ')' || isspace((unsigned char)s[1]) || s[1] == ',')) {
				/* the last quote that closes the call, not one inside the text */
				const char *t = s + 1;
				while (t < limit && isspace((unsigned char)*t))
					t++;
				if (t == limit || *t == ')') {
					e = s;
					break;
				}
			}
	}
	if (!e)
		for (const char *s = p; s < limit; s++) {
			if (*s == '\\' && s + 1 < limit) {
				s++;
				continue;
			}
			if (*s == q) {
				e = s;
				break;
			}
		}
	*next = e ? e + 1 : limit;
	return magi__strndup(p, (size_t)((e ? e : limit) - p));
}

/* Reads the call at p (an identifier); *next is past it. False when p is no call. */
static bool parse_call(const char *p, const char *limit, struct call *c, const char **next)
{
	memset(c, 0, sizeof *c);
	const char *s = p;
	while (s < limit && (isalnum((unsigned char)*s) || *s == '_'))
		s++;
	size_t nl = (size_t)(s - p);
	if (!nl || nl >= sizeof c->name || !known_call(p, nl))
		return false;
	const char *q = s;
	while (q < limit && (*q == ' ' || *q == '\t'))
		q++;
	if (q >= limit || *q != '(')
		return false;
	for (size_t i = 0; i < nl; i++)
		c->name[i] = (char)tolower((unsigned char)p[i]);
	c->start = p;
	q++;
	while (q < limit && c->n < MAX_ARGS) {
		while (q < limit && (isspace((unsigned char)*q) || *q == ','))
			q++;
		if (q >= limit || *q == ')') {
			if (q < limit)
				q++;
			break;
		}
		const char *k = q;
		while (q < limit && (isalnum((unsigned char)*q) || *q == '_'))
			q++;
		const char *ke = q;
		while (q < limit && *q == ' ')
			q++;
		int i = c->n;
		if (ke > k && q < limit && *q == '=') {
			snprintf(c->key[i], sizeof c->key[i], "%.*s", (int)(ke - k), k);
			q++;
			while (q < limit && *q == ' ')
				q++;
		} else {
			q = k; /* positional */
		}
		if (q < limit && (*q == '\'' || *q == '"')) {
			c->val[i] = quoted(q, limit, !strcmp(c->key[i], "content"), &q);
		} else {
			/* an unquoted value (a number, a tuple): to the next top-level ',' or ')' */
			const char *v = q;
			int depth = 0;
			while (q < limit && (depth || (*q != ',' && *q != ')'))) {
				if (*q == '(' || *q == '[')
					depth++;
				else if ((*q == ')' || *q == ']') && depth)
					depth--;
				q++;
			}
			c->val[i] = magi__trim_dup(v, (size_t)(q - v));
		}
		if (!c->val[i])
			break;
		c->n++;
	}
	c->end = q;
	*next = q;
	return true;
}

/* Every known call in text, in order (at most MAX_CALLS). */
static int find_calls(const char *text, struct call *calls)
{
	int n = 0;
	const char *limit = text + strlen(text);
	for (const char *p = text; *p && n < MAX_CALLS;) {
		if ((isalpha((unsigned char)*p) || *p == '_') && (p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
			const char *next;
			if (parse_call(p, limit, &calls[n], &next)) {
				n++;
				p = next > p ? next : p + 1;
				continue;
			}
			call_release(&calls[n]);
		}
		p++;
	}
	return n;
}

static const char *const point_keys[] = {"point", "start_point", "start_box", "box", "position", "coordinate", NULL};
static const char *const end_keys[] = {"end_point", "end_box", "end", "end_coordinate", NULL};

/* The call's point: a keyed one, two positional numbers, or x=, y=. */
static bool call_point(const struct call *c, const char *const *keys, double *x, double *y)
{
	const char *v = arg(c, keys);
	if (v)
		return magi__fmt_point_from(v, strlen(v), x, y);
	if (keys == point_keys) {
		static const char *const kx[] = {"x", NULL}, *const ky[] = {"y", NULL};
		const char *sx = arg(c, kx), *sy = arg(c, ky);
		if (sx && sy)
			return magi__parse_double(sx, x) && magi__parse_double(sy, y);
		struct magi_buf pos;
		magi_buf_init(&pos, 4096);
		for (int i = 0; i < c->n; i++)
			if (!c->key[i][0])
				magi_buf_printf(&pos, "%s ", c->val[i]);
		bool ok = pos.len && magi__fmt_point_from(pos.data, pos.len, x, y);
		magi_buf_release(&pos);
		return ok;
	}
	return false;
}

static magi_status need_point(const struct call *c, struct magi_error *err)
{
	return magi_error_set(err, MAGI_ERR_PARSE,
			      "%s() needs the point of its target, e.g. %s(point='<point>x1 y1</point>'); write one action with its point",
			      c->name, c->name);
}

/* One UI-TARS call as a canonical magi action (model space). */
static magi_status uitars_action(const struct call *c, const char *thought, json_t **out, struct magi_error *err)
{
	*out = NULL;
	const char *n = c->name;
	double x, y, x2, y2;
	json_t *a = NULL;
	static const char *const content_k[] = {"content", "text", NULL};
	if (!strcmp(n, "click") || !strcmp(n, "left_single") || !strcmp(n, "tap") || !strcmp(n, "left_double") ||
	    !strcmp(n, "double_click") || !strcmp(n, "right_single") || !strcmp(n, "right_click") ||
	    !strcmp(n, "long_press")) {
		if (!call_point(c, point_keys, &x, &y))
			return need_point(c, err);
		const char *kind = strstr(n, "double") ? "double_click" : strstr(n, "right") ? "right_click"
								: !strcmp(n, "long_press")  ? "long_press"
											    : "click";
		a = magi__fmt_act(kind);
		magi__fmt_set_point(a, "x", "y", x, y);
		static const char *const tk[] = {"time", "duration", NULL};
		const char *t = arg(c, tk);
		double secs;
		if (t && magi__parse_double(t, &secs) && secs > 0)
			json_object_set_new(a, "seconds", json_real(secs));
	} else if (!strcmp(n, "drag") || !strcmp(n, "select") || !strcmp(n, "swipe")) {
		if (!call_point(c, point_keys, &x, &y) || !call_point(c, end_keys, &x2, &y2))
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "%s() needs a start and an end, e.g. drag(start_point='<point>x1 y1</point>', "
					      "end_point='<point>x2 y2</point>')",
					      n);
		a = magi__fmt_act("drag");
		magi__fmt_set_point(a, "x", "y", x, y);
		magi__fmt_set_point(a, "x2", "y2", x2, y2);
	} else if (!strcmp(n, "hotkey") || !strcmp(n, "press") || !strcmp(n, "keydown")) {
		static const char *const k[] = {"key", "hotkey", "keys", "press", NULL};
		const char *v = arg(c, k);
		if (!v && c->n && !c->key[0][0])
			v = c->val[0];
		if (!v || !*v)
			return magi_error_set(err, MAGI_ERR_PARSE, "%s() needs its keys, e.g. hotkey(key='ctrl c')", n);
		char *combo = magi__fmt_key_combo(v);
		a = json_pack("{s:s, s:s}", "action", "key", "keys", combo ? combo : "");
		free(combo);
	} else if (!strcmp(n, "type")) {
		const char *v = arg(c, content_k);
		if (!v && c->n && !c->key[0][0])
			v = c->val[0];
		if (!v)
			return magi_error_set(err, MAGI_ERR_PARSE, "type() needs its text, e.g. type(content='hello')");
		char *t = magi__fmt_unescape(v);
		a = json_pack("{s:s, s:s}", "action", "type", "text", t ? t : "");
		free(t);
	} else if (!strcmp(n, "scroll")) {
		static const char *const k[] = {"direction", NULL};
		const char *d = arg(c, k);
		if (!d || (strcasecmp(d, "up") && strcasecmp(d, "down") && strcasecmp(d, "left") && strcasecmp(d, "right")))
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "scroll() needs direction='down', 'up', 'left' or 'right', e.g. scroll(point='<point>x1 "
					      "y1</point>', direction='down')");
		char dl[8];
		snprintf(dl, sizeof dl, "%s", d);
		for (char *p = dl; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		a = json_pack("{s:s, s:s}", "action", "scroll", "direction", dl);
		if (call_point(c, point_keys, &x, &y))
			magi__fmt_set_point(a, "x", "y", x, y);
	} else if (!strcmp(n, "wait")) {
		a = json_pack("{s:s, s:i}", "action", "wait", "seconds", 5); /* "Sleep for 5s" */
	} else if (!strcmp(n, "finished") || !strcmp(n, "finish")) {
		a = json_pack("{s:s, s:b}", "action", "done", "success", 1);
		const char *v = arg(c, content_k);
		if (v && *v) {
			char *t = magi__fmt_unescape(v);
			json_object_set_new(a, "text", json_string(t ? t : ""));
			free(t);
		}
	} else if (!strcmp(n, "call_user")) {
		a = json_pack("{s:s, s:s}", "action", "ask_user", "question",
			      thought && *thought ? thought : "The agent needs your help to go on.");
	} else if (!strcmp(n, "open_app")) {
		static const char *const k[] = {"app_name", "app", "name", NULL};
		const char *v = arg(c, k);
		if (!v || !*v)
			return magi_error_set(err, MAGI_ERR_PARSE, "open_app() needs the app, e.g. open_app(app_name='Settings')");
		a = json_pack("{s:s, s:s}", "action", "open_app", "app", v);
	} else if (!strcmp(n, "press_home")) {
		a = magi__fmt_act("home");
	} else if (!strcmp(n, "press_back")) {
		a = magi__fmt_act("back");
	}
	if (!a)
		return magi_error_set(err, MAGI_ERR_PARSE, "unknown action %s()", n);
	*out = a;
	return MAGI_OK;
}

/* The text of a call as written (for the "ignored" report). */
static char *call_text(const struct call *c)
{
	return magi__trim_dup(c->start, (size_t)(c->end - c->start));
}

magi_status magi__format_read_uitars(const char *text, json_t *o, struct magi_error *err)
{
	/* "Thought:" (or 1.5's "Reflection:" / "Action_Summary:") up to "Action:" */
	const char *act_at = NULL;
	for (const char *p = strcasestr(text, "action:"); p; p = strcasestr(p + 7, "action:"))
		if (p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) {
			act_at = p;
			break;
		}
	const char *th = strcasestr(text, "thought:");
	if (th && (!act_at || th < act_at)) {
		th += 8;
		char *t = magi__trim_dup(th, act_at ? (size_t)(act_at - th) : strlen(th));
		json_object_set_new(o, "thought", json_string(t ? t : ""));
		free(t);
	} else if (act_at && act_at > text) {
		char *t = magi__trim_dup(text, (size_t)(act_at - text));
		json_object_set_new(o, "thought", json_string(t ? t : ""));
		free(t);
	}
	struct call calls[MAX_CALLS];
	int n = find_calls(act_at ? act_at + 7 : text, calls);
	if (!n) {
		struct magi_buf names;
		magi_buf_init(&names, 2048);
		for (const char *const *k = uitars_names; *k; k++)
			if (strcmp(*k, "tap") && strcmp(*k, "finish") && strcmp(*k, "select") && strcmp(*k, "keydown"))
				magi_buf_printf(&names, "%s%s()", k == uitars_names ? "" : ", ", *k);
		magi_status s = magi_error_set(err, MAGI_ERR_PARSE,
					       "the reply has no action; write \"Thought: ...\" then \"Action: \" and ONE action "
					       "such as click(point='<point>x1 y1</point>') (known: %s)",
					       names.data);
		magi_buf_release(&names);
		return s;
	}
	json_t *a = NULL;
	magi_status s = uitars_action(&calls[0], magi__json_str(o, "thought", NULL), &a, err);
	json_t *ignored = json_array();
	for (int i = 1; i < n; i++) {
		char *t = call_text(&calls[i]);
		json_array_append_new(ignored, json_string(t ? t : ""));
		free(t);
	}
	if (json_array_size(ignored))
		json_object_set_new(o, "ignored", ignored);
	else
		json_decref(ignored);
	for (int i = 0; i < n; i++)
		call_release(&calls[i]);
	if (s)
		return s;
	return magi__fmt_set_action(o, a);
}
