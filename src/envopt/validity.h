/* Is a relaxed candidate a valid structure of the building unit? Coordination of every atom, no two atoms too
 * close, and the dimensionality of the bonded network (0 molecules ... 3 a framework). */
#ifndef LEGOCRYST_ENVOPT_VALIDITY_H
#define LEGOCRYST_ENVOPT_VALIDITY_H

#include "core/structure.h"

typedef struct {
    int coordination;      /* required neighbours of every atom within the bond cutoff (3 for sp2 carbon) */
    double bond_cutoff;    /* Angstrom; <= 0: bond_scale x the sum of covalent radii of the pair */
    double bond_scale;     /* 1.2 */
    double min_distance;   /* Angstrom: no pair closer */
    int min_dimensionality; /* 3: keep only 3-D networks; 0: any */
} lc_validity_options;

/* sp2 carbon: coordination 3, bond cutoff 1.2 x (0.78 + 0.78) = 1.872 A as LEGO-Cryst, min distance 1.0 A,
 * 3-D networks only. */
lc_validity_options lc_validity_default_options(void);

typedef struct {
    int valid;
    int min_coordination, max_coordination;
    double min_distance;     /* shortest interatomic distance (over periodic images) */
    int dimensionality;      /* largest over the bonded components: rank of their periodic translations */
} lc_validity_result;

/* Fills result and returns result->valid. */
int lc_validity_check(const lc_structure *s, const lc_validity_options *options, lc_validity_result *result);

/* Dimensionality of the network of bonds shorter than `cutoff(i, j)` (bond_cutoff, or the covalent rule). */
int lc_network_dimensionality(const lc_structure *s, const lc_validity_options *options);

#endif
