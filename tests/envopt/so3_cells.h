/* Structures for the SO(3) tests: graphite and diamond as in ../shared/reference/so3_reference.json, and random
 * skewed cells drawn from lc_rng so every run sees the same cases. */
#ifndef LEGOCRYST_TESTS_ENVOPT_SO3_CELLS_H
#define LEGOCRYST_TESTS_ENVOPT_SO3_CELLS_H

#include <math.h>
#include <string.h>

#include "core/lattice.h"
#include "core/rng.h"
#include "core/structure.h"

/* P6_3/mmc, C at 2b (0,0,1/4), (0,0,3/4) and 2c (1/3,2/3,1/4), (2/3,1/3,3/4). */
static inline void build_graphite(lc_structure *s, double a, double c) {
    lc_structure_init(s, 0);
    lc_cell_parameters p = {a, a, c, 90, 90, 120};
    lc_lattice_from_parameters(&p, s->lattice);
    const double f[4][3] = {{0, 0, 0.25}, {0, 0, 0.75}, {1.0 / 3, 2.0 / 3, 0.25}, {2.0 / 3, 1.0 / 3, 0.75}};
    for (int i = 0; i < 4; i++) lc_structure_append(s, 6, f[i]);
}

/* Fd-3m, C at 8a: (0,0,0), (1/4,1/4,1/4) plus the F-centring translations, conventional cubic cell. */
static inline void build_diamond(lc_structure *s, double a) {
    lc_structure_init(s, 0);
    lc_cell_parameters p = {a, a, a, 90, 90, 90};
    lc_lattice_from_parameters(&p, s->lattice);
    const double centring[4][3] = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
    for (int t = 0; t < 4; t++)
        for (int b = 0; b < 2; b++) {
            double f[3];
            for (int k = 0; k < 3; k++) f[k] = lc_wrap_unit(centring[t][k] + 0.25 * b);
            lc_structure_append(s, 6, f);
        }
}

/* Triclinic cell, angles in [55, 125] degrees, n_atoms atoms at the given number density (atoms / A^3), species
 * drawn from `species` (n_species entries), atoms no closer than min_distance (redrawn otherwise). */
static inline void build_random_cell(lc_rng *rng, int n_atoms, double density, const int *species, int n_species,
                                     double min_distance, lc_structure *s) {
    lc_structure_init(s, 0);
    for (;;) {
        lc_cell_parameters p = {1 + lc_rng_uniform(rng), 1 + lc_rng_uniform(rng), 1 + lc_rng_uniform(rng),
                                55 + 70 * lc_rng_uniform(rng), 55 + 70 * lc_rng_uniform(rng),
                                55 + 70 * lc_rng_uniform(rng)};
        double lattice[3][3];
        if (lc_lattice_from_parameters(&p, lattice) != 0) continue;
        double volume = lc_lattice_volume(lattice);
        if (volume < 0.3 * p.a * p.b * p.c) continue;
        double scale = cbrt(n_atoms / density / volume);
        p.a *= scale;
        p.b *= scale;
        p.c *= scale;
        lc_lattice_from_parameters(&p, s->lattice);
        break;
    }
    while (s->n_atoms < n_atoms) {
        double f[3] = {lc_rng_uniform(rng), lc_rng_uniform(rng), lc_rng_uniform(rng)};
        int ok = 1;
        for (int j = 0; j < s->n_atoms && ok; j++) ok = lc_periodic_distance((const double(*)[3])s->lattice, f, s->frac[j], NULL) >= min_distance;
        if (ok) lc_structure_append(s, species[(int)(lc_rng_u32(rng) % (uint32_t)n_species)], f);
    }
}

#endif
