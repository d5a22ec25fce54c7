/* One-dimensional Gaussian mixtures fitted by EM, for the mode-specific normalisation of continuous columns.
 *
 * The fit is deterministic given the seed: a seeded subsample (when the data are large) with equal values merged,
 * k-means++ seeding and Lloyd steps on it, then EM to convergence. Components lighter than a threshold are pruned
 * and EM resumes on the rest; the result is sorted by mean so that equal data and seed give bitwise equal
 * parameters. Cost O(distinct values x components) per iteration; see docs/encoders.md.
 *
 * Repeated values (the -1 of unused site slots, angles of exactly 90 degrees, coordinates of exactly 0 or 1/2)
 * make the likelihood unbounded as a component shrinks onto them, so every standard deviation is floored at
 * LC_GMM_STD_FLOOR times the range of the data: such a component becomes a narrow spike instead of NaN. Relative
 * to the range so that the fit does not depend on units (Angstrom, degrees); 1e-4 of the range resolves the
 * tightest clusters that matter (0.005 A on a 50 A spread of cell lengths) while keeping log densities bounded. */
#ifndef LEGOCRYST_LEGO_GMM_H
#define LEGOCRYST_LEGO_GMM_H

#include <stdint.h>

#include "core/error.h"

#define LC_GMM_STD_FLOOR 1e-4 /* times (max - min) of the data; times max(|value|, 1) when all values are equal */
#define LC_GMM_TOLERANCE 1e-5 /* EM stops when the mean log-likelihood per value (nats) changes by less */

enum {
    LC_GMM_MAX_COMPONENTS = 32,
    LC_GMM_MAX_ITERATIONS = 200,  /* per EM run (a run follows every pruning) */
    LC_GMM_FIT_SAMPLE = 20000,    /* larger data are fitted on a seeded random subsample of this size */
};

typedef struct {
    int n_components;
    double weight[LC_GMM_MAX_COMPONENTS]; /* each >= the weight threshold of the fit, sum 1 */
    double mean[LC_GMM_MAX_COMPONENTS];   /* ascending */
    double std[LC_GMM_MAX_COMPONENTS];    /* > 0, at least the floor */
    double log_likelihood;                /* mean log density of the fitted values (sample) under the result */
    int n_iterations;                     /* EM iterations over all runs */
    int converged;                        /* the last EM run met LC_GMM_TOLERANCE before the iteration cap */
} lc_gmm;

/* Fits at most max_components (1..LC_GMM_MAX_COMPONENTS) components to values[n] (n >= 1, all finite), prunes
 * components with weight < weight_threshold (0 <= threshold < 1; the heaviest component always stays),
 * re-normalises and refits. Returns 0, or -1 with err set on invalid input. */
int lc_gmm_fit(const double *values, int n, int max_components, double weight_threshold, uint64_t seed, lc_gmm *out,
               lc_error *err);

/* Log density of the mixture at x. */
double lc_gmm_log_pdf(const lc_gmm *g, double x);

/* The component with the largest responsibility for x (log w_k + log N(x | mean_k, std_k)); ties go to the
 * lower index. */
int lc_gmm_component(const lc_gmm *g, double x);

#endif
