/* The local-environment objective: exact gradient (finite differences) and relaxation with TAO. */
#include <string.h>

#include "core/lattice.h"
#include "core/rng.h"
#include "envopt/crystal_params.h"
#include "envopt/objective.h"
#include "envopt/relax.h"
#include "envopt/validity.h"
#include "graphite_row.h"
#include "mpi/comm.h"
#include "test.h"

static void reference_of_graphite(const lc_so3_plan *plan, double *p_ref) {
    lc_row row = graphite_row(2.46, 6.70);
    lc_crystal_params cp;
    double x[LC_MAX_CRYSTAL_PARAMS];
    lc_crystal_params_init(&cp, &row, x);
    lc_structure s;
    lc_structure_init(&s, 0);
    lc_crystal_params_structure(&cp, x, &s);
    lc_environment_reference(plan, &s, 0, p_ref);
    lc_structure_free(&s);
}

/* Central differences of f against the analytic gradient, for rows with free cell and coordinate parameters. */
static void check_gradient(const lc_so3_plan *plan, const double *p_ref, const lc_row *row) {
    lc_crystal_params cp;
    double x[LC_MAX_CRYSTAL_PARAMS], g[LC_MAX_CRYSTAL_PARAMS];
    CHECK(lc_crystal_params_init(&cp, row, x) == 0);
    lc_environment_objective o;
    lc_environment_objective_init(&o, plan, p_ref, &cp);
    double f;
    CHECK(lc_environment_objective_evaluate(x, cp.n_params, &f, g, &o) == 0);
    double scale = 0;
    for (int k = 0; k < cp.n_params; k++) scale = fmax(scale, fabs(g[k]));
    for (int k = 0; k < cp.n_params; k++) {
        double xp[LC_MAX_CRYSTAL_PARAMS], xm[LC_MAX_CRYSTAL_PARAMS], fp, fm;
        memcpy(xp, x, sizeof x), memcpy(xm, x, sizeof x);
        double h = k < cp.n_cell ? 1e-5 : 1e-6;
        xp[k] += h, xm[k] -= h;
        lc_environment_objective_evaluate(xp, cp.n_params, &fp, NULL, &o);
        lc_environment_objective_evaluate(xm, cp.n_params, &fm, NULL, &o);
        double fd = (fp - fm) / (2 * h);
        CHECK_MSG(fabs(fd - g[k]) <= 1e-5 * fmax(scale, 1e-3), "group %d parameter %d: analytic %.10g, fd %.10g",
                  row->spacegroup, k, g[k], fd);
    }
    lc_environment_objective_free(&o);
}

static void test_gradient(const lc_so3_plan *plan, const double *p_ref) {
    lc_rng rng;
    lc_rng_init(&rng, 11, 0, 0);
    /* graphite stretched (cell parameters only) */
    lc_row row = graphite_row(2.3, 3.6);
    check_gradient(plan, p_ref, &row);
    /* general positions in a monoclinic and a triclinic cell: every kind of parameter */
    int groups[] = {2, 14, 63};
    for (int g = 0; g < 3; g++) {
        lc_row r = {.spacegroup = groups[g], .n_sites = 1};
        double raw[6] = {2.6 + lc_rng_uniform(&rng), 2.8 + lc_rng_uniform(&rng), 3.0 + lc_rng_uniform(&rng),
                         80 + 20 * lc_rng_uniform(&rng), 95 + 10 * lc_rng_uniform(&rng), 85 + 10 * lc_rng_uniform(&rng)};
        lc_row_constrain_cell(groups[g], raw, r.cell);
        r.sites[0] = (lc_row_site){0, 6, {lc_rng_uniform(&rng), lc_rng_uniform(&rng), lc_rng_uniform(&rng)}};
        check_gradient(plan, p_ref, &r);
    }
}

/* Stretched graphite relaxes back to the reference environment (f -> 0, a -> 2.46). */
static void test_relax_graphite(const lc_so3_plan *plan, const double *p_ref) {
    lc_row row = graphite_row(2.62, 6.70);
    lc_crystal_params cp;
    double x[LC_MAX_CRYSTAL_PARAMS], lo[LC_MAX_CRYSTAL_PARAMS], hi[LC_MAX_CRYSTAL_PARAMS], f0, f1;
    lc_crystal_params_init(&cp, &row, x);
    lc_crystal_params_bounds(&cp, 1.5, 50, 30, 150, lo, hi);
    lc_environment_objective o;
    lc_environment_objective_init(&o, plan, p_ref, &cp);
    lc_environment_objective_evaluate(x, cp.n_params, &f0, NULL, &o);
    lc_relax_options options = lc_relax_default_options();
    lc_relax_result r;
    lc_error err;
    CHECK(lc_relax_minimize(cp.n_params, x, lo, hi, lc_environment_objective_evaluate, &o, &options, &r, &err) == 0);
    lc_environment_objective_evaluate(x, cp.n_params, &f1, NULL, &o);
    printf("graphite a 2.62 -> %.6f A: f %.3g -> %.3g in %d iterations (%s)\n", x[0], f0, f1, r.iterations,
           r.reason_name);
    CHECK(f0 > 1e-2 && f1 < 1e-10);
    CHECK_NEAR(x[0], 2.46, 1e-5);
    lc_environment_objective_free(&o);
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    lc_error err;
    if (lc_petsc_start(&argc, &argv, &err) != 0) return 1;
    lc_so3_options options = lc_so3_default_options();
    lc_so3_plan plan;
    CHECK(lc_so3_init(&plan, &options, &err) == 0);
    double p_ref[64];
    reference_of_graphite(&plan, p_ref);
    test_gradient(&plan, p_ref);
    printf("%s test_gradient\n", test_failures ? "FAIL" : "ok  ");
    int before = test_failures;
    test_relax_graphite(&plan, p_ref);
    printf("%s test_relax_graphite\n", test_failures == before ? "ok  " : "FAIL");
    lc_so3_free(&plan);
    int status = test_summary();
    lc_petsc_stop();
    lc_comm_finalize();
    return status;
}
