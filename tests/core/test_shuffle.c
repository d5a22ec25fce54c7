/* Epoch permutations and per-sample generator keys (src/core/shuffle.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/shuffle.h"
#include "test.h"

static int is_permutation(const long *perm, long n) {
    char *seen = calloc((size_t)n + 1, 1);
    int ok = 1;
    for (long i = 0; i < n && ok; i++) {
        if (perm[i] < 0 || perm[i] >= n || seen[perm[i]]) ok = 0;
        else seen[perm[i]] = 1;
    }
    free(seen);
    return ok;
}

static void test_is_permutation(void) {
    const long sizes[] = {0, 1, 2, 3, 17, 1000, 60001};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        long n = sizes[k];
        long *perm = malloc(sizeof(long) * (size_t)(n + 1));
        for (long epoch = 0; epoch < 3; epoch++) {
            lc_epoch_permutation(n, 12345, epoch, perm);
            CHECK_MSG(is_permutation(perm, n), "n %ld epoch %ld", n, epoch);
        }
        free(perm);
    }
}

static void test_keyed_by_seed_and_epoch(void) {
    enum { N = 500 };
    long a[N], b[N], c[N], d[N];
    lc_epoch_permutation(N, 7, 3, a);
    lc_epoch_permutation(N, 7, 3, b);
    lc_epoch_permutation(N, 7, 4, c);
    lc_epoch_permutation(N, 8, 3, d);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(memcmp(a, c, sizeof a) != 0);
    CHECK(memcmp(a, d, sizeof a) != 0);
    /* shuffled, not the identity or nearly so */
    long fixed = 0;
    for (long i = 0; i < N; i++) fixed += a[i] == i;
    CHECK_MSG(fixed < 10, "%ld fixed points of 500", fixed); /* expected 1 */
    /* Pinned: the data order of a run must not change between versions, or a resumed run would see other
     * batches than the interrupted one. */
    long small[10];
    lc_epoch_permutation(10, 42, 0, small);
    const long expected[10] = {3, 1, 2, 8, 4, 5, 7, 9, 6, 0};
    CHECK(memcmp(small, expected, sizeof small) == 0);
    if (memcmp(small, expected, sizeof small) != 0) {
        fprintf(stderr, "got:");
        for (int i = 0; i < 10; i++) fprintf(stderr, " %ld", small[i]);
        fputc('\n', stderr);
    }
}

/* Every permutation of 4 elements equally likely: chi-square over 24 cells. */
static void test_uniform(void) {
    enum { TRIALS = 48000 };
    long counts[24] = {0};
    for (long epoch = 0; epoch < TRIALS; epoch++) {
        long p[4];
        lc_epoch_permutation(4, 2024, epoch, p);
        /* Lehmer code -> 0..23 */
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int smaller = 0;
            for (int j = i + 1; j < 4; j++) smaller += p[j] < p[i];
            code = code * (4 - i) + smaller;
        }
        counts[code]++;
    }
    double expected = TRIALS / 24.0, chi2 = 0;
    for (int k = 0; k < 24; k++) chi2 += (counts[k] - expected) * (counts[k] - expected) / expected;
    /* 23 degrees of freedom: P(chi2 > 49.7) = 0.001; fixed seeds make this deterministic, not flaky */
    CHECK_MSG(chi2 < 49.7, "chi2 = %.1f", chi2);
    /* and position 0 of a longer permutation takes every value about equally often */
    long first[7] = {0};
    for (long epoch = 0; epoch < 7000; epoch++) {
        long p[7];
        lc_epoch_permutation(7, 99, epoch, p);
        first[p[0]]++;
    }
    for (int v = 0; v < 7; v++) CHECK_MSG(first[v] > 850 && first[v] < 1150, "value %d first %ld times", v, first[v]);
}

static void test_sample_keys(void) {
    lc_rng a, b, c, d, e;
    lc_rng_init_sample(&a, 5, LC_STREAM_NOISE, 10, 3);
    lc_rng_init_sample(&b, 5, LC_STREAM_NOISE, 10, 3);
    lc_rng_init_sample(&c, 5, LC_STREAM_NOISE, 10, 4);
    lc_rng_init_sample(&d, 5, LC_STREAM_NOISE, 11, 3);
    lc_rng_init_sample(&e, 5, LC_STREAM_DROPOUT, 10, 3);
    uint32_t va = lc_rng_u32(&a), vb = lc_rng_u32(&b), vc = lc_rng_u32(&c), vd = lc_rng_u32(&d), ve = lc_rng_u32(&e);
    CHECK(va == vb);
    CHECK(va != vc && va != vd && va != ve && vc != vd);
    /* step and sample are separate parts of the key: (1, 0) and (0, 1) differ */
    lc_rng x, y;
    lc_rng_init_sample(&x, 5, LC_STREAM_NOISE, 1, 0);
    lc_rng_init_sample(&y, 5, LC_STREAM_NOISE, 0, 1);
    CHECK(lc_rng_u32(&x) != lc_rng_u32(&y));
}

int main(void) {
    RUN_TEST(test_is_permutation);
    RUN_TEST(test_keyed_by_seed_and_epoch);
    RUN_TEST(test_uniform);
    RUN_TEST(test_sample_keys);
    return test_summary();
}
