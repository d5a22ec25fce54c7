/* Parallel HDF5 output: one file written by every rank of MPI_COMM_WORLD through MPI-IO, and serial readers.
 *
 * Conventions (docs/hdf5.md): a dataset of C columns is 2-D [rows][C], or 1-D [rows] when C == 1; rows written
 * by several ranks lie in rank order; row datasets are chunked (~1 MiB, full width) with an unlimited row
 * dimension; strings are fixed-length (parallel HDF5 1.10 cannot write variable-length data). The file is
 * written as PATH.partial and renamed to PATH by a successful lc_h5_close, so a half-written file never carries
 * the final name.
 *
 * Every writer is collective: all ranks call it, in the same order, with the same name and shape arguments.
 * Passing different shapes from different ranks, a negative count or NULL data for rows that exist is a bug in
 * the caller and ends the program (exit 1), as does any failing HDF5 or MPI call. A conflict with what the file
 * holds (a name already taken, an append whose columns differ, a missing object) returns -1 on every rank with
 * err set, and the caller should then lc_h5_close(f, 0, ...). Readers open the file serially on the calling rank
 * and return -1 with err set for a missing or unreadable file, a missing name, or a shape that does not fit. */
#ifndef LEGOCRYST_MPI_H5_PARALLEL_H
#define LEGOCRYST_MPI_H5_PARALLEL_H

#include "core/error.h"

typedef struct lc_h5_file lc_h5_file;

/* Current time as ISO 8601 UTC, "2025-01-31T12:00:00Z". */
enum { LC_H5_TIME_LEN = 32 };
void lc_h5_time_now(char out[LC_H5_TIME_LEN]);

/* Collective. Creates PATH.partial (truncating a stale one) for parallel writing. Returns 0, or -1 on every rank
 * with err set when the path cannot be created (missing folder, no permission, PATH is a folder). */
int lc_h5_create(const char *path, lc_h5_file **out, lc_error *err);
/* Not collective: PATH.partial written by the calling rank alone (MPI_COMM_SELF); the writers below are then
 * collective over that one rank. For per-rank files such as a campaign's segments. */
int lc_h5_create_local(const char *path, lc_h5_file **out, lc_error *err);
/* Collective over the file's ranks: the sum of n_local over the ranks before this one (MPI_Exscan), e.g. the
 * global offset of this rank's first row. */
long long lc_h5_rows_before(lc_h5_file *f, long long n_local);
/* Collective; f may be NULL (returns 0). When every rank passes success != 0: stamps end_time (when provenance
 * was written), closes and renames PATH.partial to PATH (replacing an older PATH). When any rank passes 0: closes
 * and removes PATH.partial; an older PATH is left alone. Frees f. Returns -1 with err set when the rename fails. */
int lc_h5_close(lc_h5_file *f, int success, lc_error *err);

/* Distributed rows: each rank passes its n_local rows (row-major [n_local][columns]; n_local may be 0, local then
 * may be NULL). Creates NAME (with its groups, e.g. "encoder/matrix") holding the rows of all ranks in rank
 * order, and writes collectively. Returns -1 if NAME exists. */
int lc_h5_write_rows_f64(lc_h5_file *f, const char *name, const double *local, long n_local, int columns,
                         lc_error *err);
int lc_h5_write_rows_f32(lc_h5_file *f, const char *name, const float *local, long n_local, int columns,
                         lc_error *err);
int lc_h5_write_rows_i64(lc_h5_file *f, const char *name, const long long *local, long n_local, int columns,
                         lc_error *err);
int lc_h5_write_rows_i32(lc_h5_file *f, const char *name, const int *local, long n_local, int columns,
                         lc_error *err);

/* Appends the rows of all ranks (rank order) to NAME, creating it on the first call. Returns -1 if NAME exists
 * with another type, another number of columns or a fixed row count. */
int lc_h5_append_rows_f64(lc_h5_file *f, const char *name, const double *local, long n_local, int columns,
                          lc_error *err);
int lc_h5_append_rows_f32(lc_h5_file *f, const char *name, const float *local, long n_local, int columns,
                          lc_error *err);
int lc_h5_append_rows_i64(lc_h5_file *f, const char *name, const long long *local, long n_local, int columns,
                          lc_error *err);
int lc_h5_append_rows_i32(lc_h5_file *f, const char *name, const int *local, long n_local, int columns,
                          lc_error *err);

/* Replicated small arrays ([rows][columns], row-major): every rank passes the same shape; rank 0's data is
 * written (other ranks may pass NULL). Returns -1 if NAME exists. */
int lc_h5_write_small_f64(lc_h5_file *f, const char *name, const double *data, long rows, int columns,
                          lc_error *err);
int lc_h5_write_small_f32(lc_h5_file *f, const char *name, const float *data, long rows, int columns,
                          lc_error *err);
int lc_h5_write_small_i64(lc_h5_file *f, const char *name, const long long *data, long rows, int columns,
                          lc_error *err);
int lc_h5_write_small_i32(lc_h5_file *f, const char *name, const int *data, long rows, int columns,
                          lc_error *err);
/* A 1-D dataset of count fixed-length UTF-8 strings, sized to the longest and null-padded. Rank 0's strings are
 * written (other ranks may pass NULL); count must agree. */
int lc_h5_write_small_strings(lc_h5_file *f, const char *name, const char *const *strings, long count,
                              lc_error *err);

/* Scalar attribute NAME on the group or dataset OBJECT ("/" for the file), replacing an older one. Rank 0's
 * value is written (the argument is ignored elsewhere), so ranks can never disagree. Strings are fixed-length
 * UTF-8 of any size. Returns -1 if OBJECT does not exist. */
int lc_h5_attr_string(lc_h5_file *f, const char *object, const char *name, const char *value, lc_error *err);
int lc_h5_attr_i64(lc_h5_file *f, const char *object, const char *name, long long value, lc_error *err);
int lc_h5_attr_f64(lc_h5_file *f, const char *object, const char *name, double value, lc_error *err);

/* Provenance attributes on "/": program, version, git_revision, parallel_stack (MPI and HDF5 versions), kind
 * (e.g. "lego-training-set"), schema_version, n_ranks, start_time (start_time_iso, or now when NULL), deck (the
 * resolved input deck; "" when NULL) and seed (unsigned 64-bit). end_time is added by a successful close. */
int lc_h5_write_provenance(lc_h5_file *f, const char *kind, int schema_version, const char *deck_text,
                           unsigned long long seed, const char *start_time_iso, lc_error *err);

/* Serial readers (any rank, any time; the file must be closed by its writers). */
/* dims[0] = rows, dims[1] = columns (1 for a 1-D dataset). */
int lc_h5_dataset_shape(const char *path, const char *name, long dims[2], lc_error *err);
/* Rows first_row .. first_row + n_rows - 1 into out[n_rows][columns]; columns must match the dataset. Numbers
 * are converted to the requested type, but floating-point data is never read as integers or back. */
int lc_h5_read_rows_f64(const char *path, const char *name, long first_row, long n_rows, int columns, double *out,
                        lc_error *err);
int lc_h5_read_rows_f32(const char *path, const char *name, long first_row, long n_rows, int columns, float *out,
                        lc_error *err);
int lc_h5_read_rows_i64(const char *path, const char *name, long first_row, long n_rows, int columns,
                        long long *out, lc_error *err);
int lc_h5_read_rows_i32(const char *path, const char *name, long first_row, long n_rows, int columns, int *out,
                        lc_error *err);
/* A 1-D string dataset (fixed- or variable-length) as *count strings; free with lc_h5_strings_free. */
int lc_h5_read_strings(const char *path, const char *name, char ***strings, long *count, lc_error *err);
void lc_h5_strings_free(char **strings, long count);
/* Scalar attributes; *value of the string reader is allocated (free()). */
int lc_h5_read_attr_string(const char *path, const char *object, const char *name, char **value, lc_error *err);
int lc_h5_read_attr_i64(const char *path, const char *object, const char *name, long long *value, lc_error *err);
int lc_h5_read_attr_u64(const char *path, const char *object, const char *name, unsigned long long *value,
                        lc_error *err);
int lc_h5_read_attr_f64(const char *path, const char *object, const char *name, double *value, lc_error *err);

#endif
