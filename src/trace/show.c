/* show.c — `magi trace show`: a readable summary of a run's events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "trace/trace_internal.h"
#include "core/common.h"

/* One line of text, cut to max chars, newlines folded. */
static void put_short(struct magi_buf *o, const char *s, size_t max)
{
	if (!s)
		return;
	size_t n = 0;
	for (; s[n] && n < max; n++)
		magi_buf_putc(o, s[n] == '\n' || s[n] == '\r' || s[n] == '\t' ? ' ' : s[n]);
	if (s[n])
		magi_buf_puts(o, "...");
}

magi_status magi_trace_show(const char *dir, bool verbose, struct magi_buf *o, struct magi_error *err)
{
	json_t *events = NULL;
	magi_status s = magi__trace_load(dir, &events, err);
	if (s)
		return s;
	size_t i;
	json_t *ev;
	long calls = 0, ptok = 0, ctok = 0, steps = 0;
	double call_ms = 0;
	bool ended = false;
	magi_buf_printf(o, "run %s\n", dir);
	json_array_foreach(events, i, ev)
	{
		const char *type = magi__json_str(ev, "type", "?");
		const char *t = magi__json_str(ev, "t", "");
		if (!strcmp(type, "run_start")) {
			magi_buf_printf(o, "%s  start   %s", t, magi__json_str(ev, "command", "run"));
			const char *task = magi__json_str(ev, "task", NULL);
			if (task) {
				magi_buf_puts(o, ": ");
				put_short(o, task, 100);
			}
			magi_buf_putc(o, '\n');
		} else if (!strcmp(type, "call")) {
			calls++;
			long p = magi__json_int(ev, "prompt_tokens", 0), c = magi__json_int(ev, "completion_tokens", 0);
			ptok += p > 0 ? p : 0;
			ctok += c > 0 ? c : 0;
			call_ms += magi__json_num(ev, "latency_ms", 0);
			const char *st = magi__json_str(ev, "status", "ok");
			magi_buf_printf(o, "%s  call    %-10s %-12s %6.0f ms  %ld+%ld tok  %s", t,
					magi__json_str(ev, "role", "-"), magi__json_str(ev, "model", "-"),
					magi__json_num(ev, "latency_ms", 0), p, c, st);
			if (strcmp(st, "ok")) {
				magi_buf_puts(o, ": ");
				put_short(o, magi__json_str(ev, "error", ""), 160);
			} else if (verbose) {
				magi_buf_puts(o, "\n      > ");
				put_short(o, magi__json_str(ev, "content", ""), 300);
			}
			magi_buf_putc(o, '\n');
		} else if (!strcmp(type, "step")) {
			steps++;
			magi_buf_printf(o, "%s  step %-3ld ", t, magi__json_int(ev, "step", steps));
			char *a = magi__json_dump(json_object_get(ev, "action"), false);
			put_short(o, a ? a : "-", 120);
			free(a);
			const char *why = magi__json_str(ev, "thought", NULL);
			if (why) {
				magi_buf_puts(o, "  -- ");
				put_short(o, why, verbose ? 400 : 100);
			}
			json_t *pii = json_object_get(ev, "pii");
			if (json_is_object(pii) && json_object_size(pii)) {
				const char *k;
				json_t *v;
				bool first = true;
				magi_buf_puts(o, "  [covered:");
				json_object_foreach(pii, k, v)
				{
					magi_buf_printf(o, "%s %s %lld", first ? "" : ",", k,
							(long long)json_integer_value(v));
					first = false;
				}
				magi_buf_putc(o, ']');
			}
			magi_buf_putc(o, '\n');
		} else if (!strcmp(type, "reflection")) {
			magi_buf_printf(o, "%s  reflect %s", t, magi__json_str(ev, "verdict", "?"));
			const char *why = magi__json_str(ev, "thought", NULL);
			if (why) {
				magi_buf_puts(o, "  -- ");
				put_short(o, why, 100);
			}
			magi_buf_putc(o, '\n');
		} else if (!strcmp(type, "locate")) {
			magi_buf_printf(o, "%s  locate  ", t);
			put_short(o, magi__json_str(ev, "target", ""), 80);
			magi_buf_printf(o, " -> (%g, %g) %s = screen (%ld, %ld)\n", magi__json_num(ev, "x", 0),
					magi__json_num(ev, "y", 0), magi__json_str(ev, "coords", "?"),
					magi__json_int(ev, "screen_x", 0), magi__json_int(ev, "screen_y", 0));
		} else if (!strcmp(type, "icons")) {
			magi_buf_printf(o, "%s  icons   %ld proposed, %ld cached, %ld captioned, %ld shown\n", t,
					magi__json_int(ev, "proposed", 0), magi__json_int(ev, "cached", 0),
					magi__json_int(ev, "captioned", 0), magi__json_int(ev, "shown", 0));
		} else if (!strcmp(type, "demos")) {
			magi_buf_printf(o, "%s  demos   %zu demonstration(s), %ld screenshots, ~%ld of %ld tokens\n", t,
					json_array_size(json_object_get(ev, "demos")), magi__json_int(ev, "images", 0),
					magi__json_int(ev, "est_tokens", 0), magi__json_int(ev, "budget", 0));
		} else if (!strcmp(type, "guard")) {
			magi_buf_printf(o, "%s  guard   %s: ", t, magi__json_str(ev, "decision", "?"));
			put_short(o, magi__json_str(ev, "reason", ""), 160);
			magi_buf_putc(o, '\n');
		} else if (!strcmp(type, "run_end")) {
			ended = true;
			magi_buf_printf(o, "%s  end     %s", t, magi__json_str(ev, "reason", "?"));
			const char *ans = magi__json_str(ev, "answer", NULL);
			if (ans) {
				magi_buf_puts(o, ", answer: ");
				put_short(o, ans, 200);
			}
			magi_buf_putc(o, '\n');
		} else if (verbose) {
			magi_buf_printf(o, "%s  %s\n", t, type);
		}
	}
	magi_buf_printf(o, "%ld events, %ld steps, %ld model calls (%.1f s), %ld prompt + %ld completion tokens%s\n",
			(long)json_array_size(events), steps, calls, call_ms / 1000, ptok, ctok,
			ended ? "" : "; the run did not finish (killed or still running)");
	json_decref(events);
	return MAGI_OK;
}
