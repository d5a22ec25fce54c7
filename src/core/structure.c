#include "structure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "element.h"
#include "error.h"
#include "lattice.h"
#include "neighbor_list.h"

void lc_structure_init(lc_structure *s, int n_atoms) {
    if (n_atoms < 0) lc_fatal("lc_structure_init: negative atom count %d", n_atoms);
    memset(s, 0, sizeof *s);
    s->n_atoms = n_atoms;
    s->species = lc_calloc((size_t)n_atoms, sizeof *s->species);
    s->frac = lc_calloc((size_t)n_atoms, sizeof *s->frac);
}

void lc_structure_free(lc_structure *s) {
    free(s->species);
    free(s->frac);
    memset(s, 0, sizeof *s);
}

/* dst is overwritten without being freed: pass an uninitialised or freed structure. */
void lc_structure_copy(lc_structure *dst, const lc_structure *src) {
    if (dst == src) return;
    lc_structure_init(dst, src->n_atoms);
    memcpy(dst->lattice, src->lattice, sizeof dst->lattice);
    memcpy(dst->name, src->name, sizeof dst->name);
    if (src->n_atoms > 0) {
        memcpy(dst->species, src->species, (size_t)src->n_atoms * sizeof *dst->species);
        memcpy(dst->frac, src->frac, (size_t)src->n_atoms * sizeof *dst->frac);
    }
}

void lc_structure_append(lc_structure *s, int species, const double frac[3]) {
    /* The struct records no capacity, so arrays are always exactly n_atoms long (whoever allocated them);
     * realloc grows them in place most of the time, and appends are not on any hot path. */
    size_t n = (size_t)s->n_atoms + 1;
    s->species = lc_realloc(s->species, n * sizeof *s->species);
    s->frac = lc_realloc(s->frac, n * sizeof *s->frac);
    s->species[n - 1] = species;
    memcpy(s->frac[n - 1], frac, sizeof s->frac[n - 1]);
    s->n_atoms = (int)n;
}

void lc_structure_wrap(lc_structure *s) {
    for (int i = 0; i < s->n_atoms; i++)
        for (int k = 0; k < 3; k++) s->frac[i][k] = lc_wrap_unit(s->frac[i][k]);
}

static int gcd_int(int a, int b) {
    while (b) {
        int r = a % b;
        a = b;
        b = r;
    }
    return a;
}

static const char *symbol_of(int z) {
    const lc_element *e = lc_element_by_z(z);
    return e ? e->symbol : "X"; /* species outside the table still show up in the formula */
}

/* Appends to buffer without ever overflowing it; a formula that does not fit is cut short. */
static void append_text(char *buffer, size_t size, size_t *used, const char *text) {
    if (*used + 1 >= size) return;
    int written = snprintf(buffer + *used, size - *used, "%s", text);
    if (written < 0) return;
    *used += (size_t)written < size - *used ? (size_t)written : size - *used - 1;
}

void lc_structure_formula(const lc_structure *s, int reduced, char *buffer, size_t size) {
    if (!buffer || size == 0) return;
    buffer[0] = '\0';
    /* counts[0] gathers species outside 1..LC_MAX_Z (written as "X"). */
    int counts[LC_MAX_Z + 1] = {0};
    for (int i = 0; i < s->n_atoms; i++) {
        int z = s->species[i];
        counts[(z >= 1 && z <= LC_MAX_Z) ? z : 0]++;
    }
    int divisor = 0;
    for (int z = 0; z <= LC_MAX_Z; z++) divisor = gcd_int(divisor, counts[z]);
    if (divisor == 0) return; /* no atoms */
    if (!reduced) divisor = 1;

    /* Hill order: with carbon, C then H then the rest alphabetically; without carbon, all alphabetically. */
    int order[LC_MAX_Z + 1], n_present = 0;
    int has_carbon = counts[6] > 0;
    if (has_carbon) {
        order[n_present++] = 6;
        if (counts[1]) order[n_present++] = 1;
    }
    int first_sorted = n_present;
    for (int z = 0; z <= LC_MAX_Z; z++)
        if (counts[z] && !(has_carbon && (z == 6 || z == 1))) order[n_present++] = z;
    for (int k = first_sorted + 1; k < n_present; k++) /* insertion sort by symbol; at most 119 entries */
        for (int m = k; m > first_sorted && strcmp(symbol_of(order[m]), symbol_of(order[m - 1])) < 0; m--) {
            int t = order[m];
            order[m] = order[m - 1];
            order[m - 1] = t;
        }

    size_t used = 0;
    for (int k = 0; k < n_present; k++) {
        int count = counts[order[k]] / divisor;
        append_text(buffer, size, &used, symbol_of(order[k]));
        if (count != 1) {
            char digits[16];
            snprintf(digits, sizeof digits, "%d", count);
            append_text(buffer, size, &used, digits);
        }
    }
}

double lc_structure_density(const lc_structure *s) {
    /* Avogadro's number times 1e-24 cm^3 per Angstrom^3. */
    const double avogadro_cm3_per_a3 = 6.02214076e23 * 1e-24;
    double mass = 0;
    for (int i = 0; i < s->n_atoms; i++) {
        const lc_element *e = lc_element_by_z(s->species[i]);
        if (e) mass += e->mass;
    }
    return mass / (avogadro_cm3_per_a3 * fabs(lc_lattice_volume(s->lattice)));
}

double lc_structure_min_distance(const lc_structure *s) {
    if (s->n_atoms <= 0) return INFINITY;
    double volume = fabs(lc_lattice_volume(s->lattice));
    if (!(volume > 0) || !isfinite(volume)) return 0.0; /* a flat cell puts images arbitrarily close */

    /* Kepler: equal spheres fill at most pi / sqrt(18) of space, so N points per volume V always have a pair
     * (an atom and its own image included) no farther apart than (sqrt(2) V / N)^(1/3). A neighbour list with
     * that cutoff therefore holds the minimum; the loop only widens it if rounding ever left it empty. */
    double cutoff = cbrt(sqrt(2.0) * volume / s->n_atoms) * 1.001;
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    double min_distance = INFINITY;
    for (int attempt = 0; attempt < 8 && min_distance == INFINITY; attempt++, cutoff *= 2) {
        lc_neighbor_list_build(&nl, s, cutoff);
        for (int p = 0; p < nl.n_pairs; p++)
            if (nl.distance[p] < min_distance) min_distance = nl.distance[p];
    }
    lc_neighbor_list_free(&nl);
    return min_distance;
}
