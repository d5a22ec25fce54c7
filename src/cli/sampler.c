#include "sampler.h"

#include <stdlib.h>
#include <string.h>

#include "lego/row.h"
#include "model_files.h"

int lc_sampler_open(lc_sampler *s, const char *checkpoint, uint64_t seed, lc_error *err) {
    memset(s, 0, sizeof *s);
    lc_checkpoint_data data;
    if (lc_checkpoint_load(checkpoint, &data, err) != 0) return -1;
    if (lc_model_config_from_checkpoint(&data, &s->config, err) != 0 || lc_encoder_read(checkpoint, &s->encoder, err) != 0) {
        lc_checkpoint_free(&data);
        lc_encoder_free(&s->encoder);
        return -1;
    }
    int n_spans;
    s->config.spans = lc_encoder_spans(&s->encoder, &n_spans);
    s->config.n_spans = n_spans;
    s->config.width = lc_encoder_width(&s->encoder);
    s->model = lc_model_create(data.model_kind + 5, &s->config, NULL);
    lc_checkpoint_buffer buffers[LC_MODEL_MAX_BUFFERS];
    float *targets[LC_MODEL_MAX_BUFFERS];
    int n_buffers = lc_model_buffers(s->model, buffers, targets), status = 0;
    for (int k = 0; k < n_buffers && status == 0; k++)
        status = lc_checkpoint_take(&data, buffers[k].name, targets[k], buffers[k].n, err);
    lc_checkpoint_free(&data);
    if (status != 0) {
        lc_model_destroy(s->model);
        lc_encoder_free(&s->encoder);
        return -1;
    }
    s->columns = s->encoder.n_columns;
    s->max_sites = (s->columns - LC_ROW_FIXED_COLUMNS) / LC_ROW_SITE_COLUMNS;
    s->encoded32 = lc_malloc(sizeof(float) * (size_t)s->config.batch * (size_t)s->config.width);
    s->encoded = lc_malloc(sizeof(double) * (size_t)s->config.batch * (size_t)s->config.width);
    lc_nn_ctx_init(&s->ctx, s->config.seed);
    s->ctx.training = 0;
    s->ctx.step = seed;
    /* One BLAS thread: OpenBLAS splits a product differently for other thread counts, which changes the last bits
     * of a row; one thread makes row i the same whatever the ranks, binding or cores of the run. Sampling is a
     * small share of any run that decodes or relaxes what it samples. */
    lc_nn_set_blas_threads(1);
    return 0;
}

void lc_sampler_draw(lc_sampler *s, long first, long n, double *rows) {
    int width = s->config.width;
    for (long done = 0; done < n;) {
        int chunk = (int)(n - done < s->config.batch ? n - done : s->config.batch);
        s->ctx.sample0 = (uint64_t)(first + done);
        lc_model_sample(s->model, &s->ctx, s->encoded32, chunk);
        for (long k = 0; k < (long)chunk * width; k++) s->encoded[k] = s->encoded32[k];
        lc_encoder_inverse(&s->encoder, s->encoded, chunk, rows + done * s->columns);
        done += chunk;
    }
}

void lc_sampler_close(lc_sampler *s) {
    lc_model_destroy(s->model);
    lc_encoder_free(&s->encoder);
    free(s->encoded32);
    free(s->encoded);
    memset(s, 0, sizeof *s);
}
