/* tess_omp.c — Tesseract's OpenMP regions run inline on magi's OCR threads.
 *
 * Tesseract's LSTM opens an OpenMP parallel region per gate and time step (~75,000 for a
 * 1280x720 screen of text). magi keeps them on the calling thread (ocr_engine.c: max
 * active levels 0; on 2 cores four spinning threads per region made a screen 10x slower),
 * but libgomp still builds a team of one for each region and ends it with a barrier whose
 * last arrival always calls futex(FUTEX_WAKE): 300,000 system calls for four screens
 * (strace -c bench_ocr), ~18% of OCR's CPU time in libgomp and the kernel (perf).
 *
 * A region whose team is one thread is its body called once, with omp_get_num_threads()
 * 1 and omp_get_thread_num() 0 — what the body sees when called outside any region. So on
 * a thread marked serial (magi__ocr_thread_setup, when magi keeps OpenMP to one thread per
 * region) the entry points GCC's OpenMP code calls are answered here: a parallel region
 * calls its body; parallel sections hand out their section numbers 1..count in order. On
 * any other thread, or for anyone else's OpenMP code, the calls go on to libgomp (found with
 * RTLD_NEXT). libtesseract calls these through its PLT, so the definitions exported from
 * magi's executable or library (CMakeLists.txt) are the ones it reaches. The ABI is
 * libgomp's (GOMP_4.0 and GOMP_1.0 symbol versions), stable since GCC 4.9. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include "vision/ocr_internal.h"

#define OMP_EXPORT __attribute__((visibility("default")))

static _Thread_local bool serial;
/* sections of the parallel-sections region running inline on this thread */
static _Thread_local unsigned sec_next, sec_count;
static _Thread_local bool in_sections;
static atomic_long inline_regions;

void magi__ocr_omp_serial(bool on)
{
	serial = on;
}

long magi__ocr_omp_inline_regions(void)
{
	return atomic_load(&inline_regions);
}

/* libgomp's own entry points, for threads that are not serial */
static struct {
	void (*parallel)(void (*)(void *), void *, unsigned, unsigned);
	void (*parallel_sections)(void (*)(void *), void *, unsigned, unsigned, unsigned);
	unsigned (*sections_next)(void);
	void (*sections_end_nowait)(void);
} gomp;
static pthread_once_t gomp_once = PTHREAD_ONCE_INIT;

static void *real(const char *name, const char *ver)
{
	void *p = dlvsym(RTLD_NEXT, name, ver);
	return p ? p : dlsym(RTLD_NEXT, name);
}

static void gomp_find(void)
{
	void *p = real("GOMP_parallel", "GOMP_4.0");
	memcpy(&gomp.parallel, &p, sizeof p);
	p = real("GOMP_parallel_sections", "GOMP_4.0");
	memcpy(&gomp.parallel_sections, &p, sizeof p);
	p = real("GOMP_sections_next", "GOMP_1.0");
	memcpy(&gomp.sections_next, &p, sizeof p);
	p = real("GOMP_sections_end_nowait", "GOMP_1.0");
	memcpy(&gomp.sections_end_nowait, &p, sizeof p);
}

OMP_EXPORT void GOMP_parallel(void (*fn)(void *), void *data, unsigned nthreads, unsigned flags);
OMP_EXPORT void GOMP_parallel(void (*fn)(void *), void *data, unsigned nthreads, unsigned flags)
{
	if (serial) {
		atomic_fetch_add_explicit(&inline_regions, 1, memory_order_relaxed);
		fn(data);
		return;
	}
	pthread_once(&gomp_once, gomp_find);
	if (gomp.parallel)
		gomp.parallel(fn, data, nthreads, flags);
	else
		fn(data); /* no OpenMP runtime loaded: nobody else runs threads either */
}

OMP_EXPORT void GOMP_parallel_sections(void (*fn)(void *), void *data, unsigned nthreads, unsigned count,
				       unsigned flags);
OMP_EXPORT void GOMP_parallel_sections(void (*fn)(void *), void *data, unsigned nthreads, unsigned count,
				       unsigned flags)
{
	if (serial) {
		/* a region inside a section gets its own numbering */
		unsigned save_next = sec_next, save_count = sec_count;
		bool save_in = in_sections;
		sec_next = 1;
		sec_count = count;
		in_sections = true;
		atomic_fetch_add_explicit(&inline_regions, 1, memory_order_relaxed);
		fn(data);
		sec_next = save_next;
		sec_count = save_count;
		in_sections = save_in;
		return;
	}
	pthread_once(&gomp_once, gomp_find);
	if (gomp.parallel_sections)
		gomp.parallel_sections(fn, data, nthreads, count, flags);
}

OMP_EXPORT unsigned GOMP_sections_next(void);
OMP_EXPORT unsigned GOMP_sections_next(void)
{
	if (in_sections)
		return sec_next <= sec_count ? sec_next++ : 0;
	pthread_once(&gomp_once, gomp_find);
	return gomp.sections_next ? gomp.sections_next() : 0;
}

OMP_EXPORT void GOMP_sections_end_nowait(void);
OMP_EXPORT void GOMP_sections_end_nowait(void)
{
	if (in_sections)
		return;
	pthread_once(&gomp_once, gomp_find);
	if (gomp.sections_end_nowait)
		gomp.sections_end_nowait();
}
