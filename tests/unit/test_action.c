/* test_action.c — the action schema and the one mapping from model coordinates to screen
 * pixels, at resize ratios 1.0, 0.5, 0.37 and a non-uniform aspect, for every space. */
#include <math.h>
#include "check.h"
#include "magi/env.h"

static void test_parse_print(void)
{
	struct magi_action a;
	struct magi_error e;
	const char *j = "{\"action\":\"click\",\"x\":12,\"y\":34}";
	REQUIRE(magi_action_parse_json(j, strlen(j), &a, &e) == MAGI_OK);
	CHECK(a.kind == MAGI_ACT_CLICK && a.has_point && a.x == 12 && a.y == 34);
	struct magi_buf b;
	magi_buf_init(&b, 0);
	magi_action_to_json(&a, &b);
	CHECK_STR(b.data, "{\"action\":\"click\",\"x\":12,\"y\":34}");
	magi_action_release(&a);
	const char *cases[][2] = {
		{"{\"action\":\"drag\",\"start\":[1,2],\"end\":[3,4]}", "{\"action\":\"drag\",\"x\":1,\"y\":2,\"x2\":3,\"y2\":4}"},
		{"{\"action\":\"type\",\"text\":\"h\\u00e9\"}", "{\"action\":\"type\",\"text\":\"h\xc3\xa9\"}"},
		{"{\"action\":\"hotkey\",\"key\":\"ctrl+s\"}", "{\"action\":\"key\",\"keys\":\"ctrl+s\"}"},
		{"{\"action\":\"scroll\",\"direction\":\"up\",\"amount\":3}", "{\"action\":\"scroll\",\"direction\":\"up\",\"amount\":3}"},
		{"{\"action\":\"done\",\"success\":false}", "{\"action\":\"done\",\"success\":false}"},
		{"{\"action\":\"tap\",\"point\":[5,6]}", "{\"action\":\"click\",\"x\":5,\"y\":6}"},
		{"{\"action\":\"wait\",\"seconds\":2}", "{\"action\":\"wait\",\"seconds\":2}"},
		{"{\"action\":\"answer\",\"text\":\"42\"}", "{\"action\":\"answer\",\"text\":\"42\"}"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		magi_buf_reset(&b);
		CHECK_MSG(magi_action_parse_json(cases[i][0], strlen(cases[i][0]), &a, &e) == MAGI_OK, "%s: %s",
			  cases[i][0], e.msg);
		magi_action_to_json(&a, &b);
		CHECK_STR(b.data, cases[i][1]);
		magi_action_release(&a);
	}
	magi_buf_release(&b);
	/* errors are written for the model */
	const char *bad[][2] = {
		{"{\"action\":\"click\"}", "needs a point"},
		{"{\"action\":\"teleport\"}", "unknown action \"teleport\"; use one of: click"},
		{"{\"x\":1}", "no \"action\" field"},
		{"{\"action\":\"drag\",\"x\":1,\"y\":1}", "needs a start and an end"},
		{"{\"action\":\"type\"}", "needs the text"},
		{"{\"action\":\"scroll\",\"direction\":\"sideways\"}", "not one of up, down"},
		{"[1,2]", "must be a JSON object"},
		{"{\"action\":\"click\",\"x\":1,", "invalid JSON"},
		{"{\"action\":\"done\",\"success\":\"yes\"}", "true or false"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(magi_action_parse_json(bad[i][0], strlen(bad[i][0]), &a, &e) == MAGI_ERR_PARSE);
		CHECK_CONTAINS(e.msg, bad[i][1]);
	}
}

/* A target pixel on a screen of sw×sh, shown to the model resized to iw×ih: the model names
 * the target in its space (as a perfect model would, from what it saw), and the mapping
 * must land on the intended pixel. */
static int check_ratio(uint32_t sw, uint32_t sh, uint32_t iw, uint32_t ih, enum magi_coord_space sp,
		       bool integer_model)
{
	struct magi_coord_map m = {sp, iw, ih, sw, sh, 0, 0};
	int worst = 0;
	for (int sy = 0; sy < (int)sh; sy += 7) {
		for (int sx = 0; sx < (int)sw; sx += 5) {
			double x, y;
			magi_coords_from_screen(&m, sx, sy, &x, &y);
			if (integer_model) {
				/* models answer whole numbers: pixel indices or 0..1000 */
				x = x < 0 ? 0 : floor(x + 0.5);
				y = y < 0 ? 0 : floor(y + 0.5);
			}
			int ox, oy;
			struct magi_error e;
			if (magi_coords_to_screen(&m, x, y, &ox, &oy, &e) != MAGI_OK)
				return 1 << 20;
			int d = abs(ox - sx) > abs(oy - sy) ? abs(ox - sx) : abs(oy - sy);
			if (d > worst)
				worst = d;
		}
	}
	return worst;
}

static void test_coords(void)
{
	const double ratios[] = {1.0, 0.5, 0.37};
	const enum magi_coord_space spaces[] = {MAGI_COORDS_PIXELS, MAGI_COORDS_NORM1000, MAGI_COORDS_NORM1};
	for (size_t r = 0; r < 3; r++) {
		uint32_t iw = (uint32_t)lround(1280 * ratios[r]), ih = (uint32_t)lround(720 * ratios[r]);
		for (size_t s = 0; s < 3; s++) {
			/* exact model positions land exactly */
			int w = check_ratio(1280, 720, iw, ih, spaces[s], false);
			CHECK_MSG(w == 0, "ratio %.2f space %s: off by %d px", ratios[r],
				  magi_coord_space_name(spaces[s]), w);
		}
		/* a model that answers integers: within 1 px when its grid is finer than the screen's,
		 * within half a sent pixel (rounded up) otherwise */
		int w = check_ratio(1280, 720, iw, ih, MAGI_COORDS_PIXELS, true);
		int bound = (int)ceil(0.5 / ratios[r]);
		CHECK_MSG(w <= (bound > 1 ? bound : 1), "integer pixels at ratio %.2f: off by %d px", ratios[r], w);
		w = check_ratio(1280, 720, iw, ih, MAGI_COORDS_NORM1000, true);
		CHECK_MSG(w <= 1, "integer norm1000 at ratio %.2f: off by %d px", ratios[r], w);
	}
	/* non-uniform aspect (a Qwen-style fit rounds each side separately) */
	CHECK(check_ratio(1280, 720, 1288, 728, MAGI_COORDS_PIXELS, false) == 0);
	CHECK(check_ratio(1280, 720, 644, 252, MAGI_COORDS_PIXELS, false) == 0);
	CHECK(check_ratio(1920, 1080, 1316, 728, MAGI_COORDS_NORM1000, false) == 0);
	CHECK(check_ratio(1920, 1080, 1316, 728, MAGI_COORDS_NORM1000, true) <= 1);
	/* worked examples */
	struct magi_coord_map m = {MAGI_COORDS_PIXELS, 640, 360, 1280, 720, 0, 0};
	int sx, sy;
	struct magi_error e;
	CHECK(magi_coords_to_screen(&m, 320, 180, &sx, &sy, &e) == MAGI_OK && sx == 641 && sy == 361);
	m.space = MAGI_COORDS_NORM1000;
	CHECK(magi_coords_to_screen(&m, 500, 500, &sx, &sy, &e) == MAGI_OK && sx == 640 && sy == 360);
	CHECK(magi_coords_to_screen(&m, 1000, 1000, &sx, &sy, &e) == MAGI_OK && sx == 1279 && sy == 719);
	m.space = MAGI_COORDS_NORM1;
	CHECK(magi_coords_to_screen(&m, 0.25, 0.75, &sx, &sy, &e) == MAGI_OK && sx == 320 && sy == 540);
	/* a zoomed crop: the origin is added once */
	struct magi_coord_map z = {MAGI_COORDS_PIXELS, 200, 100, 400, 200, 800, 500};
	CHECK(magi_coords_to_screen(&z, 100, 50, &sx, &sy, &e) == MAGI_OK && sx == 1001 && sy == 601);
	/* off-image points are errors that say the valid range */
	m.space = MAGI_COORDS_PIXELS;
	CHECK(magi_coords_to_screen(&m, 700, 10, &sx, &sy, &e) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(e.msg, "outside the 640x360 image");
	CHECK(magi_coords_to_screen(&m, -1, 10, &sx, &sy, &e) == MAGI_ERR_INVALID);
	m.space = MAGI_COORDS_NORM1000;
	CHECK(magi_coords_to_screen(&m, 1001, 10, &sx, &sy, &e) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(e.msg, "norm1000");
	/* an action is mapped in place, both points */
	struct magi_action a = {.kind = MAGI_ACT_DRAG, .has_point = true, .has_point2 = true, .x = 0, .y = 0, .x2 = 1000, .y2 = 500};
	CHECK(magi_action_to_screen(&m, &a, &e) == MAGI_OK);
	CHECK(a.x == 0 && a.y == 0 && a.x2 == 1279 && a.y2 == 360);
}

/* The browser's kinds: canonical forms round-trip, synonyms map, errors say what to write. */
static void test_browser_kinds(void)
{
	const char *cases[][2] = {
		{"{\"action\":\"navigate\",\"url\":\"https://a.example/x?y=1\"}", "{\"action\":\"navigate\",\"url\":\"https://a.example/x?y=1\"}"},
		{"{\"action\":\"goto\",\"href\":\"http://b.example\",\"x\":3,\"y\":4}", "{\"action\":\"navigate\",\"url\":\"http://b.example\"}"},
		{"{\"action\":\"forward\"}", "{\"action\":\"forward\"}"},
		{"{\"action\":\"go_back\"}", "{\"action\":\"back\"}"},
		{"{\"action\":\"new_tab\"}", "{\"action\":\"new_tab\"}"},
		{"{\"action\":\"new_tab\",\"url\":\"https://c.example\"}", "{\"action\":\"new_tab\",\"url\":\"https://c.example\"}"},
		{"{\"action\":\"switch_tab\",\"tab\":2}", "{\"action\":\"switch_tab\",\"tab\":2}"},
		{"{\"action\":\"switch_tab\",\"index\":\"3\"}", "{\"action\":\"switch_tab\",\"tab\":3}"},
		{"{\"action\":\"close_tab\"}", "{\"action\":\"close_tab\"}"},
		{"{\"action\":\"close_tab\",\"tab\":1}", "{\"action\":\"close_tab\",\"tab\":1}"},
		{"{\"action\":\"click_element\",\"element\":12}", "{\"action\":\"click_element\",\"element\":12}"},
		{"{\"action\":\"click_element\",\"mark\":\"[7]\"}", "{\"action\":\"click_element\",\"element\":7}"},
		{"{\"action\":\"click_element\",\"id\":5.0}", "{\"action\":\"click_element\",\"element\":5}"},
		{"{\"action\":\"select_option\",\"element\":4,\"option\":\"Blue\"}", "{\"action\":\"select_option\",\"element\":4,\"option\":\"Blue\"}"},
		{"{\"action\":\"select\",\"x\":10,\"y\":20,\"value\":\"b\"}", "{\"action\":\"select_option\",\"x\":10,\"y\":20,\"option\":\"b\"}"},
		{"{\"action\":\"upload_file\",\"element\":7,\"path\":\"/up/cv.pdf\"}", "{\"action\":\"upload_file\",\"element\":7,\"path\":\"/up/cv.pdf\"}"},
		{"{\"action\":\"dialog\",\"accept\":false}", "{\"action\":\"dialog\",\"accept\":false}"},
		{"{\"action\":\"dialog\",\"accept\":true,\"text\":\"zed\"}", "{\"action\":\"dialog\",\"accept\":true,\"text\":\"zed\"}"},
		{"{\"action\":\"accept_dialog\"}", "{\"action\":\"dialog\",\"accept\":true}"},
		{"{\"action\":\"dismiss_dialog\"}", "{\"action\":\"dialog\",\"accept\":false}"},
	};
	struct magi_action a, b;
	struct magi_error e;
	struct magi_buf out, again;
	magi_buf_init(&out, 0);
	magi_buf_init(&again, 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		magi_buf_reset(&out);
		magi_buf_reset(&again);
		CHECK_MSG(magi_action_parse_json(cases[i][0], strlen(cases[i][0]), &a, &e) == MAGI_OK, "%s: %s",
			  cases[i][0], e.msg);
		magi_action_to_json(&a, &out);
		CHECK_STR(out.data, cases[i][1]);
		/* the canonical form parses back to the same action */
		CHECK(magi_action_parse_json(out.data, out.len, &b, &e) == MAGI_OK);
		magi_action_to_json(&b, &again);
		CHECK_STR(again.data, out.data);
		CHECK(a.kind == b.kind && a.index == b.index && a.accept == b.accept);
		magi_action_release(&a);
		magi_action_release(&b);
	}
	magi_buf_release(&out);
	magi_buf_release(&again);
	const char *s = "{\"action\":\"switch_tab\",\"tab\":2}";
	REQUIRE(magi_action_parse_json(s, strlen(s), &a, &e) == MAGI_OK);
	CHECK(a.kind == MAGI_ACT_SWITCH_TAB && a.index == 2 && !a.has_point);
	magi_action_release(&a);
	s = "{\"action\":\"navigate\",\"url\":\"https://x\",\"x\":5,\"y\":5}";
	REQUIRE(magi_action_parse_json(s, strlen(s), &a, &e) == MAGI_OK);
	CHECK(!a.has_point); /* a stray point means nothing to navigate and is not mapped */
	CHECK_STR(a.text, "https://x");
	magi_action_release(&a);
	const char *bad[][2] = {
		{"{\"action\":\"navigate\"}", "needs the URL"},
		{"{\"action\":\"navigate\",\"url\":\"\"}", "needs the URL"},
		{"{\"action\":\"switch_tab\"}", "tab number from 1"},
		{"{\"action\":\"switch_tab\",\"tab\":0}", "tab number from 1"},
		{"{\"action\":\"close_tab\",\"tab\":-2}", "tab number from 1"},
		{"{\"action\":\"click_element\"}", "needs the element's number"},
		{"{\"action\":\"click_element\",\"element\":\"submit\"}", "must be a number from 1"},
		{"{\"action\":\"click_element\",\"element\":2.5}", "must be a number from 1"},
		{"{\"action\":\"select_option\",\"option\":\"Blue\"}", "needs an element number or a point"},
		{"{\"action\":\"select_option\",\"element\":3}", "needs the option"},
		{"{\"action\":\"upload_file\",\"element\":3}", "needs the file"},
		{"{\"action\":\"dialog\"}", "needs \"accept\""},
		{"{\"action\":\"dialog\",\"accept\":\"yes\"}", "needs \"accept\""},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_MSG(magi_action_parse_json(bad[i][0], strlen(bad[i][0]), &a, &e) == MAGI_ERR_PARSE, "%s", bad[i][0]);
		CHECK_CONTAINS(e.msg, bad[i][1]);
	}
	/* every kind has a name that parses back to it, and the caps mask holds them all */
	CHECK(MAGI_ACT__COUNT <= 32);
	for (int k = 0; k < MAGI_ACT__COUNT; k++) {
		enum magi_action_kind back;
		CHECK(magi_action_kind_parse(magi_action_kind_name((enum magi_action_kind)k), &back) == MAGI_OK &&
		      back == (enum magi_action_kind)k);
	}
	/* magi_action_copy keeps the new fields */
	struct magi_action src = {.kind = MAGI_ACT_SELECT_OPTION, .index = 4, .text = "Blue"};
	REQUIRE(magi_action_copy(&src, &b) == MAGI_OK);
	CHECK(b.index == 4 && b.text != src.text);
	CHECK_STR(b.text, "Blue");
	magi_action_release(&b);
}

int main(void)
{
	test_parse_print();
	test_browser_kinds();
	test_coords();
	return check_done();
}
