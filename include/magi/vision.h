/*
 * magi/vision.h — images (RGB8), PNG/JPEG codecs, resize/crop/draw, data URLs,
 * visual-token budgets per model image policy, and OCR.
 *
 * A struct magi_image is owned by whoever made it; free it with magi_image_free.
 * Every decoder checks the claimed size against MAGI_IMAGE_MAX_PIXELS before allocating.
 */
#ifndef MAGI_VISION_H
#define MAGI_VISION_H
#include "magi/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MAGI_IMAGE_MAX_PIXELS (64u * 1024u * 1024u) /* 64 Mpx: 8K panoramas fit */
#define MAGI_IMAGE_MAX_SIDE 32768u

/* RGB8, row-major, stride >= 3*w bytes per row. */
struct magi_image {
	uint32_t w, h, stride;
	uint8_t *px;
};

/* New w×h image filled with black; MAGI_ERR_LIMIT past the pixel cap. */
MAGI_API magi_status magi_image_new(uint32_t w, uint32_t h, struct magi_image **out);
MAGI_API void magi_image_free(struct magi_image *img);
MAGI_API magi_status magi_image_clone(const struct magi_image *src, struct magi_image **out);

/* Decodes PNG or JPEG (sniffed from the bytes). `what` names the input in messages
 * ("screenshot.png: not a PNG or JPEG image", "...: truncated", "...: 100000x100000 is
 * larger than the 64-Mpx limit"). */
MAGI_API magi_status magi_image_decode(const void *data, size_t n, const char *what,
				       struct magi_image **out, struct magi_error *err);
MAGI_API magi_status magi_image_load(const char *path, struct magi_image **out,
				     struct magi_error *err);
/* Saves by extension: .png, .jpg/.jpeg (quality 90). */
MAGI_API magi_status magi_image_save(const struct magi_image *img, const char *path,
				     struct magi_error *err);
/* Appends encoded bytes to out. quality 1..100. PNG compression level 1 (fast). */
MAGI_API magi_status magi_image_encode_png(const struct magi_image *img, struct magi_buf *out,
					   struct magi_error *err);
MAGI_API magi_status magi_image_encode_jpeg(const struct magi_image *img, int quality,
					    struct magi_buf *out, struct magi_error *err);
/* Appends "data:image/jpeg;base64,..." to out. */
MAGI_API magi_status magi_image_data_url(const struct magi_image *img, int quality,
					 struct magi_buf *out, struct magi_error *err);

/* Area-averaging resize (box filter; good for downscale, bilinear for upscale). */
MAGI_API magi_status magi_image_resize(const struct magi_image *src, uint32_t w, uint32_t h,
				       struct magi_image **out);
/* Crop; the rectangle is clipped to the image; an empty result is MAGI_ERR_INVALID. */
MAGI_API magi_status magi_image_crop(const struct magi_image *src, int x, int y, uint32_t w,
				     uint32_t h, struct magi_image **out);

/* Drawing (clipped to the image). rgb = 0xRRGGBB. */
MAGI_API void magi_image_fill_rect(struct magi_image *img, int x, int y, int w, int h, uint32_t rgb);
MAGI_API void magi_image_draw_rect(struct magi_image *img, int x, int y, int w, int h, int thick,
				   uint32_t rgb);
MAGI_API void magi_image_draw_line(struct magi_image *img, int x0, int y0, int x1, int y1,
				   int thick, uint32_t rgb);
MAGI_API void magi_image_draw_circle(struct magi_image *img, int cx, int cy, int r, int thick,
				     uint32_t rgb);
/* Small built-in bitmap font (digits, ASCII letters, punctuation); scale >= 1. */
MAGI_API void magi_image_draw_text(struct magi_image *img, int x, int y, const char *text,
				   int scale, uint32_t fg, uint32_t bg, bool with_bg);

/* Mean absolute per-channel difference in 0..255, and the bounding box of pixels that
 * differ by more than `thresh` (box w=h=0 when none). Images of different sizes: -1. */
MAGI_API double magi_image_diff(const struct magi_image *a, const struct magi_image *b, int thresh,
				int box[4]);

/* ---- image policies and visual-token budgets ---------------------------------------- */
enum magi_image_policy_kind {
	MAGI_IMAGE_POLICY_NONE,   /* send as captured (only the max_pixels cap applies) */
	MAGI_IMAGE_POLICY_QWEN,   /* patch×patch pixels per token after rounding to multiples of 28 */
	MAGI_IMAGE_POLICY_OPENAI, /* 512-px tiles × tile_tokens + base_tokens (detail:high) */
};
struct magi_image_policy {
	enum magi_image_policy_kind kind;
	uint32_t max_pixels;  /* resize down so w*h <= max_pixels (0 = no cap) */
	uint32_t min_pixels;  /* QWEN: resize up to at least this */
	uint32_t patch;       /* QWEN: 28 */
	uint32_t tile_tokens; /* OPENAI: 170 */
	uint32_t base_tokens; /* OPENAI: 85 */
	int jpeg_quality;     /* 1..100 */
};
MAGI_API struct magi_image_policy magi_image_policy_default(void); /* QWEN, 28, 1003520 max */
/* Parses "qwen", "openai", "none". */
MAGI_API magi_status magi_image_policy_kind_parse(const char *s, enum magi_image_policy_kind *out);
/* The size an image of w×h is sent at under policy p. */
MAGI_API void magi_image_policy_fit(const struct magi_image_policy *p, uint32_t w, uint32_t h,
				    uint32_t *ow, uint32_t *oh);
/* Estimated visual tokens for an image sent at w×h (after fit). */
MAGI_API uint32_t magi_image_policy_tokens(const struct magi_image_policy *p, uint32_t w,
					   uint32_t h);

/* ---- OCR ------------------------------------------------------------------------------- */
struct magi_ocr_word {
	char *text; /* UTF-8 */
	int x, y, w, h;
	float conf; /* 0..100 */
	int line;   /* index into lines */
};
struct magi_ocr_line {
	char *text; /* words joined by single spaces */
	int x, y, w, h;
	float conf; /* mean of its words */
};
struct magi_ocr {
	struct magi_ocr_word *words;
	size_t n_words;
	struct magi_ocr_line *lines;
	size_t n_lines;
	double ms; /* time spent */
};
/* Runs Tesseract (language "eng" unless lang given) on img, one thread per call.
 * Words with confidence below min_conf are dropped. *out freed with magi_ocr_free. */
MAGI_API magi_status magi_ocr_run(const struct magi_image *img, const char *lang, float min_conf,
				  struct magi_ocr **out, struct magi_error *err);
MAGI_API void magi_ocr_free(struct magi_ocr *o);

#ifdef __cplusplus
}
#endif
#endif
