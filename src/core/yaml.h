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
#endif
