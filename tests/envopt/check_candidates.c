/* Checks a candidate database from `legocryst relax` over known structures: every candidate valid, every
 * objective after relaxation within 1e-3 of its start or lower, coordination 3 and 3-D networks throughout.
 * usage: check_candidates DB.h5 EXPECTED_COUNT */
#include <stdlib.h>

#include "mpi/h5_parallel.h"
#include "test.h"

int main(int argc, char **argv) {
    if (argc != 3) return EXIT_FAILURE;
    long expected = atol(argv[2]), dims[2];
    lc_error err;
    if (lc_h5_dataset_shape(argv[1], "candidates/status", dims, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return EXIT_FAILURE;
    }
    long n = dims[0];
    int *status = malloc(sizeof(int) * (size_t)n), *coordination = malloc(sizeof(int) * 2 * (size_t)n),
        *dimensionality = malloc(sizeof(int) * (size_t)n);
    double *objective = malloc(sizeof(double) * 2 * (size_t)n);
    CHECK(lc_h5_read_rows_i32(argv[1], "candidates/status", 0, n, 1, status, &err) == 0);
    CHECK(lc_h5_read_rows_i32(argv[1], "candidates/coordination", 0, n, 2, coordination, &err) == 0);
    CHECK(lc_h5_read_rows_i32(argv[1], "candidates/dimensionality", 0, n, 1, dimensionality, &err) == 0);
    CHECK(lc_h5_read_rows_f64(argv[1], "candidates/objective", 0, n, 2, objective, &err) == 0);
    CHECK_MSG(n == expected, "%ld candidates, expected %ld", n, expected);
    long valid = 0, lower = 0;
    double worst = -INFINITY;
    for (long i = 0; i < n; i++) {
        valid += status[i] == 0;
        CHECK_MSG(status[i] == 0 && coordination[2 * i] == 3 && coordination[2 * i + 1] == 3 && dimensionality[i] == 3,
                  "candidate %ld: status %d, coordination %d..%d, dimensionality %d", i, status[i],
                  coordination[2 * i], coordination[2 * i + 1], dimensionality[i]);
        double change = objective[2 * i + 1] - objective[2 * i];
        worst = fmax(worst, change);
        lower += change <= 0;
        CHECK_MSG(change <= 1e-3, "candidate %ld: objective %.6g -> %.6g", i, objective[2 * i], objective[2 * i + 1]);
    }
    printf("%ld candidates: %ld valid, %ld with a lower objective after relaxation, largest change %.3g\n", n, valid,
           lower, worst);
    free(status), free(coordination), free(dimensionality), free(objective);
    return test_summary();
}
