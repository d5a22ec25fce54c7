/* The [relax] section as ready-to-use settings, and PETSc's command-line options: what `relax` and `campaign`
 * share. */
#ifndef LEGOCRYST_CLI_RELAX_SETUP_H
#define LEGOCRYST_CLI_RELAX_SETUP_H

#include "core/error.h"
#include "deck.h"
#include "envopt/candidate.h"
#include "symmetry/match.h"

typedef struct {
    lc_so3_plan plan;
    double *reference;            /* [plan.n_components] the target environment */
    lc_candidate_settings candidate;
    lc_match_options match;       /* dedup: pymatgen StructureMatcher semantics (docs/relax.md) */
    int dedup;
    double match_density_tolerance; /* dedup: densities further apart are different crystals (0: off) */
    int species;                  /* atomic number of the rows' single species */
} lc_relax_setup;

/* Returns -1 with err set for a bad descriptor setting or an unreadable reference structure. */
int lc_relax_setup_from_deck(lc_relax_setup *r, const lc_deck *deck, lc_error *err);
void lc_relax_setup_free(lc_relax_setup *r);

/* One row as an array (lc_row_from_array layout) through decoding and relaxation; a row that does not parse is
 * undecodable with its row status. *spacegroup gets the row's group (0 when unreadable). */
void lc_relax_setup_candidate(const lc_relax_setup *r, const double *row_array, int max_sites, lc_candidate *c,
                              int *spacegroup);

/* Splits argv into our arguments (returned count, into ours) and the -relax_* PETSc options with their values
 * (into petsc, after argv[0], NULL-terminated; *n_petsc counts argv[0]). ours and petsc need argc + 2 slots. */
int lc_relax_split_petsc_options(int argc, char **argv, char **ours, char **petsc, int *n_petsc);

#endif
