// Counted references in bulk and without atomics, from the Swift runtime's own entry points (libswiftCore exports
// them with C linkage). Swift has no spelling for either; code that calls them says why each use is sound.
#ifndef CQUICKSTEP_REFERENCES_H
#define CQUICKSTEP_REFERENCES_H

#include <stdint.h>

void *swift_retain_n(void *object, uint32_t count);

/// Counts `count` more references to the Swift object at `object` with one atomic instruction.
static inline void quickstep_retain_references(void *object, uint32_t count) {
    swift_retain_n(object, count);
}

/// Counts one more reference to the Swift object at `object` without an atomic instruction: only for an object that
/// no other thread can reach. Out of line (in the source file): inline, the compiler's reference-counting
/// optimizations took the call for an ordinary retain and made it one.
void quickstep_retain_unshared(void *object);

#endif
