/* video_lvagent.c — LVAgent (Chen et al., 2025, "LVAgent: Long Video Understanding by
 * Multi-Round Dynamical Collaboration of MLLM Agents"): a team of models answers together in
 * at most 3 rounds (one round per step of the run), each round
 *   perceive  every member decides whether the default sample (frames spread uniformly over
 *             the video) is enough; if not it states the key information it needs, the video
 *             is split into blocks whose storyboards the member scores against that need, and
 *             it looks at frames from its best blocks;
 *   act       all members answer in parallel (concurrent requests);
 *   reflect   a majority ends the run (magi_team_vote); otherwise each member gives its
 *             reasons, scores the others 1-10, the member with the lowest total leaves
 *             (magi_team_eliminate: ties go against the one configured last), and the rest
 *             look again with a summary of the discussion.
 * The paper reports 80% accuracy on four long-video benchmarks with such teams. Team calls
 * go out together (magi_run_calls), so a round costs about one model latency. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "recipes/recipes.h"

#define LV_DEFAULT_FRAMES 16 /* default sample, and frames per look, per member */
#define LV_MIN_BLOCKS 4
#define LV_MAX_BLOCKS 12
#define LV_BLOCK_S 60.0 /* target block length */
#define LV_CELLS 8	/* frames per block storyboard */
#define LV_CELL_W 256	/* storyboard cell width: 4x2 cells make 1044x300 px, ~420 visual
			 * tokens; at 192 px scene titles become too small to read */
#define LV_TOP_BLOCKS 2 /* blocks a member looks at */
#define N MAGI_VIDEO_MAX_MEMBERS

struct member {
	struct magi_client *client;
	char id[16];	/* "agent1": how members name each other */
	char label[96]; /* "agent1 (model)" */
	bool alive, enough, answered;
	char *key_info;
	struct magi_video_frames *own; /* frames of the member's last look, or NULL (default sample) */
	char letter;		       /* last answer's letter, 0 for an open answer */
	char *answer;		       /* the answer as given (the letter for choices) */
	char *justification, *evidence_text, *reasons;
	double confidence;
	double total; /* peer score total this round */
};

struct lv {
	struct member m[N];
	int n;
	int k; /* frames per look */
	struct magi_video_frames *deflt;
	int n_blocks; /* blocks and their storyboards, made on first need */
	double blocks[LV_MAX_BLOCKS][2];
	struct magi_image *boards[LV_MAX_BLOCKS];
	char *board_labels[LV_MAX_BLOCKS];
	char *discussion;
};

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = NULL;
	if (s && (*dst = malloc(strlen(s) + 1)))
		memcpy(*dst, s, strlen(s) + 1);
}

static void lv_free(void *p)
{
	struct lv *l = p;
	if (!l)
		return;
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
	free(l);
}

static int alive_count(const struct lv *l)
{
	int n = 0;
	for (int i = 0; i < l->n; i++)
		n += l->m[i].alive;
	return n;
}

static const struct magi_video_frames *look_of(const struct lv *l, const struct member *m)
{
	return m->own ? m->own : l->deflt;
}

/* A call of member m for role with the variables every lvagent prompt has. */
static magi_status member_call(struct magi_run *r, struct lv *l, struct member *m, const char *role,
			       const char *phase, struct magi_call **c, struct magi_error *err)
{
	magi_status s = magi_call_new(r, role, c, err);
	if (s)
		return s;
	magi_call_set_client(*c, m->client, m->id);
	magi_call_set_phase(*c, phase);
	magi_call_set_ud(*c, l);
	magi_call_set(*c, "member", m->id);
	magi_call_set_int(*c, "n_members", alive_count(l));
	magi_call_set_int(*c, "prev_round", magi_run_step(r) - 1);
	magi_call_set(*c, "discussion", l->discussion ? l->discussion : "");
	return magi_call_set(*c, "own_answer", m->answer ? m->answer : "(none)");
}

static void free_calls(struct magi_call **calls, int n)
{
	for (int j = 0; j < n; j++)
		magi_call_free(calls[j]);
}

/* ---- checks ------------------------------------------------------------------------------ */

static magi_status check_perceive(struct magi_call *c, const struct magi_json *o, struct magi_error *err)
{
	if (magi_json_type_at(o, "enough") != MAGI_JSON_BOOL)
		return magi_error_set(err, MAGI_ERR_PARSE, "\"enough\" must be true or false");
	bool enough = magi_json_bool(o, "enough", false);
	/* in the first round a member content with the default sample answers at once */
	if (enough && magi_run_step(magi_call_run(c)) == 1)
		return magi_check_answer(c, o, err);
	if (!enough && !*magi_json_str(o, "key_information", ""))
		return magi_error_set(err, MAGI_ERR_PARSE, "say in \"key_information\" what you need to see");
	return MAGI_OK;
}

static magi_status check_blocks(struct magi_call *c, const struct magi_json *o, struct magi_error *err)
{
	const struct lv *l = magi_call_ud(c);
	if (magi_json_type_at(o, "block_scores") != MAGI_JSON_ARRAY || magi_json_len(o, "block_scores") != (size_t)l->n_blocks)
		return magi_error_set(err, MAGI_ERR_PARSE, "\"block_scores\" must be an array of exactly %d numbers",
				      l->n_blocks);
	for (int i = 0; i < l->n_blocks; i++) {
		char p[32];
		snprintf(p, sizeof p, "block_scores.%d", i);
		double x = magi_json_num(o, p, NAN);
		if (!(x >= 0 && x <= 10))
			return magi_error_set(err, MAGI_ERR_PARSE, "block score %d must be a number from 0 to 10", i + 1);
	}
	return MAGI_OK;
}

static magi_status check_reasons(struct magi_call *c, const struct magi_json *o, struct magi_error *err)
{
	(void)c;
	if (!*magi_json_str(o, "reasons", ""))
		return magi_error_set(err, MAGI_ERR_PARSE, "\"reasons\" must be a non-empty string");
	return MAGI_OK;
}

struct score_check {
	const struct lv *l;
	const struct member *self;
};

static magi_status check_scores(struct magi_call *c, const struct magi_json *o, struct magi_error *err)
{
	const struct score_check *sc = magi_call_ud(c);
	const struct magi_json *s = magi_json_get(o, "peer_scores");
	if (magi_json_type_at(s, NULL) != MAGI_JSON_OBJECT)
		return magi_error_set(err, MAGI_ERR_PARSE, "\"peer_scores\" must be an object {\"agentN\": score, ...}");
	for (int i = 0; i < sc->l->n; i++) {
		const struct member *m = &sc->l->m[i];
		if (!m->alive || m == sc->self)
			continue;
		double x = magi_json_num(s, m->id, NAN);
		if (!(x >= 1 && x <= 10))
			return magi_error_set(err, MAGI_ERR_PARSE, "\"peer_scores\" needs a score from 1 to 10 for %s", m->id);
	}
	return MAGI_OK;
}

/* ---- looking ------------------------------------------------------------------------------- */

/* Splits the video into blocks and draws each block's storyboard (one decode for all). */
static magi_status make_storyboards(struct magi_run *r, struct lv *l, struct magi_error *err)
{
	if (l->n_blocks)
		return MAGI_OK;
	double d = magi_run_video(r)->duration_s;
	int nb = (int)lround(d / LV_BLOCK_S);
	nb = nb < LV_MIN_BLOCKS ? LV_MIN_BLOCKS : nb > LV_MAX_BLOCKS ? LV_MAX_BLOCKS : nb;
	double times[LV_MAX_BLOCKS * LV_CELLS];
	for (int b = 0; b < nb; b++) {
		l->blocks[b][0] = d * b / nb;
		l->blocks[b][1] = d * (b + 1) / nb;
		for (int c = 0; c < LV_CELLS; c++)
			times[b * LV_CELLS + c] = l->blocks[b][0] + (c + 0.5) * (d / nb) / LV_CELLS;
	}
	magi_run_say(r, "round %d  storyboards: %d blocks of %.0f s, %d frames each", magi_run_step(r), nb, d / nb, LV_CELLS);
	struct magi_video_frames *fr = NULL;
	magi_status s = magi_run_frames_at(r, times, (size_t)(nb * LV_CELLS), LV_CELL_W, "storyboards", &fr, err);
	if (s)
		return s;
	/* frames come in time order, each picture once: a block's cells are the frames within it */
	size_t at = 0;
	for (int b = 0; b < nb && !s; b++) {
		size_t from = at;
		while (at < fr->n && (b == nb - 1 || fr->items[at].t_s < l->blocks[b][1]))
			at++;
		char ta[24], tb[24], line[160];
		snprintf(line, sizeof line, "Block %d of %d: %s-%s (%.1f-%.1f s), %d frames, each with its time burned in:",
			 b + 1, nb, magi_time_text(l->blocks[b][0], ta), magi_time_text(l->blocks[b][1], tb), l->blocks[b][0],
			 l->blocks[b][1], (int)(at - from));
		if (at == from) /* a block too short to hold a frame of its own shows its neighbour's */
			from = at ? at - 1 : 0;
		s = magi_video_storyboard(&fr->items[from], at > from ? at - from : 1, 4, LV_CELL_W, &l->boards[b], err);
		set_str(&l->board_labels[b], line);
		l->n_blocks = b + 1;
	}
	magi_video_frames_free(fr);
	return s;
}

/* Frames for a member from its best-scored blocks: k frames spread over them. */
static magi_status look_blocks(struct magi_run *r, struct lv *l, struct member *m, const struct magi_json *rep,
			       struct magi_error *err)
{
	double sc[LV_MAX_BLOCKS];
	for (int b = 0; b < l->n_blocks; b++) {
		char p[32];
		snprintf(p, sizeof p, "block_scores.%d", b);
		sc[b] = magi_json_num(rep, p, 0);
	}
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
		else if (sc[best] < top - 1) /* a clearly weaker second block is not worth half the frames */
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
		double d = magi_run_video(r)->duration_s;
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
	struct magi_json *ev = magi_json_object(), *ch = magi_json_array();
	magi_json_set_int(ev, "round", magi_run_step(r));
	magi_json_set_str(ev, "member", m->id);
	magi_json_set(ev, "scores", magi_json_copy(magi_json_get(rep, "block_scores")));
	for (int j = 0; j < nc; j++)
		magi_json_push_num(ch, chosen[j] + 1);
	magi_json_set(ev, "chosen", ch);
	magi_status s = magi_run_trace(r, "blocks", ev);
	magi_json_free(ev);
	if (s)
		return magi_error_set(err, s, "writing the trace");
	char ta[24], tb[24];
	if (nc)
		magi_run_say(r, "round %d  %s looks at block %d (%s-%s)%s", magi_run_step(r), m->id, chosen[0] + 1,
			     magi_time_text(l->blocks[chosen[0]][0], ta), magi_time_text(l->blocks[chosen[0]][1], tb),
			     nc > 1 ? " and another" : "");
	else
		magi_run_say(r, "round %d  %s: no block stands out; looks again between the default frames", magi_run_step(r),
			     m->id);
	char what[48];
	snprintf(what, sizeof what, "round %d %s", magi_run_step(r), m->id);
	magi_video_frames_free(m->own);
	m->own = NULL;
	return magi_run_frames_at(r, times, n, MAGI_VIDEO_LOW_SIDE, what, &m->own, err);
}

/* Keeps a member's answer (and its evidence, with the frames it was given). */
static void take_answer(struct magi_run *r, struct lv *l, struct member *m, const struct magi_json *o)
{
	char letter = 0;
	magi_run_read_answer(r, o, &letter, NULL);
	m->letter = letter;
	char lt[2] = {letter, 0};
	set_str(&m->answer, letter ? lt : magi_json_str(o, "answer", ""));
	set_str(&m->justification, magi_json_str(o, "justification", ""));
	m->confidence = magi_reply_confidence(o, 0);
	char *ej = magi_json_type_at(o, "evidence") == MAGI_JSON_ARRAY ? magi_json_text(o, "evidence") : NULL;
	set_str(&m->evidence_text, ej ? ej : "[]");
	free(ej);
	magi_run_add_evidence(r, o, look_of(l, m), m->id);
	m->answered = true;
	magi_run_say(r, "round %d  %s answers %s (confidence %.2f)", magi_run_step(r), m->id, m->answer, m->confidence);
}

/* Sends a batch; *first gets the first call's failure. Only a failure of the run (a budget,
 * a cancel, the trace) is returned: a member's own failure makes it leave the team. */
static magi_status send(struct magi_run *r, struct magi_call **calls, int n, magi_status *first,
			struct magi_error *err)
{
	*first = n ? magi_run_calls(r, calls, (size_t)n, err) : MAGI_OK;
	return *first && magi_run_stopping(r) ? *first : MAGI_OK;
}

/* Perception for every living member: the default sample (round 1) or the discussion (later
 * rounds); members that need more score the block storyboards and look at their best blocks. */
static magi_status perceive(struct magi_run *r, struct lv *l, struct magi_error *err)
{
	int round = magi_run_step(r);
	struct magi_call *calls[N];
	struct member *who[N];
	int n = 0;
	magi_status s = MAGI_OK;
	for (int i = 0; i < l->n && !s; i++) {
		struct member *m = &l->m[i];
		if (!m->alive)
			continue;
		if ((s = member_call(r, l, m, round == 1 ? "perceive" : "relook", "perceive", &calls[n], err)))
			break;
		who[n++] = m;
		magi_call_set_int(calls[n - 1], "n_frames", round == 1 ? (long long)l->deflt->n : 0);
		if (round == 1)
			s = magi_call_frames(calls[n - 1], l->deflt);
	}
	magi_status first = MAGI_OK;
	if (!s)
		s = send(r, calls, n, &first, err);
	int need = 0;
	for (int j = 0; j < n && !s; j++) {
		struct member *m = who[j];
		if (magi_call_status(calls[j])) {
			/* a member that cannot take part any more leaves; the team goes on */
			m->alive = false;
			magi_run_say(r, "round %d  %s leaves: %s", round, m->id, magi_call_errmsg(calls[j]));
			continue;
		}
		const struct magi_json *rep = magi_call_reply(calls[j]);
		m->enough = magi_json_bool(rep, "enough", false);
		set_str(&m->key_info, magi_json_str(rep, "key_information", ""));
		struct magi_json *ev = magi_json_object();
		magi_json_set_int(ev, "round", round);
		magi_json_set_str(ev, "member", m->id);
		magi_json_set_bool(ev, "enough", m->enough);
		magi_json_set_str(ev, "key_information", m->key_info);
		s = magi_run_trace(r, "perceive", ev);
		magi_json_free(ev);
		magi_run_say(r, "round %d  %s: %s%s", round, m->id, m->enough ? "enough" : "needs ", m->enough ? "" : m->key_info);
		if (m->enough && round == 1)
			take_answer(r, l, m, rep);
		need += !m->enough;
	}
	free_calls(calls, n);
	if (s)
		return s;
	if (!alive_count(l))
		return first ? first : magi_error_set(err, MAGI_ERR_MODEL, "no team member could take part");
	if (!need)
		return MAGI_OK;

	/* members that need more: score the block storyboards against their key information */
	if ((s = make_storyboards(r, l, err)))
		return s;
	n = 0;
	for (int i = 0; i < l->n && !s; i++) {
		struct member *m = &l->m[i];
		if (!m->alive || m->enough)
			continue;
		if ((s = member_call(r, l, m, "score_blocks", "blocks", &calls[n], err)))
			break;
		who[n++] = m;
		magi_call_set(calls[n - 1], "key_information", m->key_info);
		magi_call_set_int(calls[n - 1], "n_blocks", l->n_blocks);
		for (int b = 0; b < l->n_blocks && !s; b++)
			s = magi_call_storyboard(calls[n - 1], l->boards[b], l->board_labels[b]);
	}
	if (!s)
		s = send(r, calls, n, &first, err);
	for (int j = 0; j < n && !s; j++) {
		if (magi_call_status(calls[j])) {
			/* scores that never came: this member answers from what it has already seen */
			magi_run_say(r, "round %d  %s could not score the blocks: %s", round, who[j]->id,
				     magi_call_errmsg(calls[j]));
			continue;
		}
		s = look_blocks(r, l, who[j], magi_call_reply(calls[j]), err);
	}
	free_calls(calls, n);
	return s;
}

static magi_status answer_all(struct magi_run *r, struct lv *l, struct magi_error *err)
{
	int round = magi_run_step(r);
	struct magi_call *calls[N];
	struct member *who[N];
	int n = 0;
	magi_status s = MAGI_OK;
	for (int i = 0; i < l->n && !s; i++) {
		struct member *m = &l->m[i];
		if (!m->alive || m->answered)
			continue;
		const struct magi_video_frames *f = look_of(l, m);
		if ((s = member_call(r, l, m, "answer", "answer", &calls[n], err)))
			break;
		who[n++] = m;
		magi_call_set_int(calls[n - 1], "n_frames", (long long)f->n);
		magi_call_set(calls[n - 1], "frames_note",
			      m->own ? "frames from the parts of the video you chose to look at"
				     : "frames sampled uniformly over the whole video");
		s = magi_call_frames(calls[n - 1], f);
	}
	magi_status first = MAGI_OK;
	if (!s)
		s = send(r, calls, n, &first, err);
	for (int j = 0; j < n && !s; j++) {
		if (magi_call_status(calls[j])) {
			who[j]->alive = false;
			magi_run_say(r, "round %d  %s leaves: %s", round, who[j]->id, magi_call_errmsg(calls[j]));
		} else {
			take_answer(r, l, who[j], magi_call_reply(calls[j]));
		}
	}
	free_calls(calls, n);
	if (s)
		return s;
	struct magi_json *answers = magi_json_object(), *ev = magi_json_object();
	for (int i = 0; i < l->n; i++) {
		const struct member *m = &l->m[i];
		if (!m->alive || !m->answered)
			continue;
		struct magi_json *a = magi_json_object();
		magi_json_set_str(a, "answer", m->answer);
		magi_json_set_num(a, "confidence", m->confidence);
		magi_json_set_str(a, "justification", m->justification ? m->justification : "");
		magi_json_set(answers, m->id, a);
	}
	magi_json_set_int(ev, "round", round);
	magi_json_set(ev, "answers", answers);
	s = magi_run_trace(r, "answers", ev);
	magi_json_free(ev);
	if (s)
		return magi_error_set(err, s, "writing the trace");
	if (alive_count(l))
		return MAGI_OK;
	return first ? first : magi_error_set(err, MAGI_ERR_MODEL, "no team member answered");
}

/* The team's vote over the living members' answers: the member holding the most common one
 * (ties: the more trusted), or -1; *votes its count. */
static int vote(const struct lv *l, int *votes)
{
	const char *answers[N] = {0};
	for (int i = 0; i < l->n; i++)
		answers[i] = l->m[i].alive ? l->m[i].answer : NULL;
	return magi_team_vote(answers, (size_t)l->n, votes);
}

static void conclude(struct magi_run *r, struct lv *l, const struct member *m, const char *reason, bool forced)
{
	/* the most confident member holding this answer speaks for it */
	const struct member *speaker = m;
	double conf = 0;
	int k = 0;
	for (int i = 0; i < l->n; i++) {
		const struct member *x = &l->m[i];
		if (!x->alive || !x->answer || !m->answer || strcasecmp(x->answer, m->answer))
			continue;
		conf += x->confidence;
		k++;
		if (x->confidence > speaker->confidence)
			speaker = x;
	}
	magi_run_answer(r, m->letter, m->answer, speaker->justification, k ? conf / k : 0, forced, reason);
}

static magi_status discuss(struct magi_run *r, struct lv *l, struct magi_error *err)
{
	int round = magi_run_step(r);
	struct magi_call *calls[N];
	struct member *who[N];
	struct score_check sc[N];
	struct magi_buf all;
	magi_buf_init(&all, 1u << 20);
	for (int i = 0; i < l->n; i++)
		if (l->m[i].alive)
			magi_buf_printf(&all, "- %s answered %s (confidence %.2f): %s\n", l->m[i].id, l->m[i].answer,
					l->m[i].confidence, l->m[i].justification ? l->m[i].justification : "");
	/* reasons */
	int n = 0;
	magi_status s = MAGI_OK;
	for (int i = 0; i < l->n && !s; i++) {
		struct member *m = &l->m[i];
		if (!m->alive)
			continue;
		if ((s = member_call(r, l, m, "reasons", "reasons", &calls[n], err)))
			break;
		who[n++] = m;
		magi_call_set(calls[n - 1], "answers", all.data);
		magi_call_set(calls[n - 1], "own_justification", m->justification ? m->justification : "");
		magi_call_set(calls[n - 1], "own_evidence", m->evidence_text ? m->evidence_text : "[]");
	}
	magi_buf_release(&all);
	magi_status first = MAGI_OK;
	if (!s)
		s = send(r, calls, n, &first, err);
	struct magi_json *rev = magi_json_object(), *reasons = magi_json_object();
	for (int j = 0; j < n && !s; j++) {
		set_str(&who[j]->reasons, magi_call_status(calls[j]) ? "(gave no reasons)"
								     : magi_json_str(magi_call_reply(calls[j]), "reasons", ""));
		magi_json_set_str(reasons, who[j]->id, who[j]->reasons);
	}
	free_calls(calls, n);
	magi_json_set_int(rev, "round", round);
	magi_json_set(rev, "reasons", reasons);
	if (!s)
		s = magi_run_trace(r, "reasons", rev);
	magi_json_free(rev);
	if (s)
		return s;

	/* scores: each member scores every other living member 1-10 */
	n = 0;
	for (int i = 0; i < l->n && !s; i++) {
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
		if (!(s = member_call(r, l, m, "peer_scores", "scores", &calls[n], err))) {
			sc[n] = (struct score_check){l, m};
			magi_call_set_ud(calls[n], &sc[n]);
			magi_call_set(calls[n], "others", others.data);
			magi_call_set(calls[n], "score_form", form.data);
			who[n++] = m;
		}
		magi_buf_release(&others);
		magi_buf_release(&form);
	}
	if (!s)
		s = send(r, calls, n, &first, err);
	double scores[N * N];
	bool alive[N];
	double totals[N];
	for (int i = 0; i < N * N; i++)
		scores[i] = NAN;
	struct magi_json *matrix = magi_json_object();
	for (int j = 0; j < n && !s; j++) {
		if (magi_call_status(calls[j]))
			continue; /* no scores from this member: the others' totals stay comparable */
		const struct magi_json *ps = magi_json_get(magi_call_reply(calls[j]), "peer_scores");
		magi_json_set(matrix, who[j]->id, magi_json_copy(ps));
		int from = (int)(who[j] - l->m);
		for (int i = 0; i < l->n; i++)
			scores[from * l->n + i] = magi_json_num(ps, l->m[i].id, NAN);
	}
	free_calls(calls, n);
	for (int i = 0; i < l->n; i++)
		alive[i] = l->m[i].alive;
	int out = magi_team_eliminate(scores, (size_t)l->n, alive, totals);
	struct magi_json *tot = magi_json_object(), *sev = magi_json_object();
	for (int i = 0; i < l->n; i++) {
		l->m[i].total = totals[i];
		if (l->m[i].alive)
			magi_json_set_num(tot, l->m[i].id, totals[i]);
	}
	bool last_round = round >= magi_run_max_steps(r) || alive_count(l) < 2;
	magi_json_set_int(sev, "round", round);
	magi_json_set(sev, "scores", matrix);
	magi_json_set(sev, "totals", tot);
	if (out >= 0 && !last_round)
		magi_json_set_str(sev, "leaves", l->m[out].id);
	if (!s)
		s = magi_run_trace(r, "scores", sev);
	magi_json_free(sev);
	if (s)
		return s;

	/* the summary the rest look again with */
	struct magi_buf d;
	magi_buf_init(&d, 1u << 20);
	if (l->discussion)
		magi_buf_puts(&d, l->discussion);
	magi_buf_printf(&d, "Round %d:\n", round);
	for (int i = 0; i < l->n; i++) {
		const struct member *m = &l->m[i];
		if (m->alive)
			magi_buf_printf(&d, "- %s answered %s (confidence %.2f, peer score %.0f). Reasons: %s\n", m->id, m->answer,
					m->confidence, m->total, m->reasons);
	}
	if (out >= 0 && !last_round) {
		struct member *o = &l->m[out];
		magi_buf_printf(&d, "%s had the lowest peer score and left the team.\n", o->id);
		o->alive = false;
		magi_run_say(r, "round %d  no majority; %s leaves (peer score %.0f)", round, o->id, o->total);
		struct magi_json *lev = magi_json_object();
		magi_json_set_int(lev, "round", round);
		magi_json_set_str(lev, "member", o->id);
		magi_json_set_num(lev, "total", o->total);
		s = magi_run_trace(r, "leave", lev);
		magi_json_free(lev);
	}
	set_str(&l->discussion, d.data);
	magi_buf_release(&d);
	magi_run_board_set_str(r, "discussion", l->discussion);
	return s;
}

static magi_status lv_setup(struct magi_run *r, struct magi_error *err)
{
	const struct magi_video_ask_params *p = magi_run_video_params(r);
	if (p->n_members < 2 || p->n_members > N || !p->members)
		return magi_error_set(err, MAGI_ERR_CONFIG,
				      "lvagent needs a team of 2 to %d models, got %zu (configure several models "
				      "and name them, e.g. --team fast,big,other)",
				      N, p->n_members);
	for (size_t i = 0; i < p->n_members; i++)
		if (!p->members[i])
			return magi_error_set(err, MAGI_ERR_CONFIG, "lvagent: team member %zu has no model", i + 1);
	magi_run_limit_steps(r, MAGI_VIDEO_LVAGENT_ROUNDS);
	return MAGI_OK;
}

/* Round 1 starts the team: members, the frames per look, the default sample. */
static magi_status lv_start(struct magi_run *r, struct magi_error *err)
{
	const struct magi_video_ask_params *p = magi_run_video_params(r);
	struct lv *l = calloc(1, sizeof *l);
	if (!l)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	magi_run_set_state(r, l, lv_free);
	l->n = (int)p->n_members;
	struct magi_json *team = magi_json_array();
	for (int i = 0; i < l->n; i++) {
		struct member *m = &l->m[i];
		m->client = p->members[i];
		m->alive = true;
		snprintf(m->id, sizeof m->id, "agent%d", i + 1);
		const char *name = p->member_names && p->member_names[i] ? p->member_names[i]
									 : magi_client_params(m->client)->name;
		snprintf(m->label, sizeof m->label, "agent%d (%s)", i + 1, name);
		magi_json_push_str(team, m->label);
	}
	magi_run_board_set(r, "team", team);
	l->k = p->frames > 0 ? p->frames : LV_DEFAULT_FRAMES;
	int left = magi_run_frames_left(r);
	if (l->k * l->n > left)
		l->k = left / l->n;
	if (l->k <= 0)
		return magi_error_set(err, MAGI_ERR_BUDGET, "the frame budget allows no look for a team of %d", l->n);
	magi_run_say(r, "team of %d: default sample of %d frames", l->n, l->k);
	return magi_run_frames_uniform(r, (size_t)l->k, MAGI_VIDEO_LOW_SIDE, "default sample", &l->deflt, err);
}

static magi_status lv_step(struct magi_run *r, struct magi_error *err)
{
	int round = magi_run_step(r);
	magi_status s = round == 1 ? lv_start(r, err) : MAGI_OK;
	struct lv *l = magi_run_state(r);
	if (s)
		return s;
	for (int i = 0; i < l->n; i++)
		l->m[i].answered = false;
	int alive = alive_count(l);
	/* each living member may look once more this round and answers once */
	int left = magi_run_frames_left(r);
	int votes;
	if (left < l->k * alive * 2) {
		l->k = left / (alive * 2);
		if (l->k <= 0) {
			int p = vote(l, &votes);
			if (p >= 0) {
				conclude(r, l, &l->m[p], "frame_budget", true);
				return MAGI_OK;
			}
			return magi_error_set(err, MAGI_ERR_BUDGET, "the frame budget ran out before the team answered");
		}
	}
	if ((s = perceive(r, l, err)) || (s = answer_all(r, l, err)))
		return s;
	int p = vote(l, &votes);
	alive = alive_count(l);
	struct magi_json *vev = magi_json_object();
	magi_json_set_int(vev, "round", round);
	magi_json_set_int(vev, "votes", votes);
	magi_json_set_int(vev, "members", alive);
	magi_json_set_str(vev, "answer", p >= 0 ? l->m[p].answer : "");
	s = magi_run_trace(r, "vote", vev);
	magi_json_free(vev);
	if (s)
		return s;
	if (p >= 0 && 2 * votes > alive) {
		magi_run_say(r, "round %d  majority: %s (%d of %d)", round, l->m[p].answer, votes, alive);
		conclude(r, l, &l->m[p], "majority", false);
		return MAGI_OK;
	}
	if ((s = discuss(r, l, err)))
		return s;
	if (round >= magi_run_max_steps(r) || alive_count(l) < 1) {
		/* no majority in the last round: the best-scored member's answer */
		const struct member *best = NULL;
		for (int i = 0; i < l->n; i++) {
			const struct member *m = &l->m[i];
			if (m->alive && m->answer && (!best || m->total > best->total))
				best = m;
		}
		if (!best && p >= 0)
			best = &l->m[p];
		magi_run_say(r, "no majority after %d rounds; %s's answer (best peer score) stands", round,
			     best ? best->id : "nobody");
		if (best)
			conclude(r, l, best, "no_majority", true);
	}
	return MAGI_OK;
}

/* perception (first round, later rounds), block retrieval, action, and the two steps
 * of reflection; each template is prompts/lvagent/<role>.txt */
static const struct magi_role roles[] = {
	{.name = "perceive", .parser = MAGI_PARSER_JSON, .check = check_perceive},
	{.name = "relook", .parser = MAGI_PARSER_JSON, .check = check_perceive},
	{.name = "score_blocks", .parser = MAGI_PARSER_JSON, .check = check_blocks},
	{.name = "answer", .parser = MAGI_PARSER_ANSWER, .check = magi_check_answer},
	{.name = "reasons", .parser = MAGI_PARSER_JSON, .check = check_reasons},
	{.name = "peer_scores", .parser = MAGI_PARSER_JSON, .check = check_scores}};

const struct magi_recipe magi__recipe_lvagent = {
	.name = "lvagent", .description = "LVAgent: a team of models look, answer in parallel, discuss and drop the weakest until a majority",
	.kind = MAGI_RECIPE_VIDEO, MAGI_RECIPE_ROLES(roles), .setup = lv_setup, .step = lv_step,
	.default_steps = MAGI_VIDEO_LVAGENT_ROUNDS};
