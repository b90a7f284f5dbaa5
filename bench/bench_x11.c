/* bench_x11.c — how long one x11 observation takes at 1280x720: the median over 50
 * observes with MIT-SHM (XShmGetImage) and with plain XGetImage. An observation is the
 * capture, the conversion to RGB8 and the window list.
 *
 * Runs its own Xvfb (1280x720x24) with a few real windows on it; MAGI_BENCH_DISPLAY=:N
 * measures an existing display instead. Exits 77 when Xvfb is missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../tests/x11/xvfb.h"
#include "magi/env.h"
#include "env/env_internal.h"
#include "bench_util.h"

#define RUNS 50

static int bench(const char *display, bool shm, double *med, double *min)
{
	if (shm)
		unsetenv("MAGI_X11_NO_SHM");
	else
		setenv("MAGI_X11_NO_SHM", "1", 1);
	struct magi_env *env;
	struct magi_error err;
	if (magi__env_x11_open(display, &env, &err) != MAGI_OK) {
		fprintf(stderr, "%s\n", magi_error_text(&err));
		return 1;
	}
	double t[RUNS];
	for (int i = -5; i < RUNS; i++) { /* 5 warm-up rounds */
		struct magi_obs obs;
		if (magi_env_observe(env, &obs, &err) != MAGI_OK) {
			fprintf(stderr, "%s\n", magi_error_text(&err));
			magi_env_close(env);
			return 1;
		}
		if (i >= 0)
			t[i] = obs.capture_ms;
		magi_obs_release(&obs);
	}
	magi_env_close(env);
	*med = bench_median(t, RUNS);
	*min = t[0]; /* sorted by bench_median() */
	return 0;
}

int main(void)
{
	char name[16];
	const char *display = getenv("MAGI_BENCH_DISPLAY");
	if (!display) {
		int rc = xvfb_start("1280x720x24", name);
		if (rc)
			return rc == 77 ? 77 : 1;
		display = name;
		char *xm[] = {"xmessage", "-geometry", "600x300+40+40", "-bg", "#3366cc", "benchmark", NULL};
		char *xt[] = {"xterm", "-geometry", "100x30+500+200", NULL};
		char *xc[] = {"xclock", "-geometry", "200x200+1000+20", NULL};
		if (xvfb_have("xmessage"))
			xvfb_spawn(display, xm);
		if (xvfb_have("xterm"))
			xvfb_spawn(display, xt);
		if (xvfb_have("xclock"))
			xvfb_spawn(display, xc);
		xvfb_sleep_ms_(1000);
	}
	double shm_med, shm_min, get_med, get_min;
	if (bench(display, true, &shm_med, &shm_min) || bench(display, false, &get_med, &get_min))
		return 1;
	printf("x11 observe at %s, median of %d (capture + RGB8 conversion + window list):\n", display,
	       RUNS);
	printf("  XShmGetImage  %7.2f ms (min %.2f)\n", shm_med, shm_min);
	printf("  XGetImage     %7.2f ms (min %.2f)\n", get_med, get_min);
	return 0;
}
