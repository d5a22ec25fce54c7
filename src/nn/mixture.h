/* Gaussian mixtures with diagonal covariances: the VAE's latent prior fitted to where its encoder puts the
 * training rows (docs/models.md, "Latent prior").
 *
 * A VAE trained with a standard-normal prior does not fill that prior: the aggregate posterior (mu + sigma eps over
 * all training rows) leaves parts of N(0, I) empty and crowds others, and z drawn from N(0, I) decodes to a space-group
 * histogram further from the training set's than z drawn from the aggregate posterior. A mixture fitted by EM to
 * samples of the aggregate posterior, then sampled, closes most of that gap (ex-post density estimation, Ghosh et al.
 * 2020, "From variational to deterministic autoencoders").
 *
 * The fit runs on host memory in double precision with every statistic summed over ranks, so all ranks hold the
 * same mixture; draws are keyed like every other draw of the engine (nn.h). */
#ifndef LEGOCRYST_NN_MIXTURE_H
#define LEGOCRYST_NN_MIXTURE_H

#include <stdint.h>

#include "nn/nn.h"

typedef struct {
    int components, dim;
    double *weight; /* (components) summing to 1 */
    double *mean;   /* (components, dim) */
    double *var;    /* (components, dim) */
} lc_diag_mixture;

/* components equal weights, zero means, unit variances: N(0, I) as a mixture. */
void lc_diag_mixture_init(lc_diag_mixture *g, int components, int dim);
void lc_diag_mixture_free(lc_diag_mixture *g);

typedef struct {
    int max_iterations; /* EM iterations at most */
    double tolerance;   /* stop when the mean log-likelihood per point gains less than this */
    double var_floor;   /* added to every variance so that a component on few points cannot collapse */
} lc_diag_mixture_options;

/* Fits g by EM to this rank's points x (n, dim); allreduce (NULL: one process) sums statistics over ranks, so the
 * result is that of all ranks' points together, identical on every rank. The means start at init_mean
 * (components, dim), the same on every rank; the variances at the variance of all points, the weights equal.
 * Returns the mean log-likelihood per point of the fitted mixture and the iterations taken in *iterations. */
double lc_diag_mixture_fit(lc_diag_mixture *g, const double *x, long n, const double *init_mean,
                           const lc_diag_mixture_options *options, lc_nn_allreduce_fn allreduce, void *user,
                           int *iterations);

/* z (B, dim): row b drawn from g with the generator of row b (lc_nn_rng(ctx, layer_id, b)): a component by its
 * weight, then mean + sqrt(var) * N(0, 1) in each dimension. */
void lc_diag_mixture_draw(const lc_diag_mixture *g, const lc_nn_ctx *ctx, float *z, int B, uint32_t layer_id);

#endif
