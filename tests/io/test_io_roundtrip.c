/* Write then read back: P1 CIF and POSCAR give the same lattice (CIF: up to orientation), species and
 * coordinates to 1e-9; a symmetric CIF expands back to the full structure; extxyz carries the lattice and
 * Cartesian positions; files appear only when complete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/cif_write.h"
#include "io/structure_io.h"
#include "io_fixtures.h"
#include "test.h"

static char dir[256];

static const char *path_in_dir(const char *name) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static int file_exists(const char *path) { return access(path, F_OK) == 0; }

static void read_one(const char *path, lc_file_format format, lc_structure_list *list) {
    lc_error err;
    int status = lc_structure_list_read(path, format, NULL, list, &err);
    CHECK_MSG(status == 0, "%s", err.message);
    if (status == 0) CHECK(list->count == 1);
}

/* Same atoms in the same order: species equal, fractional coordinates equal modulo 1 to tol. */
static void check_same_order(const lc_structure *a, const lc_structure *b, double tol) {
    CHECK(a->n_atoms == b->n_atoms);
    for (int k = 0; k < a->n_atoms && k < b->n_atoms; k++) {
        CHECK(a->species[k] == b->species[k]);
        for (int i = 0; i < 3; i++) {
            double d = a->frac[k][i] - b->frac[k][i];
            CHECK_NEAR(d - nearbyint(d), 0, tol);
        }
    }
}

static void test_cif_p1_roundtrip(void) {
    lc_structure shapes[2];
    make_graphite(&shapes[0]);
    make_triclinic(&shapes[1]);
    for (int t = 0; t < 2; t++) {
        lc_error err;
        const char *path = path_in_dir(t ? "triclinic.cif" : "graphite.cif");
        CHECK_MSG(lc_structure_write(path, LC_FORMAT_AUTO, &shapes[t], &err) == 0, "%s", err.message);
        lc_structure_list list;
        read_one(path, LC_FORMAT_AUTO, &list);
        if (list.count != 1) continue;
        /* a CIF keeps lengths and angles, so the lattice comes back in the standard orientation */
        CHECK_NEAR(metric_difference(list.items[0].lattice, shapes[t].lattice), 0, 1e-9);
        CHECK_NEAR(lc_lattice_volume(list.items[0].lattice), lc_lattice_volume(shapes[t].lattice), 1e-9);
        check_same_order(&list.items[0], &shapes[t], 1e-11);
        CHECK(list.declared_spacegroup[0] == 1 && strcmp(list.declared_symbol[0], "P 1") == 0);
        lc_structure_list_free(&list);
    }
    /* the block name is the structure name with blanks replaced */
    lc_structure_list list;
    read_one(path_in_dir("triclinic.cif"), LC_FORMAT_CIF, &list);
    if (list.count == 1) CHECK(strcmp(list.items[0].name, "triclinic_FeO_test") == 0);
    lc_structure_list_free(&list);
    lc_structure_free(&shapes[0]);
    lc_structure_free(&shapes[1]);
}

static void test_poscar_roundtrip(void) {
    lc_structure shapes[2];
    make_graphite(&shapes[0]);
    make_triclinic(&shapes[1]);
    for (int t = 0; t < 2; t++) {
        lc_error err;
        const char *path = path_in_dir(t ? "POSCAR_triclinic" : "graphite.vasp");
        CHECK_MSG(lc_structure_write(path, LC_FORMAT_AUTO, &shapes[t], &err) == 0, "%s", err.message);
        lc_structure_list list;
        read_one(path, LC_FORMAT_AUTO, &list);
        if (list.count != 1) continue;
        /* a POSCAR keeps the lattice matrix itself */
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) CHECK_NEAR(list.items[0].lattice[i][j], shapes[t].lattice[i][j], 1e-12);
        check_same_order(&list.items[0], &shapes[t], 1e-12);
        CHECK(strcmp(list.items[0].name, shapes[t].name) == 0);
        lc_structure_list_free(&list);
    }
    /* interleaved elements come back grouped (VASP's layout), first-appearance order, stable within elements */
    lc_structure mixed;
    lc_structure_init(&mixed, 0);
    memcpy(mixed.lattice, shapes[1].lattice, sizeof mixed.lattice);
    const int species[4] = {8, 26, 8, 26};
    const double frac[4][3] = {{0.1, 0.1, 0.1}, {0.2, 0.2, 0.2}, {0.3, 0.3, 0.3}, {0.4, 0.4, 0.4}};
    for (int k = 0; k < 4; k++) lc_structure_append(&mixed, species[k], frac[k]);
    lc_error err;
    CHECK(lc_structure_write(path_in_dir("CONTCAR"), LC_FORMAT_AUTO, &mixed, &err) == 0);
    lc_structure_list list;
    read_one(path_in_dir("CONTCAR"), LC_FORMAT_AUTO, &list);
    if (list.count == 1) {
        const int order[4] = {0, 2, 1, 3};
        for (int k = 0; k < 4; k++) {
            CHECK(list.items[0].species[k] == species[order[k]]);
            CHECK_NEAR(list.items[0].frac[k][0], frac[order[k]][0], 1e-15);
        }
        lc_structure_list_free(&list);
    }
    lc_structure_free(&mixed);
    lc_structure_free(&shapes[0]);
    lc_structure_free(&shapes[1]);
}

static void test_symmetric_cif(void) {
    lc_cif_symmetric cell = {0};
    cell.spacegroup_number = 194;
    cell.hm_symbol = "P 63/m m c";
    cell.n_operations = 24;
    cell.rotations = graphite_rot;
    cell.translations = graphite_trans;
    graphite_lattice(cell.lattice);
    const int species[2] = {6, 6};
    const int multiplicity[2] = {2, 2};
    cell.n_sites = 2;
    cell.species = species;
    cell.frac = graphite_sites;
    cell.multiplicity = multiplicity;
    cell.wyckoff_letters = "bc";
    cell.name = "graphite 2H";
    lc_error err;
    const char *path = path_in_dir("graphite_sym.cif");
    CHECK_MSG(lc_cif_write_symmetric(path, &cell, &err) == 0, "%s", err.message);
    lc_structure_list list;
    read_one(path, LC_FORMAT_CIF, &list);
    lc_structure expected;
    make_graphite(&expected);
    if (list.count == 1) {
        CHECK(list.declared_spacegroup[0] == 194 && strcmp(list.declared_symbol[0], "P 63/m m c") == 0);
        CHECK(strcmp(list.items[0].name, "graphite_2H") == 0);
        CHECK_NEAR(metric_difference(list.items[0].lattice, expected.lattice), 0, 1e-9);
        CHECK(same_atoms(&list.items[0], &expected, 1e-9));
        lc_structure_list_free(&list);
    }
    /* the file holds the asymmetric unit with letters and multiplicities */
    FILE *f = fopen(path, "r");
    char text[8192] = "";
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    text[n] = '\0';
    if (f) fclose(f);
    CHECK(strstr(text, "_atom_site_Wyckoff_symbol") && strstr(text, "_atom_site_symmetry_multiplicity"));
    CHECK(strstr(text, "C1     C    2 b ") && strstr(text, "C2     C    2 c "));
    CHECK(strstr(text, "'-x+y,-x,-z+1/2'"));

    /* a description that cannot be right is refused and leaves no file */
    const int bad_multiplicity[2] = {2, 48};
    cell.multiplicity = bad_multiplicity;
    CHECK(lc_cif_write_symmetric(path_in_dir("bad.cif"), &cell, &err) == -1);
    CHECK(strstr(err.message, "multiplicity 48"));
    CHECK(!file_exists(path_in_dir("bad.cif")) && !file_exists(path_in_dir("bad.cif.partial")));
    cell.multiplicity = multiplicity;
    cell.wyckoff_letters = "b?";
    CHECK(lc_cif_write_symmetric(path_in_dir("bad.cif"), &cell, &err) == -1);
    lc_structure_free(&expected);
}

static void test_extxyz(void) {
    lc_structure s;
    make_triclinic(&s);
    lc_error err;
    const char *path = path_in_dir("triclinic.xyz");
    CHECK_MSG(lc_structure_write(path, LC_FORMAT_AUTO, &s, &err) == 0, "%s", err.message);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f) return;
    int n = 0;
    CHECK(fscanf(f, "%d\n", &n) == 1 && n == s.n_atoms);
    char line[1024];
    CHECK(fgets(line, sizeof line, f) != NULL);
    double lattice[9];
    CHECK(sscanf(line, "Lattice=\"%lf %lf %lf %lf %lf %lf %lf %lf %lf\"", &lattice[0], &lattice[1], &lattice[2],
                 &lattice[3], &lattice[4], &lattice[5], &lattice[6], &lattice[7], &lattice[8]) == 9);
    for (int k = 0; k < 9; k++) CHECK_NEAR(lattice[k], s.lattice[k / 3][k % 3], 1e-14);
    CHECK(strstr(line, "Properties=species:S:1:pos:R:3") && strstr(line, "pbc=\"T T T\""));
    for (int k = 0; k < s.n_atoms; k++) {
        char symbol[8];
        double r[3], expected[3];
        CHECK(fscanf(f, "%7s %lf %lf %lf", symbol, &r[0], &r[1], &r[2]) == 4);
        lc_frac_to_cart(s.lattice, s.frac[k], expected);
        CHECK(strcmp(symbol, k < 3 ? "O" : k < 5 ? "Fe" : "H") == 0);
        for (int i = 0; i < 3; i++) CHECK_NEAR(r[i], expected[i], 1e-12);
    }
    fclose(f);
    /* extxyz is written, not read */
    lc_structure_list list;
    CHECK(lc_structure_list_read(path, LC_FORMAT_AUTO, NULL, &list, &err) == -1);
    lc_structure_free(&s);
}

static void test_write_errors_and_guess(void) {
    lc_structure s;
    make_graphite(&s);
    lc_error err;
    CHECK(lc_structure_write("/nonexistent-dir/x.cif", LC_FORMAT_AUTO, &s, &err) == -1);
    CHECK(strstr(err.message, "/nonexistent-dir/x.cif: cannot create /nonexistent-dir/x.cif.partial"));
    CHECK(lc_structure_write(dir, LC_FORMAT_POSCAR, &s, &err) == -1);
    CHECK(strstr(err.message, "is a folder"));
    CHECK(lc_structure_write(path_in_dir("noextension"), LC_FORMAT_AUTO, &s, &err) == -1);
    CHECK(lc_structure_write(path_in_dir("noextension"), LC_FORMAT_POSCAR, &s, &err) == 0);
    CHECK(file_exists(path_in_dir("noextension")) && !file_exists(path_in_dir("noextension.partial")));
    /* a POSCAR without a recognised name is found by content */
    lc_structure_list list;
    read_one(path_in_dir("noextension"), LC_FORMAT_AUTO, &list);
    lc_structure_list_free(&list);
    /* a left-handed cell cannot be a CIF (lengths and angles would mirror it) but can be a POSCAR */
    lc_structure mirrored;
    lc_structure_copy(&mirrored, &s);
    for (int j = 0; j < 3; j++) mirrored.lattice[2][j] = -mirrored.lattice[2][j];
    CHECK(lc_structure_write(path_in_dir("left.cif"), LC_FORMAT_AUTO, &mirrored, &err) == -1);
    CHECK(strstr(err.message, "left-handed"));
    CHECK(!file_exists(path_in_dir("left.cif")) && !file_exists(path_in_dir("left.cif.partial")));
    CHECK(lc_structure_write(path_in_dir("left.vasp"), LC_FORMAT_AUTO, &mirrored, &err) == 0);
    mirrored.species[0] = 0;
    CHECK(lc_structure_write(path_in_dir("bad.vasp"), LC_FORMAT_AUTO, &mirrored, &err) == -1);
    lc_structure_free(&mirrored);
    lc_structure_free(&s);

    CHECK(lc_file_format_guess("a/b/x.CIF") == LC_FORMAT_CIF);
    CHECK(lc_file_format_guess("run/POSCAR") == LC_FORMAT_POSCAR);
    CHECK(lc_file_format_guess("CONTCAR_relaxed") == LC_FORMAT_POSCAR);
    CHECK(lc_file_format_guess("x.vasp") == LC_FORMAT_POSCAR && lc_file_format_guess("x.poscar") == LC_FORMAT_POSCAR);
    CHECK(lc_file_format_guess("x.xyz") == LC_FORMAT_EXTXYZ && lc_file_format_guess("x.extxyz") == LC_FORMAT_EXTXYZ);
    CHECK(lc_file_format_guess("poscar_dir/x.txt") == LC_FORMAT_AUTO);
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/lc_io_roundtrip_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN_TEST(test_cif_p1_roundtrip);
    RUN_TEST(test_poscar_roundtrip);
    RUN_TEST(test_symmetric_cif);
    RUN_TEST(test_extxyz);
    RUN_TEST(test_write_errors_and_guess);
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return test_summary();
}
