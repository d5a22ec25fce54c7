/* A periodic crystal: lattice, species and fractional coordinates. */
#ifndef LEGOCRYST_CORE_STRUCTURE_H
#define LEGOCRYST_CORE_STRUCTURE_H

#include <stddef.h>

typedef struct {
    double lattice[3][3]; /* rows a, b, c in Angstrom (see lattice.h) */
    int n_atoms;
    int *species;    /* [n_atoms] atomic numbers Z */
    double (*frac)[3]; /* [n_atoms][3] fractional coordinates, wrapped to [0, 1) */
    char name[128];  /* data block, title line or file stem; may be empty */
} lc_structure;

/* Allocates arrays for n_atoms atoms (zeroed); lattice and name zeroed. */
void lc_structure_init(lc_structure *s, int n_atoms);
void lc_structure_free(lc_structure *s);
void lc_structure_copy(lc_structure *dst, const lc_structure *src);
/* Adds one atom (arrays grow as needed). */
void lc_structure_append(lc_structure *s, int species, const double frac[3]);
/* Wraps every fractional coordinate to [0, 1). */
void lc_structure_wrap(lc_structure *s);

/* Reduced formula in Hill order with counts, e.g. "C" for 8 carbons -> writes "C8" when reduced == 0 and
 * "C" when reduced != 0. */
void lc_structure_formula(const lc_structure *s, int reduced, char *buffer, size_t size);
/* Mass density in g/cm^3. */
double lc_structure_density(const lc_structure *s);
/* Smallest interatomic distance over periodic images (Angstrom); +inf for zero atoms. */
double lc_structure_min_distance(const lc_structure *s);

#endif
