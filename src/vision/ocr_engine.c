/* ocr_engine.c — the process's Tesseract engines: a pool of initialised TessBaseAPIs, one
 * per language in use by each thread reading at the same moment (usually one for a whole
 * run), lent to an OCR call and given back after it. Loading a language costs far more
 * than recognising a screen (~100 ms), so engines are kept, and can be loaded ahead on a
 * background thread (magi_ocr_preload) while the caller does other work.
 *
 * What an engine holds: the LSTM network and its character set, and the empty adaptive
 * classifier Tesseract builds in any case (2.5 MB of heap with eng; 10.3 MB before the
 * legacy engine's universal ambiguities were skipped, tess_dl.c). It is initialised
 * LSTM-only (OEM_LSTM_ONLY: the legacy classifier's trained templates are not loaded),
 * from the traineddata's LSTM parts only (lstm_parts), and without the LSTM's word lists
 * (lstm_use_matrix=0: no dictionary beam search; the 3.7 MB word graph is not read).
 * Screens are mostly names, paths, numbers and addresses that no dictionary holds: on 60
 * generated PII screenshots (scripts/gen-pii-shots --count 60 --clean 20 --seed 77,
 * bench_guard recall) recall was 0.987 with the dictionary and 0.991 without it, with no
 * false positives either way. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <tesseract/capi.h>
#include "vision/ocr_internal.h"
#include "vision/ocr_region.h"
#include "vision/tess_dl.h"
#include "core/common.h"

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cv = PTHREAD_COND_INITIALIZER;
static struct magi__ocr_engine *pool_idle; /* initialised, not lent */
static int pool_loading;		   /* engines being initialised by preload threads */
static char pool_loading_lang[MAGI__OCR_LANG_MAX];
static pthread_once_t omp_once = PTHREAD_ONCE_INIT;
/* magi_ocr_hold_loads: engines wait to load until this time (magi_now_ms), 0 = no hold */
static double hold_until;

static void (*omp_set_levels)(int);
static bool omp_one;	 /* every OpenMP team is one thread (OMP_THREAD_LIMIT=1) */
static bool omp_inline; /* regions run inline on OCR threads (tess_omp.c) */

static void omp_find(void)
{
	const char *limit = getenv("OMP_THREAD_LIMIT"), *gomp = getenv("MAGI_OCR_LIBGOMP");
	omp_one = limit && strcmp(limit, "1") == 0;
	/* MAGI_OCR_LIBGOMP=1: regions go through libgomp as Tesseract built them (to compare) */
	bool inline_ok = !(gomp && strcmp(gomp, "1") == 0);
	/* Tesseract's OpenMP loops ask for 4 threads each; on a 2-core machine, spinning
	 * and oversubscribed, a 1280x720 screen took ~750 ms instead of ~75 ms. The cure,
	 * OMP_THREAD_LIMIT=1, is read by the OpenMP runtime when it loads, too early for us;
	 * max-active-levels 0 makes every parallel region run on its calling thread to the
	 * same effect. It is left alone when the person set OMP_THREAD_LIMIT themselves.
	 * Looked up at run time so magi does not link the OpenMP runtime itself. */
	if (!getenv("OMP_THREAD_LIMIT")) {
		void *sym = dlsym(RTLD_DEFAULT, "omp_set_max_active_levels");
		if (sym)
			memcpy(&omp_set_levels, &sym, sizeof omp_set_levels);
	}
	omp_inline = inline_ok && (omp_set_levels || omp_one);
}

void magi__ocr_thread_setup(void)
{
	/* OpenMP keeps max-active-levels per thread (an ICV of each data environment): set on
	 * every thread that runs an engine — the one that loaded it may not be the one reading */
	static _Thread_local bool done;
	if (done)
		return;
	done = true;
	pthread_once(&omp_once, omp_find);
	if (omp_set_levels)
		omp_set_levels(0);
	/* and then without a team of one for each region (tess_omp.c) */
	magi__ocr_omp_serial(omp_inline);
}

static void engine_free(struct magi__ocr_engine *e)
{
	if (!e)
		return;
	TessBaseAPIEnd(e->api);
	TessBaseAPIDelete(e->api);
	free(e);
}

static bool lang_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= MAGI__OCR_LANG_MAX)
		return false;
	/* Tesseract takes "eng", "chi_sim", "eng+deu"; nothing that could walk a path. */
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-'))
			return false;
	}
	return true;
}

/* Threads that read or load ahead of need (preloads, magi_ocr_start's readers) honour a
 * hold; any other thread that needs an engine lifts it (it must not stall on one). */
static _Thread_local bool patient;

void magi__ocr_patient(void)
{
	patient = true;
}

/* Waits while a hold (magi_ocr_hold_loads) is in force. */
static void wait_hold(void)
{
	pthread_mutex_lock(&pool_mu);
	for (;;) {
		double left = hold_until - magi_now_ms();
		if (hold_until <= 0 || left <= 0)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		long long ns = ts.tv_nsec + (long long)(left * 1e6);
		ts.tv_sec += (time_t)(ns / 1000000000LL);
		ts.tv_nsec = (long)(ns % 1000000000LL);
		pthread_cond_timedwait(&pool_cv, &pool_mu, &ts);
	}
	pthread_mutex_unlock(&pool_mu);
}

void magi_ocr_hold_loads(double ms)
{
	pthread_mutex_lock(&pool_mu);
	hold_until = ms > 0 ? magi_now_ms() + ms : 0;
	pthread_cond_broadcast(&pool_cv);
	pthread_mutex_unlock(&pool_mu);
}

/* The parts of a traineddata file an LSTM-only engine without word lists reads. Tesseract
 * reads the whole file into memory to pick its parts (4.1 MB for Debian's eng, 3.7 MB of it
 * the LSTM's word graph, unused with lstm_use_matrix=0), so an engine's load briefly held
 * 4 MB more than it keeps; handed just these parts (TessBaseAPIInit5), it copies ~0.4 MB.
 * The file's layout (Tesseract's tessdatamanager): a little-endian int32 count, that many
 * int64 offsets (-1: part absent) indexed by part type, then the parts in type order. */
enum {
	PART_LANG_CONFIG = 0,
	PART_LSTM = 17,
	PART_LSTM_UNICHARSET = 21,
	PART_LSTM_RECODER = 22,
	PART_VERSION = 23,
	PARTS_MAX = 24
};

static bool part_kept(int i)
{
	return i == PART_LANG_CONFIG || i == PART_LSTM || i == PART_LSTM_UNICHARSET || i == PART_LSTM_RECODER ||
	       i == PART_VERSION;
}

static int64_t le64(const unsigned char *b)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return (int64_t)v;
}

static void put_le64(unsigned char *b, int64_t x)
{
	uint64_t v = (uint64_t)x;
	for (int i = 0; i < 8; i++, v >>= 8)
		b[i] = (unsigned char)v;
}

/* Models magi installs itself (scripts/install-deps) rather than a distribution: a name
 * the pool knows (MAGI__OCR_BEST, "eng_best") for a traineddata file kept apart from
 * Tesseract's own, so that Tesseract's "eng" stays Debian's. Looked for in $MAGI_OCR_DATA,
 * else $XDG_DATA_HOME/magi/tessdata (~/.local/share/magi/tessdata), else
 * /usr/local/share/magi/tessdata; the path found is copied to dir (size bytes). */
static FILE *open_magi_model(const char *lang, char *dir, size_t size)
{
	if (strcmp(lang, MAGI__OCR_BEST) != 0)
		return NULL;
	const char *env = getenv("MAGI_OCR_DATA"), *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	/* each place as a prefix and a suffix */
	const char *const places[][2] = {
		{env && *env ? env : NULL, ""},
		{env && *env ? NULL : xdg && *xdg ? xdg : NULL, "/magi/tessdata"},
		{env && *env ? NULL : xdg && *xdg ? NULL : home && *home ? home : NULL, "/.local/share/magi/tessdata"},
		{env && *env ? NULL : "/usr/local/share/magi/tessdata", ""},
	};
	char path[4096];
	for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
		if (!places[i][0])
			continue;
		int len = snprintf(path, sizeof path, "%s%s/%s.traineddata", places[i][0], places[i][1], lang);
		FILE *f = len > 0 && (size_t)len < sizeof path ? fopen(path, "rb") : NULL;
		if (f) {
			snprintf(dir, size, "%s%s", places[i][0], places[i][1]);
			return f;
		}
	}
	return NULL;
}

/* Where Tesseract finds lang's traineddata: magi's own models (open_magi_model), else
 * $TESSDATA_PREFIX when set, else the places distributions install it. NULL when not found
 * (Tesseract then looks itself). */
static FILE *open_traineddata(const char *lang)
{
	static const char *const dirs[] = {"/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
					   "/usr/local/share/tessdata", "/usr/share/tessdata", NULL};
	char own[2048];
	FILE *mf = open_magi_model(lang, own, sizeof own);
	if (mf || strcmp(lang, MAGI__OCR_BEST) == 0)
		return mf;
	const char *env = getenv("TESSDATA_PREFIX");
	char path[4096];
	for (int i = 0; env ? i < 1 : dirs[i] != NULL; i++) {
		const char *d = env ? env : dirs[i];
		size_t n = strlen(d);
		snprintf(path, sizeof path, "%s%s%s.traineddata", d, n && d[n - 1] == '/' ? "" : "/", lang);
		FILE *f = fopen(path, "rb");
		if (f)
			return f;
	}
	return NULL;
}

bool magi__ocr_model_found(const char *lang)
{
	char dir[2048];
	FILE *f = open_magi_model(lang, dir, sizeof dir);
	if (f)
		fclose(f);
	return f != NULL;
}

/* The kept parts of lang's traineddata as a traineddata image in memory (*n bytes); NULL
 * when the file is not found, not one language or not laid out as expected. */
static char *lstm_parts(const char *lang, size_t *n)
{
	*n = 0;
	if (strchr(lang, '+'))
		return NULL; /* Init5 takes one language */
	FILE *f = open_traineddata(lang);
	if (!f)
		return NULL;
	unsigned char head[4 + 8 * PARTS_MAX];
	char *out = NULL;
	long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	size_t got = size > 0 && fseek(f, 0, SEEK_SET) == 0 ? fread(head, 1, sizeof head, f) : 0;
	int count = got >= 4 ? head[0] | head[1] << 8 | head[2] << 16 | head[3] << 24 : 0;
	int64_t off[PARTS_MAX + 1];
	bool ok = count > PART_LSTM && count <= PARTS_MAX && got >= 4 + 8 * (size_t)count;
	for (int i = 0; ok && i < count; i++) {
		off[i] = le64(head + 4 + 8 * i);
		ok = off[i] == -1 || (off[i] >= 4 + 8 * count && off[i] <= size);
	}
	/* each part runs to the next present one (or the file's end) */
	int64_t len[PARTS_MAX] = {0}, total = 4 + 8 * count;
	for (int i = 0; ok && i < count; i++) {
		if (off[i] < 0)
			continue;
		int j = i + 1;
		while (j < count && off[j] < 0)
			j++;
		len[i] = (j < count ? off[j] : size) - off[i];
		ok = len[i] >= 0;
		if (part_kept(i))
			total += len[i];
	}
	ok = ok && off[PART_LSTM] >= 0 && total < (1 << 30) && (out = malloc((size_t)total));
	int64_t at = 4 + 8 * count;
	for (int i = 0; ok && i < count; i++) {
		bool keep = part_kept(i) && off[i] >= 0;
		put_le64((unsigned char *)out + 4 + 8 * i, keep ? at : -1);
		if (!keep)
			continue;
		ok = fseek(f, (long)off[i], SEEK_SET) == 0 && fread(out + at, 1, (size_t)len[i], f) == (size_t)len[i];
		at += len[i];
	}
	fclose(f);
	if (!ok) {
		free(out);
		return NULL;
	}
	memcpy(out, head, 4);
	*n = (size_t)total;
	return out;
}

static __typeof__(&TessBaseAPIInit5) init5;
static pthread_once_t init5_once = PTHREAD_ONCE_INIT;

static void init5_find(void)
{
	/* in Tesseract's C API since 4.1: looked up apart, so an older one still loads */
	void *sym = dlsym(RTLD_DEFAULT, "TessBaseAPIInit5");
	if (sym)
		memcpy(&init5, &sym, sizeof init5);
}

/* A new engine for lang (slow: reads the traineddata). */
static magi_status engine_new(const char *lang, struct magi__ocr_engine **out,
			      struct magi_error *err)
{
	*out = NULL;
	if (patient)
		wait_hold();
	magi__ocr_thread_setup();
	pthread_once(&init5_once, init5_find);
	struct magi__ocr_engine *e = calloc(1, sizeof *e);
	if (!e || !(e->api = TessBaseAPICreate())) {
		free(e);
		return magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
	}
	snprintf(e->lang, sizeof e->lang, "%s", lang);
	/* Tesseract's diagnostics go to debug_file; keep them off the agent's stderr. */
	TessBaseAPISetVariable(e->api, "debug_file", "/dev/null");
	char *names[] = {"lstm_use_matrix"}, *values[] = {"0"};
	size_t n_data = 0;
	char *data = lstm_parts(lang, &n_data);
	/* without Init5, magi's own model is read whole from its directory */
	char own[2048] = "";
	FILE *mf = data && init5 ? NULL : open_magi_model(lang, own, sizeof own);
	if (mf)
		fclose(mf);
	int rc = data && init5 ? init5(e->api, data, (int)n_data, lang, OEM_LSTM_ONLY, NULL, 0, names, values, 1, 0)
			       : TessBaseAPIInit4(e->api, *own ? own : NULL, lang, OEM_LSTM_ONLY, NULL, 0, names,
						  values, 1, 0);
	MAGI_DEBUG("OCR: engine for %s initialised from %s", lang,
		   data && init5 ? "the traineddata's LSTM parts" : "its whole traineddata");
	free(data);
	if (rc != 0) {
		TessBaseAPIDelete(e->api);
		free(e);
		return magi_error_set(err, MAGI_ERR_NOT_FOUND,
				      "OCR: cannot load Tesseract language '%s' (install its traineddata, "
				      "e.g. the tesseract-ocr-%s package, or set TESSDATA_PREFIX)",
				      lang, lang);
	}
	TessBaseAPISetVariable(e->api, "debug_file", "/dev/null");
	/* Screens scatter text in panels, buttons and menus rather than one column, and
	 * their backgrounds vary from panel to panel: sparse text, local (Sauvola)
	 * thresholds. */
	TessBaseAPISetPageSegMode(e->api, PSM_SPARSE_TEXT);
	TessBaseAPISetVariable(e->api, "thresholding_method", "2");
	*out = e;
	return MAGI_OK;
}

/* An idle engine for lang taken from the pool, or NULL. Called with pool_mu held. */
static struct magi__ocr_engine *take_idle(const char *lang)
{
	for (struct magi__ocr_engine **p = &pool_idle; *p; p = &(*p)->next)
		if (strcmp((*p)->lang, lang) == 0) {
			struct magi__ocr_engine *e = *p;
			*p = e->next;
			e->next = NULL;
			return e;
		}
	return NULL;
}

magi_status magi__ocr_engine_take(const char *lang, bool create, struct magi__ocr_engine **out,
				  struct magi_error *err)
{
	*out = NULL;
	pthread_mutex_lock(&pool_mu);
	if (create && !patient && hold_until > 0) { /* needed now: loads go ahead */
		hold_until = 0;
		pthread_cond_broadcast(&pool_cv);
	}
	struct magi__ocr_engine *e;
	/* one being loaded ahead is nearer than a new one */
	while (!(e = take_idle(lang)) && create && pool_loading &&
	       strcmp(pool_loading_lang, lang) == 0)
		pthread_cond_wait(&pool_cv, &pool_mu);
	pthread_mutex_unlock(&pool_mu);
	if (e || !create) {
		*out = e;
		return MAGI_OK;
	}
	return engine_new(lang, out, err);
}

magi_status magi__ocr_engine_take_loading(const char *lang, struct magi__ocr_engine **out)
{
	pthread_mutex_lock(&pool_mu);
	struct magi__ocr_engine *e;
	while (!(e = take_idle(lang)) && pool_loading && strcmp(pool_loading_lang, lang) == 0)
		pthread_cond_wait(&pool_cv, &pool_mu);
	pthread_mutex_unlock(&pool_mu);
	*out = e;
	return MAGI_OK;
}

int magi__ocr_engines_unused(const char *lang)
{
	if (!lang)
		lang = "eng";
	pthread_mutex_lock(&pool_mu);
	int n = pool_loading && strcmp(pool_loading_lang, lang) == 0 ? pool_loading : 0;
	for (struct magi__ocr_engine *e = pool_idle; e; e = e->next)
		n += strcmp(e->lang, lang) == 0;
	pthread_mutex_unlock(&pool_mu);
	return n;
}

int magi__ocr_engines_loading(const char *lang)
{
	pthread_mutex_lock(&pool_mu);
	int n = pool_loading && strcmp(pool_loading_lang, lang) == 0 ? pool_loading : 0;
	pthread_mutex_unlock(&pool_mu);
	return n;
}

void magi__ocr_engine_give(struct magi__ocr_engine *e)
{
	if (!e)
		return;
	TessBaseAPIClear(e->api);
	pthread_mutex_lock(&pool_mu);
	e->next = pool_idle;
	pool_idle = e;
	pthread_cond_broadcast(&pool_cv);
	pthread_mutex_unlock(&pool_mu);
}

void magi_ocr_release_spare(int keep)
{
	pthread_mutex_lock(&pool_mu);
	struct magi__ocr_engine **p = &pool_idle;
	for (int i = 0; *p && i < keep; i++)
		p = &(*p)->next;
	struct magi__ocr_engine *e = *p;
	*p = NULL;
	pthread_mutex_unlock(&pool_mu);
	while (e) {
		struct magi__ocr_engine *next = e->next;
		engine_free(e);
		e = next;
	}
}

void magi_ocr_thread_release(void)
{
	pthread_mutex_lock(&pool_mu);
	struct magi__ocr_engine *e = pool_idle;
	pool_idle = NULL;
	pthread_mutex_unlock(&pool_mu);
	while (e) {
		struct magi__ocr_engine *next = e->next;
		engine_free(e);
		e = next;
	}
}

static void *preload_main(void *arg)
{
	struct magi__ocr_engine *e = NULL;
	struct magi_error err;
	char *lang = arg;
	/* libtesseract itself is loaded here too (~20 ms of relocations on a slow machine), not
	 * on the caller's thread; a failure shows again, with its message, on first use */
	patient = true;
	wait_hold();
	double t0 = magi_now_ms();
	if (magi__tess_load(&err) == MAGI_OK) {
		double t1 = magi_now_ms();
		engine_new(lang, &e, &err);
		MAGI_DEBUG("OCR: libtesseract loaded in %.1f ms, the engine in %.1f ms", t1 - t0, magi_now_ms() - t1);
	}
	free(lang);
	pthread_mutex_lock(&pool_mu);
	pool_loading--;
	if (e) {
		e->next = pool_idle;
		pool_idle = e;
	}
	pthread_cond_broadcast(&pool_cv);
	pthread_mutex_unlock(&pool_mu);
	return NULL;
}

void magi_ocr_preload_wait(void)
{
	pthread_mutex_lock(&pool_mu);
	while (pool_loading)
		pthread_cond_wait(&pool_cv, &pool_mu);
	pthread_mutex_unlock(&pool_mu);
}

/* magi__ocr_begin without loading libtesseract. */
static magi_status check_args(const char **lang, int n, const char *what, struct magi_error *err)
{
	if (!*lang)
		*lang = "eng";
	if (!lang_ok(*lang))
		return magi_error_set(err, MAGI_ERR_INVALID, "OCR: '%s' is not a Tesseract language name",
				      *lang);
	if (n < 1 || n > MAGI_OCR_MAX_THREADS)
		return magi_error_set(err, MAGI_ERR_INVALID, "OCR: %d %s (1..%d)", n, what,
				      MAGI_OCR_MAX_THREADS);
	return MAGI_OK;
}

magi_status magi__ocr_begin(const char **lang, int n, const char *what, struct magi_error *err)
{
	magi_status s = check_args(lang, n, what, err);
	if (!s && patient)
		wait_hold(); /* libtesseract's load too */
	return s ? s : magi__tess_load(err);
}

magi_status magi_ocr_preload(const char *lang, int n, struct magi_error *err)
{
	magi_status s = check_args(&lang, n, "engines to preload", err);
	if (s)
		return s;
	pthread_mutex_lock(&pool_mu);
	int have = pool_loading && strcmp(pool_loading_lang, lang) == 0 ? pool_loading : 0;
	for (struct magi__ocr_engine *e = pool_idle; e; e = e->next)
		have += strcmp(e->lang, lang) == 0;
	if (pool_loading && strcmp(pool_loading_lang, lang) != 0)
		have = n; /* one language loads ahead at a time */
	for (; have < n; have++) {
		char *arg = magi__strdup(lang);
		pthread_t th;
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		bool ok = arg && pthread_create(&th, &at, preload_main, arg) == 0;
		pthread_attr_destroy(&at);
		if (!ok) {
			free(arg);
			break; /* the engine is made on first use instead */
		}
		snprintf(pool_loading_lang, sizeof pool_loading_lang, "%s", lang);
		pool_loading++;
	}
	pthread_mutex_unlock(&pool_mu);
	return MAGI_OK;
}
