/* Encoders of LEGO rows: exact round trip, span layout, mode choice, rebuilding from the stored arrays, and the
 * inverse of noisy (generated) input. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "lego/encoder.h"
#include "lego/gmm.h"
#include "lego/row.h"
#include "symmetry/wyckoff.h"
#include "test.h"

enum { MAX_SITES = LC_ROW_DEFAULT_MAX_SITES, N_ROWS = 6000 };

static const int groups[6] = {12, 65, 139, 191, 194, 227};

static int random_below(lc_rng *rng, int n) { return (int)(lc_rng_uniform(rng) * n); }

/* A coordinate as augmentation writes them: often exactly a special value (0, 1/4, 1/2, ...), sometimes tiny,
 * otherwise uniform in [0, 1). */
static double coordinate(lc_rng *rng) {
    static const double special[6] = {0, 0.25, 0.5, 0.75, 1.0 / 3, 2.0 / 3};
    double u = lc_rng_uniform(rng);
    if (u < 0.3) return special[random_below(rng, 6)];
    if (u < 0.32) return 1e-9 * lc_rng_uniform(rng);
    return lc_rng_uniform(rng);
}

/* Rows shaped like LEGO rows: a few space groups, cells obeying their lattice systems, 1..MAX_SITES sites with
 * Wyckoff indices 0..5, unused slots -1. */
static double *make_rows(int n_rows, uint64_t seed) {
    int n_columns = lc_row_columns(MAX_SITES);
    double *rows = malloc((size_t)n_rows * n_columns * sizeof *rows);
    lc_rng rng;
    lc_rng_init(&rng, seed, 0, 0);
    for (int i = 0; i < n_rows; i++) {
        double *r = rows + (size_t)i * n_columns;
        int g = groups[random_below(&rng, 6)];
        double a = 2 + 18 * lc_rng_uniform(&rng), b = 2 + 18 * lc_rng_uniform(&rng), c = 2 + 30 * lc_rng_uniform(&rng);
        double alpha = 90, beta = 90, gamma = 90;
        if (g == 12) beta = 90 + 30 * lc_rng_uniform(&rng);
        if (g == 139 || g == 191 || g == 194 || g == 227) b = a;
        if (g == 227) c = a;
        if (g == 191 || g == 194) gamma = 120;
        double head[7] = {g, a, b, c, alpha, beta, gamma};
        memcpy(r, head, sizeof head);
        int n_sites = 1 + random_below(&rng, MAX_SITES);
        for (int s = 0; s < MAX_SITES; s++) {
            double *site = r + LC_ROW_FIXED_COLUMNS + LC_ROW_SITE_COLUMNS * s;
            if (s >= n_sites) {
                site[0] = site[1] = site[2] = site[3] = -1;
                continue;
            }
            site[0] = random_below(&rng, 6);
            for (int k = 1; k < 4; k++) site[k] = coordinate(&rng);
        }
    }
    return rows;
}

/* The round-trip criterion: relative 1e-6 with an absolute floor of 1e-12 for values at or near 0. */
static int close_enough(double original, double back) {
    return fabs(original - back) <= fmax(1e-6 * fabs(original), 1e-12);
}

static int fit_default(lc_encoder *enc, const double *rows, int n_rows, uint64_t seed) {
    lc_encoder_options opt;
    lc_encoder_options_default(&opt);
    opt.seed = seed;
    lc_error err;
    int status = lc_encoder_fit(enc, rows, n_rows, lc_row_columns(MAX_SITES), &opt, &err);
    if (status) fprintf(stderr, "fit: %s\n", err.message);
    return status;
}

/* Rows and encoder shared by the tests that only read them (fitting is the slow part). */
static double *shared_rows;
static lc_encoder shared_encoder;

static void test_round_trip(void) {
    int n_columns = lc_row_columns(MAX_SITES);
    const double *rows = shared_rows;
    const lc_encoder *enc = &shared_encoder;
    int width = lc_encoder_width(enc);
    double *encoded = malloc((size_t)N_ROWS * width * sizeof *encoded);
    double *back = malloc((size_t)N_ROWS * n_columns * sizeof *back);
    lc_error err;
    CHECK(lc_encoder_transform(enc, rows, N_ROWS, encoded, &err) == 0);
    lc_encoder_inverse(enc, encoded, N_ROWS, back);
    int bad_discrete = 0, bad_continuous = 0;
    double worst = 0, worst_at_zero = 0;
    for (size_t e = 0; e < (size_t)N_ROWS * n_columns; e++) {
        int c = (int)(e % n_columns);
        if (lc_row_column_is_discrete(c)) {
            bad_discrete += back[e] != rows[e];
        } else {
            bad_continuous += !close_enough(rows[e], back[e]);
            if (rows[e] != 0)
                worst = fmax(worst, fabs(rows[e] - back[e]) / fabs(rows[e]));
            else
                worst_at_zero = fmax(worst_at_zero, fabs(back[e]));
        }
    }
    CHECK_MSG(bad_discrete == 0, "%d discrete values changed", bad_discrete);
    CHECK_MSG(bad_continuous == 0, "%d continuous values off by more than 1e-6 relative", bad_continuous);
    printf("     round trip: width %d, worst relative error %.3g, worst |back| of an exact 0 %.3g\n", width, worst,
           worst_at_zero);
    free(encoded);
    free(back);
}

static void test_layout(void) {
    int n_columns = lc_row_columns(MAX_SITES);
    const double *rows = shared_rows;
    const lc_encoder *enc = &shared_encoder;
    CHECK(enc->n_columns == n_columns);

    /* spans tile [0, width) in column order: CATEGORY for discrete, VALUE (width 1) then MODE for continuous */
    int n_spans;
    const lc_encoder_span *spans = lc_encoder_spans(enc, &n_spans);
    int n_discrete = 0;
    for (int c = 0; c < n_columns; c++) n_discrete += lc_row_column_is_discrete(c);
    CHECK(n_spans == n_discrete + 2 * (n_columns - n_discrete));
    int at = 0, column = 0;
    for (int s = 0; s < n_spans; s++) {
        CHECK(spans[s].offset == at && spans[s].width >= 1);
        at += spans[s].width;
        if (spans[s].kind == LC_SPAN_CATEGORY) {
            CHECK(spans[s].column == column && lc_row_column_is_discrete(column));
            CHECK(spans[s].width == enc->category_offset[column + 1] - enc->category_offset[column]);
            column++;
        } else if (spans[s].kind == LC_SPAN_VALUE) {
            CHECK(spans[s].column == column && !lc_row_column_is_discrete(column) && spans[s].width == 1);
            CHECK(s + 1 < n_spans && spans[s + 1].kind == LC_SPAN_MODE && spans[s + 1].column == column);
        } else {
            CHECK(spans[s].kind == LC_SPAN_MODE && spans[s].column == column);
            CHECK(spans[s].width == enc->mode_offset[column + 1] - enc->mode_offset[column]);
            CHECK(spans[s].width <= 10);
            column++;
        }
    }
    CHECK(at == lc_encoder_width(enc) && column == n_columns);

    /* categories: exactly the distinct values of the data, ascending; -1 only where some row leaves a slot empty */
    for (int c = 0; c < n_columns; c++) {
        if (!lc_row_column_is_discrete(c)) continue;
        int seen[300] = {0}; /* value + 1 */
        for (int i = 0; i < N_ROWS; i++) seen[(int)rows[(size_t)i * n_columns + c] + 1] = 1;
        int expected = 0;
        for (int v = 0; v < 300; v++) expected += seen[v];
        int first = enc->category_offset[c], count = enc->category_offset[c + 1] - first;
        CHECK_MSG(count == expected, "column %d: %d categories, %d distinct values", c, count, expected);
        for (int k = 0; k < count; k++) {
            CHECK(seen[enc->category[first + k] + 1]);
            CHECK(k == 0 || enc->category[first + k - 1] < enc->category[first + k]);
        }
    }
    CHECK(enc->category[enc->category_offset[LC_ROW_FIXED_COLUMNS]] == 0); /* site 0 is always used: no -1 */
    CHECK(enc->category[enc->category_offset[LC_ROW_FIXED_COLUMNS + 4]] == -1);

    /* every one-hot span of an encoded row holds exactly one 1 and zeros */
    double *encoded = malloc((size_t)N_ROWS * enc->width * sizeof *encoded);
    CHECK(lc_encoder_transform(enc, rows, N_ROWS, encoded, NULL) == 0);
    int bad = 0;
    for (int i = 0; i < N_ROWS; i++)
        for (int s = 0; s < n_spans; s++) {
            if (spans[s].kind == LC_SPAN_VALUE) continue;
            const double *x = encoded + (size_t)i * enc->width + spans[s].offset;
            int ones = 0, zeros = 0;
            for (int k = 0; k < spans[s].width; k++) ones += x[k] == 1, zeros += x[k] == 0;
            bad += ones != 1 || zeros != spans[s].width - 1;
        }
    CHECK_MSG(bad == 0, "%d one-hot spans malformed", bad);
    free(encoded);
}

/* The encoded mode is the one lc_gmm_component picks from the same parameters, and the unused-slot -1 of a
 * coordinate column lands on a spike at -1 (z ~ 0) rather than on the tail of a wide mode. */
static void test_mode_choice(void) {
    int n_columns = lc_row_columns(MAX_SITES);
    const double *rows = shared_rows;
    const lc_encoder *enc = &shared_encoder;
    double *encoded = malloc((size_t)N_ROWS * enc->width * sizeof *encoded);
    CHECK(lc_encoder_transform(enc, rows, N_ROWS, encoded, NULL) == 0);
    int mismatches = 0, loose_minus_one = 0;
    for (int c = 0; c < n_columns; c++) {
        if (lc_row_column_is_discrete(c)) continue;
        lc_gmm g = {0};
        g.n_components = enc->mode_offset[c + 1] - enc->mode_offset[c];
        for (int k = 0; k < g.n_components; k++) {
            g.mean[k] = enc->mode_mean[enc->mode_offset[c] + k];
            g.std[k] = enc->mode_std[enc->mode_offset[c] + k];
            g.weight[k] = enc->mode_weight[enc->mode_offset[c] + k];
        }
        for (int i = 0; i < N_ROWS; i++) {
            const double *span = encoded + (size_t)i * enc->width + enc->column_offset[c];
            int k = 0;
            while (k < g.n_components && span[1 + k] != 1) k++;
            double v = rows[(size_t)i * n_columns + c];
            mismatches += k != lc_gmm_component(&g, v);
            if (v == -1 && c >= LC_ROW_FIXED_COLUMNS)
                loose_minus_one += !(fabs(g.mean[k] + 1) < 1e-6 && fabs(span[0]) < 1e-3);
        }
    }
    CHECK_MSG(mismatches == 0, "%d modes differ from lc_gmm_component", mismatches);
    CHECK_MSG(loose_minus_one == 0, "%d unused-slot values not on a spike at -1", loose_minus_one);
    free(encoded);
}

/* A second fit with the same seed gives bitwise the same parameters; an encoder rebuilt from the stored arrays
 * gives bitwise the same encoding. */
static void test_deterministic_and_rebuild(void) {
    const lc_encoder *a = &shared_encoder;
    lc_encoder b, rebuilt;
    CHECK(fit_default(&b, shared_rows, N_ROWS, 11) == 0);
    CHECK(a->n_modes == b.n_modes && a->n_categories == b.n_categories);
    CHECK(memcmp(a->mode_offset, b.mode_offset, (size_t)(a->n_columns + 1) * sizeof(int)) == 0);
    CHECK(memcmp(a->mode_mean, b.mode_mean, (size_t)a->n_modes * sizeof(double)) == 0);
    CHECK(memcmp(a->mode_std, b.mode_std, (size_t)a->n_modes * sizeof(double)) == 0);
    CHECK(memcmp(a->mode_weight, b.mode_weight, (size_t)a->n_modes * sizeof(double)) == 0);
    CHECK(memcmp(a->category, b.category, (size_t)a->n_categories * sizeof(int)) == 0);

    lc_error err;
    CHECK(lc_encoder_from_arrays(&rebuilt, a->n_columns, a->kind, a->category_offset, a->category, a->mode_offset,
                                 a->mode_mean, a->mode_std, a->mode_weight, &err) == 0);
    CHECK(lc_encoder_width(&rebuilt) == lc_encoder_width(a) && rebuilt.n_spans == a->n_spans);
    CHECK(memcmp(rebuilt.spans, a->spans, (size_t)a->n_spans * sizeof *a->spans) == 0);
    size_t size = (size_t)N_ROWS * a->width;
    double *ea = malloc(size * sizeof *ea), *er = malloc(size * sizeof *er);
    CHECK(lc_encoder_transform(a, shared_rows, N_ROWS, ea, NULL) == 0);
    CHECK(lc_encoder_transform(&rebuilt, shared_rows, N_ROWS, er, NULL) == 0);
    CHECK(memcmp(ea, er, size * sizeof *ea) == 0);

    /* another seed: other mixtures (the transform differs) but the same categories */
    lc_encoder c;
    CHECK(fit_default(&c, shared_rows, N_ROWS, 12) == 0);
    CHECK(c.n_categories == a->n_categories &&
          memcmp(c.category, a->category, (size_t)a->n_categories * sizeof(int)) == 0);
    CHECK(c.n_modes != a->n_modes || memcmp(c.mode_mean, a->mode_mean, (size_t)a->n_modes * sizeof(double)) != 0);
    free(ea);
    free(er);
    lc_encoder_free(&b);
    lc_encoder_free(&c);
    lc_encoder_free(&rebuilt);
}

/* Corrupted arrays (as a damaged file would give) are refused with a message, never crash. */
static const int good_kind[3] = {LC_COLUMN_DISCRETE, LC_COLUMN_CONTINUOUS, LC_COLUMN_DISCRETE};
static const int good_category_offset[4] = {0, 2, 2, 5}, good_category[5] = {-1, 4, 0, 1, 7};
static const int good_mode_offset[4] = {0, 0, 2, 2};
static const double good_mean[2] = {-1, 3}, good_std[2] = {1e-4, 0.5}, good_weight[2] = {0.25, 0.75};

/* from_arrays on the good arrays with the non-NULL arguments replacing theirs. */
static int rebuild(lc_encoder *enc, const int *kind, const int *category_offset, const int *category,
                   const int *mode_offset, const double *mean, const double *std, const double *weight, lc_error *err) {
    return lc_encoder_from_arrays(enc, 3, kind ? kind : good_kind,
                                  category_offset ? category_offset : good_category_offset,
                                  category ? category : good_category, mode_offset ? mode_offset : good_mode_offset,
                                  mean ? mean : good_mean, std ? std : good_std, weight ? weight : good_weight, err);
}

static void test_rebuild_rejects(void) {
    lc_encoder enc;
    lc_error err;
    CHECK(rebuild(&enc, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &err) == 0);
    CHECK(enc.width == 2 + 3 + 3);
    lc_encoder_free(&enc);

    const int unsorted[5] = {-1, 4, 1, 0, 7};
    CHECK(rebuild(&enc, NULL, NULL, unsorted, NULL, NULL, NULL, NULL, &err) == -1);
    CHECK(strstr(err.message, "ascending") != NULL);
    const double zero_std[2] = {1e-4, 0};
    CHECK(rebuild(&enc, NULL, NULL, NULL, NULL, NULL, zero_std, NULL, &err) == -1);
    const double bad_weight[2] = {0.25, 0.5};
    CHECK(rebuild(&enc, NULL, NULL, NULL, NULL, NULL, NULL, bad_weight, &err) == -1);
    CHECK(strstr(err.message, "sum to") != NULL);
    const double nan_mean[2] = {NAN, 3};
    CHECK(rebuild(&enc, NULL, NULL, NULL, NULL, nan_mean, NULL, NULL, &err) == -1);
    const double unsorted_mean[2] = {3, -1};
    CHECK(rebuild(&enc, NULL, NULL, NULL, NULL, unsorted_mean, NULL, NULL, &err) == -1);
    const int modes_on_discrete[4] = {0, 1, 2, 2};
    CHECK(rebuild(&enc, NULL, NULL, NULL, modes_on_discrete, NULL, NULL, NULL, &err) == -1);
    const int empty_discrete[4] = {0, 0, 0, 5};
    CHECK(rebuild(&enc, NULL, empty_discrete, NULL, NULL, NULL, NULL, NULL, &err) == -1);
    const int bad_kind[3] = {LC_COLUMN_DISCRETE, 7, LC_COLUMN_DISCRETE};
    CHECK(rebuild(&enc, bad_kind, NULL, NULL, NULL, NULL, NULL, NULL, &err) == -1);
    CHECK(enc.kind == NULL); /* a failed rebuild leaves nothing to free */
}

/* Generated rows are inexact: bounded noise (< 1/2) keeps every argmax, so discrete values come back unchanged;
 * any noise, or NaN, still gives categories the encoder knows and finite continuous values. */
static void test_noisy_inverse(void) {
    int n_columns = lc_row_columns(MAX_SITES);
    const double *rows = shared_rows;
    const lc_encoder *enc = &shared_encoder;
    size_t size = (size_t)N_ROWS * enc->width;
    double *encoded = malloc(size * sizeof *encoded), *noisy = malloc(size * sizeof *noisy);
    double *back = malloc((size_t)N_ROWS * n_columns * sizeof *back);
    CHECK(lc_encoder_transform(enc, rows, N_ROWS, encoded, NULL) == 0);
    lc_rng rng;
    lc_rng_init(&rng, 55, 0, 0);

    for (size_t e = 0; e < size; e++) noisy[e] = encoded[e] + 0.8 * (lc_rng_uniform(&rng) - 0.5);
    lc_encoder_inverse(enc, noisy, N_ROWS, back);
    int changed = 0;
    for (size_t e = 0; e < (size_t)N_ROWS * n_columns; e++)
        if (lc_row_column_is_discrete((int)(e % n_columns))) changed += back[e] != rows[e];
    CHECK_MSG(changed == 0, "%d discrete values changed under noise < 1/2", changed);

    for (size_t e = 0; e < size; e++) noisy[e] = encoded[e] + 2 * lc_rng_normal(&rng);
    for (size_t e = 0; e < size; e += 97) noisy[e] = NAN;
    lc_encoder_inverse(enc, noisy, N_ROWS, back);
    int invalid = 0, moved = 0;
    for (int i = 0; i < N_ROWS; i++)
        for (int c = 0; c < n_columns; c++) {
            double v = back[(size_t)i * n_columns + c];
            if (!lc_row_column_is_discrete(c)) continue;
            int known = 0;
            for (int k = enc->category_offset[c]; k < enc->category_offset[c + 1]; k++) known |= enc->category[k] == v;
            invalid += !known;
            moved += v != rows[(size_t)i * n_columns + c];
        }
    CHECK_MSG(invalid == 0, "%d discrete values not among the categories", invalid);
    CHECK(moved > 0); /* the noise was large enough to matter */
    int not_finite = 0;
    for (int i = 0; i < N_ROWS; i++)
        for (int c = 0; c < n_columns; c++) {
            size_t value_entry = (size_t)i * enc->width + enc->column_offset[c];
            if (!lc_row_column_is_discrete(c) && !isnan(noisy[value_entry]))
                not_finite += !isfinite(back[(size_t)i * n_columns + c]);
        }
    CHECK(not_finite == 0);
    free(encoded);
    free(noisy);
    free(back);
}

static void test_errors_and_custom_kinds(void) {
    int n_columns = lc_row_columns(MAX_SITES);
    double *rows = make_rows(200, 6);
    lc_encoder enc;
    lc_error err;
    CHECK(lc_encoder_fit(&enc, rows, 200, n_columns, NULL, &err) == 0);
    double *encoded = malloc((size_t)enc.width * sizeof *encoded);
    double row[64];
    memcpy(row, rows, (size_t)n_columns * sizeof *row);
    row[0] = 2; /* a space group absent from the training rows */
    CHECK(lc_encoder_transform(&enc, row, 1, encoded, &err) == -1);
    CHECK(strstr(err.message, "category 2") != NULL);
    memcpy(row, rows, (size_t)n_columns * sizeof *row);
    row[1] = NAN;
    CHECK(lc_encoder_transform(&enc, row, 1, encoded, &err) == -1);
    lc_encoder_free(&enc);

    rows[LC_ROW_FIXED_COLUMNS] = 1.5; /* a Wyckoff index that is not an integer */
    CHECK(lc_encoder_fit(&enc, rows, 200, n_columns, NULL, &err) == -1);
    CHECK(strstr(err.message, "not an integer") != NULL);
    CHECK(lc_encoder_fit(&enc, rows, 200, 10, NULL, &err) == -1); /* not 7 + 4 x sites */
    CHECK(lc_encoder_fit(&enc, rows, 0, n_columns, NULL, &err) == -1);
    free(rows);
    free(encoded);

    /* explicit kinds: any table, e.g. (label, energy, volume) */
    int kind[3] = {LC_COLUMN_DISCRETE, LC_COLUMN_CONTINUOUS, LC_COLUMN_CONTINUOUS};
    lc_encoder_options opt;
    lc_encoder_options_default(&opt);
    opt.kind = kind;
    opt.max_components = 4;
    double table[3 * 500];
    lc_rng rng;
    lc_rng_init(&rng, 66, 0, 0);
    for (int i = 0; i < 500; i++) {
        table[3 * i] = i % 5 == 0 ? -3 : 12;
        table[3 * i + 1] = -9.3 + 0.2 * lc_rng_normal(&rng);
        table[3 * i + 2] = i % 2 ? 1e5 * lc_rng_uniform(&rng) : 1e-3 * lc_rng_uniform(&rng);
    }
    CHECK(lc_encoder_fit(&enc, table, 500, 3, &opt, &err) == 0);
    CHECK(enc.category_offset[1] == 2 && enc.category[0] == -3 && enc.category[1] == 12);
    CHECK(enc.mode_offset[3] - enc.mode_offset[2] <= 4);
    double *e3 = malloc((size_t)500 * enc.width * sizeof *e3), back[3 * 500];
    CHECK(lc_encoder_transform(&enc, table, 500, e3, &err) == 0);
    lc_encoder_inverse(&enc, e3, 500, back);
    int bad = 0;
    for (int i = 0; i < 3 * 500; i++) bad += i % 3 == 0 ? back[i] != table[i] : !close_enough(table[i], back[i]);
    CHECK_MSG(bad == 0, "%d values of the custom table did not round-trip", bad);
    free(e3);
    lc_encoder_free(&enc);
}

/* Generated Wyckoff spans are read among the indices that exist in the row's group (the group decoded first from
 * the same row): a one-site LEGO encoder with groups P-1 (9 positions) and P6_3/mmc (12) and Wyckoff categories
 * -1 .. 11, so 9 .. 11 are valid for 194 only. */
static void test_valid_wyckoff_inverse(void) {
    enum { COLUMNS = LC_ROW_FIXED_COLUMNS + LC_ROW_SITE_COLUMNS };
    int kind[COLUMNS], category_offset[COLUMNS + 1], mode_offset[COLUMNS + 1], category[2 + 13];
    double mean[COLUMNS], std[COLUMNS], weight[COLUMNS];
    int n_categories = 0, n_modes = 0;
    for (int c = 0; c < COLUMNS; c++) {
        category_offset[c] = n_categories, mode_offset[c] = n_modes;
        kind[c] = lc_row_column_is_discrete(c) ? LC_COLUMN_DISCRETE : LC_COLUMN_CONTINUOUS;
        if (c == 0) category[n_categories++] = 2, category[n_categories++] = 194;
        else if (kind[c] == LC_COLUMN_DISCRETE)
            for (int v = -1; v <= 11; v++) category[n_categories++] = v;
        else mean[n_modes] = 0, std[n_modes] = 1, weight[n_modes++] = 1;
    }
    category_offset[COLUMNS] = n_categories, mode_offset[COLUMNS] = n_modes;
    lc_encoder enc;
    lc_error err;
    CHECK(lc_encoder_from_arrays(&enc, COLUMNS, kind, category_offset, category, mode_offset, mean, std, weight,
                                 &err) == 0);
    CHECK(enc.lego_rows == 1 && shared_encoder.lego_rows == 1);
    CHECK(lc_wyckoff_table_get(2)->n_positions == 9 && lc_wyckoff_table_get(194)->n_positions == 12);
    int wyckoff = enc.column_offset[LC_ROW_FIXED_COLUMNS]; /* entry of category -1; index v at wyckoff + 1 + v */
    double *x = calloc((size_t)enc.width, sizeof *x), row[COLUMNS];

    /* P-1 most probable, index 11 most probable (no such position in P-1), 5 next: 5 */
    x[0] = 0.9, x[1] = 0.1;
    x[wyckoff + 1 + 11] = 0.5, x[wyckoff + 1 + 5] = 0.3, x[wyckoff + 1 + 10] = 0.2;
    lc_encoder_inverse(&enc, x, 1, row);
    CHECK(row[0] == 2 && row[LC_ROW_FIXED_COLUMNS] == 5);
    lc_row decoded;
    CHECK(lc_row_from_array(row, 1, 6, &decoded) == LC_ROW_OK);
    /* the same Wyckoff span with P6_3/mmc: 11 exists there */
    x[0] = 0.1, x[1] = 0.9;
    lc_encoder_inverse(&enc, x, 1, row);
    CHECK(row[0] == 194 && row[LC_ROW_FIXED_COLUMNS] == 11);
    /* an unused slot (-1) is valid in every group; NaN never wins */
    x[0] = 0.9, x[1] = 0.1, x[wyckoff] = 0.4, x[wyckoff + 1 + 5] = NAN;
    lc_encoder_inverse(&enc, x, 1, row);
    CHECK(row[0] == 2 && row[LC_ROW_FIXED_COLUMNS] == -1);

    /* random spans: the index read is the largest entry among the group's valid ones, and always a position */
    lc_rng rng;
    lc_rng_init(&rng, 99, 0, 0);
    int wrong = 0, bad_rows = 0, masked = 0;
    for (int trial = 0; trial < 2000; trial++) {
        for (int e = 0; e < enc.width; e++) x[e] = lc_rng_uniform(&rng);
        lc_encoder_inverse(&enc, x, 1, row);
        int n_positions = lc_wyckoff_table_get((int)row[0])->n_positions, best = -1, plain = -1;
        for (int v = -1; v <= 11; v++) {
            if (plain < -1 || x[wyckoff + 1 + v] > x[wyckoff + 1 + plain]) plain = v;
            if (v < n_positions && (best < -1 || x[wyckoff + 1 + v] > x[wyckoff + 1 + best])) best = v;
        }
        wrong += row[LC_ROW_FIXED_COLUMNS] != best;
        masked += best != plain;
        bad_rows += lc_row_from_array(row, 1, 6, &decoded) == LC_ROW_BAD_WYCKOFF;
    }
    CHECK_MSG(wrong == 0 && bad_rows == 0, "%d Wyckoff indices not the best valid one, %d rows with a bad index",
              wrong, bad_rows);
    CHECK(masked > 0); /* the invalid categories did win often enough to matter */

    /* a column 0 that holds no space groups (300) is not a LEGO row: every span read by its plain argmax */
    category[1] = 300;
    lc_encoder other;
    CHECK(lc_encoder_from_arrays(&other, COLUMNS, kind, category_offset, category, mode_offset, mean, std, weight,
                                 &err) == 0);
    CHECK(other.lego_rows == 0);
    memset(x, 0, sizeof *x * (size_t)enc.width);
    x[0] = 0.9, x[wyckoff + 1 + 11] = 0.5, x[wyckoff + 1 + 5] = 0.3;
    lc_encoder_inverse(&other, x, 1, row);
    CHECK(row[0] == 2 && row[LC_ROW_FIXED_COLUMNS] == 11);
    lc_encoder_free(&other);
    free(x);
    lc_encoder_free(&enc);
}

int main(void) {
    shared_rows = make_rows(N_ROWS, 1);
    if (fit_default(&shared_encoder, shared_rows, N_ROWS, 11)) return EXIT_FAILURE;
    RUN_TEST(test_round_trip);
    RUN_TEST(test_layout);
    RUN_TEST(test_mode_choice);
    RUN_TEST(test_deterministic_and_rebuild);
    RUN_TEST(test_rebuild_rejects);
    RUN_TEST(test_noisy_inverse);
    RUN_TEST(test_errors_and_custom_kinds);
    RUN_TEST(test_valid_wyckoff_inverse);
    free(shared_rows);
    lc_encoder_free(&shared_encoder);
    return test_summary();
}
