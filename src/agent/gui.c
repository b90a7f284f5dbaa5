/* gui.c — one step of a screen run: the recipe decides on the observation, the risk gate
 * judges, the intent is traced (synced) before anything is done, the action runs, the
 * screen settles and is observed again, the recipe's after hook reflects; with the screen
 * stop rules (done, answer, ask_user, the same action again, a screen that stopped
 * changing, refused actions) and the figures of magi's own overhead per step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent/agent_internal.h"
#include "core/json.h"
#include "model/chat_ahead.h"
#include "model/curl_dl.h"
#include "trace/trace_internal.h"
#include "core/common.h"

/* Canvases and images of a page read with OCR per observation, at most. */
#define PICTURES_MAX 8
/* The longest a first request may hold back the OCR engine's load (a safety net: the hold
 * is lifted as the request leaves). */
#define HOLD_MS 2000

/* Whether the first screen's words may follow the first request instead of preceding it:
 * only when nothing of them is needed before it leaves — the guards are off, or every model
 * of the team is local (remote models get the screen only after its PII scan, which needs
 * the words) — no --icons (their boxes are told apart from the words), and a recipe whose
 * first decision can do without the words (magi_recipe.first_words). */
static bool may_defer_reading(const struct magi_run *r)
{
	if (!r->p.ocr || r->p.icons || r->recipe->first_words || r->obs_before.screenshot || r->ocr_before ||
	    (magi_env_caps(r->env) & MAGI_ACT_BIT(MAGI_ACT_CLICK_ELEMENT))) /* a page's text is its DOM's */
		return false;
	if (!r->p.guards)
		return true;
	struct magi_client *cl[33];
	size_t n = magi__team_clients(r->team, cl, 33);
	for (size_t i = 0; i < n; i++)
		if (magi_client_is_remote(cl[i]))
			return false;
	return n > 0;
}

int magi__gui_first_engines(struct magi_run *r)
{
	if (!r->p.ocr || (magi_env_caps(r->env) & MAGI_ACT_BIT(MAGI_ACT_CLICK_ELEMENT)))
		return r->first_engines = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	bool before = !may_defer_reading(r);
	/* read before the request: without Tesseract's page analysis, identical pieces once
	 * (MAGI_OCR_FIRST_FULL=1 keeps the page reading, to compare) */
	const char *full = getenv("MAGI_OCR_FIRST_FULL");
	r->first_lines = before && !(full && strcmp(full, "1") == 0);
	return r->first_engines = cores >= 2 && before ? 2 : 1;
}

static void drop_sent(struct magi_run *r)
{
	magi__chat_ahead_drop();
	free(r->sent_jpeg);
	r->sent_jpeg = NULL;
	r->sent_len = 0;
	r->sent_of = NULL;
}

/* lift: the first screen, read before the first request: `magi run` held the engines' load
 * back (cmd_run.c) until the run's threads were made (the trace writer, the engines'
 * preloads, libcurl's: glibc's pthread_create waits while another thread is inside dlopen,
 * and libtesseract's load takes 25-40 ms) and the screen captured (the X server needs a
 * core meanwhile: two threads loading engines starved it, 65 ms for a capture of 10-20) */
static magi_status observe(struct magi_run *r, double *ocr_ms, bool defer, bool lift, struct magi_error *err)
{
	drop_sent(r); /* of a screen about to be freed: its address may come back */
	magi_status s = magi_env_observe(r->env, &r->obs, err);
	if (lift)
		magi_ocr_hold_loads(0);
	if (s)
		return s;
	MAGI_DEBUG("screen observed in %.1f ms", r->obs.capture_ms);
	int box[4], c0 = 0, c1 = 0, rd = -1;
	bool spare = false; /* a second engine was loaded for the first screen's reading */
	if (r->lean_before) {
		/* the screen before is known by its row signatures only: the changed rows */
		magi_image_rows_free(r->rows);
		r->rows = NULL;
		if (r->obs.screenshot && magi_image_rows_new(r->obs.screenshot, &r->rows) == MAGI_OK)
			rd = magi_image_rows_diff(r->rows_before, r->rows, &c0, &c1);
		r->same = rd == 0;
	} else {
		r->same = r->obs_before.screenshot && r->obs.screenshot &&
			  magi_image_diff(r->obs_before.screenshot, r->obs.screenshot, 8, box) >= 0 && box[2] == 0;
	}
	*ocr_ms = 0;
	if (magi_env_caps(r->env) & MAGI_ACT_BIT(MAGI_ACT_CLICK_ELEMENT)) {
		/* the page says what it shows: its text and boxes are exact, no OCR needed */
		double t = magi_now_ms();
		magi_ocr_free(r->ocr);
		r->ocr = NULL;
		struct magi_error oerr;
		if (magi_guard_dom_ocr(r->obs.elements, r->obs.n_elements, true, &r->ocr) != MAGI_OK)
			MAGI_WARN("out of memory reading the page's text; this step has none");
		/* OCR only where the DOM has no text: canvases and images */
		else if (r->p.ocr && magi_guard_dom_ocr_pictures(r->obs.screenshot, r->obs.elements, r->obs.n_elements,
								 PICTURES_MAX, r->ocr, &oerr) != MAGI_OK)
			MAGI_WARN("OCR of the page's pictures failed: %s", magi_error_text(&oerr));
		*ocr_ms = magi_now_ms() - t;
	} else if (r->p.ocr && r->obs.screenshot && defer && !r->ocr_job) {
		/* the first screen: read on a thread of its own while the model decides on the
		 * screenshot (~0.3 s of OCR, engine load included, off the first request's path) */
		double t = magi_now_ms();
		struct magi_error oerr;
		magi_ocr_free(r->ocr);
		r->ocr = NULL;
		if (magi_ocr_start(r->obs.screenshot, NULL, 0, &r->ocr_job, &oerr) != MAGI_OK &&
		    magi_ocr_update(NULL, NULL, r->obs.screenshot, NULL, 0, &r->ocr, &oerr) != MAGI_OK)
			MAGI_WARN("OCR failed: %s", magi_error_text(&oerr));
		*ocr_ms = magi_now_ms() - t;
	} else if (r->p.ocr && r->obs.screenshot) {
		double t = magi_now_ms();
		struct magi_error oerr;
		/* OCR failing is not fatal: the model still has the screenshot. After an action
		 * only the part of the screen that changed is read again. The first screen, read
		 * before the first request (a remote model's PII scan needs its words), is read
		 * on two threads when a second engine was loaded for it; that engine is freed
		 * after the guards' scan, whose second readings it shares (later readings are
		 * of changed parts, on one thread). */
		magi_status os;
		if (!r->obs_before.screenshot && (r->first_engines > 1 || r->first_lines)) {
			int used = 0;
			/* the screenshot's JPEG for the first remote model, made now, while the
			 * engines load (a core is idle then): sent as it is unless its PII scan
			 * covers something */
			struct magi_client *cl[33];
			size_t ncl = magi__team_clients(r->team, cl, 33);
			for (size_t i = 0; i < ncl; i++) {
				const struct magi_model_params *mp = magi_client_params(cl[i]);
				if (magi_client_is_remote(cl[i]) && !mp->text_only) {
					magi__chat_prepare_ahead(r->obs.screenshot, &mp->image);
					break;
				}
			}
			os = r->first_lines ? magi_ocr_run_lines(r->obs.screenshot, NULL, 0, r->first_engines, &used, &r->ocr, &oerr)
					    : magi_ocr_run_threads(r->obs.screenshot, NULL, 0, r->first_engines, &used, &r->ocr,
								   &oerr);
			r->first_threads = r->first_engines > 1 ? used : 0;
			r->first_read_lines = r->first_lines;
			r->first_engines = 1;
			r->first_lines = false;
			spare = true;
		} else if (r->lean_before) {
			os = rd >= 0 ? magi_ocr_update_rows(r->ocr_before, r->obs.screenshot, c0, c1, NULL, 0, &r->ocr, &oerr)
				     : magi_ocr_run(r->obs.screenshot, NULL, 0, &r->ocr, &oerr);
		} else {
			os = magi_ocr_update(r->obs_before.screenshot, r->ocr_before, r->obs.screenshot, NULL, 0, &r->ocr,
					     &oerr);
		}
		if (os != MAGI_OK)
			MAGI_WARN("OCR failed: %s", magi_error_text(&oerr));
		*ocr_ms = magi_now_ms() - t;
	}
	/* what is made from the screen (the guards' view, perception lists) is made again
	 * only when the pixels changed, or the words read from them did (an OCR failure) */
	r->gen = r->same && !r->ocr == !r->ocr_before ? r->gen_before : ++r->gens;
	magi__guard_scan(r);
	/* the second engine also served the guard's second readings (pii_reread.c) */
	if (spare)
		magi_ocr_release_spare(1);
	MAGI_DEBUG("observed (text and guards done)");
	return MAGI_OK;
}

magi_status magi__observe(struct magi_run *r, double *ocr_ms, struct magi_error *err)
{
	return observe(r, ocr_ms, false, false, err);
}

void magi__gui_keep_sent(struct magi_run *r, const struct magi_chat *chat)
{
	if (!r->p.trace_max_pixels || r->sent_jpeg || !r->env)
		return;
	const struct magi_image *img = magi__trace_image(r);
	const char *jpeg;
	size_t len;
	uint32_t w, h;
	if (!img || !magi_chat_image_jpeg(chat, img, &jpeg, &len, &w, &h) ||
	    (uint64_t)w * h > r->p.trace_max_pixels || !(r->sent_jpeg = malloc(len ? len : 1)))
		return;
	memcpy(r->sent_jpeg, jpeg, len);
	r->sent_len = len;
	r->sent_of = img;
}

void magi__reading_go(struct magi_run *r)
{
	if (r->loads_held)
		magi_ocr_hold_loads(0);
	r->loads_held = false;
}

void magi__reading_join(struct magi_run *r)
{
	magi__reading_go(r);
	if (!r->ocr_job)
		return;
	struct magi_error oerr;
	magi_ocr_free(r->ocr);
	r->ocr = NULL;
	if (magi_ocr_join(r->ocr_job, &r->ocr, &r->ocr_wait_ms, &oerr) != MAGI_OK)
		MAGI_WARN("OCR failed: %s", magi_error_text(&oerr));
	r->ocr_job = NULL;
	r->reading_deferred = true;
	r->ocr_deferred_ms = r->ocr ? r->ocr->ms : 0;
	/* new words for the same pixels: what was made from the screen is made again */
	r->gen = ++r->gens;
	magi__guard_scan(r);
}

magi_status magi__gui_begin(struct magi_run *r, struct magi_error *err)
{
	r->overheads = calloc((size_t)r->max_steps + 1, sizeof *r->overheads);
	if (!r->overheads)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	bool defer = may_defer_reading(r);
	r->lean_before = r->recipe->no_before_screen && !r->recipe->after;
	/* the engine (~150 ms of CPU to load) waits until the first request has left: on two
	 * cores its load slowed the way there by ~50 ms (bench_first.sh) */
	if (defer) {
		magi_ocr_hold_loads(HOLD_MS);
		r->loads_held = true;
	}
	/* libcurl (~18 ms of the loader's time, more under load) loads on a thread of its own
	 * while the screen is captured and read: the first request finds it loaded */
	magi__curl_preload();
	magi_status s = observe(r, &r->ocr_ms, defer, !defer, err);
	r->obs_ms = r->obs.capture_ms;
	return s;
}

void magi_run_keep_screens(struct magi_run *r, int n)
{
	if (!r->env || n <= r->keep || n > MAGI_RUN_SCREENS_MAX)
		return;
	struct magi_image **raw = realloc(r->past_raw, (size_t)n * sizeof *raw);
	if (raw)
		r->past_raw = raw;
	struct magi_image **red = raw ? realloc(r->past_red, (size_t)n * sizeof *red) : NULL;
	if (red)
		r->past_red = red;
	if (raw && red)
		r->keep = n;
}

/* Keeps obs_before's screenshot (and its covered copy) as the most recent past screen. */
static void keep_before(struct magi_run *r)
{
	if (r->keep < 2 || !r->obs_before.screenshot)
		return;
	int cap = r->keep - 1;
	if (r->n_past == cap) {
		magi_image_free(r->past_raw[cap - 1]);
		magi_image_free(r->past_red[cap - 1]);
		r->n_past--;
	}
	memmove(r->past_raw + 1, r->past_raw, (size_t)r->n_past * sizeof *r->past_raw);
	memmove(r->past_red + 1, r->past_red, (size_t)r->n_past * sizeof *r->past_red);
	r->past_raw[0] = r->obs_before.screenshot;
	r->obs_before.screenshot = NULL;
	r->past_red[0] = r->view_before ? r->view_before->redacted : NULL;
	if (r->view_before)
		r->view_before->redacted = NULL;
	if (magi__guard_withheld(r, true)) {
		/* never scanned: remote models see it black (or it is not kept) */
		magi_image_free(r->past_red[0]);
		r->past_red[0] = NULL;
		if (magi_image_new(r->past_raw[0]->w, r->past_raw[0]->h, &r->past_red[0]) != MAGI_OK) {
			magi_image_free(r->past_raw[0]);
			memmove(r->past_raw, r->past_raw + 1, (size_t)r->n_past * sizeof *r->past_raw);
			memmove(r->past_red, r->past_red + 1, (size_t)r->n_past * sizeof *r->past_red);
			return;
		}
	}
	r->n_past++;
}

int magi__run_screens_kept(const struct magi_run *r)
{
	if (!r->obs.screenshot)
		return -1;
	return r->obs_before.screenshot ? 1 + r->n_past : 0;
}

const struct magi_image *magi__run_image_ago(const struct magi_run *r, struct magi_client *c, int ago)
{
	if (ago <= 1)
		return magi__run_image(r, c, ago == 1);
	if (ago - 2 >= r->n_past)
		return NULL;
	const struct magi_image *red = r->past_red[ago - 2];
	return red && magi_client_is_remote(c) ? red : r->past_raw[ago - 2];
}

void magi__gui_release(struct magi_run *r)
{
	magi__reading_go(r);
	/* a run that ends before its first request: libcurl's load ahead, or the OCR engines'
	 * (the hold is lifted just above), may still be running; the process must not exit
	 * while a thread is inside dlopen or a library's initialisation */
	magi__curl_preload_wait();
	magi_ocr_preload_wait();
	if (r->ocr_job) { /* it reads the screenshot released below */
		(void)magi_ocr_join(r->ocr_job, NULL, NULL, NULL);
		r->ocr_job = NULL;
	}
	if (r->trace) /* the writer may not be left reading a screenshot freed here */
		(void)magi__trace_flush(r->trace, false, NULL);
	for (int i = 0; i < r->n_past; i++) {
		magi_image_free(r->past_raw[i]);
		magi_image_free(r->past_red[i]);
	}
	free(r->past_raw);
	free(r->past_red);
	r->past_raw = r->past_red = NULL;
	r->n_past = r->keep = 0;
	free(r->overheads);
	r->overheads = NULL;
	free(r->last_action);
	r->last_action = NULL;
	drop_sent(r);
	magi_obs_release(&r->obs);
	magi_obs_release(&r->obs_before);
	magi_image_rows_free(r->rows);
	magi_image_rows_free(r->rows_before);
	r->rows = r->rows_before = NULL;
	magi_ocr_free(r->ocr);
	magi_ocr_free(r->ocr_before);
	r->ocr = r->ocr_before = NULL;
	magi__guard_view_free(r->view);
	magi__guard_view_free(r->view_before);
	r->view = r->view_before = NULL;
	magi_pii_cache_free(r->reread);
	r->reread = NULL;
	for (int i = 0; i < MAGI__PERCEPTION_CACHE; i++)
		free(r->perception[i].text);
	memset(r->perception, 0, sizeof r->perception);
	magi__icons_free(r);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double magi__gui_overhead_median(struct magi_run *r)
{
	int n = r->n_over;
	if (!n)
		return 0;
	qsort(r->overheads, (size_t)n, sizeof *r->overheads, cmp_double);
	return n % 2 ? r->overheads[n / 2] : (r->overheads[n / 2 - 1] + r->overheads[n / 2]) / 2;
}

/* The risk gate: every environment action is decided, and the decision traced with its
 * reason. Returns true when the action may run. */
static bool gate(struct magi_run *r, const struct magi_action *a, const char *action_json,
		 struct magi_risk_decision *d)
{
	struct magi_risk_context ctx = {0};
	ctx.policy = &r->p.risk;
	ctx.ocr = r->ocr;
	ctx.elements = r->obs.elements;
	ctx.n_elements = r->obs.n_elements;
	ctx.url = r->obs.url;
	ctx.app = r->obs.app;
	ctx.allowlist = r->p.allowlist;
	ctx.n_allowlist = r->p.n_allowlist;
	ctx.secrets = r->p.secrets;
	ctx.has_focus = r->has_focus;
	ctx.focus_x = r->focus_x;
	ctx.focus_y = r->focus_y;
	if (r->view) {
		ctx.injections = r->view->inj;
		ctx.n_injections = r->view->n_inj;
	}
	if (magi_risk_check(a, &ctx, d) != MAGI_OK) {
		/* the gate cannot judge: refuse rather than act blind */
		d->tier = MAGI_RISK_DENY;
		snprintf(d->reason, sizeof d->reason, "the risk gate could not judge this action");
	}
	bool allowed = d->tier == MAGI_RISK_ALLOW;
	const char *how = allowed ? (d->by_yes ? "allowed by --yes" : "allowed") : "denied";
	if (d->tier == MAGI_RISK_ASK) {
		allowed = r->p.confirm && r->p.confirm(r->p.confirm_ud, action_json, d->reason);
		how = allowed ? "confirmed by the person" : r->p.confirm ? "refused by the person"
									 : "refused: needs confirmation (run interactively or with --yes)";
	}
	if (d->tier != MAGI_RISK_ALLOW || d->by_yes) {
		json_t *ev = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:o}", "step", r->step, "decision",
				       magi_risk_tier_name(d->tier), "outcome", how, "category",
				       magi_risk_category_name(d->category), "reason", d->reason, "element",
				       d->element, "action", json_loads(action_json, 0, NULL));
		magi__run_trace(r, "guard", ev);
		json_decref(ev);
	}
	if (!allowed && d->tier == MAGI_RISK_ASK)
		d->tier = MAGI_RISK_DENY;
	return allowed;
}

/* What the model is told when its action was refused, so it can choose another way. */
static void denial_note(struct magi_run *r, const struct magi_risk_decision *d, const char *op, const char *action_json)
{
	char note[640];
	snprintf(note, sizeof note,
		 "The last action (%s) was NOT performed: the safety gate refused it because %s. Choose a different, safe action, or finish with done if the task cannot be done safely.",
		 op && *op ? op : action_json, d->reason[0] ? d->reason : "it is risky");
	json_object_set_new(r->board, "last_error", json_string(note));
}

/* Types <secret:NAME> placeholders as their values: the model never sees a secret and the
 * trace only ever holds the placeholder. */
static magi_status act_with_secrets(struct magi_run *r, const struct magi_action *a, struct magi_error *err)
{
	if (a->kind != MAGI_ACT_TYPE || !a->text || !strstr(a->text, "<secret:") || !r->p.secrets)
		return magi_env_act(r->env, a, err);
	struct magi_buf real;
	magi_buf_init(&real, 1u << 20);
	magi_status s = magi_secret_expand(r->p.secrets, a->text, &real, err);
	if (!s) {
		struct magi_action b = *a;
		b.text = real.data;
		s = magi_env_act(r->env, &b, err);
	}
	memset(real.data, 0, real.len);
	magi_buf_release(&real);
	return s;
}

/* The intent of an action, synced to the trace before the action runs: an agent never acts
 * unrecorded. Also the last check of the stop rules before acting. */
static magi_status intent(struct magi_run *r, const char *action_json, const char *model_json, const char *why,
			  struct magi_error *err)
{
	magi_status s;
	if (magi__run_stop_rule(r, &s))
		return magi_error_set(err, s, "%s", r->stop_err.msg);
	/* the step's image first: an intent in the trace means the action was tried */
	struct magi_error ferr;
	if ((s = magi__trace_flush(r->trace, false, &ferr))) {
		magi__run_stop(r, "trace_error", s, "%s", ferr.msg);
		return magi_error_set(err, s, "%s", r->stop_err.msg);
	}
	json_t *ev = json_pack("{s:i, s:o}", "step", r->step, "action", json_loads(action_json, 0, NULL));
	if (model_json)
		json_object_set_new(ev, "model_action", json_loads(model_json, 0, NULL));
	if (why && *why)
		json_object_set_new(ev, "why", json_string(why));
	s = magi__run_trace(r, "intent", ev);
	json_decref(ev);
	/* the intent synced, with everything before it */
	if (!s)
		s = magi__run_flush(r);
	return s ? magi_error_set(err, s, "%s", r->stop_err.msg) : MAGI_OK;
}

/* Makes the current observation the one before, and observes again after settling. */
static magi_status observe_after(struct magi_run *r, struct magi_error *err)
{
	magi__run_sleep(r, r->p.settle_ms);
	keep_before(r);
	magi_obs_release(&r->obs_before);
	magi_ocr_free(r->ocr_before);
	magi__guard_view_free(r->view_before);
	r->obs_before = r->obs;
	r->ocr_before = r->ocr;
	r->view_before = r->view;
	magi_image_rows_free(r->rows_before);
	r->rows_before = r->rows;
	r->rows = NULL;
	if (r->obs_before.screenshot) {
		r->before_w = r->obs_before.screenshot->w;
		r->before_h = r->obs_before.screenshot->h;
	}
	if (r->lean_before && r->keep < 2 && r->rows_before) {
		/* nobody asks for this screen's pixels again (the step's trace image was written
		 * before its intent): they go before the next screen is captured */
		magi_image_free(r->obs_before.screenshot);
		r->obs_before.screenshot = NULL;
	}
	r->gen_before = r->gen;
	r->guard_ms_before = r->guard_ms;
	r->guard_nomem_before = r->guard_nomem;
	memset(&r->obs, 0, sizeof r->obs);
	r->ocr = NULL;
	r->view = NULL;
	magi_status s = magi__observe(r, &r->ocr_ms, err);
	r->obs_ms = r->obs.capture_ms;
	return s;
}

magi_status magi_run_act(struct magi_run *r, const struct magi_action *a, const char *why, struct magi_error *err)
{
	if (!r->env || !a)
		return magi_error_set(err, MAGI_ERR_INVALID, "magi_run_act needs a screen run and an action");
	magi__reading_join(r); /* the gate reads the screen's words */
	struct magi_buf aj;
	magi_buf_init(&aj, 0);
	magi_action_to_json(a, &aj);
	magi_status s = MAGI_OK;
	struct magi_risk_decision rd = {0};
	if (r->p.guards && !gate(r, a, aj.data, &rd))
		s = magi_error_set(err, MAGI_ERR_DENIED, "the safety gate refused %s: %s", aj.data, rd.reason);
	if (!s)
		s = intent(r, aj.data, NULL, why, err);
	magi_buf_release(&aj);
	if (!s && !(s = act_with_secrets(r, a, err))) {
		/* the screen keeps the step's "before" (what the action was chosen on); the
		 * current observation is replaced by the screen after this extra action */
		magi__run_sleep(r, r->p.settle_ms);
		magi_obs_release(&r->obs);
		magi_ocr_free(r->ocr);
		r->ocr = NULL;
		s = magi__observe(r, &r->ocr_ms, err);
	}
	return s;
}

const struct magi_image *magi_run_screen(const struct magi_run *r, bool before)
{
	if (!r || !r->env)
		return NULL;
	return before ? r->obs_before.screenshot : r->obs.screenshot;
}

static void step_line(struct magi_run *r, const struct magi_decision *d, const char *action_json)
{
	if (!r->p.on_step)
		return;
	struct magi_buf l;
	magi_buf_init(&l, 4096);
	magi_buf_puts(&l, action_json);
	const char *why = d->operation && *d->operation ? d->operation : d->thought;
	if (why && *why) {
		magi_buf_puts(&l, "  -- ");
		for (const char *p = why; *p && l.len < 300; p++)
			magi_buf_putc(&l, *p == '\n' ? ' ' : *p);
	}
	r->p.on_step(r->p.step_ud, r->step, l.data);
	magi_buf_release(&l);
}

static void guard_fields(struct magi_run *r, json_t *ev, bool acted, bool denied, const struct magi_risk_decision *rd)
{
	const struct magi_guard_view *gv = acted ? r->view_before : r->view;
	json_object_set_new(ev, "pii_redacted", json_integer(gv ? (json_int_t)gv->n_pii : 0));
	if (gv && gv->n_pii) { /* what was covered, by type: {"card": 2, "email": 1} */
		json_t *types = json_object();
		for (size_t k = 0; k < gv->n_pii; k++) {
			const char *tn = magi_pii_type_name(gv->pii[k].type);
			json_object_set_new(types, tn, json_integer(magi__json_int(types, tn, 0) + 1));
		}
		json_object_set_new(ev, "pii", types);
	}
	json_object_set_new(ev, "injections", json_integer(gv ? (json_int_t)gv->n_inj : 0));
	json_object_set_new(ev, "guard_ms", json_real(acted ? r->guard_ms_before : r->guard_ms));
	if (rd->reason[0] || denied)
		json_object_set_new(ev, "guard", json_pack("{s:s, s:s, s:s}", "decision", magi_risk_tier_name(rd->tier),
							   "category", magi_risk_category_name(rd->category), "reason",
							   rd->reason));
}

/* Queues the step's screen (redacted when the guards found PII) for the trace's writer
 * thread — the JPEG the model was sent of it when one was kept (magi__gui_keep_sent) —; a
 * screen that cannot be recorded stops the run. */
static magi_status save_step_image(struct magi_run *r, const char *img_name, bool *saved, struct magi_error *err)
{
	if (!r->obs.screenshot)
		return MAGI_OK;
	struct magi_error serr;
	const struct magi_image *img = magi__trace_image(r);
	magi_status ss;
	if (r->sent_jpeg && r->sent_of == img) {
		ss = magi__trace_save_jpeg_give(r->trace, img_name, r->sent_jpeg, r->sent_len, &serr);
		r->sent_jpeg = NULL; /* the trace's now */
		drop_sent(r);
	} else {
		ss = magi__trace_save_image_bg(r->trace, img_name, img, &serr);
	}
	if (ss) {
		magi__run_stop(r, "trace_error", ss, "%s", serr.msg);
		magi_run_finish(r, "trace_error", false);
		return magi_error_set(err, ss, "%s", serr.msg);
	}
	*saved = true;
	return MAGI_OK;
}

magi_status magi__gui_step(struct magi_run *r, struct magi_error *err)
{
	double t_step = magi_now_ms(), settle = 0;
	char img_name[32];
	snprintf(img_name, sizeof img_name, "step-%03d.jpg", r->step);
	double t_save = magi_now_ms();
	/* the trace only ever holds the redacted screen, and a step that cannot be recorded
	 * is not taken. The image is written on the trace's writer thread while the model
	 * thinks; the intent waits for it (an image that could not be written stops the run
	 * before the action), and so does the step event that names it. */
	/* redacted once it is read; with trace_max_pixels, the JPEG sent to the model is
	 * kept (no second resize and encoding of the screen) */
	bool saved = false, save_later = r->ocr_job != NULL || r->p.trace_max_pixels;
	magi_status s = save_later ? MAGI_OK : save_step_image(r, img_name, &saved, err);
	if (s)
		return s;
	double save_ms = magi_now_ms() - t_save;
	struct magi_decision d = {0};
	s = r->p.icons ? magi__icons_update(r, err) : MAGI_OK;
	if (!s)
		s = r->recipe->decide(r, &d, err);
	/* a first screen read behind the decision is joined before the gate, the trace and
	 * the next step see its words */
	magi__reading_join(r);
	if (save_later) {
		t_save = magi_now_ms();
		magi_status ss = save_step_image(r, img_name, &saved, s ? NULL : err);
		save_ms += magi_now_ms() - t_save;
		if (ss && !s) {
			magi_decision_release(&d);
			return ss;
		}
	}
	if (s) {
		magi_decision_release(&d);
		magi_run_finish(r, magi__run_stop_rule(r, NULL) ? r->stop_reason : "model_error", false);
		return s;
	}
	struct magi_buf aj, mj;
	magi_buf_init(&aj, 0);
	magi_buf_init(&mj, 0);
	magi_action_to_json(&d.screen, &aj);
	magi_action_to_json(&d.action, &mj);
	const struct magi_action *a = &d.screen;
	const char *reason = NULL;
	bool success = false;
	char *user_reply = NULL;
	if (a->kind == MAGI_ACT_DONE) {
		reason = "done";
		success = a->success;
	} else if (a->kind == MAGI_ACT_ANSWER) {
		reason = "answered";
		success = true;
		free(r->answer);
		r->answer = magi__strdup(a->text);
	} else if (a->kind == MAGI_ACT_ASK_USER) {
		user_reply = r->p.ask ? r->p.ask(r->p.ask_ud, a->text ? a->text : "") : NULL;
		if (!user_reply) /* a signal while the person was asked ends the question too */
			reason = magi__run_stop_rule(r, NULL) ? r->stop_reason : "ask_user";
	} else {
		r->repeats = r->last_action && !strcmp(r->last_action, aj.data) ? r->repeats + 1 : 1;
		free(r->last_action);
		r->last_action = magi__strdup(aj.data);
		if (r->repeats >= r->p.repeat_limit)
			reason = "repeated_action";
	}
	double act_ms = 0, intent_ms = 0;
	bool acted = false, denied = false;
	struct magi_risk_decision rd = {0};
	struct magi_error aerr;
	magi_error_clear(&aerr);
	if (!reason && !user_reply && r->p.guards) {
		denied = !gate(r, a, aj.data, &rd);
		if (denied) {
			denial_note(r, &rd, d.operation, aj.data);
			magi_run_history_add(r, d.operation, mj.data, "refused by the guard");
			if (++r->denials >= r->p.deny_limit)
				reason = "denied";
		} else {
			r->denials = 0;
		}
	}
	bool interrupted = false;
	if (!reason && !user_reply && !denied) {
		double t_intent = magi_now_ms();
		s = intent(r, aj.data, mj.data, d.operation, &aerr);
		intent_ms = magi_now_ms() - t_intent;
		if (s) {
			/* nothing was done: the step ends here, marked with why */
			reason = r->stop_reason ? r->stop_reason : "trace_error";
			interrupted = true;
		} else {
			double t_act = magi_now_ms();
			s = act_with_secrets(r, a, &aerr);
			act_ms = magi_now_ms() - t_act;
			if (s) {
				reason = "env_error";
			} else {
				acted = true;
				const struct magi_element *fe = a->kind == MAGI_ACT_CLICK_ELEMENT
									? magi_element_find(r->obs.elements, r->obs.n_elements, a->index)
									: NULL;
				if (fe) {
					r->has_focus = true;
					r->focus_x = fe->x + fe->w / 2.0;
					r->focus_y = fe->y + fe->h / 2.0;
				} else if (a->has_point && (a->kind == MAGI_ACT_CLICK || a->kind == MAGI_ACT_DOUBLE_CLICK ||
						     a->kind == MAGI_ACT_LONG_PRESS)) {
					r->has_focus = true;
					r->focus_x = a->x;
					r->focus_y = a->y;
				}
			}
		}
	}
	bool looked = false; /* the screen after the action was observed */
	if (acted && r->p.observe_after) {
		settle = r->p.settle_ms;
		if ((s = observe_after(r, &aerr))) {
			reason = "env_error";
			acted = false;
		} else {
			looked = true;
			r->unchanged = r->same ? r->unchanged + 1 : 0;
		}
	}
	if (saved) {
		/* (already written when the step acted: its intent waited for it) */
		double t_wait = magi_now_ms();
		struct magi_error ferr;
		magi_status fs = magi__trace_flush(r->trace, false, &ferr);
		save_ms += magi_now_ms() - t_wait;
		if (fs) {
			saved = false;
			magi__run_stop(r, "trace_error", fs, "%s", ferr.msg);
			if (!reason)
				reason = "trace_error";
		}
	}
	json_t *ev = json_object();
	json_object_set_new(ev, "step", json_integer(r->step));
	if (saved)
		json_object_set_new(ev, "image", json_string(img_name));
	if (looked ? r->before_w > 0 : r->obs.screenshot != NULL) { /* (obs_before's pixels may be gone) */
		json_object_set_new(ev, "screen_w", json_integer(looked ? r->before_w : r->obs.screenshot->w));
		json_object_set_new(ev, "screen_h", json_integer(looked ? r->before_h : r->obs.screenshot->h));
	}
	json_t *aobj = json_loads(aj.data, 0, NULL), *mobj = json_loads(mj.data, 0, NULL);
	json_object_set_new(ev, "action", aobj ? aobj : json_null());
	json_object_set_new(ev, "model_action", mobj ? mobj : json_null());
	json_object_set_new(ev, "coords", json_string(magi_coord_space_name(d.map.space)));
	json_object_set_new(ev, "sent_w", json_integer(d.map.sent_w));
	json_object_set_new(ev, "sent_h", json_integer(d.map.sent_h));
	json_object_set_new(ev, "thought", json_string(d.thought ? d.thought : ""));
	json_object_set_new(ev, "operation", json_string(d.operation ? d.operation : ""));
	if (user_reply)
		json_object_set_new(ev, "user_reply", json_string(user_reply));
	if (interrupted)
		json_object_set_new(ev, "interrupted", json_string(reason));
	if (aerr.status)
		json_object_set_new(ev, "error", json_string(aerr.msg));
	if (r->p.guards)
		guard_fields(r, ev, looked, denied, &rd);
	json_object_set_new(ev, "observe_ms", json_real(r->obs_ms));
	json_object_set_new(ev, "ocr_ms", json_real(r->ocr_ms));
	if (r->p.ocr && r->obs.screenshot && !(magi_env_caps(r->env) & MAGI_ACT_BIT(MAGI_ACT_CLICK_ELEMENT))) {
		/* which reading the decision had: the screen's words ("full"), or none yet — they
		 * were read while the model decided ("deferred"; the gate, the guards, this trace's
		 * image and the next steps used them) */
		json_object_set_new(ev, "reading", json_string(r->reading_deferred ? "deferred" : "full"));
		if (r->reading_deferred) {
			json_object_set_new(ev, "ocr_deferred_ms", json_real(r->ocr_deferred_ms));
			json_object_set_new(ev, "ocr_wait_ms", json_real(r->ocr_wait_ms));
		}
	}
	r->reading_deferred = false;
	if (r->first_threads) /* the first screen, read before the request on this many threads */
		json_object_set_new(ev, "ocr_threads", json_integer(r->first_threads));
	r->first_threads = 0;
	if (r->first_read_lines) /* ...with its text lines found from the pixels */
		json_object_set_new(ev, "ocr_lines", json_true());
	r->first_read_lines = false;
	json_object_set_new(ev, "save_ms", json_real(save_ms));
	if (looked) { /* the screen after the action: was it the same, what did seeing it cost */
		json_object_set_new(ev, "same_screen", json_boolean(r->same));
		json_object_set_new(ev, "after_guard_ms", json_real(r->guard_ms));
	}
	json_object_set_new(ev, "intent_ms", json_real(intent_ms));
	json_object_set_new(ev, "act_ms", json_real(act_ms));
	json_object_set_new(ev, "latency_ms", json_real(d.latency_ms));
	json_object_set_new(ev, "prompt_tokens", json_integer(d.prompt_tokens));
	json_object_set_new(ev, "completion_tokens", json_integer(d.completion_tokens));
	step_line(r, &d, aj.data);
	if (user_reply) {
		struct magi_buf note;
		magi_buf_init(&note, 0);
		const char *notes = magi__json_str(r->board, "notes", "");
		magi_buf_printf(&note, "%s%sThe person was asked \"%s\" and answered: %s", notes, *notes ? "\n" : "",
				a->text ? a->text : "", user_reply);
		json_object_set_new(r->board, "notes", json_string(note.data));
		magi_buf_release(&note);
		magi_run_history_add(r, "asked the person", aj.data, user_reply);
		free(user_reply);
	} else if (acted && r->recipe->after) {
		/* the step event goes first so a reflection reads as following it */
		magi__run_trace(r, "step", ev);
		json_decref(ev);
		ev = NULL;
		if (!magi__run_stop_rule(r, NULL) && (s = r->recipe->after(r, &d, &aerr)))
			reason = magi__run_stop_rule(r, NULL) ? r->stop_reason : "model_error";
	} else if (acted) {
		magi_run_history_add(r, d.operation, mj.data, "done");
	}
	if (ev) {
		magi__run_trace(r, "step", ev);
		json_decref(ev);
	}
	magi__run_trace_board(r, "step", false);
	double total = magi_now_ms() - t_step;
	/* the first observation of the step happened at the end of the last one */
	r->overheads[r->n_over++] = total - r->step_model_ms - settle + (looked ? 0 : r->obs_ms + r->ocr_ms);
	magi_buf_release(&aj);
	magi_buf_release(&mj);
	magi_decision_release(&d);
	if (!reason && r->unchanged >= r->p.unchanged_limit)
		reason = "unchanged_screen";
	if (reason)
		magi_run_finish(r, reason, success);
	if (aerr.status && err)
		*err = aerr;
	return MAGI_OK;
}
