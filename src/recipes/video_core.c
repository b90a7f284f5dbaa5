/* video_core.c — what the video recipes share, part 1: the run context (a struct magi__run
 * with no environment: parameters, the video, the trace and run_start), its end (run_end,
 * summary.json, report.html), and frame sampling with budgets and timestamp labels.
 * Role calls and evidence are in video_calls.c. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "trace/trace_internal.h"
#include "recipes/video.h"
#include "core/common.h"

void magi__vrun_say(struct magi__vrun *v, const char *fmt, ...)
{
	if (!v->p.on_event)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	v->p.on_event(v->p.event_ud, line);
}

char *magi__vtime(double t, char out[24])
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
	return MAGI_OK;
}

/* ---- lifetime ---------------------------------------------------------------------------- */

static void add_model(json_t *models, struct magi_client *c, const char *member, struct magi_trace *t)
{
	const struct magi_model_params *mp = magi_client_params(c);
	if (mp->api_key)
		magi_trace_add_secret(t, mp->api_key);
	json_t *m = json_pack("{s:s, s:s?, s:s?, s:b}", "name", mp->name, "base_url", mp->base_url, "model",
			      mp->model, "remote", magi_client_is_remote(c));
	if (member)
		json_object_set_new(m, "member", json_string(member));
	json_array_append_new(models, m);
}

magi_status magi__vrun_begin(struct magi__vrun *v, const char *path, struct magi_team *team,
			     const struct magi_video_ask_params *p, struct magi_video_answer *out,
			     struct magi_error *err)
{
	memset(v, 0, sizeof *v);
	v->out = out;
	v->p = *p;
	if (!v->p.recipe)
		v->p.recipe = "avp";
	if (!v->p.runs_dir)
		v->p.runs_dir = "runs";
	if (v->p.rounds == 0)
		v->p.rounds = 3;
	if (!path || !*path)
		return magi_error_set(err, MAGI_ERR_INVALID, "no video file given");
	magi_status s = check_params(&v->p, err);
	if (s)
		return s;
	v->path = path;
	for (size_t i = 0; i < v->p.n_choices; i++)
		v->letters[i] = (char)('A' + i);
	struct magi_video_params vp = magi_video_params_default();
	if (v->p.threads > 0)
		vp.threads = v->p.threads;
	vp.progress = v->p.progress;
	vp.progress_user = v->p.progress_user;
	if ((s = magi_video_open_params(path, &vp, &v->video, err)))
		return s;
	v->info = magi_video_get_info(v->video);
	if (!(v->info->duration_s > 0)) {
		magi_video_close(v->video);
		return magi_error_set(err, MAGI_ERR_VIDEO, "%s: the video has no duration", path);
	}
	/* A truncated file often opens fine (its index is intact) and fails only when frames
	 * near its end are decoded: look at the last one now, so a broken file is reported as
	 * bad input before any model is paid for. */
	double probe_t = v->info->duration_s > 0.5 ? v->info->duration_s - 0.5 : 0;
	struct magi_video_frames *probe = NULL;
	struct magi_video_params quiet = vp;
	quiet.progress = NULL;
	magi_video_set_params(v->video, &quiet);
	s = magi_video_sample_times(v->video, &probe_t, 1, 64, &probe, err);
	magi_video_set_params(v->video, &vp);
	if (s) {
		magi_video_close(v->video);
		return s;
	}
	v->decode_ms += probe->ms;
	magi_video_frames_free(probe);
	struct magi__run *r = &v->run;
	r->team = team;
	r->p = magi_run_params_default();
	r->p.task = v->p.question;
	r->p.recipe = v->p.recipe;
	r->p.prompts_dir = v->p.prompts_dir;
	r->p.runs_dir = v->p.runs_dir;
	r->p.repair_attempts = v->p.repair_attempts;
	r->p.report = v->p.report;
	r->t0 = magi_now_ms();
	if ((s = magi_trace_open(v->p.runs_dir, v->p.question, &r->trace, err))) {
		magi_video_close(v->video);
		return s;
	}
	out->run_dir = magi__strdup(magi_trace_dir(r->trace));

	struct magi_buf ct;
	magi_buf_init(&ct, 1u << 20);
	json_t *choices = json_array();
	for (size_t i = 0; i < v->p.n_choices; i++) {
		const char *c = v->p.choices[i];
		while (isspace((unsigned char)*c))
			c++;
		magi_buf_printf(&ct, "%s\n", c);
		json_array_append_new(choices, json_string(c));
	}
	v->choices_text = magi_buf_detach(&ct, NULL);

	json_t *models = json_array();
	if (team && !v->p.n_members) {
		struct magi_client *cl[33];
		size_t nc = magi__team_clients(team, cl, 33);
		for (size_t i = 0; i < nc; i++)
			if (i == 0 || cl[i] != cl[0])
				add_model(models, cl[i], NULL, r->trace);
	}
	for (size_t i = 0; i < v->p.n_members; i++)
		add_model(models, v->p.members[i], v->p.member_names ? v->p.member_names[i] : NULL, r->trace);
	const struct magi_video_info *in = v->info;
	char env[64];
	snprintf(env, sizeof env, "video (%.0f s, %ux%u)", in->duration_s, in->width, in->height);
	json_t *start = json_pack("{s:s, s:s, s:s, s:O, s:s, s:s, s:o, s:f, s:f, s:i, s:i, s:i, s:i, s:i, s:f}",
				  "command", "video ask", "task", v->p.question, "question", v->p.question, "choices",
				  choices, "recipe", v->p.recipe, "env", env, "models", models, "duration_s",
				  in->duration_s, "fps", in->fps, "width", (int)in->width, "height", (int)in->height,
				  "frames", v->p.frames, "max_frames", v->p.max_frames, "rounds", v->p.rounds,
				  "keyframe_interval_s", in->keyframe_interval_s);
	json_object_set_new(start, "video", json_string(path));
	magi__trace_event_json(r->trace, "run_start", start, NULL);
	json_decref(start);
	r->board = json_pack("{s:s, s:o, s:[], s:[], s:s}", "question", v->p.question, "choices", choices, "evidence",
			     "plans", "notes", "");
	return MAGI_OK;
}

static void fill_evidence(struct magi__vrun *v)
{
	const json_t *ev = json_object_get(v->run.board, "evidence");
	size_t n = json_array_size(ev);
	struct magi_video_answer *o = v->out;
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

void magi__vrun_end(struct magi__vrun *v, const char *reason, magi_status status,
		    const struct magi_error *rerr)
{
	struct magi__run *r = &v->run;
	struct magi_video_answer *o = v->out;
	if (!reason)
		reason = o->reason ? o->reason
				   : status == MAGI_ERR_VIDEO || status == MAGI_ERR_IO ? "video_error" : "model_error";
	if (reason != o->reason) {
		free(o->reason);
		o->reason = magi__strdup(reason);
	}
	o->rounds = v->round;
	o->calls = r->calls;
	o->prompt_tokens = r->prompt_tokens;
	o->completion_tokens = r->completion_tokens;
	o->server_prompt_tokens = v->server_prompt_tokens;
	o->est_prompt_tokens = v->est_prompt_tokens;
	o->frames_sent = v->frames_sent;
	o->storyboards_sent = v->storyboards_sent;
	o->frames_decoded = v->frames_decoded;
	o->decode_ms = v->decode_ms;
	o->wall_ms = magi_now_ms() - r->t0;
	fill_evidence(v);
	json_t *end = json_pack("{s:s, s:b, s:i, s:i, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:f, s:f}", "reason",
				o->reason, "success", status == MAGI_OK && o->answer, "rounds", v->round, "calls",
				r->calls, "prompt_tokens", (json_int_t)r->prompt_tokens, "completion_tokens",
				(json_int_t)r->completion_tokens, "server_prompt_tokens",
				(json_int_t)v->server_prompt_tokens, "est_prompt_tokens",
				(json_int_t)v->est_prompt_tokens, "frames_sent", v->frames_sent, "storyboards_sent",
				v->storyboards_sent, "frames_decoded", v->frames_decoded, "decode_ms", v->decode_ms,
				"wall_ms", o->wall_ms);
	if (o->answer) {
		/* the report shows "answer": the choice as given reads better than its letter */
		json_object_set_new(end, "answer", json_string(o->answer_text ? o->answer_text : o->answer));
		json_object_set_new(end, "letter", json_string(o->answer));
		json_object_set_new(end, "confidence", json_real(o->confidence));
		json_object_set_new(end, "forced", json_boolean(o->forced));
		if (o->justification)
			json_object_set_new(end, "justification", json_string(o->justification));
	}
	if (status && rerr && rerr->status)
		json_object_set_new(end, "error", json_string(rerr->msg));
	magi__trace_event_json(r->trace, "run_end", end, NULL);
	json_t *bev = json_pack("{s:i, s:O}", "round", v->round, "board", r->board);
	magi__trace_event_json(r->trace, "board", bev, NULL);
	json_decref(bev);
	json_object_set_new(end, "task", json_string(v->p.question));
	json_object_set_new(end, "question", json_string(v->p.question));
	json_object_set(end, "choices", json_object_get(r->board, "choices"));
	json_object_set_new(end, "recipe", json_string(v->p.recipe));
	json_object_set_new(end, "video", json_string(v->path));
	json_object_set(end, "evidence", json_object_get(r->board, "evidence"));
	char *sum = magi__json_dump(end, true);
	if (sum)
		magi_trace_write_summary(r->trace, sum, NULL);
	free(sum);
	json_decref(end);
	if (v->p.report) {
		struct magi_error rep;
		if (magi_trace_write_report(magi_trace_dir(r->trace), &rep))
			MAGI_WARN("report: %s", magi_error_text(&rep));
	}
	magi_trace_close(r->trace);
	json_decref(r->board);
	magi_video_close(v->video);
	free(v->choices_text);
	memset(v, 0, sizeof *v);
}

/* ---- frames -------------------------------------------------------------------------------- */

int magi__vrun_frames_left(const struct magi__vrun *v)
{
	if (v->p.max_frames <= 0)
		return INT_MAX;
	return v->p.max_frames > v->frames_sent ? v->p.max_frames - v->frames_sent : 0;
}

size_t magi__thin_times(double *times, size_t count, size_t n)
{
	if (count <= n)
		return count;
	if (n == 0)
		return 0;
	/* the centre of each of n equal runs of the list, so the kept frames spread evenly */
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)(((double)i + 0.5) * (double)count / (double)n);
		times[i] = times[MAGI_MIN(k, count - 1)];
	}
	return n;
}

static magi_status sampled(struct magi__vrun *v, struct magi_video_frames *fr, uint32_t side, const char *what)
{
	v->decode_ms += fr->ms;
	v->frames_decoded += (int)fr->n;
	json_t *times = json_array();
	for (size_t i = 0; i < fr->n; i++)
		json_array_append_new(times, json_real(round(fr->items[i].t_s * 100) / 100));
	json_t *ev = json_pack("{s:i, s:s, s:i, s:o, s:i, s:f, s:s, s:I, s:I}", "round", v->round, "what", what, "n",
			       (int)fr->n, "times", times, "side", (int)side, "ms", fr->ms, "strategy",
			       magi_video_strategy_name(fr->strategy), "decoded", (json_int_t)fr->decoded, "seeks",
			       (json_int_t)fr->seeks);
	magi__trace_event_json(v->run.trace, "frames", ev, NULL);
	json_decref(ev);
	return MAGI_OK;
}

magi_status magi__vrun_sample_times(struct magi__vrun *v, const double *times, size_t n, uint32_t max_side,
				    const char *what, struct magi_video_frames **out, struct magi_error *err)
{
	*out = NULL;
	if (!n)
		return magi_error_set(err, MAGI_ERR_INVALID, "no frames to sample for %s", what);
	double *t = malloc(n * sizeof *t);
	if (!t)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	double d = v->info->duration_s;
	for (size_t i = 0; i < n; i++)
		t[i] = times[i] < 0 ? 0 : times[i] > d ? d : times[i];
	snprintf(v->progress_what, sizeof v->progress_what, "%s", what);
	magi_status s = magi_video_sample_times(v->video, t, n, max_side, out, err);
	free(t);
	if (!s)
		sampled(v, *out, max_side, what);
	return s;
}

magi_status magi__vrun_sample_uniform(struct magi__vrun *v, size_t n, uint32_t max_side, const char *what,
				      struct magi_video_frames **out, struct magi_error *err)
{
	snprintf(v->progress_what, sizeof v->progress_what, "%s", what);
	magi_status s = magi_video_sample_uniform(v->video, n, max_side, out, err);
	if (!s)
		sampled(v, *out, max_side, what);
	return s;
}

char **magi__frame_labels(const struct magi_video_frames *f)
{
	char **l = calloc(f->n ? f->n : 1, sizeof *l);
	if (!l)
		return NULL;
	for (size_t i = 0; i < f->n; i++) {
		char ts[24], line[96];
		snprintf(line, sizeof line, "Frame %zu at %s (%.1f s):", i + 1, magi__vtime(f->items[i].t_s, ts),
			 f->items[i].t_s);
		l[i] = magi__strdup(line);
	}
	return l;
}

void magi__labels_free(char **labels, size_t n)
{
	if (!labels)
		return;
	for (size_t i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
}

