/* Row softmax with temperature, and the Gumbel-softmax soft sample softmax((logits + g) / tau). The generator's
 * one-hot spans use it on columns [0, C) of rows ld floats apart. */
#include <math.h>

#include "nn/nn_internal.h"

void lc_cpu_softmax_forward(const lc_nn_ctx *ctx, float *out, const float *in, const float *noise, int B, int C,
                            int ld, float tau) {
    double inv_tau = 1.0 / tau;
#pragma omp parallel for if ((long)B * C > NN_OMP_MIN_WORK)
    for (int b = 0; b < B; b++) {
        const float *x = in + (size_t)b * ld, *g = noise ? noise + (size_t)b * ld : NULL;
        float *o = out + (size_t)b * ld;
        double zmax = -INFINITY;
        for (int c = 0; c < C; c++) {
            double z = ((double)x[c] + (g ? g[c] : 0.0)) * inv_tau;
            if (z > zmax) zmax = z;
        }
        double sum = 0.0;
        for (int c = 0; c < C; c++) {
            double e = exp(((double)x[c] + (g ? g[c] : 0.0)) * inv_tau - zmax); /* shifted: no overflow */
            o[c] = (float)e;
            sum += e;
        }
        for (int c = 0; c < C; c++) o[c] = (float)(o[c] / sum);
    }
}

void lc_cpu_softmax_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int B, int C,
                             int ld, float tau) {
    double inv_tau = 1.0 / tau;
#pragma omp parallel for if ((long)B * C > NN_OMP_MIN_WORK)
    for (int b = 0; b < B; b++) {
        const float *d = dout + (size_t)b * ld, *y = out + (size_t)b * ld;
        float *di = dinp + (size_t)b * ld;
        double dot = 0.0;
        for (int c = 0; c < C; c++) dot += (double)d[c] * y[c];
        for (int c = 0; c < C; c++) di[c] += (float)(inv_tau * y[c] * (d[c] - dot));
    }
}

void lc_cpu_gumbel_noise(const lc_nn_ctx *ctx, float *noise, int B, int C, int ld, uint32_t layer_id) {
    for (int b = 0; b < B; b++) {
        float *g = noise + (size_t)b * ld;
        if (!ctx->training) {
            for (int c = 0; c < C; c++) g[c] = 0.0f;
            continue;
        }
        lc_rng rng;
        lc_nn_rng(ctx, &rng, layer_id, b);
        for (int c = 0; c < C; c++) {
            double u = lc_rng_uniform(&rng);
            if (u <= 0.0) u = 0x1p-53; /* uniform is in [0, 1): keep the logarithms finite */
            g[c] = (float)-log(-log(u));
        }
    }
}

void lc_softmax_forward(const lc_nn_ctx *ctx, float *out, const float *in, const float *noise, int B, int C,
                        int ld, float tau) {
    NN_CHECK(B >= 0 && C > 0 && ld >= C && out && in && tau > 0.0f);
    ctx->backend->softmax_forward(ctx, out, in, noise, B, C, ld, tau);
}

void lc_softmax_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int B, int C,
                         int ld, float tau) {
    NN_CHECK(B >= 0 && C > 0 && ld >= C && dout && out && tau > 0.0f);
    if (dinp) ctx->backend->softmax_backward(ctx, dinp, dout, out, B, C, ld, tau);
}

void lc_gumbel_noise(const lc_nn_ctx *ctx, float *noise, int B, int C, int ld, uint32_t layer_id) {
    NN_CHECK(B >= 0 && C >= 0 && ld >= C && noise);
    ctx->backend->gumbel_noise(ctx, noise, B, C, ld, layer_id);
}
