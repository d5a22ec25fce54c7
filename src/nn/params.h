/* Parameters of a model in one contiguous buffer (llm.c's ParameterTensors).
 *
 * A model declares its tensor sizes once and keeps a struct of pointers:
 *
 *     typedef struct { float *w1, *b1, *w2, *b2; } critic_tensors;
 *     size_t sizes[] = {H * D, H, H, 1};
 *     lc_params P;
 *     lc_params_create(&P, ctx.backend, sizes, 4);
 *     critic_tensors w, g;
 *     float **wp[] = {&w.w1, &w.b1, &w.w2, &w.b2}, **gp[] = {&g.w1, &g.b1, &g.w2, &g.b2};
 *     lc_params_point(&P, P.params, wp);
 *     lc_params_point(&P, P.grads, gp);
 *
 * params, grads and the Adam moments m, v are four buffers of `total` floats with identical layout, so the
 * optimiser, gradient clipping, the MPI gradient all-reduce and checkpoints each see one flat array. */
#ifndef LEGOCRYST_NN_PARAMS_H
#define LEGOCRYST_NN_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "nn/backend.h"

enum { LC_PARAMS_MAX = 256 };

typedef struct {
    const lc_nn_backend *backend;
    int n;                         /* tensors */
    size_t size[LC_PARAMS_MAX];    /* floats per tensor */
    size_t offset[LC_PARAMS_MAX];  /* first float of tensor i in each buffer */
    size_t total;                  /* floats per buffer */
    float *params, *grads, *m, *v; /* each total floats, allocated by the backend; grads, m, v zeroed */
} lc_params;

/* Lays out n tensors (n <= LC_PARAMS_MAX) and allocates the four buffers; params are zero until initialised. */
void lc_params_create(lc_params *p, const lc_nn_backend *backend, const size_t *sizes, int n);
void lc_params_destroy(lc_params *p);
/* *ptrs[i] = buffer + offset[i], for buffer one of p->params, grads, m, v. */
void lc_params_point(const lc_params *p, float *buffer, float **ptrs[]);
void lc_params_zero_grad(lc_params *p);
/* Fills tensor i with U(-bound, bound) (PyTorch's default Linear init uses bound = 1 / sqrt(fan_in)) or, with
 * bound 0, with the constant `value`; draws keyed by (seed, tensor index), so a model initialises identically on
 * every rank. */
void lc_params_init_tensor(lc_params *p, int i, float bound, float value, uint64_t seed);

#endif
