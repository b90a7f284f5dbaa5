/* test_png_read.c — png_read.c, the libdeflate reader of the common PNG (8-bit RGB/RGBA):
 * it must give exactly libpng's pixels (codec.c's other path) on ImageMagick-written
 * screens and on PNGs written here with every filter type (None, Sub, Up, Average, Paeth,
 * and all mixed), one row, one column, one pixel, IDAT split into many chunks, ancillary
 * chunks before the data; it must decline what it does not handle (16-bit, palette,
 * interlaced, gray, tRNS) and every bad file (bad CRC, unknown filter type, bad zlib
 * header or stream, too little or too much data, truncation), so that libpng names the
 * problem: magi_image_decode's error names the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include "check.h"
#include "magi/vision.h"
#include "vision/vision_internal.h"
#include "core/common.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void chunk(struct magi_buf *b, const char *type, const uint8_t *data, size_t n)
{
	uint8_t h[8];
	put32(h, (uint32_t)n);
	memcpy(h + 4, type, 4);
	REQUIRE(magi_buf_append(b, h, 8) == MAGI_OK);
	if (n)
		REQUIRE(magi_buf_append(b, data, n) == MAGI_OK);
	uint32_t crc = libdeflate_crc32(libdeflate_crc32(0, type, 4), data, n);
	put32(h, crc);
	REQUIRE(magi_buf_append(b, h, 4) == MAGI_OK);
}

static uint8_t paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
	return (uint8_t)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

/* What a test PNG looks like. filter: 0-4 for every row, 5 for row y's type y % 5. */
struct spec {
	uint32_t w, h;
	unsigned bpp; /* 3 RGB, 4 RGBA */
	int filter;
	size_t split;	  /* IDAT chunk size (0: one chunk) */
	size_t raw_extra; /* rows' bytes: +n appended, or with raw_cut, n dropped */
	bool raw_cut, trns, text;
	int bad_filter_row; /* >= 0: that row's filter type set to 5 */
};

/* Writes the PNG of pixels px (w*h*bpp bytes) per spec into b. */
static void write_png(const uint8_t *px, const struct spec *s, struct magi_buf *b)
{
	size_t rb = (size_t)s->w * s->bpp, raw_n = (rb + 1) * s->h;
	uint8_t *raw = calloc(raw_n + s->raw_extra + 1, 1);
	REQUIRE(raw);
	for (uint32_t y = 0; y < s->h; y++) {
		const uint8_t *cur = px + y * rb, *up = y ? cur - rb : NULL;
		uint8_t *o = raw + y * (rb + 1);
		int t = s->filter == 5 ? (int)(y % 5) : s->filter;
		o[0] = (uint8_t)((int)y == s->bad_filter_row ? 5 : t);
		for (size_t i = 0; i < rb; i++) {
			int a = i >= s->bpp ? cur[i - s->bpp] : 0, u = up ? up[i] : 0,
			    c = up && i >= s->bpp ? up[i - s->bpp] : 0;
			int pred = t == 0   ? 0
				   : t == 1 ? a
				   : t == 2 ? u
				   : t == 3 ? (a + u) / 2
					    : paeth(a, u, c);
			o[1 + i] = (uint8_t)(cur[i] - pred);
		}
	}
	size_t n = s->raw_cut ? raw_n - s->raw_extra : raw_n + s->raw_extra;
	struct libdeflate_compressor *z = libdeflate_alloc_compressor(6);
	REQUIRE(z);
	size_t zcap = libdeflate_zlib_compress_bound(z, n);
	uint8_t *zd = malloc(zcap);
	REQUIRE(zd);
	size_t zn = libdeflate_zlib_compress(z, raw, n, zd, zcap);
	REQUIRE(zn > 0);
	libdeflate_free_compressor(z);

	magi_buf_reset(b);
	REQUIRE(magi_buf_append(b, "\x89PNG\r\n\x1a\n", 8) == MAGI_OK);
	uint8_t ih[13] = {0};
	put32(ih, s->w);
	put32(ih + 4, s->h);
	ih[8] = 8;
	ih[9] = s->bpp == 4 ? 6 : 2;
	chunk(b, "IHDR", ih, 13);
	if (s->text)
		chunk(b, "tEXt", (const uint8_t *)"Comment\0made by test_png_read", 29);
	if (s->trns)
		chunk(b, "tRNS", (const uint8_t *)"\0\1\0\2\0\3", 6);
	size_t step = s->split ? s->split : zn;
	for (size_t at = 0; at < zn; at += step)
		chunk(b, "IDAT", zd + at, MAGI_MIN(step, zn - at));
	chunk(b, "IEND", NULL, 0);
	free(zd);
	free(raw);
}

/* Pixels with flat runs (40 pixels long in a wide image: png_read's runs of 16), edges and
 * noise, so that every predictor branch is taken. */
static uint8_t *make_pixels(uint32_t w, uint32_t h, unsigned bpp, uint32_t seed)
{
	uint8_t *px = malloc((size_t)w * h * bpp);
	REQUIRE(px);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			for (unsigned c = 0; c < bpp; c++) {
				seed = seed * 1103515245u + 12345u;
				uint8_t v = (x / (w > 64 ? 40 : 5) + y / 3) % 3
						? (uint8_t)(40 * c + 200 * (y % 2))
						: (uint8_t)(seed >> 16);
				if (c == 3)
					v = (uint8_t)(x * 37 +
						      y * 11); /* alpha: every level, 0 and 255 */
				px[((size_t)y * w + x) * bpp + c] = v;
			}
	return px;
}

static bool same(const struct magi_image *a, const struct magi_image *b)
{
	if (!a || !b || a->w != b->w || a->h != b->h)
		return false;
	for (uint32_t y = 0; y < a->h; y++)
		if (memcmp(a->px + (size_t)y * a->stride, b->px + (size_t)y * b->stride,
			   (size_t)a->w * 3))
			return false;
	return true;
}

/* The fast reader takes it, libpng agrees, and both match the pixels written. */
static void check_decodes(const struct magi_buf *b, const uint8_t *px, const struct spec *s,
			  const char *label)
{
	struct magi_image *f = NULL, *l = NULL;
	struct magi_error e;
	magi_status fs = magi__png_read_fast((const uint8_t *)b->data, b->len, &f);
	CHECK_MSG(fs == MAGI_OK && f, "%s: the fast reader declined it", label);
	magi_status ls = magi__png_decode_libpng((const uint8_t *)b->data, b->len, label, &l, &e);
	CHECK_MSG(ls == MAGI_OK, "%s: libpng: %s", label, e.msg);
	if (f && l) {
		CHECK_MSG(same(f, l), "%s: fast and libpng pixels differ", label);
		bool exact = true;
		for (uint32_t y = 0; y < s->h && exact; y++)
			for (uint32_t x = 0; x < s->w && exact; x++) {
				const uint8_t *sp = px + ((size_t)y * s->w + x) * s->bpp,
					      *d = f->px + (size_t)y * f->stride + 3 * x;
				for (int c = 0; c < 3; c++) {
					unsigned a = s->bpp == 4 ? sp[3] : 255;
					unsigned want = (sp[c] * a + 255 * (255 - a) + 127) / 255;
					exact &= d[c] == want;
				}
			}
		CHECK_MSG(exact, "%s: pixels are not the ones written", label);
	}
	magi_image_free(f);
	magi_image_free(l);
}

static void test_filters(void)
{
	static const uint32_t sizes[][2] = {{1, 1},  {1, 9}, {9, 1},  {37, 23},
					    {64, 5}, {2, 2}, {203, 9}};
	struct magi_buf b;
	magi_buf_init(&b, 0);
	char label[96];
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		for (unsigned bpp = 3; bpp <= 4; bpp++) {
			uint8_t *px =
			    make_pixels(sizes[i][0], sizes[i][1], bpp, (uint32_t)(i * 7 + bpp));
			for (int filter = 0; filter <= 5; filter++)
				for (int split = 0; split < 2; split++) {
					struct spec s = {sizes[i][0],	sizes[i][1], bpp,   filter,
							 split ? 7 : 0, 0,	     false, false,
							 split == 1,	-1};
					write_png(px, &s, &b);
					snprintf(label, sizeof label, "%ux%u bpp %u filter %d%s",
						 s.w, s.h, bpp, filter,
						 split ? " in 7-byte IDATs, tEXt" : "");
					check_decodes(&b, px, &s, label);
				}
			free(px);
		}
	magi_buf_release(&b);
}

/* Near-flat rows: a flat colour with one byte one level off, its place moving across the
 * row from one row to the next, so the flat-run checks of Sub and Paeth rows (48 bytes at a
 * time: residuals all zero, the row above flat) meet the odd byte at every offset, in the
 * run itself and in the row above (which Paeth's check reads 3 bytes ahead). */
static void test_near_runs(void)
{
	const uint32_t w = 211, h = 120;
	uint8_t *px = malloc((size_t)w * h * 3);
	REQUIRE(px);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t i = 0; i < w * 3; i++)
			px[(size_t)y * w * 3 + i] = (uint8_t)(i % 3 == 0 ? 30 : i % 3 == 1 ? 150 : 240);
	for (uint32_t y = 1; y < h; y++)
		px[(size_t)y * w * 3 + (y * 13) % (w * 3)] += (uint8_t)(y % 2 ? 1 : 255);
	struct magi_buf b;
	magi_buf_init(&b, 0);
	char label[64];
	for (int filter = 1; filter <= 5; filter += 3) { /* Sub, Paeth, and all mixed */
		struct spec sp = {w, h, 3, filter, 0, 0, false, false, false, -1};
		write_png(px, &sp, &b);
		snprintf(label, sizeof label, "near-flat %ux%u filter %d", w, h, filter);
		check_decodes(&b, px, &sp, label);
	}
	magi_buf_release(&b);
	free(px);
}

static void read_fixture(const char *name, struct magi_buf *f)
{
	char path[1024];
	struct magi_error e;
	snprintf(path, sizeof path, "%s/tests/data/%s", MAGI_SRC_DIR, name);
	magi_buf_init(f, 0);
	REQUIRE(magi_file_read(path, f, &e) == MAGI_OK);
}

/* Files ImageMagick wrote (its own filter choice per row), cut from a generated screen. */
static void test_imagemagick(void)
{
	const char *names[] = {"img_screen.png", "img_screen_rgba.png"};
	for (size_t i = 0; i < 2; i++) {
		struct magi_buf f;
		struct magi_error e;
		read_fixture(names[i], &f);
		struct magi_image *a = NULL, *l = NULL;
		CHECK_MSG(magi__png_read_fast((uint8_t *)f.data, f.len, &a) == MAGI_OK,
			  "%s declined", names[i]);
		CHECK(magi__png_decode_libpng((uint8_t *)f.data, f.len, names[i], &l, &e) ==
		      MAGI_OK);
		CHECK_MSG(a && l && same(a, l) && a->w >= 200, "%s: fast and libpng pixels differ",
			  names[i]);
		magi_image_free(a);
		magi_image_free(l);
		magi_buf_release(&f);
	}
}

/* Declines what libpng must convert: the fixtures of test_image, and RGB with tRNS. */
static void test_declines(void)
{
	const char *names[] = {"img_rgb16.png", "img_palette.png", "img_interlaced.png",
			       "img_gray8.png", "img_graya.png"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct magi_buf f;
		struct magi_error e;
		read_fixture(names[i], &f);
		struct magi_image *a = (struct magi_image *)1;
		CHECK_MSG(
		    magi__png_read_fast((uint8_t *)f.data, f.len, &a) == MAGI_ERR_UNSUPPORTED && !a,
		    "%s taken", names[i]);
		CHECK_MSG(magi_image_decode(f.data, f.len, names[i], &a, &e) == MAGI_OK, "%s: %s",
			  names[i], e.msg);
		magi_image_free(a);
		magi_buf_release(&f);
	}
	uint8_t *px = make_pixels(8, 4, 3, 1);
	struct spec s = {8, 4, 3, 5, 0, 0, false, true, false, -1};
	struct magi_buf b;
	magi_buf_init(&b, 0);
	write_png(px, &s, &b);
	struct magi_image *a = (struct magi_image *)1;
	CHECK(magi__png_read_fast((uint8_t *)b.data, b.len, &a) == MAGI_ERR_UNSUPPORTED && !a);
	magi_buf_release(&b);
	free(px);
}

/* A bad file is declined by the fast reader and refused by magi_image_decode, with the
 * file's name and the problem in the message. */
static void expect_bad(const void *p, size_t n, const char *name, const char *problem)
{
	struct magi_image *a = (struct magi_image *)1;
	struct magi_error e;
	CHECK_MSG(magi__png_read_fast(p, n, &a) == MAGI_ERR_UNSUPPORTED && !a, "%s taken", name);
	a = (struct magi_image *)1;
	magi_status s = magi_image_decode(p, n, name, &a, &e);
	CHECK_MSG(s == MAGI_ERR_IMAGE && !a, "%s: status %d", name, s);
	char want[128];
	snprintf(want, sizeof want, "%s: ", name);
	CHECK_CONTAINS(e.msg, want);
	if (problem)
		CHECK_CONTAINS(e.msg, problem);
}

static void test_bad(void)
{
	uint8_t *px = make_pixels(40, 30, 3, 5);
	struct magi_buf b;
	magi_buf_init(&b, 0);
	struct spec s = {40, 30, 3, 5, 0, 0, false, false, false, -1};
	write_png(px, &s, &b);
	uint8_t *p = malloc(b.len);
	REQUIRE(p);
	/* a flipped bit inside the IDAT data: its CRC no longer holds */
	memcpy(p, b.data, b.len);
	p[33 + 8 + 20] ^= 0x10;
	expect_bad(p, b.len, "flip.png", NULL); /* libpng's inflate may see the damage first */
	/* the data intact, its CRC wrong */
	memcpy(p, b.data, b.len);
	uint32_t idat_len =
	    (uint32_t)p[33] << 24 | (uint32_t)p[34] << 16 | (uint32_t)p[35] << 8 | p[36];
	p[33 + 8 + idat_len] ^= 0x01;
	expect_bad(p, b.len, "crc.png", "CRC");
	/* truncated inside the data and just before the end of the IDAT chunk */
	expect_bad(b.data, b.len / 2, "half.png", "truncated");
	expect_bad(b.data, b.len - 14, "cut.png", NULL);
	/* an unknown filter type (5) in row 17, CRCs right */
	s.bad_filter_row = 17;
	write_png(px, &s, &b);
	expect_bad(b.data, b.len, "filter.png", "filter");
	s.bad_filter_row = -1;
	/* a bad zlib header (CM 7), CRC right */
	write_png(px, &s, &b);
	memcpy(p, b.data, b.len);
	p[33 + 8] = (uint8_t)((p[33 + 8] & 0xf0) | 7);
	put32(p + 33 + 8 + idat_len, libdeflate_crc32(0, p + 33 + 4, 4 + idat_len));
	expect_bad(p, b.len, "zlib.png", NULL);
	/* a broken deflate stream (garbage after the zlib header), CRC right */
	memcpy(p, b.data, b.len);
	memset(p + 33 + 8 + 2, 0xff, idat_len - 2);
	put32(p + 33 + 8 + idat_len, libdeflate_crc32(0, p + 33 + 4, 4 + idat_len));
	expect_bad(p, b.len, "deflate.png", NULL);
	/* too little pixel data (the last 40 bytes of rows missing from the stream) */
	s.raw_extra = 40;
	s.raw_cut = true;
	write_png(px, &s, &b);
	expect_bad(b.data, b.len, "short.png", NULL);
	/* a forged IHDR claiming 8000x8000 over these few bytes: declined (png_read.c does so
	 * before allocating the 192 MB image) and refused by libpng's path as truncated */
	REQUIRE((p = realloc(p, b.len)));
	memcpy(p, b.data, b.len);
	put32(p + 16, 8000);
	put32(p + 20, 8000);
	put32(p + 29, libdeflate_crc32(0, p + 12, 17));
	expect_bad(p, b.len, "forged.png", "truncated");
	/* too much: libpng may accept the extra bytes; whatever it decides, the fast reader
	 * leaves it to libpng, which then gives the image it always gave */
	s.raw_cut = false;
	write_png(px, &s, &b);
	struct magi_image *a = (struct magi_image *)1;
	CHECK(magi__png_read_fast((uint8_t *)b.data, b.len, &a) == MAGI_ERR_UNSUPPORTED && !a);
	free(p);
	free(px);
	magi_buf_release(&b);
}

/* Screen-sized buffers are reused after a free (image.c's spare); a reused one must still
 * come back cleared from magi_image_new. */
static void test_spare_cleared(void)
{
	struct magi_image *a = NULL, *b = NULL;
	REQUIRE(magi__image_new_raw(1600, 1000, &a) == MAGI_OK);
	memset(a->px, 0xAB, (size_t)a->stride * a->h);
	uint8_t *old = a->px;
	magi_image_free(a);
	REQUIRE(magi_image_new(1500, 1000, &b) == MAGI_OK);
	CHECK(b->px == old); /* the spare was taken */
	bool zero = true;
	for (size_t i = 0; i < (size_t)b->stride * b->h; i++)
		zero &= b->px[i] == 0;
	CHECK(zero);
	magi_image_free(b);
}

int main(void)
{
	test_filters();
	test_near_runs();
	test_imagemagick();
	test_declines();
	test_bad();
	test_spare_cleared();
	return check_done();
}
