#include "so3.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* PI is not C11. */
static const double PI = 3.14159265358979323846;

/* PyXtal skips neighbours closer than this (coincident atoms have no direction). */
static const double MIN_PAIR_DISTANCE = 1e-2;

lc_so3_options lc_so3_default_options(void) {
    lc_so3_options o = {.nmax = 2, .lmax = 4, .alpha = 1.5, .rcut = 2.0, .weight = LC_SO3_WEIGHT_SIGNED_Z,
                        .table_intervals = 1024};
    return o;
}

static void radial_eval(const lc_so3_plan *plan, double r, double *a, double *da);

/* ---- plan ---------------------------------------------------------------------------------------------------- */

/* Eigen-decomposition of a symmetric n x n matrix (row-major) by cyclic Jacobi rotations: a -> diagonal of
 * eigenvalues, v -> eigenvectors as columns. Accurate for the small, ill-conditioned overlap matrix. */
static void jacobi_eigen(int n, double *a, double *v) {
    for (int i = 0; i < n * n; i++) v[i] = (i / n == i % n);
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0, diag = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) *(i == j ? &diag : &off) += a[i * n + j] * a[i * n + j];
        if (off <= 1e-30 * diag) return;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) {
                double apq = a[p * n + q];
                if (apq == 0) continue;
                double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < n; k++) { /* columns p, q */
                    double akp = a[k * n + p], akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++) { /* rows p, q */
                    double apk = a[p * n + k], aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for (int k = 0; k < n; k++) {
                    double vkp = v[k * n + p], vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
    }
}

/* W = S^(-1/2) for the overlap S of the normalised phi_a(x) = (rcut - x)^(a+2) / N_a, a = 1..nmax, so that
 * g_n = sum_a W[n][a] phi_a are orthonormal on [0, rcut] (PyXtal's W; the inverse square root is unique). */
static void radial_orthonormaliser(int nmax, double *w) {
    double s[LC_SO3_MAX_NMAX * LC_SO3_MAX_NMAX], v[LC_SO3_MAX_NMAX * LC_SO3_MAX_NMAX];
    for (int a = 1; a <= nmax; a++)
        for (int b = 1; b <= nmax; b++) {
            double ta = (2 * a + 5) * (2 * a + 6) * (2 * a + 7), tb = (2 * b + 5) * (2 * b + 6) * (2 * b + 7);
            s[(a - 1) * nmax + b - 1] = sqrt(ta * tb) / ((5.0 + a + b) * (6.0 + a + b) * (7.0 + a + b));
        }
    jacobi_eigen(nmax, s, v);
    for (int i = 0; i < nmax; i++)
        for (int j = 0; j < nmax; j++) {
            double sum = 0;
            for (int k = 0; k < nmax; k++) sum += v[i * nmax + k] * v[j * nmax + k] / sqrt(s[k * nmax + k]);
            w[i * nmax + j] = sum;
        }
}

int lc_so3_init(lc_so3_plan *plan, const lc_so3_options *options, lc_error *err) {
    memset(plan, 0, sizeof *plan);
    const lc_so3_options o = *options;
    if (o.nmax < 1 || o.nmax > LC_SO3_MAX_NMAX)
        return lc_error_set(err, "so3", 0, "nmax %d is outside 1..%d", o.nmax, LC_SO3_MAX_NMAX);
    if (o.lmax < 0 || o.lmax > LC_SO3_MAX_LMAX)
        return lc_error_set(err, "so3", 0, "lmax %d is outside 0..%d", o.lmax, LC_SO3_MAX_LMAX);
    if (!(o.alpha > 0) || !isfinite(o.alpha)) return lc_error_set(err, "so3", 0, "alpha %g is not positive", o.alpha);
    if (!(o.rcut > 0) || !isfinite(o.rcut)) return lc_error_set(err, "so3", 0, "rcut %g is not positive", o.rcut);
    if (o.weight != LC_SO3_WEIGHT_SIGNED_Z && o.weight != LC_SO3_WEIGHT_Z)
        return lc_error_set(err, "so3", 0, "unknown weight mode %d", (int)o.weight);
    if (o.table_intervals < 0 || o.table_intervals > (1 << 20))
        return lc_error_set(err, "so3", 0, "table_intervals %d is outside 0..%d", o.table_intervals, 1 << 20);
    /* i_l(z) ~ e^z / 2z: beyond this the series overflows long before the descriptor means anything. */
    if (2 * o.alpha * o.rcut * o.rcut > 600)
        return lc_error_set(err, "so3", 0, "2 alpha rcut^2 = %g is too large (at most 600)", 2 * o.alpha * o.rcut * o.rcut);

    plan->options = o;
    const int nmax = o.nmax, lmax = o.lmax;
    plan->n_components = nmax * (nmax + 1) / 2 * (lmax + 1);
    for (int l = 0; l <= lmax; l++) plan->norm[l] = sqrt(2 * sqrt(2.0) * PI / sqrt(2.0 * l + 1));

    /* Radial quadrature exactly as PyXtal (the descriptor values depend on it at the 1e-4 level). */
    const int nq = 10 * (nmax + lmax + 1);
    plan->n_quad = nq;
    plan->quad_x = lc_malloc((size_t)nq * sizeof *plan->quad_x);
    plan->radial = lc_malloc((size_t)nmax * nq * sizeof *plan->radial);
    plan->radial_d = lc_malloc((size_t)nmax * nq * sizeof *plan->radial_d);
    double w[LC_SO3_MAX_NMAX * LC_SO3_MAX_NMAX];
    radial_orthonormaliser(nmax, w);
    const double rc = o.rcut, weight = PI / nq * rc / 2;
    for (int q = 0; q < nq; q++) {
        double u = cos((2.0 * (q + 1) - 1) * PI / 2 / nq);
        double x = rc / 2 * (u + 1);
        plan->quad_x[q] = x;
        double common = weight * x * x * exp(-o.alpha * x * x) * sqrt(1 - u * u);
        for (int n = 0; n < nmax; n++) {
            double g = 0;
            for (int a = 1; a <= nmax; a++) {
                double norm_a = sqrt(2 * pow(rc, 2 * a + 7) / (2 * a + 5) / (2 * a + 6) / (2 * a + 7));
                g += w[n * nmax + a - 1] * pow(rc - x, a + 2) / norm_a;
            }
            plan->radial[n * nq + q] = g * common;
            plan->radial_d[n * nq + q] = g * common * 2 * o.alpha * x;
        }
    }

    /* i_l(z) = z^l sum_k z^(2k) / (2^k k! (2l + 2k + 1)!!): positive terms, so no cancellation at any z. Enough
     * terms that the tail is below 1e-17 of the sum at the largest argument, z = 2 alpha rcut^2. */
    const double z2max = pow(2 * o.alpha * rc * rc, 2);
    int terms = 1;
    {
        double term = 1, sum = 1;
        for (int k = 0; k < 2000; k++) {
            term *= z2max / (2.0 * (k + 1) * (2.0 * lmax + 2 * k + 3));
            sum += term;
            terms = k + 2;
            if (term < 1e-18 * sum && 2.0 * (k + 1) * (2.0 * lmax + 2 * k + 3) > 2 * z2max) break;
        }
    }
    plan->n_series = terms;
    plan->series = lc_malloc(2 * (size_t)terms * sizeof *plan->series);
    for (int t = 0; t < 2; t++) {
        int l = lmax + t;
        double a = 1;
        for (int k = 1; k <= 2 * l + 1; k += 2) a /= k;
        for (int k = 0; k < terms; k++) {
            plan->series[t * terms + k] = a;
            a /= 2.0 * (k + 1) * (2.0 * l + 2 * k + 3);
        }
    }

    /* Real harmonics Y_lm = ylm_norm * Q_l^|m|(z, r^2) * (Re or Im of (x + i y)^|m|), Q_m^m = 1 (see ylm_eval). */
    plan->ylm_norm = lc_malloc((size_t)(lmax + 1) * (lmax + 1) * sizeof *plan->ylm_norm);
    for (int l = 0; l <= lmax; l++)
        for (int m = 0; m <= l; m++) {
            double ratio = 1; /* (l - m)! / (l + m)! */
            for (int k = l - m + 1; k <= l + m; k++) ratio /= k;
            double dfact = 1; /* (2m - 1)!! */
            for (int k = 1; k <= 2 * m - 1; k += 2) dfact *= k;
            double nlm = sqrt((2 * l + 1) / (4 * PI) * ratio * (m ? 2 : 1)) * dfact;
            plan->ylm_norm[l * l + l + m] = nlm;
            plan->ylm_norm[l * l + l - m] = nlm;
        }

    /* Radial table from the exact factors (r = 0 has i_l = 0 for l > 0 and a finite limit: evaluate just above) */
    if (o.table_intervals > 0) {
        const int nnl = nmax * (lmax + 1), ni = o.table_intervals;
        plan->table_step = rc / ni;
        plan->table = lc_malloc((size_t)(ni + 1) * 2 * nnl * sizeof *plan->table);
        for (int k = 0; k <= ni; k++) {
            double r = k == 0 ? 1e-9 * rc : k * plan->table_step;
            double *row = plan->table + (size_t)k * 2 * nnl;
            radial_eval(plan, r, row, row + nnl);
        }
    }
    return 0;
}

void lc_so3_free(lc_so3_plan *plan) {
    free(plan->quad_x);
    free(plan->radial);
    free(plan->radial_d);
    free(plan->series);
    free(plan->ylm_norm);
    free(plan->table);
    memset(plan, 0, sizeof *plan);
}

/* ---- per-pair pieces ----------------------------------------------------------------------------------------- */

/* Real spherical harmonics of the unit vector u, index l^2 + l + m, and (dy not NULL) the gradient of the
 * homogeneous polynomials r^l Y_lm at u, dy[idx][3]. Q_l^m(z, r^2) follows
 * (l - m) Q_l^m = (2l - 1) z Q_(l-1)^m - (l + m - 1) r^2 Q_(l-2)^m from Q_m^m = 1, differentiated alongside. */
static void ylm_eval(const lc_so3_plan *plan, const double u[3], double *y, double (*dy)[3]) {
    const int lmax = plan->options.lmax;
    const double x = u[0], yy = u[1], z = u[2];
    double cm[LC_SO3_MAX_LMAX + 1], sm[LC_SO3_MAX_LMAX + 1];
    cm[0] = 1;
    sm[0] = 0;
    for (int m = 1; m <= lmax; m++) {
        cm[m] = x * cm[m - 1] - yy * sm[m - 1];
        sm[m] = x * sm[m - 1] + yy * cm[m - 1];
    }
    for (int m = 0; m <= lmax; m++) {
        /* Q and its gradient for l = m, m + 1, ...; r^2 = 1 at u but its gradient 2u is kept */
        double q2 = 0, q1 = 0, g2[3] = {0, 0, 0}, g1[3] = {0, 0, 0};
        for (int l = m; l <= lmax; l++) {
            double q, g[3];
            if (l == m) {
                q = 1;
                g[0] = g[1] = g[2] = 0;
            } else {
                double a = (2.0 * l - 1) / (l - m), b = (double)(l + m - 1) / (l - m);
                q = a * z * q1 - b * q2;
                for (int c = 0; c < 3; c++) g[c] = a * z * g1[c] - b * (2 * u[c] * q2 + g2[c]);
                g[2] += a * q1;
            }
            const double nrm = plan->ylm_norm[l * l + l + m];
            y[l * l + l + m] = nrm * q * cm[m];
            if (m) y[l * l + l - m] = nrm * q * sm[m];
            if (dy) {
                /* d(x+iy)^m / dx = m (x+iy)^(m-1), d/dy = i m (x+iy)^(m-1) */
                double *d = dy[l * l + l + m];
                d[0] = nrm * (g[0] * cm[m] + (m ? q * m * cm[m - 1] : 0));
                d[1] = nrm * (g[1] * cm[m] - (m ? q * m * sm[m - 1] : 0));
                d[2] = nrm * g[2] * cm[m];
                if (m) {
                    double *e = dy[l * l + l - m];
                    e[0] = nrm * (g[0] * sm[m] + q * m * sm[m - 1]);
                    e[1] = nrm * (g[1] * sm[m] + q * m * cm[m - 1]);
                    e[2] = nrm * g[2] * sm[m];
                }
            }
            q2 = q1;
            q1 = q;
            memcpy(g2, g1, sizeof g2);
            memcpy(g1, g, sizeof g1);
        }
    }
}

/* Radial factors of one neighbour at distance r (without w_j):
 * a[n][l] = norm_l 4 pi exp(-alpha r^2) f(r) I_nl(r), and (da not NULL) its derivative in r. */
static void radial_eval(const lc_so3_plan *plan, double r, double *a, double *da) {
    enum { MAXQ = 10 * (LC_SO3_MAX_NMAX + LC_SO3_MAX_LMAX + 1), MAXL = LC_SO3_MAX_LMAX + 2 };
    const int nq = plan->n_quad, nmax = plan->options.nmax, lmax = plan->options.lmax, nt = plan->n_series;
    const double alpha = plan->options.alpha, rc = plan->options.rcut;
    double bes[MAXL][MAXQ]; /* i_l(2 alpha r x_q), l = 0 .. lmax + 1 */
    double zz[MAXQ], inv_z[MAXQ], zl[MAXQ];

    for (int q = 0; q < nq; q++) {
        double z = 2 * alpha * r * plan->quad_x[q];
        zz[q] = z * z;
        inv_z[q] = 1 / z;
    }
    /* the two highest degrees by their series (Horner over k, vectorised over q), the rest downwards:
     * i_(l-1) = i_(l+1) + (2l + 1) / z i_l, all terms positive, so stable */
    for (int t = 0; t < 2; t++) {
        const double *coef = plan->series + t * nt;
        double *b = bes[lmax + t];
        for (int q = 0; q < nq; q++) b[q] = coef[nt - 1];
        for (int k = nt - 2; k >= 0; k--)
            for (int q = 0; q < nq; q++) b[q] = b[q] * zz[q] + coef[k];
    }
    for (int q = 0; q < nq; q++) zl[q] = 1;
    for (int l = 0; l < lmax; l++)
        for (int q = 0; q < nq; q++) zl[q] *= 2 * alpha * r * plan->quad_x[q];
    for (int q = 0; q < nq; q++) {
        double z = 2 * alpha * r * plan->quad_x[q];
        bes[lmax][q] *= zl[q];
        bes[lmax + 1][q] *= zl[q] * z;
    }
    for (int l = lmax; l >= 1; l--)
        for (int q = 0; q < nq; q++) bes[l - 1][q] = bes[l + 1][q] + (2 * l + 1) * inv_z[q] * bes[l][q];

    const double e = 4 * PI * exp(-alpha * r * r);
    const double f = 0.5 * (cos(PI * r / rc) + 1), df = -0.5 * PI / rc * sin(PI * r / rc);
    const double ef = e * f, def = e * (df - 2 * alpha * r * f);
    for (int n = 0; n < nmax; n++) {
        const double *g = plan->radial + n * nq, *gd = plan->radial_d + n * nq;
        double integral[MAXL], integral_d[MAXL];
        for (int l = 0; l <= lmax + 1; l++) {
            double s = 0, sd = 0;
            for (int q = 0; q < nq; q++) {
                s += g[q] * bes[l][q];
                sd += gd[q] * bes[l][q];
            }
            integral[l] = s;
            integral_d[l] = sd;
        }
        for (int l = 0; l <= lmax; l++) {
            a[n * (lmax + 1) + l] = plan->norm[l] * ef * integral[l];
            if (da) {
                /* i_l' = (l i_(l-1) + (l + 1) i_(l+1)) / (2l + 1), i_0' = i_1 */
                double di = l == 0 ? integral_d[1]
                                   : (l * integral_d[l - 1] + (l + 1) * integral_d[l + 1]) / (2 * l + 1);
                da[n * (lmax + 1) + l] = plan->norm[l] * (def * integral[l] + ef * di);
            }
        }
    }
}

/* radial_eval through the table: cubic Hermite on [k h, (k + 1) h]; da is the derivative of the interpolant. */
static void radial_lookup(const lc_so3_plan *plan, double r, double *a, double *da) {
    const int nnl = plan->options.nmax * (plan->options.lmax + 1), ni = plan->options.table_intervals;
    const double h = plan->table_step, x = r / h;
    int k = (int)x;
    if (k >= ni) k = ni - 1;
    const double t = x - k, t2 = t * t, s = 1 - t;
    const double h00 = (1 + 2 * t) * s * s, h10 = t * s * s * h, h01 = t2 * (3 - 2 * t), h11 = t2 * (t - 1) * h;
    const double *lo = plan->table + (size_t)k * 2 * nnl, *hi = lo + 2 * nnl;
    for (int i = 0; i < nnl; i++) a[i] = h00 * lo[i] + h10 * lo[nnl + i] + h01 * hi[i] + h11 * hi[nnl + i];
    if (!da) return;
    const double d00 = 6 * (t2 - t) / h, d10 = 3 * t2 - 4 * t + 1, d01 = -d00, d11 = 3 * t2 - 2 * t;
    for (int i = 0; i < nnl; i++) da[i] = d00 * lo[i] + d10 * lo[nnl + i] + d01 * hi[i] + d11 * hi[nnl + i];
}

static double pair_weight(const lc_so3_plan *plan, const lc_structure *s, int i, int j) {
    double z = s->species[j];
    return plan->options.weight == LC_SO3_WEIGHT_SIGNED_Z && s->species[j] != s->species[i] ? -z : z;
}

/* ---- gradient storage ---------------------------------------------------------------------------------------- */

void lc_so3_gradient_init(lc_so3_gradient *g) { memset(g, 0, sizeof *g); }

void lc_so3_gradient_free(lc_so3_gradient *g) {
    free(g->atom);
    free(g->d_position);
    free(g->d_strain);
    free(g->slot_of);
    free(g->pair_data);
    memset(g, 0, sizeof *g);
}

/* Per-pair record kept between the two passes of the gradient. */
static int pair_stride(const lc_so3_plan *plan) {
    int nl = plan->options.nmax * (plan->options.lmax + 1), ny = (plan->options.lmax + 1) * (plan->options.lmax + 1);
    return 2 * nl + 4 * ny + 4; /* a, da; y, dy[3]; unit vector and r */
}

static void gradient_reserve(lc_so3_gradient *g, const lc_so3_plan *plan, int n_atoms, int n_pairs) {
    const int nc = plan->n_components;
    if (g->n_components != nc || !g->d_strain) {
        free(g->d_strain);
        g->d_strain = lc_malloc((size_t)nc * 9 * sizeof *g->d_strain);
        free(g->d_position);
        g->d_position = NULL;
        g->capacity_atoms = 0;
        g->n_components = nc;
    }
    if (n_pairs + 1 > g->capacity_atoms) {
        int cap = 2 * (n_pairs + 1) > 16 ? 2 * (n_pairs + 1) : 16;
        g->atom = lc_realloc(g->atom, (size_t)cap * sizeof *g->atom);
        g->d_position = lc_realloc(g->d_position, (size_t)cap * nc * 3 * sizeof *g->d_position);
        g->capacity_atoms = cap;
    }
    if (n_pairs > g->capacity_pairs) {
        int cap = 2 * n_pairs;
        g->pair_data = lc_realloc(g->pair_data, (size_t)cap * pair_stride(plan) * sizeof *g->pair_data);
        g->capacity_pairs = cap;
    }
    if (n_atoms > g->capacity_map) {
        g->slot_of = lc_realloc(g->slot_of, (size_t)n_atoms * sizeof *g->slot_of);
        for (int k = g->capacity_map; k < n_atoms; k++) g->slot_of[k] = -1;
        g->capacity_map = n_atoms;
    }
}

/* Slot of atom j in the gradient (a new, zeroed one when j is not there yet). */
static int gradient_slot(lc_so3_gradient *g, int j) {
    if (g->slot_of[j] >= 0) return g->slot_of[j];
    int s = g->n_atoms_touched++;
    g->atom[s] = j;
    g->slot_of[j] = s;
    memset(g->d_position + (size_t)s * g->n_components * 3, 0, (size_t)g->n_components * 3 * sizeof(double));
    return s;
}

/* ---- descriptor ---------------------------------------------------------------------------------------------- */

void lc_so3_descriptor_nl(const lc_so3_plan *plan, const lc_structure *s, const lc_neighbor_list *nl, int atom,
                          double *p, lc_so3_gradient *grad) {
    enum { MAXNL = LC_SO3_MAX_NMAX * (LC_SO3_MAX_LMAX + 1), MAXY = (LC_SO3_MAX_LMAX + 1) * (LC_SO3_MAX_LMAX + 1) };
    if (atom < 0 || atom >= s->n_atoms || nl->n_atoms != s->n_atoms)
        lc_fatal("so3: atom %d of %d (neighbour list of %d atoms)", atom, s->n_atoms, nl->n_atoms);
    const int nmax = plan->options.nmax, lmax = plan->options.lmax, nc = plan->n_components;
    const int n_l = lmax + 1, ny = n_l * n_l, nnl = nmax * n_l;
    const double rcut = plan->options.rcut;
    const int first = nl->offsets[atom], end = nl->offsets[atom + 1];
    const int stride = pair_stride(plan);

    if (grad) {
        gradient_reserve(grad, plan, s->n_atoms, end - first);
        grad->n_atoms_touched = 0;
        gradient_slot(grad, atom);
    }

    /* c[n][lm], the neighbour density's expansion */
    double c[LC_SO3_MAX_NMAX * MAXY];
    memset(c, 0, (size_t)nmax * ny * sizeof *c);
    int n_used = 0;
    for (int e = first; e < end; e++) {
        const double r = nl->distance[e];
        if (r >= rcut) break; /* sorted by distance */
        if (r <= MIN_PAIR_DISTANCE) continue;
        double local_a[MAXNL], local_da[MAXNL], local_y[MAXY], local_dy[MAXY][3], u[3];
        double *rec = grad ? grad->pair_data + (size_t)n_used * stride : NULL;
        double *a = rec ? rec : local_a, *da = rec ? rec + nnl : local_da;
        double *y = rec ? rec + 2 * nnl : local_y;
        double(*dy)[3] = rec ? (double(*)[3])(rec + 2 * nnl + ny) : local_dy;
        for (int k = 0; k < 3; k++) u[k] = nl->vector[e][k] / r;
        if (plan->table)
            radial_lookup(plan, r, a, grad ? da : NULL);
        else
            radial_eval(plan, r, a, grad ? da : NULL);
        ylm_eval(plan, u, y, grad ? dy : NULL);
        const double w = pair_weight(plan, s, atom, nl->index[e]);
        for (int k = 0; k < nnl; k++) a[k] *= w;
        if (grad) {
            for (int k = 0; k < nnl; k++) da[k] *= w;
            memcpy(rec + 2 * nnl + 4 * ny, u, sizeof u);
            rec[2 * nnl + 4 * ny + 3] = r;
        }
        for (int n = 0; n < nmax; n++)
            for (int l = 0; l <= lmax; l++) {
                const double anl = a[n * n_l + l];
                for (int idx = l * l; idx < (l + 1) * (l + 1); idx++) c[n * ny + idx] += anl * y[idx];
            }
        n_used++;
    }

    /* p[n][n'][l] = sum_m c[n][lm] c[n'][lm] */
    int k = 0;
    for (int n = 0; n < nmax; n++)
        for (int n2 = 0; n2 <= n; n2++)
            for (int l = 0; l <= lmax; l++, k++) {
                double sum = 0;
                for (int idx = l * l; idx < (l + 1) * (l + 1); idx++) sum += c[n * ny + idx] * c[n2 * ny + idx];
                p[k] = sum;
            }
    if (!grad) return;

    /* dp/dv for each pair: with T[n][l] = sum_m Y_lm c[n][lm] and V[n][l] = sum_m dY_lm c[n][lm],
     * dp[n][n'][l]/dv = da[n][l] u T[n'][l] + a[n][l] V[n'][l] + (n <-> n'), dY the gradient in v. */
    memset(grad->d_strain, 0, (size_t)nc * 9 * sizeof *grad->d_strain);
    int used = 0;
    for (int e = first; e < end && used < n_used; e++) {
        const double r0 = nl->distance[e];
        if (r0 <= MIN_PAIR_DISTANCE) continue;
        const double *rec = grad->pair_data + (size_t)used * stride;
        used++;
        const double *a = rec, *da = rec + nnl, *y = rec + 2 * nnl;
        const double(*dy)[3] = (const double(*)[3])(rec + 2 * nnl + ny);
        const double *u = rec + 2 * nnl + 4 * ny, r = rec[2 * nnl + 4 * ny + 3];
        double t[MAXNL], v[MAXNL][3];
        for (int n = 0; n < nmax; n++)
            for (int l = 0; l <= lmax; l++) {
                double st = 0, sv[3] = {0, 0, 0};
                for (int idx = l * l; idx < (l + 1) * (l + 1); idx++) {
                    const double cc = c[n * ny + idx];
                    st += y[idx] * cc;
                    /* gradient in v of Y(v / r): (grad of r^l Y at u - l Y u) / r */
                    for (int q = 0; q < 3; q++) sv[q] += (dy[idx][q] - l * y[idx] * u[q]) * cc;
                }
                t[n * n_l + l] = st;
                for (int q = 0; q < 3; q++) v[n * n_l + l][q] = sv[q] / r;
            }
        const int sj = gradient_slot(grad, nl->index[e]);
        double *gj = grad->d_position + (size_t)sj * nc * 3, *gi = grad->d_position;
        const double *vec = nl->vector[e];
        int kk = 0;
        for (int n = 0; n < nmax; n++)
            for (int n2 = 0; n2 <= n; n2++)
                for (int l = 0; l <= lmax; l++, kk++) {
                    const int i1 = n * n_l + l, i2 = n2 * n_l + l;
                    double g[3];
                    for (int q = 0; q < 3; q++)
                        g[q] = da[i1] * u[q] * t[i2] + a[i1] * v[i2][q] + da[i2] * u[q] * t[i1] + a[i2] * v[i1][q];
                    double *ds = grad->d_strain + (size_t)kk * 9;
                    for (int q = 0; q < 3; q++) {
                        gj[kk * 3 + q] += g[q];
                        gi[kk * 3 + q] -= g[q];
                        for (int b = 0; b < 3; b++) ds[q * 3 + b] += g[q] * vec[b];
                    }
                }
    }
    /* leave the map clean for the next call (only touched entries) */
    for (int sl = 0; sl < grad->n_atoms_touched; sl++) grad->slot_of[grad->atom[sl]] = -1;
}

void lc_so3_descriptor(const lc_so3_plan *plan, const lc_structure *s, int atom, double *p, lc_so3_gradient *grad) {
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    lc_neighbor_list_build(&nl, s, plan->options.rcut);
    lc_so3_descriptor_nl(plan, s, &nl, atom, p, grad);
    lc_neighbor_list_free(&nl);
}

void lc_so3_gradient_lattice(const lc_so3_gradient *g, const double lattice[3][3], double *out) {
    /* inverse of the lattice (rows a, b, c) by the adjugate */
    const double(*m)[3] = lattice;
    double inv[3][3];
    double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                 m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) {
            int r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
            inv[r][c] = (m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]) / det;
        }
    /* out[k][r][c] = sum_a inv[a][r] D[k][c][a]  (L^-T D^T) */
    for (int k = 0; k < g->n_components; k++) {
        const double *d = g->d_strain + (size_t)k * 9;
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                for (int a = 0; a < 3; a++) sum += inv[a][r] * d[c * 3 + a];
                out[(k * 3 + r) * 3 + c] = sum;
            }
    }
}
