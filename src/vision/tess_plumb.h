/* tess_plumb.h — magi's loops in place of two of libtesseract's network layers (Convolve and
 * Maxpool Forward), installed after the library's load (src/vision/tess_plumb.c). */
#ifndef MAGI_TESS_PLUMB_H
#define MAGI_TESS_PLUMB_H
#include <stdbool.h>
#include <stdint.h>

/* Puts magi's Convolve::Forward and Maxpool::Forward in the library's vtables where it can
 * (once, after the load and before any engine; each layer only when every check passes);
 * returns what the engines use, for the log. MAGI_OCR_LAYERS=library (or
 * MAGI_OCR_KERNEL=library) keeps the library's. */
const char *magi__tess_layers_install(void);

/* For tests. Which layers' vtable slots hold magi's functions now (bit 0: Convolve, bit 1:
 * Maxpool). */
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
#endif
