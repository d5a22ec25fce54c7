/* Parallel HDF5 output over MPI-IO, and serial readers. Conventions in docs/hdf5.md.
 *
 * Every metadata operation (create, extend, attribute) is made by all ranks with identical arguments, as parallel
 * HDF5 requires; values that define a type or shape (string lengths, attribute values, small arrays) are taken
 * from rank 0 so that ranks cannot disagree. Raw data goes through collective H5Dwrite; a rank with nothing to
 * write joins with an empty selection. */
#include "h5_parallel.h"

#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <limits.h>
#include <stdarg.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "comm.h"
#include "version.h"

/* Chunks of about 1 MiB: large enough for efficient MPI-IO, small enough that a partial chunk wastes little. */
#define CHUNK_BYTES ((size_t)1 << 20)

struct lc_h5_file {
    hid_t file;
    hid_t dxpl;     /* collective raw-data transfer */
    hid_t lcpl;     /* creates missing intermediate groups */
    MPI_Comm comm;  /* private duplicate of MPI_COMM_WORLD, so our collectives never match the caller's */
    int rank, size;
    int has_provenance;
    char *path, *partial;
};


/* HDF5 prints its error stack on every failure; probes whose failure is an answer (can this file be created or
 * opened?) silence it around the one call. */
typedef struct {
    H5E_auto2_t func;
    void *data;
} h5_quiet;

static h5_quiet h5_quiet_begin(void) {
    h5_quiet q;
    LC_H5_TRY(H5Eget_auto2(H5E_DEFAULT, &q.func, &q.data));
    LC_H5_TRY(H5Eset_auto2(H5E_DEFAULT, NULL, NULL));
    return q;
}

static void h5_quiet_end(h5_quiet q) { LC_H5_TRY(H5Eset_auto2(H5E_DEFAULT, q.func, q.data)); }

static char *copy_string(const char *s) {
    size_t n = strlen(s);
    char *copy = lc_malloc(n + 1);
    memcpy(copy, s, n + 1);
    return copy;
}

void lc_h5_time_now(char out[LC_H5_TIME_LEN]) {
    time_t now = time(NULL);
    struct tm utc;
    if (!gmtime_r(&now, &utc) || strftime(out, LC_H5_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        lc_mpi_fatal("cannot format the current time");
}

/* ---- element types ---- */

typedef enum { KIND_F64, KIND_F32, KIND_I64, KIND_I32 } h5_kind;

static hid_t kind_file_type(h5_kind kind) {
    switch (kind) {
    case KIND_F64: return H5T_IEEE_F64LE;
    case KIND_F32: return H5T_IEEE_F32LE;
    case KIND_I64: return H5T_STD_I64LE;
    case KIND_I32: return H5T_STD_I32LE;
    }
    lc_mpi_fatal("unknown element kind %d", (int)kind);
}

static hid_t kind_memory_type(h5_kind kind) {
    switch (kind) {
    case KIND_F64: return H5T_NATIVE_DOUBLE;
    case KIND_F32: return H5T_NATIVE_FLOAT;
    case KIND_I64: return H5T_NATIVE_LLONG;
    case KIND_I32: return H5T_NATIVE_INT;
    }
    lc_mpi_fatal("unknown element kind %d", (int)kind);
}

static size_t kind_size(h5_kind kind) { return kind == KIND_F64 || kind == KIND_I64 ? 8 : 4; }

static H5T_class_t kind_class(h5_kind kind) { return kind == KIND_F64 || kind == KIND_F32 ? H5T_FLOAT : H5T_INTEGER; }

/* ---- collectives on the file's communicator ---- */

static void allreduce_max(lc_h5_file *f, long long *values, int n) {
    LC_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, values, n, MPI_LONG_LONG, MPI_MAX, f->comm));
}

/* Dies on every rank (together, so none waits in a later collective) unless all ranks passed the same values and
 * none flagged its own arguments as bad. */
static void require_agreement(lc_h5_file *f, const char *what, const char *name, const long long *values, int n,
                              int locally_bad) {
    long long v[9];
    if (n > 4) lc_mpi_fatal("require_agreement: too many values");
    for (int i = 0; i < n; i++) {
        v[i] = values[i];
        v[n + i] = -values[i];
    }
    v[2 * n] = locally_bad ? 1 : 0;
    allreduce_max(f, v, 2 * n + 1);
    if (v[2 * n]) lc_mpi_fatal("%s '%s': invalid arguments on some rank (negative count, columns < 1 or NULL data)", what,
                           name);
    for (int i = 0; i < n; i++)
        if (v[i] != -v[n + i]) lc_mpi_fatal("%s '%s': ranks passed different shapes", what, name);
}

/* This rank's first row and the total over ranks. */
static void rank_offsets(lc_h5_file *f, long n_local, long long *first, long long *total) {
    long long n = n_local, before = 0, sum = 0;
    LC_MPI_TRY(MPI_Exscan(&n, &before, 1, MPI_LONG_LONG, MPI_SUM, f->comm));
    if (f->rank == 0) before = 0; /* MPI_Exscan leaves rank 0's result undefined */
    LC_MPI_TRY(MPI_Allreduce(&n, &sum, 1, MPI_LONG_LONG, MPI_SUM, f->comm));
    *first = before;
    *total = sum;
}

/* ---- names ---- */

/* Names are relative to "/" (a leading '/' is allowed); "a//b", a trailing '/' and "" are not names. */
static int valid_name(const char *name) {
    return name && *name && !strstr(name, "//") && name[strlen(name) - 1] != '/';
}

/* A writer given an invalid name is a bug in the caller. */
static void check_name(const char *what, const char *name) {
    if (!valid_name(name)) lc_mpi_fatal("%s: invalid HDF5 name '%s'", what, name ? name : "(null)");
}

/* Whether the object at path exists, walking each prefix (H5Lexists fails on a missing intermediate group).
 * In the parallel file this is collective, like every metadata access. */
static int object_exists(hid_t file, const char *path) {
    if (strcmp(path, "/") == 0) return 1;
    size_t n = strlen(path);
    char *prefix = lc_malloc(n + 1);
    int exists = 1;
    for (size_t i = 1; i <= n && exists; i++) {
        if (i < n && path[i] != '/') continue;
        memcpy(prefix, path, i);
        prefix[i] = '\0';
        if (strcmp(prefix, "/") == 0) continue;
        exists = LC_H5_TRY(H5Lexists(file, prefix, H5P_DEFAULT)) > 0;
        if (exists && i < n) { /* an intermediate must be a group to hold more */
            hid_t object = LC_H5_TRY(H5Oopen(file, prefix, H5P_DEFAULT));
            exists = H5Iget_type(object) == H5I_GROUP;
            LC_H5_TRY(H5Oclose(object));
        }
    }
    free(prefix);
    return exists;
}

/* ---- file ---- */

static int h5_create_on(MPI_Comm comm, const char *path, lc_h5_file **out, lc_error *err) {
    *out = NULL;
    lc_h5_file *f = lc_calloc(1, sizeof *f);
    LC_MPI_TRY(MPI_Comm_dup(comm, &f->comm));
    LC_MPI_TRY(MPI_Comm_set_errhandler(f->comm, MPI_ERRORS_RETURN));
    LC_MPI_TRY(MPI_Comm_rank(f->comm, &f->rank));
    LC_MPI_TRY(MPI_Comm_size(f->comm, &f->size));
    f->path = copy_string(path);
    f->partial = lc_malloc(strlen(path) + sizeof ".partial");
    sprintf(f->partial, "%s.partial", path);

    /* Rank 0 tries the path with plain POSIX calls first, so a bad folder or permission reads as the user's error
     * with its errno text rather than as an HDF5 error stack. */
    int code[2] = {0, 0}; /* {errno, 1 when PATH is a folder} */
    if (f->rank == 0) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            code[1] = 1;
        } else {
            int fd = open(f->partial, O_WRONLY | O_CREAT | O_TRUNC, 0666);
            if (fd < 0) code[0] = errno;
            else close(fd);
        }
    }
    LC_MPI_TRY(MPI_Bcast(code, 2, MPI_INT, 0, f->comm));
    int status = 0;
    if (code[1]) status = lc_error_set(err, path, 0, "cannot write the output: it is a folder");
    else if (code[0]) status = lc_error_set(err, path, 0, "cannot create %s: %s", f->partial, strerror(code[0]));

    if (status == 0) {
        hid_t fapl = LC_H5_TRY(H5Pcreate(H5P_FILE_ACCESS));
        LC_H5_TRY(H5Pset_fapl_mpio(fapl, f->comm, MPI_INFO_NULL));
        /* The 1.8 format stores attributes larger than 64 KiB (a long input deck) densely; readers since HDF5
         * 1.8 (and every h5py) open it. */
        LC_H5_TRY(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18));
        /* Metadata is read by one rank and broadcast, and written collectively: scales to many ranks. */
        LC_H5_TRY(H5Pset_all_coll_metadata_ops(fapl, 1));
        LC_H5_TRY(H5Pset_coll_metadata_write(fapl, 1));
        /* Lock where the file system can, go on where it cannot (Lustre without flock). */
        LC_H5_TRY(H5Pset_file_locking(fapl, 1, 1));
        h5_quiet q = h5_quiet_begin();
        f->file = H5Fcreate(f->partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        h5_quiet_end(q);
        LC_H5_TRY(H5Pclose(fapl));
        long long failed = f->file < 0;
        allreduce_max(f, &failed, 1);
        if (failed) {
            if (f->file >= 0) LC_H5_TRY(H5Fclose(f->file));
            if (f->rank == 0) remove(f->partial);
            status = lc_error_set(err, path, 0,
                                  "cannot create %s with MPI-IO (does the file system support it? "
                                  "HDF5_USE_FILE_LOCKING=FALSE may help)",
                                  f->partial);
        }
    }
    if (status != 0) {
        LC_MPI_TRY(MPI_Comm_free(&f->comm));
        free(f->path);
        free(f->partial);
        free(f);
        return status;
    }
    f->dxpl = LC_H5_TRY(H5Pcreate(H5P_DATASET_XFER));
    LC_H5_TRY(H5Pset_dxpl_mpio(f->dxpl, H5FD_MPIO_COLLECTIVE));
    f->lcpl = LC_H5_TRY(H5Pcreate(H5P_LINK_CREATE));
    LC_H5_TRY(H5Pset_create_intermediate_group(f->lcpl, 1));
    *out = f;
    return 0;
}

int lc_h5_create(const char *path, lc_h5_file **out, lc_error *err) {
    return h5_create_on(MPI_COMM_WORLD, path, out, err);
}

int lc_h5_create_local(const char *path, lc_h5_file **out, lc_error *err) {
    return h5_create_on(MPI_COMM_SELF, path, out, err);
}

long long lc_h5_rows_before(lc_h5_file *f, long long n_local) {
    long long first, total;
    rank_offsets(f, (long)n_local, &first, &total);
    return first;
}

int lc_h5_close(lc_h5_file *f, int success, lc_error *err) {
    if (!f) return 0;
    /* One rank's failure discards the file for all (and all must agree before the collective end_time write). */
    long long failed = !success;
    allreduce_max(f, &failed, 1);
    success = !failed;
    if (success && f->has_provenance) {
        char now[LC_H5_TIME_LEN];
        lc_h5_time_now(now);
        if (lc_h5_attr_string(f, "/", "end_time", now, err) != 0) lc_mpi_fatal("'/' vanished from %s", f->partial);
    }
    LC_H5_TRY(H5Pclose(f->dxpl));
    LC_H5_TRY(H5Pclose(f->lcpl));
    /* The MPI-IO driver refuses to close a file with objects still open, which catches a leaked handle here. */
    LC_H5_TRY(H5Fclose(f->file));
    /* Every rank has closed (and flushed) before rank 0 gives the file its final name. */
    LC_MPI_TRY(MPI_Barrier(f->comm));
    int code = 0;
    if (f->rank == 0) {
        if (success) {
            if (rename(f->partial, f->path) != 0) code = errno;
        } else if (remove(f->partial) != 0 && errno != ENOENT) {
            code = errno;
        }
    }
    LC_MPI_TRY(MPI_Bcast(&code, 1, MPI_INT, 0, f->comm));
    int status = 0;
    if (code && success)
        status = lc_error_set(err, f->path, 0, "cannot rename %s to it: %s", f->partial, strerror(code));
    else if (code)
        status = lc_error_set(err, f->partial, 0, "cannot remove the incomplete output: %s", strerror(code));
    LC_MPI_TRY(MPI_Comm_free(&f->comm));
    free(f->path);
    free(f->partial);
    free(f);
    return status;
}

/* ---- datasets ---- */

static int fail_exists(lc_h5_file *f, const char *name, lc_error *err) {
    return lc_error_set(err, f->path, 0, "cannot write dataset '%s': the name is already taken", name);
}

/* Creates a chunked dataset of rows x columns (1-D when columns == 1), extendible in rows. */
static hid_t create_row_dataset(lc_h5_file *f, const char *name, h5_kind kind, long long rows, int columns,
                                long long chunk_rows) {
    int ndims = columns == 1 ? 1 : 2;
    hsize_t dims[2] = {(hsize_t)rows, (hsize_t)columns};
    hsize_t max_dims[2] = {H5S_UNLIMITED, (hsize_t)columns};
    hsize_t chunk[2] = {(hsize_t)chunk_rows, (hsize_t)columns};
    hid_t space = LC_H5_TRY(H5Screate_simple(ndims, dims, max_dims));
    hid_t dcpl = LC_H5_TRY(H5Pcreate(H5P_DATASET_CREATE));
    LC_H5_TRY(H5Pset_chunk(dcpl, ndims, chunk));
    /* Every element is written by some rank: filling chunks first would write the data twice. */
    LC_H5_TRY(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER));
    hid_t dset = LC_H5_TRY(H5Dcreate2(f->file, name, kind_file_type(kind), space, f->lcpl, dcpl, H5P_DEFAULT));
    LC_H5_TRY(H5Pclose(dcpl));
    LC_H5_TRY(H5Sclose(space));
    return dset;
}

/* Rows per ~1 MiB chunk, at most max_rows (when > 0) so a small dataset is not padded to a full chunk. */
static long long chunk_rows_for(h5_kind kind, int columns, long long max_rows) {
    long long rows = (long long)(CHUNK_BYTES / (kind_size(kind) * (size_t)columns));
    if (max_rows > 0 && rows > max_rows) rows = max_rows;
    return rows > 0 ? rows : 1;
}

/* Collective write of n rows at row `first` of dset from data; n == 0 joins with an empty selection. */
static void write_block(lc_h5_file *f, hid_t dset, h5_kind kind, long long first, long long n, int columns,
                        const void *data) {
    int ndims = columns == 1 ? 1 : 2;
    hsize_t start[2] = {(hsize_t)first, 0};
    hsize_t count[2] = {(hsize_t)n, (hsize_t)columns};
    hsize_t memory_dims[2] = {(hsize_t)(n > 0 ? n : 1), (hsize_t)columns};
    hid_t file_space = LC_H5_TRY(H5Dget_space(dset));
    hid_t memory_space = LC_H5_TRY(H5Screate_simple(ndims, memory_dims, NULL));
    if (n > 0) {
        LC_H5_TRY(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL));
    } else {
        LC_H5_TRY(H5Sselect_none(file_space));
        LC_H5_TRY(H5Sselect_none(memory_space));
    }
    static const char nothing = 0; /* H5Dwrite wants a buffer even for an empty selection */
    LC_H5_TRY(H5Dwrite(dset, kind_memory_type(kind), memory_space, file_space, f->dxpl, n > 0 ? data : &nothing));
    LC_H5_TRY(H5Sclose(memory_space));
    LC_H5_TRY(H5Sclose(file_space));
}

static int write_rows(lc_h5_file *f, const char *name, h5_kind kind, const void *local, long n_local, int columns,
                      lc_error *err) {
    check_name("lc_h5_write_rows", name);
    long long shape[1] = {columns};
    require_agreement(f, "lc_h5_write_rows", name, shape, 1, n_local < 0 || columns < 1 || (n_local > 0 && !local));
    if (object_exists(f->file, name)) return fail_exists(f, name, err);
    long long first = 0, total = 0;
    rank_offsets(f, n_local, &first, &total);
    hid_t dset = create_row_dataset(f, name, kind, total, columns, chunk_rows_for(kind, columns, total));
    if (total > 0) write_block(f, dset, kind, first, n_local, columns, local);
    LC_H5_TRY(H5Dclose(dset));
    return 0;
}

int lc_h5_write_rows_f64(lc_h5_file *f, const char *name, const double *local, long n_local, int columns,
                         lc_error *err) {
    return write_rows(f, name, KIND_F64, local, n_local, columns, err);
}
int lc_h5_write_rows_f32(lc_h5_file *f, const char *name, const float *local, long n_local, int columns,
                         lc_error *err) {
    return write_rows(f, name, KIND_F32, local, n_local, columns, err);
}
int lc_h5_write_rows_i64(lc_h5_file *f, const char *name, const long long *local, long n_local, int columns,
                         lc_error *err) {
    return write_rows(f, name, KIND_I64, local, n_local, columns, err);
}
int lc_h5_write_rows_i32(lc_h5_file *f, const char *name, const int *local, long n_local, int columns,
                         lc_error *err) {
    return write_rows(f, name, KIND_I32, local, n_local, columns, err);
}

/* Whether `name` (which exists) is a dataset of kind's type, in the layout of `columns`, extendible in rows. */
static int appendable(hid_t file, const char *name, h5_kind kind, int columns) {
    hid_t object = LC_H5_TRY(H5Oopen(file, name, H5P_DEFAULT));
    int is_dataset = H5Iget_type(object) == H5I_DATASET;
    LC_H5_TRY(H5Oclose(object));
    if (!is_dataset) return 0;
    hid_t dset = LC_H5_TRY(H5Dopen2(file, name, H5P_DEFAULT));
    hid_t type = LC_H5_TRY(H5Dget_type(dset));
    int same_type = H5Tget_class(type) == kind_class(kind) && H5Tget_size(type) == kind_size(kind) &&
                    (kind_class(kind) != H5T_INTEGER || H5Tget_sign(type) == H5T_SGN_2);
    LC_H5_TRY(H5Tclose(type));
    hid_t space = LC_H5_TRY(H5Dget_space(dset));
    int ndims = (int)LC_H5_TRY(H5Sget_simple_extent_ndims(space));
    hsize_t dims[2] = {0, 0}, max_dims[2] = {0, 0};
    if (ndims == 1 || ndims == 2) LC_H5_TRY(H5Sget_simple_extent_dims(space, dims, max_dims));
    LC_H5_TRY(H5Sclose(space));
    LC_H5_TRY(H5Dclose(dset));
    int same_shape = ndims == (columns == 1 ? 1 : 2) && (ndims == 1 || dims[1] == (hsize_t)columns) &&
                     max_dims[0] == H5S_UNLIMITED;
    return same_type && same_shape;
}

static int append_rows(lc_h5_file *f, const char *name, h5_kind kind, const void *local, long n_local, int columns,
                       lc_error *err) {
    check_name("lc_h5_append_rows", name);
    long long shape[1] = {columns};
    require_agreement(f, "lc_h5_append_rows", name, shape, 1, n_local < 0 || columns < 1 || (n_local > 0 && !local));
    hid_t dset;
    if (object_exists(f->file, name)) {
        if (!appendable(f->file, name, kind, columns))
            return lc_error_set(err, f->path, 0,
                                "cannot append to '%s': it exists with another type, shape or a fixed size", name);
        dset = LC_H5_TRY(H5Dopen2(f->file, name, H5P_DEFAULT));
    } else {
        dset = create_row_dataset(f, name, kind, 0, columns, chunk_rows_for(kind, columns, 0));
    }
    long long first = 0, total = 0;
    rank_offsets(f, n_local, &first, &total);
    if (total > 0) {
        hid_t space = LC_H5_TRY(H5Dget_space(dset));
        hsize_t dims[2] = {0, 0};
        LC_H5_TRY(H5Sget_simple_extent_dims(space, dims, NULL));
        LC_H5_TRY(H5Sclose(space));
        long long old_rows = (long long)dims[0];
        dims[0] += (hsize_t)total;
        LC_H5_TRY(H5Dset_extent(dset, dims));
        write_block(f, dset, kind, old_rows + first, n_local, columns, local);
    }
    LC_H5_TRY(H5Dclose(dset));
    return 0;
}

int lc_h5_append_rows_f64(lc_h5_file *f, const char *name, const double *local, long n_local, int columns,
                          lc_error *err) {
    return append_rows(f, name, KIND_F64, local, n_local, columns, err);
}
int lc_h5_append_rows_f32(lc_h5_file *f, const char *name, const float *local, long n_local, int columns,
                          lc_error *err) {
    return append_rows(f, name, KIND_F32, local, n_local, columns, err);
}
int lc_h5_append_rows_i64(lc_h5_file *f, const char *name, const long long *local, long n_local, int columns,
                          lc_error *err) {
    return append_rows(f, name, KIND_I64, local, n_local, columns, err);
}
int lc_h5_append_rows_i32(lc_h5_file *f, const char *name, const int *local, long n_local, int columns,
                          lc_error *err) {
    return append_rows(f, name, KIND_I32, local, n_local, columns, err);
}

/* Creates a contiguous dataset of `type` and shape `dims` (ndims 1 or 2); rank 0 writes data, the others join
 * with an empty selection. */
static void write_replicated(lc_h5_file *f, const char *name, hid_t file_type, hid_t memory_type, int ndims,
                             const hsize_t *dims, const void *data) {
    hid_t space = LC_H5_TRY(H5Screate_simple(ndims, dims, NULL));
    hid_t dset = LC_H5_TRY(H5Dcreate2(f->file, name, file_type, space, f->lcpl, H5P_DEFAULT, H5P_DEFAULT));
    hssize_t n = LC_H5_TRY(H5Sget_simple_extent_npoints(space));
    if (n > 0) {
        hid_t memory_space = LC_H5_TRY(H5Screate_simple(ndims, dims, NULL));
        if (f->rank != 0) {
            LC_H5_TRY(H5Sselect_none(space));
            LC_H5_TRY(H5Sselect_none(memory_space));
        }
        static const char nothing = 0;
        LC_H5_TRY(H5Dwrite(dset, memory_type, memory_space, space, f->dxpl, f->rank == 0 ? data : &nothing));
        LC_H5_TRY(H5Sclose(memory_space));
    }
    LC_H5_TRY(H5Dclose(dset));
    LC_H5_TRY(H5Sclose(space));
}

static int write_small(lc_h5_file *f, const char *name, h5_kind kind, const void *data, long rows, int columns,
                       lc_error *err) {
    check_name("lc_h5_write_small", name);
    long long shape[2] = {rows, columns};
    require_agreement(f, "lc_h5_write_small", name, shape, 2,
                      rows < 0 || columns < 1 || (f->rank == 0 && rows > 0 && !data));
    if (object_exists(f->file, name)) return fail_exists(f, name, err);
    hsize_t dims[2] = {(hsize_t)rows, (hsize_t)columns};
    write_replicated(f, name, kind_file_type(kind), kind_memory_type(kind), columns == 1 ? 1 : 2, dims, data);
    return 0;
}

int lc_h5_write_small_f64(lc_h5_file *f, const char *name, const double *data, long rows, int columns,
                          lc_error *err) {
    return write_small(f, name, KIND_F64, data, rows, columns, err);
}
int lc_h5_write_small_f32(lc_h5_file *f, const char *name, const float *data, long rows, int columns,
                          lc_error *err) {
    return write_small(f, name, KIND_F32, data, rows, columns, err);
}
int lc_h5_write_small_i64(lc_h5_file *f, const char *name, const long long *data, long rows, int columns,
                          lc_error *err) {
    return write_small(f, name, KIND_I64, data, rows, columns, err);
}
int lc_h5_write_small_i32(lc_h5_file *f, const char *name, const int *data, long rows, int columns,
                          lc_error *err) {
    return write_small(f, name, KIND_I32, data, rows, columns, err);
}

/* A fixed-length UTF-8 string type of `size` bytes (at least 1: HDF5 has no empty strings), null-padded. */
static hid_t string_type(size_t size) {
    hid_t type = LC_H5_TRY(H5Tcopy(H5T_C_S1));
    LC_H5_TRY(H5Tset_size(type, size > 0 ? size : 1));
    LC_H5_TRY(H5Tset_strpad(type, H5T_STR_NULLPAD));
    LC_H5_TRY(H5Tset_cset(type, H5T_CSET_UTF8));
    return type;
}

int lc_h5_write_small_strings(lc_h5_file *f, const char *name, const char *const *strings, long count,
                              lc_error *err) {
    check_name("lc_h5_write_small_strings", name);
    long long shape[1] = {count};
    int bad = count < 0;
    if (f->rank == 0 && count > 0) {
        bad = bad || !strings;
        for (long i = 0; !bad && i < count; i++) bad = !strings[i];
    }
    require_agreement(f, "lc_h5_write_small_strings", name, shape, 1, bad);
    if (object_exists(f->file, name)) return fail_exists(f, name, err);
    /* The type's size is part of the metadata every rank writes: take rank 0's longest string. */
    long long width = 1;
    if (f->rank == 0)
        for (long i = 0; i < count; i++)
            if ((long long)strlen(strings[i]) > width) width = (long long)strlen(strings[i]);
    LC_MPI_TRY(MPI_Bcast(&width, 1, MPI_LONG_LONG, 0, f->comm));
    char *buffer = NULL;
    if (f->rank == 0) {
        buffer = lc_calloc((size_t)(count > 0 ? count : 1), (size_t)width);
        for (long i = 0; i < count; i++) memcpy(buffer + (size_t)i * (size_t)width, strings[i], strlen(strings[i]));
    }
    hid_t type = string_type((size_t)width);
    hsize_t dims[1] = {(hsize_t)count};
    write_replicated(f, name, type, type, 1, dims, buffer);
    LC_H5_TRY(H5Tclose(type));
    free(buffer);
    return 0;
}

/* ---- attributes ---- */

/* Writes the scalar attribute `name` on `object`, replacing an older one; value must be identical on all ranks. */
static int write_attribute(lc_h5_file *f, const char *object, const char *name, hid_t file_type, hid_t memory_type,
                           const void *value, lc_error *err) {
    if (strcmp(object, "/") != 0) check_name("lc_h5_attr", object);
    if (!name || !*name) lc_mpi_fatal("lc_h5_attr: empty attribute name on '%s'", object);
    if (!object_exists(f->file, object))
        return lc_error_set(err, f->path, 0, "cannot set attribute '%s': no object '%s'", name, object);
    hid_t target = LC_H5_TRY(H5Oopen(f->file, object, H5P_DEFAULT));
    if (LC_H5_TRY(H5Aexists(target, name)) > 0) LC_H5_TRY(H5Adelete(target, name));
    hid_t space = LC_H5_TRY(H5Screate(H5S_SCALAR));
    hid_t attr = LC_H5_TRY(H5Acreate2(target, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT));
    LC_H5_TRY(H5Awrite(attr, memory_type, value));
    LC_H5_TRY(H5Aclose(attr));
    LC_H5_TRY(H5Sclose(space));
    LC_H5_TRY(H5Oclose(target));
    return 0;
}

int lc_h5_attr_string(lc_h5_file *f, const char *object, const char *name, const char *value, lc_error *err) {
    /* Length and bytes from rank 0: both go into metadata that every rank must write identically. */
    long long length = 0;
    if (f->rank == 0) {
        if (!value) lc_mpi_fatal("lc_h5_attr_string: NULL value for '%s'", name);
        length = (long long)strlen(value);
    }
    LC_MPI_TRY(MPI_Bcast(&length, 1, MPI_LONG_LONG, 0, f->comm));
    if (length > (long long)INT_MAX - 1) lc_mpi_fatal("lc_h5_attr_string: '%s' is too long", name);
    char *text = lc_calloc((size_t)length + 1, 1);
    if (f->rank == 0) memcpy(text, value, (size_t)length);
    LC_MPI_TRY(MPI_Bcast(text, (int)length + 1, MPI_CHAR, 0, f->comm));
    hid_t type = string_type((size_t)length);
    int status = write_attribute(f, object, name, type, type, text, err);
    LC_H5_TRY(H5Tclose(type));
    free(text);
    return status;
}

int lc_h5_attr_i64(lc_h5_file *f, const char *object, const char *name, long long value, lc_error *err) {
    LC_MPI_TRY(MPI_Bcast(&value, 1, MPI_LONG_LONG, 0, f->comm));
    return write_attribute(f, object, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, &value, err);
}

int lc_h5_attr_f64(lc_h5_file *f, const char *object, const char *name, double value, lc_error *err) {
    LC_MPI_TRY(MPI_Bcast(&value, 1, MPI_DOUBLE, 0, f->comm));
    return write_attribute(f, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, err);
}

static int attr_u64(lc_h5_file *f, const char *object, const char *name, unsigned long long value, lc_error *err) {
    LC_MPI_TRY(MPI_Bcast(&value, 1, MPI_UNSIGNED_LONG_LONG, 0, f->comm));
    return write_attribute(f, object, name, H5T_STD_U64LE, H5T_NATIVE_ULLONG, &value, err);
}

int lc_h5_write_provenance(lc_h5_file *f, const char *kind, int schema_version, const char *deck_text,
                           unsigned long long seed, const char *start_time_iso, lc_error *err) {
    char now[LC_H5_TIME_LEN], stack[256];
    lc_h5_time_now(now);
    lc_comm_describe(stack, (int)sizeof stack);
    int status = lc_h5_attr_string(f, "/", "program", "legocryst", err);
    status = status ? status : lc_h5_attr_string(f, "/", "version", LEGOCRYST_VERSION, err);
    status = status ? status : lc_h5_attr_string(f, "/", "git_revision", LEGOCRYST_GIT_REVISION, err);
    status = status ? status : lc_h5_attr_string(f, "/", "parallel_stack", stack, err);
    status = status ? status : lc_h5_attr_string(f, "/", "kind", kind ? kind : "", err);
    status = status ? status : lc_h5_attr_i64(f, "/", "schema_version", schema_version, err);
    status = status ? status : lc_h5_attr_i64(f, "/", "n_ranks", f->size, err);
    status = status ? status : lc_h5_attr_string(f, "/", "start_time", start_time_iso ? start_time_iso : now, err);
    status = status ? status : lc_h5_attr_string(f, "/", "deck", deck_text ? deck_text : "", err);
    status = status ? status : attr_u64(f, "/", "seed", seed, err);
    if (status == 0) f->has_provenance = 1;
    return status;
}

/* ---- serial readers ---- */

static hid_t open_for_reading(const char *path, lc_error *err) {
    if (access(path, R_OK) != 0) return lc_error_set(err, path, 0, "cannot read: %s", strerror(errno));
    hid_t fapl = LC_H5_TRY(H5Pcreate(H5P_FILE_ACCESS));
    LC_H5_TRY(H5Pset_file_locking(fapl, 1, 1));
    h5_quiet q = h5_quiet_begin();
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    h5_quiet_end(q);
    LC_H5_TRY(H5Pclose(fapl));
    if (file < 0) return lc_error_set(err, path, 0, "not a readable HDF5 file");
    return file;
}

/* Opens dataset `name` of an open file; -1 with err set when there is none. */
static hid_t open_dataset(hid_t file, const char *path, const char *name, lc_error *err) {
    if (!valid_name(name) || !object_exists(file, name))
        return lc_error_set(err, path, 0, "no dataset '%s'", name ? name : "(null)");
    hid_t object = LC_H5_TRY(H5Oopen(file, name, H5P_DEFAULT));
    int is_dataset = H5Iget_type(object) == H5I_DATASET;
    LC_H5_TRY(H5Oclose(object));
    if (!is_dataset) return lc_error_set(err, path, 0, "'%s' is not a dataset", name);
    return LC_H5_TRY(H5Dopen2(file, name, H5P_DEFAULT));
}

/* rows and columns of dset (a 1-D dataset has one column; a scalar is 1 x 1); -1 for more than 2 dimensions. */
static int dataset_dims(hid_t dset, long long *rows, long long *columns) {
    hid_t space = LC_H5_TRY(H5Dget_space(dset));
    int ndims = (int)LC_H5_TRY(H5Sget_simple_extent_ndims(space));
    hsize_t dims[2] = {1, 1};
    if (ndims <= 2) LC_H5_TRY(H5Sget_simple_extent_dims(space, dims, NULL));
    LC_H5_TRY(H5Sclose(space));
    *rows = ndims >= 1 ? (long long)dims[0] : 1;
    *columns = ndims == 2 ? (long long)dims[1] : 1;
    return ndims <= 2 ? ndims : -1;
}

int lc_h5_dataset_shape(const char *path, const char *name, long dims[2], lc_error *err) {
    hid_t file = open_for_reading(path, err);
    if (file < 0) return -1;
    int status = 0;
    hid_t dset = open_dataset(file, path, name, err);
    if (dset >= 0) {
        long long rows = 0, columns = 0;
        if (dataset_dims(dset, &rows, &columns) < 0)
            status = lc_error_set(err, path, 0, "'%s' has more than 2 dimensions", name);
        dims[0] = (long)rows;
        dims[1] = (long)columns;
        LC_H5_TRY(H5Dclose(dset));
    } else {
        status = -1;
    }
    LC_H5_TRY(H5Fclose(file));
    return status;
}

static int read_rows(const char *path, const char *name, h5_kind kind, long first_row, long n_rows, int columns,
                     void *out, lc_error *err) {
    hid_t file = open_for_reading(path, err);
    if (file < 0) return -1;
    hid_t dset = open_dataset(file, path, name, err);
    if (dset < 0) {
        LC_H5_TRY(H5Fclose(file));
        return -1;
    }
    int status = 0;
    long long rows = 0, dataset_columns = 0;
    int ndims = dataset_dims(dset, &rows, &dataset_columns);
    hid_t type = LC_H5_TRY(H5Dget_type(dset));
    H5T_class_t type_class = H5Tget_class(type);
    LC_H5_TRY(H5Tclose(type));
    if (ndims < 1)
        status = lc_error_set(err, path, 0, "'%s' is not a 1-D or 2-D dataset", name);
    else if (type_class != kind_class(kind))
        status = lc_error_set(err, path, 0, "'%s' holds %s, not %s", name,
                              type_class == H5T_FLOAT     ? "floating-point numbers"
                              : type_class == H5T_INTEGER ? "integers"
                                                          : "neither integers nor floating-point numbers",
                              kind_class(kind) == H5T_FLOAT ? "floating-point numbers" : "integers");
    else if (dataset_columns != columns)
        status = lc_error_set(err, path, 0, "'%s' has %lld columns, not %d", name, dataset_columns, columns);
    else if (first_row < 0 || n_rows < 0 || first_row + n_rows > rows)
        status = lc_error_set(err, path, 0, "'%s' has %lld rows: cannot read rows %ld to %ld", name, rows, first_row,
                              first_row + n_rows - 1);
    if (status == 0 && n_rows > 0) {
        hsize_t start[2] = {(hsize_t)first_row, 0};
        hsize_t count[2] = {(hsize_t)n_rows, (hsize_t)columns};
        hid_t file_space = LC_H5_TRY(H5Dget_space(dset));
        LC_H5_TRY(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL));
        hid_t memory_space = LC_H5_TRY(H5Screate_simple(ndims, count, NULL));
        LC_H5_TRY(H5Dread(dset, kind_memory_type(kind), memory_space, file_space, H5P_DEFAULT, out));
        LC_H5_TRY(H5Sclose(memory_space));
        LC_H5_TRY(H5Sclose(file_space));
    }
    LC_H5_TRY(H5Dclose(dset));
    LC_H5_TRY(H5Fclose(file));
    return status;
}

int lc_h5_read_rows_f64(const char *path, const char *name, long first_row, long n_rows, int columns, double *out,
                        lc_error *err) {
    return read_rows(path, name, KIND_F64, first_row, n_rows, columns, out, err);
}
int lc_h5_read_rows_f32(const char *path, const char *name, long first_row, long n_rows, int columns, float *out,
                        lc_error *err) {
    return read_rows(path, name, KIND_F32, first_row, n_rows, columns, out, err);
}
int lc_h5_read_rows_i64(const char *path, const char *name, long first_row, long n_rows, int columns,
                        long long *out, lc_error *err) {
    return read_rows(path, name, KIND_I64, first_row, n_rows, columns, out, err);
}
int lc_h5_read_rows_i32(const char *path, const char *name, long first_row, long n_rows, int columns, int *out,
                        lc_error *err) {
    return read_rows(path, name, KIND_I32, first_row, n_rows, columns, out, err);
}

/* A string dataset or attribute, read whole by read_raw. */
typedef struct {
    hid_t object;
    int is_attribute;
} string_source;

static void read_raw(string_source src, hid_t memory_type, void *buffer) {
    if (src.is_attribute) LC_H5_TRY(H5Aread(src.object, memory_type, buffer));
    else LC_H5_TRY(H5Dread(src.object, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer));
}

/* The `count` strings of src (file type `type`, dataspace `space`) as new lc_malloc'd copies. */
static char **read_string_values(string_source src, hid_t type, hid_t space, long count) {
    char **strings = lc_malloc(sizeof(char *) * (size_t)(count > 0 ? count : 1));
    if (count == 0) return strings;
    if (LC_H5_TRY(H5Tis_variable_str(type)) > 0) {
        /* Variable-length strings (h5py's default): HDF5 allocates each; copy and give them back. */
        char **raw = lc_calloc((size_t)count, sizeof(char *));
        hid_t memory_type = LC_H5_TRY(H5Tcopy(H5T_C_S1));
        LC_H5_TRY(H5Tset_size(memory_type, H5T_VARIABLE));
        read_raw(src, memory_type, raw);
        for (long i = 0; i < count; i++) strings[i] = copy_string(raw[i] ? raw[i] : "");
        LC_H5_TRY(H5Dvlen_reclaim(memory_type, space, H5P_DEFAULT, raw));
        LC_H5_TRY(H5Tclose(memory_type));
        free(raw);
    } else {
        size_t width = H5Tget_size(type);
        if (width == 0) lc_mpi_fatal("string type of size 0");
        char *buffer = lc_malloc((size_t)count * width);
        hid_t memory_type = LC_H5_TRY(H5Tcopy(type));
        read_raw(src, memory_type, buffer);
        for (long i = 0; i < count; i++) {
            const char *s = buffer + (size_t)i * width;
            size_t n = 0;
            while (n < width && s[n]) n++; /* null-padded, null-terminated or space-padded all stop here */
            if (H5Tget_strpad(type) == H5T_STR_SPACEPAD)
                while (n > 0 && s[n - 1] == ' ') n--;
            strings[i] = lc_malloc(n + 1);
            memcpy(strings[i], s, n);
            strings[i][n] = '\0';
        }
        LC_H5_TRY(H5Tclose(memory_type));
        free(buffer);
    }
    return strings;
}

int lc_h5_read_strings(const char *path, const char *name, char ***strings, long *count, lc_error *err) {
    *strings = NULL;
    *count = 0;
    hid_t file = open_for_reading(path, err);
    if (file < 0) return -1;
    hid_t dset = open_dataset(file, path, name, err);
    if (dset < 0) {
        LC_H5_TRY(H5Fclose(file));
        return -1;
    }
    int status = 0;
    hid_t type = LC_H5_TRY(H5Dget_type(dset));
    hid_t space = LC_H5_TRY(H5Dget_space(dset));
    if (H5Tget_class(type) != H5T_STRING || LC_H5_TRY(H5Sget_simple_extent_ndims(space)) != 1) {
        status = lc_error_set(err, path, 0, "'%s' is not a 1-D dataset of strings", name);
    } else {
        long n = (long)LC_H5_TRY(H5Sget_simple_extent_npoints(space));
        *strings = read_string_values((string_source){dset, 0}, type, space, n);
        *count = n;
    }
    LC_H5_TRY(H5Sclose(space));
    LC_H5_TRY(H5Tclose(type));
    LC_H5_TRY(H5Dclose(dset));
    LC_H5_TRY(H5Fclose(file));
    return status;
}

void lc_h5_strings_free(char **strings, long count) {
    if (!strings) return;
    for (long i = 0; i < count; i++) free(strings[i]);
    free(strings);
}

/* Opens scalar attribute `name` on `object`; -1 with err set when either is missing or it is not one value. */
static hid_t open_attribute(hid_t file, const char *path, const char *object, const char *name, lc_error *err) {
    if (!object || (strcmp(object, "/") != 0 && !valid_name(object)) || !object_exists(file, object))
        return lc_error_set(err, path, 0, "no object '%s'", object ? object : "(null)");
    if (!name || !*name || LC_H5_TRY(H5Aexists_by_name(file, object, name, H5P_DEFAULT)) <= 0)
        return lc_error_set(err, path, 0, "'%s' has no attribute '%s'", object, name ? name : "(null)");
    hid_t attr = LC_H5_TRY(H5Aopen_by_name(file, object, name, H5P_DEFAULT, H5P_DEFAULT));
    hid_t space = LC_H5_TRY(H5Aget_space(attr));
    hssize_t n = LC_H5_TRY(H5Sget_simple_extent_npoints(space));
    LC_H5_TRY(H5Sclose(space));
    if (n != 1) {
        LC_H5_TRY(H5Aclose(attr));
        return lc_error_set(err, path, 0, "attribute '%s' of '%s' holds %lld values, not one", name, object,
                            (long long)n);
    }
    return attr;
}

int lc_h5_read_attr_string(const char *path, const char *object, const char *name, char **value, lc_error *err) {
    *value = NULL;
    hid_t file = open_for_reading(path, err);
    if (file < 0) return -1;
    hid_t attr = open_attribute(file, path, object, name, err);
    int status = attr < 0 ? -1 : 0;
    if (attr >= 0) {
        hid_t type = LC_H5_TRY(H5Aget_type(attr));
        if (H5Tget_class(type) != H5T_STRING) {
            status = lc_error_set(err, path, 0, "attribute '%s' of '%s' is not a string", name, object);
        } else {
            hid_t space = LC_H5_TRY(H5Aget_space(attr));
            char **strings = read_string_values((string_source){attr, 1}, type, space, 1);
            *value = strings[0];
            free(strings);
            LC_H5_TRY(H5Sclose(space));
        }
        LC_H5_TRY(H5Tclose(type));
        LC_H5_TRY(H5Aclose(attr));
    }
    LC_H5_TRY(H5Fclose(file));
    return status;
}

/* A numeric scalar attribute of class `wanted` (H5T_NO_CLASS: integer or float) converted to memory_type. */
static int read_attr_number(const char *path, const char *object, const char *name, H5T_class_t wanted,
                            hid_t memory_type, void *value, lc_error *err) {
    hid_t file = open_for_reading(path, err);
    if (file < 0) return -1;
    hid_t attr = open_attribute(file, path, object, name, err);
    int status = attr < 0 ? -1 : 0;
    if (attr >= 0) {
        hid_t type = LC_H5_TRY(H5Aget_type(attr));
        H5T_class_t type_class = H5Tget_class(type);
        LC_H5_TRY(H5Tclose(type));
        int fits = wanted == H5T_NO_CLASS ? type_class == H5T_INTEGER || type_class == H5T_FLOAT
                                          : type_class == wanted;
        if (!fits)
            status = lc_error_set(err, path, 0, "attribute '%s' of '%s' is not %s", name, object,
                                  wanted == H5T_INTEGER ? "an integer" : "a number");
        else LC_H5_TRY(H5Aread(attr, memory_type, value));
        LC_H5_TRY(H5Aclose(attr));
    }
    LC_H5_TRY(H5Fclose(file));
    return status;
}

int lc_h5_read_attr_i64(const char *path, const char *object, const char *name, long long *value, lc_error *err) {
    return read_attr_number(path, object, name, H5T_INTEGER, H5T_NATIVE_LLONG, value, err);
}

int lc_h5_read_attr_u64(const char *path, const char *object, const char *name, unsigned long long *value,
                        lc_error *err) {
    return read_attr_number(path, object, name, H5T_INTEGER, H5T_NATIVE_ULLONG, value, err);
}

int lc_h5_read_attr_f64(const char *path, const char *object, const char *name, double *value, lc_error *err) {
    return read_attr_number(path, object, name, H5T_NO_CLASS, H5T_NATIVE_DOUBLE, value, err);
}
