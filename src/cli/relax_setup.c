#include "relax_setup.h"

#include <stdlib.h>
#include <string.h>

#include "io/structure_io.h"

static int reference_environment(const lc_deck *deck, const lc_so3_plan *plan, double *p, lc_error *err) {
    const char *reference = lc_deck_string(deck, "relax", "reference");
    if (strcmp(reference, "graphite") == 0) {
        lc_environment_graphite(plan, p);
        return 0;
    }
    lc_structure_list list;
    if (lc_structure_list_read(reference, LC_FORMAT_AUTO, NULL, &list, err) != 0)
        return -1;
    lc_so3_descriptor(plan, &list.items[0], 0, p, NULL);
    lc_structure_list_free(&list);
    return 0;
}

int lc_relax_setup_from_deck(lc_relax_setup *r, const lc_deck *deck, lc_error *err) {
    memset(r, 0, sizeof *r);
    lc_so3_options so3 = lc_so3_default_options();
    so3.nmax = (int)lc_deck_int(deck, "relax", "nmax");
    so3.lmax = (int)lc_deck_int(deck, "relax", "lmax");
    so3.alpha = lc_deck_double(deck, "relax", "alpha");
    so3.rcut = lc_deck_double(deck, "relax", "rcut");
    if (lc_so3_init(&r->plan, &so3, err) != 0) return -1;
    r->reference = lc_malloc(sizeof(double) * (size_t)r->plan.n_components);
    if (reference_environment(deck, &r->plan, r->reference, err) != 0) {
        lc_relax_setup_free(r);
        return -1;
    }
    lc_candidate_settings *c = &r->candidate;
    *c = (lc_candidate_settings){
        .plan = &r->plan,
        .reference = r->reference,
        .relax = lc_relax_default_options(),
        .min_length = lc_deck_double(deck, "relax", "min_length"),
        .max_length = lc_deck_double(deck, "relax", "max_length"),
        .min_angle = lc_deck_double(deck, "relax", "min_angle"),
        .max_angle = lc_deck_double(deck, "relax", "max_angle"),
        .merge_distance = lc_deck_double(deck, "relax", "merge_distance"),
        .snap_special = lc_deck_bool(deck, "relax", "snap_special"),
        .validity = lc_validity_default_options(),
        .symprec = lc_deck_double(deck, "relax", "symprec"),
        .restarts = (int)lc_deck_int(deck, "relax", "restarts"),
        .restart_displacement = lc_deck_double(deck, "relax", "restart_displacement"),
    };
    c->relax.max_iterations = (int)lc_deck_int(deck, "relax", "max_iterations");
    c->relax.gradient_atol = lc_deck_double(deck, "relax", "gradient_atol");
    c->validity.coordination = (int)lc_deck_int(deck, "relax", "coordination");
    c->validity.bond_cutoff = lc_deck_double(deck, "relax", "bond_cutoff");
    c->validity.min_distance = lc_deck_double(deck, "relax", "min_distance");
    c->validity.min_dimensionality = (int)lc_deck_int(deck, "relax", "min_dimensionality");
    r->match = lc_match_loose_options();
    r->match.site_tolerance = lc_deck_double(deck, "relax", "match_site_tolerance");
    r->match.length_tolerance = lc_deck_double(deck, "relax", "match_length_tolerance");
    r->match.angle_tolerance = lc_deck_double(deck, "relax", "match_angle_tolerance");
    r->match.scale = lc_deck_bool(deck, "relax", "match_scale");
    r->dedup = lc_deck_bool(deck, "relax", "dedup");
    r->match_density_tolerance = lc_deck_double(deck, "relax", "match_density_tolerance");
    r->species = (int)lc_deck_int(deck, "relax", "species");
    return 0;
}

void lc_relax_setup_free(lc_relax_setup *r) {
    free(r->reference);
    r->reference = NULL;
    lc_so3_free(&r->plan);
}

void lc_relax_setup_candidate(const lc_relax_setup *r, const double *row_array, int max_sites, lc_candidate *c,
                              int *spacegroup) {
    lc_row row;
    lc_row_status parsed = lc_row_from_array(row_array, max_sites, r->species, &row);
    *spacegroup = row.spacegroup;
    if (parsed == LC_ROW_OK) {
        lc_candidate_relax(&row, &r->candidate, c);
        return;
    }
    memset(c, 0, sizeof *c);
    lc_structure_init(&c->structure, 0);
    c->status = LC_CANDIDATE_UNDECODABLE;
    c->row_status = parsed;
}

int lc_relax_split_petsc_options(int argc, char **argv, char **ours, char **petsc, int *n_petsc) {
    int n_ours = 0;
    *n_petsc = 1;
    petsc[0] = argv[0];
    for (int i = 0; i < argc; i++) {
        if (i > 0 && strncmp(argv[i], "-relax_", 7) == 0) {
            petsc[(*n_petsc)++] = argv[i];
            if (i + 1 < argc && argv[i + 1][0] != '-') petsc[(*n_petsc)++] = argv[++i];
        } else {
            ours[n_ours++] = argv[i];
        }
    }
    petsc[*n_petsc] = NULL;
    return n_ours;
}
