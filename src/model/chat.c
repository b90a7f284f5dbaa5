/* chat.c — message lists, image encoding per policy (cached), request bodies, reply
 * parsing. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "model/chat_ahead.h"
#include "model/model_internal.h"
#include "core/common.h"

struct part {
	char *text;                    /* text part, or NULL for an image */
	const struct magi_image *img;  /* borrowed */
	/* cache of the last encoding: valid while the policy matches */
	struct magi_image_policy enc_policy;
	char *jpeg; /* the JPEG sent; its base64 goes straight into each request body */
	size_t jpeg_len;
	uint32_t sent_w, sent_h;
};

struct message {
	char role[16];
	struct part *parts;
	size_t n, cap;
};

struct magi_chat {
	struct message *msgs;
	size_t n, cap;
	size_t n_images;
	bool logprobs;
};

magi_status magi_chat_new(struct magi_chat **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? MAGI_OK : MAGI_ERR_NOMEM;
}

void magi_chat_free(struct magi_chat *chat)
{
	if (!chat)
		return;
	for (size_t i = 0; i < chat->n; i++) {
		for (size_t j = 0; j < chat->msgs[i].n; j++) {
			free(chat->msgs[i].parts[j].text);
			free(chat->msgs[i].parts[j].jpeg);
		}
		free(chat->msgs[i].parts);
	}
	free(chat->msgs);
	free(chat);
}

void magi_chat_set_logprobs(struct magi_chat *chat, bool on)
{
	if (chat)
		chat->logprobs = on;
}

size_t magi_chat_message_count(const struct magi_chat *chat)
{
	return chat->n;
}

magi_status magi_chat_new_message(struct magi_chat *chat, const char *role)
{
	if (!role || strlen(role) >= sizeof chat->msgs[0].role)
		return MAGI_ERR_INVALID;
	if (!magi__grow(&chat->msgs, &chat->cap, chat->n, sizeof *chat->msgs, 4))
		return MAGI_ERR_NOMEM;
	struct message *m = &chat->msgs[chat->n++];
	memset(m, 0, sizeof *m);
	snprintf(m->role, sizeof m->role, "%s", role);
	return MAGI_OK;
}

static struct part *add_part(struct magi_chat *chat, const char *role)
{
	if (!chat->n || strcmp(chat->msgs[chat->n - 1].role, role) != 0)
		if (magi_chat_new_message(chat, role))
			return NULL;
	struct message *m = &chat->msgs[chat->n - 1];
	if (!magi__grow(&m->parts, &m->cap, m->n, sizeof *m->parts, 4))
		return NULL;
	struct part *p = &m->parts[m->n++];
	memset(p, 0, sizeof *p);
	return p;
}

magi_status magi_chat_add_text(struct magi_chat *chat, const char *role, const char *text)
{
	if (!text)
		return MAGI_ERR_INVALID;
	char *t = magi__strdup(text);
	if (!t)
		return MAGI_ERR_NOMEM;
	struct part *p = add_part(chat, role);
	if (!p) {
		free(t);
		return MAGI_ERR_NOMEM;
	}
	p->text = t;
	return MAGI_OK;
}

magi_status magi_chat_add_image(struct magi_chat *chat, const char *role, const struct magi_image *img)
{
	if (!img)
		return MAGI_ERR_INVALID;
	struct part *p = add_part(chat, role);
	if (!p)
		return MAGI_ERR_NOMEM;
	p->img = img;
	chat->n_images++;
	return MAGI_OK;
}

void magi_chat_image_sent_size(const struct magi_chat *chat, size_t n, uint32_t *w, uint32_t *h)
{
	*w = *h = 0;
	size_t k = 0;
	for (size_t i = 0; i < chat->n; i++)
		for (size_t j = 0; j < chat->msgs[i].n; j++) {
			const struct part *p = &chat->msgs[i].parts[j];
			if (p->text)
				continue;
			if (k++ == n) {
				*w = p->sent_w;
				*h = p->sent_h;
				return;
			}
		}
}

bool magi_chat_image_jpeg(const struct magi_chat *chat, const struct magi_image *img, const char **jpeg,
			  size_t *len, uint32_t *w, uint32_t *h)
{
	for (size_t i = 0; img && i < chat->n; i++)
		for (size_t j = 0; j < chat->msgs[i].n; j++) {
			const struct part *p = &chat->msgs[i].parts[j];
			if (p->text || p->img != img)
				continue;
			if (!p->jpeg)
				return false;
			*jpeg = p->jpeg;
			*len = p->jpeg_len;
			*w = p->sent_w;
			*h = p->sent_h;
			return true;
		}
	return false;
}

void magi__chat_preview(const struct magi_chat *chat, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = chat->n; i-- > 0;) {
		for (size_t j = 0; j < chat->msgs[i].n; j++) {
			const char *t = chat->msgs[i].parts[j].text;
			if (!t || !*t)
				continue;
			size_t k = 0;
			for (; t[k] && k + 4 < n && k < 60; k++)
				out[k] = (t[k] == '\n' || t[k] == '\r' || t[k] == '\t') ? ' ' : t[k];
			out[k] = '\0';
			if (t[k] && k + 4 < n)
				memcpy(out + k, "...", 4);
			if (strcmp(chat->msgs[i].role, "user") == 0)
				return;
		}
	}
}

static bool same_policy(const struct magi_image_policy *a, const struct magi_image_policy *b)
{
	return a->kind == b->kind && a->max_pixels == b->max_pixels && a->min_pixels == b->min_pixels &&
	       a->patch == b->patch && a->jpeg_quality == b->jpeg_quality &&
	       a->tile_tokens == b->tile_tokens && a->base_tokens == b->base_tokens;
}

/* The image made ahead (magi__chat_prepare_ahead): taken by the first part that sends it. */
static pthread_mutex_t ahead_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const struct magi_image *img; /* borrowed; NULL: none */
	struct magi_image_policy pol;
	char *jpeg;
	size_t len;
	uint32_t w, h;
} ahead;

static void ahead_clear(void)
{
	free(ahead.jpeg);
	memset(&ahead, 0, sizeof ahead);
}

void magi__chat_ahead_drop(void)
{
	pthread_mutex_lock(&ahead_mu);
	ahead_clear();
	pthread_mutex_unlock(&ahead_mu);
}

void magi__chat_prepare_ahead(const struct magi_image *img, const struct magi_image_policy *pol)
{
	struct magi_buf jpg;
	magi_buf_init(&jpg, 192u << 20);
	uint32_t w = 0, h = 0;
	struct magi_error err;
	char *jpeg = NULL;
	size_t len = 0;
	if (img && magi_image_prepare(img, pol, &jpg, &w, &h, &err) == MAGI_OK)
		jpeg = magi_buf_detach(&jpg, &len);
	else
		magi_buf_release(&jpg);
	pthread_mutex_lock(&ahead_mu);
	ahead_clear();
	if (jpeg) {
		ahead.img = img;
		ahead.pol = *pol;
		ahead.jpeg = jpeg;
		ahead.len = len;
		ahead.w = w;
		ahead.h = h;
	}
	pthread_mutex_unlock(&ahead_mu);
}

/* p takes the image made ahead when it is p's under pol. */
static bool take_ahead(struct part *p, const struct magi_image_policy *pol)
{
	pthread_mutex_lock(&ahead_mu);
	bool ok = ahead.jpeg && ahead.img == p->img && same_policy(&ahead.pol, pol);
	if (ok) {
		p->jpeg = ahead.jpeg;
		p->jpeg_len = ahead.len;
		p->sent_w = ahead.w;
		p->sent_h = ahead.h;
		p->enc_policy = *pol;
		memset(&ahead, 0, sizeof ahead);
	}
	pthread_mutex_unlock(&ahead_mu);
	return ok;
}

static magi_status encode_part(struct part *p, const struct magi_image_policy *pol, struct magi_error *err)
{
	if (p->jpeg && same_policy(&p->enc_policy, pol))
		return MAGI_OK;
	free(p->jpeg);
	p->jpeg = NULL;
	if (take_ahead(p, pol))
		return MAGI_OK;
	/* resize and JPEG in one pass (magi_image_prepare) */
	struct magi_buf jpg;
	magi_buf_init(&jpg, 192u << 20);
	magi_status s = magi_image_prepare(p->img, pol, &jpg, &p->sent_w, &p->sent_h, err);
	if (s) {
		magi_buf_release(&jpg);
		return s;
	}
	p->jpeg = magi_buf_detach(&jpg, &p->jpeg_len);
	p->enc_policy = *pol;
	return p->jpeg ? MAGI_OK : magi_error_set(err, MAGI_ERR_NOMEM, NULL);
}

/* The body is built by hand rather than through a jansson tree: data URLs are large and
 * copying them into json strings would double the memory for nothing. */
/* One optional field into the body, unless skipped or extra_body sets it; its name into
 * sent. */
static bool optional_field(const char *name, const char *skip, const json_t *extra, struct magi_buf *sent)
{
	if (magi__param_listed(skip, name, strlen(name)) || json_object_get(extra, name))
		return false;
	if (sent)
		magi_buf_printf(sent, "%s%s", sent->len ? "," : "", name);
	return true;
}

magi_status magi__chat_build_body(struct magi_chat *chat, const struct magi_model_params *p,
				  const char *skip, struct magi_buf *sent, struct magi_buf *body,
				  struct magi_chat_result *res, struct magi_error *err)
{
	magi_status s = MAGI_OK;
	json_t *tmp;
	res->n_images = 0;
	res->est_image_tokens = 0;
	res->est_text_tokens = 0;
	size_t text_chars = 0;
	magi_buf_puts(body, "{");
	if (p->model && *p->model) {
		tmp = json_string(p->model);
		magi_buf_puts(body, "\"model\":");
		magi__json_append(body, tmp);
		magi_buf_puts(body, ",");
		json_decref(tmp);
	}
	magi_buf_puts(body, "\"messages\":[");
	for (size_t i = 0; i < chat->n; i++) {
		struct message *m = &chat->msgs[i];
		bool has_img = false;
		for (size_t j = 0; j < m->n; j++)
			has_img |= m->parts[j].text == NULL;
		magi_buf_printf(body, "%s{\"role\":\"%s\",\"content\":", i ? "," : "", m->role);
		if (!has_img) {
			/* Plain string content is understood by every server, even text-only ones. */
			struct magi_buf joined;
			magi_buf_init(&joined, 0);
			for (size_t j = 0; j < m->n; j++) {
				if (j)
					magi_buf_puts(&joined, "\n");
				magi_buf_puts(&joined, m->parts[j].text);
			}
			text_chars += joined.len;
			tmp = json_stringn(joined.data, joined.len);
			magi_buf_release(&joined);
			if (!tmp)
				return magi_error_set(err, MAGI_ERR_INVALID,
						      "message text is not valid UTF-8");
			magi__json_append(body, tmp);
			json_decref(tmp);
			magi_buf_puts(body, "}");
			continue;
		}
		magi_buf_puts(body, "[");
		for (size_t j = 0; j < m->n; j++) {
			struct part *pt = &m->parts[j];
			if (j)
				magi_buf_puts(body, ",");
			if (pt->text) {
				text_chars += strlen(pt->text);
				tmp = json_string(pt->text);
				if (!tmp)
					return magi_error_set(err, MAGI_ERR_INVALID,
							      "message text is not valid UTF-8");
				magi_buf_puts(body, "{\"type\":\"text\",\"text\":");
				magi__json_append(body, tmp);
				json_decref(tmp);
				magi_buf_puts(body, "}");
			} else {
				if ((s = encode_part(pt, &p->image, err)))
					return s;
				res->n_images++;
				res->est_image_tokens += (int)magi_image_policy_tokens(&p->image, pt->sent_w, pt->sent_h);
				magi_buf_puts(body, "{\"type\":\"image_url\",\"image_url\":{\"url\":\""
						    "data:image/jpeg;base64,");
				/* written straight into the body: no data URL string between */
				if ((s = magi_base64_encode(pt->jpeg, pt->jpeg_len, body)))
					return magi_error_set(err, s, "request body too large");
				magi_buf_puts(body, "\"}}");
			}
		}
		magi_buf_puts(body, "]}");
	}
	magi_buf_puts(body, "]");
	json_t *extra = NULL;
	if (p->extra_body && *p->extra_body &&
	    magi__json_parse(p->extra_body, strlen(p->extra_body), "extra_body", &extra, err))
		return err ? err->status : MAGI_ERR_CONFIG;
	if (p->max_tokens > 0 && optional_field("max_tokens", skip, extra, sent))
		magi_buf_printf(body, ",\"max_tokens\":%d", p->max_tokens);
	if (p->temperature >= 0 && optional_field("temperature", skip, extra, sent))
		magi_buf_printf(body, ",\"temperature\":%g", p->temperature);
	const char *k;
	json_t *v;
	json_object_foreach(extra, k, v)
	{
		if (magi__param_listed(skip, k, strlen(k)))
			continue;
		if (sent)
			magi_buf_printf(sent, "%s%s", sent->len ? "," : "", k);
		tmp = json_string(k);
		magi_buf_puts(body, ",");
		magi__json_append(body, tmp);
		json_decref(tmp);
		magi_buf_puts(body, ":");
		magi__json_append(body, v);
	}
	json_decref(extra);
	if (chat->logprobs)
		magi_buf_puts(body, ",\"logprobs\":true");
	s = magi_buf_puts(body, "}");
	res->est_text_tokens = (int)(text_chars / 4);
	if (s)
		return magi_error_set(err, s, "request body too large");
	return MAGI_OK;
}

/* choices[0].logprobs.content: [{"token": "...", "logprob": -0.01, ...}, ...]; entries
 * without both fields are skipped, and a reply without the array leaves none. */
static void read_logprobs(const json_t *content, struct magi_chat_result *res)
{
	size_t n = json_array_size(content);
	if (!n || !(res->logprobs = calloc(n, sizeof *res->logprobs)))
		return;
	size_t i;
	const json_t *e;
	json_array_foreach(content, i, e)
	{
		const char *t = magi__json_str(e, "token", NULL);
		const json_t *lp = json_object_get(e, "logprob");
		if (!t || !json_is_number(lp))
			continue;
		struct magi_token_logprob *o = &res->logprobs[res->n_logprobs];
		if (!(o->token = magi__strdup(t)))
			break;
		o->logprob = json_number_value(lp);
		res->n_logprobs++;
	}
}

magi_status magi__chat_parse_reply(const char *body, size_t n, struct magi_chat_result *res,
				   struct magi_error *err)
{
	json_t *j = NULL;
	magi_status s = magi__json_parse(body, n, "model reply", &j, err);
	if (s) {
		char head[81];
		size_t k = 0;
		for (; k < n && k < 80; k++)
			head[k] = (body[k] >= 32 && body[k] < 127) ? body[k] : '.';
		head[k] = '\0';
		return magi_error_set(err, MAGI_ERR_MODEL,
				      "the server answered 200 but the body is not JSON (%zu bytes, starts \"%s\")",
				      n, head);
	}
	const json_t *choices = json_object_get(j, "choices");
	const json_t *c0 = json_array_get(choices, 0);
	const json_t *msg = json_object_get(c0, "message");
	if (!json_is_object(msg)) {
		json_decref(j);
		return magi_error_set(err, MAGI_ERR_MODEL,
				      "the reply has no choices[0].message (is base_url an OpenAI-compatible /v1 endpoint?)");
	}
	const json_t *content = json_object_get(msg, "content");
	struct magi_buf text;
	magi_buf_init(&text, 0);
	if (json_is_string(content)) {
		magi_buf_append(&text, json_string_value(content), json_string_length(content));
	} else if (json_is_array(content)) {
		size_t i;
		const json_t *part;
		json_array_foreach(content, i, part)
		{
			const char *t = magi__json_str(part, "text", NULL);
			if (t)
				magi_buf_puts(&text, t);
		}
	} else if (!content || json_is_null(content)) {
		/* nothing to print or parse: an empty answer passed off as a success would hide
		 * a refusal, a tool call or a broken server */
		const char *fr = magi__json_str(c0, "finish_reason", NULL), *refusal = magi__json_str(msg, "refusal", NULL);
		const char *served = magi__json_str(j, "model", NULL);
		magi_error_set(err, MAGI_ERR_MODEL, "the reply%s%s%s has no content (choices[0].message.content is %s)%s%s%s%s%s",
			       served ? " of server model '" : "", served ? served : "", served ? "'" : "",
			       content ? "null" : "missing", fr ? "; finish_reason: " : "", fr ? fr : "",
			       refusal ? "; refusal: \"" : "", refusal ? refusal : "", refusal ? "\"" : "");
		if (err && json_object_get(msg, "tool_calls")) {
			size_t l = strlen(err->msg);
			snprintf(err->msg + l, sizeof err->msg - l, "; it asked for tool calls, which magi does not offer");
		}
		json_decref(j);
		return MAGI_ERR_MODEL;
	} else {
		json_decref(j);
		return magi_error_set(err, MAGI_ERR_MODEL, "choices[0].message.content is neither text nor parts");
	}
	res->content = magi_buf_detach(&text, NULL);
	const char *fr = magi__json_str(c0, "finish_reason", NULL);
	res->finish_reason = fr ? magi__strdup(fr) : NULL;
	const json_t *u = json_object_get(j, "usage");
	res->prompt_tokens = (int)magi__json_int(u, "prompt_tokens", -1);
	res->completion_tokens = (int)magi__json_int(u, "completion_tokens", -1);
	read_logprobs(json_object_get(json_object_get(c0, "logprobs"), "content"), res);
	json_decref(j);
	return res->content ? MAGI_OK : magi_error_set(err, MAGI_ERR_NOMEM, NULL);
}

void magi_chat_result_release(struct magi_chat_result *r)
{
	if (!r)
		return;
	free(r->content);
	free(r->finish_reason);
	free(r->error);
	free(r->dropped);
	r->content = r->finish_reason = r->error = r->dropped = NULL;
	for (size_t i = 0; i < r->n_logprobs; i++)
		free(r->logprobs[i].token);
	free(r->logprobs);
	r->logprobs = NULL;
	r->n_logprobs = 0;
}
