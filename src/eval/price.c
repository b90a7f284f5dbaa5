/* price.c — a model's price per million tokens, read from magi.yaml's models section:
 *     models:
 *       big: {base_url: ..., price: {input: 2.5, output: 10}}   # USD per 1M tokens */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "eval/eval_internal.h"
#include "core/common.h"

magi_status magi_eval_price_from_config(const struct magi_config *cfg, const char *model,
					struct magi_eval_price *out, struct magi_error *err)
{
	memset(out, 0, sizeof *out);
	struct magi_model_params mp;
	magi_status s = magi_config_model(cfg, model, &mp, err);
	if (s)
		return s;
	char *mj = magi_config_section_json(cfg, "models");
	json_t *models = NULL;
	if (mj)
		magi__json_parse(mj, strlen(mj), "models", &models, NULL);
	free(mj);
	const json_t *price = json_object_get(json_object_get(models, mp.name), "price");
	if (price) {
		const json_t *in = json_object_get(price, "input"), *o = json_object_get(price, "output");
		bool ok = json_is_object(price) && json_object_size(price) == 2 && json_is_number(in) &&
			  json_is_number(o) && json_number_value(in) >= 0 && json_number_value(o) >= 0;
		if (!ok)
			s = magi_error_set(err, MAGI_ERR_CONFIG,
					   "%s: model '%s': price must be {input: USD, output: USD} per million tokens",
					   magi_config_source(cfg), mp.name);
		else {
			out->input_per_mtok = json_number_value(in);
			out->output_per_mtok = json_number_value(o);
		}
	}
	json_decref(models);
	return s;
}
