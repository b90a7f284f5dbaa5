/* mcp_media.c — the `magi mcp` tools that work on images and videos rather than the live
 * screen (guard_scan, guard_redact, video_info, video_frames, video_ask), and run_task,
 * a whole agent run on the screen with progress. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "mcp.h"

#define REDACT_PAD 4

/* For "o?" in json_pack: NULL stays null. */
static json_t *opt_str(const char *s)
{
	return s ? mcp_json_str(s) : NULL;
}

/* ---- guards on an image ----------------------------------------------------------------- */

struct scan {
	struct magi_image *img;
	struct magi_ocr *ocr;
	struct magi_pii_finding *pii;
	size_t n_pii;
	struct magi_injection_region *inj;
	size_t n_inj;
};

static void scan_release(struct scan *s)
{
	magi_pii_findings_free(s->pii, s->n_pii);
	magi_injection_regions_free(s->inj, s->n_inj);
	magi_ocr_free(s->ocr);
	magi_image_free(s->img);
}

/* OCR and the PII scan of img (taken over by s). thorough: every small number-heavy line is
 * read a second time, as `magi guard` does (an image asked about on its own); otherwise the
 * per-screen budget of the guards: section applies (video frames). */
static magi_status scan_image(struct mcp_call *c, struct magi_image *img, bool thorough,
			      struct scan *s, struct magi_error *err)
{
	const struct mcp_opts *o = mcp_server_opts(c->srv);
	memset(s, 0, sizeof *s);
	s->img = img;
	magi_status st = magi_ocr_run(img, NULL, 0, &s->ocr, err);
	if (st)
		return st;
	struct magi_pii_params pp = magi_pii_params_default();
	pp.secrets = o->secrets;
	pp.reread_budget = thorough ? -1 : o->pii_reread;
	if ((st = magi_pii_scan_image(img, s->ocr, &pp, &s->pii, &s->n_pii)))
		return magi_error_set(err, st, "the PII scan failed: %s", magi_strerror(st));
	return MAGI_OK;
}

/* The image the call names (path or data), OCR'd and scanned with the full second reading;
 * false, with the failure written into c, when it cannot be. */
static bool scan_arg_image(struct mcp_call *c, struct scan *s)
{
	struct magi_error err;
	magi_error_clear(&err);
	struct magi_image *img;
	memset(s, 0, sizeof *s);
	if (mcp_arg_image(c, &img, &err) || scan_image(c, img, true, s, &err)) {
		mcp_fail(c, "%s: %s", c->tool->name, magi_error_text(&err));
		scan_release(s);
		return false;
	}
	return true;
}

static void covered_types(const struct scan *s, char *out, size_t cap)
{
	out[0] = '\0';
	for (size_t i = 0; i < s->n_pii; i++) {
		const char *t = magi_pii_type_name(s->pii[i].type);
		if (!strstr(out, t)) {
			size_t l = strlen(out);
			snprintf(out + l, cap - l, "%s%s", l ? ", " : "", t);
		}
	}
}

void mcp_tool_guard_scan(struct mcp_call *c)
{
	const struct mcp_opts *o = mcp_server_opts(c->srv);
	struct scan s;
	if (!scan_arg_image(c, &s))
		return;
	magi_injection_scan(s.ocr, NULL, &s.inj, &s.n_inj);
	json_t *pii = json_array(), *inj = json_array();
	struct magi_buf t;
	magi_buf_init(&t, 1u << 20);
	magi_buf_printf(&t, "%zu PII finding%s, %zu injection region%s in the %ux%u image", s.n_pii,
			s.n_pii == 1 ? "" : "s", s.n_inj, s.n_inj == 1 ? "" : "s", s.img->w, s.img->h);
	for (size_t i = 0; i < s.n_pii; i++) {
		const struct magi_pii_finding *f = &s.pii[i];
		/* the found text goes only to a trusted client; a secret only ever by name */
		const char *shown = f->type == MAGI_PII_SECRET ? f->name : o->trusted ? f->text : NULL;
		json_t *j = json_pack("{s:s, s:i, s:i, s:i, s:i, s:f}", "type", magi_pii_type_name(f->type),
				      "x", f->x, "y", f->y, "w", f->w, "h", f->h, "score", (double)f->score);
		if (shown)
			json_object_set_new(j, "text", mcp_json_str(shown));
		json_array_append_new(pii, j);
		magi_buf_printf(&t, "\n%s at x=%d y=%d w=%d h=%d%s%s", magi_pii_type_name(f->type), f->x, f->y,
				f->w, f->h, shown ? ": " : "", shown ? shown : "");
	}
	for (size_t i = 0; i < s.n_inj; i++) {
		const struct magi_injection_region *r = &s.inj[i];
		json_array_append_new(inj, json_pack("{s:i, s:i, s:i, s:i, s:f, s:o}", "x", r->x, "y", r->y,
						     "w", r->w, "h", r->h, "score", (double)r->score,
						     "reason", mcp_json_str(r->reason)));
		magi_buf_printf(&t, "\ninjection at x=%d y=%d w=%d h=%d: %s", r->x, r->y, r->w, r->h, r->reason);
	}
	mcp_text(c, "%s", t.data);
	magi_buf_release(&t);
	c->structured = json_pack("{s:o, s:o}", "pii", pii, "injections", inj);
	scan_release(&s);
}

void mcp_tool_guard_redact(struct mcp_call *c)
{
	struct scan s;
	if (!scan_arg_image(c, &s))
		return;
	struct magi_error err;
	magi_error_clear(&err);
	size_t boxes = magi_guard_redact_image(s.img, s.pii, s.n_pii, REDACT_PAD);
	char types[256];
	covered_types(&s, types, sizeof types);
	mcp_text(c, "%zu area%s covered in black%s%s%s", boxes, boxes == 1 ? "" : "s",
		 boxes ? " (" : "", types, boxes ? ")" : "");
	if (mcp_image(c, s.img, mcp_arg_str(c, "format", "png"), 90, &err))
		mcp_fail(c, "guard_redact: %s", magi_error_text(&err));
	c->structured = json_pack("{s:i, s:i, s:i}", "covered", (int)boxes, "width", (int)s.img->w,
				  "height", (int)s.img->h);
	scan_release(&s);
}

/* ---- videos ------------------------------------------------------------------------------- */

/* How a cancelled call stops decoding (magi_video_progress_fn). */
static bool video_go_on(double fraction, void *user)
{
	struct mcp_call *c = user;
	(void)fraction;
	return !atomic_load(&c->cancelled);
}

/* video_frames: decoding progress as 0..100. */
static bool frames_progress(double fraction, void *user)
{
	struct mcp_call *c = user;
	mcp_progress(c, fraction * 100, 0, "decoding");
	return !atomic_load(&c->cancelled);
}

static struct magi_video *open_video(struct mcp_call *c)
{
	struct magi_video_params vp = magi_video_params_default();
	vp.progress = strcmp(c->tool->name, "video_frames") ? video_go_on : frames_progress;
	vp.progress_user = c;
	struct magi_video *v = NULL;
	struct magi_error err;
	magi_error_clear(&err);
	if (magi_video_open_params(mcp_arg_str(c, "path", ""), &vp, &v, &err))
		mcp_fail(c, "%s: %s", c->tool->name, magi_error_text(&err));
	return v;
}

void mcp_tool_video_info(struct mcp_call *c)
{
	struct magi_video *v = open_video(c);
	if (!v)
		return;
	const struct magi_video_info *i = magi_video_get_info(v);
	char dur[16];
	mcp_text(c, "%s: %s (%.3f s), %ux%u, %.3f fps, %lld frames, codec %s in %s, a key frame every %.2f s",
		 i->path, magi_video_format_time(i->duration_s, dur), i->duration_s, i->width, i->height,
		 i->fps, (long long)i->n_frames, i->codec, i->container, i->keyframe_interval_s);
	c->structured = json_pack("{s:o, s:f, s:f, s:i, s:i, s:I, s:s, s:s, s:f}", "path", mcp_json_str(i->path),
				  "duration_s", i->duration_s, "fps", i->fps, "width", (int)i->width,
				  "height", (int)i->height, "frames", (json_int_t)i->n_frames, "codec",
				  i->codec, "container", i->container, "keyframe_interval_s",
				  i->keyframe_interval_s);
	magi_video_close(v);
}

void mcp_tool_video_frames(struct mcp_call *c)
{
	const struct mcp_opts *o = mcp_server_opts(c->srv);
	struct magi_video *v = open_video(c);
	if (!v)
		return;
	struct magi_error err;
	magi_error_clear(&err);
	const struct magi_video_info *info = magi_video_get_info(v);
	size_t n = (size_t)mcp_arg_num(c, "count", 8);
	if (n < 1 || n > MCP_VIDEO_FRAMES_MAX) /* the schema says so too */
		n = n < 1 ? 1 : MCP_VIDEO_FRAMES_MAX;
	double start = mcp_arg_num(c, "start", 0), end = mcp_arg_num(c, "end", info->duration_s);
	if (end > info->duration_s)
		end = info->duration_s;
	enum magi_video_res res = MAGI_VIDEO_RES_LOW;
	magi_video_res_parse(mcp_arg_str(c, "resolution", "low"), &res);
	struct magi_video_frames *fr = NULL;
	double times[MCP_VIDEO_FRAMES_MAX];
	if (!(start < end)) {
		mcp_fail(c, "video_frames: start %.3f s is not before end %.3f s (the video lasts %.3f s)",
			 start, end, info->duration_s);
		magi_video_close(v);
		return;
	}
	for (size_t i = 0; i < n; i++)
		times[i] = start + (i + 0.5) * (end - start) / (double)n;
	if (magi_video_sample_times(v, times, n, magi_video_res_side(res), &fr, &err)) {
		if (!atomic_load(&c->cancelled))
			mcp_fail(c, "video_frames: %s", magi_error_text(&err));
		magi_video_close(v);
		return;
	}
	const char *format = mcp_arg_str(c, "format", "jpeg");
	size_t covered = 0;
	mcp_text(c, "%zu frames of %s between %.3f and %.3f s%s", fr->n, info->path, start, end,
		 o->trusted ? "" : "; personal data in them is covered in black");
	for (size_t i = 0; i < fr->n && !atomic_load(&c->cancelled); i++) {
		struct magi_image *img = magi_video_frames_take(fr, i);
		if (!img)
			continue;
		struct scan s;
		memset(&s, 0, sizeof s);
		if (!o->trusted) {
			/* frames leave for the client's model like screenshots do */
			if (scan_image(c, img, false, &s, &err)) {
				mcp_fail(c, "video_frames: frame %zu could not be checked for personal data: %s", i,
					 magi_error_text(&err));
				scan_release(&s);
				break;
			}
			covered += magi_guard_redact_image(img, s.pii, s.n_pii, REDACT_PAD);
		} else {
			s.img = img;
		}
		char ts[16];
		mcp_text(c, "Frame %zu at %s (%.3f s):", i + 1, magi_video_format_time(fr->items[i].t_s, ts),
			 fr->items[i].t_s);
		if (mcp_image(c, img, format, 85, &err))
			mcp_fail(c, "video_frames: %s", magi_error_text(&err));
		scan_release(&s);
		mcp_progress(c, 100 + (double)i + 1, 0, NULL);
	}
	c->structured = json_pack("{s:i, s:i}", "frames", (int)fr->n, "covered", (int)covered);
	magi_video_frames_free(fr);
	magi_video_close(v);
}

static void video_event(void *ud, const char *line)
{
	struct mcp_call *c = ud;
	/* phases count past the decoding percentages so progress keeps growing */
	mcp_progress(c, c->last_progress + 1, 0, line);
}

void mcp_tool_video_ask(struct mcp_call *c)
{
	const struct mcp_opts *o = mcp_server_opts(c->srv);
	struct magi_error err;
	magi_error_clear(&err);
	struct magi_video_ask_params p = magi_video_ask_params_default();
	p.question = mcp_arg_str(c, "question", "");
	p.recipe = mcp_arg_str(c, "recipe", "avp");
	p.frames = (int)mcp_arg_num(c, "frames", 0);
	p.runs_dir = o->runs_dir;
	p.progress = video_go_on;
	p.progress_user = c;
	p.on_event = video_event;
	p.event_ud = c;
	json_t *ch = json_object_get(c->args, "choices");
	const char *choices[MAGI_VIDEO_MAX_CHOICES];
	size_t i;
	json_t *e;
	json_array_foreach(ch, i, e)
	{
		if (i < MAGI_VIDEO_MAX_CHOICES)
			choices[i] = json_string_value(e);
	}
	p.choices = ch ? choices : NULL;
	p.n_choices = json_array_size(ch);
	struct magi_team *team = NULL;
	if (magi_team_new(o->client, &team)) {
		mcp_fail(c, "out of memory");
		return;
	}
	struct magi_video_answer a;
	magi_status s = magi_video_ask(mcp_arg_str(c, "path", ""), team, &p, &a, &err);
	magi_team_free(team);
	if (atomic_load(&c->cancelled)) {
		magi_video_answer_release(&a);
		return;
	}
	struct magi_buf t;
	magi_buf_init(&t, 1u << 20);
	if (s)
		magi_buf_printf(&t, "video_ask: no answer: %s", magi_error_text(&err));
	else
		magi_buf_printf(&t, "answer: %s%s\nwhy: %s\nreason: %s, confidence %.2f, %d model calls, %ld input tokens",
				a.answer_text ? a.answer_text : a.answer ? a.answer : "(none)",
				a.forced ? " (forced: the evidence did not suffice)" : "",
				a.justification ? a.justification : "-", a.reason ? a.reason : "?",
				a.confidence, a.calls, a.prompt_tokens);
	json_t *ev = json_array();
	for (size_t k = 0; k < a.n_evidence; k++) {
		char t0[16], t1[16];
		magi_buf_printf(&t, "\nevidence [%s-%s] %s", magi_video_format_time(a.evidence[k].start_s, t0),
				magi_video_format_time(a.evidence[k].end_s, t1), a.evidence[k].description);
		json_array_append_new(ev, json_pack("{s:f, s:f, s:o}", "start_s", a.evidence[k].start_s, "end_s",
						    a.evidence[k].end_s, "description",
						    mcp_json_str(a.evidence[k].description)));
	}
	char report[PATH_MAX + 16] = "";
	if (a.run_dir) {
		char abs[PATH_MAX];
		snprintf(report, sizeof report, "%s/report.html", realpath(a.run_dir, abs) ? abs : a.run_dir);
		magi_buf_printf(&t, "\nreport: %s", report);
	}
	if (s)
		mcp_fail(c, "%s", t.data);
	else
		mcp_text(c, "%s", t.data);
	c->structured = json_pack("{s:o?, s:o?, s:o?, s:f, s:b, s:o, s:o?}", "answer", opt_str(a.answer),
				  "answer_text", opt_str(a.answer_text), "reason", opt_str(a.reason),
				  "confidence", a.confidence, "forced", a.forced, "evidence", ev, "report",
				  opt_str(report[0] ? report : NULL));
	magi_buf_release(&t);
	magi_video_answer_release(&a);
}

/* ---- run_task ------------------------------------------------------------------------------ */

/* The server's environment, seen through a wrapper that fails once the client cancels, so
 * a run stops at its next look or action. */
struct task_env {
	struct magi_env *env;
	struct mcp_call *c;
};

static magi_status cancelled(struct task_env *t, struct magi_error *err)
{
	return magi_error_set(err, MAGI_ERR_CANCELLED, "the MCP client cancelled run_task");
}

static magi_status task_observe(void *data, struct magi_obs *obs, struct magi_error *err)
{
	struct task_env *t = data;
	if (atomic_load(&t->c->cancelled))
		return cancelled(t, err);
	return magi_env_observe(t->env, obs, err);
}

static magi_status task_act(void *data, const struct magi_action *a, struct magi_error *err)
{
	struct task_env *t = data;
	if (atomic_load(&t->c->cancelled))
		return cancelled(t, err);
	return magi_env_act(t->env, a, err);
}

static magi_status task_reset(void *data, struct magi_error *err)
{
	struct task_env *t = data;
	return magi_env_reset(t->env, err);
}

static uint32_t task_caps(void *data)
{
	struct task_env *t = data;
	return magi_env_caps(t->env);
}

static magi_status task_release(void *data, struct magi_error *err)
{
	struct task_env *t = data;
	return magi_env_release_input(t->env, err);
}

static void task_step(void *ud, int step, const char *line)
{
	struct mcp_call *c = ud;
	mcp_progress(c, step, mcp_arg_num(c, "max_steps", 20), line);
}

static bool task_confirm(void *ud, const char *action_json, const char *reason)
{
	struct mcp_call *c = ud;
	char msg[1024];
	snprintf(msg, sizeof msg, "magi's agent wants to do this on your screen: %s\nThe risk gate asks first: %s.\nAllow it?",
		 action_json, reason);
	const char *why;
	return mcp_elicit(c, msg, false, NULL, &why) == 1;
}

static char *task_ask(void *ud, const char *question)
{
	struct mcp_call *c = ud;
	char msg[1024];
	snprintf(msg, sizeof msg, "magi's agent asks: %s", question);
	char *answer = NULL;
	const char *why;
	return mcp_elicit(c, msg, true, &answer, &why) == 1 ? answer : NULL;
}

void mcp_tool_run_task(struct mcp_call *c)
{
	const struct mcp_opts *o = mcp_server_opts(c->srv);
	static const struct magi_env_ops ops = {"mcp", task_observe, task_act, task_reset, NULL, task_caps, task_release};
	struct task_env te = {o->env, c};
	struct magi_env *env = NULL;
	struct magi_team *team = NULL;
	if (magi_env_wrap(&ops, &te, &env) || magi_team_new(o->client, &team)) {
		magi_env_close(env);
		mcp_fail(c, "out of memory");
		return;
	}
	struct magi_run_params p = magi_run_params_default();
	p.task = mcp_arg_str(c, "task", "");
	p.recipe = mcp_arg_str(c, "recipe", "mobile-agent-v2");
	p.max_steps = (int)mcp_arg_num(c, "max_steps", 20);
	p.runs_dir = o->runs_dir;
	p.risk = o->risk;
	p.secrets = o->secrets;
	p.allowlist = o->allowlist;
	p.n_allowlist = o->n_allowlist;
	p.pii_reread = o->pii_reread;
	p.on_step = task_step;
	p.step_ud = c;
	p.confirm = task_confirm;
	p.confirm_ud = c;
	p.ask = task_ask;
	p.ask_ud = c;
	struct magi_run_result r;
	memset(&r, 0, sizeof r);
	struct magi_error err;
	magi_error_clear(&err);
	magi_status s = magi_run_gui(env, team, &p, &r, &err);
	magi_team_free(team);
	magi_env_close(env);
	if (atomic_load(&c->cancelled)) {
		magi_run_result_release(&r);
		return;
	}
	if (s) {
		mcp_fail(c, "run_task: %s", magi_error_text(&err));
		magi_run_result_release(&r);
		return;
	}
	char abs[PATH_MAX], report[PATH_MAX + 16] = "";
	const char *dir = r.run_dir && realpath(r.run_dir, abs) ? abs : r.run_dir;
	if (dir)
		snprintf(report, sizeof report, "%s/report.html", dir);
	mcp_text(c, "ended: %s (%s) after %d step%s, %d model calls, %ld+%ld tokens, %.1f s%s%s%s%s\nreport: %s",
		 r.reason, r.success ? "success" : "not done", r.steps, r.steps == 1 ? "" : "s", r.calls,
		 r.prompt_tokens, r.completion_tokens, r.wall_ms / 1000, r.answer ? "\nanswer: " : "",
		 r.answer ? r.answer : "", err.status ? "\nnote: " : "", err.status ? magi_error_text(&err) : "",
		 report);
	c->structured = json_pack("{s:b, s:o?, s:o?, s:i, s:o?, s:o?}", "success", r.success, "reason",
				  opt_str(r.reason), "answer", opt_str(r.answer), "steps", r.steps, "run_dir",
				  opt_str(dir), "report", opt_str(report[0] ? report : NULL));
	magi_run_result_release(&r);
}
