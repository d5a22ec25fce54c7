#include "augment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/lattice.h"
#include "core/rng.h"
#include "symmetry/spacegroup.h"
#include "symmetry/subgroup.h"
#include "symmetry/symmetry.h"
#include "symmetry/wyckoff.h"

enum { MAX_DESCRIPTIONS = 64, MARKER_SPECIES = 0, ORIGIN_GRID = 24 };

lc_augment_options lc_augment_default_options(void) {
    lc_augment_options o = {.max_sites = 8,
                            .max_dof = 24,
                            .max_length = 50.0,
                            .min_angle = 30.0,
                            .max_angle = 150.0,
                            .rows_per_source = 500,
                            .rows_original = 300,
                            .rows_per_subgroup = 100,
                            .max_depth = 3,
                            .symprec = 1e-3,
                            .seed = 2026};
    return o;
}

void lc_augment_result_free(lc_augment_result *r) {
    free(r->rows);
    free(r->description);
    memset(r, 0, sizeof *r);
}

int lc_augment_row_passes(const lc_row *row, const lc_augment_options *o) {
    if (row->n_sites > o->max_sites || lc_row_degrees_of_freedom(row) > o->max_dof) return 0;
    for (int k = 0; k < 3; k++)
        if (!(row->cell[k] < o->max_length)) return 0;
    for (int k = 3; k < 6; k++)
        if (row->cell[k] < o->min_angle || row->cell[k] > o->max_angle) return 0;
    return 1;
}

/* ---- origin shifts: translations s with s K s^-1 = K, on the 1/24 grid, cached per group ---- */

typedef struct {
    int count;
    double (*shifts)[3];
} origin_shifts;

static origin_shifts *cached_shifts[231];

static const origin_shifts *allowed_origin_shifts(int number) {
    if (cached_shifts[number]) return cached_shifts[number];
    const lc_wyckoff_table *t = lc_wyckoff_table_get(number);
    int shift[LC_MAX_OPERATIONS][3];
    for (int op = 0; op < t->n_operations; op++)
        for (int i = 0; i < 3; i++) shift[op][i] = (int)nearbyint(t->translations[op][i] * ORIGIN_GRID);
    origin_shifts *out = lc_calloc(1, sizeof *out);
    out->shifts = lc_malloc(sizeof *out->shifts * ORIGIN_GRID * ORIGIN_GRID * ORIGIN_GRID);
    for (int code = 0; code < ORIGIN_GRID * ORIGIN_GRID * ORIGIN_GRID; code++) {
        int s[3] = {code / (ORIGIN_GRID * ORIGIN_GRID), (code / ORIGIN_GRID) % ORIGIN_GRID, code % ORIGIN_GRID};
        int keeps = 1;
        /* (R, t) becomes (R, t + (I - R) s): it must again be an operation of K (modulo the lattice) */
        for (int op = 0; op < t->n_operations && keeps; op++) {
            int moved[3];
            for (int i = 0; i < 3; i++) {
                moved[i] = shift[op][i] + s[i];
                for (int j = 0; j < 3; j++) moved[i] -= t->rotations[op][i][j] * s[j];
                moved[i] = ((moved[i] % ORIGIN_GRID) + ORIGIN_GRID) % ORIGIN_GRID;
            }
            int found = 0;
            for (int other = 0; other < t->n_operations && !found; other++) {
                if (memcmp(t->rotations[other], t->rotations[op], sizeof t->rotations[op]) != 0) continue;
                found = 1;
                for (int i = 0; i < 3; i++)
                    found &= ((shift[other][i] % ORIGIN_GRID) + ORIGIN_GRID) % ORIGIN_GRID == moved[i];
            }
            keeps = found;
        }
        if (!keeps) continue;
        for (int i = 0; i < 3; i++) out->shifts[out->count][i] = s[i] / (double)ORIGIN_GRID;
        out->count++;
    }
    cached_shifts[number] = out;
    return out;
}

/* ---- descriptions ---- */

typedef struct {
    int spacegroup;
    int depth;
    lc_structure crystal; /* atoms in the standard conventional cell of spacegroup */
    lc_row row;           /* canonical row */
} description;

static void apply_op(const double rotation[3][3], const double translation[3], const double x[3], double y[3]) {
    for (int i = 0; i < 3; i++) {
        double v = translation[i];
        for (int j = 0; j < 3; j++) v += rotation[i][j] * x[j];
        y[i] = lc_wrap_unit(v);
    }
}

/* The crystal of `parent` described in subgroup h: (super)cell, a marker orbit of h, spglib's standard cell of the
 * result without the markers. Returns -1 when spglib does not see exactly h (the marker was not generic). */
static int describe_in_subgroup(const description *parent, const lc_subgroup *h, const lc_augment_options *o,
                                lc_rng *rng, description *child) {
    lc_structure cell;
    lc_structure_init(&cell, 0);
    memcpy(cell.lattice, parent->crystal.lattice, sizeof cell.lattice);
    for (int axis = 0; axis < 3; axis++)
        for (int k = 0; k < 3; k++) cell.lattice[axis][k] *= h->supercell[axis];
    for (int i = 0; i < parent->crystal.n_atoms; i++)
        for (int na = 0; na < h->supercell[0]; na++)
            for (int nb = 0; nb < h->supercell[1]; nb++)
                for (int nc = 0; nc < h->supercell[2]; nc++) {
                    const double *x = parent->crystal.frac[i];
                    double y[3] = {(x[0] + na) / h->supercell[0], (x[1] + nb) / h->supercell[1],
                                   (x[2] + nc) / h->supercell[2]};
                    lc_structure_append(&cell, parent->crystal.species[i], y);
                }
    int n_crystal = cell.n_atoms;
    double marker[3];
    for (int k = 0; k < 3; k++) marker[k] = 0.05 + 0.9 * lc_rng_uniform(rng);
    for (int op = 0; op < h->n_operations; op++) {
        double rotation[3][3], y[3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) rotation[i][j] = h->rotations[op][i][j];
        apply_op(rotation, h->translations[op], marker, y);
        lc_structure_append(&cell, MARKER_SPECIES, y);
    }
    lc_symmetry_options options = lc_symmetry_default_options();
    options.symprec = o->symprec;
    lc_symmetry_dataset d;
    lc_error err;
    int status = lc_symmetry_analyze(&cell, &options, &d, &err);
    lc_structure_free(&cell);
    if (status != 0) return -1;
    /* exactly h: as many operations as h has in this cell */
    if (d.n_operations != h->n_operations || d.hall_number != lc_spacegroup_hall_number(d.number)) {
        lc_symmetry_dataset_free(&d);
        return -1;
    }
    child->spacegroup = d.number;
    child->depth = parent->depth + 1;
    lc_structure_init(&child->crystal, 0);
    memcpy(child->crystal.lattice, d.standardized.lattice, sizeof child->crystal.lattice);
    for (int i = 0; i < d.standardized.n_atoms; i++)
        if (d.standardized.species[i] != MARKER_SPECIES)
            lc_structure_append(&child->crystal, d.standardized.species[i], d.standardized.frac[i]);
    lc_symmetry_dataset_free(&d);
    (void)n_crystal;
    if (lc_row_from_standard_cell(child->spacegroup, &child->crystal, 10.0 * o->symprec, &child->row, &err) != 0) {
        lc_structure_free(&child->crystal);
        return -1;
    }
    return 0;
}

/* ---- rows of one description ---- */

typedef struct {
    size_t capacity; /* power of two */
    size_t count;
    uint64_t *keys;  /* 0 = empty */
} hash_set;

static uint64_t hash_row(const double *row, int columns) {
    uint64_t h = 1469598103934665603ull;
    const unsigned char *bytes = (const unsigned char *)row;
    for (size_t i = 0; i < sizeof(double) * (size_t)columns; i++) h = (h ^ bytes[i]) * 1099511628211ull;
    return h ? h : 1;
}

/* Inserts a key; returns 1 when it was new. Rows are told apart by a 64-bit hash of their exact bytes. */
static int hash_set_insert(hash_set *set, uint64_t key) {
    if (2 * (set->count + 1) > set->capacity) {
        size_t old_capacity = set->capacity;
        uint64_t *old = set->keys;
        set->capacity = old_capacity ? 2 * old_capacity : 1024;
        set->keys = lc_calloc(set->capacity, sizeof *set->keys);
        set->count = 0;
        for (size_t i = 0; i < old_capacity; i++)
            if (old[i]) hash_set_insert(set, old[i]);
        free(old);
    }
    size_t i = key & (set->capacity - 1);
    while (set->keys[i]) {
        if (set->keys[i] == key) return 0;
        i = (i + 1) & (set->capacity - 1);
    }
    set->keys[i] = key;
    set->count++;
    return 1;
}

static void append_row(lc_augment_result *out, const double *row, int description_index) {
    if (out->n_rows == out->capacity) {
        out->capacity = out->capacity ? 2 * out->capacity : 512;
        out->rows = lc_realloc(out->rows, sizeof(double) * (size_t)out->capacity * (size_t)out->columns);
        out->description = lc_realloc(out->description, sizeof(int) * (size_t)out->capacity);
    }
    memcpy(out->rows + (size_t)out->n_rows * (size_t)out->columns, row, sizeof(double) * (size_t)out->columns);
    out->description[out->n_rows++] = description_index;
}

/* A variant of the description's row: origin shifted by an allowed shift (sites re-located, since a shift can
 * move a site to another position of the same group), then each site written as a random member of its orbit. */
static int variant_row(const description *desc, const origin_shifts *shifts, const lc_augment_options *o, lc_rng *rng,
                       double *array) {
    const lc_wyckoff_table *t = lc_wyckoff_table_get(desc->spacegroup);
    const double *s = shifts->shifts[lc_rng_u32(rng) % (uint32_t)shifts->count];
    lc_row row = desc->row;
    for (int k = 0; k < row.n_sites; k++) {
        double moved[3], u[3], point[3];
        for (int i = 0; i < 3; i++) moved[i] = lc_wrap_unit(desc->row.sites[k].x[i] + s[i]);
        int index = lc_wyckoff_locate(t, desc->crystal.lattice, moved, 10.0 * o->symprec, u);
        const lc_wyckoff_position *w = &t->positions[index];
        lc_wyckoff_point(w, u, point);
        int member = w->orbit_ops[lc_rng_u32(rng) % (uint32_t)w->multiplicity];
        double rotation[3][3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) rotation[i][j] = t->rotations[member][i][j];
        row.sites[k].wyckoff_index = index;
        apply_op(rotation, t->translations[member], point, row.sites[k].x);
    }
    if (!lc_augment_row_passes(&row, o)) return -1;
    lc_row_to_array(&row, o->max_sites, array);
    return 0;
}

static void rows_of_description(const description *desc, int description_index, int wanted, const lc_augment_options *o,
                                lc_rng *rng, hash_set *seen, lc_augment_result *out) {
    const origin_shifts *shifts = allowed_origin_shifts(desc->spacegroup);
    double *array = lc_malloc(sizeof(double) * (size_t)out->columns);
    /* the canonical row first, then random variants until `wanted` new ones or too many repeats */
    lc_row_to_array(&desc->row, o->max_sites, array);
    int added = 0;
    if (hash_set_insert(seen, hash_row(array, out->columns))) append_row(out, array, description_index), added++;
    for (int attempt = 0; added < wanted && attempt < 20 * wanted; attempt++) {
        if (variant_row(desc, shifts, o, rng, array) != 0) continue;
        if (hash_set_insert(seen, hash_row(array, out->columns))) append_row(out, array, description_index), added++;
    }
    free(array);
}

int lc_augment_source(const lc_structure *source, int64_t source_id, const lc_augment_options *o,
                      lc_augment_result *out, lc_error *err) {
    memset(out, 0, sizeof *out);
    out->columns = lc_row_columns(o->max_sites);
    lc_symmetry_options options = lc_symmetry_default_options();
    options.symprec = o->symprec;
    lc_symmetry_dataset d;
    if (lc_symmetry_analyze(source, &options, &d, err) != 0) return -1;
    description *descriptions = lc_calloc(MAX_DESCRIPTIONS, sizeof *descriptions);
    description *root = &descriptions[0];
    root->spacegroup = d.number;
    lc_structure_copy(&root->crystal, &d.standardized);
    lc_symmetry_dataset_free(&d);
    if (lc_row_from_standard_cell(root->spacegroup, &root->crystal, 10.0 * o->symprec, &root->row, err) != 0) {
        lc_structure_free(&root->crystal);
        free(descriptions);
        return -1;
    }
    int n_descriptions = 1;
    if (!lc_augment_row_passes(&root->row, o)) {
        lc_structure_free(&root->crystal);
        free(descriptions);
        return 0;
    }
    lc_rng rng;
    lc_rng_init(&rng, o->seed, 0x4C45474Fu /* "LEGO" */, (uint64_t)source_id);
    hash_set seen = {0};
    int wanted = o->rows_original < o->rows_per_source ? o->rows_original : o->rows_per_source;
    rows_of_description(root, 0, wanted, o, &rng, &seen, out);

    /* breadth first over subgroup descriptions, in a random order per description */
    for (int next = 0; next < n_descriptions && out->n_rows < o->rows_per_source; next++) {
        description *parent = &descriptions[next];
        if (parent->depth >= o->max_depth) continue;
        const lc_subgroup_list *subgroups = lc_subgroups_maximal(parent->spacegroup);
        int *order = lc_malloc(sizeof(int) * (size_t)(subgroups->count + 1));
        for (int i = 0; i < subgroups->count; i++) order[i] = i;
        for (int i = subgroups->count - 1; i > 0; i--) {
            int j = (int)(lc_rng_u32(&rng) % (uint32_t)(i + 1));
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        for (int i = 0; i < subgroups->count && out->n_rows < o->rows_per_source && n_descriptions < MAX_DESCRIPTIONS;
             i++) {
            description *child = &descriptions[n_descriptions];
            int described = -1;
            for (int attempt = 0; attempt < 3 && described != 0; attempt++)
                described = describe_in_subgroup(parent, &subgroups->items[order[i]], o, &rng, child);
            if (described != 0) continue;
            /* keep only descriptions that pass the filters and are new */
            int fresh = lc_augment_row_passes(&child->row, o);
            for (int k = 0; k < n_descriptions && fresh; k++)
                fresh = !(descriptions[k].spacegroup == child->spacegroup &&
                          memcmp(&descriptions[k].row, &child->row, sizeof child->row) == 0);
            if (!fresh) {
                lc_structure_free(&child->crystal);
                continue;
            }
            int room = o->rows_per_source - out->n_rows;
            rows_of_description(child, n_descriptions, room < o->rows_per_subgroup ? room : o->rows_per_subgroup, o,
                                &rng, &seen, out);
            n_descriptions++;
        }
        free(order);
    }
    out->n_descriptions = n_descriptions;
    for (int k = 0; k < n_descriptions; k++) {
        out->description_spacegroup[k] = descriptions[k].spacegroup;
        out->description_depth[k] = descriptions[k].depth;
        lc_structure_free(&descriptions[k].crystal);
    }
    free(descriptions);
    free(seen.keys);
    return 0;
}
