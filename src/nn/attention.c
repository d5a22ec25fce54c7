/* Multi-head causal self-attention (llm.c's attention_forward/backward), with the per-head products through
 * OpenBLAS sgemm on strided views of qkv: head h of q, k, v starts at columns h hs, C + h hs, 2C + h hs of a row
 * of 3C floats. The full T x T score matrix is formed and the causal part kept; att is zero above the diagonal. */
#include <cblas.h>
#include <math.h>

#include "nn/nn_internal.h"

/* Row t of a (T, T) score matrix: softmax over j <= t, zero beyond. */
static void causal_softmax(float *att, int T) {
    for (int t = 0; t < T; t++) {
        float *a = att + (size_t)t * T;
        double amax = -INFINITY, sum = 0.0;
        for (int j = 0; j <= t; j++)
            if (a[j] > amax) amax = a[j];
        for (int j = 0; j <= t; j++) {
            double e = exp(a[j] - amax);
            a[j] = (float)e;
            sum += e;
        }
        for (int j = 0; j <= t; j++) a[j] = (float)(a[j] / sum);
        for (int j = t + 1; j < T; j++) a[j] = 0.0f;
    }
}

void lc_cpu_attention_forward(const lc_nn_ctx *ctx, float *out, float *att, const float *qkv, int B, int T, int C,
                              int NH) {
    int hs = C / NH, C3 = 3 * C;
    float scale = (float)(1.0 / sqrt((double)hs));
    for (int b = 0; b < B; b++) {
        for (int h = 0; h < NH; h++) {
            const float *q = qkv + (size_t)b * T * C3 + (size_t)h * hs, *k = q + C, *v = q + 2 * C;
            float *a = att + ((size_t)b * NH + h) * T * T;
            float *o = out + (size_t)b * T * C + (size_t)h * hs;
            /* a (T, T) = scale q (T, hs) k^T (hs, T) */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hs, scale, q, C3, k, C3, 0.0f, a, T);
            causal_softmax(a, T);
            /* o (T, hs) = a (T, T) v (T, hs) */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T, 1.0f, a, T, v, C3, 0.0f, o, C);
        }
    }
}

void lc_cpu_attention_backward(const lc_nn_ctx *ctx, float *dqkv, float *scratch, const float *dout,
                               const float *qkv, const float *att, int B, int T, int C, int NH) {
    int hs = C / NH, C3 = 3 * C;
    float scale = (float)(1.0 / sqrt((double)hs));
    for (int b = 0; b < B; b++) {
        for (int h = 0; h < NH; h++) {
            size_t head = (size_t)b * T * C3 + (size_t)h * hs;
            const float *q = qkv + head, *k = q + C, *v = q + 2 * C;
            float *dq = dqkv + head, *dk = dq + C, *dv = dq + 2 * C;
            const float *a = att + ((size_t)b * NH + h) * T * T;
            float *da = scratch + ((size_t)b * NH + h) * T * T;
            const float *d = dout + (size_t)b * T * C + (size_t)h * hs;
            /* da (T, T) = d (T, hs) v^T; dv (T, hs) += a^T d */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hs, 1.0f, d, C, v, C3, 0.0f, da, T);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hs, T, 1.0f, a, T, d, C, 1.0f, dv, C3);
            /* softmax backward in place: da <- a (da - sum_j a da), over the causal part */
            for (int t = 0; t < T; t++) {
                const float *ar = a + (size_t)t * T;
                float *dr = da + (size_t)t * T;
                double dot = 0.0;
                for (int j = 0; j <= t; j++) dot += (double)ar[j] * dr[j];
                for (int j = 0; j <= t; j++) dr[j] = (float)(ar[j] * (dr[j] - dot));
                for (int j = t + 1; j < T; j++) dr[j] = 0.0f;
            }
            /* dq (T, hs) += scale da k; dk (T, hs) += scale da^T q */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T, scale, da, T, k, C3, 1.0f, dq, C3);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hs, T, scale, da, T, q, C3, 1.0f, dk, C3);
        }
    }
}

void lc_attention_forward(const lc_nn_ctx *ctx, float *out, float *att, const float *qkv, int B, int T, int C,
                          int NH) {
    NN_CHECK(B >= 0 && T > 0 && NH > 0 && C > 0 && C % NH == 0 && out && att && qkv);
    ctx->backend->attention_forward(ctx, out, att, qkv, B, T, C, NH);
}

void lc_attention_backward(const lc_nn_ctx *ctx, float *dqkv, float *scratch, const float *dout, const float *qkv,
                           const float *att, int B, int T, int C, int NH) {
    NN_CHECK(B >= 0 && T > 0 && NH > 0 && C > 0 && C % NH == 0 && dqkv && scratch && dout && qkv && att);
    ctx->backend->attention_backward(ctx, dqkv, scratch, dout, qkv, att, B, T, C, NH);
}
