#include "dedup.h"

#include <math.h>
#include <stdlib.h>

#include "core/error.h"

void lc_dedup_init(lc_dedup *d, const lc_match_options *match, double density_tolerance) {
    d->match = *match;
    /* Without scaling, matching cells differ in volume by at most the length window and the angle term; with
     * it, density says nothing unless the caller bounds it. */
    d->density_window = match->scale ? INFINITY
                                     : pow(1 + match->length_tolerance, 3) *
                                           (1 + 4.5 * match->angle_tolerance * 3.14159265358979323846 / 180);
    if (density_tolerance > 0 && 1 + density_tolerance < d->density_window) d->density_window = 1 + density_tolerance;
    d->n = d->capacity = 0;
    d->cells = NULL;
    d->ids = NULL;
    d->density = NULL;
    d->spacegroup = NULL;
}

void lc_dedup_free(lc_dedup *d) {
    for (long u = 0; u < d->n; u++) lc_match_cell_free(&d->cells[u]);
    free(d->cells);
    free(d->ids);
    free(d->density);
    free(d->spacegroup);
    d->n = d->capacity = 0;
}

int lc_dedup_key(const lc_structure *s, const lc_match_options *match) {
    lc_match_cell cell;
    if (lc_match_cell_init(&cell, s, match) != 0) return 0;
    int key = cell.primitive.n_atoms;
    lc_match_cell_free(&cell);
    return key;
}

int lc_dedup_bucket_owner(int n_primitive, int spacegroup, int ranks) {
    unsigned long long h = (unsigned long long)n_primitive * 0x9E3779B97F4A7C15ull ^
                           (unsigned long long)spacegroup * 0xC2B2AE3D27D4EB4Full;
    return (int)((h ^ (h >> 29)) % (unsigned long long)ranks);
}

long long lc_dedup_offer(lc_dedup *d, long long id, const lc_structure *s, double density, int spacegroup, int *key) {
    lc_match_cell cell;
    if (key) *key = 0;
    if (lc_match_cell_init(&cell, s, &d->match) != 0) return -1;
    if (key) *key = cell.primitive.n_atoms;
    for (long u = 0; u < d->n; u++) {
        double ratio = d->density[u] / density;
        /* lc_match_cells compares the composition first; equal primitive atom counts are needed too */
        if (d->spacegroup[u] == spacegroup && d->cells[u].primitive.n_atoms == cell.primitive.n_atoms &&
            ratio < d->density_window &&
            ratio * d->density_window > 1 && lc_match_cells(&d->cells[u], &cell, &d->match, NULL)) {
            lc_match_cell_free(&cell);
            return d->ids[u];
        }
    }
    if (d->n == d->capacity) {
        d->capacity = 2 * d->capacity + 16;
        d->cells = lc_realloc(d->cells, sizeof *d->cells * (size_t)d->capacity);
        d->ids = lc_realloc(d->ids, sizeof *d->ids * (size_t)d->capacity);
        d->density = lc_realloc(d->density, sizeof *d->density * (size_t)d->capacity);
        d->spacegroup = lc_realloc(d->spacegroup, sizeof *d->spacegroup * (size_t)d->capacity);
    }
    d->cells[d->n] = cell;
    d->ids[d->n] = id;
    d->density[d->n] = density;
    d->spacegroup[d->n] = spacegroup;
    d->n++;
    return -1;
}
