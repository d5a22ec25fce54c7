/* The candidate database's table in memory (docs/candidate-database.md): one record per candidate, atoms as one
 * flat list with offsets. `relax` fills one table on one rank; `campaign` fills one per rank, keeps them in
 * segment files while it runs, moves records between ranks by id and writes the final, id-ordered file. */
#ifndef LEGOCRYST_CLI_CANDIDATE_TABLE_H
#define LEGOCRYST_CLI_CANDIDATE_TABLE_H

#include <stddef.h>

#include "core/error.h"
#include "envopt/candidate.h"
#include "mpi/h5_parallel.h"

enum { LC_CANDIDATE_DATABASE_SCHEMA_VERSION = 2 };

typedef struct {
    int columns;       /* row columns */
    long n, capacity;  /* records */
    long long *id;
    int *status, *row_status, *spacegroup, *spacegroup_relaxed, *iterations, *n_atoms, *coordination /* [n][2] */,
        *dimensionality, *n_primitive;
    long long *atom_offset, *duplicate_of;
    double *objective /* [n][2] */, *lattice /* [n][9] */, *density, *row_in, *row_out /* [n][columns] */;
    long n_total_atoms, atom_capacity;
    int *species;
    double *frac;      /* [n_total_atoms][3] */
} lc_candidate_table;

void lc_candidate_table_init(lc_candidate_table *t, int columns);
void lc_candidate_table_free(lc_candidate_table *t);
/* Appends candidate id: the row as read, what relaxation made of it (c), and n_primitive, the atoms of the
 * relaxed primitive cell (the dedup key; 0 when not computed). duplicate_of starts at -1. */
void lc_candidate_table_add(lc_candidate_table *t, long long id, const double *row_in, int row_spacegroup,
                            const lc_candidate *c, int max_sites, int n_primitive);
/* The relaxed structure of record k (the caller frees it). */
void lc_candidate_table_structure(const lc_candidate_table *t, long k, lc_structure *out);
/* Reorders the records by id. */
void lc_candidate_table_sort(lc_candidate_table *t);

/* Collective over the file's ranks: every rank's records, in rank order, as /candidates and /atoms (atom offsets
 * made global). */
int lc_candidate_table_write(lc_h5_file *f, const lc_candidate_table *t, lc_error *err);
/* Appends the records of a database or segment file (serial read). */
int lc_candidate_table_read(const char *path, lc_candidate_table *t, lc_error *err);

/* Records as bytes, for moving them between ranks: pack appends record k to *buffer (grown as needed), unpack
 * appends every record of the bytes to t and returns how many. */
void lc_candidate_table_pack(const lc_candidate_table *t, long k, char **buffer, size_t *size, size_t *capacity);
long lc_candidate_table_unpack(lc_candidate_table *t, const char *bytes, size_t size);

#endif
