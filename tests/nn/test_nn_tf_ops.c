/* The ops added for the Transformer's heads: the row gather (forward by direct evaluation, backward by finite
 * differences and accumulation), the Gaussian NLL with a per-entry log-variance (finite differences, the clamp's
 * zero gradient, the value) and the keyed categorical draws (frequencies, keying across "ranks" and steps). */
#include <stdlib.h>
#include <string.h>

#include "fd.h"
#include "fixture.h"
#include "nn/backend.h"
#include "nn/nn.h"
#include "test.h"

static lc_nn_ctx ctx;

typedef struct {
    int B, C, ld_in, ld_out, N;
    int *idx;
    float *in, *out, *w, *mu, *lv, *t;
    float lo, hi;
} tf_case;

static double loss_gather(void *u) {
    tf_case *c = u;
    lc_gather_forward(&ctx, c->out, c->in, c->idx, c->B, c->C, c->ld_in, c->ld_out);
    return fd_dot(c->w, c->out, (size_t)c->B * c->ld_out);
}

static double loss_nll(void *u) {
    tf_case *c = u;
    return lc_gaussian_nll_logvar_loss(&ctx, NULL, NULL, c->mu, c->lv, c->t, c->N, c->lo, c->hi, 0.7);
}

static void test_gather(void) {
    lc_rng rng;
    lc_rng_init(&rng, 41, 0, 0);
    for (int rep = 0; rep < 5; rep++) {
        tf_case c = {.B = fd_int(&rng, 1, 7), .C = fd_int(&rng, 1, 5)};
        c.ld_in = c.C + fd_int(&rng, 0, 3), c.ld_out = fd_int(&rng, 1, 3);
        size_t ni = (size_t)c.B * c.ld_in, no = (size_t)c.B * c.ld_out;
        c.in = zeros(ni), c.out = zeros(no), c.w = zeros(no);
        c.idx = lc_calloc((size_t)c.B, sizeof(int));
        for (int b = 0; b < c.B; b++) c.idx[b] = fd_int(&rng, 0, c.C - 1);
        fd_fill(&rng, c.in, ni, 1, 0);
        for (int b = 0; b < c.B; b++) c.w[(size_t)b * c.ld_out] = (float)(2 * lc_rng_uniform(&rng) - 1);
        loss_gather(&c);
        for (int b = 0; b < c.B; b++) {
            CHECK(c.out[(size_t)b * c.ld_out] == c.in[(size_t)b * c.ld_in + c.idx[b]]);
            for (int k = 1; k < c.ld_out; k++) CHECK(c.out[(size_t)b * c.ld_out + k] == 0.0f); /* not written */
        }
        float *din = zeros(ni);
        lc_gather_backward(&ctx, din, c.w, c.idx, c.B, c.C, c.ld_in, c.ld_out);
        FD_CHECK("gather in", loss_gather, &c, c.in, din, ni, &rng);
        lc_gather_backward(&ctx, din, c.w, c.idx, c.B, c.C, c.ld_in, c.ld_out); /* accumulates: twice the first */
        for (int b = 0; b < c.B; b++)
            CHECK_NEAR(din[(size_t)b * c.ld_in + c.idx[b]], 2.0 * c.w[(size_t)b * c.ld_out], 1e-6);
        free(c.in), free(c.out), free(c.w), free(c.idx), free(din);
    }
}

static void test_nll_logvar(void) {
    lc_rng rng;
    lc_rng_init(&rng, 42, 0, 0);
    for (int rep = 0; rep < 4; rep++) {
        tf_case c = {.N = fd_int(&rng, 1, 20), .lo = -3.0f, .hi = 1.5f};
        c.mu = zeros(c.N), c.lv = zeros(c.N), c.t = zeros(c.N);
        fd_fill(&rng, c.mu, c.N, 1, 0), fd_fill(&rng, c.lv, c.N, 1.2, 0), fd_fill(&rng, c.t, c.N, 1, 0);
        float *dmu = zeros(c.N), *dlv = zeros(c.N);
        double v = lc_gaussian_nll_logvar_loss(&ctx, dmu, dlv, c.mu, c.lv, c.t, c.N, c.lo, c.hi, 0.7), want = 0;
        for (int i = 0; i < c.N; i++) {
            double r = (double)c.t[i] - c.mu[i];
            want += r * r / (2 * exp(c.lv[i])) + 0.5 * c.lv[i];
        }
        CHECK_NEAR(v, 0.7 * want, 1e-9 * fabs(want) + 1e-9);
        FD_CHECK("nll mu", loss_nll, &c, c.mu, dmu, c.N, &rng);
        FD_CHECK("nll logvar", loss_nll, &c, c.lv, dlv, c.N, &rng);
        free(c.mu), free(c.lv), free(c.t), free(dmu), free(dlv);
    }
    /* outside [lo, hi] the log-variance is the bound and gets no gradient; mu still does */
    float mu[2] = {0.1f, 0.2f}, lv[2] = {-9.0f, 4.0f}, t[2] = {0.5f, -0.5f}, dmu[2] = {0}, dlv[2] = {0};
    double v = lc_gaussian_nll_logvar_loss(&ctx, dmu, dlv, mu, lv, t, 2, -3.0f, 1.5f, 1.0);
    double want = 0.16 / (2 * exp(-3.0)) - 1.5 + 0.49 / (2 * exp(1.5)) + 0.75;
    CHECK_NEAR(v, want, 1e-5 * fabs(want));
    CHECK(dlv[0] == 0.0f && dlv[1] == 0.0f);
    CHECK_NEAR(dmu[0], -0.4 / exp(-3.0), 1e-4);
}

static void test_categorical(void) {
    enum { B = 4000, C = 3, LD = 5 };
    float *logits = zeros((size_t)B * LD);
    const double p[C] = {0.2, 0.5, 0.3};
    for (int b = 0; b < B; b++) {
        for (int c = 0; c < C; c++) logits[(size_t)b * LD + c] = (float)(log(p[c]) + 1.5); /* shift: no effect */
        logits[(size_t)b * LD + 3] = 50.0f; /* outside the span: never chosen */
    }
    int *all = lc_calloc(B, sizeof(int)), *half = lc_calloc(B, sizeof(int)), *other = lc_calloc(B, sizeof(int));
    lc_categorical_sample(&ctx, all, logits, B, C, LD, 9);
    double freq[C] = {0};
    for (int b = 0; b < B; b++) {
        CHECK(all[b] >= 0 && all[b] < C);
        if (all[b] >= 0 && all[b] < C) freq[all[b]] += 1.0 / B;
    }
    for (int c = 0; c < C; c++) CHECK_NEAR(freq[c], p[c], 5 * sqrt(p[c] * (1 - p[c]) / B));
    /* rows B/2.. drawn by a "second rank" are the same draws; another step or layer gives others */
    lc_nn_ctx r1 = ctx;
    r1.sample0 = ctx.sample0 + B / 2;
    lc_categorical_sample(&r1, half, logits, B / 2, C, LD, 9);
    CHECK(memcmp(half, all + B / 2, sizeof(int) * (B / 2)) == 0);
    lc_nn_ctx s1 = ctx;
    s1.step++;
    lc_categorical_sample(&s1, other, logits, B, C, LD, 9);
    CHECK(memcmp(other, all, sizeof(int) * B) != 0);
    lc_categorical_sample(&ctx, other, logits, B, C, LD, 10);
    CHECK(memcmp(other, all, sizeof(int) * B) != 0);
    /* a dominant logit is always drawn */
    for (int b = 0; b < 10; b++) logits[(size_t)b * LD + 2] = 60.0f;
    lc_categorical_sample(&ctx, other, logits, 10, C, LD, 9);
    for (int b = 0; b < 10; b++) CHECK(other[b] == 2);
    free(logits), free(all), free(half), free(other);
}

int main(void) {
    lc_nn_ctx_init(&ctx, 77);
    ctx.step = 5;
    CHECK(lc_nn_backend_check(&lc_nn_backend_cpu) == NULL);
    RUN_TEST(test_gather);
    RUN_TEST(test_nll_logvar);
    RUN_TEST(test_categorical);
    return test_summary();
}
