#include "comm.h"

#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef LEGOCRYST_HAVE_CUDA
#include <nccl.h>
#endif

static int comm_initialized_here = 0;

void lc_comm_init(int *argc, char ***argv) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) return;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "legocryst: internal error: MPI_Init_thread failed\n");
        exit(1);
    }
    comm_initialized_here = 1;
    /* HDF5's exit handler would close an open parallel file collectively and hang when one rank exits alone on an
     * internal error; files are closed explicitly instead. */
    H5dont_atexit();
}

void lc_comm_finalize(void) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (comm_initialized_here && !finalized) MPI_Finalize();
}

int lc_comm_rank(void) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

int lc_comm_size(void) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

void lc_comm_abort(int status) {
    if (lc_comm_size() > 1) MPI_Abort(MPI_COMM_WORLD, status);
    lc_comm_finalize();
    exit(status);
}

void lc_comm_describe(char *buffer, int size) {
    char mpi_version[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int length = 0;
    MPI_Get_library_version(mpi_version, &length);
    char *newline = strchr(mpi_version, ',');
    if (newline) *newline = '\0';
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    int used = snprintf(buffer, (size_t)size, "%s, HDF5 %u.%u.%u (%s)", mpi_version, major, minor, release,
#ifdef H5_HAVE_PARALLEL
                        "parallel"
#else
                        "serial"
#endif
    );
#ifdef LEGOCRYST_HAVE_CUDA
    int nccl = 0;
    if (used > 0 && used < size && ncclGetVersion(&nccl) == ncclSuccess)
        snprintf(buffer + used, (size_t)(size - used), ", NCCL %d.%d.%d", nccl / 10000, (nccl % 10000) / 100,
                 nccl % 100);
#else
    (void)used;
#endif
}
