/* POSCAR reading: scale factor forms (one, negative = volume, three), Cartesian and selective dynamics, POTCAR
 * suffixes on symbols, Windows line ends, trailing velocity blocks. */
#include <string.h>

#include "io/structure_io.h"
#include "io_fixtures.h"
#include "test.h"

static int read_poscar(const char *text, lc_structure_list *list) {
    lc_error err;
    int status = lc_structure_list_read_buffer(text, strlen(text), "POSCAR", LC_FORMAT_POSCAR, NULL, list, &err);
    CHECK_MSG(status == 0, "%s", err.message);
    if (status == 0) CHECK(list->count == 1 && list->declared_spacegroup[0] == 0 && list->declared_symbol[0][0] == 0);
    return status;
}

static void test_cartesian_selective(void) {
    const char *text = "NaCl, Cartesian\n"
                       "5.64\n"
                       " 1 0 0\n 0 1 0\n 0 0 1\n"
                       "Na Cl\n2 2\n"
                       "Selective dynamics\n"
                       "Cartesian\n"
                       " 0.00 0.00 0.00 T T T\n"
                       " 0.50 0.50 0.00 F F F\n"
                       " 0.50 0.00 0.00 T F T Cl\n"
                       " 0.00 0.50 -0.25 T T F Cl\n"
                       "\n 0 0 0\n 0 0 0\n 0 0 0\n 0 0 0\n";
    lc_structure_list list;
    if (read_poscar(text, &list)) return;
    /* VASP multiplies Cartesian positions by the scale factor, as it does the lattice */
    const lc_structure *s = &list.items[0];
    CHECK(strcmp(s->name, "NaCl, Cartesian") == 0);
    CHECK_NEAR(s->lattice[0][0], 5.64, 1e-14);
    CHECK_NEAR(s->lattice[0][1], 0, 0);
    CHECK(s->n_atoms == 4);
    const int species[4] = {11, 11, 17, 17};
    const double frac[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0}, {0, 0.5, 0.75}};
    for (int k = 0; k < 4 && k < s->n_atoms; k++) {
        CHECK(s->species[k] == species[k]);
        for (int i = 0; i < 3; i++) CHECK_NEAR(s->frac[k][i], frac[k][i], 1e-14);
    }
    lc_structure_list_free(&list);
}

static void test_negative_scale_is_volume(void) {
    const char *text = "volume\n-100.0\n 4.0 0.0 0.0\n 0.5 4.5 0.0\n 0.2 0.3 5.0\nO_pv Fe/abc H\n1 2 1\ndirect\n"
                       " 0.1 0.2 0.3\n 0.5 0.5 0.5\n -0.25 1.5 0.0\n 0.9 0.9 0.9\n";
    lc_structure_list list;
    if (read_poscar(text, &list)) return;
    const lc_structure *s = &list.items[0];
    CHECK_NEAR(lc_lattice_volume(s->lattice), 100.0, 1e-10);
    /* the shape is kept: rows stay proportional to the file's */
    double f = s->lattice[0][0] / 4.0;
    CHECK_NEAR(s->lattice[1][1], 4.5 * f, 1e-12);
    CHECK_NEAR(s->lattice[2][2], 5.0 * f, 1e-12);
    const int species[4] = {8, 26, 26, 1};
    for (int k = 0; k < 4 && k < s->n_atoms; k++) CHECK(s->species[k] == species[k]);
    CHECK_NEAR(s->frac[2][0], 0.75, 1e-15); /* wrapped */
    CHECK_NEAR(s->frac[2][1], 0.5, 1e-15);
    lc_structure_list_free(&list);
}

static void test_three_scales_and_crlf(void) {
    const char *text = "per-axis\r\n1.0 2.0 0.5\r\n 3.0 0.0 0.0\r\n 0.0 1.5 0.0\r\n 0.0 0.0 8.0\r\nSi\r\n2\r\nCartesian\r\n"
                       "0 0 0\r\n1.5 1.5 2.0\r\n";
    lc_structure_list list;
    if (read_poscar(text, &list)) return;
    const lc_structure *s = &list.items[0];
    CHECK(strcmp(s->name, "per-axis") == 0);
    CHECK_NEAR(s->lattice[0][0], 3.0, 1e-15);
    CHECK_NEAR(s->lattice[1][1], 3.0, 1e-15);
    CHECK_NEAR(s->lattice[2][2], 4.0, 1e-15);
    /* Cartesian positions are scaled like the lattice: (1.5, 3.0, 1.0) in a 3x3x4 cell */
    CHECK_NEAR(s->frac[1][0], 0.5, 1e-15);
    CHECK_NEAR(s->frac[1][1], 0.0, 1e-15); /* 3.0 / 3.0 wraps to 0 */
    CHECK_NEAR(s->frac[1][2], 0.25, 1e-15);
    lc_structure_list_free(&list);
}

static void test_guessing_by_content(void) {
    /* a file whose name says nothing is a POSCAR unless it starts with data_ */
    const char *text = "Cu\n3.6\n0 0.5 0.5\n0.5 0 0.5\n0.5 0.5 0\nCu\n1\nDirect\n0 0 0\n";
    lc_structure_list list;
    lc_error err;
    CHECK(lc_structure_list_read_buffer(text, strlen(text), "structure.txt", LC_FORMAT_AUTO, NULL, &list, &err) == 0);
    if (list.count == 1) {
        CHECK_NEAR(lc_lattice_volume(list.items[0].lattice), 3.6 * 3.6 * 3.6 / 4, 1e-12);
        lc_structure_list_free(&list);
    }
    CHECK(lc_structure_list_read_buffer(text, strlen(text), "structure.txt", LC_FORMAT_AUTO, "block", &list, &err) ==
          -1);
}

int main(void) {
    RUN_TEST(test_cartesian_selective);
    RUN_TEST(test_negative_scale_is_volume);
    RUN_TEST(test_three_scales_and_crlf);
    RUN_TEST(test_guessing_by_content);
    return test_summary();
}
