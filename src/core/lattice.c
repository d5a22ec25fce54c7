#include "lattice.h"

#include <float.h>
#include <math.h>
#include <string.h>

static const double deg_to_rad = 3.14159265358979323846 / 180.0;

static double dot3(const double u[3], const double v[3]) { return u[0] * v[0] + u[1] * v[1] + u[2] * v[2]; }

static void cross3(const double u[3], const double v[3], double out[3]) {
    out[0] = u[1] * v[2] - u[2] * v[1];
    out[1] = u[2] * v[0] - u[0] * v[2];
    out[2] = u[0] * v[1] - u[1] * v[0];
}

int lc_lattice_from_parameters(const lc_cell_parameters *p, double lattice[3][3]) {
    if (!(p->a > 0 && p->b > 0 && p->c > 0)) return -1;
    if (!(p->alpha > 0 && p->alpha < 180 && p->beta > 0 && p->beta < 180 && p->gamma > 0 && p->gamma < 180))
        return -1;
    double ca = cos(p->alpha * deg_to_rad), cb = cos(p->beta * deg_to_rad), cg = cos(p->gamma * deg_to_rad);
    double sg = sin(p->gamma * deg_to_rad);
    /* c_z^2 / c^2 = (1 - ca^2 - cb^2 - cg^2 + 2 ca cb cg) / sg^2: zero or negative when the three angles cannot
     * close a cell (e.g. alpha + beta < gamma). */
    double cx = cb;
    double cy = (ca - cb * cg) / sg;
    double cz2 = 1.0 - cx * cx - cy * cy;
    if (!(cz2 > 1e-12)) return -1;
    memset(lattice, 0, 9 * sizeof(double));
    lattice[0][0] = p->a;
    lattice[1][0] = p->b * cg;
    lattice[1][1] = p->b * sg;
    lattice[2][0] = p->c * cx;
    lattice[2][1] = p->c * cy;
    lattice[2][2] = p->c * sqrt(cz2);
    return 0;
}

static double angle_deg(const double u[3], const double v[3]) {
    double cosine = dot3(u, v) / sqrt(dot3(u, u) * dot3(v, v));
    if (cosine > 1) cosine = 1; /* rounding can push |cos| just past 1 for nearly parallel vectors */
    if (cosine < -1) cosine = -1;
    return acos(cosine) / deg_to_rad;
}

lc_cell_parameters lc_lattice_to_parameters(const double lattice[3][3]) {
    lc_cell_parameters p;
    p.a = sqrt(dot3(lattice[0], lattice[0]));
    p.b = sqrt(dot3(lattice[1], lattice[1]));
    p.c = sqrt(dot3(lattice[2], lattice[2]));
    p.alpha = angle_deg(lattice[1], lattice[2]);
    p.beta = angle_deg(lattice[0], lattice[2]);
    p.gamma = angle_deg(lattice[0], lattice[1]);
    return p;
}

double lc_lattice_volume(const double lattice[3][3]) {
    double bxc[3];
    cross3(lattice[1], lattice[2], bxc);
    return dot3(lattice[0], bxc);
}

void lc_lattice_reciprocal(const double lattice[3][3], double reciprocal[3][3]) {
    /* b_i = (a_j x a_k) / V with (i, j, k) cyclic, so a_i . b_j = delta_ij. */
    double volume = lc_lattice_volume(lattice);
    double rows[3][3];
    cross3(lattice[1], lattice[2], rows[0]);
    cross3(lattice[2], lattice[0], rows[1]);
    cross3(lattice[0], lattice[1], rows[2]);
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++) reciprocal[i][k] = rows[i][k] / volume;
}

void lc_frac_to_cart(const double lattice[3][3], const double frac[3], double cart[3]) {
    double out[3]; /* frac and cart may alias */
    for (int k = 0; k < 3; k++) out[k] = frac[0] * lattice[0][k] + frac[1] * lattice[1][k] + frac[2] * lattice[2][k];
    memcpy(cart, out, sizeof out);
}

void lc_cart_to_frac(const double reciprocal[3][3], const double cart[3], double frac[3]) {
    double out[3];
    for (int i = 0; i < 3; i++) out[i] = dot3(cart, reciprocal[i]);
    memcpy(frac, out, sizeof out);
}

double lc_wrap_unit(double x) {
    double wrapped = x - floor(x);
    /* x - floor(x) rounds to exactly 1.0 for tiny negative x; 1 - 1e-12 and 0 are the same site. */
    if (wrapped >= 1.0 - 1e-12) wrapped = 0.0;
    return wrapped;
}

/* ---- Reduction --------------------------------------------------------------------------------------------- */

/* The basis being reduced: integer rows t (basis = t * lattice) with the Cartesian rows kept in step. Rows are
 * recomputed from t after every change so rounding never accumulates over many LLL steps. */
typedef struct {
    const double (*lattice)[3];
    long t[3][3];
    double b[3][3];
} reduction_basis;

/* t0 l0 + t1 l1 + t2 l2 with one final rounding (error-free products by fma, compensated sums). For a skewed
 * input the terms are large and cancel to a short vector; plain arithmetic would leave an error of
 * 1e-16 |t| |l| in it, which the integer multiples of reduced vectors used later would amplify further. */
static double exact_combination(const long t[3], double l0, double l1, double l2) {
    double terms[3] = {(double)t[0], (double)t[1], (double)t[2]}, values[3] = {l0, l1, l2};
    double sum = 0, correction = 0;
    for (int k = 0; k < 3; k++) {
        double product = terms[k] * values[k];
        double product_error = fma(terms[k], values[k], -product);
        double new_sum = sum + product;
        double z = new_sum - sum;
        double sum_error = (sum - (new_sum - z)) + (product - z); /* Knuth's TwoSum */
        sum = new_sum;
        correction += sum_error + product_error;
    }
    return sum + correction;
}

static void basis_refresh_row(reduction_basis *rb, int k) {
    for (int c = 0; c < 3; c++)
        rb->b[k][c] = exact_combination(rb->t[k], rb->lattice[0][c], rb->lattice[1][c], rb->lattice[2][c]);
}

/* b_k += m * b_j */
static void basis_add(reduction_basis *rb, int k, int j, long m) {
    for (int c = 0; c < 3; c++) rb->t[k][c] += m * rb->t[j][c];
    basis_refresh_row(rb, k);
}

static void basis_swap(reduction_basis *rb, int k, int j) {
    long t[3];
    double b[3];
    memcpy(t, rb->t[k], sizeof t);
    memcpy(rb->t[k], rb->t[j], sizeof t);
    memcpy(rb->t[j], t, sizeof t);
    memcpy(b, rb->b[k], sizeof b);
    memcpy(rb->b[k], rb->b[j], sizeof b);
    memcpy(rb->b[j], b, sizeof b);
}

static void basis_negate(reduction_basis *rb, int k) {
    for (int c = 0; c < 3; c++) {
        rb->t[k][c] = -rb->t[k][c];
        rb->b[k][c] = -rb->b[k][c];
    }
}

/* Gram-Schmidt of the current basis: orthogonal rows star and the coefficients mu[k][j] = b_k . star_j / |star_j|^2. */
static void gram_schmidt(const double b[3][3], double star[3][3], double star_norm2[3], double mu[3][3]) {
    for (int k = 0; k < 3; k++) {
        memcpy(star[k], b[k], sizeof star[k]);
        for (int j = 0; j < k; j++) {
            mu[k][j] = dot3(b[k], star[j]) / star_norm2[j];
            for (int c = 0; c < 3; c++) star[k][c] -= mu[k][j] * star[j][c];
        }
        star_norm2[k] = dot3(star[k], star[k]);
    }
}

/* LLL with delta = 0.99: brings any basis, however skewed, to one whose vectors are within a small factor of
 * the shortest, so the exhaustive step after it only needs coefficients -1, 0, 1. */
static void lll_reduce(reduction_basis *rb) {
    const double delta = 0.99;
    double star[3][3], star_norm2[3], mu[3][3];
    int k = 1;
    /* Each swap shrinks the LLL potential by a fixed factor, so this bound is only reached by non-finite input. */
    for (int iteration = 0; k < 3 && iteration < 100000; iteration++) {
        gram_schmidt((const double(*)[3])rb->b, star, star_norm2, mu);
        for (int j = k - 1; j >= 0; j--) {
            double m = nearbyint(mu[k][j]);
            if (m != 0) {
                basis_add(rb, k, j, -(long)m);
                gram_schmidt((const double(*)[3])rb->b, star, star_norm2, mu);
            }
        }
        if (star_norm2[k] >= (delta - mu[k][k - 1] * mu[k][k - 1]) * star_norm2[k - 1]) {
            k++;
        } else {
            basis_swap(rb, k, k - 1);
            k = k > 1 ? k - 1 : 1;
        }
    }
}

/* One pass of Minkowski descent: replaces b_k by the shortest b_k + x b_i + y b_j (x, y in {-1, 0, 1}) when that
 * is strictly shorter. Returns whether anything changed (with apply == 0, whether anything would). */
static int minkowski_pass(reduction_basis *rb, int apply) {
    int improved = 0;
    for (int k = 0; k < 3; k++) {
        int i = (k + 1) % 3, j = (k + 2) % 3;
        double best = dot3(rb->b[k], rb->b[k]);
        int best_x = 0, best_y = 0;
        for (int x = -1; x <= 1; x++)
            for (int y = -1; y <= 1; y++) {
                if (x == 0 && y == 0) continue;
                double v[3];
                for (int c = 0; c < 3; c++) v[c] = rb->b[k][c] + x * rb->b[i][c] + y * rb->b[j][c];
                double len2 = dot3(v, v);
                /* The relative margin stops rounding noise from cycling between equal-length choices. */
                if (len2 < best * (1.0 - 1e-12)) {
                    best = len2;
                    best_x = x;
                    best_y = y;
                }
            }
        if (best_x || best_y) {
            if (!apply) return 1;
            basis_add(rb, k, i, best_x);
            basis_add(rb, k, j, best_y);
            improved = 1;
        }
    }
    return improved;
}

/* Descent until no move is left: the basis then satisfies Minkowski's conditions, which in three dimensions
 * need only the coefficients -1, 0, 1. Each move shortens a vector, so this ends. */
static void minkowski_descent(reduction_basis *rb) {
    for (int pass = 0; pass < 10000 && minkowski_pass(rb, 1); pass++) {
    }
}

static long det3_long(const long t[3][3]) {
    return t[0][0] * (t[1][1] * t[2][2] - t[1][2] * t[2][1]) - t[0][1] * (t[1][0] * t[2][2] - t[1][2] * t[2][0]) +
           t[0][2] * (t[1][0] * t[2][1] - t[1][1] * t[2][0]);
}

void lc_lattice_reduce(const double lattice[3][3], double reduced[3][3], int transform[3][3]) {
    reduction_basis rb = {.lattice = lattice, .t = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
    for (int k = 0; k < 3; k++) basis_refresh_row(&rb, k);

    double volume = lc_lattice_volume(lattice);
    double length_product = sqrt(dot3(lattice[0], lattice[0]) * dot3(lattice[1], lattice[1]) *
                                 dot3(lattice[2], lattice[2]));
    /* A flat or non-finite cell has no reduced basis; hand it back unchanged rather than loop on it. */
    int degenerate = !isfinite(volume) || !(fabs(volume) > 1e-14 * length_product);
    if (!degenerate) {
        /* Cells that are reduced already (the common case inside optimisation loops) skip LLL. */
        if (minkowski_pass(&rb, 0)) {
            lll_reduce(&rb);
            minkowski_descent(&rb);
        }

        /* Shortest first; insertion sort keeps equal lengths in their current order. */
        for (int k = 1; k < 3; k++)
            for (int m = k; m > 0 && dot3(rb.b[m], rb.b[m]) < dot3(rb.b[m - 1], rb.b[m - 1]); m--)
                basis_swap(&rb, m, m - 1);

        /* Signs as Niggli chooses them: the three dot products all positive, or all non-positive. The sign of
         * their product cannot change under sign flips, so it decides which. */
        double d01 = dot3(rb.b[0], rb.b[1]), d02 = dot3(rb.b[0], rb.b[2]), d12 = dot3(rb.b[1], rb.b[2]);
        int want_positive = d01 * d02 * d12 > 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            d01 = dot3(rb.b[0], rb.b[1]);
            d02 = dot3(rb.b[0], rb.b[2]);
            d12 = dot3(rb.b[1], rb.b[2]);
            if (want_positive) {
                if (d01 < 0 && d02 < 0) basis_negate(&rb, 0);
                else if (d01 < 0 && d12 < 0) basis_negate(&rb, 1);
                else if (d02 < 0 && d12 < 0) basis_negate(&rb, 2);
            } else {
                if (d01 > 0 && d02 > 0) basis_negate(&rb, 0);
                else if (d01 > 0 && d12 > 0) basis_negate(&rb, 1);
                else if (d02 > 0 && d12 > 0) basis_negate(&rb, 2);
                else if (d01 > 0) basis_negate(&rb, d02 == 0 ? 0 : 1);
                else if (d02 > 0) basis_negate(&rb, d01 == 0 ? 0 : 2);
                else if (d12 > 0) basis_negate(&rb, d01 == 0 ? 1 : 2);
            }
        }

        /* Negating all three vectors keeps every dot product and flips the handedness. */
        if (det3_long((const long(*)[3])rb.t) * (volume > 0 ? 1 : -1) < 0)
            for (int k = 0; k < 3; k++) basis_negate(&rb, k);
    }

    /* rb.b is T * lattice rounded once (every change recomputes it; swaps and negations are exact). */
    memcpy(reduced, rb.b, sizeof rb.b);
    if (transform)
        for (int k = 0; k < 3; k++)
            for (int c = 0; c < 3; c++) transform[k][c] = (int)rb.t[k][c];
}

/* ---- Periodic distance ------------------------------------------------------------------------------------- */

double lc_periodic_distance(const double lattice[3][3], const double f1[3], const double f2[3], double offset[3]) {
    double reduced[3][3], reduced_recip[3][3], recip_len[3];
    lc_lattice_reduce(lattice, reduced, NULL);
    lc_lattice_reciprocal(reduced, reduced_recip);
    for (int k = 0; k < 3; k++) recip_len[k] = sqrt(dot3(reduced_recip[k], reduced_recip[k]));

    /* Difference vector, first shortened in the input basis (keeps the numbers small), then in the reduced one. */
    double df[3], r[3], g[3];
    for (int k = 0; k < 3; k++) df[k] = (f2[k] - f1[k]) - nearbyint(f2[k] - f1[k]);
    lc_frac_to_cart(lattice, df, r);
    lc_cart_to_frac(reduced_recip, r, g);
    for (int k = 0; k < 3; k++) g[k] -= nearbyint(g[k]);
    double best_vec[3];
    lc_frac_to_cart(reduced, g, best_vec);
    double best2 = dot3(best_vec, best_vec);

    /* An image g + n no farther than the current best D has |g_k + n_k| <= D |b_k| (b_k reciprocal rows), since
     * (g + n)_k = (vector) . b_k. In a reduced basis these ranges hold a handful of integers. */
    double reach = sqrt(best2) * (1.0 + 1e-12) + 1e-300;
    int lo[3], hi[3];
    for (int k = 0; k < 3; k++) {
        lo[k] = (int)ceil(-g[k] - reach * recip_len[k]);
        hi[k] = (int)floor(-g[k] + reach * recip_len[k]);
    }
    for (int n0 = lo[0]; n0 <= hi[0]; n0++)
        for (int n1 = lo[1]; n1 <= hi[1]; n1++)
            for (int n2 = lo[2]; n2 <= hi[2]; n2++) {
                if (n0 == 0 && n1 == 0 && n2 == 0) continue;
                double h[3] = {g[0] + n0, g[1] + n1, g[2] + n2}, v[3];
                lc_frac_to_cart(reduced, h, v);
                double len2 = dot3(v, v);
                if (len2 < best2) {
                    best2 = len2;
                    memcpy(best_vec, v, sizeof v);
                }
            }
    if (offset) memcpy(offset, best_vec, sizeof best_vec);
    return sqrt(best2);
}
