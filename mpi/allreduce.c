/* Deterministic all-reduce as a reduce-scatter (MPI_Alltoallv: rank k receives every rank's copy of segment k)
 * followed by an all-gather of the reduced segments. Only data movement is left to MPI; the sums are ours, in
 * rank order, so they cannot depend on MPI's algorithm, message sizes or the number of nodes. */
#include "allreduce.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#ifdef LEGOCRYST_HAVE_CUDA
#include <cuda_runtime.h>
#include <nccl.h>
#endif

#include "check.h"

/* Elements reduced per round: bounds the temporary memory (a block of floats plus a segment of doubles) and keeps
 * counts and displacements far below MPI's int limit. */
enum { BLOCK = 1 << 20 };

typedef enum { ELEM_F32, ELEM_F64 } elem_kind;

/* First element of segment k of a block of m elements split over R ranks. */
static int segment_begin(int m, int k, int ranks) { return (int)((long)m * k / ranks); }

/* Reduces block[0 .. m-1] (float or double) in place over all ranks; divisor 1 for a sum, R for a mean. */
static void reduce_block(void *block, int m, elem_kind kind, int divide, void *received, double *sums) {
    int rank = 0, ranks = 1;
    LC_MPI_TRY(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
    LC_MPI_TRY(MPI_Comm_size(MPI_COMM_WORLD, &ranks));
    MPI_Datatype type = kind == ELEM_F32 ? MPI_FLOAT : MPI_DOUBLE;
    int *send_counts = lc_malloc(sizeof(int) * (size_t)ranks), *send_offsets = lc_malloc(sizeof(int) * (size_t)ranks);
    int *recv_counts = lc_malloc(sizeof(int) * (size_t)ranks), *recv_offsets = lc_malloc(sizeof(int) * (size_t)ranks);
    int mine_first = segment_begin(m, rank, ranks), mine = segment_begin(m, rank + 1, ranks) - mine_first;
    for (int k = 0; k < ranks; k++) {
        send_offsets[k] = segment_begin(m, k, ranks);
        send_counts[k] = segment_begin(m, k + 1, ranks) - send_offsets[k];
        recv_counts[k] = mine;
        recv_offsets[k] = k * mine; /* rank k's copy of my segment */
    }
    /* My own copy of my segment is read where it is, not sent to myself. */
    int to_self = send_counts[rank];
    send_counts[rank] = recv_counts[rank] = 0;
    LC_MPI_TRY(MPI_Alltoallv(block, send_counts, send_offsets, type, received, recv_counts, recv_offsets, type,
                             MPI_COMM_WORLD));
    send_counts[rank] = to_self;
    /* Rank order, in double: the one summation order every rank count and every run shares. */
    size_t size = kind == ELEM_F32 ? sizeof(float) : sizeof(double);
    for (int k = 0; k < ranks; k++) {
        const char *from = k == rank ? (const char *)block + size * (size_t)mine_first
                                     : (const char *)received + size * (size_t)k * (size_t)mine;
        if (kind == ELEM_F32) {
            const float *f = (const float *)from;
            if (k == 0) for (int i = 0; i < mine; i++) sums[i] = (double)f[i];
            else for (int i = 0; i < mine; i++) sums[i] += (double)f[i];
        } else {
            const double *d = (const double *)from;
            if (k == 0) for (int i = 0; i < mine; i++) sums[i] = d[i];
            else for (int i = 0; i < mine; i++) sums[i] += d[i];
        }
    }
    if (kind == ELEM_F32) {
        float *to = (float *)block + mine_first;
        for (int i = 0; i < mine; i++) to[i] = (float)(divide ? sums[i] / ranks : sums[i]);
    } else {
        double *to = (double *)block + mine_first;
        for (int i = 0; i < mine; i++) to[i] = divide ? sums[i] / ranks : sums[i];
    }
    LC_MPI_TRY(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, block, send_counts, send_offsets, type,
                              MPI_COMM_WORLD));
    free(send_counts);
    free(send_offsets);
    free(recv_counts);
    free(recv_offsets);
}

static void ordered_allreduce(void *buffer, long n, elem_kind kind, int divide) {
    if (n < 0) lc_mpi_fatal("all-reduce of %ld elements", n);
    int ranks = 1;
    LC_MPI_TRY(MPI_Comm_size(MPI_COMM_WORLD, &ranks));
    if (ranks == 1) return; /* a sum or mean over one rank is the value itself, exactly */
    /* Every rank must pass the same n, or the blocks would not line up: checked, since a mismatch would
     * otherwise corrupt gradients silently. */
    long range[2] = {n, -n};
    LC_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, range, 2, MPI_LONG, MPI_MAX, MPI_COMM_WORLD));
    if (range[0] != -range[1]) lc_mpi_fatal("all-reduce: ranks passed different lengths (%ld here)", n);
    size_t size = kind == ELEM_F32 ? sizeof(float) : sizeof(double);
    long block = n < BLOCK ? n : BLOCK;
    void *received = lc_malloc(size * (size_t)(block + ranks));
    double *sums = lc_malloc(sizeof(double) * (size_t)(block / ranks + 1));
    for (long first = 0; first < n; first += BLOCK) {
        int m = (int)(n - first < BLOCK ? n - first : BLOCK);
        reduce_block((char *)buffer + size * (size_t)first, m, kind, divide, received, sums);
    }
    free(received);
    free(sums);
}

void lc_allreduce_average_f32(float *buffer, long n) { ordered_allreduce(buffer, n, ELEM_F32, 1); }

void lc_allreduce_sum_f64(double *buffer, int n) { ordered_allreduce(buffer, n, ELEM_F64, 0); }

void lc_allreduce_stats(double *sums, int n, void *user) {
    (void)user;
    lc_allreduce_sum_f64(sums, n);
}

#ifdef LEGOCRYST_HAVE_CUDA

static void nccl_checked(ncclResult_t code, const char *call, const char *src_file, int src_line) {
    if (code != ncclSuccess) lc_mpi_fatal_at(src_file, src_line, "%s failed: %s", call, ncclGetErrorString(code));
}
#define nccl_try(call) nccl_checked((call), #call, __FILE__, __LINE__)

static void cuda_checked(cudaError_t code, const char *call, const char *src_file, int src_line) {
    if (code != cudaSuccess) lc_mpi_fatal_at(src_file, src_line, "%s failed: %s", call, cudaGetErrorString(code));
}
#define cuda_try(call) cuda_checked((call), #call, __FILE__, __LINE__)

static ncclComm_t nccl_comm = NULL;

int lc_nccl_init(void) {
    if (nccl_comm) lc_mpi_fatal("lc_nccl_init called twice");
    int rank = 0, ranks = 1, local_rank = 0, local_ranks = 1, devices = 0;
    LC_MPI_TRY(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
    LC_MPI_TRY(MPI_Comm_size(MPI_COMM_WORLD, &ranks));
    /* The ranks of one node, in world order: the i-th of them takes GPU i. */
    MPI_Comm node;
    LC_MPI_TRY(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node));
    LC_MPI_TRY(MPI_Comm_rank(node, &local_rank));
    LC_MPI_TRY(MPI_Comm_size(node, &local_ranks));
    LC_MPI_TRY(MPI_Comm_free(&node));
    cuda_try(cudaGetDeviceCount(&devices));
    if (local_ranks > devices)
        lc_mpi_fatal("%d ranks on this node but %d visible GPU(s): start one rank per GPU", local_ranks, devices);
    cuda_try(cudaSetDevice(local_rank));
    ncclUniqueId id;
    if (rank == 0) nccl_try(ncclGetUniqueId(&id));
    LC_MPI_TRY(MPI_Bcast(&id, (int)sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD));
    nccl_try(ncclCommInitRank(&nccl_comm, ranks, id, rank));
    return local_rank;
}

void lc_nccl_allreduce_average_f32(float *device_buffer, long n, void *cuda_stream) {
    if (!nccl_comm) lc_mpi_fatal("lc_nccl_allreduce_average_f32 before lc_nccl_init");
    if (n < 0) lc_mpi_fatal("NCCL all-reduce of %ld elements", n);
    nccl_try(ncclAllReduce(device_buffer, device_buffer, (size_t)n, ncclFloat, ncclAvg, nccl_comm,
                           (cudaStream_t)cuda_stream));
}

void lc_nccl_finalize(void) {
    if (!nccl_comm) return;
    nccl_try(ncclCommDestroy(nccl_comm));
    nccl_comm = NULL;
}

#endif
