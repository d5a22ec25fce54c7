/* legocryst export DB: candidates of a `legocryst relax` database -> one structure file each. Serial (rank 0):
 * the database is small next to the relaxation that made it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "core/error.h"
#include "envopt/candidate.h"
#include "io/structure_io.h"
#include "mpi/comm.h"
#include "mpi/h5_parallel.h"

static const char usage[] =
    "usage: legocryst export DB [--valid] [--unique] [--format cif|poscar|extxyz] --output DIR\n"
    "Writes one file per candidate of a candidate database (`legocryst relax`), named ID_sgN.EXT (N: the space\n"
    "group after relaxation). Without a filter every candidate with a structure is written.\n"
    "  --valid           only valid candidates, duplicates included\n"
    "  --unique          one candidate per crystal: valid ones that are not duplicates\n"
    "  --format F        cif (P1, default), poscar or extxyz\n"
    "  --output DIR      folder for the files (created when missing)\n";

typedef struct {
    long n, n_atoms_total;
    long long *id, *atom_offset;
    int *status, *spacegroup, *n_atoms, *species;
    double *lattice, *frac;
} candidates;

static void candidates_free(candidates *c) {
    free(c->id), free(c->atom_offset), free(c->status), free(c->spacegroup), free(c->n_atoms), free(c->species);
    free(c->lattice), free(c->frac);
}

static int candidates_read(const char *path, candidates *c, lc_error *err) {
    memset(c, 0, sizeof *c);
    char *kind = NULL;
    if (lc_h5_read_attr_string(path, "/", "kind", &kind, err) != 0) return -1;
    int ours = strcmp(kind, "candidate-database") == 0;
    free(kind);
    if (!ours) return lc_error_set(err, path, 0, "not a candidate database (kind is not candidate-database)");
    long dims[2], atom_dims[2];
    if (lc_h5_dataset_shape(path, "candidates/status", dims, err) != 0 ||
        lc_h5_dataset_shape(path, "atoms/species", atom_dims, err) != 0)
        return -1;
    long n = dims[0], m = atom_dims[0];
    size_t rows = (size_t)(n ? n : 1), atoms = (size_t)(m ? m : 1);
    c->n = n, c->n_atoms_total = m;
    c->id = lc_malloc(sizeof *c->id * rows);
    c->atom_offset = lc_malloc(sizeof *c->atom_offset * rows);
    c->status = lc_malloc(sizeof *c->status * rows);
    c->spacegroup = lc_malloc(sizeof *c->spacegroup * rows);
    c->n_atoms = lc_malloc(sizeof *c->n_atoms * rows);
    c->lattice = lc_malloc(sizeof *c->lattice * 9 * rows);
    c->species = lc_malloc(sizeof *c->species * atoms);
    c->frac = lc_malloc(sizeof *c->frac * 3 * atoms);
    if (n > 0 && (lc_h5_read_rows_i64(path, "candidates/id", 0, n, 1, c->id, err) != 0 ||
                  lc_h5_read_rows_i64(path, "candidates/atom_offset", 0, n, 1, c->atom_offset, err) != 0 ||
                  lc_h5_read_rows_i32(path, "candidates/status", 0, n, 1, c->status, err) != 0 ||
                  lc_h5_read_rows_i32(path, "candidates/spacegroup_relaxed", 0, n, 1, c->spacegroup, err) != 0 ||
                  lc_h5_read_rows_i32(path, "candidates/n_atoms", 0, n, 1, c->n_atoms, err) != 0 ||
                  lc_h5_read_rows_f64(path, "candidates/lattice", 0, n, 9, c->lattice, err) != 0))
        return -1;
    if (m > 0 && (lc_h5_read_rows_i32(path, "atoms/species", 0, m, 1, c->species, err) != 0 ||
                  lc_h5_read_rows_f64(path, "atoms/frac", 0, m, 3, c->frac, err) != 0))
        return -1;
    /* a corrupt offset must not read past the atoms */
    for (long k = 0; k < n; k++)
        if (c->n_atoms[k] < 0 || c->atom_offset[k] < 0 || c->atom_offset[k] + c->n_atoms[k] > m)
            return lc_error_set(err, path, 0, "candidate %ld: atoms %lld + %d outside /atoms (%ld rows)", k,
                                c->atom_offset[k], c->n_atoms[k], m);
    return 0;
}

static int export_run(const char *db, const char *dir, lc_file_format format, int valid, int unique) {
    lc_error err;
    candidates c;
    if (candidates_read(db, &c, &err) != 0) {
        lc_error_print(&err);
        candidates_free(&c);
        return LC_EXIT_USER;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "legocryst: error: %s: cannot create folder: %s\n", dir, strerror(errno));
        candidates_free(&c);
        return LC_EXIT_USER;
    }
    const char *ext = format == LC_FORMAT_CIF ? "cif" : format == LC_FORMAT_POSCAR ? "vasp" : "xyz";
    long written = 0;
    int status = LC_EXIT_OK;
    for (long k = 0; k < c.n && status == LC_EXIT_OK; k++) {
        int keep = c.n_atoms[k] > 0;
        if (unique) keep = keep && c.status[k] == LC_CANDIDATE_VALID;
        else if (valid) keep = keep && (c.status[k] == LC_CANDIDATE_VALID || c.status[k] == LC_CANDIDATE_DUPLICATE);
        if (!keep) continue;
        lc_structure s;
        lc_structure_init(&s, c.n_atoms[k]);
        memcpy(s.lattice, c.lattice + 9 * k, sizeof s.lattice);
        memcpy(s.species, c.species + c.atom_offset[k], sizeof *s.species * (size_t)c.n_atoms[k]);
        memcpy(s.frac, c.frac + 3 * c.atom_offset[k], sizeof *s.frac * (size_t)c.n_atoms[k]);
        snprintf(s.name, sizeof s.name, "%lld_sg%d", c.id[k], c.spacegroup[k]);
        size_t length = strlen(dir) + strlen(s.name) + 16;
        char *path = lc_malloc(length);
        snprintf(path, length, "%s/%s.%s", dir, s.name, ext);
        if (lc_structure_write(path, format, &s, &err) != 0) {
            lc_error_print(&err);
            status = LC_EXIT_USER;
        } else {
            written++;
        }
        free(path);
        lc_structure_free(&s);
    }
    if (status == LC_EXIT_OK)
        printf("export: %ld of %ld candidates written to %s (%s)\n", written, c.n, dir,
               unique ? "unique" : valid ? "valid" : "all with a structure");
    candidates_free(&c);
    return status;
}

int lc_cmd_export(int argc, char **argv) {
    const char *db = NULL, *dir = NULL, *format_name = "cif";
    int valid = 0, unique = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            if (lc_comm_rank() == 0) fputs(usage, stdout);
            return LC_EXIT_OK;
        } else if (strcmp(argv[i], "--valid") == 0) {
            valid = 1;
        } else if (strcmp(argv[i], "--unique") == 0) {
            unique = 1;
        } else if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "--output") == 0) {
            if (i + 1 >= argc) return lc_cli_usage_error("%s needs a value\n%s", argv[i], usage);
            if (argv[i][2] == 'f') format_name = argv[++i];
            else dir = argv[++i];
        } else if (argv[i][0] == '-') {
            return lc_cli_usage_error("unknown option '%s'\n%s", argv[i], usage);
        } else if (db) {
            return lc_cli_usage_error("one database at a time ('%s' and '%s')\n%s", db, argv[i], usage);
        } else {
            db = argv[i];
        }
    }
    if (!db || !dir) return lc_cli_usage_error("a database and --output DIR are needed\n%s", usage);
    lc_file_format format = strcmp(format_name, "cif") == 0      ? LC_FORMAT_CIF
                            : strcmp(format_name, "poscar") == 0 ? LC_FORMAT_POSCAR
                            : strcmp(format_name, "extxyz") == 0 ? LC_FORMAT_EXTXYZ
                                                                 : LC_FORMAT_AUTO;
    if (format == LC_FORMAT_AUTO)
        return lc_cli_usage_error("--format: '%s' is not cif, poscar or extxyz", format_name);
    return lc_comm_rank() == 0 ? export_run(db, dir, format, valid, unique) : LC_EXIT_OK;
}
