/* test_pii_image.c — magi_pii_scan_image: the second, enlarged reading of number-heavy
 * lines adds findings (with boxes on the screenshot) but never loses or invents any; a
 * form's value the page reading missed is read in its box. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "magi/magi.h"

int main(void)
{
	if (system("command -v convert >/dev/null 2>&1") != 0)
		SKIP("ImageMagick is missing");
	char dir[] = "/tmp/magi-pii-image-XXXXXX";
	REQUIRE(mkdtemp(dir));
	char png[128], cmd[2048];
	snprintf(png, sizeof png, "%s/shot.png", dir);
	/* small text on a dark theme: where the first reading is weakest */
	snprintf(cmd, sizeof cmd,
		 "convert -size 900x220 xc:'#1e1e2e' -font DejaVu-Sans -pointsize 13 -fill '#e0e0e0' "
		 "-draw \"text 20,30 'IBAN DE89 3704 0044 0532 0130 00'\" "
		 "-draw \"text 20,70 'Order number 4471 2093 8812'\" "
		 "-draw \"text 20,110 'Card 4111 1111 1111 1111 exp 04/29'\" "
		 "-draw \"text 20,150 'Build 20241104.1732 released'\" "
		 "-draw \"text 20,190 'Member 4471 2093 8812 0157'\" %s",
		 png);
	REQUIRE(system(cmd) == 0);
	struct magi_image *img;
	struct magi_error err;
	struct magi_ocr *ocr;
	REQUIRE(magi_image_load(png, &img, &err) == MAGI_OK);
	REQUIRE(magi_ocr_run(img, NULL, 0, &ocr, &err) == MAGI_OK);
	struct magi_pii_finding *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	REQUIRE(magi_pii_scan_ocr(ocr, NULL, &a, &na) == MAGI_OK);
	REQUIRE(magi_pii_scan_image(img, ocr, NULL, &b, &nb) == MAGI_OK);
	/* everything the first reading found is still there, first and in order */
	CHECK(nb >= na);
	for (size_t i = 0; i < na && i < nb; i++)
		CHECK(a[i].type == b[i].type && a[i].x == b[i].x && a[i].y == b[i].y);
	bool iban = false, card = false;
	for (size_t i = 0; i < nb; i++) {
		iban |= b[i].type == MAGI_PII_IBAN;
		card |= b[i].type == MAGI_PII_CARD;
		CHECK_MSG(b[i].has_box && b[i].x >= 0 && b[i].y >= 0 && b[i].x + b[i].w <= (int)img->w + 8 &&
				  b[i].y + b[i].h <= (int)img->h + 8,
			  "box %d,%d %dx%d", b[i].x, b[i].y, b[i].w, b[i].h);
		/* the order number and the build id are not PII, however closely they are read */
		CHECK_MSG(!(b[i].y > 45 && b[i].y < 80) && !(b[i].y > 125 && b[i].y < 160),
			  "unexpected %s finding '%s' at y=%d", magi_pii_type_name(b[i].type), b[i].text, b[i].y);
	}
	CHECK(iban);
	CHECK(card);

	/* the budget: none spent, the same as the first reading */
	struct magi_pii_params pp = magi_pii_params_default();
	struct magi_pii_finding *d = NULL;
	size_t nd = 0;
	pp.reread_budget = 0;
	REQUIRE(magi_pii_scan_image(img, ocr, &pp, &d, &nd) == MAGI_OK);
	CHECK(nd == na);
	magi_pii_findings_free(d, nd);
	/* a budget smaller than any crop reads nothing either */
	pp.reread_budget = 5;
	REQUIRE(magi_pii_scan_image(img, ocr, &pp, &d, &nd) == MAGI_OK);
	CHECK(nd == na);
	magi_pii_findings_free(d, nd);
	/* with a cache, the second look at the same screen reads nothing and finds the same */
	struct magi_pii_cache *cache = NULL;
	REQUIRE(magi_pii_cache_new(&cache) == MAGI_OK);
	pp.reread_budget = -1;
	pp.reread_cache = cache;
	REQUIRE(magi_pii_scan_image(img, ocr, &pp, &d, &nd) == MAGI_OK);
	size_t hits, reads;
	magi_pii_cache_stats(cache, &hits, &reads);
	CHECK(hits == 0);
	/* the member number (no checksum passes) is read again; the order and build lines,
	 * labelled as such, are not */
	CHECK_MSG(reads == 1, "%zu crops read", reads);
	struct magi_pii_finding *e = NULL;
	size_t ne = 0;
	REQUIRE(magi_pii_scan_image(img, ocr, &pp, &e, &ne) == MAGI_OK);
	size_t hits2, reads2;
	magi_pii_cache_stats(cache, &hits2, &reads2);
	CHECK(reads2 == reads);
	CHECK(hits2 == reads);
	CHECK(ne == nd);
	for (size_t i = 0; i < ne && i < nd; i++)
		CHECK(e[i].type == d[i].type && e[i].x == d[i].x && e[i].y == d[i].y && e[i].w == d[i].w &&
		      !strcmp(e[i].text, d[i].text));
	magi_pii_findings_free(d, nd);
	magi_pii_findings_free(e, ne);
	magi_pii_cache_free(cache);

	/* a line the first reading could hardly read (confidence 6) that shows digits: read
	 * again when the budget allows, covered as unreadable when it does not; a line read
	 * with confidence is neither */
	{
		struct magi_ocr_word w[3] = {
			{"D364", 20, 200, 40, 13, 6, 0}, {"S695", 70, 200, 40, 13, 6, 0},
			{"Welcome", 20, 240, 70, 13, 92, 1}};
		struct magi_ocr_line ln[2] = {{"D364 S695", 20, 200, 90, 13, 6},
					      {"Welcome", 20, 240, 70, 13, 92}};
		struct magi_ocr fake = {w, 3, ln, 2, 0};
		struct magi_pii_params q = magi_pii_params_default();
		q.reread_budget = 1; /* less than the 7 units of the line */
		struct magi_pii_finding *u = NULL;
		size_t nu = 0;
		REQUIRE(magi_pii_scan_image(img, &fake, &q, &u, &nu) == MAGI_OK);
		CHECK_MSG(nu == 1, "%zu findings", nu);
		if (nu == 1) {
			CHECK(u[0].type == MAGI_PII_UNREADABLE);
			CHECK_STR(magi_pii_type_name(u[0].type), "unreadable");
			CHECK(u[0].has_box && u[0].x <= 20 && u[0].y <= 200 && u[0].x + u[0].w >= 110 &&
			      u[0].y + u[0].h >= 213);
			CHECK(u[0].word0 == 0 && u[0].word1 == 1);
		}
		magi_pii_findings_free(u, nu);
		/* not when the caller asked for other types only */
		q.types = MAGI_PII_BIT(MAGI_PII_EMAIL);
		REQUIRE(magi_pii_scan_image(img, &fake, &q, &u, &nu) == MAGI_OK);
		CHECK(nu == 0);
		magi_pii_findings_free(u, nu);
		q.types = MAGI_PII_ALL;
		/* with the budget to read it (this image shows nothing there): no finding */
		q.reread_budget = -1;
		REQUIRE(magi_pii_scan_image(img, &fake, &q, &u, &nu) == MAGI_OK);
		CHECK_MSG(nu == 0, "%zu findings", nu);
		magi_pii_findings_free(u, nu);
		/* no second look at all: the first reading only */
		q.reread_budget = 0;
		REQUIRE(magi_pii_scan_image(img, &fake, &q, &u, &nu) == MAGI_OK);
		CHECK(nu == 0);
		magi_pii_findings_free(u, nu);
	}
	/* a form's value in a bordered input box that the page reading did not see (session
	 * 6): the page reading here is that of the same screen without the value, so the
	 * label alone is read; the box right of it is found by its ink and read */
	{
		char full[160], bare[160], empty[160];
		snprintf(full, sizeof full, "%s/field.png", dir);
		snprintf(bare, sizeof bare, "%s/label.png", dir);
		snprintf(empty, sizeof empty, "%s/empty.png", dir);
		const char *base = "convert -size 640x56 xc:'#1b1d24' -font DejaVu-Sans -pointsize 13 "
				   "-fill '#d8d8d8' -draw \"text 20,33 'MAC address'\"";
		snprintf(cmd, sizeof cmd,
			 "%s -fill none -stroke '#8a8a8a' -draw 'rectangle 220,14 420,44' -stroke none "
			 "-fill '#d8d8d8' -draw \"text 226,34 '3c:22:fb:91:0e:47'\" %s && %s %s && "
			 "%s -fill none -stroke '#8a8a8a' -draw 'rectangle 220,14 420,44' %s",
			 base, full, base, bare, base, empty);
		REQUIRE(system(cmd) == 0);
		struct magi_image *fi = NULL, *bi = NULL, *ei = NULL;
		struct magi_ocr *bo = NULL;
		REQUIRE(magi_image_load(full, &fi, &err) == MAGI_OK);
		REQUIRE(magi_image_load(bare, &bi, &err) == MAGI_OK);
		REQUIRE(magi_image_load(empty, &ei, &err) == MAGI_OK);
		REQUIRE(magi_ocr_run(bi, NULL, 0, &bo, &err) == MAGI_OK);
		struct magi_pii_params q = magi_pii_params_default();
		q.reread_budget = -1;
		struct magi_pii_finding *u = NULL;
		size_t nu = 0;
		REQUIRE(magi_pii_scan_image(fi, bo, &q, &u, &nu) == MAGI_OK);
		bool mac = false;
		for (size_t i = 0; i < nu; i++)
			mac |= u[i].type == MAGI_PII_MAC && u[i].x >= 215 && u[i].x + u[i].w <= 430 &&
			       u[i].y < 40 && u[i].y + u[i].h > 20;
		CHECK_MSG(mac, "%zu findings, no MAC address in the box (%s \"%s\" at %d,%d %dx%d)", nu,
			  nu ? magi_pii_type_name(u[0].type) : "-", nu ? u[0].text : "", nu ? u[0].x : 0,
			  nu ? u[0].y : 0, nu ? u[0].w : 0, nu ? u[0].h : 0);
		magi_pii_findings_free(u, nu);
		/* without a second reading the value is not seen */
		q.reread_budget = 0;
		REQUIRE(magi_pii_scan_image(fi, bo, &q, &u, &nu) == MAGI_OK);
		CHECK(nu == 0);
		magi_pii_findings_free(u, nu);
		/* an empty box (its borders only) is not read at all */
		struct magi_pii_cache *ec = NULL;
		REQUIRE(magi_pii_cache_new(&ec) == MAGI_OK);
		q.reread_budget = -1;
		q.reread_cache = ec;
		REQUIRE(magi_pii_scan_image(ei, bo, &q, &u, &nu) == MAGI_OK);
		size_t eh, er;
		magi_pii_cache_stats(ec, &eh, &er);
		CHECK_MSG(er == 0 && nu == 0, "%zu reads, %zu findings", er, nu);
		magi_pii_findings_free(u, nu);
		magi_pii_cache_free(ec);
		magi_ocr_free(bo);
		magi_image_free(fi);
		magi_image_free(bi);
		magi_image_free(ei);
	}
	/* a form's label that the page reading took as a line of its own, its number garbled
	 * on the page: the digit reading of the number takes the label from its row (session
	 * 7), so the bare SSN after "Social Security Number" is found */
	{
		char lp[160];
		snprintf(lp, sizeof lp, "%s/label.png", dir);
		snprintf(cmd, sizeof cmd,
			 "convert -size 420x40 xc:white -font DejaVu-Sans -pointsize 14 -fill black "
			 "-draw \"text 10,25 'Social Security Number'\" -draw \"text 260,25 '676571693'\" %s",
			 lp);
		REQUIRE(system(cmd) == 0);
		struct magi_image *li = NULL;
		REQUIRE(magi_image_load(lp, &li, &err) == MAGI_OK);
		struct magi_ocr_word w[4] = {{"Social", 10, 12, 48, 17, 90, 0},
					     {"Security", 62, 12, 64, 17, 90, 0},
					     {"Number", 130, 12, 58, 17, 90, 0},
					     {"G765716093", 256, 10, 100, 20, 40, 1}};
		struct magi_ocr_line ln[2] = {{"Social Security Number", 10, 12, 178, 17, 90},
					      {"G765716093", 256, 10, 100, 20, 40}};
		struct magi_ocr fake = {w, 4, ln, 2, 0};
		struct magi_pii_params q = magi_pii_params_default();
		q.reread_budget = -1;
		struct magi_pii_finding *u = NULL;
		size_t nu = 0;
		REQUIRE(magi_pii_scan_image(li, &fake, &q, &u, &nu) == MAGI_OK);
		bool ssn = false;
		for (size_t i = 0; i < nu; i++)
			ssn |= u[i].type == MAGI_PII_SSN && u[i].has_box && u[i].x >= 250 && u[i].repaired;
		CHECK_MSG(ssn, "%zu findings, the first %s", nu, nu ? magi_pii_type_name(u[0].type) : "-");
		magi_pii_findings_free(u, nu);
		magi_image_free(li);
	}
	/* no screenshot: the same as magi_pii_scan_ocr */
	struct magi_pii_finding *c = NULL;
	size_t nc = 0;
	REQUIRE(magi_pii_scan_image(NULL, ocr, NULL, &c, &nc) == MAGI_OK);
	CHECK(nc == na);
	magi_pii_findings_free(a, na);
	magi_pii_findings_free(b, nb);
	magi_pii_findings_free(c, nc);
	magi_ocr_free(ocr);
	magi_image_free(img);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return check_done();
}
