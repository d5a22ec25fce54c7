/* CIF 1.1 writers. Numbers carry 12 decimals so that a file read back (by legocryst, ASE or pymatgen) gives
 * positions within 1e-10 A of what was written; tags are the modern core-dictionary names, which both peers and
 * legocryst's reader understand. */
#include "cif_write.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/element.h"
#include "core/lattice.h"
#include "io_internal.h"
#include "symop.h"
#include "version.h"

/* Block codes are non-blank printable ASCII; anything else becomes '_'. */
static void block_code(const char *name, const lc_structure *s, char *code, size_t size) {
    char buffer[128] = "";
    if (name && name[0]) snprintf(buffer, sizeof buffer, "%s", name);
    else if (s) lc_structure_formula(s, 0, buffer, sizeof buffer);
    if (!buffer[0]) snprintf(buffer, sizeof buffer, "legocryst");
    size_t n = strlen(buffer);
    if (n > 70) n = 70; /* CIF 1.1 limits block codes to 75 characters with data_ */
    for (size_t i = 0; i < n && i + 1 < size; i++) {
        unsigned char c = (unsigned char)buffer[i];
        code[i] = c > 32 && c < 127 ? (char)c : '_';
        code[i + 1] = '\0';
    }
}

static void write_header(FILE *f, const char *code) {
    fprintf(f, "# written by legocryst %s (%s)\ndata_%s\n", LEGOCRYST_VERSION, LEGOCRYST_GIT_REVISION, code);
}

static int write_cell(FILE *f, const double lattice[3][3], const char *path, lc_error *err) {
    if (!(lc_lattice_volume(lattice) > 0))
        return lc_error_set(err, path, 0,
                            "left-handed lattice (volume %g): a CIF stores only lengths and angles, which would "
                            "mirror the structure; swap two lattice vectors first",
                            lc_lattice_volume(lattice));
    lc_cell_parameters p = lc_lattice_to_parameters(lattice);
    fprintf(f, "_cell_length_a    %.12f\n_cell_length_b    %.12f\n_cell_length_c    %.12f\n", p.a, p.b, p.c);
    fprintf(f, "_cell_angle_alpha %.12f\n_cell_angle_beta  %.12f\n_cell_angle_gamma %.12f\n", p.alpha, p.beta,
            p.gamma);
    fprintf(f, "_cell_volume      %.6f\n", lc_lattice_volume(lattice));
    return 0;
}

/* Quotes a value that needs it ('...' unless it holds a quote). */
static void write_text_value(FILE *f, const char *text) {
    if (strchr(text, '\'')) fprintf(f, "\"%s\"", text);
    else fprintf(f, "'%s'", text);
}

static double wrap_fraction(double x) { return lc_wrap_unit(x); }

int lc_cif_write_p1(const char *path, const lc_structure *s, lc_error *err) {
    if (lc_structure_check_writable(s, path, err) != 0) return -1;
    lc_output out;
    if (lc_output_open(&out, path, err) != 0) return -1;
    FILE *f = out.file;
    char code[80] = "";
    block_code(s->name, s, code, sizeof code);
    write_header(f, code);
    if (write_cell(f, s->lattice, path, err) != 0) {
        lc_output_abandon(&out);
        return -1;
    }
    fprintf(f, "_space_group_name_H-M_alt 'P 1'\n_space_group_IT_number 1\n\n");
    fprintf(f, "loop_\n_space_group_symop_id\n_space_group_symop_operation_xyz\n1 'x,y,z'\n\n");
    fprintf(f, "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_symmetry_multiplicity\n"
               "_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\n");
    int index[LC_MAX_Z + 1] = {0};
    for (int k = 0; k < s->n_atoms; k++) {
        const char *symbol = lc_element_by_z(s->species[k])->symbol;
        char label[16];
        snprintf(label, sizeof label, "%s%d", symbol, ++index[s->species[k]]);
        fprintf(f, "%-6s %-2s 1 %.12f %.12f %.12f 1\n", label, symbol, wrap_fraction(s->frac[k][0]),
                wrap_fraction(s->frac[k][1]), wrap_fraction(s->frac[k][2]));
    }
    return lc_output_commit(&out, err);
}

static int check_symmetric(const char *path, const lc_cif_symmetric *c, lc_error *err) {
    if (c->spacegroup_number < 1 || c->spacegroup_number > 230)
        return lc_error_set(err, path, 0, "space group number %d is not in 1..230", c->spacegroup_number);
    if (c->n_operations < 1 || c->n_operations > LC_IO_MAX_OPERATIONS || !c->rotations || !c->translations)
        return lc_error_set(err, path, 0, "%d symmetry operations (need 1..%d)", c->n_operations, LC_IO_MAX_OPERATIONS);
    for (int k = 0; k < c->n_operations; k++) {
        const int (*r)[3] = c->rotations[k];
        int det = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) +
                  r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
        if (det != 1 && det != -1)
            return lc_error_set(err, path, 0, "operation %d has a rotation of determinant %d", k + 1, det);
        for (int i = 0; i < 3; i++)
            if (!isfinite(c->translations[k][i]))
                return lc_error_set(err, path, 0, "operation %d has a non-finite translation", k + 1);
    }
    if (c->n_sites < 1 || !c->species || !c->frac || !c->multiplicity || !c->wyckoff_letters)
        return lc_error_set(err, path, 0, "no sites to write");
    for (int k = 0; k < c->n_sites; k++) {
        if (!lc_element_by_z(c->species[k]))
            return lc_error_set(err, path, 0, "site %d has unknown atomic number %d", k + 1, c->species[k]);
        if (c->multiplicity[k] < 1 || c->multiplicity[k] > c->n_operations)
            return lc_error_set(err, path, 0, "site %d has multiplicity %d (the group has %d operations)", k + 1,
                                c->multiplicity[k], c->n_operations);
        char w = c->wyckoff_letters[k];
        if (!((w >= 'a' && w <= 'z') || w == 'A'))
            return lc_error_set(err, path, 0, "site %d has Wyckoff letter '%c' (need a-z or A)", k + 1, w);
        for (int i = 0; i < 3; i++)
            if (!isfinite(c->frac[k][i])) return lc_error_set(err, path, 0, "site %d has a non-finite coordinate", k + 1);
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (!isfinite(c->lattice[i][j])) return lc_error_set(err, path, 0, "lattice has a non-finite entry");
    return 0;
}

int lc_cif_write_symmetric(const char *path, const lc_cif_symmetric *c, lc_error *err) {
    if (check_symmetric(path, c, err) != 0) return -1;
    lc_output out;
    if (lc_output_open(&out, path, err) != 0) return -1;
    FILE *f = out.file;
    char code[80] = "";
    block_code(c->name, NULL, code, sizeof code);
    write_header(f, code);
    if (write_cell(f, c->lattice, path, err) != 0) {
        lc_output_abandon(&out);
        return -1;
    }
    if (c->hm_symbol && c->hm_symbol[0] && !strchr(c->hm_symbol, '\n')) {
        fprintf(f, "_space_group_name_H-M_alt ");
        write_text_value(f, c->hm_symbol);
        fputc('\n', f);
    }
    fprintf(f, "_space_group_IT_number %d\n\n", c->spacegroup_number);
    fprintf(f, "loop_\n_space_group_symop_id\n_space_group_symop_operation_xyz\n");
    for (int k = 0; k < c->n_operations; k++) {
        double t[3];
        for (int i = 0; i < 3; i++) t[i] = lc_wrap_unit(c->translations[k][i]);
        char triplet[256];
        lc_symop_format(c->rotations[k], t, triplet, sizeof triplet);
        fprintf(f, "%d '%s'\n", k + 1, triplet);
    }
    fprintf(f, "\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_symmetry_multiplicity\n"
               "_atom_site_Wyckoff_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
               "_atom_site_occupancy\n");
    int index[LC_MAX_Z + 1] = {0};
    for (int k = 0; k < c->n_sites; k++) {
        const char *symbol = lc_element_by_z(c->species[k])->symbol;
        char label[16];
        snprintf(label, sizeof label, "%s%d", symbol, ++index[c->species[k]]);
        fprintf(f, "%-6s %-2s %3d %c %.12f %.12f %.12f 1\n", label, symbol, c->multiplicity[k], c->wyckoff_letters[k],
                wrap_fraction(c->frac[k][0]), wrap_fraction(c->frac[k][1]), wrap_fraction(c->frac[k][2]));
    }
    return lc_output_commit(&out, err);
}
