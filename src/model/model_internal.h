/* model_internal.h — pieces shared by the model layer's files. */
#ifndef MAGI_MODEL_INTERNAL_H
#define MAGI_MODEL_INTERNAL_H
#include <jansson.h>
#include "magi/model.h"

/* Builds the request body for client params p; fills the estimates in res. */
magi_status magi__chat_build_body(struct magi_chat *chat, const struct magi_model_params *p,
				  struct magi_buf *body, struct magi_chat_result *res,
				  struct magi_error *err);
/* Parses a chat-completions reply body into res (content, usage, finish_reason). */
magi_status magi__chat_parse_reply(const char *body, size_t n, struct magi_chat_result *res,
				   struct magi_error *err);

struct magi__cassette;
magi_status magi__cassette_open(const char *path, enum magi_cassette_mode mode,
				struct magi__cassette **out, struct magi_error *err);
void magi__cassette_free(struct magi__cassette *c);
enum magi_cassette_mode magi__cassette_mode(const struct magi__cassette *c);
/* Replay: looks up hash; on a hit fills res and returns MAGI_OK. */
magi_status magi__cassette_find(struct magi__cassette *c, const char *hash, const char *preview,
				struct magi_chat_result *res, struct magi_error *err);
/* Record: appends one answered request, written whole and synced; MAGI_ERR_IO (err names
 * the cassette and the OS error) when it did not reach the disk. */
magi_status magi__cassette_add(struct magi__cassette *c, const char *hash, const char *model,
			       const char *preview, const struct magi_chat_result *res, struct magi_error *err);

/* MAGI_OK when url is an http(s) URL curl can parse, with a host; else MAGI_ERR_CONFIG, err
 * naming model name and the URL (the check magi_client_new makes, and config load). */
magi_status magi__base_url_check(const char *name, const char *url, struct magi_error *err);

/* A short, one-line preview of the chat's last user text (for messages). */
void magi__chat_preview(const struct magi_chat *chat, char *out, size_t n);
#endif
