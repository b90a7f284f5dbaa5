/* answer.c — answers and evidence of video questions: reading a model's answer (a letter,
 * "(B)", "Answer: B", the text of a choice), its confidence and its time-stamped evidence;
 * evidence kept in time order on the blackboard with the frame that shows it saved in the
 * run directory; the run's answer. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "agent/agent_internal.h"
#include "trace/trace_internal.h"
#include "core/json.h"
#include "core/common.h"

#define MAX_EVIDENCE_ITEMS 64 /* per reply; more is a reply gone wrong */

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

static magi_status read_answer(const struct magi_run *r, const json_t *ans, char *letter, struct magi_error *err)
{
	*letter = 0;
	const char *letters = magi_run_letters(r);
	const char *a = json_is_string(ans) ? json_string_value(ans) : NULL;
	if (!a || blank(a))
		return magi_error_set(err, MAGI_ERR_PARSE, "\"answer\" must be a non-empty string%s%s",
				      *letters ? ": one of the letters " : "", letters);
	if (!*letters)
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
	if (c && strchr(letters, c) && !isalnum((unsigned char)a[1])) {
		*letter = c;
		return MAGI_OK;
	}
	/* the text of one choice, as the model may repeat it instead of the letter */
	for (size_t i = 0; i < r->vp.n_choices; i++) {
		const char *t = r->vp.choices[i];
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
			*letter = letters[i];
			return MAGI_OK;
		}
	}
	return magi_error_set(err, MAGI_ERR_PARSE, "\"answer\" must be one of the letters %s (got \"%.80s\")", letters,
			      json_string_value(ans));
}

magi_status magi_run_read_answer(const struct magi_run *r, const struct magi_json *reply, char *letter,
				 struct magi_error *err)
{
	return read_answer(r, json_object_get((const json_t *)reply, "answer"), letter, err);
}

double magi_reply_confidence(const struct magi_json *reply, double def)
{
	double c = magi__json_number_any(json_object_get((const json_t *)reply, "confidence"));
	if (!isfinite(c) || c < 0 || c > 100)
		return def;
	return c > 1 ? c / 100 : c;
}

static magi_status check_evidence(const struct magi_run *r, const json_t *obj, bool required, struct magi_error *err)
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
	double d = r->vq ? r->vq->info->duration_s : INFINITY;
	size_t i;
	const json_t *e;
	json_array_foreach(ev, i, e)
	{
		if (!json_is_object(e))
			return magi_error_set(err, MAGI_ERR_PARSE, "evidence item %zu must be an object", i + 1);
		double a = magi__json_seconds(json_object_get(e, "start"));
		double b = magi__json_seconds(json_object_get(e, "end"));
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

magi_status magi_check_evidence(struct magi_call *c, const struct magi_json *reply, struct magi_error *err)
{
	return check_evidence(magi_call_run(c), (const json_t *)reply, true, err);
}

magi_status magi_check_answer(struct magi_call *c, const struct magi_json *reply, struct magi_error *err)
{
	const struct magi_run *r = magi_call_run(c);
	const json_t *obj = (const json_t *)reply;
	char letter;
	magi_status s = read_answer(r, json_object_get(obj, "answer"), &letter, err);
	if (s)
		return s;
	const json_t *conf = json_object_get(obj, "confidence");
	if (conf && !json_is_null(conf) && !isfinite(magi_reply_confidence(reply, NAN)))
		return magi_error_set(err, MAGI_ERR_PARSE, "\"confidence\" must be a number between 0 and 1");
	return check_evidence(r, obj, false, err);
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

int magi_run_add_evidence(struct magi_run *r, const struct magi_json *reply, const struct magi_video_frames *frames,
			  const char *source)
{
	if (!r->vq)
		return 0;
	const json_t *items = json_object_get((const json_t *)reply, "evidence");
	json_t *board_ev = json_object_get(r->board, "evidence");
	int added = 0;
	size_t i;
	const json_t *e;
	json_array_foreach(items, i, e)
	{
		double a = magi__json_seconds(json_object_get(e, "start"));
		double b = magi__json_seconds(json_object_get(e, "end"));
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
					 r->step, "source", source ? source : "");
		const struct magi_video_frame *f = nearest_frame(frames, a, b);
		struct magi_image *copy = NULL;
		if (f && magi_image_clone(f->img, &copy) != MAGI_OK)
			MAGI_WARN("out of memory keeping an evidence frame; the evidence is traced without it");
		if (copy) {
			/* the frame is encoded and written on the trace's writer thread (a copy: the
			 * round frees its frames); its event is traced once it is written */
			char name[32];
			snprintf(name, sizeof name, "evidence-%03d.jpg", ++r->vq->n_saved);
			struct magi_error serr;
			magi_status ss = magi__trace_save_image_give(r->trace, name, copy, &serr);
			if (ss == MAGI_OK) {
				json_object_set_new(item, "image", json_string(name));
				json_object_set_new(item, "frame_t", json_real(round(f->t_s * 100) / 100));
			} else {
				magi__run_stop(r, "trace_error", ss, "%s", serr.msg);
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
		if (json_object_get(item, "image") && (r->vq->pending || (r->vq->pending = json_array())))
			json_array_append(r->vq->pending, item);
		else
			magi__run_trace(r, "evidence", item);
		json_decref(item);
		added++;
	}
	return added;
}

void magi__evidence_commit(struct magi_run *r)
{
	if (!r->vq || !json_array_size(r->vq->pending))
		return;
	struct magi_error ferr;
	magi_status s = magi__trace_flush(r->trace, false, &ferr);
	if (s)
		magi__run_stop(r, "trace_error", s, "%s", ferr.msg);
	size_t i;
	json_t *e;
	json_array_foreach(r->vq->pending, i, e)
		magi__run_trace(r, "evidence", e);
	json_array_clear(r->vq->pending);
}

void magi__evidence_unwritten(const struct magi_run *r, json_t *b)
{
	if (!r->vq || !json_array_size(r->vq->pending))
		return;
	const json_t *ev = json_object_get(b, "evidence");
	json_t *copy = json_array();
	size_t i, k;
	json_t *e, *p;
	json_array_foreach(ev, i, e)
	{
		bool unwritten = false;
		json_array_foreach(r->vq->pending, k, p)
			unwritten |= p == e;
		json_t *c = unwritten ? json_copy(e) : json_incref(e);
		if (unwritten && c)
			json_object_del(c, "image");
		json_array_append_new(copy, c);
	}
	json_object_set_new(b, "evidence", copy);
}

void magi__evidence_text(const struct magi_run *r, struct magi_buf *out)
{
	const json_t *ev = json_object_get(r->board, "evidence");
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
		magi_buf_printf(out, "- [%s-%s] (%.1f-%.1f s) %s\n", magi_time_text(a, ta), magi_time_text(b, tb), a, b,
				magi__json_str(e, "description", ""));
	}
}

void magi_run_answer(struct magi_run *r, char letter, const char *text, const char *justification, double confidence,
		     bool forced, const char *reason)
{
	if (!r->vq)
		return;
	struct magi_video_answer *o = r->vq->out;
	free(o->answer);
	free(o->answer_text);
	free(o->justification);
	o->answer = o->answer_text = o->justification = NULL;
	const char *letters = r->vq->letters;
	const char *at = letter ? strchr(letters, letter) : NULL;
	if (at && *letters) {
		char l[2] = {letter, 0};
		o->answer = magi__strdup(l);
		const char *c = r->vp.choices[at - letters];
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
	magi_run_finish(r, reason ? reason : "answered", o->answer != NULL);
}
