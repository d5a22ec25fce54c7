/* Lattice geometry.
 *
 * Convention (used everywhere in legocryst): a lattice is `double lattice[3][3]` whose ROWS are the cell vectors
 * a, b, c in Cartesian Angstrom. A fractional row vector f maps to Cartesian r = f * lattice. spglib stores the
 * vectors as columns; src/symmetry converts at that boundary and nowhere else. Angles are in degrees. */
#ifndef LEGOCRYST_CORE_LATTICE_H
#define LEGOCRYST_CORE_LATTICE_H

/* Cell parameters a, b, c (Angstrom) and alpha, beta, gamma (degrees). */
typedef struct {
    double a, b, c, alpha, beta, gamma;
} lc_cell_parameters;

/* Standard orientation: a along x, b in the xy plane, c with positive z.
 * Returns -1 when the parameters do not describe a cell of positive volume. */
int lc_lattice_from_parameters(const lc_cell_parameters *params, double lattice[3][3]);
lc_cell_parameters lc_lattice_to_parameters(const double lattice[3][3]);

/* Signed volume a . (b x c) in Angstrom^3 (positive for a right-handed cell). */
double lc_lattice_volume(const double lattice[3][3]);

/* Rows b_i with a_i . b_j = delta_ij (no factor 2 pi). |b_i| is 1 / (spacing of the lattice planes i). */
void lc_lattice_reciprocal(const double lattice[3][3], double reciprocal[3][3]);

void lc_frac_to_cart(const double lattice[3][3], const double frac[3], double cart[3]);
/* Needs the reciprocal (from lc_lattice_reciprocal). */
void lc_cart_to_frac(const double reciprocal[3][3], const double cart[3], double frac[3]);

/* Wraps one fractional coordinate to [0, 1) (values within 1e-12 of 1 become 0). */
double lc_wrap_unit(double x);

/* Reduces to a Minkowski-like basis (shortest vectors, angles as close to 90 degrees as the lattice allows,
 * right-handed). transform (may be NULL) receives the integer matrix T with reduced = T * lattice. */
void lc_lattice_reduce(const double lattice[3][3], double reduced[3][3], int transform[3][3]);

/* Shortest distance between fractional points f1 and f2 over all periodic images, correct for any cell
 * shape. offset (may be NULL) receives the Cartesian vector from f1 to the nearest image of f2. */
double lc_periodic_distance(const double lattice[3][3], const double f1[3], const double f2[3], double offset[3]);

#endif
