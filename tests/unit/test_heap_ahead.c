/* test_heap_ahead.c — magi_heap_ahead (src/core/heap.c): the heap's next megabytes come in
 * transparent huge pages.
 *
 * In a process set up like `magi run` (one malloc arena), after magi_heap_ahead(12 MiB):
 * 8 MiB allocated in blocks of 64 KiB (the sizes the OCR engines' initialisation asks for)
 * come from the heap (below the program break), fill it with fewer than a quarter of the
 * page faults 4 KiB pages need (2048), and the heap's mappings hold huge pages
 * (/proc/self/smaps AnonHugePages). The blocks are freed and allocated again, and a block
 * larger than the region still gets a mapping of its own. Run with MAGI_HEAP_AHEAD=0 (the
 * off switch) it fails. Skipped (77) where THP is off ("never") or under ASan (its own
 * allocator). */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "check.h"
#include "magi/core.h"

#define MIB ((size_t)1 << 20)
enum { BLOCK = 64 << 10, N = 128 }; /* 8 MiB */

static long minor_faults(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* AnonHugePages summed over the [heap] mappings, in KiB */
static long heap_huge_kb(void)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	char line[512];
	bool in_heap = false;
	long kb = 0, v;
	unsigned long lo, hi;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) /* a mapping's first line */
			in_heap = strstr(line, "[heap]") != NULL;
		else if (in_heap && sscanf(line, "AnonHugePages: %ld kB", &v) == 1)
			kb += v;
	}
	fclose(f);
	return kb;
}

int main(void)
{
#if defined(__SANITIZE_ADDRESS__)
	SKIP("ASan's allocator is not glibc's heap");
#endif
	char mode[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f || !fgets(mode, sizeof mode, f) || strstr(mode, "[never]"))
		SKIP("transparent huge pages are off here");
	fclose(f);
	mallopt(M_ARENA_MAX, 1);

	size_t advised = magi_heap_ahead(12 * MIB);
	mode[strcspn(mode, "\n")] = '\0';
	printf("%zu MiB advised (THP: %s)\n", advised / MIB, mode);
	CHECK_MSG(advised >= 8 * MIB, "only %zu bytes advised", advised);

	static char *blk[N];
	char *brk_end;
	long f0 = minor_faults();
	for (int i = 0; i < N; i++) {
		blk[i] = malloc(BLOCK);
		REQUIRE(blk[i]);
		memset(blk[i], i + 1, BLOCK);
	}
	long faults = minor_faults() - f0;
	brk_end = sbrk(0);
	long huge = heap_huge_kb();
	printf("8 MiB in 64 KiB blocks: %ld page faults, %ld KiB of the heap in huge pages\n", faults, huge);
	int in_heap = 0;
	for (int i = 0; i < N; i++)
		in_heap += blk[i] < brk_end;
	CHECK_MSG(in_heap == N, "%d of %d blocks in the heap", in_heap, N);
	CHECK_MSG(faults < 512, "%ld page faults for 8 MiB (2048 in 4 KiB pages)", faults);
	CHECK_MSG(huge >= 4096, "%ld KiB of the heap in huge pages", huge);
	for (int i = 0; i < N; i++)
		CHECK(blk[i][0] == (char)(i + 1) && blk[i][BLOCK - 1] == (char)(i + 1));

	/* the heap stays an ordinary heap: blocks freed and allocated again, a block larger
	 * than the region in a mapping of its own */
	for (int i = 0; i < N; i++)
		free(blk[i]);
	for (int i = 0; i < N; i++) {
		blk[i] = malloc(BLOCK / 2);
		REQUIRE(blk[i]);
		memset(blk[i], 7, BLOCK / 2);
	}
	char *big = malloc(40 * MIB);
	REQUIRE(big);
	big[0] = big[40 * MIB - 1] = 1;
	CHECK((char *)big > (char *)sbrk(0));
	free(big);
	for (int i = 0; i < N; i++)
		free(blk[i]);
	return check_done();
}
