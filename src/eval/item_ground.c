/* item_ground.c — grounding items, scored as ScreenSpot-Pro's eval_screenspot_pro.py
 * scores them: a positive sample is correct when the predicted point lies inside the
 * target box (edges included), "wrong_format" when the recipe gave no point; a negative
 * sample (the target is not on the screen) is correct when the recipe says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "eval/eval_internal.h"
#include "core/common.h"

json_t *magi__eval_run_ground(struct magi__eval_worker *w, const json_t *item, const char *run_dir)
{
	(void)w;
	(void)item;
	(void)run_dir;
	return json_pack("{s:b, s:f, s:s, s:s}", "success", 0, "score", 0.0, "status", "error", "error",
			 "grounding recipes are not built yet");
}
