/* SO(3) descriptor evaluations per second, as the local-environment optimiser calls them.
 *
 *   bench_so3 [seconds_per_case]   (default 1.0)
 *
 * Cases: graphite (4 atoms, 2 Wyckoff orbits, 3 neighbours within 2 A) and a random triclinic 96-atom carbon cell
 * at diamond's number density (about 6 neighbours within 2 A). For each: one atom's descriptor alone and with its
 * gradient (neighbour list prebuilt, as for several atoms of one structure), and a whole objective-style
 * evaluation: neighbour list plus descriptor and gradient of one atom per orbit (graphite: 2; the 96-atom cell,
 * taken as P1: all 96). Default options (nmax 2, lmax 4, alpha 1.5, rcut 2.0). The time is split into five
 * windows; the best and the median window are printed (the best is the least disturbed on a shared machine).
 * Single thread. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/lattice.h"
#include "core/neighbor_list.h"
#include "core/rng.h"
#include "core/structure.h"
#include "envopt/so3.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    const lc_so3_plan *plan;
    const lc_structure *s;
    lc_neighbor_list *nl;
    lc_so3_gradient *grad;
    int n_sites;
    const int *sites;
} bench_case;

enum { MODE_P, MODE_P_GRAD, MODE_OBJECTIVE };

/* Runs one unit of work; returns the number of descriptor evaluations it did. */
static long run_once(bench_case *b, int mode, int *next_atom) {
    double p[64];
    if (mode == MODE_OBJECTIVE) {
        lc_neighbor_list_build(b->nl, b->s, b->plan->options.rcut);
        for (int k = 0; k < b->n_sites; k++) lc_so3_descriptor_nl(b->plan, b->s, b->nl, b->sites[k], p, b->grad);
        return b->n_sites;
    }
    int atom = *next_atom;
    *next_atom = (atom + 1) % b->s->n_atoms; /* cycle over atoms: the mean over environments */
    lc_so3_descriptor_nl(b->plan, b->s, b->nl, atom, p, mode == MODE_P_GRAD ? b->grad : NULL);
    return 1;
}

static void measure(const char *name, bench_case *b, int mode, double seconds) {
    enum { WINDOWS = 5 };
    double rates[WINDOWS], unit_rates[WINDOWS];
    int next_atom = 0;
    run_once(b, mode, &next_atom); /* warm-up: allocates the gradient buffers */
    for (int w = 0; w < WINDOWS; w++) {
        long evals = 0, units = 0;
        double start = now_seconds(), elapsed = 0;
        while (elapsed < seconds / WINDOWS) {
            for (int k = 0; k < 16; k++) evals += run_once(b, mode, &next_atom);
            units += 16;
            elapsed = now_seconds() - start;
        }
        rates[w] = evals / elapsed;
        unit_rates[w] = units / elapsed;
    }
    for (int k = 1; k < WINDOWS; k++)
        for (int m = k; m > 0 && rates[m] < rates[m - 1]; m--) {
            double t = rates[m];
            rates[m] = rates[m - 1];
            rates[m - 1] = t;
            t = unit_rates[m];
            unit_rates[m] = unit_rates[m - 1];
            unit_rates[m - 1] = t;
        }
    const char *what = mode == MODE_P ? "p only" : mode == MODE_P_GRAD ? "p + gradient" : "nl + p + grad / orbit";
    printf("%-10s %-22s %14.0f %14.0f %12.2f %14.0f\n", name, what, rates[WINDOWS - 1], rates[WINDOWS / 2],
           1e6 / rates[WINDOWS - 1], unit_rates[WINDOWS - 1]);
}

static void random_carbon_cell(lc_rng *rng, int n_atoms, double density, lc_structure *s) {
    lc_structure_init(s, n_atoms);
    for (;;) {
        lc_cell_parameters p = {1 + lc_rng_uniform(rng), 1 + lc_rng_uniform(rng), 1 + lc_rng_uniform(rng),
                                60 + 60 * lc_rng_uniform(rng), 60 + 60 * lc_rng_uniform(rng),
                                60 + 60 * lc_rng_uniform(rng)};
        double lattice[3][3];
        if (lc_lattice_from_parameters(&p, lattice) != 0) continue;
        double scale = cbrt(n_atoms / density / lc_lattice_volume((const double(*)[3])lattice));
        p.a *= scale;
        p.b *= scale;
        p.c *= scale;
        lc_lattice_from_parameters(&p, s->lattice);
        break;
    }
    for (int i = 0; i < n_atoms; i++) {
        s->species[i] = 6;
        for (int k = 0; k < 3; k++) s->frac[i][k] = lc_rng_uniform(rng);
    }
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    lc_so3_options o = lc_so3_default_options();
    lc_so3_plan plan;
    if (lc_so3_init(&plan, &o, NULL) != 0) return 1;

    lc_structure graphite;
    lc_structure_init(&graphite, 0);
    lc_cell_parameters gp = {2.46, 2.46, 6.70, 90, 90, 120};
    lc_lattice_from_parameters(&gp, graphite.lattice);
    const double gf[4][3] = {{0, 0, 0.25}, {0, 0, 0.75}, {1.0 / 3, 2.0 / 3, 0.25}, {2.0 / 3, 1.0 / 3, 0.75}};
    for (int i = 0; i < 4; i++) lc_structure_append(&graphite, 6, gf[i]);
    lc_structure cell96;
    lc_rng rng;
    lc_rng_init(&rng, 2024, 0, 0);
    random_carbon_cell(&rng, 96, 8 / (3.567 * 3.567 * 3.567), &cell96);

    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    lc_so3_gradient grad;
    lc_so3_gradient_init(&grad);
    int graphite_sites[2] = {0, 2}, all96[96];
    for (int i = 0; i < 96; i++) all96[i] = i;

    printf("%-10s %-22s %14s %14s %12s %14s\n", "structure", "work", "evals/s best", "evals/s med", "us/eval",
           "units/s best");
    bench_case g = {&plan, &graphite, &nl, &grad, 2, graphite_sites};
    lc_neighbor_list_build(&nl, &graphite, o.rcut);
    measure("graphite", &g, MODE_P, seconds);
    measure("graphite", &g, MODE_P_GRAD, seconds);
    measure("graphite", &g, MODE_OBJECTIVE, seconds);
    bench_case c = {&plan, &cell96, &nl, &grad, 96, all96};
    lc_neighbor_list_build(&nl, &cell96, o.rcut);
    printf("# 96-atom cell: %.2f neighbours per atom within %.1f A\n", (double)nl.n_pairs / 96, o.rcut);
    measure("C96", &c, MODE_P, seconds);
    measure("C96", &c, MODE_P_GRAD, seconds);
    measure("C96", &c, MODE_OBJECTIVE, seconds);

    lc_so3_gradient_free(&grad);
    lc_neighbor_list_free(&nl);
    lc_structure_free(&graphite);
    lc_structure_free(&cell96);
    lc_so3_free(&plan);
    return 0;
}
