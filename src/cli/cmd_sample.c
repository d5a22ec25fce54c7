/* legocryst sample DECK: rows drawn from a trained model, spread over the ranks (row i depends only on the model,
 * the sampling seed and i), inverse-transformed by the training set's encoders (stored in the checkpoint),
 * decoded into structures, and written to HDF5 with a per-row decodable flag. Prints the decodable fraction and,
 * given a training set, the total-variation distance between the space-group histograms. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
#include "core/error.h"
#include "core/log.h"
#include "deck.h"
#include "lego/row.h"
#include "sampler.h"
#include "mpi/collective.h"
#include "mpi/comm.h"
#include "mpi/h5_parallel.h"

enum { SAMPLES_SCHEMA_VERSION = 1 };

static const char usage[] =
    "usage: legocryst sample DECK [--set section.key=value]... [--quiet] [--log-json]\n"
    "Draws [sample] rows rows from the model in [sample] checkpoint over all ranks, decodes them and writes\n"
    "[sample] output (HDF5: /rows, /decodable, /row_status).\n";

/* Space-group histogram of column 0 of rows, normalised. */
static void histogram(const double *rows, long n, int columns, const int *keep, double p[231]) {
    memset(p, 0, sizeof(double) * 231);
    long total = 0;
    for (long i = 0; i < n; i++) {
        if (keep && !keep[i]) continue;
        double g = rows[i * columns];
        if (g >= 1 && g <= 230) p[(int)g]++, total++;
    }
    for (int g = 0; g < 231; g++) p[g] = total ? p[g] / (double)total : 0.0;
}

int lc_cmd_sample(int argc, char **argv) {
    lc_cli_run_options run;
    if (lc_cli_parse_run_options(argc, argv, usage, &run) != 0) return run.exit_status;
    lc_deck *deck = NULL;
    lc_error err;
    int root = lc_comm_rank() == 0, rank = lc_comm_rank(), ranks = lc_comm_size();
    if (lc_deck_load(&deck, run.deck_path, run.n_overrides, (const char *const *)run.overrides, &err) != 0) {
        lc_cli_run_options_free(&run);
        if (root) lc_error_print(&err);
        return LC_EXIT_USER;
    }
    lc_cli_configure_log(&run, deck);
    lc_cli_run_options_free(&run);
    char start[LC_H5_TIME_LEN];
    lc_h5_time_now(start);

    lc_sampler sampler;
    if (lc_sampler_open(&sampler, lc_deck_path(deck, "sample", "checkpoint"), (uint64_t)lc_deck_int(deck, "sample", "seed"),
                        &err) != 0) {
        if (root) lc_error_print(&err);
        lc_deck_free(deck);
        return LC_EXIT_USER;
    }
    int status = LC_EXIT_OK;
    long n = lc_deck_int(deck, "sample", "rows");
    long first = n * rank / ranks, n_local = n * (rank + 1) / ranks - first;
    int columns = sampler.columns, max_sites = sampler.max_sites, batch = sampler.config.batch;
    int species = (int)lc_deck_int(deck, "sample", "species");
    double *rows = lc_malloc(sizeof(double) * (size_t)(n_local ? n_local : 1) * (size_t)columns);
    int *decodable = lc_malloc(sizeof(int) * (size_t)(n_local ? n_local : 1));
    int *row_status = lc_malloc(sizeof(int) * (size_t)(n_local ? n_local : 1));
    lc_row_decode_options decode = {.merge_distance = lc_deck_double(deck, "sample", "merge_distance"),
                                    .snap_special = lc_deck_bool(deck, "sample", "snap_special")};
    lc_progress progress;
    lc_progress_start(&progress, "sample", "rows", n_local);
    long ok_local = 0;
    for (long done_rows = 0; done_rows < n_local;) {
        int chunk = (int)(n_local - done_rows < batch ? n_local - done_rows : batch);
        lc_sampler_draw(&sampler, first + done_rows, chunk, rows + done_rows * columns);
        for (int i = 0; i < chunk; i++) {
            long r = done_rows + i;
            lc_row row;
            lc_structure s;
            lc_row_status st = lc_row_from_array(rows + r * columns, max_sites, species, &row);
            if (st == LC_ROW_OK) {
                st = lc_row_decode(&row, &decode, &s, NULL);
                lc_structure_free(&s);
            }
            row_status[r] = st;
            decodable[r] = st == LC_ROW_OK;
            ok_local += decodable[r];
        }
        done_rows += chunk;
        lc_progress_update(&progress, done_rows);
    }
    lc_progress_finish(&progress);

    /* statistics over all ranks */
    double *all_rows = NULL;
    int *all_decodable = NULL;
    long n_all = lc_comm_allgather_f64(rows, n_local, columns, &all_rows);
    lc_comm_allgather_i32(decodable, n_local, 1, &all_decodable);
    long ok = lc_comm_sum_long(ok_local);
    const char *training_set = lc_deck_path(deck, "sample", "training_set");
    double tv = -1;
    if (training_set[0]) {
        long dims[2];
        double *training = NULL;
        if (lc_h5_dataset_shape(training_set, "rows", dims, &err) == 0) {
            training = lc_malloc(sizeof(double) * (size_t)dims[0] * (size_t)dims[1]);
            if (lc_h5_read_rows_f64(training_set, "rows", 0, dims[0], (int)dims[1], training, &err) == 0) {
                double p[231], q[231];
                histogram(all_rows, n_all, columns, all_decodable, p);
                histogram(training, dims[0], (int)dims[1], NULL, q);
                tv = 0;
                for (int g = 1; g <= 230; g++) tv += 0.5 * fabs(p[g] - q[g]);
            }
            free(training);
        }
        if (tv < 0 && root) lc_error_print(&err);
    }
    if (root) {
        printf("sample: %ld rows, %ld decodable (%.4f)\n", n, ok, n ? (double)ok / (double)n : 0.0);
        if (tv >= 0) printf("sample: total-variation distance of the space-group histograms (decodable samples vs training "
                            "set): %.4f\n", tv);
    }
    free(all_rows);
    free(all_decodable);

    const char *output = lc_deck_path(deck, "sample", "output");
    lc_h5_file *file = NULL;
    if (lc_h5_create(output, &file, &err) == 0) {
        char *deck_text = lc_deck_resolved_text(deck);
        int s = lc_h5_write_provenance(file, "lego-samples", SAMPLES_SCHEMA_VERSION, deck_text, sampler.config.seed, start, &err);
        free(deck_text);
        s = s ? s : lc_h5_write_rows_f64(file, "rows", rows, n_local, columns, &err);
        s = s ? s : lc_h5_write_rows_i32(file, "decodable", decodable, n_local, 1, &err);
        s = s ? s : lc_h5_write_rows_i32(file, "row_status", row_status, n_local, 1, &err);
        s = s ? s : lc_h5_attr_f64(file, "/", "decodable_fraction", n ? (double)ok / (double)n : 0.0, &err);
        if (tv >= 0) s = s ? s : lc_h5_attr_f64(file, "/", "spacegroup_tv_distance", tv, &err);
        if (lc_h5_close(file, s == 0, s == 0 ? &err : NULL) != 0 || s != 0) status = LC_EXIT_USER;
    } else {
        status = LC_EXIT_USER;
    }
    if (status != LC_EXIT_OK) {
        if (root) lc_error_print(&err);
    } else {
        lc_log_info("sample", "wrote %s", output);
    }
    free(rows), free(decodable), free(row_status);
    lc_sampler_close(&sampler);
    lc_deck_free(deck);
    return status;
}
