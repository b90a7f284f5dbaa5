/* suite.c — reading suite files: magi's YAML header + JSONL, JSONL, or a JSON array of
 * records, each record kept with the line it starts on so every message can name it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/json.h"
#include "core/yaml.h"
#include "eval/eval_internal.h"
#include "core/common.h"

static const char *const kind_names[] = {
#define MAGI__X(n, s) s,
	MAGI_EVAL_KINDS(MAGI__X)
#undef MAGI__X
};

const char *magi_eval_kind_name(enum magi_eval_kind k)
{
	return (unsigned)k < MAGI_EVAL__KIND_COUNT ? kind_names[k] : "unknown";
}

/* Parses one record's text; messages say FILE:LINE:COLUMN. */
static magi_status parse_rec(const char *path, const char *text, size_t n, long line, json_t **out,
			     struct magi_error *err)
{
	*out = NULL;
	if (n && text[0] != '{')
		return magi_error_set(err, MAGI_ERR_PARSE, "%s:%ld: an item must be a JSON object", path, line);
	if (magi__json_parse(text, n, path, out, err) == MAGI_OK) {
		if (!json_is_object(*out)) {
			json_decref(*out);
			*out = NULL;
			return magi_error_set(err, MAGI_ERR_PARSE, "%s:%ld: an item must be a JSON object", path,
					      line);
		}
		return MAGI_OK;
	}
	json_error_t je;
	json_t *j = json_loadb(text, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (j) { /* parsed but refused by the depth check */
		json_decref(j);
		return magi_error_set(err, MAGI_ERR_PARSE, "%s:%ld: JSON nested deeper than %d levels", path, line,
				      MAGI_JSON_MAX_DEPTH);
	}
	return magi_error_set(err, MAGI_ERR_PARSE, "%s:%ld:%d: invalid JSON: %s", path, line + je.line - 1,
			      je.column, je.text);
}

struct recs {
	struct magi__eval_rec *v;
	size_t n, cap;
};

static magi_status recs_add(struct recs *r, json_t *j, long line)
{
	if (r->n >= MAGI_EVAL_MAX_ITEMS || !magi__grow(&r->v, &r->cap, r->n, sizeof *r->v, 64)) {
		json_decref(j);
		return r->n >= MAGI_EVAL_MAX_ITEMS ? MAGI_ERR_LIMIT : MAGI_ERR_NOMEM;
	}
	r->v[r->n].j = j;
	r->v[r->n++].line = line;
	return MAGI_OK;
}

static void recs_free(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++)
		json_decref(r->v[i].j);
	free(r->v);
}

static long lines_before(const char *t, size_t off)
{
	long n = 1;
	for (size_t i = 0; i < off; i++)
		n += t[i] == '\n';
	return n;
}

/* A JSON array file: each top-level element parsed on its own so that a message can
 * name the line the element starts on. */
static magi_status split_array(const char *path, const char *t, size_t n, size_t open, struct recs *r,
			       struct magi_error *err)
{
	size_t i = open + 1, start = 0;
	int depth = 0;
	bool in_str = false, have = false;
	long line = lines_before(t, open);
	for (; i < n; i++) {
		char c = t[i];
		if (c == '\n')
			line++;
		if (in_str) {
			if (c == '\\' && i + 1 < n && t[i + 1] != '\n')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (!have && (c == ' ' || c == '\t' || c == '\r' || c == '\n'))
			continue;
		if (!have && depth == 0 && c == ']' && r->n == 0)
			return MAGI_OK; /* [] */
		if (!have) {
			have = true;
			start = i;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && depth > 0)
			depth--;
		else if (depth == 0 && (c == ',' || c == ']')) {
			long sl = lines_before(t, start);
			json_t *j;
			magi_status s = parse_rec(path, t + start, i - start, sl, &j, err);
			if (!s)
				s = recs_add(r, j, sl);
			if (s)
				return s == MAGI_ERR_NOMEM || s == MAGI_ERR_LIMIT
					       ? magi_error_set(err, s, "%s:%ld: too many items", path, sl)
					       : s;
			have = false;
			if (c == ']') {
				for (i++; i < n; i++)
					if (t[i] != ' ' && t[i] != '\t' && t[i] != '\r' && t[i] != '\n')
						return magi_error_set(err, MAGI_ERR_PARSE,
								      "%s:%ld: text after the closing ']' of the array",
								      path, lines_before(t, i));
				return MAGI_OK;
			}
		}
	}
	return magi_error_set(err, MAGI_ERR_PARSE, "%s:%ld: the JSON array is not closed (truncated file?)", path,
			      line);
}

/* Lines from `from` on: blank lines and '#' comments skipped, each other line one record. */
static magi_status split_lines(const char *path, const char *t, size_t n, size_t from, long line,
			       struct recs *r, struct magi_error *err)
{
	for (size_t i = from; i < n; line++) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - t) : n;
		size_t a = i, b = e;
		while (a < b && (t[a] == ' ' || t[a] == '\t'))
			a++;
		while (b > a && (t[b - 1] == ' ' || t[b - 1] == '\t' || t[b - 1] == '\r'))
			b--;
		i = e + 1;
		if (a == b || t[a] == '#')
			continue;
		if (b - a > MAGI_EVAL_MAX_LINE)
			return magi_error_set(err, MAGI_ERR_LIMIT, "%s:%ld: line longer than %u bytes", path, line,
					      MAGI_EVAL_MAX_LINE);
		if (t[a] == '-' && b - a == 3 && !memcmp(t + a, "---", 3))
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "%s:%ld: a second '---': the YAML header goes first, between two '---' lines",
					      path, line);
		json_t *j;
		magi_status s = parse_rec(path, t + a, b - a, line, &j, err);
		if (!s && (s = recs_add(r, j, line)))
			return magi_error_set(err, s, "%s:%ld: too many items", path, line);
		if (s)
			return s;
	}
	return MAGI_OK;
}

/* The YAML header between the first two '---' lines. Lines before it are blanked in the
 * copy given to the YAML reader so that its line numbers are the file's. */
static magi_status read_header(struct magi_eval_suite *s, const char *t, size_t n, size_t open,
			       size_t *after, long *after_line, struct magi_error *err)
{
	size_t i = open + 3;
	while (i < n && t[i] != '\n')
		i++;
	size_t body = i < n ? i + 1 : n;
	for (size_t k = body; k < n;) {
		const char *nl = memchr(t + k, '\n', n - k);
		size_t e = nl ? (size_t)(nl - t) : n;
		size_t b = e;
		while (b > k && (t[b - 1] == ' ' || t[b - 1] == '\r' || t[b - 1] == '\t'))
			b--;
		if (b - k == 3 && !memcmp(t + k, "---", 3)) {
			char *copy = malloc(k + 1);
			if (!copy)
				return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
			for (size_t c = 0; c < k; c++)
				copy[c] = c < body ? (t[c] == '\n' ? '\n' : ' ') : t[c];
			copy[k] = '\0';
			json_t *h = NULL;
			magi_status st = magi__yaml_parse(copy, k, s->path, &h, err);
			free(copy);
			if (st) {
				err->status = MAGI_ERR_PARSE;
				return MAGI_ERR_PARSE;
			}
			if (json_is_null(h)) {
				json_decref(h);
				h = json_object();
			}
			if (!json_is_object(h)) {
				json_decref(h);
				return magi_error_set(err, MAGI_ERR_PARSE, "%s:%ld: the header must be a YAML mapping",
						      s->path, lines_before(t, body));
			}
			json_decref(s->header);
			s->header = h;
			*after = e < n ? e + 1 : n;
			*after_line = lines_before(t, k) + 1;
			return MAGI_OK;
		}
		k = e + 1;
	}
	return magi_error_set(err, MAGI_ERR_PARSE, "%s:%ld: the YAML header opened with '---' is never closed by a second '---' line",
			      s->path, lines_before(t, open));
}

static char *dir_of(const char *path)
{
	const char *sl = strrchr(path, '/');
	if (!sl)
		return magi__strdup(".");
	if (sl == path)
		return magi__strdup("/");
	return magi__strndup(path, (size_t)(sl - path));
}

static char *base_name(const char *path)
{
	const char *sl = strrchr(path, '/');
	const char *b = sl ? sl + 1 : path;
	const char *dot = strrchr(b, '.');
	return magi__strndup(b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
}

magi_status magi_eval_suite_load(const char *path, const char *data_dir, struct magi_eval_suite **out,
				 struct magi_error *err)
{
	*out = NULL;
	if (!path || !*path)
		return magi_error_set(err, MAGI_ERR_INVALID, "no suite file given");
	struct stat st;
	if (stat(path, &st) != 0)
		return magi_error_set(err, errno == ENOENT ? MAGI_ERR_NOT_FOUND : MAGI_ERR_IO, "suite %s: %s",
				      path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return magi_error_set(err, MAGI_ERR_INVALID, "suite %s is a directory; give the suite file", path);
	struct magi_buf b;
	magi_buf_init(&b, MAGI_BUF_DEFAULT_MAX);
	magi_status s = magi_file_read(path, &b, err);
	if (s) {
		magi_buf_release(&b);
		return s;
	}
	struct magi_eval_suite *su = calloc(1, sizeof *su);
	if (!su) {
		magi_buf_release(&b);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	su->path = magi__strdup(path);
	su->dir = dir_of(path);
	su->name = base_name(path);
	su->data_dir = data_dir ? magi__strdup(data_dir) : NULL;
	su->header = json_object();
	magi_sha256_hex(b.data, b.len, su->sha256);
	struct recs r = {0};
	const char *t = b.data;
	size_t n = b.len, i = 0;
	/* skip blank lines and comments to the first meaningful character */
	while (i < n) {
		if (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n') {
			i++;
		} else if (t[i] == '#') {
			while (i < n && t[i] != '\n')
				i++;
		} else {
			break;
		}
	}
	if (i == n) {
		s = magi_error_set(err, MAGI_ERR_PARSE, "%s: the suite holds no items", path);
	} else if (n - i >= 3 && !memcmp(t + i, "---", 3)) {
		size_t after = n;
		long after_line = 1;
		s = read_header(su, t, n, i, &after, &after_line, err);
		if (!s)
			s = split_lines(path, t, n, after, after_line, &r, err);
	} else if (t[i] == '[') {
		s = split_array(path, t, n, i, &r, err);
	} else if (t[i] == '{') {
		s = split_lines(path, t, n, 0, 1, &r, err);
	} else {
		s = magi_error_set(err, MAGI_ERR_PARSE,
				   "%s:%ld: not a suite: expected a '---' YAML header, JSON lines or a JSON array",
				   path, lines_before(t, i));
	}
	magi_buf_release(&b);
	if (!s && r.n == 0)
		s = magi_error_set(err, MAGI_ERR_PARSE, "%s: the suite holds no items", path);
	const char *hname = magi__json_str(su->header, "name", NULL);
	if (!s && hname) {
		free(su->name);
		su->name = magi__strdup(hname);
	}
	if (!s)
		s = magi__eval_normalise(su, r.v, r.n, err);
	recs_free(&r);
	if (s) {
		magi_eval_suite_free(su);
		return s;
	}
	*out = su;
	return MAGI_OK;
}

void magi_eval_suite_free(struct magi_eval_suite *s)
{
	if (!s)
		return;
	free(s->path);
	free(s->dir);
	free(s->name);
	free(s->data_dir);
	json_decref(s->header);
	json_decref(s->items);
	free(s);
}

size_t magi_eval_suite_count(const struct magi_eval_suite *s)
{
	return s ? json_array_size(s->items) : 0;
}

enum magi_eval_kind magi_eval_suite_kind(const struct magi_eval_suite *s)
{
	return s->kind;
}

const char *magi_eval_suite_format(const struct magi_eval_suite *s)
{
	return s->format;
}

const char *magi_eval_suite_name(const struct magi_eval_suite *s)
{
	return s->name;
}

const char *magi_eval_suite_item_id(const struct magi_eval_suite *s, size_t i)
{
	return magi__json_str(json_array_get(s->items, i), "id", NULL);
}

char *magi_eval_suite_item_json(const struct magi_eval_suite *s, size_t i)
{
	json_t *it = json_array_get(s->items, i);
	return it ? magi__json_dump(it, false) : NULL;
}

char *magi__eval_find_file(const struct magi_eval_suite *s, const char *name, long line,
			   struct magi_error *err)
{
	if (!name || !*name) {
		magi_error_set(err, MAGI_ERR_PARSE, "%s:%ld: empty file name", s->path, line);
		return NULL;
	}
	char cand[3][4096];
	int nc = 0;
	if (name[0] == '/') {
		snprintf(cand[nc++], sizeof cand[0], "%s", name);
	} else {
		if (s->data_dir)
			snprintf(cand[nc++], sizeof cand[0], "%s/%s", s->data_dir, name);
		snprintf(cand[nc++], sizeof cand[0], "%s/%s", s->dir, name);
		snprintf(cand[nc++], sizeof cand[0], "%s/../images/%s", s->dir, name);
	}
	for (int k = 0; k < nc; k++) {
		struct stat st;
		if (stat(cand[k], &st) == 0 && S_ISREG(st.st_mode))
			return magi__strdup(cand[k]);
	}
	magi_error_set(err, MAGI_ERR_PARSE, "%s:%ld: file '%s' not found (looked in %s%s%s%s%s)", s->path, line,
		       name, cand[0], nc > 1 ? ", " : "", nc > 1 ? cand[1] : "", nc > 2 ? ", " : "",
		       nc > 2 ? cand[2] : "");
	return NULL;
}

void magi__eval_safe_name(const char *id, char out[96])
{
	size_t k = 0;
	for (const char *p = id; *p && k < 80; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			  c == '_' || (c == '.' && k > 0);
		out[k++] = ok ? c : '_';
	}
	if (!k)
		out[k++] = '_';
	out[k] = '\0';
}
