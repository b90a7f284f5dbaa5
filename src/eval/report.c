/* report.c — an eval directory's summary.json, report.html (tables, bar charts as inline
 * SVG, a link per item to its run report) and results.csv; and merging shard directories. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/json.h"
#include "eval/eval_internal.h"
#include "core/common.h"

static void esc(struct magi_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			magi_buf_puts(b, "&lt;");
			break;
		case '>':
			magi_buf_puts(b, "&gt;");
			break;
		case '&':
			magi_buf_puts(b, "&amp;");
			break;
		case '"':
			magi_buf_puts(b, "&quot;");
			break;
		default:
			magi_buf_putc(b, *s);
		}
	}
}

static void scalar_text(const json_t *v, char *out, size_t cap)
{
	if (json_is_string(v))
		snprintf(out, cap, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, cap, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d == (double)(long long)d && d < 1e15 && d > -1e15)
			snprintf(out, cap, "%lld", (long long)d);
		else
			snprintf(out, cap, "%.4g", d);
	} else if (json_is_boolean(v))
		snprintf(out, cap, "%s", json_is_true(v) ? "yes" : "no");
	else
		out[0] = '\0';
}

static bool is_scalar(const json_t *v)
{
	return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

/* A two-column table of an object's scalar members. */
static void kv_table(struct magi_buf *b, const char *title, const json_t *o)
{
	magi_buf_printf(b, "<h2>");
	esc(b, title);
	magi_buf_puts(b, "</h2>\n<table class=kv>\n");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v)
	{
		if (!is_scalar(v))
			continue;
		char t[256];
		scalar_text(v, t, sizeof t);
		magi_buf_puts(b, "<tr><th>");
		esc(b, k);
		magi_buf_puts(b, "</th><td>");
		esc(b, t);
		magi_buf_puts(b, "</td></tr>\n");
	}
	magi_buf_puts(b, "</table>\n");
}

/* A table of {value: {n, correct, rate}} with a bar per row. */
static void by_table(struct magi_buf *b, const char *dim, const json_t *d)
{
	size_t rows = json_object_size(d);
	magi_buf_puts(b, "<h3>by ");
	esc(b, dim);
	magi_buf_puts(b, "</h3>\n<div class=by><table><tr><th>");
	esc(b, dim);
	magi_buf_puts(b, "</th><th>items</th><th>passed</th><th>rate</th></tr>\n");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)d, k, v)
	{
		magi_buf_puts(b, "<tr><td>");
		esc(b, k);
		magi_buf_printf(b, "</td><td>%ld</td><td>%ld</td><td>%.1f%%</td></tr>\n", magi__json_int(v, "n", 0),
				magi__json_int(v, "correct", 0), 100 * magi__json_num(v, "rate", 0));
	}
	magi_buf_puts(b, "</table>\n");
	const int bar = 18, label = 160, width = 300;
	magi_buf_printf(b, "<svg width=\"%d\" height=\"%zu\" role=\"img\" aria-label=\"rate by %s\">\n",
			label + width + 60, rows * (size_t)bar + 4, dim);
	size_t row = 0;
	json_object_foreach((json_t *)d, k, v)
	{
		double rate = magi__json_num(v, "rate", 0);
		int y = (int)row * bar + 2;
		magi_buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label - 6, y + 13);
		esc(b, k);
		magi_buf_printf(b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"bg\"/>"
				   "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=\"fg\"/>"
				   "<text x=\"%d\" y=\"%d\">%.1f%%</text>\n",
				label, y, width, bar - 4, label, y, rate * width, bar - 4, label + width + 4, y + 13,
				100 * rate);
		row++;
	}
	magi_buf_puts(b, "</svg></div>\n");
}

/* The columns of the item table and the CSV: a fixed front, then every other scalar. */
static json_t *columns(const json_t *results)
{
	static const char *const front[] = {"id", "status", "success", "score", "error", NULL};
	static const char *const skip[] = {"index", "finished", "worker", "line", NULL};
	json_t *cols = json_array(), *seen = json_object();
	for (int i = 0; front[i]; i++) {
		json_array_append_new(cols, json_string(front[i]));
		json_object_set_new(seen, front[i], json_true());
	}
	for (int i = 0; skip[i]; i++)
		json_object_set_new(seen, skip[i], json_true());
	json_t *rest = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
	{
		const char *k;
		json_t *v;
		json_object_foreach(r, k, v)
			if (is_scalar(v) && !json_object_get(seen, k)) {
				json_object_set_new(seen, k, json_true());
				json_array_append_new(rest, json_string(k));
			}
	}
	json_array_extend(cols, rest);
	json_decref(rest);
	json_decref(seen);
	return cols;
}

static void csv_field(struct magi_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		magi_buf_puts(b, s);
		return;
	}
	magi_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			magi_buf_putc(b, '"');
		magi_buf_putc(b, *s);
	}
	magi_buf_putc(b, '"');
}

static magi_status write_csv(const char *dir, const json_t *results, const json_t *cols, struct magi_error *err)
{
	struct magi_buf b;
	magi_buf_init(&b, MAGI_BUF_DEFAULT_MAX);
	size_t i, c;
	json_t *r, *col;
	json_array_foreach(cols, c, col)
	{
		if (c)
			magi_buf_putc(&b, ',');
		csv_field(&b, json_string_value(col));
	}
	magi_buf_putc(&b, '\n');
	json_array_foreach(results, i, r)
	{
		json_array_foreach(cols, c, col)
		{
			char t[2048];
			scalar_text(json_object_get(r, json_string_value(col)), t, sizeof t);
			if (c)
				magi_buf_putc(&b, ',');
			csv_field(&b, t);
		}
		magi_buf_putc(&b, '\n');
	}
	magi_status s = magi__eval_write_file(dir, "results.csv", b.data, err);
	magi_buf_release(&b);
	return s;
}

magi_status magi__eval_write_report(const char *dir, const json_t *meta, const json_t *summary,
				    const json_t *results, struct magi_error *err)
{
	json_t *cols = columns(results);
	magi_status s = write_csv(dir, results, cols, err);
	if (s) {
		json_decref(cols);
		return s;
	}
	struct magi_buf b;
	magi_buf_init(&b, MAGI_BUF_DEFAULT_MAX);
	magi_buf_puts(&b, "<!doctype html>\n<html><head><meta charset=utf-8><title>magi eval: ");
	esc(&b, magi__json_str(meta, "suite_name", ""));
	magi_buf_puts(&b, "</title>\n<style>body{font:14px sans-serif;margin:2em;color:#222}"
			  "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;"
			  "text-align:left}table.kv th{background:#f4f4f4}.by{display:flex;gap:2em;align-items:flex-start}"
			  "svg text{font:12px sans-serif}rect.bg{fill:#eee}rect.fg{fill:#3a7}tr.fail td:first-child{"
			  "border-left:4px solid #c33}tr.pass td:first-child{border-left:4px solid #3a7}"
			  "tr.error td:first-child{border-left:4px solid #e90}.items{overflow-x:auto}.items td{white-space:nowrap;"
			  "font-size:12px}</style></head><body>\n<h1>magi eval: ");
	esc(&b, magi__json_str(meta, "suite_name", ""));
	magi_buf_puts(&b, "</h1>\n<p>");
	esc(&b, magi__json_str(meta, "kind", ""));
	magi_buf_puts(&b, " suite (");
	esc(&b, magi__json_str(meta, "format", ""));
	magi_buf_puts(&b, "), recipe <b>");
	esc(&b, magi__json_str(meta, "recipe", ""));
	magi_buf_puts(&b, "</b>, model <b>");
	esc(&b, magi__json_str(meta, "model", "(default)"));
	magi_buf_puts(&b, "</b>, shard ");
	esc(&b, magi__json_str(meta, "shard", "0/1"));
	magi_buf_puts(&b, "</p>\n");
	kv_table(&b, "Summary", summary);
	const char *kind = magi__json_str(meta, "kind", "");
	const json_t *ks = json_object_get(summary, kind);
	if (ks) {
		kv_table(&b, kind, ks);
		const json_t *neg = json_object_get(ks, "negatives");
		if (json_is_object(neg) && magi__json_int(neg, "n", 0))
			kv_table(&b, "negative samples (reported apart)", neg);
		const json_t *bt = json_object_get(ks, "by_type");
		if (json_object_size(bt)) {
			json_t *d = json_object();
			const char *t;
			json_t *v;
			json_object_foreach((json_t *)bt, t, v)
				json_object_set_new(d, t, json_pack("{s:I, s:I, s:f}", "n", (json_int_t)magi__json_int(v, "n", 0),
								    "correct", (json_int_t)magi__json_int(v, "found", 0),
								    "rate", magi__json_num(v, "recall", 0)));
			by_table(&b, "PII type (recall)", d);
			json_decref(d);
		}
	}
	const char *dim;
	json_t *d;
	json_object_foreach(json_object_get(summary, "by"), dim, d)
		by_table(&b, dim, d);
	magi_buf_printf(&b, "<h2>Items (%zu)</h2>\n<div class=items><table><tr>", json_array_size(results));
	size_t i, c;
	json_t *r, *col;
	json_array_foreach(cols, c, col)
	{
		magi_buf_puts(&b, "<th>");
		esc(&b, json_string_value(col));
		magi_buf_puts(&b, "</th>");
	}
	magi_buf_puts(&b, "<th>run</th></tr>\n");
	json_array_foreach(results, i, r)
	{
		bool errored = !strcmp(magi__json_str(r, "status", "ok"), "error");
		magi_buf_printf(&b, "<tr class=%s>",
				errored ? "error" : magi__json_bool(r, "success", false) ? "pass" : "fail");
		json_array_foreach(cols, c, col)
		{
			char t[2048];
			scalar_text(json_object_get(r, json_string_value(col)), t, sizeof t);
			magi_buf_puts(&b, "<td>");
			esc(&b, t);
			magi_buf_puts(&b, "</td>");
		}
		const char *rd = magi__json_str(r, "run_dir", NULL);
		char rep[4096];
		snprintf(rep, sizeof rep, "%s/%s/report.html", dir, rd ? rd : "");
		magi_buf_puts(&b, "<td>");
		if (rd && access(rep, F_OK) == 0) {
			magi_buf_puts(&b, "<a href=\"");
			esc(&b, rd);
			magi_buf_puts(&b, "/report.html\">report</a>");
		} else if (rd) {
			magi_buf_puts(&b, "<a href=\"");
			esc(&b, rd);
			magi_buf_puts(&b, "/\">files</a>");
		}
		magi_buf_puts(&b, "</td></tr>\n");
	}
	magi_buf_puts(&b, "</table></div>\n</body></html>\n");
	s = b.len < b.max ? magi__eval_write_file(dir, "report.html", b.data, err)
			  : magi_error_set(err, MAGI_ERR_LIMIT, "report.html would be too large");
	magi_buf_release(&b);
	json_decref(cols);
	return s;
}

magi_status magi_eval_report(const char *dir, struct magi_eval_totals *totals, struct magi_error *err)
{
	if (totals)
		memset(totals, 0, sizeof *totals);
	char path[4096];
	snprintf(path, sizeof path, "%s/eval.json", dir);
	json_t *meta = NULL, *results = NULL;
	magi_status s = magi__json_load_file(path, &meta, err);
	if (s == MAGI_ERR_NOT_FOUND || (s && access(path, F_OK) != 0))
		return magi_error_set(err, MAGI_ERR_NOT_FOUND, "%s is not an eval directory (no eval.json)", dir);
	if (s)
		return s;
	snprintf(path, sizeof path, "%s/results.jsonl", dir);
	if (access(path, F_OK) != 0)
		results = json_array();
	else if ((s = magi__eval_results_load(path, &results, err))) {
		json_decref(meta);
		return s;
	}
	json_t *sum = magi__eval_summarise(meta, results);
	char *sj = json_dumps(sum, JSON_INDENT(2));
	s = sj ? magi__eval_write_file(dir, "summary.json", sj, err) : magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	if (!s)
		s = magi__eval_write_report(dir, meta, sum, results, err);
	if (!s && totals) {
		totals->expected = (size_t)magi__json_num(sum, "expected", 0);
		totals->items = (size_t)magi__json_num(sum, "items", 0);
		totals->passed = (size_t)magi__json_num(sum, "passed", 0);
		totals->errors = (size_t)magi__json_num(sum, "errors", 0);
		totals->success_rate = magi__json_num(sum, "success_rate", 0);
	}
	free(sj);
	json_decref(sum);
	json_decref(meta);
	json_decref(results);
	return s;
}

/* ---- merge ------------------------------------------------------------------------------ */
/* The path of `to` as seen from directory `from` (both absolute and normalised, as
 * realpath gives them): "/x/out" and "/x/shard0" give "../shard0". */
static void relpath(const char *from, const char *to, char *out, size_t cap)
{
	/* the common leading directories */
	size_t i = 0, common = 0;
	while (from[i] && from[i] == to[i]) {
		i++;
		if ((from[i] == '/' || !from[i]) && (to[i] == '/' || !to[i]))
			common = i;
	}
	size_t n = 0;
	out[0] = '\0';
	for (const char *p = from + common; *p; p++)
		if (*p == '/' && p[1] && n + 4 < cap)
			n += (size_t)snprintf(out + n, cap - n, "../");
	const char *rest = to + common;
	while (*rest == '/')
		rest++;
	if (*rest)
		snprintf(out + n, cap - n, "%s", rest);
	else if (!n)
		snprintf(out, cap, ".");
	else
		out[n - 1] = '\0';
}

magi_status magi_eval_merge(const char *out_dir, const char *const *dirs, size_t n, struct magi_error *err)
{
	if (!out_dir || !n)
		return magi_error_set(err, MAGI_ERR_INVALID, "merge needs an output directory and at least one eval directory");
	magi_status s = magi_mkdirs(out_dir, err);
	if (s)
		return s;
	char out_abs[PATH_MAX];
	if (!realpath(out_dir, out_abs))
		return magi_error_set(err, MAGI_ERR_IO, "%s: %s", out_dir, strerror(errno));
	json_t *meta = NULL, *all = json_array(), *pos = json_object(), *shards = json_array();
	long items = 0;
	for (size_t k = 0; k < n && !s; k++) {
		char abs[PATH_MAX], path[PATH_MAX + 32];
		if (!realpath(dirs[k], abs)) {
			s = magi_error_set(err, MAGI_ERR_NOT_FOUND, "%s: %s", dirs[k], strerror(errno));
			break;
		}
		if (!strcmp(abs, out_abs)) {
			s = magi_error_set(err, MAGI_ERR_INVALID, "%s is both an input and the output; merge into a new directory",
					   dirs[k]);
			break;
		}
		snprintf(path, sizeof path, "%s/eval.json", abs);
		json_t *m = NULL, *res = NULL;
		if (access(path, F_OK) != 0) {
			s = magi_error_set(err, MAGI_ERR_NOT_FOUND, "%s is not an eval directory (no eval.json)", dirs[k]);
			break;
		}
		if ((s = magi__json_load_file(path, &m, err)))
			break;
		static const char *const same[] = {"suite_sha256", "kind", "recipe", "model", NULL};
		for (int i = 0; meta && same[i] && !s; i++)
			if (strcmp(magi__json_str(meta, same[i], ""), magi__json_str(m, same[i], "")))
				s = magi_error_set(err, MAGI_ERR_CONFIG, "%s ran %s '%s' but %s ran '%s': only shards of one eval merge",
						   dirs[k], same[i], magi__json_str(m, same[i], ""), dirs[0],
						   magi__json_str(meta, same[i], ""));
		items += magi__json_int(m, "items", 0);
		json_array_append_new(shards, json_pack("{s:s, s:s}", "dir", dirs[k], "shard", magi__json_str(m, "shard", "")));
		snprintf(path, sizeof path, "%s/results.jsonl", abs);
		if (!s && access(path, F_OK) == 0)
			s = magi__eval_results_load(path, &res, err);
		size_t i;
		json_t *r;
		char rel[PATH_MAX];
		relpath(out_abs, abs, rel, sizeof rel);
		json_array_foreach(res, i, r)
		{
			const char *rd = magi__json_str(r, "run_dir", NULL);
			if (rd && rd[0] != '/') {
				char joined[PATH_MAX * 2];
				snprintf(joined, sizeof joined, "%s/%s", rel, rd);
				json_object_set_new(r, "run_dir", json_string(joined));
			}
			const char *id = magi__json_str(r, "id", "");
			json_t *at = json_object_get(pos, id);
			if (at) {
				json_array_set(all, (size_t)json_integer_value(at), r);
			} else {
				json_object_set_new(pos, id, json_integer((json_int_t)json_array_size(all)));
				json_array_append(all, r);
			}
		}
		json_decref(res);
		if (!meta)
			meta = m;
		else
			json_decref(m);
	}
	if (!s) {
		json_object_set_new(meta, "shard", json_string("merged"));
		json_object_set_new(meta, "items", json_integer(items));
		json_object_set(meta, "shards", shards);
		char *mj = json_dumps(meta, JSON_INDENT(2) | JSON_SORT_KEYS);
		s = mj ? magi__eval_write_file(out_dir, "eval.json", mj, err) : magi_error_set(err, MAGI_ERR_NOMEM, NULL);
		free(mj);
	}
	if (!s) {
		struct magi_buf b;
		magi_buf_init(&b, MAGI_BUF_DEFAULT_MAX);
		size_t i;
		json_t *r;
		json_array_foreach(all, i, r)
		{
			magi__json_append(&b, r);
			magi_buf_putc(&b, '\n');
		}
		s = magi__eval_write_file(out_dir, "results.jsonl", b.data, err);
		magi_buf_release(&b);
	}
	if (!s)
		s = magi_eval_report(out_dir, NULL, err);
	json_decref(meta);
	json_decref(all);
	json_decref(pos);
	json_decref(shards);
	return s;
}
