/* Lattice geometry: parameters, volume, reciprocal, coordinates, reduction and periodic distance. */
#include <math.h>
#include <string.h>

#include "core/lattice.h"
#include "core/rng.h"
#include "random_cell.h"
#include "test.h"

static double dot(const double u[3], const double v[3]) { return u[0] * v[0] + u[1] * v[1] + u[2] * v[2]; }

static int det3(const int t[3][3]) {
    return t[0][0] * (t[1][1] * t[2][2] - t[1][2] * t[2][1]) - t[0][1] * (t[1][0] * t[2][2] - t[1][2] * t[2][0]) +
           t[0][2] * (t[1][0] * t[2][1] - t[1][1] * t[2][0]);
}

static void sorted_lengths(const double lattice[3][3], double lengths[3]) {
    for (int k = 0; k < 3; k++) lengths[k] = vec_norm(lattice[k]);
    for (int k = 1; k < 3; k++)
        for (int m = k; m > 0 && lengths[m] < lengths[m - 1]; m--) {
            double t = lengths[m];
            lengths[m] = lengths[m - 1];
            lengths[m - 1] = t;
        }
}

/* Shortest |(f2 - f1) L + n L| by enumerating every n in a box that provably holds the answer: any image no
 * farther than D0 (the distance after plain rounding) has |g_k + n_k| <= D0 |b_k|. `search` is the basis the
 * enumeration runs in (same lattice as `lattice`, normally a less skewed one), so the box stays small. */
static double brute_force_distance(const double lattice[3][3], const double search[3][3], const double f1[3],
                                   const double f2[3]) {
    double df[3], r[3], g[3], recip[3][3];
    for (int k = 0; k < 3; k++) df[k] = f2[k] - f1[k];
    lc_frac_to_cart(lattice, df, r);
    lc_lattice_reciprocal(search, recip);
    lc_cart_to_frac(recip, r, g);
    for (int k = 0; k < 3; k++) g[k] -= nearbyint(g[k]);
    double v[3];
    lc_frac_to_cart(search, g, v);
    double d0 = vec_norm(v), best = d0;
    int lo[3], hi[3];
    for (int k = 0; k < 3; k++) {
        double span = d0 * vec_norm(recip[k]);
        lo[k] = (int)floor(-g[k] - span) - 2; /* two extra layers of images beyond the bound */
        hi[k] = (int)ceil(-g[k] + span) + 2;
    }
    for (int n0 = lo[0]; n0 <= hi[0]; n0++)
        for (int n1 = lo[1]; n1 <= hi[1]; n1++)
            for (int n2 = lo[2]; n2 <= hi[2]; n2++) {
                double h[3] = {g[0] + n0, g[1] + n1, g[2] + n2};
                lc_frac_to_cart(search, h, v);
                double d = vec_norm(v);
                if (d < best) best = d;
            }
    return best;
}

static void test_parameters_round_trip(void) {
    lc_rng rng;
    lc_rng_init(&rng, 11, 0, 0);
    for (int trial = 0; trial < 2000; trial++) {
        /* min_flatness 0: every valid cell, including nearly flat ones */
        lc_cell_parameters p = random_parameters(&rng, 0.5, 30, 0.0);
        double lattice[3][3];
        CHECK(lc_lattice_from_parameters(&p, lattice) == 0);
        /* standard orientation */
        CHECK(lattice[0][1] == 0 && lattice[0][2] == 0 && lattice[1][2] == 0 && lattice[0][0] > 0 &&
              lattice[1][1] > 0 && lattice[2][2] > 0);
        lc_cell_parameters q = lc_lattice_to_parameters(lattice);
        double scale = p.a + p.b + p.c;
        CHECK_NEAR(q.a, p.a, 1e-12 * scale);
        CHECK_NEAR(q.b, p.b, 1e-12 * scale);
        CHECK_NEAR(q.c, p.c, 1e-12 * scale);
        CHECK_NEAR(q.alpha, p.alpha, 1e-7);
        CHECK_NEAR(q.beta, p.beta, 1e-7);
        CHECK_NEAR(q.gamma, p.gamma, 1e-7);
    }
}

static void test_invalid_parameters(void) {
    double lattice[3][3];
    lc_cell_parameters cases[] = {
        {3, 3, 3, 30, 30, 90},    /* alpha + beta < gamma: the cell cannot close */
        {3, 3, 3, 120, 120, 120}, /* alpha + beta + gamma = 360: flat */
        {3, 3, 3, 90, 90, 180},
        {3, 3, 3, 0, 90, 90},
        {-3, 3, 3, 90, 90, 90},
        {3, 0, 3, 90, 90, 90},
        {3, 3, NAN, 90, 90, 90},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        CHECK_MSG(lc_lattice_from_parameters(&cases[k], lattice) == -1, "case %zu accepted", k);
    lc_cell_parameters hexagonal = {2.46, 2.46, 6.7, 90, 90, 120};
    CHECK(lc_lattice_from_parameters(&hexagonal, lattice) == 0);
    CHECK_NEAR(lattice[1][0], -1.23, 1e-12);
    CHECK_NEAR(lattice[1][1], 2.46 * sqrt(3) / 2, 1e-12);
    CHECK_NEAR(lattice[2][2], 6.7, 1e-12);
}

static void test_volume(void) {
    lc_rng rng;
    lc_rng_init(&rng, 12, 0, 0);
    for (int trial = 0; trial < 500; trial++) {
        lc_cell_parameters p = random_parameters(&rng, 1, 20, 0.0);
        double lattice[3][3];
        lc_lattice_from_parameters(&p, lattice);
        const double rad = 3.14159265358979323846 / 180;
        double ca = cos(p.alpha * rad), cb = cos(p.beta * rad), cg = cos(p.gamma * rad);
        double formula = p.a * p.b * p.c * sqrt(1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg);
        const double *a = lattice[0], *b = lattice[1], *c = lattice[2];
        double triple = a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
                        a[2] * (b[0] * c[1] - b[1] * c[0]);
        double v = lc_lattice_volume(lattice);
        CHECK(v > 0);
        CHECK_NEAR(v, triple, 1e-10 * p.a * p.b * p.c);
        CHECK_NEAR(v, formula, 1e-9 * p.a * p.b * p.c);
        /* swapping two rows makes the cell left-handed */
        double swapped[3][3];
        memcpy(swapped[0], lattice[1], sizeof swapped[0]);
        memcpy(swapped[1], lattice[0], sizeof swapped[1]);
        memcpy(swapped[2], lattice[2], sizeof swapped[2]);
        CHECK_NEAR(lc_lattice_volume(swapped), -v, 1e-10 * p.a * p.b * p.c);
    }
    double cubic[3][3] = {{2, 0, 0}, {0, 3, 0}, {0, 0, 4}};
    CHECK_NEAR(lc_lattice_volume(cubic), 24, 1e-14);
}

static void test_reciprocal_and_coordinates(void) {
    lc_rng rng;
    lc_rng_init(&rng, 13, 0, 0);
    for (int trial = 0; trial < 500; trial++) {
        lc_cell_parameters p = random_parameters(&rng, 1, 20, 0.01);
        double lattice[3][3], recip[3][3];
        lc_lattice_from_parameters(&p, lattice);
        if (trial % 2) { /* also a generally oriented, sheared cell */
            int t[3][3];
            random_unimodular(&rng, 4, 2, t);
            apply_transform(t, lattice, lattice);
        }
        lc_lattice_reciprocal(lattice, recip);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) CHECK_NEAR(dot(lattice[i], recip[j]), i == j ? 1.0 : 0.0, 1e-10);
        /* |b_k| is the inverse spacing of planes k: the height of the cell over the face spanned by the others */
        double area_bc[3] = {lattice[1][1] * lattice[2][2] - lattice[1][2] * lattice[2][1],
                             lattice[1][2] * lattice[2][0] - lattice[1][0] * lattice[2][2],
                             lattice[1][0] * lattice[2][1] - lattice[1][1] * lattice[2][0]};
        CHECK_NEAR(1.0 / vec_norm(recip[0]), fabs(lc_lattice_volume(lattice)) / vec_norm(area_bc), 1e-9 * p.a);

        double f[3] = {random_between(&rng, -2, 3), random_between(&rng, -2, 3), random_between(&rng, -2, 3)};
        double r[3], back[3];
        lc_frac_to_cart(lattice, f, r);
        double expect[3];
        for (int c = 0; c < 3; c++) expect[c] = f[0] * lattice[0][c] + f[1] * lattice[1][c] + f[2] * lattice[2][c];
        for (int c = 0; c < 3; c++) CHECK_NEAR(r[c], expect[c], 1e-12 * (1 + fabs(expect[c])));
        lc_cart_to_frac(recip, r, back);
        for (int k = 0; k < 3; k++) CHECK_NEAR(back[k], f[k], 1e-9);
        lc_frac_to_cart(lattice, f, f); /* in place */
        for (int c = 0; c < 3; c++) CHECK_NEAR(f[c], r[c], 1e-12 * (1 + fabs(r[c])));
    }
}

static void test_wrap_unit(void) {
    CHECK_NEAR(lc_wrap_unit(-0.25), 0.75, 1e-15);
    CHECK_NEAR(lc_wrap_unit(2.3), 0.3, 1e-15);
    CHECK(lc_wrap_unit(1.0) == 0.0);
    CHECK(lc_wrap_unit(-3.0) == 0.0);
    CHECK(lc_wrap_unit(-1e-17) == 0.0);
    CHECK(lc_wrap_unit(1.0 - 1e-13) == 0.0);
    CHECK(lc_wrap_unit(0.5) == 0.5);
    CHECK(lc_wrap_unit(0.999) == 0.999);
    for (double x = -5; x < 5; x += 0.0137) {
        double w = lc_wrap_unit(x);
        CHECK(w >= 0 && w < 1);
        CHECK(fabs((x - w) - nearbyint(x - w)) < 1e-12);
    }
}

/* The conditions that define a Minkowski-reduced basis in 3-D (coefficients -1, 0, 1 suffice there). */
static int is_minkowski_reduced(const double b[3][3]) {
    const double tol = 1e-9;
    if (vec_norm(b[0]) > vec_norm(b[1]) * (1 + tol) || vec_norm(b[1]) > vec_norm(b[2]) * (1 + tol)) return 0;
    for (int k = 0; k < 3; k++)
        for (int x = -1; x <= 1; x++)
            for (int y = -1; y <= 1; y++) {
                int i = (k + 1) % 3, j = (k + 2) % 3;
                double v[3];
                for (int c = 0; c < 3; c++) v[c] = b[k][c] + x * b[i][c] + y * b[j][c];
                if (vec_norm(v) < vec_norm(b[k]) * (1 - tol)) return 0;
            }
    return 1;
}

/* Rounding in a sheared basis: its rows are ~skew long and the integer matrices between it and a reduced basis
 * have entries ~skew / nice, so a Cartesian quantity computed through it carries an absolute error of order
 * 1e-16 skew^2 / nice. The tolerances below allow 100 times that, plus 1e-12 relative to the cell itself. */
static double skew_tolerance(const double lattice[3][3], const double nice[3][3]) {
    double nice_scale = vec_norm(nice[0]) + vec_norm(nice[1]) + vec_norm(nice[2]);
    double skew = vec_norm(lattice[0]) + vec_norm(lattice[1]) + vec_norm(lattice[2]);
    return 1e-14 * skew * skew / nice_scale + 1e-12 * nice_scale;
}

static void check_reduction(const double lattice[3][3], const double nice[3][3], lc_rng *rng) {
    double reduced[3][3], expect[3][3];
    int t[3][3];
    lc_lattice_reduce(lattice, reduced, t);
    double volume = lc_lattice_volume(lattice);
    double scale = vec_norm(nice[0]) + vec_norm(nice[1]) + vec_norm(nice[2]);
    double tol = skew_tolerance(lattice, nice);

    CHECK(abs(det3(t)) == 1);
    CHECK(det3(t) == (volume > 0 ? 1 : -1)); /* right-handed result */
    CHECK(lc_lattice_volume(reduced) > 0);
    CHECK_NEAR(lc_lattice_volume(reduced), fabs(volume), 10 * tol / scale * fabs(volume));
    apply_transform(t, lattice, expect);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) CHECK_NEAR(reduced[r][c], expect[r][c], tol);
    CHECK(is_minkowski_reduced(reduced));

    /* Reduced vectors are the successive minima: no longer than the input's, and the same for any basis of the
     * lattice (here the nice basis it was sheared from). */
    double in_len[3], out_len[3], nice_len[3], nice_reduced[3][3];
    sorted_lengths(lattice, in_len);
    sorted_lengths(reduced, out_len);
    lc_lattice_reduce(nice, nice_reduced, NULL);
    sorted_lengths(nice_reduced, nice_len);
    for (int k = 0; k < 3; k++) {
        CHECK(vec_norm(reduced[k]) == out_len[k]); /* sorted shortest first */
        CHECK(out_len[k] <= in_len[k] * (1 + 1e-12));
        CHECK_NEAR(out_len[k], nice_len[k], tol);
    }
    /* Niggli's sign convention: the three dot products share a sign (or are all <= 0). */
    double d01 = dot(reduced[0], reduced[1]), d02 = dot(reduced[0], reduced[2]), d12 = dot(reduced[1], reduced[2]);
    CHECK((d01 > 0 && d02 > 0 && d12 > 0) || (d01 <= 0 && d02 <= 0 && d12 <= 0));

    /* Periodic distances are the same in both bases. */
    double recip_reduced[3][3];
    lc_lattice_reciprocal(reduced, recip_reduced);
    for (int trial = 0; trial < 5; trial++) {
        double f1[3], f2[3], r1[3], r2[3], g1[3], g2[3];
        for (int k = 0; k < 3; k++) {
            f1[k] = lc_rng_uniform(rng);
            f2[k] = lc_rng_uniform(rng);
        }
        lc_frac_to_cart(lattice, f1, r1);
        lc_frac_to_cart(lattice, f2, r2);
        lc_cart_to_frac(recip_reduced, r1, g1);
        lc_cart_to_frac(recip_reduced, r2, g2);
        CHECK_NEAR(lc_periodic_distance(lattice, f1, f2, NULL), lc_periodic_distance(reduced, g1, g2, NULL), tol);
    }
}

static void test_reduction(void) {
    lc_rng rng;
    lc_rng_init(&rng, 14, 0, 0);
    int very_skewed = 0;
    for (int trial = 0; trial < 400; trial++) {
        lc_cell_parameters p = random_parameters(&rng, 1, 10, 0.02);
        double nice[3][3], lattice[3][3];
        lc_lattice_from_parameters(&p, nice);
        int t[3][3];
        /* from unchanged up to very skewed (14 shears of up to 3: vectors up to thousands of cells long) */
        int steps = trial % 4 == 0 ? 0 : trial % 4 == 1 ? 3 : trial % 4 == 2 ? 6 : 14;
        random_unimodular(&rng, steps, trial % 4 == 3 ? 3 : 2, t);
        apply_transform(t, nice, lattice);
        check_reduction(lattice, nice, &rng);
        if (vec_norm(lattice[0]) + vec_norm(lattice[1]) + vec_norm(lattice[2]) > 30 * (p.a + p.b + p.c)) very_skewed++;
        /* a left-handed copy: swapping two rows */
        double left[3][3];
        memcpy(left[0], lattice[1], sizeof left[0]);
        memcpy(left[1], lattice[0], sizeof left[1]);
        memcpy(left[2], lattice[2], sizeof left[2]);
        check_reduction(left, nice, &rng);
    }
    CHECK(very_skewed >= 30); /* the hard cases really were drawn */
}

static void test_reduction_known_cells(void) {
    /* A simple cubic lattice sheared hard must come back as three orthogonal 3 A vectors. */
    double cubic[3][3] = {{3, 0, 0}, {0, 3, 0}, {0, 0, 3}};
    int t[3][3] = {{1, 7, -4}, {0, 1, 5}, {0, 0, 1}}, back[3][3];
    double sheared[3][3], reduced[3][3];
    apply_transform(t, cubic, sheared);
    lc_lattice_reduce(sheared, reduced, back);
    for (int r = 0; r < 3; r++) {
        CHECK_NEAR(vec_norm(reduced[r]), 3, 1e-12);
        CHECK_NEAR(dot(reduced[r], reduced[(r + 1) % 3]), 0, 1e-12);
    }
    CHECK(det3(back) == 1);

    /* fcc conventional cell sheared -> reduced primitive vectors a/sqrt(2) at 60 (or 120) degrees */
    double a = 3.6;
    double fcc[3][3] = {{0, a / 2, a / 2}, {a / 2, 0, a / 2}, {a / 2, a / 2, 0}};
    int shear[3][3] = {{1, 0, 0}, {-3, 1, 0}, {2, 5, 1}};
    apply_transform(shear, fcc, sheared);
    lc_lattice_reduce(sheared, reduced, NULL);
    lc_cell_parameters p = lc_lattice_to_parameters(reduced);
    CHECK_NEAR(p.a, a / sqrt(2), 1e-12);
    CHECK_NEAR(p.b, a / sqrt(2), 1e-12);
    CHECK_NEAR(p.c, a / sqrt(2), 1e-12);
    CHECK(fabs(p.alpha - 60) < 1e-9 || fabs(p.alpha - 90) < 1e-9 || fabs(p.alpha - 120) < 1e-9);

    /* An already reduced orthorhombic cell is left alone. */
    double ortho[3][3] = {{2, 0, 0}, {0, 3, 0}, {0, 0, 4}};
    lc_lattice_reduce(ortho, reduced, t);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) {
            CHECK(reduced[r][c] == ortho[r][c]);
            CHECK(t[r][c] == (r == c));
        }

    /* A flat (degenerate) cell comes back unchanged rather than looping. */
    double flat[3][3] = {{1, 0, 0}, {0, 1, 0}, {1, 1, 0}};
    lc_lattice_reduce(flat, reduced, t);
    CHECK(memcmp(reduced, flat, sizeof flat) == 0);
    CHECK(t[0][0] == 1 && t[1][1] == 1 && t[2][2] == 1 && t[0][1] == 0);
}

static void test_periodic_distance(void) {
    lc_rng rng;
    lc_rng_init(&rng, 15, 0, 0);
    for (int trial = 0; trial < 3000; trial++) {
        lc_cell_parameters p = random_parameters(&rng, 1, 10, 0.02);
        double nice[3][3], lattice[3][3];
        lc_lattice_from_parameters(&p, nice);
        int t[3][3];
        random_unimodular(&rng, trial % 3 == 0 ? 0 : trial % 3 == 1 ? 8 : 14, 3, t);
        apply_transform(t, nice, lattice);
        double tol = skew_tolerance(lattice, nice);
        double f1[3], f2[3];
        for (int k = 0; k < 3; k++) {
            f1[k] = random_between(&rng, -1, 2); /* not wrapped: must not matter */
            f2[k] = random_between(&rng, -1, 2);
        }
        if (trial % 10 == 0) memcpy(f2, f1, sizeof f1);
        double offset[3];
        double d = lc_periodic_distance(lattice, f1, f2, offset);
        double expect = brute_force_distance(lattice, nice, f1, f2);
        CHECK_NEAR(d, expect, tol);
        CHECK_NEAR(vec_norm(offset), d, 1e-12 * (p.a + p.b + p.c));
        /* offset is r2 - r1 plus a lattice vector */
        double df[3], r[3], recip[3][3], n[3];
        for (int k = 0; k < 3; k++) df[k] = f2[k] - f1[k];
        lc_frac_to_cart(lattice, df, r);
        lc_lattice_reciprocal(lattice, recip);
        for (int c = 0; c < 3; c++) r[c] = offset[c] - r[c];
        lc_cart_to_frac(recip, r, n);
        for (int k = 0; k < 3; k++) CHECK_NEAR(n[k], nearbyint(n[k]), 1e-6 + tol * vec_norm(recip[k]));
        /* symmetric */
        CHECK_NEAR(lc_periodic_distance(lattice, f2, f1, NULL), d, tol);
    }
    /* hand-checkable: cubic 4 A, points at x = 0.1 and 0.9 are 0.8 A apart through the boundary */
    double cubic[3][3] = {{4, 0, 0}, {0, 4, 0}, {0, 0, 4}};
    double f1[3] = {0.1, 0.5, 0.5}, f2[3] = {0.9, 0.5, 0.5}, offset[3];
    CHECK_NEAR(lc_periodic_distance(cubic, f1, f2, offset), 0.8, 1e-12);
    CHECK_NEAR(offset[0], -0.8, 1e-12);
    /* the same site: zero, not a lattice vector */
    CHECK(lc_periodic_distance(cubic, f1, f1, NULL) == 0.0);
}

int main(void) {
    RUN_TEST(test_parameters_round_trip);
    RUN_TEST(test_invalid_parameters);
    RUN_TEST(test_volume);
    RUN_TEST(test_reciprocal_and_coordinates);
    RUN_TEST(test_wrap_unit);
    RUN_TEST(test_reduction);
    RUN_TEST(test_reduction_known_cells);
    RUN_TEST(test_periodic_distance);
    return test_summary();
}
