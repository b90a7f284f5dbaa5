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

/* ---- checked file writes (file.c) ---- */
/* Writes all n bytes to fd, going on after short writes and EINTR. On failure the message
 * names path, the OS error and how many bytes were written. */
magi_status magi__fd_write_all(int fd, const void *data, size_t n, const char *path, struct magi_error *err);
/* fdatasync (data_only) or fsync of fd; on failure the message names path and the OS error. */
magi_status magi__fd_sync(int fd, bool data_only, const char *path, struct magi_error *err);
/* magi_file_write, with the fsync before the rename only when sync: unsynced, the file still
 * takes its name whole or not at all, but a power cut may lose it. */
magi_status magi__file_write_sync(const char *path, const void *data, size_t n, bool sync, struct magi_error *err);
/* Test hook: arms write and sync faults, each "N" or "N:ENOSPC|EIO|EROFS|EDQUOT|EFBIG" (NULL or
 * "" for none): the Nth write (sync) from now on fails with that errno (ENOSPC by default).
 * Without a call, the environment's MAGI_FAULT_WRITE and MAGI_FAULT_SYNC are read once. */
void magi__fault_set(const char *write_spec, const char *sync_spec);
/* "a directory", "a FIFO (named pipe)", "a character device", ... for a stat st_mode */
const char *magi__file_kind(unsigned int st_mode);
/* true for "scheme://..." (http, https, rtsp, file, ...): inputs magi cannot open yet */
bool magi__path_is_url(const char *path);

#include "core/magi_banned.h"
#endif
