/* tess_plumb.h — magi's loops in place of two of libtesseract's network layers (Convolve and
 * Maxpool Forward) and of NetworkIO::WriteTimeStepPart, installed after the library's load
 * (src/vision/tess_plumb.c). */
#ifndef MAGI_TESS_PLUMB_H
#define MAGI_TESS_PLUMB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NetworkIO::WriteTimeStepPart(t, offset, num_features, input): `this` first */
typedef void (*magi__tess_write_part_fn)(void *self, int t, int offset, int num_features, const float *input);
/* magi's, vectorised, the same bytes as the library's (see tess_plumb.c) */
void magi__tess_write_time_step_part(void *self, int t, int offset, int num_features, const float *input);

/* FullyConnected::ForwardTimeStep(int t, float *line): `this` first */
typedef void (*magi__tess_fc_step_fn)(void *self, int t, float *line);
/* magi's: tanh layers without branches, the same bytes as the library's; other types are
 * handed to the library's function */
void magi__tess_fc_forward_time_step(void *self, int t, float *line);

/* Puts magi's Convolve::Forward and Maxpool::Forward in the library's vtables, and its
 * WriteTimeStepPart and FullyConnected::ForwardTimeStep in the library's GOT, where it can
 * (once, after the load and before any engine; each layer only when every check passes);
 * returns what the engines use, for the log. MAGI_OCR_LAYERS=library (or
 * MAGI_OCR_KERNEL=library) keeps the library's. */
const char *magi__tess_layers_install(void);

/* For tests. Which layers' vtable slots hold magi's functions now (bit 0: Convolve, bit 1:
 * Maxpool, bit 2: the GOT entry of WriteTimeStepPart, bit 3: FullyConnected::ForwardTimeStep's). */
unsigned magi__tess_layers_installed(void);
/* Calls of magi's functions so far: Convolve walked by magi, Convolve handed to the
 * library's function (a case magi's does not cover), then the same two for Maxpool. The
 * synthetic comparisons below count too. */
void magi__tess_layers_counts(unsigned long counts[4]);
/* Points the installed slots (those magi__tess_layers_install filled) at magi's functions
 * (own) or back at the library's; false when nothing was installed or a write failed. */
bool magi__tess_layers_select(bool own);

/* One image of a synthetic layer input: its height and width */
struct magi__tess_hw {
	int h, w;
};
/* Runs the library's and magi's Convolve::Forward (ni inputs per position, the given half
 * sizes) on the same random input (a batch of n images, int8 or float) and randomizer seed:
 * 1 when the outputs, their shapes and the randomizers' states are the same bytes, 0 when
 * not, -1 when the loaded library lacks what the comparison needs. */
int magi__tess_convolve_check(bool int_mode, int ni, int half_x, int half_y, const struct magi__tess_hw *imgs,
			      int n, uint64_t seed);
/* The same for Maxpool::Forward (ni features, x_scale × y_scale windows): outputs, the
 * maxima's source rows (maxes_) and the kept input shape (back_map_). */
int magi__tess_maxpool_check(bool int_mode, int ni, int x_scale, int y_scale, const struct magi__tess_hw *imgs,
			     int n, uint64_t seed);
/* The library's WriteTimeStepPart and magi's on the same rows (width of them, num_features
 * values from offset, taken from input: width × num_features floats): 1 when the arrays are
 * the same bytes, 0 when not, -1 when the library lacks what the comparison needs. */
int magi__tess_write_part_check(bool int_mode, int width, int num_features, int offset, const float *input);
/* The library's FullyConnected::ForwardTimeStep and magi's on a layer of the given type with
 * n outputs, from input: 1 when the same bytes, 0 when not, -1 when the library lacks it. */
int magi__tess_fc_step_check(int type, const float *input, int n);
/* Fills v with values where the conversion to int8 is delicate (ties, ±0, out of range,
 * infinities, NaN) and random ones. */
void magi__tess_write_part_input(float *v, size_t n, uint64_t seed);
#endif
