/* Diagonal Gaussian mixtures (nn/mixture.h): EM recovers a known mixture from its draws, never lowers the
 * log-likelihood, gives the same mixture when the points are split over two ranks; keyed draws follow the weights,
 * means and variances and do not depend on which call draws a row. */
#include <pthread.h>
#include <string.h>

#include "core/rng.h"
#include "nn/mixture.h"
#include "test.h"
#include "two_ranks.h"

/* the mixture the points come from: 3 components in 2 dimensions */
static const double true_weight[3] = {0.2, 0.3, 0.5};
static const double true_mean[3][2] = {{-4.0, 0.0}, {3.0, 3.0}, {2.0, -3.0}};
static const double true_var[3][2] = {{1.0, 0.25}, {0.5, 0.5}, {0.25, 2.0}};
enum { N = 6000 };

static double *points(int **component) {
    double *x = lc_malloc(sizeof(double) * N * 2);
    *component = lc_malloc(sizeof(int) * N);
    lc_rng rng;
    lc_rng_init(&rng, 11, 0, 0);
    for (int i = 0; i < N; i++) {
        double u = lc_rng_uniform(&rng);
        int k = u < 0.2 ? 0 : u < 0.5 ? 1 : 2;
        (*component)[i] = k;
        for (int d = 0; d < 2; d++) x[2 * i + d] = true_mean[k][d] + sqrt(true_var[k][d]) * lc_rng_normal(&rng);
    }
    return x;
}

/* the first point of each component starts its mean (in another order than the true components) */
static void start_means(const double *x, const int *component, double *init) {
    const int order[3] = {2, 0, 1};
    for (int j = 0; j < 3; j++) {
        int i = 0;
        while (component[i] != order[j]) i++;
        memcpy(init + 2 * j, x + 2 * i, 2 * sizeof(double));
    }
}

static const lc_diag_mixture_options options = {.max_iterations = 500, .tolerance = 1e-10, .var_floor = 0.0};

static void test_recovers_mixture(void) {
    int *component;
    double *x = points(&component), init[6];
    start_means(x, component, init);
    lc_diag_mixture g;
    lc_diag_mixture_init(&g, 3, 2);
    int iterations = 0;
    double loglik = lc_diag_mixture_fit(&g, x, N, init, &options, NULL, NULL, &iterations);
    printf("EM: %d iterations, mean log-likelihood %.5f\n", iterations, loglik);
    CHECK(iterations > 1 && iterations < options.max_iterations);
    const int order[3] = {2, 0, 1}; /* fitted component j is true component order[j] */
    for (int j = 0; j < 3; j++) {
        int k = order[j];
        CHECK_NEAR(g.weight[j], true_weight[k], 0.02);
        for (int d = 0; d < 2; d++) {
            CHECK_NEAR(g.mean[2 * j + d], true_mean[k][d], 0.1);
            CHECK_MSG(fabs(g.var[2 * j + d] / true_var[k][d] - 1) < 0.1, "component %d dim %d: var %.4f, true %.4f", k,
                      d, g.var[2 * j + d], true_var[k][d]);
        }
    }
    /* the exact mean log-likelihood of the points under the true mixture, for scale: the fit is at least as good */
    double truth = 0;
    for (int i = 0; i < N; i++) {
        double p = 0;
        for (int k = 0; k < 3; k++) {
            double e = 0, norm = 1;
            for (int d = 0; d < 2; d++) {
                double t = x[2 * i + d] - true_mean[k][d];
                e += t * t / true_var[k][d];
                norm *= 2 * 3.14159265358979323846 * true_var[k][d];
            }
            p += true_weight[k] * exp(-0.5 * e) / sqrt(norm);
        }
        truth += log(p) / N;
    }
    CHECK_MSG(loglik >= truth - 1e-6, "fitted %.6f, true mixture %.6f", loglik, truth);
    CHECK(loglik < truth + 0.01);
    lc_diag_mixture_free(&g);
    free(x), free(component);
}

/* EM never lowers the log-likelihood: a fit stopped after t iterations reports the t-th E step's value */
static void test_monotone(void) {
    int *component;
    double *x = points(&component), init[6];
    /* poor starting means (all near one corner), so that EM has a long way to go */
    for (int j = 0; j < 3; j++) init[2 * j] = 5.0 + 0.1 * j, init[2 * j + 1] = 5.0;
    lc_diag_mixture g;
    lc_diag_mixture_init(&g, 3, 2);
    double previous = -HUGE_VAL, first = 0, last = 0;
    for (int t = 1; t <= 30; t++) {
        lc_diag_mixture_options o = options;
        o.max_iterations = t;
        o.tolerance = -HUGE_VAL; /* exactly t iterations */
        int iterations;
        double loglik = lc_diag_mixture_fit(&g, x, N, init, &o, NULL, NULL, &iterations);
        CHECK(iterations == t);
        CHECK_MSG(loglik >= previous - 1e-12, "iteration %d: %.10f after %.10f", t, loglik, previous);
        if (t == 1) first = loglik;
        last = previous = loglik;
    }
    CHECK(last > first + 0.1);
    lc_diag_mixture_free(&g);
    free(x), free(component);
}

typedef struct {
    const double *x;
    long n;
    const double *init;
    rank_hook hook;
    lc_diag_mixture g;
    double loglik;
} fit_run;

static void *fit_rank(void *arg) {
    fit_run *r = arg;
    lc_diag_mixture_init(&r->g, 3, 2);
    r->loglik = lc_diag_mixture_fit(&r->g, r->x, r->n, r->init, &options, allreduce_sum, &r->hook, NULL);
    return NULL;
}

static void test_two_ranks(void) {
    int *component;
    double *x = points(&component), init[6];
    start_means(x, component, init);
    lc_diag_mixture one;
    lc_diag_mixture_init(&one, 3, 2);
    double loglik = lc_diag_mixture_fit(&one, x, N, init, &options, NULL, NULL, NULL);
    exchange ex;
    pthread_barrier_init(&ex.barrier, NULL, 2);
    fit_run two[2] = {{x, 2500, init, {&ex, 0}, {0}, 0}, {x + 2 * 2500, N - 2500, init, {&ex, 1}, {0}, 0}};
    pthread_t th[2];
    for (int r = 0; r < 2; r++) pthread_create(&th[r], NULL, fit_rank, &two[r]);
    for (int r = 0; r < 2; r++) pthread_join(th[r], NULL);
    pthread_barrier_destroy(&ex.barrier);
    for (int r = 0; r < 2; r++) {
        CHECK_NEAR(two[r].loglik, loglik, 1e-9);
        for (int k = 0; k < 3; k++) CHECK_NEAR(two[r].g.weight[k], one.weight[k], 1e-9);
        for (int i = 0; i < 6; i++) {
            CHECK_NEAR(two[r].g.mean[i], one.mean[i], 1e-9);
            CHECK_NEAR(two[r].g.var[i], one.var[i], 1e-9);
        }
        lc_diag_mixture_free(&two[r].g);
    }
    lc_diag_mixture_free(&one);
    free(x), free(component);
}

/* draws: component frequencies follow the weights, each component's points its mean and variance; row i is the
 * same whichever call draws it */
static void test_draw(void) {
    lc_diag_mixture g;
    lc_diag_mixture_init(&g, 2, 1);
    g.weight[0] = 0.25, g.weight[1] = 0.75;
    g.mean[0] = -5, g.mean[1] = 8;
    g.var[0] = 1, g.var[1] = 4;
    enum { DRAWS = 40000 };
    float *z = lc_malloc(sizeof(float) * DRAWS), *tail = lc_malloc(sizeof(float) * DRAWS);
    lc_nn_ctx ctx;
    lc_nn_ctx_init(&ctx, 3);
    lc_diag_mixture_draw(&g, &ctx, z, DRAWS, 9);
    double n[2] = {0}, sum[2] = {0}, sum2[2] = {0};
    for (int i = 0; i < DRAWS; i++) {
        int k = z[i] > 0; /* the components are 5 and 4 standard deviations from 0 */
        n[k]++, sum[k] += z[i], sum2[k] += (double)z[i] * z[i];
    }
    CHECK_NEAR(n[0] / DRAWS, 0.25, 0.01);
    for (int k = 0; k < 2; k++) {
        double m = sum[k] / n[k], v = sum2[k] / n[k] - m * m;
        CHECK_NEAR(m, g.mean[k], 0.05);
        CHECK_MSG(fabs(v / g.var[k] - 1) < 0.05, "component %d: variance %.3f, %.3f wanted", k, v, g.var[k]);
    }
    lc_nn_ctx later = ctx;
    later.sample0 = 1000;
    lc_diag_mixture_draw(&g, &later, tail, 500, 9);
    CHECK(memcmp(z + 1000, tail, 500 * sizeof(float)) == 0);
    later.step = 1; /* another round: other draws */
    lc_diag_mixture_draw(&g, &later, tail, 500, 9);
    CHECK(memcmp(z + 1000, tail, 500 * sizeof(float)) != 0);
    free(z), free(tail);
    lc_diag_mixture_free(&g);
}

int main(void) {
    RUN_TEST(test_recovers_mixture);
    RUN_TEST(test_monotone);
    RUN_TEST(test_two_ranks);
    RUN_TEST(test_draw);
    return test_summary();
}
