/* Tabular generative models of LEGO rows: the CTGAN-style WGAN ("gan") and the TVAE-style VAE ("vae").
 *
 * A model trains on encoded rows (lego/encoder.h: VALUE spans of width 1, MODE and CATEGORY one-hot spans) and
 * samples encoded rows that lc_encoder_inverse reads. Both are written against nn.h and params.h only, so they
 * run on any backend; see docs/models.md for the architectures, losses and what differs from CTGAN/TVAE.
 *
 * Multi-rank training (data parallel): each rank holds an identical model and a slice of the global batch.
 *   - ctx->sample0 is the global index of this rank's first row; every random draw (noise, Gumbel noise, dropout
 *     masks, interpolation weights) is keyed by (config seed, model step, global row, layer id), so a row gets the
 *     same draws on any number of ranks;
 *   - losses are scaled by 1 / B_global on every rank, so the SUM over ranks of the gradients is the gradient of
 *     the global batch; `sync` sums a gradient buffer over ranks in place (identity on one rank) and is called
 *     before every optimiser update (GAN: critic, then generator), which it may veto (lc_grad_sync_fn);
 *   - BatchNorm statistics and the reported losses are summed over ranks with ctx->allreduce_sum.
 * The loss curve on 2 ranks therefore equals the one on 1 rank with the same global batch and seed. */
#ifndef LEGOCRYST_NN_MODEL_H
#define LEGOCRYST_NN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lego/encoder.h"
#include "nn/backend.h"
#include "nn/nn.h"
#include "nn/params.h"

/* Sums grads[0..n) over all ranks in place (identity on one rank), just before an optimiser update. Returns 0 to go
 * on; non-zero stops the train step there: this update and the rest of the step are skipped and the model's step
 * does not advance (the train command's guard against non-finite gradients, which leaves the parameters as they
 * were before the update). */
typedef int (*lc_grad_sync_fn)(float *grads, size_t n, void *user);

typedef struct {
    int width;                    /* encoded row width */
    int n_spans;
    const lc_encoder_span *spans; /* [n_spans] in row order, covering [0, width); copied by lc_model_create */
    int hidden;                   /* 512: generator/critic and encoder/decoder width */
    int latent;                   /* 128: GAN noise dimension, VAE latent dimension */
    int pac;                      /* 10: PacGAN packing (GAN) */
    int batch;                    /* most rows one train step or sample chunk handles on this rank (500) */
    float lr, beta1, beta2, weight_decay; /* Adam (weight decay added to the gradient, torch.optim.Adam) */
    float gp_weight;              /* 10: gradient penalty (GAN) */
    float tau;                    /* 0.2: Gumbel-softmax temperature (GAN) */
    float dropout;                /* 0.5: critic dropout (GAN) */
    float sigma_init, sigma_min, sigma_max; /* 0.1, 0.01, 1: VAE output scale */
    float value_clip;             /* 0.99: VALUE columns of a training batch are clipped to +-value_clip */
    int layers, heads, d_model;   /* 4, 4, 128: Transformer blocks, attention heads, model width */
    float grad_clip;              /* 1: global gradient norm clip (Transformer; 0: none) */
    int prior_components;         /* VAE: components of the latent prior fitted to the training rows
                                   *   (lc_model_fit_prior); 0: N(0, I), TVAE's prior */
    uint64_t seed;                /* initial weights and every random draw */
} lc_model_config;

/* Random draws of one train step, injected instead of drawn (tests against PyTorch). Host memory; a NULL field is
 * drawn from the keyed generator. Shapes for this rank's B rows, R = B / pac packed critic rows, H = hidden. */
typedef struct {
    const float *eps;                       /* VAE: (B, latent) reparameterisation noise */
    /* GAN critic step */
    const float *z_d;                       /* (B, latent) generator input */
    const float *gumbel_d;                  /* (B, width) Gumbel noise; only one-hot span columns are read */
    const float *mask_fake[2], *mask_real[2], *mask_gp[2]; /* (R, H) dropout masks (0 or 1 / (1 - p)) */
    const float *alpha;                     /* (R) interpolation weight per pack */
    /* GAN generator step */
    const float *z_g, *gumbel_g, *mask_g[2];
} lc_model_noise;

typedef struct lc_model lc_model;

typedef struct {
    const char *kind; /* "vae", "gan" or "transformer" */
    int n_losses;
    const char *const *loss_names;
    void (*destroy)(lc_model *m);
    /* One optimiser step on this rank's rows batch (B_local, width) (host memory) of a global batch of B_global
     * rows; ctx gives the backend, sample0 and the all-reduce (its seed, step and training flag are not used:
     * draws are keyed by the config seed and the model's step). losses (n_losses) receives the global losses; when
     * `sync` stops the step, those not computed by then are NaN. */
    void (*train_step)(lc_model *m, const lc_nn_ctx *ctx, const float *batch, int B_local, int B_global,
                       lc_grad_sync_fn sync, void *sync_user, double *losses, const lc_model_noise *noise);
    /* n encoded rows into out (n, width) (host memory): VALUE columns in [-1, 1], one-hot spans as probabilities
     * whose argmax lc_encoder_inverse reads. Draws keyed by (config seed, ctx->step, ctx->sample0 + row), so the
     * caller picks disjoint rows per rank and a fresh ctx->step per sampling round. Changes no model state. */
    void (*sample)(lc_model *m, const lc_nn_ctx *ctx, float *out, int n);
    /* See lc_model_fit_prior; NULL for models without a fitted prior. */
    double (*fit_prior)(lc_model *m, const lc_nn_ctx *ctx, const float *rows, const long *ids, long n,
                        const long *init_ids, int *iterations);
} lc_model_ops;

enum { LC_MODEL_MAX_SETS = 2 };

/* The common part of every model (plain struct: checkpoints read it directly). */
struct lc_model {
    const lc_model_ops *ops;
    lc_model_config config;       /* spans point to the model's own copy */
    const lc_nn_backend *backend;
    int n_sets;                   /* parameter sets, each with its own Adam state */
    const char *set_name[LC_MODEL_MAX_SETS]; /* "vae"; "generator", "critic" */
    lc_params params[LC_MODEL_MAX_SETS];
    float *state;                 /* non-parameter state on the backend (GAN: BatchNorm running mean and var; VAE: */
    size_t n_state;               /*   the latent prior), n_state floats; NULL and 0 when there is none */
    uint64_t step;                /* completed train steps: Adam's t is step + 1; keys the training draws */
};

/* The CTGAN/TVAE defaults for kind "gan" or "vae" (hidden 512, latent 128, pac 10, batch 500; GAN: Adam 2e-4,
 * betas (0.5, 0.9), weight decay 1e-6, gp 10, tau 0.2, dropout 0.5; VAE: Adam 1e-3, betas (0.9, 0.999), weight
 * decay 1e-5, sigma 0.1 in [0.01, 1]); for "transformer" 4 layers, 4 heads, width 128, AdamW 1e-3, betas
 * (0.9, 0.999), weight decay 0.01, gradient clip 1 (docs/transformer.md); width, spans and seed are left to the
 * caller (0, NULL, 0). */
void lc_model_config_default(lc_model_config *config, const char *kind);

/* A model of kind "vae", "gan" or "transformer" with freshly initialised weights (PyTorch's default Linear init, keyed by the
 * seed, identical on every rank). backend NULL means the CPU backend. Aborts on a bad configuration (a
 * programming error: spans that do not tile the row, GAN batch not a multiple of pac, ...). */
lc_model *lc_model_create(const char *kind, const lc_model_config *config, const lc_nn_backend *backend);
void lc_model_destroy(lc_model *m);

/* See lc_model_ops. The GAN needs B_local % pac == 0 and ctx->sample0 % pac == 0; B_local <= config.batch. */
void lc_model_train_step(lc_model *m, const lc_nn_ctx *ctx, const float *batch, int B_local, int B_global,
                         lc_grad_sync_fn sync, void *sync_user, double *losses, const lc_model_noise *noise);
void lc_model_sample(lc_model *m, const lc_nn_ctx *ctx, float *out, int n);

/* VAE with prior_components K > 0: fits its latent prior, a K-component diagonal Gaussian mixture (nn/mixture.h),
 * by EM to one draw mu + sigma eps of the encoder's posterior for every training row, and keeps it in the model's
 * state, from where `sample` draws z (a fresh model's prior is N(0, I) as K equal components). rows (n, width) are
 * this rank's share of the training rows (host memory) and ids their indices in the training set, distinct over
 * ranks: row id's draw is keyed by (seed, step, id), so the fit does not depend on the rank count beyond summation
 * order. The means start at the draws of the K rows init_ids (the same on every rank, each held by one rank).
 * ctx gives the backend and the all-reduce. Returns the mean log-likelihood per row; *iterations (or NULL) the EM
 * iterations. Changes no parameter. */
double lc_model_fit_prior(lc_model *m, const lc_nn_ctx *ctx, const float *rows, const long *ids, long n,
                          const long *init_ids, int *iterations);

int lc_model_n_losses(const lc_model *m);
const char *lc_model_loss_name(const lc_model *m, int i);
/* The parameter set called name ("generator", "critic", "vae"), or NULL. */
lc_params *lc_model_params(lc_model *m, const char *name);

/* Internal constructors behind lc_model_create. */
lc_model *lc_vae_create(const lc_model_config *config, const lc_nn_backend *backend);
lc_model *lc_gan_create(const lc_model_config *config, const lc_nn_backend *backend);
lc_model *lc_transformer_create(const lc_model_config *config, const lc_nn_backend *backend);

#endif
