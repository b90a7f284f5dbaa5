/* ocr.c — words and lines with boxes and confidences, from Tesseract's C API.
 *
 * Screens are not pages: light text sits on dark buttons, bars and whole dark themes, and
 * Tesseract's layout analysis takes a solid dark box for a picture and drops the text in it
 * (and often the text beside it). So the image is first made gray with all text dark on
 * light: every large, solid region darker than mid-gray is found as a connected component
 * and made white, and the glyph-sized light shapes inside it black, while larger light
 * shapes inside it (a dialog on a dark desktop, a field in a dark theme) keep their own
 * text as it is. This costs a few ms at 1280x720.
 * Tesseract then binarizes locally (Sauvola) in sparse-text mode.
 *
 * Loading a language model costs far more than recognising a screenshot, so each thread
 * keeps one initialised TessBaseAPI (per language) and reuses it; a thread's engine is
 * freed when the thread exits, or at once by magi_ocr_thread_release(). Tesseract objects
 * are not shared between threads, so callers may run OCR on several threads at once. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include "magi/vision.h"
#include "vision/tess_dl.h"
#include "core/common.h"

#define LANG_MAX 64

struct ocr_engine {
	TessBaseAPI *api;
	char lang[LANG_MAX];
};

static __thread struct ocr_engine *t_engine;
static pthread_key_t engine_key;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void engine_free(void *p)
{
	struct ocr_engine *e = p;
	if (!e)
		return;
	TessBaseAPIEnd(e->api);
	TessBaseAPIDelete(e->api);
	free(e);
}

static void engine_key_make(void)
{
	/* The destructor frees a worker thread's engine when it exits. */
	if (pthread_key_create(&engine_key, engine_free) != 0)
		engine_key = (pthread_key_t)-1;
	/* Tesseract's OpenMP loops ask for 4 threads each; on a 2-core machine, spinning
	 * and oversubscribed, a 1280x720 screen took ~750 ms instead of ~75 ms. The cure,
	 * OMP_THREAD_LIMIT=1, is read by the OpenMP runtime when it loads, too early for us;
	 * max-active-levels 0 makes every parallel region run on its calling thread to the
	 * same effect. It is left alone when the person set OMP_THREAD_LIMIT themselves.
	 * Looked up at run time so magi does not link the OpenMP runtime itself. */
	if (!getenv("OMP_THREAD_LIMIT")) {
		void *sym = dlsym(RTLD_DEFAULT, "omp_set_max_active_levels");
		if (sym) {
			void (*set_levels)(int);
			memcpy(&set_levels, &sym, sizeof set_levels);
			set_levels(0);
		}
	}
}

void magi_ocr_thread_release(void)
{
	if (!t_engine)
		return;
	engine_free(t_engine);
	t_engine = NULL;
	pthread_once(&engine_once, engine_key_make);
	pthread_setspecific(engine_key, NULL);
}

static bool lang_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= LANG_MAX)
		return false;
	/* Tesseract takes "eng", "chi_sim", "eng+deu"; nothing that could walk a path. */
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-'))
			return false;
	}
	return true;
}

static magi_status engine_get(const char *lang, TessBaseAPI **out, struct magi_error *err)
{
	*out = NULL;
	if (t_engine && strcmp(t_engine->lang, lang) == 0) {
		*out = t_engine->api;
		return MAGI_OK;
	}
	magi_ocr_thread_release();
	struct ocr_engine *e = calloc(1, sizeof *e);
	if (!e || !(e->api = TessBaseAPICreate())) {
		free(e);
		return magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
	}
	snprintf(e->lang, sizeof e->lang, "%s", lang);
	/* Tesseract's diagnostics go to debug_file; keep them off the agent's stderr. */
	TessBaseAPISetVariable(e->api, "debug_file", "/dev/null");
	if (TessBaseAPIInit3(e->api, NULL, lang) != 0) {
		TessBaseAPIDelete(e->api);
		free(e);
		return magi_error_set(err, MAGI_ERR_NOT_FOUND,
				      "OCR: cannot load Tesseract language '%s' (install its traineddata, "
				      "e.g. the tesseract-ocr-%s package, or set TESSDATA_PREFIX)",
				      lang, lang);
	}
	TessBaseAPISetVariable(e->api, "debug_file", "/dev/null");
	/* Screens scatter text in panels, buttons and menus rather than one column, and
	 * their backgrounds vary from panel to panel: sparse text, local (Sauvola)
	 * thresholds. */
	TessBaseAPISetPageSegMode(e->api, PSM_SPARSE_TEXT);
	TessBaseAPISetVariable(e->api, "thresholding_method", "2");
	t_engine = e;
	pthread_once(&engine_once, engine_key_make);
	if (engine_key != (pthread_key_t)-1)
		pthread_setspecific(engine_key, e);
	*out = e->api;
	return MAGI_OK;
}

void magi_ocr_free(struct magi_ocr *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n_words; i++)
		free(o->words[i].text);
	for (size_t i = 0; i < o->n_lines; i++)
		free(o->lines[i].text);
	free(o->words);
	free(o->lines);
	free(o);
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* Appends word w (already in o->words) to line l: text, box and running confidence sum. */
static bool line_add(struct magi_ocr_line *l, const struct magi_ocr_word *w, double *conf_sum,
		     int *count)
{
	struct magi_buf b;
	magi_buf_init(&b, 0);
	if (l->text && (magi_buf_puts(&b, l->text) || magi_buf_putc(&b, ' ')))
		return false;
	if (magi_buf_puts(&b, w->text))
		return false;
	char *t = magi_buf_detach(&b, NULL);
	if (!t)
		return false;
	free(l->text);
	l->text = t;
	if (*count == 0) {
		l->x = w->x;
		l->y = w->y;
		l->w = w->w;
		l->h = w->h;
	} else {
		int x1 = MAGI_MAX(l->x + l->w, w->x + w->w), y1 = MAGI_MAX(l->y + l->h, w->y + w->h);
		l->x = MAGI_MIN(l->x, w->x);
		l->y = MAGI_MIN(l->y, w->y);
		l->w = x1 - l->x;
		l->h = y1 - l->y;
	}
	*conf_sum += w->conf;
	(*count)++;
	l->conf = (float)(*conf_sum / *count);
	return true;
}

/* ---- making all text dark on light ---------------------------------------------------- */

#define DARK_BELOW 128    /* luminance under this is "dark" */
#define REGION_MIN_AREA 1000 /* px; smaller dark components are glyphs, icons, lines */
#define REGION_MIN_W 16
#define REGION_MIN_H 12

struct stack {
	uint32_t *v;
	size_t n, cap;
};

static bool push(struct stack *s, uint32_t p)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 4096;
		uint32_t *v = realloc(s->v, nc * sizeof *v);
		if (!v)
			return false;
		s->v = v;
		s->cap = nc;
	}
	s->v[s->n++] = p;
	return true;
}

/* Flood fill from pixel i over pixels with the same darkness, inside the box [bx0,bx1] x
 * [by0,by1], marking them `mark` in seen and listing them in out. */
static bool fill(const uint8_t *g, uint32_t w, uint32_t i, bool dark, uint8_t *seen, uint8_t mark,
		 uint32_t bx0, uint32_t by0, uint32_t bx1, uint32_t by1, struct stack *st, struct stack *out,
		 uint32_t box[4])
{
	st->n = 0;
	out->n = 0;
	seen[i] = mark;
	if (!push(st, i))
		return false;
	box[0] = box[2] = i % w;
	box[1] = box[3] = i / w;
	while (st->n) {
		uint32_t p = st->v[--st->n], x = p % w, y = p / w;
		if (!push(out, p))
			return false;
		box[0] = MAGI_MIN(box[0], x);
		box[2] = MAGI_MAX(box[2], x);
		box[1] = MAGI_MIN(box[1], y);
		box[3] = MAGI_MAX(box[3], y);
		uint32_t nb[8];
		int k = 0;
		if (x > bx0)
			nb[k++] = p - 1;
		if (x < bx1)
			nb[k++] = p + 1;
		if (y > by0)
			nb[k++] = p - w;
		if (y < by1)
			nb[k++] = p + w;
		/* dark shapes connect diagonally too, so a 1-px curve stays one outline */
		if (dark && x > bx0 && y > by0)
			nb[k++] = p - w - 1;
		if (dark && x < bx1 && y > by0)
			nb[k++] = p - w + 1;
		if (dark && x > bx0 && y < by1)
			nb[k++] = p + w - 1;
		if (dark && x < bx1 && y < by1)
			nb[k++] = p + w + 1;
		for (int j = 0; j < k; j++)
			if (!seen[nb[j]] && (g[nb[j]] < DARK_BELOW) == dark) {
				seen[nb[j]] = mark;
				if (!push(st, nb[j]))
					return false;
			}
	}
	return true;
}

/* Light components up to this size inside a dark region are glyphs; larger ones are
 * panels, dialogs or fields, which keep their own (usually dark) text. */
#define GLYPH_MAX_AREA 2500
#define GLYPH_MAX_H 64
/* Sparse dark shapes at least this wide and high are outlines, not letters. */
#define OUTLINE_MIN_W 80
#define OUTLINE_MIN_H 24

/* Makes text dark on light around every large, solid dark region (a button, a bar, a dark
 * theme, the desktop behind a dialog): the region's bounding box is inverted — its light
 * glyphs become dark strokes, anti-aliased edges and all — except inside the boxes of the
 * large light shapes lying on it (a dialog on a dark desktop, a field in a dark theme),
 * which keep their own, already dark, text. Thin outlines (a button's oval, frames, rules)
 * are erased: Tesseract's sparse-text mode drops text enclosed by one. */
#define MAX_PANELS 64
static bool clean_dark_regions(uint8_t *g, uint32_t w, uint32_t h, uint8_t *seen, struct stack *st)
{
	size_t n = (size_t)w * h;
	memset(seen, 0, n);
	struct stack comp = {0}, inner = {0};
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		if (seen[i] || g[i] >= DARK_BELOW)
			continue;
		uint32_t box[4];
		if (!(ok = fill(g, w, (uint32_t)i, true, seen, 3, 0, 0, w - 1, h - 1, st, &comp, box)))
			break;
		uint64_t area = comp.n, bw = box[2] - box[0] + 1, bh = box[3] - box[1] + 1;
		bool region = !(area < REGION_MIN_AREA || bw < REGION_MIN_W || bh < REGION_MIN_H || 2 * area < bw * bh);
		bool outline = !region && ((bw >= OUTLINE_MIN_W && bh >= OUTLINE_MIN_H && area >= 100 &&
					    area * 8 < bw * bh) ||
					   (bh <= 3 && bw >= 40) || (bw <= 3 && bh >= 40));
		if (!region) {
			for (size_t k = 0; k < comp.n; k++) {
				if (outline)
					g[comp.v[k]] = 255;
				seen[comp.v[k]] = 1;
			}
			continue;
		}
		/* the large light shapes lying on the region */
		uint32_t panels[MAX_PANELS][4];
		int np = 0;
		for (size_t k = 0; ok && k < comp.n; k++) {
			uint32_t p = comp.v[k], x = p % w, y = p / w;
			uint32_t nb[4];
			int m = 0;
			if (x > 0)
				nb[m++] = p - 1;
			if (x + 1 < w)
				nb[m++] = p + 1;
			if (y > 0)
				nb[m++] = p - w;
			if (y + 1 < h)
				nb[m++] = p + w;
			for (int j = 0; j < m && ok; j++) {
				if (seen[nb[j]] || g[nb[j]] < DARK_BELOW)
					continue;
				uint32_t ib[4];
				if (!(ok = fill(g, w, nb[j], false, seen, 2, box[0], box[1], box[2], box[3], st, &inner, ib)))
					break;
				if ((inner.n > GLYPH_MAX_AREA || ib[3] - ib[1] + 1 > GLYPH_MAX_H) && np < MAX_PANELS)
					memcpy(panels[np++], ib, sizeof ib);
			}
		}
		for (uint32_t y = box[1]; y <= box[3]; y++) {
			for (uint32_t x = box[0]; x <= box[2]; x++) {
				bool in_panel = false;
				for (int k = 0; k < np && !in_panel; k++)
					in_panel = x >= panels[k][0] && x <= panels[k][2] && y >= panels[k][1] && y <= panels[k][3];
				size_t q = (size_t)y * w + x;
				if (in_panel)
					continue;
				g[q] = (uint8_t)(255 - g[q]);
				seen[q] = 1;
			}
		}
		for (size_t k = 0; k < comp.n; k++)
			seen[comp.v[k]] = 1;
	}
	free(comp.v);
	free(inner.v);
	return ok;
}

/* The gray image Tesseract reads: luminance with text made dark on light. NULL on OOM. */
static uint8_t *ocr_gray(const struct magi_image *img)
{
	uint32_t w = img->w, h = img->h;
	size_t n = (size_t)w * h;
	uint8_t *g = malloc(n), *seen = malloc(n);
	struct stack st = {0};
	if (!g || !seen) {
		free(g);
		free(seen);
		return NULL;
	}
	for (uint32_t y = 0; y < h; y++) {
		const uint8_t *p = img->px + (size_t)y * img->stride;
		uint8_t *o = g + (size_t)y * w;
		for (uint32_t x = 0; x < w; x++, p += 3)
			o[x] = (uint8_t)((p[0] * 77u + p[1] * 150u + p[2] * 29u + 128) >> 8);
	}
	bool ok = clean_dark_regions(g, w, h, seen, &st);
	free(st.v);
	free(seen);
	if (!ok) {
		free(g);
		return NULL;
	}
	return g;
}

/* Shrinks a word box to the ink inside it. Sauvola thresholds sometimes leave Tesseract a
 * word box taller than its glyphs (seen: 46x32 for a 48x15 word), and boxes are click
 * targets. Ink is what is darker than midway between the box's darkest and lightest gray;
 * a box without clear contrast is left as it is. */
static void tighten_box(const uint8_t *g, uint32_t w, uint32_t h, int *bx, int *by, int *bw, int *bh)
{
	int64_t x0 = MAGI_MAX(*bx, 0), y0 = MAGI_MAX(*by, 0);
	int64_t x1 = MAGI_MIN((int64_t)*bx + *bw, (int64_t)w), y1 = MAGI_MIN((int64_t)*by + *bh, (int64_t)h);
	if (x1 <= x0 || y1 <= y0)
		return;
	int lo = 255, hi = 0;
	for (int64_t y = y0; y < y1; y++)
		for (int64_t x = x0; x < x1; x++) {
			int v = g[(size_t)y * w + x];
			lo = MAGI_MIN(lo, v);
			hi = MAGI_MAX(hi, v);
		}
	if (hi - lo < 48)
		return;
	int t = (lo + hi) / 2;
	int64_t ix0 = x1, iy0 = y1, ix1 = -1, iy1 = -1;
	for (int64_t y = y0; y < y1; y++)
		for (int64_t x = x0; x < x1; x++)
			if (g[(size_t)y * w + x] < t) {
				ix0 = MAGI_MIN(ix0, x);
				ix1 = MAGI_MAX(ix1, x);
				iy0 = MAGI_MIN(iy0, y);
				iy1 = MAGI_MAX(iy1, y);
			}
	if (ix1 < 0)
		return;
	*bx = (int)ix0;
	*by = (int)iy0;
	*bw = (int)(ix1 - ix0 + 1);
	*bh = (int)(iy1 - iy0 + 1);
}

static magi_status ocr_run(const struct magi_image *img, const char *lang, float min_conf,
			   bool one_line, struct magi_ocr **out, struct magi_error *err)
{
	if (!out)
		return magi_error_set(err, MAGI_ERR_INVALID, "OCR: no output given");
	*out = NULL;
	if (!img || !img->px || img->w == 0 || img->h == 0 || img->stride < img->w * 3)
		return magi_error_set(err, MAGI_ERR_INVALID, "OCR: no image or an empty one");
	if (!lang)
		lang = "eng";
	if (!lang_ok(lang))
		return magi_error_set(err, MAGI_ERR_INVALID, "OCR: '%s' is not a Tesseract language name",
				      lang);
	if (img->w > INT32_MAX / 4 || img->h > INT32_MAX / 4)
		return magi_error_set(err, MAGI_ERR_LIMIT, "OCR: image too large");
	magi_status ls = magi__tess_load(err);
	if (ls)
		return ls;
	double t0 = magi_now_ms();
	struct magi_ocr *o = calloc(1, sizeof *o);
	if (!o)
		return magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
	/* Tesseract rejects images too small to hold a glyph; they hold no text. */
	if (img->w < 4 || img->h < 4) {
		o->ms = magi_now_ms() - t0;
		*out = o;
		return MAGI_OK;
	}
	TessBaseAPI *api = NULL;
	magi_status s = engine_get(lang, &api, err);
	if (s) {
		free(o);
		return s;
	}
	uint8_t *gray = ocr_gray(img);
	if (!gray) {
		free(o);
		return magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
	}
	TessBaseAPISetImage(api, gray, (int)img->w, (int)img->h, 1, (int)img->w);
	/* Screens are near 96 ppi; saying so skips Tesseract's guess (and its warning). */
	TessBaseAPISetSourceResolution(api, 96);
	if (one_line)
		TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
	int rc = TessBaseAPIRecognize(api, NULL);
	if (one_line)
		TessBaseAPISetPageSegMode(api, PSM_SPARSE_TEXT);
	if (rc != 0) {
		TessBaseAPIClear(api);
		free(gray);
		free(o);
		return magi_error_set(err, MAGI_ERR_IMAGE, "OCR: Tesseract could not read the %ux%u image",
				      img->w, img->h);
	}
	size_t wcap = 0, lcap = 0;
	int tess_line = -1, kept_line = -1; /* Tesseract's line counter; the last one we kept */
	double conf_sum = 0;
	int in_line = 0;
	bool oom = false;
	TessResultIterator *ri = TessBaseAPIGetIterator(api);
	if (ri) {
		TessPageIterator *pi = TessResultIteratorGetPageIterator(ri);
		do {
			if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE))
				tess_line++;
			char *txt = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
			if (!txt)
				continue;
			float conf = TessResultIteratorConfidence(ri, RIL_WORD);
			int l, t, r, b;
			if (blank(txt) || conf < min_conf ||
			    !TessPageIteratorBoundingBox(pi, RIL_WORD, &l, &t, &r, &b)) {
				TessDeleteText(txt);
				continue;
			}
			if (tess_line < 0)
				tess_line = 0;
			if (!magi__grow(&o->words, &wcap, o->n_words, sizeof *o->words, 32) ||
			    (tess_line != kept_line &&
			     !magi__grow(&o->lines, &lcap, o->n_lines, sizeof *o->lines, 32))) {
				TessDeleteText(txt);
				oom = true;
				break;
			}
			struct magi_ocr_word *w = &o->words[o->n_words];
			w->text = magi__strdup(txt);
			TessDeleteText(txt);
			if (!w->text) {
				oom = true;
				break;
			}
			w->x = l;
			w->y = t;
			w->w = r - l;
			w->h = b - t;
			tighten_box(gray, img->w, img->h, &w->x, &w->y, &w->w, &w->h);
			w->conf = conf;
			o->n_words++;
			if (tess_line != kept_line) {
				memset(&o->lines[o->n_lines], 0, sizeof o->lines[0]);
				o->n_lines++;
				kept_line = tess_line;
				conf_sum = 0;
				in_line = 0;
			}
			w->line = (int)o->n_lines - 1;
			if (!line_add(&o->lines[o->n_lines - 1], w, &conf_sum, &in_line)) {
				oom = true;
				break;
			}
		} while (TessResultIteratorNext(ri, RIL_WORD));
		TessResultIteratorDelete(ri);
	}
	TessBaseAPIClear(api);
	free(gray);
	if (oom) {
		magi_ocr_free(o);
		return magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
	}
	o->ms = magi_now_ms() - t0;
	*out = o;
	return MAGI_OK;
}

magi_status magi_ocr_run(const struct magi_image *img, const char *lang, float min_conf,
			 struct magi_ocr **out, struct magi_error *err)
{
	return ocr_run(img, lang, min_conf, false, out, err);
}

magi_status magi_ocr_run_line(const struct magi_image *img, const char *lang, float min_conf,
			      struct magi_ocr **out, struct magi_error *err)
{
	return ocr_run(img, lang, min_conf, true, out, err);
}
