#include "validity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/element.h"
#include "core/error.h"
#include "core/neighbor_list.h"

lc_validity_options lc_validity_default_options(void) {
    lc_validity_options o = {.coordination = 3,
                             .bond_cutoff = 1.872,
                             .bond_scale = 1.2,
                             .min_distance = 1.0,
                             .min_dimensionality = 3};
    return o;
}

static double pair_cutoff(const lc_validity_options *o, int zi, int zj) {
    if (o->bond_cutoff > 0) return o->bond_cutoff;
    const lc_element *a = lc_element_by_z(zi), *b = lc_element_by_z(zj);
    return o->bond_scale * ((a ? a->covalent_radius : 0.0) + (b ? b->covalent_radius : 0.0));
}

static double largest_cutoff(const lc_structure *s, const lc_validity_options *o) {
    double largest = o->min_distance;
    for (int i = 0; i < s->n_atoms; i++)
        for (int j = i; j < s->n_atoms; j++) {
            double c = pair_cutoff(o, s->species[i], s->species[j]);
            if (c > largest) largest = c;
        }
    return largest;
}

/* Rank (0..3) of a set of integer vectors, by exact elimination in 64-bit integers. */
static int integer_rank(long long (*v)[3], int n) {
    int rank = 0;
    for (int col = 0; col < 3 && rank < n; col++) {
        int pivot = -1;
        for (int r = rank; r < n && pivot < 0; r++)
            if (v[r][col] != 0) pivot = r;
        if (pivot < 0) continue;
        for (int k = 0; k < 3; k++) {
            long long t = v[rank][k];
            v[rank][k] = v[pivot][k];
            v[pivot][k] = t;
        }
        for (int r = rank + 1; r < n; r++) {
            if (v[r][col] == 0) continue;
            long long a = v[rank][col], b = v[r][col];
            for (int k = 0; k < 3; k++) v[r][k] = v[r][k] * a - v[rank][k] * b;
            /* keep entries small: divide by the row's gcd */
            long long g = 0;
            for (int k = 0; k < 3; k++) {
                long long x = llabs(v[r][k]);
                while (x) {
                    long long t = g % x;
                    g = x;
                    x = t;
                }
            }
            if (g > 1)
                for (int k = 0; k < 3; k++) v[r][k] /= g;
        }
        rank++;
    }
    return rank;
}

/* Each bonded component, walked from a root, gives every atom an image offset; a bond that closes a loop with a
 * net lattice translation adds that translation. The component's dimensionality is the rank of those. */
static int dimensionality_of(const lc_structure *s, const lc_neighbor_list *nl, const lc_validity_options *o) {
    int n = s->n_atoms, best = 0;
    int *component = lc_malloc(sizeof(int) * (size_t)(n ? n : 1));
    int (*offset)[3] = lc_malloc(sizeof *offset * (size_t)(n ? n : 1));
    int *queue = lc_malloc(sizeof(int) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) component[i] = -1;
    long long cycles[4][3];
    for (int root = 0; root < n; root++) {
        if (component[root] >= 0) continue;
        int head = 0, tail = 0, n_cycles = 0;
        component[root] = root;
        memset(offset[root], 0, sizeof offset[root]);
        queue[tail++] = root;
        while (head < tail) {
            int i = queue[head++];
            for (int e = nl->offsets[i]; e < nl->offsets[i + 1]; e++) {
                int j = nl->index[e];
                if (nl->distance[e] > pair_cutoff(o, s->species[i], s->species[j])) continue;
                int to[3] = {offset[i][0] + nl->image[e][0], offset[i][1] + nl->image[e][1],
                             offset[i][2] + nl->image[e][2]};
                if (component[j] < 0) {
                    component[j] = root;
                    memcpy(offset[j], to, sizeof to);
                    queue[tail++] = j;
                } else if (n_cycles < 3) {
                    /* keep a loop's translation only when it is independent of those kept */
                    long long d[3] = {to[0] - offset[j][0], to[1] - offset[j][1], to[2] - offset[j][2]};
                    long long trial[4][3];
                    memcpy(trial, cycles, sizeof(long long) * 3 * (size_t)n_cycles);
                    memcpy(trial[n_cycles], d, sizeof d);
                    if (integer_rank(trial, n_cycles + 1) > n_cycles) memcpy(cycles[n_cycles++], d, sizeof d);
                }
            }
        }
        if (n_cycles > best) best = n_cycles;
    }
    free(component);
    free(offset);
    free(queue);
    return best;
}

int lc_network_dimensionality(const lc_structure *s, const lc_validity_options *options) {
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    lc_neighbor_list_build(&nl, s, largest_cutoff(s, options));
    int d = dimensionality_of(s, &nl, options);
    lc_neighbor_list_free(&nl);
    return d;
}

int lc_validity_check(const lc_structure *s, const lc_validity_options *o, lc_validity_result *r) {
    memset(r, 0, sizeof *r);
    r->min_distance = INFINITY;
    r->min_coordination = s->n_atoms ? 1 << 30 : 0;
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    lc_neighbor_list_build(&nl, s, largest_cutoff(s, o));
    for (int i = 0; i < s->n_atoms; i++) {
        int cn = 0;
        for (int e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
            int j = nl.index[e];
            if (nl.distance[e] < r->min_distance) r->min_distance = nl.distance[e];
            cn += nl.distance[e] <= pair_cutoff(o, s->species[i], s->species[j]);
        }
        if (cn < r->min_coordination) r->min_coordination = cn;
        if (cn > r->max_coordination) r->max_coordination = cn;
    }
    r->dimensionality = dimensionality_of(s, &nl, o);
    lc_neighbor_list_free(&nl);
    r->valid = s->n_atoms > 0 && r->min_coordination == o->coordination && r->max_coordination == o->coordination &&
               r->min_distance >= o->min_distance && r->dimensionality >= o->min_dimensionality;
    return r->valid;
}
