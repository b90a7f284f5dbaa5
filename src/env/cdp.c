/* cdp.c — the DevTools protocol over a pipe: the child process, NUL-framed JSON, request
 * ids, timeouts and events (see cdp.h).
 *
 * A reader thread owns the read end. It frames messages, hands each reply to the call
 * waiting for it, gives each event first to the I/O handler (which answers what must not
 * wait: paused requests, targets waiting to start) and queues the rest for the thread
 * that drives the client, which runs them in magi__cdp_call and magi__cdp_wait. So a page
 * keeps loading while magi is busy elsewhere (a model call, a settle pause). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "env/cdp.h"
#include "core/json.h"
#include "core/common.h"

#define CDP_READ_CHUNK (256 * 1024)
#define CDP_STDERR_TAIL 600 /* bytes of the child's stderr quoted when it dies */
#define CDP_MAX_QUEUED 100000 /* events waiting for the driving thread */

struct qevent {
	json_t *msg;
	struct qevent *next;
};

struct magi__cdp {
	pid_t pid;
	int wfd, rfd;  /* our ends: requests out (child's fd 3), replies in (child's fd 4) */
	int wake[2];   /* wakes the reader to stop */
	pthread_t reader;
	bool reader_started;
	pthread_mutex_t lock; /* everything below, and writes */
	pthread_cond_t cond;  /* a reply, an event or death */
	pthread_mutex_t wlock;
	long next_id;
	/* reader-only framing state */
	struct magi_buf in;
	size_t scan;     /* in.data[0..scan) holds no NUL */
	bool discarding; /* dropping the rest of an oversized message */
	/* shared */
	bool oversized;  /* a message was dropped since the last call started */
	bool stop, eof;
	char eof_why[256];
	struct qevent *qhead, *qtail;
	size_t queued;
	long want_id;
	json_t *reply;
	/* driving thread only */
	bool dead, reaped, interrupted;
	int wstatus;
	char why[MAGI_ERRMSG_MAX];
	char *stderr_path;
	magi__cdp_event_fn fn;
	void *ud;
	magi__cdp_io_fn io_fn;
	void *io_ud;
	int in_handler;
};

/* ---- the child ---------------------------------------------------------------------- */

/* Runs in the child of vfork(): it shares magi's memory until execv, so it only makes
 * system calls on its own stack and locals (no allocation, no locks, nothing of magi's
 * written), then execs or _exits. Signals are blocked on entry (the parent blocked them
 * before vfork): handlers of magi's would otherwise run on magi's memory here. */
static void child_exec(char *const argv[], int req_r, int resp_w, int status_w, const char *err_path,
		       pid_t parent)
{
	/* Die with magi, even when it is killed; and not be orphaned if it died already. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setpgid(0, 0);
	/* fds 3 and 4 may be taken by our own pipe ends: move those above 10 first. */
	int a = fcntl(req_r, F_DUPFD_CLOEXEC, 10), b = fcntl(resp_w, F_DUPFD_CLOEXEC, 10);
	int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
	int ef = err_path ? open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : dn;
	if (a < 0 || b < 0 || dn < 0 || dup2(a, 3) != 3 || dup2(b, 4) != 4 || dup2(dn, 0) != 0 ||
	    dup2(dn, 1) != 1 || dup2(ef >= 0 ? ef : dn, 2) != 2) {
		int e = errno;
		(void)!write(status_w, &e, sizeof e);
		_exit(127);
	}
	/* Chromium starts with default dispositions (the child has its own table: changing it
	 * leaves magi's alone) and nothing blocked */
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;
		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
		    (sa.sa_handler != SIG_IGN || sig == SIGPIPE)) {
			sa.sa_handler = SIG_DFL;
			sa.sa_flags = 0;
			sigemptyset(&sa.sa_mask);
			sigaction(sig, &sa, NULL);
		}
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], argv);
	int e = errno;
	(void)!write(status_w, &e, sizeof e);
	_exit(127);
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

static void *reader_main(void *arg);

magi_status magi__cdp_start(char *const argv[], const char *stderr_path, struct magi__cdp **out,
			    struct magi_error *err)
{
	*out = NULL;
	int req[2] = {-1, -1}, resp[2] = {-1, -1}, st[2] = {-1, -1};
	struct magi__cdp *c = calloc(1, sizeof *c);
	if (!c)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	c->wake[0] = c->wake[1] = c->wfd = c->rfd = -1;
	if (pipe2(req, O_CLOEXEC) || pipe2(resp, O_CLOEXEC) || pipe2(st, O_CLOEXEC) || pipe2(c->wake, O_CLOEXEC)) {
		int e = errno;
		close_pair(req);
		close_pair(resp);
		close_pair(st);
		close_pair(c->wake);
		free(c);
		return magi_error_set(err, MAGI_ERR_ENV, "cannot make pipes for %s: %s", argv[0], strerror(e));
	}
	if (stderr_path && !(c->stderr_path = magi__strdup(stderr_path))) {
		close_pair(req);
		close_pair(resp);
		close_pair(st);
		close_pair(c->wake);
		free(c);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->wlock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);
	c->next_id = 1;
	magi_buf_init(&c->in, MAGI_CDP_MAX_MESSAGE + CDP_READ_CHUNK);
	pid_t parent = getpid();
	/* vfork: no copy of magi's page tables, and none of its pages left copy-on-write for
	 * magi to fault in again one by one afterwards (5 ms from fork to exec here, in a VM
	 * where a page fault costs ~12 us); magi waits until Chromium's exec */
	sigset_t all_sigs, old_sigs;
	sigfillset(&all_sigs);
	pthread_sigmask(SIG_SETMASK, &all_sigs, &old_sigs);
	pid_t pid = vfork();
	if (pid == 0)
		child_exec(argv, req[0], resp[1], st[1], stderr_path, parent);
	int fork_errno = errno;
	pthread_sigmask(SIG_SETMASK, &old_sigs, NULL);
	if (pid < 0) {
		int e = fork_errno;
		close_pair(req);
		close_pair(resp);
		close_pair(st);
		magi__cdp_close(c, 0);
		return magi_error_set(err, MAGI_ERR_ENV, "cannot start %s: vfork: %s", argv[0], strerror(e));
	}
	close(req[0]);
	close(resp[1]);
	close(st[1]);
	c->pid = pid;
	c->wfd = req[1];
	c->rfd = resp[0];
	/* The status pipe closes on a successful exec; an errno arrives when it failed. */
	int e = 0;
	ssize_t n;
	while ((n = read(st[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(st[0]);
	if (n == (ssize_t)sizeof e) {
		magi__cdp_close(c, 0);
		return magi_error_set(err, MAGI_ERR_ENV, "cannot run %s: %s", argv[0], strerror(e));
	}
	fcntl(c->wfd, F_SETFL, fcntl(c->wfd, F_GETFL) | O_NONBLOCK);
	fcntl(c->rfd, F_SETFL, fcntl(c->rfd, F_GETFL) | O_NONBLOCK);
	/* the reader must not take signals meant for the process's own threads */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int pe = pthread_create(&c->reader, NULL, reader_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pe) {
		magi__cdp_close(c, 0);
		return magi_error_set(err, MAGI_ERR_ENV, "cannot start the DevTools reader thread: %s", strerror(pe));
	}
	c->reader_started = true;
	*out = c;
	return MAGI_OK;
}

void magi__cdp_set_handler(struct magi__cdp *c, magi__cdp_event_fn fn, void *ud)
{
	c->fn = fn;
	c->ud = ud;
}

void magi__cdp_set_io_handler(struct magi__cdp *c, magi__cdp_io_fn fn, void *ud)
{
	pthread_mutex_lock(&c->lock);
	c->io_fn = fn;
	c->io_ud = ud;
	pthread_mutex_unlock(&c->lock);
}

void magi__cdp_interrupt(struct magi__cdp *c)
{
	if (c->want_id)
		c->interrupted = true;
}

pid_t magi__cdp_pid(const struct magi__cdp *c)
{
	return c ? c->pid : 0;
}

/* ---- writing (any thread) -------------------------------------------------------------- */

/* write() with SIGPIPE blocked for this thread and any it raised consumed, so a dead
 * child is an EPIPE here and never a signal that ends magi. */
static ssize_t write_nosig(int fd, const void *p, size_t n)
{
	sigset_t pipe_set, old, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	ssize_t w = write(fd, p, n);
	int e = errno;
	if (w < 0 && e == EPIPE && !was_pending) {
		struct timespec zero = {0, 0};
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return w;
}

/* Writes the whole message under the write lock. Chromium reads its pipe on a thread of
 * its own, so waiting for room never needs us to read. */
static magi_status write_all(struct magi__cdp *c, const char *p, size_t n, double deadline)
{
	magi_status s = MAGI_OK;
	pthread_mutex_lock(&c->wlock);
	while (n) {
		ssize_t w = write_nosig(c->wfd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			s = MAGI_ERR_ENV;
			break;
		}
		double left = deadline - magi_now_ms();
		if (left <= 0) {
			s = MAGI_ERR_TIMEOUT;
			break;
		}
		struct pollfd pw = {c->wfd, POLLOUT, 0};
		poll(&pw, 1, (int)left + 1);
	}
	pthread_mutex_unlock(&c->wlock);
	return s;
}

static long take_id(struct magi__cdp *c)
{
	pthread_mutex_lock(&c->lock);
	long id = c->next_id++;
	pthread_mutex_unlock(&c->lock);
	return id;
}

/* Sends request `id`. params is stolen. No error record: callers say. */
static magi_status send_raw(struct magi__cdp *c, const char *session, const char *method, json_t *params,
			    double timeout_ms, long id)
{
	if (!params)
		params = json_object();
	pthread_mutex_lock(&c->lock);
	bool eof = c->eof;
	pthread_mutex_unlock(&c->lock);
	if (eof) {
		json_decref(params);
		return MAGI_ERR_ENV;
	}
	json_t *m = json_object();
	json_object_set_new(m, "id", json_integer(id));
	json_object_set_new(m, "method", json_string(method));
	json_object_set_new(m, "params", params);
	if (session)
		json_object_set_new(m, "sessionId", json_string(session));
	char *text = magi__json_dump(m, false);
	json_decref(m);
	if (!text)
		return MAGI_ERR_NOMEM;
	/* the NUL that ends the text is the frame's end */
	magi_status s = write_all(c, text, strlen(text) + 1, magi_now_ms() + timeout_ms);
	free(text);
	return s;
}

/* ---- the reader thread ------------------------------------------------------------------ */

static void reader_eof(struct magi__cdp *c, const char *why)
{
	pthread_mutex_lock(&c->lock);
	if (!c->eof) {
		c->eof = true;
		snprintf(c->eof_why, sizeof c->eof_why, "%s", why);
	}
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Hands msg over (it is consumed): a reply to its caller, an event to the I/O handler and
 * the queue. A message is only ever touched by one thread at a time. */
static void reader_dispatch(struct magi__cdp *c, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	pthread_mutex_lock(&c->lock);
	if (json_is_integer(id)) {
		if (json_integer_value(id) == c->want_id && !c->reply) {
			c->reply = msg;
			msg = NULL;
			pthread_cond_broadcast(&c->cond);
		} else if (json_object_get(msg, "error")) {
			MAGI_DEBUG("cdp: request %lld failed: %s", (long long)json_integer_value(id),
				   magi__json_str(json_object_get(msg, "error"), "message", "?"));
		}
		pthread_mutex_unlock(&c->lock);
		json_decref(msg);
		return;
	}
	magi__cdp_io_fn io = c->io_fn;
	void *io_ud = c->io_ud;
	pthread_mutex_unlock(&c->lock);
	const char *method = magi__json_str(msg, "method", NULL);
	struct qevent *q = NULL;
	if (!method || (io && io(io_ud, method, magi__json_str(msg, "sessionId", NULL), json_object_get(msg, "params"))) ||
	    !(q = malloc(sizeof *q))) {
		json_decref(msg);
		return;
	}
	q->msg = msg;
	q->next = NULL;
	pthread_mutex_lock(&c->lock);
	if (c->queued >= CDP_MAX_QUEUED) {
		/* nobody is reading them: keep the newest picture of the world, drop the oldest */
		struct qevent *old = c->qhead;
		c->qhead = old->next;
		if (!c->qhead)
			c->qtail = NULL;
		c->queued--;
		json_decref(old->msg);
		free(old);
	}
	if (c->qtail)
		c->qtail->next = q;
	else
		c->qhead = q;
	c->qtail = q;
	c->queued++;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Frames and dispatches every complete message in the buffer. */
static void reader_frame(struct magi__cdp *c)
{
	size_t start = 0;
	for (;;) {
		char *z = memchr(c->in.data + c->scan, '\0', c->in.len - c->scan);
		if (!z) {
			c->scan = c->in.len;
			break;
		}
		size_t end = (size_t)(z - c->in.data);
		if (c->discarding) {
			c->discarding = false;
		} else {
			json_t *msg = NULL;
			struct magi_error perr;
			if (magi__json_parse(c->in.data + start, end - start, "DevTools message", &msg, &perr))
				MAGI_WARN("cdp: %s", perr.msg);
			else
				reader_dispatch(c, msg);
		}
		start = end + 1;
		c->scan = start;
	}
	if (start) {
		memmove(c->in.data, c->in.data + start, c->in.len - start);
		c->in.len -= start;
		c->in.data[c->in.len] = '\0';
		c->scan -= start;
	}
	if (c->in.len > MAGI_CDP_MAX_MESSAGE) {
		/* keep reading but drop this message; whoever waited for it is told */
		MAGI_WARN("cdp: dropping a message larger than %zu bytes", MAGI_CDP_MAX_MESSAGE);
		c->discarding = true;
		magi_buf_reset(&c->in);
		c->scan = 0;
		pthread_mutex_lock(&c->lock);
		c->oversized = true;
		pthread_cond_broadcast(&c->cond);
		pthread_mutex_unlock(&c->lock);
	}
}

static void *reader_main(void *arg)
{
	struct magi__cdp *c = arg;
	for (;;) {
		struct pollfd p[2] = {{c->rfd, POLLIN, 0}, {c->wake[0], POLLIN, 0}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			reader_eof(c, strerror(errno));
			return NULL;
		}
		if (p[1].revents)
			return NULL; /* closing */
		for (;;) {
			if (magi_buf_reserve(&c->in, CDP_READ_CHUNK)) {
				reader_eof(c, "out of memory");
				return NULL;
			}
			ssize_t n = read(c->rfd, c->in.data + c->in.len, CDP_READ_CHUNK);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n <= 0) {
				reader_eof(c, n == 0 ? "its pipe closed" : strerror(errno));
				return NULL;
			}
			c->in.len += (size_t)n;
			c->in.data[c->in.len] = '\0';
			reader_frame(c);
			if ((size_t)n < CDP_READ_CHUNK)
				break;
		}
	}
}

/* ---- death (driving thread) -------------------------------------------------------------- */

/* The last line of the child's stderr, for the person reading why it died. */
static void stderr_tail(const struct magi__cdp *c, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (!c->stderr_path || cap < 2)
		return;
	FILE *f = fopen(c->stderr_path, "rb");
	if (!f)
		return;
	char tail[CDP_STDERR_TAIL + 1];
	if (fseek(f, -(long)CDP_STDERR_TAIL, SEEK_END) != 0)
		rewind(f);
	size_t n = fread(tail, 1, CDP_STDERR_TAIL, f);
	fclose(f);
	while (n && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' '))
		n--;
	tail[n] = '\0';
	const char *last = strrchr(tail, '\n');
	snprintf(buf, cap, "%s", last ? last + 1 : tail);
}

/* Reaps the child if it has exited (waiting up to wait_ms for that) and says how it ended. */
static void mark_dead(struct magi__cdp *c, const char *what, double wait_ms)
{
	if (c->dead)
		return;
	c->dead = true;
	double end = magi_now_ms() + wait_ms;
	while (!c->reaped) {
		int stt;
		pid_t r = waitpid(c->pid, &stt, WNOHANG);
		if (r == c->pid) {
			c->reaped = true;
			c->wstatus = stt;
			break;
		}
		if (r < 0 || magi_now_ms() >= end)
			break;
		magi_sleep_ms(5);
	}
	char how[300], tail[CDP_STDERR_TAIL + 1];
	if (!c->reaped)
		snprintf(how, sizeof how, "stopped answering (%s)", what);
	else if (WIFEXITED(c->wstatus))
		snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(c->wstatus));
	else if (WIFSIGNALED(c->wstatus))
		snprintf(how, sizeof how, "was killed by signal %d (%s)", WTERMSIG(c->wstatus),
			 strsignal(WTERMSIG(c->wstatus)));
	else
		snprintf(how, sizeof how, "ended");
	stderr_tail(c, tail, sizeof tail);
	snprintf(c->why, sizeof c->why, "Chromium (pid %d) %s%s%s", (int)c->pid, how,
		 tail[0] ? "; its last words: " : "", tail);
}

/* Notices a closed pipe or an exited child. */
static void check_death(struct magi__cdp *c)
{
	if (c->dead)
		return;
	pthread_mutex_lock(&c->lock);
	bool eof = c->eof;
	char why[256];
	snprintf(why, sizeof why, "%s", c->eof_why);
	pthread_mutex_unlock(&c->lock);
	if (eof) {
		mark_dead(c, why, 2000);
		return;
	}
	int stt;
	if (waitpid(c->pid, &stt, WNOHANG) == c->pid) {
		c->reaped = true;
		c->wstatus = stt;
		mark_dead(c, "exited", 0);
	}
}

bool magi__cdp_alive(struct magi__cdp *c, const char **why)
{
	check_death(c);
	if (why)
		*why = c->dead ? c->why : NULL;
	return !c->dead;
}

static magi_status dead_error(struct magi__cdp *c, const char *method, struct magi_error *err)
{
	check_death(c);
	if (!c->dead)
		mark_dead(c, "its pipe broke", 2000);
	return magi_error_set(err, MAGI_ERR_ENV, "%s%s%s", method ? method : "", method ? ": " : "", c->why);
}

/* ---- the driving thread: events, calls, waits ------------------------------------------ */

/* Runs the queued events (the lock is held on entry and exit). */
static void run_events(struct magi__cdp *c)
{
	while (c->qhead) {
		struct qevent *q = c->qhead;
		c->qhead = q->next;
		if (!c->qhead)
			c->qtail = NULL;
		c->queued--;
		pthread_mutex_unlock(&c->lock);
		const char *method = magi__json_str(q->msg, "method", "");
		if (c->fn) {
			c->in_handler++;
			c->fn(c->ud, method, magi__json_str(q->msg, "sessionId", NULL), json_object_get(q->msg, "params"));
			c->in_handler--;
		}
		json_decref(q->msg);
		free(q);
		pthread_mutex_lock(&c->lock);
	}
}

static void wait_until(struct magi__cdp *c, double deadline_ms)
{
	double left = deadline_ms - magi_now_ms();
	if (left <= 0)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long long ns = (long long)ts.tv_nsec + (long long)(left * 1e6);
	ts.tv_sec += (time_t)(ns / 1000000000LL);
	ts.tv_nsec = (long)(ns % 1000000000LL);
	pthread_cond_timedwait(&c->cond, &c->lock, &ts);
}

magi_status magi__cdp_send(struct magi__cdp *c, const char *session, const char *method,
			   json_t *params, struct magi_error *err)
{
	magi_status s = send_raw(c, session, method, params, 5000, take_id(c));
	if (s == MAGI_ERR_NOMEM)
		return magi_error_set(err, s, NULL);
	if (s == MAGI_ERR_TIMEOUT)
		return magi_error_set(err, s, "%s: Chromium did not read the request within 5 s", method);
	return s ? magi_error_set(err, s, "%s: the DevTools pipe is closed", method) : MAGI_OK;
}

magi_status magi__cdp_call(struct magi__cdp *c, const char *session, const char *method,
			   json_t *params, double timeout_ms, json_t **result,
			   struct magi_error *err)
{
	if (result)
		*result = NULL;
	if (c->in_handler) {
		json_decref(params);
		return magi_error_set(err, MAGI_ERR_INVALID, "%s: a DevTools call from an event handler", method);
	}
	if (c->dead) {
		json_decref(params);
		return dead_error(c, method, err);
	}
	double deadline = magi_now_ms() + timeout_ms;
	/* the reply is looked for from before the request leaves */
	pthread_mutex_lock(&c->lock);
	long id = c->next_id++;
	c->want_id = id;
	c->oversized = false;
	c->interrupted = false;
	pthread_mutex_unlock(&c->lock);
	magi_status s = send_raw(c, session, method, params, timeout_ms, id);
	pthread_mutex_lock(&c->lock);
	json_t *reply = NULL;
	while (!s) {
		if (c->reply && json_integer_value(json_object_get(c->reply, "id")) == id) {
			reply = c->reply;
			c->reply = NULL;
			break;
		}
		run_events(c);
		if (c->interrupted)
			s = MAGI_ERR_CANCELLED;
		else if (c->oversized)
			s = MAGI_ERR_LIMIT;
		else if (c->eof && !c->reply)
			s = MAGI_ERR_ENV;
		else if (magi_now_ms() >= deadline)
			s = MAGI_ERR_TIMEOUT;
		else if (!c->reply && !c->qhead)
			wait_until(c, deadline);
	}
	c->want_id = 0;
	json_decref(c->reply);
	c->reply = NULL;
	c->interrupted = false;
	pthread_mutex_unlock(&c->lock);
	switch (s) {
	case MAGI_OK:
		break;
	case MAGI_ERR_NOMEM:
		return magi_error_set(err, s, NULL);
	case MAGI_ERR_CANCELLED:
		return magi_error_set(err, s, "%s: interrupted by a page event", method);
	case MAGI_ERR_LIMIT:
		return magi_error_set(err, s, "%s: the reply was larger than %zu bytes", method, MAGI_CDP_MAX_MESSAGE);
	case MAGI_ERR_TIMEOUT:
		return magi_error_set(err, s, "%s: no reply from Chromium within %.0f ms", method, timeout_ms);
	default:
		return dead_error(c, method, err);
	}
	const json_t *e = json_object_get(reply, "error");
	if (e) {
		s = magi_error_set(err, MAGI_ERR_ENV, "%s: %s%s%s", method, magi__json_str(e, "message", "error"),
				   json_is_string(json_object_get(e, "data")) ? ": " : "", magi__json_str(e, "data", ""));
		json_decref(reply);
		return s;
	}
	if (result) {
		json_t *r = json_object_get(reply, "result");
		*result = r ? json_incref(r) : json_object();
	}
	json_decref(reply);
	return MAGI_OK;
}

magi_status magi__cdp_wait(struct magi__cdp *c, bool (*done)(void *ud), void *ud, double timeout_ms,
			   struct magi_error *err)
{
	double deadline = magi_now_ms() + timeout_ms;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		run_events(c);
		bool eof = c->eof;
		pthread_mutex_unlock(&c->lock);
		if (done && done(ud))
			return MAGI_OK;
		if (eof)
			return dead_error(c, NULL, err);
		if (magi_now_ms() >= deadline)
			return MAGI_OK;
		pthread_mutex_lock(&c->lock);
		if (!c->qhead && !c->eof)
			wait_until(c, deadline);
	}
}

/* ---- closing ----------------------------------------------------------------------- */

void magi__cdp_close(struct magi__cdp *c, double grace_ms)
{
	if (!c)
		return;
	if (c->reader_started && !c->dead && grace_ms > 0) {
		if (!send_raw(c, NULL, "Browser.close", NULL, grace_ms, take_id(c))) {
			/* the browser exiting closes the pipe */
			double end = magi_now_ms() + grace_ms;
			pthread_mutex_lock(&c->lock);
			while (!c->eof && magi_now_ms() < end)
				wait_until(c, end);
			pthread_mutex_unlock(&c->lock);
		}
	}
	if (c->reader_started) {
		(void)!write(c->wake[1], "x", 1);
		pthread_join(c->reader, NULL);
	}
	if (c->pid > 0 && !c->reaped) {
		/* wait (without reaping: the pid must not be reused before the group is killed) */
		double end = magi_now_ms() + grace_ms;
		siginfo_t si;
		for (;;) {
			memset(&si, 0, sizeof si);
			if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) || si.si_pid ||
			    magi_now_ms() >= end)
				break;
			magi_sleep_ms(10);
		}
		kill(-c->pid, SIGKILL); /* helpers left in its process group */
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, &c->wstatus, 0) < 0 && errno == EINTR)
			;
	} else if (c->pid > 0) {
		kill(-c->pid, SIGKILL); /* the group outlives its reaped leader while helpers remain */
	}
	if (c->wfd >= 0)
		close(c->wfd);
	if (c->rfd >= 0)
		close(c->rfd);
	close_pair(c->wake);
	while (c->qhead) {
		struct qevent *q = c->qhead;
		c->qhead = q->next;
		json_decref(q->msg);
		free(q);
	}
	json_decref(c->reply);
	magi_buf_release(&c->in);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->wlock);
	free(c->stderr_path);
	free(c);
}
