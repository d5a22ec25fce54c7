/* Residual sums and feature concatenation (the generator's residual blocks concatenate [block(x) | x]). */
#include <string.h>

#include "nn/nn_internal.h"

void lc_cpu_axpy(const lc_nn_ctx *ctx, float *acc, const float *x, float alpha, int N) {
#pragma omp parallel for if (N > NN_OMP_MIN_WORK)
    for (int i = 0; i < N; i++) acc[i] += alpha * x[i];
}

void lc_cpu_add(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, int N) {
#pragma omp parallel for if (N > NN_OMP_MIN_WORK)
    for (int i = 0; i < N; i++) out[i] = a[i] + b[i];
}

void lc_cpu_concat_forward(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, int B, int C1,
                           int C2) {
    for (int r = 0; r < B; r++) {
        float *o = out + (size_t)r * (C1 + C2);
        memcpy(o, a + (size_t)r * C1, (size_t)C1 * sizeof(float));
        memcpy(o + C1, b + (size_t)r * C2, (size_t)C2 * sizeof(float));
    }
}

void lc_cpu_concat_backward(const lc_nn_ctx *ctx, float *da, float *db, const float *dout, int B, int C1, int C2) {
    for (int r = 0; r < B; r++) {
        const float *d = dout + (size_t)r * (C1 + C2);
        if (da)
            for (int c = 0; c < C1; c++) da[(size_t)r * C1 + c] += d[c];
        if (db)
            for (int c = 0; c < C2; c++) db[(size_t)r * C2 + c] += d[C1 + c];
    }
}

void lc_residual_forward(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, int N) {
    NN_CHECK(N >= 0 && out && a && b);
    ctx->backend->add(ctx, out, a, b, N);
}

void lc_residual_backward(const lc_nn_ctx *ctx, float *da, float *db, const float *dout, int N) {
    NN_CHECK(N >= 0 && dout);
    if (da) ctx->backend->axpy(ctx, da, dout, 1.0f, N);
    if (db) ctx->backend->axpy(ctx, db, dout, 1.0f, N);
}

void lc_concat_forward(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, int B, int C1, int C2) {
    NN_CHECK(B >= 0 && C1 >= 0 && C2 >= 0 && out && a && b);
    ctx->backend->concat_forward(ctx, out, a, b, B, C1, C2);
}

void lc_concat_backward(const lc_nn_ctx *ctx, float *da, float *db, const float *dout, int B, int C1, int C2) {
    NN_CHECK(B >= 0 && C1 >= 0 && C2 >= 0 && dout);
    ctx->backend->concat_backward(ctx, da, db, dout, B, C1, C2);
}
