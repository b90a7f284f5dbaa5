/* cmd_video.c — `magi video`: questions about video files (`ask`) and their facts (`info`). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const char help[] =
	"usage: magi video ask FILE \"QUESTION\" [OPTIONS]\n"
	"       magi video info FILE\n\n"
	"ask: answers a question about a video with an agent recipe and prints the answer, the\n"
	"evidence with its times, and the cost (model calls, input tokens, frames sent, time).\n"
	"The run directory holds the trace, the evidence frames and report.html.\n\n"
	"options:\n"
	"  --choices \"A) ...|B) ...\"  multiple choice: letters A, B, C ... in order, '|' between\n"
	"  --recipe NAME      avp | lvagent | uniform | a recipe a program registered (default: avp)\n"
	"                       avp      plan what to look at, observe, reflect until the evidence suffices\n"
	"                       lvagent  a team looks, answers in parallel, discusses, drops the weakest\n"
	"                       uniform  one call with K frames spread evenly (the baseline)\n"
	"  --frames K         frames per look: uniform's K (32), avp's per-round budget (32),\n"
	"                     lvagent's sample per member (16)\n"
	"  --max-frames N     frames sent over the whole run (default: no limit)\n"
	"  --max-tokens N     token budget: prompt + completion tokens over the whole run; no\n"
	"                     model call starts that would pass it (default: none)\n"
	"  --max-time S       wall-time budget in seconds (default: none)\n"
	"  --rounds R         avp rounds before a forced answer (default 3); lvagent at most 3\n"
	"  --confidence C     avp stops when the reflector is this sure (default 0.7)\n"
	"  --team M1,M2,...   lvagent team, configured model names in priority order (a name may\n"
	"                     repeat; default: every configured model when there are two or more)\n"
	"  --role ROLE=MODEL  bind a role of the recipe to a model (avp: planner, observer,\n"
	"                     reflector, answer; uniform: answer)\n"
	"  --runs DIR         where run directories go (default: runs)\n"
	"  --prompts DIR      override prompt templates: DIR/<recipe>/<role>.txt\n"
	"  --repair N         re-asks after an unusable reply (default 2)\n"
	"  --no-report        do not write report.html\n"
	"  --progress         print decoding progress lines (on a terminal it is shown anyway)\n"
	"  --quiet            print only the answer lines and the cost\n"
	"  --json             print the result as one JSON object instead\n" CLI_MODEL_OPTS_HELP
	"\nexit status: 0 answered, 1 no answer (model failure, budget), 2 usage,\n"
	"             3 bad input or configuration (unreadable or corrupt video, empty question, bad\n"
	"             choices) or a trace that could not be written,\n"
	"             130/143/129 stopped by SIGINT/SIGTERM/SIGHUP (a second one stops at once)\n"
	"\nexample:\n"
	"  MAGI_BASE_URL=http://127.0.0.1:8080/v1 magi video ask talk.mp4 \\\n"
	"      \"What code is on the whiteboard?\" --choices \"A) 4821|B) 4812|C) 7301\" --recipe avp\n";

#define MAX_TEAM MAGI_VIDEO_MAX_MEMBERS
#define MAX_ROLES 16

struct progress {
	bool tty, lines;
	double start_ms, last_fraction;
	int last_decile;
	bool shown;
};

static bool on_progress(double fraction, void *user)
{
	struct progress *p = user;
	double now = magi_now_ms();
	if (fraction < p->last_fraction || p->last_fraction >= 1 || p->start_ms == 0) {
		p->start_ms = now; /* a new decode */
		p->last_decile = -1;
		p->shown = false;
	}
	p->last_fraction = fraction;
	int decile = (int)(fraction * 10);
	if (p->lines) {
		/* asked for: a line per tenth of every decode */
		if (decile != p->last_decile)
			fprintf(stderr, "  decoding %3d%%\n", decile * 10);
	} else if (now - p->start_ms >= 300 || p->shown) {
		/* on a terminal: a line that updates, for decodes long enough to wait for */
		fprintf(stderr, "\r  decoding %3.0f%%", fraction * 100);
		if (fraction >= 1)
			fputs("\n", stderr);
		p->shown = true;
	}
	p->last_decile = decile;
	fflush(stderr);
	return true;
}

static void on_event(void *ud, const char *line)
{
	(void)ud;
	printf("%s\n", line);
	fflush(stdout);
}

static void json_str(const char *key, const char *val, bool comma)
{
	struct magi_buf b;
	magi_buf_init(&b, 0);
	magi_json_quote(val ? val : "", &b);
	printf("\"%s\":%s%s", key, val ? b.data : "null", comma ? "," : "");
	magi_buf_release(&b);
}

static void print_json(const char *recipe, const struct magi_video_answer *a, magi_status s, const char *error)
{
	putchar('{');
	json_str("recipe", recipe, true);
	json_str("answer", a->answer, true);
	json_str("answer_text", a->answer_text, true);
	json_str("justification", a->justification, true);
	json_str("reason", a->reason, true);
	json_str("status", magi_status_name(s), true);
	if (error)
		json_str("error", error, true);
	printf("\"confidence\":%.3f,\"forced\":%s,\"rounds\":%d,\"calls\":%d,\"prompt_tokens\":%ld,"
	       "\"completion_tokens\":%ld,\"server_prompt_tokens\":%ld,\"est_prompt_tokens\":%ld,\"frames_sent\":%d,"
	       "\"storyboards_sent\":%d,\"frames_decoded\":%d,\"decode_ms\":%.1f,\"wall_ms\":%.1f,",
	       a->confidence, a->forced ? "true" : "false", a->rounds, a->calls, a->prompt_tokens, a->completion_tokens,
	       a->server_prompt_tokens, a->est_prompt_tokens, a->frames_sent, a->storyboards_sent, a->frames_decoded,
	       a->decode_ms, a->wall_ms);
	json_str("run_dir", a->run_dir, true);
	printf("\"evidence\":[");
	for (size_t i = 0; i < a->n_evidence; i++) {
		const struct magi_video_evidence *e = &a->evidence[i];
		printf("%s{\"start\":%.1f,\"end\":%.1f,", i ? "," : "", e->start_s, e->end_s);
		json_str("description", e->description, true);
		json_str("image", e->image, false);
		putchar('}');
	}
	printf("]}\n");
}

static void print_result(const struct magi_video_answer *a)
{
	if (a->answer) {
		printf("answer: %s%s\n", a->answer_text ? a->answer_text : a->answer,
		       a->forced ? "  (forced: the evidence was not sufficient)" : "");
		if (a->confidence > 0 || a->justification)
			printf("why:    (confidence %.2f) %s\n", a->confidence, a->justification ? a->justification : "");
	}
	printf("evidence:%s\n", a->n_evidence ? "" : " none");
	for (size_t i = 0; i < a->n_evidence; i++) {
		const struct magi_video_evidence *e = &a->evidence[i];
		char t0[16], t1[16];
		magi_video_format_time(e->start_s, t0);
		magi_video_format_time(e->end_s, t1);
		printf("  %s-%s  (%.1f-%.1f s)  %s%s%s%s\n", t0, t1, e->start_s, e->end_s, e->description,
		       e->image ? "  [" : "", e->image ? e->image : "", e->image ? "]" : "");
	}
	printf("cost:   %d call%s, %ld input tokens (server %ld, estimated %ld), %d frame%s sent", a->calls,
	       a->calls == 1 ? "" : "s", a->prompt_tokens, a->server_prompt_tokens, a->est_prompt_tokens, a->frames_sent,
	       a->frames_sent == 1 ? "" : "s");
	if (a->storyboards_sent)
		printf(" + %d storyboard%s", a->storyboards_sent, a->storyboards_sent == 1 ? "" : "s");
	printf(", %d round%s, %.1f s (decoding %.1f s)\n", a->rounds, a->rounds == 1 ? "" : "s", a->wall_ms / 1000,
	       a->decode_ms / 1000);
	if (a->run_dir) {
		printf("trace:  %s/trace.jsonl\n", a->run_dir);
		if (a->report)
			printf("report: %s\n", a->report);
	}
}

static int cmd_info(int argc, char **argv)
{
	if (argc != 2 || cli_is_help(argv[1])) {
		fputs("usage: magi video info FILE\n", argc == 2 ? stdout : stderr);
		return argc == 2 ? EXIT_OK : EXIT_USAGE;
	}
	struct magi_video *v;
	struct magi_error err;
	if (magi_video_open(argv[1], &v, &err)) {
		cli_error("%s", magi_error_text(&err));
		return EXIT_CONFIG;
	}
	const struct magi_video_info *in = magi_video_get_info(v);
	char d[16];
	printf("%s: %s (%.1f s), %ux%u, %.3g fps, %lld frames, %s in %s, a key frame every %.2f s (%s)\n", in->path,
	       magi_video_format_time(in->duration_s, d), in->duration_s, in->width, in->height, in->fps,
	       (long long)in->n_frames, in->codec, in->container, in->keyframe_interval_s,
	       in->keyframes_indexed ? "indexed" : "measured");
	magi_video_close(v);
	return EXIT_OK;
}

/* Splits "a,b,c" into at most max names (pointers into a copy owned by *buf). */
static int split_names(const char *s, char **buf, const char **names, int max)
{
	*buf = strdup(s);
	if (!*buf)
		return -1;
	int n = 0;
	for (char *p = *buf; p && *p;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (!*p || n == max)
			return -1;
		names[n++] = p;
		p = comma ? comma + 1 : NULL;
	}
	return n;
}

static int cmd_ask(int argc, char **argv)
{
	struct cli_model_opts mo = {0};
	struct magi_video_ask_params p = magi_video_ask_params_default();
	const char *file = NULL, *question = NULL, *choices = NULL, *team_spec = NULL;
	const char *roles[MAX_ROLES];
	int n_roles = 0;
	bool quiet = false, as_json = false, progress_lines = false, have_question = false;
	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			return EXIT_OK;
		}
		bool tokens = false;
		if ((r = cli_flag_value(argc, argv, &i, "--max-time", &v)) ||
		    ((r = cli_flag_value(argc, argv, &i, "--max-tokens", &v)) && (tokens = true))) {
			if (r < 0)
				return EXIT_USAGE;
			char *end;
			double d = strtod(v, &end);
			if (*end || end == v || d < 0 || d > 1e12 || (tokens && d != (long)d)) {
				cli_error("%s: '%s' is not %s", tokens ? "--max-tokens" : "--max-time", v,
					  tokens ? "a whole number of tokens" : "a number of seconds");
				return EXIT_USAGE;
			}
			if (tokens)
				p.max_tokens = (long)d;
			else
				p.max_wall_s = d;
			continue;
		}
		if ((r = cli_model_opt(&mo, argc, argv, &i)) || (r = cli_flag_value(argc, argv, &i, "--choices", &choices)) ||
		    (r = cli_flag_value(argc, argv, &i, "--recipe", &p.recipe)) ||
		    (r = cli_flag_value(argc, argv, &i, "--team", &team_spec)) ||
		    (r = cli_flag_value(argc, argv, &i, "--runs", &p.runs_dir)) ||
		    (r = cli_flag_value(argc, argv, &i, "--prompts", &p.prompts_dir))) {
			if (r < 0)
				return EXIT_USAGE;
			continue;
		}
		if ((r = cli_flag_value(argc, argv, &i, "--role", &v))) {
			if (r < 0)
				return EXIT_USAGE;
			if (!strchr(v, '=') || n_roles == MAX_ROLES) {
				cli_error("--role wants ROLE=MODEL, e.g. --role observer=big");
				return EXIT_USAGE;
			}
			roles[n_roles++] = v;
			continue;
		}
		static const char *const num_flags[] = {"--frames", "--max-frames", "--rounds", "--confidence", "--repair"};
		int which = -1;
		for (int k = 0; k < 5 && which < 0; k++)
			if ((r = cli_flag_value(argc, argv, &i, num_flags[k], &v))) {
				if (r < 0)
					return EXIT_USAGE;
				which = k;
			}
		if (which >= 0) {
			char *end;
			double d = strtod(v, &end);
			static const double lo[] = {1, 0, 1, 0, 0}, hi[] = {MAGI_VIDEO_MAX_SAMPLES, 1e7, MAGI_VIDEO_MAX_ROUNDS, 1, 10};
			if (*end || end == v || d < lo[which] || d > hi[which] || (which != 3 && d != (long)d)) {
				cli_error("%s: '%s' is not %s from %g to %g", num_flags[which], v,
					  which == 3 ? "a number" : "a whole number", lo[which], hi[which]);
				return EXIT_USAGE;
			}
			if (which == 0)
				p.frames = (int)d;
			else if (which == 1)
				p.max_frames = (int)d;
			else if (which == 2)
				p.rounds = (int)d;
			else if (which == 3)
				p.confidence = d;
			else
				p.repair_attempts = (int)d;
			continue;
		}
		if (!strcmp(argv[i], "--no-report"))
			p.report = false;
		else if (!strcmp(argv[i], "--progress"))
			progress_lines = true;
		else if (!strcmp(argv[i], "--quiet"))
			quiet = true;
		else if (!strcmp(argv[i], "--json"))
			as_json = quiet = true;
		else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("video ask: unknown option '%s' (see magi video ask --help)", argv[i]);
			return EXIT_USAGE;
		} else if (!file) {
			file = argv[i];
		} else if (!have_question) {
			question = argv[i];
			have_question = true;
		} else {
			cli_error("video ask: one file and one question; quote the question: magi video ask FILE \"...\"");
			return EXIT_USAGE;
		}
	}
	if (!file || !have_question) {
		cli_error("video ask: give a video file and a question (see magi video ask --help)");
		return EXIT_USAGE;
	}
	const struct magi_recipe *recipe = magi_recipe_find(p.recipe);
	if (!recipe || recipe->kind != MAGI_RECIPE_VIDEO) {
		char known[512];
		cli_recipe_list(MAGI_RECIPE_VIDEO, known, sizeof known);
		if (recipe)
			cli_error("video ask: recipe '%s' works on screens: use magi run (video recipes: %s)", p.recipe, known);
		else
			cli_error("video ask: unknown recipe '%s' (known: %s)", p.recipe, known);
		return EXIT_USAGE;
	}
	p.recipe = recipe->name;
	bool lvagent = !strcmp(p.recipe, "lvagent");
	if (team_spec && !lvagent) {
		cli_error("video ask: --team is for --recipe lvagent");
		return EXIT_USAGE;
	}
	struct magi_error err;
	magi_error_clear(&err);
	/* bad input is reported before any model is configured, naming what is wrong */
	const char *qs = question;
	while (*qs == ' ' || *qs == '\t' || *qs == '\n')
		qs++;
	if (!*qs) {
		cli_error("video ask: the question is empty: ask something about %s", file);
		return EXIT_CONFIG;
	}
	char **choice_list = NULL;
	size_t n_choices = 0;
	if (choices && magi_video_choices_parse(choices, &choice_list, &n_choices, &err)) {
		cli_error("--choices: %s", magi_error_text(&err));
		return EXIT_CONFIG;
	}
	p.question = question;
	p.choices = (const char *const *)choice_list;
	p.n_choices = n_choices;

	int rc = EXIT_OK;
	struct magi_config *cfg = NULL;
	struct magi_client *def = NULL, *role_clients[MAX_ROLES] = {0}, *members[MAX_TEAM] = {0};
	const char *member_names[MAX_TEAM];
	char *team_buf = NULL;
	int n_members = 0, n_role_clients = 0;
	struct magi_team *team = NULL;
	if ((rc = cli_make_client(&mo, &cfg, NULL, &def)))
		goto out;
	magi_team_new(def, &team);
	if ((rc = cli_bind_roles(recipe, roles, n_roles, &mo, &cfg, team, role_clients, MAX_ROLES, &n_role_clients)))
		goto out;
	if (lvagent) {
		const char *names[MAX_TEAM];
		int n = 0;
		if (team_spec) {
			n = split_names(team_spec, &team_buf, names, MAX_TEAM);
			if (n < 2) {
				cli_error("--team '%s': name 2 to %d configured models, comma-separated", team_spec, MAX_TEAM);
				rc = EXIT_USAGE;
				goto out;
			}
		} else {
			size_t nm = magi_config_model_count(cfg);
			for (size_t i = 0; i < nm && n < MAX_TEAM; i++)
				names[n++] = magi_config_model_name(cfg, i);
			if (n < 2) {
				cli_error("lvagent needs a team of 2 or more models: configure them in magi.yaml and pass "
					  "--team m1,m2 (a name may repeat: --team %s,%s)",
					  magi_client_params(def)->name, magi_client_params(def)->name);
				rc = EXIT_CONFIG;
				goto out;
			}
		}
		for (int i = 0; i < n; i++) {
			struct cli_model_opts ro = mo;
			ro.model = names[i];
			if ((rc = cli_make_client(&ro, &cfg, NULL, &members[i])))
				goto out;
			member_names[i] = names[i];
			n_members = i + 1;
		}
		p.members = members;
		p.member_names = member_names;
		p.n_members = (size_t)n_members;
	}
	struct progress prog = {0};
	prog.tty = isatty(2) && !as_json;
	prog.lines = progress_lines;
	if (prog.tty || prog.lines) {
		p.progress = on_progress;
		p.progress_user = &prog;
	}
	if (!quiet) {
		p.on_event = on_event;
		printf("magi video ask: %s, recipe %s, model %s%s\n", file, p.recipe, magi_client_params(def)->name,
		       lvagent ? " (team below)" : "");
		for (int i = 0; i < n_members; i++)
			printf("  agent%d: %s\n", i + 1, member_names[i]);
		fflush(stdout);
	}
	struct magi_video_answer a;
	p.cancel = cli_interrupt_begin();
	magi_status s = magi_video_ask_recipe(file, team, recipe, &p, &a, &err);
	if (as_json)
		print_json(p.recipe, &a, s, s ? magi_error_text(&err) : NULL);
	if (s) {
		cli_error("%s", magi_error_text(&err));
		rc = cli_exit_status(s);
		if (s == MAGI_ERR_CANCELLED && cli_interrupt_status()) {
			rc = cli_interrupt_status();
			if (!as_json)
				print_result(&a);
		} else if (!as_json && a.run_dir && !(a.reason && !strcmp(a.reason, "trace_error"))) {
			/* (a trace that could not be written is named in the error, not offered as the record) */
			fprintf(stderr, "trace:  %s/trace.jsonl\n", a.run_dir);
		}
	} else {
		if (!as_json)
			print_result(&a);
		rc = EXIT_OK;
	}
	magi_video_answer_release(&a);
out:
	magi_team_free(team);
	for (int i = 0; i < n_role_clients; i++)
		magi_client_free(role_clients[i]);
	for (int i = 0; i < n_members; i++)
		magi_client_free(members[i]);
	magi_client_free(def);
	magi_config_free(cfg);
	magi_video_choices_free(choice_list, n_choices);
	free(team_buf);
	return rc;
}

int cmd_video(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "ask"))
		return cmd_ask(argc - 1, argv + 1);
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc - 1, argv + 1);
	cli_error("video: unknown subcommand '%s' (ask, info; see magi video --help)", argv[1]);
	return EXIT_USAGE;
}
