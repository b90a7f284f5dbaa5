/* xvfb.c — starting a private Xvfb: the one way magi eval's GUI workers and the x11 tests
 * start their X servers. Xvfb picks a free display itself and reports its number on a pipe
 * (-displayfd) once it listens, so there is no race for display numbers. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "env/env_internal.h"
#include "core/common.h"

magi_status magi__xvfb_start(const char *screen, bool quiet, double timeout_ms, pid_t *pid_out, int *display,
			     struct magi_error *err)
{
	*pid_out = 0;
	*display = -1;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return magi_error_set(err, MAGI_ERR_ENV, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return magi_error_set(err, MAGI_ERR_ENV, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		int dn = open("/dev/null", O_RDWR);
		if (dn >= 0) {
			dup2(dn, 0);
			if (quiet) {
				dup2(dn, 1);
				dup2(dn, 2);
			}
		}
		int fd = fcntl(fds[1], F_DUPFD, 10); /* without O_CLOEXEC: Xvfb writes to it */
		char fdarg[16];
		snprintf(fdarg, sizeof fdarg, "%d", fd);
		/* -noreset: the server would otherwise reset when its last client leaves and
		 * refuse the next one for a moment */
		execlp("Xvfb", "Xvfb", "-displayfd", fdarg, "-screen", "0", screen, "-nolisten", "tcp", "-noreset",
		       (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char got[16] = {0};
	size_t len = 0;
	double end = magi_now_ms() + timeout_ms;
	while (magi_now_ms() < end && len < sizeof got - 1 && !memchr(got, '\n', len)) {
		struct pollfd p = {fds[0], POLLIN, 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t r = read(fds[0], got + len, sizeof got - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fds[0]);
	long num;
	got[strcspn(got, "\n")] = '\0';
	if (!magi__parse_long(got, 0, 65535, &num)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return magi_error_set(err, MAGI_ERR_ENV, "Xvfb did not start (is the xvfb package installed?)");
	}
	*pid_out = pid;
	*display = (int)num;
	return MAGI_OK;
}
