/* ocr.c — words and lines with boxes and confidences, from Tesseract's C API.
 *
 * The image is first made gray with all text dark on light (ocr_prep.c); Tesseract then
 * binarizes locally (Sauvola) in sparse-text mode. A screen taller than two bands is read
 * in horizontal bands cut through blank rows (rows without ink: the gaps between text
 * lines), each band on its own: Tesseract's page analysis then holds one band's working
 * images at a time rather than the whole screen's (several 32-bit copies of it), and bands
 * can be read on several threads at once (magi_ocr_run_threads), each with its own engine
 * from the pool (ocr_engine.c). A cut never passes through ink, so no text line is split;
 * where no blank rows are found the band simply grows. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include "magi/vision.h"
#include "vision/ocr_internal.h"
#include "vision/tess_dl.h"
#include "core/common.h"

#define BAND_ROWS 192	  /* the height a band aims at */
#define BAND_SEARCH 64	  /* rows above and below an aimed cut searched for blank rows */
#define BLANK_RUN 6	  /* blank rows a cut needs around it (a gap between lines) */
#define BLANK_INK 2	  /* a row with at most this many dark pixels is blank */
#define INK_BELOW 160	  /* gray under this is ink */
#define MAX_BANDS 64

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

/* Pixels of background added around a line leaf before it is read (Tesseract's line
 * finder wants some margin), and the leaf's own ring of rows and columns kept around its
 * ink (anti-aliased edges fainter than the ink mask's contrast). */
#define LEAF_PAD 4
#define LEAF_RING 1

/* Reads piece p of the gray image g (w x h) with api into *o: boxes in the whole image's
 * coordinates, lines numbered from 0. A band or block is read in place with page layout
 * analysis (sparse text, or one line when one_line); a line leaf is copied with a margin of
 * its background (its neighbours' ink is not in it) and read as one text line. */
static magi_status read_piece(TessBaseAPI *api, const uint8_t *g, uint32_t w, uint32_t h,
			      const struct magi__ocr_piece *p, bool leaf, float min_conf, bool one_line,
			      struct magi_ocr *o, struct magi_error *err)
{
	uint8_t *copy = NULL;
	uint32_t cw_given = 0, ch_given = 0; /* the copy's size */
	int ox = (int)p->x0, oy = (int)p->y0; /* the image given's origin in g */
	if (leaf && !p->block) {
		uint32_t x0 = p->x0 > LEAF_RING ? p->x0 - LEAF_RING : 0, y0 = p->y0 > LEAF_RING ? p->y0 - LEAF_RING : 0;
		uint32_t x1 = MAGI_MIN(p->x1 + LEAF_RING, w), y1 = MAGI_MIN(p->y1 + LEAF_RING, h);
		uint32_t cw = x1 - x0 + 2 * LEAF_PAD, ch = y1 - y0 + 2 * LEAF_PAD;
		uint8_t bg = 0;
		for (uint32_t y = y0; y < y1; y++)
			for (uint32_t x = x0; x < x1; x++)
				bg = MAGI_MAX(bg, g[(size_t)y * w + x]);
		if (!(copy = malloc((size_t)cw * ch)))
			return magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
		memset(copy, bg, (size_t)cw * ch);
		for (uint32_t y = y0; y < y1; y++)
			memcpy(copy + (size_t)(y - y0 + LEAF_PAD) * cw + LEAF_PAD, g + (size_t)y * w + x0, x1 - x0);
		ox = (int)x0 - LEAF_PAD;
		oy = (int)y0 - LEAF_PAD;
		cw_given = cw;
		ch_given = ch;
		TessBaseAPISetImage(api, copy, (int)cw, (int)ch, 1, (int)cw);
		TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
	} else {
		TessBaseAPISetImage(api, g + (size_t)p->y0 * w + p->x0, (int)(p->x1 - p->x0), (int)(p->y1 - p->y0), 1,
				    (int)w);
		if (one_line)
			TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
	}
	/* Screens are near 96 ppi; saying so skips Tesseract's guess (and its warning). */
	TessBaseAPISetSourceResolution(api, 96);
	/* Tesseract's Sauvola window is at most the image's shorter side less 3 pixels, and
	 * Leptonica refuses a half window under 2 (and leaks a Pix doing so): a piece under 8
	 * pixels high or wide (a line cut by the screen's edge) is read with one global (Otsu)
	 * threshold instead; so is any piece whose reading failed. */
	bool thin = (copy ? MAGI_MIN(cw_given, ch_given) : MAGI_MIN(p->x1 - p->x0, p->y1 - p->y0)) < 8;
	if (thin)
		TessBaseAPISetVariable(api, "thresholding_method", "0");
	int rc = TessBaseAPIRecognize(api, NULL);
	if (rc != 0 && !thin) {
		TessBaseAPISetVariable(api, "thresholding_method", "0");
		rc = TessBaseAPIRecognize(api, NULL);
		thin = true;
	}
	if (thin)
		TessBaseAPISetVariable(api, "thresholding_method", "2");
	TessBaseAPISetPageSegMode(api, PSM_SPARSE_TEXT);
	if (rc != 0) {
		free(copy);
		return magi_error_set(err, MAGI_ERR_IMAGE, "OCR: Tesseract could not read the %ux%u image",
				      w, h);
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
			struct magi_ocr_word *wd = &o->words[o->n_words];
			wd->text = magi__strdup(txt);
			TessDeleteText(txt);
			if (!wd->text) {
				oom = true;
				break;
			}
			wd->x = l + ox;
			wd->y = t + oy;
			wd->w = r - l;
			wd->h = b - t;
			magi__ocr_tighten_box(g, w, h, &wd->x, &wd->y, &wd->w, &wd->h);
			wd->conf = conf;
			o->n_words++;
			if (tess_line != kept_line) {
				memset(&o->lines[o->n_lines], 0, sizeof o->lines[0]);
				o->n_lines++;
				kept_line = tess_line;
				conf_sum = 0;
				in_line = 0;
			}
			wd->line = (int)o->n_lines - 1;
			if (!line_add(&o->lines[o->n_lines - 1], wd, &conf_sum, &in_line)) {
				oom = true;
				break;
			}
		} while (TessResultIteratorNext(ri, RIL_WORD));
		TessResultIteratorDelete(ri);
	}
	TessBaseAPIClear(api);
	free(copy);
	return oom ? magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory") : MAGI_OK;
}

/* Row bounds of the bands: cuts[0] = 0 < cuts[1] < ... < cuts[n] = h. Each inner cut is
 * the middle of the longest run of blank rows near a multiple of BAND_ROWS. */
static size_t find_bands(const uint8_t *g, uint32_t w, uint32_t h, uint32_t *cuts)
{
	size_t n = 0;
	cuts[0] = 0;
	if (h < 2 * BAND_ROWS) {
		cuts[1] = h;
		return 1;
	}
	uint8_t *blank_row = malloc(h);
	if (!blank_row) {
		cuts[1] = h;
		return 1;
	}
	for (uint32_t y = 0; y < h; y++) {
		const uint8_t *r = g + (size_t)y * w;
		uint32_t ink = 0;
		for (uint32_t x = 0; x < w && ink <= BLANK_INK; x++)
			ink += r[x] < INK_BELOW;
		blank_row[y] = ink <= BLANK_INK;
	}
	for (uint32_t aim = BAND_ROWS; aim + BAND_ROWS / 2 < h && n + 2 < MAX_BANDS; aim += BAND_ROWS) {
		uint32_t lo = aim > BAND_SEARCH ? aim - BAND_SEARCH : 0;
		uint32_t hi = MAGI_MIN(aim + BAND_SEARCH, h - BAND_ROWS / 2);
		uint32_t best = 0, best_len = 0, run = 0;
		for (uint32_t y = lo; y < hi; y++) {
			run = blank_row[y] ? run + 1 : 0;
			if (run >= BLANK_RUN && run > best_len) {
				best_len = run;
				best = y - run / 2;
			}
		}
		if (best_len && best > cuts[n] + BAND_ROWS / 2)
			cuts[++n] = best;
	}
	cuts[++n] = h;
	free(blank_row);
	return n;
}

/* Appends copies of part's words and lines to o, moved by (dx, dy). */
static bool merge(struct magi_ocr *o, const struct magi_ocr *part, int dx, int dy)
{
	if (!part->n_words)
		return true;
	struct magi_ocr_word *wv = realloc(o->words, (o->n_words + part->n_words) * sizeof *wv);
	if (wv)
		o->words = wv;
	struct magi_ocr_line *lv = realloc(o->lines, (o->n_lines + part->n_lines) * sizeof *lv);
	if (lv)
		o->lines = lv;
	if (!wv || !lv)
		return false;
	bool ok = true;
	/* each copy is counted as it is made, so that magi_ocr_free frees it on failure */
	for (size_t i = 0; i < part->n_words && ok; i++) {
		struct magi_ocr_word *d = &o->words[o->n_words++];
		*d = part->words[i];
		d->line += (int)o->n_lines;
		d->x += dx;
		d->y += dy;
		ok = (d->text = magi__strdup(d->text)) != NULL;
	}
	for (size_t i = 0; i < part->n_lines && ok; i++) {
		struct magi_ocr_line *d = &o->lines[o->n_lines + i];
		*d = part->lines[i];
		d->x += dx;
		d->y += dy;
		ok = (d->text = magi__strdup(d->text)) != NULL;
		if (!ok)
			o->n_lines += i;
	}
	if (ok)
		o->n_lines += part->n_lines;
	return ok;
}

struct pieces {
	const uint8_t *g;
	uint32_t w, h;
	const struct magi__ocr_piece *p;
	const size_t *order; /* the pieces to read, costliest first */
	size_t n;	     /* pieces to read */
	bool leaves;	     /* found by magi__ocr_find_pieces (else bands) */
	float min_conf;
	const char *lang;
	struct magi_ocr *parts; /* one per piece */
	magi_status *status;
	struct magi_error *errs;
	atomic_size_t next; /* the next piece nobody took */
};

/* Reads pieces until none is left, with engine e; returns how many it read. */
static int read_pieces(struct pieces *b, struct magi__ocr_engine *e)
{
	magi__ocr_thread_setup();
	for (int done = 0;; done++) {
		size_t k = atomic_fetch_add(&b->next, 1);
		if (k >= b->n)
			return done;
		size_t i = b->order[k];
		b->status[i] = read_piece(e->api, b->g, b->w, b->h, &b->p[i], b->leaves, b->min_conf, false,
					  &b->parts[i], &b->errs[i]);
	}
}

struct helper {
	struct pieces *b;
	struct magi__ocr_engine *e;
	pthread_t th;
	int read; /* pieces it read */
};

static void *helper_main(void *arg)
{
	struct helper *h = arg;
	/* an engine still loading: the pieces left when it is ready are read with it */
	if (!h->e)
		magi__ocr_engine_take_loading(h->b->lang, &h->e);
	if (h->e)
		h->read = read_pieces(h->b, h->e);
	return NULL;
}

struct costed {
	double cost;
	size_t i;
};

static int by_cost(const void *a, const void *b)
{
	double x = ((const struct costed *)a)->cost, y = ((const struct costed *)b)->cost;
	return x > y ? -1 : x < y;
}

/* Costliest first (two threads then finish together): a line's reading costs its width over
 * its height (Tesseract scales each line to one height); a block's about its area. */
static bool sort_by_cost(const struct magi__ocr_piece *p, size_t *order, size_t n)
{
	struct costed *c = malloc((n ? n : 1) * sizeof *c);
	if (!c)
		return false;
	for (size_t k = 0; k < n; k++) {
		const struct magi__ocr_piece *q = &p[order[k]];
		double w = q->x1 - q->x0, h = q->y1 - q->y0;
		c[k] = (struct costed){q->block ? w * h / 64.0 : w / h, order[k]};
	}
	qsort(c, n, sizeof *c, by_cost);
	for (size_t k = 0; k < n; k++)
		order[k] = c[k].i;
	free(c);
	return true;
}

/* The pieces of the gray image to read: line leaves (leaves), else bands cut through blank
 * rows (one band when one_line). *order lists the pieces to read, *n_read of them. */
static magi_status plan(const uint8_t *gray, uint32_t w, uint32_t h, bool leaves, bool one_line,
			struct magi__ocr_piece **pieces, size_t *n, size_t **order, size_t *n_read)
{
	*pieces = NULL;
	*order = NULL;
	*n = *n_read = 0;
	if (leaves) {
		if (magi__ocr_find_pieces(gray, w, h, pieces, n))
			return MAGI_ERR_NOMEM;
	} else {
		uint32_t cuts[MAX_BANDS + 1] = {0, h};
		*n = one_line ? 1 : find_bands(gray, w, h, cuts);
		if (!(*pieces = calloc(*n, sizeof **pieces)))
			return MAGI_ERR_NOMEM;
		for (size_t i = 0; i < *n; i++)
			(*pieces)[i] = (struct magi__ocr_piece){0, cuts[i], w, cuts[i + 1], true, -1};
	}
	if (!(*order = malloc((*n ? *n : 1) * sizeof **order)))
		return MAGI_ERR_NOMEM;
	for (size_t i = 0; i < *n; i++)
		if ((*pieces)[i].same_as < 0)
			(*order)[(*n_read)++] = i;
	return leaves && !sort_by_cost(*pieces, *order, *n_read) ? MAGI_ERR_NOMEM : MAGI_OK;
}

static magi_status ocr_run(const struct magi_image *img, const char *lang, float min_conf,
			   bool one_line, bool leaves, int threads, int *used, struct magi_ocr **out,
			   struct magi_error *err)
{
	if (used)
		*used = 1;
	if (!out)
		return magi_error_set(err, MAGI_ERR_INVALID, "OCR: no output given");
	*out = NULL;
	if (!img || !img->px || img->w == 0 || img->h == 0 || img->stride < img->w * 3)
		return magi_error_set(err, MAGI_ERR_INVALID, "OCR: no image or an empty one");
	if (img->w > INT32_MAX / 4 || img->h > INT32_MAX / 4)
		return magi_error_set(err, MAGI_ERR_LIMIT, "OCR: image too large");
	magi_status ls = magi__ocr_begin(&lang, threads, "threads", err);
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
	/* the page is prepared before an engine is asked for: while one is still loading
	 * (magi_ocr_preload), this work is done meanwhile */
	uint8_t *gray = magi__ocr_gray(img);
	struct magi__ocr_piece *pcs = NULL;
	size_t n = 0, n_read = 0, *order = NULL;
	magi_status s = gray ? plan(gray, img->w, img->h, leaves, one_line, &pcs, &n, &order, &n_read) : MAGI_ERR_NOMEM;
	double t_plan = magi_now_ms();
	struct magi__ocr_engine *e = NULL;
	if (!s)
		s = magi__ocr_engine_take(lang, true, &e, err);
	else
		magi_error_set(err, s, "OCR: out of memory");
	if (s) {
		free(pcs);
		free(order);
		free(gray);
		free(o);
		return s;
	}
	magi__ocr_thread_setup();
	if (leaves)
		MAGI_DEBUG("OCR: %zu pieces found from the pixels in %.1f ms, %zu to read (%zu read once for another)%s", n,
			   t_plan - t0, n_read, n - n_read, magi_now_ms() - t_plan > 1 ? ", then waited for an engine" : "");
	struct pieces b = {gray, img->w, img->h, pcs, order, n_read, leaves, min_conf, lang, NULL, NULL, NULL, 0};
	b.parts = calloc(n ? n : 1, sizeof *b.parts);
	b.status = calloc(n ? n : 1, sizeof *b.status);
	b.errs = calloc(n ? n : 1, sizeof *b.errs);
	if (!b.parts || !b.status || !b.errs) {
		s = magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
	} else if (one_line) {
		s = read_piece(e->api, gray, img->w, img->h, &pcs[0], false, min_conf, true, o, err);
	} else {
		/* helpers only with engines idle or already loading: never start a new one
		 * (~100 ms) for a reading */
		struct helper hs[MAGI_OCR_MAX_THREADS];
		int nh = 0, loading = threads > 1 ? magi__ocr_engines_loading(lang) : 0;
		for (int i = 1; i < threads && (size_t)i < n_read; i++) {
			struct magi__ocr_engine *he = NULL;
			if (magi__ocr_engine_take(lang, false, &he, NULL) || (!he && loading-- <= 0))
				break;
			hs[nh] = (struct helper){&b, he, 0, 0};
			if (pthread_create(&hs[nh].th, NULL, helper_main, &hs[nh]) != 0) {
				magi__ocr_engine_give(he);
				break;
			}
			nh++;
		}
		(void)read_pieces(&b, e);
		int nused = 1;
		for (int i = 0; i < nh; i++) {
			pthread_join(hs[i].th, NULL);
			nused += hs[i].read > 0;
			magi__ocr_engine_give(hs[i].e);
		}
		if (used)
			*used = nused;
		/* in reading order; a piece with the same pixels as an earlier one takes its words */
		for (size_t i = 0; i < n && !s; i++) {
			int src = pcs[i].same_as;
			size_t k = src >= 0 ? (size_t)src : i;
			if (b.status[k]) {
				s = b.status[k];
				if (err)
					*err = b.errs[k];
			} else if (!merge(o, &b.parts[k], (int)pcs[i].x0 - (int)pcs[k].x0,
					  (int)pcs[i].y0 - (int)pcs[k].y0)) {
				s = magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
			}
		}
	}
	magi__ocr_engine_give(e);
	for (size_t i = 0; b.parts && i < n; i++) {
		struct magi_ocr *p = &b.parts[i];
		for (size_t k = 0; k < p->n_words; k++)
			free(p->words[k].text);
		for (size_t k = 0; k < p->n_lines; k++)
			free(p->lines[k].text);
		free(p->words);
		free(p->lines);
	}
	free(b.parts);
	free(b.status);
	free(b.errs);
	free(pcs);
	free(order);
	free(gray);
	if (s) {
		magi_ocr_free(o);
		return s;
	}
	o->ms = magi_now_ms() - t0;
	*out = o;
	return MAGI_OK;
}

magi_status magi_ocr_run(const struct magi_image *img, const char *lang, float min_conf,
			 struct magi_ocr **out, struct magi_error *err)
{
	return ocr_run(img, lang, min_conf, false, false, 1, NULL, out, err);
}

magi_status magi_ocr_run_threads(const struct magi_image *img, const char *lang, float min_conf,
				 int threads, int *used, struct magi_ocr **out, struct magi_error *err)
{
	return ocr_run(img, lang, min_conf, false, false, threads, used, out, err);
}

magi_status magi_ocr_run_line(const struct magi_image *img, const char *lang, float min_conf,
			      struct magi_ocr **out, struct magi_error *err)
{
	return ocr_run(img, lang, min_conf, true, false, 1, NULL, out, err);
}

magi_status magi_ocr_run_lines(const struct magi_image *img, const char *lang, float min_conf, int threads,
			       int *used, struct magi_ocr **out, struct magi_error *err)
{
	return ocr_run(img, lang, min_conf, false, true, threads, used, out, err);
}
