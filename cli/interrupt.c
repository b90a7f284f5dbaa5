/* interrupt.c — SIGINT, SIGTERM and SIGHUP for the commands that run agents. The first
 * signal sets the flag the run polls (magi_run_params.cancel): the run stops cleanly, held
 * input is released, the trace and report are finished and the usual last lines printed.
 * A second signal exits at once from a thread of its own, still letting go of any mouse
 * button or key held on the screen. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

_Static_assert(sizeof(sig_atomic_t) == sizeof(int), "the cancel flag is read as an int");

static volatile sig_atomic_t first_sig;
static volatile sig_atomic_t count;
static int wake[2] = {-1, -1};
static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;
static struct magi_env *held_env;

static void on_signal(int sig)
{
	int saved = errno;
	if (!first_sig)
		first_sig = sig;
	if (++count >= 2 && wake[1] >= 0) {
		char c = (char)sig;
		ssize_t w = write(wake[1], &c, 1);
		(void)w;
	}
	errno = saved;
}

static void *watchdog(void *arg)
{
	(void)arg;
	char c = 0;
	while (read(wake[0], &c, 1) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&env_lock); /* held until _exit: the environment cannot be closed under us */
	if (held_env)
		magi_env_release_input(held_env, NULL);
	static const char msg[] = "\nmagi: interrupted again: stopping now\n";
	ssize_t w = write(2, msg, sizeof msg - 1);
	(void)w;
	_exit(128 + (first_sig ? first_sig : SIGINT));
	return NULL;
}

const volatile int *cli_interrupt_begin(void)
{
	if (wake[0] < 0 && pipe(wake) == 0) {
		/* the watchdog takes no signals: they go to the thread doing the work */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		pthread_t t;
		if (pthread_create(&t, NULL, watchdog, NULL) == 0)
			pthread_detach(t);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a prompt waiting on the terminal gives up at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return (const volatile int *)&first_sig;
}

void cli_interrupt_env(struct magi_env *env)
{
	pthread_mutex_lock(&env_lock);
	held_env = env;
	pthread_mutex_unlock(&env_lock);
}

int cli_interrupt_status(void)
{
	return first_sig ? 128 + first_sig : 0;
}
