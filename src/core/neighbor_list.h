/* All pairs within a cutoff over periodic images.
 *
 * Correct for skewed cells and for cutoffs larger than the cell: every image within the cutoff is listed,
 * including images of the atom itself (never the atom at zero shift). Built with a cell list over fractional
 * bins, so the cost grows linearly with the number of atoms. */
#ifndef LEGOCRYST_CORE_NEIGHBOR_LIST_H
#define LEGOCRYST_CORE_NEIGHBOR_LIST_H

#include "structure.h"

typedef struct {
    int n_atoms;
    int *offsets;        /* [n_atoms + 1]: neighbours of atom i are entries offsets[i] .. offsets[i+1]-1 */
    int *index;          /* [n_pairs] neighbour atom j */
    int (*image)[3];     /* [n_pairs] lattice shift n: neighbour position = frac[j] + n */
    double (*vector)[3]; /* [n_pairs] Cartesian r_j + n * lattice - r_i, Angstrom */
    double *distance;    /* [n_pairs] |vector| */
    int n_pairs;
    int capacity;
} lc_neighbor_list;

void lc_neighbor_list_init(lc_neighbor_list *nl);
/* Rebuilds nl for structure s (reusing its memory). The entries of one atom are sorted by distance. */
void lc_neighbor_list_build(lc_neighbor_list *nl, const lc_structure *s, double cutoff);
void lc_neighbor_list_free(lc_neighbor_list *nl);

#endif
