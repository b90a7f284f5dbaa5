/* client.c — the chat-completions client over libcurl's multi interface: one loop runs
 * every call, single or concurrent, with retries, backoff, retry-after and a reply cap. */
#include <arpa/inet.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/json.h"
#include "model/model_internal.h"
#include "model/curl_dl.h"
#include "core/common.h"

struct magi_client {
	struct magi_model_params p;
	char *base_url, *api_key, *model, *name;
	char *url; /* base_url + "/chat/completions" */
	bool remote;
	struct magi__cassette *cassette;
	struct magi_error err;
	/* request fields: extra ones, never sent, and refused by the server (learned) */
	char *extra_body, *drop_params;
	struct magi_buf refused;
	pthread_mutex_t refused_lock;
};

struct magi_model_params magi_model_params_default(void)
{
	struct magi_model_params p = {0};
	p.name = "default";
	p.max_tokens = 1024;
	p.temperature = 0;
	p.connect_timeout_ms = 10000;
	p.timeout_ms = 120000;
	p.max_attempts = 3;
	p.backoff_base_ms = 500;
	p.backoff_max_ms = 8000;
	p.retry_after_cap_ms = 60000;
	p.reply_cap = MAGI_MODEL_REPLY_MAX;
	p.image = magi_image_policy_default();
	p.coords = MAGI_COORDS_PIXELS;
	p.trust = MAGI_TRUST_AUTO;
	return p;
}

/* Loopback hosts are trusted by default: the model runs on this machine. */
bool magi__url_is_loopback(const char *url)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	const char *at = strchr(h, '@'), *slash = strchr(h, '/');
	if (at && (!slash || at < slash))
		h = at + 1;
	if (!strncasecmp(h, "localhost", 9) && (h[9] == ':' || h[9] == '/' || !h[9]))
		return true;
	if (!strncmp(h, "127.", 4))
		return true;
	if (!strncmp(h, "[::1]", 5))
		return true;
	return false;
}

/* Why curl's URL parser (7.62+, as magi calls it) would refuse url, or NULL: a space or
 * control byte anywhere, no host, a host with a character no host name has, an IPv6
 * address without its closing bracket, a port that is not a number up to 65535. */
static const char *url_problem(const char *url)
{
	for (const unsigned char *c = (const unsigned char *)url; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			return "a space or control character";
	const char *a = strstr(url, "://") + 3;
	a += *a == '/'; /* curl reads "http:///v1" as host "v1" (not "http:////v1") */
	size_t alen = strcspn(a, "/?#");
	/* user:password@ (up to the first @: a second one is in the host) */
	const char *at = memchr(a, '@', alen);
	if (at) {
		alen -= (size_t)(at + 1 - a);
		a = at + 1;
	}
	const char *port = NULL;
	size_t hlen;
	if (alen && a[0] == '[') {
		const char *close = memchr(a, ']', alen);
		if (!close)
			return "an IPv6 address without its closing bracket";
		hlen = (size_t)(close - a) + 1;
		/* the address, then maybe a zone ("%25eth0", "%eth0") */
		char in6[64], bin[16];
		size_t zl = 0, al = strspn(a + 1, "0123456789abcdefABCDEF:.");
		if (al < hlen - 2 && a[1 + al] == '%') {
			const char *z = a + 2 + al;
			zl = (size_t)(close - z);
			if (zl > 2 && !strncmp(z, "25", 2))
				zl -= 2;
		}
		if (hlen < 4 || al >= sizeof in6 || (al < hlen - 2 && (a[1 + al] != '%' || !zl || zl > 15)))
			return "not an IPv6 address between the brackets";
		memcpy(in6, a + 1, al);
		in6[al] = 0;
		if (inet_pton(AF_INET6, in6, bin) != 1)
			return "not an IPv6 address between the brackets";
		if (hlen < alen && a[hlen] != ':')
			return "text after the IPv6 address's closing bracket";
		port = hlen < alen ? a + hlen + 1 : NULL;
	} else {
		const char *colon = memchr(a, ':', alen);
		hlen = colon ? (size_t)(colon - a) : alen;
		port = colon ? colon + 1 : NULL;
		if (!hlen)
			return "no host";
		if (strcspn(a, " \r\n\t/:#?!@{}[]\\$'\"^`*<>=;,+&()%") < hlen)
			return "a character a host name cannot have";
	}
	if (port) {
		size_t plen = (size_t)(a + alen - port);
		if (strspn(port, "0123456789") < plen)
			return "a port that is not a number";
		long v = 0;
		for (size_t i = 0; i < plen && v <= 65535; i++)
			v = v * 10 + (port[i] - '0');
		if (v > 65535)
			return "a port above 65535";
	}
	return NULL;
}

magi_status magi__base_url_check(const char *name, const char *url, struct magi_error *err)
{
	if (!name)
		name = "default";
	if (!url || !*url)
		return magi_error_set(err, MAGI_ERR_CONFIG,
				      "model '%s' has no base URL: set MAGI_BASE_URL (e.g. http://127.0.0.1:8080/v1), "
				      "use --base-url, or configure it in magi.yaml",
				      name);
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return magi_error_set(err, MAGI_ERR_CONFIG, "model '%s': base URL '%s' must start with http:// or https://",
				      name, url);
	/* a URL curl cannot parse fails every call the same way: said once, here, as a
	 * configuration error rather than retried as a network one. Checked without libcurl
	 * (loaded on the first request, not at start): what curl's URL parser refuses in a
	 * base URL, which tests/unit/test_url_check.c compares with curl's own parser; a URL
	 * that still fails there is a configuration error too (xfer_finish), never retried. */
	const char *why = url_problem(url);
	if (why)
		return magi_error_set(err, MAGI_ERR_CONFIG,
				      "model '%s': base URL '%s' is malformed (%s); it should look like "
				      "http://127.0.0.1:8080/v1",
				      name, url, why);
	return MAGI_OK;
}

magi_status magi_client_new(const struct magi_model_params *p, struct magi_client **out,
			    struct magi_error *err)
{
	*out = NULL;
	magi_status s = magi__base_url_check(p->name, p->base_url, err);
	if (s)
		return s;
	struct magi_client *c = calloc(1, sizeof *c);
	if (!c)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	c->p = *p;
	pthread_mutex_init(&c->refused_lock, NULL);
	magi_buf_init(&c->refused, 4096);
	if (p->extra_body && *p->extra_body) {
		json_t *eb = NULL;
		char what[128];
		snprintf(what, sizeof what, "model '%s'", p->name ? p->name : "default");
		magi_status es = magi__json_parse(p->extra_body, strlen(p->extra_body), "extra_body", &eb, err);
		if (!es)
			es = magi__extra_body_check(what, eb, err);
		json_decref(eb);
		if (es) {
			char why[sizeof err->msg];
			snprintf(why, sizeof why, "%s", err ? err->msg : "");
			magi_client_free(c);
			return es == MAGI_ERR_PARSE ? magi_error_set(err, MAGI_ERR_CONFIG, "model '%s': extra_body is not JSON: %s",
								       p->name ? p->name : "default", why)
						    : es;
		}
	}
	c->extra_body = p->extra_body ? magi__strdup(p->extra_body) : NULL;
	c->drop_params = p->drop_params ? magi__strdup(p->drop_params) : NULL;
	c->p.extra_body = c->extra_body;
	c->p.drop_params = c->drop_params;
	c->base_url = magi__strdup(p->base_url);
	size_t bl = strlen(c->base_url);
	while (bl && c->base_url[bl - 1] == '/')
		c->base_url[--bl] = '\0';
	c->api_key = p->api_key && *p->api_key ? magi__strdup(p->api_key) : NULL;
	c->model = p->model ? magi__strdup(p->model) : NULL;
	c->name = magi__strdup(p->name ? p->name : "default");
	c->url = malloc(bl + 32);
	if (c->url)
		snprintf(c->url, bl + 32, "%s/chat/completions", c->base_url);
	c->p.base_url = c->base_url;
	c->p.api_key = c->api_key;
	c->p.model = c->model;
	c->p.name = c->name;
	if (c->p.max_attempts < 1)
		c->p.max_attempts = 1;
	if (!c->p.reply_cap)
		c->p.reply_cap = MAGI_MODEL_REPLY_MAX;
	c->remote = p->trust == MAGI_TRUST_REMOTE ||
		    (p->trust == MAGI_TRUST_AUTO && !magi__url_is_loopback(c->base_url));
	if (!c->url || !c->name) {
		magi_client_free(c);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	*out = c;
	return MAGI_OK;
}

void magi_client_free(struct magi_client *c)
{
	if (!c)
		return;
	magi__cassette_free(c->cassette);
	if (c->api_key) /* do not leave the key lying in freed memory */
		memset(c->api_key, 0, strlen(c->api_key));
	free(c->base_url);
	free(c->api_key);
	free(c->model);
	free(c->name);
	free(c->url);
	free(c->extra_body);
	free(c->drop_params);
	magi_buf_release(&c->refused);
	pthread_mutex_destroy(&c->refused_lock);
	free(c);
}

const struct magi_model_params *magi_client_params(const struct magi_client *c)
{
	return &c->p;
}

bool magi_client_is_remote(const struct magi_client *c)
{
	return c->remote;
}

const char *magi_client_errmsg(const struct magi_client *c)
{
	return magi_error_text(&c->err);
}

magi_status magi_client_set_cassette(struct magi_client *c, const char *path,
				     enum magi_cassette_mode mode, struct magi_error *err)
{
	magi__cassette_free(c->cassette);
	c->cassette = NULL;
	if (mode == MAGI_CASSETTE_OFF)
		return MAGI_OK;
	return magi__cassette_open(path, mode, &c->cassette, err);
}

/* ---- one transfer --------------------------------------------------------------- */

enum xstate { X_WAIT, X_RUNNING, X_DONE };

struct xfer {
	struct magi_client *c;
	struct magi_chat *chat;
	struct magi_chat_result *res;
	CURL *easy;
	struct curl_slist *hdrs;
	struct magi_buf body, reply;
	enum xstate state;
	int attempt;
	double next_at;     /* monotonic ms when the next attempt may start */
	double first_start; /* monotonic ms */
	double retry_after_ms; /* from the last response's headers, -1 if none */
	bool over_cap;
	char preview[80];
	struct magi_error err;
	struct magi_buf skip, sent; /* optional fields left out / sent in the body */
	struct magi_buf dropped;    /* fields this call dropped after a 400 */
};

/* Builds the request body, leaving out the fields the client never sends or the server
 * refused before; hashes it for the cassette. */
static magi_status xfer_body(struct xfer *x)
{
	struct magi_client *c = x->c;
	magi_buf_reset(&x->skip);
	magi_buf_reset(&x->sent);
	magi_buf_reset(&x->body);
	magi_buf_puts(&x->skip, c->drop_params ? c->drop_params : "");
	pthread_mutex_lock(&c->refused_lock);
	if (c->refused.len)
		magi_buf_printf(&x->skip, "%s%s", x->skip.len ? "," : "", c->refused.data);
	pthread_mutex_unlock(&c->refused_lock);
	if (x->dropped.len)
		magi_buf_printf(&x->skip, "%s%s", x->skip.len ? "," : "", x->dropped.data);
	magi_status s = magi__chat_build_body(x->chat, &c->p, x->skip.data, &x->sent, &x->body, x->res, &x->err);
	if (!s)
		magi_sha256_hex(x->body.data, x->body.len, x->res->request_hash);
	return s;
}

/* A 400 that names an optional field magi sent: the field is dropped (once) and the
 * request goes again at once without it. True when that is what happens. */
static bool drop_refused_field(struct xfer *x, const char *smsg)
{
	const char *sent[64];
	size_t n = 0;
	char *names = magi__strdup(x->sent.data);
	for (char *p = names; p && *p && n < MAGI_ARRAY_LEN(sent);) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		sent[n++] = p;
		p = comma ? comma + 1 : NULL;
	}
	json_t *j = json_loadb(x->reply.data, x->reply.len, 0, NULL);
	const char *field = magi__refused_field(magi__json_str(json_object_get(j, "error"), "param", NULL), smsg, sent, n);
	bool again = field && !magi__param_listed(x->dropped.data, field, strlen(field));
	if (again) {
		magi_buf_printf(&x->dropped, "%s%s", x->dropped.len ? "," : "", field);
		struct magi_client *c = x->c;
		pthread_mutex_lock(&c->refused_lock);
		if (!magi__param_listed(c->refused.data, field, strlen(field)))
			magi_buf_printf(&c->refused, "%s%s", c->refused.len ? "," : "", field);
		pthread_mutex_unlock(&c->refused_lock);
		MAGI_WARN("model '%s': the server refused the request field '%s' (HTTP 400: %s); sending the request "
			  "again without it, and not sending it to this model again",
			  c->name, field, smsg);
	}
	json_decref(j);
	free(names);
	if (!again || xfer_body(x))
		return false;
	x->attempt--; /* the same attempt, asked properly */
	x->next_at = 0;
	x->state = X_WAIT;
	return true;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	if (magi_buf_append(&x->reply, p, len) != MAGI_OK) {
		x->over_cap = true;
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	}
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	/* retry-after-ms (OpenAI) is more precise than retry-after; either may come. */
	if (len > 15 && !strncasecmp(p, "retry-after-ms:", 15)) {
		double v = strtod(p + 15, NULL);
		if (v >= 0)
			x->retry_after_ms = v;
	} else if (len > 12 && !strncasecmp(p, "retry-after:", 12) && x->retry_after_ms < 0) {
		char *end;
		double v = strtod(p + 12, &end);
		if (end != p + 12 && v >= 0)
			x->retry_after_ms = v * 1000;
		/* An HTTP-date form is rare from model servers; fall back to backoff then. */
	}
	return len;
}

static magi_status xfer_setup(struct xfer *x)
{
	if (!x->easy && !(x->easy = curl_easy_init()))
		return MAGI_ERR_NOMEM;
	CURL *e = x->easy;
	curl_easy_reset(e);
	magi_buf_release(&x->reply);
	magi_buf_init(&x->reply, x->c->p.reply_cap);
	x->over_cap = false;
	x->retry_after_ms = -1;
	if (!x->hdrs) {
		x->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
		x->hdrs = curl_slist_append(x->hdrs, "Expect:");
		if (x->c->api_key) {
			struct magi_buf h;
			magi_buf_init(&h, 0);
			magi_buf_printf(&h, "Authorization: Bearer %s", x->c->api_key);
			x->hdrs = curl_slist_append(x->hdrs, h.data);
			memset(h.data, 0, h.len);
			magi_buf_release(&h);
		}
	}
	curl_easy_setopt(e, CURLOPT_URL, x->c->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body.data);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body.len);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)x->c->p.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)x->c->p.timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "magi/" MAGI_VERSION);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	return MAGI_OK;
}

static double backoff_ms(const struct magi_model_params *p, int attempt)
{
	double d = p->backoff_base_ms * pow(2, attempt - 1);
	if (d > p->backoff_max_ms)
		d = p->backoff_max_ms;
	/* Full-range jitter would make short delays useless; ±25% spreads a team's retries. */
	double j = 0.75 + 0.5 * ((double)rand() / RAND_MAX);
	return d * j;
}

/* The server's own message from an OpenAI-style error body, else the start of the body. */
static void server_message(const struct magi_buf *b, char *out, size_t n)
{
	json_error_t je;
	json_t *j = json_loadb(b->data, b->len, 0, &je);
	const char *m = NULL;
	if (j) {
		json_t *e = json_object_get(j, "error");
		m = json_is_string(e) ? json_string_value(e) : magi__json_str(e, "message", NULL);
		if (!m)
			m = magi__json_str(j, "message", magi__json_str(j, "detail", NULL));
	}
	if (m)
		snprintf(out, n, "%s", m);
	else {
		size_t k = 0;
		for (; k < b->len && k + 1 < n && k < 200; k++)
			out[k] = (b->data[k] >= 32 && b->data[k] < 127) ? b->data[k] : ' ';
		out[k] = '\0';
	}
	json_decref(j);
}

static bool status_retryable(long code)
{
	return code == 408 || code == 409 || code == 429 || code >= 500;
}

/* Decides what a finished attempt means: done (ok or failed) or wait and retry. */
static void xfer_finish(struct xfer *x, CURLcode cc)
{
	struct magi_chat_result *r = x->res;
	const struct magi_model_params *p = &x->c->p;
	long code = 0;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	r->http_status = (int)code;
	r->t_end = magi_wall_s();
	bool retry = false;
	char smsg[512];
	if (cc != CURLE_OK) {
		if (x->over_cap) {
			magi_error_set(&x->err, MAGI_ERR_LIMIT,
				       "%s: the reply is larger than the %zu-byte cap (reply_cap)", x->c->url,
				       p->reply_cap);
		} else if (cc == CURLE_OPERATION_TIMEDOUT) {
			magi_error_set(&x->err, MAGI_ERR_TIMEOUT,
				       "%s: no complete answer within %.0f s (timeout); the server may be overloaded or the model too slow",
				       x->c->url, p->timeout_ms / 1000);
		} else if (cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL) {
			/* the same URL fails the same way every time: no retry */
			magi_error_set(&x->err, MAGI_ERR_CONFIG, "%s: %s (check base_url)", x->c->url, curl_easy_strerror(cc));
		} else {
			retry = true;
			magi_error_set(&x->err, MAGI_ERR_NETWORK, "%s: %s", x->c->url, curl_easy_strerror(cc));
		}
	} else if (code == 200) {
		magi_error_clear(&x->err);
		magi_status s = magi__chat_parse_reply(x->reply.data, x->reply.len, r, &x->err);
		if (s)
			magi_error_prefix(&x->err, "model '%s' at %s", x->c->name, x->c->url);
	} else {
		server_message(&x->reply, smsg, sizeof smsg);
		if (code == 400 && drop_refused_field(x, smsg))
			return;
		retry = status_retryable(code);
		magi_error_set(&x->err, code == 401 || code == 403 ? MAGI_ERR_CONFIG : MAGI_ERR_HTTP,
			       "%s: HTTP %ld: %s%s", x->c->url, code, smsg,
			       code == 401 ? " (check the API key: MAGI_API_KEY or api_key_env)"
			       : code == 404 ? " (check base_url: it should end in /v1)" : "");
	}
	if (retry && x->attempt < p->max_attempts) {
		double delay = backoff_ms(p, x->attempt);
		if (x->retry_after_ms >= 0) {
			if (x->retry_after_ms > p->retry_after_cap_ms) {
				magi_error_prefix(&x->err, "gave up: the server asked to retry after %.1f s, more than the %.0f s cap",
						  x->retry_after_ms / 1000, p->retry_after_cap_ms / 1000);
				x->state = X_DONE;
				return;
			}
			delay = x->retry_after_ms;
		}
		MAGI_INFO("%s (attempt %d of %d); retrying in %.0f ms", x->err.msg, x->attempt,
			  p->max_attempts, delay);
		x->next_at = magi_now_ms() + delay;
		x->state = X_WAIT;
		return;
	}
	if (retry && x->attempt > 1)
		magi_error_prefix(&x->err, "gave up after %d attempts", x->attempt);
	x->state = X_DONE;
}

static void xfer_result(struct xfer *x)
{
	struct magi_chat_result *r = x->res;
	r->status = x->err.status;
	r->attempts = x->attempt;
	if (x->dropped.len)
		r->dropped = magi__strdup(x->dropped.data);
	r->latency_ms = magi_now_ms() - x->first_start;
	if (r->status) {
		free(r->content);
		r->content = NULL;
		r->error = magi__strdup(magi_error_text(&x->err));
	} else if (x->c->cassette && magi__cassette_mode(x->c->cassette) == MAGI_CASSETTE_RECORD &&
		   magi__cassette_add(x->c->cassette, r->request_hash, x->c->model, x->preview, r, &x->err)) {
		/* the answer came, but a run asked to be recorded is not: said, not hidden (the
		 * content stays for a caller that wants it) */
		r->status = x->err.status;
		r->error = magi__strdup(magi_error_text(&x->err));
	}
	x->c->err = x->err;
}

magi_status magi_chat_many(struct magi_client *const *clients, struct magi_chat *const *chats,
			   size_t n, struct magi_chat_result *results)
{
	return magi_chat_many_cancel(clients, chats, n, results, NULL);
}

/* Drops every transfer still going: the caller was cancelled. */
static void cancel_all(CURLM *m, struct xfer *xs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct xfer *x = &xs[i];
		if (x->state == X_DONE)
			continue;
		if (x->state == X_RUNNING)
			curl_multi_remove_handle(m, x->easy);
		magi_error_set(&x->err, MAGI_ERR_CANCELLED, "%s: cancelled before the answer came",
			       x->c->url);
		x->state = X_DONE;
	}
}

magi_status magi_chat_many_cancel(struct magi_client *const *clients, struct magi_chat *const *chats,
				  size_t n, struct magi_chat_result *results, const volatile int *cancel)
{
	struct xfer *xs = calloc(n ? n : 1, sizeof *xs);
	if (!xs)
		return MAGI_ERR_NOMEM;
	size_t pending = 0;
	for (size_t i = 0; i < n; i++) {
		struct xfer *x = &xs[i];
		memset(&results[i], 0, sizeof results[i]);
		results[i].prompt_tokens = results[i].completion_tokens = -1;
		x->c = clients[i];
		x->chat = chats[i];
		x->res = &results[i];
		magi_buf_init(&x->body, 512u << 20);
		magi_buf_init(&x->reply, x->c->p.reply_cap);
		magi_buf_init(&x->skip, 1u << 16);
		magi_buf_init(&x->sent, 1u << 16);
		magi_buf_init(&x->dropped, 1u << 16);
		magi__chat_preview(x->chat, x->preview, sizeof x->preview);
		double t0 = magi_now_ms();
		magi_status s = xfer_body(x);
		x->res->prepare_ms = magi_now_ms() - t0;
		MAGI_DEBUG("model request to %s: body of %zu bytes made in %.0f ms", x->c->p.name ? x->c->p.name : "?",
			   x->body.len, x->res->prepare_ms);
		/* latency counts from here: encoding is magi's time, not the model's */
		x->first_start = magi_now_ms();
		if (s) {
			x->state = X_DONE;
			continue;
		}
		if (x->c->cassette && magi__cassette_mode(x->c->cassette) == MAGI_CASSETTE_REPLAY) {
			x->res->t_start = magi_wall_s();
			magi__cassette_find(x->c->cassette, x->res->request_hash, x->preview, x->res, &x->err);
			x->res->t_end = magi_wall_s();
			x->state = X_DONE;
			continue;
		}
		x->state = X_WAIT;
		x->next_at = 0;
		pending++;
	}
	/* libcurl is loaded here when no one loaded it ahead (magi__curl_preload) */
	struct magi_error lerr;
	if (pending && magi__curl_load(&lerr)) {
		for (size_t i = 0; i < n; i++)
			if (xs[i].state == X_WAIT) {
				xs[i].err = lerr;
				xs[i].state = X_DONE;
			}
		pending = 0;
	}
	CURLM *m = pending ? curl_multi_init() : NULL;
	while (pending) {
		if (cancel && *cancel) {
			cancel_all(m, xs, n);
			break;
		}
		double now = magi_now_ms(), wake = now + 1000;
		for (size_t i = 0; i < n; i++) {
			struct xfer *x = &xs[i];
			if (x->state != X_WAIT)
				continue;
			if (x->next_at <= now) {
				if (xfer_setup(x)) {
					magi_error_set(&x->err, MAGI_ERR_NOMEM, NULL);
					x->state = X_DONE;
					pending--;
					continue;
				}
				x->attempt++;
				x->res->t_start = magi_wall_s();
				curl_multi_add_handle(m, x->easy);
				x->state = X_RUNNING;
			} else if (x->next_at < wake) {
				wake = x->next_at;
			}
		}
		int running = 0;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct xfer *x = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			CURLcode cc = msg->data.result;
			curl_multi_remove_handle(m, x->easy);
			xfer_finish(x, cc);
			if (x->state == X_DONE)
				pending--;
		}
		if (!pending)
			break;
		int timeout = (int)(wake - magi_now_ms());
		if (timeout < 0)
			timeout = 0;
		if (timeout > 100)
			timeout = 100;
		curl_multi_poll(m, NULL, 0, timeout, NULL);
	}
	magi_status first = MAGI_OK;
	for (size_t i = 0; i < n; i++) {
		struct xfer *x = &xs[i];
		xfer_result(x);
		if (!first && x->res->status)
			first = x->res->status;
		if (x->easy)
			curl_easy_cleanup(x->easy);
		if (x->hdrs)
			curl_slist_free_all(x->hdrs);
		magi_buf_release(&x->body);
		magi_buf_release(&x->reply);
		magi_buf_release(&x->skip);
		magi_buf_release(&x->sent);
		magi_buf_release(&x->dropped);
	}
	if (m)
		curl_multi_cleanup(m);
	free(xs);
	return first;
}

magi_status magi_client_chat(struct magi_client *c, struct magi_chat *chat, struct magi_chat_result *res)
{
	return magi_chat_many(&c, &chat, 1, res);
}

/* A 200 from /models counts only when it is an OpenAI model list — {"object":"list",
 * "data":[{"id":...}, ...]} — naming the configured model, if one is: a web page or some
 * other JSON at that URL means base_url points somewhere else. */
static magi_status check_model_list(const struct magi_client *c, const char *url, const struct magi_buf *body,
				    struct magi_error *err)
{
	json_t *j = NULL;
	struct magi_error perr;
	if (magi__json_parse(body->data, body->len, "model list", &j, &perr)) {
		char head[61];
		size_t k = 0;
		for (; k < body->len && k < 60; k++)
			head[k] = (body->data[k] >= 32 && body->data[k] < 127) ? body->data[k] : '.';
		head[k] = '\0';
		return magi_error_set(err, MAGI_ERR_MODEL,
				      "%s answers 200, but not with JSON (%zu bytes, starts \"%s\"): is base_url the "
				      "server's OpenAI-compatible /v1 endpoint?",
				      url, body->len, head);
	}
	const json_t *data = json_object_get(j, "data");
	size_t i, n_ids = 0;
	const json_t *m;
	bool listed = !c->model || !*c->model;
	json_array_foreach(data, i, m)
	{
		const char *id = magi__json_str(m, "id", NULL);
		n_ids += id != NULL;
		listed |= id && c->model && !strcmp(id, c->model);
	}
	magi_status s = MAGI_OK;
	if (!json_is_array(data) || n_ids != json_array_size(data))
		s = magi_error_set(err, MAGI_ERR_MODEL,
				   "%s answers 200 with JSON that is not an OpenAI model list (it needs \"data\": [{\"id\": ...}, ...]): "
				   "is base_url the server's OpenAI-compatible /v1 endpoint?",
				   url);
	else if (!listed)
		s = magi_error_set(err, MAGI_ERR_NOT_FOUND, "%s answers, but does not list model '%s' (it lists %zu model%s)",
				   c->base_url, c->model, n_ids, n_ids == 1 ? "" : "s");
	json_decref(j);
	return s;
}

magi_status magi_client_ping(struct magi_client *c, double *ms, struct magi_error *err)
{
	*ms = 0;
	magi_status ls = magi__curl_load(err);
	if (ls)
		return ls;
	CURL *e = curl_easy_init();
	if (!e)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	struct magi_buf url, reply;
	magi_buf_init(&url, 0);
	magi_buf_init(&reply, 1u << 20);
	magi_buf_printf(&url, "%s/models", c->base_url);
	struct xfer x = {.c = c, .reply = reply};
	struct curl_slist *h = NULL;
	if (c->api_key) {
		struct magi_buf a;
		magi_buf_init(&a, 0);
		magi_buf_printf(&a, "Authorization: Bearer %s", c->api_key);
		h = curl_slist_append(NULL, a.data);
		magi_buf_release(&a);
	}
	curl_easy_setopt(e, CURLOPT_URL, url.data);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)c->p.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)MAGI_MIN(c->p.timeout_ms, 15000.0));
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	double t0 = magi_now_ms();
	CURLcode cc = curl_easy_perform(e);
	*ms = magi_now_ms() - t0;
	long code = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	magi_status s = MAGI_OK;
	if (cc != CURLE_OK) {
		s = magi_error_set(err, MAGI_ERR_NETWORK, "%s: %s%s", url.data, curl_easy_strerror(cc),
				   cc == CURLE_COULDNT_CONNECT ? " (is the server running?)" : "");
	} else if (code != 200) {
		char smsg[512];
		server_message(&x.reply, smsg, sizeof smsg);
		s = magi_error_set(err, code == 401 ? MAGI_ERR_CONFIG : MAGI_ERR_HTTP, "%s: HTTP %ld: %s%s",
				   url.data, code, smsg,
				   code == 401 ? " (check the API key)" : code == 404 ? " (check base_url: it should end in /v1)" : "");
	} else {
		s = check_model_list(c, url.data, &x.reply, err);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	magi_buf_release(&url);
	magi_buf_release(&x.reply);
	return s;
}
