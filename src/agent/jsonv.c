/* jsonv.c — the recipe API's JSON values (magi/recipe.h): a struct magi_json is a jansson
 * value behind an opaque name, so recipes read replies and the board, and build trace
 * events, without jansson types in public headers. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "agent/agent_internal.h"
#include "core/json.h"
#include "core/common.h"

#define J(x) ((json_t *)(x))

const struct magi_json *magi_json_get(const struct magi_json *j, const char *path)
{
	const json_t *cur = (const json_t *)j;
	if (!path)
		return j;
	const char *p = path;
	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (json_is_array(cur)) {
			size_t idx = 0;
			if (!n)
				return NULL;
			for (size_t k = 0; k < n; k++) {
				if (!isdigit((unsigned char)p[k]) || idx > (SIZE_MAX - 9) / 10)
					return NULL;
				idx = idx * 10 + (size_t)(p[k] - '0');
			}
			cur = json_array_get(cur, idx);
		} else if (json_is_object(cur)) {
			cur = json_object_getn(cur, p, n);
		} else {
			return NULL;
		}
		if (!dot)
			break;
		p = dot + 1;
	}
	return (const struct magi_json *)cur;
}

enum magi_json_type magi_json_type_at(const struct magi_json *j, const char *path)
{
	const json_t *v = J(magi_json_get(j, path));
	if (json_is_boolean(v))
		return MAGI_JSON_BOOL;
	if (json_is_number(v))
		return MAGI_JSON_NUMBER;
	if (json_is_string(v))
		return MAGI_JSON_STRING;
	if (json_is_array(v))
		return MAGI_JSON_ARRAY;
	if (json_is_object(v))
		return MAGI_JSON_OBJECT;
	return MAGI_JSON_NULL;
}

const char *magi_json_str(const struct magi_json *j, const char *path, const char *def)
{
	const json_t *v = J(magi_json_get(j, path));
	return json_is_string(v) ? json_string_value(v) : def;
}

double magi__json_number_any(const json_t *j)
{
	if (json_is_number(j))
		return json_number_value(j);
	if (json_is_string(j)) {
		double d;
		char tmp[64];
		snprintf(tmp, sizeof tmp, "%s", json_string_value(j));
		char *e = tmp + strlen(tmp);
		while (e > tmp && (isspace((unsigned char)e[-1]) || e[-1] == '%'))
			*--e = '\0';
		char *s = tmp;
		while (isspace((unsigned char)*s))
			s++;
		if (magi__parse_double(s, &d))
			return d;
	}
	return NAN;
}

double magi_json_num(const struct magi_json *j, const char *path, double def)
{
	double d = magi__json_number_any(J(magi_json_get(j, path)));
	return isnan(d) ? def : d;
}

bool magi_json_bool(const struct magi_json *j, const char *path, bool def)
{
	const json_t *v = J(magi_json_get(j, path));
	return json_is_boolean(v) ? json_is_true(v) : def;
}

double magi__json_seconds(const json_t *j)
{
	if (json_is_number(j))
		return json_number_value(j);
	if (!json_is_string(j))
		return NAN;
	const char *s = json_string_value(j);
	while (isspace((unsigned char)*s))
		s++;
	/* "HH:MM:SS(.s)" or "MM:SS": fields split at ':' */
	if (strchr(s, ':')) {
		double parts[3];
		int np = 0;
		const char *p = s;
		while (np < 3) {
			char *end;
			double d = strtod(p, &end);
			if (end == p || !(d >= 0))
				return NAN;
			parts[np++] = d;
			if (*end != ':')
				break;
			p = end + 1;
		}
		if (np < 2)
			return NAN;
		return np == 3 ? parts[0] * 3600 + parts[1] * 60 + parts[2] : parts[0] * 60 + parts[1];
	}
	char *end;
	double d = strtod(s, &end);
	if (end == s)
		return NAN;
	while (isspace((unsigned char)*end))
		end++;
	if (*end && strcmp(end, "s") && strcmp(end, "sec") && strcmp(end, "seconds"))
		return NAN;
	return d;
}

double magi_json_seconds(const struct magi_json *j, const char *path, double def)
{
	double d = magi__json_seconds(J(magi_json_get(j, path)));
	return isfinite(d) ? d : def;
}

size_t magi_json_len(const struct magi_json *j, const char *path)
{
	const json_t *v = J(magi_json_get(j, path));
	return json_is_array(v) ? json_array_size(v) : json_is_object(v) ? json_object_size(v) : 0;
}

const char *magi_json_key(const struct magi_json *j, size_t i)
{
	const json_t *o = (const json_t *)j;
	if (!json_is_object(o))
		return NULL;
	const char *k;
	json_t *v;
	size_t n = 0;
	json_object_foreach((json_t *)o, k, v)
	{
		if (n++ == i)
			return k;
	}
	return NULL;
}

char *magi_json_text(const struct magi_json *j, const char *path)
{
	const json_t *v = J(magi_json_get(j, path));
	return v ? magi__json_dump(v, false) : NULL;
}

magi_status magi_json_parse(const char *text, struct magi_json **out, struct magi_error *err)
{
	*out = NULL;
	if (!text)
		return magi_error_set(err, MAGI_ERR_INVALID, "no JSON text given");
	json_t *j = NULL;
	magi_status s = magi__json_parse(text, strlen(text), "JSON text", &j, err);
	if (!s)
		*out = (struct magi_json *)j;
	return s;
}

struct magi_json *magi_json_object(void)
{
	return (struct magi_json *)json_object();
}

struct magi_json *magi_json_array(void)
{
	return (struct magi_json *)json_array();
}

struct magi_json *magi_json_copy(const struct magi_json *j)
{
	return j ? (struct magi_json *)json_deep_copy((const json_t *)j) : NULL;
}

void magi_json_free(struct magi_json *j)
{
	json_decref(J(j));
}

magi_status magi_json_set(struct magi_json *o, const char *key, struct magi_json *v)
{
	if (!json_is_object(J(o)) || !key) {
		json_decref(J(v));
		return MAGI_ERR_INVALID;
	}
	if (!v)
		return MAGI_ERR_NOMEM;
	return json_object_set_new(J(o), key, J(v)) ? MAGI_ERR_NOMEM : MAGI_OK;
}

magi_status magi_json_set_str(struct magi_json *o, const char *key, const char *s)
{
	return magi_json_set(o, key, (struct magi_json *)(s ? json_string(s) : json_null()));
}

magi_status magi_json_set_num(struct magi_json *o, const char *key, double v)
{
	return magi_json_set(o, key, (struct magi_json *)(isfinite(v) ? json_real(v) : json_null()));
}


magi_status magi_json_set_int(struct magi_json *o, const char *key, long long v)
{
	return magi_json_set(o, key, (struct magi_json *)json_integer((json_int_t)v));
}

magi_status magi_json_set_bool(struct magi_json *o, const char *key, bool v)
{
	return magi_json_set(o, key, (struct magi_json *)json_boolean(v));
}

magi_status magi_json_push(struct magi_json *a, struct magi_json *v)
{
	if (!json_is_array(J(a))) {
		json_decref(J(v));
		return MAGI_ERR_INVALID;
	}
	if (!v)
		return MAGI_ERR_NOMEM;
	return json_array_append_new(J(a), J(v)) ? MAGI_ERR_NOMEM : MAGI_OK;
}

magi_status magi_json_push_num(struct magi_json *a, double v)
{
	/* whole numbers stay integers in the text ("chosen": [3], not [3.0]) */
	json_t *x = v == floor(v) && fabs(v) < 9e15 ? json_integer((json_int_t)v) : json_real(v);
	return magi_json_push(a, (struct magi_json *)(isfinite(v) ? x : (json_decref(x), json_null())));
}

magi_status magi_json_push_str(struct magi_json *a, const char *s)
{
	return magi_json_push(a, (struct magi_json *)(s ? json_string(s) : json_null()));
}
