/* env_internal.h — constructors of the built-in drivers (one file each). */
#ifndef MAGI_ENV_INTERNAL_H
#define MAGI_ENV_INTERNAL_H
#include "magi/env.h"

/* display: NULL/"" uses $DISPLAY; ":99" or "99". */
magi_status magi__env_x11_open(const char *display, struct magi_env **out, struct magi_error *err);
magi_status magi__env_image_open(const char *path, struct magi_env **out, struct magi_error *err);
/* The same with path's image already decoded: takes img (freed on failure too). */
magi_status magi__env_image_wrap(const char *path, struct magi_image *img, struct magi_env **out,
				 struct magi_error *err);
/* Starts `Xvfb -displayfd FD -screen 0 SCREEN -nolisten tcp -noreset` ("WxHxDEPTH") in its
 * own process group, terminated when its parent dies, its output to /dev/null when quiet;
 * waits up to timeout_ms for it to report the display it listens on: *pid and *display (N
 * of ":N"). The caller stops it (by its pid). MAGI_ERR_ENV when it did not start (the
 * process is then killed and reaped). A client may need a moment more to get in. */
magi_status magi__xvfb_start(const char *screen, bool quiet, double timeout_ms, pid_t *pid, int *display,
			     struct magi_error *err);
/* The driver data of env when its ops are ops, else NULL (a driver's own calls). */
void *magi__env_data(struct magi_env *env, const struct magi_env_ops *ops);
/* Frees n elements' strings and the array (NULL is a no-op). */
void magi__elements_free(struct magi_element *el, size_t n);
#endif
