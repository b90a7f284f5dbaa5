/* vision_internal.h — pieces of src/vision shared between its files (internal). */
#ifndef MAGI_VISION_INTERNAL_H
#define MAGI_VISION_INTERNAL_H
#include "magi/vision.h"

/* A resize that hands out its rows one at a time, top to bottom, so a consumer (the JPEG
 * encoder) never needs the whole resized image. Same pixels as magi_image_resize. */
struct magi__resizer;
/* src must outlive the resizer. MAGI_ERR_INVALID for an empty image or size, MAGI_ERR_LIMIT
 * past the caps, MAGI_ERR_NOMEM. */
magi_status magi__resize_begin(const struct magi_image *src, uint32_t w, uint32_t h,
			       struct magi__resizer **out);
/* Writes output row y (w * 3 bytes) to out; rows must be asked for in order 0, 1, ... */
void magi__resize_row(struct magi__resizer *rz, uint32_t y, uint8_t *out);
/* NULL is a no-op. */
void magi__resize_end(struct magi__resizer *rz);
/* magi_image_new without clearing the pixels: for a caller that writes every one of them. */
magi_status magi__image_new_raw(uint32_t w, uint32_t h, struct magi_image **out);
/* The same with pad bytes of room after the last row (a decoder's working space). */
magi_status magi__image_new_raw_pad(uint32_t w, uint32_t h, size_t pad, struct magi_image **out);
/* n bytes of uncleared pixel memory, in huge pages when large (see image.c); free it with
 * magi__pixels_free. NULL when n is 0 or memory is short. */
uint8_t *magi__pixels_alloc(size_t n);
void magi__pixels_free(uint8_t *p);
/* Decodes the common PNG (8-bit RGB or RGBA, not interlaced, no tRNS) with libdeflate;
 * MAGI_OK and *out (RGB8, alpha over white as the libpng path does), or
 * MAGI_ERR_UNSUPPORTED for anything it does not handle or finds wrong, *out NULL: the
 * caller then decodes with libpng, which names the problem. p starts with the signature. */
magi_status magi__png_read_fast(const uint8_t *p, size_t n, struct magi_image **out);
/* Composites w RGBA pixels over white into RGB (rounded: (v*a + 255*(255-a) + 127) / 255),
 * as both PNG decoders do with alpha. */
void magi__rgba_over_white(const uint8_t *src, uint8_t *dst, uint32_t w);
/* The libpng decoder alone (codec.c), for tests that compare the two. */
magi_status magi__png_decode_libpng(const uint8_t *p, size_t n, const char *what,
				    struct magi_image **out, struct magi_error *err);
#endif
