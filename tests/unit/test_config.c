/* test_config.c — magi.yaml and environment configuration. */
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "magi/model.h"

static char dir[64];

static const char *write_file(const char *name, const char *text)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	REQUIRE(f);
	fputs(text, f);
	fclose(f);
	return path;
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/magi-config-XXXXXX");
	REQUIRE(mkdtemp(dir));
	unsetenv("MAGI_CONFIG");
	unsetenv("MAGI_BASE_URL");
	unsetenv("OPENAI_BASE_URL");
	unsetenv("MAGI_API_KEY");
	unsetenv("OPENAI_API_KEY");
	unsetenv("MAGI_MODEL");
	struct magi_error err;
	struct magi_config *cfg;
	struct magi_model_params p;

	/* environment only: one "default" model; OPENAI_* are the fallback */
	REQUIRE(chdir(dir) == 0);
	setenv("OPENAI_BASE_URL", "http://127.0.0.1:1234/v1", 1);
	setenv("OPENAI_API_KEY", "sk-openai", 1);
	setenv("MAGI_API_KEY", "sk-magi", 1);
	REQUIRE(magi_config_load(NULL, &cfg, &err) == MAGI_OK);
	CHECK_STR(magi_config_source(cfg), "environment");
	CHECK(magi_config_model_count(cfg) == 1);
	CHECK(magi_config_model(cfg, NULL, &p, &err) == MAGI_OK);
	CHECK_STR(p.name, "default");
	CHECK_STR(p.base_url, "http://127.0.0.1:1234/v1");
	CHECK_STR(p.api_key, "sk-magi");
	setenv("MAGI_BASE_URL", "http://localhost:8080/v1", 1);
	CHECK(magi_config_model(cfg, NULL, &p, &err) == MAGI_OK);
	CHECK_STR(p.base_url, "http://localhost:8080/v1");
	magi_config_free(cfg);

	const char *good = write_file("magi.yaml",
		"default: fast\n"
		"models:\n"
		"  fast:\n"
		"    base_url: http://127.0.0.1:8080/v1\n"
		"    model: qwen2.5-vl-7b\n"
		"    api_key_env: FAST_KEY\n"
		"    timeout: 30\n"
		"    coords: norm1000\n"
		"    image: {policy: openai, jpeg_quality: 70}\n"
		"  big:\n"
		"    base_url: https://api.example.com/v1\n"
		"    trust: remote\n"
		"    vision: false\n"
		"roles:\n"
		"  planning: big\n");
	setenv("FAST_KEY", "sk-fast", 1);
	REQUIRE(magi_config_load(NULL, &cfg, &err) == MAGI_OK); /* ./magi.yaml is found */
	CHECK_STR(magi_config_source(cfg), "magi.yaml");
	CHECK(magi_config_model_count(cfg) == 2);
	CHECK(magi_config_model(cfg, NULL, &p, &err) == MAGI_OK);
	CHECK_STR(p.name, "fast");
	CHECK_STR(p.api_key, "sk-fast");
	CHECK(p.timeout_ms == 30000);
	CHECK(p.coords == MAGI_COORDS_NORM1000);
	CHECK(p.image.kind == MAGI_IMAGE_POLICY_OPENAI && p.image.jpeg_quality == 70);
	CHECK_STR(magi_config_role_model(cfg, "planning"), "big");
	CHECK(magi_config_role_model(cfg, "decision") == NULL);
	CHECK(magi_config_model(cfg, "big", &p, &err) == MAGI_OK);
	CHECK(p.trust == MAGI_TRUST_REMOTE);
	CHECK(p.text_only); /* vision: false */
	CHECK(magi_config_model(cfg, "fast", &p, &err) == MAGI_OK && !p.text_only);
	/* an unknown name lists the known ones */
	CHECK(magi_config_model(cfg, "huge", &p, &err) == MAGI_ERR_NOT_FOUND);
	CHECK_CONTAINS(err.msg, "unknown model 'huge'");
	CHECK_CONTAINS(err.msg, "fast, big");
	magi_config_free(cfg);
	(void)good;

	/* a YAML syntax error names file and line */
	const char *bad = write_file("bad.yaml", "models:\n  fast:\n    base_url: [unclosed\n    model: x\n");
	CHECK(magi_config_load(bad, &cfg, &err) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(err.msg, "bad.yaml:");
	CHECK_MSG(strstr(err.msg, ":4:") || strstr(err.msg, ":3:") || strstr(err.msg, ":5:"), "%s", err.msg);
	/* semantic errors name the file, the model and the setting */
	const char *typo = write_file("typo.yaml", "models:\n  fast:\n    base_ulr: http://x\n");
	CHECK(magi_config_load(typo, &cfg, &err) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(err.msg, "unknown setting 'base_ulr'");
	const char *role = write_file("role.yaml", "models:\n  a: {base_url: http://x/v1}\nroles:\n  decision: b\n");
	CHECK(magi_config_load(role, &cfg, &err) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(err.msg, "role 'decision'");
	/* every model's settings are checked at load, named by file, model and key */
	const char *coords = write_file("coords.yaml", "models:\n  a: {base_url: http://x/v1}\n  b: {coords: inches}\n");
	CHECK(magi_config_load(coords, &cfg, &err) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(err.msg, "coords.yaml: model 'b': coords must be pixels, norm1000 or norm1, not \"inches\"");
	/* wrong types and ranges are errors, never a silent default (issue 14) */
	static const struct {
		const char *setting, *want;
	} wrong[] = {
		{"image: {max_pixels: \"lots\"}", "image.max_pixels must be a whole number from 0 to 67108864, not \"lots\""},
		{"image: {max_pixels: -1}", "image.max_pixels must be a whole number from 0 to 67108864, not -1"},
		{"image: {max_pixels: 1e99}", "image.max_pixels must be a whole number from 0 to 67108864, not 1e+99"},
		{"image: {max_pixels: 2.5}", "image.max_pixels must be a whole number"},
		{"image: lots", "image must be a mapping such as {policy: qwen, max_pixels: 1003520}, not \"lots\""},
		{"image: {policy: qwen, size: 3}", "image has an unknown setting 'size'"},
		{"image: {policy: 7}", "image.policy must be qwen, openai or none, not 7"},
		{"image: {min_pixels: 5000, max_pixels: 4000}", "image.min_pixels (5000) must not be above image.max_pixels (4000)"},
		{"image: {jpeg_quality: 0}", "image.jpeg_quality must be a whole number from 1 to 100, not 0"},
		{"base_url: 12", "base_url must be a URL such as http://127.0.0.1:8080/v1, not 12"},
		{"base_url: [a, b]", "base_url must be a URL such as http://127.0.0.1:8080/v1, not a list"},
		{"model: {x: 1}", "model must be the model's name as the server knows it, not a mapping"},
		{"timeout: 0", "timeout (seconds) must be a number from 0.001 to 86400, not 0"},
		{"timeout: soon", "timeout (seconds) must be a number from 0.001 to 86400, not \"soon\""},
		{"temperature: 9", "temperature must be a number from 0 to 2, not 9"},
		{"max_tokens: -5", "max_tokens must be a whole number from 0 to 10000000, not -5"},
		{"max_attempts: 99", "max_attempts must be a whole number from 1 to 20, not 99"},
		{"reply_cap: true", "reply_cap (bytes) must be a whole number from 1024 to 1073741824, not true"},
		{"trust: maybe", "trust must be local or remote, not \"maybe\""},
	};
	for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
		char text[256];
		snprintf(text, sizeof text, "models:\n  m: {%s}\n", wrong[i].setting);
		const char *path = write_file("wrong.yaml", text);
		cfg = NULL;
		CHECK_MSG(magi_config_load(path, &cfg, &err) == MAGI_ERR_CONFIG, "%s", wrong[i].setting);
		CHECK(cfg == NULL);
		CHECK_CONTAINS(err.msg, "wrong.yaml: model 'm': ");
		CHECK_CONTAINS(err.msg, wrong[i].want);
	}
	/* values in range, written as YAML writes them, are taken */
	const char *fine = write_file("fine.yaml", "models:\n  m: {timeout: 2.5, max_tokens: 1e3, temperature: 0.7,"
						  " image: {max_pixels: 1e6, min_pixels: 0}, base_url: }\n");
	unsetenv("MAGI_BASE_URL");
	unsetenv("OPENAI_BASE_URL");
	REQUIRE(magi_config_load(fine, &cfg, &err) == MAGI_OK);
	CHECK(magi_config_model(cfg, "m", &p, &err) == MAGI_OK);
	CHECK(p.timeout_ms == 2500 && p.max_tokens == 1000 && p.temperature == 0.7 && p.image.max_pixels == 1000000);
	CHECK(p.base_url == NULL); /* "base_url:" empty: the environment's, none here */
	magi_config_free(cfg);
	const char *vis = write_file("vis.yaml", "models:\n  a: {base_url: http://x/v1, vision: maybe}\n");
	CHECK(magi_config_load(vis, &cfg, &err) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(err.msg, "model 'a': vision must be true or false");
	const char *def = write_file("def.yaml", "default: [a]\nmodels:\n  a: {}\n");
	CHECK(magi_config_load(def, &cfg, &err) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(err.msg, "default must be the name of a model");
	const char *rl = write_file("rl.yaml", "models:\n  a: {}\nroles: [a]\n");
	CHECK(magi_config_load(rl, &cfg, &err) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(err.msg, "roles must be a mapping");
	CHECK(magi_config_load("/nonexistent/magi.yaml", &cfg, &err) == MAGI_ERR_NOT_FOUND);
	CHECK_CONTAINS(err.msg, "/nonexistent/magi.yaml");
	/* a misspelt section is named; a known one is handed out as JSON */
	const char *sec = write_file("sec.yaml", "models:\n  a: {base_url: http://x/v1}\ngaurds: {}\n");
	CHECK(magi_config_load(sec, &cfg, &err) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(err.msg, "unknown section 'gaurds'");
	const char *gd = write_file("gd.yaml", "models:\n  a: {base_url: http://x/v1}\nguards:\n  reread: 5\n");
	REQUIRE(magi_config_load(gd, &cfg, &err) == MAGI_OK);
	char *gj = magi_config_section_json(cfg, "guards");
	CHECK_STR(gj ? gj : "", "{\"reread\":5}");
	free(gj);
	CHECK(magi_config_section_json(cfg, "roles") == NULL);
	magi_config_free(cfg);
	const char *list = write_file("list.yaml", "- a\n- b\n");
	CHECK(magi_config_load(list, &cfg, &err) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(err.msg, "top level must be a mapping");

	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return check_done();
}
