/* Wyckoff positions of the 230 space groups, derived from spglib's symmetry operations.
 *
 * For each space group (standard setting of spacegroup.h) the positions are found by the program from the
 * group's operations alone: the site-symmetry groups of points, the affine subspaces they fix, and the orbits
 * of those subspaces under the group. Letters and oriented site-symmetry symbols (the names the International
 * Tables give) are read from spglib's identification of a generic point of each position. Tables are derived
 * on first use and cached. See docs/wyckoff.md. */
#ifndef LEGOCRYST_SYMMETRY_WYCKOFF_H
#define LEGOCRYST_SYMMETRY_WYCKOFF_H

#include "spacegroup.h"

typedef struct {
    char letter;            /* 'a' .. ; the general position has the last letter */
    int multiplicity;       /* points in the conventional cell */
    char site_symmetry[8];  /* oriented site-symmetry symbol, e.g. "..2", "-3m." */
    /* representative: r(u) = offset + sum_k u_k * basis[k], k < n_free; the free parameter u_k equals the
     * coordinate param_axis[k] of r (0 = x, 1 = y, 2 = z), so r reads like "(x, 2x, 1/4)". */
    int n_free;
    int param_axis[3];
    double basis[3][3];
    double offset[3];
    /* operation indices (into the group's operations) that map the representative onto each of the
     * multiplicity members of its orbit; orbit_ops[0] is the identity. */
    int orbit_ops[LC_MAX_OPERATIONS];
} lc_wyckoff_position;

typedef struct {
    lc_spacegroup spacegroup;
    int n_operations;
    int rotations[LC_MAX_OPERATIONS][3][3];
    double translations[LC_MAX_OPERATIONS][3];
    int n_positions;
    lc_wyckoff_position *positions; /* [0] general position ... [n_positions - 1] letter 'a' */
} lc_wyckoff_table;

/* Table of a space group 1..230 (derived on first call, then cached for the process); NULL when out of range.
 * Not thread-safe on first use. */
const lc_wyckoff_table *lc_wyckoff_table_get(int number);
/* Position with a letter, or NULL. */
const lc_wyckoff_position *lc_wyckoff_find(const lc_wyckoff_table *table, char letter);
/* Writes the representative as text, e.g. "(x, 2x, 1/4)". */
void lc_wyckoff_format(const lc_wyckoff_position *position, char *buffer, int size);
/* Point of the position for free parameters u[n_free]. */
void lc_wyckoff_point(const lc_wyckoff_position *position, const double *u, double point[3]);
/* Nearest point of position w to the fractional point x, over every image of x under the group and every lattice
 * translation, with distances measured in the Cartesian metric of `lattice` (rows convention). Writes the free
 * parameters of that nearest point on the representative into u[n_free] and returns the distance in Angstrom. */
double lc_wyckoff_project(const lc_wyckoff_table *table, const lc_wyckoff_position *w, const double lattice[3][3],
                          const double x[3], double u[3]);
/* The position of highest site symmetry within `tolerance` Angstrom of x (the general position always is, at
 * distance 0). Returns its index in table->positions and writes its free parameters into u. */
int lc_wyckoff_locate(const lc_wyckoff_table *table, const double lattice[3][3], const double x[3], double tolerance,
                      double u[3]);
/* Frees every cached table (for leak checkers). */
void lc_wyckoff_release_all(void);

#endif
