#include "cli_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/error.h"
#include "core/log.h"
#include "mpi/comm.h"

int lc_cli_parse_run_options(int argc, char **argv, const char *usage, lc_cli_run_options *o) {
    memset(o, 0, sizeof *o);
    o->quiet = o->log_json = -1;
    o->overrides = lc_malloc(sizeof(char *) * (size_t)(argc + 1));
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            if (lc_comm_rank() == 0) fputs(usage, stdout);
            o->exit_status = LC_EXIT_OK;
            lc_cli_run_options_free(o);
            return -1;
        } else if (strcmp(arg, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(arg, "--log-json") == 0) {
            o->log_json = 1;
        } else if (strcmp(arg, "--set") == 0 || strncmp(arg, "--set=", 6) == 0) {
            const char *value = arg[5] == '=' ? arg + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!value) {
                o->exit_status = lc_cli_usage_error("%s: --set needs section.key=value", argv[0]);
                lc_cli_run_options_free(o);
                return -1;
            }
            o->overrides[o->n_overrides++] = (char *)value;
        } else if (arg[0] == '-' && arg[1] == '-') {
            o->exit_status = lc_cli_usage_error("%s: unknown option '%s' (see `legocryst %s --help`)", argv[0], arg, argv[0]);
            lc_cli_run_options_free(o);
            return -1;
        } else if (!o->deck_path) {
            o->deck_path = arg;
        } else {
            o->exit_status = lc_cli_usage_error("%s: one deck only, got '%s' and '%s'", argv[0], o->deck_path, arg);
            lc_cli_run_options_free(o);
            return -1;
        }
    }
    if (!o->deck_path) {
        o->exit_status = lc_cli_usage_error("%s: no input deck given (see `legocryst %s --help`)", argv[0], argv[0]);
        lc_cli_run_options_free(o);
        return -1;
    }
    return 0;
}

void lc_cli_run_options_free(lc_cli_run_options *o) {
    free(o->overrides);
    o->overrides = NULL;
}

void lc_cli_configure_log(const lc_cli_run_options *o, const lc_deck *deck) {
    int quiet = o->quiet >= 0 ? o->quiet : lc_deck_bool(deck, "run", "quiet");
    int json = o->log_json >= 0 ? o->log_json : lc_deck_bool(deck, "run", "log_json");
    lc_log_configure(json ? LC_LOG_JSON : quiet ? LC_LOG_QUIET : LC_LOG_TEXT, lc_comm_rank() == 0);
}
