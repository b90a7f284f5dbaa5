/* test_eval_suite.c — suite files in every format magi eval reads, the messages bad ones
 * get (file, line, problem), the benchmarks' letter extraction, shards from flags and
 * from Slurm/Kubernetes variables, and the summary's arithmetic on known results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "core/json.h"
#include "core/yaml.h"
#include "eval/eval_internal.h"

static char dir[64];

static const char *put(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	REQUIRE(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static struct magi_eval_suite *load_ok(const char *name, const char *text)
{
	struct magi_eval_suite *s = NULL;
	struct magi_error err;
	magi_status st = magi_eval_suite_load(put(name, text), NULL, &s, &err);
	CHECK_MSG(st == MAGI_OK, "%s: %s", name, magi_error_text(&err));
	return s;
}

/* Loading fails and the message holds every needle (NULL-terminated). */
static void load_bad(const char *name, const char *text, const char *n1, const char *n2)
{
	struct magi_eval_suite *s = NULL;
	struct magi_error err;
	magi_error_clear(&err);
	magi_status st = magi_eval_suite_load(put(name, text), NULL, &s, &err);
	CHECK_MSG(st != MAGI_OK && !s, "%s loaded but should not", name);
	CHECK_CONTAINS(err.msg, n1);
	if (n2)
		CHECK_CONTAINS(err.msg, n2);
	magi_eval_suite_free(s);
}

static json_t *item(struct magi_eval_suite *s, size_t i)
{
	char *j = magi_eval_suite_item_json(s, i);
	json_t *o = NULL;
	if (j)
		magi__json_parse(j, strlen(j), "item", &o, NULL);
	free(j);
	return o;
}

static void formats(void)
{
	put("shot.png", "not really an image, but it exists");
	put("a.mp4", "x");
	/* ScreenSpot v2: bbox x,y,w,h becomes x1,y1,x2,y2 */
	struct magi_eval_suite *s = load_ok("ss2.json",
					    "[\n {\"img_filename\": \"shot.png\", \"bbox\": [10, 20, 30, 40],\n"
					    "  \"instruction\": \"open settings\", \"data_type\": \"icon\", \"data_source\": \"ios\"},\n"
					    " {\"img_filename\": \"shot.png\", \"bbox\": [1, 2, 3, 4], \"instruction\": \"x\", \"data_type\": \"text\", \"data_source\": \"android\"}\n]\n");
	if (s) {
		CHECK_STR(magi_eval_suite_format(s), "screenspot");
		CHECK(magi_eval_suite_kind(s) == MAGI_EVAL_GROUND);
		CHECK(magi_eval_suite_count(s) == 2);
		json_t *it = item(s, 0);
		json_t *bb = json_object_get(it, "bbox");
		CHECK(json_number_value(json_array_get(bb, 2)) == 40 && json_number_value(json_array_get(bb, 3)) == 60);
		CHECK_STR(magi__json_str(it, "ui_type", ""), "icon");
		CHECK_STR(magi__json_str(it, "platform", ""), "ios");
		CHECK_STR(magi_eval_suite_item_id(s, 1), "item-1");
		json_decref(it);
		magi_eval_suite_free(s);
	}
	/* ScreenSpot-Pro keeps x1,y1,x2,y2 and its breakdown fields */
	s = load_ok("pro.json", "[{\"id\": \"p0\", \"img_filename\": \"shot.png\", \"bbox\": [100, 50, 140, 70],"
				"\"img_size\": [2560, 1440], \"instruction\": \"the crop tool\", \"application\": \"gimp\","
				"\"platform\": \"linux\", \"group\": \"Creative\", \"ui_type\": \"icon\"}]");
	if (s) {
		CHECK_STR(magi_eval_suite_format(s), "screenspot-pro");
		json_t *it = item(s, 0);
		CHECK(json_number_value(json_array_get(json_object_get(it, "bbox"), 2)) == 140);
		CHECK_STR(magi__json_str(it, "group", ""), "Creative");
		CHECK(magi__json_bool(it, "negative", true) == false);
		json_decref(it);
		magi_eval_suite_free(s);
	}
	/* Video-MME rows: the video is <videoID>.mp4 beside the suite */
	s = load_ok("mme.jsonl", "{\"videoID\": \"a\", \"question_id\": \"a-1\", \"duration\": \"short\", \"task_type\": \"OCR Problems\","
				 "\"question\": \"What code?\", \"options\": [\"A. 1\", \"B. 2\", \"C. 3\", \"D. 4\"], \"answer\": \"C\"}\n");
	if (s) {
		CHECK_STR(magi_eval_suite_format(s), "video-mme");
		CHECK_STR(magi_eval_suite_item_id(s, 0), "a-1");
		json_t *it = item(s, 0);
		CHECK_STR(magi__json_str(it, "letters", ""), "ABCD");
		CHECK_STR(magi__json_str(it, "category", ""), "OCR Problems");
		CHECK(strstr(magi__json_str(it, "video", ""), "/a.mp4") != NULL);
		json_decref(it);
		magi_eval_suite_free(s);
	}
	/* LongVideoBench with option0.. and "N/A" for unused slots */
	s = load_ok("lvb.json", "[{\"id\": \"l1\", \"video_id\": \"a\", \"question\": \"Which?\", \"option0\": \"x\", \"option1\": \"y\","
				"\"option2\": \"z\", \"option3\": \"N/A\", \"option4\": \"N/A\", \"correct_choice\": 2,"
				"\"duration_group\": 600, \"question_category\": \"T3E\"}]");
	if (s) {
		CHECK_STR(magi_eval_suite_format(s), "longvideobench");
		json_t *it = item(s, 0);
		CHECK(json_array_size(json_object_get(it, "choices")) == 3);
		CHECK_STR(magi__json_str(it, "answer", ""), "C");
		CHECK_STR(magi__json_str(it, "duration", ""), "600");
		CHECK_STR(json_string_value(json_array_get(json_object_get(it, "choices"), 1)), "B. y");
		json_decref(it);
		magi_eval_suite_free(s);
	}
	/* gen-pii-shots: lines grouped into one item per image */
	s = load_ok("truth.jsonl", "{\"file\": \"shot.png\", \"type\": \"email\", \"text\": \"a@b.com\", \"box\": [1,2,3,4]}\n"
				   "{\"file\": \"shot.png\", \"type\": \"card\", \"text\": \"4111 1111 1111 1111\", \"box\": [5,6,7,8]}\n"
				   "{\"file\": \"shot.png\", \"type\": \"none\", \"text\": \"order 12\", \"box\": [5,6,7,8]}\n");
	if (s) {
		CHECK(magi_eval_suite_kind(s) == MAGI_EVAL_PRIVACY && magi_eval_suite_count(s) == 1);
		json_t *it = item(s, 0);
		CHECK(json_array_size(json_object_get(it, "truth")) == 2);
		CHECK(magi__json_int(it, "decoys", 0) == 1 && !magi__json_bool(it, "clean", true));
		json_decref(it);
		magi_eval_suite_free(s);
	}
	/* magi's own: a header and GUI tasks */
	s = load_ok("gui.jsonl", "# a comment\n---\nname: demo\nkind: gui\nmax_steps: 5\n---\n\n"
				 "{\"id\": \"t1\", \"task\": \"Close it\", \"setup\": [\"xlogo\"], \"check\": [{\"window\": \"xlogo\", \"present\": false}], \"ref_steps\": 1}\n"
				 "# another comment\n{\"id\": \"t2\", \"task\": \"Fly\", \"infeasible\": true}\n");
	if (s) {
		CHECK_STR(magi_eval_suite_name(s), "demo");
		CHECK(magi_eval_suite_count(s) == 2);
		json_t *it = item(s, 1);
		CHECK(magi__json_bool(it, "infeasible", false));
		CHECK(magi__json_int(it, "line", 0) == 10);
		json_decref(it);
		magi_eval_suite_free(s);
	}
}

static void errors(void)
{
	load_bad("e1.jsonl", "{\"task\": \"a\", \"id\": \"x\", \"check\": [{\"cmd\": \"true\"}]}\n{\"task\": \"b\", \"id\": \"y\"\n",
		 "e1.jsonl:2:", "invalid JSON");
	load_bad("e2.jsonl", "---\nkind: gui\nscreen: big\n---\n{\"id\": \"a\", \"task\": \"t\", \"check\": [{\"cmd\": \"true\"}]}\n",
		 "e2.jsonl", "\"screen\" must be");
	load_bad("e3.jsonl", "---\nkind: gui\nfoo: 1\n---\n{\"id\": \"a\", \"task\": \"t\"}\n", "unknown key \"foo\"", NULL);
	load_bad("e4.jsonl", "---\nkind: gui\n---\n{\"id\": \"a\", \"task\": \"t\", \"check\": [{\"cmd\": \"true\"}]}\n"
			     "{\"id\": \"a\", \"task\": \"u\", \"check\": [{\"cmd\": \"true\"}]}\n",
		 "e4.jsonl:5:", "duplicate id \"a\" (first on line 4)");
	load_bad("e5.jsonl", "---\nkind: gui\n---\n{\"id\": \"a\", \"task\": \"t\"}\n", "e5.jsonl:4:", "at least one checker");
	load_bad("e6.jsonl", "---\nkind: gui\n---\n{\"id\": \"a\", \"task\": \"t\", \"check\": [{\"file\": \"f\", \"regex\": \"(\"}]}\n",
		 "e6.jsonl:4:", "bad regex");
	load_bad("e7.json", "[\n{\"img_filename\": \"shot.png\", \"bbox\": [1,2,3,4], \"instruction\": \"a\", \"img_size\": [10, 10]},\n\n"
			    "{\"img_filename\": \"shot.png\", \"bbox\": [5,2,3,4], \"instruction\": \"b\", \"img_size\": [10, 10]}\n]",
		 "e7.json:4:", "x2 must exceed x1");
	load_bad("e8.json", "[{\"img_filename\": \"missing.png\", \"bbox\": [1,2,3,4], \"instruction\": \"a\"}]",
		 "e8.json:1:", "file 'missing.png' not found");
	load_bad("e9.jsonl", "{\"hello\": 1}\n", "e9.jsonl:1:", "cannot tell the suite's format");
	load_bad("e10.jsonl", "\n\n# only comments\n", "holds no items", NULL);
	load_bad("e11.jsonl", "---\nkind: gui\n{\"id\": \"a\"}\n", "never closed", NULL);
	load_bad("e12.json", "[{\"img_filename\": \"shot.png\", \"bbox\": [1,2,3,4], \"instruction\": \"a\"},\n", "e12.json", "not closed");
	load_bad("e13.jsonl", "{\"videoID\": \"a\", \"question\": \"q\", \"options\": [\"A. 1\", \"C. 2\"], \"answer\": \"A\"}\n",
		 "e13.jsonl:1:", "does not start with \"B.\"");
	load_bad("e14.jsonl", "{\"videoID\": \"a\", \"question\": \"q\", \"options\": [\"A. 1\", \"B. 2\"], \"answer\": \"E\"}\n",
		 "e14.jsonl:1:", "not one of the choice letters AB");
	load_bad("e15.jsonl", "{\"action\": {\"action\": \"teleport\"}, \"expected\": \"ask\"}\n", "e15.jsonl:1:", "\"action\"");
	load_bad("e16.jsonl", "---\nkind: gui\n---\n{\"id\": \"a\", \"task\": \"t\", \"check\": [{\"window\": \"x\", \"bogus\": 1}]}\n",
		 "e16.jsonl:4:", "unknown key \"bogus\"");
	load_bad("e17.jsonl", "[1, 2]", "e17.jsonl", "must be a JSON object");
	load_bad("e18.jsonl", "---\nkind: gui\nenv: wayland\n---\n{\"id\": \"a\", \"task\": \"t\", \"check\": [{\"cmd\": \"true\"}]}\n",
		 "e18.jsonl", "\"env\" must be x11");
	struct magi_eval_suite *s;
	struct magi_error err;
	CHECK(magi_eval_suite_load("/nonexistent/suite.jsonl", NULL, &s, &err) == MAGI_ERR_NOT_FOUND);
	CHECK_CONTAINS(err.msg, "/nonexistent/suite.jsonl");
}

static void letters(void)
{
	static const struct {
		const char *reply, *letters, *want;
	} cases[] = {
		{"B", "ABCD", "B"},
		{"The best answer is C.", "ABCD", "C"},
		{"The answer is (D) because the sign reads 4821", "ABCD", "D"},
		/* the scripts' first-capital rule misfires here, and so must ours */
		{"Based on the frames, the answer is C", "ABCD", "B"},
		{"i cannot tell from these frames what the sign says at that place at all", "ABCD", ""},
		{"e", "ABCDE", ""},
		{"E) 42", "ABCDE", "E"},
		{"E) 42", "ABCD", ""},
		{"", "ABCD", ""},
		/* the two prefixes the missing commas glued together are stripped whole */
		{"The best option isThe correct option is A", "ABCD", "A"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char got[2];
		magi__eval_extract_letter(cases[i].reply, cases[i].letters, got);
		CHECK_MSG(!strcmp(got, cases[i].want), "'%s' gave '%s', want '%s'", cases[i].reply, got, cases[i].want);
	}
	char got[2];
	magi__eval_extract_letter(NULL, "ABCD", got);
	CHECK(got[0] == '\0');
}

static void shards(void)
{
	struct magi_eval_shard sh;
	struct magi_error err;
	CHECK(magi_eval_shard_parse("2/4", &sh, &err) == MAGI_OK && sh.index == 2 && sh.count == 4);
	CHECK(magi_eval_shard_parse("4/4", &sh, &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "counts from 0");
	CHECK(magi_eval_shard_parse("a/4", &sh, &err) == MAGI_ERR_INVALID);
	CHECK(magi_eval_shard_parse("3", &sh, &err) == MAGI_ERR_INVALID);
	bool found = true;
	unsetenv("SLURM_ARRAY_TASK_ID");
	unsetenv("JOB_COMPLETION_INDEX");
	CHECK(magi_eval_shard_from_env(&sh, &found, &err) == MAGI_OK && !found);
	setenv("SLURM_ARRAY_TASK_ID", "5", 1);
	setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
	setenv("SLURM_ARRAY_TASK_MIN", "3", 1);
	CHECK(magi_eval_shard_from_env(&sh, &found, &err) == MAGI_OK && found && sh.index == 2 && sh.count == 4);
	setenv("SLURM_ARRAY_TASK_ID", "9", 1);
	CHECK(magi_eval_shard_from_env(&sh, &found, &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "outside the array");
	unsetenv("SLURM_ARRAY_TASK_ID");
	unsetenv("SLURM_ARRAY_TASK_MIN");
	setenv("JOB_COMPLETION_INDEX", "1", 1);
	unsetenv("MAGI_SHARD_COUNT");
	CHECK(magi_eval_shard_from_env(&sh, &found, &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "MAGI_SHARD_COUNT");
	setenv("MAGI_SHARD_COUNT", "3", 1);
	CHECK(magi_eval_shard_from_env(&sh, &found, &err) == MAGI_OK && found && sh.index == 1 && sh.count == 3);
	setenv("JOB_COMPLETION_INDEX", "x", 1);
	CHECK(magi_eval_shard_from_env(&sh, &found, &err) == MAGI_ERR_INVALID);
	CHECK_CONTAINS(err.msg, "JOB_COMPLETION_INDEX='x'");
	unsetenv("JOB_COMPLETION_INDEX");
}

static json_t *parse(const char *t)
{
	json_t *j = NULL;
	REQUIRE(magi__json_parse(t, strlen(t), "test", &j, NULL) == MAGI_OK);
	return j;
}

static void summaries(void)
{
	json_t *meta = parse("{\"kind\": \"ground\", \"items\": 5}");
	json_t *res = parse("[{\"id\":\"a\",\"success\":true,\"group\":\"Dev\",\"ui_type\":\"icon\",\"own_ms\":4},"
			    "{\"id\":\"b\",\"success\":false,\"group\":\"Dev\",\"ui_type\":\"text\",\"outcome\":\"wrong_format\",\"own_ms\":6},"
			    "{\"id\":\"c\",\"success\":true,\"group\":\"CAD\",\"ui_type\":\"text\",\"own_ms\":8},"
			    "{\"id\":\"d\",\"success\":true,\"negative\":true},"
			    "{\"id\":\"e\",\"success\":false,\"status\":\"error\",\"group\":\"CAD\"}]");
	json_t *s = magi__eval_summarise(meta, res);
	json_t *g = json_object_get(s, "ground");
	CHECK(magi__json_int(g, "positives", 0) == 4 && magi__json_int(g, "correct", 0) == 2);
	CHECK(magi__json_num(g, "accuracy", 0) == 0.5);
	CHECK(magi__json_int(g, "wrong_format", 0) == 1);
	CHECK(magi__json_int(json_object_get(g, "negatives"), "n", 0) == 1);
	CHECK(magi__json_num(g, "own_ms_median", 0) == 6);
	json_t *dev = json_object_get(json_object_get(json_object_get(s, "by"), "group"), "Dev");
	CHECK(magi__json_int(dev, "n", 0) == 2 && magi__json_num(dev, "rate", 0) == 0.5);
	CHECK(magi__json_int(s, "errors", 0) == 1 && magi__json_int(s, "items", 0) == 5);
	json_decref(s);
	json_decref(meta);
	json_decref(res);

	meta = parse("{\"kind\": \"gui\", \"items\": 4}");
	res = parse("[{\"id\":\"a\",\"success\":true,\"feasible\":true,\"step_ratio\":1.0,\"steps\":2,\"termination\":\"self_reported\",\"claimed\":true},"
		    "{\"id\":\"b\",\"success\":true,\"feasible\":true,\"step_ratio\":3.0,\"overdue\":true,\"steps\":4,\"termination\":\"self_reported\",\"claimed\":true},"
		    "{\"id\":\"c\",\"success\":false,\"feasible\":true,\"early\":true,\"steps\":1,\"termination\":\"self_reported\",\"claimed\":true},"
		    "{\"id\":\"d\",\"success\":true,\"feasible\":false,\"steps\":1,\"termination\":\"gave_up\",\"prompt_tokens\":80,\"completion_tokens\":20}]");
	s = magi__eval_summarise(meta, res);
	g = json_object_get(s, "gui");
	CHECK(magi__json_num(g, "mean_step_ratio_on_success", 0) == 2.0);
	CHECK(magi__json_num(g, "early_termination_rate", 0) == 1.0 / 3);
	CHECK(magi__json_num(g, "overdue_termination_rate", 0) == 1.0 / 3);
	CHECK(magi__json_num(json_object_get(g, "terminations"), "self_reported", 0) == 3);
	CHECK(magi__json_num(json_object_get(s, "tokens"), "per_step", 0) == 100.0 / 8);
	CHECK(magi__json_num(s, "success_rate", 0) == 0.75);
	json_decref(s);
	json_decref(meta);
	json_decref(res);
}

/* The Kubernetes manifest of docs/eval.md: an Indexed Job whose MAGI_SHARD_COUNT is its
 * completions and whose pods write one directory per index. */
static void k8s_manifest(void)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/examples/eval/k8s-indexed-job.yaml", getenv("MAGI_SRC_DIR") ? getenv("MAGI_SRC_DIR") : MAGI_SRC_DIR);
	json_t *j = NULL;
	struct magi_error err;
	REQUIRE(magi__yaml_load_file(path, &j, &err) == MAGI_OK);
	const json_t *spec = json_object_get(j, "spec");
	CHECK_STR(magi__json_str(j, "kind", ""), "Job");
	CHECK_STR(magi__json_str(spec, "completionMode", ""), "Indexed");
	const json_t *c = json_array_get(json_object_get(json_object_get(json_object_get(spec, "template"), "spec"), "containers"), 0);
	const json_t *env = json_object_get(c, "env");
	const char *count = NULL;
	for (size_t i = 0; i < json_array_size(env); i++)
		if (!strcmp(magi__json_str(json_array_get(env, i), "name", ""), "MAGI_SHARD_COUNT"))
			count = magi__json_str(json_array_get(env, i), "value", NULL);
	char want[32];
	snprintf(want, sizeof want, "%ld", magi__json_int(spec, "completions", -1));
	CHECK_STR(count, want);
	const char *args = json_string_value(json_array_get(json_object_get(c, "args"), 0));
	CHECK_CONTAINS(args, "magi eval run");
	CHECK_CONTAINS(args, "--out /results/shard-$JOB_COMPLETION_INDEX");
	CHECK_CONTAINS(args, "--resume");
	json_decref(j);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/magi-evalsuite-XXXXXX");
	REQUIRE(mkdtemp(dir));
	formats();
	errors();
	letters();
	shards();
	summaries();
	k8s_manifest();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_done();
}
