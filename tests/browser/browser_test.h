/* browser_test.h — helpers for the browser tests: the test web site (site_server.py) as a
 * child process with a request log, the allowlist callback, and small wrappers that
 * observe, find elements and act. Header-only, for tests/browser/test_*.c. */
#ifndef MAGI_BROWSER_TEST_H
#define MAGI_BROWSER_TEST_H
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../check.h"
#include "magi/magi.h"

#ifndef MAGI_SRC_DIR
#define MAGI_SRC_DIR "." /* $MAGI_SRC_DIR wins */
#endif

static char bt_tmp[256];
static char bt_log[300];
static int bt_port;
static pid_t bt_server_pid;
static char bt_base[64]; /* http://127.0.0.1:PORT */

/* Skips (77) when Chromium or python3 is missing. */
static inline void bt_need_tools(void)
{
	const char *bin = getenv("MAGI_CHROMIUM") ? getenv("MAGI_CHROMIUM") : "/usr/lib/chromium/chromium";
	if (access(bin, X_OK) != 0)
		SKIP("no Chromium at %s", bin);
	if (access("/usr/bin/python3", X_OK) != 0)
		SKIP("no /usr/bin/python3");
}

static inline void bt_server_stop(void)
{
	if (bt_server_pid > 0) {
		kill(bt_server_pid, SIGTERM);
		waitpid(bt_server_pid, NULL, 0);
		bt_server_pid = 0;
	}
}

/* Makes bt_tmp, starts the site; the server dies with the test (PR_SET_PDEATHSIG). */
static inline void bt_setup(void)
{
	bt_need_tools();
	snprintf(bt_tmp, sizeof bt_tmp, "/tmp/magi-btest-XXXXXX");
	REQUIRE(mkdtemp(bt_tmp) != NULL);
	snprintf(bt_log, sizeof bt_log, "%s/site.log", bt_tmp);
	char pf[300], script[512];
	snprintf(pf, sizeof pf, "%s/port", bt_tmp);
	const char *src = getenv("MAGI_SRC_DIR") ? getenv("MAGI_SRC_DIR") : MAGI_SRC_DIR;
	snprintf(script, sizeof script, "%s/tests/browser/site_server.py", src);
	pid_t parent = getpid();
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		execl("/usr/bin/python3", "python3", script, "--port", "0", "--port-file", pf, "--log", bt_log,
		      (char *)NULL);
		_exit(127);
	}
	bt_server_pid = pid;
	atexit(bt_server_stop);
	for (int i = 0; i < 500 && !bt_port; i++) {
		FILE *f = fopen(pf, "r");
		if (f) {
			if (fscanf(f, "%d", &bt_port) != 1)
				bt_port = 0;
			fclose(f);
		}
		if (!bt_port)
			usleep(20000);
	}
	REQUIRE(bt_port > 0);
	snprintf(bt_base, sizeof bt_base, "http://127.0.0.1:%d", bt_port);
}

static inline const char *bt_url(const char *path)
{
	static char u[8][256];
	static int k;
	k = (k + 1) % 8;
	snprintf(u[k], sizeof u[k], "%s/%s", bt_base, path);
	return u[k];
}

/* The allowlist the tests use: the two sites 127.0.0.1 and 127.0.0.2 (localhost stands for
 * a site outside it); URLs without a host (about:blank, data:) pass. */
static inline bool bt_allow(void *ud, const char *url)
{
	(void)ud;
	static const char *const allow[] = {"127.0.0.1", "127.0.0.2"};
	char host[256];
	if (!magi_guard_url_host(url, host, sizeof host) || !strncmp(url, "data:", 5) || !strncmp(url, "about:", 6))
		return true;
	return magi_guard_domain_allowed(host, allow, 2);
}

/* Requests in the site's log with this method and path (and, when key is given, that
 * form or query field equal to val). */
static inline int bt_log_count(const char *method, const char *path, const char *key, const char *val)
{
	FILE *f = fopen(bt_log, "r");
	if (!f)
		return 0;
	char line[65536];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		json_t *j = json_loads(line, 0, NULL);
		if (!j)
			continue;
		const char *m = json_string_value(json_object_get(j, "method"));
		const char *p = json_string_value(json_object_get(j, "path"));
		bool ok = m && p && !strcmp(m, method) && !strcmp(p, path);
		if (ok && key) {
			const json_t *v = json_object_get(json_object_get(j, "form"), key);
			if (!v)
				v = json_object_get(json_object_get(j, "query"), key);
			ok = json_is_string(v) && (!val || !strcmp(json_string_value(v), val));
		}
		n += ok;
		json_decref(j);
	}
	fclose(f);
	return n;
}

/* The first log entry for method + path, as JSON (caller decrefs), or NULL. */
static inline json_t *bt_log_entry(const char *method, const char *path)
{
	FILE *f = fopen(bt_log, "r");
	if (!f)
		return NULL;
	char line[65536];
	json_t *found = NULL;
	while (!found && fgets(line, sizeof line, f)) {
		json_t *j = json_loads(line, 0, NULL);
		const char *m = json_string_value(json_object_get(j, "method"));
		const char *p = json_string_value(json_object_get(j, "path"));
		if (m && p && !strcmp(m, method) && !strcmp(p, path))
			found = json_incref(j);
		json_decref(j);
	}
	fclose(f);
	return found;
}

/* Waits (up to 10 s) until the site logged such a request. */
static inline bool bt_log_wait(const char *method, const char *path, const char *key, const char *val)
{
	for (int i = 0; i < 200; i++) {
		if (bt_log_count(method, path, key, val))
			return true;
		usleep(50000);
	}
	return false;
}

/* Opens the browser with p, or stops the test saying why. */
static inline struct magi_env *bt_open(const struct magi_browser_params *p)
{
	struct magi_env *env = NULL;
	struct magi_error err;
	/* a test's Chromium shares the machine with other tests (ctest -j): the default 10 s
	 * per call is raised to 30 s where the test kept it, so a slow reply is not a failure */
	struct magi_browser_params q = *p;
	if (q.call_timeout_ms == magi_browser_params_default().call_timeout_ms)
		q.call_timeout_ms = 30000;
	magi_status s = magi_env_open_browser(&q, &env, &err);
	CHECK_MSG(s == MAGI_OK, "open: %s", err.msg);
	REQUIRE(s == MAGI_OK);
	return env;
}

static inline void bt_observe(struct magi_env *env, struct magi_obs *o)
{
	struct magi_error err;
	magi_obs_release(o);
	magi_status s = magi_env_observe(env, o, &err);
	CHECK_MSG(s == MAGI_OK, "observe: %s", err.msg);
	REQUIRE(s == MAGI_OK);
}

static inline bool bt_icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; hay && *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return false;
}

/* The first element of that role (NULL: any) whose name contains `name` (any case). */
static inline const struct magi_element *bt_find(const struct magi_obs *o, const char *role, const char *name)
{
	for (size_t i = 0; i < o->n_elements; i++) {
		const struct magi_element *e = &o->elements[i];
		if ((!role || !strcmp(e->role, role)) && bt_icontains(e->name, name))
			return e;
	}
	return NULL;
}

/* An element whose whole name is `name`. */
static inline const struct magi_element *bt_find_exact(const struct magi_obs *o, const char *name)
{
	for (size_t i = 0; i < o->n_elements; i++)
		if (!strcmp(o->elements[i].name, name))
			return &o->elements[i];
	return NULL;
}

/* Observes until an element's whole name is text (up to 10 s). */
static inline bool bt_wait_exact(struct magi_env *env, struct magi_obs *o, const char *text)
{
	for (int i = 0; i < 100; i++) {
		bt_observe(env, o);
		if (bt_find_exact(o, text))
			return true;
		usleep(100000);
	}
	return false;
}

/* Observes until some element's name contains text (up to 10 s); false if it never does. */
static inline bool bt_wait_text(struct magi_env *env, struct magi_obs *o, const char *text)
{
	for (int i = 0; i < 100; i++) {
		bt_observe(env, o);
		if (bt_find(o, NULL, text))
			return true;
		usleep(100000);
	}
	return false;
}

static inline magi_status bt_act(struct magi_env *env, const char *json, struct magi_error *err)
{
	struct magi_action a;
	magi_status s = magi_action_parse_json(json, strlen(json), &a, err);
	if (!s)
		s = magi_env_act(env, &a, err);
	magi_action_release(&a);
	return s;
}

/* Acts and checks that it worked. */
static inline void bt_do(struct magi_env *env, const char *fmt, ...)
{
	char json[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(json, sizeof json, fmt, ap);
	va_end(ap);
	struct magi_error err;
	magi_status s = bt_act(env, json, &err);
	CHECK_MSG(s == MAGI_OK, "%s: %s", json, err.msg);
}

/* Clicks the centre of an element's box, as a model pointing at it would. */
static inline void bt_click(struct magi_env *env, const struct magi_element *e)
{
	REQUIRE(e != NULL);
	bt_do(env, "{\"action\":\"click\",\"x\":%d,\"y\":%d}", e->x + e->w / 2, e->y + e->h / 2);
}

static inline void bt_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs(text, f);
	fclose(f);
}
#endif
