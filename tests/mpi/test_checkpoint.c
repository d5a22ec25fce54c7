/* Training checkpoints (mpi/checkpoint.h) on 1 and 2 ranks: round trip of every field, the encoder arrays copied
 * from the training set, damaged files detected by the checksums, the .partial rule, ranks that diverged, and a
 * resumed toy training whose loss curve equals the uninterrupted one bit for bit.
 *
 * usage: test_checkpoint [FOLDER]  (rank 0 creates FOLDER, default ./test_checkpoint_npN) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/numeric.h"
#include "mpi/checkpoint.h"
#include "mpi/collective.h"
#include "mpi/comm.h"
#include "mpi/h5_parallel.h"
#include "test.h"
#include "toy_training.h"

static int rank, size;
static char folder[512], train_path[600];
enum { N_ROWS = 257, COLUMNS = 9 };

static void in_folder(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", folder, name); }
static int exists(const char *p) { return access(p, F_OK) == 0; }

/* The encoder arrays a training set carries (docs/training-set.md), with made-up values. */
static const int enc_kind[3] = {0, 1, 1};
static const int enc_category_offset[4] = {0, 4, 4, 4};
static const int enc_category[4] = {2, 6, 14, 8};
static const int enc_mode_offset[4] = {0, 0, 2, 5};
static const double enc_mode_mean[5] = {0.5, 1.5, -3.0, 0.0, 7.25};
static const double enc_mode_std[5] = {0.1, 0.2, 0.3, 0.4, 0.5};
static const double enc_mode_weight[5] = {0.4, 0.6, 0.2, 0.3, 0.5};

static void write_training_set(void) {
    long first = (long)N_ROWS * rank / size, n = (long)N_ROWS * (rank + 1) / size - first;
    float *encoded = malloc(sizeof(float) * (size_t)(n * COLUMNS + 1));
    for (long i = 0; i < n; i++)
        for (int c = 0; c < COLUMNS; c++) encoded[i * COLUMNS + c] = toy_value(first + i, c, COLUMNS);
    lc_error err;
    lc_h5_file *f = NULL;
    CHECK_MSG(lc_h5_create(train_path, &f, &err) == 0, "%s", err.message);
    int s = lc_h5_write_provenance(f, "lego-training-set", 1, "", 1, NULL, &err);
    s = s ? s : lc_h5_write_rows_f32(f, "encoded", encoded, n, COLUMNS, &err);
    s = s ? s : lc_h5_write_small_i32(f, "encoder/kind", enc_kind, 3, 1, &err);
    s = s ? s : lc_h5_write_small_i32(f, "encoder/category_offset", enc_category_offset, 4, 1, &err);
    s = s ? s : lc_h5_write_small_i32(f, "encoder/category", enc_category, 4, 1, &err);
    s = s ? s : lc_h5_write_small_i32(f, "encoder/mode_offset", enc_mode_offset, 4, 1, &err);
    s = s ? s : lc_h5_write_small_f64(f, "encoder/mode_mean", enc_mode_mean, 5, 1, &err);
    s = s ? s : lc_h5_write_small_f64(f, "encoder/mode_std", enc_mode_std, 5, 1, &err);
    s = s ? s : lc_h5_write_small_f64(f, "encoder/mode_weight", enc_mode_weight, 5, 1, &err);
    s = s ? s : lc_h5_attr_i64(f, "/encoder", "width", 21, &err);
    CHECK_MSG(s == 0, "%s", err.message);
    CHECK(lc_h5_close(f, s == 0, &err) == 0);
    free(encoded);
}

enum { N_PARAMS = 100003 };
static float params[N_PARAMS], adam_m[N_PARAMS], adam_v[7];
static const char *const hp_names[] = {"latent_dim", "learning_rate", "beta1"};
static const double hp_values[] = {128, 2e-4, 0.5};

static lc_checkpoint description(lc_checkpoint_buffer *buffers, long long step) {
    for (long i = 0; i < N_PARAMS; i++) {
        params[i] = (float)(i % 1000) * 1e-3f - 0.5f + (float)step;
        adam_m[i] = -(float)i * 1e-7f;
    }
    for (int i = 0; i < 7; i++) adam_v[i] = (float)i * 0.125f;
    adam_v[3] = -0.0f; /* kept bit for bit */
    buffers[0] = (lc_checkpoint_buffer){"parameters", params, N_PARAMS};
    buffers[1] = (lc_checkpoint_buffer){"adam_m", adam_m, N_PARAMS};
    buffers[2] = (lc_checkpoint_buffer){"adam_v", adam_v, 7};
    buffers[3] = (lc_checkpoint_buffer){"empty", NULL, 0};
    lc_checkpoint c = {.model_kind = "lego-vae", .step = step, .epoch = 3, .seed = 0xFEDCBA9876543210ULL,
                       .deck = "[train]\nmodel = vae\nepochs = 10\n", .training_set = train_path, .n_buffers = 4,
                       .buffers = buffers, .n_hyperparameters = 3, .hyperparameter_names = hp_names,
                       .hyperparameter_values = hp_values};
    return c;
}

static void test_round_trip(void) {
    char path[700];
    in_folder(path, sizeof path, "round.h5");
    lc_checkpoint_buffer buffers[4];
    lc_checkpoint c = description(buffers, 1234);
    lc_error err;
    CHECK_MSG(lc_checkpoint_write(path, &c, &err) == 0, "%s", err.message);
    char partial[720];
    snprintf(partial, sizeof partial, "%s.partial", path);
    CHECK(exists(path) && !exists(partial));
    lc_checkpoint_data d;
    CHECK_MSG(lc_checkpoint_load(path, &d, &err) == 0, "%s", err.message);
    CHECK(strcmp(d.model_kind, "lego-vae") == 0);
    CHECK(d.step == 1234 && d.epoch == 3 && d.seed == 0xFEDCBA9876543210ULL);
    CHECK(strcmp(d.deck, c.deck) == 0 && strcmp(d.training_set, train_path) == 0);
    CHECK(d.n_buffers == 4 && d.n_hyperparameters == 3);
    static float back[N_PARAMS];
    CHECK(lc_checkpoint_take(&d, "parameters", back, N_PARAMS, &err) == 0 && memcmp(back, params, sizeof params) == 0);
    CHECK(lc_checkpoint_take(&d, "adam_m", back, N_PARAMS, &err) == 0 && memcmp(back, adam_m, sizeof adam_m) == 0);
    CHECK(lc_checkpoint_take(&d, "adam_v", back, 7, &err) == 0 && memcmp(back, adam_v, sizeof adam_v) == 0);
    CHECK(lc_checkpoint_take(&d, "empty", back, 0, &err) == 0);
    CHECK(lc_checkpoint_take(&d, "adam_v", back, 8, &err) == -1 && strstr(err.message, "holds 7 values"));
    CHECK(lc_checkpoint_take(&d, "gradients", back, 8, &err) == -1 && strstr(err.message, "no buffer"));
    double value = 0;
    for (int i = 0; i < 3; i++)
        CHECK(lc_checkpoint_hyperparameter(&d, hp_names[i], &value, &err) == 0 && value == hp_values[i]);
    CHECK(lc_checkpoint_hyperparameter(&d, "dropout", &value, &err) == -1);
    lc_checkpoint_free(&d);
    /* provenance and the encoders, readable as the training set's are */
    char *kind = NULL;
    CHECK(lc_h5_read_attr_string(path, "/", "kind", &kind, &err) == 0 && strcmp(kind, "legocryst-checkpoint") == 0);
    free(kind);
    long long ranks = 0, width = 0;
    CHECK(lc_h5_read_attr_i64(path, "/", "n_ranks", &ranks, &err) == 0 && ranks == size);
    CHECK(lc_h5_read_attr_i64(path, "/encoder", "width", &width, &err) == 0 && width == 21);
    int ints[4];
    double doubles[5];
    CHECK(lc_h5_read_rows_i32(path, "encoder/category", 0, 4, 1, ints, &err) == 0 &&
          memcmp(ints, enc_category, sizeof ints) == 0);
    CHECK(lc_h5_read_rows_i32(path, "encoder/kind", 0, 3, 1, ints, &err) == 0 &&
          memcmp(ints, enc_kind, 3 * sizeof(int)) == 0);
    CHECK(lc_h5_read_rows_f64(path, "encoder/mode_weight", 0, 5, 1, doubles, &err) == 0 &&
          memcmp(doubles, enc_mode_weight, sizeof doubles) == 0);
    /* without a training set there is no /encoder */
    c.training_set = NULL;
    in_folder(path, sizeof path, "no-encoder.h5");
    CHECK(lc_checkpoint_write(path, &c, &err) == 0);
    long dims[2];
    CHECK(lc_h5_dataset_shape(path, "encoder/kind", dims, &err) == -1);
    CHECK(lc_checkpoint_load(path, &d, &err) == 0 && d.training_set[0] == '\0');
    lc_checkpoint_free(&d);
}

/* Flips one bit of the stored parameters in the raw file: found by its bytes (the dataset is contiguous). */
static int damage(const char *path, const float *data, long n) {
    FILE *f = fopen(path, "r+b");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    unsigned char *bytes = malloc((size_t)length);
    fseek(f, 0, SEEK_SET);
    long got = (long)fread(bytes, 1, (size_t)length, f);
    long at = -1;
    size_t probe = sizeof(float) * 64;
    for (long i = 0; got == length && i + (long)probe <= length && at < 0; i++)
        if (memcmp(bytes + i, data + n / 2, probe) == 0) at = i;
    int status = -1;
    if (at >= 0) {
        bytes[at + 2] ^= 0x10; /* a mantissa bit of one value */
        fseek(f, at + 2, SEEK_SET);
        status = fwrite(bytes + at + 2, 1, 1, f) == 1 ? 0 : -1;
    }
    fclose(f);
    free(bytes);
    return status;
}

static void test_damage_detected(void) {
    char path[700];
    in_folder(path, sizeof path, "damaged.h5");
    lc_checkpoint_buffer buffers[4];
    lc_checkpoint c = description(buffers, 5);
    lc_error err;
    CHECK(lc_checkpoint_write(path, &c, &err) == 0);
    if (rank == 0) CHECK(damage(path, params, N_PARAMS) == 0);
    lc_comm_barrier();
    lc_checkpoint_data d;
    err.message[0] = '\0';
    CHECK(lc_checkpoint_load(path, &d, &err) == -1);
    CHECK_MSG(strstr(err.message, "'model/parameters' does not match its checksum"), "%s", err.message);
    CHECK(d.buffers == NULL && d.model_kind == NULL); /* nothing half-loaded */
    /* not a checkpoint */
    CHECK(lc_checkpoint_load(train_path, &d, &err) == -1 && strstr(err.message, "not a checkpoint"));
    CHECK(lc_checkpoint_load("no/such/checkpoint.h5", &d, &err) == -1);
}

static void test_partial_rule(void) {
    char path[700], partial[720];
    in_folder(path, sizeof path, "keep.h5");
    snprintf(partial, sizeof partial, "%s.partial", path);
    lc_checkpoint_buffer buffers[4];
    lc_checkpoint c = description(buffers, 10);
    lc_error err;
    CHECK(lc_checkpoint_write(path, &c, &err) == 0);
    /* a write that fails half-way (a repeated name is found when the second dataset is created) */
    c = description(buffers, 11);
    buffers[2].name = "parameters";
    err.message[0] = '\0';
    CHECK(lc_checkpoint_write(path, &c, &err) == -1);
    CHECK_MSG(strstr(err.message, "'model/parameters'") != NULL, "%s", err.message);
    CHECK(exists(path) && !exists(partial));
    lc_checkpoint_data d;
    CHECK(lc_checkpoint_load(path, &d, &err) == 0 && d.step == 10); /* the older checkpoint, whole */
    lc_checkpoint_free(&d);
    /* refused before any file is made */
    c = description(buffers, 12);
    buffers[1].name = "adam m";
    CHECK(lc_checkpoint_write(path, &c, &err) == -1 && strstr(err.message, "invalid buffer name"));
    c = description(buffers, 12);
    const char *reserved[] = {"kind"};
    c.hyperparameter_names = reserved;
    c.n_hyperparameters = 1;
    CHECK(lc_checkpoint_write(path, &c, &err) == -1);
    c = description(buffers, 12);
    c.training_set = "no/such/train.h5";
    CHECK(lc_checkpoint_write(path, &c, &err) == -1 && strstr(err.message, "no/such/train.h5"));
    c = description(buffers, 12);
    CHECK(lc_checkpoint_write("no/such/folder/c.h5", &c, &err) == -1);
    CHECK(lc_checkpoint_load(path, &d, &err) == 0 && d.step == 10);
    lc_checkpoint_free(&d);
    CHECK(!exists(partial));
}

/* Ranks whose weights differ must not produce a checkpoint that hides it. */
static void test_divergence_refused(void) {
    char path[700];
    in_folder(path, sizeof path, "diverged.h5");
    lc_checkpoint_buffer buffers[4];
    lc_checkpoint c = description(buffers, 20);
    if (rank == size - 1) params[N_PARAMS - 1] = nextafterf(params[N_PARAMS - 1], 1e30f); /* one ulp */
    lc_error err;
    err.message[0] = '\0';
    int status = lc_checkpoint_write(path, &c, &err);
    if (size == 1) {
        CHECK(status == 0);
    } else {
        CHECK(status == -1 && strstr(err.message, "different values of 'parameters'"));
        CHECK(!exists(path));
    }
}

/* --resume: 2 epochs, checkpoint, a new process state from the file, 2 more epochs = 4 epochs without a stop. */
static void test_resume_equals_uninterrupted(void) {
    enum { EPOCHS = 4, BATCH = 32 };
    long steps = lc_shard_steps(N_ROWS, BATCH);
    double straight[EPOCHS * 9], resumed[EPOCHS * 9];
    toy_model t;
    toy_init(&t, COLUMNS, 99);
    for (int e = 0; e < EPOCHS; e++)
        CHECK(toy_epoch(&t, train_path, N_ROWS, BATCH, rank, size, 1, straight + e * steps) == steps);
    float final_params[COLUMNS];
    memcpy(final_params, t.params, sizeof final_params);
    toy_free(&t);

    char path[700];
    in_folder(path, sizeof path, "toy.h5");
    toy_init(&t, COLUMNS, 99);
    for (int e = 0; e < 2; e++)
        CHECK(toy_epoch(&t, train_path, N_ROWS, BATCH, rank, size, 1, resumed + e * steps) == steps);
    lc_checkpoint_buffer buffers[3] = {
        {"parameters", t.params, COLUMNS}, {"adam_m", t.m, COLUMNS}, {"adam_v", t.v, COLUMNS}};
    lc_checkpoint c = {.model_kind = "toy", .step = t.step, .epoch = t.epoch, .seed = t.seed, .n_buffers = 3,
                       .buffers = buffers};
    lc_error err;
    CHECK_MSG(lc_checkpoint_write(path, &c, &err) == 0, "%s", err.message);
    toy_free(&t);

    lc_checkpoint_data d;
    CHECK_MSG(lc_checkpoint_load(path, &d, &err) == 0, "%s", err.message);
    toy_init(&t, COLUMNS, d.seed);
    t.step = d.step;
    t.epoch = d.epoch;
    CHECK(lc_checkpoint_take(&d, "parameters", t.params, COLUMNS, &err) == 0);
    CHECK(lc_checkpoint_take(&d, "adam_m", t.m, COLUMNS, &err) == 0);
    CHECK(lc_checkpoint_take(&d, "adam_v", t.v, COLUMNS, &err) == 0);
    lc_checkpoint_free(&d);
    for (int e = 2; e < EPOCHS; e++)
        CHECK(toy_epoch(&t, train_path, N_ROWS, BATCH, rank, size, 1, resumed + e * steps) == steps);
    CHECK(memcmp(straight, resumed, sizeof(double) * (size_t)(EPOCHS * steps)) == 0);
    CHECK(memcmp(final_params, t.params, sizeof final_params) == 0);
    CHECK(lc_comm_check_identical(lc_buffer_checksum(t.params, COLUMNS)));
    toy_free(&t);
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    rank = lc_comm_rank();
    size = lc_comm_size();
    if (argc > 1) snprintf(folder, sizeof folder, "%s", argv[1]);
    else snprintf(folder, sizeof folder, "test_checkpoint_np%d", size);
    if (rank == 0 && mkdir(folder, 0777) != 0 && errno != EEXIST) perror(folder);
    lc_comm_barrier();
    in_folder(train_path, sizeof train_path, "train.h5");
    write_training_set();
    RUN_TEST(test_round_trip);
    RUN_TEST(test_damage_detected);
    RUN_TEST(test_partial_rule);
    RUN_TEST(test_divergence_refused);
    RUN_TEST(test_resume_equals_uninterrupted);
    int failed = lc_comm_sum_long(test_failures) > 0;
    int status = test_summary();
    lc_comm_finalize();
    return failed ? EXIT_FAILURE : status;
}
