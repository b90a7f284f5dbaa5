/* test_model.c — the model client against the real stand-in server over HTTP: answers,
 * every fault with its attempt count, delays and message, concurrency, record/replay. */
#include <math.h>
#include "check.h"
#include "oracle_harness.h"
#include "magi/model.h"
#include "core/json.h"

static struct magi_model_params params_for(const struct oracle *o)
{
	struct magi_model_params p = magi_model_params_default();
	p.base_url = o->base_url;
	p.api_key = "sk-test-secret-key-123";
	p.model = "stand-in";
	p.timeout_ms = 10000;
	return p;
}

/* Runs one text chat against a fresh server with `script`; fills res; returns elapsed ms. */
static double one_chat(const char *script, struct magi_model_params *tweak, struct magi_chat_result *res,
		       json_t **log)
{
	struct oracle o;
	REQUIRE(oracle_start(&o, script, NULL) == 0);
	struct magi_model_params p = params_for(&o);
	if (tweak) {
		tweak->base_url = p.base_url;
		tweak->api_key = p.api_key;
		tweak->model = p.model;
		p = *tweak;
	}
	struct magi_client *c;
	struct magi_error err;
	REQUIRE(magi_client_new(&p, &c, &err) == MAGI_OK);
	struct magi_chat *chat;
	magi_chat_new(&chat);
	magi_chat_add_text(chat, "system", "You are terse.");
	magi_chat_add_text(chat, "user", "Say hi");
	double t0 = magi_now_ms();
	magi_client_chat(c, chat, res);
	double ms = magi_now_ms() - t0;
	if (res->status)
		CHECK_STR(magi_client_errmsg(c), res->error);
	magi_chat_free(chat);
	magi_client_free(c);
	oracle_stop(&o);
	if (log)
		*log = oracle_log(&o);
	oracle_cleanup(&o);
	return ms;
}

static void test_answer(void)
{
	struct magi_chat_result r;
	json_t *log;
	one_chat("{\"content\": \"hello there\"}\n", NULL, &r, &log);
	CHECK(r.status == MAGI_OK);
	CHECK_STR(r.content, "hello there");
	CHECK(r.attempts == 1);
	CHECK(r.prompt_tokens > 0 && r.completion_tokens > 0);
	CHECK(r.http_status == 200);
	REQUIRE(json_array_size(log) == 1);
	json_t *req = json_array_get(log, 0);
	json_t *body = json_object_get(req, "body");
	CHECK_STR(magi__json_str(body, "model", NULL), "stand-in");
	json_t *msgs = json_object_get(body, "messages");
	CHECK(json_array_size(msgs) == 2);
	CHECK_STR(magi__json_str(json_array_get(msgs, 1), "content", NULL), "Say hi");
	char *hdrs = json_dumps(json_object_get(req, "headers"), 0);
	CHECK_CONTAINS(hdrs, "Bearer sk-test-secret-key-123");
	free(hdrs);
	json_decref(log);
	magi_chat_result_release(&r);
}

static void test_429_retry_after(void)
{
	struct magi_chat_result r;
	double ms = one_chat("{\"fault\":\"429\",\"retry_after\":1}\n{\"content\":\"ok\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_OK);
	CHECK(r.attempts == 2);
	/* a floor only (it waited what it was told); a ceiling would fail on a loaded machine */
	CHECK_MSG(ms >= 950, "429 with retry-after 1 took %.0f ms", ms);
	magi_chat_result_release(&r);
	/* retry-after-ms is honoured too, and preferred */
	ms = one_chat("{\"fault\":\"429\",\"retry_after_ms\":150}\n{\"content\":\"ok\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_OK && r.attempts == 2);
	CHECK_MSG(ms >= 140, "retry-after-ms 150 took %.0f ms", ms);
	magi_chat_result_release(&r);
	/* a retry-after past the cap ends the call at once with a message saying so */
	ms = one_chat("{\"fault\":\"429\",\"retry_after\":120}\n{\"content\":\"ok\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_ERR_HTTP && r.attempts == 1);
	CHECK_CONTAINS(r.error, "retry after 120.0 s");
	(void)ms; /* attempts == 1: it did not wait and try again */
	magi_chat_result_release(&r);
}

static void test_500_backoff(void)
{
	struct magi_chat_result r;
	/* default backoff: 0.5 s then 1 s, each with ±25% jitter */
	double ms = one_chat("{\"fault\":\"500\"}\n{\"fault\":\"503\"}\n{\"content\":\"third time\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_OK);
	CHECK_STR(r.content, "third time");
	CHECK(r.attempts == 3);
	CHECK_MSG(ms >= 1125, "500,503,200 took %.0f ms (expected at least 1.125 s of backoff)", ms);
	magi_chat_result_release(&r);
	ms = one_chat("{\"fault\":\"500\"}\n{\"fault\":\"500\"}\n{\"fault\":\"500\"}\n{\"content\":\"never\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_ERR_HTTP);
	CHECK(r.attempts == 3);
	CHECK_CONTAINS(r.error, "gave up after 3 attempts");
	CHECK_CONTAINS(r.error, "HTTP 500");
	magi_chat_result_release(&r);
	/* 408 and 409 are retried too */
	one_chat("{\"fault\":\"408\"}\n{\"fault\":\"409\"}\n{\"content\":\"ok\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_OK && r.attempts == 3);
	magi_chat_result_release(&r);
}

static void test_4xx_once(void)
{
	struct magi_chat_result r;
	one_chat("{\"fault\":\"400\",\"message\":\"image too large for context\"}\n{\"content\":\"no\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_ERR_HTTP);
	CHECK(r.attempts == 1);
	CHECK_CONTAINS(r.error, "HTTP 400: image too large for context");
	magi_chat_result_release(&r);
	one_chat("{\"fault\":\"401\"}\n{\"content\":\"no\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_ERR_CONFIG);
	CHECK(r.attempts == 1);
	CHECK_CONTAINS(r.error, "HTTP 401");
	CHECK_CONTAINS(r.error, "API key");
	magi_chat_result_release(&r);
}

static void test_stall_timeout(void)
{
	struct magi_chat_result r;
	struct magi_model_params p = magi_model_params_default();
	p.timeout_ms = 800;
	double ms = one_chat("{\"fault\":\"stall\",\"seconds\":20}\n{\"content\":\"late\"}\n", &p, &r, NULL);
	CHECK(r.status == MAGI_ERR_TIMEOUT);
	CHECK(r.attempts == 1);
	CHECK_MSG(ms >= 750, "stall ended after %.0f ms", ms);
	CHECK_CONTAINS(r.error, "no complete answer within");
	magi_chat_result_release(&r);
}

static void test_bad_bodies(void)
{
	struct magi_chat_result r;
	/* a truncated body is a broken transfer: retried */
	one_chat("{\"fault\":\"truncated\"}\n{\"content\":\"whole\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_OK && r.attempts == 2);
	CHECK_STR(r.content, "whole");
	magi_chat_result_release(&r);
	one_chat("{\"fault\":\"malformed\"}\n{\"content\":\"x\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_ERR_MODEL && r.attempts == 1);
	CHECK_CONTAINS(r.error, "not JSON");
	magi_chat_result_release(&r);
	one_chat("{\"fault\":\"no_choices\"}\n{\"content\":\"x\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_ERR_MODEL && r.attempts == 1);
	CHECK_CONTAINS(r.error, "no choices");
	magi_chat_result_release(&r);
	struct magi_model_params p = magi_model_params_default();
	p.reply_cap = 1u << 20;
	one_chat("{\"fault\":\"oversized\",\"bytes\":20000000}\n{\"content\":\"x\"}\n", &p, &r, NULL);
	CHECK(r.status == MAGI_ERR_LIMIT && r.attempts == 1);
	CHECK_CONTAINS(r.error, "larger than the 1048576-byte cap");
	magi_chat_result_release(&r);
	/* the server closing without an answer is a connection error: retried */
	one_chat("{\"fault\":\"close\"}\n{\"content\":\"after close\"}\n", NULL, &r, NULL);
	CHECK(r.status == MAGI_OK && r.attempts == 2);
	magi_chat_result_release(&r);
}

static void test_refused(void)
{
	struct magi_model_params p = magi_model_params_default();
	p.base_url = "http://127.0.0.1:9/v1"; /* discard port: nothing listens */
	p.backoff_base_ms = 50;
	struct magi_client *c;
	struct magi_error err;
	REQUIRE(magi_client_new(&p, &c, &err) == MAGI_OK);
	struct magi_chat *chat;
	magi_chat_new(&chat);
	magi_chat_add_text(chat, "user", "hi");
	struct magi_chat_result r;
	CHECK(magi_client_chat(c, chat, &r) == MAGI_ERR_NETWORK);
	CHECK(r.attempts == 3);
	CHECK_CONTAINS(r.error, "127.0.0.1:9");
	magi_chat_result_release(&r);
	magi_chat_free(chat);
	magi_client_free(c);
	/* bad URLs are configuration errors */
	p.base_url = "127.0.0.1:8080";
	CHECK(magi_client_new(&p, &c, &err) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(err.msg, "http://");
	p.base_url = NULL;
	CHECK(magi_client_new(&p, &c, &err) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(err.msg, "MAGI_BASE_URL");
}

static void test_concurrent(void)
{
	struct oracle o;
	const char *extra[] = {"--delay-ms", "600", NULL};
	REQUIRE(oracle_start(&o, "{\"content\":\"a\"}\n{\"content\":\"a\"}\n{\"content\":\"a\"}\n", extra) == 0);
	struct magi_model_params p = params_for(&o);
	struct magi_client *c;
	struct magi_error err;
	REQUIRE(magi_client_new(&p, &c, &err) == MAGI_OK);
	struct magi_chat *chats[3];
	struct magi_client *cs[3] = {c, c, c};
	for (int i = 0; i < 3; i++) {
		magi_chat_new(&chats[i]);
		char q[32];
		snprintf(q, sizeof q, "question %d", i);
		magi_chat_add_text(chats[i], "user", q);
	}
	struct magi_chat_result r[3];
	/* concurrency is shown by the calls' own times overlapping, not by a wall-time ceiling */
	CHECK(magi_chat_many(cs, chats, 3, r) == MAGI_OK);
	double max_start = 0, min_end = 1e300;
	for (int i = 0; i < 3; i++) {
		CHECK(r[i].status == MAGI_OK);
		max_start = fmax(max_start, r[i].t_start);
		min_end = fmin(min_end, r[i].t_end);
	}
	CHECK_MSG(max_start < min_end, "calls did not overlap");
	for (int i = 0; i < 3; i++) {
		magi_chat_result_release(&r[i]);
		magi_chat_free(chats[i]);
	}
	magi_client_free(c);
	oracle_cleanup(&o);
}

static void test_record_replay(void)
{
	struct oracle o;
	REQUIRE(oracle_start(&o, "{\"content\":\"recorded answer\"}\n", NULL) == 0);
	char cas[400];
	snprintf(cas, sizeof cas, "%s/cassette.jsonl", o.dir);
	struct magi_model_params p = params_for(&o);
	struct magi_client *c;
	struct magi_error err;
	REQUIRE(magi_client_new(&p, &c, &err) == MAGI_OK);
	REQUIRE(magi_client_set_cassette(c, cas, MAGI_CASSETTE_RECORD, &err) == MAGI_OK);
	struct magi_image *img;
	REQUIRE(magi_image_new(320, 200, &img) == MAGI_OK);
	magi_image_fill_rect(img, 10, 10, 100, 50, 0xff0000);
	struct magi_chat *chat;
	magi_chat_new(&chat);
	magi_chat_add_image(chat, "user", img);
	magi_chat_add_text(chat, "user", "What is red?");
	struct magi_chat_result r;
	CHECK(magi_client_chat(c, chat, &r) == MAGI_OK);
	CHECK_STR(r.content, "recorded answer");
	CHECK(r.n_images == 1 && r.est_image_tokens > 0);
	magi_chat_result_release(&r);
	magi_client_free(c);
	oracle_stop(&o); /* the server is gone: replay must not need it */
	REQUIRE(magi_client_new(&p, &c, &err) == MAGI_OK);
	REQUIRE(magi_client_set_cassette(c, cas, MAGI_CASSETTE_REPLAY, &err) == MAGI_OK);
	CHECK(magi_client_chat(c, chat, &r) == MAGI_OK);
	CHECK_STR(r.content, "recorded answer");
	CHECK(r.replayed);
	magi_chat_result_release(&r);
	/* a different request is a clear miss */
	struct magi_chat *other;
	magi_chat_new(&other);
	magi_chat_add_text(other, "user", "Something never asked");
	CHECK(magi_client_chat(c, other, &r) == MAGI_ERR_REPLAY_MISS);
	CHECK_CONTAINS(r.error, "Something never asked");
	CHECK_CONTAINS(r.error, "not in cassette");
	magi_chat_result_release(&r);
	/* no key in the cassette */
	struct magi_buf data;
	magi_buf_init(&data, 0);
	REQUIRE(magi_file_read(cas, &data, &err) == MAGI_OK);
	CHECK(!strstr(data.data, "sk-test-secret-key-123"));
	magi_buf_release(&data);
	magi_chat_free(other);
	magi_chat_free(chat);
	magi_client_free(c);
	magi_image_free(img);
	oracle_cleanup(&o);
}

static void test_image_policy_sent(void)
{
	struct oracle o;
	REQUIRE(oracle_start(&o, "{\"content\":\"seen\"}\n", NULL) == 0);
	struct magi_model_params p = params_for(&o);
	p.image.max_pixels = 200000;
	struct magi_client *c;
	struct magi_error err;
	REQUIRE(magi_client_new(&p, &c, &err) == MAGI_OK);
	struct magi_image *img;
	REQUIRE(magi_image_new(1280, 720, &img) == MAGI_OK);
	struct magi_chat *chat;
	magi_chat_new(&chat);
	magi_chat_add_image(chat, "user", img);
	magi_chat_add_text(chat, "user", "describe");
	struct magi_chat_result r;
	CHECK(magi_client_chat(c, chat, &r) == MAGI_OK);
	uint32_t w, h;
	magi_chat_image_sent_size(chat, 0, &w, &h);
	CHECK_MSG(w * h <= 200000 && w % 28 == 0 && h % 28 == 0, "sent %ux%u", w, h);
	CHECK(r.est_image_tokens == (int)((w / 28) * (h / 28)));
	oracle_stop(&o);
	json_t *log = oracle_log(&o);
	char *body = json_dumps(json_object_get(json_array_get(log, 0), "body"), 0);
	CHECK_CONTAINS(body, "data:image/jpeg;base64,");
	free(body);
	json_decref(log);
	magi_chat_result_release(&r);
	magi_chat_free(chat);
	magi_client_free(c);
	magi_image_free(img);
	oracle_cleanup(&o);
}

/* Logprobs: asked for, the OpenAI choices[0].logprobs.content array is read in order; not
 * asked for, the request does not ask and nothing is read; a server that sends none while
 * asked leaves the result empty. */
static void test_logprobs(void)
{
	struct oracle o;
	const char *script =
		"{\"content\": \"click it\", \"logprobs\": [[\"click\", -0.25], [\" it\", -0.001]]}\n"
		"{\"content\": \"click it\", \"logprobs\": [[\"click\", -0.25], [\" it\", -0.001]]}\n"
		"{\"content\": \"no logprobs here\"}\n";
	REQUIRE(oracle_start(&o, script, NULL) == 0);
	struct magi_model_params p = params_for(&o);
	struct magi_client *c;
	struct magi_error err;
	REQUIRE(magi_client_new(&p, &c, &err) == MAGI_OK);
	for (int i = 0; i < 3; i++) {
		struct magi_chat *chat;
		magi_chat_new(&chat);
		magi_chat_add_text(chat, "user", "act");
		magi_chat_set_logprobs(chat, i != 1);
		struct magi_chat_result r = {0};
		CHECK(magi_client_chat(c, chat, &r) == MAGI_OK);
		if (i == 0) {
			REQUIRE(r.n_logprobs == 2);
			CHECK_STR(r.logprobs[0].token, "click");
			CHECK(r.logprobs[0].logprob == -0.25);
			CHECK_STR(r.logprobs[1].token, " it");
			CHECK(r.logprobs[1].logprob == -0.001);
		} else {
			CHECK(r.n_logprobs == 0 && r.logprobs == NULL);
		}
		magi_chat_result_release(&r);
		CHECK(r.logprobs == NULL && r.n_logprobs == 0);
		magi_chat_free(chat);
	}
	magi_client_free(c);
	oracle_stop(&o);
	json_t *log = oracle_log(&o);
	REQUIRE(json_array_size(log) == 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *asked = json_object_get(json_object_get(json_array_get(log, i), "body"), "logprobs");
		CHECK(i == 1 ? asked == NULL : json_is_true(asked));
	}
	json_decref(log);
	oracle_cleanup(&o);
}

int main(void)
{
	if (system("python3 -c 'import http.server' 2>/dev/null") != 0)
		SKIP("python3 is missing");
	test_answer();
	test_429_retry_after();
	test_500_backoff();
	test_4xx_once();
	test_stall_timeout();
	test_bad_bodies();
	test_refused();
	test_concurrent();
	test_record_replay();
	test_image_policy_sent();
	test_logprobs();
	return check_done();
}
