/* test_image.c — the RGB8 image type, PNG/JPEG codecs, data URLs, resize, crop, drawing,
 * diff and image policies. Fixtures in tests/data/img_* come from img_fixtures.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "magi/vision.h"

static const uint8_t *px_at(const struct magi_image *img, uint32_t x, uint32_t y)
{
	return img->px + (size_t)y * img->stride + 3 * (size_t)x;
}

static bool px_is(const struct magi_image *img, uint32_t x, uint32_t y, int r, int g, int b, int tol)
{
	const uint8_t *p = px_at(img, x, y);
	return abs(p[0] - r) <= tol && abs(p[1] - g) <= tol && abs(p[2] - b) <= tol;
}

/* A deterministic screenshot-like picture: a gradient background, a few flat panels and
 * some high-contrast "text" stripes. */
static struct magi_image *make_pattern(uint32_t w, uint32_t h)
{
	struct magi_image *img = NULL;
	REQUIRE(magi_image_new(w, h, &img) == MAGI_OK);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint8_t *p = img->px + (size_t)y * img->stride + 3 * x;
			p[0] = (uint8_t)(x * 255 / (w > 1 ? w - 1 : 1));
			p[1] = (uint8_t)(y * 255 / (h > 1 ? h - 1 : 1));
			p[2] = (uint8_t)((x + y) & 0xFF);
			if (x > w / 4 && x < w / 2 && y > h / 4 && y < h / 2) {
				p[0] = 240;
				p[1] = 240;
				p[2] = 245;
			}
		}
	return img;
}

static struct magi_image *make_noise(uint32_t w, uint32_t h, unsigned seed)
{
	struct magi_image *img = NULL;
	REQUIRE(magi_image_new(w, h, &img) == MAGI_OK);
	uint32_t s = seed * 2654435761u + 1;
	for (size_t i = 0; i < (size_t)img->stride * h; i++) {
		s = s * 1664525u + 1013904223u;
		img->px[i] = (uint8_t)(s >> 24);
	}
	return img;
}

static bool same_pixels(const struct magi_image *a, const struct magi_image *b)
{
	if (a->w != b->w || a->h != b->h)
		return false;
	for (uint32_t y = 0; y < a->h; y++)
		if (memcmp(px_at(a, 0, y), px_at(b, 0, y), (size_t)a->w * 3))
			return false;
	return true;
}

static double mean_abs_diff(const struct magi_image *a, const struct magi_image *b)
{
	double sum = 0;
	for (uint32_t y = 0; y < a->h; y++)
		for (uint32_t x = 0; x < a->w * 3; x++)
			sum += abs(px_at(a, 0, y)[x] - px_at(b, 0, y)[x]);
	return sum / ((double)a->w * a->h * 3);
}

static struct magi_image *load_fixture(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/%s", MAGI_SRC_DIR, name);
	struct magi_image *img = NULL;
	struct magi_error e;
	magi_status s = magi_image_load(path, &img, &e);
	CHECK_MSG(s == MAGI_OK, "%s: %s", name, e.msg);
	return img;
}

static void test_new(void)
{
	struct magi_image *img = (struct magi_image *)1;
	CHECK(magi_image_new(0, 5, &img) == MAGI_ERR_INVALID && img == NULL);
	CHECK(magi_image_new(MAGI_IMAGE_MAX_SIDE + 1, 1, &img) == MAGI_ERR_LIMIT);
	CHECK(magi_image_new(10000, 10000, &img) == MAGI_ERR_LIMIT);
	REQUIRE(magi_image_new(7, 3, &img) == MAGI_OK);
	CHECK(img->w == 7 && img->h == 3 && img->stride >= 21 && px_is(img, 6, 2, 0, 0, 0, 0));
	img->px[0] = 9;
	struct magi_image *c = NULL;
	REQUIRE(magi_image_clone(img, &c) == MAGI_OK);
	CHECK(same_pixels(img, c) && c->px != img->px);
	magi_image_free(c);
	magi_image_free(img);
	magi_image_free(NULL);
}

static void test_fixtures(void)
{
	struct magi_image *img;
	static const int g[2][4] = {{0, 85, 170, 255}, {255, 170, 85, 0}};
	const char *grays[] = {"img_gray8.png", "img_gray16.png"};
	for (int i = 0; i < 2; i++) {
		if (!(img = load_fixture(grays[i])))
			continue;
		CHECK(img->w == 4 && img->h == 2);
		for (uint32_t y = 0; y < 2; y++)
			for (uint32_t x = 0; x < 4; x++)
				CHECK_MSG(px_is(img, x, y, g[y][x], g[y][x], g[y][x], 0), "%s %u,%u", grays[i], x, y);
		magi_image_free(img);
	}
	if ((img = load_fixture("img_gray1.png"))) {
		CHECK(img->w == 8 && img->h == 2);
		CHECK(px_is(img, 0, 0, 0, 0, 0, 0) && px_is(img, 1, 0, 255, 255, 255, 0));
		CHECK(px_is(img, 0, 1, 255, 255, 255, 0) && px_is(img, 7, 1, 0, 0, 0, 0));
		magi_image_free(img);
	}
	/* red green blue / white black (10,20,30) in every RGB flavour */
	const char *rgbs[] = {"img_palette.png", "img_rgb16.png", "img_interlaced.png"};
	for (int i = 0; i < 3; i++) {
		if (!(img = load_fixture(rgbs[i])))
			continue;
		CHECK(img->w == 3 && img->h == 2);
		CHECK_MSG(px_is(img, 0, 0, 255, 0, 0, 0) && px_is(img, 1, 0, 0, 255, 0, 0) &&
				  px_is(img, 2, 0, 0, 0, 255, 0) && px_is(img, 0, 1, 255, 255, 255, 0) &&
				  px_is(img, 1, 1, 0, 0, 0, 0) && px_is(img, 2, 1, 10, 20, 30, 0),
			  "%s", rgbs[i]);
		magi_image_free(img);
	}
	/* alpha 255 0 128 / 255 255 0, composited over white */
	if ((img = load_fixture("img_rgba.png"))) {
		CHECK(px_is(img, 0, 0, 255, 0, 0, 0));
		CHECK(px_is(img, 1, 0, 255, 255, 255, 0)); /* transparent green -> white */
		CHECK(px_is(img, 2, 0, 127, 127, 255, 1)); /* half blue over white */
		CHECK(px_is(img, 1, 1, 0, 0, 0, 0));
		CHECK(px_is(img, 2, 1, 255, 255, 255, 0));
		magi_image_free(img);
	}
	if ((img = load_fixture("img_graya.png"))) {
		CHECK(px_is(img, 0, 0, 0, 0, 0, 0));
		CHECK(px_is(img, 1, 0, 255, 255, 255, 0));
		CHECK(px_is(img, 2, 0, 212, 212, 212, 1)); /* (170*128 + 255*127)/255 */
		CHECK(px_is(img, 1, 1, 170, 170, 170, 0));
		magi_image_free(img);
	}
	if ((img = load_fixture("img_palette_trns.png"))) {
		CHECK(px_is(img, 0, 0, 255, 0, 0, 0) && px_is(img, 2, 0, 0, 0, 255, 0));
		CHECK(px_is(img, 1, 0, 255, 255, 255, 0) && px_is(img, 1, 1, 0, 0, 0, 0));
		magi_image_free(img);
	}
	if ((img = load_fixture("img_gray.jpg"))) {
		CHECK(img->w == 16 && img->h == 16 && px_is(img, 8, 8, 100, 100, 100, 2));
		magi_image_free(img);
	}
	if ((img = load_fixture("img_cmyk.jpg"))) {
		CHECK_MSG(px_is(img, 8, 8, 200, 40, 40, 4), "cmyk -> %d,%d,%d", px_at(img, 8, 8)[0],
			  px_at(img, 8, 8)[1], px_at(img, 8, 8)[2]);
		magi_image_free(img);
	}
	if ((img = load_fixture("img_progressive.jpg"))) {
		CHECK(px_is(img, 8, 8, 40, 200, 40, 4));
		magi_image_free(img);
	}
}

static void test_png_roundtrip(void)
{
	static const uint32_t sizes[][2] = {{1, 1}, {3, 2}, {17, 13}, {640, 480}, {1280, 720}};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct magi_image *a = i % 2 ? make_noise(sizes[i][0], sizes[i][1], (unsigned)i)
					     : make_pattern(sizes[i][0], sizes[i][1]);
		struct magi_buf b;
		struct magi_error e;
		magi_buf_init(&b, 0);
		REQUIRE(magi_image_encode_png(a, &b, &e) == MAGI_OK);
		CHECK(b.len > 8 && memcmp(b.data, "\x89PNG", 4) == 0);
		struct magi_image *d = NULL;
		CHECK_MSG(magi_image_decode(b.data, b.len, "rt.png", &d, &e) == MAGI_OK, "%s", e.msg);
		CHECK_MSG(d && same_pixels(a, d), "PNG round trip %ux%u", sizes[i][0], sizes[i][1]);
		magi_image_free(d);
		magi_buf_release(&b);
		magi_image_free(a);
	}
	/* A caller-made image whose rows are padded (stride > 3w) encodes its pixels only. */
	struct magi_image *a = make_noise(5, 4, 7);
	struct magi_image padded = {5, 4, 5 * 3 + 9, NULL};
	padded.px = calloc((size_t)padded.stride * 4, 1);
	REQUIRE(padded.px);
	for (uint32_t y = 0; y < 4; y++)
		memcpy(padded.px + (size_t)y * padded.stride, px_at(a, 0, y), 15);
	struct magi_buf b;
	struct magi_error e;
	magi_buf_init(&b, 0);
	magi_buf_puts(&b, "prefix"); /* encoders append */
	REQUIRE(magi_image_encode_png(&padded, &b, &e) == MAGI_OK);
	CHECK(memcmp(b.data, "prefix\x89PNG", 10) == 0);
	struct magi_image *d = NULL;
	CHECK(magi_image_decode(b.data + 6, b.len - 6, "padded", &d, &e) == MAGI_OK);
	CHECK(d && same_pixels(a, d));
	magi_image_free(d);
	magi_buf_release(&b);
	free(padded.px);
	magi_image_free(a);
}

static void test_jpeg_roundtrip(void)
{
	static const uint32_t sizes[][2] = {{1, 1}, {8, 8}, {17, 13}, {640, 480}, {1280, 720}};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct magi_image *a = make_pattern(sizes[i][0], sizes[i][1]);
		struct magi_error e;
		double prev = 1e9;
		const int qs[] = {50, 80, 95};
		for (int q = 0; q < 3; q++) {
			struct magi_buf b;
			magi_buf_init(&b, 0);
			REQUIRE(magi_image_encode_jpeg(a, qs[q], &b, &e) == MAGI_OK);
			CHECK(b.len > 3 && (uint8_t)b.data[0] == 0xFF && (uint8_t)b.data[1] == 0xD8);
			struct magi_image *d = NULL;
			CHECK_MSG(magi_image_decode(b.data, b.len, "rt.jpg", &d, &e) == MAGI_OK, "%s", e.msg);
			if (d) {
				CHECK(d->w == a->w && d->h == a->h);
				double m = mean_abs_diff(a, d);
				/* lossy, but close, and closer at higher quality; the tiny sizes
				 * are all edges (steep gradients over a few pixels), so looser */
				double tol = a->w < 64 ? 14.0 : qs[q] >= 80 ? 3.0 : 6.0;
				CHECK_MSG(m < tol, "JPEG q%d %ux%u mean diff %.2f", qs[q],
					  a->w, a->h, m);
				CHECK(m <= prev + 0.5);
				prev = m;
			}
			magi_image_free(d);
			magi_buf_release(&b);
		}
		magi_image_free(a);
	}
	struct magi_image *a = make_pattern(4, 4);
	struct magi_buf b;
	struct magi_error e;
	magi_buf_init(&b, 0);
	CHECK(magi_image_encode_jpeg(a, 0, &b, &e) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(e.msg, "quality 0");
	CHECK(magi_image_encode_jpeg(a, 101, &b, &e) == MAGI_ERR_INVALID);
	CHECK(magi_image_encode_jpeg(NULL, 80, &b, &e) == MAGI_ERR_INVALID);
	CHECK(magi_image_encode_png(NULL, &b, &e) == MAGI_ERR_INVALID);
	magi_buf_release(&b);
	magi_image_free(a);
}

/* CRC-32 (the PNG/zlib polynomial), for forging chunk headers in tests. */
static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return c ^ 0xFFFFFFFFu;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void encode(const struct magi_image *img, bool png, struct magi_buf *b)
{
	struct magi_error e;
	magi_buf_init(b, 0);
	if (png)
		REQUIRE(magi_image_encode_png(img, b, &e) == MAGI_OK);
	else
		REQUIRE(magi_image_encode_jpeg(img, 80, b, &e) == MAGI_OK);
}

static void test_bad_input(void)
{
	struct magi_image *img = (struct magi_image *)1;
	struct magi_error e;
	CHECK(magi_image_decode("", 0, "empty.png", &img, &e) == MAGI_ERR_IMAGE && img == NULL);
	CHECK_CONTAINS(e.msg, "empty.png: empty");
	CHECK(magi_image_decode(NULL, 0, NULL, &img, &e) == MAGI_ERR_IMAGE);
	const char junk[] = "GIF89a this is not what you think it is";
	CHECK(magi_image_decode(junk, sizeof junk, "shot.gif", &img, &e) == MAGI_ERR_IMAGE);
	CHECK_STR(e.msg, "shot.gif: not a PNG or JPEG image");
	CHECK(magi_image_decode("\x89PN", 3, "tiny.png", &img, &e) == MAGI_ERR_IMAGE);
	CHECK_CONTAINS(e.msg, "tiny.png: truncated PNG data");

	struct magi_image *a = make_noise(64, 48, 3);
	struct magi_buf png, jpg;
	encode(a, true, &png);
	encode(a, false, &jpg);
	/* truncated at several points: inside the header, inside IHDR, inside the data */
	size_t cuts[] = {8, 20, 40, png.len / 2, png.len - 20};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		img = (struct magi_image *)1;
		magi_status s = magi_image_decode(png.data, cuts[i], "shot.png", &img, &e);
		CHECK_MSG(s == MAGI_ERR_IMAGE && img == NULL, "cut at %zu: %s", cuts[i], e.msg);
		CHECK_CONTAINS(e.msg, "shot.png: ");
		if (cuts[i] >= 40)
			CHECK_CONTAINS(e.msg, "truncated PNG data");
	}
	size_t jcuts[] = {3, 10, 100, jpg.len / 2, jpg.len - 3};
	for (size_t i = 0; i < sizeof jcuts / sizeof jcuts[0]; i++) {
		img = (struct magi_image *)1;
		magi_status s = magi_image_decode(jpg.data, jcuts[i], "shot.jpg", &img, &e);
		CHECK_MSG(s == MAGI_ERR_IMAGE && img == NULL, "cut at %zu: %s", jcuts[i], e.msg);
		CHECK_CONTAINS(e.msg, "shot.jpg: ");
	}
	magi_image_decode(jpg.data, jpg.len / 2, "half.jpg", &img, &e);
	CHECK_STR(e.msg, "half.jpg: truncated JPEG data");
	/* garbage after a valid signature */
	char bad[64];
	memcpy(bad, png.data, 8);
	memset(bad + 8, 0x5A, sizeof bad - 8);
	CHECK(magi_image_decode(bad, sizeof bad, "bad.png", &img, &e) == MAGI_ERR_IMAGE);
	CHECK_CONTAINS(e.msg, "bad.png: ");
	memcpy(bad, jpg.data, 3);
	CHECK(magi_image_decode(bad, sizeof bad, "bad.jpg", &img, &e) == MAGI_ERR_IMAGE);
	/* a corrupted IHDR CRC is caught */
	memcpy(bad, png.data, 33);
	bad[29] ^= 1;
	CHECK(magi_image_decode(bad, 33, "crc.png", &img, &e) == MAGI_ERR_IMAGE);

	/* Decompression bombs: a valid header claiming 100000x100000 must fail at once with
	 * MAGI_ERR_LIMIT, before any pixel memory exists. */
	uint8_t *bomb = malloc(png.len);
	REQUIRE(bomb);
	memcpy(bomb, png.data, png.len);
	put_be32(bomb + 16, 100000);
	put_be32(bomb + 20, 100000);
	put_be32(bomb + 29, crc32_of(bomb + 12, 17)); /* CRC over "IHDR" + 13 data bytes */
	double t0 = magi_now_ms();
	img = (struct magi_image *)1;
	CHECK(magi_image_decode(bomb, png.len, "bomb.png", &img, &e) == MAGI_ERR_LIMIT && !img);
	CHECK_STR(e.msg, "bomb.png: 100000x100000 is larger than the 64-Mpx limit (at most 32768 px a side)");
	/* within the side limit but past the pixel cap */
	put_be32(bomb + 16, 30000);
	put_be32(bomb + 20, 30000);
	put_be32(bomb + 29, crc32_of(bomb + 12, 17));
	CHECK(magi_image_decode(bomb, png.len, "bomb.png", &img, &e) == MAGI_ERR_LIMIT);
	/* allowed size, but the file is far too short to hold it: refused before allocating */
	put_be32(bomb + 16, 8000);
	put_be32(bomb + 20, 8000);
	put_be32(bomb + 29, crc32_of(bomb + 12, 17));
	CHECK(magi_image_decode(bomb, png.len, "short.png", &img, &e) == MAGI_ERR_IMAGE);
	CHECK_CONTAINS(e.msg, "short.png: truncated PNG data");
	free(bomb);
	/* JPEG sizes are 16-bit: 60000x60000 is the bomb; find the SOF0 marker and patch it */
	bomb = malloc(jpg.len);
	REQUIRE(bomb);
	memcpy(bomb, jpg.data, jpg.len);
	size_t sof = 0;
	for (size_t i = 2; i + 9 < jpg.len; i++)
		if (bomb[i] == 0xFF && bomb[i + 1] == 0xC0) {
			sof = i;
			break;
		}
	REQUIRE(sof);
	bomb[sof + 5] = bomb[sof + 7] = 60000 >> 8;
	bomb[sof + 6] = bomb[sof + 8] = 60000 & 0xFF;
	CHECK(magi_image_decode(bomb, jpg.len, "bomb.jpg", &img, &e) == MAGI_ERR_LIMIT);
	CHECK_STR(e.msg, "bomb.jpg: 60000x60000 is larger than the 64-Mpx limit (at most 32768 px a side)");
	/* the header alone (cut right after SOF) is enough to refuse it */
	CHECK(magi_image_decode(bomb, sof + 19, "bomb.jpg", &img, &e) == MAGI_ERR_LIMIT);
	free(bomb);
	CHECK_MSG(magi_now_ms() - t0 < 200, "bomb checks took %.1f ms", magi_now_ms() - t0);

	magi_buf_release(&png);
	magi_buf_release(&jpg);
	magi_image_free(a);
}

static void test_files_and_data_url(void)
{
	char dir[] = "/tmp/magi-test-image-XXXXXX";
	REQUIRE(mkdtemp(dir));
	char p_png[128], p_jpg[128], p_bad[128], p_missing[128];
	snprintf(p_png, sizeof p_png, "%s/a.PNG", dir);
	snprintf(p_jpg, sizeof p_jpg, "%s/a.jpeg", dir);
	snprintf(p_bad, sizeof p_bad, "%s/a.bmp", dir);
	snprintf(p_missing, sizeof p_missing, "%s/none.png", dir);
	struct magi_image *a = make_pattern(33, 21), *b = NULL;
	struct magi_error e;
	CHECK(magi_image_save(a, p_png, &e) == MAGI_OK);
	CHECK(magi_image_load(p_png, &b, &e) == MAGI_OK && b && same_pixels(a, b));
	magi_image_free(b);
	b = NULL;
	CHECK(magi_image_save(a, p_jpg, &e) == MAGI_OK);
	CHECK(magi_image_load(p_jpg, &b, &e) == MAGI_OK && b && mean_abs_diff(a, b) < 3);
	magi_image_free(b);
	CHECK(magi_image_save(a, p_bad, &e) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(e.msg, "a.bmp");
	CHECK(magi_image_load(p_missing, &b, &e) != MAGI_OK && b == NULL);
	CHECK_CONTAINS(e.msg, "none.png");
	unlink(p_png);
	unlink(p_jpg);
	rmdir(dir);

	struct magi_buf url, raw;
	magi_buf_init(&url, 0);
	magi_buf_init(&raw, 0);
	REQUIRE(magi_image_data_url(a, 80, &url, &e) == MAGI_OK);
	const char *pre = "data:image/jpeg;base64,";
	CHECK(strncmp(url.data, pre, strlen(pre)) == 0);
	CHECK(magi_base64_decode(url.data + strlen(pre), url.len - strlen(pre), &raw) == MAGI_OK);
	b = NULL;
	CHECK(magi_image_decode(raw.data, raw.len, "url", &b, &e) == MAGI_OK && b && b->w == 33);
	magi_image_free(b);
	CHECK(magi_image_data_url(a, 0, &url, &e) == MAGI_ERR_INVALID);
	magi_buf_release(&url);
	magi_buf_release(&raw);
	magi_image_free(a);
}

static void fill(struct magi_image *img, uint8_t r, uint8_t g, uint8_t b)
{
	for (uint32_t y = 0; y < img->h; y++)
		for (uint32_t x = 0; x < img->w; x++) {
			uint8_t *p = img->px + (size_t)y * img->stride + 3 * x;
			p[0] = r;
			p[1] = g;
			p[2] = b;
		}
}

static void test_resize(void)
{
	/* a uniform colour stays exactly uniform at any ratio, down or up */
	static const uint32_t to[][2] = {{1001, 563}, {640, 360}, {1, 1}, {1280, 720}, {2000, 9}, {3, 1500}};
	struct magi_image *u = NULL;
	REQUIRE(magi_image_new(1280, 720, &u) == MAGI_OK);
	fill(u, 13, 200, 77);
	for (size_t i = 0; i < sizeof to / sizeof to[0]; i++) {
		struct magi_image *r = NULL;
		REQUIRE(magi_image_resize(u, to[i][0], to[i][1], &r) == MAGI_OK);
		CHECK(r->w == to[i][0] && r->h == to[i][1]);
		bool uniform = true;
		for (uint32_t y = 0; y < r->h && uniform; y++)
			for (uint32_t x = 0; x < r->w && uniform; x++)
				uniform = px_is(r, x, y, 13, 200, 77, 0);
		CHECK_MSG(uniform, "uniform -> %ux%u", to[i][0], to[i][1]);
		magi_image_free(r);
	}
	magi_image_free(u);

	/* a 2x downscale is the exact rounded mean of each 2x2 block */
	struct magi_image *n = make_noise(64, 38, 11), *r = NULL;
	REQUIRE(magi_image_resize(n, 32, 19, &r) == MAGI_OK);
	int bad = 0;
	for (uint32_t y = 0; y < 19; y++)
		for (uint32_t x = 0; x < 32; x++)
			for (int c = 0; c < 3; c++) {
				int sum = px_at(n, 2 * x, 2 * y)[c] + px_at(n, 2 * x + 1, 2 * y)[c] +
					  px_at(n, 2 * x, 2 * y + 1)[c] + px_at(n, 2 * x + 1, 2 * y + 1)[c];
				if (px_at(r, x, y)[c] != (sum + 2) / 4)
					bad++;
			}
	CHECK_MSG(bad == 0, "%d samples differ from the 2x2 mean", bad);
	magi_image_free(r);
	/* 3x horizontally, 1x vertically: a mean of three (within 1: thirds are not exact
	 * in binary fixed point) */
	struct magi_image *n63 = make_noise(63, 38, 12);
	REQUIRE(magi_image_resize(n63, 21, 38, &r) == MAGI_OK);
	bad = 0;
	for (uint32_t y = 0; y < 38; y++)
		for (uint32_t x = 0; x < 21; x++) {
			int sum = px_at(n63, 3 * x, y)[1] + px_at(n63, 3 * x + 1, y)[1] +
				  px_at(n63, 3 * x + 2, y)[1];
			if (abs(px_at(r, x, y)[1] - (sum * 2 + 3) / 6) > 1)
				bad++;
		}
	CHECK_MSG(bad == 0, "%d samples differ from the 3-pixel mean", bad);
	magi_image_free(r);
	magi_image_free(n63);
	/* same size is a copy */
	REQUIRE(magi_image_resize(n, 64, 38, &r) == MAGI_OK);
	CHECK(same_pixels(n, r));
	magi_image_free(r);
	magi_image_free(n);

	/* a non-integer ratio keeps the mean brightness and keeps edges where they were: a white
	 * square at [400,600) on black, 1280 -> 1000, lands at [312.5,468.75) */
	struct magi_image *sq = NULL;
	REQUIRE(magi_image_new(1280, 720, &sq) == MAGI_OK);
	for (uint32_t y = 200; y < 400; y++)
		memset(sq->px + (size_t)y * sq->stride + 400 * 3, 255, 200 * 3);
	REQUIRE(magi_image_resize(sq, 1000, 560, &r) == MAGI_OK);
	CHECK(px_is(r, 311, 250, 0, 0, 0, 0) && px_is(r, 313, 250, 255, 255, 255, 0));
	CHECK(px_is(r, 312, 250, 128, 128, 128, 1)); /* half covered */
	CHECK(px_is(r, 467, 250, 255, 255, 255, 0) && px_is(r, 469, 250, 0, 0, 0, 0));
	magi_image_free(r);
	magi_image_free(sq);

	/* upscale: bilinear between the two pixels, ends held */
	struct magi_image *two = NULL;
	REQUIRE(magi_image_new(2, 1, &two) == MAGI_OK);
	two->px[3] = two->px[4] = two->px[5] = 200;
	REQUIRE(magi_image_resize(two, 8, 2, &r) == MAGI_OK);
	CHECK(px_is(r, 0, 0, 0, 0, 0, 0) && px_is(r, 1, 1, 0, 0, 0, 0));
	CHECK(px_is(r, 7, 0, 200, 200, 200, 0) && px_is(r, 6, 1, 200, 200, 200, 0));
	/* output 2 sits at source x = 0.125: 200 * 0.125 = 25 */
	CHECK(px_is(r, 2, 0, 25, 25, 25, 1) && px_is(r, 5, 0, 175, 175, 175, 1));
	magi_image_free(r);
	magi_image_free(two);

	CHECK(magi_image_resize(NULL, 4, 4, &r) == MAGI_ERR_INVALID && r == NULL);
	struct magi_image *one = make_noise(3, 3, 1);
	CHECK(magi_image_resize(one, 0, 4, &r) == MAGI_ERR_INVALID);
	CHECK(magi_image_resize(one, 40000, 4, &r) == MAGI_ERR_LIMIT);
	magi_image_free(one);
}

static void test_crop(void)
{
	struct magi_image *n = make_noise(50, 40, 5), *c = NULL;
	REQUIRE(magi_image_crop(n, 10, 5, 20, 15, &c) == MAGI_OK);
	CHECK(c->w == 20 && c->h == 15);
	CHECK(memcmp(px_at(c, 0, 0), px_at(n, 10, 5), 3) == 0);
	CHECK(memcmp(px_at(c, 19, 14), px_at(n, 29, 19), 3) == 0);
	magi_image_free(c);
	/* clipped on every side */
	REQUIRE(magi_image_crop(n, -5, -7, 100, 100, &c) == MAGI_OK);
	CHECK(c->w == 50 && c->h == 40 && same_pixels(c, n));
	magi_image_free(c);
	REQUIRE(magi_image_crop(n, 45, 38, 10, 10, &c) == MAGI_OK);
	CHECK(c->w == 5 && c->h == 2 && memcmp(px_at(c, 4, 1), px_at(n, 49, 39), 3) == 0);
	magi_image_free(c);
	/* nothing left */
	c = (struct magi_image *)1;
	CHECK(magi_image_crop(n, 50, 0, 10, 10, &c) == MAGI_ERR_INVALID && c == NULL);
	CHECK(magi_image_crop(n, -20, 0, 10, 10, &c) == MAGI_ERR_INVALID);
	CHECK(magi_image_crop(n, 0, 0, 0, 10, &c) == MAGI_ERR_INVALID);
	CHECK(magi_image_crop(n, 2147483000, 0, 4000000000u, 10, &c) == MAGI_ERR_INVALID);
	magi_image_free(n);
}

static int count_color(const struct magi_image *img, int r, int g, int b)
{
	int n = 0;
	for (uint32_t y = 0; y < img->h; y++)
		for (uint32_t x = 0; x < img->w; x++)
			n += px_is(img, x, y, r, g, b, 0);
	return n;
}

static void test_draw(void)
{
	struct magi_image *img = NULL;
	REQUIRE(magi_image_new(40, 30, &img) == MAGI_OK);
	magi_image_fill_rect(img, 5, 6, 10, 4, 0xFF0000);
	CHECK(count_color(img, 255, 0, 0) == 40);
	CHECK(px_is(img, 5, 6, 255, 0, 0, 0) && px_is(img, 14, 9, 255, 0, 0, 0));
	CHECK(px_is(img, 15, 9, 0, 0, 0, 0) && px_is(img, 14, 10, 0, 0, 0, 0));
	/* clipped at every edge, and silly sizes are harmless */
	magi_image_fill_rect(img, -10, -10, 1000, 12, 0x00FF00);
	CHECK(count_color(img, 0, 255, 0) == 40 * 2);
	magi_image_fill_rect(img, 2147483000, 0, 2147483000, 5, 0x0000FF);
	magi_image_fill_rect(img, -2147483647, -5, 2147483647, 2147483647, 0x000001);
	magi_image_fill_rect(img, 0, 0, -5, 5, 0x0000FF);
	CHECK(count_color(img, 0, 0, 255) == 0);
	magi_image_fill_rect(NULL, 0, 0, 5, 5, 0);
	magi_image_fill_rect(img, 0, 0, 40, 30, 0x000000);

	/* outline inside the rectangle: a 10x8 box with a 2-px border has 80 - 6*4 pixels */
	magi_image_draw_rect(img, 3, 3, 10, 8, 2, 0xFFFFFF);
	CHECK(count_color(img, 255, 255, 255) == 80 - 24);
	CHECK(px_is(img, 3, 3, 255, 255, 255, 0) && px_is(img, 12, 10, 255, 255, 255, 0));
	CHECK(px_is(img, 5, 5, 0, 0, 0, 0) && px_is(img, 4, 4, 255, 255, 255, 0));
	magi_image_fill_rect(img, 0, 0, 40, 30, 0x000000);
	magi_image_draw_rect(img, 30, 25, 20, 20, 1, 0xFFFFFF); /* off the corner: 2 edges */
	CHECK(count_color(img, 255, 255, 255) == 10 + 5 - 1);
	magi_image_fill_rect(img, 0, 0, 40, 30, 0x000000);

	/* lines: horizontal, vertical, diagonal with both ends; thickness across */
	magi_image_draw_line(img, 2, 2, 11, 2, 1, 0xFFFFFF);
	CHECK(count_color(img, 255, 255, 255) == 10);
	magi_image_draw_line(img, 20, 0, 20, 9, 3, 0x00FF00);
	CHECK(count_color(img, 0, 255, 0) == 30);
	CHECK(px_is(img, 19, 5, 0, 255, 0, 0) && px_is(img, 21, 5, 0, 255, 0, 0));
	magi_image_draw_line(img, 30, 20, 25, 15, 1, 0xFF0000);
	CHECK(count_color(img, 255, 0, 0) == 6);
	CHECK(px_is(img, 25, 15, 255, 0, 0, 0) && px_is(img, 28, 18, 255, 0, 0, 0));
	magi_image_draw_line(img, -1000000, 29, 1000000, 29, 1, 0x0000FF); /* clipped */
	CHECK(count_color(img, 0, 0, 255) == 40);
	magi_image_fill_rect(img, 0, 0, 40, 30, 0x000000);

	/* circles: a filled disc of radius 5 covers about pi*5.5^2 pixels and is symmetric */
	magi_image_draw_circle(img, 15, 15, 5, 0, 0xFFFFFF);
	int disc = count_color(img, 255, 255, 255);
	CHECK_MSG(disc >= 85 && disc <= 100, "disc of r=5 has %d px", disc);
	CHECK(px_is(img, 10, 15, 255, 255, 255, 0) && px_is(img, 20, 15, 255, 255, 255, 0));
	CHECK(px_is(img, 15, 9, 0, 0, 0, 0) && px_is(img, 21, 15, 0, 0, 0, 0));
	magi_image_draw_circle(img, 15, 15, 5, 2, 0xFF0000); /* ring repaints the outer band */
	CHECK(px_is(img, 15, 15, 255, 255, 255, 0) && px_is(img, 10, 15, 255, 0, 0, 0));
	CHECK(px_is(img, 12, 15, 255, 255, 255, 0) && px_is(img, 11, 15, 255, 0, 0, 0));
	magi_image_draw_circle(img, 0, 0, 100, 1, 0x00FF00); /* entirely outside: nothing */
	CHECK(count_color(img, 0, 255, 0) == 0);
	magi_image_free(img);

	/* text: cell 6x10 per scale plus one column of margin */
	int w, h;
	magi_image_text_size("Hi", 1, &w, &h);
	CHECK(w == 13 && h == 10);
	magi_image_text_size("ab\ncdef", 2, &w, &h);
	CHECK(w == 50 && h == 40);
	magi_image_text_size("", 3, &w, &h);
	CHECK(w == 0 && h == 30);
	magi_image_text_size("\xc3\xa9t\xc3\xa9", 1, &w, &h); /* "été": 3 glyphs */
	CHECK(w == 19);
	REQUIRE(magi_image_new(60, 30, &img) == MAGI_OK);
	magi_image_draw_text(img, 2, 3, "I", 2, 0xFFFFFF, 0x0000FF, true);
	magi_image_text_size("I", 2, &w, &h);
	/* the box is bg or fg and nothing outside it changed */
	CHECK(count_color(img, 0, 0, 255) + count_color(img, 255, 255, 255) == w * h);
	/* 'I' has 2*3 + 5*1 ink pixels in font pixels; scale 2 -> 4 screen px each */
	CHECK(count_color(img, 255, 255, 255) == 11 * 4);
	/* its top bar starts one font row below the box top, one font column in */
	CHECK(px_is(img, 2 + 2 + 2, 3 + 2, 255, 255, 255, 0));
	CHECK(px_is(img, 2, 3, 0, 0, 255, 0));
	magi_image_draw_text(img, 50, 25, "clipped text \x01\t~", 3, 0xFF0000, 0, false);
	magi_image_draw_text(img, 0, 0, NULL, 1, 0, 0, true);
	magi_image_draw_text(NULL, 0, 0, "x", 1, 0, 0, true);
	magi_image_free(img);
}

static void test_diff(void)
{
	struct magi_image *a = make_pattern(100, 80), *b = NULL;
	REQUIRE(magi_image_clone(a, &b) == MAGI_OK);
	int box[4] = {9, 9, 9, 9};
	CHECK(magi_image_diff(a, b, 0, box) == 0.0);
	CHECK(box[0] == 0 && box[1] == 0 && box[2] == 0 && box[3] == 0);
	/* change a 10x5 block at (20,30) by +10 in red only */
	for (uint32_t y = 30; y < 35; y++)
		for (uint32_t x = 20; x < 30; x++) {
			uint8_t *p = b->px + (size_t)y * b->stride + 3 * x;
			p[0] = (uint8_t)(p[0] < 128 ? p[0] + 10 : p[0] - 10);
		}
	double d = magi_image_diff(a, b, 5, box);
	CHECK_MSG(d > 0.0208 && d < 0.0209, "diff %.5f", d); /* 50*10 / (100*80*3) */
	CHECK(box[0] == 20 && box[1] == 30 && box[2] == 10 && box[3] == 5);
	CHECK(magi_image_diff(a, b, 10, box) == d); /* over the threshold: no box */
	CHECK(box[2] == 0 && box[3] == 0);
	CHECK(magi_image_diff(a, b, 5, NULL) == d);
	struct magi_image *c = make_pattern(100, 81);
	CHECK(magi_image_diff(a, c, 0, box) == -1 && box[2] == 0);
	CHECK(magi_image_diff(a, NULL, 0, box) == -1);
	magi_image_free(c);
	magi_image_free(a);
	magi_image_free(b);
}

struct fit_case {
	uint32_t w, h, ow, oh, tokens;
};

static void test_policy(void)
{
	struct magi_image_policy p = magi_image_policy_default();
	CHECK(p.kind == MAGI_IMAGE_POLICY_QWEN && p.patch == 28 && p.max_pixels == 1003520 &&
	      p.min_pixels == 3136 && p.jpeg_quality >= 1 && p.jpeg_quality <= 100);
	/* QWEN, worked (values agree with qwen_vl_utils.smart_resize):
	 * 1280x720: 1280/28 = 45.7 -> 46*28 = 1288, 720/28 = 25.7 -> 26*28 = 728;
	 *   1288*728 = 937664 <= 1003520, so 1288x728 and 46*26 = 1196 tokens.
	 * 1920x1080: rounds to 1932x1092 = 2109744 > cap; b = sqrt(1920*1080/1003520) = 1.43747;
	 *   1920/b = 1335.7 -> floor to 47*28 = 1316, 1080/b = 751.3 -> 26*28 = 728; 47*26 = 1222.
	 * 1080x2400 (phone): b = 1.60714, 1080/b = 672.0 -> 672, 2400/b = 1493.3 -> 1484; 24*53.
	 * 20x20: rounds up to 28x28 = 784 < 3136; b = sqrt(3136/400) = 2.8 -> 56x56, 4 tokens.
	 * 42 = 1.5*28 rounds half to even -> 2*28 = 56; 70 = 2.5*28 -> 2*28 = 56 as well.
	 * 800x600: 28.57 -> 29*28 = 812, 21.43 -> 21*28 = 588; 29*21 = 609. */
	static const struct fit_case qwen[] = {
		{1280, 720, 1288, 728, 1196}, {1920, 1080, 1316, 728, 1222}, {2560, 1440, 1316, 728, 1222},
		{3840, 2160, 1316, 728, 1222}, {1080, 2400, 672, 1484, 1272}, {20, 20, 56, 56, 4},
		{42, 42, 56, 56, 4},           {70, 70, 56, 56, 4},           {1, 1, 56, 56, 4},
		{800, 600, 812, 588, 609},     {393, 852, 392, 840, 420},
	};
	for (size_t i = 0; i < sizeof qwen / sizeof qwen[0]; i++) {
		uint32_t ow = 0, oh = 0;
		magi_image_policy_fit(&p, qwen[i].w, qwen[i].h, &ow, &oh);
		uint32_t t = magi_image_policy_tokens(&p, ow, oh);
		CHECK_MSG(ow == qwen[i].ow && oh == qwen[i].oh && t == qwen[i].tokens,
			  "qwen %ux%u -> %ux%u (%u tokens), want %ux%u (%u)", qwen[i].w, qwen[i].h, ow, oh, t,
			  qwen[i].ow, qwen[i].oh, qwen[i].tokens);
		CHECK((uint64_t)ow * oh <= p.max_pixels && ow % 28 == 0 && oh % 28 == 0);
	}
	/* a smaller budget: max 200704 (256 tokens) for 1280x720: b = sqrt(921600/200704) = 2.1429,
	 * 597.3 -> 588, 336.0 -> 336: 588x336, 21*12 = 252 tokens */
	p.max_pixels = 256 * 28 * 28;
	uint32_t ow, oh;
	magi_image_policy_fit(&p, 1280, 720, &ow, &oh);
	CHECK_MSG(ow == 588 && oh == 336, "%ux%u", ow, oh);
	CHECK(magi_image_policy_tokens(&p, ow, oh) == 252);
	/* Qwen3-VL style patch 32 */
	p = magi_image_policy_default();
	p.patch = 32;
	magi_image_policy_fit(&p, 1280, 720, &ow, &oh);
	CHECK(ow == 1280 && oh == 704 && magi_image_policy_tokens(&p, ow, oh) == 40 * 22);

	/* OPENAI detail:high: 1024x1024 -> 768x768, 2x2 tiles: 85 + 4*170 = 765.
	 * 4096x2160 -> 2048x1080 -> 1456x768 (1456.4 rounds down), 3x2 tiles: 85 + 6*170 = 1105.
	 * 1280x720: inside 2048 and short side < 768, unchanged; 3x2 tiles: 1105.
	 * 512x512: one tile: 255. 600x8000: -> 154x2048 (153.6 rounds up), 1x4 tiles: 765.
	 * 2048x768: kept, 4x2 tiles: 85 + 8*170 = 1445. */
	p = magi_image_policy_default();
	p.kind = MAGI_IMAGE_POLICY_OPENAI;
	static const struct fit_case oai[] = {
		{1024, 1024, 768, 768, 765}, {4096, 2160, 1456, 768, 1105}, {1280, 720, 1280, 720, 1105},
		{512, 512, 512, 512, 255},   {600, 8000, 154, 2048, 765},   {2048, 768, 2048, 768, 1445},
	};
	for (size_t i = 0; i < sizeof oai / sizeof oai[0]; i++) {
		magi_image_policy_fit(&p, oai[i].w, oai[i].h, &ow, &oh);
		uint32_t t = magi_image_policy_tokens(&p, ow, oh);
		CHECK_MSG(ow == oai[i].ow && oh == oai[i].oh && t == oai[i].tokens,
			  "openai %ux%u -> %ux%u (%u tokens), want %ux%u (%u)", oai[i].w, oai[i].h, ow, oh, t,
			  oai[i].ow, oai[i].oh, oai[i].tokens);
	}
	p.tile_tokens = 0; /* zero means the default */
	p.base_tokens = 0;
	CHECK(magi_image_policy_tokens(&p, 1024, 1024) == 85 + 4 * 170);

	/* NONE: as captured under the cap; over it, shrunk keeping the aspect */
	p = magi_image_policy_default();
	p.kind = MAGI_IMAGE_POLICY_NONE;
	magi_image_policy_fit(&p, 1280, 720, &ow, &oh);
	CHECK(ow == 1280 && oh == 720 && magi_image_policy_tokens(&p, ow, oh) == 46 * 26);
	/* 1920x1080 under 1003520: s = sqrt(1003520/2073600) = 0.69566, 1335.7 -> 1335, 751.3 -> 751 */
	magi_image_policy_fit(&p, 1920, 1080, &ow, &oh);
	CHECK_MSG(ow == 1335 && oh == 751, "%ux%u", ow, oh);
	p.max_pixels = 0;
	magi_image_policy_fit(&p, 7680, 4320, &ow, &oh);
	CHECK(ow == 7680 && oh == 4320);
	magi_image_policy_fit(NULL, 1280, 720, &ow, &oh); /* NULL is the default policy */
	CHECK(ow == 1288 && oh == 728);
	CHECK(magi_image_policy_tokens(&p, 0, 10) == 0);

	enum magi_image_policy_kind k = MAGI_IMAGE_POLICY_NONE;
	CHECK(magi_image_policy_kind_parse("qwen", &k) == MAGI_OK && k == MAGI_IMAGE_POLICY_QWEN);
	CHECK(magi_image_policy_kind_parse("OpenAI", &k) == MAGI_OK && k == MAGI_IMAGE_POLICY_OPENAI);
	CHECK(magi_image_policy_kind_parse("none", &k) == MAGI_OK && k == MAGI_IMAGE_POLICY_NONE);
	CHECK(magi_image_policy_kind_parse("gemini", &k) == MAGI_ERR_INVALID && k == MAGI_IMAGE_POLICY_NONE);
	CHECK(magi_image_policy_kind_parse(NULL, &k) == MAGI_ERR_INVALID);
}

int main(void)
{
	test_new();
	test_fixtures();
	test_png_roundtrip();
	test_jpeg_roundtrip();
	test_bad_input();
	test_files_and_data_url();
	test_resize();
	test_crop();
	test_draw();
	test_diff();
	test_policy();
	return check_done();
}
