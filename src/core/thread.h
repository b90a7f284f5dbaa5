/* thread.h — the end of a helper thread that sleeps on a condition variable (internal). */
#ifndef MAGI_THREAD_H
#define MAGI_THREAD_H
#include <pthread.h>
#include <stdbool.h>

/* Sets *quit (and *also, when not NULL) under mu, wakes the thread, waits for it to end,
 * then destroys cv and mu. */
static inline void magi__thread_stop(pthread_t th, pthread_mutex_t *mu, pthread_cond_t *cv,
				     bool *quit, bool *also)
{
	pthread_mutex_lock(mu);
	if (also)
		*also = true;
	*quit = true;
	pthread_cond_broadcast(cv);
	pthread_mutex_unlock(mu);
	pthread_join(th, NULL);
	pthread_cond_destroy(cv);
	pthread_mutex_destroy(mu);
}
#endif
