/* legocryst version: what this build is made of, and which devices it sees. */
#include <petscversion.h>
#include <spglib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/error.h"
#include "mpi/comm.h"
#include "version.h"
#ifdef LEGOCRYST_HAVE_CUDA
#include "cuda_backend.h"
#endif

char *openblas_get_config(void);

static const char usage[] =
    "usage: legocryst version [--gpu-self-test]\n"
    "Prints the version, git revision and libraries of this build; with --gpu-self-test, also runs a kernel\n"
    "and cuBLAS on every visible GPU and compares them with the host.\n";

int lc_cmd_version(int argc, char **argv) {
    int self_test = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            if (lc_comm_rank() == 0) fputs(usage, stdout);
            return LC_EXIT_OK;
        } else if (strcmp(argv[i], "--gpu-self-test") == 0) {
            self_test = 1;
        } else {
            return lc_cli_usage_error("version: unknown option '%s'", argv[i]);
        }
    }
    if (lc_comm_rank() != 0) return LC_EXIT_OK;
    char parallel[512];
    lc_comm_describe(parallel, sizeof parallel);
    printf("legocryst %s (git %s)\n", LEGOCRYST_VERSION, LEGOCRYST_GIT_REVISION);
    printf("  ranks      %d\n", lc_comm_size());
    printf("  parallel   %s\n", parallel);
    printf("  spglib     %d.%d.%d\n", spg_get_major_version(), spg_get_minor_version(), spg_get_micro_version());
    printf("  PETSc      %d.%d.%d (TAO)\n", PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR, PETSC_VERSION_SUBMINOR);
    printf("  OpenBLAS   %s\n", openblas_get_config());
#ifdef LEGOCRYST_HAVE_CUDA
    char cuda[2048];
    int devices = lc_cuda_describe(cuda, sizeof cuda);
    printf("  CUDA       %s\n", cuda);
    if (self_test) {
        if (devices == 0) return lc_cli_usage_error("version: --gpu-self-test: no GPU visible");
        for (int d = 0; d < devices; d++) {
            char message[512];
            int ok = lc_cuda_self_test(d, 1 << 20, message, sizeof message) == 0;
            printf("  self-test  %s: %s\n", ok ? "ok" : "FAILED", message);
            if (!ok) return LC_EXIT_INTERNAL;
        }
    }
#else
    printf("  CUDA       not built (CPU backend only)\n");
    if (self_test) return lc_cli_usage_error("version: --gpu-self-test: this build has no CUDA backend");
#endif
    return LC_EXIT_OK;
}
