/* The candidate table keeps each record's structure whole through add, pack/unpack (moving records between
 * ranks) and sort: the structure read back is the one added, atom for atom (a structure read back with its atoms
 * doubled once fed the campaign's deduplication). */
#include <stdlib.h>
#include <string.h>

#include "cli/candidate_table.h"
#include "test.h"

enum { COLUMNS = 7 + 4 * 2, MAX_SITES = 2 };

static void make_candidate(lc_candidate *c, int n_atoms, double offset) {
    memset(c, 0, sizeof *c);
    c->status = LC_CANDIDATE_VALID;
    c->density = 2.0 + offset;
    lc_structure_init(&c->structure, 0);
    double lattice[3][3] = {{3 + offset, 0, 0}, {0, 4, 0}, {0.5, 0, 5}};
    memcpy(c->structure.lattice, lattice, sizeof lattice);
    for (int i = 0; i < n_atoms; i++) {
        double f[3] = {0.1 * i + offset, 0.2 + 0.05 * i, 0.3};
        lc_structure_append(&c->structure, 6 + i % 2, f);
    }
}

static void check_same(const lc_structure *got, const lc_structure *want) {
    CHECK(got->n_atoms == want->n_atoms);
    CHECK(memcmp(got->lattice, want->lattice, sizeof got->lattice) == 0);
    for (int i = 0; i < want->n_atoms && i < got->n_atoms; i++) {
        CHECK(got->species[i] == want->species[i]);
        CHECK(memcmp(got->frac[i], want->frac[i], sizeof got->frac[i]) == 0);
    }
}

static void test_round_trip(void) {
    double row[COLUMNS] = {0};
    lc_candidate a, b;
    make_candidate(&a, 3, 0.01);
    make_candidate(&b, 2, 0.02);
    lc_candidate_table t;
    lc_candidate_table_init(&t, COLUMNS);
    lc_candidate_table_add(&t, 5, row, 1, &a, MAX_SITES, 3);
    lc_candidate_table_add(&t, 2, row, 1, &b, MAX_SITES, 2);
    lc_structure s;
    lc_candidate_table_structure(&t, 0, &s);
    check_same(&s, &a.structure);
    lc_structure_free(&s);

    /* as a campaign moves records: packed, unpacked elsewhere, sorted by id */
    char *bytes = NULL;
    size_t size = 0, capacity = 0;
    lc_candidate_table_pack(&t, 0, &bytes, &size, &capacity);
    lc_candidate_table_pack(&t, 1, &bytes, &size, &capacity);
    lc_candidate_table moved;
    lc_candidate_table_init(&moved, COLUMNS);
    CHECK(lc_candidate_table_unpack(&moved, bytes, size) == 2);
    lc_candidate_table_sort(&moved);
    CHECK(moved.n == 2 && moved.id[0] == 2 && moved.id[1] == 5);
    CHECK(moved.n_total_atoms == 5);
    lc_candidate_table_structure(&moved, 0, &s);
    check_same(&s, &b.structure);
    lc_structure_free(&s);
    lc_candidate_table_structure(&moved, 1, &s);
    check_same(&s, &a.structure);
    lc_structure_free(&s);
    CHECK(moved.density[0] == b.density && moved.duplicate_of[1] == -1);

    free(bytes);
    lc_candidate_table_free(&moved);
    lc_candidate_table_free(&t);
    lc_structure_free(&a.structure);
    lc_structure_free(&b.structure);
}

int main(void) {
    RUN_TEST(test_round_trip);
    return test_summary();
}
