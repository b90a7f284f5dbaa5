/* trace.c — run directories and the append-only, synced trace.jsonl. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "core/json.h"
#include "trace/trace_internal.h"
#include "core/common.h"

#define MAX_SECRETS 64

struct magi_trace {
	char *dir;
	char *log_path; /* <dir>/trace.jsonl */
	int fd;
	long seq;
	off_t good_len; /* trace.jsonl's length after the last event written whole */
	char *secrets[MAX_SECRETS];
	size_t n_secrets;
	/* The first write that failed: from then on the record is incomplete and every write
	 * function returns this error (a later event would leave a hole in the record). Set
	 * from the writer thread too, so read and set under err_mu. */
	struct magi_error err;
	pthread_mutex_t err_mu;
	char *report_path; /* set by magi_trace_report once report.html was written */
	struct magi__trace_writer *w; /* images and syncs off the caller's thread; NULL: none */
	uint32_t image_max; /* JPEG step images scaled to at most this many pixels; 0: full */
	bool sync_at_end;   /* magi__trace_sync_at_end: the log synced once, at close */
};

static magi_status load_events(const char *dir, json_t **events, size_t *whole, struct magi_error *err);

/* Copies the sticky error into err (when the record is already broken); returns its status. */
static magi_status sticky(const struct magi_trace *t, struct magi_error *err)
{
	pthread_mutex_t *mu = (pthread_mutex_t *)&t->err_mu; /* reading is not changing */
	pthread_mutex_lock(mu);
	magi_status s = t->err.status;
	if (s && err)
		*err = t->err;
	pthread_mutex_unlock(mu);
	return s;
}

/* Records a failed write of the record as the handle's sticky error (the first one wins)
 * and hands it to the caller's err. */
static magi_status broke(struct magi_trace *t, const struct magi_error *e, struct magi_error *err)
{
	pthread_mutex_lock(&t->err_mu);
	if (!t->err.status) {
		t->err = *e;
		MAGI_DEBUG("trace %s: the record is incomplete: %s", t->dir, e->msg);
	}
	pthread_mutex_unlock(&t->err_mu);
	if (err)
		*err = *e;
	return e->status;
}

static magi_status open_log(struct magi_trace *t, struct magi_error *err)
{
	size_t n = strlen(t->dir) + sizeof "/trace.jsonl";
	if (!(t->log_path = malloc(n)))
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	snprintf(t->log_path, n, "%s/trace.jsonl", t->dir);
	/* read access too: a reopened trace's last byte is checked */
	t->fd = open(t->log_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (t->fd < 0)
		return magi_error_set(err, MAGI_ERR_IO, "cannot open %s: %s", t->log_path, strerror(errno));
	struct stat st;
	magi_status s = MAGI_OK;
	char last = '\n';
	if (fstat(t->fd, &st) != 0) {
		s = magi_error_set(err, MAGI_ERR_IO, "cannot stat %s: %s", t->log_path, strerror(errno));
	} else if (t->good_len < st.st_size && ftruncate(t->fd, t->good_len) != 0) {
		/* a torn last line (a killed run) is cut off, so the next event starts a line of its own */
		s = magi_error_set(err, MAGI_ERR_IO, "cannot cut the torn last line of %s: %s", t->log_path,
				   strerror(errno));
	} else if (t->good_len > 0 && pread(t->fd, &last, 1, t->good_len - 1) == 1 && last != '\n') {
		/* the last event of a reopened trace may lack its newline */
		if (!(s = magi__fd_write_all(t->fd, "\n", 1, t->log_path, err)))
			t->good_len++;
	}
	if (s) {
		close(t->fd);
		t->fd = -1;
	}
	return s;
}

magi_status magi_trace_open(const char *runs_dir, const char *slug, struct magi_trace **out,
			    struct magi_error *err)
{
	*out = NULL;
	magi_status s = magi_mkdirs(runs_dir, err);
	if (s)
		return s;
	char safe[41];
	size_t k = 0;
	for (const char *p = slug ? slug : "run"; *p && k < 40; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			safe[k++] = (char)c;
		else if (c >= 'A' && c <= 'Z')
			safe[k++] = (char)(c - 'A' + 'a');
		else if (k && safe[k - 1] != '-')
			safe[k++] = '-';
	}
	while (k && safe[k - 1] == '-')
		k--;
	safe[k] = '\0';
	if (!k)
		snprintf(safe, sizeof safe, "run");
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	struct magi_trace *t = calloc(1, sizeof *t);
	if (!t)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	t->fd = -1;
	pthread_mutex_init(&t->err_mu, NULL);
	size_t dl = strlen(runs_dir) + 100;
	t->dir = malloc(dl);
	if (!t->dir) {
		free(t);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	/* Two runs in the same second get -2, -3, ... */
	for (int i = 1;; i++) {
		if (i == 1)
			snprintf(t->dir, dl, "%s/%s-%s", runs_dir, stamp, safe);
		else
			snprintf(t->dir, dl, "%s/%s-%s-%d", runs_dir, stamp, safe, i);
		if (mkdir(t->dir, 0755) == 0)
			break;
		if (errno != EEXIST || i > 1000) {
			s = magi_error_set(err, MAGI_ERR_IO, "cannot create run directory %s: %s", t->dir,
					   strerror(errno));
			free(t->dir);
			free(t);
			return s;
		}
	}
	if ((s = open_log(t, err))) {
		magi_trace_close(t);
		return s;
	}
	*out = t;
	return MAGI_OK;
}

magi_status magi_trace_reopen(const char *dir, struct magi_trace **out, struct magi_error *err)
{
	*out = NULL;
	struct magi_trace *t = calloc(1, sizeof *t);
	if (!t || !(t->dir = magi__strdup(dir))) {
		free(t);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	t->fd = -1;
	pthread_mutex_init(&t->err_mu, NULL);
	json_t *events = NULL;
	size_t whole = 0;
	magi_status s = load_events(dir, &events, &whole, err);
	if (!s) {
		t->seq = (long)json_array_size(events);
		t->good_len = (off_t)whole;
		json_decref(events);
		s = open_log(t, err);
	}
	if (s) {
		magi_trace_close(t);
		return s;
	}
	*out = t;
	return MAGI_OK;
}

void magi_trace_close(struct magi_trace *t)
{
	if (!t)
		return;
	/* the writer's queued images are written and the log synced before it ends; every
	 * event was written whole, so a failing close loses nothing written */
	magi__trace_writer_free(t->w);
	struct magi_error e;
	if (t->sync_at_end && !t->w && t->fd >= 0 && magi__fd_sync(t->fd, true, t->log_path, &e))
		MAGI_WARN("%s", e.msg);
	if (t->fd >= 0 && close(t->fd) != 0)
		MAGI_WARN("closing %s: %s", t->log_path, strerror(errno));
	pthread_mutex_destroy(&t->err_mu);
	free(t->log_path);
	free(t->report_path);
	for (size_t i = 0; i < t->n_secrets; i++) {
		memset(t->secrets[i], 0, strlen(t->secrets[i]));
		free(t->secrets[i]);
	}
	free(t->dir);
	free(t);
}

const char *magi_trace_dir(const struct magi_trace *t)
{
	return t->dir;
}

magi_status magi_trace_status(const struct magi_trace *t)
{
	return t ? sticky(t, NULL) : MAGI_ERR_INVALID;
}

const char *magi_trace_errmsg(const struct magi_trace *t)
{
	if (!t)
		return "no trace";
	return sticky(t, NULL) ? t->err.msg : ""; /* (set once, never changed after) */
}

const char *magi_trace_report_path(const struct magi_trace *t)
{
	return t ? t->report_path : NULL;
}

magi_status magi_trace_report(struct magi_trace *t, struct magi_error *err)
{
	free(t->report_path);
	t->report_path = NULL;
	return magi_trace_write_report_at(t->dir, &t->report_path, err);
}

magi_status magi_trace_add_secret(struct magi_trace *t, const char *secret)
{
	/* Very short strings would redact ordinary words; keys and secrets are longer. */
	if (!secret || strlen(secret) < 4)
		return MAGI_OK;
	for (size_t i = 0; i < t->n_secrets; i++)
		if (!strcmp(t->secrets[i], secret))
			return MAGI_OK;
	if (t->n_secrets == MAX_SECRETS)
		return MAGI_ERR_LIMIT;
	if (!(t->secrets[t->n_secrets] = magi__strdup(secret)))
		return MAGI_ERR_NOMEM;
	t->n_secrets++;
	return MAGI_OK;
}

/* Replaces every registered secret in line (in place, growing via a new buffer). The
 * secret is matched in its JSON-escaped form too, which for keys is the same text. */
static magi_status scrub(struct magi_trace *t, struct magi_buf *line)
{
	for (size_t i = 0; i < t->n_secrets; i++) {
		const char *sec = t->secrets[i];
		size_t sl = strlen(sec);
		if (!strstr(line->data, sec))
			continue;
		struct magi_buf o;
		magi_buf_init(&o, line->max);
		const char *p = line->data, *hit;
		while ((hit = strstr(p, sec))) {
			magi_buf_append(&o, p, (size_t)(hit - p));
			magi_buf_puts(&o, "[redacted]");
			p = hit + sl;
		}
		magi_status s = magi_buf_puts(&o, p);
		magi_buf_release(line);
		*line = o;
		if (s)
			return s;
	}
	return MAGI_OK;
}

magi_status magi__trace_event_json(struct magi_trace *t, const char *type, json_t *ev,
				   struct magi_error *err)
{
	magi_status s;
	if ((s = sticky(t, err)))
		return s;
	json_t *o = json_object();
	char iso[32];
	magi_wall_iso(iso);
	json_object_set_new(o, "seq", json_integer(t->seq));
	json_object_set_new(o, "t", json_string(iso));
	json_object_set_new(o, "ts", json_real(magi_wall_s()));
	if (type)
		json_object_set_new(o, "type", json_string(type));
	if (ev)
		json_object_update(o, ev);
	struct magi_buf line;
	magi_buf_init(&line, 64u << 20);
	s = magi__json_append(&line, o);
	json_decref(o);
	if (!s)
		s = scrub(t, &line);
	if (!s)
		s = magi_buf_putc(&line, '\n');
	if (s) {
		magi_buf_release(&line);
		return magi_error_set(err, s, "cannot format trace event '%s'", type ? type : "?");
	}
	/* One write per line with O_APPEND keeps lines whole even if a reader tails the file;
	 * the line counts only once it is synced. */
	struct magi_error e;
	magi_error_clear(&e);
	s = magi__fd_write_all(t->fd, line.data, line.len, t->log_path, &e);
	if (!s && !t->w && !t->sync_at_end) /* with a writer thread, it syncs soon after (and before an action) */
		s = magi__fd_sync(t->fd, true, t->log_path, &e);
	if (s) {
		/* a part of the line may have reached the file: cut it, so the record ends with
		 * the last whole event and a reader never meets a torn line in the middle */
		if (ftruncate(t->fd, t->good_len) != 0) {
			char why[MAGI_ERRMSG_MAX];
			snprintf(why, sizeof why, "%s", e.msg);
			magi_error_set(&e, s, "%.900s (and the torn line could not be cut: %s)", why, strerror(errno));
		}
		magi_error_prefix(&e, "event %ld ('%s') was not recorded", t->seq, type ? type : "?");
	} else {
		t->good_len += (off_t)line.len;
		t->seq++;
	}
	magi_buf_release(&line);
	if (!s && t->w && !t->sync_at_end)
		magi__trace_writer_sync_soon(t->w);
	return s ? broke(t, &e, err) : MAGI_OK;
}

void magi__trace_background(struct magi_trace *t)
{
	if (t && !t->w && !t->sync_at_end && magi__trace_writer_new(t, t->fd, t->log_path, &t->w) != MAGI_OK)
		t->w = NULL; /* no thread to be had: everything stays on the caller's thread */
}

magi_status magi__trace_broke(struct magi_trace *t, const struct magi_error *e)
{
	return broke(t, e, NULL);
}

void magi__trace_image_max(struct magi_trace *t, uint32_t max_pixels)
{
	t->image_max = max_pixels;
}

void magi__trace_sync_at_end(struct magi_trace *t)
{
	t->sync_at_end = true;
}

bool magi__trace_syncs_as_it_goes(const struct magi_trace *t)
{
	return !t->sync_at_end;
}

static magi_status save_bg(struct magi_trace *t, const char *name, const struct magi_image *img, bool own,
			   struct magi_error *err)
{
	magi_status s;
	if (!t->w)
		s = magi_trace_save_image(t, name, img, NULL, err);
	else if (strchr(name, '/') || name[0] == '.') /* the same check, now, rather than in the writer */
		s = magi_error_set(err, MAGI_ERR_INVALID, "image name '%s' must be a plain file name", name);
	else
		return magi__trace_writer_image(t->w, name, img, own, err);
	if (own)
		magi_image_free((struct magi_image *)img);
	return s;
}

magi_status magi__trace_save_image_bg(struct magi_trace *t, const char *name, const struct magi_image *img,
				      struct magi_error *err)
{
	return save_bg(t, name, img, false, err);
}

magi_status magi__trace_save_image_give(struct magi_trace *t, const char *name, struct magi_image *img,
					struct magi_error *err)
{
	return save_bg(t, name, img, true, err);
}

magi_status magi__trace_save_jpeg_give(struct magi_trace *t, const char *name, char *jpeg, size_t len,
				       struct magi_error *err)
{
	magi_status s;
	if (strchr(name, '/') || name[0] == '.' || !magi__ends_with(name, ".jpg"))
		s = magi_error_set(err, MAGI_ERR_INVALID, "image name '%s' must be a plain file name ending in .jpg",
				   name);
	else if (t->w)
		return magi__trace_writer_jpeg(t->w, name, jpeg, len, err);
	else
		s = magi__trace_write_jpeg(t, name, jpeg, len, err);
	free(jpeg);
	return s;
}

magi_status magi__trace_flush(struct magi_trace *t, bool sync, struct magi_error *err)
{
	if (t->w)
		magi__trace_writer_flush(t->w, sync && !t->sync_at_end && !sticky(t, NULL));
	return sticky(t, err);
}

magi_status magi_trace_event(struct magi_trace *t, const char *type, const char *fields_json,
			     struct magi_error *err)
{
	json_t *ev = NULL;
	if (fields_json) {
		magi_status s = magi__json_parse(fields_json, strlen(fields_json), "trace event", &ev, err);
		if (s)
			return s;
		if (!json_is_object(ev)) {
			json_decref(ev);
			return magi_error_set(err, MAGI_ERR_INVALID, "trace event fields must be a JSON object");
		}
	}
	magi_status s = magi__trace_event_json(t, type, ev, err);
	json_decref(ev);
	if (!s && t->w) /* the public call keeps its word: synced before it returns */
		s = magi__trace_flush(t, true, err);
	return s;
}

/* An encoded image written whole as path: under a temp name, synced, then renamed, so a step
 * image on disk is never cut short (a full disk breaks the record instead). */
static magi_status write_image(struct magi_trace *t, const char *path, const void *data, size_t len,
			       struct magi_error *err)
{
	struct magi_error e;
	magi_error_clear(&e);
	magi_status s = magi__file_write_sync(path, data, len, !t->sync_at_end, &e);
	return s ? broke(t, &e, err) : MAGI_OK;
}

magi_status magi__trace_write_jpeg(struct magi_trace *t, const char *name, const char *jpeg, size_t len,
				   struct magi_error *err)
{
	magi_status s = sticky(t, err);
	if (s)
		return s;
	struct magi_buf path;
	magi_buf_init(&path, 0);
	if ((s = magi_buf_printf(&path, "%s/%s", t->dir, name)))
		s = magi_error_set(err, s, NULL);
	else
		s = write_image(t, path.data, jpeg, len, err);
	magi_buf_release(&path);
	return s;
}

magi_status magi_trace_save_image(struct magi_trace *t, const char *name, const struct magi_image *img,
				  char **rel, struct magi_error *err)
{
	if (rel)
		*rel = NULL;
	magi_status st;
	if ((st = sticky(t, err)))
		return st;
	if (!name || !*name || strchr(name, '/') || name[0] == '.')
		return magi_error_set(err, MAGI_ERR_INVALID, "image name '%s' must be a plain file name",
				      name ? name : "");
	/* Encoded here rather than with magi_image_save: the trace wants a lighter JPEG. The file
	 * is written whole (write_image). */
	struct magi_buf path, data;
	magi_buf_init(&path, 0);
	magi_buf_init(&data, 256u << 20);
	magi_status s = magi_buf_printf(&path, "%s/%s", t->dir, name);
	if (s) {
		magi_buf_release(&data);
		return magi_error_set(err, s, NULL);
	}
	if (magi__ends_with(name, ".png")) {
		s = magi_image_encode_png(img, &data, err);
	} else if (t->image_max && (uint64_t)img->w * img->h > t->image_max) {
		/* scaled in the same pass as the encoding, as a model image is */
		struct magi_image_policy pol = magi_image_policy_default();
		pol.kind = MAGI_IMAGE_POLICY_NONE;
		pol.max_pixels = t->image_max;
		pol.jpeg_quality = 80;
		s = magi_image_prepare(img, &pol, &data, NULL, NULL, err);
	} else {
		s = magi_image_encode_jpeg(img, 80, &data, err);
	}
	if (!s)
		s = write_image(t, path.data, data.data, data.len, err);
	magi_buf_release(&data);
	magi_buf_release(&path);
	if (!s && rel && !(*rel = magi__strdup(name)))
		s = magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	return s;
}

magi_status magi_trace_write_summary(struct magi_trace *t, const char *summary_json,
				     struct magi_error *err)
{
	magi_status st;
	if ((st = sticky(t, err)))
		return st;
	json_t *j = NULL;
	magi_status s = magi__json_parse(summary_json, strlen(summary_json), "summary", &j, err);
	if (s)
		return s;
	char *pretty = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(j);
	if (!pretty)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	struct magi_buf line, path;
	magi_buf_init(&line, 0);
	magi_buf_init(&path, 0);
	s = magi_buf_puts(&line, pretty);
	free(pretty);
	if (!s)
		s = scrub(t, &line);
	if (!s)
		s = magi_buf_putc(&line, '\n');
	if (!s)
		s = magi_buf_printf(&path, "%s/summary.json", t->dir);
	if (s) {
		s = magi_error_set(err, s, "cannot format %s/summary.json", t->dir);
	} else {
		struct magi_error e;
		magi_error_clear(&e);
		if ((s = magi__file_write_sync(path.data, line.data, line.len, !t->sync_at_end, &e)))
			broke(t, &e, err);
	}
	magi_buf_release(&path);
	magi_buf_release(&line);
	return s;
}

/* magi__trace_load, also telling how many leading bytes hold whole events (*whole). */
static magi_status load_events(const char *dir, json_t **events, size_t *whole, struct magi_error *err)
{
	*events = NULL;
	*whole = 0;
	struct magi_buf path, data;
	magi_buf_init(&path, 0);
	magi_buf_init(&data, 1u << 30);
	struct stat st;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		magi_buf_printf(&path, "%s/trace.jsonl", dir);
	else
		magi_buf_puts(&path, dir);
	magi_status s = magi_file_read(path.data, &data, err);
	if (s) {
		magi_buf_release(&path);
		magi_buf_release(&data);
		return s;
	}
	json_t *arr = json_array();
	char *p = data.data;
	int lineno = 0;
	while (*p) {
		char *nl = strchr(p, '\n');
		lineno++;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len) {
			json_t *ev = NULL;
			char what[64];
			snprintf(what, sizeof what, "line %d", lineno);
			if (magi__json_parse(p, len, what, &ev, err) != MAGI_OK || !json_is_object(ev)) {
				json_decref(ev);
				if (!nl) {
					/* the last line was cut by a kill: keep everything before it */
					MAGI_WARN("%s: ignoring a torn last line %d", path.data, lineno);
					magi_error_clear(err);
					break;
				}
				magi_error_prefix(err, "%s", path.data);
				json_decref(arr);
				magi_buf_release(&path);
				magi_buf_release(&data);
				return err ? err->status : MAGI_ERR_PARSE;
			}
			json_array_append_new(arr, ev);
		}
		*whole = (size_t)((nl ? nl + 1 : p + len) - data.data);
		if (!nl)
			break;
		p = nl + 1;
	}
	magi_buf_release(&path);
	magi_buf_release(&data);
	*events = arr;
	return MAGI_OK;
}

magi_status magi__trace_load(const char *dir, json_t **events, struct magi_error *err)
{
	size_t whole;
	return load_events(dir, events, &whole, err);
}

magi_status magi_trace_call(struct magi_trace *t, const char *role, const char *model,
			    const struct magi_chat_result *r, struct magi_error *err)
{
	return magi__trace_call_json(t, role, model, r, NULL, err);
}

magi_status magi__trace_call_json(struct magi_trace *t, const char *role, const char *model,
				  const struct magi_chat_result *r, json_t *extra, struct magi_error *err)
{
	json_t *ev = json_object();
	if (extra)
		json_object_update(ev, extra);
	json_object_set_new(ev, "role", json_string(role ? role : "chat"));
	json_object_set_new(ev, "model", json_string(model ? model : "default"));
	json_object_set_new(ev, "status", json_string(r->status ? magi_status_name(r->status) : "ok"));
	if (r->error)
		json_object_set_new(ev, "error", json_string(r->error));
	if (r->content)
		json_object_set_new(ev, "content", json_string(r->content));
	if (r->finish_reason)
		json_object_set_new(ev, "finish_reason", json_string(r->finish_reason));
	json_object_set_new(ev, "prompt_tokens", json_integer(r->prompt_tokens));
	json_object_set_new(ev, "completion_tokens", json_integer(r->completion_tokens));
	json_object_set_new(ev, "est_image_tokens", json_integer(r->est_image_tokens));
	json_object_set_new(ev, "est_text_tokens", json_integer(r->est_text_tokens));
	json_object_set_new(ev, "n_images", json_integer(r->n_images));
	json_object_set_new(ev, "attempts", json_integer(r->attempts));
	json_object_set_new(ev, "http_status", json_integer(r->http_status));
	json_object_set_new(ev, "replayed", json_boolean(r->replayed));
	json_object_set_new(ev, "prepare_ms", json_real(r->prepare_ms));
	json_object_set_new(ev, "latency_ms", json_real(r->latency_ms));
	json_object_set_new(ev, "t_start", json_real(r->t_start));
	json_object_set_new(ev, "t_end", json_real(r->t_end));
	json_object_set_new(ev, "request_hash", json_string(r->request_hash));
	magi_status s = magi__trace_event_json(t, "call", ev, err);
	json_decref(ev);
	return s;
}
