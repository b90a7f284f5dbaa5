/* ground.c — the grounding baseline: one grounder call on the whole screenshot, resized to
 * the model's pixel budget, gives one point; the recipe clicks it and ends. On a 4K screen
 * sent at a megapixel, small targets are a few pixels tall: this is what ScreenSpot-Pro
 * measures plain models on (its best plain model: 18.9%). */
#include "recipes/grounding.h"

static magi_status ground_decide(struct magi_run *r, struct magi_decision *d, struct magi_error *err)
{
	const struct magi_image *img = magi__ground_screen(r, "ground", err);
	if (!img)
		return err->status;
	bool found;
	double pt[2], box[4];
	struct magi_coord_map map;
	magi_status s = magi__ground_call(r, "grounder", img, img->w, img->h, magi_run_task(r), &found, pt, box, &map, err);
	if (!s)
		magi__ground_decision(d, found, (int)pt[0], (int)pt[1], &map, "Click the element the grounder found",
				      "The grounder did not see the element on the screenshot.");
	return s;
}

static const struct magi_role roles[] = {
	{.name = "grounder", .prompt = "ground/grounder", .parser = MAGI_PARSER_JSON, .check = magi__ground_check},
};

const struct magi_recipe magi__recipe_ground = {
	.name = "ground", .description = "one grounder call on the whole screenshot -> one point, clicked (ScreenSpot's baseline)",
	.kind = MAGI_RECIPE_SCREEN, MAGI_RECIPE_ROLES(roles), .decide = ground_decide, .after = magi__ground_after};
