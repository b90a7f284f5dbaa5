/* video_uniform.c — the baseline video recipe: one call carrying K frames sampled at the
 * centres of K equal segments of the video (K = 32 by default), as most video-LLM evaluations
 * do. Its cost grows with K whatever the question; avp and lvagent are measured against it. */
#include <stdlib.h>
#include "core/json.h"
#include "recipes/video.h"
#include "core/common.h"

#define UNIFORM_DEFAULT_FRAMES 32

magi_status magi__video_uniform(struct magi__vrun *v, struct magi_error *err)
{
	int k = v->p.frames > 0 ? v->p.frames : UNIFORM_DEFAULT_FRAMES;
	int left = magi__vrun_frames_left(v);
	if (k > left)
		k = left;
	if (k <= 0)
		return magi_error_set(err, MAGI_ERR_BUDGET, "the frame budget allows no frames");
	v->round = 1;
	char dur[24];
	magi__vrun_say(v, "sampling %d frames uniformly over %s", k, magi__vtime(v->info->duration_s, dur));
	struct magi_video_frames *fr = NULL;
	magi_status s = magi__vrun_sample_uniform(v, (size_t)k, MAGI_VIDEO_LOW_SIDE, "uniform", &fr, err);
	if (s)
		return s;
	char **labels = magi__frame_labels(fr);
	const struct magi_image **imgs = calloc(fr->n, sizeof *imgs);
	if (!labels || !imgs) {
		magi__labels_free(labels, fr->n);
		free(imgs);
		magi_video_frames_free(fr);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	for (size_t i = 0; i < fr->n; i++)
		imgs[i] = fr->items[i].img;
	json_t *vars = magi__vrun_vars(v);
	json_object_set_new(vars, "n_frames", json_integer((json_int_t)fr->n));
	struct magi__vcall c = {0};
	c.name = "uniform/answer";
	c.role = "answer";
	c.vars = vars;
	c.images = imgs;
	c.labels = labels;
	c.n_images = fr->n;
	c.check = magi__vrun_check_answer;
	c.check_ud = v;
	magi__vrun_say(v, "asking %s with %zu frames", magi_client_params(magi_team_client(v->run.team, "answer"))->name,
		       fr->n);
	s = magi__vcall_one(v, &c, "answer", err);
	if (!s) {
		char letter = 0;
		magi__vrun_answer(v, json_object_get(c.parsed, "answer"), &letter, NULL);
		magi__vrun_add_evidence(v, c.parsed, fr, "answer");
		magi__vrun_set_answer(v, letter, magi__json_str(c.parsed, "answer", NULL),
				      magi__json_str(c.parsed, "justification", NULL), magi__vrun_confidence(c.parsed, 0),
				      false);
		free(v->out->reason);
		v->out->reason = magi__strdup("answered");
	}
	magi__vcall_release(&c);
	json_decref(vars);
	magi__labels_free(labels, fr->n);
	free(imgs);
	magi_video_frames_free(fr);
	return s;
}
