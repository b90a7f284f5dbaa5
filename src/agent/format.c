/* format.c — what each trained format tells its model: the action space in its own syntax,
 * how to write the reply, the Qwen family's tool definitions (computer_use, mobile_use)
 * and which template asks it to locate an element. The action lines, tool names, action
 * enums and argument names are format facts taken from each model's card or repository
 * (docs/models.md cites them); the prose around them is magi's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/format.h"
#include "agent/agent_internal.h"
#include "core/json.h"
#include "core/common.h"

enum magi__family magi__format_family(enum magi_format f)
{
	switch (f) {
	case MAGI_FORMAT_UITARS:
	case MAGI_FORMAT_UITARS1:
		return MAGI__FAM_UITARS;
	case MAGI_FORMAT_QWEN25VL:
	case MAGI_FORMAT_QWEN3VL:
	case MAGI_FORMAT_GUIOWL:
		return MAGI__FAM_TOOL;
	case MAGI_FORMAT_OSATLAS:
	case MAGI_FORMAT_SEECLICK:
		return MAGI__FAM_GROUND;
	default:
		return MAGI__FAM_MAGI;
	}
}

bool magi__format_mobile(uint32_t caps)
{
	return caps & (MAGI_ACT_BIT(MAGI_ACT_BACK) | MAGI_ACT_BIT(MAGI_ACT_HOME) | MAGI_ACT_BIT(MAGI_ACT_OPEN_APP));
}

/* ---- UI-TARS ------------------------------------------------------------------------
 * The action spaces of the prompt templates UI-TARS was trained with: 1.5's COMPUTER_USE
 * and MOBILE_USE (bytedance/UI-TARS codes/ui_tars/prompt.py), 1.0's with start_box
 * (README_v1.md, as quoted by UI-TARS-desktop's prompts). */
static const char uitars_computer[] =
	"click(point='<point>x1 y1</point>')\n"
	"left_double(point='<point>x1 y1</point>')\n"
	"right_single(point='<point>x1 y1</point>')\n"
	"drag(start_point='<point>x1 y1</point>', end_point='<point>x2 y2</point>')\n"
	"hotkey(key='ctrl c') # Split keys with a space and use lowercase. Also, do not use more than 3 keys in one hotkey action.\n"
	"type(content='xxx') # Use escape characters \\', \\\", and \\n in content part to ensure we can parse the content in normal python string format. If you want to submit your input, use \\n at the end of content.\n"
	"scroll(point='<point>x1 y1</point>', direction='down or up or right or left') # Show more information on the `direction` side.\n"
	"wait() #Sleep for 5s and take a screenshot to check for any changes.\n"
	"finished(content='xxx') # Use escape characters \\', \\\", and \\n in content part to ensure we can parse the content in normal python string format.\n";
static const char uitars_mobile[] =
	"click(point='<point>x1 y1</point>')\n"
	"long_press(point='<point>x1 y1</point>')\n"
	"type(content='') #If you want to submit your input, use \"\\n\" at the end of `content`.\n"
	"scroll(point='<point>x1 y1</point>', direction='down or up or right or left')\n"
	"open_app(app_name='')\n"
	"drag(start_point='<point>x1 y1</point>', end_point='<point>x2 y2</point>')\n"
	"press_home()\n"
	"press_back()\n"
	"finished(content='xxx') # Use escape characters \\', \\\", and \\n in content part to ensure we can parse the content in normal python string format.\n";
static const char uitars1_computer[] =
	"click(start_box='<|box_start|>(x1,y1)<|box_end|>')\n"
	"left_double(start_box='<|box_start|>(x1,y1)<|box_end|>')\n"
	"right_single(start_box='<|box_start|>(x1,y1)<|box_end|>')\n"
	"drag(start_box='<|box_start|>(x1,y1)<|box_end|>', end_box='<|box_start|>(x3,y3)<|box_end|>')\n"
	"hotkey(key='')\n"
	"type(content='') #If you want to submit your input, use \"\\n\" at the end of `content`.\n"
	"scroll(start_box='<|box_start|>(x1,y1)<|box_end|>', direction='down or up or right or left')\n"
	"wait() #Sleep for 5s and take a screenshot to check for any changes.\n"
	"finished()\n"
	"call_user() # Submit the task and call the user when the task is unsolvable, or when you need the user's help.\n";
static const char uitars1_mobile[] =
	"click(start_box='<|box_start|>(x1,y1)<|box_end|>')\n"
	"long_press(start_box='<|box_start|>(x1,y1)<|box_end|>', time='')\n"
	"type(content='')\n"
	"drag(start_box='<|box_start|>(x1,y1)<|box_end|>', end_box='<|box_start|>(x3,y3)<|box_end|>')\n"
	"press_home()\n"
	"press_back()\n"
	"finished(content='') # Submit the task regardless of whether it succeeds or fails.\n";

/* ---- the Qwen family's tools ----------------------------------------------------------
 * computer_use and mobile_use as in the Qwen2.5-VL / Qwen3-VL cookbooks
 * (cookbooks/utils/agent_function_call.py) and GUI-Owl's AndroidWorld mobile_use (with
 * answer): names, the action enum and the argument names are the models'; only actions
 * magi can carry out on the environment are offered. */
struct tool_action {
	const char *name, *doc;
	uint32_t needs; /* any of these caps; 0: always */
	unsigned formats; /* bit per format; 0: every tool format */
};
#define FMT_BIT(f) (1u << MAGI_FORMAT_##f)
static const struct tool_action computer_actions[] = {
	{"key", "Press keys down in the order given, then release them in reverse order.", MAGI_ACT_BIT(MAGI_ACT_KEY), 0},
	{"type", "Type a string of text on the keyboard.", MAGI_ACT_BIT(MAGI_ACT_TYPE), 0},
	{"left_click", "Click the left mouse button at (x, y).", MAGI_ACT_BIT(MAGI_ACT_CLICK), 0},
	{"left_click_drag", "Press the left button at start_coordinate (x, y) and drag to coordinate (x, y).",
	 MAGI_ACT_BIT(MAGI_ACT_DRAG), 0},
	{"right_click", "Click the right mouse button at (x, y).", MAGI_ACT_BIT(MAGI_ACT_RIGHT_CLICK), 0},
	{"double_click", "Double-click the left mouse button at (x, y).", MAGI_ACT_BIT(MAGI_ACT_DOUBLE_CLICK), 0},
	{"scroll", "Turn the mouse wheel by `pixels` units (positive: up, negative: down), at coordinate if given.",
	 MAGI_ACT_BIT(MAGI_ACT_SCROLL), 0},
	{"hscroll", "Scroll sideways by `pixels` units (positive: right, negative: left).", MAGI_ACT_BIT(MAGI_ACT_SCROLL),
	 FMT_BIT(QWEN3VL)},
	{"wait", "Wait `time` seconds for the screen to change.", 0, 0},
	{"terminate", "End the task and report whether it succeeded.", 0, 0},
	{"answer", "Answer the user's question with `text` and end the task.", 0, FMT_BIT(QWEN3VL)},
};
static const struct tool_action mobile_actions[] = {
	{"key", "Press a key of the device (adb keyevent names).", MAGI_ACT_BIT(MAGI_ACT_KEY), 0},
	{"click", "Tap the point (x, y).", MAGI_ACT_BIT(MAGI_ACT_CLICK), 0},
	{"long_press", "Press the point (x, y) for `time` seconds.", MAGI_ACT_BIT(MAGI_ACT_LONG_PRESS), 0},
	{"swipe", "Swipe from coordinate (x, y) to coordinate2 (x2, y2).",
	 MAGI_ACT_BIT(MAGI_ACT_SWIPE) | MAGI_ACT_BIT(MAGI_ACT_DRAG), 0},
	{"type", "Type text into the focused input box.", MAGI_ACT_BIT(MAGI_ACT_TYPE), 0},
	{"system_button", "Press a system button: Back, Home, Menu or Enter.",
	 MAGI_ACT_BIT(MAGI_ACT_BACK) | MAGI_ACT_BIT(MAGI_ACT_HOME) | MAGI_ACT_BIT(MAGI_ACT_KEY), 0},
	{"open", "Open an app by its name.", MAGI_ACT_BIT(MAGI_ACT_OPEN_APP), 0},
	{"wait", "Wait `time` seconds for the screen to change.", 0, 0},
	{"answer", "Answer the user's question with `text`.", 0, FMT_BIT(GUIOWL) | FMT_BIT(QWEN3VL)},
	{"terminate", "End the task and report whether it succeeded.", 0, 0},
};

static bool offered(const struct tool_action *a, enum magi_format f, uint32_t caps)
{
	return (!a->needs || (caps & a->needs)) && (!a->formats || (a->formats & (1u << f)));
}

static json_t *prop(const char *type, const char *doc)
{
	return json_pack("{s:s, s:s}", "type", type, "description", doc);
}

/* The function definition as the model's chat template shows it. */
static json_t *tool_json(enum magi_format f, uint32_t caps, uint32_t w, uint32_t h)
{
	bool mobile = magi__format_mobile(caps);
	const struct tool_action *acts = mobile ? mobile_actions : computer_actions;
	size_t n = mobile ? MAGI_ARRAY_LEN(mobile_actions) : MAGI_ARRAY_LEN(computer_actions);
	struct magi_buf doc, desc;
	magi_buf_init(&doc, 0);
	magi_buf_init(&desc, 0);
	json_t *names = json_array();
	magi_buf_puts(&doc, "The action to perform. The available actions are:");
	for (size_t i = 0; i < n; i++) {
		if (!offered(&acts[i], f, caps))
			continue;
		json_array_append_new(names, json_string(acts[i].name));
		magi_buf_printf(&doc, "\n* `%s`: %s", acts[i].name, acts[i].doc);
	}
	if (mobile)
		magi_buf_puts(&desc, "Use a touchscreen to interact with a mobile device, and take screenshots.\n"
				     "* This is an interface to a mobile device with a touchscreen: you can tap, type, swipe and so on.\n");
	else
		magi_buf_puts(&desc, "Use a mouse and keyboard to interact with a computer, and take screenshots.\n"
				     "* This is an interface to a desktop GUI. You do not have a terminal or an application menu: "
				     "start applications from what the screen shows.\n");
	magi_buf_printf(&desc,
			"* Applications may take time to start or to respond: wait and look at the next screenshot.\n"
			"* The screen's resolution is %ux%u.\n"
			"* Click buttons, links and icons at the centre of the element, not on its edges.",
			w, h);
	json_t *props = json_object();
	json_object_set_new(props, "action", json_pack("{s:s, s:o, s:s}", "description", doc.data, "enum", names, "type", "string"));
	if (mobile) {
		json_object_set_new(props, "coordinate", prop("array", "(x, y): pixels from the left and top edges. Required by click, long_press and swipe."));
		json_object_set_new(props, "coordinate2", prop("array", "(x, y): where a swipe ends. Required only by swipe."));
		json_object_set_new(props, "text", prop("string", "Required only by key, type, open and answer."));
		json_object_set_new(props, "time", prop("number", "Seconds. Required only by long_press and wait."));
		json_object_set_new(props, "button", json_pack("{s:s, s:[s,s,s,s], s:s}", "description",
							  "Back returns to the previous screen, Home to the desktop, Menu opens the app menu, Enter presses enter. Required only by system_button.",
							  "enum", "Back", "Home", "Menu", "Enter", "type", "string"));
	} else {
		json_object_set_new(props, "keys", prop("array", "Required only by key."));
		json_object_set_new(props, "text", prop("string", "Required only by type and answer."));
		json_object_set_new(props, "coordinate", prop("array", "(x, y): pixels from the left and top edges, where to click, where a drag ends, where to scroll."));
		json_object_set_new(props, "start_coordinate", prop("array", "(x, y): where a left_click_drag starts."));
		json_object_set_new(props, "pixels", prop("number", "Units to scroll: positive up (or right), negative down (or left). Required only by scroll and hscroll."));
		json_object_set_new(props, "time", prop("number", "Seconds. Required only by wait."));
	}
	json_object_set_new(props, "status", json_pack("{s:s, s:s, s:[s,s]}", "description", "Required only by terminate.",
						       "type", "string", "enum", "success", "failure"));
	json_t *fn = json_pack("{s:s, s:s, s:s, s:{s:o, s:[s], s:s}}", "name_for_human", mobile ? "mobile_use" : "computer_use",
			       "name", mobile ? "mobile_use" : "computer_use", "description", desc.data, "parameters",
			       "properties", props, "required", "action", "type", "object");
	json_object_set_new(fn, "args_format", json_string("Format the arguments as a JSON object."));
	magi_buf_release(&doc);
	magi_buf_release(&desc);
	return json_pack("{s:s, s:o}", "type", "function", "function", fn);
}

/* The Nous function-call preamble Qwen2.5-VL and Qwen3-VL were trained with (their chat
 * template's tools section; qwen_agent nous_fncall_prompt). */
void magi__format_system(enum magi_format f, uint32_t caps, uint32_t w, uint32_t h, struct magi_buf *o)
{
	if (magi__format_family(f) != MAGI__FAM_TOOL)
		return;
	json_t *t = tool_json(f, caps, f == MAGI_FORMAT_QWEN3VL ? 1000 : w, f == MAGI_FORMAT_QWEN3VL ? 1000 : h);
	/* spaced separators, as the chat template writes it (json.dumps defaults) */
	char *js = json_dumps(t, JSON_PRESERVE_ORDER);
	json_decref(t);
	magi_buf_puts(o, "You are a helpful assistant.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
			 "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n");
	magi_buf_puts(o, js ? js : "{}");
	magi_buf_puts(o, "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
			 "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
	free(js);
}

void magi__format_actions(enum magi_format f, uint32_t caps, struct magi_buf *o)
{
	bool mobile = magi__format_mobile(caps);
	switch (f) {
	case MAGI_FORMAT_UITARS:
		magi_buf_puts(o, mobile ? uitars_mobile : uitars_computer);
		return;
	case MAGI_FORMAT_UITARS1:
		magi_buf_puts(o, mobile ? uitars1_mobile : uitars1_computer);
		return;
	default:
		break;
	}
	if (magi__format_family(f) != MAGI__FAM_TOOL)
		return;
	const struct tool_action *acts = mobile ? mobile_actions : computer_actions;
	size_t n = mobile ? MAGI_ARRAY_LEN(mobile_actions) : MAGI_ARRAY_LEN(computer_actions);
	magi_buf_printf(o, "Call the %s function defined in the system message. Its actions:\n",
			mobile ? "mobile_use" : "computer_use");
	for (size_t i = 0; i < n; i++)
		if (offered(&acts[i], f, caps))
			magi_buf_printf(o, "- %s: %s\n", acts[i].name, acts[i].doc);
}

void magi__format_reply_format(enum magi_format f, struct magi_buf *o)
{
	switch (magi__format_family(f)) {
	case MAGI__FAM_UITARS:
		magi_buf_puts(o, "Reply in exactly this format:\n```\nThought: ...\nAction: ...\n```\n"
				 "In Thought, write a small plan and finally say the next action and its target element in one "
				 "sentence. In Action, write ONE action from the action space above.");
		return;
	case MAGI__FAM_TOOL:
		if (f == MAGI_FORMAT_GUIOWL)
			magi_buf_puts(o, "Before answering, explain your reasoning step-by-step in <thinking></thinking> tags, and "
					 "insert them before the <tool_call></tool_call> XML tags.\nAfter answering, summarize your "
					 "action in <conclusion></conclusion> tags, and insert them after the <tool_call></tool_call> XML tags.\n");
		magi_buf_puts(o, "Make exactly ONE function call, written as\n<tool_call>\n{\"name\": <function-name>, "
				 "\"arguments\": <args-json-object>}\n</tool_call>");
		return;
	default:
		magi_buf_puts(o, "Reply in exactly this format:\n### Thought ###\nWhat you see, what the task still needs, and why "
				 "this action.\n### Action ###\nOne JSON object from the list above.\n### Operation ###\n"
				 "A one-sentence description of the action, e.g. \"Click the Cancel button\".");
		return;
	}
}

const char *magi__format_ground_template(enum magi_format f)
{
	switch (f) {
	case MAGI_FORMAT_UITARS:
		return "formats/uitars-ground";
	case MAGI_FORMAT_UITARS1:
		return "formats/uitars-1.0-ground";
	case MAGI_FORMAT_QWEN25VL:
	case MAGI_FORMAT_GUIOWL:
		return "formats/qwen-ground";
	case MAGI_FORMAT_QWEN3VL:
		return "formats/qwen3-ground";
	case MAGI_FORMAT_OSATLAS:
		return "formats/os-atlas-ground";
	case MAGI_FORMAT_SEECLICK:
		return "formats/seeclick-ground";
	default:
		return "formats/magi-ground";
	}
}
