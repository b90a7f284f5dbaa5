/* test_agent.c — the agent core's pure parts: the lenient multiple-choice reading of a
 * reply that is not the JSON asked for, the section and letter parsers, the team helpers
 * (majority vote, peer-score elimination with its tie-breaks), the recipe API's JSON
 * values, and the recipe registry's checks. */
#include <math.h>
#include "magi/magi.h"
#include "agent/parse.h"
#include "check.h"

static const char *const choices[] = {"A) 4821", "B) a blue door", "C) a test card", "D) 12"};

static char choice(const char *text)
{
	char l = 0;
	return magi__parse_choice(text, "ABCD", choices, 4, &l) ? l : 0;
}

static void lenient(void)
{
	CHECK(choice("Answer: C") == 'C');
	CHECK(choice("(C)") == 'C');
	CHECK(choice("C. a test card") == 'C');
	CHECK(choice("The answer is C") == 'C');
	CHECK(choice("The answer is C.") == 'C');
	CHECK(choice("answer: b") == 'B');
	CHECK(choice("**Answer:** D") == 'D');
	CHECK(choice("I think the answer is (B) because the door is blue.") == 'B');
	CHECK(choice("A test card is shown, so: C") == 'C'); /* "A" the article is no option */
	CHECK(choice("a test card") == 'C');			  /* the text of one choice */
	CHECK(choice("  A blue door.  ") == 'B');
	CHECK(choice("{\"answer\": \"C\", \"evidence\": [") == 'C'); /* cut-off JSON */
	/* none, or more than one: the repair retry asks again */
	CHECK(choice("C or D") == 0);
	CHECK(choice("Answer: A, though B is possible") == 0);
	CHECK(choice("I cannot tell from these frames.") == 0);
	CHECK(choice("E") == 0);
	CHECK(choice("") == 0);
	char l;
	CHECK(!magi__parse_choice("Answer: C", "", choices, 0, &l)); /* an open question */
}

static void parsers(void)
{
	static const char *const req[] = {"action", NULL};
	json_t *o = NULL;
	struct magi_error e;
	CHECK(magi__parse_sections("### Thought ###\nhm\n### Action ###\n{\"action\":\"done\"}\n", req, &o, &e) == MAGI_OK);
	CHECK_STR(json_string_value(json_object_get(o, "action")), "{\"action\":\"done\"}");
	json_decref(o);
	CHECK(magi__parse_sections("### Thought ###\nno action here", req, &o, &e) == MAGI_ERR_PARSE);
	CHECK_CONTAINS(e.msg, "### Action ###");
	char c;
	CHECK(magi__parse_letter("### Thought ###\nsame\n### Answer ###\nC", "ABC", &c, &e) == MAGI_OK && c == 'C');
	CHECK(magi__parse_letter("no idea", "ABC", &c, &e) == MAGI_ERR_PARSE);
}

static void team(void)
{
	int votes = -1;
	const char *a[] = {"B", "A", "a", NULL};
	CHECK(magi_team_vote(a, 4, &votes) == 1 && votes == 2); /* "A" twice, case-insensitive */
	const char *tie[] = {"B", "A", "A", "B"};
	CHECK(magi_team_vote(tie, 4, &votes) == 0 && votes == 2); /* a tie: the most trusted */
	const char *none[] = {NULL, NULL};
	CHECK(magi_team_vote(none, 2, &votes) == -1 && votes == 0);

	/* scores[i*n+j]: what i gave j */
	double s[9] = {NAN, 8, 3, 7, NAN, 4, 9, 5, NAN};
	double tot[3];
	CHECK(magi_team_eliminate(s, 3, NULL, tot) == 2); /* totals 16, 13, 7 */
	CHECK(tot[0] == 16 && tot[1] == 13 && tot[2] == 7);
	double t2[4] = {NAN, 5, 5, NAN}; /* a tie: the least trusted (last) leaves */
	CHECK(magi_team_eliminate(t2, 2, NULL, NULL) == 1);
	bool alive[3] = {true, true, false}; /* the dead neither score nor are scored */
	CHECK(magi_team_eliminate(s, 3, alive, tot) == 0 && tot[0] == 7 && tot[1] == 8);
	double missing[4] = {NAN, NAN, 6, NAN}; /* member 0 gave no scores */
	CHECK(magi_team_eliminate(missing, 2, NULL, tot) == 1 && tot[0] == 6 && tot[1] == 0);
	bool dead[2] = {false, false};
	CHECK(magi_team_eliminate(missing, 2, dead, NULL) == -1);
}

static void json_values(void)
{
	struct magi_json *j = NULL;
	struct magi_error e;
	REQUIRE(magi_json_parse("{\"evidence\":[{\"start\":\"00:02:21\",\"end\":\"141.5 s\"}],\"fps\":\"0.5\","
				"\"ok\":true,\"conf\":\"85%\",\"s\":{\"agent1\":7}}",
				&j, &e) == MAGI_OK);
	CHECK(magi_json_seconds(j, "evidence.0.start", -1) == 141);
	CHECK(magi_json_seconds(j, "evidence.0.end", -1) == 141.5);
	CHECK(magi_json_num(j, "fps", -1) == 0.5);
	CHECK(magi_json_num(j, "conf", -1) == 85);
	CHECK(magi_json_bool(j, "ok", false));
	CHECK(magi_json_num(j, "s.agent1", 0) == 7);
	CHECK(magi_json_len(j, "evidence") == 1 && magi_json_len(j, "s") == 1);
	CHECK_STR(magi_json_key(magi_json_get(j, "s"), 0), "agent1");
	CHECK(magi_json_get(j, "evidence.1") == NULL && magi_json_get(j, "evidence.x") == NULL);
	CHECK(isnan(magi_json_num(j, "missing.path", NAN)));
	CHECK(magi_json_type_at(j, "evidence") == MAGI_JSON_ARRAY && magi_json_type_at(j, "nope") == MAGI_JSON_NULL);
	char *t = magi_json_text(j, "s");
	CHECK_STR(t, "{\"agent1\":7}");
	free(t);
	struct magi_json *o = magi_json_object(), *arr = magi_json_array();
	CHECK(magi_json_set_str(o, "k", "v") == MAGI_OK && magi_json_push_num(arr, 3) == MAGI_OK);
	CHECK(magi_json_set(o, "a", arr) == MAGI_OK);
	t = magi_json_text(o, NULL);
	CHECK_STR(t, "{\"k\":\"v\",\"a\":[3]}");
	free(t);
	CHECK(magi_json_set_str((struct magi_json *)magi_json_get(o, "a"), "x", "y") == MAGI_ERR_INVALID);
	magi_json_free(o);
	CHECK(magi_json_parse("{\"a\":", &o, &e) == MAGI_ERR_PARSE && o == NULL);
	magi_json_free(j);
}

static magi_status decide(struct magi_run *r, struct magi_decision *d, struct magi_error *err)
{
	return magi_run_decide(r, "decision", d, err);
}

static magi_status step(struct magi_run *r, struct magi_error *err)
{
	(void)r;
	(void)err;
	return MAGI_OK;
}

static void registry(void)
{
	static const struct magi_role roles[] = {{.name = "decision", .parser = MAGI_PARSER_SECTIONS}};
	static const struct magi_role twice[] = {{.name = "a"}, {.name = "a"}};
	struct magi_error e;
	struct magi_recipe ok = {.name = "test-ok", .kind = MAGI_RECIPE_SCREEN, .roles = roles, .n_roles = 1, .decide = decide};
	CHECK(magi_recipe_find("single") && magi_recipe_find("mav2") == magi_recipe_find("mobile-agent-v2"));
	CHECK(magi_recipe_find("avp")->kind == MAGI_RECIPE_VIDEO);
	CHECK(magi_recipe_register(&ok, &e) == MAGI_OK);
	CHECK(magi_recipe_find("test-ok") == &ok);
	CHECK(magi_recipe_register(&ok, &e) == MAGI_ERR_INVALID); /* taken */
	CHECK_CONTAINS(e.msg, "registered already");
	bool listed = false;
	for (const char *const *n = magi_recipe_names(); *n; n++)
		listed |= !strcmp(*n, "test-ok");
	CHECK(listed);
	struct magi_recipe bad = ok;
	bad.name = "Bad Name";
	CHECK(magi_recipe_register(&bad, &e) == MAGI_ERR_INVALID);
	bad.name = "no-hook";
	bad.decide = NULL;
	CHECK(magi_recipe_register(&bad, &e) == MAGI_ERR_INVALID);
	bad.decide = decide;
	bad.step = step; /* a screen recipe with a step hook */
	CHECK(magi_recipe_register(&bad, &e) == MAGI_ERR_INVALID);
	struct magi_recipe dup = {.name = "dup-roles", .kind = MAGI_RECIPE_VIDEO, .roles = twice, .n_roles = 2, .step = step};
	CHECK(magi_recipe_register(&dup, &e) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(e.msg, "declared twice");
	static const char *const alias[] = {"single", NULL};
	struct magi_recipe al = {.name = "alias-taken", .kind = MAGI_RECIPE_VIDEO, .roles = roles, .n_roles = 1,
				 .step = step, .aliases = alias};
	CHECK(magi_recipe_register(&al, &e) == MAGI_ERR_INVALID);
	CHECK(magi_recipe_role(magi_recipe_find("avp"), "observer") != NULL);
	CHECK(magi_recipe_role(magi_recipe_find("avp"), "nobody") == NULL);
}

int main(void)
{
	lenient();
	parsers();
	team();
	json_values();
	registry();
	return check_done();
}
