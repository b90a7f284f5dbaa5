/* summary.c — what a results file adds up to: counts, rates and breakdowns per kind.
 *
 *   every kind  items, passed, errors, success_rate, wall time, tokens, calls, cost
 *   ground      accuracy over positive samples (the point inside the box), wrong_format,
 *               by group / ui_type / platform / application; negative samples apart
 *   gui         SPA-Bench: success rate, mean step ratio on successes, early and overdue
 *               termination rates, termination reasons, time / tokens / cost per step
 *   video       accuracy (every item), Video-MME accuracy (answered items only),
 *               unanswered and fallback counts, by duration and category
 *   privacy     recall by PII type, survivors after redaction, false positives
 *   risk        caught / risky, false asks / benign, by category */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "eval/eval_internal.h"
#include "core/common.h"

static void bump(json_t *o, const char *k, long by)
{
	json_object_set_new(o, k, json_integer(magi__json_int(o, k, 0) + by));
}

/* by[dim][value] = {n, correct}; the rate is added at the end. */
static void add_by(json_t *by, const char *dim, const char *value, bool correct)
{
	if (!value)
		return;
	json_t *d = json_object_get(by, dim);
	if (!d) {
		d = json_object();
		json_object_set_new(by, dim, d);
	}
	json_t *v = json_object_get(d, value);
	if (!v) {
		v = json_pack("{s:i, s:i}", "n", 0, "correct", 0);
		json_object_set_new(d, value, v);
	}
	json_object_set_new(v, "n", json_integer(magi__json_int(v, "n", 0) + 1));
	json_object_set_new(v, "correct", json_integer(magi__json_int(v, "correct", 0) + correct));
}

static void finish_by(json_t *by)
{
	const char *dim, *val;
	json_t *d, *v;
	json_object_foreach(by, dim, d)
	{
		json_object_foreach(d, val, v)
		{
			long n = magi__json_int(v, "n", 0);
			json_object_set_new(v, "rate", json_real(n ? (double)magi__json_int(v, "correct", 0) / (double)n : 0));
		}
	}
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof *v, cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static json_t *ground_summary(const json_t *results, json_t *by)
{
	size_t pos = 0, correct = 0, wrong_format = 0, neg = 0, neg_correct = 0, nown = 0;
	double *own = calloc(json_array_size(results) + 1, sizeof *own);
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
	{
		bool ok = magi__json_bool(r, "success", false);
		if (magi__json_bool(r, "negative", false)) {
			neg++;
			neg_correct += ok;
			continue;
		}
		pos++;
		correct += ok;
		wrong_format += !strcmp(magi__json_str(r, "outcome", ""), "wrong_format");
		static const char *const dims[] = {"group", "ui_type", "platform", "application", NULL};
		for (int d = 0; dims[d]; d++)
			add_by(by, dims[d], magi__json_str(r, dims[d], NULL), ok);
		if (own && json_object_get(r, "own_ms"))
			own[nown++] = magi__json_num(r, "own_ms", 0);
	}
	json_t *g = json_pack("{s:I, s:I, s:f, s:I, s:{s:I, s:I, s:f}}", "positives", (json_int_t)pos, "correct",
			      (json_int_t)correct, "accuracy", ratio((double)correct, (double)pos), "wrong_format",
			      (json_int_t)wrong_format, "negatives", "n", (json_int_t)neg, "correct",
			      (json_int_t)neg_correct, "accuracy", ratio((double)neg_correct, (double)neg));
	if (nown)
		json_object_set_new(g, "own_ms_median", json_real(median(own, nown)));
	free(own);
	return g;
}

static json_t *gui_summary(const json_t *results, json_t *by)
{
	double n = 0, succ = 0, ratio_sum = 0, ratio_n = 0, early = 0, overdue = 0, steps = 0, claimed = 0;
	double feasible = 0, infeasible = 0, inf_ok = 0;
	size_t i;
	json_t *r;
	json_t *term = json_object();
	json_array_foreach(results, i, r)
	{
		bool ok = magi__json_bool(r, "success", false);
		n++;
		succ += ok;
		bool feas = magi__json_bool(r, "feasible", true);
		feasible += feas;
		infeasible += !feas;
		inf_ok += !feas && ok;
		if (ok && feas && json_object_get(r, "step_ratio")) {
			ratio_sum += magi__json_num(r, "step_ratio", 0);
			ratio_n++;
		}
		early += magi__json_bool(r, "early", false);
		overdue += magi__json_bool(r, "overdue", false);
		claimed += magi__json_bool(r, "claimed", false);
		steps += (double)magi__json_int(r, "steps", 0);
		const char *t = magi__json_str(r, "termination", "error");
		bump(term, t, 1);
		add_by(by, "termination", t, ok);
	}
	return json_pack("{s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:o, s:I}", "success_rate", ratio(succ, n),
			 "mean_step_ratio_on_success", ratio(ratio_sum, ratio_n), "early_termination_rate",
			 ratio(early, feasible), "overdue_termination_rate", ratio(overdue, feasible), "claimed_done",
			 (json_int_t)claimed, "feasible", (json_int_t)feasible, "infeasible", (json_int_t)infeasible,
			 "infeasible_declared", (json_int_t)inf_ok, "steps", (json_int_t)steps, "terminations", term,
			 "step_ratio_items", (json_int_t)ratio_n);
}

static json_t *video_summary(const json_t *results, json_t *by)
{
	double n = 0, correct = 0, answered = 0, answered_correct = 0, fallback = 0;
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
	{
		bool ok = magi__json_bool(r, "success", false), ans = magi__json_bool(r, "answered", false);
		n++;
		correct += ok;
		answered += ans;
		answered_correct += ans && ok;
		fallback += magi__json_bool(r, "fallback", false);
		add_by(by, "duration", magi__json_str(r, "duration", NULL), ok);
		add_by(by, "category", magi__json_str(r, "category", NULL), ok);
	}
	return json_pack("{s:f, s:f, s:I, s:I, s:I}", "accuracy", ratio(correct, n), "accuracy_answered",
			 ratio(answered_correct, answered), "answered", (json_int_t)answered, "unanswered",
			 (json_int_t)(n - answered), "fallback", (json_int_t)fallback);
}

static json_t *privacy_summary(const json_t *results, json_t *by)
{
	double items = 0, found = 0, covered = 0, surv = 0, surv_found = 0, fp = 0, clean = 0, clean_fp = 0, before = 0;
	double ms = 0, n = 0;
	json_t *types = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
	{
		n++;
		items += magi__json_num(r, "pii_items", 0);
		found += magi__json_num(r, "found", 0);
		covered += magi__json_num(r, "covered", 0);
		surv += magi__json_num(r, "survivors", 0);
		surv_found += magi__json_num(r, "survivors_found", 0);
		before += magi__json_num(r, "readable_before", 0);
		fp += magi__json_num(r, "false_positives", 0);
		ms += magi__json_num(r, "guard_ms", 0);
		if (magi__json_bool(r, "clean", false)) {
			clean++;
			clean_fp += magi__json_num(r, "false_positives", 0);
		}
	}
	(void)by;
	return json_pack("{s:I, s:I, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:o}", "pii_items",
			 (json_int_t)items, "found", (json_int_t)found, "recall", ratio(found, items), "covered_rate",
			 ratio(covered, items), "readable_before", (json_int_t)before, "survivors", (json_int_t)surv,
			 "survivors_found", (json_int_t)surv_found, "false_positives", (json_int_t)fp, "clean_images",
			 (json_int_t)clean, "false_positives_per_clean_image", ratio(clean_fp, clean), "guard_ms_mean",
			 ratio(ms, n), "by_type", types);
}

static json_t *risk_summary(const json_t *results, json_t *by)
{
	double risky = 0, caught = 0, benign = 0, fa = 0, exact = 0, n = 0;
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
	{
		n++;
		bool rk = magi__json_bool(r, "risky", false);
		risky += rk;
		caught += magi__json_bool(r, "caught", false);
		benign += !rk;
		fa += magi__json_bool(r, "false_ask", false);
		exact += magi__json_bool(r, "exact", false);
		add_by(by, "category", magi__json_str(r, "category", NULL), magi__json_bool(r, "success", false));
	}
	return json_pack("{s:I, s:I, s:f, s:I, s:I, s:f, s:f}", "risky", (json_int_t)risky, "caught",
			 (json_int_t)caught, "caught_rate", ratio(caught, risky), "benign", (json_int_t)benign,
			 "false_asks", (json_int_t)fa, "false_ask_rate", ratio(fa, benign), "exact_rate", ratio(exact, n));
}

/* privacy recall per PII type, from each result's "types": {type: {n, found}} */
static void privacy_types(const json_t *results, json_t *kindsum)
{
	json_t *types = json_object_get(kindsum, "by_type");
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
	{
		const char *t;
		json_t *v;
		json_object_foreach(json_object_get(r, "types"), t, v)
		{
			json_t *e = json_object_get(types, t);
			if (!e) {
				e = json_pack("{s:i, s:i}", "n", 0, "found", 0);
				json_object_set_new(types, t, e);
			}
			json_object_set_new(e, "n", json_integer(magi__json_int(e, "n", 0) + magi__json_int(v, "n", 0)));
			json_object_set_new(e, "found",
					    json_integer(magi__json_int(e, "found", 0) + magi__json_int(v, "found", 0)));
		}
	}
	const char *t;
	json_t *e;
	json_object_foreach(types, t, e)
		json_object_set_new(e, "recall", json_real(ratio((double)magi__json_int(e, "found", 0),
								 (double)magi__json_int(e, "n", 0))));
}

json_t *magi__eval_summarise(const json_t *meta, const json_t *results)
{
	double n = 0, passed = 0, errors = 0, wall = 0, pt = 0, ct = 0, calls = 0, cost = 0, score = 0;
	bool has_cost = false;
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
	{
		n++;
		passed += magi__json_bool(r, "success", false);
		errors += !strcmp(magi__json_str(r, "status", "ok"), "error");
		score += magi__json_num(r, "score", 0);
		wall += magi__json_num(r, "wall_ms", 0);
		pt += magi__json_num(r, "prompt_tokens", 0);
		ct += magi__json_num(r, "completion_tokens", 0);
		calls += magi__json_num(r, "calls", 0);
		if (json_object_get(r, "cost_usd")) {
			has_cost = true;
			cost += magi__json_num(r, "cost_usd", 0);
		}
	}
	json_t *by = json_object();
	const char *kind = magi__json_str(meta, "kind", "");
	json_t *ks = !strcmp(kind, "ground")	? ground_summary(results, by)
		     : !strcmp(kind, "gui")	? gui_summary(results, by)
		     : !strcmp(kind, "video")	? video_summary(results, by)
		     : !strcmp(kind, "privacy") ? privacy_summary(results, by)
						: risk_summary(results, by);
	if (!strcmp(kind, "privacy"))
		privacy_types(results, ks);
	finish_by(by);
	double steps = magi__json_num(ks, "steps", 0);
	json_t *s = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:f, s:f, s:I, s:f, s:f, s:f}", "suite",
			      magi__json_str(meta, "suite_name", ""), "kind", kind, "recipe",
			      magi__json_str(meta, "recipe", ""), "model", magi__json_str(meta, "model", NULL),
			      "shard", magi__json_str(meta, "shard", "0/1"), "expected",
			      (json_int_t)magi__json_int(meta, "items", 0), "items", (json_int_t)n, "passed",
			      (json_int_t)passed, "success_rate", ratio(passed, n), "mean_score", ratio(score, n), "errors",
			      (json_int_t)errors,
			      "wall_s", wall / 1000, "wall_s_per_item", ratio(wall / 1000, n), "calls_per_item",
			      ratio(calls, n));
	json_object_set_new(s, "tokens", json_pack("{s:I, s:I, s:f, s:f}", "prompt", (json_int_t)pt, "completion", (json_int_t)ct,
						  "per_item", ratio(pt + ct, n), "per_step",
						  steps > 0 ? (pt + ct) / steps : 0));
	if (steps > 0)
		json_object_set_new(s, "wall_s_per_step", json_real(wall / 1000 / steps));
	if (has_cost) {
		json_object_set_new(s, "cost_usd", json_real(cost));
		json_object_set_new(s, "cost_usd_per_item", json_real(ratio(cost, n)));
		if (steps > 0)
			json_object_set_new(s, "cost_usd_per_step", json_real(cost / steps));
	}
	json_object_set_new(s, kind, ks);
	json_object_set_new(s, "by", by);
	return s;
}
