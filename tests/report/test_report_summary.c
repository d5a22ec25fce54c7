/* lc_summary on hand-made arrays (exact counts, best ordering and ties, rates, bad input), its text and JSON, the
 * /summary group it writes (read back; on 2 ranks rank 1 passes other values, and rank 0's must be what is
 * stored), and lc_summary_read_db's wall time from wall_seconds or start/end times across a leap day.
 * usage: test_report_summary [FOLDER] */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mpi/comm.h"
#include "mpi/h5_parallel.h"
#include "report/summary.h"
#include "test.h"

enum { N = 12 };
static char folder[512];
static int rank;

/* Statuses 0 valid, 1 invalid, 2 failed, 3 undecodable, 4 duplicate. */
static const long long ids[N] = {100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111};
static const int statuses[N] = {0, 4, 0, 1, 2, 3, 0, 0, 4, 3, 0, 1};
static const int groups[N] = {194, 194, 227, 227, 12, 0, 191, 191, 227, 0, 0, 194};
static const int dims[N] = {2, 2, 3, 3, 1, 0, 3, 2, 3, 0, 3, 2};
static const int atoms[N] = {4, 4, 8, 8, 6, 0, 2, 2, 8, 0, 4, 4};
static const double densities[N] = {2.2, 2.2, 3.5, 3.5, 1.0, NAN, 1.8, 1.8, 3.5, NAN, 2.0, 2.2};
static double objectives[2 * N];

static lc_summary_input input(double wall) {
    /* objective after: 102 and 106 tie (lowest; id decides), 107 is unique but NaN (never among the best) */
    const double after[N] = {1e-3, 5e-3, 1e-5, 0.5, 2.0, NAN, 1e-5, NAN, 2e-5, NAN, 1e-4, 3.0};
    for (int i = 0; i < N; i++) objectives[2 * i] = 10, objectives[2 * i + 1] = after[i];
    return (lc_summary_input){N, ids, statuses, groups, dims, atoms, objectives, densities, wall};
}

static void check_counts(const lc_summary *s) {
    CHECK(s->n_total == 12);
    CHECK(s->n_decodable == 10);
    CHECK(s->n_valid_env == 7);
    CHECK(s->n_unique == 5);
    CHECK(s->n_3d == 4);
    CHECK(s->n_unique_3d == 3);
    CHECK(s->n_failed == 1);
    CHECK(s->n_invalid == 2);
    const long long expected[][4] = {{194, 3, 2, 1}, {227, 3, 2, 1}, {12, 1, 0, 0}, {191, 2, 2, 2}};
    long long in_groups = 0;
    for (int g = 0; g < LC_SUMMARY_SPACEGROUPS; g++) in_groups += s->spacegroup_counts[g][0];
    CHECK_MSG(in_groups == 9, "%lld candidates in groups (undecodable ones and group 0 count nowhere)", in_groups);
    for (int e = 0; e < 4; e++)
        for (int c = 0; c < 3; c++)
            CHECK_MSG(s->spacegroup_counts[expected[e][0] - 1][c] == expected[e][c + 1], "group %lld column %d: %lld",
                      expected[e][0], c, s->spacegroup_counts[expected[e][0] - 1][c]);
}

static void test_counts_and_best(void) {
    lc_summary_input in = input(4.0);
    lc_summary s;
    CHECK(lc_summary_compute(&in, 10, &s) == 0);
    check_counts(&s);
    const long long best[] = {102, 106, 110, 100};
    const long rows[] = {2, 6, 10, 0};
    CHECK(s.n_best == 4);
    for (int i = 0; i < s.n_best && i < 4; i++) {
        CHECK_MSG(s.best[i].id == best[i], "best %d is %lld, expected %lld", i, s.best[i].id, best[i]);
        CHECK(s.best[i].row == rows[i]);
        CHECK(s.best[i].spacegroup == groups[rows[i]] && s.best[i].n_atoms == atoms[rows[i]]);
        CHECK(s.best[i].density == densities[rows[i]] && s.best[i].objective == objectives[2 * rows[i] + 1]);
    }
    CHECK_NEAR(s.wall_seconds, 4.0, 0);
    CHECK_NEAR(s.candidates_per_second, 3.0, 1e-15);
    CHECK_NEAR(s.valid_per_second, 1.75, 1e-15);
    lc_summary_free(&s);

    CHECK(lc_summary_compute(&in, 2, &s) == 0);
    CHECK(s.n_best == 2 && s.best[0].id == 102 && s.best[1].id == 106);
    lc_summary_free(&s);
    CHECK(lc_summary_compute(&in, 0, &s) == 0);
    CHECK(s.n_best == 0 && s.n_total == 12);
    lc_summary_free(&s);
}

/* The same candidates in reverse order: the same counts and the same best order (ties by id, not position). */
static void test_order_independent(void) {
    lc_summary_input in = input(NAN);
    long long r_ids[N];
    int r_status[N], r_groups[N], r_dims[N], r_atoms[N];
    double r_objective[2 * N], r_density[N];
    for (int i = 0; i < N; i++) {
        int j = N - 1 - i;
        r_ids[i] = ids[j], r_status[i] = statuses[j], r_groups[i] = groups[j], r_dims[i] = dims[j];
        r_atoms[i] = atoms[j], r_density[i] = densities[j];
        r_objective[2 * i] = objectives[2 * j], r_objective[2 * i + 1] = objectives[2 * j + 1];
    }
    in = (lc_summary_input){N, r_ids, r_status, r_groups, r_dims, r_atoms, r_objective, r_density, NAN};
    lc_summary s;
    CHECK(lc_summary_compute(&in, 3, &s) == 0);
    check_counts(&s);
    CHECK(s.n_best == 3 && s.best[0].id == 102 && s.best[1].id == 106 && s.best[2].id == 110);
    CHECK(s.best[0].row == N - 1 - 2);
    CHECK(isnan(s.wall_seconds) && isnan(s.candidates_per_second) && isnan(s.valid_per_second));
    lc_summary_free(&s);
}

static void test_bad_input(void) {
    lc_summary_input in = input(1);
    lc_summary s;
    CHECK(lc_summary_compute(&in, -1, &s) == -1);
    int bad[N];
    memcpy(bad, statuses, sizeof bad);
    bad[7] = 5;
    in.status = bad;
    CHECK(lc_summary_compute(&in, 10, &s) == -1);
    CHECK(s.n_total == 0 && s.n_best == 0);
    lc_summary_free(&s);
    lc_summary_input empty = {0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0};
    CHECK(lc_summary_compute(&empty, 10, &s) == 0);
    CHECK(s.n_total == 0 && s.n_best == 0 && isnan(s.candidates_per_second));
    lc_summary_free(&s);
}

static char *printed(const lc_summary *s, int json) {
    FILE *f = tmpfile();
    if (!f) return NULL;
    if (json) lc_summary_print_json(f, s);
    else lc_summary_print(f, s);
    long size = ftell(f);
    rewind(f);
    char *text = calloc((size_t)size + 1, 1);
    if (fread(text, 1, (size_t)size, f) != (size_t)size) text[0] = '\0';
    fclose(f);
    return text;
}

static void test_print(void) {
    lc_summary_input in = input(NAN);
    lc_summary s;
    CHECK(lc_summary_compute(&in, 10, &s) == 0);
    char *json = printed(&s, 1), *text = printed(&s, 0);
    CHECK(json && strstr(json, "\"n_total\": 12, \"n_decodable\": 10, \"n_valid_env\": 7, \"n_unique\": 5"));
    CHECK(json && strstr(json, "\"n_3d\": 4, \"n_unique_3d\": 3, \"n_failed\": 1, \"n_invalid\": 2"));
    CHECK(json && strstr(json, "\"wall_seconds\": null"));
    CHECK(json && strstr(json, "{\"spacegroup\": 12, \"candidates\": 1, \"valid_env\": 0, \"unique\": 0}"));
    CHECK(json && strstr(json, "\"best\": [{\"id\": 102, \"spacegroup\": 227, \"n_atoms\": 8, \"density\": 3.5, "
                               "\"objective\": 1.0000000000000001e-05}"));
    CHECK(text && strstr(text, "candidates              12"));
    CHECK(text && strstr(text, "wall time       unknown"));
    /* most valid first: 191 (2 valid, 2 candidates) after 194 and 227 (2 valid, 3 candidates) */
    char *g194 = text ? strstr(text, "     194  ") : NULL, *g227 = text ? strstr(text, "     227  ") : NULL;
    char *g191 = text ? strstr(text, "     191  ") : NULL, *g12 = text ? strstr(text, "      12  ") : NULL;
    CHECK(g194 && g227 && g191 && g12 && g194 < g227 && g227 < g191 && g191 < g12);
    free(json);
    free(text);
    lc_summary_free(&s);
}

static void path_in_folder(char *path, size_t size, const char *name) { snprintf(path, size, "%s/%s", folder, name); }

static void test_write(void) {
    lc_summary_input in = input(4.0);
    lc_summary s;
    CHECK(lc_summary_compute(&in, 3, &s) == 0);
    /* another rank's values must not reach the file: only the shape (n_best) has to agree */
    if (rank != 0) {
        s.n_total = -7, s.spacegroup_counts[193][0] = -7, s.wall_seconds = -7;
        for (int i = 0; i < s.n_best; i++) s.best[i].id = -7, s.best[i].objective = -7;
    }
    char path[600];
    path_in_folder(path, sizeof path, "summary.h5");
    lc_h5_file *f;
    lc_error err;
    CHECK(lc_h5_create(path, &f, &err) == 0);
    CHECK(lc_summary_write(f, &s, &err) == 0);
    CHECK(lc_summary_write(f, &s, &err) == -1); /* /summary exists: refused on every rank */
    CHECK(lc_h5_close(f, 1, &err) == 0);
    if (rank == 0) {
        lc_summary ref;
        CHECK(lc_summary_compute(&in, 3, &ref) == 0);
        const char *names[] = {"n_total", "n_decodable", "n_valid_env", "n_unique", "n_3d", "n_unique_3d", "n_failed",
                               "n_invalid"};
        const long long values[] = {12, 10, 7, 5, 4, 3, 1, 2};
        for (int i = 0; i < 8; i++) {
            long long v = -1;
            CHECK(lc_h5_read_attr_i64(path, "/summary", names[i], &v, &err) == 0);
            CHECK_MSG(v == values[i], "%s = %lld, expected %lld", names[i], v, values[i]);
        }
        double wall = 0, rate = 0;
        CHECK(lc_h5_read_attr_f64(path, "/summary", "wall_seconds", &wall, &err) == 0 && wall == 4.0);
        CHECK(lc_h5_read_attr_f64(path, "/summary", "valid_per_second", &rate, &err) == 0 && rate == 1.75);
        long shape[2];
        CHECK(lc_h5_dataset_shape(path, "summary/spacegroup_counts", shape, &err) == 0);
        CHECK(shape[0] == 230 && shape[1] == 3);
        long long counts[230][3];
        CHECK(lc_h5_read_rows_i64(path, "summary/spacegroup_counts", 0, 230, 3, &counts[0][0], &err) == 0);
        CHECK(memcmp(counts, ref.spacegroup_counts, sizeof counts) == 0);
        long long best_id[3];
        double table[3][4];
        CHECK(lc_h5_dataset_shape(path, "summary/best/table", shape, &err) == 0 && shape[0] == 3 && shape[1] == 4);
        CHECK(lc_h5_read_rows_i64(path, "summary/best/id", 0, 3, 1, best_id, &err) == 0);
        CHECK(lc_h5_read_rows_f64(path, "summary/best/table", 0, 3, 4, &table[0][0], &err) == 0);
        CHECK(best_id[0] == 102 && best_id[1] == 106 && best_id[2] == 110);
        CHECK(table[0][0] == 227 && table[0][1] == 8 && table[0][2] == 3.5 && table[0][3] == 1e-5);
        CHECK(table[2][0] == 0 && table[2][1] == 4 && table[2][2] == 2.0 && table[2][3] == 1e-4);
        char *columns = NULL;
        CHECK(lc_h5_read_attr_string(path, "/summary/best/table", "columns", &columns, &err) == 0);
        CHECK(columns && strcmp(columns, "spacegroup_relaxed, n_atoms, density, objective_after") == 0);
        free(columns);
        lc_summary_free(&ref);
    }
    lc_summary_free(&s);
}

/* A candidate database of the hand-made arrays (the columns lc_summary_read_db reads) with the given time
 * attributes; wall < 0 writes no wall_seconds. */
static void write_database(const char *path, double wall, const char *start, const char *end) {
    long n = rank == 0 ? N : 0;
    long long offset[N];
    for (int i = 0; i < N; i++) offset[i] = i == 0 ? 0 : offset[i - 1] + atoms[i - 1];
    int species[64];
    for (int i = 0; i < 64; i++) species[i] = 6;
    lc_h5_file *f;
    lc_error err;
    lc_summary_input in = input(0);
    int s = lc_h5_create(path, &f, &err);
    s = s ? s : lc_h5_attr_string(f, "/", "kind", "candidate-database", &err);
    s = s ? s : lc_h5_write_rows_i64(f, "candidates/id", ids, n, 1, &err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/status", statuses, n, 1, &err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/spacegroup_relaxed", groups, n, 1, &err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/dimensionality", dims, n, 1, &err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/n_atoms", atoms, n, 1, &err);
    s = s ? s : lc_h5_write_rows_i64(f, "candidates/atom_offset", offset, n, 1, &err);
    s = s ? s : lc_h5_write_rows_f64(f, "candidates/objective", in.objective, n, 2, &err);
    s = s ? s : lc_h5_write_rows_f64(f, "candidates/density", densities, n, 1, &err);
    s = s ? s : lc_h5_write_rows_i32(f, "atoms/species", species, rank == 0 ? 54 : 0, 1, &err);
    if (wall >= 0) s = s ? s : lc_h5_attr_f64(f, "/", "wall_seconds", wall, &err);
    if (start) s = s ? s : lc_h5_attr_string(f, "/", "start_time", start, &err);
    if (end) s = s ? s : lc_h5_attr_string(f, "/", "end_time", end, &err);
    CHECK(s == 0);
    CHECK(lc_h5_close(f, s == 0, &err) == 0);
}

static void test_read_db(void) {
    char with_wall[600], with_times[600], without[600];
    path_in_folder(with_wall, sizeof with_wall, "db_wall.h5");
    path_in_folder(with_times, sizeof with_times, "db_times.h5");
    path_in_folder(without, sizeof without, "db_no_time.h5");
    /* wall_seconds wins over the times */
    write_database(with_wall, 8.0, "2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z");
    /* 2024 is a leap year: Feb 29 lies between, 86400 + 40 s */
    write_database(with_times, -1, "2024-02-28T23:59:30Z", "2024-03-01T00:00:10Z");
    write_database(without, -1, NULL, NULL);
    lc_summary s;
    lc_error err;
    CHECK(lc_summary_read_db(with_wall, 2, &s, &err) == 0);
    check_counts(&s);
    CHECK(s.n_best == 2 && s.best[0].id == 102 && s.best[0].row == 2);
    CHECK(s.wall_seconds == 8.0 && s.candidates_per_second == 1.5);
    lc_summary_free(&s);
    CHECK(lc_summary_read_db(with_times, 2, &s, &err) == 0);
    CHECK_MSG(s.wall_seconds == 86440.0, "wall %g s", s.wall_seconds);
    lc_summary_free(&s);
    CHECK(lc_summary_read_db(without, 2, &s, &err) == 0);
    CHECK(isnan(s.wall_seconds) && s.n_total == 12);
    lc_summary_free(&s);
    /* not a database, a missing file */
    char training[600];
    path_in_folder(training, sizeof training, "summary.h5");
    CHECK(lc_summary_read_db(training, 2, &s, &err) == -1);
    CHECK(strstr(err.message, "kind") != NULL);
    path_in_folder(training, sizeof training, "missing.h5");
    CHECK(lc_summary_read_db(training, 2, &s, &err) == -1);
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    rank = lc_comm_rank();
    snprintf(folder, sizeof folder, "%s", argc > 1 ? argv[1] : "test_report_summary");
    /* rank 0 makes the folder before lc_h5_create, whose first step is a broadcast from rank 0 */
    if (rank == 0 && mkdir(folder, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "cannot create %s: %s\n", folder, strerror(errno));
        lc_comm_abort(1);
    }
    RUN_TEST(test_counts_and_best);
    RUN_TEST(test_order_independent);
    RUN_TEST(test_bad_input);
    RUN_TEST(test_print);
    RUN_TEST(test_write);
    RUN_TEST(test_read_db);
    int status = test_summary();
    lc_comm_finalize();
    return status;
}
