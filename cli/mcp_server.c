/* mcp_server.c — the MCP server's protocol side: newline-delimited JSON-RPC 2.0 on stdio,
 * the lifecycle (initialize with version negotiation, ping), tools/list and tools/call,
 * a worker thread that runs tool calls one at a time while the reader keeps answering
 * pings, cancellations and the client's replies to our elicitation requests, and progress
 * notifications. Nothing a client sends may crash it: every message is checked before use
 * and lines are capped at MCP_MESSAGE_MAX. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "mcp.h"

/* Protocol revisions this server speaks, newest first (the first is the answer to a client
 * asking for one we do not know). */
static const char *const versions[] = {"2025-11-25", "2025-06-18", "2025-03-26"};

struct mcp_job {
	json_t *id;
	struct mcp_call call;
	struct mcp_job *next;
};

struct mcp_server {
	struct mcp_opts o;
	/* framing */
	char *line;
	size_t len, cap;
	bool skipping; /* inside a line past MCP_MESSAGE_MAX: dropped up to its newline */
	/* output */
	pthread_mutex_t out_lock;
	atomic_bool dead;
	/* lifecycle */
	bool initialized;
	char version[16];
	bool elicit_form;
	/* the worker and its queue; lock guards everything below */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t worker;
	bool worker_started, stopping;
	struct mcp_job *head, *tail, *running;
	size_t queued;
	/* the one server-to-client request in flight (only the worker makes them) */
	char pending_id[40];
	bool pending;
	json_t *pending_reply;
	unsigned long next_request;
	struct mcp_screen *screen;
};

/* ---- output -------------------------------------------------------------------------- */

static void send_msg(struct mcp_server *s, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!text) {
		MAGI_WARN("mcp: out of memory serialising a message");
		return;
	}
	pthread_mutex_lock(&s->out_lock);
	if (!atomic_load(&s->dead)) {
		struct iovec v[2] = {{text, strlen(text)}, {"\n", 1}};
		while (v[0].iov_len + v[1].iov_len) {
			ssize_t w = writev(s->o.out_fd, v[0].iov_len ? v : v + 1, v[0].iov_len ? 2 : 1);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				MAGI_WARN("mcp: cannot write to the client (%s); stopping", strerror(errno));
				atomic_store(&s->dead, true);
				break;
			}
			for (int i = 0; i < 2 && w > 0; i++) {
				size_t k = (size_t)w < v[i].iov_len ? (size_t)w : v[i].iov_len;
				v[i].iov_base = (char *)v[i].iov_base + k;
				v[i].iov_len -= k;
				w -= (ssize_t)k;
			}
		}
	}
	pthread_mutex_unlock(&s->out_lock);
	free(text);
}

static void send_result(struct mcp_server *s, json_t *id, json_t *result)
{
	send_msg(s, json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(),
			      "result", result));
}

static void send_error(struct mcp_server *s, json_t *id, int code, const char *fmt, ...)
	MAGI_PRINTF(4, 5);
static void send_error(struct mcp_server *s, json_t *id, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	MAGI_INFO("mcp: error %d: %s", code, msg);
	send_msg(s, json_pack("{s:s, s:O, s:{s:i, s:o}}", "jsonrpc", "2.0", "id",
			      id ? id : json_null(), "error", "code", code, "message", mcp_json_str(msg)));
}

void mcp_progress(struct mcp_call *c, double progress, double total, const char *message)
{
	if (!c->token || progress <= c->last_progress || atomic_load(&c->cancelled))
		return;
	c->last_progress = progress;
	json_t *p = json_pack("{s:O, s:f}", "progressToken", c->token, "progress", progress);
	if (total > 0)
		json_object_set_new(p, "total", json_real(total));
	if (message)
		json_object_set_new(p, "message", mcp_json_str(message));
	send_msg(c->srv, json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method",
				   "notifications/progress", "params", p));
}

/* ---- elicitation ---------------------------------------------------------------------- */

int mcp_elicit(struct mcp_call *c, const char *message, bool text_answer, char **answer,
	       const char **why)
{
	struct mcp_server *s = c->srv;
	if (answer)
		*answer = NULL;
	if (!s->elicit_form || !s->o.threaded) {
		*why = "this client offers no form elicitation (MCP elicitation/create) to ask the person";
		return -1;
	}
	json_t *schema = text_answer
				 ? json_pack("{s:s, s:{s:{s:s, s:s}}, s:[s]}", "type", "object",
					     "properties", "answer", "type", "string", "title", "Your answer",
					     "required", "answer")
				 : json_pack("{s:s, s:{s:{s:s, s:s, s:b}}, s:[s]}", "type", "object",
					     "properties", "allow", "type", "boolean", "title",
					     "Allow this action", "default", 0, "required", "allow");
	pthread_mutex_lock(&s->lock);
	snprintf(s->pending_id, sizeof s->pending_id, "magi-elicit-%lu", ++s->next_request);
	s->pending = true;
	json_decref(s->pending_reply);
	s->pending_reply = NULL;
	json_t *req = json_pack("{s:s, s:s, s:s, s:{s:o, s:o}}", "jsonrpc", "2.0", "id", s->pending_id,
				"method", "elicitation/create", "params", "message",
				mcp_json_str(message), "requestedSchema", schema);
	pthread_mutex_unlock(&s->lock);
	if (!req) {
		*why = "the question could not be put to the client (out of memory)";
		return -1;
	}
	send_msg(s, req);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += MCP_ELICIT_TIMEOUT_S;
	pthread_mutex_lock(&s->lock);
	int rc = 0;
	while (!s->pending_reply && !s->stopping && !atomic_load(&c->cancelled) && rc == 0)
		rc = pthread_cond_timedwait(&s->cond, &s->lock, &until);
	json_t *reply = s->pending_reply;
	s->pending_reply = NULL;
	s->pending = false;
	pthread_mutex_unlock(&s->lock);
	if (!reply) {
		*why = atomic_load(&c->cancelled) || s->stopping
			       ? "the call was cancelled while waiting for the person"
			       : "the person did not answer in time";
		return -1;
	}
	int res = -1;
	json_t *result = json_object_get(reply, "result");
	const char *action = json_string_value(json_object_get(result, "action"));
	json_t *content = json_object_get(result, "content");
	if (!result) {
		*why = "the client's elicitation failed";
	} else if (!action || strcmp(action, "accept")) {
		*why = action && !strcmp(action, "cancel") ? "the person dismissed the question"
							   : "the person declined";
		res = 0;
	} else if (text_answer) {
		const char *a = json_string_value(json_object_get(content, "answer"));
		if (a && answer)
			*answer = strdup(a);
		res = a ? 1 : 0;
		*why = a ? "answered" : "the person gave no answer";
	} else {
		res = json_is_true(json_object_get(content, "allow")) ? 1 : 0;
		*why = res ? "confirmed by the person" : "the person did not allow it";
	}
	json_decref(reply);
	return res;
}

/* A reply from the client to a request of ours. */
static void handle_reply(struct mcp_server *s, json_t *msg, json_t *id)
{
	pthread_mutex_lock(&s->lock);
	if (s->pending && json_is_string(id) && !strcmp(json_string_value(id), s->pending_id) &&
	    !s->pending_reply) {
		s->pending_reply = json_incref(msg);
		pthread_cond_broadcast(&s->cond);
	} else {
		MAGI_INFO("mcp: ignoring a reply to a request that is not pending");
	}
	pthread_mutex_unlock(&s->lock);
}

/* ---- tool calls ---------------------------------------------------------------------- */

static void job_free(struct mcp_job *j)
{
	if (!j)
		return;
	json_decref(j->id);
	json_decref(j->call.args);
	json_decref(j->call.token);
	json_decref(j->call.content);
	json_decref(j->call.structured);
	free(j);
}

static void run_job(struct mcp_server *s, struct mcp_job *j)
{
	struct mcp_call *c = &j->call;
	double t0 = magi_now_ms();
	c->tool->fn(c);
	MAGI_INFO("mcp: %s took %.1f ms%s", c->tool->name, magi_now_ms() - t0,
		  c->is_error ? " (error)" : "");
	if (atomic_load(&c->cancelled))
		return; /* a cancelled request gets no answer */
	if (!json_array_size(c->content))
		mcp_text(c, "done");
	json_t *r = json_pack("{s:O}", "content", c->content);
	if (c->structured)
		json_object_set(r, "structuredContent", c->structured);
	if (c->is_error)
		json_object_set_new(r, "isError", json_true());
	send_result(s, j->id, r);
}

static void *worker_main(void *arg)
{
	struct mcp_server *s = arg;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->head && !s->stopping)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->stopping)
			break;
		struct mcp_job *j = s->head;
		s->head = j->next;
		if (!s->head)
			s->tail = NULL;
		s->queued--;
		s->running = j;
		pthread_mutex_unlock(&s->lock);
		run_job(s, j);
		pthread_mutex_lock(&s->lock);
		s->running = NULL;
		job_free(j);
	}
	pthread_mutex_unlock(&s->lock);
	magi_ocr_thread_release();
	return NULL;
}

static bool valid_id(json_t *id)
{
	return json_is_string(id) || json_is_integer(id) || json_is_real(id);
}

static void handle_call(struct mcp_server *s, json_t *id, json_t *params)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	if (!name) {
		send_error(s, id, MCP_INVALID_PARAMS, "tools/call needs params.name, the tool's name");
		return;
	}
	const struct mcp_tool *t = mcp_tool_find(name);
	if (!t || !mcp_tool_offered(s, t)) {
		send_error(s, id, MCP_INVALID_PARAMS, "unknown tool '%.100s'%s (tools/list names the tools)",
			   name, t ? ": this server's environment or configuration does not offer it" : "");
		return;
	}
	json_t *args = json_object_get(params, "arguments");
	if (args && !json_is_object(args) && !json_is_null(args)) {
		send_error(s, id, MCP_INVALID_PARAMS, "%s: params.arguments must be an object", name);
		return;
	}
	json_t *meta = json_object_get(params, "_meta");
	json_t *token = json_object_get(meta, "progressToken");
	if (token && !json_is_string(token) && !json_is_integer(token))
		token = NULL;
	struct mcp_job *j = calloc(1, sizeof *j);
	if (!j) {
		send_error(s, id, MCP_INTERNAL_ERROR, "out of memory");
		return;
	}
	j->id = json_incref(id);
	j->call.srv = s;
	j->call.tool = t;
	j->call.args = json_is_object(args) ? json_incref(args) : json_object();
	j->call.token = json_incref(token);
	j->call.content = json_array();
	atomic_init(&j->call.cancelled, false);
	char *bad = mcp_tool_check_args(t, j->call.args);
	if (bad) {
		/* 2025-11-25 (SEP-1303) wants argument errors as tool results the model can read
		 * and correct; earlier revisions call them invalid params. */
		if (strcmp(s->version, "2025-11-25") >= 0) {
			mcp_fail(&j->call, "%s", bad);
			send_result(s, id, json_pack("{s:O, s:b}", "content", j->call.content, "isError", 1));
		} else {
			send_error(s, id, MCP_INVALID_PARAMS, "%s", bad);
		}
		free(bad);
		job_free(j);
		return;
	}
	if (!s->o.threaded) {
		run_job(s, j);
		job_free(j);
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (s->queued >= MCP_QUEUE_MAX) {
		pthread_mutex_unlock(&s->lock);
		send_error(s, id, MCP_SERVER_BUSY,
			   "server busy: %d tool calls are already waiting; retry when they are answered",
			   MCP_QUEUE_MAX);
		job_free(j);
		return;
	}
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	s->queued++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* notifications/cancelled: a queued call is dropped, a running one told to stop. */
static void handle_cancel(struct mcp_server *s, json_t *params)
{
	json_t *rid = json_object_get(params, "requestId");
	if (!valid_id(rid))
		return;
	pthread_mutex_lock(&s->lock);
	for (struct mcp_job **p = &s->head; *p; p = &(*p)->next) {
		if (json_equal((*p)->id, rid)) {
			struct mcp_job *j = *p;
			*p = j->next;
			s->queued--;
			if (s->tail == j) {
				s->tail = NULL;
				for (struct mcp_job *k = s->head; k; k = k->next)
					s->tail = k;
			}
			job_free(j);
			pthread_mutex_unlock(&s->lock);
			return;
		}
	}
	if (s->running && json_equal(s->running->id, rid)) {
		atomic_store(&s->running->call.cancelled, true);
		pthread_cond_broadcast(&s->cond);
		MAGI_INFO("mcp: cancelling %s", s->running->call.tool->name);
	}
	pthread_mutex_unlock(&s->lock);
}

/* ---- lifecycle ----------------------------------------------------------------------- */

static void handle_initialize(struct mcp_server *s, json_t *id, json_t *params)
{
	const char *asked = json_string_value(json_object_get(params, "protocolVersion"));
	if (!asked) {
		send_error(s, id, MCP_INVALID_PARAMS,
			   "initialize needs params.protocolVersion (a string such as \"2025-11-25\")");
		return;
	}
	if (s->initialized) {
		send_error(s, id, MCP_INVALID_REQUEST, "initialize was already done on this connection");
		return;
	}
	const char *v = versions[0];
	for (size_t i = 0; i < sizeof versions / sizeof *versions; i++)
		if (!strcmp(asked, versions[i]))
			v = versions[i];
	snprintf(s->version, sizeof s->version, "%s", v);
	/* Form elicitation: an empty elicitation object means form (2025-06-18); 2025-11-25
	 * may list the modes. */
	json_t *el = json_object_get(json_object_get(params, "capabilities"), "elicitation");
	s->elicit_form = json_is_object(el) &&
			 (json_object_get(el, "form") || !json_object_get(el, "url"));
	const char *client = json_string_value(
		json_object_get(json_object_get(params, "clientInfo"), "name"));
	magi_log(MAGI_LOG_INFO, "mcp: %s asked for %s, speaking %s%s", client ? client : "a client",
		 asked, v, s->elicit_form ? " (with elicitation)" : "");
	s->initialized = true;
	send_result(s, id,
		    json_pack("{s:s, s:{s:{s:b}}, s:{s:s, s:s, s:s}, s:s}", "protocolVersion", v,
			      "capabilities", "tools", "listChanged", 0, "serverInfo", "name", "magi",
			      "title", "magi: screens, videos and guards for agents", "version",
			      MAGI_VERSION, "instructions",
			      "Coordinates are screen pixels of the screenshot tool's image (x right, y "
			      "down from the top-left). Every action passes magi's risk gate: risky ones "
			      "(delete, pay, send, ...) need the person's confirmation and are refused "
			      "without it. Screenshots are redacted (PII covered in black) unless "
			      "magi.yaml trusts this client. find_text locates text on the screen."));
}

static void handle_request(struct mcp_server *s, const char *method, json_t *id, json_t *params)
{
	if (params && !json_is_object(params)) {
		send_error(s, id, MCP_INVALID_PARAMS, "%.100s: params must be an object", method);
		return;
	}
	if (!strcmp(method, "initialize")) {
		handle_initialize(s, id, params);
	} else if (!strcmp(method, "ping")) {
		send_result(s, id, json_object());
	} else if (!s->initialized && (!strcmp(method, "tools/list") || !strcmp(method, "tools/call"))) {
		send_error(s, id, MCP_INVALID_REQUEST, "%s before initialize: send initialize first", method);
	} else if (!strcmp(method, "tools/list")) {
		send_result(s, id, mcp_tools_list(s));
	} else if (!strcmp(method, "tools/call")) {
		handle_call(s, id, params);
	} else {
		send_error(s, id, MCP_METHOD_NOT_FOUND,
			   "method '%.100s' not found (this server answers initialize, ping, tools/list, "
			   "tools/call)", method);
	}
}

static void handle_message(struct mcp_server *s, json_t *msg)
{
	if (json_is_array(msg)) {
		send_error(s, NULL, MCP_INVALID_REQUEST,
			   "batches are not supported: send one JSON-RPC message per line");
		return;
	}
	if (!json_is_object(msg)) {
		send_error(s, NULL, MCP_INVALID_REQUEST, "a JSON-RPC message is an object");
		return;
	}
	json_t *id = json_object_get(msg, "id");
	json_t *idv = valid_id(id) ? id : NULL;
	const char *jv = json_string_value(json_object_get(msg, "jsonrpc"));
	if (!jv || strcmp(jv, "2.0")) {
		send_error(s, idv, MCP_INVALID_REQUEST, "the message lacks \"jsonrpc\": \"2.0\"");
		return;
	}
	json_t *m = json_object_get(msg, "method");
	if (m && !json_is_string(m)) {
		send_error(s, idv, MCP_INVALID_REQUEST, "\"method\" must be a string");
		return;
	}
	const char *method = json_string_value(m);
	if (method && !id) { /* a notification: never answered */
		json_t *params = json_object_get(msg, "params");
		if (!strcmp(method, "notifications/cancelled"))
			handle_cancel(s, params);
		else if (!strcmp(method, "notifications/initialized"))
			MAGI_INFO("mcp: client ready");
		return;
	}
	if (!idv) {
		send_error(s, NULL, MCP_INVALID_REQUEST, "\"id\" must be a string or a number");
		return;
	}
	if (method) {
		handle_request(s, method, id, json_object_get(msg, "params"));
	} else if (json_object_get(msg, "result") || json_object_get(msg, "error")) {
		handle_reply(s, msg, id);
	} else {
		send_error(s, idv, MCP_INVALID_REQUEST, "the message is neither a request nor a response");
	}
}

static void handle_line(struct mcp_server *s, const char *line, size_t n)
{
	while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	size_t k = 0;
	while (k < n && (line[k] == ' ' || line[k] == '\t'))
		k++;
	if (k == n)
		return;
	json_error_t je;
	json_t *msg = json_loadb(line + k, n - k, JSON_DECODE_ANY, &je);
	if (!msg) {
		send_error(s, NULL, MCP_PARSE_ERROR, "parse error: %s (at character %d of the line)",
			   je.text, je.position);
		return;
	}
	handle_message(s, msg);
	json_decref(msg);
}

/* Appends to the partial line; false (and the line is dropped) when memory runs out. */
static bool line_append(struct mcp_server *s, const char *data, size_t n)
{
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + n)
			cap *= 2;
		char *p = realloc(s->line, cap);
		if (!p) {
			send_error(s, NULL, MCP_INTERNAL_ERROR, "out of memory for a message; it is skipped");
			s->skipping = true;
			s->len = 0;
			return false;
		}
		s->line = p;
		s->cap = cap;
	}
	memcpy(s->line + s->len, data, n);
	s->len += n;
	return true;
}

void mcp_server_feed(struct mcp_server *s, const char *data, size_t n)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;
		if (s->skipping) {
			/* the rest of a line that was refused */
		} else if (s->len + take > MCP_MESSAGE_MAX) {
			send_error(s, NULL, MCP_INVALID_REQUEST,
				   "message longer than %u bytes refused (MCP_MESSAGE_MAX); it is skipped",
				   MCP_MESSAGE_MAX);
			s->skipping = true;
			s->len = 0;
		} else if (nl && !s->len) {
			handle_line(s, data, take); /* the common case: a whole line, no copy */
		} else if (line_append(s, data, take) && nl) {
			handle_line(s, s->line, s->len);
			s->len = 0;
		}
		if (nl) {
			s->skipping = false;
			take++;
		}
		data += take;
		n -= take;
	}
}

/* ---- the server ------------------------------------------------------------------------ */

int mcp_server_new(const struct mcp_opts *o, struct mcp_server **out)
{
	*out = NULL;
	if (!mcp_tools_init())
		return -1;
	struct mcp_server *s = calloc(1, sizeof *s);
	if (!s)
		return -1;
	s->o = *o;
	snprintf(s->version, sizeof s->version, "%s", versions[0]);
	pthread_mutex_init(&s->out_lock, NULL);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	atomic_init(&s->dead, false);
	s->screen = mcp_screen_new();
	if (!s->screen) {
		mcp_server_free(s);
		return -1;
	}
	if (o->threaded) {
		if (pthread_create(&s->worker, NULL, worker_main, s)) {
			mcp_server_free(s);
			return -1;
		}
		s->worker_started = true;
	}
	*out = s;
	return 0;
}

void mcp_server_eof(struct mcp_server *s)
{
	if (s->len && !s->skipping)
		handle_line(s, s->line, s->len);
	s->len = 0;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	while (s->head) {
		struct mcp_job *j = s->head;
		s->head = j->next;
		job_free(j);
	}
	s->tail = NULL;
	s->queued = 0;
	if (s->running)
		atomic_store(&s->running->call.cancelled, true);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	if (s->worker_started) {
		pthread_join(s->worker, NULL);
		s->worker_started = false;
	}
}

void mcp_server_free(struct mcp_server *s)
{
	if (!s)
		return;
	mcp_server_eof(s);
	mcp_screen_free(s->screen);
	json_decref(s->pending_reply);
	free(s->line);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->out_lock);
	free(s);
}

bool mcp_server_alive(const struct mcp_server *s)
{
	return !atomic_load(&s->dead);
}

const struct mcp_opts *mcp_server_opts(const struct mcp_server *s)
{
	return &s->o;
}

struct mcp_screen *mcp_server_screen(struct mcp_server *s)
{
	return s->screen;
}

const char *mcp_server_version(const struct mcp_server *s)
{
	return s->version;
}
