/* test_formats.c — the models' trained formats: names and aliases, the facts a preset
 * sets (coordinates, image patch, the model's own resize), the system message of the Qwen
 * family, and the readers of every format run over tests/data/formats/corpus.jsonl (replies
 * malformed the ways those models fail). Each corpus line must read as expected, or be
 * refused with a parse error (then the repair retry asks the model again).
 * With MAGI_FORMATS_REPORT=1 it also prints one line per format: read / repair / wrong
 * (bench/bench_formats.sh uses it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "magi/magi.h"
#include "agent/format.h"
#include "check.h"

struct tally {
	int read, repair, wrong, ignored_ok;
};

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-6;
}

/* One corpus case. true when the outcome is the expected one. */
static bool run_case(const struct magi_json *c, struct tally *t, int line)
{
	enum magi_format f;
	const char *fs = magi_json_str(c, "format", "");
	if (magi_format_parse(fs, &f)) {
		fprintf(stderr, "corpus line %d: unknown format %s\n", line, fs);
		return false;
	}
	const char *reply = magi_json_str(c, "reply", "");
	const struct magi_json *exp = magi_json_get(c, "expect");
	bool want_repair = magi_json_type_at(c, "expect") == MAGI_JSON_STRING;
	struct magi_error err = {0};
	bool ok;
	if (magi_format_grounding_only(f)) {
		double x, y;
		magi_status s = magi_format_read_point(f, reply, &x, &y, &err);
		if (want_repair)
			ok = s == MAGI_ERR_PARSE && err.msg[0];
		else
			ok = !s && near(x, magi_json_num(exp, "point.0", NAN)) && near(y, magi_json_num(exp, "point.1", NAN));
		if (!ok)
			fprintf(stderr, "corpus line %d (%s, %s): status %d (%s), point %g,%g\n", line, fs,
				magi_json_str(c, "what", ""), s, err.msg, s ? NAN : x, s ? NAN : y);
	} else {
		struct magi_json *o = NULL;
		magi_status s = magi_format_read_decision(f, reply, &o, &err);
		if (want_repair) {
			ok = s == MAGI_ERR_PARSE && err.msg[0];
		} else {
			struct magi_json *a = NULL;
			ok = !s && !magi_json_parse(magi_json_str(o, "action", ""), &a, NULL);
			for (size_t i = 0; ok && i < magi_json_len(exp, NULL); i++) {
				const char *k = magi_json_key(exp, i);
				if (magi_json_type_at(exp, k) == MAGI_JSON_NUMBER)
					ok = near(magi_json_num(a, k, NAN), magi_json_num(exp, k, NAN));
				else
					ok = !strcmp(magi_json_str(a, k, "(none)"), magi_json_str(exp, k, ""));
			}
			size_t ign = magi_json_len(o, "ignored");
			if (ok && ign != (size_t)magi_json_num(c, "ignored", 0))
				ok = false;
			else if (ok && ign)
				t->ignored_ok++;
			if (!ok) {
				char *txt = o ? magi_json_text(o, NULL) : NULL;
				fprintf(stderr, "corpus line %d (%s, %s): status %d (%s), read %s\n", line, fs,
					magi_json_str(c, "what", ""), s, err.msg, txt ? txt : "nothing");
				free(txt);
			}
			magi_json_free(a);
		}
		magi_json_free(o);
	}
	if (!ok)
		t->wrong++;
	else if (want_repair)
		t->repair++;
	else
		t->read++;
	return ok;
}

static void corpus(void)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/data/formats/corpus.jsonl", MAGI_SRC_DIR);
	struct magi_buf b;
	magi_buf_init(&b, 1u << 22);
	REQUIRE(!magi_file_read(path, &b, NULL));
	struct tally t[MAGI_FORMAT__COUNT] = {{0}};
	int cases = 0, line = 0;
	for (char *p = b.data; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		line++;
		if (*p && *p != '#') {
			struct magi_json *c = NULL;
			CHECK_MSG(!magi_json_parse(p, &c, NULL), "corpus line %d is not JSON", line);
			enum magi_format f = MAGI_FORMAT_MAGI;
			magi_format_parse(magi_json_str(c, "format", ""), &f);
			if (c) {
				CHECK_MSG(run_case(c, &t[f], line), "corpus line %d", line);
				cases++;
			}
			magi_json_free(c);
		}
		p = nl ? nl + 1 : NULL;
	}
	magi_buf_release(&b);
	CHECK(cases >= 60);
	bool report = getenv("MAGI_FORMATS_REPORT") && !strcmp(getenv("MAGI_FORMATS_REPORT"), "1");
	for (int f = 1; f < MAGI_FORMAT__COUNT; f++) {
		int n = t[f].read + t[f].repair + t[f].wrong;
		/* every preset has malformed replies that read and some that must be repaired */
		CHECK_MSG(t[f].read >= 4 && t[f].repair >= 1, "%s: %d read, %d repair", magi_format_name(f), t[f].read,
			  t[f].repair);
		if (report)
			printf("%-11s %2d replies: %2d read as meant (%d with further actions reported), %d refused -> repair "
			       "retry, %d wrong\n",
			       magi_format_name(f), n, t[f].read, t[f].ignored_ok, t[f].repair, t[f].wrong);
	}
}

static void names(void)
{
	enum magi_format f = MAGI_FORMAT_MAGI;
	CHECK(!magi_format_parse("UI-TARS-1.5", &f) && f == MAGI_FORMAT_UITARS);
	CHECK(!magi_format_parse("uitars-1.0", &f) && f == MAGI_FORMAT_UITARS1);
	CHECK(!magi_format_parse("Qwen2.5-VL", &f) && f == MAGI_FORMAT_QWEN25VL);
	CHECK(!magi_format_parse("mobile-agent-v3", &f) && f == MAGI_FORMAT_GUIOWL);
	CHECK(!magi_format_parse("seeclick", &f) && f == MAGI_FORMAT_SEECLICK);
	f = MAGI_FORMAT_QWEN3VL;
	CHECK(magi_format_parse("qwen4", &f) == MAGI_ERR_INVALID && f == MAGI_FORMAT_QWEN3VL);
	CHECK_STR(magi_format_name(MAGI_FORMAT_OSATLAS), "os-atlas");
	CHECK_STR(magi_format_name((enum magi_format)99), "unknown");
	CHECK(magi_format_grounding_only(MAGI_FORMAT_OSATLAS) && !magi_format_grounding_only(MAGI_FORMAT_UITARS));
}

static void facts(void)
{
	struct magi_model_params p = magi_model_params_default();
	magi_model_params_set_format(&p, MAGI_FORMAT_QWEN3VL);
	CHECK(p.coords == MAGI_COORDS_NORM1000 && p.image.patch == 32);
	magi_model_params_set_format(&p, MAGI_FORMAT_UITARS);
	CHECK(p.coords == MAGI_COORDS_PIXELS && p.model_resize.factor == 28);
	/* smart_resize(h=737, w=1000, 28, 100*28*28, 16384*28*28): 728 x 1008 (rounded to 28s) */
	uint32_t w, h;
	magi_model_space_size(&p, 1000, 737, &w, &h);
	CHECK_MSG(w == 1008 && h == 728, "%ux%u", w, h);
	/* an image already in whole patches is the model's own size */
	magi_model_space_size(&p, 1232, 700, &w, &h);
	CHECK_MSG(w == 1232 && h == 700, "%ux%u", w, h);
	/* a format speaking relative coordinates keeps the sent size */
	magi_model_params_set_format(&p, MAGI_FORMAT_OSATLAS);
	magi_model_space_size(&p, 1000, 737, &w, &h);
	CHECK(w == 1000 && h == 737);
}

static void system_message(void)
{
	struct magi_buf b;
	magi_buf_init(&b, 1u << 20);
	uint32_t desk = MAGI_ACT_BIT(MAGI_ACT_CLICK) | MAGI_ACT_BIT(MAGI_ACT_TYPE) | MAGI_ACT_BIT(MAGI_ACT_KEY);
	magi__format_system(MAGI_FORMAT_QWEN25VL, desk, 1232, 700, &b);
	CHECK_CONTAINS(b.data, "<tools>");
	CHECK_CONTAINS(b.data, "\"name\": \"computer_use\"");
	CHECK_CONTAINS(b.data, "resolution is 1232x700");
	CHECK(!strstr(b.data, "\"right_click\"")); /* not offered: the environment cannot */
	magi_buf_reset(&b);
	magi__format_system(MAGI_FORMAT_QWEN3VL, desk, 1232, 700, &b);
	CHECK_CONTAINS(b.data, "resolution is 1000x1000");
	magi_buf_reset(&b);
	magi__format_system(MAGI_FORMAT_GUIOWL, desk | MAGI_ACT_BIT(MAGI_ACT_BACK), 700, 1232, &b);
	CHECK_CONTAINS(b.data, "mobile_use");
	magi_buf_reset(&b);
	magi__format_system(MAGI_FORMAT_UITARS, desk, 1232, 700, &b);
	CHECK(b.len == 0);
	magi__format_actions(MAGI_FORMAT_UITARS1, desk, &b);
	CHECK_CONTAINS(b.data, "<|box_start|>");
	CHECK_CONTAINS(b.data, "call_user()");
	magi_buf_release(&b);
}

/* An action written in a format's own syntax (the demonstrations shown to a native model)
 * reads back, with that format's reader, as the same action. */
static void write_reads_back(void)
{
	static const char *const acts[] = {
		"{\"action\":\"click\",\"x\":412,\"y\":77}",
		"{\"action\":\"double_click\",\"x\":5,\"y\":900}",
		"{\"action\":\"right_click\",\"x\":10,\"y\":20}",
		"{\"action\":\"drag\",\"x\":1,\"y\":2,\"x2\":300,\"y2\":400}",
		"{\"action\":\"type\",\"text\":\"it's \\\"quoted\\\"\\nline two\"}",
		"{\"action\":\"key\",\"keys\":\"ctrl+shift+s\"}",
		"{\"action\":\"scroll\",\"direction\":\"up\",\"x\":640,\"y\":360}",
		"{\"action\":\"done\",\"success\":true}",
		"{\"action\":\"back\"}",
	};
	static const enum magi_format fmts[] = {MAGI_FORMAT_UITARS, MAGI_FORMAT_UITARS1, MAGI_FORMAT_QWEN25VL,
						MAGI_FORMAT_QWEN3VL, MAGI_FORMAT_GUIOWL};
	uint32_t desk = MAGI_ACT_BIT(MAGI_ACT_CLICK) | MAGI_ACT_BIT(MAGI_ACT_TYPE) | MAGI_ACT_BIT(MAGI_ACT_KEY);
	struct magi_buf b, j;
	magi_buf_init(&b, 1u << 16);
	magi_buf_init(&j, 1u << 16);
	uint32_t phone = desk | MAGI_ACT_BIT(MAGI_ACT_BACK) | MAGI_ACT_BIT(MAGI_ACT_HOME);
	for (size_t fi = 0; fi < 2 * sizeof fmts / sizeof *fmts; fi++) {
		uint32_t caps = fi % 2 ? phone : desk; /* the desktop's and the phone's action sets */
		for (size_t i = 0; i < sizeof acts / sizeof *acts; i++) {
			struct magi_action a, back;
			CHECK(!magi_action_parse_json(acts[i], strlen(acts[i]), &a, NULL));
			magi_buf_reset(&b);
			bool wrote = magi__format_write_action(fmts[fi / 2], caps, &a, &b);
			CHECK(wrote);
			/* a reply as the model writes it: reasoning, then the action */
			magi_buf_reset(&j);
			magi_buf_printf(&j, "%s%s", magi__format_family(fmts[fi / 2]) == MAGI__FAM_UITARS ? "Thought: go.\nAction: " : "",
					b.data);
			struct magi_json *o = NULL;
			struct magi_error err = {0};
			magi_status s = magi_format_read_decision(fmts[fi / 2], j.data, &o, &err);
			const char *txt = magi_json_str(o, "action", "");
			bool same = !s && !magi_action_parse_json(txt, strlen(txt), &back, NULL);
			if (same) {
				/* a phone swipes where a desktop drags: the same gesture */
				bool swipe = a.kind == MAGI_ACT_DRAG && back.kind == MAGI_ACT_SWIPE && caps == phone;
				same = (back.kind == a.kind || swipe) && back.has_point == a.has_point && back.x == a.x && back.y == a.y &&
				       back.x2 == a.x2 && back.y2 == a.y2 && back.dir == a.dir &&
				       !strcmp(back.text ? back.text : "", a.text ? a.text : "");
				magi_action_release(&back);
			}
			if (!same)
				fprintf(stderr, "%s: %s written as %s read back as %s (%s)\n", magi_format_name(fmts[fi / 2]), acts[i],
					b.data, txt, err.msg);
			CHECK(same);
			magi_json_free(o);
			magi_action_release(&a);
		}
	}
	/* formats without a syntax of their own write nothing */
	struct magi_action a;
	CHECK(!magi_action_parse_json(acts[0], strlen(acts[0]), &a, NULL));
	magi_buf_reset(&b);
	CHECK(!magi__format_write_action(MAGI_FORMAT_MAGI, desk, &a, &b) && b.len == 0);
	CHECK(!magi__format_write_action(MAGI_FORMAT_OSATLAS, desk, &a, &b) && b.len == 0);
	magi_action_release(&a);
	magi_buf_release(&b);
	magi_buf_release(&j);
}

int main(void)
{
	names();
	facts();
	system_message();
	write_reads_back();
	corpus();
	return check_done();
}
