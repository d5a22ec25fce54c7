/* Crystal <-> row: encoding, decoding (projection, constraints, undecodable rows), round trips. */
#include <string.h>

#include "core/lattice.h"
#include "core/rng.h"
#include "io/structure_io.h"
#include "lego/row.h"
#include "symmetry/symmetry.h"
#include "symmetry/wyckoff.h"
#include "test.h"

static const lc_row_decode_options decode_options = {.merge_distance = 0.5};

/* Same fractional atoms (as multisets, modulo lattice translations) and the same cell parameters. */
static int same_cell_and_atoms(const lc_structure *a, const lc_structure *b, double tol) {
    if (a->n_atoms != b->n_atoms) return 0;
    lc_cell_parameters pa = lc_lattice_to_parameters(a->lattice), pb = lc_lattice_to_parameters(b->lattice);
    double da[6] = {pa.a, pa.b, pa.c, pa.alpha, pa.beta, pa.gamma}, db[6] = {pb.a, pb.b, pb.c, pb.alpha, pb.beta, pb.gamma};
    for (int k = 0; k < 6; k++)
        if (fabs(da[k] - db[k]) > 1e-6) return 0;
    char *used = calloc((size_t)b->n_atoms, 1);
    int ok = 1;
    for (int i = 0; i < a->n_atoms && ok; i++) {
        int found = 0;
        for (int j = 0; j < b->n_atoms && !found; j++)
            if (!used[j] && a->species[i] == b->species[j] &&
                lc_periodic_distance(a->lattice, a->frac[i], b->frac[j], NULL) < tol)
                used[j] = 1, found = 1;
        ok = found;
    }
    free(used);
    return ok;
}

static lc_structure read_one(const char *path) {
    lc_structure_list list;
    lc_error err;
    lc_structure s;
    if (lc_structure_list_read(path, LC_FORMAT_AUTO, NULL, &list, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        lc_structure_init(&s, 0);
        return s;
    }
    lc_structure_copy(&s, &list.items[0]);
    lc_structure_list_free(&list);
    return s;
}

static void test_graphite_row(void) {
    lc_structure graphite = read_one(LEGOCRYST_SOURCE_DIR "/inputs/structures/graphite.cif");
    CHECK(graphite.n_atoms == 4);
    lc_row row;
    lc_error err;
    CHECK(lc_row_from_structure(&graphite, 1e-3, &row, &err) == 0);
    const lc_wyckoff_table *t = lc_wyckoff_table_get(194);
    CHECK(row.spacegroup == 194 && row.n_sites == 2);
    CHECK(t->positions[row.sites[0].wyckoff_index].letter == 'c');
    CHECK(t->positions[row.sites[1].wyckoff_index].letter == 'b');
    CHECK(lc_row_degrees_of_freedom(&row) == 2);
    CHECK_NEAR(row.cell[0], 2.464, 1e-9);
    CHECK_NEAR(row.cell[2], 6.711, 1e-9);

    double array[39];
    lc_row_to_array(&row, 8, array);
    CHECK(array[0] == 194 && array[7] == row.sites[0].wyckoff_index && array[15] == -1 && array[38] == -1);
    lc_row back;
    CHECK(lc_row_from_array(array, 8, 6, &back) == LC_ROW_OK && back.n_sites == 2);

    lc_structure decoded;
    CHECK(lc_row_decode(&back, &decode_options, &decoded, NULL) == LC_ROW_OK);
    CHECK(decoded.n_atoms == 4);
    lc_symmetry_options options = lc_symmetry_default_options();
    lc_symmetry_dataset d;
    CHECK(lc_symmetry_analyze(&decoded, &options, &d, &err) == 0 && d.number == 194);
    lc_symmetry_dataset_free(&d);
    lc_structure_free(&decoded);
    lc_structure_free(&graphite);
}

/* Generated numbers are never exact: a site off its position, written as another orbit member, and a cell that
 * breaks the lattice system, still decode to the exact crystal. */
static void test_projection(void) {
    lc_structure lonsdaleite = read_one(LEGOCRYST_SOURCE_DIR "/inputs/structures/lonsdaleite.cif");
    lc_row row, noisy;
    lc_error err;
    CHECK(lc_row_from_structure(&lonsdaleite, 1e-3, &row, &err) == 0);
    CHECK(row.spacegroup == 194 && row.n_sites == 1);
    lc_structure exact, decoded;
    CHECK(lc_row_decode(&row, &decode_options, &exact, NULL) == LC_ROW_OK);
    const lc_wyckoff_table *t = lc_wyckoff_table_get(194);
    const lc_wyckoff_position *w = &t->positions[row.sites[0].wyckoff_index];
    CHECK(w->letter == 'f' && w->n_free == 1);
    lc_rng rng;
    lc_rng_init(&rng, 7, 0, 0);
    for (int trial = 0; trial < 50; trial++) {
        noisy = row;
        int op = w->orbit_ops[lc_rng_u32(&rng) % (uint32_t)w->multiplicity];
        double y[3];
        for (int i = 0; i < 3; i++) {
            y[i] = t->translations[op][i];
            for (int j = 0; j < 3; j++) y[i] += t->rotations[op][i][j] * row.sites[0].x[j];
            /* off the special position, but keeping z (the free parameter) */
            noisy.sites[0].x[i] = lc_wrap_unit(y[i] + (i < 2 ? 0.004 * (lc_rng_uniform(&rng) - 0.5) : 0.0));
        }
        noisy.cell[1] = row.cell[1] + 0.01; /* a != b: hexagonal forces a = b = their mean */
        noisy.cell[0] = row.cell[0] - 0.01;
        noisy.cell[5] = 119.0;
        lc_row projected;
        CHECK(lc_row_decode(&noisy, &decode_options, &decoded, &projected) == LC_ROW_OK);
        CHECK(same_cell_and_atoms(&decoded, &exact, 1e-6));
        CHECK_NEAR(projected.cell[5], 120.0, 0.0);
        lc_structure_free(&decoded);
    }
    lc_structure_free(&exact);
    lc_structure_free(&lonsdaleite);
}

static void test_undecodable(void) {
    double array[39];
    lc_row row;
    for (int k = 0; k < 39; k++) array[k] = -1;
    double cell[7] = {194, 2.46, 2.46, 6.7, 90, 90, 120};
    memcpy(array, cell, sizeof cell);
    array[7] = 10, array[8] = 0, array[9] = 0, array[10] = 0.25; /* 2b */
    CHECK(lc_row_from_array(array, 8, 6, &row) == LC_ROW_OK);
    array[0] = 0;
    CHECK(lc_row_from_array(array, 8, 6, &row) == LC_ROW_BAD_GROUP);
    array[0] = 231;
    CHECK(lc_row_from_array(array, 8, 6, &row) == LC_ROW_BAD_GROUP);
    array[0] = NAN;
    CHECK(lc_row_from_array(array, 8, 6, &row) == LC_ROW_BAD_GROUP);
    array[0] = 194.5;
    CHECK(lc_row_from_array(array, 8, 6, &row) == LC_ROW_BAD_GROUP);
    array[0] = 194;
    array[7] = 12; /* P6_3/mmc has 12 positions: indices 0..11 */
    CHECK(lc_row_from_array(array, 8, 6, &row) == LC_ROW_BAD_WYCKOFF);
    array[7] = -1;
    CHECK(lc_row_from_array(array, 8, 6, &row) == LC_ROW_NO_SITES);

    /* two sites on the same point collapse */
    array[7] = 10, array[11] = 10, array[12] = 0, array[13] = 0, array[14] = 0.75;
    CHECK(lc_row_from_array(array, 8, 6, &row) == LC_ROW_OK && row.n_sites == 2);
    lc_structure s;
    CHECK(lc_row_decode(&row, &decode_options, &s, NULL) == LC_ROW_COLLAPSED);
    CHECK(s.n_atoms == 2); /* the merged structure keeps one atom per point */
    lc_structure_free(&s);
    /* a general-position site next to a mirror collapses onto its image */
    array[11] = 0, array[12] = 0.1, array[13] = 0.3, array[14] = 0.249;
    CHECK(lc_row_from_array(array, 8, 6, &row) == LC_ROW_OK);
    CHECK(lc_row_decode(&row, &decode_options, &s, NULL) == LC_ROW_COLLAPSED);
    lc_structure_free(&s);
    array[11] = -1, array[12] = array[13] = array[14] = -1;
    array[3] = -6.7;
    CHECK(lc_row_from_array(array, 8, 6, &row) == LC_ROW_OK);
    CHECK(lc_row_decode(&row, &decode_options, &s, NULL) == LC_ROW_BAD_CELL);
    lc_structure_free(&s);
    array[3] = INFINITY;
    lc_row_from_array(array, 8, 6, &row);
    CHECK(lc_row_decode(&row, &decode_options, &s, NULL) == LC_ROW_BAD_CELL);
    lc_structure_free(&s);
    CHECK(strcmp(lc_row_status_name(LC_ROW_COLLAPSED), "collapsed sites") == 0);
}

static void test_cell_constraints(void) {
    double in[6] = {3.0, 3.2, 5.0, 80, 100, 110}, out[6];
    lc_row_constrain_cell(1, in, out);
    CHECK(memcmp(in, out, sizeof in) == 0);
    lc_row_constrain_cell(14, in, out);
    CHECK(out[3] == 90 && out[4] == 100 && out[5] == 90 && out[0] == 3.0);
    lc_row_constrain_cell(62, in, out);
    CHECK(out[3] == 90 && out[4] == 90 && out[5] == 90 && out[1] == 3.2);
    lc_row_constrain_cell(139, in, out);
    CHECK(out[0] == 3.1 && out[1] == 3.1 && out[5] == 90);
    lc_row_constrain_cell(166, in, out);
    CHECK(out[0] == 3.1 && out[5] == 120 && out[3] == 90);
    lc_row_constrain_cell(227, in, out);
    CHECK_NEAR(out[0], 11.2 / 3, 1e-12);
    CHECK(out[2] == out[0] && out[4] == 90);
    CHECK(lc_row_cell_freedom(2) == 6 && lc_row_cell_freedom(15) == 4 && lc_row_cell_freedom(74) == 3 &&
          lc_row_cell_freedom(194) == 2 && lc_row_cell_freedom(230) == 1);
}

/* Every sp2 structure of ../shared: structure -> row -> structure gives spglib's standard cell back, atom for atom. */
static void test_sp2_round_trip(void) {
    char index_path[1024];
    snprintf(index_path, sizeof index_path, "%s/data/sp2_carbon/index.csv", LEGOCRYST_SHARED_DIR);
    FILE *index = fopen(index_path, "r");
    CHECK(index != NULL);
    if (!index) return;
    char line[4096], file[256];
    int rows = 0, matched = 0;
    if (!fgets(line, sizeof line, index)) return;
    while (fgets(line, sizeof line, index)) {
        int id = 0;
        if (sscanf(line, "%d,%255[^,]", &id, file) != 2) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/data/sp2_carbon/%s", LEGOCRYST_SHARED_DIR, file);
        lc_structure s = read_one(path);
        lc_row row;
        lc_error err;
        lc_symmetry_options options = lc_symmetry_default_options();
        lc_symmetry_dataset d;
        int ok = s.n_atoms > 0 && lc_row_from_structure(&s, 1e-3, &row, &err) == 0 &&
                 lc_symmetry_analyze(&s, &options, &d, &err) == 0;
        if (ok) {
            lc_structure decoded;
            ok = lc_row_decode(&row, &decode_options, &decoded, NULL) == LC_ROW_OK &&
                 same_cell_and_atoms(&decoded, &d.standardized, 1e-5);
            lc_structure_free(&decoded);
            lc_symmetry_dataset_free(&d);
        }
        CHECK_MSG(ok, "%s: round trip", file);
        rows++;
        matched += ok;
        lc_structure_free(&s);
    }
    fclose(index);
    printf("sp2 round trip: %d of %d structures\n", matched, rows);
    CHECK(rows == 150);
}

int main(int argc, char **argv) {
    RUN_TEST(test_graphite_row);
    RUN_TEST(test_projection);
    RUN_TEST(test_undecodable);
    RUN_TEST(test_cell_constraints);
    if (argc > 1 && strcmp(argv[1], "--shared") == 0) {
        FILE *probe = fopen(LEGOCRYST_SHARED_DIR "/data/sp2_carbon/index.csv", "r");
        if (!probe) {
            printf("skipped: %s/data/sp2_carbon/index.csv not found\n", LEGOCRYST_SHARED_DIR);
            return TEST_SKIP;
        }
        fclose(probe);
        RUN_TEST(test_sp2_round_trip);
    }
    lc_wyckoff_release_all();
    return test_summary();
}
