/* grounding.h — what the two grounding recipes (ground.c, screenseeker.c) share: the
 * screenshot, one grounder call on an image and reading its point back into the image's
 * pixels, the decision (click the point or give up) and ending the run after it. */
#ifndef MAGI_RECIPES_GROUNDING_H
#define MAGI_RECIPES_GROUNDING_H
#include "recipes/recipes.h"

/* The grounder role's check: {"point": [x, y]} inside the coordinate range, or {"point":
 * null}; an optional "box" of four numbers. */
magi_status magi__ground_check(struct magi_call *c, const struct magi_json *reply, struct magi_error *err);
/* Asks `role` (a grounder) where `what` is on img (w x h pixels of img, or the current
 * screenshot when img is NULL): *found, the point and box in img's pixels (the box is
 * the point when the model gave none). The coordinate map of the image as sent goes to
 * *map (may be NULL). */
magi_status magi__ground_call(struct magi_run *r, const char *role, const struct magi_image *img, uint32_t w,
			      uint32_t h, const char *what, bool *found, double pt[2], double box[4],
			      struct magi_coord_map *map, struct magi_error *err);
/* The run's current screenshot (borrowed until the next observation), or NULL with
 * MAGI_ERR_UNSUPPORTED naming `recipe` when the environment has no screen. */
const struct magi_image *magi__ground_screen(struct magi_run *r, const char *recipe, struct magi_error *err);
/* d becomes a click at the screen pixel (x, y) — map is how the model saw the screen, the
 * action's coordinates are given in its space — or, when !found, a done that failed with
 * `why` as its thought. `how` is the operation's text for the click. */
void magi__ground_decision(struct magi_decision *d, bool found, int x, int y, const struct magi_coord_map *map,
			   const char *how, const char *why);
/* The recipes' after hook: one point is all a grounding recipe gives, the run ends. */
magi_status magi__ground_after(struct magi_run *r, const struct magi_decision *d, struct magi_error *err);
#endif
