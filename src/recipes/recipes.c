/* recipes.c — the registry of GUI recipes and magi_run_gui. */
#include <string.h>
#include "recipes/recipes.h"
#include "core/common.h"

static const struct magi__recipe *const all[] = {&magi__recipe_single, &magi__recipe_mobile_agent_v2};
static const char *const names[] = {"single", "mobile-agent-v2", NULL};

const char *const *magi_recipe_names(void)
{
	return names;
}

static const struct magi__recipe *find(const char *name)
{
	for (size_t i = 0; i < MAGI_ARRAY_LEN(all); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	if (!strcmp(name, "mobile-agent") || !strcmp(name, "mav2") || !strcmp(name, "mobile_agent_v2"))
		return &magi__recipe_mobile_agent_v2;
	return NULL;
}

const char *magi_recipe_describe(const char *name)
{
	const struct magi__recipe *r = find(name);
	return r ? r->description : NULL;
}

magi_status magi_run_gui(struct magi_env *env, struct magi_team *team, const struct magi_run_params *p,
			 struct magi_run_result *res, struct magi_error *err)
{
	const char *name = p->recipe ? p->recipe : "mobile-agent-v2";
	const struct magi__recipe *r = find(name);
	if (!r) {
		memset(res, 0, sizeof *res);
		return magi_error_set(err, MAGI_ERR_NOT_FOUND, "unknown recipe '%s' (known: single, mobile-agent-v2)",
				      name);
	}
	return magi__run_loop(env, team, p, r, res, err);
}
