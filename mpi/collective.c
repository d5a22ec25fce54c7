#include "collective.h"

#include <mpi.h>
#include <stdlib.h>

#include "check.h"
#include "comm.h"
#include "core/error.h"

static long allgather(const void *local, long n_local, int columns, MPI_Datatype type, size_t size, void **out) {
    int ranks = lc_comm_size();
    int *counts = lc_malloc(sizeof(int) * (size_t)ranks), *displacements = lc_malloc(sizeof(int) * (size_t)ranks);
    long local_count = n_local * columns;
    if (local_count > 2147483647L) lc_fatal("allgather of %ld values from one rank exceeds MPI's int counts", local_count);
    int mine = (int)local_count;
    LC_MPI_TRY(MPI_Allgather(&mine, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD));
    long total = 0;
    for (int r = 0; r < ranks; r++) {
        if (total > 2147483647L) lc_fatal("allgather of %ld values exceeds MPI's int displacements", total);
        displacements[r] = (int)total;
        total += counts[r];
    }
    *out = lc_malloc(size * (size_t)(total ? total : 1));
    LC_MPI_TRY(MPI_Allgatherv(local, mine, type, *out, counts, displacements, type, MPI_COMM_WORLD));
    free(counts);
    free(displacements);
    return columns ? total / columns : 0;
}

long lc_comm_allgather_f64(const double *local, long n_local, int columns, double **out) {
    return allgather(local, n_local, columns, MPI_DOUBLE, sizeof(double), (void **)out);
}

long lc_comm_allgather_i64(const long long *local, long n_local, int columns, long long **out) {
    return allgather(local, n_local, columns, MPI_LONG_LONG, sizeof(long long), (void **)out);
}

long lc_comm_allgather_i32(const int *local, long n_local, int columns, int **out) {
    return allgather(local, n_local, columns, MPI_INT, sizeof(int), (void **)out);
}

long lc_comm_sum_long(long value) {
    long sum = 0;
    LC_MPI_TRY(MPI_Allreduce(&value, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD));
    return sum;
}

double lc_comm_max_double(double value) {
    double max = 0;
    LC_MPI_TRY(MPI_Allreduce(&value, &max, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD));
    return max;
}

int lc_comm_all_true(int value) {
    int all = 0, mine = value ? 1 : 0;
    LC_MPI_TRY(MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD));
    return all;
}

void lc_comm_broadcast_text(char *text, int size, int root) {
    LC_MPI_TRY(MPI_Bcast(text, size, MPI_CHAR, root, MPI_COMM_WORLD));
    text[size - 1] = '\0';
}

void lc_comm_broadcast_bytes(void *data, size_t size, int root) {
    for (size_t at = 0; at < size;) { /* MPI counts are ints */
        size_t piece = size - at < (1u << 30) ? size - at : (1u << 30);
        LC_MPI_TRY(MPI_Bcast((char *)data + at, (int)piece, MPI_BYTE, root, MPI_COMM_WORLD));
        at += piece;
    }
}

void lc_comm_barrier(void) { LC_MPI_TRY(MPI_Barrier(MPI_COMM_WORLD)); }

size_t lc_comm_exchange_bytes(const char *send, const size_t *send_size, char **recv) {
    int ranks = lc_comm_size();
    int *counts = lc_malloc(sizeof(int) * 4 * (size_t)ranks);
    int *send_counts = counts, *send_displacements = counts + ranks, *recv_counts = counts + 2 * ranks,
        *recv_displacements = counts + 3 * ranks;
    size_t at = 0;
    for (int r = 0; r < ranks; r++) {
        if (send_size[r] > 2147483647u || at > 2147483647u) lc_fatal("exchange of more than 2 GiB from one rank");
        send_counts[r] = (int)send_size[r];
        send_displacements[r] = (int)at;
        at += send_size[r];
    }
    LC_MPI_TRY(MPI_Alltoall(send_counts, 1, MPI_INT, recv_counts, 1, MPI_INT, MPI_COMM_WORLD));
    size_t total = 0;
    for (int r = 0; r < ranks; r++) {
        if (total > 2147483647u) lc_fatal("exchange of more than 2 GiB to one rank");
        recv_displacements[r] = (int)total;
        total += (size_t)recv_counts[r];
    }
    *recv = lc_malloc(total ? total : 1);
    LC_MPI_TRY(MPI_Alltoallv(send, send_counts, send_displacements, MPI_BYTE, *recv, recv_counts, recv_displacements,
                             MPI_BYTE, MPI_COMM_WORLD));
    free(counts);
    return total;
}
