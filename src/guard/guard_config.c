/* guard_config.c — the guards' settings from a configuration file's `guards:` section:
 *
 *   guards:
 *     secrets:                      # the model sees <secret:NAME>; magi types the value
 *       DBPASS: {env: DB_PASSWORD}  # from the environment: the value stays out of the file
 *       PIN: "4921"
 *     allow_domains: [example.com, github.com]
 *     risk: {send: deny, payment: ask}
 *     reread: 48
 *
 * Every message names the file and the setting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "magi/guard.h"
#include "core/common.h"

#define ALLOW_MAX 64

void magi_guard_config_init(struct magi_guard_config *c)
{
	memset(c, 0, sizeof *c);
	magi_secret_list_init(&c->secrets);
	c->risk = magi_risk_policy_default();
	c->reread = MAGI_PII_REREAD_BUDGET;
}

void magi_guard_config_release(struct magi_guard_config *c)
{
	if (!c)
		return;
	magi_secret_list_release(&c->secrets);
	for (size_t i = 0; i < c->n_allow; i++)
		free(c->allow[i]);
	free(c->allow);
	c->allow = NULL;
	c->n_allow = 0;
}

static magi_status add_secret(struct magi_guard_config *c, const char *src, const char *name,
			      const json_t *v, struct magi_error *err)
{
	const char *value = NULL;
	if (json_is_string(v)) {
		value = json_string_value(v);
	} else if (json_is_object(v) && json_object_size(v) == 1 && json_is_string(json_object_get(v, "env"))) {
		const char *var = json_string_value(json_object_get(v, "env"));
		value = getenv(var);
		if (!value || !*value)
			return magi_error_set(err, MAGI_ERR_CONFIG,
					      "%s: guards.secrets.%.64s: the environment variable %.64s is not set",
					      src, name, var);
	} else {
		return magi_error_set(err, MAGI_ERR_CONFIG,
				      "%s: guards.secrets.%.64s must be a string or {env: VARIABLE}", src, name);
	}
	if (magi_secret_list_add_pair(&c->secrets, name, value, err)) {
		/* the message says what is wrong with the name or value; say where */
		char why[MAGI_ERRMSG_MAX];
		snprintf(why, sizeof why, "%s", err->msg);
		return magi_error_set(err, MAGI_ERR_CONFIG, "%s: guards.secrets.%.64s: %s", src, name, why);
	}
	return MAGI_OK;
}

static magi_status add_domain(struct magi_guard_config *c, const char *src, const json_t *v,
			      struct magi_error *err)
{
	if (!json_is_string(v) || !*json_string_value(v))
		return magi_error_set(err, MAGI_ERR_CONFIG,
				      "%s: guards.allow_domains must list domain names", src);
	if (c->n_allow == ALLOW_MAX)
		return magi_error_set(err, MAGI_ERR_LIMIT, "%s: guards.allow_domains: more than %d domains",
				      src, ALLOW_MAX);
	size_t cap = c->n_allow;
	if (!magi__grow(&c->allow, &cap, c->n_allow, sizeof *c->allow, 8))
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	if (!(c->allow[c->n_allow] = magi__strdup(json_string_value(v))))
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	c->n_allow++;
	return MAGI_OK;
}

magi_status magi_guard_config_parse(const char *json, const char *src, struct magi_guard_config *c,
				    struct magi_error *err)
{
	struct magi_error local;
	if (!err)
		err = &local;
	if (!src)
		src = "configuration";
	if (!json)
		return MAGI_OK;
	json_t *root = NULL;
	if (magi__json_parse(json, strlen(json), src, &root, err)) {
		err->status = MAGI_ERR_CONFIG;
		return MAGI_ERR_CONFIG;
	}
	magi_status s = MAGI_OK;
	if (!json_is_object(root)) {
		s = magi_error_set(err, MAGI_ERR_CONFIG, "%s: guards must be a mapping", src);
		goto out;
	}
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		if (!strcmp(key, "secrets")) {
			if (!json_is_object(v)) {
				s = magi_error_set(err, MAGI_ERR_CONFIG,
						   "%s: guards.secrets must map names to values", src);
				goto out;
			}
			const char *name;
			json_t *sv;
			json_object_foreach(v, name, sv) if ((s = add_secret(c, src, name, sv, err))) goto out;
		} else if (!strcmp(key, "allow_domains")) {
			if (json_is_array(v)) {
				size_t i;
				json_t *d;
				json_array_foreach(v, i, d) if ((s = add_domain(c, src, d, err))) goto out;
			} else if ((s = add_domain(c, src, v, err))) {
				goto out;
			}
		} else if (!strcmp(key, "risk")) {
			char *text = magi__json_dump(v, false);
			s = text ? magi_risk_policy_parse_json(text, strlen(text), &c->risk, err) : MAGI_ERR_NOMEM;
			free(text);
			if (s) {
				char why[MAGI_ERRMSG_MAX];
				snprintf(why, sizeof why, "%s", err->msg);
				s = magi_error_set(err, MAGI_ERR_CONFIG, "%s: guards.%s", src, why);
				goto out;
			}
		} else if (!strcmp(key, "reread")) {
			if (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) > 100000) {
				s = magi_error_set(err, MAGI_ERR_CONFIG,
						   "%s: guards.reread must be a whole number -1..100000", src);
				goto out;
			}
			c->reread = (int)json_integer_value(v);
		} else {
			s = magi_error_set(err, MAGI_ERR_CONFIG,
					   "%s: guards has an unknown setting '%.64s' (known: secrets, "
					   "allow_domains, risk, reread)",
					   src, key);
			goto out;
		}
	}
out:
	json_decref(root);
	return s;
}
