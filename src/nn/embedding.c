/* Embedding lookup: row idx[i] of the table. */
#include <string.h>

#include "nn/nn_internal.h"

void lc_cpu_embedding_forward(const lc_nn_ctx *ctx, float *out, const int *idx, const float *table, int N, int V,
                              int C) {
    for (int i = 0; i < N; i++) {
        NN_CHECK(idx[i] >= 0 && idx[i] < V);
        memcpy(out + (size_t)i * C, table + (size_t)idx[i] * C, (size_t)C * sizeof(float));
    }
}

void lc_cpu_embedding_backward(const lc_nn_ctx *ctx, float *dtable, const float *dout, const int *idx, int N, int V,
                               int C) {
    /* serial over i: two rows may share an index */
    for (int i = 0; i < N; i++) {
        NN_CHECK(idx[i] >= 0 && idx[i] < V);
        float *t = dtable + (size_t)idx[i] * C;
        const float *d = dout + (size_t)i * C;
        for (int c = 0; c < C; c++) t[c] += d[c];
    }
}

void lc_embedding_forward(const lc_nn_ctx *ctx, float *out, const int *idx, const float *table, int N, int V,
                          int C) {
    NN_CHECK(N >= 0 && V > 0 && C >= 0 && out && idx && table);
    ctx->backend->embedding_forward(ctx, out, idx, table, N, V, C);
}

void lc_embedding_backward(const lc_nn_ctx *ctx, float *dtable, const float *dout, const int *idx, int N, int V,
                           int C) {
    NN_CHECK(N >= 0 && V > 0 && C >= 0 && dout && idx);
    if (dtable) ctx->backend->embedding_backward(ctx, dtable, dout, idx, N, V, C);
}
