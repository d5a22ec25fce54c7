/* Autoregressive Transformer over the columns of an encoded LEGO row (docs/transformer.md).
 *
 * One token per column, T = columns. Token t's input is the embedding of position t plus the embedding of column
 * t - 1's value (a start token at t = 0): the category (discrete) or mode (continuous) index through one token
 * table, plus, for a continuous column, its normalised value z through a Linear map (one weight vector per
 * continuous column, no bias). Pre-LN blocks with causal attention, a final LayerNorm and one Linear head whose
 * output row holds every column's head; position t reads only column t's part:
 *   discrete column (K categories):  K logits
 *   continuous column (K modes):     K mode logits | K means | K log-variances of z given the mode
 * loss = 1 / B sum_rows sum_columns [-log p(class) - log N(z | mean_k, exp(logvar_k)) (continuous, k the data's
 * mode, without the constant)], teacher forcing; AdamW with gradient clipping after the gradient sync.
 * Sampling draws column by column: the class from the softmax, then z = mean_k + exp(logvar_k / 2) eps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/model_internal.h"
#include "nn/nn_internal.h"

/* keyed draw streams (layer ids) of sampling; the column index is added */
enum { L_CLASS = 0x20000, L_VALUE = 0x30000 };

/* the log-variance of z given its mode is clamped to this range in the loss and in sampling: z lies in +-1, and
 * a deterministic value (a special Wyckoff coordinate) needs a small variance but not a vanishing one */
#define LOGVAR_MIN (-14.0f)
#define LOGVAR_MAX 2.0f

/* PyTorch's named_parameters() order: wpe, wte, wve, per block (ln1, qkv, proj, ln2, fc, fcproj), lnf, head */
enum { WPE, WTE, WVE, N_HEAD_TENSORS };
enum { LN1W, LN1B, QKVW, QKVB, PROJW, PROJB, LN2W, LN2B, FCW, FCB, FCPW, FCPB, N_BLOCK_TENSORS };
enum { LNFW, LNFB, HEADW, HEADB, N_TAIL_TENSORS };

typedef struct {
    int kind;      /* LC_COLUMN_DISCRETE or LC_COLUMN_CONTINUOUS */
    int K;         /* categories or modes */
    int value_at;  /* encoded offset of the VALUE entry (continuous) */
    int onehot_at; /* encoded offset of the CATEGORY / MODE span */
    int vocab;     /* first row of the token table for this column's classes (as the next token's input) */
    int head;      /* first output of the head for this column */
    int cont;      /* index among the continuous columns, -1 for a discrete one */
} tf_column;

typedef struct {
    float *res, *ln1, *ln1_mean, *ln1_rstd, *qkv, *att, *atty, *attproj, *res2, *ln2, *ln2_mean, *ln2_rstd;
    float *fch, *fch_gelu, *fcproj;
} tf_layer_acts;

typedef struct {
    lc_model base;
    int T, D, NH, NL, V, O, n_cont;
    tf_column *col;
    float *w[LC_PARAMS_MAX], *g[LC_PARAMS_MAX];
    float *acts;
    tf_layer_acts *L;  /* [NL]; L[l].res is the block input, res_out the last block's output */
    float *emb;        /* (N, D) scratch for the embedding sums */
    float *res_out, *lnf, *lnf_mean, *lnf_rstd, *logits; /* (N, D), (N), (N), (N, O) */
    float *vfeat;      /* (N, n_cont) previous column's z placed at its continuous index */
    float *zt, *mu, *lv; /* (n_cont, B) value targets, gathered means and log-variances */
    float *eps;        /* (B) sampling noise */
    /* gradients, zeroed once per step; the block scratch is zeroed per block */
    float *grad0;
    size_t n_grad;
    float *dres, *dlogits, *dlnf, *dmu, *dlv; /* (N, D), (N, O), (N, D), (n_cont, B) x 2 */
    float *dblock;     /* per block scratch: */
    size_t n_dblock;
    float *dln, *dqkv, *datty, *dscratch, *dres2, *dfch, *dfch_gelu; /* (N,D) (N,3D) (N,D) (B,NH,T,T) (N,D) (N,4D) x2 */
    /* integer inputs and targets: backend copies and host staging */
    int *tok, *pos, *cls;       /* backend: (N), (N), (T, B) */
    int *tok_h, *pos_h, *cls_h; /* host */
    float *vfeat_h, *zt_h;      /* host (N, n_cont), (n_cont, B) */
    int *idx;                   /* backend (B): a sampled class */
} tf_model;

static const char *const tf_loss_names[] = {"loss", "categorical", "value"};

static int block_tensor(int l, int k) { return N_HEAD_TENSORS + l * N_BLOCK_TENSORS + k; }
static int tail_tensor(const tf_model *t, int k) { return N_HEAD_TENSORS + t->NL * N_BLOCK_TENSORS + k; }

static void tf_destroy(lc_model *base) {
    tf_model *t = (tf_model *)base;
    const lc_nn_backend *be = base->backend;
    be->free(t->acts);
    be->free(t->tok), be->free(t->pos), be->free(t->cls), be->free(t->idx);
    free(t->tok_h), free(t->pos_h), free(t->cls_h), free(t->vfeat_h), free(t->zt_h);
    free(t->col), free(t->L);
    lc_model_base_free(base);
    free(t);
}

/* Host inputs of B rows over the first Tp positions, from cls (T, ldc) classes and z (n_cont, ldc) values:
 * token t is the start token (t = 0) or column t - 1's class, its value feature column t - 1's z. */
static void stage_inputs(tf_model *t, const int *cls, const float *z, int ldc, int B, int Tp) {
    int nc = t->n_cont;
    if (nc) memset(t->vfeat_h, 0, sizeof(float) * (size_t)B * Tp * nc);
    for (int b = 0; b < B; b++)
        for (int p = 0; p < Tp; p++) {
            size_t n = (size_t)b * Tp + p;
            t->pos_h[n] = p;
            if (p == 0) {
                t->tok_h[n] = 0;
                continue;
            }
            const tf_column *c = &t->col[p - 1];
            t->tok_h[n] = c->vocab + cls[(size_t)(p - 1) * ldc + b];
            if (c->cont >= 0) t->vfeat_h[n * nc + c->cont] = z[(size_t)c->cont * ldc + b];
        }
    const lc_nn_backend *be = t->base.backend;
    size_t N = (size_t)B * Tp;
    be->to_device(t->tok, t->tok_h, N * sizeof(int));
    be->to_device(t->pos, t->pos_h, N * sizeof(int));
    if (nc) be->to_device(t->vfeat, t->vfeat_h, N * nc * sizeof(float));
}

/* tokens (B, Tp) -> logits (B, Tp, O) */
static void tf_forward(tf_model *t, const lc_nn_ctx *ctx, int B, int Tp) {
    int D = t->D, NH = t->NH, N = B * Tp, nc = t->n_cont;
    float **w = t->w;
    float *x0 = t->L[0].res;
    lc_embedding_forward(ctx, x0, t->pos, w[WPE], N, t->T, D);        // x0 (N, D) = wpe[pos]
    lc_embedding_forward(ctx, t->emb, t->tok, w[WTE], N, t->V, D);     // emb (N, D) = wte[tok]
    lc_residual_forward(ctx, x0, x0, t->emb, N * D);
    if (nc) {
        lc_linear_forward(ctx, t->emb, t->vfeat, w[WVE], NULL, N, nc, D); // emb (N, D) = z_prev wve[:, k]
        lc_residual_forward(ctx, x0, x0, t->emb, N * D);
    }
    for (int l = 0; l < t->NL; l++) {
        tf_layer_acts *a = &t->L[l];
        float *out = l + 1 < t->NL ? t->L[l + 1].res : t->res_out;
#define W(k) w[block_tensor(l, k)]
        lc_layernorm_forward(ctx, a->ln1, a->ln1_mean, a->ln1_rstd, a->res, W(LN1W), W(LN1B), N, D, 1e-5f); // (N, D)
        lc_linear_forward(ctx, a->qkv, a->ln1, W(QKVW), W(QKVB), N, D, 3 * D);      // qkv (N, 3D)
        lc_attention_forward(ctx, a->atty, a->att, a->qkv, B, Tp, D, NH);           // atty (N, D), att (B, NH, Tp, Tp)
        lc_linear_forward(ctx, a->attproj, a->atty, W(PROJW), W(PROJB), N, D, D);  // attproj (N, D)
        lc_residual_forward(ctx, a->res2, a->res, a->attproj, N * D);               // res2 (N, D)
        lc_layernorm_forward(ctx, a->ln2, a->ln2_mean, a->ln2_rstd, a->res2, W(LN2W), W(LN2B), N, D, 1e-5f);
        lc_linear_forward(ctx, a->fch, a->ln2, W(FCW), W(FCB), N, D, 4 * D);       // fch (N, 4D)
        lc_gelu_forward(ctx, a->fch_gelu, a->fch, N * 4 * D);                       // fch_gelu (N, 4D)
        lc_linear_forward(ctx, a->fcproj, a->fch_gelu, W(FCPW), W(FCPB), N, 4 * D, D); // fcproj (N, D)
        lc_residual_forward(ctx, out, a->res2, a->fcproj, N * D);                   // next res (N, D)
#undef W
    }
    lc_layernorm_forward(ctx, t->lnf, t->lnf_mean, t->lnf_rstd, t->res_out, w[tail_tensor(t, LNFW)],
                         w[tail_tensor(t, LNFB)], N, D, 1e-5f);                        // lnf (N, D)
    lc_linear_forward(ctx, t->logits, t->lnf, w[tail_tensor(t, HEADW)], w[tail_tensor(t, HEADB)], N, D, t->O);
}

/* dlogits (B, T, O) -> parameter gradients */
static void tf_backward(tf_model *t, const lc_nn_ctx *ctx, int B) {
    int D = t->D, NH = t->NH, T = t->T, N = B * T, nc = t->n_cont;
    float **w = t->w, **g = t->g;
    const lc_nn_backend *be = t->base.backend;
    lc_linear_backward(ctx, t->dlnf, g[tail_tensor(t, HEADW)], g[tail_tensor(t, HEADB)], t->dlogits, t->lnf,
                       w[tail_tensor(t, HEADW)], N, D, t->O);
    lc_layernorm_backward(ctx, t->dres, g[tail_tensor(t, LNFW)], g[tail_tensor(t, LNFB)], t->dlnf, t->res_out,
                          w[tail_tensor(t, LNFW)], t->lnf_mean, t->lnf_rstd, N, D);
    /* dres holds d(loss)/d(block output); each block turns it into d(loss)/d(block input) in place */
    for (int l = t->NL - 1; l >= 0; l--) {
        tf_layer_acts *a = &t->L[l];
        be->zero(t->dblock, t->n_dblock * sizeof(float));
#define W(k) w[block_tensor(l, k)]
#define G(k) g[block_tensor(l, k)]
        lc_residual_backward(ctx, t->dres2, NULL, t->dres, N * D);  // out = res2 + fcproj: dres2 += dout
        lc_linear_backward(ctx, t->dfch_gelu, G(FCPW), G(FCPB), t->dres, a->fch_gelu, W(FCPW), N, 4 * D, D);
        lc_gelu_backward(ctx, t->dfch, t->dfch_gelu, a->fch, N * 4 * D);
        lc_linear_backward(ctx, t->dln, G(FCW), G(FCB), t->dfch, a->ln2, W(FCW), N, D, 4 * D);
        lc_layernorm_backward(ctx, t->dres2, G(LN2W), G(LN2B), t->dln, a->res2, W(LN2W), a->ln2_mean, a->ln2_rstd,
                              N, D);
        /* res2 = res + attproj: the block input gets dres2 directly and through attention */
        be->zero(t->dres, (size_t)N * D * sizeof(float));
        lc_residual_backward(ctx, t->dres, NULL, t->dres2, N * D);
        lc_linear_backward(ctx, t->datty, G(PROJW), G(PROJB), t->dres2, a->atty, W(PROJW), N, D, D);
        lc_attention_backward(ctx, t->dqkv, t->dscratch, t->datty, a->qkv, a->att, B, T, D, NH);
        be->zero(t->dln, (size_t)N * D * sizeof(float));
        lc_linear_backward(ctx, t->dln, G(QKVW), G(QKVB), t->dqkv, a->ln1, W(QKVW), N, D, 3 * D);
        lc_layernorm_backward(ctx, t->dres, G(LN1W), G(LN1B), t->dln, a->res, W(LN1W), a->ln1_mean, a->ln1_rstd,
                              N, D);
#undef W
#undef G
    }
    /* x0 = wpe[pos] + wte[tok] + vfeat wve^T */
    lc_embedding_backward(ctx, g[WPE], t->dres, t->pos, N, T, D);
    lc_embedding_backward(ctx, g[WTE], t->dres, t->tok, N, t->V, D);
    if (nc) lc_linear_backward(ctx, NULL, g[WVE], NULL, t->dres, t->vfeat, w[WVE], N, nc, D);
}

static void tf_train_step(lc_model *base, const lc_nn_ctx *caller, const float *batch, int B, int B_global,
                          lc_grad_sync_fn sync, void *sync_user, double *losses, const lc_model_noise *noise) {
    (void)noise; /* teacher forcing draws nothing */
    tf_model *t = (tf_model *)base;
    const lc_model_config *c = &base->config;
    const lc_nn_backend *be = base->backend;
    int W = c->width, T = t->T, O = t->O;
    lc_nn_ctx ctx = lc_model_train_ctx(base, caller);
    const lc_nn_ctx *cx = &ctx;
    lc_params *P = &base->params[0];

    /* classes (argmax of each one-hot span) and VALUE entries clipped as RDT does: the targets, and shifted by
     * one column the inputs */
    for (int k = 0; k < T; k++) {
        const tf_column *col = &t->col[k];
        for (int b = 0; b < B; b++) {
            const float *r = batch + (size_t)b * W;
            int best = 0;
            for (int j = 1; j < col->K; j++)
                if (r[col->onehot_at + j] > r[col->onehot_at + best]) best = j;
            t->cls_h[(size_t)k * B + b] = best;
            if (col->cont >= 0) {
                float z = r[col->value_at];
                t->zt_h[(size_t)col->cont * B + b] = z < -c->value_clip ? -c->value_clip
                                                                         : z > c->value_clip ? c->value_clip : z;
            }
        }
    }
    be->to_device(t->cls, t->cls_h, (size_t)T * B * sizeof(int));
    if (t->n_cont) be->to_device(t->zt, t->zt_h, (size_t)t->n_cont * B * sizeof(float));
    stage_inputs(t, t->cls_h, t->zt_h, B, B, T);
    tf_forward(t, cx, B, T); // logits (B, T, O)

    /* losses fused with their gradients, scaled by 1 / B_global so that gradients sum over ranks */
    lc_params_zero_grad(P);
    be->zero(t->grad0, t->n_grad * sizeof(float));
    double ce = 0.0, nll = 0.0, scale = 1.0 / B_global;
    for (int k = 0; k < T; k++) {
        const tf_column *col = &t->col[k];
        size_t at = (size_t)k * O + col->head; /* column k's head in the row of position k */
        const int *cls = t->cls + (size_t)k * B;
        ce += lc_cross_entropy_loss(cx, t->dlogits + at, t->logits + at, cls, B, col->K, T * O, scale);
        if (col->cont < 0) continue;
        size_t v = (size_t)col->cont * B;
        int K = col->K;
        lc_gather_forward(cx, t->mu + v, t->logits + at + K, cls, B, K, T * O, 1);     // mu (B): mean of the mode
        lc_gather_forward(cx, t->lv + v, t->logits + at + 2 * K, cls, B, K, T * O, 1); // lv (B)
        nll += lc_gaussian_nll_logvar_loss(cx, t->dmu + v, t->dlv + v, t->mu + v, t->lv + v, t->zt + v, B,
                                           LOGVAR_MIN, LOGVAR_MAX, scale);
        lc_gather_backward(cx, t->dlogits + at + K, t->dmu + v, cls, B, K, T * O, 1);
        lc_gather_backward(cx, t->dlogits + at + 2 * K, t->dlv + v, cls, B, K, T * O, 1);
    }
    tf_backward(t, cx, B);

    double l[3] = {ce + nll, ce, nll};
    cx->allreduce_sum(l, 3, cx->allreduce_user);
    memcpy(losses, l, sizeof l);

    /* the global-batch gradient on every rank, clipped alike everywhere, then AdamW */
    if (sync && sync(P->grads, P->total, sync_user) != 0) return;
    if (c->grad_clip > 0) lc_grad_clip(cx, P->grads, P->total, c->grad_clip);
    lc_adam_options opt = {c->lr, c->beta1, c->beta2, 1e-8f, c->weight_decay, 1};
    lc_adam_update(cx, P->params, P->grads, P->m, P->v, P->total, &opt, (int)(base->step + 1));
    base->step++;
}

/* Column by column: the prefix of drawn columns is run through the network again for each column (no key-value
 * cache; positions before t do not change, causal attention). The drawn classes and values come back to the host
 * as the next column's inputs. */
static void tf_sample(lc_model *base, const lc_nn_ctx *caller, float *out, int n) {
    tf_model *t = (tf_model *)base;
    const lc_model_config *c = &base->config;
    const lc_nn_backend *be = base->backend;
    int W = c->width, T = t->T, O = t->O;
    lc_nn_ctx ctx = *caller;
    ctx.seed = c->seed;
    ctx.training = 0;
    for (int done = 0; done < n;) {
        int B = n - done < c->batch ? n - done : c->batch;
        lc_nn_ctx cx = ctx;
        cx.sample0 = caller->sample0 + (uint64_t)done;
        for (int k = 0; k < T; k++) {
            const tf_column *col = &t->col[k];
            int Tp = k + 1, K = col->K;
            stage_inputs(t, t->cls_h, t->zt_h, B, B, Tp);
            tf_forward(t, &cx, B, Tp); // logits (B, Tp, O)
            size_t at = (size_t)k * O + col->head;
            lc_categorical_sample(&cx, t->idx, t->logits + at, B, K, Tp * O, L_CLASS + (uint32_t)k); // idx (B)
            be->to_host(t->cls_h + (size_t)k * B, t->idx, (size_t)B * sizeof(int));
            if (col->cont < 0) continue;
            size_t v = (size_t)col->cont * B;
            lc_gather_forward(&cx, t->mu + v, t->logits + at + K, t->idx, B, K, Tp * O, 1);     // mu (B)
            lc_gather_forward(&cx, t->lv + v, t->logits + at + 2 * K, t->idx, B, K, Tp * O, 1); // lv (B)
            lc_clamp(&cx, t->lv + v, 1, B, B, LOGVAR_MIN, LOGVAR_MAX);
            lc_normal_noise(&cx, t->eps, NULL, B, 1, 1, L_VALUE + (uint32_t)k);                  // eps (B)
            lc_reparam_forward(&cx, t->zt + v, t->mu + v, t->lv + v, t->eps, B);                // z (B)
            lc_clamp(&cx, t->zt + v, 1, B, B, -1.0f, 1.0f);
            be->to_host(t->zt_h + v, t->zt + v, (size_t)B * sizeof(float));
        }
        /* the encoder's layout: one-hot of the drawn class, z in the VALUE entry */
        float *rows = out + (size_t)done * W;
        memset(rows, 0, sizeof(float) * (size_t)B * W);
        for (int k = 0; k < T; k++) {
            const tf_column *col = &t->col[k];
            for (int b = 0; b < B; b++) {
                float *r = rows + (size_t)b * W;
                r[col->onehot_at + t->cls_h[(size_t)k * B + b]] = 1.0f;
                if (col->cont >= 0) r[col->value_at] = t->zt_h[(size_t)col->cont * B + b];
            }
        }
        done += B;
    }
}

static const lc_model_ops tf_ops = {
    .kind = "transformer",
    .n_losses = 3,
    .loss_names = tf_loss_names,
    .destroy = tf_destroy,
    .train_step = tf_train_step,
    .sample = tf_sample,
};

/* The columns from the spans: a CATEGORY span is a discrete column, a VALUE span followed by a MODE span a
 * continuous one (the encoder's layout). */
static void build_columns(tf_model *t) {
    const lc_model_config *c = &t->base.config;
    t->col = lc_calloc((size_t)c->n_spans, sizeof *t->col);
    int T = 0, vocab = 1, head = 0, nc = 0;
    for (int s = 0; s < c->n_spans; s++) {
        const lc_encoder_span *sp = &c->spans[s];
        tf_column *col = &t->col[T];
        if (sp->kind == LC_SPAN_CATEGORY) {
            *col = (tf_column){LC_COLUMN_DISCRETE, sp->width, -1, sp->offset, vocab, head, -1};
            head += sp->width;
        } else {
            NN_CHECK(sp->kind == LC_SPAN_VALUE && sp->width == 1 && s + 1 < c->n_spans &&
                     c->spans[s + 1].kind == LC_SPAN_MODE);
            const lc_encoder_span *mode = &c->spans[++s];
            *col = (tf_column){LC_COLUMN_CONTINUOUS, mode->width, sp->offset, mode->offset, vocab, head, nc++};
            head += 3 * mode->width;
        }
        vocab += col->K;
        T++;
    }
    t->T = T, t->V = vocab, t->O = head, t->n_cont = nc;
}

lc_model *lc_transformer_create(const lc_model_config *config, const lc_nn_backend *backend) {
    tf_model *t = lc_calloc(1, sizeof *t);
    lc_model *m = &t->base;
    lc_model_base_init(m, &tf_ops, config, backend);
    const lc_model_config *c = &m->config;
    NN_CHECK(c->layers > 0 && c->heads > 0 && c->d_model > 0 && c->d_model % c->heads == 0 && c->grad_clip >= 0);
    NN_CHECK(N_HEAD_TENSORS + c->layers * N_BLOCK_TENSORS + N_TAIL_TENSORS <= LC_PARAMS_MAX);
    build_columns(t);
    t->D = c->d_model, t->NH = c->heads, t->NL = c->layers;
    size_t D = t->D, T = t->T, nc = t->n_cont, B = c->batch, N = B * T, O = t->O, NH = t->NH;

    int n_tensors = N_HEAD_TENSORS + t->NL * N_BLOCK_TENSORS + N_TAIL_TENSORS;
    size_t sizes[LC_PARAMS_MAX];
    sizes[WPE] = T * D, sizes[WTE] = (size_t)t->V * D, sizes[WVE] = D * nc;
    size_t block[N_BLOCK_TENSORS] = {D, D, 3 * D * D, 3 * D, D * D, D, D, D, 4 * D * D, 4 * D, D * 4 * D, D};
    for (int l = 0; l < t->NL; l++)
        for (int k = 0; k < N_BLOCK_TENSORS; k++) sizes[block_tensor(l, k)] = block[k];
    sizes[tail_tensor(t, LNFW)] = D, sizes[tail_tensor(t, LNFB)] = D;
    sizes[tail_tensor(t, HEADW)] = O * D, sizes[tail_tensor(t, HEADB)] = O;
    m->n_sets = 1;
    m->set_name[0] = "transformer";
    lc_params *P = &m->params[0];
    lc_params_create(P, backend, sizes, n_tensors);
    float **wp[LC_PARAMS_MAX], **gp[LC_PARAMS_MAX];
    for (int i = 0; i < n_tensors; i++) wp[i] = &t->w[i], gp[i] = &t->g[i];
    lc_params_point(P, P->params, wp);
    lc_params_point(P, P->grads, gp);
    /* GPT-2's init as uniform draws of the same standard deviation: weights 0.02, the two projections into the
     * residual stream 0.02 / sqrt(2 layers); biases 0, LayerNorm (1, 0) */
    float u = 0.02f * sqrtf(3.0f), ur = u / sqrtf(2.0f * t->NL);
    lc_params_init_tensor(P, WPE, u, 0, c->seed);
    lc_params_init_tensor(P, WTE, u, 0, c->seed);
    if (nc) lc_params_init_tensor(P, WVE, u, 0, c->seed);
    for (int l = 0; l < t->NL; l++) {
        lc_params_init_tensor(P, block_tensor(l, LN1W), 0, 1.0f, c->seed);
        lc_params_init_tensor(P, block_tensor(l, LN2W), 0, 1.0f, c->seed);
        lc_params_init_tensor(P, block_tensor(l, QKVW), u, 0, c->seed);
        lc_params_init_tensor(P, block_tensor(l, PROJW), ur, 0, c->seed);
        lc_params_init_tensor(P, block_tensor(l, FCW), u, 0, c->seed);
        lc_params_init_tensor(P, block_tensor(l, FCPW), ur, 0, c->seed);
    }
    lc_params_init_tensor(P, tail_tensor(t, LNFW), 0, 1.0f, c->seed);
    lc_params_init_tensor(P, tail_tensor(t, HEADW), u, 0, c->seed);
    /* the encoder's z = (v - mean_k) / (4 std_k) has variance 1/16 within a mode: start the log-variances there */
    float *hb = lc_malloc(O * sizeof(float));
    backend->to_host(hb, t->w[tail_tensor(t, HEADB)], O * sizeof(float));
    for (int k = 0; k < t->T; k++)
        for (int j = 0; t->col[k].cont >= 0 && j < t->col[k].K; j++)
            hb[t->col[k].head + 2 * t->col[k].K + j] = -logf(16.0f);
    backend->to_device(t->w[tail_tensor(t, HEADB)], hb, O * sizeof(float));
    free(hb);

    /* activations: per block 15 tensors, then the tail and the gradients (one arena) */
    t->L = lc_calloc((size_t)t->NL, sizeof *t->L);
    enum { MAX_PIECES = 16 * 20 + 32 };
    float **ap[MAX_PIECES];
    size_t as[MAX_PIECES];
    int na = 0;
#define PIECE(ptr, size) (ap[na] = (ptr), as[na] = (size), na++)
    for (int l = 0; l < t->NL; l++) {
        tf_layer_acts *a = &t->L[l];
        PIECE(&a->res, N * D), PIECE(&a->ln1, N * D), PIECE(&a->ln1_mean, N), PIECE(&a->ln1_rstd, N);
        PIECE(&a->qkv, N * 3 * D), PIECE(&a->att, B * NH * T * T), PIECE(&a->atty, N * D);
        PIECE(&a->attproj, N * D), PIECE(&a->res2, N * D), PIECE(&a->ln2, N * D), PIECE(&a->ln2_mean, N);
        PIECE(&a->ln2_rstd, N), PIECE(&a->fch, N * 4 * D), PIECE(&a->fch_gelu, N * 4 * D), PIECE(&a->fcproj, N * D);
    }
    size_t ncb = (nc ? nc : 1) * B;
    PIECE(&t->emb, N * D), PIECE(&t->res_out, N * D), PIECE(&t->lnf, N * D), PIECE(&t->lnf_mean, N);
    PIECE(&t->lnf_rstd, N), PIECE(&t->logits, N * O), PIECE(&t->vfeat, N * (nc ? nc : 1));
    PIECE(&t->zt, ncb), PIECE(&t->mu, ncb), PIECE(&t->lv, ncb), PIECE(&t->eps, B);
    int first_grad = na;
    PIECE(&t->dres, N * D), PIECE(&t->dlogits, N * O), PIECE(&t->dlnf, N * D), PIECE(&t->dmu, ncb);
    PIECE(&t->dlv, ncb);
    int first_block = na;
    PIECE(&t->dln, N * D), PIECE(&t->dqkv, N * 3 * D), PIECE(&t->datty, N * D), PIECE(&t->dscratch, B * NH * T * T);
    PIECE(&t->dres2, N * D), PIECE(&t->dfch, N * 4 * D), PIECE(&t->dfch_gelu, N * 4 * D);
#undef PIECE
    t->acts = lc_model_arena(backend, as, ap, na);
    t->grad0 = t->dres;
    t->dblock = t->dln;
    for (int i = first_grad; i < na; i++) t->n_grad += as[i];
    for (int i = first_block; i < na; i++) t->n_dblock += as[i];

    t->tok = backend->alloc(N * sizeof(int)), t->pos = backend->alloc(N * sizeof(int));
    t->cls = backend->alloc(T * B * sizeof(int)), t->idx = backend->alloc(B * sizeof(int));
    t->tok_h = lc_calloc(N, sizeof(int)), t->pos_h = lc_calloc(N, sizeof(int)), t->cls_h = lc_calloc(T * B, sizeof(int));
    t->vfeat_h = lc_calloc(N * (nc ? nc : 1), sizeof(float)), t->zt_h = lc_calloc(ncb, sizeof(float));
    return m;
}
