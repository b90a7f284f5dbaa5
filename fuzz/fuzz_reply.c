/* fuzz_reply.c — model reply bodies: the chat-completions parser, the JSON-object
 * extractor and the action parser must reject anything malformed without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "model/model_internal.h"
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
	free(text);
	return 0;
}
