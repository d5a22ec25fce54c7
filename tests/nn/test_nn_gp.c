/* The WGAN-GP gradient penalty computed exactly by a double backward through a critic
 * [Linear -> act -> Dropout(fixed mask)] x n -> Linear(1), against PyTorch (create_graph=True) and against finite
 * differences. The critic here is written the way a model uses the engine (docs/nn.md, "double backward"):
 *   1. forward, keeping pre-activations a_i and layer outputs h_i;
 *   2. first backward with dout = 1, input gradients only (NULL parameter gradients), keeping ga_i, gs_i;
 *   3. penalty loss on g = d critic / d x, giving dL/dg;
 *   4. double backward in forward order: each layer's *_double_backward maps dL/d(its input gradient) to
 *      dL/d(its output gradient) and the weight gradient, and collects dL/da_i from f'' (zero for LeakyReLU);
 *   5. an ordinary backward through the forward graph from those dL/da_i (biases and earlier weights; needed for
 *      smooth activations such as tanh, a no-op for LeakyReLU). */
#include <string.h>

#include "fd.h"
#include "fixture.h"
#include "nn/nn.h"
#include "test.h"

enum { MAXL = 4 };

typedef struct {
    int B, D, H, n_hidden, tanh_act;
    float *w[MAXL], *b[MAXL];     /* layer i: (H, D or H), (H); last: (1, H), (1) */
    float *dw[MAXL], *db[MAXL];
    float *mask[MAXL];            /* (B, H) or NULL */
    float *x;                     /* (B, D) */
    float *a[MAXL], *s[MAXL], *h[MAXL + 1], *out, *ones;
    float *ga[MAXL], *gs[MAXL], *gh[MAXL + 1];
} critic;

static lc_nn_ctx ctx;

static int in_dim(const critic *c, int i) { return i == 0 ? c->D : c->H; }

static void critic_alloc(critic *c) {
    int L = c->n_hidden;
    for (int i = 0; i <= L; i++) {
        int oc = i < L ? c->H : 1;
        c->w[i] = zeros((size_t)oc * in_dim(c, i)), c->b[i] = zeros(oc);
        c->dw[i] = zeros((size_t)oc * in_dim(c, i)), c->db[i] = zeros(oc);
    }
    for (int i = 0; i < L; i++) {
        size_t n = (size_t)c->B * c->H;
        c->a[i] = zeros(n), c->s[i] = zeros(n), c->ga[i] = zeros(n), c->gs[i] = zeros(n);
        c->h[i + 1] = zeros(n), c->gh[i + 1] = zeros(n);
    }
    c->x = zeros((size_t)c->B * c->D);
    c->h[0] = c->x;
    c->gh[0] = zeros((size_t)c->B * c->D);
    c->out = zeros(c->B), c->ones = zeros(c->B);
    for (int b = 0; b < c->B; b++) c->ones[b] = 1.0f;
}

static void critic_free(critic *c) {
    for (int i = 0; i <= c->n_hidden; i++) free(c->w[i]), free(c->b[i]), free(c->dw[i]), free(c->db[i]);
    for (int i = 0; i < c->n_hidden; i++) {
        free(c->a[i]), free(c->s[i]), free(c->ga[i]), free(c->gs[i]), free(c->h[i + 1]), free(c->gh[i + 1]);
        free(c->mask[i]);
    }
    free(c->x), free(c->gh[0]), free(c->out), free(c->ones);
}

/* steps 1-3: returns the penalty, leaves the first-backward tensors in c */
static double critic_penalty(critic *c, double lambda, float *dg) {
    int L = c->n_hidden, B = c->B, H = c->H, n = B * H;
    for (int i = 0; i < L; i++) {
        lc_linear_forward(&ctx, c->a[i], c->h[i], c->w[i], c->b[i], B, in_dim(c, i), H);
        if (c->tanh_act)
            lc_tanh_forward(&ctx, c->s[i], c->a[i], n);
        else
            lc_leakyrelu_forward(&ctx, c->s[i], c->a[i], n, 0.2f);
        if (c->mask[i])
            lc_dropout_apply(&ctx, c->h[i + 1], c->s[i], c->mask[i], n);
        else
            memcpy(c->h[i + 1], c->s[i], sizeof(float) * n);
    }
    lc_linear_forward(&ctx, c->out, c->h[L], c->w[L], c->b[L], B, H, 1);
    /* first backward: input gradients only */
    for (int i = 0; i <= L; i++) memset(c->gh[i], 0, sizeof(float) * B * in_dim(c, i));
    lc_linear_backward(&ctx, c->gh[L], NULL, NULL, c->ones, NULL, c->w[L], B, H, 1);
    for (int i = L - 1; i >= 0; i--) {
        memset(c->gs[i], 0, sizeof(float) * n);
        memset(c->ga[i], 0, sizeof(float) * n);
        if (c->mask[i])
            lc_dropout_backward(&ctx, c->gs[i], c->gh[i + 1], c->mask[i], n);
        else
            memcpy(c->gs[i], c->gh[i + 1], sizeof(float) * n);
        if (c->tanh_act)
            lc_tanh_backward(&ctx, c->ga[i], c->gs[i], c->s[i], n);
        else
            lc_leakyrelu_backward(&ctx, c->ga[i], c->gs[i], c->a[i], n, 0.2f);
        lc_linear_backward(&ctx, c->gh[i], NULL, NULL, c->ga[i], NULL, c->w[i], B, in_dim(c, i), H);
    }
    return lc_gradient_penalty_loss(&ctx, dg, c->gh[0], B, c->D, lambda);
}

/* steps 1-5: penalty and its gradient accumulated into dw, db */
static double critic_penalty_backward(critic *c, double lambda) {
    int L = c->n_hidden, B = c->B, H = c->H, n = B * H;
    float *dg[MAXL + 1] = {0}, *dga = zeros(n), *dgs = zeros(n), *da[MAXL], *dh = zeros(n), *tmp = zeros(n);
    for (int i = 0; i <= L; i++) dg[i] = zeros((size_t)B * in_dim(c, i));
    double gp = critic_penalty(c, lambda, dg[0]);
    /* step 4: forward order through the first backward */
    for (int i = 0; i < L; i++) {
        memset(dga, 0, sizeof(float) * n);
        memset(dgs, 0, sizeof(float) * n);
        da[i] = zeros(n);
        lc_linear_double_backward(&ctx, dga, c->dw[i], dg[i], c->ga[i], c->w[i], B, in_dim(c, i), H);
        if (c->tanh_act)
            lc_tanh_double_backward(&ctx, dgs, da[i], dga, c->gs[i], c->a[i], n);
        else
            lc_leakyrelu_double_backward(&ctx, dgs, da[i], dga, c->gs[i], c->a[i], n, 0.2f);
        if (c->mask[i])
            lc_dropout_backward(&ctx, dg[i + 1], dgs, c->mask[i], n);
        else
            memcpy(dg[i + 1], dgs, sizeof(float) * n);
    }
    lc_linear_double_backward(&ctx, NULL, c->dw[L], dg[L], c->ones, c->w[L], B, H, 1);
    /* step 5: ordinary backward from dL/da_i (the output itself does not enter the penalty) */
    memset(dh, 0, sizeof(float) * n);
    for (int i = L - 1; i >= 0; i--) {
        if (i < L - 1) { /* dh holds dL/dh_{i+1}: through dropout and the activation into da[i] */
            memset(tmp, 0, sizeof(float) * n);
            if (c->mask[i])
                lc_dropout_backward(&ctx, tmp, dh, c->mask[i], n);
            else
                memcpy(tmp, dh, sizeof(float) * n);
            if (c->tanh_act)
                lc_tanh_backward(&ctx, da[i], tmp, c->s[i], n);
            else
                lc_leakyrelu_backward(&ctx, da[i], tmp, c->a[i], n, 0.2f);
        }
        memset(dh, 0, sizeof(float) * n);
        lc_linear_backward(&ctx, i > 0 ? dh : NULL, c->dw[i], c->db[i], da[i], c->h[i], c->w[i], B, in_dim(c, i), H);
    }
    for (int i = 0; i <= L; i++) free(dg[i]);
    for (int i = 0; i < L; i++) free(da[i]);
    free(dga), free(dgs), free(dh), free(tmp);
    return gp;
}

static void load_critic(critic *c, const fixture *fx, int with_masks) {
    int L = c->n_hidden;
    char name[16];
    memcpy(c->x, fixture_get(fx, "x")->data, sizeof(float) * c->B * c->D);
    for (int i = 0; i <= L; i++) {
        int oc = i < L ? c->H : 1;
        snprintf(name, sizeof name, "w%d", i + 1);
        memcpy(c->w[i], fixture_get(fx, name)->data, sizeof(float) * oc * in_dim(c, i));
        snprintf(name, sizeof name, "b%d", i + 1);
        memcpy(c->b[i], fixture_get(fx, name)->data, sizeof(float) * oc);
        if (i < L && with_masks) {
            snprintf(name, sizeof name, "mask%d", i + 1);
            c->mask[i] = fixture_copy(fx, name);
        }
    }
}

static void test_gp_fixture(const char *file, int n_hidden, int with_masks) {
    fixture fx = fixture_load(file);
    critic c = {.B = 5, .D = 6, .H = 8, .n_hidden = n_hidden};
    critic_alloc(&c);
    load_critic(&c, &fx, with_masks);
    double lambda = fixture_get(&fx, "lam")->data[0];
    double gp = critic_penalty_backward(&c, lambda);
    double ref = fixture_get(&fx, "gp")->data[0];
    CHECK_NEAR(gp, ref, 1e-5 * fabs(ref));
    CHECK_TENSOR(c.gh[0], &fx, "gx", 1e-5, 1e-6);
    char name[16];
    for (int i = 0; i <= n_hidden; i++) {
        snprintf(name, sizeof name, "dw%d", i + 1);
        CHECK_TENSOR(c.dw[i], &fx, name, 1e-5, 1e-6);
        snprintf(name, sizeof name, "db%d", i + 1);
        CHECK_TENSOR(c.db[i], &fx, name, 1e-5, 1e-6); /* zero for a LeakyReLU critic, in both */
    }
    critic_free(&c);
    fixture_free(&fx);
}

static void test_gp_fixture_plain(void) { test_gp_fixture("gp", 1, 0); }
static void test_gp_fixture_dropout(void) { test_gp_fixture("gp_dropout", 2, 1); }

/* sign pattern of the pre-activations: a LeakyReLU critic's penalty is smooth only while it is fixed */
static uint64_t pattern_hash(const critic *c) {
    uint64_t hsh = 1469598103934665603ULL;
    for (int i = 0; i < c->n_hidden; i++)
        for (int k = 0; k < c->B * c->H; k++) hsh = (hsh ^ (uint64_t)(c->a[i][k] > 0)) * 1099511628211ULL;
    return hsh;
}

/* central differences of the penalty over every parameter tensor; probes whose stencil flips a LeakyReLU are
 * skipped (the penalty is discontinuous in its derivative there), and at most a few may be */
static void fd_critic(critic *c, lc_rng *rng) {
    double h = 1e-2, lambda = 10.0;
    int probes = 0, skipped = 0;
    float *scratch = zeros((size_t)c->B * c->D);
    for (int i = 0; i <= c->n_hidden; i++) {
        int oc = i < c->n_hidden ? c->H : 1;
        float *t[2] = {c->w[i], c->b[i]}, *g[2] = {c->dw[i], c->db[i]};
        size_t n[2] = {(size_t)oc * in_dim(c, i), (size_t)oc};
        for (int k = 0; k < 2; k++) {
            for (int p = 0; p < 8; p++) {
                size_t j = lc_rng_u32(rng) % n[k];
                float x0 = t[k][j], xp = (float)(x0 + h), xm = (float)(x0 - h);
                critic_penalty(c, lambda, NULL);
                uint64_t pat = pattern_hash(c);
                t[k][j] = xp;
                double lp = critic_penalty(c, lambda, NULL);
                uint64_t pp = pattern_hash(c);
                t[k][j] = xm;
                double lm = critic_penalty(c, lambda, NULL);
                uint64_t pm = pattern_hash(c);
                t[k][j] = x0;
                probes++;
                if (pp != pat || pm != pat) {
                    skipped++;
                    continue;
                }
                double num = (lp - lm) / ((double)xp - xm), ana = g[k][j];
                CHECK_MSG(fabs(num - ana) <= 3e-3 + 1e-2 * fmax(fabs(num), fabs(ana)),
                          "%s critic layer %d %s[%zu]: numeric %.8g analytic %.8g", c->tanh_act ? "tanh" : "leaky",
                          i, k ? "b" : "w", j, num, ana);
            }
        }
    }
    CHECK_MSG(skipped * 4 <= probes, "%d of %d probes crossed a kink", skipped, probes);
    free(scratch);
}

static void test_gp_finite_differences(void) {
    lc_rng rng;
    lc_rng_init(&rng, 31337, 0, 0);
    for (int rep = 0; rep < 6; rep++) {
        critic c = {.B = fd_int(&rng, 1, 6), .D = fd_int(&rng, 1, 7), .H = fd_int(&rng, 2, 9),
                    .n_hidden = fd_int(&rng, 1, 3), .tanh_act = rep % 2};
        critic_alloc(&c);
        fd_fill(&rng, c.x, (size_t)c.B * c.D, 1, 0);
        for (int i = 0; i <= c.n_hidden; i++) {
            int oc = i < c.n_hidden ? c.H : 1;
            fd_fill(&rng, c.w[i], (size_t)oc * in_dim(&c, i), 0.8, 0);
            fd_fill(&rng, c.b[i], oc, 0.5, 0);
            if (i < c.n_hidden && rep >= 2) { /* dropout masks drawn from the keyed generator */
                float *dummy = zeros((size_t)c.B * c.H);
                c.mask[i] = zeros((size_t)c.B * c.H);
                lc_dropout_forward(&ctx, dummy, c.mask[i], dummy, c.B, c.H, 0.5f, (uint32_t)i);
                free(dummy);
            }
        }
        critic_penalty_backward(&c, 10.0);
        if (c.tanh_act) { /* smooth critic: the bias gradients are genuinely non-zero */
            double sb = 0;
            for (int k = 0; k < c.H; k++) sb += fabs(c.db[0][k]);
            CHECK(sb > 0);
        }
        fd_critic(&c, &rng);
        critic_free(&c);
    }
}

int main(void) {
    lc_nn_ctx_init(&ctx, 4242);
    RUN_TEST(test_gp_fixture_plain);
    RUN_TEST(test_gp_fixture_dropout);
    RUN_TEST(test_gp_finite_differences);
    return test_summary();
}
