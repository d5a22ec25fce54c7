#include "candidate.h"

#include <math.h>
#include <string.h>

#include "crystal_params.h"
#include "objective.h"
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
    double x[LC_MAX_CRYSTAL_PARAMS], lower[LC_MAX_CRYSTAL_PARAMS], upper[LC_MAX_CRYSTAL_PARAMS];
    lc_crystal_params_init(&cp, &projected, x);
    lc_crystal_params_bounds(&cp, settings->min_length, settings->max_length, settings->min_angle,
                             settings->max_angle, lower, upper);
    /* start inside the bounds: TAO's bounded methods expect it */
    for (int k = 0; k < cp.n_params; k++) x[k] = fmin(fmax(x[k], lower[k]), upper[k]);
    lc_environment_objective objective;
    lc_environment_objective_init(&objective, settings->plan, settings->reference, &cp);
    lc_error err;
    int evaluated = lc_environment_objective_evaluate(x, cp.n_params, &out->objective_before, NULL, &objective) == 0;
    int solved = evaluated && lc_relax_minimize(cp.n_params, x, lower, upper, lc_environment_objective_evaluate,
                                                &objective, &settings->relax, &out->relax, &err) == 0;
    lc_environment_objective_free(&objective);
    out->iterations = out->relax.iterations;
    if (!solved || out->relax.stopped_by_objective ||
        lc_crystal_params_structure(&cp, x, &out->structure) != 0) {
        out->status = LC_CANDIDATE_FAILED;
        return;
    }
    out->objective_after = out->relax.f;
    lc_crystal_params_row(&cp, x, &out->relaxed_row);
    out->density = lc_structure_density(&out->structure);
    lc_symmetry_options options = lc_symmetry_default_options();
    options.symprec = settings->symprec;
    lc_symmetry_dataset d;
    if (lc_symmetry_analyze(&out->structure, &options, &d, &err) == 0) {
        out->spacegroup_after = d.number;
        lc_symmetry_dataset_free(&d);
    }
    out->status = lc_validity_check(&out->structure, &settings->validity, &out->validity) ? LC_CANDIDATE_VALID
                                                                                            : LC_CANDIDATE_INVALID;
}

void lc_candidate_free(lc_candidate *c) { lc_structure_free(&c->structure); }
