/* storyboard.c — many frames in one image: a grid of cells, each frame letterboxed into its
 * cell with its timestamp burned in, so one model call can see a whole stretch of video. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "magi/video.h"
#include "magi/vision.h"
#include "core/common.h"

#define GUTTER 4
#define GUTTER_RGB 0x202020u
#define MISSING_RGB 0x808080u
#define DEFAULT_CELL_W 256u
#define MIN_CELL_W 64u
#define MAX_CELL_W 4096u

static void blit(struct magi_image *dst, const struct magi_image *src, uint32_t x, uint32_t y)
{
	for (uint32_t r = 0; r < src->h && y + r < dst->h; r++) {
		uint32_t w = MAGI_MIN(src->w, dst->w - x);
		memcpy(dst->px + (size_t)(y + r) * dst->stride + (size_t)x * 3,
		       src->px + (size_t)r * src->stride, (size_t)w * 3);
	}
}

/* Largest scale (1..6) at which the label fits the cell's width with a margin. */
static int label_scale(const char *label, uint32_t cell_w)
{
	int scale = (int)MAGI_MAX(1u, MAGI_MIN(6u, cell_w / 128u));
	while (scale > 1) {
		int w, h;
		magi_image_text_size(label, scale, &w, &h);
		if (w + 4 <= (int)cell_w)
			break;
		scale--;
	}
	return scale;
}

magi_status magi_video_storyboard(const struct magi_video_frame *frames, size_t n, uint32_t cols,
				  uint32_t cell_w, struct magi_image **out, struct magi_error *err)
{
	if (!out)
		return magi_error_set(err, MAGI_ERR_INVALID, "storyboard: out is NULL");
	*out = NULL;
	if (!frames || n == 0)
		return magi_error_set(err, MAGI_ERR_INVALID, "storyboard: no frames to show");
	if (n > MAGI_VIDEO_MAX_SAMPLES)
		return magi_error_set(err, MAGI_ERR_LIMIT,
				      "storyboard: %zu frames, more than the %u-frame limit", n,
				      MAGI_VIDEO_MAX_SAMPLES);
	if (cols == 0)
		cols = (uint32_t)ceil(sqrt((double)n));
	if (cols > n)
		cols = (uint32_t)n;
	if (cell_w == 0)
		cell_w = DEFAULT_CELL_W;
	cell_w = MAGI_MAX(MIN_CELL_W, MAGI_MIN(MAX_CELL_W, cell_w));
	double aspect = 16.0 / 9.0;
	for (size_t i = 0; i < n; i++)
		if (frames[i].img && frames[i].img->w && frames[i].img->h) {
			aspect = (double)frames[i].img->w / frames[i].img->h;
			break;
		}
	uint32_t cell_h = (uint32_t)MAGI_MAX(16.0, floor(cell_w / aspect + 0.5));
	if (cell_h > MAX_CELL_W)
		cell_h = MAX_CELL_W;
	uint32_t rows = (uint32_t)((n + cols - 1) / cols);
	uint64_t W = (uint64_t)cols * cell_w + (uint64_t)(cols + 1) * GUTTER;
	uint64_t H = (uint64_t)rows * cell_h + (uint64_t)(rows + 1) * GUTTER;
	if (W > MAGI_IMAGE_MAX_SIDE || H > MAGI_IMAGE_MAX_SIDE || W * H > MAGI_IMAGE_MAX_PIXELS)
		return magi_error_set(
		    err, MAGI_ERR_LIMIT,
		    "storyboard: %llux%llu is larger than the %u-Mpx image limit; "
		    "use fewer frames or smaller cells",
		    (unsigned long long)W, (unsigned long long)H, MAGI_IMAGE_MAX_PIXELS >> 20);
	struct magi_image *sb;
	magi_status s = magi_image_new((uint32_t)W, (uint32_t)H, &sb);
	if (s)
		return magi_error_set(err, s, "storyboard: cannot allocate %llux%llu",
				      (unsigned long long)W, (unsigned long long)H);
	magi_image_fill_rect(sb, 0, 0, (int)W, (int)H, GUTTER_RGB);
	for (size_t i = 0; i < n; i++) {
		uint32_t cx = GUTTER + (uint32_t)(i % cols) * (cell_w + GUTTER);
		uint32_t cy = GUTTER + (uint32_t)(i / cols) * (cell_h + GUTTER);
		const struct magi_image *img = frames[i].img;
		if (!img || !img->w || !img->h) {
			magi_image_fill_rect(sb, (int)cx, (int)cy, (int)cell_w, (int)cell_h,
					     MISSING_RGB);
		} else {
			/* letterbox: fit the frame inside the cell keeping its aspect */
			uint32_t fw = cell_w,
				 fh = (uint32_t)MAGI_MAX(
				     1.0, floor((double)cell_w * img->h / img->w + 0.5));
			if (fh > cell_h) {
				fh = cell_h;
				fw = (uint32_t)MAGI_MAX(
				    1.0, floor((double)cell_h * img->w / img->h + 0.5));
			}
			struct magi_image *r = NULL;
			if (fw == img->w && fh == img->h)
				s = magi_image_clone(img, &r);
			else
				s = magi_image_resize(img, fw, fh, &r);
			if (s) {
				magi_image_free(sb);
				return magi_error_set(err, s,
						      "storyboard: cannot scale frame %zu to %ux%u",
						      i, fw, fh);
			}
			blit(sb, r, cx + (cell_w - fw) / 2, cy + (cell_h - fh) / 2);
			magi_image_free(r);
		}
		char label[16];
		magi_video_format_time(frames[i].t_s, label);
		int scale = label_scale(label, cell_w), tw, th;
		magi_image_text_size(label, scale, &tw, &th);
		magi_image_draw_text(sb, (int)cx + 2, (int)(cy + cell_h) - th - 2, label, scale,
				     0x000000u, 0xffffffu, true);
	}
	*out = sb;
	return MAGI_OK;
}
