/* test_url_check.c — libcurl loaded only when a request needs it, and the base URL check
 * made without it (src/model/client.c url_problem) refusing what curl's own URL parser
 * refuses: both judged on the same URLs, curl's from the real library. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "model/curl_dl.h"
#include "model/model_internal.h"

static const char *const urls[] = {
	"http://127.0.0.1:8080/v1", "https://api.example.com/v1", "http://localhost/v1",
	"http://localhost:/v1", "http://[::1]:8080/v1", "http://[::1]/v1", "http://[fe80::1%25eth0]/v1",
	"http://[fe80::1%eth0]:80/v1", "http://user:pw@example.com/v1", "http://a@b@example.com/v1",
	"http://example.com?x=1", "http://example.com#frag", "http://example.com:0/v1",
	"http://example.com:65535/v1", "http://example.com:080/v1", "https://x.y.z/v1/",
	"http://", "https://", "http://exa mple.com/v1", "http://example.com/v 1", "http://[::1/v1",
	"http://127.0.0.1:99999/v1", "http://127.0.0.1:65536/v1", "http://example.com:8o/v1",
	"http://example.com:-1/v1", "http://[::1]x/v1", "http://[]/v1", "http://[::g]/v1",
	"http://[1:2:3:4:5:6:7:8:9]/v1", "http://exa<mple.com/v1", "http://exa\"mple.com/v1",
	"http://exa%20mple.com/v1", "http://exa{mple}.com/v1", "http://:8080/v1", "http:///v1", "http:////v1", "http:///",
	"http://user@/v1", "http://example.com\t/v1", "http://example.com/\x7f", "http://ex*ample.com",
	"http://example.com:8080:90/v1", "http://[fe80::1%]/v1", "http://[fe80::1%25]/v1",
	"http://ex_ample.com/v1", "http://xn--nxasmq6b.com/v1", "http://example.com/v1?a=b c",
};

typedef void *(*url_fn)(void);
typedef int (*url_set_fn)(void *, int, const char *, unsigned);
typedef int (*url_get_fn)(void *, int, char **, unsigned);
typedef void (*url_free_fn)(void *);
typedef void (*free_fn)(void *);

int main(void)
{
	/* nothing in magi maps libcurl before a request needs it */
	CHECK_MSG(!dlopen("libcurl.so.4", RTLD_NOW | RTLD_NOLOAD), "libcurl was loaded before any request");
	char cmd[512];
	snprintf(cmd, sizeof cmd, "LD_DEBUG=libs %s/magi --version 2>&1", MAGI_BIN_DIR);
	FILE *pf = popen(cmd, "r");
	REQUIRE(pf);
	char line[1024];
	int curl_lines = 0, lines = 0;
	while (fgets(line, sizeof line, pf)) {
		lines++;
		curl_lines += strstr(line, "libcurl") != NULL;
	}
	pclose(pf);
	CHECK_MSG(lines > 0 && curl_lines == 0, "magi --version: %d of %d loader lines name libcurl", curl_lines, lines);

	struct magi_error err;
	REQUIRE(magi__curl_load(&err) == MAGI_OK);
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(h);
	url_fn u_new;
	url_set_fn u_set;
	url_get_fn u_get;
	url_free_fn u_free;
	free_fn c_free;
	*(void **)&u_new = dlsym(h, "curl_url");
	*(void **)&u_set = dlsym(h, "curl_url_set");
	*(void **)&u_get = dlsym(h, "curl_url_get");
	*(void **)&u_free = dlsym(h, "curl_url_cleanup");
	*(void **)&c_free = dlsym(h, "curl_free");
	REQUIRE(u_new && u_set && u_get && u_free && c_free);
	int refused = 0;
	for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
		/* curl's verdict: CURLUPART_URL set, then a non-empty CURLUPART_HOST */
		void *u = u_new();
		REQUIRE(u);
		char *host = NULL;
		bool curl_ok = u_set(u, CURLUPART_URL, urls[i], 0) == 0 && u_get(u, CURLUPART_HOST, &host, 0) == 0 &&
			       host && *host;
		c_free(host);
		u_free(u);
		magi_error_clear(&err);
		bool magi_ok = magi__base_url_check("m", urls[i], &err) == MAGI_OK;
		refused += !magi_ok;
		CHECK_MSG(curl_ok == magi_ok, "'%s': curl %s it, magi %s it (%s)", urls[i], curl_ok ? "takes" : "refuses",
			  magi_ok ? "takes" : "refuses", magi_error_text(&err));
		if (!magi_ok)
			CHECK_CONTAINS(magi_error_text(&err), "is malformed");
	}
	CHECK(refused >= 20);
	return check_done();
}
