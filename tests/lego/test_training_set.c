/* Checks a LEGO training set written by `legocryst prepare` on the sp2 carbon structures of ../shared:
 * every row decodes and matches its source crystal (up to cell choice, origin and setting), and the stored
 * encoders invert the rows exactly (continuous values to 1e-6 relative, discrete values exactly).
 * usage: test_training_set FILE.h5 INDEX.csv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/source_list.h"
#include "io/structure_io.h"
#include "lego/encoder.h"
#include "lego/row.h"
#include "mpi/h5_parallel.h"
#include "symmetry/match.h"
#include "test.h"

static long read_shape(const char *path, const char *name, int *columns) {
    long dims[2] = {0, 0};
    lc_error err;
    if (lc_h5_dataset_shape(path, name, dims, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        exit(EXIT_FAILURE);
    }
    *columns = (int)(dims[1] ? dims[1] : 1);
    return dims[0];
}

static void *read_all(const char *path, const char *name, char type, long *n, int *columns) {
    lc_error err;
    *n = read_shape(path, name, columns);
    size_t size = type == 'd' ? sizeof(double) : type == 'l' ? sizeof(long long) : sizeof(int);
    void *data = lc_malloc(size * (size_t)(*n ? *n : 1) * (size_t)*columns);
    int status = type == 'd'   ? lc_h5_read_rows_f64(path, name, 0, *n, *columns, data, &err)
                 : type == 'l' ? lc_h5_read_rows_i64(path, name, 0, *n, *columns, data, &err)
                               : lc_h5_read_rows_i32(path, name, 0, *n, *columns, data, &err);
    if (status != 0) {
        fprintf(stderr, "%s\n", err.message);
        exit(EXIT_FAILURE);
    }
    return data;
}

static void check_rows_match_sources(const char *path, const lc_source_list *sources) {
    long n_rows, n_ids;
    int columns, one;
    double *rows = read_all(path, "rows", 'd', &n_rows, &columns);
    long long *source_of_row = read_all(path, "source_id", 'l', &n_ids, &one);
    CHECK(n_ids == n_rows);
    int max_sites = (columns - LC_ROW_FIXED_COLUMNS) / LC_ROW_SITE_COLUMNS;
    /* Rows are idealised (spglib's symmetrised standard cells) while the source files are raw: allow the
     * symmetrisation's few thousandths of an Angstrom, far below any wrong placement of a site. */
    lc_match_options options = lc_match_default_options();
    options.site_tolerance = 0.01;
    options.length_tolerance = 1e-3;
    options.angle_tolerance = 0.1;
    options.symprec = 0.01;
    lc_row_decode_options decode = {.merge_distance = 0.5};
    long matched = 0, decoded_ok = 0;
    long long current = -1;
    lc_match_cell source_cell;
    memset(&source_cell, 0, sizeof source_cell);
    for (long i = 0; i < n_rows; i++) {
        if (source_of_row[i] != current) { /* rows come grouped by source */
            if (current >= 0) lc_match_cell_free(&source_cell);
            current = source_of_row[i];
            const lc_source *src = NULL;
            for (int k = 0; k < sources->count && !src; k++)
                if (sources->items[k].id == current) src = &sources->items[k];
            lc_structure_list list;
            lc_error err;
            CHECK_MSG(src && lc_structure_list_read(src->path, LC_FORMAT_AUTO, NULL, &list, &err) == 0,
                      "source %lld", current);
            if (!src) return;
            lc_match_cell_init(&source_cell, &list.items[0], &options);
            lc_structure_list_free(&list);
        }
        lc_row row;
        lc_structure s;
        int ok = lc_row_from_array(rows + i * columns, max_sites, 6, &row) == LC_ROW_OK &&
                 lc_row_decode(&row, &decode, &s, NULL) == LC_ROW_OK;
        decoded_ok += ok;
        if (ok) {
            lc_match_cell cell;
            ok = lc_match_cell_init(&cell, &s, &options) == 0 && lc_match_cells(&source_cell, &cell, &options, NULL);
            lc_match_cell_free(&cell);
        }
        lc_structure_free(&s);
        matched += ok;
        CHECK_MSG(ok, "row %ld (source %lld, space group %g) does not decode to its source crystal", i, current,
                  rows[i * columns]);
    }
    if (current >= 0) lc_match_cell_free(&source_cell);
    printf("%ld rows: %ld decode, %ld match their source crystal\n", n_rows, decoded_ok, matched);
    free(rows);
    free(source_of_row);
}

static void check_encoder_inverse(const char *path) {
    long n_rows, n;
    int columns, one, n_columns;
    double *rows = read_all(path, "rows", 'd', &n_rows, &columns);
    int *kind = read_all(path, "encoder/kind", 'i', &n, &one);
    n_columns = (int)n;
    int *category_offset = read_all(path, "encoder/category_offset", 'i', &n, &one);
    int *category = read_all(path, "encoder/category", 'i', &n, &one);
    int *mode_offset = read_all(path, "encoder/mode_offset", 'i', &n, &one);
    double *mean = read_all(path, "encoder/mode_mean", 'd', &n, &one);
    double *std = read_all(path, "encoder/mode_std", 'd', &n, &one);
    double *weight = read_all(path, "encoder/mode_weight", 'd', &n, &one);
    lc_encoder enc;
    lc_error err;
    CHECK(n_columns == columns);
    CHECK(lc_encoder_from_arrays(&enc, n_columns, kind, category_offset, category, mode_offset, mean, std, weight,
                                 &err) == 0);
    int width = lc_encoder_width(&enc);
    double *encoded = lc_malloc(sizeof(double) * (size_t)n_rows * (size_t)width);
    double *back = lc_malloc(sizeof(double) * (size_t)n_rows * (size_t)columns);
    CHECK(lc_encoder_transform(&enc, rows, (int)n_rows, encoded, &err) == 0);
    lc_encoder_inverse(&enc, encoded, (int)n_rows, back);
    long bad_discrete = 0, bad_continuous = 0;
    for (long i = 0; i < n_rows * columns; i++) {
        int c = (int)(i % columns);
        if (kind[c] == LC_COLUMN_DISCRETE) bad_discrete += back[i] != rows[i];
        /* 1e-6 relative; exact zeros (coordinates) come back within rounding of the mode's mean, hence the
         * absolute floor of 1e-12 */
        else if (fabs(back[i] - rows[i]) > fmax(1e-6 * fabs(rows[i]), 1e-12) && bad_continuous++ < 5)
            fprintf(stderr, "row %ld column %d: %.17g -> %.17g\n", i / columns, c, rows[i], back[i]);
    }
    printf("encoders: width %d; inverse(transform(rows)): %ld discrete and %ld continuous values off\n", width,
           bad_discrete, bad_continuous);
    CHECK(bad_discrete == 0 && bad_continuous == 0);
    /* the stored float32 matrix is the same transform */
    long n_encoded;
    int encoded_width;
    double *stored = read_all(path, "encoded", 'd', &n_encoded, &encoded_width);
    CHECK(n_encoded == n_rows && encoded_width == width);
    double worst = 0;
    for (long i = 0; i < n_rows * width && n_encoded == n_rows && encoded_width == width; i++)
        worst = fmax(worst, fabs(stored[i] - encoded[i]) / fmax(fabs(encoded[i]), 1.0));
    CHECK_MSG(worst < 1e-6, "stored encoded matrix differs by %g", worst);
    lc_encoder_free(&enc);
    free(stored), free(encoded), free(back), free(rows), free(kind), free(category_offset), free(category);
    free(mode_offset), free(mean), free(std), free(weight);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: test_training_set FILE.h5 INDEX.csv\n");
        return EXIT_FAILURE;
    }
    lc_source_list sources;
    lc_error err;
    if (lc_source_list_load(argv[2], "csv", "file", "id", "", &sources, &err) != 0) {
        printf("skipped: %s\n", err.message);
        return TEST_SKIP;
    }
    check_rows_match_sources(argv[1], &sources);
    check_encoder_inverse(argv[1]);
    lc_source_list_free(&sources);
    return test_summary();
}
