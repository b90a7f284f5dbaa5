/* test_ocr.c — OCR on a screenshot-like canvas whose words sit at known places.
 *
 * Each word is rendered by ImageMagick (`convert -font DejaVu-Sans label:`), trimmed to
 * its ink and pasted onto a 1280x720 canvas at a chosen spot, some dark on light and some
 * light on dark (buttons, a title bar), so the exact ink box of every word is known. The
 * test checks that OCR finds each word, that its box is within a few pixels, that lines
 * group the words, and that two threads can run OCR at once. Needs `convert` and
 * Tesseract's English data; exits 77 (skipped) without them. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "magi/vision.h"
#include "vision/ocr_internal.h"
#include "vision/tess_dl.h"

#define BOX_TOL 3

struct placed {
	const char *text;
	int pt;
	int x, y;    /* where the ink starts (x) and the rendered label's top (y): words of one
		      * size on one y share a baseline */
	uint32_t fg; /* ink colour; the background is what the canvas has there */
};

/* Lines of words; a word with x < 0 follows the previous one after a space. */
static struct placed words[] = {
	{"File", 15, 12, 9, 0x202020}, {"Edit", 15, -1, 9, 0x202020},
	{"View", 15, -1, 9, 0x202020}, {"Help", 15, -1, 9, 0x202020},
	{"Account", 28, 100, 70, 0x000000}, {"settings", 28, -1, 70, 0x000000},
	{"Username", 18, 100, 150, 0x333333}, {"Storage", 18, 700, 150, 0x333333},
	{"used", 18, -1, 150, 0x333333}, {"42%", 18, -1, 150, 0x333333},
	{"Email", 18, 100, 210, 0x333333}, {"address", 18, -1, 210, 0x333333},
	{"The", 16, 100, 300, 0x000000}, {"quick", 16, -1, 300, 0x000000},
	{"brown", 16, -1, 300, 0x000000}, {"fox", 16, -1, 300, 0x000000},
	{"jumps", 16, -1, 300, 0x000000}, {"over", 16, -1, 300, 0x000000},
	{"the", 16, -1, 300, 0x000000}, {"lazy", 16, -1, 300, 0x000000},
	{"dog", 16, -1, 300, 0x000000}, {"Notifications", 16, 100, 340, 0x000000},
	{"are", 16, -1, 340, 0x000000}, {"sent", 16, -1, 340, 0x000000},
	{"every", 16, -1, 340, 0x000000}, {"Monday", 16, -1, 340, 0x000000},
	{"Hello", 32, 100, 440, 0x000000}, {"magi", 32, -1, 440, 0x000000},
	/* light on dark: a blue button and a dark status bar */
	{"Submit", 18, 930, 622, 0xFFFFFF}, {"Cancel", 18, 1080, 622, 0x000000},
	{"Connected", 14, 20, 694, 0xE0E0E0},
};
#define N_WORDS (sizeof words / sizeof words[0])
static int boxes[N_WORDS][4]; /* each word's ink box on the canvas */

/* Checks that two readings of one image have the same words, boxes and confidences, then
 * frees both. */
static void same_reading(struct magi_ocr *one, struct magi_ocr *two, const char *how1, const char *how2)
{
	CHECK_MSG(one->n_words == two->n_words && one->n_lines == two->n_lines, "%s %zu words, %s %zu", how1,
		  one->n_words, how2, two->n_words);
	for (size_t i = 0; i < one->n_words && i < two->n_words; i++) {
		const struct magi_ocr_word *a = &one->words[i], *b = &two->words[i];
		CHECK_MSG(!strcmp(a->text, b->text) && a->x == b->x && a->y == b->y && a->w == b->w &&
			      a->h == b->h && a->conf == b->conf,
			  "word %zu: '%s' (%.2f) vs '%s' (%.2f)", i, a->text, a->conf, b->text, b->conf);
	}
	magi_ocr_free(one);
	magi_ocr_free(two);
}

static char tmpdir[] = "/tmp/magi-test-ocr-XXXXXX";

/* Renders text at pt with ImageMagick, black on white; ink[] gets the ink's bounding box
 * {x0, y0, x1, y1} inside the returned label image. */
static struct magi_image *render(const char *text, int pt, int idx, int ink[4])
{
	char path[256], cmd[1024];
	snprintf(path, sizeof path, "%s/w%d.png", tmpdir, idx);
	snprintf(cmd, sizeof cmd,
		 "convert -background white -fill black -font DejaVu-Sans -pointsize %d label:'%s' '%s'",
		 pt, text, path);
	REQUIRE(system(cmd) == 0);
	struct magi_image *img = NULL;
	struct magi_error e;
	REQUIRE(magi_image_load(path, &img, &e) == MAGI_OK);
	unlink(path);
	int x0 = (int)img->w, y0 = (int)img->h, x1 = -1, y1 = -1;
	for (uint32_t y = 0; y < img->h; y++)
		for (uint32_t x = 0; x < img->w; x++)
			if (img->px[(size_t)y * img->stride + 3 * x] < 128) {
				x0 = (int)x < x0 ? (int)x : x0;
				x1 = (int)x > x1 ? (int)x : x1;
				y0 = (int)y < y0 ? (int)y : y0;
				y1 = (int)y > y1 ? (int)y : y1;
			}
	REQUIRE(x1 >= 0);
	ink[0] = x0;
	ink[1] = y0;
	ink[2] = x1;
	ink[3] = y1;
	return img;
}

/* Blends a black-on-white label onto the canvas in fg with its top-left at (x, y). */
static void paste(struct magi_image *c, const struct magi_image *w, int x, int y, uint32_t fg)
{
	for (uint32_t j = 0; j < w->h; j++)
		for (uint32_t i = 0; i < w->w; i++) {
			int cx = x + (int)i, cy = y + (int)j;
			if (cx < 0 || cy < 0 || cx >= (int)c->w || cy >= (int)c->h)
				continue;
			unsigned a = 255 - w->px[(size_t)j * w->stride + 3 * i]; /* ink coverage */
			if (!a)
				continue;
			uint8_t *p = c->px + (size_t)cy * c->stride + 3 * (size_t)cx;
			for (int k = 0; k < 3; k++) {
				unsigned f = (fg >> (16 - 8 * k)) & 0xFF;
				p[k] = (uint8_t)((f * a + p[k] * (255 - a) + 127) / 255);
			}
		}
}

static struct magi_image *build_canvas(void)
{
	struct magi_image *c = NULL;
	REQUIRE(magi_image_new(1280, 720, &c) == MAGI_OK);
	magi_image_fill_rect(c, 0, 0, 1280, 720, 0xF4F4F4);
	magi_image_fill_rect(c, 0, 0, 1280, 32, 0xDDDDDD);   /* title bar */
	magi_image_fill_rect(c, 100, 240, 400, 40, 0xFFFFFF); /* an input field */
	magi_image_draw_rect(c, 100, 240, 400, 40, 1, 0xAAAAAA);
	magi_image_fill_rect(c, 0, 686, 1280, 34, 0x303030); /* status bar */
	magi_image_fill_rect(c, 905, 605, 120, 50, 0x2060C0); /* button */
	int next_x = 0;
	for (size_t i = 0; i < N_WORDS; i++) {
		struct placed *p = &words[i];
		int ink[4];
		struct magi_image *w = render(p->text, p->pt, (int)i, ink);
		if (p->x < 0)
			p->x = next_x + p->pt * 45 / 100; /* a space plus side bearings */
		paste(c, w, p->x - ink[0], p->y, p->fg);
		boxes[i][0] = p->x;
		boxes[i][1] = p->y + ink[1];
		boxes[i][2] = ink[2] - ink[0] + 1;
		boxes[i][3] = ink[3] - ink[1] + 1;
		next_x = p->x + boxes[i][2];
		magi_image_free(w);
	}
	return c;
}

static const struct magi_ocr_word *find_word(const struct magi_ocr *o, const char *text, int near_x,
					     int near_y)
{
	const struct magi_ocr_word *best = NULL;
	int bestd = 1 << 30;
	for (size_t i = 0; i < o->n_words; i++)
		if (!strcmp(o->words[i].text, text)) {
			int d = abs(o->words[i].x - near_x) + abs(o->words[i].y - near_y);
			if (d < bestd) {
				bestd = d;
				best = &o->words[i];
			}
		}
	return best;
}

struct job {
	const struct magi_image *img;
	struct magi_ocr *o;
	magi_status s;
};

static void *ocr_thread(void *arg)
{
	struct job *j = arg;
	struct magi_error e;
	j->s = magi_ocr_run(j->img, "eng", 50, &j->o, &e);
	return NULL;
}

int main(void)
{
	if (system("command -v convert >/dev/null 2>&1") != 0)
		SKIP("ImageMagick's convert is not installed");
	struct magi_image *tiny = NULL;
	struct magi_ocr *o = NULL;
	struct magi_error e;
	REQUIRE(magi_image_new(40, 20, &tiny) == MAGI_OK);
	magi_status s = magi_ocr_run(tiny, NULL, 0, &o, &e);
	if (s == MAGI_ERR_NOT_FOUND)
		SKIP("Tesseract English data is missing: %s", e.msg);
	REQUIRE(s == MAGI_OK);
	CHECK(o->n_words == 0 && o->n_lines == 0); /* a blank image holds no text */
	magi_ocr_free(o);
	REQUIRE(mkdtemp(tmpdir));

	struct magi_image *canvas = build_canvas();
	if (getenv("MAGI_OCR_SAVE_CANVAS"))
		magi_image_save(canvas, getenv("MAGI_OCR_SAVE_CANVAS"), &e);
	double t0 = magi_now_ms();
	REQUIRE(magi_ocr_run(canvas, NULL, 50, &o, &e) == MAGI_OK);
	double first = magi_now_ms() - t0;
	size_t found = 0;
	for (size_t i = 0; i < N_WORDS; i++) {
		const struct placed *p = &words[i];
		const struct magi_ocr_word *w = find_word(o, p->text, boxes[i][0], boxes[i][1]);
		CHECK_MSG(w, "word '%s' at %d,%d not found", p->text, boxes[i][0], boxes[i][1]);
		if (!w)
			continue;
		found++;
		CHECK_MSG(abs(w->x - boxes[i][0]) <= BOX_TOL && abs(w->y - boxes[i][1]) <= BOX_TOL &&
				  abs(w->w - boxes[i][2]) <= BOX_TOL && abs(w->h - boxes[i][3]) <= BOX_TOL,
			  "'%s' box %d,%d %dx%d, drawn at %d,%d %dx%d", p->text, w->x, w->y, w->w, w->h,
			  boxes[i][0], boxes[i][1], boxes[i][2], boxes[i][3]);
		CHECK(w->conf >= 50 && w->conf <= 100);
		CHECK(w->line >= 0 && (size_t)w->line < o->n_lines);
	}
	printf("OCR 1280x720, %zu words placed, %zu found, %zu words and %zu lines in all: "
	       "%.1f ms first call (with engine init), ",
	       N_WORDS, found, o->n_words, o->n_lines, first);

	/* lines: words on one row belong to one line, whose box covers them */
	const struct magi_ocr_word *q = find_word(o, "quick", boxes[13][0], boxes[13][1]);
	const struct magi_ocr_word *d = find_word(o, "dog", boxes[20][0], boxes[20][1]);
	const struct magi_ocr_word *n = find_word(o, "Notifications", boxes[21][0], boxes[21][1]);
	if (q && d && n) {
		CHECK(q->line == d->line && q->line != n->line);
		const struct magi_ocr_line *l = &o->lines[q->line];
		CHECK_STR(l->text, "The quick brown fox jumps over the lazy dog");
		CHECK(l->x <= q->x && l->x + l->w >= d->x + d->w && l->y <= q->y);
		CHECK(l->conf >= 50);
	}
	/* every line's text is its words joined by spaces, in order */
	for (size_t li = 0; li < o->n_lines; li++) {
		char joined[1024] = "";
		size_t len = 0;
		for (size_t wi = 0; wi < o->n_words; wi++)
			if (o->words[wi].line == (int)li)
				len += (size_t)snprintf(joined + len, sizeof joined - len, "%s%s", len ? " " : "",
							o->words[wi].text);
		CHECK_STR(o->lines[li].text, joined);
	}
	magi_ocr_free(o);

	/* a second call reuses the thread's engine */
	REQUIRE(magi_ocr_run(canvas, NULL, 50, &o, &e) == MAGI_OK);
	printf("%.1f ms next call\n", o->ms);
	size_t n_ref = o->n_words;
	magi_ocr_free(o);

	/* min_conf above 100 keeps nothing */
	REQUIRE(magi_ocr_run(canvas, NULL, 101, &o, &e) == MAGI_OK);
	CHECK(o->n_words == 0 && o->n_lines == 0);
	magi_ocr_free(o);

	/* two threads at once, each with its own engine, same answer */
	struct job jobs[2] = {{canvas, NULL, MAGI_OK}, {canvas, NULL, MAGI_OK}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		REQUIRE(pthread_create(&th[i], NULL, ocr_thread, &jobs[i]) == 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		CHECK(jobs[i].s == MAGI_OK && jobs[i].o && jobs[i].o->n_words == n_ref);
		magi_ocr_free(jobs[i].o);
	}

	/* a reading on a thread of its own (magi_ocr_start): the same words, collected later */
	struct magi_ocr_job *job = NULL;
	REQUIRE(magi_ocr_start(canvas, NULL, 50, &job, &e) == MAGI_OK && job);
	double waited = -1;
	REQUIRE(magi_ocr_join(job, &o, &waited, &e) == MAGI_OK);
	CHECK_MSG(o->n_words == n_ref && waited >= 0, "started reading %zu words, %zu on this thread", o->n_words,
		  n_ref);
	magi_ocr_free(o);
	CHECK(magi_ocr_join(NULL, &o, NULL, &e) == MAGI_ERR_INVALID && o == NULL);
	CHECK(magi_ocr_start(NULL, NULL, 0, &job, &e) == MAGI_ERR_INVALID && job == NULL);
	/* a hold on engine loads (for 20 minutes: past this test's time limit) keeps a started
	 * reading waiting until a thread that needs an engine now lifts it: no idle engine, so
	 * this thread's reading must load one, and the started one then goes on */
	magi_ocr_thread_release();
	magi_ocr_hold_loads(20 * 60 * 1000);
	REQUIRE(magi_ocr_start(canvas, NULL, 50, &job, &e) == MAGI_OK);
	REQUIRE(magi_ocr_run(canvas, NULL, 50, &o, &e) == MAGI_OK);
	CHECK(o->n_words == n_ref);
	magi_ocr_free(o);
	REQUIRE(magi_ocr_join(job, &o, NULL, &e) == MAGI_OK);
	CHECK(o->n_words == n_ref);
	magi_ocr_free(o);

	/* the bands of one screen read on two threads (a second engine loaded ahead): the
	 * same words in the same places and order as on one thread */
	REQUIRE(magi_ocr_preload(NULL, 2, &e) == MAGI_OK);
	struct magi_ocr *one = NULL, *two = NULL;
	REQUIRE(magi_ocr_run(canvas, NULL, 50, &one, &e) == MAGI_OK);
	/* helpers take only engines already loaded: wait for the one loading ahead */
	int used = 0;
	for (int tries = 0; tries < 300; tries++) {
		REQUIRE(magi_ocr_run_threads(canvas, NULL, 50, 2, &used, &two, &e) == MAGI_OK);
		if (used == 2)
			break;
		magi_ocr_free(two);
		two = NULL;
		usleep(100 * 1000);
	}
	REQUIRE(two);
	CHECK_MSG(used == 2, "read on %d threads", used);
	CHECK_MSG(one->n_words == two->n_words && one->n_lines == two->n_lines,
		  "one thread %zu words, two threads %zu", one->n_words, two->n_words);
	for (size_t i = 0; i < one->n_words && i < two->n_words; i++) {
		const struct magi_ocr_word *a = &one->words[i], *b = &two->words[i];
		CHECK_MSG(!strcmp(a->text, b->text) && a->x == b->x && a->y == b->y && a->w == b->w &&
			      a->h == b->h && a->line == b->line,
			  "word %zu: '%s' at %d,%d vs '%s' at %d,%d", i, a->text, a->x, a->y, b->text,
			  b->x, b->y);
	}
	magi_ocr_free(one);
	magi_ocr_free(two);
	CHECK(magi_ocr_preload(NULL, 0, &e) == MAGI_ERR_INVALID);
	CHECK(magi_ocr_preload("../x", 1, &e) == MAGI_ERR_INVALID);
	CHECK(magi_ocr_run_threads(canvas, NULL, 50, 0, NULL, &o, &e) == MAGI_ERR_INVALID && o == NULL);
	CHECK_CONTAINS(e.msg, "0 threads");

	/* Tesseract's universal ambiguities (its legacy engine's) are skipped when an engine
	 * loads (src/vision/tess_dl.c): libtesseract calls magi's stand-in, and an engine
	 * that loads them (MAGI_OCR_LEGACY_AMBIGS=1) reads the same words, boxes and
	 * confidences as one without them */
	int skipped = 0, loaded = 0;
	magi__tess_universal_counts(&skipped, &loaded);
	CHECK_MSG(skipped >= 2 && loaded == 0, "universal ambiguities skipped %d times, loaded %d", skipped, loaded);
	magi_ocr_thread_release();
	REQUIRE(magi_ocr_run(canvas, NULL, 0, &one, &e) == MAGI_OK);
	magi_ocr_thread_release();
	setenv("MAGI_OCR_LEGACY_AMBIGS", "1", 1);
	REQUIRE(magi_ocr_run(canvas, NULL, 0, &two, &e) == MAGI_OK);
	magi_ocr_thread_release();
	unsetenv("MAGI_OCR_LEGACY_AMBIGS");
	magi__tess_universal_counts(&skipped, &loaded);
	CHECK_MSG(loaded == 1, "universal ambiguities loaded %d times", loaded);
	CHECK_MSG(one->n_words >= N_WORDS - 2, "%zu words read", one->n_words);
	same_reading(one, two, "without the tables", "with them");

	/* Tesseract's OpenMP regions run inline on OCR threads (src/vision/tess_omp.c; the
	 * tests run with OMP_THREAD_LIMIT=1): libtesseract reaches magi's stand-ins, and the
	 * same screen read through libgomp's own teams of one gives the same words, boxes and
	 * confidences. Most regions are the library's LSTM::Forward's (one per time step), which
	 * magi's own forward pass replaces where it is installed (tess_lstm.c, without OpenMP):
	 * the library's is put back for this part. */
	bool lstm_swapped = magi__tess_lstm_put(magi__tess_lstm_lib_forward());
	long regions = magi__ocr_omp_inline_regions();
	REQUIRE(magi_ocr_run(canvas, NULL, 0, &one, &e) == MAGI_OK);
	long inlined = magi__ocr_omp_inline_regions() - regions;
	CHECK_MSG(inlined > 1000, "%ld regions ran inline", inlined);
	magi__ocr_omp_serial(false);
	regions = magi__ocr_omp_inline_regions();
	REQUIRE(magi_ocr_run(canvas, NULL, 0, &two, &e) == MAGI_OK);
	CHECK_MSG(magi__ocr_omp_inline_regions() == regions, "%ld regions ran inline through libgomp",
		  magi__ocr_omp_inline_regions() - regions);
	magi__ocr_omp_serial(true);
	if (lstm_swapped)
		REQUIRE(magi__tess_lstm_put(magi__tess_lstm_own_forward()));
	same_reading(one, two, "inline", "through libgomp");

	/* our own bitmap font at scale 3 is readable, and lands where it was drawn */
	struct magi_image *label = NULL;
	REQUIRE(magi_image_new(500, 80, &label) == MAGI_OK);
	magi_image_fill_rect(label, 0, 0, 500, 80, 0xFFFFFF);
	magi_image_draw_text(label, 20, 20, "Submit Cancel Search", 3, 0x000000, 0, false);
	REQUIRE(magi_ocr_run(label, NULL, 0, &o, &e) == MAGI_OK);
	const struct magi_ocr_word *sw = find_word(o, "Submit", 23, 23);
	CHECK_MSG(sw && find_word(o, "Cancel", 0, 0) && find_word(o, "Search", 0, 0),
		  "bitmap font text read as '%s'", o->n_lines ? o->lines[0].text : "");
	/* ink starts one font pixel (3 px) right of and below (x, y); cap height 7*3 */
	if (sw)
		CHECK_MSG(abs(sw->x - 23) <= 1 && abs(sw->y - 23) <= 1 && abs(sw->h - 21) <= 1,
			  "Submit at %d,%d h %d", sw->x, sw->y, sw->h);
	magi_ocr_free(o);
	magi_image_free(label);

	/* bad input */
	o = (struct magi_ocr *)1;
	CHECK(magi_ocr_run(NULL, NULL, 0, &o, &e) == MAGI_ERR_INVALID && o == NULL);
	CHECK(magi_ocr_run(canvas, "../../etc/passwd", 0, &o, &e) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(e.msg, "not a Tesseract language");
	CHECK(magi_ocr_run(canvas, "zz_nolang", 0, &o, &e) == MAGI_ERR_NOT_FOUND && o == NULL);
	CHECK_CONTAINS(e.msg, "'zz_nolang'");
	/* and the thread recovers with a good language afterwards */
	CHECK(magi_ocr_run(tiny, "eng", 0, &o, &e) == MAGI_OK);
	magi_ocr_free(o);
	magi_ocr_free(NULL);
	magi_ocr_thread_release();
	magi_ocr_thread_release();

	magi_image_free(tiny);
	magi_image_free(canvas);
	rmdir(tmpdir);
	return check_done();
}
