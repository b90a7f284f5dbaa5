/* check.h — the tiny assertion kit shared by magi's test programs.
 * CHECK(cond) records a failure and goes on; REQUIRE(cond) stops the test.
 * Each test's main ends with `return check_done();`, which prints
 * "N passed, N failed" and returns 0 only when nothing failed. */
#ifndef MAGI_CHECK_H
#define MAGI_CHECK_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_pass_, check_fail_;

#define CHECK(c)                                                                        \
	do {                                                                            \
		if (c)                                                                  \
			check_pass_++;                                                  \
		else {                                                                  \
			check_fail_++;                                                  \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
		}                                                                       \
	} while (0)
#define CHECK_MSG(c, ...)                                                               \
	do {                                                                            \
		if (c)                                                                  \
			check_pass_++;                                                  \
		else {                                                                  \
			check_fail_++;                                                  \
			fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #c); \
			fprintf(stderr, __VA_ARGS__);                                   \
			fputc('\n', stderr);                                            \
		}                                                                       \
	} while (0)
#define CHECK_STR(a, b)                                                                  \
	do {                                                                             \
		const char *ca_ = (a), *cb_ = (b);                                       \
		CHECK_MSG(ca_ && cb_ && strcmp(ca_, cb_) == 0, "\"%s\" != \"%s\"",     \
			  ca_ ? ca_ : "(null)", cb_ ? cb_ : "(null)");                  \
	} while (0)
#define CHECK_CONTAINS(hay, needle)                                                      \
	do {                                                                             \
		const char *ch_ = (hay), *cn_ = (needle);                                \
		CHECK_MSG(ch_ && strstr(ch_, cn_), "\"%s\" does not contain \"%s\"",   \
			  ch_ ? ch_ : "(null)", cn_);                                   \
	} while (0)
#define REQUIRE(c)                                                                       \
	do {                                                                             \
		if (!(c)) {                                                              \
			fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #c); \
			exit(1);                                                         \
		}                                                                        \
		check_pass_++;                                                           \
	} while (0)
#define SKIP(...)                                                                        \
	do {                                                                             \
		fprintf(stderr, "skipped: ");                                            \
		fprintf(stderr, __VA_ARGS__);                                            \
		fputc('\n', stderr);                                                     \
		exit(77);                                                                \
	} while (0)

static inline int check_done(void)
{
	printf("%d passed, %d failed\n", check_pass_, check_fail_);
	return check_fail_ ? 1 : 0;
}
#endif
