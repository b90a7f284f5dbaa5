/* browser.c — the browser's flags for commands that open an environment, and opening one
 * with them (the guards' allowlist becomes the browser's rule for every request). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int cli_browser_opt(struct cli_browser_opts *o, int argc, char **argv, int *i)
{
	const char *v;
	int r;
	if (!strcmp(argv[*i], "--headful")) {
		o->headful = o->set = true;
		return 1;
	}
	if (!strcmp(argv[*i], "--marks")) {
		o->marks = o->set = true;
		return 1;
	}
	if (!strcmp(argv[*i], "--webgl")) {
		o->webgl = o->set = true;
		return 1;
	}
	if ((r = cli_flag_value(argc, argv, i, "--profile", &o->profile)) ||
	    (r = cli_flag_value(argc, argv, i, "--upload-dir", &o->upload_dir)) ||
	    (r = cli_flag_value(argc, argv, i, "--downloads", &o->download_dir))) {
		o->set = true;
		return r;
	}
	if ((r = cli_flag_value(argc, argv, i, "--viewport", &v))) {
		o->set = true;
		if (r < 0)
			return r;
		unsigned w = 0, h = 0;
		char x = 0, extra = 0;
		if (sscanf(v, "%u%c%u%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X') || w < 100 || h < 100 ||
		    w > 8192 || h > 8192) {
			cli_error("--viewport wants WIDTHxHEIGHT in CSS pixels, each 100..8192 (e.g. 1280x720), not '%s'", v);
			return -1;
		}
		o->width = w;
		o->height = h;
		return 1;
	}
	if ((r = cli_flag_value(argc, argv, i, "--scale", &v))) {
		o->set = true;
		if (r < 0)
			return r;
		char *end;
		double d = strtod(v, &end);
		if (*end || end == v || !(d >= 0.25 && d <= 4)) {
			cli_error("--scale wants a device-pixel ratio 0.25..4 (e.g. 2), not '%s'", v);
			return -1;
		}
		o->scale = d;
		return 1;
	}
	return 0;
}

/* The allowlist the browser enforces: the command's, alive as long as its environment. */
static struct {
	const char *const *v;
	size_t n;
} allow_list;

static bool allow_url(void *ud, const char *url)
{
	(void)ud;
	char host[256];
	/* about:, data:, blob: and the like have no host to leave the list with */
	if (!magi_guard_url_host(url, host, sizeof host) || !strncmp(url, "data:", 5) || !strncmp(url, "about:", 6) ||
	    !strncmp(url, "blob:", 5) || !strncmp(url, "chrome-error:", 13))
		return true;
	return magi_guard_domain_allowed(host, allow_list.v, allow_list.n);
}

bool cli_env_is_browser(const char *spec)
{
	return spec && !strncmp(spec, "browser", 7) && (spec[7] == '\0' || spec[7] == ':');
}

int cli_env_open(const char *spec, const struct cli_browser_opts *o, const char *const *allow, size_t n_allow,
		 struct magi_env **env)
{
	*env = NULL;
	struct magi_error err;
	magi_error_clear(&err);
	if (!cli_env_is_browser(spec)) {
		if (o->set) {
			cli_error("--headful, --viewport, --scale, --profile, --marks, --webgl, --upload-dir and --downloads are for --env browser[:URL]");
			return EXIT_USAGE;
		}
		if (magi_env_open(spec, env, &err)) {
			cli_error("%s", magi_error_text(&err));
			return EXIT_CONFIG;
		}
		return EXIT_OK;
	}
	struct magi_browser_params p = magi_browser_params_default();
	p.url = spec[7] == ':' && spec[8] ? spec + 8 : NULL;
	p.headful = o->headful;
	p.marks = o->marks;
	p.webgl = o->webgl;
	p.profile_dir = o->profile;
	p.upload_dir = o->upload_dir;
	p.download_dir = o->download_dir;
	if (o->width) {
		p.width = o->width;
		p.height = o->height;
	}
	if (o->scale > 0)
		p.scale = o->scale;
	/* the allowlist's hosts as magi_guard_domain_allowed reads its entries, for Chromium's
	 * own copy of the rule (an entry that names no host stays out: it allows nothing) */
	char hosts[96][256];
	const char *host_v[96];
	size_t n_hosts = 0;
	if (n_allow) {
		allow_list.v = allow;
		allow_list.n = n_allow;
		p.allow_url = allow_url;
		for (size_t i = 0; i < n_allow && n_hosts < sizeof hosts / sizeof *hosts; i++) {
			const char *a = allow[i];
			if (!a)
				continue;
			if (!strcmp(a, "*")) {
				snprintf(hosts[n_hosts], sizeof hosts[n_hosts], "*");
			} else {
				a += a[0] == '*' && a[1] == '.' ? 2 : a[0] == '.' ? 1 : 0;
				if (!magi_guard_url_host(a, hosts[n_hosts], sizeof hosts[n_hosts]))
					continue;
			}
			host_v[n_hosts] = hosts[n_hosts];
			n_hosts++;
		}
		/* more entries than room: Chromium's copy would refuse some allowed host */
		if (n_allow <= sizeof hosts / sizeof *hosts) {
			p.allow_hosts = host_v;
			p.n_allow_hosts = n_hosts;
		}
	}
	magi_status s = magi_env_open_browser(&p, env, &err);
	if (s) {
		cli_error("%s", magi_error_text(&err));
		return s == MAGI_ERR_INVALID ? EXIT_USAGE : EXIT_CONFIG;
	}
	return EXIT_OK;
}
