/* test_core.c — status codes, error records, buffer caps, base64, sha256, YAML, JSON. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "magi/core.h"
#include "core/json.h"
#include "core/yaml.h"
#include "core/proc.h"

static void test_status(void)
{
	CHECK_STR(magi_strerror(MAGI_OK), "ok");
	CHECK_STR(magi_strerror(MAGI_ERR_TIMEOUT), "timed out");
	CHECK_STR(magi_status_name(MAGI_ERR_LIMIT), "ERR_LIMIT");
	CHECK_STR(magi_strerror((magi_status)999), "unknown status");
	struct magi_error e;
	magi_error_clear(&e);
	CHECK(magi_error_set(&e, MAGI_ERR_IO, "cannot open %s", "x.png") == MAGI_ERR_IO);
	magi_error_prefix(&e, "loading %s", "config");
	CHECK_STR(magi_error_text(&e), "loading config: cannot open x.png");
}

static void test_buf(void)
{
	struct magi_buf b;
	magi_buf_init(&b, 10);
	CHECK(b.data && b.data[0] == '\0');
	CHECK(magi_buf_puts(&b, "hello") == MAGI_OK);
	CHECK(magi_buf_printf(&b, "%d", 1234) == MAGI_OK);
	CHECK_STR(b.data, "hello1234");
	CHECK(magi_buf_puts(&b, "xx") == MAGI_ERR_LIMIT);
	/* a failed append frees and empties the buffer */
	CHECK(b.len == 0 && b.data && b.data[0] == '\0');
	magi_buf_release(&b);
	magi_buf_init(&b, 0);
	for (int i = 0; i < 1000; i++)
		magi_buf_printf(&b, "line %d with some longer text to force growth past 256 bytes %s\n", i,
				"................................................................................................................................................................................................................................................................................");
	CHECK(b.len > 300000);
	size_t n;
	char *p = magi_buf_detach(&b, &n);
	CHECK(p && strlen(p) == n);
	free(p);
	CHECK(b.len == 0 && b.data[0] == '\0');
}

static void test_base64(void)
{
	const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	const char *exp[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (int i = 0; i < 7; i++) {
		struct magi_buf b, d;
		magi_buf_init(&b, 0);
		magi_buf_init(&d, 0);
		CHECK(magi_base64_encode(in[i], strlen(in[i]), &b) == MAGI_OK);
		CHECK_STR(b.data, exp[i]);
		CHECK(magi_base64_decode(b.data, b.len, &d) == MAGI_OK);
		CHECK_STR(d.data, in[i]);
		magi_buf_release(&b);
		magi_buf_release(&d);
	}
	struct magi_buf d;
	magi_buf_init(&d, 0);
	CHECK(magi_base64_decode("Zm9v!", 5, &d) == MAGI_ERR_PARSE);
	magi_buf_release(&d);
}

static void test_sha256(void)
{
	char hex[65];
	magi_sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	magi_sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	magi_sha256_hex(m, strlen(m), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_yaml(void)
{
	const char *y = "models:\n  fast:\n    base_url: http://127.0.0.1:8080/v1\n    max_tokens: 512\n"
			"    temperature: 0.5\n    trust: local\n    quoted: \"42\"\n  list: [a, b]\n";
	json_t *j = NULL;
	struct magi_error e;
	REQUIRE(magi__yaml_parse(y, strlen(y), "t.yaml", &j, &e) == MAGI_OK);
	json_t *fast = json_object_get(json_object_get(j, "models"), "fast");
	CHECK_STR(magi__json_str(fast, "base_url", NULL), "http://127.0.0.1:8080/v1");
	CHECK(magi__json_int(fast, "max_tokens", 0) == 512);
	CHECK(magi__json_num(fast, "temperature", 0) == 0.5);
	CHECK_STR(magi__json_str(fast, "quoted", NULL), "42");
	json_decref(j);
	const char *bad = "models:\n  a: 1\n b: [\n";
	CHECK(magi__yaml_parse(bad, strlen(bad), "bad.yaml", &j, &e) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(e.msg, "bad.yaml:");
	CHECK(j == NULL);
	const char *dup = "a: 1\na: 2\n";
	CHECK(magi__yaml_parse(dup, strlen(dup), "dup.yaml", &j, &e) == MAGI_ERR_CONFIG);
	CHECK_CONTAINS(e.msg, "dup.yaml:2:1: duplicate key 'a'");
	const char *alias = "a: &x 1\nb: *x\n";
	CHECK(magi__yaml_parse(alias, strlen(alias), "al.yaml", &j, &e) == MAGI_ERR_CONFIG);
}

static void test_json(void)
{
	json_t *j = NULL;
	struct magi_error e;
	const char *t = "Sure! ```json\n{\"a\": {\"b\": \"}\"}, \"n\": 3}\n``` done";
	REQUIRE(magi__json_extract_object(t, &j, &e) == MAGI_OK);
	CHECK(magi__json_int(j, "n", 0) == 3);
	json_decref(j);
	CHECK(magi__json_extract_object("no json here", &j, &e) == MAGI_ERR_PARSE);
	char deep[400];
	memset(deep, '[', 200);
	memset(deep + 200, ']', 200);
	CHECK(magi__json_parse(deep, 400, "deep", &j, &e) == MAGI_ERR_PARSE);
	CHECK_CONTAINS(e.msg, "deeper");
	CHECK(magi__json_parse("{\"a\":", 5, "reply", &j, &e) == MAGI_ERR_PARSE);
	CHECK_CONTAINS(e.msg, "reply: invalid JSON at line 1");
}

static void test_proc(void)
{
	struct magi_proc_result r;
	struct magi_error e;
	char *argv[] = {"sh", "-c", "cat; echo out; exit 3", NULL};
	CHECK(magi__proc_run(argv, "in\n", false, 1024, 5000, &r, &e) == MAGI_OK);
	CHECK(r.exit_code == 3);
	CHECK_STR(r.out.data, "in\nout\n");
	magi_buf_release(&r.out);
	char *slow[] = {"sleep", "5", NULL};
	double t0 = magi_now_ms();
	CHECK(magi__proc_run(slow, NULL, false, 1024, 200, &r, &e) == MAGI_ERR_TIMEOUT);
	CHECK(r.timed_out);
	CHECK(magi_now_ms() - t0 < 3000);
	magi_buf_release(&r.out);
}

int main(void)
{
	test_status();
	test_buf();
	test_base64();
	test_sha256();
	test_yaml();
	test_json();
	test_proc();
	return check_done();
}
