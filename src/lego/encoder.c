#include "encoder.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "gmm.h"
#include "row.h"
#include "symmetry/wyckoff.h"

enum { RNG_STREAM = 0x454E43 }; /* "ENC": per-column mixture seeds */

void lc_encoder_options_default(lc_encoder_options *opt) {
    opt->max_components = 10;
    opt->weight_threshold = 0.005;
    opt->seed = 0;
    opt->kind = NULL;
}

void lc_encoder_free(lc_encoder *enc) {
    free(enc->kind);
    free(enc->category_offset);
    free(enc->category);
    free(enc->mode_offset);
    free(enc->mode_mean);
    free(enc->mode_std);
    free(enc->mode_weight);
    free(enc->spans);
    free(enc->column_offset);
    free(enc->mode_log_scale);
    memset(enc, 0, sizeof *enc);
}

int lc_encoder_width(const lc_encoder *enc) { return enc->width; }

const lc_encoder_span *lc_encoder_spans(const lc_encoder *enc, int *n_spans) {
    *n_spans = enc->n_spans;
    return enc->spans;
}

/* Checks an offsets array: starts at 0, and column c has at least `min` entries when kind[c] == `kind_with`,
 * none otherwise. */
static int check_offsets(const int *offset, const int *kind, int n_columns, int kind_with, const char *what,
                         lc_error *err) {
    if (offset[0] != 0) return lc_error_set(err, "encoder", 0, "%s offsets start at %d, not 0", what, offset[0]);
    for (int c = 0; c < n_columns; c++) {
        long count = (long)offset[c + 1] - offset[c];
        if (kind[c] == kind_with ? count < 1 : count != 0)
            return lc_error_set(err, "encoder", 0, "column %d (%s) has %ld %s", c,
                                kind[c] == LC_COLUMN_DISCRETE ? "discrete" : "continuous", count, what);
    }
    return 0;
}

int lc_encoder_from_arrays(lc_encoder *enc, int n_columns, const int *kind, const int *category_offset,
                           const int *category, const int *mode_offset, const double *mode_mean,
                           const double *mode_std, const double *mode_weight, lc_error *err) {
    memset(enc, 0, sizeof *enc);
    if (n_columns < 1) return lc_error_set(err, "encoder", 0, "%d columns", n_columns);
    for (int c = 0; c < n_columns; c++)
        if (kind[c] != LC_COLUMN_CONTINUOUS && kind[c] != LC_COLUMN_DISCRETE)
            return lc_error_set(err, "encoder", 0, "column %d has unknown kind %d", c, kind[c]);
    if (check_offsets(category_offset, kind, n_columns, LC_COLUMN_DISCRETE, "categories", err) ||
        check_offsets(mode_offset, kind, n_columns, LC_COLUMN_CONTINUOUS, "modes", err))
        return -1;
    long width = 0;
    for (int c = 0; c < n_columns; c++) {
        if (kind[c] == LC_COLUMN_DISCRETE) {
            for (int e = category_offset[c] + 1; e < category_offset[c + 1]; e++)
                if (category[e] <= category[e - 1])
                    return lc_error_set(err, "encoder", 0, "categories of column %d are not strictly ascending", c);
            width += category_offset[c + 1] - category_offset[c];
            continue;
        }
        double total = 0;
        for (int e = mode_offset[c]; e < mode_offset[c + 1]; e++) {
            if (!isfinite(mode_mean[e]) || !(mode_std[e] > 0 && mode_std[e] < INFINITY) ||
                !(mode_weight[e] > 0 && mode_weight[e] <= 1))
                return lc_error_set(err, "encoder", 0, "column %d mode %d: mean %g, std %g, weight %g", c,
                                    e - mode_offset[c], mode_mean[e], mode_std[e], mode_weight[e]);
            if (e > mode_offset[c] && mode_mean[e] < mode_mean[e - 1])
                return lc_error_set(err, "encoder", 0, "modes of column %d are not sorted by mean", c);
            total += mode_weight[e];
        }
        if (fabs(total - 1) > 1e-9)
            return lc_error_set(err, "encoder", 0, "mode weights of column %d sum to %.12g, not 1", c, total);
        width += 1 + mode_offset[c + 1] - mode_offset[c];
    }
    if (width > INT_MAX) return lc_error_set(err, "encoder", 0, "encoded width %ld is too large", width);

    int n_categories = category_offset[n_columns], n_modes = mode_offset[n_columns];
    enc->n_columns = n_columns;
    enc->n_categories = n_categories;
    enc->n_modes = n_modes;
    enc->kind = lc_malloc((size_t)n_columns * sizeof *enc->kind);
    enc->category_offset = lc_malloc((size_t)(n_columns + 1) * sizeof *enc->category_offset);
    enc->mode_offset = lc_malloc((size_t)(n_columns + 1) * sizeof *enc->mode_offset);
    enc->category = lc_malloc((size_t)n_categories * sizeof *enc->category);
    enc->mode_mean = lc_malloc((size_t)n_modes * sizeof *enc->mode_mean);
    enc->mode_std = lc_malloc((size_t)n_modes * sizeof *enc->mode_std);
    enc->mode_weight = lc_malloc((size_t)n_modes * sizeof *enc->mode_weight);
    memcpy(enc->kind, kind, (size_t)n_columns * sizeof *kind);
    memcpy(enc->category_offset, category_offset, (size_t)(n_columns + 1) * sizeof *category_offset);
    memcpy(enc->mode_offset, mode_offset, (size_t)(n_columns + 1) * sizeof *mode_offset);
    if (n_categories) memcpy(enc->category, category, (size_t)n_categories * sizeof *category);
    if (n_modes) {
        memcpy(enc->mode_mean, mode_mean, (size_t)n_modes * sizeof *mode_mean);
        memcpy(enc->mode_std, mode_std, (size_t)n_modes * sizeof *mode_std);
        memcpy(enc->mode_weight, mode_weight, (size_t)n_modes * sizeof *mode_weight);
    }

    /* derived: spans, column offsets, log terms of the mode choice */
    enc->width = (int)width;
    enc->spans = lc_malloc((size_t)2 * n_columns * sizeof *enc->spans);
    enc->column_offset = lc_malloc((size_t)n_columns * sizeof *enc->column_offset);
    enc->mode_log_scale = lc_malloc((size_t)n_modes * sizeof *enc->mode_log_scale);
    int at = 0;
    for (int c = 0; c < n_columns; c++) {
        enc->column_offset[c] = at;
        if (kind[c] == LC_COLUMN_DISCRETE) {
            int w = category_offset[c + 1] - category_offset[c];
            enc->spans[enc->n_spans++] = (lc_encoder_span){at, w, LC_SPAN_CATEGORY, c};
            at += w;
        } else {
            int w = mode_offset[c + 1] - mode_offset[c];
            enc->spans[enc->n_spans++] = (lc_encoder_span){at, 1, LC_SPAN_VALUE, c};
            enc->spans[enc->n_spans++] = (lc_encoder_span){at + 1, w, LC_SPAN_MODE, c};
            at += 1 + w;
        }
    }
    for (int e = 0; e < n_modes; e++) enc->mode_log_scale[e] = log(enc->mode_weight[e]) - log(enc->mode_std[e]);
    enc->lego_rows = n_columns >= lc_row_columns(1) && (n_columns - LC_ROW_FIXED_COLUMNS) % LC_ROW_SITE_COLUMNS == 0;
    for (int c = 0; c < n_columns && enc->lego_rows; c++) {
        int discrete = lc_row_column_is_discrete(c);
        enc->lego_rows = kind[c] == (discrete ? LC_COLUMN_DISCRETE : LC_COLUMN_CONTINUOUS);
        for (int e = category_offset[c]; discrete && e < category_offset[c + 1] && enc->lego_rows; e++)
            enc->lego_rows = c == 0 ? category[e] >= 1 && category[e] <= 230 : category[e] >= -1;
    }
    return 0;
}

static int compare_int(const void *pa, const void *pb) {
    int a = *(const int *)pa, b = *(const int *)pb;
    return (a > b) - (a < b);
}

int lc_encoder_fit(lc_encoder *enc, const double *rows, int n_rows, int n_columns, const lc_encoder_options *opt,
                   lc_error *err) {
    memset(enc, 0, sizeof *enc);
    lc_encoder_options defaults;
    lc_encoder_options_default(&defaults);
    if (!opt) opt = &defaults;
    if (n_rows < 1) return lc_error_set(err, "encoder", 0, "no rows to fit the encoders on");
    if (!opt->kind && (n_columns < LC_ROW_FIXED_COLUMNS || (n_columns - LC_ROW_FIXED_COLUMNS) % LC_ROW_SITE_COLUMNS))
        return lc_error_set(err, "encoder", 0, "%d columns is not a LEGO row width (7 + 4 x sites)", n_columns);
    if (n_columns < 1) return lc_error_set(err, "encoder", 0, "%d columns", n_columns);

    int *kind = lc_malloc((size_t)n_columns * sizeof *kind);
    for (int c = 0; c < n_columns; c++)
        kind[c] = opt->kind ? opt->kind[c] : lc_row_column_is_discrete(c) ? LC_COLUMN_DISCRETE : LC_COLUMN_CONTINUOUS;
    int *category_offset = lc_calloc((size_t)n_columns + 1, sizeof *category_offset);
    int *mode_offset = lc_calloc((size_t)n_columns + 1, sizeof *mode_offset);
    int n_discrete = 0;
    for (int c = 0; c < n_columns; c++) n_discrete += kind[c] == LC_COLUMN_DISCRETE;
    /* at most every row distinct in every discrete column; the modes at most max_components per column */
    int *category = lc_malloc((size_t)n_rows * (size_t)n_discrete * sizeof *category);
    size_t mode_capacity = (size_t)(n_columns - n_discrete) * LC_GMM_MAX_COMPONENTS;
    double *mean = lc_malloc(mode_capacity * sizeof *mean), *std = lc_malloc(mode_capacity * sizeof *std),
           *weight = lc_malloc(mode_capacity * sizeof *weight);
    int *ints = lc_malloc((size_t)n_rows * sizeof *ints);
    double *values = lc_malloc((size_t)n_rows * sizeof *values);
    int n_categories = 0, n_modes = 0, status = 0;

    for (int c = 0; c < n_columns && status == 0; c++) {
        if (kind[c] == LC_COLUMN_DISCRETE) {
            for (int i = 0; i < n_rows && status == 0; i++) {
                double v = rows[(size_t)i * n_columns + c];
                if (!(v == floor(v) && v >= INT_MIN && v <= INT_MAX))
                    status = lc_error_set(err, "encoder", 0, "row %d, column %d: %g is not an integer category", i,
                                          c, v);
                else
                    ints[i] = (int)v;
            }
            if (status) break;
            qsort(ints, (size_t)n_rows, sizeof *ints, compare_int);
            for (int i = 0; i < n_rows; i++)
                if (i == 0 || ints[i] != ints[i - 1]) category[n_categories++] = ints[i];
        } else if (kind[c] == LC_COLUMN_CONTINUOUS) {
            for (int i = 0; i < n_rows; i++) values[i] = rows[(size_t)i * n_columns + c];
            /* each column its own seed, drawn from (seed, column), so columns are independent streams */
            lc_rng rng;
            lc_rng_init(&rng, opt->seed, RNG_STREAM, (uint64_t)c);
            uint64_t seed = (uint64_t)lc_rng_u32(&rng) << 32;
            seed |= lc_rng_u32(&rng);
            lc_gmm g;
            lc_error gmm_err;
            if (lc_gmm_fit(values, n_rows, opt->max_components, opt->weight_threshold, seed, &g, &gmm_err)) {
                status = lc_error_set(err, "encoder", 0, "column %d: %s", c, gmm_err.message);
                break;
            }
            for (int k = 0; k < g.n_components; k++, n_modes++) {
                mean[n_modes] = g.mean[k];
                std[n_modes] = g.std[k];
                weight[n_modes] = g.weight[k];
            }
        } else {
            status = lc_error_set(err, "encoder", 0, "column %d has unknown kind %d", c, kind[c]);
        }
        category_offset[c + 1] = n_categories;
        mode_offset[c + 1] = n_modes;
    }
    if (status == 0) {
        lc_error build_err;
        if (lc_encoder_from_arrays(enc, n_columns, kind, category_offset, category, mode_offset, mean, std, weight,
                                   &build_err))
            lc_fatal("fitted encoder is inconsistent: %s", build_err.message);
    }
    free(kind);
    free(category_offset);
    free(mode_offset);
    free(category);
    free(mean);
    free(std);
    free(weight);
    free(ints);
    free(values);
    return status;
}

/* Index of value in the sorted categories, or -1. */
static int find_category(const int *category, int n, double value) {
    if (!(value == floor(value) && value >= INT_MIN && value <= INT_MAX)) return -1;
    int v = (int)value, lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (category[mid] == v) return mid;
        if (category[mid] < v)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* The mode with the largest responsibility: argmax of log w - log std - z^2 / 2, first on ties. */
static int choose_mode(const lc_encoder *enc, int c, double v) {
    int first = enc->mode_offset[c], best = 0;
    double best_l = -INFINITY;
    for (int k = 0; k < enc->mode_offset[c + 1] - first; k++) {
        double z = (v - enc->mode_mean[first + k]) / enc->mode_std[first + k];
        double l = enc->mode_log_scale[first + k] - 0.5 * z * z;
        if (l > best_l) best_l = l, best = k;
    }
    return best;
}

int lc_encoder_transform(const lc_encoder *enc, const double *rows, int n_rows, double *encoded, lc_error *err) {
    for (int i = 0; i < n_rows; i++) {
        const double *row = rows + (size_t)i * enc->n_columns;
        double *out = encoded + (size_t)i * enc->width;
        memset(out, 0, (size_t)enc->width * sizeof *out);
        for (int c = 0; c < enc->n_columns; c++) {
            double *span = out + enc->column_offset[c];
            if (enc->kind[c] == LC_COLUMN_DISCRETE) {
                int first = enc->category_offset[c];
                int k = find_category(enc->category + first, enc->category_offset[c + 1] - first, row[c]);
                if (k < 0)
                    return lc_error_set(err, "encoder", 0, "row %d, column %d: category %g was not in the fitted rows",
                                        i, c, row[c]);
                span[k] = 1;
            } else {
                if (!isfinite(row[c]))
                    return lc_error_set(err, "encoder", 0, "row %d, column %d: value %g is not finite", i, c, row[c]);
                int k = choose_mode(enc, c, row[c]), e = enc->mode_offset[c] + k;
                span[0] = (row[c] - enc->mode_mean[e]) / (4 * enc->mode_std[e]);
                span[1 + k] = 1;
            }
        }
    }
    return 0;
}

/* First index of the maximum; NaN entries never win (all NaN gives 0). */
static int argmax(const double *x, int n) {
    int best = 0;
    for (int k = 1; k < n; k++)
        if (x[k] > x[best] || (isnan(x[best]) && !isnan(x[k]))) best = k;
    return best;
}

/* First index of the maximum among the categories that are Wyckoff indices of a group with n_positions positions
 * (-1, the unused slot, included); -1 when there is none. NaN entries never win. */
static int valid_wyckoff_argmax(const double *x, const int *category, int n, int n_positions) {
    int best = -1;
    for (int k = 0; k < n; k++)
        if (category[k] >= -1 && category[k] < n_positions &&
            (best < 0 || x[k] > x[best] || (isnan(x[best]) && !isnan(x[k]))))
            best = k;
    return best;
}

void lc_encoder_inverse(const lc_encoder *enc, const double *encoded, int n_rows, double *rows) {
    for (int i = 0; i < n_rows; i++) {
        const double *in = encoded + (size_t)i * enc->width;
        double *row = rows + (size_t)i * enc->n_columns;
        int n_positions = 0; /* of the row's group, for LEGO rows (column 0 comes first) */
        for (int c = 0; c < enc->n_columns; c++) {
            const double *span = in + enc->column_offset[c];
            if (enc->kind[c] == LC_COLUMN_DISCRETE) {
                int first = enc->category_offset[c], n = enc->category_offset[c + 1] - first;
                int k = enc->lego_rows && c > 0 ? valid_wyckoff_argmax(span, enc->category + first, n, n_positions)
                                                : -1;
                row[c] = enc->category[first + (k >= 0 ? k : argmax(span, n))];
                if (enc->lego_rows && c == 0) n_positions = lc_wyckoff_table_get((int)row[0])->n_positions;
            } else {
                int first = enc->mode_offset[c];
                int e = first + argmax(span + 1, enc->mode_offset[c + 1] - first);
                row[c] = enc->mode_mean[e] + 4 * enc->mode_std[e] * span[0];
            }
        }
    }
}
