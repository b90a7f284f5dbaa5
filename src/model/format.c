/* format.c — what the model layer knows of a model's trained format: its name, the
 * coordinates it speaks, how it sees images (the model's own resize), and the magi.yaml
 * settings that go with formats (format, extra_body, drop_params). The prompts and reply
 * readers live in the agent layer (src/agent/format*.c). Sources: docs/models.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/json.h"
#include "model/model_internal.h"
#include "core/common.h"

static const char *const names[] = {
#define MAGI__X(n, s, d) s,
	MAGI_FORMATS(MAGI__X)
#undef MAGI__X
};
static const char *const descriptions[] = {
#define MAGI__X(n, s, d) d,
	MAGI_FORMATS(MAGI__X)
#undef MAGI__X
};

/* Model-side facts per format. */
static const struct {
	enum magi_coord_space coords;
	uint32_t patch;			    /* the model's patch merge size (image policy) */
	struct magi_model_resize resize;    /* pixel coordinates: the model's own resize */
} facts[MAGI_FORMAT__COUNT] = {
	[MAGI_FORMAT_MAGI] = {MAGI_COORDS_PIXELS, 28, {0, 0, 0}},
	/* UI-TARS-1.5 (a Qwen2.5-VL model): absolute pixels of smart_resize(28, 100*28*28,
	 * 16384*28*28) of its input (bytedance/UI-TARS README_coordinates.md, action_parser.py) */
	[MAGI_FORMAT_UITARS] = {MAGI_COORDS_PIXELS, 28, {28, 100 * 28 * 28, 16384 * 28 * 28}},
	/* UI-TARS 1.0 (Qwen2-VL): relative, divided by factor 1000 (action_parser.py, qwen2vl) */
	[MAGI_FORMAT_UITARS1] = {MAGI_COORDS_NORM1000, 28, {0, 0, 0}},
	/* Qwen2.5-VL: absolute pixels of its smart_resize (min_pixels 3136, max_pixels
	 * 12845056, the processor's defaults used by the computer-use cookbook) */
	[MAGI_FORMAT_QWEN25VL] = {MAGI_COORDS_PIXELS, 28, {28, 3136, 12845056}},
	/* Qwen3-VL: relative 0-1000 ("resolution 1000x1000" in the tool), patch 32 */
	[MAGI_FORMAT_QWEN3VL] = {MAGI_COORDS_NORM1000, 32, {0, 0, 0}},
	/* GUI-Owl: pixels of smart_resize(28, 3136, 10035200) (Mobile-Agent-v3 gui_owl.py) */
	[MAGI_FORMAT_GUIOWL] = {MAGI_COORDS_PIXELS, 28, {28, 3136, 10035200}},
	/* OS-Atlas-Base-7B (Qwen2-VL): relative 0-1000 (model card) */
	[MAGI_FORMAT_OSATLAS] = {MAGI_COORDS_NORM1000, 28, {0, 0, 0}},
	/* SeeClick: points in 0-1 (SeeClick pretrain/screenspot_test.py) */
	[MAGI_FORMAT_SEECLICK] = {MAGI_COORDS_NORM1, 28, {0, 0, 0}},
};

static const struct {
	const char *alias;
	enum magi_format f;
} aliases[] = {
	{"ui-tars", MAGI_FORMAT_UITARS},	{"ui-tars-1.5", MAGI_FORMAT_UITARS},
	{"uitars-1.5", MAGI_FORMAT_UITARS},	{"ui-tars-1.0", MAGI_FORMAT_UITARS1},
	{"uitars1", MAGI_FORMAT_UITARS1},	{"uitars-v1", MAGI_FORMAT_UITARS1},
	{"qwen25vl", MAGI_FORMAT_QWEN25VL},	{"qwen2.5vl", MAGI_FORMAT_QWEN25VL},
	{"qwen2_5_vl", MAGI_FORMAT_QWEN25VL},	{"qwen3vl", MAGI_FORMAT_QWEN3VL},
	{"qwen3_vl", MAGI_FORMAT_QWEN3VL},	{"guiowl", MAGI_FORMAT_GUIOWL},
	{"mobile-agent-v3", MAGI_FORMAT_GUIOWL}, {"osatlas", MAGI_FORMAT_OSATLAS},
	{"os-atlas-base", MAGI_FORMAT_OSATLAS}, {"see-click", MAGI_FORMAT_SEECLICK},
	{"none", MAGI_FORMAT_MAGI},		{"default", MAGI_FORMAT_MAGI},
};

magi_status magi_format_parse(const char *s, enum magi_format *out)
{
	if (!s)
		return MAGI_ERR_INVALID;
	for (int i = 0; i < MAGI_FORMAT__COUNT; i++)
		if (!strcasecmp(s, names[i])) {
			*out = (enum magi_format)i;
			return MAGI_OK;
		}
	for (size_t i = 0; i < MAGI_ARRAY_LEN(aliases); i++)
		if (!strcasecmp(s, aliases[i].alias)) {
			*out = aliases[i].f;
			return MAGI_OK;
		}
	return MAGI_ERR_INVALID;
}

const char *magi_format_name(enum magi_format f)
{
	return (int)f >= 0 && f < MAGI_FORMAT__COUNT ? names[f] : "unknown";
}

const char *magi_format_describe(enum magi_format f)
{
	return (int)f >= 0 && f < MAGI_FORMAT__COUNT ? descriptions[f] : "unknown";
}

bool magi_format_grounding_only(enum magi_format f)
{
	return f == MAGI_FORMAT_OSATLAS || f == MAGI_FORMAT_SEECLICK;
}

void magi_model_params_set_format(struct magi_model_params *p, enum magi_format f)
{
	if ((int)f < 0 || f >= MAGI_FORMAT__COUNT)
		return;
	p->format = f;
	p->coords = facts[f].coords;
	p->model_resize = facts[f].resize;
	/* every preset model is of the Qwen-VL family: whole patches, so the model's own
	 * resize of what magi sends changes nothing whenever it can */
	p->image.kind = MAGI_IMAGE_POLICY_QWEN;
	p->image.patch = facts[f].patch;
}

void magi_model_space_size(const struct magi_model_params *p, uint32_t sent_w, uint32_t sent_h, uint32_t *w,
			   uint32_t *h)
{
	if (!p || !p->model_resize.factor) {
		*w = sent_w;
		*h = sent_h;
		return;
	}
	struct magi_image_policy pol = magi_image_policy_default();
	pol.kind = MAGI_IMAGE_POLICY_QWEN;
	pol.patch = p->model_resize.factor;
	pol.min_pixels = p->model_resize.min_pixels;
	pol.max_pixels = p->model_resize.max_pixels;
	magi_image_policy_fit(&pol, sent_w, sent_h, w, h);
}

/* ---- magi.yaml: format, extra_body, drop_params ------------------------------------ */

/* Fields of the request magi writes itself: extra_body may not set them. */
static const char *const reserved[] = {"model", "messages", "stream", NULL};

magi_status magi__extra_body_check(const char *what, const json_t *v, struct magi_error *err)
{
	if (!json_is_object(v))
		return magi_error_set(err, MAGI_ERR_CONFIG,
				      "%s: extra_body must be a mapping of request fields, e.g. {top_k: 1}", what);
	for (int i = 0; reserved[i]; i++)
		if (json_object_get(v, reserved[i]))
			return magi_error_set(err, MAGI_ERR_CONFIG, "%s: extra_body may not set '%s' (magi writes it)",
					      what, reserved[i]);
	return MAGI_OK;
}

magi_status magi__config_model_extras_check(const char *src, const char *model, json_t *m, struct magi_error *err)
{
	char what[256];
	snprintf(what, sizeof what, "%s: model '%.64s'", src, model);
	json_t *v = json_object_get(m, "format");
	if (v && !json_is_null(v)) {
		enum magi_format f;
		if (!json_is_string(v) || magi_format_parse(json_string_value(v), &f)) {
			struct magi_buf known;
			magi_buf_init(&known, 1024);
			for (int i = 0; i < MAGI_FORMAT__COUNT; i++)
				magi_buf_printf(&known, "%s%s", i ? ", " : "", names[i]);
			magi_status s = magi_error_set(err, MAGI_ERR_CONFIG, "%s: format must be one of %s, not %s%.40s%s", what,
						       known.data, json_is_string(v) ? "\"" : "",
						       json_is_string(v) ? json_string_value(v) : "a non-text value",
						       json_is_string(v) ? "\"" : "");
			magi_buf_release(&known);
			return s;
		}
	}
	v = json_object_get(m, "extra_body");
	if (v && !json_is_null(v) && !json_is_string(v)) {
		magi_status s = magi__extra_body_check(what, v, err);
		if (s)
			return s;
		/* kept as its compact text: that is what the client sends */
		char *t = magi__json_dump(v, false);
		if (!t || json_object_set_new(m, "extra_body", json_string(t))) {
			free(t);
			return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
		}
		free(t);
	} else if (json_is_string(v)) {
		return magi_error_set(err, MAGI_ERR_CONFIG, "%s: extra_body must be a mapping of request fields, e.g. {top_k: 1}",
				      what);
	}
	v = json_object_get(m, "drop_params");
	if (v && !json_is_null(v)) {
		if (!json_is_array(v))
			return magi_error_set(err, MAGI_ERR_CONFIG,
					      "%s: drop_params must be a list of request field names, e.g. [temperature]", what);
		struct magi_buf list;
		magi_buf_init(&list, 4096);
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			const char *n = json_string_value(e);
			if (!n || !*n || strchr(n, ',')) {
				magi_buf_release(&list);
				return magi_error_set(err, MAGI_ERR_CONFIG,
						      "%s: drop_params item %zu must be a request field name, e.g. temperature",
						      what, i + 1);
			}
			magi_buf_printf(&list, "%s%s", i ? "," : "", n);
		}
		magi_status s = json_object_set_new(m, "drop_params", json_string(list.data)) ? MAGI_ERR_NOMEM : MAGI_OK;
		magi_buf_release(&list);
		if (s)
			return magi_error_set(err, s, NULL);
	}
	return MAGI_OK;
}

void magi__config_model_extras_apply(const json_t *m, struct magi_model_params *p)
{
	enum magi_format f;
	const char *fs = magi__json_str(m, "format", NULL);
	if (fs && !magi_format_parse(fs, &f)) {
		/* the preset first; what the file says about coords and images wins */
		struct magi_model_params given = *p;
		magi_model_params_set_format(p, f);
		const json_t *img = json_object_get(m, "image");
		if (json_object_get(m, "coords"))
			p->coords = given.coords;
		if (json_object_get(img, "policy"))
			p->image.kind = given.image.kind;
	}
	p->extra_body = magi__json_str(m, "extra_body", NULL);
	p->drop_params = magi__json_str(m, "drop_params", NULL);
}

/* ---- request fields ---------------------------------------------------------------- */

bool magi__param_listed(const char *list, const char *name, size_t n)
{
	for (const char *p = list; p && *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == n && !strncmp(p, name, n))
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

/* Whether the server's message names field as a whole word ('top_k', "top_k", `top_k`,
 * top_k: ...), the way vLLM, OpenAI and llama.cpp say which field they refuse. */
static bool names_field(const char *msg, const char *field)
{
	size_t fl = strlen(field);
	for (const char *p = strstr(msg, field); p; p = strstr(p + 1, field)) {
		char before = p > msg ? p[-1] : ' ', after = p[fl];
		bool word = !(before == '_' || (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
			      (before >= '0' && before <= '9'));
		bool end = !(after == '_' || (after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') ||
			     (after >= '0' && after <= '9'));
		if (word && end)
			return true;
	}
	return false;
}

const char *magi__refused_field(const char *param, const char *message, const char *const *sent, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (param && !strcmp(param, sent[i]))
			return sent[i];
	for (size_t i = 0; message && i < n; i++)
		if (names_field(message, sent[i]))
			return sent[i];
	return NULL;
}
