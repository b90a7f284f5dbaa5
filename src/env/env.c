/* env.c — the environment handle: spec dispatch, caps check, common wrapping. */
#include <stdlib.h>
#include <string.h>
#include "env/env_internal.h"
#include "core/common.h"

struct magi_env {
	const struct magi_env_ops *ops;
	void *data;
};

magi_status magi_env_wrap(const struct magi_env_ops *ops, void *data, struct magi_env **out)
{
	*out = NULL;
	if (!ops || !ops->observe || !ops->act || !ops->caps)
		return MAGI_ERR_INVALID;
	struct magi_env *e = calloc(1, sizeof *e);
	if (!e)
		return MAGI_ERR_NOMEM;
	e->ops = ops;
	e->data = data;
	*out = e;
	return MAGI_OK;
}

magi_status magi_env_open(const char *spec, struct magi_env **out, struct magi_error *err)
{
	*out = NULL;
	if (!spec || !*spec)
		return magi_error_set(err, MAGI_ERR_INVALID, "no environment given (try --env x11:99)");
	const char *colon = strchr(spec, ':');
	size_t kl = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *arg = colon ? colon + 1 : "";
	if (kl == 3 && !strncmp(spec, "x11", 3))
		return magi__env_x11_open(arg, out, err);
	if (kl == 5 && !strncmp(spec, "image", 5))
		return magi__env_image_open(arg, out, err);
	if (kl == 7 && !strncmp(spec, "browser", 7)) {
		struct magi_browser_params p = magi_browser_params_default();
		p.url = *arg ? arg : NULL;
		return magi_env_open_browser(&p, out, err);
	}
	return magi_error_set(err, MAGI_ERR_INVALID,
			      "unknown environment '%.*s' in '%s' (known: x11[:DISPLAY], image:FILE, browser[:URL])",
			      (int)kl, spec, spec);
}

void *magi__env_data(struct magi_env *env, const struct magi_env_ops *ops)
{
	return env && env->ops == ops ? env->data : NULL;
}

void magi_env_close(struct magi_env *env)
{
	if (!env)
		return;
	if (env->ops->close)
		env->ops->close(env->data);
	free(env);
}

const char *magi_env_name(const struct magi_env *env)
{
	return env->ops->name ? env->ops->name : "env";
}

uint32_t magi_env_caps(struct magi_env *env)
{
	return env->ops->caps(env->data);
}

magi_status magi_env_observe(struct magi_env *env, struct magi_obs *obs, struct magi_error *err)
{
	memset(obs, 0, sizeof *obs);
	double t0 = magi_now_ms();
	magi_status s = env->ops->observe(env->data, obs, err);
	if (s) {
		magi_obs_release(obs);
		return s;
	}
	if (!obs->capture_ms)
		obs->capture_ms = magi_now_ms() - t0;
	return MAGI_OK;
}

magi_status magi_env_act(struct magi_env *env, const struct magi_action *a, struct magi_error *err)
{
	/* answer/ask_user/done never reach an environment: the run loop handles them. */
	if (!(magi_env_caps(env) & MAGI_ACT_BIT(a->kind))) {
		struct magi_buf names;
		magi_buf_init(&names, 4096);
		uint32_t caps = magi_env_caps(env);
		for (int k = 0; k < MAGI_ACT__COUNT; k++)
			if (caps & MAGI_ACT_BIT(k))
				magi_buf_printf(&names, "%s%s", names.len ? ", " : "",
						magi_action_kind_name((enum magi_action_kind)k));
		magi_status s = magi_error_set(err, MAGI_ERR_UNSUPPORTED,
					       "the %s environment cannot perform '%s' (it supports: %s)",
					       magi_env_name(env), magi_action_kind_name(a->kind), names.data);
		magi_buf_release(&names);
		return s;
	}
	return env->ops->act(env->data, a, err);
}

magi_status magi_env_reset(struct magi_env *env, struct magi_error *err)
{
	return env->ops->reset ? env->ops->reset(env->data, err) : MAGI_OK;
}

void magi__elements_free(struct magi_element *el, size_t n)
{
	for (size_t i = 0; el && i < n; i++) {
		free(el[i].role);
		free(el[i].name);
		free(el[i].value);
		free(el[i].tag);
		free(el[i].path);
	}
	free(el);
}

void magi_obs_release(struct magi_obs *o)
{
	if (!o)
		return;
	magi_image_free(o->screenshot);
	free(o->text);
	free(o->app);
	free(o->url);
	magi__elements_free(o->elements, o->n_elements);
	memset(o, 0, sizeof *o);
}

const struct magi_element *magi_element_find(const struct magi_element *el, size_t n, int id)
{
	for (size_t i = 0; i < n && el && id > 0; i++)
		if (el[i].id == id && (el[i].flags & MAGI_ELEM_INTERACTIVE))
			return &el[i];
	return NULL;
}

const struct magi_element *magi_element_at(const struct magi_element *el, size_t n, double x, double y)
{
	const struct magi_element *best = NULL;
	for (size_t i = 0; i < n && el; i++) {
		const struct magi_element *e = &el[i];
		if (!(e->flags & MAGI_ELEM_INTERACTIVE) || !(e->flags & MAGI_ELEM_VISIBLE) || x < e->x ||
		    y < e->y || x >= e->x + e->w || y >= e->y + e->h)
			continue;
		if (!best || (long)e->w * e->h < (long)best->w * best->h)
			best = e;
	}
	return best;
}

magi_status magi_env_release_input(struct magi_env *env, struct magi_error *err)
{
	if (!env || !env->ops->release)
		return MAGI_OK;
	return env->ops->release(env->data, err);
}
