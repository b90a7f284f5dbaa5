/* worker.c — one worker process of an eval: reads item numbers from the parent, runs each
 * item with its kind's runner, and writes one result line back per item.
 *
 * Workers are processes, not threads: each has its own model clients, Tesseract engine
 * and X server, a crash costs one item, and the parent can stop a stuck item by killing
 * its worker. A worker keeps the process groups it started (X server, a task's programs)
 * in a list that its SIGTERM handler kills before it exits, so an interrupted or killed
 * eval leaves nothing running (PR_SET_PDEATHSIG covers a parent killed with SIGKILL). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "core/json.h"
#include "eval/eval_internal.h"
#include "core/common.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define WORKER_LEAK_CHECK() __lsan_do_leak_check() /* _exit skips LeakSanitizer's own check */
#else
#define WORKER_LEAK_CHECK() ((void)0)
#endif

#define MAX_CHILDREN 64
static volatile sig_atomic_t n_children;
static volatile pid_t children[MAX_CHILDREN];

static void block_term(sigset_t *old)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigprocmask(SIG_BLOCK, &s, old);
}

void magi__eval_child_add(int pid)
{
	sigset_t old;
	block_term(&old);
	if (n_children < MAX_CHILDREN)
		children[n_children++] = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void magi__eval_child_remove(int pid)
{
	sigset_t old;
	block_term(&old);
	for (int i = 0; i < n_children; i++)
		if (children[i] == pid) {
			children[i] = children[n_children - 1];
			n_children--;
			break;
		}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Async-signal-safe: kill() only. Children are process-group leaders. */
void magi__eval_worker_kill_children(void)
{
	for (int i = 0; i < n_children; i++) {
		kill(-children[i], SIGTERM);
		kill(children[i], SIGTERM);
	}
}

static void on_term(int sig)
{
	(void)sig;
	magi__eval_worker_kill_children();
	_exit(143);
}

static json_t *error_result(const char *msg)
{
	return json_pack("{s:b, s:f, s:s, s:s}", "success", 0, "score", 0.0, "status", "error", "error", msg);
}

static bool kind_needs_models(enum magi_eval_kind k)
{
	return k == MAGI_EVAL_GUI || k == MAGI_EVAL_VIDEO || k == MAGI_EVAL_GROUND;
}

/* One item: its directory under out_dir/runs is made fresh (a killed earlier attempt may
 * have left one), then the kind's runner. */
static json_t *run_item(struct magi__eval_worker *w, size_t idx, struct magi_error *fatal)
{
	const json_t *item = json_array_get(w->suite->items, idx);
	char safe[96], dir[4096];
	magi__eval_safe_name(magi__json_str(item, "id", "item"), safe);
	snprintf(dir, sizeof dir, "%s/runs/%s", w->p->out_dir, safe);
	magi__eval_rmtree(dir);
	struct magi_error err;
	if (magi_mkdirs(dir, &err))
		return error_result(magi_error_text(&err));
	if (kind_needs_models(w->suite->kind) && !w->have_models) {
		memset(&w->models, 0, sizeof w->models);
		if (w->p->models(w->p->models_ud, w->recipe, &w->models, fatal) != MAGI_OK) {
			if (!fatal->status)
				fatal->status = MAGI_ERR_CONFIG;
			return NULL;
		}
		w->have_models = true;
	}
	double t0 = magi_now_ms();
	json_t *r;
	switch (w->suite->kind) {
	case MAGI_EVAL_GUI:
		r = magi__eval_run_gui(w, item, dir);
		break;
	case MAGI_EVAL_VIDEO:
		r = magi__eval_run_video(w, item, dir);
		break;
	case MAGI_EVAL_GROUND:
		r = magi__eval_run_ground(w, item, dir);
		break;
	case MAGI_EVAL_PRIVACY:
		r = magi__eval_run_privacy(w, item, dir);
		break;
	default:
		r = magi__eval_run_risk(w, item, dir);
	}
	if (!r)
		r = error_result("out of memory");
	if (!json_object_get(r, "wall_ms"))
		json_object_set_new(r, "wall_ms", json_real(magi_now_ms() - t0));
	if (!json_object_get(r, "status"))
		json_object_set_new(r, "status", json_string("ok"));
	long pt = magi__json_int(r, "prompt_tokens", 0), ct = magi__json_int(r, "completion_tokens", 0);
	const struct magi_eval_price *pr = &w->p->price;
	if (pr->input_per_mtok > 0 || pr->output_per_mtok > 0)
		json_object_set_new(r, "cost_usd",
				    json_real((pt * pr->input_per_mtok + ct * pr->output_per_mtok) / 1e6));
	return r;
}

static bool read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return true;
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* The worker's main loop: "INDEX\n" in, one JSON line out per item; "{"fatal": msg}" when
 * the models cannot be made (the parent stops the eval). Never returns. */
void magi__eval_worker_main(const struct magi_eval_params *p, const struct magi_eval_suite *suite,
			    const char *recipe, int id, int in_fd, int out_fd, int parent)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN; /* Ctrl-C reaches the whole group: the parent decides */
	sigaction(SIGINT, &sa, NULL);
	if (getppid() != parent)
		_exit(143);
	struct magi__eval_worker w;
	memset(&w, 0, sizeof w);
	w.p = p;
	w.suite = suite;
	w.recipe = recipe;
	w.id = id;
	w.hint = -1;
	char line[64];
	while (read_line(in_fd, line, sizeof line)) {
		/* "INDEX [NEXT]": NEXT is the item the parent expects to hand this worker after it */
		long idx, max = (long)json_array_size(suite->items) - 1;
		char *sp = strchr(line, ' ');
		if (sp)
			*sp = '\0';
		if (!magi__parse_long(line, 0, max, &idx))
			break;
		if (!sp || !magi__parse_long(sp + 1, -1, max, &w.hint))
			w.hint = -1;
		struct magi_error fatal;
		magi_error_clear(&fatal);
		json_t *r = run_item(&w, (size_t)idx, &fatal);
		if (!r) {
			r = json_pack("{s:s}", "fatal", magi_error_text(&fatal));
		} else {
			json_object_set_new(r, "worker", json_integer(id));
		}
		char *s = magi__json_dump(r, false);
		json_decref(r);
		if (s) {
			write_all(out_fd, s, strlen(s));
			write_all(out_fd, "\n", 1);
			free(s);
		}
	}
	magi__eval_ground_prefetch_end(&w);
	magi__eval_xvfb_stop(&w);
	magi__eval_worker_kill_children();
	if (w.have_models && p->models_free)
		p->models_free(p->models_ud, &w.models);
	magi_ocr_thread_release();
	WORKER_LEAK_CHECK();
	_exit(0);
}
