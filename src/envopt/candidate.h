/* One candidate through local-environment relaxation: row -> decoded trial structure -> TAO in Wyckoff space ->
 * validity and symmetry of the result. */
#ifndef LEGOCRYST_ENVOPT_CANDIDATE_H
#define LEGOCRYST_ENVOPT_CANDIDATE_H

#include "core/structure.h"
#include "lego/row.h"
#include "relax.h"
#include "so3.h"
#include "validity.h"

typedef enum {
    LC_CANDIDATE_VALID = 0,
    LC_CANDIDATE_INVALID,     /* relaxed, but fails the validity rules */
    LC_CANDIDATE_FAILED,      /* the optimiser stopped on an error (e.g. the cell left its domain) */
    LC_CANDIDATE_UNDECODABLE, /* the row is not a crystal (lc_row_status says why) */
    LC_CANDIDATE_DUPLICATE,   /* valid, and the same crystal as an earlier candidate */
    LC_CANDIDATE_STATUS_COUNT
} lc_candidate_status;

const char *lc_candidate_status_name(lc_candidate_status status);

typedef struct {
    const lc_so3_plan *plan;
    const double *reference;      /* [plan->n_components] target environment */
    lc_relax_options relax;
    double min_length, max_length, min_angle, max_angle;
    double merge_distance;
    int snap_special;             /* lc_row_decode_options.snap_special: collapsing sites onto special positions */
    lc_validity_options validity;
    double symprec;
    int restarts;                 /* further solves from displaced starts while no end point is valid (0: none) */
    double restart_displacement;  /* width of the normal displacement of each free coordinate (fractional) */
} lc_candidate_settings;

typedef struct {
    lc_candidate_status status;
    lc_row_status row_status;
    double objective_before, objective_after;
    int iterations;               /* over all attempts */
    int attempts;                 /* solves run: 1 + restarts used */
    lc_relax_result relax;        /* of the kept attempt */
    lc_row relaxed_row;
    lc_structure structure;       /* the relaxed structure (empty when undecodable) */
    lc_validity_result validity;
    int spacegroup_after;         /* spglib's group of the relaxed structure at symprec (0 if none) */
    double density;               /* g/cm^3 */
} lc_candidate;

/* Relaxes one row. out->structure is initialised here; free it with lc_candidate_free. Never fails on bad input:
 * the status says what happened. */
void lc_candidate_relax(const lc_row *row, const lc_candidate_settings *settings, lc_candidate *out);
void lc_candidate_free(lc_candidate *c);

/* The built-in reference environment: graphite, P6_3/mmc, a = 2.46, c = 6.70 A (LEGO-Cryst's). */
void lc_environment_graphite(const lc_so3_plan *plan, double *p);

#endif
