/* legocryst: crystal structure generation (LEGO-Cryst and ICSG3D) on MPI. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli/deck.h"
#include "core/error.h"
#include "mpi/comm.h"

static const char usage[] =
    "usage: legocryst COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  info FILE...     symmetry, Wyckoff sites, lattice and density of structures (CIF, POSCAR)\n"
    "  prepare DECK     known structures -> LEGO-Cryst training set (rows, encoders) in HDF5, on MPI\n"
    "  train DECK       a generative model (VAE, GAN or Transformer) learns a training set, data-parallel over ranks\n"
    "  sample DECK      rows drawn from a trained model, decoded, written to HDF5\n"
    "  relax DECK       rows -> candidates relaxed to the reference environment (PETSc/TAO), judged, deduplicated\n"
    "  campaign DECK    model -> sampled, relaxed, validated, deduplicated candidates over all ranks; --resume\n"
    "  export DB        candidates of a database -> CIF, POSCAR or extxyz files (--valid, --unique)\n"
    "  report DB        summary of a candidate database: counts, space groups, best candidates, rates; plots\n"
    "  wyckoff SPG      Wyckoff positions of a space group (1-230), derived from spglib's operations\n"
    "  version          version, git revision and the libraries and devices of this build\n"
    "  help             this text\n"
    "  help deck        every input-deck section and key: type, default, allowed values, what it does\n"
    "\n"
    "Run `legocryst COMMAND --help` for the options of a command.\n";

int lc_cli_usage_error(const char *fmt, ...) {
    if (lc_comm_rank() == 0) {
        fputs("legocryst: error: ", stderr);
        va_list args;
        va_start(args, fmt);
        vfprintf(stderr, fmt, args);
        va_end(args);
        fputc('\n', stderr);
    }
    return LC_EXIT_USER;
}

int lc_cli_parse_double(const char *text, double *value) {
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0') return -1;
    *value = v;
    return 0;
}

int lc_cli_parse_int(const char *text, int *value) {
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < -2147483647L || v > 2147483647L) return -1;
    *value = (int)v;
    return 0;
}

/* `help deck [--markdown]`: the Markdown form is the generated part of docs/deck.md. */
static int help(int argc, char **argv) {
    if (argc < 2) {
        if (lc_comm_rank() == 0) fputs(usage, stdout);
        return LC_EXIT_OK;
    }
    if (strcmp(argv[1], "deck") != 0)
        return lc_cli_usage_error("no help on '%s' (try `legocryst help deck`)", argv[1]);
    int markdown = argc == 3 && strcmp(argv[2], "--markdown") == 0;
    if (argc > 3 || (argc == 3 && !markdown)) return lc_cli_usage_error("usage: legocryst help deck [--markdown]");
    if (lc_comm_rank() == 0) {
        if (markdown) lc_deck_print_markdown(stdout);
        else lc_deck_print_help(stdout);
    }
    return LC_EXIT_OK;
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    int status = LC_EXIT_OK;
    const char *command = argc > 1 ? argv[1] : "help";
    if (strcmp(command, "info") == 0) status = lc_cmd_info(argc - 1, argv + 1);
    else if (strcmp(command, "prepare") == 0) status = lc_cmd_prepare(argc - 1, argv + 1);
    else if (strcmp(command, "train") == 0) status = lc_cmd_train(argc - 1, argv + 1);
    else if (strcmp(command, "sample") == 0) status = lc_cmd_sample(argc - 1, argv + 1);
    else if (strcmp(command, "relax") == 0) status = lc_cmd_relax(argc - 1, argv + 1);
    else if (strcmp(command, "campaign") == 0) status = lc_cmd_campaign(argc - 1, argv + 1);
    else if (strcmp(command, "export") == 0) status = lc_cmd_export(argc - 1, argv + 1);
    else if (strcmp(command, "report") == 0) status = lc_cmd_report(argc - 1, argv + 1);
    else if (strcmp(command, "wyckoff") == 0) status = lc_cmd_wyckoff(argc - 1, argv + 1);
    else if (strcmp(command, "version") == 0 || strcmp(command, "--version") == 0)
        status = lc_cmd_version(argc - 1, argv + 1);
    else if (strcmp(command, "help") == 0 || strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0)
        status = help(argc - 1, argv + 1);
    else {
        status = lc_cli_usage_error("unknown command '%s' (see `legocryst help`)", command);
    }
    lc_comm_finalize();
    return status;
}
