/* roles.c — what `magi run` and `magi video ask` share about recipes: their names for
 * messages, and binding each role of the chosen recipe to a configured model. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

void cli_recipe_list(enum magi_recipe_kind kind, char *out, size_t n)
{
	size_t k = 0;
	out[0] = '\0';
	const struct magi_recipe *rc;
	for (size_t i = 0; (rc = magi_recipe_at(i)) && k + 1 < n; i++)
		if (rc->kind == kind)
			k += (size_t)snprintf(out + k, n - k, "%s%s", k ? ", " : "", rc->name);
}

/* The roles a run of rc can bind: the recipe's, then the core's perception roles that
 * every screen recipe has unless it declares its own (captioner, for --icons). */
static size_t n_role_names(const struct magi_recipe *rc)
{
	return rc->n_roles + (rc->kind == MAGI_RECIPE_SCREEN && !magi_recipe_role(rc, "captioner"));
}

static const char *role_name(const struct magi_recipe *rc, size_t i)
{
	return i < rc->n_roles ? rc->roles[i].name : "captioner";
}

static void role_list(const struct magi_recipe *rc, char *out, size_t n)
{
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n_role_names(rc) && k + 1 < n; i++)
		k += (size_t)snprintf(out + k, n - k, "%s%s", i ? ", " : "", role_name(rc, i));
}

int cli_bind_roles(const struct magi_recipe *rc, const char *const *specs, int n_specs,
		   const struct cli_model_opts *mo, struct magi_config **cfg, struct magi_team *team,
		   struct magi_client **clients, int max, int *n)
{
	for (int i = 0; i < n_specs; i++) {
		const char *eq = strchr(specs[i], '=');
		bool ok = false;
		for (size_t k = 0; eq && k < n_role_names(rc); k++)
			ok |= strlen(role_name(rc, k)) == (size_t)(eq - specs[i]) &&
			      !strncmp(specs[i], role_name(rc, k), (size_t)(eq - specs[i]));
		if (!ok) {
			char names[512];
			role_list(rc, names, sizeof names);
			cli_error("--role %s: the roles of %s are %s", specs[i], rc->name, names);
			return EXIT_USAGE;
		}
	}
	for (size_t k = 0; k < n_role_names(rc); k++) {
		const char *role = role_name(rc, k), *model = NULL;
		size_t rl = strlen(role);
		for (int i = 0; i < n_specs; i++)
			if (!strncmp(specs[i], role, rl) && specs[i][rl] == '=')
				model = specs[i] + rl + 1;
		/* --model picks one model for everything; else magi.yaml's roles: section */
		if (!model && !mo->model)
			model = magi_config_role_model(*cfg, role);
		if (!model)
			continue;
		if (*n == max) {
			cli_error("too many role bindings (at most %d)", max);
			return EXIT_USAGE;
		}
		struct cli_model_opts ro = *mo;
		ro.model = model;
		int rc2 = cli_make_client(&ro, cfg, NULL, &clients[*n]);
		if (rc2)
			return rc2;
		magi_team_bind(team, role, clients[(*n)++]);
	}
	return EXIT_OK;
}
