/* legocryst train DECK: a tabular generative model (VAE, GAN or Transformer) learns the encoded rows of a training set,
 * data-parallel over the ranks (docs/training.md): each rank reads only its shard of every epoch, gradients are
 * averaged with one all-reduce per update, every random draw is keyed by (seed, step, global row), so 1 and N
 * ranks give the same loss curve. Checkpoints at epoch ends; --resume (train.resume) continues exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
#include "core/error.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/numeric.h"
#include "core/shuffle.h"
#include "deck.h"
#include "model_files.h"
#include "mpi/allreduce.h"
#include "mpi/collective.h"
#include "mpi/comm.h"
#include "mpi/h5_parallel.h"
#include "mpi/shard.h"

static const char usage[] =
    "usage: legocryst train DECK [--set section.key=value]... [--quiet] [--log-json]\n"
    "Trains the [train] model (vae, gan or transformer) on the [train] training_set, on every rank of the job; writes\n"
    "checkpoints and a per-epoch metrics CSV. `legocryst help deck` lists every key.\n";

/* Which parameter set and tensor holds flat index i of the concatenated buffers, for messages. */
static void name_of_index(const lc_model *m, long i, char *buffer, size_t size) {
    for (int s = 0; s < m->n_sets; s++) {
        if (i < (long)m->params[s].total) {
            int t = 0;
            while (t + 1 < m->params[s].n && (size_t)i >= m->params[s].offset[t + 1]) t++;
            snprintf(buffer, size, "%s tensor %d", m->set_name[s], t);
            return;
        }
        i -= (long)m->params[s].total;
    }
    snprintf(buffer, size, "state");
}

typedef struct {
    const lc_model *model;
    char where[64]; /* the tensor with the first non-finite gradient, "" while all are finite */
} gradient_guard;

/* The model sums gradients over ranks (losses carry 1 / B_global); the all-reduce averages, so scale back. Then the
 * guard: a NaN or Inf in the summed gradient (the same on every rank, so all ranks stop alike) vetoes the update. */
static int sum_gradients(float *grads, size_t n, void *user) {
    gradient_guard *guard = user;
    int ranks = lc_comm_size();
    if (ranks > 1) {
        lc_allreduce_average_f32(grads, (long)n);
        for (size_t i = 0; i < n; i++) grads[i] *= (float)ranks;
    }
    long bad = lc_first_nonfinite(grads, (long)n);
    if (bad < 0) return 0;
    long offset = 0;
    for (int s = 0; s < guard->model->n_sets && guard->model->params[s].grads != grads; s++)
        offset += (long)guard->model->params[s].total;
    name_of_index(guard->model, offset + bad, guard->where, sizeof guard->where);
    return 1;
}

typedef struct {
    lc_checkpoint_buffer buffers[LC_MODEL_MAX_BUFFERS];
    float *data[LC_MODEL_MAX_BUFFERS];
    int n;
} model_state;

static int write_checkpoint(const char *path, const lc_model *m, const model_state *state, long long epoch,
                            const char *deck_text, const char *training_set, lc_error *err) {
    double values[LC_MODEL_HYPERPARAMETERS];
    lc_model_hyperparameters(&m->config, values);
    char kind[32];
    snprintf(kind, sizeof kind, "lego-%s", m->ops->kind);
    lc_checkpoint c = {.model_kind = kind,
                       .step = (long long)m->step,
                       .epoch = epoch,
                       .seed = m->config.seed,
                       .deck = deck_text,
                       .training_set = training_set,
                       .n_buffers = state->n,
                       .buffers = state->buffers,
                       .n_hyperparameters = LC_MODEL_HYPERPARAMETERS,
                       .hyperparameter_names = lc_model_hyperparameter_names,
                       .hyperparameter_values = values};
    return lc_checkpoint_write(path, &c, err);
}

/* The VAE's latent prior fitted to this epoch's rows (every rank's share; all rows but the last partial batch);
 * the means start at the epoch's first rows, which every rank knows from the permutation. */
static void fit_prior(lc_model *model, const lc_nn_ctx *ctx, const float *local, const long *rows, long n_local,
                      const long *perm) {
    double t0 = lc_log_seconds();
    int iterations = 0;
    double loglik = lc_model_fit_prior(model, ctx, local, rows, n_local, perm, &iterations);
    lc_log_info("train", "latent prior: %d components fitted in %d EM iterations, %.2f s, mean log-likelihood %.4g",
                model->config.prior_components, iterations, lc_log_seconds() - t0, loglik);
}

int lc_cmd_train(int argc, char **argv) {
    lc_cli_run_options run;
    if (lc_cli_parse_run_options(argc, argv, usage, &run) != 0) return run.exit_status;
    lc_deck *deck = NULL;
    lc_error err;
    int root = lc_comm_rank() == 0, status = LC_EXIT_OK;
    if (lc_deck_load(&deck, run.deck_path, run.n_overrides, (const char *const *)run.overrides, &err) != 0) {
        lc_cli_run_options_free(&run);
        if (root) lc_error_print(&err);
        return LC_EXIT_USER;
    }
    lc_cli_configure_log(&run, deck);
    lc_cli_run_options_free(&run);
    if (lc_deck_int(deck, "train", "blas_threads") > 0) lc_nn_set_blas_threads((int)lc_deck_int(deck, "train", "blas_threads"));
    lc_nn_flush_denormals();

    const char *training_set = lc_deck_path(deck, "train", "training_set");
    const char *kind = lc_deck_string(deck, "train", "model");
    int ranks = lc_comm_size(), rank = lc_comm_rank();
    long global_batch = lc_deck_int(deck, "train", "batch");
    long dims[2];
    lc_encoder encoder;
    memset(&encoder, 0, sizeof encoder);
    if (lc_h5_dataset_shape(training_set, "encoded", dims, &err) != 0 || lc_encoder_read(training_set, &encoder, &err) != 0) {
        if (root) lc_error_print(&err);
        lc_deck_free(deck);
        return LC_EXIT_USER;
    }
    long n_rows = dims[0];
    int width = (int)dims[1];
    lc_model_config config;
    lc_model_config_default(&config, kind);
    int n_spans = 0;
    config.spans = lc_encoder_spans(&encoder, &n_spans);
    config.n_spans = n_spans;
    config.width = width;
    config.hidden = (int)lc_deck_int(deck, "train", "hidden");
    config.latent = (int)lc_deck_int(deck, "train", "latent");
    config.layers = (int)lc_deck_int(deck, "train", "layers");
    config.heads = (int)lc_deck_int(deck, "train", "heads");
    config.d_model = (int)lc_deck_int(deck, "train", "width");
    config.seed = (uint64_t)lc_deck_int(deck, "train", "seed");
    if (strcmp(kind, "vae") == 0) config.prior_components = (int)lc_deck_int(deck, "train", "prior_components");
    if (lc_deck_double(deck, "train", "learning_rate") > 0) config.lr = (float)lc_deck_double(deck, "train", "learning_rate");
    /* whole batches only (CTGAN's steps per epoch); the GAN packs `pac` rows and every rank needs whole packs */
    long unit = strcmp(kind, "gan") == 0 ? (long)config.pac * ranks : ranks;
    if (width != lc_encoder_width(&encoder) || global_batch % unit != 0 || n_rows < global_batch ||
        config.prior_components > global_batch) {
        if (root)
            fprintf(stderr, "legocryst: error: train: the batch (%ld) must be a multiple of %ld, at least the "
                    "prior_components (%d) and at most the %ld rows of %s (encoded width %d, encoder %d)\n",
                    global_batch, unit, config.prior_components, n_rows, training_set, width,
                    lc_encoder_width(&encoder));
        lc_encoder_free(&encoder);
        lc_deck_free(deck);
        return LC_EXIT_USER;
    }
    if (strcmp(kind, "transformer") == 0 && config.d_model % config.heads != 0) {
        if (root)
            fprintf(stderr, "legocryst: error: train: the Transformer's heads (%d) must divide its width (%d)\n",
                    config.heads, config.d_model);
        lc_encoder_free(&encoder);
        lc_deck_free(deck);
        return LC_EXIT_USER;
    }
    config.batch = (int)(global_batch / ranks);
    lc_model *model = lc_model_create(kind, &config, NULL);
    model_state state;
    state.n = lc_model_buffers(model, state.buffers, state.data);
    gradient_guard guard = {.model = model};

    const char *checkpoint_path = lc_deck_path(deck, "train", "checkpoint");
    char *deck_text = lc_deck_resolved_text(deck);
    long epochs = lc_deck_int(deck, "train", "epochs"), first_epoch = 0;
    if (lc_deck_bool(deck, "train", "resume")) {
        lc_checkpoint_data data;
        int ok = lc_checkpoint_load(checkpoint_path, &data, &err) == 0;
        for (int k = 0; ok && k < state.n; k++)
            ok = lc_checkpoint_take(&data, state.buffers[k].name, state.data[k], state.buffers[k].n, &err) == 0;
        if (ok && data.seed != config.seed)
            ok = lc_error_set(&err, checkpoint_path, 0, "seed %llu, the deck says %llu", (unsigned long long)data.seed,
                              (unsigned long long)config.seed) == 0;
        if (ok) {
            model->step = (uint64_t)data.step;
            first_epoch = (long)data.epoch;
            lc_checkpoint_free(&data);
        }
        if (!lc_comm_all_true(ok)) {
            if (root) lc_error_print(&err);
            status = LC_EXIT_USER;
            goto done;
        }
        lc_log_info("train", "resumed from %s after epoch %ld (step %llu)", checkpoint_path, first_epoch,
                    (unsigned long long)model->step);
    }

    long n_used = n_rows / global_batch * global_batch, steps = n_used / global_batch;
    int n_losses = lc_model_n_losses(model);
    const char *names[8];
    for (int k = 0; k < n_losses; k++) names[k] = lc_model_loss_name(model, k);
    names[n_losses] = "seconds";
    names[n_losses + 1] = "rows_per_second";
    lc_metrics *metrics = NULL;
    if (lc_metrics_open(lc_deck_path(deck, "train", "metrics"), names, n_losses + 2, root,
                        lc_deck_bool(deck, "train", "resume") ? first_epoch : -1, &metrics, &err) != 0) {
        if (root) lc_error_print(&err);
        status = LC_EXIT_USER;
        goto done;
    }
    lc_log_info("train", "%s on %ld rows x %d (%ld per epoch in %ld steps of %ld), %d rank%s, %ld epochs", kind, n_rows,
                width, n_used, steps, global_batch, ranks, ranks > 1 ? "s" : "", epochs);

    long local_capacity = lc_shard_local_rows(n_used, global_batch, rank, ranks);
    long *perm = lc_malloc(sizeof(long) * (size_t)n_rows), *rows = lc_malloc(sizeof(long) * (size_t)(local_capacity + 1));
    long *step_offset = lc_malloc(sizeof(long) * (size_t)(steps + 1));
    float *local = lc_malloc(sizeof(float) * (size_t)(local_capacity + 1) * (size_t)width);
    lc_nn_ctx ctx;
    lc_nn_ctx_init(&ctx, config.seed);
    ctx.allreduce_sum = lc_allreduce_stats;
    double last_print = lc_log_seconds();
    for (long epoch = first_epoch; epoch < epochs && status == LC_EXIT_OK; epoch++) {
        double t0 = lc_log_seconds();
        lc_epoch_permutation(n_rows, config.seed, epoch, perm);
        long n_local = lc_shard_epoch_rows(perm, n_used, global_batch, rank, ranks, rows, step_offset);
        if (lc_shard_read_rows(training_set, "encoded", rows, n_local, width, local, &err) != 0) {
            fprintf(stderr, "legocryst: error: %s\n", err.message);
            lc_comm_abort(LC_EXIT_USER);
        }
        double sums[8] = {0};
        for (long s = 0; s < steps; s++) {
            lc_shard_step slice = lc_shard_range(n_used, global_batch, rank, ranks, s);
            ctx.sample0 = (uint64_t)(slice.first - slice.batch_first);
            double losses[8];
            lc_model_train_step(model, &ctx, local + step_offset[s] * width, (int)slice.rows, (int)slice.batch_rows,
                                sum_gradients, &guard, losses, NULL);
            int finite = 1;
            for (int k = 0; k < n_losses; k++) finite &= isfinite(losses[k]) != 0;
            if (!finite || guard.where[0]) {
                /* the guard vetoed the update, so the model holds the parameters before it; a non-finite loss with
                 * finite gradients was applied, and those parameters are finite too */
                if (root)
                    fprintf(stderr,
                            "legocryst: error: train: non-finite %s at epoch %ld step %ld (global step %llu)%s%s; the "
                            "last good state is in %s\n",
                            guard.where[0] ? "gradient" : "loss", epoch + 1, s + 1, (unsigned long long)model->step,
                            guard.where[0] ? " in " : "", guard.where, checkpoint_path);
                write_checkpoint(checkpoint_path, model, &state, epoch, deck_text, training_set, &err);
                status = LC_EXIT_USER;
                break;
            }
            for (int k = 0; k < n_losses; k++) sums[k] += losses[k];
            if (lc_log_seconds() - last_print > 10.0) {
                last_print = lc_log_seconds();
                lc_log_info("train", "epoch %ld step %ld/%ld: %s %.5g", epoch + 1, s + 1, steps, names[0], losses[0]);
            }
        }
        if (status != LC_EXIT_OK) break;
        double seconds = lc_log_seconds() - t0, values[10];
        for (int k = 0; k < n_losses; k++) values[k] = sums[k] / (double)steps;
        values[n_losses] = seconds;
        values[n_losses + 1] = (double)n_used / seconds;
        lc_metrics_write(metrics, epoch + 1, values, &err);
        char line[256];
        int used = 0;
        for (int k = 0; k < n_losses; k++) used += snprintf(line + used, sizeof line - (size_t)used, " %s %.5g", names[k], values[k]);
        lc_log_info("train", "epoch %ld/%ld:%s, %.1f s, %.0f rows/s", epoch + 1, epochs, line, seconds, values[n_losses + 1]);
        if ((epoch + 1) % lc_deck_int(deck, "train", "checkpoint_every") == 0 || epoch + 1 == epochs) {
            if (config.prior_components > 0) fit_prior(model, &ctx, local, rows, n_local, perm);
            if (write_checkpoint(checkpoint_path, model, &state, epoch + 1, deck_text, training_set, &err) != 0) {
                if (root) lc_error_print(&err);
                status = LC_EXIT_USER;
            }
        }
    }
    if (status == LC_EXIT_OK) {
        uint64_t checksum = 1469598103934665603ull;
        for (int k = 0; k < state.n; k++)
            checksum = lc_fnv1a64(checksum, state.data[k], sizeof(float) * (size_t)state.buffers[k].n);
        int identical = lc_comm_check_identical(checksum);
        lc_log_info("train", "weights checksum %016llx, %s on every rank", (unsigned long long)checksum,
                    identical ? "identical" : "DIFFERENT");
        if (!identical) status = LC_EXIT_INTERNAL;
    }
    lc_metrics_close(metrics, &err);
    free(perm), free(rows), free(step_offset), free(local);
done:
    free(deck_text);
    lc_model_destroy(model);
    lc_encoder_free(&encoder);
    lc_deck_free(deck);
    return status;
}
