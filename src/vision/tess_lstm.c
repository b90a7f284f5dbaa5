/* tess_lstm.c — magi's own forward pass for the LSTM layers of Tesseract's "fast" networks.
 *
 * The recogniser of Debian's eng.traineddata ([1,36,0,1 Ct3,3,16 Mp3,3 Lfys48 Lfx96 Lrx96
 * Lfx192 O1c1], int8 weights) spends about a third of a screen's reading in
 * tesseract::LSTM::Forward. Per time step and per gate it calls the integer matrix product
 * (IntSimdMatrix, fine), then runs the logistic or tanh table interpolation one element at
 * a time, quantises the previous output into the input row through an exported function
 * (NetworkIO::WriteTimeStepPart, through the PLT) and walks its StrideMap::Index through
 * three more PLT calls. This file does the same arithmetic, in the same order, 16 lanes at
 * a time (AVX-512F; 8 with AVX2 on CPUs without it), and calls the library for everything
 * that is not arithmetic: the resizing of the output and of the layer's source buffer
 * (NetworkIO::ResizeToMap, ResizeXTo1, LSTM::ResizeForward) and the gates' products
 * (WeightMatrix::MatrixDotVector, which calls the installed IntSimdMatrix kernel: the
 * library's AVX2 one or magi's VNNI one, tess_vnni.c).
 *
 * What one time step t computes (Tesseract 5.3's lstm.cpp, as Debian's build runs it):
 *   source row t = input row t (ni int8s), then the previous output quantised to int8
 *     (x·127, rounded half away from zero by +0.5 and truncation, clipped to ±127);
 *   for each gate g of CI, GI, GF1, GO: line_g = W_g · source row t (the kernel, scaled
 *     to floats), then tanh (CI) or the logistic (the others), each by linear interpolation
 *     in the library's 4096-entry tables: for x < 0, tanh(x) = -f(-x) and logistic(x) =
 *     1 - f(-x); f(y) = T[i] + (T[i+1] - T[i])·(256y - i), i = (int)(256y), 1 when i > 4094;
 *   state = state·GF1; state = CI·GI + state; state clipped to ±100;
 *   output = tanh(state)·GO, quantised into the layer's output row t (NT_LSTM) or, for the
 *     summarising LSTM (NT_LSTM_SUMMARY, used inside Lfys48's XY transpose), only at the
 *     last x of each row, into the next row of the output;
 *   at the last x of a row, state and output are zeroed.
 * Every float operation is the library's, one rounding each, in its order (no FMA: this
 * file is compiled with -ffp-contract=off; the library's generic code has none either),
 * lane by lane; the table lookups are gathers from the library's own exported tables
 * (copied at install as (T[i], T[i+1]) pairs). The time steps are visited in
 * StrideMap::Index's order (per image of a batch, y, then x up to that image's width),
 * replicated here from the library's functions.
 *
 * Handled: the 1-D LSTMs, NT_LSTM and NT_LSTM_SUMMARY, in int mode, not training, no
 * softmax, no debug display (Lrx96 is a Reversed wrapper around a plain LSTM: the wrapper
 * stays the library's). Anything else (2-D LSTMs, softmax LSTMs, float networks, training)
 * goes to the library's own LSTM::Forward.
 *
 * How it is installed: LSTM's virtual Forward is word 22 of the exported vtable
 * _ZTVN9tesseract4LSTME (after offset-to-top and typeinfo: its 21st function; read-only
 * after relocation: mprotect around the write), once after libtesseract is loaded and
 * before any engine is initialised (tess_dl.c). It is not installed (the library's stays)
 * when MAGI_OCR_LSTM=library, when the CPU has neither AVX-512F nor AVX2,
 * when a symbol is missing, when the vtable slot is not the library's LSTM::Forward, when
 * the code of the functions whose layouts and arithmetic this file reproduces (LSTM::Forward
 * and its gate sections, NetworkIO::WriteTimeStepPart, StrideMap::Index's walk) is not the
 * bytes of Debian's libtesseract 5.3.0 (amd64) that were read to write it, or when its
 * nonlinearities and quantisation do not give the library's bytes on a self-check.
 * MAGI_OCR_LSTM=avx2 picks the AVX2 variant where AVX-512F exists (to test and measure it).
 * tests/unit/test_tess_lstm.c reads real screens with both and compares words, boxes,
 * confidences and the LSTM layers' outputs. */
#include <dlfcn.h>
#include <link.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vision/tess_dl.h"
#include "vision/tess_layout.h"
#include "vision/tess_patch.h"
#include "core/common.h"

#define LSTM_VTABLE "_ZTVN9tesseract4LSTME"
#define LSTM_FORWARD "_ZN9tesseract4LSTM7Forward" MAGI__TESS_FORWARD_ARGS
#define LSTM_RESIZE_FORWARD "_ZN9tesseract4LSTM13ResizeForwardERKNS_9NetworkIOE"
#define IO_RESIZE_X_TO_1 "_ZN9tesseract9NetworkIO10ResizeXTo1ERKS0_i"
#define WM_DOT "_ZNK9tesseract12WeightMatrix15MatrixDotVectorEPKaPf"
#define TANH_TABLE "_ZN9tesseract9TanhTableE"
#define LOGISTIC_TABLE "_ZN9tesseract13LogisticTableE"
#define LIB_TANH "_ZN9tesseract4TanhEf"
#define LIB_FUNC_INPLACE_F "_ZN9tesseract11FuncInplaceINS_5FFuncEEEviPf"
#define IDX_MAX_INDEX "_ZNK9tesseract9StrideMap5Index13MaxIndexOfDimENS_14FlexDimensionsE"
#define IDX_IS_LAST "_ZNK9tesseract9StrideMap5Index6IsLastENS_14FlexDimensionsE"
#define IDX_INCREMENT "_ZN9tesseract9StrideMap5Index9IncrementEv"
#define OP_NEW "_Znwm"
#define OP_DELETE "_ZdlPvm"

/* tesseract::LSTM's members read here, at their offsets in Debian's 5.3.0 build (from the
 * disassembly of LSTM::Forward; the base Network's are in tess_layout.h) */
enum {
	OFF_NA = 0x60,		  /* int na_: inputs + recurrent outputs (+ softmax feedback) */
	OFF_NS = 0x64,		  /* int ns_: cells */
	OFF_NF = 0x68,		  /* int nf_: softmax feedback */
	OFF_IS_2D = 0x6c,	  /* bool is_2d_ */
	OFF_GATES = 0x70,	  /* WeightMatrix gate_weights_[WT_COUNT] */
	GATE_SIZE = 0xf8,	  /* sizeof(WeightMatrix) */
	OFF_SOFTMAX = 0x548,	  /* FullyConnected *softmax_ */
	OFF_SOURCE = 0x550,	  /* NetworkIO source_ */
	OFF_INPUT_MAP = 0x960,	  /* StrideMap input_map_ */
	OFF_INPUT_WIDTH = 0x9a8,  /* int input_width_ */
	FORWARD_SLOT = 20,	  /* LSTM::Forward in the vtable, after offset-to-top and typeinfo */
	SECTIONS_FROM_FWD = -0x21f0, /* the gates' OpenMP sections function, from Forward */
	SECTIONS_SIZE = 0x750,
};
enum { NT_LSTM = 14, NT_LSTM_SUMMARY = 15, TS_ENABLED = 1 };
enum { CI, GI, GF1, GO };
enum { MAX_NS = 512 };
/* FNV-1a of the code this file reproduces, in Debian's libtesseract5 5.3.0-2 (amd64) */
#define CODE_HASH 0x2c2c5938d6e73839ull

typedef void (*resize_forward_fn)(void *self, const struct magi__tess_networkio *input);
typedef void (*resize_to_map_fn)(struct magi__tess_networkio *io, bool int_mode, const struct magi__tess_stride_map *map,
				 int features);
typedef void (*resize_x_to_1_fn)(struct magi__tess_networkio *io, const struct magi__tess_networkio *src, int features);
typedef void (*wm_dot_fn)(const void *weights, const int8_t *u, float *v);
typedef void (*write_part_fn)(struct magi__tess_networkio *io, int t, int start, int n, const float *in);

static struct {
	magi__tess_forward_fn lib_forward;
	resize_forward_fn resize_forward;
	resize_to_map_fn resize_to_map;
	resize_x_to_1_fn resize_x_to_1;
	wm_dot_fn dot;
	const float *tanh_t, *logistic_t;
	void *(*op_new)(size_t);
	void (*op_delete)(void *, size_t);
	void **slot; /* the vtable's Forward entry */
} L;

static atomic_long handled, passed;

void magi__tess_lstm_counts(long *own, long *library)
{
	*own = atomic_load(&handled);
	*library = atomic_load(&passed);
}

/* ---- StrideMap::Index, as the library's MaxIndexOfDim, IsLast and Increment walk it ---- */

static int max_index(const struct magi__tess_stride_index *ix, int dim)
{
	const struct magi__tess_stride_map *m = ix->map;
	int max = m->shape[dim] - 1;
	if (dim == MAGI__TESS_FD_BATCH)
		return max;
	const struct magi__tess_vec_int *v = dim == MAGI__TESS_FD_HEIGHT ? &m->heights : &m->widths;
	size_t b = (size_t)(ptrdiff_t)ix->indices[MAGI__TESS_FD_BATCH];
	if (b >= (size_t)(v->end - v->begin))
		return max;
	int size = v->begin[b];
	return size <= max ? size - 1 : max;
}

static bool is_last(const struct magi__tess_stride_index *ix, int dim)
{
	return ix->indices[dim] == max_index(ix, dim);
}

static bool increment(struct magi__tess_stride_index *ix)
{
	for (int d = MAGI__TESS_FD_DIMSIZE - 1; d >= 0; d--) {
		if (!is_last(ix, d)) {
			ix->t += ix->map->t_increments[d];
			ix->indices[d]++;
			return true;
		}
		ix->t -= ix->map->t_increments[d] * ix->indices[d];
		ix->indices[d] = 0;
	}
	return false;
}

/* std::vector<int>'s copy assignment (libstdc++: a new block only when the capacity is short) */
static void vec_assign(struct magi__tess_vec_int *d, const struct magi__tess_vec_int *s)
{
	if (d == s)
		return;
	size_t n = (size_t)(s->end - s->begin);
	if (n > (size_t)(d->cap - d->begin)) {
		int *p = n ? L.op_new(n * sizeof *p) : NULL;
		if (n)
			memcpy(p, s->begin, n * sizeof *p);
		if (d->begin)
			L.op_delete(d->begin, (size_t)(d->cap - d->begin) * sizeof *p);
		d->begin = p;
		d->cap = p + n;
	} else if (n) {
		memmove(d->begin, s->begin, n * sizeof *d->begin);
	}
	d->end = d->begin + n;
}

/* ---- the scalar arithmetic, as the library's inlined Tanh, Logistic and quantiser run it ---- */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AVX512 __attribute__((target("avx512f")))
#define AVX512_INLINE __attribute__((target("avx512f"), always_inline)) static inline

/* cvttss2si to 64 bits, low 32 bits: the library's index (its out-of-range values too) */
static uint32_t table_index(float s)
{
	return (uint32_t)_mm_cvttss_si64(_mm_set_ss(s));
}

static float interp(const float *table, float s, uint32_t i)
{
	float t0 = table[i], t1 = table[i + 1];
	return (t1 - t0) * (s - (float)(int32_t)i) + t0;
}

static float tanh_lib(float x)
{
	if (0.0f > x) {
		float s = -x * 256.0f;
		uint32_t i = table_index(s);
		return i > 4094 ? -1.0f : -interp(L.tanh_t, s, i);
	}
	float s = x * 256.0f;
	uint32_t i = table_index(s);
	return i > 4094 ? 1.0f : interp(L.tanh_t, s, i);
}

static float logistic_lib(float x)
{
	if (0.0f > x) {
		float s = -x * 256.0f;
		uint32_t i = table_index(s);
		return i > 4094 ? 0.0f : 1.0f - interp(L.logistic_t, s, i);
	}
	float s = x * 256.0f;
	uint32_t i = table_index(s);
	return i > 4094 ? 1.0f : interp(L.logistic_t, s, i);
}

/* ---- the same, 16 lanes at a time ---- */

enum { TANH_F, LOGISTIC_F };

/* The library's tables as pairs (T[i], T[i+1]), filled at install: one 64-bit gather per
 * 8 lanes instead of two 32-bit gathers per 16 (gathers cost per element; this CPU's are
 * slow) */
static _Alignas(64) float tanh_pairs[4096][2], logistic_pairs[4096][2];

/* Lanes (bits of odd) whose index the library takes from a 64-bit conversion's low half:
 * through the scalar replicas */
static void odd_lanes(int f, const float *xs, float *rs, unsigned odd, int lanes)
{
	for (int k = 0; k < lanes; k++)
		if (odd >> k & 1)
			rs[k] = f == TANH_F ? tanh_lib(xs[k]) : logistic_lib(xs[k]);
}

static void fill_pairs(void)
{
	for (int k = 0; k < 4095; k++) {
		tanh_pairs[k][0] = L.tanh_t[k], tanh_pairs[k][1] = L.tanh_t[k + 1];
		logistic_pairs[k][0] = L.logistic_t[k], logistic_pairs[k][1] = L.logistic_t[k + 1];
	}
}

/* f applied to 16 lanes. Lanes whose scaled argument is >= 2^32 or NaN (where the library's
 * index is the low half of a 64-bit conversion) take the scalar path. */
AVX512_INLINE __m512 func16(int f, __m512 x)
{
	const long long *pairs = (const long long *)(void *)(f == TANH_F ? tanh_pairs : logistic_pairs);
	__mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
	__m512 y = _mm512_mask_sub_ps(x, neg, _mm512_setzero_ps(), x);
	__m512 s = _mm512_mul_ps(y, _mm512_set1_ps(256.0f));
	__mmask16 in = _mm512_cmp_ps_mask(s, _mm512_set1_ps(4095.0f), _CMP_LT_OQ);
	__mmask16 big = _mm512_cmp_ps_mask(s, _mm512_set1_ps(4294967296.0f), _CMP_LT_OQ) & (__mmask16)~in;
	/* lanes outside the table read pair 0; their results are replaced below */
	__m512i i = _mm512_maskz_cvttps_epi32(in, s);
	__m512 lo = _mm512_castsi512_ps(_mm512_i32gather_epi64(_mm512_castsi512_si256(i), pairs, 8));
	__m512 hi = _mm512_castsi512_ps(_mm512_i32gather_epi64(_mm512_extracti64x4_epi64(i, 1), pairs, 8));
	const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
	__m512 t0 = _mm512_permutex2var_ps(lo, even, hi);
	__m512 t1 = _mm512_permutex2var_ps(lo, _mm512_add_epi32(even, _mm512_set1_epi32(1)), hi);
	__m512 r = _mm512_add_ps(_mm512_mul_ps(_mm512_sub_ps(t1, t0), _mm512_sub_ps(s, _mm512_cvtepi32_ps(i))), t0);
	r = _mm512_mask_mov_ps(r, big, _mm512_set1_ps(1.0f));
	if (f == TANH_F)
		r = _mm512_mask_sub_ps(r, neg, _mm512_setzero_ps(), r); /* -r: a sign flip, exact */
	else
		r = _mm512_mask_sub_ps(r, neg, _mm512_set1_ps(1.0f), r);
	__mmask16 odd = (__mmask16) ~(in | big);
	if (odd) {
		float xs[16], rs[16];
		_mm512_storeu_ps(xs, x);
		_mm512_storeu_ps(rs, r);
		odd_lanes(f, xs, rs, odd, 16);
		r = _mm512_loadu_ps(rs);
	}
	return r;
}

/* NetworkIO::WriteTimeStepPart in int mode: n floats to int8s */
static AVX512 void quantise_512(const float *in, int n, int8_t *out)
{
	for (int k = 0; k < n; k += 16) {
		__mmask16 m = n - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - k)) - 1);
		__m512 x = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, in + k), _mm512_set1_ps(127.0f));
		__mmask16 ge = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ);
		__m512 a = _mm512_mask_add_ps(_mm512_sub_ps(_mm512_set1_ps(0.5f), x), ge, x, _mm512_set1_ps(0.5f));
		__m512i i = _mm512_cvttps_epi32(a);
		i = _mm512_mask_sub_epi32(_mm512_sub_epi32(_mm512_setzero_si512(), i), ge, i, _mm512_setzero_si512());
		i = _mm512_max_epi32(_mm512_min_epi32(i, _mm512_set1_epi32(127)), _mm512_set1_epi32(-127));
		_mm512_mask_cvtepi32_storeu_epi8(out + k, m, i);
	}
}

/* One time step's element-wise part: the gates' nonlinearities, the state, the output */
static AVX512 void cell_512(int ns, float *const g[4], float *state, float *out)
{
	for (int k = 0; k < ns; k += 16) {
		__mmask16 m = ns - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (ns - k)) - 1);
		__m512 ci = func16(TANH_F, _mm512_maskz_loadu_ps(m, g[CI] + k));
		__m512 gi = func16(LOGISTIC_F, _mm512_maskz_loadu_ps(m, g[GI] + k));
		__m512 gf = func16(LOGISTIC_F, _mm512_maskz_loadu_ps(m, g[GF1] + k));
		__m512 go = func16(LOGISTIC_F, _mm512_maskz_loadu_ps(m, g[GO] + k));
		__m512 s = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, state + k), gf);
		s = _mm512_add_ps(_mm512_mul_ps(ci, gi), s);
		__mmask16 lo = _mm512_cmp_ps_mask(_mm512_set1_ps(-100.0f), s, _CMP_GT_OQ);
		s = _mm512_mask_mov_ps(s, lo, _mm512_set1_ps(-100.0f));
		__mmask16 hi = _mm512_cmp_ps_mask(s, _mm512_set1_ps(100.0f), _CMP_GT_OQ);
		s = _mm512_mask_mov_ps(s, hi, _mm512_set1_ps(100.0f));
		_mm512_mask_storeu_ps(state + k, m, s);
		_mm512_mask_storeu_ps(out + k, m, _mm512_mul_ps(func16(TANH_F, s), go));
	}
}

/* tanh and logistic of n floats (n a multiple of 16), for the install's self-check */
static AVX512 void funcs_512(const float *x, int n, float *t, float *l)
{
	for (int k = 0; k < n; k += 16) {
		_mm512_storeu_ps(t + k, func16(TANH_F, _mm512_loadu_ps(x + k)));
		_mm512_storeu_ps(l + k, func16(LOGISTIC_F, _mm512_loadu_ps(x + k)));
	}
}

/* ---- the same, 8 lanes at a time (AVX2), for CPUs without AVX-512F ---- */

#define AVX2 __attribute__((target("avx2")))
#define AVX2_INLINE __attribute__((target("avx2"), always_inline)) static inline

AVX2_INLINE __m256 func8(int f, __m256 x)
{
	const long long *pairs = (const long long *)(void *)(f == TANH_F ? tanh_pairs : logistic_pairs);
	const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
	__m256 neg = _mm256_cmp_ps(x, zero, _CMP_LT_OQ);
	__m256 y = _mm256_blendv_ps(x, _mm256_sub_ps(zero, x), neg);
	__m256 s = _mm256_mul_ps(y, _mm256_set1_ps(256.0f));
	__m256 in = _mm256_cmp_ps(s, _mm256_set1_ps(4095.0f), _CMP_LT_OQ);
	__m256 big = _mm256_andnot_ps(in, _mm256_cmp_ps(s, _mm256_set1_ps(4294967296.0f), _CMP_LT_OQ));
	__m256i i = _mm256_and_si256(_mm256_cvttps_epi32(s), _mm256_castps_si256(in));
	/* pairs for lanes 0-3 and 4-7, then the T[i] and the T[i+1] gathered in lane order */
	__m256 lo = _mm256_castsi256_ps(_mm256_i32gather_epi64(pairs, _mm256_castsi256_si128(i), 8));
	__m256 hi = _mm256_castsi256_ps(_mm256_i32gather_epi64(pairs, _mm256_extracti128_si256(i, 1), 8));
	__m256 t0 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xd8));
	__m256 t1 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xdd)), 0xd8));
	__m256 r = _mm256_add_ps(_mm256_mul_ps(_mm256_sub_ps(t1, t0), _mm256_sub_ps(s, _mm256_cvtepi32_ps(i))), t0);
	r = _mm256_blendv_ps(r, one, big);
	r = _mm256_blendv_ps(r, _mm256_sub_ps(f == TANH_F ? zero : one, r), neg);
	int odd = ~_mm256_movemask_ps(_mm256_or_ps(in, big)) & 0xff;
	if (odd) {
		float xs[8], rs[8];
		_mm256_storeu_ps(xs, x);
		_mm256_storeu_ps(rs, r);
		odd_lanes(f, xs, rs, (unsigned)odd, 8);
		r = _mm256_loadu_ps(rs);
	}
	return r;
}

/* quantise_512's, for n a multiple of 8 */
static AVX2 void quantise_256(const float *in, int n, int8_t *out)
{
	for (int k = 0; k < n; k += 8) {
		__m256 x = _mm256_mul_ps(_mm256_loadu_ps(in + k), _mm256_set1_ps(127.0f));
		__m256 ge = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
		__m256 a = _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(x, _mm256_set1_ps(0.5f)), ge);
		__m256i i = _mm256_cvttps_epi32(a);
		i = _mm256_blendv_epi8(_mm256_sub_epi32(_mm256_setzero_si256(), i), i, _mm256_castps_si256(ge));
		i = _mm256_max_epi32(_mm256_min_epi32(i, _mm256_set1_epi32(127)), _mm256_set1_epi32(-127));
		__m128i w = _mm_packs_epi32(_mm256_castsi256_si128(i), _mm256_extracti128_si256(i, 1));
		_mm_storel_epi64((__m128i *)(void *)(out + k), _mm_packs_epi16(w, w));
	}
}

/* cell_512's, for ns a multiple of 8 */
static AVX2 void cell_256(int ns, float *const g[4], float *state, float *out)
{
	for (int k = 0; k < ns; k += 8) {
		__m256 ci = func8(TANH_F, _mm256_loadu_ps(g[CI] + k));
		__m256 gi = func8(LOGISTIC_F, _mm256_loadu_ps(g[GI] + k));
		__m256 gf = func8(LOGISTIC_F, _mm256_loadu_ps(g[GF1] + k));
		__m256 go = func8(LOGISTIC_F, _mm256_loadu_ps(g[GO] + k));
		__m256 s = _mm256_mul_ps(_mm256_loadu_ps(state + k), gf);
		s = _mm256_add_ps(_mm256_mul_ps(ci, gi), s);
		s = _mm256_blendv_ps(s, _mm256_set1_ps(-100.0f), _mm256_cmp_ps(_mm256_set1_ps(-100.0f), s, _CMP_GT_OQ));
		s = _mm256_blendv_ps(s, _mm256_set1_ps(100.0f), _mm256_cmp_ps(s, _mm256_set1_ps(100.0f), _CMP_GT_OQ));
		_mm256_storeu_ps(state + k, s);
		_mm256_storeu_ps(out + k, _mm256_mul_ps(func8(TANH_F, s), go));
	}
}

static AVX2 void funcs_256(const float *x, int n, float *t, float *l)
{
	for (int k = 0; k < n; k += 8) {
		_mm256_storeu_ps(t + k, func8(TANH_F, _mm256_loadu_ps(x + k)));
		_mm256_storeu_ps(l + k, func8(LOGISTIC_F, _mm256_loadu_ps(x + k)));
	}
}

/* One instruction set's element-wise functions */
struct isa {
	const char *name;
	int lanes; /* the AVX2 functions take multiples of 8 only */
	void (*cell)(int ns, float *const g[4], float *state, float *out);
	void (*quantise)(const float *in, int n, int8_t *out);
	void (*funcs)(const float *x, int n, float *t, float *l);
};
static const struct isa isa_512 = {"AVX-512F", 16, cell_512, quantise_512, funcs_512};
static const struct isa isa_256 = {"AVX2", 8, cell_256, quantise_256, funcs_256};

#define AT(self, off, type) ((type)((char *)(self) + (off)))

static void forward_with(const struct isa *isa, void *self, bool debug, const struct magi__tess_networkio *input,
			 const void *input_transpose, void *scratch, struct magi__tess_networkio *output)
{
	const struct magi__tess_network *net = self;
	const int ni = net->ni, no = net->no, ns = *AT(self, OFF_NS, int *), na = *AT(self, OFF_NA, int *);
	bool summary = net->type == NT_LSTM_SUMMARY;
	if (debug || (net->type != NT_LSTM && !summary) || net->training == TS_ENABLED ||
	    *AT(self, OFF_SOFTMAX, void **) || *AT(self, OFF_IS_2D, bool *) || *AT(self, OFF_NF, int *) != 0 ||
	    !input->int_mode || ns <= 0 || ns > MAX_NS || (isa->lanes == 8 && ns % 8) || no != ns ||
	    na != ni + ns || ni <= 0 || input->i.dim2 < ni) {
		atomic_fetch_add_explicit(&passed, 1, memory_order_relaxed);
		L.lib_forward(self, debug, input, input_transpose, scratch, output);
		return;
	}
	/* what the library does before its loop (all of it again if we hand over below) */
	struct magi__tess_stride_map *map = AT(self, OFF_INPUT_MAP, struct magi__tess_stride_map *);
	memcpy(map->shape, input->stride_map.shape, sizeof map->shape);
	memcpy(map->t_increments, input->stride_map.t_increments, sizeof map->t_increments);
	vec_assign(&map->heights, &input->stride_map.heights);
	vec_assign(&map->widths, &input->stride_map.widths);
	*AT(self, OFF_INPUT_WIDTH, int *) = input->i.dim1;
	if (summary)
		L.resize_x_to_1(output, input, no);
	else
		L.resize_to_map(output, input->int_mode, &input->stride_map, no);
	L.resize_forward(self, input);
	struct magi__tess_networkio *source = AT(self, OFF_SOURCE, struct magi__tess_networkio *);
	if (!source->int_mode || source->i.dim2 < na || !output->int_mode || output->i.dim2 != ns) {
		atomic_fetch_add_explicit(&passed, 1, memory_order_relaxed);
		L.lib_forward(self, debug, input, input_transpose, scratch, output);
		return;
	}
	atomic_fetch_add_explicit(&handled, 1, memory_order_relaxed);

	/* the kernels write whole blocks of outputs: room for ns rounded up to 64 */
	_Alignas(64) float lines[4][MAX_NS + 64], state[MAX_NS], out[MAX_NS];
	float *const g[4] = {lines[0], lines[1], lines[2], lines[3]};
	memset(state, 0, (size_t)ns * sizeof *state);
	memset(out, 0, (size_t)ns * sizeof *out);
	struct magi__tess_stride_index src = {map, 0, {0, 0, 0}}, dest = {&output->stride_map, 0, {0, 0, 0}};
	do {
		int t = src.t;
		int8_t *row = magi__tess_io_i(source, t);
		memcpy(row, magi__tess_io_i(input, t), (size_t)ni);
		isa->quantise(out, ns, row + ni);
		for (int k = CI; k <= GO; k++)
			L.dot(AT(self, OFF_GATES + k * GATE_SIZE, const void *), row, g[k]);
		isa->cell(ns, g, state, out);
		bool last_x = is_last(&src, MAGI__TESS_FD_WIDTH);
		if (!summary) {
			isa->quantise(out, ns, magi__tess_io_i(output, t));
		} else if (last_x) {
			isa->quantise(out, ns, magi__tess_io_i(output, dest.t));
			increment(&dest);
		}
		if (last_x) {
			memset(state, 0, (size_t)ns * sizeof *state);
			memset(out, 0, (size_t)ns * sizeof *out);
		}
	} while (increment(&src));
}

static void own_forward_512(void *self, bool debug, const struct magi__tess_networkio *input,
			    const void *input_transpose, void *scratch, struct magi__tess_networkio *output)
{
	forward_with(&isa_512, self, debug, input, input_transpose, scratch, output);
}

static void own_forward_256(void *self, bool debug, const struct magi__tess_networkio *input,
			    const void *input_transpose, void *scratch, struct magi__tess_networkio *output)
{
	forward_with(&isa_256, self, debug, input, input_transpose, scratch, output);
}

/* The variant for this CPU (AVX-512F, else AVX2; MAGI_OCR_LSTM=avx2 asks for AVX2), or NULL */
static const struct isa *pick_isa(bool want_avx2)
{
	__builtin_cpu_init();
	if (!want_avx2 && __builtin_cpu_supports("avx512f"))
		return &isa_512;
	return __builtin_cpu_supports("avx2") ? &isa_256 : NULL;
}

static magi__tess_forward_fn forward_of(const struct isa *isa)
{
	return isa == &isa_512 ? own_forward_512 : own_forward_256;
}

/* ---- checks at install ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* The bytes of an exported function (its symbol's size), hashed into h; false when unknown */
static bool hash_symbol(const char *name, uint64_t *h)
{
	void *p = dlsym(RTLD_DEFAULT, name);
	Dl_info info;
	const ElfW(Sym) *sym = NULL;
	if (!p || !dladdr1(p, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym || sym->st_size == 0 ||
	    info.dli_saddr != p)
		return false;
	*h = fnv(*h, p, sym->st_size);
	return true;
}

static uint64_t code_hash(void)
{
	static const char *const names[] = {LSTM_FORWARD, MAGI__TESS_IO_WRITE_TIME_STEP_PART, IDX_MAX_INDEX, IDX_IS_LAST,
					    IDX_INCREMENT};
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!hash_symbol(names[i], &h))
			return 0;
	/* the gates' sections, which Forward reaches at a fixed distance in the same build */
	const char *fwd;
	memcpy(&fwd, &L.lib_forward, sizeof fwd);
	return fnv(h, fwd + SECTIONS_FROM_FWD, SECTIONS_SIZE);
}

/* The vectorised nonlinearities against the library's own (its out-of-line Tanh and
 * FuncInplace<FFunc>, compiled from the same inline functions as Forward's), and the
 * quantiser against NetworkIO::WriteTimeStepPart, on arguments over every branch: both
 * signs, zeros, table ends, saturation, huge values. */
static bool same_as_library(const struct isa *isa)
{
	float (*lib_tanh)(float);
	void (*lib_logistic)(int, float *);
	write_part_fn write_part;
	void *a = dlsym(RTLD_DEFAULT, LIB_TANH), *b = dlsym(RTLD_DEFAULT, LIB_FUNC_INPLACE_F),
	     *c = dlsym(RTLD_DEFAULT, MAGI__TESS_IO_WRITE_TIME_STEP_PART);
	if (!a || !b || !c)
		return false;
	memcpy(&lib_tanh, &a, sizeof a);
	memcpy(&lib_logistic, &b, sizeof b);
	memcpy(&write_part, &c, sizeof c);
	fill_pairs();
	enum { N = 4096 + 64 };
	static float xs[N], lib_l[N], own_t[N], own_l[N], lib_t[N];
	static int8_t q_lib[N], q_own[N];
	uint32_t r = 2463534242u;
	for (int k = 0; k < N; k++) {
		r ^= r << 13, r ^= r >> 17, r ^= r << 5;
		float v;
		if (k < 4096)
			v = ((float)k - 2048.0f) / 2048.0f * (k % 3 == 0 ? 20.0f : k % 3 == 1 ? 2.0f : 0.01f);
		else
			v = (float)((int)(r % 2000001u) - 1000000) * 1e-3f;
		xs[k] = v;
	}
	static const float edges[] = {0.0f, -0.0f, 15.99f, 15.996f, 15.9961f, 15.998f, 16.0f, -16.0f, -15.996f,
				      1e7f, -1e7f, 3.0e38f, -3.0e38f, 1.0f / 256, -1.0f / 256, 100.0f, -100.0f,
				      0.99606f, -0.99606f, 1.0f, -1.0f, 0.003937f, -0.003937f, 0.5f / 127, -0.5f / 127};
	memcpy(xs + 4096, edges, sizeof edges);
	for (int k = 0; k < N; k++) {
		lib_t[k] = lib_tanh(xs[k]);
		lib_l[k] = xs[k];
	}
	lib_logistic(N, lib_l);
	isa->funcs(xs, N, own_t, own_l);
	/* the quantiser takes the outputs' range (and beyond) */
	static float qin[N];
	for (int k = 0; k < N; k++)
		qin[k] = xs[k] / 16.0f;
	struct magi__tess_networkio io;
	memset(&io, 0, sizeof io);
	io.int_mode = true;
	io.i.array = q_lib;
	io.i.dim1 = 1;
	io.i.dim2 = N;
	int nq = isa->lanes == 8 ? N - 8 : N - 3;
	memset(q_lib, 0, sizeof q_lib);
	write_part(&io, 0, 0, nq, qin);
	memset(q_own, 0, sizeof q_own);
	isa->quantise(qin, nq, q_own);
	return memcmp(lib_t, own_t, sizeof lib_t) == 0 && memcmp(lib_l, own_l, sizeof lib_l) == 0 &&
	       memcmp(q_lib, q_own, sizeof q_lib) == 0;
}
static const char *isa_name(const struct isa *isa)
{
	return isa->name;
}
#else
struct isa;
static const struct isa *pick_isa(bool want_avx2)
{
	(void)want_avx2;
	return NULL;
}
static magi__tess_forward_fn forward_of(const struct isa *isa)
{
	(void)isa;
	return NULL;
}
static uint64_t code_hash(void)
{
	return 0;
}
static bool same_as_library(const struct isa *isa)
{
	(void)isa;
	return false;
}
static const char *isa_name(const struct isa *isa)
{
	(void)isa;
	return "";
}
#endif

static magi__tess_forward_fn own_fn; /* the installed variant */

/* Writes the vtable's Forward entry (read-only after relocation: tess_patch.c makes the page
 * writable for the store) */
static bool set_slot(magi__tess_forward_fn fn)
{
	void *p;
	memcpy(&p, &fn, sizeof p);
	return magi__tess_slot_write(L.slot, p);
}

bool magi__tess_lstm_put(void *fn)
{
	magi__tess_forward_fn f;
	if (!L.slot || !fn)
		return false;
	memcpy(&f, &fn, sizeof f);
	return set_slot(f);
}

void *magi__tess_lstm_own_forward(void)
{
	void *p = NULL;
	if (own_fn)
		memcpy(&p, &own_fn, sizeof p);
	return p;
}

void *magi__tess_lstm_avx2_forward(void)
{
	const struct isa *isa = pick_isa(true);
	void *p = NULL;
	if (L.slot && isa && same_as_library(isa)) {
		magi__tess_forward_fn f = forward_of(isa);
		memcpy(&p, &f, sizeof p);
	}
	return p;
}

void *magi__tess_lstm_lib_forward(void)
{
	void *p = NULL;
	if (L.lib_forward)
		memcpy(&p, &L.lib_forward, sizeof p);
	return p;
}

#define LOAD(field, name)                                                                                         \
	do {                                                                                                      \
		void *sym_ = dlsym(RTLD_DEFAULT, name);                                                           \
		if (!sym_)                                                                                        \
			return "the library's (a symbol is missing: " name ")";                                   \
		memcpy(&L.field, &sym_, sizeof sym_);                                                             \
	} while (0)

static const char *install(void)
{
	const char *env = getenv("MAGI_OCR_LSTM");
	if (env && strcmp(env, "library") == 0)
		return "the library's (MAGI_OCR_LSTM=library)";
	const struct isa *isa = pick_isa(env && strcmp(env, "avx2") == 0);
	if (!isa)
		return "the library's (neither AVX-512F nor AVX2)";
	LOAD(lib_forward, LSTM_FORWARD);
	LOAD(resize_forward, LSTM_RESIZE_FORWARD);
	LOAD(resize_to_map, MAGI__TESS_IO_RESIZE_TO_MAP);
	LOAD(resize_x_to_1, IO_RESIZE_X_TO_1);
	LOAD(dot, WM_DOT);
	LOAD(tanh_t, TANH_TABLE);
	LOAD(logistic_t, LOGISTIC_TABLE);
	LOAD(op_new, OP_NEW);
	LOAD(op_delete, OP_DELETE);
	uint64_t h = code_hash();
	if (h != CODE_HASH) {
		MAGI_DEBUG("OCR: LSTM code hash %016llx", (unsigned long long)h);
		return "the library's (its LSTM code is not the build magi's was checked against)";
	}
	void **vt = dlsym(RTLD_DEFAULT, LSTM_VTABLE);
	void *fwd;
	memcpy(&fwd, &L.lib_forward, sizeof fwd);
	if (!vt || vt[2 + FORWARD_SLOT] != fwd)
		return "the library's (LSTM's vtable does not hold LSTM::Forward where expected)";
	if (!same_as_library(isa))
		return "the library's (magi's nonlinearities or quantiser did not give the library's bytes)";
	L.slot = &vt[2 + FORWARD_SLOT];
	if (!set_slot(forward_of(isa))) {
		L.slot = NULL;
		return "the library's (its vtable could not be written)";
	}
	own_fn = forward_of(isa);
	static char msg[64];
	snprintf(msg, sizeof msg, "magi's, %s (src/vision/tess_lstm.c)", isa_name(isa));
	return msg;
}

static const char *status = "the library's (not installed yet)";

const char *magi__tess_lstm_install(void)
{
	status = install();
	return status;
}

const char *magi__tess_lstm_status(void)
{
	return status;
}
