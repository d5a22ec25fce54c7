/* A candidate database (docs/candidate-database.md) read into memory, serially: what `legocryst export` and
 * `legocryst report` need. */
#ifndef LEGOCRYST_REPORT_CANDIDATE_DB_H
#define LEGOCRYST_REPORT_CANDIDATE_DB_H

#include "core/error.h"
#include "core/structure.h"
#include "io/structure_io.h"

typedef struct {
    long n;                  /* candidates */
    long long *id;           /* [n] */
    int *status;             /* [n] lc_candidate_status */
    int *spacegroup_relaxed; /* [n] 0 when there is no structure */
    int *dimensionality;     /* [n] */
    int *n_atoms;            /* [n] */
    long long *atom_offset;  /* [n] into the atoms */
    double *objective;       /* [n][2] before, after */
    double *density;         /* [n] g/cm^3 */
    /* read only with_structures (else NULL and 0) */
    double *lattice;         /* [n][9] rows a, b, c */
    long n_atoms_total;
    int *species;            /* [n_atoms_total] */
    double *frac;            /* [n_atoms_total][3] */
} lc_candidate_db;

/* Reads every candidate's columns, and with with_structures != 0 also the lattices and /atoms. Returns -1 with
 * err set when the file is missing, is not a candidate database (attribute kind), lacks a dataset, or a
 * candidate's atoms lie outside /atoms. db is always freeable. */
int lc_candidate_db_read(const char *path, int with_structures, lc_candidate_db *db, lc_error *err);
void lc_candidate_db_free(lc_candidate_db *db);

/* Candidate k's structure (read with_structures), named ID_sgN after its id and relaxed space group.
 * Free with lc_structure_free. */
void lc_candidate_db_structure(const lc_candidate_db *db, long k, lc_structure *out);
/* Writes candidates which[0 .. count-1] as FOLDER/ID_sgN.cif, .vasp or .xyz (format CIF (P1), POSCAR or EXTXYZ),
 * creating FOLDER when missing. Returns -1 with err set at the first file that cannot be written. */
int lc_candidate_db_export(const lc_candidate_db *db, const long *which, long count, const char *folder,
                           lc_file_format format, lc_error *err);

#endif
