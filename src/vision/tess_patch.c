/* tess_patch.c — the slots through which a loaded library calls its own functions: the
 * exported vtables' entries and the GOT's (see tess_patch.h). */
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vision/tess_patch.h"

/* The one slot of the exported vtable `name` that holds fn, or NULL (none, or several) */
void **magi__tess_vtable_slot(const char *name, void *fn)
{
	void **vt = dlsym(RTLD_DEFAULT, name);
	Dl_info info;
	const ElfW(Sym) *es = NULL;
	if (!vt || !dladdr1(vt, &info, (void **)&es, RTLD_DL_SYMENT) || !es || es->st_size < 3 * sizeof(void *))
		return NULL;
	void **found = NULL;
	for (size_t k = 2; k < es->st_size / sizeof(void *); k++)
		if (vt[k] == fn) {
			if (found)
				return NULL;
			found = &vt[k];
		}
	return found;
}

/* Whether addr is in a loaded object's RELRO segment (read-only after relocation: made
 * writable for a store, then read-only again) or in a writable segment (stored as is). */
enum seg { SEG_UNKNOWN, SEG_RELRO, SEG_WRITABLE };
struct seg_query {
	uintptr_t addr;
	enum seg seg;
};

static int seg_of(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	struct seg_query *q = data;
	for (int k = 0; k < info->dlpi_phnum; k++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[k];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
		if (q->addr < lo || q->addr + sizeof(void *) > hi)
			continue;
		if (ph->p_type == PT_GNU_RELRO) {
			q->seg = SEG_RELRO;
			return 1;
		}
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W))
			q->seg = SEG_WRITABLE; /* unless a RELRO header says otherwise */
	}
	return q->seg != SEG_UNKNOWN;
}

bool magi__tess_slot_write(void **slot, void *fn)
{
	struct seg_query q = {(uintptr_t)slot, SEG_UNKNOWN};
	dl_iterate_phdr(seg_of, &q);
	if (q.seg == SEG_WRITABLE) {
		__atomic_store_n(slot, fn, __ATOMIC_RELEASE);
		return true;
	}
	if (q.seg != SEG_RELRO)
		return false;
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		return false;
	void *start = (void *)((uintptr_t)slot & ~((uintptr_t)page - 1));
	if (mprotect(start, (size_t)page, PROT_READ | PROT_WRITE))
		return false;
	__atomic_store_n(slot, fn, __ATOMIC_RELEASE);
	mprotect(start, (size_t)page, PROT_READ);
	return true;
}

/* The GOT entry through which a loaded library's code calls `name` (a JUMP_SLOT relocation:
 * a shared library calls even its own exported functions through its PLT) */
struct got_query {
	const char *lib, *name;
	void **slot;
	int found;
};

static int got_of(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	struct got_query *q = data;
	if (!info->dlpi_name || !strstr(info->dlpi_name, q->lib))
		return 0;
	const ElfW(Dyn) *dyn = NULL;
	for (int k = 0; k < info->dlpi_phnum; k++)
		if (info->dlpi_phdr[k].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[k].p_vaddr);
	ElfW(Addr) jmprel = 0, symtab = 0, strtab = 0;
	size_t pltrelsz = 0;
	ElfW(Sxword) pltrel = 0;
	for (; dyn && dyn->d_tag != DT_NULL; dyn++)
		switch (dyn->d_tag) {
		case DT_JMPREL: jmprel = dyn->d_un.d_ptr; break;
		case DT_PLTRELSZ: pltrelsz = dyn->d_un.d_val; break;
		case DT_PLTREL: pltrel = (ElfW(Sxword))dyn->d_un.d_val; break;
		case DT_SYMTAB: symtab = dyn->d_un.d_ptr; break;
		case DT_STRTAB: strtab = dyn->d_un.d_ptr; break;
		default: break;
		}
	if (!jmprel || !symtab || !strtab || pltrel != DT_RELA)
		return 1;
	/* glibc relocates these in place on x86-64; other loaders may leave them as offsets */
#define MAGI__ABS(p) ((p) < info->dlpi_addr ? (p) + info->dlpi_addr : (p))
	const ElfW(Rela) *r = (const ElfW(Rela) *)MAGI__ABS(jmprel);
	const ElfW(Sym) *syms = (const ElfW(Sym) *)MAGI__ABS(symtab);
	const char *strs = (const char *)MAGI__ABS(strtab);
#undef MAGI__ABS
	for (size_t k = 0; k < pltrelsz / sizeof *r; k++)
		if (ELF64_R_TYPE(r[k].r_info) == R_X86_64_JUMP_SLOT &&
		    !strcmp(strs + syms[ELF64_R_SYM(r[k].r_info)].st_name, q->name)) {
			q->slot = (void **)(info->dlpi_addr + r[k].r_offset);
			q->found++;
		}
	return 1;
}

void **magi__tess_got_slot(const char *lib, const char *name)
{
	struct got_query q = {lib, name, NULL, 0};
	dl_iterate_phdr(got_of, &q);
	return q.found == 1 ? q.slot : NULL;
}
