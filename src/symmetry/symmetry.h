/* Symmetry analysis of a structure: a thin layer over spglib. */
#ifndef LEGOCRYST_SYMMETRY_SYMMETRY_H
#define LEGOCRYST_SYMMETRY_SYMMETRY_H

#include "core/error.h"
#include "core/structure.h"

typedef struct {
    double symprec;         /* Cartesian distance tolerance, Angstrom (default 1e-3) */
    double angle_tolerance; /* degrees; negative lets spglib choose (default -1) */
} lc_symmetry_options;

lc_symmetry_options lc_symmetry_default_options(void);

typedef struct {
    int number;              /* space-group number 1..230 */
    int hall_number;
    char symbol[16];         /* short Hermann-Mauguin symbol */
    char hall_symbol[20];
    char pointgroup[8];
    /* operations of the input cell: x' = R x + t on fractional column vectors */
    int n_operations;
    int (*rotations)[3][3];
    double (*translations)[3];
    /* per atom of the input structure */
    int n_atoms;
    char *wyckoff_letters;       /* 'a', 'b', ... */
    char (*site_symmetry)[8];    /* oriented site-symmetry symbol, e.g. "-6m2" */
    int *equivalent_atoms;       /* index of the first atom of the same orbit */
    /* standardised conventional cell = (P, p) applied to the input (spglib's transformation_matrix, origin_shift) */
    double transformation[3][3];
    double origin_shift[3];
    lc_structure standardized;   /* idealised standard conventional cell (rows convention) */
} lc_symmetry_dataset;

/* Returns 0 on success; -1 (err filled) when spglib finds no space group at this tolerance. */
int lc_symmetry_analyze(const lc_structure *s, const lc_symmetry_options *options, lc_symmetry_dataset *out,
                        lc_error *err);
void lc_symmetry_dataset_free(lc_symmetry_dataset *d);

/* Standardised conventional (to_primitive == 0) or primitive (to_primitive != 0) cell, idealised. */
int lc_symmetry_standardize(const lc_structure *s, int to_primitive, const lc_symmetry_options *options,
                            lc_structure *out, lc_error *err);

#endif
