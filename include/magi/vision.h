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

/* New w x h image filled with black, stride 3*w. MAGI_ERR_INVALID for a zero side,
 * MAGI_ERR_LIMIT past MAGI_IMAGE_MAX_SIDE or MAGI_IMAGE_MAX_PIXELS. */
MAGI_API magi_status magi_image_new(uint32_t w, uint32_t h, struct magi_image **out);
/* Frees img and its pixels; NULL is a no-op. */
MAGI_API void magi_image_free(struct magi_image *img);
/* A copy of src (stride 3*w) owned by the caller. */
MAGI_API magi_status magi_image_clone(const struct magi_image *src, struct magi_image **out);

/* Decodes PNG or JPEG (sniffed from the bytes, not the name) into a new RGB8 image owned by
 * the caller. Gray, palette, 1..16-bit and interlaced PNGs are converted; PNG alpha is
 * composited over white; gray, CMYK (Adobe-inverted or not) and progressive JPEGs are
 * converted. `what` (may be NULL) names the input in every message:
 *   "shot.png: empty input, not an image", "shot.png: not a PNG or JPEG image",
 *   "shot.png: truncated PNG data", "shot.jpg: truncated JPEG data",
 *   "shot.png: bad PNG data: <libpng's reason>",
 *   "bomb.png: 100000x100000 is larger than the 64-Mpx limit (at most 32768 px a side)".
 * MAGI_ERR_IMAGE for bad or truncated data, MAGI_ERR_LIMIT for sizes past the caps (found
 * from the header, before any pixel memory is allocated). *out is NULL on failure. */
MAGI_API magi_status magi_image_decode(const void *data, size_t n, const char *what,
				       struct magi_image **out, struct magi_error *err);
/* Reads path (at most 512 MB) and decodes it; messages name the path. */
MAGI_API magi_status magi_image_load(const char *path, struct magi_image **out,
				     struct magi_error *err);
/* Saves by extension, any case: .png, .jpg/.jpeg (quality 90); written atomically.
 * MAGI_ERR_INVALID for another extension. */
MAGI_API magi_status magi_image_save(const struct magi_image *img, const char *path,
				     struct magi_error *err);
/* Append the encoded image to out (whatever out held stays in front). PNG: 8-bit RGB,
 * zlib level 1 with the SUB filter (fast; flat UI areas still compress well). JPEG: quality
 * 1..100 (else MAGI_ERR_INVALID), 4:2:0 chroma. On failure out is as it was before the
 * call, or empty if out itself could not grow (its cap, MAGI_ERR_LIMIT). */
MAGI_API magi_status magi_image_encode_png(const struct magi_image *img, struct magi_buf *out,
					   struct magi_error *err);
MAGI_API magi_status magi_image_encode_jpeg(const struct magi_image *img, int quality,
					    struct magi_buf *out, struct magi_error *err);
/* Appends "data:image/jpeg;base64,..." (JPEG at quality) to out. */
MAGI_API magi_status magi_image_data_url(const struct magi_image *img, int quality,
					 struct magi_buf *out, struct magi_error *err);

/* A new w x h copy of src. Each axis shrinking is area-averaged (box filter: every output
 * pixel is the exact coverage-weighted mean of the source pixels under it, so a uniform
 * colour stays uniform and a 2x downscale is the rounded mean of each 2x2 block); each
 * axis growing is bilinear with pixel centres aligned. Same size is a copy.
 * MAGI_ERR_INVALID for a zero size, MAGI_ERR_LIMIT past the caps. */
MAGI_API magi_status magi_image_resize(const struct magi_image *src, uint32_t w, uint32_t h,
				       struct magi_image **out);
/* A new image of the rectangle (x, y, w, h) of src, clipped to src; MAGI_ERR_INVALID when
 * nothing is left. */
MAGI_API magi_status magi_image_crop(const struct magi_image *src, int x, int y, uint32_t w,
				     uint32_t h, struct magi_image **out);

/* ---- drawing ------------------------------------------------------------------------
 * All drawing is clipped to the image, so shapes may hang off its edges; a NULL image is a
 * no-op. Colours are rgb = 0xRRGGBB. */
/* Fills the rectangle [x, x+w) x [y, y+h); nothing when w <= 0 or h <= 0. */
MAGI_API void magi_image_fill_rect(struct magi_image *img, int x, int y, int w, int h, uint32_t rgb);
/* Outlines the same rectangle with a border `thick` pixels wide (min 1) drawn inside it. */
MAGI_API void magi_image_draw_rect(struct magi_image *img, int x, int y, int w, int h, int thick,
				   uint32_t rgb);
/* A straight line from (x0,y0) to (x1,y1), both ends included, `thick` pixels wide (min 1)
 * measured across its major axis. */
MAGI_API void magi_image_draw_line(struct magi_image *img, int x0, int y0, int x1, int y1,
				   int thick, uint32_t rgb);
/* A circle of radius r around (cx,cy): a ring `thick` pixels wide inside radius r, or a
 * filled disc when thick <= 0. */
MAGI_API void magi_image_draw_circle(struct magi_image *img, int cx, int cy, int r, int thick,
				     uint32_t rgb);
/* Text in the built-in 5x8 bitmap font (ASCII 32..126; '\n' starts a new line, a tab is a
 * space, each other UTF-8 character shows as '?'). Each character takes a 6x10 cell times
 * `scale` (1..64), plus one column of margin on the left; (x,y) is the top-left corner of
 * the text box, which is filled with bg first when with_bg. Dark text at scale >= 3 on a
 * light background reads back through magi_ocr_run. */
MAGI_API void magi_image_draw_text(struct magi_image *img, int x, int y, const char *text,
				   int scale, uint32_t fg, uint32_t bg, bool with_bg);
/* The size of the box magi_image_draw_text fills for text at scale (w = 0 for no glyphs). */
MAGI_API void magi_image_text_size(const char *text, int scale, int *w, int *h);

/* Mean absolute per-channel difference in 0..255, and the bounding box {x, y, w, h} of the
 * pixels where some channel differs by more than `thresh` (w = h = 0 when none; box may be
 * NULL). Images of different sizes (or NULL): -1, box zeroed. */
MAGI_API double magi_image_diff(const struct magi_image *a, const struct magi_image *b, int thresh,
				int box[4]);

/* ---- image policies and visual-token budgets ----------------------------------------
 * A model's image policy says what size a screenshot is sent at and what it costs.
 *
 * QWEN (Qwen2-VL / Qwen2.5-VL smart_resize, f = patch, default 28):
 *   w' = max(f, round(w/f)*f), h' likewise (round half to even, as the reference does);
 *   if w'*h' > max_pixels: b = sqrt(w*h/max_pixels), w' = max(f, floor(w/b/f)*f), h' alike;
 *   else if w'*h' < min_pixels: b = sqrt(min_pixels/(w*h)), w' = ceil(w*b/f)*f, h' alike.
 *   tokens = (w'/f) * (h'/f).
 *   Worked: 1280x720 -> 46*28 x 26*28 = 1288x728 (937664 <= 1003520), 46*26 = 1196 tokens;
 *           1920x1080 rounds to 1932x1092 = 2109744, over the cap: b = sqrt(2073600/1003520)
 *           = 1.43747, 1920/b = 1335.7 -> 47*28 = 1316, 1080/b = 751.3 -> 26*28 = 728:
 *           1316x728, 47*26 = 1222 tokens.
 * OPENAI (detail: high): fit inside 2048x2048 keeping the aspect, then if the shorter side
 *   is over 768 scale it down to 768 (never up); each step rounds to the nearest pixel.
 *   tokens = base_tokens (85) + tile_tokens (170) * ceil(w/512) * ceil(h/512).
 *   Worked: 1024x1024 -> 768x768 -> 4 tiles -> 765 tokens; 1280x720 stays, 3*2 tiles -> 1105.
 *   max_pixels and min_pixels are ignored (the server applies this rule whatever it gets).
 * NONE: sent as captured, except that a non-zero max_pixels shrinks it (keeping the aspect,
 *   flooring) until w*h <= max_pixels; tokens estimated as for QWEN: ceil(w/f)*ceil(h/f).
 * A zero patch, tile_tokens or base_tokens means its default.
 */
enum magi_image_policy_kind {
	MAGI_IMAGE_POLICY_NONE,   /* send as captured (only the max_pixels cap applies) */
	MAGI_IMAGE_POLICY_QWEN,   /* patch x patch pixels per token after rounding to multiples */
	MAGI_IMAGE_POLICY_OPENAI, /* 512-px tiles x tile_tokens + base_tokens (detail:high) */
};
struct magi_image_policy {
	enum magi_image_policy_kind kind;
	uint32_t max_pixels;  /* QWEN, NONE: resize down so w*h <= max_pixels (0 = no cap) */
	uint32_t min_pixels;  /* QWEN: resize up to at least this */
	uint32_t patch;       /* QWEN: 28 */
	uint32_t tile_tokens; /* OPENAI: 170 */
	uint32_t base_tokens; /* OPENAI: 85 */
	int jpeg_quality;     /* 1..100 */
};
/* QWEN, patch 28, max_pixels 1003520 (1280*28*28), min_pixels 3136 (4*28*28),
 * tile_tokens 170, base_tokens 85, jpeg_quality 85. */
MAGI_API struct magi_image_policy magi_image_policy_default(void);
/* Parses "qwen", "openai", "none" (any case); MAGI_ERR_INVALID otherwise, *out untouched. */
MAGI_API magi_status magi_image_policy_kind_parse(const char *s, enum magi_image_policy_kind *out);
/* The size an image of w x h is sent at under policy p (NULL = the default policy); never
 * 0 and never past MAGI_IMAGE_MAX_SIDE / MAGI_IMAGE_MAX_PIXELS. */
MAGI_API void magi_image_policy_fit(const struct magi_image_policy *p, uint32_t w, uint32_t h,
				    uint32_t *ow, uint32_t *oh);
/* Estimated visual tokens for an image sent at w x h (after fit); 0 for an empty size. */
MAGI_API uint32_t magi_image_policy_tokens(const struct magi_image_policy *p, uint32_t w,
					   uint32_t h);

/* ---- OCR ------------------------------------------------------------------------------- */
/* Boxes are in pixels of the image given, x/y the top-left corner. */
struct magi_ocr_word {
	char *text; /* UTF-8 */
	int x, y, w, h;
	float conf; /* 0..100 */
	int line;   /* index into lines */
};
struct magi_ocr_line {
	char *text; /* its kept words joined by single spaces */
	int x, y, w, h; /* union of its kept words' boxes */
	float conf;     /* mean of its kept words */
};
struct magi_ocr {
	struct magi_ocr_word *words; /* in reading order */
	size_t n_words;
	struct magi_ocr_line *lines; /* only lines with at least one kept word */
	size_t n_lines;
	double ms; /* time spent */
};
/* Runs Tesseract (language "eng" unless lang given, e.g. "deu" or "eng+deu") on img with
 * sparse-text page segmentation (screens scatter text) at 96 ppi, on the calling thread.
 * Words with confidence below min_conf are dropped; lines group the words Tesseract put on
 * one text line. Images under 4 px a side give an empty result. *out is freed with
 * magi_ocr_free. MAGI_ERR_NOT_FOUND when the language's traineddata is not installed.
 * The first call on a thread loads the language (~100 ms); the engine is then kept for
 * that thread until it exits or calls magi_ocr_thread_release.
 * Tesseract uses OpenMP: run with OMP_THREAD_LIMIT=1 in the environment from process start
 * (the OpenMP runtime reads it when it loads); with several cores busy it is far faster. */
MAGI_API magi_status magi_ocr_run(const struct magi_image *img, const char *lang, float min_conf,
				  struct magi_ocr **out, struct magi_error *err);
/* The same for an image holding one line of text (a crop around an OCR line): Tesseract
 * skips its page layout analysis and reads the image as that one line. */
MAGI_API magi_status magi_ocr_run_line(const struct magi_image *img, const char *lang, float min_conf,
				       struct magi_ocr **out, struct magi_error *err);
MAGI_API void magi_ocr_free(struct magi_ocr *o);
/* OCR of img given the previous screen and its OCR: only the band of rows that changed
 * (grown so no previous text line is cut) is read again; words elsewhere are kept. Falls
 * back to magi_ocr_run when there is no previous result, the size changed, or more than
 * half the screen changed. An unchanged screen costs a copy. */
MAGI_API magi_status magi_ocr_update(const struct magi_image *prev_img, const struct magi_ocr *prev,
				     const struct magi_image *img, const char *lang, float min_conf,
				     struct magi_ocr **out, struct magi_error *err);
/* Frees the calling thread's cached Tesseract engine (a no-op if it has none). */
MAGI_API void magi_ocr_thread_release(void);

/* ---- icons: non-text elements --------------------------------------------------------
 * Candidates for a perception list's "icon" entries, found from the pixels (no model): an
 * edge map, its connected components, their boxes kept when small, merged when they
 * overlap. Mobile-Agent-v2 asks a detector for "icon" boxes and drops those over 5% of
 * the image; these are classical stand-ins for that detector, to be captioned by a model. */
struct magi_icon_box {
	int x, y, w, h; /* pixels of the image given */
};
struct magi_icon_params {
	double max_area;  /* a box must cover less than this share of the image: 0.05 */
	int min_side;     /* and be at least this many pixels on its shorter side: 8 */
	int edge_thresh;  /* luminance step (|dx|+|dy|, 0..510) that makes an edge: 40 */
	int max_boxes;    /* the largest this many are kept (0: all): 40 */
	double text_cover; /* boxes covered this much by OCR words (read with confidence 50
			      or more) are text, not icons: 0.5 */
};
MAGI_API struct magi_icon_params magi_icon_params_default(void);
/* Proposes icon boxes on img, in reading order. ocr (may be NULL) is the image's OCR: boxes
 * mostly covered by its words are left out. params NULL: the defaults. *out is malloc'd
 * (free it; NULL with *n_out 0 when none). MAGI_ERR_INVALID for an empty image. */
MAGI_API magi_status magi_icons_propose(const struct magi_image *img, const struct magi_ocr *ocr,
					const struct magi_icon_params *params,
					struct magi_icon_box **out, size_t *n_out);

#ifdef __cplusplus
}
#endif
#endif
