/* fuzz_image.c — image decoding (PNG and JPEG, sniffed) on arbitrary bytes: every PNG
 * goes through png_read.c's fast reader first (8-bit RGB/RGBA), then through libpng when
 * the fast reader declines it. A decoded image must have a sane size; everything decoded
 * is freed. Under gcc the seed corpus in fuzz/corpus/image/ runs as a test (valid images
 * of every PNG/JPEG flavour, truncated ones, forged headers claiming huge sizes, garbage
 * and an empty file). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "magi/vision.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct magi_image *img = NULL;
	struct magi_error err;
	magi_status s = magi_image_decode(data, size, "fuzz", &img, &err);
	if (s == MAGI_OK) {
		if (!img || img->w == 0 || img->h == 0 || (uint64_t)img->w * img->h > MAGI_IMAGE_MAX_PIXELS)
			abort();
		/* touch every row so a short buffer shows up under the sanitizers */
		volatile uint8_t sink = 0;
		for (uint32_t y = 0; y < img->h; y++)
			sink ^= img->px[(size_t)y * img->stride + (size_t)img->w * 3 - 1];
		(void)sink;
	} else if (img) {
		abort(); /* out-parameter must be NULL on failure */
	}
	magi_image_free(img);
	return 0;
}
