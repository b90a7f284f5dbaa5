/*
 * cdp.h — a Chrome DevTools Protocol client over --remote-debugging-pipe (internal to
 * src/env; the browser driver is its one user).
 *
 * The child reads requests on its fd 3 and writes replies and events on its fd 4, each
 * message one JSON text followed by a NUL byte. Requests carry an id (and a sessionId for
 * a target attached in flat mode); the reply carries the same id; events have a method
 * and no id. Sources: chromium components/devtools/devtools_pipe, the devtools-protocol
 * PDL files (see /work/shared/research/browser-mcp-eval-adb.md, section 1).
 *
 * One thread drives a client (calls, waits, the event handler); a reader thread of the
 * client's own reads the pipe. Every call has a timeout; a late reply to a call that
 * timed out is dropped when it comes. Each event goes first to the I/O handler, on the
 * reader thread, which may answer it at once (magi__cdp_send only) and keep it from the
 * queue; the rest run in the event handler on the driving thread, inside magi__cdp_call
 * and magi__cdp_wait. Handlers may send but not call. The child dies with the process
 * that started it (PR_SET_PDEATHSIG) and is reaped by magi__cdp_close.
 */
#ifndef MAGI_CDP_H
#define MAGI_CDP_H
#include <jansson.h>
#include <sys/types.h>
#include "magi/core.h"

#define MAGI_CDP_MAX_MESSAGE ((size_t)256 << 20) /* larger messages are dropped */

struct magi__cdp;

/* Called for every event: method, the session it came from (NULL: the browser) and its
 * params (borrowed for the call). */
typedef void (*magi__cdp_event_fn)(void *ud, const char *method, const char *session,
				   json_t *params);

/* Starts argv[0] (an absolute path) with argv, the protocol pipe on the child's fds 3 and
 * 4, stdin and stdout on /dev/null, stderr appended to stderr_path (NULL: /dev/null), in a
 * process group of its own, killed when the calling thread's process dies. MAGI_ERR_ENV
 * with the reason when the program cannot be run. */
magi_status magi__cdp_start(char *const argv[], const char *stderr_path, struct magi__cdp **out,
			    struct magi_error *err);
void magi__cdp_set_handler(struct magi__cdp *c, magi__cdp_event_fn fn, void *ud);
/* Runs on the reader thread for every event as it arrives; true keeps it from the queue.
 * It must be quick, touch only what is its own, and may call magi__cdp_send. */
typedef bool (*magi__cdp_io_fn)(void *ud, const char *method, const char *session, json_t *params);
void magi__cdp_set_io_handler(struct magi__cdp *c, magi__cdp_io_fn fn, void *ud);

/* Sends a request without waiting for its reply (errors in the reply are logged at debug
 * level). params is stolen (NULL: {}). Safe from any thread. */
magi_status magi__cdp_send(struct magi__cdp *c, const char *session, const char *method,
			   json_t *params, struct magi_error *err);
/* Sends a request and waits up to timeout_ms for its reply, handling events meanwhile.
 * params is stolen (NULL: {}). On success *result (when not NULL) is the reply's "result"
 * object, owned by the caller. A protocol error is MAGI_ERR_ENV with "METHOD: message";
 * no reply in time is MAGI_ERR_TIMEOUT; a dead child is MAGI_ERR_ENV saying how it died. */
magi_status magi__cdp_call(struct magi__cdp *c, const char *session, const char *method,
			   json_t *params, double timeout_ms, json_t **result,
			   struct magi_error *err);
/* Handles events for up to timeout_ms, returning early once done(ud) is true (done may
 * be NULL: run the whole time). MAGI_ERR_ENV when the child died. */
magi_status magi__cdp_wait(struct magi__cdp *c, bool (*done)(void *ud), void *ud, double timeout_ms,
			   struct magi_error *err);

/* From an event handler: makes the call now waiting return MAGI_ERR_CANCELLED at once
 * (its reply is dropped when it comes). A page that opens a JavaScript dialog stops
 * answering screenshot and DOM calls until the dialog is answered. */
void magi__cdp_interrupt(struct magi__cdp *c);

/* false once the pipe broke or the child exited; *why (may be NULL) then says how. */
bool magi__cdp_alive(struct magi__cdp *c, const char **why);
pid_t magi__cdp_pid(const struct magi__cdp *c);
/* Asks the browser to close (Browser.close), waits up to grace_ms for it to exit, then
 * kills its process group; reaps the child and frees c. NULL is a no-op. */
void magi__cdp_close(struct magi__cdp *c, double grace_ms);
#endif
