/* Two "ranks" as two threads in one process, for the models' multi-rank tests: a two-party all-reduce in which
 * each thread posts its buffer and both sum in the same order after a barrier. */
#ifndef LEGOCRYST_TESTS_NN_TWO_RANKS_H
#define LEGOCRYST_TESTS_NN_TWO_RANKS_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

typedef struct {
    pthread_barrier_t barrier;
    float *fbuf[2];
    double *dbuf[2];
} exchange;

typedef struct {
    exchange *ex;
    int rank;
} rank_hook;

/* lc_grad_sync_fn: sums a gradient buffer over the two threads */
static inline int sync_sum(float *grads, size_t n, void *user) {
    rank_hook *r = user;
    exchange *ex = r->ex;
    ex->fbuf[r->rank] = grads;
    pthread_barrier_wait(&ex->barrier);
    float *mine = lc_malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) mine[i] = ex->fbuf[0][i] + ex->fbuf[1][i]; /* same order on both ranks */
    pthread_barrier_wait(&ex->barrier);
    memcpy(grads, mine, n * sizeof(float));
    free(mine);
    return 0;
}

/* lc_nn_allreduce_fn: sums BatchNorm statistics and losses over the two threads */
static inline void allreduce_sum(double *data, int n, void *user) {
    rank_hook *r = user;
    exchange *ex = r->ex;
    ex->dbuf[r->rank] = data;
    pthread_barrier_wait(&ex->barrier);
    double *mine = lc_malloc((size_t)n * sizeof(double));
    for (int i = 0; i < n; i++) mine[i] = ex->dbuf[0][i] + ex->dbuf[1][i];
    pthread_barrier_wait(&ex->barrier);
    memcpy(data, mine, (size_t)n * sizeof(double));
    free(mine);
}

#endif
