/* Internal to src/nn: argument checks and the CPU kernels that lc_nn_backend_cpu (cpu_backend.c) collects. */
#ifndef LEGOCRYST_NN_INTERNAL_H
#define LEGOCRYST_NN_INTERNAL_H

#include "core/error.h"
#include "nn/backend.h"

/* A broken argument is a programming error in the model, so it aborts with the caller's file and line. */
#define NN_CHECK(cond)                                                                                           \
    do {                                                                                                         \
        if (!(cond)) lc_fatal("nn: check failed: %s", #cond);                                                    \
    } while (0)

/* Parallelise a loop only when it has enough work to pay for the thread start-up. */
#define NN_OMP_MIN_WORK 32768

/* linear.c */
void lc_cpu_linear_forward(const lc_nn_ctx *ctx, float *out, const float *in, const float *weight,
                           const float *bias, int B, int C, int OC);
void lc_cpu_linear_backward(const lc_nn_ctx *ctx, float *dinp, float *dweight, float *dbias, const float *dout,
                            const float *in, const float *weight, int B, int C, int OC);
void lc_cpu_linear_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dweight, const float *ggin,
                                   const float *gout, const float *weight, int B, int C, int OC);
/* batchnorm.c */
void lc_cpu_batchnorm_forward(const lc_nn_ctx *ctx, float *out, float *mean, float *rstd, float *running_mean,
                              float *running_var, const float *in, const float *gamma, const float *beta, int B,
                              int C, float momentum, float eps);
void lc_cpu_batchnorm_backward(const lc_nn_ctx *ctx, float *dinp, float *dgamma, float *dbeta, const float *dout,
                               const float *in, const float *mean, const float *rstd, const float *gamma, int B,
                               int C);
/* layernorm.c */
void lc_cpu_layernorm_forward(const lc_nn_ctx *ctx, float *out, float *mean, float *rstd, const float *in,
                              const float *weight, const float *bias, int N, int C, float eps);
void lc_cpu_layernorm_backward(const lc_nn_ctx *ctx, float *dinp, float *dweight, float *dbias, const float *dout,
                               const float *in, const float *weight, const float *mean, const float *rstd, int N,
                               int C);
/* activation.c */
void lc_cpu_activation_forward(const lc_nn_ctx *ctx, lc_nn_activation kind, float *out, const float *in, int N,
                               float alpha);
void lc_cpu_activation_backward(const lc_nn_ctx *ctx, lc_nn_activation kind, float *dinp, const float *dout,
                                const float *in, const float *out, int N, float alpha);
void lc_cpu_activation_double_backward(const lc_nn_ctx *ctx, lc_nn_activation kind, float *dgout, float *dinp,
                                       const float *ggin, const float *gout, const float *in, int N, float alpha);
/* dropout.c */
void lc_cpu_dropout_mask(const lc_nn_ctx *ctx, float *mask, int B, int C, float p, uint32_t layer_id);
void lc_cpu_mul(const lc_nn_ctx *ctx, float *out, const float *in, const float *mask, int N);
void lc_cpu_mul_acc(const lc_nn_ctx *ctx, float *acc, const float *a, const float *b, int N);
/* softmax.c */
void lc_cpu_softmax_forward(const lc_nn_ctx *ctx, float *out, const float *in, const float *noise, int B, int C,
                            int ld, float tau);
void lc_cpu_softmax_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int B, int C,
                             int ld, float tau);
void lc_cpu_gumbel_noise(const lc_nn_ctx *ctx, float *noise, int B, int C, int ld, uint32_t layer_id);
/* embedding.c */
void lc_cpu_embedding_forward(const lc_nn_ctx *ctx, float *out, const int *idx, const float *table, int N, int V,
                              int C);
void lc_cpu_embedding_backward(const lc_nn_ctx *ctx, float *dtable, const float *dout, const int *idx, int N, int V,
                               int C);
/* attention.c */
void lc_cpu_attention_forward(const lc_nn_ctx *ctx, float *out, float *att, const float *qkv, int B, int T, int C,
                              int NH);
void lc_cpu_attention_backward(const lc_nn_ctx *ctx, float *dqkv, float *scratch, const float *dout,
                               const float *qkv, const float *att, int B, int T, int C, int NH);
/* concat.c */
void lc_cpu_axpy(const lc_nn_ctx *ctx, float *acc, const float *x, float alpha, int N);
void lc_cpu_add(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, int N);
void lc_cpu_concat_forward(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, int B, int C1, int C2);
void lc_cpu_concat_backward(const lc_nn_ctx *ctx, float *da, float *db, const float *dout, int B, int C1, int C2);
/* loss.c */
double lc_cpu_mse_loss(const lc_nn_ctx *ctx, float *dpred, const float *pred, const float *target, int N,
                       double scale);
double lc_cpu_cross_entropy_loss(const lc_nn_ctx *ctx, float *dlogits, const float *logits, const int *target,
                                 int B, int C, int ld, double scale);
double lc_cpu_gaussian_nll_loss(const lc_nn_ctx *ctx, float *dmu, float *dsigma, const float *mu,
                                const float *target, const float *sigma, int B, int C, int ld, double scale);
double lc_cpu_kl_normal_loss(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *mu, const float *logvar,
                             int N, double scale);
double lc_cpu_wasserstein_loss(const lc_nn_ctx *ctx, float *dreal, float *dfake, const float *real, int n_real,
                               const float *fake, int n_fake, double scale);
double lc_cpu_gradient_penalty_loss(const lc_nn_ctx *ctx, float *dg, const float *g, int B, int C, double lambda);
/* optimizer.c */
void lc_cpu_adam_update(const lc_nn_ctx *ctx, float *params, const float *grads, float *m, float *v, size_t n,
                        const lc_adam_options *opt, int t);
double lc_cpu_sum_squares(const lc_nn_ctx *ctx, const float *x, size_t n);
void lc_cpu_scale(const lc_nn_ctx *ctx, float *x, size_t n, float s);

/* activation.c: span ops */
void lc_cpu_tanh_span_forward(const lc_nn_ctx *ctx, float *out, const float *in, int B, int C, int ld);
void lc_cpu_tanh_span_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int B, int C,
                               int ld);
void lc_cpu_clamp(const lc_nn_ctx *ctx, float *x, int B, int C, int ld, float lo, float hi);
/* random.c */
void lc_cpu_random_fill(const lc_nn_ctx *ctx, int normal, float *out, const float *std, int B, int C, int ld,
                        uint32_t layer_id);
void lc_cpu_reparam_forward(const lc_nn_ctx *ctx, float *z, const float *mu, const float *logvar, const float *eps,
                            int N);
void lc_cpu_reparam_backward(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *dz, const float *logvar,
                             const float *eps, int N);
void lc_cpu_lerp_rows(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, const float *alpha, int B,
                      int C);
/* gather.c */
void lc_cpu_gather_forward(const lc_nn_ctx *ctx, float *out, const float *in, const int *idx, int B, int C,
                           int ld_in, int ld_out);
void lc_cpu_gather_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const int *idx, int B, int C,
                            int ld_in, int ld_out);
void lc_cpu_categorical_sample(const lc_nn_ctx *ctx, int *idx, const float *logits, int B, int C, int ld,
                               uint32_t layer_id);
/* loss.c */
double lc_cpu_gaussian_nll_logvar_loss(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *mu,
                                       const float *logvar, const float *target, int N, float lo, float hi,
                                       double scale);

#endif
