/* Checks shared by the mpi/ sources (private: only they include it). A failing MPI, HDF5, NCCL or CUDA call is an
 * internal error: the message names the call and our source line, and with several ranks the whole job ends
 * with MPI_Abort, since a rank that merely exited would leave the others waiting in a collective call. */
#ifndef LEGOCRYST_MPI_CHECK_H
#define LEGOCRYST_MPI_CHECK_H

#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>

#include "comm.h"
#include "core/error.h"

static inline _Noreturn void __attribute__((format(printf, 3, 4)))
lc_mpi_fatal_at(const char *src_file, int src_line, const char *fmt, ...) {
    char what[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(what, sizeof what, fmt, args);
    va_end(args);
    int initialized = 0, finalized = 0, size = 1;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (initialized && !finalized) MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size == 1) lc_fatal_at(src_file, src_line, "%s", what);
    fprintf(stderr, "legocryst: internal error at %s:%d: %s\n", src_file, src_line, what);
    fflush(stderr);
    lc_comm_abort(LC_EXIT_INTERNAL);
}
#define lc_mpi_fatal(...) lc_mpi_fatal_at(__FILE__, __LINE__, __VA_ARGS__)

static inline void lc_mpi_checked(int code, const char *call, const char *src_file, int src_line) {
    if (code == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING] = "";
    int length = 0;
    MPI_Error_string(code, text, &length);
    lc_mpi_fatal_at(src_file, src_line, "%s failed: %s", call, text);
}
#define LC_MPI_TRY(call) lc_mpi_checked((call), #call, __FILE__, __LINE__)

/* HDF5 calls return a negative hid_t/herr_t/htri_t on failure; evaluates to the (non-negative) result. */
static inline long long lc_h5_checked(long long value, const char *call, const char *src_file, int src_line) {
    if (value < 0) lc_mpi_fatal_at(src_file, src_line, "%s failed", call);
    return value;
}
#define LC_H5_TRY(call) lc_h5_checked((long long)(call), #call, __FILE__, __LINE__)

#endif
