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
#include "envopt/candidate.h"
#include "io/structure_io.h"
#include "mpi/comm.h"
#include "mpi/h5_parallel.h"
#include "symmetry/match.h"

enum { CANDIDATE_DATABASE_SCHEMA_VERSION = 1 };

static const char usage[] =
    "usage: legocryst relax DECK [--set section.key=value]... [--quiet] [--log-json] [-relax_tao_OPTION VALUE]...\n"
    "Reads rows ([relax] input: /rows of an HDF5 file), decodes each, minimises the distance of every site's SO(3)\n"
    "environment to the reference (graphite by default) with PETSc/TAO L-BFGS over the row's free parameters,\n"
    "judges validity (coordination, distances, 3-D network), finds the space group after relaxation, marks\n"
    "duplicates and writes the candidate database ([relax] output, docs/candidate-database.md). PETSc options\n"
    "with the prefix -relax_ (e.g. -relax_tao_type bqnls, -relax_tao_monitor) pass through to TAO.\n";

typedef struct {
    long n;
    long long *id;
    int *status, *row_status, *spacegroup, *spacegroup_relaxed, *iterations, *n_atoms, *coordination,
        *dimensionality;
    long long *atom_offset, *duplicate_of;
    double *objective, *lattice, *density, *row_in, *row_out;
    int *species;
    double *frac;
    long n_total_atoms, atom_capacity;
} database;

static void database_alloc(database *db, long n, int columns) {
    memset(db, 0, sizeof *db);
    size_t m = (size_t)(n ? n : 1);
    db->id = lc_calloc(m, sizeof(long long));
    db->status = lc_calloc(m, sizeof(int));
    db->row_status = lc_calloc(m, sizeof(int));
    db->spacegroup = lc_calloc(m, sizeof(int));
    db->spacegroup_relaxed = lc_calloc(m, sizeof(int));
    db->iterations = lc_calloc(m, sizeof(int));
    db->n_atoms = lc_calloc(m, sizeof(int));
    db->coordination = lc_calloc(2 * m, sizeof(int));
    db->dimensionality = lc_calloc(m, sizeof(int));
    db->atom_offset = lc_calloc(m, sizeof(long long));
    db->duplicate_of = lc_calloc(m, sizeof(long long));
    db->objective = lc_calloc(2 * m, sizeof(double));
    db->lattice = lc_calloc(9 * m, sizeof(double));
    db->density = lc_calloc(m, sizeof(double));
    db->row_in = lc_calloc((size_t)columns * m, sizeof(double));
    db->row_out = lc_calloc((size_t)columns * m, sizeof(double));
}

static void database_free(database *db) {
    void *arrays[] = {db->id, db->status, db->row_status, db->spacegroup, db->spacegroup_relaxed, db->iterations,
                      db->n_atoms, db->coordination, db->dimensionality, db->atom_offset, db->duplicate_of,
                      db->objective, db->lattice, db->density, db->row_in, db->row_out, db->species, db->frac};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) free(arrays[i]);
}

static void database_add_atoms(database *db, long index, const lc_structure *s) {
    if (db->n_total_atoms + s->n_atoms > db->atom_capacity) {
        db->atom_capacity = 2 * (db->n_total_atoms + s->n_atoms) + 64;
        db->species = lc_realloc(db->species, sizeof(int) * (size_t)db->atom_capacity);
        db->frac = lc_realloc(db->frac, sizeof(double) * 3 * (size_t)db->atom_capacity);
    }
    db->atom_offset[index] = db->n_total_atoms;
    db->n_atoms[index] = s->n_atoms;
    for (int i = 0; i < s->n_atoms; i++) {
        db->species[db->n_total_atoms] = s->species[i];
        memcpy(db->frac + 3 * db->n_total_atoms, s->frac[i], sizeof(double) * 3);
        db->n_total_atoms++;
    }
    memcpy(db->lattice + 9 * index, s->lattice, sizeof(double) * 9);
}

/* Writes the database; collective. Rank 0 holds everything, the other ranks join with empty blocks. */
static int database_write(const char *path, const database *db, int columns, const lc_deck *deck, const char *start,
                          lc_error *err) {
    int root = lc_comm_rank() == 0;
    long n = root ? db->n : 0, m = root ? db->n_total_atoms : 0;
    lc_h5_file *f = NULL;
    if (lc_h5_create(path, &f, err) != 0) return -1;
    char *deck_text = lc_deck_resolved_text(deck);
    int s = lc_h5_write_provenance(f, "candidate-database", CANDIDATE_DATABASE_SCHEMA_VERSION, deck_text, 0, start, err);
    free(deck_text);
    s = s ? s : lc_h5_write_rows_i64(f, "candidates/id", db->id, n, 1, err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/status", db->status, n, 1, err);
    s = s ? s : lc_h5_attr_string(f, "/candidates/status", "meaning",
                                  "0 valid, 1 invalid, 2 failed, 3 undecodable, 4 duplicate", err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/row_status", db->row_status, n, 1, err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/spacegroup", db->spacegroup, n, 1, err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/spacegroup_relaxed", db->spacegroup_relaxed, n, 1, err);
    s = s ? s : lc_h5_write_rows_f64(f, "candidates/objective", db->objective, n, 2, err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/iterations", db->iterations, n, 1, err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/n_atoms", db->n_atoms, n, 1, err);
    s = s ? s : lc_h5_write_rows_i64(f, "candidates/atom_offset", db->atom_offset, n, 1, err);
    s = s ? s : lc_h5_write_rows_f64(f, "candidates/lattice", db->lattice, n, 9, err);
    s = s ? s : lc_h5_write_rows_f64(f, "candidates/density", db->density, n, 1, err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/coordination", db->coordination, n, 2, err);
    s = s ? s : lc_h5_write_rows_i32(f, "candidates/dimensionality", db->dimensionality, n, 1, err);
    s = s ? s : lc_h5_write_rows_i64(f, "candidates/duplicate_of", db->duplicate_of, n, 1, err);
    s = s ? s : lc_h5_write_rows_f64(f, "candidates/row_in", db->row_in, n, columns, err);
    s = s ? s : lc_h5_write_rows_f64(f, "candidates/row_out", db->row_out, n, columns, err);
    s = s ? s : lc_h5_write_rows_i32(f, "atoms/species", db->species, m, 1, err);
    s = s ? s : lc_h5_write_rows_f64(f, "atoms/frac", db->frac, m, 3, err);
    int closed = lc_h5_close(f, s == 0, s == 0 ? err : NULL);
    return s ? s : closed;
}

/* Splits -relax_* PETSc options (with their values) from the command line. */
static int split_petsc_options(int argc, char **argv, char **ours, char **petsc, int *n_petsc) {
    int n_ours = 0;
    *n_petsc = 1;
    petsc[0] = argv[0];
    for (int i = 0; i < argc; i++) {
        if (i > 0 && strncmp(argv[i], "-relax_", 7) == 0) {
            petsc[(*n_petsc)++] = argv[i];
            if (i + 1 < argc && argv[i + 1][0] != '-') petsc[(*n_petsc)++] = argv[++i];
        } else {
            ours[n_ours++] = argv[i];
        }
    }
    petsc[*n_petsc] = NULL;
    return n_ours;
}

static int reference_environment(const lc_deck *deck, const lc_so3_plan *plan, double *p, lc_error *err) {
    const char *reference = lc_deck_string(deck, "relax", "reference");
    if (strcmp(reference, "graphite") == 0) {
        lc_environment_graphite(plan, p);
        return 0;
    }
    lc_structure_list list;
    if (lc_structure_list_read(reference, LC_FORMAT_AUTO, NULL, &list, err) != 0) return -1;
    lc_so3_descriptor(plan, &list.items[0], 0, p, NULL);
    lc_structure_list_free(&list);
    return 0;
}

int lc_cmd_relax(int argc, char **argv) {
    char **ours = lc_malloc(sizeof(char *) * (size_t)(argc + 1)), **petsc = lc_malloc(sizeof(char *) * (size_t)(argc + 2));
    int n_petsc = 0, n_ours = split_petsc_options(argc, argv, ours, petsc, &n_petsc);
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

    lc_so3_options so3 = lc_so3_default_options();
    so3.nmax = (int)lc_deck_int(deck, "relax", "nmax");
    so3.lmax = (int)lc_deck_int(deck, "relax", "lmax");
    so3.alpha = lc_deck_double(deck, "relax", "alpha");
    so3.rcut = lc_deck_double(deck, "relax", "rcut");
    lc_so3_plan plan;
    double *reference = NULL;
    database db;
    database_alloc(&db, n, columns);
    if (lc_so3_init(&plan, &so3, &err) != 0) {
        if (lc_comm_rank() == 0) lc_error_print(&err);
        status = LC_EXIT_USER;
        goto rows_done;
    }
    reference = lc_malloc(sizeof(double) * (size_t)plan.n_components);
    if (reference_environment(deck, &plan, reference, &err) != 0) {
        if (lc_comm_rank() == 0) lc_error_print(&err);
        status = LC_EXIT_USER;
        goto plan_done;
    }
    lc_candidate_settings settings = {
        .plan = &plan,
        .reference = reference,
        .relax = lc_relax_default_options(),
        .min_length = lc_deck_double(deck, "relax", "min_length"),
        .max_length = lc_deck_double(deck, "relax", "max_length"),
        .min_angle = lc_deck_double(deck, "relax", "min_angle"),
        .max_angle = lc_deck_double(deck, "relax", "max_angle"),
        .merge_distance = lc_deck_double(deck, "relax", "merge_distance"),
        .validity = lc_validity_default_options(),
        .symprec = lc_deck_double(deck, "relax", "symprec"),
    };
    settings.relax.max_iterations = (int)lc_deck_int(deck, "relax", "max_iterations");
    settings.relax.gradient_atol = lc_deck_double(deck, "relax", "gradient_atol");
    settings.validity.coordination = (int)lc_deck_int(deck, "relax", "coordination");
    settings.validity.bond_cutoff = lc_deck_double(deck, "relax", "bond_cutoff");
    settings.validity.min_distance = lc_deck_double(deck, "relax", "min_distance");
    settings.validity.min_dimensionality = (int)lc_deck_int(deck, "relax", "min_dimensionality");
    /* pymatgen StructureMatcher semantics (LEGO-Cryst's dedup); docs/relax.md */
    lc_match_options match = lc_match_loose_options();
    match.site_tolerance = lc_deck_double(deck, "relax", "match_site_tolerance");
    match.length_tolerance = lc_deck_double(deck, "relax", "match_length_tolerance");
    match.angle_tolerance = lc_deck_double(deck, "relax", "match_angle_tolerance");
    match.scale = lc_deck_bool(deck, "relax", "match_scale");
    /* Without scaling, matching cells differ in volume by at most the length window and the angle term; with
     * it, density says nothing. */
    double density_window = match.scale ? INFINITY
                                        : pow(1 + match.length_tolerance, 3) *
                                              (1 + 4.5 * match.angle_tolerance * 3.14159265358979323846 / 180);
    int dedup = lc_deck_bool(deck, "relax", "dedup");
    int species = (int)lc_deck_int(deck, "relax", "species");

    if (lc_comm_rank() == 0) {
        lc_log_info("relax", "%ld rows of %s (first %ld, stride %ld)", n, input, first, stride);
        lc_match_cell *unique = lc_malloc(sizeof(lc_match_cell) * (size_t)(n ? n : 1));
        long *unique_index = lc_malloc(sizeof(long) * (size_t)(n ? n : 1));
        long n_unique = 0, counts[LC_CANDIDATE_STATUS_COUNT] = {0};
        lc_progress progress;
        lc_progress_start(&progress, "relax", "candidates", n);
        for (long k = 0; k < n; k++) {
            const double *row_array = rows + pick[k] * columns;
            lc_row row;
            lc_candidate c;
            db.id[k] = first + pick[k];
            db.duplicate_of[k] = -1;
            memcpy(db.row_in + k * columns, row_array, sizeof(double) * (size_t)columns);
            lc_row_status parsed = lc_row_from_array(row_array, max_sites, species, &row);
            if (parsed != LC_ROW_OK) {
                memset(&c, 0, sizeof c);
                lc_structure_init(&c.structure, 0);
                c.status = LC_CANDIDATE_UNDECODABLE;
                c.row_status = parsed;
            } else {
                lc_candidate_relax(&row, &settings, &c);
            }
            if (c.status == LC_CANDIDATE_VALID && dedup) {
                lc_match_cell cell;
                if (lc_match_cell_init(&cell, &c.structure, &match) == 0) {
                    /* fingerprint first: the matcher needs equal primitive atom counts (and composition, which
                     * lc_match_cells compares first), and a density ratio within the window */
                    for (long u = 0; u < n_unique && db.duplicate_of[k] < 0; u++) {
                        double ratio = db.density[unique_index[u]] / c.density;
                        if (unique[u].primitive.n_atoms == cell.primitive.n_atoms && ratio < density_window &&
                            ratio * density_window > 1 && lc_match_cells(&unique[u], &cell, &match, NULL))
                            db.duplicate_of[k] = db.id[unique_index[u]];
                    }
                    if (db.duplicate_of[k] >= 0) {
                        c.status = LC_CANDIDATE_DUPLICATE;
                        lc_match_cell_free(&cell);
                    } else {
                        unique[n_unique] = cell;
                        unique_index[n_unique++] = k;
                    }
                }
            }
            db.status[k] = c.status;
            db.row_status[k] = c.row_status;
            db.spacegroup[k] = row.spacegroup;
            db.spacegroup_relaxed[k] = c.spacegroup_after;
            db.objective[2 * k] = c.objective_before;
            db.objective[2 * k + 1] = c.objective_after;
            db.iterations[k] = c.iterations;
            db.density[k] = c.density;
            db.coordination[2 * k] = c.validity.min_coordination;
            db.coordination[2 * k + 1] = c.validity.max_coordination;
            db.dimensionality[k] = c.validity.dimensionality;
            if (c.structure.n_atoms) {
                database_add_atoms(&db, k, &c.structure);
                lc_row_to_array(&c.relaxed_row, max_sites, db.row_out + k * columns);
            } else {
                for (int q = 0; q < columns; q++) db.row_out[k * columns + q] = NAN;
            }
            counts[c.status]++;
            lc_candidate_free(&c);
            lc_progress_update(&progress, k + 1);
        }
        lc_progress_finish(&progress);
        db.n = n;
        printf("relax: %ld candidates:", n);
        for (int s = 0; s < LC_CANDIDATE_STATUS_COUNT; s++) printf(" %ld %s%s", counts[s], lc_candidate_status_name(s), s + 1 < LC_CANDIDATE_STATUS_COUNT ? "," : "\n");
        printf("relax: valid fraction %.4f, unique valid %ld (%.4f of all)\n", n ? (double)(counts[0] + counts[4]) / n : 0.0,
               counts[0], n ? (double)counts[0] / n : 0.0);
        for (long u = 0; u < n_unique; u++) lc_match_cell_free(&unique[u]);
        free(unique);
        free(unique_index);
    }
    const char *output = lc_deck_path(deck, "relax", "output");
    if (database_write(output, &db, columns, deck, start, &err) != 0) {
        if (lc_comm_rank() == 0) lc_error_print(&err);
        status = LC_EXIT_USER;
    } else {
        lc_log_info("relax", "wrote %s", output);
    }
plan_done:
    free(reference);
    lc_so3_free(&plan);
rows_done:
    database_free(&db);
    free(pick);
    free(rows);
done:
    lc_deck_free(deck);
    free(ours);
    free(petsc);
    lc_petsc_stop();
    return status;
}
