/* tess_vnni.c — an AVX512-VNNI kernel for the integer matrix products of Tesseract's LSTM.
 *
 * Tesseract 5.3's recogniser (the "fast" int8 networks magi loads) spends about a tenth of
 * its CPU (perf, session 12) in one function: the product of an int8 weight matrix by an int8 input vector,
 * scaled to floats (IntSimdMatrix::matrixDotVectorFunction). Debian's libtesseract 5.3.0
 * has kernels for AVX2 and SSE only. On a CPU with AVX512-VNNI, `vpdpbusd` multiplies 64
 * u8×s8 pairs and adds them by fours into 16 int32 sums in one instruction, where the AVX2
 * kernel needs five (two sign fixes, a 16-bit multiply-add, a 32-bit widening multiply-add
 * and an add) for 32 pairs.
 *
 * How it is installed: libtesseract reads the kernel through an exported pointer,
 * `tesseract::IntSimdMatrix::intSimdMatrix`, to a struct laid out (Tesseract 5.x,
 * src/arch/intsimdmatrix.h) as
 *   void (*matrixDotVectorFunction)(int dim1, int dim2, const int8_t *wi,
 *                                   const TFloat *scales, const int8_t *u, TFloat *v);
 *   int num_outputs_per_register_, max_output_registers_, num_inputs_per_register_,
 *       num_inputs_per_group_;
 * The same struct's parameters say how each engine reshapes its weights at load
 * (IntSimdMatrix::Init). magi copies the library's AVX2 struct, keeps its parameters (8, 8,
 * 32, 4: the weights are laid out exactly as for the AVX2 kernel) and replaces the function;
 * the pointer is set once, after libtesseract is loaded and before any engine is
 * initialised (magi__tess_load's once-only step), so no engine ever sees two layouts.
 *
 * What it computes is what the AVX2 kernel computes, bit for bit: the same exact int32 sums
 * (Tesseract's weights and inputs are quantised to -127..127, where the AVX2 kernel's 16-bit
 * intermediate sums cannot saturate), plus 127 × the bias byte, converted to float and
 * multiplied by the scale, one rounding each, lane by lane. tests/unit/test_tess_vnni.c runs
 * both on the same data and compares the outputs byte for byte.
 *
 * It is not installed (the library's own kernel stays) when the CPU lacks AVX512F, BW, VL
 * or VNNI, when the library does not export the two structs or the AVX2 one has other
 * parameters (another Tesseract), when the kernel in use is not the AVX2 one, when both
 * kernels do not give the same bytes on a small matrix at install (this also catches a
 * build without FAST_FLOAT, whose kernel works on doubles), or when MAGI_OCR_KERNEL=library
 * (for A/B measurements). Only this file is compiled for AVX-512 (per-function target
 * attributes); the rest of magi stays baseline x86-64. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vision/tess_dl.h"
#include "core/common.h"

#define MAGI__TESS_CUR "_ZN9tesseract13IntSimdMatrix13intSimdMatrixE"
#define MAGI__TESS_AVX2 "_ZN9tesseract13IntSimdMatrix17intSimdMatrixAVX2E"

/* Tesseract 5.x's IntSimdMatrix (see above) */
struct tess_simd {
	magi__tess_dot_fn dot;
	int outputs_per_register, max_output_registers, inputs_per_register, inputs_per_group;
};

/* the AVX2 kernel's shape, which this kernel's reading of the weights assumes */
enum { OUT_PER_REG = 8, MAX_OUT_REGS = 8, IN_PER_REG = 32, IN_PER_GROUP = 4 };

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define VNNI __attribute__((target("avx512vnni,avx512vl,avx512bw,avx512f,avx2")))
#define VNNI_INLINE __attribute__((target("avx512vnni,avx512vl,avx512bw,avx512f,avx2"), always_inline)) static inline

/* acc += |w| · (u with w's signs): the sums of w·u by fours, exact in 32 bits. A zero weight
 * contributes 0 whatever the input's sign. */
VNNI_INLINE __m512i dot16(__m512i acc, const int8_t *wi, __m512i rep)
{
	__m512i w = _mm512_loadu_si512((const void *)wi);
	__mmask64 neg = _mm512_movepi8_mask(w);
	__m512i signed_in = _mm512_mask_sub_epi8(rep, neg, _mm512_setzero_si512(), rep);
	return _mm512_dpbusd_epi32(acc, _mm512_abs_epi8(w), signed_in);
}

/* Scales 16 sums to floats as the AVX2 kernel does: (sum + 127·bias) as float, × scale. */
VNNI_INLINE void store16(__m512i sum, const int8_t *bias, const float *scales, float *v)
{
	__m512i b = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)bias));
	sum = _mm512_add_epi32(sum, _mm512_mullo_epi32(b, _mm512_set1_epi32(127)));
	_mm512_storeu_ps(v, _mm512_mul_ps(_mm512_cvtepi32_ps(sum), _mm512_loadu_ps(scales)));
}

/* 16·R outputs (R = 4, 2 or 1 zmm accumulators) over num_in inputs (a multiple of 4): the
 * weights come as, for each group of 4 inputs, 16·R outputs × 4 bytes, then 16·R bias
 * bytes. Two sets of accumulators (even and odd input groups) keep two dpbusd chains in
 * flight per register; integer sums do not depend on the order. The loops over r are
 * unrolled by request: GCC 12 at -O2 left them rolled, the accumulators in memory, and the
 * kernel slower than the library's in a reading. */
VNNI_INLINE void block(int R, const int8_t *wi, const float *scales, const int8_t *u, int num_in, float *v)
{
	__m512i a[4], b[4];
	_Pragma("GCC unroll 4") for (int r = 0; r < R; r++)
		a[r] = b[r] = _mm512_setzero_si512();
	const int step = 64 * R;
	int j = 0;
	for (; j + 2 * IN_PER_GROUP <= num_in; j += 2 * IN_PER_GROUP) {
		int32_t x0, x1;
		memcpy(&x0, u + j, 4);
		memcpy(&x1, u + j + 4, 4);
		__m512i rep0 = _mm512_set1_epi32(x0), rep1 = _mm512_set1_epi32(x1);
		_Pragma("GCC unroll 4") for (int r = 0; r < R; r++)
			a[r] = dot16(a[r], wi + 64 * r, rep0);
		_Pragma("GCC unroll 4") for (int r = 0; r < R; r++)
			b[r] = dot16(b[r], wi + step + 64 * r, rep1);
		wi += 2 * step;
	}
	if (j < num_in) {
		int32_t x0;
		memcpy(&x0, u + j, 4);
		__m512i rep0 = _mm512_set1_epi32(x0);
		_Pragma("GCC unroll 4") for (int r = 0; r < R; r++)
			a[r] = dot16(a[r], wi + 64 * r, rep0);
		wi += step;
	}
	_Pragma("GCC unroll 4") for (int r = 0; r < R; r++)
		store16(_mm512_add_epi32(a[r], b[r]), wi + 16 * r, scales + 16 * r, v + 16 * r);
}

/* 8 outputs: the AVX2 kernel's own sign fixes, then one 256-bit dpbusd per 4 inputs */
VNNI_INLINE void block8(const int8_t *wi, const float *scales, const int8_t *u, int num_in, float *v)
{
	__m256i acc = _mm256_setzero_si256();
	for (int j = 0; j < num_in; j += IN_PER_GROUP) {
		int32_t x;
		memcpy(&x, u + j, 4);
		__m256i rep = _mm256_set1_epi32(x);
		__m256i w = _mm256_loadu_si256((const __m256i *)wi);
		acc = _mm256_dpbusd_epi32(acc, _mm256_sign_epi8(w, w), _mm256_sign_epi8(rep, w));
		wi += 32;
	}
	int64_t b8;
	memcpy(&b8, wi, 8);
	__m256i b = _mm256_cvtepi8_epi32(_mm_set_epi64x(0, b8));
	acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(b, _mm256_set1_epi32(127)));
	_mm256_storeu_ps(v, _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(scales)));
}

static void __attribute__((noinline)) VNNI block64(const int8_t *wi, const float *scales, const int8_t *u, int n, float *v)
{
	block(4, wi, scales, u, n, v);
}

/* The library kernel's walk over the output groups: blocks of 64 while they fit in the
 * outputs rounded up to 8, then at most one of 32, 16 and 8. Every block writes its whole
 * width (Tesseract's output vectors are allocated rounded up). */
VNNI void magi__tess_vnni_dot(int dim1, int dim2, const int8_t *wi, const float *scales, const int8_t *u, float *v)
{
	const int num_in = (dim2 - 1 + IN_PER_GROUP - 1) / IN_PER_GROUP * IN_PER_GROUP;
	const int num_out = (dim1 + OUT_PER_REG - 1) / OUT_PER_REG * OUT_PER_REG;
	int group = OUT_PER_REG * MAX_OUT_REGS, out = 0;
	for (; out + group <= num_out; out += group) {
		block64(wi, scales, u, num_in, v);
		wi += (size_t)(num_in + 1) * group;
		scales += group;
		v += group;
	}
	for (group /= 2; group >= OUT_PER_REG; group /= 2) {
		if (out + group > num_out)
			continue;
		if (group == 32)
			block(2, wi, scales, u, num_in, v);
		else if (group == 16)
			block(1, wi, scales, u, num_in, v);
		else
			block8(wi, scales, u, num_in, v);
		wi += (size_t)(num_in + 1) * group;
		scales += group;
		v += group;
		out += group;
	}
}

bool magi__tess_vnni_cpu(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}
#else
void magi__tess_vnni_dot(int dim1, int dim2, const int8_t *wi, const float *scales, const int8_t *u, float *v)
{
	(void)dim1, (void)dim2, (void)wi, (void)scales, (void)u, (void)v;
	abort(); /* never installed: magi__tess_vnni_cpu says no */
}

bool magi__tess_vnni_cpu(void)
{
	return false;
}
#endif

magi__tess_dot_fn magi__tess_avx2_dot(void)
{
	const struct tess_simd *avx2 = dlsym(RTLD_DEFAULT, MAGI__TESS_AVX2);
	if (!avx2 || avx2->outputs_per_register != OUT_PER_REG || avx2->max_output_registers != MAX_OUT_REGS ||
	    avx2->inputs_per_register != IN_PER_REG || avx2->inputs_per_group != IN_PER_GROUP)
		return NULL;
	return avx2->dot;
}

static struct tess_simd vnni;

/* Both kernels on one small matrix (120 outputs: blocks of 64, 32, 16 and 8; 37 inputs, a
 * tail of 4): the outputs must be the same bytes. This also catches a library built without
 * FAST_FLOAT, whose kernel reads and writes doubles (the buffers are sized for that). */
static bool same_as_library(magi__tess_dot_fn lib_dot)
{
	enum { OUT = 120, IN = 37, W = (IN + 3) / 4 * 4 + 1 };
	static int8_t wi[OUT * W + 64], u[64];
	static double scales[OUT], v_lib[OUT], v_own[OUT]; /* room for doubles */
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof wi; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		wi[i] = (int8_t)((int)(x % 255) - 127);
	}
	for (int i = 0; i < IN; i++)
		u[i] = (int8_t)(i * 37 % 255 - 127);
	memset(v_lib, 0, sizeof v_lib);
	memset(v_own, 0, sizeof v_own);
	float *s = (float *)scales;
	for (int i = 0; i < OUT; i++)
		s[i] = 0.001f * (float)(i + 1) / 127.0f;
	lib_dot(OUT, IN + 1, wi, s, u, (float *)v_lib);
	magi__tess_vnni_dot(OUT, IN + 1, wi, s, u, (float *)v_own);
	return memcmp(v_lib, v_own, sizeof v_lib) == 0;
}

const char *magi__tess_kernel_install(void)
{
	const char *env = getenv("MAGI_OCR_KERNEL");
	if (env && strcmp(env, "library") == 0)
		return "the library's (MAGI_OCR_KERNEL=library)";
	if (!magi__tess_vnni_cpu())
		return "the library's (no AVX512-VNNI)";
	const struct tess_simd **cur = dlsym(RTLD_DEFAULT, MAGI__TESS_CUR);
	const struct tess_simd *avx2 = dlsym(RTLD_DEFAULT, MAGI__TESS_AVX2);
	if (!cur || !avx2 || !magi__tess_avx2_dot())
		return "the library's (not Tesseract 5's AVX2 kernel layout)";
	if (*cur != avx2)
		return "the library's (its AVX2 kernel is not the one in use)";
	if (!same_as_library(avx2->dot))
		return "the library's (magi's kernel did not compute the same as the library's)";
	vnni = *avx2;
	vnni.dot = magi__tess_vnni_dot;
	*cur = &vnni;
	return "AVX512-VNNI (magi's, src/vision/tess_vnni.c)";
}
