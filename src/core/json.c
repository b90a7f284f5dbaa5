/* json.c — jansson helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "core/common.h"

/* jansson has no depth limit of its own before 2.14's JSON_PARSER_MAX_DEPTH (2048);
 * hostile replies could nest deeply, so check brackets first (cheap, one pass). */
static bool depth_ok(const char *t, size_t n)
{
	int depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[') {
			if (++depth > MAGI_JSON_MAX_DEPTH)
				return false;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return true;
}

magi_status magi__json_parse(const char *text, size_t n, const char *what, json_t **out,
			     struct magi_error *err)
{
	*out = NULL;
	if (!depth_ok(text, n))
		return magi_error_set(err, MAGI_ERR_PARSE, "%s: JSON nested deeper than %d levels", what,
				      MAGI_JSON_MAX_DEPTH);
	json_error_t je;
	json_t *j = json_loadb(text, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!j)
		return magi_error_set(err, MAGI_ERR_PARSE, "%s: invalid JSON at line %d column %d: %s", what,
				      je.line, je.column, je.text);
	*out = j;
	return MAGI_OK;
}

magi_status magi__json_load_file(const char *path, json_t **out, struct magi_error *err)
{
	*out = NULL;
	struct magi_buf b;
	magi_buf_init(&b, 256u << 20);
	magi_status s = magi_file_read(path, &b, err);
	if (!s)
		s = magi__json_parse(b.data, b.len, path, out, err);
	magi_buf_release(&b);
	return s;
}

char *magi__json_dump(const json_t *j, bool sorted)
{
	return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | (sorted ? JSON_SORT_KEYS : 0));
}

magi_status magi__json_append(struct magi_buf *b, const json_t *j)
{
	char *s = magi__json_dump(j, false);
	if (!s)
		return MAGI_ERR_NOMEM;
	magi_status st = magi_buf_puts(b, s);
	free(s);
	return st;
}

const char *magi__json_str(const json_t *obj, const char *key, const char *def)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : def;
}

double magi__json_num(const json_t *obj, const char *key, double def)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_number(v) ? json_number_value(v) : def;
}

long magi__json_int(const json_t *obj, const char *key, long def)
{
	const json_t *v = json_object_get(obj, key);
	if (json_is_integer(v))
		return (long)json_integer_value(v);
	if (json_is_real(v))
		return (long)json_real_value(v);
	return def;
}

bool magi__json_bool(const json_t *obj, const char *key, bool def)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_boolean(v) ? json_is_true(v) : def;
}

magi_status magi__json_extract_object(const char *text, json_t **out, struct magi_error *err)
{
	*out = NULL;
	for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
		int depth = 0;
		bool in_str = false;
		const char *q = p;
		for (; *q; q++) {
			if (in_str) {
				if (*q == '\\' && q[1])
					q++;
				else if (*q == '"')
					in_str = false;
				continue;
			}
			if (*q == '"')
				in_str = true;
			else if (*q == '{')
				depth++;
			else if (*q == '}' && --depth == 0)
				break;
		}
		if (!*q)
			break;
		json_t *j = NULL;
		if (magi__json_parse(p, (size_t)(q - p + 1), "reply", &j, NULL) == MAGI_OK) {
			if (json_is_object(j)) {
				*out = j;
				return MAGI_OK;
			}
			json_decref(j);
		}
	}
	return magi_error_set(err, MAGI_ERR_PARSE, "no JSON object found in the reply");
}

magi_status magi_json_quote(const char *s, struct magi_buf *out)
{
	magi_status st = magi_buf_putc(out, '"');
	const unsigned char *p = (const unsigned char *)s;
	while (!st && *p) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			magi_buf_putc(out, '\\');
			st = magi_buf_putc(out, (char)c);
			p++;
		} else if (c < 0x20) {
			static const char esc[] = {'b', 't', 'n', 0, 'f', 'r'};
			if (c >= 8 && c <= 13 && esc[c - 8])
				st = magi_buf_printf(out, "\\%c", esc[c - 8]);
			else
				st = magi_buf_printf(out, "\\u%04x", c);
			p++;
		} else if (c < 0x80) {
			st = magi_buf_putc(out, (char)c);
			p++;
		} else {
			/* validate one UTF-8 sequence */
			int len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
			bool ok = len > 0 && !(c == 0xc0 || c == 0xc1 || c > 0xf4);
			for (int i = 1; ok && i < len; i++)
				ok = (p[i] & 0xc0) == 0x80;
			if (ok) {
				st = magi_buf_append(out, p, (size_t)len);
				p += len;
			} else {
				st = magi_buf_puts(out, "\xef\xbf\xbd");
				p++;
			}
		}
	}
	return st ? st : magi_buf_putc(out, '"');
}
