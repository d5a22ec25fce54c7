/* Linear layer: out = in W^T + b, with W in PyTorch's (OC, C) layout. Products through OpenBLAS sgemm. */
#include <cblas.h>
#include <stddef.h>
#include <stdlib.h>

#include "nn/nn_internal.h"

void lc_cpu_linear_forward(const lc_nn_ctx *ctx, float *out, const float *in, const float *weight,
                           const float *bias, int B, int C, int OC) {
    if (B == 0 || OC == 0) return;
    if (C == 0) {
        for (size_t k = 0; k < (size_t)B * OC; k++) out[k] = 0.0f;
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, OC, C, 1.0f, in, C, weight, C, 0.0f, out, OC);
    }
    if (bias) {
        for (int b = 0; b < B; b++) {
            float *o = out + (size_t)b * OC;
            for (int j = 0; j < OC; j++) o[j] += bias[j];
        }
    }
}

void lc_cpu_linear_backward(const lc_nn_ctx *ctx, float *dinp, float *dweight, float *dbias, const float *dout,
                            const float *in, const float *weight, int B, int C, int OC) {
    if (B == 0 || OC == 0) return;
    if (dinp && C > 0) /* dinp (B, C) += dout (B, OC) W (OC, C) */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, C, OC, 1.0f, dout, OC, weight, C, 1.0f, dinp, C);
    if (dweight && C > 0) /* dW (OC, C) += dout^T (OC, B) in (B, C) */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, B, 1.0f, dout, OC, in, C, 1.0f, dweight, C);
    if (dbias) {
        /* column sums over a large batch: double so that the order of B additions does not matter; row by row, so
         * that the inner loop runs along memory (each column still adds its rows in order 0 .. B-1) */
        double *sum = lc_calloc((size_t)OC, sizeof(double));
        for (int b = 0; b < B; b++) {
            const float *row = dout + (size_t)b * OC;
#pragma omp simd
            for (int j = 0; j < OC; j++) sum[j] += row[j];
        }
        for (int j = 0; j < OC; j++) dbias[j] += (float)sum[j];
        free(sum);
    }
}

void lc_cpu_linear_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dweight, const float *ggin,
                                   const float *gout, const float *weight, int B, int C, int OC) {
    if (B == 0 || OC == 0 || C == 0) return;
    if (dgout) /* gin = gout W, so dgout (B, OC) += ggin (B, C) W^T (C, OC) */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, OC, C, 1.0f, ggin, C, weight, C, 1.0f, dgout, OC);
    if (dweight) /* dW (OC, C) += gout^T (OC, B) ggin (B, C) */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, B, 1.0f, gout, OC, ggin, C, 1.0f, dweight, C);
}

void lc_linear_forward(const lc_nn_ctx *ctx, float *out, const float *in, const float *weight, const float *bias,
                       int B, int C, int OC) {
    NN_CHECK(B >= 0 && C >= 0 && OC >= 0 && out && in && weight);
    ctx->backend->linear_forward(ctx, out, in, weight, bias, B, C, OC);
}

void lc_linear_backward(const lc_nn_ctx *ctx, float *dinp, float *dweight, float *dbias, const float *dout,
                        const float *in, const float *weight, int B, int C, int OC) {
    NN_CHECK(B >= 0 && C >= 0 && OC >= 0 && dout && (!dinp || weight) && (!dweight || in));
    ctx->backend->linear_backward(ctx, dinp, dweight, dbias, dout, in, weight, B, C, OC);
}

void lc_linear_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dweight, const float *ggin,
                               const float *gout, const float *weight, int B, int C, int OC) {
    NN_CHECK(B >= 0 && C >= 0 && OC >= 0 && ggin && (!dgout || weight) && (!dweight || gout));
    ctx->backend->linear_double_backward(ctx, dgout, dweight, ggin, gout, weight, B, C, OC);
}
