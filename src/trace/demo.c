/* demo.c — demonstrations (AdaptAgent, Verma et al., 2024, arXiv 2411.13451: one or two
 * multimodal human demonstrations given in context): a recorded successful run becomes a
 * task, its steps' actions and their screenshots downscaled. Read from a run directory
 * (trace.jsonl) or from the exported form (demo.json + images) that `magi trace
 * export-demo` writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "trace/trace_internal.h"
#include "core/json.h"
#include "core/common.h"

#define DEMO_FORMAT "magi-demo"
#define DEMO_MAX_STEPS 64

void magi_demo_free(struct magi_demo *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_steps; i++) {
		free(d->steps[i].action_json);
		free(d->steps[i].operation);
		free(d->steps[i].image_name);
		magi_image_free(d->steps[i].image);
	}
	free(d->steps);
	free(d->task);
	free(d->source);
	free(d);
}

static bool is_file(const char *dir, const char *name)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Loads dir/name shrunk to at most max_side on its longer side (0: as stored). */
static magi_status load_image(const char *dir, const char *name, uint32_t max_side, struct magi_image **out,
			      struct magi_error *err)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	struct magi_image *img = NULL;
	magi_status s = magi_image_load(p, &img, err);
	if (s)
		return s;
	uint32_t side = img->w > img->h ? img->w : img->h;
	if (max_side && side > max_side) {
		uint32_t w = (uint32_t)((double)img->w * max_side / side + 0.5), h = (uint32_t)((double)img->h * max_side / side + 0.5);
		struct magi_image *small = NULL;
		s = magi_image_resize(img, w ? w : 1, h ? h : 1, &small);
		magi_image_free(img);
		if (s)
			return magi_error_set(err, s, "%s: cannot shrink it", p);
		img = small;
	}
	*out = img;
	return MAGI_OK;
}

static magi_status add_step(struct magi_demo *d, const json_t *action, const char *operation, const char *image,
			    struct magi_error *err)
{
	if (d->n_steps == DEMO_MAX_STEPS)
		return magi_error_set(err, MAGI_ERR_LIMIT, "%s: more than %d steps; a demonstration should be short",
				      d->source, DEMO_MAX_STEPS);
	struct magi_demo_step *st = realloc(d->steps, (d->n_steps + 1) * sizeof *st);
	if (!st)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	d->steps = st;
	st = &d->steps[d->n_steps++];
	memset(st, 0, sizeof *st);
	st->action_json = magi__json_dump(action, false);
	st->operation = magi__strdup(operation ? operation : "");
	st->image_name = image && *image ? magi__strdup(image) : NULL;
	if (!st->action_json || !st->operation)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	return MAGI_OK;
}

/* The steps of a run directory: every step that acted or ended the run with done/answer. */
static magi_status from_run(struct magi_demo *d, const char *dir, struct magi_error *err)
{
	json_t *evs = NULL;
	magi_status s = magi__trace_load(dir, &evs, err);
	if (s)
		return s;
	const json_t *end = NULL;
	size_t i;
	json_t *ev;
	json_array_foreach(evs, i, ev)
	{
		const char *type = magi__json_str(ev, "type", "");
		if (!strcmp(type, "run_start") && !d->task)
			d->task = magi__strdup(magi__json_str(ev, "task", ""));
		else if (!strcmp(type, "run_end"))
			end = ev;
	}
	if (!end || !magi__json_bool(end, "success", false)) {
		s = magi_error_set(err, MAGI_ERR_INVALID,
				   "%s is not a successful run (%s): only a run that did its task can be a demonstration", dir,
				   end ? magi__json_str(end, "reason", "no reason") : "it has no run_end: unfinished or killed");
		json_decref(evs);
		return s;
	}
	json_array_foreach(evs, i, ev)
	{
		if (strcmp(magi__json_str(ev, "type", ""), "step"))
			continue;
		const json_t *a = json_object_get(ev, "action");
		/* steps the guard refused or that failed never happened on the screen */
		if (!json_is_object(a) || json_object_get(ev, "error") ||
		    !strcmp(magi__json_str(json_object_get(ev, "guard"), "decision", "allow"), "deny"))
			continue;
		if (!d->screen_w) {
			d->screen_w = (uint32_t)magi__json_int(ev, "screen_w", 0);
			d->screen_h = (uint32_t)magi__json_int(ev, "screen_h", 0);
		}
		if ((s = add_step(d, a, magi__json_str(ev, "operation", ""), magi__json_str(ev, "image", NULL), err)))
			break;
	}
	json_decref(evs);
	if (!s && !d->n_steps)
		s = magi_error_set(err, MAGI_ERR_INVALID, "%s: the run has no steps to show", dir);
	return s;
}

static magi_status from_export(struct magi_demo *d, const char *dir, struct magi_error *err)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/demo.json", dir);
	json_t *j = NULL;
	magi_status s = magi__json_load_file(p, &j, err);
	if (s)
		return s;
	const json_t *steps = json_object_get(j, "steps");
	if (strcmp(magi__json_str(j, "format", ""), DEMO_FORMAT) || !json_is_array(steps) || !json_array_size(steps) ||
	    !*magi__json_str(j, "task", "")) {
		json_decref(j);
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "%s: not a demonstration (wants {\"format\":\"" DEMO_FORMAT "\", \"task\", \"steps\": [...]})", p);
	}
	d->task = magi__strdup(magi__json_str(j, "task", ""));
	d->screen_w = (uint32_t)magi__json_int(j, "screen_w", 0);
	d->screen_h = (uint32_t)magi__json_int(j, "screen_h", 0);
	size_t i;
	json_t *st;
	json_array_foreach(steps, i, st)
	{
		const json_t *a = json_object_get(st, "action");
		if (!json_is_object(a)) {
			s = magi_error_set(err, MAGI_ERR_INVALID, "%s: step %zu has no \"action\" object", p, i + 1);
			break;
		}
		if ((s = add_step(d, a, magi__json_str(st, "operation", ""), magi__json_str(st, "image", NULL), err)))
			break;
	}
	json_decref(j);
	return s;
}

magi_status magi_demo_load(const char *path, uint32_t max_side, struct magi_demo **out, struct magi_error *err)
{
	*out = NULL;
	struct stat st;
	if (!path || stat(path, &st) || !S_ISDIR(st.st_mode))
		return magi_error_set(err, MAGI_ERR_INVALID, "demonstration %s: no such directory (give a run directory or one `magi trace export-demo` wrote)",
				      path ? path : "(null)");
	struct magi_demo *d = calloc(1, sizeof *d);
	if (!d || !(d->source = magi__strdup(path))) {
		free(d);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	magi_status s;
	if (is_file(path, "demo.json"))
		s = from_export(d, path, err);
	else if (is_file(path, "trace.jsonl"))
		s = from_run(d, path, err);
	else
		s = magi_error_set(err, MAGI_ERR_INVALID, "demonstration %s: neither a run directory (trace.jsonl) nor an exported demonstration (demo.json)",
				   path);
	for (size_t i = 0; !s && i < d->n_steps; i++)
		if (d->steps[i].image_name && (s = load_image(path, d->steps[i].image_name, max_side, &d->steps[i].image, err)))
			magi_error_set(err, s, "demonstration %s: step %zu: %s", path, i + 1, err ? err->msg : "");
	if (!s && !d->task)
		s = magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	if (s) {
		magi_demo_free(d);
		return s;
	}
	*out = d;
	return MAGI_OK;
}

magi_status magi_demo_export(const char *run_dir, const char *out_dir, uint32_t max_side, struct magi_error *err)
{
	struct magi_demo *d = NULL;
	magi_status s = magi_demo_load(run_dir, max_side, &d, err);
	if (s)
		return s;
	if ((s = magi_mkdirs(out_dir, err))) {
		magi_demo_free(d);
		return s;
	}
	json_t *steps = json_array();
	json_t *j = json_pack("{s:s, s:i, s:s, s:s, s:i, s:i, s:o}", "format", DEMO_FORMAT, "version", 1, "task", d->task,
			      "source", run_dir, "screen_w", (int)d->screen_w, "screen_h", (int)d->screen_h, "steps", steps);
	for (size_t i = 0; !s && i < d->n_steps; i++) {
		const struct magi_demo_step *st = &d->steps[i];
		json_t *a = json_loads(st->action_json, 0, NULL);
		json_t *o = json_pack("{s:i, s:o, s:s}", "step", (int)i + 1, "action", a ? a : json_null(), "operation",
				      st->operation);
		if (st->image) {
			char name[32], p[4096];
			snprintf(name, sizeof name, "step-%03zu.jpg", i + 1);
			snprintf(p, sizeof p, "%s/%s", out_dir, name);
			if (!(s = magi_image_save(st->image, p, err)))
				json_object_set_new(o, "image", json_string(name));
		}
		json_array_append_new(steps, o);
	}
	if (!s) {
		char *text = magi__json_dump(j, false);
		char p[4096];
		snprintf(p, sizeof p, "%s/demo.json", out_dir);
		s = text ? magi_file_write(p, text, strlen(text), err) : magi_error_set(err, MAGI_ERR_NOMEM, NULL);
		free(text);
	}
	json_decref(j);
	magi_demo_free(d);
	return s;
}
