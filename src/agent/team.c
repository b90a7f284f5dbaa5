/* team.c — teams: role -> client bindings, and what a team decides together (a majority
 * vote; peer scores that eliminate the weakest member, ties going against the least
 * trusted). */
#include <math.h>
#include <stdlib.h>
#include <strings.h>
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

struct magi_client *magi__team_bound(const struct magi_team *t, const char *role)
{
	for (int i = 0; t && role && i < t->n; i++)
		if (!strcmp(t->roles[i], role))
			return t->clients[i];
	return NULL;
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

int magi_team_vote(const char *const *answers, size_t n, int *votes)
{
	int best = -1, bv = 0;
	for (size_t i = 0; answers && i < n; i++) {
		if (!answers[i])
			continue;
		int c = 0;
		for (size_t j = 0; j < n; j++)
			c += answers[j] && !strcasecmp(answers[i], answers[j]);
		/* strictly more: on a tie the earlier, more trusted member keeps it */
		if (c > bv) {
			bv = c;
			best = (int)i;
		}
	}
	if (votes)
		*votes = bv;
	return best;
}

int magi_team_eliminate(const double *scores, size_t n, const bool *alive, double *totals)
{
	int out = -1;
	double out_total = 0;
	for (size_t j = 0; j < n; j++) {
		double t = 0;
		if (!alive || alive[j])
			for (size_t i = 0; scores && i < n; i++) {
				double x = scores[i * n + j];
				if (i != j && (!alive || alive[i]) && isfinite(x))
					t += x;
			}
		if (totals)
			totals[j] = t;
		if (alive && !alive[j])
			continue;
		/* lowest total leaves; on a tie the later (less trusted) member */
		if (out < 0 || t <= out_total) {
			out = (int)j;
			out_total = t;
		}
	}
	return out;
}
