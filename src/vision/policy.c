/* policy.c — the size an image is sent at under a model's image policy, and the visual
 * tokens it costs there. The formulas are documented in magi/vision.h; the QWEN one follows
 * Qwen2-VL's published smart_resize (rounding half to even, as Python's round does). */
#include <math.h>
#include <strings.h>
#include "magi/vision.h"
#include "core/common.h"

#define QWEN_PATCH 28u
#define OPENAI_TILE 512u
#define OPENAI_TILE_TOKENS 170u
#define OPENAI_BASE_TOKENS 85u
#define OPENAI_BOX 2048u
#define OPENAI_SHORT 768u

struct magi_image_policy magi_image_policy_default(void)
{
	struct magi_image_policy p = {
		.kind = MAGI_IMAGE_POLICY_QWEN,
		.max_pixels = 1280u * 28u * 28u, /* 1003520: 1280 visual tokens */
		.min_pixels = 4u * 28u * 28u,    /* 3136 */
		.patch = QWEN_PATCH,
		.tile_tokens = OPENAI_TILE_TOKENS,
		.base_tokens = OPENAI_BASE_TOKENS,
		.jpeg_quality = 85,
	};
	return p;
}

magi_status magi_image_policy_kind_parse(const char *s, enum magi_image_policy_kind *out)
{
	if (!s || !out)
		return MAGI_ERR_INVALID;
	if (!strcasecmp(s, "qwen"))
		*out = MAGI_IMAGE_POLICY_QWEN;
	else if (!strcasecmp(s, "openai"))
		*out = MAGI_IMAGE_POLICY_OPENAI;
	else if (!strcasecmp(s, "none"))
		*out = MAGI_IMAGE_POLICY_NONE;
	else
		return MAGI_ERR_INVALID;
	return MAGI_OK;
}

/* n/f rounded half to even, times f. */
static uint64_t round_by(uint64_t n, uint64_t f)
{
	uint64_t q = n / f, r = n % f;
	if (2 * r > f || (2 * r == f && (q & 1)))
		q++;
	return q * f;
}

static uint64_t floor_by(double n, uint64_t f)
{
	return (uint64_t)floor(n / (double)f) * f;
}

static uint64_t ceil_by(double n, uint64_t f)
{
	return (uint64_t)ceil(n / (double)f) * f;
}

static uint32_t clamp_side(uint64_t v)
{
	return v < 1 ? 1 : v > MAGI_IMAGE_MAX_SIDE ? MAGI_IMAGE_MAX_SIDE : (uint32_t)v;
}

/* Scales (w,h) by s, rounding to nearest, at least 1 px. */
static void scale_to(uint64_t *w, uint64_t *h, double s)
{
	*w = (uint64_t)llround((double)*w * s);
	*h = (uint64_t)llround((double)*h * s);
	*w = MAGI_MAX(*w, 1);
	*h = MAGI_MAX(*h, 1);
}

/* Shrinks (w,h) keeping the aspect until w*h <= max (flooring, so never over). */
static void cap_pixels(uint64_t *w, uint64_t *h, uint64_t max)
{
	if (!max || *w * *h <= max)
		return;
	double s = sqrt((double)max / ((double)*w * (double)*h));
	uint64_t nw = MAGI_MAX((uint64_t)floor((double)*w * s), 1),
		 nh = MAGI_MAX((uint64_t)floor((double)*h * s), 1);
	/* floating point may leave the product a hair over; trim the longer side */
	while (nw * nh > max && (nw > 1 || nh > 1)) {
		if (nw >= nh)
			nw--;
		else
			nh--;
	}
	*w = nw;
	*h = nh;
}

void magi_image_policy_fit(const struct magi_image_policy *p, uint32_t w, uint32_t h,
			   uint32_t *ow, uint32_t *oh)
{
	uint64_t W = MAGI_MAX(w, 1u), H = MAGI_MAX(h, 1u);
	struct magi_image_policy d = magi_image_policy_default();
	if (!p)
		p = &d;
	switch (p->kind) {
	case MAGI_IMAGE_POLICY_QWEN: {
		uint64_t f = p->patch ? p->patch : QWEN_PATCH;
		uint64_t wb = MAGI_MAX(round_by(W, f), f), hb = MAGI_MAX(round_by(H, f), f);
		if (p->max_pixels && wb * hb > p->max_pixels) {
			double beta = sqrt((double)W * (double)H / p->max_pixels);
			wb = MAGI_MAX(floor_by((double)W / beta, f), f);
			hb = MAGI_MAX(floor_by((double)H / beta, f), f);
		} else if (p->min_pixels && wb * hb < p->min_pixels) {
			double beta = sqrt((double)p->min_pixels / ((double)W * (double)H));
			wb = ceil_by((double)W * beta, f);
			hb = ceil_by((double)H * beta, f);
		}
		/* keep within the image limits, still in whole patches */
		while (wb > MAGI_IMAGE_MAX_SIDE || hb > MAGI_IMAGE_MAX_SIDE ||
		       wb * hb > MAGI_IMAGE_MAX_PIXELS) {
			if (wb >= hb && wb > f)
				wb -= f;
			else if (hb > f)
				hb -= f;
			else
				break;
		}
		W = wb;
		H = hb;
		break;
	}
	case MAGI_IMAGE_POLICY_OPENAI:
		if (W > OPENAI_BOX || H > OPENAI_BOX)
			scale_to(&W, &H, (double)OPENAI_BOX / (double)MAGI_MAX(W, H));
		if (MAGI_MIN(W, H) > OPENAI_SHORT)
			scale_to(&W, &H, (double)OPENAI_SHORT / (double)MAGI_MIN(W, H));
		/* max_pixels is not applied: the server resizes by this rule anyway, and the
		 * default policy's Qwen-sized cap would shrink what OpenAI would keep. */
		break;
	case MAGI_IMAGE_POLICY_NONE:
	default:
		cap_pixels(&W, &H, p->max_pixels);
		break;
	}
	if (ow)
		*ow = clamp_side(W);
	if (oh)
		*oh = clamp_side(H);
}

uint32_t magi_image_policy_tokens(const struct magi_image_policy *p, uint32_t w, uint32_t h)
{
	struct magi_image_policy d = magi_image_policy_default();
	if (!p)
		p = &d;
	if (w == 0 || h == 0)
		return 0;
	uint64_t t;
	if (p->kind == MAGI_IMAGE_POLICY_OPENAI) {
		uint64_t tiles = ((uint64_t)w + OPENAI_TILE - 1) / OPENAI_TILE *
				 (((uint64_t)h + OPENAI_TILE - 1) / OPENAI_TILE);
		t = (p->base_tokens ? p->base_tokens : OPENAI_BASE_TOKENS) +
		    tiles * (p->tile_tokens ? p->tile_tokens : OPENAI_TILE_TOKENS);
	} else {
		uint64_t f = p->patch ? p->patch : QWEN_PATCH;
		t = ((uint64_t)w + f - 1) / f * (((uint64_t)h + f - 1) / f);
	}
	return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}
