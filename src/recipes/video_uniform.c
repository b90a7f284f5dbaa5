/* video_uniform.c — the baseline video recipe: one call carrying K frames sampled at the
 * centres of K equal segments of the video (K = 32 by default), as most video-LLM evaluations
 * do. Its cost grows with K whatever the question; avp and lvagent are measured against it. */
#include "recipes/recipes.h"

#define UNIFORM_DEFAULT_FRAMES 32

static magi_status uniform_step(struct magi_run *r, struct magi_error *err)
{
	const struct magi_video_ask_params *p = magi_run_video_params(r);
	int k = p->frames > 0 ? p->frames : UNIFORM_DEFAULT_FRAMES;
	int left = magi_run_frames_left(r);
	if (k > left)
		k = left;
	if (k <= 0)
		return magi_error_set(err, MAGI_ERR_BUDGET, "the frame budget allows no frames");
	struct magi_video_frames *fr = NULL;
	magi_status s = magi_run_frames_uniform(r, (size_t)k, MAGI_VIDEO_LOW_SIDE, "uniform", &fr, err);
	if (s)
		return s;
	/* what was taken: a short video has fewer distinct frames than asked for */
	char dur[24];
	magi_run_say(r, "sampled %zu frame%s uniformly over %s", fr->n, fr->n == 1 ? "" : "s",
		     magi_time_text(magi_run_video(r)->duration_s, dur));
	struct magi_call *c = NULL;
	if (!(s = magi_call_new(r, "answer", &c, err)) && !(s = magi_call_set_int(c, "n_frames", (long long)fr->n)) &&
	    !(s = magi_call_frames(c, fr))) {
		magi_run_say(r, "asking %s with %zu frame%s", magi_client_params(magi_call_client(c))->name, fr->n,
			     fr->n == 1 ? "" : "s");
		s = magi_run_call(r, c, err);
	} else if (s && err && !err->status) {
		magi_error_set(err, s, "preparing the answer call");
	}
	if (!s) {
		const struct magi_json *rep = magi_call_reply(c);
		char letter = 0;
		magi_run_read_answer(r, rep, &letter, NULL);
		magi_run_add_evidence(r, rep, fr, "answer");
		magi_run_answer(r, letter, magi_json_str(rep, "answer", NULL), magi_json_str(rep, "justification", NULL),
				magi_reply_confidence(rep, 0), false, "answered");
	}
	magi_call_free(c);
	magi_video_frames_free(fr);
	return s;
}

static const struct magi_role roles[] = {
	{.name = "answer", .prompt = "uniform/answer", .parser = MAGI_PARSER_ANSWER, .check = magi_check_answer},
};

const struct magi_recipe magi__recipe_uniform = {
	.name = "uniform", .description = "baseline: one call with K frames sampled uniformly over the video",
	.kind = MAGI_RECIPE_VIDEO, MAGI_RECIPE_ROLES(roles), .step = uniform_step, .default_steps = 1};
