/* Maximal subgroups of the 230 space groups, derived from their operations (no tables).
 *
 * translationengleiche (t) subgroups keep the lattice and lose point operations; klassengleiche (k) subgroups keep
 * the point group and lose translations: centring translations of the conventional cell, or lattice translations
 * when the cell is enlarged (here: doubled along a, b or c where the point group allows). Operations act on
 * fractional column vectors of the cell they are given in: x' = R x + t. */
#ifndef LEGOCRYST_SYMMETRY_SUBGROUP_H
#define LEGOCRYST_SYMMETRY_SUBGROUP_H

#include "spacegroup.h"

enum { LC_MAX_SUBGROUP_OPERATIONS = 2 * LC_MAX_OPERATIONS };

typedef struct {
    char kind;              /* 't' or 'k' */
    int index;              /* [G : H] */
    int supercell[3];       /* cell of H's operations = conventional cell of G scaled by these factors along a, b, c */
    int n_operations;       /* modulo the lattice of that cell */
    int (*rotations)[3][3];
    double (*translations)[3];
} lc_subgroup;

typedef struct {
    int count;
    lc_subgroup *items;
} lc_subgroup_list;

/* Every maximal subgroup of space group `number` (standard setting) of index 2 or more: all t-subgroups and the
 * k-subgroups that lose centring translations, then the index-2 k-subgroups of the doubled cells. Derived on first
 * use and cached; NULL when number is out of range. */
const lc_subgroup_list *lc_subgroups_maximal(int number);
void lc_subgroups_release_all(void);

#endif
