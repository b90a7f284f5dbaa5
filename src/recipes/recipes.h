/* recipes.h — the built-in GUI recipes (one file each). */
#ifndef MAGI_RECIPES_H
#define MAGI_RECIPES_H
#include "agent/agent_internal.h"

extern const struct magi__recipe magi__recipe_single;
extern const struct magi__recipe magi__recipe_mobile_agent_v2;
#endif
