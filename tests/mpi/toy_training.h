/* A toy data-parallel training loop for the tests of mpi/shard, mpi/allreduce and mpi/checkpoint: linear
 * regression with Adam on flat float buffers, fed exactly as the real trainer is (docs/training.md): Philox epoch
 * order, global batches split over ranks, per-sample noise keyed by (seed, step, position in the global batch),
 * local losses scaled by R / b, gradients averaged with lc_allreduce_average_f32, the loss summed with
 * lc_allreduce_sum_f64. With distributed = 0 the same code runs as one rank would, without collectives (the
 * reference every rank can compute for itself). */
#ifndef LEGOCRYST_TESTS_TOY_TRAINING_H
#define LEGOCRYST_TESTS_TOY_TRAINING_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/shuffle.h"
#include "mpi/allreduce.h"
#include "mpi/shard.h"

/* Row values of the toy training set: the last column is the regression target. */
static inline float toy_value(long row, int col, int columns) {
    if (col == columns - 1) return (float)(0.5 + 0.25 * sin(0.37 * (double)row) + 0.01 * (double)(row % 7));
    return (float)sin(0.9 * (double)row + 1.7 * (double)col) * (float)(1 + col % 3);
}

typedef struct {
    int columns;          /* of the data; parameters = columns (columns - 1 weights and a bias) */
    float *params, *m, *v; /* [columns] each */
    long long step, epoch;
    unsigned long long seed;
} toy_model;

static inline void toy_init(toy_model *t, int columns, unsigned long long seed) {
    t->columns = columns;
    t->params = calloc((size_t)columns, sizeof(float));
    t->m = calloc((size_t)columns, sizeof(float));
    t->v = calloc((size_t)columns, sizeof(float));
    for (int k = 0; k < columns; k++) t->params[k] = 0.01f * (float)(k % 5);
    t->step = t->epoch = 0;
    t->seed = seed;
}

static inline void toy_free(toy_model *t) {
    free(t->params);
    free(t->m);
    free(t->v);
}

/* One epoch; losses[s] = mean loss of the global batch of step s. Reads this rank's rows from PATH's /encoded.
 * Returns the number of steps, or -1 when reading fails. */
static inline long toy_epoch(toy_model *t, const char *path, long n_rows, long batch, int rank, int ranks,
                             int distributed, double *losses) {
    int w = t->columns;
    long steps = lc_shard_steps(n_rows, batch);
    long *perm = malloc(sizeof(long) * (size_t)(n_rows + 1));
    lc_epoch_permutation(n_rows, t->seed, t->epoch, perm);
    long n_local = lc_shard_local_rows(n_rows, batch, rank, ranks);
    long *rows = malloc(sizeof(long) * (size_t)(n_local + 1)), *offset = malloc(sizeof(long) * (size_t)(steps + 1));
    lc_shard_epoch_rows(perm, n_rows, batch, rank, ranks, rows, offset);
    float *data = malloc(sizeof(float) * (size_t)(n_local * w + 1));
    lc_error err;
    if (lc_shard_read_rows(path, "encoded", rows, n_local, w, data, &err) != 0) {
        fprintf(stderr, "toy_epoch: %s\n", err.message);
        free(perm), free(rows), free(offset), free(data);
        return -1;
    }
    float *grad = malloc(sizeof(float) * (size_t)w);
    for (long s = 0; s < steps; s++) {
        lc_shard_step step = lc_shard_range(n_rows, batch, rank, ranks, s);
        memset(grad, 0, sizeof(float) * (size_t)w);
        double loss = 0;
        for (long j = 0; j < step.rows; j++) {
            const float *x = data + (size_t)(offset[s] + j) * (size_t)w;
            lc_rng rng; /* keyed by the sample's place in the global batch, not in this rank's slice */
            lc_rng_init_sample(&rng, t->seed, LC_STREAM_NOISE, (long)t->step, step.first - step.batch_first + j);
            float prediction = t->params[w - 1] + 0.01f * (float)lc_rng_normal(&rng);
            for (int k = 0; k < w - 1; k++) prediction += t->params[k] * x[k];
            float residual = prediction - x[w - 1];
            loss += 0.5 * (double)residual * (double)residual;
            float scaled = residual * (float)step.loss_scale;
            for (int k = 0; k < w - 1; k++) grad[k] += scaled * x[k];
            grad[w - 1] += scaled;
        }
        double global_loss[1] = {loss};
        if (distributed) {
            lc_allreduce_average_f32(grad, w);
            lc_allreduce_sum_f64(global_loss, 1);
        }
        losses[s] = global_loss[0] / (double)step.batch_rows;
        t->step++;
        /* Adam, lr 0.05 */
        float c1 = 1.0f - powf(0.9f, (float)t->step), c2 = 1.0f - powf(0.999f, (float)t->step);
        for (int k = 0; k < w; k++) {
            t->m[k] = 0.9f * t->m[k] + 0.1f * grad[k];
            t->v[k] = 0.999f * t->v[k] + 0.001f * grad[k] * grad[k];
            t->params[k] -= 0.05f * (t->m[k] / c1) / (sqrtf(t->v[k] / c2) + 1e-8f);
        }
    }
    t->epoch++;
    free(grad);
    free(perm);
    free(rows);
    free(offset);
    free(data);
    return steps;
}

#endif
