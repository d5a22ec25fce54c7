#include "model_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/h5_parallel.h"

static void *read_whole(const char *path, const char *name, int is_double, long *n, lc_error *err) {
    long dims[2];
    if (lc_h5_dataset_shape(path, name, dims, err) != 0) return NULL;
    *n = dims[0] * (dims[1] ? dims[1] : 1);
    void *data = lc_malloc((is_double ? sizeof(double) : sizeof(int)) * (size_t)(*n ? *n : 1));
    int status = is_double ? lc_h5_read_rows_f64(path, name, 0, dims[0], (int)(dims[1] ? dims[1] : 1), data, err)
                           : lc_h5_read_rows_i32(path, name, 0, dims[0], (int)(dims[1] ? dims[1] : 1), data, err);
    if (status != 0) {
        free(data);
        return NULL;
    }
    return data;
}

int lc_encoder_read(const char *path, lc_encoder *enc, lc_error *err) {
    long n_columns = 0, n;
    int *kind = read_whole(path, "encoder/kind", 0, &n_columns, err);
    int *category_offset = kind ? read_whole(path, "encoder/category_offset", 0, &n, err) : NULL;
    int *category = category_offset ? read_whole(path, "encoder/category", 0, &n, err) : NULL;
    int *mode_offset = category ? read_whole(path, "encoder/mode_offset", 0, &n, err) : NULL;
    double *mean = mode_offset ? read_whole(path, "encoder/mode_mean", 1, &n, err) : NULL;
    double *std = mean ? read_whole(path, "encoder/mode_std", 1, &n, err) : NULL;
    double *weight = std ? read_whole(path, "encoder/mode_weight", 1, &n, err) : NULL;
    int status = weight ? lc_encoder_from_arrays(enc, (int)n_columns, kind, category_offset, category, mode_offset,
                                                 mean, std, weight, err)
                        : -1;
    free(kind), free(category_offset), free(category), free(mode_offset), free(mean), free(std), free(weight);
    return status;
}

int lc_model_buffers(lc_model *m, lc_checkpoint_buffer *buffers, float **data) {
    static char names[LC_MODEL_MAX_BUFFERS][64];
    int n = 0;
    for (int s = 0; s < m->n_sets; s++) {
        float *parts[3] = {m->params[s].params, m->params[s].m, m->params[s].v};
        const char *suffix[3] = {"params", "adam_m", "adam_v"};
        for (int k = 0; k < 3; k++, n++) {
            snprintf(names[n], sizeof names[n], "%s_%s", m->set_name[s], suffix[k]);
            buffers[n] = (lc_checkpoint_buffer){.name = names[n], .data = parts[k], .n = (long)m->params[s].total};
            data[n] = parts[k];
        }
    }
    if (m->n_state) {
        buffers[n] = (lc_checkpoint_buffer){.name = "state", .data = m->state, .n = (long)m->n_state};
        data[n++] = m->state;
    }
    return n;
}

const char *const lc_model_hyperparameter_names[LC_MODEL_HYPERPARAMETERS] = {
    "hidden", "latent", "pac", "batch", "lr", "beta1", "beta2", "weight_decay", "gp_weight", "tau", "dropout",
    "sigma_init", "value_clip", "layers", "heads", "model_width", "grad_clip", "prior_components"};

void lc_model_hyperparameters(const lc_model_config *c, double *v) {
    double values[LC_MODEL_HYPERPARAMETERS] = {c->hidden, c->latent,       c->pac,       c->batch,   c->lr,
                                               c->beta1,  c->beta2,        c->weight_decay, c->gp_weight, c->tau,
                                               c->dropout, c->sigma_init, c->value_clip, c->layers,
                                               c->heads,   c->d_model,     c->grad_clip, c->prior_components};
    memcpy(v, values, sizeof values);
}

int lc_model_config_from_checkpoint(const lc_checkpoint_data *data, lc_model_config *c, lc_error *err) {
    const char *kind = strncmp(data->model_kind, "lego-", 5) == 0 ? data->model_kind + 5 : data->model_kind;
    if (strcmp(kind, "vae") != 0 && strcmp(kind, "gan") != 0 && strcmp(kind, "transformer") != 0)
        return lc_error_set(err, "checkpoint", 0, "model kind '%s' is not lego-vae, lego-gan or lego-transformer",
                            data->model_kind);
    lc_model_config_default(c, kind);
    double v[LC_MODEL_HYPERPARAMETERS];
    lc_model_hyperparameters(c, v); /* the defaults stand for what an older checkpoint lacks */
    for (int k = 0; k < LC_MODEL_HYPERPARAMETERS; k++) {
        int present = 0;
        for (int i = 0; i < data->n_hyperparameters; i++)
            present |= strcmp(data->hyperparameter_names[i], lc_model_hyperparameter_names[k]) == 0;
        if (k >= 13 && !present) continue;
        if (lc_checkpoint_hyperparameter(data, lc_model_hyperparameter_names[k], &v[k], err) != 0) return -1;
    }
    c->hidden = (int)v[0], c->latent = (int)v[1], c->pac = (int)v[2], c->batch = (int)v[3];
    c->lr = (float)v[4], c->beta1 = (float)v[5], c->beta2 = (float)v[6], c->weight_decay = (float)v[7];
    c->gp_weight = (float)v[8], c->tau = (float)v[9], c->dropout = (float)v[10], c->sigma_init = (float)v[11];
    c->value_clip = (float)v[12];
    c->layers = (int)v[13], c->heads = (int)v[14], c->d_model = (int)v[15], c->grad_clip = (float)v[16];
    c->prior_components = (int)v[17];
    c->seed = data->seed;
    return 0;
}
