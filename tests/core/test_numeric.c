/* Finite-value guard and checksums (src/core/numeric.h). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/numeric.h"
#include "test.h"

static void test_first_nonfinite(void) {
    enum { N = 3000 }; /* spans several of the scan's 1024-value blocks */
    static float v[N];
    for (int i = 0; i < N; i++) v[i] = (float)(i - 1500) * 1e-3f;
    v[7] = FLT_MAX;
    v[8] = -FLT_MAX;
    v[9] = FLT_MIN / 8; /* subnormal: finite */
    v[10] = -0.0f;
    CHECK(lc_first_nonfinite(v, N) == -1);
    CHECK(lc_first_nonfinite(v, 0) == -1);
    CHECK(lc_first_nonfinite(NULL, 0) == -1);
    const long positions[] = {0, 1, 1023, 1024, 1025, 2047, 2048, N - 1};
    const float bad[] = {NAN, -NAN, INFINITY, -INFINITY};
    for (size_t p = 0; p < sizeof positions / sizeof positions[0]; p++)
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            float kept = v[positions[p]];
            v[positions[p]] = bad[b];
            CHECK_MSG(lc_first_nonfinite(v, N) == positions[p], "value %zu at %ld", b, positions[p]);
            /* only the first n values are looked at */
            CHECK(lc_first_nonfinite(v, positions[p]) == -1);
            v[positions[p]] = kept;
        }
    /* the first of several */
    v[2500] = NAN;
    v[1500] = INFINITY;
    v[1999] = NAN;
    CHECK(lc_first_nonfinite(v, N) == 1500);
    /* a NaN with another payload (not what NAN gives) */
    uint32_t bits = 0x7f800001u;
    memcpy(&v[3], &bits, sizeof bits);
    CHECK(lc_first_nonfinite(v, N) == 3);
}

static void test_fnv1a64(void) {
    /* reference values of FNV-1a 64 (Fowler, Noll, Vo test suite) */
    CHECK(lc_fnv1a64(LC_FNV1A64_INIT, "", 0) == 0xcbf29ce484222325ULL);
    CHECK(lc_fnv1a64(LC_FNV1A64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
    CHECK(lc_fnv1a64(LC_FNV1A64_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
    /* continuing a hash equals hashing the concatenation */
    CHECK(lc_fnv1a64(lc_fnv1a64(LC_FNV1A64_INIT, "foo", 3), "bar", 3) == 0x85944171f73967e8ULL);
}

static void test_buffer_checksum(void) {
    float a[257], b[257];
    for (int i = 0; i < 257; i++) a[i] = b[i] = sinf((float)i);
    CHECK(lc_buffer_checksum(a, 257) == lc_buffer_checksum(b, 257));
    CHECK(lc_buffer_checksum(a, 0) == LC_FNV1A64_INIT);
    CHECK(lc_buffer_checksum(a, 256) != lc_buffer_checksum(a, 257));
    /* one flipped bit anywhere changes it */
    uint64_t reference = lc_buffer_checksum(a, 257);
    for (int i = 0; i < 257; i += 37)
        for (int bit = 0; bit < 32; bit += 7) {
            uint32_t word;
            memcpy(&word, &b[i], 4);
            word ^= 1u << bit;
            memcpy(&b[i], &word, 4);
            CHECK(lc_buffer_checksum(b, 257) != reference);
            word ^= 1u << bit;
            memcpy(&b[i], &word, 4);
        }
    CHECK(lc_buffer_checksum(b, 257) == reference);
    /* bitwise, not numeric: 0.0 and -0.0 differ */
    float zero = 0.0f, minus_zero = -0.0f;
    CHECK(lc_buffer_checksum(&zero, 1) != lc_buffer_checksum(&minus_zero, 1));
}

int main(void) {
    RUN_TEST(test_first_nonfinite);
    RUN_TEST(test_fnv1a64);
    RUN_TEST(test_buffer_checksum);
    return test_summary();
}
