/* recipes.c — the registry of recipes (the built-in ones, then any a program registers),
 * and the entry points that pick a recipe by name: magi_run_gui and magi_video_ask. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "recipes/recipes.h"

#define MAX_RECIPES 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct magi_recipe *all[MAX_RECIPES];
static size_t n_all;
/* NULL-terminated name lists per kind, rebuilt on every registration */
static const char *screen_names[MAX_RECIPES + 1], *video_names[MAX_RECIPES + 1];

static bool name_ok(const char *n)
{
	size_t l = n ? strlen(n) : 0;
	if (!l || l > 40)
		return false;
	for (; *n; n++)
		if (!islower((unsigned char)*n) && !isdigit((unsigned char)*n) && *n != '-' && *n != '_')
			return false;
	return true;
}

static bool names_match(const struct magi_recipe *rc, const char *name)
{
	if (!strcmp(rc->name, name))
		return true;
	for (const char *const *a = rc->aliases; a && *a; a++)
		if (!strcmp(*a, name))
			return true;
	return false;
}

static const struct magi_recipe *find_locked(const char *name)
{
	for (size_t i = 0; name && i < n_all; i++)
		if (names_match(all[i], name))
			return all[i];
	return NULL;
}

static magi_status check(const struct magi_recipe *rc, struct magi_error *err)
{
	if (!rc || !name_ok(rc->name))
		return magi_error_set(err, MAGI_ERR_INVALID, "recipe name '%s' must be 1-40 of a-z, 0-9, '-', '_'",
				      rc && rc->name ? rc->name : "(null)");
	if (rc->kind == MAGI_RECIPE_SCREEN ? !rc->decide || rc->step : rc->kind == MAGI_RECIPE_VIDEO ? !rc->step || rc->decide || rc->after : true)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "recipe %s: a screen recipe has a decide hook (and no step), a video recipe a step hook (and no decide/after)",
				      rc->name);
	if (!rc->roles || !rc->n_roles)
		return magi_error_set(err, MAGI_ERR_INVALID, "recipe %s has no roles", rc->name);
	for (size_t i = 0; i < rc->n_roles; i++) {
		const struct magi_role *ro = &rc->roles[i];
		if (!ro->name || !*ro->name)
			return magi_error_set(err, MAGI_ERR_INVALID, "recipe %s: role %zu has no name", rc->name, i + 1);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(rc->roles[j].name, ro->name))
				return magi_error_set(err, MAGI_ERR_INVALID, "recipe %s: role %s is declared twice", rc->name,
						      ro->name);
		if (ro->parser == MAGI_PARSER_LETTER && (!ro->letters || !*ro->letters))
			return magi_error_set(err, MAGI_ERR_INVALID, "recipe %s: letter role %s lists no letters", rc->name,
					      ro->name);
	}
	for (const char *const *a = rc->aliases; a && *a; a++)
		if (!name_ok(*a))
			return magi_error_set(err, MAGI_ERR_INVALID, "recipe %s: alias '%s' is not a valid name", rc->name, *a);
	if (find_locked(rc->name))
		return magi_error_set(err, MAGI_ERR_INVALID, "a recipe named %s is registered already", rc->name);
	for (const char *const *a = rc->aliases; a && *a; a++)
		if (find_locked(*a))
			return magi_error_set(err, MAGI_ERR_INVALID, "recipe %s: the name %s is taken already", rc->name, *a);
	if (n_all == MAX_RECIPES)
		return magi_error_set(err, MAGI_ERR_LIMIT, "at most %d recipes can be registered", MAX_RECIPES);
	return MAGI_OK;
}

static magi_status add_locked(const struct magi_recipe *rc, struct magi_error *err)
{
	magi_status s = check(rc, err);
	if (s)
		return s;
	all[n_all++] = rc;
	size_t ns = 0, nv = 0;
	for (size_t i = 0; i < n_all; i++) {
		if (all[i]->kind == MAGI_RECIPE_SCREEN)
			screen_names[ns++] = all[i]->name;
		else
			video_names[nv++] = all[i]->name;
	}
	screen_names[ns] = video_names[nv] = NULL;
	return MAGI_OK;
}

static void builtins(void)
{
	static const struct magi_recipe *const b[] = {&magi__recipe_single, &magi__recipe_mobile_agent_v2,
						     &magi__recipe_ponder_press, &magi__recipe_mobileuse,
						     &magi__recipe_mobileuse_explore, &magi__recipe_native, &magi__recipe_avp,
						     &magi__recipe_lvagent, &magi__recipe_uniform, &magi__recipe_ground,
						     &magi__recipe_screenseeker};
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < sizeof b / sizeof *b; i++) {
		struct magi_error e;
		if (add_locked(b[i], &e))
			fprintf(stderr, "magi: built-in recipe: %s\n", e.msg); /* a bug in magi itself */
	}
	pthread_mutex_unlock(&lock);
}

magi_status magi_recipe_register(const struct magi_recipe *rc, struct magi_error *err)
{
	pthread_once(&once, builtins);
	pthread_mutex_lock(&lock);
	magi_status s = add_locked(rc, err);
	pthread_mutex_unlock(&lock);
	return s;
}

const struct magi_recipe *magi_recipe_find(const char *name)
{
	pthread_once(&once, builtins);
	pthread_mutex_lock(&lock);
	const struct magi_recipe *rc = find_locked(name);
	pthread_mutex_unlock(&lock);
	return rc;
}

const struct magi_recipe *magi_recipe_at(size_t i)
{
	pthread_once(&once, builtins);
	pthread_mutex_lock(&lock);
	const struct magi_recipe *rc = i < n_all ? all[i] : NULL;
	pthread_mutex_unlock(&lock);
	return rc;
}

const struct magi_role *magi_recipe_role(const struct magi_recipe *rc, const char *name)
{
	for (size_t i = 0; rc && name && i < rc->n_roles; i++)
		if (!strcmp(rc->roles[i].name, name))
			return &rc->roles[i];
	return NULL;
}

const char *const *magi_recipe_names(void)
{
	pthread_once(&once, builtins);
	return screen_names;
}

const char *const *magi_video_recipe_names(void)
{
	pthread_once(&once, builtins);
	return video_names;
}

const char *magi_recipe_describe(const char *name)
{
	const struct magi_recipe *rc = magi_recipe_find(name);
	return rc ? rc->description : NULL;
}

const char *magi_video_recipe_describe(const char *name)
{
	const struct magi_recipe *rc = magi_recipe_find(name);
	return rc && rc->kind == MAGI_RECIPE_VIDEO ? rc->description : NULL;
}

/* The registered recipe of that kind and name, else an error listing the known ones. */
static magi_status lookup(const char *name, enum magi_recipe_kind kind, const struct magi_recipe **out,
			  struct magi_error *err)
{
	*out = magi_recipe_find(name);
	if (*out && (*out)->kind == kind)
		return MAGI_OK;
	char k[512];
	size_t n = 0;
	k[0] = '\0';
	for (const char *const *p = kind == MAGI_RECIPE_SCREEN ? magi_recipe_names() : magi_video_recipe_names();
	     *p && n + 1 < sizeof k; p++)
		n += (size_t)snprintf(k + n, sizeof k - n, "%s%s", n ? ", " : "", *p);
	const char *other = kind == MAGI_RECIPE_SCREEN ? ": it answers video questions (magi video ask)"
						       : ": it works on screens (magi run)";
	magi_status s = magi_error_set(err, kind == MAGI_RECIPE_SCREEN ? MAGI_ERR_NOT_FOUND : MAGI_ERR_INVALID,
				       "unknown %srecipe '%s'%s (known: %s)", kind == MAGI_RECIPE_SCREEN ? "" : "video ",
				       name, *out ? other : "", k);
	*out = NULL;
	return s;
}

magi_status magi_run_gui(struct magi_env *env, struct magi_team *team, const struct magi_run_params *p,
			 struct magi_run_result *res, struct magi_error *err)
{
	memset(res, 0, sizeof *res);
	const struct magi_recipe *rc;
	magi_status s = lookup(p && p->recipe ? p->recipe : "mobile-agent-v2", MAGI_RECIPE_SCREEN, &rc, err);
	return s ? s : magi_run_gui_recipe(env, team, rc, p, res, err);
}

magi_status magi_video_ask(const char *path, struct magi_team *team, const struct magi_video_ask_params *p,
			   struct magi_video_answer *out, struct magi_error *err)
{
	memset(out, 0, sizeof *out);
	if (!p)
		return magi_error_set(err, MAGI_ERR_INVALID, "no parameters given");
	const struct magi_recipe *rc;
	magi_status s = lookup(p->recipe ? p->recipe : "avp", MAGI_RECIPE_VIDEO, &rc, err);
	return s ? s : magi_video_ask_recipe(path, team, rc, p, out, err);
}
