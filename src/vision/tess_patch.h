/* tess_patch.h — finding and writing the slots through which a loaded library (libtesseract)
 * calls its own functions, for magi's stand-ins (src/vision/tess_plumb.c). */
#ifndef MAGI_TESS_PATCH_H
#define MAGI_TESS_PATCH_H
#include <stdbool.h>

/* The one entry of the exported vtable `name` (a C++ class's _ZTV symbol) that holds fn, or
 * NULL when none or several do. */
void **magi__tess_vtable_slot(const char *name, void *fn);
/* The GOT entry (JUMP_SLOT relocation) through which the loaded object whose path contains
 * `lib` calls the function `name` (mangled), or NULL when it has none or several. */
void **magi__tess_got_slot(const char *lib, const char *name);
/* Stores fn in *slot: as is in a writable segment; in a RELRO segment (read-only after
 * relocation, as BIND_NOW GOTs and vtables are) the page is made writable for the store and
 * read-only again. false (nothing written) when the slot is in neither or mprotect fails. */
bool magi__tess_slot_write(void **slot, void *fn);
#endif
