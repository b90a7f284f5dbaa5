/* test_browser_pages.c — the browser environment across tabs, pop-ups, JavaScript dialogs,
 * iframes and shadow roots, file uploads and downloads, and the domain allowlist, on real
 * Chromium against the test site; what reached the site's server is checked from its log.
 * It runs Chromium with a process per site (params.multi_process). */
#include "browser_test.h"

static char up_dir[300], down_dir[300];

static struct magi_env *open_env(void)
{
	struct magi_browser_params p = magi_browser_params_default();
	p.url = bt_url("tabs.html");
	p.allow_url = bt_allow;
	p.upload_dir = up_dir;
	p.download_dir = down_dir;
	/* Chromium's usual processes (the other tests run it as one): the frame from another
	 * site then lives in a renderer of its own, and its elements come over a session of
	 * their own */
	p.multi_process = true;
	return bt_open(&p);
}

static void test_tabs(struct magi_env *env, struct magi_obs *o)
{
	bt_observe(env, o);
	CHECK_CONTAINS(o->text, "Tabs (1):");
	/* a link with target=_blank: the new tab is followed */
	bt_click(env, bt_find(o, "link", "page two in a new tab"));
	CHECK(bt_wait_text(env, o, "This is page two"));
	CHECK_CONTAINS(o->text, "Tabs (2):");
	CHECK_CONTAINS(o->text, "A new tab opened from the page: [2]");
	CHECK_CONTAINS(o->text, "[2] Page two");
	CHECK_STR(o->url, bt_url("page2.html"));
	/* the note is said once */
	bt_observe(env, o);
	CHECK(!strstr(o->text, "A new tab opened"));
	bt_do(env, "{\"action\":\"switch_tab\",\"tab\":1}");
	bt_observe(env, o);
	CHECK_STR(o->url, bt_url("tabs.html"));
	CHECK(bt_find(o, "button", "Open a pop-up") != NULL);
	/* element numbers belong to the tab they were read on */
	bt_do(env, "{\"action\":\"switch_tab\",\"tab\":2}");
	struct magi_error err;
	CHECK(bt_act(env, "{\"action\":\"click_element\",\"element\":1}", &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "another tab");
	CHECK(bt_act(env, "{\"action\":\"switch_tab\",\"tab\":7}", &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "no tab 7");
	bt_do(env, "{\"action\":\"close_tab\"}");
	bt_observe(env, o);
	CHECK_CONTAINS(o->text, "Tabs (1):");
	CHECK_STR(o->url, bt_url("tabs.html"));
	CHECK(bt_act(env, "{\"action\":\"close_tab\"}", &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "only tab");
	/* window.open from a click: the pop-up is followed, and closing itself goes back */
	bt_click(env, bt_find(o, "button", "Open a pop-up"));
	CHECK(bt_wait_text(env, o, "Pop-up window"));
	CHECK_CONTAINS(o->text, "Tabs (2):");
	bt_click(env, bt_find(o, "button", "Close me"));
	for (int i = 0; i < 150 && !strstr(o->text, "Tabs (1):"); i++) {
		usleep(100000);
		bt_observe(env, o);
	}
	CHECK_CONTAINS(o->text, "Tabs (1):");
	CHECK_STR(o->url, bt_url("tabs.html"));
	/* new_tab opens and switches; its URL obeys the allowlist */
	bt_do(env, "{\"action\":\"new_tab\",\"url\":\"%s\"}", bt_url("page2.html"));
	bt_observe(env, o);
	CHECK_CONTAINS(o->text, "Tabs (2):");
	CHECK(!strstr(o->text, "A new tab opened")); /* asked for, so not news */
	CHECK_STR(o->url, bt_url("page2.html"));
	char json[256];
	snprintf(json, sizeof json, "{\"action\":\"new_tab\",\"url\":\"http://localhost:%d/page2.html\"}", bt_port);
	CHECK(bt_act(env, json, &err) == MAGI_ERR_DENIED);
	CHECK_CONTAINS(err.msg, "outside the allowed domains");
	bt_do(env, "{\"action\":\"close_tab\",\"tab\":2}");
	bt_observe(env, o);
	CHECK_CONTAINS(o->text, "Tabs (1):");
}

static void test_frames(struct magi_env *env, struct magi_obs *o)
{
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("frame.html"));
	REQUIRE(bt_wait_text(env, o, "Inner button"));
	const struct magi_element *inner = bt_find(o, "button", "Inner button");
	REQUIRE(inner != NULL);
	CHECK(inner->flags & MAGI_ELEM_IN_FRAME);
	CHECK_STR(inner->path, "iframe#inner");
	const struct magi_element *itext = bt_find(o, "text", "Inside the frame");
	REQUIRE(itext != NULL);
	/* the frame sits at the page's margin + its 4 px border, the text 10 px inside it: the
	 * box is in the page's coordinates, not the frame's */
	CHECK(itext->x >= 24 + 4 + 10 - 1 && itext->x <= 24 + 4 + 10 + 1);
	CHECK(itext->y > 60);
	const struct magi_element *sb = bt_find(o, "button", "Shadow button");
	REQUIRE(sb != NULL);
	CHECK(sb->flags & MAGI_ELEM_IN_SHADOW);
	CHECK_STR(sb->path, "shadow(x-widget#w)");
	CHECK(bt_find(o, "text", "text in the shadow") != NULL);
	bt_click(env, inner); /* by its box: the click lands inside the frame */
	CHECK(bt_log_wait("GET", "/log", "inner", "clicked"));
	CHECK(bt_wait_text(env, o, "Inner clicked"));
	sb = bt_find(o, "button", "Shadow button");
	REQUIRE(sb != NULL);
	bt_do(env, "{\"action\":\"click_element\",\"element\":%d}", sb->id);
	CHECK(bt_log_wait("GET", "/log", "shadow", "clicked"));
	CHECK(bt_wait_text(env, o, "shadow clicked"));
	/* a frame from another site runs in a renderer of its own: its elements come from
	 * its own snapshot, placed where its <iframe> is */
	const struct magi_element *other = bt_find(o, "button", "Other site button");
	REQUIRE(other != NULL);
	CHECK(other->flags & MAGI_ELEM_IN_FRAME);
	CHECK_STR(other->path, "iframe#other");
	const struct magi_element *otext = bt_find(o, "text", "Inside another site");
	REQUIRE(otext != NULL);
	itext = bt_find(o, "text", "Inside the frame");
	REQUIRE(itext != NULL);
	/* side by side in the flow: the other frame starts right of the first one's 600 px
	 * and 2 x 4 px of border, its text 10 px inside */
	CHECK_MSG(otext->x >= itext->x + 600 && otext->y >= itext->y - 2 && otext->y <= itext->y + 40,
		  "other frame's text at %d,%d; the first frame's at %d,%d", otext->x, otext->y, itext->x, itext->y);
	bt_click(env, other);
	CHECK(bt_log_wait("GET", "/log", "other", "clicked"));
	CHECK(bt_wait_text(env, o, "Other clicked"));
	json_t *j = bt_log_entry("GET", "/frame_other.html");
	REQUIRE(j != NULL);
	CHECK(strncmp(json_string_value(json_object_get(j, "host")), "127.0.0.2:", 10) == 0);
	json_decref(j);
	const struct magi_element *size = bt_find(o, "combobox", "Size");
	REQUIRE(size != NULL);
	bt_do(env, "{\"action\":\"select_option\",\"element\":%d,\"option\":\"large\"}", size->id);
	bt_observe(env, o);
	size = bt_find(o, "combobox", "Size");
	REQUIRE(size != NULL);
	CHECK_STR(size->value, "Large");
}

static void test_dialogs(struct magi_env *env, struct magi_obs *o)
{
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("confirm.html"));
	bt_observe(env, o);
	const struct magi_element *del = bt_find(o, "button", "Delete account");
	REQUIRE(del != NULL);
	struct magi_image *before = NULL;
	REQUIRE(magi_image_clone(o->screenshot, &before) == MAGI_OK);
	int bx = del->x, by = del->y, bw = del->w, bh = del->h;
	bt_click(env, del);
	bt_observe(env, o);
	/* the dialog is drawn over the last screenshot and listed: OK, Cancel, the message */
	CHECK_CONTAINS(o->text, "JavaScript confirm dialog is open");
	CHECK_CONTAINS(o->text, "Really delete your account?");
	REQUIRE(o->screenshot && o->screenshot->w == 1280 && o->screenshot->h == 720);
	REQUIRE(o->n_elements == 3);
	/* ...that is, the page as the observation before the click showed it, dimmed: where
	 * the button was (outside the dialog's panel), every pixel is the old one halved plus
	 * 40, and the button's own pixels are not one flat colour (not a blank page) */
	for (size_t i = 0; i < o->n_elements; i++)
		REQUIRE(o->elements[i].y > by + bh || o->elements[i].y + o->elements[i].h < by ||
			o->elements[i].x > bx + bw || o->elements[i].x + o->elements[i].w < bx);
	size_t same = 0, n = 0;
	uint8_t lo = 255, hi = 0;
	for (int y = by; y < by + bh; y++)
		for (int x = 3 * bx; x < 3 * (bx + bw); x++, n++) {
			uint8_t was = before->px[(size_t)y * before->stride + x], now = o->screenshot->px[(size_t)y * o->screenshot->stride + x];
			same += now == was / 2 + 40;
			lo = was < lo ? was : lo;
			hi = was > hi ? was : hi;
		}
	CHECK_MSG(n > 0 && same == n, "%zu of %zu pixels of the button are the last screenshot's, dimmed", same, n);
	CHECK_MSG(hi - lo > 40, "the button's pixels span %u..%u", lo, hi);
	magi_image_free(before);
	CHECK_STR(o->elements[0].name, "OK");
	CHECK_STR(o->elements[1].name, "Cancel");
	CHECK_STR(o->elements[2].name, "Really delete your account?");
	CHECK_STR(o->elements[0].path, "dialog");
	struct magi_error err;
	/* other actions are refused while it is open, with a way out */
	CHECK(bt_act(env, "{\"action\":\"type\",\"text\":\"x\"}", &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "\"action\":\"dialog\"");
	bt_click(env, &o->elements[1]); /* Cancel, by its drawn box */
	CHECK(bt_wait_exact(env, o, "Cancelled"));
	CHECK(bt_log_wait("GET", "/log", "confirm", "false"));
	del = bt_find(o, "button", "Delete account");
	REQUIRE(del != NULL);
	bt_click(env, del);
	bt_do(env, "{\"action\":\"dialog\",\"accept\":true}");
	CHECK(bt_wait_exact(env, o, "Deleted"));
	CHECK(bt_log_wait("GET", "/log", "confirm", "true"));
	/* prompt: typed text is the answer */
	bt_click(env, bt_find(o, "button", "Change nickname"));
	bt_observe(env, o);
	CHECK_CONTAINS(o->text, "prompt dialog");
	bt_do(env, "{\"action\":\"type\",\"text\":\"zed\"}");
	bt_do(env, "{\"action\":\"click_element\",\"element\":1}");
	CHECK(bt_wait_exact(env, o, "Nickname: zed"));
	CHECK(bt_log_wait("GET", "/log", "prompt", "zed"));
	/* alert: one button */
	bt_click(env, bt_find(o, "button", "Save"));
	bt_observe(env, o);
	CHECK_CONTAINS(o->text, "alert dialog");
	CHECK(bt_find(o, "button", "Cancel") == NULL);
	bt_do(env, "{\"action\":\"dialog\",\"accept\":true}");
	CHECK(bt_wait_exact(env, o, "alert done"));
	CHECK(bt_act(env, "{\"action\":\"dialog\",\"accept\":true}", &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "no JavaScript dialog is open");
}

static void test_upload_download(struct magi_env *env, struct magi_obs *o)
{
	char file[400], outside[400];
	snprintf(file, sizeof file, "%s/cv.txt", up_dir);
	bt_write_file(file, "Alice Example, curriculum vitae\n");
	snprintf(outside, sizeof outside, "%s/secret.txt", bt_tmp);
	bt_write_file(outside, "not for upload\n");
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("upload.html"));
	bt_observe(env, o);
	const struct magi_element *in = bt_find(o, "file", "CV file");
	REQUIRE(in != NULL);
	struct magi_error err;
	char json[700];
	snprintf(json, sizeof json, "{\"action\":\"upload_file\",\"element\":%d,\"path\":\"%s\"}", in->id, outside);
	CHECK(bt_act(env, json, &err) == MAGI_ERR_DENIED);
	CHECK_CONTAINS(err.msg, "outside the allowed upload directory");
	snprintf(json, sizeof json, "{\"action\":\"upload_file\",\"element\":%d,\"path\":\"%s/../secret.txt\"}", in->id,
		 up_dir);
	CHECK(bt_act(env, json, &err) == MAGI_ERR_DENIED); /* no way out through ".." */
	snprintf(json, sizeof json, "{\"action\":\"upload_file\",\"element\":%d,\"path\":\"%s/none.txt\"}", in->id, up_dir);
	CHECK(bt_act(env, json, &err) == MAGI_ERR_NOT_FOUND);
	/* by the label's point: the label's field takes the file */
	const struct magi_element *label = bt_find(o, "text", "CV file");
	REQUIRE(label != NULL);
	snprintf(json, sizeof json, "{\"action\":\"upload_file\",\"x\":%d,\"y\":%d,\"path\":\"%s\"}",
		 label->x + label->w / 2, label->y + label->h / 2, file);
	CHECK_MSG(bt_act(env, json, &err) == MAGI_OK, "%s", err.msg);
	bt_click(env, bt_find(o, "button", "Send"));
	CHECK(bt_wait_text(env, o, "Received cv.txt (32 bytes)"));
	json_t *j = bt_log_entry("POST", "/upload");
	REQUIRE(j != NULL);
	const json_t *f0 = json_array_get(json_object_get(j, "files"), 0);
	CHECK_STR(json_string_value(json_object_get(f0, "filename")), "cv.txt");
	CHECK(json_integer_value(json_object_get(f0, "size")) == 32);
	CHECK_STR(json_string_value(json_object_get(f0, "head")), "Alice Example, curriculum vitae\n");
	json_decref(j);
	/* a download lands in the download directory and is reported */
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("upload.html"));
	bt_observe(env, o);
	bt_click(env, bt_find(o, "link", "Download the report"));
	char got[400];
	snprintf(got, sizeof got, "%s/report.txt", down_dir);
	bool said = false;
	for (int i = 0; i < 150 && !said; i++) {
		bt_observe(env, o);
		said = strstr(o->text, "Download finished") != NULL;
		if (!said)
			usleep(100000);
	}
	CHECK(said);
	CHECK_CONTAINS(o->text, got);
	struct stat st;
	CHECK(stat(got, &st) == 0 && st.st_size == 27);
}

static void test_allowlist(struct magi_env *env, struct magi_obs *o)
{
	/* the page's image, its fetch() and its link point at localhost: outside the list */
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("outside.html"));
	bt_observe(env, o);
	CHECK_CONTAINS(o->text, "outside the allowed domains");
	CHECK_CONTAINS(o->text, "/pixel.png (Image)");
	bt_click(env, bt_find(o, "link", "Visit our partner"));
	bt_observe(env, o);
	CHECK_CONTAINS(o->text, "/outside-target (Document)");
	struct magi_error err;
	char json[256];
	snprintf(json, sizeof json, "{\"action\":\"navigate\",\"url\":\"http://localhost:%d/index.html\"}", bt_port);
	CHECK(bt_act(env, json, &err) == MAGI_ERR_DENIED);
	CHECK_CONTAINS(err.msg, "outside the allowed domains");
	/* and the server never saw any of them, though it saw the page itself */
	CHECK(bt_log_count("GET", "/outside.html", NULL, NULL) == 1);
	CHECK(bt_log_count("GET", "/pixel.png", NULL, NULL) == 0);
	CHECK(bt_log_count("GET", "/beacon", NULL, NULL) == 0);
	CHECK(bt_log_count("GET", "/outside-target", NULL, NULL) == 0);
	FILE *f = fopen(bt_log, "r");
	char line[4096];
	int other_host = 0;
	while (f && fgets(line, sizeof line, f))
		other_host += strstr(line, "\"host\": \"localhost") != NULL;
	if (f)
		fclose(f);
	CHECK(other_host == 0);
}

int main(void)
{
	bt_setup();
	snprintf(up_dir, sizeof up_dir, "%s/uploads", bt_tmp);
	snprintf(down_dir, sizeof down_dir, "%s/downloads", bt_tmp);
	REQUIRE(mkdir(up_dir, 0700) == 0);
	struct magi_env *env = open_env();
	struct magi_obs o = {0};
	test_tabs(env, &o);
	test_frames(env, &o);
	test_dialogs(env, &o);
	test_upload_download(env, &o);
	test_allowlist(env, &o);
	magi_obs_release(&o);
	magi_env_close(env);
	return check_done();
}
