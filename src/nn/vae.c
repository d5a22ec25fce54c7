/* TVAE-style VAE on encoded LEGO rows.
 *
 *   encoder: x (B, W) -> Linear -> ReLU -> Linear -> ReLU -> fc1: mu (B, L), fc2: logvar (B, L)
 *   z = mu + eps exp(logvar / 2)
 *   decoder: z -> Linear -> ReLU -> Linear -> ReLU -> Linear: rec (B, W); sigma (W) a parameter
 *   loss = 2 / B (sum over VALUE columns of (x - tanh rec)^2 / (2 sigma^2) + log sigma, plus the cross-entropy of
 *          each one-hot span of rec against the argmax of x) + KL(q(z|x) || N(0, 1)) / B
 * Adam (weight decay added to the gradient) over all parameters, then sigma clamped to [sigma_min, sigma_max].
 * With prior_components K > 0, sampling draws z from a K-component diagonal Gaussian mixture fitted to the
 * aggregate posterior after training (lc_model_fit_prior), kept in the model state as
 *   state = [weight (K), mean (K, L), var (K, L)]. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "nn/mixture.h"
#include "nn/model_internal.h"
#include "nn/nn_internal.h"

/* keyed draw streams (layer ids); span-indexed ones add the span index */
enum { L_EPS = 1, L_Z_SAMPLE = 2, L_PRIOR_EPS = 3, L_PRIOR_SAMPLE = 4, L_SIGMA_SAMPLE = 0x10000,
       L_GUMBEL_SAMPLE = 0x20000 };

/* EM of the latent prior: converged when a row's mean log-likelihood gains less than 1e-3 nats per iteration; the
 * floor keeps a component from collapsing onto a few rows (posterior variances are ~1e-2 and up) */
static const lc_diag_mixture_options prior_fit = {.max_iterations = 200, .tolerance = 1e-3, .var_floor = 1e-4};

/* PyTorch's parameter order: encoder.parameters() then decoder.parameters() of TVAE's Encoder/Decoder (a
 * module's own parameters come before its children's, so sigma leads the decoder) */
enum { E0W, E0B, E1W, E1B, MUW, MUB, LVW, LVB, SIGMA, D0W, D0B, D1W, D1B, D2W, D2B, N_TENSORS };

typedef struct {
    float *p[N_TENSORS];
} vae_tensors;

typedef struct {
    lc_model base;
    vae_tensors w, g;
    float *acts;
    /* forward, B = config.batch rows at most */
    float *x;          /* (B, W) the batch, VALUE columns clipped */
    float *e0, *e0r;   /* (B, H) */
    float *e1, *e1r;   /* (B, H) */
    float *mu, *logvar, *eps, *z; /* (B, L) */
    float *d0, *d0r;   /* (B, H) */
    float *d1, *d1r;   /* (B, H) */
    float *rec;        /* (B, W) decoder output */
    float *th;         /* (B, W) tanh(rec) on VALUE columns (sampling: the output rows) */
    float *noise;      /* (B, W) sampling: sigma noise on VALUE columns, zero elsewhere */
    float *gumbel;     /* (B, W) sampling: Gumbel noise on the one-hot spans */
    /* gradients: one range, zeroed once per step */
    float *grad0;
    size_t n_grad;
    float *dth, *drec; /* (B, W) */
    float *dd1r, *dd1, *dd0r, *dd0; /* (B, H) */
    float *dz, *dmu, *dlogvar;      /* (B, L) */
    float *de1r, *de1, *de0r, *de0; /* (B, H) */
    int n_onehot;
    int *target;       /* backend (n_onehot, B): argmax of each one-hot span of x */
    int *target_host;  /* host (n_onehot, B) */
} vae_model;

static const char *const vae_loss_names[] = {"loss", "reconstruction", "kl"};

static void vae_destroy(lc_model *base) {
    vae_model *v = (vae_model *)base;
    base->backend->free(v->acts);
    base->backend->free(v->target);
    free(v->target_host);
    lc_model_base_free(base);
    free(v);
}

/* x (B, W) -> mu, logvar (B, L) */
static void encoder_forward(vae_model *v, const lc_nn_ctx *cx, int B) {
    const lc_model_config *c = &v->base.config;
    int W = c->width, H = c->hidden, L = c->latent;
    float **p = v->w.p;
    lc_linear_forward(cx, v->e0, v->x, p[E0W], p[E0B], B, W, H);      // e0 (B, H)
    lc_relu_forward(cx, v->e0r, v->e0, B * H);                         // e0r (B, H)
    lc_linear_forward(cx, v->e1, v->e0r, p[E1W], p[E1B], B, H, H);     // e1 (B, H)
    lc_relu_forward(cx, v->e1r, v->e1, B * H);                         // e1r (B, H)
    lc_linear_forward(cx, v->mu, v->e1r, p[MUW], p[MUB], B, H, L);     // mu (B, L)
    lc_linear_forward(cx, v->logvar, v->e1r, p[LVW], p[LVB], B, H, L); // logvar (B, L)
}

/* z (B, L) -> rec (B, W) */
static void decoder_forward(vae_model *v, const lc_nn_ctx *ctx, int B) {
    const lc_model_config *c = &v->base.config;
    int W = c->width, H = c->hidden, L = c->latent;
    float **p = v->w.p;
    lc_linear_forward(ctx, v->d0, v->z, p[D0W], p[D0B], B, L, H); // d0 (B, H)
    lc_relu_forward(ctx, v->d0r, v->d0, B * H);                      // d0r (B, H)
    lc_linear_forward(ctx, v->d1, v->d0r, p[D1W], p[D1B], B, H, H);  // d1 (B, H)
    lc_relu_forward(ctx, v->d1r, v->d1, B * H);                      // d1r (B, H)
    lc_linear_forward(ctx, v->rec, v->d1r, p[D2W], p[D2B], B, H, W); // rec (B, W)
}

static void vae_train_step(lc_model *base, const lc_nn_ctx *caller, const float *batch, int B, int B_global,
                           lc_grad_sync_fn sync, void *sync_user, double *losses, const lc_model_noise *noise) {
    vae_model *v = (vae_model *)base;
    const lc_model_config *c = &base->config;
    int W = c->width, H = c->hidden, L = c->latent;
    lc_nn_ctx ctx = lc_model_train_ctx(base, caller);
    const lc_nn_ctx *cx = &ctx;
    float **p = v->w.p, **g = v->g.p;
    lc_params *P = &base->params[0];

    /* the batch, VALUE columns clipped as RDT does; the argmax of each one-hot span is the class target */
    base->backend->to_device(v->x, batch, (size_t)B * W * sizeof(float));
    lc_model_clamp_values(base, cx, v->x, B, -c->value_clip, c->value_clip);
    for (int s = 0, k = 0; s < c->n_spans; s++) {
        const lc_encoder_span *sp = &c->spans[s];
        if (sp->kind == LC_SPAN_VALUE) continue;
        for (int b = 0; b < B; b++) {
            const float *r = batch + (size_t)b * W + sp->offset;
            int best = 0;
            for (int j = 1; j < sp->width; j++)
                if (r[j] > r[best]) best = j;
            v->target_host[(size_t)k * B + b] = best;
        }
        k++;
    }
    base->backend->to_device(v->target, v->target_host, (size_t)v->n_onehot * B * sizeof(int));

    encoder_forward(v, cx, B);                                         // mu, logvar (B, L)
    if (!lc_model_inject(base, v->eps, noise ? noise->eps : NULL, (size_t)B * L))
        lc_normal_noise(cx, v->eps, NULL, B, L, L, L_EPS);             // eps (B, L)
    lc_reparam_forward(cx, v->z, v->mu, v->logvar, v->eps, B * L);     // z (B, L)
    decoder_forward(v, cx, B);                                         // rec (B, W)

    /* losses (fused with their gradients), scaled by 1 / B_global so that gradients sum over ranks */
    lc_params_zero_grad(P);
    base->backend->zero(v->grad0, v->n_grad * sizeof(float));
    double rec_loss = 0.0, rscale = 2.0 / B_global;
    for (int s = 0, k = 0; s < c->n_spans; s++) {
        const lc_encoder_span *sp = &c->spans[s];
        int o = sp->offset;
        if (sp->kind == LC_SPAN_VALUE) {
            lc_tanh_span_forward(cx, v->th + o, v->rec + o, B, sp->width, W); // th (B, W), this span
            rec_loss += lc_gaussian_nll_loss(cx, v->dth + o, g[SIGMA] + o, v->th + o, v->x + o, p[SIGMA] + o, B,
                                             sp->width, W, rscale);
            lc_tanh_span_backward(cx, v->drec + o, v->dth + o, v->th + o, B, sp->width, W);
        } else {
            rec_loss += lc_cross_entropy_loss(cx, v->drec + o, v->rec + o, v->target + (size_t)k * B, B, sp->width,
                                              W, rscale);
            k++;
        }
    }
    double kl = lc_kl_normal_loss(cx, v->dmu, v->dlogvar, v->mu, v->logvar, B * L, 1.0 / B_global);

    /* backward: decoder, reparameterisation, the two heads (both feed e1r), encoder */
    lc_linear_backward(cx, v->dd1r, g[D2W], g[D2B], v->drec, v->d1r, p[D2W], B, H, W);
    lc_relu_backward(cx, v->dd1, v->dd1r, v->d1, B * H);
    lc_linear_backward(cx, v->dd0r, g[D1W], g[D1B], v->dd1, v->d0r, p[D1W], B, H, H);
    lc_relu_backward(cx, v->dd0, v->dd0r, v->d0, B * H);
    lc_linear_backward(cx, v->dz, g[D0W], g[D0B], v->dd0, v->z, p[D0W], B, L, H);
    lc_reparam_backward(cx, v->dmu, v->dlogvar, v->dz, v->logvar, v->eps, B * L);
    lc_linear_backward(cx, v->de1r, g[MUW], g[MUB], v->dmu, v->e1r, p[MUW], B, H, L);
    lc_linear_backward(cx, v->de1r, g[LVW], g[LVB], v->dlogvar, v->e1r, p[LVW], B, H, L);
    lc_relu_backward(cx, v->de1, v->de1r, v->e1, B * H);
    lc_linear_backward(cx, v->de0r, g[E1W], g[E1B], v->de1, v->e0r, p[E1W], B, H, H);
    lc_relu_backward(cx, v->de0, v->de0r, v->e0, B * H);
    lc_linear_backward(cx, NULL, g[E0W], g[E0B], v->de0, v->x, p[E0W], B, W, H);

    double l[3] = {rec_loss + kl, rec_loss, kl};
    cx->allreduce_sum(l, 3, cx->allreduce_user);
    memcpy(losses, l, sizeof l);

    /* every rank holds its share of the global-batch gradient: sum, step, clamp sigma (TVAE's sigma.clamp_) */
    if (sync && sync(P->grads, P->total, sync_user) != 0) return;
    lc_adam_options opt = {c->lr, c->beta1, c->beta2, 1e-8f, c->weight_decay, 0};
    lc_adam_update(cx, P->params, P->grads, P->m, P->v, P->total, &opt, (int)(base->step + 1));
    lc_clamp(cx, p[SIGMA], 1, W, W, c->sigma_min, c->sigma_max);
    base->step++;
}

/* The prior in the state <-> a host mixture */
static void prior_from_state(const vae_model *v, lc_diag_mixture *g) {
    size_t K = (size_t)g->components, KL = K * (size_t)g->dim, n = K + 2 * KL;
    float *s = lc_malloc(n * sizeof(float));
    v->base.backend->to_host(s, v->base.state, n * sizeof(float));
    for (size_t k = 0; k < K; k++) g->weight[k] = s[k];
    for (size_t i = 0; i < KL; i++) g->mean[i] = s[K + i], g->var[i] = s[K + KL + i];
    free(s);
}

static void prior_to_state(vae_model *v, const lc_diag_mixture *g) {
    size_t K = (size_t)g->components, KL = K * (size_t)g->dim, n = K + 2 * KL;
    float *s = lc_malloc(n * sizeof(float));
    for (size_t k = 0; k < K; k++) s[k] = (float)g->weight[k];
    for (size_t i = 0; i < KL; i++) s[K + i] = (float)g->mean[i], s[K + KL + i] = (float)g->var[i];
    v->base.backend->to_device(v->base.state, s, n * sizeof(float));
    free(s);
}

static double vae_fit_prior(lc_model *base, const lc_nn_ctx *caller, const float *rows, const long *ids, long n,
                            const long *init_ids, int *iterations) {
    vae_model *v = (vae_model *)base;
    const lc_model_config *c = &base->config;
    int W = c->width, L = c->latent, K = c->prior_components;
    lc_nn_ctx cx = *caller;
    cx.seed = c->seed;
    cx.step = base->step;
    cx.sample0 = 0;
    cx.training = 0;
    /* z (n, L): one draw of each row's posterior, keyed by its training-set index */
    double *z = lc_malloc(sizeof(double) * (size_t)(n ? n : 1) * (size_t)L);
    float *mu = lc_malloc(sizeof(float) * (size_t)c->batch * L), *logvar = lc_malloc(sizeof(float) * (size_t)c->batch * L);
    for (long done = 0; done < n;) {
        int B = (int)(n - done < c->batch ? n - done : c->batch);
        base->backend->to_device(v->x, rows + (size_t)done * W, (size_t)B * W * sizeof(float));
        lc_model_clamp_values(base, &cx, v->x, B, -c->value_clip, c->value_clip);
        encoder_forward(v, &cx, B); // mu, logvar (B, L)
        base->backend->to_host(mu, v->mu, (size_t)B * L * sizeof(float));
        base->backend->to_host(logvar, v->logvar, (size_t)B * L * sizeof(float));
        for (int b = 0; b < B; b++) {
            lc_rng rng;
            lc_nn_rng(&cx, &rng, L_PRIOR_EPS, ids[done + b]);
            for (int l = 0; l < L; l++) {
                size_t i = (size_t)b * L + l;
                z[(size_t)done * L + i] = mu[i] + lc_rng_normal(&rng) * exp(0.5 * (double)logvar[i]);
            }
        }
        done += B;
    }
    free(mu), free(logvar);
    /* the starting means: the draws of rows init_ids, contributed by the rank that holds each */
    double *init = lc_calloc((size_t)K * L, sizeof(double));
    for (long i = 0; i < n; i++)
        for (int k = 0; k < K; k++)
            if (ids[i] == init_ids[k]) memcpy(init + (size_t)k * L, z + (size_t)i * L, sizeof(double) * L);
    if (cx.allreduce_sum) cx.allreduce_sum(init, K * L, cx.allreduce_user);
    lc_diag_mixture g;
    lc_diag_mixture_init(&g, K, L);
    double loglik = lc_diag_mixture_fit(&g, z, n, init, &prior_fit, cx.allreduce_sum, cx.allreduce_user, iterations);
    prior_to_state(v, &g);
    lc_diag_mixture_free(&g);
    free(init), free(z);
    return loglik;
}

/* The decoder's generative distribution sampled: z from the prior (N(0, 1), or the fitted mixture), decoder, tanh on VALUE columns plus sigma noise,
 * clipped to [-1, 1] (TVAE's sample); each one-hot span as a Gumbel-softmax of its logits, whose argmax is a draw
 * from the span's categorical (TVAE takes the argmax of the logits, the mode: see docs/models.md). */
static void vae_sample(lc_model *base, const lc_nn_ctx *caller, float *out, int n) {
    vae_model *v = (vae_model *)base;
    const lc_model_config *c = &base->config;
    int W = c->width, L = c->latent;
    float *sigma = v->w.p[SIGMA];
    lc_diag_mixture prior = {0};
    float *z_host = NULL;
    if (c->prior_components > 0) {
        lc_diag_mixture_init(&prior, c->prior_components, L);
        prior_from_state(v, &prior);
        z_host = lc_malloc(sizeof(float) * (size_t)c->batch * L);
    }
    lc_nn_ctx ctx = *caller;
    ctx.seed = c->seed;
    ctx.training = 0;
    for (int done = 0; done < n;) {
        int B = n - done < c->batch ? n - done : c->batch;
        lc_nn_ctx cx = ctx;
        cx.sample0 = caller->sample0 + (uint64_t)done;
        lc_nn_ctx draw = cx;
        draw.training = 1; /* Gumbel noise on */
        if (z_host) { // z (B, L)
            lc_diag_mixture_draw(&prior, &cx, z_host, B, L_PRIOR_SAMPLE);
            base->backend->to_device(v->z, z_host, (size_t)B * L * sizeof(float));
        } else {
            lc_normal_noise(&cx, v->z, NULL, B, L, L, L_Z_SAMPLE);
        }
        decoder_forward(v, &cx, B);                             // rec (B, W)
        base->backend->zero(v->noise, (size_t)B * W * sizeof(float));
        for (int s = 0; s < c->n_spans; s++) {
            const lc_encoder_span *sp = &c->spans[s];
            int o = sp->offset;
            if (sp->kind == LC_SPAN_VALUE) {
                lc_tanh_span_forward(&cx, v->th + o, v->rec + o, B, sp->width, W);
                lc_normal_noise(&cx, v->noise + o, sigma + o, B, sp->width, W, L_SIGMA_SAMPLE + (uint32_t)s);
            } else {
                lc_gumbel_noise(&draw, v->gumbel + o, B, sp->width, W, L_GUMBEL_SAMPLE + (uint32_t)s);
                lc_softmax_forward(&cx, v->th + o, v->rec + o, v->gumbel + o, B, sp->width, W, 1.0f);
            }
        }
        lc_residual_forward(&cx, v->th, v->th, v->noise, B * W); // th (B, W): rows with the sigma noise
        lc_model_clamp_values(base, &cx, v->th, B, -1.0f, 1.0f);
        base->backend->to_host(out + (size_t)done * W, v->th, (size_t)B * W * sizeof(float));
        done += B;
    }
    if (z_host) lc_diag_mixture_free(&prior);
    free(z_host);
}

static const lc_model_ops vae_ops = {
    .kind = "vae",
    .n_losses = 3,
    .loss_names = vae_loss_names,
    .destroy = vae_destroy,
    .train_step = vae_train_step,
    .sample = vae_sample,
    .fit_prior = vae_fit_prior,
};

lc_model *lc_vae_create(const lc_model_config *config, const lc_nn_backend *backend) {
    vae_model *v = lc_calloc(1, sizeof *v);
    lc_model *m = &v->base;
    lc_model_base_init(m, &vae_ops, config, backend);
    const lc_model_config *c = &m->config;
    NN_CHECK(c->sigma_min > 0 && c->sigma_min <= c->sigma_init && c->sigma_init <= c->sigma_max);
    size_t W = c->width, H = c->hidden, L = c->latent, B = c->batch;

    size_t sizes[N_TENSORS] = {H * W, H, H * H, H, L * H, L, L * H, L, W, H * L, H, H * H, H, W * H, W};
    m->n_sets = 1;
    m->set_name[0] = "vae";
    lc_params *P = &m->params[0];
    lc_params_create(P, backend, sizes, N_TENSORS);
    float **wp[N_TENSORS], **gp[N_TENSORS];
    for (int i = 0; i < N_TENSORS; i++) wp[i] = &v->w.p[i], gp[i] = &v->g.p[i];
    lc_params_point(P, P->params, wp);
    lc_params_point(P, P->grads, gp);
    int lin[7][3] = {{E0W, E0B, (int)W}, {E1W, E1B, (int)H}, {MUW, MUB, (int)H}, {LVW, LVB, (int)H},
                     {D0W, D0B, (int)L}, {D1W, D1B, (int)H}, {D2W, D2B, (int)H}}; /* weight, bias, fan_in */
    for (int i = 0; i < 7; i++) lc_model_init_linear(P, lin[i][0], lin[i][1], lin[i][2], c->seed);
    lc_params_init_tensor(P, SIGMA, 0.0f, c->sigma_init, c->seed);

    float **ap[] = {&v->x, &v->e0, &v->e0r, &v->e1, &v->e1r, &v->mu, &v->logvar, &v->eps, &v->z, &v->d0, &v->d0r,
                    &v->d1, &v->d1r, &v->rec, &v->th, &v->noise, &v->gumbel,
                    /* gradients from here on */
                    &v->dth, &v->drec, &v->dd1r, &v->dd1, &v->dd0r, &v->dd0, &v->dz, &v->dmu, &v->dlogvar, &v->de1r,
                    &v->de1, &v->de0r, &v->de0};
    size_t as[] = {B * W, B * H, B * H, B * H, B * H, B * L, B * L, B * L, B * L, B * H, B * H, B * H, B * H,
                   B * W, B * W, B * W, B * W,
                   B * W, B * W, B * H, B * H, B * H, B * H, B * L, B * L, B * L, B * H, B * H, B * H, B * H};
    int n_acts = (int)(sizeof as / sizeof as[0]);
    v->acts = lc_model_arena(backend, as, ap, n_acts);
    v->grad0 = v->dth;
    v->n_grad = 0;
    int first_grad = 0;
    while (ap[first_grad] != &v->dth) first_grad++;
    for (int i = first_grad; i < n_acts; i++) v->n_grad += as[i];

    for (int s = 0; s < c->n_spans; s++) v->n_onehot += c->spans[s].kind != LC_SPAN_VALUE;
    size_t nt = (size_t)(v->n_onehot > 0 ? v->n_onehot : 1) * B;
    v->target = backend->alloc(nt * sizeof(int));
    v->target_host = lc_calloc(nt, sizeof(int));

    if (c->prior_components > 0) { /* until fitted, N(0, I) as equal components */
        m->n_state = (size_t)c->prior_components * (1 + 2 * L);
        m->state = backend->alloc(m->n_state * sizeof(float));
        lc_diag_mixture g;
        lc_diag_mixture_init(&g, c->prior_components, (int)L);
        prior_to_state(v, &g);
        lc_diag_mixture_free(&g);
    }
    return m;
}
