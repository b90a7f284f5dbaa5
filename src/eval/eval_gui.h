/* eval_gui.h — what GUI-task items share between the runner (item_gui.c) and the
 * checkers (checks.c). Internal. */
#ifndef MAGI_EVAL_GUI_H
#define MAGI_EVAL_GUI_H
#include <sys/types.h>
#include <jansson.h>
#include "eval/eval_internal.h"

struct magi__eval_gui_ctx {
	const char *work_dir; /* cwd of commands; base of relative file paths */
	const char *display;  /* ":N" */
	const char *log_path; /* where commands' output goes (NULL: inherited) */
	struct magi_env *env; /* the task's X server, for windows and the screen */
	const char *answer;   /* the agent's final answer (final evaluation only) */
};

/* Starts `sh -c cmd` in its own process group, in work_dir, with DISPLAY set and output to
 * the log; it is killed if the worker dies. Returns its pid (< 0 when fork failed). */
pid_t magi__eval_shell(const char *cmd, const struct magi__eval_gui_ctx *c);
/* Waits for pid: its exit status, -1 when killed by a signal, -2 when it outlived
 * timeout_ms (then its process group is killed). */
int magi__eval_wait(pid_t pid, double timeout_ms);
/* Evaluates every checker (all must pass); *details (may be NULL) gets one
 * {pass, detail} per checker. An empty list never passes. */
bool magi__eval_checks(const json_t *checks, const struct magi__eval_gui_ctx *c, json_t **details);
#endif
