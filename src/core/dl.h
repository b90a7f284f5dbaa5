/* dl.h — loading heavy optional libraries (Tesseract, FFmpeg) on first use.
 *
 * Linking them outright maps ~150 shared objects (every codec FFmpeg was built with) into
 * every magi process: 30 ms and 30 MB before `magi --version` prints anything. Loaded on
 * first use instead, a chat or a GUI run without OCR never pays for them. Each shim header
 * (src/vision/tess_dl.h, src/video/av_dl.h) lists the functions it needs in an X-macro and
 * redirects their names to a table filled here. */
#ifndef MAGI_DL_H
#define MAGI_DL_H
#include "magi/core.h"

struct magi__dl_lib {
	const char *what;         /* "Tesseract" — for messages */
	const char *const *names; /* sonames to try, NULL-terminated */
	const char *const *syms;  /* symbols, NULL-terminated */
	void **ptrs;              /* filled in the order of syms */
	const char *hint;         /* what to install when it is missing */
	/* state, zero-initialised */
	int state; /* 0 not tried, 1 loaded, -1 failed */
	char failure[512];
};

/* Loads lib once (thread-safe); later calls return the first outcome. */
magi_status magi__dl_load(struct magi__dl_lib *lib, struct magi_error *err);
#endif
