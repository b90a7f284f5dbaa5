/* png_read.c — the common PNG, read fast: 8-bit RGB or RGBA, not interlaced (what screen
 * grabbers and ImageMagick's PNG24/PNG32 write). The IDAT chunks are gathered (each one's
 * CRC-32 checked), their zlib stream is inflated by libdeflate in one call straight into
 * the image's own memory, and the row filters (W3C PNG 2nd edition, section 9: None, Sub,
 * Up, Average, Paeth) are undone in place, row by row. libpng's row-at-a-time zlib inflate
 * was about 25 ms of a 4K screen's decode; libdeflate's whole-buffer inflate is what this
 * file is for.
 *
 * Anything else — other depths and colour types, palettes, interlacing, tRNS, an unknown
 * critical chunk — and anything found wrong (a bad CRC, a bad zlib header or stream, too
 * little or too much pixel data, an unknown filter type) returns MAGI_ERR_UNSUPPORTED, and
 * codec.c decodes the file with libpng, which converts the rare formats and names the
 * problem in its error ("shot.png: bad PNG data: IDAT: CRC error"). A bad file therefore
 * costs two attempts; a good one, one.
 *
 * Like libpng as codec.c configures it, the zlib stream's Adler-32 is not checked (the
 * chunks' CRC-32s cover every compressed byte) and nothing after the image data is read:
 * the chunks that follow the last IDAT (and IEND) carry nothing used here. */
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "magi/vision.h"
#include "vision/vision_internal.h"
#include "core/common.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool chunk_name_ok(const uint8_t *t)
{
	for (int i = 0; i < 4; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z')))
			return false;
	return true;
}

/* The chunk at p[off]: its data length and whether it lies wholly inside the file and its
 * CRC-32 (over type and data) holds. */
static bool chunk_at(const uint8_t *p, size_t n, size_t off, uint32_t *len, bool check_crc)
{
	if (off > n || n - off < 12)
		return false;
	*len = be32(p + off);
	if (*len > 0x7fffffffu || n - off - 12 < *len || !chunk_name_ok(p + off + 4))
		return false;
	return !check_crc ||
	       libdeflate_crc32(0, p + off + 4, 4 + (size_t)*len) == be32(p + off + 8 + *len);
}

/* ---- the row filters, undone ---------------------------------------------------------- *
 * cur is the filtered row (its bytes after the filter-type byte), prev the row above,
 * already unfiltered (NULL for the first row: all zeros), out where the row goes. out may
 * lie before cur in the same buffer (the in-place RGB case: out = cur - k, k >= 1), so every
 * loop reads cur[i] before it writes out[i] and never writes past it: no restrict here. */
static uint8_t paeth(uint8_t a, uint8_t b, uint8_t c)
{
	int pa = abs((int)b - c), pb = abs((int)a - c), pc = abs((int)a + b - 2 * c);
	if (pa <= pb && pa <= pc)
		return a;
	return pb <= pc ? b : c;
}

#define CHUNK 16
/* Up, 16 bytes at a time: each chunk is loaded whole before it is stored, so an out that
 * trails cur by any k >= 1 never overwrites bytes still to be read. */
static void up_row(const uint8_t *cur, const uint8_t *prev, uint8_t *out, size_t n)
{
	size_t i = 0;
	for (; i + CHUNK <= n; i += CHUNK) {
		uint8_t x[CHUNK], y[CHUNK];
		memcpy(x, cur + i, CHUNK);
		memcpy(y, prev + i, CHUNK);
		for (int k = 0; k < CHUNK; k++)
			x[k] = (uint8_t)(x[k] + y[k]);
		memcpy(out + i, x, CHUNK);
	}
	for (; i < n; i++)
		out[i] = (uint8_t)(cur[i] + prev[i]);
}

/* Sub and Paeth for 3- and 4-byte pixels, channels unrolled by hand so that the left
 * pixel (a) and the upper left (c) stay in registers. Paeth with no row above (prev all
 * zeros) is Sub. Where the row above is flat (above == upper left, as over most of a
 * screen) the Paeth predictor is the left byte: one add instead of the choice. */
#define SUB_CH(k) out[i + k] = a##k = (uint8_t)(cur[i + k] + a##k)
#define PAETH_CH(k)                                                                                \
	do {                                                                                       \
		uint8_t b_ = prev[i + k];                                                          \
		out[i + k] = a##k =                                                                \
		    (uint8_t)(cur[i + k] + (b_ == c##k ? a##k : paeth(a##k, b_, c##k)));           \
		c##k = b_;                                                                         \
	} while (0)

/* Flat runs. Over most of a screen a Sub or Paeth row's residuals are 0 and the row above
 * is flat, so the row just repeats its left pixel: where the pixel at hand is such, the
 * next RUN bytes (16 pixels) are checked at once and, when they are all so, filled from a
 * pattern of the left pixel. A failed check is not tried again for RUN bytes. Filling
 * out[i, i + RUN) never reaches cur[i + RUN] in place (out trails cur). */
#define RUN 48
#ifdef __SSE2__
/* 16 bytes at a time in vector registers: the scalar form (memcpy into uint64_t arrays)
 * went through the stack and was a quarter of the decode's time on screens. */
static bool zero_run(const uint8_t *p)
{
	__m128i v = _mm_or_si128(_mm_or_si128(_mm_loadu_si128((const __m128i *)p),
					      _mm_loadu_si128((const __m128i *)(p + 16))),
				 _mm_loadu_si128((const __m128i *)(p + 32)));
	return _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())) == 0xffff;
}

/* p[0, RUN) == p[3, RUN + 3): the row above is flat across the run (p = prev + i - 3) */
static bool flat_run(const uint8_t *p)
{
	__m128i d = _mm_setzero_si128();
	for (int k = 0; k < RUN; k += 16)
		d = _mm_or_si128(d, _mm_xor_si128(_mm_loadu_si128((const __m128i *)(p + k)),
						  _mm_loadu_si128((const __m128i *)(p + k + 3))));
	return _mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128())) == 0xffff;
}
#else
static bool zero_run(const uint8_t *p)
{
	uint64_t v[RUN / 8];
	memcpy(v, p, RUN);
	return !(v[0] | v[1] | v[2] | v[3] | v[4] | v[5]);
}

/* p[0, RUN) == p[3, RUN + 3): the row above is flat across the run (p = prev + i - 3) */
static bool flat_run(const uint8_t *p)
{
	uint64_t x[RUN / 8], y[RUN / 8];
	memcpy(x, p, RUN);
	memcpy(y, p + 3, RUN);
	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4]) |
		 (x[5] ^ y[5]));
}
#endif

static void fill_run(uint8_t *out, uint8_t pat[RUN], uint8_t a0, uint8_t a1, uint8_t a2)
{
	if (pat[0] != a0 || pat[1] != a1 || pat[2] != a2)
		for (int k = 0; k < RUN; k += 3) {
			pat[k] = a0;
			pat[k + 1] = a1;
			pat[k + 2] = a2;
		}
	memcpy(out, pat, RUN);
}

static void sub_row3(const uint8_t *cur, uint8_t *out, size_t n)
{
	uint8_t a0 = 0, a1 = 0, a2 = 0, pat[RUN] = {0};
	size_t retry = 0;
	for (size_t i = 0; i < n;) {
		if (i >= retry && i + RUN <= n && !(cur[i] | cur[i + 1] | cur[i + 2])) {
			if (zero_run(cur + i)) {
				fill_run(out + i, pat, a0, a1, a2);
				i += RUN;
				continue;
			}
			retry = i + RUN;
		}
		SUB_CH(0);
		SUB_CH(1);
		SUB_CH(2);
		i += 3;
	}
}

static void sub_row4(const uint8_t *cur, uint8_t *out, size_t n)
{
	uint8_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	for (size_t i = 0; i < n; i += 4) {
		SUB_CH(0);
		SUB_CH(1);
		SUB_CH(2);
		SUB_CH(3);
	}
}

static void paeth_row3(const uint8_t *cur, const uint8_t *prev, uint8_t *out, size_t n)
{
	uint8_t a0 = 0, a1 = 0, a2 = 0, c0 = 0, c1 = 0, c2 = 0, pat[RUN] = {0};
	size_t retry = 3;
	for (size_t i = 0; i < n;) {
		if (i >= retry && i + RUN <= n && !(cur[i] | cur[i + 1] | cur[i + 2]) &&
		    prev[i] == c0 && prev[i + 1] == c1 && prev[i + 2] == c2) {
			if (zero_run(cur + i) && flat_run(prev + i - 3)) {
				fill_run(out + i, pat, a0, a1, a2);
				i += RUN; /* the row above is flat: c stays */
				continue;
			}
			retry = i + RUN;
		}
		PAETH_CH(0);
		PAETH_CH(1);
		PAETH_CH(2);
		i += 3;
	}
}

static void paeth_row4(const uint8_t *cur, const uint8_t *prev, uint8_t *out, size_t n)
{
	uint8_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0;
	for (size_t i = 0; i < n; i += 4) {
		PAETH_CH(0);
		PAETH_CH(1);
		PAETH_CH(2);
		PAETH_CH(3);
	}
}

/* Undoes one row's filter (n = w * bpp bytes); false for an unknown filter type. */
static bool unfilter_row(int type, const uint8_t *cur, const uint8_t *prev, uint8_t *out, size_t n,
			 unsigned bpp)
{
	switch (type) {
	case 0:
		memmove(out, cur, n);
		return true;
	case 1:
	case 4:
		if (type == 4 && prev)
			bpp == 3 ? paeth_row3(cur, prev, out, n) : paeth_row4(cur, prev, out, n);
		else
			bpp == 3 ? sub_row3(cur, out, n) : sub_row4(cur, out, n);
		return true;
	case 2: /* Up: the byte above */
		if (prev)
			up_row(cur, prev, out, n);
		else
			memmove(out, cur, n);
		return true;
	case 3: /* Average of left and above, rounded down (rare: a plain loop) */
		for (size_t i = 0; i < n; i++) {
			unsigned left = i >= bpp ? out[i - bpp] : 0, up = prev ? prev[i] : 0;
			out[i] = (uint8_t)(cur[i] + ((left + up) >> 1));
		}
		return true;
	default:
		return false;
	}
}

void magi__rgba_over_white(const uint8_t *src, uint8_t *dst, uint32_t w)
{
	for (uint32_t x = 0; x < w; x++, src += 4, dst += 3) {
		unsigned a = src[3], na = 255 - a;
		dst[0] = (uint8_t)((src[0] * a + 255 * na + 127) / 255);
		dst[1] = (uint8_t)((src[1] * a + 255 * na + 127) / 255);
		dst[2] = (uint8_t)((src[2] * a + 255 * na + 127) / 255);
	}
}

/* Inflates the zlib stream z (header checked, Adler-32 not) into exactly want bytes. */
static bool inflate_all(const uint8_t *z, size_t zn, uint8_t *out, size_t want)
{
	/* CMF: deflate with a window of at most 32 KiB; FLG: the check bits, no preset
	 * dictionary (RFC 1950 section 2.2) */
	if (zn < 2 || (z[0] & 0x0f) != 8 || (z[0] >> 4) > 7 || (z[1] & 0x20) ||
	    ((z[0] << 8) | z[1]) % 31)
		return false;
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	if (!d)
		return false;
	size_t got = 0;
	enum libdeflate_result r =
	    libdeflate_deflate_decompress_ex(d, z + 2, zn - 2, out, want, NULL, &got);
	libdeflate_free_decompressor(d);
	return r == LIBDEFLATE_SUCCESS && got == want;
}

magi_status magi__png_read_fast(const uint8_t *p, size_t n, struct magi_image **out)
{
	*out = NULL;
	uint32_t len;
	/* IHDR first, 13 bytes: width, height, depth, colour type, compression, filter, interlace
	 */
	if (n < 8 || !chunk_at(p, n, 8, &len, true) || memcmp(p + 12, "IHDR", 4) || len != 13)
		return MAGI_ERR_UNSUPPORTED;
	const uint8_t *ih = p + 16;
	uint32_t w = be32(ih), h = be32(ih + 4);
	if (ih[8] != 8 || (ih[9] != 2 && ih[9] != 6) || ih[10] || ih[11] || ih[12])
		return MAGI_ERR_UNSUPPORTED;
	if (w == 0 || h == 0 || w > MAGI_IMAGE_MAX_SIDE || h > MAGI_IMAGE_MAX_SIDE ||
	    (uint64_t)w * h > MAGI_IMAGE_MAX_PIXELS)
		return MAGI_ERR_UNSUPPORTED; /* libpng's path gives the limit error */
	unsigned bpp = ih[9] == 6 ? 4 : 3;

	/* Up to the first IDAT: ancillary chunks are skipped unread (as libpng discards one
	 * with a bad CRC), except tRNS, which would make RGB transparent; a critical chunk
	 * other than IDAT (a PLTE, an unknown one) is left to libpng. */
	size_t off = 8 + 12 + 13;
	for (;;) {
		if (!chunk_at(p, n, off, &len, false))
			return MAGI_ERR_UNSUPPORTED;
		const uint8_t *t = p + off + 4;
		if (!memcmp(t, "IDAT", 4))
			break;
		if (!(t[0] & 0x20) || !memcmp(t, "tRNS", 4))
			return MAGI_ERR_UNSUPPORTED;
		off += 12 + (size_t)len;
	}
	/* The consecutive IDATs: one chunk is inflated where it lies, several are joined. */
	size_t first = off, total = 0, count = 0;
	while (chunk_at(p, n, off, &len, false) && !memcmp(p + off + 4, "IDAT", 4)) {
		if (!chunk_at(p, n, off, &len, true))
			return MAGI_ERR_UNSUPPORTED; /* a bad CRC: libpng says so */
		total += len;
		count++;
		off += 12 + (size_t)len;
	}
	/* Deflate expands at most about 1032:1: rows that so little data cannot hold mean a
	 * cut or forged file, declined before any pixel memory exists (libpng's path refuses
	 * it, also before allocating, as truncated). */
	size_t rb = (size_t)w * bpp, raw = (rb + 1) * h;
	if (raw / 1100 > total)
		return MAGI_ERR_UNSUPPORTED;
	uint8_t *joined = NULL;
	const uint8_t *z = p + first + 8;
	if (count > 1) {
		if (!(joined = malloc(total ? total : 1)))
			return MAGI_ERR_UNSUPPORTED;
		size_t at = 0;
		for (size_t o = first; at < total; o += 12 + (size_t)len) {
			len = be32(p + o);
			memcpy(joined + at, p + o + 8, len);
			at += len;
		}
		z = joined;
	}

	/* Rows as stored: a filter-type byte, then w * bpp bytes. For RGB they are inflated
	 * into the image's own memory (h bytes longer) and unfiltered in place, each row moving
	 * y + 1 bytes back to its place; for RGBA into a scratch buffer, then composited. */
	struct magi_image *img = NULL;
	uint8_t *buf = NULL;
	magi_status s =
	    bpp == 3 ? magi__image_new_raw_pad(w, h, h, &img) : magi__image_new_raw(w, h, &img);
	if (!s && bpp == 3)
		buf = img->px;
	else if (!s && !(buf = magi__pixels_alloc(raw)))
		s = MAGI_ERR_NOMEM;
	bool ok = !s && inflate_all(z, total, buf, raw);
	free(joined);
	for (uint32_t y = 0; ok && y < h; y++) {
		const uint8_t *row = buf + (size_t)y * (rb + 1);
		if (bpp == 3) {
			uint8_t *dst = img->px + (size_t)y * img->stride;
			ok =
			    unfilter_row(row[0], row + 1, y ? dst - img->stride : NULL, dst, rb, 3);
		} else {
			uint8_t *cur = (uint8_t *)row + 1;
			ok = unfilter_row(row[0], cur, y ? cur - rb - 1 : NULL, cur, rb, 4);
			if (ok)
				magi__rgba_over_white(cur, img->px + (size_t)y * img->stride, w);
		}
	}
	if (bpp == 4)
		magi__pixels_free(buf);
	if (!ok) {
		magi_image_free(img);
		return MAGI_ERR_UNSUPPORTED;
	}
	*out = img;
	return MAGI_OK;
}
