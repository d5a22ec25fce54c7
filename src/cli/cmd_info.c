/* legocryst info FILE...: what a structure is, as spglib sees it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/element.h"
#include "core/error.h"
#include "core/lattice.h"
#include "io/structure_io.h"
#include "mpi/comm.h"
#include "symmetry/symmetry.h"
#include "symmetry/wyckoff.h"

static const char usage[] =
    "usage: legocryst info [--symprec TOL] [--angle-tolerance DEG] [--block NAME] [--json] FILE...\n"
    "For every structure in every FILE (CIF: each data block; POSCAR): formula, space group, each orbit's\n"
    "Wyckoff letter, multiplicity and site symmetry, lattice and density.\n"
    "  --symprec TOL          distance tolerance of the symmetry search in Angstrom (default 1e-3)\n"
    "  --angle-tolerance DEG  angle tolerance in degrees (default: spglib's choice)\n"
    "  --block NAME           read only this CIF data block\n"
    "  --json                 one JSON array with an object per structure\n";

typedef struct {
    lc_symmetry_options symmetry;
    const char *block;
    int json;
} info_options;

static void print_json_string(const char *text) {
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\') printf("\\%c", *c);
        else if (*c < 0x20) printf("\\u%04x", *c);
        else putchar(*c);
    }
    putchar('"');
}

static const char *symbol_of(int z) {
    const lc_element *e = lc_element_by_z(z);
    return e ? e->symbol : "X";
}

/* One structure: text block or JSON object. `first` tells JSON whether a comma is needed. */
static void report(const char *path, const lc_structure *s, const lc_symmetry_dataset *d, const info_options *opt,
                   int first) {
    char formula[256], reduced[256];
    lc_structure_formula(s, 0, formula, sizeof formula);
    lc_structure_formula(s, 1, reduced, sizeof reduced);
    lc_cell_parameters p = lc_lattice_to_parameters(s->lattice);
    double volume = fabs(lc_lattice_volume(s->lattice));
    double density = lc_structure_density(s);
    const lc_wyckoff_table *table = lc_wyckoff_table_get(d->number);

    if (opt->json) {
        printf("%s\n  {\"file\": ", first ? "" : ",");
        print_json_string(path);
        printf(", \"name\": ");
        print_json_string(s->name);
        printf(", \"formula\": \"%s\", \"reduced_formula\": \"%s\", \"n_atoms\": %d,\n", formula, reduced,
               s->n_atoms);
        printf("   \"spacegroup_number\": %d, \"spacegroup_symbol\": \"%s\", \"hall_number\": %d, \"symprec\": %g,\n",
               d->number, d->symbol, d->hall_number, opt->symmetry.symprec);
        printf("   \"lattice\": {\"a\": %.6f, \"b\": %.6f, \"c\": %.6f, \"alpha\": %.4f, \"beta\": %.4f, "
               "\"gamma\": %.4f, \"volume\": %.6f},\n",
               p.a, p.b, p.c, p.alpha, p.beta, p.gamma, volume);
        printf("   \"density\": %.6f,\n   \"sites\": [", density);
    } else {
        printf("%s%s%s\n", path, s->name[0] ? "  " : "", s->name);
        printf("  formula      %s (%s), %d atoms\n", formula, reduced, s->n_atoms);
        printf("  space group  %s (%d), symprec %g A\n", d->symbol, d->number, opt->symmetry.symprec);
        printf("  lattice      a %.5f  b %.5f  c %.5f A   alpha %.4f  beta %.4f  gamma %.4f deg\n", p.a, p.b, p.c,
               p.alpha, p.beta, p.gamma);
        printf("  volume       %.4f A^3   density %.4f g/cm^3\n", volume, density);
        printf("  sites        %-4s %-8s %-8s %5s  %-9s %-9s %-9s\n", "el", "wyckoff", "site", "atoms", "x", "y", "z");
    }
    int n_sites = 0;
    for (int i = 0; i < s->n_atoms; i++) {
        if (d->equivalent_atoms[i] != i) continue;
        int in_cell = 0;
        for (int j = 0; j < s->n_atoms; j++) in_cell += d->equivalent_atoms[j] == i;
        const lc_wyckoff_position *w = lc_wyckoff_find(table, d->wyckoff_letters[i]);
        int multiplicity = w ? w->multiplicity : 0;
        const double *x = s->frac[i];
        if (opt->json) {
            printf("%s\n     {\"species\": \"%s\", \"wyckoff\": \"%c\", \"multiplicity\": %d, \"site_symmetry\": ",
                   n_sites ? "," : "", symbol_of(s->species[i]), d->wyckoff_letters[i], multiplicity);
            print_json_string(d->site_symmetry[i]);
            printf(", \"atoms_in_cell\": %d, \"frac\": [%.6f, %.6f, %.6f]}", in_cell, x[0], x[1], x[2]);
        } else {
            printf("               %-4s %3d%-5c %-8s %5d  %-9.5f %-9.5f %-9.5f\n", symbol_of(s->species[i]),
                   multiplicity, d->wyckoff_letters[i], d->site_symmetry[i], in_cell, x[0], x[1], x[2]);
        }
        n_sites++;
    }
    if (opt->json) printf("],\n   \"n_sites\": %d}", n_sites);
    else printf("  orbits       %d\n\n", n_sites);
}

int lc_cmd_info(int argc, char **argv) {
    info_options opt = {.symmetry = lc_symmetry_default_options(), .block = NULL, .json = 0};
    int first_file = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            if (lc_comm_rank() == 0) fputs(usage, stdout);
            return LC_EXIT_OK;
        } else if (strcmp(arg, "--json") == 0) {
            opt.json = 1;
        } else if (strcmp(arg, "--symprec") == 0 || strcmp(arg, "--angle-tolerance") == 0 ||
                   strcmp(arg, "--block") == 0) {
            if (i + 1 >= argc) return lc_cli_usage_error("info: %s needs a value", arg);
            const char *value = argv[++i];
            if (strcmp(arg, "--block") == 0) {
                opt.block = value;
            } else {
                double *target = strcmp(arg, "--symprec") == 0 ? &opt.symmetry.symprec : &opt.symmetry.angle_tolerance;
                if (lc_cli_parse_double(value, target) != 0 || !isfinite(*target))
                    return lc_cli_usage_error("info: %s: '%s' is not a number", arg, value);
                if (target == &opt.symmetry.symprec && !(*target > 0))
                    return lc_cli_usage_error("info: --symprec must be positive, got '%s'", value);
            }
        } else if (arg[0] == '-' && arg[1] == '-') {
            return lc_cli_usage_error("info: unknown option '%s' (see `legocryst info --help`)", arg);
        } else {
            first_file = i;
            break;
        }
    }
    if (!first_file) return lc_cli_usage_error("info: no structure files given (see `legocryst info --help`)");
    if (lc_comm_rank() != 0) return LC_EXIT_OK;

    int status = LC_EXIT_OK, reported = 0;
    if (opt.json) printf("[");
    for (int f = first_file; f < argc; f++) {
        lc_structure_list list;
        lc_error err;
        if (lc_structure_list_read(argv[f], LC_FORMAT_AUTO, opt.block, &list, &err) != 0) {
            fflush(stdout);
            lc_error_print(&err);
            status = LC_EXIT_USER;
            continue;
        }
        for (int k = 0; k < list.count; k++) {
            lc_symmetry_dataset d;
            if (lc_symmetry_analyze(&list.items[k], &opt.symmetry, &d, &err) != 0) {
                fflush(stdout);
                lc_error_print(&err);
                status = LC_EXIT_USER;
                continue;
            }
            report(argv[f], &list.items[k], &d, &opt, reported == 0);
            reported++;
            lc_symmetry_dataset_free(&d);
        }
        lc_structure_list_free(&list);
    }
    if (opt.json) printf("\n]\n");
    return status;
}
