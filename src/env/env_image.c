/* env_image.c — a fixed screenshot as an environment, for grounding tasks: observing
 * returns the image; clicks are accepted (and recorded by the trace) but change nothing.
 * The first observation takes the decoded image itself (a grounding run observes once, and
 * a copy of a 4K screen costs as much as a fifth of its decode); a later one decodes the
 * file again. */
#include <stdlib.h>
#include <string.h>
#include "env/env_internal.h"
#include "core/common.h"

struct image_env {
	struct magi_image *img; /* NULL once handed to an observation */
	uint32_t w, h;
	char *path;
};

static magi_status img_observe(void *data, struct magi_obs *obs, struct magi_error *err)
{
	struct image_env *e = data;
	if (e->img) {
		obs->screenshot = e->img;
		e->img = NULL;
	} else {
		magi_status s = magi_image_load(e->path, &obs->screenshot, err);
		if (s)
			return s;
	}
	obs->app = magi__strdup(e->path);
	return MAGI_OK;
}

static magi_status img_act(void *data, const struct magi_action *a, struct magi_error *err)
{
	struct image_env *e = data;
	if (a->has_point && (a->x < 0 || a->y < 0 || a->x >= e->w || a->y >= e->h))
		return magi_error_set(err, MAGI_ERR_INVALID, "point (%.0f, %.0f) is outside the %ux%u image",
				      a->x, a->y, e->w, e->h);
	return MAGI_OK;
}

static uint32_t img_caps(void *data)
{
	(void)data;
	return MAGI_ACT_BIT(MAGI_ACT_CLICK) | MAGI_ACT_BIT(MAGI_ACT_DOUBLE_CLICK) |
	       MAGI_ACT_BIT(MAGI_ACT_RIGHT_CLICK) | MAGI_ACT_BIT(MAGI_ACT_WAIT);
}

static void img_close(void *data)
{
	struct image_env *e = data;
	magi_image_free(e->img);
	free(e->path);
	free(e);
}

static const struct magi_env_ops image_ops = {"image", img_observe, img_act, NULL, img_close, img_caps, NULL};

magi_status magi__env_image_wrap(const char *path, struct magi_image *img, struct magi_env **out,
				 struct magi_error *err)
{
	*out = NULL;
	struct image_env *e = calloc(1, sizeof *e);
	if (!e || !(e->path = magi__strdup(path))) {
		free(e);
		magi_image_free(img);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	e->img = img;
	e->w = img->w;
	e->h = img->h;
	magi_status s = magi_env_wrap(&image_ops, e, out);
	if (s)
		img_close(e);
	return s;
}

magi_status magi__env_image_open(const char *path, struct magi_env **out, struct magi_error *err)
{
	*out = NULL;
	struct magi_image *img;
	magi_status s = magi_image_load(path, &img, err);
	return s ? s : magi__env_image_wrap(path, img, out, err);
}
