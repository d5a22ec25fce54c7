#include "candidate.h"

#include <math.h>
#include <string.h>

#include "crystal_params.h"
#include "objective.h"
#include "core/numeric.h"
#include "core/rng.h"
#include "symmetry/symmetry.h"

const char *lc_candidate_status_name(lc_candidate_status status) {
    static const char *names[LC_CANDIDATE_STATUS_COUNT] = {"valid", "invalid", "failed", "undecodable", "duplicate"};
    return status >= 0 && status < LC_CANDIDATE_STATUS_COUNT ? names[status] : "unknown";
}

void lc_environment_graphite(const lc_so3_plan *plan, double *p) {
    const lc_wyckoff_table *t = lc_wyckoff_table_get(194);
    lc_row row = {.spacegroup = 194, .cell = {2.46, 2.46, 6.70, 90, 90, 120}, .n_sites = 2};
    row.sites[0] = (lc_row_site){(int)(lc_wyckoff_find(t, 'b') - t->positions), 6, {0, 0, 0.25}};
    row.sites[1] = (lc_row_site){(int)(lc_wyckoff_find(t, 'c') - t->positions), 6, {1.0 / 3, 2.0 / 3, 0.25}};
    lc_row_decode_options decode = {.merge_distance = 0.0};
    lc_structure s;
    lc_row_decode(&row, &decode, &s, NULL);
    lc_environment_reference(plan, &s, 0, p);
    lc_structure_free(&s);
}

/* One solve from x (overwritten with the end point). 0, or -1 when the objective or TAO failed, or the end point
 * gives no structure. */
static int solve_from(double *x, const lc_crystal_params *cp, const double *lower, const double *upper,
                      lc_environment_objective *objective, const lc_relax_options *options, lc_relax_result *result,
                      lc_structure *structure) {
    lc_error err;
    int solved = lc_relax_minimize(cp->n_params, x, lower, upper, lc_environment_objective_evaluate, objective,
                                   options, result, &err) == 0;
    if (!solved || result->stopped_by_objective || lc_crystal_params_structure(cp, x, structure) != 0) return -1;
    return 0;
}

enum { RESTART_STREAM = 0x52535452u }; /* "RSTR" */

/* Restart r's starting point: the row's cell, each free coordinate moved by a normal draw of width
 * restart_displacement (fractional) and wrapped into [0, 1]; keyed by the starting point x0 and r, so a
 * candidate's restarts do not depend on the rank or on the other candidates. */
static void restart_point(const lc_crystal_params *cp, int restart, double displacement, const double *x0,
                          double *x) {
    uint64_t key = lc_fnv1a64(LC_FNV1A64_INIT, &cp->spacegroup, sizeof cp->spacegroup);
    key = lc_fnv1a64(key, cp->site_position, (size_t)cp->n_sites * sizeof cp->site_position[0]);
    key = lc_fnv1a64(key, x0, (size_t)cp->n_params * sizeof x0[0]);
    lc_rng rng;
    lc_rng_init(&rng, key, RESTART_STREAM, (uint64_t)restart);
    for (int k = 0; k < cp->n_params; k++) {
        x[k] = x0[k];
        if (k < cp->n_cell) continue;
        double u = x0[k] + displacement * lc_rng_normal(&rng);
        x[k] = u - floor(u);
    }
}

void lc_candidate_relax(const lc_row *row, const lc_candidate_settings *settings, lc_candidate *out) {
    memset(out, 0, sizeof *out);
    lc_structure_init(&out->structure, 0);
    lc_row projected;
    lc_structure trial;
    lc_row_decode_options decode = {.merge_distance = settings->merge_distance,
                                    .snap_special = settings->snap_special};
    out->row_status = lc_row_decode(row, &decode, &trial, &projected);
    lc_structure_free(&trial);
    if (out->row_status != LC_ROW_OK) {
        out->status = LC_CANDIDATE_UNDECODABLE;
        return;
    }
    lc_crystal_params cp;
    double x0[LC_MAX_CRYSTAL_PARAMS], x[LC_MAX_CRYSTAL_PARAMS], best[LC_MAX_CRYSTAL_PARAMS];
    double lower[LC_MAX_CRYSTAL_PARAMS], upper[LC_MAX_CRYSTAL_PARAMS];
    lc_crystal_params_init(&cp, &projected, x0);
    lc_crystal_params_bounds(&cp, settings->min_length, settings->max_length, settings->min_angle,
                             settings->max_angle, lower, upper);
    /* start inside the bounds: TAO's bounded methods expect it */
    for (int k = 0; k < cp.n_params; k++) x0[k] = fmin(fmax(x0[k], lower[k]), upper[k]);
    lc_environment_objective objective;
    lc_environment_objective_init(&objective, settings->plan, settings->reference, &cp);
    if (lc_environment_objective_evaluate(x0, cp.n_params, &out->objective_before, NULL, &objective) != 0) {
        lc_environment_objective_free(&objective);
        out->status = LC_CANDIDATE_FAILED;
        return;
    }
    /* the row's own point, then restarts while no end point is valid: the first valid end point wins, else the
     * lowest objective */
    int found = 0, valid = 0;
    lc_structure structure;
    lc_structure_init(&structure, 0);
    for (int attempt = 0; attempt <= settings->restarts && !valid; attempt++) {
        if (attempt == 0)
            memcpy(x, x0, sizeof x);
        else
            restart_point(&cp, attempt, settings->restart_displacement, x0, x);
        lc_relax_result result;
        int ok = solve_from(x, &cp, lower, upper, &objective, &settings->relax, &result, &structure) == 0;
        out->iterations += result.iterations;
        out->attempts = attempt + 1;
        if (!ok) continue;
        lc_validity_result check;
        valid = lc_validity_check(&structure, &settings->validity, &check);
        if (!found || valid || result.f < out->relax.f) {
            found = 1;
            out->relax = result;
            out->validity = check;
            memcpy(best, x, sizeof best);
        }
    }
    lc_structure_free(&structure);
    lc_environment_objective_free(&objective);
    if (!found || lc_crystal_params_structure(&cp, best, &out->structure) != 0) {
        out->status = LC_CANDIDATE_FAILED;
        return;
    }
    out->objective_after = out->relax.f;
    lc_crystal_params_row(&cp, best, &out->relaxed_row);
    out->density = lc_structure_density(&out->structure);
    lc_symmetry_options options = lc_symmetry_default_options();
    options.symprec = settings->symprec;
    lc_error err;
    lc_symmetry_dataset d;
    if (lc_symmetry_analyze(&out->structure, &options, &d, &err) == 0) {
        out->spacegroup_after = d.number;
        lc_symmetry_dataset_free(&d);
    }
    out->status = valid ? LC_CANDIDATE_VALID : LC_CANDIDATE_INVALID;
}

void lc_candidate_free(lc_candidate *c) { lc_structure_free(&c->structure); }
