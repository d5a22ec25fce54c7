/* BatchNorm1d with batch statistics summed over ranks through ctx->allreduce_sum (synchronised BatchNorm).
 *
 * Forward all-reduces per-channel [sum x, sum x^2] and the row count; backward all-reduces [sum dout,
 * sum dout * xhat], so the input gradient is that of the global batch. The parameter gradients dgamma, dbeta
 * stay local sums: the model's gradient all-reduce combines them like every other parameter gradient. */
#include <math.h>
#include <stdlib.h>

#include "nn/nn_internal.h"

void lc_cpu_batchnorm_forward(const lc_nn_ctx *ctx, float *out, float *mean, float *rstd, float *running_mean,
                              float *running_var, const float *in, const float *gamma, const float *beta, int B,
                              int C, float momentum, float eps) {
    if (ctx->training) {
        double *s = lc_calloc((size_t)2 * C + 1, sizeof(double)); /* [sum x (C), sum x^2 (C), count] */
        for (int b = 0; b < B; b++) {
            const float *x = in + (size_t)b * C;
            for (int c = 0; c < C; c++) {
                s[c] += x[c];
                s[C + c] += (double)x[c] * x[c];
            }
        }
        s[2 * C] = B;
        ctx->allreduce_sum(s, 2 * C + 1, ctx->allreduce_user);
        double n = s[2 * C];
        NN_CHECK(n >= 1);
        for (int c = 0; c < C; c++) {
            double m = s[c] / n;
            double var = s[C + c] / n - m * m;
            if (var < 0) var = 0; /* rounding of the one-pass formula */
            mean[c] = (float)m;
            rstd[c] = (float)(1.0 / sqrt(var + eps));
            if (running_mean) running_mean[c] = (float)((1.0 - momentum) * running_mean[c] + momentum * m);
            if (running_var) {
                double unbiased = n > 1 ? var * n / (n - 1) : var;
                running_var[c] = (float)((1.0 - momentum) * running_var[c] + momentum * unbiased);
            }
        }
        free(s);
    } else {
        NN_CHECK(running_mean && running_var);
        for (int c = 0; c < C; c++) {
            mean[c] = running_mean[c];
            rstd[c] = (float)(1.0 / sqrt((double)running_var[c] + eps));
        }
    }
    for (int b = 0; b < B; b++) {
        const float *x = in + (size_t)b * C;
        float *o = out + (size_t)b * C;
        for (int c = 0; c < C; c++) o[c] = (x[c] - mean[c]) * rstd[c] * gamma[c] + beta[c];
    }
}

void lc_cpu_batchnorm_backward(const lc_nn_ctx *ctx, float *dinp, float *dgamma, float *dbeta, const float *dout,
                               const float *in, const float *mean, const float *rstd, const float *gamma, int B,
                               int C) {
    double *s = lc_calloc((size_t)2 * C + 1, sizeof(double)); /* [sum dout (C), sum dout xhat (C), count] */
    for (int b = 0; b < B; b++) {
        const float *x = in + (size_t)b * C, *d = dout + (size_t)b * C;
        for (int c = 0; c < C; c++) {
            s[c] += d[c];
            s[C + c] += (double)d[c] * ((x[c] - mean[c]) * rstd[c]);
        }
    }
    s[2 * C] = B;
    for (int c = 0; c < C; c++) {
        if (dbeta) dbeta[c] += (float)s[c];
        if (dgamma) dgamma[c] += (float)s[C + c];
    }
    if (dinp && ctx->training) {
        ctx->allreduce_sum(s, 2 * C + 1, ctx->allreduce_user);
        double n = s[2 * C];
        for (int b = 0; b < B; b++) {
            const float *x = in + (size_t)b * C, *d = dout + (size_t)b * C;
            float *di = dinp + (size_t)b * C;
            for (int c = 0; c < C; c++) {
                double xhat = (x[c] - mean[c]) * rstd[c];
                di[c] += (float)(gamma[c] * rstd[c] * (d[c] - s[c] / n - xhat * s[C + c] / n));
            }
        }
    } else if (dinp) {
        /* evaluation: fixed statistics, an affine map per channel */
        for (int b = 0; b < B; b++) {
            const float *d = dout + (size_t)b * C;
            float *di = dinp + (size_t)b * C;
            for (int c = 0; c < C; c++) di[c] += d[c] * gamma[c] * rstd[c];
        }
    }
    free(s);
}

void lc_batchnorm_forward(const lc_nn_ctx *ctx, float *out, float *mean, float *rstd, float *running_mean,
                          float *running_var, const float *in, const float *gamma, const float *beta, int B, int C,
                          float momentum, float eps) {
    NN_CHECK(B >= 0 && C >= 0 && out && mean && rstd && in && gamma && beta && eps > 0);
    ctx->backend->batchnorm_forward(ctx, out, mean, rstd, running_mean, running_var, in, gamma, beta, B, C, momentum,
                                    eps);
}

void lc_batchnorm_backward(const lc_nn_ctx *ctx, float *dinp, float *dgamma, float *dbeta, const float *dout,
                           const float *in, const float *mean, const float *rstd, const float *gamma, int B, int C) {
    NN_CHECK(B >= 0 && C >= 0 && dout && in && mean && rstd && gamma);
    ctx->backend->batchnorm_backward(ctx, dinp, dgamma, dbeta, dout, in, mean, rstd, gamma, B, C);
}
