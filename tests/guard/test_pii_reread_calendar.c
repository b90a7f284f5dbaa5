/* test_pii_reread_calendar.c — issue 15, session 12: a line's clock times and dates do not
 * make it a candidate for the guard's second reading (src/guard/pii_reread.c,
 * calendar_digits), while the numbers beside them still do. Each case renders a line of a
 * terminal's small type with ImageMagick, reads it with Tesseract (the page reading's words
 * replaced by the text given, as small type would read it) and scans it with the budget
 * unlimited; the cache's count says how many crops were read a second time.
 * - `ls -l` lines and the pieces the first reading splits them into ("4096 Dec",
 *   "4 05:23 X11", "2023 adduser.conf"): no second reading;
 * - a phone number beside a date (found on the page already), a card's last group that
 *   looks like a year, a number before a month after another number: found, or read
 *   again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pii_check.h"
#include "pii_render.h"
#include "magi/magi.h"

static char dir[] = "/tmp/magi-reread-cal-XXXXXX";

/* crops read a second time; *found gets the findings of any type */
static size_t reads_of(const char *text, const char *garbled, size_t *found)
{
	size_t reads = 0, k = 0;
	for (int t = 0; t < MAGI_PII__COUNT && (t == 0 || (found && !reads && !k)); t++)
		k += pii_reread_found(dir, text, garbled ? garbled : text, 520, (enum magi_pii_type)t, NULL, NULL,
				      &reads);
	if (found)
		*found = k;
	return reads;
}

int main(void)
{
	if (system("command -v convert >/dev/null 2>&1") != 0)
		SKIP("ImageMagick's convert is not installed");
	REQUIRE(mkdtemp(dir));
	static const char *const calendar[] = {
		"drwxr-xr-x 2 root root 4096 Sep 22 04:38 apparmor.d",
		"drwxr-xr-x 8 root root 12288 Dec 4 2025 apparmor",
		"4096 Dec", "3040 May 25", "4 05:23 X11", "2025 apt", "20480 Dec",
		"Backup finished 2024 at 11:52:07",
		NULL};
	for (int i = 0; calendar[i]; i++) {
		size_t r = reads_of(calendar[i], NULL, NULL);
		CHECK_MSG(r == 0, "\"%s\": %zu second readings, expected none", calendar[i], r);
	}
	/* as rendered, and as small type read them (the page rules find nothing in them) */
	static const char *const numbers[][2] = {
		{"Call 555-201-4096 Sep 22 04:38", "Call S55-2O1-4096 Sep 22 04:38"},
		{"4111 1111 1111 2025 apt", "4111 1lll 11I1 2025 apt"},
		{"555 0134 Sep 22", "555 0134 Sep 22"},
		{NULL, NULL}};
	for (int i = 0; numbers[i][0]; i++) {
		size_t k = 0, r = reads_of(numbers[i][0], numbers[i][1], &k);
		CHECK_MSG(r >= 1 || k >= 1, "\"%s\" read as \"%s\": no finding and no second reading", numbers[i][0],
			  numbers[i][1]);
	}
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_done();
}
