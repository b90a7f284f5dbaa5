/* sample.c — one decoder's share of a sampling call: decodes the frames on screen at a list
 * of target times by sequential decoding, by seeking, or from key frames only, and converts
 * just the frames it keeps to RGB. sample_plan.c decides which targets snap to key frames,
 * the strategy, and how the timeline is split over worker threads, each running a chunk.
 *
 * One rule defines the frame at time T, whatever the strategy: the last frame whose
 * presentation time is <= T (the first frame when T precedes it). The decode loop keeps two
 * frames: `prev`, the newest frame at or before the current target, and `la`, the first frame
 * after it; the answer is known once `la` has been seen. Both strategies run the same loop and
 * differ only in where they seek, which is why they return the same pixels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include "magi/video.h"
#include "video/video_internal.h"
#include "core/common.h"

/* Times closer than this are the same instant (float noise in k / fps targets). */
#define EPS 1e-4
/* Consecutive undecodable packets after which the file is called corrupt. */
#define MAX_DECODE_ERRORS 500
/* A seek costs about this many frames of decoding (flush, thread restart, demuxer reset). */
#define SEEK_COST_FRAMES 4.0

struct smp {
	struct magi_video *v;
	AVFormatContext *fmt; /* where packets come from */
	int threads;	      /* FFmpeg threads of the decoder */
	AVCodecContext *dec;
	AVPacket *pkt;
	AVFrame *prev, *la;
	bool have_prev, have_la;
	double prev_t, la_t;
	bool prev_key, la_key;
	uint64_t prev_id, la_id, next_id;
	bool eof, draining;
	int read_error; /* the demuxer's error that ended the data early, 0 at a clean end */
	int bad_packets;
	double last_t; /* time of the newest decoded frame, for frames without timestamps */
	bool keys_only;
	bool skip_nonref;
	const double *T;
	const size_t *ids; /* the call's index of each target */
	size_t n;
	struct SwsContext *sws;
	struct magi_image *img;
	struct magi_image *unturned; /* scaled frame before a display rotation */
	uint64_t img_id;
	uint32_t ow, oh;
	magi__video_emit_fn emit;
	void *user;
	struct magi__video_stats *stats;
	struct magi_error *err;
	double prog_last;
	double prog_lo, prog_hi; /* time span the progress fraction runs over (sequential) */
	double prog_base, prog_scale; /* this pass's share of the chunk's progress */
	magi__video_report_fn report;
	void *report_ctx;
};

static bool frame_is_key(const AVFrame *f)
{
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(58, 7, 100)
	return (f->flags & AV_FRAME_FLAG_KEY) != 0;
#else
	return f->key_frame != 0;
#endif
}

static magi_status progress(struct smp *s, double frac)
{
	const struct magi_video_params *p = &s->v->params;
	if (!p->progress && !s->report)
		return MAGI_OK;
	frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
	frac = s->prog_base + s->prog_scale * frac;
	if (frac < 1 && frac - s->prog_last < 0.005)
		return MAGI_OK;
	s->prog_last = frac;
	if (s->report)
		return s->report(s->report_ctx, frac, s->err);
	if (!p->progress(frac, p->progress_user))
		return magi_error_set(s->err, MAGI_ERR_CANCELLED,
				      "%s: cancelled by the progress callback", s->v->path);
	return MAGI_OK;
}

/* Smallest target >= t - EPS, or INFINITY. */
static double next_target(const struct smp *s, double t)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->T[mid] < t - EPS)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n ? s->T[lo] : INFINITY;
}

/* Reads the next packet of the video stream into s->pkt: 1 got one, 0 end of data. */
static int read_packet(struct smp *s)
{
	for (;;) {
		int rc = av_read_frame(s->fmt, s->pkt);
		if (rc < 0) {
			if (rc != AVERROR_EOF)
				s->read_error = rc;
			return 0;
		}
		if (s->pkt->stream_index == s->v->stream &&
		    (!s->keys_only || (s->pkt->flags & AV_PKT_FLAG_KEY)))
			return 1;
		av_packet_unref(s->pkt);
	}
}

/* Decodes the next frame into f: 1 got one, 0 end of stream, -1 failed (error set). */
static int decode_next(struct smp *s, AVFrame *f, double *t, bool *key)
{
	char eb[128];
	for (;;) {
		int rc = avcodec_receive_frame(s->dec, f);
		if (rc == 0) {
			s->stats->decoded++;
			s->bad_packets = 0;
			int64_t ts = f->best_effort_timestamp;
			if (ts == AV_NOPTS_VALUE)
				*t = s->stats->decoded == 1 ? 0 : s->last_t + s->v->period;
			else
				*t = (double)(ts - s->v->start_pts) * s->v->tb;
			s->last_t = *t;
			*key = frame_is_key(f);
			return 1;
		}
		if (rc == AVERROR_EOF)
			return 0;
		if (rc != AVERROR(EAGAIN)) {
			if (rc == AVERROR(ENOMEM)) {
				magi_error_set(s->err, MAGI_ERR_NOMEM,
					       "%s: out of memory while decoding", s->v->path);
				return -1;
			}
			if (++s->bad_packets > MAX_DECODE_ERRORS)
				goto corrupt;
			continue;
		}
		if (s->draining)
			return 0;
		if (!read_packet(s)) {
			avcodec_send_packet(s->dec, NULL);
			s->draining = true;
			continue;
		}
		if (s->skip_nonref && s->pkt->pts == AV_NOPTS_VALUE) {
			s->dec->skip_frame = AVDISCARD_DEFAULT; /* cannot tell: keep it */
		} else if (s->skip_nonref) {
			/* A non-reference frame can be dropped unless it may be the frame on
			 * screen at a target: with a constant frame rate some later frame lies
			 * within one period before the target, so frames more than 1.5 periods
			 * before the next target are never the answer. */
			double p = (double)(s->pkt->pts - s->v->start_pts) * s->v->tb;
			double nt = next_target(s, p);
			bool keep = nt - p <= 1.5 * s->v->period;
			s->dec->skip_frame = keep ? AVDISCARD_DEFAULT : AVDISCARD_NONREF;
		}
		rc = avcodec_send_packet(s->dec, s->pkt);
		av_packet_unref(s->pkt);
		if (rc == AVERROR(ENOMEM)) {
			magi_error_set(s->err, MAGI_ERR_NOMEM, "%s: out of memory while decoding",
				       s->v->path);
			return -1;
		}
		if (rc < 0 && rc != AVERROR(EAGAIN) && ++s->bad_packets > MAX_DECODE_ERRORS)
			goto corrupt;
	}
corrupt:
	magi_error_set(s->err, MAGI_ERR_VIDEO,
		       "%s: corrupt video data (%d undecodable packets in a row after %.1f s: %s)",
		       s->v->path, s->bad_packets, s->last_t,
		       magi__av_err(AVERROR_INVALIDDATA, eb));
	return -1;
}

/* Decodes until the frame after T is seen (or the stream ends), keeping prev <= T < la. */
static magi_status advance(struct smp *s, double T)
{
	for (;;) {
		if (s->have_la) {
			if (s->la_t > T + EPS)
				return MAGI_OK;
			AVFrame *tmp = s->prev;
			s->prev = s->la;
			s->la = tmp;
			av_frame_unref(s->la);
			s->prev_t = s->la_t;
			s->prev_key = s->la_key;
			s->prev_id = s->la_id;
			s->have_prev = true;
			s->have_la = false;
		}
		if (s->eof)
			return MAGI_OK;
		int r = decode_next(s, s->la, &s->la_t, &s->la_key);
		if (r < 0)
			return s->err->status;
		if (r == 0) {
			s->eof = true;
			return MAGI_OK;
		}
		s->have_la = true;
		s->la_id = ++s->next_id;
		if (s->prog_hi > s->prog_lo) {
			magi_status st =
			    progress(s, (s->la_t - s->prog_lo) / (s->prog_hi - s->prog_lo));
			if (st)
				return st;
		}
	}
}

static magi_status seek_to(struct smp *s, double t)
{
	char eb[128];
	if (t < 0)
		t = 0;
	int64_t ts = s->v->start_pts + (int64_t)floor(t / s->v->tb);
	int rc = av_seek_frame(s->fmt, s->v->stream, ts, AVSEEK_FLAG_BACKWARD);
	if (rc < 0)
		rc = avformat_seek_file(s->fmt, s->v->stream, INT64_MIN, ts, ts, 0);
	if (rc < 0)
		return magi_error_set(s->err, MAGI_ERR_VIDEO, "%s: cannot seek to %.2f s (%s)",
				      s->v->path, t, magi__av_err(rc, eb));
	avcodec_flush_buffers(s->dec);
	av_frame_unref(s->prev);
	av_frame_unref(s->la);
	s->have_prev = s->have_la = false;
	s->eof = s->draining = false;
	s->read_error = 0;
	s->bad_packets = 0;
	s->stats->seeks++;
	return MAGI_OK;
}

/* Seeks to the key frame before T and decodes to it. A demuxer may land after T (its index
 * holds decode times, or it seeks by bytes); then it seeks again further back. */
static magi_status seek_and_advance(struct smp *s, double T)
{
	double back = 0;
	for (int attempt = 0;; attempt++) {
		magi_status st = seek_to(s, T - back);
		if (!st)
			st = advance(s, T);
		if (st)
			return st;
		/* Landed well when a frame at or before T came out, or the first frame of the
		 * file did. Nothing at all means the demuxer landed between key frames near
		 * the end (MPEG-TS seeks by timestamp, not to key frames) and the decoder
		 * dropped everything up to a key frame that never came. */
		bool landed = s->have_prev || (s->have_la && s->la_t <= EPS) || T - back <= 0;
		if (landed || attempt == 4)
			return MAGI_OK;
		back = back > 0 ? back * 4 : MAGI_MAX(2 * s->v->info.keyframe_interval_s, 1.0);
	}
}

/* Turns src clockwise by rot degrees into dst (sized for the turned image). */
static void rotate(const struct magi_image *src, struct magi_image *dst, int rot)
{
	for (uint32_t y = 0; y < src->h; y++) {
		const uint8_t *p = src->px + (size_t)y * src->stride;
		for (uint32_t x = 0; x < src->w; x++, p += 3) {
			uint32_t dx, dy;
			if (rot == 90) {
				dx = src->h - 1 - y;
				dy = x;
			} else if (rot == 180) {
				dx = src->w - 1 - x;
				dy = src->h - 1 - y;
			} else {
				dx = y;
				dy = src->w - 1 - x;
			}
			memcpy(dst->px + (size_t)dy * dst->stride + (size_t)dx * 3, p, 3);
		}
	}
}

static magi_status convert(struct smp *s, const AVFrame *f)
{
	int rot = s->v->rotation;
	/* scaled size before the turn */
	uint32_t sw = rot == 90 || rot == 270 ? s->oh : s->ow;
	uint32_t sh = rot == 90 || rot == 270 ? s->ow : s->oh;
	magi_status st = MAGI_OK;
	if (!s->img)
		st = magi_image_new(s->ow, s->oh, &s->img);
	if (!st && rot && !s->unturned)
		st = magi_image_new(sw, sh, &s->unturned);
	if (st)
		return magi_error_set(s->err, st, "%s: cannot allocate a %ux%u frame", s->v->path,
				      s->ow, s->oh);
	struct magi_image *dst_img = rot ? s->unturned : s->img;
	bool down = (int64_t)sw * sh < (int64_t)f->width * f->height;
	s->sws = sws_getCachedContext(s->sws, f->width, f->height, (enum AVPixelFormat)f->format,
				      (int)sw, (int)sh, AV_PIX_FMT_RGB24,
				      down ? SWS_AREA : SWS_BICUBIC, NULL, NULL, NULL);
	if (!s->sws)
		return magi_error_set(
		    s->err, MAGI_ERR_VIDEO, "%s: cannot convert %dx%d %s frames to RGB", s->v->path,
		    f->width, f->height, av_get_pix_fmt_name((enum AVPixelFormat)f->format));
	uint8_t *dst[4] = {dst_img->px, NULL, NULL, NULL};
	int stride[4] = {(int)dst_img->stride, 0, 0, 0};
	sws_scale(s->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, stride);
	if (rot)
		rotate(s->unturned, s->img, rot);
	s->stats->converted++;
	return MAGI_OK;
}

/* Converts (once per decoded frame) and hands the frame to the caller for the call's target
 * `target`. */
static magi_status emit(struct smp *s, size_t target, const AVFrame *f, uint64_t id, double t,
			bool key)
{
	if (s->img_id != id) {
		magi_status st = convert(s, f);
		if (st)
			return st;
		s->img_id = id;
	}
	return s->emit(s->user, target, s->img, t, key);
}

/* The frame for target i after advance(): prev, or la when T precedes every frame. */
static magi_status emit_current(struct smp *s, size_t i)
{
	double T = s->T[i];
	if (s->have_prev) {
		double tol = MAGI_MAX(2 * s->v->period, 0.5) + 0.1;
		/* A duration taken from the whole file may include audio that runs on after
		 * the last frame: allow a margin before calling the file truncated. */
		if (!s->v->duration_from_stream)
			tol += 2 + 0.02 * s->v->info.duration_s;
		if (s->eof && !s->have_la && T > s->prev_t + tol)
			goto truncated;
		return emit(s, s->ids[i], s->prev, s->prev_id, s->prev_t, s->prev_key);
	}
	if (s->have_la)
		return emit(s, s->ids[i], s->la, s->la_id, s->la_t, s->la_key);
truncated : {
	char eb[128];
	const char *why = s->read_error ? magi__av_err(s->read_error, eb) : "end of data";
	if (!s->have_prev)
		return magi_error_set(
		    s->err, MAGI_ERR_VIDEO,
		    "%s: truncated or corrupt: no frame could be decoded at %.1f s "
		    "(%s), but the file claims %.1f s",
		    s->v->path, T, why, s->v->info.duration_s);
	return magi_error_set(s->err, MAGI_ERR_VIDEO,
			      "%s: truncated or corrupt: no frames after %.1f s (%s), but the file "
			      "claims %.1f s",
			      s->v->path, s->prev_t, why, s->v->info.duration_s);
}
}

/* Last index key time <= t, or -1 when none / no index. */
static double key_before(const struct magi_video *v, double t)
{
	if (!v->n_key)
		return -1;
	size_t lo = 0, hi = v->n_key;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v->key_times[mid] <= t + EPS)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? v->key_times[lo - 1] : -1;
}

/* Whether reaching T from the current decode position is cheaper by seeking. */
static bool should_seek(const struct smp *s, double T)
{
	if (!s->have_prev && !s->have_la)
		return true;
	if (s->have_la && s->la_t > T + EPS)
		return false; /* the answer is already known */
	if (s->eof)
		return false;
	double cur = s->have_la ? s->la_t : s->prev_t;
	double frames = s->v->period > 0 ? s->v->period : 0.04;
	const struct magi_video *v = s->v;
	if (v->n_key) {
		double k = key_before(v, T);
		return k > cur + SEEK_COST_FRAMES * frames;
	}
	return T - cur > v->info.keyframe_interval_s + SEEK_COST_FRAMES * frames;
}

static magi_status run_sequential(struct smp *s)
{
	s->prog_lo = s->T[0];
	s->prog_hi = s->T[s->n - 1];
	magi_status st = seek_and_advance(s, s->T[0]);
	for (size_t i = 0; !st && i < s->n; i++) {
		st = advance(s, s->T[i]);
		if (!st)
			st = emit_current(s, i);
	}
	return st;
}

static magi_status run_seek(struct smp *s)
{
	magi_status st = MAGI_OK;
	for (size_t i = 0; !st && i < s->n; i++) {
		st = should_seek(s, s->T[i]) ? seek_and_advance(s, s->T[i]) : advance(s, s->T[i]);
		if (!st)
			st = emit_current(s, i);
		if (!st)
			st = progress(s, (double)(i + 1) / (double)s->n);
	}
	return st;
}

double magi__video_key_nearest(const struct magi_video *v, double t)
{
	size_t lo = 0, hi = v->n_key;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v->key_times[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == v->n_key)
		return v->key_times[v->n_key - 1];
	if (lo > 0 && t - v->key_times[lo - 1] <= v->key_times[lo] - t)
		return v->key_times[lo - 1];
	return v->key_times[lo];
}

/* Decodes the key frame at index time k alone: seek to it, send its packet, drain. The
 * frame is left in s->la with its true time. */
static magi_status decode_key(struct smp *s, double k)
{
	/* half a frame past k, so rounding cannot land the backward seek on the key before */
	magi_status st = seek_to(s, k + MAGI_MAX(s->v->period, 0.02) / 2);
	if (st)
		return st;
	/* the first key packet at or after the seek point is the key frame k */
	bool keys_only = s->keys_only;
	s->keys_only = true;
	for (;;) {
		if (!read_packet(s))
			break;
		int rc = avcodec_send_packet(s->dec, s->pkt);
		av_packet_unref(s->pkt);
		if (rc >= 0)
			break;
	}
	s->keys_only = keys_only;
	avcodec_send_packet(s->dec, NULL);
	s->draining = true;
	int r = decode_next(s, s->la, &s->la_t, &s->la_key);
	if (r < 0)
		return s->err->status;
	if (r == 0) {
		char eb[128];
		return magi_error_set(
		    s->err, MAGI_ERR_VIDEO,
		    "%s: truncated or corrupt: the key frame at %.1f s could not be decoded (%s)",
		    s->v->path, k, s->read_error ? magi__av_err(s->read_error, eb) : "end of data");
	}
	s->la_id = ++s->next_id;
	s->have_la = true;
	return MAGI_OK;
}

/* The key frames at index times K[0..n) (ascending) for the call's targets ids[0..n):
 * each decoded once; a key frame several targets want goes to each of them, or, with
 * once, only to the first. Leaves the decoder drained: the next pass seeks first. */
static magi_status run_keys(struct smp *s, const double *K, const size_t *ids, size_t n,
			    bool once)
{
	double last = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		magi_status st = MAGI_OK;
		if (K[i] != last) {
			st = decode_key(s, K[i]);
			last = K[i];
		} else if (once) {
			continue;
		}
		if (!st)
			st = emit(s, ids[i], s->la, s->la_id, s->la_t, true);
		if (!st)
			st = progress(s, (double)(i + 1) / (double)n);
		if (st)
			return st;
	}
	/* nothing decoded here is a position the next pass can continue from */
	s->have_prev = s->have_la = false;
	return MAGI_OK;
}

/* Key frames only, from the index: for each target the nearest key frame, each decoded
 * once. */
static magi_status run_keyframes_indexed(struct smp *s)
{
	double *K = malloc(s->n * sizeof *K);
	if (!K)
		return magi_error_set(s->err, MAGI_ERR_NOMEM, "%s: out of memory", s->v->path);
	for (size_t i = 0; i < s->n; i++)
		K[i] = magi__video_key_nearest(s->v, s->T[i]);
	magi_status st = run_keys(s, K, s->ids, s->n, true);
	free(K);
	return st;
}

/* Key frames only, without an index: read every packet, decode the key ones, and pick the
 * key frame nearest each target. */
static magi_status run_keyframes_scan(struct smp *s)
{
	s->prog_lo = s->T[0];
	s->prog_hi = s->T[s->n - 1];
	magi_status st = seek_to(s, 0);
	uint64_t last_id = 0;
	for (size_t i = 0; !st && i < s->n; i++) {
		double T = s->T[i];
		st = advance(s, T);
		if (st)
			break;
		bool use_la = s->have_la && (!s->have_prev || s->la_t - T < T - s->prev_t);
		if (!use_la && !s->have_prev) {
			st = emit_current(s, i); /* reports the failure */
			break;
		}
		uint64_t id = use_la ? s->la_id : s->prev_id;
		if (id == last_id)
			continue;
		last_id = id;
		st = use_la ? emit(s, s->ids[i], s->la, s->la_id, s->la_t, s->la_key)
			    : emit(s, s->ids[i], s->prev, s->prev_id, s->prev_t, s->prev_key);
	}
	return st;
}

static magi_status open_decoder(struct smp *s)
{
	const struct magi_video *v = s->v;
	char eb[128];
	s->dec = avcodec_alloc_context3(v->codec);
	if (!s->dec)
		return magi_error_set(s->err, MAGI_ERR_NOMEM, "%s: out of memory", v->path);
	int rc = avcodec_parameters_to_context(s->dec, v->st->codecpar);
	if (rc >= 0) {
		s->dec->pkt_timebase = v->st->time_base;
		s->dec->thread_count = s->threads;
		s->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
		if (s->keys_only)
			s->dec->skip_frame = AVDISCARD_NONKEY;
		rc = avcodec_open2(s->dec, v->codec, NULL);
	}
	if (rc < 0)
		return magi_error_set(s->err, MAGI_ERR_VIDEO, "%s: cannot open the %s decoder (%s)",
				      v->path, v->codec_name, magi__av_err(rc, eb));
	s->pkt = av_packet_alloc();
	s->prev = av_frame_alloc();
	s->la = av_frame_alloc();
	if (!s->pkt || !s->prev || !s->la)
		return magi_error_set(s->err, MAGI_ERR_NOMEM, "%s: out of memory", v->path);
	return MAGI_OK;
}

magi_status magi__video_chunk_run(const struct magi__video_chunk *c,
				  struct magi__video_stats *stats, struct magi_error *err)
{
	if (c->n == 0 && c->nk == 0)
		return MAGI_OK;
	struct magi__video_stats mine = {0};
	struct smp s = {0};
	struct magi_error local;
	if (!err)
		err = &local; /* failures inside need somewhere to put their status */
	struct magi_video *v = c->v;
	s.v = v;
	s.fmt = c->fmt;
	s.threads = c->threads;
	s.T = c->T;
	s.ids = c->ids;
	s.n = c->n;
	s.ow = c->ow;
	s.oh = c->oh;
	s.emit = c->emit;
	s.user = c->user;
	s.stats = &mine;
	s.err = err;
	s.prog_last = -1;
	s.report = c->report;
	s.report_ctx = c->report_ctx;
	s.keys_only = c->strategy == MAGI_VIDEO_KEYFRAMES;
	s.skip_nonref = !s.keys_only && v->cfr && v->period > 0;
	magi_status st = open_decoder(&s);
	double share = (double)c->nk / (double)(c->nk + c->n);
	if (!st && c->nk) {
		s.prog_scale = share;
		st = run_keys(&s, c->K, c->kids, c->nk, false);
	}
	if (!st && c->n) {
		s.prog_base = share;
		s.prog_scale = 1 - share;
		switch (c->strategy) {
		case MAGI_VIDEO_SEEK:
			st = run_seek(&s);
			break;
		case MAGI_VIDEO_KEYFRAMES:
			st = v->n_key ? run_keyframes_indexed(&s) : run_keyframes_scan(&s);
			break;
		default:
			st = run_sequential(&s);
			break;
		}
	}
	sws_freeContext(s.sws);
	magi_image_free(s.img);
	magi_image_free(s.unturned);
	av_frame_free(&s.prev);
	av_frame_free(&s.la);
	av_packet_free(&s.pkt);
	avcodec_free_context(&s.dec);
	stats->decoded += mine.decoded;
	stats->converted += mine.converted;
	stats->seeks += mine.seeks;
	return st;
}
