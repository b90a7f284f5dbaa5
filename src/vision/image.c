/* image.c — the RGB8 image type: allocation with the pixel cap, clone. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "magi/vision.h"
#include "vision/vision_internal.h"
#include "core/common.h"

/* Pixel memory, zeroed when `zero`. A screen-sized buffer (4K is 24 MB) is asked for in
 * transparent huge pages: filled page by page, it otherwise costs one page fault per 4 KiB,
 * which was as much CPU as decoding the PNG it holds. Where the kernel has no huge pages
 * this is an ordinary aligned allocation. */
static uint8_t *pixels(size_t n, bool zero)
{
	if (n == 0)
		return NULL;
	const size_t huge = (size_t)2 << 20;
	if (n < 2 * huge)
		return zero ? calloc(n, 1) : malloc(n);
	void *p = NULL;
	size_t rounded = (n + huge - 1) / huge * huge;
	if (posix_memalign(&p, huge, rounded))
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, rounded, MADV_HUGEPAGE);
#endif
	if (zero)
		memset(p, 0, n);
	return p;
}

uint8_t *magi__pixels_alloc(size_t n)
{
	return pixels(n, false);
}

static magi_status image_new(uint32_t w, uint32_t h, bool zero, size_t pad, struct magi_image **out)
{
	*out = NULL;
	if (w == 0 || h == 0)
		return MAGI_ERR_INVALID;
	if (w > MAGI_IMAGE_MAX_SIDE || h > MAGI_IMAGE_MAX_SIDE || (uint64_t)w * h > MAGI_IMAGE_MAX_PIXELS)
		return MAGI_ERR_LIMIT;
	struct magi_image *img = malloc(sizeof *img);
	if (!img)
		return MAGI_ERR_NOMEM;
	img->w = w;
	img->h = h;
	img->stride = w * 3;
	img->px = pixels((size_t)img->stride * h + pad, zero);
	if (!img->px) {
		free(img);
		return MAGI_ERR_NOMEM;
	}
	*out = img;
	return MAGI_OK;
}

magi_status magi_image_new(uint32_t w, uint32_t h, struct magi_image **out)
{
	return image_new(w, h, true, 0, out);
}

magi_status magi__image_new_raw(uint32_t w, uint32_t h, struct magi_image **out)
{
	return image_new(w, h, false, 0, out);
}

magi_status magi__image_new_raw_pad(uint32_t w, uint32_t h, size_t pad, struct magi_image **out)
{
	return image_new(w, h, false, pad, out);
}

void magi_image_free(struct magi_image *img)
{
	if (!img)
		return;
	free(img->px);
	free(img);
}

magi_status magi_image_clone(const struct magi_image *src, struct magi_image **out)
{
	magi_status s = magi__image_new_raw(src->w, src->h, out);
	if (s)
		return s;
	for (uint32_t y = 0; y < src->h; y++)
		memcpy((*out)->px + (size_t)y * (*out)->stride, src->px + (size_t)y * src->stride,
		       (size_t)src->w * 3);
	return MAGI_OK;
}
