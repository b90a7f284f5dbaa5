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

/* Row signatures of an image: a 64-bit hash of each row's pixels, what telling the changed
 * rows of a later image of the same size needs without the earlier one's pixels (a
 * 1280x720 screen is 2.8 MB of pixels, 5.8 KB of signatures). Rows are compared exactly (a
 * changed row is missed only if its hash collides, about 2^-64 per row). */
struct magi_image_rows {
	uint32_t w, h;
	uint64_t *hash; /* h of them */
};
/* Signatures of img's rows, owned by the caller (magi_image_rows_free). */
MAGI_API magi_status magi_image_rows_new(const struct magi_image *img, struct magi_image_rows **out);
MAGI_API void magi_image_rows_free(struct magi_image_rows *rows);
/* The band of rows that differ between the images a and b were made from: 1 with *y0 the
 * first changed row and *y1 one past the last, 0 when no row changed (*y0 = *y1 = 0), -1
 * when the sizes differ or an argument is NULL. */
MAGI_API int magi_image_rows_diff(const struct magi_image_rows *a, const struct magi_image_rows *b, int *y0,
				  int *y1);

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
/* The image a model is sent, in one pass: img resized to the size policy p gives it
 * (magi_image_policy_fit; p NULL = the default policy) and JPEG-encoded at p->jpeg_quality
 * with libjpeg-turbo's fast integer DCT, appended to out. The resize runs a band of rows at
 * a time into the encoder (no resized copy of the whole image); its pixels are
 * magi_image_resize's. *sent_w / *sent_h (either may be NULL) get the size encoded, 0 on
 * failure. MAGI_ERR_INVALID for an empty image or a quality outside 1..100; on failure out
 * is as it was before the call (or empty past its cap, MAGI_ERR_LIMIT). */
MAGI_API magi_status magi_image_prepare(const struct magi_image *img,
					const struct magi_image_policy *p, struct magi_buf *out,
					uint32_t *sent_w, uint32_t *sent_h, struct magi_error *err);

/* ---- zoom search geometry (ScreenSeekeR) ---------------------------------------------
 * The arithmetic of a cascaded zoom search over a high-resolution screen, after the
 * ScreenSpot-Pro paper's ScreenSeekeR (models/methods/screenseeker.py): boxes a grounder
 * found in the current view are dilated into patches of at least a minimum size (a patch
 * much wider or taller than max_ratio is split in two first), every patch is scored by
 * Gaussian votes of all grounding centres, patches are sorted by score and de-duplicated
 * by non-maximum suppression, and the search goes into them depth-first.
 *
 * Boxes are in pixels of the current view, [x1, x2) x [y1, y2) as doubles; a grounder
 * that gives a point gives a box of zero size. A view is an integer rectangle of the
 * full screen; a patch becomes the child view's rectangle with magi_zoom_child, so every
 * view, at any depth, knows its own origin and a point found in it maps back to the full
 * screen by adding that origin (exactly: views are crops, never rescaled). */
struct magi_zoom_box {
	double x1, y1, x2, y2;
};
struct magi_zoom_view {
	int x, y;       /* top-left in full-screen pixels */
	uint32_t w, h;
	int depth;      /* 0 for the full screen */
};
struct magi_zoom_params {
	uint32_t min_w, min_h;   /* patches are at least this big (within the view): 1280x768 */
	double max_ratio;        /* a patch longer than this on one side is split in two: 2.5 */
	double mu, sigma;        /* Gaussian vote centre and spread, relative to the patch: 0.5, 0.3 */
	double nms_iou;          /* patches overlapping an earlier one this much are dropped: 0.5 */
	int max_depth;           /* the search grounds directly at this depth: 3 */
	uint32_t leaf_w, leaf_h; /* ... or in a view no larger than this: 1280x768 */
};
/* The reference's values: 1280x768, 2.5, 0.5, 0.3, 0.5, 3, 1280x768. */
MAGI_API struct magi_zoom_params magi_zoom_params_default(void);
/* Dilates box (pixels of a view_w x view_h view) around its centre to at least min_w x
 * min_h, shifted to stay inside the view and clipped to it; a box already that large on
 * one side is kept when its aspect ratio is within max_ratio, and split in two halves
 * along its long side (each then dilated) when it is not. Writes 1 or 2 patches to out. */
MAGI_API size_t magi_zoom_dilate(const struct magi_zoom_params *p, struct magi_zoom_box box,
				 uint32_t view_w, uint32_t view_h, struct magi_zoom_box out[2]);
/* Sum over the points inside patch (edges included) of exp(-d^2 / (2 sigma^2)), d the
 * distance of the point's position relative to the patch (0..1 on each axis) from
 * (mu, mu). Points outside add nothing. */
MAGI_API double magi_zoom_score(const struct magi_zoom_params *p, struct magi_zoom_box patch,
				const double *xs, const double *ys, size_t n);
/* Intersection over union of two boxes (0 when either is empty). */
MAGI_API double magi_zoom_iou(struct magi_zoom_box a, struct magi_zoom_box b);
/* The patches to search, best first: every box dilated (magi_zoom_dilate), scored by the
 * votes of all the boxes' centres, sorted by score (ties keep the boxes' order), and
 * non-maximum suppressed in that order. Writes at most cap patches and their scores
 * (scores may be NULL); returns how many. */
MAGI_API size_t magi_zoom_plan(const struct magi_zoom_params *p, const struct magi_zoom_box *boxes,
			       size_t n, uint32_t view_w, uint32_t view_h, struct magi_zoom_box *out,
			       double *scores, size_t cap);
/* True when a view is to be grounded directly: at max_depth, or no larger than
 * leaf_w x leaf_h. */
MAGI_API bool magi_zoom_is_leaf(const struct magi_zoom_params *p, const struct magi_zoom_view *v);
/* The child view of patch (pixels of parent): its integer rectangle (floor of the start,
 * ceiling of the end, clipped to the parent) placed in full-screen pixels. */
MAGI_API struct magi_zoom_view magi_zoom_child(const struct magi_zoom_view *parent,
					       struct magi_zoom_box patch);
/* A point in a view's pixels (continuous, as magi_coords_to_screen gives them relative
 * to the view) as a full-screen pixel. */
MAGI_API void magi_zoom_to_screen(const struct magi_zoom_view *v, double x, double y, int *sx, int *sy);

/* The search itself, with the model calls left to the caller (a recipe): */
enum magi_zoom_verdict { MAGI_ZOOM_IS_TARGET, MAGI_ZOOM_ELSEWHERE, MAGI_ZOOM_NOT_FOUND };
struct magi_zoom_ops {
	/* Grounds `what` in img (the view's pixels, native resolution): *found, and the box
	 * in img's pixels (zero-sized for a point). */
	magi_status (*ground)(void *ud, const struct magi_image *img, const struct magi_zoom_view *v,
			      const char *what, bool *found, struct magi_zoom_box *box,
			      struct magi_error *err);
	/* The places to look at for instruction: *refs a malloc'd array of malloc'd
	 * descriptions (elements, areas, neighbours; freed by the search), or *none when the
	 * target is not on img at all. */
	magi_status (*plan)(void *ud, const struct magi_image *img, const struct magi_zoom_view *v,
			    const char *instruction, char ***refs, size_t *n, bool *none,
			    struct magi_error *err);
	/* Checks the element marked by a red box on img: the verdict, and (may be NULL) a
	 * clearer instruction for the target (malloc'd, freed by the search). */
	magi_status (*verify)(void *ud, const struct magi_image *marked, const struct magi_zoom_view *v,
			      const char *instruction, enum magi_zoom_verdict *verdict,
			      char **new_instruction, struct magi_error *err);
	void *ud;
};
struct magi_zoom_result {
	bool found;
	int x, y;        /* full-screen pixels when found */
	struct magi_zoom_view view; /* the view it was found in */
	int views;       /* views searched */
	int max_depth;   /* deepest view reached */
	int grounds, plans, verifies; /* calls of each op */
};
/* ScreenSeekeR's depth-first search for instruction on screen: a leaf view (depth
 * max_depth, or at most leaf_w x leaf_h) is grounded directly and the grounding checked on
 * a red-boxed copy (is the target: done; elsewhere: grounded once more with the clearer
 * instruction, no second check; not found: back up); any other view is planned, the
 * instruction and every reference grounded, and the patches (magi_zoom_plan) searched in
 * order until one finds it. An op's error ends the search with that error. */
MAGI_API magi_status magi_zoom_search(const struct magi_zoom_params *p, const struct magi_image *screen,
				      const char *instruction, const struct magi_zoom_ops *ops,
				      struct magi_zoom_result *out, struct magi_error *err);

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
 * A screen taller than two bands (384 rows) is read in horizontal bands cut through blank
 * rows between text lines, which keeps Tesseract's working images to one band's size.
 * Engines: loading a language costs ~100 ms, so initialised engines (LSTM only, ~10 MB
 * each with eng) are kept in a process-wide pool and lent to each call; one thread at a
 * time uses an engine, so a run reading on one thread holds one engine. Engines can be
 * loaded ahead with magi_ocr_preload; magi_ocr_thread_release frees the idle ones.
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
/* The same when only the changed rows are known (magi_image_rows_diff against the previous
 * screen's signatures): rows [y0, y1) of img changed (y0 == y1: none did); prev is the
 * previous screen's OCR (NULL, or a band outside img: the whole of img is read). */
MAGI_API magi_status magi_ocr_update_rows(const struct magi_ocr *prev, const struct magi_image *img, int y0, int y1,
					  const char *lang, float min_conf, struct magi_ocr **out,
					  struct magi_error *err);
/* A reading running on a thread of its own (magi_ocr_start): the caller goes on (asks a
 * model, say) while the screen is read, and collects the words with magi_ocr_join. */
struct magi_ocr_job;
/* Starts magi_ocr_run(img, lang, min_conf) on a new thread and returns at once; the reading
 * waits for an engine being preloaded like any other. img must stay valid and unchanged
 * until the join. MAGI_ERR_NOMEM / MAGI_ERR_INVALID when it cannot start (nothing runs). */
MAGI_API magi_status magi_ocr_start(const struct magi_image *img, const char *lang, float min_conf,
				    struct magi_ocr_job **out, struct magi_error *err);
/* Waits for the reading and frees the job: *out as magi_ocr_run gives it, or its error.
 * *waited_ms (may be NULL) gets how long this call waited. NULL job: MAGI_ERR_INVALID. */
MAGI_API magi_status magi_ocr_join(struct magi_ocr_job *job, struct magi_ocr **out, double *waited_ms,
				   struct magi_error *err);
/* Frees the pool's idle Tesseract engines (a no-op when none; engines in use by a call stay
 * and return to the pool after it). */
MAGI_API void magi_ocr_thread_release(void);
/* Frees the pool's idle engines beyond the first keep (>= 0), e.g. a second engine loaded
 * for one reading on two threads once that reading is done. */
MAGI_API void magi_ocr_release_spare(int keep);
#define MAGI_OCR_MAX_THREADS 8
/* magi_ocr_run reading its bands on up to `threads` threads at once (1..MAGI_OCR_MAX_THREADS;
 * 1 = the calling thread only): the calling thread with an engine lent or made as usual,
 * helper threads only with engines idle in the pool or already loading (see
 * magi_ocr_preload; a helper whose engine is still loading joins in when it is ready), so
 * a call never starts a second engine's load. Same words and lines as one thread.
 * *used (may be NULL) gets the threads that did read (1 when the image is one band). */
MAGI_API magi_status magi_ocr_run_threads(const struct magi_image *img, const char *lang,
					  float min_conf, int threads, int *used,
					  struct magi_ocr **out, struct magi_error *err);
/* magi_ocr_run_threads without Tesseract's page layout analysis: the text lines are found
 * from the pixels (an ink mask cut at blank rows and at blank columns a field's gap wide),
 * each read as one text line, and pieces with identical pixels (a terminal's repeated
 * "root", a menu's labels) are read once; a piece taller than a line (a picture, lines
 * touching, a title) is read with the layout analysis, so no text magi_ocr_run would read
 * is skipped. Lines are the pieces, in reading order (top to bottom, left to right within
 * a row of text); words of a line read twice have the same text and confidence. For a
 * first screen that must be read before anything leaves (a remote model's PII scan). */
MAGI_API magi_status magi_ocr_run_lines(const struct magi_image *img, const char *lang, float min_conf,
					int threads, int *used, struct magi_ocr **out, struct magi_error *err);
/* Starts loading engines for lang (NULL = "eng") on background threads, so that n
 * (1..MAGI_OCR_MAX_THREADS) are idle or loading, and returns at once (libtesseract itself is
 * loaded on those threads too); a call that needs one meanwhile waits for the load in
 * progress instead of starting another. A failed load (libtesseract missing, language not
 * installed) is reported by the first OCR call. MAGI_ERR_INVALID for a bad name or n. */
MAGI_API magi_status magi_ocr_preload(const char *lang, int n, struct magi_error *err);
/* Holds back engine loads (libtesseract's and a language's, ~150 ms of CPU) for up to ms
 * milliseconds so that work on the critical path (a first model request) has the cores to
 * itself: preloads not yet under way and magi_ocr_start's readings wait. A reading on any
 * other thread that needs an engine lifts the hold rather than wait. ms <= 0 lifts it. */
MAGI_API void magi_ocr_hold_loads(double ms);
/* Waits until no engine is loading ahead. Call it before the process exits: an exit while a
 * preload thread is still loading libtesseract runs the library's static destructors under
 * its constructors (a double free). */
MAGI_API void magi_ocr_preload_wait(void);

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
