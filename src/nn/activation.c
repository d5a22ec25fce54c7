/* Pointwise activations: ReLU, LeakyReLU, tanh, GELU (exact erf form), with first and second derivatives for
 * the double backward of the gradient penalty. */
#include <math.h>

#include "nn/nn_internal.h"

#define INV_SQRT_2 0.70710678118654752440
#define INV_SQRT_2PI 0.39894228040143267794

static float act(lc_nn_activation kind, float x, float alpha) {
    switch (kind) {
    case LC_ACT_RELU: return x > 0 ? x : 0.0f;
    case LC_ACT_LEAKY_RELU: return x > 0 ? x : alpha * x;
    case LC_ACT_TANH: return tanhf(x);
    case LC_ACT_GELU: return (float)(0.5 * x * (1.0 + erf(x * INV_SQRT_2)));
    }
    return 0.0f;
}

/* f'(x); at a kink PyTorch's choice (ReLU: 0, LeakyReLU: alpha at x = 0). */
static double act_d1(lc_nn_activation kind, double x, double alpha) {
    switch (kind) {
    case LC_ACT_RELU: return x > 0 ? 1.0 : 0.0;
    case LC_ACT_LEAKY_RELU: return x > 0 ? 1.0 : alpha;
    case LC_ACT_TANH: {
        double t = tanh(x);
        return 1.0 - t * t;
    }
    case LC_ACT_GELU: return 0.5 * (1.0 + erf(x * INV_SQRT_2)) + x * INV_SQRT_2PI * exp(-0.5 * x * x);
    }
    return 0.0;
}

static double act_d2(lc_nn_activation kind, double x) {
    switch (kind) {
    case LC_ACT_RELU:
    case LC_ACT_LEAKY_RELU: return 0.0;
    case LC_ACT_TANH: {
        double t = tanh(x);
        return -2.0 * t * (1.0 - t * t);
    }
    case LC_ACT_GELU: return INV_SQRT_2PI * exp(-0.5 * x * x) * (2.0 - x * x);
    }
    return 0.0;
}

/* ReLU and LeakyReLU, the models' hidden activations, get loops of their own that the compiler vectorises (omp
 * simd); their results are the generic loop's bit for bit. */
void lc_cpu_activation_forward(const lc_nn_ctx *ctx, lc_nn_activation kind, float *out, const float *in, int N,
                               float alpha) {
    if (kind == LC_ACT_RELU) {
#pragma omp parallel for simd if (N > NN_OMP_MIN_WORK)
        for (int i = 0; i < N; i++) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
        return;
    }
    if (kind == LC_ACT_LEAKY_RELU) {
#pragma omp parallel for simd if (N > NN_OMP_MIN_WORK)
        for (int i = 0; i < N; i++) out[i] = in[i] > 0.0f ? in[i] : alpha * in[i];
        return;
    }
#pragma omp parallel for if (N > NN_OMP_MIN_WORK)
    for (int i = 0; i < N; i++) out[i] = act(kind, in[i], alpha);
}

void lc_cpu_activation_backward(const lc_nn_ctx *ctx, lc_nn_activation kind, float *dinp, const float *dout,
                                const float *in, const float *out, int N, float alpha) {
    if (kind == LC_ACT_TANH) { /* from the output, as PyTorch does: 1 - y^2 */
#pragma omp parallel for simd if (N > NN_OMP_MIN_WORK)
        for (int i = 0; i < N; i++) dinp[i] += dout[i] * (1.0f - out[i] * out[i]);
        return;
    }
    if (kind == LC_ACT_RELU) {
#pragma omp parallel for simd if (N > NN_OMP_MIN_WORK)
        for (int i = 0; i < N; i++) dinp[i] += in[i] > 0.0f ? dout[i] : 0.0f;
        return;
    }
    if (kind == LC_ACT_LEAKY_RELU) {
#pragma omp parallel for simd if (N > NN_OMP_MIN_WORK)
        for (int i = 0; i < N; i++) dinp[i] += in[i] > 0.0f ? dout[i] : alpha * dout[i];
        return;
    }
#pragma omp parallel for if (N > NN_OMP_MIN_WORK)
    for (int i = 0; i < N; i++) dinp[i] += (float)(dout[i] * act_d1(kind, in[i], alpha));
}

void lc_cpu_activation_double_backward(const lc_nn_ctx *ctx, lc_nn_activation kind, float *dgout, float *dinp,
                                       const float *ggin, const float *gout, const float *in, int N, float alpha) {
#pragma omp parallel for if (N > NN_OMP_MIN_WORK)
    for (int i = 0; i < N; i++) {
        if (dgout) dgout[i] += (float)(ggin[i] * act_d1(kind, in[i], alpha));
        if (dinp) dinp[i] += (float)((double)ggin[i] * gout[i] * act_d2(kind, in[i]));
    }
}

static void forward(const lc_nn_ctx *ctx, lc_nn_activation kind, float *out, const float *in, int N, float alpha) {
    NN_CHECK(N >= 0 && out && in);
    ctx->backend->activation_forward(ctx, kind, out, in, N, alpha);
}

static void backward(const lc_nn_ctx *ctx, lc_nn_activation kind, float *dinp, const float *dout, const float *in,
                     const float *out, int N, float alpha) {
    NN_CHECK(N >= 0 && dout && (in || out));
    if (dinp) ctx->backend->activation_backward(ctx, kind, dinp, dout, in, out, N, alpha);
}

static void double_backward(const lc_nn_ctx *ctx, lc_nn_activation kind, float *dgout, float *dinp,
                            const float *ggin, const float *gout, const float *in, int N, float alpha) {
    NN_CHECK(N >= 0 && ggin && in && (!dinp || gout));
    ctx->backend->activation_double_backward(ctx, kind, dgout, dinp, ggin, gout, in, N, alpha);
}

void lc_relu_forward(const lc_nn_ctx *ctx, float *out, const float *in, int N) {
    forward(ctx, LC_ACT_RELU, out, in, N, 0.0f);
}
void lc_leakyrelu_forward(const lc_nn_ctx *ctx, float *out, const float *in, int N, float slope) {
    forward(ctx, LC_ACT_LEAKY_RELU, out, in, N, slope);
}
void lc_tanh_forward(const lc_nn_ctx *ctx, float *out, const float *in, int N) {
    forward(ctx, LC_ACT_TANH, out, in, N, 0.0f);
}
void lc_gelu_forward(const lc_nn_ctx *ctx, float *out, const float *in, int N) {
    forward(ctx, LC_ACT_GELU, out, in, N, 0.0f);
}

void lc_relu_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *in, int N) {
    backward(ctx, LC_ACT_RELU, dinp, dout, in, NULL, N, 0.0f);
}
void lc_leakyrelu_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *in, int N,
                           float slope) {
    backward(ctx, LC_ACT_LEAKY_RELU, dinp, dout, in, NULL, N, slope);
}
void lc_tanh_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int N) {
    backward(ctx, LC_ACT_TANH, dinp, dout, NULL, out, N, 0.0f);
}
void lc_gelu_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *in, int N) {
    backward(ctx, LC_ACT_GELU, dinp, dout, in, NULL, N, 0.0f);
}

void lc_relu_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dinp, const float *ggin, const float *gout,
                             const float *in, int N) {
    double_backward(ctx, LC_ACT_RELU, dgout, dinp, ggin, gout, in, N, 0.0f);
}
void lc_leakyrelu_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dinp, const float *ggin,
                                  const float *gout, const float *in, int N, float slope) {
    double_backward(ctx, LC_ACT_LEAKY_RELU, dgout, dinp, ggin, gout, in, N, slope);
}
void lc_tanh_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dinp, const float *ggin, const float *gout,
                             const float *in, int N) {
    double_backward(ctx, LC_ACT_TANH, dgout, dinp, ggin, gout, in, N, 0.0f);
}
void lc_gelu_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dinp, const float *ggin, const float *gout,
                             const float *in, int N) {
    double_backward(ctx, LC_ACT_GELU, dgout, dinp, ggin, gout, in, N, 0.0f);
}

/* ---- tanh and clamp on one span of rows ld apart (the VALUE columns of an encoded row) ---- */

void lc_cpu_tanh_span_forward(const lc_nn_ctx *ctx, float *out, const float *in, int B, int C, int ld) {
#pragma omp parallel for if ((long)B * C > NN_OMP_MIN_WORK)
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++) out[(size_t)b * ld + c] = tanhf(in[(size_t)b * ld + c]);
}

void lc_cpu_tanh_span_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int B, int C,
                               int ld) {
#pragma omp parallel for if ((long)B * C > NN_OMP_MIN_WORK)
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++) {
            size_t i = (size_t)b * ld + c;
            dinp[i] += dout[i] * (1.0f - out[i] * out[i]);
        }
}

void lc_cpu_clamp(const lc_nn_ctx *ctx, float *x, int B, int C, int ld, float lo, float hi) {
#pragma omp parallel for if ((long)B * C > NN_OMP_MIN_WORK)
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++) {
            float *v = &x[(size_t)b * ld + c];
            *v = *v < lo ? lo : (*v > hi ? hi : *v);
        }
}

void lc_tanh_span_forward(const lc_nn_ctx *ctx, float *out, const float *in, int B, int C, int ld) {
    NN_CHECK(B >= 0 && C >= 0 && ld >= C && out && in);
    ctx->backend->tanh_span_forward(ctx, out, in, B, C, ld);
}

void lc_tanh_span_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int B, int C,
                           int ld) {
    NN_CHECK(B >= 0 && C >= 0 && ld >= C && dout && out);
    if (dinp) ctx->backend->tanh_span_backward(ctx, dinp, dout, out, B, C, ld);
}

void lc_clamp(const lc_nn_ctx *ctx, float *x, int B, int C, int ld, float lo, float hi) {
    NN_CHECK(B >= 0 && C >= 0 && ld >= C && x && lo <= hi);
    ctx->backend->clamp(ctx, x, B, C, ld, lo, hi);
}
