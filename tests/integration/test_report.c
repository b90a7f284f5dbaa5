/* test_report.c — report.html from a synthetic 20-step run: self-contained, small, every
 * screenshot inlined, model text escaped; then what headless Chromium makes of it (the DOM
 * it builds, a screenshot that is not blank, a click ring drawn where the click was). Also a
 * torn trace, an empty one and a missing one.
 *
 * Set MAGI_REPORT_KEEP=1 to keep the temporary run directories for a look. */
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "magi/magi.h"
#include "core/proc.h"
#include "trace/trace_internal.h"
#include "check.h"

#define SCREEN_W 1280
#define SCREEN_H 720
#define N_STEPS 20
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MIN_(a, b) ((a) < (b) ? (a) : (b))
#define MAX_(a, b) ((a) > (b) ? (a) : (b))

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0, nl = strlen(needle);
	for (const char *p = hay; (p = strstr(p, needle)); p += nl)
		n++;
	return n;
}

/* ---- a synthetic run ------------------------------------------------------------------- */
/* Something like a desktop screen: a title bar, a sidebar, rows of "words", a button,
 * the step number in large text; `noisy` adds a photo-like area so that the JPEG is big
 * (several hundred KB) and the report has to re-encode it. */
static struct magi_image *screen(int step, bool noisy)
{
	struct magi_image *img = NULL;
	REQUIRE(magi_image_new(SCREEN_W, SCREEN_H, &img) == MAGI_OK);
	magi_image_fill_rect(img, 0, 0, SCREEN_W, SCREEN_H, 0xF4F6F8);
	magi_image_fill_rect(img, 0, 0, SCREEN_W, 44, 0x2D333B);
	magi_image_fill_rect(img, 0, 44, 220, SCREEN_H - 44, 0xE3E8EE);
	for (int i = 0; i < 9; i++)
		magi_image_fill_rect(img, 20, 70 + i * 40, 150 - (i * 37 % 60), 14, 0x8C959F);
	uint32_t seed = (uint32_t)step * 2654435761u;
	for (int row = 0; row < 14; row++) {
		int x = 260;
		while (x < 1180) {
			seed = seed * 1103515245u + 12345u;
			int w = 20 + (int)(seed >> 16) % 90;
			magi_image_fill_rect(img, x, 90 + row * 30, w, 12, 0x57606A);
			x += w + 10;
		}
	}
	magi_image_fill_rect(img, 1000, 640, 200, 48, 0x1F6FEB);
	magi_image_draw_text(img, 1030, 654, "Submit", 3, 0xFFFFFF, 0, false);
	char label[32];
	snprintf(label, sizeof label, "screen %d", step);
	magi_image_draw_text(img, 12, 10, label, 3, 0xFFFFFF, 0, false);
	if (noisy) {
		for (uint32_t y = 300; y < 700; y++)
			for (uint32_t x = 300; x < 900; x++) {
				seed = seed * 1103515245u + 12345u;
				uint8_t *px = img->px + y * img->stride + x * 3;
				px[0] = (uint8_t)(seed >> 24);
				px[1] = (uint8_t)(seed >> 16);
				px[2] = (uint8_t)(seed >> 8);
			}
	}
	return img;
}

static void event(struct magi_trace *t, const char *type, json_t *ev)
{
	struct magi_error err;
	REQUIRE(ev != NULL);
	magi_status s = magi__trace_event_json(t, type, ev, &err);
	if (s)
		fprintf(stderr, "trace event %s: %s\n", type, err.msg);
	REQUIRE(s == MAGI_OK);
	json_decref(ev);
}

static const char *SCRIPT_THOUGHT = "The page says <script>alert(1)</script> & I will not run it";

/* The action of each step: kinds chosen to cover every mark the report draws. */
static json_t *action_of(int n)
{
	switch (n) {
	case 2: return json_pack("{s:s, s:s}", "action", "type", "text", "quarterly report\n");
	case 3: return json_pack("{s:s, s:s}", "action", "key", "keys", "ctrl+s");
	case 4: return json_pack("{s:s, s:s, s:i}", "action", "scroll", "direction", "down", "amount", 5);
	case 6: return json_pack("{s:s, s:i, s:i, s:i, s:i}", "action", "drag", "x", 300, "y", 200, "x2", 900, "y2", 500);
	case 7: return json_pack("{s:s, s:i, s:i, s:s}", "action", "type", "x", 700, "y", 120, "text", "Zo\xC3\xAB <b>&amp;</b>");
	case 9: return json_pack("{s:s, s:s}", "action", "scroll", "direction", "up");
	case 11: return json_pack("{s:s, s:i, s:i, s:i, s:i}", "action", "swipe", "x", 1100, "y", 600, "x2", 400, "y2", 600);
	case 12: return json_pack("{s:s, s:s}", "action", "key", "keys", "Return");
	case 13: return json_pack("{s:s, s:i, s:i}", "action", "double_click", "x", 500, "y", 300);
	case 15: return json_pack("{s:s, s:i, s:i}", "action", "right_click", "x", 640, "y", 420);
	case 16: return json_pack("{s:s, s:s, s:i}", "action", "scroll", "direction", "right", "amount", 3);
	case 18: return json_pack("{s:s, s:f}", "action", "wait", "seconds", 1.5);
	case 20: return json_pack("{s:s, s:b}", "action", "done", "success", 1);
	default: return json_pack("{s:s, s:i, s:i}", "action", "click", "x", 100 + n * 55, "y", 60 + n * 30);
	}
}
/* Marks those actions should draw. */
#define N_MARK_CLICK 9 /* 1 5 8 10 13 14 15 17 19 */
#define N_MARK_DRAG 2
#define N_MARK_TYPE 2
#define N_MARK_KEY 2
#define N_MARK_SCROLL 3
#define N_MARK_NOTE 2

static char *make_run(const char *root, const char *slug, int n_steps, bool finish)
{
	struct magi_error err;
	struct magi_trace *t = NULL;
	REQUIRE(magi_trace_open(root, slug, &t, &err) == MAGI_OK);
	event(t, "run_start", json_pack("{s:s, s:s, s:s, s:s, s:[s, s]}", "command", "run", "task",
					"Save the quarterly report as PDF and mail it to <finance>", "recipe",
					"mobile_agent_v2", "env", "x11::99", "models", "qwen2.5-vl-7b", "ui-tars-1.5"));
	/* a planning call before the first step, written the way the run loop does (no step) */
	struct magi_chat_result cr;
	memset(&cr, 0, sizeof cr);
	cr.content = (char *)"### Plan ###\n1. open the report\n2. export\n(see https://example.com/help.png)";
	cr.prompt_tokens = 812;
	cr.completion_tokens = 64;
	cr.n_images = 1;
	cr.attempts = 1;
	cr.latency_ms = 912.5;
	REQUIRE(magi_trace_call(t, "planning", "qwen2.5-vl-7b", &cr, &err) == MAGI_OK);
	for (int n = 1; n <= n_steps; n++) {
		char name[64], after[64];
		snprintf(name, sizeof name, "step-%03d.jpg", n);
		struct magi_image *img = screen(n, n == 3 || n == 11 || n == 14);
		REQUIRE(magi_trace_save_image(t, name, img, NULL, &err) == MAGI_OK);
		magi_image_free(img);
		json_t *act = action_of(n);
		const char *verdict = n == 8 ? "B" : n == 9 ? "C" : "A";
		event(t, "call", json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:f, s:i}", "role", "decision",
					   "model", "qwen2.5-vl-7b", "status", n == 10 ? "ERR_HTTP" : "ok", "content",
					   n == 4 ? "<tool_call>{\"x\": 1}</tool_call> <img src=x onerror=alert(2)>"
						  : "### Thought ###\nclick it\n### Action ###\n{...}",
					   "prompt_tokens", 1500 + n, "completion_tokens", 40 + n, "est_image_tokens", 1200,
					   "n_images", 1, "attempts", n == 10 ? 2 : 1, "latency_ms", 800.0 + n * 10, "step", n));
		if (n == 17)
			event(t, "guard", json_pack("{s:i, s:s, s:s, s:s}", "step", n, "decision", "deny", "category",
						    "send", "reason", "sending mail to an outside address needs a person"));
		else if (n % 5 == 0)
			event(t, "guard", json_pack("{s:i, s:s, s:s, s:s}", "step", n, "decision", n == 5 ? "ask" : "allow",
						    "category", "none", "reason", "ordinary click"));
		json_t *ev = json_pack("{s:i, s:s, s:i, s:i, s:o, s:o, s:s, s:s, s:f, s:f, s:f, s:f, s:i, s:i}", "step", n,
				       "image", name, "screen_w", SCREEN_W, "screen_h", SCREEN_H, "action", act,
				       "model_action", json_pack("{s:s, s:[i, i]}", "action", "click", "coordinate", 500, 500),
				       "thought", n == 4 ? SCRIPT_THOUGHT : "The Export button is in the toolbar; I click it.",
				       "operation", "Click the Export button", "observe_ms", 31.0, "ocr_ms", 180.0,
				       "overhead_ms", 6.5, "latency_ms", 850.0 + n * 10, "prompt_tokens", 1500 + n,
				       "completion_tokens", 40 + n);
		event(t, "step", ev);
		json_t *rf = json_pack("{s:i, s:s, s:s, s:s}", "step", n, "verdict", verdict, "meaning",
				       n == 8 ? "wrong page" : n == 9 ? "no change" : "as expected", "thought",
				       n == 8 || n == 9 ? "Nothing I wanted happened." : "The dialog opened.");
		if (n == 5 || n == n_steps) {
			snprintf(after, sizeof after, "step-%03d-after.jpg", n);
			struct magi_image *ai = screen(100 + n, false);
			REQUIRE(magi_trace_save_image(t, after, ai, NULL, &err) == MAGI_OK);
			magi_image_free(ai);
			json_object_set_new(rf, "image_after", json_string(after));
		}
		event(t, "reflection", rf);
		if (n % 4 == 0)
			event(t, "board", json_pack("{s:i, s:{s:s, s:s, s:[s]}}", "step", n, "board", "plan",
						    "1. open 2. export 3. mail", "progress", "exported", "notes",
						    "</pre><h1>not a heading</h1>"));
	}
	if (finish)
		event(t, "run_end", json_pack("{s:s, s:b, s:s, s:i, s:f, s:i, s:i}", "reason", "done", "success", 1,
					      "answer", "Mailed <report.pdf> to finance", "steps", n_steps, "wall_ms",
					      61234.0, "prompt_tokens", 33000, "completion_tokens", 1200));
	char *dir = strdup(magi_trace_dir(t));
	magi_trace_close(t);
	return dir;
}

static char *read_report(const char *dir, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/report.html", dir);
	struct magi_buf b;
	magi_buf_init(&b, 0);
	struct magi_error err;
	if (magi_file_read(path, &b, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		magi_buf_release(&b);
		return NULL;
	}
	return magi_buf_detach(&b, len);
}

/* No resource outside the page: every src/href is a data: URL or a #fragment. */
static void check_self_contained(const char *html)
{
	static const char *const attrs[] = {" src=\"", " href=\"", "url(", "@import", "<link", "<script", "<iframe",
					    "<object", "<embed"};
	for (size_t a = 0; a < 2; a++) {
		for (const char *p = html; (p = strstr(p, attrs[a])); p += strlen(attrs[a])) {
			const char *v = p + strlen(attrs[a]);
			bool ok = !strncmp(v, "data:image/", 11) || *v == '#';
			CHECK_MSG(ok, "outside reference: %.60s", p);
			if (!ok)
				break;
		}
	}
	for (size_t a = 2; a < ARRAY_LEN(attrs); a++)
		CHECK_MSG(!strstr(html, attrs[a]), "page has %s", attrs[a]);
	CHECK(!strstr(html, "src=\"http"));
	CHECK(!strstr(html, "href=\"http"));
	CHECK(!strstr(html, "src=\"//"));
}

/* ---- Chromium ----------------------------------------------------------------------------- */
static const char *chromium_path(void)
{
	static const char *const paths[] = {"/usr/bin/chromium", "/usr/lib/chromium/chromium",
					    "/usr/bin/chromium-browser"};
	for (size_t i = 0; i < ARRAY_LEN(paths); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* Runs headless Chromium on file://<html> with one extra mode flag (and a window size);
 * stdout into out. Chromium's stderr chatter (D-Bus, GPU) is sent to /dev/null. */
static bool chromium(const char *bin, const char *tmp, const char *html, const char *mode,
		     const char *size, struct magi_buf *out)
{
	char udd[4200], url[4200];
	snprintf(udd, sizeof udd, "--user-data-dir=%s/chromium-profile", tmp);
	snprintf(url, sizeof url, "file://%s", html);
	char *argv[20];
	int k = 0;
	argv[k++] = (char *)bin;
	argv[k++] = (char *)"--headless";
	argv[k++] = (char *)"--no-sandbox";
	argv[k++] = (char *)"--disable-gpu";
	argv[k++] = (char *)"--disable-quic";
	argv[k++] = (char *)"--no-first-run";
	argv[k++] = (char *)"--disable-background-networking";
	argv[k++] = (char *)"--disable-component-update";
	argv[k++] = (char *)"--disable-sync";
	argv[k++] = (char *)"--hide-scrollbars";
	argv[k++] = udd;
	argv[k++] = (char *)mode;
	if (size)
		argv[k++] = (char *)size;
	argv[k++] = url;
	argv[k] = NULL;
	struct magi_proc_result res;
	struct magi_error err;
	memset(&res, 0, sizeof res);
	fflush(stderr);
	int saved = dup(2), dn = open("/dev/null", O_WRONLY);
	if (dn >= 0) {
		dup2(dn, 2);
		close(dn);
	}
	magi_status s = magi__proc_run(argv, NULL, false, 256u << 20, 120000, &res, &err);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	bool ok = s == MAGI_OK && res.exit_code == 0 && !res.timed_out;
	if (!ok)
		fprintf(stderr, "chromium %s: status %d exit %d%s\n", mode, (int)s, res.exit_code,
			res.timed_out ? " (timed out)" : "");
	if (out) {
		*out = res.out;
	} else if (s == MAGI_OK) {
		magi_buf_release(&res.out);
	}
	return ok;
}

static void check_dom(const char *bin, const char *tmp, const char *html)
{
	struct magi_buf dom;
	REQUIRE(chromium(bin, tmp, html, "--dump-dom", NULL, &dom));
	CHECK_MSG(count(dom.data, "data-step=\"") == N_STEPS, "%zu steps in the DOM", count(dom.data, "data-step=\""));
	CHECK_MSG(count(dom.data, "<section class=\"step") == N_STEPS, "%zu step sections",
		  count(dom.data, "<section class=\"step"));
	CHECK(count(dom.data, "<section class=\"step denied\"") == 1);
	CHECK(count(dom.data, "<svg class=\"overlay") == N_STEPS);
	CHECK(count(dom.data, "<svg class=\"overlay denied\"") == 1);
	CHECK(count(dom.data, "mark-denied\"") == 1);
	CHECK_MSG(count(dom.data, "class=\"mark mark-click") == N_MARK_CLICK, "%zu clicks",
		  count(dom.data, "class=\"mark mark-click"));
	CHECK(count(dom.data, "class=\"mark mark-drag\"") == N_MARK_DRAG);
	CHECK(count(dom.data, "mark-type\"") == N_MARK_TYPE);
	CHECK(count(dom.data, "mark-key\"") == N_MARK_KEY);
	CHECK(count(dom.data, "class=\"mark mark-scroll\"") == N_MARK_SCROLL);
	CHECK(count(dom.data, "mark-note") == N_MARK_NOTE);
	CHECK(count(dom.data, "<img alt=\"screen before step") == N_STEPS);
	CHECK(count(dom.data, "class=\"pill verdict v-B\"") == 1);
	CHECK(count(dom.data, "class=\"pill verdict v-C\"") == 1);
	CHECK(count(dom.data, "class=\"guard g-deny\"") == 1);
	CHECK(count(dom.data, "<details class=\"call\"") == N_STEPS + 1);
	/* the model's markup stayed text: no script or stray element was parsed out of it */
	CHECK(!strstr(dom.data, "<script"));
	CHECK(!strstr(dom.data, "onerror=\"alert"));
	CHECK(!strstr(dom.data, "<h1>not a heading"));
	CHECK_CONTAINS(dom.data, "&lt;script&gt;alert(1)&lt;/script&gt;");
	magi_buf_release(&dom);
}

/* Loads a PNG screenshot; NULL (with a failed check) when it is missing. */
static struct magi_image *shot(const char *bin, const char *tmp, const char *html, const char *size)
{
	char arg[8500], png[8400];
	snprintf(png, sizeof png, "%s/shot.png", tmp);
	unlink(png);
	snprintf(arg, sizeof arg, "--screenshot=%s", png);
	CHECK(chromium(bin, tmp, html, arg, size, NULL));
	struct magi_image *img = NULL;
	struct magi_error err;
	CHECK_MSG(magi_image_load(png, &img, &err) == MAGI_OK, "%s", err.msg);
	return img;
}

static void check_screenshot(const char *bin, const char *tmp, const char *html)
{
	struct magi_image *img = shot(bin, tmp, html, "--window-size=1280,2000");
	if (!img)
		return;
	CHECK(img->w == 1280 && img->h == 2000);
	/* not one colour: count coarse colours and how much of the page is not background */
	static uint8_t seen[4096];
	memset(seen, 0, sizeof seen);
	size_t colours = 0, dark = 0;
	for (uint32_t y = 0; y < img->h; y++)
		for (uint32_t x = 0; x < img->w; x++) {
			const uint8_t *px = img->px + y * img->stride + x * 3;
			unsigned key = (px[0] >> 4) << 8 | (px[1] >> 4) << 4 | px[2] >> 4;
			if (!seen[key]) {
				seen[key] = 1;
				colours++;
			}
			dark += px[0] + px[1] + px[2] < 300;
		}
	CHECK_MSG(colours > 50, "%zu colours", colours);
	CHECK_MSG(dark > 5000, "%zu dark pixels", dark);
	magi_image_free(img);
}

/* A one-step run whose screenshot (a flat green 640x360 PNG) is half the screen's size
 * (1280x720): the click at (960, 180) must be drawn 3/4 across and 1/4 down the image as
 * the browser shows it, whatever size that is. */
static void check_click_geometry(const char *bin, const char *tmp, const char *root)
{
	struct magi_error err;
	struct magi_trace *t = NULL;
	REQUIRE(magi_trace_open(root, "geometry", &t, &err) == MAGI_OK);
	struct magi_image *img = NULL;
	REQUIRE(magi_image_new(640, 360, &img) == MAGI_OK);
	magi_image_fill_rect(img, 0, 0, 640, 360, 0x00B400);
	REQUIRE(magi_trace_save_image(t, "step-001.png", img, NULL, &err) == MAGI_OK);
	magi_image_free(img);
	event(t, "step", json_pack("{s:i, s:s, s:i, s:i, s:{s:s, s:i, s:i}}", "step", 1, "image", "step-001.png",
				   "screen_w", 1280, "screen_h", 720, "action", "action", "click", "x", 960, "y", 180));
	char dir[4096], html[4200];
	snprintf(dir, sizeof dir, "%s", magi_trace_dir(t));
	magi_trace_close(t);
	REQUIRE(magi_trace_write_report(dir, &err) == MAGI_OK);
	snprintf(html, sizeof html, "%s/report.html", dir);
	img = shot(bin, tmp, html, "--window-size=1280,1000");
	if (!img)
		return;
	long gx0 = 1 << 30, gy0 = 1 << 30, gx1 = -1, gy1 = -1;
	double rx = 0, ry = 0;
	long nr = 0;
	for (uint32_t y = 0; y < img->h; y++)
		for (uint32_t x = 0; x < img->w; x++) {
			const uint8_t *px = img->px + y * img->stride + x * 3;
			if (px[1] > 140 && px[0] < 80 && px[2] < 80) {
				gx0 = MIN_(gx0, (long)x);
				gy0 = MIN_(gy0, (long)y);
				gx1 = MAX_(gx1, (long)x);
				gy1 = MAX_(gy1, (long)y);
			}
			if (px[0] > 170 && px[1] < 90 && px[2] > 30 && px[2] < 150) {
				rx += x;
				ry += y;
				nr++;
			}
		}
	REQUIRE(gx1 > gx0 + 100 && gy1 > gy0 + 50);
	CHECK_MSG(nr > 50, "%ld ring pixels", nr);
	if (nr > 50) {
		double fx = (rx / nr - gx0) / (double)(gx1 - gx0 + 1), fy = (ry / nr - gy0) / (double)(gy1 - gy0 + 1);
		CHECK_MSG(fx > 0.735 && fx < 0.765 && fy > 0.235 && fy < 0.265,
			  "the click is drawn at %.3f, %.3f of the image, not 0.75, 0.25 (image %ld,%ld-%ld,%ld)", fx,
			  fy, gx0, gy0, gx1, gy1);
	}
	magi_image_free(img);
}

/* ---- traces cut short -------------------------------------------------------------------- */
static void check_torn(const char *root)
{
	struct magi_error err;
	char *dir = make_run(root, "torn", 3, false);
	struct magi_trace *t = NULL;
	REQUIRE(magi_trace_reopen(dir, &t, &err) == MAGI_OK);
	/* the decision of step 4 was denied, then the run was killed in the middle of a line */
	event(t, "guard", json_pack("{s:i, s:s, s:s, s:s}", "step", 4, "decision", "deny", "category", "delete",
				    "reason", "rm -rf"));
	magi_trace_close(t);
	char path[4200];
	snprintf(path, sizeof path, "%s/trace.jsonl", dir);
	FILE *f = fopen(path, "a");
	REQUIRE(f != NULL);
	fputs("{\"seq\":99,\"type\":\"step\",\"step\":4,\"image\":\"step-004.jpg\",\"acti", f);
	fclose(f);
	CHECK(magi_trace_write_report(dir, &err) == MAGI_OK);
	size_t len = 0;
	char *html = read_report(dir, &len);
	REQUIRE(html != NULL);
	CHECK(count(html, "data-step=\"") == 4);
	CHECK(count(html, "class=\"step\"") == 3);
	CHECK(count(html, "class=\"step partial denied\"") == 1);
	CHECK(count(html, "<img alt=\"screen before step") == 3);
	CHECK_CONTAINS(html, "unfinished");
	CHECK_CONTAINS(html, "rm -rf");
	check_self_contained(html);
	free(html);
	free(dir);

	/* an empty trace still gets a page; a missing one is an error, not a crash */
	struct magi_trace *e = NULL;
	REQUIRE(magi_trace_open(root, "empty", &e, &err) == MAGI_OK);
	char edir[4096];
	snprintf(edir, sizeof edir, "%s", magi_trace_dir(e));
	magi_trace_close(e);
	CHECK(magi_trace_write_report(edir, &err) == MAGI_OK);
	html = read_report(edir, &len);
	CHECK(html && strstr(html, "no steps"));
	free(html);
	char missing[4200];
	snprintf(missing, sizeof missing, "%s/no-such-run", root);
	CHECK(magi_trace_write_report(missing, &err) != MAGI_OK);
	CHECK(magi_trace_write_report(NULL, &err) == MAGI_ERR_INVALID);
}

/* A video run: no steps, evidence with times and a frame, one call, an answer. */
static void check_video(const char *root)
{
	struct magi_error err;
	struct magi_trace *t = NULL;
	REQUIRE(magi_trace_open(root, "video", &t, &err) == MAGI_OK);
	event(t, "run_start", json_pack("{s:s, s:s, s:s}", "command", "video", "task", "What colour is the car at the end?",
					"env", "video:/data/clip.mp4"));
	struct magi_image *img = screen(7, false);
	REQUIRE(magi_trace_save_image(t, "frame-0012.jpg", img, NULL, &err) == MAGI_OK);
	magi_image_free(img);
	event(t, "evidence", json_pack("{s:f, s:f, s:s, s:s}", "start", 12.5, "end", 15.0, "description",
				       "a red car drives in", "image", "frame-0012.jpg"));
	event(t, "evidence", json_pack("{s:f, s:f, s:s}", "start", 75.0, "end", 80.2, "description", "it parks"));
	struct magi_chat_result cr;
	memset(&cr, 0, sizeof cr);
	cr.content = (char *)"Answer: red";
	cr.latency_ms = 2000;
	REQUIRE(magi_trace_call(t, "answer", "qwen2.5-vl-7b", &cr, &err) == MAGI_OK);
	event(t, "run_end", json_pack("{s:s, s:b, s:s}", "reason", "answered", "success", 1, "answer", "red"));
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", magi_trace_dir(t));
	magi_trace_close(t);
	CHECK(magi_trace_write_report(dir, &err) == MAGI_OK);
	size_t len = 0;
	char *html = read_report(dir, &len);
	REQUIRE(html != NULL);
	CHECK(count(html, "<tr class=\"ev\">") == 2);
	CHECK_CONTAINS(html, "0:12.5\xE2\x80\x93" "0:15.0");
	CHECK_CONTAINS(html, "1:15.0\xE2\x80\x93" "1:20.2");
	CHECK(count(html, "src=\"data:image/jpeg;base64,") == 1);
	CHECK_CONTAINS(html, "<h2>Model calls</h2>");
	CHECK(count(html, "data-step=") == 0);
	check_self_contained(html);
	free(html);
}

/* Events with wrong types, absurd numbers and paths out of the run directory: a page, no
 * crash, nothing read from outside the run. */
static void check_hostile(const char *root)
{
	static const char *const lines[] = {
		"{\"type\":\"run_start\",\"task\":7,\"models\":[{\"name\":\"m\",\"role\":\"r\"},3,null]}",
		"{\"type\":\"step\",\"step\":\"x\",\"action\":[1,2],\"screen_w\":-5,\"image\":\"../../../etc/passwd\"}",
		"{\"type\":\"step\",\"step\":2,\"action\":{\"action\":\"click\",\"x\":1e300,\"y\":-1e300},"
		"\"screen_w\":1e308,\"screen_h\":2,\"image\":\"trace.jsonl\"}",
		"{\"type\":\"step\",\"step\":3,\"action\":{\"action\":\"drag\",\"x\":5,\"y\":5,\"x2\":5,\"y2\":5},"
		"\"screen_w\":10,\"screen_h\":10,\"image\":5}",
		"{\"type\":\"step\",\"step\":4,\"action\":{\"action\":\"type\",\"text\":\"\\u0001\\u4e2d\\u6587\\ud83d\\ude00\"},"
		"\"screen_w\":100,\"screen_h\":100,\"image\":\"/etc/passwd\"}",
		"{\"type\":\"reflection\",\"verdict\":null,\"image_after\":\"a/../../x.png\"}",
		"{\"type\":\"guard\",\"step\":99999999999}",
		"{\"type\":\"call\",\"step\":1.5,\"content\":null,\"latency_ms\":\"slow\"}",
		"{\"type\":\"board\",\"board\":null}",
		"{\"type\":\"evidence\",\"start\":\"x\",\"end\":-4}",
		"{\"type\":\"run_end\",\"success\":\"yes\",\"steps\":\"many\",\"wall_ms\":-1}",
		"{\"type\":\"call\",\"step\":2,\"status\":\"ok\",\"parse_error\":\"no JSON <object>\"}",
		"{\"type\":\"step\",\"step\":5,\"action\":null,\"model_action\":null,\"error\":\"env <died>\"}",
		"{\"type\":42}",
		"{}",
	};
	char dir[4200], path[4300];
	snprintf(dir, sizeof dir, "%s/hostile", root);
	REQUIRE(mkdir(dir, 0755) == 0);
	snprintf(path, sizeof path, "%s/trace.jsonl", dir);
	FILE *f = fopen(path, "w");
	REQUIRE(f != NULL);
	for (size_t i = 0; i < ARRAY_LEN(lines); i++)
		fprintf(f, "%s\n", lines[i]);
	fclose(f);
	struct magi_error err;
	CHECK_MSG(magi_trace_write_report(dir, &err) == MAGI_OK, "%s", err.msg);
	size_t len = 0;
	char *html = read_report(dir, &len);
	REQUIRE(html != NULL);
	CHECK(count(html, "not a path inside the run directory") == 3);
	CHECK_CONTAINS(html, "not a PNG or JPEG image");
	CHECK(!strstr(html, "root:"));
	CHECK(count(html, "data-step=") == 6); /* 5 steps and the guard's step */
	CHECK_CONTAINS(html, "could not parse the reply: no JSON &lt;object&gt;");
	CHECK_CONTAINS(html, "env &lt;died&gt;");
	static const char *const nonnum[] = {"nan\"", "inf\"", "nan ", "inf ", "nan,", "inf,", "nan<", "inf<"};
	for (size_t i = 0; i < ARRAY_LEN(nonnum); i++)
		CHECK_MSG(!strstr(html, nonnum[i]), "page has %s", nonnum[i]);
	check_self_contained(html);
	free(html);
}

static void cleanup(const char *root)
{
	if (getenv("MAGI_REPORT_KEEP")) {
		printf("kept %s\n", root);
		return;
	}
	char *argv[] = {(char *)"rm", (char *)"-rf", (char *)root, NULL};
	struct magi_proc_result res;
	struct magi_error err;
	if (magi__proc_run(argv, NULL, true, 1 << 16, 60000, &res, &err) == MAGI_OK)
		magi_buf_release(&res.out);
}

int main(void)
{
	char root[] = "/tmp/magi-report-XXXXXX";
	REQUIRE(mkdtemp(root) != NULL);
	struct magi_error err;

	char *dir = make_run(root, "report test", N_STEPS, true);
	magi_status s = magi_trace_write_report(dir, &err);
	CHECK_MSG(s == MAGI_OK, "%s", magi_error_text(&err));
	size_t len = 0;
	char *html = read_report(dir, &len);
	REQUIRE(html != NULL);
	printf("report of a %d-step run: %zu bytes (%s/report.html)\n", N_STEPS, len, dir);
	CHECK_MSG(len < 2u * 1024 * 1024, "%zu bytes", len);
	CHECK_MSG(len > 20u * 1024, "%zu bytes", len);
	check_self_contained(html);
	CHECK(!strstr(html, "http://"));
	CHECK_MSG(count(html, "https://") == 1, "%zu https", count(html, "https://")); /* the model's text */
	CHECK(count(html, "<img alt=\"screen before step") == N_STEPS);
	CHECK(count(html, "src=\"data:image/") == N_STEPS + 2); /* + two "screen after" thumbnails */
	CHECK(!strstr(html, "class=\"noimg\""));
	CHECK(count(html, "data-step=\"") == N_STEPS);
	CHECK_CONTAINS(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; I will not run it");
	CHECK_CONTAINS(html, "&lt;img src=x onerror=alert(2)&gt;");
	CHECK_CONTAINS(html, "Save the quarterly report as PDF and mail it to &lt;finance&gt;");
	CHECK_CONTAINS(html, "viewBox=\"0 0 1280 720\"");
	CHECK_CONTAINS(html, "succeeded");
	CHECK_CONTAINS(html, "Model calls before the first step");
	/* the noisy screenshots were re-encoded: no data URL is longer than 120 KB in base64 */
	for (const char *p = html; (p = strstr(p, "base64,")); p += 7)
		CHECK_MSG(strcspn(p, "\"") < 120u * 1024 * 4 / 3 + 16, "an image of %zu base64 bytes",
			  strcspn(p, "\""));

	check_torn(root);
	check_video(root);
	check_hostile(root);

	const char *bin = chromium_path();
	if (!bin) {
		if (check_fail_)
			return check_done();
		cleanup(root);
		SKIP("no chromium to render the report (apt-get install chromium)");
	}
	char path[4200];
	snprintf(path, sizeof path, "%s/report.html", dir);
	check_dom(bin, root, path);
	check_screenshot(bin, root, path);
	check_click_geometry(bin, root, root);
	free(html);
	free(dir);
	int rc = check_done();
	if (!rc)
		cleanup(root);
	return rc;
}
