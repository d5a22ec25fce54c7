/* The tabular Transformer (nn/model.h kind "transformer", docs/transformer.md): one train step against PyTorch
 * (scripts/make_transformer_fixture.py: losses, clipped gradients, parameters after AdamW), the full-model loss
 * gradient against finite differences, two simulated ranks against one, sampling keyed by the global row, and a
 * toy table whose joint distribution (two discrete columns and a continuous one that depends on them) the
 * samples must approach. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "lego/encoder.h"
#include "nn/model.h"
#include "test.h"
#include "two_ranks.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static lc_nn_ctx ctx;

static double lc_test_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef struct {
    lc_encoder_span spans[16];
    int n_spans, width;
} span_set;

/* the fixture's spans with their column numbers (a VALUE span and the MODE span after it are one column) */
static span_set fixture_spans(const fixture *fx) {
    const fixture_tensor *t = fixture_get(fx, "spans");
    span_set s = {.n_spans = t->dims[0]};
    for (int i = 0, col = -1; i < s.n_spans; i++) {
        int kind = (int)t->data[3 * i + 2];
        if (kind != LC_SPAN_MODE) col++;
        s.spans[i] = (lc_encoder_span){(int)t->data[3 * i], (int)t->data[3 * i + 1], kind, col};
        s.width = s.spans[i].offset + s.spans[i].width;
    }
    return s;
}

static void tiny_config(lc_model_config *c, const span_set *s) {
    lc_model_config_default(c, "transformer");
    c->width = s->width;
    c->n_spans = s->n_spans;
    c->spans = s->spans;
    c->d_model = 8;
    c->heads = 2;
    c->layers = 2;
    c->batch = 12;
    c->seed = 7;
}

static void load_params(lc_model *m, const fixture *fx) {
    lc_params *P = lc_model_params(m, "transformer");
    char key[64];
    for (int i = 0; i < P->n; i++) {
        snprintf(key, sizeof key, "tf.p.%d", i);
        const fixture_tensor *t = fixture_get(fx, key);
        CHECK_MSG(t->n == P->size[i], "tensor %d: %zu floats, PyTorch %zu", i, P->size[i], t->n);
        if (t->n == P->size[i]) memcpy(P->params + P->offset[i], t->data, t->n * sizeof(float));
    }
}

static void test_defaults(void) {
    lc_model_config c;
    lc_model_config_default(&c, "transformer");
    CHECK(c.layers == 4 && c.heads == 4 && c.d_model == 128 && c.grad_clip == 1.0f);
    CHECK(c.weight_decay == 0.01f && c.lr == 1e-3f && c.batch == 500 && c.value_clip == 0.99f);
}

static void test_fixture(void) {
    fixture fx = fixture_load("model_transformer");
    span_set s = fixture_spans(&fx);
    lc_model_config c;
    tiny_config(&c, &s);
    lc_model *m = lc_model_create("transformer", &c, NULL);
    CHECK(m->n_sets == 1 && lc_model_params(m, "transformer") && m->n_state == 0);
    CHECK(lc_model_n_losses(m) == 3 && !strcmp(lc_model_loss_name(m, 1), "categorical"));
    lc_params *P = lc_model_params(m, "transformer");
    CHECK(P->n == 3 + 12 * 2 + 4);
    load_params(m, &fx);
    double losses[3];
    lc_model_train_step(m, &ctx, fixture_get(&fx, "batch")->data, 12, 12, NULL, NULL, losses, NULL);
    const char *names[3] = {"loss", "categorical", "value"};
    for (int i = 0; i < 3; i++) {
        double ref = fixture_get(&fx, names[i])->data[0];
        CHECK_NEAR(losses[i], ref, 1e-5 * fabs(ref));
    }
    CHECK(fixture_get(&fx, "grad_norm")->data[0] > c.grad_clip); /* the step clipped */
    char key[64];
    for (int i = 0; i < P->n; i++) {
        snprintf(key, sizeof key, "tf.g.%d", i);
        CHECK_TENSOR(P->grads + P->offset[i], &fx, key, 2e-5, 1e-7);
        snprintf(key, sizeof key, "tf.p1.%d", i);
        const fixture_tensor *ref = fixture_get(&fx, key);
        float *got = P->params + P->offset[i];
        if ((i - 3) % 12 == 3 && i < 3 + 12 * c.layers) {
            /* the key bias: its gradient is zero up to rounding (softmax ignores a constant added to a row of
             * scores), and Adam's g / sqrt(v) makes that rounding an update of any size up to lr; the query and
             * value biases are compared strictly */
            int D = c.d_model;
            for (int j = 0; j < 3 * D; j++) {
                double tol = j >= D && j < 2 * D ? 2.0 * c.lr : 1e-5 * 0.2 + 1e-7;
                CHECK_MSG(fabs(got[j] - ref->data[j]) <= tol, "qkv bias %d[%d]: %.8g, reference %.8g", i, j, got[j],
                          ref->data[j]);
            }
            continue;
        }
        CHECK_TENSOR(got, &fx, key, 1e-5, 1e-7);
    }
    CHECK(m->step == 1);
    lc_model_destroy(m);
    fixture_free(&fx);
}

/* ---------------- the loss gradient by finite differences ---------------- */

static double step_loss(lc_model *m, const float *batch) {
    double l[3];
    lc_model_train_step(m, &ctx, batch, 12, 12, NULL, NULL, l, NULL);
    return l[0];
}

static void test_loss_fd(void) {
    fixture fx = fixture_load("model_transformer");
    span_set s = fixture_spans(&fx);
    lc_model_config c;
    tiny_config(&c, &s);
    c.lr = 0.0f, c.weight_decay = 0.0f, c.grad_clip = 0.0f; /* the step leaves the weights and the gradient alone */
    lc_model *m = lc_model_create("transformer", &c, NULL);
    load_params(m, &fx);
    const float *batch = fixture_get(&fx, "batch")->data;
    lc_params *P = lc_model_params(m, "transformer");
    step_loss(m, batch);
    float *grad = zeros(P->total);
    memcpy(grad, P->grads, P->total * sizeof(float));
    lc_rng rng;
    lc_rng_init(&rng, 3, 0, 0);
    int checked = 0, nonzero = 0;
    double h = 1e-2;
    for (int tsr = 0; tsr < P->n; tsr++) /* every tensor: embeddings, each block's, the final LayerNorm, the head */
        for (int k = 0; k < 3; k++) {
            size_t j = P->offset[tsr] + lc_rng_u32(&rng) % P->size[tsr];
            float x0 = P->params[j], xp = (float)(x0 + h), xm = (float)(x0 - h);
            P->params[j] = xp;
            double lp = step_loss(m, batch);
            P->params[j] = xm;
            double lm = step_loss(m, batch);
            P->params[j] = x0;
            double num = (lp - lm) / ((double)xp - xm), ana = grad[j];
            CHECK_MSG(fabs(num - ana) <= 2e-3 + 1e-2 * fmax(fabs(num), fabs(ana)),
                      "tensor %d entry %zu: numeric %.8g analytic %.8g", tsr, j - P->offset[tsr], num, ana);
            checked++;
            nonzero += fabs(ana) > 1e-4;
        }
    CHECK(checked == 3 * P->n && nonzero * 2 > checked); /* mostly live entries, not zeros compared with zeros */
    free(grad);
    lc_model_destroy(m);
    fixture_free(&fx);
}

/* ---------------- two ranks in one process (two_ranks.h) ---------------- */

enum { STEPS = 3, ROWS = 40 };

typedef struct {
    lc_model *m;
    const float *data; /* (STEPS, ROWS, W) */
    int row0, rows, width;
    rank_hook hook;
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
    return NULL;
}

static double max_rel_diff(const float *a, const float *b, size_t n) {
    double scale = 0, worst = 0;
    for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(a[i]));
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs((double)a[i] - b[i]));
    return worst / fmax(scale, 1e-30);
}

static float *random_rows(const span_set *s, int n, uint64_t seed) {
    float *data = zeros((size_t)n * s->width);
    lc_rng rng;
    lc_rng_init(&rng, seed, 0, 0);
    for (int r = 0; r < n; r++)
        for (int k = 0; k < s->n_spans; k++) {
            const lc_encoder_span *sp = &s->spans[k];
            float *x = data + (size_t)r * s->width + sp->offset;
            if (sp->kind == LC_SPAN_VALUE)
                x[0] = (float)(2.4 * lc_rng_uniform(&rng) - 1.2);
            else
                x[lc_rng_u32(&rng) % (uint32_t)sp->width] = 1.0f;
        }
    return data;
}

static void test_two_ranks(void) {
    fixture fx = fixture_load("model_transformer");
    span_set s = fixture_spans(&fx);
    fixture_free(&fx);
    lc_model_config c;
    tiny_config(&c, &s);
    c.batch = ROWS;
    c.grad_clip = 0.5f; /* clipping after the sum: active on every step here */
    float *data = random_rows(&s, STEPS * ROWS, 77);
    rank_run one = {lc_model_create("transformer", &c, NULL), data, 0, ROWS, s.width, {0}, {{0}}};
    run_rank(&one);
    exchange ex;
    pthread_barrier_init(&ex.barrier, NULL, 2);
    rank_run two[2];
    pthread_t th[2];
    for (int r = 0; r < 2; r++) {
        two[r] = (rank_run){lc_model_create("transformer", &c, NULL), data, r * ROWS / 2, ROWS / 2, s.width,
                            {&ex, r}, {{0}}};
        pthread_create(&th[r], NULL, run_rank, &two[r]);
    }
    for (int r = 0; r < 2; r++) pthread_join(th[r], NULL);
    pthread_barrier_destroy(&ex.barrier);
    for (int st = 0; st < STEPS; st++)
        for (int i = 0; i < 3; i++) {
            CHECK_NEAR(two[0].losses[st][i], one.losses[st][i], 1e-5 * fabs(one.losses[st][i]) + 1e-7);
            CHECK(two[1].losses[st][i] == two[0].losses[st][i]);
        }
    CHECK(one.losses[STEPS - 1][0] < one.losses[0][0]); /* it learns */
    lc_params *P1 = &one.m->params[0];
    for (int r = 0; r < 2; r++) {
        lc_params *P2 = &two[r].m->params[0];
        CHECK_MSG(max_rel_diff(P1->params, P2->params, P1->total) < 1e-5, "params rank %d: %g", r,
                  max_rel_diff(P1->params, P2->params, P1->total));
        CHECK_MSG(max_rel_diff(P1->grads, P2->grads, P1->total) < 1e-4, "grads rank %d: %g", r,
                  max_rel_diff(P1->grads, P2->grads, P1->total));
        CHECK(two[r].m->step == STEPS);
        lc_model_destroy(two[r].m);
    }
    /* without the sum the ranks would step on half-batch gradients: the comparison above can fail */
    lc_model *lone = lc_model_create("transformer", &c, NULL);
    double l[3];
    lc_model_train_step(lone, &ctx, data, ROWS / 2, ROWS, NULL, NULL, l, NULL);
    CHECK(fabs(l[0] - one.losses[0][0]) > 1e-3 * fabs(one.losses[0][0]));
    lc_model_destroy(lone);
    lc_model_destroy(one.m);
    free(data);
}

/* ---------------- sampling ---------------- */

static void test_sample_rows(void) {
    fixture fx = fixture_load("model_transformer");
    span_set s = fixture_spans(&fx);
    lc_model_config c;
    tiny_config(&c, &s);
    lc_model *m = lc_model_create("transformer", &c, NULL);
    load_params(m, &fx); /* random weights of unit scale: a spread of classes and values */
    fixture_free(&fx);
    int n = 30, W = s.width; /* more than two chunks of config.batch = 12 */
    float *out = zeros((size_t)n * W), *tail = zeros((size_t)n * W), *other = zeros((size_t)n * W);
    lc_model_sample(m, &ctx, out, n);
    int distinct_values = 0;
    for (int r = 0; r < n; r++)
        for (int q = 0; q < s.n_spans; q++) {
            const float *x = out + (size_t)r * W + s.spans[q].offset;
            if (s.spans[q].kind == LC_SPAN_VALUE) {
                CHECK(x[0] >= -1.0f && x[0] <= 1.0f);
                distinct_values += r > 0 && x[0] != x[-W];
            } else { /* exactly one-hot */
                int ones = 0, zs = 0;
                for (int j = 0; j < s.spans[q].width; j++) ones += x[j] == 1.0f, zs += x[j] == 0.0f;
                CHECK(ones == 1 && ones + zs == s.spans[q].width);
            }
        }
    CHECK(distinct_values > n); /* values are drawn, not constants */
    /* rows 17.. drawn on their own (another rank, or a later call) are the same rows */
    lc_nn_ctx c17 = ctx;
    c17.sample0 = ctx.sample0 + 17;
    lc_model_sample(m, &c17, tail, n - 17);
    int same_class = 1;
    double worst = 0;
    for (size_t i = 0; i < (size_t)(n - 17) * W; i++) {
        float a = out[(size_t)17 * W + i], b = tail[i];
        worst = fmax(worst, fabs((double)a - b));
        same_class &= (a == 1.0f) == (b == 1.0f) || fabs(a) < 1.0f || fabs(b) < 1.0f;
    }
    CHECK(same_class);
    CHECK_MSG(worst < 1e-5, "rows 17..: max difference %g", worst);
    /* a new sampling round (ctx.step) gives other rows */
    lc_nn_ctx s1 = ctx;
    s1.step++;
    lc_model_sample(m, &s1, other, n);
    CHECK(memcmp(other, out, sizeof(float) * (size_t)n * W) != 0);
    lc_model_sample(m, &ctx, other, n); /* and the same round the same rows: sampling changes no state */
    CHECK(memcmp(other, out, sizeof(float) * (size_t)n * W) == 0);
    free(out), free(tail), free(other);
    lc_model_destroy(m);
}

/* the default sizes (4 blocks of width 128, 4 heads, batch 500) on LEGO-like rows: buffers laid out right under
 * ASan, losses finite and falling */
static void test_default_sizes(void) {
    fixture fx = fixture_load("model_transformer");
    span_set s = fixture_spans(&fx);
    fixture_free(&fx);
    enum { B = 500 };
    float *rows = random_rows(&s, B, 5);
    lc_model_config c;
    lc_model_config_default(&c, "transformer");
    c.width = s.width, c.n_spans = s.n_spans, c.spans = s.spans;
    lc_model *m = lc_model_create("transformer", &c, NULL);
    double l1[3], l2[3];
    lc_model_train_step(m, &ctx, rows, B, B, NULL, NULL, l1, NULL);
    lc_model_train_step(m, &ctx, rows, B, B, NULL, NULL, l2, NULL);
    for (int i = 0; i < 3; i++) CHECK(isfinite(l1[i]) && isfinite(l2[i]));
    CHECK(l2[0] != l1[0]); /* new weights: a new loss */
    float *out = zeros((size_t)20 * s.width);
    lc_model_sample(m, &ctx, out, 20);
    int finite = 1;
    for (size_t i = 0; i < (size_t)20 * s.width; i++) finite &= isfinite(out[i]) != 0;
    CHECK(finite);
    free(out), free(rows);
    lc_model_destroy(m);
}

/* ---------------- a toy table ---------------- */

/* columns a (3 categories), x (continuous, centred on 4 a with spread 0.3), b (2 categories, depends on a): the
 * sampled joint of (a, b) and the mean of x given a must come close to the data's */
static void test_toy(void) {
    double t0 = lc_test_seconds();
    static const double joint[3][2] = {{0.30, 0.05}, {0.05, 0.30}, {0.10, 0.20}};
    static const int kinds[3] = {LC_COLUMN_DISCRETE, LC_COLUMN_CONTINUOUS, LC_COLUMN_DISCRETE};
    enum { N_ROWS = 2000, N_SAMPLES = 3000, STEPS_TOY = 600 };
    double *rows = lc_malloc(sizeof(double) * N_ROWS * 3);
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
        rows[3 * r] = 10 + a;
        rows[3 * r + 1] = 4.0 * a + 0.3 * lc_rng_normal(&rng);
        rows[3 * r + 2] = -3 + 5 * b;
    }
    lc_encoder enc;
    lc_encoder_options opt;
    lc_encoder_options_default(&opt);
    opt.kind = kinds;
    lc_error err;
    CHECK(lc_encoder_fit(&enc, rows, N_ROWS, 3, &opt, &err) == 0);
    int W = lc_encoder_width(&enc), n_spans;
    const lc_encoder_span *spans = lc_encoder_spans(&enc, &n_spans);
    CHECK(n_spans == 4);
    double *encd = lc_malloc(sizeof(double) * N_ROWS * W);
    CHECK(lc_encoder_transform(&enc, rows, N_ROWS, encd, &err) == 0);
    float *data = lc_malloc(sizeof(float) * N_ROWS * W);
    for (size_t i = 0; i < (size_t)N_ROWS * W; i++) data[i] = (float)encd[i];

    lc_model_config c;
    lc_model_config_default(&c, "transformer");
    c.width = W, c.n_spans = n_spans, c.spans = spans;
    c.d_model = 32, c.heads = 2, c.layers = 2, c.batch = 100, c.seed = 3;
    lc_model *m = lc_model_create("transformer", &c, NULL);
    double losses[3], first = 0;
    for (int st = 0; st < STEPS_TOY; st++) {
        int r0 = (st * c.batch) % N_ROWS;
        lc_model_train_step(m, &ctx, data + (size_t)r0 * W, c.batch, c.batch, NULL, NULL, losses, NULL);
        if (st == 0) first = losses[0];
    }
    printf("toy table: trained in %.1f s\n", lc_test_seconds() - t0);
    for (int i = 0; i < 3; i++) CHECK(isfinite(losses[i]));
    CHECK(losses[0] < first);
    float *smp = lc_malloc(sizeof(float) * N_SAMPLES * W);
    double *smpd = lc_malloc(sizeof(double) * N_SAMPLES * W), *back = lc_malloc(sizeof(double) * N_SAMPLES * 3);
    lc_model_sample(m, &ctx, smp, N_SAMPLES);
    for (size_t i = 0; i < (size_t)N_SAMPLES * W; i++) smpd[i] = smp[i];
    lc_encoder_inverse(&enc, smpd, N_SAMPLES, back);
    /* x given a: the fraction in a's cluster (within 1 = 3.3 sd of 4 a), and the mean and spread there */
    double freq[3][2] = {{0}}, xsum[3] = {0}, xsq[3] = {0}, na[3] = {0}, nin[3] = {0};
    for (int r = 0; r < N_SAMPLES; r++) {
        int a = (int)back[3 * r] - 10, b = (int)(back[3 * r + 2] + 3) / 5;
        double x = back[3 * r + 1];
        freq[a][b] += 1.0 / N_SAMPLES;
        na[a] += 1;
        if (fabs(x - 4.0 * a) > 1.0) continue;
        xsum[a] += x, xsq[a] += x * x, nin[a] += 1;
    }
    double tv = 0;
    for (int i = 0; i < 6; i++) tv += 0.5 * fabs(freq[i / 2][i % 2] - joint[i / 2][i % 2]);
    printf("transformer: total variation to the data's joint %.3f after %d steps; mean (sd) of x given a:", tv,
           STEPS_TOY);
    for (int a = 0; a < 3; a++) {
        double mean = xsum[a] / nin[a], sd = sqrt(fmax(xsq[a] / nin[a] - mean * mean, 0)), in = nin[a] / na[a];
        printf(" %.3f (%.3f, %.1f%% in)", mean, sd, 100 * in);
        CHECK_MSG(in > 0.95, "x given a = %d: %.3f in the cluster", a, in);
        CHECK_MSG(fabs(mean - 4.0 * a) < 0.1, "x given a = %d: mean %.3f", a, mean);
        CHECK_MSG(sd > 0.2 && sd < 0.4, "x given a = %d: sd %.3f (data 0.3)", a, sd);
    }
    printf("\n");
    CHECK_MSG(tv < 0.06, "total variation %.3f", tv);
    printf("toy table: %.1f s\n", lc_test_seconds() - t0);
    lc_model_destroy(m);
    free(smp), free(smpd), free(back), free(data), free(encd), free(rows);
    lc_encoder_free(&enc);
}

int main(void) {
    lc_nn_ctx_init(&ctx, 1);
    lc_nn_set_blas_threads(1); /* two simulated ranks call BLAS from two threads */
#ifdef _OPENMP
    omp_set_num_threads(1); /* small tensors: on a busy machine thread hand-offs would dominate the toy table */
#endif
    RUN_TEST(test_defaults);
    RUN_TEST(test_fixture);
    RUN_TEST(test_loss_fd);
    RUN_TEST(test_two_ranks);
    RUN_TEST(test_sample_rows);
    RUN_TEST(test_default_sizes);
    RUN_TEST(test_toy);
    return test_summary();
}
