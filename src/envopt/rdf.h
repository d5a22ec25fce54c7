/* Smoothed radial distribution of one atom's nearest neighbours: the optional term LEGO-xtal appends to the SO(3)
 * power spectrum (PyXtal's SO3.compute_p(..., return_rdf=True) with dist2rdf).
 *
 * The distances of the first max_neighbors neighbours (nearest first) with 0.01 < d < rcut are counted in n_bins
 * equal bins of [0, rcut) (bin = floor(d / (rcut / n_bins))), the histogram is smoothed with a Gaussian of
 * sigma_bins bins (scipy.ndimage.gaussian_filter1d: kernel truncated at 4 sigma, edges extended with the nearest
 * value) and multiplied by weight. PyXtal keeps the first max_neighbors in its enumeration order, not the
 * nearest; the two differ only when more than max_neighbors atoms lie within rcut.
 *
 * The histogram is piecewise constant in the positions: its derivative is zero almost everywhere (and undefined
 * when a distance crosses a bin edge), so it adds no analytic gradient. */
#ifndef LEGOCRYST_ENVOPT_RDF_H
#define LEGOCRYST_ENVOPT_RDF_H

#include "core/neighbor_list.h"

enum { LC_RDF_MAX_BINS = 1024 };

typedef struct {
    int n_bins;         /* 20 */
    int max_neighbors;  /* 12 */
    double rcut;        /* Angstrom, the descriptor's cutoff (2.0) */
    double sigma_bins;  /* Gaussian smoothing in bins (0.5) */
    double weight;      /* factor on the result (0.5) */
} lc_rdf_options;

lc_rdf_options lc_rdf_default_options(void);

/* out[0 .. n_bins-1] for atom `atom`; nl built with a cutoff >= rcut. Returns 0, or -1 for options out of range
 * (n_bins outside 1..LC_RDF_MAX_BINS, max_neighbors < 0, rcut or sigma not positive). */
int lc_rdf_compute(const lc_rdf_options *options, const lc_neighbor_list *nl, int atom, double *out);

#endif
