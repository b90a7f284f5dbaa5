/* config.c — model configuration from magi.yaml and the environment. */
#include <math.h>
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
	json_t *lines; /* {"guards.risk": 12, ...}: each key's line in the file */
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

static magi_status config_model(const struct magi_config *cfg, const char *name, struct magi_model_params *p,
				bool loading, struct magi_error *err);

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
					    "coords", "trust", "image", "reply_cap", "vision", "format", "extra_body",
					    "drop_params",
					    "price", /* USD per million tokens, read by magi eval (src/eval/price.c) */
					    NULL};
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
						      "%s: model '%s' has an unknown setting '%s' (known: base_url, model, api_key, api_key_env, max_tokens, temperature, timeout, connect_timeout, max_attempts, coords, trust, image, reply_cap, vision, format, extra_body, drop_params, price)",
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
		cfg->lines = json_object();
		s = magi__yaml_load_file_lines(path, &cfg->root, cfg->lines, err);
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
	json_t *defv = json_object_get(cfg->root, "default");
	if (defv && !json_is_string(defv)) {
		magi_status st = magi_error_set(err, MAGI_ERR_CONFIG, "%s: default must be the name of a model under models",
						cfg->source);
		magi_config_free(cfg);
		return st;
	}
	const char *def = magi__json_str(cfg->root, "default", NULL);
	if (def && !json_object_get(models, def)) {
		magi_status st = magi_error_set(err, MAGI_ERR_CONFIG, "%s: default model '%s' is not defined under models",
						cfg->source, def);
		magi_config_free(cfg);
		return st;
	}
	json_t *roles = json_object_get(cfg->root, "roles");
	if (roles && !json_is_object(roles)) {
		magi_status st = magi_error_set(err, MAGI_ERR_CONFIG, "%s: roles must be a mapping of role names to model names",
						cfg->source);
		magi_config_free(cfg);
		return st;
	}
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
	/* every model's settings are checked now, so a wrong type anywhere in the file is
	 * reported at once, whichever model a command uses */
	for (size_t i = 0; i < cfg->n_names; i++) {
		struct magi_model_params p;
		magi_status st = config_model(cfg, cfg->names[i], &p, true, err);
		if (st) {
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
	json_decref(cfg->lines);
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

int magi_config_line(const struct magi_config *cfg, const char *path)
{
	json_t *v = cfg && path ? json_object_get(cfg->lines, path) : NULL;
	return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

const char *magi_config_role_model(const struct magi_config *cfg, const char *role)
{
	return magi__json_str(json_object_get(cfg->root, "roles"), role, NULL);
}

/* ---- typed settings -------------------------------------------------------------------
 * A value of the wrong type or out of range is an error naming the file, the model, the key
 * and what is expected, never a silent default ("max_pixels: lots", "-1" wrapping to
 * 4294967295, "1e99", "image: lots", "base_url: 12"). An absent key or an empty one
 * ("key:" in YAML) keeps the default. */
struct getter {
	const struct magi_config *cfg;
	const char *model;
	struct magi_error *err;
	bool loading; /* the file's check at load: what the environment lacks is not its error */
};

static void describe(const json_t *v, char *out, size_t n)
{
	if (json_is_string(v))
		snprintf(out, n, "\"%.40s%s\"", json_string_value(v), strlen(json_string_value(v)) > 40 ? "..." : "");
	else if (json_is_integer(v))
		snprintf(out, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, n, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(out, n, "%s", json_is_true(v) ? "true" : "false");
	else
		snprintf(out, n, "%s", json_is_array(v) ? "a list" : json_is_object(v) ? "a mapping" : "empty");
}

static magi_status bad(const struct getter *g, const char *key, const json_t *v, const char *want)
{
	char got[64];
	describe(v, got, sizeof got);
	return magi_error_set(g->err, MAGI_ERR_CONFIG, "%s: model '%s': %s must be %s, not %s", g->cfg->source, g->model,
			      key, want, got);
}

static magi_status get_str(const struct getter *g, const json_t *obj, const char *key, const char *label,
			   const char *want, const char **out)
{
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return MAGI_OK;
	if (!json_is_string(v) || !*json_string_value(v))
		return bad(g, label, v, want);
	*out = json_string_value(v);
	return MAGI_OK;
}

/* A number in [lo, hi]; with whole, one without a fraction (1e6 is fine, 2.5 is not). */
static magi_status get_num(const struct getter *g, const json_t *obj, const char *key, const char *label,
			   double lo, double hi, bool whole, double *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return MAGI_OK;
	double d = json_is_number(v) ? json_number_value(v) : NAN;
	if (!json_is_number(v) || !isfinite(d) || d < lo || d > hi || (whole && d != floor(d))) {
		char want[128];
		snprintf(want, sizeof want, "a %s from %.15g to %.15g", whole ? "whole number" : "number", lo, hi);
		return bad(g, label, v, want);
	}
	*out = d;
	return MAGI_OK;
}

static magi_status get_image(const struct getter *g, const json_t *img, struct magi_image_policy *ip)
{
	if (!json_is_object(img))
		return bad(g, "image", img, "a mapping such as {policy: qwen, max_pixels: 1003520}");
	static const char *const known[] = {"policy", "max_pixels", "min_pixels", "jpeg_quality", NULL};
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)img, k, v)
	{
		bool ok = false;
		for (int i = 0; known[i]; i++)
			ok |= !strcmp(k, known[i]);
		if (!ok)
			return magi_error_set(g->err, MAGI_ERR_CONFIG,
					      "%s: model '%s': image has an unknown setting '%s' (known: policy, max_pixels, min_pixels, jpeg_quality)",
					      g->cfg->source, g->model, k);
	}
	const char *pol = NULL;
	magi_status s = get_str(g, img, "policy", "image.policy", "qwen, openai or none", &pol);
	if (s)
		return s;
	if (pol && magi_image_policy_kind_parse(pol, &ip->kind))
		return bad(g, "image.policy", json_object_get(img, "policy"), "qwen, openai or none");
	double maxp = ip->max_pixels, minp = ip->min_pixels, q = ip->jpeg_quality;
	if ((s = get_num(g, img, "max_pixels", "image.max_pixels", 0, MAGI_IMAGE_MAX_PIXELS, true, &maxp)) ||
	    (s = get_num(g, img, "min_pixels", "image.min_pixels", 0, MAGI_IMAGE_MAX_PIXELS, true, &minp)) ||
	    (s = get_num(g, img, "jpeg_quality", "image.jpeg_quality", 1, 100, true, &q)))
		return s;
	if (maxp > 0 && minp > maxp)
		return magi_error_set(g->err, MAGI_ERR_CONFIG,
				      "%s: model '%s': image.min_pixels (%.0f) must not be above image.max_pixels (%.0f)",
				      g->cfg->source, g->model, minp, maxp);
	ip->max_pixels = (uint32_t)maxp;
	ip->min_pixels = (uint32_t)minp;
	ip->jpeg_quality = (int)q;
	return MAGI_OK;
}

/* Reads model m's settings over the defaults already in p. */
static magi_status read_model(const struct getter *g, const json_t *m, struct magi_model_params *p)
{
	const char *coords = NULL, *trust = NULL, *kenv = NULL;
	magi_status s;
	if ((s = get_str(g, m, "base_url", "base_url", "a URL such as http://127.0.0.1:8080/v1", &p->base_url)) ||
	    (s = get_str(g, m, "model", "model", "the model's name as the server knows it", &p->model)) ||
	    (s = get_str(g, m, "api_key", "api_key", "a text (better: api_key_env)", &p->api_key)) ||
	    (s = get_str(g, m, "api_key_env", "api_key_env", "the name of an environment variable", &kenv)) ||
	    (s = get_str(g, m, "coords", "coords", "pixels, norm1000 or norm1", &coords)) ||
	    (s = get_str(g, m, "trust", "trust", "local or remote", &trust)))
		return s;
	/* a URL from the file that no call could use is this file's error, found now */
	struct magi_error why;
	magi_error_clear(&why);
	if (json_is_string(json_object_get(m, "base_url")) && magi__base_url_check(g->model, p->base_url, &why))
		return magi_error_set(g->err, why.status, "%s: %s", g->cfg->source, why.msg);
	if (kenv && !json_object_get(m, "api_key")) {
		const char *k = getenv(kenv);
		p->api_key = k && *k ? k : NULL;
		/* a key the file asks for but the environment lacks would fail only at the
		 * server's 401, after the run started: an error when the model is asked for
		 * (every model a command uses is, before it starts), not when the file loads (a
		 * model no command uses needs no key). A local server (loopback URL or trust:
		 * local) usually needs none, so there none is sent. */
		bool local = (trust && !strcmp(trust, "local")) ||
			     (!(trust && !strcmp(trust, "remote")) && p->base_url && magi__url_is_loopback(p->base_url));
		if (!p->api_key && !local && p->base_url && !g->loading)
			return magi_error_set(g->err, MAGI_ERR_CONFIG,
					      "%s: model '%s': api_key_env names the environment variable %s, which is %s "
					      "(export %s=YOUR_KEY; a local server that needs no key: trust: local)",
					      g->cfg->source, g->model, kenv, k ? "empty" : "not set", kenv);
	}
	double max_tokens = p->max_tokens, temp = p->temperature, timeout = p->timeout_ms / 1000,
	       connect = p->connect_timeout_ms / 1000, attempts = p->max_attempts, cap = (double)p->reply_cap;
	if ((s = get_num(g, m, "max_tokens", "max_tokens", 0, 10000000, true, &max_tokens)) ||
	    (s = get_num(g, m, "temperature", "temperature", 0, 2, false, &temp)) ||
	    (s = get_num(g, m, "timeout", "timeout (seconds)", 0.001, 86400, false, &timeout)) ||
	    (s = get_num(g, m, "connect_timeout", "connect_timeout (seconds)", 0.001, 3600, false, &connect)) ||
	    (s = get_num(g, m, "max_attempts", "max_attempts", 1, 20, true, &attempts)) ||
	    (s = get_num(g, m, "reply_cap", "reply_cap (bytes)", 1024, 1u << 30, true, &cap)))
		return s;
	p->max_tokens = (int)max_tokens;
	p->temperature = temp;
	p->timeout_ms = timeout * 1000;
	p->connect_timeout_ms = connect * 1000;
	p->max_attempts = (int)attempts;
	p->reply_cap = (size_t)cap;
	if (coords && magi_coord_space_parse(coords, &p->coords))
		return bad(g, "coords", json_object_get(m, "coords"), "pixels, norm1000 or norm1");
	if (trust) {
		if (!strcmp(trust, "local"))
			p->trust = MAGI_TRUST_LOCAL;
		else if (!strcmp(trust, "remote"))
			p->trust = MAGI_TRUST_REMOTE;
		else
			return bad(g, "trust", json_object_get(m, "trust"), "local or remote");
	}
	const json_t *vision = json_object_get(m, "vision");
	if (vision && !json_is_null(vision) && !json_is_boolean(vision))
		return bad(g, "vision", vision, "true or false (false: a text-only model)");
	p->text_only = vision && json_is_false(vision);
	const json_t *img = json_object_get(m, "image");
	if (img && !json_is_null(img) && (s = get_image(g, img, &p->image)))
		return s;
	/* format (its preset under what coords/image say), extra_body, drop_params */
	magi__config_model_extras_apply(m, p);
	return MAGI_OK;
}

magi_status magi_config_model(const struct magi_config *cfg, const char *name,
			      struct magi_model_params *p, struct magi_error *err)
{
	return config_model(cfg, name, p, false, err);
}

static magi_status config_model(const struct magi_config *cfg, const char *name, struct magi_model_params *p,
				bool loading, struct magi_error *err)
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
	p->base_url = env2("MAGI_BASE_URL", "OPENAI_BASE_URL");
	p->model = env2("MAGI_MODEL", NULL);
	p->api_key = env2("MAGI_API_KEY", "OPENAI_API_KEY");
	struct getter g = {cfg, name, err, loading};
	return read_model(&g, m, p);
}
