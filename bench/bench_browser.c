/* bench_browser.c — magi's own time per browser step, model excluded: observe (screenshot
 * capture and decode, the DOM snapshot and its element list), guard (what a run does with the
 * list: the DOM text as OCR input, the PII scan and redaction, injection marking, the
 * numbered element lines of the prompt), encode (resize to the default model policy and JPEG
 * data URL, as a model call would) and act (a click, or typing), on the
 * test site's input page in real Chromium, 1280x720. Median over 20 steps of
 *   wall  the time the step took (Chromium's own work — capture, layout — included), and
 *   cpu   the CPU time of this process (both its threads) in that step: magi's own work;
 * plus the time to open the browser and take the first observation, and this process's
 * peak RSS (Chromium's processes apart). Target (issue 12): <= 30 ms per step, <= 30 MB.
 * `bench_browser PAGE` measures another page of the test site (e.g. shop.html, which has
 * a link: its listeners are looked up each step); on a page without the input page's text
 * field the steps scroll down and up instead of clicking and typing.
 * Needs Chromium and python3 (the test site); exits 77 without them. */
#include <sys/resource.h>
#include "../tests/browser/browser_test.h"
#include "bench_util.h"

#define STEPS 20

static double cpu_ms(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return u.ru_utime.tv_sec * 1e3 + u.ru_utime.tv_usec / 1e3 + u.ru_stime.tv_sec * 1e3 + u.ru_stime.tv_usec / 1e3;
}

int main(int argc, char **argv)
{
	bt_setup();
	const char *page = argc > 1 ? argv[1] : "input.html";
	struct magi_browser_params p = magi_browser_params_default();
	p.url = bt_url(page);
	p.allow_url = bt_allow;
	struct magi_env *env = NULL;
	struct magi_error err;
	double t0 = magi_now_ms();
	if (magi_env_open_browser(&p, &env, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	double t_open = magi_now_ms() - t0;
	struct magi_obs o = {0};
	bt_observe(env, &o);
	double t_first = magi_now_ms() - t0;
	const struct magi_element *field = bt_find(&o, "textbox", "Text");
	char click[128];
	if (field)
		snprintf(click, sizeof click, "{\"action\":\"click\",\"x\":%d,\"y\":%d}", field->x + field->w / 2,
			 field->y + field->h / 2);
	struct magi_image_policy pol = magi_image_policy_default();
	double wall[STEPS], cpu[STEPS], obs_w[STEPS], obs_c[STEPS], grd[STEPS], enc[STEPS], act_w[STEPS], act_c[STEPS];
	size_t n_el = 0;
	for (int i = 0; i < STEPS; i++) {
		double w0 = magi_now_ms(), c0 = cpu_ms();
		bt_observe(env, &o);
		double w1 = magi_now_ms(), c1 = cpu_ms();
		struct magi_ocr *dom = NULL;
		struct magi_pii_finding *pii = NULL;
		struct magi_injection_region *inj = NULL;
		size_t n_pii = 0, n_inj = 0;
		REQUIRE(magi_guard_dom_ocr(o.elements, o.n_elements, true, &dom) == MAGI_OK);
		REQUIRE(magi_pii_scan_image(o.screenshot, dom, NULL, &pii, &n_pii) == MAGI_OK);
		REQUIRE(magi_injection_scan(dom, NULL, &inj, &n_inj) == MAGI_OK);
		if (n_pii) {
			struct magi_image *red = NULL;
			REQUIRE(magi_image_clone(o.screenshot, &red) == MAGI_OK);
			magi_guard_redact_image(red, pii, n_pii, 4);
			magi_image_free(red);
		}
		struct magi_buf lines;
		magi_buf_init(&lines, 0);
		REQUIRE(magi_guard_element_lines(o.elements, o.n_elements, NULL, inj, n_inj, NULL, 150, &lines) == MAGI_OK);
		magi_buf_release(&lines);
		magi_pii_findings_free(pii, n_pii);
		magi_injection_regions_free(inj, n_inj);
		magi_ocr_free(dom);
		double c1g = cpu_ms();
		uint32_t sw, sh;
		magi_image_policy_fit(&pol, o.screenshot->w, o.screenshot->h, &sw, &sh);
		struct magi_image *small = NULL;
		struct magi_buf url;
		magi_buf_init(&url, 0);
		REQUIRE(magi_image_resize(o.screenshot, sw, sh, &small) == MAGI_OK);
		REQUIRE(magi_image_data_url(small, pol.jpeg_quality, &url, &err) == MAGI_OK);
		magi_image_free(small);
		magi_buf_release(&url);
		double w2 = magi_now_ms(), c2 = cpu_ms();
		if (!field)
			bt_do(env, "{\"action\":\"scroll\",\"direction\":\"%s\",\"amount\":1}", i % 2 ? "up" : "down");
		else if (i % 2 == 0)
			bt_do(env, "%s", click);
		else
			bt_do(env, "{\"action\":\"type\",\"text\":\"step %d \"}", i);
		double w3 = magi_now_ms(), c3 = cpu_ms();
		n_el = o.n_elements;
		wall[i] = w3 - w0;
		cpu[i] = c3 - c0;
		obs_w[i] = w1 - w0;
		obs_c[i] = c1 - c0;
		grd[i] = c1g - c1;
		enc[i] = c2 - c1g;
		act_w[i] = w3 - w2;
		act_c[i] = c3 - c2;
	}
	magi_obs_release(&o);
	magi_env_close(env);
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	printf("browser step, %s, 1280x720, %zu elements, median of %d steps (target <= 30 ms of magi's own time):\n",
	       page, n_el, STEPS);
	printf("  magi's own time (CPU, both threads): %6.1f ms per step  [observe %.1f, guard %.1f, encode %.1f, act %.1f]\n",
	       bench_median(cpu, STEPS), bench_median(obs_c, STEPS), bench_median(grd, STEPS), bench_median(enc, STEPS),
	       bench_median(act_c, STEPS));
	printf("  wall time (Chromium's work too):     %6.1f ms per step  [observe %.1f, act %.1f]\n",
	       bench_median(wall, STEPS), bench_median(obs_w, STEPS), bench_median(act_w, STEPS));
	printf("  open (Chromium start) %.0f ms, first observation at %.0f ms\n", t_open, t_first);
	printf("  peak RSS of this process (Chromium apart): %.1f MB (target <= 30 MB)\n", u.ru_maxrss / 1024.0);
	return 0;
}
