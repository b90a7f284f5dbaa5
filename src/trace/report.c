/* report.c — <dir>/report.html: one self-contained page of a run. A header (task, outcome,
 * totals), a timeline of steps (the screenshot with the action drawn over it in SVG, the
 * thought, the reflection verdict, guard decisions, tokens, latency, the raw model calls),
 * video evidence and the calls no step claims.
 *
 * The page loads nothing: screenshots are data: URLs, the CSS is inline, there is no
 * script, and a Content-Security-Policy says so to the browser. Everything from the trace
 * (model output, OCR text, task) is untrusted and goes through esc(). Screenshots share a
 * byte budget so that a 20-step run stays well under 2 MB; images over their share are
 * re-encoded smaller. A torn or partial trace still gives a report of what it holds. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/json.h"
#include "trace/trace_internal.h"
#include "core/common.h"

#define REPORT_MAX ((size_t)512 << 20)       /* the page itself; a limit, not a target */
#define IMAGE_FILE_CAP ((size_t)64 << 20)    /* a bigger step image is left out */
#define SHOTS_BUDGET ((size_t)1100 << 10)    /* raw bytes for all step screenshots */
#define SHOT_MAX_BYTES ((size_t)120 << 10)   /* one screenshot inlined as it is */
#define SHOT_MIN_BYTES ((size_t)24 << 10)    /* the share never drops below this */
#define THUMBS_BUDGET ((size_t)240 << 10)    /* raw bytes for all "screen after" thumbnails */
#define THUMB_MAX_BYTES ((size_t)30 << 10)
#define THUMB_MIN_BYTES ((size_t)8 << 10)
#define SHOT_BOX_W 960u                      /* re-encoded screenshots fit 960 x 1080 */
#define THUMB_BOX_W 480u
#define TEXT_MAX 8000                        /* bytes of one text field shown before a cut */
#define LABEL_MAX_CHARS 60                   /* typed text drawn on a screenshot */

/* ---- the page buffer: the first failure sticks and later writes do nothing ------------ */
struct page {
	struct magi_buf b;
	magi_status st;
	const char *dir;
	size_t shot_budget, thumb_budget; /* bytes per image */
	size_t n_shots_inlined;
};

static void putn(struct page *p, const char *s, size_t n)
{
	if (!p->st && n)
		p->st = magi_buf_append(&p->b, s, n);
}

static void put(struct page *p, const char *s)
{
	putn(p, s, strlen(s));
}

static void putf(struct page *p, const char *fmt, ...) MAGI_PRINTF(2, 3);
static void putf(struct page *p, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		putn(p, tmp, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		if (!p->st)
			p->st = MAGI_ERR_NOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	putn(p, big, (size_t)n);
	free(big);
}

/* HTML-escapes at most max bytes of s (cut on a character boundary, with a note saying
 * how much was left out). Control characters other than tab and newlines become U+FFFD. */
static void esc_max(struct page *p, const char *s, size_t max)
{
	if (!s)
		return;
	size_t n = strlen(s), shown = n;
	if (shown > max) {
		shown = max;
		while (shown && ((unsigned char)s[shown] & 0xC0) == 0x80)
			shown--;
	}
	const char *run = s;
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7F)
				rep = "\xEF\xBF\xBD";
		}
		if (rep) {
			putn(p, run, (size_t)(s + i - run));
			put(p, rep);
			run = s + i + 1;
		}
	}
	putn(p, run, (size_t)(s + shown - run));
	if (shown < n)
		putf(p, "<span class=\"cut\"> [%zu more bytes not shown]</span>", n - shown);
}

static void esc(struct page *p, const char *s)
{
	esc_max(p, s, TEXT_MAX);
}

/* A number for SVG attributes with one decimal, independent of the C locale. */
static void put_num(struct page *p, double v)
{
	if (!isfinite(v))
		v = 0;
	v = MAGI_MAX(-1e7, MAGI_MIN(1e7, v));
	long t = lround(v * 10);
	if (t < 0) {
		put(p, "-");
		t = -t;
	}
	putf(p, "%ld", t / 10);
	if (t % 10)
		putf(p, ".%ld", t % 10);
}

/* 1234567 -> "1,234,567" */
static void put_count(struct page *p, long v)
{
	char d[32];
	int n = snprintf(d, sizeof d, "%ld", v < 0 ? -v : v);
	if (v < 0)
		put(p, "-");
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			put(p, ",");
		putn(p, d + i, 1);
	}
}

static void put_ms(struct page *p, double ms)
{
	if (!isfinite(ms) || ms < 0)
		ms = 0;
	if (ms < 1000) {
		putf(p, "%ld ms", lround(ms));
		return;
	}
	long ds = lround(ms / 100); /* tenths of a second */
	if (ds < 600)
		putf(p, "%ld.%ld s", ds / 10, ds % 10);
	else if (ds < 36000)
		putf(p, "%ld m %ld s", ds / 600, (ds % 600) / 10);
	else
		putf(p, "%ld h %ld m", ds / 36000, (ds % 36000) / 600);
}

/* Pretty JSON of j (escaped) inside <pre>. */
static void put_json_pre(struct page *p, const json_t *j)
{
	char *t = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	put(p, "<pre>");
	esc(p, t ? t : "null");
	put(p, "</pre>");
	free(t);
}

static double num_or_nan(const json_t *o, const char *key)
{
	return magi__json_num(o, key, NAN);
}

/* ---- the run, gathered from the events ------------------------------------------------ */
struct rstep {
	long n;
	json_t *ev;     /* the "step" event (borrowed); NULL when only other events name it */
	json_t *refls;  /* owned arrays of borrowed events */
	json_t *guards;
	json_t *calls;
	json_t *board; /* borrowed: the last board snapshot of this step */
};

/* A call event without a "step" field (magi_trace_call writes none), kept at its place
 * in the timeline: after the slot-th step event. */
struct loose_call {
	long slot;
	json_t *ev; /* borrowed */
};

struct run {
	json_t *start, *end, *board; /* borrowed */
	struct rstep *steps;
	size_t n_steps, cap_steps;
	struct loose_call *loose;
	size_t n_loose, cap_loose;
	json_t *evidence; /* owned */
	long n_calls, n_step_events, ptok, ctok;
	double call_ms, t_first, t_last;
	size_t n_events;
};

/* The entry for step n: the latest one with that number, or a new one when there is none
 * or when `fresh` asks for a step event's own entry and the latest already has one (a
 * resumed run may number a step twice). NULL when out of memory. */
static struct rstep *step_for(struct run *r, long n, bool fresh)
{
	for (size_t i = r->n_steps; i-- > 0;) {
		if (r->steps[i].n == n) {
			if (!fresh || !r->steps[i].ev)
				return &r->steps[i];
			break;
		}
	}
	if (!magi__grow(&r->steps, &r->cap_steps, r->n_steps, sizeof *r->steps, 32))
		return NULL;
	struct rstep *s = &r->steps[r->n_steps];
	memset(s, 0, sizeof *s);
	s->n = n;
	s->refls = json_array();
	s->guards = json_array();
	s->calls = json_array();
	if (!s->refls || !s->guards || !s->calls) {
		json_decref(s->refls);
		json_decref(s->guards);
		json_decref(s->calls);
		return NULL;
	}
	r->n_steps++;
	return s;
}

static void run_release(struct run *r)
{
	for (size_t i = 0; i < r->n_steps; i++) {
		json_decref(r->steps[i].refls);
		json_decref(r->steps[i].guards);
		json_decref(r->steps[i].calls);
	}
	free(r->steps);
	free(r->loose);
	json_decref(r->evidence);
}

/* The step an event names, or (for events written without one) the latest step. */
static struct rstep *step_named(struct run *r, json_t *ev)
{
	json_t *n = json_object_get(ev, "step");
	if (json_is_number(n))
		return step_for(r, magi__json_int(ev, "step", 0), false);
	return r->n_steps ? &r->steps[r->n_steps - 1] : NULL;
}

static magi_status run_collect(struct run *r, json_t *events)
{
	memset(r, 0, sizeof *r);
	r->t_first = r->t_last = NAN;
	r->evidence = json_array();
	if (!r->evidence)
		return MAGI_ERR_NOMEM;
	size_t i;
	json_t *ev;
	r->n_events = json_array_size(events);
	json_array_foreach(events, i, ev)
	{
		const char *type = magi__json_str(ev, "type", "");
		double ts = num_or_nan(ev, "ts");
		if (isfinite(ts)) {
			if (!isfinite(r->t_first))
				r->t_first = ts;
			r->t_last = ts;
		}
		struct rstep *s = NULL;
		if (!strcmp(type, "run_start")) {
			if (!r->start)
				r->start = ev;
		} else if (!strcmp(type, "run_end")) {
			r->end = ev;
		} else if (!strcmp(type, "step")) {
			r->n_step_events++;
			if (!(s = step_for(r, magi__json_int(ev, "step", r->n_step_events), true)))
				return MAGI_ERR_NOMEM;
			s->ev = ev;
		} else if (!strcmp(type, "call")) {
			r->n_calls++;
			long pt = magi__json_int(ev, "prompt_tokens", 0), ct = magi__json_int(ev, "completion_tokens", 0);
			r->ptok += pt > 0 ? pt : 0;
			r->ctok += ct > 0 ? ct : 0;
			double ms = magi__json_num(ev, "latency_ms", 0);
			r->call_ms += ms > 0 ? ms : 0;
			if (json_is_number(json_object_get(ev, "step"))) {
				if (!(s = step_for(r, magi__json_int(ev, "step", 0), false)))
					return MAGI_ERR_NOMEM;
				json_array_append(s->calls, ev);
			} else {
				if (r->n_loose == r->cap_loose) {
					size_t nc = r->cap_loose ? r->cap_loose * 2 : 32;
					struct loose_call *nl = realloc(r->loose, nc * sizeof *nl);
					if (!nl)
						return MAGI_ERR_NOMEM;
					r->loose = nl;
					r->cap_loose = nc;
				}
				r->loose[r->n_loose].slot = r->n_step_events;
				r->loose[r->n_loose++].ev = ev;
			}
		} else if (!strcmp(type, "reflection") || !strcmp(type, "guard")) {
			if ((s = step_named(r, ev)))
				json_array_append(type[0] == 'r' ? s->refls : s->guards, ev);
		} else if (!strcmp(type, "board")) {
			json_t *b = json_object_get(ev, "board");
			if (!b)
				continue;
			r->board = b;
			if ((s = step_named(r, ev)))
				s->board = b;
		} else if (!strcmp(type, "evidence")) {
			json_array_append(r->evidence, ev);
		}
		/* other event types are for other readers */
	}
	return MAGI_OK;
}

/* ---- images ---------------------------------------------------------------------------- */
/* A run-relative path that stays inside the run directory. */
static bool safe_rel(const char *rel)
{
	if (!rel || !*rel || rel[0] == '/' || strchr(rel, '\\'))
		return false;
	for (const char *q = rel;;) {
		const char *e = strchr(q, '/');
		size_t n = e ? (size_t)(e - q) : strlen(q);
		if (n == 2 && q[0] == '.' && q[1] == '.')
			return false;
		if (!e)
			return true;
		q = e + 1;
	}
}

static const char *sniff_mime(const unsigned char *d, size_t n)
{
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return "image/jpeg";
	if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	return NULL;
}

/* Re-encodes img as a JPEG fitting box_w x (9/8 box_w), stepping size and quality down
 * until it is at most max_bytes (the last try is kept whatever its size). */
static magi_status shrink(const struct magi_image *img, uint32_t box_w, size_t max_bytes,
			  struct magi_buf *jpg, struct magi_error *err)
{
	static const struct {
		double scale;
		int q;
	} tries[] = {{1.0, 70}, {0.75, 60}, {0.58, 50}, {0.42, 45}};
	magi_status s = MAGI_OK;
	for (size_t t = 0; t < MAGI_ARRAY_LEN(tries); t++) {
		double bw = box_w * tries[t].scale, bh = bw * 9 / 8;
		double f = MAGI_MIN(1.0, MAGI_MIN(bw / img->w, bh / img->h));
		uint32_t nw = (uint32_t)MAGI_MAX(1.0, floor(img->w * f + 0.5));
		uint32_t nh = (uint32_t)MAGI_MAX(1.0, floor(img->h * f + 0.5));
		struct magi_image *small = NULL;
		if (nw != img->w || nh != img->h) {
			if ((s = magi_image_resize(img, nw, nh, &small)))
				return magi_error_set(err, s, "cannot resize the image to %ux%u", nw, nh);
		}
		magi_buf_reset(jpg);
		s = magi_image_encode_jpeg(small ? small : img, tries[t].q, jpg, err);
		magi_image_free(small);
		if (s || jpg->len <= max_bytes)
			break;
	}
	return s;
}

/* Puts "data:<mime>;base64,..." for <dir>/<rel> into url. The file goes in as it is when
 * it fits max_bytes; otherwise it is decoded and re-encoded smaller. *w, *h get the
 * image's own size when need_dims (else 0). On failure url is empty and why says why. */
static bool image_url(const char *dir, const char *rel, size_t max_bytes, uint32_t box_w,
		      bool need_dims, struct magi_buf *url, uint32_t *w, uint32_t *h, char *why,
		      size_t why_n)
{
	*w = *h = 0;
	magi_buf_reset(url);
	if (!safe_rel(rel)) {
		snprintf(why, why_n, "not a path inside the run directory");
		return false;
	}
	struct magi_error e;
	magi_error_clear(&e);
	struct magi_buf path, data, jpg;
	magi_buf_init(&path, 0);
	magi_buf_init(&data, IMAGE_FILE_CAP);
	magi_buf_init(&jpg, IMAGE_FILE_CAP);
	struct magi_image *img = NULL;
	bool ok = false;
	magi_buf_printf(&path, "%s/%s", dir, rel);
	if (magi_file_read(path.data, &data, &e)) {
		snprintf(why, why_n, "%s", e.status == MAGI_ERR_LIMIT ? "too large" : "missing or unreadable");
		goto out;
	}
	const char *mime = sniff_mime((const unsigned char *)data.data, data.len);
	if (!mime) {
		snprintf(why, why_n, "not a PNG or JPEG image");
		goto out;
	}
	bool big = data.len > max_bytes;
	if (big || need_dims) {
		if (magi_image_decode(data.data, data.len, rel, &img, &e)) {
			snprintf(why, why_n, "%s", magi_error_text(&e));
			goto out;
		}
		*w = img->w;
		*h = img->h;
	}
	const char *bytes = data.data;
	size_t n = data.len;
	if (big) {
		if (shrink(img, box_w, max_bytes, &jpg, &e)) {
			snprintf(why, why_n, "%s", magi_error_text(&e));
			goto out;
		}
		mime = "image/jpeg";
		bytes = jpg.data;
		n = jpg.len;
	}
	if (magi_buf_printf(url, "data:%s;base64,", mime) || magi_base64_encode(bytes, n, url)) {
		snprintf(why, why_n, "out of memory");
		magi_buf_reset(url);
		goto out;
	}
	ok = true;
out:
	magi_image_free(img);
	magi_buf_release(&path);
	magi_buf_release(&data);
	magi_buf_release(&jpg);
	return ok;
}

/* ---- the action drawn over the screenshot ----------------------------------------------- */
static bool is_click(const char *k)
{
	static const char *const kinds[] = {"click", "left_click", "double_click", "triple_click",
					    "right_click", "middle_click", "long_press", "tap"};
	for (size_t i = 0; i < MAGI_ARRAY_LEN(kinds); i++)
		if (!strcmp(k, kinds[i]))
			return true;
	return false;
}

/* Cuts s to what fits max_w at font size fs in a monospace face (wide characters count
 * as a full em), newlines shown as a return sign; *tw gets the text's estimated width. */
static void label_text(const char *s, double fs, double max_w, struct magi_buf *o, double *tw)
{
	static const char ell[] = "\xE2\x80\xA6"; /* … */
	double wsum = 0;
	size_t chars = 0;
	for (const unsigned char *q = (const unsigned char *)s; *q;) {
		size_t len = *q < 0x80 ? 1 : *q >= 0xF0 ? 4 : *q >= 0xE0 ? 3 : *q >= 0xC0 ? 2 : 1;
		for (size_t k = 1; k < len; k++)
			if (!q[k]) {
				len = k;
				break;
			}
		unsigned cp = *q;
		if (len == 3)
			cp = ((q[0] & 0x0Fu) << 12) | ((q[1] & 0x3Fu) << 6) | (q[2] & 0x3Fu);
		else if (len == 4)
			cp = 0x10000;
		double cw = (cp >= 0x2E80 ? 1.0 : 0.6) * fs;
		if (wsum + cw + 0.6 * fs > max_w || chars >= LABEL_MAX_CHARS) {
			magi_buf_puts(o, ell);
			wsum += 0.6 * fs;
			break;
		}
		if (*q == '\n' || *q == '\r')
			magi_buf_puts(o, "\xE2\x8F\x8E"); /* ⏎ */
		else if (*q == '\t')
			magi_buf_putc(o, ' ');
		else
			magi_buf_append(o, q, len);
		wsum += cw;
		chars++;
		q += len;
	}
	*tw = wsum;
}

/* A label box with text; (x, y) is its wanted top-left, moved to stay on the screen. */
static void put_label(struct page *p, const char *cls, const char *text, double x, double y,
		      double fs, double W, double H)
{
	double pad = 0.45 * fs, tw = 0;
	struct magi_buf t;
	magi_buf_init(&t, 4096);
	label_text(text, fs, W - 2 * pad - 0.04 * W, &t, &tw);
	double bw = tw + 2 * pad, bh = 1.5 * fs, m = 0.3 * fs;
	x = MAGI_MAX(m, MAGI_MIN(x, W - bw - m));
	y = MAGI_MAX(m, MAGI_MIN(y, H - bh - m));
	putf(p, "<g class=\"%s\"><rect x=\"", cls);
	put_num(p, x);
	put(p, "\" y=\"");
	put_num(p, y);
	put(p, "\" width=\"");
	put_num(p, bw);
	put(p, "\" height=\"");
	put_num(p, bh);
	put(p, "\" rx=\"");
	put_num(p, 0.3 * fs);
	put(p, "\"/><text x=\"");
	put_num(p, x + pad);
	put(p, "\" y=\"");
	put_num(p, y + 1.06 * fs);
	put(p, "\" font-size=\"");
	put_num(p, fs);
	if (tw > 0) {
		put(p, "\" textLength=\"");
		put_num(p, tw);
		put(p, "\" lengthAdjust=\"spacingAndGlyphs");
	}
	put(p, "\">");
	esc(p, t.data);
	put(p, "</text></g>");
	magi_buf_release(&t);
}

static void put_circle(struct page *p, const char *cls, double x, double y, double r)
{
	putf(p, "<circle class=\"%s\" cx=\"", cls);
	put_num(p, x);
	put(p, "\" cy=\"");
	put_num(p, y);
	put(p, "\" r=\"");
	put_num(p, r);
	put(p, "\"/>");
}

static void put_line(struct page *p, const char *cls, double x1, double y1, double x2, double y2)
{
	putf(p, "<line class=\"%s\" x1=\"", cls);
	put_num(p, x1);
	put(p, "\" y1=\"");
	put_num(p, y1);
	put(p, "\" x2=\"");
	put_num(p, x2);
	put(p, "\" y2=\"");
	put_num(p, y2);
	put(p, "\"/>");
}

/* An arrow from (x1,y1) to (x2,y2): a haloed shaft and a triangular head at the end. */
static void put_arrow(struct page *p, double x1, double y1, double x2, double y2, double u)
{
	double dx = x2 - x1, dy = y2 - y1, len = hypot(dx, dy);
	if (len < 1e-3) {
		put_circle(p, "dot", x1, y1, 0.8 * u);
		return;
	}
	double ux = dx / len, uy = dy / len, hl = MAGI_MIN(3.4 * u, 0.6 * len), hw = 0.55 * hl;
	double bx = x2 - ux * hl, by = y2 - uy * hl;
	put_line(p, "halo", x1, y1, bx, by);
	put_line(p, "shaft", x1, y1, bx, by);
	put(p, "<polygon class=\"head\" points=\"");
	put_num(p, x2);
	put(p, ",");
	put_num(p, y2);
	put(p, " ");
	put_num(p, bx - uy * hw);
	put(p, ",");
	put_num(p, by + ux * hw);
	put(p, " ");
	put_num(p, bx + uy * hw);
	put(p, ",");
	put_num(p, by - ux * hw);
	put(p, "\"/>");
}

/* Draws action a (screen pixels) in an SVG whose viewBox is the W x H screen, so that it
 * scales with the screenshot exactly, whatever size the browser shows it at. An action
 * the guard denied is drawn faded and says so. */
static void put_overlay(struct page *p, const json_t *a, double W, double H, bool denied)
{
	putf(p, "<svg class=\"overlay%s\" viewBox=\"0 0 ", denied ? " denied" : "");
	put_num(p, W);
	put(p, " ");
	put_num(p, H);
	put(p, "\" preserveAspectRatio=\"none\" aria-hidden=\"true\">");
	const char *k = magi__json_str(a, "action", "");
	double u = MAGI_MAX(W, H) / 100, fs = 1.9 * u;
	double x = num_or_nan(a, "x"), y = num_or_nan(a, "y");
	double x2 = num_or_nan(a, "x2"), y2 = num_or_nan(a, "y2");
	bool xy = isfinite(x) && isfinite(y), xy2 = isfinite(x2) && isfinite(y2);
	if (is_click(k) && xy) {
		putf(p, "<g class=\"mark mark-click k-%s\">", strcmp(k, "right_click") ? "left" : "right");
		put_circle(p, "halo", x, y, 2.4 * u);
		put_circle(p, "ring", x, y, 2.4 * u);
		if (!strcmp(k, "double_click") || !strcmp(k, "triple_click")) {
			put_circle(p, "halo", x, y, 3.6 * u);
			put_circle(p, "ring", x, y, 3.6 * u);
		}
		put_circle(p, "dot", x, y, 0.7 * u);
		put(p, "</g>");
		if (strcmp(k, "click") && strcmp(k, "left_click") && strcmp(k, "tap"))
			put_label(p, "lbl", k, x + 3 * u, y + 3 * u, 0.8 * fs, W, H);
	} else if ((!strcmp(k, "drag") || !strcmp(k, "swipe")) && xy && xy2) {
		put(p, "<g class=\"mark mark-drag\">");
		put_circle(p, "halo", x, y, 1.2 * u);
		put_circle(p, "dot start", x, y, 1.2 * u);
		put_arrow(p, x, y, x2, y2, u);
		put(p, "</g>");
	} else if (!strcmp(k, "scroll")) {
		const char *d = magi__json_str(a, "direction", "down");
		double cx = xy ? x : W / 2, cy = xy ? y : H / 2, L = 14 * u;
		double vx = 0, vy = 1;
		if (!strcmp(d, "up"))
			vy = -1;
		else if (!strcmp(d, "left"))
			vx = -1, vy = 0;
		else if (!strcmp(d, "right"))
			vx = 1, vy = 0;
		put(p, "<g class=\"mark mark-scroll\">");
		put_arrow(p, cx - vx * L / 2, cy - vy * L / 2, cx + vx * L / 2, cy + vy * L / 2, u);
		put(p, "</g>");
		char t[96];
		long amount = magi__json_int(a, "amount", 0);
		if (amount)
			snprintf(t, sizeof t, "scroll %.40s \xC3\x97%ld", d, amount);
		else
			snprintf(t, sizeof t, "scroll %.40s", d);
		put_label(p, "lbl", t, cx + 2 * u, cy + (vy ? -0.75 * fs : 2 * u), 0.9 * fs, W, H);
	} else if (!strcmp(k, "type")) {
		const char *text = magi__json_str(a, "text", "");
		struct magi_buf t;
		magi_buf_init(&t, 0);
		magi_buf_puts(&t, "type: ");
		magi_buf_puts(&t, text);
		if (xy) {
			put(p, "<g class=\"mark mark-point\">");
			put_circle(p, "halo", x, y, 1.6 * u);
			put_circle(p, "ring", x, y, 1.6 * u);
			put(p, "</g>");
		}
		put_label(p, "lbl mark-type", t.data, xy ? x - 2 * u : 2 * u,
			  xy ? y + 2.4 * u : H - 2 * u - 1.5 * fs, fs, W, H);
		magi_buf_release(&t);
	} else if (!strcmp(k, "key") || !strcmp(k, "hotkey") || !strcmp(k, "press")) {
		const char *keys = magi__json_str(a, "keys", magi__json_str(a, "key", "?"));
		put_label(p, "lbl badge mark-key", keys, W, 2 * u, 1.3 * fs, W, H);
	} else if (*k) {
		/* done, answer, wait, back, home, open_app, ...: a note in the corner, and a
		 * point if the action has one */
		if (xy) {
			put(p, "<g class=\"mark mark-point\">");
			put_circle(p, "halo", x, y, 2 * u);
			put_circle(p, "ring", x, y, 2 * u);
			put(p, "</g>");
		}
		struct magi_buf t;
		magi_buf_init(&t, 0);
		magi_buf_puts(&t, k);
		const char *cls = "lbl badge mark-note";
		json_t *succ = json_object_get(a, "success");
		if (json_is_boolean(succ)) {
			magi_buf_puts(&t, json_is_true(succ) ? " \xE2\x9C\x93" : " \xE2\x9C\x97");
			cls = json_is_true(succ) ? "lbl badge mark-note good" : "lbl badge mark-note bad";
		}
		const char *extra = magi__json_str(a, "text", magi__json_str(a, "answer", magi__json_str(a, "app", NULL)));
		if (extra) {
			magi_buf_puts(&t, ": ");
			magi_buf_puts(&t, extra);
		}
		put_label(p, cls, t.data, 2 * u, 2 * u, 1.2 * fs, W, H);
		magi_buf_release(&t);
	}
	if (denied)
		put_label(p, "lbl badge bad mark-denied", "denied by the guard: not done", 2 * u, H, 1.2 * fs, W, H);
	put(p, "</svg>");
}

/* "click (640, 360)", "drag (1, 2) → (3, 4)", "type “hi”", ... as escaped text. */
static void put_action_summary(struct page *p, const json_t *a)
{
	if (!json_is_object(a)) {
		put(p, "no action");
		return;
	}
	const char *k = magi__json_str(a, "action", "?");
	esc_max(p, k, 40);
	double x = num_or_nan(a, "x"), y = num_or_nan(a, "y");
	double x2 = num_or_nan(a, "x2"), y2 = num_or_nan(a, "y2");
	if (isfinite(x) && isfinite(y)) {
		put(p, " (");
		put_num(p, x);
		put(p, ", ");
		put_num(p, y);
		put(p, ")");
		if (isfinite(x2) && isfinite(y2)) {
			put(p, " \xE2\x86\x92 (");
			put_num(p, x2);
			put(p, ", ");
			put_num(p, y2);
			put(p, ")");
		}
	}
	static const char *const strs[] = {"keys", "key", "direction", "app", "url"};
	for (size_t i = 0; i < MAGI_ARRAY_LEN(strs); i++) {
		const char *v = magi__json_str(a, strs[i], NULL);
		if (v) {
			put(p, " ");
			esc_max(p, v, 120);
		}
	}
	long amount = magi__json_int(a, "amount", 0);
	if (amount)
		putf(p, " \xC3\x97%ld", amount);
	double secs = num_or_nan(a, "seconds");
	if (isfinite(secs)) {
		put(p, " ");
		put_ms(p, secs * 1000);
	}
	static const char *const quoted[] = {"text", "answer"};
	for (size_t i = 0; i < MAGI_ARRAY_LEN(quoted); i++) {
		const char *v = magi__json_str(a, quoted[i], NULL);
		if (v) {
			put(p, " \xE2\x80\x9C");
			esc_max(p, v, 120);
			put(p, "\xE2\x80\x9D");
		}
	}
	json_t *succ = json_object_get(a, "success");
	if (json_is_boolean(succ))
		put(p, json_is_true(succ) ? " \xE2\x9C\x93 success" : " \xE2\x9C\x97 failure");
}

/* ---- the parts of the page --------------------------------------------------------------- */
static const char *const CSS[] = {
	":root{--fg:#1f2328;--mute:#656d76;--line:#d0d7de;--bg:#f3f5f7;--ok:#1a7f37;--bad:#cf222e;",
	"--warn:#b35900;--acc:#0969da}",
	"*{box-sizing:border-box}",
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);",
	"background:var(--bg)}",
	".wrap{max-width:1280px;margin:0 auto;padding:0 20px}",
	"header{background:#fff;border-bottom:1px solid var(--line);padding:16px 0 14px}",
	".brand{color:var(--mute);font-size:12px;letter-spacing:.06em;text-transform:uppercase}",
	"h1{font-size:21px;margin:4px 0 10px;font-weight:600;white-space:pre-wrap}",
	"h2{font-size:16px;margin:0 0 8px;font-weight:600}",
	".outcome{display:inline-block;padding:2px 12px;border-radius:12px;font-weight:600;color:#fff;",
	"background:#6e7781}",
	".outcome.ok{background:var(--ok)}.outcome.fail{background:var(--bad)}",
	"dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:10px 0}",
	"dl.meta dt{color:var(--mute)}dl.meta dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}",
	".totals{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}",
	".totals div{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:5px 12px;",
	"color:var(--mute);font-size:12px}",
	".totals b{display:block;font-size:17px;color:var(--fg)}",
	".answer{border-left:4px solid var(--acc);background:#f0f6ff;padding:6px 10px;white-space:pre-wrap}",
	"nav.strip{display:flex;flex-wrap:wrap;gap:3px;margin-top:10px}",
	"nav.strip a{min-width:28px;padding:1px 5px;text-align:center;border-radius:4px;font-size:12px;",
	"text-decoration:none;color:#fff;background:#8c959f}",
	".v-A{--vc:var(--ok)}.v-B{--vc:var(--bad)}.v-C{--vc:var(--warn)}",
	"nav.strip a.v-A,nav.strip a.v-B,nav.strip a.v-C{background:var(--vc)}",
	"nav.strip a.denied{outline:2px solid var(--bad);outline-offset:1px}",
	"section.step{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:18px;",
	"background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px;margin:14px 0}",
	"section.step.denied{border-color:var(--bad)}",
	"@media (max-width:860px){section.step{grid-template-columns:1fr}}",
	"figure{margin:0}figcaption{color:var(--mute);font-size:12px;margin-top:4px}",
	".frame{position:relative;display:inline-block;max-width:100%;line-height:0;",
	"border:1px solid var(--line);background:#fff}",
	".frame img{display:block;max-width:100%;max-height:80vh;height:auto}",
	".frame svg{position:absolute;left:0;top:0;width:100%;height:100%;overflow:hidden}",
	".noimg{width:640px;max-width:100%;display:flex;align-items:center;justify-content:center;",
	"line-height:1.4;color:var(--mute);background:repeating-linear-gradient(45deg,#f1f3f5 0 10px,",
	"#e8ebee 10px 20px)}",
	".overlay *{vector-effect:non-scaling-stroke}",
	".overlay .halo{fill:none;stroke:#fff;stroke-width:7px;stroke-opacity:.85}",
	".overlay .ring{fill:none;stroke:#e5134a;stroke-width:3px}",
	".overlay .dot{fill:#e5134a;stroke:#fff;stroke-width:1.5px}",
	".overlay .k-right .ring{stroke:#8250df}.overlay .k-right .dot{fill:#8250df}",
	".overlay .mark-point .ring{stroke:#0969da;stroke-dasharray:5 3}",
	".overlay .shaft{stroke:#0969da;stroke-width:4px;stroke-linecap:round}",
	".overlay .head{fill:#0969da;stroke:#fff;stroke-width:1.5px}",
	".overlay .start{fill:#0969da}",
	".overlay.denied .mark{opacity:.6}.overlay.denied .ring{stroke-dasharray:6 4}",
	".overlay .lbl rect{fill:#111;fill-opacity:.82;stroke:#fff;stroke-width:1px}",
	".overlay .lbl text{fill:#fff;font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace}",
	".overlay .badge rect{fill:#24292f;fill-opacity:.9}",
	".overlay .good rect{fill:var(--ok)}.overlay .bad rect{fill:var(--bad)}",
	".act{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;font-weight:500;font-size:14px;",
	"background:var(--bg);border-radius:4px;padding:1px 6px;overflow-wrap:anywhere}",
	".num{color:var(--fg);text-decoration:none;margin-right:6px}",
	".badges{display:flex;flex-wrap:wrap;gap:5px;margin-bottom:8px}",
	".pill{display:inline-block;border-radius:10px;padding:0 9px;font-size:12px;font-weight:600;",
	"background:var(--bg);border:1px solid var(--line);color:var(--mute)}",
	".pill.v-A,.pill.v-B,.pill.v-C{background:var(--vc);border-color:var(--vc);color:#fff}",
	".pill.g-deny{background:var(--bad);border-color:var(--bad);color:#fff}",
	".pill.g-ask{background:#fff3d6;border-color:var(--warn);color:var(--warn)}",
	".k{display:block;color:var(--mute);font-size:11px;text-transform:uppercase;letter-spacing:.05em}",
	".field{margin:0 0 9px}.field p{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}",
	".refl,.guard{border-left:4px solid #8c959f;padding:4px 9px;margin:0 0 9px;background:#fafbfc}",
	".refl.v-A,.refl.v-B,.refl.v-C{border-color:var(--vc)}",
	".refl b.v-A,.refl b.v-B,.refl b.v-C{color:var(--vc)}",
	".refl p,.guard p{margin:2px 0 0;white-space:pre-wrap;overflow-wrap:anywhere}",
	".guard.g-deny{border-color:var(--bad);background:#fff5f5}.guard.g-ask{border-color:var(--warn)}",
	".guard.g-allow{border-color:var(--ok)}",
	".stats{color:var(--mute);font-size:12px;margin:0 0 8px}",
	"details{margin:4px 0;border:1px solid var(--line);border-radius:6px;background:#fff}",
	"summary{cursor:pointer;padding:3px 8px;font-size:12px;color:var(--mute)}",
	"details[open] summary{border-bottom:1px solid var(--line)}",
	"details img{display:block;max-width:calc(100% - 12px);margin:6px}",
	"pre{margin:0;padding:6px 8px;font:12px/1.4 ui-monospace,'DejaVu Sans Mono',Menlo,monospace;",
	"white-space:pre-wrap;overflow-wrap:anywhere;max-height:420px;overflow:auto}",
	".err{color:var(--bad)}.cut{color:var(--mute);font-style:italic}",
	".partial .noshot,.noshot{color:var(--mute);padding:30px;border:1px dashed var(--line);text-align:center}",
	"section.extra{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px;margin:14px 0}",
	"table{border-collapse:collapse;width:100%}td,th{border-top:1px solid var(--line);padding:5px 8px;",
	"text-align:left;vertical-align:top}th{color:var(--mute);font-weight:500;font-size:12px}",
	"td img{max-width:240px;display:block}",
	"footer{color:var(--mute);font-size:12px;padding:10px 0 30px}",
};

/* The verdict letter of a reflection ("A", "B", "C") for CSS, or "" for anything else. */
static const char *verdict_class(const char *v)
{
	if (v && (!strcmp(v, "A") || !strcmp(v, "B") || !strcmp(v, "C")))
		return v;
	return "";
}

static const char *guard_class(const char *d)
{
	if (d && (!strcmp(d, "deny") || !strcmp(d, "ask") || !strcmp(d, "allow")))
		return d;
	return "other";
}

static void put_call(struct page *p, const json_t *c)
{
	const char *st = magi__json_str(c, "status", "ok");
	bool ok = !strcmp(st, "ok");
	put(p, "<details class=\"call\"><summary>");
	esc_max(p, magi__json_str(c, "role", "call"), 60);
	put(p, " \xC2\xB7 ");
	esc_max(p, magi__json_str(c, "model", "?"), 80);
	put(p, " \xC2\xB7 ");
	if (!ok)
		put(p, "<span class=\"err\">");
	esc_max(p, st, 60);
	if (!ok)
		put(p, "</span>");
	put(p, " \xC2\xB7 ");
	put_ms(p, magi__json_num(c, "latency_ms", 0));
	put(p, " \xC2\xB7 ");
	put_count(p, MAGI_MAX(0, magi__json_int(c, "prompt_tokens", 0)));
	put(p, " + ");
	put_count(p, MAGI_MAX(0, magi__json_int(c, "completion_tokens", 0)));
	put(p, " tok");
	long att = magi__json_int(c, "attempts", 1), nimg = magi__json_int(c, "n_images", 0);
	if (nimg > 0)
		putf(p, " \xC2\xB7 %ld image%s", nimg, nimg == 1 ? "" : "s");
	if (att > 1)
		putf(p, " \xC2\xB7 %ld attempts", att);
	put(p, "</summary>");
	static const char *const errs[] = {"error", "parse_error"};
	for (size_t i = 0; i < MAGI_ARRAY_LEN(errs); i++) {
		const char *e = magi__json_str(c, errs[i], NULL);
		if (e && *e) {
			putf(p, "<pre class=\"err\">%s: ", errs[i][0] == 'p' ? "could not parse the reply" : "error");
			esc(p, e);
			put(p, "</pre>");
		}
	}
	put(p, "<pre>");
	esc(p, magi__json_str(c, "content", ""));
	put(p, "</pre></details>");
}

/* A titled text field, skipped when the trace does not have it. */
static void put_field(struct page *p, const char *cls, const char *title, const char *text)
{
	if (!text || !*text)
		return;
	putf(p, "<div class=\"field %s\"><span class=\"k\">%s</span><p>", cls, title);
	esc(p, text);
	put(p, "</p></div>");
}

static void put_shot(struct page *p, const struct rstep *s, bool denied)
{
	const json_t *ev = s->ev;
	const json_t *act = json_object_get(ev, "action");
	double W = magi__json_num(ev, "screen_w", 0), H = magi__json_num(ev, "screen_h", 0);
	bool dims = isfinite(W) && isfinite(H) && W >= 1 && H >= 1 && W < 1e6 && H < 1e6;
	const char *img = magi__json_str(ev, "image", NULL);
	char why[200] = "";
	struct magi_buf url;
	magi_buf_init(&url, REPORT_MAX);
	uint32_t iw = 0, ih = 0;
	bool have = img && image_url(p->dir, img, p->shot_budget, SHOT_BOX_W, !dims, &url, &iw, &ih,
				     why, sizeof why);
	if (have && !dims && iw && ih) {
		W = iw;
		H = ih;
		dims = true;
	}
	put(p, "<figure class=\"shot\"><div class=\"frame\">");
	if (have) {
		putf(p, "<img alt=\"screen before step %ld\" src=\"", s->n);
		putn(p, url.data, url.len);
		put(p, "\">");
		p->n_shots_inlined++;
	} else {
		put(p, "<div class=\"noimg\"");
		if (dims) {
			put(p, " style=\"aspect-ratio:");
			put_num(p, W);
			put(p, "/");
			put_num(p, H);
			put(p, "\"");
		} else {
			put(p, " style=\"height:120px\"");
		}
		put(p, ">");
		if (img) {
			put(p, "screenshot ");
			esc_max(p, img, 200);
			put(p, ": ");
			esc(p, why);
		} else {
			put(p, "no screenshot for this step");
		}
		put(p, "</div>");
	}
	if (dims && json_is_object(act))
		put_overlay(p, act, W, H, denied);
	put(p, "</div><figcaption>");
	if (img)
		esc_max(p, img, 200);
	if (dims) {
		put(p, img ? " \xC2\xB7 screen " : "screen ");
		put_num(p, W);
		put(p, "\xC3\x97");
		put_num(p, H);
	}
	put(p, "</figcaption></figure>");
	magi_buf_release(&url);
}

static void put_reflection(struct page *p, const json_t *rf)
{
	const char *v = magi__json_str(rf, "verdict", "?");
	const char *vc = verdict_class(v);
	putf(p, "<div class=\"refl%s%s\"><span class=\"k\">Reflection</span><b class=\"%s%s\">", *vc ? " v-" : "",
	     vc, *vc ? "v-" : "", vc);
	esc_max(p, v, 40);
	put(p, "</b>");
	const char *meaning = magi__json_str(rf, "meaning", NULL);
	if (meaning) {
		put(p, " \xE2\x80\x94 ");
		esc_max(p, meaning, 200);
	}
	const char *th = magi__json_str(rf, "thought", NULL);
	if (th && *th) {
		put(p, "<p>");
		esc(p, th);
		put(p, "</p>");
	}
	const char *after = magi__json_str(rf, "image_after", NULL);
	if (after) {
		struct magi_buf url;
		magi_buf_init(&url, REPORT_MAX);
		char why[200] = "";
		uint32_t iw, ih;
		put(p, "<details class=\"after\"><summary>screen after the action</summary>");
		if (image_url(p->dir, after, p->thumb_budget, THUMB_BOX_W, false, &url, &iw, &ih, why,
			      sizeof why)) {
			put(p, "<img alt=\"screen after\" src=\"");
			putn(p, url.data, url.len);
			put(p, "\">");
		} else {
			put(p, "<pre>");
			esc_max(p, after, 200);
			put(p, ": ");
			esc(p, why);
			put(p, "</pre>");
		}
		put(p, "</details>");
		magi_buf_release(&url);
	}
	put(p, "</div>");
}

static void put_guard(struct page *p, const json_t *g)
{
	const char *d = magi__json_str(g, "decision", "?");
	putf(p, "<div class=\"guard g-%s\"><span class=\"k\">Guard</span><b>", guard_class(d));
	esc_max(p, d, 40);
	put(p, "</b>");
	const char *cat = magi__json_str(g, "category", NULL);
	if (cat) {
		put(p, " \xC2\xB7 ");
		esc_max(p, cat, 100);
	}
	const char *reason = magi__json_str(g, "reason", NULL);
	if (reason) {
		put(p, "<p>");
		esc(p, reason);
		put(p, "</p>");
	}
	put(p, "</div>");
}

/* The per-step numbers line: model latency, perception times, tokens, what was covered. */
static void put_step_stats(struct page *p, const struct rstep *s)
{
	const json_t *ev = s->ev;
	long pt = magi__json_int(ev, "prompt_tokens", -1), ct = magi__json_int(ev, "completion_tokens", -1);
	if (pt < 0 && ct < 0 && json_array_size(s->calls)) {
		size_t i;
		json_t *c;
		pt = ct = 0;
		json_array_foreach(s->calls, i, c)
		{
			pt += MAGI_MAX(0, magi__json_int(c, "prompt_tokens", 0));
			ct += MAGI_MAX(0, magi__json_int(c, "completion_tokens", 0));
		}
	}
	static const struct {
		const char *key, *name;
	} times[] = {{"latency_ms", "model"}, {"observe_ms", "observe"}, {"ocr_ms", "OCR"},
		     {"overhead_ms", "magi overhead"}};
	put(p, "<div class=\"stats\">");
	bool any = false;
	if (pt >= 0 || ct >= 0) {
		put(p, "tokens ");
		put_count(p, MAGI_MAX(0, pt));
		put(p, " in + ");
		put_count(p, MAGI_MAX(0, ct));
		put(p, " out");
		any = true;
	}
	for (size_t i = 0; i < MAGI_ARRAY_LEN(times); i++) {
		double ms = num_or_nan(ev, times[i].key);
		if (!isfinite(ms))
			continue;
		put(p, any ? " \xC2\xB7 " : "");
		put(p, times[i].name);
		put(p, " ");
		put_ms(p, ms);
		any = true;
	}
	/* what the guards covered on this step's screenshot, by type */
	json_t *pii = json_object_get(ev, "pii");
	if (json_is_object(pii) && json_object_size(pii)) {
		const char *k;
		json_t *v;
		bool first = true;
		put(p, any ? " \xC2\xB7 covered: " : "covered: ");
		json_object_foreach(pii, k, v)
		{
			put(p, first ? "" : ", ");
			esc_max(p, k, 40);
			put(p, " ");
			put_count(p, (long)json_integer_value(v));
			first = false;
		}
	}
	put(p, "</div>");
}

static void put_step(struct page *p, const struct rstep *s, size_t idx)
{
	bool denied = false;
	size_t i;
	json_t *x;
	json_array_foreach(s->guards, i, x)
		denied |= !strcmp(magi__json_str(x, "decision", ""), "deny");
	const char *verdict = NULL;
	json_array_foreach(s->refls, i, x)
		verdict = magi__json_str(x, "verdict", verdict);
	const char *vc = verdict_class(verdict);
	putf(p, "<section class=\"step%s%s\" id=\"step-%zu\" data-step=\"%ld\">", s->ev ? "" : " partial",
	     denied ? " denied" : "", idx + 1, s->n);
	put(p, "<div class=\"shotcol\">");
	if (s->ev)
		put_shot(p, s, denied);
	else
		put(p, "<div class=\"noshot\">the trace has no step record for this step (the run stopped "
		       "before it was written, or the action was not taken)</div>");
	put(p, "</div><div class=\"info\">");
	putf(p, "<h2><a class=\"num\" href=\"#step-%zu\">Step %ld</a>", idx + 1, s->n);
	if (s->ev) {
		put(p, "<span class=\"act\">");
		put_action_summary(p, json_object_get(s->ev, "action"));
		put(p, "</span>");
	}
	put(p, "</h2><div class=\"badges\">");
	if (verdict) {
		putf(p, "<span class=\"pill verdict%s%s\">", *vc ? " v-" : "", vc);
		esc_max(p, verdict, 40);
		const char *meaning = magi__json_str(json_array_get(s->refls, json_array_size(s->refls) - 1),
						     "meaning", NULL);
		if (meaning) {
			put(p, " \xC2\xB7 ");
			esc_max(p, meaning, 60);
		}
		put(p, "</span>");
	}
	json_array_foreach(s->guards, i, x)
	{
		const char *d = magi__json_str(x, "decision", "?");
		putf(p, "<span class=\"pill g-%s\" title=\"", guard_class(d));
		esc_max(p, magi__json_str(x, "reason", ""), 300);
		put(p, "\">guard: ");
		esc_max(p, d, 40);
		put(p, "</span>");
	}
	if (s->ev) {
		double lat = num_or_nan(s->ev, "latency_ms");
		if (isfinite(lat)) {
			put(p, "<span class=\"pill\">");
			put_ms(p, lat);
			put(p, "</span>");
		}
	}
	put(p, "</div>");
	if (s->ev) {
		put_field(p, "thought", "Thought", magi__json_str(s->ev, "thought", NULL));
		put_field(p, "operation", "Operation", magi__json_str(s->ev, "operation", NULL));
		put_field(p, "asked", "The person answered", magi__json_str(s->ev, "user_reply", NULL));
		put_field(p, "err", "Error", magi__json_str(s->ev, "error", NULL));
	}
	json_array_foreach(s->refls, i, x)
		put_reflection(p, x);
	/* an allowed action needs no box; its pill (with the reason as a tooltip) says enough */
	json_array_foreach(s->guards, i, x)
		if (strcmp(magi__json_str(x, "decision", ""), "allow"))
			put_guard(p, x);
	if (s->ev)
		put_step_stats(p, s);
	json_array_foreach(s->calls, i, x)
		put_call(p, x);
	if (s->ev) {
		const json_t *a = json_object_get(s->ev, "action"), *ma = json_object_get(s->ev, "model_action");
		put(p, "<details class=\"json\"><summary>action JSON</summary><pre>");
		char *t = a ? json_dumps(a, JSON_COMPACT) : NULL;
		put(p, "action (screen pixels): ");
		esc(p, t ? t : "none");
		free(t);
		if (ma && !json_is_null(ma)) {
			t = json_is_string(ma) ? NULL : json_dumps(ma, JSON_COMPACT);
			put(p, "\nas the model wrote it: ");
			esc(p, json_is_string(ma) ? json_string_value(ma) : t ? t : "?");
			free(t);
		}
		put(p, "</pre></details>");
	}
	if (s->board) {
		put(p, "<details class=\"board\"><summary>blackboard after this step</summary>");
		put_json_pre(p, s->board);
		put(p, "</details>");
	}
	put(p, "</div></section>\n");
}

static void put_models(struct page *p, const json_t *models)
{
	size_t i;
	json_t *m;
	json_array_foreach(models, i, m)
	{
		if (i)
			put(p, ", ");
		if (json_is_string(m)) {
			esc_max(p, json_string_value(m), 200);
		} else {
			const char *name = magi__json_str(m, "name", magi__json_str(m, "model", NULL));
			const char *role = magi__json_str(m, "role", NULL);
			if (name) {
				esc_max(p, name, 200);
				if (role) {
					put(p, " (");
					esc_max(p, role, 80);
					put(p, ")");
				}
			} else {
				char *t = json_dumps(m, JSON_COMPACT);
				esc_max(p, t ? t : "?", 300);
				free(t);
			}
		}
	}
}

static void put_meta(struct page *p, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	putf(p, "<dt>%s</dt><dd>", name);
	esc_max(p, value, 2000);
	put(p, "</dd>");
}

static void put_header(struct page *p, const struct run *r)
{
	const json_t *st = r->start, *end = r->end;
	const char *task = magi__json_str(st, "task", NULL);
	put(p, "<header><div class=\"wrap\"><div class=\"brand\">magi run report</div><h1>");
	esc_max(p, task ? task : "(no task recorded)", 2000);
	put(p, "</h1>");
	if (end) {
		json_t *succ = json_object_get(end, "success");
		const char *cls = json_is_true(succ) ? "ok" : json_is_false(succ) ? "fail" : "";
		putf(p, "<span class=\"outcome %s\">%s \xC2\xB7 ", cls,
		     json_is_true(succ) ? "succeeded" : json_is_false(succ) ? "failed" : "ended");
		esc_max(p, magi__json_str(end, "reason", "?"), 80);
		put(p, "</span>");
	} else {
		put(p, "<span class=\"outcome open\">unfinished \xC2\xB7 the trace has no run_end (killed or "
		       "still running)</span>");
	}
	put(p, "<dl class=\"meta\">");
	put_meta(p, "command", magi__json_str(st, "command", NULL));
	put_meta(p, "recipe", magi__json_str(st, "recipe", NULL));
	put_meta(p, "environment", magi__json_str(st, "env", NULL));
	json_t *models = json_object_get(st, "models");
	if (json_is_array(models) && json_array_size(models)) {
		put(p, "<dt>models</dt><dd>");
		put_models(p, models);
		put(p, "</dd>");
	}
	put_meta(p, "started", magi__json_str(st, "t", NULL));
	put_meta(p, "error", magi__json_str(end, "error", NULL));
	put(p, "</dl>");
	const char *answer = magi__json_str(end, "answer", NULL);
	if (answer) {
		put(p, "<div class=\"answer\"><span class=\"k\">Answer</span>");
		esc(p, answer);
		put(p, "</div>");
	}
	long steps = magi__json_int(end, "steps", r->n_step_events);
	long pt = magi__json_int(end, "prompt_tokens", r->ptok), ct = magi__json_int(end, "completion_tokens", r->ctok);
	double wall = magi__json_num(end, "wall_ms", NAN);
	if (!isfinite(wall) && isfinite(r->t_first) && isfinite(r->t_last))
		wall = (r->t_last - r->t_first) * 1000;
	put(p, "<div class=\"totals\"><div><b>");
	put_count(p, steps);
	put(p, "</b>steps</div><div><b>");
	put_count(p, r->n_calls);
	put(p, "</b>model calls</div><div><b>");
	put_count(p, MAGI_MAX(0, pt) + MAGI_MAX(0, ct));
	put(p, "</b>tokens (");
	put_count(p, MAGI_MAX(0, pt));
	put(p, " in + ");
	put_count(p, MAGI_MAX(0, ct));
	put(p, " out)</div><div><b>");
	put_ms(p, isfinite(wall) ? wall : 0);
	put(p, "</b>wall time</div><div><b>");
	put_ms(p, r->call_ms);
	put(p, "</b>waiting for models</div></div>");
	if (r->n_steps) {
		put(p, "<nav class=\"strip\" aria-label=\"steps\">");
		for (size_t i = 0; i < r->n_steps; i++) {
			const struct rstep *s = &r->steps[i];
			const char *verdict = NULL;
			bool denied = false;
			size_t j;
			json_t *x;
			json_array_foreach(s->refls, j, x)
				verdict = magi__json_str(x, "verdict", verdict);
			json_array_foreach(s->guards, j, x)
				denied |= !strcmp(magi__json_str(x, "decision", ""), "deny");
			const char *vc = verdict_class(verdict);
			putf(p, "<a href=\"#step-%zu\" class=\"%s%s%s\" title=\"", i + 1, *vc ? "v-" : "", vc,
			     denied ? " denied" : "");
			if (s->ev)
				put_action_summary(p, json_object_get(s->ev, "action"));
			putf(p, "\">%ld</a>", s->n);
		}
		put(p, "</nav>");
	}
	if (r->board) {
		put(p, "<details class=\"board\"><summary>blackboard at the end</summary>");
		put_json_pre(p, r->board);
		put(p, "</details>");
	}
	put(p, "</div></header>\n");
}

/* "12.5" seconds -> "0:12.5" */
static void put_clock(struct page *p, double s)
{
	if (!isfinite(s) || s < 0) {
		put(p, "?");
		return;
	}
	long ds = lround(s * 10);
	putf(p, "%ld:%02ld.%ld", ds / 600, (ds / 10) % 60, ds % 10);
}

static void put_evidence(struct page *p, const json_t *evidence)
{
	if (!json_array_size(evidence))
		return;
	put(p, "<section class=\"extra evidence\"><h2>Evidence</h2><table><tr><th>time</th>"
	       "<th>what was seen</th><th>frame</th></tr>");
	size_t i;
	json_t *e;
	json_array_foreach(evidence, i, e)
	{
		put(p, "<tr class=\"ev\"><td>");
		put_clock(p, num_or_nan(e, "start"));
		put(p, "\xE2\x80\x93");
		put_clock(p, num_or_nan(e, "end"));
		put(p, "</td><td>");
		esc(p, magi__json_str(e, "description", ""));
		put(p, "</td><td>");
		const char *img = magi__json_str(e, "image", NULL);
		if (img) {
			struct magi_buf url;
			magi_buf_init(&url, REPORT_MAX);
			char why[200] = "";
			uint32_t iw, ih;
			if (image_url(p->dir, img, p->thumb_budget, THUMB_BOX_W, false, &url, &iw, &ih, why,
				      sizeof why)) {
				put(p, "<img alt=\"evidence frame\" src=\"");
				putn(p, url.data, url.len);
				put(p, "\">");
			} else {
				esc(p, why);
			}
			magi_buf_release(&url);
		}
		put(p, "</td></tr>");
	}
	put(p, "</table></section>\n");
}

/* The calls without a step number made after the slot-th step event (step number step_n),
 * or before the first step event for slot 0. */
static void put_loose_calls(struct page *p, const struct run *r, long slot, long step_n)
{
	bool any = false;
	for (size_t i = 0; i < r->n_loose; i++) {
		if (r->loose[i].slot != slot)
			continue;
		if (!any) {
			if (!r->n_step_events)
				put(p, "<section class=\"extra calls\"><h2>Model calls</h2>");
			else if (!slot)
				put(p, "<section class=\"extra calls\"><h2>Model calls before the first step</h2>");
			else
				putf(p, "<section class=\"extra calls\"><h2>Model calls after step %ld</h2>", step_n);
			any = true;
		}
		put_call(p, r->loose[i].ev);
	}
	if (any)
		put(p, "</section>\n");
}

/* Each image's share of the byte budget: the budget split evenly, within [lo, hi]. */
static size_t share(size_t budget, size_t n, size_t lo, size_t hi)
{
	size_t b = n ? budget / n : hi;
	return MAGI_MAX(lo, MAGI_MIN(hi, b));
}

magi_status magi_trace_write_report(const char *dir, struct magi_error *err)
{
	return magi_trace_write_report_at(dir, NULL, err);
}

magi_status magi_trace_write_report_at(const char *run, char **written, struct magi_error *err)
{
	return magi__trace_write_report_sync(run, written, true, err);
}

magi_status magi__trace_write_report_sync(const char *run, char **written, bool sync, struct magi_error *err)
{
	if (written)
		*written = NULL;
	if (!run)
		return magi_error_set(err, MAGI_ERR_INVALID, "magi_trace_write_report: no run directory given");
	json_t *events = NULL;
	magi_status s = magi__trace_load(run, &events, err);
	if (s)
		return s;
	/* a trace.jsonl given by name: its directory is the run directory */
	struct magi_buf rundir;
	magi_buf_init(&rundir, 0);
	struct stat st;
	const char *slash = strrchr(run, '/');
	if (stat(run, &st) == 0 && !S_ISDIR(st.st_mode))
		s = slash ? magi_buf_append(&rundir, run, (size_t)(slash - run) + (slash == run)) : magi_buf_puts(&rundir, ".");
	else
		s = magi_buf_puts(&rundir, run);
	if (s) {
		json_decref(events);
		return magi_error_set(err, s, NULL);
	}
	const char *dir = rundir.data;
	struct run r;
	s = run_collect(&r, events);
	if (s) {
		run_release(&r);
		json_decref(events);
		s = magi_error_set(err, s, "cannot gather the events of %s/trace.jsonl", dir);
		magi_buf_release(&rundir);
		return s;
	}
	size_t n_shots = 0, n_thumbs = 0, i;
	json_t *x;
	for (size_t k = 0; k < r.n_steps; k++) {
		n_shots += magi__json_str(r.steps[k].ev, "image", NULL) != NULL;
		json_array_foreach(r.steps[k].refls, i, x)
			n_thumbs += magi__json_str(x, "image_after", NULL) != NULL;
	}
	json_array_foreach(r.evidence, i, x)
		n_thumbs += magi__json_str(x, "image", NULL) != NULL;

	struct page p;
	memset(&p, 0, sizeof p);
	magi_buf_init(&p.b, REPORT_MAX);
	p.dir = dir;
	p.shot_budget = share(SHOTS_BUDGET, n_shots, SHOT_MIN_BYTES, SHOT_MAX_BYTES);
	p.thumb_budget = share(THUMBS_BUDGET, n_thumbs, THUMB_MIN_BYTES, THUMB_MAX_BYTES);

	put(&p, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
		"style-src 'unsafe-inline'\">"
		"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>magi \xC2\xB7 ");
	esc_max(&p, magi__json_str(r.start, "task", "run report"), 120);
	put(&p, "</title><style>");
	for (size_t k = 0; k < MAGI_ARRAY_LEN(CSS); k++)
		put(&p, CSS[k]);
	put(&p, "</style></head><body>\n");
	put_header(&p, &r);
	put(&p, "<main class=\"wrap\">\n");
	/* Steps in order, each followed by the step-less calls made after its step event. */
	long slot = 0;
	put_loose_calls(&p, &r, slot, 0);
	for (size_t k = 0; k < r.n_steps; k++) {
		put_step(&p, &r.steps[k], k);
		if (r.steps[k].ev)
			put_loose_calls(&p, &r, ++slot, r.steps[k].n);
	}
	put_evidence(&p, r.evidence);
	if (!r.n_steps && !r.n_loose && !json_array_size(r.evidence))
		put(&p, "<section class=\"extra\">The trace holds no steps, calls or evidence yet.</section>");
	putf(&p, "</main><footer class=\"wrap\">magi %s \xC2\xB7 %zu events from trace.jsonl", MAGI_VERSION,
	     r.n_events);
	if (!r.end)
		put(&p, " \xC2\xB7 the run did not finish");
	put(&p, "</footer></body></html>\n");

	if (p.st) {
		s = magi_error_set(err, p.st, "cannot build the report of %s: %s", dir, magi_strerror(p.st));
	} else {
		struct magi_buf path;
		magi_buf_init(&path, 0);
		if (!(s = magi_buf_printf(&path, "%s/report.html", dir)))
			s = magi__file_write_sync(path.data, p.b.data, p.b.len, sync, err);
		if (!s && written && !(*written = magi_buf_detach(&path, NULL)))
			s = magi_error_set(err, MAGI_ERR_NOMEM, NULL);
		magi_buf_release(&path);
	}
	magi_buf_release(&p.b);
	magi_buf_release(&rundir);
	run_release(&r);
	json_decref(events);
	return s;
}
