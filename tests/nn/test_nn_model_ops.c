/* The element-wise ops added for the tabular models: tanh on a span and the reparameterisation by finite
 * differences, clamp and the GP interpolation by direct evaluation, and the keyed uniform/normal draws (same
 * numbers for a row whichever "rank" draws it, moments, per-column scale). */
#include <stdlib.h>
#include <string.h>

#include "fd.h"
#include "fixture.h"
#include "nn/backend.h"
#include "nn/nn.h"
#include "test.h"

static lc_nn_ctx ctx;

typedef struct {
    int B, C, ld, N;
    float *x, *mu, *logvar, *eps, *out, *w;
} ops_case;

/* L = sum w * tanh(x) over the span only (columns outside are written nowhere) */
static double loss_tanh_span(void *u) {
    ops_case *c = u;
    memset(c->out, 0, sizeof(float) * c->B * c->ld);
    lc_tanh_span_forward(&ctx, c->out, c->x, c->B, c->C, c->ld);
    return fd_dot(c->w, c->out, (size_t)c->B * c->ld);
}

static double loss_reparam(void *u) {
    ops_case *c = u;
    lc_reparam_forward(&ctx, c->out, c->mu, c->logvar, c->eps, c->N);
    return fd_dot(c->w, c->out, c->N);
}

static void test_tanh_span(void) {
    lc_rng rng;
    lc_rng_init(&rng, 99, 0, 0);
    for (int rep = 0; rep < 5; rep++) {
        ops_case c = {.B = fd_int(&rng, 1, 6), .C = fd_int(&rng, 1, 4)};
        c.ld = c.C + fd_int(&rng, 0, 3);
        size_t n = (size_t)c.B * c.ld;
        c.x = zeros(n), c.out = zeros(n), c.w = zeros(n);
        fd_fill(&rng, c.x, n, 2, 0), fd_fill(&rng, c.w, n, 1, 0);
        float *dx = zeros(n), *sentinel = zeros(n);
        for (size_t i = 0; i < n; i++) sentinel[i] = dx[i] = 7.0f; /* backward accumulates onto it */
        loss_tanh_span(&c);
        lc_tanh_span_backward(&ctx, dx, c.w, c.out, c.B, c.C, c.ld);
        for (int b = 0; b < c.B; b++)
            for (int k = 0; k < c.ld; k++) {
                size_t i = (size_t)b * c.ld + k;
                if (k < c.C) {
                    CHECK_NEAR(c.out[i], tanh(c.x[i]), 1e-6);
                    dx[i] -= 7.0f;
                } else { /* outside the span: untouched */
                    CHECK(c.out[i] == 0.0f && dx[i] == sentinel[i]);
                    dx[i] = 0.0f;
                }
            }
        FD_CHECK("tanh span x", loss_tanh_span, &c, c.x, dx, n, &rng);
        free(c.x), free(c.out), free(c.w), free(dx), free(sentinel);
    }
}

static void test_reparam(void) {
    lc_rng rng;
    lc_rng_init(&rng, 98, 0, 0);
    for (int rep = 0; rep < 4; rep++) {
        ops_case c = {.N = fd_int(&rng, 1, 20)};
        c.mu = zeros(c.N), c.logvar = zeros(c.N), c.eps = zeros(c.N), c.out = zeros(c.N), c.w = zeros(c.N);
        fd_fill(&rng, c.mu, c.N, 1, 0), fd_fill(&rng, c.logvar, c.N, 1.5, 0), fd_fill(&rng, c.eps, c.N, 1.5, 0);
        fd_fill(&rng, c.w, c.N, 1, 0);
        float *dmu = zeros(c.N), *dlv = zeros(c.N);
        loss_reparam(&c);
        for (int i = 0; i < c.N; i++) CHECK_NEAR(c.out[i], c.mu[i] + c.eps[i] * exp(0.5 * c.logvar[i]), 1e-5);
        lc_reparam_backward(&ctx, dmu, dlv, c.w, c.logvar, c.eps, c.N);
        FD_CHECK("reparam mu", loss_reparam, &c, c.mu, dmu, c.N, &rng);
        FD_CHECK("reparam logvar", loss_reparam, &c, c.logvar, dlv, c.N, &rng);
        lc_reparam_backward(&ctx, NULL, dlv, c.w, c.logvar, c.eps, c.N); /* NULL dmu skipped, dlogvar doubles */
        CHECK_NEAR(dlv[0], 2.0 * c.w[0] * c.eps[0] * 0.5 * exp(0.5 * c.logvar[0]), 1e-5);
        free(c.mu), free(c.logvar), free(c.eps), free(c.out), free(c.w), free(dmu), free(dlv);
    }
}

static void test_clamp_lerp(void) {
    float x[8] = {-3, -0.5f, 0.25f, 2, 5, -5, 0.9f, 1.1f};
    lc_clamp(&ctx, x, 2, 3, 4, -1.0f, 1.0f); /* rows of 4, first 3 columns */
    const float want[8] = {-1, -0.5f, 0.25f, 2, 1, -1, 0.9f, 1.1f};
    for (int i = 0; i < 8; i++) CHECK(x[i] == want[i]);
    float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {-1, -2, -3, 0, 0, 0}, alpha[2] = {0.25f, 1.0f}, out[6];
    lc_lerp_rows(&ctx, out, a, b, alpha, 2, 3);
    const float lw[6] = {-0.5f, -1.0f, -1.5f, 4, 5, 6};
    for (int i = 0; i < 6; i++) CHECK_NEAR(out[i], lw[i], 1e-6);
}

static void test_noise_keying(void) {
    enum { B = 400, C = 3, LD = 5 };
    float *all = zeros(B * LD), *half = zeros(B * LD), *std = zeros(C);
    std[0] = 1.0f, std[1] = 0.5f, std[2] = 2.0f;
    for (int normal = 0; normal < 2; normal++) {
        memset(all, 0, sizeof(float) * B * LD);
        memset(half, 0, sizeof(float) * B * LD);
        if (normal)
            lc_normal_noise(&ctx, all, std, B, C, LD, 17);
        else
            lc_uniform_noise(&ctx, all, B, C, LD, 17);
        /* the second half drawn by a "second rank" whose row 0 is global row B / 2 */
        lc_nn_ctx r1 = ctx;
        r1.sample0 = ctx.sample0 + B / 2;
        if (normal)
            lc_normal_noise(&r1, half, std, B / 2, C, LD, 17);
        else
            lc_uniform_noise(&r1, half, B / 2, C, LD, 17);
        CHECK(memcmp(half, all + (size_t)(B / 2) * LD, sizeof(float) * (B / 2) * LD) == 0);
        /* another layer id or step gives other numbers */
        lc_nn_ctx s1 = ctx;
        s1.step++;
        float other[LD];
        lc_uniform_noise(&s1, other, 1, C, LD, 17);
        CHECK(normal || memcmp(other, all, sizeof(float) * C) != 0);
        lc_uniform_noise(&ctx, other, 1, C, LD, 18);
        CHECK(normal || memcmp(other, all, sizeof(float) * C) != 0);
        for (int c = 0; c < LD; c++) {
            double m = 0, v = 0;
            for (int b = 0; b < B; b++) m += all[b * LD + c];
            m /= B;
            for (int b = 0; b < B; b++) v += (all[b * LD + c] - m) * (all[b * LD + c] - m);
            v /= B - 1;
            if (c >= C) { /* outside the span: untouched */
                CHECK(m == 0.0 && v == 0.0);
            } else if (normal) { /* mean 0, std std_c: 5 standard errors */
                CHECK_NEAR(m, 0.0, 5.0 * std[c] / sqrt(B));
                CHECK_NEAR(sqrt(v), std[c], 5.0 * std[c] / sqrt(2.0 * B));
            } else {
                CHECK_NEAR(m, 0.5, 5.0 * sqrt(1.0 / 12 / B));
                for (int b = 0; b < B; b++) CHECK(all[b * LD + c] >= 0.0f && all[b * LD + c] < 1.0f);
            }
        }
    }
    free(all), free(half), free(std);
}

int main(void) {
    lc_nn_ctx_init(&ctx, 2024);
    ctx.step = 3;
    CHECK(lc_nn_backend_check(&lc_nn_backend_cpu) == NULL);
    RUN_TEST(test_tanh_span);
    RUN_TEST(test_reparam);
    RUN_TEST(test_clamp_lerp);
    RUN_TEST(test_noise_keying);
    return test_summary();
}
