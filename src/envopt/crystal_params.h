/* A crystal as the free parameters of its row: the optimisation variables of local-environment relaxation.
 *
 * x = [free cell parameters of the lattice system (a, b, c, alpha, beta, gamma in that order, those that are
 * free), then the free Wyckoff coordinates of site 0, site 1, ...]. Moving x keeps the space group exactly: every
 * structure built from x has the row's group (or a supergroup). Lengths in Angstrom, angles in degrees.
 * Derivatives of the lattice and of every atom's fractional coordinates with respect to x are exact (analytic),
 * for chaining descriptor gradients to x. */
#ifndef LEGOCRYST_ENVOPT_CRYSTAL_PARAMS_H
#define LEGOCRYST_ENVOPT_CRYSTAL_PARAMS_H

#include "core/structure.h"
#include "lego/row.h"
#include "symmetry/wyckoff.h"

enum { LC_MAX_CRYSTAL_PARAMS = 6 + 3 * LC_ROW_MAX_SITES };

typedef struct {
    int spacegroup;
    const lc_wyckoff_table *table;
    int n_cell;                    /* free cell parameters */
    int cell_index[6];             /* which of a, b, c, alpha, beta, gamma each is (0..5) */
    int n_params;                  /* n_cell + free coordinates */
    int n_sites;
    int site_position[LC_ROW_MAX_SITES]; /* Wyckoff index of each site */
    int site_species[LC_ROW_MAX_SITES];
    int site_first_param[LC_ROW_MAX_SITES];
    int site_first_atom[LC_ROW_MAX_SITES + 1]; /* atoms of site s: site_first_atom[s] .. [s+1]-1 */
    int n_atoms;
} lc_crystal_params;

/* Parameterisation of a decodable row (sites already on their positions, e.g. the `projected` row of
 * lc_row_decode); writes the row's values into x[n_params]. -1 for a row with a bad group or Wyckoff index. */
int lc_crystal_params_init(lc_crystal_params *cp, const lc_row *row, double *x);

/* The six cell parameters for x (constrained ones from the lattice system: e.g. b = a, gamma = 120). */
void lc_crystal_params_cell(const lc_crystal_params *cp, const double *x, double cell[6]);

/* Bounds of LEGO-Cryst: lengths [min_length, max_length], angles [min_angle, max_angle], coordinates [0, 1]. */
void lc_crystal_params_bounds(const lc_crystal_params *cp, double min_length, double max_length, double min_angle,
                              double max_angle, double *lower, double *upper);

/* The structure for x: atoms of site 0's orbit, then site 1's, ... (orbit order of the Wyckoff table), wrapped.
 * s must be initialised (lc_structure_init); its arrays are reused. Returns -1 when x gives no valid cell. */
int lc_crystal_params_structure(const lc_crystal_params *cp, const double *x, lc_structure *s);

/* d lattice / d x_k for the cell parameters k < n_cell: dlattice[k][i][j] = d lattice[i][j] / d x_k (rows
 * convention, angles in degrees). */
int lc_crystal_params_lattice_derivative(const lc_crystal_params *cp, const double *x, double dlattice[][3][3]);

/* d frac(atom) / d x_k for the coordinate parameters of the atom's own site (others are zero): writes the
 * derivative of the atom's fractional coordinates with respect to each of its site's free parameters,
 * dfrac[p][0..2] for p < n_free of that site. Returns n_free. */
int lc_crystal_params_frac_derivative(const lc_crystal_params *cp, int atom, double dfrac[3][3]);

/* The row for x (to write a relaxed candidate back as a row). */
void lc_crystal_params_row(const lc_crystal_params *cp, const double *x, lc_row *row);

#endif
