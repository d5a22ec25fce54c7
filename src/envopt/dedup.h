/* Deduplication of relaxed candidates: a candidate is a duplicate when it is the same crystal (lc_match_cells,
 * pymatgen StructureMatcher semantics) as an earlier unique one. Candidates are offered in id order, so the first
 * of each crystal is the unique one and the result does not depend on how the work was split.
 *
 * The bucket key (atoms of the primitive cell) is what every match needs equal; the density window is a second
 * cheap filter when cells are compared unscaled. A campaign gives each key to one rank: lc_dedup over the
 * candidates of that rank's keys gives the same answers as one lc_dedup over all. */
#ifndef LEGOCRYST_ENVOPT_DEDUP_H
#define LEGOCRYST_ENVOPT_DEDUP_H

#include "core/structure.h"
#include "symmetry/match.h"

typedef struct {
    lc_match_options match;
    double density_window; /* matching crystals differ in density by less than this ratio */
    long n, capacity;
    lc_match_cell *cells;  /* [n] the unique crystals so far */
    long long *ids;
    double *density;
} lc_dedup;

void lc_dedup_init(lc_dedup *d, const lc_match_options *match);
void lc_dedup_free(lc_dedup *d);
/* The bucket key of a structure: atoms in its primitive cell; 0 when it has none (no atoms, flat cell). */
int lc_dedup_key(const lc_structure *s, const lc_match_options *match);
/* Offers candidate id (ids increase from call to call): returns the id of the unique crystal it matches, or -1
 * when it is new (it is kept as unique then, unless its primitive cell cannot be found). *key (may be NULL)
 * gets lc_dedup_key of s. */
long long lc_dedup_offer(lc_dedup *d, long long id, const lc_structure *s, double density, int *key);

#endif
