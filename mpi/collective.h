/* The few collectives the stages need, in plain C types (only mpi/ includes mpi.h). All are collective over
 * MPI_COMM_WORLD and every rank must call them in the same order. */
#ifndef LEGOCRYST_MPI_COLLECTIVE_H
#define LEGOCRYST_MPI_COLLECTIVE_H

#include <stddef.h>

/* Every rank's block of rows, concatenated in rank order, on every rank. *out is malloc'd (free it); returns the
 * global row count. n_local may be 0. */
long lc_comm_allgather_f64(const double *local, long n_local, int columns, double **out);
long lc_comm_allgather_i64(const long long *local, long n_local, int columns, long long **out);
long lc_comm_allgather_i32(const int *local, long n_local, int columns, int **out);

long lc_comm_sum_long(long value);
double lc_comm_max_double(double value);
/* 1 when every rank passes 1: lets one rank's user error stop all ranks at the same point. */
int lc_comm_all_true(int value);
/* Rank `root`'s text (up to size bytes, NUL-terminated) on every rank. */
void lc_comm_broadcast_text(char *text, int size, int root);
void lc_comm_barrier(void);
/* Rank root's size bytes at data on every rank. */
void lc_comm_broadcast_bytes(void *data, size_t size, int root);
/* All-to-all of bytes: send holds, in rank order, send_size[r] bytes for each rank r; *recv (malloc'd, free it)
 * receives what every rank sent here, in rank order. Returns the received size. */
size_t lc_comm_exchange_bytes(const char *send, const size_t *send_size, char **recv);

#endif
