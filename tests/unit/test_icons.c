/* test_icons.c — magi_icons_propose on drawn images: small shapes are found with their
 * boxes, a shape over 5% of the image and thin rules are not, two touching shapes become one
 * box, boxes covered by confident OCR words are text (a low-confidence word over a shape is
 * not), the largest max_boxes are kept, and an empty image is an error. */
#include "magi/magi.h"
#include "check.h"

static struct magi_image *canvas(uint32_t w, uint32_t h)
{
	struct magi_image *img = NULL;
	if (magi_image_new(w, h, &img))
		return NULL;
	magi_image_fill_rect(img, 0, 0, (int)w, (int)h, 0xFFFFFF);
	return img;
}

/* The proposed box whose centre is within 4 px of (cx, cy), or NULL. */
static const struct magi_icon_box *at(const struct magi_icon_box *b, size_t n, int cx, int cy)
{
	for (size_t i = 0; i < n; i++)
		if (abs(b[i].x + b[i].w / 2 - cx) <= 4 && abs(b[i].y + b[i].h / 2 - cy) <= 4)
			return &b[i];
	return NULL;
}

static void test_shapes(void)
{
	struct magi_image *img = canvas(800, 600);
	if (!img)
		return;
	magi_image_fill_rect(img, 100, 100, 40, 40, 0xDD2222);	    /* an icon */
	magi_image_draw_circle(img, 300, 120, 20, 3, 0x2244DD);	    /* an outlined ring */
	magi_image_fill_rect(img, 400, 300, 300, 200, 0x22AA22);    /* 12.5% of the image */
	magi_image_fill_rect(img, 50, 550, 700, 2, 0x000000);	    /* a rule */
	magi_image_fill_rect(img, 500, 100, 30, 30, 0x000000);	    /* two squares that touch */
	magi_image_fill_rect(img, 525, 125, 30, 30, 0x000000);
	struct magi_icon_box *b = NULL;
	size_t n = 0;
	CHECK(magi_icons_propose(img, NULL, NULL, &b, &n) == MAGI_OK);
	const struct magi_icon_box *sq = at(b, n, 120, 120), *ring = at(b, n, 300, 120), *two = at(b, n, 527, 127);
	CHECK_MSG(sq && sq->w >= 40 && sq->w <= 44 && sq->h >= 40 && sq->h <= 44, "square box %dx%d",
		  sq ? sq->w : 0, sq ? sq->h : 0);
	CHECK(ring != NULL);
	CHECK_MSG(two && two->w >= 55 && two->h >= 55, "the touching squares are one box");
	CHECK_MSG(n == 3, "%zu boxes (the big rectangle and the rule are no icons)", n);
	for (size_t i = 0; i < n; i++)
		CHECK((double)b[i].w * b[i].h < 0.05 * 800 * 600);
	/* reading order: top row left to right */
	CHECK(n == 3 && b[0].x < b[1].x && b[1].x < b[2].x);
	free(b);

	/* at most max_boxes, the largest kept */
	struct magi_icon_params p = magi_icon_params_default();
	p.max_boxes = 1;
	CHECK(magi_icons_propose(img, NULL, &p, &b, &n) == MAGI_OK);
	CHECK(n == 1 && at(b, n, 527, 127));
	free(b);

	/* a confident OCR word over the square makes it text; an unsure one does not */
	struct magi_ocr_word w = {.text = "Q", .x = 100, .y = 100, .w = 40, .h = 40, .conf = 90, .line = 0};
	struct magi_ocr o = {.words = &w, .n_words = 1};
	CHECK(magi_icons_propose(img, &o, NULL, &b, &n) == MAGI_OK);
	CHECK(n == 2 && !at(b, n, 120, 120));
	free(b);
	w.conf = 30;
	CHECK(magi_icons_propose(img, &o, NULL, &b, &n) == MAGI_OK);
	CHECK(n == 3 && at(b, n, 120, 120));
	free(b);
	magi_image_free(img);
}

static void test_edges(void)
{
	struct magi_image *img = canvas(200, 100);
	struct magi_icon_box *b = (struct magi_icon_box *)1;
	size_t n = 7;
	/* a blank screen has nothing */
	CHECK(img && magi_icons_propose(img, NULL, NULL, &b, &n) == MAGI_OK && !b && n == 0);
	struct magi_image empty = {0};
	CHECK(magi_icons_propose(&empty, NULL, NULL, &b, &n) == MAGI_ERR_INVALID && !b && !n);
	CHECK(magi_icons_propose(NULL, NULL, NULL, &b, &n) == MAGI_ERR_INVALID);
	magi_image_free(img);
}

int main(void)
{
	test_shapes();
	test_edges();
	return check_done();
}
