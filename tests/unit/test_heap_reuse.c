/* test_heap_reuse.c — magi_heap_reuse (src/core/heap.c): after it, a screenshot-sized block
 * freed and asked for again comes back from the heap, already faulted in.
 *
 * A process set up like `magi run` (one malloc arena) asks ten times for a 1280x720 screen's
 * pixels the way src/vision/image.c does (posix_memalign to 2 MiB, 3.7 MB), writes them and
 * frees them. Without the call glibc maps every such block afresh (~900 page faults each);
 * with it the last nine rounds together take fewer page faults than one fresh block, and
 * the block lies in the heap (below the program break). Run with MAGI_HEAP_AHEAD=0 (the off
 * switch) it fails. Skipped (77) under ASan (its own allocator). */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "check.h"
#include "magi/core.h"

static long minor_faults(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

int main(void)
{
#if defined(__SANITIZE_ADDRESS__)
	SKIP("ASan's allocator is not glibc's heap");
#endif
	mallopt(M_ARENA_MAX, 1);
	magi_heap_reuse((size_t)12 << 20);
	const size_t n = 1280 * 720 * 4;
	long later = 0;
	int in_heap = 0;
	for (int round = 0; round < 10; round++) {
		void *p = NULL;
		REQUIRE(posix_memalign(&p, (size_t)2 << 20, n) == 0);
		long f0 = minor_faults();
		memset(p, round + 1, n);
		if (round > 0)
			later += minor_faults() - f0;
		in_heap += (char *)p < (char *)sbrk(0);
		CHECK(((unsigned char *)p)[n - 1] == round + 1);
		free(p);
	}
	printf("rounds 2-10: %ld page faults in all (a fresh block: ~%zu); %d of 10 blocks in the heap\n",
	       later, n / 4096, in_heap);
	CHECK_MSG(later < (long)(n / 4096), "%ld page faults over nine rounds", later);
	CHECK_MSG(in_heap == 10, "%d of 10 blocks in the heap", in_heap);
	return check_done();
}
