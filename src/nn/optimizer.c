/* Adam and AdamW (PyTorch's update, bias correction with the step count) and global-norm gradient clipping. */
#include <math.h>

#include "nn/nn_internal.h"

void lc_cpu_adam_update(const lc_nn_ctx *ctx, float *params, const float *grads, float *m, float *v, size_t n,
                        const lc_adam_options *opt, int t) {
    double bc1 = 1.0 - pow(opt->beta1, t), bc2 = 1.0 - pow(opt->beta2, t);
    float step = (float)(opt->lr / bc1);
    float inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    float b1 = opt->beta1, b2 = opt->beta2, wd = opt->weight_decay;
    /* AdamW decays the weight itself, Adam adds the L2 term to the gradient */
    float decay = opt->decoupled ? 1.0f - opt->lr * wd : 1.0f;
    float l2 = opt->decoupled ? 0.0f : wd;
#pragma omp parallel for simd if (n > NN_OMP_MIN_WORK)
    for (size_t i = 0; i < n; i++) {
        float p = params[i];
        float g = grads[i] + l2 * p;
        p *= decay;
        float mi = b1 * m[i] + (1.0f - b1) * g;
        float vi = b2 * v[i] + (1.0f - b2) * g * g;
        m[i] = mi;
        v[i] = vi;
        params[i] = p - step * mi / (sqrtf(vi) * inv_sqrt_bc2 + opt->eps);
    }
}

double lc_cpu_sum_squares(const lc_nn_ctx *ctx, const float *x, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)x[i] * x[i];
    return s;
}

void lc_cpu_scale(const lc_nn_ctx *ctx, float *x, size_t n, float s) {
#pragma omp parallel for if (n > NN_OMP_MIN_WORK)
    for (size_t i = 0; i < n; i++) x[i] *= s;
}

void lc_adam_options_default(lc_adam_options *opt) {
    opt->lr = 1e-3f;
    opt->beta1 = 0.9f;
    opt->beta2 = 0.999f;
    opt->eps = 1e-8f;
    opt->weight_decay = 0.0f;
    opt->decoupled = 0;
}

void lc_adam_update(const lc_nn_ctx *ctx, float *params, const float *grads, float *m, float *v, size_t n,
                    const lc_adam_options *opt, int t) {
    NN_CHECK(params && grads && m && v && opt && t >= 1);
    ctx->backend->adam_update(ctx, params, grads, m, v, n, opt, t);
}

double lc_grad_norm(const lc_nn_ctx *ctx, const float *grads, size_t n) {
    NN_CHECK(grads || n == 0);
    return sqrt(ctx->backend->sum_squares(ctx, grads, n));
}

double lc_grad_clip(const lc_nn_ctx *ctx, float *grads, size_t n, double max_norm) {
    NN_CHECK(max_norm > 0.0);
    double norm = lc_grad_norm(ctx, grads, n);
    double coef = max_norm / (norm + 1e-6);
    if (coef < 1.0) ctx->backend->scale(ctx, grads, n, (float)coef);
    return norm;
}
