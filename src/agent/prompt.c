/* prompt.c — template lookup and rendering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent/prompt.h"
#include "core/json.h"
#include "core/common.h"

struct magi__prompt_entry {
	const char *name;
	const char *text;
};
extern const struct magi__prompt_entry magi__prompt_table[]; /* generated from prompts/ */

magi_status magi__prompt_get(const char *dir, const char *name, char **text, struct magi_error *err)
{
	*text = NULL;
	if (dir) {
		struct magi_buf path, data;
		magi_buf_init(&path, 0);
		magi_buf_init(&data, 1u << 20);
		magi_buf_printf(&path, "%s/%s.txt", dir, name);
		if (access(path.data, F_OK) == 0) {
			magi_status s = magi_file_read(path.data, &data, err);
			magi_buf_release(&path);
			if (s) {
				magi_buf_release(&data);
				return s;
			}
			*text = magi_buf_detach(&data, NULL);
			return *text ? MAGI_OK : MAGI_ERR_NOMEM;
		}
		magi_buf_release(&path);
		magi_buf_release(&data);
	}
	for (const struct magi__prompt_entry *e = magi__prompt_table; e->name; e++)
		if (!strcmp(e->name, name)) {
			*text = magi__strdup(e->text);
			return *text ? MAGI_OK : MAGI_ERR_NOMEM;
		}
	return magi_error_set(err, MAGI_ERR_NOT_FOUND, "no prompt template '%s'%s%s", name,
			      dir ? " in " : "", dir ? dir : "");
}

static const json_t *lookup(const json_t *vars, const char *path, size_t n)
{
	const json_t *cur = vars;
	char key[128];
	while (n && cur) {
		const char *dot = memchr(path, '.', n);
		size_t kl = dot ? (size_t)(dot - path) : n;
		if (kl >= sizeof key)
			return NULL;
		memcpy(key, path, kl);
		key[kl] = '\0';
		cur = json_object_get(cur, key);
		if (!dot)
			break;
		n -= kl + 1;
		path = dot + 1;
	}
	return cur;
}

magi_status magi__template_render(const char *name, const char *tpl, const json_t *vars,
				  struct magi_buf *out, struct magi_error *err)
{
	const char *p = tpl;
	while (*p) {
		const char *open = strstr(p, "{{");
		if (!open) {
			magi_buf_puts(out, p);
			break;
		}
		magi_buf_append(out, p, (size_t)(open - p));
		const char *close = strstr(open + 2, "}}");
		if (!close)
			return magi_error_set(err, MAGI_ERR_INVALID, "template %s: '{{' without '}}'", name);
		const char *k = open + 2;
		while (*k == ' ')
			k++;
		size_t kn = (size_t)(close - k);
		while (kn && k[kn - 1] == ' ')
			kn--;
		const json_t *v = lookup(vars, k, kn);
		if (!v)
			return magi_error_set(err, MAGI_ERR_INVALID, "template %s: unknown variable {{%.*s}}", name,
					      (int)kn, k);
		if (json_is_string(v))
			magi_buf_append(out, json_string_value(v), json_string_length(v));
		else if (json_is_integer(v))
			magi_buf_printf(out, "%lld", (long long)json_integer_value(v));
		else if (json_is_real(v))
			magi_buf_printf(out, "%g", json_real_value(v));
		else if (json_is_boolean(v))
			magi_buf_puts(out, json_is_true(v) ? "true" : "false");
		else if (!json_is_null(v))
			magi__json_append(out, v);
		p = close + 2;
	}
	return out->max && out->len >= out->max ? MAGI_ERR_LIMIT : MAGI_OK;
}
