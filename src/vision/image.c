/* image.c — the RGB8 image type: allocation with the pixel cap, clone. */
#include <stdlib.h>
#include <string.h>
#include "magi/vision.h"
#include "core/common.h"

magi_status magi_image_new(uint32_t w, uint32_t h, struct magi_image **out)
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
	img->px = calloc((size_t)img->stride * h, 1);
	if (!img->px) {
		free(img);
		return MAGI_ERR_NOMEM;
	}
	*out = img;
	return MAGI_OK;
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
	magi_status s = magi_image_new(src->w, src->h, out);
	if (s)
		return s;
	for (uint32_t y = 0; y < src->h; y++)
		memcpy((*out)->px + (size_t)y * (*out)->stride, src->px + (size_t)y * src->stride,
		       (size_t)src->w * 3);
	return MAGI_OK;
}
