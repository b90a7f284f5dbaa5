/* demos.c — demonstrations in the decision prompt (AdaptAgent, Verma et al., 2024, arXiv
 * 2411.13451: up to two multimodal human demonstrations given in context raised task
 * success by 3.4-7.2 points on Mind2Web and VisualWebArena, and multimodal ones helped
 * more than text-only ones). Each recorded successful run given with --demo becomes, in
 * every decision request: its task, then per step its downscaled screenshot and the action
 * done there, in the decision model's own coordinate space of that screenshot; all within
 * a token budget estimated the way the request's own estimate is (text chars / 4, images
 * by the model's image policy). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/agent_internal.h"
#include "agent/format.h"
#include "core/json.h"
#include "core/common.h"

magi_status magi__demos_load(struct magi_run *r, struct magi_error *err)
{
	if (!r->p.n_demos)
		return MAGI_OK;
	if (!(r->demos = calloc(r->p.n_demos, sizeof *r->demos)))
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	for (size_t i = 0; i < r->p.n_demos; i++) {
		struct magi_error e;
		magi_status s = magi_demo_load(r->p.demos[i], MAGI_DEMO_MAX_SIDE, &r->demos[i], &e);
		if (s)
			return magi_error_set(err, s == MAGI_ERR_NOMEM ? s : MAGI_ERR_CONFIG, "%s", e.msg);
		r->n_demos++;
	}
	return MAGI_OK;
}

void magi__demos_free(struct magi_run *r)
{
	for (size_t i = 0; i < r->n_demos; i++)
		magi_demo_free(r->demos[i]);
	free(r->demos);
	r->demos = NULL;
	r->n_demos = 0;
}

/* How the client speaks coordinates about a demonstration step's screenshot. */
static struct magi_coord_map demo_map(const struct magi_demo *d, const struct magi_image *img,
				      const struct magi_model_params *mp)
{
	struct magi_coord_map m = {0};
	m.space = mp->coords;
	m.screen_w = d->screen_w ? d->screen_w : img ? img->w : 1;
	m.screen_h = d->screen_h ? d->screen_h : img ? img->h : 1;
	if (img)
		magi_image_policy_fit(&mp->image, img->w, img->h, &m.sent_w, &m.sent_h);
	else
		magi_image_policy_fit(&mp->image, m.screen_w, m.screen_h, &m.sent_w, &m.sent_h);
	return m;
}

/* The step's action as the model would have written it about that screenshot: in its own
 * trained syntax (UI-TARS calls, Qwen tool calls) when it has one, else magi's JSON. */
static void action_text(const struct magi_demo *d, const struct magi_demo_step *st, const struct magi_model_params *mp,
			uint32_t caps, struct magi_buf *out)
{
	struct magi_action a;
	if (magi_action_parse_json(st->action_json, strlen(st->action_json), &a, NULL)) {
		magi_buf_puts(out, st->action_json);
		return;
	}
	struct magi_coord_map m = demo_map(d, st->image, mp);
	if (a.has_point)
		magi_coords_from_screen(&m, (int)a.x, (int)a.y, &a.x, &a.y);
	if (a.has_point2)
		magi_coords_from_screen(&m, (int)a.x2, (int)a.y2, &a.x2, &a.y2);
	if (m.space != MAGI_COORDS_NORM1) { /* whole numbers, as the model is asked for */
		a.x = (double)(long)(a.x + 0.5);
		a.y = (double)(long)(a.y + 0.5);
		a.x2 = (double)(long)(a.x2 + 0.5);
		a.y2 = (double)(long)(a.y2 + 0.5);
	}
	if (!magi__format_write_action(mp->format, caps, &a, out))
		magi_action_to_json(&a, out);
	magi_action_release(&a);
}

/* The text of one step line (without its screenshot). */
static void step_text(const struct magi_demo *d, size_t i, const struct magi_model_params *mp, uint32_t caps,
		      struct magi_buf *out)
{
	const struct magi_demo_step *st = &d->steps[i];
	magi_buf_printf(out, "Step %zu action: ", i + 1);
	action_text(d, st, mp, caps, out);
	if (*st->operation)
		magi_buf_printf(out, " (%s)", st->operation);
}

magi_status magi__demos_add(struct magi_run *r, struct magi_call *c, struct magi_client *cl)
{
	if (!r->n_demos)
		return MAGI_OK;
	const struct magi_model_params *mp = magi_client_params(cl);
	uint32_t caps = magi_env_caps(r->env);
	long budget = r->p.demo_tokens > 0 ? r->p.demo_tokens : MAGI_DEMO_TOKENS, used = 0;
	bool *keep = calloc(r->n_demos, sizeof *keep);
	size_t total_steps = 0;
	for (size_t k = 0; k < r->n_demos; k++)
		total_steps += r->demos[k]->n_steps;
	bool *shown = calloc(total_steps ? total_steps : 1, sizeof *shown);
	struct magi_buf t;
	magi_buf_init(&t, 1u << 20);
	if (!keep || !shown) {
		free(keep);
		free(shown);
		return MAGI_ERR_NOMEM;
	}
	static const char intro[] = "Demonstrations: similar tasks done successfully before, shown as examples of how "
				    "to work on this kind of screen. They are NOT the current screen.";
	static const char outro[] = "End of the demonstrations. The current task and screen follow.";
	used += (long)(sizeof intro + sizeof outro) / 4;
	/* whole demonstrations as text first, in the order given */
	for (size_t k = 0; k < r->n_demos; k++) {
		const struct magi_demo *d = r->demos[k];
		magi_buf_reset(&t);
		magi_buf_printf(&t, "Demonstration %zu. Task: %s\n", k + 1, d->task);
		for (size_t i = 0; i < d->n_steps; i++) {
			step_text(d, i, mp, caps, &t);
			magi_buf_printf(&t, "\nStep %zu screenshot:\n", i + 1);
		}
		long need = (long)t.len / 4;
		if (used + need <= budget) {
			keep[k] = true;
			used += need;
		}
	}
	/* then screenshots, step by step, while they fit (a text-only model gets none) */
	size_t base = 0, n_img = 0;
	for (size_t k = 0; k < r->n_demos; k++) {
		const struct magi_demo *d = r->demos[k];
		for (size_t i = 0; keep[k] && !mp->text_only && i < d->n_steps; i++) {
			const struct magi_image *img = d->steps[i].image;
			if (!img)
				continue;
			uint32_t w, h;
			magi_image_policy_fit(&mp->image, img->w, img->h, &w, &h);
			long need = (long)magi_image_policy_tokens(&mp->image, w, h);
			if (used + need <= budget) {
				shown[base + i] = true;
				used += need;
				n_img++;
			}
		}
		base += d->n_steps;
	}
	json_t *ev = r->demos_traced ? NULL : json_pack("{s:i, s:i, s:i, s:[]}", "step", r->step, "budget", (int)budget,
							 "est_tokens", (int)used, "demos");
	size_t n_kept = 0;
	base = 0;
	magi_status s = MAGI_OK;
	for (size_t k = 0; k < r->n_demos && !s; k++) {
		const struct magi_demo *d = r->demos[k];
		int imgs = 0;
		for (size_t i = 0; keep[k] && i < d->n_steps; i++)
			imgs += shown[base + i];
		if (ev)
			json_array_append_new(json_object_get(ev, "demos"),
					      json_pack("{s:s, s:s, s:b, s:i, s:i}", "source", d->source, "task", d->task,
							"shown", keep[k], "steps", (int)d->n_steps, "images", imgs));
		if (!keep[k]) {
			base += d->n_steps;
			continue;
		}
		if (!n_kept++)
			s = magi_call_add_text(c, intro);
		magi_buf_reset(&t);
		magi_buf_printf(&t, "Demonstration %zu. Task: %s", k + 1, d->task);
		if (!s)
			s = magi_call_add_text(c, t.data);
		for (size_t i = 0; i < d->n_steps && !s; i++) {
			if (shown[base + i]) {
				magi_buf_reset(&t);
				magi_buf_printf(&t, "Step %zu screenshot:", i + 1);
				s = magi_call_image(c, d->steps[i].image, t.data);
			}
			magi_buf_reset(&t);
			step_text(d, i, mp, caps, &t);
			if (!s)
				s = magi_call_add_text(c, t.data);
		}
		base += d->n_steps;
	}
	if (n_kept && !s)
		s = magi_call_add_text(c, outro);
	if (ev) {
		json_object_set_new(ev, "images", json_integer((json_int_t)n_img));
		magi__run_trace(r, "demos", ev);
		json_decref(ev);
		r->demos_traced = true;
	}
	magi_buf_release(&t);
	free(keep);
	free(shown);
	return s;
}

magi_status magi_call_add_demos(struct magi_call *c, struct magi_error *err)
{
	struct magi_run *r = magi_call_run(c);
	struct magi_client *cl = magi_call_client(c);
	if (!r->n_demos)
		return MAGI_OK;
	if (!cl)
		return magi_error_set(err, MAGI_ERR_CONFIG, "no model for role %s", magi__call_role(c)->name);
	magi_status s = magi__demos_add(r, c, cl);
	return s ? magi_error_set(err, s, "adding the demonstrations to the %s request", magi__call_role(c)->name) : MAGI_OK;
}
