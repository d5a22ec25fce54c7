/* CTGAN-style WGAN-GP on encoded LEGO rows (without CTGAN's conditional vector, see docs/models.md).
 *
 *   generator: z (B, N) -> [Linear -> BatchNorm -> ReLU, concatenated as [out | in]] x 2 (width H) -> Linear:
 *              raw (B, W); tanh on VALUE spans, Gumbel-softmax (tau) on one-hot spans
 *   critic:    rows packed by pac: (R = B / pac, P = pac W) -> [Linear -> LeakyReLU 0.2 -> Dropout] x 2 (H) -> 1
 *   step:      critic:    mean critic(fake) - mean critic(real) + gp_weight mean_packs (||d critic / d x_hat|| - 1)^2
 *                         on interpolates x_hat = alpha real + (1 - alpha) fake (one alpha per pack), the penalty's
 *                         parameter gradient by the exact double backward (docs/nn.md); Adam on the critic;
 *              generator: -mean critic(fake) with fresh noise through the updated critic; Adam on the generator.
 * Every mean is over the global batch (scale R_local / R_global on each rank). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/model_internal.h"
#include "nn/nn_internal.h"

/* keyed draw streams (layer ids); span-indexed streams add the span index, dropout streams the layer (0, 1) */
enum {
    L_Z_D = 1,
    L_Z_G = 2,
    L_ALPHA = 3,
    L_Z_SAMPLE = 4,
    L_DROP_FAKE = 0x10,
    L_DROP_REAL = 0x12,
    L_DROP_GP = 0x14,
    L_DROP_G = 0x16,
    L_GUMBEL_D = 0x10000,
    L_GUMBEL_G = 0x20000,
    L_GUMBEL_SAMPLE = 0x30000,
};

/* PyTorch's parameter order of CTGAN's Generator (seq.0.fc, seq.0.bn, seq.1.fc, seq.1.bn, seq.2) and
 * Discriminator (seq.0, seq.3, seq.6) */
enum { G_W0, G_B0, G_GAMMA0, G_BETA0, G_W1, G_B1, G_GAMMA1, G_BETA1, G_W2, G_B2, G_TENSORS };
enum { C_W0, C_B0, C_W1, C_B1, C_W2, C_B2, C_TENSORS };

static const float BN_MOMENTUM = 0.1f, BN_EPS = 1e-5f, LEAKY = 0.2f;

/* one critic pass, kept for backward and for the penalty's double backward */
typedef struct {
    const float *x; /* (R, P) input */
    float *a[2];    /* (R, H) pre-activations */
    float *s[2];    /* (R, H) LeakyReLU outputs */
    float *mask[2]; /* (R, H) dropout masks */
    float *h[2];    /* (R, H) after dropout: input of the next Linear */
    float *out;     /* (R) */
} critic_pass;

typedef struct {
    lc_model base;
    float *gw[G_TENSORS], *gg[G_TENSORS]; /* generator parameters, gradients */
    float *cw[C_TENSORS], *cg[C_TENSORS]; /* critic parameters, gradients */
    float *run_mean[2], *run_var[2];      /* (H) BatchNorm running estimates, in base.state */
    float *acts;
    /* generator forward, B = config.batch rows at most */
    float *z;                        /* (B, N) */
    float *ga[2], *gbn[2], *gr[2];   /* (B, H) Linear, BatchNorm, ReLU outputs */
    float *gmean[2], *grstd[2];      /* (H) batch statistics */
    float *gx1;                      /* (B, H + N) [gr0 | z] */
    float *gx2;                      /* (B, 2H + N) [gr1 | gx1] */
    float *raw;                      /* (B, W) */
    float *gumbel;                   /* (B, W) noise on the one-hot columns */
    float *fake;                     /* (B, W) generated rows = critic input (R, P) */
    float *real, *xhat;              /* (B, W) batch and interpolates, = (R, P) */
    float *alpha;                    /* (R) */
    float *ones;                     /* (R) first backward of the penalty starts from d critic / d out = 1 */
    critic_pass pass[3];             /* fake (also the generator step), real, interpolates */
    /* critic backward scratch, zeroed per use */
    float *dreal_out, *dfake_out;    /* (R) */
    float *dh[2], *ds[2], *da[2];    /* (R, H) */
    /* penalty: first backward (g*) and its double backward (dg*) */
    float *gh[2], *gs[2], *gap[2];   /* (R, H) */
    float *gx;                       /* (R, P) d critic / d x_hat */
    float *dgx;                      /* (R, P) */
    float *dga[2], *dgs[2], *dgh[2]; /* (R, H) */
    /* generator backward, zeroed per step */
    float *dfake, *draw;             /* (B, W) */
    float *dgx2;                     /* (B, 2H + N) */
    float *dgx1;                     /* (B, H + N) */
    float *dgr[2], *dgbn[2], *dga_g[2]; /* (B, H) */
    size_t n_gen_grad;
} gan_model;

static const char *const gan_loss_names[] = {"critic", "penalty", "generator"};

static void gan_destroy(lc_model *base) {
    gan_model *g = (gan_model *)base;
    base->backend->free(g->acts);
    lc_model_base_free(base);
    free(g);
}

static void zero(const gan_model *g, float *p, size_t n) { g->base.backend->zero(p, n * sizeof(float)); }

/* Gumbel noise for every one-hot span (or the injected (B, W) array), one stream per span */
static void draw_gumbel(gan_model *g, const lc_nn_ctx *ctx, const float *injected, int B, uint32_t stream0) {
    const lc_model_config *c = &g->base.config;
    if (lc_model_inject(&g->base, g->gumbel, injected, (size_t)B * c->width)) return;
    for (int s = 0; s < c->n_spans; s++) {
        const lc_encoder_span *sp = &c->spans[s];
        if (sp->kind != LC_SPAN_VALUE)
            lc_gumbel_noise(ctx, g->gumbel + sp->offset, B, sp->width, c->width, stream0 + (uint32_t)s);
    }
}

/* z (B, N), gumbel (B, W) -> fake (B, W). ctx->training selects batch or running BatchNorm statistics. */
static void generator_forward(gan_model *g, const lc_nn_ctx *ctx, int B) {
    const lc_model_config *c = &g->base.config;
    int W = c->width, H = c->hidden, N = c->latent;
    float **w = g->gw;
    lc_linear_forward(ctx, g->ga[0], g->z, w[G_W0], w[G_B0], B, N, H); // ga0 (B, H)
    lc_batchnorm_forward(ctx, g->gbn[0], g->gmean[0], g->grstd[0], g->run_mean[0], g->run_var[0], g->ga[0],
                         w[G_GAMMA0], w[G_BETA0], B, H, BN_MOMENTUM, BN_EPS); // gbn0 (B, H)
    lc_relu_forward(ctx, g->gr[0], g->gbn[0], B * H);                   // gr0 (B, H)
    lc_concat_forward(ctx, g->gx1, g->gr[0], g->z, B, H, N);            // gx1 (B, H + N)
    lc_linear_forward(ctx, g->ga[1], g->gx1, w[G_W1], w[G_B1], B, H + N, H); // ga1 (B, H)
    lc_batchnorm_forward(ctx, g->gbn[1], g->gmean[1], g->grstd[1], g->run_mean[1], g->run_var[1], g->ga[1],
                         w[G_GAMMA1], w[G_BETA1], B, H, BN_MOMENTUM, BN_EPS); // gbn1 (B, H)
    lc_relu_forward(ctx, g->gr[1], g->gbn[1], B * H);                   // gr1 (B, H)
    lc_concat_forward(ctx, g->gx2, g->gr[1], g->gx1, B, H, H + N);      // gx2 (B, 2H + N)
    lc_linear_forward(ctx, g->raw, g->gx2, w[G_W2], w[G_B2], B, 2 * H + N, W); // raw (B, W)
    for (int s = 0; s < c->n_spans; s++) {                               // fake (B, W)
        const lc_encoder_span *sp = &c->spans[s];
        int o = sp->offset;
        if (sp->kind == LC_SPAN_VALUE)
            lc_tanh_span_forward(ctx, g->fake + o, g->raw + o, B, sp->width, W);
        else
            lc_softmax_forward(ctx, g->fake + o, g->raw + o, g->gumbel + o, B, sp->width, W, c->tau);
    }
}

/* dfake (B, W) -> generator parameter gradients */
static void generator_backward(gan_model *g, const lc_nn_ctx *ctx, int B) {
    const lc_model_config *c = &g->base.config;
    int W = c->width, H = c->hidden, N = c->latent;
    float **w = g->gw, **d = g->gg;
    for (int s = 0; s < c->n_spans; s++) {
        const lc_encoder_span *sp = &c->spans[s];
        int o = sp->offset;
        if (sp->kind == LC_SPAN_VALUE)
            lc_tanh_span_backward(ctx, g->draw + o, g->dfake + o, g->fake + o, B, sp->width, W);
        else
            lc_softmax_backward(ctx, g->draw + o, g->dfake + o, g->fake + o, B, sp->width, W, c->tau);
    }
    lc_linear_backward(ctx, g->dgx2, d[G_W2], d[G_B2], g->draw, g->gx2, w[G_W2], B, 2 * H + N, W);
    lc_concat_backward(ctx, g->dgr[1], g->dgx1, g->dgx2, B, H, H + N); /* gx1 feeds block 2 and the output */
    lc_relu_backward(ctx, g->dgbn[1], g->dgr[1], g->gbn[1], B * H);
    lc_batchnorm_backward(ctx, g->dga_g[1], d[G_GAMMA1], d[G_BETA1], g->dgbn[1], g->ga[1], g->gmean[1], g->grstd[1],
                          w[G_GAMMA1], B, H);
    lc_linear_backward(ctx, g->dgx1, d[G_W1], d[G_B1], g->dga_g[1], g->gx1, w[G_W1], B, H + N, H);
    lc_concat_backward(ctx, g->dgr[0], NULL, g->dgx1, B, H, N); /* z needs no gradient */
    lc_relu_backward(ctx, g->dgbn[0], g->dgr[0], g->gbn[0], B * H);
    lc_batchnorm_backward(ctx, g->dga_g[0], d[G_GAMMA0], d[G_BETA0], g->dgbn[0], g->ga[0], g->gmean[0], g->grstd[0],
                          w[G_GAMMA0], B, H);
    lc_linear_backward(ctx, NULL, d[G_W0], d[G_B0], g->dga_g[0], g->z, w[G_W0], B, N, H);
}

/* x (R, P) -> p->out (R); masks injected (host, (R, H) each) or drawn from streams drop0, drop0 + 1.
 * cc is the packed-row context (sample0 counts packs). */
static void critic_forward(gan_model *g, const lc_nn_ctx *cc, critic_pass *p, const float *x,
                           const float *const masks[2], uint32_t drop0, int R) {
    const lc_model_config *c = &g->base.config;
    int H = c->hidden, P = c->pac * c->width;
    float **w = g->cw;
    const float *in = x;
    int C = P;
    p->x = x;
    for (int l = 0; l < 2; l++) {
        lc_linear_forward(cc, p->a[l], in, w[C_W0 + 2 * l], w[C_B0 + 2 * l], R, C, H); // a (R, H)
        lc_leakyrelu_forward(cc, p->s[l], p->a[l], R * H, LEAKY);                      // s (R, H)
        if (lc_model_inject(&g->base, p->mask[l], masks ? masks[l] : NULL, (size_t)R * H))
            lc_dropout_apply(cc, p->h[l], p->s[l], p->mask[l], R * H);                 // h (R, H)
        else
            lc_dropout_forward(cc, p->h[l], p->mask[l], p->s[l], R, H, c->dropout, drop0 + (uint32_t)l);
        in = p->h[l];
        C = H;
    }
    lc_linear_forward(cc, p->out, in, w[C_W2], w[C_B2], R, H, 1); // out (R, 1)
}

/* dout (R) -> critic parameter gradients (with_params) and dx (R, P) (NULL: not wanted) */
static void critic_backward(gan_model *g, const lc_nn_ctx *cc, const critic_pass *p, const float *dout, float *dx,
                            int with_params, int R) {
    const lc_model_config *c = &g->base.config;
    int H = c->hidden, P = c->pac * c->width;
    float **w = g->cw, **d = g->cg;
    for (int l = 0; l < 2; l++) zero(g, g->dh[l], (size_t)R * H), zero(g, g->ds[l], (size_t)R * H),
                                zero(g, g->da[l], (size_t)R * H);
    lc_linear_backward(cc, g->dh[1], with_params ? d[C_W2] : NULL, with_params ? d[C_B2] : NULL, dout, p->h[1],
                       w[C_W2], R, H, 1);
    for (int l = 1; l >= 0; l--) {
        lc_dropout_backward(cc, g->ds[l], g->dh[l], p->mask[l], R * H);
        lc_leakyrelu_backward(cc, g->da[l], g->ds[l], p->a[l], R * H, LEAKY);
        lc_linear_backward(cc, l ? g->dh[0] : dx, with_params ? d[C_W0 + 2 * l] : NULL,
                           with_params ? d[C_B0 + 2 * l] : NULL, g->da[l], l ? p->h[0] : p->x, w[C_W0 + 2 * l], R,
                           l ? H : P, H);
    }
}

/* The gradient penalty on the forward pass p (over the interpolates) and its exact parameter gradient
 * (docs/nn.md, "double backward"), accumulated into the critic gradients. lambda carries the 1 / R_global. */
static double critic_penalty(gan_model *g, const lc_nn_ctx *cc, const critic_pass *p, double lambda, int R) {
    const lc_model_config *c = &g->base.config;
    int H = c->hidden, P = c->pac * c->width;
    size_t n = (size_t)R * H;
    float **w = g->cw, **d = g->cg;
    for (int l = 0; l < 2; l++) {
        zero(g, g->gh[l], n), zero(g, g->gs[l], n), zero(g, g->gap[l], n);
        zero(g, g->dga[l], n), zero(g, g->dgs[l], n), zero(g, g->dgh[l], n);
    }
    zero(g, g->gx, (size_t)R * P);
    zero(g, g->dgx, (size_t)R * P);
    /* first backward from d out = 1, input gradients only: gx = d critic / d x_hat */
    lc_linear_backward(cc, g->gh[1], NULL, NULL, g->ones, NULL, w[C_W2], R, H, 1); // gh1 (R, H)
    for (int l = 1; l >= 0; l--) {
        lc_dropout_backward(cc, g->gs[l], g->gh[l], p->mask[l], (int)n);                // gs (R, H)
        lc_leakyrelu_backward(cc, g->gap[l], g->gs[l], p->a[l], (int)n, LEAKY);          // ga (R, H)
        lc_linear_backward(cc, l ? g->gh[0] : g->gx, NULL, NULL, g->gap[l], NULL, w[C_W0 + 2 * l], R, l ? H : P,
                           H);                                                           // gh0 (R, H), gx (R, P)
    }
    double gp = lc_gradient_penalty_loss(cc, g->dgx, g->gx, R, P, lambda); // dgx (R, P)
    /* double backward in forward order: d gp / d(gin) -> d gp / d(gout) and the weight gradients */
    const float *ggin = g->dgx;
    for (int l = 0; l < 2; l++) {
        lc_linear_double_backward(cc, g->dga[l], d[C_W0 + 2 * l], ggin, g->gap[l], w[C_W0 + 2 * l], R, l ? H : P,
                                  H);                                                    // dga (R, H)
        /* LeakyReLU'' = 0: no path to the pre-activations, so the biases get no penalty gradient (as in PyTorch)
         * and the ordinary backward of step 5 in docs/nn.md vanishes */
        lc_leakyrelu_double_backward(cc, g->dgs[l], NULL, g->dga[l], g->gs[l], p->a[l], (int)n, LEAKY); // dgs
        lc_dropout_backward(cc, g->dgh[l], g->dgs[l], p->mask[l], (int)n);               // dgh (R, H)
        ggin = g->dgh[l];
    }
    lc_linear_double_backward(cc, NULL, d[C_W2], ggin, g->ones, w[C_W2], R, H, 1);
    return gp;
}

static void gan_train_step(lc_model *base, const lc_nn_ctx *caller, const float *batch, int B, int B_global,
                           lc_grad_sync_fn sync, void *sync_user, double *losses, const lc_model_noise *noise) {
    gan_model *g = (gan_model *)base;
    const lc_model_config *c = &base->config;
    int W = c->width, N = c->latent, pac = c->pac;
    NN_CHECK(B % pac == 0 && B_global % pac == 0 && caller->sample0 % (uint64_t)pac == 0);
    int R = B / pac;
    double share = (double)B / B_global; /* local rows over global rows: means over the global batch */
    lc_nn_ctx ctx = lc_model_train_ctx(base, caller), cctx = ctx;
    cctx.sample0 = ctx.sample0 / (uint64_t)pac; /* critic draws are keyed by the global pack index */
    const lc_nn_ctx *cx = &ctx, *cc = &cctx;
    lc_params *PG = &base->params[0], *PC = &base->params[1];
    lc_adam_options opt = {c->lr, c->beta1, c->beta2, 1e-8f, c->weight_decay, 0};
    int t = (int)(base->step + 1);

    base->backend->to_device(g->real, batch, (size_t)B * W * sizeof(float));
    lc_model_clamp_values(base, cx, g->real, B, -c->value_clip, c->value_clip);

    /* ---- critic step ---- */
    if (!lc_model_inject(base, g->z, noise ? noise->z_d : NULL, (size_t)B * N))
        lc_normal_noise(cx, g->z, NULL, B, N, N, L_Z_D); // z (B, N)
    draw_gumbel(g, cx, noise ? noise->gumbel_d : NULL, B, L_GUMBEL_D);
    generator_forward(g, cx, B); // fake (B, W)
    critic_forward(g, cc, &g->pass[0], g->fake, noise ? noise->mask_fake : NULL, L_DROP_FAKE, R);
    critic_forward(g, cc, &g->pass[1], g->real, noise ? noise->mask_real : NULL, L_DROP_REAL, R);
    if (!lc_model_inject(base, g->alpha, noise ? noise->alpha : NULL, (size_t)R))
        lc_uniform_noise(cc, g->alpha, R, 1, 1, L_ALPHA);                    // alpha (R)
    lc_lerp_rows(cc, g->xhat, g->real, g->fake, g->alpha, R, pac * W);       // xhat (R, P)
    critic_forward(g, cc, &g->pass[2], g->xhat, noise ? noise->mask_gp : NULL, L_DROP_GP, R);

    lc_params_zero_grad(PC);
    zero(g, g->dreal_out, (size_t)R);
    zero(g, g->dfake_out, (size_t)R);
    double loss_c = lc_wasserstein_loss(cc, g->dreal_out, g->dfake_out, g->pass[1].out, R, g->pass[0].out, R, share);
    critic_backward(g, cc, &g->pass[0], g->dfake_out, NULL, 1, R);
    critic_backward(g, cc, &g->pass[1], g->dreal_out, NULL, 1, R);
    double gp = critic_penalty(g, cc, &g->pass[2], c->gp_weight * share, R);
    double l[3] = {loss_c, gp, NAN};
    cx->allreduce_sum(l, 2, cx->allreduce_user);
    memcpy(losses, l, sizeof l);
    if (sync && sync(PC->grads, PC->total, sync_user) != 0) return;
    lc_adam_update(cc, PC->params, PC->grads, PC->m, PC->v, PC->total, &opt, t);

    /* ---- generator step: fresh noise through the updated critic ---- */
    if (!lc_model_inject(base, g->z, noise ? noise->z_g : NULL, (size_t)B * N))
        lc_normal_noise(cx, g->z, NULL, B, N, N, L_Z_G);
    draw_gumbel(g, cx, noise ? noise->gumbel_g : NULL, B, L_GUMBEL_G);
    generator_forward(g, cx, B);
    critic_forward(g, cc, &g->pass[0], g->fake, noise ? noise->mask_g : NULL, L_DROP_G, R);
    zero(g, g->dfake_out, (size_t)R);
    double loss_g = lc_wasserstein_loss(cc, NULL, g->dfake_out, NULL, 0, g->pass[0].out, R, -share);
    lc_params_zero_grad(PG);
    zero(g, g->dfake, g->n_gen_grad); /* the generator's gradient range starts at dfake */
    critic_backward(g, cc, &g->pass[0], g->dfake_out, g->dfake, 0, R); /* dfake (R, P) = (B, W) */
    generator_backward(g, cx, B);
    cx->allreduce_sum(&loss_g, 1, cx->allreduce_user);
    losses[2] = loss_g;
    /* a stop here leaves the critic of this step updated: the parameters are the last finite ones */
    if (sync && sync(PG->grads, PG->total, sync_user) != 0) return;
    lc_adam_update(cx, PG->params, PG->grads, PG->m, PG->v, PG->total, &opt, t);
    base->step++;
}

/* Generated rows: BatchNorm with its running estimates (so a row does not depend on the others sampled with
 * it, nor on the rank), Gumbel noise on (the argmax of a Gumbel-softmax sample is a draw from the generator's
 * categorical distribution, as in CTGAN's sample). */
static void gan_sample(lc_model *base, const lc_nn_ctx *caller, float *out, int n) {
    gan_model *g = (gan_model *)base;
    const lc_model_config *c = &base->config;
    int W = c->width, N = c->latent;
    for (int done = 0; done < n;) {
        int B = n - done < c->batch ? n - done : c->batch;
        lc_nn_ctx draw = *caller;
        draw.seed = c->seed;
        draw.training = 1; /* Gumbel noise on */
        draw.sample0 = caller->sample0 + (uint64_t)done;
        lc_nn_ctx eval = draw;
        eval.training = 0; /* BatchNorm running statistics */
        lc_normal_noise(&draw, g->z, NULL, B, N, N, L_Z_SAMPLE);
        draw_gumbel(g, &draw, NULL, B, L_GUMBEL_SAMPLE);
        generator_forward(g, &eval, B);
        base->backend->to_host(out + (size_t)done * W, g->fake, (size_t)B * W * sizeof(float));
        done += B;
    }
}

static const lc_model_ops gan_ops = {
    .kind = "gan",
    .n_losses = 3,
    .loss_names = gan_loss_names,
    .destroy = gan_destroy,
    .train_step = gan_train_step,
    .sample = gan_sample,
};

lc_model *lc_gan_create(const lc_model_config *config, const lc_nn_backend *backend) {
    gan_model *g = lc_calloc(1, sizeof *g);
    lc_model *m = &g->base;
    lc_model_base_init(m, &gan_ops, config, backend);
    const lc_model_config *c = &m->config;
    NN_CHECK(c->pac > 0 && c->batch % c->pac == 0 && c->tau > 0 && c->dropout >= 0 && c->dropout < 1);
    size_t W = c->width, H = c->hidden, N = c->latent, B = c->batch, R = B / c->pac, P = c->pac * W;

    /* parameter sets: the generator and the critic, each with its own optimiser state; the keyed init uses a
     * different seed per set so that equal tensor indices do not share numbers */
    m->n_sets = 2;
    m->set_name[0] = "generator";
    m->set_name[1] = "critic";
    size_t gs[G_TENSORS] = {H * N, H, H, H, H * (H + N), H, H, H, W * (2 * H + N), W};
    size_t cs[C_TENSORS] = {H * P, H, H * H, H, H, 1};
    lc_params_create(&m->params[0], backend, gs, G_TENSORS);
    lc_params_create(&m->params[1], backend, cs, C_TENSORS);
    float **wp[G_TENSORS], **gp[G_TENSORS];
    for (int i = 0; i < G_TENSORS; i++) wp[i] = &g->gw[i], gp[i] = &g->gg[i];
    lc_params_point(&m->params[0], m->params[0].params, wp);
    lc_params_point(&m->params[0], m->params[0].grads, gp);
    for (int i = 0; i < C_TENSORS; i++) wp[i] = &g->cw[i], gp[i] = &g->cg[i];
    lc_params_point(&m->params[1], m->params[1].params, wp);
    lc_params_point(&m->params[1], m->params[1].grads, gp);
    uint64_t gseed = c->seed * 2 + 1, cseed = c->seed * 2 + 2;
    lc_model_init_linear(&m->params[0], G_W0, G_B0, (int)N, gseed);
    lc_model_init_linear(&m->params[0], G_W1, G_B1, (int)(H + N), gseed);
    lc_model_init_linear(&m->params[0], G_W2, G_B2, (int)(2 * H + N), gseed);
    for (int i = 0; i < 2; i++) { /* BatchNorm: gamma 1, beta 0 */
        lc_params_init_tensor(&m->params[0], i ? G_GAMMA1 : G_GAMMA0, 0.0f, 1.0f, gseed);
        lc_params_init_tensor(&m->params[0], i ? G_BETA1 : G_BETA0, 0.0f, 0.0f, gseed);
    }
    lc_model_init_linear(&m->params[1], C_W0, C_B0, (int)P, cseed);
    lc_model_init_linear(&m->params[1], C_W1, C_B1, (int)H, cseed);
    lc_model_init_linear(&m->params[1], C_W2, C_B2, (int)H, cseed);

    /* state: [running mean 0, running var 0, running mean 1, running var 1], each (H); PyTorch starts at 0, 1 */
    m->n_state = 4 * H;
    m->state = backend->alloc(m->n_state * sizeof(float));
    float *host = lc_malloc(m->n_state * sizeof(float));
    for (size_t i = 0; i < m->n_state; i++) host[i] = (i / H) % 2 ? 1.0f : 0.0f;
    backend->to_device(m->state, host, m->n_state * sizeof(float));
    for (int i = 0; i < 2; i++) g->run_mean[i] = m->state + 2 * i * H, g->run_var[i] = m->state + (2 * i + 1) * H;

    float **ap[] = {&g->z, &g->ga[0], &g->ga[1], &g->gbn[0], &g->gbn[1], &g->gr[0], &g->gr[1], &g->gmean[0],
                    &g->gmean[1], &g->grstd[0], &g->grstd[1], &g->gx1, &g->gx2, &g->raw, &g->gumbel, &g->fake,
                    &g->real, &g->xhat, &g->alpha, &g->ones,
                    &g->pass[0].a[0], &g->pass[0].a[1], &g->pass[0].s[0], &g->pass[0].s[1], &g->pass[0].mask[0],
                    &g->pass[0].mask[1], &g->pass[0].h[0], &g->pass[0].h[1], &g->pass[0].out,
                    &g->pass[1].a[0], &g->pass[1].a[1], &g->pass[1].s[0], &g->pass[1].s[1], &g->pass[1].mask[0],
                    &g->pass[1].mask[1], &g->pass[1].h[0], &g->pass[1].h[1], &g->pass[1].out,
                    &g->pass[2].a[0], &g->pass[2].a[1], &g->pass[2].s[0], &g->pass[2].s[1], &g->pass[2].mask[0],
                    &g->pass[2].mask[1], &g->pass[2].h[0], &g->pass[2].h[1], &g->pass[2].out,
                    &g->dreal_out, &g->dfake_out, &g->dh[0], &g->dh[1], &g->ds[0], &g->ds[1], &g->da[0], &g->da[1],
                    &g->gh[0], &g->gh[1], &g->gs[0], &g->gs[1], &g->gap[0], &g->gap[1], &g->gx, &g->dgx,
                    &g->dga[0], &g->dga[1], &g->dgs[0], &g->dgs[1], &g->dgh[0], &g->dgh[1],
                    /* generator gradients: one range from dfake on */
                    &g->dfake, &g->draw, &g->dgx2, &g->dgx1, &g->dgr[0], &g->dgr[1], &g->dgbn[0], &g->dgbn[1],
                    &g->dga_g[0], &g->dga_g[1]};
    size_t RH = R * H, BH = B * H;
    size_t as[] = {B * N, BH, BH, BH, BH, BH, BH, H, H, H, H, B * (H + N), B * (2 * H + N), B * W, B * W, B * W,
                   B * W, B * W, R, R,
                   RH, RH, RH, RH, RH, RH, RH, RH, R,
                   RH, RH, RH, RH, RH, RH, RH, RH, R,
                   RH, RH, RH, RH, RH, RH, RH, RH, R,
                   R, R, RH, RH, RH, RH, RH, RH,
                   RH, RH, RH, RH, RH, RH, R * P, R * P,
                   RH, RH, RH, RH, RH, RH,
                   B * W, B * W, B * (2 * H + N), B * (H + N), BH, BH, BH, BH, BH, BH};
    int n_acts = (int)(sizeof as / sizeof as[0]);
    NN_CHECK(n_acts == (int)(sizeof ap / sizeof ap[0]));
    g->acts = lc_model_arena(backend, as, ap, n_acts);
    g->n_gen_grad = 0;
    for (int i = n_acts - 10; i < n_acts; i++) g->n_gen_grad += as[i];
    free(host);
    float *ones = lc_malloc(R * sizeof(float));
    for (size_t i = 0; i < R; i++) ones[i] = 1.0f;
    backend->to_device(g->ones, ones, R * sizeof(float));
    free(ones);
    return m;
}
