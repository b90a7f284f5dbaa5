/* heap.c — the heap's next megabytes ahead in transparent huge pages.
 *
 * On this project's VMs a page fault costs ~10 µs (a firecracker guest; session 10 measured
 * 2.7 MB of fresh memory touched in 6.5-7.6 ms, 1.6 ms in huge pages), and a `magi run`
 * that reads its first screen took ~3900 of them, two fifths in the malloc heap that the
 * OCR engines' initialisation and the reading grow (`magi run` keeps one arena: the brk
 * heap, cmd_run.c). glibc puts its heap in huge pages only when told at start
 * (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, read from the environment before main); this does
 * the part that matters here at run time, with the public malloc interface only:
 *
 * 1. one block larger than the region is allocated and freed: glibc serves it with mmap
 *    (above its initial 128 KiB threshold) and, as it does for any such block freed, raises
 *    its mmap threshold to that size (and its trim threshold to twice that);
 * 2. a block of the region's size then comes from the heap's top: the heap grows (sbrk) by
 *    that much, and only the block's first and last pages are written (its header and the
 *    new top's);
 * 3. the whole 2 MiB pages inside it, untouched yet, are advised as huge (MADV_HUGEPAGE;
 *    THP in "madvise" mode, as on Debian), and the block is freed back to the top, which
 *    stays (it is under the trim threshold).
 * The heap's next allocations are carved from that top, and the first touch in each 2 MiB
 * page maps all of it at once: one fault instead of 512. What it costs: up to the region's
 * size resident once used (the whole huge page counts as soon as a byte of it is touched),
 * and glibc keeping blocks up to the region's size in the heap rather than in mappings of
 * their own. MAGI_HEAP_AHEAD=0 turns it off (for A/B measurements). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "core/common.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Step 1 alone: blocks up to `bytes` come from the heap from now on, so a block freed and
 * asked for again (a screenshot's pixels every step: 3.7 MB at 1280x720, 2 MiB-aligned) is
 * served from memory already faulted in instead of a fresh mapping (~900 faults a step).
 * Without OCR this took bench_gui.sh's step overhead from 10.7-12.2 ms to 8.2-8.7 (session 13,
 * lead: observe 4.5-4.7 -> 2.6-2.7 ms). */
void magi_heap_reuse(size_t bytes)
{
	const char *env = getenv("MAGI_HEAP_AHEAD");
	if (env && !strcmp(env, "0"))
		return;
	/* volatile: a malloc whose block is only freed may be left out by the compiler */
	void *volatile big = malloc(bytes + (64 << 10));
	free(big);
}

size_t magi_heap_ahead(size_t bytes)
{
	const char *env = getenv("MAGI_HEAP_AHEAD");
	if (env && !strcmp(env, "0"))
		return 0;
#ifdef MADV_HUGEPAGE
	magi_heap_reuse(bytes);
	char *p = malloc(bytes);
	if (!p)
		return 0;
	uintptr_t end = (uintptr_t)sbrk(0), lo = ((uintptr_t)p + 4096 + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1),
		  hi = ((uintptr_t)p + bytes) & ~(HUGE_PAGE - 1);
	size_t advised = 0;
	/* only in the heap's top (not a mapping of its own, which free would unmap) */
	if (hi > lo && (uintptr_t)p + bytes <= end && end - ((uintptr_t)p + bytes) < HUGE_PAGE &&
	    madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0)
		advised = hi - lo;
	free(p);
	return advised;
#else
	(void)bytes;
	return 0;
#endif
}
