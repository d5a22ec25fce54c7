/* Backend: one table of function pointers per op, selected at run time through lc_nn_ctx.backend.
 *
 * The public lc_<layer>_forward/backward functions (nn.h) check their arguments and call the entry here, so a
 * model written against nn.h runs unchanged on any backend. The CPU backend (OpenBLAS + OpenMP) is the reference;
 * a CUDA backend (kernels/, cuBLAS/cuDNN) fills the same table with launchers that take device pointers, and new
 * layers (conv3d, graph convolution) add entries at the end. Every entry must be set: lc_nn_backend_check says
 * which one a backend lacks. Argument shapes are those of the nn.h function of the same name. */
#ifndef LEGOCRYST_NN_BACKEND_H
#define LEGOCRYST_NN_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "nn/nn.h"

typedef enum { LC_ACT_RELU = 0, LC_ACT_LEAKY_RELU = 1, LC_ACT_TANH = 2, LC_ACT_GELU = 3 } lc_nn_activation;

typedef struct lc_nn_backend {
    const char *name;

    /* memory: tensors are allocated, zeroed and copied to/from host memory through the backend */
    void *(*alloc)(size_t bytes);
    void (*free)(void *ptr);
    void (*zero)(void *ptr, size_t bytes);
    void (*to_device)(void *dst, const void *host_src, size_t bytes);
    void (*to_host)(void *host_dst, const void *src, size_t bytes);

    void (*linear_forward)(const lc_nn_ctx *ctx, float *out, const float *in, const float *weight,
                           const float *bias, int B, int C, int OC);
    void (*linear_backward)(const lc_nn_ctx *ctx, float *dinp, float *dweight, float *dbias, const float *dout,
                            const float *in, const float *weight, int B, int C, int OC);
    void (*linear_double_backward)(const lc_nn_ctx *ctx, float *dgout, float *dweight, const float *ggin,
                                   const float *gout, const float *weight, int B, int C, int OC);

    void (*batchnorm_forward)(const lc_nn_ctx *ctx, float *out, float *mean, float *rstd, float *running_mean,
                              float *running_var, const float *in, const float *gamma, const float *beta, int B,
                              int C, float momentum, float eps);
    void (*batchnorm_backward)(const lc_nn_ctx *ctx, float *dinp, float *dgamma, float *dbeta, const float *dout,
                               const float *in, const float *mean, const float *rstd, const float *gamma, int B,
                               int C);
    void (*layernorm_forward)(const lc_nn_ctx *ctx, float *out, float *mean, float *rstd, const float *in,
                              const float *weight, const float *bias, int N, int C, float eps);
    void (*layernorm_backward)(const lc_nn_ctx *ctx, float *dinp, float *dweight, float *dbias, const float *dout,
                               const float *in, const float *weight, const float *mean, const float *rstd, int N,
                               int C);

    /* activations: `in` is the forward input, `out` the forward output (tanh's backward reads out) */
    void (*activation_forward)(const lc_nn_ctx *ctx, lc_nn_activation kind, float *out, const float *in, int N,
                               float alpha);
    void (*activation_backward)(const lc_nn_ctx *ctx, lc_nn_activation kind, float *dinp, const float *dout,
                                const float *in, const float *out, int N, float alpha);
    void (*activation_double_backward)(const lc_nn_ctx *ctx, lc_nn_activation kind, float *dgout, float *dinp,
                                       const float *ggin, const float *gout, const float *in, int N, float alpha);

    /* mask (B, C) of 0 and 1 / (1 - p) drawn from lc_nn_rng(layer_id, row) */
    void (*dropout_mask)(const lc_nn_ctx *ctx, float *mask, int B, int C, float p, uint32_t layer_id);
    /* out = in * mask (N) */
    void (*mul)(const lc_nn_ctx *ctx, float *out, const float *in, const float *mask, int N);
    /* acc += a * b (N) */
    void (*mul_acc)(const lc_nn_ctx *ctx, float *acc, const float *a, const float *b, int N);

    void (*softmax_forward)(const lc_nn_ctx *ctx, float *out, const float *in, const float *noise, int B, int C,
                            int ld, float tau);
    void (*softmax_backward)(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int B, int C,
                             int ld, float tau);
    void (*gumbel_noise)(const lc_nn_ctx *ctx, float *noise, int B, int C, int ld, uint32_t layer_id);

    void (*embedding_forward)(const lc_nn_ctx *ctx, float *out, const int *idx, const float *table, int N, int V,
                              int C);
    void (*embedding_backward)(const lc_nn_ctx *ctx, float *dtable, const float *dout, const int *idx, int N, int V,
                               int C);

    void (*attention_forward)(const lc_nn_ctx *ctx, float *out, float *att, const float *qkv, int B, int T, int C,
                              int NH);
    void (*attention_backward)(const lc_nn_ctx *ctx, float *dqkv, float *scratch, const float *dout,
                               const float *qkv, const float *att, int B, int T, int C, int NH);

    /* acc += alpha * x (N) */
    void (*axpy)(const lc_nn_ctx *ctx, float *acc, const float *x, float alpha, int N);
    void (*add)(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, int N);
    void (*concat_forward)(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, int B, int C1, int C2);
    void (*concat_backward)(const lc_nn_ctx *ctx, float *da, float *db, const float *dout, int B, int C1, int C2);

    double (*mse_loss)(const lc_nn_ctx *ctx, float *dpred, const float *pred, const float *target, int N,
                       double scale);
    double (*cross_entropy_loss)(const lc_nn_ctx *ctx, float *dlogits, const float *logits, const int *target,
                                 int B, int C, int ld, double scale);
    double (*gaussian_nll_loss)(const lc_nn_ctx *ctx, float *dmu, float *dsigma, const float *mu,
                                const float *target, const float *sigma, int B, int C, int ld, double scale);
    double (*kl_normal_loss)(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *mu, const float *logvar,
                             int N, double scale);
    double (*wasserstein_loss)(const lc_nn_ctx *ctx, float *dreal, float *dfake, const float *real, int n_real,
                               const float *fake, int n_fake, double scale);
    double (*gradient_penalty_loss)(const lc_nn_ctx *ctx, float *dg, const float *g, int B, int C, double lambda);

    void (*adam_update)(const lc_nn_ctx *ctx, float *params, const float *grads, float *m, float *v, size_t n,
                        const lc_adam_options *opt, int t);
    double (*sum_squares)(const lc_nn_ctx *ctx, const float *x, size_t n);
    void (*scale)(const lc_nn_ctx *ctx, float *x, size_t n, float s);

    /* element-wise ops of the tabular models (spans: columns [0, C) of rows ld apart) */
    void (*tanh_span_forward)(const lc_nn_ctx *ctx, float *out, const float *in, int B, int C, int ld);
    void (*tanh_span_backward)(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int B, int C,
                               int ld);
    void (*clamp)(const lc_nn_ctx *ctx, float *x, int B, int C, int ld, float lo, float hi);
    /* normal 0: uniform [0, 1); normal 1: std_c * N(0, 1), std NULL meaning 1 */
    void (*random_fill)(const lc_nn_ctx *ctx, int normal, float *out, const float *std, int B, int C, int ld,
                        uint32_t layer_id);
    void (*reparam_forward)(const lc_nn_ctx *ctx, float *z, const float *mu, const float *logvar, const float *eps,
                            int N);
    void (*reparam_backward)(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *dz, const float *logvar,
                             const float *eps, int N);
    void (*lerp_rows)(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, const float *alpha, int B,
                      int C);

    /* the Transformer's heads */
    void (*gather_forward)(const lc_nn_ctx *ctx, float *out, const float *in, const int *idx, int B, int C,
                           int ld_in, int ld_out);
    void (*gather_backward)(const lc_nn_ctx *ctx, float *dinp, const float *dout, const int *idx, int B, int C,
                            int ld_in, int ld_out);
    void (*categorical_sample)(const lc_nn_ctx *ctx, int *idx, const float *logits, int B, int C, int ld,
                               uint32_t layer_id);
    double (*gaussian_nll_logvar_loss)(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *mu,
                                       const float *logvar, const float *target, int N, float lo, float hi,
                                       double scale);
} lc_nn_backend;

/* The CPU reference backend. */
extern const lc_nn_backend lc_nn_backend_cpu;

/* Name of the first NULL entry of b, or NULL when the table is complete. */
const char *lc_nn_backend_check(const lc_nn_backend *b);

#endif
