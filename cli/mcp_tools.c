/* mcp_tools.c — the MCP server's tool table: names (as Playwright MCP, mobile-mcp and
 * computer-use tools name theirs), input schemas, which tools an environment offers,
 * argument checks against the schemas (one checker for every tool, so a schema is the
 * whole contract) and the helpers tools build their results with. */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "mcp.h"

#define XY(what)                                                                                  \
	"\"x\":{\"type\":\"number\",\"minimum\":0,\"description\":\"" what                         \
	" x in screen pixels (the screenshot's pixels, from the left)\"},"                        \
	"\"y\":{\"type\":\"number\",\"minimum\":0,\"description\":\"" what                         \
	" y in screen pixels (from the top)\"}"
#define IMAGE_IN                                                                                  \
	"\"path\":{\"type\":\"string\",\"minLength\":1,\"description\":\"a PNG or JPEG file on the server's machine\"}," \
	"\"data\":{\"type\":\"string\",\"minLength\":1,\"description\":\"the image itself: base64 PNG or JPEG (a data: URL is accepted too)\"}"
#define VIDEO_PATH                                                                                \
	"\"path\":{\"type\":\"string\",\"minLength\":1,\"description\":\"a video file on the server's machine (MP4, MKV, WebM, ...)\"}"

/* The browser's tools (navigate, list_elements, click_element) have env_name "browser": they
 * are listed only when the server drives a browser. */
static const struct mcp_tool tools[] = {
	{"screenshot", "Take a screenshot",
	 "Captures the screen as an image. Personal data (e-mail addresses, phone and card "
	 "numbers, keys, ...) is covered with black boxes unless magi.yaml trusts this client "
	 "(mcp: {trust: local}). Coordinates for the other tools are pixels of this image.",
	 "{\"type\":\"object\",\"properties\":{"
	 "\"format\":{\"type\":\"string\",\"enum\":[\"png\",\"jpeg\"],\"description\":\"image format (default png)\"},"
	 "\"quality\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100,\"description\":\"JPEG quality (default 80)\"}},"
	 "\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN, 0, true, false, mcp_tool_screenshot, NULL},
	{"click", "Click",
	 "Clicks at a point of the screen. Risky targets (Delete, Pay, Send, ...) need the "
	 "person's confirmation, asked through the client; without it the click is refused.",
	 "{\"type\":\"object\",\"properties\":{" XY("target") ","
	 "\"button\":{\"type\":\"string\",\"enum\":[\"left\",\"right\"],\"description\":\"mouse button (default left)\"}},"
	 "\"required\":[\"x\",\"y\"],\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN | MCP_NEEDS_ACT, MAGI_ACT_CLICK, false, true, mcp_tool_act, NULL},
	{"double_click", "Double-click", "Double-clicks at a point of the screen (risk-gated like click).",
	 "{\"type\":\"object\",\"properties\":{" XY("target") "},"
	 "\"required\":[\"x\",\"y\"],\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN | MCP_NEEDS_ACT, MAGI_ACT_DOUBLE_CLICK, false, true, mcp_tool_act, NULL},
	{"type", "Type text",
	 "Types text into the focused field (after clicking x, y when given). \"<secret:NAME>\" "
	 "types the secret NAME configured in magi.yaml without it ever passing through the client.",
	 "{\"type\":\"object\",\"properties\":{"
	 "\"text\":{\"type\":\"string\",\"minLength\":1,\"description\":\"the text to type\"}," XY("field")
	 "},\"required\":[\"text\"],\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN | MCP_NEEDS_ACT, MAGI_ACT_TYPE, false, true, mcp_tool_act, NULL},
	{"key", "Press a key", "Presses a key or a combination, e.g. Return, Escape, ctrl+s, alt+F4.",
	 "{\"type\":\"object\",\"properties\":{"
	 "\"keys\":{\"type\":\"string\",\"minLength\":1,\"description\":\"key or combination: Return, ctrl+s, shift+Tab\"}},"
	 "\"required\":[\"keys\"],\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN | MCP_NEEDS_ACT, MAGI_ACT_KEY, false, true, mcp_tool_act, NULL},
	{"scroll", "Scroll", "Scrolls with the mouse wheel, at x, y when given.",
	 "{\"type\":\"object\",\"properties\":{"
	 "\"direction\":{\"type\":\"string\",\"enum\":[\"up\",\"down\",\"left\",\"right\"]},"
	 "\"amount\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":50,\"description\":\"wheel clicks (default 5)\"}," XY("pointer")
	 "},\"required\":[\"direction\"],\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN | MCP_NEEDS_ACT, MAGI_ACT_SCROLL, false, false, mcp_tool_act, NULL},
	{"drag", "Drag", "Drags with the left button held from (x, y) to (x2, y2).",
	 "{\"type\":\"object\",\"properties\":{" XY("start") ","
	 "\"x2\":{\"type\":\"number\",\"minimum\":0,\"description\":\"end x in screen pixels\"},"
	 "\"y2\":{\"type\":\"number\",\"minimum\":0,\"description\":\"end y in screen pixels\"}},"
	 "\"required\":[\"x\",\"y\",\"x2\",\"y2\"],\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN | MCP_NEEDS_ACT, MAGI_ACT_DRAG, false, true, mcp_tool_act, NULL},
	{"find_text", "Find text on the screen",
	 "OCR grounding: where is \"Save\"? Reads the screen and returns every place the text "
	 "appears (whole words, any case), with its box and centre in screen pixels — the centre "
	 "is what to click.",
	 "{\"type\":\"object\",\"properties\":{"
	 "\"text\":{\"type\":\"string\",\"minLength\":1,\"description\":\"the words to find\"},"
	 "\"partial\":{\"type\":\"boolean\",\"description\":\"match inside words too (default false)\"},"
	 "\"max\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":50,\"description\":\"most matches returned (default 10)\"}},"
	 "\"required\":[\"text\"],\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN, 0, true, false, mcp_tool_find_text, NULL},
	{"navigate", "Open a web address",
	 "Loads a URL in the browser's current tab. Outside the allowed domains (magi.yaml "
	 "guards: allow_domains) it needs the person's confirmation, and the browser blocks every "
	 "request there anyway.",
	 "{\"type\":\"object\",\"properties\":{"
	 "\"url\":{\"type\":\"string\",\"minLength\":1,\"description\":\"the address, e.g. https://example.com/\"}},"
	 "\"required\":[\"url\"],\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN | MCP_NEEDS_ACT, MAGI_ACT_NAVIGATE, false, false, mcp_tool_act, "browser"},
	{"list_elements", "List the page's elements",
	 "The page's links, buttons, fields and other interactive elements from its DOM and "
	 "accessibility tree (frames and shadow roots included), numbered for click_element, "
	 "with role, name, value and centre in screenshot pixels. Personal data in names and "
	 "values is replaced by labels ([email], [card], ...) unless this client is trusted; "
	 "text that reads as instructions to an agent is marked <untrusted>.",
	 "{\"type\":\"object\",\"properties\":{"
	 "\"max\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":2000,\"description\":\"most elements listed (default 200)\"}},"
	 "\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN, 0, true, false, mcp_tool_list_elements, "browser"},
	{"click_element", "Click an element by number",
	 "Clicks element N of list_elements (scrolled into view first). Risky targets (Pay, "
	 "Delete, Send, ...) need the person's confirmation like click.",
	 "{\"type\":\"object\",\"properties\":{"
	 "\"element\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"the element's number from list_elements\"}},"
	 "\"required\":[\"element\"],\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN | MCP_NEEDS_ACT, MAGI_ACT_CLICK_ELEMENT, false, true, mcp_tool_act, "browser"},
	{"guard_scan", "Find personal data in an image",
	 "Finds PII (e-mail, phone, card, IBAN, SSN, IP/MAC, API keys, passwords, configured "
	 "secrets) and instruction-like text (prompt injection) in an image; returns each finding's "
	 "type and box. Give path or data.",
	 "{\"type\":\"object\",\"properties\":{" IMAGE_IN "},\"additionalProperties\":false}",
	 0, 0, true, false, mcp_tool_guard_scan, NULL},
	{"guard_redact", "Redact personal data in an image",
	 "Returns the image with every PII finding covered by a solid black box. Give path or data.",
	 "{\"type\":\"object\",\"properties\":{" IMAGE_IN ","
	 "\"format\":{\"type\":\"string\",\"enum\":[\"png\",\"jpeg\"],\"description\":\"image format (default png)\"}},"
	 "\"additionalProperties\":false}",
	 0, 0, true, false, mcp_tool_guard_redact, NULL},
	{"video_info", "Video facts", "Duration, frame rate, size, codec and key-frame spacing of a video file.",
	 "{\"type\":\"object\",\"properties\":{" VIDEO_PATH "},\"required\":[\"path\"],\"additionalProperties\":false}",
	 0, 0, true, false, mcp_tool_video_info, NULL},
	{"video_frames", "Sample video frames",
	 "Frames sampled evenly over the video (or over start..end seconds), as images labelled "
	 "with their times.",
	 "{\"type\":\"object\",\"properties\":{" VIDEO_PATH ","
	 "\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":32,\"description\":\"frames (default 8)\"},"
	 "\"start\":{\"type\":\"number\",\"minimum\":0,\"description\":\"seconds (default 0)\"},"
	 "\"end\":{\"type\":\"number\",\"minimum\":0,\"description\":\"seconds (default: the end)\"},"
	 "\"resolution\":{\"type\":\"string\",\"enum\":[\"low\",\"medium\",\"native\"],\"description\":\"longest side 448, 896 px or native (default low)\"},"
	 "\"format\":{\"type\":\"string\",\"enum\":[\"jpeg\",\"png\"],\"description\":\"image format (default jpeg)\"}},"
	 "\"required\":[\"path\"],\"additionalProperties\":false}",
	 0, 0, true, false, mcp_tool_video_frames, NULL},
	{"video_ask", "Ask about a video",
	 "Answers a question about a video with magi's video agents (avp: plan, look, reflect "
	 "until the evidence suffices; uniform: one look at evenly spread frames). Returns the "
	 "answer, the evidence with its times and the run directory. Sends progress.",
	 "{\"type\":\"object\",\"properties\":{" VIDEO_PATH ","
	 "\"question\":{\"type\":\"string\",\"minLength\":1},"
	 "\"choices\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":2,\"maxItems\":26,"
	 "\"description\":\"multiple choice, lettered in order: [\\\"A) ...\\\", \\\"B) ...\\\"]\"},"
	 "\"recipe\":{\"type\":\"string\",\"enum\":[\"avp\",\"uniform\"],\"description\":\"default avp\"},"
	 "\"frames\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":256,\"description\":\"frames per look (default: the recipe's)\"}},"
	 "\"required\":[\"path\",\"question\"],\"additionalProperties\":false}",
	 MCP_NEEDS_MODEL, 0, true, false, mcp_tool_video_ask, NULL},
	{"run_task", "Run a task on the screen",
	 "Runs a whole magi agent recipe on the screen until the task is done (the configured "
	 "model looks and acts; every action passes the risk gate). Sends one progress "
	 "notification per step; returns the answer, why the run ended and the report's path.",
	 "{\"type\":\"object\",\"properties\":{"
	 "\"task\":{\"type\":\"string\",\"minLength\":1,\"description\":\"what to do, in plain words\"},"
	 "\"recipe\":{\"type\":\"string\",\"enum\":[\"single\",\"mobile-agent-v2\"],\"description\":\"default mobile-agent-v2\"},"
	 "\"max_steps\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100,\"description\":\"step budget (default 20)\"}},"
	 "\"required\":[\"task\"],\"additionalProperties\":false}",
	 MCP_NEEDS_SCREEN | MCP_NEEDS_ACT | MCP_NEEDS_MODEL, MAGI_ACT_CLICK, false, true,
	 mcp_tool_run_task, NULL},
};
#define N_TOOLS (sizeof tools / sizeof *tools)

static json_t *schemas[N_TOOLS];
static bool schemas_ok;
static pthread_once_t schemas_once = PTHREAD_ONCE_INIT;

static void load_schemas(void)
{
	schemas_ok = true;
	for (size_t i = 0; i < N_TOOLS; i++) {
		json_error_t je;
		schemas[i] = json_loads(tools[i].schema, 0, &je);
		if (!schemas[i]) {
			MAGI_WARN("mcp: tool %s: broken schema: %s", tools[i].name, je.text);
			schemas_ok = false;
		}
	}
}

bool mcp_tools_init(void)
{
	pthread_once(&schemas_once, load_schemas);
	return schemas_ok;
}

const struct mcp_tool *mcp_tool_find(const char *name)
{
	for (size_t i = 0; i < N_TOOLS; i++)
		if (!strcmp(tools[i].name, name))
			return &tools[i];
	return NULL;
}

bool mcp_tool_offered(struct mcp_server *s, const struct mcp_tool *t)
{
	const struct mcp_opts *o = mcp_server_opts(s);
	if ((t->needs & MCP_NEEDS_SCREEN) && !o->env)
		return false;
	if ((t->needs & MCP_NEEDS_ACT) && !(magi_env_caps(o->env) & MAGI_ACT_BIT(t->act)))
		return false;
	if ((t->needs & MCP_NEEDS_MODEL) && !o->client)
		return false;
	if (t->env_name && (!o->env || strcmp(magi_env_name(o->env), t->env_name)))
		return false;
	return true;
}

json_t *mcp_tools_list(struct mcp_server *s)
{
	json_t *list = json_array();
	for (size_t i = 0; i < N_TOOLS; i++) {
		const struct mcp_tool *t = &tools[i];
		if (!mcp_tool_offered(s, t))
			continue;
		json_array_append_new(
			list, json_pack("{s:s, s:s, s:s, s:O, s:{s:s, s:b, s:b, s:b}}", "name", t->name,
					"title", t->title, "description", t->description, "inputSchema",
					schemas[i], "annotations", "title", t->title, "readOnlyHint",
					t->read_only, "destructiveHint", t->destructive, "openWorldHint",
					(t->needs & MCP_NEEDS_MODEL) != 0));
	}
	return json_pack("{s:o}", "tools", list);
}

/* ---- argument checks ------------------------------------------------------------------ */

static const char *type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* The subset of JSON Schema the table uses: type, enum, minimum, maximum, minLength,
 * minItems, maxItems, items. */
static char *check_value(const char *tool, const char *key, json_t *sch, json_t *v)
{
	char *msg = NULL;
	const char *type = json_string_value(json_object_get(sch, "type"));
	bool ok = true;
	if (!strcmp(type, "number"))
		ok = json_is_number(v);
	else if (!strcmp(type, "integer"))
		ok = json_is_integer(v) ||
		     (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
		      fabs(json_real_value(v)) < 1e15);
	else if (!strcmp(type, "string"))
		ok = json_is_string(v);
	else if (!strcmp(type, "boolean"))
		ok = json_is_boolean(v);
	else if (!strcmp(type, "array"))
		ok = json_is_array(v);
	if (!ok) {
		if (asprintf(&msg, "%s: argument '%s' must be %s%s, not %s", tool, key,
			     !strcmp(type, "integer") ? "an " : "a ", type, type_name(v)) < 0)
			msg = NULL;
		return msg ? msg : strdup("bad argument");
	}
	json_t *en = json_object_get(sch, "enum");
	if (en) {
		size_t i;
		json_t *e;
		json_array_foreach(en, i, e) if (json_equal(e, v)) return NULL;
		char list[256] = "";
		json_array_foreach(en, i, e)
		{
			size_t l = strlen(list);
			snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", json_string_value(e));
		}
		if (asprintf(&msg, "%s: argument '%s' must be one of %s, not '%.60s'", tool, key, list,
			     json_is_string(v) ? json_string_value(v) : "?") < 0)
			msg = NULL;
		return msg ? msg : strdup("bad argument");
	}
	if (json_is_number(v)) {
		double d = json_number_value(v);
		json_t *lo = json_object_get(sch, "minimum"), *hi = json_object_get(sch, "maximum");
		if ((lo && d < json_number_value(lo)) || (hi && d > json_number_value(hi))) {
			char range[96];
			if (lo && hi)
				snprintf(range, sizeof range, "between %g and %g", json_number_value(lo),
					 json_number_value(hi));
			else
				snprintf(range, sizeof range, "at least %g", json_number_value(lo));
			if (asprintf(&msg, "%s: argument '%s' is %g; it must be %s", tool, key, d, range) < 0)
				msg = NULL;
			return msg ? msg : strdup("bad argument");
		}
	}
	json_t *ml = json_object_get(sch, "minLength");
	if (json_is_string(v) && ml && json_string_length(v) < (size_t)json_integer_value(ml)) {
		if (asprintf(&msg, "%s: argument '%s' must not be empty", tool, key) < 0)
			msg = NULL;
		return msg ? msg : strdup("bad argument");
	}
	if (json_is_array(v)) {
		json_t *mi = json_object_get(sch, "minItems"), *ma = json_object_get(sch, "maxItems");
		size_t n = json_array_size(v);
		if ((mi && n < (size_t)json_integer_value(mi)) || (ma && n > (size_t)json_integer_value(ma))) {
			if (asprintf(&msg, "%s: argument '%s' has %zu items; it needs %lld to %lld", tool, key,
				     n, (long long)json_integer_value(mi), (long long)json_integer_value(ma)) < 0)
				msg = NULL;
			return msg ? msg : strdup("bad argument");
		}
		json_t *items = json_object_get(sch, "items"), *e;
		size_t i;
		json_array_foreach(v, i, e)
		{
			char sub[80];
			snprintf(sub, sizeof sub, "%s[%zu]", key, i);
			if ((msg = check_value(tool, sub, items, e)))
				return msg;
		}
	}
	return NULL;
}

char *mcp_tool_check_args(const struct mcp_tool *t, json_t *args)
{
	json_t *sch = schemas[t - tools];
	json_t *props = json_object_get(sch, "properties");
	char *msg = NULL;
	const char *key;
	json_t *v;
	json_object_foreach(args, key, v)
	{
		json_t *ps = json_object_get(props, key);
		if (!ps) {
			char known[256] = "";
			const char *k;
			json_t *x;
			json_object_foreach(props, k, x)
			{
				size_t l = strlen(known);
				snprintf(known + l, sizeof known - l, "%s%s", l ? ", " : "", k);
			}
			if (asprintf(&msg, "%s: unknown argument '%.60s' (arguments: %s)", t->name, key,
				     known[0] ? known : "none") < 0)
				msg = NULL;
			return msg ? msg : strdup("bad argument");
		}
		if ((msg = check_value(t->name, key, ps, v)))
			return msg;
	}
	size_t i;
	json_array_foreach(json_object_get(sch, "required"), i, v)
	{
		if (!json_object_get(args, json_string_value(v))) {
			if (asprintf(&msg, "%s: argument '%s' is required", t->name, json_string_value(v)) < 0)
				msg = NULL;
			return msg ? msg : strdup("bad argument");
		}
	}
	return NULL;
}

/* ---- results --------------------------------------------------------------------------- */

json_t *mcp_json_str(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (j)
		return j;
	/* magi_json_quote replaces bad bytes; parsing its output gives the string back */
	struct magi_buf q;
	magi_buf_init(&q, MAGI_BUF_DEFAULT_MAX);
	if (!magi_json_quote(s, &q))
		j = json_loadb(q.data, q.len, JSON_DECODE_ANY, NULL);
	magi_buf_release(&q);
	return j ? j : json_string("(unprintable text)");
}

static void add_text(struct mcp_call *c, const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	json_array_append_new(c->content, json_pack("{s:s, s:o}", "type", "text", "text",
						    mcp_json_str(s ? s : "(out of memory)")));
	free(s);
}

void mcp_text(struct mcp_call *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_text(c, fmt, ap);
	va_end(ap);
}

void mcp_fail(struct mcp_call *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_text(c, fmt, ap);
	va_end(ap);
	c->is_error = true;
}

magi_status mcp_image(struct mcp_call *c, const struct magi_image *img, const char *format,
		      int quality, struct magi_error *err)
{
	bool png = !format || !strcmp(format, "png");
	struct magi_buf enc, b64;
	magi_buf_init(&enc, MAGI_BUF_DEFAULT_MAX);
	magi_buf_init(&b64, MAGI_BUF_DEFAULT_MAX);
	magi_status s = png ? magi_image_encode_png(img, &enc, err)
			    : magi_image_encode_jpeg(img, quality, &enc, err);
	if (!s)
		s = magi_base64_encode(enc.data, enc.len, &b64);
	if (!s) {
		/* base64 is ASCII: no UTF-8 check needed */
		json_t *data = json_stringn_nocheck(b64.data, b64.len);
		json_array_append_new(c->content, json_pack("{s:s, s:o, s:s}", "type", "image", "data",
							    data, "mimeType",
							    png ? "image/png" : "image/jpeg"));
	} else if (!err->msg[0]) {
		magi_error_set(err, s, "encoding the image: %s", magi_strerror(s));
	}
	magi_buf_release(&enc);
	magi_buf_release(&b64);
	return s;
}

/* ---- arguments ------------------------------------------------------------------------- */

const char *mcp_arg_str(struct mcp_call *c, const char *key, const char *def)
{
	const char *v = json_string_value(json_object_get(c->args, key));
	return v ? v : def;
}

double mcp_arg_num(struct mcp_call *c, const char *key, double def)
{
	json_t *v = json_object_get(c->args, key);
	return json_is_number(v) ? json_number_value(v) : def;
}

bool mcp_arg_has(struct mcp_call *c, const char *key)
{
	return json_object_get(c->args, key) != NULL;
}

bool mcp_arg_bool(struct mcp_call *c, const char *key, bool def)
{
	json_t *v = json_object_get(c->args, key);
	return json_is_boolean(v) ? json_is_true(v) : def;
}

magi_status mcp_arg_image(struct mcp_call *c, struct magi_image **out, struct magi_error *err)
{
	*out = NULL;
	const char *path = mcp_arg_str(c, "path", NULL);
	json_t *dv = json_object_get(c->args, "data");
	if (!path == !dv)
		return magi_error_set(err, MAGI_ERR_INVALID, "%s: give the image as path or as data (base64), one of them",
				      c->tool->name);
	if (path)
		return magi_image_load(path, out, err);
	const char *d = json_string_value(dv);
	size_t n = json_string_length(dv);
	const char *comma = strncmp(d, "data:", 5) ? NULL : memchr(d, ',', n);
	if (comma) { /* a data URL: the base64 follows the comma */
		n -= (size_t)(comma + 1 - d);
		d = comma + 1;
	}
	struct magi_buf raw;
	magi_buf_init(&raw, MCP_MESSAGE_MAX);
	magi_status s = magi_base64_decode(d, n, &raw);
	if (s)
		magi_error_set(err, s, "%s: argument 'data' is not base64 (want a base64 PNG or JPEG)",
			       c->tool->name);
	else
		s = magi_image_decode(raw.data, raw.len, "argument 'data'", out, err);
	magi_buf_release(&raw);
	return s;
}
