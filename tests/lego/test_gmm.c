/* 1-D Gaussian mixture EM: recovery of known mixtures, determinism, pruning, degenerate data. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "lego/gmm.h"
#include "test.h"

/* n draws from the mixture (weight, mean, std)[k]. */
static double *draw_mixture(int n, int k, const double *weight, const double *mean, const double *std, uint64_t seed) {
    lc_rng rng;
    lc_rng_init(&rng, seed, 0, 0);
    double *x = malloc((size_t)n * sizeof *x);
    for (int i = 0; i < n; i++) {
        double u = lc_rng_uniform(&rng), cumulative = 0;
        int c = k - 1;
        for (int j = 0; j < k; j++)
            if (u < (cumulative += weight[j])) {
                c = j;
                break;
            }
        x[i] = mean[c] + std[c] * lc_rng_normal(&rng);
    }
    return x;
}

static double true_log_pdf(double x, int k, const double *weight, const double *mean, const double *std) {
    double p = 0;
    for (int j = 0; j < k; j++) {
        double z = (x - mean[j]) / std[j];
        p += weight[j] * exp(-0.5 * z * z) / (std[j] * 2.5066282746310002); /* sqrt(2 pi) */
    }
    return log(p);
}

/* Invariants of any fit: sorted means, positive finite stds, weights >= threshold summing to 1. */
static void check_valid(const lc_gmm *g, double threshold, const char *what) {
    CHECK_MSG(g->n_components >= 1 && g->n_components <= LC_GMM_MAX_COMPONENTS, "%s: %d components", what,
              g->n_components);
    double total = 0;
    for (int c = 0; c < g->n_components; c++) {
        CHECK_MSG(isfinite(g->mean[c]) && isfinite(g->std[c]) && g->std[c] > 0, "%s: component %d mean %g std %g",
                  what, c, g->mean[c], g->std[c]);
        CHECK_MSG(g->weight[c] >= threshold && g->weight[c] <= 1, "%s: weight %g", what, g->weight[c]);
        if (c > 0) CHECK_MSG(g->mean[c - 1] <= g->mean[c], "%s: means not ascending", what);
        total += g->weight[c];
    }
    CHECK_MSG(fabs(total - 1) < 1e-12, "%s: weights sum to %.15g", what, total);
    CHECK_MSG(isfinite(g->log_likelihood), "%s: log-likelihood %g", what, g->log_likelihood);
}

static void test_recovers_three_gaussians(void) {
    const double weight[3] = {0.2, 0.5, 0.3}, mean[3] = {-5, 0, 8}, std[3] = {0.5, 1.0, 0.7};
    int n = 30000; /* more than LC_GMM_FIT_SAMPLE: the fit runs on a subsample */
    double *x = draw_mixture(n, 3, weight, mean, std, 101);
    lc_gmm g;
    lc_error err;
    CHECK(lc_gmm_fit(x, n, 3, 0.005, 7, &g, &err) == 0);
    check_valid(&g, 0.005, "three");
    CHECK(g.n_components == 3);
    CHECK(g.converged);
    for (int c = 0; c < 3 && c < g.n_components; c++) {
        CHECK_NEAR(g.mean[c], mean[c], 0.05);
        CHECK_NEAR(g.std[c], std[c], 0.05 * std[c]);
        CHECK_NEAR(g.weight[c], weight[c], 0.015);
    }
    /* a maximum-likelihood fit explains all the data (not only its subsample) about as well as the truth */
    double fitted = 0, truth = 0;
    for (int i = 0; i < n; i++) {
        fitted += lc_gmm_log_pdf(&g, x[i]);
        truth += true_log_pdf(x[i], 3, weight, mean, std);
    }
    CHECK_MSG(fitted / n > truth / n - 2e-3, "fitted %.6f truth %.6f", fitted / n, truth / n);
    /* each value's most responsible component is the nearest mean for separated components */
    CHECK(lc_gmm_component(&g, -5.2) == 0 && lc_gmm_component(&g, 0.3) == 1 && lc_gmm_component(&g, 7.5) == 2);
    free(x);
}

static void test_log_pdf_is_normalised(void) {
    const double weight[2] = {0.7, 0.3}, mean[2] = {1, 4}, std[2] = {0.3, 1.2};
    double *x = draw_mixture(4000, 2, weight, mean, std, 5);
    lc_gmm g;
    CHECK(lc_gmm_fit(x, 4000, 4, 0.005, 1, &g, NULL) == 0);
    check_valid(&g, 0.005, "normalised");
    /* midpoint rule over +-12 of the widest std beyond the extreme means */
    double lo = g.mean[0] - 12 * 1.5, hi = g.mean[g.n_components - 1] + 12 * 1.5, integral = 0;
    int steps = 200000;
    double h = (hi - lo) / steps;
    for (int i = 0; i < steps; i++) integral += exp(lc_gmm_log_pdf(&g, lo + (i + 0.5) * h)) * h;
    CHECK_NEAR(integral, 1, 1e-6);
    free(x);
}

static void test_deterministic(void) {
    const double weight[4] = {0.1, 0.4, 0.3, 0.2}, mean[4] = {-3, 0, 1, 6}, std[4] = {1, 0.5, 0.7, 2};
    int n = 25000;
    double *x = draw_mixture(n, 4, weight, mean, std, 202);
    lc_gmm a, b, c;
    CHECK(lc_gmm_fit(x, n, 10, 0.005, 42, &a, NULL) == 0);
    CHECK(lc_gmm_fit(x, n, 10, 0.005, 42, &b, NULL) == 0);
    check_valid(&a, 0.005, "determinism");
    CHECK(a.n_components == b.n_components);
    CHECK(memcmp(a.weight, b.weight, sizeof a.weight) == 0);
    CHECK(memcmp(a.mean, b.mean, sizeof a.mean) == 0);
    CHECK(memcmp(a.std, b.std, sizeof a.std) == 0);
    CHECK(a.n_iterations == b.n_iterations);
    /* another seed draws another subsample and seeding: still a valid fit of similar quality */
    CHECK(lc_gmm_fit(x, n, 10, 0.005, 43, &c, NULL) == 0);
    check_valid(&c, 0.005, "other seed");
    CHECK(memcmp(a.mean, c.mean, sizeof a.mean) != 0);
    double la = 0, lc = 0;
    for (int i = 0; i < n; i++) la += lc_gmm_log_pdf(&a, x[i]), lc += lc_gmm_log_pdf(&c, x[i]);
    CHECK_NEAR(la / n, lc / n, 0.02);
    free(x);
}

static void test_pruning(void) {
    /* two modes plus 0.2% far outliers: unpruned EM would give the outliers their own component */
    int n = 20000;
    const double weight[2] = {0.6, 0.4}, mean[2] = {0, 5}, std[2] = {1, 0.5};
    double *x = draw_mixture(n, 2, weight, mean, std, 303);
    for (int i = 0; i < n; i += 500) x[i] = 100 + 0.01 * (i % 7);
    lc_gmm g;
    CHECK(lc_gmm_fit(x, n, 10, 0.005, 3, &g, NULL) == 0);
    check_valid(&g, 0.005, "pruned");
    CHECK(g.n_components <= 10);
    for (int c = 0; c < g.n_components; c++) CHECK_MSG(g.mean[c] < 50, "component at %g survived", g.mean[c]);
    /* without a threshold the outliers keep their component */
    lc_gmm all;
    CHECK(lc_gmm_fit(x, n, 10, 0, 3, &all, NULL) == 0);
    check_valid(&all, 0, "unpruned");
    CHECK(all.mean[all.n_components - 1] > 99 && all.weight[all.n_components - 1] < 0.005);
    /* a heavy threshold leaves only heavy components */
    lc_gmm heavy;
    CHECK(lc_gmm_fit(x, n, 10, 0.3, 3, &heavy, NULL) == 0);
    check_valid(&heavy, 0.3, "heavy");
    CHECK(heavy.n_components <= 3);
    free(x);
}

static void test_degenerate(void) {
    lc_gmm g;
    double same[1000];
    for (int i = 0; i < 1000; i++) same[i] = 90.0;
    CHECK(lc_gmm_fit(same, 1000, 10, 0.005, 1, &g, NULL) == 0);
    check_valid(&g, 0.005, "constant");
    CHECK(g.n_components == 1 && g.mean[0] == 90.0);
    for (int i = 0; i < 1000; i++) same[i] = 0.0;
    CHECK(lc_gmm_fit(same, 1000, 10, 0.005, 1, &g, NULL) == 0);
    check_valid(&g, 0.005, "zeros");
    CHECK(lc_gmm_fit(same, 1, 10, 0.005, 1, &g, NULL) == 0);
    check_valid(&g, 0.005, "one value");

    /* unused slots (-1, 40%), exact special positions (0 and 1/2, 10% each) and a continuous part */
    int n = 30000;
    double *x = malloc((size_t)n * sizeof *x);
    lc_rng rng;
    lc_rng_init(&rng, 404, 0, 0);
    for (int i = 0; i < n; i++) {
        double u = lc_rng_uniform(&rng);
        x[i] = u < 0.4 ? -1 : u < 0.5 ? 0 : u < 0.6 ? 0.5 : lc_rng_uniform(&rng);
    }
    CHECK(lc_gmm_fit(x, n, 10, 0.005, 9, &g, NULL) == 0);
    check_valid(&g, 0.005, "point masses");
    int spike = lc_gmm_component(&g, -1.0);
    CHECK_NEAR(g.mean[spike], -1, 1e-9);
    CHECK(g.std[spike] <= 1.01 * LC_GMM_STD_FLOOR * 2); /* the floor: 1e-4 of the range 2 */
    CHECK_NEAR(g.weight[spike], 0.4, 0.015);
    CHECK(spike == 0); /* sorted by mean */
    for (int c = 0; c < g.n_components; c++) CHECK(c == spike || g.mean[c] > -0.5);

    /* fewer distinct values than components: one spike each (n below LC_GMM_FIT_SAMPLE, so exact thirds) */
    n = 9000;
    for (int i = 0; i < n; i++) x[i] = (double)(i % 3) * 0.25;
    CHECK(lc_gmm_fit(x, n, 10, 0.005, 9, &g, NULL) == 0);
    check_valid(&g, 0.005, "three values");
    CHECK(g.n_components == 3);
    for (int c = 0; c < 3 && c < g.n_components; c++) {
        CHECK_NEAR(g.mean[c], 0.25 * c, 1e-12);
        CHECK_NEAR(g.weight[c], 1.0 / 3, 1e-9);
    }
    free(x);
}

static void test_invalid_input(void) {
    lc_gmm g;
    lc_error err;
    double x[4] = {1, 2, NAN, 3};
    err.message[0] = 0;
    CHECK(lc_gmm_fit(x, 4, 3, 0.005, 0, &g, &err) == -1);
    CHECK(strstr(err.message, "not finite") != NULL);
    CHECK(lc_gmm_fit(x, 0, 3, 0.005, 0, &g, &err) == -1);
    CHECK(lc_gmm_fit(x, 2, 0, 0.005, 0, &g, &err) == -1);
    CHECK(lc_gmm_fit(x, 2, LC_GMM_MAX_COMPONENTS + 1, 0.005, 0, &g, &err) == -1);
    CHECK(lc_gmm_fit(x, 2, 3, 1.0, 0, &g, &err) == -1);
    CHECK(lc_gmm_fit(x, 2, 3, 0.005, 0, &g, &err) == 0);
}

int main(void) {
    RUN_TEST(test_recovers_three_gaussians);
    RUN_TEST(test_log_pdf_is_normalised);
    RUN_TEST(test_deterministic);
    RUN_TEST(test_pruning);
    RUN_TEST(test_degenerate);
    RUN_TEST(test_invalid_input);
    return test_summary();
}
