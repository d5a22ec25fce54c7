#include "candidate_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lego/row.h"

/* Every per-record array, described once: growing, packing, sorting, writing and reading walk this table. */
typedef enum { FIELD_I64, FIELD_I32, FIELD_F64 } field_type;
typedef struct {
    const char *name; /* dataset */
    size_t offset;    /* of the array pointer in lc_candidate_table */
    field_type type;
    int width;        /* numbers per record; 0: the row's columns */
} field;

#define FIELD(member, type, width) {"candidates/" #member, offsetof(lc_candidate_table, member), type, width}
static const field fields[] = {
    FIELD(id, FIELD_I64, 1),           FIELD(status, FIELD_I32, 1),       FIELD(row_status, FIELD_I32, 1),
    FIELD(spacegroup, FIELD_I32, 1),   FIELD(spacegroup_relaxed, FIELD_I32, 1),
    FIELD(objective, FIELD_F64, 2),    FIELD(iterations, FIELD_I32, 1),   FIELD(n_atoms, FIELD_I32, 1),
    FIELD(lattice, FIELD_F64, 9),      FIELD(density, FIELD_F64, 1),      FIELD(coordination, FIELD_I32, 2),
    FIELD(dimensionality, FIELD_I32, 1), FIELD(n_primitive, FIELD_I32, 1), FIELD(duplicate_of, FIELD_I64, 1),
    FIELD(row_in, FIELD_F64, 0),       FIELD(row_out, FIELD_F64, 0),
};
#undef FIELD
enum { N_FIELDS = sizeof fields / sizeof fields[0] };

static size_t type_size(field_type type) { return type == FIELD_I32 ? sizeof(int) : 8; }
static void **field_array(const lc_candidate_table *t, const field *f) { return (void **)((char *)t + f->offset); }
static int field_width(const lc_candidate_table *t, const field *f) { return f->width ? f->width : t->columns; }
static size_t record_bytes(const lc_candidate_table *t, const field *f) {
    return type_size(f->type) * (size_t)field_width(t, f);
}

void lc_candidate_table_init(lc_candidate_table *t, int columns) {
    memset(t, 0, sizeof *t);
    t->columns = columns;
}

void lc_candidate_table_free(lc_candidate_table *t) {
    for (int q = 0; q < N_FIELDS; q++) free(*field_array(t, &fields[q]));
    free(t->atom_offset);
    free(t->species);
    free(t->frac);
    lc_candidate_table_init(t, t->columns);
}

static void reserve(lc_candidate_table *t, long records, long atoms) {
    if (records > t->capacity) {
        t->capacity = records > 2 * t->capacity ? records : 2 * t->capacity;
        for (int q = 0; q < N_FIELDS; q++) {
            void **array = field_array(t, &fields[q]);
            *array = lc_realloc(*array, record_bytes(t, &fields[q]) * (size_t)t->capacity);
        }
        t->atom_offset = lc_realloc(t->atom_offset, sizeof(long long) * (size_t)t->capacity);
    }
    if (atoms > t->atom_capacity) {
        t->atom_capacity = atoms > 2 * t->atom_capacity ? atoms : 2 * t->atom_capacity;
        t->species = lc_realloc(t->species, sizeof(int) * (size_t)t->atom_capacity);
        t->frac = lc_realloc(t->frac, sizeof(double) * 3 * (size_t)t->atom_capacity);
    }
}

void lc_candidate_table_add(lc_candidate_table *t, long long id, const double *row_in, int row_spacegroup,
                            const lc_candidate *c, int max_sites, int n_primitive) {
    const lc_structure *s = &c->structure;
    reserve(t, t->n + 1, t->n_total_atoms + s->n_atoms);
    long k = t->n++;
    int columns = t->columns;
    t->id[k] = id;
    t->status[k] = c->status;
    t->row_status[k] = c->row_status;
    t->spacegroup[k] = row_spacegroup;
    t->spacegroup_relaxed[k] = c->spacegroup_after;
    t->objective[2 * k] = c->objective_before;
    t->objective[2 * k + 1] = c->objective_after;
    t->iterations[k] = c->iterations;
    t->n_atoms[k] = s->n_atoms;
    t->density[k] = c->density;
    t->coordination[2 * k] = c->validity.min_coordination;
    t->coordination[2 * k + 1] = c->validity.max_coordination;
    t->dimensionality[k] = c->validity.dimensionality;
    t->n_primitive[k] = n_primitive;
    t->duplicate_of[k] = -1;
    memcpy(t->row_in + k * columns, row_in, sizeof(double) * (size_t)columns);
    if (s->n_atoms) {
        memcpy(t->lattice + 9 * k, s->lattice, sizeof(double) * 9);
        lc_row_to_array(&c->relaxed_row, max_sites, t->row_out + k * columns);
    } else {
        for (int q = 0; q < 9; q++) t->lattice[9 * k + q] = 0.0;
        for (int q = 0; q < columns; q++) t->row_out[k * columns + q] = NAN;
    }
    t->atom_offset[k] = t->n_total_atoms;
    for (int i = 0; i < s->n_atoms; i++) {
        t->species[t->n_total_atoms] = s->species[i];
        memcpy(t->frac + 3 * t->n_total_atoms, s->frac[i], sizeof(double) * 3);
        t->n_total_atoms++;
    }
}

void lc_candidate_table_structure(const lc_candidate_table *t, long k, lc_structure *out) {
    lc_structure_init(out, t->n_atoms[k]);
    memcpy(out->lattice, t->lattice + 9 * k, sizeof(double) * 9);
    memcpy(out->species, t->species + t->atom_offset[k], sizeof *out->species * (size_t)t->n_atoms[k]);
    memcpy(out->frac, t->frac + 3 * t->atom_offset[k], sizeof *out->frac * (size_t)t->n_atoms[k]);
}

static const lc_candidate_table *sort_table;
static int by_id(const void *a, const void *b) {
    long long x = sort_table->id[*(const long *)a], y = sort_table->id[*(const long *)b];
    return (x > y) - (x < y);
}

void lc_candidate_table_sort(lc_candidate_table *t) {
    long *order = lc_malloc(sizeof(long) * (size_t)(t->n ? t->n : 1));
    for (long k = 0; k < t->n; k++) order[k] = k;
    sort_table = t;
    qsort(order, (size_t)t->n, sizeof(long), by_id);
    lc_candidate_table sorted;
    lc_candidate_table_init(&sorted, t->columns);
    reserve(&sorted, t->n, t->n_total_atoms);
    for (long j = 0; j < t->n; j++) {
        long k = order[j];
        for (int q = 0; q < N_FIELDS; q++) {
            size_t bytes = record_bytes(t, &fields[q]);
            memcpy((char *)*field_array(&sorted, &fields[q]) + bytes * (size_t)j,
                   (char *)*field_array(t, &fields[q]) + bytes * (size_t)k, bytes);
        }
        sorted.atom_offset[j] = sorted.n_total_atoms;
        memcpy(sorted.species + sorted.n_total_atoms, t->species + t->atom_offset[k], sizeof(int) * (size_t)t->n_atoms[k]);
        memcpy(sorted.frac + 3 * sorted.n_total_atoms, t->frac + 3 * t->atom_offset[k],
               sizeof(double) * 3 * (size_t)t->n_atoms[k]);
        sorted.n_total_atoms += t->n_atoms[k];
    }
    sorted.n = t->n;
    free(order);
    lc_candidate_table_free(t);
    *t = sorted;
}

int lc_candidate_table_write(lc_h5_file *f, const lc_candidate_table *t, lc_error *err) {
    int s = 0;
    for (int q = 0; q < N_FIELDS && s == 0; q++) {
        const field *fd = &fields[q];
        void *array = *field_array(t, fd);
        int width = field_width(t, fd);
        switch (fd->type) {
        case FIELD_I64: s = lc_h5_write_rows_i64(f, fd->name, array, t->n, width, err); break;
        case FIELD_I32: s = lc_h5_write_rows_i32(f, fd->name, array, t->n, width, err); break;
        case FIELD_F64: s = lc_h5_write_rows_f64(f, fd->name, array, t->n, width, err); break;
        }
    }
    s = s ? s : lc_h5_attr_string(f, "/candidates/status", "meaning",
                                  "0 valid, 1 invalid, 2 failed, 3 undecodable, 4 duplicate", err);
    long long *offset = lc_malloc(sizeof(long long) * (size_t)(t->n ? t->n : 1));
    long long first_atom = lc_h5_rows_before(f, t->n_total_atoms);
    for (long k = 0; k < t->n; k++) offset[k] = first_atom + t->atom_offset[k];
    s = s ? s : lc_h5_write_rows_i64(f, "candidates/atom_offset", offset, t->n, 1, err);
    free(offset);
    s = s ? s : lc_h5_write_rows_i32(f, "atoms/species", t->species, t->n_total_atoms, 1, err);
    s = s ? s : lc_h5_write_rows_f64(f, "atoms/frac", t->frac, t->n_total_atoms, 3, err);
    return s;
}

int lc_candidate_table_read(const char *path, lc_candidate_table *t, lc_error *err) {
    long dims[2], atom_dims[2];
    if (lc_h5_dataset_shape(path, "candidates/id", dims, err) != 0 ||
        lc_h5_dataset_shape(path, "atoms/species", atom_dims, err) != 0)
        return -1;
    long n = dims[0], m = atom_dims[0], k0 = t->n, a0 = t->n_total_atoms;
    reserve(t, k0 + n, a0 + m);
    for (int q = 0; q < N_FIELDS; q++) {
        const field *fd = &fields[q];
        int width = field_width(t, fd), s = 0;
        char *array = (char *)*field_array(t, fd) + record_bytes(t, fd) * (size_t)k0;
        if (n == 0) continue;
        switch (fd->type) {
        case FIELD_I64: s = lc_h5_read_rows_i64(path, fd->name, 0, n, width, (long long *)array, err); break;
        case FIELD_I32: s = lc_h5_read_rows_i32(path, fd->name, 0, n, width, (int *)array, err); break;
        case FIELD_F64: s = lc_h5_read_rows_f64(path, fd->name, 0, n, width, (double *)array, err); break;
        }
        if (s != 0) return -1;
    }
    if (m > 0 && (lc_h5_read_rows_i32(path, "atoms/species", 0, m, 1, t->species + a0, err) != 0 ||
                  lc_h5_read_rows_f64(path, "atoms/frac", 0, m, 3, t->frac + 3 * a0, err) != 0))
        return -1;
    long atoms = a0;
    for (long k = k0; k < k0 + n; k++) {
        t->atom_offset[k] = atoms;
        atoms += t->n_atoms[k];
    }
    if (atoms != a0 + m) return lc_error_set(err, path, 0, "the candidates' atom counts do not add up to /atoms");
    t->n = k0 + n;
    t->n_total_atoms = atoms;
    return 0;
}

void lc_candidate_table_pack(const lc_candidate_table *t, long k, char **buffer, size_t *size, size_t *capacity) {
    size_t need = *size + sizeof(int) * (size_t)t->n_atoms[k] + sizeof(double) * 3 * (size_t)t->n_atoms[k];
    for (int q = 0; q < N_FIELDS; q++) need += record_bytes(t, &fields[q]);
    if (need > *capacity) {
        *capacity = need > 2 * *capacity ? need : 2 * *capacity;
        *buffer = lc_realloc(*buffer, *capacity);
    }
    for (int q = 0; q < N_FIELDS; q++) {
        size_t bytes = record_bytes(t, &fields[q]);
        memcpy(*buffer + *size, (char *)*field_array(t, &fields[q]) + bytes * (size_t)k, bytes);
        *size += bytes;
    }
    size_t species_bytes = sizeof(int) * (size_t)t->n_atoms[k], frac_bytes = sizeof(double) * 3 * (size_t)t->n_atoms[k];
    memcpy(*buffer + *size, t->species + t->atom_offset[k], species_bytes);
    *size += species_bytes;
    memcpy(*buffer + *size, t->frac + 3 * t->atom_offset[k], frac_bytes);
    *size += frac_bytes;
}

long lc_candidate_table_unpack(lc_candidate_table *t, const char *bytes, size_t size) {
    long added = 0;
    for (size_t at = 0; at < size; added++) {
        reserve(t, t->n + 1, t->n_total_atoms);
        long k = t->n;
        for (int q = 0; q < N_FIELDS; q++) {
            size_t field_bytes = record_bytes(t, &fields[q]);
            memcpy((char *)*field_array(t, &fields[q]) + field_bytes * (size_t)k, bytes + at, field_bytes);
            at += field_bytes;
        }
        int n_atoms = t->n_atoms[k];
        reserve(t, t->n + 1, t->n_total_atoms + n_atoms);
        memcpy(t->species + t->n_total_atoms, bytes + at, sizeof(int) * (size_t)n_atoms);
        at += sizeof(int) * (size_t)n_atoms;
        memcpy(t->frac + 3 * t->n_total_atoms, bytes + at, sizeof(double) * 3 * (size_t)n_atoms);
        at += sizeof(double) * 3 * (size_t)n_atoms;
        t->atom_offset[k] = t->n_total_atoms;
        t->n_total_atoms += n_atoms;
        t->n++;
    }
    return added;
}
