/* Internal to the tabular models (model.c, vae.c, gan.c): the shared base, activation buffers, init helpers. */
#ifndef LEGOCRYST_NN_MODEL_INTERNAL_H
#define LEGOCRYST_NN_MODEL_INTERNAL_H

#include "nn/model.h"

/* Checks the configuration common to both models (spans tile the row, positive sizes) and fills the base: ops,
 * a copy of the config with the model's own copy of the spans, the backend. */
void lc_model_base_init(lc_model *m, const lc_model_ops *ops, const lc_model_config *config,
                        const lc_nn_backend *backend);
/* Frees what lc_model_base_init and the parameter sets / state own. */
void lc_model_base_free(lc_model *m);

/* One zeroed backend buffer of sum(sizes) floats; *ptrs[i] points at piece i (llm.c's activation buffer). */
float *lc_model_arena(const lc_nn_backend *b, const size_t *sizes, float **ptrs[], int n);

/* PyTorch's default Linear init for tensors w (OC, fan_in) and b (OC) of P: U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * keyed by seed and the tensor index. */
void lc_model_init_linear(lc_params *P, int w, int b, int fan_in, uint64_t seed);

/* dst <- host src (n floats) when src is given (injected noise), else returns 0 so the caller draws. */
int lc_model_inject(const lc_model *m, float *dst, const float *src, size_t n);

/* A context for the training draws: the caller's backend, sample0 and all-reduce, the config seed, the model's
 * step, training on. */
lc_nn_ctx lc_model_train_ctx(const lc_model *m, const lc_nn_ctx *ctx);

/* Clamps every VALUE span of x (B, width) to [lo, hi]. */
void lc_model_clamp_values(const lc_model *m, const lc_nn_ctx *ctx, float *x, int B, float lo, float hi);

#endif
