/* Row gather and categorical draws for the Transformer's per-column heads: the value head predicts a mean and a
 * log-variance per mode, and a row uses those of its own mode (the data's in training, the drawn one in
 * sampling). */
#include <math.h>

#include "nn/nn_internal.h"

void lc_cpu_gather_forward(const lc_nn_ctx *ctx, float *out, const float *in, const int *idx, int B, int C,
                           int ld_in, int ld_out) {
    for (int b = 0; b < B; b++) {
        NN_CHECK(idx[b] >= 0 && idx[b] < C);
        out[(size_t)b * ld_out] = in[(size_t)b * ld_in + idx[b]];
    }
}

void lc_cpu_gather_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const int *idx, int B, int C,
                            int ld_in, int ld_out) {
    for (int b = 0; b < B; b++) {
        NN_CHECK(idx[b] >= 0 && idx[b] < C);
        dinp[(size_t)b * ld_in + idx[b]] += dout[(size_t)b * ld_out];
    }
}

void lc_cpu_categorical_sample(const lc_nn_ctx *ctx, int *idx, const float *logits, int B, int C, int ld,
                               uint32_t layer_id) {
    for (int b = 0; b < B; b++) {
        const float *x = logits + (size_t)b * ld;
        double xmax = -INFINITY, z = 0.0;
        for (int c = 0; c < C; c++)
            if (x[c] > xmax) xmax = x[c];
        for (int c = 0; c < C; c++) z += exp(x[c] - xmax);
        lc_rng rng;
        lc_nn_rng(ctx, &rng, layer_id, b);
        /* inverse CDF of one uniform: the class whose cumulative probability first exceeds u */
        double u = lc_rng_uniform(&rng) * z, acc = 0.0;
        int k = C - 1;
        for (int c = 0; c < C; c++) {
            acc += exp(x[c] - xmax);
            if (u < acc) {
                k = c;
                break;
            }
        }
        idx[b] = k;
    }
}

void lc_gather_forward(const lc_nn_ctx *ctx, float *out, const float *in, const int *idx, int B, int C, int ld_in,
                       int ld_out) {
    NN_CHECK(B >= 0 && C > 0 && ld_in >= C && ld_out >= 1 && out && in && idx);
    ctx->backend->gather_forward(ctx, out, in, idx, B, C, ld_in, ld_out);
}

void lc_gather_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const int *idx, int B, int C,
                        int ld_in, int ld_out) {
    NN_CHECK(B >= 0 && C > 0 && ld_in >= C && ld_out >= 1 && dout && idx);
    if (dinp) ctx->backend->gather_backward(ctx, dinp, dout, idx, B, C, ld_in, ld_out);
}

void lc_categorical_sample(const lc_nn_ctx *ctx, int *idx, const float *logits, int B, int C, int ld,
                           uint32_t layer_id) {
    NN_CHECK(B >= 0 && C > 0 && ld >= C && idx && logits);
    ctx->backend->categorical_sample(ctx, idx, logits, B, C, ld, layer_id);
}
