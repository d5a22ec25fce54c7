/* What a candidate database holds, in numbers: how many candidates decoded, relaxed to a valid environment and are
 * unique, how they spread over space groups, the best of them and how fast the run made them. `legocryst report`
 * prints it; a campaign computes it on its gathered arrays and stores it in its database (/summary,
 * docs/candidate-database.md). */
#ifndef LEGOCRYST_REPORT_SUMMARY_H
#define LEGOCRYST_REPORT_SUMMARY_H

#include <stdio.h>

#include "core/error.h"
#include "mpi/h5_parallel.h"

enum {
    LC_SUMMARY_SPACEGROUPS = 230,
    LC_SUMMARY_DEFAULT_BEST = 10,
};

/* Per-candidate arrays, as in the database's /candidates (statuses are lc_candidate_status). */
typedef struct {
    long n;
    const long long *id;           /* [n] */
    const int *status;             /* [n] 0 valid, 1 invalid, 2 failed, 3 undecodable, 4 duplicate */
    const int *spacegroup_relaxed; /* [n] 0 when undecodable */
    const int *dimensionality;     /* [n] */
    const int *n_atoms;            /* [n] */
    const double *objective;       /* [n][2] before, after */
    const double *density;         /* [n] */
    double wall_seconds;           /* of the run that made them; NaN (or <= 0) when unknown: no rates */
} lc_summary_input;

/* One of the best candidates. */
typedef struct {
    long row;            /* position in the input arrays (the database row for lc_summary_read_db) */
    long long id;
    int spacegroup;      /* relaxed */
    int n_atoms;
    double density;      /* g/cm^3 */
    double objective;    /* after relaxation */
} lc_summary_best;

typedef struct {
    long long n_total;
    long long n_decodable;  /* status != undecodable */
    long long n_valid_env;  /* valid or duplicate: relaxed to a valid environment */
    long long n_unique;     /* valid (duplicates not counted) */
    long long n_3d;         /* valid or duplicate with a 3-D bonded network */
    long long n_unique_3d;  /* valid with a 3-D bonded network */
    long long n_failed;
    long long n_invalid;
    /* [g - 1][0, 1, 2]: candidates, valid or duplicate, valid in relaxed space group g (undecodable ones, whose
     * relaxed group is 0, count in no group) */
    long long spacegroup_counts[LC_SUMMARY_SPACEGROUPS][3];
    int n_best;             /* min(best_k, unique candidates with a finite objective) */
    lc_summary_best *best;  /* [n_best] lowest objective after first; ties by id */
    double wall_seconds, candidates_per_second, valid_per_second; /* valid: valid or duplicate; NaN when unknown */
} lc_summary;

/* Computes the summary of in with the best_k lowest-objective unique candidates. Returns -1 (out zeroed) when
 * best_k < 0, in->n < 0 or a status is not 0..4. Free out with lc_summary_free. */
int lc_summary_compute(const lc_summary_input *in, int best_k, lc_summary *out);
void lc_summary_free(lc_summary *s);

/* Reads /candidates of a candidate database and computes its summary. The run's wall time is the attribute
 * wall_seconds on "/" when present, else end_time - start_time (whole seconds; unknown when 0 or unreadable).
 * Returns -1 with err set when the file is not a readable candidate database. */
int lc_summary_read_db(const char *path, int best_k, lc_summary *out, lc_error *err);

/* Human-readable text, and one JSON object (NaN as null). */
void lc_summary_print(FILE *f, const lc_summary *s);
void lc_summary_print_json(FILE *f, const lc_summary *s);

/* Collective over f's ranks: every rank calls it with a summary of the same n_best (the shape of /summary/best;
 * e.g. each rank computed it from the same allgathered arrays), and rank 0's values are written as the group
 * /summary of f (layout in docs/candidate-database.md). Returns -1 on every rank with err set when /summary
 * exists. */
int lc_summary_write(lc_h5_file *f, const lc_summary *s, lc_error *err);

/* Writes the k lowest-objective unique candidates of a candidate database as CIF files (P1) named ID_sgN.cif into
 * folder (created when missing), as `legocryst export` names them. Returns the number written (fewer than k when
 * there are fewer unique candidates), or -1 with err set. */
int lc_summary_export_best(const char *db_path, int k, const char *folder, lc_error *err);

#endif
