/* Encoders of LEGO rows for the tabular generative models (CTGAN-style featurisation).
 *
 * Fitted on the training rows and stored with them. A discrete column (space group, Wyckoff index) becomes a
 * one-hot over the sorted distinct values seen in the training rows (-1 of unused slots included). A continuous
 * column gets a 1-D Gaussian mixture (gmm.h) and becomes [z, one-hot over its modes], CTGAN's mode-specific
 * normalisation: the mode is the one with the largest responsibility for the value (argmax of
 * log w_k + log N(v | mean_k, std_k), deterministic, ties to the lower mode) and z = (v - mean_k) / (4 std_k).
 * z is not clipped, so that the inverse v = mean_k + 4 std_k z is exact to rounding; squashing into the range of
 * a tanh output is the business of the model and sampler that use the spans.
 *
 * Encoded row layout: the columns in order, each contributing its spans (lc_encoder_spans): discrete column ->
 * one CATEGORY span; continuous column -> a VALUE span of width 1 followed by a MODE span. See docs/encoders.md
 * for the stored arrays. */
#ifndef LEGOCRYST_LEGO_ENCODER_H
#define LEGOCRYST_LEGO_ENCODER_H

#include <stdint.h>

#include "core/error.h"

typedef enum { LC_COLUMN_CONTINUOUS = 0, LC_COLUMN_DISCRETE = 1 } lc_column_kind;

typedef enum {
    LC_SPAN_VALUE = 0,    /* width 1: the normalised value z (tanh-like output) */
    LC_SPAN_MODE = 1,     /* one-hot over the modes of a continuous column (softmax output) */
    LC_SPAN_CATEGORY = 2, /* one-hot over the categories of a discrete column (softmax output) */
} lc_span_kind;

typedef struct {
    int offset; /* first entry in an encoded row */
    int width;
    int kind;   /* lc_span_kind */
    int column; /* the row column it encodes */
} lc_encoder_span;

typedef struct {
    int max_components;      /* modes per continuous column at most; default 10 */
    double weight_threshold; /* modes lighter than this are pruned; default 0.005 */
    uint64_t seed;           /* the mixtures are a function of (rows, seed); default 0 */
    const int *kind;         /* [n_columns] lc_column_kind, or NULL (default) for the LEGO row layout (row.h) */
} lc_encoder_options;

/* The parameters are flat arrays so that src/io can store them as datasets and lc_encoder_from_arrays can rebuild
 * the encoder; the rest is derived. */
typedef struct {
    int n_columns;
    int *kind;            /* [n_columns] lc_column_kind */
    int *category_offset; /* [n_columns + 1]: column c's categories are category[category_offset[c] ..
                           * category_offset[c+1] - 1]; empty for a continuous column */
    int *category;        /* [n_categories] ascending within a column */
    int *mode_offset;     /* [n_columns + 1]: column c's modes are entries mode_offset[c] .. mode_offset[c+1] - 1
                           * of the three arrays below; empty for a discrete column */
    double *mode_mean;    /* [n_modes] ascending within a column */
    double *mode_std;     /* [n_modes] > 0 */
    double *mode_weight;  /* [n_modes] mixture weights, sum 1 within a column */
    int n_categories;     /* category_offset[n_columns] */
    int n_modes;          /* mode_offset[n_columns] */

    /* derived */
    int width;                    /* entries of an encoded row */
    int n_spans;
    lc_encoder_span *spans;       /* [n_spans] in row order */
    int *column_offset;           /* [n_columns] first encoded entry of column c */
    double *mode_log_scale;       /* [n_modes] log w - log std, for the mode choice */
    int lego_rows;                /* the columns are a LEGO row (row.h): discrete exactly at the space group and the
                                   * Wyckoff indices, groups in 1..230, indices >= -1; lc_encoder_inverse then reads
                                   * each Wyckoff span among the indices of the row's group only */
} lc_encoder;

/* max_components 10, weight_threshold 0.005, seed 0, kind NULL. */
void lc_encoder_options_default(lc_encoder_options *opt);

/* Fits enc (overwritten, not freed) on rows[n_rows][n_columns] (row-major). Discrete values must be integers;
 * continuous values finite. With opt->kind NULL, n_columns must be a LEGO row width lc_row_columns(max_sites).
 * opt NULL means the defaults. Returns 0, or -1 with err set (enc then needs no free). */
int lc_encoder_fit(lc_encoder *enc, const double *rows, int n_rows, int n_columns, const lc_encoder_options *opt,
                   lc_error *err);

/* Rebuilds an encoder from its stored arrays (copied; layout as in lc_encoder). Checks them as untrusted input
 * (offsets, sorted categories, positive finite stds, ...). Returns 0, or -1 with err set. */
int lc_encoder_from_arrays(lc_encoder *enc, int n_columns, const int *kind, const int *category_offset,
                           const int *category, const int *mode_offset, const double *mode_mean,
                           const double *mode_std, const double *mode_weight, lc_error *err);

void lc_encoder_free(lc_encoder *enc);

int lc_encoder_width(const lc_encoder *enc);
/* The spans of an encoded row, in order; *n_spans receives their number. */
const lc_encoder_span *lc_encoder_spans(const lc_encoder *enc, int *n_spans);

/* encoded[n_rows][width] <- rows[n_rows][n_columns]. Fails (-1, err set) on a category the encoder has not seen
 * or a non-finite value; encoded is then partly written. Callers that train in float convert the result. */
int lc_encoder_transform(const lc_encoder *enc, const double *rows, int n_rows, double *encoded, lc_error *err);

/* rows[n_rows][n_columns] <- encoded[n_rows][width]. Works on generated (inexact) input: each one-hot span is
 * read by its argmax (the first maximum), so a discrete column always gets one of its categories and a
 * continuous column is mean_k + 4 std_k z with k the argmax of its mode span. For LEGO rows (enc->lego_rows) the
 * space group is one of the training set's groups (its categories), and each Wyckoff span is read by its argmax
 * over the categories that exist in the group just read from the same row: -1 (unused slot) and the indices
 * 0 .. n_positions - 1 of that group's table, i.e. the model's most probable valid index. */
void lc_encoder_inverse(const lc_encoder *enc, const double *encoded, int n_rows, double *rows);

#endif
