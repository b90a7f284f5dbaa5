/* json.h — jansson helpers shared by the layers (internal; jansson never reaches
 * include/magi). */
#ifndef MAGI_JSON_H
#define MAGI_JSON_H
#include <jansson.h>
#include "magi/core.h"

#define MAGI_JSON_MAX_DEPTH 64

/* Parses text (n bytes) into *out; on failure the message names `what` (a file name or
 * "model reply") with line and column. Rejects nesting deeper than MAGI_JSON_MAX_DEPTH. */
magi_status magi__json_parse(const char *text, size_t n, const char *what, json_t **out,
			     struct magi_error *err);
/* Reads and parses a JSON file. */
magi_status magi__json_load_file(const char *path, json_t **out, struct magi_error *err);
/* Serializes compactly (sorted keys when `sorted`) into a malloc'd string; NULL on OOM. */
char *magi__json_dump(const json_t *j, bool sorted);
/* Appends the compact serialization of j to b. */
magi_status magi__json_append(struct magi_buf *b, const json_t *j);
/* Typed getters with defaults; return the default when the key is missing or mistyped. */
const char *magi__json_str(const json_t *obj, const char *key, const char *def);
double magi__json_num(const json_t *obj, const char *key, double def);
long magi__json_int(const json_t *obj, const char *key, long def);
bool magi__json_bool(const json_t *obj, const char *key, bool def);
/* Finds the first balanced {...} object in text (skipping prose and ``` fences) and
 * parses it. MAGI_ERR_PARSE with a message when none parses. */
magi_status magi__json_extract_object(const char *text, json_t **out, struct magi_error *err);
#endif
