/* test_ocr_lines.c — the first screen read without Tesseract's page analysis
 * (magi_ocr_run_lines: text lines found from the pixels, identical pieces read once),
 * compared with the page reading (magi_ocr_run) on real X programs under a real Xvfb, read
 * by the real Tesseract: a terminal listing (repeated words), xmessage's bitmap font,
 * xcalc's framed buttons and xedit (a stippled scroll bar beside the text: a piece left to
 * the page analysis). On each screen every word the page reading read with confidence is
 * covered by a word of the line reading, most are read the same, and the guard finds on the
 * line reading every PII item it finds on the page reading (the screen a remote model gets
 * is covered where it would have been). Two threads read the same words as one. */
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "guard/pii_internal.h"
#include "xvfb.h"
#include "magi/env.h"
#include "magi/guard.h"
#include "magi/vision.h"
#include "vision/ocr_internal.h"

static const char *const letter =
	"Dear Ms. Alice Jones,\n\n"
	"Thank you for your order placed on 12 March 2025. Your invoice is attached.\n"
	"Payment: card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00.\n"
	"Call us at +1 (415) 555-0134 or write to support@example.com for questions.\n\n"
	"Shipping address: 42 Wallaby Way, Sydney NSW 2000\n";

static bool overlap(int ax, int ay, int aw, int ah, int bx, int by, int bw, int bh)
{
	return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

static int alnum(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z');
	return n;
}

/* The screen once two captures 300 ms apart agree (programs draw asynchronously). */
static struct magi_image *settled(struct magi_env *env)
{
	struct magi_error err;
	struct magi_obs a = {0}, b = {0};
	REQUIRE(magi_env_observe(env, &a, &err) == MAGI_OK);
	for (int i = 0; i < 30; i++) {
		xvfb_sleep_ms_(300);
		REQUIRE(magi_env_observe(env, &b, &err) == MAGI_OK);
		int box[4];
		bool same = magi_image_diff(a.screenshot, b.screenshot, 0, box) >= 0 && box[2] == 0;
		magi_obs_release(&a);
		a = b;
		memset(&b, 0, sizeof b);
		if (same)
			break;
	}
	struct magi_image *img = NULL;
	REQUIRE(magi_image_clone(a.screenshot, &img) == MAGI_OK);
	magi_obs_release(&a);
	return img;
}

static void same_reading(const struct magi_ocr *a, const struct magi_ocr *b, const char *what)
{
	CHECK_MSG(a->n_words == b->n_words && a->n_lines == b->n_lines, "%s: %zu/%zu words, %zu/%zu lines", what,
		  a->n_words, b->n_words, a->n_lines, b->n_lines);
	for (size_t i = 0; i < a->n_words && i < b->n_words; i++) {
		const struct magi_ocr_word *p = &a->words[i], *q = &b->words[i];
		CHECK_MSG(!strcmp(p->text, q->text) && p->x == q->x && p->y == q->y && p->w == q->w && p->h == q->h &&
				  p->conf == q->conf && p->line == q->line,
			  "%s: word %zu '%s' / '%s'", what, i, p->text, q->text);
	}
}

/* The line reading of img against its page reading; returns the pieces found. */
static void compare(const struct magi_image *img, const char *what, int min_same_pct, size_t *n_pieces,
		    size_t *n_blocks, size_t *n_dups)
{
	struct magi_error err;
	struct magi_ocr *full = NULL, *lines = NULL, *lines1 = NULL;
	REQUIRE(magi_ocr_run(img, NULL, 0, &full, &err) == MAGI_OK);
	int used = 0;
	REQUIRE(magi_ocr_run_lines(img, NULL, 0, 2, &used, &lines, &err) == MAGI_OK);
	REQUIRE(magi_ocr_run_lines(img, NULL, 0, 1, NULL, &lines1, &err) == MAGI_OK);
	same_reading(lines, lines1, what);
	CHECK_MSG(used == 2, "%s: read on %d threads (two engines idle)", what, used);
	/* every word read with confidence on the page is covered by a word of the lines, and
	 * most are read the same */
	int confident = 0, covered = 0, same = 0;
	for (size_t i = 0; i < full->n_words; i++) {
		const struct magi_ocr_word *f = &full->words[i];
		if (f->conf < 60 || alnum(f->text) < 2)
			continue;
		confident++;
		bool cov = false, eq = false;
		for (size_t k = 0; k < lines->n_words; k++) {
			const struct magi_ocr_word *l = &lines->words[k];
			if (!overlap(f->x, f->y, f->w, f->h, l->x, l->y, l->w, l->h))
				continue;
			cov = true;
			eq |= strcmp(f->text, l->text) == 0;
		}
		covered += cov;
		same += eq;
		CHECK_MSG(cov, "%s: '%s' at %d,%d (confidence %.0f) is in no word of the line reading", what, f->text,
			  f->x, f->y, f->conf);
	}
	fprintf(stderr, "%s: page %zu words (%d confident), lines %zu words; covered %d, read the same %d\n", what,
		full->n_words, confident, lines->n_words, covered, same);
	CHECK_MSG(confident >= 10, "%s: only %d confident words on the page", what, confident);
	CHECK_MSG(same * 100 >= min_same_pct * confident, "%s: %d of %d read the same", what, same, confident);
	/* the guard: every finding on the page reading is found, same type, over the same place */
	struct magi_pii_params pp = magi_pii_params_default();
	struct magi_pii_finding *pf = NULL, *lf = NULL;
	size_t npf = 0, nlf = 0;
	REQUIRE(magi_pii_scan_image(img, full, &pp, &pf, &npf) == MAGI_OK);
	REQUIRE(magi_pii_scan_image(img, lines, &pp, &lf, &nlf) == MAGI_OK);
	for (size_t i = 0; i < npf; i++) {
		bool found = false;
		for (size_t k = 0; k < nlf && !found; k++)
			found = lf[k].type == pf[i].type &&
				overlap(pf[i].x, pf[i].y, pf[i].w, pf[i].h, lf[k].x, lf[k].y, lf[k].w, lf[k].h);
		CHECK_MSG(found, "%s: the page reading's %s finding '%s' is not found on the line reading", what,
			  magi_pii_type_name(pf[i].type), pf[i].text);
	}
	fprintf(stderr, "%s: PII findings page %zu, lines %zu\n", what, npf, nlf);
	/* the second readings on one thread (MAGI_PII_REREAD_THREADS=1) find what they found
	 * on two (two engines idle, as after a first screen's reading): same findings, same
	 * order, boxes, texts and scores; and the helper thread read none of them */
	size_t helper0 = magi__pii_reread_helper_reads();
	struct magi_pii_finding *of = NULL;
	size_t nof = 0;
	setenv("MAGI_PII_REREAD_THREADS", "1", 1);
	REQUIRE(magi_pii_scan_image(img, lines, &pp, &of, &nof) == MAGI_OK);
	unsetenv("MAGI_PII_REREAD_THREADS");
	CHECK_MSG(magi__pii_reread_helper_reads() == helper0, "%s: MAGI_PII_REREAD_THREADS=1 read on a helper", what);
	CHECK_MSG(nof == nlf, "%s: %zu findings with second readings on one thread, %zu on two", what, nof, nlf);
	for (size_t i = 0; i < nof && i < nlf; i++)
		CHECK_MSG(of[i].type == lf[i].type && of[i].x == lf[i].x && of[i].y == lf[i].y && of[i].w == lf[i].w &&
				  of[i].h == lf[i].h && of[i].score == lf[i].score && !strcmp(of[i].text, lf[i].text),
			  "%s: finding %zu: %s '%s' at %d,%d on one thread, %s '%s' at %d,%d on two", what, i,
			  magi_pii_type_name(of[i].type), of[i].text, of[i].x, of[i].y, magi_pii_type_name(lf[i].type),
			  lf[i].text, lf[i].x, lf[i].y);
	magi_pii_findings_free(of, nof);
	/* the pieces */
	uint8_t *g = magi__ocr_gray(img);
	REQUIRE(g);
	struct magi__ocr_piece *p = NULL;
	size_t n = 0;
	REQUIRE(magi__ocr_find_pieces(g, img->w, img->h, &p, &n) == MAGI_OK);
	*n_pieces = n;
	*n_blocks = *n_dups = 0;
	for (size_t i = 0; i < n; i++) {
		*n_blocks += p[i].block;
		if (p[i].same_as < 0)
			continue;
		(*n_dups)++;
		/* a piece read once for two: the same pixels, the same words moved over */
		const struct magi__ocr_piece *a = &p[p[i].same_as], *b = &p[i];
		CHECK(a->x1 - a->x0 == b->x1 - b->x0 && a->y1 - a->y0 == b->y1 - b->y0 && p[i].same_as < (int)i);
		for (uint32_t y = 0; y < a->y1 - a->y0; y++)
			CHECK(!memcmp(g + (size_t)(a->y0 + y) * img->w + a->x0, g + (size_t)(b->y0 + y) * img->w + b->x0,
				      a->x1 - a->x0));
		char ta[512] = "", tb[512] = "";
		for (size_t k = 0; k < lines->n_words; k++) {
			const struct magi_ocr_word *w = &lines->words[k];
			int cx = w->x + w->w / 2, cy = w->y + w->h / 2;
			if (cx >= (int)a->x0 && cx < (int)a->x1 && cy >= (int)a->y0 && cy < (int)a->y1)
				snprintf(ta + strlen(ta), sizeof ta - strlen(ta), "%s@%d,%d ", w->text, w->x - (int)a->x0,
					 w->y - (int)a->y0);
			if (cx >= (int)b->x0 && cx < (int)b->x1 && cy >= (int)b->y0 && cy < (int)b->y1)
				snprintf(tb + strlen(tb), sizeof tb - strlen(tb), "%s@%d,%d ", w->text, w->x - (int)b->x0,
					 w->y - (int)b->y0);
		}
		CHECK_MSG(!strcmp(ta, tb), "%s: a piece and its twin read '%s' / '%s'", what, ta, tb);
	}
	free(p);
	free(g);
	magi_pii_findings_free(pf, npf);
	magi_pii_findings_free(lf, nlf);
	magi_ocr_free(full);
	magi_ocr_free(lines);
	magi_ocr_free(lines1);
}

/* The finder alone on a drawn screen: 70 lines of small text, each its own line piece (the
 * cut goes one level deeper per column, not per line), the same words at the same place
 * in two columns read once; a framed label cut out of its frame. */
static void finder(void)
{
	struct magi_image *img = NULL;
	REQUIRE(magi_image_new(1280, 720, &img) == MAGI_OK);
	magi_image_fill_rect(img, 0, 0, 1280, 720, 0xFFFFFF);
	for (int i = 0; i < 70; i++) {
		char t[32];
		snprintf(t, sizeof t, "line %d of seventy", i);
		magi_image_draw_text(img, 10, 10 + 10 * i, t, 1, 0x000000, 0, false);
		magi_image_draw_text(img, 300, 10 + 10 * i, "same", 1, 0x000000, 0, false);
	}
	magi_image_draw_rect(img, 600, 100, 120, 40, 1, 0x000000);
	magi_image_draw_text(img, 620, 112, "Button", 2, 0x000000, 0, false);
	uint8_t *g = magi__ocr_gray(img);
	REQUIRE(g);
	struct magi__ocr_piece *p = NULL;
	size_t n = 0, lines = 0, same = 0, framed = 0;
	REQUIRE(magi__ocr_find_pieces(g, img->w, img->h, &p, &n) == MAGI_OK);
	for (size_t i = 0; i < n; i++) {
		lines += !p[i].block && p[i].x0 >= 10 && p[i].x0 < 20 && p[i].y1 - p[i].y0 <= 9;
		same += p[i].same_as >= 0 && p[i].x0 >= 300 && p[i].x0 < 310;
		framed += p[i].x0 > 600 && p[i].x1 < 720 && p[i].y0 > 100 && p[i].y1 < 140 && !p[i].block;
	}
	CHECK_MSG(lines == 70, "%zu line pieces in the first column", lines);
	CHECK_MSG(same == 69, "%zu of the second column's 70 identical pieces read once for another", same);
	CHECK_MSG(framed == 1, "%zu pieces inside the frame", framed);
	free(p);
	free(g);
	magi_image_free(img);
}

/* A line cut by the screen's top edge (a page scrolled by a few pixels: only its glyphs'
 * feet show) beside a dark panel made a piece Tesseract's Sauvola thresholding cannot take
 * (its window is at most the shorter side less 3 pixels; Leptonica refuses a half window
 * under 2): that piece's reading failed, and with it the whole first screen's. The
 * fixture is the top 60 rows of a Chromium screen of an HTML manual from the PII sets'
 * PII-free screens (tests/data/ocr_cut_top.png). The screen is read, the line below too. */
static void cut_line(void)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/ocr_cut_top.png", MAGI_SRC_DIR);
	struct magi_image *img = NULL;
	struct magi_error err;
	REQUIRE(magi_image_load(path, &img, &err) == MAGI_OK);
	struct magi_ocr *o = NULL;
	magi_status s = magi_ocr_run_lines(img, NULL, 0, 1, NULL, &o, &err);
	CHECK_MSG(s == MAGI_OK, "a screen with a cut line at its top edge is read: %s",
		  s ? magi_error_text(&err) : "ok");
	bool resource = false;
	for (size_t i = 0; o && i < o->n_words; i++)
		resource |= strstr(o->words[i].text, "resource") != NULL;
	CHECK_MSG(resource, "the whole line below it is read");
	magi_ocr_free(o);
	magi_image_free(img);
}

/* Runs argv on the display until its window (titled title) shows, compares the readings of
 * the screen, stops it. */
static void scene(const char *name, struct magi_env *env, char *const argv[], const char *title, int min_same_pct,
		  size_t *pieces, size_t *blocks, size_t *dups)
{
	pid_t pid = xvfb_spawn(name, argv);
	Display *d = XOpenDisplay(name);
	REQUIRE(d);
	REQUIRE(xvfb_find_window(d, title, 10000) != None);
	XCloseDisplay(d);
	struct magi_image *img = settled(env);
	compare(img, title, min_same_pct, pieces, blocks, dups);
	magi_image_free(img);
	xvfb_kill_(pid);
}

int main(void)
{
	const char *progs[] = {"xterm", "xmessage", "xcalc", "xedit"};
	for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++)
		if (!xvfb_have(progs[i]))
			return 77;
	struct magi_error err;
	struct magi_image *probe = NULL;
	struct magi_ocr *o = NULL;
	REQUIRE(magi_image_new(64, 32, &probe) == MAGI_OK);
	magi_status ps = magi_ocr_run(probe, NULL, 0, &o, &err);
	magi_ocr_free(o);
	magi_image_free(probe);
	if (ps == MAGI_ERR_UNSUPPORTED || ps == MAGI_ERR_NOT_FOUND)
		return 77; /* no Tesseract or no eng traineddata */
	finder();
	cut_line();
	char name[16];
	int xs = xvfb_start("1280x720x24", name);
	if (xs == 77)
		return 77;
	REQUIRE(xs == 0);
	char spec[32];
	snprintf(spec, sizeof spec, "x11:%s", name + 1);
	struct magi_env *env = NULL;
	REQUIRE(magi_env_open(spec, &env, &err) == MAGI_OK);
	REQUIRE(magi_ocr_preload(NULL, 2, &err) == MAGI_OK);
	magi_ocr_preload_wait();

	char dir[] = "/tmp/magi-ocr-lines-XXXXXX";
	REQUIRE(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/letter.txt", dir);
	FILE *f = fopen(path, "w");
	REQUIRE(f);
	fputs(letter, f);
	fclose(f);
	size_t pieces, blocks, dups;

	/* a listing: the same words in the same columns, line after line */
	char listing[1024];
	snprintf(listing, sizeof listing,
		 "cat %s; for i in 1 2 3 4 5 6 7 8 9; do printf 'drwxr-xr-x  2 root root  4096 Dec  3 11:37 dir%%d\\n' $i; "
		 "done; cat > /dev/null",
		 path);
	char *xt[] = {"xterm", "-geometry", "160x45+0+0", "-fa", "DejaVuSansMono", "-fs", "11", "-T", "listing", "-e",
		      "sh", "-c", listing, NULL};
	scene(name, env, xt, "listing", 90, &pieces, &blocks, &dups);
	CHECK_MSG(dups >= 9, "listing: %zu of %zu pieces read once for another", dups, pieces);

	char *xm[] = {"xmessage", "-geometry", "+200+200", "-file", path, NULL};
	scene(name, env, xm, "xmessage", 85, &pieces, &blocks, &dups);

	/* framed buttons: each label cut out of its frame */
	char *xc[] = {"xcalc", "-geometry", "300x400+50+50", NULL};
	scene(name, env, xc, "Calculator", 70, &pieces, &blocks, &dups);
	CHECK_MSG(pieces >= 40, "xcalc: %zu pieces (a label per button)", pieces);

	/* a stippled scroll bar along the text */
	char *xe[] = {"xedit", "-geometry", "900x500+10+10", path, NULL};
	scene(name, env, xe, "xedit", 85, &pieces, &blocks, &dups);

	/* the guard's second readings ran on both engines somewhere (the listing's small
	 * numbers are read again) */
	fprintf(stderr, "second readings on the helper thread: %zu\n", magi__pii_reread_helper_reads());
	CHECK_MSG(magi__pii_reread_helper_reads() > 0, "no second reading ran on the second engine");
	magi_env_close(env);
	magi_ocr_thread_release();
	unlink(path);
	rmdir(dir);
	return check_done();
}
