/* test_browser_proc.c — the browser environment's life cycle on real Chromium: bad
 * parameters, the spec string, device-pixel ratio with set-of-marks, the temporary
 * profile removed at close, Chromium dying mid-run (a clear error, reaped), and magi being
 * killed (Chromium and its helpers go too: no orphans). */
#include <dirent.h>
#include "browser_test.h"

/* Calls fn for every process: its pid, state, parent, process group and name. */
static void each_process(void (*fn)(void *ud, pid_t pid, char state, pid_t ppid, pid_t pgid, const char *comm),
			 void *ud)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char path[300], buf[512];
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = '\0';
		char *lp = strchr(buf, '('), *rp = strrchr(buf, ')');
		char state = 0;
		int ppid = 0, pg = 0;
		if (!lp || !rp || sscanf(rp + 2, "%c %d %d", &state, &ppid, &pg) != 3)
			continue;
		*rp = '\0';
		fn(ud, (pid_t)atoi(de->d_name), state, ppid, pg, lp + 1);
	}
	if (d)
		closedir(d);
}

static void find_chromium(void *ud, pid_t pid, char state, pid_t ppid, pid_t pgid, const char *comm)
{
	(void)state;
	(void)pgid;
	if (ppid == getpid() && !strncmp(comm, "chromium", 8))
		*(pid_t *)ud = pid;
}

/* Our child process named "chromium" (the browser magi started), 0 when none. */
static pid_t chromium_child(void)
{
	pid_t found = 0;
	each_process(find_chromium, &found);
	return found;
}

struct group_count {
	pid_t pgid;
	int n;
};

static void count_group(void *ud, pid_t pid, char state, pid_t ppid, pid_t pgid, const char *comm)
{
	(void)pid;
	(void)ppid;
	(void)comm;
	struct group_count *g = ud;
	g->n += pgid == g->pgid && state != 'Z';
}

/* Processes of process group pgid that are still running (zombies do not count). */
static int live_in_group(pid_t pgid)
{
	struct group_count g = {pgid, 0};
	each_process(count_group, &g);
	return g.n;
}

static bool wait_group_gone(pid_t pgid)
{
	for (int i = 0; i < 200; i++) {
		if (!live_in_group(pgid))
			return true;
		usleep(50000);
	}
	return false;
}

/* The process's command line: NUL-separated arguments into buf; their total length. */
static size_t cmdline_of(pid_t pid, char *buf, size_t cap)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return n;
}

/* The --user-data-dir Chromium was started with. */
static bool profile_of(pid_t pid, char *out, size_t cap)
{
	char buf[16384];
	size_t n = cmdline_of(pid, buf, sizeof buf);
	for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
		if (!strncmp(buf + i, "--user-data-dir=", 16)) {
			snprintf(out, cap, "%s", buf + i + 16);
			return true;
		}
	return false;
}

/* Whether Chromium's command line has an argument equal to arg. */
static bool has_arg(pid_t pid, const char *arg)
{
	char buf[16384];
	size_t n = cmdline_of(pid, buf, sizeof buf);
	for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
		if (!strcmp(buf + i, arg))
			return true;
	return false;
}

static bool allow_all(void *ud, const char *url)
{
	(void)ud;
	(void)url;
	return true;
}

/* The domain rule's hosts in Chromium's own settings hold from its first moment: here Fetch
 * lets everything through (allow_all), so whatever is refused is refused by Chromium's copy
 * of the rule alone. The first page goes on the command line; the page's image and fetch()
 * from localhost (outside the hosts) never reach the server, and neither does a later
 * navigation there. A host Chromium's rule cannot hold (an IPv6 address) leaves the rule
 * to Fetch, and the first page to after it. */
static void test_early_rule(void)
{
	static const char *const hosts[] = {"127.0.0.1"};
	struct magi_browser_params p = magi_browser_params_default();
	p.url = bt_url("outside.html");
	p.allow_url = allow_all;
	p.allow_hosts = hosts;
	p.n_allow_hosts = 1;
	struct magi_env *env = NULL;
	struct magi_error err;
	REQUIRE(magi_env_open_browser(&p, &env, &err) == MAGI_OK);
	struct magi_obs o = {0};
	bt_observe(env, &o);
	CHECK_STR(o.url, bt_url("outside.html"));
	pid_t pid = chromium_child();
	CHECK(has_arg(pid, bt_url("outside.html")));
	CHECK(has_arg(pid, "--proxy-bypass-list=<-loopback>;127.0.0.1;*.127.0.0.1"));
	CHECK(bt_log_count("GET", "/outside.html", NULL, NULL) == 1);
	CHECK(bt_log_count("GET", "/style.css", NULL, NULL) >= 1); /* the allowed host's own */
	CHECK(bt_log_count("GET", "/pixel.png", NULL, NULL) == 0);
	CHECK(bt_log_count("GET", "/beacon", NULL, NULL) == 0);
	char url[256];
	snprintf(url, sizeof url, "http://localhost:%d/page2.html", bt_port);
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", url);
	magi_obs_release(&o);
	bt_observe(env, &o);
	CHECK(bt_log_count("GET", "/page2.html", NULL, NULL) == 0);
	magi_obs_release(&o);
	magi_env_close(env);

	static const char *const v6[] = {"127.0.0.1", "::1"};
	p.allow_url = bt_allow;
	p.allow_hosts = v6;
	p.n_allow_hosts = 2;
	REQUIRE(magi_env_open_browser(&p, &env, &err) == MAGI_OK);
	bt_observe(env, &o);
	CHECK_STR(o.url, bt_url("outside.html"));
	pid = chromium_child();
	CHECK(has_arg(pid, "about:blank") && !has_arg(pid, bt_url("outside.html")));
	CHECK(!has_arg(pid, "--proxy-server=http://magi-blocked.invalid:9"));
	CHECK_CONTAINS(o.text, "outside the allowed domains"); /* Fetch refused and said so */
	CHECK(bt_log_count("GET", "/outside.html", NULL, NULL) == 2);
	CHECK(bt_log_count("GET", "/pixel.png", NULL, NULL) == 0);
	magi_obs_release(&o);
	magi_env_close(env);
}

static void test_bad_params(void)
{
	struct magi_env *env = NULL;
	struct magi_error err;
	struct magi_browser_params p = magi_browser_params_default();
	p.scale = 9;
	CHECK(magi_env_open_browser(&p, &env, &err) == MAGI_ERR_INVALID && !env);
	CHECK_CONTAINS(err.msg, "scale 9 is not within 0.25..4");
	p = magi_browser_params_default();
	p.width = 20;
	CHECK(magi_env_open_browser(&p, &env, &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "viewport 20x720");
	p = magi_browser_params_default();
	p.chromium = "/nonexistent/chromium";
	CHECK(magi_env_open_browser(&p, &env, &err) == MAGI_ERR_ENV);
	CHECK_CONTAINS(err.msg, "/nonexistent/chromium");
	CHECK_CONTAINS(err.msg, "MAGI_CHROMIUM");
	p = magi_browser_params_default();
	p.chromium = "/bin/false"; /* runs, then dies at once: a clear error, not a hang */
	CHECK(magi_env_open_browser(&p, &env, &err) == MAGI_ERR_ENV);
	CHECK_CONTAINS(err.msg, "exited with status 1");
	p = magi_browser_params_default();
	p.url = "http://localhost:1/x";
	p.allow_url = bt_allow;
	CHECK(magi_env_open_browser(&p, &env, &err) == MAGI_ERR_DENIED);
	CHECK_CONTAINS(err.msg, "outside the allowed domains");
	char *display = getenv("DISPLAY") ? strdup(getenv("DISPLAY")) : NULL;
	unsetenv("DISPLAY");
	p = magi_browser_params_default();
	p.headful = true;
	CHECK(magi_env_open_browser(&p, &env, &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "$DISPLAY");
	if (display) {
		setenv("DISPLAY", display, 1);
		free(display);
	}
	CHECK(magi_env_open("browsr:x", &env, &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "browser[:URL]");
	CHECK(chromium_child() == 0); /* nothing left behind by the failures */
}

/* The spec string, device-pixel ratio 2, marks, and the profile's life. */
static void test_scale_and_marks(void)
{
	struct magi_env *env = NULL;
	struct magi_error err;
	REQUIRE(magi_env_open("browser", &env, &err) == MAGI_OK);
	CHECK_STR(magi_env_name(env), "browser");
	CHECK(magi_env_caps(env) & MAGI_ACT_BIT(MAGI_ACT_CLICK_ELEMENT));
	CHECK(!(magi_env_caps(env) & MAGI_ACT_BIT(MAGI_ACT_LONG_PRESS)));
	CHECK(bt_act(env, "{\"action\":\"long_press\",\"x\":1,\"y\":1}", &err) == MAGI_ERR_UNSUPPORTED);
	CHECK_CONTAINS(err.msg, "click_element");
	struct magi_obs o = {0};
	bt_observe(env, &o);
	CHECK_STR(o.url, "about:blank");
	pid_t pid = chromium_child();
	char prof[512] = "";
	CHECK(pid > 0 && profile_of(pid, prof, sizeof prof));
	/* headless without WebGL unless asked (SwiftShader stays unloaded); 2D canvases draw */
	CHECK(has_arg(pid, "--disable-software-rasterizer"));
	char *gl = NULL;
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("webgl.html"));
	CHECK(magi_env_browser_text(env, "#gl", &gl, &err) == MAGI_OK);
	CHECK_STR(gl, "no webgl, 2d");
	free(gl);
	struct stat st;
	CHECK(stat(prof, &st) == 0 && S_ISDIR(st.st_mode));
	magi_obs_release(&o);
	magi_env_close(env);
	CHECK(stat(prof, &st) != 0); /* the temporary profile went with it */
	CHECK(chromium_child() == 0);
	CHECK(wait_group_gone(pid));

	/* no domain rule: the first page goes on Chromium's command line and may load before
	 * its tab is set up; the first look still waits for it, at ratio 2 */
	struct magi_browser_params p = magi_browser_params_default();
	p.url = bt_url("login.html");
	p.scale = 2;
	p.marks = true;
	p.width = 1000;
	p.height = 600;
	p.webgl = true;
	REQUIRE(magi_env_open_browser(&p, &env, &err) == MAGI_OK);
	CHECK(!has_arg(chromium_child(), "--disable-software-rasterizer"));
	bt_observe(env, &o);
	REQUIRE(o.screenshot != NULL);
	CHECK(o.screenshot->w == 2000 && o.screenshot->h == 1200);
	const struct magi_element *user = bt_find(&o, "textbox", "Username");
	REQUIRE(user != NULL);
	/* the body margin is 24 CSS px and the label 160: the box is in device pixels */
	CHECK_MSG(user->x >= 2 * (24 + 160) && user->x <= 2 * (24 + 160) + 20, "x %d", user->x);
	/* its mark: a saturated colour on the box's edge, where the page has grey or white */
	const uint8_t *px = o.screenshot->px + (size_t)(user->y + 1) * o.screenshot->stride + (size_t)(user->x + 1) * 3;
	int mx = px[0] > px[1] ? (px[0] > px[2] ? px[0] : px[2]) : (px[1] > px[2] ? px[1] : px[2]);
	int mn = px[0] < px[1] ? (px[0] < px[2] ? px[0] : px[2]) : (px[1] < px[2] ? px[1] : px[2]);
	CHECK_MSG(mx - mn > 100, "pixel at the mark is %d,%d,%d", px[0], px[1], px[2]);
	/* a click in device pixels lands on the field (input goes out in CSS pixels) */
	bt_click(env, user);
	bt_do(env, "{\"action\":\"type\",\"text\":\"dpr2\"}");
	bt_observe(env, &o);
	user = bt_find(&o, "textbox", "Username");
	REQUIRE(user != NULL);
	CHECK_STR(user->value, "dpr2");
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("webgl.html"));
	CHECK(magi_env_browser_text(env, "#gl", &gl, &err) == MAGI_OK);
	CHECK_STR(gl, "webgl, 2d");
	free(gl);
	magi_obs_release(&o);
	magi_env_close(env);
}

/* Chromium killed under magi: the next call says so, and close reaps it. */
static void test_chromium_dies(void)
{
	struct magi_env *env = NULL;
	struct magi_error err;
	char spec[300];
	snprintf(spec, sizeof spec, "browser:%s", bt_url("index.html"));
	REQUIRE(magi_env_open(spec, &env, &err) == MAGI_OK);
	struct magi_obs o = {0};
	bt_observe(env, &o);
	CHECK_STR(o.url, bt_url("index.html"));
	pid_t pid = chromium_child();
	REQUIRE(pid > 0);
	REQUIRE(kill(pid, SIGKILL) == 0);
	magi_obs_release(&o);
	magi_status s = magi_env_observe(env, &o, &err);
	CHECK(s == MAGI_ERR_ENV);
	char want[80];
	snprintf(want, sizeof want, "Chromium (pid %d) was killed by signal 9", (int)pid);
	CHECK_CONTAINS(err.msg, want);
	CHECK(bt_act(env, "{\"action\":\"click\",\"x\":5,\"y\":5}", &err) == MAGI_ERR_ENV);
	CHECK_CONTAINS(err.msg, want);
	magi_env_close(env);
	CHECK(chromium_child() == 0);
	CHECK(waitpid(-1, NULL, WNOHANG) <= 0); /* no zombie of ours left (only the site server) */
	CHECK(wait_group_gone(pid));
}

/* magi killed with SIGKILL: Chromium (PR_SET_PDEATHSIG) and its helpers follow. */
static void test_magi_killed(void)
{
	int fd[2];
	REQUIRE(pipe(fd) == 0);
	pid_t kid = fork();
	REQUIRE(kid >= 0);
	if (kid == 0) {
		close(fd[0]);
		struct magi_browser_params p = magi_browser_params_default();
		p.url = bt_url("index.html");
		p.multi_process = true; /* helpers to follow it (single-process mode has none) */
		struct magi_env *env = NULL;
		struct magi_error err;
		if (magi_env_open_browser(&p, &env, &err))
			_exit(2);
		struct magi_obs o = {0};
		magi_env_observe(env, &o, &err);
		pid_t c = chromium_child();
		(void)!write(fd[1], &c, sizeof c);
		for (;;)
			pause();
	}
	close(fd[1]);
	pid_t cpid = 0;
	CHECK(read(fd[0], &cpid, sizeof cpid) == (ssize_t)sizeof cpid && cpid > 0);
	close(fd[0]);
	char prof[512] = "";
	profile_of(cpid, prof, sizeof prof);
	CHECK(live_in_group(cpid) >= 2); /* the browser and its helpers */
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	CHECK_MSG(wait_group_gone(cpid), "%d processes of Chromium's group outlived magi", live_in_group(cpid));
	/* (the temporary profile of a killed magi stays: nobody is left to remove it) */
	if (prof[0] && strstr(prof, "/magi-chromium-")) {
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", prof);
		CHECK(system(cmd) == 0);
	}
}

int main(void)
{
	bt_setup();
	test_bad_params();
	test_scale_and_marks();
	test_early_rule();
	test_chromium_dies();
	test_magi_killed();
	return check_done();
}
