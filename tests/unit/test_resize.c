/* test_resize.c — the resize kernels (16-bit vertical pass, SSE2 horizontal pairs and their
 * scalar tails) against a plain double-precision reference of the documented filter at many
 * ratios, and the one-pass model image (magi_image_prepare) against resize + JPEG. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "magi/vision.h"

static struct magi_image *noise(uint32_t w, uint32_t h, unsigned seed)
{
	struct magi_image *img = NULL;
	REQUIRE(magi_image_new(w, h, &img) == MAGI_OK);
	unsigned s = seed * 2654435761u + 1;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w * 3; x++) {
			s = s * 1103515245u + 12345u;
			img->px[(size_t)y * img->stride + x] = (uint8_t)(s >> 16);
		}
	return img;
}

/* Weights of output i over the source, as magi/vision.h documents: area average down,
 * bilinear with aligned centres up. Writes into wt[src], returns nothing. */
static void weights(uint32_t src, uint32_t dst, uint32_t i, double *wt)
{
	memset(wt, 0, src * sizeof *wt);
	double scale = (double)src / dst;
	if (scale >= 1) {
		double lo = i * scale, hi = (i + 1) * scale;
		for (uint32_t k = (uint32_t)floor(lo); k < src && k < hi; k++) {
			double a = fmax(lo, k), b = fmin(hi, k + 1.0);
			if (b > a)
				wt[k] = (b - a) / scale;
		}
	} else {
		double c = fmax((i + 0.5) * scale - 0.5, 0);
		uint32_t f = (uint32_t)floor(c);
		if (f >= src - 1) {
			wt[src - 1] = 1;
		} else {
			wt[f] = 1 - (c - f);
			wt[f + 1] = c - f;
		}
	}
}

/* The largest difference between magi_image_resize and the reference, over all samples. */
static int max_error(const struct magi_image *src, uint32_t w, uint32_t h)
{
	struct magi_image *r = NULL;
	REQUIRE(magi_image_resize(src, w, h, &r) == MAGI_OK);
	double *wx = malloc(src->w * sizeof *wx), *wy = malloc(src->h * sizeof *wy);
	double *mid = malloc((size_t)src->h * 3 * sizeof *mid);
	REQUIRE(wx && wy && mid);
	int worst = 0;
	for (uint32_t x = 0; x < w; x++) {
		weights(src->w, w, x, wx);
		for (uint32_t sy = 0; sy < src->h; sy++)
			for (int c = 0; c < 3; c++) {
				double v = 0;
				for (uint32_t sx = 0; sx < src->w; sx++)
					if (wx[sx] != 0)
						v += wx[sx] * src->px[(size_t)sy * src->stride + 3 * sx + c];
				mid[3 * sy + c] = v;
			}
		for (uint32_t y = 0; y < h; y++) {
			weights(src->h, h, y, wy);
			for (int c = 0; c < 3; c++) {
				double v = 0;
				for (uint32_t sy = 0; sy < src->h; sy++)
					v += wy[sy] * mid[3 * sy + c];
				int want = (int)lround(v);
				int got = r->px[(size_t)y * r->stride + 3 * x + c];
				if (abs(got - want) > worst)
					worst = abs(got - want);
			}
		}
	}
	free(wx);
	free(wy);
	free(mid);
	magi_image_free(r);
	return worst;
}

static void test_against_reference(void)
{
	/* up and down, odd and even tap counts, near 1:1 (the default policy's 1280 -> 1288),
	 * single rows and columns, and more than 16 rows per output (the 32-bit vertical pass) */
	static const uint32_t from[][2] = {{97, 61}, {160, 90}, {64, 40}, {33, 5}};
	static const uint32_t to[][2] = {{98, 62}, {160, 91}, {48, 30}, {31, 20}, {70, 50},
					 {200, 130}, {1, 1},   {3, 97},	  {97, 1},   {13, 3}};
	for (size_t a = 0; a < sizeof from / sizeof from[0]; a++) {
		struct magi_image *src = noise(from[a][0], from[a][1], (unsigned)a + 3);
		for (size_t b = 0; b < sizeof to / sizeof to[0]; b++) {
			int e = max_error(src, to[b][0], to[b][1]);
			CHECK_MSG(e <= 1, "%ux%u -> %ux%u: off by %d", from[a][0], from[a][1], to[b][0],
				  to[b][1], e);
		}
		magi_image_free(src);
	}
	/* a tall downscale: 40 source rows per output row */
	struct magi_image *tall = noise(7, 400, 9);
	CHECK(max_error(tall, 7, 10) <= 1);
	magi_image_free(tall);
}

static void test_prepare(void)
{
	struct magi_image *img = noise(300, 170, 5);
	/* smooth it so JPEG's error stays small and comparable */
	for (uint32_t y = 0; y < img->h; y++)
		for (uint32_t x = 0; x < img->w; x++) {
			uint8_t *p = img->px + (size_t)y * img->stride + 3 * x;
			p[0] = (uint8_t)(x * 255 / img->w);
			p[1] = (uint8_t)(y * 255 / img->h);
			p[2] = (uint8_t)((p[2] & 0x0f) + 100);
		}
	struct magi_image_policy pol = magi_image_policy_default();
	pol.max_pixels = 200 * 112;
	uint32_t fw, fh;
	magi_image_policy_fit(&pol, img->w, img->h, &fw, &fh);
	struct magi_buf b;
	magi_buf_init(&b, 0);
	magi_buf_puts(&b, "head");
	uint32_t w = 0, h = 0;
	struct magi_error e;
	REQUIRE(magi_image_prepare(img, &pol, &b, &w, &h, &e) == MAGI_OK);
	CHECK(w == fw && h == fh && w < img->w);
	CHECK(memcmp(b.data, "head", 4) == 0); /* appended */
	struct magi_image *got = NULL, *want = NULL;
	REQUIRE(magi_image_decode(b.data + 4, b.len - 4, "prepared", &got, &e) == MAGI_OK);
	REQUIRE(magi_image_resize(img, fw, fh, &want) == MAGI_OK);
	CHECK(got->w == fw && got->h == fh);
	double sum = 0;
	for (uint32_t y = 0; y < fh; y++)
		for (uint32_t x = 0; x < fw * 3; x++)
			sum += fabs((double)got->px[(size_t)y * got->stride + x] -
				    want->px[(size_t)y * want->stride + x]);
	double mad = sum / ((double)fw * fh * 3);
	CHECK_MSG(mad < 3, "prepared image differs from resize by %f per sample", mad);
	magi_image_free(got);
	magi_image_free(want);
	/* same size: no resize, still a JPEG of the image */
	pol.kind = MAGI_IMAGE_POLICY_NONE;
	pol.max_pixels = 0;
	magi_buf_reset(&b);
	REQUIRE(magi_image_prepare(img, &pol, &b, &w, &h, &e) == MAGI_OK);
	CHECK(w == img->w && h == img->h);
	REQUIRE(magi_image_decode(b.data, b.len, "same", &got, &e) == MAGI_OK);
	CHECK(got->w == img->w);
	magi_image_free(got);
	/* bad input leaves the buffer alone and says why */
	magi_buf_reset(&b);
	pol.jpeg_quality = 0;
	CHECK(magi_image_prepare(img, &pol, &b, &w, &h, &e) == MAGI_ERR_INVALID);
	CHECK(b.len == 0 && w == 0 && h == 0);
	CHECK_CONTAINS(e.msg, "quality 0 is outside 1..100");
	CHECK(magi_image_prepare(NULL, NULL, &b, NULL, NULL, &e) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(e.msg, "no image");
	/* the cap of the output buffer */
	struct magi_buf small;
	magi_buf_init(&small, 64);
	CHECK(magi_image_prepare(img, NULL, &small, NULL, NULL, &e) == MAGI_ERR_LIMIT);
	magi_buf_release(&small);
	magi_buf_release(&b);
	magi_image_free(img);
}

int main(void)
{
	test_against_reference();
	test_prepare();
	return check_done();
}
