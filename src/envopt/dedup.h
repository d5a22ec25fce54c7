/* Deduplication of relaxed candidates: a candidate is a duplicate when it is the same crystal (lc_match_cells,
 * pymatgen StructureMatcher semantics) as an earlier unique one with the same space group after relaxation.
 * Candidates are offered in id order, so the first of each crystal is the unique one and the result does not
 * depend on how the work was split.
 *
 * The bucket key is a cheap fingerprint: the atoms of the primitive cell (every match needs them equal) and the
 * space group spglib finds after relaxation (the relaxed minima are symmetric; LEGO-Cryst buckets by density and
 * energy instead, which a scaled match cannot use). Only candidates of one bucket go through the matcher, which
 * keeps 20,000 valid candidates from needing 10^8 matches. The density window is a further filter when cells are
 * compared unscaled. A campaign gives each key to one rank: lc_dedup over the candidates of that rank's keys
 * gives the same answers as one lc_dedup over all. */
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
    int *spacegroup;
} lc_dedup;

/* density_tolerance > 0: candidates whose densities differ by more than this fraction are different crystals
 * without matching (LEGO-Cryst's density pre-split; it also bounds the matcher's work when cells are compared
 * scaled); 0: only what the match tolerances imply. */
void lc_dedup_init(lc_dedup *d, const lc_match_options *match, double density_tolerance);
void lc_dedup_free(lc_dedup *d);
/* The bucket key of a structure: atoms in its primitive cell; 0 when it has none (no atoms, flat cell). */
int lc_dedup_key(const lc_structure *s, const lc_match_options *match);
/* The rank that deduplicates a bucket (ranks >= 1). */
int lc_dedup_bucket_owner(int n_primitive, int spacegroup, int ranks);
/* Offers candidate id (ids increase from call to call) with its relaxed space group: returns the id of the unique
 * crystal it matches, or -1 when it is new (it is kept as unique then, unless its primitive cell cannot be
 * found). *key (may be NULL) gets lc_dedup_key of s. */
long long lc_dedup_offer(lc_dedup *d, long long id, const lc_structure *s, double density, int spacegroup, int *key);

#endif
