/* cassette.c — record/replay of model calls. A cassette is a JSONL file, one answered
 * request per line: {"hash", "model", "prompt" (a short preview), "content",
 * "finish_reason", "prompt_tokens", "completion_tokens"}. Requests are keyed by the
 * SHA-256 of their exact body, so a replayed run must send byte-identical requests —
 * which magi's deterministic encoding guarantees for the same inputs. No headers and no
 * keys are stored. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/json.h"
#include "model/model_internal.h"
#include "core/common.h"

struct entry {
	char hash[65];
	json_t *obj;
	bool used;
};

struct magi__cassette {
	enum magi_cassette_mode mode;
	char *path;
	int fd; /* record mode: opened for append; -1 otherwise */
	struct entry *e;
	size_t n, cap;
};

static magi_status load(struct magi__cassette *c, struct magi_error *err)
{
	FILE *f = fopen(c->path, "r");
	if (!f)
		return magi_error_set(err, MAGI_ERR_NOT_FOUND, "cannot open cassette %s: no such file (record one with --record %s)",
				      c->path, c->path);
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	int lineno = 0;
	magi_status s = MAGI_OK;
	while ((len = getline(&line, &lcap, f)) > 0) {
		lineno++;
		if (len <= 1)
			continue;
		json_t *j = NULL;
		char what[64];
		snprintf(what, sizeof what, "cassette line %d", lineno);
		if ((s = magi__json_parse(line, (size_t)len, what, &j, err)))
			break;
		const char *h = magi__json_str(j, "hash", NULL);
		if (!h || strlen(h) != 64 || !json_is_string(json_object_get(j, "content"))) {
			json_decref(j);
			s = magi_error_set(err, MAGI_ERR_PARSE, "%s line %d: missing hash or content", c->path,
					   lineno);
			break;
		}
		if (!magi__grow(&c->e, &c->cap, c->n, sizeof *c->e, 16)) {
			json_decref(j);
			s = magi_error_set(err, MAGI_ERR_NOMEM, NULL);
			break;
		}
		struct entry *en = &c->e[c->n++];
		memcpy(en->hash, h, 65);
		en->obj = j;
		en->used = false;
	}
	if (s && s != MAGI_ERR_NOMEM && err)
		magi_error_prefix(err, "%s", c->path);
	free(line);
	fclose(f);
	return s;
}

magi_status magi__cassette_open(const char *path, enum magi_cassette_mode mode,
				struct magi__cassette **out, struct magi_error *err)
{
	*out = NULL;
	struct magi__cassette *c = calloc(1, sizeof *c);
	if (!c || !(c->path = magi__strdup(path))) {
		free(c);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	c->mode = mode;
	c->fd = -1;
	magi_status s = MAGI_OK;
	if (mode == MAGI_CASSETTE_REPLAY) {
		s = load(c, err);
	} else if ((c->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
		s = magi_error_set(err, MAGI_ERR_IO, "cannot write cassette %s: %s", path, strerror(errno));
	}
	if (s) {
		magi__cassette_free(c);
		return s;
	}
	*out = c;
	return MAGI_OK;
}

void magi__cassette_free(struct magi__cassette *c)
{
	if (!c)
		return;
	if (c->fd >= 0 && close(c->fd) != 0)
		MAGI_WARN("closing cassette %s: %s", c->path, strerror(errno));
	for (size_t i = 0; i < c->n; i++)
		json_decref(c->e[i].obj);
	free(c->e);
	free(c->path);
	free(c);
}

enum magi_cassette_mode magi__cassette_mode(const struct magi__cassette *c)
{
	return c->mode;
}

magi_status magi__cassette_find(struct magi__cassette *c, const char *hash, const char *preview,
				struct magi_chat_result *res, struct magi_error *err)
{
	/* The same request may legitimately be sent twice (a retry loop that saw the same
	 * screen); prefer an unused entry so recorded answers replay in order. */
	struct entry *hit = NULL;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].hash, hash)) {
			if (!c->e[i].used) {
				hit = &c->e[i];
				break;
			}
			if (!hit)
				hit = &c->e[i];
		}
	if (!hit)
		return magi_error_set(err, MAGI_ERR_REPLAY_MISS,
				      "request %.12s (\"%s\") is not in cassette %s: the inputs differ from the recorded run; "
				      "record again with --record", hash, preview, c->path);
	hit->used = true;
	res->content = magi__strdup(magi__json_str(hit->obj, "content", ""));
	const char *fr = magi__json_str(hit->obj, "finish_reason", NULL);
	res->finish_reason = fr ? magi__strdup(fr) : NULL;
	res->prompt_tokens = (int)magi__json_int(hit->obj, "prompt_tokens", -1);
	res->completion_tokens = (int)magi__json_int(hit->obj, "completion_tokens", -1);
	res->replayed = true;
	magi_error_clear(err);
	return MAGI_OK;
}

magi_status magi__cassette_add(struct magi__cassette *c, const char *hash, const char *model,
			       const char *preview, const struct magi_chat_result *res, struct magi_error *err)
{
	json_t *o = json_pack("{s:s, s:s?, s:s, s:s, s:s?, s:i, s:i}", "hash", hash, "model", model,
			      "prompt", preview, "content", res->content ? res->content : "",
			      "finish_reason", res->finish_reason, "prompt_tokens", res->prompt_tokens,
			      "completion_tokens", res->completion_tokens);
	if (!o)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	char *line = magi__json_dump(o, false);
	json_decref(o);
	size_t n = line ? strlen(line) : 0;
	char *nl = line ? realloc(line, n + 2) : NULL;
	if (!nl) {
		free(line);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	nl[n] = '\n';
	nl[n + 1] = '\0';
	/* Written and synced per call so a killed run keeps every answer it already paid for;
	 * an answer that did not reach the cassette is said so, not passed off as recorded. */
	struct stat st;
	off_t before = fstat(c->fd, &st) == 0 ? st.st_size : -1;
	magi_status s = magi__fd_write_all(c->fd, nl, n + 1, c->path, err);
	if (!s)
		s = magi__fd_sync(c->fd, true, c->path, err);
	if (s && before >= 0 && ftruncate(c->fd, before) != 0)
		MAGI_WARN("cassette %s: the torn entry could not be cut: %s", c->path, strerror(errno));
	free(nl);
	return s;
}
