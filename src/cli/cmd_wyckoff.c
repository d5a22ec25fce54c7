/* legocryst wyckoff SPG: one line per Wyckoff position of a space group. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/error.h"
#include "mpi/comm.h"
#include "symmetry/wyckoff.h"

static const char usage[] =
    "usage: legocryst wyckoff SPG\n"
    "Prints the Wyckoff positions of space group SPG (1-230) in its standard setting: letter, multiplicity,\n"
    "site symmetry and a representative, general position first.\n";

int lc_cmd_wyckoff(int argc, char **argv) {
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        if (lc_comm_rank() == 0) fputs(usage, stdout);
        return LC_EXIT_OK;
    }
    if (argc != 2) return lc_cli_usage_error("wyckoff takes one space-group number (see `legocryst wyckoff --help`)");
    int number = 0;
    if (lc_cli_parse_int(argv[1], &number) != 0 || number < 1 || number > 230)
        return lc_cli_usage_error("wyckoff: '%s' is not a space-group number 1-230", argv[1]);
    if (lc_comm_rank() != 0) return LC_EXIT_OK;
    const lc_wyckoff_table *table = lc_wyckoff_table_get(number);
    const lc_spacegroup *sg = &table->spacegroup;
    printf("space group %d %s (%s), %s, Hall number %d%s%s, %d operations\n", sg->number, sg->symbol,
           sg->full_symbol, sg->crystal_system, sg->hall_number, sg->choice[0] ? ", setting " : "", sg->choice,
           table->n_operations);
    printf("%-6s %4s  %-10s %s\n", "letter", "mult", "site", "representative");
    for (int i = 0; i < table->n_positions; i++) {
        const lc_wyckoff_position *w = &table->positions[i];
        char representative[128];
        lc_wyckoff_format(w, representative, sizeof representative);
        printf("%-6c %4d  %-10s %s\n", w->letter, w->multiplicity, w->site_symmetry, representative);
    }
    return LC_EXIT_OK;
}
