/* env_internal.h — constructors of the built-in drivers (one file each). */
#ifndef MAGI_ENV_INTERNAL_H
#define MAGI_ENV_INTERNAL_H
#include "magi/env.h"

/* display: NULL/"" uses $DISPLAY; ":99" or "99". */
magi_status magi__env_x11_open(const char *display, struct magi_env **out, struct magi_error *err);
magi_status magi__env_image_open(const char *path, struct magi_env **out, struct magi_error *err);
/* The driver data of env when its ops are ops, else NULL (a driver's own calls). */
void *magi__env_data(struct magi_env *env, const struct magi_env_ops *ops);
/* Frees n elements' strings and the array (NULL is a no-op). */
void magi__elements_free(struct magi_element *el, size_t n);
#endif
