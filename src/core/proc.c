/* proc.c — fork/exec with captured output and a timeout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/proc.h"
#include "core/common.h"

magi_status magi__proc_run(char *const argv[], const char *stdin_data, bool merge_stderr,
			   size_t out_max, double timeout_ms, struct magi_proc_result *res,
			   struct magi_error *err)
{
	memset(res, 0, sizeof *res);
	magi_buf_init(&res->out, out_max);
	int in[2] = {-1, -1}, out[2];
	if (pipe2(out, O_CLOEXEC) != 0)
		return magi_error_set(err, MAGI_ERR_PROCESS, "pipe: %s", strerror(errno));
	if (stdin_data && pipe2(in, O_CLOEXEC) != 0) {
		close(out[0]);
		close(out[1]);
		return magi_error_set(err, MAGI_ERR_PROCESS, "pipe: %s", strerror(errno));
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(out[0]);
		close(out[1]);
		if (in[0] >= 0) {
			close(in[0]);
			close(in[1]);
		}
		return magi_error_set(err, MAGI_ERR_PROCESS, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		setpgid(0, 0);
		if (stdin_data)
			dup2(in[0], 0);
		else {
			int dn = open("/dev/null", O_RDONLY);
			if (dn >= 0)
				dup2(dn, 0);
		}
		dup2(out[1], 1);
		if (merge_stderr)
			dup2(out[1], 2);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	if (in[0] >= 0)
		close(in[0]);
	/* Feed stdin in full before reading: callers pass small inputs. */
	if (stdin_data) {
		signal(SIGPIPE, SIG_IGN);
		size_t left = strlen(stdin_data);
		const char *p = stdin_data;
		while (left) {
			ssize_t w = write(in[1], p, left);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			p += w;
			left -= (size_t)w;
		}
		close(in[1]);
	}
	double deadline = timeout_ms > 0 ? magi_now_ms() + timeout_ms : 0;
	bool overflow = false;
	for (;;) {
		int wait_ms = -1;
		if (deadline) {
			double left = deadline - magi_now_ms();
			if (left <= 0) {
				res->timed_out = true;
				break;
			}
			wait_ms = (int)left + 1;
		}
		struct pollfd pfd = {out[0], POLLIN, 0};
		int pr = poll(&pfd, 1, wait_ms);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			continue;
		char chunk[8192];
		ssize_t r = read(out[0], chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (!overflow && magi_buf_append(&res->out, chunk, (size_t)r) != MAGI_OK)
			overflow = true; /* keep draining so the child is not blocked */
	}
	close(out[0]);
	if (res->timed_out)
		kill(-pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st))
		res->exit_code = WEXITSTATUS(st);
	else {
		res->exit_code = -1;
		res->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	}
	if (res->timed_out)
		return magi_error_set(err, MAGI_ERR_TIMEOUT, "%s did not finish within %.0f ms", argv[0],
				      timeout_ms);
	if (overflow)
		return magi_error_set(err, MAGI_ERR_LIMIT, "%s printed more than %zu bytes", argv[0], out_max);
	return MAGI_OK;
}

magi_status magi__proc_spawn(char *const argv[], pid_t *pid, struct magi_error *err)
{
	*pid = 0;
	pid_t p = fork();
	if (p < 0)
		return magi_error_set(err, MAGI_ERR_PROCESS, "fork: %s", strerror(errno));
	if (p == 0) {
		int dn = open("/dev/null", O_RDONLY);
		if (dn >= 0)
			dup2(dn, 0);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	*pid = p;
	return MAGI_OK;
}

void magi__proc_kill(pid_t pid, double grace_ms)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	double end = magi_now_ms() + grace_ms;
	int st;
	while (magi_now_ms() < end) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return;
		magi_sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}
