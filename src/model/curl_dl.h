/* curl_dl.h — libcurl's API, loaded on the first request (see src/core/dl.h). Include it
 * instead of <curl/curl.h>; the names below then call through the loaded table.
 *
 * Linked outright, libcurl brings 36 shared objects (GnuTLS, Kerberos, LDAP, SSH, ...) into
 * every magi process: ~18 ms of the dynamic loader's time before main, most of `magi
 * --version`'s. A run loads it on a thread of its own while the first screen is captured
 * and read (magi__curl_preload), off the first request's path. curl's compile-time option
 * checks (typecheck-gcc.h) are macros over the functions' names, so they are off here. */
#ifndef MAGI_CURL_DL_H
#define MAGI_CURL_DL_H
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include "core/dl.h"

#define MAGI_CURL_FUNCS(X)                                                          \
	X(curl_global_init) X(curl_easy_init) X(curl_easy_cleanup) X(curl_easy_reset) \
	X(curl_easy_setopt) X(curl_easy_getinfo) X(curl_easy_perform)                 \
	X(curl_easy_strerror) X(curl_free) X(curl_slist_append) X(curl_slist_free_all) \
	X(curl_multi_init) X(curl_multi_cleanup) X(curl_multi_add_handle)             \
	X(curl_multi_remove_handle) X(curl_multi_perform) X(curl_multi_poll)          \
	X(curl_multi_info_read)

struct magi__curl_api {
#define MAGI__CX(n) __typeof__(&n) n;
	MAGI_CURL_FUNCS(MAGI__CX)
#undef MAGI__CX
};
extern struct magi__curl_api magi__curl;
/* Loads libcurl once and runs its global init (thread-safe; later calls return the first
 * outcome); MAGI_ERR_UNSUPPORTED with what to install when it is missing. */
magi_status magi__curl_load(struct magi_error *err);
/* Starts magi__curl_load on a detached thread (a no-op once started), so that a request
 * later finds libcurl loaded; the first request waits for it if it is not yet. */
void magi__curl_preload(void);
/* Waits until a load started by magi__curl_preload has finished (no-op without one). A run
 * that ends before its first request calls it: the process may otherwise exit while that
 * thread is inside dlopen or curl_global_init, and the exit handlers of the libraries being
 * initialised crashed it (SIGSEGV after a run ended at once, seen under load). */
void magi__curl_preload_wait(void);

/* curl.h defines these two as macros of themselves (for its type checks) */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (magi__curl.curl_global_init)
#define curl_easy_init (magi__curl.curl_easy_init)
#define curl_easy_cleanup (magi__curl.curl_easy_cleanup)
#define curl_easy_reset (magi__curl.curl_easy_reset)
#define curl_easy_setopt (magi__curl.curl_easy_setopt)
#define curl_easy_getinfo (magi__curl.curl_easy_getinfo)
#define curl_easy_perform (magi__curl.curl_easy_perform)
#define curl_easy_strerror (magi__curl.curl_easy_strerror)
#define curl_free (magi__curl.curl_free)
#define curl_slist_append (magi__curl.curl_slist_append)
#define curl_slist_free_all (magi__curl.curl_slist_free_all)
#define curl_multi_init (magi__curl.curl_multi_init)
#define curl_multi_cleanup (magi__curl.curl_multi_cleanup)
#define curl_multi_add_handle (magi__curl.curl_multi_add_handle)
#define curl_multi_remove_handle (magi__curl.curl_multi_remove_handle)
#define curl_multi_perform (magi__curl.curl_multi_perform)
#define curl_multi_poll (magi__curl.curl_multi_poll)
#define curl_multi_info_read (magi__curl.curl_multi_info_read)
#endif
