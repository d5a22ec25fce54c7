/* lc_relax_minimize: a smooth bowl converges on the gradient tolerance; a point where every line search fails
 * (the gradient points uphill) stops after max_stalled_iterations instead of spending the evaluation budget, and
 * with the stall test off it spends it. */
#include <stdio.h>

#include "envopt/relax.h"
#include "mpi/comm.h"
#include "test.h"

enum { N = 3 };

/* sum (x_i - i)^2, and its gradient times `sign` (-1: a gradient that lies, so no step lowers f) */
static int bowl(const double *x, int n, double *f, double *grad, void *user) {
    double sign = *(const double *)user;
    *f = 0;
    for (int i = 0; i < n; i++) {
        *f += (x[i] - i) * (x[i] - i);
        if (grad) grad[i] = sign * 2 * (x[i] - i);
    }
    return 0;
}

static int solve(double sign, int max_stalled, lc_relax_result *r) {
    double x[N] = {3, 3, 3}, lower[N] = {-10, -10, -10}, upper[N] = {10, 10, 10};
    lc_relax_options options = lc_relax_default_options();
    options.max_iterations = 200;
    options.max_stalled_iterations = max_stalled;
    lc_error err;
    int status = lc_relax_minimize(N, x, lower, upper, bowl, &sign, &options, r, &err);
    if (status != 0) fprintf(stderr, "%s\n", err.message);
    return status;
}

static void test_converges(void) {
    lc_relax_result r;
    CHECK(solve(1, 3, &r) == 0);
    CHECK(r.reason > 0 && !r.stalled);
    CHECK(r.f < 1e-12);
}

static void test_stall_stops(void) {
    lc_relax_result stopped, unlimited;
    CHECK(solve(-1, 3, &stopped) == 0);
    CHECK(stopped.stalled);
    CHECK_MSG(stopped.iterations <= 4, "%d iterations", stopped.iterations);
    CHECK_MSG(stopped.f <= 14, "f %g", stopped.f); /* at most the start, (3-0)^2 + (3-1)^2 + (3-2)^2 */
    CHECK(solve(-1, 0, &unlimited) == 0);
    CHECK(!unlimited.stalled);
    CHECK_MSG(unlimited.function_evaluations > 10 * stopped.function_evaluations, "%d vs %d evaluations",
              unlimited.function_evaluations, stopped.function_evaluations);
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    lc_error err;
    if (lc_petsc_start(&argc, &argv, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    RUN_TEST(test_converges);
    RUN_TEST(test_stall_stops);
    int status = test_summary();
    lc_petsc_stop();
    lc_comm_finalize();
    return status;
}
