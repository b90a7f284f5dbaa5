/* test_redact.c — text labels, solid image boxes with padding (pixels checked), endpoint
 * trust, URL hosts and the domain allowlist. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "magi/guard.h"

static void test_text(void)
{
	const char *t = "Mail bob@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111.";
	struct magi_pii_finding *f;
	size_t n;
	CHECK(magi_pii_scan_text(t, NULL, &f, &n) == MAGI_OK);
	CHECK(n == 3);
	char *out = NULL;
	CHECK(magi_guard_redact_text(t, f, n, &out) == MAGI_OK);
	CHECK_STR(out, "Mail [email] or call [phone]; card [card].");
	free(out);
	magi_pii_findings_free(f, n);

	/* every label */
	CHECK(magi_pii_scan_text("10.1.2.3 fe80::1 00:1a:2b:3c:4d:5e 123-45-6789 "
				 "DE89 3704 0044 0532 0130 00 AKIAIOSFODNN7EXAMPLE pin: 4242",
				 NULL, &f, &n) == MAGI_OK);
	CHECK(magi_guard_redact_text("10.1.2.3 fe80::1 00:1a:2b:3c:4d:5e 123-45-6789 "
				     "DE89 3704 0044 0532 0130 00 AKIAIOSFODNN7EXAMPLE pin: 4242",
				     f, n, &out) == MAGI_OK);
	CHECK_STR(out, "[ip] [ip] [mac] [ssn] [iban] [api_key] pin: [credential]");
	free(out);
	magi_pii_findings_free(f, n);

	/* overlapping and unsorted spans merge; out-of-range spans are refused */
	struct magi_pii_finding g[2];
	memset(g, 0, sizeof g);
	g[0].type = MAGI_PII_PHONE, g[0].start = 4, g[0].end = 8;
	g[1].type = MAGI_PII_EMAIL, g[1].start = 2, g[1].end = 6;
	CHECK(magi_guard_redact_text("0123456789", g, 2, &out) == MAGI_OK);
	CHECK_STR(out, "01[email]89");
	free(out);
	g[0].end = 11;
	CHECK(magi_guard_redact_text("0123456789", g, 2, &out) == MAGI_ERR_INVALID && !out);
	CHECK(magi_guard_redact_text("plain", NULL, 0, &out) == MAGI_OK);
	CHECK_STR(out, "plain");
	free(out);
	/* a secret without a name */
	memset(g, 0, sizeof g);
	g[0].type = MAGI_PII_SECRET, g[0].start = 0, g[0].end = 2;
	CHECK(magi_guard_redact_text("xy!", g, 1, &out) == MAGI_OK);
	CHECK_STR(out, "<secret>!");
	free(out);
}

static bool all_black(const struct magi_image *im, int x0, int y0, int x1, int y1)
{
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			const uint8_t *p = im->px + (size_t)y * im->stride + (size_t)x * 3;
			if (p[0] || p[1] || p[2])
				return false;
		}
	return true;
}

static bool pixel_is(const struct magi_image *im, int x, int y, uint8_t v)
{
	const uint8_t *p = im->px + (size_t)y * im->stride + (size_t)x * 3;
	return p[0] == v && p[1] == v && p[2] == v;
}

static void test_image(void)
{
	struct magi_image *im = NULL;
	REQUIRE(magi_image_new(100, 60, &im) == MAGI_OK);
	for (uint32_t y = 0; y < im->h; y++)
		memset(im->px + (size_t)y * im->stride, 200, (size_t)im->w * 3);
	struct magi_pii_finding f[3];
	memset(f, 0, sizeof f);
	f[0].has_box = true, f[0].x = 10, f[0].y = 10, f[0].w = 20, f[0].h = 10;
	f[1].has_box = false, f[1].x = 50, f[1].y = 30, f[1].w = 10, f[1].h = 10; /* text-only */
	f[2].has_box = true, f[2].x = 90, f[2].y = 50, f[2].w = 30, f[2].h = 30; /* clipped */
	CHECK(magi_guard_redact_image(im, f, 3, 2) == 2);
	CHECK(all_black(im, 8, 8, 32, 22));  /* box plus 2 px padding */
	CHECK(pixel_is(im, 7, 15, 200));     /* just outside the padding */
	CHECK(pixel_is(im, 32, 15, 200));
	CHECK(pixel_is(im, 20, 7, 200));
	CHECK(pixel_is(im, 20, 22, 200));
	CHECK(pixel_is(im, 55, 35, 200));    /* no box: untouched */
	CHECK(all_black(im, 88, 48, 100, 60));
	CHECK(pixel_is(im, 87, 55, 200));
	/* never blur: the covered area holds no trace of what was there */
	CHECK(magi_guard_redact_image(NULL, f, 3, 2) == 0);
	CHECK(magi_guard_redact_image(im, NULL, 3, 2) == 0);
	f[0].x = -50, f[0].y = -50, f[0].w = 10, f[0].h = 10; /* wholly outside */
	CHECK(magi_guard_redact_image(im, f, 1, 0) == 0);
	magi_image_free(im);
}

static void test_trust(void)
{
	const char *local[] = {"http://127.0.0.1:8080/v1", "http://localhost:11434", "localhost",
			       "https://LOCALHOST/v1", "http://[::1]:8000/v1", "::1", "127.5.6.7",
			       "http://user:pw@127.0.0.1/", "http://api.localhost:9/",
			       "http://[0:0:0:0:0:0:0:1]/", "http://[::ffff:127.0.0.1]:80/",
			       "http://127.0.0.1./x"};
	for (size_t i = 0; i < sizeof local / sizeof *local; i++)
		CHECK_MSG(magi_guard_endpoint_is_local(local[i]), "%s should be local", local[i]);
	const char *remote[] = {"https://api.openai.com/v1", "http://10.0.0.5:8000", "http://[::2]/",
				"http://127.0.0.1.evil.com/", "http://localhost.evil.com/",
				"http://evil.com/?u=http://127.0.0.1", "http://evil.com#@127.0.0.1",
				"", NULL, "http://128.0.0.1", "http://[::ffff:10.0.0.1]/",
				"http://127.0.0.256/", "http://0x7f000001/"};
	for (size_t i = 0; i < sizeof remote / sizeof *remote; i++)
		CHECK_MSG(!magi_guard_endpoint_is_local(remote[i]), "%s should be remote",
			  remote[i] ? remote[i] : "(null)");
	char h[64];
	CHECK(magi_guard_url_host("https://Mail.Google.com:443/mail/u/0", h, sizeof h));
	CHECK_STR(h, "mail.google.com");
	CHECK(magi_guard_url_host("evil.com/login", h, sizeof h));
	CHECK_STR(h, "evil.com");
	CHECK(!magi_guard_url_host("", h, sizeof h));
	const char *allow[] = {"example.com", "*.corp.net", "https://docs.python.org/3/"};
	CHECK(magi_guard_domain_allowed("example.com", allow, 3));
	CHECK(magi_guard_domain_allowed("shop.example.com", allow, 3));
	CHECK(!magi_guard_domain_allowed("badexample.com", allow, 3));
	CHECK(!magi_guard_domain_allowed("example.com.evil.io", allow, 3));
	CHECK(magi_guard_domain_allowed("a.corp.net", allow, 3));
	CHECK(magi_guard_domain_allowed("docs.python.org", allow, 3));
	const char *star[] = {"*"};
	CHECK(magi_guard_domain_allowed("anything.org", star, 1));
	CHECK(!magi_guard_domain_allowed("x.org", NULL, 0));
}

int main(void)
{
	test_text();
	test_image();
	test_trust();
	return check_done();
}
