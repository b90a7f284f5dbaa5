/* secret.c — the user's secrets: a list of NAME=VALUE the model only ever sees as
 * "<secret:NAME>", and the expansion the runtime uses to type them. */
#include <stdlib.h>
#include <string.h>
#include "guard/guard_internal.h"
#include "core/common.h"

void magi_secret_list_init(struct magi_secret_list *l)
{
	if (l) {
		l->items = NULL;
		l->n = 0;
	}
}

/* Overwrites through a volatile pointer so the wipe is not optimised away. */
static void wipe(char *s)
{
	if (!s)
		return;
	volatile char *v = s;
	while (*v)
		*v++ = 0;
}

void magi_secret_list_release(struct magi_secret_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		wipe(l->items[i].value);
		free(l->items[i].value);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static bool name_char(unsigned char c)
{
	return magi__is_alnum(c) || c == '_' || c == '.' || c == '-';
}

const struct magi_secret *magi_secret_list_find(const struct magi_secret_list *l,
						const char *name)
{
	if (!l || !name)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return &l->items[i];
	return NULL;
}

magi_status magi_secret_list_add_pair(struct magi_secret_list *l, const char *name,
				      const char *value, struct magi_error *err)
{
	if (!l || !name || !value)
		return magi_error_set(err, MAGI_ERR_INVALID, "secret: missing name or value");
	size_t nl = strlen(name);
	if (nl == 0 || nl > 64)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "secret: the name must be 1 to 64 characters of A-Z a-z 0-9 _ . -");
	for (size_t i = 0; i < nl; i++)
		if (!name_char((unsigned char)name[i]))
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "secret '%.64s': names use only A-Z a-z 0-9 _ . -", name);
	size_t vl = strlen(value);
	if (vl == 0)
		return magi_error_set(err, MAGI_ERR_INVALID, "secret '%s': the value is empty", name);
	if (vl > MAGI_SECRET_MAX_VALUE)
		return magi_error_set(err, MAGI_ERR_LIMIT,
				      "secret '%s': the value is longer than %d bytes", name,
				      MAGI_SECRET_MAX_VALUE);
	if (magi_secret_list_find(l, name))
		return magi_error_set(err, MAGI_ERR_INVALID, "secret '%s' is given twice", name);
	if (l->n >= MAGI_SECRETS_MAX)
		return magi_error_set(err, MAGI_ERR_LIMIT, "more than %d secrets", MAGI_SECRETS_MAX);
	struct magi_secret *items = realloc(l->items, (l->n + 1) * sizeof *items);
	if (!items)
		return magi_error_set(err, MAGI_ERR_NOMEM, "out of memory adding a secret");
	l->items = items;
	char *n = magi__strdup(name), *v = magi__strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return magi_error_set(err, MAGI_ERR_NOMEM, "out of memory adding a secret");
	}
	l->items[l->n].name = n;
	l->items[l->n].value = v;
	l->n++;
	return MAGI_OK;
}

magi_status magi_secret_list_add(struct magi_secret_list *l, const char *spec,
				 struct magi_error *err)
{
	if (!l || !spec)
		return magi_error_set(err, MAGI_ERR_INVALID, "secret: missing NAME=VALUE");
	const char *eq = strchr(spec, '=');
	if (!eq)
		/* never echo the spec: it may be the value itself */
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "secret: expected NAME=VALUE (no '=' found)");
	char name[80];
	size_t nl = (size_t)(eq - spec);
	if (nl == 0 || nl >= sizeof name)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "secret: the name before '=' must be 1 to 64 characters");
	memcpy(name, spec, nl);
	name[nl] = '\0';
	return magi_secret_list_add_pair(l, name, eq + 1, err);
}

magi_status magi_secret_expand(const struct magi_secret_list *l, const char *text,
			       struct magi_buf *out, struct magi_error *err)
{
	if (!text || !out)
		return magi_error_set(err, MAGI_ERR_INVALID, "secret expand: missing text");
	static const char open[] = "<secret:";
	const size_t ol = sizeof open - 1;
	const char *p = text;
	magi_status st = MAGI_OK;
	while (*p && !st) {
		const char *at = strstr(p, open);
		if (!at) {
			st = magi_buf_puts(out, p);
			break;
		}
		const char *close = strchr(at + ol, '>');
		if (!close) {
			st = magi_buf_puts(out, p);
			break;
		}
		char name[80];
		size_t nl = (size_t)(close - (at + ol));
		if (nl == 0 || nl >= sizeof name) {
			/* not a placeholder: copy through the '<' and go on */
			st = magi_buf_append(out, p, (size_t)(at - p) + 1);
			p = at + 1;
			continue;
		}
		memcpy(name, at + ol, nl);
		name[nl] = '\0';
		const struct magi_secret *s = magi_secret_list_find(l, name);
		if (!s) {
			magi_buf_release(out);
			return magi_error_set(err, MAGI_ERR_NOT_FOUND,
					      "no secret named '%s' (give it with --secret %s=VALUE)",
					      name, name);
		}
		st = magi_buf_append(out, p, (size_t)(at - p));
		if (!st)
			st = magi_buf_puts(out, s->value);
		p = close + 1;
	}
	if (st) {
		magi_buf_release(out);
		return magi_error_set(err, st, "secret expand: %s", magi_strerror(st));
	}
	return MAGI_OK;
}
