/* Row files for the relax/export tests, and the check of what relax made of the bad ones.
 *   candidate_rows good OUT.h5   graphite three times (cell, origin and setting differ slightly), diamond
 *   candidate_rows bad OUT.h5    rows that are no crystal: impossible groups, Wyckoff indices, NaN/Inf, cells
 *   candidate_rows check-bad DB.h5   every bad row has the status and row_status listed here */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "envopt/candidate.h"
#include "lego/row.h"
#include "mpi/comm.h"
#include "mpi/h5_parallel.h"
#include "symmetry/wyckoff.h"
#include "test.h"

enum { MAX_SITES = 4, COLUMNS = LC_ROW_FIXED_COLUMNS + LC_ROW_SITE_COLUMNS * MAX_SITES };

static int index_of(int spacegroup, char letter) {
    const lc_wyckoff_table *t = lc_wyckoff_table_get(spacegroup);
    return (int)(lc_wyckoff_find(t, letter) - t->positions);
}

/* A row array with every site slot unused. */
static void blank(double *r, double spacegroup, const double cell[6]) {
    for (int k = 0; k < COLUMNS; k++) r[k] = -1;
    r[0] = spacegroup;
    for (int k = 0; k < 6; k++) r[1 + k] = cell[k];
}

static void site(double *r, int slot, double index, double x, double y, double z) {
    double *s = r + LC_ROW_FIXED_COLUMNS + LC_ROW_SITE_COLUMNS * slot;
    s[0] = index, s[1] = x, s[2] = y, s[3] = z;
}

static void graphite(double *r, double a, double dz) {
    blank(r, 194, (double[6]){a, a, 6.70, 90, 90, 120});
    site(r, 0, index_of(194, 'b'), 0, 0, 0.25 + dz);
    site(r, 1, index_of(194, 'c'), 1.0 / 3, 2.0 / 3, 0.25 + dz);
}

static int good_rows(double *rows) {
    graphite(rows, 2.46, 0);
    graphite(rows + COLUMNS, 2.50, 0);
    graphite(rows + 2 * COLUMNS, 2.46, 0.01); /* off the site's fixed z: projected back */
    blank(rows + 3 * COLUMNS, 227, (double[6]){3.567, 3.567, 3.567, 90, 90, 90});
    site(rows + 3 * COLUMNS, 0, index_of(227, 'a'), 0, 0, 0);
    return 4;
}

/* One bad row, with the (status, row_status) relax must give it; -1 accepts any status in 1..3. */
typedef struct {
    const char *what;
    int status, row_status;
} expectation;

static int bad_rows(double *rows, expectation *e) {
    const double good_cell[6] = {2.46, 2.46, 6.70, 90, 90, 120};
    const double inf = INFINITY, nan = NAN;
    int n = 0;
    double groups[] = {0, 231, 12.5, -3, 1e300, nan, inf, -inf};
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        graphite(rows + n * COLUMNS, 2.46, 0);
        rows[n * COLUMNS] = groups[g];
        e[n++] = (expectation){"impossible space group", LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_GROUP};
    }
    double indices[] = {99, 1.5, nan, inf, 1e12};
    for (size_t i = 0; i < sizeof indices / sizeof indices[0]; i++) {
        graphite(rows + n * COLUMNS, 2.46, 0);
        rows[n * COLUMNS + LC_ROW_FIXED_COLUMNS + LC_ROW_SITE_COLUMNS] = indices[i];
        e[n++] = (expectation){"Wyckoff index out of range", LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_WYCKOFF};
    }
    /* cells: NaN, Inf, negative, zero, flat angles, angles that close no cell, huge, tiny */
    struct {
        int column;
        double value;
        int status, row_status;
    } cells[] = {
        {1, nan, LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_CELL},  {3, inf, LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_CELL},
        {1, -2.46, LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_CELL}, {3, 0, LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_CELL},
        {3, -6.7, LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_CELL},  {3, 1e300, LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_CELL},
        {3, 2e4, LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_CELL},   {1, 1e-9, LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_CELL},
        {3, 1e-300, LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_CELL}, {1, 0.3, LC_CANDIDATE_UNDECODABLE, LC_ROW_COLLAPSED},
        {3, 5000, -1, -1}, /* decodes; the optimiser's bounds bring c back under 50 A */
    };
    for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
        graphite(rows + n * COLUMNS, 2.46, 0);
        rows[n * COLUMNS + cells[c].column] = cells[c].value;
        if (cells[c].column == 1) rows[n * COLUMNS + 2] = cells[c].value; /* a = b in the hexagonal cell */
        e[n++] = (expectation){"bad cell", cells[c].status, cells[c].row_status};
    }
    /* P1 (every angle free): angles of 0, 180 and beyond, and three that close no cell */
    double angles[][3] = {{0, 90, 90}, {90, 180, 90}, {90, 90, 200}, {30, 30, 150}, {nan, 90, 90}};
    for (size_t a = 0; a < sizeof angles / sizeof angles[0]; a++) {
        double *r = rows + n * COLUMNS;
        blank(r, 1, (double[6]){3, 3, 3, angles[a][0], angles[a][1], angles[a][2]});
        site(r, 0, 0, 0.1, 0.2, 0.3);
        e[n++] = (expectation){"P1 cell angles", LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_CELL};
    }
    /* coordinates: NaN and Inf are read as 0, huge ones wrap; the row decodes and the optimiser decides */
    double coordinates[] = {nan, inf, -inf, 1e300};
    for (size_t c = 0; c < sizeof coordinates / sizeof coordinates[0]; c++) {
        double *r = rows + n * COLUMNS;
        blank(r, 1, (double[6]){3.1, 3.3, 3.5, 80, 85, 95});
        site(r, 0, 0, coordinates[c], 0.2, 0.3);
        site(r, 1, 0, 0.5, coordinates[c], 0.7);
        e[n++] = (expectation){"NaN/Inf/huge coordinates", -1, -1};
    }
    /* all -1, all NaN, no sites */
    for (int k = 0; k < COLUMNS; k++) rows[n * COLUMNS + k] = -1;
    e[n++] = (expectation){"all -1", LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_GROUP};
    for (int k = 0; k < COLUMNS; k++) rows[n * COLUMNS + k] = nan;
    e[n++] = (expectation){"all NaN", LC_CANDIDATE_UNDECODABLE, LC_ROW_BAD_GROUP};
    blank(rows + n * COLUMNS, 194, good_cell);
    e[n++] = (expectation){"no sites", LC_CANDIDATE_UNDECODABLE, LC_ROW_NO_SITES};
    /* two sites on one point: with relax.snap_special (default) the later is dropped and the row decodes (a chain
     * of 2b atoms, never 3-coordinated: invalid); collapsed stays for what snapping cannot fix (the 0.3 A cell) */
    graphite(rows + n * COLUMNS, 2.46, 0);
    site(rows + n * COLUMNS, 1, index_of(194, 'b'), 0, 0, 0.25);
    e[n++] = (expectation){"two sites on one point", LC_CANDIDATE_INVALID, LC_ROW_OK};
    return n;
}

static int write_rows(const char *path, const double *rows, int n) {
    lc_h5_file *f;
    lc_error err;
    int s = lc_h5_create(path, &f, &err);
    s = s ? s : lc_h5_write_rows_f64(f, "rows", rows, n, COLUMNS, &err);
    int closed = lc_h5_close(f, s == 0, s == 0 ? &err : NULL);
    if (s || closed) fprintf(stderr, "%s\n", err.message);
    return s || closed;
}

static int check_bad(const char *path) {
    double rows[64 * COLUMNS];
    expectation e[64];
    int n = bad_rows(rows, e);
    long dims[2];
    lc_error err;
    if (lc_h5_dataset_shape(path, "candidates/status", dims, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return EXIT_FAILURE;
    }
    CHECK_MSG(dims[0] == n, "%ld candidates, expected %d", dims[0], n);
    if (dims[0] != n) return test_summary();
    int status[64], row_status[64];
    long long id[64];
    CHECK(lc_h5_read_rows_i32(path, "candidates/status", 0, n, 1, status, &err) == 0);
    CHECK(lc_h5_read_rows_i32(path, "candidates/row_status", 0, n, 1, row_status, &err) == 0);
    CHECK(lc_h5_read_rows_i64(path, "candidates/id", 0, n, 1, id, &err) == 0);
    int counts[LC_CANDIDATE_STATUS_COUNT] = {0};
    for (int k = 0; k < n; k++) {
        CHECK_MSG(id[k] == k, "candidate %d has id %lld", k, id[k]);
        CHECK_MSG(status[k] >= LC_CANDIDATE_INVALID && status[k] <= LC_CANDIDATE_UNDECODABLE,
                  "row %d (%s): status %d", k, e[k].what, status[k]);
        if (e[k].status >= 0)
            CHECK_MSG(status[k] == e[k].status && row_status[k] == e[k].row_status,
                      "row %d (%s): status %d row_status %d, expected %d/%d", k, e[k].what, status[k], row_status[k],
                      e[k].status, e[k].row_status);
        /* a row that decoded carries no decode error */
        if (status[k] != LC_CANDIDATE_UNDECODABLE)
            CHECK_MSG(row_status[k] == LC_ROW_OK, "row %d (%s): status %d with row_status %d", k, e[k].what,
                      status[k], row_status[k]);
        if (status[k] >= 0 && status[k] < LC_CANDIDATE_STATUS_COUNT) counts[status[k]]++;
    }
    printf("%d bad rows: %d invalid, %d failed, %d undecodable\n", n, counts[1], counts[2], counts[3]);
    return test_summary();
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    int status = EXIT_FAILURE;
    double rows[64 * COLUMNS];
    expectation e[64];
    if (argc == 3 && strcmp(argv[1], "good") == 0) status = write_rows(argv[2], rows, good_rows(rows));
    else if (argc == 3 && strcmp(argv[1], "bad") == 0) status = write_rows(argv[2], rows, bad_rows(rows, e));
    else if (argc == 3 && strcmp(argv[1], "check-bad") == 0) status = check_bad(argv[2]);
    else fprintf(stderr, "usage: candidate_rows good|bad|check-bad FILE\n");
    lc_comm_finalize();
    return status;
}
