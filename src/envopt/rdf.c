#include "rdf.h"

#include <math.h>
#include <string.h>

lc_rdf_options lc_rdf_default_options(void) {
    lc_rdf_options o = {.n_bins = 20, .max_neighbors = 12, .rcut = 2.0, .sigma_bins = 0.5, .weight = 0.5};
    return o;
}

int lc_rdf_compute(const lc_rdf_options *options, const lc_neighbor_list *nl, int atom, double *out) {
    const lc_rdf_options o = *options;
    if (o.n_bins < 1 || o.n_bins > LC_RDF_MAX_BINS || o.max_neighbors < 0 || !(o.rcut > 0) || !(o.sigma_bins > 0))
        return -1;
    const int nb = o.n_bins;
    double hist[LC_RDF_MAX_BINS];
    memset(hist, 0, (size_t)nb * sizeof *hist);
    const double dr = o.rcut / nb;
    int counted = 0;
    for (int e = nl->offsets[atom]; e < nl->offsets[atom + 1] && counted < o.max_neighbors; e++) {
        double d = nl->distance[e];
        if (d >= o.rcut) break; /* sorted by distance */
        if (d <= 1e-2) continue; /* the SO(3) term skips these too */
        int b = (int)(d / dr);
        hist[b < nb ? b : nb - 1] += 1;
        counted++;
    }

    /* scipy's kernel: radius int(4 sigma + 0.5), weights exp(-x^2 / 2 sigma^2) normalised to sum 1 */
    int radius = (int)(4.0 * o.sigma_bins + 0.5);
    if (radius > LC_RDF_MAX_BINS) radius = LC_RDF_MAX_BINS;
    double kernel[2 * LC_RDF_MAX_BINS + 1], total = 0;
    for (int x = -radius; x <= radius; x++) {
        kernel[x + radius] = exp(-0.5 * x * x / (o.sigma_bins * o.sigma_bins));
        total += kernel[x + radius];
    }
    for (int b = 0; b < nb; b++) {
        double sum = 0;
        for (int x = -radius; x <= radius; x++) {
            int src = b + x;
            src = src < 0 ? 0 : src >= nb ? nb - 1 : src; /* mode 'nearest' */
            sum += kernel[x + radius] / total * hist[src];
        }
        out[b] = o.weight * sum;
    }
    return 0;
}
