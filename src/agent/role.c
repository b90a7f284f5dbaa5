/* role.c — one role's turn: template, model call, parser, checks, repair retry. */
#include <stdlib.h>
#include <string.h>
#include "agent/agent_internal.h"
#include "agent/parse.h"
#include "agent/prompt.h"
#include "core/json.h"
#include "trace/trace_internal.h"
#include "core/common.h"

void magi__role_call_release(struct magi__role_call *rc)
{
	json_decref(rc->parsed);
	rc->parsed = NULL;
	free(rc->raw);
	rc->raw = NULL;
	magi_chat_free(rc->chat);
	rc->chat = NULL;
}

static magi_status parse_reply(struct magi__role_call *rc, const char *text, struct magi_error *err)
{
	json_t *o = NULL;
	magi_status s = MAGI_OK;
	switch (rc->parser) {
	case MAGI_PARSE_SECTIONS:
		s = magi__parse_sections(text, rc->sections, &o, err);
		break;
	case MAGI_PARSE_JSON:
		s = magi__json_extract_object(text, &o, err);
		if (s)
			magi_error_set(err, MAGI_ERR_PARSE, "reply with one JSON object ({...}) and nothing else");
		break;
	case MAGI_PARSE_LETTER: {
		char c;
		/* a letter may sit in an "### Answer ###" section; the letter parser finds it */
		if (!(s = magi__parse_letter(text, rc->letters, &c, err))) {
			char l[2] = {c, 0};
			o = json_object();
			json_object_set_new(o, "letter", json_string(l));
			json_t *sec = NULL;
			if (!magi__parse_sections(text, NULL, &sec, NULL)) {
				json_object_update_missing(o, sec);
				json_decref(sec);
			}
		}
		break;
	}
	case MAGI_PARSE_TOOL_CALL:
		s = magi__parse_tool_call(text, &o, err);
		break;
	case MAGI_PARSE_TEXT:
		o = json_pack("{s:s}", "text", text);
		break;
	}
	if (!s && rc->check)
		s = rc->check(rc->check_ud, o, err);
	if (s) {
		json_decref(o);
		return s;
	}
	rc->parsed = o;
	return MAGI_OK;
}

magi_status magi__role_run(struct magi__run *r, struct magi__role_call *rc, struct magi_error *err)
{
	const char *slash = strrchr(rc->name, '/');
	const char *role = slash ? slash + 1 : rc->name;
	struct magi_client *client = magi_team_client(r->team, role);
	const struct magi_model_params *mp = magi_client_params(client);
	char *tpl = NULL;
	magi_status s = magi__prompt_get(r->p.prompts_dir, rc->name, &tpl, err);
	if (s)
		return s;
	json_t *vars = rc->vars ? json_deep_copy(rc->vars) : json_object();
	json_object_set(vars, "board", r->board);
	struct magi_buf prompt;
	magi_buf_init(&prompt, 4u << 20);
	s = magi__template_render(rc->name, tpl, vars, &prompt, err);
	free(tpl);
	json_decref(vars);
	if (s) {
		magi_buf_release(&prompt);
		return s;
	}
	magi_chat_free(rc->chat);
	magi_chat_new(&rc->chat);
	for (int i = 0; i < rc->n_images; i++) {
		if (rc->image_labels[i])
			magi_chat_add_text(rc->chat, "user", rc->image_labels[i]);
		magi_chat_add_image(rc->chat, "user", rc->images[i]);
	}
	magi_chat_add_text(rc->chat, "user", prompt.data);
	magi_buf_release(&prompt);
	struct magi_error perr;
	magi_error_clear(&perr);
	for (int attempt = 0; attempt <= r->p.repair_attempts; attempt++) {
		struct magi_chat_result res;
		magi_client_chat(client, rc->chat, &res);
		r->calls++;
		if (res.prompt_tokens > 0)
			rc->prompt_tokens += res.prompt_tokens;
		else
			rc->prompt_tokens += res.est_text_tokens + res.est_image_tokens;
		if (res.completion_tokens > 0)
			rc->completion_tokens += res.completion_tokens;
		rc->latency_ms += res.latency_ms;
		r->step_model_ms += res.latency_ms;
		if (res.status == MAGI_OK) {
			magi_error_clear(&perr);
			s = parse_reply(rc, res.content, &perr);
		}
		json_t *extra = json_pack("{s:i, s:i}", "step", r->step, "attempt", attempt + 1);
		if (res.status == MAGI_OK && s)
			json_object_set_new(extra, "parse_error", json_string(perr.msg));
		if (r->trace)
			magi__trace_call_json(r->trace, role, mp->name, &res, extra, NULL);
		json_decref(extra);
		if (res.status) {
			s = magi_error_set(err, res.status, "%s", res.error ? res.error : "model call failed");
			magi_chat_result_release(&res);
			r->prompt_tokens += rc->prompt_tokens;
			r->completion_tokens += rc->completion_tokens;
			return s;
		}
		if (!s) {
			free(rc->raw);
			rc->raw = res.content;
			res.content = NULL;
			magi_chat_result_release(&res);
			r->prompt_tokens += rc->prompt_tokens;
			r->completion_tokens += rc->completion_tokens;
			return MAGI_OK;
		}
		MAGI_INFO("%s: unusable reply (%s)%s", rc->name, perr.msg,
			  attempt < r->p.repair_attempts ? "; asking again" : "");
		/* Show the model its own reply and what was wrong with it. */
		magi_chat_new_message(rc->chat, "assistant");
		magi_chat_add_text(rc->chat, "assistant", res.content);
		struct magi_buf fix;
		magi_buf_init(&fix, 0);
		magi_buf_printf(&fix, "Your previous reply could not be used: %s\nReply again in the required format.",
				perr.msg);
		magi_chat_new_message(rc->chat, "user");
		magi_chat_add_text(rc->chat, "user", fix.data);
		magi_buf_release(&fix);
		magi_chat_result_release(&res);
	}
	r->prompt_tokens += rc->prompt_tokens;
	r->completion_tokens += rc->completion_tokens;
	return magi_error_set(err, MAGI_ERR_MODEL, "model '%s' gave no usable %s reply in %d tries: %s", mp->name,
			      role, r->p.repair_attempts + 1, perr.msg);
}
