/* Extended XYZ writer (the ASE/OVITO convention): atom count, a comment line of key=value pairs with the lattice,
 * then one "symbol x y z" line per atom in Cartesian Angstrom. */
#include <stdio.h>

#include "core/element.h"
#include "core/lattice.h"
#include "io_internal.h"

int lc_extxyz_write(const char *path, const lc_structure *s, lc_error *err) {
    if (lc_structure_check_writable(s, path, err) != 0) return -1;
    lc_output out;
    if (lc_output_open(&out, path, err) != 0) return -1;
    fprintf(out.file, "%d\nLattice=\"", s->n_atoms);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) fprintf(out.file, "%s%.16g", i + j ? " " : "", s->lattice[i][j]);
    fprintf(out.file, "\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n");
    for (int k = 0; k < s->n_atoms; k++) {
        double r[3];
        lc_frac_to_cart(s->lattice, s->frac[k], r);
        fprintf(out.file, "%-3s %22.16f %22.16f %22.16f\n", lc_element_by_z(s->species[k])->symbol, r[0], r[1], r[2]);
    }
    return lc_output_commit(&out, err);
}
