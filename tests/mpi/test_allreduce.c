/* Deterministic gradient averaging and statistics sums (mpi/allreduce.h), on 1, 2 and 3 ranks: every result is
 * compared bit for bit with the documented formula (rank-order double sum, then / R), which each rank evaluates
 * for itself since the ranks' contributions are functions of (rank, index). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/numeric.h"
#include "mpi/allreduce.h"
#include "mpi/checkpoint.h"
#include "mpi/collective.h"
#include "mpi/comm.h"
#include "test.h"

static int rank, size;

/* Rank r's value at i: a wide range of magnitudes and signs, and at every 5th index values that cancel (1e8, 1,
 * -1e8, ...), so a different order of summation would give a different float. */
static float contribution_f32(int r, long i) {
    if (i % 5 == 0) {
        static const float cancel[] = {1e8f, 1.0f, -1e8f, 3.0f};
        return cancel[r % 4] * (i % 2 ? -1.0f : 1.0f);
    }
    uint32_t h = (uint32_t)(i * 2654435761u) ^ (uint32_t)(r * 40503u + 17u);
    float mantissa = (float)(h % 100003u) / 100003.0f - 0.5f;
    return ldexpf(mantissa, (int)(h >> 27) - 16); /* 2^-16 .. 2^15 */
}

static double contribution_f64(int r, long i) {
    if (i % 3 == 0) {
        static const double cancel[] = {1e20, -1e20, 1.0, 7.0};
        return cancel[r % 4];
    }
    return (double)contribution_f32(r, i) * (1.0 + 1e-9 * (double)r);
}

static float expected_average(long i) {
    double sum = 0.0;
    for (int r = 0; r < size; r++) sum += (double)contribution_f32(r, i);
    return (float)(sum / size);
}

static double expected_sum(long i) {
    double sum = 0.0;
    for (int r = 0; r < size; r++) sum += contribution_f64(r, i);
    return sum;
}

static void test_average_f32(void) {
    /* 0, fewer elements than ranks, uneven segments, and more than one 2^20-element block */
    const long sizes[] = {0, 1, 2, 3, 5, 1001, (1L << 20) + 1, 2 * (1L << 20) + 3};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        long n = sizes[k];
        float *buffer = malloc(sizeof(float) * (size_t)(n + 1));
        for (long i = 0; i < n; i++) buffer[i] = contribution_f32(rank, i);
        lc_allreduce_average_f32(buffer, n);
        long wrong = 0, first_wrong = -1;
        for (long i = 0; i < n; i++) {
            float want = expected_average(i);
            if (memcmp(&buffer[i], &want, sizeof want) != 0) {
                if (first_wrong < 0) first_wrong = i;
                wrong++;
            }
        }
        CHECK_MSG(wrong == 0, "n %ld: %ld values differ from the rank-order mean, first at %ld", n, wrong,
                  first_wrong);
        /* the same bytes on every rank */
        CHECK_MSG(lc_comm_check_identical(lc_buffer_checksum(buffer, n)), "n %ld: ranks differ", n);
        free(buffer);
    }
}

/* What the order buys: with 3 ranks holding 1e8, 1, -1e8, a float sum in another order gives 0 or 2/3 instead
 * of 1/3; the result is the rank-order value however MPI would have reduced. */
static void test_order_is_rank_order(void) {
    float v[1] = {contribution_f32(rank, 0)}; /* 1e8, 1, -1e8 on ranks 0, 1, 2 */
    lc_allreduce_average_f32(v, 1);
    if (size == 3) CHECK_MSG(v[0] == (float)(1.0 / 3.0), "got %.9g", (double)v[0]);
    if (size == 2) CHECK(v[0] == (float)((1e8 + 1.0) / 2.0));
    if (size == 1) CHECK(v[0] == 1e8f);
    /* f64: 1e20, -1e20, 1 in rank order sums to 1; (1e20 + 1) - 1e20 would be 0 */
    double d[1] = {contribution_f64(rank, 0)};
    lc_allreduce_sum_f64(d, 1);
    if (size == 3) CHECK_MSG(d[0] == 1.0, "got %.17g", d[0]);
    if (size == 2) CHECK(d[0] == 0.0);
    /* repeated calls give the same bits */
    float again[1] = {contribution_f32(rank, 0)};
    lc_allreduce_average_f32(again, 1);
    CHECK(memcmp(v, again, sizeof v) == 0);
}

static void test_sum_f64(void) {
    const int sizes[] = {0, 1, 4, 999, 3 * 64 + 1};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int n = sizes[k];
        double *buffer = malloc(sizeof(double) * (size_t)(n + 1));
        for (int i = 0; i < n; i++) buffer[i] = contribution_f64(rank, i);
        /* through the hook a BatchNorm layer gets */
        lc_stats_allreduce_fn hook = lc_allreduce_stats;
        hook(buffer, n, NULL);
        int wrong = 0;
        for (int i = 0; i < n; i++) {
            double want = expected_sum(i);
            wrong += memcmp(&buffer[i], &want, sizeof want) != 0;
        }
        CHECK_MSG(wrong == 0, "n %d: %d sums differ from the rank-order sum", n, wrong);
        uint64_t h = lc_fnv1a64(LC_FNV1A64_INIT, buffer, sizeof(double) * (size_t)n);
        CHECK(lc_comm_check_identical(h));
        free(buffer);
    }
}

/* BatchNorm over the global batch: per-channel count, sum and sum of squares of each rank's samples, summed, give
 * the mean and variance of all samples. */
static void test_batchnorm_statistics(void) {
    enum { CHANNELS = 3, SAMPLES = 10 }; /* global samples 0..9; rank r holds those with s % size == r */
    double sums[3 * CHANNELS] = {0};
    for (int s = rank; s < SAMPLES; s += size)
        for (int c = 0; c < CHANNELS; c++) {
            double x = (double)s * (c + 1) - 2.0;
            sums[c] += 1;
            sums[CHANNELS + c] += x;
            sums[2 * CHANNELS + c] += x * x;
        }
    lc_allreduce_stats(sums, 3 * CHANNELS, NULL);
    for (int c = 0; c < CHANNELS; c++) {
        double mean = sums[CHANNELS + c] / sums[c], variance = sums[2 * CHANNELS + c] / sums[c] - mean * mean;
        CHECK(sums[c] == SAMPLES);
        CHECK_NEAR(mean, 4.5 * (c + 1) - 2.0, 1e-12);
        CHECK_NEAR(variance, 8.25 * (c + 1) * (c + 1), 1e-9); /* variance of 0..9 is 8.25 */
    }
}

static void test_check_identical(void) {
    CHECK(lc_comm_check_identical(0x123456789abcdef0ULL) == 1);
    CHECK(lc_comm_check_identical(0) == 1);
    CHECK(lc_comm_check_identical(UINT64_MAX) == 1);
    /* one rank differing by one bit is seen by all */
    CHECK(lc_comm_check_identical(rank == size - 1 ? 1ULL : 0ULL) == (size == 1));
    CHECK(lc_comm_check_identical((uint64_t)rank) == (size == 1));
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    rank = lc_comm_rank();
    size = lc_comm_size();
    RUN_TEST(test_average_f32);
    RUN_TEST(test_order_is_rank_order);
    RUN_TEST(test_sum_f64);
    RUN_TEST(test_batchnorm_statistics);
    RUN_TEST(test_check_identical);
    /* every rank's verdict counts */
    int failed = lc_comm_sum_long(test_failures) > 0;
    int status = test_summary();
    lc_comm_finalize();
    return failed ? EXIT_FAILURE : status;
}
