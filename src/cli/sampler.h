/* Rows drawn from a trained model: what `sample` and `campaign` share. Row i depends only on the checkpoint, the
 * sampling seed and i, so any split of the rows over ranks or chunks draws the same rows. */
#ifndef LEGOCRYST_CLI_SAMPLER_H
#define LEGOCRYST_CLI_SAMPLER_H

#include <stdint.h>

#include "core/error.h"
#include "lego/encoder.h"
#include "nn/model.h"

typedef struct {
    lc_model *model;
    lc_model_config config;
    lc_encoder encoder;
    lc_nn_ctx ctx;
    int columns;       /* row columns (encoder.n_columns) */
    int max_sites;     /* site slots of a row */
    float *encoded32;  /* [config.batch][config.width] model output */
    double *encoded;   /* the same in double for the encoder */
} lc_sampler;

/* Loads the model and encoders of a `legocryst train` checkpoint. Returns -1 with err set on an unreadable or
 * inconsistent checkpoint (nothing to free then). */
int lc_sampler_open(lc_sampler *s, const char *checkpoint, uint64_t seed, lc_error *err);
/* Rows first .. first + n - 1, inverse-transformed, into rows[n][columns]. */
void lc_sampler_draw(lc_sampler *s, long first, long n, double *rows);
void lc_sampler_close(lc_sampler *s);

#endif
