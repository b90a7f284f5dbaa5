/* single.c — the baseline: one model sees the screenshot and the perception list and
 * picks the next action; nothing checks or plans. */
#include "recipes/recipes.h"
#include "core/common.h"

static magi_status single_decide(struct magi__run *r, struct magi__decision *d, struct magi_error *err)
{
	return magi__agent_decide(r, "single/decision", d, err);
}

const struct magi__recipe magi__recipe_single = {
	"single",
	"one model: screenshot + perception list -> action (the baseline)",
	single_decide,
	NULL,
};
