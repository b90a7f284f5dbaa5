/* transform.c — resize (area averaging down, bilinear up) and crop.
 *
 * Resize is separable and in fixed point: each output column (then row) is a short list of
 * source taps with integer weights that sum exactly to a power of two, so a uniform colour
 * stays exactly uniform and a 2x downscale is the exact rounded mean of each 2x2 block.
 * The horizontal pass runs once per source row into a 16-bit intermediate with 8 fraction
 * bits; the vertical pass accumulates those rows in 32 bits. It is on the hot path of every
 * step (screenshot -> model size), so the inner loops are plain and vectorizable. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "magi/vision.h"
#include "core/common.h"

#define HBITS 14 /* horizontal weights sum to 1 << HBITS */
#define VBITS 16 /* vertical weights sum to 1 << VBITS */
#define IBITS 8  /* fraction bits kept in the intermediate */

/* For each output index: taps start at src index `first`, `count` of them, weights in
 * `w[off .. off+count)`. */
struct taps {
	uint32_t *first, *count, *off;
	int32_t *w;
};

static void taps_free(struct taps *t)
{
	free(t->first);
	free(t->count);
	free(t->off);
	free(t->w);
}

/* Builds the taps mapping src samples to dst samples with weights summing to 1 << bits.
 * Downscale (or same size): box filter, each output averages the source interval it
 * covers, partially covered samples weighted by their overlap. Upscale: linear
 * interpolation between the two nearest source samples (pixel centres aligned). */
static magi_status taps_make(uint32_t src, uint32_t dst, int bits, struct taps *t)
{
	memset(t, 0, sizeof *t);
	double scale = (double)src / dst;
	size_t max_taps = scale > 1 ? (size_t)ceil(scale) + 2 : 2;
	t->first = malloc(dst * sizeof *t->first);
	t->count = malloc(dst * sizeof *t->count);
	t->off = malloc(dst * sizeof *t->off);
	t->w = malloc(dst * max_taps * sizeof *t->w);
	if (!t->first || !t->count || !t->off || !t->w) {
		taps_free(t);
		return MAGI_ERR_NOMEM;
	}
	const int32_t one = (int32_t)1 << bits;
	size_t off = 0;
	double fw[64];
	for (uint32_t i = 0; i < dst; i++) {
		uint32_t first, count;
		double *wd = fw, *heap = NULL;
		if (scale >= 1) {
			double lo = i * scale, hi = (i + 1) * scale;
			first = (uint32_t)floor(lo);
			uint32_t last = (uint32_t)ceil(hi);
			if (last > src)
				last = src;
			if (last <= first)
				last = first + 1;
			count = last - first;
			if (count > MAGI_ARRAY_LEN(fw)) {
				heap = malloc(count * sizeof *heap);
				if (!heap) {
					taps_free(t);
					return MAGI_ERR_NOMEM;
				}
				wd = heap;
			}
			for (uint32_t k = 0; k < count; k++) {
				double a = MAGI_MAX(lo, (double)(first + k)),
				       b = MAGI_MIN(hi, (double)(first + k + 1));
				wd[k] = b > a ? (b - a) / scale : 0;
			}
		} else {
			double c = (i + 0.5) * scale - 0.5;
			if (c < 0)
				c = 0;
			double f = floor(c);
			first = (uint32_t)f;
			if (first >= src - 1) {
				first = src - 1;
				count = 1;
				wd[0] = 1;
			} else {
				count = 2;
				wd[0] = 1 - (c - f);
				wd[1] = c - f;
			}
		}
		/* Quantize, then put the rounding remainder on the heaviest tap so the weights
		 * sum to exactly `one`. */
		int32_t sum = 0;
		uint32_t heavy = 0;
		for (uint32_t k = 0; k < count; k++) {
			t->w[off + k] = (int32_t)lround(wd[k] * one);
			sum += t->w[off + k];
			if (wd[k] > wd[heavy])
				heavy = k;
		}
		t->w[off + heavy] += one - sum;
		free(heap);
		/* Drop zero-weight taps at both ends (from exact boundaries). */
		while (count > 1 && t->w[off] == 0) {
			memmove(t->w + off, t->w + off + 1, (count - 1) * sizeof *t->w);
			first++;
			count--;
		}
		while (count > 1 && t->w[off + count - 1] == 0)
			count--;
		t->first[i] = first;
		t->count[i] = count;
		t->off[i] = (uint32_t)off;
		off += count;
	}
	return MAGI_OK;
}

/* Horizontal taps padded to one width k for every output (zero weights fill in), so the
 * inner loop has a constant trip count the compiler can unroll. */
struct htaps {
	uint32_t *first;
	int32_t *w; /* k per output */
	uint32_t k;
};

static magi_status htaps_make(const struct taps *t, uint32_t src, uint32_t dst, struct htaps *h)
{
	uint32_t k = 1;
	for (uint32_t i = 0; i < dst; i++)
		k = MAGI_MAX(k, t->count[i]);
	h->k = k;
	h->first = malloc(dst * sizeof *h->first);
	h->w = calloc((size_t)dst * k, sizeof *h->w);
	if (!h->first || !h->w) {
		free(h->first);
		free(h->w);
		return MAGI_ERR_NOMEM;
	}
	for (uint32_t i = 0; i < dst; i++) {
		/* start early enough that k taps stay inside the row */
		uint32_t first = t->first[i], pad = 0;
		if (first + k > src) {
			pad = first + k - src;
			first -= pad;
		}
		h->first[i] = first;
		for (uint32_t j = 0; j < t->count[i]; j++)
			h->w[(size_t)i * k + pad + j] = t->w[t->off[i] + j];
	}
	return MAGI_OK;
}

static inline void hpass_k(const uint8_t *src, uint16_t *dst, uint32_t ow, const struct htaps *t,
			   const uint32_t k)
{
	const int shift = HBITS - IBITS;
	const uint32_t round = 1u << (shift - 1);
	for (uint32_t x = 0; x < ow; x++) {
		const uint8_t *s = src + 3 * (size_t)t->first[x];
		const int32_t *w = t->w + (size_t)x * k;
		uint32_t r = round, g = round, b = round;
		for (uint32_t j = 0; j < k; j++, s += 3) {
			uint32_t wk = (uint32_t)w[j];
			r += s[0] * wk;
			g += s[1] * wk;
			b += s[2] * wk;
		}
		dst[3 * x] = (uint16_t)(r >> shift);
		dst[3 * x + 1] = (uint16_t)(g >> shift);
		dst[3 * x + 2] = (uint16_t)(b >> shift);
	}
}

/* One source row -> ow*3 intermediate samples (value * 2^IBITS). Small tap counts (every
 * downscale by less than 3x, every upscale) get their own unrolled copies. */
static void hpass(const uint8_t *src, uint16_t *dst, uint32_t ow, const struct htaps *t)
{
	switch (t->k) {
	case 1:
		hpass_k(src, dst, ow, t, 1);
		break;
	case 2:
		hpass_k(src, dst, ow, t, 2);
		break;
	case 3:
		hpass_k(src, dst, ow, t, 3);
		break;
	case 4:
		hpass_k(src, dst, ow, t, 4);
		break;
	default:
		hpass_k(src, dst, ow, t, t->k);
		break;
	}
}

magi_status magi_image_resize(const struct magi_image *src, uint32_t w, uint32_t h,
			      struct magi_image **out)
{
	if (!out)
		return MAGI_ERR_INVALID;
	*out = NULL;
	if (!src || !src->px || src->w == 0 || src->h == 0)
		return MAGI_ERR_INVALID;
	struct magi_image *dst;
	magi_status s = magi_image_new(w, h, &dst);
	if (s)
		return s;
	if (w == src->w && h == src->h) {
		for (uint32_t y = 0; y < h; y++)
			memcpy(dst->px + (size_t)y * dst->stride, src->px + (size_t)y * src->stride,
			       (size_t)w * 3);
		*out = dst;
		return MAGI_OK;
	}
	struct taps tx, ty;
	struct htaps hx;
	if ((s = taps_make(src->w, w, HBITS, &tx))) {
		magi_image_free(dst);
		return s;
	}
	s = htaps_make(&tx, src->w, w, &hx);
	taps_free(&tx);
	if (s) {
		magi_image_free(dst);
		return s;
	}
	if ((s = taps_make(src->h, h, VBITS, &ty))) {
		free(hx.first);
		free(hx.w);
		magi_image_free(dst);
		return s;
	}
	const size_t rowlen = (size_t)w * 3;
	/* The intermediate is a ring of the last R horizontally resized source rows, R being
	 * the most rows one output row reads: windows only move down, so a row is computed
	 * once and dropped when no later output row needs it (a 1280x720 screenshot needs a
	 * few rows, not 5.5 MB). */
	uint32_t y_lo = ty.first[0], ring = 1;
	for (uint32_t oy = 0; oy < h; oy++)
		ring = MAGI_MAX(ring, ty.count[oy]);
	uint16_t *mid = malloc((size_t)ring * rowlen * sizeof *mid);
	uint32_t *acc = malloc(rowlen * sizeof *acc);
	if (!mid || !acc) {
		free(mid);
		free(acc);
		free(hx.first);
		free(hx.w);
		taps_free(&ty);
		magi_image_free(dst);
		return MAGI_ERR_NOMEM;
	}
	uint32_t done = y_lo; /* source rows [y_lo, done) are in mid */
	const int vshift = VBITS + IBITS;
	const uint32_t vround = 1u << (vshift - 1);
	for (uint32_t oy = 0; oy < h; oy++) {
		uint32_t first = ty.first[oy], n = ty.count[oy];
		for (; done < first + n; done++)
			hpass(src->px + (size_t)done * src->stride, mid + (size_t)((done - y_lo) % ring) * rowlen,
			      w, &hx);
		const int32_t *wy = ty.w + ty.off[oy];
		/* Max sum: 255 << IBITS times 1 << VBITS, plus the rounding term, fits 32 bits. */
		for (size_t k = 0; k < rowlen; k++)
			acc[k] = vround;
		for (uint32_t j = 0; j < n; j++) {
			const uint16_t *m = mid + (size_t)((first + j - y_lo) % ring) * rowlen;
			uint32_t wj = (uint32_t)wy[j];
			for (size_t k = 0; k < rowlen; k++)
				acc[k] += m[k] * wj;
		}
		uint8_t *o = dst->px + (size_t)oy * dst->stride;
		for (size_t k = 0; k < rowlen; k++)
			o[k] = (uint8_t)(acc[k] >> vshift);
	}
	free(mid);
	free(acc);
	free(hx.first);
	free(hx.w);
	taps_free(&ty);
	*out = dst;
	return MAGI_OK;
}

magi_status magi_image_crop(const struct magi_image *src, int x, int y, uint32_t w, uint32_t h,
			    struct magi_image **out)
{
	if (!out)
		return MAGI_ERR_INVALID;
	*out = NULL;
	if (!src || !src->px)
		return MAGI_ERR_INVALID;
	int64_t x0 = MAGI_MAX((int64_t)x, 0), y0 = MAGI_MAX((int64_t)y, 0);
	int64_t x1 = MAGI_MIN((int64_t)x + w, (int64_t)src->w);
	int64_t y1 = MAGI_MIN((int64_t)y + h, (int64_t)src->h);
	if (x1 <= x0 || y1 <= y0)
		return MAGI_ERR_INVALID;
	struct magi_image *dst;
	magi_status s = magi_image_new((uint32_t)(x1 - x0), (uint32_t)(y1 - y0), &dst);
	if (s)
		return s;
	for (uint32_t r = 0; r < dst->h; r++)
		memcpy(dst->px + (size_t)r * dst->stride,
		       src->px + (size_t)(y0 + r) * src->stride + (size_t)x0 * 3, (size_t)dst->w * 3);
	*out = dst;
	return MAGI_OK;
}
