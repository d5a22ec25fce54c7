#include "numeric.h"

#include <string.h>

/* A float is NaN or Inf exactly when its exponent bits are all ones; testing the bits (not isfinite) keeps the
 * answer independent of -ffast-math and lets the compiler vectorise the block scan. */
static int nonfinite_bits(uint32_t bits) { return (bits & 0x7f800000u) == 0x7f800000u; }

long lc_first_nonfinite(const float *buffer, long n) {
    enum { BLOCK = 1024 };
    for (long start = 0; start < n; start += BLOCK) {
        long end = n - start < BLOCK ? n : start + BLOCK;
        int any = 0;
#pragma omp simd reduction(| : any)
        for (long i = start; i < end; i++) { /* branch-free pass over the block; exact index found below */
            uint32_t bits;
            memcpy(&bits, buffer + i, sizeof bits);
            any |= nonfinite_bits(bits);
        }
        if (!any) continue;
        for (long i = start; i < end; i++) {
            uint32_t bits;
            memcpy(&bits, buffer + i, sizeof bits);
            if (nonfinite_bits(bits)) return i;
        }
    }
    return -1;
}

uint64_t lc_fnv1a64(uint64_t hash, const void *data, size_t size) {
    const unsigned char *bytes = data;
    for (size_t i = 0; i < size; i++) {
        hash ^= bytes[i];
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

uint64_t lc_buffer_checksum(const float *buffer, long n) {
    return lc_fnv1a64(LC_FNV1A64_INIT, buffer, n > 0 ? sizeof(float) * (size_t)n : 0);
}
