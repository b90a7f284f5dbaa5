/* test_trace_writer.c — the trace's writer thread (src/trace/trace_writer.c): images queued
 * land on disk by the barrier, events are in the file as soon as the call returns (before
 * any sync), closing a trace writes what is still queued, and an image that cannot be
 * written is the barrier's error and breaks the record (no later event is written); an
 * encoded JPEG handed over is written byte for byte; a trace told to sync only at its end
 * (magi__trace_sync_at_end) syncs nothing until it closes, and then once. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include "check.h"
#include "magi/magi.h"
#include "trace/trace_internal.h"

/* the hook is internal (src/core/common.h pulls in the banned list, so declared here) */
void magi__fault_set(const char *write_spec, const char *sync_spec);

static long file_size(const char *dir, const char *name)
{
	char p[4200];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) ? (long)st.st_size : -1;
}

static int count_lines(const char *dir, const char *type)
{
	char p[4096], want[64], line[8192];
	snprintf(p, sizeof p, "%s/trace.jsonl", dir);
	snprintf(want, sizeof want, "\"type\":\"%s\"", type);
	FILE *f = fopen(p, "r");
	int n = 0;
	while (f && fgets(line, sizeof line, f))
		n += strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return n;
}

int main(void)
{
	char root[] = "/tmp/magi-test-trace-writer-XXXXXX";
	REQUIRE(mkdtemp(root));
	struct magi_image *img = NULL;
	REQUIRE(magi_image_new(320, 200, &img) == MAGI_OK);
	for (uint32_t y = 0; y < img->h; y++)
		for (uint32_t x = 0; x < img->w * 3; x++)
			img->px[y * img->stride + x] = (uint8_t)(x * 7 + y * 3);
	struct magi_error err;

	/* 1. images on the writer, events at once */
	struct magi_trace *t = NULL;
	REQUIRE(magi_trace_open(root, "writer", &t, &err) == MAGI_OK);
	magi__trace_background(t);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", magi_trace_dir(t));
	CHECK(magi__trace_save_image_bg(t, "step-001.jpg", img, &err) == MAGI_OK);
	CHECK(magi__trace_save_image_bg(t, "step-002.png", img, &err) == MAGI_OK);
	CHECK_MSG(magi__trace_save_image_bg(t, "../escape.jpg", img, &err) == MAGI_ERR_INVALID,
		  "a path is refused at once, not on the writer");
	json_t *ev = json_pack("{s:i}", "step", 1);
	for (int i = 0; i < 5; i++)
		CHECK(magi__trace_event_json(t, "step", ev, &err) == MAGI_OK);
	/* written with write(2) before the call returned: a process killed now keeps them */
	CHECK_MSG(count_lines(dir, "step") == 5, "5 step lines readable before any barrier");
	CHECK(magi__trace_flush(t, true, &err) == MAGI_OK);
	CHECK_MSG(file_size(dir, "step-001.jpg") > 1000, "the JPEG is on disk after the barrier");
	CHECK_MSG(file_size(dir, "step-002.png") > 1000, "the PNG too");
	CHECK_MSG(file_size(dir, "../escape.jpg") < 0, "nothing written for the refused name");

	/* 2. closing writes what is queued */
	CHECK(magi__trace_save_image_bg(t, "step-003.jpg", img, &err) == MAGI_OK);
	magi_trace_close(t);
	CHECK_MSG(file_size(dir, "step-003.jpg") > 1000, "written by close");

	/* 3. an image that cannot be written breaks the record: the barrier says so, again and
	 *    again, and no later event is written (the record ends with its last whole event) */
	REQUIRE(magi_trace_open(root, "broken", &t, &err) == MAGI_OK);
	magi__trace_background(t);
	snprintf(dir, sizeof dir, "%s", magi_trace_dir(t));
	char blocker[4200];
	snprintf(blocker, sizeof blocker, "%s/step-001.jpg", dir);
	REQUIRE(mkdir(blocker, 0755) == 0); /* a directory where the file would go */
	CHECK(magi__trace_event_json(t, "step", ev, &err) == MAGI_OK);
	CHECK(magi__trace_save_image_bg(t, "step-001.jpg", img, &err) == MAGI_OK);
	magi_error_clear(&err);
	CHECK(magi__trace_flush(t, false, &err) != MAGI_OK);
	CHECK_CONTAINS(err.msg, "step-001.jpg");
	magi_error_clear(&err);
	CHECK_MSG(magi__trace_flush(t, true, &err) != MAGI_OK, "the error stays");
	CHECK(magi_trace_status(t) != MAGI_OK);
	CHECK(magi__trace_event_json(t, "intent", ev, &err) != MAGI_OK);
	CHECK_MSG(count_lines(dir, "intent") == 0 && count_lines(dir, "step") == 1,
		  "nothing recorded after the failure, everything before it kept");
	magi_trace_close(t);

	/* 4. without the writer, the same calls work on the caller's thread */
	REQUIRE(magi_trace_open(root, "plain", &t, &err) == MAGI_OK);
	snprintf(dir, sizeof dir, "%s", magi_trace_dir(t));
	CHECK(magi__trace_save_image_bg(t, "step-001.jpg", img, &err) == MAGI_OK);
	CHECK_MSG(file_size(dir, "step-001.jpg") > 1000, "written before the call returned");
	CHECK(magi__trace_flush(t, true, &err) == MAGI_OK);
	magi_trace_close(t);

	/* 5. an image already encoded (the JPEG a model was sent) is written as it is, on the
	 *    writer or on the caller's thread; a bad name is refused and the bytes freed */
	static const char jpeg[] = "\xff\xd8\xff\xe0 not really a JPEG, but bytes to keep exactly \xff\xd9";
	for (int bg = 0; bg < 2; bg++) {
		REQUIRE(magi_trace_open(root, bg ? "sent-bg" : "sent", &t, &err) == MAGI_OK);
		if (bg)
			magi__trace_background(t);
		snprintf(dir, sizeof dir, "%s", magi_trace_dir(t));
		char *copy = malloc(sizeof jpeg);
		REQUIRE(copy);
		memcpy(copy, jpeg, sizeof jpeg);
		CHECK(magi__trace_save_jpeg_give(t, "step-001.jpg", copy, sizeof jpeg, &err) == MAGI_OK);
		char *bad = malloc(4);
		REQUIRE(bad);
		CHECK_MSG(magi__trace_save_jpeg_give(t, "../step-002.jpg", bad, 4, &err) == MAGI_ERR_INVALID,
			  "a path is refused");
		bad = malloc(4);
		REQUIRE(bad);
		CHECK_MSG(magi__trace_save_jpeg_give(t, "step-002.png", bad, 4, &err) == MAGI_ERR_INVALID,
			  "JPEG bytes are not written under another format's name");
		CHECK(magi__trace_flush(t, true, &err) == MAGI_OK);
		char p[4200];
		snprintf(p, sizeof p, "%s/step-001.jpg", dir);
		FILE *f = fopen(p, "rb");
		char got[sizeof jpeg + 8];
		size_t n = f ? fread(got, 1, sizeof got, f) : 0;
		if (f)
			fclose(f);
		CHECK_MSG(n == sizeof jpeg && !memcmp(got, jpeg, n), "the bytes on disk are the bytes given (%s)",
			  bg ? "writer" : "caller");
		CHECK(file_size(dir, "step-002.png") < 0);
		magi_trace_close(t);
	}

	/* 6. synced only at the end: with the next sync armed to fail, events, the barrier
	 *    before an action, a step image, summary.json and the report all succeed (none of
	 *    them syncs), closing takes the one sync (the fault is used up: a plain trace's
	 *    event syncs fine afterwards); the same work on a plain trace fails at once */
	for (int lazy = 1; lazy >= 0; lazy--) {
		REQUIRE(magi_trace_open(root, lazy ? "at-end" : "as-it-goes", &t, &err) == MAGI_OK);
		if (lazy)
			magi__trace_sync_at_end(t);
		magi__trace_background(t);
		CHECK(magi__trace_syncs_as_it_goes(t) == !lazy);
		snprintf(dir, sizeof dir, "%s", magi_trace_dir(t));
		magi__fault_set(NULL, "1:EIO");
		magi_status s = magi__trace_event_json(t, "step", ev, &err);
		if (!lazy) {
			if (s == MAGI_OK) /* the writer thread syncs it: the barrier reports it */
				s = magi__trace_flush(t, true, &err);
			CHECK_MSG(s == MAGI_ERR_IO, "a trace synced as it goes meets the failing sync at once");
			magi__fault_set(NULL, NULL);
			magi_trace_close(t);
			continue;
		}
		CHECK(s == MAGI_OK);
		CHECK(magi__trace_event_json(t, "intent", ev, &err) == MAGI_OK);
		CHECK(magi__trace_flush(t, true, &err) == MAGI_OK);
		CHECK(magi__trace_save_image_bg(t, "step-001.jpg", img, &err) == MAGI_OK);
		CHECK(magi_trace_write_summary(t, "{\"reason\": \"done\"}", &err) == MAGI_OK);
		CHECK(magi__trace_write_report_sync(dir, NULL, false, &err) == MAGI_OK);
		CHECK_MSG(magi_trace_status(t) == MAGI_OK, "nothing synced, nothing failed");
		CHECK(count_lines(dir, "intent") == 1);
		CHECK(file_size(dir, "step-001.jpg") > 1000 && file_size(dir, "summary.json") > 0 &&
		      file_size(dir, "report.html") > 1000);
		magi_trace_close(t); /* the sync: fails (a warning), and uses the fault up */
		struct magi_trace *t2 = NULL;
		REQUIRE(magi_trace_open(root, "after", &t2, &err) == MAGI_OK);
		CHECK_MSG(magi__trace_event_json(t2, "step", ev, &err) == MAGI_OK,
			  "the armed sync was taken by the closing trace");
		magi_trace_close(t2);
		magi__fault_set(NULL, NULL);
	}

	json_decref(ev);
	magi_image_free(img);
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
	return check_done();
}
