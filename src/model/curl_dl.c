/* curl_dl.c — the loaded libcurl table, its global init, and its load ahead of need. */
#include <pthread.h>
#include <stdatomic.h>
#include "model/curl_dl.h"
#include "core/common.h"

struct magi__curl_api magi__curl;

static const char *const names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so", NULL};
static const char *const syms[] = {
#define MAGI__CX(n) #n,
	MAGI_CURL_FUNCS(MAGI__CX)
#undef MAGI__CX
	NULL};

static struct magi__dl_lib lib = {
	"libcurl", names, syms, (void **)&magi__curl,
	"install it (Debian: apt-get install libcurl4)", 0, {0}};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_failed;

static void global_init(void)
{
	/* not thread-safe in libcurl before 7.84: run once, here, before any handle */
	init_failed = curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK;
}

magi_status magi__curl_load(struct magi_error *err)
{
	magi_status s = magi__dl_load(&lib, err);
	if (s)
		return s;
	pthread_once(&init_once, global_init);
	if (init_failed)
		return magi_error_set(err, MAGI_ERR_UNSUPPORTED, "libcurl's global initialisation failed");
	return MAGI_OK;
}

/* the preload thread's state: 0 none, 1 running, 2 done */
static pthread_mutex_t pre_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pre_cv = PTHREAD_COND_INITIALIZER;
static int pre_state;

static void *preload_main(void *arg)
{
	(void)arg;
	double t0 = magi_now_ms();
	struct magi_error err;
	if (magi__curl_load(&err) == MAGI_OK)
		MAGI_DEBUG("libcurl loaded ahead of the first request in %.1f ms", magi_now_ms() - t0);
	pthread_mutex_lock(&pre_mu);
	pre_state = 2;
	pthread_cond_broadcast(&pre_cv);
	pthread_mutex_unlock(&pre_mu);
	return NULL; /* a failure shows again, with its message, at the first request */
}

void magi__curl_preload(void)
{
	static atomic_flag started = ATOMIC_FLAG_INIT;
	if (atomic_flag_test_and_set(&started))
		return;
	pthread_t th;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&pre_mu);
	if (pthread_create(&th, &at, preload_main, NULL) != 0)
		MAGI_DEBUG("libcurl: no thread to load it ahead; the first request loads it");
	else
		pre_state = 1;
	pthread_mutex_unlock(&pre_mu);
	pthread_attr_destroy(&at);
}

void magi__curl_preload_wait(void)
{
	pthread_mutex_lock(&pre_mu);
	while (pre_state == 1)
		pthread_cond_wait(&pre_cv, &pre_mu);
	pthread_mutex_unlock(&pre_mu);
}
