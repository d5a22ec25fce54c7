/* The 150 sp2 carbon structures of ../shared: spglib (through legocryst's reader and wrapper) finds the space
 * group listed in index.csv at symprec 1e-3 in every P1 file. Each symmetric twin (DFT-relaxed, asymmetric unit
 * plus operations) declares that same group, and its expansion has exactly that symmetry at a tight tolerance
 * (1e-5 A); at 1e-3 one relaxed twin (sacada_049, P321) already looks like P-3m1, as Python spglib agrees. */
#include <stdio.h>
#include <string.h>

#include "io/structure_io.h"
#include "symmetry/symmetry.h"
#include "test.h"

static int spacegroup_of(const char *path, double symprec, int *number, int *declared, int *n_atoms) {
    lc_structure_list list;
    lc_error err;
    if (lc_structure_list_read(path, LC_FORMAT_AUTO, NULL, &list, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    int ok = list.count == 1;
    lc_symmetry_options options = lc_symmetry_default_options();
    options.symprec = symprec;
    lc_symmetry_dataset d;
    if (ok && lc_symmetry_analyze(&list.items[0], &options, &d, &err) == 0) {
        *number = d.number;
        *n_atoms = list.items[0].n_atoms;
        *declared = list.declared_spacegroup[0];
        lc_symmetry_dataset_free(&d);
    } else {
        ok = 0;
    }
    lc_structure_list_free(&list);
    return ok ? 0 : -1;
}

int main(void) {
    char index_path[1024];
    snprintf(index_path, sizeof index_path, "%s/data/sp2_carbon/index.csv", LEGOCRYST_SHARED_DIR);
    FILE *index = fopen(index_path, "r");
    if (!index) {
        printf("skipped: %s not found (the shared data folder is not beside the checkout)\n", index_path);
        return TEST_SKIP;
    }
    char line[4096];
    int rows = 0, matched_p1 = 0, matched_symmetric = 0;
    if (!fgets(line, sizeof line, index)) return EXIT_FAILURE; /* header */
    while (fgets(line, sizeof line, index)) {
        int id = 0, natoms = 0, expected = 0;
        char file[256];
        if (sscanf(line, "%d,%255[^,],%d,%d", &id, file, &natoms, &expected) != 4) continue;
        rows++;
        char path[1024], stem[256];
        int number = 0, n_atoms = 0, declared = 0;
        snprintf(path, sizeof path, "%s/data/sp2_carbon/%s", LEGOCRYST_SHARED_DIR, file);
        int ok = spacegroup_of(path, 1e-3, &number, &declared, &n_atoms) == 0;
        CHECK_MSG(ok && number == expected && n_atoms == natoms, "%s: space group %d (index %d), %d atoms (%d)",
                  file, number, expected, n_atoms, natoms);
        matched_p1 += ok && number == expected;

        /* cif/sacada_001.cif -> cif_symmetric/sacada_001_vasp.cif */
        snprintf(stem, sizeof stem, "%s", strrchr(file, '/') ? strrchr(file, '/') + 1 : file);
        char *dot = strrchr(stem, '.');
        if (dot) *dot = '\0';
        snprintf(path, sizeof path, "%s/data/sp2_carbon/cif_symmetric/%s_vasp.cif", LEGOCRYST_SHARED_DIR, stem);
        ok = spacegroup_of(path, 1e-5, &number, &declared, &n_atoms) == 0;
        CHECK_MSG(ok && number == expected && declared == expected, "%s: space group %d, declared %d (index %d)",
                  path, number, declared, expected);
        matched_symmetric += ok && number == expected && declared == expected;
    }
    fclose(index);
    printf("%d structures: space group as in index.csv for %d P1 files (symprec 1e-3) and %d symmetric files "
           "(declared and found at 1e-5)\n", rows, matched_p1,
           matched_symmetric);
    CHECK(rows == 150);
    return test_summary();
}
