/* LayerNorm over the last dimension (llm.c's layernorm with mean and rstd saved per row). */
#include <math.h>

#include "nn/nn_internal.h"

void lc_cpu_layernorm_forward(const lc_nn_ctx *ctx, float *out, float *mean, float *rstd, const float *in,
                              const float *weight, const float *bias, int N, int C, float eps) {
#pragma omp parallel for if ((long)N * C > NN_OMP_MIN_WORK)
    for (int i = 0; i < N; i++) {
        const float *x = in + (size_t)i * C;
        float *o = out + (size_t)i * C;
        double m = 0.0, v = 0.0;
        for (int c = 0; c < C; c++) m += x[c];
        m /= C;
        for (int c = 0; c < C; c++) v += (x[c] - m) * (x[c] - m); /* two passes: no cancellation */
        v /= C;
        double s = 1.0 / sqrt(v + eps);
        for (int c = 0; c < C; c++) o[c] = (float)((x[c] - m) * s) * weight[c] + bias[c];
        mean[i] = (float)m;
        rstd[i] = (float)s;
    }
}

void lc_cpu_layernorm_backward(const lc_nn_ctx *ctx, float *dinp, float *dweight, float *dbias, const float *dout,
                               const float *in, const float *weight, const float *mean, const float *rstd, int N,
                               int C) {
    if (dinp) {
#pragma omp parallel for if ((long)N * C > NN_OMP_MIN_WORK)
        for (int i = 0; i < N; i++) {
            const float *x = in + (size_t)i * C, *d = dout + (size_t)i * C;
            float *di = dinp + (size_t)i * C;
            double dn_mean = 0.0, dn_xhat = 0.0; /* means of dnorm and dnorm * xhat */
            for (int c = 0; c < C; c++) {
                double xhat = (x[c] - mean[i]) * rstd[i];
                double dn = (double)weight[c] * d[c];
                dn_mean += dn;
                dn_xhat += dn * xhat;
            }
            dn_mean /= C;
            dn_xhat /= C;
            for (int c = 0; c < C; c++) {
                double xhat = (x[c] - mean[i]) * rstd[i];
                double dn = (double)weight[c] * d[c];
                di[c] += (float)((dn - dn_mean - xhat * dn_xhat) * rstd[i]);
            }
        }
    }
    if (dweight || dbias) {
        /* parameter sums run over rows: one thread, rows in order, so the result does not depend on threads */
        for (int i = 0; i < N; i++) {
            const float *x = in + (size_t)i * C, *d = dout + (size_t)i * C;
            for (int c = 0; c < C; c++) {
                if (dbias) dbias[c] += d[c];
                if (dweight) dweight[c] += (x[c] - mean[i]) * rstd[i] * d[c];
            }
        }
    }
}

void lc_layernorm_forward(const lc_nn_ctx *ctx, float *out, float *mean, float *rstd, const float *in,
                          const float *weight, const float *bias, int N, int C, float eps) {
    NN_CHECK(N >= 0 && C > 0 && out && mean && rstd && in && weight && bias && eps > 0);
    ctx->backend->layernorm_forward(ctx, out, mean, rstd, in, weight, bias, N, C, eps);
}

void lc_layernorm_backward(const lc_nn_ctx *ctx, float *dinp, float *dweight, float *dbias, const float *dout,
                           const float *in, const float *weight, const float *mean, const float *rstd, int N, int C) {
    NN_CHECK(N >= 0 && C > 0 && dout && in && weight && mean && rstd);
    ctx->backend->layernorm_backward(ctx, dinp, dweight, dbias, dout, in, weight, mean, rstd, N, C);
}
