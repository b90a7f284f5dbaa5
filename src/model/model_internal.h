/* model_internal.h — pieces shared by the model layer's files. */
#ifndef MAGI_MODEL_INTERNAL_H
#define MAGI_MODEL_INTERNAL_H
#include <jansson.h>
#include "magi/model.h"

/* Builds the request body for client params p; fills the estimates in res. Optional fields
 * (max_tokens, temperature, extra_body's) listed in skip (comma-separated, may be NULL) are
 * left out; the names of those that went in are listed in sent (may be NULL). */
magi_status magi__chat_build_body(struct magi_chat *chat, const struct magi_model_params *p,
				  const char *skip, struct magi_buf *sent, struct magi_buf *body,
				  struct magi_chat_result *res, struct magi_error *err);
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
/* The URL's host is this machine (localhost, 127.x, [::1]). */
bool magi__url_is_loopback(const char *url);
magi_status magi__base_url_check(const char *name, const char *url, struct magi_error *err);
/* ---- formats and request fields (format.c) ---- */
/* magi.yaml: checks a model's format, extra_body and drop_params (what names the file and
 * model, e.g. "magi.yaml: model 'm'"), keeping extra_body and drop_params as text. */
magi_status magi__config_model_extras_check(const char *src, const char *model, json_t *m,
					    struct magi_error *err);
/* Applies them to p after its other settings (a format's facts yield to the file's own
 * coords and image policy). */
void magi__config_model_extras_apply(const json_t *m, struct magi_model_params *p);
/* extra_body must be a mapping that sets no field magi writes itself. */
magi_status magi__extra_body_check(const char *what, const json_t *v, struct magi_error *err);
/* Whether the comma-separated list holds name (n bytes). */
bool magi__param_listed(const char *list, const char *name, size_t n);
/* Which of the n sent fields a 400 refuses: the error's "param", else one its message names
 * as a word; NULL when none. */
const char *magi__refused_field(const char *param, const char *message, const char *const *sent, size_t n);

/* A short, one-line preview of the chat's last user text (for messages). */
void magi__chat_preview(const struct magi_chat *chat, char *out, size_t n);
#endif
