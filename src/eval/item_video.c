/* item_video.c — video-QA items: one question through magi_video_ask, the letter taken
 * from the answer the way the benchmarks' own scripts take it.
 *
 * Video-MME (eval_your_results.py) strips a fixed list of answer prefixes — with two
 * missing commas in that list, so "The best option isThe correct option is" and "Best
 * answer:Best option:" are single prefixes there, and so here — then returns "" for a
 * reply of more than 10 words without a choice letter, else the first capital choice
 * letter anywhere in it. Unanswered items are left out of its accuracy. LongVideoBench
 * strips the same way but, when no letter is found, picks a choice at random; here the
 * pick is drawn from the item's id, so a resumed eval gets the same totals. Both counts
 * (unanswered, fallback) are reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "eval/eval_internal.h"
#include "core/common.h"

void magi__eval_extract_letter(const char *reply, const char *letters, char out[2])
{
	static const char *const prefixes[] = {
		"The best answer is", "The correct answer is", "The answer is", "The answer",
		"The best option isThe correct option is", "Best answer:Best option:", NULL,
	};
	out[0] = out[1] = '\0';
	if (!reply)
		return;
	struct magi_buf b;
	magi_buf_init(&b, 1 << 20);
	magi_buf_puts(&b, reply);
	for (int i = 0; prefixes[i]; i++) {
		size_t pl = strlen(prefixes[i]);
		char *p;
		while ((p = strstr(b.data, prefixes[i]))) {
			memmove(p, p + pl, strlen(p + pl) + 1);
			b.len -= pl;
		}
	}
	/* The script's "more than 10 words and no letter" rule gives "" exactly when no letter
	 * is found at all, so the first choice letter decides. */
	for (const char *p = b.data; *p && !out[0]; p++)
		if (*p >= 'A' && *p <= 'Z' && strchr(letters, *p))
			out[0] = *p;
	magi_buf_release(&b);
}

static bool kind_is(const json_t *item, const char *protocol)
{
	return !strcmp(magi__json_str(item, "protocol", ""), protocol);
}

json_t *magi__eval_run_video(struct magi__eval_worker *w, const json_t *item, const char *run_dir)
{
	const json_t *ch = json_object_get(item, "choices");
	size_t n = json_array_size(ch);
	const char *choices[MAGI_VIDEO_MAX_CHOICES];
	/* the benchmarks write "A. text"; magi's prompts list choices as "A) text" */
	char *owned[MAGI_VIDEO_MAX_CHOICES] = {0};
	for (size_t i = 0; i < n && i < MAGI_VIDEO_MAX_CHOICES; i++) {
		const char *c = json_string_value(json_array_get(ch, i));
		choices[i] = c;
		if (c && c[0] == (char)('A' + i) && (c[1] == '.' || c[1] == ':') && asprintf(&owned[i], "%c)%s", c[0], c + 2) > 0)
			choices[i] = owned[i];
	}
	struct magi_video_ask_params vp = magi_video_ask_params_default();
	vp.question = magi__json_str(item, "question", "");
	vp.choices = choices;
	vp.n_choices = n;
	vp.recipe = w->recipe;
	vp.frames = w->p->video_frames;
	vp.runs_dir = run_dir;
	vp.members = w->models.members;
	vp.member_names = w->models.member_names;
	vp.n_members = w->models.n_members;
	struct magi_video_answer a;
	struct magi_error err;
	magi_error_clear(&err);
	magi_status s = magi_video_ask(magi__json_str(item, "video", ""), w->models.team, &vp, &a, &err);
	for (size_t i = 0; i < MAGI_VIDEO_MAX_CHOICES; i++)
		free(owned[i]);
	const char *letters = magi__json_str(item, "letters", "ABCD");
	char got[2];
	magi__eval_extract_letter(a.answer, letters, got);
	bool answered = got[0] != '\0', fallback = false;
	if (!answered && kind_is(item, "longvideobench")) {
		/* LongVideoBench's random choice, drawn from the id so that it repeats */
		char h[65];
		const char *id = magi__json_str(item, "id", "");
		magi_sha256_hex(id, strlen(id), h);
		h[8] = '\0';
		got[0] = letters[strtoul(h, NULL, 16) % strlen(letters)];
		fallback = true;
	}
	const char *want = magi__json_str(item, "answer", "");
	bool correct = got[0] && got[0] == want[0];
	json_t *r = json_pack("{s:b, s:f, s:s?, s:s, s:s, s:b, s:b, s:s?, s:s?, s:s?, s:i, s:I, s:I, s:i, s:f}",
			      "success", correct, "score", correct ? 1.0 : 0.0, "reply", a.answer, "letter", got,
			      "answer", want, "answered", answered, "fallback", fallback, "reason", a.reason,
			      "duration", magi__json_str(item, "duration", NULL), "category",
			      magi__json_str(item, "category", NULL), "calls", a.calls, "prompt_tokens",
			      (json_int_t)a.prompt_tokens, "completion_tokens", (json_int_t)a.completion_tokens,
			      "frames_sent", a.frames_sent, "wall_ms", a.wall_ms);
	if (a.run_dir)
		json_object_set_new(r, "run_dir", json_string(a.run_dir));
	if (s) {
		json_object_set_new(r, "status", json_string("error"));
		json_object_set_new(r, "error", json_string(magi_error_text(&err)));
	}
	magi_video_answer_release(&a);
	return r;
}
