/* formats.c — the suite formats magi reads, recognised by their fields, each normalised
 * into the item shape its kind's runner reads:
 *   ground  {id, image, instruction, bbox:[x1,y1,x2,y2] px | null, negative, img_size?,
 *            group, application, platform, ui_type}
 *   video   {id, video, question, choices:["A. ..",..], answer:"A", duration, category, letters}
 *   gui     {id, task, setup:[..], check:[..], ref_steps, max_steps, infeasible}
 *   privacy {id, image, truth:[{type,text,box:[x,y,w,h]}], decoys, clean}
 *   risk    {id, category, action:{..}, context:{..}, expected}
 * docs/eval.md describes every field. */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "eval/eval_internal.h"
#include "core/common.h"

struct ctx {
	struct magi_eval_suite *s;
	struct magi_error *err;
	long line;
};

#define FAIL(c, ...) fail_at(c, __VA_ARGS__)
MAGI_PRINTF(2, 3) static magi_status fail_at(struct ctx *c, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return magi_error_set(c->err, MAGI_ERR_PARSE, "%s:%ld: %s", c->s->path, c->line, msg);
}

static bool has(const json_t *j, const char *k)
{
	return json_object_get(j, k) != NULL;
}

/* A required non-empty string field. */
static magi_status need_str(struct ctx *c, const json_t *j, const char *k, const char **out)
{
	const json_t *v = json_object_get(j, k);
	if (!v)
		return FAIL(c, "missing field \"%s\"", k);
	if (!json_is_string(v) || !*json_string_value(v))
		return FAIL(c, "\"%s\" must be a non-empty string", k);
	*out = json_string_value(v);
	return MAGI_OK;
}

static void copy_str(json_t *dst, const char *dk, const json_t *src, const char *sk, const char *def)
{
	const char *v = magi__json_str(src, sk, def);
	if (v)
		json_object_set_new(dst, dk, json_string(v));
}

static magi_status num4(struct ctx *c, const json_t *v, const char *k, double out[4])
{
	if (!json_is_array(v) || json_array_size(v) != 4)
		return FAIL(c, "\"%s\" must be an array of 4 numbers", k);
	for (size_t i = 0; i < 4; i++) {
		if (!json_is_number(json_array_get(v, i)))
			return FAIL(c, "\"%s\"[%zu] is not a number", k, i);
		out[i] = json_number_value(json_array_get(v, i));
	}
	return MAGI_OK;
}

static json_t *arr4(const double v[4])
{
	return json_pack("[f,f,f,f]", v[0], v[1], v[2], v[3]);
}

static magi_status set_file(struct ctx *c, json_t *it, const char *key, const char *name)
{
	char *p = magi__eval_find_file(c->s, name, c->line, c->err);
	if (!p)
		return MAGI_ERR_PARSE;
	json_object_set_new(it, key, json_string(p));
	free(p);
	return MAGI_OK;
}

/* ---- grounding: ScreenSpot v1/v2 (x,y,w,h), ScreenSpot-Pro and magi (x1,y1,x2,y2) ---- */
static magi_status norm_ground(struct ctx *c, const json_t *r, bool xywh, json_t *it)
{
	const char *img, *ins;
	magi_status s;
	if ((s = need_str(c, r, "img_filename", &img)) || (s = need_str(c, r, "instruction", &ins)))
		return s;
	if ((s = set_file(c, it, "image", img)))
		return s;
	json_object_set_new(it, "instruction", json_string(ins));
	const char *gt = magi__json_str(r, "gt_type", "positive");
	bool neg = !strcmp(gt, "negative");
	if (!neg && strcmp(gt, "positive"))
		return FAIL(c, "\"gt_type\" must be \"positive\" or \"negative\", not \"%s\"", gt);
	json_object_set_new(it, "negative", json_boolean(neg));
	double sz[4] = {0, 0, 0, 0};
	const json_t *is = json_object_get(r, "img_size");
	if (is) {
		if (!json_is_array(is) || json_array_size(is) != 2 || !json_is_integer(json_array_get(is, 0)) ||
		    !json_is_integer(json_array_get(is, 1)) || json_integer_value(json_array_get(is, 0)) <= 0 ||
		    json_integer_value(json_array_get(is, 1)) <= 0)
			return FAIL(c, "\"img_size\" must be [width, height] in pixels");
		sz[0] = (double)json_integer_value(json_array_get(is, 0));
		sz[1] = (double)json_integer_value(json_array_get(is, 1));
		json_object_set_new(it, "img_size", json_pack("[f,f]", sz[0], sz[1]));
	}
	const json_t *bb = json_object_get(r, "bbox");
	if (!bb || json_is_null(bb)) {
		if (!neg)
			return FAIL(c, "missing field \"bbox\" (only negative samples may leave it out)");
		json_object_set_new(it, "bbox", json_null());
	} else {
		double b[4];
		if ((s = num4(c, bb, "bbox", b)))
			return s;
		if (xywh) {
			if (b[2] <= 0 || b[3] <= 0)
				return FAIL(c, "\"bbox\" is [x, y, width, height] here (ScreenSpot); width and height must be > 0");
			b[2] += b[0];
			b[3] += b[1];
		} else if (b[2] <= b[0] || b[3] <= b[1]) {
			return FAIL(c, "\"bbox\" is [x1, y1, x2, y2] here (ScreenSpot-Pro); x2 must exceed x1 and y2 y1");
		}
		if (b[0] < 0 || b[1] < 0 || (sz[0] > 0 && (b[2] > sz[0] || b[3] > sz[1])))
			return FAIL(c, "\"bbox\" [%g, %g, %g, %g] lies outside the image", b[0], b[1], b[2], b[3]);
		json_object_set_new(it, "bbox", arr4(b));
	}
	copy_str(it, "group", r, "group", NULL);
	copy_str(it, "application", r, "application", NULL);
	copy_str(it, "platform", r, "platform", magi__json_str(r, "data_source", NULL));
	copy_str(it, "ui_type", r, "ui_type", magi__json_str(r, "data_type", NULL));
	copy_str(it, "instruction_style", r, "instruction_style", NULL);
	return MAGI_OK;
}

/* ---- video QA ------------------------------------------------------------------------- */
/* Choices must start "A" ")" / "." / ":" in order. */
static magi_status check_choices(struct ctx *c, const json_t *ch, const char *field)
{
	size_t n = json_array_size(ch);
	if (!json_is_array(ch) || n < 2 || n > 26)
		return FAIL(c, "\"%s\" must be an array of 2..26 choices", field);
	for (size_t i = 0; i < n; i++) {
		const char *t = json_string_value(json_array_get(ch, i));
		if (!t)
			return FAIL(c, "\"%s\"[%zu] is not a string", field, i);
		if (t[0] != (char)('A' + i) || (t[1] != ')' && t[1] != '.' && t[1] != ':'))
			return FAIL(c, "\"%s\"[%zu] \"%.40s\" does not start with \"%c.\" or \"%c)\"", field, i, t,
				    (char)('A' + i), (char)('A' + i));
	}
	return MAGI_OK;
}

static void set_letters(json_t *it, size_t n)
{
	char l[27];
	for (size_t i = 0; i < n && i < 26; i++)
		l[i] = (char)('A' + i);
	l[n < 26 ? n : 26] = '\0';
	json_object_set_new(it, "letters", json_string(l));
}

static magi_status check_answer(struct ctx *c, json_t *it, const char *ans)
{
	const char *letters = magi__json_str(it, "letters", "");
	if (strlen(ans) != 1 || !strchr(letters, ans[0]))
		return FAIL(c, "\"answer\" \"%s\" is not one of the choice letters %s", ans, letters);
	json_object_set_new(it, "answer", json_string(ans));
	return MAGI_OK;
}

static magi_status norm_videomme(struct ctx *c, const json_t *r, json_t *it)
{
	const char *vid, *q, *ans;
	magi_status s;
	if ((s = need_str(c, r, "videoID", &vid)) || (s = need_str(c, r, "question", &q)) ||
	    (s = need_str(c, r, "answer", &ans)))
		return s;
	const json_t *opts = json_object_get(r, "options");
	if ((s = check_choices(c, opts, "options")))
		return s;
	char name[600];
	snprintf(name, sizeof name, "%s.mp4", vid);
	if ((s = set_file(c, it, "video", magi__json_str(r, "video", name))))
		return s;
	json_object_set_new(it, "question", json_string(q));
	json_object_set_new(it, "choices", json_deep_copy(opts));
	set_letters(it, json_array_size(opts));
	copy_str(it, "duration", r, "duration", NULL);
	copy_str(it, "category", r, "task_type", NULL);
	copy_str(it, "domain", r, "domain", NULL);
	json_object_set_new(it, "protocol", json_string("video-mme"));
	return check_answer(c, it, ans);
}

static magi_status norm_lvb(struct ctx *c, const json_t *r, json_t *it)
{
	const char *q;
	magi_status s;
	if ((s = need_str(c, r, "question", &q)))
		return s;
	json_t *ch = json_array();
	const json_t *cands = json_object_get(r, "candidates");
	for (size_t i = 0; i < 26; i++) {
		const char *t;
		if (cands) {
			t = json_string_value(json_array_get(cands, i));
		} else {
			char k[16];
			snprintf(k, sizeof k, "option%zu", i);
			t = magi__json_str(r, k, NULL);
			if (t && !strcmp(t, "N/A"))
				t = NULL;
		}
		if (!t)
			break;
		char buf[8192];
		snprintf(buf, sizeof buf, "%c. %s", (char)('A' + i), t);
		json_array_append_new(ch, json_string(buf));
	}
	json_object_set_new(it, "choices", ch);
	if (json_array_size(ch) < 2)
		return FAIL(c, "a LongVideoBench item needs at least 2 candidates (\"candidates\" or \"option0\"..)");
	set_letters(it, json_array_size(ch));
	const json_t *cc = json_object_get(r, "correct_choice");
	if (!json_is_integer(cc) || json_integer_value(cc) < 0 || (size_t)json_integer_value(cc) >= json_array_size(ch))
		return FAIL(c, "\"correct_choice\" must be a candidate index 0..%zu", json_array_size(ch) - 1);
	char ans[2] = {(char)('A' + json_integer_value(cc)), 0};
	const char *vp = magi__json_str(r, "video_path", NULL);
	char name[600];
	if (!vp) {
		const char *vid;
		if ((s = need_str(c, r, "video_id", &vid)))
			return s;
		snprintf(name, sizeof name, "%s.mp4", vid);
		vp = name;
	}
	if ((s = set_file(c, it, "video", vp)))
		return s;
	json_object_set_new(it, "question", json_string(q));
	const json_t *dg = json_object_get(r, "duration_group");
	if (json_is_integer(dg)) {
		char d[32];
		snprintf(d, sizeof d, "%lld", (long long)json_integer_value(dg));
		json_object_set_new(it, "duration", json_string(d));
	} else {
		copy_str(it, "duration", r, "duration_group", NULL);
	}
	copy_str(it, "category", r, "question_category", NULL);
	json_object_set_new(it, "protocol", json_string("longvideobench"));
	return check_answer(c, it, ans);
}

static magi_status norm_video(struct ctx *c, const json_t *r, json_t *it)
{
	const char *v, *q, *ans;
	magi_status s;
	if ((s = need_str(c, r, "video", &v)) || (s = need_str(c, r, "question", &q)) ||
	    (s = need_str(c, r, "answer", &ans)))
		return s;
	const json_t *ch = json_object_get(r, "choices");
	if ((s = check_choices(c, ch, "choices")) || (s = set_file(c, it, "video", v)))
		return s;
	json_object_set_new(it, "question", json_string(q));
	json_object_set_new(it, "choices", json_deep_copy(ch));
	set_letters(it, json_array_size(ch));
	copy_str(it, "duration", r, "duration", NULL);
	copy_str(it, "category", r, "category", NULL);
	json_object_set_new(it, "protocol", json_string("video-mme"));
	return check_answer(c, it, ans);
}

/* ---- GUI tasks ----------------------------------------------------------------------- */
static bool browser_spec(const char *env)
{
	return !strncmp(env, "browser", 7) && (env[7] == '\0' || (env[7] == ':' && env[8]));
}

static magi_status check_checker(struct ctx *c, const json_t *k, size_t i)
{
	if (!json_is_object(k))
		return FAIL(c, "check[%zu] must be an object", i);
	static const char *const kinds[] = {"cmd", "file", "window", "screen_text", "answer",
					    "url", "element", "selector", "http", NULL};
	int which = -1, count = 0;
	for (int t = 0; kinds[t]; t++)
		if (has(k, kinds[t])) {
			which = t;
			count++;
		}
	if (count != 1)
		return FAIL(c, "check[%zu] needs exactly one of \"cmd\", \"file\", \"window\", \"screen_text\", \"answer\", "
			       "\"url\", \"element\", \"selector\", \"http\"", i);
	static const char *const allowed[][6] = {
		{"cmd", "exit", "timeout", NULL},
		{"file", "equals", "contains", "regex", "exists", NULL},
		{"window", "present", NULL},
		{"screen_text", "present", NULL},
		{"answer", "regex", NULL},
		{"url", NULL},
		{"element", "role", "value", "regex", "present", NULL},
		{"selector", "equals", "contains", "regex", NULL},
		{"http", "contains", "regex", "timeout", NULL},
	};
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)k, key, v)
	{
		bool ok = false;
		for (int a = 0; allowed[which][a]; a++)
			ok |= !strcmp(key, allowed[which][a]);
		if (!ok)
			return FAIL(c, "check[%zu] (%s): unknown key \"%s\"", i, kinds[which], key);
	}
	if (!json_is_string(json_object_get(k, kinds[which])) || !*json_string_value(json_object_get(k, kinds[which])))
		return FAIL(c, "check[%zu]: \"%s\" must be a non-empty string", i, kinds[which]);
	if (has(k, "exit") && !json_is_integer(json_object_get(k, "exit")))
		return FAIL(c, "check[%zu]: \"exit\" must be an integer", i);
	if (has(k, "present") && !json_is_boolean(json_object_get(k, "present")))
		return FAIL(c, "check[%zu]: \"present\" must be true or false", i);
	if (has(k, "exists") && !json_is_boolean(json_object_get(k, "exists")))
		return FAIL(c, "check[%zu]: \"exists\" must be true or false", i);
	const char *rx = which == 5 ? magi__json_str(k, "url", NULL) : magi__json_str(k, "regex", NULL);
	if (has(k, "regex") && !magi__json_str(k, "regex", NULL))
		return FAIL(c, "check[%zu]: \"regex\" must be a string", i);
	static const char *const strs[] = {"role", "value", "equals", "contains"};
	for (size_t t = 0; t < MAGI_ARRAY_LEN(strs); t++)
		if (has(k, strs[t]) && !json_is_string(json_object_get(k, strs[t])))
			return FAIL(c, "check[%zu]: \"%s\" must be a string", i, strs[t]);
	if (which == 8 && strncmp(magi__json_str(k, "http", ""), "http://", 7) &&
	    strncmp(magi__json_str(k, "http", ""), "https://", 8))
		return FAIL(c, "check[%zu]: \"http\" must be an http:// or https:// URL", i);
	if (which == 7 && !has(k, "equals") && !has(k, "contains") && !has(k, "regex"))
		return FAIL(c, "check[%zu]: a \"selector\" checker needs \"equals\", \"contains\" or \"regex\"", i);
	if (which == 8 && !has(k, "contains") && !has(k, "regex"))
		return FAIL(c, "check[%zu]: an \"http\" checker needs \"contains\" or \"regex\" (what the body must hold)", i);
	if (rx) {
		regex_t re;
		int e = regcomp(&re, rx, REG_EXTENDED | REG_NOSUB | REG_NEWLINE);
		if (e) {
			char m[200];
			regerror(e, &re, m, sizeof m);
			return FAIL(c, "check[%zu]: bad regex \"%s\": %s", i, rx, m);
		}
		regfree(&re);
	}
	if (which == 1) {
		int forms = has(k, "equals") + has(k, "contains") + has(k, "regex") + has(k, "exists");
		if (forms != 1)
			return FAIL(c, "check[%zu] (file): give one of \"equals\", \"contains\", \"regex\", \"exists\"", i);
		if ((has(k, "equals") && !json_is_string(json_object_get(k, "equals"))) ||
		    (has(k, "contains") && !json_is_string(json_object_get(k, "contains"))))
			return FAIL(c, "check[%zu]: \"equals\" and \"contains\" take strings", i);
	}
	return MAGI_OK;
}

static magi_status check_setup(struct ctx *c, const json_t *su)
{
	size_t i;
	json_t *e;
	json_array_foreach(su, i, e)
	{
		if (json_is_string(e) && *json_string_value(e))
			continue;
		if (!json_is_object(e))
			return FAIL(c, "setup[%zu] must be a command string or an object", i);
		int forms = has(e, "run") + has(e, "exec");
		if (forms != 1)
			return FAIL(c, "setup[%zu] needs one of \"run\" (in the background) or \"exec\" (to completion)", i);
		const char *key;
		json_t *v;
		json_object_foreach(e, key, v)
		{
			if (strcmp(key, "run") && strcmp(key, "exec") && strcmp(key, "wait_window") &&
			    strcmp(key, "timeout") && strcmp(key, "sleep"))
				return FAIL(c, "setup[%zu]: unknown key \"%s\" (known: run, exec, wait_window, timeout, sleep)",
					    i, key);
		}
		const char *cmd = magi__json_str(e, has(e, "run") ? "run" : "exec", NULL);
		if (!cmd || !*cmd)
			return FAIL(c, "setup[%zu]: the command must be a non-empty string", i);
		if (has(e, "wait_window") && !json_is_string(json_object_get(e, "wait_window")))
			return FAIL(c, "setup[%zu]: \"wait_window\" must be a string", i);
		if ((has(e, "timeout") && !json_is_number(json_object_get(e, "timeout"))) ||
		    (has(e, "sleep") && !json_is_number(json_object_get(e, "sleep"))))
			return FAIL(c, "setup[%zu]: \"timeout\" and \"sleep\" are seconds", i);
	}
	return MAGI_OK;
}

static magi_status norm_gui(struct ctx *c, const json_t *r, json_t *it)
{
	static const char *const known[] = {"id", "kind", "task", "setup", "check", "ref_steps", "max_steps",
					    "infeasible", "note", "env", NULL};
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)r, key, v)
	{
		bool ok = false;
		for (int k = 0; known[k]; k++)
			ok |= !strcmp(key, known[k]);
		if (!ok)
			return FAIL(c, "unknown field \"%s\" in a gui task (known: id, task, setup, check, ref_steps, max_steps, infeasible, note, env)",
				    key);
	}
	const char *ienv = magi__json_str(r, "env", NULL);
	if (has(r, "env") && (!ienv || !browser_spec(ienv)))
		return FAIL(c, "a task's \"env\" must be browser or browser:URL (a Chromium for this task; x11 is the suite's)");
	if (ienv)
		json_object_set_new(it, "env", json_string(ienv));
	const char *task;
	magi_status s;
	if ((s = need_str(c, r, "task", &task)))
		return s;
	json_object_set_new(it, "task", json_string(task));
	const json_t *su = json_object_get(r, "setup");
	if (su && !json_is_array(su))
		return FAIL(c, "\"setup\" must be an array of commands");
	if (su && (s = check_setup(c, su)))
		return s;
	json_object_set_new(it, "setup", su ? json_deep_copy(su) : json_array());
	const json_t *ck = json_object_get(r, "check");
	bool inf = magi__json_bool(r, "infeasible", false);
	if (has(r, "infeasible") && !json_is_boolean(json_object_get(r, "infeasible")))
		return FAIL(c, "\"infeasible\" must be true or false");
	if (ck && !json_is_array(ck))
		return FAIL(c, "\"check\" must be an array of checkers");
	if (!inf && json_array_size(ck) == 0)
		return FAIL(c, "a feasible task needs at least one checker in \"check\"");
	if (inf && json_array_size(ck) > 0)
		return FAIL(c, "an infeasible task has no checkers: it scores when the agent declares it infeasible");
	for (size_t i = 0; i < json_array_size(ck); i++)
		if ((s = check_checker(c, json_array_get(ck, i), i)))
			return s;
	json_object_set_new(it, "check", ck ? json_deep_copy(ck) : json_array());
	json_object_set_new(it, "infeasible", json_boolean(inf));
	const char *ints[] = {"ref_steps", "max_steps"};
	for (int k = 0; k < 2; k++) {
		const json_t *n = json_object_get(r, ints[k]);
		if (!n)
			continue;
		if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > 1000)
			return FAIL(c, "\"%s\" must be an integer 1..1000", ints[k]);
		json_object_set_new(it, ints[k], json_integer(json_integer_value(n)));
	}
	return MAGI_OK;
}

/* ---- guards ------------------------------------------------------------------------ */
static magi_status norm_risk(struct ctx *c, const json_t *r, json_t *it)
{
	const char *exp;
	magi_status s;
	if ((s = need_str(c, r, "expected", &exp)))
		return s;
	enum magi_risk_tier t;
	if (magi_risk_tier_parse(exp, &t))
		return FAIL(c, "\"expected\" must be allow, ask or deny, not \"%s\"", exp);
	const json_t *a = json_object_get(r, "action");
	if (!json_is_object(a))
		return FAIL(c, "\"action\" must be an action object");
	char *aj = magi__json_dump(a, false);
	struct magi_action act;
	memset(&act, 0, sizeof act);
	struct magi_error ae;
	s = aj ? magi_action_parse_json(aj, strlen(aj), &act, &ae) : MAGI_ERR_NOMEM;
	free(aj);
	magi_action_release(&act);
	if (s)
		return FAIL(c, "\"action\": %s", magi_error_text(&ae));
	const json_t *cx = json_object_get(r, "context");
	if (cx && !json_is_object(cx))
		return FAIL(c, "\"context\" must be an object");
	json_object_set_new(it, "action", json_deep_copy(a));
	json_object_set_new(it, "context", cx ? json_deep_copy(cx) : json_object());
	json_object_set_new(it, "expected", json_string(exp));
	copy_str(it, "category", r, "category", "uncategorised");
	return MAGI_OK;
}

/* gen-pii-shots' truth.jsonl has one line per rendered item; an eval item is an image. */
static magi_status norm_pii(struct ctx *c, struct magi__eval_rec *recs, size_t n, json_t *items)
{
	json_t *by = json_object();
	magi_status s = MAGI_OK;
	for (size_t i = 0; i < n && !s; i++) {
		c->line = recs[i].line;
		const json_t *r = recs[i].j;
		const char *file, *type, *text;
		double b[4];
		if ((s = need_str(c, r, "file", &file)) || (s = need_str(c, r, "type", &type)) ||
		    (s = need_str(c, r, "text", &text)) || (s = num4(c, json_object_get(r, "box"), "box", b)))
			break;
		enum magi_pii_type pt;
		if (strcmp(type, "none") && magi_pii_type_parse(type, &pt)) {
			s = FAIL(c, "\"type\" \"%s\" is not a PII type (email, phone, card, ...) or none", type);
			break;
		}
		json_t *it = json_object_get(by, file);
		if (!it) {
			it = json_pack("{s:s, s:i, s:[], s:i, s:b}", "id", file, "line", (json_int_t)c->line, "truth",
				       "decoys", 0, "clean", 1);
			if ((s = set_file(c, it, "image", file))) {
				json_decref(it);
				break;
			}
			json_object_set_new(by, file, it);
			json_array_append(items, it);
		}
		if (!strcmp(type, "none")) {
			json_object_set_new(it, "decoys", json_integer(magi__json_int(it, "decoys", 0) + 1));
		} else {
			json_object_set_new(it, "clean", json_false());
			json_array_append_new(json_object_get(it, "truth"),
					      json_pack("{s:s, s:s, s:o}", "type", type, "text", text, "box", arr4(b)));
		}
	}
	json_decref(by);
	return s;
}

/* ---- recognising the format -------------------------------------------------------------- */
static const char *detect(const json_t *r, const json_t *header, enum magi_eval_kind *kind)
{
	const char *hk = magi__json_str(header, "kind", NULL);
	if (hk) {
		for (int k = 0; k < MAGI_EVAL__KIND_COUNT; k++)
			if (!strcmp(hk, magi_eval_kind_name((enum magi_eval_kind)k))) {
				*kind = (enum magi_eval_kind)k;
				return "magi";
			}
		return NULL;
	}
	if (has(r, "img_filename") && has(r, "instruction")) {
		*kind = MAGI_EVAL_GROUND;
		return has(r, "img_size") ? "screenspot-pro" : "screenspot";
	}
	if (has(r, "videoID") && has(r, "options")) {
		*kind = MAGI_EVAL_VIDEO;
		return "video-mme";
	}
	if ((has(r, "candidates") || has(r, "option0")) && has(r, "correct_choice")) {
		*kind = MAGI_EVAL_VIDEO;
		return "longvideobench";
	}
	if (has(r, "video") && has(r, "question") && has(r, "choices")) {
		*kind = MAGI_EVAL_VIDEO;
		return "magi";
	}
	if (has(r, "file") && has(r, "type") && has(r, "box")) {
		*kind = MAGI_EVAL_PRIVACY;
		return "pii-shots";
	}
	if (has(r, "action") && has(r, "expected")) {
		*kind = MAGI_EVAL_RISK;
		return "risk-suite";
	}
	if (has(r, "task")) {
		*kind = MAGI_EVAL_GUI;
		return "magi";
	}
	return NULL;
}

static magi_status check_header(struct ctx *c)
{
	static const char *const known[] = {"name", "kind", "recipe", "env", "screen", "max_steps", "description", NULL};
	const char *key;
	json_t *v;
	c->line = 1;
	json_object_foreach(c->s->header, key, v)
	{
		bool ok = false;
		for (int k = 0; known[k]; k++)
			ok |= !strcmp(key, known[k]);
		if (!ok)
			return magi_error_set(c->err, MAGI_ERR_PARSE,
					      "%s: header: unknown key \"%s\" (known: name, kind, recipe, env, screen, max_steps, description)",
					      c->s->path, key);
	}
	const char *scr = magi__json_str(c->s->header, "screen", NULL);
	unsigned w, h, d;
	char extra;
	if (json_object_get(c->s->header, "screen") &&
	    (!scr || sscanf(scr, "%ux%ux%u%c", &w, &h, &d, &extra) != 3 || w < 64 || h < 64 || w > 8192 || h > 8192))
		return magi_error_set(c->err, MAGI_ERR_PARSE, "%s: header: \"screen\" must be WIDTHxHEIGHTxDEPTH, e.g. 1280x720x24",
				      c->s->path);
	const char *env = magi__json_str(c->s->header, "env", NULL);
	if (json_object_get(c->s->header, "env") &&
	    (!env || (strcmp(env, "x11") && (strncmp(env, "x11:", 4) || !env[4]) && !browser_spec(env))))
		return magi_error_set(c->err, MAGI_ERR_PARSE,
				      "%s: header: \"env\" must be x11 (a private Xvfb per worker), x11:DISPLAY (a display that is already running) or browser[:URL] (a Chromium per task)",
				      c->s->path);
	const json_t *ms = json_object_get(c->s->header, "max_steps");
	if (ms && (!json_is_integer(ms) || json_integer_value(ms) < 1 || json_integer_value(ms) > 1000))
		return magi_error_set(c->err, MAGI_ERR_PARSE, "%s: header: \"max_steps\" must be 1..1000", c->s->path);
	return MAGI_OK;
}

magi_status magi__eval_normalise(struct magi_eval_suite *s, struct magi__eval_rec *recs, size_t n,
				 struct magi_error *err)
{
	struct ctx c = {s, err, recs[0].line};
	magi_status st = check_header(&c);
	if (st)
		return st;
	c.line = recs[0].line;
	s->format = detect(recs[0].j, s->header, &s->kind);
	if (!s->format) {
		if (json_object_get(s->header, "kind"))
			return magi_error_set(err, MAGI_ERR_PARSE, "%s: header: kind \"%s\" is not one of gui, ground, video, privacy, risk",
					      s->path, magi__json_str(s->header, "kind", "?"));
		return FAIL(&c, "cannot tell the suite's format from the item's fields: expected ScreenSpot "
				"(img_filename, bbox, instruction), Video-MME (videoID, options), LongVideoBench "
				"(candidates, correct_choice), gen-pii-shots (file, type, box), a risk suite (action, "
				"expected), or a magi suite with a header naming its kind");
	}
	s->items = json_array();
	if (s->kind == MAGI_EVAL_PRIVACY && strcmp(s->format, "magi"))
		return norm_pii(&c, recs, n, s->items);
	if (s->kind == MAGI_EVAL_PRIVACY)
		return FAIL(&c, "privacy suites are gen-pii-shots truth files (file, type, text, box per line)");
	json_t *ids = json_object();
	for (size_t i = 0; i < n && !st; i++) {
		const json_t *r = recs[i].j;
		c.line = recs[i].line;
		enum magi_eval_kind k = s->kind;
		const char *f = strcmp(s->format, "magi") ? detect(r, NULL, &k) : s->format;
		if (!f || k != s->kind || (strcmp(s->format, "magi") && strcmp(f, s->format))) {
			st = FAIL(&c, "this item does not look like the suite's other items (%s, %s)",
				  magi_eval_kind_name(s->kind), s->format);
			break;
		}
		json_t *it = json_object();
		const json_t *idv = json_object_get(r, "id");
		if (s->kind == MAGI_EVAL_VIDEO && !idv)
			idv = json_object_get(r, "question_id");
		char idbuf[64];
		if (idv && json_is_integer(idv)) {
			snprintf(idbuf, sizeof idbuf, "%lld", (long long)json_integer_value(idv));
		} else if (idv && !json_is_string(idv)) {
			json_decref(it);
			st = FAIL(&c, "\"id\" must be a string");
			break;
		} else if (!idv) {
			if (!strcmp(s->format, "magi") && s->kind == MAGI_EVAL_GUI) {
				json_decref(it);
				st = FAIL(&c, "missing field \"id\"");
				break;
			}
			snprintf(idbuf, sizeof idbuf, "%s-%zu", s->kind == MAGI_EVAL_GROUND ? "item" : "q", i);
		}
		const char *id = idv && json_is_string(idv) ? json_string_value(idv) : idbuf;
		if (!*id || json_object_get(ids, id)) {
			json_decref(it);
			st = *id ? FAIL(&c, "duplicate id \"%s\" (first on line %lld)", id,
					(long long)json_integer_value(json_object_get(ids, id)))
				 : FAIL(&c, "empty id");
			break;
		}
		json_object_set_new(ids, id, json_integer(c.line));
		json_object_set_new(it, "id", json_string(id));
		json_object_set_new(it, "line", json_integer(c.line));
		switch (s->kind) {
		case MAGI_EVAL_GROUND:
			st = norm_ground(&c, r, !strcmp(s->format, "screenspot"), it);
			break;
		case MAGI_EVAL_VIDEO:
			st = !strcmp(s->format, "video-mme")	  ? norm_videomme(&c, r, it)
			     : !strcmp(s->format, "longvideobench") ? norm_lvb(&c, r, it)
								    : norm_video(&c, r, it);
			break;
		case MAGI_EVAL_GUI:
			st = norm_gui(&c, r, it);
			break;
		case MAGI_EVAL_RISK:
			st = norm_risk(&c, r, it);
			break;
		default:
			st = FAIL(&c, "unsupported kind");
		}
		json_array_append_new(s->items, it);
	}
	json_decref(ids);
	return st;
}
