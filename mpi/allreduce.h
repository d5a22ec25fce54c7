/* Gradient averaging and statistics sums over all ranks of MPI_COMM_WORLD (docs/training.md).
 *
 * Deterministic: element i of the result is the sum of the ranks' values in rank order 0, 1, ..., R-1
 * (accumulated in double), computed by one rank and copied to the others. So the result is bitwise identical on
 * every rank, the same from run to run, and independent of the reduction algorithm MPI picks (MPI_Allreduce
 * promises none of this for R > 2). Cost: one MPI_Alltoallv and one MPI_Allgatherv, moving 2 (R-1)/R of the buffer
 * per rank like a ring all-reduce; temporary memory about 12 MB at most (the buffer is reduced in blocks).
 *
 * All functions are collective: every rank calls them in the same order with the same n. */
#ifndef LEGOCRYST_MPI_ALLREDUCE_H
#define LEGOCRYST_MPI_ALLREDUCE_H

/* buffer[i] <- (float)((sum over ranks r in order of (double)buffer_r[i]) / R). With 1 rank the buffer is left
 * as it is; with 2 ranks each value is the correctly rounded mean of the two (a float pair sums exactly in
 * double unless their exponents differ by more than 29). With the loss scaling of docs/training.md (each rank
 * differentiates R / b times the sum of its sample losses, b = global batch rows), the average is the gradient
 * of the global batch mean: equal to the 1-rank gradient up to float rounding, since the ranks' partial sums are
 * added in another order than one rank's sum over the whole batch. */
void lc_allreduce_average_f32(float *buffer, long n);

/* buffer[i] <- sum over ranks in rank order (double accumulation). For BatchNorm's per-channel sums (count, sum,
 * sum of squares) over the global batch. */
void lc_allreduce_sum_f64(double *buffer, int n);

/* The hook a BatchNorm layer calls to turn its per-rank sums into global ones; NULL (or a function that does
 * nothing) on one rank. */
typedef void (*lc_stats_allreduce_fn)(double *sums, int n, void *user);
/* An lc_stats_allreduce_fn over MPI_COMM_WORLD (user is ignored): lc_allreduce_sum_f64. */
void lc_allreduce_stats(double *sums, int n, void *user);

#ifdef LEGOCRYST_HAVE_CUDA
/* GPU builds: gradients stay on the device and are averaged by NCCL (one communicator over MPI_COMM_WORLD).
 *
 * Collective. Binds this rank to GPU `local rank` of its node (ranks sharing a node, numbered by
 * MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)), then rank 0 makes the NCCL id, MPI_Bcast gives it to all and
 * ncclCommInitRank joins them. Start one rank per GPU: more ranks on a node than visible GPUs is an error (NCCL
 * cannot put two ranks of a communicator on one GPU). Returns the device index. */
int lc_nccl_init(void);
/* Collective. device_buffer[0 .. n-1] <- mean over ranks (ncclAllReduce in place, ncclAvg), enqueued on
 * cuda_stream (a cudaStream_t; NULL for the default stream); the caller synchronises the stream before reading.
 * NCCL's order of summation differs from the CPU path: results agree with it to float rounding, and are the same
 * on every rank. */
void lc_nccl_allreduce_average_f32(float *device_buffer, long n, void *cuda_stream);
/* Collective. Destroys the communicator; lc_nccl_init may be called again after it. */
void lc_nccl_finalize(void);
#endif

#endif
