/* common.c — flag helpers and client construction shared by subcommands. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("magi: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int cli_exit_status(magi_status s)
{
	switch (s) {
	case MAGI_OK:
		return EXIT_OK;
	case MAGI_ERR_CONFIG:
	case MAGI_ERR_REPLAY_MISS:
	case MAGI_ERR_INVALID:
	case MAGI_ERR_NOT_FOUND:
	case MAGI_ERR_IO:
	case MAGI_ERR_IMAGE:
	case MAGI_ERR_VIDEO:
	case MAGI_ERR_LIMIT:
	case MAGI_ERR_UNSUPPORTED:
		return EXIT_CONFIG;
	default:
		return EXIT_FAIL;
	}
}

int cli_is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help");
}

int cli_num_flag(int argc, char **argv, int *i, const struct cli_num_flag *flags, size_t n, double *val)
{
	for (size_t k = 0; k < n; k++) {
		const char *v;
		int r = cli_flag_value(argc, argv, i, flags[k].flag, &v);
		if (!r)
			continue;
		if (r < 0)
			return -2;
		char *end;
		double d = strtod(v, &end);
		const struct cli_num_flag *f = &flags[k];
		if (*end || end == v || !(d >= f->lo && d <= f->hi) || (!f->real && d != (long)d)) {
			cli_error("%s: '%s' is not %s from %g to %g", f->flag, v, f->real ? "a number" : "a whole number", f->lo,
				  f->hi);
			return -2;
		}
		*val = d;
		return (int)k;
	}
	return -1;
}

int cli_subcommand(const char *cmd, const char *help, const struct cli_sub *subs, size_t n, int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	char names[256] = "";
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
		size_t len = strlen(names);
		snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", subs[i].name);
	}
	cli_error("%s: unknown subcommand '%s' (%s; see magi %s --help)", cmd, argv[1], names, cmd);
	return EXIT_USAGE;
}

int cli_flag_value(int argc, char **argv, int *i, const char *flag, const char **val)
{
	size_t fl = strlen(flag);
	if (!strncmp(argv[*i], flag, fl) && argv[*i][fl] == '=') {
		*val = argv[*i] + fl + 1;
		return 1;
	}
	if (strcmp(argv[*i], flag))
		return 0;
	if (*i + 1 >= argc) {
		cli_error("%s needs a value", flag);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

static int num_flag(int argc, char **argv, int *i, const char *flag, double lo, double hi, double *out)
{
	const char *v;
	int r = cli_flag_value(argc, argv, i, flag, &v);
	if (r <= 0)
		return r;
	char *end;
	double d = strtod(v, &end);
	if (*end || end == v || d < lo || d > hi) {
		cli_error("%s: '%s' is not a number between %g and %g", flag, v, lo, hi);
		return -1;
	}
	*out = d;
	return 1;
}

int cli_model_opt(struct cli_model_opts *o, int argc, char **argv, int *i)
{
	int r;
	double d;
	if ((r = cli_flag_value(argc, argv, i, "--config", &o->config)) ||
	    (r = cli_flag_value(argc, argv, i, "--model", &o->model)) ||
	    (r = cli_flag_value(argc, argv, i, "--base-url", &o->base_url)) ||
	    (r = cli_flag_value(argc, argv, i, "--model-id", &o->model_id)) ||
	    (r = cli_flag_value(argc, argv, i, "--coords", &o->coords)) ||
	    (r = cli_flag_value(argc, argv, i, "--format", &o->format)) ||
	    (r = cli_flag_value(argc, argv, i, "--record", &o->record)) ||
	    (r = cli_flag_value(argc, argv, i, "--replay", &o->replay)))
		return r;
	if ((r = num_flag(argc, argv, i, "--timeout", 0.001, 86400, &d))) {
		o->timeout_s = d;
		return r;
	}
	if ((r = num_flag(argc, argv, i, "--max-reply-tokens", 1, 1e7, &d))) {
		o->max_tokens = (int)d;
		return r;
	}
	/* --max-tokens is a run's budget (magi run, magi video ask read it first); it never
	 * quietly means a reply's limit in the commands without a run */
	const char *v;
	if ((r = cli_flag_value(argc, argv, i, "--max-tokens", &v))) {
		if (r > 0)
			cli_error("--max-tokens is a run's token budget (magi run, magi video ask); a reply's limit "
				  "is --max-reply-tokens");
		return -1;
	}
	if ((r = num_flag(argc, argv, i, "--attempts", 1, 20, &d))) {
		o->attempts = (int)d;
		return r;
	}
	return 0;
}

int cli_guard_config(const struct magi_config *cfg, struct magi_secret_list *secrets,
		     struct magi_guard_config *gc)
{
	struct magi_error err;
	magi_error_clear(&err);
	char *json = magi_config_section_json(cfg, "guards");
	magi_status s = magi_guard_config_parse(json, magi_config_source(cfg), gc, &err);
	free(json);
	for (size_t i = 0; !s && i < gc->secrets.n; i++)
		if (!magi_secret_list_find(secrets, gc->secrets.items[i].name))
			s = magi_secret_list_add_pair(secrets, gc->secrets.items[i].name,
						      gc->secrets.items[i].value, &err);
	if (s) {
		cli_error("%s", magi_error_text(&err));
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

int cli_make_client(const struct cli_model_opts *o, struct magi_config **cfgp, const char *role,
		    struct magi_client **out)
{
	struct magi_error err;
	magi_error_clear(&err);
	*out = NULL;
	struct magi_config *cfg = *cfgp;
	bool loaded_here = !cfg;
	if (!cfg && cli_config_load(o->config, &cfg))
		return EXIT_CONFIG;
	*cfgp = cfg;
	int rc = cli_client_from_config(o, cfg, role, out, &err);
	if (rc)
		cli_error("%s", magi_error_text(&err));
	if (rc && loaded_here) { /* the caller gets nothing to free on failure */
		magi_config_free(cfg);
		*cfgp = NULL;
	}
	return rc;
}

int cli_client_from_config(const struct cli_model_opts *o, struct magi_config *cfg, const char *role,
			   struct magi_client **out, struct magi_error *err)
{
	*out = NULL;
	const char *name = o->model;
	if (!name && role)
		name = magi_config_role_model(cfg, role);
	struct magi_model_params p;
	if (magi_config_model(cfg, name, &p, err))
		return EXIT_CONFIG;
	if (o->base_url)
		p.base_url = o->base_url;
	if (o->model_id)
		p.model = o->model_id;
	if (o->timeout_s > 0)
		p.timeout_ms = o->timeout_s * 1000;
	if (o->max_tokens > 0)
		p.max_tokens = o->max_tokens;
	if (o->attempts > 0)
		p.max_attempts = o->attempts;
	if (o->format) {
		enum magi_format f;
		if (magi_format_parse(o->format, &f)) {
			struct magi_buf known;
			magi_buf_init(&known, 1024);
			for (int k = 0; k < MAGI_FORMAT__COUNT; k++)
				magi_buf_printf(&known, "%s%s", k ? ", " : "", magi_format_name((enum magi_format)k));
			magi_error_set(err, MAGI_ERR_INVALID, "--format: '%s' is not a known format (known: %s)", o->format,
				       known.data);
			magi_buf_release(&known);
			return EXIT_USAGE;
		}
		magi_model_params_set_format(&p, f);
	}
	if (o->coords && magi_coord_space_parse(o->coords, &p.coords)) {
		magi_error_set(err, MAGI_ERR_INVALID, "--coords: '%s' is not pixels, norm1000 or norm1",
			       o->coords);
		return EXIT_USAGE;
	}
	/* A replayed run needs no server; any URL will do for the client to be made. */
	if (o->replay && !p.base_url)
		p.base_url = "http://replay.invalid/v1";
	struct magi_client *c;
	if (magi_client_new(&p, &c, err))
		return EXIT_CONFIG;
	if (o->record || o->replay) {
		if (magi_client_set_cassette(c, o->replay ? o->replay : o->record,
					     o->replay ? MAGI_CASSETTE_REPLAY : MAGI_CASSETTE_RECORD, err)) {
			magi_client_free(c);
			return EXIT_CONFIG;
		}
	}
	*out = c;
	return EXIT_OK;
}
