/* video.c — opening a video file: stream choice, metadata, key-frame spacing, parameters,
 * and the public sampling calls (argument checks, targets, collecting frames). The decoding
 * itself lives in sample.c. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include "magi/video.h"
#include "video/video_internal.h"
#include "core/common.h"

/* Packets open() reads at most when it measures key-frame spacing without an index, or
 * looks for the last frame. */
#define PROBE_MAX_PACKETS 200000
/* Seconds before the stated end where open() starts looking for the last frame. */
#define END_PROBE_S 30.0

const char *magi__av_err(int code, char buf[128])
{
	if (av_strerror(code, buf, 128) < 0)
		snprintf(buf, 128, "FFmpeg error %d", code);
	return buf;
}

/* FFmpeg prints to stderr by default; a library should not. Its lines go to magi's log at
 * debug level (MAGI_LOG=debug shows them). */
static void av_log_to_magi(void *avcl, int level, const char *fmt, va_list ap)
{
	if (level > AV_LOG_WARNING || magi_log_get_level() > MAGI_LOG_DEBUG)
		return;
	char line[512];
	int prefix = 1;
	av_log_format_line2(avcl, level, fmt, ap, line, sizeof line, &prefix);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n)
		magi_log(MAGI_LOG_DEBUG, "ffmpeg: %s", line);
}

static pthread_once_t av_once = PTHREAD_ONCE_INIT;
static void av_setup(void)
{
	av_log_set_callback(av_log_to_magi);
}

/* ---- small public helpers ------------------------------------------------------------ */

uint32_t magi_video_res_side(enum magi_video_res r)
{
	switch (r) {
	case MAGI_VIDEO_RES_LOW:
		return MAGI_VIDEO_LOW_SIDE;
	case MAGI_VIDEO_RES_MEDIUM:
		return MAGI_VIDEO_MEDIUM_SIDE;
	default:
		return 0;
	}
}

magi_status magi_video_res_parse(const char *s, enum magi_video_res *out)
{
	static const char *names[] = {"low", "medium", "native"};
	for (size_t i = 0; s && i < MAGI_ARRAY_LEN(names); i++)
		if (strcasecmp(s, names[i]) == 0) {
			*out = (enum magi_video_res)i;
			return MAGI_OK;
		}
	return MAGI_ERR_INVALID;
}

static const char *strategy_names[] = {"auto", "sequential", "seek", "keyframes"};

const char *magi_video_strategy_name(enum magi_video_strategy s)
{
	return (unsigned)s < MAGI_ARRAY_LEN(strategy_names) ? strategy_names[s] : "unknown";
}

magi_status magi_video_strategy_parse(const char *s, enum magi_video_strategy *out)
{
	for (size_t i = 0; s && i < MAGI_ARRAY_LEN(strategy_names); i++)
		if (strcasecmp(s, strategy_names[i]) == 0) {
			*out = (enum magi_video_strategy)i;
			return MAGI_OK;
		}
	return MAGI_ERR_INVALID;
}

struct magi_video_params magi_video_params_default(void)
{
	struct magi_video_params p = {0};
	p.threads = 2;
	p.strategy = MAGI_VIDEO_AUTO;
	p.probe_s = 120;
	return p;
}

static struct magi_video_params sane_params(const struct magi_video_params *p)
{
	struct magi_video_params q = p ? *p : magi_video_params_default();
	if (q.threads < 0 || q.threads > 64)
		q.threads = 2;
	if ((unsigned)q.strategy > MAGI_VIDEO_KEYFRAMES)
		q.strategy = MAGI_VIDEO_AUTO;
	if (!(q.probe_s > 0) || q.probe_s > 86400)
		q.probe_s = 120;
	return q;
}

void magi_video_set_params(struct magi_video *v, const struct magi_video_params *p)
{
	if (v)
		v->params = sane_params(p);
}

struct magi_video_params magi_video_get_params(const struct magi_video *v)
{
	return v ? v->params : magi_video_params_default();
}

const struct magi_video_info *magi_video_get_info(const struct magi_video *v)
{
	return v ? &v->info : NULL;
}

char *magi_video_format_time(double t_s, char out[16])
{
	if (!(t_s > 0))
		t_s = 0;
	if (t_s > 3.5e9)
		t_s = 3.5e9;
	unsigned long s = (unsigned long)floor(t_s + 1e-6);
	unsigned h = (unsigned)(s / 3600 % 1000000u), m = (unsigned)(s / 60 % 60),
		 sec = (unsigned)(s % 60);
	snprintf(out, 16, "%02u:%02u:%02u", h, m, sec);
	return out;
}

/* ---- opening ------------------------------------------------------------------------------ */

void magi_video_close(struct magi_video *v)
{
	if (!v)
		return;
	if (v->fmt)
		avformat_close_input(&v->fmt);
	free(v->key_times);
	free(v->codec_name);
	free(v->path);
	free(v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Key-frame times from the demuxer's seek index, when it covers the whole file (MP4's
 * sample table does; MKV's cues do once read). */
static magi_status keyframes_from_index(struct magi_video *v)
{
	int ne = avformat_index_get_entries_count(v->st);
	if (ne <= 0)
		return MAGI_OK;
	double *t = malloc((size_t)ne * sizeof *t);
	if (!t)
		return MAGI_ERR_NOMEM;
	size_t k = 0;
	for (int i = 0; i < ne; i++) {
		const AVIndexEntry *e = avformat_index_get_entry(v->st, i);
		if (e && (e->flags & AVINDEX_KEYFRAME) && e->timestamp != AV_NOPTS_VALUE)
			t[k++] = (double)(e->timestamp - v->start_pts) * v->tb;
	}
	if (k == 0) {
		free(t);
		return MAGI_OK;
	}
	qsort(t, k, sizeof *t, cmp_double);
	v->key_times = t;
	v->n_key = k;
	return MAGI_OK;
}

/* When only the file states a duration (Matroska, MPEG-TS), it may include audio that runs
 * on after the last frame. Read the packets of the last stretch (no decoding) and end the
 * video at its last frame. */
static void video_end_from_packets(struct magi_video *v)
{
	double d = v->info.duration_s;
	int64_t ts = v->start_pts + (int64_t)floor(MAGI_MAX(0.0, d - END_PROBE_S) / v->tb);
	if (av_seek_frame(v->fmt, v->stream, ts, AVSEEK_FLAG_BACKWARD) < 0)
		return;
	AVPacket *pkt = av_packet_alloc();
	if (!pkt)
		return;
	double end = -1;
	for (int i = 0; i < PROBE_MAX_PACKETS && av_read_frame(v->fmt, pkt) >= 0; i++) {
		if (pkt->stream_index == v->stream && pkt->pts != AV_NOPTS_VALUE) {
			int64_t dur = pkt->duration > 0 ? pkt->duration : 0;
			double t = (double)(pkt->pts + dur - v->start_pts) * v->tb;
			if (dur == 0)
				t += v->period;
			if (t > end)
				end = t;
		}
		av_packet_unref(pkt);
	}
	av_packet_free(&pkt);
	if (end > 0 && end < d - 0.5 * MAGI_MAX(v->period, 0.1)) {
		MAGI_DEBUG("video %s: frames end at %.3f s, the file says %.3f s", v->path, end, d);
		v->info.duration_s = end;
		if (v->st->nb_frames <= 0)
			v->info.n_frames = (int64_t)llround(end * v->info.fps);
	}
	av_seek_frame(v->fmt, v->stream, v->start_pts, AVSEEK_FLAG_BACKWARD);
}

/* Reads (without decoding) up to probe_s seconds of packets and counts key flags. */
static void keyframes_from_packets(struct magi_video *v)
{
	AVPacket *pkt = av_packet_alloc();
	if (!pkt)
		return;
	int64_t n_key = 0;
	double first = -1, last = -1, seen_end = 0;
	bool eof = false;
	for (int i = 0; i < PROBE_MAX_PACKETS; i++) {
		int rc = av_read_frame(v->fmt, pkt);
		if (rc < 0) {
			eof = true;
			break;
		}
		if (pkt->stream_index == v->stream) {
			int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
			double t =
			    ts != AV_NOPTS_VALUE ? (double)(ts - v->start_pts) * v->tb : seen_end;
			if (t > seen_end)
				seen_end = t;
			if (pkt->flags & AV_PKT_FLAG_KEY) {
				n_key++;
				if (first < 0)
					first = t;
				last = t;
			}
		}
		av_packet_unref(pkt);
		if (seen_end > v->params.probe_s)
			break;
	}
	av_packet_free(&pkt);
	v->info.n_keyframes = n_key;
	if (n_key >= 2 && last > first)
		v->info.keyframe_interval_s = (last - first) / (double)(n_key - 1);
	else
		v->info.keyframe_interval_s =
		    eof ? v->info.duration_s : MAGI_MAX(seen_end, v->params.probe_s);
	/* Back to the start; samplers seek before decoding anyway. */
	av_seek_frame(v->fmt, v->stream, v->start_pts, AVSEEK_FLAG_BACKWARD);
}

static bool is_still_image_format(const AVInputFormat *f)
{
	if (!f || !f->name)
		return false;
	return strcmp(f->name, "image2") == 0 || magi__ends_with(f->name, "_pipe") ||
	       strcmp(f->name, "gif") == 0 /* treated as video only when animated: see below */;
}

/* The container format the first bytes of path look like (with some confidence), so a
 * file FFmpeg cannot open can be called a broken MP4 rather than "not a video". */
static const AVInputFormat *sniff_format(const char *path)
{
	enum { N = 8192 };
	unsigned char *buf = calloc(1, N + AVPROBE_PADDING_SIZE);
	FILE *f = buf ? fopen(path, "rb") : NULL;
	if (!f) {
		free(buf);
		return NULL;
	}
	size_t got = fread(buf, 1, N, f);
	fclose(f);
	AVProbeData pd = {path, buf, (int)got, NULL};
	int score = 0;
	const AVInputFormat *fmt = av_probe_input_format3(&pd, 1, &score);
	free(buf);
	return fmt && score >= AVPROBE_SCORE_MAX / 4 && strcmp(fmt->name, "tty") != 0 ? fmt : NULL;
}

static magi_status open_stream(struct magi_video *v, struct magi_error *err)
{
	const char *path = v->path;
	char eb[128];
	int rc = avformat_open_input(&v->fmt, path, NULL, NULL);
	if (rc < 0) {
		const AVInputFormat *f = sniff_format(path);
		if (f)
			return magi_error_set(
			    err, MAGI_ERR_VIDEO, "%s: a truncated or corrupt %s file (%s)", path,
			    f->long_name ? f->long_name : f->name, magi__av_err(rc, eb));
		return magi_error_set(err, MAGI_ERR_VIDEO,
				      "%s: not a video file FFmpeg can read (%s)", path,
				      magi__av_err(rc, eb));
	}
	rc = avformat_find_stream_info(v->fmt, NULL);
	if (rc < 0)
		return magi_error_set(err, MAGI_ERR_VIDEO,
				      "%s: cannot read stream information (%s); the file may be "
				      "truncated or corrupt",
				      path, magi__av_err(rc, eb));
	int best = -1, n_audio = 0, n_sub = 0, n_pic = 0;
	int64_t best_area = -1;
	for (unsigned i = 0; i < v->fmt->nb_streams; i++) {
		AVStream *st = v->fmt->streams[i];
		const AVCodecParameters *par = st->codecpar;
		if (par->codec_type == AVMEDIA_TYPE_AUDIO)
			n_audio++;
		else if (par->codec_type == AVMEDIA_TYPE_SUBTITLE)
			n_sub++;
		if (par->codec_type != AVMEDIA_TYPE_VIDEO)
			continue;
		if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) {
			n_pic++;
			continue;
		}
		int64_t area = (int64_t)par->width * par->height;
		if (st->disposition & AV_DISPOSITION_DEFAULT)
			area += (int64_t)1 << 40; /* the file's own choice wins */
		if (area > best_area) {
			best_area = area;
			best = (int)i;
		}
	}
	if (best < 0) {
		if (n_pic)
			return magi_error_set(err, MAGI_ERR_VIDEO,
					      "%s: no video stream (only cover art)", path);
		if (n_audio || n_sub)
			return magi_error_set(
			    err, MAGI_ERR_VIDEO,
			    "%s: no video stream (it has %d audio and %d subtitle "
			    "streams)",
			    path, n_audio, n_sub);
		return magi_error_set(err, MAGI_ERR_VIDEO, "%s: no video stream", path);
	}
	v->stream = best;
	v->st = v->fmt->streams[best];
	for (unsigned i = 0; i < v->fmt->nb_streams; i++)
		if ((int)i != best)
			v->fmt->streams[i]->discard = AVDISCARD_ALL; /* the demuxer skips them */
	const AVCodecParameters *par = v->st->codecpar;
	const char *cname = avcodec_get_name(par->codec_id);
	v->codec_name = magi__strdup(cname ? cname : "unknown");
	if (!v->codec_name)
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", path);
	v->codec = avcodec_find_decoder(par->codec_id);
	if (!v->codec)
		return magi_error_set(err, MAGI_ERR_VIDEO, "%s: no decoder for video codec %s",
				      path, v->codec_name);
	if (par->width <= 0 || par->height <= 0)
		return magi_error_set(
		    err, MAGI_ERR_VIDEO,
		    "%s: video stream has no frame size; the header may be corrupt", path);
	return MAGI_OK;
}

/* Phones record upright video as landscape frames plus a display matrix; players turn
 * them. Returns the clockwise turn (0, 90, 180, 270) the way FFmpeg's own tools compute
 * it; flips in the matrix are ignored. */
static int display_rotation(const AVStream *st)
{
	const int32_t *m =
	    (const int32_t *)av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
	if (!m)
		return 0;
	double theta = -av_display_rotation_get(m);
	if (!isfinite(theta))
		return 0;
	theta -= 360 * floor(theta / 360 + 0.9 / 360);
	for (int r = 90; r <= 270; r += 90)
		if (fabs(theta - r) < 1)
			return r;
	return 0;
}

static magi_status read_metadata(struct magi_video *v, struct magi_error *err)
{
	const char *path = v->path;
	AVStream *st = v->st;
	const AVCodecParameters *par = st->codecpar;
	struct magi_video_info *in = &v->info;
	in->path = v->path;
	in->codec = v->codec_name;
	in->container =
	    v->fmt->iformat && v->fmt->iformat->name ? v->fmt->iformat->name : "unknown";
	v->tb = av_q2d(st->time_base);
	if (!(v->tb > 0))
		return magi_error_set(err, MAGI_ERR_VIDEO, "%s: video stream has no time base",
				      path);
	if (st->start_time != AV_NOPTS_VALUE)
		v->start_pts = st->start_time;
	else if (v->fmt->start_time != AV_NOPTS_VALUE)
		v->start_pts = av_rescale_q(v->fmt->start_time, AV_TIME_BASE_Q, st->time_base);

	AVRational sar = av_guess_sample_aspect_ratio(v->fmt, st, NULL);
	double w = par->width, h = par->height;
	if (sar.num > 0 && sar.den > 0 && sar.num != sar.den)
		w = floor(w * av_q2d(sar) + 0.5);
	if (w < 1)
		w = 1;
	v->rotation = display_rotation(st);
	if (v->rotation == 90 || v->rotation == 270) {
		double t = w;
		w = h;
		h = t;
	}
	if (w > MAGI_IMAGE_MAX_SIDE || h > MAGI_IMAGE_MAX_SIDE || w * h > MAGI_IMAGE_MAX_PIXELS)
		return magi_error_set(err, MAGI_ERR_LIMIT,
				      "%s: %.0fx%.0f frames are larger than the %u-Mpx image limit",
				      path, w, h, MAGI_IMAGE_MAX_PIXELS >> 20);
	in->width = (uint32_t)w;
	in->height = (uint32_t)h;

	AVRational fr = st->avg_frame_rate;
	if (!(fr.num > 0 && fr.den > 0))
		fr = st->r_frame_rate;
	in->fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0;
	if (in->fps > 1000)
		in->fps = 0; /* a time base mistaken for a rate */
	v->period = in->fps > 0 ? 1.0 / in->fps : 0;
	double r =
	    st->r_frame_rate.num > 0 && st->r_frame_rate.den > 0 ? av_q2d(st->r_frame_rate) : 0;
	v->cfr = in->fps > 0 && r > 0 && fabs(r - in->fps) < 0.01 * in->fps;

	double d = 0;
	if (st->duration != AV_NOPTS_VALUE && st->duration > 0) {
		d = (double)st->duration * v->tb;
		v->duration_from_stream = true;
	} else if (v->fmt->duration != AV_NOPTS_VALUE && v->fmt->duration > 0)
		d = (double)v->fmt->duration / AV_TIME_BASE;
	else if (st->nb_frames > 0 && in->fps > 0)
		d = (double)st->nb_frames / in->fps;
	bool still_fmt = is_still_image_format(v->fmt->iformat);
	if (still_fmt && st->nb_frames <= 1 && (!(d > 0) || d * in->fps < 1.5))
		return magi_error_set(err, MAGI_ERR_VIDEO, "%s: a still image, not a video", path);
	if (!(d > 0) || !isfinite(d))
		return magi_error_set(err, MAGI_ERR_VIDEO,
				      "%s: unknown duration (a raw %s stream? remux it into MP4 or "
				      "MKV)",
				      path, v->codec_name);
	in->duration_s = d;
	in->n_frames = st->nb_frames > 0 ? st->nb_frames : (int64_t)llround(d * in->fps);
	if (still_fmt && in->n_frames <= 1)
		return magi_error_set(err, MAGI_ERR_VIDEO, "%s: a still image, not a video", path);
	return MAGI_OK;
}

magi_status magi_video_open(const char *path, struct magi_video **out, struct magi_error *err)
{
	return magi_video_open_params(path, NULL, out, err);
}

magi_status magi_video_open_params(const char *path, const struct magi_video_params *p,
				   struct magi_video **out, struct magi_error *err)
{
	if (!out)
		return magi_error_set(err, MAGI_ERR_INVALID, "magi_video_open: out is NULL");
	*out = NULL;
	if (!path || !*path)
		return magi_error_set(err, MAGI_ERR_INVALID, "video path is empty");
	/* FFmpeg would open many URLs, but magi's video path reads a local file (seeks, key-frame
	 * spacing, sizes); a URL is refused by name rather than as a missing file */
	if (magi__path_is_url(path))
		return magi_error_set(err, MAGI_ERR_UNSUPPORTED,
				      "%s: URLs are not supported yet; download the video and give its path", path);
	struct stat sb;
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return magi_error_set(err, MAGI_ERR_NOT_FOUND, "%s: no such file", path);
		return magi_error_set(err, MAGI_ERR_IO, "%s: %s", path, strerror(errno));
	}
	if (S_ISDIR(sb.st_mode))
		return magi_error_set(err, MAGI_ERR_IO, "%s: is a directory, not a video file",
				      path);
	/* a FIFO would block the open, /dev/zero would be read for ever */
	if (!S_ISREG(sb.st_mode))
		return magi_error_set(err, MAGI_ERR_IO, "%s: not a regular file (%s); magi reads only video files",
				      path, magi__file_kind(sb.st_mode));
	if (S_ISREG(sb.st_mode) && sb.st_size == 0)
		return magi_error_set(err, MAGI_ERR_VIDEO, "%s: empty file (0 bytes), not a video",
				      path);
	if (access(path, R_OK) != 0)
		return magi_error_set(err, MAGI_ERR_IO, "%s: cannot read: %s", path,
				      strerror(errno));
	magi_status ls = magi__av_load(err);
	if (ls)
		return ls;
	pthread_once(&av_once, av_setup);

	struct magi_video *v = calloc(1, sizeof *v);
	if (!v || !(v->path = magi__strdup(path))) {
		free(v);
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", path);
	}
	v->params = sane_params(p);
	magi_status s = open_stream(v, err);
	if (!s)
		s = read_metadata(v, err);
	if (!s && keyframes_from_index(v) != MAGI_OK)
		s = magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", path);
	if (s) {
		magi_video_close(v);
		return s;
	}
	struct magi_video_info *in = &v->info;
	if (!v->duration_from_stream)
		video_end_from_packets(v);
	if (v->n_key < 2) {
		/* One entry is what Matroska shows before its cues are read: not an index
		 * of the file's key frames. */
		free(v->key_times);
		v->key_times = NULL;
		v->n_key = 0;
	}
	if (v->n_key) {
		in->keyframes_indexed = true;
		in->n_keyframes = (int64_t)v->n_key;
		in->keyframe_interval_s =
		    v->n_key >= 2
			? (v->key_times[v->n_key - 1] - v->key_times[0]) / (double)(v->n_key - 1)
			: in->duration_s;
	} else {
		keyframes_from_packets(v);
	}
	if (in->keyframe_interval_s < v->period)
		in->keyframe_interval_s = v->period;
	MAGI_DEBUG("video %s: %s %ux%u %.3f fps %.2f s, key frames every %.2f s (%s)", path,
		   v->codec_name, in->width, in->height, in->fps, in->duration_s,
		   in->keyframe_interval_s, in->keyframes_indexed ? "index" : "probe");
	*out = v;
	return MAGI_OK;
}

void magi__video_out_size(const struct magi_video *v, uint32_t max_side, uint32_t *w, uint32_t *h)
{
	uint32_t W = v->info.width, H = v->info.height;
	if (max_side == 0 || (W <= max_side && H <= max_side)) {
		*w = W;
		*h = H;
		return;
	}
	if (W >= H) {
		*w = max_side;
		*h = (uint32_t)MAGI_MAX(1.0, floor((double)H * max_side / W + 0.5));
	} else {
		*h = max_side;
		*w = (uint32_t)MAGI_MAX(1.0, floor((double)W * max_side / H + 0.5));
	}
}

/* ---- sampling: the public calls ------------------------------------------------------------ */

void magi_video_frames_free(struct magi_video_frames *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		magi_image_free(f->items[i].img);
	free(f->items);
	free(f);
}

struct magi_image *magi_video_frames_take(struct magi_video_frames *f, size_t i)
{
	if (!f || i >= f->n)
		return NULL;
	struct magi_image *img = f->items[i].img;
	f->items[i].img = NULL;
	return img;
}

struct collect {
	struct magi_video_frames *fr;
	const double *targets;
};

static magi_status collect_emit(void *user, size_t target, const struct magi_image *img, double t_s,
				bool key)
{
	struct collect *c = user;
	struct magi_video_frame *it = &c->fr->items[c->fr->n];
	magi_status s = magi_image_clone(img, &it->img);
	if (s)
		return s;
	it->t_s = t_s;
	it->target_s = c->targets[target];
	it->key = key;
	c->fr->n++;
	return MAGI_OK;
}

static magi_status check_count(struct magi_video *v, size_t n, uint32_t max_side, uint32_t *ow,
			       uint32_t *oh, struct magi_error *err)
{
	if (n == 0)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "%s: asked for 0 frames (n must be 1..%u)", v->path,
				      MAGI_VIDEO_MAX_SAMPLES);
	if (n > MAGI_VIDEO_MAX_SAMPLES)
		return magi_error_set(
		    err, MAGI_ERR_LIMIT,
		    "%s: asked for %zu frames, more than the %u-frame limit of one "
		    "call",
		    v->path, n, MAGI_VIDEO_MAX_SAMPLES);
	magi__video_out_size(v, max_side, ow, oh);
	double px = (double)n * *ow * *oh;
	if (px > MAGI_VIDEO_MAX_SAMPLE_PIXELS)
		return magi_error_set(
		    err, MAGI_ERR_LIMIT,
		    "%s: %zu frames of %ux%u are %.0f Mpx, more than the %u-Mpx "
		    "limit of one call; ask for fewer frames or a smaller max_side",
		    v->path, n, *ow, *oh, px / 1048576.0, MAGI_VIDEO_MAX_SAMPLE_PIXELS >> 20);
	return MAGI_OK;
}

/* Samples at targets (ascending) and collects the frames. */
static magi_status sample_collect(struct magi_video *v, const double *targets, size_t n,
				  uint32_t ow, uint32_t oh, struct magi_video_frames **out,
				  struct magi_error *err)
{
	double t0 = magi_now_ms();
	struct magi_video_frames *fr = calloc(1, sizeof *fr);
	if (!fr || !(fr->items = calloc(n, sizeof *fr->items))) {
		free(fr);
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", v->path);
	}
	struct collect c = {fr, targets};
	struct magi__video_stats st = {0};
	magi_status s = magi__video_sample(v, targets, n, ow, oh, collect_emit, &c, &st, err);
	if (s == MAGI_ERR_NOMEM) /* from collect_emit, which has no error record */
		magi_error_set(err, s, "%s: out of memory", v->path);
	if (s) {
		magi_video_frames_free(fr);
		return s;
	}
	fr->strategy = st.strategy;
	fr->decoded = st.decoded;
	fr->converted = st.converted;
	fr->seeks = st.seeks;
	fr->ms = magi_now_ms() - t0;
	MAGI_DEBUG("video %s: %zu frames by %s: %llu decoded, %llu converted, %llu seeks, %.0f ms",
		   v->path, fr->n, magi_video_strategy_name(fr->strategy),
		   (unsigned long long)fr->decoded, (unsigned long long)fr->converted,
		   (unsigned long long)fr->seeks, fr->ms);
	*out = fr;
	return MAGI_OK;
}

magi_status magi_video_sample_uniform(struct magi_video *v, size_t n, uint32_t max_side,
				      struct magi_video_frames **out, struct magi_error *err)
{
	if (!out || !v)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "magi_video_sample_uniform: NULL argument");
	*out = NULL;
	uint32_t ow, oh;
	magi_status s = check_count(v, n, max_side, &ow, &oh, err);
	if (s)
		return s;
	double *t = malloc(n * sizeof *t);
	if (!t)
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", v->path);
	for (size_t i = 0; i < n; i++)
		t[i] = ((double)i + 0.5) * v->info.duration_s / (double)n;
	s = sample_collect(v, t, n, ow, oh, out, err);
	free(t);
	return s;
}

magi_status magi_video_sample_range(struct magi_video *v, double start_s, double end_s, double fps,
				    uint32_t max_side, struct magi_video_frames **out,
				    struct magi_error *err)
{
	if (!out || !v)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "magi_video_sample_range: NULL argument");
	*out = NULL;
	double d = v->info.duration_s;
	if (!isfinite(start_s) || !isfinite(end_s))
		return magi_error_set(err, MAGI_ERR_INVALID, "%s: time range is not a number",
				      v->path);
	if (!(end_s > start_s))
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "%s: time range %g-%g s is empty (the end must be after the "
				      "start)",
				      v->path, start_s, end_s);
	if (end_s <= 0 || start_s >= d)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "%s: time range %g-%g s is outside the video (0-%g s)",
				      v->path, start_s, end_s, d);
	if (!(fps > 0) || !isfinite(fps))
		return magi_error_set(err, MAGI_ERR_INVALID, "%s: fps must be above 0 (got %g)",
				      v->path, fps);
	double a = MAGI_MAX(start_s, 0.0), b = MAGI_MIN(end_s, d);
	double count = ceil((b - a) * fps - 1e-9);
	if (count < 1)
		count = 1;
	if (count > MAGI_VIDEO_MAX_SAMPLES)
		return magi_error_set(err, MAGI_ERR_LIMIT,
				      "%s: time range %g-%g s at %g fps is %.0f frames, more than "
				      "the %u-frame limit of one call",
				      v->path, a, b, fps, count, MAGI_VIDEO_MAX_SAMPLES);
	size_t n = (size_t)count;
	uint32_t ow, oh;
	magi_status s = check_count(v, n, max_side, &ow, &oh, err);
	if (s)
		return s;
	double *t = malloc(n * sizeof *t);
	if (!t)
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", v->path);
	for (size_t i = 0; i < n; i++)
		t[i] = a + (double)i / fps;
	s = sample_collect(v, t, n, ow, oh, out, err);
	free(t);
	return s;
}

magi_status magi_video_sample_times(struct magi_video *v, const double *times, size_t n,
				    uint32_t max_side, struct magi_video_frames **out,
				    struct magi_error *err)
{
	if (!out || !v || (!times && n))
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "magi_video_sample_times: NULL argument");
	*out = NULL;
	uint32_t ow, oh;
	magi_status s = check_count(v, n, max_side, &ow, &oh, err);
	if (s)
		return s;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(times[i]) || times[i] < 0 || times[i] > v->info.duration_s)
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "%s: time %g s is outside the video (0-%g s)",
					      v->path, times[i], v->info.duration_s);
	double *t = malloc(n * sizeof *t);
	if (!t)
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", v->path);
	memcpy(t, times, n * sizeof *t);
	qsort(t, n, sizeof *t, cmp_double);
	s = sample_collect(v, t, n, ow, oh, out, err);
	free(t);
	return s;
}
