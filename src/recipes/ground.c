/* ground.c — the grounding baseline: one grounder call on the whole screenshot, resized to
 * the model's pixel budget, gives one point; the recipe clicks it and ends. On a 4K screen
 * sent at a megapixel, small targets are a few pixels tall: this is what ScreenSpot-Pro
 * measures plain models on (its best plain model: 18.9%). */
#include <stdlib.h>
#include <string.h>
#include "recipes/grounding.h"

static magi_status ground_decide(struct magi_run *r, struct magi_decision *d, struct magi_error *err)
{
	struct magi_obs obs;
	memset(&obs, 0, sizeof obs);
	magi_status s = magi_env_observe(magi_run_env(r), &obs, err);
	if (s)
		return s;
	if (!obs.screenshot) {
		magi_obs_release(&obs);
		return magi_error_set(err, MAGI_ERR_UNSUPPORTED, "ground needs an environment with a screen");
	}
	bool found;
	double pt[2], box[4];
	struct magi_coord_map map;
	const struct magi_image *img = obs.screenshot;
	s = magi__ground_call(r, "grounder", img, img->w, img->h, magi_run_task(r), &found, pt, box, &map, err);
	if (!s && found) {
		d->screen.kind = MAGI_ACT_CLICK;
		d->screen.has_point = true;
		d->screen.x = (int)pt[0];
		d->screen.y = (int)pt[1];
		d->action = d->screen;
		magi_coords_from_screen(&map, (int)pt[0], (int)pt[1], &d->action.x, &d->action.y);
		d->map = map;
		d->operation = strdup("Click the element the grounder found");
	} else if (!s) {
		d->action.kind = d->screen.kind = MAGI_ACT_DONE;
		d->action.success = d->screen.success = false;
		d->thought = strdup("The grounder did not see the element on the screenshot.");
		d->operation = strdup("Give up: not found");
	}
	magi_obs_release(&obs);
	return s;
}

/* One point is all a grounding recipe gives: the run ends after its click. */
static magi_status ground_after(struct magi_run *r, const struct magi_decision *d, struct magi_error *err)
{
	(void)d;
	(void)err;
	magi_run_finish(r, "grounded", true);
	return MAGI_OK;
}

static const struct magi_role roles[] = {
	{.name = "grounder", .prompt = "ground/grounder", .parser = MAGI_PARSER_JSON, .check = magi__ground_check},
};

const struct magi_recipe magi__recipe_ground = {
	.name = "ground", .description = "one grounder call on the whole screenshot -> one point, clicked (ScreenSpot's baseline)",
	.kind = MAGI_RECIPE_SCREEN, MAGI_RECIPE_ROLES(roles), .decide = ground_decide, .after = ground_after};
