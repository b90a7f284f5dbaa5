/* video_calls.c — what the video recipes share, part 2: role calls with any number of
 * images, run concurrently over curl multi with a repair retry per call, every request
 * traced; reading answers, confidences and evidence from replies; evidence kept in time
 * order on the blackboard with its frames saved in the run directory. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent/prompt.h"
#include "core/json.h"
#include "trace/trace_internal.h"
#include "recipes/video.h"
#include "core/common.h"

#define MAX_EVIDENCE_ITEMS 64 /* per reply; more is a reply gone wrong */

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

/* ---- role calls ---------------------------------------------------------------------------- */

void magi__vcall_release(struct magi__vcall *c)
{
	json_decref(c->parsed);
	c->parsed = NULL;
	free(c->raw);
	c->raw = NULL;
	magi_chat_free(c->chat);
	c->chat = NULL;
}

static magi_status build_chat(struct magi__vrun *v, struct magi__vcall *c, struct magi_error *err)
{
	char *tpl = NULL;
	magi_status s = magi__prompt_get(v->p.prompts_dir, c->name, &tpl, err);
	if (s)
		return s;
	json_t *vars = c->vars ? json_deep_copy(c->vars) : json_object();
	json_object_set(vars, "board", v->run.board);
	struct magi_buf prompt;
	magi_buf_init(&prompt, 4u << 20);
	s = magi__template_render(c->name, tpl, vars, &prompt, err);
	free(tpl);
	json_decref(vars);
	if (s) {
		magi_buf_release(&prompt);
		return s;
	}
	magi_chat_free(c->chat);
	c->chat = NULL;
	if (magi_chat_new(&c->chat)) {
		magi_buf_release(&prompt);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	for (size_t i = 0; i < c->n_images; i++) {
		if (c->labels && c->labels[i])
			magi_chat_add_text(c->chat, "user", c->labels[i]);
		magi_chat_add_image(c->chat, "user", c->images[i]);
	}
	s = magi_chat_add_text(c->chat, "user", prompt.data);
	magi_buf_release(&prompt);
	return s ? magi_error_set(err, s, "building the %s request", c->name) : MAGI_OK;
}

static magi_status parse_reply(struct magi__vcall *c, const char *text, struct magi_error *err)
{
	json_t *o = NULL;
	if (!text || magi__json_extract_object(text, &o, NULL))
		return magi_error_set(err, MAGI_ERR_PARSE, "reply with one JSON object ({...}) in the format asked for");
	if (c->check) {
		magi_status s = c->check(c->check_ud, o, err);
		if (s) {
			json_decref(o);
			return s;
		}
	}
	c->parsed = o;
	return MAGI_OK;
}

static void account(struct magi__vrun *v, struct magi__vcall *c, const struct magi_chat_result *res)
{
	struct magi__run *r = &v->run;
	r->calls++;
	long est = (long)res->est_text_tokens + res->est_image_tokens;
	long pt = res->prompt_tokens > 0 ? res->prompt_tokens : est;
	c->prompt_tokens += pt;
	r->prompt_tokens += pt;
	if (res->prompt_tokens > 0)
		v->server_prompt_tokens += res->prompt_tokens;
	if (res->status == MAGI_OK || res->http_status)
		v->est_prompt_tokens += est;
	if (res->completion_tokens > 0) {
		c->completion_tokens += res->completion_tokens;
		r->completion_tokens += res->completion_tokens;
	}
	c->latency_ms += res->latency_ms;
	if (c->storyboards)
		v->storyboards_sent += res->n_images;
	else
		v->frames_sent += res->n_images;
}

magi_status magi__vcall_many(struct magi__vrun *v, struct magi__vcall *calls, size_t n, const char *phase,
			     struct magi_error *err)
{
	struct magi__run *r = &v->run;
	size_t *pend = calloc(n ? n : 1, sizeof *pend);
	struct magi_client **clients = calloc(n ? n : 1, sizeof *clients);
	struct magi_chat **chats = calloc(n ? n : 1, sizeof *chats);
	struct magi_chat_result *res = calloc(n ? n : 1, sizeof *res);
	if (!pend || !clients || !chats || !res) {
		free(pend);
		free(clients);
		free(chats);
		free(res);
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	}
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		struct magi__vcall *c = &calls[i];
		c->status = MAGI_OK;
		magi_error_clear(&c->err);
		if (!c->client)
			c->client = magi_team_client(r->team, c->role);
		if (!c->client)
			c->status = magi_error_set(&c->err, MAGI_ERR_CONFIG, "no model for role %s", c->role);
		else
			c->status = build_chat(v, c, &c->err);
		if (!c->status)
			pend[np++] = i;
	}
	for (int attempt = 0; np && attempt <= r->p.repair_attempts; attempt++) {
		for (size_t k = 0; k < np; k++) {
			clients[k] = calls[pend[k]].client;
			chats[k] = calls[pend[k]].chat;
		}
		magi_chat_many(clients, chats, np, res);
		size_t still = 0;
		for (size_t k = 0; k < np; k++) {
			struct magi__vcall *c = &calls[pend[k]];
			struct magi_chat_result *x = &res[k];
			account(v, c, x);
			struct magi_error perr;
			magi_error_clear(&perr);
			magi_status ps = MAGI_OK;
			if (x->status == MAGI_OK)
				ps = parse_reply(c, x->content, &perr);
			json_t *extra = json_pack("{s:i, s:s, s:i, s:i}", "round", v->round, "phase", phase, "attempt",
						  attempt + 1, "frames", (int)c->n_images);
			if (c->member)
				json_object_set_new(extra, "member", json_string(c->member));
			if (x->status == MAGI_OK && ps)
				json_object_set_new(extra, "parse_error", json_string(perr.msg));
			magi__trace_call_json(r->trace, c->role, magi_client_params(c->client)->name, x, extra, NULL);
			json_decref(extra);
			if (x->status) {
				c->status = magi_error_set(&c->err, x->status, "%s%s%s: %s", c->role,
							   c->member ? " " : "", c->member ? c->member : "",
							   x->error ? x->error : "model call failed");
			} else if (!ps) {
				free(c->raw);
				c->raw = x->content;
				x->content = NULL;
			} else if (attempt < r->p.repair_attempts) {
				MAGI_INFO("%s: unusable reply (%s); asking again", c->name, perr.msg);
				/* Show the model its own reply and what was wrong with it. */
				magi_chat_new_message(c->chat, "assistant");
				magi_chat_add_text(c->chat, "assistant", x->content);
				struct magi_buf fix;
				magi_buf_init(&fix, 0);
				magi_buf_printf(&fix,
						"Your previous reply could not be used: %s\nReply again in the required format.",
						perr.msg);
				magi_chat_new_message(c->chat, "user");
				magi_chat_add_text(c->chat, "user", fix.data);
				magi_buf_release(&fix);
				pend[still++] = pend[k];
			} else {
				c->status = magi_error_set(&c->err, MAGI_ERR_MODEL,
							   "model '%s' gave no usable %s reply in %d tries: %s",
							   magi_client_params(c->client)->name, c->role,
							   r->p.repair_attempts + 1, perr.msg);
			}
			magi_chat_result_release(x);
		}
		np = still;
	}
	free(pend);
	free(clients);
	free(chats);
	free(res);
	for (size_t i = 0; i < n; i++)
		if (calls[i].status) {
			if (err)
				*err = calls[i].err;
			return calls[i].status;
		}
	return MAGI_OK;
}

magi_status magi__vcall_one(struct magi__vrun *v, struct magi__vcall *c, const char *phase, struct magi_error *err)
{
	return magi__vcall_many(v, c, 1, phase, err);
}

/* ---- answers and evidence ---------------------------------------------------------------------- */

double magi__json_number_any(const json_t *j)
{
	if (json_is_number(j))
		return json_number_value(j);
	if (json_is_string(j)) {
		double d;
		char tmp[64];
		snprintf(tmp, sizeof tmp, "%s", json_string_value(j));
		char *e = tmp + strlen(tmp);
		while (e > tmp && (isspace((unsigned char)e[-1]) || e[-1] == '%'))
			*--e = '\0';
		if (magi__parse_double(tmp, &d))
			return d;
	}
	return NAN;
}

double magi__vrun_seconds(const json_t *j)
{
	if (json_is_number(j))
		return json_number_value(j);
	if (!json_is_string(j))
		return NAN;
	const char *s = json_string_value(j);
	while (isspace((unsigned char)*s))
		s++;
	/* "HH:MM:SS(.s)" or "MM:SS": fields split at ':' */
	if (strchr(s, ':')) {
		double parts[3];
		int np = 0;
		const char *p = s;
		while (np < 3) {
			char *end;
			double d = strtod(p, &end);
			if (end == p || !(d >= 0))
				return NAN;
			parts[np++] = d;
			if (*end != ':')
				break;
			p = end + 1;
		}
		if (np < 2)
			return NAN;
		return np == 3 ? parts[0] * 3600 + parts[1] * 60 + parts[2] : parts[0] * 60 + parts[1];
	}
	char *end;
	double d = strtod(s, &end);
	if (end == s)
		return NAN;
	while (isspace((unsigned char)*end))
		end++;
	if (*end && strcmp(end, "s") && strcmp(end, "sec") && strcmp(end, "seconds"))
		return NAN;
	return d;
}

magi_status magi__vrun_answer(const struct magi__vrun *v, const json_t *ans, char *letter, struct magi_error *err)
{
	*letter = 0;
	const char *a = json_is_string(ans) ? json_string_value(ans) : NULL;
	if (!a || blank(a))
		return magi_error_set(err, MAGI_ERR_PARSE, "\"answer\" must be a non-empty string%s%s",
				      *v->letters ? ": one of the letters " : "", v->letters);
	if (!*v->letters)
		return MAGI_OK;
	while (isspace((unsigned char)*a) || *a == '(' || *a == '"')
		a++;
	static const char *const prefixes[] = {"answer:", "answer is", "option", "choice"};
	for (size_t i = 0; i < MAGI_ARRAY_LEN(prefixes); i++)
		if (!strncasecmp(a, prefixes[i], strlen(prefixes[i]))) {
			a += strlen(prefixes[i]);
			while (isspace((unsigned char)*a) || *a == '(')
				a++;
		}
	char c = (char)toupper((unsigned char)a[0]);
	if (c && strchr(v->letters, c) && !isalnum((unsigned char)a[1])) {
		*letter = c;
		return MAGI_OK;
	}
	/* the text of one choice, as the model may repeat it instead of the letter */
	int found = -1;
	for (size_t i = 0; i < v->p.n_choices; i++) {
		const char *t = v->p.choices[i];
		while (isspace((unsigned char)*t))
			t++;
		t += 2;
		while (isspace((unsigned char)*t))
			t++;
		size_t tl = strlen(t), al = strlen(a);
		while (tl && isspace((unsigned char)t[tl - 1]))
			tl--;
		while (al && (isspace((unsigned char)a[al - 1]) || a[al - 1] == '.' || a[al - 1] == '"'))
			al--;
		if (tl && tl == al && !strncasecmp(t, a, tl)) {
			found = (int)i;
			break;
		}
	}
	if (found >= 0) {
		*letter = v->letters[found];
		return MAGI_OK;
	}
	return magi_error_set(err, MAGI_ERR_PARSE, "\"answer\" must be one of the letters %s (got \"%.80s\")",
			      v->letters, json_string_value(ans));
}

magi_status magi__vrun_check_evidence(const struct magi__vrun *v, const json_t *obj, bool required,
				      struct magi_error *err)
{
	const json_t *ev = json_object_get(obj, "evidence");
	if (!ev && !required)
		return MAGI_OK;
	if (!json_is_array(ev))
		return magi_error_set(err, MAGI_ERR_PARSE,
				      "\"evidence\" must be an array of {\"start\": s, \"end\": s, \"description\": \"...\"} "
				      "(an empty array when nothing relevant was seen)");
	if (json_array_size(ev) > MAX_EVIDENCE_ITEMS)
		return magi_error_set(err, MAGI_ERR_PARSE, "at most %d evidence items, please", MAX_EVIDENCE_ITEMS);
	double d = v->info->duration_s;
	size_t i;
	const json_t *e;
	json_array_foreach(ev, i, e)
	{
		if (!json_is_object(e))
			return magi_error_set(err, MAGI_ERR_PARSE, "evidence item %zu must be an object", i + 1);
		double a = magi__vrun_seconds(json_object_get(e, "start"));
		double b = magi__vrun_seconds(json_object_get(e, "end"));
		if (!isfinite(a) || !isfinite(b))
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "evidence item %zu: \"start\" and \"end\" must be seconds from the start of "
					      "the video (numbers) or HH:MM:SS",
					      i + 1);
		if (a > b)
			return magi_error_set(err, MAGI_ERR_PARSE, "evidence item %zu: start %.1f s is after end %.1f s",
					      i + 1, a, b);
		/* a second of slack: frames near the end are labelled with their own times */
		if (a < 0 || b > d + 1)
			return magi_error_set(err, MAGI_ERR_PARSE,
					      "evidence item %zu: %.1f-%.1f s is outside the video (0-%.1f s)", i + 1, a,
					      b, d);
		const char *desc = magi__json_str(e, "description", NULL);
		if (!desc || blank(desc))
			return magi_error_set(err, MAGI_ERR_PARSE, "evidence item %zu needs a \"description\" of what was seen",
					      i + 1);
	}
	return MAGI_OK;
}

/* The frame among frames nearest the middle of [a, b]. */
static const struct magi_video_frame *nearest_frame(const struct magi_video_frames *f, double a, double b)
{
	if (!f)
		return NULL;
	const struct magi_video_frame *best = NULL;
	double mid = (a + b) / 2, bd = INFINITY;
	for (size_t i = 0; i < f->n; i++) {
		if (!f->items[i].img)
			continue;
		double dd = fabs(f->items[i].t_s - mid);
		if (dd < bd) {
			bd = dd;
			best = &f->items[i];
		}
	}
	/* a frame far outside the item's span would show something else */
	if (best && (best->t_s < a - 2 || best->t_s > b + 2))
		return NULL;
	return best;
}

int magi__vrun_add_evidence(struct magi__vrun *v, const json_t *obj, const struct magi_video_frames *frames,
			    const char *source)
{
	const json_t *items = json_object_get(obj, "evidence");
	json_t *board_ev = json_object_get(v->run.board, "evidence");
	int added = 0;
	size_t i;
	const json_t *e;
	json_array_foreach(items, i, e)
	{
		double a = magi__vrun_seconds(json_object_get(e, "start"));
		double b = magi__vrun_seconds(json_object_get(e, "end"));
		const char *desc = magi__json_str(e, "description", "");
		if (!isfinite(a) || !isfinite(b) || blank(desc))
			continue;
		a = round(a * 10) / 10;
		b = round(b * 10) / 10;
		/* the same observation again (the team often agrees) adds nothing */
		bool dup = false;
		size_t k;
		const json_t *x;
		json_array_foreach(board_ev, k, x)
		{
			if (fabs(magi__json_num(x, "start", -1) - a) < 0.05 && fabs(magi__json_num(x, "end", -1) - b) < 0.05 &&
			    !strcmp(magi__json_str(x, "description", ""), desc))
				dup = true;
		}
		if (dup)
			continue;
		json_t *item = json_pack("{s:f, s:f, s:s, s:i, s:s}", "start", a, "end", b, "description", desc, "round",
					 v->round, "source", source);
		const struct magi_video_frame *f = nearest_frame(frames, a, b);
		if (f) {
			char name[32];
			snprintf(name, sizeof name, "evidence-%03d.jpg", ++v->n_saved);
			struct magi_error serr;
			if (magi_trace_save_image(v->run.trace, name, f->img, NULL, &serr) == MAGI_OK) {
				json_object_set_new(item, "image", json_string(name));
				json_object_set_new(item, "frame_t", json_real(round(f->t_s * 100) / 100));
			} else {
				MAGI_WARN("saving an evidence frame: %s", magi_error_text(&serr));
			}
		}
		/* time order: insert before the first item that starts later */
		size_t at = json_array_size(board_ev);
		json_array_foreach(board_ev, k, x)
		{
			if (magi__json_num(x, "start", 0) > a) {
				at = k;
				break;
			}
		}
		json_array_insert(board_ev, at, item);
		magi__trace_event_json(v->run.trace, "evidence", item, NULL);
		json_decref(item);
		added++;
	}
	return added;
}

void magi__vrun_evidence_text(const struct magi__vrun *v, struct magi_buf *out)
{
	const json_t *ev = json_object_get(v->run.board, "evidence");
	if (!json_array_size(ev)) {
		magi_buf_puts(out, "(no evidence yet)\n");
		return;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(ev, i, e)
	{
		char ta[24], tb[24];
		double a = magi__json_num(e, "start", 0), b = magi__json_num(e, "end", 0);
		magi_buf_printf(out, "- [%s-%s] (%.1f-%.1f s) %s\n", magi__vtime(a, ta), magi__vtime(b, tb), a, b,
				magi__json_str(e, "description", ""));
	}
}

double magi__vrun_confidence(const json_t *obj, double def)
{
	double c = magi__json_number_any(json_object_get(obj, "confidence"));
	if (!isfinite(c) || c < 0 || c > 100)
		return def;
	return c > 1 ? c / 100 : c;
}

magi_status magi__vrun_check_answer(void *ud, const json_t *obj, struct magi_error *err)
{
	const struct magi__vrun *v = ud;
	char letter;
	magi_status s = magi__vrun_answer(v, json_object_get(obj, "answer"), &letter, err);
	if (s)
		return s;
	const json_t *c = json_object_get(obj, "confidence");
	if (c && !json_is_null(c) && !isfinite(magi__vrun_confidence(obj, NAN)))
		return magi_error_set(err, MAGI_ERR_PARSE, "\"confidence\" must be a number between 0 and 1");
	return magi__vrun_check_evidence(v, obj, false, err);
}

void magi__vrun_set_answer(struct magi__vrun *v, char letter, const char *text, const char *justification,
			   double confidence, bool forced)
{
	struct magi_video_answer *o = v->out;
	free(o->answer);
	free(o->answer_text);
	free(o->justification);
	o->answer = o->answer_text = o->justification = NULL;
	if (letter && *v->letters) {
		char l[2] = {letter, 0};
		o->answer = magi__strdup(l);
		const char *c = v->p.choices[letter - 'A'];
		while (isspace((unsigned char)*c))
			c++;
		o->answer_text = magi__strdup(c);
	} else if (text) {
		o->answer = magi__strdup(text);
		o->answer_text = magi__strdup(text);
	}
	if (justification && *justification)
		o->justification = magi__strdup(justification);
	o->confidence = isfinite(confidence) ? confidence : 0;
	o->forced = forced;
}

json_t *magi__vrun_vars(const struct magi__vrun *v)
{
	const struct magi_video_info *in = v->info;
	char dur[24];
	struct magi_buf fmt;
	magi_buf_init(&fmt, 0);
	if (*v->letters) {
		magi_buf_puts(&fmt, "one of the letters ");
		for (const char *l = v->letters; *l; l++)
			magi_buf_printf(&fmt, "%s%c", l == v->letters ? "" : l[1] ? ", " : " or ", *l);
	} else {
		magi_buf_puts(&fmt, "a short answer in words");
	}
	json_t *vars = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:i}", "question", v->p.question, "choices",
				 *v->letters ? v->choices_text : "(open question: answer in a few words)\n",
				 "answer_format", fmt.data, "duration", magi__vtime(in->duration_s, dur), "duration_s",
				 round(in->duration_s * 10) / 10, "video_fps", round(in->fps * 100) / 100, "width",
				 (int)in->width, "height", (int)in->height);
	magi_buf_release(&fmt);
	return vars;
}
