/* av_dl.c — the loaded FFmpeg tables. */
#include <stddef.h>
#include "video/av_dl.h"
#include "core/common.h"

struct magi__avutil_api magi__avutil;
struct magi__avcodec_api magi__avcodec;
struct magi__avformat_api magi__avformat;
struct magi__swscale_api magi__swscale;

#define MAGI__AVS(n) #n,
static const char *const util_syms[] = {MAGI_AVUTIL_FUNCS(MAGI__AVS) NULL};
static const char *const codec_syms[] = {MAGI_AVCODEC_FUNCS(MAGI__AVS) NULL};
static const char *const format_syms[] = {MAGI_AVFORMAT_FUNCS(MAGI__AVS) NULL};
static const char *const sws_syms[] = {MAGI_SWSCALE_FUNCS(MAGI__AVS) NULL};
#undef MAGI__AVS

/* The soname this build's headers belong to comes first; an unversioned name is a fallback. */
#define SONAME(lib, major) "lib" lib ".so." #major
#define SONAME_OF(lib, major) SONAME(lib, major)
static const char *const util_names[] = {SONAME_OF("avutil", LIBAVUTIL_VERSION_MAJOR), "libavutil.so", NULL};
static const char *const codec_names[] = {SONAME_OF("avcodec", LIBAVCODEC_VERSION_MAJOR), "libavcodec.so", NULL};
static const char *const format_names[] = {SONAME_OF("avformat", LIBAVFORMAT_VERSION_MAJOR), "libavformat.so", NULL};
static const char *const sws_names[] = {SONAME_OF("swscale", LIBSWSCALE_VERSION_MAJOR), "libswscale.so", NULL};

#define HINT "install FFmpeg's libraries (Debian: apt-get install libavformat59 libswscale6)"
static struct magi__dl_lib libs[] = {
	{"FFmpeg's libavutil", util_names, util_syms, (void **)&magi__avutil, HINT, 0, {0}},
	{"FFmpeg's libavcodec", codec_names, codec_syms, (void **)&magi__avcodec, HINT, 0, {0}},
	{"FFmpeg's libavformat", format_names, format_syms, (void **)&magi__avformat, HINT, 0, {0}},
	{"FFmpeg's libswscale", sws_names, sws_syms, (void **)&magi__swscale, HINT, 0, {0}},
};

magi_status magi__av_load(struct magi_error *err)
{
	for (size_t i = 0; i < MAGI_ARRAY_LEN(libs); i++) {
		magi_status s = magi__dl_load(&libs[i], err);
		if (s)
			return s;
	}
	return MAGI_OK;
}
