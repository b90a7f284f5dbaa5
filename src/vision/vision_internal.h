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
#endif
