/* Group-subgroup augmentation: one crystal written as many different LEGO-Cryst rows.
 *
 * A description is (space group K, the crystal's atoms in K's standard conventional cell). The source's own
 * description comes from spglib; a maximal subgroup H of K (t: fewer operations; k: lost centring or a doubled
 * cell) gives a new description by adding a marker orbit of H (a generic point, a species of its own) so that
 * spglib sees exactly H and standardises the crystal into H's setting, markers removed; applied recursively.
 * Each accepted description contributes rows that differ in the origin (shifts that leave K's operations
 * unchanged) and in which orbit member each site writes. Rows that break the filters are not kept; duplicate rows
 * are dropped. Random choices come from Philox keyed by (seed, source id), so a source's rows do not depend on
 * which rank makes them. */
#ifndef LEGOCRYST_LEGO_AUGMENT_H
#define LEGOCRYST_LEGO_AUGMENT_H

#include <stdint.h>

#include "core/error.h"
#include "core/structure.h"
#include "row.h"

typedef struct {
    int max_sites;          /* 8 */
    int max_dof;            /* 24 */
    double max_length;      /* 50 A: every cell length below */
    double min_angle;       /* 30 degrees */
    double max_angle;       /* 150 degrees */
    int rows_per_source;    /* 500 */
    int rows_original;      /* 300: at most this many from the source's own description */
    int rows_per_subgroup;  /* 100: at most this many from each subgroup description */
    int max_depth;          /* 3: subgroup of subgroup of ... */
    double symprec;         /* 1e-3 A */
    uint64_t seed;
} lc_augment_options;

lc_augment_options lc_augment_default_options(void);

typedef struct {
    int n_rows;
    int capacity;
    int columns;            /* lc_row_columns(max_sites) */
    double *rows;           /* [n_rows][columns] */
    int *description;       /* [n_rows]: which description (0 = the source's own) */
    int n_descriptions;
    int description_spacegroup[64];
    int description_depth[64];
} lc_augment_result;

void lc_augment_result_free(lc_augment_result *r);

/* Does a row pass the filters (sites, degrees of freedom, cell lengths and angles)? */
int lc_augment_row_passes(const lc_row *row, const lc_augment_options *options);

/* Rows for one source structure (any cell). -1 with err when spglib cannot describe it. A source whose own
 * description breaks the filters yields zero rows (not an error). */
int lc_augment_source(const lc_structure *source, int64_t source_id, const lc_augment_options *options,
                      lc_augment_result *out, lc_error *err);

#endif
