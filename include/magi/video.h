/*
 * magi/video.h — video files for agents: metadata, frame samplers, scene cuts, storyboards
 * and SRT subtitles.
 *
 * Any file FFmpeg's libraries read is accepted (MP4, MKV, WebM, AVI, MPEG-TS, ...); FFmpeg
 * types never appear here. A typical use:
 *
 *     struct magi_video *v;
 *     struct magi_error err;
 *     if (magi_video_open("talk.mp4", &v, &err)) { puts(magi_error_text(&err)); ... }
 *     struct magi_video_frames *fr;
 *     magi_video_sample_uniform(v, 32, MAGI_VIDEO_LOW_SIDE, &fr, &err);
 *     for (size_t i = 0; i < fr->n; i++) use(fr->items[i].img, fr->items[i].t_s);
 *     magi_video_frames_free(fr);
 *     magi_video_close(v);
 *
 * Time. Every time is in seconds from the start of the video (the first frame is at or
 * near 0 whatever the container's own start time). The frame "at" time t is the frame on
 * screen at t: the last frame whose presentation time is <= t (the first frame for a t
 * before it). Samplers report each frame's real presentation time in t_s, so t_s is within
 * one frame period of the time asked for (except under KEYFRAMES, below).
 *
 * Strategies. Frames can be reached in two ways that give identical pixels:
 *   - SEQUENTIAL decodes every frame of the span once (after one seek to the key frame
 *     before the span) and converts to RGB only the frames it keeps; it also tells the
 *     decoder to drop non-reference frames that cannot be kept. Best when samples are dense
 *     compared with the key-frame spacing.
 *   - SEEK jumps to the key frame before each target and decodes forward to it. Best when
 *     key frames are dense compared with the sample spacing (or for a few samples).
 *   AUTO (the default) estimates both costs from the file's mean key-frame spacing and the
 *   sample spacing and picks the cheaper (sequential when they are close, so a dense window
 *   is decoded once, front to back). KEYFRAMES is an approximate fast path for coarse
 *   overviews: it decodes key frames only and returns, for each target, the key frame
 *   nearest to it (so t_s may be far from the target, and a key frame chosen by several
 *   targets is returned once: fewer than n frames may come back).
 *
 * Tolerance. A frame a little off the time asked for is as good for an overview, and a key
 * frame costs one decode where the exact frame may cost a whole group of pictures. So a
 * sampling call may take a tolerance (magi_video_params.tolerance_s): a target with a key
 * frame within the tolerance gets the key frame nearest to it (one seek, one decode), the
 * others get their exact frame by the strategy above. A snapped frame keeps its true
 * presentation time in t_s (and key is true); target_s stays the time asked for, and every
 * target still gets its frame (two targets that snap to one key frame both get it). The
 * default tolerance is a quarter of the sampling interval for magi_video_sample_uniform and
 * zero (exact) for magi_video_sample_range and magi_video_sample_times. Snapping needs the
 * file's key-frame index (MP4/MOV's sample table, Matroska/WebM's cues); a file without one
 * (MPEG-TS, a raw stream) is sampled exactly.
 *
 * Workers. Exact sampling with enough decoding to do splits the targets into consecutive
 * stretches of the timeline, one per core, each decoded on its own thread by its own
 * decoder reading the file through its own demuxer (the handle's, on the calling thread,
 * for the first stretch). Every strategy gives the same frames split or not. A stretch is
 * never shorter than a few groups of pictures under SEQUENTIAL, so a dense window is still
 * decoded once.
 *
 * Threads: a handle is not thread-safe; use one handle per thread (opening is cheap). The
 * worker threads a call starts are joined before it returns.
 * FFmpeg's own log lines are routed into magi's log at debug level (MAGI_LOG=debug shows
 * them); magi installs that av_log callback once, process-wide, on the first open.
 * Errors: fallible calls return magi_status, set their out-parameters to NULL/0 on failure
 * and, when err is not NULL, describe the failure naming the file, e.g.
 * "clip.mp4: no video stream", "clip.mp4: time range 700-710 s is outside the video (0-600 s)".
 */
#ifndef MAGI_VIDEO_H
#define MAGI_VIDEO_H
#include "magi/core.h"
#include "magi/vision.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits on one call (hostile or mistaken input fails with MAGI_ERR_LIMIT) ---------- */
#define MAGI_VIDEO_MAX_SAMPLES 4096u			    /* frames one sampling call returns */
#define MAGI_VIDEO_MAX_SAMPLE_PIXELS (256u * 1024u * 1024u) /* n × w × h returned by one call */
#define MAGI_VIDEO_MAX_SCENE_SAMPLES 200000u		    /* frames one scene-cut scan compares */

/* ---- resolution tiers ------------------------------------------------------------------ */
/* Longest side of a sampled frame. LOW (448 px: a 16:9 frame is 448×252, 16×9 = 144 visual
 * tokens of 28×28 px for Qwen-VL-style models) suits overviews and many frames; MEDIUM
 * (896 px: 896×504, 576 tokens) suits reading text in a frame. 0 as a max_side means the
 * native size. */
#define MAGI_VIDEO_LOW_SIDE 448u
#define MAGI_VIDEO_MEDIUM_SIDE 896u
enum magi_video_res { MAGI_VIDEO_RES_LOW, MAGI_VIDEO_RES_MEDIUM, MAGI_VIDEO_RES_NATIVE };
/* 448, 896 or 0 (native). */
MAGI_API uint32_t magi_video_res_side(enum magi_video_res r);
/* Parses "low", "medium", "native" (case-insensitive); MAGI_ERR_INVALID otherwise. */
MAGI_API magi_status magi_video_res_parse(const char *s, enum magi_video_res *out);

/* ---- parameters -------------------------------------------------------------------------- */
enum magi_video_strategy {
	MAGI_VIDEO_AUTO,
	MAGI_VIDEO_SEQUENTIAL,
	MAGI_VIDEO_SEEK,
	MAGI_VIDEO_KEYFRAMES,
};
/* "auto", "sequential", "seek", "keyframes"; never NULL. */
MAGI_API const char *magi_video_strategy_name(enum magi_video_strategy s);
/* Parses the names above; MAGI_ERR_INVALID otherwise. */
MAGI_API magi_status magi_video_strategy_parse(const char *s, enum magi_video_strategy *out);

/* Progress of a long decode: called from the calling thread with the fraction done in
 * [0, 1] (at most about 200 times per call, and once with 1 at the end). Return false to
 * cancel: the call then fails with MAGI_ERR_CANCELLED. */
typedef bool (*magi_video_progress_fn)(double fraction, void *user);

/* tolerance_s: let the samplers choose their defaults (see "Tolerance" above). */
#define MAGI_VIDEO_TOLERANCE_AUTO (-1.0)
#define MAGI_VIDEO_MAX_WORKERS 16 /* decoders one sampling call runs at once */

struct magi_video_params {
	int threads; /* FFmpeg threads of a decoder that works alone: default 2; 0 lets FFmpeg
			choose. Split work runs one single-threaded decoder per worker. */
	enum magi_video_strategy strategy; /* default MAGI_VIDEO_AUTO */
	magi_video_progress_fn progress;   /* default NULL (no reports) */
	void *progress_user;		   /* passed to progress */
	double probe_s; /* when the file has no seek index, open() reads this many seconds of
			   packets (not decoding them) to measure key-frame spacing; default 120 */
	double tolerance_s; /* seconds a sampled frame may lie from its target when that lands
			       it on a key frame: default MAGI_VIDEO_TOLERANCE_AUTO (a quarter of
			       the interval for sample_uniform, 0 for sample_range and
			       sample_times); 0 = always the exact frame; ignored by KEYFRAMES */
	int workers; /* decoders (threads) exact sampling splits the timeline over: default 0 =
			one per online core, only when the exact frames need enough decoding
			to pay for a second demuxer and thread (about 300 frames of 720p;
			key frames taken within the tolerance do not count); N >= 1 = at most
			N, split whenever there are two targets or more (1: never split); at
			most MAGI_VIDEO_MAX_WORKERS */
};
MAGI_API struct magi_video_params magi_video_params_default(void);

/* ---- opening and metadata ---------------------------------------------------------------- */
struct magi_video_info {
	const char *path;	    /* as given to open; owned by the handle */
	const char *codec;	    /* FFmpeg's codec name, e.g. "h264"; owned by the handle */
	const char *container;	    /* FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" */
	double duration_s;	    /* of the video stream (of the file when the stream has none) */
	double fps;		    /* average frame rate; 0 when the file does not say */
	uint32_t width, height;	    /* display size: sample aspect ratio and the display
				       matrix's rotation applied (phone videos come out upright) */
	int64_t n_frames;	    /* the container's frame count, else duration × fps */
	double keyframe_interval_s; /* mean spacing of key frames; the duration when only one */
	int64_t n_keyframes;	    /* key frames counted by that measurement */
	bool keyframes_indexed;	    /* true: counted over the whole file's seek index; false:
				       measured over the first probe_s seconds of packets */
};

/* An open video file (opaque). */
struct magi_video;

/* Opens path with magi_video_params_default(). See magi_video_open_params. */
MAGI_API magi_status magi_video_open(const char *path, struct magi_video **out,
				     struct magi_error *err);
/* Opens path, picks its main video stream (cover art is not a video stream), reads the
 * metadata and measures key-frame spacing. Fails with MAGI_ERR_NOT_FOUND (no such file),
 * MAGI_ERR_IO (unreadable, a directory), MAGI_ERR_VIDEO (empty file, not a format FFmpeg
 * reads, no video stream, no decoder, a still image, unknown duration, corrupt header),
 * MAGI_ERR_LIMIT (frames larger than MAGI_IMAGE_MAX_PIXELS). p may be NULL (defaults).
 * Close the handle with magi_video_close. */
MAGI_API magi_status magi_video_open_params(const char *path, const struct magi_video_params *p,
					    struct magi_video **out, struct magi_error *err);
/* Frees the handle; NULL is a no-op. Frames already sampled stay valid. */
MAGI_API void magi_video_close(struct magi_video *v);
/* The handle's metadata; valid until magi_video_close. */
MAGI_API const struct magi_video_info *magi_video_get_info(const struct magi_video *v);
/* Replaces the parameters used by later calls (e.g. to force a strategy); p NULL restores
 * the defaults, and out-of-range fields take their default values. */
MAGI_API void magi_video_set_params(struct magi_video *v, const struct magi_video_params *p);
/* The parameters in force (the defaults for a NULL handle). */
MAGI_API struct magi_video_params magi_video_get_params(const struct magi_video *v);

/* ---- sampling -------------------------------------------------------------------------------- */
struct magi_video_frame {
	struct magi_image *img; /* RGB8, owned by the frame set (see magi_video_frames_take) */
	double t_s;		/* presentation time of this frame */
	double target_s;	/* the time that was asked for */
	bool key;		/* a key frame */
};
struct magi_video_frames {
	struct magi_video_frame *items; /* in time order */
	size_t n;
	enum magi_video_strategy strategy; /* the strategy used for the exact frames (never
					      AUTO; SEEK when every frame snapped to a key
					      frame, which is one seek each) */
	uint64_t decoded;		   /* frames the decoders produced */
	uint64_t converted;		   /* frames converted to RGB (<= n) */
	uint64_t seeks;			   /* seeks made */
	double ms;			   /* wall time of the call */
	size_t snapped;			   /* frames that are a key frame within the tolerance */
	double tolerance_s;		   /* the tolerance the call used (0: exact) */
	int workers;			   /* decoders the call ran (1: no split) */
};
/* Frees the set and every image still in it; NULL is a no-op. */
MAGI_API void magi_video_frames_free(struct magi_video_frames *f);
/* Hands frame i's image to the caller (free it with magi_image_free); the slot becomes
 * NULL. NULL when i is out of range or already taken. */
MAGI_API struct magi_image *magi_video_frames_take(struct magi_video_frames *f, size_t i);

/* n frames at the centres of n equal segments of the video: targets (i + 0.5) × d / n;
 * by default a target snaps to a key frame within a quarter of d / n (see "Tolerance").
 * Frames are scaled so that their longer side is at most max_side (0 = native size),
 * keeping the aspect ratio. n must be 1..MAGI_VIDEO_MAX_SAMPLES and n × width × height at
 * most MAGI_VIDEO_MAX_SAMPLE_PIXELS. Returns exactly n frames except under KEYFRAMES (see
 * the top of this header). MAGI_ERR_VIDEO when the file turns out truncated or corrupt
 * before a target ("clip.mp4: truncated or corrupt: no frames after 31.2 s ..."). */
MAGI_API magi_status magi_video_sample_uniform(struct magi_video *v, size_t n, uint32_t max_side,
					       struct magi_video_frames **out,
					       struct magi_error *err);
/* Frames at start_s + k / fps for k = 0, 1, ... while the time is < end_s: a range of
 * 10-20 s at 2 fps gives 20 frames at 10, 10.5, ..., 19.5 s. A range that runs over either
 * end of the video is cut to it (the grid then starts at max(start_s, 0)); one wholly
 * outside it, or with end_s <= start_s, fails with MAGI_ERR_INVALID
 * ("clip.mp4: time range 700-710 s is outside the video (0-600 s)").
 * fps must be > 0; the frame count is capped as for sample_uniform. */
MAGI_API magi_status magi_video_sample_range(struct magi_video *v, double start_s, double end_s,
					     double fps, uint32_t max_side,
					     struct magi_video_frames **out,
					     struct magi_error *err);
/* Frames at the n given times (any order; returned in ascending time order, duplicates
 * kept). Every time must lie in [0, duration]. Caps as for sample_uniform. */
MAGI_API magi_status magi_video_sample_times(struct magi_video *v, const double *times, size_t n,
					     uint32_t max_side, struct magi_video_frames **out,
					     struct magi_error *err);

/* ---- scene cuts -------------------------------------------------------------------------------
 */
#define MAGI_VIDEO_SCENE_THRESHOLD 0.3 /* default threshold */
#define MAGI_VIDEO_SCENE_FPS 2.0       /* default sample rate */
/* Finds scene cuts by sampling the whole video at sample_fps (0 = MAGI_VIDEO_SCENE_FPS) as
 * tiny 64-px frames and comparing neighbours. The score of a pair, in [0, 1], is the mean of
 * the mean absolute pixel difference (over 255) and the colour-histogram distance (half the
 * L1 distance of 512-bin RGB histograms); a cut is reported where the score is >= threshold
 * (0 = MAGI_VIDEO_SCENE_THRESHOLD). Each cut's time is the presentation time of the first
 * sampled frame of the new scene, so it is at most 1 / sample_fps after the true cut.
 * *times (ascending; free() it) and *n are set; no cuts gives *times NULL and *n 0.
 * Uses the handle's strategy and progress callback. */
MAGI_API magi_status magi_video_scene_cuts(struct magi_video *v, double threshold,
					   double sample_fps, double **times, size_t *n,
					   struct magi_error *err);

/* ---- storyboards -------------------------------------------------------------------------------
 */
/* One image showing n frames in a grid of cols columns (0 = about square), each frame scaled
 * to cell_w pixels wide (0 = 256; clamped to 64..4096) and the height its aspect ratio gives (the
 * first frame's aspect sets the cell height; others are letterboxed), with its t_s burned
 * into the cell's lower-left corner as "HH:MM:SS" in black on white. Cells are separated by
 * 4-pixel dark-grey gutters. Frames whose img is NULL (taken) leave a grey cell. Fails with
 * MAGI_ERR_INVALID for n = 0, MAGI_ERR_LIMIT past MAGI_IMAGE_MAX_PIXELS. *out is freed with
 * magi_image_free. */
MAGI_API magi_status magi_video_storyboard(const struct magi_video_frame *frames, size_t n,
					   uint32_t cols, uint32_t cell_w, struct magi_image **out,
					   struct magi_error *err);
/* Writes t_s as "HH:MM:SS" (hours grow past 99 as needed; negative times print as 0) into
 * out[16]; returns out. */
MAGI_API char *magi_video_format_time(double t_s, char out[16]);

/* ---- SRT subtitles ------------------------------------------------------------------------------
 */
#define MAGI_SRT_MAX_BYTES (16u * 1024u * 1024u) /* larger subtitle files are refused */
#define MAGI_SRT_MAX_CUES 200000u
#define MAGI_SRT_MAX_CUE_BYTES 4096u /* text of one cue */

struct magi_subtitle_cue {
	double start_s, end_s; /* end_s >= start_s */
	char *text;	       /* UTF-8, lines joined by '\n', <i>-style tags removed */
	uint32_t line;	       /* line of the cue's timing line in the file (1-based) */
};
struct magi_subtitles {
	struct magi_subtitle_cue *cues; /* sorted by start_s (stable) */
	size_t n;
};

/* Parses SRT text (UTF-8, optional BOM, LF or CRLF; cue numbers optional; "," or "." before
 * the milliseconds; anything after the end time, like position settings, is ignored).
 * A malformed cue fails with MAGI_ERR_PARSE naming what and the line:
 * "talk.srt:12: bad timing line '00:00:0x,000 --> 00:00:02,000' (want HH:MM:SS,mmm --> ...)".
 * An empty file gives zero cues. Free with magi_subtitles_free. */
MAGI_API magi_status magi_subtitles_parse(const char *text, size_t len, const char *what,
					  struct magi_subtitles **out, struct magi_error *err);
/* Reads and parses an .srt file (at most MAGI_SRT_MAX_BYTES). */
MAGI_API magi_status magi_subtitles_load(const char *srt_path, struct magi_subtitles **out,
					 struct magi_error *err);
/* Loads the subtitles beside a video: "DIR/clip.srt" for "DIR/clip.mp4", else
 * "DIR/clip.mp4.srt". MAGI_ERR_NOT_FOUND (naming the paths tried) when neither exists. */
MAGI_API magi_status magi_subtitles_find(const char *video_path, struct magi_subtitles **out,
					 struct magi_error *err);
/* Frees the cues and their texts; NULL is a no-op. */
MAGI_API void magi_subtitles_free(struct magi_subtitles *s);
/* Cues overlapping [start_s, end_s] (touching counts): writes up to max indexes into idx
 * (may be NULL when max is 0) in cue order and returns how many overlap in all. */
MAGI_API size_t magi_subtitles_query(const struct magi_subtitles *s, double start_s, double end_s,
				     size_t *idx, size_t max);
/* Appends the cues overlapping [start_s, end_s] to out, one per line, as
 * "[HH:MM:SS-HH:MM:SS] text" with the cue's line breaks turned into spaces. */
MAGI_API magi_status magi_subtitles_format(const struct magi_subtitles *s, double start_s,
					   double end_s, struct magi_buf *out);

#ifdef __cplusplus
}
#endif
#endif
