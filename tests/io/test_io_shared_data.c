/* The 150 sp2-carbon structures of ../shared: every P1 CIF and every symmetric CIF reads, the symmetric one
 * expands to as many atoms as its P1 twin, and both agree with index.csv (atom count, space group). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/structure_io.h"
#include "test.h"

#define DATA LEGOCRYST_SHARED_DIR "/data/sp2_carbon"

typedef struct {
    char file[128]; /* sacada_001.cif */
    int natoms, spacegroup;
} index_row;

/* index.csv: id,file,natoms,space_group_number,... (later columns may hold quoted commas; not needed). */
static int read_index(index_row *rows, int max) {
    FILE *f = fopen(DATA "/index.csv", "r");
    if (!f) return -1;
    char line[4096];
    int n = 0;
    if (!fgets(line, sizeof line, f)) n = -1;
    while (n >= 0 && n < max && fgets(line, sizeof line, f)) {
        char path[128];
        int id;
        if (sscanf(line, "%d,%127[^,],%d,%d", &id, path, &rows[n].natoms, &rows[n].spacegroup) != 4) continue;
        const char *base = strrchr(path, '/');
        snprintf(rows[n].file, sizeof rows[n].file, "%s", base ? base + 1 : path);
        n++;
    }
    fclose(f);
    return n;
}

static int count_cifs(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strlen(e->d_name) > 4 && strcmp(e->d_name + strlen(e->d_name) - 4, ".cif") == 0) n++;
    closedir(d);
    return n;
}

int main(void) {
    index_row rows[200];
    int n = read_index(rows, 200);
    if (n < 0 || count_cifs(DATA "/cif") < 0) {
        printf("skipped: shared data not found under %s\n", DATA);
        return TEST_SKIP;
    }
    CHECK(n == 150);
    CHECK(count_cifs(DATA "/cif") == 150);
    CHECK(count_cifs(DATA "/cif_symmetric") == 150);
    int read_ok = 0, twins_ok = 0;
    for (int i = 0; i < n; i++) {
        char p1_path[512], sym_path[512], stem[64];
        snprintf(stem, sizeof stem, "%.*s", (int)(strlen(rows[i].file) - 4), rows[i].file);
        snprintf(p1_path, sizeof p1_path, "%s/cif/%s", DATA, rows[i].file);
        snprintf(sym_path, sizeof sym_path, "%s/cif_symmetric/%s_vasp.cif", DATA, stem);
        lc_structure_list p1, sym;
        lc_error err;
        int p1_status = lc_structure_list_read(p1_path, LC_FORMAT_AUTO, NULL, &p1, &err);
        CHECK_MSG(p1_status == 0, "%s", err.message);
        int sym_status = lc_structure_list_read(sym_path, LC_FORMAT_AUTO, NULL, &sym, &err);
        CHECK_MSG(sym_status == 0, "%s", err.message);
        if (p1_status == 0 && sym_status == 0) {
            read_ok++;
            CHECK(p1.count == 1 && sym.count == 1);
            CHECK_MSG(p1.items[0].n_atoms == rows[i].natoms, "%s: %d atoms, index.csv says %d", p1_path,
                      p1.items[0].n_atoms, rows[i].natoms);
            CHECK_MSG(sym.items[0].n_atoms == p1.items[0].n_atoms, "%s expands to %d atoms, its P1 twin has %d",
                      sym_path, sym.items[0].n_atoms, p1.items[0].n_atoms);
            CHECK_MSG(sym.declared_spacegroup[0] == rows[i].spacegroup, "%s declares %d, index.csv says %d", sym_path,
                      sym.declared_spacegroup[0], rows[i].spacegroup);
            CHECK(sym.declared_symbol[0][0] != '\0');
            if (sym.items[0].n_atoms == p1.items[0].n_atoms) twins_ok++;
            for (int k = 0; k < sym.items[0].n_atoms; k++) CHECK(sym.items[0].species[k] == 6);
        }
        if (p1_status == 0) lc_structure_list_free(&p1);
        if (sym_status == 0) lc_structure_list_free(&sym);
    }
    printf("%d of %d pairs read, %d symmetric files expand to their P1 atom count\n", read_ok, n, twins_ok);
    return test_summary();
}
