/* video_lvagent.c — LVAgent (Chen et al., 2025, "LVAgent: Long Video Understanding by
 * Multi-Round Dynamical Collaboration of MLLM Agents"): a team of models answers together in
 * at most 3 rounds, each round
 *   perceive  every member decides whether the default sample (frames spread uniformly over
 *             the video) is enough; if not it states the key information it needs, the video
 *             is split into blocks whose storyboards the member scores against that need, and
 *             it looks at frames from its best blocks;
 *   act       all members answer in parallel (concurrent requests);
 *   reflect   a majority ends the run; otherwise each member gives its reasons, scores the
 *             others 1-10, the member with the lowest total leaves (ties: the one configured
 *             last), and the rest look again with a summary of the discussion.
 * The paper reports 80% accuracy on four long-video benchmarks with such teams. Team calls
 * go out together through magi_chat_many, so a round costs about one model latency. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "trace/trace_internal.h"
#include "recipes/video.h"
#include "core/common.h"

#define LV_DEFAULT_FRAMES 16 /* default sample, and frames per look, per member */
#define LV_MIN_BLOCKS 4
#define LV_MAX_BLOCKS 12
#define LV_BLOCK_S 60.0      /* target block length */
#define LV_CELLS 8           /* frames per block storyboard */
#define LV_CELL_W 256        /* storyboard cell width: 4x2 cells make 1044x300 px, ~420 visual
					* tokens; at 192 px scene titles become too small to read */
#define LV_TOP_BLOCKS 2      /* blocks a member looks at */

struct member {
	struct magi_client *client;
	char id[16];    /* "agent1": how members name each other */
	char label[96]; /* "agent1 (model)" */
	int priority;   /* index in the configured team: lower is more trusted */
	bool alive;
	bool enough;
	bool answered; /* this round */
	char *key_info;
	struct magi_video_frames *own; /* frames of the member's last look, or NULL (default sample) */
	char letter;                   /* last answer: a letter, or 1 for an open answer in text */
	char *answer;                  /* the answer as given */
	char *justification;
	char *evidence_text;
	char *reasons;
	double confidence;
	double total; /* peer score total this round */
};

struct lv {
	struct magi__vrun *v;
	struct member m[MAGI_VIDEO_MAX_MEMBERS];
	int n;
	int k; /* frames per look */
	struct magi_video_frames *deflt;
	/* blocks and their storyboards, made on first need */
	int n_blocks;
	double blocks[LV_MAX_BLOCKS][2];
	struct magi_image *boards[LV_MAX_BLOCKS];
	char *board_labels[LV_MAX_BLOCKS];
	char *discussion;
};

static int alive_count(const struct lv *l)
{
	int n = 0;
	for (int i = 0; i < l->n; i++)
		n += l->m[i].alive;
	return n;
}

static void lv_release(struct lv *l)
{
	for (int i = 0; i < l->n; i++) {
		struct member *m = &l->m[i];
		free(m->key_info);
		free(m->answer);
		free(m->justification);
		free(m->evidence_text);
		free(m->reasons);
		magi_video_frames_free(m->own);
	}
	for (int b = 0; b < l->n_blocks; b++) {
		magi_image_free(l->boards[b]);
		free(l->board_labels[b]);
	}
	magi_video_frames_free(l->deflt);
	free(l->discussion);
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? magi__strdup(s) : NULL;
}

static json_t *member_vars(const struct lv *l, const struct member *m)
{
	json_t *vars = magi__vrun_vars(l->v);
	json_object_set_new(vars, "member", json_string(m->id));
	json_object_set_new(vars, "n_members", json_integer(alive_count(l)));
	json_object_set_new(vars, "round", json_integer(l->v->round));
	json_object_set_new(vars, "prev_round", json_integer(l->v->round - 1));
	json_object_set_new(vars, "discussion",
			    json_string(l->discussion ? l->discussion : ""));
	json_object_set_new(vars, "own_answer", json_string(m->answer ? m->answer : "(none)"));
	return vars;
}

/* Frames of a member as an image array with labels; NULL on OOM. */
static const struct magi_image **frame_images(const struct magi_video_frames *f)
{
	const struct magi_image **imgs = calloc(f->n ? f->n : 1, sizeof *imgs);
	for (size_t i = 0; imgs && i < f->n; i++)
		imgs[i] = f->items[i].img;
	return imgs;
}

static const struct magi_video_frames *look_of(const struct lv *l, const struct member *m)
{
	return m->own ? m->own : l->deflt;
}

/* ---- checks ------------------------------------------------------------------------------ */

static magi_status check_perceive(void *ud, const json_t *o, struct magi_error *err)
{
	const struct lv *l = ud;
	const json_t *e = json_object_get(o, "enough");
	if (!json_is_boolean(e))
		return magi_error_set(err, MAGI_ERR_PARSE, "\"enough\" must be true or false");
	/* in the first round a member content with the default sample answers at once */
	if (json_is_true(e) && l->v->round == 1)
		return magi__vrun_check_answer(l->v, o, err);
	if (json_is_false(e) && !*magi__json_str(o, "key_information", ""))
		return magi_error_set(err, MAGI_ERR_PARSE, "say in \"key_information\" what you need to see");
	return MAGI_OK;
}

static magi_status check_blocks(void *ud, const json_t *o, struct magi_error *err)
{
	const struct lv *l = ud;
	const json_t *s = json_object_get(o, "block_scores");
	if (!json_is_array(s) || json_array_size(s) != (size_t)l->n_blocks)
		return magi_error_set(err, MAGI_ERR_PARSE, "\"block_scores\" must be an array of exactly %d numbers",
				      l->n_blocks);
	for (size_t i = 0; i < json_array_size(s); i++) {
		double x = magi__json_number_any(json_array_get(s, i));
		if (!(x >= 0 && x <= 10))
			return magi_error_set(err, MAGI_ERR_PARSE, "block score %zu must be a number from 0 to 10", i + 1);
	}
	return MAGI_OK;
}

static magi_status check_reasons(void *ud, const json_t *o, struct magi_error *err)
{
	(void)ud;
	const char *r = magi__json_str(o, "reasons", NULL);
	if (!r || !*r)
		return magi_error_set(err, MAGI_ERR_PARSE, "\"reasons\" must be a non-empty string");
	return MAGI_OK;
}

struct score_check {
	const struct lv *l;
	const struct member *self;
};

static magi_status check_scores(void *ud, const json_t *o, struct magi_error *err)
{
	const struct score_check *sc = ud;
	const json_t *s = json_object_get(o, "peer_scores");
	if (!json_is_object(s))
		return magi_error_set(err, MAGI_ERR_PARSE, "\"peer_scores\" must be an object {\"agentN\": score, ...}");
	for (int i = 0; i < sc->l->n; i++) {
		const struct member *m = &sc->l->m[i];
		if (!m->alive || m == sc->self)
			continue;
		double x = magi__json_number_any(json_object_get(s, m->id));
		if (!(x >= 1 && x <= 10))
			return magi_error_set(err, MAGI_ERR_PARSE, "\"peer_scores\" needs a score from 1 to 10 for %s", m->id);
	}
	return MAGI_OK;
}

/* ---- looking ------------------------------------------------------------------------------- */

/* Splits the video into blocks and draws each block's storyboard (one decode for all). */
static magi_status make_storyboards(struct lv *l, struct magi_error *err)
{
	if (l->n_blocks)
		return MAGI_OK;
	struct magi__vrun *v = l->v;
	double d = v->info->duration_s;
	int nb = (int)lround(d / LV_BLOCK_S);
	nb = nb < LV_MIN_BLOCKS ? LV_MIN_BLOCKS : nb > LV_MAX_BLOCKS ? LV_MAX_BLOCKS : nb;
	double times[LV_MAX_BLOCKS * LV_CELLS];
	for (int b = 0; b < nb; b++) {
		l->blocks[b][0] = d * b / nb;
		l->blocks[b][1] = d * (b + 1) / nb;
		for (int c = 0; c < LV_CELLS; c++)
			times[b * LV_CELLS + c] = l->blocks[b][0] + (c + 0.5) * (d / nb) / LV_CELLS;
	}
	magi__vrun_say(v, "round %d  storyboards: %d blocks of %.0f s, %d frames each", v->round, nb, d / nb, LV_CELLS);
	struct magi_video_frames *fr = NULL;
	magi_status s = magi__vrun_sample_times(v, times, (size_t)(nb * LV_CELLS), LV_CELL_W, "storyboards", &fr, err);
	if (s)
		return s;
	/* sample_times returns frames in time order, so block b's cells are items[b*C .. b*C+C) */
	for (int b = 0; b < nb && !s; b++) {
		s = magi_video_storyboard(&fr->items[b * LV_CELLS], LV_CELLS, 4, LV_CELL_W, &l->boards[b], err);
		char ta[24], tb[24], line[160];
		snprintf(line, sizeof line, "Block %d of %d: %s-%s (%.1f-%.1f s), %d frames, each with its time burned in:",
			 b + 1, nb, magi__vtime(l->blocks[b][0], ta), magi__vtime(l->blocks[b][1], tb), l->blocks[b][0],
			 l->blocks[b][1], LV_CELLS);
		l->board_labels[b] = magi__strdup(line);
		l->n_blocks = b + 1;
	}
	magi_video_frames_free(fr);
	return s;
}

/* Frames for a member from its best-scored blocks: k frames spread over them. */
static magi_status look_blocks(struct lv *l, struct member *m, const json_t *scores, struct magi_error *err)
{
	struct magi__vrun *v = l->v;
	double sc[LV_MAX_BLOCKS];
	for (int b = 0; b < l->n_blocks; b++)
		sc[b] = magi__json_number_any(json_array_get(scores, (size_t)b));
	int chosen[LV_TOP_BLOCKS], nc = 0;
	double top = -1;
	for (int pick = 0; pick < LV_TOP_BLOCKS; pick++) {
		int best = -1;
		for (int b = 0; b < l->n_blocks; b++) {
			bool taken = false;
			for (int j = 0; j < nc; j++)
				taken |= chosen[j] == b;
			if (!taken && (best < 0 || sc[b] > sc[best]))
				best = b;
		}
		if (best < 0)
			break;
		if (pick == 0)
			top = sc[best];
		/* a clearly weaker second block is not worth half the frames */
		else if (sc[best] < top - 1)
			break;
		chosen[nc++] = best;
	}
	double times[MAGI_VIDEO_MAX_SAMPLES];
	size_t n = 0;
	double lo = top;
	for (int b = 0; b < l->n_blocks; b++)
		lo = sc[b] < lo ? sc[b] : lo;
	if (top - lo < 1) {
		/* the storyboards single nothing out: look again over the whole video, on a grid
		 * between the default sample's frames rather than at two arbitrary blocks */
		double d = v->info->duration_s;
		for (int i = 0; i < l->k; i++)
			times[n++] = (i + 1) * d / (l->k + 1);
		nc = 0;
	}
	for (int j = 0; j < nc; j++) {
		int b = chosen[j];
		int per = l->k / nc + (j < l->k % nc);
		for (int c = 0; c < per && n < MAGI_VIDEO_MAX_SAMPLES; c++)
			times[n++] = l->blocks[b][0] + (c + 0.5) * (l->blocks[b][1] - l->blocks[b][0]) / per;
	}
	json_t *ev = json_pack("{s:i, s:s, s:O, s:[]}", "round", v->round, "member", m->id, "scores", scores, "chosen");
	for (int j = 0; j < nc; j++)
		json_array_append_new(json_object_get(ev, "chosen"), json_integer(chosen[j] + 1));
	magi__trace_event_json(v->run.trace, "blocks", ev, NULL);
	json_decref(ev);
	char ta[24], tb[24];
	if (nc)
		magi__vrun_say(v, "round %d  %s looks at block %d (%s-%s)%s", v->round, m->id, chosen[0] + 1,
			       magi__vtime(l->blocks[chosen[0]][0], ta), magi__vtime(l->blocks[chosen[0]][1], tb),
			       nc > 1 ? " and another" : "");
	else
		magi__vrun_say(v, "round %d  %s: no block stands out; looks again between the default frames",
			       v->round, m->id);
	char what[48];
	snprintf(what, sizeof what, "round %d %s", v->round, m->id);
	magi_video_frames_free(m->own);
	m->own = NULL;
	return magi__vrun_sample_times(v, times, n, MAGI_VIDEO_LOW_SIDE, what, &m->own, err);
}

/* Keeps a member's answer (and its evidence, with the frames it was given). */
static void take_answer(struct lv *l, struct member *m, const json_t *o)
{
	struct magi__vrun *v = l->v;
	char letter = 0;
	magi__vrun_answer(v, json_object_get(o, "answer"), &letter, NULL);
	m->letter = letter ? letter : 1;
	set_str(&m->answer, magi__json_str(o, "answer", ""));
	if (letter) {
		char lt[2] = {letter, 0};
		set_str(&m->answer, lt);
	}
	set_str(&m->justification, magi__json_str(o, "justification", ""));
	m->confidence = magi__vrun_confidence(o, 0);
	const json_t *ev = json_object_get(o, "evidence");
	char *ej = json_is_array(ev) ? magi__json_dump(ev, false) : NULL;
	set_str(&m->evidence_text, ej ? ej : "[]");
	free(ej);
	magi__vrun_add_evidence(v, o, look_of(l, m), m->id);
	m->answered = true;
	magi__vrun_say(v, "round %d  %s answers %s (confidence %.2f)", v->round, m->id, m->answer, m->confidence);
}

/* Perception for every living member: the default sample (round 1) or the discussion (later
 * rounds); members that need more score the block storyboards and look at their best blocks. */
static magi_status perceive(struct lv *l, struct magi_error *err)
{
	struct magi__vrun *v = l->v;
	struct magi__vcall calls[MAGI_VIDEO_MAX_MEMBERS];
	struct member *who[MAGI_VIDEO_MAX_MEMBERS];
	json_t *vars[MAGI_VIDEO_MAX_MEMBERS];
	memset(calls, 0, sizeof calls);
	int n = 0;
	const struct magi_image **imgs = NULL;
	char **labels = NULL;
	if (v->round == 1) {
		imgs = frame_images(l->deflt);
		labels = magi__frame_labels(l->deflt);
		if (!imgs || !labels) {
			free(imgs);
			magi__labels_free(labels, l->deflt->n);
			return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
		}
	}
	for (int i = 0; i < l->n; i++) {
		struct member *m = &l->m[i];
		if (!m->alive)
			continue;
		struct magi__vcall *c = &calls[n];
		vars[n] = member_vars(l, m);
		json_object_set_new(vars[n], "n_frames", json_integer(v->round == 1 ? (json_int_t)l->deflt->n : 0));
		c->name = v->round == 1 ? "lvagent/perceive" : "lvagent/relook";
		c->role = v->round == 1 ? "perceive" : "relook";
		c->client = m->client;
		c->member = m->id;
		c->vars = vars[n];
		if (v->round == 1) {
			c->images = imgs;
			c->labels = labels;
			c->n_images = l->deflt->n;
		}
		c->check = check_perceive;
		c->check_ud = l;
		who[n++] = m;
	}
	magi_status s = magi__vcall_many(v, calls, (size_t)n, "perceive", err);
	int need = 0;
	for (int j = 0; j < n; j++) {
		struct member *m = who[j];
		if (calls[j].status) {
			/* a member that cannot take part any more leaves; the team goes on */
			m->alive = false;
			magi__vrun_say(v, "round %d  %s leaves: %s", v->round, m->id, calls[j].err.msg);
			continue;
		}
		m->enough = json_is_true(json_object_get(calls[j].parsed, "enough"));
		set_str(&m->key_info, magi__json_str(calls[j].parsed, "key_information", ""));
		json_t *ev = json_pack("{s:i, s:s, s:b, s:s}", "round", v->round, "member", m->id, "enough", m->enough,
				       "key_information", m->key_info);
		magi__trace_event_json(v->run.trace, "perceive", ev, NULL);
		json_decref(ev);
		magi__vrun_say(v, "round %d  %s: %s%s", v->round, m->id, m->enough ? "enough" : "needs ",
			       m->enough ? "" : m->key_info);
		if (m->enough && v->round == 1)
			take_answer(l, m, calls[j].parsed);
		need += !m->enough;
	}
	for (int j = 0; j < n; j++) {
		magi__vcall_release(&calls[j]);
		json_decref(vars[j]);
	}
	free(imgs);
	magi__labels_free(labels, v->round == 1 ? l->deflt->n : 0);
	if (!alive_count(l))
		return s ? s : magi_error_set(err, MAGI_ERR_MODEL, "no team member could take part");
	if (!need)
		return MAGI_OK;

	/* members that need more: score the block storyboards against their key information */
	if ((s = make_storyboards(l, err)))
		return s;
	memset(calls, 0, sizeof calls);
	n = 0;
	for (int i = 0; i < l->n; i++) {
		struct member *m = &l->m[i];
		if (!m->alive || m->enough)
			continue;
		struct magi__vcall *c = &calls[n];
		vars[n] = member_vars(l, m);
		json_object_set_new(vars[n], "key_information", json_string(m->key_info));
		json_object_set_new(vars[n], "n_blocks", json_integer(l->n_blocks));
		c->name = "lvagent/score_blocks";
		c->role = "score_blocks";
		c->client = m->client;
		c->member = m->id;
		c->vars = vars[n];
		c->images = (const struct magi_image *const *)l->boards;
		c->labels = l->board_labels;
		c->n_images = (size_t)l->n_blocks;
		c->storyboards = true;
		c->check = check_blocks;
		c->check_ud = l;
		who[n++] = m;
	}
	magi__vcall_many(v, calls, (size_t)n, "blocks", err);
	s = MAGI_OK;
	for (int j = 0; j < n && !s; j++) {
		struct member *m = who[j];
		if (calls[j].status) {
			/* scores that never came: this member answers from what it has already seen */
			magi__vrun_say(v, "round %d  %s could not score the blocks: %s", v->round, m->id, calls[j].err.msg);
			continue;
		}
		s = look_blocks(l, m, json_object_get(calls[j].parsed, "block_scores"), err);
	}
	for (int j = 0; j < n; j++) {
		magi__vcall_release(&calls[j]);
		json_decref(vars[j]);
	}
	return s;
}

/* ---- answering and discussing --------------------------------------------------------------- */

static magi_status answer_all(struct lv *l, struct magi_error *err)
{
	struct magi__vrun *v = l->v;
	struct magi__vcall calls[MAGI_VIDEO_MAX_MEMBERS];
	struct member *who[MAGI_VIDEO_MAX_MEMBERS];
	json_t *vars[MAGI_VIDEO_MAX_MEMBERS];
	const struct magi_image **imgs[MAGI_VIDEO_MAX_MEMBERS];
	char **labels[MAGI_VIDEO_MAX_MEMBERS];
	memset(calls, 0, sizeof calls);
	int n = 0;
	for (int i = 0; i < l->n; i++) {
		struct member *m = &l->m[i];
		if (!m->alive || m->answered)
			continue;
		const struct magi_video_frames *f = look_of(l, m);
		struct magi__vcall *c = &calls[n];
		imgs[n] = frame_images(f);
		labels[n] = magi__frame_labels(f);
		vars[n] = member_vars(l, m);
		json_object_set_new(vars[n], "n_frames", json_integer((json_int_t)f->n));
		json_object_set_new(vars[n], "frames_note",
				    json_string(m->own ? "frames from the parts of the video you chose to look at"
						       : "frames sampled uniformly over the whole video"));
		c->name = "lvagent/answer";
		c->role = "answer";
		c->client = m->client;
		c->member = m->id;
		c->vars = vars[n];
		c->images = imgs[n];
		c->labels = labels[n];
		c->n_images = imgs[n] && labels[n] ? f->n : 0;
		c->check = magi__vrun_check_answer;
		c->check_ud = v;
		who[n++] = m;
	}
	if (n)
		magi__vcall_many(v, calls, (size_t)n, "answer", err);
	for (int j = 0; j < n; j++) {
		struct member *m = who[j];
		if (calls[j].status) {
			m->alive = false;
			magi__vrun_say(v, "round %d  %s leaves: %s", v->round, m->id, calls[j].err.msg);
		} else {
			take_answer(l, m, calls[j].parsed);
		}
		magi__vcall_release(&calls[j]);
		json_decref(vars[j]);
		free(imgs[j]);
		magi__labels_free(labels[j], look_of(l, m)->n);
	}
	json_t *answers = json_object();
	for (int i = 0; i < l->n; i++) {
		const struct member *m = &l->m[i];
		if (m->alive && m->answered)
			json_object_set_new(answers, m->id,
					    json_pack("{s:s, s:f, s:s}", "answer", m->answer, "confidence", m->confidence,
						      "justification", m->justification ? m->justification : ""));
	}
	json_t *ev = json_pack("{s:i, s:o}", "round", v->round, "answers", answers);
	magi__trace_event_json(v->run.trace, "answers", ev, NULL);
	json_decref(ev);
	return alive_count(l) ? MAGI_OK
			      : (err && err->status ? err->status
						   : magi_error_set(err, MAGI_ERR_MODEL, "no team member answered"));
}

/* Same answer: the letter, or the text (case-insensitive) for open questions. */
static bool same_answer(const struct member *a, const struct member *b)
{
	if (a->letter > 1 || b->letter > 1)
		return a->letter == b->letter;
	return a->answer && b->answer && !strcasecmp(a->answer, b->answer);
}

/* The member whose answer most living members share (ties: the more trusted); *votes. */
static struct member *plurality(struct lv *l, int *votes)
{
	struct member *best = NULL;
	int bv = 0;
	for (int i = 0; i < l->n; i++) {
		struct member *m = &l->m[i];
		if (!m->alive)
			continue;
		int c = 0;
		for (int j = 0; j < l->n; j++)
			c += l->m[j].alive && same_answer(m, &l->m[j]);
		if (c > bv) {
			bv = c;
			best = m;
		}
	}
	*votes = bv;
	return best;
}

static void conclude(struct lv *l, struct member *m, const char *reason, bool forced)
{
	struct magi__vrun *v = l->v;
	/* the most confident member holding this answer speaks for it */
	struct member *speaker = m;
	double conf = 0;
	int k = 0;
	for (int i = 0; i < l->n; i++) {
		struct member *x = &l->m[i];
		if (!x->alive || !same_answer(x, m))
			continue;
		conf += x->confidence;
		k++;
		if (x->confidence > speaker->confidence)
			speaker = x;
	}
	magi__vrun_set_answer(v, m->letter > 1 ? m->letter : 0, m->answer, speaker->justification, k ? conf / k : 0,
			      forced);
	free(v->out->reason);
	v->out->reason = magi__strdup(reason);
}

static magi_status discuss(struct lv *l, struct magi_error *err)
{
	struct magi__vrun *v = l->v;
	struct magi__vcall calls[MAGI_VIDEO_MAX_MEMBERS];
	struct member *who[MAGI_VIDEO_MAX_MEMBERS];
	json_t *vars[MAGI_VIDEO_MAX_MEMBERS];
	struct score_check sc[MAGI_VIDEO_MAX_MEMBERS];
	struct magi_buf all;
	magi_buf_init(&all, 1u << 20);
	for (int i = 0; i < l->n; i++)
		if (l->m[i].alive)
			magi_buf_printf(&all, "- %s answered %s (confidence %.2f): %s\n", l->m[i].id, l->m[i].answer,
					l->m[i].confidence, l->m[i].justification ? l->m[i].justification : "");
	/* reasons */
	memset(calls, 0, sizeof calls);
	int n = 0;
	for (int i = 0; i < l->n; i++) {
		struct member *m = &l->m[i];
		if (!m->alive)
			continue;
		vars[n] = member_vars(l, m);
		json_object_set_new(vars[n], "answers", json_string(all.data));
		json_object_set_new(vars[n], "own_justification", json_string(m->justification ? m->justification : ""));
		json_object_set_new(vars[n], "own_evidence", json_string(m->evidence_text ? m->evidence_text : "[]"));
		calls[n] = (struct magi__vcall){.name = "lvagent/reasons", .role = "reasons", .client = m->client,
						.member = m->id, .vars = vars[n], .check = check_reasons};
		who[n++] = m;
	}
	magi__vcall_many(v, calls, (size_t)n, "reasons", err);
	for (int j = 0; j < n; j++) {
		set_str(&who[j]->reasons, calls[j].status ? "(gave no reasons)"
							  : magi__json_str(calls[j].parsed, "reasons", ""));
		magi__vcall_release(&calls[j]);
		json_decref(vars[j]);
	}
	json_t *rev = json_pack("{s:i, s:{}}", "round", v->round, "reasons");
	for (int j = 0; j < n; j++)
		json_object_set_new(json_object_get(rev, "reasons"), who[j]->id, json_string(who[j]->reasons));
	magi__trace_event_json(v->run.trace, "reasons", rev, NULL);
	json_decref(rev);

	/* scores: each member scores every other living member 1-10 */
	memset(calls, 0, sizeof calls);
	n = 0;
	for (int i = 0; i < l->n; i++) {
		struct member *m = &l->m[i];
		if (!m->alive)
			continue;
		struct magi_buf others, form;
		magi_buf_init(&others, 1u << 20);
		magi_buf_init(&form, 0);
		magi_buf_putc(&form, '{');
		for (int j = 0; j < l->n; j++) {
			const struct member *o = &l->m[j];
			if (!o->alive || o == m)
				continue;
			magi_buf_printf(&others, "### %s ###\nAnswer: %s (confidence %.2f)\nReasons: %s\n", o->id, o->answer,
					o->confidence, o->reasons);
			magi_buf_printf(&form, "%s\"%s\": <1-10>", form.len > 1 ? ", " : "", o->id);
		}
		magi_buf_putc(&form, '}');
		vars[n] = member_vars(l, m);
		json_object_set_new(vars[n], "others", json_string(others.data));
		json_object_set_new(vars[n], "score_form", json_string(form.data));
		magi_buf_release(&others);
		magi_buf_release(&form);
		sc[n] = (struct score_check){l, m};
		calls[n] = (struct magi__vcall){.name = "lvagent/peer_scores", .role = "peer_scores", .client = m->client,
						.member = m->id, .vars = vars[n], .check = check_scores, .check_ud = &sc[n]};
		who[n++] = m;
	}
	magi__vcall_many(v, calls, (size_t)n, "scores", err);
	for (int i = 0; i < l->n; i++)
		l->m[i].total = 0;
	json_t *matrix = json_object();
	for (int j = 0; j < n; j++) {
		if (calls[j].status)
			continue; /* no scores from this member: the others' totals stay comparable */
		const json_t *ps = json_object_get(calls[j].parsed, "peer_scores");
		json_object_set(matrix, who[j]->id, (json_t *)ps);
		for (int i = 0; i < l->n; i++) {
			struct member *o = &l->m[i];
			if (o->alive && o != who[j])
				o->total += magi__json_number_any(json_object_get(ps, o->id));
		}
	}
	for (int j = 0; j < n; j++) {
		magi__vcall_release(&calls[j]);
		json_decref(vars[j]);
	}
	/* the lowest total leaves; on a tie the member configured last (least trusted) */
	struct member *out = NULL;
	for (int i = 0; i < l->n; i++) {
		struct member *m = &l->m[i];
		if (m->alive && (!out || m->total < out->total || (m->total == out->total && m->priority > out->priority)))
			out = m;
	}
	json_t *totals = json_object();
	for (int i = 0; i < l->n; i++)
		if (l->m[i].alive)
			json_object_set_new(totals, l->m[i].id, json_real(l->m[i].total));
	bool last_round = v->round >= v->p.rounds || alive_count(l) < 2;
	json_t *sev = json_pack("{s:i, s:o, s:o}", "round", v->round, "scores", matrix, "totals", totals);
	if (out && !last_round)
		json_object_set_new(sev, "leaves", json_string(out->id));
	magi__trace_event_json(v->run.trace, "scores", sev, NULL);
	json_decref(sev);

	/* the summary the rest look again with */
	struct magi_buf d;
	magi_buf_init(&d, 1u << 20);
	if (l->discussion)
		magi_buf_puts(&d, l->discussion);
	magi_buf_printf(&d, "Round %d:\n", v->round);
	for (int i = 0; i < l->n; i++) {
		const struct member *m = &l->m[i];
		if (m->alive)
			magi_buf_printf(&d, "- %s answered %s (confidence %.2f, peer score %.0f). Reasons: %s\n", m->id, m->answer,
					m->confidence, m->total, m->reasons);
	}
	if (out && !last_round) {
		magi_buf_printf(&d, "%s had the lowest peer score and left the team.\n", out->id);
		out->alive = false;
		magi__vrun_say(v, "round %d  no majority; %s leaves (peer score %.0f)", v->round, out->id, out->total);
		json_t *lev = json_pack("{s:i, s:s, s:f}", "round", v->round, "member", out->id, "total", out->total);
		magi__trace_event_json(v->run.trace, "leave", lev, NULL);
		json_decref(lev);
	}
	free(l->discussion);
	l->discussion = magi_buf_detach(&d, NULL);
	json_object_set_new(v->run.board, "discussion", json_string(l->discussion));
	magi_buf_release(&all);
	return MAGI_OK;
}

magi_status magi__video_lvagent(struct magi__vrun *v, struct magi_error *err)
{
	struct lv l = {0};
	l.v = v;
	l.n = (int)v->p.n_members;
	for (int i = 0; i < l.n; i++) {
		struct member *m = &l.m[i];
		m->client = v->p.members[i];
		m->priority = i;
		m->alive = true;
		snprintf(m->id, sizeof m->id, "agent%d", i + 1);
		const char *name = v->p.member_names && v->p.member_names[i] ? v->p.member_names[i]
									    : magi_client_params(m->client)->name;
		snprintf(m->label, sizeof m->label, "agent%d (%s)", i + 1, name);
	}
	if (v->p.rounds > MAGI_VIDEO_LVAGENT_ROUNDS)
		v->p.rounds = MAGI_VIDEO_LVAGENT_ROUNDS;
	l.k = v->p.frames > 0 ? v->p.frames : LV_DEFAULT_FRAMES;
	json_t *team = json_array();
	for (int i = 0; i < l.n; i++)
		json_array_append_new(team, json_string(l.m[i].label));
	json_object_set_new(v->run.board, "team", team);
	magi_status s = MAGI_OK;
	v->round = 1;
	int left = magi__vrun_frames_left(v);
	if (l.k * l.n > left)
		l.k = left / l.n;
	if (l.k <= 0) {
		lv_release(&l);
		return magi_error_set(err, MAGI_ERR_BUDGET, "the frame budget allows no look for a team of %d", l.n);
	}
	magi__vrun_say(v, "team of %d: default sample of %d frames", l.n, l.k);
	if ((s = magi__vrun_sample_uniform(v, (size_t)l.k, MAGI_VIDEO_LOW_SIDE, "default sample", &l.deflt, err))) {
		lv_release(&l);
		return s;
	}
	for (int round = 1; round <= v->p.rounds; round++) {
		v->round = round;
		for (int i = 0; i < l.n; i++)
			l.m[i].answered = false;
		int alive = alive_count(&l);
		/* each living member may look once more this round and answers once */
		left = magi__vrun_frames_left(v);
		if (left < l.k * alive * 2) {
			l.k = left / (alive * 2);
			if (l.k <= 0) {
				int votes;
				struct member *p = plurality(&l, &votes);
				if (p && p->answer) {
					conclude(&l, p, "frame_budget", true);
					break;
				}
				s = magi_error_set(err, MAGI_ERR_BUDGET, "the frame budget ran out before the team answered");
				break;
			}
		}
		if ((s = perceive(&l, err)) || (s = answer_all(&l, err)))
			break;
		int votes;
		struct member *p = plurality(&l, &votes);
		alive = alive_count(&l);
		json_t *vev = json_pack("{s:i, s:i, s:i, s:s}", "round", round, "votes", votes, "members", alive, "answer",
					p && p->answer ? p->answer : "");
		magi__trace_event_json(v->run.trace, "vote", vev, NULL);
		json_decref(vev);
		if (p && 2 * votes > alive) {
			magi__vrun_say(v, "round %d  majority: %s (%d of %d)", round, p->answer, votes, alive);
			conclude(&l, p, "majority", false);
			break;
		}
		if ((s = discuss(&l, err)))
			break;
		json_t *bev = json_pack("{s:i, s:O}", "round", round, "board", v->run.board);
		magi__trace_event_json(v->run.trace, "board", bev, NULL);
		json_decref(bev);
		if (round == v->p.rounds || alive_count(&l) < 1) {
			/* no majority in the last round: the best-scored member's answer */
			struct member *best = NULL;
			for (int i = 0; i < l.n; i++) {
				struct member *m = &l.m[i];
				if (m->alive && m->answer && (!best || m->total > best->total))
					best = m;
			}
			if (!best)
				best = p;
			magi__vrun_say(v, "no majority after %d rounds; %s's answer (best peer score) stands", round,
				       best ? best->id : "nobody");
			if (best)
				conclude(&l, best, "no_majority", true);
			break;
		}
	}
	lv_release(&l);
	return s;
}
