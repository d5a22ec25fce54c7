/* Crystal parameters (the optimisation variables), validity checks and the TAO driver. */
#include <string.h>

#include "core/lattice.h"
#include "core/rng.h"
#include "envopt/crystal_params.h"
#include "envopt/relax.h"
#include "envopt/validity.h"
#include "graphite_row.h"
#include "lego/row.h"
#include "mpi/comm.h"
#include "test.h"

/* A random row of a group: the general position and one more position, random cell of its lattice system. */
static lc_row random_row(int spacegroup, lc_rng *rng) {
    lc_row row = {.spacegroup = spacegroup, .n_sites = 2};
    double raw[6] = {3 + 3 * lc_rng_uniform(rng), 3 + 3 * lc_rng_uniform(rng), 3 + 3 * lc_rng_uniform(rng),
                     70 + 30 * lc_rng_uniform(rng), 80 + 30 * lc_rng_uniform(rng), 75 + 30 * lc_rng_uniform(rng)};
    lc_row_constrain_cell(spacegroup, raw, row.cell);
    const lc_wyckoff_table *t = lc_wyckoff_table_get(spacegroup);
    for (int s = 0; s < 2; s++) {
        int index = s == 0 ? 0 : (int)(lc_rng_u32(rng) % (uint32_t)t->n_positions);
        double u[3] = {lc_rng_uniform(rng), lc_rng_uniform(rng), lc_rng_uniform(rng)}, p[3];
        lc_wyckoff_point(&t->positions[index], u, p);
        row.sites[s] = (lc_row_site){index, 6, {lc_wrap_unit(p[0]), lc_wrap_unit(p[1]), lc_wrap_unit(p[2])}};
    }
    return row;
}

static void test_structure_equals_decode(void) {
    lc_rng rng;
    lc_rng_init(&rng, 3, 0, 0);
    int groups[] = {1, 2, 14, 62, 139, 166, 194, 227, 230};
    for (int g = 0; g < 9; g++) {
        lc_row row = random_row(groups[g], &rng);
        lc_crystal_params cp;
        double x[LC_MAX_CRYSTAL_PARAMS];
        CHECK(lc_crystal_params_init(&cp, &row, x) == 0);
        CHECK(cp.n_cell == lc_row_cell_freedom(groups[g]));
        CHECK(cp.n_params == lc_row_degrees_of_freedom(&row));
        lc_structure a, b;
        lc_structure_init(&a, 0);
        CHECK(lc_crystal_params_structure(&cp, x, &a) == 0);
        lc_row_decode_options decode = {.merge_distance = 0.0};
        lc_row_decode(&row, &decode, &b, NULL);
        CHECK_MSG(a.n_atoms == b.n_atoms && a.n_atoms == cp.n_atoms, "group %d: %d vs %d atoms", groups[g], a.n_atoms,
                  b.n_atoms);
        for (int i = 0; i < a.n_atoms && i < b.n_atoms; i++)
            CHECK(lc_periodic_distance(a.lattice, a.frac[i], b.frac[i], NULL) < 1e-9);
        lc_row back;
        lc_crystal_params_row(&cp, x, &back);
        CHECK(back.spacegroup == row.spacegroup && back.n_sites == row.n_sites);
        lc_structure_free(&a);
        lc_structure_free(&b);
    }
}

static void test_derivatives(void) {
    lc_rng rng;
    lc_rng_init(&rng, 4, 0, 0);
    int groups[] = {1, 12, 47, 123, 191, 221};
    for (int g = 0; g < 6; g++) {
        lc_row row = random_row(groups[g], &rng);
        lc_crystal_params cp;
        double x[LC_MAX_CRYSTAL_PARAMS], dl[6][3][3];
        lc_crystal_params_init(&cp, &row, x);
        CHECK(lc_crystal_params_lattice_derivative(&cp, x, dl) == 0);
        const double h = 1e-6;
        for (int k = 0; k < cp.n_cell; k++) {
            lc_structure plus, minus;
            lc_structure_init(&plus, 0);
            lc_structure_init(&minus, 0);
            double xp[LC_MAX_CRYSTAL_PARAMS], xm[LC_MAX_CRYSTAL_PARAMS];
            memcpy(xp, x, sizeof x), memcpy(xm, x, sizeof x);
            xp[k] += h, xm[k] -= h;
            lc_crystal_params_structure(&cp, xp, &plus);
            lc_crystal_params_structure(&cp, xm, &minus);
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    CHECK_NEAR(dl[k][i][j], (plus.lattice[i][j] - minus.lattice[i][j]) / (2 * h), 1e-6);
            lc_structure_free(&plus);
            lc_structure_free(&minus);
        }
        /* fractional coordinates: unwrapped difference along each free coordinate */
        for (int atom = 0; atom < cp.n_atoms; atom++) {
            double dfrac[3][3];
            int n_free = lc_crystal_params_frac_derivative(&cp, atom, dfrac);
            int site = 0;
            while (site + 1 < cp.n_sites && atom >= cp.site_first_atom[site + 1]) site++;
            for (int q = 0; q < n_free; q++) {
                int k = cp.site_first_param[site] + q;
                lc_structure plus, minus;
                lc_structure_init(&plus, 0);
                lc_structure_init(&minus, 0);
                double xp[LC_MAX_CRYSTAL_PARAMS], xm[LC_MAX_CRYSTAL_PARAMS];
                memcpy(xp, x, sizeof x), memcpy(xm, x, sizeof x);
                xp[k] += h, xm[k] -= h;
                lc_crystal_params_structure(&cp, xp, &plus);
                lc_crystal_params_structure(&cp, xm, &minus);
                for (int i = 0; i < 3; i++) {
                    double d = plus.frac[atom][i] - minus.frac[atom][i];
                    d -= nearbyint(d);
                    CHECK_NEAR(dfrac[q][i], d / (2 * h), 1e-6);
                }
                lc_structure_free(&plus);
                lc_structure_free(&minus);
            }
        }
    }
    /* bounds follow the parameter kinds */
    lc_row row = graphite_row(2.46, 6.70);
    lc_crystal_params cp;
    double x[LC_MAX_CRYSTAL_PARAMS], lo[LC_MAX_CRYSTAL_PARAMS], hi[LC_MAX_CRYSTAL_PARAMS];
    lc_crystal_params_init(&cp, &row, x);
    CHECK(cp.n_params == 2 && x[0] == 2.46 && x[1] == 6.70);
    lc_crystal_params_bounds(&cp, 1.5, 50, 30, 150, lo, hi);
    CHECK(lo[0] == 1.5 && hi[1] == 50);
}

static void test_validity(void) {
    lc_validity_options o = lc_validity_default_options();
    lc_validity_result r;
    lc_row row = graphite_row(2.46, 6.70);
    lc_crystal_params cp;
    double x[LC_MAX_CRYSTAL_PARAMS];
    lc_crystal_params_init(&cp, &row, x);
    lc_structure s;
    lc_structure_init(&s, 0);
    lc_crystal_params_structure(&cp, x, &s);
    /* graphite: every atom 3-coordinated, but the layers are 2-D networks */
    CHECK(lc_validity_check(&s, &o, &r) == 0);
    CHECK(r.min_coordination == 3 && r.max_coordination == 3 && r.dimensionality == 2);
    CHECK_NEAR(r.min_distance, 2.46 / sqrt(3.0), 1e-9);
    o.min_dimensionality = 2;
    CHECK(lc_validity_check(&s, &o, &r) == 1);
    /* squeezing c brings the layers within bonding distance: 5-coordinated and 3-D */
    x[1] = 3.0;
    lc_crystal_params_structure(&cp, x, &s);
    lc_validity_check(&s, &o, &r);
    CHECK(r.max_coordination == 5 && r.dimensionality == 3 && !r.valid);
    lc_structure_free(&s);

    /* a chain along a (1-D), a dimer (0-D) */
    lc_structure chain;
    lc_structure_init(&chain, 0);
    lc_cell_parameters p = {1.4, 8, 8, 90, 90, 90};
    lc_lattice_from_parameters(&p, chain.lattice);
    lc_structure_append(&chain, 6, (double[3]){0, 0, 0});
    CHECK(lc_network_dimensionality(&chain, &o) == 1);
    lc_structure_append(&chain, 6, (double[3]){0.5, 0.1, 0});
    p.a = 8;
    lc_lattice_from_parameters(&p, chain.lattice);
    chain.frac[1][0] = 1.4 / 8;
    chain.frac[1][1] = 0;
    CHECK(lc_network_dimensionality(&chain, &o) == 0);
    lc_validity_check(&chain, &o, &r);
    CHECK(r.min_coordination == 1 && !r.valid);
    lc_structure_free(&chain);
}

/* Rosenbrock in 4-D, unconstrained optimum (1, 1, 1, 1); with x0 <= 0.5 the optimum sits on the bound. */
static int rosenbrock(const double *x, int n, double *f, double *g, void *user) {
    (void)user;
    *f = 0;
    for (int i = 0; i < n; i++) g[i] = 0;
    for (int i = 0; i + 1 < n; i++) {
        double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
        *f += 100 * a * a + b * b;
        g[i] += -400 * a * x[i] - 2 * b;
        g[i + 1] += 200 * a;
    }
    return 0;
}

static void test_relax(void) {
    lc_error err;
    lc_relax_options o = lc_relax_default_options();
    lc_relax_result r;
    double x[4] = {-1.2, 1, -1.2, 1}, lo[4] = {-5, -5, -5, -5}, hi[4] = {5, 5, 5, 5};
    CHECK(lc_relax_minimize(4, x, lo, hi, rosenbrock, NULL, &o, &r, &err) == 0);
    CHECK_MSG(r.reason > 0, "reason %s", r.reason_name);
    for (int i = 0; i < 4; i++) CHECK_NEAR(x[i], 1.0, 1e-4);
    double y[4] = {0, 0, 0, 0}, hi2[4] = {0.5, 5, 5, 5};
    CHECK(lc_relax_minimize(4, y, lo, hi2, rosenbrock, NULL, &o, &r, &err) == 0);
    CHECK_NEAR(y[0], 0.5, 1e-8); /* held at its bound */
    CHECK(r.f > 0.2);
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    lc_error err;
    if (lc_petsc_start(&argc, &argv, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    RUN_TEST(test_structure_equals_decode);
    RUN_TEST(test_derivatives);
    RUN_TEST(test_validity);
    RUN_TEST(test_relax);
    int status = test_summary();
    lc_petsc_stop();
    lc_comm_finalize();
    return status;
}
