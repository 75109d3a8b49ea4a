// The CPU's cycle counter, for Quickstep's engine clock (QuickstepEngine's CycleClock). Swift has no way to emit
// the instruction itself.
#ifndef CQUICKSTEP_CLOCK_H
#define CQUICKSTEP_CLOCK_H

#include <stdint.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

/// Whether this build can read a cycle counter (x86-64's time-stamp counter).
static inline int quickstep_has_cycle_counter(void) {
#if defined(__x86_64__)
    return 1;
#else
    return 0;
#endif
}

/// The time-stamp counter (0 where there is none): ticks at a constant rate on CPUs whose counter is invariant,
/// which Linux checks before it makes it the system's clock source.
static inline uint64_t quickstep_cycle_counter(void) {
#if defined(__x86_64__)
    return __rdtsc();
#else
    return 0;
#endif
}

#endif
