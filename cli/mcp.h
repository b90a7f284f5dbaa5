/* mcp.h — `magi mcp`, the Model Context Protocol server front end (internal to cli/).
 *
 * The server speaks JSON-RPC 2.0 over stdio, one message per line (MCP's stdio transport).
 * It is split by concern:
 *   mcp_server.c  lines -> messages: framing, the JSON-RPC envelope, the lifecycle
 *                 (initialize, ping), the tool-call queue and its worker thread, progress,
 *                 cancellation and server-to-client requests (elicitation);
 *   mcp_tools.c   the tool table: names, schemas, which tools an environment offers,
 *                 argument checking against the schemas, result helpers;
 *   mcp_screen.c  the screen tools (screenshot, click ... drag, find_text; navigate,
 *                 list_elements, click_element in a browser) with the screen cache and
 *                 the risk gate;
 *   mcp_media.c   guard_scan/guard_redact, the video tools and run_task.
 * Everything here is built on the public API (include/magi) plus jansson for JSON.
 */
#ifndef MAGI_CLI_MCP_H
#define MAGI_CLI_MCP_H
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include "magi/magi.h"

/* Largest message (one line) accepted from the client; a longer line is answered with an
 * error and skipped up to its newline. Base64 images are the big inputs: 32 MiB holds a
 * 4K PNG screenshot several times over. */
#define MCP_MESSAGE_MAX (32u << 20)
/* Tool calls waiting behind the running one; more are refused with MCP_SERVER_BUSY, so a
 * client cannot grow the queue without bound. */
#define MCP_QUEUE_MAX 64
/* How long a tool waits for the person's answer to an elicitation before it refuses. */
#define MCP_ELICIT_TIMEOUT_S 600
/* Frames one video_frames call returns at most (each is an image in the reply). */
#define MCP_VIDEO_FRAMES_MAX 32
/* Canvases and images of a page read with OCR per look, at most. */
#define MCP_PICTURES_MAX 8
/* Matches one find_text call returns at most. */
#define MCP_FIND_MAX 50

/* JSON-RPC error codes. */
enum {
	MCP_PARSE_ERROR = -32700,
	MCP_INVALID_REQUEST = -32600,
	MCP_METHOD_NOT_FOUND = -32601,
	MCP_INVALID_PARAMS = -32602,
	MCP_INTERNAL_ERROR = -32603,
	MCP_SERVER_BUSY = -32000, /* the implementation-defined server error range */
};

/* What the server is given by `magi mcp` (everything borrowed; it must outlive the server). */
struct mcp_opts {
	struct magi_env *env;       /* NULL: no screen tools */
	const char *env_spec;
	struct magi_client *client; /* NULL: no model tools (run_task, video_ask) */
	const char *client_error;   /* why there is no client, for the log */
	bool trusted;               /* the client may see unredacted pixels (mcp: trust: local) */
	const char *runs_dir;       /* run directories of run_task and video_ask */
	struct magi_risk_policy risk;
	const struct magi_secret_list *secrets;
	const char *const *allowlist;
	size_t n_allowlist;
	int pii_reread;             /* magi_pii_params.reread_budget */
	int out_fd;                 /* protocol messages are written here */
	bool threaded;              /* tool calls run on a worker thread (false: inline, for fuzzing) */
};

struct mcp_server;
struct mcp_screen;

/* One tools/call being served. */
struct mcp_call {
	struct mcp_server *srv;
	const struct mcp_tool *tool;
	json_t *args;        /* the arguments object (checked against the tool's schema) */
	json_t *token;       /* progressToken, or NULL */
	atomic_bool cancelled;
	double last_progress;
	json_t *content;     /* the result's content array */
	json_t *structured;  /* structuredContent, or NULL */
	bool is_error;
};

typedef void (*mcp_tool_fn)(struct mcp_call *c);

/* What a tool needs from the server to be offered. */
enum {
	MCP_NEEDS_SCREEN = 1u << 0, /* an environment that can be observed */
	MCP_NEEDS_MODEL = 1u << 1,  /* a configured model */
	MCP_NEEDS_ACT = 1u << 2,    /* the environment performs `act` */
};

struct mcp_tool {
	const char *name;
	const char *title;
	const char *description;
	const char *schema; /* inputSchema as JSON text */
	unsigned needs;
	enum magi_action_kind act; /* with MCP_NEEDS_ACT */
	bool read_only, destructive;
	mcp_tool_fn fn;
	const char *env_name; /* listed only on this kind of environment (magi_env_name:
				 "browser" for navigate and the element list); NULL: any */
};

/* ---- mcp_server.c ------------------------------------------------------------------ */
int mcp_server_new(const struct mcp_opts *o, struct mcp_server **out);
/* Feeds bytes read from the client; complete lines are handled at once. */
void mcp_server_feed(struct mcp_server *s, const char *data, size_t n);
/* End of input: a last unterminated line is handled, running tools are cancelled, and the
 * worker is stopped. */
void mcp_server_eof(struct mcp_server *s);
void mcp_server_free(struct mcp_server *s);
/* false once the client is gone (a write failed). */
bool mcp_server_alive(const struct mcp_server *s);
const struct mcp_opts *mcp_server_opts(const struct mcp_server *s);
struct mcp_screen *mcp_server_screen(struct mcp_server *s);
/* The negotiated protocol version ("2025-11-25" ...). */
const char *mcp_server_version(const struct mcp_server *s);

/* A notifications/progress for c's token (nothing without one, or when progress does not
 * increase). message may be NULL. */
void mcp_progress(struct mcp_call *c, double progress, double total, const char *message);
/* Asks the person through the client's form elicitation. With `question`, a text answer
 * is asked for and *answer gets it (malloc'd); otherwise a yes/no confirmation.
 * Returns 1 accepted (confirmed or answered), 0 declined or cancelled, -1 when the client
 * offers no elicitation (or it failed, timed out, or the call was cancelled); *why then
 * says which. */
int mcp_elicit(struct mcp_call *c, const char *message, bool text_answer, char **answer,
	       const char **why);

/* ---- mcp_tools.c ---------------------------------------------------------------------- */
/* The tool called name, or NULL. */
const struct mcp_tool *mcp_tool_find(const char *name);
/* true when the server offers t (environment capabilities, a model). */
bool mcp_tool_offered(struct mcp_server *s, const struct mcp_tool *t);
/* The tools/list result. */
json_t *mcp_tools_list(struct mcp_server *s);
/* Checks args against t's schema; NULL when they fit, else a malloc'd message naming the
 * argument and the problem. */
char *mcp_tool_check_args(const struct mcp_tool *t, json_t *args);
/* Loads the schemas once (false: a schema in the table is broken — a programming error). */
bool mcp_tools_init(void);

/* A JSON string of s (NULL: ""); bytes that are not valid UTF-8 (OCR text, file names, a
 * message cut in the middle of a character) become U+FFFD instead of failing. */
json_t *mcp_json_str(const char *s);
/* Result helpers. */
void mcp_text(struct mcp_call *c, const char *fmt, ...) MAGI_PRINTF(2, 3);
void mcp_fail(struct mcp_call *c, const char *fmt, ...) MAGI_PRINTF(2, 3);
/* Adds img as an image content item: "png", or "jpeg" at quality. */
magi_status mcp_image(struct mcp_call *c, const struct magi_image *img, const char *format,
		      int quality, struct magi_error *err);
const char *mcp_arg_str(struct mcp_call *c, const char *key, const char *def);
double mcp_arg_num(struct mcp_call *c, const char *key, double def);
bool mcp_arg_has(struct mcp_call *c, const char *key);
bool mcp_arg_bool(struct mcp_call *c, const char *key, bool def);
/* Reads an image from args "path" or "data" (base64 PNG/JPEG). */
magi_status mcp_arg_image(struct mcp_call *c, struct magi_image **out, struct magi_error *err);

/* ---- mcp_screen.c --------------------------------------------------------------------- */
struct mcp_screen *mcp_screen_new(void);
void mcp_screen_free(struct mcp_screen *sc);
/* The gate for one action in screen space: 0 when it may run, else the refusal has been
 * written into c (isError) and -1 is returned. */
int mcp_gate(struct mcp_call *c, const struct magi_action *a);
void mcp_tool_screenshot(struct mcp_call *c);
void mcp_tool_act(struct mcp_call *c);
void mcp_tool_find_text(struct mcp_call *c);
void mcp_tool_list_elements(struct mcp_call *c);

/* ---- mcp_media.c ---------------------------------------------------------------------- */
void mcp_tool_guard_scan(struct mcp_call *c);
void mcp_tool_guard_redact(struct mcp_call *c);
void mcp_tool_video_info(struct mcp_call *c);
void mcp_tool_video_frames(struct mcp_call *c);
void mcp_tool_video_ask(struct mcp_call *c);
void mcp_tool_run_task(struct mcp_call *c);
/* The config's mcp: section (trust, runs; cli/config.c): *runs points into *keep, which the
 * caller frees (json_decref). Prints the error; EXIT_OK or EXIT_CONFIG. */
int cli_mcp_section(const struct magi_config *cfg, bool *trusted, const char **runs, json_t **keep);
#endif
