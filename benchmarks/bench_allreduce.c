/* Cost of averaging a gradient buffer over MPI ranks, three ways (docs/training.md, "All-reduce"):
 *   mpi        MPI_Allreduce(MPI_IN_PLACE, MPI_SUM) then * 1/R   (order up to the MPI library)
 *   ordered    lc_allreduce_average_f32: Alltoallv + rank-order double sums + Allgatherv (what legocryst uses)
 *   allgather  every rank gathers all R buffers and sums them in rank order (R times the memory)
 * Median and minimum of `repeats` calls (slowest rank), after one warm-up, for each size in floats; on a shared
 * machine the minimum is the figure least disturbed by other load.
 *
 * It calls MPI directly (the raw MPI_Allreduce is one of the contenders), the one program outside mpi/ that does.
 *   mpiexec -n 2 build/cpu/benchmarks/bench_allreduce 1000000 5000000 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/allreduce.h"
#include "mpi/comm.h"

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void mpi_average(float *buffer, long n, int ranks, float *unused) {
    (void)unused;
    MPI_Allreduce(MPI_IN_PLACE, buffer, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    float scale = 1.0f / (float)ranks;
    for (long i = 0; i < n; i++) buffer[i] *= scale;
}

static void ordered_average(float *buffer, long n, int ranks, float *unused) {
    (void)ranks, (void)unused;
    lc_allreduce_average_f32(buffer, n);
}

static void allgather_average(float *buffer, long n, int ranks, float *all) {
    MPI_Allgather(buffer, (int)n, MPI_FLOAT, all, (int)n, MPI_FLOAT, MPI_COMM_WORLD);
    for (long i = 0; i < n; i++) {
        double sum = 0;
        for (int r = 0; r < ranks; r++) sum += all[(size_t)r * (size_t)n + (size_t)i];
        buffer[i] = (float)(sum / ranks);
    }
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    int rank = lc_comm_rank(), ranks = lc_comm_size(), repeats = 20;
    static const struct {
        const char *name;
        void (*run)(float *, long, int, float *);
    } methods[] = {{"mpi", mpi_average}, {"ordered", ordered_average}, {"allgather", allgather_average}};
    if (rank == 0) printf("ranks %d, %d calls\n%10s %10s %10s %10s %12s\n", ranks, repeats, "floats", "method",
                          "median ms", "min ms", "GB/s/rank");
    for (int a = 1; a < argc; a++) {
        long n = atol(argv[a]);
        float *buffer = malloc(sizeof(float) * (size_t)n), *all = malloc(sizeof(float) * (size_t)n * (size_t)ranks);
        double *times = malloc(sizeof(double) * (size_t)repeats);
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
            for (int k = -1; k < repeats; k++) {
                for (long i = 0; i < n; i++) buffer[i] = (float)((i + rank) % 1000) * 1e-3f;
                MPI_Barrier(MPI_COMM_WORLD);
                double t0 = MPI_Wtime();
                methods[m].run(buffer, n, ranks, all);
                double t = MPI_Wtime() - t0;
                MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
                if (k >= 0) times[k] = t;
            }
            qsort(times, (size_t)repeats, sizeof(double), compare);
            double median = times[repeats / 2];
            /* bytes a ring all-reduce moves per rank: 2 (R-1)/R of the buffer */
            double bytes = 2.0 * (ranks - 1) / ranks * 4.0 * (double)n;
            if (rank == 0)
                printf("%10ld %10s %10.2f %10.2f %12.2f\n", n, methods[m].name, median * 1e3, times[0] * 1e3,
                       bytes / times[0] / 1e9);
        }
        free(buffer);
        free(all);
        free(times);
    }
    lc_comm_finalize();
    return 0;
}
