/* recipes.h — the built-in recipes, one file each. They are written with magi/recipe.h
 * alone, like any recipe outside magi; recipes.c registers them. */
#ifndef MAGI_RECIPES_H
#define MAGI_RECIPES_H
#include "magi/recipe.h"
#include "core/magi_banned.h"

extern const struct magi_recipe magi__recipe_single;
extern const struct magi_recipe magi__recipe_mobile_agent_v2;
extern const struct magi_recipe magi__recipe_mobileuse;
extern const struct magi_recipe magi__recipe_mobileuse_explore;
extern const struct magi_recipe magi__recipe_ponder_press;
extern const struct magi_recipe magi__recipe_uniform;
extern const struct magi_recipe magi__recipe_avp;
extern const struct magi_recipe magi__recipe_lvagent;
extern const struct magi_recipe magi__recipe_ground;
extern const struct magi_recipe magi__recipe_screenseeker;
extern const struct magi_recipe magi__recipe_native;
#endif
