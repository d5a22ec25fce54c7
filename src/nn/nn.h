/* Neural-network engine: context, layers with hand-written forward and backward passes, losses, optimisers.
 *
 * Conventions (stated once, true for every function below):
 * - Tensors are float32, row-major and contiguous unless a leading dimension `ld` is given; the shape comment on
 *   each argument names the layout, e.g. `in (B, C)` is B rows of C floats. Where a function takes `ld`, a row is
 *   ld floats apart and only columns [0, C) are read or written (so a model can work on one span of a row).
 * - forward WRITES its outputs (=). backward ACCUMULATES (+=) into every gradient it is given, input gradients
 *   and parameter gradients alike, as llm.c does: a step zeroes the parameter gradients and the activation
 *   gradients once, and a tensor that feeds two consumers (residual, concatenation, shared weights) simply
 *   receives both contributions. A NULL gradient pointer means "not wanted" and is skipped.
 * - Losses are always the root of a graph, so each loss is one call that returns the loss value (a host double)
 *   and, when given gradient pointers, accumulates d(loss)/d(input) into them.
 * - Every call dispatches through ctx->backend (backend.h); tensors live where that backend wants them (host
 *   memory for the CPU backend). Randomness is keyed, never sequential state (lc_nn_rng).
 *
 * See docs/nn.md for the design (backend dispatch, parameter buffer, RNG keying, BN sync, double backward). */
#ifndef LEGOCRYST_NN_NN_H
#define LEGOCRYST_NN_NN_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"

struct lc_nn_backend;

/* Sums data[0..n) over all ranks in place. The default is the identity (one process). mpi/ provides the
 * MPI_Allreduce version; BatchNorm calls it so that batch statistics are those of the global batch. */
typedef void (*lc_nn_allreduce_fn)(double *data, int n, void *user);

typedef struct lc_nn_ctx {
    const struct lc_nn_backend *backend; /* where tensors live and how ops run; lc_nn_backend_cpu by default */
    int training;                        /* 1: dropout and noise drawn, BatchNorm uses batch statistics */
    /* RNG key: a draw depends only on (seed, step, global sample index, layer id), never on the rank count */
    uint64_t seed;
    uint64_t step;                       /* optimiser step (or any per-call counter the model chooses) */
    uint64_t sample0;                    /* global index of row 0 of this rank's batch */
    lc_nn_allreduce_fn allreduce_sum;    /* BatchNorm statistics hook */
    void *allreduce_user;
} lc_nn_ctx;

/* CPU backend, training on, step 0, sample0 0, identity all-reduce. */
void lc_nn_ctx_init(lc_nn_ctx *ctx, uint64_t seed);

/* The generator for row `row` of this rank's batch in layer `layer_id`: Philox keyed by seed, stream = layer_id,
 * index = step << 32 | (sample0 + row). Needs step and global sample index below 2^32. */
void lc_nn_rng(const lc_nn_ctx *ctx, lc_rng *rng, uint32_t layer_id, int64_t row);

/* OpenBLAS threads used by the matrix products (0 leaves OpenBLAS's own choice, e.g. OPENBLAS_NUM_THREADS). */
void lc_nn_set_blas_threads(int n);

/* Denormal floats read and written as zero (x86 MXCSR FTZ and DAZ) on the calling thread and OpenMP's threads, for
 * training: weights that only weight decay moves shrink geometrically into the denormal range (after 100 epochs of
 * the sp2 VAE 7% of its weights and 15% of Adam's first moments), where every product with them takes a microcode
 * assist; one epoch took 59 s instead of 8. OpenBLAS's own worker threads are not reached (one BLAS thread per rank
 * is the measured setting). Returns 1 when set, 0 where the architecture has no such mode here. */
int lc_nn_flush_denormals(void);

/* ---- Linear: out = in W^T + b (PyTorch layout) ---- */
/* out (B, OC), in (B, C), weight (OC, C), bias (OC) or NULL */
void lc_linear_forward(const lc_nn_ctx *ctx, float *out, const float *in, const float *weight, const float *bias,
                       int B, int C, int OC);
/* dinp (B, C), dweight (OC, C), dbias (OC), dout (B, OC), in (B, C), weight (OC, C) */
void lc_linear_backward(const lc_nn_ctx *ctx, float *dinp, float *dweight, float *dbias, const float *dout,
                        const float *in, const float *weight, int B, int C, int OC);
/* Double backward: the backward of gin = gout W (the input gradient that lc_linear_backward produced from gout).
 * Given ggin = dL/d(gin), accumulates dL/d(gout) and dL/dW; gin depends on neither in nor bias.
 * dgout (B, OC), dweight (OC, C), ggin (B, C), gout (B, OC), weight (OC, C) */
void lc_linear_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dweight, const float *ggin,
                               const float *gout, const float *weight, int B, int C, int OC);

/* ---- BatchNorm1d over the batch (PyTorch semantics: biased variance to normalise, unbiased variance into the
 * running estimate, running = (1 - momentum) running + momentum batch). Training: batch statistics, summed over
 * ranks through ctx->allreduce_sum (forward: per-channel sum and sum of squares; backward: sum of dout and of
 * dout * xhat), running estimates updated (running_* may be NULL). Evaluation: running estimates. ---- */
/* out (B, C), mean (C), rstd (C) saved for backward, running_mean (C), running_var (C), in (B, C), gamma (C),
 * beta (C) */
void lc_batchnorm_forward(const lc_nn_ctx *ctx, float *out, float *mean, float *rstd, float *running_mean,
                          float *running_var, const float *in, const float *gamma, const float *beta, int B, int C,
                          float momentum, float eps);
/* dinp (B, C), dgamma (C), dbeta (C), dout (B, C), in (B, C), mean (C), rstd (C), gamma (C) */
void lc_batchnorm_backward(const lc_nn_ctx *ctx, float *dinp, float *dgamma, float *dbeta, const float *dout,
                           const float *in, const float *mean, const float *rstd, const float *gamma, int B, int C);

/* ---- LayerNorm over the last dimension ---- */
/* out (N, C), mean (N), rstd (N), in (N, C), weight (C), bias (C) */
void lc_layernorm_forward(const lc_nn_ctx *ctx, float *out, float *mean, float *rstd, const float *in,
                          const float *weight, const float *bias, int N, int C, float eps);
/* dinp (N, C), dweight (C), dbias (C), dout (N, C), in (N, C), weight (C), mean (N), rstd (N) */
void lc_layernorm_backward(const lc_nn_ctx *ctx, float *dinp, float *dweight, float *dbias, const float *dout,
                           const float *in, const float *weight, const float *mean, const float *rstd, int N, int C);

/* ---- Pointwise activations. GELU is the exact (erf) form, PyTorch's nn.GELU() default. ---- */
/* out (N), in (N) */
void lc_relu_forward(const lc_nn_ctx *ctx, float *out, const float *in, int N);
void lc_leakyrelu_forward(const lc_nn_ctx *ctx, float *out, const float *in, int N, float slope);
void lc_tanh_forward(const lc_nn_ctx *ctx, float *out, const float *in, int N);
void lc_gelu_forward(const lc_nn_ctx *ctx, float *out, const float *in, int N);
/* dinp (N), dout (N), in (N) (out (N) for tanh) */
void lc_relu_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *in, int N);
void lc_leakyrelu_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *in, int N,
                           float slope);
void lc_tanh_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int N);
void lc_gelu_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *in, int N);
/* Double backward of gin = gout * f'(in): given ggin = dL/d(gin), dgout += ggin f'(in) and
 * dinp += ggin gout f''(in) (zero for ReLU and LeakyReLU, whose f'' vanishes almost everywhere; dinp may be NULL
 * there). dgout (N), dinp (N), ggin (N), gout (N), in (N) */
void lc_relu_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dinp, const float *ggin, const float *gout,
                             const float *in, int N);
void lc_leakyrelu_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dinp, const float *ggin,
                                  const float *gout, const float *in, int N, float slope);
void lc_tanh_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dinp, const float *ggin, const float *gout,
                             const float *in, int N);
void lc_gelu_double_backward(const lc_nn_ctx *ctx, float *dgout, float *dinp, const float *ggin, const float *gout,
                             const float *in, int N);

/* ---- Dropout (inverted: kept entries scaled by 1 / (1 - p)). The mask is drawn from lc_nn_rng(layer_id, row)
 * in training and all ones in evaluation, and kept for backward; the double backward is lc_dropout_backward
 * again (gin = gout * mask is linear in gout with a fixed mask). ---- */
/* out (B, C), mask (B, C) written, in (B, C) */
void lc_dropout_forward(const lc_nn_ctx *ctx, float *out, float *mask, const float *in, int B, int C, float p,
                        uint32_t layer_id);
/* out (N), in (N), mask (N): apply a given mask */
void lc_dropout_apply(const lc_nn_ctx *ctx, float *out, const float *in, const float *mask, int N);
/* dinp (N), dout (N), mask (N) */
void lc_dropout_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *mask, int N);

/* ---- Softmax over rows with temperature, and Gumbel-softmax (the soft sample, PyTorch's
 * F.gumbel_softmax(hard=False)): out = softmax((in + noise) / tau); noise NULL for a plain softmax. ---- */
/* out (B, ld), in (B, ld), noise (B, ld) or NULL; columns [0, C) */
void lc_softmax_forward(const lc_nn_ctx *ctx, float *out, const float *in, const float *noise, int B, int C,
                        int ld, float tau);
/* dinp (B, ld), dout (B, ld), out (B, ld): the softmax output; gradient flows to in (and equally to noise) */
void lc_softmax_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int B, int C,
                         int ld, float tau);
/* Standard Gumbel noise -log(-log U), from lc_nn_rng(layer_id, row) in training; zeros in evaluation (the
 * argmax-free deterministic sample). noise (B, ld), columns [0, C) */
void lc_gumbel_noise(const lc_nn_ctx *ctx, float *noise, int B, int C, int ld, uint32_t layer_id);

/* ---- Embedding ---- */
/* out (N, C), idx (N) in [0, V), table (V, C) */
void lc_embedding_forward(const lc_nn_ctx *ctx, float *out, const int *idx, const float *table, int N, int V,
                          int C);
/* dtable (V, C), dout (N, C), idx (N) */
void lc_embedding_backward(const lc_nn_ctx *ctx, float *dtable, const float *dout, const int *idx, int N, int V,
                           int C);

/* ---- Multi-head causal self-attention (llm.c layout: q, k, v packed in qkv; head h uses columns
 * [h hs, (h + 1) hs) of each, hs = C / NH; scale 1 / sqrt(hs)) ---- */
/* out (B, T, C), att (B, NH, T, T) softmax weights saved for backward, qkv (B, T, 3C) */
void lc_attention_forward(const lc_nn_ctx *ctx, float *out, float *att, const float *qkv, int B, int T, int C,
                          int NH);
/* dqkv (B, T, 3C), scratch (B, NH, T, T) overwritten, dout (B, T, C), qkv (B, T, 3C), att (B, NH, T, T) */
void lc_attention_backward(const lc_nn_ctx *ctx, float *dqkv, float *scratch, const float *dout, const float *qkv,
                           const float *att, int B, int T, int C, int NH);

/* ---- Residual sum and feature concatenation ---- */
/* out (N), a (N), b (N): out = a + b */
void lc_residual_forward(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, int N);
/* da (N), db (N), dout (N) */
void lc_residual_backward(const lc_nn_ctx *ctx, float *da, float *db, const float *dout, int N);
/* out (B, C1 + C2), a (B, C1), b (B, C2): out = [a | b] */
void lc_concat_forward(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, int B, int C1, int C2);
/* da (B, C1), db (B, C2), dout (B, C1 + C2) */
void lc_concat_backward(const lc_nn_ctx *ctx, float *da, float *db, const float *dout, int B, int C1, int C2);

/* ---- Element-wise ops of the tabular models (LEGO GAN and VAE), kept in the backend so that the models run
 * unchanged on any backend. Spans follow the ld convention above: columns [0, C) of rows ld floats apart. ---- */
/* tanh on one span (the VALUE columns of an encoded row). out (B, ld), in (B, ld) */
void lc_tanh_span_forward(const lc_nn_ctx *ctx, float *out, const float *in, int B, int C, int ld);
/* dinp (B, ld), dout (B, ld), out (B, ld): the forward output */
void lc_tanh_span_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const float *out, int B, int C,
                           int ld);
/* In place x = min(max(x, lo), hi) on a span (TVAE's sigma clamp after each step, clipping of samples).
 * x (B, ld) */
void lc_clamp(const lc_nn_ctx *ctx, float *x, int B, int C, int ld, float lo, float hi);
/* Keyed draws from lc_nn_rng(layer_id, row), in training and evaluation alike (the caller asks for them):
 * uniform in [0, 1), or std_c * N(0, 1) with std (C) per column (NULL: 1). out (B, ld), columns [0, C) */
void lc_uniform_noise(const lc_nn_ctx *ctx, float *out, int B, int C, int ld, uint32_t layer_id);
void lc_normal_noise(const lc_nn_ctx *ctx, float *out, const float *std, int B, int C, int ld, uint32_t layer_id);
/* VAE reparameterisation z = mu + eps * exp(logvar / 2). z (N), mu (N), logvar (N), eps (N) */
void lc_reparam_forward(const lc_nn_ctx *ctx, float *z, const float *mu, const float *logvar, const float *eps,
                        int N);
/* dmu (N), dlogvar (N) (either may be NULL), dz (N), logvar (N), eps (N) */
void lc_reparam_backward(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *dz, const float *logvar,
                         const float *eps, int N);
/* Row-wise interpolation out_r = alpha_r a_r + (1 - alpha_r) b_r (the WGAN-GP interpolates, one alpha per PacGAN
 * pack). Forward only: nothing differentiates through the interpolation weights or the data.
 * out (B, C), a (B, C), b (B, C), alpha (B) */
void lc_lerp_rows(const lc_nn_ctx *ctx, float *out, const float *a, const float *b, const float *alpha, int B, int C);

/* ---- Row gather and categorical draws (the Transformer's heads: a row reads the mean and log-variance of its
 * own mode) ---- */
/* out[b ld_out] = in[b ld_in + idx[b]]. out (B, ld_out), in (B, ld_in), columns [0, C); idx (B) in [0, C) */
void lc_gather_forward(const lc_nn_ctx *ctx, float *out, const float *in, const int *idx, int B, int C, int ld_in,
                       int ld_out);
/* dinp[b ld_in + idx[b]] += dout[b ld_out]. dinp (B, ld_in), dout (B, ld_out), idx (B) */
void lc_gather_backward(const lc_nn_ctx *ctx, float *dinp, const float *dout, const int *idx, int B, int C,
                        int ld_in, int ld_out);
/* One draw per row from softmax(logits_b) (inverse CDF of one uniform from lc_nn_rng(layer_id, row), drawn in
 * training and evaluation alike). idx (B) written, logits (B, ld), columns [0, C) */
void lc_categorical_sample(const lc_nn_ctx *ctx, int *idx, const float *logits, int B, int C, int ld,
                           uint32_t layer_id);

/* ---- Losses: value = scale * (sum given below); gradients (if not NULL) += d value / d input ---- */
/* pred (N), target (N); sum (pred - target)^2 */
double lc_mse_loss(const lc_nn_ctx *ctx, float *dpred, const float *pred, const float *target, int N, double scale);
/* logits (B, ld), columns [0, C); target (B) class indices; sum_b -log softmax(logits_b)[target_b] */
double lc_cross_entropy_loss(const lc_nn_ctx *ctx, float *dlogits, const float *logits, const int *target, int B,
                             int C, int ld, double scale);
/* mu (B, ld), target (B, ld), columns [0, C); sigma (C) > 0 per column;
 * sum_{b,c} (target - mu)^2 / (2 sigma_c^2) + log sigma_c (the TVAE reconstruction term) */
double lc_gaussian_nll_loss(const lc_nn_ctx *ctx, float *dmu, float *dsigma, const float *mu, const float *target,
                            const float *sigma, int B, int C, int ld, double scale);
/* mu (N), logvar (N), target (N); sum_i (target_i - mu_i)^2 / (2 exp lv_i) + lv_i / 2 with lv_i = logvar_i
 * clamped to [lo, hi] (torch.clamp: no gradient to a logvar outside), the Gaussian NLL without its constant */
double lc_gaussian_nll_logvar_loss(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *mu,
                                   const float *logvar, const float *target, int N, float lo, float hi,
                                   double scale);
/* mu (N), logvar (N); KL(N(mu, exp logvar) || N(0, 1)) = sum -0.5 (1 + logvar - mu^2 - exp logvar) */
double lc_kl_normal_loss(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *mu, const float *logvar,
                         int N, double scale);
/* Wasserstein critic loss: mean(fake) - mean(real); either side may be NULL (count 0), so the generator's loss
 * is -mean(critic(fake)) with scale -1 and real NULL. real (n_real), fake (n_fake) critic outputs */
double lc_wasserstein_loss(const lc_nn_ctx *ctx, float *dreal, float *dfake, const float *real, int n_real,
                           const float *fake, int n_fake, double scale);
/* Gradient penalty on the critic's input gradient g (from a first backward with dout = 1):
 * lambda / B * sum_b (||g_b||_2 - 1)^2. Its gradient dg (B, C) starts the double backward (docs/nn.md).
 * g (B, C) */
double lc_gradient_penalty_loss(const lc_nn_ctx *ctx, float *dg, const float *g, int B, int C, double lambda);

/* ---- Optimisers ---- */
typedef struct {
    float lr, beta1, beta2, eps;
    float weight_decay;
    int decoupled; /* 0: Adam (weight decay added to the gradient, torch.optim.Adam); 1: AdamW */
} lc_adam_options;

/* lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0, Adam. */
void lc_adam_options_default(lc_adam_options *opt);
/* One step t >= 1 (bias correction uses t). params, grads, m, v (n): m and v start at zero. */
void lc_adam_update(const lc_nn_ctx *ctx, float *params, const float *grads, float *m, float *v, size_t n,
                    const lc_adam_options *opt, int t);
/* Global L2 norm of grads (n) accumulated in double. */
double lc_grad_norm(const lc_nn_ctx *ctx, const float *grads, size_t n);
/* torch.nn.utils.clip_grad_norm_: scales grads by max_norm / (norm + 1e-6) when that is below 1. Returns the norm
 * before clipping. On several ranks call it after the gradient all-reduce, so every rank clips alike. */
double lc_grad_clip(const lc_nn_ctx *ctx, float *grads, size_t n, double max_norm);

#endif
