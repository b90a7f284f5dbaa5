/* runner.c — the parent process of an eval: chooses the items of its shard, skips the
 * finished ones on resume, hands items to worker processes one at a time, appends each
 * result as one synced line of results.jsonl, stops stuck items, replaces dead workers,
 * and on SIGINT/SIGTERM stops cleanly (finished lines kept, in-flight items dropped). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/json.h"
#include "eval/eval_internal.h"
#include "core/common.h"

struct magi_eval_params magi_eval_params_default(void)
{
	struct magi_eval_params p;
	memset(&p, 0, sizeof p);
	p.jobs = 1;
	p.shard.index = 0;
	p.shard.count = 1;
	p.max_steps = 15;
	p.settle_ms = 300;
	p.item_timeout_s = 900;
	p.report = true;
	p.guards = true;
	p.risk = magi_risk_policy_default();
	return p;
}

magi_status magi_eval_shard_parse(const char *s, struct magi_eval_shard *out, struct magi_error *err)
{
	long i, n;
	const char *sl = s ? strchr(s, '/') : NULL;
	char a[32];
	if (!sl || (size_t)(sl - s) >= sizeof a)
		return magi_error_set(err, MAGI_ERR_INVALID, "shard '%s' is not I/N (e.g. 0/4)", s ? s : "");
	memcpy(a, s, (size_t)(sl - s));
	a[sl - s] = '\0';
	if (!magi__parse_long(a, 0, 1000000, &i) || !magi__parse_long(sl + 1, 1, 1000000, &n))
		return magi_error_set(err, MAGI_ERR_INVALID, "shard '%s' is not I/N with whole numbers (e.g. 0/4)", s);
	if (i >= n)
		return magi_error_set(err, MAGI_ERR_INVALID, "shard '%s': the index counts from 0, so it must be below %ld",
				      s, n);
	out->index = (int)i;
	out->count = (int)n;
	return MAGI_OK;
}

static magi_status env_long(const char *name, long lo, long hi, long *out, bool *set, struct magi_error *err)
{
	const char *v = getenv(name);
	*set = v && *v;
	if (!*set)
		return MAGI_OK;
	if (!magi__parse_long(v, lo, hi, out))
		return magi_error_set(err, MAGI_ERR_INVALID, "%s='%s' is not a whole number %ld..%ld", name, v, lo, hi);
	return MAGI_OK;
}

magi_status magi_eval_shard_from_env(struct magi_eval_shard *out, bool *found, struct magi_error *err)
{
	*found = false;
	long id, count, min = 0;
	bool has_id, has_count, has_min;
	magi_status s;
	if ((s = env_long("SLURM_ARRAY_TASK_ID", 0, 10000000, &id, &has_id, err)))
		return s;
	if (has_id) {
		if ((s = env_long("SLURM_ARRAY_TASK_COUNT", 1, 10000000, &count, &has_count, err)) ||
		    (s = env_long("SLURM_ARRAY_TASK_MIN", 0, 10000000, &min, &has_min, err)))
			return s;
		if (!has_count)
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not (submit with sbatch --array)");
		if (id < min || id - min >= count)
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "SLURM_ARRAY_TASK_ID=%ld is outside the array (min %ld, count %ld); use --array=0-%ld",
					      id, min, count, count - 1);
		out->index = (int)(id - min);
		out->count = (int)count;
		*found = true;
		return MAGI_OK;
	}
	if ((s = env_long("JOB_COMPLETION_INDEX", 0, 10000000, &id, &has_id, err)))
		return s;
	if (has_id) {
		if ((s = env_long("MAGI_SHARD_COUNT", 1, 10000000, &count, &has_count, err)))
			return s;
		if (!has_count)
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "JOB_COMPLETION_INDEX is set but MAGI_SHARD_COUNT is not: set it to the Job's completions");
		if (id >= count)
			return magi_error_set(err, MAGI_ERR_INVALID, "JOB_COMPLETION_INDEX=%ld is not below MAGI_SHARD_COUNT=%ld", id,
					      count);
		out->index = (int)id;
		out->count = (int)count;
		*found = true;
	}
	return MAGI_OK;
}

/* ---- recipes per kind ------------------------------------------------------------------ */
static const char *const ground_recipes[] = {"ground", "screenseeker", NULL};

/* "a, b, c": the registered recipes of one kind. */
static void known(enum magi_recipe_kind kind, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; magi_recipe_at(i) && n + 1 < cap; i++)
		if (magi_recipe_at(i)->kind == kind)
			n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? ", " : "", magi_recipe_at(i)->name);
}

static magi_status resolve_recipe(const struct magi_eval_params *p, const struct magi_eval_suite *s,
				  const char **out, struct magi_error *err)
{
	const char *r = p->recipe ? p->recipe : magi__json_str(s->header, "recipe", NULL);
	enum magi_recipe_kind want = s->kind == MAGI_EVAL_VIDEO ? MAGI_RECIPE_VIDEO : MAGI_RECIPE_SCREEN;
	switch (s->kind) {
	case MAGI_EVAL_GUI:
		if (!r)
			r = magi_run_params_default().recipe;
		break;
	case MAGI_EVAL_VIDEO:
		if (!r)
			r = "avp";
		break;
	case MAGI_EVAL_GROUND:
		/* a grounding recipe, or any screen recipe: its first click is its grounding */
		if (!r)
			r = ground_recipes[0];
		break;
	default:
		if (r && strcmp(r, "guards"))
			return magi_error_set(err, MAGI_ERR_CONFIG,
					      "%s suites measure the guards; they take no recipe (got '%s')",
					      magi_eval_kind_name(s->kind), r);
		*out = "guards";
		return MAGI_OK;
	}
	const struct magi_recipe *rc = magi_recipe_find(r);
	if (!rc || rc->kind != want) {
		char k[512];
		known(want, k, sizeof k);
		return magi_error_set(err, MAGI_ERR_CONFIG, "recipe '%s' is not a %s recipe (known: %s)", r,
				      want == MAGI_RECIPE_VIDEO ? "video" : "screen", k);
	}
	*out = rc->name;
	return MAGI_OK;
}

/* ---- eval.json ------------------------------------------------------------------------ */
static json_t *make_meta(const struct magi_eval_params *p, const struct magi_eval_suite *s, const char *recipe,
			 size_t n_shard)
{
	char abs[PATH_MAX], when[32], shard[32];
	if (!realpath(s->path, abs))
		snprintf(abs, sizeof abs, "%s", s->path);
	magi_wall_iso(when);
	snprintf(shard, sizeof shard, "%d/%d", p->shard.index, p->shard.count);
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:I, s:I, s:s, s:s}", "suite", abs,
			      "suite_name", s->name, "suite_sha256", s->sha256, "format", s->format, "kind",
			      magi_eval_kind_name(s->kind), "recipe", recipe, "model", p->model_name, "shard", shard,
			      "items", (json_int_t)n_shard, "suite_items", (json_int_t)json_array_size(s->items),
			      "magi", MAGI_VERSION, "created", when);
	if (p->price.input_per_mtok > 0 || p->price.output_per_mtok > 0)
		json_object_set_new(m, "price", json_pack("{s:f, s:f}", "input_per_mtok", p->price.input_per_mtok,
							  "output_per_mtok", p->price.output_per_mtok));
	return m;
}

static magi_status check_meta(const char *path, const json_t *old, const json_t *now, struct magi_error *err)
{
	static const char *const keys[] = {"suite_sha256", "kind", "recipe", "model", "shard", NULL};
	for (int i = 0; keys[i]; i++) {
		const char *a = magi__json_str(old, keys[i], ""), *b = magi__json_str(now, keys[i], "");
		if (strcmp(a, b))
			return magi_error_set(err, MAGI_ERR_CONFIG,
					      "%s: this directory holds an eval with %s '%s', not '%s'; resume it with the same settings or use another --out",
					      path, keys[i], *a ? a : "(none)", *b ? b : "(none)");
	}
	return MAGI_OK;
}

/* Cuts a torn last line (an eval killed mid-write) so appends start on a fresh line. */
static magi_status repair_tail(int fd, const char *path, struct magi_error *err)
{
	off_t end = lseek(fd, 0, SEEK_END);
	if (end <= 0)
		return MAGI_OK;
	off_t pos = end;
	char c;
	while (pos > 0) {
		if (pread(fd, &c, 1, pos - 1) != 1)
			return magi_error_set(err, MAGI_ERR_IO, "reading %s: %s", path, strerror(errno));
		if (c == '\n')
			break;
		pos--;
	}
	if (pos != end) {
		MAGI_WARN("%s: dropping an incomplete last line (the eval was killed while writing it)", path);
		if (ftruncate(fd, pos) != 0)
			return magi_error_set(err, MAGI_ERR_IO, "truncating %s: %s", path, strerror(errno));
	}
	return MAGI_OK;
}

/* ---- workers ------------------------------------------------------------------------ */
struct slot {
	pid_t pid;
	int in_fd, out_fd; /* parent writes item numbers to in_fd, reads results from out_fd */
	long item;         /* index into the suite, -1 when idle */
	double started;
	struct magi_buf acc;
};

struct run {
	const struct magi_eval_params *p;
	const struct magi_eval_suite *s;
	const char *recipe;
	struct slot *slots;
	int n_slots;
	int results_fd;
	struct magi_eval_progress prog;
	double t0, last_prog;
	char fatal[MAGI_ERRMSG_MAX];
};

static volatile sig_atomic_t stop_signal;
static void on_stop(int sig)
{
	stop_signal = sig;
}

static magi_status spawn(struct run *r, int k, struct magi_error *err)
{
	struct slot *sl = &r->slots[k];
	int cmd[2], res[2];
	if (pipe2(cmd, O_CLOEXEC) != 0)
		return magi_error_set(err, MAGI_ERR_PROCESS, "pipe: %s", strerror(errno));
	if (pipe2(res, O_CLOEXEC) != 0) {
		close(cmd[0]);
		close(cmd[1]);
		return magi_error_set(err, MAGI_ERR_PROCESS, "pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(cmd[0]), close(cmd[1]), close(res[0]), close(res[1]);
		return magi_error_set(err, MAGI_ERR_PROCESS, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		/* a worker holding another worker's pipe ends would hide that worker's death */
		for (int j = 0; j < r->n_slots; j++) {
			if (r->slots[j].in_fd >= 0)
				close(r->slots[j].in_fd);
			if (r->slots[j].out_fd >= 0)
				close(r->slots[j].out_fd);
		}
		close(r->results_fd);
		close(cmd[1]);
		close(res[0]);
		magi__eval_worker_main(r->p, r->s, r->recipe, k, cmd[0], res[1], (int)parent);
	}
	close(cmd[0]);
	close(res[1]);
	sl->pid = pid;
	sl->in_fd = cmd[1];
	sl->out_fd = res[0];
	sl->item = -1;
	magi_buf_reset(&sl->acc);
	return MAGI_OK;
}

/* Stops a worker (closing its pipe is the request; then SIGTERM, then SIGKILL) and
 * returns its wait status (0 when it had already gone). */
static int reap(struct slot *sl, double grace_ms)
{
	if (sl->pid <= 0)
		return 0;
	if (sl->in_fd >= 0)
		close(sl->in_fd);
	sl->in_fd = -1;
	int st = 0;
	double end = magi_now_ms() + grace_ms;
	while (waitpid(sl->pid, &st, WNOHANG) == 0) {
		if (magi_now_ms() > end) {
			kill(sl->pid, SIGTERM);
			double end2 = magi_now_ms() + 3000;
			while (waitpid(sl->pid, &st, WNOHANG) == 0) {
				if (magi_now_ms() > end2) {
					kill(sl->pid, SIGKILL);
					waitpid(sl->pid, &st, 0);
					break;
				}
				magi_sleep_ms(10);
			}
			break;
		}
		magi_sleep_ms(10);
	}
	if (sl->out_fd >= 0)
		close(sl->out_fd);
	sl->out_fd = -1;
	sl->pid = -1;
	return st;
}

static void report_progress(struct run *r, bool force)
{
	double now = magi_now_ms();
	if (!r->p->progress || (!force && now - r->last_prog < 500))
		return;
	r->last_prog = now;
	r->prog.elapsed_s = (now - r->t0) / 1000;
	r->prog.running = 0;
	for (int k = 0; k < r->n_slots; k++)
		r->prog.running += r->slots[k].item >= 0;
	r->prog.eta_s = r->prog.done ? r->prog.elapsed_s / r->prog.done * (r->prog.total - r->prog.done) : -1;
	r->p->progress(r->p->progress_ud, &r->prog);
}

static magi_status record(struct run *r, long idx, json_t *res, struct magi_error *err)
{
	const json_t *item = json_array_get(r->s->items, (size_t)idx);
	json_object_set_new(res, "id", json_string(magi__json_str(item, "id", "?")));
	json_object_set_new(res, "index", json_integer(idx));
	json_object_set_new(res, "kind", json_string(magi_eval_kind_name(r->s->kind)));
	char when[32];
	magi_wall_iso(when);
	json_object_set_new(res, "finished", json_string(when));
	/* run directories are kept relative to the eval directory, which may move */
	const char *rd = magi__json_str(res, "run_dir", NULL);
	size_t ol = strlen(r->p->out_dir);
	if (rd && !strncmp(rd, r->p->out_dir, ol) && rd[ol] == '/')
		json_object_set_new(res, "run_dir", json_string(rd + ol + 1));
	magi_status s = magi__eval_results_append(r->results_fd, res, err);
	bool passed = magi__json_bool(res, "success", false);
	r->prog.done++;
	r->prog.passed += passed;
	r->prog.errors += !strcmp(magi__json_str(res, "status", "ok"), "error");
	r->prog.last_id = magi__json_str(item, "id", "?");
	r->prog.last_passed = passed;
	report_progress(r, true);
	r->prog.last_id = NULL;
	return s;
}

static magi_status record_error(struct run *r, long idx, const char *msg, struct magi_error *err)
{
	json_t *res = json_pack("{s:b, s:f, s:s, s:s}", "success", 0, "score", 0.0, "status", "error", "error", msg);
	magi_status s = record(r, idx, res, err);
	json_decref(res);
	return s;
}

/* Reads what a worker wrote; records each complete line. EOF: the worker died. */
static magi_status drain(struct run *r, int k, bool *dead, struct magi_error *err)
{
	struct slot *sl = &r->slots[k];
	char buf[65536];
	ssize_t n = read(sl->out_fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return MAGI_OK;
	if (n <= 0) {
		*dead = true;
		return MAGI_OK;
	}
	if (magi_buf_append(&sl->acc, buf, (size_t)n))
		return magi_error_set(err, MAGI_ERR_LIMIT, "worker %d wrote a result line over the limit", k);
	char *nl;
	while ((nl = memchr(sl->acc.data, '\n', sl->acc.len))) {
		size_t len = (size_t)(nl - sl->acc.data);
		json_t *j = NULL;
		struct magi_error pe;
		magi_status s = MAGI_OK;
		if (magi__json_parse(sl->acc.data, len, "worker result", &j, &pe) || !json_is_object(j)) {
			json_decref(j);
			j = NULL;
		}
		long idx = sl->item;
		sl->item = -1; /* idle before the progress report counts the items running */
		if (j && json_object_get(j, "fatal")) {
			snprintf(r->fatal, sizeof r->fatal, "%s", magi__json_str(j, "fatal", "worker failed"));
		} else if (idx >= 0) {
			s = j ? record(r, idx, j, err) : record_error(r, idx, "the worker wrote an unreadable result", err);
		}
		json_decref(j);
		memmove(sl->acc.data, nl + 1, sl->acc.len - len - 1);
		sl->acc.len -= len + 1;
		sl->acc.data[sl->acc.len] = '\0';
		if (s)
			return s;
	}
	return MAGI_OK;
}

/* Hands item idx to worker k, with the item it will most likely get next (hint, -1 for
 * none: the items are handed out in order as workers free up). */
static magi_status dispatch(struct run *r, int k, long idx, long hint, struct magi_error *err)
{
	char line[48];
	int n = snprintf(line, sizeof line, "%ld %ld\n", idx, hint);
	if (write(r->slots[k].in_fd, line, (size_t)n) != n)
		return magi_error_set(err, MAGI_ERR_PROCESS, "cannot hand an item to worker %d: %s", k, strerror(errno));
	r->slots[k].item = idx;
	r->slots[k].started = magi_now_ms();
	return MAGI_OK;
}

static magi_status loop(struct run *r, const long *todo, size_t n_todo, struct magi_error *err)
{
	size_t next = 0;
	magi_status s = MAGI_OK;
	for (;;) {
		if (stop_signal || r->fatal[0])
			break;
		int busy = 0;
		for (int k = 0; k < r->n_slots && !s; k++) {
			struct slot *sl = &r->slots[k];
			if (sl->pid <= 0 && next < n_todo)
				s = spawn(r, k, err);
			if (!s && sl->pid > 0 && sl->item < 0 && next < n_todo) {
				struct magi_error de;
				size_t then = next + (size_t)r->n_slots;
				if (dispatch(r, k, todo[next], then < n_todo ? todo[then] : -1, &de) == MAGI_OK) {
					next++;
				} else { /* it died just now: replace it, the item goes to the next one */
					MAGI_WARN("%s", magi_error_text(&de));
					reap(sl, 0);
				}
			}
			busy += sl->item >= 0;
		}
		if (s)
			break;
		if (!busy && next >= n_todo)
			break;
		struct pollfd pf[MAGI_EVAL_MAX_JOBS];
		int map[MAGI_EVAL_MAX_JOBS], np = 0;
		for (int k = 0; k < r->n_slots; k++)
			if (r->slots[k].pid > 0) {
				pf[np].fd = r->slots[k].out_fd;
				pf[np].events = POLLIN;
				pf[np].revents = 0;
				map[np++] = k;
			}
		int pr = poll(pf, (nfds_t)np, 500);
		if (pr < 0 && errno != EINTR)
			return magi_error_set(err, MAGI_ERR_IO, "poll: %s", strerror(errno));
		for (int i = 0; pr > 0 && i < np && !s; i++) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			int k = map[i];
			bool dead = false;
			s = drain(r, k, &dead, err);
			if (!s && dead) {
				struct slot *sl = &r->slots[k];
				long idx = sl->item;
				int st = 0;
				pid_t pid = sl->pid;
				if (sl->in_fd >= 0)
					close(sl->in_fd);
				close(sl->out_fd);
				sl->in_fd = sl->out_fd = -1;
				waitpid(pid, &st, 0);
				sl->pid = -1;
				sl->item = -1;
				if (idx >= 0 && !stop_signal) {
					char msg[128];
					if (WIFSIGNALED(st))
						snprintf(msg, sizeof msg, "the worker died (signal %d) while running this item",
							 WTERMSIG(st));
					else
						snprintf(msg, sizeof msg, "the worker exited (status %d) while running this item",
							 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
					s = record_error(r, idx, msg, err);
				}
			}
		}
		/* an item past its time: its worker is stopped (and replaced on the next turn) */
		for (int k = 0; k < r->n_slots && !s; k++) {
			struct slot *sl = &r->slots[k];
			if (sl->item < 0 || magi_now_ms() - sl->started < r->p->item_timeout_s * 1000)
				continue;
			long idx = sl->item;
			sl->item = -1;
			reap(sl, 0);
			char msg[128];
			snprintf(msg, sizeof msg, "stopped after %.0f s (the item timeout)", r->p->item_timeout_s);
			s = record_error(r, idx, msg, err);
		}
		report_progress(r, false);
		if (s)
			break;
	}
	return s;
}

static bool finished_ok(const json_t *res, bool retry_errors)
{
	return !retry_errors || strcmp(magi__json_str(res, "status", "ok"), "error");
}

magi_status magi_eval_run(const struct magi_eval_params *p, struct magi_eval_outcome *out, struct magi_error *err)
{
	memset(out, 0, sizeof *out);
	if (!p || !p->suite || !p->out_dir || !*p->out_dir)
		return magi_error_set(err, MAGI_ERR_INVALID, "an eval needs a suite and an output directory");
	if (p->jobs < 1 || p->jobs > MAGI_EVAL_MAX_JOBS)
		return magi_error_set(err, MAGI_ERR_INVALID, "jobs must be 1..%d, not %d", MAGI_EVAL_MAX_JOBS, p->jobs);
	if (p->shard.count < 1 || p->shard.index < 0 || p->shard.index >= p->shard.count)
		return magi_error_set(err, MAGI_ERR_INVALID, "bad shard %d/%d", p->shard.index, p->shard.count);
	struct magi_eval_suite *s;
	magi_status st = magi_eval_suite_load(p->suite, p->data_dir, &s, err);
	if (st)
		return st;
	const char *recipe = NULL;
	if ((st = resolve_recipe(p, s, &recipe, err))) {
		magi_eval_suite_free(s);
		return st;
	}
	const char *envs = magi__json_str(s->header, "env", "x11");
	if (s->kind == MAGI_EVAL_GUI && strcmp(envs, "x11") && strncmp(envs, "browser", 7) && p->jobs > 1) {
		magi_eval_suite_free(s);
		return magi_error_set(err, MAGI_ERR_CONFIG,
				      "%s: env %s is one shared display, so its tasks run one at a time: use --jobs 1 (env: x11 gives every worker its own Xvfb)",
				      p->suite, envs);
	}
	if (s->kind != MAGI_EVAL_PRIVACY && s->kind != MAGI_EVAL_RISK && !p->models) {
		magi_eval_suite_free(s);
		return magi_error_set(err, MAGI_ERR_CONFIG, "%s suites call a model, but no models were given",
				      magi_eval_kind_name(s->kind));
	}
	size_t n = json_array_size(s->items);
	long *todo = malloc((n + 1) * sizeof *todo);
	size_t n_shard = 0, n_todo = 0;
	for (size_t i = 0; todo && i < n; i++)
		if ((int)(i % (size_t)p->shard.count) == p->shard.index && (!p->limit || n_shard < p->limit))
			todo[n_shard++] = (long)i;
	json_t *meta = make_meta(p, s, recipe, n_shard);
	json_t *done = NULL;
	int fd = -1;
	char path[4096], rpath[4096];
	snprintf(path, sizeof path, "%s/eval.json", p->out_dir);
	snprintf(rpath, sizeof rpath, "%s/results.jsonl", p->out_dir);
	if (!todo)
		st = magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	if (!st)
		st = magi_mkdirs(p->out_dir, err);
	struct stat sb;
	bool have_results = !st && stat(rpath, &sb) == 0 && sb.st_size > 0;
	if (!st && have_results && !p->resume)
		st = magi_error_set(err, MAGI_ERR_CONFIG,
				    "%s already holds results; add --resume to finish that eval, or choose another --out",
				    p->out_dir);
	if (!st && p->resume && access(path, F_OK) == 0) {
		json_t *old = NULL;
		st = magi__json_load_file(path, &old, err);
		if (!st)
			st = check_meta(path, old, meta, err);
		json_decref(old);
	}
	if (!st) {
		char *mj = json_dumps(meta, JSON_INDENT(2) | JSON_SORT_KEYS);
		st = mj ? magi_file_write(path, mj, strlen(mj), err) : magi_error_set(err, MAGI_ERR_NOMEM, NULL);
		free(mj);
	}
	if (!st) {
		fd = open(rpath, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			st = magi_error_set(err, MAGI_ERR_IO, "cannot open %s: %s", rpath, strerror(errno));
	}
	if (!st)
		st = repair_tail(fd, rpath, err);
	if (!st && have_results)
		st = magi__eval_results_load(rpath, &done, err);
	/* the items of the shard not finished yet */
	for (size_t i = 0; !st && i < n_shard; i++) {
		const char *id = magi__json_str(json_array_get(s->items, (size_t)todo[i]), "id", "");
		bool fin = false;
		for (size_t k = 0; done && k < json_array_size(done) && !fin; k++) {
			json_t *d = json_array_get(done, k);
			fin = !strcmp(magi__json_str(d, "id", ""), id) && finished_ok(d, p->retry_errors);
		}
		if (fin)
			out->skipped++;
		else
			todo[n_todo++] = todo[i];
	}
	json_decref(done);
	out->total = n_shard;
	struct run r;
	memset(&r, 0, sizeof r);
	r.p = p;
	r.s = s;
	r.recipe = recipe;
	r.results_fd = fd;
	r.n_slots = (int)MAGI_MIN((size_t)p->jobs, n_todo);
	r.slots = calloc((size_t)r.n_slots + 1, sizeof *r.slots);
	for (int k = 0; k < r.n_slots; k++) {
		r.slots[k].pid = -1;
		r.slots[k].in_fd = r.slots[k].out_fd = -1;
		r.slots[k].item = -1;
		magi_buf_init(&r.slots[k].acc, MAGI_EVAL_MAX_LINE);
	}
	r.prog.total = n_todo;
	r.prog.skipped = out->skipped;
	r.t0 = magi_now_ms();
	struct sigaction sa, old_int, old_term, old_pipe;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop; /* no SA_RESTART: poll returns at once */
	stop_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	if (!st && r.slots) {
		report_progress(&r, true);
		st = loop(&r, todo, n_todo, err);
	}
	int bad_exit = 0;
	for (int k = 0; k < r.n_slots; k++) {
		bool stopping = r.slots[k].pid > 0 && (stop_signal || r.fatal[0] || st);
		if (stopping)
			kill(r.slots[k].pid, SIGTERM);
		int ws = reap(&r.slots[k], 5000);
		/* a worker told to finish exits 0; anything else (a sanitizer report) is a bug */
		if (!stopping && ws && !bad_exit)
			bad_exit = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
		magi_buf_release(&r.slots[k].acc);
	}
	free(r.slots);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	out->ran = r.prog.done;
	if (fd >= 0)
		close(fd);
	if (!st && r.fatal[0])
		st = magi_error_set(err, MAGI_ERR_CONFIG, "%s", r.fatal);
	if (!st && bad_exit && !stop_signal)
		st = magi_error_set(err, MAGI_ERR_PROCESS, "a worker exited with status %d after its items (see its messages above)",
				    bad_exit);
	if (!st && stop_signal) {
		out->interrupted = true;
		out->signal = (int)stop_signal;
		st = magi_error_set(err, MAGI_ERR_CANCELLED,
				    "interrupted by signal %d: %zu item%s finished in this run are kept; run again with --resume to finish",
				    (int)stop_signal, out->ran, out->ran == 1 ? "" : "s");
	}
	/* totals over every finished item of the shard, this run's and earlier ones */
	json_t *all = NULL;
	struct magi_error le;
	if (magi__eval_results_load(rpath, &all, &le) == MAGI_OK) {
		for (size_t k = 0; k < json_array_size(all); k++) {
			json_t *d = json_array_get(all, k);
			out->passed += magi__json_bool(d, "success", false);
			out->errors += !strcmp(magi__json_str(d, "status", "ok"), "error");
		}
		json_decref(all);
	}
	if ((!st || out->interrupted) && p->report && (out->ran || out->skipped)) {
		struct magi_error re;
		if (magi_eval_report(p->out_dir, NULL, &re))
			MAGI_WARN("report: %s", magi_error_text(&re));
	}
	free(todo);
	json_decref(meta);
	magi_eval_suite_free(s);
	return st;
}
