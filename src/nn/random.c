/* Keyed noise and the maps that consume it: uniform and (scaled) normal draws, the VAE reparameterisation
 * z = mu + eps exp(logvar / 2), and the row-wise interpolation of WGAN-GP. */
#include <math.h>

#include "nn/nn_internal.h"

void lc_cpu_random_fill(const lc_nn_ctx *ctx, int normal, float *out, const float *std, int B, int C, int ld,
                        uint32_t layer_id) {
    /* one generator per row, so row r's numbers do not depend on which rank or chunk holds it; normals in pairs
     * (columns c, c + 1 from one Box-Muller draw) */
    for (int b = 0; b < B; b++) {
        lc_rng rng;
        lc_nn_rng(ctx, &rng, layer_id, b);
        float *o = out + (size_t)b * ld;
        if (!normal) {
            for (int c = 0; c < C; c++) o[c] = (float)lc_rng_uniform(&rng);
            continue;
        }
        for (int c = 0; c < C; c += 2) {
            double pair[2];
            lc_rng_normal_pair(&rng, &pair[0], &pair[1]);
            for (int k = 0; k < 2 && c + k < C; k++) o[c + k] = (float)(pair[k] * (std ? std[c + k] : 1.0f));
        }
    }
}

void lc_cpu_reparam_forward(const lc_nn_ctx *ctx, float *z, const float *mu, const float *logvar, const float *eps,
                            int N) {
#pragma omp parallel for if (N > NN_OMP_MIN_WORK)
    for (int i = 0; i < N; i++) z[i] = mu[i] + eps[i] * expf(0.5f * logvar[i]);
}

void lc_cpu_reparam_backward(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *dz, const float *logvar,
                             const float *eps, int N) {
#pragma omp parallel for if (N > NN_OMP_MIN_WORK)
    for (int i = 0; i < N; i++) {
        if (dmu) dmu[i] += dz[i];
        if (dlogvar) dlogvar[i] += dz[i] * eps[i] * 0.5f * expf(0.5f * logvar[i]);
    }
}

void lc_cpu_lerp_rows(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, const float *alpha, int B,
                      int C) {
#pragma omp parallel for if ((long)B * C > NN_OMP_MIN_WORK)
    for (int r = 0; r < B; r++) {
        float t = alpha[r];
        for (int c = 0; c < C; c++) {
            size_t i = (size_t)r * C + c;
            out[i] = t * a[i] + (1.0f - t) * b[i]; /* PyTorch's alpha * real + (1 - alpha) * fake */
        }
    }
}

void lc_uniform_noise(const lc_nn_ctx *ctx, float *out, int B, int C, int ld, uint32_t layer_id) {
    NN_CHECK(B >= 0 && C >= 0 && ld >= C && out);
    ctx->backend->random_fill(ctx, 0, out, NULL, B, C, ld, layer_id);
}

void lc_normal_noise(const lc_nn_ctx *ctx, float *out, const float *std, int B, int C, int ld, uint32_t layer_id) {
    NN_CHECK(B >= 0 && C >= 0 && ld >= C && out);
    ctx->backend->random_fill(ctx, 1, out, std, B, C, ld, layer_id);
}

void lc_reparam_forward(const lc_nn_ctx *ctx, float *z, const float *mu, const float *logvar, const float *eps,
                        int N) {
    NN_CHECK(N >= 0 && z && mu && logvar && eps);
    ctx->backend->reparam_forward(ctx, z, mu, logvar, eps, N);
}

void lc_reparam_backward(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *dz, const float *logvar,
                         const float *eps, int N) {
    NN_CHECK(N >= 0 && dz && logvar && eps);
    ctx->backend->reparam_backward(ctx, dmu, dlogvar, dz, logvar, eps, N);
}

void lc_lerp_rows(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, const float *alpha, int B,
                  int C) {
    NN_CHECK(B >= 0 && C >= 0 && out && a && b && alpha);
    ctx->backend->lerp_rows(ctx, out, a, b, alpha, B, C);
}
