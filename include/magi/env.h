/*
 * magi/env.h — environments an agent observes and acts on, and the one action schema
 * shared by all of them.
 *
 * An environment is a table of function pointers plus its private data, the way
 * SQLite's VFS works: drivers live in src/env/env_<name>.c (x11, image, video, ...)
 * and are chosen by a spec string ("x11:99", "image:shot.png").
 *
 * Coordinates: a model speaks in its own coordinate space (pixels of the image it was
 * sent, normalized 0–1000, or 0–1). magi_coords_to_screen is the one place they become
 * screen pixels; an environment's act() only ever receives screen pixels.
 */
#ifndef MAGI_ENV_H
#define MAGI_ENV_H
#include "magi/core.h"
#include "magi/vision.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MAGI_ACTION_KINDS(X)                                                   \
	X(CLICK, "click")                                                      \
	X(DOUBLE_CLICK, "double_click")                                        \
	X(RIGHT_CLICK, "right_click")                                          \
	X(LONG_PRESS, "long_press")                                            \
	X(DRAG, "drag")                                                        \
	X(SWIPE, "swipe")                                                      \
	X(TYPE, "type")                                                        \
	X(KEY, "key")                                                          \
	X(SCROLL, "scroll")                                                    \
	X(OPEN_APP, "open_app")                                                \
	X(BACK, "back")                                                        \
	X(HOME, "home")                                                        \
	X(WAIT, "wait")                                                        \
	X(ANSWER, "answer")                                                    \
	X(ASK_USER, "ask_user")                                                \
	X(DONE, "done")

enum magi_action_kind {
#define MAGI__X(n, s) MAGI_ACT_##n,
	MAGI_ACTION_KINDS(MAGI__X)
#undef MAGI__X
	MAGI_ACT__COUNT
};
#define MAGI_ACT_BIT(k) (1u << (k))

enum magi_scroll_dir { MAGI_SCROLL_DOWN, MAGI_SCROLL_UP, MAGI_SCROLL_LEFT, MAGI_SCROLL_RIGHT };

/* One action. Points are in whatever space the producer says (model space when parsed
 * from a reply, screen pixels after magi_action_to_screen). Strings are owned by the
 * action; release with magi_action_release. */
struct magi_action {
	enum magi_action_kind kind;
	bool has_point, has_point2;
	double x, y;   /* click/press target; drag/swipe start; scroll anchor (optional) */
	double x2, y2; /* drag/swipe end */
	char *text;    /* type: text; key: combo "ctrl+s"; open_app: app; answer; ask_user: question */
	enum magi_scroll_dir dir;
	int amount;         /* scroll: wheel clicks (default 5) */
	double duration_ms; /* wait, long_press */
	bool success;       /* done */
};

MAGI_API const char *magi_action_kind_name(enum magi_action_kind k);
MAGI_API magi_status magi_action_kind_parse(const char *s, enum magi_action_kind *out);
MAGI_API void magi_action_release(struct magi_action *a);
MAGI_API magi_status magi_action_copy(const struct magi_action *src, struct magi_action *dst);
/* Parses the canonical JSON form, e.g. {"action":"click","x":120,"y":48},
 * {"action":"drag","x":1,"y":2,"x2":3,"y2":4}, {"action":"type","text":"hi"},
 * {"action":"key","keys":"ctrl+s"}, {"action":"scroll","direction":"down","amount":3},
 * {"action":"done","success":true}. "point":[x,y] and "start"/"end" pairs are accepted too.
 * A missing field or unknown kind is MAGI_ERR_PARSE with a message meant for the model. */
MAGI_API magi_status magi_action_parse_json(const char *json, size_t n, struct magi_action *out,
					    struct magi_error *err);
/* Appends the canonical JSON form. Coordinates print as integers when integral. */
MAGI_API magi_status magi_action_to_json(const struct magi_action *a, struct magi_buf *out);

/* ---- coordinate spaces ------------------------------------------------------------ */
enum magi_coord_space {
	MAGI_COORDS_PIXELS,   /* pixels of the image the model was sent */
	MAGI_COORDS_NORM1000, /* 0..1000 across the image (UI-TARS, Qwen-VL, GUI-Owl) */
	MAGI_COORDS_NORM1,    /* 0..1 */
};
MAGI_API magi_status magi_coord_space_parse(const char *s, enum magi_coord_space *out);
MAGI_API const char *magi_coord_space_name(enum magi_coord_space s);

struct magi_coord_map {
	enum magi_coord_space space;
	uint32_t sent_w, sent_h;     /* size of the image the model saw */
	uint32_t screen_w, screen_h; /* size of the captured screen region */
	int origin_x, origin_y;      /* screen position of the region's top-left (zoom crops) */
};
/* Maps one model-space point to a screen pixel. A point outside the image the model was
 * sent is MAGI_ERR_INVALID with a message naming the point and the valid range. */
MAGI_API magi_status magi_coords_to_screen(const struct magi_coord_map *m, double x, double y,
					   int *sx, int *sy, struct magi_error *err);
/* Maps a screen pixel back to model space (for drawing and for the oracle's tests). */
MAGI_API void magi_coords_from_screen(const struct magi_coord_map *m, int sx, int sy, double *x,
				      double *y);
/* Maps every point of a (copied) action to screen space in place. */
MAGI_API magi_status magi_action_to_screen(const struct magi_coord_map *m, struct magi_action *a,
					   struct magi_error *err);

/* ---- observations and environments ----------------------------------------------- */
struct magi_obs {
	struct magi_image *screenshot; /* owned; NULL for text-only environments */
	char *text;                    /* owned; window list / page title / app, may be NULL */
	char *app;                     /* owned; focused app or window title, may be NULL */
	char *url;                     /* owned; browser URL, may be NULL */
	double capture_ms;             /* time observe took */
};
MAGI_API void magi_obs_release(struct magi_obs *o);

struct magi_env_ops {
	const char *name;
	/* Fills obs (zeroed by the caller). */
	magi_status (*observe)(void *data, struct magi_obs *obs, struct magi_error *err);
	/* Performs one action given in screen pixels. An action kind the environment lacks
	 * must be MAGI_ERR_UNSUPPORTED (the runtime checks caps first, too). */
	magi_status (*act)(void *data, const struct magi_action *a, struct magi_error *err);
	magi_status (*reset)(void *data, struct magi_error *err); /* may be NULL */
	void (*close)(void *data);
	/* Bitmask of MAGI_ACT_BIT(kind) the environment can perform. */
	uint32_t (*caps)(void *data);
	/* Lets go of every mouse button and key held down on the device (a drag or long
	 * press cut short). May be NULL (nothing is ever held). Must work from any thread,
	 * also while another thread is inside observe or act. */
	magi_status (*release)(void *data, struct magi_error *err);
};

struct magi_env;
/* Opens an environment from a spec: "x11" / "x11:DISPLAY" (":99" or "99"),
 * "image:FILE". Unknown kinds list the known ones in the message. */
MAGI_API magi_status magi_env_open(const char *spec, struct magi_env **out, struct magi_error *err);
/* Wraps a caller-provided ops table (data is passed back to each op). */
MAGI_API magi_status magi_env_wrap(const struct magi_env_ops *ops, void *data,
				   struct magi_env **out);
MAGI_API void magi_env_close(struct magi_env *env);
MAGI_API const char *magi_env_name(const struct magi_env *env);
MAGI_API uint32_t magi_env_caps(struct magi_env *env);
MAGI_API magi_status magi_env_observe(struct magi_env *env, struct magi_obs *obs,
				      struct magi_error *err);
/* Checks caps, then acts. Points must already be in screen space. */
MAGI_API magi_status magi_env_act(struct magi_env *env, const struct magi_action *a,
				  struct magi_error *err);
MAGI_API magi_status magi_env_reset(struct magi_env *env, struct magi_error *err);
/* Releases every button and key held down (the ops' release; MAGI_OK when it has none).
 * Safe from another thread while the environment is in use, e.g. from a thread that
 * handles a second Ctrl-C; not while it is being closed. NULL env: MAGI_OK. */
MAGI_API magi_status magi_env_release_input(struct magi_env *env, struct magi_error *err);

#ifdef __cplusplus
}
#endif
#endif
