/* Training checkpoints in HDF5 (schema: docs/training.md): everything --resume needs to continue a run exactly,
 * and everything `sample` needs to use the model (parameters, hyperparameters, the encoders).
 *
 * Data-parallel training keeps the weights and optimiser state identical on every rank, so rank 0's buffers are
 * written; lc_checkpoint_write first checks that every rank holds the same bytes. Each buffer carries an FNV-1a 64
 * checksum that lc_checkpoint_load verifies. Files are written as PATH.partial and renamed when complete. */
#ifndef LEGOCRYST_MPI_CHECKPOINT_H
#define LEGOCRYST_MPI_CHECKPOINT_H

#include <stdint.h>

#include "core/error.h"

enum { LC_CHECKPOINT_SCHEMA_VERSION = 1 };

typedef struct {
    const char *name;  /* [A-Za-z0-9_]+, e.g. "parameters", "adam_m", "adam_v" */
    const float *data; /* this rank's copy, identical on every rank */
    long n;
} lc_checkpoint_buffer;

typedef struct {
    const char *model_kind;   /* e.g. "lego-vae" */
    long long step, epoch;    /* optimiser steps and epochs completed */
    uint64_t seed;            /* with step and epoch, the whole random state (keys of core/shuffle.h) */
    const char *deck;         /* the resolved input deck (NULL: "") */
    const char *training_set; /* its /encoder arrays are copied in (NULL or "": none) */
    int n_buffers;
    const lc_checkpoint_buffer *buffers;
    int n_hyperparameters; /* numeric settings of the model (names as buffer names) */
    const char *const *hyperparameter_names;
    const double *hyperparameter_values;
} lc_checkpoint;

/* Collective: every rank passes the same description. Returns 0, or -1 on every rank with err set when ranks
 * hold different bytes in some buffer (training diverged across ranks; nothing is written), a name is invalid or
 * repeated, the training set's encoders cannot be read, or the file cannot be written (an older PATH is then
 * left as it was). */
int lc_checkpoint_write(const char *path, const lc_checkpoint *checkpoint, lc_error *err);

/* What lc_checkpoint_load returns; every pointer is allocated (lc_checkpoint_free). */
typedef struct {
    char *model_kind, *deck, *training_set;
    long long step, epoch;
    uint64_t seed;
    int n_buffers;
    char **buffer_names;
    float **buffers;
    long *buffer_sizes;
    int n_hyperparameters;
    char **hyperparameter_names;
    double *hyperparameter_values;
} lc_checkpoint_data;

/* Reads a checkpoint on the calling rank alone and verifies every buffer's checksum. Returns -1 with err set for
 * a missing or unreadable file, a file of another kind or schema version, or a buffer that does not match its
 * checksum (a damaged file). */
int lc_checkpoint_load(const char *path, lc_checkpoint_data *out, lc_error *err);
/* Copies buffer `name` of a loaded checkpoint into out[0 .. n-1]; -1 with err set when it is missing or has
 * another size (a checkpoint of another model). */
int lc_checkpoint_take(const lc_checkpoint_data *data, const char *name, float *out, long n, lc_error *err);
/* Hyperparameter `name`; -1 with err set when missing. */
int lc_checkpoint_hyperparameter(const lc_checkpoint_data *data, const char *name, double *value, lc_error *err);
void lc_checkpoint_free(lc_checkpoint_data *data);

/* Collective: 1 on every rank when all ranks passed the same value, else 0 (e.g. lc_buffer_checksum of the
 * weights, to check that data-parallel training kept them identical). */
int lc_comm_check_identical(uint64_t value);

#endif
