/* Data-parallel batches (docs/training.md): which rows each rank trains on, and reading exactly those rows.
 *
 * An epoch visits the rows in the order perm = lc_epoch_permutation(n_rows, seed, epoch) (core/shuffle.h). Step s
 * takes the global batch perm[s B .. s B + b - 1], b = min(B, n_rows - s B) (the last batch of an epoch may be
 * short, so every row is visited once per epoch), and rank r of R takes the slice of positions
 * [s B + r b / R, s B + (r + 1) b / R). The batches are the same for any R; only their split differs. */
#ifndef LEGOCRYST_MPI_SHARD_H
#define LEGOCRYST_MPI_SHARD_H

#include "core/error.h"

/* Steps in an epoch: ceil(n_rows / global_batch) (0 for no rows). */
long lc_shard_steps(long n_rows, long global_batch);

typedef struct {
    long batch_first, batch_rows; /* the global batch: positions batch_first .. batch_first + batch_rows - 1 */
    long first, rows;             /* this rank's slice: positions first .. first + rows - 1 (rows may be 0) */
    /* R / batch_rows: the factor on the sum of this rank's per-sample losses, so that lc_allreduce_average_f32
     * of the ranks' gradients is the gradient of the global batch mean (equal to 1 / rows, the local mean, when
     * R divides batch_rows). */
    double loss_scale;
} lc_shard_step;

/* Step `step` (0 .. steps-1) of an epoch for `rank` of `ranks`. n_rows >= 0, global_batch >= 1 and
 * 0 <= rank < ranks, else lc_fatal (a caller's bug). */
lc_shard_step lc_shard_range(long n_rows, long global_batch, int rank, int ranks, long step);

/* Rows this rank trains on in one epoch (the same for every epoch). */
long lc_shard_local_rows(long n_rows, long global_batch, int rank, int ranks);

/* The global row indices this rank needs in one epoch, in training order: rows[] gets perm[slice of step 0],
 * perm[slice of step 1], ...; it must hold lc_shard_local_rows(...) entries. step_offset (NULL or steps + 1
 * entries): step s's rows are rows[step_offset[s] .. step_offset[s + 1] - 1]. Returns the number of rows. */
long lc_shard_epoch_rows(const long *perm, long n_rows, long global_batch, int rank, int ranks, long *rows,
                         long *step_offset);

/* Reads rows rows[0 .. n-1] (global indices in any order, repeats allowed) of the 2-D floating-point dataset NAME
 * of the HDF5 file PATH into out[n][columns], on the calling rank alone (no collective). Only these rows are
 * requested from HDF5: sorted, and merged into contiguous spans where they lie close together (one H5Dread per
 * span). Returns -1 with err set for a missing file or dataset, another number of columns, or a row out of
 * range. */
int lc_shard_read_rows(const char *path, const char *name, const long *rows, long n, int columns, float *out,
                       lc_error *err);

#endif
