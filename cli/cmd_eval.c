/* cmd_eval.c — `magi eval`: run suites (in parallel, sharded, resumable), merge shards,
 * write reports, check suite files. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const char help[] =
	"usage: magi eval run SUITE [OPTIONS]\n"
	"       magi eval merge --out DIR EVAL_DIR...\n"
	"       magi eval report EVAL_DIR\n"
	"       magi eval check SUITE\n\n"
	"run: runs every item of a suite with a recipe and a model and records one result line per\n"
	"item in DIR/results.jsonl (synced as each finishes), each item's run directory under\n"
	"DIR/runs/, then DIR/summary.json, DIR/report.html and DIR/results.csv. Suites: magi's own\n"
	"(a YAML header and JSONL items: gui, ground, video, privacy, risk), ScreenSpot v1/v2,\n"
	"ScreenSpot-Pro, Video-MME, LongVideoBench, gen-pii-shots' truth.jsonl, a risk suite\n"
	"(docs/eval.md). Ctrl-C stops cleanly: finished items are kept; --resume finishes the rest.\n\n"
	"options:\n"
	"  --recipe NAME      gui: any screen recipe (single, mobile-agent-v2, mobileuse, ponder-press,\n"
	"                     native, ...); video: avp | lvagent | uniform;\n"
	"                     ground: ground | screenseeker (default: the suite's, else the kind's)\n"
	"  --out DIR          where results go (default: evals/<suite>-<recipe>[-<model>][-shard-I-of-N])\n"
	"  --jobs N           items at once, each in its own worker process (gui: with its own Xvfb);\n"
	"                     default 1\n"
	"  --shard I/N        run items i with i % N == I (0-based); default from SLURM_ARRAY_TASK_ID and\n"
	"                     SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX and MAGI_SHARD_COUNT\n"
	"  --resume           skip items already in DIR/results.jsonl\n"
	"  --retry-errors     with --resume: run again the items that ended in an error\n"
	"  --limit K          at most K items (of the shard)\n"
	"  --data DIR         where the suite's images and videos are (default: beside the suite)\n"
	"  --team M1,M2,...   lvagent's team of configured models\n"
	"  --role ROLE=MODEL  bind a role of the recipe to a configured model (repeatable; magi.yaml's\n"
	"                     roles: section does the same), e.g. --role grounder=osatlas\n"
	"  --max-steps N      gui: step budget of items that set none (default 15)\n"
	"  --settle MS        gui: wait after each action (default 300)\n"
	"  --frames K         video: frames per look (default: the recipe's)\n"
	"  --item-timeout S   stop an item after S seconds and record an error (default 900)\n"
	"  --fail-under RATE  exit 1 when the success rate is below RATE (0..1)\n"
	"  --yes, --risk CAT=TIER, --no-guards   gui: the guards, as for magi run\n"
	"  --no-report        no summary/report at the end (magi eval report writes them later)\n"
	"  --quiet            no progress\n" CLI_MODEL_OPTS_HELP
	"  (a model's price for cost figures: models.NAME.price: {input: USD, output: USD} per\n"
	"   million tokens in magi.yaml)\n\n"
	"exit status: 0 every item ran (and --fail-under held), 1 items ended in errors or the rate\n"
	"is under --fail-under, 2 usage, 3 bad suite or configuration, 130/143 interrupted by\n"
	"SIGINT/SIGTERM (finished items kept: --resume finishes the rest)\n\n"
	"examples:\n"
	"  magi eval run tests/eval/gui_suite.jsonl --recipe single --jobs 2\n"
	"  magi eval run pro/annotations/all.json --recipe screenseeker --model qwen --out evals/pro\n"
	"  magi eval merge --out evals/all evals/pro-shard-*\n";

#define MAX_TEAM MAGI_VIDEO_MAX_MEMBERS

#define MAX_ROLES 16

struct models_ud {
	struct cli_model_opts mo;
	struct magi_config *cfg;
	const char *roles[MAX_ROLES]; /* --role ROLE=MODEL */
	int n_roles;
	const char *team_names[MAX_TEAM];
	int n_team;
	struct magi_client *clients[32 + MAX_TEAM];
	int n_clients;
};

/* Called inside each worker process: its own clients and team, every role of the recipe
 * bound as `magi run` binds them (--role, else magi.yaml's roles: section). */
static magi_status make_models(void *ud, const char *recipe, struct magi_eval_models *m, struct magi_error *err)
{
	struct models_ud *u = ud;
	struct magi_client *def = NULL;
	if (cli_make_client(&u->mo, &u->cfg, NULL, &def))
		return magi_error_set(err, MAGI_ERR_CONFIG, "cannot make the model client (see the message above)");
	u->clients[u->n_clients++] = def;
	magi_team_new(def, &m->team);
	const struct magi_recipe *rc = magi_recipe_find(recipe);
	int n = 0;
	if (rc && cli_bind_roles(rc, u->roles, u->n_roles, &u->mo, &u->cfg, m->team, u->clients + u->n_clients,
				 (int)(sizeof u->clients / sizeof *u->clients) - u->n_clients - MAX_TEAM, &n))
		return magi_error_set(err, MAGI_ERR_CONFIG, "cannot bind the roles of %s (see the message above)", recipe);
	u->n_clients += n;
	static struct magi_client *members[MAX_TEAM];
	for (int i = 0; i < u->n_team; i++) {
		struct cli_model_opts ro = u->mo;
		ro.model = u->team_names[i];
		if (cli_make_client(&ro, &u->cfg, NULL, &members[i]))
			return magi_error_set(err, MAGI_ERR_CONFIG, "cannot make the client of team member %s", ro.model);
		u->clients[u->n_clients++] = members[i];
	}
	m->members = members;
	m->member_names = u->team_names;
	m->n_members = (size_t)u->n_team;
	return MAGI_OK;
}

static void free_models(void *ud, struct magi_eval_models *m)
{
	struct models_ud *u = ud;
	magi_team_free(m->team);
	for (int i = 0; i < u->n_clients; i++)
		magi_client_free(u->clients[i]);
	u->n_clients = 0;
}

/* ---- progress ---------------------------------------------------------------------- */
struct prog {
	bool tty, quiet, drawn, announced;
};

static void clock_text(double s, char out[32])
{
	if (s < 0) {
		snprintf(out, 32, "?");
		return;
	}
	long t = (long)(s + 0.5);
	if (t >= 3600)
		snprintf(out, 32, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, 32, "%ld:%02ld", t / 60, t % 60);
}

static void on_progress(void *ud, const struct magi_eval_progress *p)
{
	struct prog *g = ud;
	if (g->quiet)
		return;
	char el[32], eta[32];
	clock_text(p->elapsed_s, el);
	clock_text(p->eta_s, eta);
	if (g->tty) {
		enum { W = 24 };
		int fill = p->total ? (int)(W * p->done / p->total) : W;
		char bar[W + 1];
		for (int i = 0; i < W; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[W] = '\0';
		fprintf(stderr, "\r[%s] %zu/%zu  passed %zu  errors %zu  running %zu  %s elapsed  eta %s \033[K", bar,
			p->done, p->total, p->passed, p->errors, p->running, el, eta);
		g->drawn = true;
	} else if (p->last_id) {
		fprintf(stderr, "%zu/%zu %s %s (passed %zu, errors %zu, %s elapsed, eta %s)\n", p->done, p->total,
			p->last_id, p->last_passed ? "passed" : "failed", p->passed, p->errors, el, eta);
	} else if (!g->announced) {
		fprintf(stderr, "magi eval: %zu item%s to run%s\n", p->total, p->total == 1 ? "" : "s",
			p->skipped ? " (finished ones skipped)" : "");
	}
	g->announced = true;
	fflush(stderr);
}

/* ---- subcommands ------------------------------------------------------------------- */
static int print_summary(const char *dir, double fail_under, bool *under)
{
	struct magi_eval_totals t;
	struct magi_error err;
	if (magi_eval_report(dir, &t, &err)) {
		cli_error("%s", magi_error_text(&err));
		return EXIT_CONFIG;
	}
	printf("summary: %s/summary.json\nreport:  %s/report.html\ncsv:     %s/results.csv\n", dir, dir, dir);
	printf("passed %zu of %zu items (%.1f%%)%s", t.passed, t.items, 100 * t.success_rate,
	       t.errors ? "" : "\n");
	if (t.errors)
		printf(", %zu ended in an error\n", t.errors);
	if (t.items < t.expected)
		printf("%zu of %zu items not finished yet (magi eval run ... --resume)\n", t.expected - t.items,
		       t.expected);
	if (under)
		*under = fail_under > 0 && t.success_rate < fail_under;
	return EXIT_OK;
}

static char *default_out(const char *suite, const char *recipe, const char *model, const struct magi_eval_shard *sh,
			 bool sharded)
{
	const char *b = strrchr(suite, '/');
	b = b ? b + 1 : suite;
	size_t bl = strcspn(b, ".");
	char *out = malloc(1024);
	if (!out)
		return NULL;
	int n = snprintf(out, 1024, "evals/%.*s-%s", (int)bl, b, recipe ? recipe : "default");
	if (model)
		n += snprintf(out + n, 1024 - (size_t)n, "-%s", model);
	if (sharded)
		snprintf(out + n, 1024 - (size_t)n, "-shard-%d-of-%d", sh->index, sh->count);
	for (char *p = out + 6; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
	return out;
}

static int split_team(char *s, struct models_ud *u)
{
	for (char *p = s; p && *p;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (!*p || u->n_team == MAX_TEAM)
			return -1;
		u->team_names[u->n_team++] = p;
		p = comma ? comma + 1 : NULL;
	}
	return u->n_team >= 2 ? 0 : -1;
}

static int cmd_eval_run(int argc, char **argv)
{
	struct magi_eval_params p = magi_eval_params_default();
	static struct models_ud u;
	memset(&u, 0, sizeof u);
	const char *shard = NULL, *team = NULL, *out = NULL;
	bool quiet = false, shard_flag = false;
	double fail_under = 0;
	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			return EXIT_OK;
		}
		if ((r = cli_model_opt(&u.mo, argc, argv, &i)) || (r = cli_flag_value(argc, argv, &i, "--recipe", &p.recipe)) ||
		    (r = cli_flag_value(argc, argv, &i, "--out", &out)) ||
		    (r = cli_flag_value(argc, argv, &i, "--data", &p.data_dir)) ||
		    (r = cli_flag_value(argc, argv, &i, "--team", &team)) ||
		    (r = cli_flag_value(argc, argv, &i, "--shard", &shard))) {
			if (r < 0)
				return EXIT_USAGE;
			shard_flag |= shard != NULL;
			continue;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--role", &v))) {
			if (r < 0 || !strchr(v, '=') || u.n_roles == MAX_ROLES) {
				cli_error("--role wants ROLE=MODEL, e.g. --role grounder=big (at most %d)", MAX_ROLES);
				return EXIT_USAGE;
			}
			u.roles[u.n_roles++] = v;
			continue;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--risk", &v))) {
			struct magi_error e;
			const char *eq = r > 0 ? strchr(v, '=') : NULL;
			char cat[64];
			if (!eq || (size_t)(eq - v) >= sizeof cat) {
				cli_error("--risk wants CATEGORY=TIER, e.g. --risk send=deny");
				return EXIT_USAGE;
			}
			snprintf(cat, sizeof cat, "%.*s", (int)(eq - v), v);
			if (magi_risk_policy_set(&p.risk, cat, eq + 1, &e)) {
				cli_error("--risk: %s", magi_error_text(&e));
				return EXIT_USAGE;
			}
			continue;
		}
		static const struct cli_num_flag nums[] = {
			{"--jobs", 1, MAGI_EVAL_MAX_JOBS, false}, {"--limit", 1, 1e9, false}, {"--max-steps", 1, 1000, false},
			{"--settle", 0, 60000, true},	  {"--item-timeout", 1, 1e6, true}, {"--fail-under", 0, 1, true},
			{"--frames", 1, 4096, false}};
		double d;
		int which = cli_num_flag(argc, argv, &i, nums, sizeof nums / sizeof nums[0], &d);
		if (which == -2)
			return EXIT_USAGE;
		if (which >= 0) {
			if (which == 0)
				p.jobs = (int)d;
			else if (which == 1)
				p.limit = (size_t)d;
			else if (which == 2)
				p.max_steps = (int)d;
			else if (which == 3)
				p.settle_ms = d;
			else if (which == 4)
				p.item_timeout_s = d;
			else if (which == 5)
				fail_under = d;
			else
				p.video_frames = (int)d;
			continue;
		}
		if (!strcmp(argv[i], "--resume"))
			p.resume = true;
		else if (!strcmp(argv[i], "--retry-errors"))
			p.retry_errors = true;
		else if (!strcmp(argv[i], "--yes"))
			p.risk.yes = true;
		else if (!strcmp(argv[i], "--no-guards"))
			p.guards = false;
		else if (!strcmp(argv[i], "--no-report"))
			p.report = false;
		else if (!strcmp(argv[i], "--quiet"))
			quiet = true;
		else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("eval run: unknown option '%s' (see magi eval --help)", argv[i]);
			return EXIT_USAGE;
		} else if (p.suite) {
			cli_error("eval run: one suite at a time");
			return EXIT_USAGE;
		} else {
			p.suite = argv[i];
		}
	}
	if (!p.suite) {
		cli_error("eval run: no suite given (see magi eval --help)");
		return EXIT_USAGE;
	}
	if (p.retry_errors && !p.resume) {
		cli_error("eval run: --retry-errors goes with --resume");
		return EXIT_USAGE;
	}
	struct magi_error err;
	magi_error_clear(&err);
	if (shard && magi_eval_shard_parse(shard, &p.shard, &err)) {
		cli_error("--shard: %s", magi_error_text(&err));
		return EXIT_USAGE;
	}
	bool from_env = false;
	if (!shard && magi_eval_shard_from_env(&p.shard, &from_env, &err)) {
		cli_error("%s", magi_error_text(&err));
		return EXIT_USAGE;
	}
	char *team_buf = team ? strdup(team) : NULL;
	if (team && split_team(team_buf, &u)) {
		cli_error("--team '%s': name 2 to %d configured models, comma-separated", team, MAX_TEAM);
		free(team_buf);
		return EXIT_USAGE;
	}
	/* the suite is checked before any model is configured: bad input first */
	struct magi_eval_suite *suite;
	if (magi_eval_suite_load(p.suite, p.data_dir, &suite, &err)) {
		cli_error("%s", magi_error_text(&err));
		free(team_buf);
		return err.status == MAGI_ERR_INVALID ? EXIT_USAGE : EXIT_CONFIG;
	}
	enum magi_eval_kind kind = magi_eval_suite_kind(suite);
	magi_eval_suite_free(suite);
	int rc = EXIT_OK;
	if (kind == MAGI_EVAL_GUI || kind == MAGI_EVAL_VIDEO || kind == MAGI_EVAL_GROUND) {
		if (cli_config_load(u.mo.config, &u.cfg)) {
			free(team_buf);
			return EXIT_CONFIG;
		}
		struct magi_model_params mp;
		if (magi_config_model(u.cfg, u.mo.model, &mp, &err) ||
		    magi_eval_price_from_config(u.cfg, u.mo.model, &p.price, &err)) {
			cli_error("%s", magi_error_text(&err));
			rc = EXIT_CONFIG;
			goto done;
		}
		if (!u.mo.base_url && !u.mo.replay && !mp.base_url) {
			cli_error("no model server: set MAGI_BASE_URL, pass --base-url, or configure models in magi.yaml");
			rc = EXIT_CONFIG;
			goto done;
		}
		p.model_name = u.mo.model ? u.mo.model : mp.name;
		p.models = make_models;
		p.models_free = free_models;
		p.models_ud = &u;
	}
	char *dflt = out ? NULL : default_out(p.suite, p.recipe, u.mo.model, &p.shard, shard_flag || from_env);
	p.out_dir = out ? out : dflt;
	struct prog g = {isatty(2) != 0, quiet, false, false};
	p.progress = on_progress;
	p.progress_ud = &g;
	struct magi_eval_outcome o;
	magi_status s = magi_eval_run(&p, &o, &err);
	if (g.drawn)
		fputc('\n', stderr);
	if (s && !o.interrupted) {
		cli_error("%s", magi_error_text(&err));
		rc = s == MAGI_ERR_INVALID ? EXIT_USAGE : s == MAGI_ERR_IO ? EXIT_FAIL : EXIT_CONFIG;
	} else {
		printf("magi eval: %s: %zu item%s in the shard, %zu run now, %zu done before; %zu passed, %zu error%s\n",
		       p.out_dir, o.total, o.total == 1 ? "" : "s", o.ran, o.skipped, o.passed, o.errors,
		       o.errors == 1 ? "" : "s");
		bool under = false;
		if (p.report && (o.ran || o.skipped))
			rc = print_summary(p.out_dir, fail_under, &under);
		if (o.interrupted) {
			cli_error("%s", magi_error_text(&err));
			rc = o.signal > 0 ? 128 + o.signal : EXIT_FAIL; /* as magi run: 130, 143 */
		} else if (!rc && (o.errors || under)) {
			rc = EXIT_FAIL;
		}
	}
	free(dflt);
done:
	magi_config_free(u.cfg);
	free(team_buf);
	return rc;
}

static int cmd_eval_merge(int argc, char **argv)
{
	const char *out = NULL;
	const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
	size_t n = 0;
	int rc = EXIT_OK;
	for (int i = 1; i < argc && dirs; i++) {
		int r;
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			free(dirs);
			return EXIT_OK;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--out", &out))) {
			if (r < 0)
				rc = EXIT_USAGE;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("eval merge: unknown option '%s'", argv[i]);
			rc = EXIT_USAGE;
		} else {
			dirs[n++] = argv[i];
		}
	}
	if (!rc && (!out || !n)) {
		cli_error("eval merge: give --out DIR and the eval directories to join");
		rc = EXIT_USAGE;
	}
	struct magi_error err;
	if (!rc && magi_eval_merge(out, dirs, n, &err)) {
		cli_error("%s", magi_error_text(&err));
		rc = err.status == MAGI_ERR_INVALID ? EXIT_USAGE : EXIT_CONFIG;
	}
	if (!rc)
		rc = print_summary(out, 0, NULL);
	free(dirs);
	return rc;
}

static int cmd_eval_check(int argc, char **argv)
{
	if (argc != 2 || cli_is_help(argv[1])) {
		fputs(help, argc == 2 ? stdout : stderr);
		return argc == 2 ? EXIT_OK : EXIT_USAGE;
	}
	struct magi_eval_suite *s;
	struct magi_error err;
	if (magi_eval_suite_load(argv[1], NULL, &s, &err)) {
		cli_error("%s", magi_error_text(&err));
		return EXIT_CONFIG;
	}
	printf("%s: %zu %s item%s (%s format), suite \"%s\"\n", argv[1], magi_eval_suite_count(s),
	       magi_eval_kind_name(magi_eval_suite_kind(s)), magi_eval_suite_count(s) == 1 ? "" : "s",
	       magi_eval_suite_format(s), magi_eval_suite_name(s));
	magi_eval_suite_free(s);
	return EXIT_OK;
}

static int cmd_eval_report(int argc, char **argv)
{
	if (argc != 2 || cli_is_help(argv[1])) {
		fputs("usage: magi eval report EVAL_DIR\n", argc == 2 ? stdout : stderr);
		return argc == 2 ? EXIT_OK : EXIT_USAGE;
	}
	return print_summary(argv[1], 0, NULL);
}

int cmd_eval(int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{"run", cmd_eval_run}, {"merge", cmd_eval_merge}, {"report", cmd_eval_report}, {"check", cmd_eval_check}};
	return cli_subcommand("eval", help, subs, sizeof subs / sizeof subs[0], argc, argv);
}
