/* av_dl.h — the FFmpeg functions magi uses, loaded on first use (see src/core/dl.h).
 * FFmpeg's shared objects pull in every codec library Debian built them with (~90 of
 * them); linking them would cost every magi process 30 ms and 20 MB at start-up. Every
 * FFmpeg header the video layer needs is included here first; the names below then call
 * through tables filled by magi__av_load. */
#ifndef MAGI_AV_DL_H
#define MAGI_AV_DL_H
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include "core/dl.h"

#define MAGI_AVUTIL_FUNCS(X)                                                               \
	X(av_display_rotation_get) X(av_frame_alloc) X(av_frame_free) X(av_frame_unref)    \
	X(av_get_pix_fmt_name) X(av_log_format_line2) X(av_log_set_callback)               \
	X(av_rescale_q) X(av_strerror)
#define MAGI_AVCODEC_FUNCS(X)                                                              \
	X(av_packet_alloc) X(av_packet_free) X(av_packet_unref) X(avcodec_alloc_context3)  \
	X(avcodec_find_decoder) X(avcodec_flush_buffers) X(avcodec_free_context)           \
	X(avcodec_get_name) X(avcodec_open2) X(avcodec_parameters_to_context)              \
	X(avcodec_receive_frame) X(avcodec_send_packet)
#define MAGI_AVFORMAT_FUNCS(X)                                                             \
	X(av_guess_sample_aspect_ratio) X(av_probe_input_format3) X(av_read_frame)         \
	X(av_seek_frame) X(av_stream_get_side_data) X(avformat_close_input)                \
	X(avformat_find_stream_info) X(avformat_index_get_entries_count)                   \
	X(avformat_index_get_entry) X(avformat_open_input) X(avformat_seek_file)
#define MAGI_SWSCALE_FUNCS(X) X(sws_freeContext) X(sws_getCachedContext) X(sws_scale)

#define MAGI__AVP(n) __typeof__(&n) n;
struct magi__avutil_api { MAGI_AVUTIL_FUNCS(MAGI__AVP) };
struct magi__avcodec_api { MAGI_AVCODEC_FUNCS(MAGI__AVP) };
struct magi__avformat_api { MAGI_AVFORMAT_FUNCS(MAGI__AVP) };
struct magi__swscale_api { MAGI_SWSCALE_FUNCS(MAGI__AVP) };
#undef MAGI__AVP
extern struct magi__avutil_api magi__avutil;
extern struct magi__avcodec_api magi__avcodec;
extern struct magi__avformat_api magi__avformat;
extern struct magi__swscale_api magi__swscale;

/* Loads libavutil, libavcodec, libavformat and libswscale once. MAGI_ERR_UNSUPPORTED with
 * what to install when one is missing. */
magi_status magi__av_load(struct magi_error *err);

#define av_display_rotation_get (magi__avutil.av_display_rotation_get)
#define av_frame_alloc (magi__avutil.av_frame_alloc)
#define av_frame_free (magi__avutil.av_frame_free)
#define av_frame_unref (magi__avutil.av_frame_unref)
#define av_get_pix_fmt_name (magi__avutil.av_get_pix_fmt_name)
#define av_log_format_line2 (magi__avutil.av_log_format_line2)
#define av_log_set_callback (magi__avutil.av_log_set_callback)
#define av_rescale_q (magi__avutil.av_rescale_q)
#define av_strerror (magi__avutil.av_strerror)
#define av_packet_alloc (magi__avcodec.av_packet_alloc)
#define av_packet_free (magi__avcodec.av_packet_free)
#define av_packet_unref (magi__avcodec.av_packet_unref)
#define avcodec_alloc_context3 (magi__avcodec.avcodec_alloc_context3)
#define avcodec_find_decoder (magi__avcodec.avcodec_find_decoder)
#define avcodec_flush_buffers (magi__avcodec.avcodec_flush_buffers)
#define avcodec_free_context (magi__avcodec.avcodec_free_context)
#define avcodec_get_name (magi__avcodec.avcodec_get_name)
#define avcodec_open2 (magi__avcodec.avcodec_open2)
#define avcodec_parameters_to_context (magi__avcodec.avcodec_parameters_to_context)
#define avcodec_receive_frame (magi__avcodec.avcodec_receive_frame)
#define avcodec_send_packet (magi__avcodec.avcodec_send_packet)
#define av_guess_sample_aspect_ratio (magi__avformat.av_guess_sample_aspect_ratio)
#define av_probe_input_format3 (magi__avformat.av_probe_input_format3)
#define av_read_frame (magi__avformat.av_read_frame)
#define av_seek_frame (magi__avformat.av_seek_frame)
#define av_stream_get_side_data (magi__avformat.av_stream_get_side_data)
#define avformat_close_input (magi__avformat.avformat_close_input)
#define avformat_find_stream_info (magi__avformat.avformat_find_stream_info)
#define avformat_index_get_entries_count (magi__avformat.avformat_index_get_entries_count)
#define avformat_index_get_entry (magi__avformat.avformat_index_get_entry)
#define avformat_open_input (magi__avformat.avformat_open_input)
#define avformat_seek_file (magi__avformat.avformat_seek_file)
#define sws_freeContext (magi__swscale.sws_freeContext)
#define sws_getCachedContext (magi__swscale.sws_getCachedContext)
#define sws_scale (magi__swscale.sws_scale)
#endif
