/* pii_render.h — the second-reading tests' rendered lines (test_pii_reread10, 11, 12): a line
 * of text drawn by ImageMagick in a terminal's small type and read by Tesseract, and that
 * page reading with its words replaced by what small type made of them on the development
 * screens. */
#ifndef MAGI_PII_RENDER_H
#define MAGI_PII_RENDER_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "magi/magi.h"

/* Renders text in dir on a dark band (12 pt DejaVu Sans Mono, as a terminal's small type). */
static inline struct magi_image *pii_render(const char *dir, const char *text, int w)
{
	char png[128], cmd[512];
	snprintf(png, sizeof png, "%s/line.png", dir);
	snprintf(cmd, sizeof cmd,
		 "convert -size %dx40 xc:'#101010' -font DejaVu-Sans-Mono -pointsize 12 -fill '#d0d0d0' "
		 "-draw \"text 10,24 '%s'\" %s",
		 w, text, png);
	if (system(cmd) != 0)
		return NULL;
	struct magi_image *img = NULL;
	struct magi_error err;
	magi_status s = magi_image_load(png, &img, &err);
	unlink(png);
	return s ? NULL : img;
}

/* The page reading of img with its words' texts replaced by garbled (split at spaces, as
 * many words as the reading has), all on one line; NULL when the counts differ. */
static inline struct magi_ocr *pii_garble(const struct magi_image *img, const char *garbled)
{
	struct magi_ocr *o = NULL;
	struct magi_error err;
	if (magi_ocr_run(img, NULL, 0, &o, &err))
		return NULL;
	char *copy = strdup(garbled), *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save), n++) {
		if (n >= o->n_words)
			break;
		free(o->words[n].text);
		o->words[n].text = strdup(t);
		o->words[n].line = 0;
		o->words[n].conf = 80;
	}
	free(copy);
	if (n != o->n_words || !o->n_lines) {
		fprintf(stderr, "page reading has %zu words for \"%s\"\n", o->n_words, garbled);
		magi_ocr_free(o);
		return NULL;
	}
	/* one line: the words' union, the garbled text */
	struct magi_ocr_line *l = &o->lines[0];
	int x1 = l->x + l->w, y1 = l->y + l->h;
	for (size_t i = 0; i < o->n_words; i++) {
		const struct magi_ocr_word *w = &o->words[i];
		l->x = l->x < w->x ? l->x : w->x;
		l->y = l->y < w->y ? l->y : w->y;
		x1 = x1 > w->x + w->w ? x1 : w->x + w->w;
		y1 = y1 > w->y + w->h ? y1 : w->y + w->h;
	}
	l->w = x1 - l->x;
	l->h = y1 - l->y;
	l->conf = 80;
	free(l->text);
	l->text = strdup(garbled);
	for (size_t i = 1; i < o->n_lines; i++) {
		free(o->lines[i].text);
		o->lines[i].text = NULL;
	}
	o->n_lines = 1;
	return o;
}

static inline size_t pii_reread_count(struct magi_image *img, struct magi_ocr *o, enum magi_pii_type t, bool *repaired,
				      float *score, size_t *reads);

/* Scans text rendered (in dir) and read as garbled with every candidate read; the count of
 * findings of type t (the last one's repaired flag and score), and the crops read. */
static inline size_t pii_reread_found(const char *dir, const char *text, const char *garbled, int w, enum magi_pii_type t, bool *repaired,
		    float *score, size_t *reads)
{
	struct magi_image *img = pii_render(dir, text, w);
	REQUIRE(img);
	struct magi_ocr *o = pii_garble(img, garbled);
	if (!o) {
		magi_image_free(img);
		SKIP("the page reading split \"%s\" otherwise", text);
	}
	return pii_reread_count(img, o, t, repaired, score, reads);
}

/* Scans img read as o with every candidate read, then frees both: the count of findings
 * of type t (the last one's repaired flag and score), and the crops read. */
static inline size_t pii_reread_count(struct magi_image *img, struct magi_ocr *o, enum magi_pii_type t, bool *repaired,
				      float *score, size_t *reads)
{
	struct magi_pii_cache *cache = NULL;
	REQUIRE(magi_pii_cache_new(&cache) == MAGI_OK);
	struct magi_pii_params q = magi_pii_params_default();
	q.reread_budget = -1;
	q.reread_cache = cache;
	struct magi_pii_finding *f = NULL;
	size_t n = 0, k = 0;
	REQUIRE(magi_pii_scan_image(img, o, &q, &f, &n) == MAGI_OK);
	for (size_t i = 0; i < n; i++)
		if (f[i].type == t) {
			k++;
			if (repaired)
				*repaired = f[i].repaired;
			if (score)
				*score = f[i].score;
		}
	size_t hits = 0, rd = 0;
	magi_pii_cache_stats(cache, &hits, &rd);
	if (reads)
		*reads = rd;
	magi_pii_findings_free(f, n);
	magi_pii_cache_free(cache);
	magi_ocr_free(o);
	magi_image_free(img);
	return k;
}

#endif
