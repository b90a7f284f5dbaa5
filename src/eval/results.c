/* results.c — results.jsonl: appended one synced line per finished item, read back for
 * --resume, merge and report. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/json.h"
#include "eval/eval_internal.h"
#include "core/common.h"

magi_status magi__eval_results_append(int fd, const json_t *line, struct magi_error *err)
{
	struct magi_buf b;
	magi_buf_init(&b, MAGI_EVAL_MAX_LINE);
	magi_status s = magi__json_append(&b, line);
	if (!s)
		s = magi_buf_putc(&b, '\n');
	if (s) {
		magi_buf_release(&b);
		return magi_error_set(err, s, "a result line is too long");
	}
	/* one write per line: a reader sees whole lines (or a torn last one after a crash) */
	size_t off = 0;
	while (off < b.len) {
		ssize_t w = write(fd, b.data + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			magi_buf_release(&b);
			return magi_error_set(err, MAGI_ERR_IO, "writing results.jsonl: %s", strerror(errno));
		}
		off += (size_t)w;
	}
	magi_buf_release(&b);
	if (fsync(fd) != 0)
		return magi_error_set(err, MAGI_ERR_IO, "syncing results.jsonl: %s", strerror(errno));
	return MAGI_OK;
}

magi_status magi__eval_results_load(const char *path, json_t **items, struct magi_error *err)
{
	*items = NULL;
	struct magi_buf b;
	magi_buf_init(&b, MAGI_BUF_DEFAULT_MAX);
	magi_status s = magi_file_read(path, &b, err);
	if (s) {
		magi_buf_release(&b);
		return s;
	}
	json_t *arr = json_array(), *pos = json_object();
	long line = 0;
	for (size_t i = 0; i < b.len && !s;) {
		line++;
		char *nl = memchr(b.data + i, '\n', b.len - i);
		size_t e = nl ? (size_t)(nl - b.data) : b.len;
		size_t n = e - i;
		const char *t = b.data + i;
		i = e + 1;
		if (n == 0)
			continue;
		json_t *j = NULL;
		if (magi__json_parse(t, n, path, &j, err) != MAGI_OK || !json_is_object(j) ||
		    !json_is_string(json_object_get(j, "id"))) {
			json_decref(j);
			if (!nl) { /* torn last line: the eval was killed while writing it */
				MAGI_WARN("%s: line %ld is incomplete (a killed eval?); ignored", path, line);
				break;
			}
			s = magi_error_set(err, MAGI_ERR_PARSE, "%s:%ld: not a result line (a JSON object with an \"id\")",
					   path, line);
			break;
		}
		const char *id = json_string_value(json_object_get(j, "id"));
		json_t *at = json_object_get(pos, id);
		if (at) {
			json_array_set_new(arr, (size_t)json_integer_value(at), j);
		} else {
			json_object_set_new(pos, id, json_integer((json_int_t)json_array_size(arr)));
			json_array_append_new(arr, j);
		}
	}
	json_decref(pos);
	magi_buf_release(&b);
	if (s) {
		json_decref(arr);
		return s;
	}
	*items = arr;
	return MAGI_OK;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void magi__eval_rmtree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

magi_status magi__eval_write_file(const char *dir, const char *name, const char *text,
				  struct magi_error *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return magi_file_write(path, text, strlen(text), err);
}
