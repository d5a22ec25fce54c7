/* CIF writers: P1 (every atom listed) and symmetric (operations + asymmetric unit with Wyckoff letters). */
#ifndef LEGOCRYST_IO_CIF_WRITE_H
#define LEGOCRYST_IO_CIF_WRITE_H

#include "core/error.h"
#include "core/structure.h"

/* A structure described by its space group. src/io does not compute symmetry: the caller (src/symmetry)
 * supplies the operations of the group in this setting and one representative per Wyckoff site. */
typedef struct {
    int spacegroup_number;           /* 1..230 */
    const char *hm_symbol;           /* Hermann-Mauguin symbol, e.g. "P 63/m m c"; may be NULL */
    int n_operations;                /* all operations of the group in this cell, centring included */
    const int (*rotations)[3][3];    /* [n_operations] acting on fractional coordinates (column vectors) */
    const double (*translations)[3]; /* [n_operations] */
    double lattice[3][3];            /* rows a, b, c in Angstrom */
    int n_sites;
    const int *species;              /* [n_sites] Z */
    const double (*frac)[3];         /* [n_sites] one representative of each site */
    const int *multiplicity;         /* [n_sites] */
    const char *wyckoff_letters;     /* [n_sites] one letter per site ('a'..'z', 'A' for alpha) */
    const char *name;                /* data block name; may be NULL */
} lc_cif_symmetric;

/* Writes _space_group_symop_operation_xyz, the asymmetric unit, _atom_site_Wyckoff_symbol and
 * _atom_site_symmetry_multiplicity. Returns 0 or -1 with err set (invalid description or I/O failure). */
int lc_cif_write_symmetric(const char *path, const lc_cif_symmetric *cell, lc_error *err);

/* Writes s as P1: cell, the identity operation and every atom. */
int lc_cif_write_p1(const char *path, const lc_structure *s, lc_error *err);

#endif
