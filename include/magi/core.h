/*
 * magi/core.h — status codes, error records, the capped buffer, base64, logging, clocks.
 *
 * Everything else in magi stands on this header. It includes only standard headers.
 * Conventions used across the whole API:
 *   - fallible functions return magi_status and write results through out-parameters,
 *     which are set to NULL/0 on failure;
 *   - detail for the person lives in a struct magi_error (or on a handle, read with
 *     the handle's *_errmsg function): what failed, on which input, what to do;
 *   - _new/_free for heap objects (_free(NULL) is a no-op), _init/_release for embedded
 *     structs, _detach/_take hands memory to the caller.
 */
#ifndef MAGI_CORE_H
#define MAGI_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MAGI_BUILDING) && defined(__GNUC__)
#define MAGI_API __attribute__((visibility("default")))
#else
#define MAGI_API
#endif

#if defined(__GNUC__)
#define MAGI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MAGI_PRINTF(a, b)
#endif

#define MAGI_VERSION "0.1.0"

/* The one list of status codes: X(NAME, "message"). */
#define MAGI_STATUS_LIST(X)                                                    \
	X(OK, "ok")                                                            \
	X(ERR_NOMEM, "out of memory")                                          \
	X(ERR_INVALID, "invalid argument")                                     \
	X(ERR_IO, "input/output error")                                        \
	X(ERR_PARSE, "malformed input")                                        \
	X(ERR_LIMIT, "size limit exceeded")                                    \
	X(ERR_NOT_FOUND, "not found")                                          \
	X(ERR_UNSUPPORTED, "not supported")                                    \
	X(ERR_CONFIG, "configuration error")                                   \
	X(ERR_NETWORK, "network error")                                        \
	X(ERR_HTTP, "server returned an error")                                \
	X(ERR_TIMEOUT, "timed out")                                            \
	X(ERR_MODEL, "unusable model reply")                                   \
	X(ERR_IMAGE, "bad image")                                              \
	X(ERR_VIDEO, "bad video")                                              \
	X(ERR_ENV, "environment error")                                        \
	X(ERR_PROCESS, "child process failed")                                 \
	X(ERR_DENIED, "denied by policy")                                      \
	X(ERR_BUDGET, "budget exhausted")                                      \
	X(ERR_CANCELLED, "cancelled")                                          \
	X(ERR_REPLAY_MISS, "request not in cassette")

typedef enum magi_status {
#define MAGI__X(name, msg) MAGI_##name,
	MAGI_STATUS_LIST(MAGI__X)
#undef MAGI__X
	MAGI__STATUS_COUNT
} magi_status;

/* Short constant text for a status; never NULL ("unknown status" for stray values). */
MAGI_API const char *magi_strerror(magi_status s);
/* The status's enum name without prefix, e.g. "ERR_TIMEOUT"; never NULL. */
MAGI_API const char *magi_status_name(magi_status s);

/* An error record: the status and a message for the person. Embed it in handles. */
#define MAGI_ERRMSG_MAX 1024
struct magi_error {
	magi_status status;
	char msg[MAGI_ERRMSG_MAX];
};

/* Sets e (if not NULL) to status s and a formatted message; returns s so callers can
 * `return magi_error_set(err, MAGI_ERR_IO, "cannot open %s: %s", path, strerror(errno));` */
MAGI_API magi_status magi_error_set(struct magi_error *e, magi_status s, const char *fmt, ...)
	MAGI_PRINTF(3, 4);
/* Clears e to MAGI_OK with an empty message. NULL is a no-op. */
MAGI_API void magi_error_clear(struct magi_error *e);
/* Prefixes the message in e with formatted context ("reading magi.yaml: ..."). */
MAGI_API void magi_error_prefix(struct magi_error *e, const char *fmt, ...) MAGI_PRINTF(2, 3);
/* The message, or the status text when the message is empty. Never NULL. */
MAGI_API const char *magi_error_text(const struct magi_error *e);

/* ---- capped buffer ------------------------------------------------------------ */
/* A growable byte buffer with a hard cap. After magi_buf_init, data is never NULL and
 * is always NUL-terminated. An append that would pass max frees the buffer's memory,
 * leaves it empty and returns MAGI_ERR_LIMIT (or MAGI_ERR_NOMEM). */
struct magi_buf {
	char *data;
	size_t len;
	size_t cap; /* allocated bytes; 0 while data points at a shared empty string */
	size_t max; /* largest len allowed */
};
#define MAGI_BUF_DEFAULT_MAX ((size_t)1 << 30)

MAGI_API void magi_buf_init(struct magi_buf *b, size_t max);
MAGI_API void magi_buf_release(struct magi_buf *b);
MAGI_API void magi_buf_reset(struct magi_buf *b); /* len = 0, keeps memory */
MAGI_API magi_status magi_buf_append(struct magi_buf *b, const void *p, size_t n);
MAGI_API magi_status magi_buf_puts(struct magi_buf *b, const char *s);
MAGI_API magi_status magi_buf_putc(struct magi_buf *b, char c);
MAGI_API magi_status magi_buf_printf(struct magi_buf *b, const char *fmt, ...) MAGI_PRINTF(2, 3);
MAGI_API magi_status magi_buf_reserve(struct magi_buf *b, size_t extra);
/* Hands the heap string to the caller (free() it) and re-inits b empty. Never NULL
 * unless out of memory. */
MAGI_API char *magi_buf_detach(struct magi_buf *b, size_t *len);

/* ---- base64 ---------------------------------------------------------------------- */
/* Appends the standard base64 (with padding) of data to out. */
MAGI_API magi_status magi_base64_encode(const void *data, size_t n, struct magi_buf *out);
/* Decodes standard base64 (whitespace ignored) into out; MAGI_ERR_PARSE on bad input. */
MAGI_API magi_status magi_base64_decode(const char *s, size_t n, struct magi_buf *out);

/* ---- hashing ---------------------------------------------------------------------- */
/* SHA-256 of data written as 64 lowercase hex chars plus NUL into hex[65]. */
MAGI_API void magi_sha256_hex(const void *data, size_t n, char hex[65]);

/* ---- logging ---------------------------------------------------------------------- */
enum magi_log_level { MAGI_LOG_DEBUG, MAGI_LOG_INFO, MAGI_LOG_WARN, MAGI_LOG_ERROR, MAGI_LOG_OFF };
/* Level comes from MAGI_LOG=debug|info|warn|error|off (default warn) on first use. */
MAGI_API void magi_log(enum magi_log_level lvl, const char *fmt, ...) MAGI_PRINTF(2, 3);
MAGI_API void magi_log_set_level(enum magi_log_level lvl);
MAGI_API enum magi_log_level magi_log_get_level(void);
#define MAGI_DEBUG(...) magi_log(MAGI_LOG_DEBUG, __VA_ARGS__)
#define MAGI_INFO(...) magi_log(MAGI_LOG_INFO, __VA_ARGS__)
#define MAGI_WARN(...) magi_log(MAGI_LOG_WARN, __VA_ARGS__)

/* ---- clocks ----------------------------------------------------------------------- */
/* Monotonic milliseconds (fractional) since an arbitrary point. */
MAGI_API double magi_now_ms(void);
/* Wall clock as Unix seconds with fraction. */
MAGI_API double magi_wall_s(void);
/* UTC time as "2026-11-27T03:15:02.123Z" into out[32]. */
MAGI_API void magi_wall_iso(char out[32]);
MAGI_API void magi_sleep_ms(double ms);
/* Grows the process's malloc heap by `bytes` ahead of need and advises its whole 2 MiB pages
 * as transparent huge pages: what is allocated next faults once per 2 MiB instead of once
 * per 4 KiB (~10 us a fault on a VM). For a process about to allocate that much (magi run
 * before its OCR engines load); call it before other threads allocate. Costs up to `bytes`
 * resident once used, and glibc then keeps blocks up to that size in the heap. Returns the
 * bytes advised (0: nothing done; MAGI_HEAP_AHEAD=0 in the environment turns it off). */
MAGI_API size_t magi_heap_ahead(size_t bytes);
/* magi_heap_ahead's first step alone: glibc serves blocks up to bytes from its heap from now
 * on (raises its mmap threshold the documented way: one such block mapped and freed), so
 * blocks freed and asked for again reuse memory already faulted in. MAGI_HEAP_AHEAD=0: off. */
MAGI_API void magi_heap_reuse(size_t bytes);

/* ---- JSON text ------------------------------------------------------------------ */
/* Appends s as a JSON string literal (quotes included, escaped). Invalid UTF-8 bytes are
 * replaced with U+FFFD so the output is always valid JSON. */
MAGI_API magi_status magi_json_quote(const char *s, struct magi_buf *out);

/* ---- files -------------------------------------------------------------------------- */
/* Reads a whole regular file into out (appending). Refused before any byte is read, with a
 * message naming path: a URL ("scheme://...", MAGI_ERR_UNSUPPORTED), a directory, FIFO,
 * device or socket (MAGI_ERR_IO), a file larger than out->max allows (MAGI_ERR_LIMIT). */
MAGI_API magi_status magi_file_read(const char *path, struct magi_buf *out, struct magi_error *err);
/* Reads fd to its end into out (appending), whatever it is (pipe, terminal); name is used in
 * messages. MAGI_ERR_LIMIT as soon as out->max would be passed. fd stays open. */
MAGI_API magi_status magi_file_read_fd(int fd, const char *name, struct magi_buf *out,
				       struct magi_error *err);
/* Writes data to path atomically: a temp file beside it, written in full (its length on disk
 * checked), fsync'd and closed without error, then renamed over path. On any failure
 * (ENOSPC, EIO, EROFS, ...) path is untouched, the temp file removed, and the message names
 * path and the OS error. */
MAGI_API magi_status magi_file_write(const char *path, const void *data, size_t n,
				     struct magi_error *err);
/* mkdir -p */
MAGI_API magi_status magi_mkdirs(const char *path, struct magi_error *err);

#ifdef __cplusplus
}
#endif
#endif
