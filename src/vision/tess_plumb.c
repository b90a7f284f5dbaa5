/* tess_plumb.c — magi's own loops for two of libtesseract's network layers and two of its
 * per-time-step helpers.
 *
 * The first layers of Tesseract's LSTM recogniser (the "Ct3,3" and "Mp3,3" of eng's
 * network) move bytes: Convolve::Forward stacks each position's 3×3 neighbours into one row,
 * Maxpool::Forward keeps the largest of each 3×3 window. In libtesseract 5.3 both walk the
 * image with StrideMap::Index objects and copy one position's features at a time through
 * NetworkIO::CopyTimeStepGeneral or MaxpoolTimeStep, every step an exported function called
 * through the PLT: a fifth of the reading's CPU for what is a few memory moves (perf of
 * bench_ocr, session 13). The functions here compute the same thing with plain loops over
 * the same memory (layouts: src/vision/tess_layout.h):
 *
 * - Convolve: output row t (position b, y, x) holds, for dx = -half_x..half_x and then
 *   dy = -half_y..half_y, the ni inputs at (x+dx, y+dy); where that is outside the image
 *   (each image of a batch has its own height and width) the library fills them from the
 *   layer's randomizer (NetworkIO::Randomize: TRand::SignedRand, rounded in int8 mode). The
 *   positions and neighbours are visited in the library's order, so the same random numbers
 *   land in the same places, and the randomizer is left in the same state.
 * - Maxpool: output row t is the input row at (x·x_scale, y·y_scale), then raised feature by
 *   feature to any larger value in the window's valid positions (strictly larger: the first
 *   maximum wins); maxes_ (the source row of each maximum, for training's Backward) and
 *   back_map_ (the input's shape) are kept as the library keeps them.
 * Both resize the output with the library's own NetworkIO functions, and hand any call they
 * do not cover (debug display, an array that is not a plain GENERIC_2D_ARRAY, an empty or
 * odd shape, no randomizer) to the library's function.
 *
 * Two more, called by the library through its own PLT: NetworkIO::WriteTimeStepPart (the
 * LSTM's outputs into int8 rows: rounding and clipping, vectorised) and
 * FullyConnected::ForwardTimeStep for tanh layers (Tesseract's table interpolation, four
 * values at a time instead of a sign branch per value).
 *
 * How they are installed: Tesseract calls a layer's Forward through the layer's vtable,
 * which libtesseract exports (_ZTVN9tesseract8ConvolveE, ...7MaxpoolE), and its exported
 * functions through its GOT (JUMP_SLOT relocations). The library is linked with RELRO and
 * BIND_NOW, so both are read-only after loading; the slot that holds the library's function
 * is found (a vtable slot by its value, exactly once; a GOT entry by its relocation, holding
 * the library's function), made writable for the one store and read-only again. This is
 * done once, after the load and before any engine exists (magi__tess_load's once-only
 * step), like src/vision/tess_vnni.c's kernel.
 *
 * A function is not installed (the library's stays) when a symbol is missing, when its slot
 * is not found exactly once, when the slot is not in a segment this code knows how to write,
 * when magi's function and the library's do not give the same bytes on synthetic inputs at
 * install (int8 and float, batches of images of different sizes, the edges; ties, ±0,
 * infinities, NaN), or when MAGI_OCR_LAYERS=library or MAGI_OCR_KERNEL=library (for A/B
 * measurements). tests/unit/test_tess_plumb.c compares them on more inputs and on screens.
 *
 * The arithmetic of the random fill is the library's in double precision, operation by
 * operation; magi is built for baseline x86-64 (no FMA), so nothing is fused. */
#include <dlfcn.h>
#include <emmintrin.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vision/tess_plumb.h"
#include "vision/tess_patch.h"
#include "vision/tess_layout.h"
#include "core/common.h"

enum { B = MAGI__TESS_FD_BATCH, H = MAGI__TESS_FD_HEIGHT, W = MAGI__TESS_FD_WIDTH };
/* The most positions of a Convolve neighbourhood or a Maxpool window the fast paths list */
enum { MAX_WINDOW = 64 };

typedef void (*resize_to_map_fn)(struct magi__tess_networkio *io, bool int_mode,
				 const struct magi__tess_stride_map *map, int num_features);
typedef void (*resize_scaled_fn)(struct magi__tess_networkio *io, const struct magi__tess_networkio *src,
				 int x_scale, int y_scale, int num_features);
typedef void (*io_dtor_fn)(struct magi__tess_networkio *io);
typedef void (*set_stride_fn)(struct magi__tess_stride_map *map, const void *h_w_pairs);

/* What the library provides, found once (lib_found) */
static struct {
	resize_to_map_fn resize_to_map;
	resize_scaled_fn resize_scaled;
	io_dtor_fn io_dtor;
	set_stride_fn set_stride;
	void *(*new_array)(size_t);	  /* operator new[] */
	void (*delete_array)(void *);	  /* operator delete[] */
	void *(*new_one)(size_t);	  /* operator new */
	void (*delete_one)(void *);	  /* operator delete */
	const void *vt_f, *vt_i, *vt_int; /* GENERIC_2D_ARRAY<float>, <int8_t>, <int>: as stored in objects */
	magi__tess_forward_fn lib_convolve, lib_maxpool;
	magi__tess_write_part_fn lib_write_part;
	magi__tess_fc_step_fn lib_fc_step;
	const float *tanh_table; /* TanhTable[4096] */
	void **convolve_slot, **maxpool_slot; /* where install found them */
	void **write_part_slot;		      /* libtesseract's GOT entry for WriteTimeStepPart */
	void **fc_step_slot;		      /* ... for FullyConnected::ForwardTimeStep(int, float *) */
	unsigned installed; /* bit 0 Convolve, bit 1 Maxpool, 2 WriteTimeStepPart, 3 ForwardTimeStep */
} T;

/* Calls of magi's functions: walked here, handed to the library's (for tests) */
static atomic_ulong calls[4];

/* StrideMap::Index::MaxIndexOfDim for the height or width of image b */
static inline int max_index(const struct magi__tess_stride_map *m, int dim, int b)
{
	int max = m->shape[dim] - 1;
	const struct magi__tess_vec_int *v = dim == H ? &m->heights : &m->widths;
	if (b < v->end - v->begin && v->begin[b] - 1 < max)
		max = v->begin[b] - 1;
	return max;
}

static inline int row_of(const struct magi__tess_stride_map *m, int b, int y, int x)
{
	return b * m->t_increments[B] + y * m->t_increments[H] + x * m->t_increments[W];
}

/* The arrays are plain GENERIC_2D_ARRAYs (their index() is the one magi assumes) */
static bool plain_io(const struct magi__tess_networkio *io)
{
	return io->f.vtable == T.vt_f && io->i.vtable == T.vt_i;
}

/* Every image of the shape has at least one row and column, as the library's do-while walk
 * over it assumes. */
static bool shape_ok(const struct magi__tess_stride_map *m)
{
	for (int d = 0; d < MAGI__TESS_FD_DIMSIZE; d++)
		if (m->shape[d] < 1)
			return false;
	for (int b = 0; b < m->shape[B]; b++)
		if (max_index(m, H, b) < 0 || max_index(m, W, b) < 0)
			return false;
	return true;
}

/* std::minstd_rand's step and TRand::SignedRand(127) rounded (IntCastRounded), or
 * SignedRand(1.0) as float: NetworkIO::Randomize's values. */
static inline uint64_t lcg(uint64_t s)
{
	return s * 48271u % 2147483647u;
}

static void randomize(struct magi__tess_networkio *io, int t, int off, int n, uint64_t *state)
{
	uint64_t s = *state;
	if (io->int_mode) {
		int8_t *p = magi__tess_io_i(io, t) + off;
		for (int k = 0; k < n; k++) {
			s = lcg(s);
			double d = 254.0 * (double)(int32_t)s / 2147483647.0 - 127.0;
			p[k] = (int8_t)(d >= 0.0 ? (int)(d + 0.5) : -(int)(-d + 0.5));
		}
	} else {
		float *p = magi__tess_io_f(io, t) + off;
		for (int k = 0; k < n; k++) {
			s = lcg(s);
			p[k] = (float)(2.0 * (double)(int32_t)s / 2147483647.0 - 1.0);
		}
	}
	*state = s;
}

/* NetworkIO::WriteTimeStepPart: num_features floats into row t from offset; int8 rows get
 * ClipToRange(IntCastRounded(x · 127), -127, 127) with the library's float arithmetic:
 * x·127 rounded to float; x ≥ 0 ? (int)(x + 0.5f) : -(int)(-x + 0.5f), both truncations
 * giving INT_MIN out of range or for NaN (cvttss2si and cvttps2dq alike), which the clip
 * makes -127. Sixteen at a time with SSE2 (baseline x86-64); the rest one by one. */
void magi__tess_write_time_step_part(void *self, int t, int offset, int num_features, const float *input)
{
	struct magi__tess_networkio *io = self;
	if (!io->int_mode) {
		if (num_features > 0)
			memcpy(magi__tess_io_f(io, t) + offset, input, (size_t)num_features * sizeof *input);
		return;
	}
	int8_t *line = magi__tess_io_i(io, t) + offset;
	int i = 0;
	const __m128 k127 = _mm_set1_ps(127.0f), half = _mm_set1_ps(0.5f), zero = _mm_setzero_ps();
	const __m128i lo = _mm_set1_epi16(-127), hi = _mm_set1_epi16(127), izero = _mm_setzero_si128();
	for (; i + 16 <= num_features; i += 16) {
		__m128i r[4];
		for (int k = 0; k < 4; k++) {
			__m128 x = _mm_mul_ps(_mm_loadu_ps(input + i + 4 * k), k127);
			__m128i ge = _mm_castps_si128(_mm_cmpge_ps(x, zero));
			__m128i up = _mm_cvttps_epi32(_mm_add_ps(x, half));
			__m128i down = _mm_sub_epi32(izero, _mm_cvttps_epi32(_mm_sub_ps(half, x)));
			r[k] = _mm_or_si128(_mm_and_si128(ge, up), _mm_andnot_si128(ge, down));
		}
		__m128i a = _mm_min_epi16(_mm_max_epi16(_mm_packs_epi32(r[0], r[1]), lo), hi);
		__m128i b = _mm_min_epi16(_mm_max_epi16(_mm_packs_epi32(r[2], r[3]), lo), hi);
		_mm_storeu_si128((__m128i *)(line + i), _mm_packs_epi16(a, b));
	}
	for (; i < num_features; i++) {
		float x = input[i] * 127.0f;
		int v = x >= 0.0f ? _mm_cvttss_si32(_mm_set_ss(x + 0.5f))
				  : (int)(0u - (unsigned)_mm_cvttss_si32(_mm_set_ss(-x + 0.5f)));
		line[i] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
	}
}

/* FullyConnected::ForwardTimeStep(t, line): the layer's activation in place on its no_
 * outputs. For a tanh layer (NetworkType NT_TANH, 19: eng's "Ct3,3,16" after the
 * convolution) Tesseract's table function (functions.h): for x < 0, -Tanh(-x); else y =
 * x·256, i = y truncated (through a 64-bit conversion, of which the table index keeps the
 * low 32 bits), 1 when i > 4094, otherwise T[i] + (T[i+1] - T[i])·(y - i). The library's
 * loop branches on each value's sign, which the data make unpredictable; this one selects
 * without branches, the same operations in the same order. Other layer types go to the
 * library's function. */
static inline float tanh_one(const float *table, float x)
{
	uint32_t sign = (uint32_t)-(int32_t)(x < 0.0f) & 0x80000000u, bits;
	memcpy(&bits, &x, sizeof bits);
	bits ^= sign;
	float a;
	memcpy(&a, &bits, sizeof a);
	float y = a * 256.0f;
	uint32_t i = (uint32_t)_mm_cvttss_si64(_mm_set_ss(y));
	uint32_t sat = (uint32_t)-(int32_t)(i > 4094u), j = i & ~sat;
	float t0 = table[j], t1 = table[j + 1];
	float r = (t1 - t0) * (y - (float)(int32_t)j) + t0, one = 1.0f;
	uint32_t rb, ob;
	memcpy(&rb, &r, sizeof rb);
	memcpy(&ob, &one, sizeof ob);
	rb = ((rb & ~sat) | (ob & sat)) ^ sign;
	memcpy(&r, &rb, sizeof r);
	return r;
}

void magi__tess_fc_forward_time_step(void *self, int t, float *line)
{
	const struct magi__tess_network *net = self;
	if (net->type != MAGI__TESS_NT_TANH) {
		T.lib_fc_step(self, t, line);
		return;
	}
	const float *table = T.tanh_table;
	const __m128 zero = _mm_setzero_ps(), k256 = _mm_set1_ps(256.0f), big = _mm_set1_ps(2147483648.0f),
		     one = _mm_set1_ps(1.0f), signbit = _mm_set1_ps(-0.0f);
	const __m128i last = _mm_set1_epi32(4094), flip = _mm_set1_epi32((int)0x80000000u);
	int k = 0;
	for (; k + 4 <= net->no; k += 4) {
		__m128 x = _mm_loadu_ps(line + k);
		__m128 neg = _mm_and_ps(_mm_cmplt_ps(x, zero), signbit);
		__m128 y = _mm_mul_ps(_mm_xor_ps(x, neg), k256);
		if (_mm_movemask_ps(_mm_cmpnlt_ps(y, big))) { /* NaN or past 2^31: the 64-bit conversion's */
			for (int m = 0; m < 4; m++)
				line[k + m] = tanh_one(table, line[k + m]);
			continue;
		}
		__m128i i = _mm_cvttps_epi32(y);
		/* unsigned i > 4094 (i is never negative here: y >= 0) */
		__m128i sat = _mm_cmpgt_epi32(_mm_xor_si128(i, flip), _mm_xor_si128(last, flip));
		__m128i j = _mm_andnot_si128(sat, i);
		int32_t idx[4];
		_mm_storeu_si128((__m128i *)idx, j);
		__m128 t0 = _mm_setr_ps(table[idx[0]], table[idx[1]], table[idx[2]], table[idx[3]]);
		__m128 t1 = _mm_setr_ps(table[idx[0] + 1], table[idx[1] + 1], table[idx[2] + 1], table[idx[3] + 1]);
		__m128 r = _mm_add_ps(_mm_mul_ps(_mm_sub_ps(t1, t0), _mm_sub_ps(y, _mm_cvtepi32_ps(j))), t0);
		__m128 satf = _mm_castsi128_ps(sat);
		r = _mm_or_ps(_mm_andnot_ps(satf, r), _mm_and_ps(satf, one));
		_mm_storeu_ps(line + k, _mm_xor_ps(r, neg));
	}
	for (; k < net->no; k++)
		line[k] = tanh_one(table, line[k]);
}

/* Convolve's walk, for int8 (esize 1) or float (esize 4) rows; out is resized to in's map. */
static inline __attribute__((always_inline)) void convolve_walk(const struct magi__tess_convolve *c,
								 const struct magi__tess_networkio *in,
								 struct magi__tess_networkio *out, size_t esize)
{
	const struct magi__tess_stride_map *m = &out->stride_map;
	const int ni = c->net.ni, hx = c->half_x, hy = c->half_y, col = (2 * hy + 1) * ni;
	const char *src = esize == 1 ? in->i.array : in->f.array;
	char *dst = esize == 1 ? out->i.array : out->f.array;
	const size_t in_row = (size_t)(esize == 1 ? in->i.dim2 : in->f.dim2) * esize;
	const size_t out_row = (size_t)(esize == 1 ? out->i.dim2 : out->f.dim2) * esize;
	uint64_t rs = c->net.randomizer->state;
	/* the neighbours' byte offsets from a position's row, in the output's order (0 when
	 * there are too many to list: every position takes the general path) */
	ptrdiff_t nb[MAX_WINDOW];
	int nn = (2 * hx + 1) * (2 * hy + 1) <= MAX_WINDOW ? 0 : -1;
	for (int dx = -hx; nn >= 0 && dx <= hx; dx++)
		for (int dy = -hy; dy <= hy; dy++)
			nb[nn++] = (ptrdiff_t)(dy * m->t_increments[H] + dx * m->t_increments[W]) * (ptrdiff_t)in_row;
	nn = nn < 0 ? 0 : nn;
	for (int b = 0; b < m->shape[B]; b++) {
		const int maxy = max_index(m, H, b), maxx = max_index(m, W, b);
		for (int y = 0; y <= maxy; y++) {
			const bool y_inside = y >= hy && y + hy <= maxy;
			for (int x = 0; x <= maxx; x++) {
				const int t = row_of(m, b, y, x);
				char *o = dst + (size_t)t * out_row;
				if (y_inside && x >= hx && x + hx <= maxx && nn) {
					/* every neighbour inside: no random numbers, only copies */
					const char *c0 = src + (size_t)t * in_row;
					if (esize == 1 && ni == 1)
						for (int k = 0; k < nn; k++)
							o[k] = c0[nb[k]];
					else
						for (int k = 0; k < nn; k++)
							memcpy(o + (size_t)k * (size_t)ni * esize, c0 + nb[k], (size_t)ni * esize);
					continue;
				}
				int off = 0;
				for (int dx = -hx; dx <= hx; dx++) {
					if (x + dx < 0 || x + dx > maxx) {
						randomize(out, t, off, col, &rs);
						off += col;
						continue;
					}
					for (int dy = -hy; dy <= hy; dy++, off += ni) {
						if (y + dy < 0 || y + dy > maxy)
							randomize(out, t, off, ni, &rs);
						else
							memcpy(o + (size_t)off * esize,
							       src + (size_t)row_of(m, b, y + dy, x + dx) * in_row,
							       (size_t)ni * esize);
					}
				}
			}
		}
	}
	c->net.randomizer->state = rs;
}

/* Convolve::Forward (the vtable's signature; `this` first) */
static void own_convolve(void *self, bool debug, const struct magi__tess_networkio *in, const void *transpose,
			 void *scratch, struct magi__tess_networkio *out)
{
	const struct magi__tess_convolve *c = self;
	const int ni = c->net.ni;
	if (debug || !plain_io(in) || !plain_io(out) || !shape_ok(&in->stride_map) || !c->net.randomizer || ni < 1 || c->half_x < 0 ||
	    c->half_y < 0 || c->net.no != ni * (2 * c->half_x + 1) * (2 * c->half_y + 1) ||
	    (in->int_mode ? in->i.dim2 : in->f.dim2) < ni) {
		atomic_fetch_add_explicit(&calls[1], 1, memory_order_relaxed);
		T.lib_convolve(self, debug, in, transpose, scratch, out);
		return;
	}
	atomic_fetch_add_explicit(&calls[0], 1, memory_order_relaxed);
	/* NetworkIO::Resize(input, no_) */
	T.resize_to_map(out, in->int_mode, &in->stride_map, c->net.no);
	if (in->int_mode)
		convolve_walk(c, in, out, 1);
	else
		convolve_walk(c, in, out, 4);
}

/* std::vector<int>'s copy assignment: the same elements; new storage only when they do not
 * fit. */
static void vec_assign(struct magi__tess_vec_int *dst, const struct magi__tess_vec_int *src)
{
	size_t n = (size_t)(src->end - src->begin);
	if (n > (size_t)(dst->cap - dst->begin)) {
		int *p = T.new_one(n * sizeof *p);
		memcpy(p, src->begin, n * sizeof *p);
		if (dst->begin)
			T.delete_one(dst->begin);
		dst->begin = p;
		dst->cap = p + n;
	} else if (n) {
		memmove(dst->begin, src->begin, n * sizeof *dst->begin);
	}
	dst->end = dst->begin + n;
}

/* MaxpoolTimeStep over a window for int8 rows: d (n features, starting as the window's
 * first row, ml all that row) raised to each source row in turn where strictly larger, ml
 * noting the row. Sixteen features at a time with SSE2 (the byte masks widened to the
 * int32 rows of ml), the same sequence of comparisons as the library's. */
static void maxpool_i8(int8_t *d, int *ml, int n, const int8_t *src, size_t row, const int *ts, int nts)
{
	int i = 0;
	for (; i + 16 <= n; i += 16) {
		__m128i dv = _mm_loadu_si128((const __m128i *)(d + i)), m[4];
		for (int k = 0; k < 4; k++)
			m[k] = _mm_loadu_si128((const __m128i *)(ml + i + 4 * k));
		for (int w = 0; w < nts; w++) {
			__m128i sv = _mm_loadu_si128((const __m128i *)(src + (size_t)ts[w] * row + i));
			__m128i gt = _mm_cmpgt_epi8(sv, dv), tv = _mm_set1_epi32(ts[w]);
			dv = _mm_or_si128(_mm_and_si128(gt, sv), _mm_andnot_si128(gt, dv));
			__m128i lo = _mm_unpacklo_epi8(gt, gt), hi = _mm_unpackhi_epi8(gt, gt), g[4];
			g[0] = _mm_unpacklo_epi16(lo, lo), g[1] = _mm_unpackhi_epi16(lo, lo);
			g[2] = _mm_unpacklo_epi16(hi, hi), g[3] = _mm_unpackhi_epi16(hi, hi);
			for (int k = 0; k < 4; k++)
				m[k] = _mm_or_si128(_mm_and_si128(g[k], tv), _mm_andnot_si128(g[k], m[k]));
		}
		_mm_storeu_si128((__m128i *)(d + i), dv);
		for (int k = 0; k < 4; k++)
			_mm_storeu_si128((__m128i *)(ml + i + 4 * k), m[k]);
	}
	for (; i < n; i++)
		for (int w = 0; w < nts; w++) {
			int8_t v = src[(size_t)ts[w] * row + (size_t)i];
			if (d[i] < v)
				d[i] = v, ml[i] = ts[w];
		}
}

static void maxpool_f32(float *d, int *ml, int n, const float *src, size_t row, const int *ts, int nts)
{
	for (int w = 0; w < nts; w++) {
		const float *s = src + (size_t)ts[w] * row;
		for (int i = 0; i < n; i++)
			if (s[i] > d[i])
				d[i] = s[i], ml[i] = ts[w];
	}
}

/* Maxpool's walk (x_scale · y_scale <= MAX_WINDOW); out is resized to the scaled map. */
static void maxpool_walk(const struct magi__tess_maxpool *mp, const struct magi__tess_networkio *in,
			 struct magi__tess_networkio *out)
{
	const struct magi__tess_stride_map *om = &out->stride_map, *imap = &in->stride_map;
	const int ni = mp->rc.net.ni, xs = mp->rc.x_scale, ys = mp->rc.y_scale;
	const bool im = out->int_mode;
	const int od2 = im ? out->i.dim2 : out->f.dim2, id2 = im ? in->i.dim2 : in->f.dim2;
	int *maxes = mp->maxes.array, ts[MAX_WINDOW];
	for (int b = 0; b < om->shape[B]; b++) {
		const int maxy = max_index(om, H, b), maxx = max_index(om, W, b);
		const int in_maxy = max_index(imap, H, b), in_maxx = max_index(imap, W, b);
		for (int y = 0; y <= maxy; y++)
			for (int x = 0; x <= maxx; x++) {
				const int out_t = row_of(om, b, y, x), in_t = row_of(imap, b, y * ys, x * xs);
				int *ml = maxes + (size_t)out_t * mp->maxes.dim2;
				/* CopyTimeStepFrom (the output's dim2 features), then the window's valid
				 * positions in the library's order (x outer, y inner) */
				int nts = 0;
				for (int dx = 0; dx < xs; dx++)
					for (int dy = 0; dy < ys; dy++)
						if (x * xs + dx <= in_maxx && y * ys + dy <= in_maxy)
							ts[nts++] = row_of(imap, b, y * ys + dy, x * xs + dx);
				for (int i = 0; i < ni; i++)
					ml[i] = in_t;
				if (im) {
					int8_t *d = magi__tess_io_i(out, out_t);
					memcpy(d, (const int8_t *)in->i.array + (size_t)in_t * (size_t)id2, (size_t)od2);
					maxpool_i8(d, ml, od2, in->i.array, (size_t)id2, ts, nts);
				} else {
					float *d = magi__tess_io_f(out, out_t);
					memcpy(d, (const float *)in->f.array + (size_t)in_t * (size_t)id2,
					       (size_t)od2 * sizeof(float));
					maxpool_f32(d, ml, od2, in->f.array, (size_t)id2, ts, nts);
				}
			}
	}
}

/* Maxpool::Forward */
static void own_maxpool(void *self, bool debug, const struct magi__tess_networkio *in, const void *transpose,
			void *scratch, struct magi__tess_networkio *out)
{
	struct magi__tess_maxpool *mp = self;
	const int ni = mp->rc.net.ni;
	if (!plain_io(in) || !plain_io(out) || !shape_ok(&in->stride_map) || mp->maxes.vtable != T.vt_int || ni < 1 || mp->rc.net.no != ni ||
	    mp->rc.x_scale < 1 || mp->rc.y_scale < 1 || mp->rc.x_scale * mp->rc.y_scale > MAX_WINDOW ||
	    (in->int_mode ? in->i.dim2 : in->f.dim2) < ni) {
		atomic_fetch_add_explicit(&calls[3], 1, memory_order_relaxed);
		T.lib_maxpool(self, debug, in, transpose, scratch, out);
		return;
	}
	T.resize_scaled(out, in, mp->rc.x_scale, mp->rc.y_scale, mp->rc.net.no);
	if (!shape_ok(&out->stride_map) || (out->int_mode ? out->i.dim2 : out->f.dim2) != ni) {
		/* a shape magi's walk does not cover (the library's resize is idempotent) */
		atomic_fetch_add_explicit(&calls[3], 1, memory_order_relaxed);
		T.lib_maxpool(self, debug, in, transpose, scratch, out);
		return;
	}
	atomic_fetch_add_explicit(&calls[2], 1, memory_order_relaxed);
	/* maxes_.ResizeNoInit(output->Width(), ni_) */
	struct magi__tess_2d *mx = &mp->maxes;
	const int width = out->int_mode ? out->i.dim1 : out->f.dim1, size = width * ni;
	if (size > mx->size_allocated) {
		if (mx->array)
			T.delete_array(mx->array);
		mx->array = T.new_array((size_t)size * sizeof(int));
		mx->size_allocated = size;
	}
	mx->dim1 = width;
	mx->dim2 = ni;
	/* back_map_ = input.stride_map() */
	struct magi__tess_stride_map *bm = &mp->rc.back_map;
	memcpy(bm->shape, in->stride_map.shape, sizeof bm->shape);
	memcpy(bm->t_increments, in->stride_map.t_increments, sizeof bm->t_increments);
	vec_assign(&bm->heights, &in->stride_map.heights);
	vec_assign(&bm->widths, &in->stride_map.widths);
	maxpool_walk(mp, in, out);
}

/* A function's address as the void * a vtable or GOT slot holds */
static void *fn_addr(void (*f)(void))
{
	void *p;
	memcpy(&p, &f, sizeof p);
	return p;
}
#define fn_ptr(f) fn_addr((void (*)(void))(f))

static void *sym(const char *name)
{
	return dlsym(RTLD_DEFAULT, name);
}

/* Finds everything once; false when the library lacks any of it. */
static bool lib_found(void)
{
	static int found = -1;
	if (found >= 0)
		return found;
	const char *vt_f = sym(MAGI__TESS_2D_FLOAT_VTABLE), *vt_i = sym(MAGI__TESS_2D_INT8_VTABLE),
		   *vt_int = sym(MAGI__TESS_2D_INT_VTABLE);
	void *p[13] = {sym(MAGI__TESS_IO_RESIZE_TO_MAP), sym(MAGI__TESS_IO_RESIZE_SCALED), sym(MAGI__TESS_IO_DESTRUCTOR),
		       sym(MAGI__TESS_STRIDE_SET_STRIDE), sym("_Znam"), sym("_ZdaPv"), sym("_Znwm"), sym("_ZdlPv"),
		       sym(MAGI__TESS_CONVOLVE_FORWARD), sym(MAGI__TESS_MAXPOOL_FORWARD),
		       sym(MAGI__TESS_IO_WRITE_TIME_STEP_PART), sym(MAGI__TESS_FC_FORWARD_TIME_STEP), sym(MAGI__TESS_TANH_TABLE)};
	found = vt_f && vt_i && vt_int;
	for (int k = 0; k < 13; k++)
		found = found && p[k];
	if (!found)
		return false;
	/* an object's vtable pointer is the vtable's address past offset-to-top and typeinfo */
	T.vt_f = vt_f + 2 * sizeof(void *);
	T.vt_i = vt_i + 2 * sizeof(void *);
	T.vt_int = vt_int + 2 * sizeof(void *);
	memcpy(&T.resize_to_map, &p[0], sizeof(void *));
	memcpy(&T.resize_scaled, &p[1], sizeof(void *));
	memcpy(&T.io_dtor, &p[2], sizeof(void *));
	memcpy(&T.set_stride, &p[3], sizeof(void *));
	memcpy(&T.new_array, &p[4], sizeof(void *));
	memcpy(&T.delete_array, &p[5], sizeof(void *));
	memcpy(&T.new_one, &p[6], sizeof(void *));
	memcpy(&T.delete_one, &p[7], sizeof(void *));
	memcpy(&T.lib_convolve, &p[8], sizeof(void *));
	memcpy(&T.lib_maxpool, &p[9], sizeof(void *));
	memcpy(&T.lib_write_part, &p[10], sizeof(void *));
	memcpy(&T.lib_fc_step, &p[11], sizeof(void *));
	T.tanh_table = p[12];
	return true;
}

/* An empty NetworkIO (as its constructor leaves it) */
static void io_init(struct magi__tess_networkio *io)
{
	memset(io, 0, sizeof *io);
	io->f.vtable = T.vt_f;
	io->i.vtable = T.vt_i;
}

/* A layer input: n images (a batch), nf features of random values at every position */
static void io_make(struct magi__tess_networkio *io, bool int_mode, const struct magi__tess_hw *imgs, int n, int nf,
		    uint64_t *seed)
{
	struct {
		const struct magi__tess_hw *begin, *end, *cap;
	} pairs = {imgs, imgs + n, imgs + n}; /* std::vector<std::pair<int, int>> (height, width) */
	_Static_assert(sizeof(struct magi__tess_hw) == 2 * sizeof(int), "std::pair<int, int>");
	io_init(io);
	T.set_stride(&io->stride_map, &pairs);
	T.resize_to_map(io, int_mode, &io->stride_map, nf); /* copies the map over itself */
	const struct magi__tess_2d *a = int_mode ? &io->i : &io->f;
	for (size_t k = 0; k < (size_t)a->dim1 * (size_t)a->dim2; k++) {
		*seed = *seed * 6364136223846793005u + 1442695040888963407u;
		int v = (int)(*seed >> 33) % 255 - 127;
		if (int_mode)
			((int8_t *)a->array)[k] = (int8_t)v;
		else
			((float *)a->array)[k] = (float)v / 127.0f + (float)(*seed >> 40 & 7) * 1e-3f;
	}
}

static bool vec_same(const struct magi__tess_vec_int *a, const struct magi__tess_vec_int *b)
{
	size_t n = (size_t)(a->end - a->begin);
	return n == (size_t)(b->end - b->begin) && (!n || !memcmp(a->begin, b->begin, n * sizeof *a->begin));
}

static bool map_same(const struct magi__tess_stride_map *a, const struct magi__tess_stride_map *b)
{
	return !memcmp(a->shape, b->shape, sizeof a->shape) &&
	       !memcmp(a->t_increments, b->t_increments, sizeof a->t_increments) && vec_same(&a->heights, &b->heights) &&
	       vec_same(&a->widths, &b->widths);
}

static bool array_same(const struct magi__tess_2d *a, const struct magi__tess_2d *b, size_t esize)
{
	return a->dim1 == b->dim1 && a->dim2 == b->dim2 &&
	       !memcmp(a->array, b->array, (size_t)a->dim1 * (size_t)a->dim2 * esize);
}

static bool io_same(const struct magi__tess_networkio *a, const struct magi__tess_networkio *b)
{
	return a->int_mode == b->int_mode && map_same(&a->stride_map, &b->stride_map) &&
	       (a->int_mode ? array_same(&a->i, &b->i, 1) : array_same(&a->f, &b->f, 4));
}

/* A comparison's input and the library's and magi's outputs */
struct trio {
	struct magi__tess_networkio in, out_lib, out_own;
};

static void trio_make(struct trio *io, bool int_mode, const struct magi__tess_hw *imgs, int n, int ni, uint64_t seed)
{
	io_make(&io->in, int_mode, imgs, n, ni, &seed);
	io_init(&io->out_lib);
	io_init(&io->out_own);
}

static void trio_release(struct trio *io)
{
	T.io_dtor(&io->in);
	T.io_dtor(&io->out_lib);
	T.io_dtor(&io->out_own);
}

int magi__tess_convolve_check(bool int_mode, int ni, int half_x, int half_y, const struct magi__tess_hw *imgs,
			      int n, uint64_t seed)
{
	if (!lib_found())
		return -1;
	struct trio io;
	trio_make(&io, int_mode, imgs, n, ni, seed);
	struct magi__tess_trand r_lib = {seed % 2147483647u + 1}, r_own = r_lib;
	struct magi__tess_convolve c_lib = {.net = {.ni = ni, .no = ni * (2 * half_x + 1) * (2 * half_y + 1)},
					    .half_x = half_x,
					    .half_y = half_y};
	struct magi__tess_convolve c_own = c_lib;
	c_lib.net.randomizer = &r_lib;
	c_own.net.randomizer = &r_own;
	T.lib_convolve(&c_lib, false, &io.in, NULL, NULL, &io.out_lib);
	own_convolve(&c_own, false, &io.in, NULL, NULL, &io.out_own);
	int same = io_same(&io.out_lib, &io.out_own) && r_lib.state == r_own.state;
	trio_release(&io);
	return same;
}

/* The maxima's source rows at the valid positions of map (the others are never written) */
static bool maxes_same(const struct magi__tess_2d *a, const struct magi__tess_2d *b,
		       const struct magi__tess_stride_map *map)
{
	if (a->dim1 != b->dim1 || a->dim2 != b->dim2)
		return false;
	for (int bi = 0; bi < map->shape[B]; bi++)
		for (int y = 0; y <= max_index(map, H, bi); y++)
			for (int x = 0; x <= max_index(map, W, bi); x++) {
				size_t off = (size_t)row_of(map, bi, y, x) * (size_t)a->dim2;
				if (memcmp((const int *)a->array + off, (const int *)b->array + off,
					   (size_t)a->dim2 * sizeof(int)))
					return false;
			}
	return true;
}

/* A Maxpool's own members as its constructor leaves them, for the comparison */
static void maxpool_init(struct magi__tess_maxpool *mp, int ni, int x_scale, int y_scale)
{
	memset(mp, 0, sizeof *mp);
	mp->rc.net.ni = mp->rc.net.no = ni;
	mp->rc.x_scale = x_scale;
	mp->rc.y_scale = y_scale;
	mp->maxes.vtable = T.vt_int;
}

static void maxpool_release(struct magi__tess_maxpool *mp)
{
	if (mp->maxes.array)
		T.delete_array(mp->maxes.array);
	if (mp->rc.back_map.heights.begin)
		T.delete_one(mp->rc.back_map.heights.begin);
	if (mp->rc.back_map.widths.begin)
		T.delete_one(mp->rc.back_map.widths.begin);
}

int magi__tess_maxpool_check(bool int_mode, int ni, int x_scale, int y_scale, const struct magi__tess_hw *imgs,
			     int n, uint64_t seed)
{
	if (!lib_found())
		return -1;
	struct trio io;
	trio_make(&io, int_mode, imgs, n, ni, seed);
	struct magi__tess_maxpool m_lib, m_own;
	maxpool_init(&m_lib, ni, x_scale, y_scale);
	maxpool_init(&m_own, ni, x_scale, y_scale);
	int same = 1;
	/* twice on the same layer objects: the second call reuses maxes_ and back_map_ */
	for (int round = 0; round < 2 && same; round++) {
		T.lib_maxpool(&m_lib, false, &io.in, NULL, NULL, &io.out_lib);
		own_maxpool(&m_own, false, &io.in, NULL, NULL, &io.out_own);
		same = io_same(&io.out_lib, &io.out_own) &&
		       maxes_same(&m_lib.maxes, &m_own.maxes, &io.out_lib.stride_map) &&
		       map_same(&m_lib.rc.back_map, &m_own.rc.back_map);
	}
	maxpool_release(&m_lib);
	maxpool_release(&m_own);
	trio_release(&io);
	return same;
}

int magi__tess_write_part_check(bool int_mode, int width, int num_features, int offset, const float *input)
{
	if (!lib_found())
		return -1;
	struct magi__tess_networkio a, b;
	const struct magi__tess_hw shape[] = {{1, width}};
	uint64_t s = 3;
	io_make(&a, int_mode, shape, 1, offset + num_features + 5, &s);
	s = 3;
	io_make(&b, int_mode, shape, 1, offset + num_features + 5, &s);
	for (int t = 0; t < width; t++) {
		T.lib_write_part(&a, t, offset, num_features, input + (size_t)t * (size_t)num_features);
		magi__tess_write_time_step_part(&b, t, offset, num_features, input + (size_t)t * (size_t)num_features);
	}
	int same = io_same(&a, &b);
	T.io_dtor(&a);
	T.io_dtor(&b);
	return same;
}

int magi__tess_fc_step_check(int type, const float *input, int n)
{
	if (!lib_found())
		return -1;
	struct magi__tess_network fc = {.type = type, .ni = n, .no = n};
	float *a = malloc((size_t)n * sizeof *a + 1), *b = malloc((size_t)n * sizeof *b + 1);
	if (!a || !b) {
		free(a), free(b);
		return -1;
	}
	memcpy(a, input, (size_t)n * sizeof *a);
	memcpy(b, input, (size_t)n * sizeof *b);
	T.lib_fc_step(&fc, 0, a);
	magi__tess_fc_forward_time_step(&fc, 0, b);
	int same = !memcmp(a, b, (size_t)n * sizeof *a);
	free(a), free(b);
	return same;
}

/* The install-time comparison, on the critical path of the first screen's reading, so small
 * (~0.5 ms; the library's functions are the slow half): int8 and float; a 6×9 image of
 * eng's layer shape (1 input, 3×3), a batch of three images of different sizes (the largest
 * sets the shape) with single rows and columns, and wider neighbourhoods than eng's.
 * tests/unit/test_tess_plumb.c compares many more, eng's 36-row lines among them. */
static bool convolve_checks(void)
{
	static const struct magi__tess_hw line[] = {{6, 9}}, batch[] = {{5, 7}, {1, 3}, {4, 1}}, tiny[] = {{1, 1}};
	for (int im = 0; im < 2; im++)
		if (magi__tess_convolve_check(im, 1, 1, 1, line, 1, 7) != 1 ||
		    magi__tess_convolve_check(im, 3, 1, 1, batch, 3, 11) != 1 ||
		    magi__tess_convolve_check(im, 2, 2, 1, batch, 3, 13) != 1 ||
		    magi__tess_convolve_check(im, 1, 1, 2, tiny, 1, 17) != 1)
			return false;
	return true;
}

static bool maxpool_checks(void)
{
	static const struct magi__tess_hw line[] = {{7, 8}}, batch[] = {{7, 8}, {3, 5}, {6, 3}};
	for (int im = 0; im < 2; im++)
		if (magi__tess_maxpool_check(im, 16, 3, 3, line, 1, 5) != 1 ||
		    magi__tess_maxpool_check(im, 3, 2, 3, batch, 3, 9) != 1 ||
		    magi__tess_maxpool_check(im, 5, 3, 2, batch, 3, 19) != 1)
			return false;
	return true;
}

void magi__tess_layers_counts(unsigned long counts[4])
{
	for (int k = 0; k < 4; k++)
		counts[k] = atomic_load(&calls[k]);
}

/* Values where rounding, clipping and the sign matter: ties at ±(k + 0.5)/127, a float's
 * neighbours of them, ±0, ±1, past ±1, huge, infinite, NaN, and random ones. */
void magi__tess_write_part_input(float *v, size_t n, uint64_t seed)
{
	static const float special[] = {0.0f, -0.0f, 0.5f / 127, -0.5f / 127, 1.5f / 127, -1.5f / 127, 126.5f / 127,
					-126.5f / 127, 1.0f, -1.0f, 1.004f, -1.004f, 1.1f, -3.0f, 1e10f, -1e10f,
					__builtin_inff(), -__builtin_inff(), __builtin_nanf(""), -__builtin_nanf(""),
					3e-39f, -3e-39f};
	for (size_t k = 0; k < n; k++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		uint32_t r = (uint32_t)(seed >> 32);
		if (r % 3 == 0) {
			v[k] = special[r / 3 % (sizeof special / sizeof *special)];
		} else if (r % 3 == 1) { /* next to a tie */
			float tie = ((float)(int)(r / 3 % 255) - 127.0f + 0.5f) / 127.0f;
			uint32_t bits;
			memcpy(&bits, &tie, sizeof bits);
			bits += (r >> 20 & 3) - 1u;
			memcpy(&v[k], &bits, sizeof bits);
		} else {
			v[k] = ((float)(r >> 8) / 16777216.0f - 0.5f) * 2.4f;
		}
	}
}

static bool write_part_checks(void)
{
	enum { N = 4 * 77 };
	static float in[N];
	magi__tess_write_part_input(in, N, 23);
	for (int im = 0; im < 2; im++)
		if (magi__tess_write_part_check(im, 4, 77, 3, in) != 1 || magi__tess_write_part_check(im, 4, 64, 0, in) != 1 ||
		    magi__tess_write_part_check(im, 4, 15, 1, in) != 1)
			return false;
	return true;
}

static bool fc_step_checks(void)
{
	enum { N = 300 };
	static float in[N];
	magi__tess_write_part_input(in, N, 29);
	for (int k = 0; k < N; k += 3)
		in[k] *= 19.0f; /* past the table's end (|x| >= 16) too */
	return magi__tess_fc_step_check(MAGI__TESS_NT_TANH, in, N) == 1;
}

unsigned magi__tess_layers_installed(void)
{
	unsigned bits = 0;
	if (T.convolve_slot && *T.convolve_slot == fn_ptr(own_convolve))
		bits |= 1;
	if (T.maxpool_slot && *T.maxpool_slot == fn_ptr(own_maxpool))
		bits |= 2;
	if (T.write_part_slot && *T.write_part_slot == fn_ptr(magi__tess_write_time_step_part))
		bits |= 4;
	if (T.fc_step_slot && *T.fc_step_slot == fn_ptr(magi__tess_fc_forward_time_step))
		bits |= 8;
	return bits;
}

bool magi__tess_layers_select(bool own)
{
	bool ok = T.installed != 0;
	if (T.installed & 1)
		ok = magi__tess_slot_write(T.convolve_slot, own ? fn_ptr(own_convolve) : fn_ptr(T.lib_convolve)) && ok;
	if (T.installed & 2)
		ok = magi__tess_slot_write(T.maxpool_slot, own ? fn_ptr(own_maxpool) : fn_ptr(T.lib_maxpool)) && ok;
	if (T.installed & 4)
		ok = magi__tess_slot_write(T.write_part_slot, fn_ptr(own ? magi__tess_write_time_step_part : T.lib_write_part)) &&
		     ok;
	if (T.installed & 8)
		ok = magi__tess_slot_write(T.fc_step_slot, fn_ptr(own ? magi__tess_fc_forward_time_step : T.lib_fc_step)) && ok;
	return ok;
}

/* Points libtesseract's GOT entry for `name` (which must hold lib) at own once checks pass */
static bool got_install(const char *name, void *lib, void *own, bool (*checks)(void), void ***slot)
{
	void **got = magi__tess_got_slot("libtesseract.so", name);
	if (!got || *got != lib || !checks() || !magi__tess_slot_write(got, own))
		return false;
	*slot = got;
	return true;
}

const char *magi__tess_layers_install(void)
{
	const char *env = getenv("MAGI_OCR_LAYERS"), *kernel = getenv("MAGI_OCR_KERNEL");
	if (env && strcmp(env, "library") == 0)
		return "the library's (MAGI_OCR_LAYERS=library)";
	if (kernel && strcmp(kernel, "library") == 0)
		return "the library's (MAGI_OCR_KERNEL=library)";
	if (!lib_found())
		return "the library's (not Tesseract 5.3's symbols)";
	T.convolve_slot = magi__tess_vtable_slot(MAGI__TESS_CONVOLVE_VTABLE, fn_ptr(T.lib_convolve));
	T.maxpool_slot = magi__tess_vtable_slot(MAGI__TESS_MAXPOOL_VTABLE, fn_ptr(T.lib_maxpool));
	if (T.convolve_slot && convolve_checks() && magi__tess_slot_write(T.convolve_slot, fn_ptr(own_convolve)))
		T.installed |= 1;
	if (T.maxpool_slot && maxpool_checks() && magi__tess_slot_write(T.maxpool_slot, fn_ptr(own_maxpool)))
		T.installed |= 2;
	if (got_install(MAGI__TESS_IO_WRITE_TIME_STEP_PART, fn_ptr(T.lib_write_part),
			fn_ptr(magi__tess_write_time_step_part), write_part_checks, &T.write_part_slot))
		T.installed |= 4;
	if (got_install(MAGI__TESS_FC_FORWARD_TIME_STEP, fn_ptr(T.lib_fc_step), fn_ptr(magi__tess_fc_forward_time_step),
			fc_step_checks, &T.fc_step_slot))
		T.installed |= 8;
	static char what[160];
	static const char *const names[] = {"Convolve", "Maxpool", "WriteTimeStepPart", "FullyConnected tanh"};
	size_t n = 0;
	for (int k = 0; k < 4; k++)
		if (T.installed & 1u << k)
			n += (size_t)snprintf(what + n, sizeof what - n, "%s%s", n ? ", " : "magi's ", names[k]);
	if (T.installed != 15)
		snprintf(what + n, sizeof what - n, "%sthe library's for the rest (a check failed or a slot was not found)",
			 n ? "; " : "");
	return what;
}
