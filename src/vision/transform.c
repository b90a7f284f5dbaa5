/* transform.c — resize (area averaging down, bilinear up) and crop.
 *
 * Resize is separable and in fixed point: each output column (then row) is a short list of
 * source taps with integer weights that sum exactly to a power of two, so a uniform colour
 * stays exactly uniform and a 2x downscale is the exact rounded mean of each 2x2 block.
 * The horizontal pass runs once per source row into a 16-bit intermediate with 7 fraction
 * bits (at most 255 << 7, so it also fits a signed 16-bit lane). The vertical pass, when an
 * output row reads at most NARROW_TAPS source rows (every downscale by less than 15x, every
 * upscale), multiplies in 16 bits keeping each product's high half — the SIMD-friendly
 * form (SSE2's pmulhuw), each product truncated by less than 1/64 of a level, so a result
 * may differ from exact rounding by one level but a uniform colour stays exact; wider
 * reads accumulate exactly in 32 bits.
 *
 * Rows come out one at a time from a resizer (magi__resize_*), so the model image path
 * (codec.c) feeds the JPEG encoder without a resized copy of the whole image; the
 * intermediate is a ring of the few source rows the current output row reads. It is on
 * the hot path of every step (screenshot -> model size), so the inner loops are plain and
 * vectorizable (the build turns on GCC's vectorizer with its dynamic cost model for this
 * file). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "magi/vision.h"
#include "vision/vision_internal.h"
#include "core/common.h"

#define HBITS 14 /* horizontal weights sum to 1 << HBITS */
#define VBITS 15 /* vertical weights sum to 1 << VBITS (fits a 16-bit lane) */
#define IBITS 7  /* fraction bits kept in the intermediate */
#define NARROW_TAPS 16 /* vertical reads up to this many rows use the 16-bit pass */
#define VB 16	       /* samples per block of the vertical pass */

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
	/* SSE2: taps in pairs, each pair's weights as 16-bit lanes {w0 w1 w0 w1 w0 w1 0 0}
	 * (npairs per output, 16-byte aligned); NULL without SSE2 or when the row is too
	 * short for pairs */
	int16_t *w16;
	uint32_t npairs;
	uint32_t x_tail; /* outputs before this one read whole pairs inside the source row */
};

static void htaps_free(struct htaps *h)
{
	free(h->first);
	free(h->w);
	free(h->w16);
}

static magi_status htaps_make(const struct taps *t, uint32_t src, uint32_t dst, struct htaps *h)
{
	uint32_t k = 1;
	for (uint32_t i = 0; i < dst; i++)
		k = MAGI_MAX(k, t->count[i]);
#ifdef __SSE2__
	if (k % 2 && k < src)
		k++; /* whole pairs of taps for the SSE2 pass */
#endif
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
#ifdef __SSE2__
	h->npairs = k / 2;
	if (k % 2 == 0) {
		size_t n = (size_t)dst * h->npairs * 8;
		h->w16 = aligned_alloc(16, (n * sizeof *h->w16 + 15) / 16 * 16);
		if (!h->w16) {
			htaps_free(h);
			return MAGI_ERR_NOMEM;
		}
		h->x_tail = dst;
		for (uint32_t i = 0; i < dst; i++) {
			/* the last pair's 4-byte load reads one byte past its pixels */
			if (h->x_tail == dst && h->first[i] + k >= src)
				h->x_tail = i;
			for (uint32_t p = 0; p < h->npairs; p++) {
				int16_t *l = h->w16 + ((size_t)i * h->npairs + p) * 8;
				for (int c = 0; c < 3; c++) {
					l[2 * c] = (int16_t)h->w[(size_t)i * k + 2 * p];
					l[2 * c + 1] = (int16_t)h->w[(size_t)i * k + 2 * p + 1];
				}
				l[6] = l[7] = 0;
			}
		}
	}
#endif
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

#ifdef __SSE2__
static inline __m128i load_px(const uint8_t *s)
{
	int32_t v;
	memcpy(&v, s, 4);
	return _mm_unpacklo_epi8(_mm_cvtsi32_si128(v), _mm_setzero_si128());
}

/* Outputs [0, n): each pair of taps is its two pixels interleaved channel by channel
 * ({r0 r1 g0 g1 b0 b1 . .}) and multiplied-added with both weights by one pmaddwd. Same
 * integer sums as the scalar pass. Stores write a fourth lane that the next output (or the
 * ring's slack) takes. np is a constant in each copy below, so the pair loop unrolls. */
static inline void hpass_sse2_np(const uint8_t *src, uint16_t *dst, uint32_t n,
				 const struct htaps *t, const uint32_t np)
{
	const __m128i round = _mm_set1_epi32(1 << (HBITS - IBITS - 1));
	const uint32_t *first = t->first;
	const __m128i *w = (const __m128i *)t->w16;
	for (uint32_t x = 0; x < n; x++, dst += 3, w += np) {
		const uint8_t *s = src + 3 * (size_t)first[x];
		__m128i acc = round;
		for (uint32_t p = 0; p < np; p++, s += 6) {
			__m128i ab = _mm_unpacklo_epi16(load_px(s), load_px(s + 3));
			acc = _mm_add_epi32(acc, _mm_madd_epi16(ab, _mm_load_si128(w + p)));
		}
		acc = _mm_srai_epi32(acc, HBITS - IBITS);
		_mm_storel_epi64((__m128i *)dst, _mm_packs_epi32(acc, acc));
	}
}

static void hpass_sse2(const uint8_t *src, uint16_t *dst, uint32_t n, const struct htaps *t)
{
	switch (t->npairs) {
	case 1:
		hpass_sse2_np(src, dst, n, t, 1);
		break;
	case 2:
		hpass_sse2_np(src, dst, n, t, 2);
		break;
	default:
		hpass_sse2_np(src, dst, n, t, t->npairs);
		break;
	}
}
#endif

/* One source row -> ow*3 intermediate samples (value * 2^IBITS). Small tap counts (every
 * downscale by less than 3x, every upscale) get their own unrolled copies. last_row: the
 * row ends the image, so nothing may be read past its pixels. */
static void hpass(const uint8_t *src, uint16_t *dst, uint32_t ow, const struct htaps *t,
		  bool last_row)
{
#ifdef __SSE2__
	if (t->w16) {
		uint32_t n = last_row ? t->x_tail : ow;
		hpass_sse2(src, dst, n, t);
		if (n == ow)
			return;
		struct htaps rest = *t;
		rest.first += n;
		rest.w += (size_t)n * t->k;
		rest.w16 = NULL; /* the tail, scalar */
		hpass(src, dst + 3 * (size_t)n, ow - n, &rest, false);
		return;
	}
#endif
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

struct magi__resizer {
	const struct magi_image *src;
	uint32_t w, h;
	bool copy; /* same size */
	struct taps ty;
	struct htaps hx;
	uint16_t *wy16; /* NARROW: ty's weights as 16-bit lanes */
	bool narrow;
	size_t rowlen;	      /* w * 3 */
	size_t mid_stride;    /* rowlen + a spare lane the SSE2 pass may store into */
	uint16_t *mid;	      /* ring of horizontally resized source rows */
	uint32_t ring, y_lo, done; /* source rows [y_lo, done) are in mid */
	uint32_t *acc;	      /* the wide vertical pass's sums */
	const uint16_t *rows[NARROW_TAPS];
};

void magi__resize_end(struct magi__resizer *rz)
{
	if (!rz)
		return;
	taps_free(&rz->ty);
	htaps_free(&rz->hx);
	free(rz->wy16);
	free(rz->mid);
	free(rz->acc);
	free(rz);
}

magi_status magi__resize_begin(const struct magi_image *src, uint32_t w, uint32_t h,
			       struct magi__resizer **out)
{
	*out = NULL;
	if (!src || !src->px || src->w == 0 || src->h == 0 || w == 0 || h == 0)
		return MAGI_ERR_INVALID;
	if (w > MAGI_IMAGE_MAX_SIDE || h > MAGI_IMAGE_MAX_SIDE ||
	    (uint64_t)w * h > MAGI_IMAGE_MAX_PIXELS)
		return MAGI_ERR_LIMIT;
	struct magi__resizer *rz = calloc(1, sizeof *rz);
	if (!rz)
		return MAGI_ERR_NOMEM;
	rz->src = src;
	rz->w = w;
	rz->h = h;
	rz->rowlen = (size_t)w * 3;
	if (w == src->w && h == src->h) {
		rz->copy = true;
		*out = rz;
		return MAGI_OK;
	}
	struct taps tx;
	magi_status s = taps_make(src->w, w, HBITS, &tx);
	if (s) {
		free(rz);
		return s;
	}
	s = htaps_make(&tx, src->w, w, &rz->hx);
	taps_free(&tx);
	if (!s)
		s = taps_make(src->h, h, VBITS, &rz->ty);
	if (s) {
		htaps_free(&rz->hx);
		free(rz);
		return s;
	}
	/* The intermediate is a ring of the last R horizontally resized source rows, R being
	 * the most rows one output row reads: windows only move down, so a row is computed
	 * once and dropped when no later output row needs it (a 1280x720 screenshot needs a
	 * few rows, not 5.5 MB). */
	rz->y_lo = rz->done = rz->ty.first[0];
	rz->ring = 1;
	for (uint32_t oy = 0; oy < h; oy++)
		rz->ring = MAGI_MAX(rz->ring, rz->ty.count[oy]);
	rz->narrow = rz->ring <= NARROW_TAPS;
	/* the SSE2 pass stores a spare lane after each row's last output */
	rz->mid_stride = rz->rowlen + 4;
	rz->mid = malloc((size_t)rz->ring * rz->mid_stride * sizeof *rz->mid);
	if (rz->narrow) {
		size_t nw = rz->ty.off[h - 1] + rz->ty.count[h - 1];
		rz->wy16 = malloc(nw * sizeof *rz->wy16);
		for (size_t i = 0; rz->wy16 && i < nw; i++)
			rz->wy16[i] = (uint16_t)rz->ty.w[i]; /* <= 1 << VBITS */
	} else {
		rz->acc = malloc(rz->rowlen * sizeof *rz->acc);
	}
	if (!rz->mid || (rz->narrow ? !rz->wy16 : !rz->acc)) {
		magi__resize_end(rz);
		return MAGI_ERR_NOMEM;
	}
	*out = rz;
	return MAGI_OK;
}

/* n rows blended with 16-bit weights; each product keeps its high half (in 1/64 of a
 * level). Blocks of VB samples give the vectorizer a fixed trip count. */
static void vpass_narrow(const uint16_t *const *rows, const uint16_t *wy, uint32_t n, uint8_t *o,
			 size_t len)
{
	size_t k = 0;
	for (; k + VB <= len; k += VB) {
		uint16_t sum[VB];
		for (int j = 0; j < VB; j++)
			sum[j] = 32;
		for (uint32_t t = 0; t < n; t++) {
			const uint16_t *m = rows[t] + k;
			const uint16_t wt = wy[t];
			for (int j = 0; j < VB; j++)
				sum[j] = (uint16_t)(sum[j] + (uint16_t)(((uint32_t)m[j] * wt) >> 16));
		}
		for (int j = 0; j < VB; j++)
			o[k + j] = (uint8_t)(sum[j] >> 6);
	}
	for (; k < len; k++) {
		uint32_t sum = 32;
		for (uint32_t t = 0; t < n; t++)
			sum += ((uint32_t)rows[t][k] * wy[t]) >> 16;
		o[k] = (uint8_t)(sum >> 6);
	}
}

void magi__resize_row(struct magi__resizer *rz, uint32_t oy, uint8_t *out)
{
	const struct magi_image *src = rz->src;
	if (rz->copy) {
		memcpy(out, src->px + (size_t)oy * src->stride, rz->rowlen);
		return;
	}
	uint32_t first = rz->ty.first[oy], n = rz->ty.count[oy];
	for (; rz->done < first + n; rz->done++)
		hpass(src->px + (size_t)rz->done * src->stride,
		      rz->mid + (size_t)((rz->done - rz->y_lo) % rz->ring) * rz->mid_stride, rz->w, &rz->hx,
		      rz->done + 1 == src->h);
	if (rz->narrow) {
		for (uint32_t j = 0; j < n; j++)
			rz->rows[j] = rz->mid + (size_t)((first + j - rz->y_lo) % rz->ring) * rz->mid_stride;
		vpass_narrow(rz->rows, rz->wy16 + rz->ty.off[oy], n, out, rz->rowlen);
		return;
	}
	const int32_t *wy = rz->ty.w + rz->ty.off[oy];
	const int vshift = VBITS + IBITS;
	/* Max sum: 255 << IBITS times 1 << VBITS, plus the rounding term, fits 32 bits. */
	for (size_t k = 0; k < rz->rowlen; k++)
		rz->acc[k] = 1u << (vshift - 1);
	for (uint32_t j = 0; j < n; j++) {
		const uint16_t *m = rz->mid + (size_t)((first + j - rz->y_lo) % rz->ring) * rz->mid_stride;
		uint32_t wj = (uint32_t)wy[j];
		for (size_t k = 0; k < rz->rowlen; k++)
			rz->acc[k] += m[k] * wj;
	}
	for (size_t k = 0; k < rz->rowlen; k++)
		out[k] = (uint8_t)(rz->acc[k] >> vshift);
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
	struct magi__resizer *rz;
	if ((s = magi__resize_begin(src, w, h, &rz))) {
		magi_image_free(dst);
		return s;
	}
	for (uint32_t y = 0; y < h; y++)
		magi__resize_row(rz, y, dst->px + (size_t)y * dst->stride);
	magi__resize_end(rz);
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
