/* Structures shared by the src/io tests. */
#ifndef LEGOCRYST_TESTS_IO_FIXTURES_H
#define LEGOCRYST_TESTS_IO_FIXTURES_H

#include <math.h>
#include <string.h>

#include "core/lattice.h"
#include "core/structure.h"

/* Space group 194, P6_3/mmc: the 24 coordinate triplets of International Tables Vol. A, in its order. */
static const char *const graphite_ops[24] = {
    "x,y,z",        "-y,x-y,z",      "-x+y,-x,z",      "-x,-y,z+1/2",   "y,-x+y,z+1/2",  "x-y,x,z+1/2",
    "y,x,-z",       "x-y,-y,-z",     "-x,-x+y,-z",     "-y,-x,-z+1/2",  "-x+y,y,-z+1/2", "x,x-y,-z+1/2",
    "-x,-y,-z",     "y,-x+y,-z",     "x-y,x,-z",       "x,y,-z+1/2",    "-y,x-y,-z+1/2", "-x+y,-x,-z+1/2",
    "-y,-x,z",      "-x+y,y,z",      "x,x-y,z",        "y,x,z+1/2",     "x-y,-y,z+1/2",  "-x,-x+y,z+1/2",
};

/* The same operations as rotation matrices and translations (rows act on column vectors of fractional
 * coordinates), typed out rather than parsed so the writer is tested independently of the parser. */
static const int graphite_rot[24][3][3] = {
    {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},    {{0, -1, 0}, {1, -1, 0}, {0, 0, 1}},  {{-1, 1, 0}, {-1, 0, 0}, {0, 0, 1}},
    {{-1, 0, 0}, {0, -1, 0}, {0, 0, 1}},  {{0, 1, 0}, {-1, 1, 0}, {0, 0, 1}},   {{1, -1, 0}, {1, 0, 0}, {0, 0, 1}},
    {{0, 1, 0}, {1, 0, 0}, {0, 0, -1}},   {{1, -1, 0}, {0, -1, 0}, {0, 0, -1}}, {{-1, 0, 0}, {-1, 1, 0}, {0, 0, -1}},
    {{0, -1, 0}, {-1, 0, 0}, {0, 0, -1}}, {{-1, 1, 0}, {0, 1, 0}, {0, 0, -1}},  {{1, 0, 0}, {1, -1, 0}, {0, 0, -1}},
    {{-1, 0, 0}, {0, -1, 0}, {0, 0, -1}}, {{0, 1, 0}, {-1, 1, 0}, {0, 0, -1}},  {{1, -1, 0}, {1, 0, 0}, {0, 0, -1}},
    {{1, 0, 0}, {0, 1, 0}, {0, 0, -1}},   {{0, -1, 0}, {1, -1, 0}, {0, 0, -1}}, {{-1, 1, 0}, {-1, 0, 0}, {0, 0, -1}},
    {{0, -1, 0}, {-1, 0, 0}, {0, 0, 1}},  {{-1, 1, 0}, {0, 1, 0}, {0, 0, 1}},   {{1, 0, 0}, {1, -1, 0}, {0, 0, 1}},
    {{0, 1, 0}, {1, 0, 0}, {0, 0, 1}},    {{1, -1, 0}, {0, -1, 0}, {0, 0, 1}},  {{-1, 0, 0}, {-1, 1, 0}, {0, 0, 1}},
};
static const double graphite_trans[24][3] = {
    {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0.5}, {0, 0, 0.5}, {0, 0, 0.5}, {0, 0, 0}, {0, 0, 0},
    {0, 0, 0}, {0, 0, 0.5}, {0, 0, 0.5}, {0, 0, 0.5}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0.5},
    {0, 0, 0.5}, {0, 0, 0.5}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0.5}, {0, 0, 0.5}, {0, 0, 0.5},
};

/* Bernal graphite, a = 2.464 A, c = 6.711 A: C on 2b (0,0,1/4) and 2c (1/3,2/3,1/4). */
static const double graphite_sites[2][3] = {{0, 0, 0.25}, {1.0 / 3, 2.0 / 3, 0.25}};
static const double graphite_atoms[4][3] = {{0, 0, 0.25}, {0, 0, 0.75}, {1.0 / 3, 2.0 / 3, 0.25}, {2.0 / 3, 1.0 / 3, 0.75}};

static inline void graphite_lattice(double lattice[3][3]) {
    lc_cell_parameters p = {2.464, 2.464, 6.711, 90, 90, 120};
    lc_lattice_from_parameters(&p, lattice);
}

static inline void make_graphite(lc_structure *s) {
    lc_structure_init(s, 0);
    graphite_lattice(s->lattice);
    for (int k = 0; k < 4; k++) lc_structure_append(s, 6, graphite_atoms[k]);
    strcpy(s->name, "graphite");
}

/* A triclinic cell in a general orientation (not the CIF standard one) with three elements, grouped by
 * element so a POSCAR keeps the order. */
static inline void make_triclinic(lc_structure *s) {
    lc_structure_init(s, 0);
    const double lattice[3][3] = {{4.1, 0.3, -0.2}, {0.7, 5.3, 0.4}, {-0.6, 0.9, 6.2}};
    memcpy(s->lattice, lattice, sizeof lattice);
    const int species[7] = {8, 8, 8, 26, 26, 1, 1};
    const double frac[7][3] = {{0.1, 0.2, 0.3},    {0.55, 0.123456789012, 0.9}, {0.99, 0.01, 0.5},
                               {0.25, 0.75, 0.05}, {0.6, 0.4, 0.7},             {0.333333333333, 0.8, 0.15},
                               {0.0, 0.0, 0.0}};
    for (int k = 0; k < 7; k++) lc_structure_append(s, species[k], frac[k]);
    strcpy(s->name, "triclinic FeO test");
}

/* |f1 - f2| over periodic images, in Angstrom, for nearby points. */
static inline double frac_distance(const double lattice[3][3], const double f1[3], const double f2[3]) {
    double d[3], c[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) d[i] = f1[i] - f2[i] - nearbyint(f1[i] - f2[i]);
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 3; i++) c[j] += d[i] * lattice[i][j];
    return sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
}

/* Largest |G1 - G2| entry of the metric tensors L L^T: lattices equal up to a rotation. */
static inline double metric_difference(const double a[3][3], const double b[3][3]) {
    double worst = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double ga = 0, gb = 0;
            for (int k = 0; k < 3; k++) {
                ga += a[i][k] * a[j][k];
                gb += b[i][k] * b[j][k];
            }
            if (fabs(ga - gb) > worst) worst = fabs(ga - gb);
        }
    return worst;
}

/* Whether every atom of a has an atom of the same element in b within tol A (and the counts agree). */
static inline int same_atoms(const lc_structure *a, const lc_structure *b, double tol) {
    if (a->n_atoms != b->n_atoms) return 0;
    for (int i = 0; i < a->n_atoms; i++) {
        int found = 0;
        for (int j = 0; j < b->n_atoms && !found; j++)
            found = a->species[i] == b->species[j] && frac_distance(a->lattice, a->frac[i], b->frac[j]) < tol;
        if (!found) return 0;
    }
    return 1;
}

#endif
