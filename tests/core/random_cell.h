/* Random cells and atoms for the core tests, drawn from lc_rng so every run sees the same cases. */
#ifndef LEGOCRYST_TESTS_CORE_RANDOM_CELL_H
#define LEGOCRYST_TESTS_CORE_RANDOM_CELL_H

#include <math.h>
#include <string.h>

#include "core/lattice.h"
#include "core/rng.h"

static inline double random_between(lc_rng *rng, double lo, double hi) { return lo + (hi - lo) * lc_rng_uniform(rng); }

static inline int random_int(lc_rng *rng, int lo, int hi) { return lo + (int)(lc_rng_u32(rng) % (uint32_t)(hi - lo + 1)); }

/* Lengths in [min_len, max_len], angles in [30, 150] degrees; redrawn until the cell has positive volume and is
 * not flatter than volume >= min_flatness * a b c (min_flatness 0 accepts any valid cell). */
static inline lc_cell_parameters random_parameters(lc_rng *rng, double min_len, double max_len, double min_flatness) {
    for (;;) {
        lc_cell_parameters p = {random_between(rng, min_len, max_len), random_between(rng, min_len, max_len),
                                random_between(rng, min_len, max_len), random_between(rng, 30, 150),
                                random_between(rng, 30, 150), random_between(rng, 30, 150)};
        double lattice[3][3];
        if (lc_lattice_from_parameters(&p, lattice) != 0) continue;
        if (lc_lattice_volume(lattice) >= min_flatness * p.a * p.b * p.c) return p;
    }
}

/* Random unimodular integer matrix (det +1): a product of `steps` shears row_i += m row_j, |m| <= max_shear. */
static inline void random_unimodular(lc_rng *rng, int steps, int max_shear, int t[3][3]) {
    memset(t, 0, 9 * sizeof(int));
    for (int k = 0; k < 3; k++) t[k][k] = 1;
    for (int s = 0; s < steps; s++) {
        int i = random_int(rng, 0, 2), j = (i + random_int(rng, 1, 2)) % 3;
        int m = random_int(rng, -max_shear, max_shear);
        for (int c = 0; c < 3; c++) t[i][c] += m * t[j][c];
    }
}

/* out = t * lattice (rows are integer combinations of the input rows). */
static inline void apply_transform(const int t[3][3], const double lattice[3][3], double out[3][3]) {
    double result[3][3];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) result[r][c] = t[r][0] * lattice[0][c] + t[r][1] * lattice[1][c] + t[r][2] * lattice[2][c];
    memcpy(out, result, sizeof result);
}

static inline double vec_norm(const double v[3]) { return sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); }

#endif
