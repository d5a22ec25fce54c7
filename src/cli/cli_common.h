/* Command-line handling shared by the commands that run a deck: DECK [--set section.key=value]... [--quiet]
 * [--log-json]. */
#ifndef LEGOCRYST_CLI_CLI_COMMON_H
#define LEGOCRYST_CLI_CLI_COMMON_H

#include "deck.h"

typedef struct {
    const char *deck_path;
    int n_overrides;
    char **overrides; /* "section.key=value" */
    int quiet;        /* -1: not given, else 0/1 */
    int log_json;
    int exit_status;  /* when parsing stops: LC_EXIT_OK after --help, LC_EXIT_USER after an error */
} lc_cli_run_options;

/* Returns 0 to go on; -1 to stop with options->exit_status (help printed or error reported, on rank 0). */
int lc_cli_parse_run_options(int argc, char **argv, const char *usage, lc_cli_run_options *options);
void lc_cli_run_options_free(lc_cli_run_options *options);
/* Logging from the command line, else from [run] quiet / log_json; only rank 0 prints. */
void lc_cli_configure_log(const lc_cli_run_options *options, const lc_deck *deck);

#endif
