/* cli.h — shared pieces of the magi command's subcommands. */
#ifndef MAGI_CLI_H
#define MAGI_CLI_H
#include <stdbool.h>
#include <stdio.h>
#include "magi/magi.h"

/* Exit statuses of every subcommand. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,   /* the work failed (model error, task not done, ...) */
	EXIT_USAGE = 2,  /* bad flags or arguments */
	EXIT_CONFIG = 3, /* configuration or input file problem */
};

/* Flags every model-using command accepts. */
struct cli_model_opts {
	const char *config;   /* --config FILE */
	const char *model;    /* --model NAME */
	const char *base_url; /* --base-url URL (overrides the configured one) */
	const char *model_id; /* --model-id ID (the request's "model" field) */
	const char *coords;   /* --coords pixels|norm1000|norm1 */
	const char *format;   /* --format NAME: the model's trained format (docs/models.md) */
	const char *record;   /* --record FILE */
	const char *replay;   /* --replay FILE */
	double timeout_s;     /* --timeout S */
	int max_tokens;       /* --max-reply-tokens N: the completion limit of each request */
	int attempts;         /* --attempts N */
};

#define CLI_MODEL_OPTS_HELP                                                                   \
	"  --config FILE      models file (default: $MAGI_CONFIG, ./magi.yaml, or the environment)\n" \
	"  --model NAME       configured model to use (see `magi models`)\n"                       \
	"  --base-url URL     server URL, e.g. http://127.0.0.1:8080/v1 (overrides config)\n"     \
	"  --model-id ID      the \"model\" field sent to the server\n"                            \
	"  --coords SPACE     how the model speaks coordinates: pixels, norm1000, norm1\n"         \
	"  --format NAME      the model's trained prompt, reply and coordinate format: magi,\n"    \
	"                     uitars, uitars-1.0, qwen2.5-vl, qwen3-vl, gui-owl, os-atlas,\n"     \
	"                     seeclick (docs/models.md); magi.yaml: format:\n"                    \
	"  --timeout S        per-request timeout in seconds\n"                                    \
	"  --max-reply-tokens N  completion token limit of each request\n"                         \
	"  --attempts N       attempts per call (retries on 408/409/429/5xx/connection errors)\n"  \
	"  --record FILE      record every answer to a cassette\n"                                 \
	"  --replay FILE      answer from a cassette only (no network)\n"

/* If argv[*i] is a model flag, consumes it (and its value) and returns 1; returns -1 on a
 * missing value (message printed), 0 if it is not a model flag. */
int cli_model_opt(struct cli_model_opts *o, int argc, char **argv, int *i);
/* Loads the config and makes a client for `name` (NULL: o->model or the role binding or
 * the default). Prints a one-line error and returns the exit status on failure. */
/* Loads the config (path NULL: $MAGI_CONFIG, else ./magi.yaml, else the environment) and
 * checks its guards: and mcp: sections too, whichever command it is, with messages naming
 * the file, the line and the key. Prints the error; returns EXIT_OK or EXIT_CONFIG. */
int cli_config_load(const char *path, struct magi_config **out);
/* Reads cfg's guards: section into *gc (initialised by the caller) and adds its secrets to
 * *secrets where no secret of that name is yet (flags win). Prints the error; returns
 * EXIT_OK or EXIT_CONFIG. */
int cli_guard_config(const struct magi_config *cfg, struct magi_secret_list *secrets,
		     struct magi_guard_config *gc);
int cli_make_client(const struct cli_model_opts *o, struct magi_config **cfg, const char *role,
		    struct magi_client **out);
/* The same on a loaded cfg, printing nothing: the message goes to err. */
int cli_client_from_config(const struct cli_model_opts *o, struct magi_config *cfg, const char *role,
			   struct magi_client **out, struct magi_error *err);
/* The exit status a failure of status s means at the command line: EXIT_CONFIG for a
 * configuration or input problem (bad config, 401, malformed URL, a cassette miss, a missing,
 * unreadable or bad input file, a URL given as a file, a trace that cannot be written),
 * EXIT_FAIL for work that failed (network, server, model, budget), EXIT_OK for MAGI_OK. One
 * mapping for every command, so a configuration error exits 3 everywhere. */
int cli_exit_status(magi_status s);
/* Prints "magi: <msg>" to stderr. */
void cli_error(const char *fmt, ...) MAGI_PRINTF(1, 2);
/* Matches --flag VALUE; on match stores the value and advances *i. -1 when the value is missing. */
int cli_flag_value(int argc, char **argv, int *i, const char *flag, const char **val);
/* True for -h/--help. */
int cli_is_help(const char *a);
/* A numeric flag and the values it takes: lo..hi, whole numbers unless real. */
struct cli_num_flag {
	const char *flag;
	double lo, hi;
	bool real;
};
/* Matches argv[*i] against flags[0..n) (--flag V or --flag=V) and advances *i: the index of
 * the flag matched with its value in *val, -1 when none matched, -2 when the value is
 * missing or not a number in range (message printed: a usage error). */
int cli_num_flag(int argc, char **argv, int *i, const struct cli_num_flag *flags, size_t n, double *val);
/* A subcommand of a command that has several ("magi eval run"): its name and what runs
 * it, given argc/argv from the subcommand's name on. */
struct cli_sub {
	const char *name;
	int (*run)(int argc, char **argv);
};
/* Runs the subcommand argv[1] names among subs[0..n): none given prints help to stderr
 * (EXIT_USAGE), -h/--help prints it to stdout (EXIT_OK), an unknown name is a usage error
 * naming `cmd` and the subcommands there are. */
int cli_subcommand(const char *cmd, const char *help, const struct cli_sub *subs, size_t n, int argc, char **argv);

/* The browser's flags (magi run --env browser[:URL]). */
struct cli_browser_opts {
	bool set; /* any of them was given */
	bool headful, marks, webgl;
	unsigned width, height; /* --viewport; 0: the default */
	double scale;           /* --scale; 0: the default */
	const char *profile, *upload_dir, *download_dir;
};
#define CLI_BROWSER_OPTS_HELP                                                                 \
	"browser (--env browser[:URL]; Chromium, headless, a fresh profile removed at the end):\n" \
	"  --headful          show the window on $DISPLAY\n"                                       \
	"  --viewport WxH     viewport in CSS pixels (default 1280x720)\n"                         \
	"  --scale F          device-pixel ratio (default 1; screenshots are F times larger)\n"    \
	"  --profile DIR      use and keep this Chromium profile\n"                                \
	"  --marks            draw the element numbers on the screenshot (set of marks)\n"        \
	"  --webgl            let pages use WebGL (headless: off by default, it slows the start)\n" \
	"  --upload-dir DIR   files the page may be given (upload_file) come only from DIR\n"      \
	"  --downloads DIR    save downloads in DIR (default: downloads are refused)\n"            \
	"  (--allow-domain also holds for every request the page makes)\n"
/* Consumes a browser flag: 1, -1 on a bad value (message printed), 0 if not one. */
int cli_browser_opt(struct cli_browser_opts *o, int argc, char **argv, int *i);
/* Whether an --env spec names the browser (browser or browser:URL). */
bool cli_env_is_browser(const char *spec);
/* Opens spec, with the browser flags and the allowlist (borrowed; it must outlive *env)
 * when it is a browser. Prints the error; returns EXIT_OK, EXIT_USAGE or EXIT_CONFIG. */
int cli_env_open(const char *spec, const struct cli_browser_opts *o, const char *const *allow, size_t n_allow,
		 struct magi_env **env);

/* Signals for commands that run agents (interrupt.c): installs the handlers and returns
 * the flag for magi_run_params.cancel / magi_video_ask_params.cancel (the first signal's
 * number, 0 until one comes). env (may be NULL) is released by a second signal: set it
 * while it is open and NULL before closing it. cli_interrupt_status: 128 + the signal
 * (130, 143, 129), or 0 when none came. */
const volatile int *cli_interrupt_begin(void);
void cli_interrupt_env(struct magi_env *env);
int cli_interrupt_status(void);

/* The registered recipes of a kind, "a, b, c", into out (roles.c). */
void cli_recipe_list(enum magi_recipe_kind kind, char *out, size_t n);
/* Binds every role of rc to a model: the ROLE=MODEL specs (--role flags; one naming a role
 * rc lacks is a usage error listing its roles), else magi.yaml's roles: section unless
 * --model was given. New clients go to clients[*n...] (max in all; the caller frees
 * them). Prints the error; returns an exit status. */
int cli_bind_roles(const struct magi_recipe *rc, const char *const *specs, int n_specs,
		   const struct cli_model_opts *mo, struct magi_config **cfg, struct magi_team *team,
		   struct magi_client **clients, int max, int *n);

int cmd_chat(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_guard(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_video(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_mcp(int argc, char **argv);
#endif
