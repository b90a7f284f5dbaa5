/* fuzz_srt.c — the SRT reader on arbitrary bytes: it must return a status (never crash,
 * never leak) and, on success, cues that are sorted with end >= start, and queries and
 * formatting over them must behave. Seed corpus: fuzz/corpus/srt/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "magi/video.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct magi_subtitles *s = NULL;
	struct magi_error err;
	if (magi_subtitles_parse((const char *)data, size, "fuzz.srt", &s, &err) != MAGI_OK) {
		if (s || !err.msg[0])
			abort(); /* failures leave no result and always explain themselves */
		return 0;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->cues[i].end_s < s->cues[i].start_s || !s->cues[i].text)
			abort();
		if (i && s->cues[i].start_s < s->cues[i - 1].start_s)
			abort();
	}
	size_t idx[8];
	size_t k = magi_subtitles_query(s, 0, 1e15, idx, 8);
	if (k != s->n)
		abort();
	struct magi_buf b;
	magi_buf_init(&b, 1 << 20);
	magi_subtitles_format(s, 0, 1e15, &b);
	magi_buf_release(&b);
	magi_subtitles_free(s);
	return 0;
}
