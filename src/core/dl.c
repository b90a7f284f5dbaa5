/* dl.c — thread-safe, once-only dlopen of a library and its symbols. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "core/dl.h"
#include "core/common.h"

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

magi_status magi__dl_load(struct magi__dl_lib *lib, struct magi_error *err)
{
	pthread_mutex_lock(&dl_lock);
	if (lib->state == 0) {
		void *h = NULL;
		const char *why = "no library name given";
		for (const char *const *n = lib->names; *n && !h; n++) {
			/* GLOBAL: the library's own dependencies (OpenMP for Tesseract) stay reachable */
			h = dlopen(*n, RTLD_NOW | RTLD_GLOBAL);
			if (!h)
				why = dlerror();
		}
		if (!h) {
			snprintf(lib->failure, sizeof lib->failure, "%s is not available (%s); %s", lib->what,
				 why ? why : "dlopen failed", lib->hint);
			lib->state = -1;
		} else {
			lib->state = 1;
			for (size_t i = 0; lib->syms[i]; i++) {
				void *p = dlsym(h, lib->syms[i]);
				if (!p) {
					snprintf(lib->failure, sizeof lib->failure,
						 "%s lacks the function %s (a different version?); %s", lib->what,
						 lib->syms[i], lib->hint);
					lib->state = -1;
					break;
				}
				lib->ptrs[i] = p;
			}
		}
	}
	int st = lib->state;
	pthread_mutex_unlock(&dl_lock);
	if (st < 0)
		return magi_error_set(err, MAGI_ERR_UNSUPPORTED, "%s", lib->failure);
	return MAGI_OK;
}
