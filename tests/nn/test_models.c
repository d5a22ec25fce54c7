/* The tabular models (nn/model.h): one train step of each against PyTorch (scripts/make_model_fixtures.py:
 * losses, every parameter gradient, parameters after Adam, BatchNorm running estimates), the GAN's gradient
 * penalty against finite differences, two simulated ranks (threads with a summing sync) against one rank over
 * several steps, sampling, and a short training run on a toy table whose category frequencies the samples must
 * approach. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "lego/encoder.h"
#include "nn/model.h"
#include "test.h"
#include "two_ranks.h"

static lc_nn_ctx ctx;

/* ---------------- fixtures ---------------- */

typedef struct {
    lc_encoder_span spans[16];
    int n_spans, width;
} span_set;

static span_set fixture_spans(const fixture *fx) {
    const fixture_tensor *t = fixture_get(fx, "spans");
    span_set s = {.n_spans = t->dims[0]};
    for (int i = 0; i < s.n_spans; i++) {
        s.spans[i] = (lc_encoder_span){(int)t->data[3 * i], (int)t->data[3 * i + 1], (int)t->data[3 * i + 2], i};
        s.width = s.spans[i].offset + s.spans[i].width;
    }
    return s;
}

static void tiny_config(lc_model_config *c, const char *kind, const span_set *s) {
    lc_model_config_default(c, kind);
    c->width = s->width;
    c->n_spans = s->n_spans;
    c->spans = s->spans;
    c->hidden = 16;
    c->latent = 8;
    c->batch = 20;
    c->seed = 7;
}

/* parameter set `name` <- fixture tensors "<prefix>.p.<i>" */
static void load_set(lc_model *m, const char *name, const fixture *fx, const char *prefix) {
    lc_params *P = lc_model_params(m, name);
    char key[64];
    for (int i = 0; i < P->n; i++) {
        snprintf(key, sizeof key, "%s.p.%d", prefix, i);
        const fixture_tensor *t = fixture_get(fx, key);
        CHECK(t->n == P->size[i]);
        if (t->n == P->size[i]) memcpy(P->params + P->offset[i], t->data, t->n * sizeof(float));
    }
}

/* gradients and updated parameters against "<prefix>.g.<i>", "<prefix>.p1.<i>" */
static void check_set(lc_model *m, const char *name, const fixture *fx, const char *prefix) {
    lc_params *P = lc_model_params(m, name);
    char key[64];
    for (int i = 0; i < P->n; i++) {
        snprintf(key, sizeof key, "%s.g.%d", prefix, i);
        CHECK_TENSOR(P->grads + P->offset[i], fx, key, 1e-5, 1e-7);
        snprintf(key, sizeof key, "%s.p1.%d", prefix, i);
        CHECK_TENSOR(P->params + P->offset[i], fx, key, 1e-5, 1e-7);
    }
}

static void test_vae_fixture(void) {
    fixture fx = fixture_load("model_vae");
    span_set s = fixture_spans(&fx);
    lc_model_config c;
    tiny_config(&c, "vae", &s);
    lc_model *m = lc_model_create("vae", &c, NULL);
    CHECK(m->n_sets == 1 && lc_model_params(m, "vae") && !lc_model_params(m, "critic"));
    CHECK(lc_model_n_losses(m) == 3 && !strcmp(lc_model_loss_name(m, 2), "kl"));
    load_set(m, "vae", &fx, "vae");
    lc_model_noise noise = {.eps = fixture_get(&fx, "eps")->data};
    double losses[3];
    lc_model_train_step(m, &ctx, fixture_get(&fx, "batch")->data, 20, 20, NULL, NULL, losses, &noise);
    double ref[3] = {fixture_get(&fx, "loss")->data[0], fixture_get(&fx, "reconstruction")->data[0],
                     fixture_get(&fx, "kl")->data[0]};
    for (int i = 0; i < 3; i++) CHECK_NEAR(losses[i], ref[i], 1e-5 * fabs(ref[i]));
    check_set(m, "vae", &fx, "vae"); /* includes sigma after the clamp (column 7 hits 0.01) */
    lc_params *P = lc_model_params(m, "vae");
    CHECK(P->params[P->offset[8] + 7] == 0.01f); /* sigma: tensor 8 */
    CHECK(m->step == 1);
    lc_model_destroy(m);
    fixture_free(&fx);
}

static lc_model_noise gan_noise(const fixture *fx) {
    lc_model_noise n = {0};
    n.z_d = fixture_get(fx, "z_d")->data;
    n.gumbel_d = fixture_get(fx, "gumbel_d")->data;
    n.alpha = fixture_get(fx, "alpha")->data;
    n.z_g = fixture_get(fx, "z_g")->data;
    n.gumbel_g = fixture_get(fx, "gumbel_g")->data;
    const char *names[4] = {"mask_fake", "mask_real", "mask_gp", "mask_g"};
    const float **slots[4] = {n.mask_fake, n.mask_real, n.mask_gp, n.mask_g};
    char key[32];
    for (int k = 0; k < 4; k++)
        for (int l = 0; l < 2; l++) {
            snprintf(key, sizeof key, "%s%d", names[k], l);
            slots[k][l] = fixture_get(fx, key)->data;
        }
    return n;
}

static lc_model *gan_from_fixture(const fixture *fx, const span_set *s, float lr, float gp_weight) {
    lc_model_config c;
    tiny_config(&c, "gan", s);
    c.lr = lr;
    c.gp_weight = gp_weight;
    lc_model *m = lc_model_create("gan", &c, NULL);
    load_set(m, "generator", fx, "gen");
    load_set(m, "critic", fx, "crit");
    return m;
}

static void test_gan_fixture(void) {
    fixture fx = fixture_load("model_gan");
    span_set s = fixture_spans(&fx);
    lc_model *m = gan_from_fixture(&fx, &s, 2e-4f, 10.0f);
    CHECK(m->n_sets == 2 && !strcmp(m->set_name[0], "generator") && !strcmp(m->set_name[1], "critic"));
    lc_model_noise noise = gan_noise(&fx);
    double losses[3];
    lc_model_train_step(m, &ctx, fixture_get(&fx, "batch")->data, 20, 20, NULL, NULL, losses, &noise);
    const char *ln[3] = {"loss_critic", "loss_gp", "loss_gen"};
    for (int i = 0; i < 3; i++) {
        double ref = fixture_get(&fx, ln[i])->data[0];
        CHECK_NEAR(losses[i], ref, 1e-5 * fabs(ref) + 1e-7);
    }
    check_set(m, "critic", &fx, "crit");
    check_set(m, "generator", &fx, "gen");
    CHECK(m->n_state == 4 * 16);
    CHECK_TENSOR(m->state, &fx, "bn_state", 1e-5, 1e-7); /* two training forwards per step, as in CTGAN */
    lc_model_destroy(m);
    fixture_free(&fx);
}

/* ---------------- the gradient penalty against finite differences ---------------- */

typedef struct {
    lc_model *m;
    const fixture *fx;
    lc_model_noise noise;
} gan_probe;

/* one step with lr 0 (parameters unchanged, draws injected): the losses as a function of the critic weights */
static void gan_losses(gan_probe *p, double *losses) {
    lc_model_train_step(p->m, &ctx, fixture_get(p->fx, "batch")->data, 20, 20, NULL, NULL, losses, &p->noise);
}

static void test_gan_penalty_fd(void) {
    fixture fx = fixture_load("model_gan");
    span_set s = fixture_spans(&fx);
    gan_probe p = {gan_from_fixture(&fx, &s, 0.0f, 10.0f), &fx, gan_noise(&fx)};
    lc_model *m0 = gan_from_fixture(&fx, &s, 0.0f, 0.0f);
    gan_probe p0 = {m0, &fx, p.noise};
    double l[3], l0[3];
    gan_losses(&p, l);
    gan_losses(&p0, l0);
    CHECK(l[1] > 0 && l0[1] == 0.0);
    CHECK_NEAR(l[0], l0[0], 1e-6 * fabs(l[0])); /* the Wasserstein part does not see the weight */
    lc_params *P = lc_model_params(p.m, "critic"), *P0 = lc_model_params(m0, "critic");
    /* the penalty's own gradient: total with weight 10 minus total with weight 0 */
    float *gpg = zeros(P->total);
    for (size_t i = 0; i < P->total; i++) gpg[i] = P->grads[i] - P0->grads[i];
    double nb = 0;
    for (size_t i = P->offset[1]; i < P->offset[1] + P->size[1]; i++) nb += fabs(gpg[i]);
    CHECK(nb < 1e-6); /* LeakyReLU critic: the penalty does not reach the first bias */
    lc_rng rng;
    lc_rng_init(&rng, 555, 0, 0);
    int probes = 0, skipped = 0;
    double h = 5e-3;
    for (int tsr = 0; tsr < P->n; tsr++) {
        if (tsr % 2) continue; /* the penalty's bias gradients are zero (checked above and against PyTorch) */
        for (int k = 0; k < 6; k++) {
            size_t j = P->offset[tsr] + lc_rng_u32(&rng) % P->size[tsr];
            float x0 = P->params[j], xp = (float)(x0 + h), xm = (float)(x0 - h);
            double lp[3], lm[3], lc[3];
            P->params[j] = xp;
            gan_losses(&p, lp);
            P->params[j] = xm;
            gan_losses(&p, lm);
            P->params[j] = x0;
            gan_losses(&p, lc);
            probes++;
            double fwd = (lp[1] - lc[1]) / ((double)xp - x0), bwd = (lc[1] - lm[1]) / ((double)x0 - xm);
            /* a LeakyReLU that flips inside the stencil makes the one-sided slopes jump: not a smooth probe */
            if (fabs(fwd - bwd) > 0.02 * fmax(fabs(fwd), fabs(bwd)) + 0.05) {
                skipped++;
                continue;
            }
            double num = (lp[1] - lm[1]) / ((double)xp - xm), ana = gpg[j];
            CHECK_MSG(fabs(num - ana) <= 2e-3 + 1e-2 * fmax(fabs(num), fabs(ana)),
                      "critic tensor %d entry %zu: numeric %.8g analytic %.8g", tsr, j - P->offset[tsr], num, ana);
            /* and the whole critic objective against the whole critic gradient */
            double numt = (lp[0] + lp[1] - lm[0] - lm[1]) / ((double)xp - xm);
            CHECK_MSG(fabs(numt - P->grads[j]) <= 2e-3 + 1e-2 * fmax(fabs(numt), fabs(P->grads[j])),
                      "critic objective tensor %d: numeric %.8g analytic %.8g", tsr, numt, P->grads[j]);
        }
    }
    CHECK_MSG(skipped * 4 <= probes, "%d of %d probes crossed a kink", skipped, probes);
    free(gpg);
    lc_model_destroy(p.m);
    lc_model_destroy(m0);
    fixture_free(&fx);
}

/* ---------------- two ranks in one process (two_ranks.h) ---------------- */

enum { STEPS = 3, ROWS = 40 };

typedef struct {
    lc_model *m;
    const float *data;   /* the global batch rows of every step: (STEPS, ROWS, W) */
    int row0, rows, width;
    rank_hook hook;      /* NULL ex: one rank */
    double losses[STEPS][3];
} rank_run;

static void *run_rank(void *arg) {
    rank_run *r = arg;
    lc_nn_ctx c = ctx;
    c.sample0 = (uint64_t)r->row0;
    lc_grad_sync_fn sync = NULL;
    if (r->hook.ex) {
        c.allreduce_sum = allreduce_sum;
        c.allreduce_user = &r->hook;
        sync = sync_sum;
    }
    for (int s = 0; s < STEPS; s++)
        lc_model_train_step(r->m, &c, r->data + ((size_t)s * ROWS + r->row0) * r->width, r->rows, ROWS, sync,
                            &r->hook, r->losses[s], NULL);
    if (r->m->config.prior_components > 0) { /* the latent prior on the last step's rows */
        long ids[ROWS], init_ids[3] = {5, 30, 12};
        for (int i = 0; i < r->rows; i++) ids[i] = r->row0 + i;
        lc_model_fit_prior(r->m, &c, r->data + ((size_t)(STEPS - 1) * ROWS + r->row0) * r->width, ids, r->rows,
                           init_ids, NULL);
    }
    return NULL;
}

static float max_rel_diff(const float *a, const float *b, size_t n) {
    double scale = 0, worst = 0;
    for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(a[i]));
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs((double)a[i] - b[i]));
    return (float)(worst / fmax(scale, 1e-30));
}

static void two_ranks(const char *kind) {
    fixture fx = fixture_load("model_gan");
    span_set s = fixture_spans(&fx);
    fixture_free(&fx);
    lc_model_config c;
    tiny_config(&c, kind, &s);
    c.batch = ROWS;
    if (!strcmp(kind, "vae")) c.prior_components = 3;
    float *data = zeros((size_t)STEPS * ROWS * s.width);
    lc_rng rng;
    lc_rng_init(&rng, 77, 0, 0);
    for (int r = 0; r < STEPS * ROWS; r++)
        for (int k = 0; k < s.n_spans; k++) {
            lc_encoder_span *sp = &s.spans[k];
            float *x = data + (size_t)r * s.width + sp->offset;
            if (sp->kind == LC_SPAN_VALUE)
                x[0] = (float)(2 * lc_rng_uniform(&rng) - 1);
            else
                x[lc_rng_u32(&rng) % (uint32_t)sp->width] = 1.0f;
        }
    rank_run one = {lc_model_create(kind, &c, NULL), data, 0, ROWS, s.width, {0}, {{0}}};
    run_rank(&one);
    exchange ex;
    pthread_barrier_init(&ex.barrier, NULL, 2);
    rank_run two[2];
    pthread_t th[2];
    for (int r = 0; r < 2; r++) {
        two[r] = (rank_run){lc_model_create(kind, &c, NULL), data, r * ROWS / 2, ROWS / 2, s.width, {&ex, r}, {{0}}};
        pthread_create(&th[r], NULL, run_rank, &two[r]);
    }
    for (int r = 0; r < 2; r++) pthread_join(th[r], NULL);
    pthread_barrier_destroy(&ex.barrier);
    /* the loss curves agree (and the loss moved, so the comparison is not of constants) */
    for (int st = 0; st < STEPS; st++)
        for (int i = 0; i < 3; i++) {
            CHECK_NEAR(two[0].losses[st][i], one.losses[st][i], 1e-4 * fabs(one.losses[st][i]) + 1e-6);
            CHECK(two[1].losses[st][i] == two[0].losses[st][i]);
        }
    CHECK(one.losses[STEPS - 1][0] != one.losses[0][0]);
    if (c.prior_components) { /* the fit moved the prior away from N(0, I): the weights are no longer equal */
        CHECK(one.m->n_state == (size_t)c.prior_components * (1 + 2 * c.latent));
        CHECK(one.m->state[0] != one.m->state[1] || one.m->state[1] != one.m->state[2]);
    }
    for (int r = 0; r < 2; r++) {
        for (int k = 0; k < one.m->n_sets; k++) {
            lc_params *P1 = &one.m->params[k], *P2 = &two[r].m->params[k];
            /* the generator's Linear biases in front of BatchNorm (tensors 1 and 5) have a gradient that is zero but
             * for rounding, which Adam's division by sqrt(v) turns into steps of order lr in any direction; they do
             * not change the generator's output, so they are left out */
            int generator = !strcmp(one.m->set_name[k], "generator");
            float scale = 0, worst = 0;
            for (int t = 0; t < P1->n; t++) {
                if (generator && (t == 1 || t == 5)) continue;
                for (size_t i = P1->offset[t]; i < P1->offset[t] + P1->size[t]; i++) {
                    scale = fmaxf(scale, fabsf(P1->params[i]));
                    worst = fmaxf(worst, fabsf(P1->params[i] - P2->params[i]));
                }
            }
            CHECK_MSG(worst < 1e-5f * scale, "%s %s params rank %d: %g", kind, one.m->set_name[k], r, worst / scale);
            CHECK_MSG(max_rel_diff(P1->grads, P2->grads, P1->total) < 1e-4, "%s %s grads rank %d: %g", kind,
                      one.m->set_name[k], r, max_rel_diff(P1->grads, P2->grads, P1->total));
        }
        if (one.m->n_state)
            CHECK_MSG(max_rel_diff(one.m->state, two[r].m->state, one.m->n_state) < 1e-5, "%s state rank %d: %g", kind,
                      r, max_rel_diff(one.m->state, two[r].m->state, one.m->n_state));
        CHECK(two[r].m->step == STEPS);
        lc_model_destroy(two[r].m);
    }
    lc_model_destroy(one.m);
    free(data);
}

static void test_two_ranks_vae(void) { two_ranks("vae"); }
static void test_two_ranks_gan(void) { two_ranks("gan"); }

/* ---------------- sampling ---------------- */

static void test_sample_rows(void) {
    fixture fx = fixture_load("model_gan");
    span_set s = fixture_spans(&fx);
    fixture_free(&fx);
    const char *kinds[3] = {"vae", "gan", "vae"}; /* the second VAE draws z from a 3-component prior */
    for (int k = 0; k < 3; k++) {
        lc_model_config c;
        tiny_config(&c, kinds[k], &s);
        c.prior_components = k == 2 ? 3 : 0;
        lc_model *m = lc_model_create(kinds[k], &c, NULL);
        int n = 50; /* more than one chunk of config.batch = 20 */
        float *out = zeros((size_t)n * s.width), *tail = zeros((size_t)n * s.width);
        lc_model_sample(m, &ctx, out, n);
        for (int r = 0; r < n; r++)
            for (int q = 0; q < s.n_spans; q++) {
                const float *x = out + (size_t)r * s.width + s.spans[q].offset;
                if (s.spans[q].kind == LC_SPAN_VALUE) {
                    CHECK(x[0] >= -1.0f && x[0] <= 1.0f);
                } else {
                    double sum = 0;
                    for (int j = 0; j < s.spans[q].width; j++) sum += x[j];
                    CHECK_NEAR(sum, 1.0, 1e-5);
                }
            }
        /* rows 30.. drawn on their own (another rank, or a later call) are the same rows */
        lc_nn_ctx c2 = ctx;
        c2.sample0 = ctx.sample0 + 30;
        lc_model_sample(m, &c2, tail, n - 30);
        CHECK_MSG(max_rel_diff(out + 30 * s.width, tail, (size_t)(n - 30) * s.width) < 1e-6, "%s", kinds[k]);
        /* another sampling round (ctx.step) gives other rows */
        c2 = ctx;
        c2.step++;
        lc_model_sample(m, &c2, tail, n);
        CHECK(memcmp(out, tail, (size_t)n * s.width * sizeof(float)) != 0);
        free(out), free(tail);
        lc_model_destroy(m);
    }
}

/* the production sizes (hidden 512, latent 128, batch 500, pac 10): buffers laid out right (ASan), losses finite */
static void test_default_sizes(void) {
    fixture fx = fixture_load("model_gan");
    span_set s = fixture_spans(&fx);
    fixture_free(&fx);
    enum { B = 500 };
    float *rows = zeros((size_t)B * s.width);
    lc_rng rng;
    lc_rng_init(&rng, 5, 0, 0);
    for (int r = 0; r < B; r++)
        for (int k = 0; k < s.n_spans; k++) {
            float *x = rows + (size_t)r * s.width + s.spans[k].offset;
            if (s.spans[k].kind == LC_SPAN_VALUE)
                x[0] = (float)(2.4 * lc_rng_uniform(&rng) - 1.2);
            else
                x[lc_rng_u32(&rng) % (uint32_t)s.spans[k].width] = 1.0f;
        }
    const char *kinds[2] = {"vae", "gan"};
    for (int k = 0; k < 2; k++) {
        lc_model_config c;
        lc_model_config_default(&c, kinds[k]);
        c.width = s.width, c.n_spans = s.n_spans, c.spans = s.spans;
        CHECK(c.hidden == 512 && c.latent == 128 && c.batch == 500 && c.pac == 10);
        lc_model *m = lc_model_create(kinds[k], &c, NULL);
        double l1[3], l2[3];
        lc_model_train_step(m, &ctx, rows, B, B, NULL, NULL, l1, NULL);
        lc_model_train_step(m, &ctx, rows, B, B, NULL, NULL, l2, NULL);
        for (int i = 0; i < 3; i++) CHECK(isfinite(l1[i]) && isfinite(l2[i]));
        CHECK_MSG(l2[0] != l1[0], "%s", kinds[k]); /* new draws and weights: a new loss */
        float *out = zeros((size_t)B * s.width);
        lc_model_sample(m, &ctx, out, B);
        int finite = 1;
        for (size_t i = 0; i < (size_t)B * s.width; i++) finite &= isfinite(out[i]) != 0;
        CHECK(finite);
        free(out);
        lc_model_destroy(m);
    }
    free(rows);
}

/* ---------------- a toy table ---------------- */

/* two discrete columns with a known joint distribution; the sampled joint frequencies must come close */
static void toy_training(const char *kind, int prior_components, int steps, double tv_bound) {
    static const double joint[3][2] = {{0.30, 0.05}, {0.05, 0.30}, {0.10, 0.20}};
    static const int kinds[2] = {LC_COLUMN_DISCRETE, LC_COLUMN_DISCRETE};
    enum { N_ROWS = 2000 };
    double *rows = lc_malloc(sizeof(double) * N_ROWS * 2);
    lc_rng rng;
    lc_rng_init(&rng, 9, 0, 0);
    for (int r = 0; r < N_ROWS; r++) {
        double u = lc_rng_uniform(&rng), acc = 0;
        int a = 2, b = 1;
        for (int i = 0; i < 6; i++) {
            acc += joint[i / 2][i % 2];
            if (u < acc) {
                a = i / 2, b = i % 2;
                break;
            }
        }
        rows[2 * r] = 10 + a; /* arbitrary category values */
        rows[2 * r + 1] = -3 + 5 * b;
    }
    lc_encoder enc;
    lc_encoder_options opt;
    lc_encoder_options_default(&opt);
    opt.kind = kinds;
    lc_error err;
    CHECK(lc_encoder_fit(&enc, rows, N_ROWS, 2, &opt, &err) == 0);
    int W = lc_encoder_width(&enc), n_spans;
    const lc_encoder_span *spans = lc_encoder_spans(&enc, &n_spans);
    CHECK(W == 5 && n_spans == 2);
    double *encd = lc_malloc(sizeof(double) * N_ROWS * W);
    CHECK(lc_encoder_transform(&enc, rows, N_ROWS, encd, &err) == 0);
    float *data = lc_malloc(sizeof(float) * N_ROWS * W);
    for (size_t i = 0; i < (size_t)N_ROWS * W; i++) data[i] = (float)encd[i];

    lc_model_config c;
    lc_model_config_default(&c, kind);
    c.width = W, c.n_spans = n_spans, c.spans = spans;
    c.hidden = 64, c.latent = 16, c.batch = 100, c.seed = 3; /* bounds hold with margin over seeds 1-6 */
    if (!strcmp(kind, "gan")) c.lr = 1e-3f; /* a thousand small steps instead of CTGAN's epochs */
    c.prior_components = prior_components;
    lc_model *m = lc_model_create(kind, &c, NULL);
    double losses[3];
    for (int st = 0; st < steps; st++) {
        int r0 = (st * c.batch) % N_ROWS;
        lc_model_train_step(m, &ctx, data + (size_t)r0 * W, c.batch, c.batch, NULL, NULL, losses, NULL);
    }
    for (int i = 0; i < 3; i++) CHECK(isfinite(losses[i]));
    if (prior_components) { /* the latent prior fitted to every row, the means starting at the first rows' draws */
        long *ids = lc_malloc(sizeof(long) * N_ROWS);
        for (int r = 0; r < N_ROWS; r++) ids[r] = r;
        int iterations;
        double loglik = lc_model_fit_prior(m, &ctx, data, ids, N_ROWS, ids, &iterations);
        printf("%s: latent prior of %d components, %d EM iterations, mean log-likelihood %.3f\n", kind,
               prior_components, iterations, loglik);
        CHECK(isfinite(loglik) && iterations > 1);
        free(ids);
    }
    enum { N_SAMPLES = 4000 };
    float *smp = lc_malloc(sizeof(float) * N_SAMPLES * W);
    double *smpd = lc_malloc(sizeof(double) * N_SAMPLES * W), *back = lc_malloc(sizeof(double) * N_SAMPLES * 2);
    lc_model_sample(m, &ctx, smp, N_SAMPLES);
    for (size_t i = 0; i < (size_t)N_SAMPLES * W; i++) smpd[i] = smp[i];
    lc_encoder_inverse(&enc, smpd, N_SAMPLES, back);
    double freq[3][2] = {{0}};
    for (int r = 0; r < N_SAMPLES; r++) freq[(int)back[2 * r] - 10][(int)(back[2 * r + 1] + 3) / 5] += 1.0 / N_SAMPLES;
    double tv = 0, tv_untrained = 0;
    for (int i = 0; i < 6; i++) tv += 0.5 * fabs(freq[i / 2][i % 2] - joint[i / 2][i % 2]);
    /* an untrained model of the same kind, for scale */
    lc_model *u = lc_model_create(kind, &c, NULL);
    lc_model_sample(u, &ctx, smp, N_SAMPLES);
    for (size_t i = 0; i < (size_t)N_SAMPLES * W; i++) smpd[i] = smp[i];
    lc_encoder_inverse(&enc, smpd, N_SAMPLES, back);
    double f0[3][2] = {{0}};
    for (int r = 0; r < N_SAMPLES; r++) f0[(int)back[2 * r] - 10][(int)(back[2 * r + 1] + 3) / 5] += 1.0 / N_SAMPLES;
    for (int i = 0; i < 6; i++) tv_untrained += 0.5 * fabs(f0[i / 2][i % 2] - joint[i / 2][i % 2]);
    printf("%s (prior components %d): total variation to the data's joint %.3f after %d steps (untrained %.3f)\n",
           kind, prior_components, tv, steps, tv_untrained);
    CHECK_MSG(tv < tv_bound, "%s: total variation %.3f", kind, tv);
    lc_model_destroy(u);
    lc_model_destroy(m);
    free(smp), free(smpd), free(back), free(data), free(encd), free(rows);
    lc_encoder_free(&enc);
}

static void test_toy_vae(void) { toy_training("vae", 0, 1000, 0.10); }
static void test_toy_vae_prior(void) { toy_training("vae", 4, 1000, 0.10); }
static void test_toy_gan(void) { toy_training("gan", 0, 1000, 0.15); }

int main(void) {
    lc_nn_ctx_init(&ctx, 1);
    lc_nn_set_blas_threads(1); /* two simulated ranks call BLAS from two threads */
    RUN_TEST(test_vae_fixture);
    RUN_TEST(test_gan_fixture);
    RUN_TEST(test_gan_penalty_fd);
    RUN_TEST(test_two_ranks_vae);
    RUN_TEST(test_two_ranks_gan);
    RUN_TEST(test_sample_rows);
    RUN_TEST(test_default_sizes);
    RUN_TEST(test_toy_vae);
    RUN_TEST(test_toy_vae_prior);
    RUN_TEST(test_toy_gan);
    return test_summary();
}
