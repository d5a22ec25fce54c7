/* legocryst relax DECK: rows -> candidates relaxed to the reference environment, judged and deduplicated, in one
 * HDF5 database. One process does the work here (rank 0); the campaign issue farms it over ranks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
#include "core/error.h"
#include "core/log.h"
#include "deck.h"
#include "candidate_table.h"
#include "envopt/dedup.h"
#include "mpi/comm.h"
#include "mpi/h5_parallel.h"
#include "relax_setup.h"

static const char usage[] =
    "usage: legocryst relax DECK [--set section.key=value]... [--quiet] [--log-json] [-relax_tao_OPTION VALUE]...\n"
    "Reads rows ([relax] input: /rows of an HDF5 file), decodes each, minimises the distance of every site's SO(3)\n"
    "environment to the reference (graphite by default) with PETSc/TAO L-BFGS over the row's free parameters,\n"
    "judges validity (coordination, distances, 3-D network), finds the space group after relaxation, marks\n"
    "duplicates and writes the candidate database ([relax] output, docs/candidate-database.md). PETSc options\n"
    "with the prefix -relax_ (e.g. -relax_tao_type bqnls, -relax_tao_monitor) pass through to TAO.\n";

/* Writes the database; collective. Rank 0 holds everything, the other ranks join with empty blocks. */
static int database_write(const char *path, const lc_candidate_table *table, const lc_deck *deck, const char *start,
                          lc_error *err) {
    lc_h5_file *f = NULL;
    if (lc_h5_create(path, &f, err) != 0) return -1;
    char *deck_text = lc_deck_resolved_text(deck);
    int s = lc_h5_write_provenance(f, "candidate-database", LC_CANDIDATE_DATABASE_SCHEMA_VERSION, deck_text, 0, start,
                                   err);
    free(deck_text);
    s = s ? s : lc_candidate_table_write(f, table, err);
    int closed = lc_h5_close(f, s == 0, s == 0 ? err : NULL);
    return s ? s : closed;
}

int lc_cmd_relax(int argc, char **argv) {
    char **ours = lc_malloc(sizeof(char *) * (size_t)(argc + 1)), **petsc = lc_malloc(sizeof(char *) * (size_t)(argc + 2));
    int n_petsc = 0, n_ours = lc_relax_split_petsc_options(argc, argv, ours, petsc, &n_petsc);
    lc_cli_run_options run;
    lc_deck *deck = NULL;
    lc_error err;
    int status = LC_EXIT_OK;
    if (lc_cli_parse_run_options(n_ours, ours, usage, &run) != 0) {
        status = run.exit_status;
        goto done;
    }
    if (lc_deck_load(&deck, run.deck_path, run.n_overrides, (const char *const *)run.overrides, &err) != 0) {
        lc_cli_run_options_free(&run);
        if (lc_comm_rank() == 0) lc_error_print(&err);
        status = LC_EXIT_USER;
        goto done;
    }
    lc_cli_configure_log(&run, deck);
    lc_cli_run_options_free(&run);
    char start[LC_H5_TIME_LEN];
    lc_h5_time_now(start);
    if (lc_petsc_start(&n_petsc, &petsc, &err) != 0) {
        if (lc_comm_rank() == 0) lc_error_print(&err);
        status = LC_EXIT_INTERNAL;
        goto done;
    }

    /* rows to relax */
    const char *input = lc_deck_path(deck, "relax", "input");
    long dims[2];
    if (lc_h5_dataset_shape(input, "rows", dims, &err) != 0) {
        if (lc_comm_rank() == 0) lc_error_print(&err);
        status = LC_EXIT_USER;
        goto done;
    }
    int columns = (int)dims[1], max_sites = (columns - LC_ROW_FIXED_COLUMNS) / LC_ROW_SITE_COLUMNS;
    if (columns != lc_row_columns(max_sites) || max_sites < 1) {
        if (lc_comm_rank() == 0)
            fprintf(stderr, "legocryst: error: %s: /rows has %d columns, not 7 + 4 x sites\n", input, columns);
        status = LC_EXIT_USER;
        goto done;
    }
    long first = lc_deck_int(deck, "relax", "first"), count = lc_deck_int(deck, "relax", "count");
    long stride = lc_deck_int(deck, "relax", "stride");
    if (first > dims[0]) first = dims[0];
    long available = dims[0] - first;
    if (count < 0 || count > available) count = available;
    double *rows = lc_malloc(sizeof(double) * (size_t)(count ? count : 1) * (size_t)columns);
    if (count > 0 && lc_h5_read_rows_f64(input, "rows", first, count, columns, rows, &err) != 0) {
        if (lc_comm_rank() == 0) lc_error_print(&err);
        free(rows);
        status = LC_EXIT_USER;
        goto done;
    }
    /* the rows to relax, as indices into `rows` */
    long *pick = lc_malloc(sizeof(long) * (size_t)(count ? count : 1)), n = 0;
    if (lc_deck_bool(deck, "relax", "first_of_source")) {
        long long *source = lc_malloc(sizeof(long long) * (size_t)(count ? count : 1));
        if (count > 0 && lc_h5_read_rows_i64(input, "source_id", first, count, 1, source, &err) != 0) {
            if (lc_comm_rank() == 0) lc_error_print(&err);
            free(source), free(pick), free(rows);
            status = LC_EXIT_USER;
            goto done;
        }
        for (long r = 0; r < count; r++)
            if (r == 0 || source[r] != source[r - 1]) pick[n++] = r;
        free(source);
    } else {
        for (long r = 0; r < count; r += stride) pick[n++] = r;
    }

    lc_relax_setup setup;
    lc_candidate_table table;
    lc_candidate_table_init(&table, columns);
    if (lc_relax_setup_from_deck(&setup, deck, &err) != 0) {
        if (lc_comm_rank() == 0) lc_error_print(&err);
        status = LC_EXIT_USER;
        goto rows_done;
    }

    if (lc_comm_rank() == 0) {
        lc_log_info("relax", "%ld rows of %s (first %ld, stride %ld)", n, input, first, stride);
        lc_dedup dedup;
        lc_dedup_init(&dedup, &setup.match, setup.match_density_tolerance);
        long counts[LC_CANDIDATE_STATUS_COUNT] = {0};
        lc_progress progress;
        lc_progress_start(&progress, "relax", "candidates", n);
        for (long k = 0; k < n; k++) {
            const double *row_array = rows + pick[k] * columns;
            lc_candidate c;
            int spacegroup;
            lc_relax_setup_candidate(&setup, row_array, max_sites, &c, &spacegroup);
            long long duplicate_of = -1;
            int n_primitive = 0;
            if (c.status == LC_CANDIDATE_VALID && setup.dedup) {
                duplicate_of = lc_dedup_offer(&dedup, first + pick[k], &c.structure, c.density, c.spacegroup_after,
                                              &n_primitive);
                if (duplicate_of >= 0) c.status = LC_CANDIDATE_DUPLICATE;
            }
            lc_candidate_table_add(&table, first + pick[k], row_array, spacegroup, &c, max_sites, n_primitive);
            table.duplicate_of[table.n - 1] = duplicate_of;
            counts[c.status]++;
            lc_candidate_free(&c);
            lc_progress_update(&progress, k + 1);
        }
        lc_progress_finish(&progress);
        printf("relax: %ld candidates:", n);
        for (int s = 0; s < LC_CANDIDATE_STATUS_COUNT; s++) printf(" %ld %s%s", counts[s], lc_candidate_status_name(s), s + 1 < LC_CANDIDATE_STATUS_COUNT ? "," : "\n");
        printf("relax: valid fraction %.4f, unique valid %ld (%.4f of all)\n", n ? (double)(counts[0] + counts[4]) / n : 0.0,
               counts[0], n ? (double)counts[0] / n : 0.0);
        lc_dedup_free(&dedup);
    }
    const char *output = lc_deck_path(deck, "relax", "output");
    if (database_write(output, &table, deck, start, &err) != 0) {
        if (lc_comm_rank() == 0) lc_error_print(&err);
        status = LC_EXIT_USER;
    } else {
        lc_log_info("relax", "wrote %s", output);
    }
    lc_relax_setup_free(&setup);
rows_done:
    lc_candidate_table_free(&table);
    free(pick);
    free(rows);
done:
    lc_deck_free(deck);
    free(ours);
    free(petsc);
    lc_petsc_stop();
    return status;
}
