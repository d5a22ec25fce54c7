/* Adam and AdamW against torch.optim over three steps (bias correction, both weight-decay forms), global-norm
 * clipping against torch.nn.utils.clip_grad_norm_, and the one-buffer parameter layout. */
#include <string.h>

#include "fixture.h"
#include "nn/nn.h"
#include "nn/params.h"
#include "test.h"

static lc_nn_ctx ctx;

static void test_adam_fixture(void) {
    fixture fx = fixture_load("adam");
    int n = 10, steps = 3;
    const float *g = fixture_get(&fx, "grads")->data;
    for (int decoupled = 0; decoupled < 2; decoupled++) {
        float *p = fixture_copy(&fx, "params0"), *m = zeros(n), *v = zeros(n);
        lc_adam_options opt;
        lc_adam_options_default(&opt);
        opt.lr = 1e-2f, opt.beta1 = 0.5f, opt.beta2 = 0.9f, opt.eps = 1e-8f, opt.weight_decay = 0.1f;
        opt.decoupled = decoupled;
        const fixture_tensor *ref = fixture_get(&fx, decoupled ? "adamw_params" : "adam_params");
        for (int t = 1; t <= steps; t++) {
            lc_adam_update(&ctx, p, g + (size_t)(t - 1) * n, m, v, n, &opt, t);
            for (int i = 0; i < n; i++)
                CHECK_MSG(fabs(p[i] - ref->data[(t - 1) * n + i]) <= 1e-6 + 1e-6 * fabs(ref->data[(t - 1) * n + i]),
                          "%s step %d entry %d: %.9g vs %.9g", decoupled ? "adamw" : "adam", t, i, p[i],
                          ref->data[(t - 1) * n + i]);
        }
        free(p), free(m), free(v);
    }
    /* the two forms differ, so the fixture distinguishes them */
    const float *a = fixture_get(&fx, "adam_params")->data, *w = fixture_get(&fx, "adamw_params")->data;
    double diff = 0;
    for (int i = 0; i < n; i++) diff += fabs(a[2 * n + i] - w[2 * n + i]);
    CHECK(diff > 1e-5);
    fixture_free(&fx);
}

static void test_clip_fixture(void) {
    fixture fx = fixture_load("adam");
    int n = 10;
    float *g = fixture_copy(&fx, "clip_grads");
    double norm = lc_grad_clip(&ctx, g, n, fixture_get(&fx, "clip_max")->data[0]);
    CHECK_NEAR(norm, fixture_get(&fx, "clip_norm")->data[0], 1e-5 * norm);
    CHECK_TENSOR(g, &fx, "clip_out", 1e-6, 1e-7);
    CHECK_NEAR(lc_grad_norm(&ctx, g, n), 2.0, 1e-5);
    /* below the threshold nothing changes */
    float before[10];
    memcpy(before, g, sizeof before);
    lc_grad_clip(&ctx, g, n, 100.0);
    CHECK(memcmp(before, g, sizeof before) == 0);
    free(g);
    fixture_free(&fx);
}

static void test_params_layout(void) {
    typedef struct {
        float *w1, *b1, *w2;
    } tensors;
    size_t sizes[] = {12, 3, 5};
    lc_params P;
    lc_params_create(&P, ctx.backend, sizes, 3);
    CHECK(P.total == 20);
    tensors w, g, m;
    float **wp[] = {&w.w1, &w.b1, &w.w2}, **gp[] = {&g.w1, &g.b1, &g.w2}, **mp[] = {&m.w1, &m.b1, &m.w2};
    lc_params_point(&P, P.params, wp);
    lc_params_point(&P, P.grads, gp);
    lc_params_point(&P, P.m, mp);
    CHECK(w.w1 == P.params && w.b1 == P.params + 12 && w.w2 == P.params + 15);
    CHECK(g.b1 - P.grads == 12 && m.w2 - P.m == 15);
    for (size_t i = 0; i < P.total; i++) CHECK(P.grads[i] == 0.0f && P.m[i] == 0.0f && P.v[i] == 0.0f);
    lc_params_init_tensor(&P, 0, 0.5f, 0.0f, 99);
    lc_params_init_tensor(&P, 1, 0.0f, 0.25f, 99);
    int inside = 1, distinct = 0;
    for (int i = 0; i < 12; i++) inside &= fabsf(w.w1[i]) <= 0.5f, distinct += w.w1[i] != w.w1[0];
    CHECK(inside && distinct >= 10);
    CHECK(w.b1[0] == 0.25f && w.b1[2] == 0.25f && w.w2[0] == 0.0f);
    /* same seed, same numbers (every rank initialises alike) */
    lc_params Q;
    lc_params_create(&Q, ctx.backend, sizes, 3);
    lc_params_init_tensor(&Q, 0, 0.5f, 0.0f, 99);
    CHECK(memcmp(Q.params, P.params, 12 * sizeof(float)) == 0);
    g.w2[1] = 3.0f;
    lc_params_zero_grad(&P);
    CHECK(g.w2[1] == 0.0f);
    lc_params_destroy(&P);
    lc_params_destroy(&Q);
    CHECK(P.params == NULL);
}

/* after lc_nn_flush_denormals a denormal result is zero (FTZ) and a denormal operand counts as zero (DAZ), on the
 * main thread and on OpenMP's threads */
static void test_flush_denormals(void) {
    volatile float tiny = 1e-37f, denormal = 1e-40f;
    CHECK(tiny * 0.01f != 0.0f && denormal * 1.0f != 0.0f); /* IEEE default: gradual underflow */
    if (!lc_nn_flush_denormals()) {
        printf("flush_denormals: no FTZ/DAZ on this architecture\n");
        return;
    }
    CHECK(tiny * 0.01f == 0.0f);
    CHECK(denormal * 1.0f == 0.0f);
    CHECK(denormal + tiny == tiny);
    int flushed = 1;
#pragma omp parallel reduction(&& : flushed)
    flushed = tiny * 0.01f == 0.0f && denormal * 1.0f == 0.0f;
    CHECK(flushed);
}

int main(void) {
    lc_nn_ctx_init(&ctx, 1);
    RUN_TEST(test_adam_fixture);
    RUN_TEST(test_clip_fixture);
    RUN_TEST(test_params_layout);
    RUN_TEST(test_flush_denormals); /* last: it changes this process's float mode */
    return test_summary();
}
