/* Row decoding throughput: rows decoded per second on one core, for the rows of a training set written by
 * `legocryst prepare`, as stored (exact) and with noise on every number (as generated samples are).
 * usage: bench_decode TRAINING.h5 [MIN_SECONDS] */
#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/rng.h"
#include "lego/row.h"
#include "mpi/h5_parallel.h"
#include "symmetry/wyckoff.h"

static double decode_all(const double *rows, long n, int columns, double min_seconds, long *decoded, long *ok) {
    lc_row_decode_options options = {.merge_distance = 0.5};
    int max_sites = (columns - LC_ROW_FIXED_COLUMNS) / LC_ROW_SITE_COLUMNS;
    double start = lc_log_seconds(), elapsed = 0;
    *decoded = *ok = 0;
    do {
        for (long i = 0; i < n; i++) {
            lc_row row;
            lc_structure s;
            lc_row_status status = lc_row_from_array(rows + i * columns, max_sites, 6, &row);
            if (status == LC_ROW_OK) status = lc_row_decode(&row, &options, &s, NULL), lc_structure_free(&s);
            *ok += status == LC_ROW_OK;
            (*decoded)++;
        }
        elapsed = lc_log_seconds() - start;
    } while (elapsed < min_seconds);
    return elapsed;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_decode TRAINING.h5 [MIN_SECONDS]\n");
        return 2;
    }
    double min_seconds = argc > 2 ? atof(argv[2]) : 5.0;
    long dims[2];
    lc_error err;
    if (lc_h5_dataset_shape(argv[1], "rows", dims, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    long n = dims[0];
    int columns = (int)dims[1];
    double *rows = malloc(sizeof(double) * (size_t)n * (size_t)columns);
    if (lc_h5_read_rows_f64(argv[1], "rows", 0, n, columns, rows, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    /* tables derived before timing, as in any long run */
    for (int g = 1; g <= 230; g++) lc_wyckoff_table_get(g);

    long decoded, ok;
    double t = decode_all(rows, n, columns, min_seconds, &decoded, &ok);
    printf("exact rows: %ld rows decoded in %.2f s: %.0f rows/s on one core (%.1f%% ok)\n", decoded, t, decoded / t,
           100.0 * ok / decoded);
    /* noise as a generator leaves it: cell +-1%, coordinates +-0.01 */
    lc_rng rng;
    lc_rng_init(&rng, 1, 0, 0);
    for (long i = 0; i < n; i++) {
        double *r = rows + i * columns;
        for (int k = 1; k < 7; k++) r[k] *= 1.0 + 0.02 * (lc_rng_uniform(&rng) - 0.5);
        for (int s = 0; s < (columns - 7) / 4; s++)
            if (r[7 + 4 * s] >= 0)
                for (int k = 1; k < 4; k++) r[7 + 4 * s + k] += 0.02 * (lc_rng_uniform(&rng) - 0.5);
    }
    t = decode_all(rows, n, columns, min_seconds, &decoded, &ok);
    printf("noisy rows: %ld rows decoded in %.2f s: %.0f rows/s on one core (%.1f%% ok)\n", decoded, t, decoded / t,
           100.0 * ok / decoded);
    free(rows);
    return 0;
}
