#include "nn/mixture.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"

/* rows per E-step block: bounds the (block, components) responsibilities and the (block, 2 dim) features */
enum { BLOCK = 4096 };
static const double two_pi = 6.28318530717958647692;

void lc_diag_mixture_init(lc_diag_mixture *g, int components, int dim) {
    if (components < 1 || dim < 1) lc_fatal("mixture: %d components in %d dimensions", components, dim);
    g->components = components;
    g->dim = dim;
    g->weight = lc_malloc(sizeof(double) * (size_t)components);
    g->mean = lc_calloc((size_t)components * (size_t)dim, sizeof(double));
    g->var = lc_malloc(sizeof(double) * (size_t)components * (size_t)dim);
    for (int k = 0; k < components; k++) g->weight[k] = 1.0 / components;
    for (size_t i = 0; i < (size_t)components * (size_t)dim; i++) g->var[i] = 1.0;
}

void lc_diag_mixture_free(lc_diag_mixture *g) {
    free(g->weight), free(g->mean), free(g->var);
    memset(g, 0, sizeof *g);
}

static void sum_over_ranks(double *data, int n, lc_nn_allreduce_fn allreduce, void *user) {
    if (allreduce) allreduce(data, n, user);
}

/* log N(x | mean_k, var_k) + log weight_k = [x, x^2] . [mean / var, -1 / (2 var)]_k + c_k: one product per block.
 * coef (K, 2D) and c (K) from the current mixture. */
static void log_density_coefficients(const lc_diag_mixture *g, double *coef, double *c) {
    int K = g->components, D = g->dim;
    for (int k = 0; k < K; k++) {
        double ck = log(g->weight[k] > 0 ? g->weight[k] : 1e-300);
        for (int d = 0; d < D; d++) {
            double v = g->var[(size_t)k * D + d], m = g->mean[(size_t)k * D + d];
            coef[(size_t)k * 2 * D + d] = m / v;
            coef[(size_t)k * 2 * D + D + d] = -0.5 / v;
            ck -= 0.5 * (log(two_pi * v) + m * m / v);
        }
        c[k] = ck;
    }
}

double lc_diag_mixture_fit(lc_diag_mixture *g, const double *x, long n, const double *init_mean,
                           const lc_diag_mixture_options *options, lc_nn_allreduce_fn allreduce, void *user,
                           int *iterations) {
    int K = g->components, D = g->dim;
    size_t KD = (size_t)K * D;
    /* variance of all points: the starting variance of every component */
    double *moments = lc_calloc(2 * (size_t)D + 1, sizeof(double));
    for (long i = 0; i < n; i++)
        for (int d = 0; d < D; d++) {
            double v = x[(size_t)i * D + d];
            moments[d] += v;
            moments[D + d] += v * v;
        }
    moments[2 * D] = (double)n;
    sum_over_ranks(moments, 2 * D + 1, allreduce, user);
    double total = moments[2 * D];
    if (total < 1) lc_fatal("mixture: no points to fit");
    for (int k = 0; k < K; k++) {
        g->weight[k] = 1.0 / K;
        for (int d = 0; d < D; d++) {
            double m = moments[d] / total;
            g->var[(size_t)k * D + d] = fmax(moments[D + d] / total - m * m, 0.0) + options->var_floor;
        }
    }
    memcpy(g->mean, init_mean, KD * sizeof(double));
    free(moments);

    double *features = lc_malloc(sizeof(double) * BLOCK * 2 * (size_t)D); /* (block, 2D): [x, x^2] */
    double *resp = lc_malloc(sizeof(double) * BLOCK * (size_t)K);          /* (block, K) */
    double *coef = lc_malloc(sizeof(double) * 2 * KD), *c = lc_malloc(sizeof(double) * (size_t)K);
    /* statistics summed over ranks: N_k (K), sum_i r_ik [x_i, x_i^2] (K, 2D), log-likelihood */
    size_t n_stats = (size_t)K + 2 * KD + 1;
    double *stats = lc_malloc(sizeof(double) * n_stats);
    double *count = stats, *moment = stats + K, *loglik = stats + K + 2 * KD;
    double previous = -HUGE_VAL, mean_loglik = -HUGE_VAL;
    int it = 0;
    while (it < options->max_iterations) {
        /* E step: responsibilities of each block; M-step statistics accumulated as they come */
        log_density_coefficients(g, coef, c);
        memset(stats, 0, sizeof(double) * n_stats);
        for (long first = 0; first < n; first += BLOCK) {
            int rows = (int)(n - first < BLOCK ? n - first : BLOCK);
            for (int r = 0; r < rows; r++)
                for (int d = 0; d < D; d++) {
                    double v = x[(size_t)(first + r) * D + d];
                    features[(size_t)r * 2 * D + d] = v;
                    features[(size_t)r * 2 * D + D + d] = v * v;
                }
            // resp (rows, K) = features (rows, 2D) coef^T (2D, K)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, K, 2 * D, 1.0, features, 2 * D, coef, 2 * D,
                        0.0, resp, K);
            for (int r = 0; r < rows; r++) {
                double *p = resp + (size_t)r * K, top = -HUGE_VAL, sum = 0.0;
                for (int k = 0; k < K; k++) {
                    p[k] += c[k];
                    if (p[k] > top) top = p[k];
                }
                for (int k = 0; k < K; k++) sum += p[k] = exp(p[k] - top);
                for (int k = 0; k < K; k++) count[k] += p[k] /= sum;
                *loglik += top + log(sum);
            }
            // moment (K, 2D) += resp^T (K, rows) features (rows, 2D)
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, 2 * D, rows, 1.0, resp, K, features, 2 * D, 1.0,
                        moment, 2 * D);
        }
        sum_over_ranks(stats, (int)n_stats, allreduce, user);
        it++;
        /* the log-likelihood of the mixture the E step used: EM never lowers it, so a small gain means converged */
        mean_loglik = *loglik / total;
        /* M step; a component that lost all its points keeps its place with weight 0 */
        for (int k = 0; k < K; k++) {
            g->weight[k] = count[k] / total;
            if (count[k] < 1e-10 * total) continue;
            for (int d = 0; d < D; d++) {
                double m = moment[(size_t)k * 2 * D + d] / count[k];
                double m2 = moment[(size_t)k * 2 * D + D + d] / count[k];
                g->mean[(size_t)k * D + d] = m;
                g->var[(size_t)k * D + d] = fmax(m2 - m * m, 0.0) + options->var_floor;
            }
        }
        if (mean_loglik - previous < options->tolerance) break;
        previous = mean_loglik;
    }
    free(features), free(resp), free(coef), free(c), free(stats);
    if (iterations) *iterations = it;
    return mean_loglik;
}

void lc_diag_mixture_draw(const lc_diag_mixture *g, const lc_nn_ctx *ctx, float *z, int B, uint32_t layer_id) {
    int K = g->components, D = g->dim;
    for (int b = 0; b < B; b++) {
        lc_rng rng;
        lc_nn_rng(ctx, &rng, layer_id, b);
        double u = lc_rng_uniform(&rng), acc = 0.0;
        int k = 0;
        while (k < K - 1 && u >= (acc += g->weight[k])) k++;
        const double *m = g->mean + (size_t)k * D, *v = g->var + (size_t)k * D;
        for (int d = 0; d < D; d++) z[(size_t)b * D + d] = (float)(m[d] + sqrt(v[d]) * lc_rng_normal(&rng));
    }
}
