/* common.h — included by every magi source file after its system headers: the public
 * core API, internal helpers shared across layers, and the banned-function list last. */
#ifndef MAGI_COMMON_H
#define MAGI_COMMON_H
#include <stddef.h>
#include "magi/core.h"

#define MAGI_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAGI_MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAGI_MAX(a, b) ((a) > (b) ? (a) : (b))

/* strdup that returns NULL only on OOM (and for NULL input). */
char *magi__strdup(const char *s);
char *magi__strndup(const char *s, size_t n);
/* Parses a base-10 integer in [lo, hi]; false on junk or overflow. */
bool magi__parse_long(const char *s, long lo, long hi, long *out);
/* Parses a finite double; false on junk. */
bool magi__parse_double(const char *s, double *out);
/* Makes room for element index n in the growable array *arrp (a pointer to any element
 * pointer) of capacity *cap, doubling from `first`; false (array untouched) on OOM or
 * overflow. Usage: if (!magi__grow(&v->items, &v->cap, v->n, sizeof *v->items, 16)) ... */
bool magi__grow(void *arrp, size_t *cap, size_t n, size_t elem, size_t first);
/* true if s ends with suffix */
bool magi__ends_with(const char *s, const char *suffix);

#include "core/magi_banned.h"
#endif
