/* yaml.h — YAML files read with libyaml into jansson values (internal). Scalars become
 * JSON strings, except plain (unquoted) scalars that read as integers, reals, true/false
 * or null. Anchors, aliases and tags are rejected. */
#ifndef MAGI_YAML_H
#define MAGI_YAML_H
#include <jansson.h>
#include "magi/core.h"

/* Parses YAML text; `what` names the input in messages, which carry line and column. */
magi_status magi__yaml_parse(const char *text, size_t n, const char *what, json_t **out,
			     struct magi_error *err);
magi_status magi__yaml_load_file(const char *path, json_t **out, struct magi_error *err);
/* The same, also filling lines (an object, when not NULL) with the line (from 1) of every
 * mapping key, by its dotted path ("guards.secrets.PIN", "models.a.image.max_pixels";
 * sequence items by index: "guards.allow_domains.0" is not a key and is not listed). */
magi_status magi__yaml_parse_lines(const char *text, size_t n, const char *what, json_t **out, json_t *lines,
				   struct magi_error *err);
magi_status magi__yaml_load_file_lines(const char *path, json_t **out, json_t *lines, struct magi_error *err);
#endif
