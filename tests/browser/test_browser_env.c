/* test_browser_env.c — the browser environment on real Chromium against the test site:
 * the observation (screenshot, URL, title, tabs, element list with boxes, values and
 * flags) and the pointer, keyboard and form actions, each checked by what the page then
 * shows and by what the site's server received. */
#include "browser_test.h"

static struct magi_env *open_env(void)
{
	struct magi_browser_params p = magi_browser_params_default();
	p.url = bt_url("index.html");
	p.allow_url = bt_allow;
	return bt_open(&p);
}

static void test_observe(struct magi_env *env, struct magi_obs *o)
{
	bt_observe(env, o);
	REQUIRE(o->screenshot != NULL);
	CHECK(o->screenshot->w == 1280 && o->screenshot->h == 720);
	CHECK_STR(o->url, bt_url("index.html"));
	CHECK_STR(o->app, "Test site");
	CHECK_CONTAINS(o->text, "Page: Test site");
	CHECK_CONTAINS(o->text, "Tabs (1):");
	CHECK_CONTAINS(o->text, "(current)");
	/* links are numbered from 1, first; then the text runs */
	const struct magi_element *login = bt_find(o, "link", "Login");
	REQUIRE(login != NULL);
	CHECK(login->id >= 1 && (size_t)login->id <= o->n_elements && &o->elements[login->id - 1] == login);
	CHECK(login->flags & MAGI_ELEM_VISIBLE);
	CHECK(login->flags & MAGI_ELEM_INTERACTIVE);
	CHECK_STR(login->tag, "a");
	CHECK(login->path == NULL);
	const struct magi_element *h1 = bt_find(o, "text", "magi test site");
	REQUIRE(h1 != NULL);
	CHECK(h1->flags & MAGI_ELEM_TEXT);
	CHECK(h1->id > login->id);
	/* the heading's box is where its dark pixels are: the screenshot and the boxes agree */
	int dark = 0;
	for (int y = h1->y; y < h1->y + h1->h; y++)
		for (int x = h1->x; x < h1->x + h1->w; x++) {
			const uint8_t *px = o->screenshot->px + (size_t)y * o->screenshot->stride + (size_t)x * 3;
			dark += px[0] < 80 && px[1] < 80 && px[2] < 80;
		}
	CHECK_MSG(dark > 50, "only %d dark pixels in the heading's box", dark);
	int outside = 0; /* a strip right of the heading's box is blank */
	for (int y = h1->y; y < h1->y + h1->h; y++)
		for (int x = h1->x + h1->w + 4; x < h1->x + h1->w + 60 && x < (int)o->screenshot->w; x++) {
			const uint8_t *px = o->screenshot->px + (size_t)y * o->screenshot->stride + (size_t)x * 3;
			outside += px[0] < 80;
		}
	CHECK_MSG(outside == 0, "%d dark pixels right of the heading's box", outside);
}

static void test_login(struct magi_env *env, struct magi_obs *o)
{
	bt_click(env, bt_find(o, "link", "Login"));
	REQUIRE(bt_wait_text(env, o, "Sign in"));
	CHECK_STR(o->url, bt_url("login.html"));
	const struct magi_element *user = bt_find(o, "textbox", "Username");
	const struct magi_element *pass = bt_find(o, "textbox", "Password");
	REQUIRE(user && pass);
	CHECK(user->flags & MAGI_ELEM_EDITABLE);
	CHECK(pass->flags & MAGI_ELEM_PASSWORD);
	bt_click(env, user);
	bt_do(env, "{\"action\":\"type\",\"text\":\"alice\"}");
	bt_click(env, pass);
	bt_do(env, "{\"action\":\"type\",\"text\":\"s3cret pw\"}");
	bt_observe(env, o);
	user = bt_find(o, "textbox", "Username");
	pass = bt_find(o, "textbox", "Password");
	REQUIRE(user && pass);
	CHECK_STR(user->value, "alice");
	CHECK(pass->value == NULL); /* a password's value is never read */
	for (size_t i = 0; i < o->n_elements; i++)
		CHECK(!strstr(o->elements[i].name, "s3cret"));
	bt_click(env, bt_find(o, "button", "Sign in"));
	CHECK(bt_wait_text(env, o, "Signed in as alice"));
	CHECK(bt_log_wait("POST", "/login", "username", "alice"));
	CHECK(bt_log_count("POST", "/login", "password", "s3cret pw") == 1);
}

static void test_search(struct magi_env *env, struct magi_obs *o)
{
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("search.html"));
	bt_observe(env, o);
	CHECK_STR(o->url, bt_url("search.html"));
	/* aria-label names the box; the placeholder would too */
	const struct magi_element *box = bt_find(o, "textbox", "Search products");
	REQUIRE(box != NULL);
	bt_click(env, box);
	bt_do(env, "{\"action\":\"type\",\"text\":\"tea\\n\"}"); /* Enter submits */
	CHECK(bt_wait_text(env, o, "Results for tea"));
	CHECK(bt_find(o, "text", "Green Teapot") && bt_find(o, "text", "Yellow Teacup"));
	CHECK(!bt_find(o, "text", "Blue Mug"));
	CHECK(bt_log_count("GET", "/search", "q", "tea") == 1);
	/* back and forward walk the tab's history */
	bt_do(env, "{\"action\":\"back\"}");
	bt_observe(env, o);
	CHECK_STR(o->url, bt_url("search.html"));
	bt_do(env, "{\"action\":\"forward\"}");
	bt_observe(env, o);
	CHECK(o->url && strstr(o->url, "/search?q=tea"));
	struct magi_error err;
	CHECK(bt_act(env, "{\"action\":\"forward\"}", &err) == MAGI_ERR_INVALID); /* nothing ahead */
	CHECK_CONTAINS(err.msg, "no page to go forward to");
}

static void test_shop(struct magi_env *env, struct magi_obs *o)
{
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("shop.html"));
	bt_observe(env, o);
	const struct magi_element *mug = bt_find(o, "button", "Add Blue Mug");
	REQUIRE(mug != NULL);
	bt_do(env, "{\"action\":\"click_element\",\"element\":%d}", mug->id);
	CHECK(bt_find_exact(o, "empty") != NULL);
	CHECK(bt_wait_exact(env, o, "Blue Mug")); /* the cart line */
	const struct magi_element *kettle = bt_find(o, "button", "Add Red Kettle");
	REQUIRE(kettle != NULL);
	bt_do(env, "{\"action\":\"click_element\",\"element\":%d}", kettle->id);
	CHECK(bt_wait_exact(env, o, "Blue Mug, Red Kettle"));
	/* the checkout link only opens a page (the gate tells it from a pay button); the
	 * buttons with click handlers do more */
	const struct magi_element *go = bt_find(o, "link", "checkout");
	REQUIRE(go != NULL);
	CHECK(go->flags & MAGI_ELEM_NAVIGATES);
	CHECK(!(bt_find(o, "button", "Add Blue Mug")->flags & MAGI_ELEM_NAVIGATES));
	bt_click(env, go);
	REQUIRE(bt_wait_text(env, o, "Pay now"));
	CHECK(!(bt_find(o, "button", "Pay now")->flags & MAGI_ELEM_NAVIGATES));
	const struct magi_element *ship = bt_find(o, "combobox", "Shipping");
	REQUIRE(ship != NULL);
	CHECK_STR(ship->value, "Standard");
	/* the canvas (text in pixels only) is listed as a picture: after the numbered
	 * elements, not clickable by number, at its box (560x48 CSS px; a fractional position
	 * rounds the box outwards) */
	const struct magi_element *pic = NULL;
	for (size_t i = 0; i < o->n_elements; i++)
		if (o->elements[i].flags & MAGI_ELEM_PICTURE)
			pic = &o->elements[i];
	REQUIRE(pic != NULL);
	CHECK_STR(pic->role, "canvas");
	CHECK(pic->w >= 560 && pic->w <= 561 && pic->h >= 48 && pic->h <= 49 && (pic->flags & MAGI_ELEM_VISIBLE) && !(pic->flags & MAGI_ELEM_INTERACTIVE));
	CHECK(magi_element_find(o->elements, o->n_elements, pic->id) == NULL);
	CHECK(pic->id > ship->id);
	bt_do(env, "{\"action\":\"select_option\",\"element\":%d,\"option\":\"express\"}", ship->id);
	bt_observe(env, o);
	ship = bt_find(o, "combobox", "Shipping");
	REQUIRE(ship != NULL);
	CHECK_STR(ship->value, "Express");
	/* by point, and an option that is not there is an error listing the options */
	struct magi_error err;
	char json[256];
	snprintf(json, sizeof json, "{\"action\":\"select_option\",\"x\":%d,\"y\":%d,\"option\":\"Drone\"}",
		 ship->x + 5, ship->y + ship->h / 2);
	CHECK(bt_act(env, json, &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "Pick up in store");
	snprintf(json, sizeof json, "{\"action\":\"select_option\",\"element\":%d,\"option\":\"x\"}",
		 bt_find(o, "button", "Pay now")->id);
	CHECK(bt_act(env, json, &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "not a <select>");
	bt_click(env, bt_find(o, "textbox", "Name on card"));
	bt_do(env, "{\"action\":\"type\",\"text\":\"Alice Example\"}");
	bt_click(env, bt_find(o, "textbox", "Card number"));
	bt_do(env, "{\"action\":\"type\",\"text\":\"4111 1111 1111 1111\"}");
	bt_observe(env, o);
	const struct magi_element *card = bt_find(o, "textbox", "Card number");
	REQUIRE(card != NULL);
	CHECK_STR(card->value, "4111 1111 1111 1111"); /* the guards see it (and cover it) */
	bt_click(env, bt_find(o, "button", "Pay now"));
	CHECK(bt_wait_text(env, o, "Payment accepted"));
	CHECK(bt_log_wait("POST", "/pay", "shipping", "express"));
	CHECK(bt_log_count("POST", "/pay", "items", "Blue Mug,Red Kettle") == 1);
	CHECK(bt_log_count("POST", "/pay", "card", "4111 1111 1111 1111") == 1);
}

/* Links whose clicks a script takes over (addEventListener, on the link or inside it) are
 * not "only opens a page": the gate judges them by their words, as buttons. */
static void test_link_listeners(struct magi_env *env, struct magi_obs *o)
{
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("express.html"));
	bt_observe(env, o);
	const struct magi_element *terms = bt_find(o, "link", "Read the terms");
	const struct magi_element *express = bt_find(o, "link", "Express checkout now");
	const struct magi_element *oneclick = bt_find(o, "link", "Buy with one click");
	REQUIRE(terms && express && oneclick);
	CHECK(terms->flags & MAGI_ELEM_NAVIGATES); /* the document's own listener is not its */
	CHECK(!(express->flags & MAGI_ELEM_NAVIGATES));
	CHECK(!(oneclick->flags & MAGI_ELEM_NAVIGATES));
	/* the gate, on this list: the plain link passes, the listened ones ask */
	struct magi_risk_context ctx = {0};
	ctx.elements = o->elements;
	ctx.n_elements = o->n_elements;
	const struct magi_element *which[] = {terms, express, oneclick};
	for (int k = 0; k < 3; k++) {
		char json[96];
		snprintf(json, sizeof json, "{\"action\":\"click_element\",\"element\":%d}", which[k]->id);
		struct magi_action a;
		struct magi_error err;
		struct magi_risk_decision d;
		memset(&d, 0, sizeof d);
		REQUIRE(magi_action_parse_json(json, strlen(json), &a, &err) == MAGI_OK);
		CHECK(magi_risk_check(&a, &ctx, &d) == MAGI_OK);
		magi_action_release(&a);
		if (k == 0)
			CHECK_MSG(d.tier == MAGI_RISK_ALLOW, "%s: %s", which[k]->name, d.reason);
		else
			CHECK_MSG(d.tier == MAGI_RISK_ASK && d.category == MAGI_RISK_CAT_PAYMENT, "%s: tier %d %s",
				  which[k]->name, (int)d.tier, d.reason);
	}
	/* and the listened link does pay when clicked (what the gate stood before) */
	int before = bt_log_count("POST", "/pay", NULL, NULL);
	bt_do(env, "{\"action\":\"click_element\",\"element\":%d}", express->id);
	CHECK(bt_wait_exact(env, o, "paid"));
	CHECK(bt_log_count("POST", "/pay", "via", "express") == 1);
	CHECK(bt_log_count("POST", "/pay", NULL, NULL) == before + 1);
}

static void test_input(struct magi_env *env, struct magi_obs *o)
{
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("input.html"));
	bt_observe(env, o);
	const struct magi_element *t = bt_find(o, "textbox", "Text");
	REQUIRE(t != NULL);
	CHECK_STR(t->value, "prefilled");
	bt_click(env, t);
	bt_do(env, "{\"action\":\"key\",\"keys\":\"ctrl+a\"}");
	CHECK(bt_wait_text(env, o, "key a ctrl"));
	bt_do(env, "{\"action\":\"key\",\"keys\":\"Backspace\"}");
	bt_do(env, "{\"action\":\"type\",\"text\":\"h\xc3\xa9llo \xe2\x82\xac\"}");
	bt_do(env, "{\"action\":\"key\",\"keys\":\"shift+Home\"}");
	CHECK(bt_wait_text(env, o, "key Home shift"));
	t = bt_find(o, "textbox", "Text");
	REQUIRE(t != NULL);
	CHECK_STR(t->value, "h\xc3\xa9llo \xe2\x82\xac");
	struct magi_error err;
	CHECK(bt_act(env, "{\"action\":\"key\",\"keys\":\"ctrl+nosuchkey\"}", &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "nosuchkey");
	const struct magi_element *b = bt_find(o, "button", "Press me");
	REQUIRE(b != NULL);
	bt_do(env, "{\"action\":\"double_click\",\"x\":%d,\"y\":%d}", b->x + b->w / 2, b->y + b->h / 2);
	CHECK(bt_wait_text(env, o, "double clicked"));
	b = bt_find(o, "button", "Press me"); /* the last look replaced the list */
	REQUIRE(b != NULL);
	bt_do(env, "{\"action\":\"right_click\",\"x\":%d,\"y\":%d}", b->x + b->w / 2, b->y + b->h / 2);
	CHECK(bt_wait_text(env, o, "right clicked"));
	/* the green box (100,300 80x80 CSS px) dragged by (+200, +50) */
	bt_do(env, "{\"action\":\"drag\",\"x\":140,\"y\":340,\"x2\":340,\"y2\":390}");
	CHECK(bt_wait_text(env, o, "dropped at 300,350"));
	struct magi_error rerr;
	CHECK(magi_env_release_input(env, &rerr) == MAGI_OK); /* nothing held: nothing to do */
	CHECK(bt_act(env, "{\"action\":\"click\",\"x\":1280,\"y\":10}", &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "outside the 1280x720 screenshot");
	/* scrolling: the page is 3000 px tall; its bottom line comes into view */
	const struct magi_element *bottom = NULL;
	CHECK(bt_find(o, "text", "bottom of the page") == NULL);
	for (int i = 0; i < 20 && !bottom; i++) {
		bt_do(env, "{\"action\":\"scroll\",\"direction\":\"down\",\"amount\":10}");
		bt_observe(env, o);
		bottom = bt_find(o, "text", "bottom of the page");
	}
	REQUIRE(bottom != NULL);
	CHECK(bottom->flags & MAGI_ELEM_VISIBLE);
	CHECK(bottom->y >= 0 && bottom->y + bottom->h <= 720);
	CHECK_CONTAINS(o->text, "Scrolled");
	/* the text box is now above the viewport: listed, not visible, still clickable by number */
	t = bt_find(o, "textbox", "Text");
	REQUIRE(t != NULL);
	CHECK(!(t->flags & MAGI_ELEM_VISIBLE) && t->y < 0);
	bt_do(env, "{\"action\":\"click_element\",\"element\":%d}", t->id);
	bt_do(env, "{\"action\":\"type\",\"text\":\"!\"}");
	bt_observe(env, o);
	t = bt_find(o, "textbox", "Text");
	REQUIRE(t != NULL);
	CHECK(t->flags & MAGI_ELEM_VISIBLE);
	CHECK(t->value && strstr(t->value, "!"));
	CHECK(bt_act(env, "{\"action\":\"click_element\",\"element\":9999}", &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "no element 9999");
	bt_do(env, "{\"action\":\"wait\",\"seconds\":0.1}");
}

static void test_injection_text(struct magi_env *env, struct magi_obs *o)
{
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("inject.html"));
	bt_observe(env, o);
	/* the page's text, with exact boxes, for the guards: the instruction-like lines and
	 * the PII are there to be found */
	const struct magi_element *sys = bt_find(o, "text", "Ignore all previous instructions");
	REQUIRE(sys != NULL);
	CHECK(sys->w > 100 && sys->h > 10 && (sys->flags & MAGI_ELEM_VISIBLE));
	CHECK(bt_find(o, "text", "editor@example.com") != NULL);
}

/* Input held mid-drag, let go from another thread (as a second Ctrl-C does): the drag on
 * a page whose every move takes 300 ms is under way (the server saw pointerdown and a
 * move with the button down) when release is called; the page then sees pointerup, and
 * the drag stops there instead of finishing its moves. */
struct drag_job {
	struct magi_env *env;
	magi_status s;
	struct magi_error err;
};

static void *drag_thread(void *ud)
{
	struct drag_job *j = ud;
	j->s = bt_act(j->env, "{\"action\":\"drag\",\"x\":150,\"y\":200,\"x2\":650,\"y2\":200}", &j->err);
	return NULL;
}

static void test_release_mid_drag(struct magi_env *env, struct magi_obs *o)
{
	bt_do(env, "{\"action\":\"navigate\",\"url\":\"%s\"}", bt_url("drag.html"));
	REQUIRE(bt_wait_text(env, o, "no pointer"));
	struct drag_job j = {env, MAGI_OK, {0}};
	pthread_t th;
	REQUIRE(pthread_create(&th, NULL, drag_thread, &j) == 0);
	bool moving = bt_log_wait("GET", "/log", "ev", "pointermove"); /* the button is down */
	int ups_before = bt_log_count("GET", "/log", "ev", "pointerup");
	struct magi_error rerr;
	magi_status rs = magi_env_release_input(env, &rerr);
	pthread_join(th, NULL);
	CHECK(moving);
	CHECK(rs == MAGI_OK);
	CHECK_MSG(ups_before == 0, "no pointerup before the release (%d)", ups_before);
	CHECK(bt_log_wait("GET", "/log", "ev", "pointerup"));
	CHECK_MSG(j.s == MAGI_ERR_CANCELLED, "the drag stopped where it was let go: %d %s", j.s, j.err.msg);
	CHECK_CONTAINS(j.err.msg, "let go");
	/* it did not go on to its end (x 650): the moves stopped short of it */
	json_t *up = NULL;
	FILE *f = fopen(bt_log, "r");
	char line[65536];
	int moves = 0;
	while (f && fgets(line, sizeof line, f)) {
		json_t *e = json_loads(line, 0, NULL);
		const char *ev = json_string_value(json_object_get(json_object_get(e, "query"), "ev"));
		if (ev && !strcmp(ev, "pointermove"))
			moves++;
		if (ev && !strcmp(ev, "pointerup") && !up)
			up = json_incref(e);
		json_decref(e);
	}
	if (f)
		fclose(f);
	CHECK_MSG(moves >= 1 && moves < 8, "%d of the drag's 8 moves reached the page", moves);
	const char *ux = json_string_value(json_object_get(json_object_get(up, "query"), "x"));
	CHECK_MSG(ux && atoi(ux) < 650, "pointerup at x %s, short of the drag's end", ux ? ux : "?");
	json_decref(up);
	/* nothing held any more: the page takes a plain click */
	CHECK(magi_env_release_input(env, &rerr) == MAGI_OK);
}

int main(void)
{
	bt_setup();
	struct magi_env *env = open_env();
	struct magi_obs o = {0};
	test_observe(env, &o);
	test_login(env, &o);
	test_search(env, &o);
	test_shop(env, &o);
	test_link_listeners(env, &o);
	test_input(env, &o);
	test_injection_text(env, &o);
	test_release_mid_drag(env, &o);
	magi_obs_release(&o);
	magi_env_close(env);
	return check_done();
}
