/* test_dom_text.c — a browser element list as the guards' input: DOM text runs and field
 * values become OCR-shaped lines with exact line boxes, passwords never do, and the PII
 * scan finds what they hold with boxes inside the elements'. The risk gate with the list:
 * click_element and clicks judged by the element they land on, typing by the field's
 * label, navigation by the allowlist. */
#include <stdio.h>
#include "check.h"
#include "magi/magi.h"

static struct magi_element el(const char *role, const char *name, const char *value, int x, int y, int w, int h,
			      uint32_t flags)
{
	struct magi_element e = {0};
	e.role = (char *)role;
	e.name = (char *)name;
	e.value = (char *)value;
	e.x = x, e.y = y, e.w = w, e.h = h;
	e.flags = flags | MAGI_ELEM_VISIBLE;
	return e;
}

static struct magi_risk_decision judge(const char *json, const struct magi_risk_context *ctx)
{
	struct magi_action a;
	struct magi_error err;
	struct magi_risk_decision d;
	memset(&d, 0, sizeof d);
	if (magi_action_parse_json(json, strlen(json), &a, &err) != MAGI_OK) {
		CHECK(!"action parses");
		return d;
	}
	CHECK(magi_risk_check(&a, ctx, &d) == MAGI_OK);
	magi_action_release(&a);
	return d;
}

static void test_gate(void)
{
	/* a product card that is clickable as a whole, with a Pay now button inside it */
	struct magi_element page[] = {
		el("link", "Blue mug, 12 EUR, details", NULL, 100, 100, 600, 300, MAGI_ELEM_INTERACTIVE),
		el("button", "Pay now", NULL, 500, 320, 150, 50, MAGI_ELEM_INTERACTIVE),
		el("textbox", "Card number", NULL, 100, 450, 400, 40, MAGI_ELEM_INTERACTIVE),
		el("text", "Pay now", NULL, 510, 330, 100, 20, MAGI_ELEM_TEXT),
	};
	for (int i = 0; i < 3; i++)
		page[i].id = i + 1;
	page[3].id = 4;
	CHECK(magi_element_find(page, 4, 2) == &page[1]);
	CHECK(magi_element_find(page, 4, 4) == NULL); /* text runs have no number to click */
	CHECK(magi_element_at(page, 4, 520, 340) == &page[1]);   /* the innermost */
	CHECK(magi_element_at(page, 4, 150, 150) == &page[0]);
	CHECK(magi_element_at(page, 4, 50, 50) == NULL);
	struct magi_risk_context ctx = {0};
	ctx.elements = page;
	ctx.n_elements = 4;
	struct magi_risk_decision d = judge("{\"action\":\"click_element\",\"element\":2}", &ctx);
	CHECK(d.category == MAGI_RISK_CAT_PAYMENT && d.tier == MAGI_RISK_ASK);
	CHECK_STR(d.element, "Pay now");
	d = judge("{\"action\":\"click_element\",\"element\":1}", &ctx);
	CHECK(d.tier == MAGI_RISK_ALLOW);
	CHECK_STR(d.element, "Blue mug, 12 EUR, details");
	d = judge("{\"action\":\"click\",\"x\":600,\"y\":345}", &ctx);
	CHECK(d.category == MAGI_RISK_CAT_PAYMENT);
	/* Enter in a field of a page with a Pay now button submits as the button would */
	d = judge("{\"action\":\"key\",\"keys\":\"Enter\"}", &ctx);
	CHECK(d.category == MAGI_RISK_CAT_PAYMENT && d.tier == MAGI_RISK_ASK);
	CHECK(strstr(d.reason, "Enter") && strstr(d.reason, "Pay now"));
	d = judge("{\"action\":\"type\",\"text\":\"Alice\\n\"}", &ctx);
	CHECK(d.category == MAGI_RISK_CAT_PAYMENT);
	d = judge("{\"action\":\"type\",\"text\":\"Alice\"}", &ctx);
	CHECK(d.tier == MAGI_RISK_ALLOW);
	d = judge("{\"action\":\"key\",\"keys\":\"Tab\"}", &ctx);
	CHECK(d.tier == MAGI_RISK_ALLOW);
	/* account changes ask */
	struct magi_element acct[] = {el("button", "Change password", NULL, 10, 10, 200, 40, MAGI_ELEM_INTERACTIVE)};
	acct[0].id = 1;
	struct magi_risk_context actx = {0};
	actx.elements = acct;
	actx.n_elements = 1;
	d = judge("{\"action\":\"click_element\",\"element\":1}", &actx);
	CHECK(d.category == MAGI_RISK_CAT_ACCOUNT && d.tier == MAGI_RISK_ASK);
	CHECK_STR(magi_risk_category_name(MAGI_RISK_CAT_ACCOUNT), "account");
	/* a link that only opens a page is not the deed its words name: "Go to checkout" opens
	 * the checkout, whose "Pay now" asks; a link that does more (a script, a click
	 * handler: no NAVIGATES flag) or names the deed outright still asks */
	struct magi_element shop[] = {
		el("link", "Go to checkout", NULL, 10, 10, 200, 40, MAGI_ELEM_INTERACTIVE | MAGI_ELEM_NAVIGATES),
		el("link", "Go to checkout", NULL, 10, 60, 200, 40, MAGI_ELEM_INTERACTIVE),
		el("link", "Pay now", NULL, 10, 110, 200, 40, MAGI_ELEM_INTERACTIVE | MAGI_ELEM_NAVIGATES),
		el("button", "Checkout", NULL, 10, 160, 200, 40, MAGI_ELEM_INTERACTIVE),
		el("link", "Delete account", NULL, 10, 210, 200, 40, MAGI_ELEM_INTERACTIVE | MAGI_ELEM_NAVIGATES),
	};
	for (int i = 0; i < 5; i++)
		shop[i].id = i + 1;
	struct magi_risk_context sctx = {0};
	sctx.elements = shop;
	sctx.n_elements = 5;
	d = judge("{\"action\":\"click_element\",\"element\":1}", &sctx);
	CHECK_MSG(d.tier == MAGI_RISK_ALLOW, "navigation link: %s", d.reason);
	d = judge("{\"action\":\"click\",\"x\":100,\"y\":30}", &sctx);
	CHECK(d.tier == MAGI_RISK_ALLOW);
	d = judge("{\"action\":\"click_element\",\"element\":2}", &sctx);
	CHECK(d.category == MAGI_RISK_CAT_PAYMENT && d.tier == MAGI_RISK_ASK);
	d = judge("{\"action\":\"click_element\",\"element\":3}", &sctx);
	CHECK(d.category == MAGI_RISK_CAT_PAYMENT && d.tier == MAGI_RISK_ASK);
	d = judge("{\"action\":\"click_element\",\"element\":4}", &sctx);
	CHECK(d.category == MAGI_RISK_CAT_PAYMENT && d.tier == MAGI_RISK_ASK);
	d = judge("{\"action\":\"click_element\",\"element\":5}", &sctx);
	CHECK(d.category == MAGI_RISK_CAT_DELETE && d.tier == MAGI_RISK_ASK);
	/* without the list, a number says nothing about what it clicks, nor Enter */
	ctx.elements = NULL;
	d = judge("{\"action\":\"click_element\",\"element\":2}", &ctx);
	CHECK(d.tier == MAGI_RISK_ALLOW);
	d = judge("{\"action\":\"key\",\"keys\":\"Enter\"}", &ctx);
	CHECK(d.tier == MAGI_RISK_ALLOW);
	/* a secret typed into the field clicked last: the label comes from the list */
	struct magi_secret_list sl;
	magi_secret_list_init(&sl);
	struct magi_error err;
	REQUIRE(magi_secret_list_add(&sl, "card=4111111111111111", &err) == MAGI_OK);
	ctx.elements = page;
	ctx.secrets = &sl;
	ctx.has_focus = true;
	ctx.focus_x = 200;
	ctx.focus_y = 470;
	d = judge("{\"action\":\"type\",\"text\":\"<secret:card>\"}", &ctx);
	CHECK(d.tier == MAGI_RISK_ALLOW);
	ctx.focus_y = 200; /* the card link: its name does not match the secret's */
	d = judge("{\"action\":\"type\",\"text\":\"<secret:card>\"}", &ctx);
	CHECK(d.category == MAGI_RISK_CAT_SECRET_LEAK);
	/* the list as lines: numbered, PII and secrets as labels, elements meeting injected
	 * text untrusted (the button, and the card around it) */
	page[2].value = "4111111111111111";
	page[0].flags &= ~(uint32_t)MAGI_ELEM_VISIBLE;
	struct magi_injection_region inj = {0};
	inj.has_box = true, inj.x = 490, inj.y = 310, inj.w = 20, inj.h = 20;
	snprintf(inj.reason, sizeof inj.reason, "asks to ignore previous instructions");
	struct magi_pii_params pp = magi_pii_params_default();
	pp.secrets = &sl;
	struct magi_buf b;
	magi_buf_init(&b, 0);
	CHECK(magi_guard_element_lines(page, 4, &pp, &inj, 1, NULL, 10, &b) == MAGI_OK);
	CHECK_STR(b.data, "[2] button <untrusted reason=\"asks to ignore previous instructions\">\"Pay now\"</untrusted> at (575, 345)\n"
			  "[3] textbox \"Card number\" value \"<secret:card>\" at (300, 470)\n"
			  "[1] link <untrusted reason=\"asks to ignore previous instructions\">\"Blue mug, 12 EUR, details\"</untrusted> (out of view)\n");
	magi_buf_reset(&b);
	pp.secrets = NULL;
	CHECK(magi_guard_element_lines(page, 4, &pp, NULL, 0, NULL, 1, &b) == MAGI_OK);
	CHECK_STR(b.data, "[2] button \"Pay now\" at (575, 345)\n(2 more not listed)\n");
	magi_buf_reset(&b);
	CHECK(magi_guard_element_lines(page, 4, &pp, NULL, 0, NULL, 10, &b) == MAGI_OK);
	CHECK(strstr(b.data, "value \"[card]\"") != NULL);
	magi_buf_reset(&b);
	CHECK(magi_guard_element_lines(page + 3, 1, &pp, NULL, 0, NULL, 10, &b) == MAGI_OK);
	CHECK_STR(b.data, "(none)\n");
	magi_buf_release(&b);
	magi_secret_list_release(&sl);
	/* navigation outside the allowlist */
	const char *allow[] = {"shop.example"};
	struct magi_risk_context nav = {0};
	nav.allowlist = allow;
	nav.n_allowlist = 1;
	d = judge("{\"action\":\"navigate\",\"url\":\"https://evil.example/x\"}", &nav);
	CHECK(d.category == MAGI_RISK_CAT_DOMAIN && d.tier == MAGI_RISK_ASK);
	d = judge("{\"action\":\"navigate\",\"url\":\"https://www.shop.example/cart\"}", &nav);
	CHECK(d.tier == MAGI_RISK_ALLOW);
	d = judge("{\"action\":\"new_tab\",\"url\":\"http://127.0.0.1:8000/\"}", &nav);
	CHECK(d.category == MAGI_RISK_CAT_DOMAIN);
}

int main(void)
{
	struct magi_element page[] = {
		el("textbox", "Card number", "4111 1111 1111 1111", 300, 200, 400, 40, MAGI_ELEM_INTERACTIVE),
		el("textbox", "Password", "hunter2", 300, 260, 400, 40, MAGI_ELEM_INTERACTIVE | MAGI_ELEM_PASSWORD),
		el("text", "Write to editor@example.com today", NULL, 20, 400, 340, 20, MAGI_ELEM_TEXT),
		el("button", "Send", NULL, 20, 500, 80, 30, MAGI_ELEM_INTERACTIVE),
		el("text", "hidden 555-867-5309", NULL, 20, 900, 200, 20, MAGI_ELEM_TEXT),
	};
	page[4].flags &= ~(uint32_t)MAGI_ELEM_VISIBLE; /* scrolled out of view */
	struct magi_ocr *o = NULL;
	REQUIRE(magi_guard_dom_ocr(page, 5, true, &o) == MAGI_OK && o);
	REQUIRE(o->n_lines == 2);
	CHECK_STR(o->lines[0].text, "4111 1111 1111 1111");
	CHECK(o->lines[0].x == 300 && o->lines[0].y == 200 && o->lines[0].w == 400 && o->lines[0].h == 40);
	CHECK_STR(o->lines[1].text, "Write to editor@example.com today");
	CHECK(o->n_words == 4 + 4);
	/* words share out the line box along its characters, left to right, inside it */
	for (size_t i = 0; i < o->n_words; i++) {
		const struct magi_ocr_line *ln = &o->lines[o->words[i].line];
		CHECK(o->words[i].x >= ln->x && o->words[i].x + o->words[i].w <= ln->x + ln->w);
		CHECK(o->words[i].y == ln->y && o->words[i].h == ln->h && o->words[i].conf == 100);
		if (i + 1 < o->n_words && o->words[i + 1].line == o->words[i].line)
			CHECK(o->words[i + 1].x >= o->words[i].x + o->words[i].w);
	}
	CHECK_STR(o->words[6].text, "editor@example.com");
	for (size_t i = 0; i < o->n_words; i++)
		CHECK(!strstr(o->words[i].text, "hunter2"));
	/* the PII scan on it: the card and the e-mail, boxed within their elements */
	struct magi_pii_finding *f = NULL;
	size_t n = 0;
	REQUIRE(magi_pii_scan_ocr(o, NULL, &f, &n) == MAGI_OK);
	int card = -1, email = -1;
	for (size_t i = 0; i < n; i++) {
		if (f[i].type == MAGI_PII_CARD)
			card = (int)i;
		if (f[i].type == MAGI_PII_EMAIL)
			email = (int)i;
	}
	REQUIRE(card >= 0 && email >= 0);
	CHECK(f[card].has_box && f[card].x >= 300 && f[card].x + f[card].w <= 700 && f[card].y == 200);
	CHECK(f[email].has_box && f[email].x > 20 + 60 && f[email].x + f[email].w < 20 + 340);
	magi_pii_findings_free(f, n);
	magi_ocr_free(o);
	/* everything, hidden text included */
	REQUIRE(magi_guard_dom_ocr(page, 5, false, &o) == MAGI_OK);
	CHECK(o->n_lines == 3);
	CHECK_STR(o->lines[2].text, "hidden 555-867-5309");
	magi_ocr_free(o);
	/* an empty list is an empty result */
	REQUIRE(magi_guard_dom_ocr(NULL, 0, true, &o) == MAGI_OK && o && o->n_lines == 0 && o->n_words == 0);
	magi_ocr_free(o);
	test_gate();
	return check_done();
}
