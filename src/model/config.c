/* config.c — model configuration from magi.yaml and the environment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/json.h"
#include "core/yaml.h"
#include "magi/model.h"
#include "model/model_internal.h"
#include "core/common.h"

struct magi_config {
	json_t *root;   /* {"default": name, "models": {...}, "roles": {...}} after merging env */
	char *source;
	/* strings resolved from the environment live as long as the config */
	char **names;
	size_t n_names;
};

static const char *env2(const char *a, const char *b)
{
	const char *v = getenv(a);
	if (v && *v)
		return v;
	v = b ? getenv(b) : NULL;
	return v && *v ? v : NULL;
}

static magi_status validate(struct magi_config *cfg, const char *src, struct magi_error *err)
{
	/* a misspelt section would otherwise be ignored without a word */
	static const char *const sections[] = {"default", "models", "roles", "guards", "mcp", NULL};
	const char *sec;
	json_t *sv;
	json_object_foreach(cfg->root, sec, sv)
	{
		bool ok = false;
		for (int i = 0; sections[i]; i++)
			ok |= !strcmp(sec, sections[i]);
		if (!ok)
			return magi_error_set(err, MAGI_ERR_CONFIG,
					      "%s: unknown section '%.64s' (known: default, models, roles, guards, mcp)",
					      src, sec);
	}
	json_t *models = json_object_get(cfg->root, "models");
	if (models && !json_is_object(models))
		return magi_error_set(err, MAGI_ERR_CONFIG, "%s: 'models' must be a mapping of names to settings", src);
	static const char *const known[] = {"base_url", "model", "api_key", "api_key_env", "max_tokens",
					    "temperature", "timeout", "connect_timeout", "max_attempts",
					    "coords", "trust", "image", "reply_cap", "format", "extra_body",
					    "drop_params", NULL};
	const char *name;
	json_t *m;
	json_object_foreach(models, name, m)
	{
		if (!json_is_object(m))
			return magi_error_set(err, MAGI_ERR_CONFIG, "%s: model '%s' must be a mapping", src, name);
		const char *k;
		json_t *v;
		json_object_foreach(m, k, v)
		{
			bool ok = false;
			for (int i = 0; known[i]; i++)
				ok |= !strcmp(k, known[i]);
			if (!ok)
				return magi_error_set(err, MAGI_ERR_CONFIG,
						      "%s: model '%s' has an unknown setting '%s' (known: base_url, model, api_key, api_key_env, max_tokens, temperature, timeout, connect_timeout, max_attempts, coords, trust, image, reply_cap, format, extra_body, drop_params)",
						      src, name, k);
		}
		magi_status s = magi__config_model_extras_check(src, name, m, err);
		if (s)
			return s;
	}
	return MAGI_OK;
}

magi_status magi_config_load(const char *path, struct magi_config **out, struct magi_error *err)
{
	*out = NULL;
	struct magi_config *cfg = calloc(1, sizeof *cfg);
	if (!cfg)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	if (!path)
		path = getenv("MAGI_CONFIG");
	if (!path && access("magi.yaml", F_OK) == 0)
		path = "magi.yaml";
	magi_status s = MAGI_OK;
	if (path) {
		s = magi__yaml_load_file(path, &cfg->root, err);
		if (!s && !json_is_object(cfg->root))
			s = magi_error_set(err, MAGI_ERR_CONFIG, "%s: the top level must be a mapping", path);
		cfg->source = magi__strdup(path);
	} else {
		cfg->root = json_object();
		cfg->source = magi__strdup("environment");
	}
	if (!s)
		s = validate(cfg, cfg->source, err);
	if (s) {
		magi_config_free(cfg);
		return s;
	}
	json_t *models = json_object_get(cfg->root, "models");
	if (!models) {
		models = json_object();
		json_object_set_new(cfg->root, "models", models);
	}
	/* With no models configured, the environment makes one named "default". */
	if (json_object_size(models) == 0)
		json_object_set_new(models, "default", json_object());
	const char *name;
	json_t *m;
	cfg->names = calloc(json_object_size(models), sizeof *cfg->names);
	json_object_foreach(models, name, m) cfg->names[cfg->n_names++] = magi__strdup(name);
	const char *def = magi__json_str(cfg->root, "default", NULL);
	if (def && !json_object_get(models, def)) {
		magi_status st = magi_error_set(err, MAGI_ERR_CONFIG, "%s: default model '%s' is not defined under models",
						cfg->source, def);
		magi_config_free(cfg);
		return st;
	}
	json_t *roles = json_object_get(cfg->root, "roles");
	json_t *rv;
	const char *role;
	json_object_foreach(roles, role, rv)
	{
		if (!json_is_string(rv) || !json_object_get(models, json_string_value(rv))) {
			magi_status st = magi_error_set(err, MAGI_ERR_CONFIG,
							"%s: role '%s' names a model that is not defined under models",
							cfg->source, role);
			magi_config_free(cfg);
			return st;
		}
	}
	*out = cfg;
	return MAGI_OK;
}

void magi_config_free(struct magi_config *cfg)
{
	if (!cfg)
		return;
	json_decref(cfg->root);
	for (size_t i = 0; i < cfg->n_names; i++)
		free(cfg->names[i]);
	free(cfg->names);
	free(cfg->source);
	free(cfg);
}

size_t magi_config_model_count(const struct magi_config *cfg)
{
	return cfg->n_names;
}

const char *magi_config_model_name(const struct magi_config *cfg, size_t i)
{
	return i < cfg->n_names ? cfg->names[i] : NULL;
}

const char *magi_config_source(const struct magi_config *cfg)
{
	return cfg->source;
}

char *magi_config_section_json(const struct magi_config *cfg, const char *key)
{
	json_t *v = cfg && key ? json_object_get(cfg->root, key) : NULL;
	return v ? magi__json_dump(v, false) : NULL;
}

const char *magi_config_role_model(const struct magi_config *cfg, const char *role)
{
	return magi__json_str(json_object_get(cfg->root, "roles"), role, NULL);
}

magi_status magi_config_model(const struct magi_config *cfg, const char *name,
			      struct magi_model_params *p, struct magi_error *err)
{
	*p = magi_model_params_default();
	json_t *models = json_object_get(cfg->root, "models");
	if (!name)
		name = magi__json_str(cfg->root, "default", cfg->n_names ? cfg->names[0] : "default");
	const char *key;
	json_t *m = NULL, *v;
	/* Look the name up through cfg->names so the returned string lives in cfg. */
	json_object_foreach(models, key, v) if (!strcmp(key, name))
	{
		m = v;
		name = key;
	}
	if (!m) {
		struct magi_buf known;
		magi_buf_init(&known, 4096);
		for (size_t i = 0; i < cfg->n_names; i++)
			magi_buf_printf(&known, "%s%s", i ? ", " : "", cfg->names[i]);
		magi_status s = magi_error_set(err, MAGI_ERR_NOT_FOUND, "unknown model '%s' (configured in %s: %s)",
					       name, cfg->source, known.data);
		magi_buf_release(&known);
		return s;
	}
	p->name = name;
	p->base_url = magi__json_str(m, "base_url", env2("MAGI_BASE_URL", "OPENAI_BASE_URL"));
	p->model = magi__json_str(m, "model", env2("MAGI_MODEL", NULL));
	const char *kenv = magi__json_str(m, "api_key_env", NULL);
	p->api_key = magi__json_str(m, "api_key", kenv ? getenv(kenv) : env2("MAGI_API_KEY", "OPENAI_API_KEY"));
	p->max_tokens = (int)magi__json_int(m, "max_tokens", p->max_tokens);
	p->temperature = magi__json_num(m, "temperature", p->temperature);
	p->timeout_ms = magi__json_num(m, "timeout", p->timeout_ms / 1000) * 1000;
	p->connect_timeout_ms = magi__json_num(m, "connect_timeout", p->connect_timeout_ms / 1000) * 1000;
	p->max_attempts = (int)magi__json_int(m, "max_attempts", p->max_attempts);
	p->reply_cap = (size_t)magi__json_int(m, "reply_cap", (long)p->reply_cap);
	const char *coords = magi__json_str(m, "coords", NULL);
	if (coords && magi_coord_space_parse(coords, &p->coords))
		return magi_error_set(err, MAGI_ERR_CONFIG, "%s: model '%s': coords '%s' is not pixels, norm1000 or norm1",
				      cfg->source, name, coords);
	const char *trust = magi__json_str(m, "trust", NULL);
	if (trust) {
		if (!strcmp(trust, "local"))
			p->trust = MAGI_TRUST_LOCAL;
		else if (!strcmp(trust, "remote"))
			p->trust = MAGI_TRUST_REMOTE;
		else
			return magi_error_set(err, MAGI_ERR_CONFIG, "%s: model '%s': trust '%s' is not local or remote",
					      cfg->source, name, trust);
	}
	json_t *img = json_object_get(m, "image");
	if (img) {
		const char *pol = magi__json_str(img, "policy", NULL);
		if (pol && magi_image_policy_kind_parse(pol, &p->image.kind))
			return magi_error_set(err, MAGI_ERR_CONFIG, "%s: model '%s': image policy '%s' is not qwen, openai or none",
					      cfg->source, name, pol);
		p->image.max_pixels = (uint32_t)magi__json_int(img, "max_pixels", p->image.max_pixels);
		p->image.min_pixels = (uint32_t)magi__json_int(img, "min_pixels", p->image.min_pixels);
		p->image.jpeg_quality = (int)magi__json_int(img, "jpeg_quality", p->image.jpeg_quality);
		if (p->image.jpeg_quality < 1 || p->image.jpeg_quality > 100)
			return magi_error_set(err, MAGI_ERR_CONFIG, "%s: model '%s': jpeg_quality must be 1..100",
					      cfg->source, name);
	}
	if (p->max_tokens < 0 || p->timeout_ms <= 0 || p->max_attempts < 1 || p->max_attempts > 20)
		return magi_error_set(err, MAGI_ERR_CONFIG,
				      "%s: model '%s': max_tokens must be >= 0, timeout > 0 and max_attempts 1..20",
				      cfg->source, name);
	magi__config_model_extras_apply(m, p);
	return MAGI_OK;
}
