/* The common model interface: defaults, creation by kind, accessors, and helpers shared by vae.c and gan.c. */
#include "nn/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/model_internal.h"
#include "nn/nn_internal.h"

void lc_model_config_default(lc_model_config *c, const char *kind) {
    memset(c, 0, sizeof *c);
    c->hidden = 512;
    c->latent = 128;
    c->pac = 10;
    c->batch = 500;
    c->gp_weight = 10.0f;
    c->tau = 0.2f;
    c->dropout = 0.5f;
    c->sigma_init = 0.1f;
    c->sigma_min = 0.01f;
    c->sigma_max = 1.0f;
    c->value_clip = 0.99f; /* RDT's ClusterBasedNormalizer clips to +-0.99 before CTGAN/TVAE see the rows */
    c->layers = 4;
    c->heads = 4;
    c->d_model = 128;
    c->grad_clip = 1.0f;
    if (kind && !strcmp(kind, "transformer")) { /* AdamW with torch's default decay */
        c->lr = 1e-3f;
        c->beta1 = 0.9f;
        c->beta2 = 0.999f;
        c->weight_decay = 0.01f;
    } else if (kind && !strcmp(kind, "gan")) { /* CTGAN */
        c->lr = 2e-4f;
        c->beta1 = 0.5f;
        c->beta2 = 0.9f;
        c->weight_decay = 1e-6f;
    } else { /* TVAE: Adam(weight_decay=1e-5), PyTorch's lr and betas */
        c->lr = 1e-3f;
        c->beta1 = 0.9f;
        c->beta2 = 0.999f;
        c->weight_decay = 1e-5f;
    }
}

lc_model *lc_model_create(const char *kind, const lc_model_config *config, const lc_nn_backend *backend) {
    if (!backend) backend = &lc_nn_backend_cpu;
    const char *missing = lc_nn_backend_check(backend);
    if (missing) lc_fatal("nn backend %s lacks %s", backend->name, missing);
    if (kind && !strcmp(kind, "vae")) return lc_vae_create(config, backend);
    if (kind && !strcmp(kind, "gan")) return lc_gan_create(config, backend);
    if (kind && !strcmp(kind, "transformer")) return lc_transformer_create(config, backend);
    lc_fatal("unknown model kind '%s' (vae, gan or transformer)", kind ? kind : "(null)");
}

void lc_model_destroy(lc_model *m) {
    if (m) m->ops->destroy(m);
}

void lc_model_train_step(lc_model *m, const lc_nn_ctx *ctx, const float *batch, int B_local, int B_global,
                         lc_grad_sync_fn sync, void *sync_user, double *losses, const lc_model_noise *noise) {
    NN_CHECK(m && ctx && batch && B_local > 0 && B_local <= m->config.batch && B_global >= B_local && losses);
    m->ops->train_step(m, ctx, batch, B_local, B_global, sync, sync_user, losses, noise);
}

void lc_model_sample(lc_model *m, const lc_nn_ctx *ctx, float *out, int n) {
    NN_CHECK(m && ctx && n >= 0 && (out || n == 0));
    m->ops->sample(m, ctx, out, n);
}

double lc_model_fit_prior(lc_model *m, const lc_nn_ctx *ctx, const float *rows, const long *ids, long n,
                          const long *init_ids, int *iterations) {
    NN_CHECK(m && ctx && m->ops->fit_prior && m->config.prior_components > 0 && n >= 0 && (rows || n == 0) &&
             (ids || n == 0) && init_ids);
    return m->ops->fit_prior(m, ctx, rows, ids, n, init_ids, iterations);
}

int lc_model_n_losses(const lc_model *m) { return m->ops->n_losses; }

const char *lc_model_loss_name(const lc_model *m, int i) {
    NN_CHECK(i >= 0 && i < m->ops->n_losses);
    return m->ops->loss_names[i];
}

lc_params *lc_model_params(lc_model *m, const char *name) {
    for (int i = 0; i < m->n_sets; i++)
        if (!strcmp(m->set_name[i], name)) return &m->params[i];
    return NULL;
}

void lc_model_base_init(lc_model *m, const lc_model_ops *ops, const lc_model_config *c,
                        const lc_nn_backend *backend) {
    NN_CHECK(c && c->width > 0 && c->n_spans > 0 && c->spans && c->hidden > 0 && c->latent > 0 && c->batch > 0);
    NN_CHECK(c->lr >= 0 && c->beta1 >= 0 && c->beta1 < 1 && c->beta2 >= 0 && c->beta2 < 1 && c->weight_decay >= 0);
    int at = 0;
    for (int s = 0; s < c->n_spans; s++) { /* the spans tile the row in order */
        const lc_encoder_span *sp = &c->spans[s];
        NN_CHECK(sp->offset == at && sp->width > 0);
        NN_CHECK(sp->kind == LC_SPAN_VALUE || sp->kind == LC_SPAN_MODE || sp->kind == LC_SPAN_CATEGORY);
        at += sp->width;
    }
    NN_CHECK(at == c->width);
    m->ops = ops;
    m->config = *c;
    lc_encoder_span *spans = lc_malloc((size_t)c->n_spans * sizeof *spans);
    memcpy(spans, c->spans, (size_t)c->n_spans * sizeof *spans);
    m->config.spans = spans;
    m->backend = backend;
    m->n_sets = 0;
    m->state = NULL;
    m->n_state = 0;
    m->step = 0;
}

void lc_model_base_free(lc_model *m) {
    for (int i = 0; i < m->n_sets; i++) lc_params_destroy(&m->params[i]);
    if (m->state) m->backend->free(m->state);
    free((void *)m->config.spans);
}

float *lc_model_arena(const lc_nn_backend *b, const size_t *sizes, float **ptrs[], int n) {
    size_t total = 0;
    for (int i = 0; i < n; i++) total += sizes[i];
    float *base = b->alloc(total * sizeof(float));
    b->zero(base, total * sizeof(float));
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        *ptrs[i] = base + at;
        at += sizes[i];
    }
    return base;
}

void lc_model_init_linear(lc_params *P, int w, int b, int fan_in, uint64_t seed) {
    float bound = (float)(1.0 / sqrt((double)fan_in));
    lc_params_init_tensor(P, w, bound, 0.0f, seed);
    lc_params_init_tensor(P, b, bound, 0.0f, seed);
}

int lc_model_inject(const lc_model *m, float *dst, const float *src, size_t n) {
    if (!src) return 0;
    m->backend->to_device(dst, src, n * sizeof(float));
    return 1;
}

lc_nn_ctx lc_model_train_ctx(const lc_model *m, const lc_nn_ctx *ctx) {
    lc_nn_ctx t = *ctx;
    t.seed = m->config.seed;
    t.step = m->step;
    t.training = 1;
    return t;
}

void lc_model_clamp_values(const lc_model *m, const lc_nn_ctx *ctx, float *x, int B, float lo, float hi) {
    for (int s = 0; s < m->config.n_spans; s++) {
        const lc_encoder_span *sp = &m->config.spans[s];
        if (sp->kind == LC_SPAN_VALUE) lc_clamp(ctx, x + sp->offset, B, sp->width, m->config.width, lo, hi);
    }
}
