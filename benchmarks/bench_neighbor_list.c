/* Neighbour-list builds per second for random cells at diamond's number density (8 C per 3.567^3 A^3).
 *
 *   bench_neighbor_list [seconds_per_case]   (default 1.0)
 *
 * Each case rebuilds one list in a loop (as an optimiser would, reusing its memory). The time is split into
 * five windows; the best window and the median are printed, since on a shared machine the best window is the
 * least disturbed one. Single thread. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/lattice.h"
#include "core/neighbor_list.h"
#include "core/rng.h"
#include "core/structure.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Triclinic cell with angles in 60..120 degrees scaled to hold n_atoms at the given density, atoms uniform. */
static void random_cell(lc_rng *rng, int n_atoms, double atoms_per_a3, lc_structure *s) {
    lc_structure_init(s, n_atoms);
    for (;;) {
        lc_cell_parameters p = {1 + lc_rng_uniform(rng), 1 + lc_rng_uniform(rng), 1 + lc_rng_uniform(rng),
                                60 + 60 * lc_rng_uniform(rng), 60 + 60 * lc_rng_uniform(rng),
                                60 + 60 * lc_rng_uniform(rng)};
        double lattice[3][3];
        if (lc_lattice_from_parameters(&p, lattice) != 0) continue;
        double scale = cbrt(n_atoms / atoms_per_a3 / lc_lattice_volume(lattice));
        p.a *= scale;
        p.b *= scale;
        p.c *= scale;
        lc_lattice_from_parameters(&p, s->lattice);
        break;
    }
    for (int i = 0; i < n_atoms; i++) {
        s->species[i] = 6;
        for (int k = 0; k < 3; k++) s->frac[i][k] = lc_rng_uniform(rng);
    }
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    const double density = 8 / (3.567 * 3.567 * 3.567); /* atoms per A^3, diamond */
    const int sizes[] = {6, 96, 700};
    const double cutoffs[] = {2.0, 4.0};
    lc_rng rng;
    lc_rng_init(&rng, 2024, 0, 0);
    printf("%8s %8s %14s %14s %14s %12s\n", "atoms", "cutoff", "builds/s best", "builds/s med", "us/build best",
           "pairs/atom");
    for (size_t a = 0; a < sizeof sizes / sizeof sizes[0]; a++) {
        lc_structure s;
        random_cell(&rng, sizes[a], density, &s);
        for (size_t c = 0; c < sizeof cutoffs / sizeof cutoffs[0]; c++) {
            lc_neighbor_list nl;
            lc_neighbor_list_init(&nl);
            lc_neighbor_list_build(&nl, &s, cutoffs[c]); /* warm-up: allocates the pair arrays */
            enum { WINDOWS = 5 };
            double rates[WINDOWS];
            for (int w = 0; w < WINDOWS; w++) {
                long builds = 0;
                double start = now_seconds(), elapsed = 0;
                while (elapsed < seconds / WINDOWS) {
                    for (int k = 0; k < 10; k++) lc_neighbor_list_build(&nl, &s, cutoffs[c]);
                    builds += 10;
                    elapsed = now_seconds() - start;
                }
                rates[w] = builds / elapsed;
            }
            for (int k = 1; k < WINDOWS; k++) /* sort ascending */
                for (int m = k; m > 0 && rates[m] < rates[m - 1]; m--) {
                    double t = rates[m];
                    rates[m] = rates[m - 1];
                    rates[m - 1] = t;
                }
            printf("%8d %8.1f %14.0f %14.0f %14.2f %12.1f\n", sizes[a], cutoffs[c], rates[WINDOWS - 1],
                   rates[WINDOWS / 2], 1e6 / rates[WINDOWS - 1], (double)nl.n_pairs / s.n_atoms);
            lc_neighbor_list_free(&nl);
        }
        lc_structure_free(&s);
    }
    return 0;
}
