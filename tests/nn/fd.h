/* Finite-difference gradient checks: a scalar L(theta) = sum_i w_i out_i(theta), summed in double from the
 * float32 outputs, differenced centrally at a few random entries of a tensor and compared with the analytic
 * gradient that backward accumulated for the same w. */
#ifndef LEGOCRYST_TESTS_NN_FD_H
#define LEGOCRYST_TESTS_NN_FD_H

#include <math.h>
#include <stdio.h>

#include "core/rng.h"
#include "test.h"

typedef double (*fd_loss_fn)(void *user);

/* sum_i w_i out_i in double */
static inline double fd_dot(const float *w, const float *out, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)w[i] * out[i];
    return s;
}

/* Step h = 1e-2 keeps float32 rounding of L (about 1e-7 |L| / h) well below the tolerance while the truncation
 * error (h^2 f''' / 6) stays small for these smooth, unit-scale functions. */
#define FD_CHECK(what, loss, user, x, grad, n, rng)                                                              \
    fd_check_at(__FILE__, __LINE__, (what), (loss), (user), (x), (grad), (n), (rng), 1e-2, 1e-2, 2e-3)

static inline void fd_check_at(const char *file, int line, const char *what, fd_loss_fn loss, void *user, float *x,
                        const float *grad, size_t n, lc_rng *rng, double h, double rtol, double atol) {
    size_t probes = n < 16 ? n : 16;
    for (size_t p = 0; p < probes; p++) {
        size_t k = n < 16 ? p : (size_t)(lc_rng_u32(rng) % n);
        float x0 = x[k];
        float xp = (float)(x0 + h), xm = (float)(x0 - h);
        x[k] = xp;
        double lp = loss(user);
        x[k] = xm;
        double lm = loss(user);
        x[k] = x0;
        double num = (lp - lm) / ((double)xp - xm); /* the float steps actually taken */
        double ana = grad[k];
        test_checks++;
        if (!(fabs(num - ana) <= atol + rtol * fmax(fabs(num), fabs(ana)))) {
            test_failures++;
            fprintf(stderr, "%s:%d: finite difference %s[%zu]: numeric %.8g, analytic %.8g\n", file, line, what, k,
                    num, ana);
        }
    }
}

/* n uniform floats in [-1, 1) times scale, with |x| >= gap (keeps kinks of ReLU-like functions away from the
 * finite-difference stencil) */
static inline void fd_fill(lc_rng *rng, float *x, size_t n, double scale, double gap) {
    for (size_t i = 0; i < n; i++) {
        double u = 2.0 * lc_rng_uniform(rng) - 1.0;
        if (fabs(u) < gap) u = u < 0 ? u - gap : u + gap;
        x[i] = (float)(u * scale);
    }
}

static inline int fd_int(lc_rng *rng, int lo, int hi) { return lo + (int)(lc_rng_u32(rng) % (uint32_t)(hi - lo + 1)); }

#endif
