/* video.c — video questions on the one run context. Sampling is a perception service of the
 * core (magi_run_frames_*): a recipe asks for times and a resolution, the core decodes,
 * keeps each distinct frame once, accounts and traces; the role-call path sends the frames
 * with their time labels. Here too: the parameters and choices, opening and probing the
 * file, the run's start and end, and magi_video_ask_recipe. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/agent_internal.h"
#include "core/json.h"
#include "trace/trace_internal.h"
#include "core/common.h"

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
	p.guards = true;
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
	free(a->report);
	memset(a, 0, sizeof *a);
}

char *magi_time_text(double t, char out[24])
{
	char hms[16];
	if (!isfinite(t) || t < 0)
		t = 0;
	magi_video_format_time(t, hms);
	double frac = t - floor(t);
	int tenths = (int)lround(frac * 10);
	if (tenths > 0 && tenths < 10)
		snprintf(out, 24, "%s.%d", hms, tenths);
	else
		snprintf(out, 24, "%s", magi_video_format_time(round(t), hms));
	return out;
}

/* ---- parameters ------------------------------------------------------------------------- */

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

/* Checks choice i ("B) text"): the letter in turn, a separator, some text. */
static magi_status check_choice(const char *c, size_t i, struct magi_error *err)
{
	char want = (char)('A' + i);
	if (!c)
		return magi_error_set(err, MAGI_ERR_INVALID, "choice %zu is missing", i + 1);
	size_t n = strlen(c);
	if (n > MAGI_VIDEO_MAX_QUESTION)
		return magi_error_set(err, MAGI_ERR_INVALID, "choice %c is longer than %d bytes", want,
				      MAGI_VIDEO_MAX_QUESTION);
	const char *p = c;
	while (isspace((unsigned char)*p))
		p++;
	if (toupper((unsigned char)p[0]) != want || !p[1] || !strchr(").:", p[1]))
		return magi_error_set(err, MAGI_ERR_INVALID, "choice %zu '%.60s' does not start with '%c)'", i + 1,
				      c, want);
	if (blank(p + 2))
		return magi_error_set(err, MAGI_ERR_INVALID, "choice %c has no text after '%c%c'", want, want, p[1]);
	return MAGI_OK;
}

static magi_status check_params(const struct magi_video_ask_params *p, struct magi_error *err)
{
	if (!p->question || blank(p->question))
		return magi_error_set(err, MAGI_ERR_INVALID, "the question is empty: ask something about the video");
	if (strlen(p->question) > MAGI_VIDEO_MAX_QUESTION)
		return magi_error_set(err, MAGI_ERR_INVALID, "the question is longer than %d bytes",
				      MAGI_VIDEO_MAX_QUESTION);
	if (p->n_choices == 1 || p->n_choices > MAGI_VIDEO_MAX_CHOICES || (p->n_choices && !p->choices))
		return magi_error_set(err, MAGI_ERR_INVALID, "a multiple-choice question needs 2 to %d choices, got %zu",
				      MAGI_VIDEO_MAX_CHOICES, p->n_choices);
	for (size_t i = 0; i < p->n_choices; i++) {
		magi_status s = check_choice(p->choices[i], i, err);
		if (s)
			return s;
	}
	if (p->frames < 0 || p->frames > (int)MAGI_VIDEO_MAX_SAMPLES)
		return magi_error_set(err, MAGI_ERR_INVALID, "frames must be 1..%u, got %d", MAGI_VIDEO_MAX_SAMPLES,
				      p->frames);
	if (p->max_frames < 0)
		return magi_error_set(err, MAGI_ERR_INVALID, "max_frames must be >= 0, got %d", p->max_frames);
	if (p->rounds < 0 || p->rounds > MAGI_VIDEO_MAX_ROUNDS)
		return magi_error_set(err, MAGI_ERR_INVALID, "rounds must be 1..%d, got %d", MAGI_VIDEO_MAX_ROUNDS,
				      p->rounds);
	if (!(p->confidence >= 0 && p->confidence <= 1))
		return magi_error_set(err, MAGI_ERR_INVALID, "confidence must be between 0 and 1, got %g",
				      p->confidence);
	if (p->repair_attempts < 0 || p->repair_attempts > 10)
		return magi_error_set(err, MAGI_ERR_INVALID, "repair_attempts must be 0..10, got %d",
				      p->repair_attempts);
	if (p->max_tokens < 0 || !(p->max_wall_s >= 0))
		return magi_error_set(err, MAGI_ERR_INVALID, "max_tokens and max_wall_s must be >= 0");
	return MAGI_OK;
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
		magi_status s = check_choice(c[i], i, err);
		if (s) {
			magi_video_choices_free(c, k);
			return s;
		}
	}
	*out = c;
	*n = k;
	return MAGI_OK;
}

/* ---- the file ----------------------------------------------------------------------------- */

/* Decoding progress: the caller's callback, and a cancel that stops a long decode. */
static bool on_progress(double fraction, void *user)
{
	struct magi_run *r = user;
	if (r->p.cancel && *r->p.cancel)
		return false;
	return r->vp.progress ? r->vp.progress(fraction, r->vp.progress_user) : true;
}

magi_status magi__video_setup(struct magi_run *r, const char *path, struct magi_error *err)
{
	if (!path || !*path)
		return magi_error_set(err, MAGI_ERR_INVALID, "no video file given");
	magi_status s = check_params(&r->vp, err);
	if (s)
		return s;
	struct magi__vq *q = calloc(1, sizeof *q);
	if (!q)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	r->vq = q;
	q->path = path;
	for (size_t i = 0; i < r->vp.n_choices; i++)
		q->letters[i] = (char)('A' + i);
	struct magi_video_params vp = magi_video_params_default();
	if (r->vp.threads > 0)
		vp.threads = r->vp.threads;
	vp.progress = on_progress;
	vp.progress_user = r;
	if ((s = magi_video_open_params(path, &vp, &q->video, err)))
		return s;
	q->info = magi_video_get_info(q->video);
	if (!(q->info->duration_s > 0))
		return magi_error_set(err, MAGI_ERR_VIDEO, "%s: the video has no duration", path);
	/* A truncated file often opens fine (its index is intact) and fails only when frames
	 * near its end are decoded: look at the last one now, so a broken file is reported as
	 * bad input before any model is paid for. */
	double probe_t = q->info->duration_s > 0.5 ? q->info->duration_s - 0.5 : 0;
	struct magi_video_frames *probe = NULL;
	struct magi_video_params quiet = vp;
	quiet.progress = NULL;
	magi_video_set_params(q->video, &quiet);
	s = magi_video_sample_times(q->video, &probe_t, 1, 64, &probe, err);
	magi_video_set_params(q->video, &vp);
	if (s)
		return s;
	q->decode_ms += probe->ms;
	magi_video_frames_free(probe);
	struct magi_buf ct;
	magi_buf_init(&ct, 1u << 20);
	for (size_t i = 0; i < r->vp.n_choices; i++) {
		const char *c = r->vp.choices[i];
		while (isspace((unsigned char)*c))
			c++;
		magi_buf_printf(&ct, "%s\n", c);
	}
	q->choices_text = magi_buf_detach(&ct, NULL);
	return q->choices_text ? MAGI_OK : magi_error_set(err, MAGI_ERR_NOMEM, NULL);
}

void magi__video_release(struct magi_run *r)
{
	if (!r->vq)
		return;
	magi_video_close(r->vq->video);
	json_decref(r->vq->pending);
	free(r->vq->choices_text);
	free(r->vq);
	r->vq = NULL;
}

static json_t *choices_json(const struct magi_run *r)
{
	json_t *choices = json_array();
	for (size_t i = 0; i < r->vp.n_choices; i++) {
		const char *c = r->vp.choices[i];
		while (isspace((unsigned char)*c))
			c++;
		json_array_append_new(choices, json_string(c));
	}
	return choices;
}

void magi__video_vars(const struct magi_run *r, json_t *vars)
{
	const struct magi__vq *q = r->vq;
	const struct magi_video_info *in = q->info;
	char dur[24];
	struct magi_buf fmt;
	magi_buf_init(&fmt, 0);
	if (*q->letters) {
		magi_buf_puts(&fmt, "one of the letters ");
		for (const char *l = q->letters; *l; l++)
			magi_buf_printf(&fmt, "%s%c", l == q->letters ? "" : l[1] ? ", " : " or ", *l);
	} else {
		magi_buf_puts(&fmt, "a short answer in words");
	}
	json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:i}", "question", r->vp.question, "choices",
			      *q->letters ? q->choices_text : "(open question: answer in a few words)\n", "answer_format",
			      fmt.data, "duration", magi_time_text(in->duration_s, dur), "duration_s",
			      round(in->duration_s * 10) / 10, "video_fps", round(in->fps * 100) / 100, "width",
			      (int)in->width, "height", (int)in->height);
	json_object_update(vars, v);
	json_decref(v);
	magi_buf_release(&fmt);
}

/* ---- frames -------------------------------------------------------------------------------- */

const struct magi_video_info *magi_run_video(const struct magi_run *r)
{
	return r->vq ? r->vq->info : NULL;
}

const char *magi_run_letters(const struct magi_run *r)
{
	return r->vq ? r->vq->letters : "";
}

int magi_run_frames_left(const struct magi_run *r)
{
	if (r->vp.max_frames <= 0)
		return INT_MAX;
	return r->vp.max_frames > r->frames_sent ? r->vp.max_frames - r->frames_sent : 0;
}

/* Keeps each frame once: frames with the same presentation time are the same picture (a
 * short video asked for more frames than it has). */
static void distinct(struct magi_video_frames *f)
{
	size_t k = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (k && fabs(f->items[i].t_s - f->items[k - 1].t_s) < 1e-6) {
			magi_image_free(f->items[i].img);
			continue;
		}
		f->items[k++] = f->items[i];
	}
	f->n = k;
}

static magi_status sampled(struct magi_run *r, struct magi_video_frames *fr, uint32_t side, const char *what)
{
	distinct(fr);
	r->vq->decode_ms += fr->ms;
	r->vq->frames_decoded += (int)fr->n;
	json_t *times = json_array();
	for (size_t i = 0; i < fr->n; i++)
		json_array_append_new(times, json_real(round(fr->items[i].t_s * 100) / 100));
	json_t *ev = json_pack("{s:i, s:s, s:i, s:o, s:i, s:f, s:s, s:I, s:I}", "round", r->step, "what", what, "n",
			       (int)fr->n, "times", times, "side", (int)side, "ms", fr->ms, "strategy",
			       magi_video_strategy_name(fr->strategy), "decoded", (json_int_t)fr->decoded, "seeks",
			       (json_int_t)fr->seeks);
	magi_status s = magi__run_trace(r, "frames", ev);
	json_decref(ev);
	return s;
}

static magi_status sample(struct magi_run *r, const double *times, size_t n, uint32_t max_side, const char *what,
			  struct magi_video_frames **out, struct magi_error *err)
{
	*out = NULL;
	if (!r->vq)
		return magi_error_set(err, MAGI_ERR_INVALID, "sampling frames needs a video run");
	magi_status s;
	if (magi__run_stop_rule(r, &s))
		return magi_error_set(err, s, "%s", r->stop_err.msg);
	if (!n)
		return magi_error_set(err, MAGI_ERR_INVALID, "no frames to sample for %s", what);
	const struct magi_video_info *in = r->vq->info;
	if (times) {
		double *t = malloc(n * sizeof *t);
		if (!t)
			return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
		for (size_t i = 0; i < n; i++)
			t[i] = times[i] < 0 ? 0 : times[i] > in->duration_s ? in->duration_s : times[i];
		s = magi_video_sample_times(r->vq->video, t, n, max_side, out, err);
		free(t);
	} else {
		/* no more segments than the video has frames: they would repeat frames */
		if (in->n_frames > 0 && (int64_t)n > in->n_frames)
			n = (size_t)in->n_frames;
		s = magi_video_sample_uniform(r->vq->video, n, max_side, out, err);
	}
	if (s == MAGI_ERR_CANCELLED)
		magi__run_stop(r, "interrupted", s, "interrupted");
	if (!s && (s = sampled(r, *out, max_side, what))) {
		magi_video_frames_free(*out);
		*out = NULL;
		magi_error_set(err, s, "%s", r->stop_err.msg);
	}
	return s;
}

magi_status magi_run_frames_uniform(struct magi_run *r, size_t n, uint32_t max_side, const char *what,
				    struct magi_video_frames **out, struct magi_error *err)
{
	return sample(r, NULL, n, max_side, what ? what : "uniform", out, err);
}

magi_status magi_run_frames_at(struct magi_run *r, const double *times, size_t n, uint32_t max_side, const char *what,
			       struct magi_video_frames **out, struct magi_error *err)
{
	if (!times) {
		*out = NULL;
		return magi_error_set(err, MAGI_ERR_INVALID, "no times given");
	}
	return sample(r, times, n, max_side, what ? what : "frames", out, err);
}

/* ---- the run -------------------------------------------------------------------------------- */

static void fill_evidence(struct magi_run *r, struct magi_video_answer *o)
{
	const json_t *ev = json_object_get(r->board, "evidence");
	size_t n = json_array_size(ev);
	if (!n || !(o->evidence = calloc(n, sizeof *o->evidence)))
		return;
	size_t i;
	const json_t *e;
	json_array_foreach(ev, i, e)
	{
		struct magi_video_evidence *x = &o->evidence[o->n_evidence++];
		x->start_s = magi__json_num(e, "start", 0);
		x->end_s = magi__json_num(e, "end", 0);
		x->description = magi__strdup(magi__json_str(e, "description", ""));
		const char *img = magi__json_str(e, "image", NULL);
		x->image = img ? magi__strdup(img) : NULL;
	}
}

magi_status magi_video_ask_recipe(const char *path, struct magi_team *team, const struct magi_recipe *rc,
				  const struct magi_video_ask_params *p, struct magi_video_answer *out,
				  struct magi_error *err)
{
	memset(out, 0, sizeof *out);
	if (!p)
		return magi_error_set(err, MAGI_ERR_INVALID, "no parameters given");
	if (!rc || rc->kind != MAGI_RECIPE_VIDEO || !rc->step)
		return magi_error_set(err, MAGI_ERR_INVALID, "recipe %s is not a video recipe (it works on screens: use magi run)",
				      rc && rc->name ? rc->name : "(none)");
	struct magi_run r = {0};
	r.recipe = rc;
	r.team = team;
	r.video = true;
	r.vp = *p;
	r.vp.recipe = rc->name;
	if (!r.vp.runs_dir)
		r.vp.runs_dir = "runs";
	if (r.vp.rounds == 0)
		r.vp.rounds = rc->default_steps > 0 ? rc->default_steps : 3;
	r.p = magi_run_params_default();
	r.p.task = r.vp.question;
	r.p.recipe = rc->name;
	r.p.prompts_dir = r.vp.prompts_dir;
	r.p.runs_dir = r.vp.runs_dir;
	r.p.repair_attempts = r.vp.repair_attempts;
	r.p.report = r.vp.report;
	r.p.guards = r.vp.guards;
	r.p.max_tokens = r.vp.max_tokens;
	r.p.max_wall_s = r.vp.max_wall_s;
	r.p.cancel = r.vp.cancel;
	r.max_steps = r.vp.rounds;
	magi_status s = rc->setup ? rc->setup(&r, err) : MAGI_OK;
	if (!s && !team && !r.vp.n_members)
		s = magi_error_set(err, MAGI_ERR_CONFIG, "no model team given");
	if (!s)
		s = magi__video_setup(&r, path, err);
	if (s) {
		magi__video_release(&r);
		return s;
	}
	r.vp.rounds = r.max_steps;
	r.vq->out = out;
	const struct magi_video_info *in = r.vq->info;
	char env[64];
	snprintf(env, sizeof env, "video (%.0f s, %ux%u)", in->duration_s, in->width, in->height);
	json_t *start = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:f, s:f, s:i, s:i, s:i, s:i, s:i, s:f, s:s}",
				  "command", "video ask", "task", r.vp.question, "question", r.vp.question, "choices",
				  choices_json(&r), "recipe", rc->name, "env", env, "duration_s", in->duration_s, "fps",
				  in->fps, "width", (int)in->width, "height", (int)in->height, "frames", r.vp.frames,
				  "max_frames", r.vp.max_frames, "rounds", r.vp.rounds, "keyframe_interval_s",
				  in->keyframe_interval_s, "video", path);
	s = magi__run_start(&r, start, err);
	json_decref(start);
	if (s) {
		magi__video_release(&r);
		return s;
	}
	out->run_dir = magi__strdup(magi_trace_dir(r.trace));
	r.board = json_pack("{s:s, s:o, s:[], s:[], s:s}", "question", r.vp.question, "choices", choices_json(&r),
			    "evidence", "plans", "notes", "");
	struct magi_error rerr;
	magi_error_clear(&rerr);
	magi_status status;
	const char *reason = magi__run_loop(&r, &status, &rerr);
	magi__evidence_commit(&r); /* frames still being written, and their events */
	if (!status && !out->answer) {
		status = r.stop_reason ? r.stop_err.status : MAGI_ERR_MODEL;
		if (!rerr.status)
			magi_error_set(&rerr, status, "%s", r.stop_reason ? r.stop_err.msg : "the run ended without an answer");
	}
	if (r.trace_failed) {
		reason = "trace_error";
		status = r.stop_err.status;
		rerr = r.stop_err;
	}
	free(out->reason);
	out->reason = magi__strdup(reason);
	out->rounds = r.step;
	out->calls = r.calls;
	out->prompt_tokens = r.prompt_tokens;
	out->completion_tokens = r.completion_tokens;
	out->server_prompt_tokens = r.server_prompt_tokens;
	out->est_prompt_tokens = r.est_prompt_tokens;
	out->frames_sent = r.frames_sent;
	out->storyboards_sent = r.storyboards_sent;
	out->frames_decoded = r.vq->frames_decoded;
	out->decode_ms = r.vq->decode_ms;
	fill_evidence(&r, out);
	json_t *end = json_pack("{s:b, s:i, s:i, s:i, s:i, s:f}", "success", status == MAGI_OK && out->answer, "rounds",
				r.step, "frames_sent", r.frames_sent, "storyboards_sent", r.storyboards_sent,
				"frames_decoded", r.vq->frames_decoded, "decode_ms", r.vq->decode_ms);
	if (out->answer) {
		/* the report shows "answer": the choice as given reads better than its letter */
		json_object_set_new(end, "answer", json_string(out->answer_text ? out->answer_text : out->answer));
		json_object_set_new(end, "letter", json_string(out->answer));
		json_object_set_new(end, "confidence", json_real(out->confidence));
		json_object_set_new(end, "forced", json_boolean(out->forced));
		if (out->justification)
			json_object_set_new(end, "justification", json_string(out->justification));
	}
	json_t *summary = json_pack("{s:s, s:O, s:s, s:O}", "question", r.vp.question, "choices",
				    json_object_get(r.board, "choices"), "video", path, "evidence",
				    json_object_get(r.board, "evidence"));
	magi__run_end(&r, reason, end, summary, status ? &rerr : NULL);
	json_t *bev = json_pack("{s:i, s:O}", "round", r.step, "board", r.board);
	magi__run_trace(&r, "board", bev);
	json_decref(bev);
	json_decref(summary);
	json_decref(end);
	out->wall_ms = magi_now_ms() - r.t0;
	out->report = magi__run_report(&r);
	if (r.trace_failed && !status) {
		status = r.stop_err.status;
		rerr = r.stop_err;
		free(out->reason);
		out->reason = magi__strdup("trace_error");
	}
	magi__run_release(&r);
	magi__video_release(&r);
	if (status && err)
		*err = rerr;
	return status;
}
