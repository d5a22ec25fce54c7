#include "shard.h"

#include <errno.h>
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

long lc_shard_steps(long n_rows, long global_batch) {
    if (n_rows < 0 || global_batch < 1) lc_fatal("lc_shard_steps: %ld rows, batch %ld", n_rows, global_batch);
    return (n_rows + global_batch - 1) / global_batch;
}

lc_shard_step lc_shard_range(long n_rows, long global_batch, int rank, int ranks, long step) {
    long steps = lc_shard_steps(n_rows, global_batch);
    if (ranks < 1 || rank < 0 || rank >= ranks || step < 0 || step >= steps)
        lc_fatal("lc_shard_range: rank %d of %d, step %ld of %ld", rank, ranks, step, steps);
    lc_shard_step s;
    s.batch_first = step * global_batch;
    s.batch_rows = n_rows - s.batch_first < global_batch ? n_rows - s.batch_first : global_batch;
    /* r b / R rounds down, so the R slices tile the batch exactly and differ in size by at most one row. */
    long begin = s.batch_rows * rank / ranks, end = s.batch_rows * (rank + 1) / ranks;
    s.first = s.batch_first + begin;
    s.rows = end - begin;
    s.loss_scale = (double)ranks / (double)s.batch_rows;
    return s;
}

long lc_shard_local_rows(long n_rows, long global_batch, int rank, int ranks) {
    long steps = lc_shard_steps(n_rows, global_batch), total = 0;
    for (long s = 0; s < steps; s++) total += lc_shard_range(n_rows, global_batch, rank, ranks, s).rows;
    return total;
}

long lc_shard_epoch_rows(const long *perm, long n_rows, long global_batch, int rank, int ranks, long *rows,
                         long *step_offset) {
    long steps = lc_shard_steps(n_rows, global_batch), count = 0;
    for (long s = 0; s < steps; s++) {
        lc_shard_step step = lc_shard_range(n_rows, global_batch, rank, ranks, s);
        if (step_offset) step_offset[s] = count;
        memcpy(rows + count, perm + step.first, sizeof(long) * (size_t)step.rows);
        count += step.rows;
    }
    if (step_offset) step_offset[steps] = count;
    return count;
}

/* ---- reading ---- */

typedef struct {
    long row;      /* global row */
    long position; /* where it goes in out */
} wanted_row;

static int by_row(const void *a, const void *b) {
    const wanted_row *x = a, *y = b;
    if (x->row != y->row) return x->row < y->row ? -1 : 1;
    return (x->position > y->position) - (x->position < y->position);
}

/* Span limits in bytes: a span is read by one H5Dread into a buffer of at most SPAN_BYTES; rows between two wanted
 * ones are read (and dropped) when the gap is under GAP_BYTES, which costs less than another H5Dread call. */
#define SPAN_BYTES ((size_t)4 << 20)
#define GAP_BYTES ((size_t)64 << 10)
/* Chunk cache for the dataset: several ~1 MiB chunks (docs/hdf5.md), so spans that share a chunk read it once. */
#define CACHE_BYTES ((size_t)16 << 20)

/* Opens dataset `name` of `file` and checks it holds floating-point rows of `columns`; *n_rows gets its rows. */
static hid_t open_rows(hid_t file, const char *path, const char *name, int columns, long *n_rows, lc_error *err) {
    htri_t exists = H5Lexists(file, name, H5P_DEFAULT); /* fails (negative) on a missing intermediate group */
    if (exists <= 0) return lc_error_set(err, path, 0, "no dataset '%s'", name);
    hid_t dapl = (hid_t)LC_H5_TRY(H5Pcreate(H5P_DATASET_ACCESS));
    LC_H5_TRY(H5Pset_chunk_cache(dapl, 521, CACHE_BYTES, 1.0));
    hid_t dset = H5Dopen2(file, name, dapl);
    LC_H5_TRY(H5Pclose(dapl));
    if (dset < 0) return lc_error_set(err, path, 0, "'%s' is not a dataset", name);
    hid_t type = (hid_t)LC_H5_TRY(H5Dget_type(dset));
    hid_t space = (hid_t)LC_H5_TRY(H5Dget_space(dset));
    int ndims = (int)LC_H5_TRY(H5Sget_simple_extent_ndims(space));
    hsize_t dims[2] = {0, 1};
    if (ndims == 1 || ndims == 2) LC_H5_TRY(H5Sget_simple_extent_dims(space, dims, NULL));
    int is_float = H5Tget_class(type) == H5T_FLOAT;
    LC_H5_TRY(H5Sclose(space));
    LC_H5_TRY(H5Tclose(type));
    int status = 0;
    if (!is_float) status = lc_error_set(err, path, 0, "'%s' does not hold floating-point numbers", name);
    else if (ndims != (columns == 1 ? 1 : 2) || dims[1] != (hsize_t)columns)
        status = lc_error_set(err, path, 0, "'%s' is not a table of %d columns", name, columns);
    if (status != 0) {
        LC_H5_TRY(H5Dclose(dset));
        return -1;
    }
    *n_rows = (long)dims[0];
    return dset;
}

/* Rows first .. first + count - 1 of dset into buffer[count][columns]. */
static void read_span(hid_t dset, long first, long count, int columns, float *buffer) {
    int ndims = columns == 1 ? 1 : 2;
    hsize_t start[2] = {(hsize_t)first, 0}, shape[2] = {(hsize_t)count, (hsize_t)columns};
    hid_t file_space = (hid_t)LC_H5_TRY(H5Dget_space(dset));
    LC_H5_TRY(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, shape, NULL));
    hid_t memory_space = (hid_t)LC_H5_TRY(H5Screate_simple(ndims, shape, NULL));
    LC_H5_TRY(H5Dread(dset, H5T_NATIVE_FLOAT, memory_space, file_space, H5P_DEFAULT, buffer));
    LC_H5_TRY(H5Sclose(memory_space));
    LC_H5_TRY(H5Sclose(file_space));
}

int lc_shard_read_rows(const char *path, const char *name, const long *rows, long n, int columns, float *out,
                       lc_error *err) {
    if (n < 0 || columns < 1) lc_fatal("lc_shard_read_rows: %ld rows of %d columns", n, columns);
    if (access(path, R_OK) != 0) return lc_error_set(err, path, 0, "cannot read: %s", strerror(errno));
    hid_t fapl = (hid_t)LC_H5_TRY(H5Pcreate(H5P_FILE_ACCESS));
    LC_H5_TRY(H5Pset_file_locking(fapl, 1, 1));
    H5E_auto2_t handler;
    void *handler_data;
    LC_H5_TRY(H5Eget_auto2(H5E_DEFAULT, &handler, &handler_data));
    LC_H5_TRY(H5Eset_auto2(H5E_DEFAULT, NULL, NULL)); /* a failed open or lookup is an answer, not a stack dump */
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    long n_rows = 0;
    hid_t dset = file < 0 ? -1 : open_rows(file, path, name, columns, &n_rows, err);
    LC_H5_TRY(H5Eset_auto2(H5E_DEFAULT, handler, handler_data));
    LC_H5_TRY(H5Pclose(fapl));
    if (file < 0) return lc_error_set(err, path, 0, "not a readable HDF5 file");
    if (dset < 0) {
        LC_H5_TRY(H5Fclose(file));
        return -1;
    }

    wanted_row *wanted = lc_malloc(sizeof *wanted * (size_t)(n > 0 ? n : 1));
    int status = 0;
    for (long i = 0; i < n && status == 0; i++) {
        if (rows[i] < 0 || rows[i] >= n_rows)
            status = lc_error_set(err, path, 0, "'%s' has %ld rows: cannot read row %ld", name, n_rows, rows[i]);
        wanted[i] = (wanted_row){rows[i], i};
    }
    size_t row_bytes = sizeof(float) * (size_t)columns;
    long span_max = (long)(SPAN_BYTES / row_bytes), gap_max = (long)(GAP_BYTES / row_bytes);
    if (span_max < 1) span_max = 1;
    if (gap_max < 1) gap_max = 1;
    float *span = status == 0 && n > 0 ? lc_malloc(row_bytes * (size_t)span_max) : NULL;
    if (status == 0) qsort(wanted, (size_t)n, sizeof *wanted, by_row);
    for (long i = 0; status == 0 && i < n;) {
        long first = wanted[i].row, j = i + 1;
        while (j < n && wanted[j].row - first < span_max && wanted[j].row - wanted[j - 1].row <= gap_max) j++;
        long count = wanted[j - 1].row - first + 1;
        read_span(dset, first, count, columns, span);
        for (long k = i; k < j; k++)
            memcpy(out + (size_t)wanted[k].position * (size_t)columns,
                   span + (size_t)(wanted[k].row - first) * (size_t)columns, row_bytes);
        i = j;
    }
    free(span);
    free(wanted);
    LC_H5_TRY(H5Dclose(dset));
    LC_H5_TRY(H5Fclose(file));
    return status;
}
