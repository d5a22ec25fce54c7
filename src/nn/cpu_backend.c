/* The CPU reference backend: host memory, OpenBLAS matrix products, OpenMP loops. */
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"

static void *cpu_alloc(size_t bytes) { return lc_malloc(bytes); }
static void cpu_free(void *ptr) { free(ptr); }
static void cpu_zero(void *ptr, size_t bytes) {
    if (bytes) memset(ptr, 0, bytes);
}
static void cpu_copy(void *dst, const void *src, size_t bytes) {
    if (bytes) memcpy(dst, src, bytes);
}

const lc_nn_backend lc_nn_backend_cpu = {
    .name = "cpu",
    .alloc = cpu_alloc,
    .free = cpu_free,
    .zero = cpu_zero,
    .to_device = cpu_copy,
    .to_host = cpu_copy,
    .linear_forward = lc_cpu_linear_forward,
    .linear_backward = lc_cpu_linear_backward,
    .linear_double_backward = lc_cpu_linear_double_backward,
    .batchnorm_forward = lc_cpu_batchnorm_forward,
    .batchnorm_backward = lc_cpu_batchnorm_backward,
    .layernorm_forward = lc_cpu_layernorm_forward,
    .layernorm_backward = lc_cpu_layernorm_backward,
    .activation_forward = lc_cpu_activation_forward,
    .activation_backward = lc_cpu_activation_backward,
    .activation_double_backward = lc_cpu_activation_double_backward,
    .dropout_mask = lc_cpu_dropout_mask,
    .mul = lc_cpu_mul,
    .mul_acc = lc_cpu_mul_acc,
    .softmax_forward = lc_cpu_softmax_forward,
    .softmax_backward = lc_cpu_softmax_backward,
    .gumbel_noise = lc_cpu_gumbel_noise,
    .embedding_forward = lc_cpu_embedding_forward,
    .embedding_backward = lc_cpu_embedding_backward,
    .attention_forward = lc_cpu_attention_forward,
    .attention_backward = lc_cpu_attention_backward,
    .axpy = lc_cpu_axpy,
    .add = lc_cpu_add,
    .concat_forward = lc_cpu_concat_forward,
    .concat_backward = lc_cpu_concat_backward,
    .mse_loss = lc_cpu_mse_loss,
    .cross_entropy_loss = lc_cpu_cross_entropy_loss,
    .gaussian_nll_loss = lc_cpu_gaussian_nll_loss,
    .kl_normal_loss = lc_cpu_kl_normal_loss,
    .wasserstein_loss = lc_cpu_wasserstein_loss,
    .gradient_penalty_loss = lc_cpu_gradient_penalty_loss,
    .adam_update = lc_cpu_adam_update,
    .sum_squares = lc_cpu_sum_squares,
    .scale = lc_cpu_scale,
    .tanh_span_forward = lc_cpu_tanh_span_forward,
    .tanh_span_backward = lc_cpu_tanh_span_backward,
    .clamp = lc_cpu_clamp,
    .random_fill = lc_cpu_random_fill,
    .reparam_forward = lc_cpu_reparam_forward,
    .reparam_backward = lc_cpu_reparam_backward,
    .lerp_rows = lc_cpu_lerp_rows,
    .gather_forward = lc_cpu_gather_forward,
    .gather_backward = lc_cpu_gather_backward,
    .categorical_sample = lc_cpu_categorical_sample,
    .gaussian_nll_logvar_loss = lc_cpu_gaussian_nll_logvar_loss,
};
