/* config.c — magi.yaml as every command reads it: the model layer's checks (sections,
 * models, roles) and then the sections the layers above read — guards: and mcp: — so a
 * mistake there is found by whatever command loads the file, not only by the commands that
 * use the section, with the file, the line and the key in the message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cli.h"
#include "mcp.h"

/* "FILE:LINE" of the key at path (just FILE when the line is unknown) into buf. */
static const char *where(const struct magi_config *cfg, const char *path, char *buf, size_t n)
{
	int line = magi_config_line(cfg, path);
	if (line > 0)
		snprintf(buf, n, "%s:%d", magi_config_source(cfg), line);
	else
		snprintf(buf, n, "%s", magi_config_source(cfg));
	return buf;
}

/* A top-level section as JSON (NULL when the file has none; json_null() for "key:" alone). */
static json_t *section(const struct magi_config *cfg, const char *key)
{
	char *text = magi_config_section_json(cfg, key);
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	free(text);
	return v;
}

/* guards: read the way cli_guard_config reads it, one setting (one secret, one risk tier)
 * at a time, so the message can name that setting's line. A secret's {env: VAR} is checked
 * for its form only (a stand-in value): whether VAR is set matters to the commands that use
 * the guards, which say so. */
static int check_guards(const struct magi_config *cfg)
{
	json_t *sec = section(cfg, "guards");
	if (!sec)
		return EXIT_OK;
	char loc[4096];
	struct magi_error err;
	magi_error_clear(&err);
	magi_status s = MAGI_OK;
	if (!json_is_object(sec)) { /* the guards' own message says what it must be */
		char *t = json_dumps(sec, JSON_COMPACT | JSON_ENCODE_ANY);
		struct magi_guard_config gc;
		magi_guard_config_init(&gc);
		s = magi_guard_config_parse(t ? t : "null", where(cfg, "guards", loc, sizeof loc), &gc, &err);
		magi_guard_config_release(&gc);
		free(t);
	}
	const char *k;
	json_t *v;
	json_object_foreach(sec, k, v)
	{
		const char *c = NULL;
		json_t *cv = NULL;
		void *it = json_is_object(v) ? json_object_iter(v) : NULL;
		do {
			if (it) {
				c = json_object_iter_key(it);
				cv = json_object_iter_value(it);
			}
			/* a secret from the environment is looked up by the commands that use the
			 * guards; here only its form is checked */
			bool from_env = it && !strcmp(k, "secrets") && json_is_object(cv) && json_object_size(cv) == 1 &&
					json_is_string(json_object_get(cv, "env"));
			json_t *one = from_env ? json_pack("{s:{s:s}}", k, c, "stand-in-value")
				      : it     ? json_pack("{s:{s:O}}", k, c, cv)
					       : json_pack("{s:O}", k, v);
			char *t = one ? json_dumps(one, JSON_COMPACT) : NULL;
			json_decref(one);
			char path[512];
			snprintf(path, sizeof path, it ? "guards.%s.%s" : "guards.%s", k, c);
			struct magi_guard_config gc;
			magi_guard_config_init(&gc);
			s = t ? magi_guard_config_parse(t, where(cfg, path, loc, sizeof loc), &gc, &err)
			      : magi_error_set(&err, MAGI_ERR_NOMEM, NULL);
			magi_guard_config_release(&gc);
			free(t);
		} while (!s && it && (it = json_object_iter_next(v, it)));
		if (s)
			break;
	}
	json_decref(sec);
	if (s) {
		cli_error("%s", magi_error_text(&err));
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

int cli_mcp_section(const struct magi_config *cfg, bool *trusted, const char **runs, json_t **keep)
{
	*keep = NULL;
	json_t *sec = section(cfg, "mcp");
	if (!sec)
		return EXIT_OK;
	char loc[4096];
	if (!json_is_object(sec)) {
		cli_error("%s: mcp: must be a mapping (trust: local|remote, runs: DIR)", where(cfg, "mcp", loc, sizeof loc));
		json_decref(sec);
		return EXIT_CONFIG;
	}
	const char *k;
	json_t *v;
	json_object_foreach(sec, k, v)
	{
		const char *sv = json_string_value(v);
		if (!strcmp(k, "trust") && sv && (!strcmp(sv, "local") || !strcmp(sv, "remote"))) {
			*trusted = !strcmp(sv, "local");
		} else if (!strcmp(k, "runs") && sv && *sv) {
			*runs = sv;
		} else {
			char path[512];
			snprintf(path, sizeof path, "mcp.%s", k);
			cli_error("%s: mcp.%s: %s", where(cfg, path, loc, sizeof loc), k,
				  !strcmp(k, "trust")  ? "must be local or remote"
				  : !strcmp(k, "runs") ? "must be a directory name"
						       : "unknown setting (known: trust, runs)");
			json_decref(sec);
			return EXIT_CONFIG;
		}
	}
	*keep = sec; /* *runs points into it */
	return EXIT_OK;
}

int cli_config_load(const char *path, struct magi_config **out)
{
	struct magi_error err;
	magi_error_clear(&err);
	*out = NULL;
	struct magi_config *cfg;
	if (magi_config_load(path, &cfg, &err)) {
		cli_error("%s", magi_error_text(&err));
		return EXIT_CONFIG;
	}
	bool trusted = false;
	const char *runs = NULL;
	json_t *keep = NULL;
	int rc = check_guards(cfg);
	if (!rc)
		rc = cli_mcp_section(cfg, &trusted, &runs, &keep);
	json_decref(keep);
	if (rc) {
		magi_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return EXIT_OK;
}
