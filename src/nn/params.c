/* One contiguous buffer per role (params, grads, m, v) with per-tensor offsets. */
#include "nn/params.h"

#include <stdlib.h>

#include "nn/nn_internal.h"

void lc_params_create(lc_params *p, const lc_nn_backend *backend, const size_t *sizes, int n) {
    NN_CHECK(n >= 0 && n <= LC_PARAMS_MAX);
    p->backend = backend;
    p->n = n;
    p->total = 0;
    for (int i = 0; i < n; i++) {
        p->size[i] = sizes[i];
        p->offset[i] = p->total;
        p->total += sizes[i];
    }
    size_t bytes = p->total * sizeof(float);
    float **bufs[] = {&p->params, &p->grads, &p->m, &p->v};
    for (int k = 0; k < 4; k++) {
        *bufs[k] = backend->alloc(bytes);
        backend->zero(*bufs[k], bytes);
    }
}

void lc_params_destroy(lc_params *p) {
    float **bufs[] = {&p->params, &p->grads, &p->m, &p->v};
    for (int k = 0; k < 4; k++) {
        if (*bufs[k]) p->backend->free(*bufs[k]);
        *bufs[k] = NULL;
    }
}

void lc_params_point(const lc_params *p, float *buffer, float **ptrs[]) {
    for (int i = 0; i < p->n; i++) *ptrs[i] = buffer + p->offset[i];
}

void lc_params_zero_grad(lc_params *p) { p->backend->zero(p->grads, p->total * sizeof(float)); }

void lc_params_init_tensor(lc_params *p, int i, float bound, float value, uint64_t seed) {
    NN_CHECK(i >= 0 && i < p->n);
    size_t n = p->size[i];
    /* Drawn on the host and copied, so every backend gets the same numbers. */
    float *host = lc_malloc(n * sizeof(float));
    lc_rng rng;
    lc_rng_init(&rng, seed, 0x9a7a0000u, (uint64_t)i);
    for (size_t k = 0; k < n; k++)
        host[k] = bound > 0 ? (float)((2.0 * lc_rng_uniform(&rng) - 1.0) * bound) : value;
    p->backend->to_device(p->params + p->offset[i], host, n * sizeof(float));
    free(host);
}
