/* legocryst prepare DECK: known structures -> LEGO-Cryst training set (rows, encoders) in one HDF5 file.
 *
 * Sources are dealt out to the ranks round robin; each rank describes and augments its sources; the rows are
 * shared with every rank and put in source order, duplicates dropped and the encoders fitted (deterministically,
 * the same on every rank); then each rank encodes an equal slice of the rows and writes it into the file with
 * parallel HDF5. Same seed -> same file content on any number of ranks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
#include "core/error.h"
#include "core/log.h"
#include "deck.h"
#include "io/source_list.h"
#include "io/structure_io.h"
#include "lego/augment.h"
#include "lego/encoder.h"
#include "lego/row.h"
#include "mpi/collective.h"
#include "mpi/comm.h"
#include "mpi/h5_parallel.h"
#include "symmetry/spacegroup.h"

enum { TRAINING_SET_SCHEMA_VERSION = 1 };

/* Why a source gives no rows. */
typedef enum {
    SOURCE_KEPT = 0,
    SOURCE_UNREADABLE,
    SOURCE_NO_SYMMETRY,
    SOURCE_TOO_MANY_ATOMS,
    SOURCE_ENERGY,
    SOURCE_FILTERS, /* sites, degrees of freedom, cell lengths or angles */
    SOURCE_STATUS_COUNT
} source_status;

static const char *source_status_names[SOURCE_STATUS_COUNT] = {
    "kept", "unreadable", "no space group", "too many atoms", "energy filter", "sites/dof/cell filters"};

/* Per-source numbers shared between ranks: one int row each. */
enum { INFO_STATUS, INFO_SPACEGROUP, INFO_ATOMS, INFO_SITES, INFO_DOF, INFO_ROWS, INFO_DESCRIPTIONS, INFO_COLUMNS };

static const char usage[] =
    "usage: legocryst prepare DECK [--set section.key=value]... [--quiet] [--log-json]\n"
    "Reads the structures named by [prepare] source, keeps those that pass the LEGO filters, writes each as\n"
    "symmetry-aware rows augmented through equivalent representatives and group-subgroup relations, fits the\n"
    "encoders and writes one HDF5 training set ([prepare] output). `legocryst help deck` lists every key.\n";

typedef struct {
    lc_augment_options augment;
    int max_atoms;
    int energy_filter;
    double energy_max;
    double merge_distance;
    lc_encoder_options encoder;
} prepare_settings;

static prepare_settings settings_from_deck(const lc_deck *deck) {
    prepare_settings s;
    s.augment = lc_augment_default_options();
    s.augment.max_sites = (int)lc_deck_int(deck, "prepare", "max_sites");
    s.augment.max_dof = (int)lc_deck_int(deck, "prepare", "max_dof");
    s.augment.max_length = lc_deck_double(deck, "prepare", "max_length");
    s.augment.min_angle = lc_deck_double(deck, "prepare", "min_angle");
    s.augment.max_angle = lc_deck_double(deck, "prepare", "max_angle");
    s.augment.rows_per_source = (int)lc_deck_int(deck, "prepare", "rows_per_source");
    s.augment.rows_original = (int)lc_deck_int(deck, "prepare", "rows_original");
    s.augment.rows_per_subgroup = (int)lc_deck_int(deck, "prepare", "rows_per_subgroup");
    s.augment.max_depth = (int)lc_deck_int(deck, "prepare", "max_subgroup_depth");
    s.augment.symprec = lc_deck_double(deck, "prepare", "symprec");
    s.augment.seed = (uint64_t)lc_deck_int(deck, "prepare", "seed");
    s.max_atoms = (int)lc_deck_int(deck, "prepare", "max_atoms");
    s.energy_filter = lc_deck_string(deck, "prepare", "energy_column")[0] != '\0';
    s.energy_max = lc_deck_double(deck, "prepare", "energy_max");
    s.merge_distance = lc_deck_double(deck, "prepare", "merge_distance");
    lc_encoder_options_default(&s.encoder);
    s.encoder.max_components = (int)lc_deck_int(deck, "prepare", "gmm_components");
    s.encoder.weight_threshold = lc_deck_double(deck, "prepare", "gmm_weight_threshold");
    s.encoder.seed = s.augment.seed;
    return s;
}

/* Rows of one source; fills its info row. Unusable sources are reported here, by the rank that reads them. */
static void prepare_source(const lc_source *source, const prepare_settings *s, int *info, lc_augment_result *rows) {
    memset(rows, 0, sizeof *rows);
    lc_structure_list list;
    lc_error err;
    if (lc_structure_list_read(source->path, LC_FORMAT_AUTO, NULL, &list, &err) != 0) {
        fprintf(stderr, "legocryst: warning: skipped: %s\n", err.message);
        info[INFO_STATUS] = SOURCE_UNREADABLE;
        return;
    }
    const lc_structure *structure = &list.items[0];
    info[INFO_ATOMS] = structure->n_atoms;
    lc_row row;
    if (lc_row_from_structure(structure, s->augment.symprec, &row, &err) != 0) {
        fprintf(stderr, "legocryst: warning: skipped: %s\n", err.message);
        info[INFO_STATUS] = SOURCE_NO_SYMMETRY;
    } else {
        info[INFO_SPACEGROUP] = row.spacegroup;
        info[INFO_SITES] = row.n_sites;
        info[INFO_DOF] = lc_row_degrees_of_freedom(&row);
        if (structure->n_atoms > s->max_atoms) info[INFO_STATUS] = SOURCE_TOO_MANY_ATOMS;
        else if (s->energy_filter && !(source->energy < s->energy_max)) info[INFO_STATUS] = SOURCE_ENERGY;
        else if (!lc_augment_row_passes(&row, &s->augment)) info[INFO_STATUS] = SOURCE_FILTERS;
        else if (lc_augment_source(structure, source->id, &s->augment, rows, &err) != 0) {
            fprintf(stderr, "legocryst: warning: skipped: %s\n", err.message);
            info[INFO_STATUS] = SOURCE_NO_SYMMETRY;
        } else {
            info[INFO_ROWS] = rows->n_rows;
            info[INFO_DESCRIPTIONS] = rows->n_descriptions;
        }
    }
    lc_structure_list_free(&list);
}

/* keep[i] = 0 for a row equal to an earlier row (exact bytes), 1 otherwise. Sorting indices by content keeps it
 * O(n log n) and independent of the number of ranks. */
static const double *sort_rows;
static int sort_columns;
static int compare_row_indices(const void *a, const void *b) {
    long i = *(const long *)a, j = *(const long *)b;
    int c = memcmp(sort_rows + i * sort_columns, sort_rows + j * sort_columns, sizeof(double) * (size_t)sort_columns);
    return c ? c : (i < j ? -1 : i > j);
}

static void mark_duplicates(const double *rows, long n, int columns, char *keep) {
    long *order = lc_malloc(sizeof(long) * (size_t)(n ? n : 1));
    for (long i = 0; i < n; i++) order[i] = i, keep[i] = 1;
    sort_rows = rows;
    sort_columns = columns;
    qsort(order, (size_t)n, sizeof(long), compare_row_indices);
    for (long k = 1; k < n; k++)
        if (memcmp(rows + order[k] * columns, rows + order[k - 1] * columns, sizeof(double) * (size_t)columns) == 0)
            keep[order[k]] = 0;
    free(order);
}

static void print_summary(const lc_source_list *sources, const int *info, const double *rows, const char *keep,
                          long n_rows, int columns, int kept_sources) {
    int status_count[SOURCE_STATUS_COUNT] = {0};
    for (int i = 0; i < sources->count; i++) status_count[info[i * INFO_COLUMNS + INFO_STATUS]]++;
    printf("prepare: %d sources, %d kept", sources->count, kept_sources);
    for (int k = 1; k < SOURCE_STATUS_COUNT; k++)
        if (status_count[k]) printf(", %d %s", status_count[k], source_status_names[k]);
    long kept_rows = 0;
    for (long i = 0; i < n_rows; i++) kept_rows += keep[i];
    printf("\nprepare: %ld distinct rows (%ld duplicates dropped)\n\n", kept_rows, n_rows - kept_rows);

    printf("rows per source\n%8s  %-40s %5s %6s %5s %4s %6s %s\n", "id", "file", "spg", "atoms", "sites", "dof", "rows",
           "status");
    for (int i = 0; i < sources->count; i++) {
        const int *x = info + i * INFO_COLUMNS;
        const char *name = strrchr(sources->items[i].path, '/');
        printf("%8lld  %-40.40s %5d %6d %5d %4d %6d %s\n", sources->items[i].id,
               name ? name + 1 : sources->items[i].path, x[INFO_SPACEGROUP], x[INFO_ATOMS], x[INFO_SITES], x[INFO_DOF],
               x[INFO_ROWS], source_status_names[x[INFO_STATUS]]);
    }
    long per_group[231] = {0};
    int sources_per_group[231] = {0};
    for (long i = 0; i < n_rows; i++)
        if (keep[i]) per_group[(int)rows[i * columns]]++;
    for (int i = 0; i < sources->count; i++)
        if (info[i * INFO_COLUMNS + INFO_STATUS] == SOURCE_KEPT) sources_per_group[info[i * INFO_COLUMNS + INFO_SPACEGROUP]]++;
    printf("\nrows per space group (of the row; sources: structures whose own group it is)\n%5s  %-12s %8s %8s\n",
           "spg", "symbol", "rows", "sources");
    for (int g = 1; g <= 230; g++) {
        if (!per_group[g] && !sources_per_group[g]) continue;
        lc_spacegroup sg;
        lc_spacegroup_info(g, &sg);
        printf("%5d  %-12s %8ld %8d\n", g, sg.symbol, per_group[g], sources_per_group[g]);
    }
    printf("\n");
}

/* Writes the training set; collective. Returns 0 or -1 (err). */
static int write_training_set(const char *path, const lc_deck *deck, const prepare_settings *s, const char *start,
                              const lc_source_list *sources, const int *info, const lc_encoder *encoder,
                              const double *local_rows, const float *local_encoded, const long long *local_source,
                              const int *local_description, long n_local, int columns, lc_error *err) {
    lc_h5_file *file = NULL;
    if (lc_h5_create(path, &file, err) != 0) return -1;
    int status = 0;
    char *deck_text = lc_deck_resolved_text(deck);
    status = status ? status : lc_h5_write_provenance(file, "lego-training-set", TRAINING_SET_SCHEMA_VERSION, deck_text,
                                                      s->augment.seed, start, err);
    free(deck_text);
    status = status ? status : lc_h5_write_rows_f64(file, "rows", local_rows, n_local, columns, err);
    status = status ? status
                    : lc_h5_write_rows_f32(file, "encoded", local_encoded, n_local, lc_encoder_width(encoder), err);
    status = status ? status : lc_h5_write_rows_i64(file, "source_id", local_source, n_local, 1, err);
    status = status ? status : lc_h5_write_rows_i32(file, "description", local_description, n_local, 1, err);
    status = status ? status : lc_h5_attr_i64(file, "/rows", "max_sites", s->augment.max_sites, err);

    /* per-source table (replicated on every rank) */
    long long *ids = lc_malloc(sizeof(long long) * (size_t)sources->count);
    double *energies = lc_malloc(sizeof(double) * (size_t)sources->count);
    const char **paths = lc_malloc(sizeof(char *) * (size_t)sources->count);
    for (int i = 0; i < sources->count; i++) {
        ids[i] = sources->items[i].id;
        energies[i] = sources->items[i].energy;
        paths[i] = sources->items[i].path;
    }
    status = status ? status : lc_h5_write_small_i64(file, "sources/id", ids, sources->count, 1, err);
    status = status ? status : lc_h5_write_small_f64(file, "sources/energy", energies, sources->count, 1, err);
    status = status ? status : lc_h5_write_small_strings(file, "sources/file", paths, sources->count, err);
    status = status ? status : lc_h5_write_small_i32(file, "sources/info", info, sources->count, INFO_COLUMNS, err);
    status = status ? status
                    : lc_h5_attr_string(file, "/sources/info", "columns",
                                        "status spacegroup atoms sites dof rows descriptions", err);
    free(ids);
    free(energies);
    free(paths);

    /* encoder arrays (docs/encoders.md) */
    int n = encoder->n_columns;
    status = status ? status : lc_h5_write_small_i32(file, "encoder/kind", encoder->kind, n, 1, err);
    status = status ? status : lc_h5_write_small_i32(file, "encoder/category_offset", encoder->category_offset, n + 1, 1, err);
    status = status ? status : lc_h5_write_small_i32(file, "encoder/category", encoder->category, encoder->n_categories, 1, err);
    status = status ? status : lc_h5_write_small_i32(file, "encoder/mode_offset", encoder->mode_offset, n + 1, 1, err);
    status = status ? status : lc_h5_write_small_f64(file, "encoder/mode_mean", encoder->mode_mean, encoder->n_modes, 1, err);
    status = status ? status : lc_h5_write_small_f64(file, "encoder/mode_std", encoder->mode_std, encoder->n_modes, 1, err);
    status = status ? status : lc_h5_write_small_f64(file, "encoder/mode_weight", encoder->mode_weight, encoder->n_modes, 1, err);
    status = status ? status : lc_h5_attr_i64(file, "/encoder", "width", lc_encoder_width(encoder), err);
    status = status ? status : lc_h5_attr_f64(file, "/", "merge_distance", s->merge_distance, err);
    int close_status = lc_h5_close(file, status == 0, status == 0 ? err : NULL);
    return status ? status : close_status;
}

int lc_cmd_prepare(int argc, char **argv) {
    lc_cli_run_options run;
    if (lc_cli_parse_run_options(argc, argv, usage, &run) != 0) return run.exit_status;
    lc_deck *deck = NULL;
    lc_error err;
    if (lc_deck_load(&deck, run.deck_path, run.n_overrides, (const char *const *)run.overrides, &err) != 0) {
        lc_cli_run_options_free(&run);
        if (lc_comm_rank() == 0) lc_error_print(&err);
        return LC_EXIT_USER;
    }
    lc_cli_configure_log(&run, deck);
    lc_cli_run_options_free(&run);
    char start[LC_H5_TIME_LEN];
    lc_h5_time_now(start);
    prepare_settings s = settings_from_deck(deck);

    lc_source_list sources;
    if (lc_source_list_load(lc_deck_path(deck, "prepare", "source"), lc_deck_string(deck, "prepare", "source_type"),
                            lc_deck_string(deck, "prepare", "file_column"), lc_deck_string(deck, "prepare", "id_column"),
                            lc_deck_string(deck, "prepare", "energy_column"), &sources, &err) != 0) {
        if (lc_comm_rank() == 0) lc_error_print(&err);
        lc_deck_free(deck);
        return LC_EXIT_USER;
    }
    int rank = lc_comm_rank(), ranks = lc_comm_size();
    int columns = lc_row_columns(s.augment.max_sites);
    lc_log_info("prepare", "%d sources from %s on %d rank%s", sources.count, sources.origin, ranks, ranks > 1 ? "s" : "");

    /* describe and augment this rank's sources: every ranks-th one, which spreads the costly high-symmetry
     * structures that tend to sit together in a list */
    int n_local_sources = sources.count / ranks + (rank < sources.count % ranks);
    int *local_info = lc_calloc((size_t)n_local_sources * (INFO_COLUMNS + 1) + 1, sizeof(int));
    double *local_rows = NULL;
    int *local_tag = NULL; /* per row: source index, description */
    long n_local = 0, local_capacity = 0;
    lc_progress progress;
    lc_progress_start(&progress, "prepare", "sources", n_local_sources);
    for (int k = 0; k < n_local_sources; k++) {
        int i = rank + k * ranks;
        int *info_row = local_info + k * (INFO_COLUMNS + 1);
        info_row[0] = i;
        lc_augment_result rows;
        prepare_source(&sources.items[i], &s, info_row + 1, &rows);
        if (n_local + rows.n_rows > local_capacity) {
            local_capacity = 2 * (n_local + rows.n_rows) + 1;
            local_rows = lc_realloc(local_rows, sizeof(double) * (size_t)local_capacity * (size_t)columns);
            local_tag = lc_realloc(local_tag, sizeof(int) * 2 * (size_t)local_capacity);
        }
        if (rows.n_rows > 0)
            memcpy(local_rows + (size_t)n_local * (size_t)columns, rows.rows,
                   sizeof(double) * (size_t)rows.n_rows * (size_t)columns);
        for (int r = 0; r < rows.n_rows; r++) {
            local_tag[2 * (n_local + r)] = i;
            local_tag[2 * (n_local + r) + 1] = rows.description[r];
        }
        n_local += rows.n_rows;
        lc_augment_result_free(&rows);
        lc_progress_update(&progress, k + 1);
    }
    lc_progress_finish(&progress);

    /* everything to every rank, then into source order: the same global list on any number of ranks */
    int *gathered_info = NULL, *gathered_tag = NULL;
    double *gathered_rows = NULL;
    lc_comm_allgather_i32(local_info, n_local_sources, INFO_COLUMNS + 1, &gathered_info);
    long n_rows = lc_comm_allgather_f64(local_rows, n_local, columns, &gathered_rows);
    lc_comm_allgather_i32(local_tag, n_local, 2, &gathered_tag);
    free(local_info);
    free(local_rows);
    free(local_tag);
    int *info = lc_calloc((size_t)sources.count * INFO_COLUMNS + 1, sizeof(int));
    for (int k = 0; k < sources.count; k++)
        memcpy(info + gathered_info[k * (INFO_COLUMNS + 1)] * INFO_COLUMNS, gathered_info + k * (INFO_COLUMNS + 1) + 1,
               sizeof(int) * INFO_COLUMNS);
    free(gathered_info);
    /* counting sort by source index, stable within a source */
    long *first_of_source = lc_calloc((size_t)sources.count + 1, sizeof(long));
    for (long r = 0; r < n_rows; r++) first_of_source[gathered_tag[2 * r] + 1]++;
    for (int i = 0; i < sources.count; i++) first_of_source[i + 1] += first_of_source[i];
    double *all_rows = lc_malloc(sizeof(double) * (size_t)(n_rows ? n_rows : 1) * (size_t)columns);
    long long *row_source = lc_malloc(sizeof(long long) * (size_t)(n_rows ? n_rows : 1));
    int *row_description = lc_malloc(sizeof(int) * (size_t)(n_rows ? n_rows : 1));
    for (long r = 0; r < n_rows; r++) {
        long to = first_of_source[gathered_tag[2 * r]]++;
        memcpy(all_rows + to * columns, gathered_rows + r * columns, sizeof(double) * (size_t)columns);
        row_source[to] = sources.items[gathered_tag[2 * r]].id;
        row_description[to] = gathered_tag[2 * r + 1];
    }
    free(first_of_source);
    free(gathered_rows);
    free(gathered_tag);
    int kept_sources = 0;
    for (int i = 0; i < sources.count; i++) kept_sources += info[i * INFO_COLUMNS + INFO_STATUS] == SOURCE_KEPT;

    int status = LC_EXIT_OK;
    char *keep = lc_malloc((size_t)(n_rows ? n_rows : 1));
    mark_duplicates(all_rows, n_rows, columns, keep);
    if (rank == 0) print_summary(&sources, info, all_rows, keep, n_rows, columns, kept_sources);
    if (kept_sources == 0 || n_rows == 0) {
        if (rank == 0) fprintf(stderr, "legocryst: error: %s: no structure passed the filters\n", sources.origin);
        status = LC_EXIT_USER;
    }
    long n_kept = 0;
    for (long r = 0; r < n_rows; r++) {
        if (!keep[r]) continue;
        memmove(all_rows + n_kept * columns, all_rows + r * columns, sizeof(double) * (size_t)columns);
        row_source[n_kept] = row_source[r];
        row_description[n_kept] = row_description[r];
        n_kept++;
    }

    lc_encoder encoder;
    memset(&encoder, 0, sizeof encoder);
    if (status == LC_EXIT_OK) {
        double t0 = lc_log_seconds();
        if (lc_encoder_fit(&encoder, all_rows, (int)n_kept, columns, &s.encoder, &err) != 0) {
            if (rank == 0) lc_error_print(&err);
            status = LC_EXIT_INTERNAL;
        } else {
            lc_log_info("prepare", "encoders fitted on %ld rows in %.1f s: %d encoded columns", n_kept,
                        lc_log_seconds() - t0, lc_encoder_width(&encoder));
        }
    }
    if (status == LC_EXIT_OK) {
        /* each rank encodes and writes an equal slice of the global rows */
        long begin = n_kept * rank / ranks, n_mine = n_kept * (rank + 1) / ranks - begin;
        int width = lc_encoder_width(&encoder);
        double *encoded = lc_malloc(sizeof(double) * (size_t)(n_mine ? n_mine : 1) * (size_t)width);
        float *encoded32 = lc_malloc(sizeof(float) * (size_t)(n_mine ? n_mine : 1) * (size_t)width);
        int ok = lc_encoder_transform(&encoder, all_rows + begin * columns, (int)n_mine, encoded, &err) == 0;
        if (!ok) fprintf(stderr, "legocryst: internal error: %s\n", err.message);
        for (long k = 0; k < n_mine * width; k++) encoded32[k] = (float)encoded[k];
        if (!lc_comm_all_true(ok)) {
            status = LC_EXIT_INTERNAL;
        } else {
            const char *output = lc_deck_path(deck, "prepare", "output");
            if (write_training_set(output, deck, &s, start, &sources, info, &encoder, all_rows + begin * columns,
                                   encoded32, row_source + begin, row_description + begin, n_mine, columns,
                                   &err) != 0) {
                if (rank == 0) lc_error_print(&err);
                status = LC_EXIT_USER;
            } else {
                lc_log_info("prepare", "wrote %s", output);
            }
        }
        free(encoded);
        free(encoded32);
    }
    lc_encoder_free(&encoder);
    free(keep);
    free(all_rows);
    free(row_source);
    free(row_description);
    free(info);
    lc_source_list_free(&sources);
    lc_deck_free(deck);
    return status;
}
