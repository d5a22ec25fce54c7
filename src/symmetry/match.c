#include "match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/lattice.h"

static const double deg_to_rad = 3.14159265358979323846 / 180.0;

lc_match_options lc_match_default_options(void) {
    lc_match_options o = {.site_tolerance = 1e-3, .length_tolerance = 1e-4, .angle_tolerance = 1e-2,
                          .symprec = 0, .allow_mirror = 1};
    return o;
}

lc_match_options lc_match_loose_options(void) {
    lc_match_options o = {.site_tolerance = 0.3, .length_tolerance = 0.2, .angle_tolerance = 5, .symprec = 0.25,
                          .allow_mirror = 1, .loose = 1, .scale = 1};
    return o;
}

static lc_match_options resolve_options(const lc_match_options *opt) {
    lc_match_options o = opt ? *opt : lc_match_default_options();
    if (!(o.site_tolerance > 0) || !(o.length_tolerance >= 0) || !(o.angle_tolerance >= 0))
        lc_fatal("lc_match: tolerances must be positive (site %g, length %g, angle %g)", o.site_tolerance,
                 o.length_tolerance, o.angle_tolerance);
    if (!(o.symprec > 0)) o.symprec = o.loose ? 0.25 : o.site_tolerance;
    return o;
}

/* ---- Small linear algebra ---------------------------------------------------------------------------------- */

/* nearbyint for |x| < 2^51 without the library call (hot loops): adding 1.5 * 2^52 leaves no fraction bits. */
static inline double round_to_integer(double x) {
    const double magic = 6755399441055744.0;
    return (x + magic) - magic;
}

static double dot3(const double u[3], const double v[3]) { return u[0] * v[0] + u[1] * v[1] + u[2] * v[2]; }

/* out = f * m for a row vector f (out may alias f). */
static void row_times(const double f[3], const double m[3][3], double out[3]) {
    double r[3];
    for (int k = 0; k < 3; k++) r[k] = f[0] * m[0][k] + f[1] * m[1][k] + f[2] * m[2][k];
    memcpy(out, r, sizeof r);
}

static void mat_mul(const double x[3][3], const double y[3][3], double out[3][3]) {
    double r[3][3];
    for (int i = 0; i < 3; i++) row_times(x[i], y, r[i]);
    memcpy(out, r, sizeof r);
}

static double mat_det(const double m[3][3]) {
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

static void mat_inverse(const double m[3][3], double out[3][3]) {
    double d = mat_det(m), r[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
            r[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) / d;
        }
    memcpy(out, r, sizeof r);
}

static int int_det(const int m[3][3]) {
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/* Inverse of an integer matrix with determinant +-1, which is again an integer matrix. */
static void int_inverse_unimodular(const int m[3][3], int out[3][3]) {
    int d = int_det(m);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
            out[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) * d;
        }
}

static void int_to_double(const int m[3][3], double out[3][3]) {
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) out[i][j] = m[i][j];
}

static void metric_of(const double lattice[3][3], double g[3][3]) {
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) g[i][j] = dot3(lattice[i], lattice[j]);
}

/* Lower-triangular rows with the metric g (Cholesky): a lattice in some orientation whose cell has exactly this
 * metric. Returns -1 when g is not positive definite. */
static int lattice_from_metric(const double g[3][3], double l[3][3]) {
    memset(l, 0, 9 * sizeof(double));
    double d0 = g[0][0];
    if (!(d0 > 0)) return -1;
    l[0][0] = sqrt(d0);
    l[1][0] = g[0][1] / l[0][0];
    double d1 = g[1][1] - l[1][0] * l[1][0];
    if (!(d1 > 0)) return -1;
    l[1][1] = sqrt(d1);
    l[2][0] = g[0][2] / l[0][0];
    l[2][1] = (g[1][2] - l[2][0] * l[1][0]) / l[1][1];
    double d2 = g[2][2] - l[2][0] * l[2][0] - l[2][1] * l[2][1];
    if (!(d2 > 0)) return -1;
    l[2][2] = sqrt(d2);
    return 0;
}

static void reciprocal_lengths(const double lattice[3][3], double out[3]) {
    double recip[3][3];
    lc_lattice_reciprocal(lattice, recip);
    for (int k = 0; k < 3; k++) out[k] = sqrt(dot3(recip[k], recip[k]));
}

static double angle_deg(const double u[3], const double v[3]) {
    double c = dot3(u, v) / sqrt(dot3(u, u) * dot3(v, v));
    return acos(c > 1 ? 1 : c < -1 ? -1 : c) / deg_to_rad;
}

/* A cell that lc_lattice_reduce and the reciprocal can work with: finite, of non-negligible volume. */
static int lattice_usable(const double l[3][3]) {
    double lengths = sqrt(dot3(l[0], l[0]) * dot3(l[1], l[1]) * dot3(l[2], l[2]));
    double volume = lc_lattice_volume(l);
    return isfinite(volume) && isfinite(lengths) && fabs(volume) > 1e-10 * lengths;
}

static int coordinates_finite(const lc_structure *s) {
    for (int i = 0; i < s->n_atoms; i++)
        for (int k = 0; k < 3; k++)
            if (!isfinite(s->frac[i][k])) return 0;
    return 1;
}

/* ---- Atoms binned over the cell ---------------------------------------------------------------------------- */

/* Fractional bins of a cell (counting-sorted atom indices). A ball of radius r covers at most
 * 1 + ceil(2 r |b*_k| n_k) bins along axis k for any cell shape, since a Cartesian step of length r changes
 * fractional coordinate k by at most r |b*_k| (b*_k the reciprocal rows). */
typedef struct {
    const double (*frac)[3]; /* wrapped to [0, 1) */
    const int *species;
    int n_atoms;
    int n[3];
    int *start; /* [bins + 1] */
    int *atom;  /* [n_atoms] ordered by bin */
} site_grid;

static int bin_of(double f, int n) {
    int b = (int)(f * n);
    return b < 0 ? 0 : b >= n ? n - 1 : b;
}

static void grid_build(site_grid *g, const double (*frac)[3], const int *species, int n_atoms,
                       const double lattice[3][3]) {
    g->frac = frac;
    g->species = species;
    g->n_atoms = n_atoms;
    double recip_len[3];
    reciprocal_lengths(lattice, recip_len);
    /* About two bins per atom, shaped like the cell: a query then looks at one or two nearly empty bins. */
    double per_length = cbrt(2.0 * n_atoms / fabs(lc_lattice_volume(lattice)));
    int bins = 1;
    for (int k = 0; k < 3; k++) {
        double n = floor(per_length / recip_len[k]); /* 1 / |b*_k| is the spacing of the lattice planes */
        g->n[k] = n < 1 ? 1 : n > 64 ? 64 : (int)n;
        bins *= g->n[k];
    }
    g->start = lc_calloc((size_t)bins + 1, sizeof *g->start);
    g->atom = lc_malloc(sizeof *g->atom * (size_t)n_atoms);
    int *bin = lc_malloc(sizeof *bin * (size_t)n_atoms);
    for (int i = 0; i < n_atoms; i++) {
        bin[i] = (bin_of(frac[i][0], g->n[0]) * g->n[1] + bin_of(frac[i][1], g->n[1])) * g->n[2] +
                 bin_of(frac[i][2], g->n[2]);
        g->start[bin[i] + 1]++;
    }
    for (int b = 0; b < bins; b++) g->start[b + 1] += g->start[b];
    int *cursor = lc_malloc(sizeof *cursor * (size_t)bins);
    memcpy(cursor, g->start, sizeof *cursor * (size_t)bins);
    for (int i = 0; i < n_atoms; i++) g->atom[cursor[bin[i]]++] = i;
    free(cursor);
    free(bin);
}

static void grid_free(site_grid *g) {
    free(g->start);
    free(g->atom);
    memset(g, 0, sizeof *g);
}

/* Nearest atom of species z not taken in this pass (taken[k] == stamp) within sqrt(reach2) of the wrapped point
 * p, distances in lattice l; reach_frac[k] = reach |b*_k| of l. Returns its index (disp = its position - p,
 * Cartesian) or -1. Nearest image by rounding is exact while reach_frac < 1/2. */
static int grid_nearest(const site_grid *g, const double l[3][3], const double reach_frac[3], double reach2,
                        const double p[3], int z, const int *taken, int stamp, double disp[3]) {
    int lo[3], count[3];
    for (int k = 0; k < 3; k++) {
        int n = g->n[k];
        lo[k] = (int)floor((p[k] - reach_frac[k]) * n);
        count[k] = (int)floor((p[k] + reach_frac[k]) * n) - lo[k] + 1;
        if (count[k] >= n) lo[k] = 0, count[k] = n;
    }
    int best = -1;
    double best2 = reach2;
    for (int i0 = 0; i0 < count[0]; i0++) {
        int b0 = ((lo[0] + i0) % g->n[0] + g->n[0]) % g->n[0];
        for (int i1 = 0; i1 < count[1]; i1++) {
            int b1 = ((lo[1] + i1) % g->n[1] + g->n[1]) % g->n[1];
            for (int i2 = 0; i2 < count[2]; i2++) {
                int b2 = ((lo[2] + i2) % g->n[2] + g->n[2]) % g->n[2];
                int bin = (b0 * g->n[1] + b1) * g->n[2] + b2;
                for (int s = g->start[bin]; s < g->start[bin + 1]; s++) {
                    int k = g->atom[s];
                    if (g->species[k] != z || taken[k] == stamp) continue;
                    double df[3], v[3];
                    for (int c = 0; c < 3; c++) df[c] = g->frac[k][c] - p[c] - round_to_integer(g->frac[k][c] - p[c]);
                    lc_frac_to_cart(l, df, v);
                    double d2 = dot3(v, v);
                    if (d2 <= best2) {
                        best = k;
                        best2 = d2;
                        memcpy(disp, v, sizeof v);
                    }
                }
            }
        }
    }
    return best;
}

/* Scratch for pairing a query structure with the grid's atoms. */
typedef struct {
    int *taken;     /* [n] stamp of the pass that took the atom */
    int stamp;
    int *partner;   /* [n] grid atom paired with query atom j */
    double (*disp)[3]; /* [n] Cartesian partner position - query position */
} pairing;

static void pairing_init(pairing *w, int n) {
    w->taken = lc_calloc((size_t)n, sizeof *w->taken);
    w->stamp = 0;
    w->partner = lc_malloc(sizeof *w->partner * (size_t)n);
    w->disp = lc_malloc(sizeof *w->disp * (size_t)n);
}

static void pairing_free(pairing *w) {
    free(w->taken);
    free(w->partner);
    free(w->disp);
}

/* Pairs every query atom j (at q[j] + shift) with its own grid atom of the same species within reach. Stops at
 * the first atom left without a partner, which for a wrong shift is almost always the first one. */
static int pair_all(const site_grid *g, const double l[3][3], const double recip_len[3], const double (*q)[3],
                    const int *qz, int n, const double shift[3], double reach, pairing *w) {
    double reach_frac[3];
    for (int k = 0; k < 3; k++) reach_frac[k] = reach * recip_len[k];
    int stamp = ++w->stamp;
    for (int j = 0; j < n; j++) {
        double p[3];
        for (int k = 0; k < 3; k++) p[k] = lc_wrap_unit(q[j][k] + shift[k]);
        int k = grid_nearest(g, l, reach_frac, reach * reach, p, qz[j], w->taken, stamp, w->disp[j]);
        if (k < 0) return 0;
        w->taken[k] = stamp;
        w->partner[j] = k;
    }
    return 1;
}

/* Mean of the displacements (the least-squares translation for this pairing) and the largest and rms
 * displacement left after removing it. */
static void displacement_stats(const double (*disp)[3], int n, double mean[3], double *max, double *rms) {
    mean[0] = mean[1] = mean[2] = 0;
    for (int j = 0; j < n; j++)
        for (int k = 0; k < 3; k++) mean[k] += disp[j][k] / n;
    double largest = 0, sum2 = 0;
    for (int j = 0; j < n; j++) {
        double d[3] = {disp[j][0] - mean[0], disp[j][1] - mean[1], disp[j][2] - mean[2]};
        double d2 = dot3(d, d);
        sum2 += d2;
        if (d2 > largest) largest = d2;
    }
    *max = sqrt(largest);
    *rms = sqrt(sum2 / n);
}

/* ---- Species ----------------------------------------------------------------------------------------------- */

static int compare_int(const void *x, const void *y) {
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

/* Distinct species of a structure with their counts, ascending by Z. Returns the number of species. */
static int species_counts(const int *species, int n, int **z_out, int **count_out) {
    int *z = lc_malloc(sizeof *z * (size_t)(n > 0 ? n : 1));
    int *count = lc_malloc(sizeof *count * (size_t)(n > 0 ? n : 1));
    int *sorted = lc_malloc(sizeof *sorted * (size_t)(n > 0 ? n : 1));
    memcpy(sorted, species, sizeof *sorted * (size_t)n);
    qsort(sorted, (size_t)n, sizeof *sorted, compare_int);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m > 0 && z[m - 1] == sorted[i]) {
            count[m - 1]++;
        } else {
            z[m] = sorted[i];
            count[m++] = 1;
        }
    }
    free(sorted);
    *z_out = z;
    *count_out = count;
    return m;
}

/* Species with the fewest atoms (smallest Z on ties), its count, and the gcd of all counts. */
static int rarest_species(const int *species, int n, int *rarest_count, int *gcd_counts) {
    int *z, *count;
    int m = species_counts(species, n, &z, &count);
    int best = 0, g = 0;
    for (int s = 0; s < m; s++) {
        if (count[s] < count[best]) best = s;
        int a = g, b = count[s];
        while (b) {
            int r = a % b;
            a = b;
            b = r;
        }
        g = a;
    }
    int rarest = z[best];
    if (rarest_count) *rarest_count = count[best];
    if (gcd_counts) *gcd_counts = g;
    free(z);
    free(count);
    return rarest;
}

/* Same species in the same proportions (not yet the same number of atoms). */
static int same_composition(const lc_structure *a, const lc_structure *b) {
    int *za, *ca, *zb, *cb;
    int ma = species_counts(a->species, a->n_atoms, &za, &ca);
    int mb = species_counts(b->species, b->n_atoms, &zb, &cb);
    int same = ma == mb;
    for (int s = 0; same && s < ma; s++)
        same = za[s] == zb[s] && (long)ca[s] * b->n_atoms == (long)cb[s] * a->n_atoms;
    free(za);
    free(ca);
    free(zb);
    free(cb);
    return same;
}

/* ---- Primitive cell ---------------------------------------------------------------------------------------- */

/* Pure translations of a structure (cell l, wrapped frac): the vectors from one atom of the rarest species to
 * the others of that species that, refined to the mean over all atoms, carry every atom onto an atom of its
 * species within symprec. Entry 0 is the identity; perm[k * n + i] is the image of atom i under t[k].
 * Returns the count. */
static int find_translations(const double l[3][3], const double (*frac)[3], const int *species, int n,
                             double symprec, double (**t_out)[3], int **perm_out) {
    int rarest_count, gcd_counts;
    int rarest = rarest_species(species, n, &rarest_count, &gcd_counts);
    double(*t)[3] = lc_calloc((size_t)rarest_count, sizeof *t);
    int *perm = lc_malloc(sizeof *perm * (size_t)rarest_count * (size_t)n);
    for (int i = 0; i < n; i++) perm[i] = i;
    int n_t = 1;
    *t_out = t;
    *perm_out = perm;
    /* A lattice translation permutes each species, so the number of them divides every count. */
    if (gcd_counts == 1) return n_t;

    site_grid g;
    grid_build(&g, frac, species, n, l);
    double recip[3][3], recip_len[3];
    lc_lattice_reciprocal(l, recip);
    reciprocal_lengths(l, recip_len);
    pairing w;
    pairing_init(&w, n);
    int anchor = 0;
    while (species[anchor] != rarest) anchor++;
    for (int j = 0; j < n; j++) {
        if (j == anchor || species[j] != rarest) continue;
        double shift[3] = {frac[j][0] - frac[anchor][0], frac[j][1] - frac[anchor][1], frac[j][2] - frac[anchor][2]};
        /* As for origin shifts (search_shifts): the anchor pair carries noise, the mean translation does not. */
        if (!pair_all(&g, l, recip_len, frac, species, n, shift, 2 * symprec, &w)) continue;
        double mean[3], mean_frac[3], max, rms;
        displacement_stats((const double(*)[3])w.disp, n, mean, &max, &rms);
        if (max > symprec * (1 + 1e-12)) continue;
        lc_cart_to_frac(recip, mean, mean_frac);
        for (int k = 0; k < 3; k++) t[n_t][k] = shift[k] + mean_frac[k];
        memcpy(perm + (size_t)n_t * n, w.partner, sizeof *perm * (size_t)n);
        n_t++;
    }
    pairing_free(&w);
    grid_free(&g);
    return n_t;
}

/* x * a + y * b = gcd(a, b) > 0 for a != 0. */
static long long extended_gcd(long long a, long long b, long long *x, long long *y) {
    long long x0 = 1, y0 = 0, x1 = 0, y1 = 1;
    while (b != 0) {
        long long q = a / b, r = a - q * b, xr = x0 - q * x1, yr = y0 - q * y1;
        a = b, b = r;
        x0 = x1, x1 = xr;
        y0 = y1, y1 = yr;
    }
    if (a < 0) a = -a, x0 = -x0, y0 = -y0;
    *x = x0;
    *y = y0;
    return a;
}

static long long mod_positive(long long v, long long m) { return ((v % m) + m) % m; }

/* Adds the integer vector v to the lattice spanned by the rows of the upper-triangular h, keeping h upper
 * triangular (Hermite normal form). m Z^3 lies in the lattice throughout, so reducing v modulo m keeps the
 * numbers small without changing what is spanned. */
static void hnf_insert(long long h[3][3], long long v[3], long long m) {
    for (int c = 0; c < 3; c++) {
        v[c] = mod_positive(v[c], m);
        if (v[c] == 0) continue;
        long long x, y, g = extended_gcd(h[c][c], v[c], &x, &y);
        long long p = h[c][c] / g, q = v[c] / g; /* [[x, y], [-q, p]] has determinant 1 */
        for (int k = c; k < 3; k++) {
            long long hk = h[c][k], vk = v[k];
            h[c][k] = x * hk + y * vk;
            v[k] = mod_positive(p * vk - q * hk, m);
        }
    }
    for (int c = 1; c < 3; c++)
        for (int r = 0; r < c; r++) {
            long long q = h[r][c] / h[c][c] - (h[r][c] % h[c][c] < 0);
            for (int k = c; k < 3; k++) h[r][k] -= q * h[c][k];
        }
}

/* Basis (fractional rows p) of the lattice spanned by the unit translations and the n_t translations t, which
 * form a group of order n_t, so n_t t are integer vectors. Returns 0 when rounding or the volume says they do
 * not form such a group at this tolerance. */
static int primitive_basis(const double (*t)[3], int n_t, double p[3][3]) {
    long long m = n_t, h[3][3] = {{m, 0, 0}, {0, m, 0}, {0, 0, m}};
    for (int k = 1; k < n_t; k++) {
        long long v[3];
        for (int c = 0; c < 3; c++) {
            double x = t[k][c] * (double)m;
            v[c] = llround(x);
            if (fabs(x - (double)v[c]) > 0.25) return 0;
        }
        hnf_insert(h, v, m);
    }
    if (h[0][0] * h[1][1] * h[2][2] * m != m * m * m) return 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) p[i][j] = (double)h[i][j] / (double)m;
    return 1;
}

/* One atom per orbit of the translations, at the mean of its orbit (positions in the input cell). Returns the
 * number of orbits, or -1 when the pairings disagree (an atom in two orbits). */
static int orbit_means(const double (*frac)[3], const int *species, int n, const double (*t)[3], const int *perm,
                       int n_t, double (*pos)[3], int *pos_species) {
    char *seen = lc_calloc((size_t)n, 1);
    int count = 0;
    for (int i = 0; i < n && count >= 0; i++) {
        if (seen[i]) continue;
        double sum[3] = {0, 0, 0};
        for (int k = 0; k < n_t; k++) {
            int j = perm[(size_t)k * n + i];
            if (seen[j]) {
                count = -1;
                break;
            }
            seen[j] = 1;
            for (int c = 0; c < 3; c++) {
                double d = frac[j][c] - t[k][c] - frac[i][c];
                sum[c] += d - round_to_integer(d);
            }
        }
        if (count < 0) break;
        for (int c = 0; c < 3; c++) pos[count][c] = frac[i][c] + sum[c] / n_t;
        pos_species[count++] = species[i];
    }
    free(seen);
    return count;
}

typedef struct {
    int species, index;
} species_index;

static int compare_species_index(const void *x, const void *y) {
    const species_index *a = x, *b = y;
    if (a->species != b->species) return (a->species > b->species) - (a->species < b->species);
    return (a->index > b->index) - (a->index < b->index);
}

void lc_match_cell_free(lc_match_cell *cell) {
    lc_structure_free(&cell->primitive);
    memset(cell, 0, sizeof *cell);
}

int lc_match_cell_init(lc_match_cell *cell, const lc_structure *s, const lc_match_options *opt) {
    lc_match_options o = resolve_options(opt);
    memset(cell, 0, sizeof *cell);
    int n = s->n_atoms;
    if (n <= 0 || !lattice_usable(s->lattice) || !coordinates_finite(s)) return -1;

    /* Work in a reduced input cell, where rounding to the nearest image is exact for small tolerances. */
    double reduced[3][3], r0[3][3];
    int r0_int[3][3], r0_inv[3][3];
    lc_lattice_reduce(s->lattice, reduced, r0_int);
    int_inverse_unimodular(r0_int, r0_inv);
    int_to_double(r0_int, r0);
    double r0_inv_d[3][3];
    int_to_double(r0_inv, r0_inv_d);
    double(*frac)[3] = lc_malloc(sizeof *frac * (size_t)n);
    for (int i = 0; i < n; i++) {
        row_times(s->frac[i], r0_inv_d, frac[i]);
        for (int k = 0; k < 3; k++) frac[i][k] = lc_wrap_unit(frac[i][k]);
    }

    double(*t)[3];
    int *perm;
    int n_t = find_translations(reduced, (const double(*)[3])frac, s->species, n, o.symprec, &t, &perm);
    double p[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    double(*pos)[3] = lc_malloc(sizeof *pos * (size_t)n);
    int *pos_species = lc_malloc(sizeof *pos_species * (size_t)n);
    int n_prim = -1;
    /* Translations found at a tolerance near the atoms' spacing may not close into a group: then the input cell
     * is used as it is, so only descriptions in the same cell can match. */
    if (n_t > 1 && n % n_t == 0 && primitive_basis((const double(*)[3])t, n_t, p)) {
        n_prim = orbit_means((const double(*)[3])frac, s->species, n, (const double(*)[3])t, perm, n_t, pos,
                             pos_species);
        if (n_prim != n / n_t) n_prim = -1;
    }
    if (n_prim < 0) {
        n_t = 1;
        memcpy(p, (double[3][3]){{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, sizeof p);
        memcpy(pos, frac, sizeof *pos * (size_t)n);
        memcpy(pos_species, s->species, sizeof *pos_species * (size_t)n);
        n_prim = n;
    }

    /* primitive = u * p * reduced; fractional coordinates go with the inverse. */
    double prim[3][3], u[3][3], w[3][3], w_inv[3][3];
    int u_int[3][3];
    mat_mul(p, reduced, prim);
    lc_lattice_reduce(prim, cell->primitive.lattice, u_int);
    int_to_double(u_int, u);
    mat_mul(u, p, w);
    mat_inverse(w, w_inv);
    mat_mul(w, r0, cell->to_input);
    cell->n_translations = n_t;

    species_index *order = lc_malloc(sizeof *order * (size_t)n_prim);
    for (int i = 0; i < n_prim; i++) order[i] = (species_index){pos_species[i], i};
    qsort(order, (size_t)n_prim, sizeof *order, compare_species_index);
    double lattice[3][3];
    memcpy(lattice, cell->primitive.lattice, sizeof lattice);
    lc_structure_init(&cell->primitive, n_prim);
    memcpy(cell->primitive.lattice, lattice, sizeof lattice);
    memcpy(cell->primitive.name, s->name, sizeof s->name);
    for (int i = 0; i < n_prim; i++) {
        cell->primitive.species[i] = order[i].species;
        row_times(pos[order[i].index], w_inv, cell->primitive.frac[i]);
        for (int k = 0; k < 3; k++) cell->primitive.frac[i][k] = lc_wrap_unit(cell->primitive.frac[i][k]);
    }
    free(order);
    free(pos);
    free(pos_species);
    free(t);
    free(perm);
    free(frac);
    return 0;
}

/* ---- Lattice correspondences ------------------------------------------------------------------------------- */

typedef struct {
    int t[3][3];          /* rows: a_i ~ sum_j t[i][j] b_j */
    double length_misfit; /* relative */
    double angle_misfit;  /* degrees */
    int mirror;
    int distance;         /* sum |t - identity|: near-identity changes are tried first */
} correspondence;

static int compare_correspondence(const void *x, const void *y) {
    const correspondence *a = x, *b = y;
    return (a->distance > b->distance) - (a->distance < b->distance);
}

typedef struct {
    int n[3];
    double v[3];
    double length;
} lattice_vector;

typedef struct {
    lattice_vector *v;
    int count, capacity;
} vector_list;

static void vector_list_push(vector_list *list, const lattice_vector *v) {
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? 2 * list->capacity : 16;
        list->v = lc_realloc(list->v, sizeof *list->v * (size_t)list->capacity);
    }
    list->v[list->count++] = *v;
}

/* Every integer T with |det T| = 1 such that the rows of T lb have the lengths and angles of la within the
 * tolerances, sorted nearest-identity first. Enumerating lattice vectors of lb by length finds all of them,
 * whatever the orientation of either cell. Returns the count (*out to be freed). */
static int find_correspondences(const double la[3][3], const double lb[3][3], const lc_match_options *o,
                                correspondence **out) {
    double len_a[3], angle_a[3], rmax = 0;
    for (int i = 0; i < 3; i++) {
        len_a[i] = sqrt(dot3(la[i], la[i]));
        if (len_a[i] > rmax) rmax = len_a[i];
    }
    angle_a[0] = angle_deg(la[1], la[2]);
    angle_a[1] = angle_deg(la[0], la[2]);
    angle_a[2] = angle_deg(la[0], la[1]);
    rmax *= 1 + o->length_tolerance + 1e-12;
    /* Slack of rounding, so a zero tolerance still accepts an exact copy. */
    double length_slack = 1e-12, angle_slack = 1e-8;
    double angle_tol = o->loose ? o->angle_tolerance : o->angle_tolerance + angle_slack;
    int sign_a = lc_lattice_volume(la) > 0 ? 1 : -1, sign_b = lc_lattice_volume(lb) > 0 ? 1 : -1;

    double recip_len[3];
    reciprocal_lengths(lb, recip_len);
    int bound[3];
    double box = 1;
    for (int k = 0; k < 3; k++) {
        bound[k] = (int)floor(rmax * recip_len[k] + 1e-9);
        box *= 2.0 * bound[k] + 1;
    }
    *out = NULL;
    if (box > 1e6) return 0; /* cells of very different shape: the volume check has usually caught it */

    vector_list cand[3] = {{0}};
    for (int n0 = -bound[0]; n0 <= bound[0]; n0++)
        for (int n1 = -bound[1]; n1 <= bound[1]; n1++)
            for (int n2 = -bound[2]; n2 <= bound[2]; n2++) {
                if (!n0 && !n1 && !n2) continue;
                lattice_vector v = {.n = {n0, n1, n2}};
                for (int c = 0; c < 3; c++) v.v[c] = n0 * lb[0][c] + n1 * lb[1][c] + n2 * lb[2][c];
                v.length = sqrt(dot3(v.v, v.v));
                for (int i = 0; i < 3; i++) {
                    double r = v.length / len_a[i];
                    /* loose: pymatgen's ratio window, open at both ends */
                    if (o->loose ? r < 1 + o->length_tolerance && r * (1 + o->length_tolerance) > 1
                                 : fabs(v.length - len_a[i]) <= (o->length_tolerance + length_slack) * len_a[i])
                        vector_list_push(&cand[i], &v);
                }
            }

    int count = 0, capacity = 0;
    correspondence *list = NULL;
    for (int i0 = 0; i0 < cand[0].count; i0++) {
        const lattice_vector *v0 = &cand[0].v[i0];
        for (int i1 = 0; i1 < cand[1].count; i1++) {
            const lattice_vector *v1 = &cand[1].v[i1];
            double gamma = fabs(angle_deg(v0->v, v1->v) - angle_a[2]);
            if (gamma > angle_tol || (o->loose && gamma == angle_tol)) continue;
            for (int i2 = 0; i2 < cand[2].count; i2++) {
                const lattice_vector *v2 = &cand[2].v[i2];
                double alpha = fabs(angle_deg(v1->v, v2->v) - angle_a[0]);
                double beta = fabs(angle_deg(v0->v, v2->v) - angle_a[1]);
                if (alpha > angle_tol || beta > angle_tol || (o->loose && fmax(alpha, beta) == angle_tol)) continue;
                correspondence c = {.t = {{v0->n[0], v0->n[1], v0->n[2]},
                                          {v1->n[0], v1->n[1], v1->n[2]},
                                          {v2->n[0], v2->n[1], v2->n[2]}}};
                int det = int_det((const int(*)[3])c.t);
                if (det != 1 && det != -1) continue;
                /* The basis T lb has the handedness det * sign_b; against la's it says whether a is b's mirror. */
                c.mirror = det * sign_b != sign_a;
                if (c.mirror && !o->allow_mirror) continue;
                c.length_misfit = 0;
                const lattice_vector *v[3] = {v0, v1, v2};
                for (int k = 0; k < 3; k++) {
                    double misfit = fabs(v[k]->length - len_a[k]) / len_a[k];
                    if (misfit > c.length_misfit) c.length_misfit = misfit;
                }
                c.angle_misfit = fmax(gamma, fmax(alpha, beta));
                for (int r = 0; r < 3; r++)
                    for (int k = 0; k < 3; k++) c.distance += abs(c.t[r][k] - (r == k));
                if (count == capacity) {
                    capacity = capacity ? 2 * capacity : 16;
                    list = lc_realloc(list, sizeof *list * (size_t)capacity);
                }
                list[count++] = c;
            }
        }
    }
    for (int i = 0; i < 3; i++) free(cand[i].v);
    if (count > 1) qsort(list, (size_t)count, sizeof *list, compare_correspondence);
    *out = list;
    return count;
}

/* ---- Origin shifts ----------------------------------------------------------------------------------------- */

/* Tries the origin shifts that put query atom anchors[c] on grid atom `anchor`. A shift is kept when every
 * atom pairs within 2 * tol (which the best shift guarantees, the anchor pair being off by tol at most) and,
 * after moving to the least-squares shift, within tol. Returns 1 with that shift (fractional in l). */
static int search_shifts(const site_grid *g, const double l[3][3], const double (*q)[3], const int *qz, int n,
                         int anchor, const int *anchors, int n_anchors, double tol, pairing *w, double shift[3],
                         double *max, double *rms) {
    double recip[3][3], recip_len[3];
    lc_lattice_reciprocal(l, recip);
    reciprocal_lengths(l, recip_len);
    for (int c = 0; c < n_anchors; c++) {
        int j = anchors[c];
        double s[3];
        for (int k = 0; k < 3; k++) s[k] = g->frac[anchor][k] - q[j][k];
        if (!pair_all(g, l, recip_len, q, qz, n, s, 2 * tol, w)) continue;
        double mean[3], mean_frac[3];
        displacement_stats((const double(*)[3])w->disp, n, mean, max, rms);
        if (*max > tol * (1 + 1e-12)) continue;
        lc_cart_to_frac(recip, mean, mean_frac);
        for (int k = 0; k < 3; k++) shift[k] = s[k] + mean_frac[k];
        return 1;
    }
    return 0;
}

/* Lattice in which displacements are measured: the mean of the two metrics, so neither cell is favoured. */
static int mean_lattice(const double la[3][3], const double lb_mapped_metric[3][3], double l[3][3]) {
    double ga[3][3], g[3][3];
    metric_of(la, ga);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) g[i][j] = 0.5 * (ga[i][j] + lb_mapped_metric[i][j]);
    return lattice_from_metric(g, l);
}

/* ---- Loose mode: pymatgen's StructureMatcher ---------------------------------------------------------------- */

/* Optimal assignment (Hungarian, shortest augmenting paths with potentials, O(n^3)): row i gets column
 * col_of[i], least total cost[i * n + j]. */
static void assign_min_cost(const double *cost, int n, int *col_of) {
    double *u = lc_calloc((size_t)n + 1, sizeof *u), *v = lc_calloc((size_t)n + 1, sizeof *v);
    double *min_to = lc_malloc(sizeof *min_to * ((size_t)n + 1));
    int *row_of = lc_calloc((size_t)n + 1, sizeof *row_of), *way = lc_calloc((size_t)n + 1, sizeof *way);
    char *used = lc_malloc((size_t)n + 1);
    for (int i = 1; i <= n; i++) {
        row_of[0] = i;
        int j0 = 0;
        for (int j = 0; j <= n; j++) min_to[j] = INFINITY, used[j] = 0;
        do {
            used[j0] = 1;
            int i0 = row_of[j0], j1 = 0;
            double delta = INFINITY;
            for (int j = 1; j <= n; j++) {
                if (used[j]) continue;
                double c = cost[(size_t)(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
                if (c < min_to[j]) min_to[j] = c, way[j] = j0;
                if (min_to[j] < delta) delta = min_to[j], j1 = j;
            }
            for (int j = 0; j <= n; j++) {
                if (used[j]) u[row_of[j]] += delta, v[j] -= delta;
                else min_to[j] -= delta;
            }
            j0 = j1;
        } while (row_of[j0] != 0);
        do {
            int j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
        } while (j0);
    }
    for (int j = 1; j <= n; j++) col_of[row_of[j] - 1] = j - 1;
    free(u), free(v), free(min_to), free(row_of), free(way), free(used);
}

static void lattice_params_array(const double l[3][3], double p[6]) {
    lc_cell_parameters c = lc_lattice_to_parameters(l);
    p[0] = c.a, p[1] = c.b, p[2] = c.c, p[3] = c.alpha, p[4] = c.beta, p[5] = c.gamma;
}

/* Cost of a pair outside the box: far above any real squared distance, small enough for the potentials. */
static const double excluded_pair = 1e9;

/* Whether any shift can match, a necessary condition checked before the assignments (which cost O(n^3) per
 * shift): a match has a translation c with every atom of a within s = stol / norm of its partner, so the shift
 * putting a's atom `first` exactly on its partner (some atom j of b) leaves every atom of a within 2 s of an atom
 * of b of its species. Distances are minimal-image ones, which rounding the fractional difference gives while
 * reach_frac < 1/2 on every axis (a vector shorter than 2 s has fractional components below reach_frac). Returns
 * 1 when the test cannot be applied (a reach of half the cell or more). A plain double loop: a cell list over b
 * (grid_nearest) was slower on these 6-100-atom cells. */
static int any_shift_possible(const double (*fa)[3], const int *za, const double (*q)[3], const int *zb, int n,
                              int first, const double avg[3][3], const double reach_frac[3], double reach) {
    for (int k = 0; k < 3; k++)
        if (reach_frac[k] >= 0.5) return 1;
    double reach2 = reach * reach * (1 + 1e-9);
    for (int anchor = 0; anchor < n; anchor++) {
        if (zb[anchor] != za[first]) continue;
        double t[3] = {q[anchor][0] - fa[first][0], q[anchor][1] - fa[first][1], q[anchor][2] - fa[first][2]};
        int covered = 1;
        for (int i = 0; i < n && covered; i++) {
            double p[3] = {fa[i][0] + t[0], fa[i][1] + t[1], fa[i][2] + t[2]};
            covered = 0;
            for (int j = 0; j < n && !covered; j++) {
                if (zb[j] != za[i]) continue;
                double d[3], v[3];
                int inside = 1;
                for (int k = 0; k < 3 && inside; k++) {
                    d[k] = q[j][k] - p[k];
                    d[k] -= round_to_integer(d[k]);
                    inside = fabs(d[k]) < reach_frac[k];
                }
                if (!inside) continue;
                lc_frac_to_cart(avg, d, v);
                covered = dot3(v, v) < reach2;
            }
        }
        if (covered) return 1;
    }
    return 0;
}

/* One correspondence: a's atoms fa, b's atoms q (both fractional in a's basis), avg the mean cell. Returns 1 when
 * some shift matches, with the largest and rms displacement (Angstrom) and the shift (fractional). */
static int loose_shifts(const double (*fa)[3], const int *za, const double (*q)[3], const int *zb, int n, int first,
                        const double avg[3][3], const lc_match_options *o, double shift[3], double *max,
                        double *rms) {
    double recip_len[3], reduced[3][3], reduced_recip_len[3], to_reduced[3][3];
    int t_int[3][3], t_inv[3][3];
    reciprocal_lengths(avg, recip_len);
    lc_lattice_reduce(avg, reduced, t_int);
    reciprocal_lengths(reduced, reduced_recip_len);
    int_inverse_unimodular(t_int, t_inv);
    int_to_double(t_inv, to_reduced); /* f avg = f t^-1 reduced */
    double norm = cbrt(n / fabs(lc_lattice_volume(avg))), stol = o->site_tolerance;
    double box[3], reduced_box[3];
    /* pymatgen's stol / (pi norm) times its reciprocal lengths, which carry 2 pi: 2 stol / norm along b*_k */
    for (int k = 0; k < 3; k++) {
        box[k] = 2 * recip_len[k] * stol / norm;
        reduced_box[k] = 2 * reduced_recip_len[k] * stol / norm;
    }
    /* box is 2 s along each reciprocal axis: the 2 s ball's projection */
    if (!any_shift_possible(fa, za, q, zb, n, first, avg, box, 2 * stol / norm)) return 0;
    double(*moved)[3] = lc_malloc(sizeof *moved * (size_t)n), (*qr)[3] = lc_malloc(sizeof *qr * (size_t)n);
    double(*vec)[3] = lc_malloc(sizeof *vec * (size_t)n * (size_t)n);
    double *cost = lc_malloc(sizeof *cost * (size_t)n * (size_t)n);
    int *col_of = lc_malloc(sizeof *col_of * (size_t)n), found = 0;
    for (int j = 0; j < n; j++) row_times(q[j], to_reduced, qr[j]);
    for (int anchor = 0; anchor < n && !found; anchor++) {
        if (zb[anchor] != za[first]) continue;
        double t[3];
        for (int k = 0; k < 3; k++) t[k] = q[anchor][k] - fa[first][k];
        /* pymatgen's _cmp_fstruct: each (shifted) atom of a has an atom of b in its box, not yet a pairing */
        int covered = 1;
        for (int i = 0; i < n && covered; i++) {
            for (int k = 0; k < 3; k++) moved[i][k] = fa[i][k] + t[k];
            covered = 0;
            for (int j = 0; j < n && !covered; j++) {
                if (zb[j] != za[i]) continue;
                int inside = 1;
                for (int k = 0; k < 3 && inside; k++) {
                    double d = q[j][k] - moved[i][k];
                    inside = fabs(d - round_to_integer(d)) < box[k];
                }
                covered = inside;
            }
        }
        if (!covered) continue;
        /* squared distances on the reduced mean cell, nearest of the 27 images; pairs outside the box excluded */
        for (int i = 0; i < n; i++) {
            double mr[3];
            row_times(moved[i], to_reduced, mr);
            for (int j = 0; j < n; j++) {
                double *c = &cost[(size_t)i * n + j], d[3];
                *c = excluded_pair;
                if (zb[j] != za[i]) continue;
                int inside = 1;
                for (int k = 0; k < 3; k++) {
                    d[k] = qr[j][k] - mr[k];
                    d[k] -= round_to_integer(d[k]);
                    inside = inside && fabs(d[k]) < reduced_box[k];
                }
                if (!inside) continue;
                for (int image = 0; image < 27; image++) {
                    double f[3] = {d[0] + image % 3 - 1, d[1] + image / 3 % 3 - 1, d[2] + image / 9 - 1}, v[3];
                    lc_frac_to_cart(reduced, f, v);
                    if (dot3(v, v) < *c) *c = dot3(v, v), memcpy(vec[(size_t)i * n + j], v, sizeof v);
                }
            }
        }
        assign_min_cost(cost, n, col_of);
        double mean[3] = {0, 0, 0}, largest = 0, sum2 = 0;
        int complete = 1;
        for (int i = 0; i < n; i++) {
            complete = complete && cost[(size_t)i * n + col_of[i]] < excluded_pair;
            for (int k = 0; k < 3; k++) mean[k] += vec[(size_t)i * n + col_of[i]][k] / n;
        }
        if (!complete) continue;
        for (int i = 0; i < n; i++) {
            const double *v = vec[(size_t)i * n + col_of[i]];
            double d[3] = {v[0] - mean[0], v[1] - mean[1], v[2] - mean[2]};
            largest = fmax(largest, dot3(d, d));
            sum2 += dot3(d, d);
        }
        if (sqrt(largest) * norm >= stol) continue;
        found = 1;
        *max = sqrt(largest);
        *rms = sqrt(sum2 / n);
        double recip[3][3], mean_frac[3];
        lc_lattice_reciprocal(avg, recip);
        lc_cart_to_frac(recip, mean, mean_frac);
        /* b's atom at f sits at f - t - mean in a's cell */
        for (int k = 0; k < 3; k++) shift[k] = -(t[k] + mean_frac[k]);
    }
    free(moved), free(qr), free(vec), free(cost), free(col_of);
    return found;
}

/* The result of a match found with correspondence c, lattice change t (double) and shift in a's primitive cell:
 * a = Qa^-1 T Qb b (Q = to_input); f_a = f_b M^-1 + s Qa. */
static void fill_result(lc_match_result *result, const lc_match_cell *a, const lc_match_cell *b,
                        const correspondence *c, const double t[3][3], const double shift[3], double max,
                        double rms) {
    double qa_inv[3][3], m[3][3];
    mat_inverse(a->to_input, qa_inv);
    mat_mul(qa_inv, t, m);
    mat_mul(m, b->to_input, result->transformation);
    row_times(shift, a->to_input, result->origin_shift);
    for (int k = 0; k < 3; k++) result->origin_shift[k] = lc_wrap_unit(result->origin_shift[k]);
    result->mirror = c->mirror;
    result->max_displacement = max;
    result->rms_displacement = rms;
    result->length_misfit = c->length_misfit;
    result->angle_misfit = c->angle_misfit;
}

static int match_cells_loose(const lc_match_cell *a, const lc_match_cell *b, const lc_match_options *o,
                             lc_match_result *result) {
    const lc_structure *pa = &a->primitive, *pb = &b->primitive;
    int n = pa->n_atoms;
    double la[3][3], lb[3][3];
    memcpy(la, pa->lattice, sizeof la);
    memcpy(lb, pb->lattice, sizeof lb);
    if (o->scale) {
        /* both to the geometric mean of the volumes, as pymatgen does */
        double ratio = pow(fabs(lc_lattice_volume(la)) / fabs(lc_lattice_volume(lb)), 1.0 / 6);
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 3; k++) lb[i][k] *= ratio, la[i][k] /= ratio;
    }
    correspondence *c;
    int n_c = find_correspondences(la, lb, o, &c), found = 0;
    int rarest = rarest_species(pa->species, n, NULL, NULL), first = 0;
    while (pa->species[first] != rarest) first++;
    double(*q)[3] = lc_malloc(sizeof *q * (size_t)n), (*fa)[3] = lc_malloc(sizeof *fa * (size_t)n);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) fa[i][k] = lc_wrap_unit(pa->frac[i][k]);
    for (int ci = 0; ci < n_c && !found; ci++) {
        int t_inv[3][3];
        double t[3][3], t_inv_d[3][3], mapped[3][3], pa_params[6], pm_params[6], avg[3][3];
        int_inverse_unimodular((const int(*)[3])c[ci].t, t_inv);
        int_to_double(t_inv, t_inv_d);
        int_to_double((const int(*)[3])c[ci].t, t);
        for (int j = 0; j < n; j++) {
            row_times(pb->frac[j], t_inv_d, q[j]);
            for (int k = 0; k < 3; k++) q[j][k] = lc_wrap_unit(q[j][k]);
        }
        /* the mean cell averages parameters (pymatgen's av_lat), not metrics */
        mat_mul(t, lb, mapped);
        lattice_params_array(la, pa_params);
        lattice_params_array(mapped, pm_params);
        lc_cell_parameters mean = {0.5 * (pa_params[0] + pm_params[0]), 0.5 * (pa_params[1] + pm_params[1]),
                                   0.5 * (pa_params[2] + pm_params[2]), 0.5 * (pa_params[3] + pm_params[3]),
                                   0.5 * (pa_params[4] + pm_params[4]), 0.5 * (pa_params[5] + pm_params[5])};
        if (lc_lattice_from_parameters(&mean, avg) != 0) continue;
        double shift[3], max, rms;
        if (!loose_shifts((const double(*)[3])fa, pa->species, (const double(*)[3])q, pb->species, n, first, avg, o,
                          shift, &max, &rms))
            continue;
        found = 1;
        if (result) fill_result(result, a, b, &c[ci], (const double(*)[3])t, shift, max, rms);
    }
    free(q), free(fa), free(c);
    return found;
}

int lc_match_cells(const lc_match_cell *a, const lc_match_cell *b, const lc_match_options *opt,
                   lc_match_result *result) {
    lc_match_options o = resolve_options(opt);
    const lc_structure *pa = &a->primitive, *pb = &b->primitive;
    int n = pa->n_atoms;
    if (n <= 0 || n != pb->n_atoms) return 0;
    if (memcmp(pa->species, pb->species, sizeof *pa->species * (size_t)n) != 0) return 0;
    if (o.loose) {
        /* pymatgen's fit(a, b) maps a's lattice onto b's and anchors on b: the roles swapped, result inverted */
        lc_match_result r;
        if (!match_cells_loose(b, a, &o, &r)) return 0;
        if (result) {
            *result = r;
            mat_inverse(r.transformation, result->transformation);
            row_times(r.origin_shift, r.transformation, result->origin_shift);
            for (int k = 0; k < 3; k++) result->origin_shift[k] = lc_wrap_unit(-result->origin_shift[k]);
        }
        return 1;
    }

    /* Volumes of matching cells differ by at most the length factor and the angle term: for a reduced cell,
     * |d ln V / d angle| <= 1.5 per angle; twice that bound leaves room for second-order terms. */
    double va = fabs(lc_lattice_volume(pa->lattice)), vb = fabs(lc_lattice_volume(pb->lattice));
    double lt = o.length_tolerance, allowed = 2 * (pow(1 + lt, 3) - 1 + 4.5 * o.angle_tolerance * deg_to_rad);
    if (fabs(va - vb) > (allowed + 1e-9) * fmax(va, vb)) return 0;

    correspondence *c;
    int n_c = find_correspondences(pa->lattice, pb->lattice, &o, &c);
    if (n_c == 0) {
        free(c);
        return 0;
    }

    /* Anchor on the rarest species: fewest shifts to try. Both cells list atoms sorted by species. */
    int rarest = rarest_species(pa->species, n, NULL, NULL), first = 0, n_anchors = 0;
    while (pa->species[first] != rarest) first++;
    while (first + n_anchors < n && pa->species[first + n_anchors] == rarest) n_anchors++;
    int *anchors = lc_malloc(sizeof *anchors * (size_t)n_anchors);
    for (int k = 0; k < n_anchors; k++) anchors[k] = first + k;

    site_grid g;
    grid_build(&g, (const double(*)[3])pa->frac, pa->species, n, pa->lattice);
    pairing w;
    pairing_init(&w, n);
    double(*q)[3] = lc_malloc(sizeof *q * (size_t)n);
    double gb[3][3];
    metric_of(pb->lattice, gb);
    int found = 0;
    for (int ci = 0; ci < n_c && !found; ci++) {
        /* b's atoms in the basis T lb: f' = f T^-1. */
        int t_inv[3][3];
        double t[3][3], t_inv_d[3][3], l[3][3], mapped[3][3], t_gb[3][3];
        int_inverse_unimodular((const int(*)[3])c[ci].t, t_inv);
        int_to_double(t_inv, t_inv_d);
        int_to_double((const int(*)[3])c[ci].t, t);
        for (int j = 0; j < n; j++) row_times(pb->frac[j], t_inv_d, q[j]);
        mat_mul(t, gb, t_gb);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) mapped[i][j] = dot3(t_gb[i], t[j]);
        if (mean_lattice(pa->lattice, mapped, l) != 0) continue;
        double shift[3], max, rms;
        if (!search_shifts(&g, l, (const double(*)[3])q, pb->species, n, first, anchors, n_anchors,
                           o.site_tolerance, &w, shift, &max, &rms))
            continue;
        found = 1;
        if (result) fill_result(result, a, b, &c[ci], (const double(*)[3])t, shift, max, rms);
    }
    free(q);
    pairing_free(&w);
    grid_free(&g);
    free(anchors);
    free(c);
    return found;
}

/* ---- Whole structures -------------------------------------------------------------------------------------- */

/* Fast path: the two input cells already correspond (same atom count, same metric with T = identity), as for
 * a copy with shifted origin or permuted atoms. Skips the primitive-cell search. */
static int match_same_cell(const lc_structure *a, const lc_structure *b, const lc_match_options *o,
                           lc_match_result *result) {
    int n = a->n_atoms;
    double len_a[3], len_b[3], length_misfit = 0, angle_misfit = 0;
    for (int i = 0; i < 3; i++) {
        len_a[i] = sqrt(dot3(a->lattice[i], a->lattice[i]));
        len_b[i] = sqrt(dot3(b->lattice[i], b->lattice[i]));
        length_misfit = fmax(length_misfit, fabs(len_b[i] - len_a[i]) / len_a[i]);
        int j = (i + 1) % 3, k = (i + 2) % 3;
        angle_misfit = fmax(angle_misfit, fabs(angle_deg(a->lattice[j], a->lattice[k]) -
                                               angle_deg(b->lattice[j], b->lattice[k])));
    }
    if (length_misfit > o->length_tolerance + 1e-12 || angle_misfit > o->angle_tolerance + 1e-8) return 0;
    int mirror = (lc_lattice_volume(a->lattice) > 0) != (lc_lattice_volume(b->lattice) > 0);
    if (mirror && !o->allow_mirror) return 0;

    double gb[3][3], l[3][3], recip_len[3];
    metric_of(b->lattice, gb);
    if (mean_lattice(a->lattice, gb, l) != 0) return 0;
    reciprocal_lengths(l, recip_len);
    for (int k = 0; k < 3; k++)
        if (2 * o->site_tolerance * recip_len[k] >= 0.5) return 0; /* too thin for nearest image by rounding */

    double(*fa)[3] = lc_malloc(sizeof *fa * (size_t)n);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) fa[i][k] = lc_wrap_unit(a->frac[i][k]);
    int rarest = rarest_species(a->species, n, NULL, NULL), anchor = 0, n_anchors = 0;
    while (a->species[anchor] != rarest) anchor++;
    int *anchors = lc_malloc(sizeof *anchors * (size_t)n);
    for (int j = 0; j < n; j++)
        if (b->species[j] == rarest) anchors[n_anchors++] = j;

    site_grid g;
    grid_build(&g, (const double(*)[3])fa, a->species, n, a->lattice);
    pairing w;
    pairing_init(&w, n);
    double shift[3], max, rms;
    int found = search_shifts(&g, l, (const double(*)[3])b->frac, b->species, n, anchor, anchors, n_anchors,
                              o->site_tolerance, &w, shift, &max, &rms);
    if (found && result) {
        memcpy(result->transformation, (double[3][3]){{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
               sizeof result->transformation);
        for (int k = 0; k < 3; k++) result->origin_shift[k] = lc_wrap_unit(shift[k]);
        result->mirror = mirror;
        result->max_displacement = max;
        result->rms_displacement = rms;
        result->length_misfit = length_misfit;
        result->angle_misfit = angle_misfit;
    }
    pairing_free(&w);
    grid_free(&g);
    free(anchors);
    free(fa);
    return found;
}

int lc_structure_match(const lc_structure *a, const lc_structure *b, const lc_match_options *opt,
                       lc_match_result *result) {
    lc_match_options o = resolve_options(opt);
    if (a->n_atoms <= 0 || b->n_atoms <= 0) return 0;
    if (!lattice_usable(a->lattice) || !lattice_usable(b->lattice)) return 0;
    if (!coordinates_finite(a) || !coordinates_finite(b)) return 0;
    if (!same_composition(a, b)) return 0;
    /* loose mode always compares primitive cells, as pymatgen does */
    if (!o.loose && a->n_atoms == b->n_atoms && match_same_cell(a, b, &o, result)) return 1;

    lc_match_cell ca, cb;
    if (lc_match_cell_init(&ca, a, &o) != 0) return 0;
    if (lc_match_cell_init(&cb, b, &o) != 0) {
        lc_match_cell_free(&ca);
        return 0;
    }
    int found = lc_match_cells(&ca, &cb, &o, result);
    lc_match_cell_free(&ca);
    lc_match_cell_free(&cb);
    return found;
}
