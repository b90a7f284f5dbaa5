/* fuzz_reply.c — model reply bodies: the chat-completions parser, the JSON-object
 * extractor, the action parser and the role parsers (sections, letter, tool call, the
 * lenient multiple-choice reading) must reject anything malformed without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "model/model_internal.h"
#include "agent/parse.h"
#include "magi/env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct magi_chat_result r;
	memset(&r, 0, sizeof r);
	struct magi_error err;
	magi__chat_parse_reply((const char *)data, size, &r, &err);
	magi_chat_result_release(&r);
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	json_t *j = NULL;
	if (magi__json_extract_object(text, &j, &err) == MAGI_OK)
		json_decref(j);
	struct magi_action a;
	if (magi_action_parse_json(text, size, &a, &err) == MAGI_OK) {
		struct magi_buf b;
		magi_buf_init(&b, 0);
		magi_action_to_json(&a, &b);
		magi_buf_release(&b);
		magi_action_release(&a);
	}
	static const char *const req[] = {"thought", "action", NULL};
	static const char *const choices[] = {"A) red", "B) a blue door", "C) a test card", "D) 12"};
	if (magi__parse_sections(text, req, &j, &err) == MAGI_OK)
		json_decref(j);
	if (magi__parse_tool_call(text, &j, &err) == MAGI_OK)
		json_decref(j);
	char letter;
	magi__parse_letter(text, "ABC", &letter, &err);
	magi__parse_choice(text, "ABCD", choices, 4, &letter);
	free(text);
	return 0;
}
