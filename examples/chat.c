/* chat.c — embedding libmagi: send a prompt (and optionally an image) to any
 * OpenAI-compatible server and print the answer.
 *
 * Build against an installed magi:
 *   cc -o chat examples/chat.c $(pkg-config --cflags --libs magi)
 * Run:
 *   MAGI_BASE_URL=http://127.0.0.1:8080/v1 ./chat "Describe this screen" shot.png
 */
#include <stdio.h>
#include <string.h>
#include <magi/magi.h>

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		printf("usage: %s PROMPT [IMAGE]\n(uses MAGI_BASE_URL / MAGI_API_KEY / MAGI_MODEL or magi.yaml)\n", argv[0]);
		return argc < 2 ? 2 : 0;
	}
	struct magi_error err;
	struct magi_config *cfg = NULL;
	if (magi_config_load(NULL, &cfg, &err) != MAGI_OK) {
		fprintf(stderr, "chat: %s\n", magi_error_text(&err));
		return 3;
	}
	struct magi_model_params p;
	struct magi_client *client = NULL;
	if (magi_config_model(cfg, NULL, &p, &err) != MAGI_OK || magi_client_new(&p, &client, &err) != MAGI_OK) {
		fprintf(stderr, "chat: %s\n", magi_error_text(&err));
		magi_config_free(cfg);
		return 3;
	}
	struct magi_image *img = NULL;
	if (argc > 2 && magi_image_load(argv[2], &img, &err) != MAGI_OK) {
		fprintf(stderr, "chat: %s\n", magi_error_text(&err));
		magi_client_free(client);
		magi_config_free(cfg);
		return 3;
	}
	struct magi_chat *chat = NULL;
	magi_chat_new(&chat);
	if (img)
		magi_chat_add_image(chat, "user", img);
	magi_chat_add_text(chat, "user", argv[1]);
	struct magi_chat_result res;
	int rc = 0;
	if (magi_client_chat(client, chat, &res) == MAGI_OK) {
		printf("%s\n", res.content);
		fprintf(stderr, "%d prompt + %d completion tokens, %.0f ms\n", res.prompt_tokens,
			res.completion_tokens, res.latency_ms);
	} else {
		fprintf(stderr, "chat: %s\n", res.error);
		rc = 1;
	}
	magi_chat_result_release(&res);
	magi_chat_free(chat);
	magi_image_free(img);
	magi_client_free(client);
	magi_config_free(cfg);
	return rc;
}
