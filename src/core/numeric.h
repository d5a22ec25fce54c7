/* Checks on flat float buffers used by training: the first non-finite value (the NaN/Inf guard) and a checksum
 * of the bytes (to compare weights across ranks and to verify checkpoints). Plain computation, no MPI. */
#ifndef LEGOCRYST_CORE_NUMERIC_H
#define LEGOCRYST_CORE_NUMERIC_H

#include <stddef.h>
#include <stdint.h>

/* Index of the first NaN or +-Inf in buffer[0 .. n-1], or -1 when all n values are finite (also for n <= 0). */
long lc_first_nonfinite(const float *buffer, long n);

/* FNV-1a 64 over `size` bytes, continuing from `hash` (start with LC_FNV1A64_INIT). */
#define LC_FNV1A64_INIT 0xcbf29ce484222325ULL
uint64_t lc_fnv1a64(uint64_t hash, const void *data, size_t size);

/* FNV-1a 64 of the bytes of buffer[0 .. n-1]: equal for bitwise-equal buffers (so 0.0 and -0.0 differ, and two
 * NaNs with different payloads differ), in the byte order of this machine. */
uint64_t lc_buffer_checksum(const float *buffer, long n);

#endif
