/* Malformed files, read from memory: every one must fail with "NAME:LINE: what" naming the right line, and
 * leave an empty list (no crash, no partial result). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/structure_io.h"
#include "test.h"

typedef struct {
    const char *what;
    const char *text; /* NULL: built in main */
    size_t size;      /* 0: strlen(text) */
    int line;
    const char *fragment;
} bad_file;

#define CELL "_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 90\n_cell_angle_beta 90\n" \
             "_cell_angle_gamma 90\n"
#define NUL_CIF "data_x\n_cell_length_a 4\n_cell_length_b 4\0 5\n"
#define NUL_POSCAR "t\n1.0\n3 0 0\n0\0 3 0\n0 0 3\nC\n1\nDirect\n0 0 0\n"
#define SITES "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"

static const bad_file bad_cifs[] = {
    {"empty file", "", 0, 1, "no data block"},
    {"only comments", "# nothing\n\n# here\n", 0, 4, "no data block"},
    {"lone quote first (crashes the library's lexer unguarded)", "'", 0, 1, "data block header"},
    {"text before data_", "_cell_length_a 4\ndata_x\n", 0, 1, "data block header"},
    {"NUL byte", NUL_CIF, sizeof NUL_CIF - 1, 3, "control character 0x00"},
    {"unterminated quote", "data_x\n_title 'open\n" CELL, 0, 2, "CIF syntax"},
    {"unterminated text field", "data_x\n" CELL "_title\n;\nnever closed\n", 0, 10, "text field"},
    {"duplicate tag", "data_x\n" CELL "_cell_length_a 5\n" SITES "C1 0 0 0\n", 0, 8, "more than once"},
    {"loop without values", "data_x\n" CELL "loop_\n_atom_site_label\n", 0, 10, "CIF syntax"},
    {"loop with a missing value", "data_x\n" CELL SITES "C1 0 0 0\nC2 0.5 0.5\n", 0, 15, "wrong number"},
    {"NaN cell length", "data_x\n_cell_length_a nan\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 90\n"
                        "_cell_angle_beta 90\n_cell_angle_gamma 90\n" SITES "C1 0 0 0\n",
     0, 2, "not a number"},
    {"huge cell length", "data_x\n_cell_length_a 1e308\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 90\n"
                         "_cell_angle_beta 90\n_cell_angle_gamma 90\n" SITES "C1 0 0 0\n",
     0, 2, "cell length"},
    {"zero angle", "data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 0\n"
                   "_cell_angle_beta 90\n_cell_angle_gamma 90\n" SITES "C1 0 0 0\n",
     0, 5, "between 0 and 180"},
    {"flat cell", "data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 90\n"
                  "_cell_angle_beta 90\n_cell_angle_gamma 179.9999\n" SITES "C1 0 0 0\n",
     0, 5, "cell"},
    {"missing cell", "data_x\n" SITES "C1 0 0 0\n", 0, 1, "no _cell_length_a"},
    {"unknown element", "data_x\n" CELL SITES "C1 0 0 0\nXx2 0.5 0.5 0.5\n", 0, 14, "element symbol"},
    {"no element at all", "data_x\n" CELL "loop_\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n0 0 0\n",
     0, 12, "neither"},
    {"missing coordinate column", "data_x\n" CELL "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n"
                                  "C1 0 0\n",
     0, 10, "lacks _atom_site_fract_z"},
    {"unknown coordinate", "data_x\n" CELL SITES "C1 0 ? 0\n", 0, 13, "missing"},
    {"non-numeric coordinate", "data_x\n" CELL SITES "C1 0 0.5x 0\n", 0, 13, "not a number"},
    {"coordinate with broken uncertainty", "data_x\n" CELL SITES "C1 0 0.5(3 0\n", 0, 13, "not a number"},
    {"absurd coordinate", "data_x\n" CELL SITES "C1 0 1e200 0\n", 0, 13, "not a fractional coordinate"},
    {"partial occupancy", "data_x\n" CELL "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n"
                          "_atom_site_fract_z\n_atom_site_occupancy\nC1 0 0 0 0.75\n",
     0, 14, "occupancy 0.75"},
    {"bad symmetry operation", "data_x\n" CELL "loop_\n_symmetry_equiv_pos_as_xyz\nx,y,z\n'x,y,z+w'\n" SITES "C1 0 0 0\n",
     0, 11, "symmetry operation"},
    {"operation listed twice", "data_x\n" CELL "loop_\n_symmetry_equiv_pos_as_xyz\nx,y,z\n'x,y,z+1'\n" SITES
                               "C1 0 0 0\n",
     0, 11, "listed twice"},
    {"space group number 0", "data_x\n" CELL "_symmetry_Int_Tables_number 0\n" SITES "C1 0 0 0\n", 0, 8, "1 to 230"},
    {"two elements on one spot", "data_x\n" CELL SITES "C1 0.5 0.5 0.5\nN1 0.5 0.5 0.5\n", 0, 14, "same position"},
    {"Cartesian sites only", "data_x\n" CELL "loop_\n_atom_site_label\n_atom_site_Cartn_x\n_atom_site_Cartn_y\n"
                             "_atom_site_Cartn_z\nC1 0 0 0\n",
     0, 10, "Cartesian"},
    {"CIF 2.0 list", "#\\#CIF_2.0\ndata_x\n" CELL "_x [1 2]\n" SITES "C1 0 0 0\n", 0, 9, "CIF syntax"},
    {"no structure in any block", "data_a\n_title x\ndata_b\n_title y\n", 0, 1, "no data block describes"},
    {"too many operations", NULL, 0, 9, "symmetry operations (at most"},
};

static const bad_file bad_poscars[] = {
    {"empty file", "", 0, 1, "comment line"},
    {"only a comment", "title\n", 0, 2, "scale factor"},
    {"truncated lattice", "t\n1.0\n3 0 0\n0 3 0\n", 0, 5, "lattice vector 3"},
    {"non-numeric lattice", "t\n1.0\n3 abc 0\n0 3 0\n0 0 3\nC\n1\nDirect\n0 0 0\n", 0, 3, "not a number"},
    {"NaN lattice", "t\n1.0\n3 nan 0\n0 3 0\n0 0 3\nC\n1\nDirect\n0 0 0\n", 0, 3, "not a number"},
    {"too few lattice numbers", "t\n1.0\n3 0\n0 3 0\n0 0 3\nC\n1\nDirect\n0 0 0\n", 0, 3, "expected 3 numbers"},
    {"zero scale", "t\n0\n3 0 0\n0 3 0\n0 0 3\nC\n1\nDirect\n0 0 0\n", 0, 2, "zero"},
    {"non-numeric scale", "t\nscale\n3 0 0\n0 3 0\n0 0 3\nC\n1\nDirect\n0 0 0\n", 0, 2, "scale factor"},
    {"flat lattice", "t\n1.0\n3 0 0\n6 0 0\n0 0 3\nC\n1\nDirect\n0 0 0\n", 0, 5, "no volume"},
    {"VASP 4 (no symbols)", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\n1\nDirect\n0 0 0\n", 0, 6, "VASP 4"},
    {"unknown element", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC Xx\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n", 0, 6,
     "not an element"},
    {"counts do not match symbols", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC O\n1\nDirect\n0 0 0\n", 0, 7, "1 counts for 2"},
    {"fractional count", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC\n2.5\nDirect\n0 0 0\n", 0, 7, "not a non-negative integer"},
    {"negative count", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC\n-1\nDirect\n0 0 0\n", 0, 7, "not a non-negative integer"},
    {"huge count", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC\n999999999\nDirect\n0 0 0\n", 0, 7, "more than"},
    {"count beyond the file", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC\n5000\nDirect\n0 0 0\n", 0, 7, "only 2 lines follow"},
    {"zero atoms", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC\n0\nDirect\n", 0, 7, "zero atoms"},
    {"no coordinate mode", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC\n1\n0 0 0\n", 0, 8, "Direct"},
    {"truncated positions", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC\n3\nDirect\n0 0 0\n0.5 0.5 0.5\n", 0, 11,
     "atom position"},
    {"non-numeric position", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC\n1\nDirect\n0 zero 0\n", 0, 9, "not a number"},
    {"position missing a number", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC\n1\nDirect\n0 0\n", 0, 9, "expected 3 numbers"},
    {"absurd position", "t\n1.0\n3 0 0\n0 3 0\n0 0 3\nC\n1\nCartesian\n0 0 1e200\n", 0, 9, "far outside"},
    {"NUL byte", NUL_POSCAR, sizeof NUL_POSCAR - 1, 4, "NUL"},
};

static void check_bad(const bad_file *b, lc_file_format format, const char *name) {
    lc_structure_list list;
    lc_error err;
    size_t size = b->size ? b->size : strlen(b->text);
    int status = lc_structure_list_read_buffer(b->text, size, name, format, NULL, &list, &err);
    CHECK_MSG(status == -1, "%s: accepted", b->what);
    if (status == 0) {
        lc_structure_list_free(&list);
        return;
    }
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s:%d: ", name, b->line);
    CHECK_MSG(strncmp(err.message, prefix, strlen(prefix)) == 0, "%s: wanted %s..., got %s", b->what, prefix,
              err.message);
    CHECK_MSG(strstr(err.message, b->fragment) != NULL, "%s: wanted '%s' in %s", b->what, b->fragment, err.message);
    CHECK(list.count == 0 && list.items == NULL);
}

int main(void) {
    /* 400 operations: more than any space group needs */
    size_t cap = 16384, used = 0;
    char *many = malloc(cap);
    used += (size_t)snprintf(many + used, cap - used, "data_x\n" CELL "loop_\n_symmetry_equiv_pos_as_xyz\n");
    for (int k = 0; k < 400; k++) used += (size_t)snprintf(many + used, cap - used, "'x,y,z+%d/400'\n", k);
    snprintf(many + used, cap - used, SITES "C1 0 0 0\n");

    int n_cif = (int)(sizeof bad_cifs / sizeof bad_cifs[0]);
    for (int k = 0; k < n_cif; k++) {
        bad_file b = bad_cifs[k];
        if (!b.text) b.text = many;
        check_bad(&b, LC_FORMAT_CIF, "bad.cif");
    }
    for (size_t k = 0; k < sizeof bad_poscars / sizeof bad_poscars[0]; k++)
        check_bad(&bad_poscars[k], LC_FORMAT_POSCAR, "POSCAR");
    /* format guessed from the display name and from content reach the same readers */
    check_bad(&bad_cifs[10], LC_FORMAT_AUTO, "guess.cif");
    check_bad(&bad_poscars[3], LC_FORMAT_AUTO, "CONTCAR");
    free(many);
    printf("%d malformed CIFs, %zu malformed POSCARs\n", n_cif, sizeof bad_poscars / sizeof bad_poscars[0]);
    return test_summary();
}
