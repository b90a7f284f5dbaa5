/* call.c — the one role-call path of every recipe: template (standard variables of the run
 * plus the call's own), images with labels (screens and frames covered for remote models),
 * requests sent together over curl multi, the role's parser and check, a repair retry that
 * shows the model its error, accounting, a "call" event per request, and the stop rules
 * (budgets, cancel, a broken trace) checked before anything is sent. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "agent/agent_internal.h"
#include "agent/parse.h"
#include "agent/prompt.h"
#include "core/json.h"
#include "trace/trace_internal.h"
#include "core/common.h"

/* The parts of a call, in order: images (each after its label), and the conversation's
 * shape when a recipe gives one: new messages, text parts, where the template goes. */
enum img_kind {
	IMG_RAW,
	IMG_FRAME,
	IMG_STORYBOARD,
	IMG_SCREEN,
	IMG_SCREEN_BEFORE,
	IMG_SCREEN_ACTION,
	IMG_SCREEN_AGO,
	ENT_MESSAGE,  /* label: the role of a new message */
	ENT_TEXT,     /* label: a text part */
	ENT_TEMPLATE, /* the rendered template goes here */
};

struct call_img {
	enum img_kind kind;
	const struct magi_image *img; /* RAW, FRAME, STORYBOARD: borrowed */
	char *label;		      /* owned, may be NULL */
	struct magi_action act;	      /* SCREEN_ACTION: owned copy */
	int ago;		      /* SCREEN_AGO */
};

struct magi_call {
	struct magi_run *r;
	const struct magi_role *role;
	json_t *vars;
	struct call_img *imgs;
	size_t n_imgs, cap_imgs;
	int n_frames, n_boards;
	struct magi_client *client; /* explicit (a team member); else the role's binding */
	char *member, *phase;
	void *ud;
	magi_reply_check check;	  /* instead of the role's */
	magi_reply_parser parser; /* instead of the role's */
	char *tpl_name, *tpl_text; /* a template instead of the role's */
	char *system;		   /* a system message before everything (owned) */
	bool template_placed;	   /* an ENT_TEMPLATE entry was added */
	bool want_logprobs;	   /* ask the server for token log-probabilities */
	/* the request being sent */
	struct magi_client *to;
	struct magi_chat *chat;
	struct magi_image **owned; /* images made for this request (redacted, drawn) */
	size_t n_owned;
	long est_tokens; /* of the next request, for the token budget */
	/* results */
	magi_status status;
	struct magi_error err;
	json_t *parsed;
	char *raw;
	bool fallback;
	json_t *logprobs; /* [{token, logprob}] of the usable reply; NULL: none sent */
	long prompt_tokens, completion_tokens;
	double latency_ms;
};

const struct magi_role *magi__run_role(const struct magi_run *r, const char *name)
{
	const struct magi_role *ro = magi_recipe_role(r->recipe, name);
	/* the core's own perception role, for every screen recipe that has none by that name */
	if (!ro && r->env && name && !strcmp(name, magi__captioner_role.name))
		ro = &magi__captioner_role;
	return ro;
}

magi_status magi_call_new(struct magi_run *r, const char *role, struct magi_call **out, struct magi_error *err)
{
	*out = NULL;
	const struct magi_role *ro = role ? magi__run_role(r, role) : NULL;
	if (!ro)
		return magi_error_set(err, MAGI_ERR_INVALID, "recipe %s has no role '%s'", r->recipe->name,
				      role ? role : "(null)");
	struct magi_call *c = calloc(1, sizeof *c);
	if (!c || !(c->vars = json_object())) {
		free(c);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	c->r = r;
	c->role = ro;
	*out = c;
	return MAGI_OK;
}

static void request_release(struct magi_call *c)
{
	magi_chat_free(c->chat);
	c->chat = NULL;
	for (size_t i = 0; i < c->n_owned; i++)
		magi_image_free(c->owned[i]);
	free(c->owned);
	c->owned = NULL;
	c->n_owned = 0;
}

static void results_release(struct magi_call *c)
{
	json_decref(c->parsed);
	c->parsed = NULL;
	free(c->raw);
	c->raw = NULL;
	c->fallback = false;
	json_decref(c->logprobs);
	c->logprobs = NULL;
	c->status = MAGI_OK;
	magi_error_clear(&c->err);
	c->prompt_tokens = c->completion_tokens = 0;
	c->latency_ms = 0;
}

void magi_call_free(struct magi_call *c)
{
	if (!c)
		return;
	request_release(c);
	results_release(c);
	for (size_t i = 0; i < c->n_imgs; i++) {
		free(c->imgs[i].label);
		magi_action_release(&c->imgs[i].act);
	}
	free(c->imgs);
	json_decref(c->vars);
	free(c->member);
	free(c->phase);
	free(c->tpl_name);
	free(c->tpl_text);
	free(c->system);
	free(c);
}

static magi_status set_var(struct magi_call *c, const char *name, json_t *v)
{
	if (!name || !v) {
		json_decref(v);
		return name ? MAGI_ERR_NOMEM : MAGI_ERR_INVALID;
	}
	return json_object_set_new(c->vars, name, v) ? MAGI_ERR_NOMEM : MAGI_OK;
}

magi_status magi_call_set(struct magi_call *c, const char *name, const char *text)
{
	return set_var(c, name, json_string(text ? text : ""));
}

magi_status magi_call_set_int(struct magi_call *c, const char *name, long long v)
{
	return set_var(c, name, json_integer((json_int_t)v));
}

magi_status magi_call_set_num(struct magi_call *c, const char *name, double v)
{
	return set_var(c, name, json_real(isfinite(v) ? v : 0));
}

magi_status magi_call_set_json(struct magi_call *c, const char *name, const struct magi_json *v)
{
	return set_var(c, name, v ? json_deep_copy((const json_t *)v) : json_null());
}

static magi_status add_img(struct magi_call *c, enum img_kind kind, const struct magi_image *img,
			   const char *label, const struct magi_action *a)
{
	if ((kind == IMG_RAW || kind == IMG_FRAME || kind == IMG_STORYBOARD) && !img)
		return MAGI_ERR_INVALID;
	if (kind >= IMG_SCREEN && kind <= IMG_SCREEN_AGO && !c->r->env)
		return MAGI_ERR_INVALID; /* no screen in a video run */
	if (!magi__grow(&c->imgs, &c->cap_imgs, c->n_imgs, sizeof *c->imgs, 4))
		return MAGI_ERR_NOMEM;
	struct call_img *e = &c->imgs[c->n_imgs];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->img = img;
	if (label && !(e->label = magi__strdup(label)))
		return MAGI_ERR_NOMEM;
	if (a && magi_action_copy(a, &e->act)) {
		free(e->label);
		return MAGI_ERR_NOMEM;
	}
	c->n_imgs++;
	c->n_frames += kind == IMG_FRAME;
	c->n_boards += kind == IMG_STORYBOARD;
	return MAGI_OK;
}

magi_status magi_call_image(struct magi_call *c, const struct magi_image *img, const char *label)
{
	return add_img(c, IMG_RAW, img, label, NULL);
}

magi_status magi_call_storyboard(struct magi_call *c, const struct magi_image *img, const char *label)
{
	return add_img(c, IMG_STORYBOARD, img, label, NULL);
}

magi_status magi_call_screen(struct magi_call *c, bool before, const char *label)
{
	return add_img(c, before ? IMG_SCREEN_BEFORE : IMG_SCREEN, NULL, label, NULL);
}

magi_status magi_call_screen_action(struct magi_call *c, const struct magi_action *a, const char *label)
{
	return a ? add_img(c, IMG_SCREEN_ACTION, NULL, label, a) : MAGI_ERR_INVALID;
}

magi_status magi_call_screen_ago(struct magi_call *c, int ago, const char *label)
{
	if (ago < 0 || ago > magi__run_screens_kept(c->r))
		return MAGI_ERR_NOT_FOUND;
	magi_status s = add_img(c, IMG_SCREEN_AGO, NULL, label, NULL);
	if (!s)
		c->imgs[c->n_imgs - 1].ago = ago;
	return s;
}

magi_status magi_call_message(struct magi_call *c, const char *role)
{
	if (!role || (strcmp(role, "system") && strcmp(role, "user") && strcmp(role, "assistant")))
		return MAGI_ERR_INVALID;
	return add_img(c, ENT_MESSAGE, NULL, role, NULL);
}

magi_status magi_call_add_text(struct magi_call *c, const char *text)
{
	return text ? add_img(c, ENT_TEXT, NULL, text, NULL) : MAGI_ERR_INVALID;
}

magi_status magi_call_template_here(struct magi_call *c)
{
	if (c->template_placed)
		return MAGI_ERR_INVALID;
	magi_status s = add_img(c, ENT_TEMPLATE, NULL, NULL, NULL);
	c->template_placed = !s;
	return s;
}

magi_status magi_call_set_template(struct magi_call *c, const char *name, const char *text)
{
	free(c->tpl_name);
	free(c->tpl_text);
	c->tpl_name = name ? magi__strdup(name) : NULL;
	c->tpl_text = text ? magi__strdup(text) : NULL;
	return (name && !c->tpl_name) || (text && !c->tpl_text) ? MAGI_ERR_NOMEM : MAGI_OK;
}

void magi_call_set_parser(struct magi_call *c, magi_reply_parser parser)
{
	c->parser = parser;
}

magi_status magi__call_set_system(struct magi_call *c, const char *text)
{
	free(c->system);
	c->system = text && *text ? magi__strdup(text) : NULL;
	return text && *text && !c->system ? MAGI_ERR_NOMEM : MAGI_OK;
}

const struct magi_role *magi__call_role(const struct magi_call *c)
{
	return c->role;
}

magi_status magi_call_frames(struct magi_call *c, const struct magi_video_frames *f)
{
	for (size_t i = 0; f && i < f->n; i++) {
		if (!f->items[i].img)
			continue;
		char ts[24], line[96];
		snprintf(line, sizeof line, "Frame %zu at %s (%.1f s):", i + 1, magi_time_text(f->items[i].t_s, ts),
			 f->items[i].t_s);
		magi_status s = add_img(c, IMG_FRAME, f->items[i].img, line, NULL);
		if (s)
			return s;
	}
	return MAGI_OK;
}

void magi_call_set_client(struct magi_call *c, struct magi_client *client, const char *member)
{
	c->client = client;
	free(c->member);
	c->member = member ? magi__strdup(member) : NULL;
}

struct magi_client *magi_call_client(const struct magi_call *c)
{
	return c->client ? c->client : magi__run_role_client(c->r, c->role);
}

void magi_call_set_phase(struct magi_call *c, const char *phase)
{
	free(c->phase);
	c->phase = phase ? magi__strdup(phase) : NULL;
}

void magi_call_set_check(struct magi_call *c, magi_reply_check check)
{
	c->check = check;
}

void magi_call_set_ud(struct magi_call *c, void *ud)
{
	c->ud = ud;
}

void *magi_call_ud(const struct magi_call *c)
{
	return c->ud;
}

struct magi_run *magi_call_run(const struct magi_call *c)
{
	return c->r;
}

magi_status magi_call_status(const struct magi_call *c)
{
	return c->status;
}

const char *magi_call_errmsg(const struct magi_call *c)
{
	return c->status ? magi_error_text(&c->err) : "";
}

const struct magi_json *magi_call_reply(const struct magi_call *c)
{
	return (const struct magi_json *)c->parsed;
}

const char *magi_call_text(const struct magi_call *c)
{
	return c->raw;
}

bool magi_call_fallback(const struct magi_call *c)
{
	return c->fallback;
}

void magi_call_cost(const struct magi_call *c, long *prompt_tokens, long *completion_tokens, double *latency_ms)
{
	if (prompt_tokens)
		*prompt_tokens = c->prompt_tokens;
	if (completion_tokens)
		*completion_tokens = c->completion_tokens;
	if (latency_ms)
		*latency_ms = c->latency_ms;
}

/* ---- building a request ---------------------------------------------------------------------- */

/* Images redacted once per batch for remote models, shared by the batch's calls. */
struct batch {
	const struct magi_image **from;
	struct magi_image **to; /* owned by the first call that made it */
	size_t n, cap;
};

static magi_status own(struct magi_call *c, struct magi_image *img)
{
	struct magi_image **o = realloc(c->owned, (c->n_owned + 1) * sizeof *o);
	if (!o) {
		magi_image_free(img);
		return MAGI_ERR_NOMEM;
	}
	c->owned = o;
	c->owned[c->n_owned++] = img;
	return MAGI_OK;
}

/* The image entry e as client c->to may see it. */
static magi_status resolve(struct magi_call *c, struct batch *b, const struct call_img *e,
			   const struct magi_image **out)
{
	struct magi_run *r = c->r;
	*out = NULL;
	if (e->kind == IMG_SCREEN || e->kind == IMG_SCREEN_BEFORE || e->kind == IMG_SCREEN_AGO) {
		int ago = e->kind == IMG_SCREEN_AGO ? e->ago : e->kind == IMG_SCREEN_BEFORE;
		*out = magi__run_image_ago(r, c->to, ago);
		return *out ? MAGI_OK : MAGI_ERR_ENV;
	}
	if (e->kind == IMG_SCREEN_ACTION) {
		const struct magi_image *base = magi__run_image(r, c->to, false);
		struct magi_image *drawn = NULL;
		if (!base || magi_image_clone(base, &drawn))
			return base ? MAGI_ERR_NOMEM : MAGI_ERR_ENV;
		magi__draw_action(drawn, &e->act);
		*out = drawn;
		return own(c, drawn);
	}
	if (!r->p.guards || !magi_client_is_remote(c->to)) {
		*out = e->img;
		return MAGI_OK;
	}
	for (size_t i = 0; i < b->n; i++)
		if (b->from[i] == e->img) {
			*out = b->to[i] ? b->to[i] : e->img;
			return MAGI_OK;
		}
	struct magi_image *red = NULL;
	magi_status s = magi__guard_image(r, e->img, &red);
	if (s)
		return s;
	struct magi_image **to = NULL;
	if (!magi__grow(&b->from, &b->cap, b->n, sizeof *b->from, 8) || !(to = realloc(b->to, b->cap * sizeof *to))) {
		magi_image_free(red);
		return MAGI_ERR_NOMEM;
	}
	b->to = to;
	b->from[b->n] = e->img;
	b->to[b->n++] = red;
	*out = red ? red : e->img;
	return red ? own(c, red) : MAGI_OK;
}

static magi_status template_text(struct magi_call *c, char **tpl, char *name, size_t name_n,
				 struct magi_error *err)
{
	const struct magi_role *ro = c->role;
	const char *fallback = c->tpl_name || c->tpl_text ? c->tpl_text : ro->prompt_text;
	if (c->tpl_name)
		snprintf(name, name_n, "%s", c->tpl_name);
	else if (c->tpl_text)
		snprintf(name, name_n, "%s/%s (the call's own)", c->r->recipe->name, ro->name);
	else if (ro->prompt)
		snprintf(name, name_n, "%s", ro->prompt);
	else
		snprintf(name, name_n, "%s/%s", c->r->recipe->name, ro->name);
	struct magi_error e;
	magi_status s = c->tpl_text && !c->tpl_name ? MAGI_ERR_NOT_FOUND : magi__prompt_get(c->r->p.prompts_dir, name, tpl, &e);
	if (s == MAGI_ERR_NOT_FOUND && fallback) {
		*tpl = magi__strdup(fallback);
		return *tpl ? MAGI_OK : magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	if (s && err)
		*err = e;
	return s;
}

static magi_status build(struct magi_call *c, struct batch *b, struct magi_error *err)
{
	struct magi_run *r = c->r;
	request_release(c);
	char name[160];
	char *tpl = NULL;
	magi_status s = template_text(c, &tpl, name, sizeof name, err);
	if (s)
		return s;
	json_t *vars = json_pack("{s:s, s:i, s:i, s:i}", "task", r->p.task ? r->p.task : "", "step", r->step, "round",
				 r->step, "rounds", r->max_steps);
	if (r->vq)
		magi__video_vars(r, vars);
	if (r->env && (s = magi__screen_vars(r, c->to, tpl, vars))) {
		json_decref(vars);
		free(tpl);
		return magi_error_set(err, s, "preparing the %s request", name);
	}
	if (r->vq && strstr(tpl, "{{evidence")) {
		struct magi_buf ev;
		magi_buf_init(&ev, 1u << 20);
		magi__evidence_text(r, &ev);
		json_object_set_new(vars, "evidence", json_string(ev.data));
		magi_buf_release(&ev);
	}
	json_object_update(vars, c->vars);
	json_object_set(vars, "board", r->board);
	struct magi_buf prompt;
	magi_buf_init(&prompt, 4u << 20);
	s = magi__template_render(name, tpl, vars, &prompt, err);
	free(tpl);
	json_decref(vars);
	if (s) {
		magi_buf_release(&prompt);
		return s;
	}
	if (magi_chat_new(&c->chat)) {
		magi_buf_release(&prompt);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	magi_chat_set_logprobs(c->chat, c->want_logprobs);
	const struct magi_model_params *mp = magi_client_params(c->to);
	size_t chars = prompt.len;
	long img_tokens = 0;
	const char *role = "user";
	if (c->system) {
		chars += strlen(c->system);
		s = magi_chat_add_text(c->chat, "system", c->system);
	}
	for (size_t i = 0; i < c->n_imgs && !s; i++) {
		const struct magi_image *img = NULL;
		const struct call_img *e = &c->imgs[i];
		if (e->kind == ENT_MESSAGE) {
			role = e->label;
			s = magi_chat_new_message(c->chat, role);
			continue;
		}
		if (e->kind == ENT_TEXT || e->kind == ENT_TEMPLATE) {
			const char *t = e->kind == ENT_TEXT ? e->label : prompt.data;
			chars += e->kind == ENT_TEXT ? strlen(t) : 0;
			if (*t)
				s = magi_chat_add_text(c->chat, role, t);
			continue;
		}
		/* a text-only model gets the request's text alone: its images (and their labels)
		 * are left out rather than refused by the server */
		if (mp->text_only)
			continue;
		if ((s = resolve(c, b, &c->imgs[i], &img))) {
			const struct call_img *ci = &c->imgs[i];
			bool before = ci->kind == IMG_SCREEN_BEFORE || (ci->kind == IMG_SCREEN_AGO && ci->ago == 1);
			if (s == MAGI_ERR_DENIED || (s == MAGI_ERR_ENV && magi_client_is_remote(c->to) &&
						     magi__guard_withheld(c->r, before)))
				s = magi_error_set(err, MAGI_ERR_DENIED,
						   "image %zu of the %s request not sent: it could not be scanned for "
						   "PII (its OCR or the scan failed) and the model is remote",
						   i + 1, name);
			else
				s = magi_error_set(err, s, "preparing image %zu of the %s request", i + 1, name);
			break;
		}
		if (c->imgs[i].label) {
			chars += strlen(c->imgs[i].label);
			magi_chat_add_text(c->chat, role, c->imgs[i].label);
		}
		uint32_t w, h;
		magi_image_policy_fit(&mp->image, img->w, img->h, &w, &h);
		img_tokens += magi_image_policy_tokens(&mp->image, w, h);
		s = magi_chat_add_image(c->chat, role, img);
	}
	/* the template goes last, in a user message, unless the call placed it */
	if (!s && !c->template_placed && (prompt.len || !c->n_imgs))
		s = magi_chat_add_text(c->chat, "user", prompt.data);
	magi_buf_release(&prompt);
	c->est_tokens = (long)(chars / 4) + img_tokens;
	if (s && err && !err->status)
		magi_error_set(err, s, "building the %s request", name);
	return s;
}

/* ---- parsing ----------------------------------------------------------------------------- */

static magi_status parse_reply(struct magi_call *c, const char *text, struct magi_error *err)
{
	const struct magi_role *ro = c->role;
	json_t *o = NULL;
	magi_status s = MAGI_OK;
	c->fallback = false;
	if (!text)
		text = "";
	if (c->parser) {
		struct magi_json *po = NULL;
		s = c->parser(c, text, &po, err);
		o = (json_t *)po;
		if (!s && !json_is_object(o)) {
			json_decref(o);
			o = NULL;
			s = magi_error_set(err, MAGI_ERR_INVALID, "the %s parser gave no JSON object", ro->name);
		}
		goto check;
	}
	switch (ro->parser) {
	case MAGI_PARSER_SECTIONS:
		s = magi__parse_sections(text, ro->sections, &o, err);
		break;
	case MAGI_PARSER_JSON:
	case MAGI_PARSER_ANSWER: {
		if (!magi__json_extract_object(text, &o, NULL))
			break;
		const struct magi_run *r = c->r;
		char letter;
		/* a plain "Answer: C" names the option as clearly as {"answer": "C"} */
		if (ro->parser == MAGI_PARSER_ANSWER && r->vq && *r->vq->letters &&
		    magi__parse_choice(text, r->vq->letters, r->vp.choices, r->vp.n_choices, &letter)) {
			char l[2] = {letter, 0};
			o = json_pack("{s:s}", "answer", l);
			c->fallback = true;
			break;
		}
		s = magi_error_set(err, MAGI_ERR_PARSE, "reply with one JSON object ({...}) in the format asked for");
		break;
	}
	case MAGI_PARSER_LETTER: {
		char l;
		/* a letter may sit in an "### Answer ###" section; the letter parser finds it */
		if (!(s = magi__parse_letter(text, ro->letters ? ro->letters : "", &l, err))) {
			char ls[2] = {l, 0};
			o = json_object();
			json_object_set_new(o, "letter", json_string(ls));
			json_t *sec = NULL;
			if (!magi__parse_sections(text, NULL, &sec, NULL)) {
				json_object_update_missing(o, sec);
				json_decref(sec);
			}
		}
		break;
	}
	case MAGI_PARSER_TOOL_CALL:
		s = magi__parse_tool_call(text, &o, err);
		break;
	case MAGI_PARSER_TEXT:
		o = json_pack("{s:s}", "text", text);
		break;
	}
check:
	if (!s && !o)
		s = magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	magi_reply_check check = c->check ? c->check : ro->check;
	if (!s && check)
		s = check(c, (const struct magi_json *)o, err);
	if (s) {
		json_decref(o);
		c->fallback = false;
		return s;
	}
	c->parsed = o;
	return MAGI_OK;
}

/* ---- sending ----------------------------------------------------------------------------- */

static void account(struct magi_call *c, const struct magi_chat_result *res)
{
	struct magi_run *r = c->r;
	r->calls++;
	long est = (long)res->est_text_tokens + res->est_image_tokens;
	long pt = res->prompt_tokens > 0 ? res->prompt_tokens : est;
	c->prompt_tokens += pt;
	r->prompt_tokens += pt;
	if (res->prompt_tokens > 0)
		r->server_prompt_tokens += res->prompt_tokens;
	if (res->status == MAGI_OK || res->http_status)
		r->est_prompt_tokens += est;
	if (res->completion_tokens > 0) {
		c->completion_tokens += res->completion_tokens;
		r->completion_tokens += res->completion_tokens;
	}
	c->latency_ms += res->latency_ms;
	r->step_model_ms += res->latency_ms;
	if (res->n_images) {
		r->frames_sent += c->n_frames;
		r->storyboards_sent += c->n_boards;
	}
}

static void trace_call(struct magi_call *c, const struct magi_chat_result *res, int attempt, const char *perr)
{
	struct magi_run *r = c->r;
	json_t *extra = json_object();
	if (r->vq) {
		json_object_set_new(extra, "round", json_integer(r->step));
		json_object_set_new(extra, "phase", json_string(c->phase ? c->phase : c->role->name));
	} else {
		json_object_set_new(extra, "step", json_integer(r->step));
		if (c->phase)
			json_object_set_new(extra, "phase", json_string(c->phase));
	}
	json_object_set_new(extra, "attempt", json_integer(attempt));
	if (r->vq)
		json_object_set_new(extra, "frames", json_integer((json_int_t)c->n_imgs));
	if (c->member)
		json_object_set_new(extra, "member", json_string(c->member));
	if (perr)
		json_object_set_new(extra, "parse_error", json_string(perr));
	if (c->fallback)
		json_object_set_new(extra, "fallback_parse", json_string("letter"));
	if (res->dropped)
		json_object_set_new(extra, "dropped_params", json_string(res->dropped));
	struct magi_error terr;
	if (magi__trace_call_json(r->trace, c->role->name, magi_client_params(c->to)->name, res, extra, &terr))
		magi__run_stop(r, "trace_error", terr.status, "%s", terr.msg);
	json_decref(extra);
}

/* Fails every call still pending with the stop rule's status. */
static void fail_pending(struct magi_run *r, struct magi_call *const *calls, const size_t *pend, size_t np)
{
	for (size_t k = 0; k < np; k++) {
		struct magi_call *c = calls[pend[k]];
		c->status = r->stop_err.status ? r->stop_err.status : MAGI_ERR_CANCELLED;
		c->err = r->stop_err;
	}
}

/* The stop rules before requests go out: cancel, time, trace, and the token budget with the
 * requests' estimated prompt tokens. */
static bool may_send(struct magi_run *r, struct magi_call *const *calls, const size_t *pend, size_t np)
{
	if (magi__run_stop_rule(r, NULL))
		return false;
	if (r->p.max_tokens > 0) {
		long est = 0;
		for (size_t k = 0; k < np; k++)
			est += calls[pend[k]]->est_tokens;
		long used = r->prompt_tokens + r->completion_tokens;
		if (used + est > r->p.max_tokens) {
			magi__run_stop(r, "token_budget", MAGI_ERR_BUDGET,
				       "the token budget of %ld would be passed (%ld used, about %ld more for the next %s)",
				       r->p.max_tokens, used, est, np == 1 ? "request" : "requests");
			return false;
		}
	}
	return true;
}

/* One reply of call c (attempt from 1): parse, trace, and decide: done, or ask again. */
static bool handle(struct magi_call *c, struct magi_chat_result *x, int attempt, int max_attempts)
{
	struct magi_run *r = c->r;
	account(c, x);
	struct magi_error perr;
	magi_error_clear(&perr);
	magi_status ps = x->status ? x->status : parse_reply(c, x->content, &perr);
	trace_call(c, x, attempt, !x->status && ps ? perr.msg : NULL);
	const char *who = magi_client_params(c->to)->name;
	if (x->status) {
		c->status = magi_error_set(&c->err, x->status, "%s%s%s: %s", c->role->name, c->member ? " " : "",
					   c->member ? c->member : "", x->error ? x->error : "model call failed");
		if (x->status == MAGI_ERR_CANCELLED)
			magi__run_stop(r, "interrupted", MAGI_ERR_CANCELLED, "interrupted");
		return false;
	}
	if (!ps) {
		free(c->raw);
		c->raw = x->content;
		x->content = NULL;
		json_decref(c->logprobs);
		c->logprobs = NULL;
		for (size_t i = 0; i < x->n_logprobs; i++) {
			if (!c->logprobs)
				c->logprobs = json_array();
			json_array_append_new(c->logprobs, json_pack("{s:s, s:f}", "token", x->logprobs[i].token, "logprob",
								     x->logprobs[i].logprob));
		}
		return false;
	}
	if (attempt >= max_attempts) {
		c->status = magi_error_set(&c->err, MAGI_ERR_MODEL, "model '%s' gave no usable %s reply in %d tries: %s",
					   who, c->role->name, max_attempts, perr.msg);
		free(c->raw); /* the last reply stays readable (magi_call_text): it was an answer */
		c->raw = x->content;
		x->content = NULL;
		return false;
	}
	MAGI_INFO("%s: unusable reply (%s); asking again", c->role->name, perr.msg);
	/* Show the model its own reply and what was wrong with it. */
	magi_chat_new_message(c->chat, "assistant");
	magi_chat_add_text(c->chat, "assistant", x->content ? x->content : "");
	struct magi_buf fix;
	magi_buf_init(&fix, 0);
	magi_buf_printf(&fix, "Your previous reply could not be used: %s\nReply again in the required format.", perr.msg);
	magi_chat_new_message(c->chat, "user");
	magi_chat_add_text(c->chat, "user", fix.data);
	c->est_tokens += (long)((fix.len + (x->content ? strlen(x->content) : 0)) / 4);
	magi_buf_release(&fix);
	return true;
}

magi_status magi_run_calls(struct magi_run *r, struct magi_call *const *calls, size_t n, struct magi_error *err)
{
	size_t m = n ? n : 1;
	size_t *pend = calloc(m, sizeof *pend);
	struct magi_client **clients = calloc(m, sizeof *clients);
	struct magi_chat **chats = calloc(m, sizeof *chats);
	struct magi_chat_result *res = calloc(m, sizeof *res);
	struct batch b = {0};
	if (!pend || !clients || !chats || !res) {
		free(pend);
		free(clients);
		free(chats);
		free(res);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		struct magi_call *c = calls[i];
		results_release(c);
		c->to = magi_call_client(c);
		if (!c->to)
			c->status = magi_error_set(&c->err, MAGI_ERR_CONFIG, "no model for role %s", c->role->name);
		else
			c->status = build(c, &b, &c->err);
		if (!c->status)
			pend[np++] = i;
	}
	free(b.from);
	free(b.to);
	int max_attempts = r->p.repair_attempts + 1;
	for (int attempt = 1; np && attempt <= max_attempts; attempt++) {
		if (!may_send(r, calls, pend, np)) {
			fail_pending(r, calls, pend, np);
			break;
		}
		for (size_t k = 0; k < np; k++) {
			clients[k] = calls[pend[k]]->to;
			chats[k] = calls[pend[k]]->chat;
		}
		magi__evidence_commit(r); /* frames written while the round went on, before the model is waited for */
		magi__reading_go(r); /* the engine of a screen read behind this request may load now */
		magi_chat_many_cancel(clients, chats, np, res, r->p.cancel);
		for (size_t k = 0; k < np; k++)
			magi__gui_keep_sent(r, chats[k]);
		size_t still = 0;
		for (size_t k = 0; k < np; k++) {
			if (handle(calls[pend[k]], &res[k], attempt, max_attempts))
				pend[still++] = pend[k];
			magi_chat_result_release(&res[k]);
		}
		np = still;
	}
	free(pend);
	free(clients);
	free(chats);
	free(res);
	for (size_t i = 0; i < n; i++) {
		request_release(calls[i]);
		if (calls[i]->status) {
			if (err)
				*err = calls[i]->err;
			return calls[i]->status;
		}
	}
	return MAGI_OK;
}

void magi_call_set_logprobs(struct magi_call *c, bool on)
{
	c->want_logprobs = on;
}

const struct magi_json *magi_call_logprobs(const struct magi_call *c)
{
	return (const struct magi_json *)c->logprobs;
}

magi_status magi_run_call(struct magi_run *r, struct magi_call *c, struct magi_error *err)
{
	return magi_run_calls(r, &c, 1, err);
}
