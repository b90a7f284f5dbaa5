/* proc.h — spawning child processes (internal). Used by environments (adb, helpers),
 * tests and the eval harness's command checkers. */
#ifndef MAGI_PROC_H
#define MAGI_PROC_H
#include <sys/types.h>
#include "magi/core.h"

struct magi_proc_result {
	int exit_code;  /* 0..255 on normal exit, -1 if killed or timed out */
	int signal;     /* terminating signal, 0 if none */
	bool timed_out;
	struct magi_buf out; /* captured stdout (and stderr if merged) */
};

/* Runs argv[0] (PATH lookup) with argv, feeding stdin_data (may be NULL), capturing stdout
 * (and stderr when merge_stderr) up to out_max bytes, killing it after timeout_ms (0 = none).
 * Returns MAGI_OK if the process ran (whatever its exit code); res->out must be released
 * with magi_buf_release. */
magi_status magi__proc_run(char *const argv[], const char *stdin_data, bool merge_stderr,
			   size_t out_max, double timeout_ms, struct magi_proc_result *res,
			   struct magi_error *err);

/* Starts argv in the background with stdio inherited (stdin from /dev/null); *pid out. */
magi_status magi__proc_spawn(char *const argv[], pid_t *pid, struct magi_error *err);

/* Sends SIGTERM, waits up to grace_ms, then SIGKILL; reaps. */
void magi__proc_kill(pid_t pid, double grace_ms);
#endif
