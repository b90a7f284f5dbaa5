/* single.c — the baseline: one model sees the screenshot and the perception list and
 * picks the next action; nothing checks or plans. */
#include "recipes/recipes.h"

static magi_status single_decide(struct magi_run *r, struct magi_decision *d, struct magi_error *err)
{
	return magi_run_decide(r, "decision", d, err);
}

static const char *const action_sections[] = {"action", NULL};

static const struct magi_role roles[] = {
	{.name = "decision", .prompt = "single/decision", .parser = MAGI_PARSER_SECTIONS, .sections = action_sections},
};

const struct magi_recipe magi__recipe_single = {
	.name = "single", .description = "one model: screenshot + perception list -> action (the baseline)",
	.kind = MAGI_RECIPE_SCREEN, MAGI_RECIPE_ROLES(roles), .decide = single_decide, .demos = true,
	.no_before_screen = true};
