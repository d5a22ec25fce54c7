/* Losses, each fused forward + backward (a loss is always the root of the graph). Sums in double. */
#include <math.h>

#include "nn/nn_internal.h"

double lc_cpu_mse_loss(const lc_nn_ctx *ctx, float *dpred, const float *pred, const float *target, int N,
                       double scale) {
    double sum = 0.0;
    for (int i = 0; i < N; i++) {
        double d = (double)pred[i] - target[i];
        sum += d * d;
        if (dpred) dpred[i] += (float)(2.0 * scale * d);
    }
    return scale * sum;
}

double lc_cpu_cross_entropy_loss(const lc_nn_ctx *ctx, float *dlogits, const float *logits, const int *target,
                                 int B, int C, int ld, double scale) {
    enum { KEEP = 1024 }; /* the exponentials of spans up to this wide are kept for the gradient */
    double e[KEEP];
    double sum = 0.0;
    for (int b = 0; b < B; b++) {
        const float *x = logits + (size_t)b * ld;
        NN_CHECK(target[b] >= 0 && target[b] < C);
        double xmax = -INFINITY, z = 0.0;
        for (int c = 0; c < C; c++)
            if (x[c] > xmax) xmax = x[c];
        for (int c = 0; c < C; c++) {
            double ec = exp(x[c] - xmax);
            if (c < KEEP) e[c] = ec;
            z += ec;
        }
        double lse = xmax + log(z);
        sum += lse - x[target[b]];
        if (dlogits) {
            float *d = dlogits + (size_t)b * ld;
            for (int c = 0; c < C; c++) {
                double p = c < KEEP ? e[c] / z : exp(x[c] - lse);
                d[c] += (float)(scale * (p - (c == target[b])));
            }
        }
    }
    return scale * sum;
}

double lc_cpu_gaussian_nll_loss(const lc_nn_ctx *ctx, float *dmu, float *dsigma, const float *mu,
                                const float *target, const float *sigma, int B, int C, int ld, double scale) {
    double sum = 0.0;
    for (int c = 0; c < C; c++) {
        double s = sigma[c], ds = 0.0;
        NN_CHECK(s > 0.0);
        sum += B * log(s);
        for (int b = 0; b < B; b++) {
            size_t i = (size_t)b * ld + c;
            double r = (double)target[i] - mu[i];
            sum += r * r / (2.0 * s * s);
            if (dmu) dmu[i] += (float)(-scale * r / (s * s));
            ds += -r * r / (s * s * s) + 1.0 / s;
        }
        if (dsigma) dsigma[c] += (float)(scale * ds);
    }
    return scale * sum;
}

double lc_cpu_gaussian_nll_logvar_loss(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *mu,
                                       const float *logvar, const float *target, int N, float lo, float hi,
                                       double scale) {
    double sum = 0.0;
    for (int i = 0; i < N; i++) {
        double lv = logvar[i] < lo ? lo : logvar[i] > hi ? hi : logvar[i];
        double r = (double)target[i] - mu[i], iv = exp(-lv);
        sum += 0.5 * r * r * iv + 0.5 * lv;
        if (dmu) dmu[i] += (float)(-scale * r * iv);
        if (dlogvar && logvar[i] >= lo && logvar[i] <= hi) dlogvar[i] += (float)(scale * 0.5 * (1.0 - r * r * iv));
    }
    return scale * sum;
}

double lc_cpu_kl_normal_loss(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *mu, const float *logvar,
                             int N, double scale) {
    double sum = 0.0;
    for (int i = 0; i < N; i++) {
        double m = mu[i], lv = logvar[i], e = exp(lv);
        sum += -0.5 * (1.0 + lv - m * m - e);
        if (dmu) dmu[i] += (float)(scale * m);
        if (dlogvar) dlogvar[i] += (float)(scale * 0.5 * (e - 1.0));
    }
    return scale * sum;
}

double lc_cpu_wasserstein_loss(const lc_nn_ctx *ctx, float *dreal, float *dfake, const float *real, int n_real,
                               const float *fake, int n_fake, double scale) {
    double sr = 0.0, sf = 0.0;
    for (int i = 0; i < n_real; i++) sr += real[i];
    for (int i = 0; i < n_fake; i++) sf += fake[i];
    double value = 0.0;
    if (n_fake > 0) {
        value += sf / n_fake;
        if (dfake)
            for (int i = 0; i < n_fake; i++) dfake[i] += (float)(scale / n_fake);
    }
    if (n_real > 0) {
        value -= sr / n_real;
        if (dreal)
            for (int i = 0; i < n_real; i++) dreal[i] -= (float)(scale / n_real);
    }
    return scale * value;
}

double lc_cpu_gradient_penalty_loss(const lc_nn_ctx *ctx, float *dg, const float *g, int B, int C, double lambda) {
    double sum = 0.0;
    for (int b = 0; b < B; b++) {
        const float *x = g + (size_t)b * C;
        double n2 = 0.0;
        for (int c = 0; c < C; c++) n2 += (double)x[c] * x[c];
        double norm = sqrt(n2);
        sum += (norm - 1.0) * (norm - 1.0);
        /* d||g|| / dg = g / ||g||; at g = 0 the subgradient 0 (as PyTorch's norm backward) */
        if (dg && norm > 0.0) {
            double f = lambda / B * 2.0 * (norm - 1.0) / norm;
            for (int c = 0; c < C; c++) dg[(size_t)b * C + c] += (float)(f * x[c]);
        }
    }
    return B > 0 ? lambda * sum / B : 0.0;
}

double lc_mse_loss(const lc_nn_ctx *ctx, float *dpred, const float *pred, const float *target, int N, double scale) {
    NN_CHECK(N >= 0 && pred && target);
    return ctx->backend->mse_loss(ctx, dpred, pred, target, N, scale);
}

double lc_cross_entropy_loss(const lc_nn_ctx *ctx, float *dlogits, const float *logits, const int *target, int B,
                             int C, int ld, double scale) {
    NN_CHECK(B >= 0 && C > 0 && ld >= C && logits && target);
    return ctx->backend->cross_entropy_loss(ctx, dlogits, logits, target, B, C, ld, scale);
}

double lc_gaussian_nll_loss(const lc_nn_ctx *ctx, float *dmu, float *dsigma, const float *mu, const float *target,
                            const float *sigma, int B, int C, int ld, double scale) {
    NN_CHECK(B >= 0 && C >= 0 && ld >= C && mu && target && sigma);
    return ctx->backend->gaussian_nll_loss(ctx, dmu, dsigma, mu, target, sigma, B, C, ld, scale);
}

double lc_kl_normal_loss(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *mu, const float *logvar,
                         int N, double scale) {
    NN_CHECK(N >= 0 && mu && logvar);
    return ctx->backend->kl_normal_loss(ctx, dmu, dlogvar, mu, logvar, N, scale);
}

double lc_wasserstein_loss(const lc_nn_ctx *ctx, float *dreal, float *dfake, const float *real, int n_real,
                           const float *fake, int n_fake, double scale) {
    NN_CHECK(n_real >= 0 && n_fake >= 0 && (n_real == 0 || real) && (n_fake == 0 || fake));
    return ctx->backend->wasserstein_loss(ctx, dreal, dfake, real, n_real, fake, n_fake, scale);
}

double lc_gradient_penalty_loss(const lc_nn_ctx *ctx, float *dg, const float *g, int B, int C, double lambda) {
    NN_CHECK(B >= 0 && C > 0 && g);
    return ctx->backend->gradient_penalty_loss(ctx, dg, g, B, C, lambda);
}

double lc_gaussian_nll_logvar_loss(const lc_nn_ctx *ctx, float *dmu, float *dlogvar, const float *mu,
                                   const float *logvar, const float *target, int N, float lo, float hi,
                                   double scale) {
    NN_CHECK(N >= 0 && lo <= hi && mu && logvar && target);
    return ctx->backend->gaussian_nll_logvar_loss(ctx, dmu, dlogvar, mu, logvar, target, N, lo, hi, scale);
}
