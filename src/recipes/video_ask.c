/* video_ask.c — magi_video_ask: picks the video recipe, runs it inside a video run, and the
 * small public helpers around it (defaults, recipe names, choice lists, releasing answers). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "recipes/video.h"
#include "core/common.h"

struct vrecipe {
	const char *name;
	const char *description;
	magi_status (*run)(struct magi__vrun *v, struct magi_error *err);
};

static const struct vrecipe recipes[] = {
	{"avp", "Active Video Perception: plan what to look at, observe it, reflect until the evidence suffices",
	 magi__video_avp},
	{"lvagent", "LVAgent: a team of models look, answer in parallel, discuss and drop the weakest until a majority",
	 magi__video_lvagent},
	{"uniform", "baseline: one call with K frames sampled uniformly over the video", magi__video_uniform},
};
static const char *const names[] = {"avp", "lvagent", "uniform", NULL};

const char *const *magi_video_recipe_names(void)
{
	return names;
}

static const struct vrecipe *find(const char *name)
{
	for (size_t i = 0; i < MAGI_ARRAY_LEN(recipes); i++)
		if (name && !strcmp(recipes[i].name, name))
			return &recipes[i];
	return NULL;
}

const char *magi_video_recipe_describe(const char *name)
{
	const struct vrecipe *r = find(name);
	return r ? r->description : NULL;
}

struct magi_video_ask_params magi_video_ask_params_default(void)
{
	struct magi_video_ask_params p = {0};
	p.recipe = "avp";
	p.rounds = 3;
	p.confidence = 0.7;
	p.runs_dir = "runs";
	p.repair_attempts = 2;
	p.threads = 2;
	p.report = true;
	return p;
}

void magi_video_answer_release(struct magi_video_answer *a)
{
	if (!a)
		return;
	free(a->answer);
	free(a->answer_text);
	free(a->justification);
	free(a->reason);
	for (size_t i = 0; i < a->n_evidence; i++) {
		free(a->evidence[i].description);
		free(a->evidence[i].image);
	}
	free(a->evidence);
	free(a->run_dir);
	memset(a, 0, sizeof *a);
}

void magi_video_choices_free(char **choices, size_t n)
{
	if (!choices)
		return;
	for (size_t i = 0; i < n; i++)
		free(choices[i]);
	free(choices);
}

magi_status magi_video_choices_parse(const char *spec, char ***out, size_t *n, struct magi_error *err)
{
	*out = NULL;
	*n = 0;
	if (!spec)
		return magi_error_set(err, MAGI_ERR_INVALID, "no choices given");
	size_t cap = 1;
	for (const char *p = spec; *p; p++)
		cap += *p == '|';
	if (cap > MAGI_VIDEO_MAX_CHOICES)
		return magi_error_set(err, MAGI_ERR_INVALID, "at most %d choices, got %zu", MAGI_VIDEO_MAX_CHOICES, cap);
	char **c = calloc(cap, sizeof *c);
	if (!c)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	size_t k = 0;
	const char *p = spec;
	for (;;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (!(c[k++] = magi__strndup(p, len))) {
			magi_video_choices_free(c, k);
			return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
		}
		if (!bar)
			break;
		p = bar + 1;
	}
	if (k < 2) {
		magi_video_choices_free(c, k);
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "choices '%.60s': give at least two, separated by '|': \"A) ...|B) ...\"", spec);
	}
	for (size_t i = 0; i < k; i++) {
		char want = (char)('A' + i);
		const char *x = c[i];
		if (!*x || toupper((unsigned char)x[0]) != want || !strchr(").:", x[1]) || !x[1] || !x[2]) {
			magi_error_set(err, MAGI_ERR_INVALID, "choice %zu '%.60s' does not start with '%c)' and a text", i + 1,
				       x, want);
			magi_video_choices_free(c, k);
			return MAGI_ERR_INVALID;
		}
		const char *t = x + 2;
		while (isspace((unsigned char)*t))
			t++;
		if (!*t) {
			magi_error_set(err, MAGI_ERR_INVALID, "choice %c has no text after '%.2s'", want, x);
			magi_video_choices_free(c, k);
			return MAGI_ERR_INVALID;
		}
	}
	*out = c;
	*n = k;
	return MAGI_OK;
}

magi_status magi_video_ask(const char *path, struct magi_team *team, const struct magi_video_ask_params *p,
			   struct magi_video_answer *out, struct magi_error *err)
{
	memset(out, 0, sizeof *out);
	if (!p)
		return magi_error_set(err, MAGI_ERR_INVALID, "no parameters given");
	const char *name = p->recipe ? p->recipe : "avp";
	const struct vrecipe *rc = find(name);
	if (!rc)
		return magi_error_set(err, MAGI_ERR_INVALID, "unknown video recipe '%s' (known: avp, lvagent, uniform)",
				      name);
	if (!strcmp(name, "lvagent")) {
		if (p->n_members < 2 || p->n_members > MAGI_VIDEO_MAX_MEMBERS || !p->members)
			return magi_error_set(err, MAGI_ERR_CONFIG,
					      "lvagent needs a team of 2 to %d models, got %zu (configure several models "
					      "and name them, e.g. --team fast,big,other)",
					      MAGI_VIDEO_MAX_MEMBERS, p->n_members);
		for (size_t i = 0; i < p->n_members; i++)
			if (!p->members[i])
				return magi_error_set(err, MAGI_ERR_CONFIG, "lvagent: team member %zu has no model", i + 1);
	} else if (!team) {
		return magi_error_set(err, MAGI_ERR_CONFIG, "no model team given");
	}
	struct magi__vrun v;
	magi_status s = magi__vrun_begin(&v, path, team, p, out, err);
	if (s)
		return s;
	struct magi_error rerr;
	magi_error_clear(&rerr);
	s = rc->run(&v, &rerr);
	if (!s && !out->answer)
		s = magi_error_set(&rerr, MAGI_ERR_MODEL, "the run ended without an answer");
	magi__vrun_end(&v, NULL, s, &rerr);
	if (s && err)
		*err = rerr;
	return s;
}
