/* tess_layout.h — the memory layouts of libtesseract 5.3's network classes, for the C code
 * that stands in for some of its functions (src/vision/tess_plumb.c).
 *
 * magi is C; Tesseract is C++. The structs below mirror, field for field, the data members
 * of Tesseract 5.3.0's classes (src/lstm/networkio.h, stridemap.h, network.h, convolve.h,
 * reconfig.h, maxpool.h; src/ccstruct/matrix.h; src/ccutil/helpers.h) as GCC lays them out
 * on x86-64 (Itanium C++ ABI: a class with virtual functions starts with its vtable pointer;
 * std::vector is three pointers; std::__cxx11::string is 32 bytes). The offsets were
 * checked against Debian's libtesseract.so.5 (5.3.0-2) by disassembly (objdump -d of
 * Convolve::Forward, Maxpool::Forward, NetworkIO::Randomize, CopyTimeStepGeneral,
 * StrideMap::Index::SetTFromIndices and MaxIndexOfDim): the _Static_asserts pin them, and
 * whatever uses them must still check at run time that the loaded library behaves as these
 * layouts say (tess_plumb.c compares its functions with the library's on synthetic inputs
 * before it installs them) — another build of Tesseract may differ silently.
 *
 * Stable interface: other code includes this header; add fields or structs, do not rename. */
#ifndef MAGI_TESS_LAYOUT_H
#define MAGI_TESS_LAYOUT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* tesseract::GENERIC_2D_ARRAY<T> (matrix.h): a dim1 × dim2 array in one block, row t at
 * array + t·dim2 (operator[]). It has virtual functions (index(), the destructor), so its
 * first word is a vtable pointer: _ZTVN9tesseract16GENERIC_2D_ARRAYI{f,a,i}EE + 16 for
 * float, int8_t and int. `empty` is a T (the value for out-of-range reads). */
struct magi__tess_2d {
	const void *vtable;
	void *array;
	uint32_t empty; /* T empty_: float, int8_t (+ padding) or int */
	int dim1, dim2;
	int size_allocated; /* elements new[]-allocated at array */
};

/* std::vector<int> (libstdc++) */
struct magi__tess_vec_int {
	int *begin, *end, *cap;
};

/* tesseract::FlexDimensions */
enum { MAGI__TESS_FD_BATCH, MAGI__TESS_FD_HEIGHT, MAGI__TESS_FD_WIDTH, MAGI__TESS_FD_DIMSIZE };

/* tesseract::StrideMap (stridemap.h): the [batch][y][x] shape of a NetworkIO. Element
 * (b, y, x) is row b·t_increments[0] + y·t_increments[1] + x·t_increments[2] of the 2-d
 * array. heights/widths (when not empty) hold each image's own height and width in a batch
 * (the shape is the largest); StrideMap::Index::MaxIndexOfDim(d) is
 * min(shape[d], heights[b] or widths[b]) - 1 for d = height or width when b < the vector's
 * size, shape[d] - 1 otherwise. */
struct magi__tess_stride_map {
	int shape[MAGI__TESS_FD_DIMSIZE];
	int t_increments[MAGI__TESS_FD_DIMSIZE];
	struct magi__tess_vec_int heights, widths;
};

/* tesseract::StrideMap::Index */
struct magi__tess_stride_index {
	const struct magi__tess_stride_map *map;
	int t;
	int indices[MAGI__TESS_FD_DIMSIZE];
};

/* tesseract::NetworkIO (networkio.h): the activations between layers, one row ("time
 * step", t) per [batch][y][x] position, float (f) or int8 scaled by 127 (i) as int_mode
 * says. i's rows are GetPadding(dim2) bytes longer in the allocation, not in dim2. */
struct magi__tess_networkio {
	struct magi__tess_2d f; /* GENERIC_2D_ARRAY<float> */
	struct magi__tess_2d i; /* GENERIC_2D_ARRAY<int8_t> */
	bool int_mode;
	struct magi__tess_stride_map stride_map;
};

/* tesseract::TRand (helpers.h): a std::minstd_rand, whose state is an unsigned long:
 * next = state · 48271 mod 2147483647. IntRand() is the new state as int32_t;
 * SignedRand(r) = r · 2.0 · IntRand() / INT32_MAX - r (in double). */
struct magi__tess_trand {
	uint64_t state;
};

/* libstdc++'s std::__cxx11::basic_string<char> */
struct magi__tess_string {
	char *data;
	size_t size;
	union {
		char local[16];
		size_t capacity;
	} u;
};

/* tesseract::NetworkType values (network.h) magi tests for (FullyConnected::ForwardTimeStep's
 * disassembly: 19 is the tanh case, 16-23 its switch) */
enum { MAGI__TESS_NT_LOGISTIC = 16, MAGI__TESS_NT_TANH = 19, MAGI__TESS_NT_SOFTMAX = 22 };

/* tesseract::Network (network.h), the base of every layer */
struct magi__tess_network {
	const void *vtable;
	int type;	    /* NetworkType */
	int training;	    /* TrainingState */
	bool needs_to_backprop;
	int32_t network_flags;
	int32_t ni, no;	    /* inputs and outputs per time step */
	int32_t num_weights;
	struct magi__tess_string name;
	void *forward_win, *backward_win; /* ScrollView * */
	struct magi__tess_trand *randomizer;
};

/* tesseract::Convolve (convolve.h): output row t is, for x = -half_x..half_x and then
 * y = -half_y..half_y, the ni inputs at (x, y) from t's position (random values from
 * randomizer where that is outside the image): no = ni·(2·half_x+1)·(2·half_y+1). */
struct magi__tess_convolve {
	struct magi__tess_network net;
	int32_t half_x, half_y;
};

/* tesseract::Reconfig (reconfig.h) */
struct magi__tess_reconfig {
	struct magi__tess_network net;
	struct magi__tess_stride_map back_map;
	int32_t x_scale, y_scale;
};

/* tesseract::Maxpool (maxpool.h): per output position, per feature, the maximum of the
 * x_scale × y_scale inputs (maxes: the input row it came from, for Backward). */
struct magi__tess_maxpool {
	struct magi__tess_reconfig rc;
	struct magi__tess_2d maxes; /* GENERIC_2D_ARRAY<int> */
};

_Static_assert(sizeof(struct magi__tess_2d) == 0x20, "GENERIC_2D_ARRAY");
_Static_assert(offsetof(struct magi__tess_2d, dim1) == 0x14 && offsetof(struct magi__tess_2d, dim2) == 0x18,
	       "GENERIC_2D_ARRAY dims");
_Static_assert(sizeof(struct magi__tess_stride_map) == 0x48 &&
		       offsetof(struct magi__tess_stride_map, heights) == 0x18 &&
		       offsetof(struct magi__tess_stride_map, widths) == 0x30,
	       "StrideMap");
_Static_assert(sizeof(struct magi__tess_stride_index) == 0x18 && offsetof(struct magi__tess_stride_index, t) == 8 &&
		       offsetof(struct magi__tess_stride_index, indices) == 0xc,
	       "StrideMap::Index");
_Static_assert(offsetof(struct magi__tess_networkio, i) == 0x20 &&
		       offsetof(struct magi__tess_networkio, int_mode) == 0x40 &&
		       offsetof(struct magi__tess_networkio, stride_map) == 0x48 &&
		       sizeof(struct magi__tess_networkio) == 0x90,
	       "NetworkIO");
_Static_assert(sizeof(struct magi__tess_string) == 32, "std::string");
_Static_assert(offsetof(struct magi__tess_network, ni) == 0x18 && offsetof(struct magi__tess_network, no) == 0x1c &&
		       offsetof(struct magi__tess_network, name) == 0x28 &&
		       offsetof(struct magi__tess_network, randomizer) == 0x58 &&
		       sizeof(struct magi__tess_network) == 0x60,
	       "Network");
_Static_assert(offsetof(struct magi__tess_convolve, half_x) == 0x60 &&
		       offsetof(struct magi__tess_convolve, half_y) == 0x64,
	       "Convolve");
_Static_assert(offsetof(struct magi__tess_reconfig, back_map) == 0x60 &&
		       offsetof(struct magi__tess_reconfig, x_scale) == 0xa8 &&
		       offsetof(struct magi__tess_reconfig, y_scale) == 0xac,
	       "Reconfig");
_Static_assert(offsetof(struct magi__tess_maxpool, maxes) == 0xb0, "Maxpool");

/* The mangled names magi looks up (dlsym) in the loaded library */
#define MAGI__TESS_FORWARD_ARGS "EbRKNS_9NetworkIOEPKNS_15TransposedArrayEPNS_14NetworkScratchEPS1_"
#define MAGI__TESS_CONVOLVE_VTABLE "_ZTVN9tesseract8ConvolveE"
#define MAGI__TESS_CONVOLVE_FORWARD "_ZN9tesseract8Convolve7Forward" MAGI__TESS_FORWARD_ARGS
#define MAGI__TESS_MAXPOOL_VTABLE "_ZTVN9tesseract7MaxpoolE"
#define MAGI__TESS_MAXPOOL_FORWARD "_ZN9tesseract7Maxpool7Forward" MAGI__TESS_FORWARD_ARGS
#define MAGI__TESS_2D_FLOAT_VTABLE "_ZTVN9tesseract16GENERIC_2D_ARRAYIfEE"
#define MAGI__TESS_2D_INT8_VTABLE "_ZTVN9tesseract16GENERIC_2D_ARRAYIaEE"
#define MAGI__TESS_2D_INT_VTABLE "_ZTVN9tesseract16GENERIC_2D_ARRAYIiEE"
#define MAGI__TESS_IO_RESIZE_TO_MAP "_ZN9tesseract9NetworkIO11ResizeToMapEbRKNS_9StrideMapEi"
#define MAGI__TESS_IO_RESIZE_SCALED "_ZN9tesseract9NetworkIO12ResizeScaledERKS0_iii"
#define MAGI__TESS_IO_RANDOMIZE "_ZN9tesseract9NetworkIO9RandomizeEiiiPNS_5TRandE"
#define MAGI__TESS_IO_WRITE_TIME_STEP_PART "_ZN9tesseract9NetworkIO17WriteTimeStepPartEiiiPKf"
#define MAGI__TESS_IO_DESTRUCTOR "_ZN9tesseract9NetworkIOD1Ev"
#define MAGI__TESS_FC_FORWARD_TIME_STEP "_ZN9tesseract14FullyConnected15ForwardTimeStepEiPf"
#define MAGI__TESS_TANH_TABLE "_ZN9tesseract9TanhTableE"
#define MAGI__TESS_LOGISTIC_TABLE "_ZN9tesseract13LogisticTableE"
#define MAGI__TESS_STRIDE_SET_STRIDE "_ZN9tesseract9StrideMap9SetStrideERKSt6vectorISt4pairIiiESaIS3_EE"

/* A layer's Forward (Network's virtual function): this, debug, input, input_transpose,
 * scratch, output. */
typedef void (*magi__tess_forward_fn)(void *self, bool debug, const struct magi__tess_networkio *input,
				      const void *input_transpose, void *scratch, struct magi__tess_networkio *output);

/* Row t of a NetworkIO's int8 or float array */
static inline int8_t *magi__tess_io_i(const struct magi__tess_networkio *io, int t)
{
	return (int8_t *)io->i.array + (ptrdiff_t)t * io->i.dim2;
}
static inline float *magi__tess_io_f(const struct magi__tess_networkio *io, int t)
{
	return (float *)io->f.array + (ptrdiff_t)t * io->f.dim2;
}
#endif
