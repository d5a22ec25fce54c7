/* Inverted dropout with masks keyed by (seed, step, global sample, layer): identical on any number of ranks. */
#include <stdlib.h>

#include "nn/nn_internal.h"

void lc_cpu_dropout_mask(const lc_nn_ctx *ctx, float *mask, int B, int C, float p, uint32_t layer_id) {
    float keep = 1.0f / (1.0f - p);
    /* keep when u >= p with u from 32 random bits: exact for the p of interest, one draw per entry */
    uint32_t threshold = (uint32_t)((double)p * 4294967296.0); /* p < 1, so below 2^32 */
    for (int b = 0; b < B; b++) {
        lc_rng rng;
        lc_nn_rng(ctx, &rng, layer_id, b);
        float *m = mask + (size_t)b * C;
        for (int c = 0; c < C; c++) m[c] = lc_rng_u32(&rng) >= threshold ? keep : 0.0f;
    }
}

void lc_cpu_mul(const lc_nn_ctx *ctx, float *out, const float *in, const float *mask, int N) {
#pragma omp parallel for if (N > NN_OMP_MIN_WORK)
    for (int i = 0; i < N; i++) out[i] = in[i] * mask[i];
}

void lc_cpu_mul_acc(const lc_nn_ctx *ctx, float *acc, const float *a, const float *b, int N) {
#pragma omp parallel for if (N > NN_OMP_MIN_WORK)
    for (int i = 0; i < N; i++) acc[i] += a[i] * b[i];
}

void lc_dropout_forward(const lc_nn_ctx *ctx, float *out, float *mask, const float *in, int B, int C, float p,
                        uint32_t layer_id) {
    NN_CHECK(B >= 0 && C >= 0 && out && mask && in && p >= 0.0f && p < 1.0f);
    if (ctx->training && p > 0.0f) {
        ctx->backend->dropout_mask(ctx, mask, B, C, p, layer_id);
    } else {
        /* evaluation: identity, with a mask of ones so that backward needs no special case */
        float *ones = lc_malloc((size_t)B * C * sizeof(float));
        for (size_t i = 0; i < (size_t)B * C; i++) ones[i] = 1.0f;
        ctx->backend->to_device(mask, ones, (size_t)B * C * sizeof(float));
        free(ones);
    }
    ctx->backend->mul(ctx, out, in, mask, B * C);
}

void lc_dropout_apply(const lc_nn_ctx *ctx, float *out, const float *in, const float *mask, int N) {
    NN_CHECK(N >= 0 && out && in && mask);
    ctx->backend->mul(ctx, out, in, mask, N);
}

void lc_dropout_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *mask, int N) {
    NN_CHECK(N >= 0 && dout && mask);
    if (dinp) ctx->backend->mul_acc(ctx, dinp, dout, mask, N);
}
