/* format.h — the agent layer's side of the models' trained formats (magi_format in
 * magi/model.h): their action spaces, reply-format instructions, tool definitions and
 * grounding prompts (format.c), and the readers of their replies (format_read.c). */
#ifndef MAGI_AGENT_FORMAT_H
#define MAGI_AGENT_FORMAT_H
#include <jansson.h>
#include "magi/model.h"

/* The families the formats fall in: how a reply is written. */
enum magi__family {
	MAGI__FAM_MAGI,	  /* "### Action ###" with a JSON action */
	MAGI__FAM_UITARS, /* Thought: / Action: name(key='value', ...) */
	MAGI__FAM_TOOL,	  /* <tool_call>{"name": "computer_use", "arguments": {...}}</tool_call> */
	MAGI__FAM_GROUND, /* a point or a box only */
};
enum magi__family magi__format_family(enum magi_format f);

/* A phone (back, home or open_app available): the formats' mobile action sets. */
bool magi__format_mobile(uint32_t caps);

/* {{actions}}: the action space in the format's own syntax, for an environment of caps. */
void magi__format_actions(enum magi_format f, uint32_t caps, struct magi_buf *o);
/* {{reply_format}}: how to write the reply, in the format's own syntax. */
void magi__format_reply_format(enum magi_format f, struct magi_buf *o);
/* The system message a format expects (the tool definition of the Qwen family, for a
 * model space of w x h); empty when it has none. */
void magi__format_system(enum magi_format f, uint32_t caps, uint32_t w, uint32_t h, struct magi_buf *o);
/* The template that asks the format's model where {{target}} is ("formats/os-atlas-ground"). */
const char *magi__format_ground_template(enum magi_format f);

/* Writes a (model-space) action as format f's model writes it, for an environment of caps
 * (format_write.c): UI-TARS calls, the Qwen family's <tool_call>. False, and nothing
 * written, for formats without a syntax of their own (magi's, the grounders) or an action
 * the format cannot express. The readers below read it back to the same action. */
bool magi__format_write_action(enum magi_format f, uint32_t caps, const struct magi_action *a, struct magi_buf *o);

/* Readers (format_read.c). A decision reply of format f into {"thought", "action" (the
 * canonical action JSON as text, model space), "operation", "ignored": [further actions,
 * as written], "read_as": how it was read}. MAGI_ERR_PARSE with a message for the model. */
magi_status magi__format_read_decision(enum magi_format f, const char *text, json_t **out, struct magi_error *err);
/* The first point (or box centre) of a grounding reply, in the model's space. */
magi_status magi__format_read_point(enum magi_format f, const char *text, double *x, double *y,
				    struct magi_error *err);

/* Shared by the readers (format_read.c, format_uitars.c). */
/* A point from text: two numbers (x, y), or four (a box: its centre). */
bool magi__fmt_point_from(const char *s, size_t n, double *x, double *y);
json_t *magi__fmt_act(const char *kind); /* {"action": kind} */
void magi__fmt_set_point(json_t *a, const char *kx, const char *ky, double x, double y);
/* "ctrl c", "Ctrl+C" -> "ctrl+c" (malloc'd) */
char *magi__fmt_key_combo(const char *s);
/* The Python-style escapes the formats ask for in text (\n, \t, \', \", \\), undone. */
char *magi__fmt_unescape(const char *s);
/* o's "action": a's compact text (a is consumed). */
magi_status magi__fmt_set_action(json_t *o, json_t *a);
/* A UI-TARS reply into o ("thought", "action", "ignored"). */
magi_status magi__format_read_uitars(const char *text, json_t *o, struct magi_error *err);
#endif
