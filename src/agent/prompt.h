/* prompt.h — prompt templates: compiled-in texts (prompts/<recipe>/<role>.txt), an
 * override directory, and {{var}} / {{board.key}} substitution. */
#ifndef MAGI_PROMPT_H
#define MAGI_PROMPT_H
#include <jansson.h>
#include "magi/core.h"

/* Finds template `name` ("recipe/role"): <dir>/<name>.txt when dir is given and the file
 * exists, else the compiled-in one. *text is malloc'd. */
magi_status magi__prompt_get(const char *dir, const char *name, char **text, struct magi_error *err);
/* Replaces each {{path}} (dots walk into objects: {{board.progress}}) with the value in
 * vars: strings as is, numbers and booleans printed, arrays/objects as compact JSON.
 * An unknown variable is MAGI_ERR_INVALID naming it and the template. */
magi_status magi__template_render(const char *name, const char *tpl, const json_t *vars,
				  struct magi_buf *out, struct magi_error *err);
#endif
