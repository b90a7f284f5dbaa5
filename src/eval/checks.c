/* checks.c — the checkers of GUI tasks, evaluated against the live state of the task's
 * X server and files:
 *   {"cmd": "sh text", "exit": 0, "timeout": 10}    a program's exit status
 *   {"file": "path", "equals"|"contains"|"regex": "..."} or {"file": "path", "exists": b}
 *   {"window": "text", "present": true}             a window whose title or class holds text
 *   {"screen_text": "text", "present": true}        text the OCR reads on the screen now
 *   {"answer": "text"} / {"answer": "text", "regex": "..."}   the agent's final answer
 * and, on a browser task (env browser[:URL]), the page and the site behind it:
 *   {"url": "regex"}                                the current tab's URL matches
 *   {"element": "name", "role": "button", "value": "text"|"regex": "...", "present": b}
 *                                                   an element of the page's list whose
 *                                                   name holds that (and of that role),
 *                                                   with its value (a text run: its text)
 *   {"selector": "CSS", "equals"|"contains"|"regex": "..."}   what the first element
 *                                                   matching shows (a field's value, else
 *                                                   its text), read from the live page
 *   {"http": "URL", "contains"|"regex": "...", "timeout": s}  the body of a GET of URL
 *                                                   (a site's request log: did the form
 *                                                   value reach the server?)
 * Relative paths and commands run in the task's work directory, with DISPLAY set. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/json.h"
#include "eval/eval_gui.h"
#include "model/curl_dl.h"
#include "core/common.h"

pid_t magi__eval_shell(const char *cmd, const struct magi__eval_gui_ctx *c)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	int dn = open("/dev/null", O_RDONLY);
	if (dn >= 0)
		dup2(dn, 0);
	if (c->log_path) {
		int lf = open(c->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (lf >= 0) {
			dup2(lf, 1);
			dup2(lf, 2);
		}
	}
	if (c->work_dir && chdir(c->work_dir) != 0)
		_exit(126);
	if (c->display)
		setenv("DISPLAY", c->display, 1);
	if (c->work_dir)
		setenv("MAGI_EVAL_WORK", c->work_dir, 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int magi__eval_wait(pid_t pid, double timeout_ms)
{
	double end = magi_now_ms() + timeout_ms;
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (r < 0 && errno != EINTR)
			return -1;
		if (magi_now_ms() > end) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -2;
		}
		magi_sleep_ms(10);
	}
}

/* lowercased, runs of whitespace as one space */
static void fold(const char *s, struct magi_buf *out)
{
	bool sp = true;
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			if (!sp)
				magi_buf_putc(out, ' ');
			sp = true;
		} else {
			magi_buf_putc(out, (char)tolower((unsigned char)*s));
			sp = false;
		}
	}
	while (out->len && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
}

static bool folded_contains(const char *hay, const char *needle)
{
	struct magi_buf h, n;
	magi_buf_init(&h, 0);
	magi_buf_init(&n, 0);
	fold(hay, &h);
	fold(needle, &n);
	bool r = n.len && strstr(h.data, n.data);
	magi_buf_release(&h);
	magi_buf_release(&n);
	return r;
}

static bool regex_match(const char *rx, const char *text)
{
	regex_t re;
	if (regcomp(&re, rx, REG_EXTENDED | REG_NOSUB | REG_NEWLINE))
		return false;
	bool m = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

static void trim_end(struct magi_buf *b)
{
	while (b->len && isspace((unsigned char)b->data[b->len - 1]))
		b->data[--b->len] = '\0';
}

/* The window list and the screenshot, taken once per evaluation when a checker needs them. */
struct look {
	bool done;
	magi_status s;
	struct magi_obs obs;
	char *screen_text;
};

static magi_status look(struct look *l, const struct magi__eval_gui_ctx *c, bool ocr, struct magi_error *err)
{
	if (!l->done) {
		l->done = true;
		memset(&l->obs, 0, sizeof l->obs);
		l->s = c->env ? magi_env_observe(c->env, &l->obs, err)
			      : magi_error_set(err, MAGI_ERR_ENV, "no X server to look at");
	}
	if (l->s || !ocr || l->screen_text)
		return l->s;
	struct magi_ocr *o = NULL;
	if (!l->obs.screenshot || magi_ocr_run(l->obs.screenshot, NULL, 0, &o, err))
		return l->s = err->status ? err->status : MAGI_ERR_ENV;
	struct magi_buf b;
	magi_buf_init(&b, 0);
	for (size_t i = 0; i < o->n_lines; i++)
		magi_buf_printf(&b, "%s\n", o->lines[i].text);
	l->screen_text = magi_buf_detach(&b, NULL);
	magi_ocr_free(o);
	return MAGI_OK;
}

/* Does a window title or class in the observation's window list hold text? Lines look like
 * `- "Title" [class] 300x200+10+10`. */
static bool window_present(const char *list, const char *text)
{
	bool found = false;
	for (const char *p = list ? strstr(list, "\n- ") : NULL; p && !found; p = strstr(p + 1, "\n- ")) {
		const char *e = strchr(p + 1, '\n');
		size_t n = e ? (size_t)(e - p - 3) : strlen(p + 3);
		char *line = magi__strndup(p + 3, n);
		/* drop the geometry so that "300x200" cannot match */
		char *g = line ? strrchr(line, ' ') : NULL;
		if (g && strchr(g, 'x') && strchr(g, '+'))
			*g = '\0';
		found = line && folded_contains(line, text);
		free(line);
	}
	return found;
}

/* Text held per the checker's equals / contains / regex (contains and equals fold case and
 * spaces). */
static bool text_matches(const json_t *k, const char *text)
{
	const char *eq = magi__json_str(k, "equals", NULL), *has = magi__json_str(k, "contains", NULL);
	const char *rx = magi__json_str(k, "regex", NULL);
	if (rx)
		return regex_match(rx, text);
	if (has)
		return folded_contains(text, has);
	struct magi_buf x, y;
	magi_buf_init(&x, 0);
	magi_buf_init(&y, 0);
	fold(text, &x);
	fold(eq ? eq : "", &y);
	bool ok = !strcmp(x.data ? x.data : "", y.data ? y.data : "");
	magi_buf_release(&x);
	magi_buf_release(&y);
	return ok;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct magi_buf *b = ud;
	size_t len = size * n;
	return magi_buf_append(b, p, len) == MAGI_OK ? len : 0;
}

/* GET url into body (capped); false with the reason in detail. */
static bool http_get(const char *url, double timeout_s, struct magi_buf *body, char *detail, size_t cap)
{
	struct magi_error lerr;
	if (magi__curl_load(&lerr)) {
		snprintf(detail, cap, "GET %s: %s", url, magi_error_text(&lerr));
		return false;
	}
	CURL *h = curl_easy_init();
	if (!h) {
		snprintf(detail, cap, "GET %s: cannot make a request", url);
		return false;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout_s * 1000));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode cc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	if (cc != CURLE_OK || code != 200) {
		if (cc != CURLE_OK)
			snprintf(detail, cap, "GET %s: %s", url, curl_easy_strerror(cc));
		else
			snprintf(detail, cap, "GET %s: status %ld", url, code);
		return false;
	}
	return true;
}

/* The browser checkers (see the top); *handled false when k is none of them. */
static bool check_web(const json_t *k, const struct magi__eval_gui_ctx *c, struct look *l, char *detail, size_t cap,
		      struct magi_error *err, bool *handled)
{
	const char *v;
	*handled = true;
	if ((v = magi__json_str(k, "url", NULL))) {
		if (look(l, c, false, err)) {
			snprintf(detail, cap, "cannot look at the page: %s", magi_error_text(err));
			return false;
		}
		const char *u = l->obs.url ? l->obs.url : "";
		snprintf(detail, cap, "URL %.200s", u);
		return regex_match(v, u);
	}
	if ((v = magi__json_str(k, "element", NULL))) {
		if (look(l, c, false, err)) {
			snprintf(detail, cap, "cannot look at the page: %s", magi_error_text(err));
			return false;
		}
		const char *role = magi__json_str(k, "role", NULL);
		bool want_value = json_object_get(k, "value") || json_object_get(k, "regex");
		const struct magi_element *hit = NULL, *named = NULL;
		for (size_t i = 0; i < l->obs.n_elements && !hit; i++) {
			const struct magi_element *e = &l->obs.elements[i];
			if (!folded_contains(e->name, v) || (role && strcmp(e->role ? e->role : "", role)))
				continue;
			named = named ? named : e;
			const char *val = e->flags & MAGI_ELEM_TEXT ? e->name : e->value;
			const char *rx = magi__json_str(k, "regex", NULL);
			if (!want_value || (val && (rx ? regex_match(rx, val) : folded_contains(val, magi__json_str(k, "value", "")))))
				hit = e;
		}
		bool present = magi__json_bool(k, "present", true);
		if (hit)
			snprintf(detail, cap, "%s \"%.80s\" value \"%.80s\"", hit->role, hit->name, hit->value ? hit->value : "");
		else if (named)
			snprintf(detail, cap, "%s \"%.80s\" holds \"%.80s\"", named->role, named->name,
				 named->value ? named->value : "");
		else
			snprintf(detail, cap, "no %s \"%.80s\" on the page", role ? role : "element", v);
		return (hit != NULL) == present;
	}
	if ((v = magi__json_str(k, "selector", NULL))) {
		char *text = NULL;
		magi_status s = magi_env_browser_text(c->env, v, &text, err);
		if (s) {
			snprintf(detail, cap, "%s", magi_error_text(err));
			return false;
		}
		bool ok = text_matches(k, text);
		snprintf(detail, cap, "%s shows \"%.120s\"", v, text);
		free(text);
		return ok;
	}
	if ((v = magi__json_str(k, "http", NULL))) {
		struct magi_buf body;
		magi_buf_init(&body, 16u << 20);
		bool ok = http_get(v, magi__json_num(k, "timeout", 10), &body, detail, cap);
		if (ok) {
			ok = text_matches(k, body.data ? body.data : "");
			snprintf(detail, cap, "GET %s: %zu bytes, %s", v, body.len, ok ? "they match" : "no match");
		}
		magi_buf_release(&body);
		return ok;
	}
	*handled = false;
	return false;
}

static bool check_one(const json_t *k, const struct magi__eval_gui_ctx *c, struct look *l, char *detail,
		      size_t cap, struct magi_error *err)
{
	const char *v;
	if ((v = magi__json_str(k, "cmd", NULL))) {
		pid_t pid = magi__eval_shell(v, c);
		if (pid < 0) {
			snprintf(detail, cap, "cannot start: %s", strerror(errno));
			return false;
		}
		int code = magi__eval_wait(pid, magi__json_num(k, "timeout", 10) * 1000);
		long want = magi__json_int(k, "exit", 0);
		snprintf(detail, cap, code == -2 ? "timed out" : "exit %d (want %ld)", code, want);
		return code == want;
	}
	if ((v = magi__json_str(k, "file", NULL))) {
		char path[4096];
		snprintf(path, sizeof path, "%s%s%s", v[0] == '/' || !c->work_dir ? "" : c->work_dir,
			 v[0] == '/' || !c->work_dir ? "" : "/", v);
		struct magi_buf b;
		magi_buf_init(&b, 16u << 20);
		struct magi_error fe;
		bool exists = magi_file_read(path, &b, &fe) == MAGI_OK;
		bool ok;
		if (json_object_get(k, "exists")) {
			ok = exists == magi__json_bool(k, "exists", true);
			snprintf(detail, cap, "%s %s", v, exists ? "exists" : "does not exist");
		} else if (!exists) {
			ok = false;
			snprintf(detail, cap, "%s", magi_error_text(&fe));
		} else {
			const char *eq = magi__json_str(k, "equals", NULL), *has = magi__json_str(k, "contains", NULL);
			const char *rx = magi__json_str(k, "regex", NULL);
			if (eq) {
				struct magi_buf w;
				magi_buf_init(&w, 0);
				magi_buf_puts(&w, eq);
				trim_end(&w);
				trim_end(&b);
				ok = !strcmp(b.data, w.data);
				magi_buf_release(&w);
			} else if (has) {
				ok = strstr(b.data, has) != NULL;
			} else {
				ok = rx && regex_match(rx, b.data);
			}
			snprintf(detail, cap, "%s holds \"%.80s\"", v, b.data);
		}
		magi_buf_release(&b);
		return ok;
	}
	bool present = magi__json_bool(k, "present", true);
	if ((v = magi__json_str(k, "window", NULL))) {
		if (look(l, c, false, err)) {
			snprintf(detail, cap, "cannot list windows: %s", magi_error_text(err));
			return false;
		}
		bool there = window_present(l->obs.text, v);
		snprintf(detail, cap, "window \"%s\" %s", v, there ? "present" : "absent");
		return there == present;
	}
	if ((v = magi__json_str(k, "screen_text", NULL))) {
		if (look(l, c, true, err)) {
			snprintf(detail, cap, "cannot read the screen: %s", magi_error_text(err));
			return false;
		}
		bool there = folded_contains(l->screen_text, v);
		snprintf(detail, cap, "\"%s\" %s on the screen", v, there ? "read" : "not read");
		return there == present;
	}
	if ((v = magi__json_str(k, "answer", NULL))) {
		const char *a = c->answer;
		const char *rx = magi__json_str(k, "regex", NULL);
		struct magi_buf x, y;
		magi_buf_init(&x, 0);
		magi_buf_init(&y, 0);
		fold(a ? a : "", &x);
		fold(v, &y);
		bool ok = a && (rx ? regex_match(rx, a) : !strcmp(x.data, y.data));
		snprintf(detail, cap, "answer \"%.80s\"", a ? a : "(none)");
		magi_buf_release(&x);
		magi_buf_release(&y);
		return ok;
	}
	bool handled;
	bool ok = check_web(k, c, l, detail, cap, err, &handled);
	if (!handled)
		snprintf(detail, cap, "unknown checker");
	return ok;
}

bool magi__eval_checks(const json_t *checks, const struct magi__eval_gui_ctx *c, json_t **details)
{
	struct look l;
	memset(&l, 0, sizeof l);
	bool all = json_array_size(checks) > 0;
	if (details)
		*details = json_array();
	for (size_t i = 0; i < json_array_size(checks); i++) {
		char detail[300] = "";
		struct magi_error err;
		magi_error_clear(&err);
		bool ok = check_one(json_array_get(checks, i), c, &l, detail, sizeof detail, &err);
		all &= ok;
		if (details)
			json_array_append_new(*details, json_pack("{s:b, s:s}", "pass", ok, "detail", detail));
	}
	magi_obs_release(&l.obs);
	free(l.screen_text);
	return all;
}
