/* xvfb.h — test helper: private Xvfb servers and X client programs for the x11 tests.
 *
 * xvfb_start("1280x720x24", name) starts Xvfb as magi eval does (magi__xvfb_start: it picks
 * a free display and reports it), waits until it accepts connections (XOpenDisplay
 * polling, 5 s) and kills it when the test exits — also when the test dies, through
 * PR_SET_PDEATHSIG.
 * xvfb_spawn runs an X program on a display the same way. Header-only, for test
 * programs (and bench/bench_x11.c); not part of libmagi. */
#ifndef MAGI_TEST_XVFB_H
#define MAGI_TEST_XVFB_H
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include "env/env_internal.h"

#define XVFB_MAX_PIDS 64

static pid_t xvfb_servers_[8];
/* One connection per server held open: an X server resets when its last client leaves,
 * and refuses connections while it does. */
static Display *xvfb_keepers_[8];
static int xvfb_n_servers_;
static pid_t xvfb_kids_[XVFB_MAX_PIDS];
static int xvfb_n_kids_;

static inline double xvfb_now_ms_(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline void xvfb_sleep_ms_(double ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (time_t)(ms / 1000) * 1000) * 1e6)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* true if prog is an executable on PATH */
static inline bool xvfb_have(const char *prog)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	char buf[4096];
	while (*path) {
		size_t n = strcspn(path, ":");
		if (n && n < sizeof buf - strlen(prog) - 2) {
			memcpy(buf, path, n);
			snprintf(buf + n, sizeof buf - n, "/%s", prog);
			if (access(buf, X_OK) == 0)
				return true;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

static inline void xvfb_kill_(pid_t pid)
{
	if (getenv("XVFB_VERBOSE"))
		fprintf(stderr, "xvfb: killing %d\n", (int)pid);
	int st;
	if (pid <= 0 || waitpid(pid, &st, WNOHANG) == pid)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, &st, WNOHANG) != 0)
			return;
		xvfb_sleep_ms_(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static inline void xvfb_cleanup_(void)
{
	for (int i = 0; i < xvfb_n_kids_; i++)
		xvfb_kill_(xvfb_kids_[i]);
	xvfb_n_kids_ = 0;
	for (int i = 0; i < xvfb_n_servers_; i++) {
		if (xvfb_keepers_[i])
			XCloseDisplay(xvfb_keepers_[i]);
		xvfb_kill_(xvfb_servers_[i]);
	}
	xvfb_n_servers_ = 0;
}

static inline void xvfb_child_setup_(int keep_fd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	int dn = open("/dev/null", O_RDWR);
	if (dn >= 0) {
		dup2(dn, 0);
		if (!getenv("XVFB_VERBOSE")) {
			dup2(dn, 1);
			dup2(dn, 2);
		}
		if (dn > 2 && dn != keep_fd)
			close(dn);
	}
}

/* Starts a private Xvfb with the given "WxHxDEPTH" screen; writes ":N" into name.
 * Returns 0, 77 when Xvfb is not installed, -1 when it would not start. */
static inline int xvfb_start(const char *screen, char name[16])
{
	static bool registered;
	if (!xvfb_have("Xvfb"))
		return 77;
	if (!registered) {
		atexit(xvfb_cleanup_);
		registered = true;
	}
	if (xvfb_n_servers_ == (int)(sizeof xvfb_servers_ / sizeof xvfb_servers_[0]))
		return -1;
	/* started as magi eval starts its workers' servers (src/env/xvfb.c) */
	pid_t pid;
	int num;
	struct magi_error err;
	if (magi__xvfb_start(screen, !getenv("XVFB_VERBOSE"), 5000, &pid, &num, &err)) {
		fprintf(stderr, "%s\n", magi_error_text(&err));
		return -1;
	}
	if (getenv("XVFB_VERBOSE"))
		fprintf(stderr, "xvfb: pid %d display :%d\n", (int)pid, num);
	snprintf(name, 16, ":%d", num);
	xvfb_servers_[xvfb_n_servers_] = pid;
	xvfb_keepers_[xvfb_n_servers_++] = NULL;
	double end = xvfb_now_ms_() + 5000;
	while (xvfb_now_ms_() < end) {
		Display *d = XOpenDisplay(name);
		if (d) {
			xvfb_keepers_[xvfb_n_servers_ - 1] = d;
			return 0;
		}
		xvfb_sleep_ms_(50);
	}
	fprintf(stderr, "Xvfb %s started but accepts no connections\n", name);
	return -1;
}

/* Kills the most recently started server (to test a lost connection). */
static inline void xvfb_stop(const char *name)
{
	(void)name;
	if (xvfb_n_servers_ > 0) {
		xvfb_n_servers_--;
		if (xvfb_keepers_[xvfb_n_servers_])
			XCloseDisplay(xvfb_keepers_[xvfb_n_servers_]);
		xvfb_kill_(xvfb_servers_[xvfb_n_servers_]);
	}
}

/* Runs argv with DISPLAY=display; it is killed at exit unless reaped with xvfb_wait. */
static inline pid_t xvfb_spawn(const char *display, char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		xvfb_child_setup_(-1);
		setenv("DISPLAY", display, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid > 0 && xvfb_n_kids_ < XVFB_MAX_PIDS)
		xvfb_kids_[xvfb_n_kids_++] = pid;
	return pid;
}

/* Waits up to timeout_ms for pid; its exit status, or -1 (still running / killed). */
static inline int xvfb_wait(pid_t pid, double timeout_ms)
{
	double end = xvfb_now_ms_() + timeout_ms;
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			for (int i = 0; i < xvfb_n_kids_; i++)
				if (xvfb_kids_[i] == pid)
					xvfb_kids_[i] = xvfb_kids_[--xvfb_n_kids_];
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		if (r < 0 || xvfb_now_ms_() > end)
			return -1;
		xvfb_sleep_ms_(20);
	}
}

/* Waits up to timeout_ms for a mapped child of the root whose WM_NAME is title. */
static inline Window xvfb_find_window(Display *d, const char *title, double timeout_ms)
{
	double end = xvfb_now_ms_() + timeout_ms;
	do {
		Window r, p, *kids = NULL, found = None;
		unsigned n = 0;
		if (XQueryTree(d, DefaultRootWindow(d), &r, &p, &kids, &n)) {
			for (unsigned i = 0; i < n && !found; i++) {
				XWindowAttributes wa;
				char *nm = NULL;
				if (XGetWindowAttributes(d, kids[i], &wa) && wa.map_state == IsViewable &&
				    XFetchName(d, kids[i], &nm) && nm && strcmp(nm, title) == 0)
					found = kids[i];
				if (nm)
					XFree(nm);
			}
			if (kids)
				XFree(kids);
		}
		if (found)
			return found;
		xvfb_sleep_ms_(50);
	} while (xvfb_now_ms_() < end);
	return None;
}
#endif
