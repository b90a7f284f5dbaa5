/*
 * magi/model.h — the OpenAI-compatible chat-completions client: text and image messages,
 * retries with backoff, concurrent calls, a record/replay cassette, and model
 * configuration from flags, environment variables and magi.yaml.
 *
 * magi never runs a model itself: it talks to llama.cpp's llama-server, vLLM, SGLang,
 * Ollama, LM Studio or a hosted API over POST {base_url}/chat/completions.
 */
#ifndef MAGI_MODEL_H
#define MAGI_MODEL_H
#include "magi/core.h"
#include "magi/vision.h"
#include "magi/env.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MAGI_MODEL_REPLY_MAX (8u << 20) /* default reply size cap: 8 MiB */

enum magi_trust {
	MAGI_TRUST_AUTO,   /* local when base_url is on loopback, remote otherwise */
	MAGI_TRUST_LOCAL,  /* the model may see unredacted screenshots */
	MAGI_TRUST_REMOTE, /* PII is redacted from everything sent to it */
};

/* ---- formats ------------------------------------------------------------------------
 * How a GUI model was trained to talk (docs/models.md has each one's sources): the prompt
 * or tool definition it expects, the syntax of its replies, the coordinates it speaks and
 * how it resizes the images it receives. This layer keeps what decides the request and
 * the reading of coordinates (coordinate space, image policy, the model's own resize:
 * magi_model_params_set_format); the agent layer keeps the prompts and the reply readers
 * (magi/recipe.h). MAGI is magi's own prompts and "### Action ###" JSON. */
#define MAGI_FORMATS(X)                                                                    \
	X(MAGI, "magi", "magi's own prompts and JSON actions")                             \
	X(UITARS, "uitars", "UI-TARS-1.5: Thought/Action lines, click(point='<point>x y</point>'), pixels of its own resize") \
	X(UITARS1, "uitars-1.0", "UI-TARS (1.0): start_box='<|box_start|>(x,y)<|box_end|>', 0-1000") \
	X(QWEN25VL, "qwen2.5-vl", "Qwen2.5-VL computer_use/mobile_use tool calls, pixels of its own resize") \
	X(QWEN3VL, "qwen3-vl", "Qwen3-VL computer_use/mobile_use tool calls, 0-1000")     \
	X(GUIOWL, "gui-owl", "GUI-Owl (Mobile-Agent-v3): <thinking>, mobile_use tool call, <conclusion>") \
	X(OSATLAS, "os-atlas", "OS-Atlas grounding: <|box_start|>(x1,y1),(x2,y2)<|box_end|>, 0-1000 (locating only)") \
	X(SEECLICK, "seeclick", "SeeClick grounding: a point (x,y) in 0-1 (locating only)")

enum magi_format {
#define MAGI__X(n, s, d) MAGI_FORMAT_##n,
	MAGI_FORMATS(MAGI__X)
#undef MAGI__X
	MAGI_FORMAT__COUNT
};
/* The format of a name ("uitars", "qwen2.5-vl" ...) or a common alias ("ui-tars-1.5",
 * "qwen25vl", "mobile-agent-v3", "osatlas"), any case; MAGI_ERR_INVALID otherwise, *out
 * untouched. */
MAGI_API magi_status magi_format_parse(const char *s, enum magi_format *out);
MAGI_API const char *magi_format_name(enum magi_format f);	  /* "unknown" when out of range */
MAGI_API const char *magi_format_describe(enum magi_format f); /* one line */
/* Formats that only locate elements (they cannot choose actions). */
MAGI_API bool magi_format_grounding_only(enum magi_format f);

/* How the model resizes an image before it sees it, when it speaks pixels of that image
 * (Qwen2.5-VL's smart_resize: each side rounded to a multiple of factor, the area brought
 * within [min_pixels, max_pixels]). factor 0: it speaks pixels of the image as sent. */
struct magi_model_resize {
	uint32_t factor, min_pixels, max_pixels;
};

/* One model endpoint. Strings are borrowed by magi_client_new, which copies them. */
struct magi_model_params {
	const char *name;     /* configured name ("default" when none) */
	const char *base_url; /* e.g. "http://127.0.0.1:8080/v1" (…/chat/completions is appended) */
	const char *api_key;  /* may be NULL; sent as "Authorization: Bearer …", never logged */
	const char *model;    /* the "model" field of requests; may be NULL */
	int max_tokens;       /* 0 = let the server decide */
	double temperature;   /* < 0 = not sent */
	double connect_timeout_ms;
	double timeout_ms;         /* whole request, per attempt */
	int max_attempts;          /* >= 1; default 3 */
	double backoff_base_ms;    /* first retry delay; default 500, doubling */
	double backoff_max_ms;     /* default 8000 */
	double retry_after_cap_ms; /* a retry-after longer than this fails the call; default 60000 */
	size_t reply_cap;          /* bytes; default MAGI_MODEL_REPLY_MAX */
	struct magi_image_policy image;
	enum magi_coord_space coords; /* how this model speaks coordinates */
	enum magi_trust trust;
	bool text_only; /* the model takes no images (yaml: vision: false): the call path sends
			   it the text of a request only, its images left out */
	enum magi_format format;	   /* MAGI_FORMAT_MAGI unless set */
	struct magi_model_resize model_resize; /* pixel coordinates: of the model's own resize */
	const char *extra_body;  /* a JSON object whose fields are added to every request
				    ({"top_k": 1}); NULL for none. magi_client_new refuses
				    anything else, and "model", "messages", "stream" */
	const char *drop_params; /* request fields never sent, comma-separated
				    ("temperature,top_p"); NULL for none */
};
/* Defaults: no URL, 1024 max tokens, temperature 0, connect 10 s, total 120 s, 3 attempts,
 * 0.5 s..8 s backoff, 60 s retry-after cap, QWEN image policy, pixel coordinates, auto trust,
 * format MAGI, no model resize, no extra fields. */
MAGI_API struct magi_model_params magi_model_params_default(void);
/* Sets p's format and the facts that go with it: coordinate space, image policy (kind and
 * patch; the pixel budget is kept) and the model's own resize. Set coords or image after
 * this to override them. */
MAGI_API void magi_model_params_set_format(struct magi_model_params *p, enum magi_format f);
/* The size of the image whose pixels the model speaks, for an image sent at sent_w x
 * sent_h: the model's own resize of it (p->model_resize), or the sent size itself. */
MAGI_API void magi_model_space_size(const struct magi_model_params *p, uint32_t sent_w,
				    uint32_t sent_h, uint32_t *w, uint32_t *h);

/* ---- chats ------------------------------------------------------------------------ */
/* A list of messages to send. Images are borrowed: they must outlive every call that
 * sends the chat. Encoded images are cached inside the chat per image policy, so
 * sending one chat to several models of the same policy encodes once. */
struct magi_chat;
MAGI_API magi_status magi_chat_new(struct magi_chat **out);
MAGI_API void magi_chat_free(struct magi_chat *chat);
/* Appends a text part to the last message when it has this role, else a new message.
 * role: "system", "user" or "assistant". */
MAGI_API magi_status magi_chat_add_text(struct magi_chat *chat, const char *role, const char *text);
/* Appends an image part (sent as a JPEG data URL resized to the model's policy). */
MAGI_API magi_status magi_chat_add_image(struct magi_chat *chat, const char *role,
					 const struct magi_image *img);
/* Asks the server for the log-probability of every reply token (OpenAI "logprobs": true);
 * the reply's choices[0].logprobs.content[] then fill magi_chat_result.logprobs. Servers
 * that do not support it answer without them (n_logprobs stays 0). */
MAGI_API void magi_chat_set_logprobs(struct magi_chat *chat, bool on);
/* Starts a new message even if the last one has the same role. */
MAGI_API magi_status magi_chat_new_message(struct magi_chat *chat, const char *role);
MAGI_API size_t magi_chat_message_count(const struct magi_chat *chat);
/* Size of the n-th image as it was last sent (0 if never sent). */
MAGI_API void magi_chat_image_sent_size(const struct magi_chat *chat, size_t n, uint32_t *w,
					uint32_t *h);
/* The JPEG last sent for the first image part that shows img (the same pointer): true, with
 * its bytes (*jpeg, *len; borrowed until the chat is changed or freed) and its size as sent
 * (*w, *h); false (and nothing set) when img is in no part or was not sent yet. */
MAGI_API bool magi_chat_image_jpeg(const struct magi_chat *chat, const struct magi_image *img, const char **jpeg,
				   size_t *len, uint32_t *w, uint32_t *h);

struct magi_chat_result {
	magi_status status;    /* MAGI_OK or why the call failed */
	char *content;         /* owned; the assistant's text */
	char *finish_reason;   /* owned; may be NULL */
	char *error;           /* owned; message when status != OK */
	int prompt_tokens;     /* as reported by the server (-1 if not reported) */
	int completion_tokens; /* as reported (-1 if not reported) */
	int est_image_tokens;  /* magi's estimate for the images sent */
	int est_text_tokens;   /* magi's estimate for the text sent (chars/4) */
	int n_images;
	int attempts;
	int http_status; /* of the last attempt; 0 if no response */
	bool replayed;   /* answered from the cassette */
	double prepare_ms; /* encode + build request */
	double latency_ms; /* first send to final answer, including retries */
	double t_start, t_end; /* wall clock (Unix seconds) of the final attempt */
	char request_hash[65];
	char *dropped; /* owned; request fields the server refused with a 400 naming them, so
			  the request was sent again without them ("temperature"); NULL: none */
	/* With magi_chat_set_logprobs: each reply token and its log-probability, in order
	 * (owned); NULL and 0 when the server sent none (or the answer was replayed). */
	struct magi_token_logprob {
		char *token;
		double logprob;
	} *logprobs;
	size_t n_logprobs;
};
MAGI_API void magi_chat_result_release(struct magi_chat_result *r);

/* ---- the client ------------------------------------------------------------------- */
struct magi_client;
MAGI_API magi_status magi_client_new(const struct magi_model_params *p, struct magi_client **out,
				     struct magi_error *err);
MAGI_API void magi_client_free(struct magi_client *c);
MAGI_API const struct magi_model_params *magi_client_params(const struct magi_client *c);
/* True when images sent to this client must be redacted (trust resolved). */
MAGI_API bool magi_client_is_remote(const struct magi_client *c);
/* The message of the client's last failure. Never NULL. */
MAGI_API const char *magi_client_errmsg(const struct magi_client *c);

enum magi_cassette_mode { MAGI_CASSETTE_OFF, MAGI_CASSETTE_RECORD, MAGI_CASSETTE_REPLAY };
/* Record: every successful answer is appended to the JSONL file at path (keyed by the
 * SHA-256 of the request body; no keys or headers are stored). Replay: answers come from
 * the file only; no network is used; a request not in it fails with MAGI_ERR_REPLAY_MISS. */
MAGI_API magi_status magi_client_set_cassette(struct magi_client *c, const char *path,
					      enum magi_cassette_mode mode, struct magi_error *err);

/* One call. On failure res->status/res->error say why and so does magi_client_errmsg.
 * Optional request fields (max_tokens, temperature, those of extra_body) that the server
 * refuses with a 400 naming them are dropped: the request goes again at once without the
 * field (once per field), the client leaves it out of every later request, res->dropped
 * names it and the log says so. */
MAGI_API magi_status magi_client_chat(struct magi_client *c, struct magi_chat *chat,
				      struct magi_chat_result *res);
/* n calls in flight at once (curl multi), chats[i] sent to clients[i]; results in order.
 * Returns MAGI_OK when all succeeded, else the first failure's status. */
MAGI_API magi_status magi_chat_many(struct magi_client *const *clients, struct magi_chat *const *chats,
				    size_t n, struct magi_chat_result *results);

/* magi_chat_many that gives up when *cancel (may be NULL) becomes non-zero (it is only
 * read, every 100 ms at most, so a signal handler may set it): transfers in flight are
 * dropped and their results are MAGI_ERR_CANCELLED, as are those not yet started. */
MAGI_API magi_status magi_chat_many_cancel(struct magi_client *const *clients,
					   struct magi_chat *const *chats, size_t n,
					   struct magi_chat_result *results,
					   const volatile int *cancel);

/* GET {base_url}/models to check an endpoint; the message says what is wrong. MAGI_OK only
 * for an OpenAI model list ({"data": [{"id": ...}, ...]}) that names the configured model
 * (when one is set): MAGI_ERR_MODEL for a page or JSON that is not such a list,
 * MAGI_ERR_NOT_FOUND when the model is not listed, MAGI_ERR_NETWORK / MAGI_ERR_HTTP /
 * MAGI_ERR_CONFIG (401) otherwise. */
MAGI_API magi_status magi_client_ping(struct magi_client *c, double *ms, struct magi_error *err);

/* ---- configuration ------------------------------------------------------------------ */
/* Models come from a YAML file (magi.yaml), then the environment:
 *   MAGI_BASE_URL / OPENAI_BASE_URL, MAGI_API_KEY / OPENAI_API_KEY, MAGI_MODEL.
 * With no file, one model named "default" is made from the environment.
 * File format:
 *   default: fast                 # model used when a role names none
 *   models:
 *     fast:
 *       base_url: http://127.0.0.1:8080/v1
 *       model: qwen2.5-vl-7b-instruct
 *       api_key_env: MY_KEY       # or api_key: … (the env form keeps keys out of files)
 *       max_tokens: 1024
 *       temperature: 0
 *       timeout: 120              # seconds
 *       max_attempts: 3
 *       coords: pixels | norm1000 | norm1
 *       format: uitars            # the model's trained format (magi_format_parse): sets
 *                                 # coords, image policy and its own resize first
 *       extra_body: {top_k: 1}    # fields added to every request
 *       drop_params: [temperature] # request fields never sent
 *       trust: local | remote
 *       image: {policy: qwen | openai | none, max_pixels: 1003520, min_pixels: 3136, jpeg_quality: 85}
 *       vision: false             # a text-only model: requests to it carry no images
 *       price: {input: 2.5, output: 10}   # USD per million tokens (magi eval's cost figures)
 *   roles:
 *     planning: fast
 *     decision: fast
 *   guards: {...}                 # read by the guards (magi_guard_config_parse)
 *   mcp: {...}                    # read by `magi mcp` (docs/mcp.md)
 * Any other top-level key is an error naming it.
 */
struct magi_config;
/* path NULL: $MAGI_CONFIG, else ./magi.yaml if present, else environment only. Every
 * model's settings are type- and range-checked here: a wrong one is MAGI_ERR_CONFIG with a
 * message naming the file, the model, the key and what is expected (e.g. "magi.yaml: model
 * 'm': image.max_pixels must be a whole number from 0 to 67108864, not \"lots\""). */
MAGI_API magi_status magi_config_load(const char *path, struct magi_config **out,
				      struct magi_error *err);
MAGI_API void magi_config_free(struct magi_config *cfg);
MAGI_API size_t magi_config_model_count(const struct magi_config *cfg);
MAGI_API const char *magi_config_model_name(const struct magi_config *cfg, size_t i);
/* Where the configuration came from ("magi.yaml", "environment"). */
MAGI_API const char *magi_config_source(const struct magi_config *cfg);
/* Params of model `name` (NULL: the default). Strings point into cfg. An unknown name is
 * MAGI_ERR_NOT_FOUND and the message lists the known ones. */
MAGI_API magi_status magi_config_model(const struct magi_config *cfg, const char *name,
				       struct magi_model_params *out, struct magi_error *err);
/* A top-level section as compact JSON text (malloc'd; the caller frees it), or NULL when
 * the file has no such section: how layers above the models read their own settings. */
MAGI_API char *magi_config_section_json(const struct magi_config *cfg, const char *key);
/* The line (from 1) of a key in the file, by its dotted path ("guards.risk.send"), for
 * messages; 0 when unknown (no such key, or the configuration came from the environment). */
MAGI_API int magi_config_line(const struct magi_config *cfg, const char *path);
/* The model name bound to a role, or NULL when the config binds none. */
MAGI_API const char *magi_config_role_model(const struct magi_config *cfg, const char *role);

#ifdef __cplusplus
}
#endif
#endif
