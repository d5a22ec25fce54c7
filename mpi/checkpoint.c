#include "checkpoint.h"

#include <inttypes.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "collective.h"
#include "core/numeric.h"
#include "h5_parallel.h"

#define KIND "legocryst-checkpoint"

int lc_comm_check_identical(uint64_t value) {
    /* max(v) and max(~v) = ~min(v) in one call: all equal exactly when min == max. */
    uint64_t both[2] = {value, ~value};
    LC_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, both, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD));
    return both[0] == ~both[1];
}

/* Buffer and hyperparameter names become HDF5 names and comma-separated lists: keep them plain. */
static int valid_name(const char *name) {
    if (!name || !*name || strlen(name) > 64) return 0;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return 0;
    return 1;
}

/* Attributes of /model besides the hyperparameters. */
static int reserved_name(const char *name) {
    return strcmp(name, "kind") == 0 || strcmp(name, "buffers") == 0 || strcmp(name, "hyperparameters") == 0;
}

static int check_description(const char *path, const lc_checkpoint *c, lc_error *err) {
    if (!c->model_kind || !*c->model_kind) return lc_error_set(err, path, 0, "checkpoint without a model kind");
    if (c->n_buffers < 1 || !c->buffers) return lc_error_set(err, path, 0, "checkpoint without buffers");
    if (c->step < 0 || c->epoch < 0)
        return lc_error_set(err, path, 0, "negative step (%lld) or epoch (%lld)", c->step, c->epoch);
    for (int i = 0; i < c->n_buffers; i++) {
        const lc_checkpoint_buffer *b = &c->buffers[i];
        if (!valid_name(b->name))
            return lc_error_set(err, path, 0, "invalid buffer name '%s' (letters, digits, '_')",
                                b->name ? b->name : "(null)");
        if (b->n < 0 || (b->n > 0 && !b->data))
            return lc_error_set(err, path, 0, "buffer '%s': %ld values without data", b->name, b->n);
    }
    if (c->n_hyperparameters < 0 || (c->n_hyperparameters > 0 && (!c->hyperparameter_names ||
                                                                  !c->hyperparameter_values)))
        return lc_error_set(err, path, 0, "hyperparameters without names or values");
    for (int i = 0; i < c->n_hyperparameters; i++)
        if (!valid_name(c->hyperparameter_names[i]) || reserved_name(c->hyperparameter_names[i]))
            return lc_error_set(err, path, 0, "invalid hyperparameter name '%s'",
                                c->hyperparameter_names[i] ? c->hyperparameter_names[i] : "(null)");
    return 0;
}

/* "a,b,c" from names; allocated. */
static char *join_names(int n, const char *(*name_of)(const void *, int), const void *list) {
    size_t length = 1;
    for (int i = 0; i < n; i++) length += strlen(name_of(list, i)) + 1;
    char *joined = lc_malloc(length);
    joined[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i) strcat(joined, ",");
        strcat(joined, name_of(list, i));
    }
    return joined;
}
static const char *buffer_name(const void *list, int i) { return ((const lc_checkpoint_buffer *)list)[i].name; }
static const char *string_name(const void *list, int i) { return ((const char *const *)list)[i]; }

/* The encoder arrays of a training set (docs/training-set.md), copied as they are. */
typedef enum { ARRAY_I32, ARRAY_F64 } array_kind;
static const struct {
    const char *name;
    array_kind kind;
} encoder_arrays[] = {
    {"encoder/kind", ARRAY_I32},       {"encoder/category_offset", ARRAY_I32}, {"encoder/category", ARRAY_I32},
    {"encoder/mode_offset", ARRAY_I32}, {"encoder/mode_mean", ARRAY_F64},      {"encoder/mode_std", ARRAY_F64},
    {"encoder/mode_weight", ARRAY_F64},
};
enum { N_ENCODER_ARRAYS = sizeof encoder_arrays / sizeof encoder_arrays[0] };

typedef struct {
    long rows[N_ENCODER_ARRAYS];
    void *data[N_ENCODER_ARRAYS];
    long long width;
} encoder_copy;

static void encoder_copy_free(encoder_copy *e) {
    for (int i = 0; i < N_ENCODER_ARRAYS; i++) free(e->data[i]);
}

/* Reads the encoder arrays of `path` (serially, on this rank). */
static int encoder_read(const char *path, encoder_copy *e, lc_error *err) {
    memset(e, 0, sizeof *e);
    for (int i = 0; i < N_ENCODER_ARRAYS; i++) {
        long dims[2];
        if (lc_h5_dataset_shape(path, encoder_arrays[i].name, dims, err) != 0) return -1;
        if (dims[1] != 1) return lc_error_set(err, path, 0, "'%s' is not 1-D", encoder_arrays[i].name);
        e->rows[i] = dims[0];
        int status;
        if (encoder_arrays[i].kind == ARRAY_I32) {
            e->data[i] = lc_malloc(sizeof(int) * (size_t)(dims[0] ? dims[0] : 1));
            status = lc_h5_read_rows_i32(path, encoder_arrays[i].name, 0, dims[0], 1, e->data[i], err);
        } else {
            e->data[i] = lc_malloc(sizeof(double) * (size_t)(dims[0] ? dims[0] : 1));
            status = lc_h5_read_rows_f64(path, encoder_arrays[i].name, 0, dims[0], 1, e->data[i], err);
        }
        if (status != 0) return -1;
    }
    return lc_h5_read_attr_i64(path, "/encoder", "width", &e->width, err);
}

static int encoder_write(lc_h5_file *f, const encoder_copy *e, lc_error *err) {
    int status = 0;
    for (int i = 0; i < N_ENCODER_ARRAYS && status == 0; i++)
        status = encoder_arrays[i].kind == ARRAY_I32
                     ? lc_h5_write_small_i32(f, encoder_arrays[i].name, e->data[i], e->rows[i], 1, err)
                     : lc_h5_write_small_f64(f, encoder_arrays[i].name, e->data[i], e->rows[i], 1, err);
    return status ? status : lc_h5_attr_i64(f, "/encoder", "width", e->width, err);
}

/* Every rank's status, combined: -1 on all when any failed, with a message on the ranks that did not. */
static int agree(int status, const char *path, lc_error *err) {
    if (lc_comm_all_true(status == 0)) return 0;
    if (status == 0) lc_error_set(err, path, 0, "another rank could not prepare the checkpoint");
    return -1;
}

static int write_file(const char *path, const lc_checkpoint *c, const uint64_t *checksums, const encoder_copy *e,
                      lc_error *err) {
    lc_h5_file *f = NULL;
    if (lc_h5_create(path, &f, err) != 0) return -1;
    int status = lc_h5_write_provenance(f, KIND, LC_CHECKPOINT_SCHEMA_VERSION, c->deck, c->seed, NULL, err);
    status = status ? status : lc_h5_attr_i64(f, "/", "step", c->step, err);
    status = status ? status : lc_h5_attr_i64(f, "/", "epoch", c->epoch, err);
    status = status ? status : lc_h5_attr_string(f, "/", "training_set", c->training_set ? c->training_set : "", err);
    char object[96];
    for (int i = 0; i < c->n_buffers && status == 0; i++) {
        const lc_checkpoint_buffer *b = &c->buffers[i];
        snprintf(object, sizeof object, "model/%s", b->name);
        char hex[17];
        snprintf(hex, sizeof hex, "%016" PRIx64, checksums[i]);
        status = lc_h5_write_small_f32(f, object, b->data, b->n, 1, err);
        status = status ? status : lc_h5_attr_string(f, object, "fnv1a64", hex, err);
    }
    char *buffers = join_names(c->n_buffers, buffer_name, c->buffers);
    char *hyper = join_names(c->n_hyperparameters, string_name, c->hyperparameter_names);
    status = status ? status : lc_h5_attr_string(f, "/model", "kind", c->model_kind, err);
    status = status ? status : lc_h5_attr_string(f, "/model", "buffers", buffers, err);
    status = status ? status : lc_h5_attr_string(f, "/model", "hyperparameters", hyper, err);
    for (int i = 0; i < c->n_hyperparameters && status == 0; i++)
        status = lc_h5_attr_f64(f, "/model", c->hyperparameter_names[i], c->hyperparameter_values[i], err);
    free(buffers);
    free(hyper);
    if (status == 0 && e) status = encoder_write(f, e, err);
    /* Only a file with every part gets the final name; on failure the .partial goes and an older PATH stays. */
    int closed = lc_h5_close(f, status == 0, status == 0 ? err : NULL);
    return status ? status : closed;
}

int lc_checkpoint_write(const char *path, const lc_checkpoint *c, lc_error *err) {
    if (agree(check_description(path, c, err), path, err) != 0) return -1;
    /* Weights are identical on every rank in correct data-parallel training, so writing rank 0's copy loses
     * nothing; a difference means the ranks diverged, and a checkpoint would hide it. */
    uint64_t *checksums = lc_malloc(sizeof(uint64_t) * (size_t)c->n_buffers);
    uint64_t *both = lc_malloc(sizeof(uint64_t) * 2 * (size_t)c->n_buffers);
    for (int i = 0; i < c->n_buffers; i++) {
        checksums[i] = lc_buffer_checksum(c->buffers[i].data, c->buffers[i].n);
        both[2 * i] = checksums[i] ^ (uint64_t)c->buffers[i].n; /* sizes differing is divergence too */
        both[2 * i + 1] = ~both[2 * i];
    }
    LC_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, both, 2 * c->n_buffers, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD));
    int status = 0;
    for (int i = 0; i < c->n_buffers && status == 0; i++)
        if (both[2 * i] != ~both[2 * i + 1])
            status = lc_error_set(err, path, 0, "ranks hold different values of '%s' at step %lld: data-parallel "
                                  "training diverged; no checkpoint written", c->buffers[i].name, c->step);
    free(both);
    encoder_copy encoders, *e = NULL;
    if (status == 0 && c->training_set && *c->training_set) {
        e = &encoders;
        status = agree(encoder_read(c->training_set, e, err), c->training_set, err);
    }
    if (status == 0) status = write_file(path, c, checksums, e, err);
    if (e) encoder_copy_free(e);
    free(checksums);
    return status;
}

/* ---- loading ---- */

/* Splits "a,b,c" into names ("" is none). */
static int split_names(const char *list, char ***names) {
    int n = 0;
    if (*list) {
        n = 1;
        for (const char *c = list; *c; c++) n += *c == ',';
    }
    *names = lc_calloc((size_t)(n ? n : 1), sizeof(char *));
    const char *start = list;
    for (int i = 0; i < n; i++) {
        size_t length = strcspn(start, ",");
        (*names)[i] = lc_malloc(length + 1);
        memcpy((*names)[i], start, length);
        (*names)[i][length] = '\0';
        start += length + 1;
    }
    return n;
}

static int load_buffer(const char *path, const char *name, float **data, long *size, lc_error *err) {
    char object[96];
    snprintf(object, sizeof object, "model/%s", name);
    long dims[2];
    if (lc_h5_dataset_shape(path, object, dims, err) != 0) return -1;
    if (dims[1] != 1) return lc_error_set(err, path, 0, "'%s' is not 1-D", object);
    *size = dims[0];
    *data = lc_malloc(sizeof(float) * (size_t)(dims[0] ? dims[0] : 1));
    char *stored = NULL;
    if (lc_h5_read_rows_f32(path, object, 0, dims[0], 1, *data, err) != 0 ||
        lc_h5_read_attr_string(path, object, "fnv1a64", &stored, err) != 0)
        return -1;
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, lc_buffer_checksum(*data, dims[0]));
    int status = strcmp(hex, stored) == 0 ? 0
                 : lc_error_set(err, path, 0, "'%s' does not match its checksum (fnv1a64 %s stored, %s read): the "
                                "file is damaged", object, stored, hex);
    free(stored);
    return status;
}

int lc_checkpoint_load(const char *path, lc_checkpoint_data *d, lc_error *err) {
    memset(d, 0, sizeof *d);
    char *kind = NULL, *buffers = NULL, *hyper = NULL;
    long long schema = 0;
    int status = lc_h5_read_attr_string(path, "/", "kind", &kind, err);
    if (status == 0 && strcmp(kind, KIND) != 0)
        status = lc_error_set(err, path, 0, "not a checkpoint (kind '%s', expected '%s')", kind, KIND);
    status = status ? status : lc_h5_read_attr_i64(path, "/", "schema_version", &schema, err);
    if (status == 0 && schema != LC_CHECKPOINT_SCHEMA_VERSION)
        status = lc_error_set(err, path, 0, "%s schema version %lld is not known to this legocryst (it reads %d)",
                              KIND, schema, LC_CHECKPOINT_SCHEMA_VERSION);
    unsigned long long seed = 0;
    status = status ? status : lc_h5_read_attr_u64(path, "/", "seed", &seed, err);
    d->seed = seed;
    status = status ? status : lc_h5_read_attr_i64(path, "/", "step", &d->step, err);
    status = status ? status : lc_h5_read_attr_i64(path, "/", "epoch", &d->epoch, err);
    status = status ? status : lc_h5_read_attr_string(path, "/", "deck", &d->deck, err);
    status = status ? status : lc_h5_read_attr_string(path, "/", "training_set", &d->training_set, err);
    status = status ? status : lc_h5_read_attr_string(path, "/model", "kind", &d->model_kind, err);
    status = status ? status : lc_h5_read_attr_string(path, "/model", "buffers", &buffers, err);
    status = status ? status : lc_h5_read_attr_string(path, "/model", "hyperparameters", &hyper, err);
    if (status == 0) {
        d->n_buffers = split_names(buffers, &d->buffer_names);
        d->buffers = lc_calloc((size_t)(d->n_buffers ? d->n_buffers : 1), sizeof(float *));
        d->buffer_sizes = lc_calloc((size_t)(d->n_buffers ? d->n_buffers : 1), sizeof(long));
        for (int i = 0; i < d->n_buffers && status == 0; i++)
            status = load_buffer(path, d->buffer_names[i], &d->buffers[i], &d->buffer_sizes[i], err);
    }
    if (status == 0) {
        d->n_hyperparameters = split_names(hyper, &d->hyperparameter_names);
        d->hyperparameter_values = lc_calloc((size_t)(d->n_hyperparameters ? d->n_hyperparameters : 1),
                                             sizeof(double));
        for (int i = 0; i < d->n_hyperparameters && status == 0; i++)
            status = lc_h5_read_attr_f64(path, "/model", d->hyperparameter_names[i], &d->hyperparameter_values[i],
                                         err);
    }
    free(kind);
    free(buffers);
    free(hyper);
    if (status != 0) lc_checkpoint_free(d);
    return status;
}

int lc_checkpoint_take(const lc_checkpoint_data *d, const char *name, float *out, long n, lc_error *err) {
    for (int i = 0; i < d->n_buffers; i++) {
        if (strcmp(d->buffer_names[i], name) != 0) continue;
        if (d->buffer_sizes[i] != n)
            return lc_error_set(err, name, 0, "the checkpoint's '%s' holds %ld values, this model needs %ld (a "
                                "checkpoint of another model or size?)", name, d->buffer_sizes[i], n);
        memcpy(out, d->buffers[i], sizeof(float) * (size_t)n);
        return 0;
    }
    return lc_error_set(err, name, 0, "the checkpoint has no buffer '%s'", name);
}

int lc_checkpoint_hyperparameter(const lc_checkpoint_data *d, const char *name, double *value, lc_error *err) {
    for (int i = 0; i < d->n_hyperparameters; i++)
        if (strcmp(d->hyperparameter_names[i], name) == 0) {
            *value = d->hyperparameter_values[i];
            return 0;
        }
    return lc_error_set(err, name, 0, "the checkpoint has no hyperparameter '%s'", name);
}

void lc_checkpoint_free(lc_checkpoint_data *d) {
    if (!d) return;
    free(d->model_kind);
    free(d->deck);
    free(d->training_set);
    for (int i = 0; i < d->n_buffers; i++) {
        if (d->buffer_names) free(d->buffer_names[i]);
        if (d->buffers) free(d->buffers[i]);
    }
    free(d->buffer_names);
    free(d->buffers);
    free(d->buffer_sizes);
    for (int i = 0; i < d->n_hyperparameters; i++)
        if (d->hyperparameter_names) free(d->hyperparameter_names[i]);
    free(d->hyperparameter_names);
    free(d->hyperparameter_values);
    memset(d, 0, sizeof *d);
}
