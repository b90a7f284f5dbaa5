/* format_write.c — an action written the way a trained format writes it, the inverse of
 * the readers in format_read.c and format_uitars.c: UI-TARS's `name(key='value')` calls
 * (1.5's <point>x y</point>, 1.0's start_box) and the Qwen family's computer_use /
 * mobile_use tool calls. Used where magi shows a model actions it did not write itself
 * (the demonstrations of --demo), so a model trained on one syntax is not shown another. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/format.h"
#include "agent/agent_internal.h"
#include "core/common.h"

/* A coordinate as the formats write it: whole numbers unless the space is 0..1. */
static void num(struct magi_buf *o, double v)
{
	if (v == floor(v) && fabs(v) < 1e9)
		magi_buf_printf(o, "%ld", (long)v);
	else
		magi_buf_printf(o, "%.4g", v);
}

/* Text inside '...' with the Python escapes the UI-TARS prompts ask for. */
static void py_quoted(struct magi_buf *o, const char *s)
{
	magi_buf_puts(o, "'");
	for (const char *p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '\'':
			magi_buf_puts(o, "\\'");
			break;
		case '"':
			magi_buf_puts(o, "\\\"");
			break;
		case '\\':
			magi_buf_puts(o, "\\\\");
			break;
		case '\n':
			magi_buf_puts(o, "\\n");
			break;
		case '\t':
			magi_buf_puts(o, "\\t");
			break;
		default:
			magi_buf_printf(o, "%c", *p);
		}
	}
	magi_buf_puts(o, "'");
}

static void uitars_point(struct magi_buf *o, bool v1, const char *key, double x, double y)
{
	magi_buf_printf(o, "%s='", key);
	if (v1) {
		magi_buf_puts(o, "<|box_start|>(");
		num(o, x);
		magi_buf_puts(o, ",");
		num(o, y);
		magi_buf_puts(o, ")<|box_end|>'");
	} else {
		magi_buf_puts(o, "<point>");
		num(o, x);
		magi_buf_puts(o, " ");
		num(o, y);
		magi_buf_puts(o, "</point>'");
	}
}

/* "ctrl+shift+s" as UI-TARS writes keys: lower case, split by spaces. */
static void uitars_keys(struct magi_buf *o, const char *combo)
{
	char k[256];
	snprintf(k, sizeof k, "%s", combo ? combo : "");
	for (char *p = k; *p; p++)
		*p = *p == '+' ? ' ' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	py_quoted(o, k);
}

static const char *const dir_names[] = {"down", "up", "left", "right"};

static bool write_uitars(bool v1, const struct magi_action *a, struct magi_buf *o)
{
	const char *pt = v1 ? "start_box" : "point";
	switch (a->kind) {
	case MAGI_ACT_CLICK:
	case MAGI_ACT_DOUBLE_CLICK:
	case MAGI_ACT_RIGHT_CLICK:
	case MAGI_ACT_LONG_PRESS:
		if (!a->has_point)
			return false;
		magi_buf_puts(o, a->kind == MAGI_ACT_CLICK	  ? "click("
				 : a->kind == MAGI_ACT_DOUBLE_CLICK ? "left_double("
				 : a->kind == MAGI_ACT_RIGHT_CLICK  ? "right_single("
								    : "long_press(");
		uitars_point(o, v1, pt, a->x, a->y);
		magi_buf_puts(o, ")");
		return true;
	case MAGI_ACT_DRAG:
	case MAGI_ACT_SWIPE:
		if (!a->has_point || !a->has_point2)
			return false;
		magi_buf_puts(o, "drag(");
		uitars_point(o, v1, v1 ? "start_box" : "start_point", a->x, a->y);
		magi_buf_puts(o, ", ");
		uitars_point(o, v1, v1 ? "end_box" : "end_point", a->x2, a->y2);
		magi_buf_puts(o, ")");
		return true;
	case MAGI_ACT_TYPE:
		magi_buf_puts(o, "type(content=");
		py_quoted(o, a->text);
		magi_buf_puts(o, ")");
		return true;
	case MAGI_ACT_KEY:
		magi_buf_puts(o, "hotkey(key=");
		uitars_keys(o, a->text);
		magi_buf_puts(o, ")");
		return true;
	case MAGI_ACT_SCROLL:
		magi_buf_puts(o, "scroll(");
		if (a->has_point) {
			uitars_point(o, v1, pt, a->x, a->y);
			magi_buf_puts(o, ", ");
		}
		magi_buf_printf(o, "direction='%s')", dir_names[a->dir]);
		return true;
	case MAGI_ACT_WAIT:
		magi_buf_puts(o, "wait()");
		return true;
	case MAGI_ACT_DONE:
	case MAGI_ACT_ANSWER:
		magi_buf_puts(o, "finished(content=");
		py_quoted(o, a->text);
		magi_buf_puts(o, ")");
		return true;
	case MAGI_ACT_OPEN_APP:
		magi_buf_puts(o, "open_app(app_name=");
		py_quoted(o, a->text);
		magi_buf_puts(o, ")");
		return true;
	case MAGI_ACT_HOME:
		magi_buf_puts(o, "press_home()");
		return true;
	case MAGI_ACT_BACK:
		magi_buf_puts(o, "press_back()");
		return true;
	case MAGI_ACT_ASK_USER:
		magi_buf_puts(o, "call_user()");
		return true;
	default:
		return false;
	}
}

/* A coordinate in JSON: an integer when whole, as the models write pixels and 0..1000. */
static json_t *jnum(double v)
{
	return v == floor(v) && fabs(v) < 1e9 ? json_integer((json_int_t)v) : json_real(v);
}

static json_t *jpoint(double x, double y)
{
	json_t *p = json_array();
	json_array_append_new(p, jnum(x));
	json_array_append_new(p, jnum(y));
	return p;
}

/* The Qwen family: {"name": "computer_use" | "mobile_use", "arguments": {...}}. */
static bool write_tool(bool mobile, const struct magi_action *a, struct magi_buf *o)
{
	json_t *args = json_object();
	const char *act = NULL;
	bool pt = a->has_point;
	switch (a->kind) {
	case MAGI_ACT_CLICK:
		act = mobile ? "click" : "left_click";
		break;
	case MAGI_ACT_DOUBLE_CLICK:
		act = "double_click";
		break;
	case MAGI_ACT_RIGHT_CLICK:
		act = "right_click";
		break;
	case MAGI_ACT_LONG_PRESS:
		act = "long_press";
		if (a->duration_ms > 0)
			json_object_set_new(args, "time", json_real(a->duration_ms / 1000.0));
		break;
	case MAGI_ACT_DRAG:
	case MAGI_ACT_SWIPE:
		if (!a->has_point || !a->has_point2)
			break;
		if (mobile) {
			act = "swipe";
			json_object_set_new(args, "coordinate2", jpoint(a->x2, a->y2));
		} else { /* computer_use drags from start_coordinate to coordinate */
			act = "left_click_drag";
			json_object_set_new(args, "start_coordinate", jpoint(a->x, a->y));
			json_object_set_new(args, "coordinate", jpoint(a->x2, a->y2));
			pt = false;
		}
		break;
	case MAGI_ACT_TYPE:
		act = "type";
		json_object_set_new(args, "text", json_string(a->text ? a->text : ""));
		break;
	case MAGI_ACT_KEY:
		act = "key";
		json_t *keys = json_array();
		char k[256];
		snprintf(k, sizeof k, "%s", a->text ? a->text : "");
		for (char *save = NULL, *t = strtok_r(k, "+", &save); t; t = strtok_r(NULL, "+", &save))
			json_array_append_new(keys, json_string(t));
		json_object_set_new(args, "keys", keys);
		break;
	case MAGI_ACT_SCROLL:
		act = a->dir == MAGI_SCROLL_LEFT || a->dir == MAGI_SCROLL_RIGHT ? "hscroll" : "scroll";
		if (mobile) {
			act = "scroll";
			json_object_set_new(args, "direction", json_string(dir_names[a->dir]));
		} else {
			int n = a->amount > 0 ? a->amount : 5;
			bool neg = a->dir == MAGI_SCROLL_DOWN || a->dir == MAGI_SCROLL_LEFT;
			json_object_set_new(args, "pixels", json_integer(neg ? -n : n));
		}
		break;
	case MAGI_ACT_WAIT:
		act = "wait";
		json_object_set_new(args, "time", json_real(a->duration_ms > 0 ? a->duration_ms / 1000.0 : 1.0));
		break;
	case MAGI_ACT_DONE:
		act = "terminate";
		json_object_set_new(args, "status", json_string(a->success ? "success" : "failure"));
		break;
	case MAGI_ACT_ANSWER:
		act = "answer";
		json_object_set_new(args, "text", json_string(a->text ? a->text : ""));
		break;
	case MAGI_ACT_OPEN_APP:
		act = "open";
		json_object_set_new(args, "text", json_string(a->text ? a->text : ""));
		break;
	case MAGI_ACT_BACK:
	case MAGI_ACT_HOME:
		act = "system_button";
		json_object_set_new(args, "button", json_string(a->kind == MAGI_ACT_BACK ? "Back" : "Home"));
		break;
	default:
		break;
	}
	bool needs_pt = a->kind == MAGI_ACT_CLICK || a->kind == MAGI_ACT_DOUBLE_CLICK ||
			a->kind == MAGI_ACT_RIGHT_CLICK || a->kind == MAGI_ACT_LONG_PRESS;
	if (!act || (needs_pt && !a->has_point)) {
		json_decref(args);
		return false;
	}
	/* the arguments in the order the models write them: the action, its point, the rest */
	json_t *ordered = json_pack("{s:s}", "action", act);
	if (pt)
		json_object_set_new(ordered, "coordinate", jpoint(a->x, a->y));
	json_object_update(ordered, args);
	json_decref(args);
	json_t *call = json_object();
	json_object_set_new(call, "name", json_string(mobile ? "mobile_use" : "computer_use"));
	json_object_set_new(call, "arguments", ordered);
	char *js = json_dumps(call, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(call);
	if (!js)
		return false;
	magi_buf_printf(o, "<tool_call>\n%s\n</tool_call>", js);
	free(js);
	return true;
}

bool magi__format_write_action(enum magi_format f, uint32_t caps, const struct magi_action *a, struct magi_buf *o)
{
	switch (magi__format_family(f)) {
	case MAGI__FAM_UITARS:
		return write_uitars(f == MAGI_FORMAT_UITARS1, a, o);
	case MAGI__FAM_TOOL:
		return write_tool(magi__format_mobile(caps), a, o);
	default:
		return false;
	}
}
