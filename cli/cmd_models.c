/* cmd_models.c — `magi models`: what is configured, and whether each endpoint answers. */
#include <string.h>
#include "cli.h"

static const char help[] =
	"usage: magi models [--config FILE] [--ping]\n\n"
	"Lists the configured models (from --config, $MAGI_CONFIG, ./magi.yaml or the\n"
	"environment) with their endpoint, image policy, coordinate space and trust.\n"
	"  --ping    ask each endpoint for its model list and say what is wrong, if anything\n\n"
	"exit status: 0 all well, 1 an endpoint failed its ping (down, not an OpenAI model list),\n"
	"3 a configuration error (a bad setting, a malformed URL, a refused key, an unlisted model).\n";

/* A configuration error (3) outweighs an endpoint that failed (1). */
static int worst(int a, int b)
{
	return a == EXIT_CONFIG || b == EXIT_CONFIG ? EXIT_CONFIG : a ? a : b;
}

int cmd_models(int argc, char **argv)
{
	const char *config = NULL;
	bool ping = false;
	for (int i = 1; i < argc; i++) {
		int r;
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			return EXIT_OK;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--config", &config))) {
			if (r < 0)
				return EXIT_USAGE;
		} else if (!strcmp(argv[i], "--ping")) {
			ping = true;
		} else {
			cli_error("models: unknown argument '%s' (see magi models --help)", argv[i]);
			return EXIT_USAGE;
		}
	}
	struct magi_error err;
	magi_error_clear(&err);
	struct magi_config *cfg;
	if (cli_config_load(config, &cfg))
		return EXIT_CONFIG;
	static const char *const pol[] = {"none", "qwen", "openai"};
	static const char *const trust[] = {"auto", "local", "remote"};
	printf("models from %s:\n", magi_config_source(cfg));
	int rc = EXIT_OK;
	for (size_t i = 0; i < magi_config_model_count(cfg); i++) {
		struct magi_model_params p;
		const char *name = magi_config_model_name(cfg, i);
		magi_status s = magi_config_model(cfg, name, &p, &err);
		if (s) {
			printf("  %-12s error: %s\n", name, magi_error_text(&err));
			rc = worst(rc, cli_exit_status(s));
			continue;
		}
		printf("  %-12s %s  model=%s  format=%s  image=%s  coords=%s  trust=%s  key=%s\n", name,
		       p.base_url ? p.base_url : "(no base_url)", p.model ? p.model : "-", magi_format_name(p.format),
		       pol[p.image.kind], magi_coord_space_name(p.coords), trust[p.trust],
		       p.api_key ? "set" : "none");
		if (!ping)
			continue;
		struct magi_client *c;
		if ((s = magi_client_new(&p, &c, &err))) {
			printf("    ping: %s\n", magi_error_text(&err));
			rc = worst(rc, cli_exit_status(s));
			continue;
		}
		double ms;
		if ((s = magi_client_ping(c, &ms, &err))) {
			printf("    ping: FAILED: %s\n", magi_error_text(&err));
			rc = worst(rc, cli_exit_status(s));
		} else {
			printf("    ping: ok (%.0f ms)\n", ms);
		}
		magi_client_free(c);
	}
	magi_config_free(cfg);
	return rc;
}
