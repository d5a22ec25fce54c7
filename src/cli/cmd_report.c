/* legocryst report DB: the summary of a candidate database (src/report/summary.h), optionally the best candidates
 * as CIF files and three PNG figures. Serial (rank 0), like export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/error.h"
#include "core/structure.h"
#include "lego/row.h"
#include "mpi/comm.h"
#include "mpi/h5_parallel.h"
#include "report/candidate_db.h"
#include "report/figures.h"
#include "report/summary.h"

static const char usage[] =
    "usage: legocryst report DB [--json] [--best K] [--cif DIR] [--plots DIR] [--training FILE]\n"
    "Summarises a candidate database (`legocryst relax`): how many candidates decoded, relaxed to a valid\n"
    "environment (duplicates included), are unique and 3-D; per space group after relaxation; the best unique\n"
    "candidates (lowest objective after relaxation) and the rates of the run.\n"
    "  --json           one JSON object instead of text\n"
    "  --best K         list the K best unique candidates (default 10)\n"
    "  --cif DIR        also write them as CIF files (P1) named ID_sgN.cif into DIR (created when missing)\n"
    "  --plots DIR      write objective.png, spacegroups.png and density.png into DIR\n"
    "  --training FILE  a training set (`legocryst prepare`): density.png also shows its rows' densities, decoded\n"
    "                   with the candidates' species\n";

/* Densities of the decodable rows of a training set, the rows decoded as `species` atoms with the set's own merge
 * distance. */
static int training_densities(const char *path, int species, double **out, long *n_out, lc_error *err) {
    long dims[2];
    *out = NULL, *n_out = 0;
    if (lc_h5_dataset_shape(path, "rows", dims, err) != 0) return -1;
    int columns = (int)dims[1], max_sites = (columns - LC_ROW_FIXED_COLUMNS) / LC_ROW_SITE_COLUMNS;
    if (max_sites < 1 || columns != lc_row_columns(max_sites))
        return lc_error_set(err, path, 0, "/rows has %d columns, not 7 + 4 x sites", columns);
    double merge = 0.5; /* the prepare default, for sets written without the attribute */
    lc_error ignored;
    if (lc_h5_read_attr_f64(path, "/", "merge_distance", &merge, &ignored) != 0) merge = 0.5;
    double *rows = lc_malloc(sizeof *rows * (size_t)(dims[0] ? dims[0] : 1) * (size_t)columns);
    if (dims[0] > 0 && lc_h5_read_rows_f64(path, "rows", 0, dims[0], columns, rows, err) != 0) {
        free(rows);
        return -1;
    }
    double *density = lc_malloc(sizeof *density * (size_t)(dims[0] ? dims[0] : 1));
    lc_row_decode_options decode = {.merge_distance = merge};
    long n = 0;
    for (long r = 0; r < dims[0]; r++) {
        lc_row row;
        lc_structure s;
        if (lc_row_from_array(rows + r * columns, max_sites, species, &row) != LC_ROW_OK) continue;
        if (lc_row_decode(&row, &decode, &s, NULL) == LC_ROW_OK) density[n++] = lc_structure_density(&s);
        lc_structure_free(&s);
    }
    free(rows);
    *out = density, *n_out = n;
    return 0;
}

static int plots(const char *db_path, const lc_summary *summary, const char *dir, const char *training, FILE *log) {
    lc_error err;
    lc_candidate_db db;
    double *density = NULL;
    long n_training = 0;
    int status = lc_candidate_db_read(db_path, 0, &db, &err);
    if (status == 0 && training) {
        /* rows carry no species: take the candidates' (every row is one species), carbon for an empty database */
        int species = 6;
        long dims[2];
        status = lc_h5_dataset_shape(db_path, "atoms/species", dims, &err);
        if (status == 0 && dims[0] > 0) status = lc_h5_read_rows_i32(db_path, "atoms/species", 0, 1, 1, &species, &err);
        if (status == 0) status = training_densities(training, species, &density, &n_training, &err);
    }
    if (status == 0) status = lc_figures_write(dir, &db, summary, density, n_training, &err);
    if (status == 0)
        fprintf(log, "report: objective.png, spacegroups.png and density.png written to %s\n", dir);
    else
        lc_error_print(&err);
    free(density);
    lc_candidate_db_free(&db);
    return status ? LC_EXIT_USER : LC_EXIT_OK;
}

static int report_run(const char *db, int json, int best, const char *cif_dir, const char *plot_dir,
                      const char *training) {
    lc_error err;
    lc_summary s;
    if (lc_summary_read_db(db, best, &s, &err) != 0) {
        lc_error_print(&err);
        return LC_EXIT_USER;
    }
    if (json) lc_summary_print_json(stdout, &s);
    else lc_summary_print(stdout, &s);
    fflush(stdout);
    FILE *log = json ? stderr : stdout; /* --json keeps stdout one JSON object */
    int status = LC_EXIT_OK;
    if (cif_dir) {
        int written = lc_summary_export_best(db, best, cif_dir, &err);
        if (written < 0) {
            lc_error_print(&err);
            status = LC_EXIT_USER;
        } else {
            fprintf(log, "report: %d best unique candidates written to %s\n", written, cif_dir);
        }
    }
    if (status == LC_EXIT_OK && plot_dir) status = plots(db, &s, plot_dir, training, log);
    lc_summary_free(&s);
    return status;
}

int lc_cmd_report(int argc, char **argv) {
    const char *db = NULL, *cif_dir = NULL, *plot_dir = NULL, *training = NULL;
    int json = 0, best = LC_SUMMARY_DEFAULT_BEST;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            if (lc_comm_rank() == 0) fputs(usage, stdout);
            return LC_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--best") == 0 || strcmp(argv[i], "--cif") == 0 ||
                   strcmp(argv[i], "--plots") == 0 || strcmp(argv[i], "--training") == 0) {
            if (i + 1 >= argc) return lc_cli_usage_error("%s needs a value\n%s", argv[i], usage);
            const char *option = argv[i], *value = argv[++i];
            if (strcmp(option, "--best") == 0) {
                if (lc_cli_parse_int(value, &best) != 0 || best < 0)
                    return lc_cli_usage_error("--best: '%s' is not a count (0 or more)", value);
            } else if (strcmp(option, "--cif") == 0) {
                cif_dir = value;
            } else if (strcmp(option, "--plots") == 0) {
                plot_dir = value;
            } else {
                training = value;
            }
        } else if (argv[i][0] == '-') {
            return lc_cli_usage_error("unknown option '%s'\n%s", argv[i], usage);
        } else if (db) {
            return lc_cli_usage_error("one database at a time ('%s' and '%s')\n%s", db, argv[i], usage);
        } else {
            db = argv[i];
        }
    }
    if (!db) return lc_cli_usage_error("a database is needed\n%s", usage);
    if (training && !plot_dir) return lc_cli_usage_error("--training is for the density plot: add --plots DIR");
    return lc_comm_rank() == 0 ? report_run(db, json, best, cif_dir, plot_dir, training) : LC_EXIT_OK;
}
