/* Context defaults, keyed random numbers, BLAS threads, denormal floats. */
#include <cblas.h>
#include <stddef.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "nn/nn_internal.h"

/* One process: the sums over ranks are the local sums. */
static void allreduce_identity(double *data, int n, void *user) {
    (void)data;
    (void)n;
    (void)user;
}

void lc_nn_ctx_init(lc_nn_ctx *ctx, uint64_t seed) {
    ctx->backend = &lc_nn_backend_cpu;
    ctx->training = 1;
    ctx->seed = seed;
    ctx->step = 0;
    ctx->sample0 = 0;
    ctx->allreduce_sum = allreduce_identity;
    ctx->allreduce_user = NULL;
}

void lc_nn_rng(const lc_nn_ctx *ctx, lc_rng *rng, uint32_t layer_id, int64_t row) {
    uint64_t sample = ctx->sample0 + (uint64_t)row;
    /* Both halves must fit in 32 bits or two (step, sample) pairs would share a stream. */
    NN_CHECK(row >= 0 && sample < (UINT64_C(1) << 32) && ctx->step < (UINT64_C(1) << 32));
    lc_rng_init(rng, ctx->seed, layer_id, ctx->step << 32 | sample);
}

void lc_nn_set_blas_threads(int n) {
    if (n > 0) openblas_set_num_threads(n);
}

int lc_nn_flush_denormals(void) {
#if defined(__SSE__)
    int set = 1;
#pragma omp parallel reduction(&& : set)
    {
        _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ (bit 15): results; DAZ (bit 6): inputs */
        set = (_mm_getcsr() & 0x8040) == 0x8040;
    }
    return set;
#else
    return 0;
#endif
}

const char *lc_nn_backend_check(const lc_nn_backend *b) {
#define NN_ENTRY(name)                                                                                           \
    if (!b->name) return #name;
    NN_ENTRY(alloc) NN_ENTRY(free) NN_ENTRY(zero) NN_ENTRY(to_device) NN_ENTRY(to_host)
    NN_ENTRY(linear_forward) NN_ENTRY(linear_backward) NN_ENTRY(linear_double_backward)
    NN_ENTRY(batchnorm_forward) NN_ENTRY(batchnorm_backward) NN_ENTRY(layernorm_forward)
    NN_ENTRY(layernorm_backward) NN_ENTRY(activation_forward) NN_ENTRY(activation_backward)
    NN_ENTRY(activation_double_backward) NN_ENTRY(dropout_mask) NN_ENTRY(mul) NN_ENTRY(mul_acc)
    NN_ENTRY(softmax_forward) NN_ENTRY(softmax_backward) NN_ENTRY(gumbel_noise) NN_ENTRY(embedding_forward)
    NN_ENTRY(embedding_backward) NN_ENTRY(attention_forward) NN_ENTRY(attention_backward) NN_ENTRY(axpy)
    NN_ENTRY(add) NN_ENTRY(concat_forward) NN_ENTRY(concat_backward) NN_ENTRY(mse_loss)
    NN_ENTRY(cross_entropy_loss) NN_ENTRY(gaussian_nll_loss) NN_ENTRY(kl_normal_loss) NN_ENTRY(wasserstein_loss)
    NN_ENTRY(gradient_penalty_loss) NN_ENTRY(adam_update) NN_ENTRY(sum_squares) NN_ENTRY(scale)
    NN_ENTRY(tanh_span_forward) NN_ENTRY(tanh_span_backward) NN_ENTRY(clamp) NN_ENTRY(random_fill)
    NN_ENTRY(reparam_forward) NN_ENTRY(reparam_backward) NN_ENTRY(lerp_rows)
    NN_ENTRY(gather_forward) NN_ENTRY(gather_backward) NN_ENTRY(categorical_sample)
    NN_ENTRY(gaussian_nll_logvar_loss)
#undef NN_ENTRY
    return NULL;
}
