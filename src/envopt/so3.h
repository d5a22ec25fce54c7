/* SO(3) power spectrum of the smooth neighbour density (Bartok, Kondor and Csanyi, PRB 87, 184115 (2013)), with
 * the conventions of PyXtal's pyxtal.lego.SO3, the local-environment descriptor of LEGO-xtal (docs/so3.md).
 *
 * For a central atom i, every neighbour j (all periodic images, the atom itself at zero shift excluded) at vector
 * v = r_j - r_i with 0.01 < |v| < rcut contributes
 *     c[n][l][m] += w_j * norm_l * 4 pi exp(-alpha r^2) f(r) I_nl(r) Y_lm(v / r),     r = |v|,
 *     I_nl(r) = int_0^rcut g_n(x) x^2 exp(-alpha x^2) i_l(2 alpha r x) dx     (Gauss-Chebyshev, as PyXtal),
 * f(r) = (cos(pi r / rcut) + 1) / 2, g_n the (rcut - x)^(n+2) polynomials orthonormalised on [0, rcut], i_l the
 * modified spherical Bessel function, norm_l = sqrt(2 sqrt(2) pi / sqrt(2l + 1)), w_j the neighbour's atomic
 * number (negated for a different species by default). Then
 *     p[n][n'][l] = sum_m c[n][l][m] conj(c[n'][l][m]),     n >= n',
 * stored as component ((n (n + 1) / 2 + n') (lmax + 1) + l): for nmax 2, lmax 4 the 15 numbers
 * (0,0,l=0..4), (1,0,l=0..4), (1,1,l=0..4). Real spherical harmonics are used inside: p is the same sum for any
 * orthonormal basis of each l, so it equals PyXtal's complex form.
 *
 * A plan is read-only after lc_so3_init, so threads may share one; each thread needs its own lc_so3_gradient. */
#ifndef LEGOCRYST_ENVOPT_SO3_H
#define LEGOCRYST_ENVOPT_SO3_H

#include "core/error.h"
#include "core/neighbor_list.h"
#include "core/structure.h"

enum { LC_SO3_MAX_NMAX = 11, LC_SO3_MAX_LMAX = 16 };

typedef enum {
    LC_SO3_WEIGHT_SIGNED_Z = 0, /* Z_j, negated when species_j != species_i (PyXtal weight_on=True, LEGO-xtal) */
    LC_SO3_WEIGHT_Z = 1,        /* Z_j for every neighbour (PyXtal weight_on=False) */
} lc_so3_weight;

typedef struct {
    int nmax;             /* radial functions, 1..LC_SO3_MAX_NMAX (PyXtal refuses > 11: the basis degenerates) */
    int lmax;             /* angular degree, 0..LC_SO3_MAX_LMAX */
    double alpha;         /* Gaussian exponent of the neighbour density, 1/Angstrom^2 */
    double rcut;          /* cutoff radius, Angstrom */
    lc_so3_weight weight;
    /* Radial factors: 0 evaluates PyXtal's quadrature (70 Bessel points for the defaults) for every neighbour;
     * N > 0 interpolates a table of N intervals over [0, rcut] (cubic Hermite from exact values and derivatives,
     * so the gradient is the exact derivative of what p uses), many times faster per neighbour. With 1024
     * intervals p differs from the quadrature by about 3e-11 of max|p|, the gradients by about 1e-8 of their
     * largest entry (tests/envopt/test_so3.c). */
    int table_intervals;
} lc_so3_options;

/* nmax 2, lmax 4, alpha 1.5, rcut 2.0, signed Z, 1024 table intervals: the 15-number descriptor of LEGO-Cryst. */
lc_so3_options lc_so3_default_options(void);

typedef struct {
    lc_so3_options options;
    int n_components; /* nmax (nmax + 1) / 2 (lmax + 1) */
    int n_quad;       /* Gauss-Chebyshev points, 10 (nmax + lmax + 1) as PyXtal */
    int n_series;     /* terms of the power series of i_l used for l = lmax, lmax + 1 */
    double *quad_x;   /* [n_quad] radial quadrature points x_q in (0, rcut) */
    double *radial;   /* [nmax][n_quad] g_n(x_q) x_q^2 exp(-alpha x_q^2) times the quadrature weight */
    double *radial_d; /* [nmax][n_quad] radial * 2 alpha x_q: d/dr of i_l(2 alpha r x_q) is that times i_l' */
    double *series;   /* [2][n_series] i_l(z) = z^l sum_k series[l - lmax][k] z^(2k) for l = lmax, lmax + 1 */
    double *ylm_norm; /* [(lmax + 1)^2] real spherical harmonic prefactors, index l^2 + l + m */
    double norm[LC_SO3_MAX_LMAX + 1]; /* norm_l */
    double *table;    /* [table_intervals + 1][2][nmax][lmax + 1]: radial factor and its r-derivative at r = k h */
    double table_step; /* h = rcut / table_intervals */
} lc_so3_plan;

/* Checks the options and precomputes the radial basis, quadrature and Bessel series. Returns 0, or -1 with err
 * set for options out of range. */
int lc_so3_init(lc_so3_plan *plan, const lc_so3_options *options, lc_error *err);
void lc_so3_free(lc_so3_plan *plan);

/* Derivatives of one atom's descriptor, filled by lc_so3_descriptor_nl when asked for.
 *
 * Positions: d_position[(s * n_components + k) * 3 + c] = dp_k / d x_c of atom atom[s] (Cartesian Angstrom, the
 * atom and all its images moving together), for the n_atoms_touched atoms s whose motion changes p (the central
 * atom, slot 0, and its neighbours); every other atom has zero derivative.
 *
 * Strain: d_strain[(k * 3 + a) * 3 + b] = dp_k / dF_ab at F = I, where the homogeneous deformation F maps every
 * Cartesian position and every lattice vector x -> F x (so fractional coordinates stay fixed). It equals
 * sum over pairs of (dp_k / dv_a) v_b; rotations do not change p, so it is symmetric. For the derivative with
 * respect to the lattice rows at fixed fractional coordinates see lc_so3_gradient_lattice. */
typedef struct {
    int n_components;
    int n_atoms_touched;
    int *atom;           /* [n_atoms_touched] */
    double *d_position;  /* [n_atoms_touched][n_components][3] */
    double *d_strain;    /* [n_components][3][3] */
    /* scratch, owned here so repeated calls do not allocate */
    int capacity_atoms, capacity_pairs, capacity_map;
    int *slot_of;        /* [capacity_map] atom -> slot, -1 when untouched */
    double *pair_data;   /* per pair: radial factors, harmonics and their gradients */
} lc_so3_gradient;

void lc_so3_gradient_init(lc_so3_gradient *g);
void lc_so3_gradient_free(lc_so3_gradient *g);

/* Descriptor of atom `atom` of s: p[0 .. n_components-1], and its derivatives when grad is not NULL.
 * nl must be the neighbour list of s built with a cutoff >= rcut (pairs beyond rcut are ignored), so a caller
 * describing several atoms of one structure builds it once. */
void lc_so3_descriptor_nl(const lc_so3_plan *plan, const lc_structure *s, const lc_neighbor_list *nl, int atom,
                          double *p, lc_so3_gradient *grad);

/* The same, building a neighbour list for this one call. */
void lc_so3_descriptor(const lc_so3_plan *plan, const lc_structure *s, int atom, double *p, lc_so3_gradient *grad);

/* dp_k / d lattice[r][c] with fractional coordinates fixed (lattice rows a, b, c as in core/lattice.h):
 * out[(k * 3 + r) * 3 + c]. With L' = L F^T for the deformation above, this is (L^-T D^T)[r][c] for D the strain
 * derivative of component k. Chain it with the cell-parameter derivatives of the lattice, and chain
 * d_position with L (dp/dfrac_j = L dp/dx_j) for fractional Wyckoff coordinates. */
void lc_so3_gradient_lattice(const lc_so3_gradient *g, const double lattice[3][3], double *out);

#endif
