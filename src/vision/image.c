/* image.c — the RGB8 image type: allocation with the pixel cap, clone, row signatures. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "magi/vision.h"
#include "vision/vision_internal.h"
#include "core/common.h"

/* Pixel memory, zeroed when `zero`. A screen-sized buffer (4K is 24 MB) is asked for in
 * transparent huge pages: filled page by page, it otherwise costs one page fault per 4 KiB,
 * which was as much CPU as decoding the PNG it holds. Where the kernel has no huge pages
 * this is an ordinary aligned allocation.
 *
 * Even in huge pages, fresh memory is cleared by the kernel on first touch (a third of a
 * 4K PNG decode's CPU). A process working through screens one after another (an eval
 * worker: decode, send, free, next) frees a screen-sized buffer just before it wants the
 * next one, so the last one freed is kept as a spare and handed out again when it is big
 * enough. Only buffers made here are kept: the large ones are listed while they live
 * (LIVE_MAX at once; past that a buffer is simply not listed, and freed as usual). */
#define HUGE_PAGE ((size_t)2 << 20)
#define LIVE_MAX 32
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pool_buf {
	uint8_t *p;
	size_t cap;
} live[LIVE_MAX], spare;

static void pool_list(uint8_t *p, size_t cap) /* under pool_mu */
{
	for (int i = 0; i < LIVE_MAX; i++)
		if (!live[i].p) {
			live[i] = (struct pool_buf){p, cap};
			return;
		}
}

static uint8_t *pixels(size_t n, bool zero)
{
	if (n == 0)
		return NULL;
	if (n < HUGE_PAGE)
		return zero ? calloc(n, 1) : malloc(n);
	if (n < 2 * HUGE_PAGE) {
		/* a 1280x720 screen (2.6 MiB): its first 2 MiB in one huge page, the rest in
		 * small ones (not rounded up: no memory beyond what it holds); not kept as the
		 * spare. The first screen of a run was captured with ~675 page faults, ~7 ms on
		 * this VM, on the way to the first request. */
		void *p = NULL;
		if (posix_memalign(&p, HUGE_PAGE, n))
			return NULL;
#ifdef MADV_HUGEPAGE
		madvise(p, HUGE_PAGE, MADV_HUGEPAGE);
#endif
		if (zero)
			memset(p, 0, n);
		return p;
	}
	size_t rounded = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	void *p = NULL, *old = NULL;
	pthread_mutex_lock(&pool_mu);
	if (spare.p && spare.cap >= rounded) {
		p = spare.p;
		pool_list(spare.p, spare.cap);
		spare.p = NULL;
	} else {
		old = spare.p; /* too small for this one: let it go */
		spare.p = NULL;
	}
	pthread_mutex_unlock(&pool_mu);
	free(old);
	if (!p) {
		if (posix_memalign(&p, HUGE_PAGE, rounded))
			return NULL;
#ifdef MADV_HUGEPAGE
		madvise(p, rounded, MADV_HUGEPAGE);
#endif
		pthread_mutex_lock(&pool_mu);
		pool_list(p, rounded);
		pthread_mutex_unlock(&pool_mu);
	}
	if (zero)
		memset(p, 0, n);
	return p;
}

/* Frees pixel memory from pixels(): a listed buffer becomes the spare (the bigger of it and
 * the current spare is kept). */
static void pixels_free(uint8_t *p)
{
	if (!p)
		return;
	struct pool_buf drop = {p, 0};
	pthread_mutex_lock(&pool_mu);
	for (int i = 0; i < LIVE_MAX; i++)
		if (live[i].p == p) {
			drop = spare;
			spare = live[i];
			live[i].p = NULL;
			if (drop.p && drop.cap > spare.cap) {
				struct pool_buf t = drop;
				drop = spare;
				spare = t;
			}
			break;
		}
	pthread_mutex_unlock(&pool_mu);
	free(drop.p);
}

void magi__pixels_free(uint8_t *p)
{
	pixels_free(p);
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
	if (w > MAGI_IMAGE_MAX_SIDE || h > MAGI_IMAGE_MAX_SIDE ||
	    (uint64_t)w * h > MAGI_IMAGE_MAX_PIXELS)
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
	pixels_free(img->px);
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

/* One row's signature: its bytes as 8-byte words, each mixed into the running value (a
 * multiply-xorshift, as in splitmix64) so that any change of any byte changes the result
 * with overwhelming likelihood; the tail is padded with zeros and the length mixed in. */
static uint64_t row_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0x243f6a8885a308d3ull ^ n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		h = (h ^ v) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 31;
	}
	if (i < n) {
		uint64_t v = 0;
		memcpy(&v, p + i, n - i);
		h = (h ^ v) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 31;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

magi_status magi_image_rows_new(const struct magi_image *img, struct magi_image_rows **out)
{
	*out = NULL;
	if (!img || !img->px || img->w == 0 || img->h == 0)
		return MAGI_ERR_INVALID;
	struct magi_image_rows *r = malloc(sizeof *r);
	uint64_t *hash = malloc((size_t)img->h * sizeof *hash);
	if (!r || !hash) {
		free(r);
		free(hash);
		return MAGI_ERR_NOMEM;
	}
	for (uint32_t y = 0; y < img->h; y++)
		hash[y] = row_hash(img->px + (size_t)y * img->stride, (size_t)img->w * 3);
	*r = (struct magi_image_rows){img->w, img->h, hash};
	*out = r;
	return MAGI_OK;
}

void magi_image_rows_free(struct magi_image_rows *rows)
{
	if (!rows)
		return;
	free(rows->hash);
	free(rows);
}

int magi_image_rows_diff(const struct magi_image_rows *a, const struct magi_image_rows *b, int *y0,
			 int *y1)
{
	*y0 = *y1 = 0;
	if (!a || !b || a->w != b->w || a->h != b->h)
		return -1;
	uint32_t top = 0, bottom = a->h;
	while (top < a->h && a->hash[top] == b->hash[top])
		top++;
	if (top == a->h)
		return 0;
	while (bottom > top + 1 && a->hash[bottom - 1] == b->hash[bottom - 1])
		bottom--;
	*y0 = (int)top;
	*y1 = (int)bottom;
	return 1;
}
