/* What train and sample share: encoders read from a training set or checkpoint, the model configuration from the
 * deck or a checkpoint, and the list of buffers a checkpoint holds. */
#ifndef LEGOCRYST_CLI_MODEL_FILES_H
#define LEGOCRYST_CLI_MODEL_FILES_H

#include "core/error.h"
#include "lego/encoder.h"
#include "mpi/checkpoint.h"
#include "nn/model.h"

/* The encoder stored under /encoder of an HDF5 file (training set or checkpoint). */
int lc_encoder_read(const char *path, lc_encoder *enc, lc_error *err);

enum { LC_MODEL_MAX_BUFFERS = 3 * LC_MODEL_MAX_SETS + 1, LC_MODEL_HYPERPARAMETERS = 18 };

/* Names and pointers of every buffer that makes the model's state: per parameter set its parameters and Adam
 * moments ("<set>_params", "<set>_adam_m", "<set>_adam_v"), then "state" when the model has one. */
int lc_model_buffers(lc_model *m, lc_checkpoint_buffer *buffers, float **data);

/* The configuration as numbers (for the checkpoint) and back. The Transformer's four (layers, heads, model_width,
 * grad_clip) and prior_components came later: a checkpoint without them gets the defaults (prior_components 0, the
 * N(0, I) prior such a model was sampled with). */
extern const char *const lc_model_hyperparameter_names[LC_MODEL_HYPERPARAMETERS];
void lc_model_hyperparameters(const lc_model_config *config, double *values);
int lc_model_config_from_checkpoint(const lc_checkpoint_data *data, lc_model_config *config, lc_error *err);

#endif
