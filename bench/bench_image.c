/* bench_image.c — the per-step image path on a synthetic 1280x720 screenshot: resize to
 * the model's size, JPEG encode, data URL, and the one-pass model image
 * (magi_image_prepare: resize bands straight into libjpeg-turbo with its fast DCT, then
 * base64 into the request body) beside the path it replaced (a resized copy, JPEG with the
 * accurate DCT, a data URL string copied into the body; its resize is today's kernel, so the
 * ratio shows what the one pass saves, not the kernels' own gain). Nothing is read from
 * disk. Prints the median (and min/max) of N runs of each, in milliseconds.
 * Usage: bench_image [runs]   (default 50)
 *        bench_image --only prepare|old   (one step's image, for valgrind --tool=callgrind) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "magi/vision.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A desktop-like picture: title bar, sidebar, panels with text, buttons, a photo-ish
 * gradient, so both flat areas and detail are there as in real screenshots. */
static struct magi_image *screenshot(void)
{
	struct magi_image *img = NULL;
	if (magi_image_new(1280, 720, &img))
		return NULL;
	magi_image_fill_rect(img, 0, 0, 1280, 720, 0xF3F3F3);
	magi_image_fill_rect(img, 0, 0, 1280, 36, 0x2B2B2B);
	magi_image_draw_text(img, 12, 8, "magi bench - Settings - Account", 2, 0xFFFFFF, 0, false);
	magi_image_fill_rect(img, 0, 36, 220, 684, 0xE6E6E6);
	static const char *side[] = {"General", "Account", "Privacy", "Network", "Display", "Sound",
				     "Keyboard", "About"};
	for (int i = 0; i < 8; i++)
		magi_image_draw_text(img, 16, 60 + 40 * i, side[i], 2, i == 1 ? 0x0055CC : 0x222222, 0,
				     false);
	for (int p = 0; p < 3; p++) {
		int y = 60 + 200 * p;
		magi_image_fill_rect(img, 250, y, 700, 180, 0xFFFFFF);
		magi_image_draw_rect(img, 250, y, 700, 180, 1, 0xCCCCCC);
		for (int l = 0; l < 6; l++) {
			char line[96];
			snprintf(line, sizeof line, "Option %d.%d: the quick brown fox jumps over the lazy dog", p,
				 l);
			magi_image_draw_text(img, 266, y + 14 + 26 * l, line, 2, 0x333333, 0, false);
		}
		magi_image_fill_rect(img, 830, y + 130, 100, 34, 0x2060C0);
		magi_image_draw_text(img, 846, y + 138, "Apply", 2, 0xFFFFFF, 0, false);
	}
	/* a photo-like gradient with a little texture */
	for (uint32_t y = 60; y < 660; y++)
		for (uint32_t x = 980; x < 1260; x++) {
			uint8_t *px = img->px + (size_t)y * img->stride + 3 * x;
			unsigned n = (x * 7919u + y * 104729u) % 17u;
			px[0] = (uint8_t)(x / 5 + n);
			px[1] = (uint8_t)(y / 3 + n);
			px[2] = (uint8_t)(180 - y / 6 + n);
		}
	magi_image_draw_circle(img, 1120, 360, 60, 0, 0xFFCC00);
	return img;
}

struct stats {
	double med, min, max;
};

static struct stats summarize(double *t, int n)
{
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	struct stats s = {n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2, t[0], t[n - 1]};
	return s;
}

static void row(const char *what, struct stats s, const char *out)
{
	printf("%-38s %8.2f %8.2f %8.2f   %s\n", what, s.med, s.min, s.max, out);
}

/* The step's image into a request body the way chat.c did before issue 15. */
static int old_path(const struct magi_image *img, const struct magi_image_policy *pol,
		    struct magi_buf *body, struct magi_error *err)
{
	uint32_t w, h;
	magi_image_policy_fit(pol, img->w, img->h, &w, &h);
	struct magi_image *r = NULL;
	struct magi_buf url;
	magi_buf_init(&url, 0);
	if (magi_image_resize(img, w, h, &r) || magi_image_data_url(r, pol->jpeg_quality, &url, err))
		return 1;
	magi_buf_puts(body, url.data);
	magi_buf_release(&url);
	magi_image_free(r);
	return 0;
}

/* ... and the way it does now: one pass to JPEG, base64 written into the body. */
static int new_path(const struct magi_image *img, const struct magi_image_policy *pol,
		    struct magi_buf *body, struct magi_buf *jpg, struct magi_error *err)
{
	magi_buf_reset(jpg);
	if (magi_image_prepare(img, pol, jpg, NULL, NULL, err))
		return 1;
	magi_buf_puts(body, "data:image/jpeg;base64,");
	return magi_base64_encode(jpg->data, jpg->len, body) != MAGI_OK;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--only") == 0) {
		struct magi_image *img = screenshot();
		struct magi_image_policy pol = magi_image_policy_default();
		struct magi_buf body, jpg;
		magi_buf_init(&body, 0);
		magi_buf_init(&jpg, 0);
		struct magi_error err;
		int rc = !img ? 1
			 : strcmp(argv[2], "old") == 0 ? old_path(img, &pol, &body, &err)
			 : strcmp(argv[2], "prepare") == 0 ? new_path(img, &pol, &body, &jpg, &err)
							   : 2;
		printf("%zu body bytes\n", body.len);
		magi_buf_release(&body);
		magi_buf_release(&jpg);
		magi_image_free(img);
		return rc;
	}
	int runs = argc > 1 ? atoi(argv[1]) : 50;
	if (runs < 1 || runs > 100000)
		runs = 50;
	struct magi_image *img = screenshot();
	if (!img) {
		fprintf(stderr, "bench_image: cannot allocate the test image\n");
		return 1;
	}
	double *t = malloc(sizeof *t * (size_t)runs);
	if (!t)
		return 1;
	struct magi_image_policy pol = magi_image_policy_default();
	uint32_t qw, qh;
	magi_image_policy_fit(&pol, img->w, img->h, &qw, &qh);
	struct magi_image_policy small = pol;
	small.max_pixels = 560000; /* a ~1000x560 budget: a real downscale */
	uint32_t sw, sh;
	magi_image_policy_fit(&small, img->w, img->h, &sw, &sh);
	struct magi_error err;
	char out[96];

	printf("magi image path, 1280x720 synthetic screenshot, %d runs (ms)\n", runs);
	printf("%-38s %8s %8s %8s   %s\n", "operation", "median", "min", "max", "output");

	const uint32_t sizes[][2] = {{qw, qh}, {sw, sh}, {640, 360}};
	const char *names[] = {"resize to QWEN default fit", "resize to QWEN 560k-pixel fit",
			       "resize to 640x360 (2x down)"};
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < runs; i++) {
			struct magi_image *r = NULL;
			double t0 = magi_now_ms();
			if (magi_image_resize(img, sizes[k][0], sizes[k][1], &r))
				return 1;
			t[i] = magi_now_ms() - t0;
			magi_image_free(r);
		}
		snprintf(out, sizeof out, "%ux%u, %u tokens", sizes[k][0], sizes[k][1],
			 magi_image_policy_tokens(&pol, sizes[k][0], sizes[k][1]));
		row(names[k], summarize(t, runs), out);
	}

	struct magi_buf b;
	magi_buf_init(&b, 0);
	size_t jpeg_len = 0;
	for (int i = 0; i < runs; i++) {
		magi_buf_reset(&b);
		double t0 = magi_now_ms();
		if (magi_image_encode_jpeg(img, 80, &b, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		t[i] = magi_now_ms() - t0;
		jpeg_len = b.len;
	}
	snprintf(out, sizeof out, "%zu bytes", jpeg_len);
	row("JPEG q80 encode 1280x720", summarize(t, runs), out);

	size_t url_len = 0;
	for (int i = 0; i < runs; i++) {
		magi_buf_reset(&b);
		double t0 = magi_now_ms();
		if (magi_image_data_url(img, 80, &b, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		t[i] = magi_now_ms() - t0;
		url_len = b.len;
	}
	snprintf(out, sizeof out, "%zu chars", url_len);
	row("data URL (JPEG q80 + base64) 1280x720", summarize(t, runs), out);

	/* the whole per-step path for the default policy */
	for (int i = 0; i < runs; i++) {
		magi_buf_reset(&b);
		struct magi_image *r = NULL;
		double t0 = magi_now_ms();
		if (magi_image_resize(img, qw, qh, &r) || magi_image_data_url(r, pol.jpeg_quality, &b, &err))
			return 1;
		t[i] = magi_now_ms() - t0;
		magi_image_free(r);
		url_len = b.len;
	}
	snprintf(out, sizeof out, "%zu chars, q%d", url_len, pol.jpeg_quality);
	row("resize + data URL, default policy", summarize(t, runs), out);

	/* the step's image into a request body: before and after, in the same run */
	struct magi_buf jpg;
	magi_buf_init(&jpg, 0);
	double old_med = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < runs; i++) {
			magi_buf_reset(&b);
			double t0 = magi_now_ms();
			if (pass ? new_path(img, &pol, &b, &jpg, &err) : old_path(img, &pol, &b, &err))
				return 1;
			t[i] = magi_now_ms() - t0;
			url_len = b.len;
		}
		struct stats st = summarize(t, runs);
		if (pass == 0)
			old_med = st.med;
		snprintf(out, sizeof out, "%zu chars%s", url_len, "");
		if (pass)
			snprintf(out, sizeof out, "%zu chars, %.1fx faster", url_len, old_med / st.med);
		row(pass ? "body image: prepare + base64 (now)" : "body image: copy, data URL (old way)", st,
		    out);
	}
	magi_buf_release(&jpg);

	size_t png_len = 0;
	for (int i = 0; i < runs; i++) {
		magi_buf_reset(&b);
		double t0 = magi_now_ms();
		if (magi_image_encode_png(img, &b, &err))
			return 1;
		t[i] = magi_now_ms() - t0;
		png_len = b.len;
	}
	snprintf(out, sizeof out, "%zu bytes", png_len);
	row("PNG encode 1280x720 (level 1)", summarize(t, runs), out);

	magi_buf_release(&b);
	magi_image_free(img);
	free(t);
	return 0;
}
