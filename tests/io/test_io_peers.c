/* What legocryst writes, ASE and pymatgen read back identically: this program writes P1 CIF, symmetric CIF,
 * POSCAR and extxyz files with a reference (NAME.ref.json: lattice, species, fractional coordinates) for each,
 * then runs tests/io/check_with_peers.py on them with Debian's /usr/bin/python3. Exit 77 (skipped) when
 * that Python or its ASE/pymatgen is missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/cif_write.h"
#include "io/structure_io.h"
#include "io_fixtures.h"
#include "test.h"

#define PYTHON "/usr/bin/python3"

static char dir[256];

static void write_reference(const char *file, const char *format, const lc_structure *s, int matrix, int same_order) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.ref.json", dir, file);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fprintf(f, "{\"file\": \"%s\", \"format\": \"%s\", \"orientation\": \"%s\", \"same_order\": %s,\n", file, format,
            matrix ? "matrix" : "parameters", same_order ? "true" : "false");
    fprintf(f, " \"lattice\": [");
    for (int i = 0; i < 3; i++)
        fprintf(f, "%s[%.17g, %.17g, %.17g]", i ? ", " : "", s->lattice[i][0], s->lattice[i][1], s->lattice[i][2]);
    fprintf(f, "],\n \"species\": [");
    for (int k = 0; k < s->n_atoms; k++) fprintf(f, "%s%d", k ? ", " : "", s->species[k]);
    fprintf(f, "],\n \"frac\": [");
    for (int k = 0; k < s->n_atoms; k++)
        fprintf(f, "%s[%.17g, %.17g, %.17g]", k ? ", " : "", s->frac[k][0], s->frac[k][1], s->frac[k][2]);
    fprintf(f, "]}\n");
    CHECK(fclose(f) == 0);
}

/* Writes s as name.cif, name.vasp and name.xyz with their references. pymatgen reorders the atoms of a CIF
 * (by element), so CIF atoms are matched by position rather than by index. */
static void write_all_formats(const char *name, const lc_structure *s) {
    static const struct {
        const char *extension, *format;
        int matrix, same_order;
    } kinds[3] = {{"cif", "cif", 0, 0}, {"vasp", "vasp", 1, 1}, {"xyz", "extxyz", 1, 1}};
    for (int k = 0; k < 3; k++) {
        char file[128], path[512];
        snprintf(file, sizeof file, "%s.%s", name, kinds[k].extension);
        snprintf(path, sizeof path, "%s/%s", dir, file);
        lc_error err;
        CHECK_MSG(lc_structure_write(path, LC_FORMAT_AUTO, s, &err) == 0, "%s", err.message);
        write_reference(file, kinds[k].format, s, kinds[k].matrix, kinds[k].same_order);
    }
}

static void write_graphite_symmetric(void) {
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
    cell.name = "graphite";
    char path[512];
    snprintf(path, sizeof path, "%s/graphite_symmetric.cif", dir);
    lc_error err;
    CHECK_MSG(lc_cif_write_symmetric(path, &cell, &err) == 0, "%s", err.message);
    /* peers expand the operations in their own order */
    lc_structure expected;
    make_graphite(&expected);
    write_reference("graphite_symmetric.cif", "cif", &expected, 0, 0);
    lc_structure_free(&expected);
}

/* Shared structures, when ../shared is there: read by legocryst, written again, compared by the peers. */
static void write_shared(const char *stem) {
    char path[512];
    snprintf(path, sizeof path, "%s/data/sp2_carbon/cif_symmetric/%s_vasp.cif", LEGOCRYST_SHARED_DIR, stem);
    if (access(path, R_OK) != 0) return;
    lc_structure_list list;
    lc_error err;
    int status = lc_structure_list_read(path, LC_FORMAT_CIF, NULL, &list, &err);
    CHECK_MSG(status == 0, "%s", err.message);
    if (status) return;
    write_all_formats(stem, &list.items[0]);
    lc_structure_list_free(&list);
}

int main(void) {
    if (access(PYTHON, X_OK) != 0) {
        printf("skipped: %s not found\n", PYTHON);
        return TEST_SKIP;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/lc_io_peers_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    lc_structure graphite, triclinic;
    make_graphite(&graphite);
    make_triclinic(&triclinic);
    write_all_formats("graphite", &graphite);
    write_all_formats("triclinic", &triclinic);
    write_graphite_symmetric();
    write_shared("sacada_002");
    write_shared("sacada_007");
    lc_structure_free(&graphite);
    lc_structure_free(&triclinic);
    if (test_failures) return test_summary();

    char command[1024];
    snprintf(command, sizeof command, "%s '%s/tests/io/check_with_peers.py' '%s'", PYTHON, LEGOCRYST_SOURCE_DIR, dir);
    int status = system(command);
    int code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", dir);
    if (code == TEST_SKIP) return TEST_SKIP;
    CHECK_MSG(code == 0, "check_with_peers.py exited with %d", code);
    return test_summary();
}
