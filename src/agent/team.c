/* team.c — role -> client bindings. */
#include <stdlib.h>
#include <string.h>
#include "agent/agent_internal.h"
#include "core/common.h"

#define MAX_BINDINGS 32

struct magi_team {
	struct magi_client *def;
	char *roles[MAX_BINDINGS];
	struct magi_client *clients[MAX_BINDINGS];
	int n;
};

magi_status magi_team_new(struct magi_client *default_client, struct magi_team **out)
{
	*out = NULL;
	if (!default_client)
		return MAGI_ERR_INVALID;
	struct magi_team *t = calloc(1, sizeof *t);
	if (!t)
		return MAGI_ERR_NOMEM;
	t->def = default_client;
	*out = t;
	return MAGI_OK;
}

void magi_team_free(struct magi_team *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->n; i++)
		free(t->roles[i]);
	free(t);
}

magi_status magi_team_bind(struct magi_team *t, const char *role, struct magi_client *c)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->roles[i], role)) {
			t->clients[i] = c;
			return MAGI_OK;
		}
	if (t->n == MAX_BINDINGS)
		return MAGI_ERR_LIMIT;
	if (!(t->roles[t->n] = magi__strdup(role)))
		return MAGI_ERR_NOMEM;
	t->clients[t->n++] = c;
	return MAGI_OK;
}

struct magi_client *magi_team_client(const struct magi_team *t, const char *role)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->roles[i], role))
			return t->clients[i];
	return t->def;
}

size_t magi__team_clients(const struct magi_team *t, struct magi_client **out, size_t max)
{
	size_t n = 0;
	if (max)
		out[n++] = t->def;
	for (int i = 0; i < t->n && n < max; i++)
		out[n++] = t->clients[i];
	return n;
}
