/* legocryst export DB: candidates of a `legocryst relax` database -> one structure file each. Serial (rank 0):
 * the database is small next to the relaxation that made it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/error.h"
#include "envopt/candidate.h"
#include "io/structure_io.h"
#include "mpi/comm.h"
#include "report/candidate_db.h"

static const char usage[] =
    "usage: legocryst export DB [--valid] [--unique] [--format cif|poscar|extxyz] --output DIR\n"
    "Writes one file per candidate of a candidate database (`legocryst relax`), named ID_sgN.EXT (N: the space\n"
    "group after relaxation). Without a filter every candidate with a structure is written.\n"
    "  --valid           only valid candidates, duplicates included\n"
    "  --unique          one candidate per crystal: valid ones that are not duplicates\n"
    "  --format F        cif (P1, default), poscar or extxyz\n"
    "  --output DIR      folder for the files (created when missing)\n";

static int export_run(const char *path, const char *dir, lc_file_format format, int valid, int unique) {
    lc_error err;
    lc_candidate_db db;
    if (lc_candidate_db_read(path, 1, &db, &err) != 0) {
        lc_error_print(&err);
        lc_candidate_db_free(&db);
        return LC_EXIT_USER;
    }
    long *which = lc_malloc(sizeof *which * (size_t)(db.n ? db.n : 1)), count = 0;
    for (long k = 0; k < db.n; k++) {
        int keep = db.n_atoms[k] > 0;
        if (unique) keep = keep && db.status[k] == LC_CANDIDATE_VALID;
        else if (valid) keep = keep && (db.status[k] == LC_CANDIDATE_VALID || db.status[k] == LC_CANDIDATE_DUPLICATE);
        if (keep) which[count++] = k;
    }
    int status = LC_EXIT_OK;
    if (lc_candidate_db_export(&db, which, count, dir, format, &err) != 0) {
        lc_error_print(&err);
        status = LC_EXIT_USER;
    } else {
        printf("export: %ld of %ld candidates written to %s (%s)\n", count, db.n, dir,
               unique ? "unique" : valid ? "valid" : "all with a structure");
    }
    free(which);
    lc_candidate_db_free(&db);
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
