/* cmd_run.c — `magi run`: an agent team operates a screen until the task is done. */
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const char help[] =
	"usage: magi run [OPTIONS] \"TASK\"\n\n"
	"Runs an agent recipe on an environment until the task is done, a stop rule fires or a\n"
	"budget runs out. Prints one line per step, then where the trace and report are.\n\n"
	"options:\n"
	"  --env SPEC         x11 | x11:DISPLAY | image:FILE | browser[:URL]   (default: x11, using\n"
	"                     $DISPLAY)\n"
	"  --recipe NAME      single | mobile-agent-v2 | ponder-press | mobileuse | native (the\n"
	"                     model's own trained loop, with --format) | a recipe a program\n"
	"                     registered (default: mobile-agent-v2; docs/recipes.md)\n"
	"  --role ROLE=MODEL  bind a role of the recipe (mobile-agent-v2: planning, decision,\n"
	"                     memory, reflection; ponder-press: interpreter, locator; every\n"
	"                     screen recipe: captioner, for --icons)\n"
	"                     to a configured model; magi.yaml's roles: section does the same\n"
	"  --max-steps N      step budget (default 20)\n"
	"  --max-tokens N     token budget: prompt + completion tokens over the whole run; no\n"
	"                     model call starts that would pass it (default: none)\n"
	"  --max-time S       wall-time budget in seconds (default: none)\n"
	"  --no-ask           an ask_user action ends the run instead of asking on the terminal\n"
	"  --no-ocr           do not OCR screenshots (no perception list)\n"
	"  --icons            icon perception (Mobile-Agent-v2): non-text elements found on each\n"
	"                     screenshot are captioned by the role captioner (one batch per\n"
	"                     step, cached per crop) and listed as \"icon: CAPTION\" with their\n"
	"                     centres; bind it with --role captioner=MODEL or magi.yaml\n"
	"  --settle MS        wait after each action before looking again (default 300)\n"
	"  --prompts DIR      override prompt templates: DIR/<recipe>/<role>.txt\n"
	"  --runs DIR         where run directories go (default: runs)\n"
	"  --knowledge FILE   mobileuse: add this file (written by magi explore) to the\n"
	"                     operator's prompt\n"
	"  --logprob-threshold X  mobileuse: skip the action reflector when the mean log-\n"
	"                     probability of the action-type tokens is above X (default -0.01;\n"
	"                     off: always reflect)\n"
	"  --no-report        do not write report.html\n"
	"  --demo DIR         a demonstration: a successful run's directory, or one written by\n"
	"                     magi trace export-demo; shown to the decision role as a worked\n"
	"                     example (task, small screenshots, actions): recipes single,\n"
	"                     mobile-agent-v2, mobileuse (the operator), native (magi's own\n"
	"                     format). Repeatable\n"
	"  --demo-tokens N    budget for the demonstrations per decision request, in estimated\n"
	"                     tokens (default 2000): what does not fit is left out\n"
	;
/* (in two parts: one string literal that long is past what C99 promises to support) */
static const char help_guards[] =
	"guards (on by default; also set in the config file's guards: section, flags win):\n"
	"  --secret NAME=VALUE  a secret the model only sees as <secret:NAME>; typing that\n"
	"                     placeholder types the value (repeatable; values never reach traces)\n"
	"  --yes              let ask-tier actions through without asking (deny stays deny)\n"
	"  --allow-domain D   only these domains may be visited (repeatable)\n"
	"  --risk CAT=TIER    set a risk category's tier: allow, ask or deny (repeatable)\n"
	"  --reread N         how much small or unsure text to OCR a second time per step, in\n"
	"                     units of width/height (default 48, ~35 ms; -1: all; 0: none)\n"
	"  --no-guards        no PII redaction, injection marking or risk gate (not advised)\n";
/* the rest (two strings: one would pass the 4095 bytes C99 compilers must accept) */
static const char help_more[] = CLI_BROWSER_OPTS_HELP CLI_MODEL_OPTS_HELP
	"\nexit status: 0 task done, 1 the run ended without success, 2 usage, 3 configuration or\n"
	"             a trace that could not be written (the run stops before its next action),\n"
	"             130/143/129 stopped by SIGINT/SIGTERM/SIGHUP (a second one stops at once)\n"
	"\nexample:\n"
	"  MAGI_BASE_URL=http://127.0.0.1:8080/v1 magi run --env x11:99 \"Close the dialog with Cancel\"\n";

static char *ask_terminal(void *ud, const char *question)
{
	(void)ud;
	fprintf(stderr, "\nThe agent asks: %s\n> ", question);
	fflush(stderr);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static bool confirm_terminal(void *ud, const char *action, const char *reason)
{
	(void)ud;
	fprintf(stderr, "\nThe agent wants to: %s\nwhich needs your confirmation: %s\nAllow it? [y/N] ", action,
		reason);
	fflush(stderr);
	char line[64];
	if (!fgets(line, sizeof line, stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

static void print_step(void *ud, int step, const char *line)
{
	(void)ud;
	printf("step %2d  %s\n", step, line);
	fflush(stdout);
}

#define MAX_ROLES 8
/* how long magi run holds the OCR engines' load back at most (lifted as the run starts) */
#define START_HOLD_MS 200
/* how much of the heap magi run grows ahead in huge pages when it reads screens: 8 MiB, not
 * speed12's 12, once the reading itself got cheaper (session 13, lead, bench_gui.sh, idle):
 * peak RSS with OCR 33.0-33.6 MB against 34.6-34.9, the first request 103 ms against 88-99
 * (target 150); also the block size kept in the heap without OCR (a 1280x720 screenshot's
 * 3.7 MB, aligned to 2 MiB) */
#define HEAP_AHEAD ((size_t)8 << 20)

/* --risk CATEGORY=TIER onto p; prints the problem and returns -1 when it is not one. */
static int set_risk(struct magi_risk_policy *p, const char *spec)
{
	char cat[64];
	const char *eq = strchr(spec, '=');
	if (!eq || (size_t)(eq - spec) >= sizeof cat) {
		cli_error("--risk wants CATEGORY=TIER, e.g. --risk send=deny");
		return -1;
	}
	memcpy(cat, spec, (size_t)(eq - spec));
	cat[eq - spec] = '\0';
	struct magi_error err;
	if (magi_risk_policy_set(p, cat, eq + 1, &err)) {
		cli_error("--risk: %s", magi_error_text(&err));
		return -1;
	}
	return 0;
}

static int usage_fail(struct magi_secret_list *secrets)
{
	magi_secret_list_release(secrets);
	return EXIT_USAGE;
}

int cmd_run(int argc, char **argv)
{
	struct cli_model_opts mo = {0};
	struct magi_run_params rp = magi_run_params_default();
	const char *env_spec = "x11";
	MAGI_DEBUG("run: started");
	const char *roles[MAX_ROLES];
	int n_roles = 0;
	bool no_ask = false;
	struct magi_secret_list secrets;
	magi_secret_list_init(&secrets);
	/* one malloc arena for the whole run: the OCR engine's loader, the first screen's reader
	 * and the trace writer each kept an arena of their own, and the memory freed in one
	 * stayed resident beside the others' (peak RSS 48.0 -> 46.3 MB, bench_gui.sh); the
	 * run's threads seldom allocate at the same moment */
	mallopt(M_ARENA_MAX, 1);
	const char *allow[32 + 64]; /* flags, then the config file's guards.allow_domains */
	size_t n_allow = 0;
	const char *risk_flags[32]; /* --risk CAT=TIER, applied again over the config file's */
	const char *demos[8];
	size_t n_demos = 0;
	int n_risk_flags = 0;
	bool reread_flag = false;
	struct magi_error ferr;
	magi_error_clear(&ferr);
	struct cli_browser_opts bo = {0};
	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			fputs(help_guards, stdout);
			fputs(help_more, stdout);
			return EXIT_OK;
		}
		const char *num_flags[] = {"--max-steps", "--max-tokens", "--max-time", "--settle", "--demo-tokens"};
		int which = -1;
		for (int k = 0; k < 5 && which < 0; k++) {
			if ((r = cli_flag_value(argc, argv, &i, num_flags[k], &v))) {
				if (r < 0)
					return usage_fail(&secrets);
				which = k;
			}
		}
		if (which >= 0) {
			char *end;
			double d = strtod(v, &end);
			if (*end || end == v || d < 0 || d > 1e9 || ((which == 0 || which == 4) && d < 1)) {
				cli_error("%s: '%s' is not a valid number", num_flags[which], v);
				return usage_fail(&secrets);
			}
			if (which == 0)
				rp.max_steps = (int)d;
			else if (which == 1)
				rp.max_tokens = (long)d;
			else if (which == 2)
				rp.max_wall_s = d;
			else if (which == 4)
				rp.demo_tokens = (long)d;
			else
				rp.settle_ms = d;
			continue;
		}
		if ((r = cli_model_opt(&mo, argc, argv, &i)) || (r = cli_browser_opt(&bo, argc, argv, &i)) ||
		    (r = cli_flag_value(argc, argv, &i, "--env", &env_spec)) ||
		    (r = cli_flag_value(argc, argv, &i, "--recipe", &rp.recipe)) ||
		    (r = cli_flag_value(argc, argv, &i, "--prompts", &rp.prompts_dir)) ||
		    (r = cli_flag_value(argc, argv, &i, "--runs", &rp.runs_dir)) ||
		    (r = cli_flag_value(argc, argv, &i, "--knowledge", &rp.knowledge))) {
			if (r < 0)
				return usage_fail(&secrets);
			continue;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--secret", &v))) {
			if (r < 0 || magi_secret_list_add(&secrets, v, &ferr)) {
				if (r >= 0)
					cli_error("--secret: %s", magi_error_text(&ferr));
				return usage_fail(&secrets);
			}
			continue;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--demo", &v))) {
			if (r < 0)
				return usage_fail(&secrets);
			if (n_demos == sizeof demos / sizeof *demos) {
				cli_error("--demo: at most %zu demonstrations", sizeof demos / sizeof *demos);
				return usage_fail(&secrets);
			}
			demos[n_demos++] = v;
			continue;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--allow-domain", &v))) {
			if (r < 0 || n_allow == 32) {
				return usage_fail(&secrets);
			}
			allow[n_allow++] = v;
			continue;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--risk", &v))) {
			/* checked now, applied over the config file's tiers once it is read */
			if (r < 0 || set_risk(&rp.risk, v))
				return usage_fail(&secrets);
			if (n_risk_flags == 32) {
				cli_error("--risk: at most 32 of them");
				return usage_fail(&secrets);
			}
			risk_flags[n_risk_flags++] = v;
			continue;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--role", &v))) {
			if (r < 0)
				return usage_fail(&secrets);
			if (!strchr(v, '=') || n_roles == MAX_ROLES) {
				cli_error("--role wants ROLE=MODEL, e.g. --role reflection=big");
				return usage_fail(&secrets);
			}
			roles[n_roles++] = v;
			continue;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--logprob-threshold", &v))) {
			char *end = NULL;
			double t = r > 0 && strcmp(v, "off") ? strtod(v, &end) : NAN;
			if (r < 0 || (end && (end == v || *end || t > 0 || t < -1e6))) {
				cli_error("--logprob-threshold wants a log-probability <= 0 (e.g. -0.01) or off");
				return usage_fail(&secrets);
			}
			rp.logprob_threshold = t;
			continue;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--reread", &v))) {
			char *end;
			long n = r > 0 ? strtol(v, &end, 10) : -2;
			if (r < 0 || end == v || *end || n < -1 || n > 100000) {
				cli_error("--reread wants a budget -1..100000 (-1: read every candidate)");
				return usage_fail(&secrets);
			}
			rp.pii_reread = (int)n;
			reread_flag = true;
			continue;
		}
		if (!strcmp(argv[i], "--no-ask"))
			no_ask = true;
		else if (!strcmp(argv[i], "--yes"))
			rp.risk.yes = true;
		else if (!strcmp(argv[i], "--no-guards"))
			rp.guards = false;
		else if (!strcmp(argv[i], "--icons"))
			rp.icons = true;
		else if (!strcmp(argv[i], "--no-ocr"))
			rp.ocr = false;
		else if (!strcmp(argv[i], "--no-report"))
			rp.report = false;
		else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("run: unknown option '%s' (see magi run --help)", argv[i]);
			return usage_fail(&secrets);
		} else if (rp.task) {
			cli_error("run: one task only; quote it: magi run \"...\"");
			return usage_fail(&secrets);
		} else {
			rp.task = argv[i];
		}
	}
	if (!rp.task || !*rp.task) {
		cli_error("run: no task given (see magi run --help)");
		return usage_fail(&secrets);
	}
	/* the OCR engine (~100 ms to load) loads on its own thread while the models, the
	 * display and the run directory are set up: the first screen is read as soon as it
	 * is captured (a failure to load is reported by that first reading); a browser reads
	 * pages from their DOM and loads it only for a page's canvases and images */
	/* without OCR a step's largest blocks are the screenshot's pixels (3.7 MB at 1280x720):
	 * kept in the heap, each step reuses the last one's pages instead of faulting in a
	 * fresh mapping (~900 faults, ~2 ms on this VM) */
	if (!rp.ocr)
		magi_heap_reuse(HEAP_AHEAD);
	if (rp.ocr && !cli_env_is_browser(env_spec)) {
		/* held until the run has made its threads (magi__gui_begin): glibc's pthread_create
		 * waits while another thread is inside dlopen, and libtesseract's load takes
		 * 25-40 ms; the thread is made now, the load starts when the hold is lifted */
		/* the engines' initialisation and the reading grow the heap by ~8-12 MB: in huge
		 * pages, ~2300 of the run's ~3900 page faults go (~10 us each on this VM) */
		size_t ahead = magi_heap_ahead(HEAP_AHEAD);
		MAGI_DEBUG("run: %zu MiB of the heap ahead in huge pages", ahead >> 20);
		magi_ocr_hold_loads(START_HOLD_MS);
		(void)magi_ocr_preload(NULL, 1, NULL);
	}
	const struct magi_recipe *recipe = magi_recipe_find(rp.recipe);
	if (!recipe || recipe->kind != MAGI_RECIPE_SCREEN) {
		char known[512];
		cli_recipe_list(MAGI_RECIPE_SCREEN, known, sizeof known);
		if (recipe)
			cli_error("run: recipe '%s' answers video questions: use magi video ask (screen recipes: %s)",
				  rp.recipe, known);
		else
			cli_error("run: unknown recipe '%s' (known: %s)", rp.recipe, known);
		return usage_fail(&secrets);
	}
	if (!no_ask) {
		rp.ask = ask_terminal;
		rp.confirm = confirm_terminal;
	}
	rp.demos = demos;
	rp.n_demos = n_demos;
	rp.secrets = &secrets;
	rp.allowlist = allow;
	rp.n_allowlist = n_allow;
	rp.on_step = print_step;
	struct magi_error err;
	magi_error_clear(&err);
	struct magi_config *cfg = NULL;
	struct magi_client *def = NULL, *role_clients[MAX_ROLES + 4] = {0};
	struct magi_guard_config gc;
	magi_guard_config_init(&gc);
	int rc = cli_make_client(&mo, &cfg, NULL, &def);
	if (rc) {
		magi_config_free(cfg);
		magi_secret_list_release(&secrets);
		return rc;
	}
	/* the config file's guards: section, with the flags over it */
	rc = cli_guard_config(cfg, &secrets, &gc);
	for (size_t i = 0; i < gc.n_allow && n_allow < sizeof allow / sizeof *allow; i++)
		allow[n_allow++] = gc.allow[i];
	rp.n_allowlist = n_allow;
	bool yes = rp.risk.yes;
	rp.risk = gc.risk;
	rp.risk.yes = yes || gc.risk.yes;
	for (int k = 0; k < n_risk_flags; k++)
		set_risk(&rp.risk, risk_flags[k]);
	if (!reread_flag)
		rp.pii_reread = gc.reread;
	if (rc) {
		magi_client_free(def);
		magi_config_free(cfg);
		magi_guard_config_release(&gc);
		magi_secret_list_release(&secrets);
		return rc;
	}
	struct magi_team *team = NULL;
	struct magi_env *env = NULL;
	magi_team_new(def, &team);
	/* the recipe's roles: flags first, then magi.yaml's roles: section for the rest */
	int n_clients = 0;
	if ((rc = cli_bind_roles(recipe, roles, n_roles, &mo, &cfg, team, role_clients, MAX_ROLES + 4, &n_clients)))
		goto out;
	MAGI_DEBUG("run: options, configuration and models read");
	if ((rc = cli_env_open(env_spec, &bo, allow, n_allow, &env)))
		goto out;
	MAGI_DEBUG("run: environment %s open", env_spec);
	cli_interrupt_env(env);
	printf("magi run: %s on %s, recipe %s, model %s\n", rp.task, env_spec, recipe->name,
	       magi_client_params(def)->name);
	fflush(stdout);
	struct magi_run_result res;
	rp.cancel = cli_interrupt_begin();
	magi_status s = magi_run_gui_recipe(env, team, recipe, &rp, &res, &err);
	if (s) {
		cli_error("%s", magi_error_text(&err));
		rc = cli_interrupt_status() ? cli_interrupt_status() : s == MAGI_ERR_INVALID ? EXIT_USAGE : cli_exit_status(s);
		goto out;
	}
	printf("ended: %s (%s) after %d step%s, %d model calls, %ld+%ld tokens, %.1f s\n", res.reason,
	       res.success ? "success" : "not done", res.steps, res.steps == 1 ? "" : "s", res.calls,
	       res.prompt_tokens, res.completion_tokens, res.wall_ms / 1000);
	if (res.answer)
		printf("answer: %s\n", res.answer);
	if (err.status)
		cli_error("%s", magi_error_text(&err));
	printf("trace:  %s/trace.jsonl\n", res.run_dir);
	if (res.report)
		printf("report: %s\n", res.report);
	rc = res.success ? EXIT_OK : EXIT_FAIL;
	if (!strcmp(res.reason, "trace_error"))
		rc = EXIT_CONFIG;
	else if (cli_interrupt_status())
		rc = cli_interrupt_status();
	magi_run_result_release(&res);
out:
	cli_interrupt_env(NULL);
	magi_env_close(env);
	magi_team_free(team);
	for (int i = 0; i < n_clients; i++)
		magi_client_free(role_clients[i]);
	magi_client_free(def);
	magi_config_free(cfg);
	magi_guard_config_release(&gc);
	magi_secret_list_release(&secrets);
	return rc;
}
